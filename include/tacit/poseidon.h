/*
 * tacit — Poseidon over the BN254 scalar field with circomlib's parameters.
 *
 * Equal to circomlib's `Poseidon(n)` circuit and circomlibjs's `poseidon(inputs)` for
 * n = 1..16 inputs: width t = n + 1, capacity element 0, S-box x^5, 8 full rounds,
 * circomlib's partial-round counts, round constants and MDS matrices (Grassi, Khovratovich,
 * Rechberger, Roy, Schofnegger, "Poseidon: a new hash function for zero-knowledge proof
 * systems", USENIX Security 2021). No allocation, no I/O. Constant time in the inputs.
 */
#ifndef TACIT_POSEIDON_H
#define TACIT_POSEIDON_H

#include <stddef.h>

#include "tacit/bn254.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_POSEIDON_MAX_INPUTS 16

/* out = Poseidon(in[0..n-1]).
 * Returns TACIT_OK, or TACIT_EINVAL when n is 0 or above TACIT_POSEIDON_MAX_INPUTS
 * (out is then set to zero). out may alias an input. */
int tacit_poseidon(tacit_fr *out, const tacit_fr *in, size_t n);

/* out = Poseidon(a, b): the note-tree node hash, the hot path. */
void tacit_poseidon2(tacit_fr *out, const tacit_fr *a, const tacit_fr *b);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_POSEIDON_H */
