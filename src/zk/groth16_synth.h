/*
 * tacit — synthetic Groth16 keys and proofs, FOR TESTS AND BENCHMARKS ONLY.
 *
 * There is no circuit: the key is made from a known trapdoor (random scalars x_alpha,
 * x_beta, x_gamma, x_delta, x_IC[j]), and a "proof" for any public inputs is
 *     A = a G1, B = b G2, C = ((a b - x_alpha x_beta - l x_gamma) / x_delta) G1,
 *     l = x_IC[0] + sum_j pub[j] x_IC[j+1],
 * so e(A, B) = e(alpha, beta) e(L, gamma) e(C, delta) holds exactly as for a real proof.
 * Anyone holding the trapdoor can prove anything: never use these keys for real data.
 * Everything is derived deterministically from a 32-byte seed (libsodium's
 * randombytes_buf_deterministic), so tests can replay it.
 */
#ifndef TACIT_ZK_GROTH16_SYNTH_H
#define TACIT_ZK_GROTH16_SYNTH_H

#include <stdint.h>

#include "tacit/groth16.h"

typedef struct {
    tacit_fr alpha, beta, gamma, delta;
    size_t npublic;
    tacit_fr ic[]; /* npublic + 1 */
} tacit__groth16_trapdoor;

/* Make a trapdoor and its verifying key for npublic inputs.
 * Returns: TACIT_OK or TACIT_ENOMEM (then *td and *vk are NULL).
 * Out:     td: free with tacit__groth16_trapdoor_free; vk: free with tacit_groth16_vk_free. */
int tacit__groth16_synth_setup(tacit__groth16_trapdoor **td, tacit_groth16_vk **vk, size_t npublic,
                               const uint8_t seed[32]);
void tacit__groth16_trapdoor_free(tacit__groth16_trapdoor *td);

/* n random public inputs (uniform in Fr) from seed. */
void tacit__groth16_synth_inputs(tacit_fr *pub, size_t n, const uint8_t seed[32]);

/* A valid proof for pub (td->npublic values), with a, b derived from seed. */
void tacit__groth16_synth_prove(tacit_groth16_proof *proof, const tacit__groth16_trapdoor *td,
                                const tacit_fr *pub, const uint8_t seed[32]);

/* Another valid proof of the same statement, without the trapdoor:
 * (A, B, C) -> (A t^-1, B t, C), then (A, B + s delta, C + s A), with t, s from seed.
 * Both keep e(A, B) = e(alpha, beta) e(L, gamma) e(C, delta). delta is the key's. */
void tacit__groth16_rerandomize(tacit_groth16_proof *out, const tacit_groth16_proof *in,
                                const tacit_g2_affine *delta, const uint8_t seed[32]);

/* Write the synthetic key, one proof and its public inputs for npublic inputs as
 * verification_key.json, proof.json and public.json into dir (which must exist).
 * Returns: TACIT_OK, TACIT_ENOMEM or TACIT_EIO. */
int tacit__groth16_synth_write(const char *dir, size_t npublic, const uint8_t seed[32]);

#endif /* TACIT_ZK_GROTH16_SYNTH_H */
