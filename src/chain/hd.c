/*
 * tacit — BIP-39 recovery phrases and BIP-32 key derivation (include/tacit/hd.h).
 */
#include "tacit/hd.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "chain/chain_internal.h"
#include "tacit/error.h"

#define WORD_MAX 8 /* the longest English word has 8 letters */

static bool entropy_len_ok(size_t len) { return len >= 16 && len <= 32 && len % 4 == 0; }

/* Bit i (from the most significant bit of b[0]) of b. */
static unsigned bit_at(const uint8_t *b, size_t i) { return b[i / 8] >> (7 - i % 8) & 1u; }

int tacit_bip39_phrase(char *out, size_t size, const uint8_t *entropy, size_t len)
{
    uint8_t buf[33]; /* entropy || SHA-256(entropy)[0]: the checksum is at most 8 bits */
    uint8_t h[crypto_hash_sha256_BYTES];
    size_t nwords, pos = 0;
    if (!entropy_len_ok(len) || size < TACIT_BIP39_PHRASE_MAX) return TACIT_EINVAL;
    memcpy(buf, entropy, len);
    crypto_hash_sha256(h, entropy, len);
    buf[len] = h[0];
    nwords = (len * 8 + len / 4) / 11;
    for (size_t w = 0; w < nwords; w++) {
        unsigned idx = 0;
        const char *word;
        size_t wl;
        for (size_t b = 0; b < 11; b++) idx = idx << 1 | bit_at(buf, w * 11 + b);
        word = tacit__bip39_english[idx];
        wl = strlen(word);
        if (w > 0) out[pos++] = ' ';
        memcpy(out + pos, word, wl);
        pos += wl;
    }
    out[pos] = '\0';
    sodium_memzero(buf, sizeof buf);
    sodium_memzero(h, sizeof h);
    return TACIT_OK;
}

/* The index of word (lower case) in the list, or -1. The list is sorted (contrib/gen-bip39
 * checks it). Not constant-time: a phrase is typed by its owner, not probed by others. */
static int word_index(const char *word)
{
    int lo = 0, hi = 2047;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(word, tacit__bip39_english[mid]);
        if (c == 0) return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

int tacit_bip39_read(uint8_t entropy[32], size_t *len, char *normalized, size_t size,
                     const char *phrase, size_t *bad_word)
{
    uint8_t buf[33];
    uint8_t h[crypto_hash_sha256_BYTES];
    unsigned idx[TACIT_BIP39_MAX_WORDS];
    size_t nwords = 0, nbits, elen, cs, pos = 0;
    const char *p = phrase;
    int rc = TACIT_OK;

    *len = 0;
    if (bad_word != NULL) *bad_word = 0;
    if (normalized != NULL && size < TACIT_BIP39_PHRASE_MAX) return TACIT_EINVAL;
    /* count the words first: a wrong count is said as such, not as an unknown word */
    for (const char *q = phrase; *q;) {
        while (*q && isspace((unsigned char)*q)) q++;
        if (!*q) break;
        nwords++;
        while (*q && !isspace((unsigned char)*q)) q++;
    }
    if (nwords < 12 || nwords > 24 || nwords % 3 != 0) return TACIT_EMNEMONIC_WORDS;
    for (size_t w = 0; w < nwords; w++) {
        char word[WORD_MAX + 1];
        size_t wl = 0;
        int i;
        while (isspace((unsigned char)*p)) p++;
        for (; *p && !isspace((unsigned char)*p); p++, wl++)
            if (wl < WORD_MAX) word[wl] = (char)tolower((unsigned char)*p);
        word[wl <= WORD_MAX ? wl : WORD_MAX] = '\0';
        if (wl > WORD_MAX || (i = word_index(word)) < 0) {
            if (bad_word != NULL) *bad_word = w + 1;
            rc = TACIT_EMNEMONIC_WORD;
        } else {
            idx[w] = (unsigned)i;
            if (normalized != NULL) {
                if (w > 0) normalized[pos++] = ' ';
                memcpy(normalized + pos, word, wl);
                pos += wl;
            }
        }
        sodium_memzero(word, sizeof word);
        if (rc != TACIT_OK) goto out;
    }
    if (normalized != NULL) normalized[pos] = '\0';
    /* 11 bits per word: entropy || checksum, checksum = the first len/4 bits of SHA-256 */
    nbits = nwords * 11;
    cs = nbits / 33;
    elen = (nbits - cs) / 8;
    memset(buf, 0, sizeof buf);
    for (size_t w = 0; w < nwords; w++)
        for (size_t b = 0; b < 11; b++)
            if (idx[w] >> (10 - b) & 1u)
                buf[(w * 11 + b) / 8] |= (uint8_t)(0x80u >> ((w * 11 + b) % 8));
    crypto_hash_sha256(h, buf, elen);
    for (size_t b = 0; b < cs; b++)
        if (bit_at(buf + elen, b) != bit_at(h, b)) rc = TACIT_EMNEMONIC_CHECKSUM;
    if (rc == TACIT_OK) {
        memcpy(entropy, buf, elen);
        *len = elen;
    }
out:
    if (rc != TACIT_OK && normalized != NULL) sodium_memzero(normalized, size);
    sodium_memzero(buf, sizeof buf);
    sodium_memzero(h, sizeof h);
    sodium_memzero(idx, sizeof idx);
    return rc;
}

int tacit_bip39_seed(uint8_t seed[TACIT_BIP39_SEED_LEN], const char *phrase, const char *passphrase,
                     size_t *bad_word)
{
    char norm[TACIT_BIP39_PHRASE_MAX];
    uint8_t entropy[32], u[crypto_auth_hmacsha512_BYTES], be1[4] = {0, 0, 0, 1};
    size_t elen, plen = passphrase != NULL ? strlen(passphrase) : 0;
    crypto_auth_hmacsha512_state key, st;
    int rc;

    for (size_t i = 0; i < plen; i++)
        if ((unsigned char)passphrase[i] >= 0x80) return TACIT_EINVAL;
    if ((rc = tacit_bip39_read(entropy, &elen, norm, sizeof norm, phrase, bad_word)) != TACIT_OK)
        return rc;
    sodium_memzero(entropy, sizeof entropy);
    /* PBKDF2 (RFC 8018 5.2) with HMAC-SHA512, one 64-byte block: T = U1 ^ ... ^ U2048,
     * U1 = HMAC(P, salt || INT(1)), Ui = HMAC(P, Ui-1); the keyed state is made once */
    crypto_auth_hmacsha512_init(&key, (const unsigned char *)norm, strlen(norm));
    st = key;
    crypto_auth_hmacsha512_update(&st, (const unsigned char *)"mnemonic", 8);
    if (plen > 0) crypto_auth_hmacsha512_update(&st, (const unsigned char *)passphrase, plen);
    crypto_auth_hmacsha512_update(&st, be1, 4);
    crypto_auth_hmacsha512_final(&st, u);
    memcpy(seed, u, TACIT_BIP39_SEED_LEN);
    for (int i = 1; i < 2048; i++) {
        st = key;
        crypto_auth_hmacsha512_update(&st, u, sizeof u);
        crypto_auth_hmacsha512_final(&st, u);
        for (size_t j = 0; j < TACIT_BIP39_SEED_LEN; j++) seed[j] ^= u[j];
    }
    sodium_memzero(&key, sizeof key);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(u, sizeof u);
    sodium_memzero(norm, sizeof norm);
    return TACIT_OK;
}

/* ---------------------------------------------------------------- BIP-32 ---- */

static void hmac512(uint8_t out[64], const uint8_t *key, size_t klen, const uint8_t *msg,
                    size_t mlen)
{
    crypto_auth_hmacsha512_state st;
    crypto_auth_hmacsha512_init(&st, key, klen);
    crypto_auth_hmacsha512_update(&st, msg, mlen);
    crypto_auth_hmacsha512_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* CKDpriv (BIP-32, "Private parent key -> private child key"): k and c replaced by the
 * child's. false when the child is invalid (IL >= n or the key 0). */
static bool ckd_priv(uint8_t k[32], uint8_t c[32], uint32_t i)
{
    const secp256k1_context *ctx = tacit__secp256k1();
    uint8_t data[37], I[64];
    bool ok;
    if (i & 0x80000000u) { /* hardened: 0x00 || k || ser32(i) */
        data[0] = 0;
        memcpy(data + 1, k, 32);
    } else { /* serP(point(k)) || ser32(i) */
        secp256k1_pubkey pk;
        size_t n = 33;
        if (!secp256k1_ec_pubkey_create(ctx, &pk, k) ||
            !secp256k1_ec_pubkey_serialize(ctx, data, &n, &pk, SECP256K1_EC_COMPRESSED))
            return false;
    }
    for (int b = 0; b < 4; b++) data[33 + b] = (uint8_t)(i >> (24 - 8 * b));
    hmac512(I, c, 32, data, sizeof data);
    /* child = IL + k (mod n); the call refuses IL >= n and a zero result */
    ok = secp256k1_ec_seckey_tweak_add(ctx, k, I) == 1;
    memcpy(c, I + 32, 32);
    sodium_memzero(data, sizeof data);
    sodium_memzero(I, sizeof I);
    return ok;
}

int tacit_bip32_derive(uint8_t sk[32], uint8_t chain_code[32], const uint8_t *seed, size_t seed_len,
                       const char *path)
{
    const secp256k1_context *ctx = tacit__secp256k1();
    uint8_t I[64];
    const char *p = path;
    int rc = TACIT_OK;

    if (seed_len < 16 || seed_len > 64 || path[0] != 'm' || (path[1] != '\0' && path[1] != '/'))
        return TACIT_EINVAL;
    hmac512(I, (const uint8_t *)"Bitcoin seed", 12, seed, seed_len);
    memcpy(sk, I, 32);
    memcpy(chain_code, I + 32, 32);
    sodium_memzero(I, sizeof I);
    if (!secp256k1_ec_seckey_verify(ctx, sk)) rc = TACIT_EINVAL;
    for (p = path + 1; rc == TACIT_OK && *p == '/';) {
        uint64_t v = 0;
        size_t digits = 0;
        for (p++; *p >= '0' && *p <= '9' && digits < 11; p++, digits++)
            v = v * 10 + (uint64_t)(*p - '0');
        if (digits == 0 || v >= 0x80000000u || (digits > 1 && p[-(long)digits] == '0')) {
            rc = TACIT_EINVAL;
            break;
        }
        if (*p == '\'' || *p == 'h' || *p == 'H') {
            v |= 0x80000000u;
            p++;
        }
        if ((*p != '/' && *p != '\0') || !ckd_priv(sk, chain_code, (uint32_t)v)) rc = TACIT_EINVAL;
    }
    if (rc == TACIT_OK && *p != '\0') rc = TACIT_EINVAL;
    if (rc != TACIT_OK) {
        sodium_memzero(sk, 32);
        sodium_memzero(chain_code, 32);
    }
    return rc;
}
