/*
 * tacit — ABI encoding and strict decoding (include/tacit/abi.h; the Solidity documentation,
 * "Contract ABI Specification", "Formal Specification of the Encoding" and "Events").
 *
 * Encoding: the size of the whole encoding is computed first (checking every value against
 * its type), then the bytes are written into one buffer in one pass. A sequence (a tuple's
 * members, an array's items) is its heads, then the tails of its dynamic items in order; a
 * dynamic item's head is the offset of its tail from the start of the sequence.
 *
 * Decoding runs twice over the data: a dry pass checks everything and counts the values and
 * bytes the result needs, then one allocation is made and the same code fills it. The result
 * is freed with one free(): the root value is at the start of the allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "l1/l1_internal.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/keccak.h"

#define WORD 32

static size_t pad32(size_t n) { return (n + 31) / 32 * 32; }

/* The n-th type of a sequence: a tuple's member, or an array's element type. */
static const struct tacit_abi_type *member(const struct tacit_abi_type *t, size_t i)
{
    return t->kind == TACIT_ABI_TUPLE ? t->members[i] : t->elem;
}

/* Bytes a static type takes in place; SIZE_MAX when it does not fit a size_t. */
static size_t head_len(const struct tacit_abi_type *t)
{
    size_t sum = 0, one;
    if (tacit_abi_type_is_dynamic(t)) return WORD;
    switch (t->kind) {
    case TACIT_ABI_FARRAY:
        one = head_len(t->elem);
        return one > SIZE_MAX / t->size ? SIZE_MAX : one * t->size;
    case TACIT_ABI_TUPLE:
        for (size_t i = 0; i < t->nmembers; i++) {
            one = head_len(t->members[i]);
            if (one > SIZE_MAX - sum) return SIZE_MAX;
            sum += one;
        }
        return sum;
    default: return WORD;
    }
}

/* ------------------------------------------------------------------ encoder ---- */

/* Checks a static scalar's word against its type (the range a decoder would accept). */
static bool word_fits(const struct tacit_abi_type *t, const uint8_t w[32])
{
    size_t unused;
    switch (t->kind) {
    case TACIT_ABI_UINT:
        unused = (256 - t->size) / 8;
        for (size_t i = 0; i < unused; i++)
            if (w[i] != 0) return false;
        return true;
    case TACIT_ABI_INT: { /* sign-extended from bit size - 1 */
        unused = (256 - t->size) / 8;
        uint8_t ext = (w[unused] & 0x80) ? 0xff : 0x00;
        for (size_t i = 0; i < unused; i++)
            if (w[i] != ext) return false;
        return true;
    }
    case TACIT_ABI_ADDRESS:
        for (size_t i = 0; i < 12; i++)
            if (w[i] != 0) return false;
        return true;
    case TACIT_ABI_BOOL:
        for (size_t i = 0; i < 31; i++)
            if (w[i] != 0) return false;
        return w[31] <= 1;
    case TACIT_ABI_BYTESN:
        for (size_t i = t->size; i < 32; i++)
            if (w[i] != 0) return false;
        return true;
    default: return false;
    }
}

static int enc_size(size_t *out, const struct tacit_abi_type *t, const struct tacit_abi_value *v);

/* Size of a sequence of n items (heads and tails). */
static int seq_size(size_t *out, const struct tacit_abi_type *t,
                    const struct tacit_abi_value *items, size_t n)
{
    size_t sum = 0, one;
    int rc;
    for (size_t i = 0; i < n; i++) {
        const struct tacit_abi_type *m = member(t, i);
        if ((rc = enc_size(&one, m, &items[i])) != TACIT_OK) return rc;
        if (tacit_abi_type_is_dynamic(m)) one += WORD; /* its offset in the head */
        if (one > SIZE_MAX / 4 - sum) return TACIT_ENOMEM;
        sum += one;
    }
    *out = sum;
    return TACIT_OK;
}

/* Size of v's encoding as t (for a dynamic t: its tail; for a static one: its head). */
static int enc_size(size_t *out, const struct tacit_abi_type *t, const struct tacit_abi_value *v)
{
    int rc;
    *out = 0;
    if (v->kind != t->kind) return TACIT_EABI_VALUE;
    switch (t->kind) {
    case TACIT_ABI_BYTES:
    case TACIT_ABI_STRING:
        if (v->len > SIZE_MAX / 4 || (v->len > 0 && v->bytes == NULL)) return TACIT_EABI_VALUE;
        *out = WORD + pad32(v->len);
        return TACIT_OK;
    case TACIT_ABI_ARRAY:
        if ((rc = seq_size(out, t, v->items, v->n)) != TACIT_OK) return rc;
        *out += WORD; /* the length */
        return TACIT_OK;
    case TACIT_ABI_FARRAY:
        if (v->n != t->size) return TACIT_EABI_VALUE;
        return seq_size(out, t, v->items, v->n);
    case TACIT_ABI_TUPLE:
        if (v->n != t->nmembers) return TACIT_EABI_VALUE;
        return seq_size(out, t, v->items, v->n);
    default:
        if (!word_fits(t, v->word)) return TACIT_EABI_VALUE;
        *out = WORD;
        return TACIT_OK;
    }
}

static void put_len(uint8_t *w, size_t n)
{
    tacit_uint256 u;
    tacit_uint256_from_u64(&u, (uint64_t)n);
    memcpy(w, u.be, WORD);
}

static size_t enc_write(uint8_t *out, const struct tacit_abi_type *t,
                        const struct tacit_abi_value *v);

/* Writes a sequence at out (checked by enc_size already); returns its length. */
static size_t seq_write(uint8_t *out, const struct tacit_abi_type *t,
                        const struct tacit_abi_value *items, size_t n)
{
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < n; i++) head += head_len(member(t, i));
    tail = head;
    for (size_t i = 0, pos = 0; i < n; i++) {
        const struct tacit_abi_type *m = member(t, i);
        if (tacit_abi_type_is_dynamic(m)) {
            put_len(out + pos, tail);
            tail += enc_write(out + tail, m, &items[i]);
            pos += WORD;
        } else {
            pos += enc_write(out + pos, m, &items[i]);
        }
    }
    return tail;
}

static size_t enc_write(uint8_t *out, const struct tacit_abi_type *t,
                        const struct tacit_abi_value *v)
{
    switch (t->kind) {
    case TACIT_ABI_BYTES:
    case TACIT_ABI_STRING:
        put_len(out, v->len);
        if (v->len) memcpy(out + WORD, v->bytes, v->len);
        memset(out + WORD + v->len, 0, pad32(v->len) - v->len);
        return WORD + pad32(v->len);
    case TACIT_ABI_ARRAY:
        put_len(out, v->n);
        return WORD + seq_write(out + WORD, t, v->items, v->n);
    case TACIT_ABI_FARRAY:
    case TACIT_ABI_TUPLE: return seq_write(out, t, v->items, v->n);
    default: memcpy(out, v->word, WORD); return WORD;
    }
}

/* prefix || encode(t, v) in one buffer (calldata: the selector first). */
static int encode_prefixed(uint8_t **out, size_t *len, const uint8_t *prefix, size_t plen,
                           const struct tacit_abi_type *t, const struct tacit_abi_value *v)
{
    size_t n;
    int rc;
    uint8_t *buf;

    *out = NULL;
    *len = 0;
    if ((rc = enc_size(&n, t, v)) != TACIT_OK) return rc;
    if ((buf = malloc(plen + n + 1)) == NULL) return TACIT_ENOMEM;
    if (plen) memcpy(buf, prefix, plen);
    (void)enc_write(buf + plen, t, v);
    *out = buf;
    *len = plen + n;
    return TACIT_OK;
}

int tacit_abi_encode(uint8_t **out, size_t *len, const struct tacit_abi_type *t,
                     const struct tacit_abi_value *v)
{
    return encode_prefixed(out, len, NULL, 0, t, v);
}

/* A signature's parameters (freed by the caller) and keccak-256 of its canonical form (the
 * selector is its first 4 bytes, an event's topic 0 all of it). */
static int sig_params(struct tacit_abi_type **params, uint8_t hash[32], const char *sig)
{
    char *canon;
    int rc = tacit_abi_signature_parse(&canon, params, sig);
    if (rc != TACIT_OK) return rc;
    tacit_keccak256(hash, (const uint8_t *)canon, strlen(canon));
    free(canon);
    return TACIT_OK;
}

int tacit_abi_encode_call(uint8_t **out, size_t *len, const char *sig,
                          const struct tacit_abi_value *args)
{
    struct tacit_abi_type *params;
    uint8_t hash[32];
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = sig_params(&params, hash, sig)) != TACIT_OK) return rc;
    rc = encode_prefixed(out, len, hash, 4, params, args);
    tacit_abi_type_free(params);
    return rc;
}

/* ------------------------------------------------------------------ decoder ---- */

struct dec {
    const uint8_t *data;
    size_t len;
    bool dry;                     /* counting pass: nothing written */
    size_t nvals, nbytes;         /* counted (dry) */
    size_t budget;                /* bytes of output allowed */
    struct tacit_abi_value *vals; /* fill pass: next free value */
    uint8_t *bytes;               /* fill pass: next free byte */
};

/* The word at pos, or TACIT_EABI_OFFSET when it is not all inside the data. */
static int word_at(const struct dec *d, size_t pos, const uint8_t **w)
{
    if (pos > d->len || d->len - pos < WORD) return TACIT_EABI_OFFSET;
    *w = d->data + pos;
    return TACIT_OK;
}

/* A word read as an offset or length: it must fit 64 bits and stay below the data length. */
static int size_at(const struct dec *d, size_t pos, size_t *out)
{
    const uint8_t *w;
    uint64_t v = 0;
    int rc;
    if ((rc = word_at(d, pos, &w)) != TACIT_OK) return rc;
    for (int i = 0; i < 24; i++)
        if (w[i] != 0) return TACIT_EABI_OFFSET;
    for (int i = 24; i < 32; i++) v = v << 8 | w[i];
    if (v > d->len) return TACIT_EABI_OFFSET;
    *out = (size_t)v;
    return TACIT_OK;
}

static int take(struct dec *d, size_t vals, size_t bytes)
{
    size_t cost = vals * sizeof(struct tacit_abi_value) + bytes;
    if (vals > d->budget / sizeof(struct tacit_abi_value) || cost > d->budget) return TACIT_ETOOBIG;
    d->budget -= cost;
    d->nvals += vals;
    d->nbytes += bytes;
    return TACIT_OK;
}

static int dec_value(struct dec *d, const struct tacit_abi_type *t, size_t pos,
                     struct tacit_abi_value *out);

/* n items of sequence type t starting at base, into items[0..n) (NULL when dry). With
 * skip_indexed, the tuple's indexed members are left out of the layout (an event's data). */
static int dec_seq(struct dec *d, const struct tacit_abi_type *t, size_t n, size_t base,
                   struct tacit_abi_value *items, bool skip_indexed)
{
    size_t pos = base;
    int rc;
    for (size_t i = 0; i < n; i++) {
        const struct tacit_abi_type *m = member(t, i);
        struct tacit_abi_value *out = items ? &items[i] : NULL;
        if (skip_indexed && m->indexed) continue;
        if (tacit_abi_type_is_dynamic(m)) {
            size_t off;
            if ((rc = size_at(d, pos, &off)) != TACIT_OK) return rc;
            if (off > d->len - base) return TACIT_EABI_OFFSET;
            if ((rc = dec_value(d, m, base + off, out)) != TACIT_OK) return rc;
            pos += WORD;
        } else {
            size_t h = head_len(m);
            if (pos > d->len || h > d->len - pos) return TACIT_EABI_OFFSET;
            if ((rc = dec_value(d, m, pos, out)) != TACIT_OK) return rc;
            pos += h;
        }
    }
    return TACIT_OK;
}

/* Room for n items of a list value: counted when dry, taken from the allocation otherwise. */
static int list_items(struct dec *d, struct tacit_abi_value *out, size_t n,
                      struct tacit_abi_value **items)
{
    *items = NULL;
    if (d->dry) return take(d, n, 0);
    out->items = d->vals;
    out->n = n;
    memset(d->vals, 0, n * sizeof *d->vals);
    d->vals += n;
    *items = out->items;
    return TACIT_OK;
}

static int dec_value(struct dec *d, const struct tacit_abi_type *t, size_t pos,
                     struct tacit_abi_value *out)
{
    const uint8_t *w;
    size_t n;
    struct tacit_abi_value *items;
    int rc;

    if (out != NULL) {
        memset(out, 0, sizeof *out);
        out->kind = t->kind;
    }
    switch (t->kind) {
    case TACIT_ABI_BYTES:
    case TACIT_ABI_STRING:
        if ((rc = size_at(d, pos, &n)) != TACIT_OK) return rc;
        pos += WORD;
        if (pad32(n) > d->len - pos) return TACIT_EABI_OFFSET;
        for (size_t i = n; i < pad32(n); i++)
            if (d->data[pos + i] != 0) return TACIT_EABI_PADDING;
        if (d->dry) return take(d, 0, n + 1);
        memcpy(d->bytes, d->data + pos, n);
        d->bytes[n] = '\0'; /* a string can be printed as it is */
        out->bytes = d->bytes;
        out->len = n;
        d->bytes += n + 1;
        return TACIT_OK;
    case TACIT_ABI_ARRAY:
        if ((rc = size_at(d, pos, &n)) != TACIT_OK) return rc;
        pos += WORD;
        /* every item takes at least one word in the head */
        if (n > (d->len - pos) / WORD) return TACIT_EABI_OFFSET;
        if ((rc = list_items(d, out, n, &items)) != TACIT_OK) return rc;
        return dec_seq(d, t, n, pos, items, false);
    case TACIT_ABI_FARRAY:
    case TACIT_ABI_TUPLE:
        n = t->kind == TACIT_ABI_TUPLE ? t->nmembers : t->size;
        if ((rc = list_items(d, out, n, &items)) != TACIT_OK) return rc;
        return dec_seq(d, t, n, pos, items, false);
    default:
        if ((rc = word_at(d, pos, &w)) != TACIT_OK) return rc;
        if (!word_fits(t, w))
            return t->kind == TACIT_ABI_BOOL ? TACIT_EABI_BOOL : TACIT_EABI_PADDING;
        if (out != NULL) memcpy(out->word, w, WORD);
        return TACIT_OK;
    }
}

/* A decoding run over d, writing the root value (NULL when dry): a whole type, or an event
 * (indexed values from its topics, the rest from its data). */
typedef int (*dec_fn)(struct dec *d, void *arg, struct tacit_abi_value *root);

/* Runs fn dry, allocates, runs it again filling; *out is the root. */
static int decode_twice(struct tacit_abi_value **out, const uint8_t *data, size_t len, dec_fn fn,
                        void *arg)
{
    struct dec d = {.data = data, .len = len, .dry = true};
    struct tacit_abi_value *root;
    size_t vals_bytes;
    int rc;

    *out = NULL;
    d.budget = len < (SIZE_MAX - 65536) / 64 ? 64 * len + 65536 : SIZE_MAX;
    if ((rc = take(&d, 1, 0)) != TACIT_OK) return rc; /* the root */
    if ((rc = fn(&d, arg, NULL)) != TACIT_OK) return rc;
    vals_bytes = d.nvals * sizeof *root;
    if ((root = malloc(vals_bytes + d.nbytes + 1)) == NULL) return TACIT_ENOMEM;
    d.dry = false;
    d.vals = root + 1;
    d.bytes = (uint8_t *)root + vals_bytes;
    d.data = data;
    d.len = len;
    if ((rc = fn(&d, arg, root)) != TACIT_OK) { /* cannot differ from the dry pass */
        free(root);
        return rc;
    }
    *out = root;
    return TACIT_OK;
}

static int dec_whole(struct dec *d, void *arg, struct tacit_abi_value *root)
{
    return dec_value(d, arg, 0, root);
}

int tacit_abi_decode(struct tacit_abi_value **out, const struct tacit_abi_type *t,
                     const uint8_t *data, size_t len)
{
    *out = NULL;
    if (data == NULL && len > 0) return TACIT_EINVAL;
    return decode_twice(out, data, len, dec_whole, (void *)t);
}

void tacit_abi_value_free(struct tacit_abi_value *v) { free(v); }

int tacit_abi_decode_call(struct tacit_abi_value **out, const char *sig, const uint8_t *data,
                          size_t len)
{
    struct tacit_abi_type *params;
    uint8_t hash[32];
    int rc;

    *out = NULL;
    if ((rc = sig_params(&params, hash, sig)) != TACIT_OK) return rc;
    if (len < 4 || memcmp(data, hash, 4) != 0)
        rc = TACIT_EABI_SELECTOR;
    else
        rc = tacit_abi_decode(out, params, data + 4, len - 4);
    tacit_abi_type_free(params);
    return rc;
}

struct log_arg {
    const struct tacit_abi_type *params;
    const uint8_t (*topics)[32];
    const uint8_t *data;
    size_t len;
};

static int dec_log(struct dec *d, void *arg, struct tacit_abi_value *root)
{
    const struct log_arg *a = arg;
    const struct tacit_abi_type *p = a->params;
    struct tacit_abi_value *items = NULL;
    size_t topic = 1;
    int rc;

    if (root != NULL) {
        memset(root, 0, sizeof *root);
        root->kind = TACIT_ABI_TUPLE;
    }
    if ((rc = list_items(d, root, p->nmembers, &items)) != TACIT_OK) return rc;
    for (size_t i = 0; i < p->nmembers; i++) {
        const struct tacit_abi_type *m = p->members[i];
        struct tacit_abi_value *out = items ? &items[i] : NULL;
        if (!m->indexed) continue;
        if (tacit_abi_type_is_dynamic(m) || m->kind == TACIT_ABI_TUPLE ||
            m->kind == TACIT_ABI_FARRAY) {
            /* only the keccak-256 of its encoding is in the log */
            if (out != NULL) {
                memset(out, 0, sizeof *out);
                out->kind = TACIT_ABI_BYTESN;
                memcpy(out->word, a->topics[topic], 32);
            }
        } else {
            struct dec td = *d;
            td.data = a->topics[topic];
            td.len = 32;
            if ((rc = dec_value(&td, m, 0, out)) != TACIT_OK) return rc;
            d->budget = td.budget;
            d->nvals = td.nvals;
            d->nbytes = td.nbytes;
        }
        topic++;
    }
    return dec_seq(d, p, p->nmembers, 0, items, true);
}

int tacit_abi_decode_log(struct tacit_abi_value **out, const char *sig, const uint8_t (*topics)[32],
                         size_t ntopics, const uint8_t *data, size_t len)
{
    struct tacit_abi_type *params;
    struct log_arg a;
    uint8_t topic0[32];
    size_t nindexed = 0;
    int rc;

    *out = NULL;
    if ((rc = sig_params(&params, topic0, sig)) != TACIT_OK) return rc;
    for (size_t i = 0; i < params->nmembers; i++) nindexed += params->members[i]->indexed;
    if (ntopics != 1 + nindexed || memcmp(topics[0], topic0, 32) != 0) {
        rc = TACIT_EABI_SELECTOR;
        goto out;
    }
    a = (struct log_arg){params, topics, data, len};
    rc = decode_twice(out, data, len, dec_log, &a);
out:
    tacit_abi_type_free(params);
    return rc;
}
