/*
 * tacit — internals shared by src/wallet/keys.c and src/wallet/note.c (and the tests).
 */
#ifndef TACIT_WALLET_KEYS_INTERNAL_H
#define TACIT_WALLET_KEYS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/keys.h"
#include "tacit/note.h"

/* Lives in sodium_malloc memory, embedded in a spending key or on its own. */
struct tacit_viewing_key {
    bool full;   /* nk is set */
    tacit_fr nk; /* full keys only; zero otherwise */
    tacit_fr pk;
    uint8_t enc_sk[TACIT_ENC_KEY_BYTES];
    uint8_t enc_pk[TACIT_ENC_KEY_BYTES];
};

struct tacit_spending_key {
    tacit_fr sk;
    struct tacit_viewing_key vk; /* always full */
};

/*
 * tacit_note_encrypt with a given ephemeral secret instead of a random one: for known-answer
 * tests and the test vector of docs/wallet-format.md only. Reusing an esk with the same
 * recipient reuses a (key, nonce) pair, which XChaCha20-Poly1305 does not survive.
 */
int tacit__note_encrypt_esk(uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES],
                            uint8_t epk[TACIT_EPK_BYTES], const struct tacit_shielded_address to[2],
                            const struct tacit_note_plaintext pt[2], const uint8_t *aad,
                            size_t aad_len, const uint8_t esk[32]);

#endif /* TACIT_WALLET_KEYS_INTERNAL_H */
