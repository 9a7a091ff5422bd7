/*
 * tacit — Poseidon over BN254 Fr, equal to circomlib's Poseidon(n) (include/tacit/poseidon.h).
 *
 * The permutation is the optimized one of the Poseidon paper, appendix B (Grassi,
 * Khovratovich, Rechberger, Roy, Schofnegger, USENIX Security 2021), exactly as
 * circomlibjs src/poseidon_opt.js and circomlib circuits/poseidon.circom compute it
 * (after filecoin-project/neptune): the round constants of the partial rounds are moved
 * forward through the linear layer so that each partial round adds one constant, to
 * state[0] only, and the MDS matrix of each partial round is factored into a sparse
 * matrix (first row, first column and the identity) — 2t - 1 products per partial round
 * instead of t^2. Constants: src/crypto/poseidon_constants.c, generated from circomlibjs
 * by contrib/gen-poseidon-constants.
 *
 * Constant time: no branch and no memory index depends on the inputs. No allocation.
 */
#include "tacit/poseidon.h"

#include <string.h>

#include "crypto/field.h"
#include "crypto/poseidon_constants.h"
#include "tacit/error.h"

#define T_MAX TACIT__POSEIDON_T_MAX
#define HALF_F (TACIT__POSEIDON_ROUNDS_F / 2)

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* x^5, the S-box of circomlib's Poseidon: x * (x^2)^2. */
ALWAYS_INLINE void sbox(tacit_fr *x)
{
    tacit_fr x2, x4;
    fr_sqr(&x2, x);
    fr_sqr(&x4, &x2);
    fr_mul(x, &x4, x);
}

/*
 * Sums of products with one Montgomery reduction: r = sum_{j<k} y[j] x[j] / 2^256 mod r.
 *
 * The matrix rows of Poseidon are dot products, and a Montgomery reduction is half the
 * work of a product; reducing once per row instead of once per product is the "sum of
 * products" of Botrel and El Housni, "Faster Montgomery multiplication and
 * multi-scalar-multiplication for SNARKs" (TCHES 2023, section 3), also ark-ff's
 * sum_of_products. CIOS (Koc, Acar, Kaliski 1996) with k products per column: for each
 * limb i, add x[j].l[i] * y[j] for every j into the 5-limb window, then one reduction row.
 *
 * Bounds (x[j], y[j] < r, r < 2^254, 2^256 / r > 5.29): the window before each reduction
 * row is below 2^64 (k + 1) r, which fits in 5 limbs for k <= 4; the result is
 * (sum + Q r) / 2^256 with Q < 2^256, below (0.19 k + 1) r < 2r, so one conditional
 * subtraction reduces it. Hence k <= 4 per call; longer rows are chunked.
 */
#ifdef TACIT__HAVE_ADX_KERNEL
/* (A,B,C,D,E) += x[J].l[I] * y[J], E included (no carry leaves E: see the bounds). */
#define PS_PROD(I, J, A, B, C, D, E)             \
    "movq " #I "*8+" #J "*32(%[x]), %%rdx\n\t"   \
    "xorl %k[lo], %k[lo]\n\t"                    \
    "mulxq " #J "*32(%[y]), %[lo], %[hi]\n\t"    \
    "adoxq %[lo], %[" A "]\n\t"                  \
    "adcxq %[hi], %[" B "]\n\t"                  \
    "mulxq " #J "*32+8(%[y]), %[lo], %[hi]\n\t"  \
    "adoxq %[lo], %[" B "]\n\t"                  \
    "adcxq %[hi], %[" C "]\n\t"                  \
    "mulxq " #J "*32+16(%[y]), %[lo], %[hi]\n\t" \
    "adoxq %[lo], %[" C "]\n\t"                  \
    "adcxq %[hi], %[" D "]\n\t"                  \
    "mulxq " #J "*32+24(%[y]), %[lo], %[hi]\n\t" \
    "adoxq %[lo], %[" D "]\n\t"                  \
    "adcxq %[hi], %[" E "]\n\t"                  \
    "movl $0, %k[lo]\n\t"                        \
    "adoxq %[lo], %[" E "]\n\t"

#define PS_COL1(I, A, B, C, D, E) PS_PROD(I, 0, A, B, C, D, E)
#define PS_COL2(I, A, B, C, D, E) PS_COL1(I, A, B, C, D, E) PS_PROD(I, 1, A, B, C, D, E)
#define PS_COL3(I, A, B, C, D, E) PS_COL2(I, A, B, C, D, E) PS_PROD(I, 2, A, B, C, D, E)
#define PS_COL4(I, A, B, C, D, E) PS_COL3(I, A, B, C, D, E) PS_PROD(I, 3, A, B, C, D, E)

/* The whole CIOS loop for COL = PS_COLk; the registers rotate as in tacit__mont_mul_adx. */
#define PS_DOT_ASM(COL)                                                                          \
    uint64_t t0, t1, t2, t3, t4, lo, hi, rdx;                                                    \
    __asm__("xorl %k[t0], %k[t0]\n\t"                                                            \
            "xorl %k[t1], %k[t1]\n\t"                                                            \
            "xorl %k[t2], %k[t2]\n\t"                                                            \
            "xorl %k[t3], %k[t3]\n\t"                                                            \
            "xorl %k[t4], %k[t4]\n\t" COL(0, "t0", "t1", "t2", "t3", "t4") TACIT__REDROW(        \
                "t0", "t1", "t2", "t3", "t4") COL(1, "t1", "t2", "t3", "t4", "t0")               \
                TACIT__REDROW("t1", "t2", "t3", "t4", "t0") COL(2, "t2", "t3", "t4", "t0", "t1") \
                    TACIT__REDROW("t2", "t3", "t4", "t0", "t1")                                  \
                        COL(3, "t3", "t4", "t0", "t1", "t2") TACIT__REDROW(                      \
                            "t3", "t4", "t0", "t1",                                              \
                            "t2") /* value in t4,t0,t1,t2 (< 2r); subtract r if it is >= r */    \
            TACIT__FINAL_SUB                                                                     \
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),    \
              [lo] "=&r"(lo), [hi] "=&r"(hi), "=&d"(rdx)                                         \
            : [x] "r"(x), [y] "r"(y), [m] "r"(tacit__r.l), [minv] "m"(tacit__rinv)               \
            : "cc", "memory");                                                                   \
    (void)t3;                                                                                    \
    (void)lo;                                                                                    \
    (void)hi;                                                                                    \
    (void)rdx;                                                                                   \
    r->l[0] = t4;                                                                                \
    r->l[1] = t0;                                                                                \
    r->l[2] = t1;                                                                                \
    r->l[3] = t2;

static inline __attribute__((always_inline)) void dot1_adx(tacit_fr *r, const tacit_fr *y,
                                                           const tacit_fr *x)
{
    PS_DOT_ASM(PS_COL1)
}
static inline __attribute__((always_inline)) void dot2_adx(tacit_fr *r, const tacit_fr *y,
                                                           const tacit_fr *x)
{
    PS_DOT_ASM(PS_COL2)
}
static inline __attribute__((always_inline)) void dot3_adx(tacit_fr *r, const tacit_fr *y,
                                                           const tacit_fr *x)
{
    PS_DOT_ASM(PS_COL3)
}
static inline __attribute__((always_inline)) void dot4_adx(tacit_fr *r, const tacit_fr *y,
                                                           const tacit_fr *x)
{
    PS_DOT_ASM(PS_COL4)
}
#endif

/* r = sum_{j<k} y[j] x[j], 1 <= k <= 4 (a constant after inlining). r must not alias x. */
ALWAYS_INLINE void dot_le4(tacit_fr *r, const tacit_fr *y, const tacit_fr *x, unsigned k)
{
#ifdef TACIT__HAVE_ADX_KERNEL
    if (__builtin_expect(tacit__use_adx, 1)) {
        switch (k) {
        case 1: dot1_adx(r, y, x); return;
        case 2: dot2_adx(r, y, x); return;
        case 3: dot3_adx(r, y, x); return;
        default: dot4_adx(r, y, x); return;
        }
    }
#endif
    /* portable: one reduction per product */
    tacit_fr p;
    fr_mul(r, &y[0], &x[0]);
    for (unsigned j = 1; j < k; j++) {
        fr_mul(&p, &y[j], &x[j]);
        fr_add(r, r, &p);
    }
}

/* r = sum_{j<n} y[j] x[j], any n >= 1, in chunks of at most 4. r must not alias x. */
ALWAYS_INLINE void dot(tacit_fr *r, const tacit_fr *y, const tacit_fr *x, unsigned n)
{
    unsigned k = n < 4 ? n : 4;
    dot_le4(r, y, x, k);
    for (unsigned j = k; j < n; j += 4) {
        tacit_fr p;
        k = n - j < 4 ? n - j : 4;
        dot_le4(&p, &y[j], &x[j], k);
        fr_add(r, r, &p);
    }
}

/* st = m st, m row-major t x t. */
ALWAYS_INLINE void mat_mul(tacit_fr *st, const tacit_fr *m, unsigned t)
{
    tacit_fr out[T_MAX];
    for (unsigned i = 0; i < t; i++) dot(&out[i], &m[i * t], st, t);
    for (unsigned i = 0; i < t; i++) st[i] = out[i];
}

/* One full round without its matrix: S-box on every element, then add t constants. */
ALWAYS_INLINE void full_sbox_add(tacit_fr *st, const tacit_fr *c, unsigned t)
{
    for (unsigned i = 0; i < t; i++) {
        sbox(&st[i]);
        fr_add(&st[i], &st[i], &c[i]);
    }
}

/*
 * The permutation on st[0..t-1] (circomlibjs src/poseidon_opt.js, step for step).
 * Always inlined into a caller that passes t as a constant, so each width gets loops the
 * compiler can unroll.
 */
ALWAYS_INLINE void permute(tacit_fr *st, const struct tacit__poseidon_opt *k, unsigned t)
{
    const tacit_fr *c = k->c;
    const unsigned np = k->n_partial;

    for (unsigned i = 0; i < t; i++) fr_add(&st[i], &st[i], &c[i]);
    c += t;
    /* first half of the full rounds; the last of them ends with P instead of M */
    for (unsigned r = 0; r < HALF_F - 1; r++, c += t) {
        full_sbox_add(st, c, t);
        mat_mul(st, k->m, t);
    }
    full_sbox_add(st, c, t);
    c += t;
    mat_mul(st, k->p, t);

    /* partial rounds: S-box on state[0], one constant, then the sparse matrix: state[0]
     * becomes the first row times the state, and state[k] += s[t+k-1] state[0] */
    const tacit_fr *s = k->s;
    for (unsigned r = 0; r < np; r++, s += 2 * t - 1) {
        tacit_fr s0, p;
        sbox(&st[0]);
        fr_add(&st[0], &st[0], &c[r]);
        dot(&s0, s, st, t);
        for (unsigned j = 1; j < t; j++) {
            fr_mul(&p, &s[t + j - 1], &st[0]);
            fr_add(&st[j], &st[j], &p);
        }
        st[0] = s0;
    }
    c += np;

    /* second half of the full rounds; the last one adds no constant */
    for (unsigned r = 0; r < HALF_F - 1; r++, c += t) {
        full_sbox_add(st, c, t);
        mat_mul(st, k->m, t);
    }
    for (unsigned i = 0; i < t; i++) sbox(&st[i]);
    /* only state[0] is output (circomlib Poseidon with nOuts = 1): the first row suffices */
    tacit_fr o;
    dot(&o, k->m, st, t);
    st[0] = o;
}

/* One instance per width: Poseidon(1), (2), (3) are the ones the protocol hashes with
 * (DESIGN.md 2.3, 2.4); the others share a loop over t. */
static void permute_2(tacit_fr *st) { permute(st, &tacit__poseidon_opt[0], 2); }
static void permute_3(tacit_fr *st) { permute(st, &tacit__poseidon_opt[1], 3); }
static void permute_4(tacit_fr *st) { permute(st, &tacit__poseidon_opt[2], 4); }
static void permute_any(tacit_fr *st, unsigned t) { permute(st, &tacit__poseidon_opt[t - 2], t); }

int tacit_poseidon(tacit_fr *out, const tacit_fr *in, size_t n)
{
    tacit_fr st[T_MAX];

    if (n == 0 || n > TACIT_POSEIDON_MAX_INPUTS) {
        *out = TACIT_FR_ZERO;
        return TACIT_EINVAL;
    }
    /* the capacity element is 0 and the inputs follow (circomlib Poseidon(n), nOuts = 1) */
    st[0] = TACIT_FR_ZERO;
    memcpy(&st[1], in, n * sizeof *in);
    switch (n) {
    case 1: permute_2(st); break;
    case 2: permute_3(st); break;
    case 3: permute_4(st); break;
    default: permute_any(st, (unsigned)n + 1); break;
    }
    *out = st[0];
    return TACIT_OK;
}

void tacit_poseidon2(tacit_fr *out, const tacit_fr *a, const tacit_fr *b)
{
    tacit_fr st[3] = {TACIT_FR_ZERO, *a, *b};
    permute_3(st);
    *out = st[0];
}
