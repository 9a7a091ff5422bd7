/*
 * tacit — `tacit-bench node-load`: a running tacitd under transaction load (bench/node-load
 * starts the node and calls this).
 *
 *   tacit-bench node-load prove --keys DIR [--n N] [--kind K] [--cache DIR]
 *   tacit-bench node-load run --rpc URL --keys DIR [--pid PID] [--n N] [--kind K]
 *                             [--conns C] [--rate R] [--cache DIR]
 *
 * The transactions (K = deposit, transfer or mix, the default: alternating) are proved ahead
 * of the run on every core (one single-threaded proof per core) and cached in
 * <cache>/node-load-<hash>-<kind>.bin, keyed by the proving key's BLAKE2b hash and the devnet
 * chain parameters (chain id 0x7461, rollup id zero), so later runs on fresh devnets reuse them.
 * Every one of them is valid on a fresh devnet whose keys are DIR (bench/node-load copies them
 * into the node's data directory):
 *  - deposit: 1000 units from a bench sender into a note, two dummy inputs, anchor = the empty
 *    tree's root. Senders are secp256k1 keys derived from their number (BLAKE2b), funded with
 *    dev_fund (one JSON-RPC batch) before the run; 10 deposits per sender with nonces 0..9,
 *    all sent in nonce order on one connection, so the mempool always sees the next nonce.
 *  - transfer: a shielded transfer with no transparent part (no deposit, no withdrawal, fee 0:
 *    public_amount 0), two dummy inputs, two zero-value outputs, anchor = the empty root. To
 *    the node it costs what any 2-in-2-out transfer costs (proof, anchor, two nullifiers, two
 *    commitments), and it needs no notes in the tree, so it can be proved ahead for any devnet.
 * The empty root stays a valid anchor while fewer than root_history (256) blocks follow the
 * first one that changes the tree: the run lasts a few blocks.
 *
 * In L1 mode (--rollup 0xADDR: bench/l1-latency) the transfers are protocol v2 for a devnet
 * settling on that contract (the L1 chain id and the contract bound into their digests and the
 * cache key), and with --l1-rpc the run follows each block's commit (tacit_waitForBlock), asks
 * the L1 its head at once, and after the load waits for the blocks that held it to settle:
 * (the L1 block that settled h, its settlement.l1Block) - (the L1 head when h was sequenced),
 * median, p95, max and count (issue 12's target: within 2 L1 blocks at 20 tx/s).
 *
 * Measured: accepted tx/s end to end (first submission to the moment the client learns of the
 * block holding the last one: a thread follows the chain with tacit_waitForBlock from the start,
 * which answers at the commit; block timestamps are whole seconds, too coarse for a run of a
 * second or two), per-tx submission latency p50/p99 (send -> reply), rejections by reason,
 * block commit time (the node's /metrics histogram: mean), txs per block, the node's peak RSS
 * (VmHWM of --pid), p50/p99 of tacit_chainInfo and tacit_getBlockByNumber from one more
 * connection during the load (each answer checked: a run with a wrong one fails), and where
 * the node's CPU went per included tx: by step of a transaction's path
 * (tacit_node_cpu_seconds_total{stage}) and by thread (the loop, the verify and block lanes:
 * tacit_thread_cpu_seconds_total), with the bench client's own CPU (it runs on the same
 * cores). Targets (issue 16): >= 3000 tx/s end to end with 32 connections; p99
 * sendRawTransaction <= 5 ms at 500 tx/s offered; reads p99 <= 5 ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/parallel.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/l1.h"
#include "tacit/prover.h"
#include "tacit/rpc.h"
#include "tacit/tree.h"
#include "tacit/txbuild.h"
#include "tacit/util.h"

#define DEVNET_CHAIN_ID 0x7461u
#define DEPOSITS_PER_SENDER 10
#define DEPOSIT_AMOUNT 1000
#define SENDER_FUNDS "1000000000"
#define CACHE_MAGIC "TACITNL1"
#define PROVE_CHUNK 64

enum kind { KIND_DEPOSIT, KIND_TRANSFER, KIND_MIX };
static const char *const kind_name[] = {"deposit", "transfer", "mix"};

struct opts {
    const char *rpc, *keys, *cache;
    long pid;
    size_t n;
    unsigned conns;
    double rate; /* tx/s offered in all; 0: as fast as possible */
    enum kind kind;
    /* L1 mode (--rollup): protocol v2 transfers for the devnet settling on the contract rollup
     * of L1 chain l1_chain_id; with l1_rpc the run measures settlement latency too */
    bool l1;
    uint8_t rollup[TACIT_ROLLUP_ID_LEN];
    uint64_t l1_chain_id;
    const char *l1_rpc;
};

static double now_ms(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void hex_encode(char *out, const uint8_t *in, size_t n) { tacit_hex_encode(out, in, n); }

/* VmHWM (peak resident set) of a process in KiB, 0 if unknown. */
static unsigned long vmhwm_kib(pid_t pid)
{
    char path[64], line[256];
    unsigned long kib = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if ((f = fopen(path, "r")) == NULL) return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0) kib = strtoul(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (nearest rank) of n values, sorted in place. */
static double quantile(double *v, size_t n, double q)
{
    size_t k;
    if (n == 0) return 0.0;
    qsort(v, n, sizeof *v, cmp_double);
    k = (size_t)(q * (double)n + 0.5);
    if (k > 0) k--;
    return v[k < n ? k : n - 1];
}

/* ------------------------------------------------------------- the txs ---- */

/* Sender s's secp256k1 key: BLAKE2b-256(key "tacit-bench-sender", s || counter), the first
 * counter giving a valid key. Public knowledge: these keys only ever exist on bench devnets. */
static void sender_key(uint8_t sk[32], uint8_t addr[TACIT_ADDRESS_LEN], uint64_t s)
{
    static const uint8_t key[] = "tacit-bench-sender";
    uint8_t in[16];
    uint64_t ctr = 0;

    do {
        memcpy(in, &s, 8);
        memcpy(in + 8, &ctr, 8);
        crypto_generichash(sk, 32, in, sizeof in, key, sizeof key - 1);
        ctr++;
    } while (tacit_address_from_seckey(addr, sk) != TACIT_OK);
}

/* Transaction j of kind k (the cached lists hold pure kinds; mix interleaves them later). */
static int build_one(struct tacit_tx *tx, enum kind k, uint64_t j, const tacit_groth16_pk *pk,
                     const struct opts *o)
{
    struct tacit_txbuild *b;
    uint8_t sk[32], addr[TACIT_ADDRESS_LEN];
    int rc;

    if ((b = sodium_malloc(sizeof *b)) == NULL) return TACIT_ENOMEM;
    memset(b, 0, sizeof *b);
    b->chain_id = DEVNET_CHAIN_ID; /* rollup id: 20 zero bytes on the devnet */
    if (o->l1) {                   /* v2: the digests bind the L1 chain and the contract */
        b->version = TACIT_TX_VERSION_L1;
        b->l1_chain_id = o->l1_chain_id;
        memcpy(b->rollup_id, o->rollup, sizeof b->rollup_id);
    }
    b->anchor = *tacit_tree_zero(TACIT_TREE_DEPTH);
    for (int i = 0; i < 2; i++) {
        tacit_fr sk_out;
        tacit_txbuild_random_fr(&sk_out);
        tacit_txbuild_keys(NULL, &b->out[i].pk, &sk_out);
        tacit_txbuild_random_fr(&b->out[i].blinding);
    }
    if (k == KIND_DEPOSIT) {
        sender_key(sk, addr, j / DEPOSITS_PER_SENDER);
        b->deposit_amount = DEPOSIT_AMOUNT;
        memcpy(b->deposit_sender, addr, sizeof addr);
        b->deposit_nonce = j % DEPOSITS_PER_SENDER;
        b->deposit_sk = sk;
        b->out[0].value = DEPOSIT_AMOUNT;
    }
    rc = tacit_txbuild_prove(tx, b, pk, 1, NULL);
    sodium_memzero(sk, sizeof sk);
    sodium_free(b);
    return rc;
}

struct prove_job {
    const tacit_groth16_pk *pk;
    const struct opts *o;
    enum kind kind;
    uint64_t first;
    struct tacit_tx *txs;
    int *rc;
};

static void prove_task(void *ctx, size_t task, unsigned thread)
{
    struct prove_job *j = ctx;
    (void)thread;
    j->rc[task] = build_one(&j->txs[task], j->kind, j->first + task, j->pk, j->o);
}

/* Cache file name for a kind: keyed by the key file's hash and the chain parameters (in L1
 * mode the contract and the L1 chain id too). */
static int cache_path(char *out, size_t len, const struct opts *o, enum kind k)
{
    const char *cache = o->cache, *keys = o->keys;
    char path[4096], hex[2 * 8 + 3];
    uint8_t h[32], params[8 + TACIT_ROLLUP_ID_LEN] = {0};
    crypto_generichash_state st;
    uint8_t buf[65536];
    uint64_t cid = DEVNET_CHAIN_ID;
    size_t r;
    FILE *f;

    snprintf(path, sizeof path, "%s/transfer.zkey", keys);
    if ((f = fopen(path, "rb")) == NULL) {
        fprintf(stderr, "node-load: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    while ((r = fread(buf, 1, sizeof buf, f)) > 0) crypto_generichash_update(&st, buf, r);
    fclose(f);
    memcpy(params, &cid, 8);
    if (o->l1) memcpy(params + 8, o->rollup, TACIT_ROLLUP_ID_LEN);
    crypto_generichash_update(&st, params, sizeof params);
    if (o->l1) crypto_generichash_update(&st, (const uint8_t *)&o->l1_chain_id, 8);
    crypto_generichash_final(&st, h, sizeof h);
    hex_encode(hex, h, 8);
    snprintf(out, len, "%s/node-load-%s-%s.bin", cache, hex + 2, kind_name[k]);
    return 0;
}

/* Reads up to want cached txs of a kind (*have: how many), proving and appending the missing
 * ones. Returns 0 or -1. */
static int cached_txs(struct tacit_tx *txs, size_t want, enum kind k, const struct opts *o,
                      const tacit_groth16_pk **pkp, tacit_groth16_pk **owned)
{
    static uint8_t enc[TACIT_TX_BYTES];
    char path[4200], zkey[4096];
    size_t have = 0, have0;
    FILE *f;
    double t0;

    if (want == 0) return 0;
    if (mkdir(o->cache, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "node-load: cannot make %s: %s\n", o->cache, strerror(errno));
        return -1;
    }
    if (cache_path(path, sizeof path, o, k) != 0) return -1;
    if ((f = fopen(path, "rb")) != NULL) {
        char magic[8];
        if (fread(magic, 1, 8, f) == 8 && memcmp(magic, CACHE_MAGIC, 8) == 0) {
            while (have < want && fread(enc, 1, sizeof enc, f) == sizeof enc) {
                if (tacit_tx_decode(&txs[have], enc, sizeof enc) != TACIT_OK) break;
                have++;
            }
        }
        fclose(f);
    }
    if (have == want) {
        printf("node-load: %zu %s txs from %s\n", want, kind_name[k], path);
        return 0;
    }
    if (*pkp == NULL) {
        snprintf(zkey, sizeof zkey, "%s/transfer.zkey", o->keys);
        if (tacit_groth16_pk_read_file(owned, zkey) != TACIT_OK) {
            fprintf(stderr, "node-load: cannot read the proving key %s\n", zkey);
            return -1;
        }
        *pkp = *owned;
    }
    /* Rewrite the file with the txs read so far (a torn tail is dropped), then append. */
    if ((f = fopen(path, "wb")) == NULL || fwrite(CACHE_MAGIC, 1, 8, f) != 8) {
        fprintf(stderr, "node-load: cannot write %s\n", path);
        if (f != NULL) fclose(f);
        return -1;
    }
    for (size_t i = 0; i < have; i++) {
        tacit_tx_encode(enc, &txs[i]);
        fwrite(enc, 1, sizeof enc, f);
    }
    printf("node-load: proving %zu %s txs on %u threads (cached in %s)\n", want - have,
           kind_name[k], tacit__nthreads_default(), path);
    fflush(stdout);
    t0 = now_ms(CLOCK_MONOTONIC);
    have0 = have;
    while (have < want) {
        size_t n = want - have < PROVE_CHUNK ? want - have : PROVE_CHUNK;
        int rc[PROVE_CHUNK];
        struct prove_job j = {*pkp, o, k, have, txs + have, rc};
        tacit__parallel_run(0, n, prove_task, &j);
        for (size_t i = 0; i < n; i++) {
            if (rc[i] != TACIT_OK) {
                fprintf(stderr, "node-load: proving failed: %s\n", tacit_strerror(rc[i]));
                fclose(f);
                return -1;
            }
            tacit_tx_encode(enc, &txs[have + i]);
            fwrite(enc, 1, sizeof enc, f);
        }
        fflush(f);
        have += n;
        printf("  %zu/%zu (%.0f ms per tx)\n", have, want,
               (now_ms(CLOCK_MONOTONIC) - t0) / (double)(have - have0));
        fflush(stdout);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "node-load: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

/* The run's txs in submission order: kind mix alternates transfer, deposit. deposits[] gets
 * each deposit's number (its sender and nonce), -1 for transfers. */
static struct tacit_tx *load_txs(const struct opts *o, long **deposit_no)
{
    size_t nd = 0, nt = 0, id = 0, it = 0;
    struct tacit_tx *dep = NULL, *tr = NULL, *all = NULL;
    const tacit_groth16_pk *pk = NULL;
    tacit_groth16_pk *owned = NULL;
    long *no = NULL;

    if (o->kind == KIND_DEPOSIT)
        nd = o->n;
    else if (o->kind == KIND_TRANSFER)
        nt = o->n;
    else {
        nt = (o->n + 1) / 2;
        nd = o->n / 2;
    }
    dep = calloc(nd + 1, sizeof *dep);
    tr = calloc(nt + 1, sizeof *tr);
    all = calloc(o->n + 1, sizeof *all);
    no = calloc(o->n + 1, sizeof *no);
    if (dep == NULL || tr == NULL || all == NULL || no == NULL) goto fail;
    if (cached_txs(dep, nd, KIND_DEPOSIT, o, &pk, &owned) != 0) goto fail;
    if (cached_txs(tr, nt, KIND_TRANSFER, o, &pk, &owned) != 0) goto fail;
    for (size_t i = 0; i < o->n; i++) {
        bool take_dep = o->kind == KIND_DEPOSIT || (o->kind == KIND_MIX && (i & 1));
        if (take_dep && id < nd) {
            no[i] = (long)id;
            all[i] = dep[id++];
        } else {
            no[i] = -1;
            all[i] = tr[it++];
        }
    }
    tacit_groth16_pk_free(owned);
    free(dep);
    free(tr);
    *deposit_no = no;
    return all;
fail:
    tacit_groth16_pk_free(owned);
    free(dep);
    free(tr);
    free(all);
    free(no);
    return NULL;
}

/* ------------------------------------------------------------------ run ---- */

struct result {
    double sent_ms; /* CLOCK_REALTIME at send */
    double latency_ms;
    char id[67];
    char error[32]; /* "" when admitted */
};

struct load {
    const struct opts *o;
    const struct tacit_tx *txs;
    char **bodies; /* per tx: the sendRawTransaction request, made before the run */
    size_t *blen;
    struct result *res;
    size_t **lists; /* per connection: tx indices in order */
    size_t *nlist;
    double start_mono;
    volatile bool done;
    /* reads */
    double *lat_info, *lat_block;
    size_t ninfo, nblock, readcap;
    size_t read_bad; /* answers that are not what was asked for (read_answer_ok) */
};

struct worker {
    struct load *l;
    unsigned conn;
};

/* The chain as the client learns of it: each tx id of each block from hstart + 1 on, with the
 * moment its block was answered (tacit_waitForBlock answers at the commit). */
struct seen_tx {
    char id[67];
    uint64_t height;
    double ms; /* CLOCK_REALTIME */
};

struct follower {
    const struct opts *o;
    uint64_t next;
    volatile bool stop;
    pthread_mutex_t mu;
    struct seen_tx *tx;
    size_t n, cap;
    bool failed;
};

static void *follow_run(void *arg)
{
    struct follower *f = arg;
    struct tacit_rpc_client *c = NULL;

    if (tacit_rpc_client_new(&c, f->o->rpc, NULL, 60000) != TACIT_OK) {
        f->failed = true;
        return NULL;
    }
    while (!f->stop) {
        json_t *blk = NULL, *err = NULL, *txl;
        double ms;
        if (tacit_rpc_call(
                c, "tacit_waitForBlock",
                json_pack("[oi]", json_sprintf("0x%llx", (unsigned long long)f->next), 500), &blk,
                &err) != TACIT_OK) {
            f->failed = true;
            break;
        }
        json_decref(err);
        if (blk == NULL || json_is_null(blk)) {
            json_decref(blk);
            continue;
        }
        ms = now_ms(CLOCK_REALTIME);
        txl = json_object_get(blk, "txs");
        pthread_mutex_lock(&f->mu);
        for (size_t k = 0; k < json_array_size(txl); k++) {
            const char *id = json_string_value(json_array_get(txl, k));
            if (id == NULL) continue;
            if (f->n == f->cap) {
                size_t cap = f->cap ? 2 * f->cap : 4096;
                struct seen_tx *nt = realloc(f->tx, cap * sizeof *nt);
                if (nt == NULL) {
                    f->failed = true;
                    break;
                }
                f->tx = nt;
                f->cap = cap;
            }
            snprintf(f->tx[f->n].id, sizeof f->tx[f->n].id, "%s", id);
            f->tx[f->n].height = f->next;
            f->tx[f->n++].ms = ms;
        }
        pthread_mutex_unlock(&f->mu);
        json_decref(blk);
        f->next++;
    }
    tacit_rpc_client_free(c);
    return NULL;
}

/* ------------------------------------------------------------ CPU split ---- */

static const char *const cpu_stage[] = {"admit", "checks", "points", "verify", "pool_add",
                                        "build", "commit", "after",  "recheck"};
#define NSTAGE (sizeof cpu_stage / sizeof cpu_stage[0])

struct cpu_snap {
    double stage[NSTAGE];
    double loop, verify, block, process; /* -1: not reported */
    double client;                       /* this process: user + system */
    double jobs, job_txs, job_le4;       /* verify jobs (-1: not reported), their txs, <= 4 */
};

static double metric(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    return p != NULL ? strtod(p + strlen(name), NULL) : -1;
}

static void cpu_snap(struct tacit_rpc_client *c, struct cpu_snap *s)
{
    char *text = NULL, key[96];
    size_t tlen = 0;
    int status = 0;
    struct rusage ru;

    memset(s, 0, sizeof *s);
    s->loop = s->verify = s->block = s->process = s->jobs = -1;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        s->client = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    if (tacit_rpc_client_get(c, "/metrics", &status, &text, &tlen) != TACIT_OK || text == NULL)
        return;
    for (size_t i = 0; i < NSTAGE; i++) {
        snprintf(key, sizeof key, "tacit_node_cpu_seconds_total{stage=\"%s\"} ", cpu_stage[i]);
        s->stage[i] = metric(text, key);
    }
    s->loop = metric(text, "tacit_thread_cpu_seconds_total{thread=\"loop\"} ");
    s->verify = metric(text, "tacit_thread_cpu_seconds_total{thread=\"verify\"} ");
    s->block = metric(text, "tacit_thread_cpu_seconds_total{thread=\"block\"} ");
    s->process = metric(text, "\nprocess_cpu_seconds_total ");
    s->jobs = metric(text, "\ntacit_verify_job_txs_count ");
    s->job_txs = metric(text, "\ntacit_verify_job_txs_sum ");
    s->job_le4 = metric(text, "\ntacit_verify_job_txs_bucket{le=\"4\"} ");
    free(text);
}

/* Per included tx, in microseconds: the node's CPU by thread and by step, the client's. */
static void cpu_report(const struct cpu_snap *a, const struct cpu_snap *b, size_t ntx, double e2e_s)
{
    double us = 1e6 / (double)ntx, st[NSTAGE];
    if (a->process < 0 || b->process < 0 || a->stage[0] < 0) {
        printf("  node CPU         (not reported by this tacitd)\n");
        return;
    }
    for (size_t i = 0; i < NSTAGE; i++) st[i] = (b->stage[i] - a->stage[i]) * us;
    printf("  node CPU per tx  %.0f us (process; %.2f of 2 cores over the run), by thread and "
           "step:\n",
           (b->process - a->process) * us, (b->process - a->process) / e2e_s);
    if (a->loop >= 0 && b->loop >= 0)
        printf(
            "    loop           %.0f: admit (hex, decode, id, pool check) %.0f, pool add + reply "
            "%.0f, after-block re-check %.0f; the rest (HTTP, JSON, syscalls) %.0f\n",
            (b->loop - a->loop) * us, st[0], st[4], st[8],
            (b->loop - a->loop) * us - st[0] - st[4] - st[8]);
    if (a->verify >= 0 && b->verify >= 0)
        printf("    verify lane    %.0f: checks %.0f, proof points %.0f, batch pairing %.0f\n",
               (b->verify - a->verify) * us, st[1], st[2], st[3]);
    if (a->block >= 0 && b->block >= 0)
        printf(
            "    block lane     %.0f: build (rules, seal) %.0f, commit %.0f, JSON + delta %.0f\n",
            (b->block - a->block) * us, st[5], st[6], st[7]);
    if (a->jobs >= 0 && b->jobs > a->jobs)
        printf("  verify jobs      %.0f, %.1f txs each on average, %.0f %% of them of 4 or fewer\n",
               b->jobs - a->jobs, (b->job_txs - a->job_txs) / (b->jobs - a->jobs),
               100 * (b->job_le4 - a->job_le4) / (b->jobs - a->jobs));
    printf("  client CPU       %.0f us per tx (this process, on the same cores)\n",
           (b->client - a->client) * us);
    printf("  (thread times in /proc ticks of 10 ms; steps in thread CPU time)\n");
}

static void *submit_run(void *arg)
{
    struct worker *w = arg;
    struct load *l = w->l;
    struct tacit_rpc_client *c = NULL;

    if (tacit_rpc_client_new(&c, l->o->rpc, NULL, 60000) != TACIT_OK) return NULL;
    for (size_t k = 0; k < l->nlist[w->conn]; k++) {
        size_t i = l->lists[w->conn][k];
        struct result *r = &l->res[i];
        json_t *reply = NULL, *res, *err;
        char *text = NULL;
        size_t tlen = 0;
        double t0;
        int rc, status = 0;

        if (l->o->rate > 0) { /* the global schedule: tx i at start + i / rate */
            double due = l->start_mono + (double)i * 1000.0 / l->o->rate,
                   now = now_ms(CLOCK_MONOTONIC);
            if (due > now) {
                struct timespec ts = {(time_t)((due - now) / 1000),
                                      (long)(fmod(due - now, 1000.0) * 1e6)};
                nanosleep(&ts, NULL);
            }
        }
        r->sent_ms = now_ms(CLOCK_REALTIME);
        t0 = now_ms(CLOCK_MONOTONIC);
        rc = tacit_rpc_client_post(c, "/", l->bodies[i], l->blen[i], &status, &text, &tlen);
        r->latency_ms = now_ms(CLOCK_MONOTONIC) - t0;
        if (rc == TACIT_OK && (status != 200 || (reply = json_loadb(text, tlen, 0, NULL)) == NULL))
            rc = TACIT_EJSON;
        free(text);
        res = json_object_get(reply, "result");
        err = json_object_get(reply, "error");
        if (rc != TACIT_OK)
            snprintf(r->error, sizeof r->error, "transport:%s", tacit_errname(rc));
        else if (res != NULL)
            snprintf(r->id, sizeof r->id, "%s",
                     json_string_value(res) ? json_string_value(res) : "");
        else {
            const char *e =
                json_string_value(json_object_get(json_object_get(err, "data"), "error"));
            if (e != NULL)
                snprintf(r->error, sizeof r->error, "%s", e);
            else
                snprintf(r->error, sizeof r->error, "rpc:%lld",
                         (long long)json_integer_value(json_object_get(err, "code")));
        }
        json_decref(reply);
    }
    tacit_rpc_client_free(c);
    return NULL;
}

/* A 0x-prefixed hex string of n digits (0: any number of them, at least one). */
static bool hex_str(json_t *v, size_t n)
{
    const char *s = json_string_value(v);
    size_t len = s ? strlen(s) : 0;
    if (len < 3 || s[0] != '0' || s[1] != 'x' || (n && len != n + 2)) return false;
    for (size_t i = 2; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* The reader's check of what it got (the node answers recent blocks from text made on its block
 * lane): chainInfo names a height and a tip hash; a block has its height (never below the last
 * one read), hash, parent, and tx ids. *last: the last block height read. */
static bool read_answer_ok(json_t *info, json_t *blk, uint64_t *last)
{
    uint64_t h;
    json_t *txs = json_object_get(blk, "txs"), *t;
    size_t i;
    if (!hex_str(json_object_get(info, "height"), 0) ||
        !hex_str(json_object_get(info, "tipHash"), 64) ||
        !hex_str(json_object_get(blk, "height"), 0) || !hex_str(json_object_get(blk, "hash"), 64) ||
        !hex_str(json_object_get(blk, "parent"), 64) || !json_is_array(txs))
        return false;
    json_array_foreach(txs, i, t)
    {
        if (!hex_str(t, 64)) return false;
    }
    h = strtoull(json_string_value(json_object_get(blk, "height")) + 2, NULL, 16);
    if (h < *last) return false;
    *last = h;
    return true;
}

/* One more connection reading while the load runs. */
static void *read_run(void *arg)
{
    struct load *l = arg;
    struct tacit_rpc_client *c = NULL;
    uint64_t last = 0;

    if (tacit_rpc_client_new(&c, l->o->rpc, NULL, 60000) != TACIT_OK) return NULL;
    while (!l->done && l->ninfo < l->readcap && l->nblock < l->readcap) {
        json_t *info = NULL, *res = NULL, *err = NULL;
        double t0 = now_ms(CLOCK_MONOTONIC);
        struct timespec ts = {0, 5000000};
        if (tacit_rpc_call(c, "tacit_chainInfo", json_array(), &info, &err) == TACIT_OK &&
            info != NULL)
            l->lat_info[l->ninfo++] = now_ms(CLOCK_MONOTONIC) - t0;
        json_decref(err);
        err = NULL;
        t0 = now_ms(CLOCK_MONOTONIC);
        if (tacit_rpc_call(c, "tacit_getBlockByNumber", json_pack("[s]", "latest"), &res, &err) ==
                TACIT_OK &&
            res != NULL)
            l->lat_block[l->nblock++] = now_ms(CLOCK_MONOTONIC) - t0;
        if (!read_answer_ok(info, res, &last)) l->read_bad++;
        json_decref(info);
        json_decref(res);
        json_decref(err);
        nanosleep(&ts, NULL);
    }
    tacit_rpc_client_free(c);
    return NULL;
}

/* dev_fund every sender the deposits use, in JSON-RPC batches (one block each). */
static int fund_senders(struct tacit_rpc_client *c, size_t nsenders)
{
    for (size_t s0 = 0; s0 < nsenders; s0 += 500) {
        size_t n = nsenders - s0 < 500 ? nsenders - s0 : 500, len, cap = n * 160 + 8;
        char *body = malloc(cap), *reply = NULL;
        size_t rlen = 0;
        int status = 0, rc;
        if (body == NULL) return -1;
        len = (size_t)snprintf(body, cap, "[");
        for (size_t i = 0; i < n; i++) {
            uint8_t sk[32], addr[TACIT_ADDRESS_LEN];
            char ahex[2 * TACIT_ADDRESS_LEN + 3];
            sender_key(sk, addr, s0 + i);
            sodium_memzero(sk, sizeof sk);
            hex_encode(ahex, addr, sizeof addr);
            len += (size_t)snprintf(body + len, cap - len,
                                    "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"dev_fund\","
                                    "\"params\":[\"%s\",\"%s\"]}",
                                    i ? "," : "", i, ahex, SENDER_FUNDS);
        }
        len += (size_t)snprintf(body + len, cap - len, "]");
        rc = tacit_rpc_client_post(c, "/", body, len, &status, &reply, &rlen);
        free(body);
        if (rc != TACIT_OK || status != 200 || reply == NULL ||
            strstr(reply, "\"error\"") != NULL) {
            fprintf(stderr, "node-load: dev_fund batch failed (%s, HTTP %d): %.300s\n",
                    tacit_errname(rc), status, reply != NULL ? reply : "");
            free(reply);
            return -1;
        }
        free(reply);
    }
    return 0;
}

/* mean of the node's block commit histogram (tacit_block_commit_seconds_sum / _count). */
static void metrics_commit(struct tacit_rpc_client *c, double *sum, double *count)
{
    char *text = NULL, *p;
    size_t tlen = 0;
    int status = 0;

    *sum = *count = 0;
    if (tacit_rpc_client_get(c, "/metrics", &status, &text, &tlen) != TACIT_OK || text == NULL)
        return;
    if ((p = strstr(text, "tacit_block_commit_seconds_sum ")) != NULL) *sum = strtod(p + 31, NULL);
    if ((p = strstr(text, "tacit_block_commit_seconds_count ")) != NULL)
        *count = strtod(p + 33, NULL);
    free(text);
}

/* A call whose JSON-RPC error, if any, only means "no result": the result or NULL. */
static json_t *call(struct tacit_rpc_client *c, const char *method, json_t *params)
{
    json_t *res = NULL, *err = NULL;
    if (tacit_rpc_call(c, method, params, &res, &err) != TACIT_OK) return NULL;
    json_decref(err);
    return res;
}

static uint64_t qty(const json_t *j)
{
    const char *s = json_string_value(j);
    return s != NULL && strncmp(s, "0x", 2) == 0 ? strtoull(s + 2, NULL, 16) : 0;
}

/* ------------------------------------------------------------ L1 latency ---- */

struct seq_block {
    uint64_t height, l1_head; /* the L1 head when the block was sequenced (committed) */
};

struct l1_watch {
    const struct opts *o;
    uint64_t from; /* the first height to watch */
    volatile bool done;
    struct seq_block *b;
    size_t n, cap;
    bool failed;
};

/* Follows the chain as its blocks commit (tacit_waitForBlock answers at the commit) and asks
 * the L1 for its head at once: the L1 head when each block was sequenced. */
static void *l1_watch_run(void *arg)
{
    struct l1_watch *w = arg;
    struct tacit_rpc_client *c = NULL;
    struct tacit_l1 *l1 = NULL;
    uint64_t next = w->from;

    if (tacit_rpc_client_new(&c, w->o->rpc, NULL, 60000) != TACIT_OK ||
        tacit_l1_http_new(&l1, w->o->l1_rpc, NULL) != TACIT_OK) {
        w->failed = true;
        goto out;
    }
    while (!w->done && w->n < w->cap) {
        json_t *blk =
            call(c, "tacit_waitForBlock",
                 json_pack("[oi]", json_sprintf("0x%llx", (unsigned long long)next), 1000));
        uint64_t head;
        bool got = blk != NULL && !json_is_null(blk);
        json_decref(blk);
        if (!got) continue;
        if (tacit_l1_block_number(l1, &head) != TACIT_OK) {
            w->failed = true;
            break;
        }
        w->b[w->n].height = next++;
        w->b[w->n++].l1_head = head;
    }
out:
    tacit_l1_free(l1);
    tacit_rpc_client_free(c);
    return NULL;
}

/* Once blocks hmin..hmax (those that held the load) are settled: per block, the L1 block that
 * settled it (its settlement.l1Block) minus the L1 head when it was sequenced. */
static int l1_report(struct tacit_rpc_client *c, const struct l1_watch *w, uint64_t hmin,
                     uint64_t hmax)
{
    double end = now_ms(CLOCK_MONOTONIC) + 300000, *d = NULL, *dw = NULL, *di = NULL,
           t0 = now_ms(CLOCK_MONOTONIC);
    size_t nd = 0, nsplit = 0, hist[6] = {0};
    uint64_t settled = 0;
    bool all = false;

    while (!all && now_ms(CLOCK_MONOTONIC) < end) {
        json_t *ci = call(c, "tacit_chainInfo", json_array()), *se;
        se = ci != NULL ? json_object_get(ci, "settlement") : NULL;
        if (se != NULL && json_is_string(json_object_get(se, "settled"))) {
            settled = qty(json_object_get(se, "settled"));
            all = settled >= hmax;
        }
        if (se != NULL && json_is_true(json_object_get(se, "halted"))) {
            fprintf(stderr, "node-load: settlement halted: %s\n",
                    json_string_value(json_object_get(se, "haltReason")));
            json_decref(ci);
            return 1;
        }
        json_decref(ci);
        if (!all) usleep(200000);
    }
    printf("  L1 settlement    blocks %llu..%llu settled %.1f s after the load's last block\n",
           (unsigned long long)hmin, (unsigned long long)hmax,
           (now_ms(CLOCK_MONOTONIC) - t0) / 1000.0);
    if (!all) {
        printf("    NOT all settled within 300 s (settled up to %llu)\n",
               (unsigned long long)settled);
        return 1;
    }
    d = calloc(w->n + 1, sizeof *d);
    dw = calloc(w->n + 1, sizeof *dw);
    di = calloc(w->n + 1, sizeof *di);
    if (d == NULL || dw == NULL || di == NULL) {
        free(d);
        free(dw);
        free(di);
        return 1;
    }
    for (size_t i = 0; i < w->n; i++) {
        const struct seq_block *b = &w->b[i];
        json_t *blk, *l1b;
        if (b->height < hmin || b->height > hmax) continue;
        blk = call(c, "tacit_getBlockByNumber",
                   json_pack("[o]", json_sprintf("0x%llx", (unsigned long long)b->height)));
        l1b = blk != NULL ? json_object_get(json_object_get(blk, "settlement"), "l1Block") : NULL;
        if (l1b != NULL && json_is_string(l1b)) {
            uint64_t at = qty(l1b),
                     sent = qty(json_object_get(json_object_get(blk, "settlement"), "l1SentAt"));
            d[nd++] = at >= b->l1_head ? (double)(at - b->l1_head) : -1.0;
            hist[at - b->l1_head < 5 ? at - b->l1_head : 5]++;
            if (sent >= b->l1_head && at >= sent) { /* its proof (and wait), then inclusion */
                dw[nsplit] = (double)(sent - b->l1_head);
                di[nsplit++] = (double)(at - sent);
            }
        }
        json_decref(blk);
    }
    if (nd == 0) {
        printf("    no block of the load watched\n");
        free(d);
        free(dw);
        free(di);
        return 1;
    }
    {
        size_t within = hist[0] + hist[1] + hist[2];
        double med = quantile(d, nd, 0.5), p95 = quantile(d, nd, 0.95), max = d[nd - 1];
        printf("  L1 latency       (L1 block that settled h) - (L1 head when h was sequenced), "
               "%zu blocks: median %.0f, p95 %.0f, max %.0f L1 blocks\n",
               nd, med, p95, max);
        printf("    per value      0: %zu  1: %zu  2: %zu  3: %zu  4: %zu  5+: %zu\n", hist[0],
               hist[1], hist[2], hist[3], hist[4], hist[5]);
        if (nsplit > 0) { /* each quantile sorts: the max after them */
            double w50 = quantile(dw, nsplit, 0.5), w95 = quantile(dw, nsplit, 0.95),
                   i50 = quantile(di, nsplit, 0.5), i95 = quantile(di, nsplit, 0.95),
                   imax = di[nsplit - 1];
            printf(
                "    split          sequenced -> sent (waiting, tree-update proof): median %.0f, "
                "p95 %.0f; sent -> settled (inclusion): median %.0f, p95 %.0f, max %.0f "
                "(L1 blocks, settlement.l1SentAt)\n",
                w50, w95, i50, i95, imax);
        }
        printf("  target           settled within 2 L1 blocks of being sequenced: %s (%zu of %zu "
               "blocks within 2; p95 %.0f)\n",
               p95 <= 2 ? "met" : "NOT met", within, nd, p95);
    }
    free(d);
    free(dw);
    free(di);
    return 0;
}

static int run(const struct opts *o)
{
    struct tacit_rpc_client *c = NULL;
    struct tacit_tx *txs = NULL;
    long *dno = NULL;
    struct load l;
    struct worker *w = NULL;
    pthread_t *th = NULL, rth;
    json_t *ci = NULL;
    char want_rollup[2 * TACIT_ROLLUP_ID_LEN + 3];
    struct l1_watch lw;
    pthread_t wth;
    bool watching = false;
    size_t nsenders = 0, accepted = 0, included = 0, nrej = 0;
    double sum0, cnt0, sum1, cnt1, first_ms = 0, last_ms = 0, *lat = NULL;
    struct cpu_snap cpu0, cpu1;
    struct follower fol;
    pthread_t fth;
    bool following = false;
    uint64_t hmin = UINT64_MAX, hmax = 0, h0, hstart;
    int ret = 1;
    struct {
        char name[32];
        size_t n;
    } rej[32];

    memset(&l, 0, sizeof l);
    memset(&lw, 0, sizeof lw);
    memset(&fol, 0, sizeof fol);
    if (tacit_rpc_client_new(&c, o->rpc, NULL, 60000) != TACIT_OK) return 1;
    if ((ci = call(c, "tacit_chainInfo", json_array())) == NULL) {
        fprintf(stderr, "node-load: no node at %s\n", o->rpc);
        goto out;
    }
    hex_encode(want_rollup, o->rollup, sizeof o->rollup); /* zeros off L1 mode */
    if (qty(json_object_get(ci, "chainId")) != DEVNET_CHAIN_ID ||
        strcmp(json_string_value(json_object_get(ci, "rollupId"))
                   ? json_string_value(json_object_get(ci, "rollupId"))
                   : "",
               want_rollup) != 0 ||
        qty(json_object_get(ci, "commitmentCount")) != 0) {
        fprintf(stderr, "node-load: want a fresh devnet (chain 0x7461, rollup id %s, empty tree)\n",
                want_rollup);
        goto out;
    }
    h0 = qty(json_object_get(ci, "height"));
    if ((txs = load_txs(o, &dno)) == NULL) goto out;
    for (size_t i = 0; i < o->n; i++)
        if (dno[i] >= 0 && (size_t)dno[i] / DEPOSITS_PER_SENDER + 1 > nsenders)
            nsenders = (size_t)dno[i] / DEPOSITS_PER_SENDER + 1;
    if (nsenders > 0 && fund_senders(c, nsenders) != 0) goto out;
    json_decref(ci);
    ci = NULL;
    if ((ci = call(c, "tacit_chainInfo", json_array())) == NULL) goto out;
    hstart = qty(json_object_get(ci, "height"));

    /* connections: a sender's deposits all on one (in nonce order), transfers round robin */
    l.o = o;
    l.txs = txs;
    l.res = calloc(o->n, sizeof *l.res);
    l.lists = calloc(o->conns, sizeof *l.lists);
    l.nlist = calloc(o->conns, sizeof *l.nlist);
    l.readcap = 1000000;
    l.lat_info = calloc(l.readcap, sizeof(double));
    l.lat_block = calloc(l.readcap, sizeof(double));
    w = calloc(o->conns, sizeof *w);
    th = calloc(o->conns, sizeof *th);
    lat = calloc(o->n + 1, sizeof *lat);
    if (l.res == NULL || l.lists == NULL || l.nlist == NULL || l.lat_info == NULL ||
        l.lat_block == NULL || w == NULL || th == NULL || lat == NULL)
        goto out;
    for (unsigned k = 0; k < o->conns; k++)
        if ((l.lists[k] = calloc(o->n, sizeof(size_t))) == NULL) goto out;
    /* The requests are encoded before the run (what a wallet does before it sends), so the
     * client, on the same cores, costs the node's run only its HTTP exchanges. */
    l.bodies = calloc(o->n, sizeof *l.bodies);
    l.blen = calloc(o->n, sizeof *l.blen);
    if (l.bodies == NULL || l.blen == NULL) goto out;
    for (size_t i = 0; i < o->n; i++) {
        static const char pre[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                                  "\"tacit_sendRawTransaction\",\"params\":[\"";
        uint8_t enc[TACIT_TX_BYTES];
        size_t cap = sizeof pre + 2 * TACIT_TX_BYTES + 8;
        if ((l.bodies[i] = malloc(cap)) == NULL) goto out;
        memcpy(l.bodies[i], pre, sizeof pre - 1);
        tacit_tx_encode(enc, &txs[i]);
        hex_encode(l.bodies[i] + sizeof pre - 1, enc, sizeof enc); /* "0x...", NUL-terminated */
        l.blen[i] = strlen(l.bodies[i]);
        memcpy(l.bodies[i] + l.blen[i], "\"]}", 4);
        l.blen[i] += 3;
    }
    for (size_t i = 0, rr = 0; i < o->n; i++) {
        unsigned k = dno[i] >= 0 ? (unsigned)(((size_t)dno[i] / DEPOSITS_PER_SENDER) % o->conns)
                                 : (unsigned)(rr++ % o->conns);
        l.lists[k][l.nlist[k]++] = i;
    }

    metrics_commit(c, &sum0, &cnt0);
    cpu_snap(c, &cpu0);
    fol.o = o;
    fol.next = hstart + 1;
    pthread_mutex_init(&fol.mu, NULL);
    if (pthread_create(&fth, NULL, follow_run, &fol) != 0) goto out;
    following = true;
    if (o->rate > 0)
        printf("node-load: %zu %s txs, %u connections, offered at %.0f tx/s\n", o->n,
               kind_name[o->kind], o->conns, o->rate);
    else
        printf("node-load: %zu %s txs, %u connections, as fast as possible\n", o->n,
               kind_name[o->kind], o->conns);
    fflush(stdout);
    if (o->l1_rpc != NULL) { /* the L1 head at each block's commit, from the next block on */
        lw.o = o;
        lw.from = hstart + 1;
        lw.cap = 1000000;
        if ((lw.b = calloc(lw.cap, sizeof *lw.b)) == NULL ||
            pthread_create(&wth, NULL, l1_watch_run, &lw) != 0)
            goto out;
        watching = true;
    }
    l.start_mono = now_ms(CLOCK_MONOTONIC);
    /* the read-latency loop loads the node: not while its settlement is what is measured */
    if (o->l1_rpc == NULL && pthread_create(&rth, NULL, read_run, &l) != 0) goto out;
    for (unsigned k = 0; k < o->conns; k++) {
        w[k].l = &l;
        w[k].conn = k;
        if (pthread_create(&th[k], NULL, submit_run, &w[k]) != 0) {
            fprintf(stderr, "node-load: cannot start thread\n");
            exit(1);
        }
    }
    for (unsigned k = 0; k < o->conns; k++) pthread_join(th[k], NULL);

    /* Until the follower has seen every admitted tx in a block (it asks once per block, so it
     * hardly loads the node it measures). */
    {
        const char **ids = calloc(o->n + 1, sizeof *ids);
        double end = now_ms(CLOCK_MONOTONIC) + 300000;
        size_t seen_upto = 0;

        if (ids == NULL) goto out;
        for (size_t i = 0; i < o->n; i++)
            if (l.res[i].error[0] == '\0') ids[accepted++] = l.res[i].id;
        qsort(ids, accepted, sizeof *ids, cmp_str);
        while (included < accepted && now_ms(CLOCK_MONOTONIC) < end && !fol.failed) {
            struct timespec ts = {0, 10000000};
            pthread_mutex_lock(&fol.mu);
            for (; seen_upto < fol.n; seen_upto++) {
                const char *id = fol.tx[seen_upto].id;
                if (bsearch(&id, ids, accepted, sizeof *ids, cmp_str) == NULL) continue;
                included++; /* a tx id is in one block only */
                if (fol.tx[seen_upto].height < hmin) hmin = fol.tx[seen_upto].height;
                if (fol.tx[seen_upto].height > hmax) hmax = fol.tx[seen_upto].height;
                if (fol.tx[seen_upto].ms > last_ms) last_ms = fol.tx[seen_upto].ms;
            }
            pthread_mutex_unlock(&fol.mu);
            if (included < accepted) nanosleep(&ts, NULL);
        }
        free(ids);
    }
    fol.stop = true;
    pthread_join(fth, NULL);
    following = false;
    cpu_snap(c, &cpu1);
    l.done = true;
    if (o->l1_rpc == NULL) pthread_join(rth, NULL);
    if (watching) {
        lw.done = true;
        pthread_join(wth, NULL);
        watching = false;
    }

    /* report */
    {
        size_t nl = 0, nrows = 0;
        double p50, p99, e2e_s;

        for (size_t i = 0; i < o->n; i++) {
            if (first_ms == 0 || l.res[i].sent_ms < first_ms) first_ms = l.res[i].sent_ms;
            lat[nl++] = l.res[i].latency_ms;
            if (l.res[i].error[0] != '\0') {
                size_t k;
                nrej++;
                for (k = 0; k < nrows && strcmp(rej[k].name, l.res[i].error) != 0; k++) {}
                if (k == nrows && nrows < 32) {
                    snprintf(rej[nrows].name, sizeof rej[nrows].name, "%s", l.res[i].error);
                    rej[nrows++].n = 0;
                }
                if (k < nrows) rej[k].n++;
            }
        }
        e2e_s = (last_ms - first_ms) / 1000.0;
        p50 = quantile(lat, nl, 0.50);
        p99 = quantile(lat, nl, 0.99);
        metrics_commit(c, &sum1, &cnt1);

        printf("  submitted        %zu: admitted %zu, included %zu, rejected at submission %zu\n",
               o->n, accepted, included, nrej);
        for (size_t k = 0; k < nrows; k++)
            printf("    rejected %-24s %zu\n", rej[k].name, rej[k].n);
        if (included < accepted)
            printf("    admitted, not included within 300 s: %zu\n", accepted - included);
        if (included > 0 && e2e_s > 0)
            printf("  end to end       %.0f tx/s (%zu included in %.3f s: first submit -> the "
                   "client saw block %llu)\n",
                   (double)included / e2e_s, included, e2e_s, (unsigned long long)hmax);
        printf("  submit latency   p50 %.2f ms  p99 %.2f ms (sendRawTransaction, send -> reply)\n",
               p50, p99);
        if (o->l1_rpc == NULL)
            printf(
                "  reads (1 conn)   chainInfo p50 %.2f ms p99 %.2f ms (%zu); getBlockByNumber p50 "
                "%.2f ms p99 %.2f ms (%zu)\n",
                quantile(l.lat_info, l.ninfo, 0.5), quantile(l.lat_info, l.ninfo, 0.99), l.ninfo,
                quantile(l.lat_block, l.nblock, 0.5), quantile(l.lat_block, l.nblock, 0.99),
                l.nblock);
        if (l.read_bad > 0)
            printf("  reads WRONG      %zu of the reader's answers were not a chain info and a "
                   "block\n",
                   l.read_bad);
        if (included > 0)
            printf(
                "  blocks           %llu..%llu (%llu blocks holding the load, genesis at %llu)\n",
                (unsigned long long)hmin, (unsigned long long)hmax,
                (unsigned long long)(hmax - hmin + 1), (unsigned long long)h0);
        if (cnt1 > cnt0)
            printf("  block commit     mean %.1f ms over %.0f blocks (/metrics "
                   "tacit_block_commit_seconds)\n",
                   (sum1 - sum0) / (cnt1 - cnt0) * 1000.0, cnt1 - cnt0);
        else
            printf("  block commit     (no tacit_block_commit_seconds in /metrics)\n");
        if (included > 0 && e2e_s > 0) cpu_report(&cpu0, &cpu1, included, e2e_s);
        if (o->pid > 0)
            printf("  node peak RSS    %.1f MiB (VmHWM of pid %ld)\n",
                   (double)vmhwm_kib((pid_t)o->pid) / 1024.0, o->pid);
        /* each target is judged only by the run it is about: e2e at full speed, p99 at 500/s */
        printf(
            "  targets          e2e >= 3000 tx/s: %s; p99 submit <= 5 ms at 500 tx/s offered: %s; "
            "reads p99 <= 5 ms: %s\n",
            o->rate > 0 ? "n/a (rate-limited run)"
            : included > 0 && e2e_s > 0 && (double)included / e2e_s >= 3000 ? "met"
                                                                            : "NOT met",
            o->rate != 500 ? "n/a (run with --rate 500)"
            : p99 <= 5     ? "met"
                           : "NOT met",
            o->l1_rpc != NULL ? "n/a (not measured in L1 mode)"
            : quantile(l.lat_info, l.ninfo, 0.99) <= 5 && quantile(l.lat_block, l.nblock, 0.99) <= 5
                ? "met"
                : "NOT met");
    }
    ret = included == o->n && l.read_bad == 0 ? 0 : 1;
    if (o->l1_rpc != NULL) {
        if (lw.failed) {
            fprintf(stderr, "node-load: the L1 watch failed (tacitd or the L1 unreachable)\n");
            ret = 1;
        } else if (included == 0 || l1_report(c, &lw, hmin, hmax) != 0) {
            ret = 1;
        }
    }
out:
    if (following) {
        fol.stop = true;
        pthread_join(fth, NULL);
    }
    free(fol.tx);
    if (watching) {
        lw.done = true;
        pthread_join(wth, NULL);
    }
    free(lw.b);
    json_decref(ci);
    if (l.lists != NULL)
        for (unsigned k = 0; k < o->conns; k++) free(l.lists[k]);
    free(l.lists);
    free(l.nlist);
    if (l.bodies != NULL)
        for (size_t i = 0; i < o->n; i++) free(l.bodies[i]);
    free(l.bodies);
    free(l.blen);
    free(l.res);
    free(l.lat_info);
    free(l.lat_block);
    free(w);
    free(th);
    free(lat);
    free(txs);
    free(dno);
    tacit_rpc_client_free(c);
    return ret;
}

/* ---------------------------------------------------------------- main ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tacit-bench node-load prove --keys DIR [--n N] [--kind deposit|transfer|mix] "
            "[--cache DIR]\n"
            "       tacit-bench node-load run --rpc URL --keys DIR [--pid PID] [--n N] [--kind K]\n"
            "                                 [--conns C] [--rate R] [--cache DIR]\n"
            "  both: [--rollup 0xADDR [--l1-chain-id N]]  protocol v2 txs for a devnet settling\n"
            "        on that contract (L1 chain N, default 31337); run: [--l1-rpc URL] also\n"
            "        measures each block's L1 settlement latency (bench/l1-latency)\n"
            "Normally started by bench/node-load or bench/l1-latency, which run a fresh devnet.\n");
}

int bench_node_load(int argc, char **argv)
{
    struct opts o = {NULL, NULL, NULL, 0, 3000, 8, 0, KIND_MIX, false, {0}, 31337, NULL};
    char cache[4096];
    const char *env = getenv("TACIT_BENCH_CACHE"), *home = getenv("HOME");
    bool do_run;

    if (argc < 2 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "prove") != 0)) {
        usage(stderr);
        return 2;
    }
    do_run = strcmp(argv[1], "run") == 0;
    if (env != NULL && env[0] != '\0')
        snprintf(cache, sizeof cache, "%s", env);
    else
        snprintf(cache, sizeof cache, "%s/.cache/tacit-bench", home != NULL ? home : "/tmp");
    o.cache = cache;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "--rpc") == 0)
            o.rpc = v;
        else if (strcmp(a, "--keys") == 0)
            o.keys = v;
        else if (strcmp(a, "--cache") == 0)
            o.cache = v;
        else if (strcmp(a, "--pid") == 0)
            o.pid = strtol(v, NULL, 10);
        else if (strcmp(a, "--n") == 0)
            o.n = strtoul(v, NULL, 10);
        else if (strcmp(a, "--conns") == 0)
            o.conns = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(a, "--rate") == 0)
            o.rate = strtod(v, NULL);
        else if (strcmp(a, "--rollup") == 0) {
            if (strlen(v) != 2 + 2 * sizeof o.rollup ||
                tacit_hex_decode(o.rollup, sizeof o.rollup, v, true) != TACIT_OK) {
                usage(stderr);
                return 2;
            }
            o.l1 = true;
        } else if (strcmp(a, "--l1-chain-id") == 0)
            o.l1_chain_id = strtoull(v, NULL, 0);
        else if (strcmp(a, "--l1-rpc") == 0)
            o.l1_rpc = v;
        else if (strcmp(a, "--kind") == 0) {
            if (strcmp(v, "deposit") == 0)
                o.kind = KIND_DEPOSIT;
            else if (strcmp(v, "transfer") == 0)
                o.kind = KIND_TRANSFER;
            else if (strcmp(v, "mix") == 0)
                o.kind = KIND_MIX;
            else {
                usage(stderr);
                return 2;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (o.keys == NULL || o.n == 0 || o.conns == 0 || o.conns > 256 || (do_run && o.rpc == NULL) ||
        (o.l1_rpc != NULL && !o.l1)) {
        usage(stderr);
        return 2;
    }
    if (sodium_init() < 0) return 1;
    if (!do_run) {
        long *dno = NULL;
        struct tacit_tx *txs = load_txs(&o, &dno);
        free(dno);
        if (txs == NULL) return 1;
        free(txs);
        return 0;
    }
    return run(&o);
}
