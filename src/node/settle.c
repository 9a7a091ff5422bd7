/*
 * tacit — settlement on L1, on the loop (node_internal.h, src/node/settle_step.c): the step runs
 * on the "settle" lane every settle_poll_ms (at once after a block commits, settles or is
 * submitted while blocks wait for a place among the l1_max_inflight in flight; after a failure
 * with a doubling backoff up to 30 s); its done step updates the loop's copy of the
 * heads (tacit_chainInfo, /metrics, /health), logs what moved, a halt loudly, and hands the
 * L1 queue's new confirmed entries to the batcher.
 *
 * --sequence-when-open (an L1 follower with a settler; docs/operations.md "When the sequencer
 * stops"): every step asks the contract's isOpen() and height(). While following, the step
 * only watches (the settlement heads kept at the tip: the follower's blocks are the
 * contract's). Once the contract is open and the follower holds every block it has, the node
 * sequences: the L1 follower pauses, the batcher makes blocks of open submission (no key) from
 * the L1 queue and the mempool, one at a time (the contract closes again once one settles),
 * and the step submits them as a sequencer's. It leaves when submission closes (once nothing
 * is in flight), when a submission reverts, or when the contract's height passes its settled
 * head (another submitter landed first): its unsettled blocks are dropped (tacit__chain_rollback
 * to the settled head) and the L1 follower takes the chain from L1 again.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

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

/* ------------------------------------------------------- sequence when open ---- */

bool tacit__settle_open_may_build(struct tacit_node *n)
{
    const struct tacit__settle *se = &n->settle;
    struct tacit_state_tip tip;
    if (!se->swo || !se->sequencing || se->leaving || se->rollback_pending || se->halted ||
        n->fl1.inflight || (se->open_known && !se->open))
        return false;
    return tacit_state_tip(n->st, &tip) == TACIT_OK && se->heads.settled == tip.next_height;
}

/* Stop making blocks; keep blocks 0 .. keep - 1 (the contract's) once nothing is in flight. */
static void swo_leave(struct tacit_node *n, const char *why)
{
    struct tacit__settle *se = &n->settle;
    if (se->leaving) return;
    se->leaving = true;
    snprintf(se->leave_reason, sizeof se->leave_reason, "%s", why);
    tacit_log(TACIT_LOG_WARN, "settle", "open submission: %s: no more blocks of this node", why);
}

/* Following L1 again. */
static void swo_followed(struct tacit_node *n)
{
    struct tacit__settle *se = &n->settle;
    se->sequencing = se->leaving = se->rollback_pending = false;
    se->halted = false; /* the block it stopped at is gone */
    tacit_log(TACIT_LOG_INFO, "settle", "open submission: following L1 again (%s)",
              se->leave_reason);
    tacit__follow_l1_resume(n);
}

/* The rollback a leave asked for, once no job uses the store: true when done (or not needed). */
static bool swo_rollback(struct tacit_node *n)
{
    struct tacit__settle *se = &n->settle;
    struct tacit_state_tip tip;
    int rc;
    if (tacit__node_jobs_busy(n)) return false;
    if ((rc = tacit_state_tip(n->st, &tip)) == TACIT_OK && tip.next_height > se->rollback_to) {
        uint64_t k = tip.next_height - se->rollback_to;
        if ((rc = tacit__chain_rollback(n, se->rollback_to)) != TACIT_OK) {
            tacit_log(TACIT_LOG_ERROR, "settle",
                      "open submission: dropping blocks %" PRIu64 " on failed: %s (%s); retrying",
                      se->rollback_to, tacit_strerror(rc), tacit_errname(rc));
            return false;
        }
        se->dropped += k;
        se->nonce_reset = true; /* its prepared transactions are gone: the nonce asked again */
        tacit_log(TACIT_LOG_WARN, "settle",
                  "open submission: %" PRIu64 " block(s) of this node the contract did not take "
                  "dropped; the chain is taken from L1 again from block %" PRIu64,
                  k, se->rollback_to);
    }
    swo_followed(n);
    return true;
}

/* After a step: the contract open or closed, the node's mode moves. */
static void swo_after(struct tacit_node *n, const struct tacit__settle_out *o, uint64_t *delay)
{
    struct tacit__settle *se = &n->settle;
    struct tacit_state_tip tip;
    char why[TACIT_SETTLE_REASON_MAX + 128];
    if (o->open_known) {
        if (!se->open_known || o->open != se->open)
            tacit_log(TACIT_LOG_INFO, "settle",
                      "the contract's submission is %s (contract height %" PRIu64
                      ", L1 head %" PRIu64 ")",
                      o->open ? "OPEN to anyone" : "closed (its sequencer's only)",
                      o->contract_height, o->l1.latest);
        se->open_known = true;
        se->open = o->open;
        se->contract_height = o->contract_height;
    }
    if (tacit_state_tip(n->st, &tip) != TACIT_OK) return;
    if (!se->sequencing && o->rc == TACIT_OK && o->open_known &&
        tip.next_height > o->contract_height && !se->rollback_pending && !n->fl1.inflight &&
        !n->fl1.rollback_pending) {
        /* blocks of its own the contract does not hold (sequencing when it stopped, a crash):
         * they go, the contract's chain is followed */
        snprintf(se->leave_reason, sizeof se->leave_reason,
                 "blocks %" PRIu64 " .. %" PRIu64 " are not the contract's (height %" PRIu64 ")",
                 o->contract_height, tip.next_height - 1, o->contract_height);
        tacit_log(TACIT_LOG_WARN, "settle", "open submission: %s: dropping them", se->leave_reason);
        se->rollback_to = o->contract_height;
        se->rollback_pending = true;
        *delay = 0;
        return;
    }
    if (!se->sequencing) {
        if (o->rc != TACIT_OK || !o->open_known || !o->open || se->rollback_pending ||
            n->fl1.inflight || n->fl1.halted || n->fl1.rollback_pending ||
            tip.next_height != o->contract_height)
            return; /* closed, or the follower not at the contract's height yet */
        se->sequencing = true;
        se->leaving = false;
        se->halted = false;
        se->takeovers++;
        se->leave_reason[0] = '\0';
        if (tacit__settle_queue_next(n->st, tip.next_height, &se->queue_next) == TACIT_OK) {
            se->queue_base = se->queue_next; /* fetched from there by the next step */
            se->nqueue = 0;
        }
        tacit_log(TACIT_LOG_INFO, "settle",
                  "submission is open: sequencing from L1 data (blocks of open submission from "
                  "block %" PRIu64 ", the L1 queue from entry %" PRIu64 ", L1 head %" PRIu64 ")",
                  tip.next_height, se->queue_next, o->l1.latest);
        *delay = 0;
        return;
    }
    if (!se->leaving) {
        if (o->halted) {
            snprintf(why, sizeof why, "the submission of block %" PRIu64 " failed: %s",
                     o->halt_height, o->halt_reason);
            swo_leave(n, why);
        } else if (o->open_known && o->contract_height > o->heads.settled &&
                   o->heads.submitted == o->heads.settled && o->prepared == 0) {
            /* nothing of this node in flight (a block of its own sent in this step may be
             * the one the contract took: the next step's look-up says) */
            snprintf(why, sizeof why,
                     "the contract is at height %" PRIu64 ": block %" PRIu64
                     " came from another submitter",
                     o->contract_height, o->heads.settled);
            swo_leave(n, why);
        } else if (o->open_known && !o->open) {
            swo_leave(n, "submission closed");
        }
    }
    if (!se->leaving) return;
    /* a block of this node in flight may still land (submission closed meanwhile): wait for it;
     * otherwise what the contract did not take goes */
    if (!o->halted && o->rc == TACIT_OK && o->heads.submitted > o->heads.settled) return;
    if (o->rc != TACIT_OK && !o->halted) return; /* the L1 did not answer: ask again */
    se->rollback_to = o->heads.settled;
    if (tip.next_height <= se->rollback_to) {
        swo_followed(n);
        return;
    }
    se->rollback_pending = true;
    *delay = 0;
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
    if (o->halted && !se->halted && !se->swo)
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
    if (se->swo) swo_after(n, o, &delay);
    free(j);
    tacit__node_job_finished(n);
    if (n->stopping) return;
    if (more_credits || tacit__settle_sequencing(n)) tacit__batcher_start(n);
    schedule(n, delay);
}

static void on_timer(uv_timer_t *t)
{
    struct tacit_node *n = t->data;
    struct tacit__settle *se = &n->settle;
    struct settle_job *j;
    if (se->inflight) return;
    if (se->rollback_pending && !tacit__node_store_closing(n) && !swo_rollback(n)) {
        schedule(n, 100); /* a job still reads the store */
        return;
    }
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
    j->in.ask_open = se->swo;
    j->in.watch = se->swo && !se->sequencing;
    if (j->in.watch) j->in.fetch_max = 0;
    if (se->swo) j->in.max_inflight = 1; /* the contract closes once one block settles */
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
    se->swo = n->cfg.sequence_when_open;
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

static json_t *hex_or_null(bool have, uint64_t v)
{
    char h[19];
    if (!have) return json_null();
    tacit_hex_u64(h, v);
    return json_string(h);
}

json_t *tacit__settle_open_json(const struct tacit_node *n)
{
    const struct tacit__settle *se = &n->settle;
    json_t *o =
        json_pack("{s:s,s:o,s:o,s:o,s:o,s:I,s:I,s:I}", "mode",
                  !se->sequencing ? "following"
                  : se->leaving   ? "leaving"
                                  : "sequencing",
                  "open", se->open_known ? json_boolean(se->open) : json_null(), "contractHeight",
                  hex_or_null(se->open_known, se->contract_height), "submitted",
                  hex_or_null(se->heads.submitted > 0, se->heads.submitted - 1), "settled",
                  hex_or_null(se->heads.settled > 0, se->heads.settled - 1), "takeovers",
                  (json_int_t)se->takeovers, "blocksMade", (json_int_t)se->open_made,
                  "blocksDropped", (json_int_t)se->dropped);
    if (o == NULL) return json_null();
    json_object_set_new(o, "l1Head", hex_or_null(se->l1_known, se->l1.latest));
    if (se->leave_reason[0] != '\0')
        json_object_set_new(o, "leaveReason", json_string(se->leave_reason));
    if (se->last_rc != TACIT_OK)
        json_object_set_new(o, "lastError", json_string(tacit_errname(se->last_rc)));
    return o;
}
