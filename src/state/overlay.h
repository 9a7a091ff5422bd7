/*
 * tacit — the overlay of a view: the changes of a candidate block kept in memory over a base
 * (the committed state: the LMDB store's read transaction in view.c, the in-memory state in
 * memstate.c). It is zcash's CCoinsViewCache to the base's CCoinsView: the commitments
 * appended, the nullifiers marked (with a hash set), the account deltas (with an overlay of
 * the touched accounts), savepoints, and the digests computed as apply_block computes them.
 * No LMDB here. One thread at a time.
 */
#ifndef TACIT_STATE_OVERLAY_H
#define TACIT_STATE_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/state.h"
#include "tacit/tree.h"
#include "tacit/view.h"

/* The committed state the overlay reads through (each returns TACIT_OK or a store error). */
struct tacit__overlay_base {
    int (*anchor_recent)(void *ctx, const tacit_fr *root, bool *recent);
    int (*anchor_known)(void *ctx, const tacit_fr *root, bool *known);
    int (*nullifier_spent)(void *ctx, const tacit_fr *nf, bool *spent);
    int (*account)(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN], struct tacit_account *out);
};

struct tacit__overlay_acct {
    uint8_t address[TACIT_ADDRESS_LEN];
    struct tacit_account base, cur;
};

struct tacit__overlay {
    const struct tacit__overlay_base *base;
    void *base_ctx;
    struct tacit_view_tip tip;
    struct tacit_tree_frontier frontier; /* the base's tree */

    tacit_fr *cms;
    size_t ncms, cap_cms;

    tacit_fr *nfs;
    size_t nnfs, cap_nfs;
    uint32_t *nf_slots; /* open addressing: 0 empty, i + 1 = nfs[i] */
    size_t nf_mask;     /* slot count - 1 (a power of two), 0 when none */

    struct tacit_account_delta *deltas;
    size_t ndeltas, cap_deltas;

    struct tacit__overlay_acct *accts;
    size_t naccts, cap_accts;
    uint32_t *acct_slots;
    size_t acct_mask;

    /* digests cache: valid while ncms/nnfs/ndeltas equal these; with the tree the digests
     * hashed (c_tree: its nodes in c_nodes), which the commit stores instead of hashing again */
    bool cached;
    size_t c_ncms, c_nnfs, c_ndeltas;
    struct tacit_state_digests c_digests;
    struct tacit_state_tree_update c_tree;
    struct tacit_state_tree_node *c_nodes;
    size_t c_cap_nodes;
};

/* An empty overlay over base (borrowed). clear releases its memory (the struct stays). */
void tacit__overlay_init(struct tacit__overlay *ov, const struct tacit__overlay_base *base,
                         void *base_ctx, const struct tacit_view_tip *tip,
                         const struct tacit_tree_frontier *frontier);
void tacit__overlay_clear(struct tacit__overlay *ov);

/* The interface (ctx: the overlay). */
extern const struct tacit_view_ops tacit__overlay_ops;

/* The tree after the changes and the digests (as the digests op, plus the frontier). */
int tacit__overlay_result(struct tacit__overlay *ov, struct tacit_tree_frontier *frontier,
                          struct tacit_state_digests *out);

/* The tree the last digests hashed, when they are up to date with the changes; else NULL. */
const struct tacit_state_tree_update *tacit__overlay_tree(const struct tacit__overlay *ov);

#endif /* TACIT_STATE_OVERLAY_H */
