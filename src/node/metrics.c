/*
 * tacit — the node's /metrics (Prometheus text) and /health (docs/operations.md, "Monitoring").
 * Counters and histograms are kept by the parts that count (n->m); latencies go in coarse
 * buckets: timing data must not identify txs.
 */
#define _GNU_SOURCE /* asprintf, open_memstream */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

uint64_t tacit__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t tacit__block_time_ms(void) { return tacit__now_ms() / 1000u * 1000u; }

double tacit__mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ metrics ---- */

static const double hist_le[TACIT__HIST_N] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                              0.025,  0.05,  0.1,    0.25,  1.0};

void tacit__hist_add(struct tacit__hist *h, double s)
{
    size_t i = 0;
    while (i < TACIT__HIST_N && s > hist_le[i]) i++;
    h->bucket[i]++;
    h->count++;
    h->sum += s;
}

static void hist_render(FILE *f, const char *name, const char *help, const struct tacit__hist *h)
{
    uint64_t cum = 0;
    fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (size_t i = 0; i < TACIT__HIST_N; i++) {
        cum += h->bucket[i];
        fprintf(f, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, hist_le[i], cum);
    }
    cum += h->bucket[TACIT__HIST_N];
    fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n%s_sum %.6f\n%s_count %" PRIu64 "\n", name, cum,
            name, h->sum, name, h->count);
}

static void counter(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, v);
}

void tacit__node_metrics(void *ud, char **text, size_t *len)
{
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    FILE *f;
    *text = NULL;
    *len = 0;
    if ((f = open_memstream(text, len)) == NULL) return;
    if (tacit_state_tip(n->st, &tip) == TACIT_OK)
        counter(f, "tacit_chain_height", "gauge", "Height of the next block.", tip.next_height);
    counter(f, "tacit_blocks_total", "counter", "Blocks committed by this process.", n->m.blocks);
    counter(f, "tacit_txs_included_total", "counter", "Transactions included in blocks.",
            n->m.txs_included);
    counter(f, "tacit_txs_admitted_total", "counter", "Transactions admitted to the mempool.",
            n->m.txs_admitted);
    counter(f, "tacit_txs_refused_total", "counter", "Transactions refused at admission.",
            n->m.txs_refused);
    counter(f, "tacit_block_commit_failures_total", "counter",
            "Blocks whose commit failed (the last committed state was kept).",
            n->m.commit_failures);
    counter(f, "tacit_mempool_txs", "gauge", "Pending transactions.", tacit_mempool_count(n->mp));
    counter(f, "tacit_mempool_bytes", "gauge", "Bytes of pending transactions.",
            tacit_mempool_bytes(n->mp));
    counter(f, "tacit_verify_queue_txs", "gauge", "Transactions waiting for their proof check.",
            n->adm.len);
    counter(f, "tacit_paused", "gauge", "1 when sequencing is paused.", n->paused);
    if (n->cfg.settler != NULL) {
        const struct tacit__settle *se = &n->settle;
        /* the heads as "next height without that status", like tacit_chain_height */
        counter(f, "tacit_l1_submitted_height", "gauge",
                "Height of the next block not submitted to L1.", se->heads.submitted);
        counter(f, "tacit_l1_settled_height", "gauge",
                "Height of the next block not settled on L1.", se->heads.settled);
        counter(f, "tacit_l1_finalized_height", "gauge",
                "Height of the next block not final on L1.", se->heads.finalized);
        counter(f, "tacit_l1_head", "gauge", "The L1 head seen last (0: none yet).",
                se->l1_known ? se->l1.latest : 0);
        counter(f, "tacit_l1_queue_next", "gauge", "The next L1 queue index no block took.",
                se->queue_next);
        counter(f, "tacit_l1_gas_used_total", "counter",
                "L1 gas used by this chain's submissions (from their receipts).", se->gas_total);
        counter(f, "tacit_l1_step_failures_total", "counter",
                "Settlement steps that failed (L1 unreachable, errors); each retried.",
                se->failures);
        counter(f, "tacit_l1_resends_total", "counter",
                "Submissions sent again (dropped, or unknown after a restart).", se->resends);
        counter(f, "tacit_l1_fee_bumps_total", "counter",
                "Submissions replaced with higher fees (pending too many L1 blocks).", se->bumps);
        counter(f, "tacit_l1_submission_halted", "gauge",
                "1 when a submission reverted and submission stopped.", se->halted);
    }
    hist_render(f, "tacit_verify_seconds", "Proof verification time per transaction (batched).",
                &n->m.verify);
    hist_render(f, "tacit_block_build_seconds", "Time to build and sign a block.",
                &n->m.block_build);
    hist_render(f, "tacit_block_commit_seconds", "Time to commit a block (fsync included).",
                &n->m.commit);
    fclose(f);
}

bool tacit__node_health(void *ud, char **json)
{
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    bool tip_ok = tacit_state_tip(n->st, &tip) == TACIT_OK;
    bool halted = n->cfg.settler != NULL && n->settle.halted;
    bool ok = !n->store_failed && n->bat.last_rc == TACIT_OK && tip_ok && !halted;
    const char *status = ok                           ? "ok"
                         : n->store_failed || !tip_ok ? "store failing"
                         : n->bat.last_rc != TACIT_OK ? "block failing"
                                                      : "settlement halted";
    char h[19], err[96] = "", l1[2048] = "";
    tacit_hex_u64(h, tip_ok ? tip.next_height : 0);
    /* the last block that could not be built or committed, until one is */
    if (n->bat.last_rc != TACIT_OK)
        snprintf(err, sizeof err, ",\"lastBlockError\":\"%s\"", tacit_errname(n->bat.last_rc));
    if (n->cfg.settler != NULL) {
        /* the heads (each the next height without that status), and why submission stopped */
        const struct tacit__settle *se = &n->settle;
        json_t *o = json_pack("{s:I,s:I,s:I,s:b}", "submitted", (json_int_t)se->heads.submitted,
                              "settled", (json_int_t)se->heads.settled, "finalized",
                              (json_int_t)se->heads.finalized, "halted", halted);
        char *text;
        if (o != NULL && halted) json_object_set_new(o, "haltReason", json_string(se->halt_reason));
        if (o != NULL && se->last_rc != TACIT_OK)
            json_object_set_new(o, "lastError", json_string(tacit_errname(se->last_rc)));
        if (o != NULL && (text = json_dumps(o, JSON_COMPACT)) != NULL) {
            snprintf(l1, sizeof l1, ",\"l1\":%s", text);
            free(text);
        }
        json_decref(o);
    }
    if (asprintf(json, "{\"status\":\"%s\",\"nextHeight\":\"%s\",\"paused\":%s%s%s}", status, h,
                 n->paused ? "true" : "false", err, l1) < 0)
        *json = NULL;
    return ok;
}
