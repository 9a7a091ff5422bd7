/*
 * tacit — settlement on L1, on the loop (node_internal.h, src/node/settle_step.c): the step runs
 * on the "settle" lane every settle_poll_ms (at once after a block commits, settles or is
 * submitted while blocks wait for a place among the l1_max_inflight in flight; after a failure
 * with a doubling backoff up to 30 s); its done step updates the loop's copy of the
 * heads (tacit_chainInfo, /metrics, /health), logs what moved, a halt loudly, and hands the
 * L1 queue's new confirmed entries to the batcher.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "tacit/error.h"

#define SETTLE_BACKOFF_MAX_MS 30000u

static bool l1_down(int rc) { return rc == TACIT_EL1_UNREACHABLE || rc == TACIT_ETIMEOUT; }

struct settle_job {
    struct tacit__job job;
    struct tacit_node *n;
    struct tacit__settle_in in;
    struct tacit__settle_out out;
    struct tacit_settle_message msgs[TACIT__SETTLE_FETCH_MAX];
};

static void settle_work(struct tacit__job *job)
{
    struct settle_job *j = (struct settle_job *)job;
    tacit__settle_step(j->n->st, j->n->cfg.settler, &j->in, &j->out);
}

static void on_timer(uv_timer_t *t);

static void schedule(struct tacit_node *n, uint64_t ms)
{
    if (n->settle.timer_open && !n->stopping) uv_timer_start(&n->settle.timer, on_timer, ms, 0);
}

/* The queue entries a block may take: the confirmed ones from queue_next on. */
size_t tacit__settle_credits_ready(const struct tacit_node *n)
{
    const struct tacit__settle *se = &n->settle;
    uint64_t end = se->queue_base + se->nqueue;
    return end > se->queue_next ? (size_t)(end - se->queue_next) : 0;
}

static void settle_done(struct tacit__job *job)
{
    struct settle_job *j = (struct settle_job *)job;
    struct tacit_node *n = j->n;
    struct tacit__settle *se = &n->settle;
    const struct tacit__settle_out *o = &j->out;
    uint64_t delay = n->cfg.settle_poll_ms, settled_before = se->heads.settled;
    struct tacit_state_tip tip;
    bool more_credits = false;

    se->inflight = false;
    if (o->heads.settled > se->heads.settled)
        tacit_log(TACIT_LOG_INFO, "settle", "blocks up to %" PRIu64 " settled on L1",
                  o->heads.settled - 1);
    if (o->heads.finalized > se->heads.finalized)
        tacit_log(TACIT_LOG_INFO, "settle", "blocks up to %" PRIu64 " final on L1",
                  o->heads.finalized - 1);
    if (o->heads.settled < se->heads.settled)
        tacit_log(TACIT_LOG_WARN, "settle",
                  "an L1 reorg undid the settlement of blocks %" PRIu64 " .. %" PRIu64
                  ": submitted again",
                  o->heads.settled, se->heads.settled - 1);
    se->heads = o->heads;
    se->gas_total = o->heads.gas_used;
    se->resends += o->resends;
    se->reorgs += o->reorgs;
    se->bumps += o->bumps;
    if (o->l1_known) {
        se->l1 = o->l1;
        se->l1_known = true;
    }
    if (o->halted && !se->halted)
        tacit_log(TACIT_LOG_ERROR, "settle",
                  "SUBMISSION HALTED: the L1 transaction of block %" PRIu64
                  " reverted: %s. Nothing more is submitted; the node keeps sequencing. "
                  "Find why the contract refused it (docs/operations.md, \"Settlement on L1\")",
                  o->halt_height, TACIT_LOG_QS(o->halt_reason));
    /* a halt is for good (recorded: a restart halts again); a step that failed before it
     * reached the block in flight does not report it, and must not clear it */
    if (o->halted) {
        se->halted = true;
        se->halt_height = o->halt_height;
        memcpy(se->halt_reason, o->halt_reason, sizeof se->halt_reason);
    }
    if (o->rc != TACIT_OK) {
        if (se->last_rc != o->rc)
            tacit_log(l1_down(o->rc) ? TACIT_LOG_WARN : TACIT_LOG_ERROR, "settle",
                      "L1 step failed: %s (%s); retrying with a backoff", tacit_strerror(o->rc),
                      tacit_errname(o->rc));
        se->backoff_ms = se->backoff_ms ? se->backoff_ms * 2 : n->cfg.settle_poll_ms * 2;
        if (se->backoff_ms > SETTLE_BACKOFF_MAX_MS) se->backoff_ms = SETTLE_BACKOFF_MAX_MS;
        delay = se->backoff_ms;
        se->failures++;
    } else {
        if (se->last_rc != TACIT_OK) tacit_log(TACIT_LOG_INFO, "settle", "L1 reachable again");
        se->backoff_ms = 0;
    }
    se->last_rc = o->rc;
    if (o->rc == TACIT_OK && j->in.nonce_reset && !o->queue_removed) se->nonce_reset = false;
    if (o->queue_moved > 0)
        tacit_log(TACIT_LOG_WARN, "settle",
                  "an L1 reorg moved %u credited L1 queue entries to other L1 blocks; the "
                  "contract's queue still holds them (nothing to undo)",
                  o->queue_moved);
    if (o->queue_removed) {
        char why[256];
        se->queue_reorgs++;
        snprintf(why, sizeof why,
                 "an L1 reorg removed L1 queue entry %" PRIu64 " (a deposit) that block %" PRIu64
                 " credited",
                 o->removed_index, o->rollback_height);
        tacit__node_rollback(n, o->rollback_height, why);
    }
    /* New confirmed queue entries (fetched from j->in.fetch_from = the cache's end). */
    if (o->nfetched > 0 && !o->queue_removed && j->in.fetch_from == se->queue_base + se->nqueue) {
        struct tacit_settle_message *q = realloc(se->queue, (se->nqueue + o->nfetched) * sizeof *q);
        if (q != NULL) {
            memcpy(q + se->nqueue, j->msgs, o->nfetched * sizeof *q);
            se->queue = q;
            se->nqueue += o->nfetched;
            more_credits = true;
        }
    }
    /* a step that settled or submitted a block, or during which a block committed, goes on
     * at once when a block waits for a place in the window */
    if (o->rc == TACIT_OK && !se->halted &&
        (se->heads.settled > settled_before || o->prepared > 0 || se->poked) &&
        se->heads.submitted - se->heads.settled < n->cfg.l1_max_inflight &&
        tacit_state_tip(n->st, &tip) == TACIT_OK && se->heads.submitted < tip.next_height)
        delay = 0;
    se->poked = false;
    free(j);
    tacit__node_job_finished(n);
    if (n->stopping) return;
    if (more_credits) tacit__batcher_start(n);
    schedule(n, delay);
}

static void on_timer(uv_timer_t *t)
{
    struct tacit_node *n = t->data;
    struct tacit__settle *se = &n->settle;
    struct settle_job *j;
    if (se->inflight) return;
    if (tacit__node_store_closing(n) || (j = calloc(1, sizeof *j)) == NULL) {
        schedule(n, n->cfg.settle_poll_ms);
        return;
    }
    j->job.work = settle_work;
    j->job.done = settle_done;
    j->n = n;
    j->in.confirmations = n->cfg.l1_confirmations;
    j->in.fetch_from = se->queue_base + se->nqueue;
    j->in.fetch_max = se->nqueue < TACIT__SETTLE_QUEUE_MAX ? TACIT__SETTLE_FETCH_MAX : 0;
    j->in.fetch_out = j->msgs;
    j->in.no_submit = se->halted;
    j->in.max_inflight = n->cfg.l1_max_inflight;
    j->in.bump_after = n->cfg.l1_bump_after;
    j->in.nonce_reset = se->nonce_reset;
    se->inflight = true;
    tacit__lane_submit(se->lane, &j->job);
}

void tacit__settle_poke(struct tacit_node *n)
{
    if (n->cfg.settler == NULL || n->settle.backoff_ms != 0 || n->settle.halted) return;
    if (n->settle.inflight)
        n->settle.poked = true; /* the step running may not have seen the block */
    else
        schedule(n, 0);
}

void tacit__settle_queue_consumed(struct tacit_node *n, uint64_t height, size_t k)
{
    struct tacit__settle *se = &n->settle;
    uint64_t drop;
    (void)height;
    se->queue_next += k;
    drop = se->queue_next > se->queue_base ? se->queue_next - se->queue_base : 0;
    if (drop > se->nqueue) drop = se->nqueue;
    if (drop > 0) {
        memmove(se->queue, se->queue + drop, (se->nqueue - drop) * sizeof *se->queue);
        se->nqueue -= (size_t)drop;
        se->queue_base += drop;
    }
    if (se->queue_base < se->queue_next) { /* entries consumed that the cache never held */
        se->queue_base = se->queue_next;
        se->nqueue = 0;
    }
}

int tacit__settle_init(struct tacit_node *n)
{
    struct tacit__settle *se = &n->settle;
    struct tacit_state_tip tip;
    int rc;
    if (n->cfg.settler == NULL) return TACIT_OK;
    if ((rc = tacit_state_tip(n->st, &tip)) != TACIT_OK ||
        (rc = tacit__settle_heads_load(n->st, &se->heads)) != TACIT_OK ||
        (rc = tacit__settle_queue_next(n->st, tip.next_height, &se->queue_next)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "settle", "cannot read the settlement records: %s (%s)",
                  tacit_strerror(rc), tacit_errname(rc));
        return rc;
    }
    se->queue_base = se->queue_next;
    se->gas_total = se->heads.gas_used;
    uv_timer_init(&n->loop, &se->timer);
    se->timer.data = n;
    se->timer_open = true;
    return tacit__lane_new(&se->lane, &n->loop, "settle", 1);
}

void tacit__settle_run(struct tacit_node *n)
{
    if (n->cfg.settler != NULL) schedule(n, 0);
}

static void close_cb_noop(uv_handle_t *h) { (void)h; }

void tacit__settle_stop(struct tacit_node *n)
{
    struct tacit__settle *se = &n->settle;
    if (se->timer_open) {
        uv_timer_stop(&se->timer);
        uv_close((uv_handle_t *)&se->timer, close_cb_noop);
        se->timer_open = false;
    }
    tacit__lane_close(se->lane);
    se->lane = NULL;
}

void tacit__settle_free(struct tacit_node *n)
{
    free(n->settle.queue);
    n->settle.queue = NULL;
}
