/*
 * tacit — Groth16 proofs of the transfer circuit (include/tacit/circuit.h, prover.h) at Merkle
 * depth 2: one devnet setup, then random valid statements of every kind (a deposit with two
 * dummy inputs, a transfer, a transfer with one dummy input, a withdrawal) satisfy the system
 * and their proofs verify; a witness changed after it was built (an output value's bit) and
 * an unbalanced statement give proofs that fail verification, as does a valid proof against
 * changed public inputs.
 *
 * TACIT_TEST_ITERS scales the number of statements per kind (default 2).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"

#define DEPTH 2

/* --------------------------------------------------------------- the key ---- */

static tacit_r1cs g_r1cs;
static tacit_groth16_pk *g_pk;
static tacit_groth16_pvk *g_pvk;
static bool g_ready, g_tried;

/* The circuit, its devnet key and prepared verifying key, made once per process. */
static bool key(void)
{
    tacit_groth16_vk *vk = NULL;

    if (g_tried) return g_ready;
    g_tried = true;
    CHECK_EQ_INT(tacit_transfer_build(&g_r1cs, NULL, NULL, NULL, DEPTH), TACIT_OK);
    CHECK_EQ_INT(g_r1cs.nconstraints, 3647);
    CHECK_EQ_INT(tacit_groth16_setup(&g_pk, &g_r1cs, 0), TACIT_OK);
    if (g_pk == NULL) return false;
    CHECK_EQ_INT(g_pk->npublic, TACIT_TRANSFER_NPUBLIC);
    CHECK_EQ_INT(g_pk->nvars, g_r1cs.nvars);
    CHECK_EQ_INT(tacit_groth16_pk_vk(&vk, g_pk), TACIT_OK);
    if (vk == NULL) return false;
    CHECK_EQ_INT(tacit_groth16_pvk_new(&g_pvk, vk, NULL), TACIT_OK);
    tacit_groth16_vk_free(vk);
    g_ready = g_pvk != NULL;
    return g_ready;
}

/* ------------------------------------------------------------ statements ---- */

enum kind { DEPOSIT, TRANSFER, ONE_DUMMY, WITHDRAWAL, NKINDS };
static const char *const kind_name[NKINDS] = {"deposit", "transfer", "one-dummy", "withdrawal"};

static uint64_t below(uint64_t n) { return n == 0 ? 0 : tacit_test_rand64() % n; }

/* -v mod r for a u64 v */
static void fr_neg_u64(tacit_fr *r, uint64_t v)
{
    tacit_fr x;
    tacit_fr_from_u64(&x, v);
    tacit_fr_neg(r, &x);
}

/* A random valid statement of the given kind, from tacit_transfer_example (two real notes in
 * one tree of depth DEPTH, a fee, two outputs) reshaped. A dummy input keeps its own random
 * sk (so the nullifiers differ); its path is ignored. */
static bool statement(struct tacit_transfer *t, enum kind kind)
{
    uint8_t seed[32];
    uint64_t total, amount;

    tacit_test_rand_bytes(seed, sizeof seed);
    CHECK_EQ_INT(tacit_transfer_example(t, DEPTH, seed), TACIT_OK);
    switch (kind) {
    case DEPOSIT: /* nothing spent, amount in from outside */
        t->in[0].value = t->in[1].value = 0;
        amount = (tacit_test_rand64() >> 2) | 1;
        tacit_fr_from_u64(&t->public_amount, amount);
        t->out[0].value = below(amount + 1);
        t->out[1].value = amount - t->out[0].value;
        break;
    case TRANSFER: /* as made: two notes in, a fee out (public_amount = -fee) */ break;
    case ONE_DUMMY: /* one note in, no fee, a zero-value output */
        t->in[1].value = 0;
        t->public_amount = TACIT_FR_ZERO;
        t->out[0].value = 0;
        t->out[1].value = t->in[0].value;
        break;
    case WITHDRAWAL: /* two notes in, part of them out to the public side */
        total = t->in[0].value + t->in[1].value;
        amount = 1 + below(total);
        fr_neg_u64(&t->public_amount, amount);
        t->out[0].value = total - amount;
        t->out[1].value = 0;
        break;
    default: return false;
    }
    return true;
}

/* Witness of t (nvars checked against the key), or NULL after a failed check. */
static tacit_fr *witness(const struct tacit_transfer *t, uint32_t *n)
{
    tacit_fr *w = NULL;
    CHECK_EQ_INT(tacit_transfer_build(NULL, &w, n, t, DEPTH), TACIT_OK);
    if (w == NULL) return NULL;
    CHECK_EQ_INT(*n, g_pk->nvars);
    if (*n != g_pk->nvars) {
        tacit_witness_free(w, *n);
        return NULL;
    }
    return w;
}

/* The result of verifying a fresh proof of w against w's own public inputs. */
static int prove_verify(const tacit_fr *w, uint32_t n, tacit_groth16_proof *proof)
{
    int rc = tacit_groth16_prove(proof, g_pk, w, n, 0, NULL);
    CHECK_EQ_INT(rc, TACIT_OK);
    if (rc != TACIT_OK) return rc;
    return tacit_groth16_verify_var(g_pvk, proof, w + 1, TACIT_TRANSFER_NPUBLIC);
}

/* ------------------------------------------------------------------ tests ---- */

TEST(transfer_prove_valid_kinds)
{
    int iters = tacit_test_iters(2);

    REQUIRE(key(),
            "the transfer proving key could not be made (see the first test that needed it)");
    for (int k = 0; k < NKINDS; k++) {
        for (int it = 0; it < iters; it++) {
            struct tacit_transfer t;
            tacit_groth16_proof proof;
            tacit_fr pub[TACIT_TRANSFER_NPUBLIC], bad[TACIT_TRANSFER_NPUBLIC];
            tacit_fr *w;
            uint32_t n, failed = 0;
            int rc;

            if (!statement(&t, (enum kind)k) || (w = witness(&t, &n)) == NULL) continue;
            if (!tacit_r1cs_is_satisfied(&g_r1cs, w, &failed)) {
                tacit__test_fail(__FILE__, __LINE__, "%s #%d: constraint %u not satisfied",
                                 kind_name[k], it, failed);
            }
            /* the witness carries the natively computed public inputs */
            CHECK_EQ_INT(tacit_transfer_public_inputs(pub, &t, DEPTH), TACIT_OK);
            CHECK_MEM(pub, w + 1, sizeof pub);
            rc = prove_verify(w, n, &proof);
            if (rc != TACIT_OK)
                tacit__test_fail(__FILE__, __LINE__, "%s #%d: proof rejected: %s", kind_name[k], it,
                                 tacit_strerror(rc));
            /* the same proof for other public inputs: each one changed in turn */
            for (int i = 0; i < TACIT_TRANSFER_NPUBLIC; i++) {
                memcpy(bad, w + 1, sizeof bad);
                tacit_fr_add(&bad[i], &bad[i], &TACIT_FR_ONE);
                CHECK_EQ_INT(tacit_groth16_verify_var(g_pvk, &proof, bad, TACIT_TRANSFER_NPUBLIC),
                             TACIT_EVERIFY);
            }
            tacit_witness_free(w, n);
        }
    }
}

/* A valid witness with the low bit of out[0]'s value changed after it was built (nothing
 * recomputed: the bit recomposition no longer matches cm0 and the balance), and the
 * unbalanced statement itself (out[0] one more, witness recomputed): neither satisfies the
 * system, and neither's proof verifies. */
TEST(transfer_prove_broken_witness_fails)
{
    int iters = tacit_test_iters(2);

    REQUIRE(key(),
            "the transfer proving key could not be made (see the first test that needed it)");
    for (int it = 0; it < iters; it++) {
        struct tacit_transfer t, u;
        tacit_groth16_proof proof;
        tacit_fr *w, *wu, *wb;
        uint32_t n, nu, idx;

        if (!statement(&t, (enum kind)(it % NKINDS)) || (w = witness(&t, &n)) == NULL) continue;
        u = t;
        u.out[0].value ^= 1;
        if ((wu = witness(&u, &nu)) == NULL) {
            tacit_witness_free(w, n);
            continue;
        }
        CHECK(tacit_r1cs_is_satisfied(&g_r1cs, w, NULL));
        CHECK(!tacit_r1cs_is_satisfied(&g_r1cs, wu, NULL));
        CHECK_EQ_INT(prove_verify(wu, nu, &proof), TACIT_EVERIFY);

        /* the first private variable that differs is out[0]'s bit 0 (its bits are
         * allocated before its commitment's Poseidon) */
        for (idx = TACIT_TRANSFER_NPUBLIC + 1; idx < n; idx++)
            if (!tacit_fr_eq(&w[idx], &wu[idx])) break;
        CHECK(idx < n);
        if (idx < n) {
            tacit_fr zero = TACIT_FR_ZERO, one = TACIT_FR_ONE;
            CHECK(tacit_fr_eq(&w[idx], &zero) || tacit_fr_eq(&w[idx], &one));
            wb = sodium_malloc((size_t)n * sizeof *wb); /* tacit_witness_free's kind of memory */
            CHECK(wb != NULL);
            if (wb != NULL) {
                memcpy(wb, w, (size_t)n * sizeof *wb);
                wb[idx] = wu[idx];
                CHECK(!tacit_r1cs_is_satisfied(&g_r1cs, wb, NULL));
                CHECK_EQ_INT(prove_verify(wb, n, &proof), TACIT_EVERIFY);
                /* and against the public inputs the honest statement would have */
                CHECK_EQ_INT(
                    tacit_groth16_verify_var(g_pvk, &proof, wu + 1, TACIT_TRANSFER_NPUBLIC),
                    TACIT_EVERIFY);
                tacit_witness_free(wb, n);
            }
        }
        /* the untouched witness still proves */
        CHECK_EQ_INT(prove_verify(w, n, &proof), TACIT_OK);
        tacit_witness_free(w, n);
        tacit_witness_free(wu, nu);
    }
}

/* A witness of the wrong length is refused. */
TEST(transfer_prove_wrong_witness_length)
{
    struct tacit_transfer t;
    tacit_groth16_proof proof;
    tacit_fr *w = NULL;
    uint32_t n = 0;

    REQUIRE(key(),
            "the transfer proving key could not be made (see the first test that needed it)");
    CHECK_EQ_INT(tacit_transfer_example(&t, 3, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_transfer_build(NULL, &w, &n, &t, 3), TACIT_OK);
    CHECK(n != g_pk->nvars);
    CHECK_EQ_INT(tacit_groth16_prove(&proof, g_pk, w, n, 0, NULL), TACIT_EWITNESS);
    tacit_witness_free(w, n);
}

/* Releases the shared key (last, so leak checkers see a clean exit). */
TEST(transfer_prove_cleanup)
{
    tacit_groth16_pvk_free(g_pvk);
    tacit_groth16_pk_free(g_pk);
    if (g_tried) tacit_r1cs_clear(&g_r1cs);
    g_pvk = NULL;
    g_pk = NULL;
    g_ready = g_tried = false;
}

static const struct tacit_test tests[] = {
    {"transfer_prove_valid_kinds", transfer_prove_valid_kinds},
    {"transfer_prove_broken_witness_fails", transfer_prove_broken_witness_fails},
    {"transfer_prove_wrong_witness_length", transfer_prove_wrong_witness_length},
    {"transfer_prove_cleanup", transfer_prove_cleanup},
};
TACIT_TEST_MAIN(tests)
