/*
 * The extension tower Fp2 -> Fp6 -> Fp12 of BN254.
 *   Fp2 = Fp[u]/(u^2 + 1), Fp6 = Fp2[v]/(v^3 - xi), xi = 9 + u, Fp12 = Fp6[w]/(w^2 - v).
 * Multiplication and squaring formulas: Devegili, O hEigeartaigh, Scott, Dahab,
 * "Multiplication and squaring on pairing-friendly fields" (2006): Karatsuba for Fp6 and
 * Fp12, Chung-Hasan SQR2 for Fp6, "complex" squaring for Fp12. Cyclotomic squaring:
 * Granger, Scott, "Faster squaring in the cyclotomic subgroup of sixth degree
 * extensions" (PKC 2010), section 3.2.
 */
#include "crypto/tower.h"

/* ------------------------------------------------------------------ Fp2 ---- */
void tacit_fp2_add(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b) { fp2_add(r, a, b); }
void tacit_fp2_sub(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b) { fp2_sub(r, a, b); }
void tacit_fp2_neg(tacit_fp2 *r, const tacit_fp2 *a) { fp2_neg(r, a); }
void tacit_fp2_dbl(tacit_fp2 *r, const tacit_fp2 *a) { fp2_dbl(r, a); }
void tacit_fp2_mul(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b) { fp2_mul(r, a, b); }
void tacit_fp2_sqr(tacit_fp2 *r, const tacit_fp2 *a) { fp2_sqr(r, a); }
void tacit_fp2_mul_fp(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp *b) { fp2_mul_fp(r, a, b); }
void tacit_fp2_mul_xi(tacit_fp2 *r, const tacit_fp2 *a) { fp2_mul_xi(r, a); }
void tacit_fp2_conj(tacit_fp2 *r, const tacit_fp2 *a) { fp2_conj(r, a); }
bool tacit_fp2_eq(const tacit_fp2 *a, const tacit_fp2 *b) { return fp2_eq(a, b); }
bool tacit_fp2_is_zero(const tacit_fp2 *a) { return fp2_is_zero(a); }

void tacit_fp2_cmov(tacit_fp2 *r, const tacit_fp2 *a, unsigned flag)
{
    tacit_fp_cmov(&r->c0, &a->c0, flag);
    tacit_fp_cmov(&r->c1, &a->c1, flag);
}

/* (a0 + a1 u)^-1 = (a0 - a1 u) / (a0^2 + a1^2); 0 maps to 0. */
void tacit_fp2_inv(tacit_fp2 *r, const tacit_fp2 *a)
{
    tacit_fp t0, t1;
    fp_sqr(&t0, &a->c0);
    fp_sqr(&t1, &a->c1);
    fp_add(&t0, &t0, &t1);
    tacit_fp_inv(&t1, &t0);
    fp_mul(&r->c0, &a->c0, &t1);
    fp_mul(&t1, &a->c1, &t1);
    fp_neg(&r->c1, &t1);
}

/* Same, variable time (for public values such as points being normalised). */
void tacit__fp2_inv_var(tacit_fp2 *r, const tacit_fp2 *a)
{
    tacit_fp t0, t1;
    fp_sqr(&t0, &a->c0);
    fp_sqr(&t1, &a->c1);
    fp_add(&t0, &t0, &t1);
    tacit_fp_inv_var(&t1, &t0);
    fp_mul(&r->c0, &a->c0, &t1);
    fp_mul(&t1, &a->c1, &t1);
    fp_neg(&r->c1, &t1);
}

void tacit_fp2_pow_var(tacit_fp2 *r, const tacit_fp2 *a, const uint64_t *e, size_t nlimbs)
{
    tacit_fp2 acc = {TACIT_FP_ONE, TACIT_FP_ZERO}, base = *a;
    for (size_t i = nlimbs; i-- > 0;)
        for (int b = 63; b >= 0; b--) {
            fp2_sqr(&acc, &acc);
            if ((e[i] >> b) & 1) fp2_mul(&acc, &acc, &base);
        }
    *r = acc;
}

/* Square root in Fp2 for p = 3 mod 4: Adj, Rodriguez-Henriquez, "Square root
 * computation over even extension fields" (IEEE TC 2014), Algorithm 9. Variable time. */
bool tacit_fp2_sqrt(tacit_fp2 *r, const tacit_fp2 *a)
{
    static const tacit_fp e34 = TACIT__P_MINUS_3_DIV_4_RAW;
    static const tacit_fp e12 = TACIT__P_MINUS_1_DIV_2_RAW;
    tacit_fp2 a1, alpha, x0, x, chk;
    const tacit_fp2 minus_one = {{{0}}, {{0}}};
    tacit_fp2 m1 = minus_one;
    fp_neg(&m1.c0, &TACIT_FP_ONE);
    if (fp2_is_zero(a)) {
        *r = *a;
        return true;
    }
    tacit_fp2_pow_var(&a1, a, e34.l, 4); /* a1 = a^((p-3)/4) */
    fp2_mul(&x0, &a1, a);                /* x0 = a^((p+1)/4) */
    fp2_mul(&alpha, &a1, &x0);           /* alpha = a^((p-1)/2) */
    if (fp2_eq(&alpha, &m1)) {
        /* x = u * x0 */
        x.c0 = x0.c1;
        fp_neg(&x.c0, &x.c0);
        x.c1 = x0.c0;
    } else {
        tacit_fp2 b, one = {TACIT_FP_ONE, TACIT_FP_ZERO};
        fp2_add(&b, &alpha, &one);
        tacit_fp2_pow_var(&b, &b, e12.l, 4); /* b = (1 + alpha)^((p-1)/2) */
        fp2_mul(&x, &b, &x0);
    }
    fp2_sqr(&chk, &x);
    if (!fp2_eq(&chk, a)) return false;
    *r = x;
    return true;
}

/* ------------------------------------------------------------------ Fp6 ---- */
void tacit_fp6_add(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b) { fp6_add(r, a, b); }
void tacit_fp6_sub(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b) { fp6_sub(r, a, b); }
void tacit_fp6_neg(tacit_fp6 *r, const tacit_fp6 *a) { fp6_neg(r, a); }
void tacit_fp6_mul(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b) { fp6_mul(r, a, b); }
void tacit_fp6_sqr(tacit_fp6 *r, const tacit_fp6 *a) { fp6_sqr(r, a); }
void tacit_fp6_mul_v(tacit_fp6 *r, const tacit_fp6 *a) { fp6_mul_v(r, a); }
bool tacit_fp6_eq(const tacit_fp6 *a, const tacit_fp6 *b)
{
    return fp2_eq(&a->c0, &b->c0) && fp2_eq(&a->c1, &b->c1) && fp2_eq(&a->c2, &b->c2);
}

/* (c0 + c1 v + c2 v^2)^-1: with t0 = c0^2 - xi c1 c2, t1 = xi c2^2 - c0 c1,
 * t2 = c1^2 - c0 c2, the inverse is (t0 + t1 v + t2 v^2) / (c0 t0 + xi (c2 t1 + c1 t2)).
 * var: the Fp inversion inside is the variable-time one (public values). */
static void fp6_inv(tacit_fp6 *r, const tacit_fp6 *a, bool var)
{
    tacit_fp2 t0, t1, t2, s, d;
    fp2_sqr(&t0, &a->c0);
    fp2_mul(&s, &a->c1, &a->c2);
    fp2_mul_xi(&s, &s);
    fp2_sub(&t0, &t0, &s);
    fp2_sqr(&t1, &a->c2);
    fp2_mul_xi(&t1, &t1);
    fp2_mul(&s, &a->c0, &a->c1);
    fp2_sub(&t1, &t1, &s);
    fp2_sqr(&t2, &a->c1);
    fp2_mul(&s, &a->c0, &a->c2);
    fp2_sub(&t2, &t2, &s);
    fp2_mul(&d, &a->c2, &t1);
    fp2_mul(&s, &a->c1, &t2);
    fp2_add(&d, &d, &s);
    fp2_mul_xi(&d, &d);
    fp2_mul(&s, &a->c0, &t0);
    fp2_add(&d, &d, &s);
    if (var)
        tacit__fp2_inv_var(&d, &d);
    else
        tacit_fp2_inv(&d, &d);
    fp2_mul(&r->c0, &t0, &d);
    fp2_mul(&r->c1, &t1, &d);
    fp2_mul(&r->c2, &t2, &d);
}

void tacit_fp6_inv(tacit_fp6 *r, const tacit_fp6 *a) { fp6_inv(r, a, false); }

static const tacit_fp2 frob_coeff[3][5] = {
    {TACIT__FROB_1_1, TACIT__FROB_1_2, TACIT__FROB_1_3, TACIT__FROB_1_4, TACIT__FROB_1_5},
    {TACIT__FROB_2_1, TACIT__FROB_2_2, TACIT__FROB_2_3, TACIT__FROB_2_4, TACIT__FROB_2_5},
    {TACIT__FROB_3_1, TACIT__FROB_3_2, TACIT__FROB_3_3, TACIT__FROB_3_4, TACIT__FROB_3_5},
};

/* x^(p^k) for x in Fp2: conjugate when k is odd. */
static inline void fp2_frob(tacit_fp2 *r, const tacit_fp2 *a, int k)
{
    if (k & 1)
        fp2_conj(r, a);
    else
        *r = *a;
}

/* v = w^2, so (c0 + c1 v + c2 v^2)^(p^k) = c0' + c1' g[k][2] v + c2' g[k][4] v^2,
 * with g[k][j] = xi^(j (p^k - 1)/6) and c' = c^(p^k). */
void tacit_fp6_frob(tacit_fp6 *r, const tacit_fp6 *a, int k)
{
    fp2_frob(&r->c0, &a->c0, k);
    fp2_frob(&r->c1, &a->c1, k);
    fp2_frob(&r->c2, &a->c2, k);
    fp2_mul(&r->c1, &r->c1, &frob_coeff[k - 1][1]);
    fp2_mul(&r->c2, &r->c2, &frob_coeff[k - 1][3]);
}

/* ----------------------------------------------------------------- Fp12 ---- */
const tacit_fp12 TACIT_FP12_ONE = {{{TACIT__P_ONE, {{0}}}, {{{0}}, {{0}}}, {{{0}}, {{0}}}},
                                   {{{{0}}, {{0}}}, {{{0}}, {{0}}}, {{{0}}, {{0}}}}};

void tacit_fp12_mul(tacit_fp12 *r, const tacit_fp12 *a, const tacit_fp12 *b) { fp12_mul(r, a, b); }
void tacit_fp12_sqr(tacit_fp12 *r, const tacit_fp12 *a) { fp12_sqr(r, a); }
void tacit_fp12_conj(tacit_fp12 *r, const tacit_fp12 *a)
{
    r->c0 = a->c0;
    fp6_neg(&r->c1, &a->c1);
}

bool tacit_fp12_eq(const tacit_fp12 *a, const tacit_fp12 *b)
{
    return tacit_fp6_eq(&a->c0, &b->c0) && tacit_fp6_eq(&a->c1, &b->c1);
}

bool tacit_fp12_is_one(const tacit_fp12 *a) { return tacit_fp12_eq(a, &TACIT_FP12_ONE); }

/* (a0 + a1 w)^-1 = (a0 - a1 w) / (a0^2 - v a1^2) */
static void fp12_inv(tacit_fp12 *r, const tacit_fp12 *a, bool var)
{
    tacit_fp6 t0, t1;
    fp6_sqr(&t0, &a->c0);
    fp6_sqr(&t1, &a->c1);
    fp6_mul_v(&t1, &t1);
    fp6_sub(&t0, &t0, &t1);
    fp6_inv(&t0, &t0, var);
    fp6_mul(&r->c0, &a->c0, &t0);
    fp6_mul(&r->c1, &a->c1, &t0);
    fp6_neg(&r->c1, &r->c1);
}

void tacit_fp12_inv(tacit_fp12 *r, const tacit_fp12 *a) { fp12_inv(r, a, false); }
void tacit__fp12_inv_var(tacit_fp12 *r, const tacit_fp12 *a) { fp12_inv(r, a, true); }

/* In the w-basis f = sum g_j w^j (g0 = c0.c0, g2 = c0.c1, g4 = c0.c2, g1 = c1.c0,
 * g3 = c1.c1, g5 = c1.c2), f^(p^k) = sum g_j^(p^k) xi^(j (p^k - 1)/6) w^j. */
void tacit_fp12_frob(tacit_fp12 *r, const tacit_fp12 *a, int k)
{
    const tacit_fp2 *g = frob_coeff[k - 1];
    fp2_frob(&r->c0.c0, &a->c0.c0, k);
    fp2_frob(&r->c0.c1, &a->c0.c1, k);
    fp2_frob(&r->c0.c2, &a->c0.c2, k);
    fp2_frob(&r->c1.c0, &a->c1.c0, k);
    fp2_frob(&r->c1.c1, &a->c1.c1, k);
    fp2_frob(&r->c1.c2, &a->c1.c2, k);
    fp2_mul(&r->c0.c1, &r->c0.c1, &g[1]);
    fp2_mul(&r->c0.c2, &r->c0.c2, &g[3]);
    fp2_mul(&r->c1.c0, &r->c1.c0, &g[0]);
    fp2_mul(&r->c1.c1, &r->c1.c1, &g[2]);
    fp2_mul(&r->c1.c2, &r->c1.c2, &g[4]);
}

/* Squaring in Fp4 = Fp2[t]/(t^2 - xi): (x + y t)^2 = (x^2 + xi y^2) + 2xy t. */
static inline void fp4_sqr(tacit_fp2 *rx, tacit_fp2 *ry, const tacit_fp2 *x, const tacit_fp2 *y)
{
    tacit_fp2 x2, y2, s;
    fp2_sqr(&x2, x);
    fp2_sqr(&y2, y);
    fp2_add(&s, x, y);
    fp2_sqr(&s, &s);
    fp2_sub(&s, &s, &x2);
    fp2_sub(ry, &s, &y2);
    fp2_mul_xi(&y2, &y2);
    fp2_add(rx, &x2, &y2);
}

/* Granger-Scott: write f = A + B w + C w^2 over Fp4 = Fp2[t], t = w^3, with
 * A = g0 + g3 t, B = g1 + g4 t, C = g2 + g5 t. For f in the cyclotomic subgroup,
 * f^2 = (3A^2 - 2 conj(A)) + (3 t C^2 + 2 conj(B)) w + (3 B^2 - 2 conj(C)) w^2. */
void tacit_fp12_cyclotomic_sqr(tacit_fp12 *r, const tacit_fp12 *a)
{
    const tacit_fp2 *g0 = &a->c0.c0, *g1 = &a->c1.c0, *g2 = &a->c0.c1;
    const tacit_fp2 *g3 = &a->c1.c1, *g4 = &a->c0.c2, *g5 = &a->c1.c2;
    tacit_fp2 ax, ay, bx, by, cx, cy, t;
    fp4_sqr(&ax, &ay, g0, g3);
    fp4_sqr(&bx, &by, g1, g4);
    fp4_sqr(&cx, &cy, g2, g5);
    tacit_fp12 o;
    /* A' = 3 A^2 - 2 conj(A) */
    fp2_sub(&t, &ax, g0);
    fp2_dbl(&t, &t);
    fp2_add(&o.c0.c0, &t, &ax); /* 3ax - 2g0 */
    fp2_add(&t, &ay, g3);
    fp2_dbl(&t, &t);
    fp2_add(&o.c1.c1, &t, &ay); /* 3ay + 2g3 */
    /* B' = 3 t C^2 + 2 conj(B); t (cx + cy t) = xi cy + cx t */
    fp2_mul_xi(&cy, &cy);
    fp2_add(&t, &cy, g1);
    fp2_dbl(&t, &t);
    fp2_add(&o.c1.c0, &t, &cy); /* 3 xi cy + 2g1 */
    fp2_sub(&t, &cx, g4);
    fp2_dbl(&t, &t);
    fp2_add(&o.c0.c2, &t, &cx); /* 3cx - 2g4 */
    /* C' = 3 B^2 - 2 conj(C) */
    fp2_sub(&t, &bx, g2);
    fp2_dbl(&t, &t);
    fp2_add(&o.c0.c1, &t, &bx); /* 3bx - 2g2 */
    fp2_add(&t, &by, g5);
    fp2_dbl(&t, &t);
    fp2_add(&o.c1.c2, &t, &by); /* 3by + 2g5 */
    *r = o;
}

void tacit_fp12_pow_var(tacit_fp12 *r, const tacit_fp12 *a, const uint64_t *e, size_t nlimbs)
{
    tacit_fp12 acc = TACIT_FP12_ONE, base = *a;
    for (size_t i = nlimbs; i-- > 0;)
        for (int b = 63; b >= 0; b--) {
            fp12_sqr(&acc, &acc);
            if ((e[i] >> b) & 1) fp12_mul(&acc, &acc, &base);
        }
    *r = acc;
}
