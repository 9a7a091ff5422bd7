/*
 * tacit — RLP, Ethereum's Recursive Length Prefix serialisation (module l1; the Yellow Paper,
 * appendix B; EIP-2718 typed transactions wrap it). An item is a byte string or a list of
 * items. Strings: one byte below 0x80 stands for itself; otherwise 0x80 + length (length < 56)
 * or 0xb7 + the length's byte count, then the length big-endian; lists likewise with 0xc0 and
 * 0xf7. Integers are byte strings, big-endian without leading zeros (zero is the empty string).
 *
 * The encoder appends to a growable buffer; errors (out of memory, lists nested too deep, a
 * list ended that was not begun) are sticky and reported once by tacit_rlp_enc_finish.
 *
 * The decoder is strict: every input has exactly one encoding, so two different byte strings
 * never decode to the same value. It refuses, each with its own code:
 *   - an item longer than its input: TACIT_ERLP_TRUNCATED;
 *   - a length in the long form when the short one fits, or with leading zero bytes:
 *     TACIT_ERLP_NONCANONICAL_LENGTH;
 *   - a single byte below 0x80 written as 0x81 xx: TACIT_ERLP_NONCANONICAL_BYTE;
 *   - bytes after the top-level item: TACIT_ETRAILING;
 *   - (when read as an integer) leading zero bytes: TACIT_ERLP_LEADING_ZERO; more than 8 (u64)
 *     or 32 (uint256) bytes: TACIT_EOVERFLOW; a list: TACIT_ERLP_TYPE.
 * Decoding does not allocate: items point into the caller's input, which must outlive them.
 * Nothing here keeps state between calls; any number of threads may use it.
 */
#ifndef TACIT_RLP_H
#define TACIT_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/uint256.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_RLP_MAX_DEPTH 16 /* lists open at once in the encoder */

/* ------------------------------------------------------------------ encoder ---- */

struct tacit_rlp_enc {
    uint8_t *buf;
    size_t len, cap;
    int err;                          /* first error, sticky */
    size_t depth;                     /* lists open */
    size_t open[TACIT_RLP_MAX_DEPTH]; /* where each open list's payload starts */
};

void tacit_rlp_enc_init(struct tacit_rlp_enc *e);
/* Frees the buffer (safe after finish, which takes it). */
void tacit_rlp_enc_clear(struct tacit_rlp_enc *e);
void tacit_rlp_put_bytes(struct tacit_rlp_enc *e, const uint8_t *p, size_t n);
void tacit_rlp_put_u64(struct tacit_rlp_enc *e, uint64_t v);
void tacit_rlp_put_uint256(struct tacit_rlp_enc *e, const tacit_uint256 *v);
/* An item already RLP-encoded (copied as it is). */
void tacit_rlp_put_raw(struct tacit_rlp_enc *e, const uint8_t *p, size_t n);
void tacit_rlp_list_begin(struct tacit_rlp_enc *e);
void tacit_rlp_list_end(struct tacit_rlp_enc *e);
/* Hands over the encoding (*out malloc'd, free(); *len bytes) and resets e. TACIT_OK, or the
 * sticky error (TACIT_ENOMEM; TACIT_EINVAL: a list still open, ended twice, or too deep); on
 * error *out is NULL and the buffer is freed. */
int tacit_rlp_enc_finish(struct tacit_rlp_enc *e, uint8_t **out, size_t *len);

/* ------------------------------------------------------------------ decoder ---- */

struct tacit_rlp_item {
    bool is_list;
    const uint8_t *payload; /* a string's bytes, or a list's encoded items */
    size_t len;
    const uint8_t *raw; /* the whole item, prefix included */
    size_t raw_len;
};

/* Decodes the one item that in[0..len) must be (TACIT_ETRAILING if bytes follow it). */
int tacit_rlp_decode(struct tacit_rlp_item *out, const uint8_t *in, size_t len);

/* Walks a list's items in order. */
struct tacit_rlp_iter {
    const uint8_t *p;
    size_t left;
};
/* TACIT_OK, or TACIT_ERLP_TYPE when item is not a list. */
int tacit_rlp_iter_init(struct tacit_rlp_iter *it, const struct tacit_rlp_item *list);
bool tacit_rlp_iter_done(const struct tacit_rlp_iter *it);
/* The next item: TACIT_OK, a decoding error, or TACIT_ERLP_ITEMS when the list has ended. */
int tacit_rlp_iter_next(struct tacit_rlp_iter *it, struct tacit_rlp_item *out);
/* The number of items of a list (each checked as above). */
int tacit_rlp_list_count(const struct tacit_rlp_item *list, size_t *n);

/* Reads a string item as an integer (see the top of this file for the errors). */
int tacit_rlp_item_u64(const struct tacit_rlp_item *item, uint64_t *out);
int tacit_rlp_item_uint256(const struct tacit_rlp_item *item, tacit_uint256 *out);
/* A string of exactly n bytes, copied. TACIT_ERLP_TYPE (a list) or TACIT_EENCODING (length). */
int tacit_rlp_item_fixed(const struct tacit_rlp_item *item, uint8_t *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_RLP_H */
