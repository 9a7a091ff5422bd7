/*
 * tacit — the iden3 .r1cs reader and writer (src/zk/r1cs_file.c) against circom's own files
 * (tests/vectors/groth16/valid/{multiplier,merkle}: .r1cs, its snarkjs JSON export, and the
 * witness circom computed), round trips of the transfer circuit, and malformed files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "harness.h"
#include "lib/r1cs_cmp.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/r1cs.h"

static char *vector_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/groth16/valid/%s", tacit_test_vectors_dir(), rel);
    return buf;
}

static bool dec_to_fr(tacit_fr *r, const char *s)
{
    uint64_t l[4];
    return tacit_u256_from_dec(l, s) == TACIT_OK && tacit_fr_from_limbs(r, l) == TACIT_OK;
}

/* A snarkjs `wtns export json` file: an array of decimal strings. NULL on error. */
static tacit_fr *read_wtns_json(const char *rel, size_t *n)
{
    json_error_t err;
    json_t *j = json_load_file(vector_path(rel), 0, &err);
    tacit_fr *w = NULL;

    CHECK(j != NULL && json_is_array(j));
    if (j == NULL) return NULL;
    *n = json_array_size(j);
    w = calloc(*n ? *n : 1, sizeof *w);
    for (size_t i = 0; i < *n; i++) {
        const char *s = json_string_value(json_array_get(j, i));
        if (s == NULL || !dec_to_fr(&w[i], s)) {
            CHECK(false);
            free(w);
            w = NULL;
            break;
        }
    }
    json_decref(j);
    return w;
}

/* A JSON combination {"wire": "coeff", ...} equals lc (same terms, same order). */
static bool lc_equals_json(const tacit_lc *lc, json_t *o)
{
    const char *key;
    json_t *v;
    uint32_t i = 0;

    if (!json_is_object(o) || json_object_size(o) != lc->n) return false;
    json_object_foreach(o, key, v)
    {
        tacit_fr c;
        if (i >= lc->n || (uint32_t)strtoul(key, NULL, 10) != lc->terms[i].var) return false;
        if (!dec_to_fr(&c, json_string_value(v)) || !tacit_fr_eq(&c, &lc->terms[i].coeff))
            return false;
        i++;
    }
    return true;
}

TEST(read_multiplier_matches_its_json)
{
    tacit_r1cs r;
    tacit_r1cs_file_info info;
    json_error_t err;
    json_t *j, *cons;
    tacit_fr *w;
    size_t nw;

    CHECK_EQ_INT(tacit_r1cs_read_file(&r, &info, vector_path("multiplier/multiplier.r1cs")),
                 TACIT_OK);
    j = json_load_file(vector_path("multiplier/multiplier.r1cs.json"), JSON_PRESERVE_ORDER, &err);
    CHECK(j != NULL);
    if (j == NULL) return;
    CHECK_EQ_INT(r.nvars, json_integer_value(json_object_get(j, "nVars")));
    CHECK_EQ_INT(info.n_pub_out, json_integer_value(json_object_get(j, "nOutputs")));
    CHECK_EQ_INT(info.n_pub_in, json_integer_value(json_object_get(j, "nPubInputs")));
    CHECK_EQ_INT(info.n_prv_in, json_integer_value(json_object_get(j, "nPrvInputs")));
    CHECK_EQ_INT(info.n_labels, json_integer_value(json_object_get(j, "nLabels")));
    CHECK_EQ_INT(r.nconstraints, json_integer_value(json_object_get(j, "nConstraints")));
    CHECK_EQ_INT(r.npublic, 2);
    cons = json_object_get(j, "constraints");
    CHECK_EQ_INT(json_array_size(cons), r.nconstraints);
    for (uint32_t i = 0; i < r.nconstraints && i < json_array_size(cons); i++) {
        json_t *c = json_array_get(cons, i);
        CHECK(lc_equals_json(&r.constraints[i].a, json_array_get(c, 0)));
        CHECK(lc_equals_json(&r.constraints[i].b, json_array_get(c, 1)));
        CHECK(lc_equals_json(&r.constraints[i].c, json_array_get(c, 2)));
    }
    json_decref(j);
    /* circom's witness satisfies it; another does not */
    w = read_wtns_json("multiplier/multiplier.wtns.json", &nw);
    if (w != NULL) {
        CHECK_EQ_INT(nw, r.nvars);
        CHECK(tacit_r1cs_is_satisfied(&r, w, NULL));
        tacit_fr_add(&w[3], &w[3], &TACIT_FR_ONE);
        CHECK(!tacit_r1cs_is_satisfied(&r, w, NULL));
        free(w);
    }
    tacit_r1cs_clear(&r);
}

TEST(read_merkle_and_its_witness)
{
    tacit_r1cs r;
    tacit_r1cs_file_info info;
    tacit_fr *w;
    size_t nw;
    uint32_t failed;

    CHECK_EQ_INT(tacit_r1cs_read_file(&r, &info, vector_path("merkle/merkle.r1cs")), TACIT_OK);
    /* circom 2.2.3 --O2: 4860 constraints, public [leaf, root] (README of the vector) */
    CHECK_EQ_INT(r.nconstraints, 4860);
    CHECK_EQ_INT(r.nvars, 4882);
    CHECK_EQ_INT(r.npublic, 2);
    CHECK_EQ_INT(info.n_pub_out, 0);
    CHECK_EQ_INT(info.n_pub_in, 2);
    CHECK_EQ_INT(info.n_prv_in, 40);
    CHECK_EQ_INT(info.n_labels, 15544);
    w = read_wtns_json("merkle/merkle.wtns.json", &nw);
    if (w != NULL) {
        CHECK_EQ_INT(nw, r.nvars);
        CHECK(tacit_r1cs_is_satisfied(&r, w, &failed));
        for (uint32_t k = 0; k < 32; k++) { /* random wires changed */
            uint32_t v = 1 + (uint32_t)(tacit_test_rand64() % (r.nvars - 1));
            tacit_fr keep = w[v];
            tacit_fr_add(&w[v], &w[v], &TACIT_FR_ONE);
            CHECK(!tacit_r1cs_is_satisfied(&r, w, NULL));
            w[v] = keep;
        }
        free(w);
    }
    tacit_r1cs_clear(&r);
}

/* circom's files read, written by tacit and read again give the same system. */
TEST(round_trip_vectors)
{
    static const char *const files[] = {"multiplier/multiplier.r1cs", "merkle/merkle.r1cs"};

    for (size_t k = 0; k < 2; k++) {
        tacit_r1cs a, b, c;
        tacit_r1cs_file_info info;
        uint8_t *e1, *e2;
        size_t l1, l2;

        CHECK_EQ_INT(tacit_r1cs_read_file(&a, NULL, vector_path(files[k])), TACIT_OK);
        CHECK_EQ_INT(tacit_r1cs_write(&e1, &l1, &a), TACIT_OK);
        CHECK_EQ_INT(tacit_r1cs_read(&b, &info, e1, l1), TACIT_OK);
        CHECK(r1cs_equal(&a, &b));
        /* tacit writes all public signals as inputs, every private wire as a private input,
         * and the identity label map */
        CHECK_EQ_INT(info.n_pub_out, 0);
        CHECK_EQ_INT(info.n_pub_in, a.npublic);
        CHECK_EQ_INT(info.n_prv_in, a.nvars - 1 - a.npublic);
        CHECK_EQ_INT(info.n_labels, a.nvars);
        CHECK_EQ_INT(tacit_r1cs_write(&e2, &l2, &b), TACIT_OK);
        CHECK_EQ_INT(l1, l2);
        if (l1 == l2) CHECK_MEM(e1, e2, l1);
        CHECK_EQ_INT(tacit_r1cs_read(&c, NULL, e2, l2), TACIT_OK);
        CHECK(r1cs_equal(&a, &c));
        free(e1);
        free(e2);
        tacit_r1cs_clear(&a);
        tacit_r1cs_clear(&b);
        tacit_r1cs_clear(&c);
    }
}

TEST(round_trip_transfer)
{
    static const unsigned depths[] = {2, 32};

    for (size_t k = 0; k < 2; k++) {
        tacit_r1cs a, b;
        tacit_r1cs_file_info info;
        tacit_fr *w;
        uint32_t n;
        char path[4096];

        CHECK_EQ_INT(tacit_transfer_build(&a, &w, &n, NULL, depths[k]), TACIT_OK);
        snprintf(path, sizeof path, "%s/tacit-test-r1cs-%d-%u.r1cs",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), depths[k]);
        CHECK_EQ_INT(tacit_r1cs_write_file(path, &a), TACIT_OK);
        CHECK_EQ_INT(tacit_r1cs_read_file(&b, &info, path), TACIT_OK);
        remove(path);
        CHECK(r1cs_equal(&a, &b));
        CHECK_EQ_INT(b.npublic, TACIT_TRANSFER_NPUBLIC);
        CHECK_EQ_INT(info.n_pub_in, TACIT_TRANSFER_NPUBLIC);
        CHECK(tacit_r1cs_is_satisfied(&b, w, NULL));
        tacit_r1cs_clear(&a);
        tacit_r1cs_clear(&b);
        tacit_witness_free(w, n);
    }
    CHECK_EQ_INT(tacit_r1cs_read_file(&(tacit_r1cs){0}, NULL, "/nonexistent/x.r1cs"), TACIT_ENOENT);
}

/* --- malformed files ------------------------------------------------------------ */

static uint8_t *load(const char *rel, size_t *len)
{
    return (uint8_t *)tacit_test_read_file(vector_path(rel), len);
}

static int read_buf(const uint8_t *b, size_t len)
{
    tacit_r1cs r;
    int rc = tacit_r1cs_read(&r, NULL, b, len);
    if (rc == TACIT_OK)
        tacit_r1cs_clear(&r);
    else
        CHECK(r.constraints == NULL && r.nconstraints == 0);
    return rc;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

TEST(malformed_files_are_refused)
{
    size_t len;
    uint8_t *f = load("multiplier/multiplier.r1cs", &len), *b;

    CHECK(f != NULL);
    if (f == NULL) return;
    CHECK_EQ_INT(len, 264);
    CHECK_EQ_INT(read_buf(f, len), TACIT_OK);
    /* every truncation */
    for (size_t l = 0; l < len; l++) CHECK(read_buf(f, l) != TACIT_OK);
    b = malloc(len + 8);
    /* trailing bytes */
    memcpy(b, f, len);
    memset(b + len, 0, 8);
    CHECK_EQ_INT(read_buf(b, len + 8), TACIT_EENCODING);
    /* the file's layout (circom): sections 2 @12 (size 0x78), 1 @144 (size 0x40), 3 @220 */
#define FRESH() memcpy(b, f, len)
    FRESH();
    b[0] = 'R';
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 4, 2); /* version */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 156, 48); /* n8 */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EPROTOCOL);
    FRESH();
    b[160] ^= 1; /* prime */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EPROTOCOL);
    FRESH();
    put32(b + 144, 2); /* the header section retyped: constraints twice, no header */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 144, 4); /* custom gates */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 144, 9); /* an unknown section instead of the header: header missing */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 192, 3); /* nWires 4 -> 3: wire 3 out of range, map size wrong */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 216, 2); /* two constraints announced, one present */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 216, 0x7fffffff); /* absurd count: refused before any allocation */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 24, 0x7fffffff); /* absurd term count */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 28, 4); /* wire id out of range */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    memset(b + 32, 0xff, 32); /* coefficient >= r */
    CHECK_EQ_INT(read_buf(b, len), TACIT_ENONCANONICAL);
    FRESH();
    put32(b + 220, 7); /* the map retyped: missing */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    FRESH();
    put32(b + 8, 4); /* one more section announced than present */
    CHECK_EQ_INT(read_buf(b, len), TACIT_EENCODING);
    /* random corruption never crashes (the sanitizers watch) */
    for (int it = 0; it < tacit_test_iters(2000); it++) {
        FRESH();
        for (int k = 0; k < 1 + (int)(tacit_test_rand64() % 4); k++)
            b[tacit_test_rand64() % len] = (uint8_t)tacit_test_rand64();
        (void)read_buf(b, len);
    }
#undef FRESH
    free(b);
    free(f);
}

TEST(writer_refuses_malformed_systems)
{
    tacit_r1cs r = {0};
    tacit_constraint k;
    tacit_lc_term t;
    uint8_t *out;
    size_t len;

    memset(&k, 0, sizeof k);
    t.var = 5;
    t.coeff = TACIT_FR_ONE;
    CHECK_EQ_INT(tacit_r1cs_write(&out, &len, &r), TACIT_EINVAL); /* nvars = 0 */
    r.nvars = 3;
    r.npublic = 3;
    CHECK_EQ_INT(tacit_r1cs_write(&out, &len, &r), TACIT_EINVAL); /* npublic >= nvars */
    r.npublic = 1;
    r.nconstraints = 1;
    r.constraints = &k;
    k.a.terms = &t;
    k.a.n = 1;
    CHECK_EQ_INT(tacit_r1cs_write(&out, &len, &r), TACIT_EINVAL); /* variable 5 >= 3 */
    CHECK(out == NULL);
    t.var = 2;
    CHECK_EQ_INT(tacit_r1cs_write(&out, &len, &r), TACIT_OK);
    CHECK_EQ_INT(len, 12 + 3 * 12 + 64 + (4 + 36 + 4 + 4) + 3 * 8);
    free(out);
}

static const struct tacit_test tests[] = {
    {"read_multiplier_matches_its_json", read_multiplier_matches_its_json},
    {"read_merkle_and_its_witness", read_merkle_and_its_witness},
    {"round_trip_vectors", round_trip_vectors},
    {"round_trip_transfer", round_trip_transfer},
    {"malformed_files_are_refused", malformed_files_are_refused},
    {"writer_refuses_malformed_systems", writer_refuses_malformed_systems},
};
TACIT_TEST_MAIN(tests)
