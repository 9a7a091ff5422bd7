/*
 * G2: the order-r subgroup of E'(Fp2), E': y^2 = x^3 + b', b' = 3/(9+u) (the D-type sextic
 * twist of E). #E'(Fp2) = r (2p - r), so a point of E'(Fp2) needs an explicit subgroup
 * check, done with the endomorphism psi.
 *
 * The group law is the generic one of curve_impl.h instantiated over Fp2. No heap.
 */
#include "crypto/curve.h"
#include "crypto/tower.h"
#include "tacit/bn254.h"
#include "tacit/error.h"

static const tacit_fp2 g2_one = {TACIT__P_ONE, {{0, 0, 0, 0}}};
static const tacit_fp2 g2_zero = {{{0, 0, 0, 0}}, {{0, 0, 0, 0}}};
static const tacit_fp2 g2_b = TACIT__B2;
static const tacit_fp2 g2_b3 = TACIT__B2_3;
static const tacit_fp2 psi_x = TACIT__PSI_X;   /* xi^((p-1)/3) */
static const tacit_fp2 psi_y = TACIT__PSI_Y;   /* xi^((p-1)/2) */
static const tacit_fp2 psi2_x = TACIT__PSI2_X; /* xi^((p^2-1)/3), in Fp */

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
void tacit_g2_add_ct(tacit_g2 *r, const tacit_g2 *a, const tacit_g2 *b) { g2_add_ct(r, a, b); }

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
 * psi^2(x, y) = (x xi^((p^2-1)/3), y xi^((p^2-1)/2)) = (x w, -y) with w in Fp a primitive cube
 * root of unity (the generator asserts xi^((p^2-1)/2) = -1). Jacobian: Z is unchanged.
 */
static inline void g2_psi2(tacit_g2 *r, const tacit_g2 *a)
{
    fp2_mul_fp(&r->x, &a->x, &psi2_x.c0);
    fp2_neg(&r->y, &a->y);
    r->z = a->z;
}

/*
 * Q is in G2 iff [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q) (Dai, Lin, Zhao, Zhou,
 * "Fast subgroup membership testings for G1, G2 and GT on pairing-friendly curves",
 * eprint 2022/348, the BN case of their Theorem 1). contrib/check-g2-subgroup-test.py checks
 * every number below with exact integers.
 *
 * Why it is exact here. #E'(Fp2) = r h, h = 2p - r = 10069 * 5864401 * 1875725156269 * (a
 * 177-bit prime), gcd(r, h) = 1, so E'(Fp2) = G2 (+) H with H the points of order dividing h;
 * every endomorphism maps G2 and H into themselves. psi satisfies psi^2 - t psi + p = 0 on
 * E'(Fp2), t = 6u^2 + 1 (Galbraith-Scott; tests/test_curve.c checks it on twist points), so
 * f(psi) = (u+1) + u psi + u psi^2 - 2u psi^3 = a + b psi for integers a, b (a 444 bits,
 * b 255 bits). On G2 psi is [p mod r] = [6u^2] and a + b 6u^2 = 0 mod r: G2 is in the kernel.
 * With g = (a + b t) - b psi, g f = a^2 + a b t + b^2 p = N, so f(Q_h) = O for Q_h in H gives
 * [N] Q_h = O; as gcd(N, h) = 1, Q_h = O. Hence f(Q) = O exactly on G2. (This is a property
 * of this u, not of the BN family: for u = 5422 mod 21961 the gcd would be 21961.)
 *
 * Cost: [u]Q by the NAF of u (63 digits, 24 nonzero): 62 doublings and 23 mixed additions
 * of +-Q, then 1 mixed and 2 general additions, 1 doubling, psi twice and psi^2 once, about
 * half the 127 doublings and 39 additions of the former test psi(Q) == [6u^2]Q (El Housni,
 * Guillevic, Piellard, AFRICACRYPT 2022), which tests/test_curve.c keeps as an oracle.
 * The additions are complete by branching, so a [u]Q at infinity or equal to +-Q is handled.
 * Q is assumed on the curve.
 */
bool tacit_g2_is_in_subgroup_var(const tacit_g2_affine *a)
{
    static const int8_t u_naf[TACIT__BN_U_NAF_LEN] = TACIT__BN_U_NAF; /* top digit first */
    tacit_g2_affine neg;
    tacit_g2 uq, lhs, rhs, t;
    if (g2_aff_is_inf(a)) return true;
    g2_aff_neg(&neg, a);
    g2_from_aff(&uq, a); /* the top digit is 1 */
    for (int i = 1; i < TACIT__BN_U_NAF_LEN; i++) {
        g2_dbl(&uq, &uq);
        if (u_naf[i] > 0)
            g2_add_aff(&uq, &uq, a);
        else if (u_naf[i] < 0)
            g2_add_aff(&uq, &uq, &neg);
    }
    /* lhs = [u]Q + Q + psi([u]Q) + psi^2([u]Q) */
    g2_add_aff(&lhs, &uq, a);
    tacit_g2_psi(&t, &uq);
    g2_add(&lhs, &lhs, &t);
    g2_psi2(&t, &uq);
    g2_add(&lhs, &lhs, &t);
    /* rhs = psi^3([2u]Q) = psi([2] psi^2([u]Q)) */
    g2_dbl(&rhs, &t);
    tacit_g2_psi(&rhs, &rhs);
    return g2_eq(&lhs, &rhs);
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
