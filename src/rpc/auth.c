/*
 * tacit — RPC credentials: the cookie and rpcauth entries, checked against HTTP Basic auth
 * (RFC 7617).
 *
 * The server keeps no password: the cookie as a BLAKE2b hash, rpcauth entries as bitcoind
 * stores them (share/rpcauth/rpcauth.py: salt, HMAC-SHA256(key = salt, message = password)).
 * A presented password is hashed the same way and the digests are compared with
 * sodium_memcmp, every entry every time, so timing says nothing of which part differed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rpc/rpc_internal.h"
#include "tacit/error.h"

#define COOKIE_USER "__cookie__"
/* A Basic header value longer than this is refused before decoding (server.c caps the
 * header at the same size). */
#define MAX_CREDENTIALS 1024

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void hmac_sha256(unsigned char out[32], const unsigned char *key, size_t klen,
                        const unsigned char *msg, size_t mlen)
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, msg, mlen);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* "user:salt$64 hex digits" */
static int parse_entry(struct tacit__rpc_authent *e, const char *s)
{
    const char *colon = strchr(s, ':'), *dollar;
    size_t hexlen;

    if (colon == NULL || colon == s) return TACIT_EINVAL;
    if ((dollar = strchr(colon + 1, '$')) == NULL || dollar == colon + 1) return TACIT_EINVAL;
    hexlen = strlen(dollar + 1);
    if (hexlen != 64) return TACIT_EINVAL;
    for (size_t i = 0; i < 32; i++) {
        int hi = hexval(dollar[1 + 2 * i]), lo = hexval(dollar[2 + 2 * i]);
        if (hi < 0 || lo < 0) return TACIT_EINVAL;
        e->mac[i] = (unsigned char)(hi << 4 | lo);
    }
    e->user_len = (size_t)(colon - s);
    e->salt_len = (size_t)(dollar - colon - 1);
    if ((e->user = malloc(e->user_len + 1)) == NULL) return TACIT_ENOMEM;
    if ((e->salt = malloc(e->salt_len)) == NULL) return TACIT_ENOMEM;
    memcpy(e->user, s, e->user_len);
    e->user[e->user_len] = '\0';
    memcpy(e->salt, colon + 1, e->salt_len);
    return TACIT_OK;
}

int tacit_rpc_auth_entry(char **out, const char *user, const char *password)
{
    unsigned char salt_bytes[16], mac[32];
    char salt[33], mac_hex[65];
    size_t ulen = user != NULL ? strlen(user) : 0;
    *out = NULL;
    if (ulen == 0 || password == NULL) return TACIT_EINVAL;
    for (size_t i = 0; i < ulen; i++)
        if (user[i] == ':' || (unsigned char)user[i] < 0x21 || user[i] == 0x7f) return TACIT_EINVAL;
    randombytes_buf(salt_bytes, sizeof salt_bytes);
    sodium_bin2hex(salt, sizeof salt, salt_bytes, sizeof salt_bytes);
    /* the key is the salt's hex text, as bitcoind's rpcauth.py and parse_entry read it */
    hmac_sha256(mac, (const unsigned char *)salt, 32, (const unsigned char *)password,
                strlen(password));
    sodium_bin2hex(mac_hex, sizeof mac_hex, mac, sizeof mac);
    sodium_memzero(mac, sizeof mac);
    if ((*out = malloc(ulen + 1 + 32 + 1 + 64 + 1)) == NULL) return TACIT_ENOMEM;
    snprintf(*out, ulen + 99, "%s:%s$%s", user, salt, mac_hex);
    return TACIT_OK;
}

int tacit__rpc_auth_init(struct tacit__rpc_auth *a, const struct tacit_rpc_auth *cfg)
{
    size_t n = 0;
    int rc;

    memset(a, 0, sizeof *a);
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if (cfg->cookie != NULL) {
        size_t ulen = sizeof COOKIE_USER - 1, len = strlen(cfg->cookie);
        if (len <= ulen + 1 || memcmp(cfg->cookie, COOKIE_USER ":", ulen + 1) != 0)
            return TACIT_EINVAL;
        crypto_generichash(a->cookie_hash, sizeof a->cookie_hash,
                           (const unsigned char *)cfg->cookie, len, NULL, 0);
        a->has_cookie = true;
    }
    if (cfg->rpcauth != NULL)
        while (cfg->rpcauth[n] != NULL) n++;
    if (n == 0) return TACIT_OK;
    if ((a->ents = calloc(n, sizeof *a->ents)) == NULL) return TACIT_ENOMEM;
    a->nents = n;
    for (size_t i = 0; i < n; i++) {
        if ((rc = parse_entry(&a->ents[i], cfg->rpcauth[i])) != TACIT_OK) {
            tacit__rpc_auth_clear(a);
            return rc;
        }
    }
    return TACIT_OK;
}

void tacit__rpc_auth_clear(struct tacit__rpc_auth *a)
{
    if (a == NULL) return;
    for (size_t i = 0; i < a->nents; i++) {
        free(a->ents[i].user);
        free(a->ents[i].salt);
    }
    free(a->ents);
    sodium_memzero(a, sizeof *a);
}

bool tacit__rpc_auth_check(const struct tacit__rpc_auth *a, const char *value, size_t len)
{
    static const char scheme[] = "Basic ";
    unsigned char *cred, h[32], mac[32];
    const char *b64, *end;
    size_t b64len, clen, ulen;
    const unsigned char *colon;
    bool ok = false;

    if (len < sizeof scheme - 1 || len > MAX_CREDENTIALS) return false;
    /* the scheme name is case-insensitive (RFC 7235 2.1) */
    if (strncasecmp(value, scheme, sizeof scheme - 1) != 0) return false;
    b64 = value + sizeof scheme - 1;
    b64len = len - (sizeof scheme - 1);
    while (b64len > 0 && (*b64 == ' ' || *b64 == '\t')) b64++, b64len--;
    while (b64len > 0 && (b64[b64len - 1] == ' ' || b64[b64len - 1] == '\t')) b64len--;
    if ((cred = sodium_malloc(MAX_CREDENTIALS)) == NULL) return false;
    if (sodium_base642bin(cred, MAX_CREDENTIALS, b64, b64len, NULL, &clen, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + b64len)
        goto out_free;

    if (a->has_cookie) {
        crypto_generichash(h, sizeof h, cred, clen, NULL, 0);
        ok |= sodium_memcmp(h, a->cookie_hash, sizeof h) == 0;
    }
    if ((colon = memchr(cred, ':', clen)) != NULL) {
        ulen = (size_t)(colon - cred);
        for (size_t i = 0; i < a->nents; i++) {
            const struct tacit__rpc_authent *e = &a->ents[i];
            bool user_ok = ulen == e->user_len && memcmp(cred, e->user, ulen) == 0;
            /* the HMAC is computed for every entry, matching user or not */
            hmac_sha256(mac, e->salt, e->salt_len, colon + 1, clen - ulen - 1);
            ok |= (sodium_memcmp(mac, e->mac, sizeof mac) == 0) & user_ok;
        }
    }
    sodium_memzero(h, sizeof h);
    sodium_memzero(mac, sizeof mac);

out_free:
    sodium_free(cred); /* wipes */
    return ok;
}
