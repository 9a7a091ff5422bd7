/*
 * tacit — wallet keys and their text forms (shared/docs/DESIGN.md 2.3; byte-exact spec in
 * docs/wallet-format.md): bech32m (BIP-350), the spending key and what derives from it, full
 * and incoming viewing keys, shielded addresses.
 *
 *   sk      uniform in Fr (64 random bytes reduced mod r)
 *   nk      = Poseidon(sk)                  nullifier key
 *   pk      = Poseidon(nk)                  owner key (in every note commitment)
 *   enc_sk  = BLAKE2b-256(personal "tacit-enc", sk as 32 bytes BE), an X25519 scalar
 *   enc_pk  = X25519(enc_sk, 9)             (libsodium crypto_scalarmult_base)
 *   full viewing key     = (nk, enc_sk): sees incoming notes and their spends, cannot spend
 *   incoming viewing key = (pk, enc_sk): sees incoming notes only
 *   shielded address     = pk || enc_pk
 *
 * Secrets live only in sodium_malloc memory (guard pages, wiped by the _free functions) and are
 * handed out as borrowed pointers or written into buffers the caller wipes. Parsers take text
 * from users: they never abort, they return why the text is refused and leave outputs zeroed
 * (NULL for handles).
 */
#ifndef TACIT_KEYS_H
#define TACIT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/bech32m.h" /* the text forms below; the tacit_bech32m_* API */
#include "tacit/bn254.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- networks ---- */

enum tacit_network {
    TACIT_NETWORK_MAINNET = 0, /* human-readable parts "tacit", "tacitfvk", "tacitivk", "tacitsk" */
    TACIT_NETWORK_DEVNET = 1,  /* "tdev", "tdevfvk", "tdevivk", "tdevsk" */
};

/* Buffer size for every string of this header, NUL included; the parsers refuse longer
 * input with TACIT_ETOOBIG. The longest string is a mainnet full viewing key, 118 characters. */
#define TACIT_KEYS_STR_MAX 128

/* --------------------------------------------------------------- addresses ---- */

#define TACIT_ENC_KEY_BYTES 32 /* X25519 keys */
#define TACIT_SHIELDED_ADDRESS_BYTES 64

/* Where notes are sent: the owner key that goes into the commitment, the X25519 key that
 * the note is encrypted to. Public. */
struct tacit_shielded_address {
    tacit_fr pk;
    uint8_t enc_pk[TACIT_ENC_KEY_BYTES];
};

/* pk (32 bytes BE) || enc_pk (32 bytes). */
void tacit_shielded_address_to_bytes(uint8_t out[TACIT_SHIELDED_ADDRESS_BYTES],
                                     const struct tacit_shielded_address *a);
/* Returns TACIT_OK, TACIT_ENONCANONICAL (pk >= r), TACIT_EENCODING (enc_pk is a point of
 * small order, to which nothing can be encrypted). *a zeroed on failure. */
int tacit_shielded_address_from_bytes(struct tacit_shielded_address *a,
                                      const uint8_t in[TACIT_SHIELDED_ADDRESS_BYTES]);

/* bech32m of the 64 bytes with hrp "tacit" or "tdev". Returns TACIT_OK or TACIT_EINVAL (net
 * unknown; out is then empty). */
int tacit_shielded_address_encode(char out[TACIT_KEYS_STR_MAX],
                                  const struct tacit_shielded_address *a, enum tacit_network net);
/*
 * Parses an address of network net. Returns TACIT_OK; TACIT_ETOOBIG; TACIT_EENCODING (see
 * tacit_bech32m_decode_bytes, not an address hrp, not 64 bytes, enc_pk of small order);
 * TACIT_ECHECKSUM; TACIT_ENETWORK (an address of the other network); TACIT_ENONCANONICAL
 * (pk >= r); TACIT_EINVAL (net unknown). *a zeroed on failure.
 */
int tacit_shielded_address_decode(struct tacit_shielded_address *a, enum tacit_network net,
                                  const char *s);
bool tacit_shielded_address_eq(const struct tacit_shielded_address *a,
                               const struct tacit_shielded_address *b);

/* ------------------------------------------------------------ viewing keys ---- */

enum tacit_viewing_key_kind {
    TACIT_VIEWING_KEY_FULL = 0,     /* (nk, enc_sk) */
    TACIT_VIEWING_KEY_INCOMING = 1, /* (pk, enc_sk) */
};

/* A full or incoming viewing key and what derives from it (pk, enc_pk); sodium_malloc
 * memory. Free with tacit_viewing_key_free. */
struct tacit_viewing_key;

void tacit_viewing_key_free(struct tacit_viewing_key *vk); /* wipes; NULL-safe */
enum tacit_viewing_key_kind tacit_viewing_key_kind(const struct tacit_viewing_key *vk);
/* The address this key receives at. */
void tacit_viewing_key_address(struct tacit_shielded_address *a,
                               const struct tacit_viewing_key *vk);
/* The nullifier Poseidon(nk, cm, index) of the note cm at leaf index: what lets a full
 * viewing key see spends. Returns TACIT_OK or TACIT_EINVAL (an incoming viewing key: it has
 * no nk; *nf zeroed). */
int tacit_viewing_key_nullifier(tacit_fr *nf, const struct tacit_viewing_key *vk,
                                const tacit_fr *cm, uint64_t index);

/* 64 bytes: nk (full) or pk (incoming), 32 bytes BE, || enc_sk (32 bytes). A secret: wipe
 * out after use. Returns TACIT_OK or TACIT_EINVAL (a full form asked of an incoming key;
 * out zeroed). */
int tacit_viewing_key_to_bytes(uint8_t out[64], const struct tacit_viewing_key *vk,
                               enum tacit_viewing_key_kind kind);
/* Returns TACIT_OK, TACIT_ENONCANONICAL (nk or pk >= r), TACIT_EINVAL (kind unknown),
 * TACIT_ENOMEM. *out NULL on failure. */
int tacit_viewing_key_from_bytes(struct tacit_viewing_key **out, enum tacit_viewing_key_kind kind,
                                 const uint8_t in[64]);

/* bech32m of the 64 bytes with hrp "tacitfvk"/"tdevfvk" (full) or "tacitivk"/"tdevivk"
 * (incoming). A secret: wipe out after use. An incoming form can be made of a full key, not
 * the reverse. Returns TACIT_OK or TACIT_EINVAL (out empty). */
int tacit_viewing_key_encode(char out[TACIT_KEYS_STR_MAX], const struct tacit_viewing_key *vk,
                             enum tacit_viewing_key_kind kind, enum tacit_network net);
/* Parses either kind (the hrp says which). Returns as tacit_shielded_address_decode (64
 * bytes, nk/pk >= r), plus TACIT_ENOMEM. *out NULL on failure. */
int tacit_viewing_key_decode(struct tacit_viewing_key **out, enum tacit_network net, const char *s);

/* ----------------------------------------------------------- spending keys ---- */

/* A spending key with its full viewing key; sodium_malloc memory. Free with
 * tacit_spending_key_free. */
struct tacit_spending_key;

/* A fresh random key (64 bytes from libsodium's randombytes_buf reduced mod r).
 * Returns TACIT_OK or TACIT_ENOMEM (*out NULL). */
int tacit_spending_key_new(struct tacit_spending_key **out);
/* The key of 64 bytes read big-endian and reduced mod r (DESIGN 2.3): deterministic keys for
 * tests and for wallets that derive their seed elsewhere. TACIT_OK or TACIT_ENOMEM. */
int tacit_spending_key_from_wide(struct tacit_spending_key **out, const uint8_t seed[64]);
/* The key sk given as 32 bytes BE. TACIT_OK, TACIT_ENONCANONICAL (sk >= r), TACIT_ENOMEM. */
int tacit_spending_key_from_bytes(struct tacit_spending_key **out, const uint8_t in[32]);
void tacit_spending_key_free(struct tacit_spending_key *k); /* wipes; NULL-safe */

/* sk as 32 bytes BE. A secret: wipe out after use. */
void tacit_spending_key_to_bytes(uint8_t out[32], const struct tacit_spending_key *k);
/* Borrowed pointers into k's protected memory, valid until tacit_spending_key_free(k):
 * sk (for the prover's witness) and the full viewing key (for decryption, nullifiers). */
const tacit_fr *tacit_spending_key_sk(const struct tacit_spending_key *k);
const struct tacit_viewing_key *tacit_spending_key_viewing_key(const struct tacit_spending_key *k);
void tacit_spending_key_address(struct tacit_shielded_address *a,
                                const struct tacit_spending_key *k);

/* bech32m of sk (32 bytes BE) with hrp "tacitsk"/"tdevsk". A secret: wipe out after use.
 * Returns TACIT_OK or TACIT_EINVAL (out empty). */
int tacit_spending_key_encode(char out[TACIT_KEYS_STR_MAX], const struct tacit_spending_key *k,
                              enum tacit_network net);
/* Returns as tacit_shielded_address_decode (32 bytes, sk >= r), plus TACIT_ENOMEM.
 * *out NULL on failure. */
int tacit_spending_key_decode(struct tacit_spending_key **out, enum tacit_network net,
                              const char *s);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_KEYS_H */
