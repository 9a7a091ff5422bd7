/*
 * tacit — radix-2 NTT over Fr; see ntt.h.
 *
 * The butterfly networks are the textbook iterative ones (Cormen, Leiserson, Rivest,
 * Stein, "Introduction to Algorithms", 3rd ed., section 30.3; Gentleman-Sande for the
 * decimation in frequency). Pairing a DIF (natural -> bit-reversed) with a DIT
 * (bit-reversed -> natural) lets the prover go from evaluations to coefficients and back
 * to evaluations without ever permuting the array.
 */
#include "zk/ntt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/field.h"
#include "crypto/fp_ifma.h"
#include "tacit/error.h"

static const tacit_fr fr_one = TACIT__R_ONE;

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

void tacit__fr_root_of_unity(tacit_fr *r, unsigned log_n)
{
    static const tacit_fr w28 = TACIT__R_ROOT_OF_UNITY;
    tacit_fr w = w28;
    for (unsigned i = log_n; i < TACIT__R_TWO_ADICITY; i++) fr_sqr(&w, &w);
    *r = w;
}

static inline size_t bitrev(size_t i, unsigned bits)
{
    size_t r = 0;
    for (unsigned b = 0; b < bits; b++) {
        r = (r << 1) | (i & 1);
        i >>= 1;
    }
    return r;
}

void tacit__ntt_bitreverse(tacit_fr *x, unsigned log_n)
{
    size_t n = (size_t)1 << log_n;
    for (size_t i = 0; i < n; i++) {
        size_t j = bitrev(i, log_n);
        if (i < j) {
            tacit_fr t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
}

/* The domain's scalars: omega, its inverse, g = omega_2n and 1/n. */
static void domain_scalars(tacit__ntt_domain *d)
{
    tacit_fr p;
    tacit__fr_root_of_unity(&d->omega, d->log_n);
    tacit__fr_root_of_unity(&d->g, d->log_n + 1);
    tacit_fr_inv(&d->omega_inv, &d->omega);
    tacit_fr_from_u64(&p, d->n);
    tacit_fr_inv(&d->n_inv, &p);
}

int tacit__ntt_domain_wrap(tacit__ntt_domain **out, unsigned log_n, const tacit_fr *tw,
                           const tacit_fr *tw_inv, const tacit_fr *odd)
{
    tacit__ntt_domain *d;
    *out = NULL;
    if (log_n > TACIT__NTT_MAX_LOG) return TACIT_ETOOBIG;
    if ((d = calloc(1, sizeof *d)) == NULL) return TACIT_ENOMEM;
    d->log_n = log_n;
    d->n = (size_t)1 << log_n;
    domain_scalars(d);
    /* read only through these (the mapping is PROT_READ); the struct's fields are not const
     * because tacit__ntt_domain_new fills its own tables through them */
    d->tw = (tacit_fr *)(uintptr_t)tw;
    d->tw_inv = (tacit_fr *)(uintptr_t)tw_inv;
    d->odd = (tacit_fr *)(uintptr_t)odd;
    d->borrowed = true;
    *out = d;
    return TACIT_OK;
}

int tacit__ntt_domain_new(tacit__ntt_domain **out, unsigned log_n)
{
    tacit__ntt_domain *d;
    size_t n, half;
    tacit_fr p;

    *out = NULL;
    if (log_n > TACIT__NTT_MAX_LOG) return TACIT_ETOOBIG;
    n = (size_t)1 << log_n;
    half = n > 1 ? n / 2 : 1;
    if ((d = calloc(1, sizeof *d)) == NULL) return TACIT_ENOMEM;
    d->log_n = log_n;
    d->n = n;
    d->tw = malloc(half * sizeof *d->tw);
    d->tw_inv = malloc(half * sizeof *d->tw_inv);
    d->odd = malloc(n * sizeof *d->odd);
    if (d->tw == NULL || d->tw_inv == NULL || d->odd == NULL) {
        tacit__ntt_domain_free(d);
        return TACIT_ENOMEM;
    }
    domain_scalars(d);

    d->tw[0] = fr_one;
    d->tw_inv[0] = fr_one;
    for (size_t i = 1; i < half; i++) {
        fr_mul(&d->tw[i], &d->tw[i - 1], &d->omega);
        fr_mul(&d->tw_inv[i], &d->tw_inv[i - 1], &d->omega_inv);
    }
    /* odd[rev(i)] = g^i / n */
    p = d->n_inv;
    for (size_t i = 0; i < n; i++) {
        d->odd[bitrev(i, log_n)] = p;
        fr_mul(&p, &p, &d->g);
    }
    *out = d;
    return TACIT_OK;
}

void tacit__ntt_domain_free(tacit__ntt_domain *d)
{
    if (d == NULL) return;
    if (!d->borrowed) {
        free(d->tw);
        free(d->tw_inv);
        free(d->odd);
    }
    free(d);
}

/* Eight butterflies' twiddles tw[j stride] .. tw[(j + 7) stride] side by side. */
static inline void twiddles8(tacit_fr w[8], const tacit_fr *tw, size_t j, size_t stride)
{
    for (int q = 0; q < 8; q++) w[q] = tw[(j + (size_t)q) * stride];
}

void tacit__ntt_dif(const tacit__ntt_domain *d, tacit_fr *x, bool inverse)
{
    const tacit_fr *tw = inverse ? d->tw_inv : d->tw;
    size_t n = d->n;
    for (size_t len = n / 2; len >= 1; len >>= 1) {
        size_t stride = n / (2 * len);
        for (size_t s = 0; s < n; s += 2 * len) {
            tacit_fr *lo = x + s, *hi = x + s + len;
            tacit_fr u = lo[0], v = hi[0];
            if (len >= 8 && tacit__use_ifma) { /* the products eight at a time (fp_ifma.h) */
                for (size_t j = 0; j < len; j += 8) {
                    tacit_fr t[8], w[8];
                    for (int q = 0; q < 8; q++) {
                        u = lo[j + q];
                        v = hi[j + q];
                        fr_add(&lo[j + q], &u, &v);
                        fr_sub(&t[q], &u, &v);
                    }
                    twiddles8(w, tw, j, stride);
                    tacit__fr_mul8_ifma(hi + j, t, w);
                }
                continue;
            }
            fr_add(&lo[0], &u, &v);
            fr_sub(&hi[0], &u, &v);
            for (size_t j = 1; j < len; j++) {
                tacit_fr t;
                u = lo[j];
                v = hi[j];
                fr_add(&lo[j], &u, &v);
                fr_sub(&t, &u, &v);
                fr_mul_i(&hi[j], &t, &tw[j * stride]);
            }
        }
    }
}

void tacit__ntt_dit(const tacit__ntt_domain *d, tacit_fr *x, bool inverse)
{
    const tacit_fr *tw = inverse ? d->tw_inv : d->tw;
    size_t n = d->n;
    for (size_t len = 1; len < n; len <<= 1) {
        size_t stride = n / (2 * len);
        for (size_t s = 0; s < n; s += 2 * len) {
            tacit_fr *lo = x + s, *hi = x + s + len;
            tacit_fr u = lo[0], t = hi[0];
            if (len >= 8 && tacit__use_ifma) {
                for (size_t j = 0; j < len; j += 8) {
                    tacit_fr t8[8], w[8];
                    twiddles8(w, tw, j, stride);
                    tacit__fr_mul8_ifma(t8, hi + j, w);
                    for (int q = 0; q < 8; q++) {
                        u = lo[j + q];
                        fr_add(&lo[j + q], &u, &t8[q]);
                        fr_sub(&hi[j + q], &u, &t8[q]);
                    }
                }
                continue;
            }
            fr_add(&lo[0], &u, &t);
            fr_sub(&hi[0], &u, &t);
            for (size_t j = 1; j < len; j++) {
                fr_mul_i(&t, &hi[j], &tw[j * stride]);
                u = lo[j];
                fr_add(&lo[j], &u, &t);
                fr_sub(&hi[j], &u, &t);
            }
        }
    }
}

void tacit__ntt(const tacit__ntt_domain *d, tacit_fr *x)
{
    tacit__ntt_dif(d, x, false);
    tacit__ntt_bitreverse(x, d->log_n);
}

void tacit__intt(const tacit__ntt_domain *d, tacit_fr *x)
{
    tacit__ntt_dif(d, x, true);
    tacit__ntt_bitreverse(x, d->log_n);
    for (size_t i = 0; i < d->n; i++) fr_mul(&x[i], &x[i], &d->n_inv);
}

void tacit__coset_ntt(const tacit__ntt_domain *d, tacit_fr *x, const tacit_fr *shift)
{
    tacit_fr p = fr_one, s = *shift;
    for (size_t i = 0; i < d->n; i++) {
        fr_mul(&x[i], &x[i], &p);
        fr_mul(&p, &p, &s);
    }
    tacit__ntt(d, x);
}

void tacit__coset_intt(const tacit__ntt_domain *d, tacit_fr *x, const tacit_fr *shift)
{
    tacit_fr p = fr_one, sinv;
    tacit_fr_inv(&sinv, shift);
    tacit__intt(d, x);
    for (size_t i = 0; i < d->n; i++) {
        fr_mul(&x[i], &x[i], &p);
        fr_mul(&p, &p, &sinv);
    }
}

void tacit__ntt_to_odd_coset(const tacit__ntt_domain *d, tacit_fr *x)
{
    size_t i = 0;
    tacit__ntt_dif(d, x, true); /* n * coefficients, bit-reversed */
    if (tacit__use_ifma)
        for (; i + 8 <= d->n; i += 8) tacit__fr_mul8_ifma(x + i, x + i, d->odd + i);
    for (; i < d->n; i++) fr_mul_i(&x[i], &x[i], &d->odd[i]);
    tacit__ntt_dit(d, x, false);
}
