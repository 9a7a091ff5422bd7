/*
 * tacit — the constraint-system builder (include/tacit/circuit.h).
 *
 * A linear combination is a sorted array of (variable, coefficient) terms plus its value
 * under the witness and a flag that says whether it is a constant of the circuit. Sums and
 * scalings merge the sorted arrays (no constraint); a constraint copies its three
 * combinations into arrays of their own, the layout include/tacit/r1cs.h documents.
 *
 * "Constant" is a structural property, decided by how a combination was built (from
 * constants only), never by looking at the terms after cancellation or at witness values:
 * TACIT_CS_WITNESS mode keeps no terms, and both modes must make the same variables.
 *
 * The witness holds the statement's secrets (spending keys, values, blindings, and every value
 * computed from them): it lives in sodium_malloc memory (guard pages, locked when the system
 * allows it), grows by moving (never realloc, which could leave a copy behind) and is wiped
 * with sodium_memzero whenever a block of it is released.
 */
#include "tacit/circuit.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tacit/error.h"
#include "zk/circuit_internal.h"

/* Variables and constraints are numbered with uint32_t; stay well inside. */
#define CS_MAX ((uint32_t)1 << 30)

struct tacit_cs {
    tacit_cs_mode mode;
    int err;
    bool have_private;
    uint32_t nvars, npublic, nconstraints;
    tacit_fr *w; /* witness, nvars used */
    uint32_t wcap;
    tacit_constraint *cons; /* TACIT_CS_FULL only */
    uint32_t ccap;
};

static void fail(tacit_cs *cs, int err)
{
    if (cs->err == TACIT_OK) cs->err = err;
}

void tacit__cs_fail(tacit_cs *cs, int err) { fail(cs, err); }

int tacit_cs_new(tacit_cs **out, tacit_cs_mode mode)
{
    tacit_cs *cs;

    *out = NULL;
    if (mode != TACIT_CS_FULL && mode != TACIT_CS_WITNESS) return TACIT_EINVAL;
    if (sodium_init() < 0) return TACIT_ENOMEM; /* sodium_malloc needs it (idempotent) */
    if ((cs = calloc(1, sizeof *cs)) == NULL) return TACIT_ENOMEM;
    cs->mode = mode;
    cs->wcap = 1024;
    if ((cs->w = sodium_malloc(cs->wcap * sizeof *cs->w)) == NULL) {
        free(cs);
        return TACIT_ENOMEM;
    }
    cs->w[0] = TACIT_FR_ONE;
    cs->nvars = 1;
    *out = cs;
    return TACIT_OK;
}

static void free_constraints(tacit_constraint *c, uint32_t n)
{
    if (c == NULL) return;
    for (uint32_t i = 0; i < n; i++) {
        free(c[i].a.terms);
        free(c[i].b.terms);
        free(c[i].c.terms);
    }
    free(c);
}

void (*tacit__witness_wipe_hook)(const void *w, size_t len);

void tacit_witness_free(tacit_fr *w, uint32_t nvars)
{
    if (w == NULL) return;
    sodium_memzero(w, (size_t)nvars * sizeof *w);
    if (tacit__witness_wipe_hook != NULL) tacit__witness_wipe_hook(w, (size_t)nvars * sizeof *w);
    sodium_free(w); /* which wipes the whole block once more */
}

/* The witness holds secrets: moved, never realloc'd (which could leave a copy behind). The n
 * values of w (a block of oldcap) into a new block of cap; w wiped whole and freed. */
static tacit_fr *witness_move(tacit_fr *w, uint32_t n, uint32_t oldcap, uint32_t cap)
{
    tacit_fr *g = sodium_malloc((size_t)cap * sizeof *g);
    if (g == NULL) return NULL;
    memcpy(g, w, (size_t)n * sizeof *g);
    tacit_witness_free(w, oldcap);
    return g;
}

void tacit_cs_free(tacit_cs *cs)
{
    if (cs == NULL) return;
    tacit_witness_free(cs->w, cs->wcap); /* the whole block */
    free_constraints(cs->cons, cs->mode == TACIT_CS_FULL ? cs->nconstraints : 0);
    free(cs);
}

int tacit_cs_status(const tacit_cs *cs) { return cs->err; }
tacit_cs_mode tacit_cs_get_mode(const tacit_cs *cs) { return cs->mode; }
uint32_t tacit_cs_nvars(const tacit_cs *cs) { return cs->nvars; }
uint32_t tacit_cs_npublic(const tacit_cs *cs) { return cs->npublic; }
uint32_t tacit_cs_nconstraints(const tacit_cs *cs) { return cs->nconstraints; }

const tacit_fr *tacit_cs_value(const tacit_cs *cs, uint32_t var)
{
    if (cs->err != TACIT_OK || cs->w == NULL || var >= cs->nvars) return NULL;
    return &cs->w[var];
}

int tacit_cs_finish(tacit_cs *cs, tacit_r1cs *r, tacit_fr **witness, uint32_t *nvars)
{
    int rc = cs->err;

    if (r != NULL) memset(r, 0, sizeof *r);
    if (witness != NULL) *witness = NULL;
    if (nvars != NULL) *nvars = 0;
    if (rc == TACIT_OK && r != NULL && cs->mode != TACIT_CS_FULL) rc = TACIT_EINVAL;
    if (rc == TACIT_OK && cs->w == NULL) rc = TACIT_EINVAL; /* finished before */
    if (rc != TACIT_OK) return rc;

    if (r != NULL) {
        tacit_constraint *c = cs->cons;
        if (cs->nconstraints > 0 && cs->nconstraints < cs->ccap) {
            tacit_constraint *s = realloc(c, cs->nconstraints * sizeof *c);
            if (s != NULL) c = s; /* shrinking failed: keep the larger block */
        }
        r->nvars = cs->nvars;
        r->npublic = cs->npublic;
        r->nconstraints = cs->nconstraints;
        r->constraints = c;
        cs->cons = NULL;
        cs->ccap = 0;
        cs->nconstraints = 0;
    }
    if (witness != NULL) {
        tacit_fr *w =
            cs->nvars < cs->wcap ? witness_move(cs->w, cs->nvars, cs->wcap, cs->nvars) : NULL;
        *witness = w != NULL ? w : cs->w; /* shrinking failed: hand over the larger block */
        cs->w = NULL;
        cs->wcap = 0;
    }
    if (nvars != NULL) *nvars = cs->nvars;
    return TACIT_OK;
}

/* ---------------------------------------------------------------- variables ---- */

static uint32_t alloc_var(tacit_cs *cs, const tacit_fr *value)
{
    if (cs->err != TACIT_OK) return 0;
    if (cs->nvars >= CS_MAX) {
        fail(cs, TACIT_ETOOBIG);
        return 0;
    }
    if (cs->nvars == cs->wcap) {
        tacit_fr *w = witness_move(cs->w, cs->nvars, cs->wcap, 2 * cs->wcap);
        if (w == NULL) {
            fail(cs, TACIT_ENOMEM);
            return 0;
        }
        cs->w = w;
        cs->wcap *= 2;
    }
    cs->w[cs->nvars] = *value;
    return cs->nvars++;
}

uint32_t tacit_cs_alloc_public(tacit_cs *cs, const tacit_fr *value)
{
    uint32_t v;

    if (cs->err != TACIT_OK) return 0;
    if (cs->have_private) { /* public inputs are variables 1..npublic */
        fail(cs, TACIT_EINVAL);
        return 0;
    }
    if ((v = alloc_var(cs, value)) != 0) cs->npublic++;
    return v;
}

uint32_t tacit_cs_alloc_private(tacit_cs *cs, const tacit_fr *value)
{
    if (cs->err != TACIT_OK) return 0;
    cs->have_private = true;
    return alloc_var(cs, value);
}

/* ------------------------------------------------------ linear combinations ---- */

void tacit_cs_lc_init(tacit_cs_lc *lc)
{
    lc->terms = NULL;
    lc->n = lc->cap = 0;
    lc->konst = true;
    lc->val = TACIT_FR_ZERO;
}

void tacit_cs_lc_clear(tacit_cs_lc *lc)
{
    if (lc == NULL) return;
    free(lc->terms);
    tacit_cs_lc_init(lc);
}

bool tacit_cs_lc_is_const(const tacit_cs_lc *lc) { return lc->konst; }

/* Replace r's terms by terms[0..n-1] (a block of capacity cap, now owned by r). */
static void lc_take(tacit_cs_lc *r, tacit_lc_term *terms, uint32_t n, uint32_t cap)
{
    free(r->terms);
    r->terms = terms;
    r->n = n;
    r->cap = cap;
}

static tacit_lc_term *terms_alloc(tacit_cs *cs, uint64_t n)
{
    tacit_lc_term *t;

    if (n == 0) return NULL;
    if (n >= CS_MAX) {
        fail(cs, TACIT_ETOOBIG);
        return NULL;
    }
    if ((t = malloc((size_t)n * sizeof *t)) == NULL) fail(cs, TACIT_ENOMEM);
    return t;
}

void tacit_cs_lc_const(tacit_cs *cs, tacit_cs_lc *r, const tacit_fr *c)
{
    tacit_fr v = *c;

    if (cs->err != TACIT_OK) return;
    if (cs->mode == TACIT_CS_FULL) {
        if (tacit_fr_is_zero(&v)) {
            lc_take(r, NULL, 0, 0);
        } else {
            tacit_lc_term *t = terms_alloc(cs, 1);
            if (t == NULL) return;
            t[0].var = 0;
            t[0].coeff = v;
            lc_take(r, t, 1, 1);
        }
    }
    r->konst = true;
    r->val = v;
}

void tacit_cs_lc_var(tacit_cs *cs, tacit_cs_lc *r, uint32_t var)
{
    if (cs->err != TACIT_OK) return;
    if (var >= cs->nvars) {
        fail(cs, TACIT_EINVAL);
        return;
    }
    if (var == 0) {
        tacit_cs_lc_const(cs, r, &TACIT_FR_ONE);
        return;
    }
    if (cs->mode == TACIT_CS_FULL) {
        tacit_lc_term *t = terms_alloc(cs, 1);
        if (t == NULL) return;
        t[0].var = var;
        t[0].coeff = TACIT_FR_ONE;
        lc_take(r, t, 1, 1);
    }
    r->konst = false;
    r->val = cs->w[var];
}

void tacit_cs_lc_copy(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a)
{
    if (cs->err != TACIT_OK || r == a) return;
    if (cs->mode == TACIT_CS_FULL) {
        tacit_lc_term *t = terms_alloc(cs, a->n);
        if (a->n > 0 && t == NULL) return;
        if (a->n > 0) memcpy(t, a->terms, a->n * sizeof *t);
        lc_take(r, t, a->n, a->n);
    }
    r->konst = a->konst;
    r->val = a->val;
}

void tacit_cs_lc_scale(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_fr *k)
{
    tacit_fr kk = *k, v;

    if (cs->err != TACIT_OK) return;
    if (tacit_fr_is_zero(&kk)) {
        tacit_cs_lc_const(cs, r, &TACIT_FR_ZERO);
        return;
    }
    tacit_fr_mul(&v, &a->val, &kk);
    if (cs->mode == TACIT_CS_FULL) {
        tacit_lc_term *t = terms_alloc(cs, a->n);
        if (a->n > 0 && t == NULL) return;
        for (uint32_t i = 0; i < a->n; i++) {
            t[i].var = a->terms[i].var;
            tacit_fr_mul(&t[i].coeff, &a->terms[i].coeff, &kk); /* non-zero: k, c != 0 */
        }
        lc_take(r, t, a->n, a->n);
    }
    r->konst = a->konst;
    r->val = v;
}

void tacit_cs_lc_add_scaled(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_fr *k,
                            const tacit_cs_lc *b)
{
    tacit_fr kk = k != NULL ? *k : TACIT_FR_ONE, v;
    bool konst;

    if (cs->err != TACIT_OK) return;
    if (tacit_fr_is_zero(&kk)) {
        tacit_cs_lc_copy(cs, r, a);
        return;
    }
    tacit_fr_mul(&v, &b->val, &kk);
    tacit_fr_add(&v, &v, &a->val);
    konst = a->konst && b->konst;
    if (cs->mode == TACIT_CS_FULL) {
        /* merge the two sorted term lists */
        tacit_lc_term *t = terms_alloc(cs, (uint64_t)a->n + b->n);
        uint32_t i = 0, j = 0, n = 0;
        if (a->n + b->n > 0 && t == NULL) return;
        while (i < a->n || j < b->n) {
            if (j == b->n || (i < a->n && a->terms[i].var < b->terms[j].var)) {
                t[n++] = a->terms[i++];
            } else if (i == a->n || b->terms[j].var < a->terms[i].var) {
                t[n].var = b->terms[j].var;
                tacit_fr_mul(&t[n].coeff, &b->terms[j].coeff, &kk);
                n++;
                j++;
            } else {
                tacit_fr c;
                tacit_fr_mul(&c, &b->terms[j].coeff, &kk);
                tacit_fr_add(&c, &c, &a->terms[i].coeff);
                if (!tacit_fr_is_zero(&c)) {
                    t[n].var = a->terms[i].var;
                    t[n].coeff = c;
                    n++;
                }
                i++;
                j++;
            }
        }
        lc_take(r, t, n, a->n + b->n);
    }
    r->konst = konst;
    r->val = v;
}

void tacit_cs_lc_add(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_cs_lc *b)
{
    tacit_cs_lc_add_scaled(cs, r, a, NULL, b);
}

void tacit_cs_lc_sub(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_cs_lc *b)
{
    tacit_fr m1;
    tacit_fr_neg(&m1, &TACIT_FR_ONE);
    tacit_cs_lc_add_scaled(cs, r, a, &m1, b);
}

void tacit_cs_lc_add_const(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_fr *c)
{
    tacit_cs_lc k = TACIT_CS_LC_INIT;

    if (cs->err != TACIT_OK) return;
    tacit_cs_lc_const(cs, &k, c);
    tacit_cs_lc_add_scaled(cs, r, a, NULL, &k);
    tacit_cs_lc_clear(&k);
}

/* ------------------------------------------------------------- constraints ---- */

static void lc_export(tacit_cs *cs, tacit_lc *out, const tacit_cs_lc *a)
{
    out->n = 0;
    out->terms = NULL;
    if (a->n == 0) return;
    if ((out->terms = terms_alloc(cs, a->n)) == NULL) return;
    memcpy(out->terms, a->terms, a->n * sizeof *out->terms);
    out->n = a->n;
}

void tacit_cs_enforce(tacit_cs *cs, const tacit_cs_lc *a, const tacit_cs_lc *b,
                      const tacit_cs_lc *c)
{
    if (cs->err != TACIT_OK) return;
    if (a->konst && b->konst && c->konst) {
        tacit_fr ab;
        tacit_fr_mul(&ab, &a->val, &b->val);
        if (tacit_fr_eq(&ab, &c->val)) return; /* holds for every witness */
        /* else: an unsatisfiable circuit; keep the constraint so that it shows */
    }
    if (cs->nconstraints >= CS_MAX) {
        fail(cs, TACIT_ETOOBIG);
        return;
    }
    if (cs->mode == TACIT_CS_FULL) {
        tacit_constraint *k;
        if (cs->nconstraints == cs->ccap) {
            uint32_t cap = cs->ccap ? 2 * cs->ccap : 1024;
            tacit_constraint *g = realloc(cs->cons, cap * sizeof *g);
            if (g == NULL) {
                fail(cs, TACIT_ENOMEM);
                return;
            }
            cs->cons = g;
            cs->ccap = cap;
        }
        k = &cs->cons[cs->nconstraints];
        lc_export(cs, &k->a, a);
        lc_export(cs, &k->b, b);
        lc_export(cs, &k->c, c);
        if (cs->err != TACIT_OK) {
            free(k->a.terms);
            free(k->b.terms);
            free(k->c.terms);
            return;
        }
    }
    cs->nconstraints++;
}

void tacit_cs_enforce_zero(tacit_cs *cs, const tacit_cs_lc *a)
{
    tacit_cs_lc one = TACIT_CS_LC_INIT, zero = TACIT_CS_LC_INIT;

    tacit_cs_lc_const(cs, &one, &TACIT_FR_ONE);
    tacit_cs_enforce(cs, a, &one, &zero);
    tacit_cs_lc_clear(&one);
}

void tacit_cs_enforce_equal(tacit_cs *cs, const tacit_cs_lc *a, const tacit_cs_lc *b)
{
    tacit_cs_lc d = TACIT_CS_LC_INIT;

    tacit_cs_lc_sub(cs, &d, a, b);
    tacit_cs_enforce_zero(cs, &d);
    tacit_cs_lc_clear(&d);
}

void tacit_cs_mul(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_cs_lc *b)
{
    tacit_cs_lc v = TACIT_CS_LC_INIT;
    tacit_fr ab;
    uint32_t var;

    if (cs->err != TACIT_OK) return;
    if (a->konst) {
        tacit_fr k = a->val;
        tacit_cs_lc_scale(cs, r, b, &k);
        return;
    }
    if (b->konst) {
        tacit_fr k = b->val;
        tacit_cs_lc_scale(cs, r, a, &k);
        return;
    }
    tacit_fr_mul(&ab, &a->val, &b->val);
    var = tacit_cs_alloc_private(cs, &ab);
    tacit_cs_lc_var(cs, &v, var);
    tacit_cs_enforce(cs, a, b, &v); /* before r is written: r may alias a or b */
    if (cs->err == TACIT_OK) {
        tacit_cs_lc_clear(r);
        *r = v; /* r takes v's terms */
    } else {
        tacit_cs_lc_clear(&v);
    }
}
