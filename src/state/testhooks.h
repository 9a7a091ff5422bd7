/*
 * tacit — test hooks of the state store (tests only; no lmdb.h here, so tests need not see it).
 */
#ifndef TACIT_STATE_TESTHOOKS_H
#define TACIT_STATE_TESTHOOKS_H

#include <stdint.h>

struct tacit_state;

/* The nth put from now (1 = the next) fails with err (an errno value such as ENOSPC or EIO),
 * as if LMDB had returned it; nth <= 0 disarms. */
void tacit__state_test_fail_put(struct tacit_state *st, long nth, int err);
/* BLAKE2b-256 over every key and value of every database, in order: equal dumps mean
 * byte-identical logical contents. */
int tacit__state_dump_hash(struct tacit_state *st, uint8_t out[32]);
/* Overwrites the format version in meta (to test that another version is refused). */
int tacit__state_test_set_format(struct tacit_state *st, uint32_t version);
/* How many times the map grew since open. */
unsigned long tacit__state_map_grows(const struct tacit_state *st);

#endif /* TACIT_STATE_TESTHOOKS_H */
