/*
 * tacit — `tacit-bench state [FILTER]`: Poseidon, the note commitment tree and the state
 * store.
 *
 * Each row is one small function in rows[] below; append a row for a new measurement
 * (tree appends, LMDB commits, size on disk...). A row prints its own line(s) and returns
 * 0, or nonzero if it could not measure. FILTER, if given, runs only the rows whose name
 * contains it. The suite pins itself to one core; the Poseidon rows are medians of ROUNDS
 * rounds of per-thread CPU time (other rows say what they time).
 *
 * Hidden mode, for bench/vs-circomlibjs.sh:
 *   tacit-bench state poseidon-check <file.json>
 * reads a JSON array of {"inputs": [decimal...], "output": decimal} (the format of
 * tests/vectors/poseidon/vectors.json), hashes every entry with tacit_poseidon and exits 0
 * if every output matches, 1 if one does not (each mismatch printed), 2 if the file is
 * unreadable or malformed.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "bench.h"
#include "tacit/bn254.h"
#include "tacit/error.h"
#include "tacit/poseidon.h"

#define ROUNDS 11
#define CHAIN 200 /* hashes per timed call */

static const char *filter;

/* ------------------------------------------------------------- helpers ---- */

/* Pin to the CPU we are on: one core, as the targets are stated. */
static int pin_cpu(void)
{
    int cpu = sched_getcpu();
    cpu_set_t set;
    if (cpu < 0) return -1;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

/* "name  time unit  rate per second": tacit_bench_report's columns plus a rate. */
static void report_rate(const char *name, double ns, const char *what)
{
    const char *unit = "ns";
    double v = ns;
    if (ns >= 1e6) {
        v = ns / 1e6;
        unit = "ms";
    } else if (ns >= 1e3) {
        v = ns / 1e3;
        unit = "µs";
    }
    printf("%-40s %12.3f %s   %12.0f %s/s\n", name, v, unit, ns > 0 ? 1e9 / ns : 0.0, what);
    fflush(stdout);
}

/* Fixed, arbitrary inputs (no RNG: runs are comparable). */
static void fr_input(tacit_fr *r, uint64_t seed)
{
    uint8_t w[64];
    for (int i = 0; i < 64; i++)
        w[i] = (uint8_t)(seed * 0x9e3779b97f4a7c15ULL >> (i % 8 * 8)) ^ (uint8_t)(i * 53);
    tacit_fr_from_wide(r, w);
}

/* ------------------------------------------------------------ Poseidon ---- */

static struct {
    tacit_fr in[TACIT_POSEIDON_MAX_INPUTS];
    size_t n;
} pos;

/* A dependent chain, as a tree path hashes: each output is the next first input. */
static void poseidon2_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_poseidon2(&pos.in[0], &pos.in[0], &pos.in[1]);
}

static void poseidon_n_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) (void)tacit_poseidon(&pos.in[0], pos.in, pos.n);
}

static int row_poseidon2(void)
{
    for (size_t i = 0; i < 2; i++) fr_input(&pos.in[i], i + 1);
    double ns = tacit_bench_median_ns(poseidon2_chain, NULL, 25, ROUNDS) / CHAIN;
    report_rate("Poseidon(2) (tacit_poseidon2)", ns, "hashes");
    return 0;
}

static int row_poseidon_n(size_t n)
{
    char name[64];
    pos.n = n;
    for (size_t i = 0; i < n; i++) fr_input(&pos.in[i], i + 1);
    double ns = tacit_bench_median_ns(poseidon_n_chain, NULL, n > 4 ? 5 : 25, ROUNDS) / CHAIN;
    snprintf(name, sizeof name, "Poseidon(%zu)", n);
    report_rate(name, ns, "hashes");
    return 0;
}

static int row_poseidon1(void) { return row_poseidon_n(1); }
static int row_poseidon3(void) { return row_poseidon_n(3); }
static int row_poseidon16(void) { return row_poseidon_n(16); }

/* ---------------------------------------------------------------- rows ---- */

static const struct {
    const char *name;
    int (*run)(void);
} rows[] = {
    {"poseidon2", row_poseidon2},
    {"poseidon1", row_poseidon1},
    {"poseidon3", row_poseidon3},
    {"poseidon16", row_poseidon16},
    {"tx-static", bench_chain_tx_static},       /* bench/bench_chain.c */
    {"block-commit", bench_state_block_commit}, /* bench/bench_state_tree.c */
    {"block-build", bench_state_block_build},   /* bench/bench_state_tree.c */
    {"tree-1M", bench_state_tree_1m},           /* bench/bench_state_tree.c */
};

/* ---------------------------------------------------- poseidon-check ---- */

static int parse_fr(tacit_fr *r, json_t *j)
{
    uint64_t l[4];
    const char *s = json_string_value(j);
    if (s == NULL || tacit_u256_from_dec(l, s) != TACIT_OK) return TACIT_EENCODING;
    return tacit_fr_from_limbs(r, l);
}

static int poseidon_check(const char *path)
{
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err), *e;
    size_t i, bad = 0, lo = 0, hi = 0;
    int status = 0;

    if (root == NULL) {
        fprintf(stderr, "tacit-bench state poseidon-check: %s:%d: %s\n", path, err.line, err.text);
        return 2;
    }
    if (!json_is_array(root)) {
        fprintf(stderr, "tacit-bench state poseidon-check: %s: not a JSON array\n", path);
        json_decref(root);
        return 2;
    }
    json_array_foreach(root, i, e)
    {
        json_t *ins = json_object_get(e, "inputs");
        tacit_fr in[TACIT_POSEIDON_MAX_INPUTS], want, got;
        size_t n = json_array_size(ins);
        bool ok = json_is_array(ins) && n >= 1 && n <= TACIT_POSEIDON_MAX_INPUTS &&
                  parse_fr(&want, json_object_get(e, "output")) == TACIT_OK;
        for (size_t k = 0; ok && k < n; k++)
            ok = parse_fr(&in[k], json_array_get(ins, k)) == TACIT_OK;
        if (!ok) {
            fprintf(stderr, "tacit-bench state poseidon-check: %s: entry %zu malformed\n", path, i);
            status = 2;
            break;
        }
        (void)tacit_poseidon(&got, in, n);
        if (!tacit_fr_eq(&got, &want)) {
            char dec[79];
            uint64_t l[4];
            tacit_fr_to_limbs(l, &got);
            tacit_u256_to_dec(dec, l);
            printf("MISMATCH entry %zu (arity %zu): tacit %s, expected %s\n", i, n, dec,
                   json_string_value(json_object_get(e, "output")));
            bad++;
        }
        lo = (lo == 0 || n < lo) ? n : lo;
        hi = n > hi ? n : hi;
    }
    if (status == 0) {
        printf("poseidon-check: %zu entries (arity %zu to %zu): %zu mismatches\n",
               json_array_size(root), lo, hi, bad);
        status = bad == 0 ? 0 : 1;
    }
    json_decref(root);
    return status;
}

/* ---------------------------------------------------------------- main ---- */

int bench_state(int argc, char **argv)
{
    int pinned, status = 0;

    if (argc == 3 && strcmp(argv[1], "poseidon-check") == 0) return poseidon_check(argv[2]);
    if (argc > 2) {
        fprintf(stderr, "usage: tacit-bench state [FILTER]\n");
        return 2;
    }
    filter = argc == 2 ? argv[1] : NULL;
    pinned = pin_cpu();
    printf("tacit-bench state\n");
    if (pinned >= 0) printf("  pinned to cpu %d;", pinned);
    printf("  Fr kernel: %s; times: median of %d rounds, per-thread CPU time\n",
           tacit_fp_have_adx() ? "mulx/adcx/adox (ADX)" : "portable C", ROUNDS);
#if defined(__SANITIZE_ADDRESS__)
    printf("  WARNING: built with AddressSanitizer: timings are not meaningful\n");
#elif !defined(__OPTIMIZE__)
    printf("  WARNING: built without optimisation: timings are not meaningful\n");
#endif
    printf("  anchor: circomlibjs 0.1.7 Poseidon(2) 19,948 hashes/s (≈ 50 µs), node 20,\n"
           "          shared/docs/ANCHORS.md (measured elsewhere; bench/vs-circomlibjs.sh\n"
           "          measures both in one run)\n\n");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (filter != NULL && strstr(rows[i].name, filter) == NULL) continue;
        if (rows[i].run() != 0) status = 1;
    }
    return status;
}
