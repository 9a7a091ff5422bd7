/*
 * tacit — rank-1 constraint systems: the interface between circuits (builders, gadgets,
 * the transfer circuit) and the Groth16 setup/prover and the iden3 .r1cs format.
 *
 * Variables are numbered as in iden3/circom: variable 0 is the constant 1, variables
 * 1..npublic are the public inputs (in the statement's order), the rest are private.
 * A constraint is <A, w> * <B, w> = <C, w> with A, B, C sparse linear combinations.
 * A witness is an array of nvars field elements with w[0] = 1.
 */
#ifndef TACIT_R1CS_H
#define TACIT_R1CS_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t var;
    tacit_fr coeff; /* Montgomery form, non-zero */
} tacit_lc_term;

typedef struct {
    tacit_lc_term *terms; /* owned by the constraint system */
    uint32_t n;
} tacit_lc;

typedef struct {
    tacit_lc a, b, c;
} tacit_constraint;

typedef struct {
    uint32_t nvars;        /* including the constant-one variable 0 */
    uint32_t npublic;      /* public inputs: variables 1..npublic */
    uint32_t nconstraints;
    tacit_constraint *constraints;
} tacit_r1cs;

/* Releases everything a builder or reader allocated for r (not r itself); NULL-safe. */
void tacit_r1cs_clear(tacit_r1cs *r);

/* true iff w (nvars elements, w[0] = 1) satisfies every constraint; on false and when
 * failed is non-NULL, *failed is the index of the first unsatisfied constraint. */
bool tacit_r1cs_is_satisfied(const tacit_r1cs *r, const tacit_fr *w, uint32_t *failed);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_R1CS_H */
