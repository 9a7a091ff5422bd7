/*
 * Fp and Fr: the BN254 base and scalar fields, Montgomery form, 4x64-bit limbs.
 * The kernels live in field_impl.h; this file instantiates them for both moduli and
 * adds encodings, inversion and square roots.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "crypto/curve.h" /* ct_barrier */
#include "crypto/field.h"
#include "tacit/bn254.h"
#include "tacit/error.h"

int tacit__use_adx = 0;

/* CPUID leaf 7: EBX bit 8 = BMI2 (mulx), bit 19 = ADX (adcx/adox). */
__attribute__((constructor)) static void detect_cpu(void)
{
#ifdef TACIT__HAVE_ADX_KERNEL
    unsigned eax, ebx, ecx, edx;
    const char *off = getenv("TACIT_NO_ADX");
    if (off != NULL && off[0] != '\0' && off[0] != '0') return;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 8)) && (ebx & (1u << 19)))
        tacit__use_adx = 1;
#endif
}

bool tacit_fp_have_adx(void) { return tacit__use_adx != 0; }

/* ------------------------------------------------------------ constants ---- */
static const tacit_fp P = TACIT__P_RAW;
static const uint64_t PINV = TACIT__P_INV;
static const tacit_fp P_R2 = TACIT__P_R2;
static const tacit_fr R = TACIT__R_RAW;
static const uint64_t RINV = TACIT__R_INV;
static const tacit_fr R_R2 = TACIT__R_R2;

const tacit_fp TACIT_FP_ZERO = {{0, 0, 0, 0}};
const tacit_fp TACIT_FP_ONE = TACIT__P_ONE;
const tacit_fr TACIT_FR_ZERO = {{0, 0, 0, 0}};
const tacit_fr TACIT_FR_ONE = TACIT__R_ONE;

/* big-endian bytes <-> little-endian limbs */
static void limbs_from_be(uint64_t out[4], const uint8_t in[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++) v = (v << 8) | in[(3 - i) * 8 + j];
        out[i] = v;
    }
}

static void limbs_to_be(uint8_t out[32], const uint64_t in[4])
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[(3 - i) * 8 + j] = (uint8_t)(in[i] >> (56 - 8 * j));
}

/* --------------------------------------------------------------------- Fp ---- */
void tacit_fp_add(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__mod_add(r->l, a->l, b->l, P.l);
}
void tacit_fp_sub(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__mod_sub(r->l, a->l, b->l, P.l);
}
void tacit_fp_neg(tacit_fp *r, const tacit_fp *a) { tacit__mod_neg(r->l, a->l, P.l); }
void tacit_fp_dbl(tacit_fp *r, const tacit_fp *a) { tacit__mod_add(r->l, a->l, a->l, P.l); }
void tacit_fp_mul(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__mont_mul(r->l, a->l, b->l, P.l, &PINV);
}
void tacit_fp_sqr(tacit_fp *r, const tacit_fp *a) { tacit__mont_mul(r->l, a->l, a->l, P.l, &PINV); }

/* Both kernels, exposed for the tests that compare them (crypto/field.h). */
void tacit__fp_mul_portable(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
    tacit__mont_mul_c(r->l, a->l, b->l, P.l, PINV);
}

bool tacit__fp_mul_adx(tacit_fp *r, const tacit_fp *a, const tacit_fp *b)
{
#ifdef TACIT__HAVE_ADX_KERNEL
    unsigned a_, b_, c_, d_;
    if (!__get_cpuid_count(7, 0, &a_, &b_, &c_, &d_) || !(b_ & (1u << 8)) || !(b_ & (1u << 19)))
        return false;
    tacit__mont_mul_adx(r->l, a->l, b->l, P.l, &PINV);
    return true;
#else
    (void)r;
    (void)a;
    (void)b;
    return false;
#endif
}

bool tacit_fp_eq(const tacit_fp *a, const tacit_fp *b)
{
    uint64_t d = 0;
    for (int i = 0; i < 4; i++) d |= a->l[i] ^ b->l[i];
    return d == 0;
}

bool tacit_fp_is_zero(const tacit_fp *a) { return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0; }

void tacit_fp_cmov(tacit_fp *r, const tacit_fp *a, unsigned flag)
{
    uint64_t mask = 0 - (uint64_t)(flag & 1);
    for (int i = 0; i < 4; i++) r->l[i] ^= mask & (r->l[i] ^ a->l[i]);
}

int tacit_fp_from_limbs(tacit_fp *r, const uint64_t in[4])
{
    if (!tacit__lt(in, P.l)) return TACIT_ENONCANONICAL;
    tacit__mont_mul(r->l, in, P_R2.l, P.l, &PINV);
    return TACIT_OK;
}

void tacit_fp_to_limbs(uint64_t out[4], const tacit_fp *a)
{
    static const uint64_t one[4] = {1, 0, 0, 0};
    tacit__mont_mul(out, a->l, one, P.l, &PINV);
}

int tacit_fp_from_bytes(tacit_fp *r, const uint8_t in[32])
{
    uint64_t v[4];
    limbs_from_be(v, in);
    return tacit_fp_from_limbs(r, v);
}

void tacit_fp_to_bytes(uint8_t out[32], const tacit_fp *a)
{
    uint64_t v[4];
    tacit_fp_to_limbs(v, a);
    limbs_to_be(out, v);
}

void tacit_fp_from_u64(tacit_fp *r, uint64_t v)
{
    const uint64_t in[4] = {v, 0, 0, 0};
    (void)tacit_fp_from_limbs(r, in);
}

/* x mod m for any x < 2^256 and m > 2^253: at most 7 subtractions, done in constant time. */
static void reduce_256(uint64_t x[4], const uint64_t m[4])
{
    for (int k = 0; k < 7; k++) {
        uint64_t br = 0, s[4];
        for (int i = 0; i < 4; i++) s[i] = tacit__sbb(x[i], m[i], &br);
        uint64_t keep = 0 - br;
        for (int i = 0; i < 4; i++) x[i] = (x[i] & keep) | (s[i] & ~keep);
    }
}

/* 512-bit big-endian x = hi * 2^256 + lo reduced mod p: both halves are reduced below p,
 * moved into Montgomery form, and hi is multiplied by 2^256 mod p (= R, a Montgomery
 * multiplication by R^2). */
void tacit_fp_from_wide(tacit_fp *r, const uint8_t in[64])
{
    uint64_t hi[4], lo[4];
    tacit_fp h, l;
    limbs_from_be(hi, in);
    limbs_from_be(lo, in + 32);
    reduce_256(hi, P.l);
    reduce_256(lo, P.l);
    tacit__mont_mul(h.l, hi, P_R2.l, P.l, &PINV);
    tacit__mont_mul(l.l, lo, P_R2.l, P.l, &PINV);
    tacit__mont_mul(h.l, h.l, P_R2.l, P.l, &PINV);
    tacit_fp_add(r, &h, &l);
}

void tacit_fp_pow_var(tacit_fp *r, const tacit_fp *a, const uint64_t *e, size_t nlimbs)
{
    tacit_fp acc = TACIT_FP_ONE, base = *a;
    for (size_t i = nlimbs; i-- > 0;)
        for (int b = 63; b >= 0; b--) {
            tacit_fp_sqr(&acc, &acc);
            if ((e[i] >> b) & 1) tacit_fp_mul(&acc, &acc, &base);
        }
    *r = acc;
}

/* Constant-time a^(p-2): the exponent is public, so a fixed square-and-multiply over
 * its bits leaks nothing about a. */
void tacit_fp_inv(tacit_fp *r, const tacit_fp *a)
{
    static const tacit_fp e = TACIT__P_MINUS_2_RAW;
    tacit_fp_pow_var(r, a, e.l, 4);
}

/* Variable-time inverse: binary extended Euclid on plain integers (Menezes et al.,
 * Handbook of Applied Cryptography, Algorithm 14.61 specialised to an odd modulus),
 * then back into Montgomery form. For a in Montgomery form aR, the plain inverse of
 * aR is a^-1 R^-1; multiplying by R^3 (two Montgomery multiplications by R^2)
 * gives a^-1 R, the Montgomery form of a^-1. */
static void inv_plain_var(uint64_t out[4], const uint64_t in[4], const uint64_t m[4])
{
    uint64_t u[4], v[4], x1[5] = {1, 0, 0, 0, 0}, x2[5] = {0, 0, 0, 0, 0};
    memcpy(u, in, sizeof u);
    memcpy(v, m, sizeof v);
    /* invariants: x1 * in = u, x2 * in = v (mod m); x1, x2 < m */
    for (;;) {
        bool u_one = u[0] == 1 && (u[1] | u[2] | u[3]) == 0;
        bool v_one = v[0] == 1 && (v[1] | v[2] | v[3]) == 0;
        if (u_one) {
            memcpy(out, x1, 32);
            return;
        }
        if (v_one) {
            memcpy(out, x2, 32);
            return;
        }
        while ((u[0] & 1) == 0) {
            u[0] = (u[0] >> 1) | (u[1] << 63);
            u[1] = (u[1] >> 1) | (u[2] << 63);
            u[2] = (u[2] >> 1) | (u[3] << 63);
            u[3] >>= 1;
            if (x1[0] & 1) {
                uint64_t c = 0;
                for (int i = 0; i < 4; i++) x1[i] = tacit__adc(x1[i], m[i], &c);
                x1[4] = c;
            }
            for (int i = 0; i < 4; i++) x1[i] = (x1[i] >> 1) | (x1[i + 1] << 63);
            x1[4] = 0;
        }
        while ((v[0] & 1) == 0) {
            v[0] = (v[0] >> 1) | (v[1] << 63);
            v[1] = (v[1] >> 1) | (v[2] << 63);
            v[2] = (v[2] >> 1) | (v[3] << 63);
            v[3] >>= 1;
            if (x2[0] & 1) {
                uint64_t c = 0;
                for (int i = 0; i < 4; i++) x2[i] = tacit__adc(x2[i], m[i], &c);
                x2[4] = c;
            }
            for (int i = 0; i < 4; i++) x2[i] = (x2[i] >> 1) | (x2[i + 1] << 63);
            x2[4] = 0;
        }
        if (!tacit__lt(u, v)) {
            uint64_t br = 0;
            for (int i = 0; i < 4; i++) u[i] = tacit__sbb(u[i], v[i], &br);
            tacit__mod_sub(x1, x1, x2, m);
        } else {
            uint64_t br = 0;
            for (int i = 0; i < 4; i++) v[i] = tacit__sbb(v[i], u[i], &br);
            tacit__mod_sub(x2, x2, x1, m);
        }
    }
}

void tacit_fp_inv_var(tacit_fp *r, const tacit_fp *a)
{
    if (tacit_fp_is_zero(a)) {
        *r = TACIT_FP_ZERO;
        return;
    }
    tacit_fp t;
    inv_plain_var(t.l, a->l, P.l);
    tacit__mont_mul(t.l, t.l, P_R2.l, P.l, &PINV);
    tacit__mont_mul(r->l, t.l, P_R2.l, P.l, &PINV);
}

/* p = 3 mod 4, so a square a has the root a^((p+1)/4). */
bool tacit_fp_sqrt(tacit_fp *r, const tacit_fp *a)
{
    static const tacit_fp e = TACIT__P_SQRT_EXP_RAW;
    tacit_fp s, chk;
    tacit_fp_pow_var(&s, a, e.l, 4);
    tacit_fp_sqr(&chk, &s);
    if (!tacit_fp_eq(&chk, a)) return false;
    *r = s;
    return true;
}

/* --------------------------------------------------------------------- Fr ---- */
void tacit_fr_add(tacit_fr *r, const tacit_fr *a, const tacit_fr *b)
{
    tacit__mod_add(r->l, a->l, b->l, R.l);
}
void tacit_fr_sub(tacit_fr *r, const tacit_fr *a, const tacit_fr *b)
{
    tacit__mod_sub(r->l, a->l, b->l, R.l);
}
void tacit_fr_neg(tacit_fr *r, const tacit_fr *a) { tacit__mod_neg(r->l, a->l, R.l); }
void tacit_fr_mul(tacit_fr *r, const tacit_fr *a, const tacit_fr *b)
{
    tacit__mont_mul(r->l, a->l, b->l, R.l, &RINV);
}
void tacit_fr_sqr(tacit_fr *r, const tacit_fr *a) { tacit__mont_mul(r->l, a->l, a->l, R.l, &RINV); }

bool tacit_fr_eq(const tacit_fr *a, const tacit_fr *b)
{
    uint64_t d = 0;
    for (int i = 0; i < 4; i++) d |= a->l[i] ^ b->l[i];
    return d == 0;
}

bool tacit_fr_is_zero(const tacit_fr *a) { return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0; }

void tacit_fr_cmov(tacit_fr *r, const tacit_fr *a, unsigned flag)
{
    uint64_t mask = 0 - (uint64_t)(flag & 1);
    for (int i = 0; i < 4; i++) r->l[i] ^= mask & (r->l[i] ^ a->l[i]);
}

/* Without a branch on the value (spending and viewing keys are read with it, tests/ctime.c):
 * the conversion is always made, and masked to 0 when the value is not below r; the verdict
 * is returned for the caller to tell. */
int tacit_fr_from_limbs(tacit_fr *r, const uint64_t in[4])
{
    uint64_t ok = ct_barrier(0 - (uint64_t)tacit__lt(in, R.l));
    tacit__mont_mul(r->l, in, R_R2.l, R.l, &RINV);
    for (int i = 0; i < 4; i++) r->l[i] &= ok;
    return (int)(TACIT_ENONCANONICAL & ~ok);
}

void tacit_fr_to_limbs(uint64_t out[4], const tacit_fr *a)
{
    static const uint64_t one[4] = {1, 0, 0, 0};
    tacit__mont_mul(out, a->l, one, R.l, &RINV);
}

int tacit_fr_from_bytes(tacit_fr *r, const uint8_t in[32])
{
    uint64_t v[4];
    limbs_from_be(v, in);
    return tacit_fr_from_limbs(r, v);
}

void tacit_fr_to_bytes(uint8_t out[32], const tacit_fr *a)
{
    uint64_t v[4];
    tacit_fr_to_limbs(v, a);
    limbs_to_be(out, v);
}

void tacit_fr_from_u64(tacit_fr *r, uint64_t v)
{
    /* v < 2^64 < r is canonical: no check, so no branch on v (note values are secret) */
    const uint64_t in[4] = {v, 0, 0, 0};
    tacit__mont_mul(r->l, in, R_R2.l, R.l, &RINV);
}

void tacit_fr_from_wide(tacit_fr *r, const uint8_t in[64])
{
    uint64_t hi[4], lo[4];
    tacit_fr h, l;
    limbs_from_be(hi, in);
    limbs_from_be(lo, in + 32);
    reduce_256(hi, R.l);
    reduce_256(lo, R.l);
    tacit__mont_mul(h.l, hi, R_R2.l, R.l, &RINV);
    tacit__mont_mul(l.l, lo, R_R2.l, R.l, &RINV);
    tacit__mont_mul(h.l, h.l, R_R2.l, R.l, &RINV);
    tacit_fr_add(r, &h, &l);
}

void tacit_fr_pow_var(tacit_fr *r, const tacit_fr *a, const uint64_t *e, size_t nlimbs)
{
    tacit_fr acc = TACIT_FR_ONE, base = *a;
    for (size_t i = nlimbs; i-- > 0;)
        for (int b = 63; b >= 0; b--) {
            tacit_fr_sqr(&acc, &acc);
            if ((e[i] >> b) & 1) tacit_fr_mul(&acc, &acc, &base);
        }
    *r = acc;
}

void tacit_fr_inv(tacit_fr *r, const tacit_fr *a)
{
    static const tacit_fr e = TACIT__R_MINUS_2_RAW;
    tacit_fr_pow_var(r, a, e.l, 4);
}

/* Tonelli-Shanks (Cohen, A Course in Computational Algebraic Number Theory, Alg. 1.5.1)
 * with r - 1 = 2^s t, s = 28, and the fixed 2^s-th root of unity z^t. Variable time. */
bool tacit_fr_sqrt(tacit_fr *r, const tacit_fr *a)
{
    static const tacit_fr t_plus_1_div_2 = TACIT__R_T_PLUS_1_DIV_2_RAW;
    static const tacit_fr tt = TACIT__R_T_RAW;
    static const tacit_fr root = TACIT__R_ROOT_OF_UNITY;
    if (tacit_fr_is_zero(a)) {
        *r = TACIT_FR_ZERO;
        return true;
    }
    tacit_fr x, b, z = root, t;
    unsigned m = TACIT__R_TWO_ADICITY;
    tacit_fr_pow_var(&x, a, t_plus_1_div_2.l, 4); /* x = a^((t+1)/2) */
    tacit_fr_pow_var(&b, a, tt.l, 4);             /* b = a^t */
    while (!tacit_fr_eq(&b, &TACIT_FR_ONE)) {
        unsigned i = 0;
        t = b;
        while (!tacit_fr_eq(&t, &TACIT_FR_ONE)) {
            tacit_fr_sqr(&t, &t);
            if (++i == m) return false; /* a is not a square */
        }
        tacit_fr w = z;
        for (unsigned j = 0; j + i + 1 < m; j++) tacit_fr_sqr(&w, &w);
        tacit_fr_sqr(&z, &w);
        tacit_fr_mul(&x, &x, &w);
        tacit_fr_mul(&b, &b, &z);
        m = i;
    }
    *r = x;
    return true;
}
