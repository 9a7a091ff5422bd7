/*
 * Internal to src/crypto: helpers shared by the G1 and G2 code (g1.c, g2.c) that do not
 * depend on the coordinate field: constant-time masks and moves, scalar bit access and
 * the scalar recodings used by the variable-time multiplications (width-w NAF for
 * wNAF/Straus, Booth-style signed windows for Pippenger).
 *
 * The group law itself is generic over the field and lives in curve_impl.h, which g1.c
 * and g2.c include once each with their field operations.
 */
#ifndef TACIT_CRYPTO_CURVE_H
#define TACIT_CRYPTO_CURVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/field.h"

/* ------------------------------------------------------- constant time ---- */

/* Hides a mask's value from the optimizer, so a select written with masks is not turned
 * back into a branch (the value barrier of libsecp256k1 and blst). */
static inline uint64_t ct_barrier(uint64_t v)
{
    __asm__("" : "+r"(v));
    return v;
}

/* All ones if a == b, else 0; no branch. */
static inline uint64_t ct_eq_mask(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ b;
    return ct_barrier(((x | (0 - x)) >> 63) - 1);
}

/* r = mask ? a : r, mask all ones or zero. */
static inline void fp_cmov_mask(tacit_fp *r, const tacit_fp *a, uint64_t mask)
{
    for (int i = 0; i < 4; i++) r->l[i] ^= mask & (r->l[i] ^ a->l[i]);
}

static inline void fp2_cmov_mask(tacit_fp2 *r, const tacit_fp2 *a, uint64_t mask)
{
    fp_cmov_mask(&r->c0, &a->c0, mask);
    fp_cmov_mask(&r->c1, &a->c1, mask);
}

/* All ones if a == 0, else 0. */
static inline uint64_t fp_zero_mask(const tacit_fp *a)
{
    return ct_eq_mask(a->l[0] | a->l[1] | a->l[2] | a->l[3], 0);
}

static inline uint64_t fp2_zero_mask(const tacit_fp2 *a)
{
    return fp_zero_mask(&a->c0) & fp_zero_mask(&a->c1);
}

/* ------------------------------------------------------------- scalars ---- */

/* A 256-bit integer constant written with the generated {{...}} initializers. */
typedef struct {
    uint64_t l[4];
} u256_const;

/* Number of significant bits of a little-endian integer (0 for zero). */
static inline unsigned scalar_bitlen(const uint64_t *k, size_t nlimbs)
{
    for (size_t i = nlimbs; i-- > 0;)
        if (k[i] != 0) return (unsigned)(64 * i + 64 - (unsigned)__builtin_clzll(k[i]));
    return 0;
}

static inline bool scalar_is_zero(const uint64_t k[4]) { return (k[0] | k[1] | k[2] | k[3]) == 0; }

/* Bits [pos, pos + n) of k, 1 <= n <= 32; bits above 64 * nlimbs read as zero. Constant
 * time in the value of k (pos and n are public). */
static inline uint64_t scalar_bits(const uint64_t *k, size_t nlimbs, unsigned pos, unsigned n)
{
    size_t limb = pos >> 6;
    unsigned sh = pos & 63;
    if (limb >= nlimbs) return 0;
    uint64_t v = k[limb] >> sh;
    if (sh + n > 64 && limb + 1 < nlimbs) v |= k[limb + 1] << (64 - sh);
    return v & ((UINT64_C(1) << n) - 1);
}

/* Maximum length of a width-w NAF of an integer of nlimbs limbs. */
#define WNAF_MAX(nlimbs) (64 * (nlimbs) + 2)

/*
 * Width-w NAF of k (2 <= w <= 7): k = sum naf[i] 2^i with every digit 0 or odd in
 * (-2^(w-1), 2^(w-1)) and any two nonzero digits at least w positions apart
 * (Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography", Alg. 3.35;
 * this windowed form is libsecp256k1's secp256k1_ecmult_wnaf). naf must hold
 * WNAF_MAX(nlimbs) entries. Returns the length (index of the top nonzero digit + 1, 0 for
 * k = 0). Variable time.
 */
static inline int wnaf_recode(int8_t *naf, const uint64_t *k, size_t nlimbs, unsigned w)
{
    unsigned bits = scalar_bitlen(k, nlimbs), i = 0, carry = 0;
    int len = 0;
    memset(naf, 0, WNAF_MAX(nlimbs));
    while (i < bits) {
        if (scalar_bits(k, nlimbs, i, 1) == carry) {
            i++;
            continue;
        }
        int word = (int)scalar_bits(k, nlimbs, i, w) + (int)carry;
        carry = (unsigned)(word >> (w - 1)) & 1;
        word -= (int)(carry << w);
        naf[i] = (int8_t)word;
        len = (int)i + 1;
        i += w;
    }
    if (carry) {
        naf[i] = 1;
        len = (int)i + 1;
    }
    return len;
}

/*
 * Signed window j of width c (1 <= c <= 16) of a 256-bit k, Booth style:
 *   d_j = bits[jc, jc+c) + bit(jc-1) - 2^c bit(jc+c-1),  -2^(c-1) <= d_j <= 2^(c-1),
 * and k = sum_j d_j 2^(jc) over j = 0 .. bitlen(k)/c (the bit(jc-1) terms telescope against
 * the 2^c bit(jc+c-1) ones). Each digit depends only on c+1 bits of k, so Pippenger needs no
 * recoded copy of the scalars (blst uses the same recoding in its multi_scalar.c).
 */
static inline int booth_digit(const uint64_t k[4], unsigned j, unsigned c)
{
    unsigned pos = j * c;
    uint64_t w = scalar_bits(k, 4, pos, c);
    uint64_t low = pos ? scalar_bits(k, 4, pos - 1, 1) : 0;
    uint64_t top = (w >> (c - 1)) & 1;
    return (int)w + (int)low - (int)(top << c);
}

#endif /* TACIT_CRYPTO_CURVE_H */
