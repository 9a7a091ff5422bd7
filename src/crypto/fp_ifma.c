/*
 * Fp Montgomery multiplication in parallel lanes with AVX-512 IFMA (vpmadd52luq/vpmadd52huq:
 * the low and high 52 bits of a 52x52-bit product added to a 64-bit lane).
 *
 * The method is the one of Gueron and Krasnov, "Accelerating big integer arithmetic using
 * Intel IFMA extensions" (ARITH 2016), and Drucker and Gueron, "Fast modular squaring with
 * AVX512IFMA" (2018): operands in radix 2^52, word-by-word Montgomery reduction with 52-bit
 * digits, the carries left in the 64-bit lanes until the end. Here each lane holds one
 * whole multiplication (lane i computes a[i] b[i]), so the lanes never talk to each other.
 *
 * BN254's p < 2^254 fits five 52-bit limbs (260 bits). Five reduction steps of 52 bits
 * divide by 2^260, not by the scalar kernel's R = 2^256; to end at the same Montgomery form,
 * a enters as 16 a (its 52-bit limbs are read 4 bits lower, free in the conversion):
 * (16 a) b / 2^260 = a b / 2^256. With a, b < 2p (fp_mul's contract), 16 a < 2^259 fits the
 * five limbs, and with q < 2^260 the accumulator ends at (16 a b + q p) / 2^260 <
 * p (64 p / 2^260 + 1) < 2p, so one conditional subtraction of p reduces it.
 *
 * Only this file is compiled for AVX-512, function by function (target attributes), and
 * only called when tacit__use_ifma says the CPU and the OS support it.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/bn254_constants.h"
#include "crypto/fp_ifma.h"

int tacit__use_ifma = 0;

#if defined(__x86_64__) && !defined(TACIT_PORTABLE_ONLY)
#include <cpuid.h>
#include <immintrin.h>

/* CPUID leaf 1 ECX bit 27 = OSXSAVE (XGETBV usable); XCR0 bits 1, 2 (XMM, YMM) and 5-7
 * (opmask, ZMM_Hi256, Hi16_ZMM) = the OS saves the AVX-512 state; leaf 7 EBX bit 16 =
 * AVX512F, bit 21 = AVX512IFMA, bit 31 = AVX512VL (Intel SDM vol. 1, 15.2 and 15.4). */
bool tacit__ifma_cpu(void)
{
    unsigned eax, ebx, ecx, edx, xlo, xhi;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return false;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    (void)xhi;
    if ((xlo & 0xe6u) != 0xe6u) return false;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    return (ebx & (1u << 16)) && (ebx & (1u << 21)) && (ebx & (1u << 31));
}

__attribute__((constructor)) static void detect_ifma(void)
{
    const char *off = getenv("TACIT_NO_IFMA");
    if (off != NULL && off[0] != '\0' && off[0] != '0') return;
    tacit__use_ifma = tacit__ifma_cpu();
}

int tacit__set_ifma(int on)
{
    int was = tacit__use_ifma;
    tacit__use_ifma = on && tacit__ifma_cpu();
    return was;
}

#define IFMA __attribute__((target("avx512f,avx512ifma,avx512vl")))

/* Lanes as GCC/clang vector-extension types: +, -, &, |, >> and << act lane by lane
 * (unsigned, so >> is logical); only the products need intrinsics. */
typedef uint64_t v8 __attribute__((vector_size(64)));

#define M52 (((uint64_t)1 << 52) - 1)

/* Limb j of a 4x64-bit value m (below 2^256) in radix 2^52. */
#define LIMB52_0(m) ((m)[0] & M52)
#define LIMB52_1(m) (((m)[0] >> 52 | (m)[1] << 12) & M52)
#define LIMB52_2(m) (((m)[1] >> 40 | (m)[2] << 24) & M52)
#define LIMB52_3(m) (((m)[2] >> 28 | (m)[3] << 36) & M52)
#define LIMB52_4(m) ((m)[3] >> 16)

/* p in radix 2^52: reads of this static constant fold at compile time. */
static const tacit_fp P = TACIT__P_RAW;
#define P52_0 LIMB52_0(P.l)
#define P52_1 LIMB52_1(P.l)
#define P52_2 LIMB52_2(P.l)
#define P52_3 LIMB52_3(P.l)
#define P52_4 LIMB52_4(P.l)

static inline IFMA v8 lo52(v8 acc, v8 x, v8 y)
{
    return (v8)_mm512_madd52lo_epu64((__m512i)acc, (__m512i)x, (__m512i)y);
}
static inline IFMA v8 hi52(v8 acc, v8 x, v8 y)
{
    return (v8)_mm512_madd52hi_epu64((__m512i)acc, (__m512i)x, (__m512i)y);
}

/* Eight elements in four zmm (two elements each, v[k] = elements 2k and 2k + 1) to
 * limb-major vectors: x[j] lane i = limb j of element i. Two rounds of two-source permutes. */
static inline IFMA void transpose_in(v8 x[4], __m512i v0, __m512i v1, __m512i v2, __m512i v3)
{
    const __m512i lo01 = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);
    const __m512i lo23 = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);
    /* elements 0-3 then 4-7: limbs 0 and 1 (a01, e01), limbs 2 and 3 (a23, e23) */
    __m512i a01 = _mm512_permutex2var_epi64(v0, lo01, v1);
    __m512i a23 = _mm512_permutex2var_epi64(v0, lo23, v1);
    __m512i e01 = _mm512_permutex2var_epi64(v2, lo01, v3);
    __m512i e23 = _mm512_permutex2var_epi64(v2, lo23, v3);
    x[0] = (v8)_mm512_shuffle_i64x2(a01, e01, 0x44);
    x[1] = (v8)_mm512_shuffle_i64x2(a01, e01, 0xee);
    x[2] = (v8)_mm512_shuffle_i64x2(a23, e23, 0x44);
    x[3] = (v8)_mm512_shuffle_i64x2(a23, e23, 0xee);
}

/* The inverse of transpose_in. */
static inline IFMA void transpose_out(__m512i v[4], const v8 x[4])
{
    const __m512i even = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);
    const __m512i odd = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);
    __m512i a01 = _mm512_shuffle_i64x2((__m512i)x[0], (__m512i)x[1], 0x44);
    __m512i e01 = _mm512_shuffle_i64x2((__m512i)x[0], (__m512i)x[1], 0xee);
    __m512i a23 = _mm512_shuffle_i64x2((__m512i)x[2], (__m512i)x[3], 0x44);
    __m512i e23 = _mm512_shuffle_i64x2((__m512i)x[2], (__m512i)x[3], 0xee);
    v[0] = _mm512_permutex2var_epi64(a01, even, a23);
    v[1] = _mm512_permutex2var_epi64(a01, odd, a23);
    v[2] = _mm512_permutex2var_epi64(e01, even, e23);
    v[3] = _mm512_permutex2var_epi64(e01, odd, e23);
}

/* Eight consecutive tacit_fp to limb-major vectors. */
static inline IFMA void load8(v8 x[4], const tacit_fp *a)
{
    transpose_in(x, _mm512_loadu_si512(a), _mm512_loadu_si512(a + 2), _mm512_loadu_si512(a + 4),
                 _mm512_loadu_si512(a + 6));
}

/* The inverse of load8. */
static inline IFMA void store8(tacit_fp *r, const v8 x[4])
{
    __m512i v[4];
    transpose_out(v, x);
    for (int k = 0; k < 4; k++) _mm512_storeu_si512(r + 2 * k, v[k]);
}

/* Two tacit_fp from anywhere in one zmm. */
static inline IFMA __m512i load2(const tacit_fp *lo, const tacit_fp *hi)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)lo)),
                              _mm256_loadu_si256((const __m256i *)hi), 1);
}

/* load8 of eight elements found through pointers. */
static inline IFMA void load8p(v8 x[4], const tacit_fp *const a[8])
{
    transpose_in(x, load2(a[0], a[1]), load2(a[2], a[3]), load2(a[4], a[5]), load2(a[6], a[7]));
}

/* store8 through pointers, element i only where bit i of mask is set. */
static inline IFMA void store8p(tacit_fp *const r[8], const v8 x[4], unsigned mask)
{
    __m512i v[4];
    transpose_out(v, x);
    for (int i = 0; i < 8; i++)
        if (mask >> i & 1) {
            __m256i e =
                i & 1 ? _mm512_extracti64x4_epi64(v[i / 2], 1) : _mm512_castsi512_si256(v[i / 2]);
            _mm256_storeu_si256((__m256i *)r[i], e);
        }
}

/* 4x64 -> 5x52 limbs of x (shift 0) or of 16 x (shift 4; x < 2^254, so 16 x < 2^258). */
static inline IFMA void to52(v8 y[5], const v8 x[4], int shift)
{
    const v8 m = {M52, M52, M52, M52, M52, M52, M52, M52};
    if (shift == 0) {
        y[0] = x[0] & m;
        y[1] = (x[0] >> 52 | x[1] << 12) & m;
        y[2] = (x[1] >> 40 | x[2] << 24) & m;
        y[3] = (x[2] >> 28 | x[3] << 36) & m;
        y[4] = x[3] >> 16;
    } else {
        y[0] = (x[0] << 4) & m;
        y[1] = (x[0] >> 48 | x[1] << 16) & m;
        y[2] = (x[1] >> 36 | x[2] << 28) & m;
        y[3] = (x[2] >> 24 | x[3] << 40) & m;
        y[4] = x[3] >> 12;
    }
}

/* 5x52 limbs (each below 2^52, value below 2^256) -> 4x64. */
static inline IFMA void from52(v8 x[4], const v8 y[5])
{
    x[0] = y[0] | y[1] << 52;
    x[1] = y[1] >> 12 | y[2] << 40;
    x[2] = y[2] >> 24 | y[3] << 28;
    x[3] = y[3] >> 36 | y[4] << 16;
}

/* r = a b / 2^260 mod m, limbs below 2^52 in and out, a b < 2^260 m, for a modulus m below
 * 2^254 given as 4x64-bit limbs with kinv = -m^-1 mod 2^64 (BN254's p, or r for the NTT;
 * inlined, so the limbs below fold to constants). Word-by-word Montgomery: for each digit
 * b_i, t += a b_i, then q = t_0 (-m^-1) mod 2^52, t += q m (which clears t_0's low 52
 * bits), t /= 2^52. The lanes accumulate without carrying: a limb gains at most four
 * 52-bit terms per step, so after five steps it is below 2^57. */
static inline IFMA __attribute__((always_inline)) void
mont52_mod(v8 r[5], const v8 a[5], const v8 b[5], const uint64_t mod[4], uint64_t kinv)
{
    const v8 zero = {0}, m = zero + M52, k = zero + (kinv & M52);
    const v8 p0 = zero + LIMB52_0(mod), p1 = zero + LIMB52_1(mod), p2 = zero + LIMB52_2(mod),
             p3 = zero + LIMB52_3(mod), p4 = zero + LIMB52_4(mod);
    v8 t0 = zero, t1 = zero, t2 = zero, t3 = zero, t4 = zero, t5, q;
    for (int i = 0; i < 5; i++) {
        t5 = zero;
        t0 = lo52(t0, a[0], b[i]);
        t1 = hi52(t1, a[0], b[i]);
        t1 = lo52(t1, a[1], b[i]);
        t2 = hi52(t2, a[1], b[i]);
        t2 = lo52(t2, a[2], b[i]);
        t3 = hi52(t3, a[2], b[i]);
        t3 = lo52(t3, a[3], b[i]);
        t4 = hi52(t4, a[3], b[i]);
        t4 = lo52(t4, a[4], b[i]);
        t5 = hi52(t5, a[4], b[i]);
        q = lo52(zero, t0, k);
        t0 = lo52(t0, q, p0);
        t1 = hi52(t1, q, p0);
        t1 = lo52(t1, q, p1);
        t2 = hi52(t2, q, p1);
        t2 = lo52(t2, q, p2);
        t3 = hi52(t3, q, p2);
        t3 = lo52(t3, q, p3);
        t4 = hi52(t4, q, p3);
        t4 = lo52(t4, q, p4);
        t5 = hi52(t5, q, p4);
        t0 = t1 + (t0 >> 52);
        t1 = t2;
        t2 = t3;
        t3 = t4;
        t4 = t5;
    }
    /* carry into 52-bit limbs (the value is below 2p < 2^255) */
    t1 += t0 >> 52;
    t0 &= m;
    t2 += t1 >> 52;
    t1 &= m;
    t3 += t2 >> 52;
    t2 &= m;
    t4 += t3 >> 52;
    t3 &= m;
    /* s = t - p with borrows as arithmetic shifts of the signed limbs */
    typedef int64_t s8 __attribute__((vector_size(64)));
    s8 s0 = (s8)(t0 - p0), s1 = (s8)(t1 - p1), s2 = (s8)(t2 - p2), s3 = (s8)(t3 - p3),
       s4 = (s8)(t4 - p4);
    s1 += s0 >> 52;
    s2 += s1 >> 52;
    s3 += s2 >> 52;
    s4 += s3 >> 52;
    v8 keep = (v8)(s4 >> 63); /* all ones where t < p */
    r[0] = (t0 & keep) | ((v8)s0 & m & ~keep);
    r[1] = (t1 & keep) | ((v8)s1 & m & ~keep);
    r[2] = (t2 & keep) | ((v8)s2 & m & ~keep);
    r[3] = (t3 & keep) | ((v8)s3 & m & ~keep);
    r[4] = (t4 & keep) | ((v8)s4 & ~keep);
}

/* mont52_mod for p */
static inline IFMA void mont52(v8 r[5], const v8 a[5], const v8 b[5])
{
    mont52_mod(r, a, b, P.l, TACIT__P_INV);
}

/* r = 16 x for x < 2^256 in normalized 52-bit limbs (mont52's first operand). */
static inline IFMA void shl4(v8 r[5], const v8 x[5])
{
    const v8 m = (v8){0} + M52;
    r[4] = x[4] << 4 | x[3] >> 48;
    r[3] = (x[3] << 4 | x[2] >> 48) & m;
    r[2] = (x[2] << 4 | x[1] >> 48) & m;
    r[1] = (x[1] << 4 | x[0] >> 48) & m;
    r[0] = (x[0] << 4) & m;
}

/* r = a - b mod p for a, b < p in normalized 52-bit limbs; r likewise. The borrows go as
 * arithmetic shifts of the signed limbs; p is added back where the difference is
 * negative. r may alias a or b. */
static inline IFMA void sub52(v8 r[5], const v8 a[5], const v8 b[5])
{
    typedef int64_t s8 __attribute__((vector_size(64)));
    const v8 zero = {0}, m = zero + M52;
    const v8 p[5] = {zero + P52_0, zero + P52_1, zero + P52_2, zero + P52_3, zero + P52_4};
    s8 s[5];
    s[0] = (s8)(a[0] - b[0]);
    for (int j = 1; j < 5; j++) {
        s[j] = (s8)(a[j] - b[j]) + (s[j - 1] >> 52);
        s[j - 1] = (s8)((v8)s[j - 1] & m);
    }
    v8 neg = (v8)(s[4] >> 63), c = zero;
    for (int j = 0; j < 5; j++) {
        v8 u = (v8)s[j] + (p[j] & neg) + c;
        c = u >> 52;
        r[j] = j < 4 ? u & m : u;
    }
}

/*
 * The backward step and the affine additions of G1's batch-affine round (msm.c's
 * m1_round_lanes) for eight pairs at once, every value in radix 2^52 from load to store:
 *   di = inv pre, inv = inv den            (Montgomery's trick, lane by lane)
 *   lambda = num di, x3 = lambda^2 - x1 - x2, y3 = lambda (x1 - x3) - y1
 * with (x1, y1) = *q[i], x2 = q[i][1].x. inv: the lanes' running inverses, updated. di[i]
 * is written for every lane; q[i] is overwritten with (x3, y3) where bit i of mask is set
 * (the other lanes' pointers must still be readable). All inputs below p.
 */
IFMA void tacit__g1_lanes_step(tacit__fp52x8 *inv, tacit_fp di[8], const tacit_fp pre[8],
                               const tacit_fp den[8], const tacit_fp num[8],
                               tacit_g1_affine *const q[8], unsigned mask)
{
    v8 x[4], iv[5], iv16[5], t[5], u[5], d52[5], l[5], l16[5], x1[5], x2[5], y1[5];
    const tacit_fp *px1[8], *px2[8], *py1[8];
    tacit_fp *ox[8], *oy[8];
    for (int i = 0; i < 5; i++) iv[i] = (v8)_mm512_loadu_si512(inv->v[i]);
    shl4(iv16, iv);
    load8(x, pre);
    to52(t, x, 0);
    mont52(d52, iv16, t); /* di */
    load8(x, den);
    to52(t, x, 0);
    mont52(iv, iv16, t);
    for (int i = 0; i < 5; i++) _mm512_storeu_si512(inv->v[i], (__m512i)iv[i]);
    from52(x, d52);
    store8(di, x);
    load8(x, num);
    to52(t, x, 4);
    mont52(l, t, d52); /* lambda */
    shl4(l16, l);
    mont52(t, l16, l); /* lambda^2 */
    for (int i = 0; i < 8; i++) {
        px1[i] = &q[i]->x;
        px2[i] = &q[i][1].x;
        py1[i] = &q[i]->y;
        ox[i] = &q[i]->x;
        oy[i] = &q[i]->y;
    }
    load8p(x, px1);
    to52(x1, x, 0);
    load8p(x, px2);
    to52(x2, x, 0);
    load8p(x, py1);
    to52(y1, x, 0);
    sub52(t, t, x1);
    sub52(t, t, x2); /* x3 */
    sub52(u, x1, t);
    mont52(u, l16, u);
    sub52(u, u, y1); /* y3 */
    from52(x, t);
    store8p(ox, x, mask);
    from52(x, u);
    store8p(oy, x, mask);
}

/* Radix-2^52 lanes from eight tacit_fp found through pointers, and back (where bit i of
 * mask is set). */
static inline IFMA void ld52p(v8 r[5], const tacit_fp *const a[8])
{
    v8 x[4];
    load8p(x, a);
    to52(r, x, 0);
}

static inline IFMA void st52p(tacit_fp *const r[8], const v8 y[5], unsigned mask)
{
    v8 x[4];
    from52(x, y);
    store8p(r, x, mask);
}

/* r = a b / 2^256 mod p (fp_mul's contract) for a, b < 2p in normalized 52-bit limbs. */
static inline IFMA void mul52(v8 r[5], const v8 a[5], const v8 b[5])
{
    v8 a16[5];
    shl4(a16, a);
    mont52(r, a16, b);
}

/* r = a + b, not reduced (a, b < p: r < 2p, a valid operand of mul52), normalized. */
static inline IFMA void add52(v8 r[5], const v8 a[5], const v8 b[5])
{
    const v8 m = (v8){0} + M52;
    v8 c = {0};
    for (int j = 0; j < 5; j++) {
        v8 u = a[j] + b[j] + c;
        c = u >> 52;
        r[j] = j < 4 ? u & m : u;
    }
}

/* Fp2 in lanes: r = a b (Karatsuba, as field.h's fp2_mul_reduced) and r = a^2 (complex
 * squaring, as fp2_sqr); inputs reduced. r may alias a or b. */
typedef struct {
    v8 c0[5], c1[5];
} f2;

static inline IFMA void mul2(f2 *r, const f2 *a, const f2 *b)
{
    v8 sa[5], sb[5], t0[5], t1[5], t2[5];
    add52(sa, a->c0, a->c1);
    add52(sb, b->c0, b->c1);
    mul52(t0, a->c0, b->c0);
    mul52(t1, a->c1, b->c1);
    mul52(t2, sa, sb);
    sub52(r->c0, t0, t1);
    sub52(t2, t2, t0);
    sub52(r->c1, t2, t1);
}

static inline IFMA void sqr2(f2 *r, const f2 *a)
{
    v8 s[5], d[5], a2[5];
    add52(s, a->c0, a->c1);
    sub52(d, a->c0, a->c1);
    add52(a2, a->c0, a->c0);
    mul52(r->c0, s, d);
    mul52(r->c1, a2, a->c1);
}

/* f2 lanes from eight tacit_fp2 found through pointers, and back (bit i of mask). */
static inline IFMA void ld2p(f2 *r, const tacit_fp2 *const a[8])
{
    const tacit_fp *p0[8], *p1[8];
    for (int i = 0; i < 8; i++) {
        p0[i] = &a[i]->c0;
        p1[i] = &a[i]->c1;
    }
    ld52p(r->c0, p0);
    ld52p(r->c1, p1);
}

static inline IFMA void st2p(tacit_fp2 *const r[8], const f2 *a, unsigned mask)
{
    tacit_fp *p0[8], *p1[8];
    for (int i = 0; i < 8; i++) {
        p0[i] = &r[i]->c0;
        p1[i] = &r[i]->c1;
    }
    st52p(p0, a->c0, mask);
    st52p(p1, a->c1, mask);
}

/*
 * G2's counterpart of tacit__g1_lanes_step, with the inversion through the norm (msm.c's
 * m2_norm_inv): ni = inv pre, inv = inv nrm, di = conj(den) ni, then the affine addition in
 * Fp2. di[i] is written for every lane; q[i] overwritten where bit i of mask is set.
 */
IFMA void tacit__g2_lanes_step(tacit__fp52x8 *inv, tacit_fp2 di[8], const tacit_fp pre[8],
                               const tacit_fp nrm[8], const tacit_fp2 den[8],
                               const tacit_fp2 num[8], tacit_g2_affine *const q[8], unsigned mask)
{
    const v8 zero = {0};
    const v8 zero5[5] = {zero, zero, zero, zero, zero};
    v8 x[4], iv[5], iv16[5], t[5], ni[5];
    f2 d, l, w, x1, x2, y1;
    const tacit_fp2 *pa[8];
    tacit_fp2 *pd[8], *px[8], *py[8];
    for (int i = 0; i < 5; i++) iv[i] = (v8)_mm512_loadu_si512(inv->v[i]);
    shl4(iv16, iv);
    load8(x, pre);
    to52(t, x, 0);
    mont52(ni, iv16, t); /* 1 / N(den) */
    load8(x, nrm);
    to52(t, x, 0);
    mont52(iv, iv16, t);
    for (int i = 0; i < 5; i++) _mm512_storeu_si512(inv->v[i], (__m512i)iv[i]);

    for (int i = 0; i < 8; i++) pa[i] = &den[i];
    ld2p(&d, pa);
    mul52(d.c0, d.c0, ni); /* 1 / den = conj(den) / N(den) */
    mul52(d.c1, d.c1, ni);
    sub52(d.c1, zero5, d.c1);
    for (int i = 0; i < 8; i++) pd[i] = &di[i];
    st2p(pd, &d, 0xff);
    for (int i = 0; i < 8; i++) pa[i] = &num[i];
    ld2p(&l, pa);
    mul2(&l, &l, &d); /* lambda */
    sqr2(&w, &l);
    for (int i = 0; i < 8; i++) pa[i] = &q[i]->x;
    ld2p(&x1, pa);
    for (int i = 0; i < 8; i++) pa[i] = &q[i][1].x;
    ld2p(&x2, pa);
    for (int i = 0; i < 8; i++) pa[i] = &q[i]->y;
    ld2p(&y1, pa);
    sub52(w.c0, w.c0, x1.c0); /* x3 = lambda^2 - x1 - x2 */
    sub52(w.c1, w.c1, x1.c1);
    sub52(w.c0, w.c0, x2.c0);
    sub52(w.c1, w.c1, x2.c1);
    sub52(x1.c0, x1.c0, w.c0); /* x1 - x3 */
    sub52(x1.c1, x1.c1, w.c1);
    mul2(&l, &l, &x1);
    sub52(l.c0, l.c0, y1.c0); /* y3 = lambda (x1 - x3) - y1 */
    sub52(l.c1, l.c1, y1.c1);
    for (int i = 0; i < 8; i++) {
        px[i] = &q[i]->x;
        py[i] = &q[i]->y;
    }
    st2p(px, &w, mask);
    st2p(py, &l, mask);
}

/* r = a + b mod p for a, b < p in normalized 52-bit limbs: the sum less p, and p added back
 * where that is negative (sub52's arithmetic holds for a first operand below 2p). */
static inline IFMA void addmod52(v8 r[5], const v8 a[5], const v8 b[5])
{
    const v8 zero = {0};
    const v8 p[5] = {zero + P52_0, zero + P52_1, zero + P52_2, zero + P52_3, zero + P52_4};
    add52(r, a, b);
    sub52(r, r, p);
}

static inline IFMA void ld8(v8 r[5], const tacit__fp52x8 *a)
{
    for (int i = 0; i < 5; i++) r[i] = (v8)_mm512_loadu_si512(a->v[i]);
}

static inline IFMA void st8(tacit__fp52x8 *r, const v8 a[5])
{
    for (int i = 0; i < 5; i++) _mm512_storeu_si512(r->v[i], (__m512i)a[i]);
}

/* The forward step of G1's rounds (msm.c) for eight pairs: pre = acc, acc = acc den. */
IFMA void tacit__g1_lanes_fwd(tacit__fp52x8 *acc, tacit_fp pre[8], const tacit_fp den[8])
{
    v8 x[4], a[5], a16[5], t[5];
    ld8(a, acc);
    from52(x, a);
    store8(pre, x);
    shl4(a16, a);
    load8(x, den);
    to52(t, x, 0);
    mont52(a, a16, t);
    st8(acc, a);
}

/* The same for G2's rounds: nrm = N(den) = den.c0^2 + den.c1^2, pre = acc, acc = acc nrm. */
IFMA void tacit__g2_lanes_fwd(tacit__fp52x8 *acc, tacit_fp pre[8], tacit_fp nrm[8],
                              const tacit_fp2 den[8])
{
    v8 x[4], a[5], a16[5], n[5];
    f2 d;
    const tacit_fp2 *pa[8];
    for (int i = 0; i < 8; i++) pa[i] = &den[i];
    ld2p(&d, pa);
    mul52(d.c0, d.c0, d.c0);
    mul52(d.c1, d.c1, d.c1);
    addmod52(n, d.c0, d.c1);
    from52(x, n);
    store8(nrm, x);
    ld8(a, acc);
    from52(x, a);
    store8(pre, x);
    shl4(a16, a);
    mont52(a, a16, n);
    st8(acc, a);
}

/* r = the eight values of a in radix 2^52 lanes, and back. */
IFMA void tacit__fp52x8_load(tacit__fp52x8 *r, const tacit_fp a[8])
{
    v8 x[4], y[5];
    load8(x, a);
    to52(y, x, 0);
    st8(r, y);
}

IFMA void tacit__fp52x8_store(tacit_fp r[8], const tacit__fp52x8 *a)
{
    v8 x[4], y[5];
    ld8(y, a);
    from52(x, y);
    store8(r, x);
}

IFMA void tacit__fp_mul8_ifma(tacit_fp r[8], const tacit_fp a[8], const tacit_fp b[8])
{
    v8 x[4], a52[5], b52[5], r52[5];
    load8(x, a);
    to52(a52, x, 4);
    load8(x, b);
    to52(b52, x, 0);
    mont52(r52, a52, b52);
    from52(x, r52);
    store8(r, x);
}

/* BN254's r, for tacit__fr_mul8_ifma (the same bounds as p: r < 2^254) */
static const tacit_fp R = TACIT__R_RAW;

IFMA void tacit__fr_mul8_ifma(tacit_fr r[8], const tacit_fr a[8], const tacit_fr b[8])
{
    v8 x[4], a52[5], b52[5], r52[5];
    load8(x, (const tacit_fp *)(const void *)a);
    to52(a52, x, 4);
    load8(x, (const tacit_fp *)(const void *)b);
    to52(b52, x, 0);
    mont52_mod(r52, a52, b52, R.l, TACIT__R_INV);
    from52(x, r52);
    store8((tacit_fp *)(void *)r, x);
}

#else /* no x86-64: never enabled, never called */

bool tacit__ifma_cpu(void) { return false; }

int tacit__set_ifma(int on)
{
    (void)on;
    return 0;
}

void tacit__fp_mul8_ifma(tacit_fp r[8], const tacit_fp a[8], const tacit_fp b[8])
{
    (void)r;
    (void)a;
    (void)b;
    abort();
}

void tacit__fr_mul8_ifma(tacit_fr r[8], const tacit_fr a[8], const tacit_fr b[8])
{
    (void)r;
    (void)a;
    (void)b;
    abort();
}

void tacit__fp52x8_load(tacit__fp52x8 *r, const tacit_fp a[8])
{
    (void)r;
    (void)a;
    abort();
}

void tacit__fp52x8_store(tacit_fp r[8], const tacit__fp52x8 *a)
{
    (void)r;
    (void)a;
    abort();
}

void tacit__g1_lanes_fwd(tacit__fp52x8 *acc, tacit_fp pre[8], const tacit_fp den[8])
{
    (void)acc;
    (void)pre;
    (void)den;
    abort();
}

void tacit__g2_lanes_fwd(tacit__fp52x8 *acc, tacit_fp pre[8], tacit_fp nrm[8],
                         const tacit_fp2 den[8])
{
    (void)acc;
    (void)pre;
    (void)nrm;
    (void)den;
    abort();
}

void tacit__g2_lanes_step(tacit__fp52x8 *inv, tacit_fp2 di[8], const tacit_fp pre[8],
                          const tacit_fp nrm[8], const tacit_fp2 den[8], const tacit_fp2 num[8],
                          tacit_g2_affine *const q[8], unsigned mask)
{
    (void)inv;
    (void)di;
    (void)pre;
    (void)nrm;
    (void)den;
    (void)num;
    (void)q;
    (void)mask;
    abort();
}

void tacit__g1_lanes_step(tacit__fp52x8 *inv, tacit_fp di[8], const tacit_fp pre[8],
                          const tacit_fp den[8], const tacit_fp num[8], tacit_g1_affine *const q[8],
                          unsigned mask)
{
    (void)inv;
    (void)di;
    (void)pre;
    (void)den;
    (void)num;
    (void)q;
    (void)mask;
    abort();
}

#endif
