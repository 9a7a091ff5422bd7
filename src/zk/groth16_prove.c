/*
 * tacit — the Groth16 prover, multi-threaded; for tacit's and snarkjs's proving keys alike
 * (see include/tacit/prover.h for the key layout and why H needs no division).
 *
 * Steps (snarkjs src/groth16_prove.js computes the same values):
 *  1. a = A w, b = B w on the domain (the coefficient section), c = a * b pointwise;
 *     the witness as plain limbs for the MSMs.
 *  2. phase 1, on all threads: the three odd-coset transforms (ntt.h) and every Pippenger
 *     window of the MSMs A (G1), B1 (G1), B2 (G2) and C (G1, private variables), the G2
 *     windows first (tasks go out in order, so the longest start first);
 *  3. phase 2: h = a b - c on the coset, then the windows of the H MSM;
 *  4. with fresh r, s (constant-time multiplications):
 *       A = alpha1 + sum w_i A_i + r delta1
 *       B = beta2 + sum w_i B2_i + s delta2,  B1 = beta1 + sum w_i B1_i + s delta1
 *       C = sum_priv w_i C_i + sum h_i H_i + s A + r B1 - r s delta1.
 *
 * Everything that holds the witness or is computed from it (a, b, c, the witness as limbs, the
 * MSM scratch with its bucket sums, the window sums) is sodium_malloc memory (guard pages,
 * locked when the system allows it), wiped on every path before it is freed (secret_free).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/parallel.h"
#include "crypto/field.h"
#include "crypto/msm.h"
#include "tacit/error.h"
#include "zk/ntt.h"
#include "zk/prover_internal.h"

static inline void fr_sub(tacit_fr *r, const tacit_fr *a, const tacit_fr *b)
{
    tacit__mod_sub(r->l, a->l, b->l, tacit__r.l);
}

/* field.h's fr_mul, forced inline: gcc keeps it out of line in these loops otherwise. */
static inline __attribute__((always_inline)) void fr_mul_i(tacit_fr *r, const tacit_fr *a,
                                                           const tacit_fr *b)
{
    tacit__mont_mul(r->l, a->l, b->l, tacit__r.l, &tacit__rinv);
}

static double now_ns(clockid_t clk)
{
    struct timespec ts;
    if (clock_gettime(clk, &ts) != 0) return 0;
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

enum { M_B2, M_A, M_B1, M_C, M_H, NMSM };

struct msm_job {
    bool g2;
    const void *p;
    const uint64_t (*k)[4];
    size_t n;
    unsigned c, nwin;
    void *win; /* tacit_g1 or tacit_g2 [nwin] */
};

#define NNTT 3

struct prove_ctx {
    const tacit_groth16_pk *pk;
    const tacit_fr *w;
    uint64_t (*wl)[4]; /* witness as plain limbs */
    tacit_fr *abc[3];  /* a, b, c on the domain, then on the odd coset */
    struct msm_job m[NMSM];
    unsigned char *scratch;
    size_t scratch_bytes; /* per thread */
    unsigned nthreads;
    /* per-task CPU time, by phase */
    double *t1, *t2, *t0;
    size_t ntasks1;
};

/* ------------------------------------------------------------ step 1: abc ---- */

static void abc_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    const tacit_groth16_pk *pk = c->pk;
    double t = now_ns(CLOCK_THREAD_CPUTIME_ID);
    (void)thread;
    if (task < 2) {
        tacit_fr *out = c->abc[task], s;
        memset(out, 0, pk->domain_size * sizeof *out);
        for (size_t i = 0; i < pk->ncoefs; i++) {
            const tacit_groth16_coef *k = &pk->coefs[i];
            if (k->matrix != task) continue;
            fr_mul_i(&s, &k->coeff, &c->w[k->var]);
            fr_add(&out[k->row], &out[k->row], &s);
        }
    } else {
        for (size_t i = 0; i < pk->nvars; i++) tacit_fr_to_limbs(c->wl[i], &c->w[i]);
    }
    c->t0[task] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t;
}

/* --------------------------------------------------- windows of the MSMs ---- */

static void run_window(struct prove_ctx *c, int j, unsigned win, unsigned thread)
{
    struct msm_job *m = &c->m[j];
    void *s = c->scratch + (size_t)thread * c->scratch_bytes;
    if (m->g2)
        tacit__g2_msm_window_var((tacit_g2 *)m->win + win, m->p, m->k, m->n, m->c, win, s);
    else
        tacit__g1_msm_window_var((tacit_g1 *)m->win + win, m->p, m->k, m->n, m->c, win, s);
}

/* phase 1: tasks 0..2 the transforms of a, b, c; then the windows of B2, A, B1, C */
static void phase1_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    double t = now_ns(CLOCK_THREAD_CPUTIME_ID);
    if (task < NNTT) {
        tacit__ntt_to_odd_coset(c->pk->domain, c->abc[task]);
    } else {
        size_t rest = task - NNTT;
        int j = 0;
        while (rest >= c->m[j].nwin) rest -= c->m[j++].nwin;
        run_window(c, j, (unsigned)rest, thread);
    }
    c->t1[task] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t;
}

/* phase 2a: h = a b - c on the coset, as plain limbs written over a; task of nthreads */
static void join_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    size_t n = c->pk->domain_size, lo = n * task / c->nthreads, hi = n * (task + 1) / c->nthreads;
    tacit_fr *a = c->abc[0], *b = c->abc[1], *cc = c->abc[2], t;
    double t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    (void)thread;
    for (size_t i = lo; i < hi; i++) {
        fr_mul_i(&t, &a[i], &b[i]);
        fr_sub(&t, &t, &cc[i]);
        tacit_fr_to_limbs(a[i].l, &t);
    }
    c->t2[task] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
}

/* phase 2b: the windows of H */
static void phase2_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    double t = now_ns(CLOCK_THREAD_CPUTIME_ID);
    run_window(c, M_H, (unsigned)task, thread);
    c->t2[c->nthreads + task] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t;
}

/* -------------------------------------------------------------------- prove ---- */

static void set_job(struct msm_job *m, bool g2, const void *p, const uint64_t (*k)[4], size_t n,
                    unsigned bits)
{
    m->g2 = g2;
    m->p = p;
    m->k = k;
    m->n = n;
    if (bits == 0) { /* every scalar zero: one empty window */
        m->c = 2;
        m->nwin = 1;
    } else {
        m->c = tacit__msm_window_bits(n, bits);
        m->nwin = tacit__msm_nwindows(bits, m->c);
    }
}

static size_t job_scratch(const struct msm_job *m)
{
    size_t s =
        m->g2 ? tacit__g2_msm_scratch_bytes(m->n, m->c) : tacit__g1_msm_scratch_bytes(m->n, m->c);
    return (s + 63) & ~(size_t)63;
}

void (*tacit__groth16_prove_wipe_hook)(const void *p, size_t len);

/* Memory for secret-derived values: sodium_malloc of len rounded up to 64 bytes (sodium_malloc
 * puts the block's end at its guard page, so the start is then 64-byte aligned). */
static size_t secret_len(size_t len) { return (len + 63) & ~(size_t)63; }

static void *secret_alloc(size_t len) { return sodium_malloc(secret_len(len)); }

/* Wipes and frees a secret_alloc block of len bytes (NULL is allowed). */
static void secret_free(void *p, size_t len)
{
    if (p == NULL) return;
    sodium_memzero(p, secret_len(len));
    if (tacit__groth16_prove_wipe_hook != NULL) tacit__groth16_prove_wipe_hook(p, secret_len(len));
    sodium_free(p);
}

static size_t win_bytes(const struct msm_job *m)
{
    return m->nwin * (m->g2 ? sizeof(tacit_g2) : sizeof(tacit_g1));
}

/* 64 random bytes reduced mod r. */
static void random_fr(tacit_fr *r)
{
    uint8_t b[64];
    randombytes_buf(b, sizeof b);
    tacit_fr_from_wide(r, b);
    sodium_memzero(b, sizeof b);
}

int tacit_groth16_prove(tacit_groth16_proof *proof, const tacit_groth16_pk *pk, const tacit_fr *w,
                        size_t nw, unsigned nthreads, tacit_groth16_prove_stats *stats)
{
    struct prove_ctx ctx;
    size_t n, nv, npriv, ntasks2, nwin_all = 0, scratch = 0;
    unsigned bits;
    tacit_g1 res[NMSM], a, b1, c, t;
    tacit_g2 b2, t2;
    tacit_fr r, s, rs;
    uint64_t rl[4], sl[4], rsl[4];
    tacit_fr *abc = NULL;
    double wall0 = now_ns(CLOCK_MONOTONIC);
    int rc = TACIT_ENOMEM;

    memset(proof, 0, sizeof *proof);
    if (stats != NULL) memset(stats, 0, sizeof *stats);
    if (nw != pk->nvars) return TACIT_EWITNESS;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if (nthreads == 0) nthreads = tacit__nthreads_default();
    if (nthreads > TACIT__MAX_THREADS) nthreads = TACIT__MAX_THREADS;

    memset(&ctx, 0, sizeof ctx);
    n = pk->domain_size;
    nv = pk->nvars;
    npriv = nv - pk->npublic - 1;
    ctx.pk = pk;
    ctx.w = w;
    ctx.nthreads = nthreads;
    abc = secret_alloc(3 * n * sizeof *abc);
    ctx.wl = secret_alloc(nv * sizeof *ctx.wl);
    if (abc == NULL || ctx.wl == NULL) goto out;
    ctx.abc[0] = abc;
    ctx.abc[1] = abc + n;
    ctx.abc[2] = abc + 2 * n;

    /* step 1 */
    ctx.t0 = (double[3]){0, 0, 0};
    tacit__parallel_run(nthreads, 3, abc_task, &ctx);
    for (size_t i = 0; i < n; i++) fr_mul_i(&ctx.abc[2][i], &ctx.abc[0][i], &ctx.abc[1][i]);

    /* the MSM plans; H's scalars are uniform-looking: plan for 254 bits */
    bits = tacit__msm_scalar_bits((const uint64_t(*)[4])ctx.wl, nv);
    set_job(&ctx.m[M_B2], true, pk->b2, (const uint64_t(*)[4])ctx.wl, nv, bits);
    set_job(&ctx.m[M_A], false, pk->a, (const uint64_t(*)[4])ctx.wl, nv, bits);
    set_job(&ctx.m[M_B1], false, pk->b1, (const uint64_t(*)[4])ctx.wl, nv, bits);
    set_job(&ctx.m[M_C], false, pk->c, (const uint64_t(*)[4])(ctx.wl + pk->npublic + 1), npriv,
            bits);
    set_job(&ctx.m[M_H], false, pk->h, (const uint64_t(*)[4])abc, n, 254);
    for (int j = 0; j < NMSM; j++) {
        size_t sb = job_scratch(&ctx.m[j]);
        if (sb > scratch) scratch = sb;
        ctx.m[j].win = secret_alloc(win_bytes(&ctx.m[j]));
        if (ctx.m[j].win == NULL) goto out;
        nwin_all += ctx.m[j].nwin;
    }
    ctx.scratch_bytes = scratch;
    ctx.scratch = secret_alloc(scratch * nthreads);
    ctx.ntasks1 = NNTT + nwin_all - ctx.m[M_H].nwin;
    ntasks2 = nthreads + ctx.m[M_H].nwin;
    ctx.t1 = calloc(ctx.ntasks1, sizeof *ctx.t1);
    ctx.t2 = calloc(ntasks2, sizeof *ctx.t2);
    if (ctx.scratch == NULL || ctx.t1 == NULL || ctx.t2 == NULL) goto out;

    /* steps 2 and 3 */
    tacit__parallel_run(nthreads, ctx.ntasks1, phase1_task, &ctx);
    tacit__parallel_run(nthreads, nthreads, join_task, &ctx);
    tacit__parallel_run(nthreads, ctx.m[M_H].nwin, phase2_task, &ctx);
    for (int j = 0; j < NMSM; j++) {
        if (ctx.m[j].g2)
            tacit__g2_msm_combine(&b2, ctx.m[j].win, ctx.m[j].nwin, ctx.m[j].c);
        else
            tacit__g1_msm_combine(&res[j], ctx.m[j].win, ctx.m[j].nwin, ctx.m[j].c);
    }

    /* step 4 */
    random_fr(&r);
    random_fr(&s);
    tacit_fr_mul(&rs, &r, &s);
    tacit_fr_neg(&rs, &rs);
    tacit_fr_to_limbs(rl, &r);
    tacit_fr_to_limbs(sl, &s);
    tacit_fr_to_limbs(rsl, &rs);

    /* Every sum from here on holds r or s (or the witness MSMs): constant-time additions
     * (tacit_g1_add_ct, complete, no branch on equal points or infinity) and
     * multiplications, tests/ctime.c's prover section. */
    tacit_g1_from_affine(&a, &pk->alpha1);
    tacit_g1_add_ct(&a, &a, &res[M_A]);
    tacit_g1_from_affine(&t, &pk->delta1);
    tacit_g1_mul(&t, &t, rl);
    tacit_g1_add_ct(&a, &a, &t);

    tacit_g2_from_affine(&t2, &pk->beta2);
    tacit_g2_add_ct(&b2, &b2, &t2);
    tacit_g2_from_affine(&t2, &pk->delta2);
    tacit_g2_mul(&t2, &t2, sl);
    tacit_g2_add_ct(&b2, &b2, &t2);

    tacit_g1_from_affine(&b1, &pk->beta1);
    tacit_g1_add_ct(&b1, &b1, &res[M_B1]);
    tacit_g1_from_affine(&t, &pk->delta1);
    tacit_g1_mul(&t, &t, sl);
    tacit_g1_add_ct(&b1, &b1, &t);

    tacit_g1_add_ct(&c, &res[M_C], &res[M_H]);
    tacit_g1_mul(&t, &a, sl);
    tacit_g1_add_ct(&c, &c, &t);
    tacit_g1_mul(&t, &b1, rl);
    tacit_g1_add_ct(&c, &c, &t);
    tacit_g1_from_affine(&t, &pk->delta1);
    tacit_g1_mul(&t, &t, rsl);
    tacit_g1_add_ct(&c, &c, &t);

    tacit_g1_to_affine(&proof->a, &a);
    tacit_g2_to_affine(&proof->b, &b2);
    tacit_g1_to_affine(&proof->c, &c);
    rc = TACIT_OK;

    if (stats != NULL) {
        stats->nthreads = nthreads;
        stats->abc_ns = ctx.t0[0] + ctx.t0[1] + ctx.t0[2];
        for (size_t i = 0; i < NNTT; i++) stats->ntt_ns += ctx.t1[i];
        for (size_t i = NNTT, j = 0, w0 = 0; i < ctx.ntasks1; i++) {
            double *dst[NMSM] = {&stats->msm_b2_ns, &stats->msm_a_ns, &stats->msm_b1_ns,
                                 &stats->msm_c_ns, &stats->msm_h_ns};
            while (i - NNTT - w0 >= ctx.m[j].nwin) w0 += ctx.m[j++].nwin;
            *dst[j] += ctx.t1[i];
        }
        for (size_t i = 0; i < nthreads; i++) stats->join_ns += ctx.t2[i];
        for (size_t i = nthreads; i < ntasks2; i++) stats->msm_h_ns += ctx.t2[i];
    }

out:
    sodium_memzero(&r, sizeof r);
    sodium_memzero(&s, sizeof s);
    sodium_memzero(&rs, sizeof rs);
    sodium_memzero(rl, sizeof rl);
    sodium_memzero(sl, sizeof sl);
    sodium_memzero(rsl, sizeof rsl);
    /* everything below depends on the witness */
    secret_free(abc, 3 * n * sizeof *abc);
    secret_free(ctx.wl, nv * sizeof *ctx.wl);
    secret_free(ctx.scratch, ctx.scratch_bytes * nthreads);
    for (int j = 0; j < NMSM; j++) secret_free(ctx.m[j].win, win_bytes(&ctx.m[j]));
    free(ctx.t1);
    free(ctx.t2);
    if (rc == TACIT_OK && stats != NULL) stats->total_ns = now_ns(CLOCK_MONOTONIC) - wall0;
    return rc;
}
