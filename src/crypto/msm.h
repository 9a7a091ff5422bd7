/*
 * tacit — internal: multi-scalar multiplication for prover sizes (thousands to millions of
 * points) in G1 and G2, multi-threaded. Variable time in the scalars and the points.
 *
 * The work is split by Pippenger window: each window is an independent task (bucket
 * accumulation with batched affine additions over chunks of the points, see msm_impl.h),
 * and the windows are combined at the end. A caller that runs several MSMs (the Groth16
 * prover) schedules the windows of all of them on one set of threads with the *_window_var
 * functions; a caller with one MSM uses the *_msm_par_var functions.
 *
 * Scalars are plain little-endian 256-bit integers (4 limbs each, not Montgomery), as for
 * tacit_g1_msm_var; they need not be reduced mod r. Points at infinity ((0,0)) are allowed.
 */
#ifndef TACIT_CRYPTO_MSM_H
#define TACIT_CRYPTO_MSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"

/* Length in bits of the longest of n scalars (0 when all are zero). */
unsigned tacit__msm_scalar_bits(const uint64_t (*k)[4], size_t n);

/* Window width c (2..16) for n points and bits-bit scalars (bits > 0), and the number of
 * windows, bits / c + 1 (the top window takes the Booth recoding's final carry). */
unsigned tacit__msm_window_bits(size_t n, unsigned bits);
unsigned tacit__msm_nwindows(unsigned bits, unsigned c);

/* Scratch bytes one window task needs (per thread, reusable across windows). */
size_t tacit__g1_msm_scratch_bytes(size_t n, unsigned c);
size_t tacit__g2_msm_scratch_bytes(size_t n, unsigned c);

/* w = sum_i d_ij p[i], d_ij the signed c-bit Booth digit j of k[i] (unweighted).
 * scratch: at least tacit__g?_msm_scratch_bytes(n, c) bytes, 8-byte aligned. */
void tacit__g1_msm_window_var(tacit_g1 *w, const tacit_g1_affine *p, const uint64_t (*k)[4],
                              size_t n, unsigned c, unsigned j, void *scratch);
void tacit__g2_msm_window_var(tacit_g2 *w, const tacit_g2_affine *p, const uint64_t (*k)[4],
                              size_t n, unsigned c, unsigned j, void *scratch);

/* The same with an explicit chunk size (the windows above use a measured default): for the
 * tests, which cross chunk boundaries with few points. chunk > 0. */
size_t tacit__g1_msm_chunk_scratch_bytes(size_t n, unsigned c, size_t chunk);
size_t tacit__g2_msm_chunk_scratch_bytes(size_t n, unsigned c, size_t chunk);
void tacit__g1_msm_window_chunk_var(tacit_g1 *w, const tacit_g1_affine *p, const uint64_t (*k)[4],
                                    size_t n, unsigned c, unsigned j, size_t chunk, void *scratch);
void tacit__g2_msm_window_chunk_var(tacit_g2 *w, const tacit_g2_affine *p, const uint64_t (*k)[4],
                                    size_t n, unsigned c, unsigned j, size_t chunk, void *scratch);

/* r = sum_j 2^(c j) w[j] over nwin windows. */
void tacit__g1_msm_combine(tacit_g1 *r, const tacit_g1 *w, unsigned nwin, unsigned c);
void tacit__g2_msm_combine(tacit_g2 *r, const tacit_g2 *w, unsigned nwin, unsigned c);

/* r = sum k[i] p[i] on nthreads threads (0: tacit__nthreads_default()). Never fails: if
 * the scratch memory cannot be allocated it falls back to the single-threaded,
 * allocation-free tacit_g1_msm_var / tacit_g2_msm_var. */
void tacit__g1_msm_par_var(tacit_g1 *r, const tacit_g1_affine *p, const uint64_t (*k)[4], size_t n,
                           unsigned nthreads);
void tacit__g2_msm_par_var(tacit_g2 *r, const tacit_g2_affine *p, const uint64_t (*k)[4], size_t n,
                           unsigned nthreads);

/*
 * Fixed-base multiplication (the devnet setup): k B for many scalars k and one base B,
 * constant time in each k (a 4-bit comb over 64 precomputed windows, complete additions,
 * constant-time table reads and normalisation). About 60 complete additions per point.
 * A table is about 96 KB (G1) / 192 KB (G2); init is variable time in the (public) base.
 */
typedef struct {
    tacit_g1 tab[64][16];
} tacit__g1_fixed_table;
typedef struct {
    tacit_g2 tab[64][16];
} tacit__g2_fixed_table;
void tacit__g1_fixed_init(tacit__g1_fixed_table *t, const tacit_g1_affine *base);
void tacit__g2_fixed_init(tacit__g2_fixed_table *t, const tacit_g2_affine *base);
/* out[i] = k[i] B, affine ((0,0) for k[i] = 0 mod r). */
void tacit__g1_fixed_mul(tacit_g1_affine *out, const tacit__g1_fixed_table *t,
                         const uint64_t (*k)[4], size_t n);
void tacit__g2_fixed_mul(tacit_g2_affine *out, const tacit__g2_fixed_table *t,
                         const uint64_t (*k)[4], size_t n);

#endif /* TACIT_CRYPTO_MSM_H */
