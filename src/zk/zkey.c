/*
 * tacit — proving keys in the snarkjs .zkey format and witnesses in the iden3 .wtns format;
 * see include/tacit/prover.h for both layouts.
 *
 * Sources for the layouts: snarkjs src/zkey_new.js (what each section holds and the R^2
 * factor of the coefficients), src/zkey_utils.js (header), src/wtns_utils.js, and
 * @iden3/binfileutils (the section table); checked against the snarkjs-made files in
 * tests/vectors/groth16/valid/{multiplier,merkle}/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <sodium.h>

#include "crypto/field.h"
#include "tacit/error.h"
#include "zk/ntt.h"
#include "zk/prover_internal.h"

#define ZKEY_NSECTIONS 10
#define G1_BYTES 64
#define G2_BYTES 128
#define COEF_BYTES (12 + 32)
#define HEADER2_BYTES (4 + 32 + 4 + 32 + 12 + 3 * G1_BYTES + 3 * G2_BYTES)

/* ------------------------------------------------------------------ bytes ---- */

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t ld64(const uint8_t *p) { return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32; }

static void st32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void st64(uint8_t *p, uint64_t v)
{
    st32(p, (uint32_t)v);
    st32(p + 4, (uint32_t)(v >> 32));
}

static void ld256(uint64_t l[4], const uint8_t *p)
{
    for (int i = 0; i < 4; i++) l[i] = ld64(p + 8 * i);
}

static void st256(uint8_t *p, const uint64_t l[4])
{
    for (int i = 0; i < 4; i++) st64(p + 8 * i, l[i]);
}

static bool eq256(const uint64_t a[4], const uint64_t b[4])
{
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
}

/* ----------------------------------------------------------------- points ---- */

/* An Fp element in ffjavascript's Montgomery form is exactly tacit_fp's representation. */
static int get_fp(tacit_fp *r, const uint8_t *p)
{
    ld256(r->l, p);
    return tacit__lt(r->l, tacit__p.l) ? TACIT_OK : TACIT_ENONCANONICAL;
}

static int get_g1(tacit_g1_affine *r, const uint8_t *p)
{
    int rc;
    if ((rc = get_fp(&r->x, p)) != TACIT_OK || (rc = get_fp(&r->y, p + 32)) != TACIT_OK) return rc;
    return tacit_g1_affine_is_on_curve(r) ? TACIT_OK : TACIT_ENOT_ON_CURVE;
}

static int get_g2(tacit_g2_affine *r, const uint8_t *p)
{
    int rc;
    if ((rc = get_fp(&r->x.c0, p)) != TACIT_OK || (rc = get_fp(&r->x.c1, p + 32)) != TACIT_OK ||
        (rc = get_fp(&r->y.c0, p + 64)) != TACIT_OK || (rc = get_fp(&r->y.c1, p + 96)) != TACIT_OK)
        return rc;
    return tacit_g2_affine_is_on_curve(r) ? TACIT_OK : TACIT_ENOT_ON_CURVE;
}

static void put_g1(uint8_t *p, const tacit_g1_affine *a)
{
    st256(p, a->x.l);
    st256(p + 32, a->y.l);
}

static void put_g2(uint8_t *p, const tacit_g2_affine *a)
{
    st256(p, a->x.c0.l);
    st256(p + 32, a->x.c1.l);
    st256(p + 64, a->y.c0.l);
    st256(p + 96, a->y.c1.l);
}

/* -------------------------------------------------------------- key memory ---- */

void tacit_groth16_pk_free(tacit_groth16_pk *pk)
{
    if (pk == NULL) return;
    tacit__ntt_domain_free(pk->domain);
    if (pk->map != NULL) { /* a mapped cache (zkey_cache.c): the arrays are in it */
        munmap(pk->map, pk->map_len);
        free(pk);
        return;
    }
    free(pk->ic);
    free(pk->coefs);
    free(pk->a);
    free(pk->b1);
    free(pk->b2);
    free(pk->c);
    free(pk->h);
    free(pk);
}

static void *zalloc(size_t n, size_t size) { return calloc(n ? n : 1, size); }

int tacit__groth16_pk_alloc(tacit_groth16_pk **out, uint32_t nvars, uint32_t npublic,
                            uint32_t log_n, size_t ncoefs)
{
    tacit_groth16_pk *pk;
    size_t n = (size_t)1 << log_n, npriv = nvars - npublic - 1;
    int rc;

    *out = NULL;
    if (log_n > TACIT_PROVER_MAX_LOG_DOMAIN || nvars >= (UINT32_C(1) << 31)) return TACIT_ETOOBIG;
    if (npublic >= nvars) return TACIT_EINVAL;
    if ((pk = calloc(1, sizeof *pk)) == NULL) return TACIT_ENOMEM;
    pk->nvars = nvars;
    pk->npublic = npublic;
    pk->domain_size = (uint32_t)n;
    pk->log_n = log_n;
    pk->ncoefs = ncoefs;
    pk->ic = zalloc(npublic + 1, sizeof *pk->ic);
    pk->coefs = zalloc(ncoefs, sizeof *pk->coefs);
    pk->a = zalloc(nvars, sizeof *pk->a);
    pk->b1 = zalloc(nvars, sizeof *pk->b1);
    pk->b2 = zalloc(nvars, sizeof *pk->b2);
    pk->c = zalloc(npriv, sizeof *pk->c);
    pk->h = zalloc(n, sizeof *pk->h);
    if (pk->ic == NULL || pk->coefs == NULL || pk->a == NULL || pk->b1 == NULL || pk->b2 == NULL ||
        pk->c == NULL || pk->h == NULL) {
        tacit_groth16_pk_free(pk);
        return TACIT_ENOMEM;
    }
    if ((rc = tacit__ntt_domain_new(&pk->domain, log_n)) != TACIT_OK) {
        tacit_groth16_pk_free(pk);
        return rc;
    }
    *out = pk;
    return TACIT_OK;
}

/* ------------------------------------------------------------ section table ---- */

struct section {
    const uint8_t *p;
    uint64_t size;
};

/*
 * The binfileutils container: magic, u32 version, u32 nsections, then nsections
 * (u32 type, u64 size, body). Types must be 1..maxtype, each at most once; the sections
 * must fill the image exactly.
 */
static int read_sections(struct section *s, unsigned maxtype, const uint8_t *in, size_t len,
                         const char magic[4], uint32_t version)
{
    uint32_t nsec;
    size_t off = 12;
    memset(s, 0, (maxtype + 1) * sizeof *s);
    if (len < 12 || memcmp(in, magic, 4) != 0 || ld32(in + 4) != version) return TACIT_EENCODING;
    nsec = ld32(in + 8);
    for (uint32_t i = 0; i < nsec; i++) {
        uint32_t type;
        uint64_t size;
        if (len - off < 12) return TACIT_EENCODING;
        type = ld32(in + off);
        size = ld64(in + off + 4);
        off += 12;
        if (type == 0 || type > maxtype || s[type].p != NULL) return TACIT_EENCODING;
        if (size > len - off) return TACIT_EENCODING;
        s[type].p = in + off;
        s[type].size = size;
        off += size;
    }
    return off == len ? TACIT_OK : TACIT_EENCODING;
}

/* ------------------------------------------------------------------ .zkey ---- */

int tacit_groth16_pk_read(tacit_groth16_pk **out, const uint8_t *in, size_t len)
{
    static const tacit_fr raw_one = {{1, 0, 0, 0}};
    struct section s[ZKEY_NSECTIONS + 1];
    tacit_groth16_pk *pk = NULL;
    uint32_t nvars, npublic, n, log_n = 0, ncoefs;
    const uint8_t *h;
    int rc;

    *out = NULL;
    if ((rc = read_sections(s, ZKEY_NSECTIONS, in, len, "zkey", 1)) != TACIT_OK) return rc;
    for (int t = 1; t <= 9; t++)
        if (s[t].p == NULL) return TACIT_EENCODING;
    if (s[1].size != 4) return TACIT_EENCODING;
    if (ld32(s[1].p) != 1) return TACIT_EPROTOCOL; /* 1 = Groth16 (2 PLONK, 10 FFLONK) */

    h = s[2].p;
    if (s[2].size < 4 || ld32(h) != 32) return TACIT_EPROTOCOL;
    if (s[2].size != HEADER2_BYTES) return TACIT_EENCODING;
    {
        uint64_t q[4], r[4];
        ld256(q, h + 4);
        ld256(r, h + 40);
        if (!eq256(q, tacit__p.l) || ld32(h + 36) != 32 || !eq256(r, tacit__r.l))
            return TACIT_EPROTOCOL;
    }
    nvars = ld32(h + 72);
    npublic = ld32(h + 76);
    n = ld32(h + 80);
    if (nvars >= (UINT32_C(1) << 31) || npublic >= nvars) return TACIT_EENCODING;
    if (n < 2 || (n & (n - 1)) != 0 || n < npublic + 1) return TACIT_EENCODING;
    while ((UINT32_C(1) << log_n) < n) log_n++;
    if (log_n > TACIT_PROVER_MAX_LOG_DOMAIN) return TACIT_ETOOBIG;

    if (s[4].size < 4) return TACIT_EENCODING;
    ncoefs = ld32(s[4].p);
    if (s[3].size != (uint64_t)(npublic + 1) * G1_BYTES ||
        s[4].size != 4 + (uint64_t)ncoefs * COEF_BYTES || s[5].size != (uint64_t)nvars * G1_BYTES ||
        s[6].size != (uint64_t)nvars * G1_BYTES || s[7].size != (uint64_t)nvars * G2_BYTES ||
        s[8].size != (uint64_t)(nvars - npublic - 1) * G1_BYTES ||
        s[9].size != (uint64_t)n * G1_BYTES)
        return TACIT_EENCODING;

    if ((rc = tacit__groth16_pk_alloc(&pk, nvars, npublic, log_n, ncoefs)) != TACIT_OK) return rc;
    h += 84;
    if ((rc = get_g1(&pk->alpha1, h)) != TACIT_OK ||
        (rc = get_g1(&pk->beta1, h + 64)) != TACIT_OK ||
        (rc = get_g2(&pk->beta2, h + 128)) != TACIT_OK ||
        (rc = get_g2(&pk->gamma2, h + 256)) != TACIT_OK ||
        (rc = get_g1(&pk->delta1, h + 384)) != TACIT_OK ||
        (rc = get_g2(&pk->delta2, h + 448)) != TACIT_OK)
        goto fail;
    if (!tacit_g2_is_in_subgroup_var(&pk->beta2) || !tacit_g2_is_in_subgroup_var(&pk->gamma2) ||
        !tacit_g2_is_in_subgroup_var(&pk->delta2)) {
        rc = TACIT_ENOT_IN_SUBGROUP;
        goto fail;
    }
    for (uint32_t i = 0; i <= npublic; i++)
        if ((rc = get_g1(&pk->ic[i], s[3].p + (size_t)i * G1_BYTES)) != TACIT_OK) goto fail;
    for (uint32_t i = 0; i < ncoefs; i++) {
        const uint8_t *c = s[4].p + 4 + (size_t)i * COEF_BYTES;
        tacit_groth16_coef *k = &pk->coefs[i];
        tacit_fr v;
        k->matrix = ld32(c);
        k->row = ld32(c + 4);
        k->var = ld32(c + 8);
        ld256(v.l, c + 12);
        if (k->matrix > 1 || k->row >= n || k->var >= nvars) {
            rc = TACIT_EENCODING;
            goto fail;
        }
        if (!tacit__lt(v.l, tacit__r.l)) {
            rc = TACIT_ENONCANONICAL;
            goto fail;
        }
        /* v = c R^2 as an integer, i.e. the Montgomery form of c R: one Montgomery
         * product with the plain 1 divides by R and leaves the Montgomery form of c. */
        fr_mul(&k->coeff, &v, &raw_one);
    }
    for (uint32_t i = 0; i < nvars; i++) {
        if ((rc = get_g1(&pk->a[i], s[5].p + (size_t)i * G1_BYTES)) != TACIT_OK ||
            (rc = get_g1(&pk->b1[i], s[6].p + (size_t)i * G1_BYTES)) != TACIT_OK ||
            (rc = get_g2(&pk->b2[i], s[7].p + (size_t)i * G2_BYTES)) != TACIT_OK)
            goto fail;
    }
    for (uint32_t i = 0; i < nvars - npublic - 1; i++)
        if ((rc = get_g1(&pk->c[i], s[8].p + (size_t)i * G1_BYTES)) != TACIT_OK) goto fail;
    for (uint32_t i = 0; i < n; i++)
        if ((rc = get_g1(&pk->h[i], s[9].p + (size_t)i * G1_BYTES)) != TACIT_OK) goto fail;
    *out = pk;
    return TACIT_OK;
fail:
    tacit_groth16_pk_free(pk);
    return rc;
}

static uint8_t *begin_section(uint8_t *p, uint32_t type, uint64_t size)
{
    st32(p, type);
    st64(p + 4, size);
    return p + 12;
}

int tacit_groth16_pk_write(uint8_t **out, size_t *len, const tacit_groth16_pk *pk)
{
    static const tacit_fr r2 = TACIT__R_R2; /* R^2 mod r, plain */
    size_t nv = pk->nvars, npub = pk->npublic, npriv = nv - npub - 1, n = pk->domain_size;
    uint64_t size[ZKEY_NSECTIONS + 1] = {
        0,
        4,
        HEADER2_BYTES,
        (npub + 1) * G1_BYTES,
        4 + (uint64_t)pk->ncoefs * COEF_BYTES,
        nv * G1_BYTES,
        nv * G1_BYTES,
        nv * G2_BYTES,
        npriv * G1_BYTES,
        n * G1_BYTES,
        64 + 4,
    };
    size_t total = 12;
    uint8_t *buf, *p;

    *out = NULL;
    *len = 0;
    for (int t = 1; t <= ZKEY_NSECTIONS; t++) total += 12 + size[t];
    if ((buf = malloc(total)) == NULL) return TACIT_ENOMEM;
    memcpy(buf, "zkey", 4);
    st32(buf + 4, 1);
    st32(buf + 8, ZKEY_NSECTIONS);
    p = buf + 12;

    p = begin_section(p, 1, size[1]);
    st32(p, 1);
    p += 4;

    p = begin_section(p, 2, size[2]);
    st32(p, 32);
    st256(p + 4, tacit__p.l);
    st32(p + 36, 32);
    st256(p + 40, tacit__r.l);
    st32(p + 72, pk->nvars);
    st32(p + 76, pk->npublic);
    st32(p + 80, pk->domain_size);
    p += 84;
    put_g1(p, &pk->alpha1);
    put_g1(p + 64, &pk->beta1);
    put_g2(p + 128, &pk->beta2);
    put_g2(p + 256, &pk->gamma2);
    put_g1(p + 384, &pk->delta1);
    put_g2(p + 448, &pk->delta2);
    p += 576;

    p = begin_section(p, 3, size[3]);
    for (size_t i = 0; i <= npub; i++, p += G1_BYTES) put_g1(p, &pk->ic[i]);

    p = begin_section(p, 4, size[4]);
    st32(p, (uint32_t)pk->ncoefs);
    p += 4;
    for (size_t i = 0; i < pk->ncoefs; i++, p += COEF_BYTES) {
        const tacit_groth16_coef *k = &pk->coefs[i];
        tacit_fr v;
        fr_mul(&v, &k->coeff, &r2); /* c R * R^2 / R = c R^2: the inverse of the reader */
        st32(p, k->matrix);
        st32(p + 4, k->row);
        st32(p + 8, k->var);
        st256(p + 12, v.l);
    }

    p = begin_section(p, 5, size[5]);
    for (size_t i = 0; i < nv; i++, p += G1_BYTES) put_g1(p, &pk->a[i]);
    p = begin_section(p, 6, size[6]);
    for (size_t i = 0; i < nv; i++, p += G1_BYTES) put_g1(p, &pk->b1[i]);
    p = begin_section(p, 7, size[7]);
    for (size_t i = 0; i < nv; i++, p += G2_BYTES) put_g2(p, &pk->b2[i]);
    p = begin_section(p, 8, size[8]);
    for (size_t i = 0; i < npriv; i++, p += G1_BYTES) put_g1(p, &pk->c[i]);
    p = begin_section(p, 9, size[9]);
    for (size_t i = 0; i < n; i++, p += G1_BYTES) put_g1(p, &pk->h[i]);

    p = begin_section(p, 10, size[10]);
    memset(p, 0, 64 + 4); /* csHash (none: not from a ceremony), 0 contributions */
    p += 68;

    *out = buf;
    *len = (size_t)(p - buf);
    return TACIT_OK;
}

int tacit_groth16_pk_read_file(tacit_groth16_pk **out, const char *path)
{
    uint8_t *buf;
    size_t len;
    int rc;
    *out = NULL;
    if ((rc = tacit__read_file(&buf, &len, path, TACIT_PROVER_FILE_MAX)) != TACIT_OK) return rc;
    rc = tacit_groth16_pk_read(out, buf, len);
    free(buf);
    return rc;
}

int tacit_groth16_pk_write_file(const char *path, const tacit_groth16_pk *pk)
{
    uint8_t *buf;
    size_t len;
    int rc;
    if ((rc = tacit_groth16_pk_write(&buf, &len, pk)) != TACIT_OK) return rc;
    rc = tacit__write_file(path, buf, len);
    free(buf);
    return rc;
}

int tacit_groth16_pk_vk(tacit_groth16_vk **out, const tacit_groth16_pk *pk)
{
    tacit_groth16_vk *vk;
    int rc;
    *out = NULL;
    if ((vk = tacit_groth16_vk_new(pk->npublic)) == NULL) return TACIT_ENOMEM;
    vk->alpha = pk->alpha1;
    vk->beta = pk->beta2;
    vk->gamma = pk->gamma2;
    vk->delta = pk->delta2;
    memcpy(vk->ic, pk->ic, ((size_t)pk->npublic + 1) * sizeof *vk->ic);
    if ((rc = tacit_groth16_vk_check_var(vk, NULL)) != TACIT_OK) {
        tacit_groth16_vk_free(vk);
        return rc;
    }
    *out = vk;
    return TACIT_OK;
}

/* ------------------------------------------------------------------ .wtns ---- */

void tacit_wtns_free(tacit_fr *w, size_t n)
{
    if (w == NULL) return;
    sodium_memzero(w, (n ? n : 1) * sizeof *w);
    free(w);
}

int tacit_wtns_read(tacit_fr **out, size_t *n, const uint8_t *in, size_t len)
{
    struct section s[3];
    uint32_t count;
    tacit_fr *w;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = read_sections(s, 2, in, len, "wtns", 2)) != TACIT_OK) return rc;
    if (s[1].p == NULL || s[2].p == NULL) return TACIT_EENCODING;
    if (s[1].size < 4 || ld32(s[1].p) != 32) return TACIT_EPROTOCOL;
    if (s[1].size != 4 + 32 + 4) return TACIT_EENCODING;
    {
        uint64_t q[4];
        ld256(q, s[1].p + 4);
        if (!eq256(q, tacit__r.l)) return TACIT_EPROTOCOL;
    }
    count = ld32(s[1].p + 36);
    if (s[2].size != (uint64_t)count * 32) return TACIT_EENCODING;
    if ((w = zalloc(count, sizeof *w)) == NULL) return TACIT_ENOMEM;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t l[4];
        ld256(l, s[2].p + (size_t)i * 32);
        rc = tacit_fr_from_limbs(&w[i], l);
        sodium_memzero(l, sizeof l);
        if (rc != TACIT_OK) {
            tacit_wtns_free(w, count);
            return TACIT_ENONCANONICAL;
        }
    }
    *out = w;
    *n = count;
    return TACIT_OK;
}

int tacit_wtns_write(uint8_t **out, size_t *len, const tacit_fr *w, size_t n)
{
    size_t total = 12 + 12 + 40 + 12 + n * 32;
    uint8_t *buf, *p;
    *out = NULL;
    *len = 0;
    if (n > UINT32_MAX) return TACIT_EINVAL;
    if ((buf = malloc(total)) == NULL) return TACIT_ENOMEM;
    memcpy(buf, "wtns", 4);
    st32(buf + 4, 2);
    st32(buf + 8, 2);
    p = begin_section(buf + 12, 1, 40);
    st32(p, 32);
    st256(p + 4, tacit__r.l);
    st32(p + 36, (uint32_t)n);
    p = begin_section(p + 40, 2, (uint64_t)n * 32);
    for (size_t i = 0; i < n; i++, p += 32) {
        uint64_t l[4];
        tacit_fr_to_limbs(l, &w[i]);
        st256(p, l);
        sodium_memzero(l, sizeof l);
    }
    *out = buf;
    *len = total;
    return TACIT_OK;
}

int tacit_wtns_read_file(tacit_fr **w, size_t *n, const char *path)
{
    uint8_t *buf;
    size_t len;
    int rc;
    *w = NULL;
    *n = 0;
    if ((rc = tacit__read_file(&buf, &len, path, TACIT_PROVER_FILE_MAX)) != TACIT_OK) return rc;
    rc = tacit_wtns_read(w, n, buf, len);
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}

int tacit_wtns_write_file(const char *path, const tacit_fr *w, size_t n)
{
    uint8_t *buf;
    size_t len;
    int rc;
    if ((rc = tacit_wtns_write(&buf, &len, w, n)) != TACIT_OK) return rc;
    rc = tacit__write_file(path, buf, len);
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------ files ---- */

int tacit__read_file(uint8_t **out, size_t *len, const char *path, size_t max)
{
    FILE *f;
    struct stat st;
    uint8_t *buf;
    size_t size;

    *out = NULL;
    *len = 0;
    if ((f = fopen(path, "rb")) == NULL) return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
        fclose(f);
        return TACIT_EIO;
    }
    if ((uint64_t)st.st_size > max) {
        fclose(f);
        return TACIT_ETOOBIG;
    }
    size = (size_t)st.st_size;
    if ((buf = malloc(size ? size : 1)) == NULL) {
        fclose(f);
        return TACIT_ENOMEM;
    }
    if (fread(buf, 1, size, f) != size || fgetc(f) != EOF) {
        free(buf);
        fclose(f);
        return TACIT_EIO;
    }
    fclose(f);
    *out = buf;
    *len = size;
    return TACIT_OK;
}

int tacit__write_file(const char *path, const uint8_t *buf, size_t len)
{
    char tmp[4096];
    FILE *f;
    bool ok;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) return TACIT_EIO;
    if ((f = fopen(tmp, "wb")) == NULL) return TACIT_EIO;
    ok = fwrite(buf, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return TACIT_EIO;
    }
    return TACIT_OK;
}
