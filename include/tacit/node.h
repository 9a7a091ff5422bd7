/*
 * tacit — the sequencer node (shared/docs/DESIGN.md 3): one libuv loop owns the RPC sockets,
 * the mempool and the batcher; proofs are verified on the libuv thread pool (batched), blocks
 * are built, signed and committed on a worker (one at a time: LMDB writes happen from one place).
 * apps/tacitd parses the command line and the config file into a tacit_node_config and calls
 * tacit_node_run. docs/operations.md describes the data directory and the life cycle.
 */
#ifndef TACIT_NODE_H
#define TACIT_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/chain.h"
#include "tacit/rpc_limits.h" /* struct tacit_rpc_limits (the server itself: node_internal.h) */

struct tacit_settler; /* include/tacit/settle.h */

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_DEVNET_CHAIN_ID 0x7461u
#define TACIT_DEVNET_ACCOUNTS 10
/* The devnet's accounts are m/44'/60'/0'/0/i of this BIP-39 phrase: anvil's (and Hardhat's), so
 * devnet account i is anvil's account i (0: 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266). Public
 * knowledge: devnet only. */
#define TACIT_DEVNET_MNEMONIC "test test test test test test test test test test test junk"
#define TACIT_DEVNET_FUNDS UINT64_C(1000000000000)
#define TACIT_DEFAULT_RPC_PORT 8645

enum tacit_log_level { TACIT_LOG_ERROR, TACIT_LOG_WARN, TACIT_LOG_INFO, TACIT_LOG_DEBUG };

struct tacit_node_config {
    const char *datadir; /* required (tacitd: ./.tacit-devnet for --devnet) */
    bool devnet;         /* keys, accounts and genesis made on first start; dev_* RPC */
    uint64_t chain_id;   /* required unless devnet */
    uint8_t rollup_id[TACIT_ROLLUP_ID_LEN];
    const char *vk_file;  /* snarkjs verification_key.json (not devnet: required) */
    const char *rpc_host; /* NULL: no TCP listener */
    uint16_t rpc_port;
    const char *rpc_socket; /* NULL: <datadir>/tacitd.sock; "" : none */
    struct tacit_rpc_limits rpc_limits;
    const char *const *rpcauth; /* NULL-terminated, or NULL */
    const char *metrics_host;   /* /metrics on a listener of its own (NULL: none; tacitd:
                                 * --metrics-bind, loopback by default) */
    uint16_t metrics_port;
    bool metrics_on_rpc;  /* /metrics on the RPC port too (default false: 404 there) */
    const char *rpc_cors; /* CORS: NULL off (default); an origin or "*" (include/tacit/rpc.h) */
    uint32_t block_interval_ms; /* 1000 */
    uint32_t max_block_txs;     /* 2048 */
    bool empty_blocks;          /* a fixed cadence: a block every block_interval_ms, empty or
                                 * not (default false; tacitd --devnet: true) */
    uint64_t min_fee;           /* initial value; admin_setMinFee changes (and persists) it */
    uint32_t root_history;      /* 0: the store's (256 when the chain is made); a chain
                                    * parameter: another value than the store's is refused */
    size_t mempool_max_txs;     /* 50000 */
    size_t mempool_max_bytes;   /* 256 MiB */
    unsigned verify_threads;    /* proof-verification jobs in flight (0: number of cores) */
    size_t verify_queue_max;    /* txs waiting for their proof check (8192): past it, EBUSY */
    bool nosync;                /* tests/benchmarks only: no fsync per block */
    bool new_chain;             /* tacitd --new-chain: an initialised data directory whose store
                                      is missing or empty begins a new chain (else: refused) */
    /* L1 mode (docs/operations.md, "Settlement on L1"): every block submitted to the rollup
     * contract through the settler and followed to finality; credits only from the L1 queue.
     * NULL: no L1. tacitd makes one from --l1-rpc, --l1-rollup, --l1-key. */
    const struct tacit_settler *settler;
    uint32_t l1_confirmations; /* a queue entry is credited once the L1 head is this many
                                * blocks past the entry's block (default 2) */
    uint32_t settle_poll_ms;   /* the submitter's step every N ms (default 1000) */
    uint32_t l1_max_inflight;  /* blocks submitted and not yet settled at most (default 4; 1:
                                * one at a time) */
    uint32_t l1_bump_after;    /* a submission still pending N L1 blocks after it was sent is
                                * replaced with 12.5% higher fees (default 3; 0: never) */
    uint64_t l1_max_fee_gwei;  /* tacitd: the submitter's max fee per gas cap (0: none) */
    uint64_t l1_part_gas;      /* tacitd: a submission's gas budget; a larger block goes in parts
                                * (0: TACIT_ROLLUP_PART_GAS_DEFAULT, 13,000,000) */
    const char *l1_rpc, *l1_rollup, *l1_key; /* tacitd's flags the settler is made from */
    const char *l1_tree_key; /* tacitd: the tree-update proving key (default <datadir>/keys/
                               * tree_update.zkey) */
    uint32_t l1_final_depth; /* tacitd: L1 blocks final after N (0: the L1's finalized tag) */
    uint64_t l1_chain_id;    /* with a settler: the L1's chain id; the chain takes protocol v2
                           * (TACIT_TX_VERSION_L1, rollup_id = the contract) */
    /* Follower mode (docs/operations.md, "Followers"): the node does not sequence; it takes the
     * blocks of the sequencer at this JSON-RPC URL, re-verifies each (tacit_block_apply) and
     * commits it. NULL: a sequencer. */
    const char *follow;
    const char *sequencer_key; /* follower: "0x<x-only key>" the chain must have (NULL: the
                                * sequencer's tacit_chainInfo at the first start, recorded) */
    bool follow_devnet;        /* follower of a devnet: its blocks may mint (dev_fund credits) */
    bool follow_forward;       /* follower: tacit_sendRawTransaction passed on to the sequencer
                                * (default false: refused) */
    /* The L1 follower (docs/operations.md, "Followers"): with l1_rpc and l1_rollup (no l1_key,
     * no settler), the chain rebuilt from the contract's calldata (follow_l1: alone; with
     * follow: the sequencer's blocks checked against it, L1 alone after a disagreement), from
     * L1 blocks l1_confirmations under the head. */
    bool follow_l1;
    /* With follow_l1 and a settler (tacitd: --l1-key): while the contract's isOpen() is true
     * (submission open to anyone: its queue's head older than its forceDelay, or no block
     * settled for as long), the follower makes blocks of open submission itself (no key, no
     * signature) from the L1 queue and its own mempool, proves and submits them with the
     * settler; it drops its blocks the contract did not take, and follows again once
     * submission closes (docs/operations.md, "When the sequencer stops"). */
    bool sequence_when_open;
    enum tacit_log_level log_level;
    const char *log_file; /* NULL: stderr; reopened on SIGHUP (include/tacit/node.h) */
    /* For a service manager (tacitd: systemd's sd_notify, docs/operations.md "Running as a
     * service"): called on the loop with "READY=1\nSTATUS=…" once the node serves, and
     * "STOPPING=1\nSTATUS=…" when its stop begins. NULL: nobody is told. */
    void (*notify)(const char *state);
};

/* dev_increaseTime: the devnet's clock offset stays within 10 years. */
#define TACIT_DEVNET_TIME_MAX_S UINT64_C(315360000)

/* dev_mine N: at most this many blocks per call. */
#define TACIT_DEVNET_MINE_MAX 10000

/* dev_fund credits waiting for one block, at most (past it: EBUSY until that block). */
#define TACIT_NODE_DEVNET_MAX_CREDITS 4096

/* The defaults above; datadir and chain id unset. */
void tacit_node_config_init(struct tacit_node_config *c);

/* Runs the node until SIGINT, SIGTERM or SIGQUIT (or a fatal start-up error); SIGHUP and
 * SIGUSR1 reopen the log file, SIGUSR2 is ignored (docs/operations.md). Returns 0 on a clean
 * stop, else a non-zero exit status after logging why (e.g. the data directory is locked). */
int tacit_node_run(const struct tacit_node_config *cfg);

/* Logging (node, rpc and binaries only): one line per event on stderr or in the log file,
 * "2026-11-28T13:00:00.123Z INFO  node: message". The message never breaks the line: control
 * characters, bytes that are not valid UTF-8 and the Unicode controls that hide or reorder
 * text are written escaped (\n, \xHH, \uHHHH). Thread-safe. */
void tacit_log_set_level(enum tacit_log_level l);
void tacit_log(enum tacit_log_level l, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Every string from outside that goes into a log line (a path, a method name, a client's
 * input, a file's contents, an error detail) goes through one of these, so that a reader can
 * tell where it ends and it cannot forge a line:
 *  - tacit_log_str: the string bare when it is non-empty printable text without spaces, '"'
 *    or '\' (a plain path, a URL), else in double quotes with '"' and '\' escaped too;
 *  - tacit_log_quoted: always in double quotes (for messages that say `key "NAME"`).
 * Control characters, invalid UTF-8 and hidden Unicode controls are escaped as in tacit_log;
 * a result longer than TACIT_LOG_STR_SIZE - 1 bytes is cut and ends in "...". NULL gives
 * "(null)". Returns out (or a constant string). TACIT_LOG_S / TACIT_LOG_QS give each use its
 * own buffer, alive until the end of the enclosing block: tacit_log(..., "%s", TACIT_LOG_S(path)).
 */
#define TACIT_LOG_STR_SIZE 1024
const char *tacit_log_str(char out[TACIT_LOG_STR_SIZE], const char *s);
const char *tacit_log_quoted(char out[TACIT_LOG_STR_SIZE], const char *s);
#define TACIT_LOG_S(s) tacit_log_str((char[TACIT_LOG_STR_SIZE]){0}, (s))
#define TACIT_LOG_QS(s) tacit_log_quoted((char[TACIT_LOG_STR_SIZE]){0}, (s))

/*
 * The log file (tacitd --log-file): tacit_log_open(path) appends every later line to path
 * (created mode 0640), tacit_log_open(NULL) goes back to stderr. tacit_log_reopen opens the
 * same path again (after logrotate moved the file: SIGHUP), replacing the descriptor
 * atomically; with no log file it does nothing. Neither while another thread calls
 * tacit_log_open. Returns TACIT_OK, TACIT_ENOENT (no such directory), TACIT_EIO, TACIT_ENOMEM;
 * on failure the log keeps going where it went.
 * tacit_log_path: the log file's path, or NULL for stderr.
 */
int tacit_log_open(const char *path);
int tacit_log_reopen(void);
const char *tacit_log_path(void);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_NODE_H */
