/*
 * tacit — Groth16 verification over BN254: key checks, prepared keys, single and batch
 * verification.
 *
 * Single verification (Groth 2016, section 3.2): with L = IC[0] + sum_j pub[j] IC[j+1],
 * a proof is valid iff e(A, B) = e(alpha, beta) e(L, gamma) e(C, delta), checked as
 *     FE( ML(-A, B) * ML(L, gamma) * ML(C, delta) ) * e(alpha, beta) == 1
 * with one multi-Miller loop (gamma, delta lines precomputed) and one final
 * exponentiation; e(alpha, beta) is precomputed in the prepared key.
 *
 * Batch verification: the random-linear-combination test of Bellare, Garay, Rabin
 * ("Fast batch verification for modular exponentiation and digital signatures",
 * EUROCRYPT 1998) as applied to Groth16 by Zcash (zcash/zcash PR #6048, bellman's
 * batch verifier): with independent random r_i of 128 bits (see batch_check),
 *     prod e(-r_i A_i, B_i) * e(sum r_i L_i, gamma) * e(sum r_i C_i, delta)
 *         * e(alpha, beta)^(sum r_i) == 1
 * holds for all valid proofs and fails except with probability about 2^-128 if any one
 * is invalid. sum r_i L_i = (sum r_i) IC[0] + sum_j (sum_i r_i pub_ij) IC[j+1] is one MSM
 * over IC with the scalars combined in Fr; sum r_i C_i is one MSM with 64-bit scalars over
 * C_i and phi(C_i).
 *
 * Nothing here allocates except the batch scratch (one malloc per batch). The prepared key
 * holds fixed-base tables for IC (see fb_msm), e(alpha, beta) and e(alpha, beta)^lambda.
 */
#include "tacit/groth16.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/parallel.h"
#include "crypto/bn254_constants.h"
#include "tacit/error.h"
#include "zk/groth16_internal.h"

/* Public inputs are turned into MSM scalars this many at a time (bounded stack). */
#define PUB_CHUNK 32
/* Variable pairs of a batch go to the Miller loop this many at a time. */
#define BATCH_CHUNK 16
/* A 64-bit value has at most 65 NAF digits. */
#define FB_NAF_MAX 66

static void set_where(char *where, const char *s)
{
    if (where == NULL) return;
    snprintf(where, TACIT_GROTH16_WHERE_MAX, "%s", s);
}

/* ---------------------------------------------------------------- keys ---- */

tacit_groth16_vk *tacit_groth16_vk_new(size_t npublic)
{
    const size_t max = (SIZE_MAX - sizeof(tacit_groth16_vk)) / sizeof(tacit_g1_affine) - 1;
    tacit_groth16_vk *vk;

    if (npublic > max || npublic > ((size_t)1 << 32)) return NULL;
    vk = calloc(1, sizeof *vk + (npublic + 1) * sizeof(tacit_g1_affine));
    if (vk != NULL) vk->npublic = npublic;
    return vk;
}

void tacit_groth16_vk_free(tacit_groth16_vk *vk) { free(vk); }

static int check_vk_g1(const tacit_g1_affine *p)
{
    if (tacit_g1_affine_is_infinity(p)) return TACIT_EVK_INFINITY;
    if (!tacit_g1_affine_is_on_curve(p)) return TACIT_ENOT_ON_CURVE;
    return TACIT_OK; /* G1 has cofactor 1 */
}

static int check_vk_g2(const tacit_g2_affine *q)
{
    if (tacit_g2_affine_is_infinity(q)) return TACIT_EVK_INFINITY;
    if (!tacit_g2_affine_is_on_curve(q)) return TACIT_ENOT_ON_CURVE;
    if (!tacit_g2_is_in_subgroup_var(q)) return TACIT_ENOT_IN_SUBGROUP;
    return TACIT_OK;
}

int tacit_groth16_vk_check_var(const tacit_groth16_vk *vk, char *where)
{
    tacit_fp2 ny;
    int rc;

    set_where(where, "");
    if ((rc = check_vk_g1(&vk->alpha)) != TACIT_OK) {
        set_where(where, "vk_alpha_1");
        return rc;
    }
    if ((rc = check_vk_g2(&vk->beta)) != TACIT_OK) {
        set_where(where, "vk_beta_2");
        return rc;
    }
    if ((rc = check_vk_g2(&vk->gamma)) != TACIT_OK) {
        set_where(where, "vk_gamma_2");
        return rc;
    }
    if ((rc = check_vk_g2(&vk->delta)) != TACIT_OK) {
        set_where(where, "vk_delta_2");
        return rc;
    }
    for (size_t j = 0; j <= vk->npublic; j++) {
        if ((rc = check_vk_g1(&vk->ic[j])) != TACIT_OK) {
            if (where != NULL) snprintf(where, TACIT_GROTH16_WHERE_MAX, "IC[%zu]", j);
            return rc;
        }
    }
    /* gamma = delta lets a prover fold L into C and prove any public input; so does
     * gamma = -delta, since e(L, gamma) e(C, -gamma) = e(L - C, gamma). */
    if (tacit_fp2_eq(&vk->gamma.x, &vk->delta.x)) {
        tacit_fp2_neg(&ny, &vk->delta.y);
        if (tacit_fp2_eq(&vk->gamma.y, &vk->delta.y) || tacit_fp2_eq(&vk->gamma.y, &ny)) {
            set_where(where, "vk_delta_2");
            return TACIT_EVK_GAMMA_DELTA;
        }
    }
    return TACIT_OK;
}

/* r = a^e for a in the cyclotomic subgroup (a final-exponentiation output), e given as
 * nlimbs little-endian limbs: left-to-right binary with Granger-Scott squarings. */
static void cyclotomic_pow_var(tacit_fp12 *r, const tacit_fp12 *a, const uint64_t *e, size_t nlimbs)
{
    tacit_fp12 acc = TACIT_FP12_ONE;
    bool started = false;

    for (size_t i = nlimbs; i-- > 0;) {
        for (int b = 63; b >= 0; b--) {
            if (started) tacit_fp12_cyclotomic_sqr(&acc, &acc);
            if ((e[i] >> b) & 1) {
                if (started) {
                    tacit_fp12_mul(&acc, &acc, a);
                } else {
                    acc = *a;
                    started = true;
                }
            }
        }
    }
    *r = acc;
}

/* r = a^e1 b^e2 in the cyclotomic subgroup, 128-bit exponents: Shamir's simultaneous
 * square-and-multiply (one squaring chain for both). */
static void cyclotomic_pow2_var(tacit_fp12 *r, const tacit_fp12 *a, unsigned __int128 e1,
                                const tacit_fp12 *b, unsigned __int128 e2)
{
    tacit_fp12 ab, acc = TACIT_FP12_ONE;
    bool started = false;

    tacit_fp12_mul(&ab, a, b);
    for (int i = 127; i >= 0; i--) {
        unsigned bits = (unsigned)((e1 >> i) & 1) | (unsigned)((e2 >> i) & 1) << 1;
        const tacit_fp12 *m = bits == 1 ? a : bits == 2 ? b : &ab;
        if (started) tacit_fp12_cyclotomic_sqr(&acc, &acc);
        if (bits == 0) continue;
        if (started) {
            tacit_fp12_mul(&acc, &acc, m);
        } else {
            acc = *m;
            started = true;
        }
    }
    *r = acc;
}

/*
 * Batch coefficients. Each r_i = a_i + b_i lambda mod r with a_i, b_i uniform 64-bit
 * (128 random bits from randombytes_buf), lambda the GLV eigenvalue: phi(x, y) = (beta x, y)
 * = [lambda](x, y) on G1 (Gallant, Lambert, Vanstone, CRYPTO 2001). The map (a, b) ->
 * a + b lambda is injective on 64-bit pairs, since the lattice of (x, y) with
 * x + y lambda = 0 mod r has no vector shorter than about 2^127 (its reduced basis,
 * TACIT__GLV_A1/B1/A2, has both vectors near 2^127), so r_i still takes 2^128 values and
 * the batch test fails for any bad proof except with probability 2^-128. What it buys:
 * r_i P = a_i P + b_i phi(P) needs 64 doublings instead of 128, and sum r_i C_i is an MSM
 * of 2N points with 64-bit scalars.
 */
static const tacit_fp glv_beta = TACIT__GLV_BETA;
static const struct {
    uint64_t l[4];
} glv_lambda = TACIT__GLV_LAMBDA_RAW;

static void phi_affine(tacit_g1_affine *r, const tacit_g1_affine *p)
{
    tacit_fp_mul(&r->x, &p->x, &glv_beta);
    r->y = p->y;
}

/* Width-w NAF of a 64-bit value (w <= 15); returns the number of digits (<= 65). */
static int wnaf64(int16_t naf[FB_NAF_MAX], uint64_t k, unsigned w)
{
    unsigned __int128 v = k;
    int i = 0;

    while (v != 0) {
        int d = 0;
        if (v & 1) {
            d = (int)(v & ((1u << w) - 1));
            if (d >= (1 << (w - 1))) d -= 1 << w;
            if (d > 0)
                v -= (unsigned)d;
            else
                v += (unsigned)-d;
        }
        naf[i++] = (int16_t)d;
        v >>= 1;
    }
    return i;
}

/*
 * Fixed-base MSM for L = IC[0] + sum_j pub[j] IC[j+1]. IC is fixed per key, so its tables
 * are built once in the prepared key: each scalar is cut into FB_SPLIT 64-bit pieces,
 * k = sum_s k_s 2^(64 s), and for every IC[j] and every s the key holds the FB_TAB odd
 * multiples (2e+1) 2^(64 s) IC[j] in affine form. Then
 *     L = IC[0] + sum_{j,s} k_{j,s} (2^(64 s) IC[j])
 * is a Straus multi-exponentiation (Straus 1964; width-w NAF as in Moller, SAC 2001)
 * over 4 npublic scalars of 64 bits: a doubling chain of ~65 instead of ~128 (GLV) or
 * 254, and every addition a mixed one with no per-verification table building.
 * The same idea as fixed-base comb methods (Lim, Lee, CRYPTO 1994), in its simplest form.
 * Width 10 (256 points, 16 KiB per piece): ~5.8 additions per piece instead of ~7.1 at
 * width 8; for 7 inputs, fb_msm runs 1.25M instructions instead of 1.44M (callgrind), for
 * four times the memory.
 */
#define FB_SPLIT 4
#define FB_W 10                  /* wNAF width: digits odd, |d| < 2^(FB_W-1) */
#define FB_TAB (1 << (FB_W - 2)) /* odd multiples 1, 3, ..., 2^(FB_W-1) - 1 */

static size_t fb_tab_points(size_t npublic) { return npublic * FB_SPLIT * FB_TAB; }

/* tab[(j FB_SPLIT + s) FB_TAB + e] = (2e+1) 2^(64 s) ic[j], j < n. Returns false when
 * out of memory. */
static bool fb_build(tacit_g1_affine *tab, const tacit_g1_affine *ic, size_t n)
{
    tacit_g1 *jac, base, twice;
    const size_t per = FB_SPLIT * FB_TAB;

    if ((jac = malloc(per * sizeof *jac)) == NULL) return false;
    for (size_t j = 0; j < n; j++) {
        tacit_g1_from_affine(&base, &ic[j]);
        for (size_t s = 0; s < FB_SPLIT; s++) {
            tacit_g1 *t = &jac[s * FB_TAB];
            tacit_g1_dbl(&twice, &base);
            t[0] = base;
            for (size_t e = 1; e < FB_TAB; e++) tacit_g1_add(&t[e], &t[e - 1], &twice);
            for (int d = 0; d < 64; d++) tacit_g1_dbl(&base, &base);
        }
        tacit_g1_batch_to_affine_var(&tab[j * per], jac, per);
    }
    free(jac);
    return true;
}

/* acc = sum_j k[j] P_j for the n <= TACIT_GROTH16_FIXED_BASE_MAX + 1 points whose tables
 * start at tab; no allocation. */
static void fb_msm(tacit_g1 *acc, const tacit_g1_affine *tab, const tacit_fr *k, size_t n)
{
    int16_t naf[(TACIT_GROTH16_FIXED_BASE_MAX + 1) * FB_SPLIT][FB_NAF_MAX];
    int len[(TACIT_GROTH16_FIXED_BASE_MAX + 1) * FB_SPLIT], maxlen = 0;
    const size_t nt = n * FB_SPLIT;

    for (size_t j = 0; j < n; j++) {
        uint64_t kl[4];
        tacit_fr_to_limbs(kl, &k[j]);
        for (size_t s = 0; s < FB_SPLIT; s++) {
            size_t t = j * FB_SPLIT + s;
            len[t] = wnaf64(naf[t], kl[s], FB_W);
            if (len[t] > maxlen) maxlen = len[t];
        }
    }
    tacit_g1_set_infinity(acc);
    for (int b = maxlen - 1; b >= 0; b--) {
        tacit_g1_dbl(acc, acc);
        for (size_t t = 0; t < nt; t++) {
            int d;
            if (b >= len[t] || (d = naf[t][b]) == 0) continue;
            const tacit_g1_affine *q = &tab[t * FB_TAB + (size_t)((d > 0 ? d : -d) - 1) / 2];
            if (d > 0) {
                tacit_g1_add_affine(acc, acc, q);
            } else {
                tacit_g1_affine nq;
                nq.x = q->x;
                tacit_fp_neg(&nq.y, &q->y);
                tacit_g1_add_affine(acc, acc, &nq);
            }
        }
    }
}

int tacit_groth16_pvk_new(tacit_groth16_pvk **out, const tacit_groth16_vk *vk, char *where)
{
    tacit_groth16_pvk *pvk;
    size_t ntab;
    int rc;

    *out = NULL;
    if ((rc = tacit_groth16_vk_check_var(vk, where)) != TACIT_OK) return rc;
    /* randombytes_buf (batch verification) needs libsodium initialised; idempotent. */
    if (sodium_init() < 0) return TACIT_ENOMEM;
    ntab = vk->npublic <= TACIT_GROTH16_FIXED_BASE_MAX ? fb_tab_points(vk->npublic + 1) : 0;
    pvk = malloc(sizeof *pvk + (vk->npublic + 1 + ntab) * sizeof(tacit_g1_affine));
    if (pvk == NULL) return TACIT_ENOMEM;
    pvk->npublic = vk->npublic;
    memcpy(pvk->ic, vk->ic, (vk->npublic + 1) * sizeof(tacit_g1_affine));
    pvk->ic_tab = NULL;
    if (ntab > 0) {
        tacit_g1_affine *tab = &pvk->ic[vk->npublic + 1];
        if (!fb_build(tab, vk->ic, vk->npublic + 1)) {
            free(pvk);
            return TACIT_ENOMEM;
        }
        pvk->ic_tab = tab;
    }
    tacit_pairing(&pvk->alphabeta, &vk->alpha, &vk->beta);
    cyclotomic_pow_var(&pvk->alphabeta_lambda, &pvk->alphabeta, glv_lambda.l, 4);
    tacit_g2_prepare(&pvk->gamma, &vk->gamma);
    tacit_g2_prepare(&pvk->delta, &vk->delta);
    *out = pvk;
    return TACIT_OK;
}

void tacit_groth16_pvk_free(tacit_groth16_pvk *pvk) { free(pvk); }

/* -------------------------------------------------------------- verify ---- */

/* The cheap checks of a proof's points: none at infinity, all on their curves. B's G2
 * membership is left to the Miller loop that pairs it (verify_checked, batch_check). */
static int proof_points_check(const tacit_groth16_proof *proof)
{
    if (tacit_g1_affine_is_infinity(&proof->a) || tacit_g2_affine_is_infinity(&proof->b) ||
        tacit_g1_affine_is_infinity(&proof->c))
        return TACIT_EINFINITY;
    if (!tacit_g1_affine_is_on_curve(&proof->a) || !tacit_g2_affine_is_on_curve(&proof->b) ||
        !tacit_g1_affine_is_on_curve(&proof->c))
        return TACIT_ENOT_ON_CURVE;
    return TACIT_OK;
}

int tacit_groth16_proof_check_var(const tacit_groth16_proof *proof)
{
    int rc = proof_points_check(proof);
    if (rc != TACIT_OK) return rc;
    /* Last: the only costly check (about 36 us). */
    if (!tacit_g2_is_in_subgroup_var(&proof->b)) return TACIT_ENOT_IN_SUBGROUP;
    return TACIT_OK;
}

/* r = IC[0] + sum_j pub[j] IC[j+1], no allocation: the scalars are converted out of
 * Montgomery form PUB_CHUNK at a time. */
static void linear_combination(tacit_g1_affine *r, const tacit_groth16_pvk *pvk,
                               const tacit_fr *pub)
{
    uint64_t sc[PUB_CHUNK][4];
    tacit_g1 acc, part;

    if (pvk->ic_tab != NULL) {
        fb_msm(&acc, pvk->ic_tab + FB_SPLIT * FB_TAB, pub, pvk->npublic);
        tacit_g1_add_affine(&acc, &acc, &pvk->ic[0]);
        tacit_g1_batch_to_affine_var(r, &acc, 1);
        return;
    }
    tacit_g1_from_affine(&acc, &pvk->ic[0]);
    for (size_t j = 0; j < pvk->npublic; j += PUB_CHUNK) {
        size_t m = pvk->npublic - j < PUB_CHUNK ? pvk->npublic - j : PUB_CHUNK;
        for (size_t k = 0; k < m; k++) tacit_fr_to_limbs(sc[k], &pub[j + k]);
        tacit_g1_msm_var(&part, &pvk->ic[1 + j], (const uint64_t(*)[4])sc, m);
        tacit_g1_add(&acc, &acc, &part);
    }
    tacit_g1_batch_to_affine_var(r, &acc, 1);
}

/* The pairing check of one proof whose points passed proof_points_check; B's membership
 * in G2 is read off its Miller loop (tacit_miller_loop_g2check_var). */
static int verify_checked(const tacit_groth16_pvk *pvk, const tacit_groth16_proof *proof,
                          const tacit_fr *pub)
{
    tacit_g1_affine na, pp[2];
    const tacit_g2_prepared *qp[2] = {&pvk->gamma, &pvk->delta};
    tacit_fp12 f, ab_inv;
    bool b_in_g2;

    linear_combination(&pp[0], pvk, pub);
    pp[1] = proof->c;
    na.x = proof->a.x;
    tacit_fp_neg(&na.y, &proof->a.y);
    tacit_miller_loop_g2check_var(&f, &b_in_g2, &na, &proof->b, 1, pp, qp, 2);
    if (!b_in_g2) return TACIT_ENOT_IN_SUBGROUP;
    tacit_final_exp_var(&f, &f);
    /* f e(alpha, beta) == 1, i.e. f == e(alpha, beta)^-1, its conjugate (it is in the
     * cyclotomic subgroup): one comparison instead of an Fp12 multiplication */
    tacit_fp12_conj(&ab_inv, &pvk->alphabeta);
    return tacit_fp12_eq(&f, &ab_inv) ? TACIT_OK : TACIT_EVERIFY;
}

int tacit_groth16_verify_var(const tacit_groth16_pvk *pvk, const tacit_groth16_proof *proof,
                             const tacit_fr *pub, size_t npub)
{
    int rc;

    if (npub != pvk->npublic) return TACIT_ENPUBLIC;
    if ((rc = proof_points_check(proof)) != TACIT_OK) return rc;
    return verify_checked(pvk, proof, pub);
}

#define RA_W 5                   /* wNAF width for a_i, b_i */
#define RA_TAB (1 << (RA_W - 2)) /* odd multiples 1, 3, ..., 15 */

static inline void add_signed(tacit_g1 *acc, const tacit_g1_affine *tab, int d)
{
    const tacit_g1_affine *q = &tab[(d > 0 ? d : -d) / 2];
    if (d > 0) {
        tacit_g1_add_affine(acc, acc, q);
    } else {
        tacit_g1_affine nq;
        nq.x = q->x;
        tacit_fp_neg(&nq.y, &q->y);
        tacit_g1_add_affine(acc, acc, &nq);
    }
}

/* out[k] = -(a_k A_k + b_k phi(A_k)) for m <= BATCH_CHUNK affine points: the tables of
 * odd multiples of all m points are normalised to affine with one inversion, phi's tables
 * cost one multiplication per entry, and each point then takes ~64 doublings and ~22
 * mixed additions (Straus over the two halves). */
static void neg_scaled_points(tacit_g1_affine *out, const tacit_g1_affine *const *a,
                              const uint64_t (*coef)[2], size_t m)
{
    tacit_g1 jac[BATCH_CHUNK * RA_TAB], res[BATCH_CHUNK], twice;
    tacit_g1_affine tab[BATCH_CHUNK * RA_TAB], ptab[RA_TAB];
    int16_t naf[2][FB_NAF_MAX];

    for (size_t k = 0; k < m; k++) {
        tacit_g1 *t = &jac[k * RA_TAB];
        tacit_g1_from_affine(&t[0], a[k]);
        tacit_g1_neg(&t[0], &t[0]);
        tacit_g1_dbl(&twice, &t[0]);
        for (size_t e = 1; e < RA_TAB; e++) tacit_g1_add(&t[e], &t[e - 1], &twice);
    }
    tacit_g1_batch_to_affine_var(tab, jac, m * RA_TAB);
    for (size_t k = 0; k < m; k++) {
        const tacit_g1_affine *t = &tab[k * RA_TAB];
        int l0 = wnaf64(naf[0], coef[k][0], RA_W), l1 = wnaf64(naf[1], coef[k][1], RA_W);
        int len = l0 > l1 ? l0 : l1;
        for (size_t e = 0; e < RA_TAB; e++) phi_affine(&ptab[e], &t[e]);
        tacit_g1_set_infinity(&res[k]);
        for (int b = len - 1; b >= 0; b--) {
            tacit_g1_dbl(&res[k], &res[k]);
            if (b < l0 && naf[0][b] != 0) add_signed(&res[k], t, naf[0][b]);
            if (b < l1 && naf[1][b] != 0) add_signed(&res[k], ptab, naf[1][b]);
        }
    }
    tacit_g1_batch_to_affine_var(out, res, m);
}

/* Scratch of one batch, one allocation. */
struct batch_scratch {
    size_t *idx;         /* indices of the proofs that passed the per-proof checks */
    uint64_t (*coef)[2]; /* a_i, b_i: r_i = a_i + b_i lambda */
    tacit_g1_affine *c;  /* C_i, phi(C_i) */
    uint64_t (*sc)[4];   /* MSM scalars: max(2 ngood, npublic + 1) */
    tacit_fr *acc;       /* npublic + 1 combined public-input scalars */
    void *mem;
};

static int batch_scratch_new(struct batch_scratch *s, size_t ngood, size_t npublic)
{
    size_t nsc = 2 * ngood > npublic + 1 ? 2 * ngood : npublic + 1;
    size_t o_coef = ngood * sizeof(size_t), o_c, o_sc, o_acc, total;

    if (ngood > ((size_t)1 << 40) || npublic > ((size_t)1 << 40)) return TACIT_ENOMEM;
    o_coef = (o_coef + 63) & ~(size_t)63;
    o_c = o_coef + ngood * sizeof(uint64_t[2]);
    o_sc = o_c + 2 * ngood * sizeof(tacit_g1_affine);
    o_acc = o_sc + nsc * sizeof(uint64_t[4]);
    total = o_acc + (npublic + 1) * sizeof(tacit_fr);
    if ((s->mem = malloc(total)) == NULL) return TACIT_ENOMEM;
    s->idx = (size_t *)s->mem;
    s->coef = (uint64_t(*)[2])((char *)s->mem + o_coef);
    s->c = (tacit_g1_affine *)((char *)s->mem + o_c);
    s->sc = (uint64_t(*)[4])((char *)s->mem + o_sc);
    s->acc = (tacit_fr *)((char *)s->mem + o_acc);
    return TACIT_OK;
}

/* The combined pairing check over s->idx[0..ngood), whose points passed proof_points_check.
 * Each B_i has its own Miller loop pair, which also tests B_i's membership in G2: a proof whose
 * B_i is outside gets results[i] = TACIT_ENOT_IN_SUBGROUP, and the check then fails (the
 * caller runs it again without those proofs). */
static bool batch_check(const tacit_groth16_pvk *pvk, const tacit_groth16_item *items,
                        struct batch_scratch *s, size_t ngood, int *results)
{
    bool all_in_g2 = true;
    const size_t npub = pvk->npublic;
    unsigned __int128 suma = 0, sumb = 0; /* sum a_i, sum b_i: < 2^64 ngood */
    tacit_g1 sums[2];
    tacit_g1_affine pp[2];
    const tacit_g2_prepared *qp[2] = {&pvk->gamma, &pvk->delta};
    tacit_fr lambda;
    tacit_fp12 f, g, ab;

    (void)tacit_fr_from_limbs(&lambda, glv_lambda.l);
    randombytes_buf(s->coef, ngood * sizeof s->coef[0]);
    for (size_t i = 0; i < ngood; i++) {
        if ((s->coef[i][0] | s->coef[i][1]) == 0) s->coef[i][0] = 1; /* r_i != 0 */
        suma += s->coef[i][0];
        sumb += s->coef[i][1];
    }

    /* sum r_i L_i = (sum r_i) IC[0] + sum_j (sum_i r_i pub_ij) IC[j+1] */
    for (size_t j = 0; j <= npub; j++) s->acc[j] = TACIT_FR_ZERO;
    for (size_t i = 0; i < ngood; i++) {
        const tacit_groth16_item *it = &items[s->idx[i]];
        tacit_fr rf, t;
        tacit_fr_from_u64(&rf, s->coef[i][1]);
        tacit_fr_mul(&rf, &rf, &lambda);
        tacit_fr_from_u64(&t, s->coef[i][0]);
        tacit_fr_add(&rf, &rf, &t); /* r_i = a_i + b_i lambda */
        tacit_fr_add(&s->acc[0], &s->acc[0], &rf);
        for (size_t j = 0; j < npub; j++) {
            tacit_fr_mul(&t, &rf, &it->pub[j]);
            tacit_fr_add(&s->acc[j + 1], &s->acc[j + 1], &t);
        }
    }
    if (pvk->ic_tab != NULL) {
        fb_msm(&sums[0], pvk->ic_tab, s->acc, npub + 1);
    } else {
        for (size_t j = 0; j <= npub; j++) tacit_fr_to_limbs(s->sc[j], &s->acc[j]);
        tacit_g1_msm_var(&sums[0], pvk->ic, (const uint64_t(*)[4])s->sc, npub + 1);
    }

    /* sum r_i C_i = sum a_i C_i + b_i phi(C_i) */
    for (size_t i = 0; i < ngood; i++) {
        s->c[2 * i] = items[s->idx[i]].proof->c;
        phi_affine(&s->c[2 * i + 1], &s->c[2 * i]);
        for (int h = 0; h < 2; h++) {
            s->sc[2 * i + h][0] = s->coef[i][h];
            s->sc[2 * i + h][1] = s->sc[2 * i + h][2] = s->sc[2 * i + h][3] = 0;
        }
    }
    tacit_g1_msm_var(&sums[1], s->c, (const uint64_t(*)[4])s->sc, 2 * ngood);
    tacit_g1_batch_to_affine_var(pp, sums, 2);

    /* prod ML(-r_i A_i, B_i), BATCH_CHUNK pairs at a time; the prepared pairs go with
     * the first chunk, so f collects every Miller-loop factor before the one final
     * exponentiation. */
    f = TACIT_FP12_ONE;
    for (size_t i0 = 0; i0 < ngood; i0 += BATCH_CHUNK) {
        size_t m = ngood - i0 < BATCH_CHUNK ? ngood - i0 : BATCH_CHUNK;
        const tacit_g1_affine *pa[BATCH_CHUNK];
        tacit_g1_affine ra[BATCH_CHUNK];
        tacit_g2_affine qb[BATCH_CHUNK];
        bool in_g2[BATCH_CHUNK];

        for (size_t k = 0; k < m; k++) {
            const tacit_groth16_proof *pr = items[s->idx[i0 + k]].proof;
            pa[k] = &pr->a;
            qb[k] = pr->b;
        }
        neg_scaled_points(ra, pa, (const uint64_t(*)[2]) & s->coef[i0], m);
        tacit_miller_loop_g2check_var(&g, in_g2, ra, qb, m, pp, qp, i0 == 0 ? 2 : 0);
        for (size_t k = 0; k < m; k++)
            if (!in_g2[k]) {
                results[s->idx[i0 + k]] = TACIT_ENOT_IN_SUBGROUP;
                all_in_g2 = false;
            }
        if (i0 == 0)
            f = g;
        else
            tacit_fp12_mul(&f, &f, &g);
    }
    if (!all_in_g2) return false;
    tacit_final_exp_var(&f, &f);
    /* e(alpha, beta)^(sum r_i) = e(alpha, beta)^(sum a_i) (e(alpha, beta)^lambda)^(sum b_i) */
    cyclotomic_pow2_var(&ab, &pvk->alphabeta, suma, &pvk->alphabeta_lambda, sumb);
    tacit_fp12_conj(&ab, &ab); /* f ab == 1 iff f == conj(ab), as in verify_checked */
    return tacit_fp12_eq(&f, &ab);
}

struct par_batch {
    int *results;
    const tacit_groth16_pvk *pvk;
    const tacit_groth16_item *items;
    size_t n, per;
};

static void par_batch_task(void *p, size_t task, unsigned thread)
{
    struct par_batch *b = p;
    size_t lo = task * b->per, m = b->n - lo < b->per ? b->n - lo : b->per;
    (void)thread;
    (void)tacit_groth16_verify_batch_var(b->results + lo, b->pvk, b->items + lo, m);
}

int tacit_groth16_verify_batch_par_var(int *results, const tacit_groth16_pvk *pvk,
                                       const tacit_groth16_item *items, size_t n, unsigned nthreads)
{
    struct par_batch b = {results, pvk, items, n, 0};
    size_t nt = nthreads != 0 ? nthreads : tacit__nthreads_default();

    if (nt > n / TACIT_GROTH16_PAR_MIN) nt = n / TACIT_GROTH16_PAR_MIN;
    if (nt <= 1) return tacit_groth16_verify_batch_var(results, pvk, items, n);
    b.per = (n + nt - 1) / nt;
    tacit__parallel_run((unsigned)nt, (n + b.per - 1) / b.per, par_batch_task, &b);
    for (size_t i = 0; i < n; i++)
        if (results[i] != TACIT_OK) return results[i];
    return TACIT_OK;
}

int tacit__groth16_batch_combined_var(const tacit_groth16_pvk *pvk, const tacit_groth16_item *items,
                                      size_t n)
{
    struct batch_scratch s;
    int *results, rc = TACIT_OK;
    bool ok;

    if (n == 0) return TACIT_OK;
    if ((results = calloc(n, sizeof *results)) == NULL) return TACIT_ENOMEM;
    if (batch_scratch_new(&s, n, pvk->npublic) != TACIT_OK) {
        free(results);
        return TACIT_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) s.idx[i] = i;
    ok = batch_check(pvk, items, &s, n, results);
    for (size_t i = 0; i < n; i++)
        if (results[i] != TACIT_OK) rc = results[i];
    free(s.mem);
    free(results);
    return rc != TACIT_OK ? rc : ok ? TACIT_OK : TACIT_EVERIFY;
}

int tacit_groth16_verify_batch_var(int *results, const tacit_groth16_pvk *pvk,
                                   const tacit_groth16_item *items, size_t n)
{
    struct batch_scratch s;
    size_t ngood = 0, first_good = 0;

    for (size_t i = 0; i < n; i++) {
        if (items[i].npub != pvk->npublic)
            results[i] = TACIT_ENPUBLIC;
        else
            results[i] = proof_points_check(items[i].proof);
        if (results[i] == TACIT_OK) {
            if (ngood == 0) first_good = i;
            ngood++;
        }
    }
    if (ngood == 1) {
        results[first_good] = verify_checked(pvk, items[first_good].proof, items[first_good].pub);
    } else if (ngood > 1) {
        if (batch_scratch_new(&s, ngood, pvk->npublic) != TACIT_OK) {
            for (size_t i = 0; i < n; i++) results[i] = TACIT_ENOMEM;
            return TACIT_ENOMEM;
        }
        for (size_t i = 0, k = 0; i < n; i++)
            if (results[i] == TACIT_OK) s.idx[k++] = i;
        bool ok = batch_check(pvk, items, &s, ngood, results);
        if (!ok) {
            /* Proofs whose B is outside G2 now have their reason: the others batch again
             * (their B passed, so this run fails only on the pairing). */
            size_t k = 0;
            for (size_t j = 0; j < ngood; j++)
                if (results[s.idx[j]] == TACIT_OK) s.idx[k++] = s.idx[j];
            if (k < ngood) {
                ngood = k;
                ok = ngood < 2 || batch_check(pvk, items, &s, ngood, results);
                if (ngood == 1)
                    results[s.idx[0]] =
                        verify_checked(pvk, items[s.idx[0]].proof, items[s.idx[0]].pub);
            }
        }
        if (!ok) {
            /* At least one is bad: name them by checking each alone. */
            for (size_t k = 0; k < ngood; k++) {
                const tacit_groth16_item *it = &items[s.idx[k]];
                results[s.idx[k]] = verify_checked(pvk, it->proof, it->pub);
            }
        }
        free(s.mem);
    }
    for (size_t i = 0; i < n; i++)
        if (results[i] != TACIT_OK) return results[i];
    return TACIT_OK;
}
