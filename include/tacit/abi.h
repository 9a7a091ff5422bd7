/*
 * tacit — the Solidity contract ABI (module l1; the Solidity documentation, "Contract ABI
 * Specification"): the encoding of calls, return data, errors and events, for what a rollup
 * contract needs.
 *
 * Types are written as Solidity writes them and parsed into a tree: uint<M> and int<M> (M = 8,
 * 16, ..., 256; "uint" is uint256), address, bool, bytes<M> (1..32), bytes, string, T[] (dynamic
 * array), T[k] (fixed array) and tuples "(T1,T2,...)". The encoding is the spec's head/tail
 * layout: static values in place, dynamic ones (bytes, string, T[], and arrays or tuples that
 * contain one) as an offset in the head and their data in the tail.
 *
 * Values are a tree of struct tacit_abi_value whose kinds follow the type. A static value is its
 * 32-byte ABI word (helpers below fill it); bytes and string point to their bytes; arrays and
 * tuples to their items. A value tree the caller builds stays the caller's (nothing here frees
 * or keeps it); a tree returned by a decoder is one allocation owned by the caller, freed with
 * tacit_abi_value_free.
 *
 * Decoding is strict: each of these is its own error, and a value is never returned in part:
 *   - an offset or length that points past the data, or a head longer than it:
 *     TACIT_EABI_OFFSET;
 *   - a word whose unused bits are not zero (uint<M> and address above their width, int<M> not
 *     sign-extended, the low bytes of bytes<M>, the padding after bytes and string):
 *     TACIT_EABI_PADDING;
 *   - a bool other than 0 or 1: TACIT_EABI_BOOL;
 *   - a selector or event topic that is not the signature's: TACIT_EABI_SELECTOR;
 *   - output that would be more than 64 times the input plus 64 KiB (offsets that point many
 *     items at the same data): TACIT_ETOOBIG.
 * Bytes after the last value are allowed, as the Solidity decoder allows them (calldata may
 * carry more than the arguments). Strings are not checked for UTF-8.
 *
 * Nothing here keeps state between calls; any number of threads may use it.
 */
#ifndef TACIT_ABI_H
#define TACIT_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/uint256.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tacit_abi_kind {
    TACIT_ABI_UINT, /* size = bits */
    TACIT_ABI_INT,  /* size = bits */
    TACIT_ABI_ADDRESS,
    TACIT_ABI_BOOL,
    TACIT_ABI_BYTESN, /* size = bytes (1..32) */
    TACIT_ABI_BYTES,
    TACIT_ABI_STRING,
    TACIT_ABI_ARRAY,  /* T[]: elem */
    TACIT_ABI_FARRAY, /* T[k]: elem, size = k */
    TACIT_ABI_TUPLE,  /* members */
};

struct tacit_abi_type {
    enum tacit_abi_kind kind;
    size_t size;
    const struct tacit_abi_type *elem;
    const struct tacit_abi_type *const *members;
    size_t nmembers;
    bool indexed; /* an event parameter declared "indexed" */
};

/* Parses a type ("(uint256,bytes32[],(address,bytes))[2]"), or with tacit_abi_params_parse a
 * parameter list without its parentheses as a tuple ("address indexed from, uint256 amount":
 * names are allowed and ignored, "indexed" is kept). Spaces around names and commas are
 * allowed. *out is freed with tacit_abi_type_free. TACIT_OK, TACIT_EABI_TYPE, TACIT_ENOMEM.
 * Nesting deeper than 16, or a fixed array longer than 2^20, is TACIT_EABI_TYPE. */
int tacit_abi_type_parse(struct tacit_abi_type **out, const char *s);
int tacit_abi_params_parse(struct tacit_abi_type **out, const char *s);
void tacit_abi_type_free(struct tacit_abi_type *t);
/* The canonical form used in signatures ("uint" -> "uint256", no names, no spaces).
 * TACIT_OK or TACIT_ETOOBIG (n too small). */
int tacit_abi_type_canonical(char *out, size_t n, const struct tacit_abi_type *t);
/* True for bytes, string, T[], and arrays/tuples holding one of them. */
bool tacit_abi_type_is_dynamic(const struct tacit_abi_type *t);

struct tacit_abi_value {
    enum tacit_abi_kind kind;
    uint8_t word[32];     /* the ABI word of a static scalar */
    const uint8_t *bytes; /* BYTES, STRING */
    size_t len;
    struct tacit_abi_value *items; /* ARRAY, FARRAY, TUPLE */
    size_t n;
};

/* Static scalars (each sets kind and word; the rest of v zeroed). */
void tacit_abi_set_uint256(struct tacit_abi_value *v, const tacit_uint256 *x);
void tacit_abi_set_u64(struct tacit_abi_value *v, uint64_t x);
void tacit_abi_set_address(struct tacit_abi_value *v, const uint8_t addr[20]);
void tacit_abi_set_bool(struct tacit_abi_value *v, bool b);
/* bytes<n>: p[0..n) left-aligned, zero-padded (n <= 32). */
void tacit_abi_set_bytesn(struct tacit_abi_value *v, const uint8_t *p, size_t n);
/* bytes or string (p borrowed). */
void tacit_abi_set_bytes(struct tacit_abi_value *v, enum tacit_abi_kind kind, const uint8_t *p,
                         size_t n);
/* An array or tuple of n items (borrowed). */
void tacit_abi_set_list(struct tacit_abi_value *v, enum tacit_abi_kind kind,
                        struct tacit_abi_value *items, size_t n);
/* Reading a decoded scalar back: the address in word[12..32), a uint that fits 64 bits
 * (TACIT_EOVERFLOW otherwise). */
void tacit_abi_get_address(uint8_t addr[20], const struct tacit_abi_value *v);
int tacit_abi_get_u64(uint64_t *out, const struct tacit_abi_value *v);

/* Encodes v as type t (*out malloc'd, free()). TACIT_OK, TACIT_EABI_VALUE (a kind that is not
 * the type's, a fixed array or tuple of the wrong length, a uint<M>/int<M>/address/bool word
 * outside its range, bytes<M> with non-zero bytes past M), TACIT_ENOMEM. */
int tacit_abi_encode(uint8_t **out, size_t *len, const struct tacit_abi_type *t,
                     const struct tacit_abi_value *v);
/* Decodes data as type t (see the top of this file). *out freed with tacit_abi_value_free. */
int tacit_abi_decode(struct tacit_abi_value **out, const struct tacit_abi_type *t,
                     const uint8_t *data, size_t len);
void tacit_abi_value_free(struct tacit_abi_value *v);

/* Prints a value for a person (logs, revert reasons): uints and ints in decimal, addresses,
 * bytes and bytesN in 0x hex, strings quoted with non-printable bytes as \xNN, lists in [] and
 * tuples in (). Truncated with "..." to fit n. */
void tacit_abi_value_format(char *out, size_t n, const struct tacit_abi_type *t,
                            const struct tacit_abi_value *v);

/* ------------------------------------------------------------------ signatures ---- */

/* A signature "name(params)" (names and "indexed" allowed in params, as in Solidity source):
 * *canonical (malloc'd, free()) gets "name(t1,t2)", *params (may be NULL) the parameters as a
 * tuple. TACIT_OK, TACIT_EABI_TYPE, TACIT_ENOMEM. */
int tacit_abi_signature_parse(char **canonical, struct tacit_abi_type **params, const char *sig);
/* The function selector: the first 4 bytes of keccak-256 of the canonical signature. */
int tacit_abi_selector(uint8_t out[4], const char *sig);
/* An event's topic 0: keccak-256 of the canonical signature. */
int tacit_abi_event_topic(uint8_t out[32], const char *sig);

/* Calldata: selector || encode(args as the signature's parameter tuple). args is a TUPLE. */
int tacit_abi_encode_call(uint8_t **out, size_t *len, const char *sig,
                          const struct tacit_abi_value *args);
/* Decodes calldata made for sig: TACIT_EABI_SELECTOR when its 4 bytes are not sig's. */
int tacit_abi_decode_call(struct tacit_abi_value **out, const char *sig, const uint8_t *data,
                          size_t len);

/* Decodes an event log (event sig with its "indexed" parameters, e.g.
 * "Deposited(address indexed sender, uint256 amount)") into a TUPLE in declaration order:
 * topics[0] must be the event topic and there must be one topic per indexed parameter
 * (TACIT_EABI_SELECTOR otherwise); an indexed static value is decoded from its topic (with the
 * padding checks); an indexed dynamic one (bytes, string, arrays, tuples) is only its keccak-256
 * hash in the log and is returned as a bytes32 value; the others are decoded from data. */
int tacit_abi_decode_log(struct tacit_abi_value **out, const char *sig, const uint8_t (*topics)[32],
                         size_t ntopics, const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_ABI_H */
