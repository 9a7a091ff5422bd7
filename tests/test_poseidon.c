/*
 * tacit — Poseidon (include/tacit/poseidon.h) against circomlib.
 *
 *  - every vector of tests/vectors/poseidon/vectors.json (circomlibjs 0.1.7, cross-checked
 *    against circomlib's circuit: 208 entries, arity 1 to 16) through tacit_poseidon, and
 *    the arity-2 ones through tacit_poseidon2;
 *  - a naive reference, written below as plainly as the Poseidon paper states the
 *    permutation (every round: add t constants, S-box x^5 on every element in a full round
 *    or on state[0] in a partial one, multiply by the full MDS matrix) from circomlib's
 *    plain constants (src/crypto/poseidon_constants_ref.c), against the optimized
 *    permutation (sparse partial rounds, src/crypto/poseidon.c) on random inputs of every
 *    arity; it uses only the public tacit_fr_* functions;
 *  - the same with the portable Montgomery kernel forced (tacit__use_adx = 0), since
 *    poseidon.c has its own mulx/adx sum-of-products kernel;
 *  - n = 0 and n = 17 rejected with TACIT_EINVAL, out zeroed; out aliasing an input.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "crypto/field.h" /* tacit__use_adx */
#include "crypto/poseidon_constants.h"
#include "harness.h"
#include "tacit/bn254.h"
#include "tacit/error.h"
#include "tacit/poseidon.h"

#define N_VECTORS 208

static const unsigned N_ROUNDS_P[16] = {56, 57, 56, 60, 60, 63, 64, 63,
                                        60, 66, 60, 65, 70, 60, 64, 68};

/* ----------------------------------------------------------- reference ---- */

static void ref_sbox(tacit_fr *x)
{
    static const uint64_t five[1] = {5};
    tacit_fr_pow_var(x, x, five, 1);
}

/* circomlibjs src/poseidon_reference.js, with tacit's public field functions. */
static void ref_poseidon(tacit_fr *out, const tacit_fr *in, size_t n)
{
    const struct tacit__poseidon_ref *k = &tacit__poseidon_ref[n - 1];
    const unsigned t = (unsigned)n + 1, nf = 8, np = k->n_partial;
    tacit_fr st[17], nx[17], p;

    st[0] = TACIT_FR_ZERO;
    for (size_t i = 0; i < n; i++) st[i + 1] = in[i];
    for (unsigned r = 0; r < nf + np; r++) {
        for (unsigned i = 0; i < t; i++) tacit_fr_add(&st[i], &st[i], &k->c[r * t + i]);
        if (r < nf / 2 || r >= nf / 2 + np) {
            for (unsigned i = 0; i < t; i++) ref_sbox(&st[i]);
        } else {
            ref_sbox(&st[0]);
        }
        for (unsigned i = 0; i < t; i++) {
            nx[i] = TACIT_FR_ZERO;
            for (unsigned j = 0; j < t; j++) {
                tacit_fr_mul(&p, &k->m[i * t + j], &st[j]);
                tacit_fr_add(&nx[i], &nx[i], &p);
            }
        }
        memcpy(st, nx, t * sizeof st[0]);
    }
    *out = st[0];
}

/* ------------------------------------------------------------- helpers ---- */

static int fr_from_dec(tacit_fr *r, const char *s)
{
    uint64_t l[4];
    int rc;
    if (s == NULL) return TACIT_EENCODING;
    if ((rc = tacit_u256_from_dec(l, s)) != TACIT_OK) return rc;
    return tacit_fr_from_limbs(r, l);
}

static void fr_to_dec(char out[79], const tacit_fr *a)
{
    uint64_t l[4];
    tacit_fr_to_limbs(l, a);
    tacit_u256_to_dec(out, l);
}

static void check_fr_eq(const char *what, size_t idx, const tacit_fr *got, const tacit_fr *want)
{
    if (!tacit_fr_eq(got, want)) {
        char g[79], w[79];
        fr_to_dec(g, got);
        fr_to_dec(w, want);
        tacit__test_fail(__FILE__, __LINE__, "%s %zu: got %s, want %s", what, idx, g, w);
    }
}

/* Uniform, or (one time in four) an edge value: 0, 1, r - 1, 2^253. */
static void rand_fr(tacit_fr *r)
{
    static const uint64_t r_minus_1[4] = {0x43e1f593f0000000ULL, 0x2833e84879b97091ULL,
                                          0xb85045b68181585dULL, 0x30644e72e131a029ULL};
    static const uint64_t two_253[4] = {0, 0, 0, 1ULL << 61};
    uint8_t w[64];
    uint64_t pick = tacit_test_rand64();
    if (pick % 4 != 0) {
        tacit_test_rand_bytes(w, sizeof w);
        tacit_fr_from_wide(r, w);
        return;
    }
    switch ((pick >> 8) % 4) {
    case 0: *r = TACIT_FR_ZERO; break;
    case 1: *r = TACIT_FR_ONE; break;
    case 2: CHECK_EQ_INT(tacit_fr_from_limbs(r, r_minus_1), TACIT_OK); break;
    default: CHECK_EQ_INT(tacit_fr_from_limbs(r, two_253), TACIT_OK); break;
    }
}

/* ------------------------------------------------------------- vectors ---- */

static json_t *load_vectors(void)
{
    char path[1024];
    json_error_t err;
    json_t *root;
    snprintf(path, sizeof path, "%s/poseidon/vectors.json", tacit_test_vectors_dir());
    root = json_load_file(path, 0, &err);
    CHECK(root != NULL);
    if (root == NULL) {
        fprintf(stderr, "  %s: %s (line %d)\n", path, err.text, err.line);
        return NULL;
    }
    CHECK(json_is_array(root));
    return root;
}

/* Every vector through tacit_poseidon (and tacit_poseidon2 for arity 2); with_ref also
 * through the naive reference. */
static void check_vectors(bool with_ref)
{
    json_t *root = load_vectors(), *e;
    size_t i, per_arity[TACIT_POSEIDON_MAX_INPUTS + 1] = {0};
    if (root == NULL) return;
    CHECK_EQ_INT(json_array_size(root), N_VECTORS);
    json_array_foreach(root, i, e)
    {
        json_t *ins = json_object_get(e, "inputs");
        tacit_fr in[TACIT_POSEIDON_MAX_INPUTS], want, got;
        size_t n = json_array_size(ins);
        CHECK(json_is_array(ins) && n >= 1 && n <= TACIT_POSEIDON_MAX_INPUTS);
        if (!json_is_array(ins) || n < 1 || n > TACIT_POSEIDON_MAX_INPUTS) continue;
        per_arity[n]++;
        CHECK_EQ_INT(fr_from_dec(&want, json_string_value(json_object_get(e, "output"))), TACIT_OK);
        for (size_t k = 0; k < n; k++)
            CHECK_EQ_INT(fr_from_dec(&in[k], json_string_value(json_array_get(ins, k))), TACIT_OK);

        CHECK_EQ_INT(tacit_poseidon(&got, in, n), TACIT_OK);
        check_fr_eq("vector", i, &got, &want);
        if (n == 2) {
            tacit_poseidon2(&got, &in[0], &in[1]);
            check_fr_eq("vector (tacit_poseidon2)", i, &got, &want);
        }
        if (with_ref) {
            ref_poseidon(&got, in, n);
            check_fr_eq("vector (reference)", i, &got, &want);
        }
    }
    /* README: per arity [1..n], all zero, all r - 1 and 10 pseudo-random vectors */
    for (size_t n = 1; n <= TACIT_POSEIDON_MAX_INPUTS; n++) CHECK_EQ_INT(per_arity[n], 13);
    json_decref(root);
}

TEST(vectors) { check_vectors(true); }

TEST(vectors_portable_kernel)
{
    int saved = tacit__use_adx;
    tacit__use_adx = 0;
    check_vectors(false);
    tacit__use_adx = saved;
}

TEST(spot_values)
{
    /* tests/vectors/poseidon/README.md */
    tacit_fr in[2], got, want;
    tacit_fr_from_u64(&in[0], 1);
    tacit_fr_from_u64(&in[1], 2);
    CHECK_EQ_INT(
        fr_from_dec(
            &want, "18586133768512220936620570745912940619677854269274689475585506675881198879027"),
        TACIT_OK);
    CHECK_EQ_INT(tacit_poseidon(&got, in, 1), TACIT_OK);
    check_fr_eq("Poseidon([1])", 1, &got, &want);
    CHECK_EQ_INT(
        fr_from_dec(&want,
                    "7853200120776062878684798364095072458815029376092732009249414926327459813530"),
        TACIT_OK);
    CHECK_EQ_INT(tacit_poseidon(&got, in, 2), TACIT_OK);
    check_fr_eq("Poseidon([1,2])", 2, &got, &want);
    tacit_poseidon2(&got, &in[0], &in[1]);
    check_fr_eq("tacit_poseidon2(1,2)", 2, &got, &want);
}

/* ----------------------------------------------- reference vs optimized ---- */

TEST(constants_shape)
{
    for (unsigned t = TACIT__POSEIDON_T_MIN; t <= TACIT__POSEIDON_T_MAX; t++) {
        const struct tacit__poseidon_ref *r = &tacit__poseidon_ref[t - 2];
        const struct tacit__poseidon_opt *o = &tacit__poseidon_opt[t - 2];
        CHECK_EQ_INT(r->t, t);
        CHECK_EQ_INT(o->t, t);
        CHECK_EQ_INT(r->n_partial, N_ROUNDS_P[t - 2]);
        CHECK_EQ_INT(o->n_partial, N_ROUNDS_P[t - 2]);
    }
}

static void check_random_against_reference(int iters)
{
    for (size_t n = 1; n <= TACIT_POSEIDON_MAX_INPUTS; n++) {
        for (int it = 0; it < iters; it++) {
            tacit_fr in[TACIT_POSEIDON_MAX_INPUTS], got, want;
            for (size_t k = 0; k < n; k++) rand_fr(&in[k]);
            ref_poseidon(&want, in, n);
            CHECK_EQ_INT(tacit_poseidon(&got, in, n), TACIT_OK);
            check_fr_eq("random, arity", n, &got, &want);
        }
    }
}

TEST(reference_equals_optimized) { check_random_against_reference(tacit_test_iters(20)); }

TEST(reference_equals_optimized_portable_kernel)
{
    int saved = tacit__use_adx;
    tacit__use_adx = 0;
    check_random_against_reference(tacit_test_iters(20) / 4 + 1);
    tacit__use_adx = saved;
}

TEST(poseidon2_equals_poseidon_n2)
{
    int iters = tacit_test_iters(200);
    for (int it = 0; it < iters; it++) {
        tacit_fr in[2], a, b;
        rand_fr(&in[0]);
        rand_fr(&in[1]);
        tacit_poseidon2(&a, &in[0], &in[1]);
        CHECK_EQ_INT(tacit_poseidon(&b, in, 2), TACIT_OK);
        check_fr_eq("poseidon2 vs poseidon(n=2), iteration", (size_t)it, &a, &b);
    }
}

/* ------------------------------------------------------- API contract ---- */

TEST(rejects_bad_arity)
{
    tacit_fr in[TACIT_POSEIDON_MAX_INPUTS + 1], out;
    const size_t bad[] = {0, TACIT_POSEIDON_MAX_INPUTS + 1, 1000, (size_t)-1};
    for (size_t k = 0; k <= TACIT_POSEIDON_MAX_INPUTS; k++) tacit_fr_from_u64(&in[k], k + 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = TACIT_FR_ONE;
        CHECK_EQ_INT(tacit_poseidon(&out, in, bad[i]), TACIT_EINVAL);
        CHECK(tacit_fr_is_zero(&out));
    }
    CHECK_EQ_INT(TACIT_POSEIDON_MAX_INPUTS, 16);
    CHECK_EQ_INT(tacit_poseidon(&out, in, TACIT_POSEIDON_MAX_INPUTS), TACIT_OK);
}

TEST(output_may_alias_input)
{
    for (size_t n = 1; n <= TACIT_POSEIDON_MAX_INPUTS; n++) {
        tacit_fr in[TACIT_POSEIDON_MAX_INPUTS], buf[TACIT_POSEIDON_MAX_INPUTS], want;
        for (size_t k = 0; k < n; k++) rand_fr(&in[k]);
        CHECK_EQ_INT(tacit_poseidon(&want, in, n), TACIT_OK);
        for (size_t j = 0; j < n; j++) {
            memcpy(buf, in, n * sizeof in[0]);
            CHECK_EQ_INT(tacit_poseidon(&buf[j], buf, n), TACIT_OK);
            check_fr_eq("aliased output, arity", n, &buf[j], &want);
        }
    }
    tacit_fr a, b, x, y, want;
    rand_fr(&a);
    rand_fr(&b);
    tacit_poseidon2(&want, &a, &b);
    x = a, y = b;
    tacit_poseidon2(&x, &x, &y);
    check_fr_eq("poseidon2 out == a", 0, &x, &want);
    x = a, y = b;
    tacit_poseidon2(&y, &x, &y);
    check_fr_eq("poseidon2 out == b", 0, &y, &want);
    tacit_fr in2[2] = {a, a};
    CHECK_EQ_INT(tacit_poseidon(&want, in2, 2), TACIT_OK);
    x = a;
    tacit_poseidon2(&x, &x, &x);
    check_fr_eq("poseidon2 out == a == b", 0, &x, &want);
}

static const struct tacit_test tests[] = {
    {"spot_values", spot_values},
    {"constants_shape", constants_shape},
    {"vectors", vectors},
    {"vectors_portable_kernel", vectors_portable_kernel},
    {"reference_equals_optimized", reference_equals_optimized},
    {"reference_equals_optimized_portable_kernel", reference_equals_optimized_portable_kernel},
    {"poseidon2_equals_poseidon_n2", poseidon2_equals_poseidon_n2},
    {"rejects_bad_arity", rejects_bad_arity},
    {"output_may_alias_input", output_may_alias_input},
};
TACIT_TEST_MAIN(tests)
