/*
 * tacit — gadgets over the constraint-system builder (include/tacit/circuit.h).
 *
 * Poseidon is circomlib's (Grassi, Khovratovich, Rechberger, Roy, Schofnegger, "Poseidon",
 * USENIX Security 2021), in the plain form of circomlibjs src/poseidon_reference.js on
 * circomlib's round constants and MDS matrices (src/crypto/poseidon_constants_ref.c, the
 * same constants src/crypto/poseidon.c was generated from): the linear layers only
 * recombine linear combinations, so they cost nothing; each S-box x^5 is
 * x2 = x x, x4 = x2 x2, y = x4 x (3 constraints, circomlib's Sigma). An S-box whose
 * input is a constant of the circuit (the capacity element in the first round) is
 * computed, not constrained, as circom --O2 does: Poseidon(2) = 80 S-boxes = 240.
 */
#include "tacit/circuit.h"

#include <string.h>

#include "crypto/poseidon_constants.h"
#include "tacit/error.h"
#include "tacit/poseidon.h"
#include "zk/circuit_internal.h"

#define T_MAX TACIT__POSEIDON_T_MAX
#define HALF_F (TACIT__POSEIDON_ROUNDS_F / 2)

/* ------------------------------------------------------------------ Poseidon ---- */

/* x = x^5 (3 constraints unless x is a constant). */
static void sbox(tacit_cs *cs, tacit_cs_lc *x)
{
    tacit_cs_lc x2 = TACIT_CS_LC_INIT, x4 = TACIT_CS_LC_INIT;

    tacit_cs_mul(cs, &x2, x, x);
    tacit_cs_mul(cs, &x4, &x2, &x2);
    tacit_cs_mul(cs, x, &x4, x);
    tacit_cs_lc_clear(&x2);
    tacit_cs_lc_clear(&x4);
}

/* r = sum_{j<t} row[j] st[j] */
static void dot(tacit_cs *cs, tacit_cs_lc *r, const tacit_fr *row, const tacit_cs_lc *st,
                unsigned t)
{
    tacit_cs_lc acc = TACIT_CS_LC_INIT;

    for (unsigned j = 0; j < t; j++) tacit_cs_lc_add_scaled(cs, &acc, &acc, &row[j], &st[j]);
    tacit_cs_lc_clear(r);
    *r = acc;
}

/* st = m st, m row-major t x t */
static void mat_mul(tacit_cs *cs, tacit_cs_lc *st, const tacit_fr *m, unsigned t)
{
    tacit_cs_lc out[T_MAX];

    for (unsigned i = 0; i < t; i++) {
        tacit_cs_lc_init(&out[i]);
        dot(cs, &out[i], &m[i * t], st, t);
    }
    for (unsigned i = 0; i < t; i++) {
        tacit_cs_lc_clear(&st[i]);
        st[i] = out[i];
    }
}

/* Poseidon(in[0..n-1]); if target is NULL, *out = the hash, else target = the hash is
 * constrained (and out unused). circomlib's plain permutation (circomlibjs
 * src/poseidon_reference.js): round r adds c[r t .. r t + t - 1], applies the S-box (every
 * element in the ROUNDS_F full rounds, state[0] only in the partial rounds between the two
 * halves), then state = M state; the output is state[0]. In the circuit the linear steps
 * are free, so the plain form costs the same constraints as the optimized one. */
static void poseidon(tacit_cs *cs, tacit_cs_lc *out, const tacit_cs_lc *target,
                     const tacit_cs_lc *in, size_t n)
{
    tacit_cs_lc st[T_MAX];
    const struct tacit__poseidon_ref *k;
    unsigned t, nr;

    if (tacit_cs_status(cs) != TACIT_OK) return;
    if (n == 0 || n > TACIT_POSEIDON_MAX_INPUTS) {
        tacit__cs_fail(cs, TACIT_EINVAL);
        return;
    }
    t = (unsigned)n + 1;
    k = &tacit__poseidon_ref[t - 2];
    nr = TACIT__POSEIDON_ROUNDS_F + k->n_partial;

    /* state = [0, in...]: the capacity element 0 first (circomlib Poseidon(n), nOuts = 1) */
    tacit_cs_lc_init(&st[0]);
    for (unsigned i = 1; i < t; i++) {
        tacit_cs_lc_init(&st[i]);
        tacit_cs_lc_copy(cs, &st[i], &in[i - 1]);
    }
    for (unsigned r = 0; r < nr; r++) {
        const tacit_fr *c = &k->c[r * t];
        bool full = r < HALF_F || r >= nr - HALF_F;
        for (unsigned i = 0; i < t; i++) tacit_cs_lc_add_const(cs, &st[i], &st[i], &c[i]);
        if (r < nr - 1) {
            for (unsigned i = 0; i < (full ? t : 1); i++) sbox(cs, &st[i]);
            mat_mul(cs, st, k->m, t);
        }
    }
    /* last round (full): S-boxes, then only the first row of M */
    for (unsigned i = 1; i < t; i++) sbox(cs, &st[i]);
    if (target == NULL || tacit_cs_lc_is_const(&st[0]) || tacit_fr_is_zero(&k->m[0])) {
        sbox(cs, &st[0]);
        if (target == NULL) {
            dot(cs, out, k->m, st, t);
        } else {
            tacit_cs_lc h = TACIT_CS_LC_INIT;
            dot(cs, &h, k->m, st, t);
            tacit_cs_enforce_equal(cs, &h, target);
            tacit_cs_lc_clear(&h);
        }
    } else {
        /* target = m0 y0 + sum_{j>0} m_j y_j with y0 = x^5: constrain
         * x4 * x = (target - sum_{j>0} m_j y_j) / m0, saving the variable y0 and the
         * equality constraint. */
        tacit_cs_lc x2 = TACIT_CS_LC_INIT, x4 = TACIT_CS_LC_INIT, y0 = TACIT_CS_LC_INIT;
        tacit_fr inv, neg;
        tacit_cs_mul(cs, &x2, &st[0], &st[0]);
        tacit_cs_mul(cs, &x4, &x2, &x2);
        tacit_cs_lc_copy(cs, &y0, target);
        for (unsigned j = 1; j < t; j++) {
            tacit_fr_neg(&neg, &k->m[j]);
            tacit_cs_lc_add_scaled(cs, &y0, &y0, &neg, &st[j]);
        }
        tacit_fr_inv(&inv, &k->m[0]);
        tacit_cs_lc_scale(cs, &y0, &y0, &inv);
        tacit_cs_enforce(cs, &x4, &st[0], &y0);
        tacit_cs_lc_clear(&x2);
        tacit_cs_lc_clear(&x4);
        tacit_cs_lc_clear(&y0);
    }
    for (unsigned i = 0; i < t; i++) tacit_cs_lc_clear(&st[i]);
}

void tacit_gadget_poseidon(tacit_cs *cs, tacit_cs_lc *out, const tacit_cs_lc *in, size_t n)
{
    tacit_cs_lc h = TACIT_CS_LC_INIT;

    /* into a temporary: out may alias an input */
    poseidon(cs, &h, NULL, in, n);
    tacit_cs_lc_clear(out);
    *out = h;
}

void tacit_gadget_poseidon_eq(tacit_cs *cs, const tacit_cs_lc *target, const tacit_cs_lc *in,
                              size_t n)
{
    poseidon(cs, NULL, target, in, n);
}

/* ---------------------------------------------------------------------- bits ---- */

void tacit_gadget_boolean(tacit_cs *cs, const tacit_cs_lc *b)
{
    tacit_cs_lc bm1 = TACIT_CS_LC_INIT, zero = TACIT_CS_LC_INIT;
    tacit_fr m1;

    tacit_fr_neg(&m1, &TACIT_FR_ONE);
    tacit_cs_lc_add_const(cs, &bm1, b, &m1);
    tacit_cs_enforce(cs, b, &bm1, &zero);
    tacit_cs_lc_clear(&bm1);
}

uint32_t tacit_gadget_alloc_bits(tacit_cs *cs, tacit_cs_lc *out, const tacit_fr *value,
                                 unsigned nbits)
{
    tacit_cs_lc acc = TACIT_CS_LC_INIT, bit = TACIT_CS_LC_INIT;
    tacit_fr b[253], pow, rest, p;
    uint64_t limbs[4];
    uint32_t first = 0;
    bool fits = true;

    if (tacit_cs_status(cs) != TACIT_OK) return 0;
    if (nbits == 0 || nbits > 253) { /* 2^nbits < r keeps the recomposition unique */
        tacit__cs_fail(cs, TACIT_EINVAL);
        return 0;
    }
    tacit_fr_to_limbs(limbs, value);
    for (unsigned i = nbits; i < 256; i++)
        if ((limbs[i / 64] >> (i % 64)) & 1) fits = false;
    for (unsigned i = 0; i < nbits; i++)
        b[i] = ((limbs[i / 64] >> (i % 64)) & 1) ? TACIT_FR_ONE : TACIT_FR_ZERO;
    if (!fits) {
        /* Not representable: b_0 = value - sum_{i>0} b_i 2^i keeps the recomposition equal
         * to value, so that exactly the booleanity of b_0 fails (see the header). */
        rest = *value;
        pow = TACIT_FR_ONE;
        for (unsigned i = 1; i < nbits; i++) {
            tacit_fr_add(&pow, &pow, &pow);
            tacit_fr_mul(&p, &pow, &b[i]);
            tacit_fr_sub(&rest, &rest, &p);
        }
        b[0] = rest;
    }
    pow = TACIT_FR_ONE;
    for (unsigned i = 0; i < nbits; i++) {
        uint32_t v = tacit_cs_alloc_private(cs, &b[i]);
        if (i == 0) first = v;
        tacit_cs_lc_var(cs, &bit, v);
        tacit_gadget_boolean(cs, &bit);
        tacit_cs_lc_add_scaled(cs, &acc, &acc, &pow, &bit);
        tacit_fr_add(&pow, &pow, &pow);
    }
    tacit_cs_lc_clear(&bit);
    if (tacit_cs_status(cs) != TACIT_OK) {
        tacit_cs_lc_clear(&acc);
        return 0;
    }
    tacit_cs_lc_clear(out);
    *out = acc;
    return first;
}

void tacit_gadget_range(tacit_cs *cs, const tacit_cs_lc *a, unsigned nbits)
{
    tacit_cs_lc bits = TACIT_CS_LC_INIT;
    tacit_fr v = a->val;

    tacit_gadget_alloc_bits(cs, &bits, &v, nbits);
    tacit_cs_enforce_equal(cs, a, &bits);
    tacit_cs_lc_clear(&bits);
}

/* ------------------------------------------------------------ selection, zero ---- */

void tacit_gadget_select(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *b, const tacit_cs_lc *x,
                         const tacit_cs_lc *y)
{
    tacit_cs_lc d = TACIT_CS_LC_INIT;

    /* r = y + b (x - y) */
    tacit_cs_lc_sub(cs, &d, x, y);
    tacit_cs_mul(cs, &d, b, &d);
    tacit_cs_lc_add(cs, r, y, &d);
    tacit_cs_lc_clear(&d);
}

void tacit_gadget_swap(tacit_cs *cs, tacit_cs_lc *l, tacit_cs_lc *r, const tacit_cs_lc *b,
                       const tacit_cs_lc *x, const tacit_cs_lc *y)
{
    tacit_cs_lc d = TACIT_CS_LC_INIT, nl = TACIT_CS_LC_INIT, nr = TACIT_CS_LC_INIT;

    /* d = b (y - x); l = x + d; r = y - d */
    tacit_cs_lc_sub(cs, &d, y, x);
    tacit_cs_mul(cs, &d, b, &d);
    tacit_cs_lc_add(cs, &nl, x, &d);
    tacit_cs_lc_sub(cs, &nr, y, &d);
    tacit_cs_lc_clear(&d);
    if (tacit_cs_status(cs) != TACIT_OK) {
        tacit_cs_lc_clear(&nl);
        tacit_cs_lc_clear(&nr);
        return;
    }
    tacit_cs_lc_clear(l);
    *l = nl;
    tacit_cs_lc_clear(r);
    *r = nr;
}

void tacit_gadget_is_zero(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a)
{
    tacit_cs_lc inv = TACIT_CS_LC_INIT, m = TACIT_CS_LC_INIT, one = TACIT_CS_LC_INIT;
    tacit_cs_lc zero = TACIT_CS_LC_INIT, out = TACIT_CS_LC_INIT;
    tacit_fr iv;

    /* circomlib IsZero: out = 1 - a inv, a out = 0 */
    tacit_fr_inv(&iv, &a->val); /* 0 when a = 0 */
    tacit_cs_lc_var(cs, &inv, tacit_cs_alloc_private(cs, &iv));
    tacit_cs_mul(cs, &m, a, &inv);
    tacit_cs_lc_const(cs, &one, &TACIT_FR_ONE);
    tacit_cs_lc_sub(cs, &out, &one, &m);
    tacit_cs_enforce(cs, a, &out, &zero);
    if (tacit_cs_status(cs) == TACIT_OK) {
        tacit_cs_lc_clear(r);
        *r = out;
        tacit_cs_lc_init(&out);
    }
    tacit_cs_lc_clear(&out);
    tacit_cs_lc_clear(&inv);
    tacit_cs_lc_clear(&m);
    tacit_cs_lc_clear(&one);
}

void tacit_gadget_is_equal(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_cs_lc *b)
{
    tacit_cs_lc d = TACIT_CS_LC_INIT;

    tacit_cs_lc_sub(cs, &d, a, b);
    tacit_gadget_is_zero(cs, r, &d);
    tacit_cs_lc_clear(&d);
}

void tacit_gadget_nonzero(tacit_cs *cs, const tacit_cs_lc *a)
{
    tacit_cs_lc inv = TACIT_CS_LC_INIT, one = TACIT_CS_LC_INIT;
    tacit_fr iv;

    tacit_fr_inv(&iv, &a->val);
    tacit_cs_lc_var(cs, &inv, tacit_cs_alloc_private(cs, &iv));
    tacit_cs_lc_const(cs, &one, &TACIT_FR_ONE);
    tacit_cs_enforce(cs, a, &inv, &one);
    tacit_cs_lc_clear(&inv);
    tacit_cs_lc_clear(&one);
}

/* -------------------------------------------------------------------- Merkle ---- */

void tacit_gadget_merkle_root(tacit_cs *cs, tacit_cs_lc *root, const tacit_cs_lc *leaf,
                              const tacit_cs_lc *bits, const tacit_cs_lc *sibling, unsigned depth)
{
    tacit_cs_lc cur = TACIT_CS_LC_INIT, lr[2] = {TACIT_CS_LC_INIT, TACIT_CS_LC_INIT};

    tacit_cs_lc_copy(cs, &cur, leaf);
    for (unsigned l = 0; l < depth; l++) {
        /* bit 1: the path node is the right child, (left, right) = (sibling, cur) */
        tacit_gadget_swap(cs, &lr[0], &lr[1], &bits[l], &cur, &sibling[l]);
        tacit_gadget_poseidon(cs, &cur, lr, 2);
    }
    tacit_cs_lc_clear(&lr[0]);
    tacit_cs_lc_clear(&lr[1]);
    if (tacit_cs_status(cs) != TACIT_OK) {
        tacit_cs_lc_clear(&cur);
        return;
    }
    tacit_cs_lc_clear(root);
    *root = cur;
}

void tacit_gadget_merkle_path(tacit_cs *cs, tacit_cs_lc *root, tacit_cs_lc *index_out,
                              const tacit_cs_lc *leaf, const tacit_fr *index,
                              const tacit_cs_lc *sibling, unsigned depth)
{
    tacit_cs_lc idx = TACIT_CS_LC_INIT, bits[TACIT_TREE_DEPTH];
    uint32_t first;

    if (depth == 0 || depth > TACIT_TREE_DEPTH) {
        tacit__cs_fail(cs, TACIT_EINVAL);
        return;
    }
    first = tacit_gadget_alloc_bits(cs, &idx, index, depth);
    for (unsigned l = 0; l < depth; l++) {
        tacit_cs_lc_init(&bits[l]);
        tacit_cs_lc_var(cs, &bits[l], first + l);
    }
    tacit_gadget_merkle_root(cs, root, leaf, bits, sibling, depth);
    for (unsigned l = 0; l < depth; l++) tacit_cs_lc_clear(&bits[l]);
    if (index_out != NULL && tacit_cs_status(cs) == TACIT_OK) {
        tacit_cs_lc_clear(index_out);
        *index_out = idx;
    } else {
        tacit_cs_lc_clear(&idx);
    }
}
