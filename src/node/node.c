/*
 * tacit — the node's life cycle, the admission pipeline and the batcher (include/tacit/node.h).
 *
 * Admission (tacit_sendRawTransaction), cheapest first. On the loop thread: decode, chain id and
 * fee, the mempool's conflicts. Then on the libuv thread pool, in the block path's order: the
 * static rules (tacit_tx_check_static: hashes, the deposit signature), the state rules against
 * the committed state (tacit_tx_check_state), and the proof, batched: whatever has queued up while the workers were busy is verified together with one
 * final exponentiation (tacit_groth16_verify_batch_var). After the proof, the state and
 * mempool checks run once more (a block may have landed meanwhile) and the tx enters the
 * mempool; only then does the caller get its tx id.
 *
 * Batcher: a timer every block_interval_ms, or a full block's worth of pending txs, starts one
 * block job on the thread pool: build on the committed tip (the same rules as the block path:
 * tacit_block_builder_add_tx), sign, commit in one LMDB write transaction. The loop keeps
 * admitting meanwhile (against the committed state; the block's txs stay in the mempool until
 * the commit, so their nullifiers keep conflicting). After the commit the mempool drops the
 * included txs and re-checks the rest.
 */
#define _GNU_SOURCE /* asprintf, open_memstream */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/node_internal.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/util.h"

#define VERIFY_BATCH_MAX 256
#define VERIFY_SPLIT_MIN 8 /* measured: 32 starved the second worker, 1 made batches of ~2 */

uint64_t tacit__now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void tacit_node_config_init(struct tacit_node_config *c) {
    memset(c, 0, sizeof *c);
    tacit_rpc_limits_default(&c->rpc_limits);
    c->rpc_host = "127.0.0.1";
    c->rpc_port = TACIT_DEFAULT_RPC_PORT;
    c->block_interval_ms = 1000;
    c->max_block_txs = 2048;
    c->min_fee = 1000;
    c->mempool_max_txs = 50000;
    c->mempool_max_bytes = (size_t)256 << 20;
    c->verify_queue_max = 8192;
    c->log_level = TACIT_LOG_INFO;
}

/* ------------------------------------------------------------------ metrics ---- */

static const double hist_le[TACIT__HIST_N] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                              0.025,  0.05,  0.1,    0.25,  1.0};

void tacit__hist_add(struct tacit__hist *h, double s) {
    size_t i = 0;
    while (i < TACIT__HIST_N && s > hist_le[i]) i++;
    h->bucket[i]++;
    h->count++;
    h->sum += s;
}

static void hist_render(FILE *f, const char *name, const char *help, const struct tacit__hist *h) {
    uint64_t cum = 0;
    fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (size_t i = 0; i < TACIT__HIST_N; i++) {
        cum += h->bucket[i];
        fprintf(f, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, hist_le[i], cum);
    }
    cum += h->bucket[TACIT__HIST_N];
    fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n%s_sum %.6f\n%s_count %" PRIu64 "\n", name,
            cum, name, h->sum, name, h->count);
}

static void counter(FILE *f, const char *name, const char *type, const char *help, uint64_t v) {
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, v);
}

void tacit__node_metrics(void *ud, char **text, size_t *len) {
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    FILE *f;
    *text = NULL;
    *len = 0;
    if ((f = open_memstream(text, len)) == NULL) return;
    if (tacit_state_tip(n->st, &tip) == TACIT_OK)
        counter(f, "tacit_chain_height", "gauge", "Height of the next block.", tip.next_height);
    counter(f, "tacit_blocks_total", "counter", "Blocks committed by this process.", n->m_blocks);
    counter(f, "tacit_txs_included_total", "counter", "Transactions included in blocks.",
            n->m_txs_included);
    counter(f, "tacit_txs_admitted_total", "counter", "Transactions admitted to the mempool.",
            n->m_txs_admitted);
    counter(f, "tacit_txs_refused_total", "counter", "Transactions refused at admission.",
            n->m_txs_rejected_admission);
    counter(f, "tacit_block_commit_failures_total", "counter",
            "Blocks whose commit failed (the last committed state was kept).", n->m_commit_failures);
    counter(f, "tacit_mempool_txs", "gauge", "Pending transactions.", tacit_mempool_count(n->mp));
    counter(f, "tacit_mempool_bytes", "gauge", "Bytes of pending transactions.",
            tacit_mempool_bytes(n->mp));
    counter(f, "tacit_verify_queue_txs", "gauge", "Transactions waiting for their proof check.",
            n->vq_len);
    counter(f, "tacit_paused", "gauge", "1 when sequencing is paused.", n->paused);
    hist_render(f, "tacit_verify_seconds", "Proof verification time per transaction (batched).",
                &n->h_verify);
    hist_render(f, "tacit_block_build_seconds", "Time to build and sign a block.", &n->h_block_build);
    hist_render(f, "tacit_block_commit_seconds", "Time to commit a block (fsync included).",
                &n->h_commit);
    fclose(f);
}

bool tacit__node_health(void *ud, char **json) {
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    bool tip_ok = tacit_state_tip(n->st, &tip) == TACIT_OK;
    bool ok = !n->store_failed && n->block_rc == TACIT_OK && tip_ok;
    const char *status = ok ? "ok" : n->store_failed || !tip_ok ? "store failing" : "block failing";
    char h[19], err[96] = "";
    tacit_hex_u64(h, tip_ok ? tip.next_height : 0);
    /* the last block that could not be built or committed, until one is */
    if (n->block_rc != TACIT_OK)
        snprintf(err, sizeof err, ",\"lastBlockError\":\"%s\"", tacit_errname(n->block_rc));
    if (asprintf(json, "{\"status\":\"%s\",\"nextHeight\":\"%s\",\"paused\":%s%s}", status, h,
                 n->paused ? "true" : "false", err) < 0)
        *json = NULL;
    return ok;
}

/* ----------------------------------------------------------------- statuses ---- */

static size_t rejected_slot(const uint8_t id[32]) {
    /* Ids are BLAKE2b outputs: their first bytes are already uniform. */
    uint64_t h;
    memcpy(&h, id, sizeof h);
    return (size_t)(h % TACIT__REJECTED_MAX);
}

void tacit__node_record_rejected(struct tacit_node *n, const uint8_t id[32], int reason) {
    struct tacit__rejected *r = &n->rejected[rejected_slot(id)];
    memcpy(r->id, id, 32);
    r->reason = reason;
    r->used = true;
}

int tacit__node_rejected_reason(const struct tacit_node *n, const uint8_t id[32]) {
    const struct tacit__rejected *r = &n->rejected[rejected_slot(id)];
    return r->used && memcmp(r->id, id, 32) == 0 ? r->reason : TACIT_OK;
}

static void on_removed(void *ud, const uint8_t id[32], int reason) {
    struct tacit_node *n = ud;
    char hex[67];
    tacit__node_record_rejected(n, id, reason);
    tacit_hex_encode(hex, id, 32);
    tacit_log(TACIT_LOG_DEBUG, "mempool", "dropped %s: %s", hex, tacit_errname(reason));
}

/* ----------------------------------------------------------------- waiters ---- */

void tacit__node_add_waiter(struct tacit__waiter **list, struct tacit__waiter *w) {
    w->next = *list;
    *list = w;
}

/* tacit_waitForBlock's client left: the waiter goes without a reply (the list is bounded by
 * the RPC server's max_longpolls, so the walk is short). */
void tacit__node_cancel_height_waiter(void *arg) {
    struct tacit__waiter *w = arg;
    for (struct tacit__waiter **pp = &w->n->height_waiters; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    free(w);
}

static void wake_height_waiters(struct tacit_node *n, bool all) {
    struct tacit_state_tip tip;
    struct tacit__waiter **pp = &n->height_waiters;
    uint64_t now = tacit__now_ms();
    if (tacit_state_tip(n->st, &tip) != TACIT_OK) return;
    while (*pp != NULL) {
        struct tacit__waiter *w = *pp;
        bool reached = tip.next_height > w->height;
        if (reached || all || now >= w->deadline_ms) {
            *pp = w->next;
            tacit_rpc_reply(w->call, reached ? tacit__block_json(n, w->height, false) : json_null());
            free(w);
        } else {
            pp = &w->next;
        }
    }
}

static void on_wait_timer(uv_timer_t *t) { wake_height_waiters(t->data, false); }

/* ---------------------------------------------------------------- batcher ---- */

struct block_job {
    uv_work_t req;
    struct tacit_node *n;
    struct tacit_mempool_item *items;
    size_t nitems;
    int *results;                 /* per item: TACIT_OK (included) or the rule it broke */
    size_t ncredits;              /* credits added to the block */
    struct tacit__waiter *waiters; /* dev_mine / dev_fund calls answered by this block, oldest
                                   * first; the credits of the dev_fund ones, in that order */
    struct tacit_chain_params params; /* a copy: admin_setMinFee may change the node's meanwhile */
    int rc;                       /* build/seal/commit */
    json_t *json;                 /* the committed block for readers (may be NULL) */
    struct tacit_block_header header;
    uint8_t hash[32];
    double build_s, commit_s;
};

static void block_work(uv_work_t *req) {
    struct block_job *j = req->data;
    struct tacit_node *n = j->n;
    struct tacit_block_builder *b = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    double t0 = mono_s(), t1;
    bool progress = true;

    if ((j->rc = tacit_block_builder_new(&b, n->st, &j->params)) != TACIT_OK) return;
    /* A credit the rules refuse (EOVERFLOW: the balance would pass 2^64 - 1) is left out and
     * its dev_fund call answered with that error; the block goes on without it. */
    for (struct tacit__waiter *w = j->waiters; w != NULL; w = w->next) {
        if (!w->has_credit) continue;
        w->rc = tacit_block_builder_add_credit(b, &w->credit);
        if (w->rc == TACIT_OK) j->ncredits++;
        else if (w->rc != TACIT_EOVERFLOW && w->rc != TACIT_ECREDIT) {
            j->rc = w->rc; /* ENOMEM, ETOOBIG: the block's, not the credit's */
            goto out;
        }
    }
    for (size_t i = 0; i < j->nitems; i++) j->results[i] = TACIT_ENONCE;
    /* Fee order first; deposits whose nonce comes later than another pending deposit of the
     * same sender fail with ENONCE and get another pass once the earlier one is in. */
    for (int pass = 0; pass < 16 && progress; pass++) {
        progress = false;
        for (size_t i = 0; i < j->nitems; i++) {
            if (j->results[i] != TACIT_ENONCE) continue;
            j->results[i] = tacit_block_builder_add_tx(b, &j->items[i].tx, j->items[i].bytes,
                                                       TACIT_TX_BYTES);
            if (j->results[i] == TACIT_OK) progress = true;
        }
    }
    if ((j->rc = tacit_block_builder_seal(b, n->key, tacit__now_ms(), &j->header, &bytes, &len)) !=
        TACIT_OK)
        goto out;
    tacit_block_hash(j->hash, &j->header);
    t1 = mono_s();
    j->build_s = t1 - t0;
    j->rc = tacit_block_builder_commit(b);
    j->commit_s = mono_s() - t1;
    if (j->rc == TACIT_OK) j->json = tacit__block_json_from_bytes(bytes, len);
out:
    free(bytes);
    tacit_block_builder_free(b);
}

static void try_seal(struct tacit_node *n);

static void reply_block_waiters(struct tacit_node *n, struct tacit__waiter *w, const struct block_job *j) {
    while (w != NULL) {
        struct tacit__waiter *next = w->next;
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
    (void)n;
}

static void finish_stop(struct tacit_node *n);
static void dispatch_verify(struct tacit_node *n);

bool tacit__node_jobs_busy(const struct tacit_node *n) {
    return n->block_inflight || n->verify_inflight > 0 || n->backups_inflight > 0 ||
           n->read_inflight;
}

static void maybe_revert(struct tacit_node *n);

void tacit__node_job_finished(struct tacit_node *n) {
    maybe_revert(n);
    if (n->stopping) finish_stop(n);
}

/* admin_backup: mdb_env_copy2 of a large store takes long, so it runs on the thread pool
 * (LMDB copies from its own read transaction while blocks keep committing). */
struct backup_job {
    uv_work_t req;
    struct tacit_node *n;
    struct tacit_rpc_call *call;
    int rc;
    long size;
    char dir[];
};

static void backup_work(uv_work_t *req) {
    struct backup_job *j = req->data;
    char *file;
    FILE *f;
    j->size = -1;
    if ((j->rc = tacit_state_copy(j->n->st, j->dir)) != TACIT_OK) return;
    if ((file = tacit_datadir_path(j->dir, "data.mdb")) != NULL && (f = fopen(file, "rb")) != NULL) {
        if (fseek(f, 0, SEEK_END) == 0) j->size = ftell(f);
        fclose(f);
    }
    free(file);
}

static void backup_after(uv_work_t *req, int status) {
    struct backup_job *j = req->data;
    struct tacit_node *n = j->n;
    (void)status;
    n->backups_inflight--;
    if (j->rc != TACIT_OK) {
        /* a backup error is the backup's (EBACKUP_*, EEXISTS): blocks are not concerned */
        tacit_log(TACIT_LOG_WARN, "admin", "backup to %s failed: %s (%s)", j->dir, tacit_strerror(j->rc),
                  tacit_errname(j->rc));
        tacit_rpc_reply_tacit_error(j->call, j->rc);
    } else {
        tacit_log(TACIT_LOG_INFO, "admin", "backup written to %s (%ld bytes)", TACIT_LOG_S(j->dir), j->size);
        tacit_rpc_reply(j->call, json_pack("{s:s,s:I}", "path", j->dir, "bytes", (json_int_t)j->size));
    }
    free(j);
    maybe_revert(n);
    if (n->stopping) finish_stop(n);
}

void tacit__node_backup(struct tacit_node *n, struct tacit_rpc_call *call, const char *dir) {
    size_t len = strlen(dir);
    struct backup_job *j;
    if (n->stopping || n->revert_call != NULL) {
        tacit_rpc_reply_tacit_error(call, TACIT_EBUSY);
        return;
    }
    if ((j = calloc(1, sizeof *j + len + 1)) == NULL) {
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
        return;
    }
    memcpy(j->dir, dir, len + 1);
    j->req.data = j;
    j->n = n;
    j->call = call;
    n->backups_inflight++;
    if (uv_queue_work(&n->loop, &j->req, backup_work, backup_after) != 0) {
        n->backups_inflight--;
        free(j);
        tacit_rpc_reply_tacit_error(call, TACIT_EBUSY);
    }
}

/* dev_revert waits until no job is in flight (they read the store being replaced). */
static void maybe_revert(struct tacit_node *n) {
    struct tacit_rpc_call *call = n->revert_call;
    int rc;
    if (call == NULL || tacit__node_jobs_busy(n)) return;
    n->revert_call = NULL;
    rc = tacit__snapshot_revert(n, n->revert_id);
    if (rc == TACIT_OK) tacit_rpc_reply(call, json_true());
    else tacit_rpc_reply_tacit_error(call, rc);
}

static void block_after(uv_work_t *req, int status) {
    struct block_job *j = req->data;
    struct tacit_node *n = j->n;
    uint8_t(*included)[32] = NULL;
    size_t nincluded = 0;
    char hash[67];
    (void)status;

    n->block_inflight = false;
    n->block_rc = j->rc;
    if (j->rc == TACIT_OK) {
        n->store_failed = false;
        if ((included = malloc((j->nitems + 1) * sizeof *included)) == NULL)
            tacit_log(TACIT_LOG_ERROR, "node", "out of memory after a block: the mempool keeps "
                                               "included txs until the next block re-checks them");
        for (size_t i = 0; i < j->nitems; i++) {
            if (j->results[i] == TACIT_OK) {
                if (included != NULL) memcpy(included[nincluded], j->items[i].id, 32);
                nincluded++;
            } else if (j->results[i] != TACIT_ENONCE) {
                /* It broke a rule against the state the block was built on: it cannot
                 * become valid later (anchors only expire, nullifiers stay spent). */
                tacit_mempool_remove(n->mp, j->items[i].id, j->results[i], on_removed, n);
            }
        }
        if (included != NULL) tacit_mempool_after_block(n->mp, (const uint8_t(*)[32])included, nincluded,
                                                         n->st, on_removed, n);
        if (j->json != NULL) {
            json_t **slot = &n->recent[j->header.height % TACIT__RECENT_BLOCKS];
            json_decref(*slot);
            *slot = j->json;
            j->json = NULL;
        }
        n->m_blocks++;
        n->m_txs_included += nincluded;
        tacit__hist_add(&n->h_block_build, j->build_s);
        tacit__hist_add(&n->h_commit, j->commit_s);
        tacit_hex_encode(hash, j->hash, 32);
        tacit_log(TACIT_LOG_INFO, "batcher",
                  "block %" PRIu64 " %s: %zu txs, %zu credits, build %.1f ms, commit %.1f ms",
                  j->header.height, hash, nincluded, j->ncredits, j->build_s * 1e3, j->commit_s * 1e3);
    } else {
        n->m_commit_failures++;
        if (j->rc == TACIT_EDISK_FULL || j->rc == TACIT_ESTATE_IO || j->rc == TACIT_EMAP_FULL)
            n->store_failed = true;
        tacit_log(TACIT_LOG_ERROR, "batcher", "block not committed: %s (%s); last committed state kept",
                  tacit_strerror(j->rc), tacit_errname(j->rc));
        /* The block's dev_fund calls are answered with its error below, so their credits are
         * gone: re-queued, a credit answered as failed would be minted by a later block (and
         * one the rules refuse would fail every later block). */
    }
    reply_block_waiters(n, j->waiters, j);
    wake_height_waiters(n, false);
    json_decref(j->json);
    free(included);
    free(j->items);
    free(j->results);
    free(j);

    maybe_revert(n);
    if (n->stopping) {
        finish_stop(n);
        return;
    }
    if (tacit_mempool_count(n->mp) >= n->cfg.max_block_txs || n->mine_requested) try_seal(n);
    dispatch_verify(n);
}

static void try_seal(struct tacit_node *n) {
    struct block_job *j;
    size_t want;
    if (n->block_inflight || n->stopping || n->revert_call != NULL) return;
    if (n->paused && !n->mine_requested) return;
    if (tacit_mempool_count(n->mp) == 0 && n->ncredits == 0 && !n->mine_requested &&
        !n->cfg.empty_blocks)
        return;
    if ((j = calloc(1, sizeof *j)) == NULL) return;
    want = tacit_mempool_count(n->mp);
    if (want > n->cfg.max_block_txs) want = n->cfg.max_block_txs;
    j->req.data = j;
    j->n = n;
    if ((j->items = calloc(want + 1, sizeof *j->items)) == NULL ||
        (j->results = calloc(want + 1, sizeof *j->results)) == NULL) {
        free(j->items);
        free(j->results);
        free(j);
        tacit_log(TACIT_LOG_ERROR, "batcher", "out of memory: block postponed");
        return;
    }
    j->params = n->params;
    j->nitems = tacit_mempool_select(n->mp, j->items, want);
    /* the waiters were pushed newest first: the block takes their credits in arrival order */
    for (struct tacit__waiter *w = n->block_waiters, *next; w != NULL; w = next) {
        next = w->next;
        w->next = j->waiters;
        j->waiters = w;
    }
    n->block_waiters = NULL;
    n->ncredits = 0;
    n->mine_requested = false;
    n->block_inflight = true;
    if (uv_queue_work(&n->loop, &j->req, block_work, block_after) != 0) {
        n->block_inflight = false;
        tacit_log(TACIT_LOG_ERROR, "batcher", "cannot queue the block job");
        reply_block_waiters(n, j->waiters, &(struct block_job){.rc = TACIT_EBUSY});
        free(j->items);
        free(j->results);
        free(j);
    }
}

void tacit__node_kick_batcher(struct tacit_node *n) { try_seal(n); }

static void on_block_timer(uv_timer_t *t) { try_seal(t->data); }

/* --------------------------------------------------------------- admission ---- */

struct verify_job {
    uv_work_t req;
    struct tacit_node *n;
    struct tacit_chain_params params; /* a copy: admin_setMinFee may change the node's meanwhile */
    struct tacit__pending *head;  /* the batch */
    size_t count;
    double seconds;
};

static void verify_work(uv_work_t *req) {
    struct verify_job *j = req->data;
    tacit_groth16_proof *proofs = calloc(j->count, sizeof *proofs);
    tacit_groth16_item *items = calloc(j->count, sizeof *items);
    size_t *map = calloc(j->count, sizeof *map);
    int *results = calloc(j->count, sizeof *results);
    struct tacit__pending *p;
    size_t k = 0, i = 0;
    double t0 = mono_s();

    if (proofs == NULL || items == NULL || map == NULL || results == NULL) {
        for (p = j->head; p != NULL; p = p->next) p->result = TACIT_ENOMEM;
        goto out;
    }
    for (p = j->head; p != NULL; p = p->next, i++) {
        /* The static then the state rules, in the block path's order, off the loop (a deposit's
         * signature recovery costs ~50 us; LMDB reads are fine on any thread). */
        if ((p->result = tacit_tx_check_static(&p->tx, &j->params)) != TACIT_OK) continue;
        if ((p->result = tacit_tx_check_state_store(j->n->st, &p->tx)) != TACIT_OK) continue;
        if ((p->result = tacit_tx_proof(&proofs[k], &p->tx)) != TACIT_OK) continue;
        items[k].proof = &proofs[k];
        items[k].pub = p->tx.pub;
        items[k].npub = TACIT_TX_NPUBLIC;
        map[k++] = i;
    }
    if (k > 0) {
        tacit_groth16_verify_batch_var(results, j->n->pvk, items, k);
        i = 0;
        size_t m = 0;
        for (p = j->head; p != NULL && m < k; p = p->next, i++)
            if (map[m] == i) p->result = results[m++];
    }
out:
    j->seconds = mono_s() - t0;
    free(proofs);
    free(items);
    free(map);
    free(results);
}


static void reply_id(struct tacit_rpc_call *call, const uint8_t id[32]) {
    char hex[67];
    tacit_hex_encode(hex, id, 32);
    tacit_rpc_reply(call, json_string(hex));
}

static void verify_after(uv_work_t *req, int status) {
    struct verify_job *j = req->data;
    struct tacit_node *n = j->n;
    struct tacit__pending *p = j->head;
    (void)status;

    n->verify_inflight--;
    if (j->count > 0) {
        double per = j->seconds / (double)j->count;
        for (size_t i = 0; i < j->count; i++) tacit__hist_add(&n->h_verify, per);
    }
    while (p != NULL) {
        struct tacit__pending *next = p->next;
        int rc = p->result;
        /* A block may have committed while the proof was checked: the state rules again. */
        if (rc == TACIT_OK) rc = tacit_tx_check_state_store(n->st, &p->tx);
        if (rc == TACIT_OK && n->stopping) rc = TACIT_EBUSY;
        if (rc == TACIT_OK)
            rc = tacit_mempool_add(n->mp, &p->tx, p->id, p->bytes, tacit__now_ms(), on_removed, n);
        if (rc == TACIT_OK) {
            n->m_txs_admitted++;
            reply_id(p->call, p->id);
        } else {
            n->m_txs_rejected_admission++;
            tacit_rpc_reply_tacit_error(p->call, rc);
        }
        free(p);
        p = next;
    }
    free(j);
    maybe_revert(n);
    if (n->stopping) {
        finish_stop(n);
        return;
    }
    dispatch_verify(n);
    if (tacit_mempool_count(n->mp) >= n->cfg.max_block_txs) try_seal(n);
}

static void dispatch_verify(struct tacit_node *n) {
    while (n->vq_head != NULL && n->verify_inflight < n->verify_threads && !n->stopping &&
           n->revert_call == NULL) {
        unsigned idle = n->verify_threads - n->verify_inflight;
        size_t take;
        /* A batch shares one final exponentiation and the gamma/delta Miller loops: a proof
         * costs ~600 us alone, ~220 us in a batch of 16. So while one job runs, the next waits
         * until VERIFY_SPLIT_MIN txs have queued (they arrive meanwhile: a bigger batch), and a
         * long queue is split over the idle workers. */
        if (n->verify_inflight > 0 && n->vq_len < VERIFY_SPLIT_MIN) break;
        take = n->vq_len < 2 * VERIFY_SPLIT_MIN ? n->vq_len : (n->vq_len + idle - 1) / idle;
        struct verify_job *j;
        struct tacit__pending *tail;
        if (take > VERIFY_BATCH_MAX) take = VERIFY_BATCH_MAX;
        if ((j = calloc(1, sizeof *j)) == NULL) return;
        j->req.data = j;
        j->n = n;
        j->params = n->params;
        j->head = n->vq_head;
        tail = n->vq_head;
        for (size_t i = 1; i < take; i++) tail = tail->next;
        n->vq_head = tail->next;
        if (n->vq_head == NULL) n->vq_tail = NULL;
        tail->next = NULL;
        n->vq_len -= take;
        j->count = take;
        n->verify_inflight++;
        if (uv_queue_work(&n->loop, &j->req, verify_work, verify_after) != 0) {
            /* Cannot happen with a valid loop; answer rather than lose the calls. */
            n->verify_inflight--;
            for (struct tacit__pending *p = j->head, *q; p != NULL; p = q) {
                q = p->next;
                tacit_rpc_reply_tacit_error(p->call, TACIT_EBUSY);
                free(p);
            }
            free(j);
            return;
        }
    }
}

int tacit__node_submit(struct tacit_node *n, struct tacit_rpc_call *call, const uint8_t *bytes,
                       size_t len) {
    struct tacit__pending *p;
    int rc;
    if (n->stopping) return TACIT_EBUSY;
    if (n->vq_len >= n->cfg.verify_queue_max) return TACIT_EBUSY;
    if ((p = calloc(1, sizeof *p)) == NULL) return TACIT_ENOMEM;
    /* The chain id and fee (two compares) and the mempool's conflicts here; the static rules,
     * the state rules and the proof on a worker (verify_work). */
    if ((rc = tacit_tx_decode(&p->tx, bytes, len)) != TACIT_OK) goto out_free;
    if (p->tx.chain_id != n->params.chain_id) {
        rc = TACIT_ECHAIN_ID;
        goto out_free;
    }
    if (p->tx.ext.fee < n->params.min_fee) {
        rc = TACIT_EFEE_TOO_LOW;
        goto out_free;
    }
    tacit_tx_id(p->id, &p->tx);
    if ((rc = tacit_mempool_check(n->mp, &p->tx, p->id)) != TACIT_OK) goto out_free;
    memcpy(p->bytes, bytes, TACIT_TX_BYTES);
    p->call = call;
    if (n->vq_tail != NULL) n->vq_tail->next = p;
    else n->vq_head = p;
    n->vq_tail = p;
    n->vq_len++;
    dispatch_verify(n);
    return TACIT_OK;
out_free:
    n->m_txs_rejected_admission++;
    free(p);
    return rc;
}

/* ------------------------------------------------------------- life cycle ---- */

static void close_cb_noop(uv_handle_t *h) { (void)h; }
static void close_signals(struct tacit_node *n);

static void rpc_stopped(void *arg) {
    struct tacit_node *n = arg;
    n->rpc = NULL;
    finish_stop(n);
}

/* Runs when the RPC server has stopped and no job is in flight: close the remaining handles
 * (uv_run then returns, and tacit_node_run releases the rest). */
static void finish_stop(struct tacit_node *n) {
    if (n->rpc != NULL || tacit__node_jobs_busy(n)) return;
    while (n->vq_head != NULL) {
        struct tacit__pending *p = n->vq_head;
        n->vq_head = p->next;
        tacit_rpc_reply_tacit_error(p->call, TACIT_EBUSY);
        free(p);
    }
    n->vq_tail = NULL;
    n->vq_len = 0;
    while (n->block_waiters != NULL) {
        struct tacit__waiter *w = n->block_waiters;
        n->block_waiters = w->next;
        tacit_rpc_reply_tacit_error(w->call, TACIT_EBUSY);
        free(w);
    }
    wake_height_waiters(n, true);
    if (n->revert_call != NULL) {
        tacit_rpc_reply_tacit_error(n->revert_call, TACIT_EBUSY);
        n->revert_call = NULL;
    }
    if (!uv_is_closing((uv_handle_t *)&n->block_timer)) {
        uv_close((uv_handle_t *)&n->block_timer, close_cb_noop);
        uv_close((uv_handle_t *)&n->wait_timer, close_cb_noop);
        /* The socket went with the RPC server; the cookie goes now, before the signal handles
         * close: from then on a signal has its default action again, and a second SIGTERM
         * must not leave anything behind. The signals that never stop the node stay ignored. */
        tacit__cookie_remove(n);
        close_signals(n);
    }
}

/* ------------------------------------------------------------------ signals ---- */

/*
 * What each signal does (docs/operations.md). SIGINT, SIGTERM and SIGQUIT stop the node
 * cleanly: no new connections, the block in progress commits, the waiting calls are answered,
 * the socket and the cookie are removed, exit 0. SIGHUP (logrotate's) and SIGUSR1 reopen the
 * log file; SIGUSR2 is logged and ignored. None of them kills the node. SIGPIPE is ignored
 * (a client that went away is seen on the write).
 */
enum { ON_STOP, ON_REOPEN_LOG, ON_IGNORE };
static const struct {
    int signum;
    const char *name;
    int what;
} node_signals[TACIT__NSIGNALS] = {
    {SIGINT, "SIGINT", ON_STOP},          {SIGTERM, "SIGTERM", ON_STOP},
    {SIGQUIT, "SIGQUIT", ON_STOP},        {SIGHUP, "SIGHUP", ON_REOPEN_LOG},
    {SIGUSR1, "SIGUSR1", ON_REOPEN_LOG},  {SIGUSR2, "SIGUSR2", ON_IGNORE},
};

/* Before the loop runs (a devnet's trusted setup takes minutes) and after its handles close,
 * the signals that must never kill the node are ignored. */
static void ignore_non_stop_signals(void) {
    for (int i = 0; i < TACIT__NSIGNALS; i++)
        if (node_signals[i].what != ON_STOP) signal(node_signals[i].signum, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
}

static void close_signals(struct tacit_node *n) {
    for (int i = 0; i < TACIT__NSIGNALS; i++) uv_close((uv_handle_t *)&n->sig[i], close_cb_noop);
    ignore_non_stop_signals(); /* libuv restored the default action of each */
}

static void on_signal(uv_signal_t *h, int signum) {
    struct tacit_node *n = h->data;
    int i = 0, rc;
    while (i < TACIT__NSIGNALS - 1 && node_signals[i].signum != signum) i++;
    switch (node_signals[i].what) {
    case ON_REOPEN_LOG:
        if (tacit_log_path() == NULL) {
            tacit_log(TACIT_LOG_INFO, "node", "%s: no log file to reopen (the log goes to stderr)",
                      node_signals[i].name);
        } else if ((rc = tacit_log_reopen()) != TACIT_OK) {
            tacit_log(TACIT_LOG_ERROR, "node", "%s: cannot reopen the log file %s: %s; still writing to the old one",
                      node_signals[i].name, TACIT_LOG_S(tacit_log_path()), tacit_strerror(rc));
        } else {
            tacit_log(TACIT_LOG_INFO, "node", "%s: log file reopened", node_signals[i].name);
        }
        return;
    case ON_IGNORE:
        tacit_log(TACIT_LOG_INFO, "node", "%s: ignored", node_signals[i].name);
        return;
    default:
        break;
    }
    if (n->stopping) {
        tacit_log(TACIT_LOG_INFO, "node", "%s: already stopping", node_signals[i].name);
        return;
    }
    tacit_log(TACIT_LOG_INFO, "node", "%s: stopping (finishing the block in progress)", node_signals[i].name);
    n->stopping = true;
    uv_timer_stop(&n->block_timer);
    if (n->rpc != NULL) tacit_rpc_server_stop(n->rpc, rpc_stopped, n);
    else finish_stop(n);
}

static int start_rpc(struct tacit_node *n) {
    struct tacit_rpc_config rc;
    const char *rpcauth_none[] = {NULL};
    int err;
    memset(&rc, 0, sizeof rc);
    rc.bind_host = n->cfg.rpc_host;
    rc.bind_port = n->cfg.rpc_port;
    rc.socket_path = n->socket_path;
    rc.limits = n->cfg.rpc_limits;
    rc.auth.cookie = n->cookie;
    rc.auth.rpcauth = n->cfg.rpcauth != NULL ? n->cfg.rpcauth : rpcauth_none;
    rc.methods = tacit__node_methods;
    rc.ud = n;
    rc.metrics = tacit__node_metrics;
    rc.health = tacit__node_health;
    if ((err = tacit_rpc_server_start(&n->rpc, &n->loop, &rc)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "rpc", "cannot listen on %s:%u%s%s: %s",
                  n->cfg.rpc_host ? TACIT_LOG_S(n->cfg.rpc_host) : "-", (unsigned)n->cfg.rpc_port,
                  n->socket_path ? " / " : "", n->socket_path ? TACIT_LOG_S(n->socket_path) : "",
                  tacit_strerror(err));
        return err;
    }
    if (n->cfg.rpc_host != NULL) {
        char url[300];
        snprintf(url, sizeof url, "http://%s:%u", n->cfg.rpc_host, (unsigned)tacit_rpc_server_port(n->rpc));
        tacit_log(TACIT_LOG_INFO, "rpc", "JSON-RPC on %s", TACIT_LOG_S(url));
        /* Scripts and tacit-cli --devnet find the node there (port 0 binds any free port). */
        if (n->cfg.devnet && tacit__devnet_set_rpc_url(n, url) != TACIT_OK)
            tacit_log(TACIT_LOG_WARN, "devnet", "cannot record %s in " TACIT_DATADIR_DEVNET_ACCOUNTS, TACIT_LOG_S(url));
    }
    if (n->socket_path != NULL) tacit_log(TACIT_LOG_INFO, "rpc", "JSON-RPC on unix:%s", TACIT_LOG_S(n->socket_path));
    return TACIT_OK;
}

static void node_free(struct tacit_node *n) {
    tacit__recent_blocks_clear(n);
    tacit_mempool_free(n->mp);
    tacit_state_close(n->st);
    tacit_groth16_pvk_free(n->pvk);
    tacit_groth16_vk_free(n->vk);
    free(n->vk_json);
    tacit_sequencer_key_free(n->key);
    tacit__cookie_remove(n);
    tacit__datadir_unlock(n);
    free(n->rejected);
    free(n->datadir);
    free(n->state_dir);
    free(n->socket_path);
    free(n);
}

static unsigned ncores(void) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c < 1 ? 1u : c > 64 ? 64u : (unsigned)c;
}

int tacit_node_run(const struct tacit_node_config *cfg) {
    struct tacit_node *n;
    struct tacit_mempool_limits ml;
    struct tacit_state_tip tip;
    char hex[67];
    int rc;

    ignore_non_stop_signals();
    if (cfg->log_file != NULL && (rc = tacit_log_open(cfg->log_file)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "node", "cannot open the log file %s: %s", TACIT_LOG_S(cfg->log_file),
                  tacit_strerror(rc));
        return 1;
    }
    tacit_log_set_level(cfg->log_level);
    if (sodium_init() < 0) {
        tacit_log(TACIT_LOG_ERROR, "node", "libsodium failed to initialise");
        goto fail_log;
    }
    if ((n = calloc(1, sizeof *n)) == NULL) goto fail_log;
    n->cfg = *cfg;
    n->lock_fd = -1;
    n->exit_code = 0;
    n->verify_threads = cfg->verify_threads ? cfg->verify_threads : ncores();
    if ((n->datadir = strdup(cfg->datadir)) == NULL ||
        (n->rejected = calloc(TACIT__REJECTED_MAX, sizeof *n->rejected)) == NULL)
        goto fail;
    if (tacit__datadir_lock(n) != TACIT_OK) goto fail; /* makes the directory */
    {
        /* Absolute from here on: logs, the accounts file and the socket path say where. */
        char *abs = realpath(n->datadir, NULL);
        if (abs != NULL) {
            free(n->datadir);
            n->datadir = abs;
        }
    }
    if ((n->state_dir = tacit_datadir_path(n->datadir, TACIT_DATADIR_STATE)) == NULL) goto fail;
    if (cfg->rpc_socket == NULL) n->socket_path = tacit_datadir_path(n->datadir, TACIT_DATADIR_SOCKET);
    else if (cfg->rpc_socket[0] != '\0') n->socket_path = strdup(cfg->rpc_socket);

    if (tacit__flags_load(n) != TACIT_OK) goto fail;
    if (tacit__keys_load(n) != TACIT_OK) goto fail;
    if (tacit__sequencer_key_load(n) != TACIT_OK) goto fail;
    n->params.chain_id = cfg->devnet ? TACIT_DEVNET_CHAIN_ID : cfg->chain_id;
    memcpy(n->params.rollup_id, cfg->rollup_id, TACIT_ROLLUP_ID_LEN);
    n->params.allow_credits = cfg->devnet;
    if (tacit__state_open(n) != TACIT_OK) goto fail;
    ml.max_txs = cfg->mempool_max_txs;
    ml.max_bytes = cfg->mempool_max_bytes;
    if ((rc = tacit_mempool_new(&n->mp, &ml)) != TACIT_OK) goto fail;
    if (cfg->devnet && tacit__devnet_genesis(n) != TACIT_OK) goto fail;
    if (tacit__cookie_write(n) != TACIT_OK) goto fail;

    if (uv_loop_init(&n->loop) != 0) goto fail;
    uv_timer_init(&n->loop, &n->block_timer);
    uv_timer_init(&n->loop, &n->wait_timer);
    n->block_timer.data = n->wait_timer.data = n;
    for (int i = 0; i < TACIT__NSIGNALS; i++) {
        uv_signal_init(&n->loop, &n->sig[i]);
        n->sig[i].data = n;
        uv_signal_start(&n->sig[i], on_signal, node_signals[i].signum);
    }
    if (start_rpc(n) != TACIT_OK) {
        n->exit_code = 1;
        n->stopping = true;
        finish_stop(n);
    } else {
        uv_timer_start(&n->block_timer, on_block_timer, cfg->block_interval_ms, cfg->block_interval_ms);
        uv_timer_start(&n->wait_timer, on_wait_timer, 100, 100);
        if (tacit_state_tip(n->st, &tip) == TACIT_OK) {
            tacit_hex_encode(hex, tip.hash, 32);
            tacit_log(TACIT_LOG_INFO, "node",
                      "ready: chain 0x%" PRIx64 ", next height %" PRIu64 ", tip %s, %s, blocks every %u ms",
                      n->params.chain_id, tip.next_height, hex, n->paused ? "PAUSED" : "sequencing",
                      cfg->block_interval_ms);
        }
    }
    uv_run(&n->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&n->loop) != 0) tacit_log(TACIT_LOG_WARN, "node", "loop closed with handles open");
    rc = n->exit_code;
    tacit_log(TACIT_LOG_INFO, "node", "stopped");
    node_free(n);
    if (cfg->log_file != NULL) tacit_log_open(NULL);
    return rc;
fail:
    node_free(n);
fail_log:
    if (cfg->log_file != NULL) tacit_log_open(NULL);
    return 1;
}
