/*
 * G2: the order-r subgroup of E'(Fp2), E': y^2 = x^3 + b', b' = 3/(9+u) (the D-type sextic
 * twist of E). #E'(Fp2) = r (2p - r), so a point of E'(Fp2) needs an explicit subgroup
 * check, done with the endomorphism psi.
 *
 * The group law is the generic one of curve_impl.h instantiated over Fp2. No heap.
 */
#include "tacit/bn254.h"
#include "tacit/error.h"
#include "crypto/curve.h"
#include "crypto/tower.h"

static const tacit_fp2 g2_one = {TACIT__P_ONE, {{0, 0, 0, 0}}};
static const tacit_fp2 g2_zero = {{{0, 0, 0, 0}}, {{0, 0, 0, 0}}};
static const tacit_fp2 g2_b = TACIT__B2;
static const tacit_fp2 g2_b3 = TACIT__B2_3;
static const tacit_fp2 psi_x = TACIT__PSI_X; /* xi^((p-1)/3) */
static const tacit_fp2 psi_y = TACIT__PSI_Y; /* xi^((p-1)/2) */

const tacit_g2_affine TACIT_G2_GENERATOR = {TACIT__G2_GEN_X, TACIT__G2_GEN_Y};

static inline void fp2_mul_b3(tacit_fp2 *r, const tacit_fp2 *a) { fp2_mul(r, a, &g2_b3); }

#define CURVE_FN(name) g2_##name
#define JAC tacit_g2
#define AFF tacit_g2_affine
#define FE tacit_fp2
#define fe_add fp2_add
#define fe_sub fp2_sub
#define fe_dbl fp2_dbl
#define fe_neg fp2_neg
#define fe_mul fp2_mul
#define fe_sqr fp2_sqr
#define fe_is_zero fp2_is_zero
#define fe_eq fp2_eq
#define fe_cmov fp2_cmov_mask
#define fe_zero_mask fp2_zero_mask
#define fe_mul_b3 fp2_mul_b3
#define fe_inv tacit_fp2_inv
#define fe_inv_var tacit__fp2_inv_var
#define FE_ONE g2_one
#define FE_ZERO g2_zero
#define FE_B g2_b
#include "crypto/curve_impl.h"

/* ------------------------------------------------------------ basics ---- */

void tacit_g2_set_infinity(tacit_g2 *r) { g2_set_inf(r); }
bool tacit_g2_is_infinity(const tacit_g2 *a) { return g2_is_inf(a); }
bool tacit_g2_affine_is_infinity(const tacit_g2_affine *a) { return g2_aff_is_inf(a); }
void tacit_g2_from_affine(tacit_g2 *r, const tacit_g2_affine *a) { g2_from_aff(r, a); }
void tacit_g2_to_affine(tacit_g2_affine *r, const tacit_g2 *a) { g2_to_aff(r, a); }
void tacit_g2_neg(tacit_g2 *r, const tacit_g2 *a) { g2_neg(r, a); }
void tacit_g2_dbl(tacit_g2 *r, const tacit_g2 *a) { g2_dbl(r, a); }
void tacit_g2_add(tacit_g2 *r, const tacit_g2 *a, const tacit_g2 *b) { g2_add(r, a, b); }

void tacit_g2_add_affine(tacit_g2 *r, const tacit_g2 *a, const tacit_g2_affine *b)
{
    g2_add_aff(r, a, b);
}

bool tacit_g2_eq(const tacit_g2 *a, const tacit_g2 *b) { return g2_eq(a, b); }
bool tacit_g2_affine_is_on_curve(const tacit_g2_affine *a) { return g2_aff_on_curve(a); }

void tacit_g2_mul(tacit_g2 *r, const tacit_g2 *a, const uint64_t k[4]) { g2_mul_ct(r, a, k); }

void tacit_g2_mul_var(tacit_g2 *r, const tacit_g2 *a, const uint64_t k[4])
{
    g2_mul_wnaf_var(r, a, k, 4);
}

/* ------------------------------------------------------- psi, subgroup ---- */

/*
 * psi = twist^-1 o Frobenius o twist (Galbraith, Scott, "Exponentiation in pairing-friendly
 * groups using homomorphisms", Pairing 2008): on affine points
 * psi(x, y) = (conj(x) xi^((p-1)/3), conj(y) xi^((p-1)/2)). In Jacobian coordinates
 * conj(Z) takes the place of Z, since conjugation is a field automorphism:
 * conj(X)/conj(Z)^2 = conj(X/Z^2).
 */
void tacit_g2_psi(tacit_g2 *r, const tacit_g2 *a)
{
    tacit_fp2 t;
    fp2_conj(&t, &a->x);
    fp2_mul(&r->x, &t, &psi_x);
    fp2_conj(&t, &a->y);
    fp2_mul(&r->y, &t, &psi_y);
    fp2_conj(&r->z, &a->z);
}

/*
 * Q is in G2 iff psi(Q) == [6u^2] Q (El Housni, Guillevic, Piellard, "Co-factor clearing
 * and subgroup membership testing on pairing-friendly curves", AFRICACRYPT 2022, sec. 4).
 * Why: on E'(Fp2) psi satisfies psi^2 - [t] psi + [p] = 0 with t = 6u^2 + 1 (Galbraith-Scott;
 * tests/test_curve.c checks it on random twist points). If psi(Q) = [6u^2] Q, then
 * 0 = [36u^4 - t 6u^2 + p] Q = [p - 6u^2] Q = [r] Q; conversely psi acts as [p] = [6u^2] on
 * G2. [6u^2]Q (127 bits) is computed by a plain NAF (128 digits, 40 nonzero) with mixed
 * additions of +-Q: 127 doublings and 39 additions, no table. Q is assumed on the curve.
 */
bool tacit_g2_is_in_subgroup_var(const tacit_g2_affine *a)
{
    static const u256_const six_u2 = TACIT__SIX_U2;
    int8_t naf[WNAF_MAX(2)];
    tacit_g2_affine neg, psi;
    tacit_g2 acc;
    int len;
    if (g2_aff_is_inf(a)) return true;
    len = wnaf_recode(naf, six_u2.l, 2, 2);
    g2_aff_neg(&neg, a);
    g2_set_inf(&acc);
    for (int i = len - 1; i >= 0; i--) {
        g2_dbl(&acc, &acc);
        if (naf[i] > 0)
            g2_add_aff(&acc, &acc, a);
        else if (naf[i] < 0)
            g2_add_aff(&acc, &acc, &neg);
    }
    fp2_conj(&psi.x, &a->x);
    fp2_mul(&psi.x, &psi.x, &psi_x);
    fp2_conj(&psi.y, &a->y);
    fp2_mul(&psi.y, &psi.y, &psi_y);
    return g2_eq_aff(&acc, &psi);
}

/* ---------------------------------------------------------- encoding ---- */

/* EIP-197 order: x.c1 || x.c0 || y.c1 || y.c0, each 32 bytes big-endian. */
int tacit_g2_from_bytes_unchecked_subgroup(tacit_g2_affine *r, const uint8_t in[128])
{
    tacit_g2_affine a;
    int rc;
    if ((rc = tacit_fp_from_bytes(&a.x.c1, in)) != TACIT_OK ||
        (rc = tacit_fp_from_bytes(&a.x.c0, in + 32)) != TACIT_OK ||
        (rc = tacit_fp_from_bytes(&a.y.c1, in + 64)) != TACIT_OK ||
        (rc = tacit_fp_from_bytes(&a.y.c0, in + 96)) != TACIT_OK)
        goto fail;
    if (!g2_aff_on_curve(&a)) { /* all zeros passes: it is infinity */
        rc = TACIT_ENOT_ON_CURVE;
        goto fail;
    }
    *r = a;
    return TACIT_OK;
fail:
    r->x = g2_zero; /* output defined on failure: infinity */
    r->y = g2_zero;
    return rc;
}

int tacit_g2_from_bytes(tacit_g2_affine *r, const uint8_t in[128])
{
    int rc = tacit_g2_from_bytes_unchecked_subgroup(r, in);
    if (rc != TACIT_OK) return rc;
    if (!tacit_g2_is_in_subgroup_var(r)) {
        r->x = g2_zero;
        r->y = g2_zero;
        return TACIT_ENOT_IN_SUBGROUP;
    }
    return TACIT_OK;
}

void tacit_g2_to_bytes(uint8_t out[128], const tacit_g2_affine *a)
{
    tacit_fp_to_bytes(out, &a->x.c1);
    tacit_fp_to_bytes(out + 32, &a->x.c0);
    tacit_fp_to_bytes(out + 64, &a->y.c1);
    tacit_fp_to_bytes(out + 96, &a->y.c0);
}
