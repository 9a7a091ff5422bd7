/*
 * tacit — a random note and its output form, for the tests that build transactions
 * (test_txbuild.c, test_node.c). Header-only: static functions.
 */
#ifndef TACIT_TESTS_LIB_NOTE_H
#define TACIT_TESTS_LIB_NOTE_H

#include <stdint.h>

#include "tacit/circuit.h"
#include "tacit/txbuild.h"

/* A note (value, owner sk, blinding), its owner key and commitment. */
struct note {
    tacit_fr sk, pk, blinding, cm;
    uint64_t value;
};

/* A fresh owner key and blinding, DESIGN 2.3/2.4 derivations. */
static inline void note_new(struct note *n, uint64_t value)
{
    tacit_txbuild_random_fr(&n->sk);
    tacit_txbuild_random_fr(&n->blinding);
    tacit_txbuild_keys(NULL, &n->pk, &n->sk);
    n->value = value;
    tacit_txbuild_commitment(&n->cm, value, &n->pk, &n->blinding);
}

/* The note as a transfer output (to its owner). */
static inline void note_output(struct tacit_transfer_output *o, const struct note *n)
{
    o->value = n->value;
    o->pk = n->pk;
    o->blinding = n->blinding;
}

#endif /* TACIT_TESTS_LIB_NOTE_H */
