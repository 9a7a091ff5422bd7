/*
 * tacit — internals of the tree-update circuit (src/zk/treeupdate.c), for the tests that build
 * witnesses the public API cannot state (a wrong root, k > M, a non-zero leaf past k,
 * s + k > 2^depth, leaves out of order).
 */
#ifndef TACIT_ZK_TREEUPDATE_INTERNAL_H
#define TACIT_ZK_TREEUPDATE_INTERNAL_H

#include "tacit/circuit.h"
#include "tacit/treeupdate.h"

/* The number of nodes the circuit computes at level l (0 .. depth) of the new tree: the
 * window of node indices (s >> l) .. (s >> l) + width - 1 (src/zk/treeupdate.c). Level 0 is
 * the max_leaves public leaves; 0 for bad arguments. */
unsigned tacit__treeupdate_width(unsigned level, unsigned depth, unsigned max_leaves);

/*
 * Builds the circuit (depth 1..32, max_leaves 1..TACIT_TREEUPDATE_MAX_LEAVES_LIMIT) into a
 * fresh cs (either mode) with the public inputs exactly as given, pub[0 ..
 * TACIT_TREEUPDATE_NPUBLIC(max_leaves) - 1] (R_old, R_new, s, k, leaves: nothing recomputed,
 * nothing checked), and the private frontier nodes frontier[0 .. depth]. The rest of the
 * witness is derived from them so that it breaks as few constraints as it can: a bad statement
 * gives an unsatisfiable witness, never an error. Returns tacit_cs_status(cs) or TACIT_EINVAL.
 */
int tacit__treeupdate_build_raw(tacit_cs *cs, const tacit_fr *pub, const tacit_fr *frontier,
                                unsigned depth, unsigned max_leaves);

/* The private frontier of u as the circuit takes it: frontier[l] = u->old.node[l] when bit l of
 * s is set, else 0, for l = 0 .. depth. */
void tacit__treeupdate_frontier(tacit_fr *frontier, const struct tacit_treeupdate *u,
                                unsigned depth);

#endif /* TACIT_ZK_TREEUPDATE_INTERNAL_H */
