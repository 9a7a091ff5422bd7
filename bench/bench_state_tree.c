/*
 * tacit — the note tree and LMDB rows of `tacit-bench state` (rows table in bench_state.c):
 *
 *   tree-1M       1,000,000 leaves appended in 1,000 blocks of 1,000, each block one LMDB
 *                 write transaction with full sync; both cores hash the wide tree levels
 *                 (TACIT_BENCH_THREADS=1: one).
 *                 Then: size on disk per million notes, and Merkle path latency.
 *   block-commit  a block of 1,000 txs (2,000 commitments + encrypted outputs, 2,000
 *                 nullifiers, 1,000 tx records, 3 account deltas), committed with fsync.
 *   block-build   the sequencer's builder on the store: 1,000 shielded txs added (the rules
 *                 over the store's view) and sealed; its commit timed apart.
 *
 * These rows time WALL clock (CLOCK_MONOTONIC), not thread CPU time: fsync waits are the cost.
 * Stores are made under TACIT_BENCH_DIR, else /var/tmp (the filesystem type is printed: the
 * figures mean something on a disk, not on tmpfs), and removed afterwards.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/state.h"
#include "tacit/tree.h"

#define TMPFS_MAGIC_ 0x01021994
#define EXT4_MAGIC_ 0xEF53
#define XFS_MAGIC_ 0x58465342
#define BTRFS_MAGIC_ 0x9123683E

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (all threads): with wall time it shows how much of the wall
 * time was this process's work and how much waiting (fsync, or other processes on the CPUs). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf", &l) != 1) l = -1;
        fclose(f);
    }
    return l;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* All CPUs for these rows (the suite pins itself to one); restored by unpin_end. */
static cpu_set_t saved_cpus;
static void unpin_begin(void)
{
    cpu_set_t all;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    sched_getaffinity(0, sizeof saved_cpus, &saved_cpus);
    CPU_ZERO(&all);
    for (long i = 0; i < n && i < CPU_SETSIZE; i++) CPU_SET((int)i, &all);
    sched_setaffinity(0, sizeof all, &all);
}
static void unpin_end(void) { sched_setaffinity(0, sizeof saved_cpus, &saved_cpus); }

static const char *fs_name(const char *dir)
{
    struct statfs s;
    if (statfs(dir, &s) != 0) return "unknown filesystem";
    switch ((unsigned long)s.f_type) {
    case TMPFS_MAGIC_: return "tmpfs (RAM: fsync figures are NOT realistic)";
    case EXT4_MAGIC_: return "ext4 (disk)";
    case XFS_MAGIC_: return "xfs (disk)";
    case BTRFS_MAGIC_: return "btrfs (disk)";
    default: return "disk filesystem";
    }
}

int bench_store_dir(char *buf, size_t len)
{
    const char *base = getenv("TACIT_BENCH_DIR");
    if (base == NULL || base[0] == '\0') base = "/var/tmp";
    if ((size_t)snprintf(buf, len, "%s/tacit-bench-XXXXXX", base) >= len) return -1;
    return mkdtemp(buf) == NULL ? -1 : 0;
}

void bench_store_dir_remove(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", dir);
    unlink(p);
    rmdir(dir);
}

static void fr_of(tacit_fr *r, uint64_t i, uint64_t tag)
{
    uint64_t l[4] = {i * 0x9e3779b97f4a7c15ULL ^ tag, i + tag * 31, ~i, i >> 3 | 1};
    l[3] &= 0x0fffffffffffffffULL; /* < r */
    tacit_fr_from_limbs(r, l);
}

static uint64_t file_bytes_on_disk(const char *dir)
{
    char p[4200];
    struct stat sb;
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    return stat(p, &sb) == 0 ? (uint64_t)sb.st_blocks * 512 : 0;
}

/* ---------------------------------------------------------- tree-1M ---- */

int bench_state_tree_1m(void)
{
    enum { BLOCKS = 1000, PER = 1000 };
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    struct tacit_block_update u;
    double t0, c0, total, total_cpu, *per_block, hash_only, hash_cpu;
    tacit_fr *leaves;
    char dir[4096];
    uint64_t used = 0;
    unsigned threads;
    int rc, status = 1;

    if (bench_store_dir(dir, sizeof dir) != 0) {
        perror("tacit-bench: temp dir");
        return 1;
    }
    leaves = malloc(PER * sizeof *leaves);
    per_block = malloc(BLOCKS * sizeof *per_block);
    if (leaves == NULL || per_block == NULL) goto out;
    unpin_begin();
    {
        const char *t = getenv("TACIT_BENCH_THREADS"); /* 1 or 2 (default) */
        threads = t != NULL && atoi(t) == 1 ? 1 : 2;
    }
    tacit_tree_set_threads(threads);
    printf("\n  state store in %s: %s\n", dir, fs_name(dir));

    /* The hashing alone, for comparison: the same 1,000 x 1,000 appends without storage. */
    {
        struct tacit_tree_frontier f;
        tacit_tree_frontier_init(&f);
        t0 = wall_s();
        c0 = cpu_s();
        for (uint64_t b = 0; b < BLOCKS; b++) {
            for (uint64_t i = 0; i < PER; i++) fr_of(&leaves[i], b * PER + i, 1);
            tacit_tree_append(&f, NULL, leaves, PER, NULL, NULL, 0);
        }
        hash_only = wall_s() - t0;
        hash_cpu = cpu_s() - c0;
    }

    tacit_state_options_init(&o);
    if ((rc = tacit_state_open(&st, dir, &o)) != TACIT_OK) {
        fprintf(stderr, "tacit-bench: open: %s\n", tacit_strerror(rc));
        goto out_unpin;
    }
    t0 = wall_s();
    c0 = cpu_s();
    for (uint64_t b = 0; b < BLOCKS; b++) {
        double tb = wall_s();
        for (uint64_t i = 0; i < PER; i++) fr_of(&leaves[i], b * PER + i, 1);
        memset(&u, 0, sizeof u);
        u.height = b;
        memcpy(u.hash, &b, sizeof b);
        u.commitments = leaves;
        u.ncommitments = PER;
        if ((rc = tacit_state_apply_block(st, &u, NULL, NULL)) != TACIT_OK) {
            fprintf(stderr, "tacit-bench: apply block %llu: %s\n", (unsigned long long)b,
                    tacit_strerror(rc));
            goto out_close;
        }
        per_block[b] = wall_s() - tb;
    }
    total = wall_s() - t0;
    total_cpu = cpu_s() - c0;
    printf("%-40s %12.3f s    (target <= 20 s; %u hashing thread%s; full sync)\n",
           "tree append 1M leaves, 1000 blocks", total, threads, threads > 1 ? "s" : "");
    printf("%-40s %12.3f s    (all threads; the rest of the wall time is waiting)\n",
           "  process CPU time", total_cpu);
    printf("%-40s %12.3f ms   (%.0f leaves/s)\n", "  per block of 1000 (median, wall)",
           median(per_block, BLOCKS) * 1e3, 1e6 / total);
    printf("%-40s %12.3f s    (no storage, same appends; CPU %.3f s; load avg %.1f)\n",
           "  tree hashing alone", hash_only, hash_cpu, load1());

    tacit_state_disk_usage(st, &used);
    printf("%-40s %12.1f MB   (LMDB pages in use; data.mdb occupies %.1f MB)\n",
           "size on disk per million notes", used / 1e6, file_bytes_on_disk(dir) / 1e6);
    printf("  (leaves + complete nodes of levels >= %d + roots; no tx bytes or outputs)\n",
           TACIT_STATE_TREE_MIN_STORED);

    /* Merkle paths of random leaves from the 1M tree (levels 1..3 recomputed from leaves). */
    {
        enum { NPATH = 2001 };
        double *t = malloc(NPATH * sizeof *t);
        struct tacit_tree_path p;
        if (t != NULL) {
            for (int i = 0; i < NPATH; i++) {
                uint64_t idx = ((uint64_t)i * 2654435761u) % (BLOCKS * PER);
                double ts = wall_s();
                tacit_state_path(st, idx, TACIT_STATE_TIP, &p, NULL);
                t[i] = wall_s() - ts;
            }
            printf("%-40s %12.3f µs\n", "Merkle path from the store (median)",
                   median(t, NPATH) * 1e6);
            for (int i = 0; i < NPATH; i++) {
                uint64_t idx = ((uint64_t)i * 2654435761u) % (BLOCKS * PER);
                double ts = wall_s();
                tacit_state_path(st, idx, (uint64_t)(i % BLOCKS), &p, NULL);
                t[i] = wall_s() - ts;
            }
            printf("%-40s %12.3f µs\n", "  at a past height (median)", median(t, NPATH) * 1e6);
            free(t);
        }
    }
    status = 0;

out_close:
    tacit_state_close(st);
out_unpin:
    tacit_tree_set_threads(1);
    unpin_end();
out:
    bench_store_dir_remove(dir);
    free(per_block);
    free(leaves);
    return status;
}

/* ----------------------------------------------------- block-commit ---- */

enum {
    BC_TXS = 1000,
    BC_CM = 2000,
    BC_TXLEN = 800,
    BC_OUTLEN = 600,
    BC_WARM = 10,
    BC_MEASURE = 21
};

static int block_commit_run(unsigned threads)
{
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    struct tacit_block_update u;
    struct tacit_state_tx *txs = calloc(BC_TXS, sizeof *txs);
    struct tacit_state_bytes *outs = calloc(BC_CM, sizeof *outs);
    uint8_t *txb = calloc(BC_TXS, BC_TXLEN), *outb = calloc(BC_CM, BC_OUTLEN), block[256];
    tacit_fr *cms = calloc(BC_CM, sizeof *cms), *nfs = calloc(BC_CM, sizeof *nfs);
    struct tacit_account_delta deltas[3];
    double t[BC_MEASURE];
    char dir[4096];
    int rc, status = 1;

    if (!txs || !outs || !txb || !outb || !cms || !nfs || bench_store_dir(dir, sizeof dir) != 0)
        goto out_free;
    tacit_tree_set_threads(threads);
    tacit_state_options_init(&o);
    if ((rc = tacit_state_open(&st, dir, &o)) != TACIT_OK) {
        fprintf(stderr, "tacit-bench: open: %s\n", tacit_strerror(rc));
        goto out_rm;
    }
    memset(block, 0xb1, sizeof block);
    for (int b = 0; b < BC_WARM + BC_MEASURE; b++) {
        double ts;
        for (int i = 0; i < BC_TXS; i++) {
            memset(txs[i].id, 0, 32);
            memcpy(txs[i].id, &b, sizeof b);
            memcpy(txs[i].id + 8, &i, sizeof i);
            txs[i].bytes = txb + (size_t)i * BC_TXLEN;
            txs[i].len = BC_TXLEN;
        }
        for (int i = 0; i < BC_CM; i++) {
            fr_of(&cms[i], (uint64_t)b * BC_CM + (uint64_t)i, 2);
            fr_of(&nfs[i], (uint64_t)b * BC_CM + (uint64_t)i, 3);
            outs[i].data = outb + (size_t)i * BC_OUTLEN;
            outs[i].len = BC_OUTLEN;
        }
        memset(deltas, 0, sizeof deltas);
        deltas[0].address[0] = 1, deltas[0].credit = 100;  /* sequencer fees */
        deltas[1].address[0] = 2, deltas[1].credit = 1000; /* a withdrawal */
        deltas[2].address[0] = 1, deltas[2].debit = 10, deltas[2].nonce_add = 1; /* a deposit */
        memset(&u, 0, sizeof u);
        u.height = (uint64_t)b;
        memset(u.hash, 0, 32);
        memcpy(u.hash, &b, sizeof b);
        u.block = block;
        u.block_len = sizeof block;
        u.txs = txs;
        u.ntxs = BC_TXS;
        u.commitments = cms;
        u.ncommitments = BC_CM;
        u.outputs = outs;
        u.nullifiers = nfs;
        u.nnullifiers = BC_CM;
        u.deltas = deltas;
        u.ndeltas = 3;
        ts = wall_s();
        if ((rc = tacit_state_apply_block(st, &u, NULL, NULL)) != TACIT_OK) {
            fprintf(stderr, "tacit-bench: apply: %s\n", tacit_strerror(rc));
            goto out_close;
        }
        if (b >= BC_WARM) t[b - BC_WARM] = wall_s() - ts;
    }
    {
        char name[80];
        double m = median(t, BC_MEASURE);
        snprintf(name, sizeof name, "block commit, 1000 txs (%u thread%s)", threads,
                 threads > 1 ? "s" : "");
        printf("%-40s %12.3f ms   (%.1f blocks/s; target <= 50 ms; fsync)\n", name, m * 1e3, 1 / m);
    }
    if (threads == 1) {
        uint64_t used = 0;
        tacit_state_disk_usage(st, &used);
        printf("%-40s %12.1f MB   (all records of such blocks, per 1,000,000 commitments)\n",
               "  size on disk per million notes",
               used / 1e6 * 1e6 / ((double)(BC_WARM + BC_MEASURE) * BC_CM));
    }
    status = 0;
out_close:
    tacit_state_close(st);
out_rm:
    bench_store_dir_remove(dir);
out_free:
    tacit_tree_set_threads(1);
    free(txs), free(outs), free(txb), free(outb), free(cms), free(nfs);
    return status;
}

int bench_state_block_commit(void)
{
    char dir[4096];
    int status = 0;
    if (bench_store_dir(dir, sizeof dir) == 0) {
        printf("\n  state store in %s: %s\n", dir, fs_name(dir));
        rmdir(dir);
    }
    printf(
        "  block: 2000 commitments + 2000 x %d-byte outputs, 2000 nullifiers, 1000 x %d-byte txs,\n"
        "  3 account deltas; after %d warm-up blocks, median of %d\n",
        BC_OUTLEN, BC_TXLEN, BC_WARM, BC_MEASURE);
    unpin_begin();
    status |= block_commit_run(1);
    status |= block_commit_run(2);
    unpin_end();
    return status;
}

/* ------------------------------------------------------ block-build ---- */

enum { BB_TXS = 1000, BB_WARM = 3, BB_MEASURE = 11 };

/* The sequencer's path over the LMDB store: a builder on the tip, 1,000 shielded txs through
 * tacit_block_builder_add_tx (static rules, then the state rules over the view), sealed
 * (tree append and digests, signature, encoding); then the commit, timed apart. */
int bench_state_block_build(void)
{
    static const uint8_t seq_sk[32] = {0x5e, 0x9a, 1,  2,  3,  4,  5,  6,  7,  8,  9,
                                       10,   11,   12, 13, 14, 15, 16, 17, 18, 19, 20,
                                       21,   22,   23, 24, 25, 26, 27, 28, 29, 30};
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    struct tacit_sequencer_key *k = NULL;
    struct tacit_chain_params p;
    struct tacit_tx *txs = calloc(BB_TXS, sizeof *txs);
    uint8_t *enc = calloc(BB_TXS, TACIT_TX_BYTES);
    double tb[BB_MEASURE], tcpu[BB_MEASURE], tc[BB_MEASURE];
    char dir[4096];
    int rc = TACIT_ENOMEM, status = 1;

    if (txs == NULL || enc == NULL || bench_store_dir(dir, sizeof dir) != 0) goto out_free;
    memset(&p, 0, sizeof p);
    p.chain_id = 7;
    if ((rc = tacit_sequencer_key_new(&k, seq_sk)) != TACIT_OK) goto out_rm;
    tacit_sequencer_key_public(k, p.sequencer, p.fee_recipient);
    tacit_state_options_init(&o);
    o.chain_id = p.chain_id;
    if ((rc = tacit_state_open(&st, dir, &o)) != TACIT_OK) goto out_rm;
    for (int b = 0; b < 1 + BB_WARM + BB_MEASURE; b++) {
        struct tacit_block_builder *bb = NULL;
        struct tacit_state_tip tip;
        double t0, t1, c0, c1;
        if ((rc = tacit_state_tip(st, &tip)) != TACIT_OK) goto out_close;
        for (int i = 0; i < BB_TXS && b > 0; i++) {
            struct tacit_tx *tx = &txs[i];
            memset(tx, 0, sizeof *tx);
            tx->version = TACIT_TX_VERSION;
            tx->chain_id = p.chain_id;
            tx->pub[0] = tip.digests.note_root; /* block 0 made it an anchor */
            for (int j = 3; j < 7; j++)
                fr_of(&tx->pub[j], (uint64_t)b * BB_TXS + (uint64_t)i, (uint64_t)j);
            tacit_tx_ext_data_hash(&tx->pub[2], &tx->ext, tx->chain_id, p.rollup_id);
            if ((rc = tacit_tx_public_amount(&tx->pub[1], &tx->ext)) != TACIT_OK) goto out_close;
            tacit_tx_encode(enc + (size_t)i * TACIT_TX_BYTES, tx);
        }
        t0 = wall_s();
        c0 = tacit_bench_now_ns();
        if ((rc = tacit_block_builder_new(&bb, st, &p)) != TACIT_OK) goto out_close;
        for (int i = 0; i < BB_TXS && b > 0 && rc == TACIT_OK; i++)
            rc = tacit_block_builder_add_tx(bb, &txs[i], enc + (size_t)i * TACIT_TX_BYTES,
                                            TACIT_TX_BYTES);
        if (rc == TACIT_OK)
            rc = tacit_block_builder_seal(bb, k, 1000 + (uint64_t)b, NULL, NULL, NULL);
        c1 = tacit_bench_now_ns();
        t1 = wall_s();
        if (rc == TACIT_OK) rc = tacit_block_builder_commit(bb);
        tacit_block_builder_free(bb);
        if (rc != TACIT_OK) goto out_close;
        if (b > BB_WARM) {
            tb[b - 1 - BB_WARM] = t1 - t0;
            tcpu[b - 1 - BB_WARM] = (c1 - c0) / 1e9;
            tc[b - 1 - BB_WARM] = wall_s() - t1;
        }
    }
    printf(
        "\n  block build: %d shielded txs through the builder on the LMDB store; after %d warm-up\n"
        "  blocks, median of %d\n",
        BB_TXS, BB_WARM, BB_MEASURE);
    printf("%-40s %12.3f ms   (new + add_tx x %d + seal)\n", "block build, 1000 txs",
           median(tb, BB_MEASURE) * 1e3, BB_TXS);
    printf("%-40s %12.3f ms   (the same, this thread's CPU time)\n", "  its CPU time",
           median(tcpu, BB_MEASURE) * 1e3);
    printf("%-40s %12.3f ms   (tacit_block_builder_commit, fsync)\n", "  its commit",
           median(tc, BB_MEASURE) * 1e3);
    status = 0;
out_close:
    if (status != 0) fprintf(stderr, "tacit-bench: block build: %s\n", tacit_strerror(rc));
    tacit_state_close(st);
out_rm:
    bench_store_dir_remove(dir);
out_free:
    tacit_sequencer_key_free(k);
    free(txs), free(enc);
    return status;
}
