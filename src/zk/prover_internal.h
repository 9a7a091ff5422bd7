/*
 * tacit — internals shared by the proving-key files (zkey.c, groth16_setup.c,
 * groth16_prove.c) and exposed to tests.
 */
#ifndef TACIT_ZK_PROVER_INTERNAL_H
#define TACIT_ZK_PROVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/prover.h"

/* A key with every array allocated (points zero = infinity) and its NTT domain.
 * Returns: TACIT_OK, TACIT_ETOOBIG (log_n > TACIT_PROVER_MAX_LOG_DOMAIN), TACIT_ENOMEM. */
int tacit__groth16_pk_alloc(tacit_groth16_pk **out, uint32_t nvars, uint32_t npublic,
                            uint32_t log_n, size_t ncoefs);

/* Test hook: when set, tacit_groth16_setup calls it with its sodium_malloc'd toxic-waste
 * arena right after wiping it and right before freeing it, so a test can check that every
 * byte is zero. Not thread-safe to change while a setup runs. */
extern void (*tacit__groth16_setup_wipe_hook)(const void *arena, size_t len);

/* Test hook: when set, tacit_groth16_prove calls it with each of its sodium_malloc'd buffers
 * that hold the witness or values computed from it (a·w, b·w, c on the domain and coset, the
 * witness as limbs, the MSM scratch and window sums) right after wiping it and right before
 * freeing it: a test checks that every byte is zero and that a guard page follows. len is the
 * allocated size. Not thread-safe to change while a proof runs. */
extern void (*tacit__groth16_prove_wipe_hook)(const void *p, size_t len);

/* The path of the prepared cache of a .zkey: "<zkey_path>.tacitpk" (zkey_cache.c).
 * Returns TACIT_OK or TACIT_EINVAL (does not fit in len). */
int tacit__groth16_pk_cache_path(char *buf, size_t len, const char *zkey_path);

/* Test hook: recompute and store the checksum of the cache file at path (a test then damages
 * a cache in ways only the range checks catch). Returns TACIT_OK, TACIT_EENCODING or a file
 * error. */
int tacit__groth16_pk_cache_reseal(const char *path);

/* Read a whole file of at most max bytes. Returns TACIT_OK, TACIT_ENOENT, TACIT_EIO,
 * TACIT_ETOOBIG or TACIT_ENOMEM; *out freed with free(). */
int tacit__read_file(uint8_t **out, size_t *len, const char *path, size_t max);
/* Write len bytes to path.tmp and rename it to path. Returns TACIT_OK or TACIT_EIO. */
int tacit__write_file(const char *path, const uint8_t *buf, size_t len);

#endif /* TACIT_ZK_PROVER_INTERNAL_H */
