/*
 * tacit — the Solidity verifier generator (tacit_groth16_vk_to_solidity, src/zk/solidity.c):
 * every constant of the contract is the key's (the decimal strings snarkjs wrote, the G2
 * points negated and in EIP-197 order), small and large values in decimal, the shape for
 * 0, 2 and 100 public inputs, refused keys and names, deterministic output. That the
 * contract verifies on an EVM, beside snarkjs's: tests/groth16_solidity.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "zk/groth16_synth.h"

#define P_DEC "21888242871839275222246405745257275088696311157297823662689037894645226208583"
#define R_DEC "21888242871839275222246405745257275088548364400416034343698204186575808495617"

/* The value of "uint256 internal constant NAME = VALUE;" in sol, copied into out; false when
 * there is no such line (or it is there twice). */
static bool constant(char out[80], const char *sol, const char *name)
{
    char key[96];
    const char *p, *e;

    snprintf(key, sizeof key, "    uint256 internal constant %s = ", name);
    if ((p = strstr(sol, key)) == NULL || strstr(p + 1, key) != NULL) return false;
    p += strlen(key);
    if ((e = strchr(p, ';')) == NULL || e - p >= 80 || e == p) return false;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return true;
}

static size_t count(const char *sol, const char *needle)
{
    size_t n = 0;
    for (const char *p = sol; (p = strstr(p, needle)) != NULL; p++) n++;
    return n;
}

/* The constant NAME equals the decimal string s. */
static void check_const_is(const char *sol, const char *name, const char *s)
{
    char v[80];
    if (!constant(v, sol, name)) {
        tacit__test_fail(__FILE__, __LINE__, "no constant %s", name);
        return;
    }
    if (strcmp(v, s) != 0) tacit__test_fail(__FILE__, __LINE__, "%s = %s, want %s", name, v, s);
}

/* The constant NAME is the negation mod p of the decimal string s: canonical, and the two
 * add to 0 in Fp. */
static void check_const_is_neg(const char *sol, const char *name, const char *s)
{
    char v[80];
    uint64_t a[4], b[4];
    tacit_fp fa, fb, sum;

    if (!constant(v, sol, name)) {
        tacit__test_fail(__FILE__, __LINE__, "no constant %s", name);
        return;
    }
    CHECK_EQ_INT(tacit_u256_from_dec(a, v), TACIT_OK);
    CHECK_EQ_INT(tacit_u256_from_dec(b, s), TACIT_OK);
    CHECK_EQ_INT(tacit_fp_from_limbs(&fa, a), TACIT_OK);
    CHECK_EQ_INT(tacit_fp_from_limbs(&fb, b), TACIT_OK);
    tacit_fp_add(&sum, &fa, &fb);
    if (!tacit_fp_is_zero(&sum))
        tacit__test_fail(__FILE__, __LINE__, "%s = %s is not -%s mod p", name, v, s);
}

static const char *jstr(const json_t *j, size_t i, size_t k)
{
    const json_t *e = json_array_get(j, i);
    if (k != (size_t)-1) e = json_array_get(e, k);
    return json_is_string(e) ? json_string_value(e) : "(missing)";
}

/* The G2 point key[field] negated, as NAME_X1, NAME_X0, NAME_Y1, NAME_Y0 (EIP-197 order:
 * c1 first; snarkjs's JSON has [c0, c1]). */
static void check_g2_neg(const char *sol, const json_t *key, const char *field, const char *name)
{
    const json_t *g = json_object_get(key, field);
    char n[48];

    snprintf(n, sizeof n, "%s_X1", name);
    check_const_is(sol, n, jstr(g, 0, 1));
    snprintf(n, sizeof n, "%s_X0", name);
    check_const_is(sol, n, jstr(g, 0, 0));
    snprintf(n, sizeof n, "%s_Y1", name);
    check_const_is_neg(sol, n, jstr(g, 1, 1));
    snprintf(n, sizeof n, "%s_Y0", name);
    check_const_is_neg(sol, n, jstr(g, 1, 0));
}

/* Loads a vector's verification_key.json as text, JSON and key. */
static bool load_key(const char *vector, char **text, json_t **j, tacit_groth16_vk **vk)
{
    char path[1024];
    size_t len;
    json_error_t err;

    snprintf(path, sizeof path, "%s/groth16/valid/%s/verification_key.json",
             tacit_test_vectors_dir(), vector);
    *j = NULL;
    *vk = NULL;
    if ((*text = tacit_test_read_file(path, &len)) == NULL) return false;
    if ((*j = json_loadb(*text, len, 0, &err)) == NULL) return false;
    return tacit_groth16_vk_from_json(vk, *text, len, NULL) == TACIT_OK;
}

/* Every constant of the contract is the key's, for every valid snarkjs vector: the decimal
 * strings exactly as snarkjs wrote them, beta/gamma/delta negated; nothing else is a
 * constant but P and R. */
TEST(constants_are_the_keys)
{
    static const char *const vectors[] = {"multiplier", "multiplier_a0", "poseidon_hasher",
                                          "merkle"};
    for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        char *text, *sol = NULL, name[64];
        json_t *j;
        tacit_groth16_vk *vk;
        const json_t *ic;

        REQUIRE(load_key(vectors[v], &text, &j, &vk), "the vector's key loads");
        CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&sol, vk, "Groth16Verifier", NULL), TACIT_OK);
        REQUIRE(sol != NULL, "a contract was written");
        check_const_is(sol, "P", P_DEC);
        check_const_is(sol, "R", R_DEC);
        check_const_is(sol, "ALPHA_X", jstr(json_object_get(j, "vk_alpha_1"), 0, (size_t)-1));
        check_const_is(sol, "ALPHA_Y", jstr(json_object_get(j, "vk_alpha_1"), 1, (size_t)-1));
        check_g2_neg(sol, j, "vk_beta_2", "BETA_NEG");
        check_g2_neg(sol, j, "vk_gamma_2", "GAMMA_NEG");
        check_g2_neg(sol, j, "vk_delta_2", "DELTA_NEG");
        ic = json_object_get(j, "IC");
        CHECK_EQ_INT(json_array_size(ic), vk->npublic + 1);
        for (size_t k = 0; k < json_array_size(ic); k++) {
            snprintf(name, sizeof name, "IC%zu_X", k);
            check_const_is(sol, name, jstr(ic, k, 0));
            snprintf(name, sizeof name, "IC%zu_Y", k);
            check_const_is(sol, name, jstr(ic, k, 1));
        }
        /* P, R, alpha (2), three G2 points (12), IC (2 each) and nothing more */
        CHECK_EQ_INT(count(sol, "uint256 internal constant "), 2 + 2 + 12 + 2 * (vk->npublic + 1));
        /* one ecMul and one ecAdd per public input, one pairing check of four pairs */
        CHECK_EQ_INT(count(sol, "staticcall(gas(), 0x07, "), vk->npublic);
        CHECK_EQ_INT(count(sol, "staticcall(gas(), 0x06, "), vk->npublic);
        CHECK_EQ_INT(count(sol, "staticcall(gas(), 0x08, q, 0x300, q, 0x20)"), 1);
        /* every answer must have its full length (a chain without the precompile answers
         * nothing and the memory still holds the input), the pairing's must be exactly 1 */
        CHECK_EQ_INT(count(sol, "ok := and(ok, eq(returndatasize(), 0x40))"), 2 * vk->npublic);
        CHECK_EQ_INT(count(sol, "ok := and(and(success, eq(returndatasize(), 0x20)), "
                                "eq(mload(q), 1))"),
                     1);
        snprintf(name, sizeof name, "uint256[%zu] calldata _pubSignals", vk->npublic);
        CHECK_EQ_INT(count(sol, name), 1);
        CHECK(strstr(sol, "contract Groth16Verifier {\n") != NULL);
        free(sol);
        tacit_groth16_vk_free(vk);
        json_decref(j);
        free(text);
    }
}

/* Small numbers and numbers near p come out in plain decimal (no leading zeros, no
 * truncation): IC0 = the generator (1, 2), IC1 = its negation (1, p - 2). */
TEST(decimal_of_small_and_large_values)
{
    tacit__groth16_trapdoor *td;
    tacit_groth16_vk *vk;
    uint8_t seed[32] = {7};
    char *sol = NULL;

    REQUIRE(tacit__groth16_synth_setup(&td, &vk, 1, seed) == TACIT_OK, "a synthetic key");
    tacit_fp_from_u64(&vk->ic[0].x, 1);
    tacit_fp_from_u64(&vk->ic[0].y, 2);
    vk->ic[1] = vk->ic[0];
    tacit_fp_neg(&vk->ic[1].y, &vk->ic[0].y);
    CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&sol, vk, "V", NULL), TACIT_OK);
    if (sol != NULL) {
        check_const_is(sol, "IC0_X", "1");
        check_const_is(sol, "IC0_Y", "2");
        check_const_is(sol, "IC1_X", "1");
        check_const_is(
            sol, "IC1_Y",
            "21888242871839275222246405745257275088696311157297823662689037894645226208581");
    }
    free(sol);
    tacit_groth16_vk_free(vk);
    tacit__groth16_trapdoor_free(td);
}

/* No public inputs: verifyProof(_pA, _pB, _pC), L = IC0, no ecMul; 100: all unrolled. */
TEST(zero_and_many_public_inputs)
{
    static const size_t ns[] = {0, 100};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        tacit__groth16_trapdoor *td;
        tacit_groth16_vk *vk;
        uint8_t seed[32] = {(uint8_t)(i + 1)};
        char *sol = NULL, name[64];

        REQUIRE(tacit__groth16_synth_setup(&td, &vk, ns[i], seed) == TACIT_OK, "a synthetic key");
        CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&sol, vk, "V", NULL), TACIT_OK);
        REQUIRE(sol != NULL, "a contract was written");
        if (ns[i] == 0) {
            CHECK(strstr(sol, "_pubSignals") == NULL);
            CHECK(strstr(sol, "        uint256[2] calldata _pC\n"
                              "    ) public view returns (bool valid) {\n") != NULL);
        } else {
            snprintf(name, sizeof name, "uint256[%zu] calldata _pubSignals\n", ns[i]);
            CHECK(strstr(sol, name) != NULL);
            /* the last input's offset, 0x20 * 99 */
            CHECK(strstr(sol, "calldataload(add(_pubSignals, 0xc60))") != NULL);
        }
        CHECK_EQ_INT(count(sol, "staticcall(gas(), 0x07, "), ns[i]);
        CHECK_EQ_INT(count(sol, ", R))\n"), ns[i]); /* each input checked below r */
        CHECK_EQ_INT(count(sol, ", P))\n"), 7);     /* 8 coordinates: the first starts "let ok" */
        snprintf(name, sizeof name, "IC%zu_Y", ns[i]);
        char v[80];
        CHECK(constant(v, sol, name));
        snprintf(name, sizeof name, "IC%zu_X", ns[i] + 1);
        CHECK(!constant(v, sol, name));
        free(sol);
        tacit_groth16_vk_free(vk);
        tacit__groth16_trapdoor_free(td);
    }
}

/* An invalid key or name writes nothing and says why. */
TEST(refuses_invalid_keys_and_names)
{
    tacit__groth16_trapdoor *td;
    tacit_groth16_vk *vk;
    uint8_t seed[32] = {3};
    char *sol = (char *)"sentinel", where[TACIT_GROTH16_WHERE_MAX];
    tacit_g1_affine ic1;

    REQUIRE(tacit__groth16_synth_setup(&td, &vk, 2, seed) == TACIT_OK, "a synthetic key");
    CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&sol, vk, "1Verifier", where), TACIT_EINVAL);
    CHECK(sol == NULL);
    CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&sol, vk, NULL, where), TACIT_EINVAL);
    ic1 = vk->ic[1];
    memset(&vk->ic[1], 0, sizeof vk->ic[1]);
    CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&sol, vk, "V", where), TACIT_EVK_INFINITY);
    CHECK(sol == NULL && strcmp(where, "IC[1]") == 0);
    vk->ic[1] = ic1;
    tacit_fp_add(&vk->ic[1].y, &vk->ic[1].y, &TACIT_FP_ONE);
    CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&sol, vk, "V", where), TACIT_ENOT_ON_CURVE);
    CHECK(sol == NULL && strcmp(where, "IC[1]") == 0);
    vk->ic[1] = ic1;
    vk->delta = vk->gamma;
    CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&sol, vk, "V", where), TACIT_EVK_GAMMA_DELTA);
    CHECK(sol == NULL && strcmp(where, "vk_delta_2") == 0);
    tacit_groth16_vk_free(vk);
    tacit__groth16_trapdoor_free(td);
}

TEST(contract_names)
{
    static const char *const good[] = {
        "Groth16Verifier",
        "V",
        "_",
        "$",
        "a1",
        "TransferVerifier_v2",
        "$x$",
        "integer",
        "uintx",
        "bytesX",
        "Fixed128x18",
        "contracts",
        "int_",
        "A234567890123456789012345678901234567890123456789012345678901234", /* 64 */
    };
    static const char *const bad[] = {
        "",
        "1a",
        "a-b",
        "a b",
        "a.b",
        "contract",
        "function",
        "uint256",
        "int8",
        "bytes32",
        "ufixed128x18",
        "fixed",
        "address",
        "mapping",
        "return",
        "verifyProof",
        "this",
        "\xc3\xa9t\xc3\xa9",
        "A2345678901234567890123456789012345678901234567890123456789012345", /* 65 */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!tacit_groth16_solidity_name_is_valid(good[i]))
            tacit__test_fail(__FILE__, __LINE__, "\"%s\" refused", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tacit_groth16_solidity_name_is_valid(bad[i]))
            tacit__test_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
    CHECK(!tacit_groth16_solidity_name_is_valid(NULL));
}

/* The same key and name give the same text; the name is the contract's; plain ASCII. */
TEST(deterministic_and_named)
{
    tacit__groth16_trapdoor *td;
    tacit_groth16_vk *vk;
    uint8_t seed[32] = {9};
    char *a = NULL, *b = NULL;

    REQUIRE(tacit__groth16_synth_setup(&td, &vk, 3, seed) == TACIT_OK, "a synthetic key");
    CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&a, vk, "TransferVerifier", NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_vk_to_solidity(&b, vk, "TransferVerifier", NULL), TACIT_OK);
    REQUIRE(a != NULL && b != NULL, "two contracts were written");
    CHECK(strcmp(a, b) == 0);
    CHECK(strstr(a, "\ncontract TransferVerifier {\n") != NULL);
    CHECK(strncmp(a, "// SPDX-License-Identifier: ", 28) == 0);
    CHECK(strlen(a) > 2 && strcmp(a + strlen(a) - 2, "}\n") == 0);
    for (const char *p = a; *p != '\0'; p++)
        if ((unsigned char)*p >= 0x80 || ((unsigned char)*p < 0x20 && *p != '\n')) {
            tacit__test_fail(__FILE__, __LINE__, "byte 0x%02x at %td", (unsigned char)*p, p - a);
            break;
        }
    free(a);
    free(b);
    tacit_groth16_vk_free(vk);
    tacit__groth16_trapdoor_free(td);
}

static const struct tacit_test tests[] = {
    {"constants_are_the_keys", constants_are_the_keys},
    {"decimal_of_small_and_large_values", decimal_of_small_and_large_values},
    {"zero_and_many_public_inputs", zero_and_many_public_inputs},
    {"refuses_invalid_keys_and_names", refuses_invalid_keys_and_names},
    {"contract_names", contract_names},
    {"deterministic_and_named", deterministic_and_named},
};

TACIT_TEST_MAIN(tests)
