/*
 * tacit — recovery phrases and key derivation: BIP-39 mnemonics (English word list) and BIP-32
 * hierarchical deterministic secp256k1 keys. The wallet's recovery phrase and the devnet's
 * accounts (anvil's mnemonic, so that the devnet's account i is anvil's account i) use them.
 *
 * BIP-39 (github.com/bitcoin/bips bip-0039): entropy of 16, 20, 24, 28 or 32 bytes, a checksum
 * of len/4 bits from SHA-256, 11 bits per word; seed = PBKDF2-HMAC-SHA512(the phrase, "mnemonic"
 * + passphrase, 2048 rounds, 64 bytes). BIP-32 (bip-0032): master = HMAC-SHA512("Bitcoin
 * seed", seed), private child derivation only; paths like "m/44'/60'/0'/0/3" (' or h: hardened).
 * Checked against ethers' implementation (tests/vectors/bip39, contrib/gen-bip39).
 *
 * Secrets (phrases, seeds, keys) live in the caller's buffers (sodium_malloc'd by the callers);
 * the temporaries here are wiped. Errors name a word by its position, never the word.
 */
#ifndef TACIT_HD_H
#define TACIT_HD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_BIP39_MAX_WORDS 24
/* The longest phrase: 24 words of at most 8 letters, single spaces, and the NUL. */
#define TACIT_BIP39_PHRASE_MAX (24 * 9)
#define TACIT_BIP39_SEED_LEN 64

/* The phrase of entropy (len 16, 20, 24, 28 or 32 bytes: 12 to 24 words), lower case, single
 * spaces, into out (size >= TACIT_BIP39_PHRASE_MAX). TACIT_OK, TACIT_EINVAL (another length). */
int tacit_bip39_phrase(char *out, size_t size, const uint8_t *entropy, size_t len);

/* Reads a phrase: words separated by any ASCII white space, either case. On TACIT_OK: the
 * entropy (*len bytes, at most 32) and, if normalized is not NULL, the phrase in its canonical
 * form (lower case, single spaces; size >= TACIT_BIP39_PHRASE_MAX). Errors: EMNEMONIC_WORDS
 * (not 12, 15, 18, 21 or 24 words), EMNEMONIC_WORD (*bad_word: the 1-based position of the first
 * word not in the list), EMNEMONIC_CHECKSUM. */
int tacit_bip39_read(uint8_t entropy[32], size_t *len, char *normalized, size_t size,
                     const char *phrase, size_t *bad_word);

/* The 64-byte seed of a phrase (checked as tacit_bip39_read does, then canonical) and a
 * passphrase (NULL or "" for none; ASCII only: BIP-39 hashes the NFKD form, which for ASCII is
 * the text itself; TACIT_EINVAL otherwise). */
int tacit_bip39_seed(uint8_t seed[TACIT_BIP39_SEED_LEN], const char *phrase, const char *passphrase,
                     size_t *bad_word);

/* BIP-32: the private key and chain code at path ("m", "m/0'", "m/44'/60'/0'/0/7"; indices
 * below 2^31, ' or h marks hardened) from a seed of 16 to 64 bytes. TACIT_OK, TACIT_EINVAL (a bad
 * path or seed length; a key BIP-32 declares invalid, probability below 2^-127). */
int tacit_bip32_derive(uint8_t sk[32], uint8_t chain_code[32], const uint8_t *seed, size_t seed_len,
                       const char *path);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_HD_H */
