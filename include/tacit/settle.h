/*
 * tacit — the settlement port: what tacitd needs from the L1 rollup contract to track every
 * block through `sequenced → submitted → settled → finalized` (../shared/docs/SETTLEMENT.md 2,
 * 6; docs/operations.md, "Settlement on L1").
 *
 * The node sees the contract only through a struct tacit_settler (a table of operations and a
 * context), so its submitter, its tests (an in-memory L1 that fails, delays, reverts, drops:
 * tests/test_settle.c) and the contract client (TacitRollup's calldata over src/l1's JSON-RPC
 * client and sender) are interchangeable. Every operation BLOCKS until the L1 answers: the node
 * calls them on its settlement lane (src/node/settle.c), never on the event loop, and from one
 * thread at a time.
 *
 * Return codes: TACIT_OK; TACIT_EL1_UNREACHABLE or TACIT_ETIMEOUT (the L1 is down: the node
 * retries later, with a backoff); TACIT_EL1_NONCE_TOO_LOW from send (the transaction's nonce
 * was used by another one: the node looks it up once more, then prepares a new one); any other
 * code is an error the node logs and retries after the backoff too.
 */
#ifndef TACIT_SETTLE_H
#define TACIT_SETTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/chain.h"  /* struct tacit_credit */
#include "tacit/prover.h" /* tacit_groth16_pk */
#include "tacit/tree.h"   /* struct tacit_tree_frontier */

#ifdef __cplusplus
extern "C" {
#endif

/* One block to submit: borrowed for the call. */
struct tacit_settle_submission {
    uint64_t height;
    const uint8_t *block; /* the sealed block's encoding (docs/protocol.md) */
    size_t block_len;
    const uint8_t *proof; /* unused (NULL, 0): the contract client's settler proves the block's
                           * tree update itself, from frontier */
    size_t proof_len;
    const struct tacit_tree_frontier *frontier; /* the note tree before the block (the
                                                 * settler proves the tree update from it) */
    /* Pipelining: while the block before is in flight (sent, not settled), the contract's
     * blockHash it will leave (its submission's chain_out), so this block can be sent behind
     * it (next nonce); NULL: the previous block is settled, the contract is read. */
    const uint8_t *parent;
    /* Non-NULL: prepare writes there the contract's blockHash once this block is in (32
     * bytes: the parent of the next block while this one is in flight). */
    uint8_t *chain_out;
    /* A block in parts (plan said nparts > 1): prepare the transaction of part `part`, once the
     * parts before it are in (the contract read at the L1 head; parent is NULL: a block in
     * parts goes out only when the blocks before it are settled; chain_out is left as it is). */
    uint32_t part, nparts;
};

/* What the L1 says of a transaction the node sent. */
enum tacit_settle_tx_state {
    TACIT_SETTLE_TX_UNKNOWN,  /* the L1 node does not have it: never arrived, or dropped */
    TACIT_SETTLE_TX_PENDING,  /* in the L1 node's pool, not in a block */
    TACIT_SETTLE_TX_INCLUDED, /* in L1 block `block`, succeeded: the contract accepted it */
    TACIT_SETTLE_TX_REVERTED, /* in L1 block `block`, failed: `reason` */
};

#define TACIT_SETTLE_REASON_MAX 256

struct tacit_settle_receipt {
    enum tacit_settle_tx_state state;
    uint64_t block;                       /* INCLUDED, REVERTED: the L1 block */
    uint8_t block_hash[32];               /* INCLUDED, REVERTED: its hash (zeros: unknown) */
    uint64_t gas_used;                    /* INCLUDED, REVERTED: the receipt's gasUsed */
    char reason[TACIT_SETTLE_REASON_MAX]; /* REVERTED: the revert reason (text from outside:
                                           * escape before logging) */
};

/* L1 block numbers. */
struct tacit_settle_heads {
    uint64_t latest;    /* the L1 head */
    uint64_t finalized; /* final (on a devnet: latest - N, the implementation's choice) */
};

/* An entry of the contract's ordered L1 → L2 message queue (SETTLEMENT.md 6). */
enum tacit_settle_msg_kind {
    TACIT_SETTLE_MSG_DEPOSIT = 1, /* credit: the account receives amount (base units, gwei) */
    TACIT_SETTLE_MSG_FORCED = 2,  /* a forced transaction (docs/protocol.md 8.1): tx */
};
struct tacit_settle_message {
    uint64_t index;    /* the queue's index: 0, 1, 2, ... */
    uint64_t l1_block; /* the L1 block that queued it */
    enum tacit_settle_msg_kind kind;
    struct tacit_credit credit; /* DEPOSIT */
    uint8_t tx[TACIT_TX_BYTES]; /* FORCED: the v2 transaction's encoding, as queued */
    uint8_t tx_hash[32];        /* FORCED: keccak256(tx), the contract's txHash */
    uint8_t l1_hash[32];        /* that L1 block's hash (zeros: unknown) */
    uint8_t queue_hash[32];     /* the contract's queueHash(index + 1): the queue through it */
};

struct tacit_settler_ops {
    /* Builds and signs the L1 transaction that submits s (its nonce taken by the settler):
     * its hash and its raw bytes (*raw malloc'd, freed by the caller). Sends nothing: the node
     * records the transaction before it is sent, so a crash between the two neither loses the
     * block nor sends a second transaction for it. TACIT_EL1_REVERTED when the contract would
     * refuse it (its gas estimate reverted), with the revert reason in reason (the node halts
     * submission, as for a mined revert, until it is restarted). */
    int (*prepare)(void *ctx, const struct tacit_settle_submission *s, uint8_t hash[32],
                   uint8_t **raw, size_t *raw_len, char reason[TACIT_SETTLE_REASON_MAX]);
    /* Sends a prepared transaction (again: an L1 node that has it already answers TACIT_OK). */
    int (*send)(void *ctx, const uint8_t *raw, size_t raw_len);
    /* What the L1 says of the transaction `hash` now; raw is its signed bytes (as prepare made
     * them), for an implementation that replays a failed one to find its revert reason. */
    int (*lookup)(void *ctx, const uint8_t hash[32], const uint8_t *raw, size_t raw_len,
                  struct tacit_settle_receipt *out);
    /* The L1 head and the finalized block. */
    int (*heads)(void *ctx, struct tacit_settle_heads *out);
    /* The queue's entries from index `from` on, in order, queued in L1 blocks <= max_block,
     * at most max: out[0..*n), out[i].index == from + i (stops at the first entry past
     * max_block or the queue's end). */
    int (*messages)(void *ctx, uint64_t from, uint64_t max_block, struct tacit_settle_message *out,
                    size_t max, size_t *n);
    /* Optional (NULL: fees never bumped). A replacement for the prepared transaction raw: the
     * same nonce and calldata, both fees raised by at least 10% (EIP-1559 pools' rule) and to
     * the market's, the max fee capped by the settler's cap; its hash and raw bytes as
     * prepare's (sends nothing). TACIT_EL1_FEE_CAP when the cap leaves no room for one. */
    int (*bump)(void *ctx, const uint8_t *raw, size_t raw_len, uint8_t hash[32], uint8_t **out,
                size_t *out_len);
    /* Optional (NULL: every block goes whole). How many L1 transactions the block s is
     * submitted in (1: whole), each under the settler's gas budget; called once per block
     * before its first prepare (the node records the answer: a restart splits it the same). */
    int (*plan)(void *ctx, const struct tacit_settle_submission *s, uint32_t *nparts);
    /* Optional, both or neither (NULL: an L1 reorg that removes a credited deposit is not
     * seen): the hash of the canonical L1 block `number` (TACIT_ENOTFOUND past the head), and
     * the contract's queueHash(count) read at the L1 head (zeros when count > queueLength):
     * the node checks the L1 blocks of the entries its blocks credited against them
     * (../shared/docs/SETTLEMENT.md 9). */
    int (*block_hash)(void *ctx, uint64_t number, uint8_t hash[32]);
    int (*queue_hash)(void *ctx, uint64_t count, uint8_t hash[32]);
    /* Optional: transactions prepared earlier were dropped by the node (a rollback): the next
     * prepare takes the L1 account's pending nonce again instead of the one after the last
     * prepared. */
    void (*nonce_reset)(void *ctx);
    /* Optional (NULL: never open; only a node that sequences when submission is open calls
     * it). The contract's isOpen() (submitBlock taken from anyone: the queue's head older than
     * its forceDelay in L1 blocks, or no block settled for as long; ../shared/docs/SETTLEMENT.md
     * 6), as the next L1 block will see it, and its height() at the L1 head (the next block
     * it takes). */
    int (*is_open)(void *ctx, bool *open, uint64_t *height);
};

struct tacit_settler {
    const struct tacit_settler_ops *ops;
    void *ctx; /* owned by whoever made the settler; the node never frees it */
};

/*
 * The parts of a settler that need no contract ABI, over the L1 port (include/tacit/l1.h;
 * src/node/settle_l1.c), for the contract client's ops to call (its prepare and messages are
 * the contract's: TacitRollup's calldata and queue):
 *  - heads: eth_blockNumber, and the finalized block: the L1's "finalized" tag when
 *    final_depth is 0, else latest - final_depth (a devnet: N confirmations);
 *  - lookup: the receipt (INCLUDED with its gas; a failed one REVERTED, its reason found by
 *    replaying raw with eth_call at the block before: Error(string), Panic, the custom errors
 *    named in custom[0..ncustom), as tacit_l1_revert_reason writes them); no receipt: PENDING
 *    when the node has the transaction, else UNKNOWN;
 *  - send: eth_sendRawTransaction ("already known" is sent).
 * Errors as the L1 port's (TACIT_EL1_UNREACHABLE, TACIT_ETIMEOUT, TACIT_EL1_REPLY, ...).
 */
struct tacit_l1;
int tacit_settle_l1_heads(struct tacit_l1 *l1, uint32_t final_depth,
                          struct tacit_settle_heads *out);
int tacit_settle_l1_lookup(struct tacit_l1 *l1, const uint8_t hash[32], const uint8_t *raw,
                           size_t raw_len, const char *const *custom, size_t ncustom,
                           struct tacit_settle_receipt *out);
int tacit_settle_l1_send(struct tacit_l1 *l1, const uint8_t *raw, size_t raw_len);

/*
 * The contract client's settler (src/settle/settler.c): TacitRollup over the L1 port.
 *  - prepare: the contract's height() read at the L1 head: the block's height, and then the
 *    parent is its blockHash(); or below it while earlier blocks are in flight, and then the
 *    parent is s->parent (TACIT_EBUSY when none is given, or the contract is past the block);
 *    the block's tree-update proofs made under tree_pk from s->frontier (max_leaves each,
 *    nthreads), the submitBlock calldata, signed by the sender (its nonce, fees and gas
 *    estimate: eth_estimateGas without a block, which anvil and geth run on the pending
 *    state, the earlier submissions of the pool in; a reverting estimate is
 *    TACIT_EL1_REVERTED with the contract's reason when the contract is at the block's height,
 *    TACIT_EBUSY while earlier blocks are in flight: a dropped one would make it revert);
 *    s->chain_out the submission's hash (tacit_rollup_block_hash);
 *  - plan: tacit_rollup_part_count under part_gas (the block's credits in its first part);
 *  - prepare of part j of a block in parts (tacit_rollup_part_range): the contract's height()
 *    must be the block's and its partialBlock() at the part's first transaction (TACIT_EBUSY
 *    otherwise: the part before not in the head's state yet); the part's tree-update proofs
 *    from s->frontier advanced by the transactions before it; submitBlockPart with prev the
 *    contract's blockHash() (part 0) or partialBlock()'s hash, signed by the sender;
 *  - bump: tacit_l1_sender_rebid;
 *  - messages: the Deposited and ForcedTransaction events of the contract (eth_getLogs, one scan
 *    for both), each entry's queueHash checked as the rolling hash over the one before (the
 *    hash at the scan's first entry read with queueHash(i) unless the last scan ended there;
 *    a mismatch is TACIT_EL1_REPLY, the entries before it returned), in index order, from the
 *    contract's deployBlock() on (read once), at most log_range blocks per eth_getLogs (halved
 *    while the L1 node refuses a range: providers cap them), at most 16 requests per call (a
 *    long history is read over several steps), each scan starting where the last one left off
 *    (less 64 blocks: an L1 reorg moving an entry);
 *  - is_open: the contract's isOpen() as the next L1 block will see it (eth_call at the
 *    "pending" block: a submission sent now lands there at the earliest) and its height() at
 *    the L1 head (eth_call; a contract without isOpen() answers the call's revert);
 *  - heads, lookup (the contract's custom errors named), send: tacit_settle_l1_*.
 * l1, sender and tree_pk are borrowed and must outlive the settler. TACIT_ENOMEM, TACIT_EINVAL.
 */
struct tacit_l1_sender;
struct tacit_rollup_settler_opts {
    struct tacit_l1 *l1;
    struct tacit_l1_sender *sender;
    uint8_t contract[20];
    const tacit_groth16_pk *tree_pk;
    unsigned max_leaves;  /* the contract's maxLeaves() */
    unsigned nthreads;    /* the prover's (0: all cores) */
    uint32_t final_depth; /* as tacit_settle_l1_heads */
    uint64_t log_range;   /* blocks per eth_getLogs at most (0: 10,000) */
    uint64_t part_gas;    /* a submission's gas budget (tacit_rollup_gas_estimate; 0:
                           * TACIT_ROLLUP_PART_GAS_DEFAULT): a larger block goes in parts */
};
int tacit_rollup_settler_new(struct tacit_settler *out, const struct tacit_rollup_settler_opts *o);
void tacit_rollup_settler_free(struct tacit_settler *s);

/*
 * The L1 follower's reader (src/settle/reader.c; tacitd --follow-l1, docs/operations.md
 * "Followers"): the chain rebuilt from the contract alone, over an L1 JSON-RPC endpoint.
 *  - info: the L1's chain id and the contract's chainId() (the L2's), deployBlock(),
 *    maxLeaves(), sequencer() and feeRecipient();
 *  - head: eth_blockNumber; block_hash: the hash of L1 block `number` on the node's canonical
 *    chain (TACIT_ENOTFOUND: the L1 is shorter);
 *  - scan: the contract's BlockSubmitted and BlockPartSubmitted logs of L1 blocks
 *    from_l1..to_l1 (at most 10,000 blocks per eth_getLogs, halved while the node refuses a
 *    range; at most 16 requests), and for each block of height >= next_height, in order, its
 *    submitting transaction's calldata (eth_getTransactionByHash; its receipt a success, in
 *    the log's block, sent to the contract): submitBlock's `block`, or the parts of a block
 *    put together (header || credits of its first part || ntxs || every part's transactions).
 *    out[0..*n), at most max, heights next_height, next_height + 1, ...; *resume is the L1
 *    block the next scan starts at (blocks of heights already returned are skipped). A
 *    height that jumps, or a submission that does not decode, is TACIT_EL1_REPLY or
 *    TACIT_EENCODING with why; L1 errors pass through (what was read before one is returned,
 *    TACIT_OK).
 * Blocking; one thread at a time.
 */
struct tacit_rollup_reader;
struct tacit_rollup_info {
    uint64_t l1_chain_id;
    uint64_t chain_id; /* the L2's */
    uint64_t deploy_block;
    uint64_t max_leaves;
    uint8_t sequencer[20]; /* the L1 address that submits */
    uint8_t fee_recipient[20];
};
struct tacit_rollup_derived {
    uint64_t height;
    uint8_t *block; /* malloc'd: the L2 block as encoded */
    size_t block_len;
    uint64_t l1_block; /* the L1 block of its BlockSubmitted log */
    uint8_t l1_hash[32];
    uint8_t l1_tx[32]; /* the transaction that logged it (its last part's) */
    uint8_t chain[32]; /* the contract's blockHash after it */
    uint32_t nparts;   /* 1: whole */
};
void tacit_rollup_derived_clear(struct tacit_rollup_derived *d);
int tacit_rollup_reader_new(struct tacit_rollup_reader **out, const char *l1_url,
                            const uint8_t contract[20], uint64_t log_range);
/* The same over an L1 the caller owns (borrowed: it must outlive the reader; tests). */
int tacit_rollup_reader_new_l1(struct tacit_rollup_reader **out, struct tacit_l1 *l1,
                               const uint8_t contract[20], uint64_t log_range);
void tacit_rollup_reader_free(struct tacit_rollup_reader *r);
int tacit_rollup_reader_info(struct tacit_rollup_reader *r, struct tacit_rollup_info *out);
int tacit_rollup_reader_head(struct tacit_rollup_reader *r, uint64_t *latest);
int tacit_rollup_reader_block_hash(struct tacit_rollup_reader *r, uint64_t number,
                                   uint8_t hash[32]);
int tacit_rollup_reader_scan(struct tacit_rollup_reader *r, uint64_t from_l1, uint64_t to_l1,
                             uint64_t next_height, struct tacit_rollup_derived *out, size_t max,
                             size_t *n, uint64_t *resume, char *why, size_t wlen);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_SETTLE_H */
