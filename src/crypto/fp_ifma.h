/*
 * Internal to src/crypto: Fp Montgomery multiplications eight at a time with AVX-512 IFMA
 * (fp_ifma.c). The interface speaks the ordinary representation (tacit_fp, 4x64-bit limbs,
 * Montgomery form with R = 2^256, reduced below p) so a caller can replace eight
 * independent fp_mul calls with one call, when tacit__use_ifma says the CPU can run it.
 */
#ifndef TACIT_CRYPTO_FP_IFMA_H
#define TACIT_CRYPTO_FP_IFMA_H

#include <stdbool.h>
#include <stdint.h>

#include "tacit/bn254.h"

/* Nonzero when the CPU has AVX512F, AVX512IFMA and AVX512VL, the OS saves the zmm state
 * (XGETBV), and TACIT_NO_IFMA is not set in the environment. Set once at load time
 * (constructor in fp_ifma.c); tacit__set_ifma lets tests run both paths. */
extern int tacit__use_ifma;

/* True when the CPU and the OS support the IFMA kernel, whatever the environment says. */
bool tacit__ifma_cpu(void);

/* Turns the IFMA kernel on (when tacit__ifma_cpu) or off, for the tests that compare both
 * paths; returns the previous value of tacit__use_ifma. Not thread safe: tests only. */
int tacit__set_ifma(int on);

/* r[i] = a[i] b[i] / 2^256 mod p for i < 8, fp_mul's contract: inputs below 2p (reduced
 * values or fp_add_nr sums), outputs below p. r may alias a or b. Only when
 * tacit__use_ifma is nonzero. */
void tacit__fp_mul8_ifma(tacit_fp r[8], const tacit_fp a[8], const tacit_fp b[8]);

/* The same in Fr (modulus r, R = 2^256: fr_mul's contract), for the prover's NTTs. */
void tacit__fr_mul8_ifma(tacit_fr r[8], const tacit_fr a[8], const tacit_fr b[8]);

/* Eight Fp values kept in radix 2^52 between calls: limb j (52 bits) of value i in v[j][i];
 * each value below p. */
typedef struct {
    uint64_t v[5][8];
} tacit__fp52x8;

/* r = a[0..8) in radix 2^52 lanes (inputs below p), and back. Only when tacit__use_ifma. */
void tacit__fp52x8_load(tacit__fp52x8 *r, const tacit_fp a[8]);
void tacit__fp52x8_store(tacit_fp r[8], const tacit__fp52x8 *a);

/* The forward steps of the batch-affine rounds (msm.c) for eight pairs: pre = acc, then
 * acc = acc den (G1) or nrm = N(den), acc = acc nrm (G2). Only when tacit__use_ifma. */
void tacit__g1_lanes_fwd(tacit__fp52x8 *acc, tacit_fp pre[8], const tacit_fp den[8]);
void tacit__g2_lanes_fwd(tacit__fp52x8 *acc, tacit_fp pre[8], tacit_fp nrm[8],
                         const tacit_fp2 den[8]);

/* The backward step and the affine additions of G1's batch-affine rounds (msm.c) for eight
 * pairs (contract in fp_ifma.c). Only when tacit__use_ifma. */
void tacit__g1_lanes_step(tacit__fp52x8 *inv, tacit_fp di[8], const tacit_fp pre[8],
                          const tacit_fp den[8], const tacit_fp num[8], tacit_g1_affine *const q[8],
                          unsigned mask);

/* The same for G2's rounds, with the inversion through the norm (contract in fp_ifma.c). */
void tacit__g2_lanes_step(tacit__fp52x8 *inv, tacit_fp2 di[8], const tacit_fp pre[8],
                          const tacit_fp nrm[8], const tacit_fp2 den[8], const tacit_fp2 num[8],
                          tacit_g2_affine *const q[8], unsigned mask);

#endif /* TACIT_CRYPTO_FP_IFMA_H */
