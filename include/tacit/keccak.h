/*
 * tacit — keccak-256 as Ethereum uses it (transparent addresses, shared/docs/DESIGN.md 2.3):
 * the original Keccak padding, not FIPS 202's SHA3-256. src/crypto/keccak.c.
 */
#ifndef TACIT_KECCAK_H
#define TACIT_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* keccak-256 (Ethereum's, not SHA3-256). */
void tacit_keccak256(uint8_t out[32], const uint8_t *in, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_KECCAK_H */
