/*
 * Internal to src/crypto: inline Fp6 and Fp12 arithmetic shared by tower.c and
 * pairing.c (formulas cited in tower.c).
 */
#ifndef TACIT_CRYPTO_TOWER_H
#define TACIT_CRYPTO_TOWER_H

#include "crypto/field.h"

void tacit__fp2_inv_var(tacit_fp2 *r, const tacit_fp2 *a);
/* tacit_fp12_inv with the variable-time Fp inversion inside (public values). */
void tacit__fp12_inv_var(tacit_fp12 *r, const tacit_fp12 *a);

static inline void fp6_add(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b)
{
    fp2_add(&r->c0, &a->c0, &b->c0);
    fp2_add(&r->c1, &a->c1, &b->c1);
    fp2_add(&r->c2, &a->c2, &b->c2);
}

static inline void fp6_sub(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b)
{
    fp2_sub(&r->c0, &a->c0, &b->c0);
    fp2_sub(&r->c1, &a->c1, &b->c1);
    fp2_sub(&r->c2, &a->c2, &b->c2);
}

static inline void fp6_neg(tacit_fp6 *r, const tacit_fp6 *a)
{
    fp2_neg(&r->c0, &a->c0);
    fp2_neg(&r->c1, &a->c1);
    fp2_neg(&r->c2, &a->c2);
}

/* (c0 + c1 v + c2 v^2) v = xi c2 + c0 v + c1 v^2 */
static inline void fp6_mul_v(tacit_fp6 *r, const tacit_fp6 *a)
{
    tacit_fp2 t;
    fp2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

/* Karatsuba (Devegili et al. 2006, section 4) with lazy reduction (Aranha et al. 2011,
 * section 3, see field_impl.h): the six Fp2 products stay wide, each output coefficient
 * is formed from them as a wide value and reduced once; only the terms multiplied by xi
 * are reduced first (xi acts on reduced values: 9x of a wide x would leave [0, p 2^256)).
 * 10 Montgomery reductions instead of 18. Every wide value below is a product of reduced inputs
 * (fp2_add reduces) or a sum/difference mod p 2^256 of such, so in [0, p 2^256). */
static inline void fp6_mul(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b)
{
    tacit__fp2w v0, v1, v2, t;
    tacit_fp2 s, u, x, c0, c1, c2;
    fp2w_mul(&v0, &a->c0, &b->c0);
    fp2w_mul(&v1, &a->c1, &b->c1);
    fp2w_mul(&v2, &a->c2, &b->c2);
    /* c0 = v0 + xi ((a1 + a2)(b1 + b2) - v1 - v2) */
    fp2_add(&s, &a->c1, &a->c2);
    fp2_add(&u, &b->c1, &b->c2);
    fp2w_mul(&t, &s, &u);
    fp2w_sub(&t, &t, &v1);
    fp2w_sub(&t, &t, &v2);
    fp2w_redc(&x, &t);
    fp2_mul_xi(&x, &x);
    fp2w_redc(&c0, &v0);
    fp2_add(&c0, &c0, &x);
    /* c1 = (a0 + a1)(b0 + b1) - v0 - v1 + xi v2 */
    fp2_add(&s, &a->c0, &a->c1);
    fp2_add(&u, &b->c0, &b->c1);
    fp2w_mul(&t, &s, &u);
    fp2w_sub(&t, &t, &v0);
    fp2w_sub(&t, &t, &v1);
    fp2w_redc(&c1, &t);
    fp2w_redc(&x, &v2);
    fp2_mul_xi(&x, &x);
    fp2_add(&c1, &c1, &x);
    /* c2 = (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
    fp2_add(&s, &a->c0, &a->c2);
    fp2_add(&u, &b->c0, &b->c2);
    fp2w_mul(&t, &s, &u);
    fp2w_sub(&t, &t, &v0);
    fp2w_sub(&t, &t, &v2);
    fp2w_add(&t, &t, &v1);
    fp2w_redc(&c2, &t);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* The same product with every Fp2 product reduced: the reference of tests/test_field.c. */
static inline void fp6_mul_reduced(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b)
{
    tacit_fp2 v0, v1, v2, s, t, c0, c1, c2;
    fp2_mul_reduced(&v0, &a->c0, &b->c0);
    fp2_mul_reduced(&v1, &a->c1, &b->c1);
    fp2_mul_reduced(&v2, &a->c2, &b->c2);
    /* c0 = v0 + xi ((a1 + a2)(b1 + b2) - v1 - v2) */
    fp2_add(&s, &a->c1, &a->c2);
    fp2_add(&t, &b->c1, &b->c2);
    fp2_mul_reduced(&c0, &s, &t);
    fp2_sub(&c0, &c0, &v1);
    fp2_sub(&c0, &c0, &v2);
    fp2_mul_xi(&c0, &c0);
    fp2_add(&c0, &c0, &v0);
    /* c1 = (a0 + a1)(b0 + b1) - v0 - v1 + xi v2 */
    fp2_add(&s, &a->c0, &a->c1);
    fp2_add(&t, &b->c0, &b->c1);
    fp2_mul_reduced(&c1, &s, &t);
    fp2_sub(&c1, &c1, &v0);
    fp2_sub(&c1, &c1, &v1);
    fp2_mul_xi(&t, &v2);
    fp2_add(&c1, &c1, &t);
    /* c2 = (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
    fp2_add(&s, &a->c0, &a->c2);
    fp2_add(&t, &b->c0, &b->c2);
    fp2_mul_reduced(&c2, &s, &t);
    fp2_sub(&c2, &c2, &v0);
    fp2_sub(&c2, &c2, &v2);
    fp2_add(&c2, &c2, &v1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* Chung-Hasan SQR2: s0 = a0^2, s1 = 2 a0 a1, s2 = (a0 - a1 + a2)^2, s3 = 2 a1 a2,
 * s4 = a2^2; c0 = s0 + xi s3, c1 = s1 + xi s4, c2 = s1 + s2 + s3 - s0 - s4. */
static inline void fp6_sqr(tacit_fp6 *r, const tacit_fp6 *a)
{
    tacit_fp2 s0, s1, s2, s3, s4, t;
    fp2_sqr(&s0, &a->c0);
    fp2_mul(&s1, &a->c0, &a->c1);
    fp2_dbl(&s1, &s1);
    fp2_sub(&s2, &a->c0, &a->c1);
    fp2_add(&s2, &s2, &a->c2);
    fp2_sqr(&s2, &s2);
    fp2_mul(&s3, &a->c1, &a->c2);
    fp2_dbl(&s3, &s3);
    fp2_sqr(&s4, &a->c2);
    fp2_mul_xi(&t, &s3);
    fp2_add(&r->c0, &s0, &t);
    fp2_add(&r->c2, &s1, &s2);
    fp2_add(&r->c2, &r->c2, &s3);
    fp2_sub(&r->c2, &r->c2, &s0);
    fp2_sub(&r->c2, &r->c2, &s4);
    fp2_mul_xi(&t, &s4);
    fp2_add(&r->c1, &s1, &t);
}

/* (c0 + c1 v + c2 v^2)(x + y v), 5 Fp2 multiplications:
 * = (c0 x + c2 (xi y)) + (c0 y + c1 x) v + (c1 y + c2 x) v^2, with xy = xi y given by the
 * caller (fp12_mul_by_line uses one y twice). Lazy reduction as in fp6_mul: each output
 * coefficient is one wide value (at most three products of reduced inputs, combined mod
 * p 2^256) reduced once: 6 Montgomery reductions instead of 15. */
static inline void fp6_mul_by_01_xi(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp2 *x,
                                    const tacit_fp2 *y, const tacit_fp2 *xy)
{
    tacit__fp2w ax, by, t;
    tacit_fp2 s, u, c0, c1, c2;
    fp2w_mul(&ax, &a->c0, x);
    fp2w_mul(&by, &a->c1, y);
    /* c1 = (c0 + c1)(x + y) - c0 x - c1 y */
    fp2_add(&s, &a->c0, &a->c1);
    fp2_add(&u, x, y);
    fp2w_mul(&t, &s, &u);
    fp2w_sub(&t, &t, &ax);
    fp2w_sub(&t, &t, &by);
    fp2w_redc(&c1, &t);
    /* c2 = c1 y + c2 x */
    fp2w_mul(&t, &a->c2, x);
    fp2w_add(&t, &t, &by);
    fp2w_redc(&c2, &t);
    /* c0 = c0 x + c2 (xi y) */
    fp2w_mul(&t, &a->c2, xy);
    fp2w_add(&t, &t, &ax);
    fp2w_redc(&c0, &t);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

static inline void fp6_mul_by_01(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp2 *x,
                                 const tacit_fp2 *y)
{
    tacit_fp2 xy;
    fp2_mul_xi(&xy, y);
    fp6_mul_by_01_xi(r, a, x, y, &xy);
}

/* The reduced form of fp6_mul_by_01: the reference of tests/test_field.c. */
static inline void fp6_mul_by_01_reduced(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp2 *x,
                                         const tacit_fp2 *y)
{
    tacit_fp2 ax, by, s, t, c0, c1, c2;
    fp2_mul_reduced(&ax, &a->c0, x);
    fp2_mul_reduced(&by, &a->c1, y);
    /* c1 = (c0 + c1)(x + y) - c0 x - c1 y */
    fp2_add(&s, &a->c0, &a->c1);
    fp2_add(&t, x, y);
    fp2_mul_reduced(&c1, &s, &t);
    fp2_sub(&c1, &c1, &ax);
    fp2_sub(&c1, &c1, &by);
    /* c2 = c1 y + c2 x */
    fp2_mul_reduced(&c2, &a->c2, x);
    fp2_add(&c2, &c2, &by);
    /* c0 = c0 x + xi c2 y */
    fp2_mul_reduced(&c0, &a->c2, y);
    fp2_mul_xi(&c0, &c0);
    fp2_add(&c0, &c0, &ax);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

static inline void fp6_mul_fp2(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp2 *b)
{
    fp2_mul(&r->c0, &a->c0, b);
    fp2_mul(&r->c1, &a->c1, b);
    fp2_mul(&r->c2, &a->c2, b);
}

/* Karatsuba over Fp6: c0 = a0 b0 + v a1 b1, c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1 */
static inline void fp12_mul(tacit_fp12 *r, const tacit_fp12 *a, const tacit_fp12 *b)
{
    tacit_fp6 t0, t1, s, t;
    fp6_mul(&t0, &a->c0, &b->c0);
    fp6_mul(&t1, &a->c1, &b->c1);
    fp6_add(&s, &a->c0, &a->c1);
    fp6_add(&t, &b->c0, &b->c1);
    fp6_mul(&s, &s, &t);
    fp6_sub(&s, &s, &t0);
    fp6_sub(&r->c1, &s, &t1);
    fp6_mul_v(&t1, &t1);
    fp6_add(&r->c0, &t0, &t1);
}

/* Complex squaring: c0 = (a0 + a1)(a0 + v a1) - a0 a1 - v a0 a1, c1 = 2 a0 a1 */
static inline void fp12_sqr(tacit_fp12 *r, const tacit_fp12 *a)
{
    tacit_fp6 m, s, t;
    fp6_mul(&m, &a->c0, &a->c1);
    fp6_add(&s, &a->c0, &a->c1);
    fp6_mul_v(&t, &a->c1);
    fp6_add(&t, &t, &a->c0);
    fp6_mul(&s, &s, &t);
    fp6_sub(&s, &s, &m);
    fp6_mul_v(&t, &m);
    fp6_sub(&r->c0, &s, &t);
    fp6_add(&r->c1, &m, &m);
}

/* f * L where L = l0 + (l1 + l3 v) w is a line evaluated at P (its w-basis coefficients
 * g0 = l0, g1 = l1, g3 = l3; all others zero). 13 Fp2 multiplications. */
static inline void fp12_mul_by_line(tacit_fp12 *f, const tacit_fp2 *l0, const tacit_fp2 *l1,
                                    const tacit_fp2 *l3)
{
    tacit_fp6 t0, t1, s;
    tacit_fp2 x, xl3;
    fp2_mul_xi(&xl3, l3);
    fp6_mul_fp2(&t0, &f->c0, l0);
    fp6_mul_by_01_xi(&t1, &f->c1, l1, l3, &xl3);
    fp6_add(&s, &f->c0, &f->c1);
    fp2_add(&x, l0, l1);
    fp6_mul_by_01_xi(&s, &s, &x, l3, &xl3);
    fp6_sub(&s, &s, &t0);
    fp6_sub(&f->c1, &s, &t1);
    fp6_mul_v(&t1, &t1);
    fp6_add(&f->c0, &t0, &t1);
}

/* f * L for L = 1 + (l1 + l3 v) w (a normalised line): 10 Fp2 multiplications. */
static inline void fp12_mul_by_line_1(tacit_fp12 *f, const tacit_fp2 *l1, const tacit_fp2 *l3)
{
    tacit_fp6 t1, s;
    tacit_fp2 x, xl3;
    const tacit_fp2 one = {TACIT__P_ONE, {{0, 0, 0, 0}}};
    fp2_mul_xi(&xl3, l3);
    fp6_mul_by_01_xi(&t1, &f->c1, l1, l3, &xl3);
    fp6_add(&s, &f->c0, &f->c1);
    fp2_add(&x, l1, &one);
    fp6_mul_by_01_xi(&s, &s, &x, l3, &xl3);
    fp6_sub(&s, &s, &f->c0);
    fp6_sub(&f->c1, &s, &t1);
    fp6_mul_v(&t1, &t1);
    fp6_add(&f->c0, &f->c0, &t1);
}

#endif /* TACIT_CRYPTO_TOWER_H */
