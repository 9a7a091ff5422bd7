/*
 * tacit — Ethereum keys, EIP-1559 transactions and EIP-712 typed-data hashes (module l1).
 *
 * Keys: a secp256k1 secret key held in sodium_malloc memory (guarded, locked, wiped when
 * freed), never printed or logged; its address is the last 20 bytes of keccak-256 of the
 * uncompressed public key without its 0x04 byte (Yellow Paper, (284)). Signatures are ECDSA
 * with RFC 6979 nonces (libsecp256k1's default), always low-s (EIP-2), with the y-parity of R
 * (0 or 1) as the recovery id: 65 bytes r || s || y_parity.
 *
 * Transactions: EIP-1559 "type 2" transactions in EIP-2718's typed envelope:
 *   signing hash = keccak256(0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas,
 *                  max_fee_per_gas, gas_limit, to, value, data, access_list]))
 *   raw          = 0x02 || rlp([... the same 9 fields ..., y_parity, r, s])
 *   tx hash      = keccak256(raw)
 * The chain id inside the signed payload is the replay protection of EIP-155. The access list
 * is always empty here (encoded as an empty list; a raw transaction with a non-empty one is
 * refused by the decoder with TACIT_EENCODING). "to" empty means contract creation.
 *
 * EIP-712: hashStruct(s) = keccak256(typeHash || encodeData(s)), with typeHash = keccak256 of
 * the encoded type ("Mail(address from,address to,string contents)"), and encodeData the
 * 32-byte words of the members in order: atomic values as their ABI word (tacit_abi_set_*),
 * bytes and string as keccak256 of their contents, arrays as keccak256 of their items' words
 * concatenated, nested structs as their hashStruct. The digest that is signed is
 * keccak256(0x19 0x01 || domainSeparator || hashStruct(message)). The domain used by tacit is
 * EIP712Domain(string name,string version,uint256 chainId,address verifyingContract).
 *
 * Threads: a key may be used by any number of threads at once (it is read-only after
 * creation); everything else keeps no state.
 */
#ifndef TACIT_ETH_H
#define TACIT_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/uint256.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_ETH_ADDRESS_LEN 20
#define TACIT_ETH_SIG_LEN 65 /* r (32) || s (32) || y_parity (1) */

/* ------------------------------------------------------------------ keys ---- */

struct tacit_eth_key;

/* A key from 32 secret bytes (copied; the caller wipes its copy). TACIT_OK, TACIT_EINVAL (zero
 * or not below the group order), TACIT_ENOMEM. Freed with tacit_eth_key_free. */
int tacit_eth_key_new(struct tacit_eth_key **out, const uint8_t sk[32]);
/* From "0x" + 64 hex digits (the form of anvil's and most wallets' exported keys).
 * TACIT_EENCODING when it is not that, else as tacit_eth_key_new. */
int tacit_eth_key_from_hex(struct tacit_eth_key **out, const char *hex);
/* From a file holding that hex form (one line; a final newline allowed). The file must not be
 * readable or writable by group or others: TACIT_EKEY_FILE_MODE. TACIT_ENOENT, TACIT_EIO,
 * TACIT_EENCODING otherwise. The file's bytes are read into sodium_malloc memory and wiped. */
int tacit_eth_key_load(struct tacit_eth_key **out, const char *path);
/* Wipes and frees (NULL allowed). */
void tacit_eth_key_free(struct tacit_eth_key *k);
void tacit_eth_key_address(const struct tacit_eth_key *k, uint8_t address[TACIT_ETH_ADDRESS_LEN]);

/* Signs a 32-byte digest. TACIT_OK, or TACIT_ENOMEM (no secp256k1 context). */
int tacit_eth_sign(uint8_t sig[TACIT_ETH_SIG_LEN], const struct tacit_eth_key *k,
                   const uint8_t digest[32]);
/* The address whose key made sig over digest. TACIT_EL1_SIGNATURE when r or s is zero or not
 * below the group order, s is high, y_parity is not 0 or 1, or no key recovers. */
int tacit_eth_recover(uint8_t address[TACIT_ETH_ADDRESS_LEN], const uint8_t digest[32],
                      const uint8_t sig[TACIT_ETH_SIG_LEN]);

/* ------------------------------------------------------------------ EIP-1559 ---- */

struct tacit_eth_tx {
    uint64_t chain_id;
    uint64_t nonce;
    tacit_uint256 max_priority_fee_per_gas;
    tacit_uint256 max_fee_per_gas;
    uint64_t gas_limit;
    bool create; /* contract creation: no "to" */
    uint8_t to[TACIT_ETH_ADDRESS_LEN];
    tacit_uint256 value;
    const uint8_t *data; /* borrowed (decoded: points into the raw bytes) */
    size_t data_len;
};

/* The hash the sender signs. TACIT_OK or TACIT_ENOMEM. */
int tacit_eth_tx_signing_hash(uint8_t out[32], const struct tacit_eth_tx *tx);
/* Signs tx: *raw (malloc'd, free()) gets the EIP-2718 envelope, hash (may be NULL) the tx hash.
 * TACIT_OK, TACIT_ENOMEM. */
int tacit_eth_tx_sign(uint8_t **raw, size_t *raw_len, uint8_t hash[32],
                      const struct tacit_eth_tx *tx, const struct tacit_eth_key *k);
/* Decodes a signed raw transaction (strict RLP, rlp.h): TACIT_EL1_TX_TYPE unless it starts with
 * 0x02, TACIT_ERLP_ITEMS unless it has the 12 fields, TACIT_EENCODING for an address that is
 * not 20 bytes or a non-empty access list, TACIT_EL1_SIGNATURE for a y_parity above 1.
 * tx->data points into raw. sig may be NULL. */
int tacit_eth_tx_decode(struct tacit_eth_tx *tx, uint8_t sig[TACIT_ETH_SIG_LEN], const uint8_t *raw,
                        size_t len);
/* Decodes and recovers the sender (tacit_eth_recover's errors). */
int tacit_eth_tx_sender(uint8_t from[TACIT_ETH_ADDRESS_LEN], const uint8_t *raw, size_t len);
/* keccak256(raw) */
void tacit_eth_tx_hash(uint8_t out[32], const uint8_t *raw, size_t len);

/* ------------------------------------------------------------------ EIP-712 ---- */

/* keccak256(encoded_type), e.g. of "Deposit(address from,uint256 amount)". */
void tacit_eip712_type_hash(uint8_t out[32], const char *encoded_type);
/* The word of a bytes or string member: keccak256(p[0..n)). */
void tacit_eip712_word_bytes(uint8_t out[32], const uint8_t *p, size_t n);
/* hashStruct: keccak256(type_hash || words[0] || ... || words[n-1]). TACIT_OK or TACIT_ENOMEM.
 * (An array member's word is tacit_eip712_word_bytes over its items' words.) */
int tacit_eip712_hash_struct(uint8_t out[32], const uint8_t type_hash[32],
                             const uint8_t (*words)[32], size_t n);
/* The domain separator of EIP712Domain(string name,string version,uint256 chainId,address
 * verifyingContract). */
void tacit_eip712_domain_separator(uint8_t out[32], const char *name, const char *version,
                                   uint64_t chain_id,
                                   const uint8_t verifying_contract[TACIT_ETH_ADDRESS_LEN]);
/* keccak256(0x19 0x01 || domain_separator || struct_hash): what the signer signs. */
void tacit_eip712_digest(uint8_t out[32], const uint8_t domain_separator[32],
                         const uint8_t struct_hash[32]);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_ETH_H */
