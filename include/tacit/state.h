/*
 * tacit — the node state: an LMDB store of blocks, transactions, the note commitment tree,
 * the roots history, nullifiers, transparent accounts and encrypted outputs
 * (shared/docs/DESIGN.md 2.4, 2.7, 3). Byte layouts: docs/state-format.md.
 *
 * Writing: one call, tacit_state_apply_block, applies one block in ONE LMDB write transaction:
 * all of it or nothing. When the map is full it grows the map and retries the block; on disk
 * full or an I/O error it aborts the block and returns TACIT_EDISK_FULL or TACIT_ESTATE_IO,
 * and the last committed state stays as it was. Durability is LMDB's full sync by default: when
 * apply returns TACIT_OK the block is on disk.
 *
 * Reading: every read function runs in its own LMDB read transaction (a consistent snapshot)
 * and copies what it returns; readers never block the writer. A view (tacit_state_view) keeps one
 * read transaction open: it implements the state interface of the protocol rules
 * (include/tacit/view.h; tacit_state_view_as_view) — it answers from the committed state plus
 * the changes the rules made in it, and computes the header digests of a candidate block
 * without writing anything.
 *
 * Threads: one struct tacit_state may be used from any number of threads; apply_block calls
 * are serialised. A view is used by one thread at a time (it may move between threads).
 * Processes: LMDB lets several processes open one store (writers are serialised by LMDB, and
 * apply_block reads the tip inside its write transaction, so none writes from stale state).
 * The node-level lock that keeps a second tacitd off the same data dir belongs to the node.
 *
 * Errors: TACIT_ECORRUPT (a record is missing or has the wrong size), TACIT_ESTATE_VERSION,
 * TACIT_ESTATE_PARAMS, TACIT_EMAP_FULL, TACIT_EDISK_FULL, TACIT_ESTATE_IO, TACIT_ENOMEM,
 * TACIT_EINVAL, and the rule errors documented per function. Nothing here aborts the process.
 */
#ifndef TACIT_STATE_H
#define TACIT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/tree.h"
#include "tacit/view.h" /* the state interface, TACIT_ADDRESS_LEN, digests, accounts */

#ifdef __cplusplus
extern "C" {
#endif

/* Format of the store (docs/state-format.md). A store with another value is refused. */
#define TACIT_STATE_FORMAT_VERSION 1
/* Anchors: the roots after the last TACIT_STATE_ROOT_HISTORY_DEFAULT committed blocks. */
#define TACIT_STATE_ROOT_HISTORY_DEFAULT 256
/* Tree nodes of levels 1 .. TACIT_STATE_TREE_MIN_STORED-1 are not stored (recomputed from the
 * leaves when a path is served); docs/state-format.md says why. */
#define TACIT_STATE_TREE_MIN_STORED 4
/* Ask for the tip in functions that take a height. */
#define TACIT_STATE_TIP UINT64_MAX

struct tacit_state;
struct tacit_state_view;

/* Do not fsync on commit (tests and benchmarks only: a crash of the machine may lose blocks). */
#define TACIT_STATE_NOSYNC 1u
/* The store must exist: a missing or empty data.mdb is TACIT_ESTATE_MISSING and nothing is
 * made (the node sets it once its data directory holds a chain). */
#define TACIT_STATE_EXISTING 2u

struct tacit_state_options {
    uint64_t chain_id;     /* written when the store is made, checked at every open */
    uint32_t root_history; /* 0: the stored value (TACIT_STATE_ROOT_HISTORY_DEFAULT when made) */
    uint64_t map_size;     /* initial LMDB map size in bytes (0: 1 GiB) */
    uint64_t map_size_max; /* the map grows (doubling) up to this (0: 1 TiB) */
    unsigned flags;        /* TACIT_STATE_NOSYNC, TACIT_STATE_EXISTING */
};

struct tacit_state_tip {
    uint64_t next_height; /* height the next block must have (0 for an empty store) */
    uint8_t hash[32];     /* hash of block next_height - 1 (zero for an empty store) */
    uint64_t nullifier_count;
    struct tacit_state_digests digests;
};

/* Applied in list order: balance += credit (TACIT_EOVERFLOW past 2^64-1), then
 * balance -= debit (TACIT_EINSUFFICIENT below 0), then nonce += nonce_add (TACIT_EOVERFLOW). */
struct tacit_account_delta {
    uint8_t address[TACIT_ADDRESS_LEN];
    uint64_t credit;
    uint64_t debit;
    uint64_t nonce_add;
};

struct tacit_state_tx {
    uint8_t id[32];       /* tx id (DESIGN 2.6), computed by the caller */
    const uint8_t *bytes; /* the encoded transaction: opaque here */
    size_t len;
};

struct tacit_state_bytes {
    const uint8_t *data;
    size_t len;
};

/* One block, as the state needs it. All pointers are borrowed for the call. */
/* A complete tree node of level >= TACIT_STATE_TREE_MIN_STORED, as the store keeps it. */
struct tacit_state_tree_node {
    uint64_t index;
    unsigned level;
    tacit_fr node;
};

/* A block's tree as a view hashed it (tacit_state_view_update fills it): the frontier before
 * and after the block's leaves, the root after, and the complete nodes of levels >=
 * TACIT_STATE_TREE_MIN_STORED the leaves made (in the order of tacit_tree_append's sink). */
struct tacit_state_tree_update {
    struct tacit_tree_frontier before, after;
    tacit_fr root;
    const struct tacit_state_tree_node *nodes;
    size_t nnodes;
};

struct tacit_block_update {
    uint64_t height;      /* must be the tip's next_height */
    uint8_t hash[32];     /* block hash (DESIGN 2.7), computed by the caller */
    const uint8_t *block; /* the encoded block: opaque here */
    size_t block_len;
    const struct tacit_state_tx *txs; /* in block order */
    size_t ntxs;
    const tacit_fr *commitments; /* leaves to append, in tree order */
    size_t ncommitments;
    const struct tacit_state_bytes *outputs; /* NULL, or one encrypted output per commitment
                                                (len 0: none stored for that one) */
    const tacit_fr *nullifiers;              /* to mark spent, in block order */
    size_t nnullifiers;
    const struct tacit_account_delta *deltas;
    size_t ndeltas;
    /* NULL, or the tree of these commitments as tacit_state_view_update gave it: apply_block
     * stores it instead of hashing the leaves again when its `before` is the tip's tree and its
     * `after` holds ncommitments more leaves (else it hashes them: the same result). */
    const struct tacit_state_tree_update *tree;
};

/* ------------------------------------------------------------------ lifecycle ---- */

/* Zero options with TACIT_STATE_ROOT_HISTORY_DEFAULT; chain id 0. */
void tacit_state_options_init(struct tacit_state_options *o);

/*
 * Opens (making it if needed, directory included, unless TACIT_STATE_EXISTING) the store in dir.
 * Before LMDB maps dir/data.mdb, the file is checked against LMDB's own header (its two meta
 * pages: magic, version, page size, and every page up to the last one used within the file):
 * a truncated or damaged file is refused instead of faulting (SIGBUS) at its first read.
 * Out: *out, to be released with tacit_state_close (NULL on error).
 * Returns TACIT_OK, TACIT_ESTATE_TRUNCATED (nothing is mapped or written), TACIT_ESTATE_MISSING
 * (TACIT_STATE_EXISTING and data.mdb absent or empty: nothing is made), TACIT_ESTATE_VERSION
 * (made by another format version: nothing is written), TACIT_ESTATE_PARAMS (another chain id,
 * or o->root_history set and different), TACIT_ECORRUPT, TACIT_ESTATE_IO, TACIT_EDISK_FULL,
 * TACIT_ENOMEM, TACIT_EINVAL.
 * The data file is kept as large as the map (sparse: holes take no disk space).
 */
int tacit_state_open(struct tacit_state **out, const char *dir,
                     const struct tacit_state_options *o);

/* Closes the store; accepts NULL. Views must be freed first. */
void tacit_state_close(struct tacit_state *st);

/* The root history length in force. */
uint32_t tacit_state_root_history(const struct tacit_state *st);

/* ------------------------------------------------------------------- writing ---- */

/*
 * Applies one block in one write transaction.
 * In:  u; expect (may be NULL): when given, the block is refused with TACIT_EDIGEST unless the
 *      digests after it equal *expect (a follower checks the header this way before committing).
 * Out: out (may be NULL): the digests after the block.
 * Returns TACIT_OK (committed and synced), or, with nothing written:
 *   TACIT_EHEIGHT (u->height is not the tip's next_height), TACIT_EEXISTS (block hash or a tx
 *   id already stored), TACIT_ENULLIFIER_SPENT (already spent, or twice in the block),
 *   TACIT_EOVERFLOW, TACIT_EINSUFFICIENT, TACIT_ETREE_FULL, TACIT_EDIGEST, TACIT_EINVAL,
 *   TACIT_EMAP_FULL, TACIT_EDISK_FULL, TACIT_ESTATE_IO, TACIT_ECORRUPT, TACIT_ENOMEM.
 */
int tacit_state_apply_block(struct tacit_state *st, const struct tacit_block_update *u,
                            const struct tacit_state_digests *expect,
                            struct tacit_state_digests *out);

/* ------------------------------------------------------------------- reading ---- */

int tacit_state_tip(struct tacit_state *st, struct tacit_state_tip *out);

/* The header digests after block `height`: TACIT_ENOTFOUND if there is no such block. */
int tacit_state_digests_at(struct tacit_state *st, uint64_t height,
                           struct tacit_state_digests *out);

/* *recent = root is the tree root after one of the last root_history committed blocks. */
int tacit_state_anchor_recent(struct tacit_state *st, const tacit_fr *root, bool *recent);

/* *spent = nf is in the nullifier set. */
int tacit_state_nullifier_spent(struct tacit_state *st, const tacit_fr *nf, bool *spent);

/* An account never touched reads as balance 0, nonce 0. */
int tacit_state_account(struct tacit_state *st, const uint8_t address[TACIT_ADDRESS_LEN],
                        struct tacit_account *out);

/* The commitment at a leaf index: TACIT_ENOTFOUND past the end. */
int tacit_state_commitment(struct tacit_state *st, uint64_t index, tacit_fr *out);

/*
 * The Merkle path of leaf `index` in the tree as it was after block `height`
 * (TACIT_STATE_TIP: now), and that tree's root (root may be NULL).
 * Returns TACIT_OK, TACIT_ENOTFOUND (no such block, or the leaf was not in the tree then).
 */
int tacit_state_path(struct tacit_state *st, uint64_t index, uint64_t height,
                     struct tacit_tree_path *path, tacit_fr *root);

/* The roots of the complete subtrees of 2^level leaves numbered start, start+1, ... (at most
 * max, stopping at the first that is not complete): out[0..*n). A wallet keeps the Merkle paths
 * of its notes with them, hashing only the subtrees that hold its own notes
 * (tacit_getSubtreeRoots). level in TACIT_STATE_TREE_MIN_STORED..TACIT_TREE_DEPTH.
 * Returns TACIT_OK, TACIT_EINVAL, a store error. */
int tacit_state_subtree_roots(struct tacit_state *st, unsigned level, uint64_t start, size_t max,
                              tacit_fr *out, size_t *n);

/* The tree state (frontier) after block `height` (TACIT_STATE_TIP: now): a wallet's starting
 * point. TACIT_ENOTFOUND if there is no such block. */
int tacit_state_frontier(struct tacit_state *st, uint64_t height, struct tacit_tree_frontier *out);

/* Blocks, txs and outputs: *bytes is malloc'd (free with free()); NULL/0 on error.
 * TACIT_ENOTFOUND when absent. hash, height and index outputs may be NULL; so may bytes and
 * len (together) of the block and tx readers, to ask only whether it exists and where. */
int tacit_state_block_by_height(struct tacit_state *st, uint64_t height, uint8_t hash[32],
                                uint8_t **bytes, size_t *len);
int tacit_state_block_by_hash(struct tacit_state *st, const uint8_t hash[32], uint64_t *height,
                              uint8_t **bytes, size_t *len);
int tacit_state_tx(struct tacit_state *st, const uint8_t id[32], uint64_t *height,
                   uint32_t *index_in_block, uint8_t **bytes, size_t *len);
int tacit_state_output(struct tacit_state *st, uint64_t commitment_index, uint8_t **bytes,
                       size_t *len);

/*
 * Consistency check of the tip (cheap: O(33) reads): the stored frontier equals the one
 * recomputed from the stored nodes, its root equals the tip's root and the roots history, the
 * anchor index points at the tip, and the commitment count matches the leaves stored.
 * Returns TACIT_OK or TACIT_ECORRUPT.
 */
int tacit_state_check(struct tacit_state *st);

/* An online, consistent, compacted copy of the store (LMDB mdb_env_copyfd2 with MDB_CP_COMPACT)
 * into directory dir (made with mode 0700 if absent; its parent must exist) as dir/data.mdb,
 * made with mode 0600 and fsynced (it must not exist): a backup, or a devnet snapshot. The
 * writer keeps writing meanwhile. Open the copy with tacit_state_open. On error no partial
 * data.mdb is left (nor dir, if this call made it); the store itself is never affected.
 * Returns TACIT_OK, TACIT_EEXISTS (dir/data.mdb exists), TACIT_EINVAL, TACIT_EBACKUP_DISK_FULL
 * (no space where dir is), TACIT_EBACKUP_IO (dir cannot be made or written: missing parent,
 * not a directory, permission, I/O error), TACIT_ENOMEM. */
int tacit_state_copy(struct tacit_state *st, const char *dir);

/* Bytes used by the data file (LMDB's last page used times the page size). */
int tacit_state_disk_usage(struct tacit_state *st, uint64_t *bytes);

/* --------------------------------------------------------- settlement records ---- */

/*
 * The node's settlement records (database "settle", docs/state-format.md "Settlement
 * records"): keys of 1 to 64 bytes, values opaque here. They are not part of the chain's state
 * (no digest covers them) and no rule reads them; tacitd writes them from the settlement lane
 * and the block lane (docs/operations.md, "Settlement on L1").
 * put: every pair in one write transaction, synced like a block (a value of length 0 is
 * stored as empty). TACIT_OK, TACIT_EINVAL, TACIT_EMAP_FULL, TACIT_EDISK_FULL,
 * TACIT_ESTATE_IO; on error nothing is written.
 * get: *val malloc'd (free with free()), TACIT_ENOTFOUND when absent.
 */
struct tacit_state_kv {
    const uint8_t *key;
    size_t klen;
    const uint8_t *val;
    size_t vlen;
};
int tacit_state_settle_put(struct tacit_state *st, const struct tacit_state_kv *kv, size_t n);
int tacit_state_settle_get(struct tacit_state *st, const uint8_t *key, size_t klen, uint8_t **val,
                           size_t *vlen);
/* Every settlement record in key order (bytewise), to cb from one read transaction (cb must not
 * write to st); a cb that returns anything but TACIT_OK stops the walk and that is returned.
 * Store errors: TACIT_ESTATE_IO, TACIT_ENOMEM, TACIT_EINVAL. */
int tacit_state_settle_each(struct tacit_state *st,
                            int (*cb)(void *ud, const uint8_t *key, size_t klen, const uint8_t *val,
                                      size_t vlen),
                            void *ud);

/* ---------------------------------------------------------------------- views ---- */

/*
 * A view of the committed state at the time it is made, plus the changes made in it.
 * Out: *out, freed with tacit_state_view_free (accepts NULL).
 * The view holds an LMDB read transaction: keep views short-lived (a long one keeps old pages
 * from being reused), and do not let the thread that holds one wait in apply_block for the map
 * to grow (the grow waits for open readers: apply would give up with TACIT_EMAP_FULL).
 */
int tacit_state_view_new(struct tacit_state *st, struct tacit_state_view **out);
void tacit_state_view_free(struct tacit_state_view *v);

/* The view as the state interface of the rules (include/tacit/view.h): out borrows v (valid
 * until v is freed). The calls below and the interface's ops act on the same changes. */
void tacit_state_view_as_view(struct tacit_state_view *v, struct tacit_view *out);

/* The committed tip the view started from. */
void tacit_state_view_base(const struct tacit_state_view *v, struct tacit_state_tip *out);

/* Anchors are the committed roots only (not roots made inside the view). */
int tacit_state_view_anchor_recent(struct tacit_state_view *v, const tacit_fr *root, bool *recent);
/* Spent in the committed state or marked in the view. */
int tacit_state_view_nullifier_spent(struct tacit_state_view *v, const tacit_fr *nf, bool *spent);
/* (Which of the two: the interface's nullifier op, TACIT_VIEW_NF_SPENT or _IN_BLOCK.) */
int tacit_state_view_account(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                             struct tacit_account *out);

/* Marks nf spent. TACIT_ENULLIFIER_SPENT if it already is (nothing changes). */
int tacit_state_view_mark_nullifier(struct tacit_state_view *v, const tacit_fr *nf);
/* Appends leaves to the view's tree. TACIT_ETREE_FULL (nothing changes), TACIT_ENOMEM. */
int tacit_state_view_append_commitments(struct tacit_state_view *v, const tacit_fr *cm, size_t n);
/* Transparent value; each either applies whole or returns an error and changes nothing. */
int tacit_state_view_credit(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                            uint64_t amount); /* TACIT_EOVERFLOW */
int tacit_state_view_debit(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                           uint64_t amount); /* TACIT_EINSUFFICIENT */
int tacit_state_view_move(struct tacit_state_view *v, const uint8_t from[TACIT_ADDRESS_LEN],
                          const uint8_t to[TACIT_ADDRESS_LEN], uint64_t amount);
int tacit_state_view_bump_nonce(struct tacit_state_view *v,
                                const uint8_t address[TACIT_ADDRESS_LEN]); /* TACIT_EOVERFLOW */

/* Undo everything done in the view since a savepoint (e.g. a transaction found invalid
 * halfway). Rollback returns TACIT_OK, TACIT_EINVAL (not a savepoint of this view's past),
 * TACIT_ENOMEM. */
void tacit_state_view_savepoint(const struct tacit_state_view *v, struct tacit_view_savepoint *sp);
int tacit_state_view_rollback(struct tacit_state_view *v, const struct tacit_view_savepoint *sp);

/* The digests a block with the view's changes would have: the header's. Returns as
 * tacit_state_apply_block would for the same changes (TACIT_OK, TACIT_ENOMEM). */
int tacit_state_view_digests(struct tacit_state_view *v, struct tacit_state_digests *out);

/* Fills u's commitments, nullifiers and deltas from the view (borrowed: valid until the view
 * changes or is freed), and u's tree when the view's digests are up to date with its changes
 * (tacit_state_view_digests since the last change; else NULL); the caller fills height, hash,
 * block, txs and outputs. */
void tacit_state_view_update(const struct tacit_state_view *v, struct tacit_block_update *u);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_STATE_H */
