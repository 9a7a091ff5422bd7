/*
 * tacit — the L1 port: what tacit asks of an Ethereum node (module l1;
 * ../shared/docs/SETTLEMENT.md 7). The node, its tests and a follower see the L1 only through
 * a struct tacit_l1: a table of operations and a context, so they do not care which L1 answers.
 *
 * Implementations:
 *   - tacit_l1_http_new: any Ethereum JSON-RPC endpoint over HTTP/1.1 (anvil, geth, reth, ...;
 *     "http://host:port" with no path, or "unix:/path"; no TLS: put a local node or proxy in
 *     front of a remote one), with bounded retries on transport errors;
 *   - tacit_l1_new with a caller's ops: an in-memory L1 for tests (tests/test_l1.c has one).
 *
 * Threads and blocking: every call BLOCKS until the node answers, the call's deadline passes or
 * the retries are used up (at most attempts * (timeout + backoff), see struct
 * tacit_l1_http_opts). The node must run these calls on a thread of their own, never on its
 * event loop. One struct tacit_l1 (and one sender) is used by one thread at a time; it may move
 * between threads.
 *
 * Errors: every call returns TACIT_OK or a code of include/tacit/error.h:
 *   TACIT_EL1_UNREACHABLE  connection refused or reset, after the retries;
 *   TACIT_ETIMEOUT         no answer within the deadline, after the retries;
 *   TACIT_EL1_REPLY        an answer that is not what the method returns (a field missing, a
 *                          quantity with leading zeros, a hash of the wrong length, ...);
 *   TACIT_ENOTFOUND        no such block, no receipt yet (the transaction is pending or unknown);
 *   TACIT_EL1_REVERTED     eth_call or eth_estimateGas reverted: the revert data is in the
 *                          call's detail, and tacit_l1_revert_reason names it;
 *   TACIT_EL1_NONCE_TOO_LOW, TACIT_EL1_NONCE_TOO_HIGH, TACIT_EL1_UNDERPRICED,
 *   TACIT_EL1_INSUFFICIENT_FUNDS   eth_sendRawTransaction refused for that reason;
 *   TACIT_EL1_RPC          any other JSON-RPC error (its code and message in the detail);
 *   TACIT_ENOMEM.
 * After each call, tacit_l1_last_error tells the detail: the node's JSON-RPC error code and
 * message (cut to 255 bytes, as the node sent them: escape before logging) and the revert data.
 * Secrets never reach the node or the detail: only signed transactions are sent.
 */
#ifndef TACIT_L1_H
#define TACIT_L1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/eth.h"
#include "tacit/uint256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Block tags, where a block number is asked (EIP-1898's names). */
#define TACIT_L1_LATEST UINT64_MAX
#define TACIT_L1_PENDING (UINT64_MAX - 1)
#define TACIT_L1_SAFE (UINT64_MAX - 2)
#define TACIT_L1_FINALIZED (UINT64_MAX - 3)

struct tacit_l1_block {
    uint64_t number;
    uint64_t timestamp;
    uint8_t hash[32];
    uint8_t parent_hash[32];
    bool has_base_fee;      /* false before London */
    tacit_uint256 base_fee; /* baseFeePerGas */
};

struct tacit_l1_log {
    uint8_t address[TACIT_ETH_ADDRESS_LEN];
    uint8_t topics[4][32];
    size_t ntopics;
    uint8_t *data; /* malloc'd (freed with the receipt or the log array) */
    size_t data_len;
    uint64_t block_number;
    uint8_t block_hash[32];
    uint8_t tx_hash[32];
    uint64_t log_index;
    bool removed; /* dropped by a reorg (eth_getLogs on some nodes) */
};

struct tacit_l1_receipt {
    uint8_t tx_hash[32];
    uint8_t block_hash[32];
    uint64_t block_number;
    bool success; /* status 1 */
    uint64_t gas_used;
    tacit_uint256 effective_gas_price;
    bool has_contract_address; /* a creation */
    uint8_t contract_address[TACIT_ETH_ADDRESS_LEN];
    struct tacit_l1_log *logs;
    size_t nlogs;
};
/* Frees the logs (the struct itself is the caller's). */
void tacit_l1_receipt_clear(struct tacit_l1_receipt *r);

/* A transaction as eth_getTransactionByHash returns it (what a follower reads of a submission:
 * its calldata). Clear it after (tacit_l1_tx_clear). */
struct tacit_l1_tx {
    uint8_t hash[32];
    uint8_t from[TACIT_ETH_ADDRESS_LEN];
    bool has_to; /* false: a creation */
    uint8_t to[TACIT_ETH_ADDRESS_LEN];
    bool mined; /* false: pending (no block yet) */
    uint64_t block_number;
    uint8_t block_hash[32];
    uint8_t *input; /* malloc'd: the calldata */
    size_t input_len;
};
void tacit_l1_tx_clear(struct tacit_l1_tx *t);
void tacit_l1_logs_free(struct tacit_l1_log *logs, size_t n);

/* A call or gas estimate (eth_call, eth_estimateGas): from optional, no "to" for a creation. */
struct tacit_l1_call {
    bool has_from;
    uint8_t from[TACIT_ETH_ADDRESS_LEN];
    bool create;
    uint8_t to[TACIT_ETH_ADDRESS_LEN];
    tacit_uint256 value;
    const uint8_t *data;
    size_t data_len;
    uint64_t gas; /* 0: not given */
};

/* eth_getLogs: blocks from..to (numbers or tags), any of the addresses (none: any), and per
 * position 0..3 a topic or NULL for any. */
struct tacit_l1_filter {
    uint64_t from_block, to_block;
    const uint8_t (*addresses)[TACIT_ETH_ADDRESS_LEN];
    size_t naddresses;
    const uint8_t *topics[4];
};

/* eth_feeHistory: base_fee has n + 1 entries (the last is the next block's), reward n (at the
 * percentile asked). Freed with tacit_l1_fee_history_clear. */
struct tacit_l1_fee_history {
    uint64_t oldest_block;
    size_t n;
    tacit_uint256 *base_fee;
    tacit_uint256 *reward;
};
void tacit_l1_fee_history_clear(struct tacit_l1_fee_history *h);

/* What the node said about the last call's failure. */
struct tacit_l1_error {
    long long rpc_code;   /* the JSON-RPC error code (0: none) */
    char message[256];    /* the node's message, cut (as sent: escape before logging) */
    uint8_t *revert_data; /* malloc'd, or NULL */
    size_t revert_len;
};

/* The operations an implementation provides. Each gets the error detail to fill (cleared
 * before the call) and returns a code as described at the top of this file. */
struct tacit_l1_ops {
    int (*chain_id)(void *ctx, struct tacit_l1_error *err, uint64_t *out);
    int (*block_number)(void *ctx, struct tacit_l1_error *err, uint64_t *out);
    int (*get_block)(void *ctx, struct tacit_l1_error *err, uint64_t block,
                     struct tacit_l1_block *out);
    int (*get_balance)(void *ctx, struct tacit_l1_error *err, const uint8_t address[20],
                       uint64_t block, tacit_uint256 *out);
    int (*get_nonce)(void *ctx, struct tacit_l1_error *err, const uint8_t address[20],
                     uint64_t block, uint64_t *out);
    int (*max_priority_fee)(void *ctx, struct tacit_l1_error *err, tacit_uint256 *out);
    int (*fee_history)(void *ctx, struct tacit_l1_error *err, unsigned nblocks, uint64_t newest,
                       unsigned percentile, struct tacit_l1_fee_history *out);
    int (*estimate_gas)(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_call *call,
                        uint64_t *out);
    int (*call)(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_call *call,
                uint64_t block, uint8_t **out, size_t *len);
    int (*send_raw)(void *ctx, struct tacit_l1_error *err, const uint8_t *raw, size_t len);
    int (*tx_known)(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32], bool *known);
    int (*get_receipt)(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32],
                       struct tacit_l1_receipt *out);
    int (*get_logs)(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_filter *f,
                    struct tacit_l1_log **out, size_t *n);
    void (*free)(void *ctx);
    /* Optional (NULL: TACIT_EINVAL): eth_getTransactionByHash in full. */
    int (*get_tx)(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32],
                  struct tacit_l1_tx *out);
};

struct tacit_l1;

/* An L1 over the caller's ops (ctx is freed by ops->free when the L1 is). TACIT_ENOMEM. */
int tacit_l1_new(struct tacit_l1 **out, const struct tacit_l1_ops *ops, void *ctx);
/* Frees the implementation too (NULL allowed). */
void tacit_l1_free(struct tacit_l1 *l1);
const struct tacit_l1_error *tacit_l1_last_error(const struct tacit_l1 *l1);

struct tacit_l1_http_opts {
    unsigned timeout_ms;     /* per attempt (0: 10 s) */
    unsigned attempts;       /* tries on a transport error (0: 4) */
    unsigned backoff_ms;     /* first wait before a retry, doubled each time (0: 100) */
    unsigned backoff_max_ms; /* cap of one wait (0: 2,000) */
};
/* An L1 over JSON-RPC at url (opts NULL: the defaults). TACIT_EINVAL (bad URL), TACIT_ENOMEM.
 * Nothing is sent until the first call. Transport errors are retried (eth_sendRawTransaction
 * too: a node that already has the transaction says so, which counts as sent). */
int tacit_l1_http_new(struct tacit_l1 **out, const char *url,
                      const struct tacit_l1_http_opts *opts);

/* The calls, one per JSON-RPC method (block: a number or a TACIT_L1_* tag). */
int tacit_l1_chain_id(struct tacit_l1 *l1, uint64_t *out);     /* eth_chainId */
int tacit_l1_block_number(struct tacit_l1 *l1, uint64_t *out); /* eth_blockNumber */
int tacit_l1_get_block(struct tacit_l1 *l1, uint64_t block, struct tacit_l1_block *out);
int tacit_l1_get_balance(struct tacit_l1 *l1, const uint8_t address[20], uint64_t block,
                         tacit_uint256 *out);
int tacit_l1_get_nonce(struct tacit_l1 *l1, const uint8_t address[20], uint64_t block,
                       uint64_t *out); /* eth_getTransactionCount */
int tacit_l1_max_priority_fee(struct tacit_l1 *l1, tacit_uint256 *out);
int tacit_l1_fee_history(struct tacit_l1 *l1, unsigned nblocks, uint64_t newest,
                         unsigned percentile, struct tacit_l1_fee_history *out);
int tacit_l1_estimate_gas(struct tacit_l1 *l1, const struct tacit_l1_call *call, uint64_t *out);
/* eth_call: *out malloc'd (free()), the return data. */
int tacit_l1_call(struct tacit_l1 *l1, const struct tacit_l1_call *call, uint64_t block,
                  uint8_t **out, size_t *len);
/* eth_sendRawTransaction; "already known" counts as sent. The hash is keccak256(raw). */
int tacit_l1_send_raw(struct tacit_l1 *l1, const uint8_t *raw, size_t len);
/* eth_getTransactionByHash: whether the node knows the transaction (pending or mined). */
int tacit_l1_tx_known(struct tacit_l1 *l1, const uint8_t hash[32], bool *known);
/* eth_getTransactionByHash: the transaction (TACIT_ENOTFOUND when the node does not know it);
 * clear *out after. TACIT_EINVAL from an implementation without it. */
int tacit_l1_get_tx(struct tacit_l1 *l1, const uint8_t hash[32], struct tacit_l1_tx *out);
/* eth_getTransactionReceipt: TACIT_ENOTFOUND while pending or unknown. Clear *out after. */
int tacit_l1_get_receipt(struct tacit_l1 *l1, const uint8_t hash[32], struct tacit_l1_receipt *out);
/* eth_getLogs: *out freed with tacit_l1_logs_free. */
int tacit_l1_get_logs(struct tacit_l1 *l1, const struct tacit_l1_filter *f,
                      struct tacit_l1_log **out, size_t *n);

/* Polls for the receipt every poll_ms until timeout_ms: TACIT_ETIMEOUT when none came, else
 * tacit_l1_get_receipt's result. A mined transaction that failed is TACIT_OK with success
 * false; tacit_l1_wait_success makes it TACIT_EL1_TX_FAILED (the receipt still filled in). */
int tacit_l1_wait_receipt(struct tacit_l1 *l1, const uint8_t hash[32], unsigned timeout_ms,
                          unsigned poll_ms, struct tacit_l1_receipt *out);
int tacit_l1_wait_success(struct tacit_l1 *l1, const uint8_t hash[32], unsigned timeout_ms,
                          unsigned poll_ms, struct tacit_l1_receipt *out);

/* ------------------------------------------------------------------ reverts ---- */

/* Names revert data for a person: "Error(string): (\"reason\")" (selector 0x08c379a0),
 * "Panic(uint256): 0x11 (arithmetic overflow or underflow)" (0x4e487b71), a custom error from
 * the caller's signatures with its arguments ("NullifierSpent(bytes32): (0x12...)"), or
 * "unknown error 0x12345678 (N bytes)"; "no revert data" for none. Cut to fit n; bytes from
 * the node are escaped (printable ASCII only). custom may be NULL. */
void tacit_l1_revert_reason(char *out, size_t n, const uint8_t *data, size_t len,
                            const char *const *custom, size_t ncustom);

/* ------------------------------------------------------------------ sender ---- */

/*
 * A sender signs and sends transactions from one key, keeping its nonces and fees:
 *   - the next nonce comes from eth_getTransactionCount(pending) at first use, then counts up;
 *     when the node refuses a nonce (too low: another transaction took it; too high), the
 *     sender asks again, re-signs and retries once, unless its own transaction turns out to be
 *     known to the node already (a send that reached the node before a transport error);
 *   - fees: priority = eth_maxPriorityFeePerGas (or the 50th percentile of eth_feeHistory's
 *     rewards over 10 blocks when the node lacks the method), max fee = 2 * the latest base
 *     fee + priority (EIP-1559's headroom for 6 full blocks), capped by opts.max_fee_cap
 *     (TACIT_EL1_FEE_CAP when base fee + priority is already above it);
 *   - a replacement keeps the nonce and raises both fees by at least bump_permille (nodes
 *     require 10%) and to at least the current market;
 *   - the gas limit is eth_estimateGas plus gas_margin_permille when the caller gives none,
 *     at most gas_limit_max (an estimate above it: TACIT_ETOOBIG).
 * The chain id is checked against the node's once (TACIT_EL1_CHAIN_ID).
 */
struct tacit_l1_sender;

struct tacit_l1_sender_opts {
    uint64_t chain_id;
    tacit_uint256 max_fee_cap;    /* zero: no cap */
    unsigned bump_permille;       /* 0: 125 (12.5%); below 100 is raised to 100 */
    unsigned gas_margin_permille; /* 0: 200 (20%) */
    uint64_t gas_limit_max;       /* 0: none (an L1 with EIP-7825: 16,777,216) */
};

/* l1 and key are borrowed and must outlive the sender. TACIT_ENOMEM, TACIT_EINVAL (chain id 0). */
int tacit_l1_sender_new(struct tacit_l1_sender **out, struct tacit_l1 *l1,
                        const struct tacit_eth_key *key, const struct tacit_l1_sender_opts *opts);
void tacit_l1_sender_free(struct tacit_l1_sender *s);

/* A transaction as sent (what a replacement needs). Owns a copy of the data. */
struct tacit_l1_sent {
    struct tacit_eth_tx tx; /* tx.data points to the copy below */
    uint8_t hash[32];
    uint8_t *data;
};
void tacit_l1_sent_clear(struct tacit_l1_sent *sent);

/* Sends req's to/create, value and data (req->gas: the gas limit, 0 to estimate; from is
 * the sender's). On TACIT_OK *out is the transaction sent (clear it after). On a transport
 * error the transaction may have reached the node: out->hash is set (check it with
 * tacit_l1_tx_known) and the sender asks the node for its nonce before the next send.
 * TACIT_EL1_REVERTED when the estimate reverts (the reason in tacit_l1_last_error). */
int tacit_l1_sender_send(struct tacit_l1_sender *s, const struct tacit_l1_call *req,
                         struct tacit_l1_sent *out);
/* As tacit_l1_sender_send, but signs without sending: *raw (malloc'd, free()) the signed
 * bytes, out->hash their hash; the nonce is taken (the next one counts on). For a caller that
 * records a transaction before sending it (tacitd's settlement: a crash between the two then
 * neither loses it nor signs a second one), and sends it with tacit_l1_send_raw. */
int tacit_l1_sender_prepare(struct tacit_l1_sender *s, const struct tacit_l1_call *req,
                            struct tacit_l1_sent *out, uint8_t **raw, size_t *raw_len);
/* Replaces a sent transaction (same nonce, higher fees): *sent is updated to the replacement.
 * TACIT_EL1_NONCE_TOO_LOW: the nonce is used (the original, or another, was mined). */
int tacit_l1_sender_replace(struct tacit_l1_sender *s, struct tacit_l1_sent *sent);
/* A replacement for the signed transaction raw (one of this sender's), without sending it:
 * the same nonce, gas and calldata, both fees raised by at least bump_permille and to at least
 * the market's, the max fee capped by opts.max_fee_cap: *out (malloc'd, free()) the signed
 * bytes, hash their hash. TACIT_EL1_FEE_CAP when the cap is below the bumped fees;
 * TACIT_EINVAL when raw is not a transaction of this sender's chain. */
int tacit_l1_sender_rebid(struct tacit_l1_sender *s, const uint8_t *raw, size_t raw_len,
                          uint8_t hash[32], uint8_t **out, size_t *out_len);
/* The nonce the next send will use (asks the node when unknown). */
int tacit_l1_sender_next_nonce(struct tacit_l1_sender *s, uint64_t *out);
/* The next prepare asks the node for the account's pending nonce again (transactions prepared
 * earlier were dropped and will never be sent: their nonces are free again). */
void tacit_l1_sender_forget_nonce(struct tacit_l1_sender *s);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_L1_H */
