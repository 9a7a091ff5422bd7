/*
 * tacit — bech32m (BIP-350) text encoding; src/crypto/bech32m.c. The wallet's keys and
 * addresses (include/tacit/keys.h) are written with it.
 */
#ifndef TACIT_BECH32M_H
#define TACIT_BECH32M_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------- bech32m ---- *
 * BIP-350 (bech32m: BIP-173's code with the final constant 0x2bc830a3). src/crypto/bech32m.c.
 * The length limit is the caller's: BIP-173's 90 characters are too short for 64 bytes of
 * data, so tacit's own strings use TACIT_KEYS_STR_MAX (the checksum still detects any error
 * in 4 characters up to 89 characters, and misses a random error with probability about
 * 2^-30 beyond: BIP-350, "Detection properties"). */

#define TACIT_BECH32M_HRP_MAX 83 /* BIP-173: the human-readable part has 1 to 83 characters */

/*
 * Writes hrp "1" data checksum, NUL-terminated, lower case.
 * In:  hrp: 1..83 characters in '!'..'~' without upper case; data5: n5 values 0..31.
 * Out: out, out_size bytes (needs strlen(hrp) + 1 + n5 + 6 + 1).
 * Returns TACIT_OK, TACIT_EINVAL (bad hrp, a value above 31), TACIT_ETOOBIG (out too small;
 * out is then the empty string).
 */
int tacit_bech32m_encode(char *out, size_t out_size, const char *hrp, const uint8_t *data5,
                         size_t n5);

/*
 * Parses a bech32m string of at most max_len characters.
 * Out: hrp (lower case, NUL-terminated, hrp_size bytes); data5 (*n5 values, at most
 *      data5_cap), the checksum not included. All zeroed/empty on failure.
 * Returns TACIT_OK; TACIT_ETOOBIG (longer than max_len, or hrp/data do not fit the buffers);
 * TACIT_EENCODING (a character outside '!'..'~', mixed case, no separator '1', empty hrp or
 * hrp above 83, fewer than 6 checksum characters, a data character outside the bech32
 * alphabet); TACIT_ECHECKSUM (the checksum is wrong, or is a bech32 and not a bech32m one).
 */
int tacit_bech32m_decode(char *hrp, size_t hrp_size, uint8_t *data5, size_t *n5, size_t data5_cap,
                         const char *s, size_t max_len);

/* The same for bytes: data regrouped 8 -> 5 bits, the last group padded with zero bits.
 * Returns as tacit_bech32m_encode. */
int tacit_bech32m_encode_bytes(char *out, size_t out_size, const char *hrp, const uint8_t *data,
                               size_t len);
/* The same for bytes: as tacit_bech32m_decode, then 5 -> 8 bits, where the padding must be at
 * most 4 bits and zero (BIP-173), else TACIT_EENCODING. *len bytes of at most cap. */
int tacit_bech32m_decode_bytes(char *hrp, size_t hrp_size, uint8_t *data, size_t *len, size_t cap,
                               const char *s, size_t max_len);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_BECH32M_H */
