/*
 * tacit — rank-1 constraint systems: release and the satisfiability check
 * (include/tacit/r1cs.h).
 *
 * Memory: whoever fills a tacit_r1cs (the builder of src/zk/r1cs_builder.c, the .r1cs
 * reader of src/zk/r1cs_file.c, or a test by hand) allocates the constraint array and
 * each non-empty linear combination's term array separately with malloc; tacit_r1cs_clear
 * frees them all.
 */
#include "tacit/r1cs.h"

#include <stdlib.h>
#include <string.h>

void tacit_r1cs_clear(tacit_r1cs *r)
{
    if (r == NULL) return;
    if (r->constraints != NULL) {
        for (uint32_t i = 0; i < r->nconstraints; i++) {
            free(r->constraints[i].a.terms);
            free(r->constraints[i].b.terms);
            free(r->constraints[i].c.terms);
        }
        free(r->constraints);
    }
    memset(r, 0, sizeof *r);
}

/* <lc, w>; false if a term names a variable outside the witness. */
static bool eval_lc(tacit_fr *out, const tacit_lc *lc, const tacit_fr *w, uint32_t nvars)
{
    tacit_fr acc = TACIT_FR_ZERO, p;

    for (uint32_t i = 0; i < lc->n; i++) {
        const tacit_lc_term *t = &lc->terms[i];
        if (t->var >= nvars) return false;
        tacit_fr_mul(&p, &t->coeff, &w[t->var]);
        tacit_fr_add(&acc, &acc, &p);
    }
    *out = acc;
    return true;
}

bool tacit_r1cs_is_constraint_satisfied(const tacit_r1cs *r, const tacit_fr *w, uint32_t i)
{
    tacit_fr a, b, c, ab;
    const tacit_constraint *k;

    if (r == NULL || w == NULL || i >= r->nconstraints) return false;
    k = &r->constraints[i];
    if (!eval_lc(&a, &k->a, w, r->nvars) || !eval_lc(&b, &k->b, w, r->nvars) ||
        !eval_lc(&c, &k->c, w, r->nvars))
        return false;
    tacit_fr_mul(&ab, &a, &b);
    return tacit_fr_eq(&ab, &c);
}

bool tacit_r1cs_is_satisfied(const tacit_r1cs *r, const tacit_fr *w, uint32_t *failed)
{
    /* w[0] is the constant one; a witness that says otherwise proves nothing. */
    if (r == NULL || w == NULL || r->nvars == 0 || !tacit_fr_eq(&w[0], &TACIT_FR_ONE)) {
        if (failed != NULL) *failed = UINT32_MAX;
        return false;
    }
    for (uint32_t i = 0; i < r->nconstraints; i++) {
        if (!tacit_r1cs_is_constraint_satisfied(r, w, i)) {
            if (failed != NULL) *failed = i;
            return false;
        }
    }
    return true;
}
