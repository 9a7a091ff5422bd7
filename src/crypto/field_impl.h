/*
 * Montgomery arithmetic over a 4x64-bit prime modulus below 2^254 (BN254's p and r).
 *
 * Internal to src/crypto. Both BN254 moduli leave two spare bits at the top, so the
 * CIOS accumulator never overflows four limbs plus one carry limb, and one final
 * conditional subtraction reduces the result below the modulus (Koc, Acar, Kaliski,
 * "Analyzing and comparing Montgomery multiplication algorithms", IEEE Micro 1996).
 *
 * Two kernels: a portable C one with unsigned __int128, and an x86-64 one with
 * mulx/adcx/adox (two independent carry chains; Intel, "Large integer squaring on
 * Intel architecture processors", 2012, and the ADX white paper), chosen at run time
 * by CPUID. Set TACIT_NO_ADX=1 in the environment to force the portable kernel.
 */
#ifndef TACIT_CRYPTO_FIELD_IMPL_H
#define TACIT_CRYPTO_FIELD_IMPL_H

#include <stdbool.h>
#include <stdint.h>

typedef unsigned __int128 tacit__u128;

/* Set once at load time (constructor in fp.c). */
extern int tacit__use_adx;

/* a + b with carry in/out */
static inline uint64_t tacit__adc(uint64_t a, uint64_t b, uint64_t *carry)
{
    tacit__u128 t = (tacit__u128)a + b + *carry;
    *carry = (uint64_t)(t >> 64);
    return (uint64_t)t;
}

/* a - b with borrow in/out (borrow is 0 or 1) */
static inline uint64_t tacit__sbb(uint64_t a, uint64_t b, uint64_t *borrow)
{
    tacit__u128 t = (tacit__u128)a - b - *borrow;
    *borrow = (uint64_t)(t >> 64) & 1;
    return (uint64_t)t;
}

/* Portable CIOS Montgomery multiplication: r = a*b/2^256 mod m, inputs < m < 2^254. */
static inline __attribute__((always_inline)) void
tacit__mont_mul_c(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4],
                  uint64_t minv)
{
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4;
    for (int i = 0; i < 4; i++) {
        tacit__u128 acc;
        uint64_t bi = b[i];
        acc = (tacit__u128)a[0] * bi + t0;
        t0 = (uint64_t)acc;
        acc = (tacit__u128)a[1] * bi + t1 + (uint64_t)(acc >> 64);
        t1 = (uint64_t)acc;
        acc = (tacit__u128)a[2] * bi + t2 + (uint64_t)(acc >> 64);
        t2 = (uint64_t)acc;
        acc = (tacit__u128)a[3] * bi + t3 + (uint64_t)(acc >> 64);
        t3 = (uint64_t)acc;
        t4 = (uint64_t)(acc >> 64);

        uint64_t q = t0 * minv;
        acc = (tacit__u128)q * m[0] + t0;
        acc = (tacit__u128)q * m[1] + t1 + (uint64_t)(acc >> 64);
        t0 = (uint64_t)acc;
        acc = (tacit__u128)q * m[2] + t2 + (uint64_t)(acc >> 64);
        t1 = (uint64_t)acc;
        acc = (tacit__u128)q * m[3] + t3 + (uint64_t)(acc >> 64);
        t2 = (uint64_t)acc;
        t3 = t4 + (uint64_t)(acc >> 64);
    }
    /* t < 2m: subtract m once if t >= m */
    uint64_t br = 0, s0, s1, s2, s3;
    s0 = tacit__sbb(t0, m[0], &br);
    s1 = tacit__sbb(t1, m[1], &br);
    s2 = tacit__sbb(t2, m[2], &br);
    s3 = tacit__sbb(t3, m[3], &br);
    uint64_t keep = 0 - br; /* all ones if t < m */
    r[0] = (t0 & keep) | (s0 & ~keep);
    r[1] = (t1 & keep) | (s1 & ~keep);
    r[2] = (t2 & keep) | (s2 & ~keep);
    r[3] = (t3 & keep) | (s3 & ~keep);
}

#if defined(__x86_64__) && !defined(TACIT_PORTABLE_ONLY)
#define TACIT__HAVE_ADX_KERNEL 1

/* One multiply-accumulate row: (A,B,C,D,E) = (A,B,C,D) + a * rdx, E starts at 0. */
#define TACIT__MULROW(A, B, C, D, E)   \
    "xorl %k[" E "], %k[" E "]\n\t"    \
    "mulxq (%[a]), %[lo], %[hi]\n\t"   \
    "adoxq %[lo], %[" A "]\n\t"        \
    "adcxq %[hi], %[" B "]\n\t"        \
    "mulxq 8(%[a]), %[lo], %[hi]\n\t"  \
    "adoxq %[lo], %[" B "]\n\t"        \
    "adcxq %[hi], %[" C "]\n\t"        \
    "mulxq 16(%[a]), %[lo], %[hi]\n\t" \
    "adoxq %[lo], %[" C "]\n\t"        \
    "adcxq %[hi], %[" D "]\n\t"        \
    "mulxq 24(%[a]), %[lo], %[hi]\n\t" \
    "adoxq %[lo], %[" D "]\n\t"        \
    "adcxq %[hi], %[" E "]\n\t"        \
    "movl $0, %k[lo]\n\t"              \
    "adoxq %[lo], %[" E "]\n\t"

/* One reduction row: q = A * minv; (A,B,C,D,E) += q * m; afterwards A = 0. */
#define TACIT__REDROW(A, B, C, D, E)   \
    "movq %[" A "], %%rdx\n\t"         \
    "imulq %[minv], %%rdx\n\t"         \
    "xorl %k[lo], %k[lo]\n\t"          \
    "mulxq (%[m]), %[lo], %[hi]\n\t"   \
    "adoxq %[lo], %[" A "]\n\t"        \
    "adcxq %[hi], %[" B "]\n\t"        \
    "mulxq 8(%[m]), %[lo], %[hi]\n\t"  \
    "adoxq %[lo], %[" B "]\n\t"        \
    "adcxq %[hi], %[" C "]\n\t"        \
    "mulxq 16(%[m]), %[lo], %[hi]\n\t" \
    "adoxq %[lo], %[" C "]\n\t"        \
    "adcxq %[hi], %[" D "]\n\t"        \
    "mulxq 24(%[m]), %[lo], %[hi]\n\t" \
    "adoxq %[lo], %[" D "]\n\t"        \
    "adcxq %[hi], %[" E "]\n\t"        \
    "movl $0, %k[lo]\n\t"              \
    "adoxq %[lo], %[" E "]\n\t"

/* The last step of both kernels below: (t4,t0,t1,t2) < 2m, subtract m if it is >= m
 * (t3, lo, hi, rdx are scratch). */
#define TACIT__FINAL_SUB       \
    "movq %[t4], %[t3]\n\t"    \
    "subq (%[m]), %[t3]\n\t"   \
    "movq %[t0], %[lo]\n\t"    \
    "sbbq 8(%[m]), %[lo]\n\t"  \
    "movq %[t1], %[hi]\n\t"    \
    "sbbq 16(%[m]), %[hi]\n\t" \
    "movq %[t2], %%rdx\n\t"    \
    "sbbq 24(%[m]), %%rdx\n\t" \
    "cmovncq %[t3], %[t4]\n\t" \
    "cmovncq %[lo], %[t0]\n\t" \
    "cmovncq %[hi], %[t1]\n\t" \
    "cmovncq %%rdx, %[t2]\n\t"

/* mulx/adcx/adox CIOS: same contract as tacit__mont_mul_c. The caller guarantees the
 * CPU has BMI2 and ADX. a, b, m are passed as pointers: 11 registers in all. */
static inline __attribute__((always_inline)) void
tacit__mont_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4],
                    const uint64_t *minv)
{
    uint64_t t0, t1, t2, t3, t4, lo, hi, rdx;
    __asm__(
        /* row 0: (t0..t4) = a * b0 */
        "movq (%[b]), %%rdx\n\t"
        "mulxq (%[a]), %[t0], %[t1]\n\t"
        "mulxq 8(%[a]), %[lo], %[t2]\n\t"
        "addq %[lo], %[t1]\n\t"
        "mulxq 16(%[a]), %[lo], %[t3]\n\t"
        "adcq %[lo], %[t2]\n\t"
        "mulxq 24(%[a]), %[lo], %[t4]\n\t"
        "adcq %[lo], %[t3]\n\t"
        "adcq $0, %[t4]\n\t" TACIT__REDROW("t0", "t1", "t2", "t3", "t4")
        /* value now in t1..t4; t0 is free */
        "movq 8(%[b]), %%rdx\n\t" TACIT__MULROW("t1", "t2", "t3", "t4", "t0")
            TACIT__REDROW("t1", "t2", "t3", "t4", "t0")
        /* value in t2,t3,t4,t0 */
        "movq 16(%[b]), %%rdx\n\t" TACIT__MULROW("t2", "t3", "t4", "t0", "t1")
            TACIT__REDROW("t2", "t3", "t4", "t0", "t1")
        /* value in t3,t4,t0,t1 */
        "movq 24(%[b]), %%rdx\n\t" TACIT__MULROW("t3", "t4", "t0", "t1", "t2")
            TACIT__REDROW("t3", "t4", "t0", "t1", "t2")
        /* value in t4,t0,t1,t2 (< 2m); subtract m if it is >= m */
        TACIT__FINAL_SUB
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [lo] "=&r"(lo), [hi] "=&r"(hi), "=&d"(rdx)
        : [a] "r"(a), [b] "r"(b), [m] "r"(m), [minv] "m"(*minv)
        : "cc", "memory");
    (void)lo;
    (void)hi;
    (void)rdx;
    (void)t3;
    r[0] = t4;
    r[1] = t0;
    r[2] = t1;
    r[3] = t2;
}
/* Wide product r[0..8) = a * b (schoolbook rows, two carry chains per row). This asm and
 * the wide add/sub below write only memory, so they are volatile: gcc -O3 drops a plain asm
 * whose register outputs are unused (test_field in a Release build catches that). */
static inline __attribute__((always_inline)) void
tacit__mul_wide_adx(uint64_t r[8], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t0, t1, t2, t3, t4, lo, hi, rdx;
    __asm__ volatile(
        "movq (%[b]), %%rdx\n\t"
        "mulxq (%[a]), %[t0], %[t1]\n\t"
        "mulxq 8(%[a]), %[lo], %[t2]\n\t"
        "addq %[lo], %[t1]\n\t"
        "mulxq 16(%[a]), %[lo], %[t3]\n\t"
        "adcq %[lo], %[t2]\n\t"
        "mulxq 24(%[a]), %[lo], %[t4]\n\t"
        "adcq %[lo], %[t3]\n\t"
        "adcq $0, %[t4]\n\t"
        "movq %[t0], (%[r])\n\t"
        "movq 8(%[b]), %%rdx\n\t" TACIT__MULROW(
            "t1", "t2", "t3", "t4", "t0") "movq %[t1], 8(%[r])\n\t"
                                          "movq 16(%[b]), %%rdx\n\t" TACIT__MULROW(
                                              "t2", "t3", "t4", "t0",
                                              "t1") "movq %[t2], 16(%[r])\n\t"
                                                    "movq 24(%[b]), %%rdx\n\t" TACIT__MULROW(
                                                        "t3", "t4", "t0", "t1",
                                                        "t2") "movq %[t3], 24(%[r])\n\t"
                                                              "movq %[t4], 32(%[r])\n\t"
                                                              "movq %[t0], 40(%[r])\n\t"
                                                              "movq %[t1], 48(%[r])\n\t"
                                                              "movq %[t2], 56(%[r])\n\t"
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [lo] "=&r"(lo), [hi] "=&r"(hi), "=&d"(rdx)
        : [a] "r"(a), [b] "r"(b), [r] "r"(r)
        : "cc", "memory");
    (void)t0;
    (void)t1;
    (void)t2;
    (void)t3;
    (void)t4;
    (void)lo;
    (void)hi;
    (void)rdx;
}

/* Montgomery reduction r = t / 2^256 mod m of a wide t < m 2^256 (same contract as
 * tacit__redc_c): four reduction rows on the low half, then the high half is added. */
static inline __attribute__((always_inline)) void
tacit__redc_adx(uint64_t r[4], const uint64_t t[8], const uint64_t m[4], const uint64_t *minv)
{
    uint64_t t0, t1, t2, t3, t4, lo, hi, rdx;
    __asm__("movq (%[t]), %[t0]\n\t"
            "movq 8(%[t]), %[t1]\n\t"
            "movq 16(%[t]), %[t2]\n\t"
            "movq 24(%[t]), %[t3]\n\t"
            "xorl %k[t4], %k[t4]\n\t" TACIT__REDROW("t0", "t1", "t2", "t3", "t4")
            /* t0 is now 0: it is the next row's top limb */
            TACIT__REDROW("t1", "t2", "t3", "t4", "t0") TACIT__REDROW("t2", "t3", "t4", "t0", "t1")
                TACIT__REDROW("t3", "t4", "t0", "t1", "t2")
            /* (t4,t0,t1,t2) <= m; add the high half (<= m - 1): the sum is < 2m */
            "addq 32(%[t]), %[t4]\n\t"
            "adcq 40(%[t]), %[t0]\n\t"
            "adcq 48(%[t]), %[t1]\n\t"
            "adcq 56(%[t]), %[t2]\n\t" TACIT__FINAL_SUB
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [lo] "=&r"(lo), [hi] "=&r"(hi), "=&d"(rdx)
            : [t] "r"(t), [m] "r"(m), [minv] "m"(*minv)
            : "cc", "memory");
    (void)lo;
    (void)hi;
    (void)rdx;
    (void)t3;
    r[0] = t4;
    r[1] = t0;
    r[2] = t1;
    r[3] = t2;
}
#endif

/*
 * Lazy reduction (Aranha, Karabina, Longa, Gebotys, Lopez, "Faster explicit formulas for
 * computing pairings over ordinary curves", EUROCRYPT 2011, section 3): products are kept
 * as 512-bit integers ("wide" values), added and subtracted there, and reduced once per
 * output with tacit__redc. The contract of a wide value: an integer in [0, m 2^256),
 * congruent to what it stands for modulo m; tacit__redc needs exactly that. Since
 * m < 2^254, m 2^256 > 4 m^2: a product of two values below 2m (fp_add_nr sums) is a
 * valid wide value, and so is a sum of up to five products of reduced values.
 */

/* Portable wide product r[0..8) = a * b. */
static inline __attribute__((always_inline)) void
tacit__mul_wide_c(uint64_t r[8], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t[8] = {0};
    for (int i = 0; i < 4; i++) {
        uint64_t c = 0;
        for (int j = 0; j < 4; j++) {
            tacit__u128 acc = (tacit__u128)a[j] * b[i] + t[i + j] + c;
            t[i + j] = (uint64_t)acc;
            c = (uint64_t)(acc >> 64);
        }
        t[i + 4] = c;
    }
    for (int i = 0; i < 8; i++) r[i] = t[i];
}

/* Portable Montgomery reduction: r = t / 2^256 mod m for t < m 2^256, r < m.
 * With t = H 2^256 + L: the four rows make (L + q m) / 2^256 <= m (q < 2^256, and
 * L + q m < 2^256 (m + 1)); H <= m - 1, so the sum is below 2m and one conditional
 * subtraction finishes. */
static inline __attribute__((always_inline)) void tacit__redc_c(uint64_t r[4], const uint64_t t[8],
                                                                const uint64_t m[4], uint64_t minv)
{
    uint64_t w[4] = {t[0], t[1], t[2], t[3]};
    for (int i = 0; i < 4; i++) {
        /* w = (w + q m) / 2^64, q = w0 minv: w0 + q m0 = 0 mod 2^64 */
        uint64_t q = w[0] * minv;
        tacit__u128 acc = (tacit__u128)q * m[0] + w[0];
        acc = (tacit__u128)q * m[1] + w[1] + (uint64_t)(acc >> 64);
        w[0] = (uint64_t)acc;
        acc = (tacit__u128)q * m[2] + w[2] + (uint64_t)(acc >> 64);
        w[1] = (uint64_t)acc;
        acc = (tacit__u128)q * m[3] + w[3] + (uint64_t)(acc >> 64);
        w[2] = (uint64_t)acc;
        w[3] = (uint64_t)(acc >> 64);
    }
    uint64_t c = 0, br = 0, s[4];
    for (int i = 0; i < 4; i++) w[i] = tacit__adc(w[i], t[4 + i], &c);
    for (int i = 0; i < 4; i++) s[i] = tacit__sbb(w[i], m[i], &br);
    uint64_t keep = 0 - br; /* all ones if w < m */
    for (int i = 0; i < 4; i++) r[i] = (w[i] & keep) | (s[i] & ~keep);
}

static inline __attribute__((always_inline)) void
tacit__mul_wide(uint64_t r[8], const uint64_t a[4], const uint64_t b[4])
{
#ifdef TACIT__HAVE_ADX_KERNEL
    if (__builtin_expect(tacit__use_adx, 1)) {
        tacit__mul_wide_adx(r, a, b);
        return;
    }
#endif
    tacit__mul_wide_c(r, a, b);
}

static inline __attribute__((always_inline)) void
tacit__redc(uint64_t r[4], const uint64_t t[8], const uint64_t m[4], const uint64_t *minv)
{
#ifdef TACIT__HAVE_ADX_KERNEL
    if (__builtin_expect(tacit__use_adx, 1)) {
        tacit__redc_adx(r, t, m, minv);
        return;
    }
#endif
    tacit__redc_c(r, t, m, *minv);
}

static inline __attribute__((always_inline)) void
tacit__mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4],
                const uint64_t *minv)
{
#ifdef TACIT__HAVE_ADX_KERNEL
    if (__builtin_expect(tacit__use_adx, 1)) {
        tacit__mont_mul_adx(r, a, b, m, minv);
        return;
    }
#endif
    tacit__mont_mul_c(r, a, b, m, *minv);
}

#if defined(__x86_64__) && !defined(TACIT_PORTABLE_ONLY)
/* x86-64 add/sub chains: gcc 12 compiles the __int128 carry idiom below into slow
 * code (several times slower than these), and the tower spends much of its time here. */

/* (s0..s3) = (t0..t3) - m, but (t0..t3) where that borrows: t mod m for t < 2m. */
#define TACIT__TRIAL_SUB       \
    "movq %[t0], %[s0]\n\t"    \
    "subq (%[m]), %[s0]\n\t"   \
    "movq %[t1], %[s1]\n\t"    \
    "sbbq 8(%[m]), %[s1]\n\t"  \
    "movq %[t2], %[s2]\n\t"    \
    "sbbq 16(%[m]), %[s2]\n\t" \
    "movq %[t3], %[s3]\n\t"    \
    "sbbq 24(%[m]), %[s3]\n\t" \
    "cmovcq %[t0], %[s0]\n\t"  \
    "cmovcq %[t1], %[s1]\n\t"  \
    "cmovcq %[t2], %[s2]\n\t"  \
    "cmovcq %[t3], %[s3]\n\t"

/* (s0..s3) = (t0..t3) + m (mod 2^256) */
#define TACIT__ADD_M           \
    "movq %[t0], %[s0]\n\t"    \
    "addq (%[m]), %[s0]\n\t"   \
    "movq %[t1], %[s1]\n\t"    \
    "adcq 8(%[m]), %[s1]\n\t"  \
    "movq %[t2], %[s2]\n\t"    \
    "adcq 16(%[m]), %[s2]\n\t" \
    "movq %[t3], %[s3]\n\t"    \
    "adcq 24(%[m]), %[s3]\n\t"

/* (t0..t3) = a + b, the carry out in CF */
#define TACIT__ADD4_AB         \
    "movq (%[a]), %[t0]\n\t"   \
    "addq (%[b]), %[t0]\n\t"   \
    "movq 8(%[a]), %[t1]\n\t"  \
    "adcq 8(%[b]), %[t1]\n\t"  \
    "movq 16(%[a]), %[t2]\n\t" \
    "adcq 16(%[b]), %[t2]\n\t" \
    "movq 24(%[a]), %[t3]\n\t" \
    "adcq 24(%[b]), %[t3]\n\t"

/* r = a + b mod m (inputs < m < 2^254, so the sum fits in 4 limbs). */
static inline __attribute__((always_inline)) void
tacit__mod_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4])
{
    uint64_t t0, t1, t2, t3, s0, s1, s2, s3;
    __asm__(TACIT__ADD4_AB TACIT__TRIAL_SUB
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [s0] "=&r"(s0),
              [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3)
            : [a] "r"(a), [b] "r"(b), [m] "r"(m)
            : "cc", "memory");
    r[0] = s0;
    r[1] = s1;
    r[2] = s2;
    r[3] = s3;
}

/* r = a - b mod m */
static inline __attribute__((always_inline)) void
tacit__mod_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4])
{
    uint64_t t0, t1, t2, t3, s0, s1, s2, s3, bw;
    __asm__("movq (%[a]), %[t0]\n\t"
            "subq (%[b]), %[t0]\n\t"
            "movq 8(%[a]), %[t1]\n\t"
            "sbbq 8(%[b]), %[t1]\n\t"
            "movq 16(%[a]), %[t2]\n\t"
            "sbbq 16(%[b]), %[t2]\n\t"
            "movq 24(%[a]), %[t3]\n\t"
            "sbbq 24(%[b]), %[t3]\n\t"
            "sbbq %[bw], %[bw]\n\t" /* bw = -borrow */
            TACIT__ADD_M "testq %[bw], %[bw]\n\t"
            "cmovzq %[t0], %[s0]\n\t"
            "cmovzq %[t1], %[s1]\n\t"
            "cmovzq %[t2], %[s2]\n\t"
            "cmovzq %[t3], %[s3]\n\t"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [s0] "=&r"(s0),
              [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [bw] "=&r"(bw)
            : [a] "r"(a), [b] "r"(b), [m] "r"(m)
            : "cc", "memory");
    r[0] = s0;
    r[1] = s1;
    r[2] = s2;
    r[3] = s3;
}
/*
 * r = 9x + y mod p or 9x - y mod p (SUB adds y, or p - y), for BN254's p only, x and y < p: the
 * halves of the multiplication by xi = 9 + u (field.h, fp2_mul_xi) in one pass with one
 * reduction instead of eight modular additions. t = 9x + y (or 9x + p - y) is below 10p
 * < 2^258; its top bits h = floor(t / 2^250) <= 120 give q = floor(21 h / 2^8), and since
 * 21 / 2^8 <= 2^250 / p (= 1 / 12.098), q <= t / p, while t / p - q < 1.16 for every h <= 120
 * (contrib/check-xi-reduction.py checks both bounds): t - q p is in [0, 2p), and one
 * conditional subtraction of p ends. The 256-bit difference is exact because t - q p < 2^256.
 * No branch, no table: constant time. Needs BMI2 (mulx), as the ADX kernel does.
 */
#define TACIT__P_MUL9_ASM(SUB)                                                                \
    __asm__("movq (%[x]), %[t0]\n\t"                                                          \
            "movq 8(%[x]), %[t1]\n\t"                                                         \
            "movq 16(%[x]), %[t2]\n\t"                                                        \
            "movq 24(%[x]), %[t3]\n\t"                                                        \
            "movq %[t3], %[s3]\n\t"                                                           \
            "shrq $61, %[s3]\n\t"                                                             \
            "shldq $3, %[t2], %[t3]\n\t"                                                      \
            "shldq $3, %[t1], %[t2]\n\t"                                                      \
            "shldq $3, %[t0], %[t1]\n\t"                                                      \
            "shlq $3, %[t0]\n\t" /* (t0..t3, s3) = 8x */                                      \
            "addq (%[x]), %[t0]\n\t"                                                          \
            "adcq 8(%[x]), %[t1]\n\t"                                                         \
            "adcq 16(%[x]), %[t2]\n\t"                                                        \
            "adcq 24(%[x]), %[t3]\n\t"                                                        \
            "adcq $0, %[s3]\n\t" /* 9x */                                                     \
            SUB "movq %[t3], %%rdx\n\t"                                                       \
            "shrdq $58, %[s3], %%rdx\n\t" /* h = t >> 250 */                                  \
            "imulq $21, %%rdx, %%rdx\n\t"                                                     \
            "shrq $8, %%rdx\n\t" /* q */                                                      \
            "mulxq (%[m]), %[s0], %[s1]\n\t"                                                  \
            "mulxq 8(%[m]), %[lo], %[s2]\n\t"                                                 \
            "addq %[lo], %[s1]\n\t"                                                           \
            "mulxq 16(%[m]), %[lo], %[s3]\n\t"                                                \
            "adcq %[lo], %[s2]\n\t"                                                           \
            "mulxq 24(%[m]), %[lo], %%rdx\n\t"                                                \
            "adcq %[lo], %[s3]\n\t" /* (s0, s1, s2, s3) = q p mod 2^256 */                    \
            "subq %[s0], %[t0]\n\t"                                                           \
            "sbbq %[s1], %[t1]\n\t"                                                           \
            "sbbq %[s2], %[t2]\n\t"                                                           \
            "sbbq %[s3], %[t3]\n\t" /* t - q p < 2p */                                        \
            TACIT__TRIAL_SUB                                                                  \
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [s3] "=&r"(s3), \
              [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [lo] "=&r"(lo), "=&d"(rdx)      \
            : [x] "r"(x), [y] "r"(y), [m] "r"(m)                                              \
            : "cc", "memory")

#define TACIT__P_MUL9_ADD_Y    \
    "addq (%[y]), %[t0]\n\t"   \
    "adcq 8(%[y]), %[t1]\n\t"  \
    "adcq 16(%[y]), %[t2]\n\t" \
    "adcq 24(%[y]), %[t3]\n\t" \
    "adcq $0, %[s3]\n\t"

#define TACIT__P_MUL9_SUB_Y    \
    "addq (%[m]), %[t0]\n\t"   \
    "adcq 8(%[m]), %[t1]\n\t"  \
    "adcq 16(%[m]), %[t2]\n\t" \
    "adcq 24(%[m]), %[t3]\n\t" \
    "adcq $0, %[s3]\n\t"       \
    "subq (%[y]), %[t0]\n\t"   \
    "sbbq 8(%[y]), %[t1]\n\t"  \
    "sbbq 16(%[y]), %[t2]\n\t" \
    "sbbq 24(%[y]), %[t3]\n\t" \
    "sbbq $0, %[s3]\n\t"

/* r = 9x - y mod p (sub) or 9x + y mod p (!sub, a constant after inlining); r may alias x
 * or y. */
static inline __attribute__((always_inline)) void tacit__p_mul9_adx(uint64_t r[4],
                                                                    const uint64_t x[4],
                                                                    const uint64_t y[4],
                                                                    const uint64_t m[4], bool sub)
{
    uint64_t t0, t1, t2, t3, s0, s1, s2, s3, lo, rdx;
    if (sub)
        TACIT__P_MUL9_ASM(TACIT__P_MUL9_SUB_Y);
    else
        TACIT__P_MUL9_ASM(TACIT__P_MUL9_ADD_Y);
    (void)t0, (void)t1, (void)t2, (void)t3, (void)lo, (void)rdx;
    r[0] = s0;
    r[1] = s1;
    r[2] = s2;
    r[3] = s3;
}

/* r = a + b as plain 256-bit integers (no reduction; the caller guarantees no overflow). */
static inline __attribute__((always_inline)) void
tacit__add_plain(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t0, t1, t2, t3;
    __asm__(TACIT__ADD4_AB
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
            : [a] "r"(a), [b] "r"(b)
            : "cc", "memory");
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
}

/* r = a - b - c as plain 512-bit integers, for a >= b + c (no modulus, no wrap): the
 * cross term of a Karatsuba product (fp2w_mul). r may alias a, b or c. */
static inline __attribute__((always_inline)) void
tacit__wide_sub2_plain(uint64_t r[8], const uint64_t a[8], const uint64_t b[8], const uint64_t c[8])
{
    uint64_t x0, x1, x2, x3, x4, x5, x6, x7;
    __asm__ volatile("movq (%[a]), %[x0]\n\t"
                     "movq 8(%[a]), %[x1]\n\t"
                     "movq 16(%[a]), %[x2]\n\t"
                     "movq 24(%[a]), %[x3]\n\t"
                     "movq 32(%[a]), %[x4]\n\t"
                     "movq 40(%[a]), %[x5]\n\t"
                     "movq 48(%[a]), %[x6]\n\t"
                     "movq 56(%[a]), %[x7]\n\t"
                     "subq (%[b]), %[x0]\n\t"
                     "sbbq 8(%[b]), %[x1]\n\t"
                     "sbbq 16(%[b]), %[x2]\n\t"
                     "sbbq 24(%[b]), %[x3]\n\t"
                     "sbbq 32(%[b]), %[x4]\n\t"
                     "sbbq 40(%[b]), %[x5]\n\t"
                     "sbbq 48(%[b]), %[x6]\n\t"
                     "sbbq 56(%[b]), %[x7]\n\t"
                     "subq (%[c]), %[x0]\n\t"
                     "sbbq 8(%[c]), %[x1]\n\t"
                     "sbbq 16(%[c]), %[x2]\n\t"
                     "sbbq 24(%[c]), %[x3]\n\t"
                     "sbbq 32(%[c]), %[x4]\n\t"
                     "sbbq 40(%[c]), %[x5]\n\t"
                     "sbbq 48(%[c]), %[x6]\n\t"
                     "sbbq 56(%[c]), %[x7]\n\t"
                     "movq %[x0], (%[r])\n\t"
                     "movq %[x1], 8(%[r])\n\t"
                     "movq %[x2], 16(%[r])\n\t"
                     "movq %[x3], 24(%[r])\n\t"
                     "movq %[x4], 32(%[r])\n\t"
                     "movq %[x5], 40(%[r])\n\t"
                     "movq %[x6], 48(%[r])\n\t"
                     "movq %[x7], 56(%[r])\n\t"
                     : [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3),
                       [x4] "=&r"(x4), [x5] "=&r"(x5), [x6] "=&r"(x6), [x7] "=&r"(x7)
                     : [a] "r"(a), [b] "r"(b), [c] "r"(c), [r] "r"(r)
                     : "cc", "memory");
}

/* Wide values (see tacit__redc): r = a + b mod m 2^256 and r = a - b mod m 2^256, for
 * a, b in [0, m 2^256). The low halves add (subtract) plainly; the high half carries the
 * modulus. r may alias a or b (limb i is written after limb i of both is read). */
static inline __attribute__((always_inline)) void
tacit__wide_add(uint64_t r[8], const uint64_t a[8], const uint64_t b[8], const uint64_t m[4])
{
    uint64_t x, t0, t1, t2, t3, s0, s1, s2, s3;
    __asm__ volatile("movq (%[a]), %[x]\n\t"
                     "addq (%[b]), %[x]\n\t"
                     "movq %[x], (%[r])\n\t"
                     "movq 8(%[a]), %[x]\n\t"
                     "adcq 8(%[b]), %[x]\n\t"
                     "movq %[x], 8(%[r])\n\t"
                     "movq 16(%[a]), %[x]\n\t"
                     "adcq 16(%[b]), %[x]\n\t"
                     "movq %[x], 16(%[r])\n\t"
                     "movq 24(%[a]), %[x]\n\t"
                     "adcq 24(%[b]), %[x]\n\t"
                     "movq %[x], 24(%[r])\n\t"
                     "movq 32(%[a]), %[t0]\n\t"
                     "adcq 32(%[b]), %[t0]\n\t"
                     "movq 40(%[a]), %[t1]\n\t"
                     "adcq 40(%[b]), %[t1]\n\t"
                     "movq 48(%[a]), %[t2]\n\t"
                     "adcq 48(%[b]), %[t2]\n\t"
                     "movq 56(%[a]), %[t3]\n\t"
                     "adcq 56(%[b]), %[t3]\n\t" TACIT__TRIAL_SUB "movq %[s0], 32(%[r])\n\t"
                     "movq %[s1], 40(%[r])\n\t"
                     "movq %[s2], 48(%[r])\n\t"
                     "movq %[s3], 56(%[r])\n\t"
                     : [x] "=&r"(x), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
                       [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3)
                     : [a] "r"(a), [b] "r"(b), [m] "r"(m), [r] "r"(r)
                     : "cc", "memory");
}

static inline __attribute__((always_inline)) void
tacit__wide_sub(uint64_t r[8], const uint64_t a[8], const uint64_t b[8], const uint64_t m[4])
{
    uint64_t x, t0, t1, t2, t3, s0, s1, s2, s3;
    __asm__ volatile("movq (%[a]), %[x]\n\t"
                     "subq (%[b]), %[x]\n\t"
                     "movq %[x], (%[r])\n\t"
                     "movq 8(%[a]), %[x]\n\t"
                     "sbbq 8(%[b]), %[x]\n\t"
                     "movq %[x], 8(%[r])\n\t"
                     "movq 16(%[a]), %[x]\n\t"
                     "sbbq 16(%[b]), %[x]\n\t"
                     "movq %[x], 16(%[r])\n\t"
                     "movq 24(%[a]), %[x]\n\t"
                     "sbbq 24(%[b]), %[x]\n\t"
                     "movq %[x], 24(%[r])\n\t"
                     "movq 32(%[a]), %[t0]\n\t"
                     "sbbq 32(%[b]), %[t0]\n\t"
                     "movq 40(%[a]), %[t1]\n\t"
                     "sbbq 40(%[b]), %[t1]\n\t"
                     "movq 48(%[a]), %[t2]\n\t"
                     "sbbq 48(%[b]), %[t2]\n\t"
                     "movq 56(%[a]), %[t3]\n\t"
                     "sbbq 56(%[b]), %[t3]\n\t"
                     "sbbq %[x], %[x]\n\t" /* x = -borrow */
                     TACIT__ADD_M "testq %[x], %[x]\n\t"
                     "cmovzq %[t0], %[s0]\n\t"
                     "cmovzq %[t1], %[s1]\n\t"
                     "cmovzq %[t2], %[s2]\n\t"
                     "cmovzq %[t3], %[s3]\n\t"
                     "movq %[s0], 32(%[r])\n\t"
                     "movq %[s1], 40(%[r])\n\t"
                     "movq %[s2], 48(%[r])\n\t"
                     "movq %[s3], 56(%[r])\n\t"
                     : [x] "=&r"(x), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
                       [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3)
                     : [a] "r"(a), [b] "r"(b), [m] "r"(m), [r] "r"(r)
                     : "cc", "memory");
}
#else
/* r = a + b as plain 256-bit integers (see the x86-64 version). */
static inline __attribute__((always_inline)) void
tacit__add_plain(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t c = 0;
    r[0] = tacit__adc(a[0], b[0], &c);
    r[1] = tacit__adc(a[1], b[1], &c);
    r[2] = tacit__adc(a[2], b[2], &c);
    r[3] = tacit__adc(a[3], b[3], &c);
}

/* r = a - b - c as plain 512-bit integers, for a >= b + c (see the x86-64 version). */
static inline __attribute__((always_inline)) void
tacit__wide_sub2_plain(uint64_t r[8], const uint64_t a[8], const uint64_t b[8], const uint64_t c[8])
{
    uint64_t br = 0, bc = 0, t[8];
    for (int i = 0; i < 8; i++) t[i] = tacit__sbb(a[i], b[i], &br);
    for (int i = 0; i < 8; i++) r[i] = tacit__sbb(t[i], c[i], &bc);
}

/* Wide values (see tacit__redc): r = a + b mod m 2^256 and r = a - b mod m 2^256, for
 * a, b in [0, m 2^256). */
static inline __attribute__((always_inline)) void
tacit__wide_add(uint64_t r[8], const uint64_t a[8], const uint64_t b[8], const uint64_t m[4])
{
    uint64_t c = 0, br = 0, t[8], s[4];
    for (int i = 0; i < 8; i++) t[i] = tacit__adc(a[i], b[i], &c);
    for (int i = 0; i < 4; i++) s[i] = tacit__sbb(t[4 + i], m[i], &br);
    uint64_t keep = 0 - br;
    for (int i = 0; i < 4; i++) r[i] = t[i];
    for (int i = 0; i < 4; i++) r[4 + i] = (t[4 + i] & keep) | (s[i] & ~keep);
}

static inline __attribute__((always_inline)) void
tacit__wide_sub(uint64_t r[8], const uint64_t a[8], const uint64_t b[8], const uint64_t m[4])
{
    uint64_t br = 0, c = 0, t[8];
    for (int i = 0; i < 8; i++) t[i] = tacit__sbb(a[i], b[i], &br);
    uint64_t mask = 0 - br; /* add m 2^256 back if we borrowed */
    for (int i = 0; i < 4; i++) r[i] = t[i];
    for (int i = 0; i < 4; i++) r[4 + i] = tacit__adc(t[4 + i], m[i] & mask, &c);
}
/* r = a + b mod m (inputs < m < 2^254, so the sum fits in 4 limbs). */
static inline __attribute__((always_inline)) void
tacit__mod_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4])
{
    uint64_t c = 0, br = 0, t[4], s[4];
    t[0] = tacit__adc(a[0], b[0], &c);
    t[1] = tacit__adc(a[1], b[1], &c);
    t[2] = tacit__adc(a[2], b[2], &c);
    t[3] = tacit__adc(a[3], b[3], &c);
    s[0] = tacit__sbb(t[0], m[0], &br);
    s[1] = tacit__sbb(t[1], m[1], &br);
    s[2] = tacit__sbb(t[2], m[2], &br);
    s[3] = tacit__sbb(t[3], m[3], &br);
    uint64_t keep = 0 - br;
    for (int i = 0; i < 4; i++) r[i] = (t[i] & keep) | (s[i] & ~keep);
}

/* r = a - b mod m */
static inline __attribute__((always_inline)) void
tacit__mod_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4])
{
    uint64_t br = 0, c = 0, t[4];
    t[0] = tacit__sbb(a[0], b[0], &br);
    t[1] = tacit__sbb(a[1], b[1], &br);
    t[2] = tacit__sbb(a[2], b[2], &br);
    t[3] = tacit__sbb(a[3], b[3], &br);
    uint64_t mask = 0 - br; /* add m back if we borrowed */
    r[0] = tacit__adc(t[0], m[0] & mask, &c);
    r[1] = tacit__adc(t[1], m[1] & mask, &c);
    r[2] = tacit__adc(t[2], m[2] & mask, &c);
    r[3] = tacit__adc(t[3], m[3] & mask, &c);
}
#endif

/* r = -a mod m (0 stays 0) */
static inline __attribute__((always_inline)) void tacit__mod_neg(uint64_t r[4], const uint64_t a[4],
                                                                 const uint64_t m[4])
{
#if defined(__x86_64__) && !defined(TACIT_PORTABLE_ONLY)
    /* m - a, then zero where a == 0 (cmov: no branch); gcc 12 made the C below ~60
     * instructions */
    uint64_t t0, t1, t2, t3, z, nz;
    __asm__("xorl %k[z], %k[z]\n\t"
            "movq (%[m]), %[t0]\n\t"
            "subq (%[a]), %[t0]\n\t"
            "movq 8(%[m]), %[t1]\n\t"
            "sbbq 8(%[a]), %[t1]\n\t"
            "movq 16(%[m]), %[t2]\n\t"
            "sbbq 16(%[a]), %[t2]\n\t"
            "movq 24(%[m]), %[t3]\n\t"
            "sbbq 24(%[a]), %[t3]\n\t"
            "movq (%[a]), %[nz]\n\t"
            "orq 8(%[a]), %[nz]\n\t"
            "orq 16(%[a]), %[nz]\n\t"
            "orq 24(%[a]), %[nz]\n\t"
            "cmovzq %[z], %[t0]\n\t"
            "cmovzq %[z], %[t1]\n\t"
            "cmovzq %[z], %[t2]\n\t"
            "cmovzq %[z], %[t3]\n\t"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [z] "=&r"(z),
              [nz] "=&r"(nz)
            : [a] "r"(a), [m] "r"(m)
            : "cc", "memory");
    (void)nz;
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
#else
    uint64_t br = 0, nz = a[0] | a[1] | a[2] | a[3];
    uint64_t mask = 0 - (uint64_t)(nz != 0);
    r[0] = tacit__sbb(m[0], a[0], &br) & mask;
    r[1] = tacit__sbb(m[1], a[1], &br) & mask;
    r[2] = tacit__sbb(m[2], a[2], &br) & mask;
    r[3] = tacit__sbb(m[3], a[3], &br) & mask;
#endif
}

/* true iff a < m, as integers */
static inline bool tacit__lt(const uint64_t a[4], const uint64_t m[4])
{
    uint64_t br = 0;
    (void)tacit__sbb(a[0], m[0], &br);
    (void)tacit__sbb(a[1], m[1], &br);
    (void)tacit__sbb(a[2], m[2], &br);
    (void)tacit__sbb(a[3], m[3], &br);
    return br != 0;
}

#endif /* TACIT_CRYPTO_FIELD_IMPL_H */
