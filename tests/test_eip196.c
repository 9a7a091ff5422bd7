/*
 * tacit — G1 addition and scalar multiplication against the Ethereum precompile vectors
 * (EIP-196, go-ethereum's core/vm/testdata/precompiles/bn256Add.json and
 * bn256ScalarMul.json, see tests/vectors/eip196_197/README.md).
 *
 * Precompile input rules (EIP-196): the input is read as if right-padded with zeros to its
 * full length (128 bytes for add: two points; 96 for mul: a point and a 32-byte big-endian
 * scalar) and extra bytes are ignored. The scalar is used as the integer given, even when
 * it is >= r. The output is the 64-byte encoding of the result, (0, 0) for infinity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"
#include "tacit/bn254.h"
#include "tacit/error.h"

/* Decodes hex (no 0x prefix) into out, at most cap bytes; returns the decoded length
 * or -1 on a malformed string. */
static long hex_to_bytes(uint8_t *out, size_t cap, const char *hex)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + (size_t)j];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    return (long)(n / 2);
}

/* Loads a vectors file; returns a new reference to its array, or NULL (after a failed check). */
static json_t *load_vectors(const char *name)
{
    char path[1024];
    json_error_t err;
    json_t *root;
    snprintf(path, sizeof path, "%s/eip196_197/%s", tacit_test_vectors_dir(), name);
    root = json_load_file(path, 0, &err);
    CHECK(root != NULL);
    if (root == NULL) {
        fprintf(stderr, "  %s: %s (line %d)\n", path, err.text, err.line);
        return NULL;
    }
    CHECK(json_is_array(root));
    CHECK(json_array_size(root) > 0);
    return root;
}

/* One entry's Input (padded to want bytes, extra ignored), Expected (64 bytes) and Name;
 * false (after a failed check) if the entry is malformed. */
static bool entry_fields(json_t *e, uint8_t *in, size_t want, uint8_t expected[64],
                         const char **name)
{
    uint8_t buf[1024];
    const char *in_hex = json_string_value(json_object_get(e, "Input"));
    const char *exp_hex = json_string_value(json_object_get(e, "Expected"));
    long n;
    *name = json_string_value(json_object_get(e, "Name"));
    CHECK(in_hex != NULL && exp_hex != NULL && *name != NULL);
    if (in_hex == NULL || exp_hex == NULL || *name == NULL) return false;
    n = hex_to_bytes(buf, sizeof buf, in_hex);
    CHECK(n >= 0);
    if (n < 0) return false;
    memset(in, 0, want);
    memcpy(in, buf, (size_t)n < want ? (size_t)n : want);
    CHECK_EQ_INT(hex_to_bytes(expected, 64, exp_hex), 64);
    return true;
}

static void report(const char *file, const char *name, const uint8_t *got, const uint8_t *want)
{
    if (memcmp(got, want, 64) != 0) fprintf(stderr, "  %s: entry \"%s\" differs\n", file, name);
}

TEST(bn256_add)
{
    json_t *root = load_vectors("bn256Add.json");
    size_t i, count = 0;
    json_t *e;
    if (root == NULL) return;
    json_array_foreach(root, i, e)
    {
        uint8_t in[128], want[64], got[64];
        const char *name;
        tacit_g1_affine a, b, s;
        tacit_g1 p, q, r;
        if (!entry_fields(e, in, sizeof in, want, &name)) continue;
        CHECK_EQ_INT(tacit_g1_from_bytes(&a, in), TACIT_OK);
        CHECK_EQ_INT(tacit_g1_from_bytes(&b, in + 64), TACIT_OK);
        /* Jacobian + affine */
        tacit_g1_from_affine(&p, &a);
        tacit_g1_add_affine(&r, &p, &b);
        tacit_g1_to_affine(&s, &r);
        tacit_g1_to_bytes(got, &s);
        CHECK_MEM(got, want, 64);
        report("bn256Add", name, got, want);
        /* Jacobian + Jacobian, in both orders */
        tacit_g1_from_affine(&q, &b);
        tacit_g1_add(&r, &q, &p);
        tacit_g1_to_affine(&s, &r);
        tacit_g1_to_bytes(got, &s);
        CHECK_MEM(got, want, 64);
        /* the same through msm_var with unit scalars */
        tacit_g1_affine pts[2] = {a, b};
        const uint64_t ones[2][4] = {{1, 0, 0, 0}, {1, 0, 0, 0}};
        tacit_g1_msm_var(&r, pts, ones, 2);
        tacit_g1_batch_to_affine_var(&s, &r, 1);
        tacit_g1_to_bytes(got, &s);
        CHECK_MEM(got, want, 64);
        count++;
    }
    CHECK_EQ_INT(count, 16);
    json_decref(root);
}

TEST(bn256_scalar_mul)
{
    json_t *root = load_vectors("bn256ScalarMul.json");
    size_t i, count = 0;
    json_t *e;
    if (root == NULL) return;
    json_array_foreach(root, i, e)
    {
        uint8_t in[96], want[64], got[64];
        const char *name;
        uint64_t k[4];
        tacit_g1_affine a, s;
        tacit_g1 p, r;
        if (!entry_fields(e, in, sizeof in, want, &name)) continue;
        CHECK_EQ_INT(tacit_g1_from_bytes(&a, in), TACIT_OK);
        /* 32-byte big-endian scalar -> little-endian limbs, not reduced */
        for (int l = 0; l < 4; l++) {
            k[l] = 0;
            for (int j = 0; j < 8; j++) k[l] = (k[l] << 8) | in[64 + (3 - l) * 8 + j];
        }
        tacit_g1_from_affine(&p, &a);
        tacit_g1_mul_var(&r, &p, k);
        tacit_g1_to_affine(&s, &r);
        tacit_g1_to_bytes(got, &s);
        CHECK_MEM(got, want, 64);
        report("bn256ScalarMul mul_var", name, got, want);
        tacit_g1_mul(&r, &p, k);
        tacit_g1_to_affine(&s, &r);
        tacit_g1_to_bytes(got, &s);
        CHECK_MEM(got, want, 64);
        report("bn256ScalarMul mul", name, got, want);
        const uint64_t(*kk)[4] = (const uint64_t(*)[4])k;
        tacit_g1_msm_var(&r, &a, kk, 1);
        tacit_g1_to_affine(&s, &r);
        tacit_g1_to_bytes(got, &s);
        CHECK_MEM(got, want, 64);
        count++;
    }
    CHECK_EQ_INT(count, 19);
    json_decref(root);
}

static const struct tacit_test tests[] = {
    {"bn256_add", bn256_add},
    {"bn256_scalar_mul", bn256_scalar_mul},
};
TACIT_TEST_MAIN(tests)
