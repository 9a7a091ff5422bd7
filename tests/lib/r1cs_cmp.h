/*
 * tacit — comparing constraint systems and counting broken constraints, for the tests of the
 * circuits and the .r1cs reader (test_circuit.c, test_r1cs.c, test_treeupdate.c).
 * Header-only: static functions.
 */
#ifndef TACIT_TESTS_LIB_R1CS_CMP_H
#define TACIT_TESTS_LIB_R1CS_CMP_H

#include <stdbool.h>
#include <stdint.h>

#include "tacit/r1cs.h"

/* Equal term lists (field by field: the term struct has padding). */
static inline bool lc_equal(const tacit_lc *a, const tacit_lc *b)
{
    if (a->n != b->n) return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (a->terms[i].var != b->terms[i].var ||
            !tacit_fr_eq(&a->terms[i].coeff, &b->terms[i].coeff))
            return false;
    return true;
}

/* The same system: counts, and every constraint term for term. */
static inline bool r1cs_equal(const tacit_r1cs *a, const tacit_r1cs *b)
{
    if (a->nvars != b->nvars || a->npublic != b->npublic || a->nconstraints != b->nconstraints)
        return false;
    for (uint32_t i = 0; i < a->nconstraints; i++) {
        const tacit_constraint *x = &a->constraints[i], *y = &b->constraints[i];
        if (!lc_equal(&x->a, &y->a) || !lc_equal(&x->b, &y->b) || !lc_equal(&x->c, &y->c))
            return false;
    }
    return true;
}

/* Number of constraints w does not satisfy. */
static inline uint32_t count_unsat(const tacit_r1cs *r, const tacit_fr *w)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nconstraints; i++)
        if (!tacit_r1cs_is_constraint_satisfied(r, w, i)) n++;
    return n;
}

#endif /* TACIT_TESTS_LIB_R1CS_CMP_H */
