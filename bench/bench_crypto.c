/*
 * tacit — `tacit-bench crypto [FILTER]`: BN254 field, curve and pairing timings.
 *
 * Each row is one small function: it times a loop with tacit_bench_median_ns (median of
 * ROUNDS rounds of per-thread CPU time) and prints the time per operation. Field rows
 * time a dependent chain (each result feeds the next operation), which is how the
 * tower and the Miller loop use them; "8 independent" rows let the CPU overlap.
 * FILTER, if given, runs only the rows whose name contains it.
 *
 * Where shared/docs/ANCHORS.md has a figure for the same operation, it is printed on the
 * row as "anchor: ..." — measured elsewhere (herumi/mcl on this machine kind, unless
 * the label says otherwise), not in this run: compare ratios, and treat +-10 % as noise.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "crypto/field.h"   /* tacit__fp_mul_portable */
#include "crypto/fp_ifma.h" /* tacit__fp_mul8_ifma */
#include "tacit/bn254.h"

#define ROUNDS 11
#define CHAIN 1000 /* operations per timed call, for the nanosecond-scale rows */

static const char *filter;

/* ------------------------------------------------------------- inputs ---- */

/* Fixed, arbitrary inputs (no RNG: runs are comparable). */
static void fp_input(tacit_fp *r, uint64_t seed)
{
    uint8_t w[64];
    for (int i = 0; i < 64; i++)
        w[i] = (uint8_t)(seed * 0x9e3779b97f4a7c15ULL >> (i % 8 * 8)) ^ (uint8_t)(i * 37);
    tacit_fp_from_wide(r, w);
}

static void fp2_input(tacit_fp2 *r, uint64_t seed)
{
    fp_input(&r->c0, seed);
    fp_input(&r->c1, seed + 1);
}

static void fp12_input(tacit_fp12 *r, uint64_t seed)
{
    tacit_fp2 *c[6] = {&r->c0.c0, &r->c0.c1, &r->c0.c2, &r->c1.c0, &r->c1.c1, &r->c1.c2};
    for (int i = 0; i < 6; i++) fp2_input(c[i], seed + 2 * (uint64_t)i);
}

/* f^((p^6 - 1)(p^2 + 1)): an element of the cyclotomic subgroup. */
static void cyclotomic_input(tacit_fp12 *g, uint64_t seed)
{
    tacit_fp12 f, t, u;
    fp12_input(&f, seed);
    tacit_fp12_conj(&t, &f);
    tacit_fp12_inv(&u, &f);
    tacit_fp12_mul(&t, &t, &u);
    tacit_fp12_frob(&u, &t, 2);
    tacit_fp12_mul(g, &u, &t);
}

/* ------------------------------------------------------------- timing ---- */

static double per_op(void (*fn)(void *), void *arg, int ops_per_call, int inner)
{
    return tacit_bench_median_ns(fn, arg, inner, ROUNDS) / ops_per_call;
}

static bool selected(const char *name) { return filter == NULL || strstr(name, filter) != NULL; }

/* ---------------------------------------------------------------- Fp ---- */

static struct {
    tacit_fp a, b, x[8], y[8];
} fp;

static void fp_mul_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_fp_mul(&fp.a, &fp.a, &fp.b);
}

static void fp_mul_8(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN / 8; i++)
        for (int k = 0; k < 8; k++) tacit_fp_mul(&fp.x[k], &fp.x[k], &fp.b);
}

/* The same work as fp_mul_8, eight lanes per call (AoS in and out, conversions included). */
static void fp_mul_8_ifma(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN / 8; i++) tacit__fp_mul8_ifma(fp.x, fp.x, fp.y);
}

static void fp_mul_portable_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit__fp_mul_portable(&fp.a, &fp.a, &fp.b);
}

static void fp_sqr_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_fp_sqr(&fp.a, &fp.a);
}

static void fp_add_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_fp_add(&fp.a, &fp.a, &fp.b);
}

static void fp_inv_chain(void *arg)
{
    (void)arg;
    tacit_fp_inv(&fp.a, &fp.a);
}

static void fp_inv_var_chain(void *arg)
{
    (void)arg;
    tacit_fp_inv_var(&fp.a, &fp.a);
}

static double row_fp_mul(void) { return per_op(fp_mul_chain, NULL, CHAIN, 50); }
static double row_fp_mul_8(void) { return per_op(fp_mul_8, NULL, CHAIN / 8 * 8, 50); }
/* -1: no IFMA on this CPU (or TACIT_NO_IFMA set) */
static double row_fp_mul_8_ifma(void)
{
    if (!tacit__use_ifma) return -1;
    return per_op(fp_mul_8_ifma, NULL, CHAIN / 8 * 8, 50);
}
static double row_fp_mul_portable(void) { return per_op(fp_mul_portable_chain, NULL, CHAIN, 50); }
static double row_fp_sqr(void) { return per_op(fp_sqr_chain, NULL, CHAIN, 50); }
static double row_fp_add(void) { return per_op(fp_add_chain, NULL, CHAIN, 200); }
static double row_fp_inv(void) { return per_op(fp_inv_chain, NULL, 1, 200); }
static double row_fp_inv_var(void) { return per_op(fp_inv_var_chain, NULL, 1, 500); }

/* ------------------------------------------------------- Fp2 and Fp12 ---- */

static struct {
    tacit_fp2 a, b;
    tacit_fp12 f, g, cyc;
} tw;

static void fp2_mul_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_fp2_mul(&tw.a, &tw.a, &tw.b);
}

static void fp2_sqr_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_fp2_sqr(&tw.a, &tw.a);
}

static void fp12_mul_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN / 10; i++) tacit_fp12_mul(&tw.f, &tw.f, &tw.g);
}

static void fp12_sqr_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN / 10; i++) tacit_fp12_sqr(&tw.f, &tw.f);
}

static void fp12_cyc_sqr_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN / 10; i++) tacit_fp12_cyclotomic_sqr(&tw.cyc, &tw.cyc);
}

static void fp12_inv_chain(void *arg)
{
    (void)arg;
    tacit_fp12_inv(&tw.f, &tw.f);
}

static double row_fp2_mul(void) { return per_op(fp2_mul_chain, NULL, CHAIN, 20); }
static double row_fp2_sqr(void) { return per_op(fp2_sqr_chain, NULL, CHAIN, 20); }
static double row_fp12_mul(void) { return per_op(fp12_mul_chain, NULL, CHAIN / 10, 10); }
static double row_fp12_sqr(void) { return per_op(fp12_sqr_chain, NULL, CHAIN / 10, 10); }
static double row_fp12_cyc_sqr(void) { return per_op(fp12_cyc_sqr_chain, NULL, CHAIN / 10, 10); }
static double row_fp12_inv(void) { return per_op(fp12_inv_chain, NULL, 1, 100); }

/* --------------------------------------------------------------- rows ---- */

struct row {
    const char *name;
    double (*run)(void);
    const char *anchor; /* NULL: none in ANCHORS.md */
};

static const struct row field_rows[] = {
    {"Fp mul (dependent chain)", row_fp_mul, "mcl JIT 22.4 ns, static asm 20.0, portable C++ 36.3"},
    {"Fp mul (8 independent)", row_fp_mul_8, "mcl JIT 18.2 ns, static asm 17.9, portable 31.8"},
    {"Fp mul, IFMA, 8 lanes (AoS in/out)", row_fp_mul_8_ifma, NULL},
    {"Fp mul, portable C kernel (chain)", row_fp_mul_portable,
     "plain C CIOS: gcc 12 39-41 ns, clang 14 22-26 ns"},
    {"Fp sqr (chain)", row_fp_sqr, NULL},
    {"Fp add (chain)", row_fp_add, NULL},
    {"Fp inv, constant time (Fermat)", row_fp_inv, NULL},
    {"Fp inv_var (binary Euclid)", row_fp_inv_var, NULL},
    {"Fp2 mul (chain)", row_fp2_mul, "mcl JIT 53 ns, static asm 78, portable 142"},
    {"Fp2 sqr (chain)", row_fp2_sqr, "mcl JIT 46 ns, static asm 51, portable 93"},
    {"Fp12 mul (chain)", row_fp12_mul, "mcl JIT 1.39 us, static asm 1.78, portable 2.93"},
    {"Fp12 sqr (chain)", row_fp12_sqr, "mcl JIT 1.06 us, static asm 1.56, portable 2.25"},
    {"Fp12 cyclotomic sqr (chain)", row_fp12_cyc_sqr, NULL},
    {"Fp12 inv", row_fp12_inv, NULL},
};

static void run_rows(const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!selected(rows[i].name)) continue;
        double ns = rows[i].run();
        if (ns < 0) /* the row's kernel cannot run on this CPU */
            printf("%-40s skipped: CPU without AVX-512 IFMA\n", rows[i].name);
        else
            tacit_bench_report_anchor(rows[i].name, ns, rows[i].anchor);
    }
}

/* ------------------------------------------------- curves and pairing ---- */

/* A 254-bit scalar (bit 253 set, below r), digits of pi: no structure to exploit. */
static const uint64_t scalar254[4] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL,
                                      0xa4093822299f31d0ULL, 0x282efa98ec4e6c89ULL};

#define MULTI_N 128

static struct {
    tacit_g1 g1, r1;
    tacit_g2 g2, r2;
    tacit_g1_affine p, ps[MULTI_N];
    tacit_g2_affine q, qs[MULTI_N];
    tacit_g2_prepared q_prep;
    tacit_fp12 f, out;
    bool ok;
} cv;

static void g1_mul_var_once(void *arg)
{
    (void)arg;
    tacit_g1_mul_var(&cv.r1, &cv.g1, scalar254);
}
static void g1_mul_once(void *arg)
{
    (void)arg;
    tacit_g1_mul(&cv.r1, &cv.g1, scalar254);
}
static void g2_mul_var_once(void *arg)
{
    (void)arg;
    tacit_g2_mul_var(&cv.r2, &cv.g2, scalar254);
}
static void g2_mul_once(void *arg)
{
    (void)arg;
    tacit_g2_mul(&cv.r2, &cv.g2, scalar254);
}
/* r = r + P, chained: the branching complete addition and the constant-time one */
static void g1_add_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_g1_add(&cv.r1, &cv.r1, &cv.g1);
}

static void g1_add_ct_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_g1_add_ct(&cv.r1, &cv.r1, &cv.g1);
}

static void g2_add_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_g2_add(&cv.r2, &cv.r2, &cv.g2);
}

static void g2_add_ct_chain(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHAIN; i++) tacit_g2_add_ct(&cv.r2, &cv.r2, &cv.g2);
}

static void g2_subgroup_once(void *arg)
{
    (void)arg;
    cv.ok ^= tacit_g2_is_in_subgroup_var(&cv.q);
}
static void g2_prepare_once(void *arg)
{
    (void)arg;
    tacit_g2_prepare(&cv.q_prep, &cv.q);
}

static void miller_once(void *arg)
{
    (void)arg;
    tacit_miller_loop_var(&cv.out, &cv.p, &cv.q, 1, NULL, NULL, 0);
}

static void miller_prepared_once(void *arg)
{
    const tacit_g2_prepared *qp[1] = {&cv.q_prep};
    (void)arg;
    tacit_miller_loop_var(&cv.out, NULL, NULL, 0, &cv.p, qp, 1);
}

static void miller_multi_once(void *arg)
{
    (void)arg;
    tacit_miller_loop_var(&cv.out, cv.ps, cv.qs, MULTI_N, NULL, NULL, 0);
}

static void final_exp_once(void *arg)
{
    (void)arg;
    tacit_final_exp(&cv.out, &cv.f);
}
static void final_exp_var_once(void *arg)
{
    (void)arg;
    tacit_final_exp_var(&cv.out, &cv.f);
}
static void pairing_once(void *arg)
{
    (void)arg;
    tacit_pairing(&cv.out, &cv.p, &cv.q);
}

static double row_g1_mul_var(void) { return per_op(g1_mul_var_once, NULL, 1, 20); }
static double row_g1_mul(void) { return per_op(g1_mul_once, NULL, 1, 20); }
static double row_g2_mul_var(void) { return per_op(g2_mul_var_once, NULL, 1, 10); }
static double row_g2_mul(void) { return per_op(g2_mul_once, NULL, 1, 10); }
static double row_g1_add(void) { return per_op(g1_add_chain, NULL, CHAIN, 5); }
static double row_g1_add_ct(void) { return per_op(g1_add_ct_chain, NULL, CHAIN, 5); }
static double row_g2_add(void) { return per_op(g2_add_chain, NULL, CHAIN, 2); }
static double row_g2_add_ct(void) { return per_op(g2_add_ct_chain, NULL, CHAIN, 2); }
static double row_g2_subgroup(void) { return per_op(g2_subgroup_once, NULL, 1, 10); }
static double row_g2_prepare(void) { return per_op(g2_prepare_once, NULL, 1, 10); }
static double row_miller(void) { return per_op(miller_once, NULL, 1, 5); }
static double row_miller_prepared(void) { return per_op(miller_prepared_once, NULL, 1, 5); }
static double row_miller_multi(void) { return per_op(miller_multi_once, NULL, MULTI_N, 1); }
static double row_final_exp(void) { return per_op(final_exp_once, NULL, 1, 5); }
static double row_final_exp_var(void) { return per_op(final_exp_var_once, NULL, 1, 5); }
static double row_pairing(void) { return per_op(pairing_once, NULL, 1, 3); }

/* P = [k]G1, Q = [k]G2 (not the generators), 128 distinct pairs for the multi-loop.
 * Returns false if the pairing disagrees with final_exp(miller_loop): then the rows
 * would time something broken. */
static bool setup_curve_inputs(void)
{
    tacit_g1 acc1;
    tacit_g2 acc2;
    tacit_fp12 e;
    tacit_g1_from_affine(&cv.g1, &TACIT_G1_GENERATOR);
    tacit_g2_from_affine(&cv.g2, &TACIT_G2_GENERATOR);
    tacit_g1_mul_var(&acc1, &cv.g1, scalar254);
    tacit_g2_mul_var(&acc2, &cv.g2, scalar254);
    tacit_g1_to_affine(&cv.p, &acc1);
    tacit_g2_to_affine(&cv.q, &acc2);
    for (int i = 0; i < MULTI_N; i++) {
        tacit_g1_add(&acc1, &acc1, &cv.g1);
        tacit_g2_add(&acc2, &acc2, &cv.g2);
        tacit_g1_to_affine(&cv.ps[i], &acc1);
        tacit_g2_to_affine(&cv.qs[i], &acc2);
    }
    cv.r1 = acc1; /* the addition rows' accumulators: Z != 1 */
    cv.r2 = acc2;
    tacit_g2_prepare(&cv.q_prep, &cv.q);
    tacit_miller_loop_var(&cv.f, &cv.p, &cv.q, 1, NULL, NULL, 0);
    tacit_final_exp(&e, &cv.f);
    tacit_pairing(&cv.out, &cv.p, &cv.q);
    return tacit_fp12_eq(&e, &cv.out) && !tacit_fp12_is_one(&e) &&
           tacit_g2_is_in_subgroup_var(&cv.q);
}

static const struct row curve_rows[] = {
    {"G1 add (Jacobian, branches on P = +-Q, O)", row_g1_add, NULL},
    {"G1 add_ct (complete, constant time)", row_g1_add_ct, NULL},
    {"G2 add (Jacobian, branches on P = +-Q, O)", row_g2_add, NULL},
    {"G2 add_ct (complete, constant time)", row_g2_add_ct, NULL},
    {"G1 mul_var, 254-bit scalar", row_g1_mul_var,
     "mcl JIT 39.2 us (GLV), static asm 39.8, portable 73.6"},
    {"G1 mul, constant time", row_g1_mul, NULL},
    {"G2 mul_var, 254-bit scalar", row_g2_mul_var,
     "mcl JIT 65.8 us (GLS), static asm 81.2, portable 147.5"},
    {"G2 mul, constant time", row_g2_mul, NULL},
    {"G2 subgroup check", row_g2_subgroup,
     "mcl 138 us (order check); constantine 65 us (other CPU); psi bound 40-75 us"},
    {"G2 prepare (lines of one point)", row_g2_prepare, NULL},
    {"Miller loop, one pair", row_miller, "mcl JIT 193.5 us, static asm 237.6, portable 392.5"},
    {"Miller loop, one prepared pair", row_miller_prepared,
     "mcl JIT 145.0 us, static asm 190.8, portable 286.8"},
    {"Miller loop, per pair at n = 128", row_miller_multi,
     "mcl JIT 139.0 us, static asm 166.6, portable 316.0"},
    {"final exponentiation", row_final_exp, "mcl JIT 240.8 us, static asm 284.0, portable 459.1"},
    {"final exponentiation, variable time", row_final_exp_var, NULL},
    {"pairing", row_pairing,
     "mcl JIT 435.4 us, static asm 520.9, portable 853.3; gnark 407 (Xeon 8151)"},
};

static void setup_inputs(void)
{
    fp_input(&fp.a, 1);
    fp_input(&fp.b, 2);
    for (int k = 0; k < 8; k++) fp_input(&fp.x[k], 10 + (uint64_t)k);
    for (int k = 0; k < 8; k++) fp.y[k] = fp.b;
    fp2_input(&tw.a, 3);
    fp2_input(&tw.b, 5);
    fp12_input(&tw.f, 7);
    fp12_input(&tw.g, 21);
    cyclotomic_input(&tw.cyc, 35);
}

/* ------------------------------------------------------------- header ---- */

static void cpu_model(char *out, size_t n)
{
    char line[256];
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(out, n, "unknown");
    if (f == NULL) return;
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) != 0 || colon == NULL) continue;
        colon += strspn(colon + 1, " \t") + 1;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(out, n, "%s", colon);
        break;
    }
    fclose(f);
}

/* Pin to the CPU we are on, as the anchors were measured (one core). */
static int pin_cpu(void)
{
    int cpu = sched_getcpu();
    cpu_set_t set;
    if (cpu < 0) return -1;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

static void print_header(void)
{
    char cpu[128];
    int pinned = pin_cpu();
    cpu_model(cpu, sizeof cpu);
    printf("tacit-bench crypto\n");
    printf("  cpu:        %s", cpu);
    if (pinned >= 0) printf(" (pinned to cpu %d)", pinned);
    printf("\n  Fp kernel:  %s\n", tacit_fp_have_adx() ? "mulx/adcx/adox (ADX)" : "portable C");
    printf("  compiler:   %s\n", __VERSION__);
#if defined(__SANITIZE_ADDRESS__)
    printf("  WARNING:    built with AddressSanitizer: timings are not meaningful\n");
#elif !defined(__OPTIMIZE__)
    printf("  WARNING:    built without optimisation: timings are not meaningful\n");
#endif
    printf("  times:      median of %d rounds, per-thread CPU time per operation\n", ROUNDS);
    printf("  anchor:     measured elsewhere (shared/docs/ANCHORS.md: 2 vCPU EPYC Zen 4, mcl),\n"
           "              not in this run\n\n");
}

/* The Groth16 rows live in bench/bench_groth16.c; this stands in until it is linked. */
__attribute__((weak)) int bench_crypto_groth16(void)
{
    printf("groth16: (not built)\n");
    return 0;
}

int bench_crypto(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "usage: tacit-bench crypto [FILTER]\n");
        return 2;
    }
    filter = argc == 2 ? argv[1] : NULL;
    print_header();
    setup_inputs();
    run_rows(field_rows, sizeof field_rows / sizeof field_rows[0]);
    if (!setup_curve_inputs())
        printf("WARNING: pairing != final_exp(miller_loop) or e(P, Q) = 1: curve rows time "
               "broken code\n");
    run_rows(curve_rows, sizeof curve_rows / sizeof curve_rows[0]);
    if (filter == NULL || strstr("groth16", filter) != NULL) return bench_crypto_groth16();
    return 0;
}
