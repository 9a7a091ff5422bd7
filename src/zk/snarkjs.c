/*
 * tacit — snarkjs JSON forms of Groth16 keys, proofs and public inputs, the 256-byte
 * binary proof, and a file reader.
 *
 * Formats as snarkjs 0.7.6 writes them (snarkjs/src/groth16_*.js, zkey_export_verificationkey.js):
 *   G1  [x, y, "1"]                         decimal strings, Jacobian with z = 1
 *   G2  [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]
 *   infinity is z = 0 ([ "0", "1", "0" ] for G1).
 * snarkjs itself is lax (accepts x + p and any z); we are strict, see DESIGN.md 2.1.
 * jansson references: `root` is new (we own it), everything got from it is borrowed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tacit/error.h"
#include "tacit/groth16.h"

static void set_where(char *where, const char *s)
{
    if (where == NULL) return;
    snprintf(where, TACIT_GROTH16_WHERE_MAX, "%s", s);
}

static int load(json_t **root, const char *json, size_t len)
{
    json_error_t err;

    *root = NULL;
    if (len > TACIT_GROTH16_JSON_MAX) return TACIT_ETOOBIG;
    *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (*root == NULL)
        return json_error_code(&err) == json_error_out_of_memory ? TACIT_ENOMEM : TACIT_EJSON;
    return TACIT_OK;
}

/* A decimal string (digits only) as a 256-bit integer. */
static int get_u256(uint64_t out[4], const json_t *j)
{
    const char *s;

    if (!json_is_string(j)) return TACIT_EENCODING;
    s = json_string_value(j);
    if (strlen(s) != json_string_length(j)) return TACIT_EENCODING; /* embedded NUL */
    return tacit_u256_from_dec(out, s) == TACIT_OK ? TACIT_OK : TACIT_EENCODING;
}

static int get_fp(tacit_fp *r, const json_t *j)
{
    uint64_t l[4];
    int rc;

    if ((rc = get_u256(l, j)) != TACIT_OK) return rc;
    return tacit_fp_from_limbs(r, l) == TACIT_OK ? TACIT_OK : TACIT_ENONCANONICAL;
}

static bool u256_is(const uint64_t l[4], uint64_t v)
{
    return l[0] == v && (l[1] | l[2] | l[3]) == 0;
}

/* The z coordinate: 1 -> affine (0), 0 -> infinity (1), else TACIT_ENOTAFFINE. It is read
 * before x and y so that a Jacobian point is reported as such even when its x, y happen
 * not to be canonical. */
static int get_z(int *inf, const json_t *z0, const json_t *z1)
{
    uint64_t a[4], b[4] = {0, 0, 0, 0};
    int rc;

    if ((rc = get_u256(a, z0)) != TACIT_OK) return rc;
    if (z1 != NULL && (rc = get_u256(b, z1)) != TACIT_OK) return rc;
    if (!u256_is(b, 0)) return TACIT_ENOTAFFINE;
    if (u256_is(a, 1)) {
        *inf = 0;
        return TACIT_OK;
    }
    if (u256_is(a, 0)) {
        *inf = 1;
        return TACIT_OK;
    }
    return TACIT_ENOTAFFINE;
}

/* [x, y, z]. Returns TACIT_EINFINITY for z = 0 (the caller maps it for keys), and
 * TACIT_ENOT_ON_CURVE for an affine point off E (including (0, 0), which is not on E even
 * though tacit's affine form uses it for infinity). */
static int get_g1(tacit_g1_affine *r, const json_t *j)
{
    int rc, inf;

    if (!json_is_array(j) || json_array_size(j) != 3) return TACIT_EENCODING;
    if ((rc = get_z(&inf, json_array_get(j, 2), NULL)) != TACIT_OK) return rc;
    if ((rc = get_fp(&r->x, json_array_get(j, 0))) != TACIT_OK) return rc;
    if ((rc = get_fp(&r->y, json_array_get(j, 1))) != TACIT_OK) return rc;
    if (inf) return TACIT_EINFINITY;
    if (tacit_g1_affine_is_infinity(r) || !tacit_g1_affine_is_on_curve(r))
        return TACIT_ENOT_ON_CURVE;
    return TACIT_OK;
}

static int get_fp2(tacit_fp2 *r, const json_t *j)
{
    int rc;

    if (!json_is_array(j) || json_array_size(j) != 2) return TACIT_EENCODING;
    if ((rc = get_fp(&r->c0, json_array_get(j, 0))) != TACIT_OK) return rc;
    return get_fp(&r->c1, json_array_get(j, 1));
}

/* [[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]; on the twist, subgroup not checked. */
static int get_g2(tacit_g2_affine *r, const json_t *j)
{
    const json_t *z;
    int rc, inf;

    if (!json_is_array(j) || json_array_size(j) != 3) return TACIT_EENCODING;
    z = json_array_get(j, 2);
    if (!json_is_array(z) || json_array_size(z) != 2) return TACIT_EENCODING;
    if ((rc = get_z(&inf, json_array_get(z, 0), json_array_get(z, 1))) != TACIT_OK) return rc;
    if ((rc = get_fp2(&r->x, json_array_get(j, 0))) != TACIT_OK) return rc;
    if ((rc = get_fp2(&r->y, json_array_get(j, 1))) != TACIT_OK) return rc;
    if (inf) return TACIT_EINFINITY;
    if (tacit_g2_affine_is_infinity(r) || !tacit_g2_affine_is_on_curve(r))
        return TACIT_ENOT_ON_CURVE;
    return TACIT_OK;
}

/* "protocol" and "curve": must be "groth16" and "bn128"; absent is an error only when
 * required. */
static int check_protocol(const json_t *root, bool required, char *where)
{
    static const char *const keys[2] = {"protocol", "curve"}, *const want[2] = {"groth16", "bn128"};

    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(root, keys[i]);
        if (v == NULL && !required) continue;
        if (!json_is_string(v) || strcmp(json_string_value(v), want[i]) != 0 ||
            json_string_length(v) != strlen(want[i])) {
            set_where(where, keys[i]);
            return TACIT_EPROTOCOL;
        }
    }
    return TACIT_OK;
}

/* ----------------------------------------------------------------- key ---- */

static int vk_g1(tacit_g1_affine *r, const json_t *root, const char *key, char *where)
{
    int rc = get_g1(r, json_object_get(root, key));
    if (rc == TACIT_EINFINITY) rc = TACIT_EVK_INFINITY;
    if (rc != TACIT_OK) set_where(where, key);
    return rc;
}

static int vk_g2(tacit_g2_affine *r, const json_t *root, const char *key, char *where)
{
    int rc = get_g2(r, json_object_get(root, key));
    if (rc == TACIT_EINFINITY) rc = TACIT_EVK_INFINITY;
    if (rc != TACIT_OK) set_where(where, key);
    return rc;
}

int tacit_groth16_vk_from_json(tacit_groth16_vk **out, const char *json, size_t len, char *where)
{
    json_t *root, *npub, *ic;
    tacit_groth16_vk *vk = NULL;
    json_int_t n;
    int rc;

    *out = NULL;
    set_where(where, "");
    if ((rc = load(&root, json, len)) != TACIT_OK) return rc;
    if (!json_is_object(root)) {
        rc = TACIT_EENCODING;
        goto out_decref;
    }
    if ((rc = check_protocol(root, true, where)) != TACIT_OK) goto out_decref;
    npub = json_object_get(root, "nPublic");
    if (!json_is_integer(npub) || (n = json_integer_value(npub)) < 0 ||
        (unsigned long long)n > ((size_t)1 << 32)) {
        set_where(where, "nPublic");
        rc = TACIT_EENCODING;
        goto out_decref;
    }
    ic = json_object_get(root, "IC");
    if (!json_is_array(ic)) {
        set_where(where, "IC");
        rc = TACIT_EENCODING;
        goto out_decref;
    }
    if (json_array_size(ic) != (size_t)n + 1) {
        set_where(where, "IC");
        rc = TACIT_EVK_IC_LENGTH;
        goto out_decref;
    }
    if ((vk = tacit_groth16_vk_new((size_t)n)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out_decref;
    }
    if ((rc = vk_g1(&vk->alpha, root, "vk_alpha_1", where)) != TACIT_OK ||
        (rc = vk_g2(&vk->beta, root, "vk_beta_2", where)) != TACIT_OK ||
        (rc = vk_g2(&vk->gamma, root, "vk_gamma_2", where)) != TACIT_OK ||
        (rc = vk_g2(&vk->delta, root, "vk_delta_2", where)) != TACIT_OK)
        goto out_free_vk;
    for (size_t j = 0; j <= (size_t)n; j++) {
        rc = get_g1(&vk->ic[j], json_array_get(ic, j));
        if (rc == TACIT_EINFINITY) rc = TACIT_EVK_INFINITY;
        if (rc != TACIT_OK) {
            if (where != NULL) snprintf(where, TACIT_GROTH16_WHERE_MAX, "IC[%zu]", j);
            goto out_free_vk;
        }
    }
    if ((rc = tacit_groth16_vk_check_var(vk, where)) != TACIT_OK) goto out_free_vk;
    *out = vk;
    vk = NULL;
out_free_vk:
    tacit_groth16_vk_free(vk);
out_decref:
    json_decref(root);
    return rc;
}

/* --------------------------------------------------------------- proof ---- */

int tacit_groth16_proof_from_json(tacit_groth16_proof *out, const char *json, size_t len,
                                  char *where)
{
    json_t *root;
    int rc;

    memset(out, 0, sizeof *out);
    set_where(where, "");
    if ((rc = load(&root, json, len)) != TACIT_OK) return rc;
    if (!json_is_object(root)) {
        rc = TACIT_EENCODING;
        goto out_decref;
    }
    if ((rc = check_protocol(root, false, where)) != TACIT_OK) goto out_decref;
    if ((rc = get_g1(&out->a, json_object_get(root, "pi_a"))) != TACIT_OK) {
        set_where(where, "pi_a");
        goto out_decref;
    }
    if ((rc = get_g2(&out->b, json_object_get(root, "pi_b"))) != TACIT_OK) {
        set_where(where, "pi_b");
        goto out_decref;
    }
    if ((rc = get_g1(&out->c, json_object_get(root, "pi_c"))) != TACIT_OK) {
        set_where(where, "pi_c");
        goto out_decref;
    }
out_decref:
    if (rc != TACIT_OK) memset(out, 0, sizeof *out);
    json_decref(root);
    return rc;
}

/* -------------------------------------------------------------- public ---- */

int tacit_groth16_public_from_json(tacit_fr **out, size_t *n, const char *json, size_t len,
                                   char *where)
{
    json_t *root;
    tacit_fr *pub = NULL;
    size_t count;
    int rc;

    *out = NULL;
    *n = 0;
    set_where(where, "");
    if ((rc = load(&root, json, len)) != TACIT_OK) return rc;
    if (!json_is_array(root)) {
        rc = TACIT_EENCODING;
        goto out_decref;
    }
    count = json_array_size(root);
    if ((pub = malloc((count ? count : 1) * sizeof *pub)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out_decref;
    }
    for (size_t i = 0; i < count; i++) {
        uint64_t l[4];
        if ((rc = get_u256(l, json_array_get(root, i))) == TACIT_OK &&
            tacit_fr_from_limbs(&pub[i], l) != TACIT_OK)
            rc = TACIT_EPUBLIC_INPUT;
        if (rc != TACIT_OK) {
            if (where != NULL) snprintf(where, TACIT_GROTH16_WHERE_MAX, "public[%zu]", i);
            goto out_free_pub;
        }
    }
    *out = pub;
    *n = count;
    pub = NULL;
out_free_pub:
    free(pub);
out_decref:
    json_decref(root);
    return rc;
}

void tacit_groth16_public_free(tacit_fr *pub) { free(pub); }

/* ------------------------------------------------------------- writers ---- */

static json_t *dec_fp(const tacit_fp *a)
{
    uint64_t l[4];
    char s[79];
    tacit_fp_to_limbs(l, a);
    tacit_u256_to_dec(s, l);
    return json_string(s);
}

static json_t *dec_u64(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    return json_string(s);
}

/* json_pack's "o" steals the references, and on failure releases them. */
static json_t *g1_json(const tacit_g1_affine *p)
{
    if (tacit_g1_affine_is_infinity(p))
        return json_pack("[ooo]", dec_u64(0), dec_u64(1), dec_u64(0));
    return json_pack("[ooo]", dec_fp(&p->x), dec_fp(&p->y), dec_u64(1));
}

static json_t *g2_json(const tacit_g2_affine *q)
{
    if (tacit_g2_affine_is_infinity(q))
        return json_pack("[[oo][oo][oo]]", dec_u64(0), dec_u64(0), dec_u64(1), dec_u64(0),
                         dec_u64(0), dec_u64(0));
    return json_pack("[[oo][oo][oo]]", dec_fp(&q->x.c0), dec_fp(&q->x.c1), dec_fp(&q->y.c0),
                     dec_fp(&q->y.c1), dec_u64(1), dec_u64(0));
}

static char *dump(json_t *root)
{
    char *s;
    if (root == NULL) return NULL;
    s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return s;
}

char *tacit_groth16_vk_to_json(const tacit_groth16_vk *vk)
{
    json_t *ic = json_array();

    if (ic == NULL) return NULL;
    for (size_t j = 0; j <= vk->npublic; j++) {
        if (json_array_append_new(ic, g1_json(&vk->ic[j])) != 0) {
            json_decref(ic);
            return NULL;
        }
    }
    return dump(json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "protocol", "groth16",
                          "curve", "bn128", "nPublic", (json_int_t)vk->npublic, "vk_alpha_1",
                          g1_json(&vk->alpha), "vk_beta_2", g2_json(&vk->beta), "vk_gamma_2",
                          g2_json(&vk->gamma), "vk_delta_2", g2_json(&vk->delta), "IC", ic));
}

char *tacit_groth16_proof_to_json(const tacit_groth16_proof *proof)
{
    return dump(json_pack("{s:o, s:o, s:o, s:s, s:s}", "pi_a", g1_json(&proof->a), "pi_b",
                          g2_json(&proof->b), "pi_c", g1_json(&proof->c), "protocol", "groth16",
                          "curve", "bn128"));
}

char *tacit_groth16_public_to_json(const tacit_fr *pub, size_t n)
{
    json_t *arr = json_array();

    if (arr == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        uint64_t l[4];
        char s[79];
        tacit_fr_to_limbs(l, &pub[i]);
        tacit_u256_to_dec(s, l);
        if (json_array_append_new(arr, json_string(s)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return dump(arr);
}

/* ------------------------------------------------------- binary proofs ---- */

int tacit_groth16_proof_from_bytes(tacit_groth16_proof *out, const uint8_t in[256], char *where)
{
    static const char *const names[3] = {"pi_a", "pi_b", "pi_c"};
    int rc, which;

    set_where(where, "");
    which = 0;
    if ((rc = tacit_g1_from_bytes(&out->a, in)) != TACIT_OK) goto out_fail;
    if (tacit_g1_affine_is_infinity(&out->a)) goto out_inf;
    which = 1;
    if ((rc = tacit_g2_from_bytes_unchecked_subgroup(&out->b, in + 64)) != TACIT_OK) goto out_fail;
    if (tacit_g2_affine_is_infinity(&out->b)) goto out_inf;
    which = 2;
    if ((rc = tacit_g1_from_bytes(&out->c, in + 192)) != TACIT_OK) goto out_fail;
    if (tacit_g1_affine_is_infinity(&out->c)) goto out_inf;
    return TACIT_OK;
out_inf:
    rc = TACIT_EINFINITY;
out_fail:
    set_where(where, names[which]);
    memset(out, 0, sizeof *out);
    return rc;
}

void tacit_groth16_proof_to_bytes(uint8_t out[256], const tacit_groth16_proof *proof)
{
    tacit_g1_to_bytes(out, &proof->a);
    tacit_g2_to_bytes(out + 64, &proof->b);
    tacit_g1_to_bytes(out + 192, &proof->c);
}

/* ---------------------------------------------------------------- file ---- */

int tacit_groth16_read_file(char **out, size_t *len, const char *path)
{
    FILE *f;
    char *buf = NULL, *nbuf;
    size_t cap = 0, n = 0, got;
    int rc = TACIT_OK;

    *out = NULL;
    *len = 0;
    if ((f = fopen(path, "rb")) == NULL) return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    for (;;) {
        if (cap - n < 2) {
            if (cap > TACIT_GROTH16_JSON_MAX) {
                rc = TACIT_ETOOBIG;
                goto out_free;
            }
            cap = cap ? cap * 2 : 16384;
            if ((nbuf = realloc(buf, cap)) == NULL) {
                rc = TACIT_ENOMEM;
                goto out_free;
            }
            buf = nbuf;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        rc = TACIT_EIO;
        goto out_free;
    }
    if (n > TACIT_GROTH16_JSON_MAX) {
        rc = TACIT_ETOOBIG;
        goto out_free;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
out_free:
    free(buf);
    fclose(f);
    return rc;
}
