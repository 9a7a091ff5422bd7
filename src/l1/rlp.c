/*
 * tacit — RLP encoding and strict decoding (include/tacit/rlp.h; Yellow Paper appendix B).
 *
 * The encoder writes a list's payload first and inserts its prefix when the list ends (the
 * payload length is known only then): one memmove of the payload per list, fine for the
 * transactions and small structures the L1 client encodes.
 */
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/rlp.h"

/* ------------------------------------------------------------------ encoder ---- */

void tacit_rlp_enc_init(struct tacit_rlp_enc *e) { memset(e, 0, sizeof *e); }

void tacit_rlp_enc_clear(struct tacit_rlp_enc *e)
{
    free(e->buf);
    tacit_rlp_enc_init(e);
}

/* Room for n more bytes; false (and the sticky error set) when there is none. */
static bool reserve(struct tacit_rlp_enc *e, size_t n)
{
    if (e->err != TACIT_OK) return false;
    if (n > SIZE_MAX / 2 - e->len) {
        e->err = TACIT_ENOMEM;
        return false;
    }
    if (e->len + n > e->cap) {
        size_t cap = e->cap ? e->cap : 64;
        uint8_t *b;
        while (cap < e->len + n) cap *= 2;
        if ((b = realloc(e->buf, cap)) == NULL) {
            e->err = TACIT_ENOMEM;
            return false;
        }
        e->buf = b;
        e->cap = cap;
    }
    return true;
}

/* Writes the prefix for a payload of n bytes (base 0x80 for strings, 0xc0 for lists) into
 * out (at most 9 bytes); returns its length. */
static size_t prefix(uint8_t out[9], uint8_t base, size_t n)
{
    size_t k = 0;
    if (n < 56) {
        out[0] = (uint8_t)(base + n);
        return 1;
    }
    for (size_t v = n; v != 0; v >>= 8) k++;
    out[0] = (uint8_t)(base + 55 + k);
    for (size_t i = 0; i < k; i++) out[k - i] = (uint8_t)(n >> (8 * i));
    return k + 1;
}

void tacit_rlp_put_raw(struct tacit_rlp_enc *e, const uint8_t *p, size_t n)
{
    if (!reserve(e, n)) return;
    if (n) memcpy(e->buf + e->len, p, n);
    e->len += n;
}

void tacit_rlp_put_bytes(struct tacit_rlp_enc *e, const uint8_t *p, size_t n)
{
    uint8_t pre[9];
    size_t k;
    if (n == 1 && p[0] < 0x80) { /* a single low byte is its own encoding */
        tacit_rlp_put_raw(e, p, 1);
        return;
    }
    k = prefix(pre, 0x80, n);
    if (!reserve(e, k + n)) return;
    tacit_rlp_put_raw(e, pre, k);
    tacit_rlp_put_raw(e, p, n);
}

void tacit_rlp_put_u64(struct tacit_rlp_enc *e, uint64_t v)
{
    tacit_uint256 u;
    tacit_uint256_from_u64(&u, v);
    tacit_rlp_put_uint256(e, &u);
}

void tacit_rlp_put_uint256(struct tacit_rlp_enc *e, const tacit_uint256 *v)
{
    size_t skip = 0;
    while (skip < 32 && v->be[skip] == 0) skip++; /* integers drop their leading zeros */
    tacit_rlp_put_bytes(e, v->be + skip, 32 - skip);
}

void tacit_rlp_list_begin(struct tacit_rlp_enc *e)
{
    if (e->err != TACIT_OK) return;
    if (e->depth == TACIT_RLP_MAX_DEPTH) {
        e->err = TACIT_EINVAL;
        return;
    }
    e->open[e->depth++] = e->len;
}

void tacit_rlp_list_end(struct tacit_rlp_enc *e)
{
    uint8_t pre[9];
    size_t start, n, k;

    if (e->err != TACIT_OK) return;
    if (e->depth == 0) {
        e->err = TACIT_EINVAL;
        return;
    }
    start = e->open[--e->depth];
    n = e->len - start;
    k = prefix(pre, 0xc0, n);
    if (!reserve(e, k)) return;
    memmove(e->buf + start + k, e->buf + start, n);
    memcpy(e->buf + start, pre, k);
    e->len += k;
}

int tacit_rlp_enc_finish(struct tacit_rlp_enc *e, uint8_t **out, size_t *len)
{
    int rc = e->err;
    *out = NULL;
    *len = 0;
    if (rc == TACIT_OK && e->depth != 0) rc = TACIT_EINVAL;
    if (rc == TACIT_OK && e->buf == NULL && (e->buf = malloc(1)) == NULL) rc = TACIT_ENOMEM;
    if (rc != TACIT_OK) {
        tacit_rlp_enc_clear(e);
        return rc;
    }
    *out = e->buf;
    *len = e->len;
    e->buf = NULL;
    tacit_rlp_enc_clear(e);
    return TACIT_OK;
}

/* ------------------------------------------------------------------ decoder ---- */

/* Reads one item at the start of in[0..len); its total length is out->raw_len. */
static int read_item(struct tacit_rlp_item *out, const uint8_t *in, size_t len)
{
    uint8_t b;
    size_t hdr, n;

    memset(out, 0, sizeof *out);
    if (len == 0) return TACIT_ERLP_TRUNCATED;
    b = in[0];
    if (b < 0x80) { /* the byte itself */
        hdr = 0;
        n = 1;
    } else if (b < 0xb8 || (b >= 0xc0 && b < 0xf8)) { /* short string or list */
        hdr = 1;
        n = (size_t)(b - (b < 0xc0 ? 0x80 : 0xc0));
        out->is_list = b >= 0xc0;
        if (!out->is_list && n == 1) {
            if (len < 2) return TACIT_ERLP_TRUNCATED;
            if (in[1] < 0x80) return TACIT_ERLP_NONCANONICAL_BYTE;
        }
    } else { /* long form: the length's byte count, then the length */
        size_t k = (size_t)(b - (b < 0xc0 ? 0xb7 : 0xf7));
        out->is_list = b >= 0xc0;
        if (len < 1 + k) return TACIT_ERLP_TRUNCATED;
        if (in[1] == 0) return TACIT_ERLP_NONCANONICAL_LENGTH;
        if (k > sizeof(size_t)) return TACIT_ERLP_TRUNCATED; /* longer than any input */
        n = 0;
        for (size_t i = 0; i < k; i++) n = n << 8 | in[1 + i];
        if (n < 56) return TACIT_ERLP_NONCANONICAL_LENGTH;
        hdr = 1 + k;
    }
    if (n > len - hdr) return TACIT_ERLP_TRUNCATED;
    out->payload = in + hdr;
    out->len = n;
    out->raw = in;
    out->raw_len = hdr + n;
    return TACIT_OK;
}

int tacit_rlp_decode(struct tacit_rlp_item *out, const uint8_t *in, size_t len)
{
    int rc = read_item(out, in, len);
    if (rc == TACIT_OK && out->raw_len != len) rc = TACIT_ETRAILING;
    if (rc != TACIT_OK) memset(out, 0, sizeof *out);
    return rc;
}

int tacit_rlp_iter_init(struct tacit_rlp_iter *it, const struct tacit_rlp_item *list)
{
    it->p = NULL;
    it->left = 0;
    if (!list->is_list) return TACIT_ERLP_TYPE;
    it->p = list->payload;
    it->left = list->len;
    return TACIT_OK;
}

bool tacit_rlp_iter_done(const struct tacit_rlp_iter *it) { return it->left == 0; }

int tacit_rlp_iter_next(struct tacit_rlp_iter *it, struct tacit_rlp_item *out)
{
    int rc;
    if (it->left == 0) {
        memset(out, 0, sizeof *out);
        return TACIT_ERLP_ITEMS;
    }
    if ((rc = read_item(out, it->p, it->left)) != TACIT_OK) return rc;
    it->p += out->raw_len;
    it->left -= out->raw_len;
    return TACIT_OK;
}

int tacit_rlp_list_count(const struct tacit_rlp_item *list, size_t *n)
{
    struct tacit_rlp_iter it;
    struct tacit_rlp_item item;
    int rc;

    *n = 0;
    if ((rc = tacit_rlp_iter_init(&it, list)) != TACIT_OK) return rc;
    while (!tacit_rlp_iter_done(&it)) {
        if ((rc = tacit_rlp_iter_next(&it, &item)) != TACIT_OK) return rc;
        (*n)++;
    }
    return TACIT_OK;
}

int tacit_rlp_item_uint256(const struct tacit_rlp_item *item, tacit_uint256 *out)
{
    memset(out->be, 0, sizeof out->be);
    if (item->is_list) return TACIT_ERLP_TYPE;
    if (item->len > 0 && item->payload[0] == 0) return TACIT_ERLP_LEADING_ZERO;
    if (item->len > 32) return TACIT_EOVERFLOW;
    if (item->len) memcpy(out->be + 32 - item->len, item->payload, item->len);
    return TACIT_OK;
}

int tacit_rlp_item_u64(const struct tacit_rlp_item *item, uint64_t *out)
{
    tacit_uint256 v;
    int rc;
    *out = 0;
    if ((rc = tacit_rlp_item_uint256(item, &v)) != TACIT_OK) return rc;
    return tacit_uint256_to_u64(out, &v);
}

int tacit_rlp_item_fixed(const struct tacit_rlp_item *item, uint8_t *out, size_t n)
{
    memset(out, 0, n);
    if (item->is_list) return TACIT_ERLP_TYPE;
    if (item->len != n) return TACIT_EENCODING;
    memcpy(out, item->payload, n);
    return TACIT_OK;
}
