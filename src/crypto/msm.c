/*
 * tacit — multi-scalar multiplication in G1 and G2 for prover sizes, multi-threaded; and
 * the allocation-free G2 MSM of the public API (tacit_g2_msm_var). See msm.h and the
 * algorithms in msm_impl.h.
 */
#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"
#include "crypto/curve.h"
#include "crypto/fp_ifma.h"
#include "crypto/msm.h"
#include "crypto/tower.h"
#include "tacit/bn254.h"

/* ------------------------------------------------- group laws (curve_impl.h) ---- */

/* Field multiplications forced inline: gcc keeps field.h's fp_mul out of line in these
 * large loops, and the call costs about a fifth of a multiplication. Only here: forcing
 * field.h's fp_mul/fp_sqr inline everywhere was measured (2026-11-28, tacit-bench crypto,
 * alternating runs) to slow the pairing from 381 to 475-509 µs and verify from 611 to
 * 775-834 µs through code growth, so the MSM keeps its own inlined copies below. */
static inline __attribute__((always_inline)) void mfp_mul(tacit_fp *r, const tacit_fp *a,
                                                          const tacit_fp *b)
{
    tacit__mont_mul(r->l, a->l, b->l, tacit__p.l, &tacit__pinv);
}

static inline __attribute__((always_inline)) void mfp_sqr(tacit_fp *r, const tacit_fp *a)
{
    tacit__mont_mul(r->l, a->l, a->l, tacit__p.l, &tacit__pinv);
}

/* field.h's Karatsuba fp2_mul / complex fp2_sqr with the inlined multiplication */
static inline __attribute__((always_inline)) void mfp2_mul(tacit_fp2 *r, const tacit_fp2 *a,
                                                           const tacit_fp2 *b)
{
    tacit_fp t0, t1, sa, sb, t2;
    mfp_mul(&t0, &a->c0, &b->c0);
    mfp_mul(&t1, &a->c1, &b->c1);
    fp_add_nr(&sa, &a->c0, &a->c1);
    fp_add_nr(&sb, &b->c0, &b->c1);
    mfp_mul(&t2, &sa, &sb);
    fp_sub(&r->c0, &t0, &t1);
    fp_sub(&t2, &t2, &t0);
    fp_sub(&r->c1, &t2, &t1);
}

static inline __attribute__((always_inline)) void mfp2_sqr(tacit_fp2 *r, const tacit_fp2 *a)
{
    tacit_fp s, d, m;
    fp_add_nr(&s, &a->c0, &a->c1);
    fp_sub(&d, &a->c0, &a->c1);
    mfp_mul(&m, &a->c0, &a->c1);
    mfp_mul(&r->c0, &s, &d);
    fp_dbl(&r->c1, &m);
}

static const tacit_fp c1_one = TACIT__P_ONE;
static const tacit_fp c1_zero = {{0, 0, 0, 0}};
static const tacit_fp c1_b = TACIT__B1;
static const tacit_fp2 c2_one = {TACIT__P_ONE, {{0, 0, 0, 0}}};
static const tacit_fp2 c2_zero = {{{0, 0, 0, 0}}, {{0, 0, 0, 0}}};
static const tacit_fp2 c2_b = TACIT__B2;
static const tacit_fp2 c2_b3 = TACIT__B2_3;

static inline void c1_mul_b3(tacit_fp *r, const tacit_fp *a) /* 3b = 9 */
{
    tacit_fp t;
    fp_dbl(&t, a);
    fp_dbl(&t, &t);
    fp_dbl(&t, &t);
    fp_add(r, &t, a);
}

static inline void c2_mul_b3(tacit_fp2 *r, const tacit_fp2 *a) { mfp2_mul(r, a, &c2_b3); }

#define CURVE_FN(name) c1_##name
#define JAC tacit_g1
#define AFF tacit_g1_affine
#define FE tacit_fp
#define fe_add fp_add
#define fe_sub fp_sub
#define fe_dbl fp_dbl
#define fe_neg fp_neg
#define fe_mul mfp_mul
#define fe_sqr mfp_sqr
#define fe_is_zero fp_is_zero
#define fe_eq fp_eq
#define fe_cmov fp_cmov_mask
#define fe_zero_mask fp_zero_mask
#define fe_mul_b3 c1_mul_b3
#define fe_inv tacit_fp_inv
#define fe_inv_var tacit_fp_inv_var
#define FE_ONE c1_one
#define FE_ZERO c1_zero
#define FE_B c1_b
#include "crypto/curve_impl.h"

#define CURVE_FN(name) c2_##name
#define JAC tacit_g2
#define AFF tacit_g2_affine
#define FE tacit_fp2
#define fe_add fp2_add
#define fe_sub fp2_sub
#define fe_dbl fp2_dbl
#define fe_neg fp2_neg
#define fe_mul mfp2_mul
#define fe_sqr mfp2_sqr
#define fe_is_zero fp2_is_zero
#define fe_eq fp2_eq
#define fe_cmov fp2_cmov_mask
#define fe_zero_mask fp2_zero_mask
#define fe_mul_b3 c2_mul_b3
#define fe_inv tacit_fp2_inv
#define fe_inv_var tacit__fp2_inv_var
#define FE_ONE c2_one
#define FE_ZERO c2_zero
#define FE_B c2_b
#include "crypto/curve_impl.h"

/* --------------------------------------------------------- MSM templates ---- */

/* G1's rounds on the IFMA lanes (defined after the template, whose pair_den and pair_add
 * it uses). */
static bool m1_round_lanes(tacit_g1_affine *pts, const uint32_t *cnt, const uint32_t *start,
                           const uint32_t *active, size_t na, tacit_fp *den, tacit_fp *pre,
                           tacit_fp *nrm);

#define MSM_ROUND_LANES m1_round_lanes
#define MSM_FN(name) m1_##name
#define CFN(name) c1_##name
#define JAC tacit_g1
#define AFF tacit_g1_affine
#define FE tacit_fp
#define fe_add fp_add
#define fe_sub fp_sub
#define fe_dbl fp_dbl
#define fe_neg fp_neg
#define fe_mul mfp_mul
#define fe_sqr mfp_sqr
#define fe_eq fp_eq
#define fe_inv_var tacit_fp_inv_var
#define FE_ONE c1_one
#define fe_inv tacit_fp_inv
#define fe_cmov fp_cmov_mask
#define fe_zero_mask fp_zero_mask
#define FE_ZERO c1_zero
#include "crypto/msm_impl.h"

/*
 * A round of G1's reduce() with the multiplications eight at a time on the AVX-512 IFMA lanes
 * (fp_ifma.c), the same additions as m1_round. Pair np goes to lane np % 8: eight
 * interleaved prefix-product chains, whose eight products are inverted together with one
 * inversion (Montgomery's trick once more, over the lanes); the backward pass and the
 * affine additions then run eight pairs at a time. The pairs that need no inversion (an
 * operand at infinity, P == -Q) take the scalar pair_add; doubling (P == Q) runs in the
 * lanes with its own numerator 3 x^2. Returns false, doing nothing, without IFMA.
 */
enum { M1_LANES = 8 };

/* The backward step of a group of eight pairs (np = 8 g ... 8 g + 7) and their additions:
 * q[i], q[i] + 1 the pairs (i < m; the others are padding), den and pre from pair np, inv
 * the lanes' running inverses. The lambda numerators are made here (pair_num); everything else of the common pairs runs in tacit__g1_lanes_step, in radix
 * 2^52 from load to store; the pairs at infinity or P == -Q through the scalar pair_add. */
static void m1_lanes_group(tacit_g1_affine *q[M1_LANES], size_t m, tacit__fp52x8 *inv,
                           const tacit_fp *den, const tacit_fp *pre)
{
    tacit_fp num[M1_LANES], d[M1_LANES], pr[M1_LANES], di[M1_LANES];
    unsigned mask = 0;
    for (size_t i = 0; i < M1_LANES; i++) {
        num[i] = c1_zero;
        d[i] = i < m ? den[i] : c1_one;
        pr[i] = i < m ? pre[i] : c1_one;
        if (i >= m) {
            q[i] = q[0]; /* read, never written */
            continue;
        }
        if (m1_pair_num(&num[i], q[i], q[i] + 1)) mask |= 1u << i;
    }
    tacit__g1_lanes_step(inv, di, pr, d, num, q, mask);
    for (size_t i = 0; i < m; i++)
        if (!(mask >> i & 1)) m1_pair_add(q[i], q[i], q[i] + 1, &di[i]);
}

/* li[k] = 1 / acc[k] for the eight lanes, with one inversion (Montgomery's trick). */
static void lanes_inv(tacit_fp li[M1_LANES], const tacit_fp acc[M1_LANES])
{
    tacit_fp pref[M1_LANES], s, tot;
    pref[0] = c1_one;
    for (size_t k = 1; k < M1_LANES; k++) mfp_mul(&pref[k], &pref[k - 1], &acc[k - 1]);
    mfp_mul(&tot, &pref[M1_LANES - 1], &acc[M1_LANES - 1]);
    tacit_fp_inv_var(&s, &tot);
    for (size_t k = M1_LANES; k-- > 0;) {
        mfp_mul(&li[k], &s, &pref[k]);
        mfp_mul(&s, &s, &acc[k]);
    }
}

static bool m1_round_lanes(tacit_g1_affine *pts, const uint32_t *cnt, const uint32_t *start,
                           const uint32_t *active, size_t na, tacit_fp *den, tacit_fp *pre,
                           tacit_fp *nrm)
{
    tacit_fp acc[M1_LANES], li[M1_LANES], d[M1_LANES], pr[M1_LANES];
    tacit__fp52x8 inv, acc52;
    tacit_g1_affine *q[M1_LANES];
    size_t np = 0, tail;
    (void)nrm;
    if (!tacit__use_ifma) return false;

    /* forward: pre[np] = the product of den[np - 8], den[np - 16], ... (lane np % 8) */
    for (size_t i = 0; i < M1_LANES; i++) acc[i] = c1_one;
    tacit__fp52x8_load(&acc52, acc);
    for (size_t a = 0; a < na; a++) {
        tacit_g1_affine *b = &pts[start[active[a]]];
        size_t h = cnt[active[a]] / 2;
        for (size_t t = 0; t < h; t++, np++) {
            m1_pair_den(&den[np], &b[2 * t], &b[2 * t + 1]);
            if (np % M1_LANES == M1_LANES - 1)
                tacit__g1_lanes_fwd(&acc52, &pre[np + 1 - M1_LANES], &den[np + 1 - M1_LANES]);
        }
    }
    tail = np % M1_LANES;
    if (tail != 0) { /* the last, partial group: the missing lanes multiply by 1 */
        for (size_t i = 0; i < M1_LANES; i++) d[i] = i < tail ? den[np - tail + i] : c1_one;
        tacit__g1_lanes_fwd(&acc52, pr, d);
        memcpy(&pre[np - tail], pr, tail * sizeof *pr);
    }
    tacit__fp52x8_store(acc, &acc52);

    lanes_inv(li, acc);
    tacit__fp52x8_load(&inv, li);

    /* backward, a group of eight pairs (np = 8 g ... 8 g + 7) at a time, from the top */
    for (size_t a = na; a-- > 0;) {
        tacit_g1_affine *b = &pts[start[active[a]]];
        size_t h = cnt[active[a]] / 2;
        for (size_t t = h; t-- > 0;) {
            np--;
            q[np % M1_LANES] = &b[2 * t];
            if (np % M1_LANES != 0) continue;
            size_t m = tail != 0 ? tail : M1_LANES;
            tail = 0;
            m1_lanes_group(q, m, &inv, &den[np], &pre[np]);
        }
    }
    return true;
}

/* G2's batch inversion through the norm to Fp: 1/d = conj(d) / (d.c0^2 + d.c1^2) */
static inline void m2_norm(tacit_fp *n, const tacit_fp2 *d)
{
    tacit_fp t;
    mfp_sqr(n, &d->c0);
    mfp_sqr(&t, &d->c1);
    fp_add(n, n, &t);
}

static inline void m2_norm_inv(tacit_fp2 *di, const tacit_fp2 *d, const tacit_fp *ninv)
{
    mfp_mul(&di->c0, &d->c0, ninv);
    mfp_mul(&di->c1, &d->c1, ninv);
    fp_neg(&di->c1, &di->c1);
}

static bool m2_round_lanes(tacit_g2_affine *pts, const uint32_t *cnt, const uint32_t *start,
                           const uint32_t *active, size_t na, tacit_fp2 *den, tacit_fp *pre,
                           tacit_fp *nrm);

#define MSM_ROUND_LANES m2_round_lanes
#define MSM_FN(name) m2_##name
#define MSM_NORM m2_norm
#define MSM_NORM_INV m2_norm_inv
#define NM tacit_fp
#define nm_mul mfp_mul
#define nm_inv_var tacit_fp_inv_var
#define NM_ONE c1_one
#define CFN(name) c2_##name
#define JAC tacit_g2
#define AFF tacit_g2_affine
#define FE tacit_fp2
#define fe_add fp2_add
#define fe_sub fp2_sub
#define fe_dbl fp2_dbl
#define fe_neg fp2_neg
#define fe_mul mfp2_mul
#define fe_sqr mfp2_sqr
#define fe_eq fp2_eq
#define fe_inv_var tacit__fp2_inv_var
#define FE_ONE c2_one
#define fe_inv tacit_fp2_inv
#define fe_cmov fp2_cmov_mask
#define fe_zero_mask fp2_zero_mask
#define FE_ZERO c2_zero
#include "crypto/msm_impl.h"

/*
 * G2's rounds on the IFMA lanes, as m1_round_lanes, with G2's inversion through the norm:
 * the lanes chain the norms N(den) in Fp, and every Fp2 product is three lane products
 * (Karatsuba, as mfp2_mul), a square two (as mfp2_sqr).
 */
/* m1_lanes_group for G2: the numerators here, the rest in tacit__g2_lanes_step. */
static void m2_lanes_group(tacit_g2_affine *q[M1_LANES], size_t m, tacit__fp52x8 *inv,
                           const tacit_fp2 *den, const tacit_fp *pre, const tacit_fp *nrm)
{
    tacit_fp2 num[M1_LANES], d[M1_LANES], di[M1_LANES];
    tacit_fp pr[M1_LANES], nm[M1_LANES];
    unsigned mask = 0;
    for (size_t i = 0; i < M1_LANES; i++) {
        num[i] = c2_zero;
        d[i] = i < m ? den[i] : c2_one;
        pr[i] = i < m ? pre[i] : c1_one;
        nm[i] = i < m ? nrm[i] : c1_one;
        if (i >= m) {
            q[i] = q[0]; /* read, never written */
            continue;
        }
        if (m2_pair_num(&num[i], q[i], q[i] + 1)) mask |= 1u << i;
    }
    tacit__g2_lanes_step(inv, di, pr, nm, d, num, q, mask);
    for (size_t i = 0; i < m; i++)
        if (!(mask >> i & 1)) m2_pair_add(q[i], q[i], q[i] + 1, &di[i]);
}

static bool m2_round_lanes(tacit_g2_affine *pts, const uint32_t *cnt, const uint32_t *start,
                           const uint32_t *active, size_t na, tacit_fp2 *den, tacit_fp *pre,
                           tacit_fp *nrm)
{
    tacit_fp acc[M1_LANES], li[M1_LANES], nm[M1_LANES], pr[M1_LANES];
    tacit_fp2 d[M1_LANES];
    tacit__fp52x8 inv, acc52;
    tacit_g2_affine *q[M1_LANES];
    size_t np = 0, tail;
    if (!tacit__use_ifma) return false;

    /* forward: pre[np] = the product of nrm[np - 8], nrm[np - 16], ... (lane np % 8) */
    for (size_t i = 0; i < M1_LANES; i++) acc[i] = c1_one;
    tacit__fp52x8_load(&acc52, acc);
    for (size_t a = 0; a < na; a++) {
        tacit_g2_affine *b = &pts[start[active[a]]];
        size_t h = cnt[active[a]] / 2;
        for (size_t t = 0; t < h; t++, np++) {
            m2_pair_den(&den[np], &b[2 * t], &b[2 * t + 1]);
            if (np % M1_LANES == M1_LANES - 1) {
                size_t g = np + 1 - M1_LANES;
                tacit__g2_lanes_fwd(&acc52, &pre[g], &nrm[g], &den[g]);
            }
        }
    }
    tail = np % M1_LANES;
    if (tail != 0) { /* the last, partial group: the missing lanes' dens are 1 */
        size_t g = np - tail;
        for (size_t i = 0; i < M1_LANES; i++) d[i] = i < tail ? den[g + i] : c2_one;
        tacit__g2_lanes_fwd(&acc52, pr, nm, d);
        memcpy(&nrm[g], nm, tail * sizeof *nm);
        memcpy(&pre[g], pr, tail * sizeof *pr);
    }
    tacit__fp52x8_store(acc, &acc52);
    lanes_inv(li, acc);
    tacit__fp52x8_load(&inv, li);

    /* backward, a group of eight pairs (np = 8 g ... 8 g + 7) at a time, from the top */
    for (size_t a = na; a-- > 0;) {
        tacit_g2_affine *b = &pts[start[active[a]]];
        size_t h = cnt[active[a]] / 2;
        for (size_t t = h; t-- > 0;) {
            np--;
            q[np % M1_LANES] = &b[2 * t];
            if (np % M1_LANES != 0) continue;
            size_t m = tail != 0 ? tail : M1_LANES;
            tail = 0;
            m2_lanes_group(q, m, &inv, &den[np], &pre[np], &nrm[np]);
        }
    }
    return true;
}

/* ---------------------------------------------------------------- public ---- */

void tacit_g2_msm_var(tacit_g2 *r, const tacit_g2_affine *p, const uint64_t (*k)[4], size_t n)
{
    unsigned bits = tacit__msm_scalar_bits(k, n);
    if (bits == 0) {
        c2_set_inf(r);
        return;
    }
    m2_pippenger_jac(r, p, k, n, bits);
}

/* -------------------------------------------------------------- internal ---- */

unsigned tacit__msm_scalar_bits(const uint64_t (*k)[4], size_t n)
{
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned b = scalar_bitlen(k[i], 4);
        if (b > bits) bits = b;
    }
    return bits;
}

unsigned tacit__msm_nwindows(unsigned bits, unsigned c) { return bits / c + 1; }

/*
 * Cost per window, in field multiplications: about 9.5 per point (an affine addition with
 * a shared inversion is 6: 3 for the batch inversion, 2 for lambda and x3, 1 for y3; the
 * rest is the sorting, copies and subtractions, as measured) and 27 per bucket (one mixed
 * and one full Jacobian addition for the running sums). The ratio is about the same in G1
 * and G2. With the row and column sums of window() a bucket costs less (about two
 * batch-affine additions, some 19); that moves the choice for the transfer proof's sizes
 * (18,240 and 32,768 points: c = 11 and 12) nowhere, so 27, as measured, stays.
 */
unsigned tacit__msm_window_bits(size_t n, unsigned bits)
{
    unsigned best = 2;
    double best_cost = 0;
    for (unsigned c = 2; c <= 16; c++) {
        double cost = (double)tacit__msm_nwindows(bits, c) *
                      (9.5 * (double)n + 27.0 * (double)(1u << (c - 1)));
        if (c == 2 || cost < best_cost) {
            best = c;
            best_cost = cost;
        }
    }
    return best;
}

/* Points per chunk of a window (see window() in msm_impl.h): the chunk's sorted copies,
 * the buckets and the batch-inversion arrays then fit in a 1 MB L2 cache. Measured on the
 * transfer proof (tacit-bench prove), see docs/operations.md. */
#define G1_CHUNK 4096
#define G2_CHUNK 2048

size_t tacit__g1_msm_scratch_bytes(size_t n, unsigned c)
{
    return m1_scratch_bytes(n, c, G1_CHUNK);
}
size_t tacit__g2_msm_scratch_bytes(size_t n, unsigned c)
{
    return m2_scratch_bytes(n, c, G2_CHUNK);
}

void tacit__g1_msm_window_var(tacit_g1 *w, const tacit_g1_affine *p, const uint64_t (*k)[4],
                              size_t n, unsigned c, unsigned j, void *scratch)
{
    m1_window(w, p, k, n, c, j, G1_CHUNK, scratch);
}

void tacit__g2_msm_window_var(tacit_g2 *w, const tacit_g2_affine *p, const uint64_t (*k)[4],
                              size_t n, unsigned c, unsigned j, void *scratch)
{
    m2_window(w, p, k, n, c, j, G2_CHUNK, scratch);
}

size_t tacit__g1_msm_chunk_scratch_bytes(size_t n, unsigned c, size_t chunk)
{
    return m1_scratch_bytes(n, c, chunk);
}

size_t tacit__g2_msm_chunk_scratch_bytes(size_t n, unsigned c, size_t chunk)
{
    return m2_scratch_bytes(n, c, chunk);
}

void tacit__g1_msm_window_chunk_var(tacit_g1 *w, const tacit_g1_affine *p, const uint64_t (*k)[4],
                                    size_t n, unsigned c, unsigned j, size_t chunk, void *scratch)
{
    m1_window(w, p, k, n, c, j, chunk, scratch);
}

void tacit__g2_msm_window_chunk_var(tacit_g2 *w, const tacit_g2_affine *p, const uint64_t (*k)[4],
                                    size_t n, unsigned c, unsigned j, size_t chunk, void *scratch)
{
    m2_window(w, p, k, n, c, j, chunk, scratch);
}

void tacit__g1_msm_combine(tacit_g1 *r, const tacit_g1 *w, unsigned nwin, unsigned c)
{
    m1_combine(r, w, nwin, c);
}

void tacit__g2_msm_combine(tacit_g2 *r, const tacit_g2 *w, unsigned nwin, unsigned c)
{
    m2_combine(r, w, nwin, c);
}

/* One MSM split by window over threads. */
struct par_msm {
    bool g2;
    const void *p;
    const uint64_t (*k)[4];
    size_t n;
    unsigned c;
    void *win; /* tacit_g1 or tacit_g2 [nwindows] */
    unsigned char *scratch;
    size_t scratch_bytes; /* per thread, rounded up to 64 */
};

static void par_msm_task(void *ctx, size_t task, unsigned thread)
{
    struct par_msm *m = ctx;
    void *s = m->scratch + (size_t)thread * m->scratch_bytes;
    if (m->g2)
        m2_window((tacit_g2 *)m->win + task, m->p, m->k, m->n, m->c, (unsigned)task, G2_CHUNK, s);
    else
        m1_window((tacit_g1 *)m->win + task, m->p, m->k, m->n, m->c, (unsigned)task, G1_CHUNK, s);
}

/* Returns false when the memory could not be allocated (nothing computed). */
static bool par_msm(void *r, bool g2, const void *p, const uint64_t (*k)[4], size_t n,
                    unsigned nthreads)
{
    struct par_msm m;
    unsigned bits = tacit__msm_scalar_bits(k, n), nwin;

    if (bits == 0) {
        if (g2)
            c2_set_inf(r);
        else
            c1_set_inf(r);
        return true;
    }
    if (nthreads == 0) nthreads = tacit__nthreads_default();
    m.g2 = g2;
    m.p = p;
    m.k = k;
    m.n = n;
    m.c = tacit__msm_window_bits(n, bits);
    nwin = tacit__msm_nwindows(bits, m.c);
    if (nthreads > nwin) nthreads = nwin;
    m.scratch_bytes = g2 ? m2_scratch_bytes(n, m.c, G2_CHUNK) : m1_scratch_bytes(n, m.c, G1_CHUNK);
    m.scratch_bytes = (m.scratch_bytes + 63) & ~(size_t)63;
    m.win = malloc((size_t)nwin * (g2 ? sizeof(tacit_g2) : sizeof(tacit_g1)));
    m.scratch = malloc(m.scratch_bytes * nthreads);
    if (m.win == NULL || m.scratch == NULL) {
        free(m.win);
        free(m.scratch);
        return false;
    }
    tacit__parallel_run(nthreads, nwin, par_msm_task, &m);
    if (g2)
        m2_combine(r, m.win, nwin, m.c);
    else
        m1_combine(r, m.win, nwin, m.c);
    free(m.win);
    free(m.scratch);
    return true;
}

/* Below this many points the batch-affine windows do not pay: Straus / Jacobian Pippenger. */
#define PAR_MIN_POINTS 64

void tacit__g1_msm_par_var(tacit_g1 *r, const tacit_g1_affine *p, const uint64_t (*k)[4], size_t n,
                           unsigned nthreads)
{
    if (n < PAR_MIN_POINTS || !par_msm(r, false, p, k, n, nthreads)) tacit_g1_msm_var(r, p, k, n);
}

void tacit__g2_msm_par_var(tacit_g2 *r, const tacit_g2_affine *p, const uint64_t (*k)[4], size_t n,
                           unsigned nthreads)
{
    if (n < PAR_MIN_POINTS || !par_msm(r, true, p, k, n, nthreads)) tacit_g2_msm_var(r, p, k, n);
}

/* ------------------------------------------------------------ fixed base ---- */

void tacit__g1_fixed_init(tacit__g1_fixed_table *t, const tacit_g1_affine *base)
{
    m1_fixed_init(t->tab, base);
}

void tacit__g2_fixed_init(tacit__g2_fixed_table *t, const tacit_g2_affine *base)
{
    m2_fixed_init(t->tab, base);
}

void tacit__g1_fixed_mul(tacit_g1_affine *out, const tacit__g1_fixed_table *t,
                         const uint64_t (*k)[4], size_t n)
{
    for (size_t i = 0; i < n; i += FIXED_CHUNK) {
        size_t m = n - i < FIXED_CHUNK ? n - i : FIXED_CHUNK;
        m1_fixed_mul(out + i, t->tab, k + i, m);
    }
}

void tacit__g2_fixed_mul(tacit_g2_affine *out, const tacit__g2_fixed_table *t,
                         const uint64_t (*k)[4], size_t n)
{
    for (size_t i = 0; i < n; i += FIXED_CHUNK) {
        size_t m = n - i < FIXED_CHUNK ? n - i : FIXED_CHUNK;
        m2_fixed_mul(out + i, t->tab, k + i, m);
    }
}
