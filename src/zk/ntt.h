/*
 * tacit — internal: radix-2 number-theoretic transforms over Fr, for the Groth16 prover
 * and setup.
 *
 * Fr has 2-adicity 28: r - 1 = 2^28 t with t odd, and w28 = 5^t is a primitive 2^28-th
 * root of unity (TACIT__R_ROOT_OF_UNITY). The domain of size n = 2^k uses
 * omega = w28^(2^(28-k)), the same root ffjavascript (snarkjs) uses, so evaluations
 * computed here are at the points snarkjs's keys are built for.
 *
 * All element arrays are tacit_fr in Montgomery form. The transforms are in place, do not
 * allocate and run in time independent of the values (no branch on data).
 *
 * Conventions: NTT(x)_k = sum_i x_i omega^(i k) (evaluation of the polynomial with
 * coefficients x at omega^k); INTT is its inverse (interpolation).
 */
#ifndef TACIT_ZK_NTT_H
#define TACIT_ZK_NTT_H

#include <stdbool.h>
#include <stddef.h>

#include "tacit/bn254.h"

/* Largest domain: 2^27, so that the 2n-th roots of unity (the odd coset) exist. */
#define TACIT__NTT_MAX_LOG 27

typedef struct tacit__ntt_domain {
    unsigned log_n;
    size_t n;
    tacit_fr omega, omega_inv; /* primitive n-th root of unity and its inverse */
    tacit_fr n_inv;            /* 1/n */
    tacit_fr g;                /* omega_2n: a primitive 2n-th root, g^2 = omega (odd coset shift) */
    tacit_fr *tw;              /* n/2 entries: omega^i */
    tacit_fr *tw_inv;          /* n/2 entries: omega^-i */
    tacit_fr *odd;             /* n entries: g^rev(i) / n, rev = bit reversal of log_n bits */
    bool borrowed;             /* the tables belong to someone else (a mapped key cache) */
} tacit__ntt_domain;

/* Returns: TACIT_OK, TACIT_ETOOBIG (log_n > TACIT__NTT_MAX_LOG) or TACIT_ENOMEM.
 * Out:     *out, free with tacit__ntt_domain_free (about 64 n bytes). */
int tacit__ntt_domain_new(tacit__ntt_domain **out, unsigned log_n);
void tacit__ntt_domain_free(tacit__ntt_domain *d);
/* A domain over tables made by tacit__ntt_domain_new earlier (a key cache holds them): only
 * the scalars are computed; the tables are borrowed and must outlive the domain.
 * Returns: TACIT_OK, TACIT_ETOOBIG or TACIT_ENOMEM. */
int tacit__ntt_domain_wrap(tacit__ntt_domain **out, unsigned log_n, const tacit_fr *tw,
                           const tacit_fr *tw_inv, const tacit_fr *odd);

/* Primitive 2^log_n-th root of unity (log_n <= 28). */
void tacit__fr_root_of_unity(tacit_fr *r, unsigned log_n);

/* Permute x (2^log_n entries) into bit-reversed index order (an involution). */
void tacit__ntt_bitreverse(tacit_fr *x, unsigned log_n);

/* The two butterflies networks, unscaled. inverse selects omega^-1.
 * dif: natural-order input, bit-reversed output (Gentleman-Sande);
 * dit: bit-reversed input, natural-order output (Cooley-Tukey). */
void tacit__ntt_dif(const tacit__ntt_domain *d, tacit_fr *x, bool inverse);
void tacit__ntt_dit(const tacit__ntt_domain *d, tacit_fr *x, bool inverse);

/* Natural order in and out. */
void tacit__ntt(const tacit__ntt_domain *d, tacit_fr *x);
void tacit__intt(const tacit__ntt_domain *d, tacit_fr *x);
/* Evaluations at shift * omega^k: NTT of (x_i shift^i); and its inverse. */
void tacit__coset_ntt(const tacit__ntt_domain *d, tacit_fr *x, const tacit_fr *shift);
void tacit__coset_intt(const tacit__ntt_domain *d, tacit_fr *x, const tacit_fr *shift);

/*
 * The prover's step: x holds the evaluations of a polynomial of degree < n at omega^k
 * (natural order); on return it holds its evaluations at g omega^k = omega_2n^(2k+1) (the
 * odd powers of the 2n-th root, natural order). One inverse DIF, one scaling by the
 * precomputed g^rev(i)/n, one DIT: no bit-reversal permutation at all.
 */
void tacit__ntt_to_odd_coset(const tacit__ntt_domain *d, tacit_fr *x);

#endif /* TACIT_ZK_NTT_H */
