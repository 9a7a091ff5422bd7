/*
 * tacit — internals shared by the files of src/chain: little-endian field access, the BLAKE2b
 * convention of the protocol (docs/protocol.md section 1), the one secp256k1 context, and the
 * commit step that the block builder and the block path share.
 */
#ifndef TACIT_CHAIN_INTERNAL_H
#define TACIT_CHAIN_INTERNAL_H

#include <secp256k1.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "tacit/chain.h"
#include "tacit/circuit.h" /* TACIT_TRANSFER_PUB_*: the public-input order */
#include "tacit/state.h"   /* the LMDB entry points (tacit_block_apply, the store builder) */

/* Offsets inside a v1 transaction encoding (docs/protocol.md section 2). */
#define TACIT__TX_OFF_PUB 9
#define TACIT__TX_OFF_PROOF (TACIT__TX_OFF_PUB + 32 * TACIT_TX_NPUBLIC)        /* 233 */
#define TACIT__TX_OFF_EXTLEN (TACIT__TX_OFF_PROOF + TACIT_GROTH16_PROOF_BYTES) /* 489 */
#define TACIT__TX_OFF_EXT (TACIT__TX_OFF_EXTLEN + 4)                           /* 493 */
/* ... and inside the ext encoding. */
#define TACIT__EXT_OFF_SIG 72
#define TACIT__EXT_OFF_EPK (TACIT__EXT_OFF_SIG + TACIT_DEPOSIT_SIG_BYTES) /* 137 */

static inline void tacit__put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void tacit__put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++, v >>= 8) p[i] = (uint8_t)v;
}
static inline void tacit__put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8) p[i] = (uint8_t)v;
}
static inline uint16_t tacit__get_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t tacit__get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static inline uint64_t tacit__get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* BLAKE2b-256, no key, zero salt, personalization = name ASCII zero-padded to 16 bytes
 * (the convention of src/state/digest.c). name is at most 16 characters. */
void tacit__blake2b_init(crypto_generichash_blake2b_state *s, const char *name);
static inline void tacit__blake2b_update(crypto_generichash_blake2b_state *s, const uint8_t *p,
                                         size_t n)
{
    (void)crypto_generichash_blake2b_update(s, p, n);
}
static inline void tacit__blake2b_final(crypto_generichash_blake2b_state *s, uint8_t out[32])
{
    (void)crypto_generichash_blake2b_final(s, out, 32);
}

/* The process-wide secp256k1 context (made once, randomized, thread-safe to use after that),
 * or NULL when it could not be allocated. Its illegal-argument callback does not abort: a
 * misuse makes the call return 0, which the callers turn into an error code. */
const secp256k1_context *tacit__secp256k1(void);

/* BIP-39's English word list, in order (src/chain/bip39_english.c, made by contrib/gen-bip39). */
extern const char *const tacit__bip39_english[2048];

/* BIP-340 signature of a 32-byte message with fresh auxiliary randomness (account.c). */
int tacit__sequencer_sign(uint8_t sig[64], const struct tacit_sequencer_key *k,
                          const uint8_t msg[32]);

/* Both block paths end here: copies what apply_block needs out of the view, frees the view
 * (*v = NULL: its read transaction must not be open while apply_block may grow the map), and
 * commits, refused with TACIT_EDIGEST unless the state's digests after it are *expect.
 * txs[i] are the block's transactions with their encodings and ids. */
int tacit__block_commit(struct tacit_state *st, struct tacit_state_view **v,
                        const struct tacit_block_header *h,
                        const struct tacit_state_digests *expect, const uint8_t hash[32],
                        const uint8_t *block, size_t block_len, const struct tacit_tx *txs,
                        const struct tacit_state_tx *stxs, size_t ntxs);

#endif /* TACIT_CHAIN_INTERNAL_H */
