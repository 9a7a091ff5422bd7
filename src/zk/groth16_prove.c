/*
 * tacit — the Groth16 prover, multi-threaded; for tacit's and snarkjs's proving keys alike
 * (see include/tacit/prover.h for the key layout and why H needs no division).
 *
 * Steps (snarkjs src/groth16_prove.js computes the same values):
 *  1. a = A w, b = B w on the domain (the coefficient section), c = a * b pointwise, in
 *     row ranges on all threads; the witness as plain limbs for the MSMs;
 *  2. one run of tasks on all threads, handed out in order so the longest go first: the
 *     three odd-coset transforms (ntt.h), the Pippenger windows of B2 (G2), then
 *  3. h = a b - c on the coset (once the transforms are done), the windows of the H MSM
 *     (once h is), and the windows of A, C (private variables) and B1 (G1), the shortest
 *     last so the threads finish together;
 *  4. with fresh r, s (constant-time multiplications):
 *       A = alpha1 + sum w_i A_i + r delta1
 *       B = beta2 + sum w_i B2_i + s delta2,  B1 = beta1 + sum w_i B1_i + s delta1
 *       C = sum_priv w_i C_i + sum h_i H_i + s A + r B1 - r s delta1.
 *
 * Everything that holds the witness or is computed from it (a, b, c, the witness as limbs, the
 * MSM scratch with its bucket sums, the window sums) is sodium_malloc memory (guard pages,
 * locked when the system allows it), wiped on every path before it is freed (secret_free).
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/parallel.h"
#include "crypto/field.h"
#include "crypto/fp_ifma.h"
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

/* The order in which the windows go out (after the transforms): the longest tasks first and
 * the shortest last, so the threads finish close together. H's windows wait for h. */
static const int msm_order[NMSM] = {M_B2, M_H, M_A, M_C, M_B1};

struct msm_job {
    bool g2;
    const void *p;
    const uint64_t (*k)[4];
    size_t n;
    unsigned c, nwin;
    void *win; /* tacit_g1 or tacit_g2 [nwin] */
};

#define NNTT 3
/* step 1 tasks per thread: the coefficients are cut into this many row ranges a thread */
#define ROW_TASKS_PER_THREAD 2

struct row_range {
    size_t k0, k1;   /* coefficients [k0, k1) */
    uint32_t r0, r1; /* rows [r0, r1) */
};

struct prove_ctx {
    const tacit_groth16_pk *pk;
    const tacit_fr *w;
    uint64_t (*wl)[4]; /* witness as plain limbs */
    tacit_fr *abc[3];  /* a, b, c on the domain, then on the odd coset */
    struct msm_job m[NMSM];
    size_t scratch_bytes;                       /* per thread */
    unsigned char *scratch[TACIT__MAX_THREADS]; /* made by each thread at its first window */
    atomic_int failed;                          /* a thread could not make its scratch */
    unsigned nthreads;
    /* step 1 */
    struct row_range *rows;
    size_t nrows;
    atomic_int rows_bad; /* a coefficient outside its task's rows: redo step 1 by matrix */
    /* steps 2 and 3: one run of tasks; the counters order the joins after the transforms
     * and H's windows after the joins (a task waits only for tasks handed out before it) */
    size_t task_join, task_h, ntasks;
    atomic_size_t ntt_done, join_done;
    /* per-task CPU time */
    double *t0, *t;
};

/* ---------------------------------------------------------- secret memory ---- */

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

/* ------------------------------------------------------------ step 1: abc ---- */

/*
 * a = A w, b = B w and c = a b on the rows [r0, r1) of one task. The tasks' row ranges are
 * disjoint, so they write disjoint parts of a, b, c. The cut (cut_rows) follows the key's
 * coefficient order, by row as tacit's setup and snarkjs write it; a key in another order
 * shows here as a coefficient outside its task's rows, and step 1 is then done again by
 * matrix (abc_matrix_task), which takes any order.
 */
static void abc_rows_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    const struct row_range *rg = &c->rows[task];
    const tacit_groth16_pk *pk = c->pk;
    double t = now_ns(CLOCK_THREAD_CPUTIME_ID);
    tacit_fr s, **abc = c->abc;
    size_t i = rg->k0, r = rg->r0;
    (void)thread;
    for (int j = 0; j < 3; j++) memset(abc[j] + rg->r0, 0, (rg->r1 - rg->r0) * sizeof(tacit_fr));
    /* with IFMA, eight coefficients' products at a time (fp_ifma.h) */
    for (; tacit__use_ifma && i + 8 <= rg->k1; i += 8) {
        const tacit_groth16_coef *k = &pk->coefs[i];
        tacit_fr cf[8], wv[8], pr[8];
        for (int q = 0; q < 8; q++) {
            if (k[q].row < rg->r0 || k[q].row >= rg->r1) goto bad;
            cf[q] = k[q].coeff;
            wv[q] = c->w[k[q].var];
        }
        tacit__fr_mul8_ifma(pr, cf, wv);
        for (int q = 0; q < 8; q++)
            fr_add(&abc[k[q].matrix][k[q].row], &abc[k[q].matrix][k[q].row], &pr[q]);
    }
    for (; i < rg->k1; i++) {
        const tacit_groth16_coef *k = &pk->coefs[i];
        if (k->row < rg->r0 || k->row >= rg->r1) goto bad;
        fr_mul_i(&s, &k->coeff, &c->w[k->var]);
        fr_add(&abc[k->matrix][k->row], &abc[k->matrix][k->row], &s);
    }
    for (; tacit__use_ifma && r + 8 <= rg->r1; r += 8)
        tacit__fr_mul8_ifma(abc[2] + r, abc[0] + r, abc[1] + r);
    for (; r < rg->r1; r++) fr_mul_i(&abc[2][r], &abc[0][r], &abc[1][r]);
    c->t0[task] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t;
    return;
bad:
    atomic_store_explicit(&c->rows_bad, 1, memory_order_relaxed);
    c->t0[task] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t;
}

/* The witness as plain limbs for the MSMs: the task after the row tasks. */
static void limbs_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    double t = now_ns(CLOCK_THREAD_CPUTIME_ID);
    (void)thread;
    for (size_t i = 0; i < c->pk->nvars; i++) tacit_fr_to_limbs(c->wl[i], &c->w[i]);
    c->t0[task] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t;
}

static void step1_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    if (task < c->nrows)
        abc_rows_task(p, task, thread);
    else
        limbs_task(p, task, thread);
}

/* Step 1 again for a key whose coefficients are not in row order: task 0 a = A w, task 1
 * b = B w, each over all coefficients; then c = a b. */
static void abc_matrix_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    const tacit_groth16_pk *pk = c->pk;
    tacit_fr *out = c->abc[task], s;
    double t = now_ns(CLOCK_THREAD_CPUTIME_ID);
    (void)thread;
    memset(out, 0, pk->domain_size * sizeof *out);
    for (size_t i = 0; i < pk->ncoefs; i++) {
        const tacit_groth16_coef *k = &pk->coefs[i];
        if (k->matrix != task) continue;
        fr_mul_i(&s, &k->coeff, &c->w[k->var]);
        fr_add(&out[k->row], &out[k->row], &s);
    }
    c->t0[task] += now_ns(CLOCK_THREAD_CPUTIME_ID) - t;
}

/*
 * Cuts the coefficients into about ntasks ranges of equal size at row changes: range t
 * starts at the first coefficient of the row of coefficient t ncoefs / ntasks (found by
 * stepping back over that row's coefficients, in row order). The rows of range t run to
 * the next range's first row; the last range's to the domain's end. Returns the number of
 * ranges, 0 when the cut is not in row order (abc_matrix_task then).
 */
static size_t cut_rows(struct row_range *out, const tacit_groth16_pk *pk, size_t ntasks)
{
    size_t nr = 0, nc = pk->ncoefs;
    out[0].k0 = 0;
    out[0].r0 = 0;
    for (size_t t = 1; t < ntasks; t++) {
        size_t i = t * nc / ntasks;
        uint32_t r;
        if (i >= nc) break;
        r = pk->coefs[i].row;
        while (i > out[nr].k0 && pk->coefs[i - 1].row == r) i--;
        if (r < out[nr].r0) return 0;
        if (i == out[nr].k0 || r == out[nr].r0) continue; /* a row longer than a range */
        out[nr].k1 = i;
        out[nr].r1 = r;
        nr++;
        out[nr].k0 = i;
        out[nr].r0 = r;
    }
    out[nr].k1 = nc;
    out[nr].r1 = pk->domain_size;
    return nr + 1;
}

/* --------------------------------------------------- windows of the MSMs ---- */

static void run_window(struct prove_ctx *c, int j, unsigned win, unsigned thread)
{
    struct msm_job *m = &c->m[j];
    void *s = c->scratch[thread];
    if (m->g2)
        tacit__g2_msm_window_var((tacit_g2 *)m->win + win, m->p, m->k, m->n, m->c, win, s);
    else
        tacit__g1_msm_window_var((tacit_g1 *)m->win + win, m->p, m->k, m->n, m->c, win, s);
}

static void wait_for(atomic_size_t *done, size_t n)
{
    while (atomic_load_explicit(done, memory_order_acquire) < n) sched_yield();
}

/* h = a b - c on the coset, as plain limbs written over a: part `part` of nthreads */
static void join_part(struct prove_ctx *c, size_t part)
{
    size_t n = c->pk->domain_size, lo = n * part / c->nthreads, hi = n * (part + 1) / c->nthreads;
    tacit_fr *a = c->abc[0], *b = c->abc[1], *cc = c->abc[2], t[8];
    size_t i = lo;
    for (; tacit__use_ifma && i + 8 <= hi; i += 8) {
        tacit__fr_mul8_ifma(t, a + i, b + i);
        for (int q = 0; q < 8; q++) {
            fr_sub(&t[q], &t[q], &cc[i + q]);
            tacit_fr_to_limbs(a[i + q].l, &t[q]);
        }
    }
    for (; i < hi; i++) {
        fr_mul_i(&t[0], &a[i], &b[i]);
        fr_sub(&t[0], &t[0], &cc[i]);
        tacit_fr_to_limbs(a[i].l, &t[0]);
    }
}

/*
 * Steps 2 and 3 as one run of tasks, in this order: the three transforms; the windows of
 * B2; the nthreads parts of the join (after the transforms); the windows of H (after the
 * joins); the windows of A, C and B1. A thread makes its MSM scratch at its first window,
 * while the other threads compute.
 */
static void main_task(void *p, size_t task, unsigned thread)
{
    struct prove_ctx *c = p;
    double t = now_ns(CLOCK_THREAD_CPUTIME_ID);
    if (task < NNTT) {
        tacit__ntt_to_odd_coset(c->pk->domain, c->abc[task]);
        atomic_fetch_add_explicit(&c->ntt_done, 1, memory_order_release);
    } else if (task >= c->task_join && task < c->task_join + c->nthreads) {
        wait_for(&c->ntt_done, NNTT);
        join_part(c, task - c->task_join);
        atomic_fetch_add_explicit(&c->join_done, 1, memory_order_release);
    } else {
        size_t rest = task - NNTT;
        int o = 0;
        if (task >= c->task_h) rest -= c->nthreads; /* past the joins */
        while (rest >= c->m[msm_order[o]].nwin) rest -= c->m[msm_order[o++]].nwin;
        if (msm_order[o] == M_H) wait_for(&c->join_done, c->nthreads);
        if (c->scratch[thread] == NULL) {
            c->scratch[thread] = secret_alloc(c->scratch_bytes);
            if (c->scratch[thread] == NULL) atomic_store(&c->failed, 1);
        }
        if (c->scratch[thread] != NULL) run_window(c, msm_order[o], (unsigned)rest, thread);
    }
    c->t[task] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t;
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
    size_t n, nv, npriv, nwin_all = 0, nstep1, abc_bytes = 0, win_all = 0;
    unsigned bits;
    tacit_g1 res[NMSM], a, b1, c, t;
    tacit_g2 b2, t2;
    tacit_fr r, s, rs;
    uint64_t rl[4], sl[4], rsl[4];
    unsigned char *abc = NULL, *wins = NULL;
    double wall0 = now_ns(CLOCK_MONOTONIC);
    int rc = TACIT_ENOMEM;

    memset(proof, 0, sizeof *proof);
    if (stats != NULL) memset(stats, 0, sizeof *stats);
    if (nw != pk->nvars) return TACIT_EWITNESS;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if (nthreads == 0) nthreads = tacit__nthreads_default();
    if (nthreads > TACIT__MAX_THREADS) nthreads = TACIT__MAX_THREADS;

    memset(&ctx, 0, sizeof ctx);
    atomic_init(&ctx.failed, 0);
    atomic_init(&ctx.rows_bad, 0);
    atomic_init(&ctx.ntt_done, 0);
    atomic_init(&ctx.join_done, 0);
    n = pk->domain_size;
    nv = pk->nvars;
    npriv = nv - pk->npublic - 1;
    ctx.pk = pk;
    ctx.w = w;
    ctx.nthreads = nthreads;
    /* a, b, c and the witness limbs in one block */
    abc_bytes = 3 * n * sizeof(tacit_fr) + nv * sizeof *ctx.wl;
    abc = secret_alloc(abc_bytes);
    ctx.rows = calloc((size_t)ROW_TASKS_PER_THREAD * nthreads, sizeof *ctx.rows);
    ctx.t0 = calloc((size_t)ROW_TASKS_PER_THREAD * nthreads + 1, sizeof *ctx.t0);
    if (abc == NULL || ctx.rows == NULL || ctx.t0 == NULL) goto out;
    for (int j = 0; j < 3; j++) ctx.abc[j] = (tacit_fr *)abc + (size_t)j * n;
    ctx.wl = (uint64_t(*)[4])(ctx.abc[2] + n);

    /* step 1: the row ranges and the limbs on all threads; by matrix if the key's order
     * does not allow the cut */
    ctx.nrows = cut_rows(ctx.rows, pk, (size_t)ROW_TASKS_PER_THREAD * nthreads);
    nstep1 = ctx.nrows + 1;
    if (ctx.nrows == 0) atomic_store(&ctx.rows_bad, 1);
    tacit__parallel_run(nthreads, nstep1, step1_task, &ctx);
    if (atomic_load(&ctx.rows_bad)) {
        tacit__parallel_run(nthreads, 2, abc_matrix_task, &ctx);
        for (size_t i = 0; i < n; i++) fr_mul_i(&ctx.abc[2][i], &ctx.abc[0][i], &ctx.abc[1][i]);
    }

    /* the MSM plans; H's scalars are uniform-looking: plan for 254 bits */
    bits = tacit__msm_scalar_bits((const uint64_t(*)[4])ctx.wl, nv);
    set_job(&ctx.m[M_B2], true, pk->b2, (const uint64_t(*)[4])ctx.wl, nv, bits);
    set_job(&ctx.m[M_A], false, pk->a, (const uint64_t(*)[4])ctx.wl, nv, bits);
    set_job(&ctx.m[M_B1], false, pk->b1, (const uint64_t(*)[4])ctx.wl, nv, bits);
    set_job(&ctx.m[M_C], false, pk->c, (const uint64_t(*)[4])(ctx.wl + pk->npublic + 1), npriv,
            bits);
    set_job(&ctx.m[M_H], false, pk->h, (const uint64_t(*)[4])ctx.abc[0], n, 254);
    for (int j = 0; j < NMSM; j++) {
        size_t sb = job_scratch(&ctx.m[j]);
        if (sb > ctx.scratch_bytes) ctx.scratch_bytes = sb;
        win_all += (win_bytes(&ctx.m[j]) + 63) & ~(size_t)63;
        nwin_all += ctx.m[j].nwin;
    }
    /* the window sums of the five MSMs in one block */
    wins = secret_alloc(win_all);
    ctx.ntasks = NNTT + nwin_all + nthreads;
    ctx.t = calloc(ctx.ntasks, sizeof *ctx.t);
    if (wins == NULL || ctx.t == NULL) goto out;
    for (size_t j = 0, off = 0; j < NMSM; j++) {
        ctx.m[j].win = wins + off;
        off += (win_bytes(&ctx.m[j]) + 63) & ~(size_t)63;
    }
    ctx.task_join = NNTT + ctx.m[M_B2].nwin;
    ctx.task_h = ctx.task_join + nthreads;

    /* steps 2 and 3 */
    tacit__parallel_run(nthreads, ctx.ntasks, main_task, &ctx);
    if (atomic_load(&ctx.failed)) goto out;
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
        double *dst[NMSM] = {[M_B2] = &stats->msm_b2_ns,
                             [M_A] = &stats->msm_a_ns,
                             [M_B1] = &stats->msm_b1_ns,
                             [M_C] = &stats->msm_c_ns,
                             [M_H] = &stats->msm_h_ns};
        size_t i = NNTT;
        stats->nthreads = nthreads;
        for (size_t k = 0; k < nstep1; k++) stats->abc_ns += ctx.t0[k];
        for (size_t k = 0; k < NNTT; k++) stats->ntt_ns += ctx.t[k];
        for (int o = 0; o < NMSM; o++) {
            if (msm_order[o] == M_H)
                for (size_t k = 0; k < nthreads; k++) stats->join_ns += ctx.t[i++];
            for (unsigned k = 0; k < ctx.m[msm_order[o]].nwin; k++)
                *dst[msm_order[o]] += ctx.t[i++];
        }
    }

out:
    sodium_memzero(&r, sizeof r);
    sodium_memzero(&s, sizeof s);
    sodium_memzero(&rs, sizeof rs);
    sodium_memzero(rl, sizeof rl);
    sodium_memzero(sl, sizeof sl);
    sodium_memzero(rsl, sizeof rsl);
    /* everything below depends on the witness */
    secret_free(abc, abc_bytes);
    secret_free(wins, win_all);
    for (unsigned i = 0; i < nthreads; i++) secret_free(ctx.scratch[i], ctx.scratch_bytes);
    free(ctx.rows);
    free(ctx.t0);
    free(ctx.t);
    if (rc == TACIT_OK && stats != NULL) stats->total_ns = now_ns(CLOCK_MONOTONIC) - wall0;
    return rc;
}
