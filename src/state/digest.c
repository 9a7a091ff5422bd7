/*
 * tacit — the state digests of a block header (DESIGN 2.7), defined byte-exactly in
 * docs/state-format.md: incremental BLAKE2b-256 chains (libsodium crypto_generichash_blake2b,
 * no key, zero salt, a personalization per use), so a block costs O(its changes), never a scan.
 * Shared by apply_block (the authority) and views (a candidate block's header).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "state/digest.h"
#include "tacit/error.h"

/* 16-byte personalizations: ASCII, zero-padded. */
static const unsigned char personal_nullifiers[crypto_generichash_blake2b_PERSONALBYTES] = {
    't', 'a', 'c', 'i', 't', '-', 'n', 'u', 'l', 'l', 'i', 'f', 'i', 'e', 'r', 's'};
static const unsigned char personal_accounts[crypto_generichash_blake2b_PERSONALBYTES] = {
    't', 'a', 'c', 'i', 't', '-', 'a', 'c', 'c', 'o', 'u', 'n', 't', 's', 0, 0};
static const unsigned char zero_salt[crypto_generichash_blake2b_SALTBYTES];

static void put_u64_be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

void tacit__nullifier_digest_step(uint8_t d[32], const tacit_fr *nf)
{
    uint8_t in[64];
    memcpy(in, d, 32);
    tacit_fr_to_bytes(in + 32, nf);
    /* Cannot fail for these lengths (outlen 32, no key). */
    (void)crypto_generichash_blake2b_salt_personal(d, 32, in, sizeof in, NULL, 0, zero_salt,
                                                   personal_nullifiers);
}

void tacit__transparent_digest_step(uint8_t d[32], const struct tacit__account_final *a, size_t n)
{
    uint8_t in[32 + TACIT_ADDRESS_LEN + 16];
    for (size_t i = 0; i < n; i++) {
        memcpy(in, d, 32);
        memcpy(in + 32, a[i].address, TACIT_ADDRESS_LEN);
        put_u64_be(in + 32 + TACIT_ADDRESS_LEN, a[i].acct.balance);
        put_u64_be(in + 40 + TACIT_ADDRESS_LEN, a[i].acct.nonce);
        (void)crypto_generichash_blake2b_salt_personal(d, 32, in, sizeof in, NULL, 0, zero_salt,
                                                       personal_accounts);
    }
}

static int cmp_address(const void *a, const void *b)
{
    return memcmp(((const struct tacit__account_final *)a)->address,
                  ((const struct tacit__account_final *)b)->address, TACIT_ADDRESS_LEN);
}

int tacit__touched_addresses(struct tacit__account_final **out, size_t *count,
                             const struct tacit_account_delta *deltas, size_t n)
{
    struct tacit__account_final *a;
    size_t k = 0;

    *out = NULL;
    *count = 0;
    if (n == 0) return TACIT_OK;
    if ((a = calloc(n, sizeof *a)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < n; i++) memcpy(a[i].address, deltas[i].address, TACIT_ADDRESS_LEN);
    qsort(a, n, sizeof *a, cmp_address);
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && memcmp(a[k - 1].address, a[i].address, TACIT_ADDRESS_LEN) == 0) continue;
        a[k++] = a[i];
    }
    *out = a;
    *count = k;
    return TACIT_OK;
}

int tacit__account_apply(struct tacit_account *acct, const struct tacit_account_delta *d)
{
    struct tacit_account r = *acct;
    if (d->credit > UINT64_MAX - r.balance) return TACIT_EOVERFLOW;
    r.balance += d->credit;
    if (d->debit > r.balance) return TACIT_EINSUFFICIENT;
    r.balance -= d->debit;
    if (d->nonce_add > UINT64_MAX - r.nonce) return TACIT_EOVERFLOW;
    r.nonce += d->nonce_add;
    *acct = r;
    return TACIT_OK;
}
