/*
 * tacit — the note commitment tree (shared/docs/DESIGN.md 2.4).
 *
 * An append-only binary Merkle tree of depth 32 over the BN254 scalar field:
 *   node(l+1, j) = Poseidon(node(l, 2j), node(l, 2j+1))   (circomlib Poseidon(2))
 *   empty leaf 0, empty subtrees Z[0] = 0, Z[i+1] = Poseidon(Z[i], Z[i]).
 * Leaves are numbered from 0 in append order; node (l, j) covers leaves [j*2^l, (j+1)*2^l).
 * The root is node (32, 0).
 *
 * This module keeps no storage of its own. Appending works on a frontier (the last complete
 * left node at every level: enough to append and to give a wallet its starting point) and
 * hands every node whose subtree became complete to a sink; the state store (src/state)
 * persists them. Paths and past tree states are computed from stored complete nodes through a
 * getter. A complete node never changes again (the tree is append-only), so the complete nodes
 * stored once serve paths and frontiers at every past size.
 *
 * Argument order is "outputs, inputs". Nothing here does I/O; append allocates a scratch
 * buffer (freed before it returns).
 */
#ifndef TACIT_TREE_H
#define TACIT_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_TREE_DEPTH 32
#define TACIT_TREE_MAX_LEAVES (UINT64_C(1) << TACIT_TREE_DEPTH)

/* The frontier of a tree of `size` leaves: node[l] = node(l, (size >> l) - 1), the last complete
 * node of level l, when bit l of size is set; zero otherwise. node[32] is set only when the tree
 * is full (size = 2^32). Together with size it determines the root and every later root. */
struct tacit_tree_frontier {
    uint64_t size;
    tacit_fr node[TACIT_TREE_DEPTH + 1];
};

/* A Merkle path: sibling[l] is the sibling of the path node at level l; bit l of index says
 * whether the path node is a right child (1) or a left child (0) — the circuit's path bits. */
struct tacit_tree_path {
    uint64_t index;
    tacit_fr sibling[TACIT_TREE_DEPTH];
};

/* Z[level], the root of an empty subtree of height level (0..32); NULL if level > 32. */
const tacit_fr *tacit_tree_zero(unsigned level);

/* The empty tree (size 0). */
void tacit_tree_frontier_init(struct tacit_tree_frontier *f);

/* The root of the tree described by f (33 hashes at most, fewer for a full tree). */
void tacit_tree_frontier_root(tacit_fr *root, const struct tacit_tree_frontier *f);

/* Receives a node whose subtree just became complete: level >= 1, called in increasing
 * (level, index) order within one append. Return TACIT_OK to go on; any other code stops the
 * append, which returns that code. */
typedef int (*tacit_tree_sink)(void *arg, unsigned level, uint64_t index, const tacit_fr *node);

/*
 * Appends n leaves to the tree described by f, in one pass: every node on the changed part of
 * each level is hashed once (about n + 32 Poseidon hashes in all).
 * Out: f (updated in place: it is the new frontier only when TACIT_OK is returned; on an
 *      error it is left unchanged), root (the new root; may be NULL).
 * In:  leaves[0..n-1]; sink (may be NULL) gets every newly complete node of level >= 1 that
 *      is at least sink_min_level.
 * Returns TACIT_OK, TACIT_ETREE_FULL (size + n > 2^32; nothing appended), TACIT_ENOMEM, or
 * the sink's code. Wide levels may be hashed on two threads (tacit_tree_set_threads).
 */
int tacit_tree_append(struct tacit_tree_frontier *f, tacit_fr *root, const tacit_fr *leaves,
                      size_t n, tacit_tree_sink sink, void *arg, unsigned sink_min_level);

/* Number of threads tacit_tree_append may use to hash a wide level (1 or 2; default 1).
 * Process-wide. The result does not depend on it. */
void tacit_tree_set_threads(unsigned n);
/* The number set by tacit_tree_set_threads (the state store also hashes a block's tree on a
 * second thread while it writes the block's other records when this is 2). */
unsigned tacit_tree_threads(void);

/* Reads a stored complete node (level 0: a leaf). Returns TACIT_OK, TACIT_ENOTFOUND, or an
 * error code, which the caller passes on. */
typedef int (*tacit_tree_getter)(void *arg, unsigned level, uint64_t index, tacit_fr *out);

/*
 * The value of node (level, index) in the tree of `size` leaves (size <= 2^32): Z[level] when
 * the subtree is empty at that size; from get when it is complete and level is 0 or at least
 * stored_min_level; else hashed from its children (complete nodes below stored_min_level from
 * their 2^level leaves, partial nodes on the right edge from their two children).
 * Returns TACIT_OK, TACIT_EINVAL (level > 32 or index out of range), TACIT_ECORRUPT (get said
 * a node that must be stored is not), or get's error.
 */
int tacit_tree_node(tacit_fr *out, unsigned level, uint64_t index, uint64_t size,
                    tacit_tree_getter get, void *arg, unsigned stored_min_level);

/* The Merkle path of leaf `index` in the tree of `size` leaves (index < size).
 * Returns TACIT_OK, TACIT_EINVAL (index >= size), or as tacit_tree_node. */
int tacit_tree_path(struct tacit_tree_path *path, uint64_t index, uint64_t size,
                    tacit_tree_getter get, void *arg, unsigned stored_min_level);

/* The frontier of the tree when it had `size` leaves (a past state, or the current one).
 * Returns as tacit_tree_node. */
int tacit_tree_frontier_at(struct tacit_tree_frontier *f, uint64_t size, tacit_tree_getter get,
                           void *arg, unsigned stored_min_level);

/* The root reached from leaf through path: what the circuit recomputes. */
void tacit_tree_path_root(tacit_fr *root, const tacit_fr *leaf, const struct tacit_tree_path *path);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_TREE_H */
