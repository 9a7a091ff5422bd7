/*
 * Internal to src/crypto: inline Fp/Fr/Fp2 arithmetic for the hot paths (tower,
 * curves, pairing), so they inline in every build, LTO or not. The public
 * tacit_fp_* functions in fp.c wrap these.
 */
#ifndef TACIT_CRYPTO_FIELD_H
#define TACIT_CRYPTO_FIELD_H

#include "crypto/bn254_constants.h"
#include "crypto/field_impl.h"
#include "tacit/bn254.h"

static const tacit_fp tacit__p = TACIT__P_RAW;
static const uint64_t tacit__pinv = TACIT__P_INV;
static const tacit_fr tacit__r = TACIT__R_RAW;
static const uint64_t tacit__rinv = TACIT__R_INV;

/* ------------------------------------------------------------------- Fp ---- */
static inline void fp_add(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__mod_add(r->l, a->l, b->l, tacit__p.l);
}
static inline void fp_sub(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__mod_sub(r->l, a->l, b->l, tacit__p.l);
}
static inline void fp_neg(tacit_fp *r, const tacit_fp *a)
{
    tacit__mod_neg(r->l, a->l, tacit__p.l);
}
static inline void fp_dbl(tacit_fp *r, const tacit_fp *a)
{
    tacit__mod_add(r->l, a->l, a->l, tacit__p.l);
}
static inline void fp_mul(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__mont_mul(r->l, a->l, b->l, tacit__p.l, &tacit__pinv);
}
static inline void fp_sqr(tacit_fp *r, const tacit_fp *a)
{
    tacit__mont_mul(r->l, a->l, a->l, tacit__p.l, &tacit__pinv);
}
static inline bool fp_is_zero(const tacit_fp *a)
{
    return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0;
}
static inline bool fp_eq(const tacit_fp *a, const tacit_fp *b)
{
    return ((a->l[0] ^ b->l[0]) | (a->l[1] ^ b->l[1]) | (a->l[2] ^ b->l[2]) |
            (a->l[3] ^ b->l[3])) == 0;
}

/* r = a + b WITHOUT reduction: r < 2p. Valid only as an input of fp_mul/fp_sqr, whose
 * CIOS bound holds for inputs below 2p because 4p < 2^256. */
static inline void fp_add_nr(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__add_plain(r->l, a->l, b->l);
}

/* ------------------------------------------------------------------- Fr ---- */
static inline void fr_add(tacit_fr *r, const tacit_fr *a, const tacit_fr *b)
{
    tacit__mod_add(r->l, a->l, b->l, tacit__r.l);
}
static inline void fr_mul(tacit_fr *r, const tacit_fr *a, const tacit_fr *b)
{
    tacit__mont_mul(r->l, a->l, b->l, tacit__r.l, &tacit__rinv);
}
static inline void fr_sqr(tacit_fr *r, const tacit_fr *a)
{
    tacit__mont_mul(r->l, a->l, a->l, tacit__r.l, &tacit__rinv);
}

/* ------------------------------------------------------------------ Fp2 ---- */
static inline void fp2_add(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b)
{
    fp_add(&r->c0, &a->c0, &b->c0);
    fp_add(&r->c1, &a->c1, &b->c1);
}
static inline void fp2_sub(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b)
{
    fp_sub(&r->c0, &a->c0, &b->c0);
    fp_sub(&r->c1, &a->c1, &b->c1);
}
static inline void fp2_neg(tacit_fp2 *r, const tacit_fp2 *a)
{
    fp_neg(&r->c0, &a->c0);
    fp_neg(&r->c1, &a->c1);
}
static inline void fp2_dbl(tacit_fp2 *r, const tacit_fp2 *a)
{
    fp_dbl(&r->c0, &a->c0);
    fp_dbl(&r->c1, &a->c1);
}
static inline void fp2_conj(tacit_fp2 *r, const tacit_fp2 *a)
{
    r->c0 = a->c0;
    fp_neg(&r->c1, &a->c1);
}
static inline bool fp2_is_zero(const tacit_fp2 *a)
{
    return fp_is_zero(&a->c0) && fp_is_zero(&a->c1);
}
static inline bool fp2_eq(const tacit_fp2 *a, const tacit_fp2 *b)
{
    return fp_eq(&a->c0, &b->c0) && fp_eq(&a->c1, &b->c1);
}

/* ------------------------------------------------------ wide (lazy) ---- */
/* A wide Fp value: an integer in [0, p 2^256) standing for itself / 2^256 mod p, i.e. a
 * Montgomery product not yet reduced (contract and citation in field_impl.h). A wide Fp2
 * is a pair of them. fpw_redc turns one into an ordinary (Montgomery form) Fp element. */
typedef struct {
    uint64_t l[8];
} tacit__fpw;
typedef struct {
    tacit__fpw c0, c1;
} tacit__fp2w;

/* r = a b; a, b < 2p (reduced values or fp_add_nr sums), so r < 4p^2 < p 2^256. */
static inline void fpw_mul(tacit__fpw *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__mul_wide(r->l, a->l, b->l);
}
static inline void fpw_add(tacit__fpw *r, const tacit__fpw *a, const tacit__fpw *b)
{
    tacit__wide_add(r->l, a->l, b->l, tacit__p.l);
}
static inline void fpw_sub(tacit__fpw *r, const tacit__fpw *a, const tacit__fpw *b)
{
    tacit__wide_sub(r->l, a->l, b->l, tacit__p.l);
}
static inline void fpw_redc(tacit_fp *r, const tacit__fpw *a)
{
    tacit__redc(r->l, a->l, tacit__p.l, &tacit__pinv);
}

static inline void fp2w_add(tacit__fp2w *r, const tacit__fp2w *a, const tacit__fp2w *b)
{
    fpw_add(&r->c0, &a->c0, &b->c0);
    fpw_add(&r->c1, &a->c1, &b->c1);
}
static inline void fp2w_sub(tacit__fp2w *r, const tacit__fp2w *a, const tacit__fp2w *b)
{
    fpw_sub(&r->c0, &a->c0, &b->c0);
    fpw_sub(&r->c1, &a->c1, &b->c1);
}
static inline void fp2w_redc(tacit_fp2 *r, const tacit__fp2w *a)
{
    fpw_redc(&r->c0, &a->c0);
    fpw_redc(&r->c1, &a->c1);
}

/* Karatsuba into wide values: c0 = a0b0 - a1b1 (mod p 2^256), c1 = (a0+a1)(b0+b1) - a0b0 -
 * a1b1 = a0b1 + a1b0, which as an integer is in [0, 2p^2), so its two subtractions never
 * wrap and are done as plain integer subtractions. Inputs reduced (< p). */
static inline void fp2w_mul(tacit__fp2w *r, const tacit_fp2 *a, const tacit_fp2 *b)
{
    tacit_fp sa, sb;
    tacit__fpw t0, t1, t2;
    fpw_mul(&t0, &a->c0, &b->c0);
    fpw_mul(&t1, &a->c1, &b->c1);
    fp_add_nr(&sa, &a->c0, &a->c1);
    fp_add_nr(&sb, &b->c0, &b->c1);
    fpw_mul(&t2, &sa, &sb);
    fpw_sub(&r->c0, &t0, &t1);
    tacit__wide_sub2_plain(r->c1.l, t2.l, t0.l, t1.l);
}

/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u into wide values: (a0 + a1) < 2p and
 * 2 a0 < 2p unreduced, so both products are below 2p^2. Input reduced. */
static inline void fp2w_sqr(tacit__fp2w *r, const tacit_fp2 *a)
{
    tacit_fp s, d, a2;
    fp_add_nr(&s, &a->c0, &a->c1);
    fp_sub(&d, &a->c0, &a->c1);
    fp_add_nr(&a2, &a->c0, &a->c0);
    fpw_mul(&r->c0, &s, &d);
    fpw_mul(&r->c1, &a2, &a->c1);
}

/* The reduced Fp2 product with one Montgomery multiplication per Fp product: the
 * reference the wide forms are tested against (tests/test_field.c). */
static inline void fp2_mul_reduced(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b)
{
    tacit_fp t0, t1, sa, sb, t2;
    fp_mul(&t0, &a->c0, &b->c0);
    fp_mul(&t1, &a->c1, &b->c1);
    fp_add_nr(&sa, &a->c0, &a->c1);
    fp_add_nr(&sb, &b->c0, &b->c1);
    fp_mul(&t2, &sa, &sb);
    fp_sub(&r->c0, &t0, &t1);
    fp_sub(&t2, &t2, &t0);
    fp_sub(&r->c1, &t2, &t1);
}

/* Karatsuba with two reductions instead of three (fp2w_mul). */
static inline void fp2_mul(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b)
{
    tacit__fp2w w;
    fp2w_mul(&w, a, b);
    fp2w_redc(r, &w);
}

/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u */
static inline void fp2_sqr(tacit_fp2 *r, const tacit_fp2 *a)
{
    tacit_fp s, d, m;
    fp_add_nr(&s, &a->c0, &a->c1);
    fp_sub(&d, &a->c0, &a->c1);
    fp_mul(&m, &a->c0, &a->c1);
    fp_mul(&r->c0, &s, &d);
    fp_dbl(&r->c1, &m);
}

/* b is copied first: it may be a coefficient of r itself (r = a * r->c0), which the
 * first product would overwrite. */
static inline void fp2_mul_fp(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp *b)
{
    const tacit_fp s = *b;
    fp_mul(&r->c0, &a->c0, &s);
    fp_mul(&r->c1, &a->c1, &s);
}

/* r = a * xi with xi = 9 + u: (9 a0 - a1) + (a0 + 9 a1) u. With the ADX kernel, each half
 * is one pass with one reduction (field_impl.h, tacit__p_mul9_adx); otherwise eight
 * modular additions. */
static inline void fp2_mul_xi(tacit_fp2 *r, const tacit_fp2 *a)
{
#ifdef TACIT__HAVE_ADX_KERNEL
    if (__builtin_expect(tacit__use_adx, 1)) {
        tacit_fp t0, t1;
        tacit__p_mul9_adx(t0.l, a->c0.l, a->c1.l, tacit__p.l, true);
        tacit__p_mul9_adx(t1.l, a->c1.l, a->c0.l, tacit__p.l, false);
        r->c0 = t0;
        r->c1 = t1;
        return;
    }
#endif
    tacit_fp t0, t1;
    fp_dbl(&t0, &a->c0);
    fp_dbl(&t0, &t0);
    fp_dbl(&t0, &t0);
    fp_add(&t0, &t0, &a->c0); /* 9 a0 */
    fp_dbl(&t1, &a->c1);
    fp_dbl(&t1, &t1);
    fp_dbl(&t1, &t1);
    fp_add(&t1, &t1, &a->c1); /* 9 a1 */
    fp_sub(&t0, &t0, &a->c1);
    fp_add(&r->c1, &t1, &a->c0);
    r->c0 = t0;
}

/* Cross-file internals (defined in fp.c / tower.c). */
void tacit__fp_mul_portable(tacit_fp *r, const tacit_fp *a, const tacit_fp *b);
bool tacit__fp_mul_adx(tacit_fp *r, const tacit_fp *a, const tacit_fp *b);

#endif /* TACIT_CRYPTO_FIELD_H */
