/*
 * tacit — Groth16: the snarkjs vectors (every valid one accepted, every invalid one
 * rejected for exactly its reason), key validation, batch verification naming the bad
 * proofs, the binary proof form, strict JSON, and the synthetic key/proof generator.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "zk/groth16_internal.h"
#include "zk/groth16_synth.h"

/* ------------------------------------------------------------ helpers ---- */

static char *vec_path(char *buf, size_t n, const char *sub, const char *file)
{
    snprintf(buf, n, "%s/groth16/%s/%s", tacit_test_vectors_dir(), sub, file);
    return buf;
}

static json_t *load_json(const char *sub, const char *file)
{
    char path[1024];
    json_error_t err;
    json_t *j = json_load_file(vec_path(path, sizeof path, sub, file), 0, &err);
    if (j == NULL) fprintf(stderr, "cannot load %s: %s\n", path, err.text);
    return j;
}

static char *dumps(const json_t *j) { return json_dumps(j, JSON_COMPACT); }

/* A vector's key/proof/public, parsed. */
struct triple {
    tacit_groth16_vk *vk;
    tacit_groth16_pvk *pvk;
    tacit_groth16_proof proof;
    tacit_fr *pub;
    size_t npub;
};

static void triple_free(struct triple *t)
{
    tacit_groth16_pvk_free(t->pvk);
    tacit_groth16_vk_free(t->vk);
    tacit_groth16_public_free(t->pub);
    memset(t, 0, sizeof *t);
}

/* Loads and verifies one vector folder the way the CLI does: first failing step wins. */
static int run_vector(struct triple *t, const char *sub)
{
    char path[1024], where[TACIT_GROTH16_WHERE_MAX];
    char *buf;
    size_t len;
    int rc;

    memset(t, 0, sizeof *t);
    if ((buf = tacit_test_read_file(vec_path(path, sizeof path, sub, "verification_key.json"),
                                    &len)) == NULL)
        return -1;
    rc = tacit_groth16_vk_from_json(&t->vk, buf, len, where);
    free(buf);
    if (rc != TACIT_OK) return rc;
    if ((rc = tacit_groth16_pvk_new(&t->pvk, t->vk, where)) != TACIT_OK) return rc;
    if ((buf = tacit_test_read_file(vec_path(path, sizeof path, sub, "public.json"), &len)) == NULL)
        return -1;
    rc = tacit_groth16_public_from_json(&t->pub, &t->npub, buf, len, where);
    free(buf);
    if (rc != TACIT_OK) return rc;
    if ((buf = tacit_test_read_file(vec_path(path, sizeof path, sub, "proof.json"), &len)) == NULL)
        return -1;
    rc = tacit_groth16_proof_from_json(&t->proof, buf, len, where);
    free(buf);
    if (rc != TACIT_OK) return rc;
    return tacit_groth16_verify_var(t->pvk, &t->proof, t->pub, t->npub);
}

static int cmp_name(const void *a, const void *b);

/* Folder names of groth16/<kind>/, sorted; returns the count (at most max). */
static size_t list_dirs(char names[][128], size_t max, const char *kind)
{
    char path[1024];
    DIR *d;
    struct dirent *e;
    size_t n = 0;

    snprintf(path, sizeof path, "%s/groth16/%s", tacit_test_vectors_dir(), kind);
    if ((d = opendir(path)) == NULL) return 0;
    while ((e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len >= 128) continue;
        memcpy(names[n++], e->d_name, len + 1);
    }
    closedir(d);
    qsort(names, n, 128, cmp_name);
    return n;
}

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ----------------------------------------------------------- vectors ---- */

/* What each invalid vector's suffix must be rejected as (tests/vectors/groth16/README.md). */
static const struct {
    const char *suffix;
    int code, alt; /* alt: a second acceptable code, or -1 */
} expected[] = {
    {"_pub0_plus1", TACIT_EVERIFY, -1},
    {"_pub0_plus_r", TACIT_EPUBLIC_INPUT, -1},
    {"_pub_missing_last", TACIT_ENPUBLIC, -1},
    {"_pub_extra_zero", TACIT_ENPUBLIC, -1},
    {"_pia_neg", TACIT_EVERIFY, -1},
    {"_pia_not_on_curve", TACIT_ENOT_ON_CURVE, -1},
    {"_pia_x_plus_p", TACIT_ENONCANONICAL, -1},
    {"_pia_jacobian_z2", TACIT_ENOTAFFINE, -1},
    {"_pia_infinity", TACIT_EINFINITY, -1},
    {"_pib_c0c1_swapped", TACIT_ENOT_ON_CURVE, -1},
    {"_pib_not_in_subgroup", TACIT_ENOT_IN_SUBGROUP, -1},
    {"_wrong_vk", TACIT_EVERIFY, TACIT_ENPUBLIC},
};

TEST(valid_vectors_verify)
{
    char names[64][128];
    size_t n = list_dirs(names, 64, "valid");

    CHECK(n >= 4);
    for (size_t i = 0; i < n; i++) {
        char sub[200];
        struct triple t;
        snprintf(sub, sizeof sub, "valid/%s", names[i]);
        int rc = run_vector(&t, sub);
        if (rc != TACIT_OK) fprintf(stderr, "%s: %s\n", sub, tacit_errname(rc));
        CHECK_EQ_INT(rc, TACIT_OK);
        triple_free(&t);
    }
}

TEST(invalid_vectors_rejected_for_their_reason)
{
    char names[128][128];
    size_t n = list_dirs(names, 128, "invalid");

    CHECK(n >= 20);
    for (size_t i = 0; i < n; i++) {
        char sub[200];
        struct triple t;
        size_t k;
        for (k = 0; k < sizeof expected / sizeof expected[0]; k++)
            if (ends_with(names[i], expected[k].suffix)) break;
        if (k == sizeof expected / sizeof expected[0]) {
            fprintf(stderr, "invalid/%s: no expected reason for this suffix\n", names[i]);
            CHECK(0);
            continue;
        }
        snprintf(sub, sizeof sub, "invalid/%s", names[i]);
        int rc = run_vector(&t, sub);
        if (rc != expected[k].code && rc != expected[k].alt) {
            fprintf(stderr, "%s: got %s, want %s\n", sub, tacit_errname(rc),
                    tacit_errname(expected[k].code));
            CHECK(0);
        }
        triple_free(&t);
    }
}

/* The batch API over the valid vectors: each with a few re-randomized copies of itself. */
TEST(batch_valid_vectors)
{
    char names[64][128];
    size_t n = list_dirs(names, 64, "valid");

    for (size_t i = 0; i < n; i++) {
        char sub[200];
        struct triple t;
        tacit_groth16_proof proofs[5];
        tacit_groth16_item items[5];
        int results[5];
        snprintf(sub, sizeof sub, "valid/%s", names[i]);
        CHECK_EQ_INT(run_vector(&t, sub), TACIT_OK);
        if (t.pvk == NULL) {
            triple_free(&t);
            continue;
        }
        proofs[0] = t.proof;
        for (int k = 1; k < 5; k++) {
            uint8_t seed[32];
            tacit_test_rand_bytes(seed, sizeof seed);
            tacit__groth16_rerandomize(&proofs[k], &t.proof, &t.vk->delta, seed);
            CHECK(memcmp(&proofs[k], &t.proof, sizeof t.proof) != 0);
        }
        for (int k = 0; k < 5; k++) items[k] = (tacit_groth16_item){&proofs[k], t.pub, t.npub};
        for (size_t m = 0; m <= 5; m++) {
            /* the combined check itself passes (not the single-proof fallback) */
            CHECK_EQ_INT(tacit__groth16_batch_combined_var(t.pvk, items, m), TACIT_OK);
            CHECK_EQ_INT(tacit_groth16_verify_batch_var(results, t.pvk, items, m), TACIT_OK);
            for (size_t k = 0; k < m; k++) CHECK_EQ_INT(results[k], TACIT_OK);
        }
        triple_free(&t);
    }
}

/* The merkle vector and n re-randomized copies of its proof (all valid) as batch items; false
 * (t freed) when the vector is missing. */
static bool merkle_copies(struct triple *t, tacit_groth16_proof *proofs, tacit_groth16_item *items,
                          size_t n)
{
    CHECK_EQ_INT(run_vector(t, "valid/merkle"), TACIT_OK);
    if (t->pvk == NULL || t->npub != 2) {
        triple_free(t);
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        uint8_t seed[32];
        tacit_test_rand_bytes(seed, sizeof seed);
        tacit__groth16_rerandomize(&proofs[k], &t->proof, &t->vk->delta, seed);
        items[k] = (tacit_groth16_item){&proofs[k], t->pub, t->npub};
    }
    return true;
}

/* 64 valid proofs (one real snarkjs proof, re-randomized) and one bad one at a random
 * position: the batch names exactly that one. */
TEST(batch_64_names_the_bad_one)
{
    enum { N = 64 };
    struct triple t;
    static tacit_groth16_proof proofs[N];
    tacit_groth16_item items[N];
    int results[N];
    tacit_fr bad_pub[2];
    int iters = tacit_test_iters(2);

    if (iters > 16) iters = 16; /* each one falls back to 64 single verifications */
    if (!merkle_copies(&t, proofs, items, N)) return;
    CHECK_EQ_INT(tacit__groth16_batch_combined_var(t.pvk, items, N), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_verify_batch_var(results, t.pvk, items, N), TACIT_OK);
    for (int k = 0; k < N; k++) CHECK_EQ_INT(results[k], TACIT_OK);

    bad_pub[0] = t.pub[0];
    tacit_fr_add(&bad_pub[1], &t.pub[1], &TACIT_FR_ONE);
    for (int it = 0; it < iters; it++) {
        size_t bad = (size_t)(tacit_test_rand64() % N);
        tacit_groth16_proof saved = proofs[bad];
        /* Alternate the kind of badness: wrong public input, or -A. */
        if (it % 2 == 0) {
            items[bad].pub = bad_pub;
        } else {
            tacit_fp_neg(&proofs[bad].a.y, &proofs[bad].a.y);
        }
        CHECK_EQ_INT(tacit__groth16_batch_combined_var(t.pvk, items, N), TACIT_EVERIFY);
        CHECK_EQ_INT(tacit_groth16_verify_batch_var(results, t.pvk, items, N), TACIT_EVERIFY);
        for (size_t k = 0; k < N; k++)
            CHECK_EQ_INT(results[k], k == bad ? TACIT_EVERIFY : TACIT_OK);
        items[bad].pub = t.pub;
        proofs[bad] = saved;
    }
    triple_free(&t);
}

/* The batch on several threads (slices of its own): 200 valid proofs pass; a bad one at a
 * random position and a proof with the wrong input count in another slice are named, the rest
 * pass. */
TEST(batch_par_names_the_bad_ones)
{
    enum { N = 200 };
    struct triple t;
    static tacit_groth16_proof proofs[N];
    tacit_groth16_item items[N];
    int results[N];
    tacit_fr bad_pub[2];

    if (!merkle_copies(&t, proofs, items, N)) return;
    for (unsigned threads = 0; threads <= 3; threads++) {
        CHECK_EQ_INT(tacit_groth16_verify_batch_par_var(results, t.pvk, items, N, threads),
                     TACIT_OK);
        for (int k = 0; k < N; k++) CHECK_EQ_INT(results[k], TACIT_OK);
    }
    {
        size_t bad = (size_t)(tacit_test_rand64() % (N / 2)), wrong = N - 1;
        bad_pub[0] = t.pub[0];
        tacit_fr_add(&bad_pub[1], &t.pub[1], &TACIT_FR_ONE);
        items[bad].pub = bad_pub;
        items[wrong].npub = 1;
        CHECK_EQ_INT(tacit_groth16_verify_batch_par_var(results, t.pvk, items, N, 3),
                     TACIT_EVERIFY);
        for (size_t k = 0; k < N; k++)
            CHECK_EQ_INT(results[k], k == bad     ? TACIT_EVERIFY
                                     : k == wrong ? TACIT_ENPUBLIC
                                                  : TACIT_OK);
    }
    triple_free(&t);
}

/* Proofs that fail the per-proof checks get their own reason; the rest still batch. */
TEST(batch_per_proof_reasons)
{
    struct triple t, sg;
    tacit_groth16_proof proofs[8];
    tacit_groth16_item items[8];
    int results[8];
    tacit_fr extra[3];

    CHECK_EQ_INT(run_vector(&t, "valid/multiplier"), TACIT_OK);
    CHECK_EQ_INT(run_vector(&sg, "invalid/multiplier_pib_not_in_subgroup"), TACIT_ENOT_IN_SUBGROUP);
    if (t.pvk == NULL || sg.pub == NULL) goto out;
    for (int k = 0; k < 8; k++) {
        uint8_t seed[32];
        tacit_test_rand_bytes(seed, sizeof seed);
        tacit__groth16_rerandomize(&proofs[k], &t.proof, &t.vk->delta, seed);
        items[k] = (tacit_groth16_item){&proofs[k], t.pub, t.npub};
    }
    memcpy(extra, t.pub, 2 * sizeof *extra);
    extra[2] = TACIT_FR_ZERO;
    items[1].npub = 1;                                     /* missing input */
    items[2] = (tacit_groth16_item){&proofs[2], extra, 3}; /* extra input */
    proofs[3] = sg.proof;                                  /* B outside G2 */
    memset(&proofs[4].c, 0, sizeof proofs[4].c);           /* C at infinity */
    proofs[5].a.y = proofs[5].a.x;                         /* A off the curve */
    CHECK_EQ_INT(tacit_groth16_verify_batch_var(results, t.pvk, items, 8), TACIT_ENPUBLIC);
    CHECK_EQ_INT(results[0], TACIT_OK);
    CHECK_EQ_INT(results[1], TACIT_ENPUBLIC);
    CHECK_EQ_INT(results[2], TACIT_ENPUBLIC);
    CHECK_EQ_INT(results[3], TACIT_ENOT_IN_SUBGROUP);
    CHECK_EQ_INT(results[4], TACIT_EINFINITY);
    CHECK_EQ_INT(results[5], TACIT_ENOT_ON_CURVE);
    CHECK_EQ_INT(results[6], TACIT_OK);
    CHECK_EQ_INT(results[7], TACIT_OK);
    /* Only one left that passes the checks: the single-proof path. */
    items[6].npub = 0;
    items[7].npub = 0;
    CHECK_EQ_INT(tacit_groth16_verify_batch_var(results, t.pvk, items, 8), TACIT_ENPUBLIC);
    CHECK_EQ_INT(results[0], TACIT_OK);
    CHECK_EQ_INT(results[6], TACIT_ENPUBLIC);
out:
    triple_free(&t);
    triple_free(&sg);
}

/* B outside G2 in a batch of 40 (three Miller-loop chunks): three such proofs, in different
 * chunks, are named TACIT_ENOT_IN_SUBGROUP by the batch's own Miller loops, as by a single
 * verification and tacit_groth16_proof_check_var; the others still pass, or, with a proof
 * whose pairing fails beside them, that one alone is named TACIT_EVERIFY. */
TEST(batch_b_outside_g2)
{
    enum { N = 40 };
    static const size_t bad_b[3] = {1, 17, 39};
    const size_t bad_pairing = 20;
    struct triple t, sg;
    static tacit_groth16_proof proofs[N];
    tacit_groth16_item items[N];
    int results[N];
    tacit_fr bad_pub[2];
    tacit_g2_affine outside[3];
    tacit_g2 x, g;

    CHECK_EQ_INT(run_vector(&sg, "invalid/multiplier_pib_not_in_subgroup"), TACIT_ENOT_IN_SUBGROUP);
    if (sg.pub == NULL) {
        triple_free(&sg);
        return;
    }
    if (!merkle_copies(&t, proofs, items, N)) {
        triple_free(&sg);
        return;
    }
    /* three points of the twist outside G2: B, -B, and B plus the generator of G2 */
    outside[0] = sg.proof.b;
    outside[1] = sg.proof.b;
    tacit_fp2_neg(&outside[1].y, &outside[1].y);
    tacit_g2_from_affine(&x, &sg.proof.b);
    tacit_g2_from_affine(&g, &TACIT_G2_GENERATOR);
    tacit_g2_add(&x, &x, &g);
    tacit_g2_to_affine(&outside[2], &x);
    for (int k = 0; k < 3; k++) {
        proofs[bad_b[k]].b = outside[k];
        CHECK(tacit_g2_affine_is_on_curve(&outside[k]));
        CHECK(!tacit_g2_is_in_subgroup_var(&outside[k]));
        CHECK_EQ_INT(tacit_groth16_proof_check_var(&proofs[bad_b[k]]), TACIT_ENOT_IN_SUBGROUP);
        CHECK_EQ_INT(tacit_groth16_verify_var(t.pvk, &proofs[bad_b[k]], t.pub, t.npub),
                     TACIT_ENOT_IN_SUBGROUP);
    }
    CHECK_EQ_INT(tacit__groth16_batch_combined_var(t.pvk, items, N), TACIT_ENOT_IN_SUBGROUP);
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            bad_pub[0] = t.pub[0];
            tacit_fr_add(&bad_pub[1], &t.pub[1], &TACIT_FR_ONE);
            items[bad_pairing].pub = bad_pub;
        }
        CHECK_EQ_INT(tacit_groth16_verify_batch_var(results, t.pvk, items, N),
                     TACIT_ENOT_IN_SUBGROUP);
        for (size_t k = 0; k < N; k++) {
            bool b = k == bad_b[0] || k == bad_b[1] || k == bad_b[2];
            int want = b                                ? TACIT_ENOT_IN_SUBGROUP
                       : round == 1 && k == bad_pairing ? TACIT_EVERIFY
                                                        : TACIT_OK;
            CHECK_EQ_INT(results[k], want);
        }
    }
    triple_free(&t);
    triple_free(&sg);
}

/* ------------------------------------------------------- key checks ---- */

/* Parses a vk after `edit` changed the multiplier key's JSON. */
static int vk_edited(void (*edit)(json_t *vk), char *where)
{
    json_t *j = load_json("valid/multiplier", "verification_key.json");
    tacit_groth16_vk *vk = NULL;
    char *s;
    int rc;

    if (j == NULL) return -1;
    edit(j);
    s = dumps(j);
    rc = tacit_groth16_vk_from_json(&vk, s, strlen(s), where);
    CHECK((rc == TACIT_OK) == (vk != NULL));
    tacit_groth16_vk_free(vk);
    free(s);
    json_decref(j);
    return rc;
}

static void edit_none(json_t *vk) { (void)vk; }
static void edit_gamma_eq_delta(json_t *vk)
{
    json_object_set(vk, "vk_delta_2", json_object_get(vk, "vk_gamma_2"));
}
static void edit_gamma_eq_minus_delta(json_t *vk)
{
    /* -gamma = (x, -y): y.c_i -> p - y.c_i, done with the library's own arithmetic */
    json_t *g = json_deep_copy(json_object_get(vk, "vk_gamma_2")), *y = json_array_get(g, 1);
    for (int i = 0; i < 2; i++) {
        uint64_t l[4];
        tacit_fp v;
        char s[79];
        CHECK_EQ_INT(tacit_u256_from_dec(l, json_string_value(json_array_get(y, (size_t)i))),
                     TACIT_OK);
        CHECK_EQ_INT(tacit_fp_from_limbs(&v, l), TACIT_OK);
        tacit_fp_neg(&v, &v);
        tacit_fp_to_limbs(l, &v);
        tacit_u256_to_dec(s, l);
        json_array_set_new(y, (size_t)i, json_string(s));
    }
    json_object_set_new(vk, "vk_delta_2", g);
}
static void edit_ic_short(json_t *vk) { json_array_remove(json_object_get(vk, "IC"), 2); }
static void edit_ic_long(json_t *vk)
{
    json_t *ic = json_object_get(vk, "IC");
    json_array_append(ic, json_array_get(ic, 0));
}
static void edit_npublic_str(json_t *vk) { json_object_set_new(vk, "nPublic", json_string("2")); }
static void edit_alpha_inf(json_t *vk)
{
    json_object_set_new(vk, "vk_alpha_1", json_pack("[sss]", "0", "1", "0"));
}
static void edit_ic1_inf(json_t *vk)
{
    json_array_set_new(json_object_get(vk, "IC"), 1, json_pack("[sss]", "0", "1", "0"));
}
static void edit_beta_inf(json_t *vk)
{
    json_object_set_new(vk, "vk_beta_2", json_pack("[[ss][ss][ss]]", "0", "0", "1", "0", "0", "0"));
}
static void edit_alpha_off_curve(json_t *vk)
{
    json_t *a = json_object_get(vk, "vk_alpha_1");
    json_array_set(a, 1, json_array_get(a, 0));
}
static void edit_ic0_zero_zero(json_t *vk)
{
    json_array_set_new(json_object_get(vk, "IC"), 0, json_pack("[sss]", "0", "0", "1"));
}
static void edit_delta_off_curve(json_t *vk)
{
    json_t *d = json_object_get(vk, "vk_delta_2");
    json_array_set(d, 1, json_array_get(d, 0));
}
static void edit_gamma_not_in_g2(json_t *vk)
{
    json_t *p = load_json("invalid/multiplier_pib_not_in_subgroup", "proof.json");
    json_object_set(vk, "vk_gamma_2", json_object_get(p, "pi_b"));
    json_decref(p);
}
static void edit_protocol(json_t *vk) { json_object_set_new(vk, "protocol", json_string("plonk")); }
static void edit_curve(json_t *vk) { json_object_set_new(vk, "curve", json_string("bls12381")); }
static void edit_no_protocol(json_t *vk) { json_object_del(vk, "protocol"); }
static void edit_alpha_z2(json_t *vk)
{
    json_array_set_new(json_object_get(vk, "vk_alpha_1"), 2, json_string("2"));
}
static void edit_beta_z10(json_t *vk)
{
    json_t *z = json_array_get(json_object_get(vk, "vk_beta_2"), 2);
    json_array_set_new(z, 1, json_string("1"));
}
static void edit_alpha_x_plus_p(json_t *vk)
{
    /* x + p as a decimal string: the point is the same mod p, the encoding not canonical */
    json_t *a = json_object_get(vk, "vk_alpha_1");
    static const uint64_t p[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL,
                                  0xb85045b68181585dULL, 0x30644e72e131a029ULL};
    uint64_t l[4], c = 0;
    char s[79];
    CHECK_EQ_INT(tacit_u256_from_dec(l, json_string_value(json_array_get(a, 0))), TACIT_OK);
    for (int i = 0; i < 4; i++) {
        unsigned __int128 t = (unsigned __int128)l[i] + p[i] + c;
        l[i] = (uint64_t)t;
        c = (uint64_t)(t >> 64);
    }
    tacit_u256_to_dec(s, l);
    json_array_set_new(a, 0, json_string(s));
}
static void edit_alpha_number(json_t *vk)
{
    json_array_set_new(json_object_get(vk, "vk_alpha_1"), 2, json_integer(1));
}
static void edit_missing_ic(json_t *vk) { json_object_del(vk, "IC"); }
static void edit_alphabeta_garbage(json_t *vk)
{
    json_object_set_new(vk, "vk_alphabeta_12", json_string("ignored"));
}

TEST(vk_validation)
{
    static const struct {
        void (*edit)(json_t *);
        int code;
        const char *where;
    } cases[] = {
        {edit_none, TACIT_OK, ""},
        {edit_alphabeta_garbage, TACIT_OK, ""},
        {edit_gamma_eq_delta, TACIT_EVK_GAMMA_DELTA, "vk_delta_2"},
        {edit_gamma_eq_minus_delta, TACIT_EVK_GAMMA_DELTA, "vk_delta_2"},
        {edit_ic_short, TACIT_EVK_IC_LENGTH, "IC"},
        {edit_ic_long, TACIT_EVK_IC_LENGTH, "IC"},
        {edit_npublic_str, TACIT_EENCODING, "nPublic"},
        {edit_missing_ic, TACIT_EENCODING, "IC"},
        {edit_alpha_inf, TACIT_EVK_INFINITY, "vk_alpha_1"},
        {edit_ic1_inf, TACIT_EVK_INFINITY, "IC[1]"},
        {edit_beta_inf, TACIT_EVK_INFINITY, "vk_beta_2"},
        {edit_alpha_off_curve, TACIT_ENOT_ON_CURVE, "vk_alpha_1"},
        {edit_ic0_zero_zero, TACIT_ENOT_ON_CURVE, "IC[0]"},
        {edit_delta_off_curve, TACIT_ENOT_ON_CURVE, "vk_delta_2"},
        {edit_gamma_not_in_g2, TACIT_ENOT_IN_SUBGROUP, "vk_gamma_2"},
        {edit_protocol, TACIT_EPROTOCOL, "protocol"},
        {edit_curve, TACIT_EPROTOCOL, "curve"},
        {edit_no_protocol, TACIT_EPROTOCOL, "protocol"},
        {edit_alpha_z2, TACIT_ENOTAFFINE, "vk_alpha_1"},
        {edit_beta_z10, TACIT_ENOTAFFINE, "vk_beta_2"},
        {edit_alpha_x_plus_p, TACIT_ENONCANONICAL, "vk_alpha_1"},
        {edit_alpha_number, TACIT_EENCODING, "vk_alpha_1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char where[TACIT_GROTH16_WHERE_MAX];
        int rc = vk_edited(cases[i].edit, where);
        if (rc != cases[i].code || strcmp(where, cases[i].where) != 0) {
            fprintf(stderr, "vk case %zu: got %s at \"%s\", want %s at \"%s\"\n", i,
                    tacit_errname(rc), where, tacit_errname(cases[i].code), cases[i].where);
            CHECK(0);
        }
    }
}

/* A key built in memory is checked again when prepared. */
TEST(pvk_new_checks_the_key)
{
    tacit__groth16_trapdoor *td;
    tacit_groth16_vk *vk;
    tacit_groth16_pvk *pvk;
    uint8_t seed[32];
    char where[TACIT_GROTH16_WHERE_MAX];

    tacit_test_rand_bytes(seed, sizeof seed);
    CHECK_EQ_INT(tacit__groth16_synth_setup(&td, &vk, 3, seed), TACIT_OK);
    if (vk == NULL) return;
    CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk, where), TACIT_OK);
    tacit_groth16_pvk_free(pvk);
    vk->delta = vk->gamma;
    CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk, where), TACIT_EVK_GAMMA_DELTA);
    CHECK(pvk == NULL);
    memset(&vk->ic[3], 0, sizeof vk->ic[3]);
    CHECK_EQ_INT(tacit_groth16_vk_check_var(vk, where), TACIT_EVK_INFINITY);
    CHECK(strcmp(where, "IC[3]") == 0);
    tacit_groth16_vk_free(vk);
    tacit__groth16_trapdoor_free(td);
    tacit_groth16_vk_free(NULL);
    tacit_groth16_pvk_free(NULL);
}

/* ------------------------------------------------------ proof JSON ---- */

static int proof_edited(const char *sub, void (*edit)(json_t *), char *where)
{
    json_t *j = load_json(sub, "proof.json");
    tacit_groth16_proof p;
    char *s;
    int rc;

    if (j == NULL) return -1;
    edit(j);
    s = dumps(j);
    rc = tacit_groth16_proof_from_json(&p, s, strlen(s), where);
    free(s);
    json_decref(j);
    return rc;
}

static void pedit_none(json_t *p) { (void)p; }
static void pedit_protocol(json_t *p) { json_object_set_new(p, "protocol", json_string("fflonk")); }
static void pedit_no_protocol(json_t *p)
{
    json_object_del(p, "protocol");
    json_object_del(p, "curve");
}
static void pedit_b_inf(json_t *p)
{
    json_object_set_new(p, "pi_b", json_pack("[[ss][ss][ss]]", "0", "0", "1", "0", "0", "0"));
}
static void pedit_b_z(json_t *p)
{
    json_array_set_new(json_array_get(json_object_get(p, "pi_b"), 2), 0, json_string("2"));
}
static void pedit_c_inf(json_t *p)
{
    json_object_set_new(p, "pi_c", json_pack("[sss]", "0", "1", "0"));
}
static void pedit_c_short(json_t *p) { json_array_remove(json_object_get(p, "pi_c"), 2); }
static void pedit_c_leading_zero(json_t *p)
{
    json_t *c = json_object_get(p, "pi_c");
    char s[100];
    snprintf(s, sizeof s, "0%s", json_string_value(json_array_get(c, 0)));
    json_array_set_new(c, 0, json_string(s));
}
static void pedit_a_hex(json_t *p)
{
    json_array_set_new(json_object_get(p, "pi_a"), 0, json_string("0x1"));
}
static void pedit_a_neg(json_t *p)
{
    json_array_set_new(json_object_get(p, "pi_a"), 1, json_string("-2"));
}
static void pedit_a_float(json_t *p)
{
    json_array_set_new(json_object_get(p, "pi_a"), 0, json_real(1.0));
}
static void pedit_no_c(json_t *p) { json_object_del(p, "pi_c"); }
static void pedit_b_fp2_3(json_t *p)
{
    json_array_append_new(json_array_get(json_object_get(p, "pi_b"), 0), json_string("0"));
}

TEST(proof_json_strict)
{
    static const struct {
        void (*edit)(json_t *);
        int code;
        const char *where;
    } cases[] = {
        {pedit_none, TACIT_OK, ""},
        {pedit_no_protocol, TACIT_OK, ""},
        {pedit_protocol, TACIT_EPROTOCOL, "protocol"},
        {pedit_b_inf, TACIT_EINFINITY, "pi_b"},
        {pedit_b_z, TACIT_ENOTAFFINE, "pi_b"},
        {pedit_c_inf, TACIT_EINFINITY, "pi_c"},
        {pedit_c_short, TACIT_EENCODING, "pi_c"},
        {pedit_c_leading_zero, TACIT_EENCODING, "pi_c"},
        {pedit_a_hex, TACIT_EENCODING, "pi_a"},
        {pedit_a_neg, TACIT_EENCODING, "pi_a"},
        {pedit_a_float, TACIT_EENCODING, "pi_a"},
        {pedit_no_c, TACIT_EENCODING, "pi_c"},
        {pedit_b_fp2_3, TACIT_EENCODING, "pi_b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char where[TACIT_GROTH16_WHERE_MAX];
        int rc = proof_edited("valid/multiplier", cases[i].edit, where);
        if (rc != cases[i].code || strcmp(where, cases[i].where) != 0) {
            fprintf(stderr, "proof case %zu: got %s at \"%s\", want %s at \"%s\"\n", i,
                    tacit_errname(rc), where, tacit_errname(cases[i].code), cases[i].where);
            CHECK(0);
        }
    }
}

TEST(json_syntax_and_duplicate_keys)
{
    static const char *const bad[] = {
        "",
        "{",
        "{\"pi_a\": [\"1\", \"2\", \"1\"], \"pi_a\": [\"1\", \"2\", \"1\"]}",
        "{\"a\": {\"x\": 1, \"x\": 2}}",
        "{} trailing",
        "[\"1\",]",
    };
    tacit_groth16_proof p;
    tacit_groth16_vk *vk;
    tacit_fr *pub;
    size_t n;
    char *s;
    json_t *j;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(tacit_groth16_proof_from_json(&p, bad[i], strlen(bad[i]), NULL), TACIT_EJSON);
        CHECK_EQ_INT(tacit_groth16_vk_from_json(&vk, bad[i], strlen(bad[i]), NULL), TACIT_EJSON);
        CHECK_EQ_INT(tacit_groth16_public_from_json(&pub, &n, bad[i], strlen(bad[i]), NULL),
                     TACIT_EJSON);
    }
    /* A real key with a duplicated "IC" key (textual edit: jansson cannot write one). */
    if ((j = load_json("valid/multiplier", "verification_key.json")) != NULL) {
        char *dup;
        s = dumps(j);
        dup = malloc(strlen(s) + 64);
        sprintf(dup, "{\"IC\": [], %s", s + 1);
        CHECK_EQ_INT(tacit_groth16_vk_from_json(&vk, dup, strlen(dup), NULL), TACIT_EJSON);
        CHECK_EQ_INT(tacit_groth16_vk_from_json(&vk, s, strlen(s), NULL), TACIT_OK);
        tacit_groth16_vk_free(vk);
        free(dup);
        free(s);
        json_decref(j);
    }
    /* Not NUL-terminated: only len bytes are read. */
    CHECK_EQ_INT(tacit_groth16_public_from_json(&pub, &n, "[\"7\"]garbage", 5, NULL), TACIT_OK);
    CHECK_EQ_INT(n, 1);
    tacit_groth16_public_free(pub);
}

/* ------------------------------------------------------ public.json ---- */

TEST(public_json_strict)
{
    static const struct {
        const char *json;
        int code;
        size_t n;
    } cases[] = {
        {"[]", TACIT_OK, 0},
        {"[\"0\"]", TACIT_OK, 1},
        {"[\"1\", \"2\", \"3\"]", TACIT_OK, 3},
        /* r - 1 and r */
        {"[\"21888242871839275222246405745257275088548364400416034343698204186575808495616\"]",
         TACIT_OK, 1},
        {"[\"21888242871839275222246405745257275088548364400416034343698204186575808495617\"]",
         TACIT_EPUBLIC_INPUT, 0},
        {"[\"1\", "
         "\"115792089237316195423570985008687907853269984665640564039457584007913129639935\"]",
         TACIT_EPUBLIC_INPUT, 0},
        {"[\"1157920892373161954235709850086879078532699846656405640394575840079131296399350\"]",
         TACIT_EENCODING, 0},
        {"[1]", TACIT_EENCODING, 0},
        {"[1.5]", TACIT_EENCODING, 0},
        {"[\"1.5\"]", TACIT_EENCODING, 0},
        {"[\"-1\"]", TACIT_EENCODING, 0},
        {"[\"+1\"]", TACIT_EENCODING, 0},
        {"[\" 1\"]", TACIT_EENCODING, 0},
        {"[\"01\"]", TACIT_EENCODING, 0},
        {"[\"\"]", TACIT_EENCODING, 0},
        {"[\"0x10\"]", TACIT_EENCODING, 0},
        {"[\"1e3\"]", TACIT_EENCODING, 0},
        {"[\"1\\u00002\"]", TACIT_EJSON, 0}, /* jansson rejects NUL in strings */
        {"[null]", TACIT_EENCODING, 0},
        {"[true]", TACIT_EENCODING, 0},
        {"[[\"1\"]]", TACIT_EENCODING, 0},
        {"{\"0\": \"1\"}", TACIT_EENCODING, 0},
        {"\"1\"", TACIT_EJSON, 0}, /* jansson: top level must be an array or object */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tacit_fr *pub = (tacit_fr *)1;
        size_t n = 99;
        int rc =
            tacit_groth16_public_from_json(&pub, &n, cases[i].json, strlen(cases[i].json), NULL);
        if (rc != cases[i].code) {
            fprintf(stderr, "public case %zu (%s): got %s, want %s\n", i, cases[i].json,
                    tacit_errname(rc), tacit_errname(cases[i].code));
            CHECK(0);
        }
        CHECK_EQ_INT(n, cases[i].n);
        CHECK((rc == TACIT_OK) == (pub != NULL));
        tacit_groth16_public_free(rc == TACIT_OK ? pub : NULL);
    }
    {
        char where[TACIT_GROTH16_WHERE_MAX];
        tacit_fr *pub;
        size_t n;
        CHECK_EQ_INT(tacit_groth16_public_from_json(&pub, &n, "[\"1\", \"x\"]", 10, where),
                     TACIT_EENCODING);
        CHECK(strcmp(where, "public[1]") == 0);
    }
}

/* Missing or extra public inputs are caught at verification. */
TEST(public_count_must_match)
{
    struct triple t;
    tacit_fr more[3];

    CHECK_EQ_INT(run_vector(&t, "valid/multiplier"), TACIT_OK);
    if (t.pvk == NULL) return;
    memcpy(more, t.pub, 2 * sizeof *more);
    more[2] = TACIT_FR_ZERO;
    CHECK_EQ_INT(tacit_groth16_verify_var(t.pvk, &t.proof, t.pub, 1), TACIT_ENPUBLIC);
    CHECK_EQ_INT(tacit_groth16_verify_var(t.pvk, &t.proof, more, 3), TACIT_ENPUBLIC);
    CHECK_EQ_INT(tacit_groth16_verify_var(t.pvk, &t.proof, NULL, 0), TACIT_ENPUBLIC);
    CHECK_EQ_INT(tacit_groth16_verify_var(t.pvk, &t.proof, more, 2), TACIT_OK);
    triple_free(&t);
}

/* ---------------------------------------------------- binary proofs ---- */

TEST(binary_proof_round_trip_and_rejections)
{
    struct triple t;
    uint8_t b[256], m[256];
    tacit_groth16_proof p;
    char where[TACIT_GROTH16_WHERE_MAX];
    static const uint8_t p_be[32] = {0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29,
                                     0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
                                     0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d,
                                     0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47};

    CHECK_EQ_INT(run_vector(&t, "valid/poseidon_hasher"), TACIT_OK);
    if (t.pvk == NULL) return;
    tacit_groth16_proof_to_bytes(b, &t.proof);
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, b, where), TACIT_OK);
    CHECK_MEM(&p, &t.proof, sizeof p);
    CHECK_EQ_INT(tacit_groth16_verify_var(t.pvk, &p, t.pub, t.npub), TACIT_OK);
    /* B in EIP-197 order: x.c1 first */
    {
        uint8_t x1[32];
        tacit_fp_to_bytes(x1, &t.proof.b.x.c1);
        CHECK_MEM(b + 64, x1, 32);
    }

    /* A = (0, 0): infinity */
    memcpy(m, b, 256);
    memset(m, 0, 64);
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, m, where), TACIT_EINFINITY);
    CHECK(strcmp(where, "pi_a") == 0);
    /* B = 0, C = 0 */
    memcpy(m, b, 256);
    memset(m + 64, 0, 128);
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, m, where), TACIT_EINFINITY);
    CHECK(strcmp(where, "pi_b") == 0);
    memcpy(m, b, 256);
    memset(m + 192, 0, 64);
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, m, where), TACIT_EINFINITY);
    CHECK(strcmp(where, "pi_c") == 0);
    /* C.x = p */
    memcpy(m, b, 256);
    memcpy(m + 192, p_be, 32);
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, m, where), TACIT_ENONCANONICAL);
    /* B.y.c0 = all ones: >= p */
    memcpy(m, b, 256);
    memset(m + 64 + 96, 0xff, 32);
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, m, where), TACIT_ENONCANONICAL);
    /* A.y + 1 (the last byte, no carry for this vector) */
    memcpy(m, b, 256);
    m[63] ^= 1;
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, m, where), TACIT_ENOT_ON_CURVE);
    CHECK(strcmp(where, "pi_a") == 0);
    /* B with c0/c1 swapped (the JSON-order mistake) */
    memcpy(m, b, 256);
    memcpy(m + 64, b + 96, 32);
    memcpy(m + 96, b + 64, 32);
    memcpy(m + 128, b + 160, 32);
    memcpy(m + 160, b + 128, 32);
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, m, where), TACIT_ENOT_ON_CURVE);
    CHECK(strcmp(where, "pi_b") == 0);
    triple_free(&t);

    /* B outside G2: decodes, verification says why it fails. */
    CHECK_EQ_INT(run_vector(&t, "invalid/multiplier_pib_not_in_subgroup"), TACIT_ENOT_IN_SUBGROUP);
    tacit_groth16_proof_to_bytes(b, &t.proof);
    CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&p, b, where), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_verify_var(t.pvk, &p, t.pub, t.npub), TACIT_ENOT_IN_SUBGROUP);
    triple_free(&t);
}

/* ------------------------------------------------------- synthetic ---- */

TEST(synthetic_proofs_verify_and_round_trip)
{
    static const size_t sizes[] = {0, 1, 7, 40};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const size_t np = sizes[si];
        tacit__groth16_trapdoor *td;
        tacit_groth16_vk *vk, *vk2;
        tacit_groth16_pvk *pvk;
        tacit_groth16_proof proof, proof2;
        tacit_fr pub[40], *pub2;
        size_t npub2;
        uint8_t seed[32];
        char *s;

        tacit_test_rand_bytes(seed, sizeof seed);
        CHECK_EQ_INT(tacit__groth16_synth_setup(&td, &vk, np, seed), TACIT_OK);
        if (vk == NULL) continue;
        CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk, NULL), TACIT_OK);
        tacit__groth16_synth_inputs(pub, np, seed);
        tacit__groth16_synth_prove(&proof, td, pub, seed);
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, pub, np), TACIT_OK);
        if (np > 0) {
            tacit_fr_add(&pub[np - 1], &pub[np - 1], &TACIT_FR_ONE);
            CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, pub, np), TACIT_EVERIFY);
            tacit_fr_sub(&pub[np - 1], &pub[np - 1], &TACIT_FR_ONE);
        }

        /* JSON round trips */
        s = tacit_groth16_vk_to_json(vk);
        CHECK(s != NULL);
        CHECK_EQ_INT(tacit_groth16_vk_from_json(&vk2, s, strlen(s), NULL), TACIT_OK);
        if (vk2 != NULL) {
            CHECK_EQ_INT(vk2->npublic, np);
            CHECK_MEM(vk2, vk, sizeof *vk + (np + 1) * sizeof vk->ic[0]);
        }
        tacit_groth16_vk_free(vk2);
        free(s);
        s = tacit_groth16_proof_to_json(&proof);
        CHECK_EQ_INT(tacit_groth16_proof_from_json(&proof2, s, strlen(s), NULL), TACIT_OK);
        CHECK_MEM(&proof2, &proof, sizeof proof);
        free(s);
        s = tacit_groth16_public_to_json(pub, np);
        CHECK_EQ_INT(tacit_groth16_public_from_json(&pub2, &npub2, s, strlen(s), NULL), TACIT_OK);
        CHECK_EQ_INT(npub2, np);
        if (np > 0 && pub2 != NULL) CHECK_MEM(pub2, pub, np * sizeof *pub);
        tacit_groth16_public_free(pub2);
        free(s);

        /* a second proof for other inputs, and the batch of both */
        {
            tacit_fr other[40];
            tacit_groth16_item items[2];
            int results[2];
            uint8_t seed2[32];
            tacit_test_rand_bytes(seed2, sizeof seed2);
            tacit__groth16_synth_inputs(other, np, seed2);
            tacit__groth16_synth_prove(&proof2, td, other, seed2);
            items[0] = (tacit_groth16_item){&proof, pub, np};
            items[1] = (tacit_groth16_item){&proof2, other, np};
            CHECK_EQ_INT(tacit__groth16_batch_combined_var(pvk, items, 2), TACIT_OK);
            CHECK_EQ_INT(tacit_groth16_verify_batch_var(results, pvk, items, 2), TACIT_OK);
            items[1].pub = pub;
            CHECK_EQ_INT(tacit_groth16_verify_batch_var(results, pvk, items, 2),
                         np > 0 ? TACIT_EVERIFY : TACIT_OK);
        }
        tacit_groth16_pvk_free(pvk);
        tacit_groth16_vk_free(vk);
        tacit__groth16_trapdoor_free(td);
    }
}

/* The synthetic key is deterministic in its seed. */
TEST(synthetic_is_deterministic)
{
    uint8_t seed[32] = {7};
    tacit__groth16_trapdoor *t1, *t2;
    tacit_groth16_vk *v1, *v2;

    CHECK_EQ_INT(tacit__groth16_synth_setup(&t1, &v1, 2, seed), TACIT_OK);
    CHECK_EQ_INT(tacit__groth16_synth_setup(&t2, &v2, 2, seed), TACIT_OK);
    if (v1 != NULL && v2 != NULL) CHECK_MEM(v1, v2, sizeof *v1 + 3 * sizeof v1->ic[0]);
    tacit_groth16_vk_free(v1);
    tacit_groth16_vk_free(v2);
    tacit__groth16_trapdoor_free(t1);
    tacit__groth16_trapdoor_free(t2);
}

TEST(read_file_errors)
{
    char *buf;
    size_t len;
    char path[1024];

    CHECK_EQ_INT(tacit_groth16_read_file(&buf, &len, "/nonexistent/tacit/file.json"), TACIT_ENOENT);
    CHECK(buf == NULL);
    CHECK_EQ_INT(tacit_groth16_read_file(&buf, &len, tacit_test_vectors_dir()), TACIT_EIO);
    CHECK_EQ_INT(tacit_groth16_read_file(
                     &buf, &len, vec_path(path, sizeof path, "valid/multiplier", "public.json")),
                 TACIT_OK);
    CHECK(buf != NULL && len > 0 && buf[len] == '\0');
    free(buf);
}

/* Random byte mutations of the three JSON files never crash and always give a defined
 * code; a mutation that still parses and verifies must have kept the same values (e.g. it
 * only touched whitespace or an ignored key). Iterations: TACIT_TEST_ITERS (default 60). */
TEST(json_mutations_are_rejected_cleanly)
{
    static const char *const files[3] = {"verification_key.json", "public.json", "proof.json"};
    char *orig[3];
    size_t len[3];
    char path[1024];
    int iters = tacit_test_iters(60);

    for (int f = 0; f < 3; f++) {
        orig[f] = tacit_test_read_file(
            vec_path(path, sizeof path, "valid/poseidon_hasher", files[f]), &len[f]);
        CHECK(orig[f] != NULL);
        if (orig[f] == NULL) return;
    }
    for (int it = 0; it < iters; it++) {
        int f = (int)(tacit_test_rand64() % 3), nmut = 1 + (int)(tacit_test_rand64() % 3);
        char *m = malloc(len[f] + 1);
        tacit_groth16_vk *vk = NULL;
        tacit_groth16_pvk *pvk = NULL;
        tacit_groth16_proof proof;
        tacit_fr *pub = NULL;
        size_t npub = 0;
        const char *txt[3];
        int rc;

        memcpy(m, orig[f], len[f] + 1);
        for (int k = 0; k < nmut; k++) {
            static const char alphabet[] = "0123456789\"[]{},: -.e\\x";
            size_t pos = (size_t)(tacit_test_rand64() % len[f]);
            m[pos] = alphabet[tacit_test_rand64() % (sizeof alphabet - 1)];
        }
        for (int g = 0; g < 3; g++) txt[g] = g == f ? m : orig[g];
        rc = tacit_groth16_vk_from_json(&vk, txt[0], len[0], NULL);
        if (rc == TACIT_OK) rc = tacit_groth16_pvk_new(&pvk, vk, NULL);
        if (rc == TACIT_OK) rc = tacit_groth16_public_from_json(&pub, &npub, txt[1], len[1], NULL);
        if (rc == TACIT_OK) rc = tacit_groth16_proof_from_json(&proof, txt[2], len[2], NULL);
        if (rc == TACIT_OK) rc = tacit_groth16_verify_var(pvk, &proof, pub, npub);
        CHECK(rc >= 0 && rc < TACIT__ERR_COUNT);
        CHECK(rc != TACIT_ENOMEM && rc != TACIT_EINVAL);
        if (rc == TACIT_OK) {
            /* accepted: it must still be the same statement and proof */
            struct triple t;
            CHECK_EQ_INT(run_vector(&t, "valid/poseidon_hasher"), TACIT_OK);
            CHECK_EQ_INT(npub, t.npub);
            if (npub == t.npub && npub > 0) CHECK_MEM(pub, t.pub, npub * sizeof *pub);
            CHECK_MEM(&proof, &t.proof, sizeof proof);
            triple_free(&t);
        }
        tacit_groth16_public_free(pub);
        tacit_groth16_pvk_free(pvk);
        tacit_groth16_vk_free(vk);
        free(m);
    }
    for (int f = 0; f < 3; f++) free(orig[f]);
}

static const struct tacit_test tests[] = {
    {"valid_vectors_verify", valid_vectors_verify},
    {"invalid_vectors_rejected_for_their_reason", invalid_vectors_rejected_for_their_reason},
    {"batch_valid_vectors", batch_valid_vectors},
    {"batch_64_names_the_bad_one", batch_64_names_the_bad_one},
    {"batch_per_proof_reasons", batch_per_proof_reasons},
    {"batch_b_outside_g2", batch_b_outside_g2},
    {"batch_par_names_the_bad_ones", batch_par_names_the_bad_ones},
    {"vk_validation", vk_validation},
    {"pvk_new_checks_the_key", pvk_new_checks_the_key},
    {"proof_json_strict", proof_json_strict},
    {"json_syntax_and_duplicate_keys", json_syntax_and_duplicate_keys},
    {"public_json_strict", public_json_strict},
    {"public_count_must_match", public_count_must_match},
    {"binary_proof_round_trip_and_rejections", binary_proof_round_trip_and_rejections},
    {"synthetic_proofs_verify_and_round_trip", synthetic_proofs_verify_and_round_trip},
    {"synthetic_is_deterministic", synthetic_is_deterministic},
    {"read_file_errors", read_file_errors},
    {"json_mutations_are_rejected_cleanly", json_mutations_are_rejected_cleanly},
};

TACIT_TEST_MAIN(tests)
