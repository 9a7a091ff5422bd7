/*
 * tacit — the prover side: NTT, MSM (G1/G2, batch-affine windows, threads), fixed-base
 * multiplication, devnet setup, .zkey and .wtns files, and proofs that the verifier accepts,
 * from tacit's own keys and from snarkjs-made ones (tests/vectors/groth16/valid/{multiplier,
 * merkle}: `snarkjs groth16 setup` + `zkey contribute`, witnesses from circom's wasm).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/fp_ifma.h"
#include "crypto/msm.h"
#include "harness.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"
#include "zk/ntt.h"
#include "zk/prover_internal.h"

/* ----------------------------------------------------------------- helpers ---- */

static void rand_fr(tacit_fr *r)
{
    uint8_t b[64];
    tacit_test_rand_bytes(b, sizeof b);
    tacit_fr_from_wide(r, b);
}

static void fr_u64(tacit_fr *r, uint64_t v) { tacit_fr_from_u64(r, v); }

static bool fr_vec_eq(const tacit_fr *a, const tacit_fr *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!tacit_fr_eq(&a[i], &b[i])) return false;
    return true;
}

/* p(x) = sum c_i x^i by Horner */
static void poly_eval(tacit_fr *r, const tacit_fr *c, size_t n, const tacit_fr *x)
{
    tacit_fr acc = TACIT_FR_ZERO;
    for (size_t i = n; i-- > 0;) {
        tacit_fr_mul(&acc, &acc, x);
        tacit_fr_add(&acc, &acc, &c[i]);
    }
    *r = acc;
}

static char *vec_path(char *buf, size_t n, const char *sub, const char *file)
{
    snprintf(buf, n, "%s/groth16/%s/%s", tacit_test_vectors_dir(), sub, file);
    return buf;
}

/* ------------------------------------------------------------------- NTT ---- */

TEST(ntt_roots)
{
    tacit_fr w, t;
    tacit__fr_root_of_unity(&w, 28);
    t = w;
    for (int i = 0; i < 27; i++) tacit_fr_sqr(&t, &t);
    CHECK(!tacit_fr_eq(&t, &TACIT_FR_ONE)); /* w^(2^27) = -1 */
    tacit_fr_add(&t, &t, &TACIT_FR_ONE);
    CHECK(tacit_fr_is_zero(&t));
    for (unsigned k = 0; k <= 12; k++) {
        tacit__ntt_domain *d;
        CHECK_EQ_INT(tacit__ntt_domain_new(&d, k), TACIT_OK);
        if (d == NULL) continue;
        t = d->omega;
        for (unsigned i = 0; i < k; i++) tacit_fr_sqr(&t, &t);
        CHECK(tacit_fr_eq(&t, &TACIT_FR_ONE));
        tacit_fr_sqr(&t, &d->g);
        CHECK(tacit_fr_eq(&t, &d->omega));
        tacit_fr_mul(&t, &d->omega, &d->omega_inv);
        CHECK(tacit_fr_eq(&t, &TACIT_FR_ONE));
        tacit__ntt_domain_free(d);
    }
    {
        tacit__ntt_domain *d = (tacit__ntt_domain *)1;
        CHECK_EQ_INT(tacit__ntt_domain_new(&d, 28), TACIT_ETOOBIG);
        CHECK(d == NULL);
    }
}

/* against the O(n^2) definition, sizes 1 .. 64; with the IFMA products (stages of 8 and
 * more butterflies, fp_ifma.h) and without */
static void ntt_naive_once(void);
TEST(ntt_naive)
{
    for (int ifma = 1; ifma >= 0; ifma--) {
        int was = tacit__set_ifma(ifma);
        ntt_naive_once();
        tacit__set_ifma(was);
    }
}

static void ntt_naive_once(void)
{
    for (unsigned k = 0; k <= 6; k++) {
        size_t n = (size_t)1 << k;
        tacit__ntt_domain *d;
        tacit_fr x[64], y[64], want[64], shift, pt;
        CHECK_EQ_INT(tacit__ntt_domain_new(&d, k), TACIT_OK);
        for (size_t i = 0; i < n; i++) rand_fr(&x[i]);
        rand_fr(&shift);

        /* NTT(x)_j = x(omega^j) */
        memcpy(y, x, n * sizeof *x);
        tacit__ntt(d, y);
        pt = TACIT_FR_ONE;
        for (size_t j = 0; j < n; j++) {
            poly_eval(&want[j], x, n, &pt);
            tacit_fr_mul(&pt, &pt, &d->omega);
        }
        CHECK(fr_vec_eq(y, want, n));
        /* INTT inverts it */
        tacit__intt(d, y);
        CHECK(fr_vec_eq(y, x, n));

        /* coset: x(shift omega^j) */
        memcpy(y, x, n * sizeof *x);
        tacit__coset_ntt(d, y, &shift);
        pt = shift;
        for (size_t j = 0; j < n; j++) {
            poly_eval(&want[j], x, n, &pt);
            tacit_fr_mul(&pt, &pt, &d->omega);
        }
        CHECK(fr_vec_eq(y, want, n));
        tacit__coset_intt(d, y, &shift);
        CHECK(fr_vec_eq(y, x, n));

        /* the prover's step: evaluations on the domain -> on the odd coset g omega^j */
        memcpy(y, x, n * sizeof *x);
        tacit__ntt(d, y);
        tacit__ntt_to_odd_coset(d, y);
        pt = d->g;
        for (size_t j = 0; j < n; j++) {
            poly_eval(&want[j], x, n, &pt);
            tacit_fr_mul(&pt, &pt, &d->omega);
        }
        CHECK(fr_vec_eq(y, want, n));

        /* dif + dit without permutation is the identity up to n */
        memcpy(y, x, n * sizeof *x);
        tacit__ntt_dif(d, y, false);
        tacit__ntt_dit(d, y, true);
        for (size_t j = 0; j < n; j++) tacit_fr_mul(&y[j], &y[j], &d->n_inv);
        CHECK(fr_vec_eq(y, x, n));
        tacit__ntt_domain_free(d);
    }
}

/* INTT(NTT(x)) = x at a larger size; the convolution theorem; with the IFMA products and
 * without */
static void ntt_laws_once(void);
TEST(ntt_laws)
{
    for (int ifma = 1; ifma >= 0; ifma--) {
        int was = tacit__set_ifma(ifma);
        ntt_laws_once();
        tacit__set_ifma(was);
    }
}

static void ntt_laws_once(void)
{
    const unsigned k = 10;
    const size_t n = (size_t)1 << k, h = n / 2;
    tacit__ntt_domain *d;
    tacit_fr *x = calloc(n, sizeof *x), *y = calloc(n, sizeof *y), *a = calloc(n, sizeof *a),
             *b = calloc(n, sizeof *b), *ab = calloc(n, sizeof *ab);
    CHECK_EQ_INT(tacit__ntt_domain_new(&d, k), TACIT_OK);
    for (size_t i = 0; i < n; i++) rand_fr(&x[i]);
    memcpy(y, x, n * sizeof *x);
    tacit__ntt(d, y);
    tacit__intt(d, y);
    CHECK(fr_vec_eq(x, y, n));
    memcpy(y, x, n * sizeof *x);
    tacit__intt(d, y);
    tacit__ntt(d, y);
    CHECK(fr_vec_eq(x, y, n));

    /* a, b of degree < n/2: INTT(NTT(a) NTT(b)) = a * b (schoolbook) */
    for (size_t i = 0; i < h; i++) {
        rand_fr(&a[i]);
        rand_fr(&b[i]);
    }
    for (size_t i = 0; i < h; i++)
        for (size_t j = 0; j < h; j++) {
            tacit_fr t;
            tacit_fr_mul(&t, &a[i], &b[j]);
            tacit_fr_add(&ab[i + j], &ab[i + j], &t);
        }
    tacit__ntt(d, a);
    tacit__ntt(d, b);
    for (size_t i = 0; i < n; i++) tacit_fr_mul(&a[i], &a[i], &b[i]);
    tacit__intt(d, a);
    CHECK(fr_vec_eq(a, ab, n));
    /* linearity: NTT(x + y) = NTT(x) + NTT(y) */
    for (size_t i = 0; i < n; i++) {
        rand_fr(&x[i]);
        rand_fr(&y[i]);
        tacit_fr_add(&ab[i], &x[i], &y[i]);
    }
    tacit__ntt(d, x);
    tacit__ntt(d, y);
    tacit__ntt(d, ab);
    for (size_t i = 0; i < n; i++) tacit_fr_add(&x[i], &x[i], &y[i]);
    CHECK(fr_vec_eq(x, ab, n));
    tacit__ntt_domain_free(d);
    free(x);
    free(y);
    free(a);
    free(b);
    free(ab);
}

/* ------------------------------------------------------------------- MSM ---- */

static void g1_rand_points(tacit_g1_affine *p, size_t n)
{
    tacit_g1 *j = malloc((n ? n : 1) * sizeof *j), g;
    tacit_g1_from_affine(&g, &TACIT_G1_GENERATOR);
    for (size_t i = 0; i < n; i++) {
        uint64_t k[4] = {tacit_test_rand64(), tacit_test_rand64(), 0, 0};
        tacit_g1_mul_var(&j[i], &g, k);
    }
    tacit_g1_batch_to_affine_var(p, j, n);
    free(j);
}

static void g2_rand_points(tacit_g2_affine *p, size_t n)
{
    tacit_g2 g, t;
    tacit_g2_from_affine(&g, &TACIT_G2_GENERATOR);
    for (size_t i = 0; i < n; i++) {
        uint64_t k[4] = {tacit_test_rand64(), tacit_test_rand64(), 0, 0};
        tacit_g2_mul_var(&t, &g, k);
        tacit_g2_to_affine(&p[i], &t);
    }
}

/* Scalars of several shapes: mode 0 uniform 256-bit, 1 reduced mod r, 2 small (< 2^16),
 * 3 mixed with zeros, ones, r - 1, 2^256 - 1 and bits. */
static void rand_scalars(uint64_t (*k)[4], size_t n, int mode)
{
    for (size_t i = 0; i < n; i++) {
        for (int l = 0; l < 4; l++) k[i][l] = tacit_test_rand64();
        if (mode == 1) {
            tacit_fr f;
            rand_fr(&f);
            tacit_fr_to_limbs(k[i], &f);
        } else if (mode == 2) {
            k[i][0] &= 0xffff;
            k[i][1] = k[i][2] = k[i][3] = 0;
        } else if (mode == 3) {
            switch (tacit_test_rand64() % 6) {
            case 0: memset(k[i], 0, sizeof k[i]); break;
            case 1:
                memset(k[i], 0, sizeof k[i]);
                k[i][0] = 1;
                break;
            case 2: {
                tacit_fr f = TACIT_FR_ONE;
                tacit_fr_neg(&f, &f);
                tacit_fr_to_limbs(k[i], &f);
                break;
            }
            case 3: memset(k[i], 0xff, sizeof k[i]); break;
            case 4:
                memset(k[i], 0, sizeof k[i]);
                k[i][0] = tacit_test_rand64() & 1;
                break;
            default: break;
            }
        }
    }
}

static void g1_naive(tacit_g1 *r, const tacit_g1_affine *p, const uint64_t (*k)[4], size_t n)
{
    tacit_g1 acc, t;
    tacit_g1_set_infinity(&acc);
    for (size_t i = 0; i < n; i++) {
        tacit_g1_from_affine(&t, &p[i]);
        tacit_g1_mul_var(&t, &t, k[i]);
        tacit_g1_add(&acc, &acc, &t);
    }
    *r = acc;
}

static void g2_naive(tacit_g2 *r, const tacit_g2_affine *p, const uint64_t (*k)[4], size_t n)
{
    tacit_g2 acc, t;
    tacit_g2_set_infinity(&acc);
    for (size_t i = 0; i < n; i++) {
        tacit_g2_from_affine(&t, &p[i]);
        tacit_g2_mul_var(&t, &t, k[i]);
        tacit_g2_add(&acc, &acc, &t);
    }
    *r = acc;
}

static void msm_g1_body(void)
{
    static const size_t sizes[] = {0, 1, 2, 3, 63, 64, 65, 200, 1000};
    const size_t nmax = 1000;
    tacit_g1_affine *p = malloc(nmax * sizeof *p);
    uint64_t(*k)[4] = malloc(nmax * sizeof *k);
    g1_rand_points(p, nmax);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int mode = 0; mode < 4; mode++) {
            size_t n = sizes[s];
            tacit_g1 want, got;
            rand_scalars(k, n, mode);
            if (n <= 200)
                g1_naive(&want, p, (const uint64_t(*)[4])k, n);
            else
                tacit_g1_msm_var(&want, p, (const uint64_t(*)[4])k, n);
            for (unsigned th = 1; th <= 3; th++) {
                tacit__g1_msm_par_var(&got, p, (const uint64_t(*)[4])k, n, th);
                CHECK(tacit_g1_eq(&got, &want));
            }
        }
    }
    free(p);
    free(k);
}

/* Repeated points, P and -P, infinity: the doubling and cancelling branches of the affine
 * bucket additions. */
static void msm_g1_special_body(void)
{
    const size_t n = 512;
    tacit_g1_affine *p = malloc(n * sizeof *p), q[3];
    uint64_t(*k)[4] = malloc(n * sizeof *k);
    tacit_g1 want, got;
    g1_rand_points(q, 3);
    for (int mode = 0; mode < 4; mode++) {
        for (size_t i = 0; i < n; i++) {
            p[i] = q[tacit_test_rand64() % 3];
            switch (tacit_test_rand64() % 4) {
            case 0: tacit_fp_neg(&p[i].y, &p[i].y); break;
            case 1: memset(&p[i], 0, sizeof p[i]); break;
            default: break;
            }
        }
        rand_scalars(k, n, mode);
        if (mode == 2) /* few distinct scalars: many equal points in one bucket */
            for (size_t i = 0; i < n; i++) k[i][0] &= 7;
        g1_naive(&want, p, (const uint64_t(*)[4])k, n);
        tacit__g1_msm_par_var(&got, p, (const uint64_t(*)[4])k, n, 2);
        CHECK(tacit_g1_eq(&got, &want));
        /* one window directly, every c */
        for (unsigned c = 2; c <= 16; c += 7) {
            unsigned nwin = tacit__msm_nwindows(256, c);
            tacit_g1 *w = malloc(nwin * sizeof *w);
            void *scratch = malloc(tacit__g1_msm_scratch_bytes(n, c));
            for (unsigned j = 0; j < nwin; j++)
                tacit__g1_msm_window_var(&w[j], p, (const uint64_t(*)[4])k, n, c, j, scratch);
            tacit__g1_msm_combine(&got, w, nwin, c);
            CHECK(tacit_g1_eq(&got, &want));
            free(w);
            free(scratch);
        }
    }
    free(p);
    free(k);
}

/* The windows of n points in chunks of `chunk` (chunk 0: the default), combined. */
static void g1_chunked(tacit_g1 *r, const tacit_g1_affine *p, const uint64_t (*k)[4], size_t n,
                       unsigned c, size_t chunk)
{
    unsigned nwin = tacit__msm_nwindows(256, c);
    tacit_g1 *w = malloc(nwin * sizeof *w);
    void *scratch = malloc(chunk ? tacit__g1_msm_chunk_scratch_bytes(n, c, chunk)
                                 : tacit__g1_msm_scratch_bytes(n, c));
    for (unsigned j = 0; j < nwin; j++) {
        if (chunk)
            tacit__g1_msm_window_chunk_var(&w[j], p, k, n, c, j, chunk, scratch);
        else
            tacit__g1_msm_window_var(&w[j], p, k, n, c, j, scratch);
    }
    tacit__g1_msm_combine(r, w, nwin, c);
    free(w);
    free(scratch);
}

static void g2_chunked(tacit_g2 *r, const tacit_g2_affine *p, const uint64_t (*k)[4], size_t n,
                       unsigned c, size_t chunk)
{
    unsigned nwin = tacit__msm_nwindows(256, c);
    tacit_g2 *w = malloc(nwin * sizeof *w);
    void *scratch = malloc(chunk ? tacit__g2_msm_chunk_scratch_bytes(n, c, chunk)
                                 : tacit__g2_msm_scratch_bytes(n, c));
    for (unsigned j = 0; j < nwin; j++) {
        if (chunk)
            tacit__g2_msm_window_chunk_var(&w[j], p, k, n, c, j, chunk, scratch);
        else
            tacit__g2_msm_window_var(&w[j], p, k, n, c, j, scratch);
    }
    tacit__g2_msm_combine(r, w, nwin, c);
    free(w);
    free(scratch);
}

/* Points made special in place: repeats of p[0..2], negations and infinity. */
static void g1_specialise(tacit_g1_affine *p, size_t n)
{
    for (size_t i = 3; i < n; i++) {
        switch (tacit_test_rand64() % 8) {
        case 0: p[i] = p[tacit_test_rand64() % 3]; break;
        case 1: tacit_fp_neg(&p[i].y, &p[i].y); break;
        case 2: memset(&p[i], 0, sizeof p[i]); break;
        default: break;
        }
    }
}

/* Segmented windows (the points in chunks, the buckets kept across chunks) against the
 * naive sum: sizes around the chunk size, chunks smaller and larger than the number of
 * buckets, zero scalars, repeated points, P and -P, infinity. */
static void msm_g1_chunks_body(void)
{
    static const size_t sizes[] = {1, 7, 8, 9, 63, 64, 65, 130};
    static const size_t chunks[] = {1, 2, 8, 64};
    static const unsigned cs[] = {2, 4, 7};
    const size_t nmax = 130;
    tacit_g1_affine *p = malloc(nmax * sizeof *p);
    uint64_t(*k)[4] = malloc(nmax * sizeof *k);
    for (int special = 0; special < 2; special++) {
        g1_rand_points(p, nmax);
        if (special) g1_specialise(p, nmax);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            tacit_g1 want, got;
            rand_scalars(k, n, special ? 3 : 1);
            g1_naive(&want, p, (const uint64_t(*)[4])k, n);
            for (size_t h = 0; h < sizeof chunks / sizeof chunks[0]; h++)
                for (size_t ci = 0; ci < sizeof cs / sizeof cs[0]; ci++) {
                    g1_chunked(&got, p, (const uint64_t(*)[4])k, n, cs[ci], chunks[h]);
                    CHECK(tacit_g1_eq(&got, &want));
                }
        }
    }
    free(p);
    free(k);
}

/* The default chunk: sizes around 4,096 and two chunks, against the Jacobian Pippenger of
 * g1.c (512 random points repeated, some negated or at infinity). */
static void msm_g1_chunks_default_body(void)
{
    static const size_t sizes[] = {4095, 4096, 4097, 8193};
    const size_t nmax = 8193, nr = 512;
    tacit_g1_affine *p = malloc(nmax * sizeof *p);
    uint64_t(*k)[4] = malloc(nmax * sizeof *k);
    g1_rand_points(p, nr);
    for (size_t i = nr; i < nmax; i++) p[i] = p[i % nr];
    g1_specialise(p, nmax);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        tacit_g1 want, got;
        rand_scalars(k, n, s % 2 ? 3 : 1);
        tacit_g1_msm_var(&want, p, (const uint64_t(*)[4])k, n);
        g1_chunked(&got, p, (const uint64_t(*)[4])k, n, 12, 0);
        CHECK(tacit_g1_eq(&got, &want));
        g1_chunked(&got, p, (const uint64_t(*)[4])k, n, 13, 0);
        CHECK(tacit_g1_eq(&got, &want));
        tacit__g1_msm_par_var(&got, p, (const uint64_t(*)[4])k, n, 2);
        CHECK(tacit_g1_eq(&got, &want));
    }
    free(p);
    free(k);
}

/* The MSM tests run twice: with the batch-affine rounds on the IFMA lanes (msm.c's
 * m1_round_lanes and m2_round_lanes, when the CPU has AVX-512 IFMA) and with the scalar
 * rounds. */
static void both_paths(void (*body)(void))
{
    bool cpu = tacit__ifma_cpu();
    int was = tacit__set_ifma(1);
    if (!cpu) printf("note: CPU without AVX-512 IFMA: the IFMA rounds are not tested\n");
    body();
    tacit__set_ifma(0);
    body();
    tacit__set_ifma(was);
}

TEST(msm_g1) { both_paths(msm_g1_body); }
TEST(msm_g1_special) { both_paths(msm_g1_special_body); }
TEST(msm_g1_chunks) { both_paths(msm_g1_chunks_body); }
TEST(msm_g1_chunks_default) { both_paths(msm_g1_chunks_default_body); }

static void msm_g2_chunks_body(void)
{
    static const size_t sizes[] = {1, 8, 9, 64, 65, 2047, 2048, 2049};
    static const size_t chunks[] = {1, 8, 64, 0};
    const size_t nmax = 2049, nr = 64;
    tacit_g2_affine *p = malloc(nmax * sizeof *p);
    uint64_t(*k)[4] = malloc(nmax * sizeof *k);
    g2_rand_points(p, nr);
    for (size_t i = nr; i < nmax; i++) {
        p[i] = p[i % nr];
        switch (tacit_test_rand64() % 8) {
        case 0: tacit_fp2_neg(&p[i].y, &p[i].y); break;
        case 1: memset(&p[i], 0, sizeof p[i]); break;
        default: break;
        }
    }
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        tacit_g2 want, got;
        rand_scalars(k, n, s % 2 ? 3 : 1);
        if (n <= 65)
            g2_naive(&want, p, (const uint64_t(*)[4])k, n);
        else
            tacit_g2_msm_var(&want, p, (const uint64_t(*)[4])k, n);
        for (size_t h = 0; h < sizeof chunks / sizeof chunks[0]; h++) {
            if (n > 65 && chunks[h] != 0 && chunks[h] < 64) continue; /* slow, covered small */
            g2_chunked(&got, p, (const uint64_t(*)[4])k, n, n > 65 ? 11 : 3, chunks[h]);
            CHECK(tacit_g2_eq(&got, &want));
        }
    }
    free(p);
    free(k);
}

static void msm_g2_body(void)
{
    static const size_t sizes[] = {0, 1, 2, 5, 64, 150};
    const size_t nmax = 150;
    tacit_g2_affine *p = malloc(nmax * sizeof *p);
    uint64_t(*k)[4] = malloc(nmax * sizeof *k);
    g2_rand_points(p, nmax);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int mode = 0; mode < 4; mode++) {
            size_t n = sizes[s];
            tacit_g2 want, got;
            if (mode == 3 && n > 3) { /* repeated points, negations, infinity */
                for (size_t i = 3; i < n; i++) {
                    p[i] = p[tacit_test_rand64() % 3];
                    if (tacit_test_rand64() & 1) tacit_fp2_neg(&p[i].y, &p[i].y);
                }
                memset(&p[n - 1], 0, sizeof p[n - 1]);
            }
            rand_scalars(k, n, mode);
            g2_naive(&want, p, (const uint64_t(*)[4])k, n);
            tacit_g2_msm_var(&got, p, (const uint64_t(*)[4])k, n);
            CHECK(tacit_g2_eq(&got, &want));
            for (unsigned th = 1; th <= 2; th++) {
                tacit__g2_msm_par_var(&got, p, (const uint64_t(*)[4])k, n, th);
                CHECK(tacit_g2_eq(&got, &want));
            }
        }
    }
    free(p);
    free(k);
}

TEST(msm_g2) { both_paths(msm_g2_body); }
TEST(msm_g2_chunks) { both_paths(msm_g2_chunks_body); }

TEST(fixed_base)
{
    const size_t n = 300;
    tacit__g1_fixed_table *t1 = malloc(sizeof *t1);
    tacit__g2_fixed_table *t2 = malloc(sizeof *t2);
    uint64_t(*k)[4] = malloc(n * sizeof *k);
    tacit_g1_affine *o1 = malloc(n * sizeof *o1), base1;
    tacit_g2_affine *o2 = malloc(n * sizeof *o2), base2;
    g1_rand_points(&base1, 1);
    g2_rand_points(&base2, 1);
    tacit__g1_fixed_init(t1, &base1);
    tacit__g2_fixed_init(t2, &base2);
    rand_scalars(k, n, 3);
    memset(k[0], 0, sizeof k[0]);
    tacit_fr_to_limbs(k[1], &TACIT_FR_ONE);
    {
        static const uint64_t rr[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                       0xb85045b68181585dULL, 0x30644e72e131a029ULL};
        memcpy(k[2], rr, sizeof rr); /* r: infinity */
    }
    tacit__g1_fixed_mul(o1, t1, (const uint64_t(*)[4])k, n);
    tacit__g2_fixed_mul(o2, t2, (const uint64_t(*)[4])k, 40);
    for (size_t i = 0; i < n; i++) {
        tacit_g1 want, got;
        tacit_g1_from_affine(&want, &base1);
        tacit_g1_mul_var(&want, &want, k[i]);
        tacit_g1_from_affine(&got, &o1[i]);
        CHECK(tacit_g1_eq(&got, &want));
        if (i < 40) {
            tacit_g2 w2, g2;
            tacit_g2_from_affine(&w2, &base2);
            tacit_g2_mul_var(&w2, &w2, k[i]);
            tacit_g2_from_affine(&g2, &o2[i]);
            CHECK(tacit_g2_eq(&g2, &w2));
        }
    }
    CHECK(tacit_g1_affine_is_infinity(&o1[0]));
    CHECK(tacit_g1_affine_is_infinity(&o1[2]));
    CHECK(tacit_g2_affine_is_infinity(&o2[0]));
    free(t1);
    free(t2);
    free(k);
    free(o1);
    free(o2);
}

/* ------------------------------------------------------ a hand-built R1CS ---- */

/*
 * Variables: 0 one, 1 z (public), 2 s (public), 3 x, 4 y, 5 t, 6 u.
 *   x * y = z
 *   x * x = t
 *   (x + 3) * (y - 1) = u
 *   (t + u) * 1 = s          (a linear constraint with a constant side)
 *   (2 x) * (3 y) = 6 z      (scaled sides)
 */
#define TINY_NVARS 7
#define TINY_NPUB 2

struct tiny {
    tacit_r1cs cs;
    tacit_constraint c[5];
    tacit_lc_term terms[32];
    size_t nt;
};

static tacit_lc tiny_lc(struct tiny *t, int n, const uint32_t *vars, const uint64_t *coef)
{
    tacit_lc lc = {&t->terms[t->nt], (uint32_t)n};
    for (int i = 0; i < n; i++) {
        t->terms[t->nt].var = vars[i];
        fr_u64(&t->terms[t->nt].coeff, coef[i]);
        t->nt++;
    }
    return lc;
}

static void tiny_build(struct tiny *t)
{
    tacit_fr minus_one;
    memset(t, 0, sizeof *t);
    t->c[0].a = tiny_lc(t, 1, (uint32_t[]){3}, (uint64_t[]){1});
    t->c[0].b = tiny_lc(t, 1, (uint32_t[]){4}, (uint64_t[]){1});
    t->c[0].c = tiny_lc(t, 1, (uint32_t[]){1}, (uint64_t[]){1});
    t->c[1].a = tiny_lc(t, 1, (uint32_t[]){3}, (uint64_t[]){1});
    t->c[1].b = tiny_lc(t, 1, (uint32_t[]){3}, (uint64_t[]){1});
    t->c[1].c = tiny_lc(t, 1, (uint32_t[]){5}, (uint64_t[]){1});
    t->c[2].a = tiny_lc(t, 2, (uint32_t[]){3, 0}, (uint64_t[]){1, 3});
    t->c[2].b = tiny_lc(t, 2, (uint32_t[]){4, 0}, (uint64_t[]){1, 1});
    tacit_fr_neg(&minus_one, &TACIT_FR_ONE);
    t->terms[t->nt - 1].coeff = minus_one; /* y - 1 */
    t->c[2].c = tiny_lc(t, 1, (uint32_t[]){6}, (uint64_t[]){1});
    t->c[3].a = tiny_lc(t, 2, (uint32_t[]){5, 6}, (uint64_t[]){1, 1});
    t->c[3].b = tiny_lc(t, 1, (uint32_t[]){0}, (uint64_t[]){1});
    t->c[3].c = tiny_lc(t, 1, (uint32_t[]){2}, (uint64_t[]){1});
    t->c[4].a = tiny_lc(t, 1, (uint32_t[]){3}, (uint64_t[]){2});
    t->c[4].b = tiny_lc(t, 1, (uint32_t[]){4}, (uint64_t[]){3});
    t->c[4].c = tiny_lc(t, 1, (uint32_t[]){1}, (uint64_t[]){6});
    t->cs.nvars = TINY_NVARS;
    t->cs.npublic = TINY_NPUB;
    t->cs.nconstraints = 5;
    t->cs.constraints = t->c;
}

static void tiny_witness(tacit_fr w[TINY_NVARS], const tacit_fr *x, const tacit_fr *y)
{
    tacit_fr t;
    w[0] = TACIT_FR_ONE;
    w[3] = *x;
    w[4] = *y;
    tacit_fr_mul(&w[1], x, y);
    tacit_fr_mul(&w[5], x, x);
    fr_u64(&t, 3);
    tacit_fr_add(&w[6], x, &t);
    tacit_fr_sub(&t, y, &TACIT_FR_ONE);
    tacit_fr_mul(&w[6], &w[6], &t);
    tacit_fr_add(&w[2], &w[5], &w[6]);
}

/* <lc, w> */
static void lc_eval(tacit_fr *r, const tacit_lc *lc, const tacit_fr *w)
{
    tacit_fr acc = TACIT_FR_ZERO, t;
    for (uint32_t i = 0; i < lc->n; i++) {
        tacit_fr_mul(&t, &lc->terms[i].coeff, &w[lc->terms[i].var]);
        tacit_fr_add(&acc, &acc, &t);
    }
    *r = acc;
}

static bool satisfied(const tacit_r1cs *cs, const tacit_fr *w)
{
    for (uint32_t i = 0; i < cs->nconstraints; i++) {
        tacit_fr a, b, c;
        lc_eval(&a, &cs->constraints[i].a, w);
        lc_eval(&b, &cs->constraints[i].b, w);
        lc_eval(&c, &cs->constraints[i].c, w);
        tacit_fr_mul(&a, &a, &b);
        if (!tacit_fr_eq(&a, &c)) return false;
    }
    return true;
}

static int prove_verify(const tacit_groth16_pk *pk, const tacit_groth16_pvk *pvk, const tacit_fr *w,
                        unsigned nthreads)
{
    tacit_groth16_proof proof;
    int rc = tacit_groth16_prove(&proof, pk, w, pk->nvars, nthreads, NULL);
    if (rc != TACIT_OK) return -rc;
    return tacit_groth16_verify_var(pvk, &proof, w + 1, pk->npublic);
}

static bool pk_equal(const tacit_groth16_pk *a, const tacit_groth16_pk *b)
{
    size_t npriv = a->nvars - a->npublic - 1;
    if (a->nvars != b->nvars || a->npublic != b->npublic || a->domain_size != b->domain_size ||
        a->ncoefs != b->ncoefs)
        return false;
    for (size_t i = 0; i < a->ncoefs; i++)
        if (a->coefs[i].matrix != b->coefs[i].matrix || a->coefs[i].row != b->coefs[i].row ||
            a->coefs[i].var != b->coefs[i].var ||
            !tacit_fr_eq(&a->coefs[i].coeff, &b->coefs[i].coeff))
            return false;
    return memcmp(&a->alpha1, &b->alpha1, sizeof a->alpha1) == 0 &&
           memcmp(&a->beta1, &b->beta1, sizeof a->beta1) == 0 &&
           memcmp(&a->delta1, &b->delta1, sizeof a->delta1) == 0 &&
           memcmp(&a->beta2, &b->beta2, sizeof a->beta2) == 0 &&
           memcmp(&a->gamma2, &b->gamma2, sizeof a->gamma2) == 0 &&
           memcmp(&a->delta2, &b->delta2, sizeof a->delta2) == 0 &&
           memcmp(a->ic, b->ic, (a->npublic + 1) * sizeof *a->ic) == 0 &&
           memcmp(a->a, b->a, a->nvars * sizeof *a->a) == 0 &&
           memcmp(a->b1, b->b1, a->nvars * sizeof *a->b1) == 0 &&
           memcmp(a->b2, b->b2, a->nvars * sizeof *a->b2) == 0 &&
           memcmp(a->c, b->c, npriv * sizeof *a->c) == 0 &&
           memcmp(a->h, b->h, a->domain_size * sizeof *a->h) == 0;
}

TEST(setup_prove_tiny)
{
    struct tiny t;
    tacit_groth16_pk *pk = NULL, *pk2 = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_fr w[TINY_NVARS], x, y;
    uint8_t *img = NULL;
    size_t len = 0;

    tiny_build(&t);
    rand_fr(&x);
    rand_fr(&y);
    tiny_witness(w, &x, &y);
    CHECK(satisfied(&t.cs, w));

    CHECK_EQ_INT(tacit_groth16_setup(&pk, &t.cs, 2), TACIT_OK);
    if (pk == NULL) return;
    CHECK_EQ_INT(pk->domain_size, 8); /* 5 constraints + 3 public rows */
    CHECK_EQ_INT(pk->ncoefs, 13 + 3); /* A and B terms, then the public rows */
    CHECK_EQ_INT(tacit_groth16_pk_vk(&vk, pk), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk, NULL), TACIT_OK);
    for (unsigned th = 1; th <= 3; th++) CHECK_EQ_INT(prove_verify(pk, pvk, w, th), TACIT_OK);

    /* another witness of the same circuit */
    fr_u64(&x, 7);
    fr_u64(&y, 1); /* u = 0 */
    tiny_witness(w, &x, &y);
    CHECK(satisfied(&t.cs, w));
    CHECK_EQ_INT(prove_verify(pk, pvk, w, 2), TACIT_OK);
    fr_u64(&x, 0);
    tiny_witness(w, &x, &y); /* z = 0 */
    CHECK_EQ_INT(prove_verify(pk, pvk, w, 2), TACIT_OK);

    /* a witness that breaks one constraint gives a proof that fails */
    for (int v = 1; v < TINY_NVARS; v++) {
        tacit_fr keep = w[v];
        tacit_fr_add(&w[v], &w[v], &TACIT_FR_ONE);
        CHECK(!satisfied(&t.cs, w));
        CHECK_EQ_INT(prove_verify(pk, pvk, w, 2), TACIT_EVERIFY);
        w[v] = keep;
    }
    /* the right proof with other public inputs fails */
    {
        tacit_groth16_proof proof;
        tacit_fr pub[TINY_NPUB];
        CHECK_EQ_INT(tacit_groth16_prove(&proof, pk, w, TINY_NVARS, 1, NULL), TACIT_OK);
        pub[0] = w[1];
        pub[1] = w[2];
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, pub, TINY_NPUB), TACIT_OK);
        tacit_fr_add(&pub[1], &pub[1], &TACIT_FR_ONE);
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, pub, TINY_NPUB), TACIT_EVERIFY);
        /* wrong witness length */
        CHECK_EQ_INT(tacit_groth16_prove(&proof, pk, w, TINY_NVARS - 1, 1, NULL), TACIT_EWITNESS);
        CHECK(tacit_g1_affine_is_infinity(&proof.a));
    }

    /* .zkey round trip: same key, and proofs from the reloaded key verify */
    CHECK_EQ_INT(tacit_groth16_pk_write(&img, &len, pk), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_pk_read(&pk2, img, len), TACIT_OK);
    if (pk2 != NULL) {
        CHECK(pk_equal(pk, pk2));
        CHECK_EQ_INT(prove_verify(pk2, pvk, w, 2), TACIT_OK);
    }
    free(img);
    tacit_groth16_pk_free(pk2);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk);
}

/* Two setups of the same circuit give independent keys; a key with no private variable
 * and one with no public input work. */
TEST(setup_shapes)
{
    struct tiny t;
    tacit_groth16_pk *pk1 = NULL, *pk2 = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_fr w[TINY_NVARS], x, y;

    tiny_build(&t);
    CHECK_EQ_INT(tacit_groth16_setup(&pk1, &t.cs, 1), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_setup(&pk2, &t.cs, 0), TACIT_OK);
    if (pk1 != NULL && pk2 != NULL)
        CHECK(memcmp(&pk1->alpha1, &pk2->alpha1, sizeof pk1->alpha1) != 0);
    /* a proof under one key does not verify under the other */
    rand_fr(&x);
    rand_fr(&y);
    tiny_witness(w, &x, &y);
    if (pk1 != NULL && pk2 != NULL && tacit_groth16_pk_vk(&vk, pk2) == TACIT_OK &&
        tacit_groth16_pvk_new(&pvk, vk, NULL) == TACIT_OK) {
        CHECK_EQ_INT(prove_verify(pk2, pvk, w, 2), TACIT_OK);
        CHECK_EQ_INT(prove_verify(pk1, pvk, w, 2), TACIT_EVERIFY);
    }
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk1);
    tacit_groth16_pk_free(pk2);

    /* everything public: z = x y with x, y, z public (npublic = nvars - 1) */
    t.cs.npublic = TINY_NVARS - 1;
    pk1 = NULL;
    pvk = NULL;
    vk = NULL;
    CHECK_EQ_INT(tacit_groth16_setup(&pk1, &t.cs, 2), TACIT_OK);
    if (pk1 != NULL && tacit_groth16_pk_vk(&vk, pk1) == TACIT_OK &&
        tacit_groth16_pvk_new(&pvk, vk, NULL) == TACIT_OK)
        CHECK_EQ_INT(prove_verify(pk1, pvk, w, 2), TACIT_OK);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk1);

    /* malformed systems */
    t.cs.npublic = TINY_NVARS;
    pk1 = (tacit_groth16_pk *)1;
    CHECK_EQ_INT(tacit_groth16_setup(&pk1, &t.cs, 1), TACIT_EINVAL);
    CHECK(pk1 == NULL);
    t.cs.npublic = TINY_NPUB;
    t.terms[0].var = TINY_NVARS;
    CHECK_EQ_INT(tacit_groth16_setup(&pk1, &t.cs, 1), TACIT_EINVAL);
}

static size_t wiped_len;
static bool wiped_zero;

static void wipe_hook(const void *arena, size_t len)
{
    const uint8_t *p = arena;
    wiped_len = len;
    wiped_zero = true;
    for (size_t i = 0; i < len; i++)
        if (p[i] != 0) wiped_zero = false;
}

TEST(setup_wipes_toxic_waste)
{
    struct tiny t;
    tacit_groth16_pk *pk = NULL;
    tiny_build(&t);
    wiped_len = 0;
    wiped_zero = false;
    tacit__groth16_setup_wipe_hook = wipe_hook;
    CHECK_EQ_INT(tacit_groth16_setup(&pk, &t.cs, 1), TACIT_OK);
    tacit__groth16_setup_wipe_hook = NULL;
    /* the arena holds the secrets and 3 nvars + 2 n derived values */
    CHECK(wiped_len >= (3 * TINY_NVARS + 2 * 8) * sizeof(tacit_fr) + 5 * sizeof(tacit_fr));
    CHECK(wiped_zero);
    tacit_groth16_pk_free(pk);
}

/* ------------------------------------------------- snarkjs-made keys ---- */

static tacit_groth16_vk *load_vk_json(const char *sub)
{
    char path[1024], *buf;
    size_t len;
    tacit_groth16_vk *vk = NULL;
    if (tacit_groth16_read_file(
            &buf, &len, vec_path(path, sizeof path, sub, "verification_key.json")) != TACIT_OK)
        return NULL;
    if (tacit_groth16_vk_from_json(&vk, buf, len, NULL) != TACIT_OK) vk = NULL;
    free(buf);
    return vk;
}

static void vector_prove(const char *sub, const char *zkey, const char *wtns)
{
    char path[1024], *buf;
    size_t len, nw = 0, npub = 0;
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_vk *vk_json = load_vk_json(sub), *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_fr *w = NULL, *pub = NULL;
    tacit_groth16_proof proof;
    tacit_groth16_prove_stats st;

    CHECK(vk_json != NULL);
    CHECK_EQ_INT(tacit_groth16_pk_read_file(&pk, vec_path(path, sizeof path, sub, zkey)), TACIT_OK);
    CHECK_EQ_INT(tacit_wtns_read_file(&w, &nw, vec_path(path, sizeof path, sub, wtns)), TACIT_OK);
    if (pk == NULL || w == NULL || vk_json == NULL) goto out;

    /* the key's verifying key is the JSON one */
    CHECK_EQ_INT(tacit_groth16_pk_vk(&vk, pk), TACIT_OK);
    if (vk == NULL) goto out;
    CHECK_EQ_INT(vk->npublic, vk_json->npublic);
    CHECK(memcmp(&vk->alpha, &vk_json->alpha, sizeof vk->alpha) == 0);
    CHECK(memcmp(&vk->beta, &vk_json->beta, sizeof vk->beta) == 0);
    CHECK(memcmp(&vk->gamma, &vk_json->gamma, sizeof vk->gamma) == 0);
    CHECK(memcmp(&vk->delta, &vk_json->delta, sizeof vk->delta) == 0);
    CHECK(memcmp(vk->ic, vk_json->ic, (vk->npublic + 1) * sizeof *vk->ic) == 0);

    /* the witness's public part is public.json */
    CHECK_EQ_INT(nw, pk->nvars);
    CHECK(tacit_fr_eq(&w[0], &TACIT_FR_ONE));
    if (tacit_groth16_read_file(&buf, &len, vec_path(path, sizeof path, sub, "public.json")) ==
        TACIT_OK) {
        CHECK_EQ_INT(tacit_groth16_public_from_json(&pub, &npub, buf, len, NULL), TACIT_OK);
        free(buf);
        CHECK_EQ_INT(npub, pk->npublic);
        if (pub != NULL && npub == pk->npublic) CHECK(fr_vec_eq(pub, w + 1, npub));
    }

    CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk_json, NULL), TACIT_OK);
    if (pvk == NULL) goto out;
    for (unsigned th = 1; th <= 2; th++) {
        CHECK_EQ_INT(tacit_groth16_prove(&proof, pk, w, nw, th, &st), TACIT_OK);
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, w + 1, pk->npublic), TACIT_OK);
        CHECK(st.total_ns > 0);
    }
    /* a wrong private value: the proof fails */
    if (nw > pk->npublic + 1) {
        size_t v = nw - 1;
        tacit_fr_add(&w[v], &w[v], &TACIT_FR_ONE);
        CHECK_EQ_INT(tacit_groth16_prove(&proof, pk, w, nw, 2, NULL), TACIT_OK);
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, w + 1, pk->npublic), TACIT_EVERIFY);
        tacit_fr_sub(&w[v], &w[v], &TACIT_FR_ONE);
    }
    /* a wrong public value (the statement changes with it): fails */
    tacit_fr_add(&w[1], &w[1], &TACIT_FR_ONE);
    CHECK_EQ_INT(tacit_groth16_prove(&proof, pk, w, nw, 2, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, w + 1, pk->npublic), TACIT_EVERIFY);
out:
    tacit_groth16_public_free(pub);
    tacit_wtns_free(w, nw);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_vk_free(vk_json);
    tacit_groth16_pk_free(pk);
}

TEST(snarkjs_multiplier)
{
    vector_prove("valid/multiplier", "multiplier_final.zkey", "multiplier.wtns");
}

TEST(snarkjs_merkle) { vector_prove("valid/merkle", "merkle_final.zkey", "merkle.wtns"); }

/* Size of section `type` of a binfileutils image (0 when absent). */
static uint64_t section_size(const uint8_t *b, size_t len, uint32_t type)
{
    size_t off = 12;
    while (off + 12 <= len) {
        uint32_t t = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 | (uint32_t)b[off + 2] << 16 |
                     (uint32_t)b[off + 3] << 24;
        uint64_t size = 0;
        for (int i = 7; i >= 0; i--) size = size << 8 | b[off + 4 + i];
        if (t == type) return size;
        off += 12 + size;
    }
    return 0;
}

/* A snarkjs .zkey re-encoded by tacit reads back as the same key; .wtns byte for byte. */
TEST(zkey_wtns_roundtrip)
{
    static const char *subs[] = {"valid/multiplier", "valid/merkle"};
    static const char *names[][2] = {{"multiplier_final.zkey", "multiplier.wtns"},
                                     {"merkle_final.zkey", "merkle.wtns"}};
    for (int i = 0; i < 2; i++) {
        char path[1024];
        tacit_groth16_pk *pk = NULL, *pk2 = NULL;
        uint8_t *img = NULL, *orig;
        size_t len = 0, olen, nw;
        tacit_fr *w = NULL;
        CHECK_EQ_INT(
            tacit_groth16_pk_read_file(&pk, vec_path(path, sizeof path, subs[i], names[i][0])),
            TACIT_OK);
        if (pk == NULL) continue;
        CHECK_EQ_INT(tacit_groth16_pk_write(&img, &len, pk), TACIT_OK);
        CHECK_EQ_INT(tacit_groth16_pk_read(&pk2, img, len), TACIT_OK);
        if (pk2 != NULL) CHECK(pk_equal(pk, pk2));
        /* the size of snarkjs's file but for section 10 (its contributions; tacit writes
         * none): the same sections, only their order differs */
        orig = (uint8_t *)tacit_test_read_file(path, &olen);
        CHECK(orig != NULL && section_size(orig, olen, 10) > 68);
        if (orig != NULL) CHECK_EQ_INT(len, olen - section_size(orig, olen, 10) + 68);
        free(orig);
        free(img);
        tacit_groth16_pk_free(pk);
        tacit_groth16_pk_free(pk2);

        orig = (uint8_t *)tacit_test_read_file(vec_path(path, sizeof path, subs[i], names[i][1]),
                                               &olen);
        CHECK_EQ_INT(tacit_wtns_read(&w, &nw, orig, olen), TACIT_OK);
        img = NULL;
        CHECK_EQ_INT(tacit_wtns_write(&img, &len, w, nw), TACIT_OK);
        CHECK_EQ_INT(len, olen);
        if (img != NULL && len == olen) CHECK_MEM(img, orig, len);
        free(img);
        free(orig);
        tacit_wtns_free(w, nw);
    }
}

/* Every kind of damage to a .zkey is refused with its reason. */
TEST(zkey_rejects)
{
    char path[1024];
    size_t len;
    uint8_t *orig = (uint8_t *)tacit_test_read_file(
        vec_path(path, sizeof path, "valid/multiplier", "multiplier_final.zkey"), &len);
    uint8_t *b = malloc(len);
    tacit_groth16_pk *pk;
    size_t s2 = 12 + 12 + 4 + 12; /* body of section 2 (after section 1, of size 4) */
    CHECK(orig != NULL);
    if (orig == NULL) return;
    CHECK(memcmp(orig + 12, "\x01\0\0\0\x04\0\0\0\0\0\0\0", 12) == 0);
    CHECK(memcmp(orig + s2 - 12, "\x02\0\0\0", 4) == 0);

#define TRY(want)                                                 \
    do {                                                          \
        pk = (tacit_groth16_pk *)1;                               \
        CHECK_EQ_INT(tacit_groth16_pk_read(&pk, b, len), (want)); \
        CHECK(pk == NULL);                                        \
        tacit_groth16_pk_free(pk);                                \
        memcpy(b, orig, len);                                     \
    } while (0)

    memcpy(b, orig, len);
    pk = NULL;
    CHECK_EQ_INT(tacit_groth16_pk_read(&pk, b, len), TACIT_OK);
    tacit_groth16_pk_free(pk);
    for (size_t cut = 0; cut < len; cut += 97) { /* truncations */
        pk = (tacit_groth16_pk *)1;
        CHECK_EQ_INT(tacit_groth16_pk_read(&pk, b, cut), TACIT_EENCODING);
        CHECK(pk == NULL);
    }
    b[0] = 'Z';
    TRY(TACIT_EENCODING);
    b[4] = 2; /* version */
    TRY(TACIT_EENCODING);
    b[12 + 12] = 2; /* protocol PLONK */
    TRY(TACIT_EPROTOCOL);
    b[s2 + 4] ^= 1; /* q */
    TRY(TACIT_EPROTOCOL);
    b[s2 + 80] = 3; /* domain size 3: not a power of two */
    TRY(TACIT_EENCODING);
    b[s2 + 72] = 100; /* nVars: section sizes no longer match */
    TRY(TACIT_EENCODING);
    b[s2 + 84 + 31] = 0xff; /* alpha1.x >= p */
    TRY(TACIT_ENONCANONICAL);
    b[s2 + 84] ^= 1; /* alpha1 off the curve */
    TRY(TACIT_ENOT_ON_CURVE);
    /* a trailing byte */
    {
        uint8_t *c = malloc(len + 1);
        memcpy(c, orig, len);
        c[len] = 0;
        pk = (tacit_groth16_pk *)1;
        CHECK_EQ_INT(tacit_groth16_pk_read(&pk, c, len + 1), TACIT_EENCODING);
        free(c);
    }
    /* coefficients: find section 4 */
    {
        size_t off = 12;
        uint8_t *c4 = NULL;
        while (off + 12 <= len) {
            uint32_t type = orig[off] | orig[off + 1] << 8;
            uint64_t size = 0;
            for (int i = 7; i >= 0; i--) size = size << 8 | orig[off + 4 + i];
            if (type == 4) c4 = b + off + 12;
            off += 12 + size;
        }
        CHECK(c4 != NULL);
        if (c4 != NULL) {
            c4[4] = 2; /* matrix 2 */
            TRY(TACIT_EENCODING);
            c4[4 + 8] = 9; /* variable >= nVars */
            TRY(TACIT_EENCODING);
            c4[4 + 4] = 9; /* row >= domain */
            TRY(TACIT_EENCODING);
            memset(c4 + 4 + 12, 0xff, 32); /* value >= r */
            TRY(TACIT_ENONCANONICAL);
        }
    }
#undef TRY
    pk = (tacit_groth16_pk *)1;
    CHECK_EQ_INT(tacit_groth16_pk_read_file(&pk, "/nonexistent/tacit.zkey"), TACIT_ENOENT);
    CHECK(pk == NULL);
    free(b);
    free(orig);
}

TEST(wtns_rejects)
{
    char path[1024];
    size_t len, n;
    uint8_t *orig = (uint8_t *)tacit_test_read_file(
        vec_path(path, sizeof path, "valid/multiplier", "multiplier.wtns"), &len);
    uint8_t *b = malloc(len);
    tacit_fr *w;
    CHECK(orig != NULL);
    if (orig == NULL) return;
    memcpy(b, orig, len);
    CHECK_EQ_INT(tacit_wtns_read(&w, &n, b, len), TACIT_OK);
    CHECK_EQ_INT(n, 4);
    tacit_wtns_free(w, n);
    CHECK_EQ_INT(tacit_wtns_read(&w, &n, b, len - 1), TACIT_EENCODING);
    CHECK(w == NULL);
    b[len - 1] = 0xff; /* last value >= r */
    CHECK_EQ_INT(tacit_wtns_read(&w, &n, b, len), TACIT_ENONCANONICAL);
    memcpy(b, orig, len);
    b[12 + 12 + 4] ^= 1; /* prime */
    CHECK_EQ_INT(tacit_wtns_read(&w, &n, b, len), TACIT_EPROTOCOL);
    memcpy(b, orig, len);
    b[12 + 12 + 36] = 5; /* count 5 vs 4 values */
    CHECK_EQ_INT(tacit_wtns_read(&w, &n, b, len), TACIT_EENCODING);
    free(b);
    free(orig);
}

/* tacit's setup on snarkjs's .r1cs of the merkle circuit, with circom's witness */
/*
 * Step 1 of the prover (a = A w, b = B w, c = a b) cuts the coefficients into row ranges, one
 * per task, in the key's order (by row, as tacit's setup and snarkjs write it), and does it
 * again by matrix when a coefficient falls outside its range. Proofs verify on 1, 2, 3 and 5
 * threads (IFMA's products on 1 and 3, where the CPU has it; scalar on 2 and 5) with the
 * coefficients in row order, reversed (the cut itself is out of order), and
 * with two coefficients of different ranges swapped (only the tasks see it); pk's order is
 * restored after.
 */
static void prove_coef_orders(tacit_groth16_pk *pk, const tacit_groth16_pvk *pvk, const tacit_fr *w)
{
    static const unsigned threads[] = {1, 2, 3, 5};
    size_t nc = pk->ncoefs, i1 = nc / 8, i2 = nc * 5 / 8;
    tacit_groth16_coef *orig = malloc(nc * sizeof *orig), tmp;
    CHECK(orig != NULL && nc >= 16);
    if (orig == NULL || nc < 16) {
        free(orig);
        return;
    }
    memcpy(orig, pk->coefs, nc * sizeof *orig);
    CHECK(pk->coefs[i1].row != pk->coefs[i2].row);
    for (int order = 0; order < 3; order++) {
        memcpy(pk->coefs, orig, nc * sizeof *orig);
        if (order == 1)
            for (size_t i = 0; i < nc; i++) pk->coefs[i] = orig[nc - 1 - i];
        if (order == 2) {
            tmp = pk->coefs[i1];
            pk->coefs[i1] = pk->coefs[i2];
            pk->coefs[i2] = tmp;
        }
        for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
            int was = tacit__set_ifma(t % 2 == 0), rc = prove_verify(pk, pvk, w, threads[t]);
            CHECK_EQ_INT(rc, TACIT_OK);
            if (rc != TACIT_OK)
                fprintf(stderr, "  order %d, %u threads, IFMA %d\n", order, threads[t],
                        tacit__use_ifma);
            tacit__set_ifma(was);
        }
    }
    memcpy(pk->coefs, orig, nc * sizeof *orig);
    free(orig);
}

TEST(setup_merkle_r1cs)
{
    char path[1024];
    tacit_r1cs cs;
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_fr *w = NULL;
    size_t nw = 0;
    memset(&cs, 0, sizeof cs);
    CHECK_EQ_INT(
        tacit_r1cs_read_file(&cs, NULL, vec_path(path, sizeof path, "valid/merkle", "merkle.r1cs")),
        TACIT_OK);
    CHECK_EQ_INT(
        tacit_wtns_read_file(&w, &nw, vec_path(path, sizeof path, "valid/merkle", "merkle.wtns")),
        TACIT_OK);
    CHECK_EQ_INT(nw, cs.nvars);
    CHECK(w != NULL && satisfied(&cs, w));
    CHECK_EQ_INT(tacit_groth16_setup(&pk, &cs, 0), TACIT_OK);
    if (pk != NULL && w != NULL) {
        CHECK_EQ_INT(pk->domain_size, 8192);
        CHECK_EQ_INT(tacit_groth16_pk_vk(&vk, pk), TACIT_OK);
        CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk, NULL), TACIT_OK);
        CHECK_EQ_INT(prove_verify(pk, pvk, w, 2), TACIT_OK);
        prove_coef_orders(pk, pvk, w);
    }
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk);
    tacit_wtns_free(w, nw);
    tacit_r1cs_clear(&cs);
}

/* ------------------------------------------------------------- key cache ---- */

static void put_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL) return;
    CHECK_EQ_INT(fwrite(buf, 1, len, f), len);
    CHECK_EQ_INT(fclose(f), 0);
}

/* Overwrites len bytes of the file at off. */
static void poke_file(const char *path, long off, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f == NULL) return;
    CHECK_EQ_INT(fseek(f, off, SEEK_SET), 0);
    CHECK_EQ_INT(fwrite(bytes, 1, len, f), len);
    CHECK_EQ_INT(fclose(f), 0);
}

/* Loads zkey through its cache; checks what happened and that the key is ref. */
static void load_expect(const char *zkey, const tacit_groth16_pk *ref, int result, int refused)
{
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_pk_load_info info;
    CHECK_EQ_INT(tacit_groth16_pk_load(&pk, zkey, &info), TACIT_OK);
    CHECK_EQ_INT(info.result, result);
    CHECK_EQ_INT(info.refused, refused);
    if (info.refused != refused)
        fprintf(stderr, "  refused: %s\n", tacit_groth16_pk_cache_refusal(info.refused));
    CHECK(pk != NULL && pk_equal(pk, ref));
    tacit_groth16_pk_free(pk);
}

/* The prepared cache beside a .zkey (zkey_cache.c): written at the first load, mapped at the
 * next with the same key and proofs that verify; refused with its reason and rebuilt from
 * the .zkey when the .zkey changed (another key, or only its time), when it is truncated or
 * extended, when a byte flips, when its version is another, and when an index or a coordinate
 * is out of range under a valid checksum. */
TEST(pk_cache)
{
    char dir[] = "/tmp/tacit-test-pkcache-XXXXXX", zkey[256], cache[256], path[1024];
    uint8_t *merkle, *mult;
    size_t mlen, xlen, nw = 0;
    tacit_groth16_pk *ref = NULL, *ref2 = NULL, *pk = NULL;
    tacit_groth16_vk *vk = load_vk_json("valid/merkle");
    tacit_groth16_pvk *pvk = NULL;
    tacit_fr *w = NULL;
    tacit_groth16_pk_load_info info;
    long coef_off, a_off;
    struct timespec ts[2];

    CHECK(mkdtemp(dir) != NULL);
    snprintf(zkey, sizeof zkey, "%s/k.zkey", dir);
    CHECK_EQ_INT(tacit__groth16_pk_cache_path(cache, sizeof cache, zkey), TACIT_OK);
    merkle = (uint8_t *)tacit_test_read_file(
        vec_path(path, sizeof path, "valid/merkle", "merkle_final.zkey"), &mlen);
    mult = (uint8_t *)tacit_test_read_file(
        vec_path(path, sizeof path, "valid/multiplier", "multiplier_final.zkey"), &xlen);
    CHECK(merkle != NULL && mult != NULL && vk != NULL);
    if (merkle == NULL || mult == NULL || vk == NULL) goto out;
    CHECK_EQ_INT(tacit_groth16_pk_read(&ref, merkle, mlen), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_pk_read(&ref2, mult, xlen), TACIT_OK);
    CHECK_EQ_INT(
        tacit_wtns_read_file(&w, &nw, vec_path(path, sizeof path, "valid/merkle", "merkle.wtns")),
        TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk, NULL), TACIT_OK);
    if (ref == NULL || ref2 == NULL || w == NULL || pvk == NULL) goto out;
    put_file(zkey, merkle, mlen);

    /* round trip: written, then mapped; the mapped key proves */
    load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_NONE);
    load_expect(zkey, ref, TACIT_PK_LOADED_CACHE, TACIT_PK_CACHE_NONE);
    CHECK_EQ_INT(tacit_groth16_pk_load(&pk, zkey, &info), TACIT_OK);
    CHECK(pk != NULL && pk->map != NULL);
    if (pk != NULL) {
        CHECK_EQ_INT(prove_verify(pk, pvk, w, 1), TACIT_OK);
        CHECK_EQ_INT(prove_verify(pk, pvk, w, 2), TACIT_OK);
    }
    tacit_groth16_pk_free(pk);
    pk = NULL;

    /* stale: another key in the .zkey's place; then the same bytes with another time */
    put_file(zkey, mult, xlen);
    load_expect(zkey, ref2, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_STALE);
    load_expect(zkey, ref2, TACIT_PK_LOADED_CACHE, TACIT_PK_CACHE_NONE);
    put_file(zkey, merkle, mlen);
    load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_STALE);
    ts[0].tv_sec = ts[1].tv_sec = 1000000000;
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    CHECK_EQ_INT(utimensat(AT_FDCWD, zkey, ts, 0), 0);
    load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_STALE);
    load_expect(zkey, ref, TACIT_PK_LOADED_CACHE, TACIT_PK_CACHE_NONE);

    /* truncated (to a half, and to less than its header), extended */
    CHECK_EQ_INT(truncate(cache, 8192), 0);
    load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_TRUNCATED);
    CHECK_EQ_INT(truncate(cache, 100), 0);
    load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_TRUNCATED);
    {
        FILE *f = fopen(cache, "ab");
        CHECK(f != NULL);
        if (f != NULL) {
            fputs("trailing", f);
            fclose(f);
        }
    }
    load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_BAD_HEADER);

    /* one flipped byte anywhere (here: in H, near the end) */
    {
        size_t clen;
        uint8_t *c = (uint8_t *)tacit_test_read_file(cache, &clen), b;
        CHECK(c != NULL && clen > 5000);
        if (c != NULL) {
            b = c[clen - 5000] ^ 0x10;
            poke_file(cache, (long)(clen - 5000), &b, 1);
        }
        free(c);
    }
    load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_CHECKSUM);

    /* another format version; a bad magic */
    {
        uint32_t v = 99;
        poke_file(cache, 8, &v, sizeof v);
        load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_VERSION);
        poke_file(cache, 0, "nottacit", 8);
        load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_BAD_HEADER);
    }

    /* a valid checksum over an out-of-range index or a non-canonical coordinate (p itself) */
    coef_off = 4096 + (long)(((ref->npublic + 1) * sizeof(tacit_g1_affine) + 63) & ~(size_t)63);
    a_off = coef_off + (long)((ref->ncoefs * sizeof(tacit_groth16_coef) + 63) & ~(size_t)63);
    {
        uint32_t bad[3] = {0, ref->domain_size, 0}, var = ref->nvars, m = 2;
        const tacit_fp pfield = {{0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL,
                                  0xb85045b68181585dULL, 0x30644e72e131a029ULL}};
        long last = coef_off + (long)((ref->ncoefs - 1) * sizeof(tacit_groth16_coef));
        const long at[4] = {coef_off + (long)offsetof(tacit_groth16_coef, row),
                            last + (long)offsetof(tacit_groth16_coef, var),
                            coef_off + (long)offsetof(tacit_groth16_coef, matrix),
                            a_off + (long)sizeof(tacit_g1_affine) + 32};
        const void *what[4] = {&bad[1], &var, &m, &pfield};
        const size_t size[4] = {4, 4, 4, sizeof pfield};
        for (int i = 0; i < 4; i++) {
            load_expect(zkey, ref, TACIT_PK_LOADED_CACHE, TACIT_PK_CACHE_NONE);
            poke_file(cache, at[i], what[i], size[i]);
            CHECK_EQ_INT(tacit__groth16_pk_cache_reseal(cache), TACIT_OK);
            load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY_CACHED, TACIT_PK_CACHE_OUT_OF_RANGE);
        }
        (void)bad[0];
    }

    /* the cache is only a cache: the .zkey gone is ENOENT whatever the cache */
    CHECK_EQ_INT(remove(zkey), 0);
    CHECK_EQ_INT(tacit_groth16_pk_load(&pk, zkey, &info), TACIT_ENOENT);
    CHECK(pk == NULL);
    /* a key that fails its checks in the .zkey is refused even with its old cache there */
    put_file(zkey, merkle, 200);
    CHECK_EQ_INT(tacit_groth16_pk_load(&pk, zkey, &info), TACIT_EENCODING);
    CHECK(pk == NULL);
    /* no cache wanted */
    put_file(zkey, merkle, mlen);
    remove(cache);
    setenv("TACIT_NO_PK_CACHE", "1", 1);
    load_expect(zkey, ref, TACIT_PK_LOADED_ZKEY, TACIT_PK_CACHE_NONE);
    unsetenv("TACIT_NO_PK_CACHE");
    CHECK(access(cache, F_OK) != 0);
out:
    remove(cache);
    remove(zkey);
    rmdir(dir);
    free(merkle);
    free(mult);
    tacit_wtns_free(w, nw);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(ref);
    tacit_groth16_pk_free(ref2);
}

static const struct tacit_test tests[] = {
    {"ntt_roots", ntt_roots},
    {"ntt_naive", ntt_naive},
    {"ntt_laws", ntt_laws},
    {"msm_g1", msm_g1},
    {"msm_g1_special", msm_g1_special},
    {"msm_g1_chunks", msm_g1_chunks},
    {"msm_g1_chunks_default", msm_g1_chunks_default},
    {"msm_g2", msm_g2},
    {"msm_g2_chunks", msm_g2_chunks},
    {"fixed_base", fixed_base},
    {"setup_prove_tiny", setup_prove_tiny},
    {"setup_shapes", setup_shapes},
    {"setup_wipes_toxic_waste", setup_wipes_toxic_waste},
    {"snarkjs_multiplier", snarkjs_multiplier},
    {"snarkjs_merkle", snarkjs_merkle},
    {"zkey_wtns_roundtrip", zkey_wtns_roundtrip},
    {"zkey_rejects", zkey_rejects},
    {"wtns_rejects", wtns_rejects},
    {"setup_merkle_r1cs", setup_merkle_r1cs},
    {"pk_cache", pk_cache},
};

TACIT_TEST_MAIN(tests)
