/*
 * tacit — BN254 (alt_bn128) arithmetic: fields, groups, pairing.
 *
 * The curve of Ethereum's precompiles (EIP-196/197) and of circom/snarkjs:
 *   E  : y^2 = x^3 + 3 over Fp,                 G1 = E(Fp), cofactor 1
 *   E' : y^2 = x^3 + 3/(9+u) over Fp2 (D-type),  G2 = the order-r subgroup of E'(Fp2)
 *   Fp2 = Fp[u]/(u^2+1), Fp6 = Fp2[v]/(v^3-(9+u)), Fp12 = Fp6[w]/(w^2-v).
 *
 * Conventions
 *  - Field elements are 4 little-endian 64-bit limbs in Montgomery form, always fully
 *    reduced (< modulus). Byte encodings are 32-byte big-endian, canonical or rejected.
 *  - Affine points use (0,0) for the point at infinity (it is not on either curve);
 *    Jacobian points (X,Y,Z) stand for (X/Z^2, Y/Z^3) and use Z = 0 for infinity.
 *  - Argument order is "outputs, inputs"; outputs may alias inputs.
 *  - Functions suffixed _var run in variable time: only for public data.
 *    Everything else is constant time in its secret inputs.
 *  - No function here allocates or does I/O.
 */
#ifndef TACIT_BN254_H
#define TACIT_BN254_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t l[4];
} tacit_fp; /* base field, Montgomery form */
typedef struct {
    uint64_t l[4];
} tacit_fr; /* scalar field, Montgomery form */
typedef struct {
    tacit_fp c0, c1;
} tacit_fp2; /* c0 + c1 u */
typedef struct {
    tacit_fp2 c0, c1, c2;
} tacit_fp6; /* c0 + c1 v + c2 v^2 */
typedef struct {
    tacit_fp6 c0, c1;
} tacit_fp12; /* c0 + c1 w */

typedef struct {
    tacit_fp x, y;
} tacit_g1_affine;
typedef struct {
    tacit_fp x, y, z;
} tacit_g1;
typedef struct {
    tacit_fp2 x, y;
} tacit_g2_affine;
typedef struct {
    tacit_fp2 x, y, z;
} tacit_g2;

/* ---------------------------------------------------------------- Fp ---- */
extern const tacit_fp TACIT_FP_ZERO, TACIT_FP_ONE;

/* Decode 32 big-endian bytes. Returns TACIT_OK or TACIT_ENONCANONICAL (value >= p). */
int tacit_fp_from_bytes(tacit_fp *r, const uint8_t in[32]);
void tacit_fp_to_bytes(uint8_t out[32], const tacit_fp *a);
/* Reduce 64 big-endian bytes modulo p (for hashing/random sampling). */
void tacit_fp_from_wide(tacit_fp *r, const uint8_t in[64]);
void tacit_fp_from_u64(tacit_fp *r, uint64_t v);
/* Plain (non-Montgomery) little-endian limbs of a, and back (value must be < p). */
void tacit_fp_to_limbs(uint64_t out[4], const tacit_fp *a);
int tacit_fp_from_limbs(tacit_fp *r, const uint64_t in[4]);

void tacit_fp_add(tacit_fp *r, const tacit_fp *a, const tacit_fp *b);
void tacit_fp_sub(tacit_fp *r, const tacit_fp *a, const tacit_fp *b);
void tacit_fp_neg(tacit_fp *r, const tacit_fp *a);
void tacit_fp_dbl(tacit_fp *r, const tacit_fp *a);
void tacit_fp_mul(tacit_fp *r, const tacit_fp *a, const tacit_fp *b);
void tacit_fp_sqr(tacit_fp *r, const tacit_fp *a);
/* r = a^-1 (Fermat, constant time); r = 0 when a = 0. */
void tacit_fp_inv(tacit_fp *r, const tacit_fp *a);
/* Same result, variable time (binary extended Euclid); for public values. */
void tacit_fp_inv_var(tacit_fp *r, const tacit_fp *a);
/* r = a^e, e given as little-endian limbs; variable time in e. */
void tacit_fp_pow_var(tacit_fp *r, const tacit_fp *a, const uint64_t *e, size_t nlimbs);
/* Square root: returns true and sets r if a is a square (p = 3 mod 4, r = a^((p+1)/4)). */
bool tacit_fp_sqrt(tacit_fp *r, const tacit_fp *a);
bool tacit_fp_eq(const tacit_fp *a, const tacit_fp *b);
bool tacit_fp_is_zero(const tacit_fp *a);
/* r = flag ? a : r, constant time; flag is 0 or 1. */
void tacit_fp_cmov(tacit_fp *r, const tacit_fp *a, unsigned flag);

/* ---------------------------------------------------------------- Fr ---- */
extern const tacit_fr TACIT_FR_ZERO, TACIT_FR_ONE;

/* TACIT_ENONCANONICAL if >= r (r is then set to 0). Constant time in the value, verdict
 * included (it may be a secret key): the caller branches on the result. */
int tacit_fr_from_bytes(tacit_fr *r, const uint8_t in[32]);
void tacit_fr_to_bytes(uint8_t out[32], const tacit_fr *a);
void tacit_fr_from_wide(tacit_fr *r, const uint8_t in[64]);
void tacit_fr_from_u64(tacit_fr *r, uint64_t v);
/* Plain little-endian limbs (the integer value, as used for scalar multiplication). */
void tacit_fr_to_limbs(uint64_t out[4], const tacit_fr *a);
int tacit_fr_from_limbs(tacit_fr *r, const uint64_t in[4]); /* the same from plain limbs */
void tacit_fr_add(tacit_fr *r, const tacit_fr *a, const tacit_fr *b);
void tacit_fr_sub(tacit_fr *r, const tacit_fr *a, const tacit_fr *b);
void tacit_fr_neg(tacit_fr *r, const tacit_fr *a);
void tacit_fr_mul(tacit_fr *r, const tacit_fr *a, const tacit_fr *b);
void tacit_fr_sqr(tacit_fr *r, const tacit_fr *a);
void tacit_fr_inv(tacit_fr *r, const tacit_fr *a);
void tacit_fr_pow_var(tacit_fr *r, const tacit_fr *a, const uint64_t *e, size_t nlimbs);
/* Square root by Tonelli-Shanks (r - 1 = 2^28 * t). */
bool tacit_fr_sqrt(tacit_fr *r, const tacit_fr *a);
bool tacit_fr_eq(const tacit_fr *a, const tacit_fr *b);
bool tacit_fr_is_zero(const tacit_fr *a);
void tacit_fr_cmov(tacit_fr *r, const tacit_fr *a, unsigned flag);

/* Parse a decimal string of digits only (no sign, no leading '+', no spaces, at most
 * 78 digits, leading zeros allowed only for "0" itself) into a 256-bit integer.
 * Returns TACIT_OK or TACIT_EENCODING. Used for the snarkjs JSON form. */
int tacit_u256_from_dec(uint64_t out[4], const char *s);
/* Write the decimal form of a 256-bit integer (buffer of at least 79 bytes). */
void tacit_u256_to_dec(char out[79], const uint64_t in[4]);

/* --------------------------------------------------------------- Fp2 ---- */
void tacit_fp2_add(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b);
void tacit_fp2_sub(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b);
void tacit_fp2_neg(tacit_fp2 *r, const tacit_fp2 *a);
void tacit_fp2_dbl(tacit_fp2 *r, const tacit_fp2 *a);
void tacit_fp2_mul(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp2 *b);
void tacit_fp2_sqr(tacit_fp2 *r, const tacit_fp2 *a);
void tacit_fp2_mul_fp(tacit_fp2 *r, const tacit_fp2 *a, const tacit_fp *b);
void tacit_fp2_mul_xi(tacit_fp2 *r, const tacit_fp2 *a); /* r = a * (9 + u) */
void tacit_fp2_conj(tacit_fp2 *r, const tacit_fp2 *a);   /* = a^p (Frobenius) */
void tacit_fp2_inv(tacit_fp2 *r, const tacit_fp2 *a);
bool tacit_fp2_sqrt(tacit_fp2 *r, const tacit_fp2 *a);
bool tacit_fp2_eq(const tacit_fp2 *a, const tacit_fp2 *b);
bool tacit_fp2_is_zero(const tacit_fp2 *a);
void tacit_fp2_cmov(tacit_fp2 *r, const tacit_fp2 *a, unsigned flag);
void tacit_fp2_pow_var(tacit_fp2 *r, const tacit_fp2 *a, const uint64_t *e, size_t nlimbs);

/* --------------------------------------------------------- Fp6, Fp12 ---- */
void tacit_fp6_add(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b);
void tacit_fp6_sub(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b);
void tacit_fp6_neg(tacit_fp6 *r, const tacit_fp6 *a);
void tacit_fp6_mul(tacit_fp6 *r, const tacit_fp6 *a, const tacit_fp6 *b);
void tacit_fp6_sqr(tacit_fp6 *r, const tacit_fp6 *a);
void tacit_fp6_mul_v(tacit_fp6 *r, const tacit_fp6 *a); /* r = a * v */
void tacit_fp6_inv(tacit_fp6 *r, const tacit_fp6 *a);
void tacit_fp6_frob(tacit_fp6 *r, const tacit_fp6 *a, int k); /* r = a^(p^k), k = 1..3 */
bool tacit_fp6_eq(const tacit_fp6 *a, const tacit_fp6 *b);

extern const tacit_fp12 TACIT_FP12_ONE;
void tacit_fp12_mul(tacit_fp12 *r, const tacit_fp12 *a, const tacit_fp12 *b);
void tacit_fp12_sqr(tacit_fp12 *r, const tacit_fp12 *a);
void tacit_fp12_inv(tacit_fp12 *r, const tacit_fp12 *a);
void tacit_fp12_conj(tacit_fp12 *r, const tacit_fp12 *a);        /* = a^(p^6) */
void tacit_fp12_frob(tacit_fp12 *r, const tacit_fp12 *a, int k); /* r = a^(p^k), k = 1..3 */
/* Granger-Scott squaring, valid only in the cyclotomic subgroup (after the easy part). */
void tacit_fp12_cyclotomic_sqr(tacit_fp12 *r, const tacit_fp12 *a);
void tacit_fp12_pow_var(tacit_fp12 *r, const tacit_fp12 *a, const uint64_t *e, size_t nlimbs);
bool tacit_fp12_eq(const tacit_fp12 *a, const tacit_fp12 *b);
bool tacit_fp12_is_one(const tacit_fp12 *a);

/* ---------------------------------------------------------------- G1 ---- */
extern const tacit_g1_affine TACIT_G1_GENERATOR; /* (1, 2) */

void tacit_g1_set_infinity(tacit_g1 *r);
bool tacit_g1_is_infinity(const tacit_g1 *a);
bool tacit_g1_affine_is_infinity(const tacit_g1_affine *a);
void tacit_g1_from_affine(tacit_g1 *r, const tacit_g1_affine *a);
void tacit_g1_to_affine(tacit_g1_affine *r, const tacit_g1 *a);
/* Normalize n points with one inversion (Montgomery's trick); variable time. */
void tacit_g1_batch_to_affine_var(tacit_g1_affine *r, const tacit_g1 *a, size_t n);
void tacit_g1_neg(tacit_g1 *r, const tacit_g1 *a);
void tacit_g1_dbl(tacit_g1 *r, const tacit_g1 *a);
/* Complete: handles infinity on either side, a == b (doubles) and a == -b, by branching, so
 * variable time in those cases: for public points. */
void tacit_g1_add(tacit_g1 *r, const tacit_g1 *a, const tacit_g1 *b);
/* The same sum in constant time (no branch, no secret-dependent address, whatever a and b
 * are, infinity and a == +-b included: Renes-Costello-Batina's complete projective addition);
 * for points derived from secrets. About 1.4 times tacit_g1_add's time (1.5 in G2; `tacit-bench
 * crypto add`). r may alias a or b. */
void tacit_g1_add_ct(tacit_g1 *r, const tacit_g1 *a, const tacit_g1 *b);
void tacit_g1_add_affine(tacit_g1 *r, const tacit_g1 *a, const tacit_g1_affine *b);
bool tacit_g1_eq(const tacit_g1 *a, const tacit_g1 *b);
/* On the curve (infinity counts as on the curve). G1 has cofactor 1. */
bool tacit_g1_affine_is_on_curve(const tacit_g1_affine *a);
/* r = k * a; k as plain little-endian limbs (256 bits). Constant time in k. */
void tacit_g1_mul(tacit_g1 *r, const tacit_g1 *a, const uint64_t k[4]);
/* Same, variable time (wNAF/GLV): k public. */
void tacit_g1_mul_var(tacit_g1 *r, const tacit_g1 *a, const uint64_t k[4]);
/* r = sum k[i] * p[i]; variable time. scalars as plain limbs, 4 per point. */
void tacit_g1_msm_var(tacit_g1 *r, const tacit_g1_affine *p, const uint64_t (*k)[4], size_t n);
/* 64 bytes x||y, big-endian; (0,0) is infinity. Checks canonical and on-curve:
 * TACIT_ENONCANONICAL or TACIT_ENOT_ON_CURVE. */
int tacit_g1_from_bytes(tacit_g1_affine *r, const uint8_t in[64]);
void tacit_g1_to_bytes(uint8_t out[64], const tacit_g1_affine *a);

/* ---------------------------------------------------------------- G2 ---- */
extern const tacit_g2_affine TACIT_G2_GENERATOR;

void tacit_g2_set_infinity(tacit_g2 *r);
bool tacit_g2_is_infinity(const tacit_g2 *a);
bool tacit_g2_affine_is_infinity(const tacit_g2_affine *a);
void tacit_g2_from_affine(tacit_g2 *r, const tacit_g2_affine *a);
void tacit_g2_to_affine(tacit_g2_affine *r, const tacit_g2 *a);
void tacit_g2_neg(tacit_g2 *r, const tacit_g2 *a);
void tacit_g2_dbl(tacit_g2 *r, const tacit_g2 *a);
/* As the G1 functions: tacit_g2_add branches on the special cases, tacit_g2_add_ct does not
 * (the same complete formulas with the twist's b'). */
void tacit_g2_add(tacit_g2 *r, const tacit_g2 *a, const tacit_g2 *b);
void tacit_g2_add_ct(tacit_g2 *r, const tacit_g2 *a, const tacit_g2 *b);
void tacit_g2_add_affine(tacit_g2 *r, const tacit_g2 *a, const tacit_g2_affine *b);
bool tacit_g2_eq(const tacit_g2 *a, const tacit_g2 *b);
bool tacit_g2_affine_is_on_curve(const tacit_g2_affine *a);
/* psi = untwist-Frobenius-twist endomorphism of E'(Fp2) (Galbraith-Scott 2008). */
void tacit_g2_psi(tacit_g2 *r, const tacit_g2 *a);
/* Membership in the order-r subgroup: [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q)
 * (Dai, Lin, Zhao, Zhou 2022, "Fast subgroup membership testings for G1, G2 and GT on
 * pairing-friendly curves", eprint 2022/348; exact for this u, see g2.c). a must be on the
 * curve. Infinity is in the subgroup. Variable time. */
bool tacit_g2_is_in_subgroup_var(const tacit_g2_affine *a);
void tacit_g2_mul(tacit_g2 *r, const tacit_g2 *a, const uint64_t k[4]);
void tacit_g2_mul_var(tacit_g2 *r, const tacit_g2 *a, const uint64_t k[4]);
/* r = sum k[i] * p[i]; variable time (Pippenger, Jacobian buckets on the stack, ~50 KB).
 * Scalars as plain limbs, 4 per point; (0,0) points add nothing. */
void tacit_g2_msm_var(tacit_g2 *r, const tacit_g2_affine *p, const uint64_t (*k)[4], size_t n);
/* 128 bytes in EIP-197 order x.c1||x.c0||y.c1||y.c0; (0,0,0,0) is infinity.
 * Checks canonical, on-curve and subgroup: TACIT_ENONCANONICAL, TACIT_ENOT_ON_CURVE,
 * TACIT_ENOT_IN_SUBGROUP. */
int tacit_g2_from_bytes(tacit_g2_affine *r, const uint8_t in[128]);
/* Same without the subgroup check (caller checks, e.g. to report the reason itself). */
int tacit_g2_from_bytes_unchecked_subgroup(tacit_g2_affine *r, const uint8_t in[128]);
void tacit_g2_to_bytes(uint8_t out[128], const tacit_g2_affine *a);

/* ----------------------------------------------------------- pairing ---- */
/* One Miller-loop line of a fixed G2 point, normalised: evaluated at P = (xP, yP) the
 * line is, up to a factor in Fp, 1 + (b xP/yP) w + (c/yP) w^3. */
typedef struct {
    tacit_fp2 b, c;
} tacit_prepared_line;
/* 6u+2 has 66 NAF digits: 65 doubling steps, 21 additions, and 2 final additions. */
#define TACIT_PAIRING_LINES 88
/* A G2 point with its Miller-loop lines precomputed (e.g. the gamma and delta of a
 * verifying key). Infinity is allowed and contributes the factor 1. */
typedef struct {
    tacit_prepared_line lines[TACIT_PAIRING_LINES];
    bool infinity;
} tacit_g2_prepared;

void tacit_g2_prepare(tacit_g2_prepared *out, const tacit_g2_affine *q);

/* f = prod_i MillerLoop(p[i], q[i]) * prod_j MillerLoop(pp[j], qp[j]) in one loop
 * (one shared squaring chain). Infinity in any pair contributes 1. Variable time. */
void tacit_miller_loop_var(tacit_fp12 *f, const tacit_g1_affine *p, const tacit_g2_affine *q,
                           size_t n, const tacit_g1_affine *pp, const tacit_g2_prepared *const *qp,
                           size_t np);
/* The same product, and in_g2[i] (for i < n) = whether q[i] is in G2, read off the end point
 * of q[i]'s own Miller loop at almost no cost: agrees with tacit_g2_is_in_subgroup_var
 * (infinity is in G2). Each q[i] must be on the twist. Variable time. */
void tacit_miller_loop_g2check_var(tacit_fp12 *f, bool *in_g2, const tacit_g1_affine *p,
                                   const tacit_g2_affine *q, size_t n, const tacit_g1_affine *pp,
                                   const tacit_g2_prepared *const *qp, size_t np);
/* f^((p^12-1)/r) up to a fixed power coprime to r (Fuentes-Castaneda et al. 2011). */
void tacit_final_exp(tacit_fp12 *r, const tacit_fp12 *f);
/* The same for a public f (a verification's): variable time. */
void tacit_final_exp_var(tacit_fp12 *r, const tacit_fp12 *f);
/* The reduced pairing e(P, Q). */
void tacit_pairing(tacit_fp12 *r, const tacit_g1_affine *p, const tacit_g2_affine *q);
/* true iff prod e(p[i], q[i]) == 1 (EIP-197 semantics; n = 0 gives true). */
bool tacit_pairing_check_var(const tacit_g1_affine *p, const tacit_g2_affine *q, size_t n);

/* Runtime CPU dispatch: true when the mulx/adcx/adox kernel is in use. */
bool tacit_fp_have_adx(void);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_BN254_H */
