/*
 * tacit — the protocol: transactions, blocks, their canonical encodings and the rules that
 * make them valid (shared/docs/DESIGN.md 2.6, 2.7, 7). Byte layouts: docs/protocol.md.
 *
 * Pure functions over the state interface (include/tacit/state.h), so the mempool, the
 * sequencer's block builder and block validation (a follower, the tests) run the same checks.
 * Every rule has its own error code; a function that fails changes nothing.
 *
 * The shielded pool is a transparent account at TACIT_POOL_ADDRESS (the zero address):
 * a deposit moves value from its sender into the pool, a withdrawal and a fee move value out
 * of it (to the recipient, to the sequencer's fee address). The turnstile (DESIGN 2.7: the pool
 * never goes negative) is therefore the pool account's balance check, and the pool balance is
 * part of the transparent-state digest of every header. Nobody can sign for the zero address,
 * and withdrawals and credits to it are refused (TACIT_EWITHDRAW_RECIPIENT, TACIT_ECREDIT).
 */
#ifndef TACIT_CHAIN_H
#define TACIT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/groth16.h"
#include "tacit/keccak.h"
#include "tacit/view.h" /* the state interface the rules run over */

/* The LMDB store (include/tacit/state.h): only the entry points that commit take it. */
struct tacit_state;

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_TX_VERSION 1    /* protocol v1: an embedded chain (BLAKE2b digests) */
#define TACIT_TX_VERSION_L1 2 /* protocol v2: a chain that settles on L1 (keccak, EIP-712) */
#define TACIT_BLOCK_VERSION 1
#define TACIT_TX_NPUBLIC 7     /* root, public_amount, ext_data_hash, nf0, nf1, cm0, cm1 */
#define TACIT_ROLLUP_ID_LEN 20 /* the rollup's identity (its L1 contract address) */

/* Encrypted note: a 1-byte view tag, then XChaCha20-Poly1305 over a 554-byte plaintext
 * (value u64 LE, blinding 32 BE, memo length u16 LE, memo zero-padded to 512), 16-byte tag.
 * The chain treats the bytes as opaque; the wallet (issue 6) defines their meaning. */
#define TACIT_NOTE_MEMO_MAX 512
#define TACIT_NOTE_PLAINTEXT_BYTES (8 + 32 + 2 + TACIT_NOTE_MEMO_MAX)
#define TACIT_NOTE_CIPHERTEXT_BYTES (1 + TACIT_NOTE_PLAINTEXT_BYTES + 16) /* 571 */
#define TACIT_EPK_BYTES 32         /* one ephemeral X25519 public key per transaction */
#define TACIT_DEPOSIT_SIG_BYTES 65 /* r (32) || s (32) || recovery id (1, 0..3) */
/* What the store keeps per commitment (tacit_state_output): epk || that output's ciphertext. */
#define TACIT_OUTPUT_RECORD_BYTES (TACIT_EPK_BYTES + TACIT_NOTE_CIPHERTEXT_BYTES)

/* Sizes of the canonical encodings (docs/protocol.md). A v1 transaction has a fixed size. */
#define TACIT_TX_EXT_BYTES                                                 \
    (8 + 8 + 20 + 8 + 20 + 8 + TACIT_DEPOSIT_SIG_BYTES + TACIT_EPK_BYTES + \
     2 * (2 + TACIT_NOTE_CIPHERTEXT_BYTES))
#define TACIT_TX_BYTES \
    (1 + 8 + 32 * TACIT_TX_NPUBLIC + TACIT_GROTH16_PROOF_BYTES + 4 + TACIT_TX_EXT_BYTES)
#define TACIT_BLOCK_HEADER_UNSIGNED_BYTES (1 + 8 + 8 + 32 + 8 + 32 + 32 + 8 + 32 + 32 + 32)
#define TACIT_BLOCK_HEADER_BYTES (TACIT_BLOCK_HEADER_UNSIGNED_BYTES + 64)
/* Decoding refuses blocks with more than this many transactions or credits. */
#define TACIT_BLOCK_MAX_TXS 65536
#define TACIT_BLOCK_MAX_CREDITS 65536
/* The builder includes at most this many forced transactions in a block (so they fit in the
 * first part of a block submitted in parts); the block path takes any number. */
#define TACIT_BLOCK_MAX_FORCED 16

extern const uint8_t TACIT_POOL_ADDRESS[TACIT_ADDRESS_LEN]; /* all zero */

/* The ext data (DESIGN 2.6). An amount of 0 means "none": its other fields must be zero. */
struct tacit_tx_ext {
    uint64_t fee;
    uint64_t withdrawal_amount;
    uint8_t withdrawal_recipient[TACIT_ADDRESS_LEN];
    uint64_t deposit_amount;
    uint8_t deposit_sender[TACIT_ADDRESS_LEN];
    uint64_t deposit_nonce;
    uint8_t deposit_sig
        [TACIT_DEPOSIT_SIG_BYTES]; /* over tacit_tx_deposit_digest; not in ext_data_hash */
    uint8_t epk[TACIT_EPK_BYTES];
    uint8_t ciphertext[2][TACIT_NOTE_CIPHERTEXT_BYTES];
};

struct tacit_tx {
    uint8_t version; /* TACIT_TX_VERSION */
    uint64_t chain_id;
    tacit_fr pub[TACIT_TX_NPUBLIC];           /* canonical (< r): decoding checks */
    uint8_t proof[TACIT_GROTH16_PROOF_BYTES]; /* raw: points are checked by tacit_tx_proof */
    struct tacit_tx_ext ext;
};

/* What the rules need to know about the chain. */
struct tacit_chain_params {
    uint64_t chain_id;
    uint8_t rollup_id[TACIT_ROLLUP_ID_LEN];
    uint8_t sequencer[32];                    /* the sequencer's x-only (BIP-340) public key */
    uint8_t fee_recipient[TACIT_ADDRESS_LEN]; /* where fees go (the sequencer's address) */
    uint64_t min_fee;                         /* fee >= min_fee, else TACIT_EFEE_TOO_LOW */
    bool allow_credits;                       /* devnet: blocks may mint (faucet, genesis funds) */
    /* The protocol version of the chain's txs: TACIT_TX_VERSION (0 reads as it) or
     * TACIT_TX_VERSION_L1, whose digests bind l1_chain_id and rollup_id (the contract). */
    uint8_t tx_version;
    uint64_t l1_chain_id;
    /* An L1 chain's open submission (SETTLEMENT.md 6, 9; docs/protocol.md 8, "Blocks of open submission"): a block whose
     * `sequencer` and `signature` are all zero bytes carries no signature and is valid without
     * one (the contract decided who could submit it); every other rule applies. Set by a node
     * that derives the chain from L1 or submits while submission is open; false elsewhere. */
    bool open_blocks;
    /* The chain is what the L1 contract accepted (SETTLEMENT.md 9; docs/protocol.md 8.2): set
     * by a node that derives blocks from the contract (tacitd --follow-l1). The header fields
     * the contract does not check are its submitter's claims, taken as they are: the sequencer
     * key and signature, the timestamp order, tx_root, the nullifier and transparent digests.
     * The node keeps its own digests (the state's, not the header's). Every other rule applies;
     * the contract checks each of them too. False everywhere else. */
    bool l1_derived;
};

/* The tx version a chain with these parameters takes. */
static inline uint8_t tacit_chain_tx_version(const struct tacit_chain_params *p)
{
    return p->tx_version != 0 ? p->tx_version : TACIT_TX_VERSION;
}

/* A mint into a transparent account (devnet faucet and genesis funds; later, L1 deposits). */
struct tacit_credit {
    uint8_t address[TACIT_ADDRESS_LEN];
    uint64_t amount;
};

struct tacit_block_header {
    uint8_t version; /* TACIT_BLOCK_VERSION */
    uint64_t chain_id;
    uint64_t height;
    uint8_t parent[32]; /* hash of block height-1; zero for height 0 */
    uint64_t timestamp_ms;
    uint8_t tx_root[32];                /* tacit_block_tx_root */
    struct tacit_state_digests digests; /* the state after the block */
    uint8_t sequencer[32];              /* x-only public key */
    uint8_t signature[64];              /* BIP-340 over the block hash */
};

/* A decoded block: everything owned by it, freed with tacit_block_free. */
struct tacit_block {
    struct tacit_block_header header;
    uint8_t hash[32];
    struct tacit_credit *credits;
    size_t ncredits;
    struct tacit_tx *txs;
    uint8_t (*tx_ids)[32];
    size_t ntxs;
    uint8_t *bytes; /* a copy of the encoding */
    size_t len;
    size_t *tx_offsets; /* txs[i]'s encoding is bytes + tx_offsets[i], TACIT_TX_BYTES */
};

/* ------------------------------------------------------------ transactions ---- */

/* Decodes exactly len bytes. Returns TACIT_OK, TACIT_EENCODING (short, a length prefix that is
 * not the v1 size, an "amount 0" field group that is not all zero), TACIT_ETRAILING,
 * TACIT_EVERSION, TACIT_EPUBLIC_INPUT (a public input >= r). *tx is zeroed on error. */
int tacit_tx_decode(struct tacit_tx *tx, const uint8_t *in, size_t len);
/* Writes TACIT_TX_BYTES bytes. */
void tacit_tx_encode(uint8_t out[TACIT_TX_BYTES], const struct tacit_tx *tx);

/* tx id = BLAKE2b-256(personal "tacit-txid", the encoding without the proof bytes). */
void tacit_tx_id(uint8_t id[32], const struct tacit_tx *tx);

/* The digest of the ext data: BLAKE2b-256(personal "tacit-extdata", chain_id u64 LE ||
 * rollup_id || the ext encoding without deposit_sig). ext_data_hash is it read big-endian,
 * reduced mod r. */
void tacit_tx_ext_digest(uint8_t digest[32], const struct tacit_tx_ext *ext, uint64_t chain_id,
                         const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN]);
/* What a deposit signature signs: BLAKE2b-256(personal "tacit-deposit", chain_id u64 LE ||
 * rollup_id || the 7 public inputs, 32 bytes big-endian each, in tx order). It binds the
 * anchor, nullifiers and output commitments, and the ext data through ext_data_hash, so a
 * signature seen on one transaction authorizes no other. tx->pub must be final. */
void tacit_tx_deposit_digest(uint8_t digest[32], const struct tacit_tx *tx,
                             const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN]);
void tacit_tx_ext_data_hash(tacit_fr *out, const struct tacit_tx_ext *ext, uint64_t chain_id,
                            const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN]);

/*
 * Protocol v2 (TACIT_TX_VERSION_L1, docs/protocol.md section 8): what the L1 contract
 * recomputes uses L1's hash.
 * ext digest v2 = keccak-256(l1_chain_id as 32 bytes big-endian || rollup_id (the contract) ||
 *   chain_id u64 LE || the ext encoding without deposit_sig); ext_data_hash is it read
 *   big-endian, reduced mod r.
 * deposit digest v2 = the EIP-712 digest keccak-256(0x19 0x01 || domain separator || struct
 *   hash) of Deposit(uint64 amount,uint64 nonce,uint64 fee,bytes32 anchor,bytes32 nullifier0,
 *   bytes32 nullifier1,bytes32 commitment0,bytes32 commitment1,bytes32 extDataHash) in the
 *   domain {name "tacit", version "2", chainId l1_chain_id, verifyingContract rollup_id}: an
 *   Ethereum wallet shows what it signs, and the contract checks it with ecrecover.
 */
void tacit_tx_ext_digest_v2(uint8_t digest[32], const struct tacit_tx_ext *ext, uint64_t chain_id,
                            uint64_t l1_chain_id, const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN]);
void tacit_tx_deposit_digest_v2(uint8_t digest[32], const struct tacit_tx *tx, uint64_t l1_chain_id,
                                const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN]);
/* The EIP-712 domain separator of protocol v2 (for wallets that show it, and tests). */
void tacit_tx_eip712_domain(uint8_t sep[32], uint64_t l1_chain_id,
                            const uint8_t rollup_id[TACIT_ROLLUP_ID_LEN]);
/* The digests of tx's version (tx->version, tx->chain_id, p->rollup_id, p->l1_chain_id):
 * what the rules check and what a wallet must fill in and sign. */
void tacit_tx_ext_data_hash_of(tacit_fr *out, const struct tacit_tx *tx,
                               const struct tacit_chain_params *p);
void tacit_tx_deposit_digest_of(uint8_t digest[32], const struct tacit_tx *tx,
                                const struct tacit_chain_params *p);
/* (deposit - withdrawal - fee) mod r. TACIT_EOVERFLOW if withdrawal + fee exceeds 2^64-1. */
int tacit_tx_public_amount(tacit_fr *out, const struct tacit_tx_ext *ext);

/*
 * The checks that need no state, cheapest first, in two parts (the node's admission runs the
 * first on its loop and the second on a worker; the block path runs both):
 * params: for a tx not made by tacit_tx_decode, version (TACIT_EVERSION) and the canonical
 *   "amount 0" rule (TACIT_EENCODING); then chain id (TACIT_ECHAIN_ID), fee >= min_fee
 *   (TACIT_EFEE_TOO_LOW): a few compares.
 * content: withdrawal + fee overflow (TACIT_EOVERFLOW), ext_data_hash (TACIT_EEXT_DATA_HASH),
 *   public_amount (TACIT_EPUBLIC_AMOUNT), nf0 != nf1 (TACIT_ENULLIFIER_REPEATED), withdrawal
 *   recipient is not the pool (TACIT_EWITHDRAW_RECIPIENT), deposit signature: low s
 *   (TACIT_EDEPOSIT_HIGH_S), recovers to deposit_sender over tacit_tx_deposit_digest
 *   (TACIT_EDEPOSIT_SIG: also a signature copied from another transaction): hashes and, for a
 *   deposit, an ECDSA recovery (~50 us).
 * static: params, then content.
 * Not the proof (tacit_tx_verify_proof_var), not state.
 */
int tacit_tx_check_params(const struct tacit_tx *tx, const struct tacit_chain_params *p);
int tacit_tx_check_content(const struct tacit_tx *tx, const struct tacit_chain_params *p);
int tacit_tx_check_static(const struct tacit_tx *tx, const struct tacit_chain_params *p);

/* The proof's points, decoded (canonical, on their curves, no infinity): the reasons of
 * tacit_groth16_proof_from_bytes. B's membership in G2 is left to the verification that
 * follows (tacit_groth16_verify_var and the batch read it off B's Miller loop, and refuse
 * with TACIT_ENOT_IN_SUBGROUP). */
int tacit_tx_proof(tacit_groth16_proof *proof, const struct tacit_tx *tx);
/* One proof against the transfer verifying key: TACIT_OK, a point error (B outside G2
 * included), TACIT_EVERIFY. */
int tacit_tx_verify_proof_var(const struct tacit_tx *tx, const tacit_groth16_pvk *pvk);

/*
 * The state checks of the mempool's admission, against the view's state (the node passes a
 * fresh view of the committed state: tacit_tx_check_state_store): anchor in the root history
 * (TACIT_EANCHOR), nullifiers unspent (TACIT_ENULLIFIER_SPENT), a deposit's nonce not below the
 * sender's next nonce (TACIT_ENONCE: replayed) and the sender's balance covers it
 * (TACIT_EINSUFFICIENT), the turnstile against the pool: withdrawal + fee at most the pool's
 * balance plus the tx's own deposit (TACIT_ETURNSTILE). The view's errors pass through; the
 * view is not changed.
 */
int tacit_tx_check_state(const struct tacit_view *v, const struct tacit_tx *tx);
/* tacit_tx_check_state on a view of st's committed state (one LMDB read transaction). */
int tacit_tx_check_state_store(struct tacit_state *st, const struct tacit_tx *tx);

/*
 * Applies tx to a view (the block path and the block builder): anchor (TACIT_EANCHOR),
 * nullifiers unspent in the committed state (TACIT_ENULLIFIER_SPENT) and in the block so far
 * (TACIT_ENULLIFIER_IN_BLOCK), deposit: nonce equal to the sender's next nonce (TACIT_ENONCE),
 * balance (TACIT_EINSUFFICIENT), then sender -> pool and nonce + 1; withdrawal pool ->
 * recipient and fee pool -> fee_recipient (TACIT_ETURNSTILE when the pool would go negative);
 * appends cm0, cm1. On error the view is as before the call (a savepoint, rolled back). Does
 * not check the proof or the static rules (call tacit_tx_check_static first).
 */
int tacit_tx_apply(const struct tacit_view *v, const struct tacit_tx *tx,
                   const struct tacit_chain_params *p);
/* tacit_tx_apply for a forced transaction (one of a block's first F, docs/protocol.md 8.1):
 * the anchor need only be the root after SOME committed block (the view's anchor_known), not
 * a recent one; every other rule as tacit_tx_apply. */
int tacit_tx_apply_forced(const struct tacit_view *v, const struct tacit_tx *tx,
                          const struct tacit_chain_params *p);

/* -------------------------------------------------------------- accounts ---- */

/* tacit_keccak256: include/tacit/keccak.h (crypto). */
/* The Ethereum-style address of a secp256k1 secret key: TACIT_OK or TACIT_EINVAL. */
int tacit_address_from_seckey(uint8_t address[TACIT_ADDRESS_LEN], const uint8_t sk[32]);
/* A low-s recoverable signature of digest (r || s || recid). TACIT_OK or TACIT_EINVAL. */
int tacit_deposit_sign(uint8_t sig[TACIT_DEPOSIT_SIG_BYTES], const uint8_t sk[32],
                       const uint8_t digest[32]);
/* Recovers the signer's address: TACIT_OK, TACIT_EDEPOSIT_HIGH_S, TACIT_EDEPOSIT_SIG. */
int tacit_deposit_recover(uint8_t address[TACIT_ADDRESS_LEN],
                          const uint8_t sig[TACIT_DEPOSIT_SIG_BYTES], const uint8_t digest[32]);

/* -------------------------------------------------------------- sequencer ---- */

/* A sequencer key in sodium_malloc memory. new: TACIT_OK, TACIT_EINVAL (not a valid secret
 * key), TACIT_ENOMEM. free accepts NULL and wipes. */
struct tacit_sequencer_key;
int tacit_sequencer_key_new(struct tacit_sequencer_key **out, const uint8_t sk[32]);
void tacit_sequencer_key_free(struct tacit_sequencer_key *k);
/* x-only public key (block headers) and Ethereum-style address (fees). */
void tacit_sequencer_key_public(const struct tacit_sequencer_key *k, uint8_t xonly[32],
                                uint8_t address[TACIT_ADDRESS_LEN]);

/* ----------------------------------------------------------------- blocks ---- */

void tacit_block_header_encode(uint8_t out[TACIT_BLOCK_HEADER_BYTES],
                               const struct tacit_block_header *h);
/* block hash = BLAKE2b-256(personal "tacit-block", the header without its signature). */
void tacit_block_hash(uint8_t out[32], const struct tacit_block_header *h);
/* BIP-340 signature of the block hash into h->signature; h->sequencer is set from the key. */
int tacit_block_sign(struct tacit_block_header *h, const struct tacit_sequencer_key *k);
/* TACIT_OK or TACIT_EBLOCK_SIGNATURE. */
int tacit_block_check_signature(const struct tacit_block_header *h);
/* A block of open submission: its `sequencer` and `signature` are all zero bytes. */
bool tacit_block_is_open(const struct tacit_block_header *h);

/* Binary Merkle root (BLAKE2b-256, personal "tacit-txroot") over the tx ids and, when there are
 * credits, one last leaf hashing them; zero for an empty block. docs/protocol.md. */
void tacit_block_tx_root(uint8_t out[32], const uint8_t (*ids)[32], size_t nids,
                         const struct tacit_credit *credits, size_t ncredits);

/* Decodes a block (header, credits, transactions; every tx decoded). Returns TACIT_OK,
 * TACIT_EENCODING, TACIT_ETRAILING, TACIT_EVERSION, TACIT_ETOOBIG, a tx decoding error,
 * TACIT_ENOMEM. Free with tacit_block_free (accepts NULL). */
int tacit_block_decode(struct tacit_block **out, const uint8_t *in, size_t len);
void tacit_block_free(struct tacit_block *b);

/*
 * The block path over the state interface: checks a decoded block against the view's tip and
 * applies it to the view: version, chain id (TACIT_ECHAIN_ID), height (TACIT_EHEIGHT), parent
 * (TACIT_EPARENT), timestamp not before parent_timestamp_ms, the timestamp of the block the tip
 * names (TACIT_ETIMESTAMP; not checked for height 0), sequencer key (TACIT_ESEQUENCER),
 * signature (TACIT_EBLOCK_SIGNATURE), tx root (TACIT_ETX_ROOT), credits allowed
 * (TACIT_ECREDIT), every tx's static rules, state rules in order and proof (batch verified on
 * every core, on a thread of its own while the state rules run: both are always waited for),
 * digests (TACIT_EDIGEST). *bad_tx (may be NULL) is the index of the offending tx, or -1.
 * Credits are applied before the txs. pvk is required (TACIT_EINVAL if NULL). On TACIT_OK the
 * view holds the block's changes (the caller commits them); on an error the view holds part of
 * them and is to be dropped. Errors of the view pass through.
 */
int tacit_block_apply_view(const struct tacit_view *v, uint64_t parent_timestamp_ms,
                           const struct tacit_block *b, const struct tacit_chain_params *p,
                           const tacit_groth16_pvk *pvk, long *bad_tx);

/*
 * The block path on the LMDB store: decodes the block, runs tacit_block_apply_view on a view of
 * the committed state (the parent's timestamp read from the store) and commits it (one write
 * transaction). Nothing is written unless TACIT_OK. Returns the errors of decoding and of
 * tacit_block_apply_view; store errors of the commit pass through.
 */
int tacit_block_apply(struct tacit_state *st, const uint8_t *in, size_t len,
                      const struct tacit_chain_params *p, const tacit_groth16_pvk *pvk,
                      long *bad_tx);

/*
 * A follower's pipeline: block h + 1's proofs checked on every core while block h's state rules
 * run and commit. tacit_block_precheck decodes the bytes and batch-verifies every proof of the
 * decoded block against pvk (tacit_groth16_verify_batch_par_var), keeping the verdict; it
 * returns the decoding errors (then *out is NULL) and TACIT_ENOMEM, not the proofs' verdict.
 * tacit_block_apply_prechecked applies that decoded block (the very txs whose proofs were
 * checked: no bytes are taken again) as tacit_block_apply does, every other rule checked, and
 * gives the proofs' verdict where tacit_block_apply_view gives it (after the header, static and
 * state rules, before the digests): its returns and *bad_tx are tacit_block_apply's for the
 * same bytes. pvk must be the precheck's (TACIT_EINVAL otherwise: proofs checked against
 * another key count for nothing). Only a precheck makes one (the struct is opaque): no other
 * path skips a proof. Free with tacit_block_prechecked_free (NULL ok); _block gives the decoded
 * block (its bytes, hash, header).
 */
struct tacit_block_prechecked;
int tacit_block_precheck(struct tacit_block_prechecked **out, const uint8_t *in, size_t len,
                         const tacit_groth16_pvk *pvk);
int tacit_block_apply_prechecked(struct tacit_state *st, const struct tacit_block_prechecked *pc,
                                 const struct tacit_chain_params *p, const tacit_groth16_pvk *pvk,
                                 long *bad_tx);
const struct tacit_block *tacit_block_prechecked_block(const struct tacit_block_prechecked *pc);
void tacit_block_prechecked_free(struct tacit_block_prechecked *pc);

/*
 * The sequencer path: a block under construction on top of a view's tip.
 * new_view: over v (borrowed: v and what it points to must outlive the builder), whose tip's
 *   block has timestamp parent_timestamp_ms; the caller commits the changes v holds after seal
 *   (tacit_memstate_commit, say). new: over a view of st's committed state that the builder
 *   owns; commit writes it. Both: TACIT_OK, a store error, TACIT_ENOMEM. Free with
 *   tacit_block_builder_free (NULL ok).
 * add_credit: TACIT_ECREDIT (not allowed, or to the pool on a v1 chain), TACIT_EOVERFLOW,
 *   TACIT_ETOOBIG; TACIT_EINVAL once a tx other than a forced one was added (credits come
 *   first in a block: docs/protocol.md 6.3), and for a forced marker (zero address on a v2
 *   chain: add_forced makes them).
 * add_forced (a v2 chain with credits, docs/protocol.md 8.1): consumes the L1 queue's forced
 *   entry tx (bytes its encoding) at the next credit position. A nullifier spent by an earlier
 *   block: a failed marker (amount 0), *included false. Else the tx must pass the forced
 *   static rules and tacit_tx_apply_forced: an included marker (amount 1) and the tx as the
 *   block's next tx (after the earlier forced ones), *included true. Nothing is added on an
 *   error: TACIT_ENULLIFIER_IN_BLOCK (a nullifier spent by a forced tx of this block: leave
 *   the entry to the next block), TACIT_ETOOBIG (TACIT_BLOCK_MAX_FORCED included already),
 *   the rules' errors, TACIT_EINVAL (after a non-forced tx, a v1 chain, bytes not the tx's).
 * add_tx: the tx must have passed its proof check; runs tacit_tx_check_static under the
 *   builder's parameters (the minimum fee may have changed since admission) and
 *   tacit_tx_apply: on error nothing is added. `bytes` is the tx's encoding (copied;
 *   TACIT_EINVAL if it is not tacit_tx_encode(tx)); TACIT_ETOOBIG past TACIT_BLOCK_MAX_TXS.
 * seal: fills the header (digests, tx root, timestamp never before the parent's), signs,
 *   encodes. h, bytes, len may be NULL; *bytes (malloc'd, caller frees). TACIT_ESEQUENCER
 *   if k is not the key of p->sequencer (nothing changes then). k NULL seals a block of
 *   open submission (no key, no signature: p->open_blocks, else TACIT_EINVAL).
 * commit: tacit_state_apply_block of the sealed block (TACIT_EINVAL for a builder made with
 *   new_view). After commit or on error the builder can only be freed.
 */
struct tacit_block_builder;
int tacit_block_builder_new(struct tacit_block_builder **out, struct tacit_state *st,
                            const struct tacit_chain_params *p);
int tacit_block_builder_new_view(struct tacit_block_builder **out, const struct tacit_view *v,
                                 uint64_t parent_timestamp_ms, const struct tacit_chain_params *p);
void tacit_block_builder_free(struct tacit_block_builder *b);
int tacit_block_builder_add_credit(struct tacit_block_builder *b, const struct tacit_credit *c);
int tacit_block_builder_add_tx(struct tacit_block_builder *b, const struct tacit_tx *tx,
                               const uint8_t *bytes, size_t len);
int tacit_block_builder_add_forced(struct tacit_block_builder *b, const struct tacit_tx *tx,
                                   const uint8_t *bytes, size_t len, bool *included);
size_t tacit_block_builder_ntxs(const struct tacit_block_builder *b);
int tacit_block_builder_seal(struct tacit_block_builder *b, const struct tacit_sequencer_key *k,
                             uint64_t timestamp_ms, struct tacit_block_header *h, uint8_t **bytes,
                             size_t *len);
int tacit_block_builder_commit(struct tacit_block_builder *b);
/* The sealed header and the block hash (what a caller of new_view commits its view under):
 * TACIT_OK, TACIT_EINVAL (not sealed). h and hash may be NULL. */
int tacit_block_builder_header(const struct tacit_block_builder *b, struct tacit_block_header *h,
                               uint8_t hash[32]);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_CHAIN_H */
