/*
 * tacit — the rollup contract's binding (module settle, which joins chain and l1;
 * src/l1/TacitRollup.sol, docs/l1-contract.md): its bytecode, the data that deploys it, the
 * calldata of its calls, the hash chain it keeps, the tree-update proofs a submission carries,
 * and its events and custom errors read back as tacit's codes.
 *
 * The contract checks every block of shared/docs/SETTLEMENT.md 3; what it is sent is the
 * tacit block as encoded (docs/protocol.md 4: header, credits, transactions) plus the
 * tree-update proofs of its commitments (docs/protocol.md 7), M leaves each, in order:
 * per proof R_new (32 bytes, big-endian) || A (64) || B (128, EIP-197 order) || C (64).
 *
 * Nothing here talks to a node: the caller sends the calldata with the L1 port (l1.h).
 * Everything is pure and any number of threads may use it.
 */
#ifndef TACIT_ROLLUP_H
#define TACIT_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/chain.h"
#include "tacit/groth16.h"
#include "tacit/l1.h"
#include "tacit/prover.h"
#include "tacit/tree.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_ROLLUP_GWEI 1000000000ull /* wei per base unit: 1 TAC = 1 ETH */
#define TACIT_ROLLUP_TREE_PROOF_BYTES (32 + TACIT_GROTH16_PROOF_BYTES)

/* The contract's creation code (src/l1/TacitRollup.json, compiled in by CMake). */
extern const uint8_t tacit_rollup_bytecode[];
extern const size_t tacit_rollup_bytecode_len;

/* What a deployment is made for. */
struct tacit_rollup_params {
    uint8_t sequencer[TACIT_ETH_ADDRESS_LEN];     /* the only L1 address that may submit */
    uint8_t fee_recipient[TACIT_ETH_ADDRESS_LEN]; /* claims the fees on L1 */
    uint64_t chain_id;                            /* the L2's chain id */
    /* T of the escape hatch, in L1 blocks (docs/l1-contract.md "Forced transactions and open
     * submission"): a forced transaction must be consumed within T, and submission opens to
     * anyone when the queue's head is older than T or no block settled for T. Must be > 0. */
    uint64_t force_delay;
};

#define TACIT_ROLLUP_FORCE_DELAY_DEFAULT 50 /* tacit-cli l1 deploy's --force-delay */

/* One tree-update proof of a submission: the root it ends at and the proof. */
struct tacit_rollup_tree_proof {
    tacit_fr root_new;
    tacit_groth16_proof proof;
};

/* A verifying key as the contract stores it: alpha (64) || beta, gamma, delta (128 each,
 * EIP-197 order) || IC[0..npublic] (64 each). *out malloc'd. TACIT_OK, TACIT_ENOMEM. */
int tacit_rollup_vk_encode(uint8_t **out, size_t *len, const tacit_groth16_vk *vk);

/* The creation transaction's data: bytecode || abi.encode(transfer key, tree-update key,
 * sequencer, fee recipient, chain id, the empty tree's root, force delay). TACIT_EINVAL: the
 * transfer key has not 7 inputs, the tree-update key fewer than 5, or force_delay is 0.
 * *out malloc'd. */
int tacit_rollup_deploy_data(uint8_t **out, size_t *len, const tacit_groth16_vk *transfer,
                             const tacit_groth16_vk *tree_update,
                             const struct tacit_rollup_params *p);

/* Calldata (*out malloc'd): deposit(address to) (send the value in wei, a whole number of
 * gwei), claim(), and submitBlock(bytes32 parent, bytes block, bytes treeProofs). */
int tacit_rollup_deposit_call(uint8_t **out, size_t *len, const uint8_t to[TACIT_ETH_ADDRESS_LEN]);
int tacit_rollup_claim_call(uint8_t **out, size_t *len);
int tacit_rollup_submit_call(uint8_t **out, size_t *len, const uint8_t parent[32],
                             const uint8_t *block, size_t block_len,
                             const struct tacit_rollup_tree_proof *proofs, size_t nproofs);

/* verifyTransaction(bytes tx): one transaction's proof alone (the single-proof path of a
 * forced transaction); the call returns a bool. tx: TACIT_TX_BYTES. */
int tacit_rollup_verify_call(uint8_t **out, size_t *len, const uint8_t tx[TACIT_TX_BYTES]);

/* The contract's hash of a submission, its blockHash once settled (and so the `parent` of
 * the next): keccak256(parent || keccak256(header, credits and ntxs as encoded) ||
 * keccak256(tx_0) || ... || keccak256(tx_{n-1}) || keccak256(tree proofs)). It is also the
 * seed of the batch coefficients. out may be parent. TACIT_EENCODING: block is not a block's
 * layout (out unchanged on any error). */
int tacit_rollup_block_hash(uint8_t out[32], const uint8_t parent[32], const uint8_t *block,
                            size_t block_len, const struct tacit_rollup_tree_proof *proofs,
                            size_t nproofs);

/* The contract's queue hash after one more credit: keccak256(prev || 0x01 || address ||
 * amount as u64 little-endian), as deposit() computes it. */
void tacit_rollup_queue_hash(uint8_t out[32], const uint8_t prev[32],
                             const struct tacit_credit *credit);

/* ------------------------------------------------------ forced transactions ---- */

/* forceTransaction(bytes tx) calldata: tx (TACIT_TX_BYTES, without the block's u32 length
 * prefix) enters the queue; the contract checks it (static rules, no deposit, a known anchor,
 * unspent nullifiers, its proof) at once. Sent by anyone (docs/l1-contract.md). */
int tacit_rollup_force_call(uint8_t **out, size_t *len, const uint8_t tx[TACIT_TX_BYTES]);
/* The contract's queue hash after one more forced entry: keccak256(prev || 0x02 ||
 * keccak256(tx)), as forceTransaction() computes it (tx_hash = keccak256 of the 1,808 bytes).
 * out may be prev. */
void tacit_rollup_queue_hash_forced(uint8_t out[32], const uint8_t prev[32],
                                    const uint8_t tx_hash[32]);

/* Proofs per block: ceil(2 ntxs / max_leaves). */
size_t tacit_rollup_tree_proof_count(size_t ntxs, unsigned max_leaves);

/*
 * The tree-update statements of block b (its commitments cm0, cm1 of each tx in order,
 * max_leaves per proof, starting from frontier f, at depth TACIT_TREE_DEPTH), proved under pk.
 * Out: out[tacit_rollup_tree_proof_count(b->ntxs, max_leaves)]; f becomes the frontier after
 * the block (unchanged on failure). Returns TACIT_OK or an error of tacit_treeupdate_prove.
 */
int tacit_rollup_prove_tree(struct tacit_rollup_tree_proof *out, struct tacit_tree_frontier *f,
                            const tacit_groth16_pk *pk, const struct tacit_block *b,
                            unsigned max_leaves, unsigned nthreads);

/* ------------------------------------------------------------ blocks in parts ---- */

/*
 * A block too large for one L1 transaction (EIP-7825: 16,777,216 gas) is submitted in parts
 * (submitBlockPart; docs/l1-contract.md "A block in parts"): part j carries the block's
 * transactions [first, first + count) as
 *   header (289) || credits (the block's in part 0, none in the others: u32 0) ||
 *   u32 ntxs (the block's) || u32 first || (u32 len || tx) for each of its transactions,
 * and the tree-update proofs of its 2 count commitments (M per proof, from the root and count
 * the parts before it ended at). Its hash is tacit_rollup_block_hash's formula over the part:
 * keccak256(prev || keccak256(part up to its first tx) || keccak256(tx)... ||
 * keccak256(tree proofs)), prev being blockHash() for part 0 and the previous part's hash after;
 * the last part's hash becomes blockHash().
 */

#define TACIT_ROLLUP_L1_TX_GAS_CAP 16777216ull    /* EIP-7825: gas of one L1 transaction */
#define TACIT_ROLLUP_PART_GAS_DEFAULT 13000000ull /* the default budget of one submission */

/* The encoding of the part of block (as encoded) with transactions [first, first + count).
 * *out malloc'd. TACIT_EENCODING: block is not a block's layout, or the range is not in it
 * (count 0 included). */
int tacit_rollup_part_encode(uint8_t **out, size_t *len, const uint8_t *block, size_t block_len,
                             size_t first, size_t count);
/* submitBlockPart(bytes32 prev, bytes part, bytes treeProofs) calldata. */
int tacit_rollup_part_call(uint8_t **out, size_t *len, const uint8_t prev[32], const uint8_t *part,
                           size_t part_len, const struct tacit_rollup_tree_proof *proofs,
                           size_t nproofs);
/* The contract's hash of a part (out may be prev). TACIT_EENCODING: not a part's layout. */
int tacit_rollup_part_hash(uint8_t out[32], const uint8_t prev[32], const uint8_t *part,
                           size_t part_len, const struct tacit_rollup_tree_proof *proofs,
                           size_t nproofs);

/* A conservative estimate of the gas of one submission (a whole block or a part) of ntxs
 * transactions (and ncredits credits) with M = max_leaves: a fixed part, per transaction a
 * deposit's or withdrawal's worst case, per tree-update proof, per credit. */
uint64_t tacit_rollup_gas_estimate(size_t ntxs, size_t ncredits, unsigned max_leaves);
/* How many parts a block of ntxs transactions and ncredits credits is submitted in so that each
 * part's estimate is at most budget (1: the block goes whole, with submitBlock); at most ntxs
 * (a part has one transaction at least), and few enough that the first part holds the block's
 * nforced included forced transactions (its first ones: the contract's ForcedBeyondPart), even
 * when that part's estimate is then above budget. */
size_t tacit_rollup_part_count(size_t ntxs, size_t ncredits, size_t nforced, unsigned max_leaves,
                               uint64_t budget);
/* Part j of nparts: its first transaction and count. The split depends on ntxs and nparts
 * only (the node records nparts, so a restart splits the same way): as even as possible, the
 * larger parts last (the first carries the credits). */
void tacit_rollup_part_range(size_t ntxs, size_t nparts, size_t j, size_t *first, size_t *count);

/*
 * As tacit_rollup_prove_tree for the commitments of transactions [first, first + count) of b
 * only, starting from frontier f (which must be the tree after the transactions before them):
 * out[tacit_rollup_tree_proof_count(count, max_leaves)].
 */
int tacit_rollup_prove_tree_range(struct tacit_rollup_tree_proof *out,
                                  struct tacit_tree_frontier *f, const tacit_groth16_pk *pk,
                                  const struct tacit_block *b, size_t first, size_t count,
                                  unsigned max_leaves, unsigned nthreads);

/* ------------------------------------------------------------ errors, events ---- */

/* The contract's custom errors, as Solidity signatures (for tacit_l1_revert_reason). */
extern const char *const tacit_rollup_errors[];
extern const size_t tacit_rollup_nerrors;

/* The tacit code of revert data from the contract (TACIT_EANCHOR for UnknownAnchor, ...;
 * docs/l1-contract.md lists them), and in *index (may be NULL) its first argument when that is
 * a transaction's index, else -1. TACIT_EL1_REVERTED for data that is none of its errors. */
int tacit_rollup_error(const uint8_t *data, size_t len, long *index);

/* "UnknownAnchor(uint256,bytes32): (1, 0x...)" for a person. */
void tacit_rollup_revert_reason(char *out, size_t n, const uint8_t *data, size_t len);

enum tacit_rollup_event_kind {
    TACIT_ROLLUP_DEPOSITED = 1,
    TACIT_ROLLUP_BLOCK_SUBMITTED,
    TACIT_ROLLUP_CLAIMED,
    TACIT_ROLLUP_PART_SUBMITTED,
    TACIT_ROLLUP_FORCED,
};

struct tacit_rollup_event {
    enum tacit_rollup_event_kind kind;
    /* DEPOSITED: index, account, amount (gwei), queue_hash (after it) */
    /* BLOCK_SUBMITTED: height, block_hash, parent, note_root, commitment_count, queue_head,
     * ntxs (the block itself is the calldata of the transaction that logged it) */
    /* CLAIMED: account, wei */
    /* PART_SUBMITTED: height, index (its first transaction), ntxs (its count), block_hash (the
     * part's hash) */
    /* FORCED (ForcedTransaction): index (its queue position), tx_hash (keccak256 of tx, checked
     * by the decoder), queue_hash (after it), tx (the 1,808 bytes: a v2 transaction) */
    uint64_t index, amount, height, commitment_count, queue_head, ntxs;
    uint8_t account[TACIT_ETH_ADDRESS_LEN];
    uint8_t queue_hash[32], block_hash[32], parent[32], note_root[32], tx_hash[32];
    tacit_uint256 wei;
    uint8_t tx[TACIT_TX_BYTES];
};

/* The first topic of the contract's event of that kind (for an eth_getLogs filter).
 * TACIT_EINVAL for another kind. */
int tacit_rollup_event_topic(uint8_t topic[32], enum tacit_rollup_event_kind kind);
/* Decodes a log of the contract. TACIT_ENOTFOUND: not one of its events; an ABI error;
 * a ForcedTransaction whose tx is not TACIT_TX_BYTES long (TACIT_EENCODING) or does not hash to
 * its txHash topic (TACIT_EDIGEST). */
int tacit_rollup_decode_event(struct tacit_rollup_event *ev, const struct tacit_l1_log *log);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_ROLLUP_H */
