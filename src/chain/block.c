/*
 * tacit — blocks (DESIGN 2.7): the header and its BIP-340 signature, the tx root, the block
 * encoding, and the two paths that commit a block: validation of a received block
 * (tacit_block_apply: a follower, the tests) and construction by the sequencer (the builder).
 * Both run the same rules (tx.c) over the state interface (include/tacit/view.h): the rules
 * never know the store. The entry points that take the LMDB store (tacit_block_apply,
 * tacit_block_builder_new / _commit) make its view, read the parent's timestamp, and end in the
 * same commit step.
 * Byte layouts: docs/protocol.md sections 3 and 4.
 */
#include <pthread.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain_internal.h"
#include "tacit/error.h"

/* Offsets inside the header encoding. */
#define H_OFF_HEIGHT 9
#define H_OFF_PARENT 17
#define H_OFF_TIMESTAMP 49
#define H_OFF_TX_ROOT 57
#define H_OFF_NOTE_ROOT 89
#define H_OFF_COUNT 121
#define H_OFF_NF_DIGEST 129
#define H_OFF_TR_DIGEST 161
#define H_OFF_SEQUENCER 193
#define H_OFF_SIGNATURE TACIT_BLOCK_HEADER_UNSIGNED_BYTES /* 225 */

#define CREDIT_BYTES (TACIT_ADDRESS_LEN + 8)

/* ------------------------------------------------------------------- header ---- */

void tacit_block_header_encode(uint8_t out[TACIT_BLOCK_HEADER_BYTES],
                               const struct tacit_block_header *h)
{
    out[0] = h->version;
    tacit__put_u64(out + 1, h->chain_id);
    tacit__put_u64(out + H_OFF_HEIGHT, h->height);
    memcpy(out + H_OFF_PARENT, h->parent, 32);
    tacit__put_u64(out + H_OFF_TIMESTAMP, h->timestamp_ms);
    memcpy(out + H_OFF_TX_ROOT, h->tx_root, 32);
    tacit_fr_to_bytes(out + H_OFF_NOTE_ROOT, &h->digests.note_root);
    tacit__put_u64(out + H_OFF_COUNT, h->digests.commitment_count);
    memcpy(out + H_OFF_NF_DIGEST, h->digests.nullifier_digest, 32);
    memcpy(out + H_OFF_TR_DIGEST, h->digests.transparent_digest, 32);
    memcpy(out + H_OFF_SEQUENCER, h->sequencer, 32);
    memcpy(out + H_OFF_SIGNATURE, h->signature, 64);
}

/* The header of a block encoding of at least TACIT_BLOCK_HEADER_BYTES bytes. */
static int header_decode(struct tacit_block_header *h, const uint8_t *in)
{
    memset(h, 0, sizeof *h);
    if (in[0] != TACIT_BLOCK_VERSION) return TACIT_EVERSION;
    h->version = in[0];
    h->chain_id = tacit__get_u64(in + 1);
    h->height = tacit__get_u64(in + H_OFF_HEIGHT);
    memcpy(h->parent, in + H_OFF_PARENT, 32);
    h->timestamp_ms = tacit__get_u64(in + H_OFF_TIMESTAMP);
    memcpy(h->tx_root, in + H_OFF_TX_ROOT, 32);
    if (tacit_fr_from_bytes(&h->digests.note_root, in + H_OFF_NOTE_ROOT) != TACIT_OK) {
        memset(h, 0, sizeof *h);
        return TACIT_EENCODING;
    }
    h->digests.commitment_count = tacit__get_u64(in + H_OFF_COUNT);
    memcpy(h->digests.nullifier_digest, in + H_OFF_NF_DIGEST, 32);
    memcpy(h->digests.transparent_digest, in + H_OFF_TR_DIGEST, 32);
    memcpy(h->sequencer, in + H_OFF_SEQUENCER, 32);
    memcpy(h->signature, in + H_OFF_SIGNATURE, 64);
    return TACIT_OK;
}

void tacit_block_hash(uint8_t out[32], const struct tacit_block_header *h)
{
    crypto_generichash_blake2b_state s;
    uint8_t enc[TACIT_BLOCK_HEADER_BYTES];
    tacit_block_header_encode(enc, h);
    tacit__blake2b_init(&s, "tacit-block");
    tacit__blake2b_update(&s, enc, TACIT_BLOCK_HEADER_UNSIGNED_BYTES);
    tacit__blake2b_final(&s, out);
}

int tacit_block_sign(struct tacit_block_header *h, const struct tacit_sequencer_key *k)
{
    uint8_t hash[32];
    tacit_sequencer_key_public(k, h->sequencer, NULL);
    tacit_block_hash(hash, h);
    return tacit__sequencer_sign(h->signature, k, hash);
}

int tacit_block_check_signature(const struct tacit_block_header *h)
{
    const secp256k1_context *ctx = tacit__secp256k1();
    secp256k1_xonly_pubkey pk;
    uint8_t hash[32];

    if (ctx == NULL) return TACIT_ENOMEM;
    if (!secp256k1_xonly_pubkey_parse(ctx, &pk, h->sequencer)) return TACIT_EBLOCK_SIGNATURE;
    tacit_block_hash(hash, h);
    if (!secp256k1_schnorrsig_verify(ctx, h->signature, hash, sizeof hash, &pk))
        return TACIT_EBLOCK_SIGNATURE;
    return TACIT_OK;
}

bool tacit_block_is_open(const struct tacit_block_header *h)
{
    return sodium_is_zero(h->sequencer, sizeof h->sequencer) &&
           sodium_is_zero(h->signature, sizeof h->signature);
}

/* ------------------------------------------------------------------ tx root ---- */

static void credits_encode(uint8_t *out, const struct tacit_credit *c, size_t n)
{
    tacit__put_u32(out, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        memcpy(out + 4 + CREDIT_BYTES * i, c[i].address, TACIT_ADDRESS_LEN);
        tacit__put_u64(out + 4 + CREDIT_BYTES * i + TACIT_ADDRESS_LEN, c[i].amount);
    }
}

static void node_hash(uint8_t out[32], const uint8_t left[32], const uint8_t right[32])
{
    crypto_generichash_blake2b_state s;
    tacit__blake2b_init(&s, "tacit-txroot");
    tacit__blake2b_update(&s, left, 32);
    tacit__blake2b_update(&s, right, 32);
    tacit__blake2b_final(&s, out);
}

void tacit_block_tx_root(uint8_t out[32], const uint8_t (*ids)[32], size_t nids,
                         const struct tacit_credit *credits, size_t ncredits)
{
    uint8_t level[64][32]; /* one pending node per level: 2^64 leaves would not fit anyway */
    uint8_t cur[32], leaf[32];
    size_t nleaves = nids + (ncredits > 0 ? 1 : 0);
    bool have[64] = {false};

    memset(out, 0, 32);
    if (nleaves == 0) return;
    if (ncredits > 0) {
        crypto_generichash_blake2b_state s;
        uint8_t item[CREDIT_BYTES];
        tacit__blake2b_init(&s, "tacit-credits");
        tacit__put_u32(item, (uint32_t)ncredits);
        tacit__blake2b_update(&s, item, 4);
        for (size_t i = 0; i < ncredits; i++) {
            memcpy(item, credits[i].address, TACIT_ADDRESS_LEN);
            tacit__put_u64(item + TACIT_ADDRESS_LEN, credits[i].amount);
            tacit__blake2b_update(&s, item, sizeof item);
        }
        tacit__blake2b_final(&s, leaf);
    }
    /*
     * Streaming form of the level-by-level tree: level[k] holds a left node waiting for its
     * right sibling. At the end the pending nodes are folded from the bottom up; a node with
     * no sibling moves up unchanged (never paired with a copy of itself, which would let two
     * different lists have one root: CVE-2012-2459).
     */
    for (size_t i = 0; i < nleaves; i++) {
        unsigned k = 0;
        memcpy(cur, i < nids ? ids[i] : leaf, 32);
        while (have[k]) {
            node_hash(cur, level[k], cur);
            have[k++] = false;
        }
        memcpy(level[k], cur, 32);
        have[k] = true;
    }
    {
        bool carry = false;
        for (unsigned k = 0; k < 64; k++) {
            if (!have[k]) continue;
            if (carry)
                node_hash(cur, level[k], cur);
            else
                memcpy(cur, level[k], 32);
            carry = true;
        }
    }
    memcpy(out, cur, 32);
}

/* ----------------------------------------------------------------- decoding ---- */

void tacit_block_free(struct tacit_block *b)
{
    if (b == NULL) return;
    free(b->credits);
    free(b->txs);
    free(b->tx_ids);
    free(b->bytes);
    free(b->tx_offsets);
    free(b);
}

int tacit_block_decode(struct tacit_block **out, const uint8_t *in, size_t len)
{
    struct tacit_block *b;
    size_t off, n;
    int rc;

    *out = NULL;
    if (len < 1) return TACIT_EENCODING;
    if (in[0] != TACIT_BLOCK_VERSION) return TACIT_EVERSION;
    if (len < TACIT_BLOCK_HEADER_BYTES + 4) return TACIT_EENCODING;
    if ((b = calloc(1, sizeof *b)) == NULL) return TACIT_ENOMEM;
    if ((rc = header_decode(&b->header, in)) != TACIT_OK) goto out_free;
    tacit_block_hash(b->hash, &b->header);
    off = TACIT_BLOCK_HEADER_BYTES;

    /* Every count is checked against the bytes left before anything is allocated. */
    n = tacit__get_u32(in + off);
    off += 4;
    rc = TACIT_ETOOBIG;
    if (n > TACIT_BLOCK_MAX_CREDITS) goto out_free;
    rc = TACIT_EENCODING;
    if ((len - off) / CREDIT_BYTES < n) goto out_free;
    if (n > 0) {
        rc = TACIT_ENOMEM;
        if ((b->credits = calloc(n, sizeof *b->credits)) == NULL) goto out_free;
        for (size_t i = 0; i < n; i++, off += CREDIT_BYTES) {
            memcpy(b->credits[i].address, in + off, TACIT_ADDRESS_LEN);
            b->credits[i].amount = tacit__get_u64(in + off + TACIT_ADDRESS_LEN);
        }
    }
    b->ncredits = n;

    rc = TACIT_EENCODING;
    if (len - off < 4) goto out_free;
    n = tacit__get_u32(in + off);
    off += 4;
    rc = TACIT_ETOOBIG;
    if (n > TACIT_BLOCK_MAX_TXS) goto out_free;
    rc = TACIT_EENCODING; /* before allocating for n txs: a few bytes must not cost megabytes */
    if ((len - off) / (4 + TACIT_TX_BYTES) < n) goto out_free;
    if (n > 0) {
        rc = TACIT_ENOMEM;
        if ((b->txs = calloc(n, sizeof *b->txs)) == NULL || (b->tx_ids = calloc(n, 32)) == NULL ||
            (b->tx_offsets = calloc(n, sizeof *b->tx_offsets)) == NULL)
            goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t tl;
        rc = TACIT_EENCODING;
        if (len - off < 4) goto out_free;
        tl = tacit__get_u32(in + off);
        off += 4;
        if (tl != TACIT_TX_BYTES || len - off < tl) goto out_free;
        if ((rc = tacit_tx_decode(&b->txs[i], in + off, tl)) != TACIT_OK) goto out_free;
        tacit_tx_id(b->tx_ids[i], &b->txs[i]);
        b->tx_offsets[i] = off;
        off += tl;
    }
    b->ntxs = n;
    rc = TACIT_ETRAILING;
    if (off != len) goto out_free;

    rc = TACIT_ENOMEM;
    if ((b->bytes = malloc(len)) == NULL) goto out_free;
    memcpy(b->bytes, in, len);
    b->len = len;
    *out = b;
    return TACIT_OK;

out_free:
    tacit_block_free(b);
    return rc;
}

/* Encodes header, credits and txs (each TACIT_TX_BYTES at txbytes + i * TACIT_TX_BYTES). */
static int block_encode(uint8_t **out, size_t *len, const struct tacit_block_header *h,
                        const struct tacit_credit *credits, size_t ncredits, const uint8_t *txbytes,
                        size_t ntxs)
{
    size_t n =
        TACIT_BLOCK_HEADER_BYTES + 4 + CREDIT_BYTES * ncredits + 4 + (4 + TACIT_TX_BYTES) * ntxs;
    uint8_t *p;

    *out = NULL;
    *len = 0;
    if ((p = malloc(n)) == NULL) return TACIT_ENOMEM;
    *out = p;
    *len = n;
    tacit_block_header_encode(p, h);
    p += TACIT_BLOCK_HEADER_BYTES;
    credits_encode(p, credits, ncredits);
    p += 4 + CREDIT_BYTES * ncredits;
    tacit__put_u32(p, (uint32_t)ntxs);
    p += 4;
    for (size_t i = 0; i < ntxs; i++) {
        tacit__put_u32(p, TACIT_TX_BYTES);
        memcpy(p + 4, txbytes + i * TACIT_TX_BYTES, TACIT_TX_BYTES);
        p += 4 + TACIT_TX_BYTES;
    }
    return TACIT_OK;
}

/* ------------------------------------------------------------------- commit ---- */

static bool digests_equal(const struct tacit_state_digests *a, const struct tacit_state_digests *b)
{
    return tacit_fr_eq(&a->note_root, &b->note_root) &&
           a->commitment_count == b->commitment_count &&
           memcmp(a->nullifier_digest, b->nullifier_digest, 32) == 0 &&
           memcmp(a->transparent_digest, b->transparent_digest, 32) == 0;
}

static void *memdup(const void *p, size_t n)
{
    void *q;
    if (n == 0) return NULL;
    if ((q = malloc(n)) != NULL) memcpy(q, p, n);
    return q;
}

int tacit__block_commit(struct tacit_state *st, struct tacit_state_view **v,
                        const struct tacit_block_header *h,
                        const struct tacit_state_digests *expect, const uint8_t hash[32],
                        const uint8_t *block, size_t block_len, const struct tacit_tx *txs,
                        const struct tacit_state_tx *stxs, size_t ntxs)
{
    struct tacit_block_update u;
    struct tacit_state_tree_update tree;
    struct tacit_state_tree_node *nodes = NULL;
    struct tacit_state_bytes *outputs = NULL;
    uint8_t *records = NULL;
    tacit_fr *cms = NULL, *nfs = NULL;
    struct tacit_account_delta *deltas = NULL;
    int rc = TACIT_ENOMEM;

    memset(&u, 0, sizeof u);
    tacit_state_view_update(*v, &u);
    /* Every commitment comes from a tx (cm0, cm1): the outputs line up with them. */
    if (u.ncommitments != 2 * ntxs) {
        rc = TACIT_EINVAL;
        goto out_free;
    }
    if ((u.ncommitments > 0 &&
         (cms = memdup(u.commitments, u.ncommitments * sizeof *cms)) == NULL) ||
        (u.nnullifiers > 0 && (nfs = memdup(u.nullifiers, u.nnullifiers * sizeof *nfs)) == NULL) ||
        (u.ndeltas > 0 && (deltas = memdup(u.deltas, u.ndeltas * sizeof *deltas)) == NULL))
        goto out_free;
    /* the tree the view hashed for the digests: the store keeps it instead of hashing again */
    if (u.tree != NULL) {
        tree = *u.tree;
        if (tree.nnodes > 0 && (nodes = memdup(tree.nodes, tree.nnodes * sizeof *nodes)) == NULL)
            goto out_free;
        tree.nodes = nodes;
        u.tree = &tree;
    }
    if (ntxs > 0) {
        if ((outputs = calloc(2 * ntxs, sizeof *outputs)) == NULL ||
            (records = malloc(2 * ntxs * TACIT_OUTPUT_RECORD_BYTES)) == NULL)
            goto out_free;
        for (size_t i = 0; i < 2 * ntxs; i++) {
            uint8_t *r = records + i * TACIT_OUTPUT_RECORD_BYTES;
            memcpy(r, txs[i / 2].ext.epk, TACIT_EPK_BYTES);
            memcpy(r + TACIT_EPK_BYTES, txs[i / 2].ext.ciphertext[i % 2],
                   TACIT_NOTE_CIPHERTEXT_BYTES);
            outputs[i].data = r;
            outputs[i].len = TACIT_OUTPUT_RECORD_BYTES;
        }
    }
    u.commitments = cms;
    u.nullifiers = nfs;
    u.deltas = deltas;
    u.outputs = outputs;
    u.height = h->height;
    memcpy(u.hash, hash, 32);
    u.block = block;
    u.block_len = block_len;
    u.txs = stxs;
    u.ntxs = ntxs;
    /* The view's read transaction could hold up the map growth of apply_block (state.h). */
    tacit_state_view_free(*v);
    *v = NULL;
    rc = tacit_state_apply_block(st, &u, expect, NULL);

out_free:
    free(nodes);
    free(records);
    free(outputs);
    free(deltas);
    free(nfs);
    free(cms);
    return rc;
}

/* The timestamp of the committed block at height (a block the tip names must be there). */
static int block_timestamp(struct tacit_state *st, uint64_t height, uint64_t *ts)
{
    uint8_t *bytes;
    size_t len;
    int rc;

    *ts = 0;
    if ((rc = tacit_state_block_by_height(st, height, NULL, &bytes, &len)) != TACIT_OK)
        return rc == TACIT_ENOTFOUND ? TACIT_ECORRUPT : rc;
    if (len < TACIT_BLOCK_HEADER_BYTES)
        rc = TACIT_ECORRUPT;
    else
        *ts = tacit__get_u64(bytes + H_OFF_TIMESTAMP);
    free(bytes);
    return rc;
}

/* ---------------------------------------------------------- credits, forced ---- */

/* On a chain that settles on L1 (v2), a credit to the zero address is a forced marker for the
 * L1 queue entry at its position (docs/protocol.md 8.1): amount 1 included (the transaction is
 * among the block's first ones), 0 failed. On a v1 chain a credit to the pool is refused. */
static bool is_marker(const struct tacit_chain_params *p, const struct tacit_credit *c)
{
    return tacit_chain_tx_version(p) == TACIT_TX_VERSION_L1 &&
           memcmp(c->address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN) == 0;
}

static int credit_allowed(const struct tacit_chain_params *p, const struct tacit_credit *c)
{
    if (!p->allow_credits) return TACIT_ECREDIT;
    if (memcmp(c->address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN) != 0) return TACIT_OK;
    if (!is_marker(p, c) || c->amount > 1) return TACIT_ECREDIT;
    return TACIT_OK;
}

/* The credits section's rules: each credit allowed, and the included markers (*nforced) no
 * more than the block's transactions (they name its first ones). */
static int credits_check(const struct tacit_chain_params *p, const struct tacit_credit *c, size_t n,
                         size_t ntxs, size_t *nforced)
{
    int rc;
    *nforced = 0;
    for (size_t i = 0; i < n; i++) {
        if ((rc = credit_allowed(p, &c[i])) != TACIT_OK) return rc;
        if (is_marker(p, &c[i]) && c[i].amount == 1) ++*nforced;
    }
    return *nforced > ntxs ? TACIT_ECREDIT : TACIT_OK;
}

/* A credit's effect: a marker changes no balance. */
static int credit_apply(const struct tacit_view *v, const struct tacit_chain_params *p,
                        const struct tacit_credit *c)
{
    if (is_marker(p, c)) return TACIT_OK;
    return v->ops->credit(v->ctx, c->address, c->amount);
}

/* The static rules of a forced transaction: a transparent deposit is never one (the contract
 * refuses it at queue time, ForcedDeposit: its nonce could fail later), and the node's minimum
 * fee is not the contract's (it has none), so it does not apply; the others as any tx's. */
static int forced_check_static(const struct tacit_tx *tx, const struct tacit_chain_params *p)
{
    struct tacit_chain_params q = *p;
    if (tx->ext.deposit_amount > 0) return TACIT_ECREDIT;
    q.min_fee = 0;
    return tacit_tx_check_static(tx, &q);
}

/* --------------------------------------------------------------- block path ---- */

/* The header against the committed tip and the parameters, in the documented order. */
static int check_header(const struct tacit_block *b, const struct tacit_chain_params *p,
                        const struct tacit_view_tip *tip, uint64_t parent_ts, size_t *nforced)
{
    const struct tacit_block_header *h = &b->header;
    uint8_t root[32];
    int rc;

    if (h->chain_id != p->chain_id) return TACIT_ECHAIN_ID;
    if (h->height != tip->next_height) return TACIT_EHEIGHT;
    if (memcmp(h->parent, tip->hash, 32) != 0) return TACIT_EPARENT;
    /* on L1 (p->l1_derived) the timestamp order, key, signature and tx_root are the submitter's
     * claims: the contract accepted the block without them (docs/protocol.md 8.2) */
    if (h->height > 0 && h->timestamp_ms < parent_ts && !p->l1_derived) return TACIT_ETIMESTAMP;
    if (p->l1_derived || (p->open_blocks && tacit_block_is_open(h))) {
        /* open submission: no key, no signature (the contract let its submitter in) */
    } else {
        if (memcmp(h->sequencer, p->sequencer, 32) != 0) return TACIT_ESEQUENCER;
        if ((rc = tacit_block_check_signature(h)) != TACIT_OK) return rc;
    }
    if (!p->l1_derived) {
        tacit_block_tx_root(root, (const uint8_t(*)[32])b->tx_ids, b->ntxs, b->credits,
                            b->ncredits);
        if (memcmp(root, h->tx_root, 32) != 0) return TACIT_ETX_ROOT;
    }
    return credits_check(p, b->credits, b->ncredits, b->ntxs, nforced);
}

/* Every proof of the block in batches, one per core (tacit_groth16_verify_batch_par_var);
 * *bad is the first failing tx. */
static int verify_proofs(const struct tacit_block *b, const tacit_groth16_pvk *pvk, long *bad)
{
    tacit_groth16_proof *proofs = NULL;
    tacit_groth16_item *items = NULL;
    int *results = NULL;
    int rc = TACIT_ENOMEM;

    if (b->ntxs == 0) return TACIT_OK;
    if ((proofs = calloc(b->ntxs, sizeof *proofs)) == NULL ||
        (items = calloc(b->ntxs, sizeof *items)) == NULL ||
        (results = calloc(b->ntxs, sizeof *results)) == NULL)
        goto out_free;
    for (size_t i = 0; i < b->ntxs; i++) {
        /* decoding only (canonical, on curve, not infinity): the batch checks the subgroup */
        if ((rc = tacit_groth16_proof_from_bytes(&proofs[i], b->txs[i].proof, NULL)) != TACIT_OK) {
            *bad = (long)i;
            goto out_free;
        }
        items[i].proof = &proofs[i];
        items[i].pub = b->txs[i].pub;
        items[i].npub = TACIT_TX_NPUBLIC;
    }
    if ((rc = tacit_groth16_verify_batch_par_var(results, pvk, items, b->ntxs, 0)) != TACIT_OK &&
        rc != TACIT_ENOMEM) {
        for (size_t i = 0; i < b->ntxs; i++)
            if (results[i] != TACIT_OK) {
                *bad = (long)i;
                rc = results[i];
                break;
            }
    }

out_free:
    free(results);
    free(items);
    free(proofs);
    return rc;
}

/* The proofs, checked on a thread of their own while the caller runs the state rules (the view
 * is bound to the caller's thread: its LMDB read transaction): the two need nothing of each
 * other until the block's verdict. */
struct proof_job {
    const struct tacit_block *b;
    const tacit_groth16_pvk *pvk;
    long bad;
    int rc;
};

static void *proof_main(void *arg)
{
    struct proof_job *j = arg;
    j->rc = verify_proofs(j->b, j->pvk, &j->bad);
    return NULL;
}

/* The header's digests against the state's d: all four, or on L1 (p->l1_derived) the two the
 * contract checks (note_root and commitment_count: its HeaderMismatch). */
static bool header_digests_ok(const struct tacit_state_digests *d,
                              const struct tacit_block_header *h,
                              const struct tacit_chain_params *p)
{
    if (p->l1_derived)
        return tacit_fr_eq(&d->note_root, &h->digests.note_root) &&
               d->commitment_count == h->digests.commitment_count;
    return digests_equal(d, &h->digests);
}

/* A decoded block and its proofs' verdict (tacit_block_precheck). */
struct tacit_block_prechecked {
    struct tacit_block *b;
    const tacit_groth16_pvk *pvk;
    int rc;
    long bad;
};

/* tacit_block_apply_view, and the state's digests after the block in *out on TACIT_OK; pre:
 * the block's proofs already checked against pvk (pre->b is b), or NULL: checked here. */
static int apply_view(const struct tacit_view *v, uint64_t parent_timestamp_ms,
                      const struct tacit_block *b, const struct tacit_chain_params *p,
                      const tacit_groth16_pvk *pvk, const struct tacit_block_prechecked *pre,
                      long *bad_tx, struct tacit_state_digests *out)
{
    struct tacit_view_tip tip;
    struct tacit_state_digests d;
    size_t nforced = 0;
    struct proof_job pj = {b, pvk, -1, TACIT_OK};
    pthread_t proofs;
    bool threaded = false;
    long bad = -1;
    int rc, drc = TACIT_OK;

    if (pvk == NULL || (pre != NULL && (pre->b != b || pre->pvk != pvk))) {
        rc = TACIT_EINVAL;
        goto out;
    }
    /* the view fixes the tip every check below is made against */
    v->ops->tip(v->ctx, &tip);
    /* a block of another height, parent or signer costs no pairing */
    if ((rc = check_header(b, p, &tip, parent_timestamp_ms, &nforced)) != TACIT_OK) goto out;
    /* the proofs (the expensive part) meanwhile, unless checked already; a block that breaks a
     * cheap rule below wastes them, but a follower stops at such a block anyway */
    if (pre != NULL) {
        pj.rc = pre->rc;
        pj.bad = pre->bad;
    } else {
        threaded = pthread_create(&proofs, NULL, proof_main, &pj) == 0;
    }
    /* the first nforced txs are the included forced ones (docs/protocol.md 8.1) */
    for (size_t i = 0; i < b->ntxs && rc == TACIT_OK; i++)
        if ((rc = i < nforced ? forced_check_static(&b->txs[i], p)
                              : tacit_tx_check_static(&b->txs[i], p)) != TACIT_OK)
            bad = (long)i;
    /* credits first, then the txs in order (the builder keeps the same order) */
    for (size_t i = 0; i < b->ncredits && rc == TACIT_OK; i++)
        rc = credit_apply(v, p, &b->credits[i]);
    for (size_t i = 0; i < b->ntxs && rc == TACIT_OK; i++)
        if ((rc = i < nforced ? tacit_tx_apply_forced(v, &b->txs[i], p)
                              : tacit_tx_apply(v, &b->txs[i], p)) != TACIT_OK)
            bad = (long)i;
    if (rc == TACIT_OK) drc = v->ops->digests(v->ctx, &d);
    if (threaded)
        pthread_join(proofs, NULL);
    else if (rc == TACIT_OK && pre == NULL)
        pj.rc = verify_proofs(b, pvk, &pj.bad);
    /* the verdict in the rules' order: static and state rules, proofs, digests */
    if (rc != TACIT_OK) goto out;
    if ((rc = pj.rc) != TACIT_OK) {
        bad = pj.bad;
        goto out;
    }
    if ((rc = drc) != TACIT_OK) goto out;
    if (!header_digests_ok(&d, &b->header, p))
        rc = TACIT_EDIGEST;
    else
        *out = d;
out:
    if (bad_tx != NULL) *bad_tx = rc == TACIT_OK ? -1 : bad;
    return rc;
}

int tacit_block_apply_view(const struct tacit_view *v, uint64_t parent_timestamp_ms,
                           const struct tacit_block *b, const struct tacit_chain_params *p,
                           const tacit_groth16_pvk *pvk, long *bad_tx)
{
    struct tacit_state_digests d;
    return apply_view(v, parent_timestamp_ms, b, p, pvk, NULL, bad_tx, &d);
}

/* tacit_block_apply of a decoded block (pre: as apply_view's). */
static int apply_decoded(struct tacit_state *st, const struct tacit_block *b,
                         const struct tacit_chain_params *p, const tacit_groth16_pvk *pvk,
                         const struct tacit_block_prechecked *pre, long *bad)
{
    struct tacit_state_view *sv = NULL;
    struct tacit_state_tx *stxs = NULL;
    struct tacit_view v;
    struct tacit_state_digests d;
    uint64_t parent_ts = 0;
    int rc;

    *bad = -1;
    if ((rc = tacit_state_view_new(st, &sv)) != TACIT_OK) goto out_free;
    tacit_state_view_as_view(sv, &v);
    /* the parent's timestamp only when the header's height is the tip's: another height is
     * refused (TACIT_EHEIGHT) without it */
    {
        struct tacit_view_tip tip;
        v.ops->tip(v.ctx, &tip);
        if (tip.next_height > 0 && b->header.height == tip.next_height &&
            (rc = block_timestamp(st, tip.next_height - 1, &parent_ts)) != TACIT_OK)
            goto out_free;
    }
    if ((rc = apply_view(&v, parent_ts, b, p, pvk, pre, bad, &d)) != TACIT_OK) goto out_free;
    if (b->ntxs > 0 && (stxs = calloc(b->ntxs, sizeof *stxs)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out_free;
    }
    for (size_t i = 0; i < b->ntxs; i++) {
        memcpy(stxs[i].id, b->tx_ids[i], 32);
        stxs[i].bytes = b->bytes + b->tx_offsets[i];
        stxs[i].len = TACIT_TX_BYTES;
    }
    /* the state's digests (on L1 the header's nullifier and transparent digests are claims) */
    rc = tacit__block_commit(st, &sv, &b->header, &d, b->hash, b->bytes, b->len, b->txs, stxs,
                             b->ntxs);

out_free:
    free(stxs);
    tacit_state_view_free(sv);
    return rc;
}

int tacit_block_apply(struct tacit_state *st, const uint8_t *in, size_t len,
                      const struct tacit_chain_params *p, const tacit_groth16_pvk *pvk,
                      long *bad_tx)
{
    struct tacit_block *b = NULL;
    long bad = -1;
    int rc;

    if (pvk == NULL)
        rc = TACIT_EINVAL;
    else if ((rc = tacit_block_decode(&b, in, len)) == TACIT_OK)
        rc = apply_decoded(st, b, p, pvk, NULL, &bad);
    tacit_block_free(b);
    if (bad_tx != NULL) *bad_tx = rc == TACIT_OK ? -1 : bad;
    return rc;
}

int tacit_block_precheck(struct tacit_block_prechecked **out, const uint8_t *in, size_t len,
                         const tacit_groth16_pvk *pvk)
{
    struct tacit_block_prechecked *pc;
    int rc;

    *out = NULL;
    if (pvk == NULL) return TACIT_EINVAL;
    if ((pc = calloc(1, sizeof *pc)) == NULL) return TACIT_ENOMEM;
    if ((rc = tacit_block_decode(&pc->b, in, len)) != TACIT_OK) {
        free(pc);
        return rc;
    }
    pc->pvk = pvk;
    pc->bad = -1;
    pc->rc = verify_proofs(pc->b, pvk, &pc->bad);
    if (pc->rc == TACIT_ENOMEM) {
        tacit_block_prechecked_free(pc);
        return TACIT_ENOMEM;
    }
    *out = pc;
    return TACIT_OK;
}

int tacit_block_apply_prechecked(struct tacit_state *st, const struct tacit_block_prechecked *pc,
                                 const struct tacit_chain_params *p, const tacit_groth16_pvk *pvk,
                                 long *bad_tx)
{
    long bad = -1;
    int rc = pc == NULL || pvk == NULL || pc->pvk != pvk
                 ? TACIT_EINVAL
                 : apply_decoded(st, pc->b, p, pvk, pc, &bad);
    if (bad_tx != NULL) *bad_tx = rc == TACIT_OK ? -1 : bad;
    return rc;
}

const struct tacit_block *tacit_block_prechecked_block(const struct tacit_block_prechecked *pc)
{
    return pc->b;
}

void tacit_block_prechecked_free(struct tacit_block_prechecked *pc)
{
    if (pc == NULL) return;
    tacit_block_free(pc->b);
    free(pc);
}

/* ------------------------------------------------------------------ builder ---- */

enum builder_stage { B_OPEN, B_SEALED, B_DONE };

struct tacit_block_builder {
    struct tacit_state *st;      /* NULL when made over a view by the caller */
    struct tacit_state_view *sv; /* st's view, owned */
    struct tacit_chain_params p;
    struct tacit_view v;
    struct tacit_view_tip tip;
    uint64_t parent_ts;
    enum builder_stage stage;

    struct tacit_credit *credits;
    size_t ncredits, cap_credits;
    struct tacit_tx *txs;
    uint8_t (*ids)[32];
    uint8_t *txbytes; /* ntxs x TACIT_TX_BYTES */
    size_t ntxs, cap_txs;
    size_t nforced; /* the first nforced txs are included forced ones (their markers added) */

    struct tacit_block_header h;
    uint8_t hash[32];
    uint8_t *block;
    size_t block_len;
};

int tacit_block_builder_new_view(struct tacit_block_builder **out, const struct tacit_view *v,
                                 uint64_t parent_timestamp_ms, const struct tacit_chain_params *p)
{
    struct tacit_block_builder *b;

    *out = NULL;
    if ((b = calloc(1, sizeof *b)) == NULL) return TACIT_ENOMEM;
    b->p = *p;
    b->v = *v;
    v->ops->tip(v->ctx, &b->tip);
    b->parent_ts = parent_timestamp_ms;
    *out = b;
    return TACIT_OK;
}

int tacit_block_builder_new(struct tacit_block_builder **out, struct tacit_state *st,
                            const struct tacit_chain_params *p)
{
    struct tacit_state_view *sv;
    struct tacit_view v;
    struct tacit_view_tip tip;
    uint64_t parent_ts = 0;
    int rc;

    *out = NULL;
    if ((rc = tacit_state_view_new(st, &sv)) != TACIT_OK) return rc;
    tacit_state_view_as_view(sv, &v);
    v.ops->tip(v.ctx, &tip);
    if ((tip.next_height > 0 &&
         (rc = block_timestamp(st, tip.next_height - 1, &parent_ts)) != TACIT_OK) ||
        (rc = tacit_block_builder_new_view(out, &v, parent_ts, p)) != TACIT_OK) {
        tacit_state_view_free(sv);
        return rc;
    }
    (*out)->st = st;
    (*out)->sv = sv;
    return TACIT_OK;
}

void tacit_block_builder_free(struct tacit_block_builder *b)
{
    if (b == NULL) return;
    tacit_state_view_free(b->sv);
    free(b->credits);
    free(b->txs);
    free(b->ids);
    free(b->txbytes);
    free(b->block);
    free(b);
}

static int builder_reserve_credit(struct tacit_block_builder *b)
{
    if (b->ncredits >= TACIT_BLOCK_MAX_CREDITS) return TACIT_ETOOBIG;
    if (b->ncredits == b->cap_credits) {
        size_t nc = b->cap_credits ? 2 * b->cap_credits : 16;
        struct tacit_credit *q = realloc(b->credits, nc * sizeof *q);
        if (q == NULL) return TACIT_ENOMEM;
        b->credits = q;
        b->cap_credits = nc;
    }
    return TACIT_OK;
}

int tacit_block_builder_add_credit(struct tacit_block_builder *b, const struct tacit_credit *c)
{
    int rc;

    /* credits before any tx but the included forced ones (which a credit does not change:
     * they take no transparent balance, and a credit never touches the pool) */
    if (b->stage != B_OPEN || b->ntxs > b->nforced) return TACIT_EINVAL;
    if ((rc = credit_allowed(&b->p, c)) != TACIT_OK) return rc;
    if (is_marker(&b->p, c)) return TACIT_EINVAL; /* markers: tacit_block_builder_add_forced */
    if ((rc = builder_reserve_credit(b)) != TACIT_OK) return rc;
    if ((rc = credit_apply(&b->v, &b->p, c)) != TACIT_OK) return rc;
    b->credits[b->ncredits++] = *c;
    return TACIT_OK;
}

static int builder_reserve_tx(struct tacit_block_builder *b)
{
    size_t nc;
    void *q;
    if (b->ntxs < b->cap_txs) return TACIT_OK;
    nc = b->cap_txs ? 2 * b->cap_txs : 16;
    if ((q = realloc(b->txs, nc * sizeof *b->txs)) == NULL) return TACIT_ENOMEM;
    b->txs = q;
    if ((q = realloc(b->ids, nc * sizeof *b->ids)) == NULL) return TACIT_ENOMEM;
    b->ids = q;
    if ((q = realloc(b->txbytes, nc * TACIT_TX_BYTES)) == NULL) return TACIT_ENOMEM;
    b->txbytes = q;
    b->cap_txs = nc;
    return TACIT_OK;
}

int tacit_block_builder_add_tx(struct tacit_block_builder *b, const struct tacit_tx *tx,
                               const uint8_t *bytes, size_t len)
{
    uint8_t enc[TACIT_TX_BYTES];
    int rc;

    if (b->stage != B_OPEN) return TACIT_EINVAL;
    /* the bytes stored and served must be the tx the rules ran on */
    tacit_tx_encode(enc, tx);
    if (len != TACIT_TX_BYTES || memcmp(enc, bytes, TACIT_TX_BYTES) != 0) return TACIT_EINVAL;
    if (b->ntxs >= TACIT_BLOCK_MAX_TXS) return TACIT_ETOOBIG;
    /* The static rules again, under the parameters this block is built with: the mempool
     * checked them at admission, but the minimum fee may have gone up since, and a block the
     * block path (tacit_block_apply, a follower) refuses must never be sealed. */
    if ((rc = tacit_tx_check_static(tx, &b->p)) != TACIT_OK) return rc;
    if ((rc = builder_reserve_tx(b)) != TACIT_OK) return rc;
    if ((rc = tacit_tx_apply(&b->v, tx, &b->p)) != TACIT_OK) return rc;
    b->txs[b->ntxs] = *tx;
    tacit_tx_id(b->ids[b->ntxs], tx);
    memcpy(b->txbytes + b->ntxs * TACIT_TX_BYTES, bytes, TACIT_TX_BYTES);
    b->ntxs++;
    return TACIT_OK;
}

int tacit_block_builder_add_forced(struct tacit_block_builder *b, const struct tacit_tx *tx,
                                   const uint8_t *bytes, size_t len, bool *included)
{
    const tacit_fr *nf = &tx->pub[TACIT_TRANSFER_PUB_NF0];
    struct tacit_credit marker;
    enum tacit_view_nullifier st[2];
    uint8_t enc[TACIT_TX_BYTES];
    int rc;

    *included = false;
    if (b->stage != B_OPEN || b->ntxs > b->nforced || !b->p.allow_credits ||
        tacit_chain_tx_version(&b->p) != TACIT_TX_VERSION_L1)
        return TACIT_EINVAL;
    tacit_tx_encode(enc, tx);
    if (len != TACIT_TX_BYTES || memcmp(enc, bytes, TACIT_TX_BYTES) != 0) return TACIT_EINVAL;
    if ((rc = builder_reserve_credit(b)) != TACIT_OK) return rc;
    memset(&marker, 0, sizeof marker);
    for (int i = 0; i < 2; i++)
        if ((rc = b->v.ops->nullifier(b->v.ctx, &nf[i], &st[i])) != TACIT_OK) return rc;
    if (st[0] == TACIT_VIEW_NF_SPENT || st[1] == TACIT_VIEW_NF_SPENT) {
        /* spent by an earlier block: consumed as failed (the contract checks the same) */
        b->credits[b->ncredits++] = marker;
        return TACIT_OK;
    }
    /* spent by an included forced tx of this block: the next block consumes it (as failed) */
    if (st[0] == TACIT_VIEW_NF_IN_BLOCK || st[1] == TACIT_VIEW_NF_IN_BLOCK)
        return TACIT_ENULLIFIER_IN_BLOCK;
    if (b->nforced >= TACIT_BLOCK_MAX_FORCED || b->ntxs >= TACIT_BLOCK_MAX_TXS)
        return TACIT_ETOOBIG;
    if ((rc = forced_check_static(tx, &b->p)) != TACIT_OK) return rc;
    if ((rc = builder_reserve_tx(b)) != TACIT_OK) return rc;
    if ((rc = tacit_tx_apply_forced(&b->v, tx, &b->p)) != TACIT_OK) return rc;
    marker.amount = 1;
    b->credits[b->ncredits++] = marker;
    b->txs[b->ntxs] = *tx;
    tacit_tx_id(b->ids[b->ntxs], tx);
    memcpy(b->txbytes + b->ntxs * TACIT_TX_BYTES, bytes, TACIT_TX_BYTES);
    b->ntxs++;
    b->nforced++;
    *included = true;
    return TACIT_OK;
}

size_t tacit_block_builder_ntxs(const struct tacit_block_builder *b) { return b->ntxs; }

int tacit_block_builder_seal(struct tacit_block_builder *b, const struct tacit_sequencer_key *k,
                             uint64_t timestamp_ms, struct tacit_block_header *h, uint8_t **bytes,
                             size_t *len)
{
    struct tacit_block_header *hh = &b->h;
    uint8_t xonly[32];
    int rc;

    if (bytes != NULL) *bytes = NULL;
    if (len != NULL) *len = 0;
    if (b->stage != B_OPEN) return TACIT_EINVAL;
    if (k == NULL && !b->p.open_blocks) return TACIT_EINVAL;
    if (k != NULL) {
        tacit_sequencer_key_public(k, xonly, NULL);
        if (memcmp(xonly, b->p.sequencer, 32) != 0) return TACIT_ESEQUENCER;
    }
    b->stage = B_DONE; /* until sealed: an error leaves a builder that can only be freed */
    memset(hh, 0, sizeof *hh);
    hh->version = TACIT_BLOCK_VERSION;
    hh->chain_id = b->p.chain_id;
    hh->height = b->tip.next_height;
    memcpy(hh->parent, b->tip.hash, 32);
    hh->timestamp_ms = timestamp_ms > b->parent_ts ? timestamp_ms : b->parent_ts;
    tacit_block_tx_root(hh->tx_root, (const uint8_t(*)[32])b->ids, b->ntxs, b->credits,
                        b->ncredits);
    if ((rc = b->v.ops->digests(b->v.ctx, &hh->digests)) != TACIT_OK) return rc;
    if (k != NULL && (rc = tacit_block_sign(hh, k)) != TACIT_OK) return rc;
    tacit_block_hash(b->hash, hh); /* k NULL: sequencer and signature stay zero (open) */
    if ((rc = block_encode(&b->block, &b->block_len, hh, b->credits, b->ncredits, b->txbytes,
                           b->ntxs)) != TACIT_OK)
        return rc;
    if (bytes != NULL) {
        if ((*bytes = memdup(b->block, b->block_len)) == NULL) return TACIT_ENOMEM;
        if (len != NULL) *len = b->block_len;
    }
    if (h != NULL) *h = *hh;
    b->stage = B_SEALED;
    return TACIT_OK;
}

int tacit_block_builder_commit(struct tacit_block_builder *b)
{
    struct tacit_state_tx *stxs = NULL;
    int rc;

    if (b->stage != B_SEALED || b->st == NULL) return TACIT_EINVAL;
    b->stage = B_DONE;
    if (b->ntxs > 0 && (stxs = calloc(b->ntxs, sizeof *stxs)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < b->ntxs; i++) {
        memcpy(stxs[i].id, b->ids[i], 32);
        stxs[i].bytes = b->block + TACIT_BLOCK_HEADER_BYTES + 4 + CREDIT_BYTES * b->ncredits + 4 +
                        i * (4 + TACIT_TX_BYTES) + 4;
        stxs[i].len = TACIT_TX_BYTES;
    }
    rc = tacit__block_commit(b->st, &b->sv, &b->h, &b->h.digests, b->hash, b->block, b->block_len,
                             b->txs, stxs, b->ntxs);
    free(stxs);
    return rc;
}

int tacit_block_builder_header(const struct tacit_block_builder *b, struct tacit_block_header *h,
                               uint8_t hash[32])
{
    if (b->stage != B_SEALED) return TACIT_EINVAL;
    if (h != NULL) *h = b->h;
    if (hash != NULL) memcpy(hash, b->hash, 32);
    return TACIT_OK;
}
