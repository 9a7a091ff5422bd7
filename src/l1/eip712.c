/*
 * tacit — EIP-712 typed structured data hashing (include/tacit/eth.h; EIP-712,
 * "Specification": hashStruct, encodeType, encodeData, domainSeparator, and the
 * 0x19 0x01 prefix of the signed digest, which EIP-191 reserves for it).
 */
#include <stdlib.h>
#include <string.h>

#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"

void tacit_eip712_type_hash(uint8_t out[32], const char *encoded_type)
{
    tacit_keccak256(out, (const uint8_t *)encoded_type, strlen(encoded_type));
}

void tacit_eip712_word_bytes(uint8_t out[32], const uint8_t *p, size_t n)
{
    tacit_keccak256(out, p, n);
}

int tacit_eip712_hash_struct(uint8_t out[32], const uint8_t type_hash[32],
                             const uint8_t (*words)[32], size_t n)
{
    uint8_t *buf;

    memset(out, 0, 32);
    if (n > (SIZE_MAX - 32) / 32 - 1 || (buf = malloc(32 * (n + 1))) == NULL) return TACIT_ENOMEM;
    memcpy(buf, type_hash, 32);
    if (n) memcpy(buf + 32, words, 32 * n);
    tacit_keccak256(out, buf, 32 * (n + 1));
    free(buf);
    return TACIT_OK;
}

void tacit_eip712_domain_separator(uint8_t out[32], const char *name, const char *version,
                                   uint64_t chain_id,
                                   const uint8_t verifying_contract[TACIT_ETH_ADDRESS_LEN])
{
    uint8_t buf[5][32];
    struct tacit_abi_value v;

    tacit_eip712_type_hash(buf[0], "EIP712Domain(string name,string version,uint256 chainId,"
                                   "address verifyingContract)");
    tacit_eip712_word_bytes(buf[1], (const uint8_t *)name, strlen(name));
    tacit_eip712_word_bytes(buf[2], (const uint8_t *)version, strlen(version));
    tacit_abi_set_u64(&v, chain_id);
    memcpy(buf[3], v.word, 32);
    tacit_abi_set_address(&v, verifying_contract);
    memcpy(buf[4], v.word, 32);
    tacit_keccak256(out, &buf[0][0], sizeof buf);
}

void tacit_eip712_digest(uint8_t out[32], const uint8_t domain_separator[32],
                         const uint8_t struct_hash[32])
{
    uint8_t buf[66] = {0x19, 0x01};
    memcpy(buf + 2, domain_separator, 32);
    memcpy(buf + 34, struct_hash, 32);
    tacit_keccak256(out, buf, sizeof buf);
}
