/*
 * tacit — fuzz target for the snarkjs JSON readers: tacit_groth16_vk_from_json,
 * tacit_groth16_proof_from_json and tacit_groth16_public_from_json.
 *
 * Input: any bytes, given to all three readers (a seed is a verification_key.json,
 * proof.json or public.json; the buffer is not NUL-terminated, as the readers allow).
 * Checks:
 *  - only the error codes groth16.h documents for that reader;
 *  - outputs as documented on failure (key NULL, proof zeroed, inputs NULL and count 0)
 *    and `where` always a NUL-terminated string;
 *  - whatever is read is written back by the matching writer, the text is read again to
 *    the same value, and writing that gives the same text.
 */
#include <string.h>

#include "fuzz.h"
#include "tacit/bn254.h"
#include "tacit/error.h"
#include "tacit/groth16.h"

static int reader_error(int rc)
{
    return rc == TACIT_EJSON || rc == TACIT_ETOOBIG || rc == TACIT_EENCODING ||
           rc == TACIT_ENONCANONICAL || rc == TACIT_ENOTAFFINE || rc == TACIT_ENOMEM;
}

/* where: NUL-terminated, "" after success or an error not about one field, else one of
 * names or "<indexed>[<decimal>]" (indexed may be NULL). */
static void check_where(const char *where, int rc, const char *const *names, const char *indexed)
{
    size_t n;
    FUZZ_CHECK(memchr(where, '\0', TACIT_GROTH16_WHERE_MAX) != NULL);
    if (rc == TACIT_OK || rc == TACIT_EJSON || rc == TACIT_ETOOBIG) {
        FUZZ_CHECK(where[0] == '\0');
        return;
    }
    if (where[0] == '\0') return;
    for (; *names != NULL; names++)
        if (strcmp(where, *names) == 0) return;
    FUZZ_CHECK(indexed != NULL);
    n = strlen(indexed);
    FUZZ_CHECK(strncmp(where, indexed, n) == 0 && where[n] == '[');
    FUZZ_CHECK(strspn(where + n + 1, "0123456789") >= 1);
    FUZZ_CHECK(strcmp(where + n + 1 + strspn(where + n + 1, "0123456789"), "]") == 0);
}

static void fuzz_vk(const char *json, size_t len, char *where)
{
    tacit_groth16_vk *vk = (tacit_groth16_vk *)1, *vk2 = NULL;
    char *s, *s2;
    static const char *const names[] = {"protocol",  "curve",      "nPublic",    "IC", "vk_alpha_1",
                                        "vk_beta_2", "vk_gamma_2", "vk_delta_2", NULL};
    int rc = tacit_groth16_vk_from_json(&vk, json, len, where);
    if (where) check_where(where, rc, names, "IC");
    FUZZ_CHECK(rc == TACIT_OK || reader_error(rc) || rc == TACIT_EPROTOCOL ||
               rc == TACIT_EVK_IC_LENGTH || rc == TACIT_EVK_INFINITY || rc == TACIT_ENOT_ON_CURVE ||
               rc == TACIT_ENOT_IN_SUBGROUP || rc == TACIT_EVK_GAMMA_DELTA);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(vk == NULL);
        return;
    }
    FUZZ_CHECK(tacit_groth16_vk_check_var(vk, NULL) == TACIT_OK);
    FUZZ_CHECK((s = tacit_groth16_vk_to_json(vk)) != NULL);
    FUZZ_CHECK(tacit_groth16_vk_from_json(&vk2, s, strlen(s), NULL) == TACIT_OK);
    FUZZ_CHECK(vk2->npublic == vk->npublic);
    FUZZ_CHECK(memcmp(&vk2->alpha, &vk->alpha, sizeof vk->alpha) == 0);
    FUZZ_CHECK(memcmp(&vk2->beta, &vk->beta, sizeof vk->beta) == 0);
    FUZZ_CHECK(memcmp(&vk2->gamma, &vk->gamma, sizeof vk->gamma) == 0);
    FUZZ_CHECK(memcmp(&vk2->delta, &vk->delta, sizeof vk->delta) == 0);
    FUZZ_CHECK(memcmp(vk2->ic, vk->ic, (vk->npublic + 1) * sizeof vk->ic[0]) == 0);
    FUZZ_CHECK((s2 = tacit_groth16_vk_to_json(vk2)) != NULL);
    FUZZ_CHECK(strcmp(s, s2) == 0);
    free(s2);
    free(s);
    tacit_groth16_vk_free(vk2);
    tacit_groth16_vk_free(vk);
}

static void fuzz_proof(const char *json, size_t len, char *where)
{
    static const tacit_groth16_proof zero;
    tacit_groth16_proof p, p2;
    static const char *const names[] = {"protocol", "curve", "pi_a", "pi_b", "pi_c", NULL};
    char *s, *s2;
    int rc;
    memset(&p, 0xa5, sizeof p);
    rc = tacit_groth16_proof_from_json(&p, json, len, where);
    if (where) check_where(where, rc, names, NULL);
    FUZZ_CHECK(rc == TACIT_OK || reader_error(rc) || rc == TACIT_EINFINITY ||
               rc == TACIT_ENOT_ON_CURVE || rc == TACIT_EPROTOCOL);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(memcmp(&p, &zero, sizeof p) == 0);
        return;
    }
    rc = tacit_groth16_proof_check_var(&p);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_ENOT_IN_SUBGROUP);
    FUZZ_CHECK((s = tacit_groth16_proof_to_json(&p)) != NULL);
    FUZZ_CHECK(tacit_groth16_proof_from_json(&p2, s, strlen(s), NULL) == TACIT_OK);
    FUZZ_CHECK(memcmp(&p, &p2, sizeof p) == 0);
    FUZZ_CHECK((s2 = tacit_groth16_proof_to_json(&p2)) != NULL);
    FUZZ_CHECK(strcmp(s, s2) == 0);
    free(s2);
    free(s);
}

static void fuzz_public(const char *json, size_t len, char *where)
{
    tacit_fr *pub = (tacit_fr *)1, *pub2 = NULL;
    size_t n = 12345, n2 = 0;
    char *s, *s2;
    static const char *const names[] = {NULL};
    int rc = tacit_groth16_public_from_json(&pub, &n, json, len, where);
    if (where) check_where(where, rc, names, "public");
    FUZZ_CHECK(rc == TACIT_OK || reader_error(rc) || rc == TACIT_EPUBLIC_INPUT);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(pub == NULL && n == 0);
        return;
    }
    FUZZ_CHECK(pub != NULL);
    FUZZ_CHECK((s = tacit_groth16_public_to_json(pub, n)) != NULL);
    FUZZ_CHECK(tacit_groth16_public_from_json(&pub2, &n2, s, strlen(s), NULL) == TACIT_OK);
    FUZZ_CHECK(n2 == n);
    FUZZ_CHECK(n == 0 || memcmp(pub, pub2, n * sizeof pub[0]) == 0);
    FUZZ_CHECK((s2 = tacit_groth16_public_to_json(pub2, n2)) != NULL);
    FUZZ_CHECK(strcmp(s, s2) == 0);
    free(s2);
    free(s);
    tacit_groth16_public_free(pub2);
    tacit_groth16_public_free(pub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char where[TACIT_GROTH16_WHERE_MAX];
    /* an exact-size copy keeps the "not NUL-terminated" case visible to ASan */
    char *json = malloc(size ? size : 1);
    FUZZ_CHECK(json != NULL);
    if (size) memcpy(json, data, size);
    /* both with and without the optional `where` output */
    memset(where, 'x', sizeof where);
    fuzz_vk(json, size, (size & 1) ? where : NULL);
    memset(where, 'x', sizeof where);
    fuzz_proof(json, size, (size & 2) ? where : NULL);
    memset(where, 'x', sizeof where);
    fuzz_public(json, size, (size & 4) ? where : NULL);
    free(json);
    return 0;
}
