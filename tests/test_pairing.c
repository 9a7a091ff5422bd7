/*
 * The optimal ate pairing: EIP-197 vectors (go-ethereum's test data) and its algebraic
 * laws: bilinearity, e(P,Q)^r = 1, non-degeneracy, multi-pairing = product of pairings,
 * prepared lines = on-the-fly lines, infinity contributes 1.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tacit/bn254.h"
#include "tacit/error.h"

static void rand_fr(tacit_fr *r)
{
    uint8_t w[64];
    tacit_test_rand_bytes(w, sizeof w);
    tacit_fr_from_wide(r, w);
}

static void g1_times(tacit_g1_affine *r, const tacit_fr *k)
{
    uint64_t s[4];
    tacit_g1 g, o;
    tacit_fr_to_limbs(s, k);
    tacit_g1_from_affine(&g, &TACIT_G1_GENERATOR);
    tacit_g1_mul_var(&o, &g, s);
    tacit_g1_to_affine(r, &o);
}

static void g2_times(tacit_g2_affine *r, const tacit_fr *k)
{
    uint64_t s[4];
    tacit_g2 g, o;
    tacit_fr_to_limbs(s, k);
    tacit_g2_from_affine(&g, &TACIT_G2_GENERATOR);
    tacit_g2_mul_var(&o, &g, s);
    tacit_g2_to_affine(r, &o);
}

static void gt_pow(tacit_fp12 *r, const tacit_fp12 *a, const tacit_fr *k)
{
    uint64_t s[4];
    tacit_fr_to_limbs(s, k);
    tacit_fp12_pow_var(r, a, s, 4);
}

static int hex_decode(uint8_t *out, size_t cap, const char *hex)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) return -1;
        out[i] = (uint8_t)v;
    }
    return (int)(n / 2);
}

/* Every entry of bn256Pairing.json: k pairs (G1 64 bytes, G2 128 bytes in EIP-197
 * order), expected a 32-byte word 0 or 1. */
TEST(eip197_vectors)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/eip196_197/bn256Pairing.json", tacit_test_vectors_dir());
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    CHECK(root != NULL && json_is_array(root));
    if (root == NULL) return;
    size_t idx;
    json_t *e;
    int count = 0;
    json_array_foreach(root, idx, e)
    {
        const char *in = json_string_value(json_object_get(e, "Input"));
        const char *exp = json_string_value(json_object_get(e, "Expected"));
        const char *name = json_string_value(json_object_get(e, "Name"));
        CHECK(in != NULL && exp != NULL && name != NULL);
        if (in == NULL || exp == NULL) continue;
        static uint8_t buf[192 * 16];
        uint8_t want[32];
        int n = hex_decode(buf, sizeof buf, in);
        CHECK(n >= 0 && n % 192 == 0);
        CHECK_EQ_INT(hex_decode(want, sizeof want, exp), 32);
        if (n < 0 || n % 192 != 0) continue;
        size_t k = (size_t)n / 192;
        tacit_g1_affine ps[16];
        tacit_g2_affine qs[16];
        int ok = 1;
        for (size_t i = 0; i < k; i++) {
            int rc1 = tacit_g1_from_bytes(&ps[i], buf + 192 * i);
            int rc2 = tacit_g2_from_bytes(&qs[i], buf + 192 * i + 64);
            if (rc1 != TACIT_OK || rc2 != TACIT_OK) {
                printf("  %s: pair %zu rejected: %s / %s\n", name, i, tacit_strerror(rc1),
                       tacit_strerror(rc2));
                ok = 0;
            }
        }
        CHECK(ok);
        bool res = tacit_pairing_check_var(ps, qs, k);
        uint8_t got[32] = {0};
        got[31] = res ? 1 : 0;
        if (memcmp(got, want, 32) != 0) printf("  mismatch in %s\n", name);
        CHECK_MEM(got, want, 32);
        count++;
    }
    CHECK_EQ_INT(count, 14);
    json_decref(root);
}

/* e(aP, bQ) = e(P, Q)^(ab) */
TEST(bilinearity)
{
    int iters = tacit_test_iters(8);
    tacit_fp12 base;
    tacit_pairing(&base, &TACIT_G1_GENERATOR, &TACIT_G2_GENERATOR);
    for (int it = 0; it < iters; it++) {
        tacit_fr a, b, ab;
        rand_fr(&a);
        rand_fr(&b);
        tacit_fr_mul(&ab, &a, &b);
        tacit_g1_affine p;
        tacit_g2_affine q;
        g1_times(&p, &a);
        g2_times(&q, &b);
        tacit_fp12 lhs, rhs;
        tacit_pairing(&lhs, &p, &q);
        gt_pow(&rhs, &base, &ab);
        CHECK(tacit_fp12_eq(&lhs, &rhs));
        /* linear in each argument: e(P1 + P2, Q) = e(P1, Q) e(P2, Q) */
        tacit_g1_affine p2, p12;
        tacit_g1 j1, j2;
        g1_times(&p2, &b);
        tacit_g1_from_affine(&j1, &p);
        tacit_g1_from_affine(&j2, &p2);
        tacit_g1_add(&j1, &j1, &j2);
        tacit_g1_to_affine(&p12, &j1);
        tacit_fp12 e1, e2, e12;
        tacit_pairing(&e1, &p, &q);
        tacit_pairing(&e2, &p2, &q);
        tacit_pairing(&e12, &p12, &q);
        tacit_fp12_mul(&e1, &e1, &e2);
        CHECK(tacit_fp12_eq(&e1, &e12));
    }
}

/* e(P, Q)^r = 1, and the result lies in the cyclotomic subgroup: conj(g) g = 1. */
TEST(order_r)
{
    static const uint64_t r[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                  0xb85045b68181585dULL, 0x30644e72e131a029ULL};
    int iters = tacit_test_iters(4);
    for (int it = 0; it < iters; it++) {
        tacit_fr a, b;
        rand_fr(&a);
        rand_fr(&b);
        tacit_g1_affine p;
        tacit_g2_affine q;
        g1_times(&p, &a);
        g2_times(&q, &b);
        tacit_fp12 e, t;
        tacit_pairing(&e, &p, &q);
        tacit_fp12_pow_var(&t, &e, r, 4);
        CHECK(tacit_fp12_is_one(&t));
        tacit_fp12_conj(&t, &e);
        tacit_fp12_mul(&t, &t, &e);
        CHECK(tacit_fp12_is_one(&t));
    }
}

TEST(non_degenerate)
{
    tacit_fp12 e;
    tacit_pairing(&e, &TACIT_G1_GENERATOR, &TACIT_G2_GENERATOR);
    CHECK(!tacit_fp12_is_one(&e));
    /* e(G, H)^k != 1 for small k != 0 mod r */
    tacit_fp12 t = e;
    for (int k = 2; k < 8; k++) {
        tacit_fp12_mul(&t, &t, &e);
        CHECK(!tacit_fp12_is_one(&t));
    }
}

TEST(infinity_contributes_one)
{
    const tacit_g1_affine p0 = {{{0}}, {{0}}};
    const tacit_g2_affine q0 = {{{{0}}, {{0}}}, {{{0}}, {{0}}}};
    tacit_fp12 e;
    tacit_pairing(&e, &p0, &TACIT_G2_GENERATOR);
    CHECK(tacit_fp12_is_one(&e));
    tacit_pairing(&e, &TACIT_G1_GENERATOR, &q0);
    CHECK(tacit_fp12_is_one(&e));
    CHECK(tacit_pairing_check_var(NULL, NULL, 0));
    CHECK(!tacit_pairing_check_var(&TACIT_G1_GENERATOR, &TACIT_G2_GENERATOR, 1));
    tacit_g2_prepared prep;
    tacit_g2_prepare(&prep, &q0);
    CHECK(prep.infinity);
    const tacit_g2_prepared *pl[1] = {&prep};
    tacit_miller_loop_var(&e, NULL, NULL, 0, &TACIT_G1_GENERATOR, pl, 1);
    CHECK(tacit_fp12_is_one(&e));
}

/* One multi-Miller loop over variable and prepared pairs, one final exponentiation,
 * equals the product of the single pairings; sizes cross the internal group of 16. */
TEST(multi_pairing_is_product)
{
    static const size_t sizes[] = {1, 2, 3, 5, 17};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        tacit_g1_affine p[17], pp[17];
        tacit_g2_affine q[17], qq[17];
        static tacit_g2_prepared prep[17];
        const tacit_g2_prepared *pl[17];
        tacit_fp12 want = TACIT_FP12_ONE, e, got;
        for (size_t i = 0; i < n; i++) {
            tacit_fr a, b;
            rand_fr(&a);
            rand_fr(&b);
            g1_times(&p[i], &a);
            g2_times(&q[i], &b);
            rand_fr(&a);
            rand_fr(&b);
            g1_times(&pp[i], &a);
            g2_times(&qq[i], &b);
            tacit_g2_prepare(&prep[i], &qq[i]);
            pl[i] = &prep[i];
            tacit_pairing(&e, &p[i], &q[i]);
            tacit_fp12_mul(&want, &want, &e);
            tacit_pairing(&e, &pp[i], &qq[i]);
            tacit_fp12_mul(&want, &want, &e);
        }
        tacit_miller_loop_var(&got, p, q, n, pp, pl, n);
        tacit_final_exp(&got, &got);
        CHECK(tacit_fp12_eq(&got, &want));
        /* variable-only and prepared-only loops agree after the final exponentiation
         * (prepared lines are normalised, so the loop outputs differ by an Fp2 factor) */
        tacit_fp12 f1, f2;
        tacit_miller_loop_var(&f1, pp, qq, n, NULL, NULL, 0);
        tacit_miller_loop_var(&f2, NULL, NULL, 0, pp, pl, n);
        tacit_final_exp_var(&e, &f1); /* the variable-time one agrees */
        tacit_final_exp(&f1, &f1);
        CHECK(tacit_fp12_eq(&e, &f1));
        tacit_final_exp(&f2, &f2);
        CHECK(tacit_fp12_eq(&f1, &f2));
    }
}

/* prod e(a_i P, Q) * e(-(sum a_i) P, Q) = 1 over 20 pairs; one changed scalar breaks it. */
TEST(pairing_check_many)
{
    enum { N = 20 };
    tacit_g1_affine p[N + 1];
    tacit_g2_affine q[N + 1];
    tacit_fr sum = TACIT_FR_ZERO;
    tacit_g2_affine h;
    tacit_fr b;
    rand_fr(&b);
    g2_times(&h, &b);
    for (size_t i = 0; i < N; i++) {
        tacit_fr a;
        rand_fr(&a);
        tacit_fr_add(&sum, &sum, &a);
        g1_times(&p[i], &a);
        q[i] = h;
    }
    tacit_fr_neg(&sum, &sum);
    g1_times(&p[N], &sum);
    q[N] = h;
    CHECK(tacit_pairing_check_var(p, q, N + 1));
    tacit_fp_neg(&p[3].y, &p[3].y);
    CHECK(!tacit_pairing_check_var(p, q, N + 1));
}

static const struct tacit_test tests[] = {
    {"eip197_vectors", eip197_vectors},
    {"bilinearity", bilinearity},
    {"order_r", order_r},
    {"non_degenerate", non_degenerate},
    {"infinity_contributes_one", infinity_contributes_one},
    {"multi_pairing_is_product", multi_pairing_is_product},
    {"pairing_check_many", pairing_check_many},
};
TACIT_TEST_MAIN(tests)
