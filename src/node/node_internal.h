/*
 * tacit — the node's internals, shared by its parts (docs/architecture.md, "A transaction's
 * path"). Each part owns one member of struct tacit_node and the file of the same name:
 *
 *   admission.c   tacit_sendRawTransaction up to the mempool: decode, the static and state rules
 *                 and the proof on the verify lane, statuses of txs no longer pending   n->adm
 *   mempool.c     pending txs: conflicts, fee order, limits (mempool.h)                n->mp
 *   batcher.c     blocks: a block job on the block lane, its waiters, recent blocks     n->bat
 *   methods.c     the JSON-RPC methods; big reads on the thread pool                    n->reads
 *   datadir.c     the data directory: lock, cookie, flags, keys, the store at start
 *   devnet.c      devnet accounts and genesis, snapshots
 *   metrics.c     /metrics and /health                                                  n->m
 *   workers.c     lanes: dedicated worker threads with their own job queues
 *   lifecycle.c   tacit_node_run, signals, the stop, jobs that hold the store (backups, revert)
 *   settle.c      L1 mode: blocks submitted and followed on L1, the L1 queue's credits  n->settle
 *   follow.c      --follow URL: the sequencer's blocks fetched, re-verified, committed  n->follow
 *
 * Everything here runs on the loop thread unless it says otherwise.
 */
#ifndef TACIT_NODE_INTERNAL_H
#define TACIT_NODE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "node/mempool.h"
#include "tacit/chain.h"
#include "tacit/groth16.h"
#include "tacit/node.h"
#include "tacit/rpc.h"
#include "tacit/settle.h"
#include "tacit/state.h"

struct tacit_node;

/* ------------------------------------------------------------- workers.c ---- */

/*
 * A lane: threads of its own and one FIFO of jobs. work runs on a lane thread, then done on
 * the loop thread, in the order the works finished. Proof batches and block jobs each have a
 * lane, so neither waits behind the other or behind libuv's shared pool (4 threads, where
 * backups and big reads run).
 */
struct tacit__job {
    struct tacit__job *next;
    void (*work)(struct tacit__job *j); /* on a lane thread */
    void (*done)(struct tacit__job *j); /* on the loop thread, after work */
};
struct tacit__lane;
/* TACIT_OK, TACIT_EINVAL (no thread), TACIT_ENOMEM, TACIT_EIO (a thread could not start). */
int tacit__lane_new(struct tacit__lane **out, uv_loop_t *loop, const char *name, unsigned nthreads);
void tacit__lane_submit(struct tacit__lane *l, struct tacit__job *j);
/* CPU seconds (user + system) the lane's threads used so far (Linux /proc); -1 if unknown. */
double tacit__lane_cpu_s(const struct tacit__lane *l);
/* With no job queued or running: joins the threads and closes the loop handle (freed by the
 * loop's close callback). NULL ok. */
void tacit__lane_close(struct tacit__lane *l);

/* ----------------------------------------------------------- admission.c ---- */

/* A tx waiting for (or in) a proof-verification job. */
struct tacit__pending {
    struct tacit__pending *next;
    struct tacit_rpc_call *call;
    struct tacit_tx tx;
    uint8_t id[32];
    uint8_t bytes[TACIT_TX_BYTES];
    uint64_t conn; /* the submitting connection (tacit_rpc_call_conn) */
    int result;
};

/* Statuses of txs that were pending and are no more without being included, bounded (a new
 * one takes its slot: oldest forgotten first). The reason is answered only to the connection
 * that submitted the tx and to admin callers (issue 14, 6): conn, the submitter, is looked up
 * in submitters (the same slots, filled at admission) when the tx is dropped; 0 when forgotten. */
#define TACIT__REJECTED_MAX 65536
struct tacit__rejected {
    uint8_t id[32];
    uint64_t conn;
    int reason;
    bool used;
};
struct tacit__submitter {
    uint8_t id[32];
    uint64_t conn;
};

/* Verify jobs by their number of txs, for /metrics: [i] counts jobs of at most
 * tacit__verify_size_le[i] txs, the last one the rest. */
#define TACIT__VERIFY_SIZES 9
extern const unsigned tacit__verify_size_le[TACIT__VERIFY_SIZES - 1];

struct tacit__admission {
    struct tacit__lane *lane; /* "verify": verify_threads threads */
    unsigned threads;
    unsigned inflight;                  /* verify jobs on the lane */
    size_t running_txs;                 /* txs in those jobs */
    struct tacit__pending *head, *tail; /* the verify queue: waiting for a job */
    size_t len;
    struct tacit__rejected *rejected;
    struct tacit__submitter *submitters;
    uint64_t job_txs, job_sizes[TACIT__VERIFY_SIZES]; /* verify jobs started (metrics) */
};

/* How many of the queued txs the next verify job takes; 0: none yet (wait for more, or no
 * thread is idle). running jobs hold running_txs txs; threads is the lane's size. A pure
 * function of its arguments (tests/test_admission.c simulates it); the rule and the cost
 * model behind it are in admission.c. */
size_t tacit__verify_take(size_t queued, unsigned threads, unsigned running, size_t running_txs);

int tacit__admission_init(struct tacit_node *n); /* the lane (loop initialised), the statuses */
int tacit__admission_submit(struct tacit_node *n, struct tacit_rpc_call *call, const uint8_t *bytes,
                            size_t len); /* tacit_sendRawTransaction; else answered later */
void tacit__admission_dispatch(struct tacit_node *n); /* start verify jobs for the queue */
bool tacit__admission_queued(const struct tacit_node *n, const uint8_t id[32]);
/* No verify job runs: the queue answered EBUSY, the lane closed. */
void tacit__admission_stop(struct tacit_node *n);
void tacit__status_rejected(struct tacit_node *n, const uint8_t id[32], int reason);
/* The reason id was dropped, TACIT_OK when none or when call may not know it (not the
 * submitting connection, not an admin caller). call NULL: no such check. */
int tacit__status_reason(const struct tacit_node *n, const uint8_t id[32],
                         const struct tacit_rpc_call *call);
void tacit__status_clear(struct tacit_node *n);
void tacit__mempool_removed(void *n, const uint8_t id[32],
                            int reason); /* tacit_mempool_removed_cb */

/* ------------------------------------------------------------- batcher.c ---- */

/* A call answered when something happens: a block reaching a height, the next block. */
struct tacit__waiter {
    struct tacit__waiter *next;
    struct tacit_node *n;
    struct tacit_rpc_call *call;
    uint64_t height;      /* tacit_waitForBlock: reply when the tip reaches it */
    uint64_t deadline_ms; /* tacit_waitForBlock: reply null after it */
    bool has_credit;      /* dev_fund: this credit goes in the next block */
    struct tacit_credit credit;
    int rc;        /* the credit's own error (EOVERFLOW): it was left out */
    uint64_t more; /* dev_mine N: blocks still to seal after the next one before the reply */
};

#define TACIT__RECENT_BLOCKS 16

/* One of the recent blocks: its JSON and that JSON as compact text (json_dumps, JSON_COMPACT),
 * the reply of the readers that poll for new blocks. */
struct tacit__recent_block {
    uint64_t height;
    json_t *json; /* NULL: an empty slot */
    char *text;   /* malloc'd; NULL until made (a follower's block: at its first read) */
    size_t len;
};

struct tacit__batcher {
    struct tacit__lane *lane; /* "block": one thread */
    uv_timer_t timer;         /* every block_interval_ms */
    uv_timer_t wait_timer;    /* tacit_waitForBlock deadlines */
    bool timers_open;
    bool inflight;       /* a block job runs */
    bool mine_requested; /* dev_mine / dev_fund: seal even an empty block */
    size_t ncredits;     /* dev_fund credits among block_waiters */
    int last_rc;         /* the last block job's error (TACIT_OK once one commits) */
    uint64_t commits;    /* blocks committed by this process (admission's re-check) */
    /* the last committed block's delta for pending txs (its mempool re-check; admission's
     * re-check of a batch checked before it), when it could be read (delta_ok) */
    struct tacit_mempool_delta delta;
    bool delta_ok;
    /* devnet time control (dev_increaseTime, dev_setNextBlockTimestamp; loop thread only): whole
     * seconds added to the clock for block timestamps, and the next block's time (0: none) */
    int64_t time_offset_ms;
    uint64_t next_timestamp_ms;
    struct tacit__waiter *block_waiters;  /* dev_mine / dev_fund, newest first */
    struct tacit__waiter *height_waiters; /* tacit_waitForBlock */
    /* The most recent blocks' JSON and its text (made on the block lane after the commit):
     * readers of new blocks (getBlockByNumber "latest", waitForBlock) are answered from that
     * text, without a decode or a json_dumps on the loop. Slot height % TACIT__RECENT_BLOCKS. */
    struct tacit__recent_block recent[TACIT__RECENT_BLOCKS];
};

int tacit__batcher_init(struct tacit_node *n);   /* the lane and the timers (loop initialised) */
void tacit__batcher_run(struct tacit_node *n);   /* the timers start */
void tacit__batcher_start(struct tacit_node *n); /* a block job now, if one is due */
void tacit__batcher_full(struct tacit_node *n);  /* a full block is pending: start one */
/* The next block's timestamp (ms, whole seconds): the clock plus the devnet's offset, or the
 * time dev_setNextBlockTimestamp set (then cleared). Loop thread. */
uint64_t tacit__batcher_time_ms(struct tacit_node *n);
/* dev_mine (c NULL) / dev_fund: answered after the next block (dev_mine N: after N blocks, the
 * first the next one; 0 counts as 1). False if answered already. */
bool tacit__batcher_wait_block(struct tacit_node *n, struct tacit_rpc_call *call,
                               const struct tacit_credit *c, uint64_t blocks);
/* tacit_waitForBlock of a height not reached yet: answered when it is, or null at the deadline. */
void tacit__batcher_wait_height(struct tacit_node *n, struct tacit_rpc_call *call, uint64_t height,
                                uint64_t timeout_ms);
/* No block job runs: every waiter answered (EBUSY, or null), the timers and the lane closed. */
void tacit__batcher_stop(struct tacit_node *n);
/* A follower committed block `height` (follow.c): json (stolen, may be NULL) goes to the recent
 * blocks, the figures count it, tacit_waitForBlock calls that waited for it are answered. */
void tacit__batcher_followed(struct tacit_node *n, uint64_t height, json_t *json, size_t ntxs);

/* ------------------------------------------------------------- methods.c ---- */

extern const struct tacit_rpc_method tacit__node_methods[];

/* rpc.discover (src/node/discover.c): each method's params and result, for the OpenRPC document. */
struct tacit__method_doc {
    const char *name, *params, *result, *summary;
};
extern const struct tacit__method_doc tacit__node_method_docs[]; /* { NULL } ends it */
json_t *tacit__node_openrpc(void);                               /* NULL: out of memory */
void tacit__m_discover(struct tacit_rpc_call *call, json_t *params, void *ud);
json_t *tacit__block_json(struct tacit_node *n, uint64_t height,
                          bool raw); /* new ref (null if none) */
json_t *tacit__block_json_from_bytes(const uint8_t *bytes,
                                     size_t len);               /* any thread; new ref or NULL */
json_t *tacit__block_json_decoded(const struct tacit_block *b); /* the same, decoded */
void tacit__recent_blocks_clear(struct tacit_node *n);
/* Block `height` into the recent blocks (json, text: stolen; text NULL: made when first read). */
void tacit__recent_block_set(struct tacit_node *n, uint64_t height, json_t *json, char *text,
                             size_t len);
/* Answers call with block `height` without its raw bytes (null when there is none): from the
 * recent blocks' text when it holds the block and the answer has no settlement part (L1 mode:
 * that part changes after the commit), else from its JSON, as tacit__block_json. */
void tacit__reply_block(struct tacit_rpc_call *call, struct tacit_node *n, uint64_t height);

struct tacit__reads {
    /* big reads (block ranges, commitments, subtree roots): built on the thread pool one at a
     * time, in arrival order */
    struct tacit__read_job *head, *tail;
    bool inflight;
};

/* ------------------------------------------------------------- metrics.c ---- */

/* Latency histogram (coarse buckets: timing data must not identify txs). */
#define TACIT__HIST_N 10
struct tacit__hist {
    uint64_t bucket[TACIT__HIST_N + 1]; /* cumulative at render time; +Inf last */
    uint64_t count;
    double sum;
};

/* Where the node's CPU goes (thread CPU time, CLOCK_THREAD_CPUTIME_ID), by step of a
 * transaction's path (docs/architecture.md): tacit_node_cpu_seconds_total{stage}. */
enum tacit__cpu_stage {
    TACIT__CPU_ADMIT,    /* loop: hex, decode, chain params, tx id, mempool check, queue */
    TACIT__CPU_CHECKS,   /* verify lane: content and state rules */
    TACIT__CPU_POINTS,   /* verify lane: the proof's points (encoding, curve, subgroup) */
    TACIT__CPU_VERIFY,   /* verify lane: the batch's pairing check */
    TACIT__CPU_POOL_ADD, /* loop: after the proof: re-checks, mempool add, the reply */
    TACIT__CPU_BUILD,    /* block lane: select, the builder's rules, seal and sign */
    TACIT__CPU_COMMIT,   /* block lane: the store's write transaction (tree, fsync) */
    TACIT__CPU_AFTER,    /* block lane: the block's JSON, the mempool delta */
    TACIT__CPU_RECHECK,  /* loop: the mempool after a block, waiters */
    TACIT__CPU_NSTAGES
};
double tacit__thread_cpu_s(void);
double tacit__task_cpu_s(long tid); /* CPU seconds of thread tid of this process; -1: unknown */

struct tacit__metrics {
    double cpu[TACIT__CPU_NSTAGES];
    uint64_t blocks, txs_included, txs_admitted, txs_refused, commit_failures;
    uint64_t rollbacks, rolled_back_blocks; /* tacit__chain_rollback */
    struct tacit__hist verify, commit, block_build;
};

void tacit__hist_add(struct tacit__hist *h, double seconds);
void tacit__node_metrics(void *ud, char **text, size_t *len);
bool tacit__node_health(void *ud, char **json);

/* -------------------------------------------------------------- settle.c ---- */

/* The settlement heads on disk: each the next height without that status. */
struct tacit__settle_heads {
    uint64_t submitted, settled, finalized;
    uint64_t gas_used; /* L1 gas of every receipt of this chain's submissions */
};

/* A block's submission record. */
enum {
    TACIT__SUB_PREPARED = 1, /* recorded; maybe sent (a crash may have come between) */
    TACIT__SUB_SENT,         /* the L1 node took it */
    TACIT__SUB_INCLUDED,     /* in an L1 block, succeeded */
    TACIT__SUB_REVERTED,     /* in an L1 block, failed: submission halts here */
};
#define TACIT__SUB_PREV_MAX 16 /* replacements (fee bumps) of one submission */
struct tacit__settle_sub {
    int state;        /* TACIT__SUB_*; 0: none */
    uint8_t hash[32]; /* the transaction: the latest one sent, or the one that landed */
    uint64_t l1_block, gas_used;
    uint32_t sends;
    uint64_t sent_l1;  /* the L1 head when the latest transaction was prepared */
    bool has_chain;    /* chain known (a record of the first format has none) */
    uint8_t chain[32]; /* the contract's blockHash once this block is in */
    uint8_t prev[TACIT__SUB_PREV_MAX][32]; /* the transactions it replaced (same nonce) */
    unsigned nprev;
    uint32_t part, nparts; /* a block in parts (nparts > 1): the part this transaction carries */
    char reason[TACIT_SETTLE_REASON_MAX];
    uint8_t *raw; /* malloc'd: the latest transaction's bytes */
    size_t raw_len;
};

/* One step's input and output (tacit__settle_step). */
struct tacit__settle_in {
    uint32_t confirmations; /* queue entries of L1 blocks <= latest - confirmations */
    uint64_t fetch_from;    /* the first queue index to fetch */
    size_t fetch_max;       /* 0: fetch none */
    struct tacit_settle_message *fetch_out;
    bool no_submit;        /* halted: follow what is recorded, prepare nothing new */
    uint32_t max_inflight; /* blocks submitted and not settled at most (0: 1) */
    uint32_t bump_after;   /* a submission pending this many L1 blocks is replaced with
                            * higher fees (0: never) */
    /* --sequence-when-open (settle.c): ask the contract whether submission is open (after the
     * blocks in flight are followed); watch: only that and the L1 heads, the settlement heads
     * put at the tip (a follower's blocks are the contract's), nothing followed or submitted */
    bool ask_open, watch;
    bool nonce_reset; /* a rollback dropped prepared transactions: the settler's
                            * nonce_reset first */
};
struct tacit__settle_out {
    int rc;
    struct tacit__settle_heads heads; /* after the step */
    struct tacit_settle_heads l1;
    bool l1_known;
    size_t nfetched;
    bool halted;
    uint64_t halt_height;
    char halt_reason[TACIT_SETTLE_REASON_MAX];
    uint64_t gas_added;
    unsigned prepared, resends, reorgs;
    unsigned bumps, fee_capped; /* replacements sent; bumps the fee cap refused */
    bool pending_before;        /* the step's own: a block before the one followed is pending */
    bool open_known, open;      /* ask_open: the contract's isOpen(), and its height() */
    uint64_t contract_height;
    /* The credited queue entries checked against the L1 (SETTLEMENT.md 9): an entry a block
     * credited is no longer in the contract's queue (an L1 reorg removed it): the step stopped
     * before following or submitting anything; the chain must go back to rollback_height
     * (the block that credited removed_index). */
    bool queue_removed;
    uint64_t removed_index, rollback_height;
    unsigned queue_moved; /* entries whose L1 block a reorg replaced, still in the queue */
};

#define TACIT__SETTLE_FETCH_MAX 256   /* queue entries fetched per step */
#define TACIT__SETTLE_QUEUE_MAX 16384 /* cached entries: no fetch past it */

struct tacit__settle {
    struct tacit__lane *lane; /* "settle": one thread */
    uv_timer_t timer;
    bool timer_open;
    bool inflight;
    uint64_t backoff_ms; /* 0: none */
    int last_rc;         /* the last step's error (TACIT_OK) */
    uint64_t failures;   /* steps that failed (metrics) */
    uint64_t resends, reorgs, bumps;
    uint64_t queue_reorgs; /* credited queue entries an L1 reorg removed (each: a rollback) */
    bool nonce_reset;      /* the next step: the settler's nonce_reset (after a rollback) */
    bool poked;            /* a block committed while a step ran: the next step at once */
    struct tacit__settle_heads heads; /* the loop's copy, after the last step */
    struct tacit_settle_heads l1;
    bool l1_known;
    uint64_t gas_total;
    bool halted;
    uint64_t halt_height;
    char halt_reason[TACIT_SETTLE_REASON_MAX];
    /* The queue: entries [queue_base, queue_base + nqueue) confirmed, cached; queue_next is the
     * first one no committed block took. */
    uint64_t queue_next, queue_base;
    struct tacit_settle_message *queue;
    size_t nqueue;
    /* --sequence-when-open: a follower that makes blocks while submission is open (settle.c:
     * "following" → "sequencing" when the contract is open and the follower has every block it
     * has; back, its unsettled blocks dropped, when it closes or another submitter's block
     * lands first) */
    bool swo;
    bool open_known, open; /* the contract's isOpen(), last asked */
    uint64_t contract_height;
    bool sequencing; /* blocks of open submission made and submitted */
    bool leaving;    /* no new block; following again once none is in flight */
    bool rollback_pending;
    uint64_t rollback_to; /* leaving: keep blocks 0 .. rollback_to - 1 (the contract's) */
    char leave_reason[TACIT_SETTLE_REASON_MAX];
    uint64_t takeovers, open_made, dropped; /* since the start (metrics) */
};

/* One step, blocking (the settle lane; tests): the heads, the queue's confirmed entries, the
 * settled blocks re-checked (finality, reorgs), then the block in flight followed or the next
 * one submitted. Returns (and sets o->rc) TACIT_OK or the first error. */
int tacit__settle_step(struct tacit_state *st, const struct tacit_settler *s,
                       const struct tacit__settle_in *in, struct tacit__settle_out *o);
int tacit__settle_heads_load(struct tacit_state *st, struct tacit__settle_heads *h);
int tacit__settle_sub_load(struct tacit_state *st, uint64_t h, struct tacit__settle_sub *s);
void tacit__settle_sub_clear(struct tacit__settle_sub *s);
int tacit__settle_queue_save(struct tacit_state *st, uint64_t height, uint64_t queue_next);
/* Block `height` took the k entries msgs[0..k) (queue_next: the index after them): its "q"
 * record and a "c" record per entry (its L1 block, that block's hash, the queue hash through
 * it, height), in one write. */
int tacit__settle_credited_save(struct tacit_state *st, uint64_t height, uint64_t queue_next,
                                const struct tacit_settle_message *msgs, size_t k);
int tacit__settle_queue_next(struct tacit_state *st, uint64_t next_height, uint64_t *out);
/* A rollback to blocks 0 .. height - 1 (rollback.c): the settlement records of from that such
 * a chain keeps written to to (those of blocks >= height dropped, the heads clamped to height). */
int tacit__settle_records_copy(struct tacit_state *from, struct tacit_state *to, uint64_t height);
/* L1 mode on a chain made without it, or the reverse: refused (logged); marks a new chain. */
int tacit__settle_mode_check(struct tacit_state *st, bool l1_mode);

int tacit__settle_init(struct tacit_node *n); /* L1 mode: the records read, the lane, the timer */
void tacit__settle_run(struct tacit_node *n); /* the first step */
void tacit__settle_stop(struct tacit_node *n);
void tacit__settle_free(struct tacit_node *n);
size_t tacit__settle_credits_ready(const struct tacit_node *n);
/* A committed block took k queue entries. */
void tacit__settle_queue_consumed(struct tacit_node *n, uint64_t height, size_t k);
void tacit__settle_poke(struct tacit_node *n); /* a block committed: a step now, if idle */
const char *tacit__settle_status(const struct tacit_node *n, uint64_t height);
/* --sequence-when-open: the node makes blocks now (sequencing, not leaving, every block of its
 * own settled: one block in flight at a time, as the contract closes once one settles). */
bool tacit__settle_open_may_build(struct tacit_node *n);
/* --sequence-when-open: blocks are made now (the L1 follower pauses meanwhile). */
static inline bool tacit__settle_sequencing(const struct tacit_node *n);
/* tacit_chainInfo's settlement.sequenceWhenOpen. */
json_t *tacit__settle_open_json(const struct tacit_node *n);

/* -------------------------------------------------------------- follow.c ---- */

#define TACIT__FOLLOW_REASON_MAX 512

struct tacit__follow {
    struct tacit__lane *lane;        /* "follow": one thread */
    struct tacit_rpc_client *client; /* the sequencer's RPC; used on the lane thread only */
    uv_timer_t timer;
    bool timer_open;
    bool inflight;
    bool halted; /* a block the sequencer served failed the rules, or its chain is another */
    uint64_t halt_height;
    char halt_reason[TACIT__FOLLOW_REASON_MAX];
    bool seq_known;      /* the sequencer answered tacit_chainInfo with a tip */
    uint64_t seq_height; /* its tip's height, last seen */
    uint64_t applied;    /* blocks applied by this process */
    uint64_t failures;   /* steps that could not reach the sequencer (retried) */
    uint64_t backoff_ms;
    int last_rc;                /* the last step's transport or store error (TACIT_OK) */
    unsigned forwards_inflight; /* follow_forward: sendRawTransaction calls on their way */
};

/* The L1 side of a follower (follow_l1.c): --follow-l1, or --follow URL with --l1-rpc and
 * --l1-rollup. Its steps run on the follow lane too (one at a time with the RPC follower's:
 * the store sees one writer). Records per L2 block the L1 block it was found in (settlement
 * records "l1o" + height; "l1last": the highest recorded). */
struct tacit__follow_l1 {
    struct tacit_rollup_reader *reader; /* the lane thread only */
    uint64_t deploy_block;
    uv_timer_t timer;
    bool timer_open;
    bool inflight;
    /* the lane's: where the next scan starts (0 with have_scan false: from the records) */
    bool have_scan;
    uint64_t scan_from;
    /* the loop's copy, after the last step */
    bool l1_known;
    uint64_t l1_head, l1_target; /* the L1 head, and the block scanned up to (head - conf) */
    bool have_checked;
    uint64_t checked;          /* L2 blocks 0..checked were found on L1 (the settled head) */
    uint64_t derived, matched; /* blocks applied from L1, and RPC blocks found equal on L1 */
    uint64_t reorgs, rollbacks, failures;
    uint64_t backoff_ms;
    int last_rc;
    bool halted; /* a block from L1 failed the rules: L1 following stopped */
    char halt_reason[TACIT__FOLLOW_REASON_MAX];
    bool disagreed; /* the sequencer's blocks differ from L1's: it is no more followed */
    bool switching; /* ... and the rollback to the last agreeing height is not done yet */
    uint64_t disagree_height;
    char disagree_reason[TACIT__FOLLOW_REASON_MAX];
    bool rollback_pending; /* keep blocks 0..rollback_to - 1 once no job runs */
    uint64_t rollback_to;
};

static inline bool tacit__following(const struct tacit_node *n);
static inline bool tacit__following_l1(const struct tacit_node *n);
/* What the follower follows, for messages: the sequencer's URL, or "the contract 0x… on L1". */
const char *tacit__follow_source(const struct tacit_node *n);
int tacit__follow_marker_write(struct tacit_node *n);
/* Before the store opens: the reader, the contract's parameters (protocol v2: the L1's chain
 * id, the contract as rollup id; the chain id checked); an L1-only follower's sequencer key and
 * fee address from chain.json, or (first start) --sequencer-key or block 0's header on L1. */
int tacit__follow_l1_params(struct tacit_node *n);
int tacit__follow_l1_init(struct tacit_node *n); /* the timer (the lane is follow's) */
void tacit__follow_l1_run(struct tacit_node *n);
/* The next L1 step now (--sequence-when-open: following again after sequencing). */
void tacit__follow_l1_resume(struct tacit_node *n);
void tacit__follow_l1_stop(struct tacit_node *n);
void tacit__follow_l1_free(struct tacit_node *n);
/* After tacit__node_rollback's rollback (rc: its result): an L1 follower goes on from there. */
void tacit__follow_l1_rolled_back(struct tacit_node *n, int rc);
/* The RPC follower's next step now (after a rollback stopped it). */
void tacit__follow_poke(struct tacit_node *n);
/* The sequencer is followed over RPC now (not after a disagreement with L1). */
bool tacit__follow_rpc_active(const struct tacit_node *n);
/* tacit_chainInfo's "settlement" of an L1 follower. */
json_t *tacit__follow_l1_json(struct tacit_node *n, const struct tacit_state_tip *tip);
/* Before the store opens: the chain's sequencer key and fee address, from <datadir>/chain.json,
 * or (first start) from the sequencer's tacit_chainInfo, checked and recorded there. */
/* A follower's chain.json text: the recorded sequencer key and fee address into n->params
 * (TACIT_EJSON, logged, otherwise). */
int tacit__follow_chain_read(struct tacit_node *n, const char *path, const char *text);
int tacit__follow_params(struct tacit_node *n);
int tacit__follow_init(struct tacit_node *n); /* the client, the lane, the timer */
void tacit__follow_run(struct tacit_node *n); /* the first step */
void tacit__follow_stop(struct tacit_node *n);
void tacit__follow_free(struct tacit_node *n);
/* follow_forward: tacit_sendRawTransaction's bytes (stolen, malloc'd) passed on to the
 * sequencer, its answer relayed to call. */
void tacit__follow_forward(struct tacit_node *n, struct tacit_rpc_call *call, uint8_t *bytes,
                           size_t len);

/* ----------------------------------------------------- datadir.c, devnet.c ---- */

int tacit__datadir_mkdir(const char *dir, mode_t mode);
/* A temporary file, fsync, rename, fsync of the directory. */
int tacit__datadir_write_file(const char *dir, const char *name, const void *data, size_t len,
                              mode_t mode);
/* A whole file (at most max bytes), NUL-terminated; TACIT_ENOENT, TACIT_ETOOBIG, TACIT_EIO. */
int tacit__datadir_read_file(const char *path, char **out, size_t *len, size_t max);

int tacit__datadir_lock(struct tacit_node *n);
void tacit__datadir_unlock(struct tacit_node *n);
int tacit__cookie_write(struct tacit_node *n);
void tacit__cookie_remove(struct tacit_node *n);
int tacit__flags_load(struct tacit_node *n); /* paused, min fee: <datadir>/node-flags.json */
int tacit__flags_save(struct tacit_node *n);
int tacit__sequencer_key_load(struct tacit_node *n); /* <datadir>/sequencer.key, made if absent */
int tacit__keys_load(struct tacit_node *n); /* the verifying key (devnet: made if absent) */
/* The store at start: refused when missing or empty in an initialised data directory (unless
 * --new-chain), truncated, or signed by another sequencer key; writes <datadir>/chain.json. */
int tacit__state_open(struct tacit_node *n);
int tacit__state_reopen(struct tacit_node *n); /* after a revert moved a snapshot in */

int tacit__devnet_genesis(struct tacit_node *n); /* accounts + genesis block on a new devnet */
int tacit__devnet_set_rpc_url(struct tacit_node *n, const char *url); /* the URL really bound */
/* Removes dir and everything under it (best effort). */
void tacit__datadir_remove_tree(const char *dir);
int tacit__snapshot_take(struct tacit_node *n, uint64_t *id);
int tacit__snapshot_revert(struct tacit_node *n, uint64_t id);

/* ------------------------------------------------------------ rollback.c ---- */

/*
 * The committed chain back to blocks 0 .. height - 1 (an L1 reorg removed a deposit a later
 * block credited): a new store is built beside the state directory by applying the stored
 * blocks 0 .. height - 1 again (each checked by tacit_block_apply, its proofs included), its
 * hash and digests compared with the old store's at height - 1, the settlement records of the
 * blocks kept copied, then swapped in (crash-safe: tacit__rollback_recover). Afterwards the
 * node's caches follow: recent blocks, the settlement heads and queue position, a halt at or
 * after height lifted, and the transactions of the dropped blocks back in the mempool, every
 * pending one re-checked against the new tip (those that fail dropped with their reason).
 * Loop thread, no job in flight (TACIT_EBUSY otherwise). TACIT_EINVAL: height past the tip.
 * On an error before the swap nothing changed. *requeued, *dropped (may be NULL): the dropped
 * blocks' transactions pending again, and refused by the re-check.
 */
int tacit__chain_rollback_ex(struct tacit_node *n, uint64_t height, size_t *requeued,
                             size_t *dropped);
int tacit__chain_rollback(struct tacit_node *n, uint64_t height);
/*
 * At start, before the store opens: a rollback (or dev_revert) that a crash interrupted is
 * finished or undone. <state>.rollback.tmp (a store being built) is removed; <state>.rollback
 * (built and synced: the rollback was decided) replaces <state>; <state>.old is removed, or
 * put back when <state> is missing and nothing replaces it. TACIT_OK or TACIT_EIO.
 */
int tacit__rollback_recover(const char *state_dir);
/* Tests only: 1..4, a rollback stops as a crash would after building its store, after naming
 * it complete, after moving the old store aside, after moving the new one in (the store
 * closed, nothing cleaned up: TACIT_EIO); 0 (the default): never. */
extern int tacit__rollback_crash_at;

/* ----------------------------------------------------------- lifecycle.c ---- */

#define TACIT__NSIGNALS 6 /* SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 */

struct tacit_node {
    struct tacit_node_config cfg;
    uv_loop_t loop;
    char *datadir;
    char *state_dir;
    int lock_fd;
    bool datadir_initialised; /* a node ran here before: a missing store or key is damage */
    char *cookie;             /* "__cookie__:<hex>" in sodium_malloc memory */
    char *socket_path;

    struct tacit_state *st;
    struct tacit_chain_params params; /* min_fee: admin_setMinFee; jobs take a copy */
    struct tacit_sequencer_key *key;
    tacit_groth16_vk *vk;
    tacit_groth16_pvk *pvk;
    char *vk_json;
    struct tacit_rpc_server *rpc;

    struct tacit__admission adm;
    struct tacit_mempool *mp;
    struct tacit__batcher bat;
    struct tacit__reads reads;
    struct tacit__metrics m;
    struct tacit__settle settle; /* L1 mode only (cfg.settler) */
    struct tacit__follow follow; /* --follow only (cfg.follow) */
    struct tacit__follow_l1 fl1; /* --follow-l1, or --follow with the L1 flags */

    uv_signal_t sig[TACIT__NSIGNALS];
    bool stopping;
    bool closed; /* the stop closed the handles */
    bool paused; /* admin_pause: node-flags.json */
    int exit_code;
    bool store_failed;         /* the last commit failed (disk full, I/O): /health says so */
    unsigned backups_inflight; /* admin_backup copies on the thread pool */
    struct tacit_rpc_call *revert_call; /* dev_revert waiting for the jobs in flight */
    uint64_t revert_id;
    uint64_t snapshot_next;  /* devnet snapshots: ids 1, 2, ... */
    size_t rollback_dropped; /* a rollback's re-check: transactions dropped */
    bool rollback_wanted;    /* tacit__node_rollback: waiting for the jobs in flight */
    uint64_t rollback_height;
    char rollback_why[256];
    /* the last rollback (tacit_chainInfo): at the next height it left, blocks dropped */
    bool rolled_back;
    uint64_t last_rollback_height, last_rollback_blocks, last_rollback_ms;
};

uint64_t tacit__now_ms(void);
/* A block's timestamp: now in whole seconds (in ms, the header's unit). A millisecond stamp
 * would date a lone transaction's arrival; docs/protocol.md 5 keeps only "not before the
 * parent's". */
uint64_t tacit__block_time_ms(void);
double tacit__mono_s(void);
/* A job that reads the store runs (a verify, block, backup or read job). */
bool tacit__node_jobs_busy(const struct tacit_node *n);
/* Every job's done step ends with this: a waiting revert or stop goes on when none is left. */
void tacit__node_job_finished(struct tacit_node *n);
/* The store is about to go (a stop) or be replaced (a revert): no new job may start. */
bool tacit__node_store_closing(const struct tacit_node *n);
void tacit__node_backup(struct tacit_node *n, struct tacit_rpc_call *call, const char *dir);
void tacit__node_revert(struct tacit_node *n, struct tacit_rpc_call *call, uint64_t id);
/* An L1 reorg removed a deposit block `height` credited: the chain goes back to blocks
 * 0 .. height - 1 (tacit__chain_rollback) once no job is in flight; no job starts meanwhile. */
void tacit__node_rollback(struct tacit_node *n, uint64_t height, const char *why);

static inline bool tacit__following(const struct tacit_node *n)
{
    return n->cfg.follow != NULL || n->cfg.follow_l1;
}
static inline bool tacit__following_l1(const struct tacit_node *n)
{
    return tacit__following(n) && n->cfg.l1_rpc != NULL &&
           (n->cfg.settler == NULL || n->cfg.sequence_when_open);
}

static inline bool tacit__settle_sequencing(const struct tacit_node *n)
{
    return n->settle.swo && n->settle.sequencing;
}

#endif /* TACIT_NODE_INTERNAL_H */
