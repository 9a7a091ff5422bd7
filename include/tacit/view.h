/*
 * tacit — the state interface of the protocol rules (DESIGN 3: "pure functions over a state
 * interface"; the model is zcash's CCoinsView / CCoinsViewCache, src/coins.h). The rules of
 * include/tacit/chain.h (tacit_tx_check_state, tacit_tx_apply, the block builder,
 * tacit_block_apply_view) see the state only through a struct tacit_view: a table of function
 * pointers and a context. They never know where the state lives.
 *
 * Implementations:
 *   - the LMDB store's view (tacit_state_view_as_view, include/tacit/state.h): the committed
 *     state through one LMDB read transaction, plus the changes made in the view; the node's;
 *   - the in-memory state (tacit_memstate_view_new, below): no LMDB, hash sets for nullifiers
 *     and anchors, a map of accounts, the note tree as a frontier (include/tacit/tree.h); for
 *     tests, and for any second implementation of the rules that needs no disk.
 * Both compute the digests of docs/state-format.md with the same code (src/state/digest.c,
 * tree.c); tests/test_chain.c runs random blocks through both and compares every result.
 *
 * A view is the committed state it was made from ("the base") plus the changes a candidate
 * block made in it ("the block"). Queries answer from both; anchors are the committed roots
 * only (never roots made inside the view). Changes either apply whole or return an error and
 * change nothing.
 *
 * Ownership: struct tacit_view is a small value (ops + ctx) that borrows the implementation's
 * object; it is valid while that object lives, and is freed by freeing that object (the view
 * itself owns nothing). Pointers passed to the ops are borrowed for the call.
 * Threads: a view is used by one thread at a time (it may move between threads).
 * Errors: every op returns TACIT_OK, the rule error documented for it, or a store error of the
 * implementation (TACIT_ENOMEM; the LMDB view also TACIT_ECORRUPT, TACIT_ESTATE_IO). Nothing
 * here aborts the process.
 */
#ifndef TACIT_VIEW_H
#define TACIT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_ADDRESS_LEN 20

/* The digests of a block header (DESIGN 2.7), as after a block; docs/state-format.md. */
struct tacit_state_digests {
    tacit_fr note_root;             /* root of the note commitment tree */
    uint64_t commitment_count;      /* leaves in the tree */
    uint8_t nullifier_digest[32];   /* BLAKE2b chain over every nullifier, in order */
    uint8_t transparent_digest[32]; /* BLAKE2b chain over the accounts each block changed */
};

struct tacit_account {
    uint64_t balance;
    uint64_t nonce;
};

/* The committed tip a view stands on. */
struct tacit_view_tip {
    uint64_t next_height; /* height the next block must have (0 for an empty state) */
    uint8_t hash[32];     /* hash of block next_height - 1 (zero for an empty state) */
    struct tacit_state_digests digests; /* after block next_height - 1 */
};

/* Where a nullifier stands. */
enum tacit_view_nullifier {
    TACIT_VIEW_NF_UNSPENT = 0,
    TACIT_VIEW_NF_SPENT,   /* in the committed nullifier set */
    TACIT_VIEW_NF_IN_BLOCK /* marked in this view (spent earlier in the same block) */
};

/* A point to roll a view back to. The fields are the implementation's business. */
struct tacit_view_savepoint {
    size_t mark[3];
};

struct tacit_view_ops {
    /* The committed tip the view started from. */
    void (*tip)(void *ctx, struct tacit_view_tip *out);
    /* *recent = root is the tree root after one of the last root_history committed blocks. */
    int (*anchor_recent)(void *ctx, const tacit_fr *root, bool *recent);
    /* *known = root is the tree root after some committed block, at any height (the anchors
     * are never pruned): a forced transaction's anchor rule (docs/protocol.md 8.1). */
    int (*anchor_known)(void *ctx, const tacit_fr *root, bool *known);
    int (*nullifier)(void *ctx, const tacit_fr *nf, enum tacit_view_nullifier *out);
    /* An account never touched reads as balance 0, nonce 0. */
    int (*account)(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN], struct tacit_account *out);

    /* Marks nf spent: TACIT_ENULLIFIER_SPENT if it already is (committed or in the view). */
    int (*mark_nullifier)(void *ctx, const tacit_fr *nf);
    /* Appends leaves to the view's tree: TACIT_ETREE_FULL past 2^32 leaves. */
    int (*append_commitments)(void *ctx, const tacit_fr *cm, size_t n);
    int (*credit)(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN],
                  uint64_t amount); /* EOVERFLOW */
    int (*debit)(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN],
                 uint64_t amount); /* EINSUFFICIENT */
    /* debit from, credit to, as one change (from == to allowed): EINSUFFICIENT, EOVERFLOW. */
    int (*move)(void *ctx, const uint8_t from[TACIT_ADDRESS_LEN],
                const uint8_t to[TACIT_ADDRESS_LEN], uint64_t amount);
    int (*bump_nonce)(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN]); /* EOVERFLOW */

    /* Undo everything since a savepoint. rollback: TACIT_OK, TACIT_EINVAL (not a savepoint of
     * this view's past), TACIT_ENOMEM (the view must then be dropped). */
    void (*savepoint)(void *ctx, struct tacit_view_savepoint *sp);
    int (*rollback)(void *ctx, const struct tacit_view_savepoint *sp);

    /* The digests a block with the view's changes would have: the header's. */
    int (*digests)(void *ctx, struct tacit_state_digests *out);
};

struct tacit_view {
    const struct tacit_view_ops *ops;
    void *ctx;
};

/* ------------------------------------------------------- the in-memory state ---- */

/*
 * A whole chain state in memory: the committed nullifier set (hash set), the anchors (the roots
 * of the last root_history blocks), the accounts (hash map), the note tree's frontier, the
 * digests and the tip. No blocks, txs or outputs are kept: it is the state the rules read.
 * new: root_history 0 means TACIT_STATE_ROOT_HISTORY_DEFAULT (256); TACIT_OK, TACIT_ENOMEM.
 * free accepts NULL; views must be freed first. One thread at a time.
 */
struct tacit_memstate;
struct tacit_memview;
int tacit_memstate_new(struct tacit_memstate **out, uint32_t root_history);
void tacit_memstate_free(struct tacit_memstate *ms);
/* The tip, and the timestamp of the last committed block (0 for an empty state). */
void tacit_memstate_tip(const struct tacit_memstate *ms, struct tacit_view_tip *out,
                        uint64_t *timestamp_ms);
int tacit_memstate_account(const struct tacit_memstate *ms,
                           const uint8_t address[TACIT_ADDRESS_LEN], struct tacit_account *out);

/* A view on the committed in-memory state: TACIT_OK, TACIT_ENOMEM. free accepts NULL. Any
 * number of views may exist; committing one makes the others stale (free them). */
int tacit_memstate_view_new(struct tacit_memstate *ms, struct tacit_memview **out);
void tacit_memview_free(struct tacit_memview *mv);
/* The interface of mv (valid while mv lives). */
void tacit_memview_view(struct tacit_memview *mv, struct tacit_view *out);
/* Commits mv's changes as block tip.next_height with this hash and timestamp: the tree, the
 * nullifier set, the accounts, the anchors (the new root at this height: a root is recent
 * while next_height - its latest height <= root_history, as in the store) and the digests, as
 * tacit_state_apply_block would. mv can only be freed afterwards. TACIT_OK, TACIT_EINVAL (mv is stale: another view was committed),
 * TACIT_ENOMEM (nothing changed). */
int tacit_memstate_commit(struct tacit_memstate *ms, struct tacit_memview *mv,
                          const uint8_t hash[32], uint64_t timestamp_ms);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_VIEW_H */
