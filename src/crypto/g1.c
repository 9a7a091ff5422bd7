/*
 * G1 = E(Fp), E: y^2 = x^3 + 3, of prime order r (cofactor 1).
 *
 * The group law is the generic one of curve_impl.h instantiated over Fp. This file adds
 * the G1 specifics: the GLV endomorphism for the variable-time multiplication, the
 * multi-scalar multiplication (Straus for few points, Pippenger for many) and the
 * EIP-196 byte encoding. No heap: the largest stack user is msm_straus_var (~65 KB).
 */
#include "crypto/curve.h"
#include "tacit/bn254.h"
#include "tacit/error.h"

static const tacit_fp g1_one = TACIT__P_ONE;
static const tacit_fp g1_zero = {{0, 0, 0, 0}};
static const tacit_fp g1_b = TACIT__B1;

const tacit_g1_affine TACIT_G1_GENERATOR = {TACIT__G1_GEN_X, TACIT__G1_GEN_Y};

/* 3b = 9 = 8 + 1, with additions only */
static inline void fp_mul9(tacit_fp *r, const tacit_fp *a)
{
    tacit_fp t;
    fp_dbl(&t, a);
    fp_dbl(&t, &t);
    fp_dbl(&t, &t);
    fp_add(r, &t, a);
}

#define CURVE_FN(name) g1_##name
#define JAC tacit_g1
#define AFF tacit_g1_affine
#define FE tacit_fp
#define fe_add fp_add
#define fe_sub fp_sub
#define fe_dbl fp_dbl
#define fe_neg fp_neg
#define fe_mul fp_mul
#define fe_sqr fp_sqr
#define fe_is_zero fp_is_zero
#define fe_eq fp_eq
#define fe_cmov fp_cmov_mask
#define fe_zero_mask fp_zero_mask
#define fe_mul_b3 fp_mul9
#define fe_inv tacit_fp_inv
#define fe_inv_var tacit_fp_inv_var
#define FE_ONE g1_one
#define FE_ZERO g1_zero
#define FE_B g1_b
#include "crypto/curve_impl.h"

/* ------------------------------------------------------------ basics ---- */

void tacit_g1_set_infinity(tacit_g1 *r) { g1_set_inf(r); }
bool tacit_g1_is_infinity(const tacit_g1 *a) { return g1_is_inf(a); }
bool tacit_g1_affine_is_infinity(const tacit_g1_affine *a) { return g1_aff_is_inf(a); }
void tacit_g1_from_affine(tacit_g1 *r, const tacit_g1_affine *a) { g1_from_aff(r, a); }
void tacit_g1_to_affine(tacit_g1_affine *r, const tacit_g1 *a) { g1_to_aff(r, a); }

void tacit_g1_batch_to_affine_var(tacit_g1_affine *r, const tacit_g1 *a, size_t n)
{
    g1_batch_to_aff_var(r, a, n);
}

void tacit_g1_neg(tacit_g1 *r, const tacit_g1 *a) { g1_neg(r, a); }
void tacit_g1_dbl(tacit_g1 *r, const tacit_g1 *a) { g1_dbl(r, a); }
void tacit_g1_add(tacit_g1 *r, const tacit_g1 *a, const tacit_g1 *b) { g1_add(r, a, b); }
void tacit_g1_add_ct(tacit_g1 *r, const tacit_g1 *a, const tacit_g1 *b) { g1_add_ct(r, a, b); }

void tacit_g1_add_affine(tacit_g1 *r, const tacit_g1 *a, const tacit_g1_affine *b)
{
    g1_add_aff(r, a, b);
}

bool tacit_g1_eq(const tacit_g1 *a, const tacit_g1 *b) { return g1_eq(a, b); }
bool tacit_g1_affine_is_on_curve(const tacit_g1_affine *a) { return g1_aff_on_curve(a); }

/* -------------------------------------------------------- scalar mult ---- */

void tacit_g1_mul(tacit_g1 *r, const tacit_g1 *a, const uint64_t k[4]) { g1_mul_ct(r, a, k); }

/* 256-bit helpers for the GLV split (variable time is fine: only _var code uses them). */

/* k mod r for any k < 2^256 < 6r. */
static void scalar_reduce_var(uint64_t out[4], const uint64_t k[4])
{
    memcpy(out, k, 4 * sizeof out[0]);
    while (!tacit__lt(out, tacit__r.l)) {
        uint64_t br = 0;
        for (int i = 0; i < 4; i++) out[i] = tacit__sbb(out[i], tacit__r.l[i], &br);
    }
}

/* The full 512-bit product a b. */
static void mul_256x256(uint64_t r[8], const uint64_t a[4], const uint64_t b[4])
{
    memset(r, 0, 8 * sizeof r[0]);
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            tacit__u128 t = (tacit__u128)a[i] * b[j] + r[i + j] + carry;
            r[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        r[i + 4] = carry;
    }
}

/* r = a - b mod 2^256 */
static void sub_256(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t br = 0;
    for (int i = 0; i < 4; i++) r[i] = tacit__sbb(a[i], b[i], &br);
}

/* r = |a| for a two's-complement 256-bit a; returns true if a was negative. */
static bool abs_256(uint64_t r[4], const uint64_t a[4])
{
    static const uint64_t zero[4] = {0, 0, 0, 0};
    if ((a[3] >> 63) == 0) {
        memcpy(r, a, 4 * sizeof r[0]);
        return false;
    }
    sub_256(r, zero, a);
    return true;
}

/*
 * GLV decomposition (Gallant, Lambert, Vanstone, "Faster point multiplication on elliptic
 * curves with efficient endomorphisms", CRYPTO 2001; the rounding is Babai's, as in
 * Hankerson-Menezes-Vanstone, "Guide to ECC", Algorithm 3.74): k = k1 + k2 lambda mod r
 * with |k1|, |k2| < 2^128, returned as magnitudes with signs. The lattice basis
 * v1 = (A1, -B1), v2 = (A2, A1) and G1 = floor(A1 2^256 / r), G2 = floor(B1 2^256 / r)
 * come from contrib/gen-bn254-constants.py:
 *   c1 = floor(k G1 / 2^256), c2 = floor(k G2 / 2^256),
 *   k1 = k - c1 A1 - c2 A2,   k2 = c1 B1 - c2 A1.
 * Using floor instead of round moves each c by less than 1, so |k1| <= A1 + A2 and
 * |k2| <= B1 + A1, both below 2^128. All arithmetic is modulo 2^256 (two's complement).
 */
static void glv_split_var(uint64_t k1[4], bool *neg1, uint64_t k2[4], bool *neg2,
                          const uint64_t k[4])
{
    static const u256_const A1 = TACIT__GLV_A1, B1 = TACIT__GLV_B1, A2 = TACIT__GLV_A2;
    static const u256_const G1 = TACIT__GLV_G1, G2 = TACIT__GLV_G2;
    uint64_t kr[4], c1[4], c2[4], w[8], t[4], s[4];
    scalar_reduce_var(kr, k);
    mul_256x256(w, kr, G1.l);
    memcpy(c1, w + 4, sizeof c1);
    mul_256x256(w, kr, G2.l);
    memcpy(c2, w + 4, sizeof c2);
    mul_256x256(w, c1, A1.l);
    sub_256(t, kr, w);
    mul_256x256(w, c2, A2.l);
    sub_256(t, t, w);
    *neg1 = abs_256(k1, t);
    mul_256x256(w, c1, B1.l);
    memcpy(s, w, sizeof s);
    mul_256x256(w, c2, A1.l);
    sub_256(t, s, w);
    *neg2 = abs_256(k2, t);
}

/* phi(X, Y, Z) = (beta X, Y, Z), which is [lambda] on G1 (x = X/Z^2 scales by beta). */
static const tacit_fp glv_beta = TACIT__GLV_BETA;

/*
 * r = k a, variable time: GLV split into two halves of at most 128 bits, then the two
 * width-5 NAFs are run together (Straus-Shamir) over a table of 8 odd multiples of a and
 * its image under phi: ~128 doublings and ~44 additions instead of 256 and 43.
 * The points of E(Fp) all lie in G1 (cofactor 1), so k may be reduced mod r.
 */
void tacit_g1_mul_var(tacit_g1 *r, const tacit_g1 *a, const uint64_t k[4])
{
    int8_t naf1[WNAF_MAX(2)], naf2[WNAF_MAX(2)];
    tacit_g1 tab[8], ptab[8], acc, t;
    uint64_t k1[4], k2[4];
    bool neg1, neg2;
    int len1, len2, len;
    if (g1_is_inf(a)) {
        g1_set_inf(r);
        return;
    }
    glv_split_var(k1, &neg1, k2, &neg2, k);
    len1 = wnaf_recode(naf1, k1, 2, 5); /* both halves < 2^128 */
    len2 = wnaf_recode(naf2, k2, 2, 5);
    g1_odd_multiples(tab, a, 8);
    for (int i = 0; i < 8; i++) {
        fp_mul(&ptab[i].x, &tab[i].x, &glv_beta);
        ptab[i].y = tab[i].y;
        ptab[i].z = tab[i].z;
        if (neg1) fp_neg(&tab[i].y, &tab[i].y);
        if (neg2) fp_neg(&ptab[i].y, &ptab[i].y);
    }
    len = len1 > len2 ? len1 : len2;
    g1_set_inf(&acc);
    for (int i = len - 1; i >= 0; i--) {
        g1_dbl(&acc, &acc);
        if (naf1[i] > 0) {
            g1_add(&acc, &acc, &tab[(naf1[i] - 1) / 2]);
        } else if (naf1[i] < 0) {
            g1_neg(&t, &tab[(-naf1[i] - 1) / 2]);
            g1_add(&acc, &acc, &t);
        }
        if (naf2[i] > 0) {
            g1_add(&acc, &acc, &ptab[(naf2[i] - 1) / 2]);
        } else if (naf2[i] < 0) {
            g1_neg(&t, &ptab[(-naf2[i] - 1) / 2]);
            g1_add(&acc, &acc, &t);
        }
    }
    *r = acc;
}

/* ---------------------------------------------------------------- MSM ---- */

#define STRAUS_MAX 32 /* up to this many points: Straus; above: Pippenger */
#define STRAUS_TAB 8  /* width-5 NAF: odd multiples 1, 3, ..., 15 */

/* acc += sign * q (q affine), sign = +1 or -1 */
static inline void add_aff_signed(tacit_g1 *acc, const tacit_g1_affine *q, bool negate)
{
    if (negate) {
        tacit_g1_affine t;
        g1_aff_neg(&t, q);
        g1_add_aff(acc, acc, &t);
    } else {
        g1_add_aff(acc, acc, q);
    }
}

/*
 * Straus (interleaved wNAF, "shared doublings"): Straus, "Addition chains of vectors",
 * Amer. Math. Monthly 1964; with width-w NAFs as in Moller, "Algorithms for
 * multi-exponentiation", SAC 2001. Each scalar above 128 bits is GLV-split in two halves,
 * so the doubling chain is at most ~130 long. The tables of odd multiples are normalized
 * to affine together (one inversion) so every addition in the main loop is a mixed one.
 * n <= STRAUS_MAX.
 */
/* noinline: keeps this frame and Pippenger's apart instead of summing them in the caller */
static __attribute__((noinline)) void msm_straus_var(tacit_g1 *r, const tacit_g1_affine *p,
                                                     const uint64_t (*k)[4], size_t n)
{
    tacit_g1 jac[STRAUS_MAX * STRAUS_TAB];
    tacit_g1_affine aff[2 * STRAUS_MAX * STRAUS_TAB]; /* tables of P, then of phi(P) */
    int8_t naf[2 * STRAUS_MAX][WNAF_MAX(2)];          /* every term is below 2^128 */
    int len[2 * STRAUS_MAX];
    size_t tab[2 * STRAUS_MAX]; /* index of the term's table in aff */
    bool neg[2 * STRAUS_MAX], split[STRAUS_MAX];
    size_t np = 0, nt = 0;
    int maxlen = 0;
    tacit_g1 acc;

    for (size_t i = 0; i < n; i++) {
        uint64_t kr[4], k1[4], k2[4];
        bool n1, n2;
        tacit_g1 a;
        if (g1_aff_is_inf(&p[i])) continue;
        scalar_reduce_var(kr, k[i]);
        if (scalar_is_zero(kr)) continue;
        g1_from_aff(&a, &p[i]);
        g1_odd_multiples(&jac[np * STRAUS_TAB], &a, STRAUS_TAB);
        split[np] = scalar_bitlen(kr, 4) > 128;
        if (split[np]) {
            glv_split_var(k1, &n1, k2, &n2, kr);
        } else {
            memcpy(k1, kr, sizeof k1);
            n1 = false;
        }
        len[nt] = wnaf_recode(naf[nt], k1, 2, 5);
        tab[nt] = np * STRAUS_TAB;
        neg[nt] = n1;
        if (len[nt] > maxlen) maxlen = len[nt];
        nt++;
        if (split[np]) {
            len[nt] = wnaf_recode(naf[nt], k2, 2, 5);
            tab[nt] = (STRAUS_MAX + np) * STRAUS_TAB;
            neg[nt] = n2;
            if (len[nt] > maxlen) maxlen = len[nt];
            nt++;
        }
        np++;
    }
    if (np == 0) {
        tacit_g1_set_infinity(r);
        return;
    }
    g1_batch_to_aff_var(aff, jac, np * STRAUS_TAB);
    for (size_t j = 0; j < np; j++) {
        if (!split[j]) continue;
        for (size_t e = 0; e < STRAUS_TAB; e++) {
            const tacit_g1_affine *s = &aff[j * STRAUS_TAB + e];
            tacit_g1_affine *d = &aff[(STRAUS_MAX + j) * STRAUS_TAB + e];
            fp_mul(&d->x, &s->x, &glv_beta);
            d->y = s->y;
        }
    }

    g1_set_inf(&acc);
    for (int b = maxlen - 1; b >= 0; b--) {
        g1_dbl(&acc, &acc);
        for (size_t t = 0; t < nt; t++) {
            int d = naf[t][b];
            if (d == 0) continue;
            if (d > 0)
                add_aff_signed(&acc, &aff[tab[t] + (size_t)(d - 1) / 2], neg[t]);
            else
                add_aff_signed(&acc, &aff[tab[t] + (size_t)(-d - 1) / 2], !neg[t]);
        }
    }
    *r = acc;
}

#define PIPPENGER_MAX_C 10 /* 2^(c-1) = 512 buckets, 48 KB of stack */

/* Window width for n points and b-bit scalars minimizing windows * (bucket fills + bucket
 * sums), weighting a mixed addition 11 and a full one 16 field multiplications. */
static unsigned pippenger_window(size_t n, unsigned bits)
{
    unsigned best = 2;
    double best_cost = 0;
    for (unsigned c = 2; c <= PIPPENGER_MAX_C; c++) {
        double windows = (double)(bits / c + 1);
        double cost = windows * (11.0 * (double)n + 16.0 * (double)(1u << c));
        if (c == 2 || cost < best_cost) {
            best = c;
            best_cost = cost;
        }
    }
    return best;
}

/*
 * Pippenger's bucket method (Pippenger, "On the evaluation of powers and monomials",
 * FOCS 1976), in the form most MSM libraries use (e.g. blst's multi_scalar.c), with signed
 * windows (booth_digit), so a c-bit window needs 2^(c-1) buckets:
 * for each window from the top: acc = 2^c acc, drop each point into bucket |d| (negated
 * if d < 0), then sum_b b * bucket[b] by running sums. Windows above the longest scalar
 * are skipped, so 128-bit scalars cost half as much. Any n (bounded stack).
 */
static __attribute__((noinline)) void msm_pippenger_var(tacit_g1 *r, const tacit_g1_affine *p,
                                                        const uint64_t (*k)[4], size_t n)
{
    tacit_g1 bucket[1u << (PIPPENGER_MAX_C - 1)], acc, run, sum;
    unsigned bits = 0, c, windows, nb;

    for (size_t i = 0; i < n; i++) {
        unsigned b = scalar_bitlen(k[i], 4);
        if (b > bits) bits = b;
    }
    g1_set_inf(&acc);
    if (bits == 0) {
        *r = acc;
        return;
    }
    c = pippenger_window(n, bits);
    windows = bits / c + 1; /* the top window absorbs booth_digit's final carry */
    nb = 1u << (c - 1);

    for (unsigned j = windows; j-- > 0;) {
        int top = -1;
        for (unsigned s = 0; s < c; s++) g1_dbl(&acc, &acc);
        for (unsigned b = 0; b < nb; b++) g1_set_inf(&bucket[b]);
        for (size_t i = 0; i < n; i++) {
            int d = booth_digit(k[i], j, c);
            if (d == 0) continue;
            int idx = (d > 0 ? d : -d) - 1;
            add_aff_signed(&bucket[idx], &p[i], d < 0); /* (0, 0) adds nothing */
            if (idx > top) top = idx;
        }
        /* sum_b (b + 1) bucket[b] = sum over b of (bucket[top] + ... + bucket[b]) */
        g1_set_inf(&run);
        g1_set_inf(&sum);
        for (int b = top; b >= 0; b--) {
            g1_add(&run, &run, &bucket[b]);
            g1_add(&sum, &sum, &run);
        }
        g1_add(&acc, &acc, &sum);
    }
    *r = acc;
}

void tacit_g1_msm_var(tacit_g1 *r, const tacit_g1_affine *p, const uint64_t (*k)[4], size_t n)
{
    if (n <= STRAUS_MAX)
        msm_straus_var(r, p, k, n);
    else
        msm_pippenger_var(r, p, k, n);
}

/* ---------------------------------------------------------- encoding ---- */

int tacit_g1_from_bytes(tacit_g1_affine *r, const uint8_t in[64])
{
    tacit_g1_affine a;
    int rc;
    if ((rc = tacit_fp_from_bytes(&a.x, in)) != TACIT_OK ||
        (rc = tacit_fp_from_bytes(&a.y, in + 32)) != TACIT_OK)
        goto fail;
    if (!g1_aff_on_curve(&a)) { /* (0, 0) passes: it is infinity */
        rc = TACIT_ENOT_ON_CURVE;
        goto fail;
    }
    *r = a;
    return TACIT_OK;
fail:
    r->x = g1_zero; /* output defined on failure: infinity */
    r->y = g1_zero;
    return rc;
}

void tacit_g1_to_bytes(uint8_t out[64], const tacit_g1_affine *a)
{
    /* infinity is (0, 0), which encodes as 64 zero bytes */
    tacit_fp_to_bytes(out, &a->x);
    tacit_fp_to_bytes(out + 32, &a->y);
}
