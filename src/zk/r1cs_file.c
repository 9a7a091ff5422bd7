/*
 * tacit — the iden3 .r1cs binary format, reading and writing (include/tacit/r1cs.h).
 *
 * Format: iden3/r1csfile doc/r1cs_bin_format.md (circom's output, read by snarkjs
 * `r1cs info` and `groth16 setup`): the iden3 binary container ("r1cs", version 1, a list
 * of (u32 type, u64 size) sections), section 1 the header, 2 the constraints, 3 the
 * wire-to-label map; every integer little-endian, field elements n8 = 32 bytes LE in
 * normal (not Montgomery) form. circom writes the constraints section before the header,
 * so the reader takes sections in any order. Sections 4 and 5 (custom gates, PLONK only)
 * are refused: they change what a constraint means.
 *
 * The reader faces untrusted bytes: every count is checked against the bytes that are
 * actually there before anything is allocated for it.
 */
#include "tacit/r1cs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"

#define N8 32
#define HEADER_SIZE (4 + N8 + 4 * 4 + 8 + 4)
#define TERM_SIZE (4 + N8)
/* Wires and constraints beyond this are refused (ETOOBIG): far above any circuit here. */
#define R1CS_MAX ((uint32_t)1 << 31)
/* Whole files above this are refused by read_file. */
#define FILE_MAX ((uint64_t)1 << 34)

enum { SEC_HEADER = 1, SEC_CONSTRAINTS = 2, SEC_MAP = 3, SEC_CUSTOM_LIST = 4, SEC_CUSTOM_USE = 5 };

/* ------------------------------------------------------------------ bytes ---- */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p) { return get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }

static void put_limbs(uint8_t *p, const uint64_t l[4])
{
    for (int i = 0; i < 4; i++) put_u64(p + 8 * i, l[i]);
}

static void get_limbs(uint64_t l[4], const uint8_t *p)
{
    for (int i = 0; i < 4; i++) l[i] = get_u64(p + 8 * i);
}

/* The scalar field modulus r as plain limbs: (r - 1) + 1. */
static void modulus_limbs(uint64_t r[4])
{
    tacit_fr m1;
    uint64_t c = 1;

    tacit_fr_neg(&m1, &TACIT_FR_ONE);
    tacit_fr_to_limbs(r, &m1);
    for (int i = 0; i < 4; i++) {
        r[i] += c;
        c = r[i] < c;
    }
}

/* ----------------------------------------------------------------- writing ---- */

static size_t lc_size(const tacit_lc *lc) { return 4 + (size_t)lc->n * TERM_SIZE; }

static uint8_t *put_lc(uint8_t *p, const tacit_lc *lc)
{
    uint64_t l[4];

    put_u32(p, lc->n);
    p += 4;
    for (uint32_t i = 0; i < lc->n; i++) {
        put_u32(p, lc->terms[i].var);
        tacit_fr_to_limbs(l, &lc->terms[i].coeff);
        put_limbs(p + 4, l);
        p += TERM_SIZE;
    }
    return p;
}

static bool lc_ok(const tacit_lc *lc, uint32_t nvars)
{
    if (lc->n > 0 && lc->terms == NULL) return false;
    for (uint32_t i = 0; i < lc->n; i++)
        if (lc->terms[i].var >= nvars) return false;
    return true;
}

int tacit_r1cs_write(uint8_t **out, size_t *len, const tacit_r1cs *r)
{
    uint64_t csize = 0, total, mod[4];
    uint8_t *buf, *p;

    *out = NULL;
    *len = 0;
    if (r->nvars == 0 || r->npublic >= r->nvars || r->nvars > R1CS_MAX ||
        r->nconstraints > R1CS_MAX || (r->nconstraints > 0 && r->constraints == NULL))
        return TACIT_EINVAL;
    for (uint32_t i = 0; i < r->nconstraints; i++) {
        const tacit_constraint *k = &r->constraints[i];
        if (!lc_ok(&k->a, r->nvars) || !lc_ok(&k->b, r->nvars) || !lc_ok(&k->c, r->nvars))
            return TACIT_EINVAL;
        csize += lc_size(&k->a) + lc_size(&k->b) + lc_size(&k->c);
    }
    total = 12 + 3 * 12 + HEADER_SIZE + csize + 8 * (uint64_t)r->nvars;
    if (total > SIZE_MAX) return TACIT_ETOOBIG;
    if ((buf = malloc((size_t)total)) == NULL) return TACIT_ENOMEM;

    p = buf;
    memcpy(p, "r1cs", 4);
    put_u32(p + 4, 1); /* version */
    put_u32(p + 8, 3); /* sections */
    p += 12;

    put_u32(p, SEC_HEADER);
    put_u64(p + 4, HEADER_SIZE);
    p += 12;
    put_u32(p, N8);
    modulus_limbs(mod);
    put_limbs(p + 4, mod);
    p += 4 + N8;
    put_u32(p, r->nvars);
    put_u32(p + 4, 0);                          /* public outputs */
    put_u32(p + 8, r->npublic);                 /* public inputs */
    put_u32(p + 12, r->nvars - 1 - r->npublic); /* private inputs: every private wire */
    put_u64(p + 16, r->nvars);                  /* labels */
    put_u32(p + 24, r->nconstraints);
    p += 28;

    put_u32(p, SEC_CONSTRAINTS);
    put_u64(p + 4, csize);
    p += 12;
    for (uint32_t i = 0; i < r->nconstraints; i++) {
        p = put_lc(p, &r->constraints[i].a);
        p = put_lc(p, &r->constraints[i].b);
        p = put_lc(p, &r->constraints[i].c);
    }

    put_u32(p, SEC_MAP);
    put_u64(p + 4, 8 * (uint64_t)r->nvars);
    p += 12;
    for (uint32_t i = 0; i < r->nvars; i++, p += 8) put_u64(p, i); /* wire i = label i */

    *out = buf;
    *len = (size_t)total;
    return TACIT_OK;
}

int tacit_r1cs_write_file(const char *path, const tacit_r1cs *r)
{
    uint8_t *buf;
    size_t len, plen = strlen(path);
    char *tmp;
    FILE *f;
    int rc;

    if ((rc = tacit_r1cs_write(&buf, &len, r)) != TACIT_OK) return rc;
    if ((tmp = malloc(plen + 5)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out_free_buf;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    if ((f = fopen(tmp, "wb")) == NULL) {
        rc = errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
        goto out_free_tmp;
    }
    rc = TACIT_OK;
    if (fwrite(buf, 1, len, f) != len) rc = TACIT_EIO;
    if (fclose(f) != 0) rc = TACIT_EIO;
    if (rc == TACIT_OK && rename(tmp, path) != 0) rc = TACIT_EIO;
    if (rc != TACIT_OK) remove(tmp);
out_free_tmp:
    free(tmp);
out_free_buf:
    free(buf);
    return rc;
}

/* ----------------------------------------------------------------- reading ---- */

/* Reads one combination at *p (within end) into lc; advances *p. */
static int read_lc(tacit_lc *lc, const uint8_t **p, const uint8_t *end, uint32_t nwires)
{
    uint64_t l[4];
    uint32_t n, k = 0;
    const uint8_t *q = *p;

    lc->terms = NULL;
    lc->n = 0;
    if (end - q < 4) return TACIT_EENCODING;
    n = get_u32(q);
    q += 4;
    if ((uint64_t)n * TERM_SIZE > (uint64_t)(end - q)) return TACIT_EENCODING;
    if (n > 0 && (lc->terms = malloc((size_t)n * sizeof *lc->terms)) == NULL) return TACIT_ENOMEM;
    for (uint32_t i = 0; i < n; i++, q += TERM_SIZE) {
        tacit_lc_term *t = &lc->terms[k];
        int rc;
        t->var = get_u32(q);
        if (t->var >= nwires) return TACIT_EENCODING;
        get_limbs(l, q + 4);
        if ((rc = tacit_fr_from_limbs(&t->coeff, l)) != TACIT_OK) return rc;
        if (!tacit_fr_is_zero(&t->coeff)) k++; /* zero terms mean nothing: dropped */
    }
    lc->n = k;
    if (k == 0) {
        free(lc->terms);
        lc->terms = NULL;
    }
    *p = q;
    return TACIT_OK;
}

int tacit_r1cs_read(tacit_r1cs *r, tacit_r1cs_file_info *info, const uint8_t *in, size_t len)
{
    const uint8_t *sec[6] = {0}, *p, *end;
    uint64_t secsize[6] = {0}, mod[4], prime[4];
    uint32_t nsec, nwires, npubout, npubin, nprvin, ncons;
    uint64_t nlabels;
    size_t off;
    int rc;

    memset(r, 0, sizeof *r);
    if (info != NULL) memset(info, 0, sizeof *info);
    if (len < 12 || memcmp(in, "r1cs", 4) != 0) return TACIT_EENCODING;
    if (get_u32(in + 4) != 1) return TACIT_EENCODING; /* version */
    nsec = get_u32(in + 8);
    off = 12;
    for (uint32_t s = 0; s < nsec; s++) {
        uint32_t type;
        uint64_t size;
        if (len - off < 12) return TACIT_EENCODING;
        type = get_u32(in + off);
        size = get_u64(in + off + 4);
        off += 12;
        if (size > len - off) return TACIT_EENCODING;
        if (type == SEC_CUSTOM_LIST || type == SEC_CUSTOM_USE) return TACIT_EENCODING;
        if (type >= SEC_HEADER && type <= SEC_MAP) {
            if (sec[type] != NULL) return TACIT_EENCODING; /* repeated */
            sec[type] = in + off;
            secsize[type] = size;
        }
        off += (size_t)size; /* other section types are skipped */
    }
    if (off != len) return TACIT_EENCODING; /* trailing bytes */
    /* the map is required too: its 8 bytes per wire bound nWires by the file's size, so a
     * small file cannot make a consumer allocate for 2^31 wires */
    if (sec[SEC_HEADER] == NULL || sec[SEC_CONSTRAINTS] == NULL || sec[SEC_MAP] == NULL)
        return TACIT_EENCODING;

    /* header */
    p = sec[SEC_HEADER];
    if (secsize[SEC_HEADER] < 4) return TACIT_EENCODING;
    if (get_u32(p) != N8) return TACIT_EPROTOCOL;
    if (secsize[SEC_HEADER] != HEADER_SIZE) return TACIT_EENCODING;
    get_limbs(prime, p + 4);
    modulus_limbs(mod);
    if (memcmp(prime, mod, sizeof mod) != 0) return TACIT_EPROTOCOL;
    p += 4 + N8;
    nwires = get_u32(p);
    npubout = get_u32(p + 4);
    npubin = get_u32(p + 8);
    nprvin = get_u32(p + 12);
    nlabels = get_u64(p + 16);
    ncons = get_u32(p + 24);
    if (nwires > R1CS_MAX || ncons > R1CS_MAX) return TACIT_ETOOBIG;
    if (nwires == 0 || (uint64_t)npubout + npubin >= nwires ||
        (uint64_t)npubout + npubin + nprvin >= nwires)
        return TACIT_EENCODING;
    /* each constraint takes at least three empty combinations: 12 bytes */
    if ((uint64_t)ncons * 12 > secsize[SEC_CONSTRAINTS]) return TACIT_EENCODING;
    if (secsize[SEC_MAP] != 8 * (uint64_t)nwires) return TACIT_EENCODING;

    /* constraints */
    r->nvars = nwires;
    r->npublic = npubout + npubin;
    if (ncons > 0 && (r->constraints = calloc(ncons, sizeof *r->constraints)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out_clear;
    }
    r->nconstraints = ncons; /* calloc'd: clear frees what was read so far */
    p = sec[SEC_CONSTRAINTS];
    end = p + secsize[SEC_CONSTRAINTS];
    for (uint32_t i = 0; i < ncons; i++) {
        tacit_constraint *k = &r->constraints[i];
        if ((rc = read_lc(&k->a, &p, end, nwires)) != TACIT_OK ||
            (rc = read_lc(&k->b, &p, end, nwires)) != TACIT_OK ||
            (rc = read_lc(&k->c, &p, end, nwires)) != TACIT_OK)
            goto out_clear;
    }
    if (p != end) {
        rc = TACIT_EENCODING;
        goto out_clear;
    }
    if (info != NULL) {
        info->n_pub_out = npubout;
        info->n_pub_in = npubin;
        info->n_prv_in = nprvin;
        info->n_labels = nlabels;
    }
    return TACIT_OK;

out_clear:
    tacit_r1cs_clear(r);
    if (info != NULL) memset(info, 0, sizeof *info);
    return rc;
}

int tacit_r1cs_read_file(tacit_r1cs *r, tacit_r1cs_file_info *info, const char *path)
{
    uint8_t *buf = NULL;
    long size;
    FILE *f;
    int rc;

    memset(r, 0, sizeof *r);
    if (info != NULL) memset(info, 0, sizeof *info);
    if ((f = fopen(path, "rb")) == NULL) return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        rc = TACIT_EIO;
        goto out_close;
    }
    if ((uint64_t)size > FILE_MAX || (uint64_t)size > SIZE_MAX) {
        rc = TACIT_ETOOBIG;
        goto out_close;
    }
    if ((buf = malloc(size > 0 ? (size_t)size : 1)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out_close;
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        rc = TACIT_EIO;
        goto out_free;
    }
    rc = tacit_r1cs_read(r, info, buf, (size_t)size);
out_free:
    free(buf);
out_close:
    fclose(f);
    return rc;
}
