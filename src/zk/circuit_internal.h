/*
 * tacit — internals of src/zk shared by the builder, the gadgets and the transfer circuit,
 * and used by tests (tests/test_circuit.c) to build deliberately broken witnesses.
 */
#ifndef TACIT_ZK_CIRCUIT_INTERNAL_H
#define TACIT_ZK_CIRCUIT_INTERNAL_H

#include <stddef.h>

#include "tacit/circuit.h"

/* Sets the builder's sticky status to err (if it is still TACIT_OK). */
void tacit__cs_fail(tacit_cs *cs, int err);

/*
 * The transfer statement with every private value as a field element, so that tests can
 * state what the public API cannot (a value >= 2^64, an index >= 2^depth): the builder then
 * makes the witness that breaks as little as possible (see tacit_gadget_alloc_bits) and the
 * tests check that it is unsatisfiable.
 */
struct tacit__transfer_raw {
    tacit_fr root, public_amount, ext_data_hash;
    struct {
        tacit_fr sk, value, blinding, index;
        tacit_fr sibling[TACIT_TREE_DEPTH];
    } in[2];
    struct {
        tacit_fr value, pk, blinding;
    } out[2];
};

/* The 7 public inputs of w, computed natively (nf with the index as given). */
void tacit__transfer_public_inputs(tacit_fr pub[TACIT_TRANSFER_NPUBLIC],
                                   const struct tacit__transfer_raw *w);

/* Builds the circuit (depth 1..32) and its witness for w into a fresh cs (either mode).
 * Returns tacit_cs_status(cs) or TACIT_EINVAL. */
int tacit__transfer_build_raw(tacit_cs *cs, const struct tacit__transfer_raw *w, unsigned depth);

/* Test hook: when set, tacit_witness_free calls it with the witness's sodium_malloc'd memory
 * right after wiping it and right before freeing it (also for the blocks a growing builder
 * leaves behind), so a test can check that every byte is zero and that a guard page follows.
 * Not thread-safe to change while a witness is built or freed. */
extern void (*tacit__witness_wipe_hook)(const void *w, size_t len);

#endif /* TACIT_ZK_CIRCUIT_INTERNAL_H */
