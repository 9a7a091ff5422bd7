/*
 * tacit — the tree-update circuit (shared/docs/SETTLEMENT.md 4; docs/protocol.md 7): a Groth16
 * statement that "appending these k <= M leaves at index s to the note commitment tree whose
 * root is R_old gives R_new", so that the L1 contract can follow the note tree without
 * hashing Poseidon itself.
 *
 * The tree is tacit's note commitment tree exactly (include/tacit/tree.h: node = circomlib
 * Poseidon(2) of its children, empty leaf 0, empty subtrees Z[i]), at a depth D that is a
 * parameter of the circuit (TACIT_TREEUPDATE_DEPTH = 32 for the chain; small depths for
 * tests), as is M, the most leaves one proof appends (TACIT_TREEUPDATE_MAX_LEAVES = 128 for
 * the chain: 64 transactions of 2 outputs).
 *
 * Public inputs, in this order (variables 1 .. M + 4):
 *   R_old, R_new, s, k, leaf[0], ..., leaf[M-1]
 * with leaf[j] = 0 for every j >= k (constrained: the public input vector of a statement is
 * unique), 0 <= k <= M and s + k <= 2^D (constrained). s = 2^D (a full tree) is allowed with
 * k = 0 (then R_new = R_old).
 *
 * Everything in the statement is public: any node can prove it (SETTLEMENT.md 6, open
 * submission). The witness is the old tree's frontier (tree.h: the last complete node of each
 * level, i.e. the left siblings of the path to index s), from which the circuit recomputes
 * R_old, and then the nodes the append changes, level by level (src/zk/treeupdate.c gives
 * the construction and its constraint count: 52,258 for D = 32, M = 128).
 *
 * Nothing here is secret; the builder still keeps its witness in sodium_malloc memory (it is
 * the same builder as the transfer circuit's: include/tacit/circuit.h).
 */
#ifndef TACIT_TREEUPDATE_H
#define TACIT_TREEUPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/circuit.h"
#include "tacit/groth16.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"
#include "tacit/tree.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_TREEUPDATE_DEPTH TACIT_TREE_DEPTH /* the chain's circuit */
#define TACIT_TREEUPDATE_MAX_LEAVES 128         /* the chain's M */
#define TACIT_TREEUPDATE_MAX_LEAVES_LIMIT 65536 /* the largest M the builder accepts */

/* Number of public inputs of the circuit with at most m leaves. */
#define TACIT_TREEUPDATE_NPUBLIC(m) (4u + (unsigned)(m))

/* Positions in the public input vector (0-based: variable = position + 1). */
enum {
    TACIT_TREEUPDATE_PUB_ROOT_OLD = 0,
    TACIT_TREEUPDATE_PUB_ROOT_NEW,
    TACIT_TREEUPDATE_PUB_START, /* s */
    TACIT_TREEUPDATE_PUB_COUNT, /* k */
    TACIT_TREEUPDATE_PUB_LEAF0, /* leaf[j] at TACIT_TREEUPDATE_PUB_LEAF0 + j */
};

/* One append: the tree before, and the leaves. */
struct tacit_treeupdate {
    /* The tree before: old.size = s (<= 2^depth), old.node[l] for l <= depth as tree.h
     * defines it (tacit_tree_frontier_at, or the state's current frontier); nodes of levels
     * whose bit of s is clear are ignored. */
    struct tacit_tree_frontier old;
    const tacit_fr *leaves; /* leaves[0 .. count-1], appended at s, s + 1, ... in this order */
    size_t count;           /* k */
};

/*
 * The public inputs of u for the circuit (depth, max_leaves): R_old and R_new computed
 * natively (R_new with tacit_tree_append), s, k, the leaves, zeros up to max_leaves.
 * Out: pub[TACIT_TREEUPDATE_NPUBLIC(max_leaves)] (zeroed on failure).
 * Returns TACIT_OK, TACIT_EINVAL (depth not in 1..32, max_leaves not in 1..
 * TACIT_TREEUPDATE_MAX_LEAVES_LIMIT, old.size > 2^depth, leaves NULL with count > 0),
 * TACIT_ETOOBIG (count > max_leaves: split the append), TACIT_ETREE_FULL (s + k > 2^depth),
 * TACIT_ENOMEM.
 */
int tacit_treeupdate_public_inputs(tacit_fr *pub, const struct tacit_treeupdate *u, unsigned depth,
                                   unsigned max_leaves);

/*
 * Builds the tree-update circuit (depth, max_leaves) and its witness for u.
 * Out: r (may be NULL: then only the witness is computed, the prover's fast path; free with
 *      tacit_r1cs_clear), witness (may be NULL; nvars values, w[1 ..] the public inputs; free
 *      with tacit_witness_free), nvars (may be NULL).
 * In:  u, or NULL for a fixed statement (nothing appended to the empty tree) whose witness
 *      satisfies the system: for setup and export, where only the shape matters.
 * Returns TACIT_OK or an error of tacit_treeupdate_public_inputs. A statement that passes
 * those checks always gives a satisfying witness (R_old is computed from the frontier, so
 * there is nothing to get wrong).
 */
int tacit_treeupdate_build(tacit_r1cs *r, tacit_fr **witness, uint32_t *nvars,
                           const struct tacit_treeupdate *u, unsigned depth, unsigned max_leaves);

/*
 * Devnet keys for the circuit (depth, max_leaves): the constraint system built from the
 * fixed statement and tacit_groth16_setup (see include/tacit/prover.h for what a devnet
 * setup is and is not). A real deployment makes them with a snarkjs ceremony on the .r1cs
 * that tacit_treeupdate_build writes (`tacit-cli circuit tree-update export-r1cs`).
 * Returns TACIT_OK, a build error, or a setup error. Out: *pk (NULL on failure), free with
 * tacit_groth16_pk_free.
 */
int tacit_treeupdate_setup(tacit_groth16_pk **pk, unsigned depth, unsigned max_leaves,
                           unsigned nthreads);

/*
 * The sequencer's entry point: proves u under pk (a key of the circuit (depth, max_leaves),
 * from tacit_treeupdate_setup or a ceremony's .zkey), on nthreads threads (0: all CPUs).
 * Out: proof (zeroed on failure); pub (may be NULL) the TACIT_TREEUPDATE_NPUBLIC(max_leaves)
 *      public inputs the proof is for; stats (may be NULL).
 * More leaves than max_leaves (a large block) are appended by several proofs in a row: each
 * takes the frontier the previous append left (tacit_tree_append on a copy of u->old), and
 * starts at the root the previous one ended at.
 * Returns TACIT_OK, an error of tacit_treeupdate_public_inputs, TACIT_ENPUBLIC (the key has
 * another number of public inputs: another M), TACIT_EWITNESS (the key has another number of
 * variables: another depth, or another circuit), TACIT_ENOMEM.
 */
int tacit_treeupdate_prove(tacit_groth16_proof *proof, tacit_fr *pub, const tacit_groth16_pk *pk,
                           const struct tacit_treeupdate *u, unsigned depth, unsigned max_leaves,
                           unsigned nthreads, tacit_groth16_prove_stats *stats);

/*
 * A random valid statement, for tests, benchmarks and examples (`tacit-cli circuit
 * tree-update example`): s and k as given, or drawn when UINT64_MAX (s uniform in [0, 2^depth
 * - k], k uniform in [0, max_leaves], capped so that s + k <= 2^depth), random frontier
 * nodes (an old tree whose complete nodes are random field elements: hashes nobody can open,
 * which the statement does not care about) and random leaves.
 * Out: u (u->leaves points into leaves), leaves[max_leaves] (zero past k).
 * Deterministic in seed (libsodium's randombytes_buf_deterministic); seed NULL draws one.
 * Returns TACIT_OK, TACIT_EINVAL, TACIT_ETOOBIG, TACIT_ETREE_FULL (given s, k out of
 * range), TACIT_ENOMEM.
 */
int tacit_treeupdate_example(struct tacit_treeupdate *u, tacit_fr *leaves, unsigned depth,
                             unsigned max_leaves, uint64_t s, uint64_t k, const uint8_t seed[32]);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_TREEUPDATE_H */
