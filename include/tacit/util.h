/*
 * tacit — small text helpers shared by the node, the RPC methods and the binaries:
 * hex (the 0x-prefixed, lower-case form of the JSON-RPC API, docs/rpc.md) and decimal u64
 * amounts. Parsers are strict: exactly the expected length, no sign, no spaces, no overflow.
 */
#ifndef TACIT_UTIL_H
#define TACIT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes "0x" + 2n lower-case hex digits + NUL into out (2n + 3 bytes). */
void tacit_hex_encode(char *out, const uint8_t *in, size_t n);
/* Parses exactly n bytes from s ("0x" prefix required when prefix is true, optional when not).
 * Returns TACIT_OK or TACIT_EENCODING (wrong length, a non-hex digit). */
int tacit_hex_decode(uint8_t *out, size_t n, const char *s, bool prefix);
/* Parses a 0x-prefixed hex byte string of any even length: *out malloc'd (free()), *n bytes.
 * Returns TACIT_OK, TACIT_EENCODING, TACIT_ETOOBIG (more than max bytes), TACIT_ENOMEM. */
int tacit_hex_decode_alloc(uint8_t **out, size_t *n, const char *s, size_t max);
/* "0x" + minimal hex of v ("0x0" for zero) into out (19 bytes). */
void tacit_hex_u64(char out[19], uint64_t v);
/* Parses a 0x-prefixed hex quantity (1..16 digits). TACIT_OK, TACIT_EENCODING, TACIT_EOVERFLOW. */
int tacit_parse_hex_u64(uint64_t *out, const char *s);
/* Parses a decimal u64 (1..20 digits, no leading zeros except "0"). TACIT_OK, TACIT_EENCODING,
 * TACIT_EOVERFLOW. */
int tacit_parse_dec_u64(uint64_t *out, const char *s);

/* The release of this build ("0.1.0": CMakeLists.txt's project version), shared by
 * `tacitd --version`, `tacit-cli --version` and /metrics' tacit_build_info. */
const char *tacit_version(void);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_UTIL_H */
