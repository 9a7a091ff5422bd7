/*
 * tacit — the node's internals, shared by node.c (life cycle, admission, batcher), methods.c
 * (the JSON-RPC methods) and devnet.c (data directory, keys, devnet set-up, snapshots).
 * Everything here runs on the loop thread unless it says otherwise.
 */
#ifndef TACIT_NODE_INTERNAL_H
#define TACIT_NODE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "node/mempool.h"
#include "tacit/chain.h"
#include "tacit/groth16.h"
#include "tacit/node.h"
#include "tacit/rpc.h"
#include "tacit/state.h"

/* A tx waiting for (or in) a proof-verification job. */
struct tacit__pending {
    struct tacit__pending *next;
    struct tacit_rpc_call *call;
    struct tacit_tx tx;
    uint8_t id[32];
    uint8_t bytes[TACIT_TX_BYTES];
    int result;
};

/* A call replied to when something happens: a block reaching a height, a block committed. */
struct tacit__waiter {
    struct tacit__waiter *next;
    struct tacit_node *n;
    struct tacit_rpc_call *call;
    int kind;                 /* TACIT__WAIT_* */
    uint64_t height;          /* WAIT_HEIGHT: reply when the tip reaches it */
    uint64_t deadline_ms;     /* WAIT_HEIGHT: reply null after it */
    bool has_credit;          /* WAIT_NEXT_BLOCK from dev_fund: this credit goes in the block */
    struct tacit_credit credit;
    int rc;                   /* the credit's own error (EOVERFLOW): it was left out */
};
enum { TACIT__WAIT_HEIGHT, TACIT__WAIT_NEXT_BLOCK };

#define TACIT__RECENT_BLOCKS 16

#define TACIT__NSIGNALS 6 /* SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 */

/* Rejected statuses, bounded (oldest forgotten first). */
#define TACIT__REJECTED_MAX 65536
struct tacit__rejected {
    uint8_t id[32];
    int reason;
    bool used;
};

/* Latency histogram for /metrics (coarse buckets: timing data must not identify txs). */
#define TACIT__HIST_N 10
struct tacit__hist {
    uint64_t bucket[TACIT__HIST_N + 1]; /* cumulative at render time; +Inf last */
    uint64_t count;
    double sum;
};
void tacit__hist_add(struct tacit__hist *h, double seconds);

struct tacit_node {
    struct tacit_node_config cfg;
    uv_loop_t loop;
    char *datadir;
    char *state_dir;
    int lock_fd;
    bool datadir_initialised;      /* a node ran here before (devnet.c): a missing store or key is damage */
    char *cookie;                  /* "__cookie__:<hex>" in sodium_malloc memory */
    char *socket_path;

    struct tacit_state *st;
    struct tacit_chain_params params;
    struct tacit_sequencer_key *key;
    tacit_groth16_vk *vk;
    tacit_groth16_pvk *pvk;
    char *vk_json;
    struct tacit_mempool *mp;
    struct tacit_rpc_server *rpc;

    uv_timer_t block_timer;
    uv_timer_t wait_timer;
    uv_signal_t sig[TACIT__NSIGNALS]; /* node.c's signal table: stop, reopen the log, ignore */
    bool stopping;
    bool paused;
    int exit_code;
    bool store_failed;             /* the last commit failed (disk full, I/O): /health says so */

    /* admission: txs waiting for a proof-verification job */
    struct tacit__pending *vq_head, *vq_tail;
    size_t vq_len;
    unsigned verify_inflight;
    unsigned verify_threads;
    unsigned backups_inflight;     /* admin_backup copies running on the thread pool */
    /* big reads (block ranges, commitments, subtree roots): built on the thread pool one at a
     * time, in arrival order (methods.c) */
    struct tacit__read_job *reads_head, *reads_tail;
    bool read_inflight;

    /* batcher */
    bool block_inflight;
    bool mine_requested;           /* dev_mine / dev_fund: seal even an empty block */
    size_t ncredits;               /* dev_fund credits among block_waiters (at most 65,536) */
    int block_rc;                  /* the last block job's error (TACIT_OK once one commits): /health */
    struct tacit__waiter *block_waiters;   /* dev_mine / dev_fund: reply after the next block */
    struct tacit__waiter *height_waiters;  /* tacit_waitForBlock */
    struct tacit_rpc_call *revert_call;    /* dev_revert waiting for the block in flight */
    uint64_t revert_id;

    /* statuses of txs that were pending and are no more without being included */
    struct tacit__rejected *rejected;
    size_t rejected_next;

    uint64_t snapshot_next;        /* devnet snapshots: ids 1, 2, ... */

    /* JSON of the most recent blocks (made on the block worker after the commit): readers of
     * new blocks (getBlockByNumber "latest", waitForBlock) never decode them on the loop. */
    json_t *recent[TACIT__RECENT_BLOCKS];

    /* metrics */
    uint64_t m_blocks, m_txs_included, m_txs_admitted, m_txs_rejected_admission, m_commit_failures;
    struct tacit__hist h_verify, h_commit, h_block_build;
};

/* node.c */
void tacit__node_kick_batcher(struct tacit_node *n);        /* seal a block now if possible */
int tacit__node_submit(struct tacit_node *n, struct tacit_rpc_call *call, const uint8_t *bytes,
                       size_t len);                         /* tacit_sendRawTransaction */
bool tacit__node_jobs_busy(const struct tacit_node *n); /* a job that reads the store runs */
void tacit__node_backup(struct tacit_node *n, struct tacit_rpc_call *call, const char *dir);
void tacit__node_record_rejected(struct tacit_node *n, const uint8_t id[32], int reason);
int tacit__node_rejected_reason(const struct tacit_node *n, const uint8_t id[32]);
void tacit__node_add_waiter(struct tacit__waiter **list, struct tacit__waiter *w);
void tacit__node_cancel_height_waiter(void *w);     /* its client left (tacit_rpc_call_park) */
void tacit__node_job_finished(struct tacit_node *n); /* a job counted by jobs_busy ended */
uint64_t tacit__now_ms(void);
void tacit__node_metrics(void *ud, char **text, size_t *len);
bool tacit__node_health(void *ud, char **json);

/* methods.c */
extern const struct tacit_rpc_method tacit__node_methods[];
json_t *tacit__block_json(struct tacit_node *n, uint64_t height, bool raw); /* new ref (null if none) */
json_t *tacit__block_json_from_bytes(const uint8_t *bytes, size_t len); /* any thread; new ref or NULL */
void tacit__recent_blocks_clear(struct tacit_node *n);

/* devnet.c: data directory, persistent node flags, keys, devnet set-up, snapshots */
int tacit__datadir_lock(struct tacit_node *n);
void tacit__datadir_unlock(struct tacit_node *n);
int tacit__cookie_write(struct tacit_node *n);
void tacit__cookie_remove(struct tacit_node *n);
int tacit__flags_load(struct tacit_node *n);     /* paused, min fee: <datadir>/node-flags.json */
int tacit__flags_save(struct tacit_node *n);
int tacit__sequencer_key_load(struct tacit_node *n); /* <datadir>/sequencer.key, made if absent */
int tacit__keys_load(struct tacit_node *n);          /* the verifying key (devnet: made if absent) */
int tacit__devnet_genesis(struct tacit_node *n);     /* accounts + genesis block on a new devnet */
int tacit__devnet_set_rpc_url(struct tacit_node *n, const char *url); /* the URL really bound */
int tacit__snapshot_take(struct tacit_node *n, uint64_t *id);
int tacit__snapshot_revert(struct tacit_node *n, uint64_t id);
/* The store at start: refused when missing or empty in an initialised data directory (unless
 * --new-chain), truncated, or signed by another sequencer key; writes <datadir>/chain.json. */
int tacit__state_open(struct tacit_node *n);

#endif /* TACIT_NODE_INTERNAL_H */
