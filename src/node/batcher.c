/*
 * tacit — the batcher: pending txs into blocks (docs/architecture.md, "A transaction's path").
 *
 * A timer every block_interval_ms (with something to seal, or always with empty_blocks: the
 * fixed cadence, tacitd --block-cadence fixed, the devnet's default), a full block's worth of
 * pending txs, or dev_mine / dev_fund start one block job on the block lane (a thread of its
 * own): take the pending txs (tacit_mempool_select_block: equal fees in a random order),
 * build on the committed tip with the block path's rules (tacit_block_builder_add_credit,
 * tacit_block_builder_add_tx), seal and sign (stamped in whole seconds), commit in one LMDB
 * write transaction, and render the block's JSON and its compact text for readers.
 * The loop keeps admitting meanwhile, against the committed state: the block's txs stay in the
 * mempool until the commit, so their nullifiers keep conflicting. After the commit
 * (block_done) the mempool drops the included txs and re-checks the others against the new
 * state, and the calls waiting for the block are answered.
 *
 * The builder is the sequencer's block path: it checks every rule itself (the static rules
 * under the block's parameters, then the state rules), as a follower's tacit_block_apply
 * will; admission's checks decided only what is worth proposing.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

struct block_job {
    struct tacit__job job;
    struct tacit_node *n;
    struct tacit_mempool_item *items; /* in the order the block takes them (_select_block) */
    size_t nitems;
    int *results;                         /* per item: TACIT_OK (included) or the rule it broke */
    size_t ncredits;                      /* credits added to the block */
    struct tacit_settle_message *l1_msgs; /* L1 mode: the queue's next confirmed entries */
    size_t nl1;
    size_t nconsumed; /* L1 mode: the entries the block consumed (a prefix of l1_msgs) */
    size_t forced_included, forced_failed; /* L1 mode: forced entries consumed, by marker */
    struct tacit_tx *forced;               /* L1 mode: the forced transactions included */
    uint64_t queue_next;                   /* L1 mode: the queue index after the block's credits */
    int queue_rc;                          /* L1 mode: writing queue_next after the commit */
    struct tacit__waiter *waiters;    /* dev_mine / dev_fund calls answered by this block, oldest
                                   * first; the credits of the dev_fund ones, in that order */
    struct tacit_chain_params params; /* a copy: admin_setMinFee may change the node's meanwhile */
    uint64_t timestamp_ms;            /* the block's time (tacit__batcher_time_ms, on the loop) */
    int rc;                           /* build/seal/commit */
    json_t *json;                     /* the committed block for readers (may be NULL) */
    char *text;                       /* json as compact text (may be NULL) */
    size_t text_len;
    struct tacit_mempool_delta delta; /* what the block changed for pending txs */
    int delta_rc;                     /* reading it after the commit (else: the full re-check) */
    struct tacit_block_header header;
    uint8_t hash[32];
    double build_s, commit_s;
    double cpu[TACIT__CPU_NSTAGES]; /* thread CPU by stage (metrics) */
};

/* ------------------------------------------------------------------ waiters ---- */

static void add_waiter(struct tacit__waiter **list, struct tacit__waiter *w)
{
    w->next = *list;
    *list = w;
}

/* tacit_waitForBlock's client left: the waiter goes without a reply (the list is bounded by
 * the RPC server's max_longpolls, so the walk is short). */
static void cancel_height_waiter(void *arg)
{
    struct tacit__waiter *w = arg;
    for (struct tacit__waiter **pp = &w->n->bat.height_waiters; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    free(w);
}

/* Answers the height waiters whose height was reached (the block) or whose deadline passed
 * (null); all of them when the node stops. */
static void wake_height_waiters(struct tacit_node *n, bool all)
{
    struct tacit_state_tip tip;
    struct tacit__waiter **pp = &n->bat.height_waiters;
    uint64_t now = tacit__now_ms();
    if (tacit_state_tip(n->st, &tip) != TACIT_OK) return;
    while (*pp != NULL) {
        struct tacit__waiter *w = *pp;
        bool reached = tip.next_height > w->height;
        if (reached || all || now >= w->deadline_ms) {
            *pp = w->next;
            if (reached)
                tacit__reply_block(w->call, n, w->height);
            else
                tacit_rpc_reply(w->call, json_null());
            free(w);
        } else {
            pp = &w->next;
        }
    }
}

static void on_wait_timer(uv_timer_t *t) { wake_height_waiters(t->data, false); }

void tacit__batcher_wait_height(struct tacit_node *n, struct tacit_rpc_call *call, uint64_t height,
                                uint64_t timeout_ms)
{
    struct tacit__waiter *w = calloc(1, sizeof *w);
    if (w == NULL) {
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
        return;
    }
    w->n = n;
    w->call = call;
    w->height = height;
    w->deadline_ms = tacit__now_ms() + timeout_ms;
    /* A long-poll: capped per connection and in total by the RPC server, and cancelled (the
     * waiter freed, nothing written) when its client leaves. */
    if (!tacit_rpc_call_park(call, cancel_height_waiter, w)) {
        free(w); /* answered -32006 */
        return;
    }
    add_waiter(&n->bat.height_waiters, w);
}

bool tacit__batcher_wait_block(struct tacit_node *n, struct tacit_rpc_call *call,
                               const struct tacit_credit *c, uint64_t blocks)
{
    struct tacit__waiter *w = calloc(1, sizeof *w);
    if (w == NULL) {
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
        return false;
    }
    w->n = n;
    w->call = call;
    w->more = blocks > 0 ? blocks - 1 : 0;
    if (c != NULL) {
        w->has_credit = true;
        w->credit = *c;
        n->bat.ncredits++;
    }
    add_waiter(&n->bat.block_waiters, w);
    n->bat.mine_requested = true;
    tacit__batcher_start(n);
    return true;
}

static void reply_block_waiters(struct tacit_node *n, struct tacit__waiter *w,
                                const struct block_job *j)
{
    while (w != NULL) {
        struct tacit__waiter *next = w->next;
        if (j->rc == TACIT_OK && w->rc == TACIT_OK && w->more > 0 && !n->stopping) {
            /* dev_mine N: waits for the next block too (its credit, if any, is in this one) */
            w->more--;
            w->has_credit = false;
            add_waiter(&n->bat.block_waiters, w);
            n->bat.mine_requested = true;
            w = next;
            continue;
        }
        if (j->rc == TACIT_OK && w->rc != TACIT_OK) {
            tacit_rpc_reply_tacit_error(w->call, w->rc);
        } else if (j->rc == TACIT_OK) {
            char h[19], hash[67];
            tacit_hex_u64(h, j->header.height);
            tacit_hex_encode(hash, j->hash, 32);
            tacit_rpc_reply(w->call, json_pack("{s:s,s:s}", "height", h, "hash", hash));
        } else {
            tacit_rpc_reply_tacit_error(w->call, j->rc);
        }
        free(w);
        w = next;
    }
}

/* ---------------------------------------------------------------- block job ---- */

/*
 * L1 mode: the queue's confirmed entries in queue order (the contract checks the block's
 * credits against its queue: none may be skipped, docs/protocol.md 8.1): a deposit is a credit
 * (one the rules refuse stops the block: no block until it can be credited); a forced
 * transaction is a failed marker when an earlier block spent one of its nullifiers, else an
 * included marker with the transaction among the block's first ones. The block stops consuming
 * at a forced entry that conflicts with one it includes (the next block consumes it, as
 * failed), past TACIT_BLOCK_MAX_FORCED included ones, and at one the rules refuse (it waits: a
 * contract that queued it and a node that refuses it disagree; logged).
 */
static int consume_queue(struct block_job *j, struct tacit_block_builder *b)
{
    for (size_t i = 0; i < j->nl1; i++) {
        const struct tacit_settle_message *m = &j->l1_msgs[i];
        struct tacit_tx tx;
        bool included = false;
        int rc;
        if (m->kind == TACIT_SETTLE_MSG_DEPOSIT) {
            if ((rc = tacit_block_builder_add_credit(b, &m->credit)) != TACIT_OK) {
                tacit_log(TACIT_LOG_ERROR, "batcher",
                          "L1 queue entry %" PRIu64 " refused by the rules: %s (%s); no block "
                          "until it can be credited",
                          m->index, tacit_strerror(rc), tacit_errname(rc));
                return rc;
            }
            j->ncredits++;
            j->nconsumed++;
            continue;
        }
        rc = m->kind == TACIT_SETTLE_MSG_FORCED ? tacit_tx_decode(&tx, m->tx, sizeof m->tx)
                                                : TACIT_EINVAL;
        if (rc == TACIT_OK)
            rc = tacit_block_builder_add_forced(b, &tx, m->tx, sizeof m->tx, &included);
        if (rc == TACIT_ENULLIFIER_IN_BLOCK || rc == TACIT_ETOOBIG) break; /* the next block */
        if (rc == TACIT_ENOMEM) return rc;
        if (rc != TACIT_OK) {
            tacit_log(TACIT_LOG_ERROR, "batcher",
                      "L1 queue entry %" PRIu64 " (a forced transaction) refused by the rules: "
                      "%s (%s); the queue waits at it",
                      m->index, tacit_strerror(rc), tacit_errname(rc));
            break;
        }
        j->nconsumed++;
        if (included) {
            if (j->forced == NULL && (j->forced = calloc(j->nl1, sizeof *j->forced)) == NULL)
                return TACIT_ENOMEM;
            j->forced[j->forced_included++] = tx;
        } else {
            j->forced_failed++;
        }
    }
    return TACIT_OK;
}

/* After the commit, still on the block lane: what the block changed for the pending txs, so
 * the loop re-checks the mempool without reading the store (block_committed). */
static void read_delta(struct block_job *j)
{
    const struct tacit_tx **txs = malloc((j->nitems + j->forced_included + 1) * sizeof *txs);
    size_t k = 0;
    if (txs == NULL) {
        j->delta_rc = TACIT_ENOMEM;
        return;
    }
    for (size_t i = 0; i < j->nitems; i++)
        if (j->results[i] == TACIT_OK) txs[k++] = &j->items[i].tx;
    for (size_t i = 0; i < j->forced_included; i++) txs[k++] = &j->forced[i];
    j->delta_rc = tacit_mempool_delta_make(&j->delta, j->n->st, txs, k);
    free(txs);
}

/* On the block lane. */
static void block_work(struct tacit__job *job)
{
    struct block_job *j = (struct block_job *)job;
    struct tacit_node *n = j->n;
    struct tacit_block_builder *b = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    double t0 = tacit__mono_s(), t1, c0 = tacit__thread_cpu_s(), c1;

    if ((j->rc = tacit_block_builder_new(&b, n->st, &j->params)) != TACIT_OK) return;
    if ((j->rc = consume_queue(j, b)) != TACIT_OK) goto out;
    j->queue_next += j->nconsumed;
    /* Credits first (docs/protocol.md 6.3). One the rules refuse (EOVERFLOW: the balance would
     * pass 2^64 - 1) is left out and its dev_fund call answered with that error; the block
     * goes on without it. */
    for (struct tacit__waiter *w = j->waiters; w != NULL; w = w->next) {
        if (!w->has_credit) continue;
        w->rc = tacit_block_builder_add_credit(b, &w->credit);
        if (w->rc == TACIT_OK)
            j->ncredits++;
        else if (w->rc != TACIT_EOVERFLOW && w->rc != TACIT_ECREDIT) {
            j->rc = w->rc; /* ENOMEM, ETOOBIG: the block's, not the credit's */
            goto out;
        }
    }
    /* One pass: the selection order puts each sender's deposits in nonce order, so a deposit
     * refused with ENONCE here waits for one that is not pending yet (a later block). */
    for (size_t i = 0; i < j->nitems; i++)
        j->results[i] =
            tacit_block_builder_add_tx(b, &j->items[i].tx, j->items[i].bytes, TACIT_TX_BYTES);
    if ((j->rc = tacit_block_builder_seal(b, n->key, j->timestamp_ms, &j->header, &bytes, &len)) !=
        TACIT_OK)
        goto out;
    tacit_block_hash(j->hash, &j->header);
    t1 = tacit__mono_s();
    j->build_s = t1 - t0;
    c1 = tacit__thread_cpu_s();
    j->cpu[TACIT__CPU_BUILD] = c1 - c0;
    j->rc = tacit_block_builder_commit(b);
    j->commit_s = tacit__mono_s() - t1;
    c0 = tacit__thread_cpu_s();
    j->cpu[TACIT__CPU_COMMIT] = c0 - c1;
    if (j->rc == TACIT_OK && n->cfg.settler != NULL)
        j->queue_rc =
            tacit__settle_credited_save(n->st, j->header.height, j->queue_next, j->l1_msgs, j->nl1);
    if (j->rc == TACIT_OK) {
        j->json = tacit__block_json_from_bytes(bytes, len);
        /* the readers' reply, serialised here once rather than on the loop per read */
        if (j->json != NULL && (j->text = json_dumps(j->json, JSON_COMPACT)) != NULL)
            j->text_len = strlen(j->text);
        read_delta(j);
    }
    j->cpu[TACIT__CPU_AFTER] = tacit__thread_cpu_s() - c0;
out:
    free(bytes);
    tacit_block_builder_free(b);
}

static void block_job_free(struct block_job *j)
{
    json_decref(j->json);
    free(j->text);
    tacit_mempool_delta_clear(&j->delta);
    free(j->forced);
    free(j->l1_msgs);
    free(j->items);
    free(j->results);
    free(j);
}

/* After a commit: the mempool's part, the recent-blocks cache, the figures. */
static void block_committed(struct tacit_node *n, struct block_job *j)
{
    uint8_t(*included)[32] = malloc((j->nitems + 1) * sizeof *included);
    size_t nincluded = 0;
    char hash[67];

    n->store_failed = false;
    n->bat.commits++;
    if (included == NULL)
        tacit_log(TACIT_LOG_ERROR, "batcher",
                  "out of memory after a block: the mempool keeps "
                  "included txs until the next block re-checks them");
    for (size_t i = 0; i < j->nitems; i++) {
        if (j->results[i] == TACIT_OK) {
            if (included != NULL) memcpy(included[nincluded], j->items[i].id, 32);
            nincluded++;
        } else if (j->results[i] != TACIT_ENONCE) {
            /* It broke a rule against the state the block was built on: it cannot become valid
             * later (anchors only expire, nullifiers stay spent). ENONCE: a deposit whose
             * earlier nonce is not in yet; the re-check below drops a replayed one. */
            tacit_mempool_remove(n->mp, j->items[i].id, j->results[i], tacit__mempool_removed, n);
        }
    }
    /* The re-check of the others: by the block's delta (read on the block lane), only the txs
     * it can have invalidated; without it (a store error reading it), every tx in full. */
    if (included != NULL && j->delta_rc == TACIT_OK)
        tacit_mempool_after_block_delta(n->mp, (const uint8_t(*)[32])included, nincluded, &j->delta,
                                        n->st, tacit__mempool_removed, n);
    else if (included != NULL)
        tacit_mempool_after_block(n->mp, (const uint8_t(*)[32])included, nincluded, n->st,
                                  tacit__mempool_removed, n);
    free(included);
    tacit_mempool_delta_clear(&n->bat.delta); /* admission's, for a batch checked before it */
    n->bat.delta = j->delta;
    n->bat.delta_ok = j->delta_rc == TACIT_OK;
    memset(&j->delta, 0, sizeof j->delta);
    if (j->json != NULL) {
        tacit__recent_block_set(n, j->header.height, j->json, j->text, j->text_len);
        j->json = NULL;
        j->text = NULL;
    }
    if (n->cfg.settler != NULL) {
        tacit__settle_queue_consumed(n, j->header.height, j->nconsumed);
        if (j->queue_rc != TACIT_OK) /* recovered at the next start from the blocks */
            tacit_log(TACIT_LOG_WARN, "batcher",
                      "block %" PRIu64 ": its L1 queue position not recorded: %s", j->header.height,
                      tacit_strerror(j->queue_rc));
        tacit__settle_poke(n);
    }
    n->m.blocks++;
    n->m.txs_included += nincluded + j->forced_included;
    if (tacit__settle_sequencing(n)) n->settle.open_made++;
    tacit__hist_add(&n->m.block_build, j->build_s);
    tacit__hist_add(&n->m.commit, j->commit_s);
    tacit_hex_encode(hash, j->hash, 32);
    if (j->forced_included + j->forced_failed > 0)
        tacit_log(TACIT_LOG_INFO, "batcher",
                  "block %" PRIu64 ": forced transactions of the L1 queue: %zu included, %zu "
                  "consumed as failed (a nullifier spent before)",
                  j->header.height, j->forced_included, j->forced_failed);
    tacit_log(TACIT_LOG_INFO, "batcher",
              "block %" PRIu64 " %s: %zu txs, %zu credits, build %.1f ms, commit %.1f ms%s",
              j->header.height, hash, nincluded + j->forced_included, j->ncredits, j->build_s * 1e3,
              j->commit_s * 1e3, n->key == NULL ? " (a block of open submission: no key)" : "");
}

/* On the loop. */
static void block_done(struct tacit__job *job)
{
    struct block_job *j = (struct block_job *)job;
    struct tacit_node *n = j->n;
    double c0 = tacit__thread_cpu_s();

    n->bat.inflight = false;
    n->bat.last_rc = j->rc;
    for (int s = 0; s < TACIT__CPU_NSTAGES; s++) n->m.cpu[s] += j->cpu[s];
    if (j->rc == TACIT_OK) {
        block_committed(n, j);
    } else {
        n->m.commit_failures++;
        if (j->rc == TACIT_EDISK_FULL || j->rc == TACIT_ESTATE_IO || j->rc == TACIT_EMAP_FULL)
            n->store_failed = true;
        tacit_log(TACIT_LOG_ERROR, "batcher",
                  "block not committed: %s (%s); last committed state kept", tacit_strerror(j->rc),
                  tacit_errname(j->rc));
        /* The block's dev_fund calls are answered with its error below, so their credits are
         * gone: re-queued, a credit answered as failed would be minted by a later block (and
         * one the rules refuse would fail every later block). */
    }
    reply_block_waiters(n, j->waiters, j);
    wake_height_waiters(n, false);
    block_job_free(j);
    n->m.cpu[TACIT__CPU_RECHECK] += tacit__thread_cpu_s() - c0;
    tacit__node_job_finished(n);
    if (n->stopping) return;
    if (n->bat.mine_requested)
        tacit__batcher_start(n);
    else
        tacit__batcher_full(n);
    tacit__admission_dispatch(n);
}

void tacit__batcher_start(struct tacit_node *n)
{
    struct tacit__batcher *bat = &n->bat;
    struct block_job *j;
    size_t want;
    /* a follower makes no blocks, unless it sequences while submission is open (settle.c) */
    if (bat->inflight || tacit__node_store_closing(n) ||
        (tacit__following(n) && !tacit__settle_open_may_build(n)))
        return;
    if (n->paused && !bat->mine_requested) return;
    if (tacit_mempool_count(n->mp) == 0 && bat->ncredits == 0 && !bat->mine_requested &&
        !n->cfg.empty_blocks && (n->cfg.settler == NULL || tacit__settle_credits_ready(n) == 0))
        return;
    want = tacit_mempool_count(n->mp);
    if (want > n->cfg.max_block_txs) want = n->cfg.max_block_txs;
    if ((j = calloc(1, sizeof *j)) == NULL ||
        (j->items = calloc(want + 1, sizeof *j->items)) == NULL ||
        (j->results = calloc(want + 1, sizeof *j->results)) == NULL) {
        if (j != NULL) block_job_free(j);
        tacit_log(TACIT_LOG_ERROR, "batcher", "out of memory: block postponed");
        return;
    }
    j->job.work = block_work;
    j->job.done = block_done;
    j->n = n;
    j->params = n->params;
    j->timestamp_ms = tacit__batcher_time_ms(n);
    j->nitems = tacit_mempool_select_block(n->mp, j->items, want);
    if (n->cfg.settler != NULL) {
        const struct tacit__settle *se = &n->settle;
        size_t k = tacit__settle_credits_ready(n);
        if (k > TACIT_NODE_DEVNET_MAX_CREDITS) k = TACIT_NODE_DEVNET_MAX_CREDITS;
        if (k > 0 && (j->l1_msgs = malloc(k * sizeof *j->l1_msgs)) == NULL) k = 0;
        if (k > 0)
            memcpy(j->l1_msgs, &se->queue[se->queue_next - se->queue_base], k * sizeof *j->l1_msgs);
        j->nl1 = k;
        j->queue_next = se->queue_next; /* + the entries the block consumes */
    }
    /* the waiters were pushed newest first: the block takes their credits in arrival order */
    for (struct tacit__waiter *w = bat->block_waiters, *next; w != NULL; w = next) {
        next = w->next;
        w->next = j->waiters;
        j->waiters = w;
    }
    bat->block_waiters = NULL;
    bat->ncredits = 0;
    bat->mine_requested = false;
    bat->inflight = true;
    tacit__lane_submit(bat->lane, &j->job);
}

uint64_t tacit__batcher_time_ms(struct tacit_node *n)
{
    struct tacit__batcher *bat = &n->bat;
    uint64_t t;
    if (bat->next_timestamp_ms != 0) { /* dev_setNextBlockTimestamp: this block's, exactly */
        t = bat->next_timestamp_ms;
        bat->next_timestamp_ms = 0;
        return t;
    }
    /* whole seconds either way; the builder keeps it at or after the parent's */
    t = (uint64_t)((int64_t)tacit__block_time_ms() + bat->time_offset_ms);
    return t;
}

void tacit__batcher_full(struct tacit_node *n)
{
    if (tacit_mempool_count(n->mp) >= n->cfg.max_block_txs) tacit__batcher_start(n);
}

static void on_block_timer(uv_timer_t *t) { tacit__batcher_start(t->data); }

int tacit__batcher_init(struct tacit_node *n)
{
    struct tacit__batcher *bat = &n->bat;
    uv_timer_init(&n->loop, &bat->timer);
    uv_timer_init(&n->loop, &bat->wait_timer);
    bat->timer.data = bat->wait_timer.data = n;
    bat->timers_open = true;
    return tacit__lane_new(&bat->lane, &n->loop, "block", 1);
}

void tacit__batcher_run(struct tacit_node *n)
{
    /* a follower makes no blocks (one that sequences while submission is open: then only) */
    if (!tacit__following(n) || n->cfg.sequence_when_open)
        uv_timer_start(&n->bat.timer, on_block_timer, n->cfg.block_interval_ms,
                       n->cfg.block_interval_ms);
    uv_timer_start(&n->bat.wait_timer, on_wait_timer, 100, 100);
}

void tacit__batcher_followed(struct tacit_node *n, uint64_t height, json_t *json, size_t ntxs)
{
    n->store_failed = false;
    if (json != NULL) tacit__recent_block_set(n, height, json, NULL, 0);
    n->m.blocks++;
    n->m.txs_included += ntxs;
    wake_height_waiters(n, false);
}

static void close_cb_noop(uv_handle_t *h) { (void)h; }

void tacit__batcher_stop(struct tacit_node *n)
{
    struct tacit__batcher *bat = &n->bat;
    while (bat->block_waiters != NULL) {
        struct tacit__waiter *w = bat->block_waiters;
        bat->block_waiters = w->next;
        tacit_rpc_reply_tacit_error(w->call, TACIT_EBUSY);
        free(w);
    }
    wake_height_waiters(n, true);
    if (bat->timers_open) {
        uv_close((uv_handle_t *)&bat->timer, close_cb_noop);
        uv_close((uv_handle_t *)&bat->wait_timer, close_cb_noop);
        bat->timers_open = false;
    }
    tacit__lane_close(bat->lane);
    bat->lane = NULL;
    tacit_mempool_delta_clear(&bat->delta);
    bat->delta_ok = false;
}
