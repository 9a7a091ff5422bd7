/*
 * tacit — the node's /metrics (Prometheus text) and /health (docs/operations.md, "Monitoring").
 * Counters and histograms are kept by the parts that count (n->m); latencies go in coarse
 * buckets: timing data must not identify txs.
 */
#define _GNU_SOURCE /* asprintf, open_memstream */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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

double tacit__thread_cpu_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double tacit__mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ metrics ---- */

/* CPU seconds of one of this process's threads (proc(5): /proc/self/task/<tid>/stat, utime
 * and stime, fields 14 and 15); -1 when unknown. */
double tacit__task_cpu_s(long tid)
{
    char path[64], buf[1024], *p;
    unsigned long long ut, st;
    long tick = sysconf(_SC_CLK_TCK);
    size_t got;
    FILE *f;
    snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
    if (tick <= 0 || (f = fopen(path, "r")) == NULL) return -1;
    got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[got] = '\0';
    if ((p = strrchr(buf, ')')) == NULL ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)tick;
}

/* Where the CPU goes: by stage (thread CPU time around each step) and by thread (the loop,
 * the lanes), so that what the loop spends outside the stages (HTTP, JSON, syscalls) shows. */
static void cpu_metrics(FILE *f, const struct tacit_node *n)
{
    static const char *const stage[TACIT__CPU_NSTAGES] = {
        "admit", "checks", "points", "verify", "pool_add", "build", "commit", "after", "recheck"};
    double loop = tacit__task_cpu_s((long)getpid()), v = tacit__lane_cpu_s(n->adm.lane),
           b = tacit__lane_cpu_s(n->bat.lane);
    fprintf(f, "# HELP tacit_node_cpu_seconds_total Thread CPU time by step of a transaction's "
               "path.\n# TYPE tacit_node_cpu_seconds_total counter\n");
    for (int i = 0; i < TACIT__CPU_NSTAGES; i++)
        fprintf(f, "tacit_node_cpu_seconds_total{stage=\"%s\"} %.6f\n", stage[i], n->m.cpu[i]);
    fprintf(f, "# HELP tacit_thread_cpu_seconds_total CPU time (user + system) of the loop "
               "thread and of each lane's threads.\n# TYPE tacit_thread_cpu_seconds_total "
               "counter\n");
    if (loop >= 0) fprintf(f, "tacit_thread_cpu_seconds_total{thread=\"loop\"} %.2f\n", loop);
    if (v >= 0) fprintf(f, "tacit_thread_cpu_seconds_total{thread=\"verify\"} %.2f\n", v);
    if (b >= 0) fprintf(f, "tacit_thread_cpu_seconds_total{thread=\"block\"} %.2f\n", b);
}

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

/* The verify jobs started, by their number of txs (admission.c's batches): a histogram whose
 * _count is the jobs and _sum the txs they took. */
static void verify_jobs_render(FILE *f, const struct tacit__admission *a)
{
    static const char name[] = "tacit_verify_job_txs";
    uint64_t cum = 0;
    fprintf(f,
            "# HELP %s Transactions per proof-verification job (one batch pairing check).\n"
            "# TYPE %s histogram\n",
            name, name);
    for (size_t i = 0; i < TACIT__VERIFY_SIZES - 1; i++) {
        cum += a->job_sizes[i];
        fprintf(f, "%s_bucket{le=\"%u\"} %" PRIu64 "\n", name, tacit__verify_size_le[i], cum);
    }
    cum += a->job_sizes[TACIT__VERIFY_SIZES - 1];
    fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n%s_sum %" PRIu64 "\n%s_count %" PRIu64 "\n",
            name, cum, name, a->job_txs, name, cum);
}

static void counter(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, v);
}

/* A height gauge: the last block with that status, -1 when there is none yet (like
 * tacit_chainInfo's heights, which are null then). next: the first height without it. */
static void height_gauge(FILE *f, const char *name, const char *help, uint64_t next)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRId64 "\n", name, help, name, name,
            next ? (int64_t)(next - 1) : (int64_t)-1);
}

/* The Prometheus client libraries' process collector, by the same names
 * (prometheus.io/docs/instrumenting/writing_clientlibs, "Process metrics"), from Linux's
 * /proc/self/stat (proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24, counted from 1,
 * after the ")" that ends the command name, which may hold spaces) and /proc/stat's btime. A
 * value that cannot be read is left out, never made up. */
static void process_metrics(FILE *f)
{
    long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    char buf[1024], *p;
    unsigned long long utime, stime, start, vsize;
    long long rss, btime = -1;
    size_t got = 0;
    struct rlimit rl;
    FILE *st = fopen("/proc/self/stat", "r");
    DIR *d;
    if (st != NULL) {
        got = fread(buf, 1, sizeof buf - 1, st);
        fclose(st);
    }
    buf[got] = '\0';
    if ((st = fopen("/proc/stat", "r")) != NULL) {
        char line[256];
        while (fgets(line, sizeof line, st) != NULL)
            if (sscanf(line, "btime %lld", &btime) == 1) break;
        fclose(st);
    }
    /* after ") ": state 3, then fields 4..13 skipped, utime 14 ... rss 24 */
    if (tick > 0 && page > 0 && (p = strrchr(buf, ')')) != NULL &&
        sscanf(p + 1,
               " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d"
               " %llu %llu %lld",
               &utime, &stime, &start, &vsize, &rss) == 5) {
        fprintf(f,
                "# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.\n"
                "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %.2f\n",
                (double)(utime + stime) / (double)tick);
        counter(f, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                (uint64_t)rss * (uint64_t)page);
        counter(f, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", vsize);
        if (btime >= 0)
            fprintf(f,
                    "# HELP process_start_time_seconds Start time of the process since the Unix "
                    "epoch, in seconds.\n# TYPE process_start_time_seconds gauge\n"
                    "process_start_time_seconds %.2f\n",
                    (double)btime + (double)start / (double)tick);
    }
    if ((d = opendir("/proc/self/fd")) != NULL) {
        uint64_t nfd = 0;
        const struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.') nfd++;
        closedir(d);
        /* not counting the descriptor opendir held while it counted */
        counter(f, "process_open_fds", "gauge", "Number of open file descriptors.",
                nfd > 0 ? nfd - 1 : 0);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        counter(f, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
                (uint64_t)rl.rlim_cur);
}

void tacit__node_metrics(void *ud, char **text, size_t *len)
{
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    FILE *f;
    *text = NULL;
    *len = 0;
    if ((f = open_memstream(text, len)) == NULL) return;
    fprintf(f,
            "# HELP tacit_build_info The release and the chain's protocol version (value 1).\n"
            "# TYPE tacit_build_info gauge\ntacit_build_info{version=\"%s\",protocol=\"%u\"} 1\n",
            tacit_version(), (unsigned)tacit_chain_tx_version(&n->params));
    if (tacit_state_tip(n->st, &tip) == TACIT_OK)
        height_gauge(f, "tacit_chain_height", "Height of the last block (the tip).",
                     tip.next_height);
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
    counter(f, "tacit_chain_rollbacks_total", "counter",
            "Rollbacks of the chain (an L1 reorg removed a credited deposit).", n->m.rollbacks);
    counter(f, "tacit_chain_rolled_back_blocks_total", "counter",
            "Blocks dropped by rollbacks (rebuilt from the L1 queue as it is).",
            n->m.rolled_back_blocks);
    counter(f, "tacit_mempool_txs", "gauge", "Pending transactions.", tacit_mempool_count(n->mp));
    counter(f, "tacit_mempool_bytes", "gauge", "Bytes of pending transactions.",
            tacit_mempool_bytes(n->mp));
    counter(f, "tacit_verify_queue_txs", "gauge", "Transactions waiting for their proof check.",
            n->adm.len);
    counter(f, "tacit_paused", "gauge", "1 when sequencing is paused.", n->paused);
    if (n->cfg.settler != NULL) {
        const struct tacit__settle *se = &n->settle;
        /* the heads, like tacit_chain_height: the last block with that status (-1: none) */
        height_gauge(f, "tacit_l1_submitted_height",
                     "Height of the last block submitted to L1 (-1: none).", se->heads.submitted);
        height_gauge(f, "tacit_l1_settled_height",
                     "Height of the last block settled on L1 (-1: none).", se->heads.settled);
        height_gauge(f, "tacit_l1_finalized_height",
                     "Height of the last block final on L1 (-1: none).", se->heads.finalized);
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
        counter(f, "tacit_l1_reorgs_total", "counter",
                "Settled blocks whose L1 transaction an L1 reorg took out (submitted again).",
                se->reorgs);
        counter(f, "tacit_l1_queue_reorgs_total", "counter",
                "Credited L1 deposits an L1 reorg removed (each: a chain rollback).",
                se->queue_reorgs);
        counter(f, "tacit_l1_submission_halted", "gauge",
                "1 when a submission reverted and submission stopped.", se->halted);
    }
    if (tacit__following_l1(n)) {
        const struct tacit__follow_l1 *l = &n->fl1;
        height_gauge(f, "tacit_follow_l1_settled_height",
                     "The highest L2 block found on L1 at the confirmed depth (-1: none yet).",
                     l->have_checked ? l->checked + 1 : 0);
        height_gauge(f, "tacit_follow_l1_head", "The L1 head last seen (-1: none yet).",
                     l->l1_known ? l->l1_head + 1 : 0);
        counter(f, "tacit_follow_l1_blocks_total", "counter",
                "Blocks rebuilt from the contract's calldata, re-verified and committed.",
                l->derived);
        counter(f, "tacit_follow_l1_matched_total", "counter",
                "Blocks from the sequencer found identical on L1.", l->matched);
        counter(f, "tacit_follow_l1_reorgs_total", "counter",
                "L1 reorgs that dropped the L1 block of a recorded L2 block.", l->reorgs);
        counter(f, "tacit_follow_l1_rollbacks_total", "counter",
                "Rollbacks of the chain to a height L1 agrees with.", l->rollbacks);
        counter(f, "tacit_follow_l1_failures_total", "counter",
                "L1 follow steps that failed (L1 unreachable, store); each retried.", l->failures);
        counter(f, "tacit_follow_l1_disagreement", "gauge",
                "1 once the sequencer's blocks differed from L1's (the sequencer is no longer "
                "followed).",
                l->disagreed);
        counter(f, "tacit_follow_l1_halted", "gauge",
                "1 when a block rebuilt from L1 failed the rules and following L1 stopped.",
                l->halted);
    }
    if (n->cfg.sequence_when_open) {
        const struct tacit__settle *se = &n->settle;
        counter(f, "tacit_l1_submission_open", "gauge",
                "1 when the contract's submission was open to anyone at the last step.",
                se->open_known && se->open);
        counter(f, "tacit_open_sequencing", "gauge",
                "1 while this follower makes blocks of open submission.", se->sequencing);
        counter(f, "tacit_open_takeovers_total", "counter",
                "Times this follower began sequencing because submission was open.", se->takeovers);
        counter(f, "tacit_open_blocks_total", "counter",
                "Blocks of open submission this follower made.", se->open_made);
        counter(f, "tacit_open_dropped_blocks_total", "counter",
                "Blocks of this follower dropped because the contract took others.", se->dropped);
    }
    if (n->cfg.follow != NULL) {
        const struct tacit__follow *fo = &n->follow;
        height_gauge(f, "tacit_follow_sequencer_height",
                     "The sequencer's tip height last seen (-1: none yet).",
                     fo->seq_known ? fo->seq_height + 1 : 0);
        counter(f, "tacit_follow_blocks_total", "counter",
                "Blocks taken from the sequencer, re-verified and committed.", fo->applied);
        counter(f, "tacit_follow_failures_total", "counter",
                "Follow steps that could not reach the sequencer (or commit); each retried.",
                fo->failures);
        counter(f, "tacit_follow_halted", "gauge",
                "1 when a block from the sequencer failed the rules and following stopped.",
                fo->halted);
    }
    hist_render(f, "tacit_verify_seconds", "Proof verification time per transaction (batched).",
                &n->m.verify);
    verify_jobs_render(f, &n->adm);
    hist_render(f, "tacit_block_build_seconds", "Time to build and sign a block.",
                &n->m.block_build);
    hist_render(f, "tacit_block_commit_seconds", "Time to commit a block (fsync included).",
                &n->m.commit);
    cpu_metrics(f, n);
    process_metrics(f);
    fclose(f);
}

/* ",\"key\":{...}" of o (stolen) with its haltReason (NULL: none) and lastError, into out. */
static void health_part(char *out, size_t len, const char *key, json_t *o, const char *halt_reason,
                        int last_rc)
{
    char *text;
    if (o != NULL && halt_reason != NULL)
        json_object_set_new(o, "haltReason", json_string(halt_reason));
    if (o != NULL && last_rc != TACIT_OK)
        json_object_set_new(o, "lastError", json_string(tacit_errname(last_rc)));
    if (o != NULL && (text = json_dumps(o, JSON_COMPACT)) != NULL) {
        snprintf(out, len, ",\"%s\":%s", key, text);
        free(text);
    }
    json_decref(o);
}

bool tacit__node_health(void *ud, char **json)
{
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    bool tip_ok = tacit_state_tip(n->st, &tip) == TACIT_OK;
    bool halted = n->cfg.settler != NULL && n->settle.halted;
    /* a follower of the sequencer that halted on a bad block is 503 unless it follows L1 on */
    bool fhalted = tacit__follow_rpc_active(n) && n->follow.halted;
    bool l1halted = tacit__following_l1(n) && n->fl1.halted;
    bool switching = tacit__following_l1(n) && n->fl1.switching;
    bool ok = !n->store_failed && n->bat.last_rc == TACIT_OK && tip_ok && !halted && !fhalted &&
              !l1halted && !switching;
    const char *status = ok                           ? "ok"
                         : n->store_failed || !tip_ok ? "store failing"
                         : n->bat.last_rc != TACIT_OK ? "block failing"
                         : switching                  ? "sequencer disagrees with L1"
                         : fhalted || l1halted        ? "following halted"
                                                      : "settlement halted";
    char h[19], err[96] = "", l1[2048] = "", fol[2048] = "", fl1[2048] = "";
    tacit_hex_u64(h, tip_ok ? tip.next_height : 0);
    /* the last block that could not be built or committed, until one is */
    if (n->bat.last_rc != TACIT_OK)
        snprintf(err, sizeof err, ",\"lastBlockError\":\"%s\"", tacit_errname(n->bat.last_rc));
    if (n->cfg.settler != NULL) {
        /* the heads (each the next height without that status), and why submission stopped */
        const struct tacit__settle *se = &n->settle;
        health_part(l1, sizeof l1, "l1",
                    json_pack("{s:I,s:I,s:I,s:b}", "submitted", (json_int_t)se->heads.submitted,
                              "settled", (json_int_t)se->heads.settled, "finalized",
                              (json_int_t)se->heads.finalized, "halted", halted),
                    halted ? se->halt_reason : NULL, se->last_rc);
    }
    if (n->cfg.follow != NULL) {
        /* whom it follows, how far the sequencer is, and why following stopped */
        const struct tacit__follow *fo = &n->follow;
        json_t *o = json_pack("{s:s,s:b,s:b}", "url", n->cfg.follow, "halted", n->follow.halted,
                              "active", tacit__follow_rpc_active(n));
        if (o != NULL && fo->seq_known)
            json_object_set_new(o, "sequencerHeight", json_integer((json_int_t)fo->seq_height));
        health_part(fol, sizeof fol, "follow", o, n->follow.halted ? fo->halt_reason : NULL,
                    fo->last_rc);
    }
    if (tacit__following_l1(n)) {
        /* how far L1 is checked, a disagreement of the sequencer with it, and why it stopped */
        const struct tacit__follow_l1 *l = &n->fl1;
        json_t *o = json_pack("{s:b,s:b,s:b}", "halted", l1halted, "disagreement", l->disagreed,
                              "switching", switching);
        if (o != NULL && l->have_checked)
            json_object_set_new(o, "settled", json_integer((json_int_t)l->checked));
        if (o != NULL && l->l1_known)
            json_object_set_new(o, "l1Head", json_integer((json_int_t)l->l1_head));
        if (o != NULL && l->disagreed) {
            json_object_set_new(o, "disagreementAt", json_integer((json_int_t)l->disagree_height));
            json_object_set_new(o, "disagreementReason", json_string(l->disagree_reason));
        }
        health_part(fl1, sizeof fl1, "followL1", o, l1halted ? l->halt_reason : NULL, l->last_rc);
    }
    if (asprintf(json, "{\"status\":\"%s\",\"nextHeight\":\"%s\",\"paused\":%s%s%s%s%s}", status, h,
                 n->paused ? "true" : "false", err, l1, fol, fl1) < 0)
        *json = NULL;
    return ok;
}
