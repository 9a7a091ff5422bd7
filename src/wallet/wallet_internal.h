/*
 * tacit — internals shared by the wallet files (src/wallet/wallet.c, store.c, sync.c,
 * witness.c, send.c, node_rpc.c) and the wallet tests and benchmark.
 *
 *   wallet.c   handles, keys, balance, notes
 *   store.c    the LMDB file: records, sealing with the passphrase key, (de)serialisation
 *   witness.c  the wallet's view of the note tree: subtree roots, the leaves it must hash,
 *              witnesses
 *   sync.c     block scanning, spends, the sync loop
 *   send.c     note selection, building, proving, submission, statuses
 *   node_rpc.c struct tacit_wallet_node over JSON-RPC
 */
#ifndef TACIT_WALLET_INTERNAL_H
#define TACIT_WALLET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/keys.h"
#include "tacit/note.h"
#include "tacit/tree.h"
#include "tacit/wallet.h"

/* A note of this wallet. Private (values, blindings, memos): kept sealed in the file and
 * wiped when freed. */
struct tacit__wnote {
    uint64_t index;
    uint64_t value;
    tacit_fr cm;
    tacit_fr blinding;
    tacit_fr nf;
    bool has_nf;
    uint64_t height;
    uint64_t spent_height; /* TACIT_WALLET_NO_HEIGHT: unspent */
    bool reserved;
    uint8_t reserved_by[32];
    uint16_t memo_len;
    uint8_t memo[TACIT_NOTE_MEMO_MAX];
    /* siblings at levels 0..subtree_level-1: final once the note's subtree is complete */
    bool lower_done;
    /* nonzero (L): lower[L..h-1] are the siblings above the note's block of 2^L leaves,
     * lower[h..h+2^L-1] that block's leaves; the siblings below L are hashed from them (and
     * the whole checked against the subtree's root) by tacit__wtree_witnesses, after a sync's
     * last request. h + 2^L <= TACIT_TREE_DEPTH. */
    uint8_t bottom_level;
    tacit_fr lower[TACIT_TREE_DEPTH];
    /* the whole witness at the synced height (valid while the wallet's witness_ok) */
    tacit_fr path[TACIT_TREE_DEPTH];
};

/* A transaction this wallet built. */
struct tacit__wsent {
    uint8_t txid[32]; /* zero while it is being built */
    uint8_t kind;     /* enum tacit_wallet_send_kind */
    uint8_t state;    /* enum tacit_wallet_tx_state */
    uint64_t height;
    int32_t error;
    uint64_t amount, fee;
    uint64_t change; /* value coming back to this wallet (change, deposit) */
    uint8_t deposit_sender[TACIT_ADDRESS_LEN];
    uint64_t deposit_nonce;
    tacit_fr nf[2];
    uint8_t nin; /* own notes spent */
    uint64_t in_index[2];
    /* a forced transaction, queued on L1 (sealed record "forced": older files have none) */
    bool forced;
    struct tacit_wallet_forced f;
};

/* Blocks of tree sizes the wallet remembers (anchors 3..10 blocks back, and some margin). */
#define TACIT__WALLET_HISTORY 16
/* The anchor of a send: uniformly TACIT__WALLET_ANCHOR_MIN..MAX blocks below the synced tip
 * (zcashd's choice; the node accepts the last 256 roots). */
#define TACIT__WALLET_ANCHOR_MIN 3
#define TACIT__WALLET_ANCHOR_MAX 10
/* A resumed sync starts 1..this many blocks before the synced height (re-scanned, not
 * counted twice): its first request is not the height where the last sync ended. */
#define TACIT__WALLET_OVERLAP_MAX 10

/* The wallet's part of the note tree (witness.c). */
struct tacit__wtree {
    unsigned level;  /* subtree level h: subtrees of 2^h leaves */
    uint64_t size;   /* leaves so far */
    tacit_fr *roots; /* roots of the complete subtrees 0 .. size >> h */
    size_t nroots, roots_cap;
    tacit_fr *leaves; /* the leaves of the incomplete subtree (size & (2^h-1)) */
    size_t nleaves;
    size_t leaves_saved; /* how many of them are in the file */
    size_t roots_saved;
    /* cache of the incomplete subtree's inner levels (memory only): valid for its first
     * levels_n leaves while it is subtree levels_sub; a sync rehashes only the right edge */
    tacit_fr *levels; /* 2^(level+1) entries (witness.c lays the levels out) */
    size_t levels_n;
    uint64_t levels_sub;
    /* the last TACIT__WALLET_HISTORY synced blocks, oldest first (the anchors a send may
     * choose; record "hist" in the file): height, tree size after it, and the frontier of the
     * then incomplete subtree: front[l] = node (l, (r >> l) - 1) for every bit l set in
     * r = size mod 2^h (known once hist_front_ok; nothing to know when r = 0) */
    uint64_t hist_height[TACIT__WALLET_HISTORY], hist_size[TACIT__WALLET_HISTORY];
    tacit_fr hist_front[TACIT__WALLET_HISTORY][TACIT_TREE_DEPTH];
    bool hist_front_ok[TACIT__WALLET_HISTORY];
    size_t nhist;
};

struct tacit_wallet {
    void *env; /* MDB_env * (only store.c knows) */
    unsigned dbi;
    enum tacit_network net;
    uint8_t kind;                       /* 0 spending, 1 full viewing, 2 incoming viewing */
    struct tacit_spending_key *sk;      /* kind 0 */
    struct tacit_viewing_key *vk_own;   /* kinds 1, 2 */
    const struct tacit_viewing_key *vk; /* the key that scans (borrowed from one above) */
    struct tacit_shielded_address addr;

    uint8_t *box_key;     /* sodium_malloc: from the passphrase; seals the secrets */
    uint8_t *data_key;    /* sodium_malloc: seals the private records */
    uint8_t (*tkeys)[32]; /* sodium_malloc: imported transparent keys */
    size_t ntkeys, tkeys_cap;
    uint8_t (*taddrs)[TACIT_ADDRESS_LEN];

    uint64_t generation; /* bumped by every commit (another process: reload) */

    /* the recovery phrase's entropy (sodium_malloc; NULL: no phrase) */
    uint8_t *entropy;
    size_t entropy_len;

    /* the chain the wallet belongs to (record "chain"; set by the first sync, never dropped) */
    bool bound;
    uint64_t bound_chain_id;
    uint8_t genesis[32];
    /* the node's chain the last refusal saw (memory only) */
    struct tacit_wallet_chain_binding foreign;

    /* sync state */
    uint64_t synced_height; /* TACIT_WALLET_NO_HEIGHT: none */
    uint8_t synced_hash[32];
    uint64_t chain_id;
    bool has_chain_id;

    struct tacit__wnote *notes; /* sorted by index */
    size_t nnotes, notes_cap;
    struct tacit__wsent *sent;
    size_t nsent, sent_cap;

    struct tacit__wtree tree;
    bool witness_ok; /* paths hold witnesses for anchor at synced_height */
    tacit_fr anchor;
};

/* ---------------------------------------------------------------- store.c ---- */

/* Opens/creates the LMDB file; store_create writes the header and secrets records. */
int tacit__wallet_store_create(struct tacit_wallet *w, const char *path, const char *pass,
                               size_t passlen);
int tacit__wallet_store_open(struct tacit_wallet *w, unsigned *flags, const char *path,
                             const char *pass, size_t passlen);
void tacit__wallet_store_close(struct tacit_wallet *w);
/* Room for n transparent keys (sodium_malloc; the addresses beside them). */
int tacit__wallet_tkeys_reserve(struct tacit_wallet *w, size_t n);
/* Writes the secrets record again (after an import). */
int tacit__wallet_store_save_secrets(struct tacit_wallet *w);
/*
 * One commit of everything that changed: sync state, private records, new subtree roots,
 * new leaves (and dropped leaves of a subtree that completed). If another process committed
 * since we last read (generation), nothing is written, the wallet is reloaded from the file
 * and TACIT_EBUSY is returned: the caller redoes its step on the fresh state.
 */
int tacit__wallet_store_commit(struct tacit_wallet *w);
/* Reloads the wallet's non-secret and private state from the file if another process
 * committed; *reloaded says whether it did. */
int tacit__wallet_store_refresh(struct tacit_wallet *w, bool *reloaded);
/* Replaces the in-memory state by the file's (after a failed step left it half-changed). */
int tacit__wallet_store_reload(struct tacit_wallet *w);
/* Drops the tree, notes and sync state from the file and memory. */
int tacit__wallet_store_reset_sync(struct tacit_wallet *w);
/* The wallet's file in clear without the passphrase (record "pub"). */
int tacit__wallet_store_peek(const char *path, enum tacit_network *net, uint8_t *kind,
                             struct tacit_shielded_address *addr);
/* LMDB's consistent copy of the file to a new file (0600, O_EXCL). */
int tacit__wallet_store_backup(const struct tacit_wallet *w, const char *path);

/* Test hook: tacit_wallet_create writes a file of format 1 and commits write no "chain" record
 * while it is set (as the code before format 2 did: no "pub", no phrase, no chain), so that
 * the tests can open an old file. */
extern bool tacit__wallet_create_v1;

/* --------------------------------------------------------------- wallet.c ---- */

/* Inserts a note in index order (ENOMEM); an index already there is left alone (EEXISTS). */
int tacit__wallet_add_note(struct tacit_wallet *w, const struct tacit__wnote *n);
struct tacit__wnote *tacit__wallet_find_note(struct tacit_wallet *w, uint64_t index);
int tacit__wallet_add_sent(struct tacit_wallet *w, const struct tacit__wsent *s);
struct tacit__wsent *tacit__wallet_find_sent(struct tacit_wallet *w, const uint8_t txid[32]);
/* Every sent tx recorded as included becomes pending (height 0): the chain that held it is
 * being forgotten (a reset or rescan), and the next scan marks it included where it finds it. */
void tacit__wallet_sent_unconfirm(struct tacit_wallet *w);
/* Releases the notes a sent tx reserved. */
void tacit__wallet_release(struct tacit_wallet *w, const struct tacit__wsent *s);
void tacit__wallet_free_state(struct tacit_wallet *w);

/* -------------------------------------------------------------- witness.c ---- */

/* An empty tree of subtree level `level`: TACIT_OK or TACIT_ENOMEM. */
int tacit__wtree_init(struct tacit__wtree *t, unsigned level);
void tacit__wtree_clear(struct tacit__wtree *t);

/* Work on one complete subtree: hashed on a worker thread. Every completed subtree is one,
 * whether it holds own notes or not, so that the hashing a sync does between two requests
 * does not tell which subtrees hold the wallet's notes (issue 14, 2). */
struct tacit__wtree_job {
    uint64_t subtree;
    tacit_fr *leaves; /* 2^level, owned */
    size_t nnotes;
    uint64_t *note_index; /* the own notes in it */
    tacit_fr *lower;      /* out: nnotes * level siblings */
    tacit_fr root;        /* out */
    bool leaves_done;     /* out: false if the run ran out of memory */
    bool has_node_root;   /* the node gave the subtree's root: checked against ours */
    tacit_fr node_root;
    tacit_fr *levels; /* out: its inner levels (for the history's frontiers), owned */
    /* the node's 2^(level - inner_level) nodes at inner_level (owned; NULL: hash the leaves);
     * `lower` then holds, per note, level + 2^inner_level values (see tacit__wnote) */
    tacit_fr *inner;
    unsigned inner_level;
};
void tacit__wtree_job_run(struct tacit__wtree_job *job, unsigned level);
void tacit__wtree_job_free(struct tacit__wtree_job *job);

/* The node's nodes at level `level` (0: none) for the subtrees start.. (nsub of them, each
 * 2^(subtree level - level) nodes): see struct tacit_wallet_node's tree_nodes. */
struct tacit__wtree_inner {
    const tacit_fr *nodes;
    unsigned level;
    uint64_t start;
    size_t nsub;
};

/*
 * Appends n leaves. Each subtree that becomes complete is queued in *jobs (its root slot is
 * filled when the job is applied), with the node's root for it when `roots` has one (indexed
 * from roots_start, nroots_given of them) to check ours against, and with the node's inner
 * nodes for it when `inner` (may be NULL) covers it. Returns TACIT_OK or TACIT_ENOMEM.
 */
int tacit__wtree_append(struct tacit_wallet *w, const tacit_fr *leaves, size_t n,
                        const tacit_fr *roots, uint64_t roots_start, size_t nroots_given,
                        const struct tacit__wtree_inner *inner, struct tacit__wtree_job **jobs,
                        size_t *njobs, size_t *jobs_cap);
/* Stores a finished job's root and lower paths. TACIT_OK, TACIT_ENOMEM (the run failed),
 * TACIT_EBAD_NODE_DATA (the node's root for the subtree is not the hash of its leaves). */
int tacit__wtree_job_apply(struct tacit_wallet *w, const struct tacit__wtree_job *job);
/* Brings every unspent note's path to the current tree and computes the root. */
int tacit__wtree_witnesses(struct tacit_wallet *w, tacit_fr *root);
/* Records that the tree has `size` leaves after block `height` (kept: the last
 * TACIT__WALLET_HISTORY heights; a height not above the last one is ignored). */
void tacit__wtree_hist_push(struct tacit__wtree *t, uint64_t height, uint64_t size);
/* Whether the tree as it was after history entry i can be rebuilt (its frontier is known). */
bool tacit__wtree_can_rebuild(const struct tacit__wtree *t, size_t i);
/*
 * The root of the tree as it was at `size` leaves (a history entry's, or the current size),
 * and the paths there of the own notes index[0..n) (paths: n * TACIT_TREE_DEPTH siblings).
 * Needs verified witnesses (w->witness_ok): the siblings that were complete at `size` are
 * those of the current paths. Each note must be below size and unspent.
 * TACIT_OK, TACIT_ENOT_SYNCED (not a size the wallet can rebuild), TACIT_ENOTFOUND,
 * TACIT_ENOMEM.
 */
int tacit__wtree_at(struct tacit_wallet *w, uint64_t size, const uint64_t *index, size_t n,
                    tacit_fr *paths, tacit_fr *root);
/*
 * The same at any size up to the tree's (a forced transaction's anchor: the last settled
 * block, which may be older than the remembered ones): a remembered size as above; else the
 * frontier of subtree size >> h is hashed from its leaves, those of the incomplete subtree the
 * wallet keeps, or, for a subtree completed since (its leaves dropped), the node's
 * (node->commitments: public leaves, asked for by position alone).
 * TACIT_OK, TACIT_ENOT_SYNCED (size past the synced tree, or no way to its leaves),
 * TACIT_ENOTFOUND, TACIT_EBAD_NODE_DATA, the node's errors, TACIT_ENOMEM.
 */
int tacit__wtree_at_any(struct tacit_wallet *w, const struct tacit_wallet_node *node, uint64_t size,
                        const uint64_t *index, size_t n, tacit_fr *paths, tacit_fr *root);
/*
 * The anchor of a send: a height uniformly among the remembered ones in
 * [tip - ANCHOR_MAX, tip - ANCHOR_MIN] (tip: the synced height) that are >= min_height and
 * whose tree can be rebuilt; none: the oldest such height >= min_height (a short chain, a note
 * newer than the window). Out: *height and the tree size there. TACIT_OK or TACIT_ENOT_SYNCED
 * (no synced height >= min_height).
 */
int tacit__wallet_anchor_pick(const struct tacit_wallet *w, uint64_t min_height, uint64_t *height,
                              uint64_t *size);

/* -------------------------------------------------------------- helpers ---- */

/* Big-endian u64/u32 and little-endian codecs for records. */
static inline void tacit__be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}
static inline uint64_t tacit__rd_be64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | in[i];
    return v;
}

/* The prover the sends use: tacit_txbuild_prove. Test hook: tests without a proving key put
 * a function here that fills the public inputs and ext data without a proof. */
struct tacit_txbuild;
typedef int (*tacit__wallet_prove_fn)(struct tacit_tx *tx, const struct tacit_txbuild *b,
                                      const tacit_groth16_pk *pk, unsigned nthreads,
                                      tacit_groth16_prove_stats *stats);
extern tacit__wallet_prove_fn tacit__wallet_prove;

/* Uniform in [0, upper) (upper >= 1): randombytes_uniform. Test hook: tests make the
 * overlap and anchor choices deterministic. */
extern uint32_t (*tacit__wallet_uniform)(uint32_t upper);

/* Test hook: Poseidon hashes done by the wallet's tree code (witness.c) so far, on every
 * thread. A test reads it between node calls: the hashing between two requests of a sync
 * must not depend on which notes the wallet owns (issue 14, 2). */
extern uint64_t tacit__wallet_hashes;

/* Seconds between commits during a sync (2; tests set 0: a commit after every chunk). */
extern double tacit__wallet_commit_interval;

/* Test hook: true makes tacit_wallet_create use argon2id's MIN limits (a weak key, cheap under
 * the sanitizers). False in every program that does not set it: the library reads no
 * environment variable for it. The test binaries set it; tacit-cli sets it from
 * TACIT_WALLET_KDF=fast only when built with TACIT_TEST_HOOKS (CMake, the sanitizer test
 * build), never in a release build (docs/wallet.md). */
extern bool tacit__wallet_kdf_weak;

/* Test hook: the subtree level of a wallet whose tree is still empty (tests use small
 * subtrees so that crossing their boundaries is cheap). TACIT_EINVAL otherwise. */
int tacit__wallet_set_subtree_level(struct tacit_wallet *w, unsigned level);

#endif /* TACIT_WALLET_INTERNAL_H */
