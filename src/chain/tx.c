/*
 * tacit — transactions (DESIGN 2.6): the canonical v1 encoding, the tx id, the ext-data
 * digest behind the circuit's ext_data_hash, the deposit digest a deposit signature signs, and the rules
 * of include/tacit/chain.h, each with its own error. Byte layout: docs/protocol.md section 2.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/chain_internal.h"
#include "tacit/error.h"
#include "tacit/keccak.h"

const uint8_t TACIT_POOL_ADDRESS[TACIT_ADDRESS_LEN] = {0};

void tacit__blake2b_init(crypto_generichash_blake2b_state *s, const char *name)
{
    static const unsigned char zero_salt[crypto_generichash_blake2b_SALTBYTES];
    unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] = {0};
    size_t n = strlen(name);
    memcpy(personal, name, n < sizeof personal ? n : sizeof personal);
    /* Cannot fail: no key, outlen 32 is within 16..64. */
    (void)crypto_generichash_blake2b_init_salt_personal(s, NULL, 0, 32, zero_salt, personal);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

/* An amount of 0 means "none": the fields that go with it must be zero (one encoding per tx). */
static bool ext_is_canonical(const struct tacit_tx_ext *e)
{
    if (e->withdrawal_amount == 0 && !all_zero(e->withdrawal_recipient, TACIT_ADDRESS_LEN))
        return false;
    if (e->deposit_amount == 0 &&
        (e->deposit_nonce != 0 || !all_zero(e->deposit_sender, TACIT_ADDRESS_LEN) ||
         !all_zero(e->deposit_sig, TACIT_DEPOSIT_SIG_BYTES)))
        return false;
    return true;
}

/* ------------------------------------------------------------------ encoding ---- */

static void ext_encode(uint8_t out[TACIT_TX_EXT_BYTES], const struct tacit_tx_ext *e)
{
    uint8_t *p = out;
    tacit__put_u64(p, e->fee), p += 8;
    tacit__put_u64(p, e->withdrawal_amount), p += 8;
    memcpy(p, e->withdrawal_recipient, TACIT_ADDRESS_LEN), p += TACIT_ADDRESS_LEN;
    tacit__put_u64(p, e->deposit_amount), p += 8;
    memcpy(p, e->deposit_sender, TACIT_ADDRESS_LEN), p += TACIT_ADDRESS_LEN;
    tacit__put_u64(p, e->deposit_nonce), p += 8;
    memcpy(p, e->deposit_sig, TACIT_DEPOSIT_SIG_BYTES), p += TACIT_DEPOSIT_SIG_BYTES;
    memcpy(p, e->epk, TACIT_EPK_BYTES), p += TACIT_EPK_BYTES;
    for (int j = 0; j < 2; j++) {
        tacit__put_u16(p, TACIT_NOTE_CIPHERTEXT_BYTES), p += 2;
        memcpy(p, e->ciphertext[j], TACIT_NOTE_CIPHERTEXT_BYTES), p += TACIT_NOTE_CIPHERTEXT_BYTES;
    }
}

void tacit_tx_encode(uint8_t out[TACIT_TX_BYTES], const struct tacit_tx *tx)
{
    out[0] = tx->version;
    tacit__put_u64(out + 1, tx->chain_id);
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++)
        tacit_fr_to_bytes(out + TACIT__TX_OFF_PUB + 32 * i, &tx->pub[i]);
    memcpy(out + TACIT__TX_OFF_PROOF, tx->proof, TACIT_GROTH16_PROOF_BYTES);
    tacit__put_u32(out + TACIT__TX_OFF_EXTLEN, TACIT_TX_EXT_BYTES);
    ext_encode(out + TACIT__TX_OFF_EXT, &tx->ext);
}

static int tx_decode(struct tacit_tx *tx, const uint8_t *in, size_t len)
{
    const uint8_t *p;

    /* The version first: another version may well have another size. */
    if (len < 1) return TACIT_EENCODING;
    /* v1 and v2 share the layout; which one a chain takes is tacit_tx_check_params' */
    if (in[0] != TACIT_TX_VERSION && in[0] != TACIT_TX_VERSION_L1) return TACIT_EVERSION;
    if (len >= TACIT__TX_OFF_EXT && tacit__get_u32(in + TACIT__TX_OFF_EXTLEN) != TACIT_TX_EXT_BYTES)
        return TACIT_EENCODING;
    if (len < TACIT_TX_BYTES) return TACIT_EENCODING;
    if (len > TACIT_TX_BYTES) return TACIT_ETRAILING;

    tx->version = in[0];
    tx->chain_id = tacit__get_u64(in + 1);
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++)
        if (tacit_fr_from_bytes(&tx->pub[i], in + TACIT__TX_OFF_PUB + 32 * i) != TACIT_OK)
            return TACIT_EPUBLIC_INPUT;
    memcpy(tx->proof, in + TACIT__TX_OFF_PROOF, TACIT_GROTH16_PROOF_BYTES);

    p = in + TACIT__TX_OFF_EXT;
    tx->ext.fee = tacit__get_u64(p), p += 8;
    tx->ext.withdrawal_amount = tacit__get_u64(p), p += 8;
    memcpy(tx->ext.withdrawal_recipient, p, TACIT_ADDRESS_LEN), p += TACIT_ADDRESS_LEN;
    tx->ext.deposit_amount = tacit__get_u64(p), p += 8;
    memcpy(tx->ext.deposit_sender, p, TACIT_ADDRESS_LEN), p += TACIT_ADDRESS_LEN;
    tx->ext.deposit_nonce = tacit__get_u64(p), p += 8;
    memcpy(tx->ext.deposit_sig, p, TACIT_DEPOSIT_SIG_BYTES), p += TACIT_DEPOSIT_SIG_BYTES;
    memcpy(tx->ext.epk, p, TACIT_EPK_BYTES), p += TACIT_EPK_BYTES;
    for (int j = 0; j < 2; j++) {
        if (tacit__get_u16(p) != TACIT_NOTE_CIPHERTEXT_BYTES) return TACIT_EENCODING;
        p += 2;
        memcpy(tx->ext.ciphertext[j], p, TACIT_NOTE_CIPHERTEXT_BYTES),
            p += TACIT_NOTE_CIPHERTEXT_BYTES;
    }
    if (!ext_is_canonical(&tx->ext)) return TACIT_EENCODING;
    return TACIT_OK;
}

int tacit_tx_decode(struct tacit_tx *tx, const uint8_t *in, size_t len)
{
    int rc = tx_decode(tx, in, len);
    if (rc != TACIT_OK) memset(tx, 0, sizeof *tx);
    return rc;
}

/* ------------------------------------------------------------------- digests ---- */

void tacit_tx_id(uint8_t id[32], const struct tacit_tx *tx)
{
    crypto_generichash_blake2b_state s;
    uint8_t enc[TACIT_TX_BYTES];

    /* Groth16 proofs are malleable (anyone can re-randomize one): the id leaves them out. */
    tacit_tx_encode(enc, tx);
    tacit__blake2b_init(&s, "tacit-txid");
    tacit__blake2b_update(&s, enc, TACIT__TX_OFF_PROOF);
    tacit__blake2b_update(&s, enc + TACIT__TX_OFF_EXTLEN, TACIT_TX_BYTES - TACIT__TX_OFF_EXTLEN);
    tacit__blake2b_final(&s, id);
}

void tacit_tx_ext_digest(uint8_t digest[32], const struct tacit_tx_ext *ext, uint64_t chain_id,
                         const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN])
{
    crypto_generichash_blake2b_state s;
    uint8_t enc[TACIT_TX_EXT_BYTES], cid[8];

    ext_encode(enc, ext);
    tacit__put_u64(cid, chain_id);
    tacit__blake2b_init(&s, "tacit-extdata");
    tacit__blake2b_update(&s, cid, sizeof cid);
    tacit__blake2b_update(&s, rollup_id, TACIT_ROLLUP_ID_LEN);
    /* the signature is not hashed: it signs a digest that includes this one (through
     * ext_data_hash, public input 2), and cannot sign itself */
    tacit__blake2b_update(&s, enc, TACIT__EXT_OFF_SIG);
    tacit__blake2b_update(&s, enc + TACIT__EXT_OFF_EPK, TACIT_TX_EXT_BYTES - TACIT__EXT_OFF_EPK);
    tacit__blake2b_final(&s, digest);
}

/* The digest as a 256-bit big-endian integer, reduced mod r (a 512-bit value with a zero
 * high half, for tacit_fr_from_wide). */
static void digest_to_fr(tacit_fr *out, const uint8_t digest[32])
{
    uint8_t wide[64] = {0};
    memcpy(wide + 32, digest, 32);
    tacit_fr_from_wide(out, wide);
}

void tacit_tx_ext_data_hash(tacit_fr *out, const struct tacit_tx_ext *ext, uint64_t chain_id,
                            const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN])
{
    uint8_t digest[32];
    tacit_tx_ext_digest(digest, ext, chain_id, rollup_id);
    digest_to_fr(out, digest);
}

void tacit_tx_deposit_digest(uint8_t digest[32], const struct tacit_tx *tx,
                             const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN])
{
    crypto_generichash_blake2b_state s;
    uint8_t cid[8], fe[32];

    /* Everything that decides where the deposited value goes: the anchor, the nullifiers and
     * the output commitments, and (through ext_data_hash) the amounts, the recipient and the
     * encrypted outputs. Signing the ext data alone let anyone re-bind a seen signature to
     * outputs of their own (protocol revision 1.1, docs/protocol.md section 2.2). */
    tacit__put_u64(cid, tx->chain_id);
    tacit__blake2b_init(&s, "tacit-deposit");
    tacit__blake2b_update(&s, cid, sizeof cid);
    tacit__blake2b_update(&s, rollup_id, TACIT_ROLLUP_ID_LEN);
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++) {
        tacit_fr_to_bytes(fe, &tx->pub[i]);
        tacit__blake2b_update(&s, fe, sizeof fe);
    }
    tacit__blake2b_final(&s, digest);
}

/* ------------------------------------------------- protocol v2 (L1) digests ---- */

/* x as a 32-byte big-endian word (Solidity's uint256 and the EIP-712 encoding of uintN). */
static void word_u64(uint8_t w[32], uint64_t x)
{
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(x >> (8 * i));
}

static void keccak_str(uint8_t out[32], const char *s)
{
    tacit_keccak256(out, (const uint8_t *)s, strlen(s));
}

void tacit_tx_ext_digest_v2(uint8_t digest[32], const struct tacit_tx_ext *ext, uint64_t chain_id,
                            uint64_t l1_chain_id, const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN])
{
    /* abi.encodePacked(uint256 l1ChainId, address rollup, the tx's bytes [1, 9), ext without
     * the signature): what the contract hashes straight from the calldata */
    uint8_t enc[TACIT_TX_EXT_BYTES];
    uint8_t buf[32 + TACIT_ROLLUP_ID_LEN + 8 + TACIT_TX_EXT_BYTES - TACIT_DEPOSIT_SIG_BYTES],
        *q = buf;
    ext_encode(enc, ext);
    word_u64(q, l1_chain_id), q += 32;
    memcpy(q, rollup_id, TACIT_ROLLUP_ID_LEN), q += TACIT_ROLLUP_ID_LEN;
    tacit__put_u64(q, chain_id), q += 8;
    memcpy(q, enc, TACIT__EXT_OFF_SIG), q += TACIT__EXT_OFF_SIG;
    memcpy(q, enc + TACIT__EXT_OFF_EPK, TACIT_TX_EXT_BYTES - TACIT__EXT_OFF_EPK);
    tacit_keccak256(digest, buf, sizeof buf);
}

void tacit_tx_eip712_domain(uint8_t sep[32], uint64_t l1_chain_id,
                            const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN])
{
    /* EIP-712: hashStruct(EIP712Domain); strings are encoded as their keccak-256, an address
     * as a 32-byte word (zeros, then its 20 bytes) */
    uint8_t buf[5 * 32];
    keccak_str(
        buf, "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    keccak_str(buf + 32, "tacit");
    keccak_str(buf + 64, "2");
    word_u64(buf + 96, l1_chain_id);
    memset(buf + 128, 0, 12);
    memcpy(buf + 140, rollup_id, TACIT_ROLLUP_ID_LEN);
    tacit_keccak256(sep, buf, sizeof buf);
}

void tacit_tx_deposit_digest_v2(uint8_t digest[32], const struct tacit_tx *tx, uint64_t l1_chain_id,
                                const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN])
{
    static const int fields[6] = {TACIT_TRANSFER_PUB_ROOT, TACIT_TRANSFER_PUB_NF0,
                                  TACIT_TRANSFER_PUB_NF1,  TACIT_TRANSFER_PUB_CM0,
                                  TACIT_TRANSFER_PUB_CM1,  TACIT_TRANSFER_PUB_EXT_DATA_HASH};
    uint8_t st[10 * 32], msg[2 + 64];
    /* hashStruct(Deposit): the type hash, then each member as a 32-byte word in type order.
     * The members bind what the v1.1 deposit digest binds: the anchor, the nullifiers, the
     * output commitments and, through extDataHash, the rest of the tx (the theft fix of
     * protocol revision 1.1 carries over); amount, nonce and fee are there for the signer to
     * read. */
    keccak_str(st,
               "Deposit(uint64 amount,uint64 nonce,uint64 fee,bytes32 anchor,bytes32 nullifier0,"
               "bytes32 nullifier1,bytes32 commitment0,bytes32 commitment1,bytes32 extDataHash)");
    word_u64(st + 32, tx->ext.deposit_amount);
    word_u64(st + 64, tx->ext.deposit_nonce);
    word_u64(st + 96, tx->ext.fee);
    for (int i = 0; i < 6; i++) tacit_fr_to_bytes(st + 128 + 32 * i, &tx->pub[fields[i]]);
    msg[0] = 0x19;
    msg[1] = 0x01;
    tacit_tx_eip712_domain(msg + 2, l1_chain_id, rollup_id);
    tacit_keccak256(msg + 34, st, sizeof st);
    tacit_keccak256(digest, msg, sizeof msg);
}

void tacit_tx_ext_data_hash_of(tacit_fr *out, const struct tacit_tx *tx,
                               const struct tacit_chain_params *p)
{
    uint8_t digest[32];
    if (tx->version == TACIT_TX_VERSION_L1)
        tacit_tx_ext_digest_v2(digest, &tx->ext, tx->chain_id, p->l1_chain_id, p->rollup_id);
    else
        tacit_tx_ext_digest(digest, &tx->ext, tx->chain_id, p->rollup_id);
    digest_to_fr(out, digest);
}

void tacit_tx_deposit_digest_of(uint8_t digest[32], const struct tacit_tx *tx,
                                const struct tacit_chain_params *p)
{
    if (tx->version == TACIT_TX_VERSION_L1)
        tacit_tx_deposit_digest_v2(digest, tx, p->l1_chain_id, p->rollup_id);
    else
        tacit_tx_deposit_digest(digest, tx, p->rollup_id);
}

int tacit_tx_public_amount(tacit_fr *out, const struct tacit_tx_ext *ext)
{
    tacit_fr dep, out_amt;
    if (ext->withdrawal_amount > UINT64_MAX - ext->fee) {
        *out = TACIT_FR_ZERO;
        return TACIT_EOVERFLOW;
    }
    tacit_fr_from_u64(&dep, ext->deposit_amount);
    tacit_fr_from_u64(&out_amt, ext->withdrawal_amount + ext->fee);
    tacit_fr_sub(out, &dep, &out_amt);
    return TACIT_OK;
}

/* -------------------------------------------------------------------- rules ---- */

int tacit_tx_check_params(const struct tacit_tx *tx, const struct tacit_chain_params *p)
{
    if (tx->version != tacit_chain_tx_version(p)) return TACIT_EVERSION;
    if (!ext_is_canonical(&tx->ext)) return TACIT_EENCODING;
    if (tx->chain_id != p->chain_id) return TACIT_ECHAIN_ID;
    if (tx->ext.fee < p->min_fee) return TACIT_EFEE_TOO_LOW;
    return TACIT_OK;
}

int tacit_tx_check_content(const struct tacit_tx *tx, const struct tacit_chain_params *p)
{
    tacit_fr amount, h;
    uint8_t digest[32], signer[TACIT_ADDRESS_LEN];
    int rc;

    if ((rc = tacit_tx_public_amount(&amount, &tx->ext)) != TACIT_OK) return rc;
    tacit_tx_ext_data_hash_of(&h, tx, p);
    if (!tacit_fr_eq(&h, &tx->pub[TACIT_TRANSFER_PUB_EXT_DATA_HASH])) return TACIT_EEXT_DATA_HASH;
    if (!tacit_fr_eq(&amount, &tx->pub[TACIT_TRANSFER_PUB_PUBLIC_AMOUNT]))
        return TACIT_EPUBLIC_AMOUNT;
    if (tacit_fr_eq(&tx->pub[TACIT_TRANSFER_PUB_NF0], &tx->pub[TACIT_TRANSFER_PUB_NF1]))
        return TACIT_ENULLIFIER_REPEATED;
    if (tx->ext.withdrawal_amount > 0 &&
        memcmp(tx->ext.withdrawal_recipient, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN) == 0)
        return TACIT_EWITHDRAW_RECIPIENT;
    if (tx->ext.deposit_amount > 0) {
        /* after S6: the public inputs signed over are those the ext data gives */
        tacit_tx_deposit_digest_of(digest, tx, p);
        /* v2: Ethereum's v is 27 or 28, so ecrecover takes recovery ids 0 and 1 only (2 and 3
         * need r >= n - p, which no signer meets in practice) */
        if (tx->version == TACIT_TX_VERSION_L1 && tx->ext.deposit_sig[64] > 1)
            return TACIT_EDEPOSIT_SIG;
        if ((rc = tacit_deposit_recover(signer, tx->ext.deposit_sig, digest)) != TACIT_OK)
            return rc;
        if (memcmp(signer, tx->ext.deposit_sender, TACIT_ADDRESS_LEN) != 0)
            return TACIT_EDEPOSIT_SIG;
    }
    return TACIT_OK;
}

int tacit_tx_check_static(const struct tacit_tx *tx, const struct tacit_chain_params *p)
{
    int rc;
    if ((rc = tacit_tx_check_params(tx, p)) != TACIT_OK) return rc;
    return tacit_tx_check_content(tx, p);
}

/* Decoding only: canonical, on the curves, not at infinity. B's membership in G2 is tested by
 * every verification of the proof (the Miller loop that pairs B reads it off, groth16.c), so it
 * is not tested here a second time: admission (this, then tacit_groth16_verify_batch_var),
 * tacit_tx_verify_proof_var and a block's proofs (block.c: decoding, then the batch) each test
 * it once. */
int tacit_tx_proof(tacit_groth16_proof *proof, const struct tacit_tx *tx)
{
    return tacit_groth16_proof_from_bytes(proof, tx->proof, NULL);
}

int tacit_tx_verify_proof_var(const struct tacit_tx *tx, const tacit_groth16_pvk *pvk)
{
    tacit_groth16_proof proof;
    int rc;
    if ((rc = tacit_tx_proof(&proof, tx)) != TACIT_OK) return rc;
    return tacit_groth16_verify_var(pvk, &proof, tx->pub, TACIT_TX_NPUBLIC);
}

int tacit_tx_check_state(const struct tacit_view *v, const struct tacit_tx *tx)
{
    const struct tacit_view_ops *op = v->ops;
    enum tacit_view_nullifier nfs;
    struct tacit_account acct;
    bool ok;
    int rc;

    if ((rc = op->anchor_recent(v->ctx, &tx->pub[TACIT_TRANSFER_PUB_ROOT], &ok)) != TACIT_OK)
        return rc;
    if (!ok) return TACIT_EANCHOR;
    for (int i = TACIT_TRANSFER_PUB_NF0; i <= TACIT_TRANSFER_PUB_NF1; i++) {
        if ((rc = op->nullifier(v->ctx, &tx->pub[i], &nfs)) != TACIT_OK) return rc;
        if (nfs != TACIT_VIEW_NF_UNSPENT) return TACIT_ENULLIFIER_SPENT;
    }
    if (tx->ext.deposit_amount > 0) {
        if ((rc = op->account(v->ctx, tx->ext.deposit_sender, &acct)) != TACIT_OK) return rc;
        /* a nonce above the next one may become valid after other pending deposits */
        if (tx->ext.deposit_nonce < acct.nonce) return TACIT_ENONCE;
        if (acct.balance < tx->ext.deposit_amount) return TACIT_EINSUFFICIENT;
    }
    /* The turnstile against the committed pool: what the tx pays out (withdrawal + fee) must be
     * covered by the pool plus its own deposit. Pending txs may still change the pool, so the
     * block builder checks again (tacit_tx_apply); this refuses what cannot fit now. */
    if (tx->ext.withdrawal_amount > 0 || tx->ext.fee > tx->ext.deposit_amount) {
        uint64_t out_amt = tx->ext.withdrawal_amount + tx->ext.fee;
        /* the static rules refuse it first; kept for callers that skip them */
        if (tx->ext.withdrawal_amount > UINT64_MAX - tx->ext.fee) return TACIT_EOVERFLOW;
        if ((rc = op->account(v->ctx, TACIT_POOL_ADDRESS, &acct)) != TACIT_OK) return rc;
        if (out_amt > tx->ext.deposit_amount && out_amt - tx->ext.deposit_amount > acct.balance)
            return TACIT_ETURNSTILE;
    }
    return TACIT_OK;
}

int tacit_tx_check_state_store(struct tacit_state *st, const struct tacit_tx *tx)
{
    struct tacit_state_view *sv;
    struct tacit_view v;
    int rc;

    /* a view: one read transaction, so every answer comes from the same committed state */
    if ((rc = tacit_state_view_new(st, &sv)) != TACIT_OK) return rc;
    tacit_state_view_as_view(sv, &v);
    rc = tacit_tx_check_state(&v, tx);
    tacit_state_view_free(sv);
    return rc;
}

/* The pool paying out: an empty pool is the turnstile's business, not the payer's. */
static int pool_pay(const struct tacit_view *v, const uint8_t to[TACIT_ADDRESS_LEN],
                    uint64_t amount)
{
    int rc;
    if (amount == 0) return TACIT_OK;
    rc = v->ops->move(v->ctx, TACIT_POOL_ADDRESS, to, amount);
    return rc == TACIT_EINSUFFICIENT ? TACIT_ETURNSTILE : rc;
}

/* v2: amount leaves the pool for L1 (the static rules bounded withdrawal + fee by 2^64 - 1). */
static int pool_exit(const struct tacit_view *v, uint64_t amount)
{
    int rc;
    if (amount == 0) return TACIT_OK;
    rc = v->ops->debit(v->ctx, TACIT_POOL_ADDRESS, amount);
    return rc == TACIT_EINSUFFICIENT ? TACIT_ETURNSTILE : rc;
}

static int tx_apply(const struct tacit_view *v, const struct tacit_tx *tx,
                    const struct tacit_chain_params *p, bool forced)
{
    const struct tacit_view_ops *op = v->ops;
    const tacit_fr *nf = &tx->pub[TACIT_TRANSFER_PUB_NF0];
    enum tacit_view_nullifier nfs;
    struct tacit_account acct;
    bool ok;
    int rc;

    /* a forced tx's anchor was checked recent by the contract when it was queued (the root
     * history may have moved on since): here, a root after any block of the chain */
    rc = forced ? op->anchor_known(v->ctx, &tx->pub[TACIT_TRANSFER_PUB_ROOT], &ok)
                : op->anchor_recent(v->ctx, &tx->pub[TACIT_TRANSFER_PUB_ROOT], &ok);
    if (rc != TACIT_OK) return rc;
    if (!ok) return TACIT_EANCHOR;
    if (tacit_fr_eq(&nf[0], &nf[1])) return TACIT_ENULLIFIER_REPEATED;
    for (int i = 0; i < 2; i++) {
        if ((rc = op->nullifier(v->ctx, &nf[i], &nfs)) != TACIT_OK) return rc;
        if (nfs == TACIT_VIEW_NF_IN_BLOCK) return TACIT_ENULLIFIER_IN_BLOCK;
        if (nfs == TACIT_VIEW_NF_SPENT) return TACIT_ENULLIFIER_SPENT;
    }
    if (tx->ext.deposit_amount > 0) {
        if ((rc = op->account(v->ctx, tx->ext.deposit_sender, &acct)) != TACIT_OK) return rc;
        if (tx->ext.deposit_nonce != acct.nonce) return TACIT_ENONCE;
        if ((rc = op->move(v->ctx, tx->ext.deposit_sender, TACIT_POOL_ADDRESS,
                           tx->ext.deposit_amount)) != TACIT_OK)
            return rc; /* TACIT_EINSUFFICIENT: the sender's */
        if ((rc = op->bump_nonce(v->ctx, tx->ext.deposit_sender)) != TACIT_OK) return rc;
    }
    if (tx->version == TACIT_TX_VERSION_L1) {
        /* v2: the withdrawal and the fee leave the rollup; the contract makes them claimable
         * on L1 by their recipients (SETTLEMENT.md 3), no account here is credited */
        if (tx->ext.withdrawal_amount > UINT64_MAX - tx->ext.fee) return TACIT_EOVERFLOW;
        if ((rc = pool_exit(v, tx->ext.withdrawal_amount + tx->ext.fee)) != TACIT_OK) return rc;
    } else {
        if ((rc = pool_pay(v, tx->ext.withdrawal_recipient, tx->ext.withdrawal_amount)) != TACIT_OK)
            return rc;
        if ((rc = pool_pay(v, p->fee_recipient, tx->ext.fee)) != TACIT_OK) return rc;
    }
    for (int i = 0; i < 2; i++)
        if ((rc = op->mark_nullifier(v->ctx, &nf[i])) != TACIT_OK) return rc;
    return op->append_commitments(v->ctx, &tx->pub[TACIT_TRANSFER_PUB_CM0], 2);
}

static int tx_apply_sp(const struct tacit_view *v, const struct tacit_tx *tx,
                       const struct tacit_chain_params *p, bool forced)
{
    struct tacit_view_savepoint sp;
    int rc, rrc;

    v->ops->savepoint(v->ctx, &sp);
    if ((rc = tx_apply(v, tx, p, forced)) != TACIT_OK &&
        (rrc = v->ops->rollback(v->ctx, &sp)) != TACIT_OK)
        return rrc; /* ENOMEM while undoing: the caller must drop the view */
    return rc;
}

int tacit_tx_apply(const struct tacit_view *v, const struct tacit_tx *tx,
                   const struct tacit_chain_params *p)
{
    return tx_apply_sp(v, tx, p, false);
}

int tacit_tx_apply_forced(const struct tacit_view *v, const struct tacit_tx *tx,
                          const struct tacit_chain_params *p)
{
    return tx_apply_sp(v, tx, p, true);
}
