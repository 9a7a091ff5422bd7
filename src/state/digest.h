/*
 * tacit — the digest rules of docs/state-format.md (src/state/digest.c), shared by the LMDB
 * store (the authority), the views' overlay and the in-memory state. No LMDB here.
 */
#ifndef TACIT_STATE_DIGEST_H
#define TACIT_STATE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/state.h"

/* d = BLAKE2b-256(personal "tacit-nullifiers", d || nf as 32 bytes big-endian). */
void tacit__nullifier_digest_step(uint8_t d[32], const tacit_fr *nf);

/* One (address, final account) pair of a block, for the transparent digest. */
struct tacit__account_final {
    uint8_t address[TACIT_ADDRESS_LEN];
    struct tacit_account acct;
};
/* The distinct addresses of deltas[0..n-1], sorted ascending, into *out (malloc'd, free()).
 * TACIT_OK or TACIT_ENOMEM. */
int tacit__touched_addresses(struct tacit__account_final **out, size_t *count,
                             const struct tacit_account_delta *deltas, size_t n);
/* For each entry in order: d = BLAKE2b-256(personal "tacit-accounts", d || address ||
 * balance u64 BE || nonce u64 BE). */
void tacit__transparent_digest_step(uint8_t d[32], const struct tacit__account_final *a, size_t n);

/* Applies one delta to acct: TACIT_OK, TACIT_EOVERFLOW, TACIT_EINSUFFICIENT (acct unchanged). */
int tacit__account_apply(struct tacit_account *acct, const struct tacit_account_delta *d);

#endif /* TACIT_STATE_DIGEST_H */
