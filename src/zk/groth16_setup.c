/*
 * tacit — devnet Groth16 setup: a proving key in snarkjs's .zkey layout from an R1CS and
 * fresh toxic waste; see include/tacit/prover.h.
 *
 * What each query holds (Groth 2016, section 3.2, with snarkjs's conventions of
 * src/zkey_new.js): with L_i the Lagrange polynomials of the domain {omega^i} of size n,
 * u_s = sum_i A_is L_i(tau), v_s = sum_i B_is L_i(tau), w_s = sum_i C_is L_i(tau) over the
 * constraint rows i, plus the rows nconstraints + s (s = 0..npublic) with A = 1 for
 * variable s:
 *   A[s] = u_s G1, B1[s] = v_s G1, B2[s] = v_s G2,
 *   IC[s] = (beta u_s + alpha v_s + w_s) / gamma G1      (s <= npublic),
 *   C[s]  = (beta u_s + alpha v_s + w_s) / delta G1      (s > npublic),
 *   H[i]  = L'_(2i+1)(tau) / delta G1, L' the Lagrange polynomials of the 2n-th roots.
 *
 * The toxic waste and everything derived from it live in one sodium_malloc'd arena, wiped
 * with sodium_memzero before sodium_free (tacit__groth16_setup_wipe_hook lets a test
 * look at it in between).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/parallel.h"
#include "crypto/field.h"
#include "crypto/msm.h"
#include "tacit/error.h"
#include "zk/ntt.h"
#include "zk/prover_internal.h"

void (*tacit__groth16_setup_wipe_hook)(const void *arena, size_t len);

static const tacit_fr fr_one = TACIT__R_ONE;

static inline void fr_sub(tacit_fr *r, const tacit_fr *a, const tacit_fr *b)
{
    tacit__mod_sub(r->l, a->l, b->l, tacit__r.l);
}

/* The toxic-waste arena: the five secrets, then per-variable and per-point arrays. */
struct toxic {
    uint8_t rnd[64];
    tacit_fr tau, alpha, beta, gamma, delta, gamma_inv, delta_inv, t;
    uint64_t limbs[6][4]; /* alpha, beta (twice), gamma, delta (twice) as plain limbs */
};

/* n uniform non-zero field elements from randombytes_buf (64 bytes each, reduced mod r). */
static void sample(tacit_fr *r, struct toxic *x)
{
    do {
        randombytes_buf(x->rnd, sizeof x->rnd);
        tacit_fr_from_wide(r, x->rnd);
    } while (tacit_fr_is_zero(r));
}

/* r = a^(2^k) */
static void pow2k(tacit_fr *r, const tacit_fr *a, unsigned k)
{
    tacit_fr t = *a;
    for (unsigned i = 0; i < k; i++) fr_sqr(&t, &t);
    *r = t;
}

/*
 * out[i] = scale * x_i / (tau - x_i) with x_i = start * step^i, i < n: the Lagrange
 * values (X^m - 1)/m * x_i / (X - x_i) at X = tau when scale = (tau^m - 1)/m. Montgomery's
 * batch inversion with the prefix products in tmp; tau is never equal to an x_i (checked
 * by the caller). Constant time.
 */
static void lagrange(tacit_fr *out, tacit_fr *tmp, size_t n, const tacit_fr *tau,
                     const tacit_fr *start, const tacit_fr *step, const tacit_fr *scale)
{
    tacit_fr acc = fr_one, x = *start, d, inv;
    for (size_t i = 0; i < n; i++) {
        fr_sub(&d, tau, &x);
        tmp[i] = acc;
        fr_mul(&acc, &acc, &d);
        out[i] = x; /* keep x_i */
        fr_mul(&x, &x, step);
    }
    tacit_fr_inv(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        tacit_fr di;
        fr_sub(&d, tau, &out[i]);
        fr_mul(&di, &inv, &tmp[i]); /* 1 / (tau - x_i) */
        fr_mul(&inv, &inv, &d);
        fr_mul(&di, &di, &out[i]);
        fr_mul(&out[i], &di, scale);
    }
    sodium_memzero(&acc, sizeof acc);
    sodium_memzero(&inv, sizeof inv);
}

/* Fr (Montgomery) -> plain limbs, in place. */
static void to_limbs(tacit_fr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tacit_fr t = a[i];
        tacit_fr_to_limbs(a[i].l, &t);
    }
}

/* ---------------------------------------------------- parallel fixed base ---- */

/* The costlier G2 job first: tasks are handed out in order (parallel.h). */
enum { JOB_B2, JOB_A, JOB_B1, JOB_IC, JOB_C, JOB_H, NJOBS };

#define SETUP_CHUNK 512

struct setup_ctx {
    const tacit__g1_fixed_table *t1;
    const tacit__g2_fixed_table *t2;
    struct {
        const uint64_t (*k)[4];
        void *out;
        size_t n;
        size_t first_task;
    } job[NJOBS];
    size_t ntasks;
};

static void setup_task(void *p, size_t task, unsigned thread)
{
    struct setup_ctx *c = p;
    int j = NJOBS - 1;
    size_t off, m;
    (void)thread;
    while (task < c->job[j].first_task) j--;
    off = (task - c->job[j].first_task) * SETUP_CHUNK;
    m = c->job[j].n - off < SETUP_CHUNK ? c->job[j].n - off : SETUP_CHUNK;
    if (j == JOB_B2)
        tacit__g2_fixed_mul((tacit_g2_affine *)c->job[j].out + off, c->t2, c->job[j].k + off, m);
    else
        tacit__g1_fixed_mul((tacit_g1_affine *)c->job[j].out + off, c->t1, c->job[j].k + off, m);
}

/* ------------------------------------------------------------------- setup ---- */

static int check_r1cs(const tacit_r1cs *cs)
{
    if (cs == NULL || cs->nvars == 0 || cs->npublic >= cs->nvars) return TACIT_EINVAL;
    if (cs->nvars >= (UINT32_C(1) << 31)) return TACIT_ETOOBIG;
    if (cs->nconstraints > 0 && cs->constraints == NULL) return TACIT_EINVAL;
    for (uint32_t i = 0; i < cs->nconstraints; i++) {
        const tacit_lc *lc[3] = {&cs->constraints[i].a, &cs->constraints[i].b,
                                 &cs->constraints[i].c};
        for (int m = 0; m < 3; m++) {
            if (lc[m]->n > 0 && lc[m]->terms == NULL) return TACIT_EINVAL;
            for (uint32_t t = 0; t < lc[m]->n; t++)
                if (lc[m]->terms[t].var >= cs->nvars) return TACIT_EINVAL;
        }
    }
    return TACIT_OK;
}

int tacit_groth16_setup(tacit_groth16_pk **out, const tacit_r1cs *cs, unsigned nthreads)
{
    tacit_groth16_pk *pk = NULL;
    tacit__g1_fixed_table *t1 = NULL;
    tacit__g2_fixed_table *t2 = NULL;
    struct setup_ctx ctx;
    struct toxic *x;
    tacit_fr *u, *v, *w, *lag, *tmp;
    uint8_t *arena;
    size_t arena_len, nv, npub, n, ncoefs = 0, rows, k;
    uint32_t log_n = 1;
    int rc;

    *out = NULL;
    if ((rc = check_r1cs(cs)) != TACIT_OK) return rc;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    nv = cs->nvars;
    npub = cs->npublic;
    rows = (size_t)cs->nconstraints + npub + 1;
    while (((size_t)1 << log_n) < rows) {
        if (++log_n > TACIT_PROVER_MAX_LOG_DOMAIN) return TACIT_ETOOBIG;
    }
    n = (size_t)1 << log_n;
    for (uint32_t i = 0; i < cs->nconstraints; i++)
        ncoefs += (size_t)cs->constraints[i].a.n + cs->constraints[i].b.n;
    ncoefs += npub + 1;

    if ((rc = tacit__groth16_pk_alloc(&pk, (uint32_t)nv, (uint32_t)npub, log_n, ncoefs)) !=
        TACIT_OK)
        return rc;
    /* arena: struct toxic, then u, v, w (nv each), lag, tmp (n each) */
    arena_len = sizeof *x + (3 * nv + 2 * n) * sizeof(tacit_fr);
    t1 = malloc(sizeof *t1);
    t2 = malloc(sizeof *t2);
    arena = sodium_malloc(arena_len);
    if (t1 == NULL || t2 == NULL || arena == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    memset(arena, 0, arena_len);
    x = (struct toxic *)arena;
    u = (tacit_fr *)(arena + sizeof *x);
    v = u + nv;
    w = v + nv;
    lag = w + nv;
    tmp = lag + n;

    /* the coefficient section: per row A then B terms, then the public rows (snarkjs) */
    k = 0;
    for (uint32_t i = 0; i < cs->nconstraints; i++) {
        const tacit_lc *ab[2] = {&cs->constraints[i].a, &cs->constraints[i].b};
        for (uint32_t m = 0; m < 2; m++)
            for (uint32_t t = 0; t < ab[m]->n; t++) {
                pk->coefs[k].matrix = m;
                pk->coefs[k].row = i;
                pk->coefs[k].var = ab[m]->terms[t].var;
                pk->coefs[k].coeff = ab[m]->terms[t].coeff;
                k++;
            }
    }
    for (size_t s = 0; s <= npub; s++, k++) {
        pk->coefs[k].matrix = 0;
        pk->coefs[k].row = (uint32_t)(cs->nconstraints + s);
        pk->coefs[k].var = (uint32_t)s;
        pk->coefs[k].coeff = fr_one;
    }

    /* toxic waste; tau must not be a 2n-th root of unity (then no tau - x_i vanishes) */
    do {
        sample(&x->tau, x);
        pow2k(&x->t, &x->tau, log_n + 1);
    } while (tacit_fr_eq(&x->t, &fr_one));
    sample(&x->alpha, x);
    sample(&x->beta, x);
    sample(&x->gamma, x);
    sample(&x->delta, x);
    tacit_fr_inv(&x->gamma_inv, &x->gamma);
    tacit_fr_inv(&x->delta_inv, &x->delta);

    /* Lagrange values of the n-domain: scale (tau^n - 1) / n */
    pow2k(&x->t, &x->tau, log_n);
    fr_sub(&x->t, &x->t, &fr_one);
    fr_mul(&x->t, &x->t, &pk->domain->n_inv);
    lagrange(lag, tmp, n, &x->tau, &fr_one, &pk->domain->omega, &x->t);

    for (uint32_t i = 0; i < cs->nconstraints; i++) {
        const tacit_constraint *c = &cs->constraints[i];
        for (uint32_t t = 0; t < c->a.n; t++) {
            fr_mul(&x->t, &c->a.terms[t].coeff, &lag[i]);
            fr_add(&u[c->a.terms[t].var], &u[c->a.terms[t].var], &x->t);
        }
        for (uint32_t t = 0; t < c->b.n; t++) {
            fr_mul(&x->t, &c->b.terms[t].coeff, &lag[i]);
            fr_add(&v[c->b.terms[t].var], &v[c->b.terms[t].var], &x->t);
        }
        for (uint32_t t = 0; t < c->c.n; t++) {
            fr_mul(&x->t, &c->c.terms[t].coeff, &lag[i]);
            fr_add(&w[c->c.terms[t].var], &w[c->c.terms[t].var], &x->t);
        }
    }
    for (size_t s = 0; s <= npub; s++) fr_add(&u[s], &u[s], &lag[cs->nconstraints + s]);

    /* w_s := (beta u_s + alpha v_s + w_s) / (gamma or delta), the IC and C scalars */
    for (size_t s = 0; s < nv; s++) {
        fr_mul(&x->t, &x->beta, &u[s]);
        fr_add(&w[s], &w[s], &x->t);
        fr_mul(&x->t, &x->alpha, &v[s]);
        fr_add(&w[s], &w[s], &x->t);
        fr_mul(&w[s], &w[s], s <= npub ? &x->gamma_inv : &x->delta_inv);
    }

    /* H: the odd Lagrange values of the 2n-domain, scale (tau^2n - 1) / (2n) / delta;
     * the odd points are g omega^i, g = omega_2n */
    pow2k(&x->t, &x->tau, log_n + 1);
    fr_sub(&x->t, &x->t, &fr_one);
    fr_mul(&x->t, &x->t, &pk->domain->n_inv);
    {
        tacit_fr half;
        tacit_fr_from_u64(&half, 2);
        tacit_fr_inv(&half, &half);
        fr_mul(&x->t, &x->t, &half);
    }
    fr_mul(&x->t, &x->t, &x->delta_inv);
    lagrange(lag, tmp, n, &x->tau, &pk->domain->g, &pk->domain->omega, &x->t);

    to_limbs(u, 3 * nv + n); /* u, v, w, lag are contiguous */
    tacit_fr_to_limbs(x->limbs[0], &x->alpha);
    tacit_fr_to_limbs(x->limbs[1], &x->beta);
    tacit_fr_to_limbs(x->limbs[2], &x->beta);
    tacit_fr_to_limbs(x->limbs[3], &x->gamma);
    tacit_fr_to_limbs(x->limbs[4], &x->delta);
    tacit_fr_to_limbs(x->limbs[5], &x->delta);

    tacit__g1_fixed_init(t1, &TACIT_G1_GENERATOR);
    tacit__g2_fixed_init(t2, &TACIT_G2_GENERATOR);
    tacit__g1_fixed_mul(&pk->alpha1, t1, (const uint64_t(*)[4]) & x->limbs[0], 1);
    tacit__g1_fixed_mul(&pk->beta1, t1, (const uint64_t(*)[4]) & x->limbs[1], 1);
    tacit__g2_fixed_mul(&pk->beta2, t2, (const uint64_t(*)[4]) & x->limbs[2], 1);
    tacit__g2_fixed_mul(&pk->gamma2, t2, (const uint64_t(*)[4]) & x->limbs[3], 1);
    tacit__g1_fixed_mul(&pk->delta1, t1, (const uint64_t(*)[4]) & x->limbs[4], 1);
    tacit__g2_fixed_mul(&pk->delta2, t2, (const uint64_t(*)[4]) & x->limbs[5], 1);

    ctx.t1 = t1;
    ctx.t2 = t2;
    ctx.job[JOB_B2].k = (const uint64_t(*)[4])v;
    ctx.job[JOB_B2].out = pk->b2;
    ctx.job[JOB_B2].n = nv;
    ctx.job[JOB_A].k = (const uint64_t(*)[4])u;
    ctx.job[JOB_A].out = pk->a;
    ctx.job[JOB_A].n = nv;
    ctx.job[JOB_B1].k = (const uint64_t(*)[4])v;
    ctx.job[JOB_B1].out = pk->b1;
    ctx.job[JOB_B1].n = nv;
    ctx.job[JOB_IC].k = (const uint64_t(*)[4])w;
    ctx.job[JOB_IC].out = pk->ic;
    ctx.job[JOB_IC].n = npub + 1;
    ctx.job[JOB_C].k = (const uint64_t(*)[4])(w + npub + 1);
    ctx.job[JOB_C].out = pk->c;
    ctx.job[JOB_C].n = nv - npub - 1;
    ctx.job[JOB_H].k = (const uint64_t(*)[4])lag;
    ctx.job[JOB_H].out = pk->h;
    ctx.job[JOB_H].n = n;
    ctx.ntasks = 0;
    for (int j = 0; j < NJOBS; j++) {
        ctx.job[j].first_task = ctx.ntasks;
        ctx.ntasks += (ctx.job[j].n + SETUP_CHUNK - 1) / SETUP_CHUNK;
    }
    tacit__parallel_run(nthreads, ctx.ntasks, setup_task, &ctx);

    *out = pk;
    pk = NULL;
    rc = TACIT_OK;
out:
    if (arena != NULL) {
        sodium_memzero(arena, arena_len);
        if (tacit__groth16_setup_wipe_hook != NULL)
            tacit__groth16_setup_wipe_hook(arena, arena_len);
        sodium_free(arena);
    }
    free(t1);
    free(t2);
    tacit_groth16_pk_free(pk);
    return rc;
}
