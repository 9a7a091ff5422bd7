/*
 * tacit — the constraint-system builder, the gadgets and the transfer circuit
 * (include/tacit/circuit.h): gadgets against the native code, valid transfers of every kind
 * satisfy the system, every constraint class has a witness that breaks it, random
 * mutations of a valid witness break it, and the system never depends on the witness.
 *
 * TACIT_TEST_ITERS scales the randomized tests (default: 1 transfer per kind at depth 32
 * and 8 at depth 2, 1024 mutated variables at depth 32, every variable at depth 2).
 * TACIT_TEST_VERBOSE=1 prints how many constraints each negative test breaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/r1cs_cmp.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/poseidon.h"
#include "tacit/r1cs.h"
#include "zk/circuit_internal.h"

/* ----------------------------------------------------------------- helpers ---- */

static void rand_fr(tacit_fr *r)
{
    uint8_t b[64];
    tacit_test_rand_bytes(b, sizeof b);
    tacit_fr_from_wide(r, b);
}

static void fr_u64(tacit_fr *r, uint64_t v) { tacit_fr_from_u64(r, v); }

static bool fr_eq_u64(const tacit_fr *a, uint64_t v)
{
    tacit_fr b;
    fr_u64(&b, v);
    return tacit_fr_eq(a, &b);
}

/* 2^k as a field element */
static void fr_pow2(tacit_fr *r, unsigned k)
{
    *r = TACIT_FR_ONE;
    for (unsigned i = 0; i < k; i++) tacit_fr_add(r, r, r);
}

/* A builder in `mode` or a failed check. */
static tacit_cs *cs_new(tacit_cs_mode mode)
{
    tacit_cs *cs = NULL;
    CHECK_EQ_INT(tacit_cs_new(&cs, mode), TACIT_OK);
    return cs;
}

/* Finishes cs into r and w (FULL mode), checking the status. */
static bool finish(tacit_cs *cs, tacit_r1cs *r, tacit_fr **w, uint32_t *nvars)
{
    int rc = tacit_cs_finish(cs, r, w, nvars);
    CHECK_EQ_INT(rc, TACIT_OK);
    tacit_cs_free(cs);
    return rc == TACIT_OK;
}

/* ------------------------------------------------------------------ r1cs.c ---- */

TEST(r1cs_is_satisfied_by_hand)
{
    /* x * x = y with x = w[1], y = w[2] */
    tacit_r1cs r = {0};
    tacit_fr w[3];
    uint32_t failed = 7;

    r.nvars = 3;
    r.npublic = 1;
    r.nconstraints = 1;
    r.constraints = calloc(1, sizeof *r.constraints);
    r.constraints[0].a.terms = malloc(sizeof(tacit_lc_term));
    r.constraints[0].b.terms = malloc(sizeof(tacit_lc_term));
    r.constraints[0].c.terms = malloc(sizeof(tacit_lc_term));
    r.constraints[0].a.n = r.constraints[0].b.n = r.constraints[0].c.n = 1;
    r.constraints[0].a.terms[0] = (tacit_lc_term){1, TACIT_FR_ONE};
    r.constraints[0].b.terms[0] = (tacit_lc_term){1, TACIT_FR_ONE};
    r.constraints[0].c.terms[0] = (tacit_lc_term){2, TACIT_FR_ONE};
    w[0] = TACIT_FR_ONE;
    fr_u64(&w[1], 7);
    fr_u64(&w[2], 49);
    CHECK(tacit_r1cs_is_satisfied(&r, w, &failed));
    fr_u64(&w[2], 48);
    CHECK(!tacit_r1cs_is_satisfied(&r, w, &failed));
    CHECK_EQ_INT(failed, 0);
    fr_u64(&w[2], 49);
    w[0] = TACIT_FR_ZERO; /* the constant one must be one */
    CHECK(!tacit_r1cs_is_satisfied(&r, w, &failed));
    CHECK_EQ_INT(failed, UINT32_MAX);
    w[0] = TACIT_FR_ONE;
    r.constraints[0].c.terms[0].var = 3; /* out of range */
    CHECK(!tacit_r1cs_is_satisfied(&r, w, NULL));
    tacit_r1cs_clear(&r);
    CHECK_EQ_INT(r.nconstraints, 0);
    CHECK(r.constraints == NULL);
    tacit_r1cs_clear(&r);
    tacit_r1cs_clear(NULL);
}

/* ---------------------------------------------------------------- builder ---- */

TEST(builder_linear_combinations_cost_nothing)
{
    tacit_cs *cs = cs_new(TACIT_CS_FULL);
    tacit_cs_lc a = TACIT_CS_LC_INIT, b = TACIT_CS_LC_INIT, c = TACIT_CS_LC_INIT;
    tacit_cs_lc k = TACIT_CS_LC_INIT, s = TACIT_CS_LC_INIT;
    tacit_fr va, vb, v, three;
    tacit_r1cs r;
    tacit_fr *w;
    uint32_t n;

    rand_fr(&va);
    rand_fr(&vb);
    fr_u64(&three, 3);
    tacit_cs_lc_var(cs, &a, tacit_cs_alloc_public(cs, &va));
    tacit_cs_lc_var(cs, &b, tacit_cs_alloc_private(cs, &vb));
    /* public after private: misuse */
    {
        tacit_cs *cs2 = cs_new(TACIT_CS_FULL);
        tacit_cs_alloc_private(cs2, &va);
        CHECK_EQ_INT(tacit_cs_alloc_public(cs2, &va), 0);
        CHECK_EQ_INT(tacit_cs_status(cs2), TACIT_EINVAL);
        tacit_cs_free(cs2);
    }
    /* sums, scalings, constants: no constraint */
    tacit_cs_lc_add(cs, &s, &a, &b);
    tacit_cs_lc_scale(cs, &s, &s, &three);
    tacit_cs_lc_add_const(cs, &s, &s, &three);
    tacit_cs_lc_const(cs, &k, &three);
    tacit_cs_mul(cs, &c, &k, &s); /* constant side: free */
    tacit_cs_mul(cs, &c, &c, &k);
    CHECK_EQ_INT(tacit_cs_nconstraints(cs), 0);
    CHECK_EQ_INT(tacit_cs_nvars(cs), 3);
    /* value: 9 (a + b + 1) */
    tacit_fr_add(&v, &va, &vb);
    tacit_fr_add(&v, &v, &TACIT_FR_ONE);
    tacit_fr_mul(&v, &v, &three);
    tacit_fr_mul(&v, &v, &three);
    tacit_fr_mul(&v, &v, &three);
    CHECK(tacit_fr_eq(&c.val, &v));
    CHECK(!tacit_cs_lc_is_const(&c));
    /* a - a cancels its terms */
    tacit_cs_lc_sub(cs, &s, &a, &a);
    CHECK_EQ_INT(s.n, 0);
    CHECK(tacit_fr_is_zero(&s.val));
    /* a product of two variables: one constraint, one variable */
    tacit_cs_mul(cs, &s, &a, &b);
    CHECK_EQ_INT(tacit_cs_nconstraints(cs), 1);
    CHECK_EQ_INT(tacit_cs_nvars(cs), 4);
    tacit_cs_enforce_equal(cs, &k, &k); /* constants, 3 = 3: nothing to constrain */
    CHECK_EQ_INT(tacit_cs_nconstraints(cs), 1);
    tacit_cs_enforce_equal(cs, &a, &b); /* a real constraint, unsatisfied here */
    CHECK_EQ_INT(tacit_cs_nconstraints(cs), 2);
    tacit_cs_lc_clear(&a);
    tacit_cs_lc_clear(&b);
    tacit_cs_lc_clear(&c);
    tacit_cs_lc_clear(&k);
    tacit_cs_lc_clear(&s);
    if (!finish(cs, &r, &w, &n)) return;
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_INT(r.nvars, 4);
    CHECK_EQ_INT(r.npublic, 1);
    CHECK_EQ_INT(r.nconstraints, 2);
    CHECK(tacit_r1cs_is_constraint_satisfied(&r, w, 0));
    CHECK(!tacit_r1cs_is_constraint_satisfied(&r, w, 1));
    tacit_r1cs_clear(&r);
    tacit_witness_free(w, n);
}

TEST(builder_witness_mode_has_no_constraints)
{
    tacit_cs *cs = cs_new(TACIT_CS_WITNESS);
    tacit_cs_lc a = TACIT_CS_LC_INIT, b = TACIT_CS_LC_INIT;
    tacit_fr va;
    tacit_r1cs r;
    tacit_fr *w;
    uint32_t n;

    rand_fr(&va);
    tacit_cs_lc_var(cs, &a, tacit_cs_alloc_public(cs, &va));
    tacit_cs_mul(cs, &b, &a, &a);
    CHECK(a.terms == NULL && b.terms == NULL);
    CHECK_EQ_INT(tacit_cs_nconstraints(cs), 1);
    CHECK_EQ_INT(tacit_cs_finish(cs, &r, &w, &n), TACIT_EINVAL); /* no system to give */
    CHECK_EQ_INT(tacit_cs_finish(cs, NULL, &w, &n), TACIT_OK);
    CHECK_EQ_INT(n, 3);
    tacit_fr_sqr(&va, &va);
    CHECK(tacit_fr_eq(&w[2], &va));
    tacit_cs_lc_clear(&a);
    tacit_cs_lc_clear(&b);
    tacit_cs_free(cs);
    tacit_witness_free(w, n);
}

/* ---------------------------------------------------------------- gadgets ---- */

TEST(gadget_poseidon_equals_native)
{
    static const int cost[4] = {0, 213, 240, 261}; /* Poseidon(1..3), circom --O2 alike */
    int iters = tacit_test_iters(2);

    for (int it = 0; it < iters; it++) {
        for (size_t n = 1; n <= TACIT_POSEIDON_MAX_INPUTS; n++) {
            for (int mode = 0; mode < 2; mode++) {
                tacit_cs *cs = cs_new(mode == 0 ? TACIT_CS_FULL : TACIT_CS_WITNESS);
                tacit_cs_lc in[TACIT_POSEIDON_MAX_INPUTS], out = TACIT_CS_LC_INIT;
                tacit_cs_lc tgt = TACIT_CS_LC_INIT;
                tacit_fr v[TACIT_POSEIDON_MAX_INPUTS], h;
                tacit_r1cs r;
                tacit_fr *w;
                uint32_t nv, c0, c1;

                for (size_t i = 0; i < n; i++) {
                    rand_fr(&v[i]);
                    if (it == 0 && i == 0) fr_u64(&v[i], 0); /* small values too */
                    tacit_cs_lc_init(&in[i]);
                    tacit_cs_lc_var(cs, &in[i], tacit_cs_alloc_private(cs, &v[i]));
                }
                CHECK_EQ_INT(tacit_poseidon(&h, v, n), TACIT_OK);
                c0 = tacit_cs_nconstraints(cs);
                tacit_gadget_poseidon(cs, &out, in, n);
                c1 = tacit_cs_nconstraints(cs);
                if (n <= 3) CHECK_EQ_INT(c1 - c0, cost[n]);
                CHECK(tacit_fr_eq(&out.val, &h));
                /* and bound to a variable with the same cost */
                tacit_cs_lc_var(cs, &tgt, tacit_cs_alloc_private(cs, &h));
                tacit_gadget_poseidon_eq(cs, &tgt, in, n);
                CHECK_EQ_INT(tacit_cs_nconstraints(cs) - c1, c1 - c0);
                /* the gadget's output equals the native hash in the system too */
                tacit_cs_enforce_equal(cs, &out, &tgt);
                for (size_t i = 0; i < n; i++) tacit_cs_lc_clear(&in[i]);
                tacit_cs_lc_clear(&out);
                tacit_cs_lc_clear(&tgt);
                if (mode == 1) {
                    CHECK_EQ_INT(tacit_cs_finish(cs, NULL, &w, &nv), TACIT_OK);
                    tacit_cs_free(cs);
                    tacit_witness_free(w, nv);
                    continue;
                }
                if (!finish(cs, &r, &w, &nv)) continue;
                CHECK(tacit_r1cs_is_satisfied(&r, w, NULL));
                /* a wrong target breaks exactly the bound hash */
                tacit_fr_add(&w[nv - 1], &w[nv - 1], &TACIT_FR_ONE);
                CHECK(!tacit_r1cs_is_satisfied(&r, w, NULL));
                tacit_r1cs_clear(&r);
                tacit_witness_free(w, nv);
            }
        }
    }
}

TEST(gadget_bits_and_range)
{
    static const unsigned widths[] = {1, 2, 8, 32, 64, 200, 253};

    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        unsigned nb = widths[k];
        for (int fits = 0; fits < 2; fits++) {
            tacit_cs *cs = cs_new(TACIT_CS_FULL);
            tacit_cs_lc bits = TACIT_CS_LC_INIT, a = TACIT_CS_LC_INIT;
            tacit_fr v, p;
            tacit_r1cs r;
            tacit_fr *w;
            uint32_t n, first;

            if (fits) {
                uint64_t x = tacit_test_rand64();
                fr_u64(&v, nb < 64 ? x & ((UINT64_C(1) << nb) - 1) : x);
            } else {
                /* 2^nb + small, or a random field element */
                fr_pow2(&p, nb);
                fr_u64(&v, tacit_test_rand64() & 0xff);
                tacit_fr_add(&v, &v, &p);
                if (nb > 64) rand_fr(&v);
                if (nb == 253) tacit_fr_neg(&v, &TACIT_FR_ONE); /* r - 1 >= 2^253 */
            }
            first = tacit_gadget_alloc_bits(cs, &bits, &v, nb);
            CHECK_EQ_INT(first, 1);
            CHECK_EQ_INT(tacit_cs_nconstraints(cs), nb);
            CHECK_EQ_INT(tacit_cs_nvars(cs), 1 + nb);
            CHECK(tacit_fr_eq(&bits.val, &v)); /* the recomposition is the value, always */
            /* range check of an existing variable: one more constraint */
            tacit_cs_lc_var(cs, &a, tacit_cs_alloc_private(cs, &v));
            tacit_gadget_range(cs, &a, nb);
            CHECK_EQ_INT(tacit_cs_nconstraints(cs), 2 * nb + 1);
            tacit_cs_lc_clear(&bits);
            tacit_cs_lc_clear(&a);
            if (!finish(cs, &r, &w, &n)) continue;
            if (fits) {
                CHECK(tacit_r1cs_is_satisfied(&r, w, NULL));
            } else {
                /* exactly the booleanity of bit 0 fails, in each decomposition */
                CHECK_EQ_INT(count_unsat(&r, w), 2);
                CHECK(!tacit_r1cs_is_constraint_satisfied(&r, w, 0));
                CHECK(!tacit_r1cs_is_constraint_satisfied(&r, w, nb));
            }
            tacit_r1cs_clear(&r);
            tacit_witness_free(w, n);
        }
    }
    /* misuse */
    {
        tacit_cs *cs = cs_new(TACIT_CS_FULL);
        tacit_cs_lc bits = TACIT_CS_LC_INIT;
        CHECK_EQ_INT(tacit_gadget_alloc_bits(cs, &bits, &TACIT_FR_ONE, 254), 0);
        CHECK_EQ_INT(tacit_cs_status(cs), TACIT_EINVAL);
        tacit_cs_free(cs);
    }
}

/* Builds f(cs, x, y, b) over private x, y and boolean b, checks the result value and cost,
 * that the system holds, and that changing any one variable breaks it. */
TEST(gadget_select_swap_is_zero)
{
    for (int it = 0; it < 8; it++) {
        tacit_cs *cs = cs_new(TACIT_CS_FULL);
        tacit_cs_lc x = TACIT_CS_LC_INIT, y = TACIT_CS_LC_INIT, b = TACIT_CS_LC_INIT;
        tacit_cs_lc s = TACIT_CS_LC_INIT, l = TACIT_CS_LC_INIT, rr = TACIT_CS_LC_INIT;
        tacit_cs_lc z = TACIT_CS_LC_INIT, e = TACIT_CS_LC_INIT, pz = TACIT_CS_LC_INIT;
        tacit_fr vx, vy, vb;
        tacit_r1cs r;
        tacit_fr *w;
        uint32_t n, c;
        int bit = it & 1, same = (it >> 1) & 1;

        rand_fr(&vx);
        vy = vx;
        if (!same) rand_fr(&vy);
        fr_u64(&vb, (uint64_t)bit);
        tacit_cs_lc_var(cs, &x, tacit_cs_alloc_private(cs, &vx));
        tacit_cs_lc_var(cs, &y, tacit_cs_alloc_private(cs, &vy));
        tacit_cs_lc_var(cs, &b, tacit_cs_alloc_private(cs, &vb));
        tacit_gadget_boolean(cs, &b);
        CHECK_EQ_INT(tacit_cs_nconstraints(cs), 1);
        tacit_gadget_select(cs, &s, &b, &x, &y);
        CHECK_EQ_INT(tacit_cs_nconstraints(cs), 2);
        CHECK(tacit_fr_eq(&s.val, bit ? &vx : &vy));
        tacit_gadget_swap(cs, &l, &rr, &b, &x, &y);
        CHECK_EQ_INT(tacit_cs_nconstraints(cs), 3);
        CHECK(tacit_fr_eq(&l.val, bit ? &vy : &vx));
        CHECK(tacit_fr_eq(&rr.val, bit ? &vx : &vy));
        c = tacit_cs_nconstraints(cs);
        tacit_gadget_is_equal(cs, &e, &x, &y);
        CHECK_EQ_INT(tacit_cs_nconstraints(cs) - c, 2);
        CHECK(fr_eq_u64(&e.val, (uint64_t)same));
        tacit_cs_lc_sub(cs, &pz, &x, &y);
        tacit_gadget_is_zero(cs, &z, &pz);
        CHECK(fr_eq_u64(&z.val, (uint64_t)same));
        /* bind the results so that the variables behind them matter */
        {
            tacit_cs_lc t = TACIT_CS_LC_INIT;
            tacit_fr v;
            tacit_cs_lc_var(cs, &t, tacit_cs_alloc_private(cs, &s.val));
            tacit_cs_enforce_equal(cs, &s, &t);
            v = l.val;
            tacit_cs_lc_var(cs, &t, tacit_cs_alloc_private(cs, &v));
            tacit_cs_enforce_equal(cs, &l, &t);
            v = rr.val;
            tacit_cs_lc_var(cs, &t, tacit_cs_alloc_private(cs, &v));
            tacit_cs_enforce_equal(cs, &rr, &t);
            v = e.val;
            tacit_cs_lc_var(cs, &t, tacit_cs_alloc_private(cs, &v));
            tacit_cs_enforce_equal(cs, &e, &t);
            tacit_cs_lc_clear(&t);
        }
        if (!same) {
            c = tacit_cs_nconstraints(cs);
            tacit_gadget_nonzero(cs, &pz);
            CHECK_EQ_INT(tacit_cs_nconstraints(cs) - c, 1);
        }
        tacit_cs_lc_clear(&x);
        tacit_cs_lc_clear(&y);
        tacit_cs_lc_clear(&b);
        tacit_cs_lc_clear(&s);
        tacit_cs_lc_clear(&l);
        tacit_cs_lc_clear(&rr);
        tacit_cs_lc_clear(&z);
        tacit_cs_lc_clear(&e);
        tacit_cs_lc_clear(&pz);
        if (!finish(cs, &r, &w, &n)) continue;
        CHECK(tacit_r1cs_is_satisfied(&r, w, NULL));
        /* a non-boolean selector */
        {
            tacit_fr keep = w[3];
            fr_u64(&w[3], 2);
            CHECK(!tacit_r1cs_is_satisfied(&r, w, NULL));
            w[3] = keep;
        }
        /* a wrong is-zero claim: flip e's variable (its inverse witness stays) */
        for (uint32_t v = 1; v < n; v++) {
            tacit_fr keep = w[v], d;
            if (same && v == 6) continue; /* is_equal's inverse is free when x = y */
            if (same && v == 8) continue; /* is_zero's inverse is free when x = y */
            rand_fr(&d);
            tacit_fr_add(&w[v], &w[v], &d);
            if (tacit_r1cs_is_satisfied(&r, w, NULL)) {
                tacit__test_fail(__FILE__, __LINE__, "variable %u changed, still satisfied", v);
            }
            w[v] = keep;
        }
        tacit_r1cs_clear(&r);
        tacit_witness_free(w, n);
    }
}

/* native root from leaf along index's bits */
static void native_root(tacit_fr *root, const tacit_fr *leaf, uint64_t index, const tacit_fr *sib,
                        unsigned depth)
{
    tacit_fr cur = *leaf;
    for (unsigned l = 0; l < depth; l++) {
        if ((index >> l) & 1)
            tacit_poseidon2(&cur, &sib[l], &cur);
        else
            tacit_poseidon2(&cur, &cur, &sib[l]);
    }
    *root = cur;
}

TEST(gadget_merkle_path)
{
    static const unsigned depths[] = {1, 2, 5, 32};

    for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
        unsigned d = depths[k];
        tacit_cs *cs = cs_new(TACIT_CS_FULL);
        tacit_cs_lc leaf = TACIT_CS_LC_INIT, root = TACIT_CS_LC_INIT, idx = TACIT_CS_LC_INIT;
        tacit_cs_lc sib[TACIT_TREE_DEPTH], pub = TACIT_CS_LC_INIT;
        tacit_fr vleaf, vsib[TACIT_TREE_DEPTH], vroot, vidx;
        uint64_t index = tacit_test_rand64() & (d == 64 ? ~0ULL : ((UINT64_C(1) << d) - 1));
        tacit_r1cs r;
        tacit_fr *w;
        uint32_t n, c;

        rand_fr(&vleaf);
        for (unsigned l = 0; l < d; l++) rand_fr(&vsib[l]);
        native_root(&vroot, &vleaf, index, vsib, d);
        fr_u64(&vidx, index);
        tacit_cs_lc_var(cs, &pub, tacit_cs_alloc_public(cs, &vroot));
        tacit_cs_lc_var(cs, &leaf, tacit_cs_alloc_private(cs, &vleaf));
        for (unsigned l = 0; l < d; l++) {
            tacit_cs_lc_init(&sib[l]);
            tacit_cs_lc_var(cs, &sib[l], tacit_cs_alloc_private(cs, &vsib[l]));
        }
        c = tacit_cs_nconstraints(cs);
        tacit_gadget_merkle_path(cs, &root, &idx, &leaf, &vidx, sib, d);
        CHECK_EQ_INT(tacit_cs_nconstraints(cs) - c, 242 * d);
        CHECK(tacit_fr_eq(&root.val, &vroot));
        CHECK(tacit_fr_eq(&idx.val, &vidx));
        tacit_cs_enforce_equal(cs, &root, &pub);
        tacit_cs_lc_clear(&leaf);
        tacit_cs_lc_clear(&root);
        tacit_cs_lc_clear(&idx);
        tacit_cs_lc_clear(&pub);
        for (unsigned l = 0; l < d; l++) tacit_cs_lc_clear(&sib[l]);
        if (!finish(cs, &r, &w, &n)) continue;
        CHECK(tacit_r1cs_is_satisfied(&r, w, NULL));
        /* another sibling, another leaf, another root: each breaks it */
        for (uint32_t v = 1; v < 3 + d; v++) {
            tacit_fr keep = w[v];
            tacit_fr_add(&w[v], &w[v], &TACIT_FR_ONE);
            CHECK(!tacit_r1cs_is_satisfied(&r, w, NULL));
            w[v] = keep;
        }
        tacit_r1cs_clear(&r);
        tacit_witness_free(w, n);
    }
}

/* ------------------------------------------------------------------ transfer ---- */

/* A note of (value, sk, blinding) and its commitment. */
static void note_cm(tacit_fr *cm, const tacit_fr *value, const tacit_fr *sk,
                    const tacit_fr *blinding)
{
    tacit_fr nk, v[3];
    (void)tacit_poseidon(&nk, sk, 1);
    (void)tacit_poseidon(&v[1], &nk, 1);
    v[0] = *value;
    v[2] = *blinding;
    (void)tacit_poseidon(cm, v, 3);
}

/*
 * Puts the notes of the real inputs (value != 0) into one tree of depth d with random other
 * nodes: paths of both inputs reach the same root (they merge where their indices meet).
 * Dummy inputs get random paths. Sets w->root (random when no input is real).
 */
static void place_inputs(struct tacit__transfer_raw *w, unsigned d)
{
    tacit_fr cur[2];
    bool real[2];
    uint64_t idx[2];

    for (int i = 0; i < 2; i++) {
        real[i] = !tacit_fr_is_zero(&w->in[i].value);
        note_cm(&cur[i], &w->in[i].value, &w->in[i].sk, &w->in[i].blinding);
        {
            uint64_t lim[4];
            tacit_fr_to_limbs(lim, &w->in[i].index);
            idx[i] = lim[0];
        }
        for (unsigned l = 0; l < d; l++) rand_fr(&w->in[i].sibling[l]);
    }
    rand_fr(&w->root);
    if (real[0] && real[1] && idx[0] != idx[1]) {
        for (unsigned l = 0; l < d; l++) {
            uint64_t p0 = idx[0] >> l, p1 = idx[1] >> l;
            if (p0 == p1) { /* merged: one node, one sibling */
                w->in[1].sibling[l] = w->in[0].sibling[l];
            } else if ((p0 ^ 1) == p1) { /* siblings of each other */
                w->in[0].sibling[l] = cur[1];
                w->in[1].sibling[l] = cur[0];
            }
            for (int i = 0; i < 2; i++) {
                if ((idx[i] >> l) & 1)
                    tacit_poseidon2(&cur[i], &w->in[i].sibling[l], &cur[i]);
                else
                    tacit_poseidon2(&cur[i], &cur[i], &w->in[i].sibling[l]);
            }
        }
        w->root = cur[0];
    } else if (real[0] && real[1]) { /* one note twice: one path */
        memcpy(w->in[1].sibling, w->in[0].sibling, sizeof w->in[0].sibling);
        native_root(&w->root, &cur[0], idx[0], w->in[0].sibling, d);
    } else {
        for (int i = 0; i < 2; i++) {
            if (!real[i]) continue;
            native_root(&w->root, &cur[i], idx[i], w->in[i].sibling, d);
        }
    }
}

enum kind { DEPOSIT, TRANSFER, WITHDRAWAL, MIXED, KINDS };
static const char *const kind_name[KINDS] = {"deposit", "transfer", "withdrawal", "mixed"};

/* A random valid statement of the given kind at depth d. */
static void random_transfer(struct tacit__transfer_raw *w, enum kind kind, unsigned d)
{
    uint64_t vin[2] = {0, 0}, vout[2], total, idx[2];
    uint64_t mask = d >= 64 ? ~0ULL : ((UINT64_C(1) << d) - 1);
    tacit_fr pa;

    memset(w, 0, sizeof *w);
    /* values small enough that sums stay below 2^64, sometimes the extremes */
    for (int i = 0; i < 2; i++) {
        if (kind == TRANSFER || kind == WITHDRAWAL || (kind == MIXED && i == 0))
            vin[i] = (tacit_test_rand64() >> 2) | 1;
        rand_fr(&w->in[i].sk);
        rand_fr(&w->in[i].blinding);
        fr_u64(&w->in[i].value, vin[i]);
        idx[i] = tacit_test_rand64() & mask;
    }
    if (d > 1 && tacit_test_rand64() % 2) idx[1] = idx[0] ^ 1; /* neighbours */
    if (idx[1] == idx[0]) idx[1] = idx[0] ^ 1;
    for (int i = 0; i < 2; i++) fr_u64(&w->in[i].index, idx[i]);
    total = vin[0] + vin[1];
    if (kind == DEPOSIT) {
        uint64_t dep = tacit_test_rand64() >> 1;
        fr_u64(&pa, dep);
        total = dep;
    } else if (kind == WITHDRAWAL) {
        uint64_t wd = tacit_test_rand64() % (total + 1);
        fr_u64(&pa, wd);
        tacit_fr_neg(&pa, &pa); /* -w mod r */
        total -= wd;
    } else if (kind == MIXED) {
        /* a deposit on top of a real input, minus a fee */
        uint64_t dep = tacit_test_rand64() >> 3, fee = tacit_test_rand64() % 1000;
        if (fee > total + dep) fee = 0;
        fr_u64(&pa, dep);
        {
            tacit_fr f;
            fr_u64(&f, fee);
            tacit_fr_sub(&pa, &pa, &f);
        }
        total = total + dep - fee;
    } else {
        pa = TACIT_FR_ZERO;
    }
    w->public_amount = pa;
    vout[0] = total ? tacit_test_rand64() % (total + 1) : 0;
    vout[1] = total - vout[0];
    for (int j = 0; j < 2; j++) {
        fr_u64(&w->out[j].value, vout[j]);
        rand_fr(&w->out[j].pk);
        rand_fr(&w->out[j].blinding);
    }
    rand_fr(&w->ext_data_hash);
    place_inputs(w, d);
}

/* Builds w at depth d into r and witness; false (and a failed check) on error. */
static bool build_raw(tacit_r1cs *r, tacit_fr **wit, uint32_t *n,
                      const struct tacit__transfer_raw *w, unsigned d)
{
    tacit_cs *cs = cs_new(TACIT_CS_FULL);
    if (cs == NULL) return false;
    CHECK_EQ_INT(tacit__transfer_build_raw(cs, w, d), TACIT_OK);
    return finish(cs, r, wit, n);
}

/* The statement w at depth d satisfies the system iff expect. */
static void expect_raw(const struct tacit__transfer_raw *w, unsigned d, bool expect,
                       const char *what)
{
    tacit_r1cs r;
    tacit_fr *wit;
    uint32_t n, failed = 0;
    bool sat;

    if (!build_raw(&r, &wit, &n, w, d)) return;
    sat = tacit_r1cs_is_satisfied(&r, wit, &failed);
    if (sat != expect)
        tacit__test_fail(__FILE__, __LINE__,
                         "%s (depth %u): satisfied = %d, want %d "
                         "(first failed constraint %u)",
                         what, d, sat, expect, failed);
    if (!sat && getenv("TACIT_TEST_VERBOSE") != NULL)
        printf("  %s (depth %u): %u constraints fail, the first is %u of %u\n", what, d,
               count_unsat(&r, wit), failed, r.nconstraints);
    tacit_r1cs_clear(&r);
    tacit_witness_free(wit, n);
}

TEST(transfer_constraint_counts)
{
    tacit_r1cs r;
    uint32_t nv;

    /* 2679 + 484 d: see src/zk/transfer.c */
    CHECK_EQ_INT(tacit_transfer_build(&r, NULL, &nv, NULL, 32), TACIT_OK);
    CHECK_EQ_INT(r.nconstraints, 18167);
    CHECK(r.nconstraints <= 20000);
    CHECK_EQ_INT(r.npublic, TACIT_TRANSFER_NPUBLIC);
    CHECK_EQ_INT(r.nvars, nv);
    printf("  depth 32: %u constraints, %u variables\n", r.nconstraints, r.nvars);
    tacit_r1cs_clear(&r);
    for (unsigned d = 1; d <= 4; d++) {
        CHECK_EQ_INT(tacit_transfer_build(&r, NULL, &nv, NULL, d), TACIT_OK);
        CHECK_EQ_INT(r.nconstraints, 2679 + 484 * d);
        printf("  depth %u: %u constraints, %u variables\n", d, r.nconstraints, r.nvars);
        tacit_r1cs_clear(&r);
    }
    CHECK_EQ_INT(tacit_transfer_build(&r, NULL, NULL, NULL, 0), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_transfer_build(&r, NULL, NULL, NULL, 33), TACIT_EINVAL);
}

/* The dummy statement used for setup satisfies its own system; every variable is used. */
TEST(transfer_dummy_satisfies_and_every_variable_is_used)
{
    static const unsigned depths[] = {2, 32};

    for (size_t k = 0; k < 2; k++) {
        tacit_r1cs r;
        tacit_fr *w;
        uint32_t n;
        uint8_t *used;

        CHECK_EQ_INT(tacit_transfer_build(&r, &w, &n, NULL, depths[k]), TACIT_OK);
        CHECK(tacit_r1cs_is_satisfied(&r, w, NULL));
        used = calloc(n, 1);
        for (uint32_t i = 0; i < r.nconstraints; i++) {
            const tacit_lc *lc[3] = {&r.constraints[i].a, &r.constraints[i].b, &r.constraints[i].c};
            for (int s = 0; s < 3; s++)
                for (uint32_t t = 0; t < lc[s]->n; t++) used[lc[s]->terms[t].var] = 1;
        }
        for (uint32_t v = 1; v < n; v++)
            if (!used[v]) tacit__test_fail(__FILE__, __LINE__, "variable %u unused", v);
        free(used);
        tacit_r1cs_clear(&r);
        tacit_witness_free(w, n);
    }
}

TEST(transfer_random_valid)
{
    int iters = tacit_test_iters(1);
    static const unsigned depths[] = {2, 32};

    for (size_t k = 0; k < 2; k++) {
        unsigned d = depths[k];
        tacit_r1cs shape;
        if (tacit_transfer_build(&shape, NULL, NULL, NULL, d) != TACIT_OK) {
            CHECK(false);
            continue;
        }
        for (int it = 0; it < (d == 32 ? iters : 8 * iters); it++) {
            for (int kind = 0; kind < KINDS; kind++) {
                struct tacit__transfer_raw w;
                tacit_fr pub[TACIT_TRANSFER_NPUBLIC], *wit, *wit2;
                tacit_r1cs r;
                uint32_t n, n2, failed = 0;
                tacit_cs *cs;

                random_transfer(&w, (enum kind)kind, d);
                if (!build_raw(&r, &wit, &n, &w, d)) continue;
                if (!tacit_r1cs_is_satisfied(&r, wit, &failed))
                    tacit__test_fail(__FILE__, __LINE__, "%s depth %u: constraint %u fails",
                                     kind_name[kind], d, failed);
                /* w[1..7] are the public inputs, as computed natively */
                tacit__transfer_public_inputs(pub, &w);
                CHECK_MEM(&wit[1], pub, sizeof pub);
                /* the system does not depend on the witness */
                CHECK(r1cs_equal(&r, &shape));
                /* the witness-only mode gives the same witness */
                cs = cs_new(TACIT_CS_WITNESS);
                CHECK_EQ_INT(tacit__transfer_build_raw(cs, &w, d), TACIT_OK);
                CHECK_EQ_INT(tacit_cs_nconstraints(cs), r.nconstraints);
                CHECK_EQ_INT(tacit_cs_finish(cs, NULL, &wit2, &n2), TACIT_OK);
                tacit_cs_free(cs);
                CHECK_EQ_INT(n2, n);
                if (n2 == n) CHECK_MEM(wit2, wit, n * sizeof *wit);
                tacit_witness_free(wit2, n2);
                tacit_r1cs_clear(&r);
                tacit_witness_free(wit, n);
            }
        }
        tacit_r1cs_clear(&shape);
    }
}

/* The public API: u64 values, tree paths; same result as the raw builder. */
TEST(transfer_public_api)
{
    struct tacit__transfer_raw w;
    struct tacit_transfer t;
    tacit_fr pub[TACIT_TRANSFER_NPUBLIC], *wit, *wit2;
    tacit_r1cs r;
    uint32_t n, n2;
    const unsigned d = 32;

    random_transfer(&w, TRANSFER, d);
    memset(&t, 0, sizeof t);
    t.root = w.root;
    t.public_amount = w.public_amount;
    t.ext_data_hash = w.ext_data_hash;
    for (int i = 0; i < 2; i++) {
        uint64_t lim[4];
        t.in[i].sk = w.in[i].sk;
        tacit_fr_to_limbs(lim, &w.in[i].value);
        t.in[i].value = lim[0];
        t.in[i].blinding = w.in[i].blinding;
        tacit_fr_to_limbs(lim, &w.in[i].index);
        t.in[i].path.index = lim[0];
        memcpy(t.in[i].path.sibling, w.in[i].sibling, sizeof w.in[i].sibling);
        tacit_fr_to_limbs(lim, &w.out[i].value);
        t.out[i].value = lim[0];
        t.out[i].pk = w.out[i].pk;
        t.out[i].blinding = w.out[i].blinding;
    }
    CHECK_EQ_INT(tacit_transfer_build(&r, &wit, &n, &t, d), TACIT_OK);
    CHECK(tacit_r1cs_is_satisfied(&r, wit, NULL));
    CHECK_EQ_INT(tacit_transfer_public_inputs(pub, &t, d), TACIT_OK);
    CHECK_MEM(&wit[1], pub, sizeof pub);
    /* witness only (r = NULL): the prover's path */
    CHECK_EQ_INT(tacit_transfer_build(NULL, &wit2, &n2, &t, d), TACIT_OK);
    CHECK_EQ_INT(n2, n);
    if (n2 == n) CHECK_MEM(wit2, wit, n * sizeof *wit);
    tacit_witness_free(wit2, n2);
    tacit_r1cs_clear(&r);
    tacit_witness_free(wit, n);
    /* an index beyond the depth is refused */
    t.in[0].path.index = UINT64_C(1) << 4;
    CHECK_EQ_INT(tacit_transfer_build(&r, &wit, &n, &t, 4), TACIT_EINVAL);
    CHECK(wit == NULL);
    CHECK_EQ_INT(tacit_transfer_public_inputs(pub, &t, 4), TACIT_EINVAL);
}

/* tacit_transfer_example: valid at every depth, reproducible from its seed. */
TEST(transfer_example)
{
    static const unsigned depths[] = {1, 2, 4, 32};
    uint8_t seed[32];
    struct tacit_transfer t1, t2;

    for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
        tacit_r1cs r;
        tacit_fr *w;
        uint32_t n, failed = 0;

        tacit_test_rand_bytes(seed, sizeof seed);
        CHECK_EQ_INT(tacit_transfer_example(&t1, depths[k], seed), TACIT_OK);
        CHECK_EQ_INT(tacit_transfer_example(&t2, depths[k], seed), TACIT_OK);
        CHECK_MEM(&t1, &t2, sizeof t1);
        CHECK(t1.in[0].value != 0 && t1.in[1].value != 0);
        CHECK(t1.in[0].path.index != t1.in[1].path.index);
        CHECK_EQ_INT(tacit_transfer_build(&r, &w, &n, &t1, depths[k]), TACIT_OK);
        if (!tacit_r1cs_is_satisfied(&r, w, &failed))
            tacit__test_fail(__FILE__, __LINE__, "example at depth %u: constraint %u fails",
                             depths[k], failed);
        tacit_r1cs_clear(&r);
        tacit_witness_free(w, n);
        seed[0] ^= 1;
        CHECK_EQ_INT(tacit_transfer_example(&t2, depths[k], seed), TACIT_OK);
        CHECK(memcmp(&t1, &t2, sizeof t1) != 0);
    }
    CHECK_EQ_INT(tacit_transfer_example(&t1, 32, NULL), TACIT_OK); /* fresh randomness */
    CHECK_EQ_INT(tacit_transfer_example(&t1, 0, seed), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_transfer_example(&t1, 33, seed), TACIT_EINVAL);
}

/* One negative test per constraint class: each breaks one rule and is unsatisfiable. */
TEST(transfer_negative)
{
    static const unsigned depths[] = {2, 32};
    int iters = tacit_test_iters(1);

    for (int it = 0; it < iters; it++) {
        for (size_t k = 0; k < 2; k++) {
            unsigned d = depths[k];
            struct tacit__transfer_raw w, b;
            tacit_fr two64, p;

            random_transfer(&w, TRANSFER, d);
            expect_raw(&w, d, true, "valid transfer");

            /* wrong Merkle path: one sibling changed */
            b = w;
            tacit_fr_add(&b.in[1].sibling[d - 1], &b.in[1].sibling[d - 1], &TACIT_FR_ONE);
            expect_raw(&b, d, false, "wrong Merkle path");
            /* wrong root */
            b = w;
            tacit_fr_add(&b.root, &b.root, &TACIT_FR_ONE);
            expect_raw(&b, d, false, "wrong root");
            /* a dummy input's path is free: the same change with value 0 stays valid */
            random_transfer(&b, MIXED, d);
            tacit_fr_add(&b.in[1].sibling[0], &b.in[1].sibling[0], &TACIT_FR_ONE);
            expect_raw(&b, d, true, "dummy input with any path");

            /* wrong owner key: the note is someone else's, spent with the prover's sk */
            b = w;
            rand_fr(&b.in[0].sk);
            expect_raw(&b, d, false, "wrong owner key");

            /* input value >= 2^64: the note (2^64 + v) really is in the tree, and the sums
             * balance with 2^64 more withdrawn */
            fr_pow2(&two64, 64);
            b = w;
            tacit_fr_add(&b.in[0].value, &b.in[0].value, &two64);
            tacit_fr_sub(&b.public_amount, &b.public_amount, &two64);
            place_inputs(&b, d);
            expect_raw(&b, d, false, "input value >= 2^64");
            /* output value >= 2^64: a "negative" output -5 and +5 on the other */
            b = w;
            fr_u64(&p, 5);
            tacit_fr_neg(&b.out[0].value, &p);
            tacit_fr_add(&b.out[1].value, &w.out[0].value, &w.out[1].value);
            tacit_fr_add(&b.out[1].value, &b.out[1].value, &p); /* same sum */
            expect_raw(&b, d, false, "output value >= 2^64");

            /* unbalanced: one more unit out than in */
            b = w;
            tacit_fr_add(&b.out[1].value, &b.out[1].value, &TACIT_FR_ONE);
            expect_raw(&b, d, false, "unbalanced");
            b = w;
            tacit_fr_add(&b.public_amount, &b.public_amount, &TACIT_FR_ONE);
            expect_raw(&b, d, false, "unbalanced public amount");

            /* nf0 = nf1: the same note spent twice in one transaction */
            b = w;
            b.in[1] = b.in[0];
            place_inputs(&b, d);
            {
                tacit_fr pub[TACIT_TRANSFER_NPUBLIC];
                tacit__transfer_public_inputs(pub, &b);
                CHECK(tacit_fr_eq(&pub[TACIT_TRANSFER_PUB_NF0], &pub[TACIT_TRANSFER_PUB_NF1]));
            }
            /* balanced: the public amount makes up for the second copy */
            tacit_fr_add(&b.public_amount, &w.public_amount, &w.in[1].value);
            tacit_fr_sub(&b.public_amount, &b.public_amount, &w.in[0].value);
            expect_raw(&b, d, false, "nf0 = nf1");
            /* two dummy inputs with the same key collide too */
            random_transfer(&b, DEPOSIT, d);
            b.in[1].sk = b.in[0].sk;
            b.in[1].blinding = b.in[0].blinding;
            b.in[1].index = b.in[0].index;
            expect_raw(&b, d, false, "nf0 = nf1 (dummies)");

            /* index bits not matching the index of the nullifier: index + 2^d has the same
             * path bits and another nullifier (a second spend of one note) */
            b = w;
            fr_pow2(&p, d);
            tacit_fr_add(&b.in[0].index, &b.in[0].index, &p);
            expect_raw(&b, d, false, "index + 2^depth");
        }
    }
}

/* Breaking a public input after the witness was built. */
TEST(transfer_negative_public_inputs)
{
    const unsigned d = 32;
    struct tacit__transfer_raw w;
    tacit_r1cs r;
    tacit_fr *wit;
    uint32_t n;

    random_transfer(&w, WITHDRAWAL, d);
    if (!build_raw(&r, &wit, &n, &w, d)) return;
    CHECK(tacit_r1cs_is_satisfied(&r, wit, NULL));
    for (int i = 0; i < TACIT_TRANSFER_NPUBLIC; i++) {
        /* ext_data_hash changed after witness building, a wrong nullifier, a wrong
         * commitment, another root or amount: each is caught */
        tacit_fr keep = wit[1 + i], d1;
        rand_fr(&d1);
        tacit_fr_add(&wit[1 + i], &wit[1 + i], &d1);
        if (tacit_r1cs_is_satisfied(&r, wit, NULL))
            tacit__test_fail(__FILE__, __LINE__, "public input %d changed, still satisfied", i);
        wit[1 + i] = keep;
    }
    /* the ext_data_hash negated has the same square: its square alone binds it only up to
     * sign, as in circom's circuits; any other value is caught (above) */
    tacit_r1cs_clear(&r);
    tacit_witness_free(wit, n);
}

/*
 * Random mutation: add a random non-zero value to one variable of a valid witness (two real
 * inputs, so that every variable is determined); the system must reject it. Uses an index
 * variable -> constraints so that each check evaluates only the constraints that can change.
 */
static void mutation_run(unsigned d, int samples)
{
    struct tacit__transfer_raw w;
    tacit_r1cs r;
    tacit_fr *wit;
    uint32_t n, *cnt, *start, *list = NULL;
    uint64_t total = 0;

    random_transfer(&w, TRANSFER, d);
    if (!build_raw(&r, &wit, &n, &w, d)) return;
    CHECK(tacit_r1cs_is_satisfied(&r, wit, NULL));
    cnt = calloc(n + 1, sizeof *cnt);
    start = calloc(n + 1, sizeof *start);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (uint32_t v = 0; v < n; v++) start[v + 1] = start[v] + cnt[v];
            total = start[n];
            list = malloc(total * sizeof *list);
            memset(cnt, 0, (n + 1) * sizeof *cnt);
        }
        for (uint32_t i = 0; i < r.nconstraints; i++) {
            const tacit_lc *lc[3] = {&r.constraints[i].a, &r.constraints[i].b, &r.constraints[i].c};
            for (int s = 0; s < 3; s++) {
                for (uint32_t t = 0; t < lc[s]->n; t++) {
                    uint32_t v = lc[s]->terms[t].var;
                    if (pass == 0)
                        cnt[v]++;
                    else
                        list[start[v] + cnt[v]++] = i;
                }
            }
        }
    }
    for (int s = 0; s < (samples > 0 ? samples : (int)n - 1); s++) {
        uint32_t v = samples > 0 ? 1 + (uint32_t)(tacit_test_rand64() % (n - 1)) : 1 + (uint32_t)s;
        tacit_fr keep = wit[v], delta;
        bool broken = false;
        do rand_fr(&delta);
        while (tacit_fr_is_zero(&delta));
        tacit_fr_add(&wit[v], &wit[v], &delta);
        for (uint32_t j = start[v]; j < start[v] + cnt[v] && !broken; j++)
            broken = !tacit_r1cs_is_constraint_satisfied(&r, wit, list[j]);
        if (!broken)
            tacit__test_fail(__FILE__, __LINE__, "depth %u: variable %u changed, still satisfied",
                             d, v);
        wit[v] = keep;
    }
    free(list);
    free(cnt);
    free(start);
    tacit_r1cs_clear(&r);
    tacit_witness_free(wit, n);
}

TEST(transfer_mutation_every_variable_depth2) { mutation_run(2, 0); }
TEST(transfer_mutation_random_variables_depth32) { mutation_run(32, tacit_test_iters(1) * 1024); }

static const struct tacit_test tests[] = {
    {"r1cs_is_satisfied_by_hand", r1cs_is_satisfied_by_hand},
    {"builder_linear_combinations_cost_nothing", builder_linear_combinations_cost_nothing},
    {"builder_witness_mode_has_no_constraints", builder_witness_mode_has_no_constraints},
    {"gadget_poseidon_equals_native", gadget_poseidon_equals_native},
    {"gadget_bits_and_range", gadget_bits_and_range},
    {"gadget_select_swap_is_zero", gadget_select_swap_is_zero},
    {"gadget_merkle_path", gadget_merkle_path},
    {"transfer_constraint_counts", transfer_constraint_counts},
    {"transfer_dummy_satisfies_and_every_variable_is_used",
     transfer_dummy_satisfies_and_every_variable_is_used},
    {"transfer_random_valid", transfer_random_valid},
    {"transfer_public_api", transfer_public_api},
    {"transfer_example", transfer_example},
    {"transfer_negative", transfer_negative},
    {"transfer_negative_public_inputs", transfer_negative_public_inputs},
    {"transfer_mutation_every_variable_depth2", transfer_mutation_every_variable_depth2},
    {"transfer_mutation_random_variables_depth32", transfer_mutation_random_variables_depth32},
};
TACIT_TEST_MAIN(tests)
