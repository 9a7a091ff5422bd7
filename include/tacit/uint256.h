/*
 * tacit — 256-bit unsigned integers as Ethereum carries them (module l1): 32 bytes, big-endian,
 * the form of an ABI word (Solidity ABI spec, "uint<M>") and of an RLP integer without its
 * leading zeros (Yellow Paper appendix B). Wei amounts, gas prices, chain ids and ABI uint256
 * values all use it; a value that must fit 64 bits is converted with tacit_uint256_to_u64, which
 * says so when it does not.
 *
 * Arithmetic here is plain and variable time: none of these values is secret.
 * JSON-RPC "quantities" (ethereum.org's JSON-RPC spec: "0x" + hex digits, no leading zeros,
 * "0x0" for zero) are parsed strictly: a leading zero, an empty "0x", upper-case "0X" or more
 * than 64 digits is TACIT_EENCODING.
 */
#ifndef TACIT_UINT256_H
#define TACIT_UINT256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint8_t be[32]; /* big-endian: be[31] is the least significant byte */
} tacit_uint256;

void tacit_uint256_from_u64(tacit_uint256 *out, uint64_t v);
/* TACIT_OK, or TACIT_EOVERFLOW when a >= 2^64 (*out is then 0). */
int tacit_uint256_to_u64(uint64_t *out, const tacit_uint256 *a);
bool tacit_uint256_is_zero(const tacit_uint256 *a);
/* -1, 0 or 1 as a <, = or > b. */
int tacit_uint256_cmp(const tacit_uint256 *a, const tacit_uint256 *b);
/* out = a + b, a - b, a * m. TACIT_OK or TACIT_EOVERFLOW (a carry out of 256 bits, or b > a;
 * *out then holds the wrapped value). out may alias a or b. */
int tacit_uint256_add(tacit_uint256 *out, const tacit_uint256 *a, const tacit_uint256 *b);
int tacit_uint256_sub(tacit_uint256 *out, const tacit_uint256 *a, const tacit_uint256 *b);
int tacit_uint256_mul_u64(tacit_uint256 *out, const tacit_uint256 *a, uint64_t m);
/* out = a * num / den, rounded up (fee bumps: a * 1125 / 1000). TACIT_OK, TACIT_EINVAL (den 0),
 * TACIT_EOVERFLOW. */
int tacit_uint256_mul_div_ceil(tacit_uint256 *out, const tacit_uint256 *a, uint64_t num,
                               uint64_t den);

/* The JSON-RPC quantity form: "0x" + minimal lower-case hex ("0x0" for zero), NUL-terminated. */
#define TACIT_UINT256_HEX_MAX 67
void tacit_uint256_to_hex(char out[TACIT_UINT256_HEX_MAX], const tacit_uint256 *a);
/* Parses a JSON-RPC quantity strictly (see the top of this file). TACIT_OK or TACIT_EENCODING. */
int tacit_uint256_from_hex(tacit_uint256 *out, const char *s);
/* Decimal, NUL-terminated (at most 78 digits). */
#define TACIT_UINT256_DEC_MAX 79
void tacit_uint256_to_dec(char out[TACIT_UINT256_DEC_MAX], const tacit_uint256 *a);
/* Strict decimal: 1 to 78 digits, no sign, no leading zero except "0", below 2^256.
 * TACIT_OK or TACIT_EENCODING. */
int tacit_uint256_from_dec(tacit_uint256 *out, const char *s);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_UINT256_H */
