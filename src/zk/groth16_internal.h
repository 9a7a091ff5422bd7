/*
 * tacit — internals of src/zk/groth16.c exposed for tests only.
 */
#ifndef TACIT_ZK_GROTH16_INTERNAL_H
#define TACIT_ZK_GROTH16_INTERNAL_H

#include "tacit/groth16.h"

/* The combined (random linear combination) check of tacit_groth16_verify_batch_var alone,
 * without the per-proof checks before it or the single-proof fallback after it, so a test
 * can see that valid batches pass it rather than being rescued by the fallback.
 * Precondition: every item's points are on their curves, not at infinity, npub == npublic.
 * Returns: TACIT_OK, TACIT_ENOT_IN_SUBGROUP (some B outside G2), TACIT_EVERIFY or
 *          TACIT_ENOMEM. */
int tacit__groth16_batch_combined_var(const tacit_groth16_pvk *pvk, const tacit_groth16_item *items,
                                      size_t n);

#endif /* TACIT_ZK_GROTH16_INTERNAL_H */
