/*
 * tacit — G1 and G2: group law properties, scalar multiplication (constant time, wNAF/GLV,
 * naive double-and-add agree), multi-scalar multiplication, psi and the G2 subgroup test,
 * byte encodings, the scalar recodings, and the decimal u256 parser.
 *
 * Random points are multiples of the generators with a randomized Jacobian Z, so the
 * formulas see arbitrary representatives. Random twist points (not in G2) come from a
 * random x and tacit_fp2_sqrt.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/curve.h"
#include "harness.h"
#include "tacit/bn254.h"
#include "tacit/error.h"

/* --------------------------------------------------------------- helpers ---- */

static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                    0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t P_LIMBS[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL,
                                    0xb85045b68181585dULL, 0x30644e72e131a029ULL};
/* #E'(Fp2) = r h with h = 2p - r */
static const uint64_t G2_COFACTOR[4] = {0x345f2299c0f9fa8dULL, 0x06ceecda572a2489ULL,
                                        0xb85045b68181585eULL, 0x30644e72e131a029ULL};
/* lambda with phi(x, y) = (beta x, y) = [lambda](x, y) on G1 (GLV) */
static const uint64_t LAMBDA[4] = {0x8b17ea66b99c90ddULL, 0x5bfc41088d8daaa7ULL,
                                   0xb3c4d79d41a91758ULL, 0};

static void rand_fp(tacit_fp *r)
{
    uint8_t b[64];
    tacit_test_rand_bytes(b, sizeof b);
    tacit_fp_from_wide(r, b);
}

static void rand_fp2(tacit_fp2 *r)
{
    rand_fp(&r->c0);
    rand_fp(&r->c1);
}

static void rand_fr_limbs(uint64_t k[4])
{
    uint8_t b[64];
    tacit_fr f;
    tacit_test_rand_bytes(b, sizeof b);
    tacit_fr_from_wide(&f, b);
    tacit_fr_to_limbs(k, &f);
}

/* k - 1 for k > 0, k + 1 (mod 2^256) */
static void limbs_dec(uint64_t k[4])
{
    for (int i = 0; i < 4; i++)
        if (k[i]-- != 0) break;
}
static void limbs_inc(uint64_t k[4])
{
    for (int i = 0; i < 4; i++)
        if (++k[i] != 0) break;
}

/* A scalar of a random kind: uniform 256 bits (often >= r), below r, 128 bits, small,
 * or an edge value. */
static void rand_scalar(uint64_t k[4])
{
    uint64_t kind = tacit_test_rand64() % 8;
    memset(k, 0, 32);
    switch (kind) {
    case 0:
    case 1:
        for (int i = 0; i < 4; i++) k[i] = tacit_test_rand64();
        break;
    case 2:
    case 3: rand_fr_limbs(k); break;
    case 4:
        k[0] = tacit_test_rand64();
        k[1] = tacit_test_rand64();
        break;
    case 5: k[0] = tacit_test_rand64() % 40; break;
    case 6: {
        static const uint64_t ones[4] = {~0ULL, ~0ULL, ~0ULL, ~0ULL};
        const uint64_t *base[4] = {R_LIMBS, ones, LAMBDA, P_LIMBS};
        memcpy(k, base[tacit_test_rand64() % 4], 32);
        uint64_t d = tacit_test_rand64() % 3;
        if (d == 1) limbs_inc(k);
        if (d == 2) limbs_dec(k);
        break;
    }
    default: /* sparse: a few bits set */
        for (int b = 0; b < 3; b++) {
            unsigned pos = (unsigned)(tacit_test_rand64() % 256);
            k[pos / 64] |= 1ULL << (pos % 64);
        }
        break;
    }
}

static void fr_limbs_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    tacit_fr x, y;
    CHECK_EQ_INT(tacit_fr_from_limbs(&x, a), TACIT_OK);
    CHECK_EQ_INT(tacit_fr_from_limbs(&y, b), TACIT_OK);
    tacit_fr_add(&x, &x, &y);
    tacit_fr_to_limbs(r, &x);
}

static void fr_limbs_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    tacit_fr x, y;
    CHECK_EQ_INT(tacit_fr_from_limbs(&x, a), TACIT_OK);
    CHECK_EQ_INT(tacit_fr_from_limbs(&y, b), TACIT_OK);
    tacit_fr_mul(&x, &x, &y);
    tacit_fr_to_limbs(r, &x);
}

/* ---- G1 */

/* Same point, random Jacobian representative: (X z^2, Y z^3, Z z). */
static void g1_rerandomize(tacit_g1 *p)
{
    tacit_fp z, z2, z3;
    if (tacit_g1_is_infinity(p)) return;
    do rand_fp(&z);
    while (tacit_fp_is_zero(&z));
    tacit_fp_sqr(&z2, &z);
    tacit_fp_mul(&z3, &z2, &z);
    tacit_fp_mul(&p->x, &p->x, &z2);
    tacit_fp_mul(&p->y, &p->y, &z3);
    tacit_fp_mul(&p->z, &p->z, &z);
}

static void g1_rand(tacit_g1 *p)
{
    uint64_t k[4];
    tacit_g1 g;
    rand_fr_limbs(k);
    tacit_g1_from_affine(&g, &TACIT_G1_GENERATOR);
    tacit_g1_mul_var(p, &g, k);
    g1_rerandomize(p);
}

static void g1_rand_affine(tacit_g1_affine *a)
{
    tacit_g1 p;
    g1_rand(&p);
    tacit_g1_to_affine(a, &p);
}

/* Reference: plain double-and-add from the top bit with the public dbl/add. */
static void g1_naive_mul(tacit_g1 *r, const tacit_g1 *a, const uint64_t k[4])
{
    tacit_g1 acc;
    tacit_g1_set_infinity(&acc);
    for (int i = 255; i >= 0; i--) {
        tacit_g1_dbl(&acc, &acc);
        if ((k[i / 64] >> (i % 64)) & 1) tacit_g1_add(&acc, &acc, a);
    }
    *r = acc;
}

/* ---- G2 */

static void g2_rerandomize(tacit_g2 *p)
{
    tacit_fp2 z, z2, z3;
    if (tacit_g2_is_infinity(p)) return;
    do rand_fp2(&z);
    while (tacit_fp2_is_zero(&z));
    tacit_fp2_sqr(&z2, &z);
    tacit_fp2_mul(&z3, &z2, &z);
    tacit_fp2_mul(&p->x, &p->x, &z2);
    tacit_fp2_mul(&p->y, &p->y, &z3);
    tacit_fp2_mul(&p->z, &p->z, &z);
}

static void g2_rand(tacit_g2 *p)
{
    uint64_t k[4];
    tacit_g2 g;
    rand_fr_limbs(k);
    tacit_g2_from_affine(&g, &TACIT_G2_GENERATOR);
    tacit_g2_mul_var(p, &g, k);
    g2_rerandomize(p);
}

/* A random point of E'(Fp2), almost never in G2. */
static void g2_rand_twist(tacit_g2_affine *a)
{
    static const tacit_fp2 b2 = TACIT__B2;
    tacit_fp2 rhs;
    for (;;) {
        rand_fp2(&a->x);
        tacit_fp2_sqr(&rhs, &a->x);
        tacit_fp2_mul(&rhs, &rhs, &a->x);
        tacit_fp2_add(&rhs, &rhs, &b2);
        if (tacit_fp2_sqrt(&a->y, &rhs)) break;
    }
    if (tacit_test_rand64() & 1) tacit_fp2_neg(&a->y, &a->y);
}

static void g2_naive_mul(tacit_g2 *r, const tacit_g2 *a, const uint64_t k[4])
{
    tacit_g2 acc;
    tacit_g2_set_infinity(&acc);
    for (int i = 255; i >= 0; i--) {
        tacit_g2_dbl(&acc, &acc);
        if ((k[i / 64] >> (i % 64)) & 1) tacit_g2_add(&acc, &acc, a);
    }
    *r = acc;
}

static void hex_decode(uint8_t *out, const char *hex, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        CHECK(sscanf(hex + 2 * i, "%2x", &v) == 1);
        out[i] = (uint8_t)v;
    }
}

/* ============================================================ G1 tests ==== */

TEST(g1_generator_on_curve)
{
    tacit_g1_affine a = TACIT_G1_GENERATOR, inf;
    uint8_t b[64], want[64] = {0};
    CHECK(tacit_g1_affine_is_on_curve(&a));
    want[31] = 1;
    want[63] = 2;
    tacit_g1_to_bytes(b, &a);
    CHECK_MEM(b, want, 64);
    memset(&inf, 0, sizeof inf);
    CHECK(tacit_g1_affine_is_infinity(&inf));
    CHECK(tacit_g1_affine_is_on_curve(&inf));
    CHECK(!tacit_g1_affine_is_infinity(&a));
    tacit_fp_add(&a.y, &a.y, &TACIT_FP_ONE); /* (1, 3) */
    CHECK(!tacit_g1_affine_is_on_curve(&a));
}

TEST(g1_group_law)
{
    int iters = tacit_test_iters(64);
    for (int it = 0; it < iters; it++) {
        tacit_g1 p, q, s, t, u, v, inf, np;
        g1_rand(&p);
        g1_rand(&q);
        g1_rand(&s);
        tacit_g1_set_infinity(&inf);
        CHECK(tacit_g1_is_infinity(&inf));
        CHECK(!tacit_g1_is_infinity(&p));
        /* associativity */
        tacit_g1_add(&t, &p, &q);
        tacit_g1_add(&t, &t, &s);
        tacit_g1_add(&u, &q, &s);
        tacit_g1_add(&u, &p, &u);
        CHECK(tacit_g1_eq(&t, &u));
        /* commutativity */
        tacit_g1_add(&t, &p, &q);
        tacit_g1_add(&u, &q, &p);
        CHECK(tacit_g1_eq(&t, &u));
        CHECK(!tacit_g1_eq(&t, &p));
        /* identity, both sides */
        tacit_g1_add(&t, &p, &inf);
        CHECK(tacit_g1_eq(&t, &p));
        tacit_g1_add(&t, &inf, &p);
        CHECK(tacit_g1_eq(&t, &p));
        tacit_g1_add(&t, &inf, &inf);
        CHECK(tacit_g1_is_infinity(&t));
        CHECK(tacit_g1_eq(&t, &inf));
        CHECK(!tacit_g1_eq(&p, &inf));
        CHECK(!tacit_g1_eq(&inf, &p));
        /* inverse: P + -P, with P and -P in different representatives */
        tacit_g1_neg(&np, &p);
        g1_rerandomize(&np);
        tacit_g1_add(&t, &p, &np);
        CHECK(tacit_g1_is_infinity(&t));
        tacit_g1_add(&t, &np, &p);
        CHECK(tacit_g1_is_infinity(&t));
        /* add(P, P') == dbl(P) for another representative P' of P */
        v = p;
        g1_rerandomize(&v);
        CHECK(tacit_g1_eq(&v, &p));
        tacit_g1_add(&t, &p, &v);
        tacit_g1_dbl(&u, &p);
        CHECK(tacit_g1_eq(&t, &u));
        tacit_g1_add(&t, &p, &p);
        CHECK(tacit_g1_eq(&t, &u));
        /* P + P + P == 3P, (P + Q) - Q == P */
        tacit_g1_add(&t, &u, &p);
        tacit_g1_add(&v, &p, &p);
        tacit_g1_add(&v, &v, &p);
        CHECK(tacit_g1_eq(&t, &v));
        tacit_g1_add(&t, &p, &q);
        tacit_g1_neg(&v, &q);
        tacit_g1_add(&t, &t, &v);
        CHECK(tacit_g1_eq(&t, &p));
        /* dbl of infinity */
        tacit_g1_dbl(&t, &inf);
        CHECK(tacit_g1_is_infinity(&t));
        /* aliasing: r = a and r = b */
        t = p;
        tacit_g1_add(&t, &t, &q);
        tacit_g1_add(&u, &p, &q);
        CHECK(tacit_g1_eq(&t, &u));
        t = q;
        tacit_g1_add(&t, &p, &t);
        CHECK(tacit_g1_eq(&t, &u));
        t = p;
        tacit_g1_dbl(&t, &t);
        tacit_g1_dbl(&u, &p);
        CHECK(tacit_g1_eq(&t, &u));
    }
}

TEST(g1_mixed_add)
{
    int iters = tacit_test_iters(64);
    for (int it = 0; it < iters; it++) {
        tacit_g1 p, q, t, u, inf;
        tacit_g1_affine qa, pa, npa, infa;
        g1_rand(&p);
        g1_rand(&q);
        tacit_g1_to_affine(&qa, &q);
        tacit_g1_to_affine(&pa, &p);
        tacit_g1_set_infinity(&inf);
        memset(&infa, 0, sizeof infa);
        /* generic */
        tacit_g1_add_affine(&t, &p, &qa);
        tacit_g1_add(&u, &p, &q);
        CHECK(tacit_g1_eq(&t, &u));
        /* b == a: doubles */
        tacit_g1_add_affine(&t, &p, &pa);
        tacit_g1_dbl(&u, &p);
        CHECK(tacit_g1_eq(&t, &u));
        /* b == -a: infinity */
        npa = pa;
        tacit_fp_neg(&npa.y, &npa.y);
        tacit_g1_add_affine(&t, &p, &npa);
        CHECK(tacit_g1_is_infinity(&t));
        /* infinity on either side */
        tacit_g1_add_affine(&t, &p, &infa);
        CHECK(tacit_g1_eq(&t, &p));
        tacit_g1_add_affine(&t, &inf, &qa);
        CHECK(tacit_g1_eq(&t, &q));
        tacit_g1_add_affine(&t, &inf, &infa);
        CHECK(tacit_g1_is_infinity(&t));
        /* aliasing */
        t = p;
        tacit_g1_add_affine(&t, &t, &qa);
        tacit_g1_add(&u, &p, &q);
        CHECK(tacit_g1_eq(&t, &u));
    }
}

TEST(g1_affine_round_trip)
{
    int iters = tacit_test_iters(64);
    for (int it = 0; it < iters; it++) {
        tacit_g1 p, q;
        tacit_g1_affine a, b;
        g1_rand(&p);
        tacit_g1_to_affine(&a, &p);
        CHECK(tacit_g1_affine_is_on_curve(&a));
        tacit_g1_from_affine(&q, &a);
        CHECK(tacit_g1_eq(&p, &q));
        tacit_g1_to_affine(&b, &q);
        CHECK_MEM(&a, &b, sizeof a);
    }
    tacit_g1 inf, q;
    tacit_g1_affine a, zero;
    memset(&zero, 0, sizeof zero);
    tacit_g1_set_infinity(&inf);
    tacit_g1_to_affine(&a, &inf);
    CHECK_MEM(&a, &zero, sizeof a);
    tacit_g1_from_affine(&q, &zero);
    CHECK(tacit_g1_is_infinity(&q));
}

TEST(g1_batch_to_affine)
{
    tacit_g1 p[40];
    tacit_g1_affine a[40], b;
    for (size_t n = 0; n <= 40; n += 1 + n / 4) {
        for (size_t i = 0; i < n; i++) {
            if (tacit_test_rand64() % 5 == 0)
                tacit_g1_set_infinity(&p[i]);
            else
                g1_rand(&p[i]);
        }
        memset(a, 0xa5, sizeof a);
        tacit_g1_batch_to_affine_var(a, p, n);
        for (size_t i = 0; i < n; i++) {
            tacit_g1_to_affine(&b, &p[i]);
            CHECK_MEM(&a[i], &b, sizeof b);
        }
    }
    /* all at infinity */
    for (int i = 0; i < 3; i++) tacit_g1_set_infinity(&p[i]);
    tacit_g1_batch_to_affine_var(a, p, 3);
    for (int i = 0; i < 3; i++) CHECK(tacit_g1_affine_is_infinity(&a[i]));
}

TEST(g1_mul_agree)
{
    int iters = tacit_test_iters(64);
    for (int it = 0; it < iters; it++) {
        tacit_g1 p, m1, m2, m3, inf;
        uint64_t k[4];
        g1_rand(&p);
        rand_scalar(k);
        tacit_g1_mul(&m1, &p, k);
        tacit_g1_mul_var(&m2, &p, k);
        g1_naive_mul(&m3, &p, k);
        CHECK(tacit_g1_eq(&m1, &m3));
        CHECK(tacit_g1_eq(&m2, &m3));
        /* aliasing r = a */
        m1 = p;
        tacit_g1_mul(&m1, &m1, k);
        CHECK(tacit_g1_eq(&m1, &m3));
        m2 = p;
        tacit_g1_mul_var(&m2, &m2, k);
        CHECK(tacit_g1_eq(&m2, &m3));
        /* infinity times anything */
        tacit_g1_set_infinity(&inf);
        tacit_g1_mul(&m1, &inf, k);
        CHECK(tacit_g1_is_infinity(&m1));
        tacit_g1_mul_var(&m1, &inf, k);
        CHECK(tacit_g1_is_infinity(&m1));
    }
    /* every small scalar */
    tacit_g1 p, acc, m1, m2;
    g1_rand(&p);
    tacit_g1_set_infinity(&acc);
    for (uint64_t s = 0; s < 70; s++) {
        uint64_t k[4] = {s, 0, 0, 0};
        tacit_g1_mul(&m1, &p, k);
        tacit_g1_mul_var(&m2, &p, k);
        CHECK(tacit_g1_eq(&m1, &acc));
        CHECK(tacit_g1_eq(&m2, &acc));
        tacit_g1_add(&acc, &acc, &p);
    }
}

TEST(g1_mul_linear)
{
    int iters = tacit_test_iters(64);
    tacit_g1 g;
    tacit_g1_from_affine(&g, &TACIT_G1_GENERATOR);
    for (int it = 0; it < iters; it++) {
        uint64_t a[4], b[4], s[4], m[4];
        tacit_g1 p, ap, bp, t, u;
        g1_rand(&p);
        rand_fr_limbs(a);
        rand_fr_limbs(b);
        fr_limbs_add(s, a, b);
        fr_limbs_mul(m, a, b);
        /* (a + b) P = aP + bP */
        tacit_g1_mul_var(&ap, &p, a);
        tacit_g1_mul(&bp, &p, b);
        tacit_g1_add(&t, &ap, &bp);
        tacit_g1_mul_var(&u, &p, s);
        CHECK(tacit_g1_eq(&t, &u));
        /* (ab) P = a (bP) */
        tacit_g1_mul(&t, &bp, a);
        tacit_g1_mul_var(&u, &p, m);
        CHECK(tacit_g1_eq(&t, &u));
        tacit_g1_mul_var(&t, &bp, a);
        CHECK(tacit_g1_eq(&t, &u));
        /* phi: [lambda] P = (beta x, y) */
        tacit_g1_affine pa, la;
        static const tacit_fp beta = TACIT__GLV_BETA;
        tacit_g1_mul_var(&t, &p, LAMBDA);
        tacit_g1_to_affine(&la, &t);
        tacit_g1_to_affine(&pa, &p);
        tacit_fp_mul(&pa.x, &pa.x, &beta);
        CHECK_MEM(&la, &pa, sizeof pa);
    }
}

TEST(g1_order)
{
    tacit_g1 g, t, ng;
    uint64_t k[4];
    tacit_g1_from_affine(&g, &TACIT_G1_GENERATOR);
    tacit_g1_mul(&t, &g, R_LIMBS);
    CHECK(tacit_g1_is_infinity(&t));
    tacit_g1_mul_var(&t, &g, R_LIMBS);
    CHECK(tacit_g1_is_infinity(&t));
    g1_naive_mul(&t, &g, R_LIMBS);
    CHECK(tacit_g1_is_infinity(&t));
    memcpy(k, R_LIMBS, sizeof k);
    limbs_dec(k);
    tacit_g1_neg(&ng, &g);
    tacit_g1_mul(&t, &g, k);
    CHECK(tacit_g1_eq(&t, &ng));
    tacit_g1_mul_var(&t, &g, k);
    CHECK(tacit_g1_eq(&t, &ng));
    limbs_inc(k);
    limbs_inc(k); /* r + 1 */
    tacit_g1_mul(&t, &g, k);
    CHECK(tacit_g1_eq(&t, &g));
    tacit_g1_mul_var(&t, &g, k);
    CHECK(tacit_g1_eq(&t, &g));
}

/* msm_var against the sum of single multiplications */
static void check_msm(size_t n, int mode)
{
    static tacit_g1_affine p[300];
    static uint64_t k[300][4];
    tacit_g1 want, got, t, jp;
    tacit_g1_set_infinity(&want);
    for (size_t i = 0; i < n; i++) {
        uint64_t pick = tacit_test_rand64() % 16;
        if (pick == 0 && i > 0)
            p[i] = p[tacit_test_rand64() % i]; /* a duplicate point */
        else if (pick == 1)
            memset(&p[i], 0, sizeof p[i]); /* infinity */
        else
            g1_rand_affine(&p[i]);
        memset(k[i], 0, sizeof k[i]);
        if (tacit_test_rand64() % 10 == 0) continue; /* zero scalar */
        switch (mode) {
        case 0: /* 256 bits, any value */
            for (int j = 0; j < 4; j++) k[i][j] = tacit_test_rand64();
            break;
        case 1: /* 128 bits */
            k[i][0] = tacit_test_rand64();
            k[i][1] = tacit_test_rand64();
            break;
        case 2: /* below r */ rand_fr_limbs(k[i]); break;
        default: rand_scalar(k[i]); break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        tacit_g1_from_affine(&jp, &p[i]);
        tacit_g1_mul_var(&t, &jp, k[i]);
        tacit_g1_add(&want, &want, &t);
    }
    tacit_g1_msm_var(&got, p, (const uint64_t(*)[4])k, n);
    CHECK(tacit_g1_eq(&got, &want));
    if (!tacit_g1_eq(&got, &want)) fprintf(stderr, "  msm n=%zu mode=%d\n", n, mode);
}

TEST(g1_msm)
{
    static const size_t sizes[] = {0, 1, 2, 3, 7, 16, 31, 32, 33, 64, 300};
    int iters = tacit_test_iters(64) / 16 + 1;
    for (int it = 0; it < iters; it++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int mode = 0; mode < 4; mode++) check_msm(sizes[s], mode);
}

TEST(g1_msm_special)
{
    tacit_g1_affine p[40];
    uint64_t k[40][4];
    tacit_g1 r, t, g;
    /* P and -P with equal scalars cancel; all scalars zero; all points infinity */
    for (size_t n = 2; n <= 40; n += 38) {
        g1_rand_affine(&p[0]);
        memset(k, 0, sizeof k);
        for (size_t i = 0; i < n; i++) {
            p[i] = p[0];
            if (i & 1) tacit_fp_neg(&p[i].y, &p[i].y);
            k[i][0] = 12345;
            k[i][3] = 0x0123456789abcdefULL;
        }
        tacit_g1_msm_var(&r, p, (const uint64_t(*)[4])k, n);
        CHECK(tacit_g1_is_infinity(&r));
        /* the same point n times with the same scalar = (n k) P */
        for (size_t i = 0; i < n; i++) p[i] = p[0];
        tacit_g1_msm_var(&r, p, (const uint64_t(*)[4])k, n);
        uint64_t nk[4] = {n, 0, 0, 0};
        tacit_g1_from_affine(&g, &p[0]);
        tacit_g1_mul_var(&t, &g, k[0]);
        tacit_g1_mul_var(&t, &t, nk);
        CHECK(tacit_g1_eq(&r, &t));
        memset(k, 0, sizeof k);
        tacit_g1_msm_var(&r, p, (const uint64_t(*)[4])k, n);
        CHECK(tacit_g1_is_infinity(&r));
        memset(p, 0, sizeof p);
        for (size_t i = 0; i < n; i++) k[i][0] = i + 1;
        tacit_g1_msm_var(&r, p, (const uint64_t(*)[4])k, n);
        CHECK(tacit_g1_is_infinity(&r));
    }
}

TEST(g1_bytes)
{
    int iters = tacit_test_iters(64);
    uint8_t b[64], c[64], zero[64] = {0};
    tacit_g1_affine a, d;
    for (int it = 0; it < iters; it++) {
        g1_rand_affine(&a);
        tacit_g1_to_bytes(b, &a);
        CHECK_EQ_INT(tacit_g1_from_bytes(&d, b), TACIT_OK);
        CHECK_MEM(&a, &d, sizeof a);
        tacit_g1_to_bytes(c, &d);
        CHECK_MEM(b, c, 64);
        /* off the curve: y + 1 */
        c[63] ^= 1;
        CHECK_EQ_INT(tacit_g1_from_bytes(&d, c), TACIT_ENOT_ON_CURVE);
        CHECK(tacit_g1_affine_is_infinity(&d));
        /* x + p and y + p are not canonical (when they fit in 256 bits) */
        uint64_t x[4], s[4];
        tacit_fp_to_limbs(x, &a.x);
        uint64_t carry = 0;
        for (int i = 0; i < 4; i++) {
            tacit__u128 t = (tacit__u128)x[i] + P_LIMBS[i] + carry;
            s[i] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        if (carry == 0) {
            memcpy(c, b, 64);
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 8; j++) c[(3 - i) * 8 + j] = (uint8_t)(s[i] >> (56 - 8 * j));
            CHECK_EQ_INT(tacit_g1_from_bytes(&d, c), TACIT_ENONCANONICAL);
        }
    }
    /* infinity */
    memset(&a, 0, sizeof a);
    tacit_g1_to_bytes(b, &a);
    CHECK_MEM(b, zero, 64);
    memset(&d, 0x5a, sizeof d);
    CHECK_EQ_INT(tacit_g1_from_bytes(&d, zero), TACIT_OK);
    CHECK(tacit_g1_affine_is_infinity(&d));
    /* x = p, y = 2: not canonical; y = p + 2 (the generator's y plus p) too */
    uint8_t pb[32];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) pb[(3 - i) * 8 + j] = (uint8_t)(P_LIMBS[i] >> (56 - 8 * j));
    memset(b, 0, 64);
    memcpy(b, pb, 32);
    b[63] = 2;
    CHECK_EQ_INT(tacit_g1_from_bytes(&d, b), TACIT_ENONCANONICAL);
    memset(b, 0, 64);
    b[31] = 1;
    memcpy(b + 32, pb, 32);
    b[63] = (uint8_t)(b[63] + 2); /* p ends in 0x47: no carry */
    CHECK_EQ_INT(tacit_g1_from_bytes(&d, b), TACIT_ENONCANONICAL);
    memset(b, 0xff, 64);
    CHECK_EQ_INT(tacit_g1_from_bytes(&d, b), TACIT_ENONCANONICAL);
    /* (0, y) is never on the curve (3 is not a square mod p), nor is (x, 0) */
    memset(b, 0, 64);
    b[63] = 1;
    CHECK_EQ_INT(tacit_g1_from_bytes(&d, b), TACIT_ENOT_ON_CURVE);
    memset(b, 0, 64);
    b[31] = 1;
    CHECK_EQ_INT(tacit_g1_from_bytes(&d, b), TACIT_ENOT_ON_CURVE);
    /* the generator */
    memset(b, 0, 64);
    b[31] = 1;
    b[63] = 2;
    CHECK_EQ_INT(tacit_g1_from_bytes(&d, b), TACIT_OK);
    CHECK_MEM(&d, &TACIT_G1_GENERATOR, sizeof d);
}

/* ============================================================ G2 tests ==== */

TEST(g2_generator)
{
    tacit_g2_affine a = TACIT_G2_GENERATOR, inf;
    uint8_t b[128];
    CHECK(tacit_g2_affine_is_on_curve(&a));
    CHECK(tacit_g2_is_in_subgroup_var(&a));
    memset(&inf, 0, sizeof inf);
    CHECK(tacit_g2_affine_is_infinity(&inf));
    CHECK(tacit_g2_affine_is_on_curve(&inf));
    CHECK(tacit_g2_is_in_subgroup_var(&inf));
    /* EIP-197 encoding of the generator: x.c1 leads */
    static const char *gen_hex = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
                                 "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
                                 "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
                                 "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
    uint8_t want[128];
    hex_decode(want, gen_hex, 128);
    tacit_g2_to_bytes(b, &a);
    CHECK_MEM(b, want, 128);
    tacit_fp2_add(&a.y, &a.y, &a.x);
    CHECK(!tacit_g2_affine_is_on_curve(&a));
}

/* Known answers [2]G2, [5]G2, [k]G2 in the EIP-197 encoding, computed with textbook affine
 * arithmetic over Fp2 in Python (independent of this code base):
 *   def add(P, Q):  # None is infinity; chord-and-tangent, f2 ops mod p with u^2 = -1
 *       if P is None: return Q
 *       if Q is None: return P
 *       if P[0] == Q[0]:
 *           if P[1] + Q[1] == 0: return None
 *           l = 3 P.x^2 / (2 P.y)
 *       else: l = (Q.y - P.y) / (Q.x - P.x)
 *       x = l^2 - P.x - Q.x; return (x, l (P.x - x) - P.y)
 *   and double-and-add from the top bit for [k]. */
TEST(g2_known_answers)
{
    static const char *two_g = "203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928ad79"
                               "27dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9"
                               "195e8aa5b7827463722b8c153931579d3505566b4edf48d498e185f0509de152"
                               "04bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122b5d2e";
    static const char *five_g = "0a09ccf561b55fd99d1c1208dee1162457b57ac5af3759d50671e510e428b2a1"
                                "2e539c423b302d13f4e5773c603948eaf5db5df8ae8a9a9113708390a06410d8"
                                "19b763513924a736e4eebd0d78c91c1bc1d657fee4214057d21414011cfcc763"
                                "2f8d9f9ab83727c77a2fec063cb7b6e5eb23044ccf535ad49d46d394fb6f6bf6";
    static const char *k_g = "2fa991f9d9654a6fe03a19c891e3f8298e59e7d579907c23766e8c071a99607d"
                             "0923e1d4de1ad26d2258943a10f8cee94fc5516be3074fd75b494ae72e8bbb39"
                             "05ddbacaa77db26735b8554c800cbf0f159a85a2e5ec71dffbaffbffaf4574f7"
                             "01f86545bd5d6b6cd70010f39e89725793cfb578a9aa37d88c64a039b40e4f1a";
    static const uint64_t k[4] = {0x1234567890abcdefULL, 0x1234567890abcdefULL,
                                  0x1234567890abcdefULL, 0x1234567890abcdefULL};
    uint8_t want[128], got[128];
    tacit_g2 g, t;
    tacit_g2_affine a;
    tacit_g2_from_affine(&g, &TACIT_G2_GENERATOR);

    hex_decode(want, two_g, 128);
    tacit_g2_dbl(&t, &g);
    tacit_g2_to_affine(&a, &t);
    tacit_g2_to_bytes(got, &a);
    CHECK_MEM(got, want, 128);

    hex_decode(want, five_g, 128);
    uint64_t five[4] = {5, 0, 0, 0};
    tacit_g2_mul(&t, &g, five);
    tacit_g2_to_affine(&a, &t);
    tacit_g2_to_bytes(got, &a);
    CHECK_MEM(got, want, 128);

    hex_decode(want, k_g, 128);
    tacit_g2_mul_var(&t, &g, k);
    tacit_g2_to_affine(&a, &t);
    tacit_g2_to_bytes(got, &a);
    CHECK_MEM(got, want, 128);
    tacit_g2_mul(&t, &g, k);
    tacit_g2_to_affine(&a, &t);
    tacit_g2_to_bytes(got, &a);
    CHECK_MEM(got, want, 128);
}

TEST(g2_group_law)
{
    int iters = tacit_test_iters(64);
    for (int it = 0; it < iters; it++) {
        tacit_g2 p, q, s, t, u, v, inf, np;
        g2_rand(&p);
        g2_rand(&q);
        g2_rand(&s);
        tacit_g2_set_infinity(&inf);
        CHECK(tacit_g2_is_infinity(&inf));
        CHECK(!tacit_g2_is_infinity(&p));
        tacit_g2_add(&t, &p, &q);
        tacit_g2_add(&t, &t, &s);
        tacit_g2_add(&u, &q, &s);
        tacit_g2_add(&u, &p, &u);
        CHECK(tacit_g2_eq(&t, &u));
        tacit_g2_add(&t, &p, &q);
        tacit_g2_add(&u, &q, &p);
        CHECK(tacit_g2_eq(&t, &u));
        CHECK(!tacit_g2_eq(&t, &p));
        tacit_g2_add(&t, &p, &inf);
        CHECK(tacit_g2_eq(&t, &p));
        tacit_g2_add(&t, &inf, &p);
        CHECK(tacit_g2_eq(&t, &p));
        tacit_g2_add(&t, &inf, &inf);
        CHECK(tacit_g2_is_infinity(&t));
        CHECK(!tacit_g2_eq(&p, &inf));
        CHECK(!tacit_g2_eq(&inf, &p));
        tacit_g2_neg(&np, &p);
        g2_rerandomize(&np);
        tacit_g2_add(&t, &p, &np);
        CHECK(tacit_g2_is_infinity(&t));
        v = p;
        g2_rerandomize(&v);
        CHECK(tacit_g2_eq(&v, &p));
        tacit_g2_add(&t, &p, &v);
        tacit_g2_dbl(&u, &p);
        CHECK(tacit_g2_eq(&t, &u));
        tacit_g2_add(&t, &p, &p);
        CHECK(tacit_g2_eq(&t, &u));
        tacit_g2_add(&t, &p, &q);
        tacit_g2_neg(&v, &q);
        tacit_g2_add(&t, &t, &v);
        CHECK(tacit_g2_eq(&t, &p));
        tacit_g2_dbl(&t, &inf);
        CHECK(tacit_g2_is_infinity(&t));
        t = p;
        tacit_g2_add(&t, &t, &q);
        tacit_g2_add(&u, &p, &q);
        CHECK(tacit_g2_eq(&t, &u));
        t = q;
        tacit_g2_add(&t, &p, &t);
        CHECK(tacit_g2_eq(&t, &u));
    }
}

TEST(g2_mixed_add)
{
    int iters = tacit_test_iters(64);
    for (int it = 0; it < iters; it++) {
        tacit_g2 p, q, t, u, inf;
        tacit_g2_affine qa, pa, npa, infa;
        g2_rand(&p);
        g2_rand(&q);
        tacit_g2_to_affine(&qa, &q);
        tacit_g2_to_affine(&pa, &p);
        tacit_g2_set_infinity(&inf);
        memset(&infa, 0, sizeof infa);
        tacit_g2_add_affine(&t, &p, &qa);
        tacit_g2_add(&u, &p, &q);
        CHECK(tacit_g2_eq(&t, &u));
        tacit_g2_add_affine(&t, &p, &pa);
        tacit_g2_dbl(&u, &p);
        CHECK(tacit_g2_eq(&t, &u));
        npa = pa;
        tacit_fp2_neg(&npa.y, &npa.y);
        tacit_g2_add_affine(&t, &p, &npa);
        CHECK(tacit_g2_is_infinity(&t));
        tacit_g2_add_affine(&t, &p, &infa);
        CHECK(tacit_g2_eq(&t, &p));
        tacit_g2_add_affine(&t, &inf, &qa);
        CHECK(tacit_g2_eq(&t, &q));
        tacit_g2_add_affine(&t, &inf, &infa);
        CHECK(tacit_g2_is_infinity(&t));
        /* round trip through affine */
        tacit_g2_affine b;
        tacit_g2_from_affine(&t, &pa);
        CHECK(tacit_g2_eq(&t, &p));
        tacit_g2_to_affine(&b, &t);
        CHECK_MEM(&b, &pa, sizeof b);
        CHECK(tacit_g2_affine_is_on_curve(&pa));
    }
    tacit_g2 inf;
    tacit_g2_affine a, zero;
    memset(&zero, 0, sizeof zero);
    tacit_g2_set_infinity(&inf);
    tacit_g2_to_affine(&a, &inf);
    CHECK_MEM(&a, &zero, sizeof a);
}

/*
 * The constant-time addition (Renes-Costello-Batina, tacit_g*_add_ct) against the branching
 * one (tacit_g*_add) on every case the branching one treats apart: P + Q, P + P (the same
 * and another representative), P + (-P) both ways, infinity on either side and both, with
 * infinity as set_infinity gives it and as other representatives (X, Y, 0) and (X, 0, 0) (any
 * Z = 0 is infinity to tacit_g*_is_infinity); each also with r aliasing a and b. Then a
 * running sum over all of them, so that representatives with an arbitrary Z go in. Written
 * once for G1 and G2.
 */
#define DEFINE_ADD_CT_CASES(G, rand_fe)                                                           \
    static void G##_add_ct_check(const tacit_##G *a, const tacit_##G *b, const char *what)        \
    {                                                                                             \
        tacit_##G want, got, inf;                                                                 \
        tacit_##G##_add(&want, a, b);                                                             \
        tacit_##G##_add_ct(&got, a, b);                                                           \
        if (!tacit_##G##_eq(&got, &want))                                                         \
            tacit__test_fail(__FILE__, __LINE__, #G " add_ct(%s) != add", what);                  \
        /* infinity comes out as set_infinity writes it, (1, 1, 0) */                             \
        tacit_##G##_set_infinity(&inf);                                                           \
        if (tacit_##G##_is_infinity(&got) && memcmp(&got, &inf, sizeof inf) != 0)                 \
            tacit__test_fail(__FILE__, __LINE__, #G " add_ct(%s): infinity not (1, 1, 0)", what); \
        got = *a;                                                                                 \
        tacit_##G##_add_ct(&got, &got, b);                                                        \
        if (!tacit_##G##_eq(&got, &want))                                                         \
            tacit__test_fail(__FILE__, __LINE__, #G " add_ct(%s), r = a, != add", what);          \
        got = *b;                                                                                 \
        tacit_##G##_add_ct(&got, a, &got);                                                        \
        if (!tacit_##G##_eq(&got, &want))                                                         \
            tacit__test_fail(__FILE__, __LINE__, #G " add_ct(%s), r = b, != add", what);          \
    }                                                                                             \
                                                                                                  \
    static void G##_add_ct_cases(const tacit_##G *p, const tacit_##G *q)                          \
    {                                                                                             \
        tacit_##G p2, np, inf, inf2, inf3, acc, acc_ct;                                           \
        p2 = *p;                                                                                  \
        G##_rerandomize(&p2);                                                                     \
        tacit_##G##_neg(&np, p);                                                                  \
        G##_rerandomize(&np);                                                                     \
        tacit_##G##_set_infinity(&inf);                                                           \
        rand_fe(&inf2.x);                                                                         \
        rand_fe(&inf2.y);                                                                         \
        memset(&inf2.z, 0, sizeof inf2.z);                                                        \
        inf3 = inf2;                                                                              \
        memset(&inf3.y, 0, sizeof inf3.y);                                                        \
        CHECK(tacit_##G##_is_infinity(&inf2) && tacit_##G##_is_infinity(&inf3));                  \
        const tacit_##G *cases[][2] = {{p, q},     {p, p},     {p, &p2},       {p, &np},          \
                                       {&np, p},   {p, &inf},  {&inf, p},      {&inf, &inf},      \
                                       {p, &inf2}, {&inf2, p}, {&inf2, &inf2}, {&inf, &inf2},     \
                                       {p, &inf3}, {&inf3, p}, {&inf3, &inf3}};                   \
        static const char *const names[] = {                                                      \
            "P + Q",  "P + P",  "P + P'",  "P + -P", "-P + P",  "P + O",   "O + P",    "O + O",   \
            "P + O'", "O' + P", "O' + O'", "O + O'", "P + O''", "O'' + P", "O'' + O''"};          \
        tacit_##G##_set_infinity(&acc);                                                           \
        tacit_##G##_set_infinity(&acc_ct);                                                        \
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {                             \
            G##_add_ct_check(cases[i][0], cases[i][1], names[i]);                                 \
            tacit_##G##_add(&acc, &acc, cases[i][0]);                                             \
            tacit_##G##_add_ct(&acc_ct, &acc_ct, cases[i][0]);                                    \
            CHECK(tacit_##G##_eq(&acc_ct, &acc));                                                 \
            G##_add_ct_check(&acc, cases[i][1], names[i]);                                        \
        }                                                                                         \
        /* the running sum against itself: 2 acc, then acc - acc */                               \
        G##_add_ct_check(&acc, &acc_ct, "S + S");                                                 \
        tacit_##G##_neg(&np, &acc_ct);                                                            \
        G##_add_ct_check(&acc, &np, "S + -S");                                                    \
    }

DEFINE_ADD_CT_CASES(g1, rand_fp)
DEFINE_ADD_CT_CASES(g2, rand_fp2)

TEST(g1_add_ct)
{
    int iters = tacit_test_iters(64);
    for (int it = 0; it < iters; it++) {
        tacit_g1 p, q;
        g1_rand(&p);
        g1_rand(&q);
        g1_add_ct_cases(&p, &q);
    }
}

/* In G2 and on the whole twist E'(Fp2) (points outside G2 too: its order is odd, so the
 * formulas stay complete there). */
TEST(g2_add_ct)
{
    int iters = tacit_test_iters(64) / 2 + 1;
    for (int it = 0; it < iters; it++) {
        tacit_g2 p, q;
        tacit_g2_affine ta, tb;
        g2_rand(&p);
        g2_rand(&q);
        g2_add_ct_cases(&p, &q);
        g2_rand_twist(&ta);
        g2_rand_twist(&tb);
        tacit_g2_from_affine(&p, &ta);
        tacit_g2_from_affine(&q, &tb);
        g2_rerandomize(&p);
        g2_add_ct_cases(&p, &q);
    }
}

TEST(g2_mul_agree)
{
    int iters = tacit_test_iters(64) / 2 + 1;
    for (int it = 0; it < iters; it++) {
        tacit_g2 p, m1, m2, m3;
        tacit_g2_affine tw;
        uint64_t k[4];
        /* points of G2 and, every other time, arbitrary twist points */
        if (it & 1) {
            g2_rand_twist(&tw);
            tacit_g2_from_affine(&p, &tw);
            g2_rerandomize(&p);
        } else {
            g2_rand(&p);
        }
        rand_scalar(k);
        tacit_g2_mul(&m1, &p, k);
        tacit_g2_mul_var(&m2, &p, k);
        g2_naive_mul(&m3, &p, k);
        CHECK(tacit_g2_eq(&m1, &m3));
        CHECK(tacit_g2_eq(&m2, &m3));
        m1 = p;
        tacit_g2_mul(&m1, &m1, k);
        CHECK(tacit_g2_eq(&m1, &m3));
    }
    tacit_g2 p, acc, m1, m2, inf;
    uint64_t k[4] = {0, 0, 0, 0};
    tacit_g2_set_infinity(&inf);
    tacit_g2_mul(&m1, &inf, R_LIMBS);
    CHECK(tacit_g2_is_infinity(&m1));
    tacit_g2_mul_var(&m1, &inf, R_LIMBS);
    CHECK(tacit_g2_is_infinity(&m1));
    g2_rand(&p);
    tacit_g2_set_infinity(&acc);
    for (uint64_t s = 0; s < 40; s++) {
        k[0] = s;
        tacit_g2_mul(&m1, &p, k);
        tacit_g2_mul_var(&m2, &p, k);
        CHECK(tacit_g2_eq(&m1, &acc));
        CHECK(tacit_g2_eq(&m2, &acc));
        tacit_g2_add(&acc, &acc, &p);
    }
}

TEST(g2_mul_linear)
{
    int iters = tacit_test_iters(64) / 2 + 1;
    for (int it = 0; it < iters; it++) {
        uint64_t a[4], b[4], s[4], m[4];
        tacit_g2 p, ap, bp, t, u;
        g2_rand(&p);
        rand_fr_limbs(a);
        rand_fr_limbs(b);
        fr_limbs_add(s, a, b);
        fr_limbs_mul(m, a, b);
        tacit_g2_mul_var(&ap, &p, a);
        tacit_g2_mul(&bp, &p, b);
        tacit_g2_add(&t, &ap, &bp);
        tacit_g2_mul_var(&u, &p, s);
        CHECK(tacit_g2_eq(&t, &u));
        tacit_g2_mul(&t, &bp, a);
        tacit_g2_mul_var(&u, &p, m);
        CHECK(tacit_g2_eq(&t, &u));
    }
    tacit_g2 g, t, ng;
    uint64_t k[4];
    tacit_g2_from_affine(&g, &TACIT_G2_GENERATOR);
    tacit_g2_mul(&t, &g, R_LIMBS);
    CHECK(tacit_g2_is_infinity(&t));
    tacit_g2_mul_var(&t, &g, R_LIMBS);
    CHECK(tacit_g2_is_infinity(&t));
    memcpy(k, R_LIMBS, sizeof k);
    limbs_dec(k);
    tacit_g2_neg(&ng, &g);
    tacit_g2_mul_var(&t, &g, k);
    CHECK(tacit_g2_eq(&t, &ng));
}

TEST(g2_psi)
{
    static const uint64_t six_u2[4] = {0xf83e9682e87cfd46ULL, 0x6f4d8248eeb859fbULL, 0, 0};
    int iters = tacit_test_iters(64) / 2 + 1;
    for (int it = 0; it < iters; it++) {
        tacit_g2 p, q, s, t, u, pa_j;
        tacit_g2_affine tw, a, b;
        g2_rand(&p);
        g2_rand(&q);
        /* psi(P) is on the curve, and on G2 it acts as [6u^2] = [p mod r] */
        tacit_g2_psi(&t, &p);
        tacit_g2_to_affine(&a, &t);
        CHECK(tacit_g2_affine_is_on_curve(&a));
        tacit_g2_mul_var(&u, &p, six_u2);
        CHECK(tacit_g2_eq(&t, &u));
        tacit_g2_mul_var(&u, &p, P_LIMBS);
        CHECK(tacit_g2_eq(&t, &u));
        /* a homomorphism: psi(P + Q) = psi(P) + psi(Q), psi(-P) = -psi(P) */
        tacit_g2_add(&s, &p, &q);
        tacit_g2_psi(&s, &s);
        tacit_g2_psi(&t, &p);
        tacit_g2_psi(&u, &q);
        tacit_g2_add(&t, &t, &u);
        CHECK(tacit_g2_eq(&s, &t));
        /* also on twist points outside G2, and independent of the representative */
        g2_rand_twist(&tw);
        CHECK(tacit_g2_affine_is_on_curve(&tw));
        tacit_g2_from_affine(&pa_j, &tw);
        tacit_g2_psi(&t, &pa_j);
        tacit_g2_to_affine(&a, &t);
        CHECK(tacit_g2_affine_is_on_curve(&a));
        g2_rerandomize(&pa_j);
        tacit_g2_psi(&t, &pa_j);
        tacit_g2_to_affine(&b, &t);
        CHECK_MEM(&a, &b, sizeof a);
        tacit_g2_add(&s, &pa_j, &p);
        tacit_g2_psi(&s, &s);
        tacit_g2_psi(&u, &p);
        tacit_g2_add(&t, &t, &u);
        CHECK(tacit_g2_eq(&s, &t));
    }
    tacit_g2 inf, t;
    tacit_g2_set_infinity(&inf);
    tacit_g2_psi(&t, &inf);
    CHECK(tacit_g2_is_infinity(&t));
}

/* psi^2 - [t] psi + [p] = 0 on all of E'(Fp2), t = 6u^2 + 1 the trace of Frobenius of E:
 * the identity the subgroup test relies on (see g2.c). Checked on twist points outside G2. */
TEST(g2_psi_characteristic_polynomial)
{
    static const uint64_t trace[4] = {0xf83e9682e87cfd47ULL, 0x6f4d8248eeb859fbULL, 0, 0};
    int iters = tacit_test_iters(64) / 4 + 1;
    for (int it = 0; it < iters; it++) {
        tacit_g2_affine tw;
        tacit_g2 q, a, b, c;
        g2_rand_twist(&tw);
        tacit_g2_from_affine(&q, &tw);
        g2_rerandomize(&q);
        tacit_g2_psi(&a, &q);
        tacit_g2_psi(&a, &a); /* psi^2(Q) */
        tacit_g2_psi(&b, &q);
        tacit_g2_mul_var(&b, &b, trace);   /* [t] psi(Q) */
        tacit_g2_mul_var(&c, &q, P_LIMBS); /* [p] Q */
        tacit_g2_neg(&b, &b);
        tacit_g2_add(&a, &a, &b);
        tacit_g2_add(&a, &a, &c);
        CHECK(tacit_g2_is_infinity(&a));
    }
}

TEST(g2_subgroup)
{
    int iters = tacit_test_iters(64) / 2 + 1;
    int outside = 0;
    for (int it = 0; it < iters; it++) {
        tacit_g2_affine tw, c;
        tacit_g2 p, t, u;
        bool in_by_def;
        /* random twist point: almost never in G2; the test must agree with [r]Q == 0 */
        g2_rand_twist(&tw);
        tacit_g2_from_affine(&p, &tw);
        tacit_g2_mul_var(&t, &p, R_LIMBS);
        in_by_def = tacit_g2_is_infinity(&t);
        CHECK(tacit_g2_is_in_subgroup_var(&tw) == in_by_def);
        if (!in_by_def) outside++;
        /* cofactor cleared: [h]Q is in G2 */
        tacit_g2_mul_var(&u, &p, G2_COFACTOR);
        tacit_g2_to_affine(&c, &u);
        tacit_g2_mul_var(&t, &u, R_LIMBS);
        CHECK(tacit_g2_is_infinity(&t));
        CHECK(tacit_g2_is_in_subgroup_var(&c));
        /* in G2 plus a point outside is outside */
        tacit_g2_add(&t, &u, &p);
        tacit_g2_to_affine(&c, &t);
        tacit_g2_mul_var(&t, &t, R_LIMBS);
        CHECK(tacit_g2_is_in_subgroup_var(&c) == tacit_g2_is_infinity(&t));
        /* multiples of the generator */
        g2_rand(&p);
        tacit_g2_to_affine(&c, &p);
        CHECK(tacit_g2_is_in_subgroup_var(&c));
        /* -Q */
        tacit_fp2_neg(&c.y, &c.y);
        CHECK(tacit_g2_is_in_subgroup_var(&c));
    }
    CHECK(outside >= iters - 1);
}

/* The former subgroup test, kept as an oracle: psi(Q) == [6u^2]Q (El Housni, Guillevic,
 * Piellard, AFRICACRYPT 2022, sec. 4). Exact on E'(Fp2): psi - 6u^2 has norm
 * 36u^4 - 6u^2 t + p = p - 6u^2 = r, and gcd(r, h) = 1. */
static bool g2_in_subgroup_oracle(const tacit_g2_affine *a)
{
    static const uint64_t six_u2[4] = {0xf83e9682e87cfd46ULL, 0x6f4d8248eeb859fbULL, 0, 0};
    tacit_g2 q, l, rr;
    tacit_g2_from_affine(&q, a);
    tacit_g2_psi(&l, &q);
    tacit_g2_mul_var(&rr, &q, six_u2);
    return tacit_g2_eq(&l, &rr);
}

/* h = 2p - r = 10069 * 5864401 * 1875725156269 * L, squarefree, so E'(Fp2) (order r h) is
 * cyclic and [r h / l]R has order l or is O. Each row: l, h / l (contrib/check-g2-subgroup-
 * test.py verifies the factorisation). */
static const struct {
    uint64_t l[4], h_div_l[4];
} G2_COFACTOR_PRIMES[4] = {
    {{0x0000000000002755ULL, 0, 0, 0},
     {0x6c3cd334915f1659ULL, 0x207142f7671af448ULL, 0x9e28bcf65b5681daULL, 0x00013af7a58fce69ULL}},
    {{0x0000000000597bd1ULL, 0, 0, 0},
     {0xd3865bed56710dfdULL, 0xd47f2c69679e3e75ULL, 0x67a5f8660434f091ULL, 0x0000008a712e2645ULL}},
    {{0x000001b4b9ee7fadULL, 0, 0, 0},
     {0x57455809a5954261ULL, 0x227489973709a736ULL, 0x6f7cb3fd5082f93bULL, 0x00000000001c5dc5ULL}},
    {{0x9b6e0b358e0d894dULL, 0xe9dab9240f0c6ab8ULL, 0x000210315729f570ULL, 0},
     {0x4286afdaa1f39641ULL, 0x0000000000001774ULL, 0, 0}},
};

/* A point of order exactly G2_COFACTOR_PRIMES[i].l: [h/l]([r]R) for a random twist point R,
 * drawn again while it is O (probability 1/l). */
static void g2_small_order_point(tacit_g2 *t, size_t i)
{
    tacit_g2_affine tw;
    tacit_g2 s;
    do {
        g2_rand_twist(&tw);
        tacit_g2_from_affine(&s, &tw);
        tacit_g2_mul_var(&s, &s, R_LIMBS);
        tacit_g2_mul_var(t, &s, G2_COFACTOR_PRIMES[i].h_div_l);
    } while (tacit_g2_is_infinity(t));
    CHECK(!tacit_g2_is_infinity(t));
    tacit_g2_mul_var(&s, t, G2_COFACTOR_PRIMES[i].l);
    CHECK(tacit_g2_is_infinity(&s));
}

/* The subgroup test against the oracle on thousands of points of every kind: random twist
 * points, G2 points ([h]R), G2 points plus a point of each prime order l | h, the order-h
 * part [r]R, and multiples of the small-order points; [r]Q == O decides on a sample. */
TEST(g2_subgroup_vs_oracle)
{
    int iters = tacit_test_iters(64) * 32;
    tacit_g2 small[4];
    int in = 0, out = 0;
    for (size_t i = 0; i < 4; i++) g2_small_order_point(&small[i], i);
    for (int it = 0; it < iters; it++) {
        tacit_g2_affine tw, c;
        tacit_g2 p, t;
        uint64_t k[4] = {0};
        bool got, want;
        if (it % 5 != 4) {
            g2_rand_twist(&tw);
            tacit_g2_from_affine(&p, &tw);
        }
        switch (it % 5) {
        case 0: /* a random twist point */ break;
        case 1: /* in G2 */ tacit_g2_mul_var(&p, &p, G2_COFACTOR); break;
        case 2: /* in G2 plus a point of prime order l | h */
            tacit_g2_mul_var(&p, &p, G2_COFACTOR);
            tacit_g2_add(&p, &p, &small[(it / 5) % 4]);
            break;
        case 3: /* the order-h part */ tacit_g2_mul_var(&p, &p, R_LIMBS); break;
        case 4: /* a random multiple of a small-order point */
            k[0] = tacit_test_rand64();
            tacit_g2_mul_var(&p, &small[(it / 5) % 4], k);
            break;
        }
        g2_rerandomize(&p);
        tacit_g2_to_affine(&c, &p);
        got = tacit_g2_is_in_subgroup_var(&c);
        CHECK(got == g2_in_subgroup_oracle(&c));
        if (it % 5 == 1) CHECK(got);
        if (it % 5 == 2 || (it % 5 == 4 && !tacit_g2_is_infinity(&p))) CHECK(!got);
        if (it % 16 == 0) {
            tacit_g2_from_affine(&t, &c);
            tacit_g2_mul_var(&t, &t, R_LIMBS);
            want = tacit_g2_is_infinity(&t);
            CHECK(got == want);
        }
        if (got)
            in++;
        else
            out++;
    }
    CHECK(in >= iters / 5 && out >= iters / 2);
}

/* Every point of order l for each prime l | h is rejected, alone and added to a G2 point;
 * for l = 10069 exhaustively: all 10068 nonzero multiples of a generator of the order-l
 * component, each alone and plus a random G2 point. */
TEST(g2_subgroup_small_order)
{
    for (size_t i = 0; i < 4; i++) {
        tacit_g2 t, q, s;
        tacit_g2_affine c;
        g2_small_order_point(&t, i);
        for (int j = 0; j < 8; j++) {
            tacit_g2_to_affine(&c, &t);
            CHECK(!tacit_g2_is_in_subgroup_var(&c));
            CHECK(!g2_in_subgroup_oracle(&c));
            tacit_fp2_neg(&c.y, &c.y);
            CHECK(!tacit_g2_is_in_subgroup_var(&c));
            g2_rand(&q);
            tacit_g2_add(&s, &q, &t);
            tacit_g2_to_affine(&c, &s);
            CHECK(!tacit_g2_is_in_subgroup_var(&c));
            CHECK(!g2_in_subgroup_oracle(&c));
            tacit_g2_add(&t, &t, &t); /* another generator of the same component */
        }
    }
    {
        tacit_g2 t, acc, q, s;
        tacit_g2_affine c;
        int rejected = 0, rejected_sum = 0;
        g2_small_order_point(&t, 0);
        acc = t;
        g2_rand(&q);
        for (int j = 1; j < 10069; j++) {
            CHECK(!tacit_g2_is_infinity(&acc));
            tacit_g2_to_affine(&c, &acc);
            rejected += !tacit_g2_is_in_subgroup_var(&c);
            tacit_g2_add(&s, &q, &acc);
            tacit_g2_to_affine(&c, &s);
            rejected_sum += !tacit_g2_is_in_subgroup_var(&c);
            tacit_g2_add(&acc, &acc, &t);
        }
        CHECK(tacit_g2_is_infinity(&acc)); /* [10069]T = O */
        CHECK_EQ_INT(rejected, 10068);
        CHECK_EQ_INT(rejected_sum, 10068);
    }
}

/* One twist point of the kinds of g2_subgroup_vs_oracle, by it % 6: random, in G2, G2 plus a
 * point of prime order l | h, the order-h part, a multiple of a small-order point, and -Q for
 * Q in G2. */
static void g2_point_of_kind(tacit_g2_affine *c, int it, const tacit_g2 small[4])
{
    tacit_g2_affine tw;
    tacit_g2 p;
    uint64_t k[4] = {0};
    if (it % 6 != 4) {
        g2_rand_twist(&tw);
        tacit_g2_from_affine(&p, &tw);
    }
    switch (it % 6) {
    case 0: break;
    case 1: tacit_g2_mul_var(&p, &p, G2_COFACTOR); break;
    case 2:
        tacit_g2_mul_var(&p, &p, G2_COFACTOR);
        tacit_g2_add(&p, &p, &small[(it / 6) % 4]);
        break;
    case 3: tacit_g2_mul_var(&p, &p, R_LIMBS); break;
    case 4:
        k[0] = tacit_test_rand64();
        tacit_g2_mul_var(&p, &small[(it / 6) % 4], k);
        break;
    case 5:
        tacit_g2_mul_var(&p, &p, G2_COFACTOR);
        tacit_g2_neg(&p, &p);
        break;
    }
    g2_rerandomize(&p);
    tacit_g2_to_affine(c, &p);
}

/* tacit_miller_loop_g2check_var: its in_g2 flags agree with the subgroup test and its oracle
 * on every kind of twist point, in groups of 20 pairs (more than one Miller group of 16), with
 * prepared pairs alongside and with P or Q at infinity; its product equals the plain loop's. */
TEST(g2_miller_loop_check)
{
    enum { NP = 20 };
    int rounds = tacit_test_iters(64) / 4 + 2, in = 0, out = 0;
    tacit_g2 small[4];
    tacit_g2_prepared prep;
    const tacit_g2_prepared *qp[1] = {&prep};
    tacit_g1_affine pp[1];
    for (size_t i = 0; i < 4; i++) g2_small_order_point(&small[i], i);
    tacit_g2_prepare(&prep, &TACIT_G2_GENERATOR);
    for (int r = 0; r < rounds; r++) {
        tacit_g1_affine p[NP];
        tacit_g2_affine q[NP];
        bool flags[NP];
        tacit_fp12 f, want;
        size_t np = (size_t)(r % 2);
        for (int i = 0; i < NP; i++) {
            g1_rand_affine(&p[i]);
            g2_point_of_kind(&q[i], r * NP + i, small);
        }
        g1_rand_affine(&pp[0]);
        if (r % 3 == 1) { /* P at infinity: Q still checked (a point outside G2 at 2) */
            memset(&p[2], 0, sizeof p[2]);
            memset(&p[7], 0, sizeof p[7]);
        }
        if (r % 3 == 2) memset(&q[5], 0, sizeof q[5]); /* Q at infinity: in G2 */
        tacit_miller_loop_g2check_var(&f, flags, p, q, NP, pp, qp, np);
        tacit_miller_loop_var(&want, p, q, NP, pp, qp, np);
        CHECK(tacit_fp12_eq(&f, &want));
        for (int i = 0; i < NP; i++) {
            bool ref = tacit_g2_is_in_subgroup_var(&q[i]);
            CHECK(flags[i] == ref);
            CHECK(flags[i] == g2_in_subgroup_oracle(&q[i]));
            int kind = (r * NP + i) % 6;
            if (!tacit_g2_affine_is_infinity(&q[i])) {
                if (kind == 1 || kind == 5) CHECK(flags[i]);
                if (kind == 2 || kind == 4) CHECK(!flags[i]);
            }
            if (flags[i])
                in++;
            else
                out++;
        }
        /* one pair alone */
        tacit_miller_loop_g2check_var(&f, flags, &p[3], &q[3], 1, NULL, NULL, 0);
        tacit_miller_loop_var(&want, &p[3], &q[3], 1, NULL, NULL, 0);
        CHECK(tacit_fp12_eq(&f, &want));
        CHECK(flags[0] == tacit_g2_is_in_subgroup_var(&q[3]));
    }
    CHECK(in >= rounds * NP / 3 && out >= rounds * NP / 3);
}

/* The loop check rejects points of every order l | h, alone, negated and added to a G2 point;
 * for l = 10069 every nonzero multiple of a generator of the order-l component, alone and
 * plus a G2 point (16 pairs a call). */
TEST(g2_miller_loop_check_small_order)
{
    tacit_g1_affine p[16];
    tacit_g2_affine q[16];
    bool flags[16];
    tacit_fp12 f;
    for (int i = 0; i < 16; i++) g1_rand_affine(&p[i]);
    for (size_t i = 0; i < 4; i++) {
        tacit_g2 t, g, s;
        g2_small_order_point(&t, i);
        g2_rand(&g);
        for (int j = 0; j < 4; j++) {
            tacit_g2_to_affine(&q[4 * j], &t);
            q[4 * j + 1] = q[4 * j];
            tacit_fp2_neg(&q[4 * j + 1].y, &q[4 * j + 1].y);
            tacit_g2_add(&s, &g, &t);
            tacit_g2_to_affine(&q[4 * j + 2], &s);
            tacit_g2_to_affine(&q[4 * j + 3], &g); /* in G2 */
            tacit_g2_add(&t, &t, &t);
        }
        tacit_miller_loop_g2check_var(&f, flags, p, q, 16, NULL, NULL, 0);
        for (int k = 0; k < 16; k++) CHECK(flags[k] == (k % 4 == 3));
    }
    {
        tacit_g2 t, acc, g, s;
        int rejected = 0, n = 0;
        g2_small_order_point(&t, 0);
        g2_rand(&g);
        acc = t;
        for (int j = 1; j < 10069; j++) {
            tacit_g2_add(&s, &g, &acc);
            tacit_g2_to_affine(&q[n++], j % 2 ? &acc : &s);
            if (n == 16 || j == 10068) {
                tacit_miller_loop_g2check_var(&f, flags, p, q, (size_t)n, NULL, NULL, 0);
                for (int k = 0; k < n; k++) rejected += !flags[k];
                n = 0;
            }
            tacit_g2_add(&acc, &acc, &t);
        }
        CHECK_EQ_INT(rejected, 10068);
    }
}

TEST(g2_bytes)
{
    int iters = tacit_test_iters(64) / 2 + 1;
    uint8_t b[128], c[128], zero[128] = {0};
    tacit_g2_affine a, d;
    for (int it = 0; it < iters; it++) {
        tacit_g2 p;
        g2_rand(&p);
        tacit_g2_to_affine(&a, &p);
        tacit_g2_to_bytes(b, &a);
        CHECK_EQ_INT(tacit_g2_from_bytes(&d, b), TACIT_OK);
        CHECK_MEM(&a, &d, sizeof a);
        CHECK_EQ_INT(tacit_g2_from_bytes_unchecked_subgroup(&d, b), TACIT_OK);
        CHECK_MEM(&a, &d, sizeof a);
        tacit_g2_to_bytes(c, &d);
        CHECK_MEM(b, c, 128);
        /* swapped c0/c1 (the order mistake EIP-197 users make): off the curve */
        memcpy(c, b + 32, 32);
        memcpy(c + 32, b, 32);
        memcpy(c + 64, b + 96, 32);
        memcpy(c + 96, b + 64, 32);
        CHECK_EQ_INT(tacit_g2_from_bytes(&d, c), TACIT_ENOT_ON_CURVE);
        CHECK(tacit_g2_affine_is_infinity(&d));
        CHECK_EQ_INT(tacit_g2_from_bytes_unchecked_subgroup(&d, c), TACIT_ENOT_ON_CURVE);
        /* one flipped bit */
        memcpy(c, b, 128);
        c[127] ^= 1;
        CHECK_EQ_INT(tacit_g2_from_bytes(&d, c), TACIT_ENOT_ON_CURVE);
        /* any coordinate >= p */
        for (int co = 0; co < 4; co++) {
            memcpy(c, b, 128);
            memset(c + 32 * co, 0xff, 32);
            CHECK_EQ_INT(tacit_g2_from_bytes(&d, c), TACIT_ENONCANONICAL);
            CHECK_EQ_INT(tacit_g2_from_bytes_unchecked_subgroup(&d, c), TACIT_ENONCANONICAL);
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 8; j++)
                    c[32 * co + (3 - i) * 8 + j] = (uint8_t)(P_LIMBS[i] >> (56 - 8 * j));
            CHECK_EQ_INT(tacit_g2_from_bytes(&d, c), TACIT_ENONCANONICAL);
        }
        /* on the twist but not in G2 */
        g2_rand_twist(&a);
        tacit_g2_to_bytes(b, &a);
        memset(&d, 0x5a, sizeof d);
        CHECK_EQ_INT(tacit_g2_from_bytes(&d, b), TACIT_ENOT_IN_SUBGROUP);
        CHECK(tacit_g2_affine_is_infinity(&d));
        CHECK_EQ_INT(tacit_g2_from_bytes_unchecked_subgroup(&d, b), TACIT_OK);
        CHECK_MEM(&a, &d, sizeof a);
    }
    memset(&a, 0, sizeof a);
    tacit_g2_to_bytes(b, &a);
    CHECK_MEM(b, zero, 128);
    memset(&d, 0x5a, sizeof d);
    CHECK_EQ_INT(tacit_g2_from_bytes(&d, zero), TACIT_OK);
    CHECK(tacit_g2_affine_is_infinity(&d));
    /* the generator */
    tacit_g2_to_bytes(b, &TACIT_G2_GENERATOR);
    CHECK_EQ_INT(tacit_g2_from_bytes(&d, b), TACIT_OK);
    CHECK_MEM(&d, &TACIT_G2_GENERATOR, sizeof d);
}

/* ====================================================== recodings ==== */

/* sum d_i 2^i over the digits, as a 320-bit two's complement integer */
static void digits_value(uint64_t out[5], const int *d, size_t n, unsigned step)
{
    memset(out, 0, 5 * sizeof out[0]);
    for (size_t i = n; i-- > 0;) {
        /* out = out * 2^step + d[i] */
        for (unsigned s = 0; s < step; s++) {
            for (int j = 4; j > 0; j--) out[j] = (out[j] << 1) | (out[j - 1] >> 63);
            out[0] <<= 1;
        }
        uint64_t add = (uint64_t)(int64_t)d[i], carry = 0, ext = d[i] < 0 ? ~0ULL : 0;
        for (int j = 0; j < 5; j++) {
            tacit__u128 t = (tacit__u128)out[j] + (j == 0 ? add : ext) + carry;
            out[j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
    }
}

TEST(scalar_recodings)
{
    int iters = tacit_test_iters(64) * 4;
    for (int it = 0; it < iters; it++) {
        uint64_t k[4], v[5];
        int8_t naf[WNAF_MAX(4)];
        int d[WNAF_MAX(4)];
        rand_scalar(k);
        for (unsigned w = 2; w <= 6; w++) {
            int len = wnaf_recode(naf, k, 4, w), last = -100;
            CHECK(len >= 0 && len <= WNAF_MAX(4));
            for (int i = 0; i < WNAF_MAX(4); i++) {
                d[i] = naf[i];
                if (naf[i] == 0) continue;
                CHECK(naf[i] & 1);
                CHECK(naf[i] < (1 << (w - 1)) && naf[i] > -(1 << (w - 1)));
                CHECK(i - last >= (int)w);
                CHECK(i < len);
                last = i;
            }
            CHECK(len == 0 || naf[len - 1] != 0);
            digits_value(v, d, WNAF_MAX(4), 1);
            CHECK(v[0] == k[0] && v[1] == k[1] && v[2] == k[2] && v[3] == k[3] && v[4] == 0);
        }
        for (unsigned c = 1; c <= 12; c++) {
            unsigned windows = 256 / c + 1;
            for (unsigned j = 0; j < windows; j++) {
                d[j] = booth_digit(k, j, c);
                CHECK(d[j] <= (1 << (c - 1)) && d[j] >= -(1 << (c - 1)));
            }
            digits_value(v, d, windows, c);
            CHECK(v[0] == k[0] && v[1] == k[1] && v[2] == k[2] && v[3] == k[3] && v[4] == 0);
        }
    }
}

/* ============================================================= u256 ==== */

TEST(u256_decimal)
{
    uint64_t v[4], w[4];
    char buf[79];
    static const char *bad[] = {
        "",
        "-1",
        "+1",
        " 1",
        "1 ",
        "01",
        "00",
        "0x10",
        "1e3",
        "12a",
        "\t1",
        "1\n",
        "１",
        /* 2^256 */
        "115792089237316195423570985008687907853269984665640564039457584007913129639936",
        /* 79 digits */
        "1000000000000000000000000000000000000000000000000000000000000000000000000000000",
        /* 78 digits above 2^256 */
        "999999999999999999999999999999999999999999999999999999999999999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(v, 0x77, sizeof v);
        CHECK_EQ_INT(tacit_u256_from_dec(v, bad[i]), TACIT_EENCODING);
        CHECK(v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 0);
        if (tacit_u256_from_dec(v, bad[i]) == TACIT_OK)
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
    }
    CHECK_EQ_INT(tacit_u256_from_dec(v, NULL), TACIT_EENCODING);

    struct {
        const char *s;
        uint64_t v[4];
    } good[] = {
        {"0", {0, 0, 0, 0}},
        {"1", {1, 0, 0, 0}},
        {"18446744073709551615", {~0ULL, 0, 0, 0}},
        {"18446744073709551616", {0, 1, 0, 0}},
        {"10000000000000000000", {10000000000000000000ULL, 0, 0, 0}},
        {"115792089237316195423570985008687907853269984665640564039457584007913129639935",
         {~0ULL, ~0ULL, ~0ULL, ~0ULL}},
        {"21888242871839275222246405745257275088548364400416034343698204186575808495617",
         {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL,
          0x30644e72e131a029ULL}},
        {"100000000000000000000000000000000000000", /* 10^38 */
         {0x098a224000000000ULL, 0x4b3b4ca85a86c47aULL, 0, 0}},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK_EQ_INT(tacit_u256_from_dec(v, good[i].s), TACIT_OK);
        CHECK_MEM(v, good[i].v, sizeof v);
        tacit_u256_to_dec(buf, good[i].v);
        CHECK(strcmp(buf, good[i].s) == 0);
        if (strcmp(buf, good[i].s) != 0) fprintf(stderr, "  %s != %s\n", buf, good[i].s);
    }
    /* round trips of random values and of values with zero chunks */
    int iters = tacit_test_iters(64) * 4;
    for (int it = 0; it < iters; it++) {
        rand_scalar(v);
        if (it % 4 == 1) v[1] = 0;
        if (it % 4 == 2) v[0] = 0;
        tacit_u256_to_dec(buf, v);
        CHECK(strlen(buf) >= 1 && strlen(buf) <= 78);
        CHECK(buf[0] != '0' || buf[1] == '\0');
        CHECK_EQ_INT(tacit_u256_from_dec(w, buf), TACIT_OK);
        CHECK_MEM(v, w, sizeof v);
    }
    /* powers of ten around the 10^19 chunk boundary */
    char s[80];
    for (int n = 1; n <= 78; n++) {
        s[0] = '1';
        memset(s + 1, '0', (size_t)n - 1);
        s[n] = '\0';
        CHECK_EQ_INT(tacit_u256_from_dec(v, s), TACIT_OK);
        tacit_u256_to_dec(buf, v);
        CHECK(strcmp(buf, s) == 0);
        memset(s, '9', (size_t)n); /* 10^n - 1 */
        int rc = tacit_u256_from_dec(v, s);
        CHECK_EQ_INT(rc, n < 78 ? TACIT_OK : TACIT_EENCODING);
        if (rc == TACIT_OK) {
            tacit_u256_to_dec(buf, v);
            CHECK(strcmp(buf, s) == 0);
        }
    }
}

static const struct tacit_test tests[] = {
    {"g1_generator_on_curve", g1_generator_on_curve},
    {"g1_group_law", g1_group_law},
    {"g1_mixed_add", g1_mixed_add},
    {"g1_affine_round_trip", g1_affine_round_trip},
    {"g1_batch_to_affine", g1_batch_to_affine},
    {"g1_mul_agree", g1_mul_agree},
    {"g1_mul_linear", g1_mul_linear},
    {"g1_order", g1_order},
    {"g1_msm", g1_msm},
    {"g1_msm_special", g1_msm_special},
    {"g1_bytes", g1_bytes},
    {"g1_add_ct", g1_add_ct},
    {"g2_generator", g2_generator},
    {"g2_known_answers", g2_known_answers},
    {"g2_group_law", g2_group_law},
    {"g2_mixed_add", g2_mixed_add},
    {"g2_add_ct", g2_add_ct},
    {"g2_mul_agree", g2_mul_agree},
    {"g2_mul_linear", g2_mul_linear},
    {"g2_psi", g2_psi},
    {"g2_psi_characteristic_polynomial", g2_psi_characteristic_polynomial},
    {"g2_subgroup", g2_subgroup},
    {"g2_subgroup_vs_oracle", g2_subgroup_vs_oracle},
    {"g2_subgroup_small_order", g2_subgroup_small_order},
    {"g2_miller_loop_check", g2_miller_loop_check},
    {"g2_miller_loop_check_small_order", g2_miller_loop_check_small_order},
    {"g2_bytes", g2_bytes},
    {"scalar_recodings", scalar_recodings},
    {"u256_decimal", u256_decimal},
};
TACIT_TEST_MAIN(tests)
