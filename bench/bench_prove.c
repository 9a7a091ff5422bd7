/*
 * tacit — `tacit-bench prove`: witness -> proof time of the Groth16 prover, with the
 * breakdown of where it went.
 *
 *   tacit-bench prove [--rounds N] [--threads T] [--only merkle|transfer|tree-update|files]
 *                     [--zkey <file.zkey> --wtns <file.wtns>] [--out <dir>]
 *                     [--depth D] [--max-leaves M]
 *
 * Statements:
 *   merkle    the snarkjs-made depth-20 Merkle vector (tests/vectors/groth16/valid/merkle,
 *             4,860 constraints, $TACIT_VECTORS or tests/vectors): its .zkey and .wtns;
 *   transfer  the transfer circuit at depth 32 (include/tacit/circuit.h) with a devnet
 *             key from tacit_groth16_setup (made once, not timed in the medians) and the
 *             fixed dummy statement (a zero deposit, two dummy inputs): witness
 *             generation is timed too;
 *   tree-update  the tree-update circuit (include/tacit/treeupdate.h) at depth D and M leaves
 *             (--depth, --max-leaves; default 32 and 128, the chain's), a devnet key (setup
 *             timed once), a random statement appending k = M leaves at a random unaligned s:
 *             witness generation and the proof (tacit_treeupdate_prove's parts);
 *   files     --zkey and --wtns given.
 * --out <dir> also writes the transfer key and witness as <dir>/transfer.zkey,
 * <dir>/transfer.wtns and <dir>/verification_key.json (for bench/prove-vs-snarkjs.sh).
 *
 * Times are medians over N rounds (default 11) of WALL time (the prover uses T threads,
 * default all CPUs); the parts are CPU time summed over the threads that ran them, so they
 * add up to more than the wall time on several cores. Not pinned: the point is to use
 * every core. Each proof is verified once at the end. Peak memory is the process's VmHWM
 * across the timed proofs (reset before them through /proc/self/clear_refs).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "tacit/prover.h"
#include "tacit/treeupdate.h"

static double wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Peak resident set (VmHWM) in KiB, and its reset; -1 when /proc is not there. */
static long peak_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (f == NULL) return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static void peak_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f == NULL) return;
    fputs("5", f);
    fclose(f);
}

static unsigned log2u(uint32_t n)
{
    unsigned k = 0;
    while ((UINT32_C(1) << k) < n) k++;
    return k;
}

/* How many witness values are 0 and 1: the MSMs' scalars, which a prover could skip or add
 * without a bucket. */
static void witness_stats(const tacit_fr *w, size_t nw)
{
    size_t zeros = 0, ones = 0;
    for (size_t i = 0; i < nw; i++) {
        uint64_t l[4];
        tacit_fr_to_limbs(l, &w[i]);
        if ((l[1] | l[2] | l[3]) != 0) continue;
        zeros += l[0] == 0;
        ones += l[0] == 1;
    }
    printf("  witness: %zu values, %zu zero, %zu one\n", nw, zeros, ones);
}

#define MAX_ROUNDS 101

/* Times `rounds` proofs of w under pk, prints the medians, verifies the last proof. */
static int bench_one(const char *name, const tacit_groth16_pk *pk, const tacit_fr *w, size_t nw,
                     int rounds, unsigned nthreads, double witness_ns)
{
    static double t[10][MAX_ROUNDS];
    tacit_groth16_prove_stats st;
    tacit_groth16_proof proof;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    double m[10], cpu;
    long peak;
    int rc;

    printf("\n%s: %u variables, %u public, domain 2^%u, %zu coefficients\n", name, pk->nvars,
           pk->npublic, log2u(pk->domain_size), pk->ncoefs);
    witness_stats(w, nw);
    /* warm-up (page faults, caches), then the timed rounds */
    if ((rc = tacit_groth16_prove(&proof, pk, w, nw, nthreads, &st)) != TACIT_OK) {
        fprintf(stderr, "prove: %s\n", tacit_strerror(rc));
        return 1;
    }
    peak_reset();
    for (int r = 0; r < rounds; r++) {
        if ((rc = tacit_groth16_prove(&proof, pk, w, nw, nthreads, &st)) != TACIT_OK) {
            fprintf(stderr, "prove: %s\n", tacit_strerror(rc));
            return 1;
        }
        t[0][r] = st.total_ns;
        t[1][r] = st.abc_ns;
        t[2][r] = st.ntt_ns;
        t[3][r] = st.join_ns;
        t[4][r] = st.msm_a_ns;
        t[5][r] = st.msm_b1_ns;
        t[6][r] = st.msm_b2_ns;
        t[7][r] = st.msm_c_ns;
        t[8][r] = st.msm_h_ns;
        t[9][r] = st.abc_ns + st.ntt_ns + st.join_ns + st.msm_a_ns + st.msm_b1_ns + st.msm_b2_ns +
                  st.msm_c_ns + st.msm_h_ns;
    }
    peak = peak_kib();
    for (int i = 0; i < 10; i++) m[i] = median(t[i], rounds);
    cpu = m[9];

    printf("  threads: %u, rounds: %d (medians)\n", st.nthreads, rounds);
    if (witness_ns > 0) {
        tacit_bench_report("  witness generation (wall)", witness_ns);
        tacit_bench_report("  witness -> proof (wall)", witness_ns + m[0]);
    }
    tacit_bench_report("  prove (wall)", m[0]);
    printf("  parts, CPU time summed over threads:\n");
    tacit_bench_report("    A w, B w on the domain, C = A B", m[1]);
    tacit_bench_report("    NTT: 3 x domain -> odd coset", m[2]);
    tacit_bench_report("    H = A B - C on the coset", m[3]);
    tacit_bench_report("    MSM A (G1, nvars)", m[4]);
    tacit_bench_report("    MSM B1 (G1, nvars)", m[5]);
    tacit_bench_report("    MSM B2 (G2, nvars)", m[6]);
    tacit_bench_report("    MSM C (G1, private vars)", m[7]);
    tacit_bench_report("    MSM H (G1, domain)", m[8]);
    tacit_bench_report("    sum of parts (CPU)", cpu);
    printf("  %-38s %12.2f   (sum of parts / wall)\n", "parallel speed-up", cpu / m[0]);
    if (peak >= 0)
        printf("  %-38s %12.1f MiB\n", "peak resident memory (VmHWM)", (double)peak / 1024);

    if ((rc = tacit_groth16_pk_vk(&vk, pk)) == TACIT_OK &&
        (rc = tacit_groth16_pvk_new(&pvk, vk, NULL)) == TACIT_OK)
        rc = tacit_groth16_verify_var(pvk, &proof, w + 1, pk->npublic);
    printf("  last proof verifies: %s\n", rc == TACIT_OK ? "yes" : tacit_strerror(rc));
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    return rc == TACIT_OK ? 0 : 1;
}

static int bench_files(const char *name, const char *zkey, const char *wtns, int rounds,
                       unsigned nthreads)
{
    tacit_groth16_pk *pk = NULL;
    tacit_fr *w = NULL;
    size_t nw = 0;
    int rc, status;
    if ((rc = tacit_groth16_pk_read_file(&pk, zkey)) != TACIT_OK) {
        fprintf(stderr, "%s: %s\n", zkey, tacit_strerror(rc));
        return 1;
    }
    if ((rc = tacit_wtns_read_file(&w, &nw, wtns)) != TACIT_OK) {
        fprintf(stderr, "%s: %s\n", wtns, tacit_strerror(rc));
        tacit_groth16_pk_free(pk);
        return 1;
    }
    status = bench_one(name, pk, w, nw, rounds, nthreads, 0);
    tacit_wtns_free(w, nw);
    tacit_groth16_pk_free(pk);
    return status;
}

static int write_text(const char *dir, const char *file, char *text)
{
    char path[4096];
    FILE *f;
    int ok;
    if (text == NULL) return 1;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    ok = (f = fopen(path, "w")) != NULL && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f != NULL) ok = (fclose(f) == 0) && ok;
    free(text);
    return ok ? 0 : 1;
}

/* The devnet key of cs (cleared), its wall time reported. */
static int timed_setup(tacit_groth16_pk **pk, tacit_r1cs *cs, unsigned nthreads)
{
    double t0 = wall_ns();
    int rc = tacit_groth16_setup(pk, cs, nthreads);
    double setup_ns = wall_ns() - t0;
    tacit_r1cs_clear(cs);
    if (rc != TACIT_OK) {
        fprintf(stderr, "setup: %s\n", tacit_strerror(rc));
        return rc;
    }
    tacit_bench_report("  devnet setup (wall, once)", setup_ns);
    return TACIT_OK;
}

/* Times `rounds` witness generations by build(arg, ...) (median wall time in *median_ns) and
 * keeps the last witness in *w, *nv. Returns the build's code. */
static int witness_rounds(int (*build)(void *arg, tacit_fr **w, uint32_t *nv), void *arg,
                          int rounds, tacit_fr **w, uint32_t *nv, double *median_ns)
{
    double t0, wt[MAX_ROUNDS];
    int rc;

    for (int r = 0; r < rounds; r++) {
        t0 = wall_ns();
        rc = build(arg, w, nv);
        wt[r] = wall_ns() - t0;
        if (rc != TACIT_OK) {
            fprintf(stderr, "witness: %s\n", tacit_strerror(rc));
            return rc;
        }
        if (r + 1 < rounds) {
            tacit_witness_free(*w, *nv);
            *w = NULL;
        }
    }
    *median_ns = median(wt, rounds);
    return TACIT_OK;
}

static int transfer_witness(void *arg, tacit_fr **w, uint32_t *nv)
{
    (void)arg;
    return tacit_transfer_build(NULL, w, nv, NULL, TACIT_TRANSFER_DEPTH);
}

struct tu_arg {
    const struct tacit_treeupdate *u;
    unsigned depth, m;
};

static int treeupdate_witness(void *arg, tacit_fr **w, uint32_t *nv)
{
    const struct tu_arg *a = arg;
    return tacit_treeupdate_build(NULL, w, nv, a->u, a->depth, a->m);
}

static int bench_transfer(int rounds, unsigned nthreads, const char *out)
{
    tacit_r1cs cs;
    tacit_groth16_pk *pk = NULL;
    tacit_fr *w = NULL;
    uint32_t nv = 0;
    double t0, witness_ns;
    int rc, status = 1;

    memset(&cs, 0, sizeof cs);
    t0 = wall_ns();
    rc = tacit_transfer_build(&cs, NULL, NULL, NULL, TACIT_TRANSFER_DEPTH);
    if (rc != TACIT_OK) {
        fprintf(stderr, "transfer build: %s\n", tacit_strerror(rc));
        return 1;
    }
    printf("\ntransfer circuit, depth %d: %u constraints, built in %.1f ms\n", TACIT_TRANSFER_DEPTH,
           cs.nconstraints, (wall_ns() - t0) / 1e6);
    if (timed_setup(&pk, &cs, nthreads) != TACIT_OK) return 1;

    /* witness generation: the builder's witness-only mode */
    if (witness_rounds(transfer_witness, NULL, rounds, &w, &nv, &witness_ns) != TACIT_OK) goto out;
    if (out != NULL) {
        char path[4096];
        tacit_groth16_vk *vk = NULL;
        snprintf(path, sizeof path, "%s/transfer.zkey", out);
        if ((rc = tacit_groth16_pk_write_file(path, pk)) != TACIT_OK) goto out_io;
        snprintf(path, sizeof path, "%s/transfer.wtns", out);
        if ((rc = tacit_wtns_write_file(path, w, nv)) != TACIT_OK) goto out_io;
        if ((rc = tacit_groth16_pk_vk(&vk, pk)) != TACIT_OK) goto out_io;
        rc = write_text(out, "verification_key.json", tacit_groth16_vk_to_json(vk)) ? TACIT_EIO
                                                                                    : TACIT_OK;
        tacit_groth16_vk_free(vk);
    out_io:
        if (rc != TACIT_OK) {
            fprintf(stderr, "--out %s: %s\n", out, tacit_strerror(rc));
            goto out;
        }
        printf("  wrote %s/transfer.zkey, transfer.wtns, verification_key.json\n", out);
    }
    status = bench_one("transfer (dummy statement)", pk, w, nv, rounds, nthreads, witness_ns);
out:
    tacit_witness_free(w, nv);
    tacit_groth16_pk_free(pk);
    return status;
}

static int bench_treeupdate(int rounds, unsigned nthreads, unsigned depth, unsigned m)
{
    tacit_r1cs cs;
    tacit_groth16_pk *pk = NULL;
    tacit_fr *w = NULL, *leaves = calloc(m, sizeof *leaves);
    struct tacit_treeupdate u;
    struct tu_arg tu;
    uint32_t nv = 0;
    double t0, build_ns, witness_ns;
    uint8_t seed[32] = {42};
    char name[128];
    int rc, status = 1;

    if (leaves == NULL) return 1;
    t0 = wall_ns();
    rc = tacit_treeupdate_build(&cs, NULL, NULL, NULL, depth, m);
    build_ns = wall_ns() - t0;
    if (rc != TACIT_OK) {
        fprintf(stderr, "tree-update build: %s\n", tacit_strerror(rc));
        goto out;
    }
    printf("\ntree-update circuit, depth %u, M = %u: %u constraints, %u public inputs, built "
           "in %.1f ms\n",
           depth, m, cs.nconstraints, cs.npublic, build_ns / 1e6);
    if (timed_setup(&pk, &cs, nthreads) != TACIT_OK) goto out;
    /* a full block's leaves at an unaligned position */
    if ((rc = tacit_treeupdate_example(&u, leaves, depth, m, UINT64_MAX, m, seed)) != TACIT_OK) {
        fprintf(stderr, "example: %s\n", tacit_strerror(rc));
        goto out;
    }
    printf("  statement: s = %llu, k = %zu\n", (unsigned long long)u.old.size, u.count);
    tu.u = &u;
    tu.depth = depth;
    tu.m = m;
    if (witness_rounds(treeupdate_witness, &tu, rounds, &w, &nv, &witness_ns) != TACIT_OK) goto out;
    snprintf(name, sizeof name, "tree-update (depth %u, M = %u, k = M)", depth, m);
    status = bench_one(name, pk, w, nv, rounds, nthreads, witness_ns);
out:
    tacit_witness_free(w, nv);
    tacit_groth16_pk_free(pk);
    free(leaves);
    return status;
}

int bench_prove(int argc, char **argv)
{
    const char *only = NULL, *zkey = NULL, *wtns = NULL, *out = NULL;
    int rounds = 11, status = 0;
    unsigned nthreads = 0, tu_depth = TACIT_TREEUPDATE_DEPTH, tu_m = TACIT_TREEUPDATE_MAX_LEAVES;

    for (int i = 1; i < argc; i += 2) { /* options come in pairs: --name value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v != NULL && strcmp(a, "--rounds") == 0) {
            rounds = atoi(v);
        } else if (v != NULL && strcmp(a, "--threads") == 0) {
            nthreads = (unsigned)atoi(v);
        } else if (v != NULL && strcmp(a, "--only") == 0) {
            only = v;
        } else if (v != NULL && strcmp(a, "--zkey") == 0) {
            zkey = v;
        } else if (v != NULL && strcmp(a, "--wtns") == 0) {
            wtns = v;
        } else if (v != NULL && strcmp(a, "--out") == 0) {
            out = v;
        } else if (v != NULL && strcmp(a, "--depth") == 0) {
            tu_depth = (unsigned)atoi(v);
        } else if (v != NULL && strcmp(a, "--max-leaves") == 0) {
            tu_m = (unsigned)atoi(v);
        } else {
            fprintf(stderr,
                    "usage: tacit-bench prove [--rounds N] [--threads T] "
                    "[--only merkle|transfer|tree-update|files] [--zkey F --wtns F] [--out DIR]\n"
                    "       [--depth D --max-leaves M (tree-update; default 32, 128)]\n");
            return 2;
        }
    }
    if (rounds < 1) rounds = 1;
    if (rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
    if ((zkey == NULL) != (wtns == NULL)) {
        fprintf(stderr, "tacit-bench prove: --zkey and --wtns go together\n");
        return 2;
    }
    printf("tacit-bench prove: Groth16 proving, medians of wall time (parts: CPU time)\n");

    if (zkey != NULL && (only == NULL || strcmp(only, "files") == 0))
        status |= bench_files("files", zkey, wtns, rounds, nthreads);
    if (zkey == NULL && (only == NULL || strcmp(only, "merkle") == 0)) {
        const char *dir = getenv("TACIT_VECTORS");
        char z[4096], wf[4096];
        if (dir == NULL || *dir == '\0') dir = "tests/vectors";
        snprintf(z, sizeof z, "%s/groth16/valid/merkle/merkle_final.zkey", dir);
        snprintf(wf, sizeof wf, "%s/groth16/valid/merkle/merkle.wtns", dir);
        status |= bench_files("merkle (snarkjs .zkey, depth 20, 4,860 constraints)", z, wf, rounds,
                              nthreads);
    }
    if (zkey == NULL && (only == NULL || strcmp(only, "transfer") == 0))
        status |= bench_transfer(rounds, nthreads, out);
    if (zkey == NULL && (only == NULL || strcmp(only, "tree-update") == 0))
        status |= bench_treeupdate(rounds, nthreads, tu_depth, tu_m);
    return status;
}
