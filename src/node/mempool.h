/*
 * tacit — the mempool: pending transactions between admission and a block
 * (shared/docs/DESIGN.md 3, "mempool: admission, conflicts by nullifier, fee ordering, limits,
 * eviction"). Internal to the node module.
 *
 * A plain synchronous data structure: no locks, no libuv; the node calls it from its loop
 * thread only. The node's admission (src/node/admission.c) runs around it:
 *
 *   decode -> tacit_mempool_check -> on a worker: tacit_tx_check_static,
 *          tacit_tx_check_state_store, the proof -> tacit_mempool_add (which checks again: the
 *          pool may have changed while the proof was being verified)
 *
 * Rules (what tacit_mempool_check answers):
 *   - one entry per tx id (TACIT_EEXISTS);
 *   - no two pending txs spend the same nullifier, and no two pending deposits have the same
 *     (sender, nonce): the first seen wins (TACIT_ENULLIFIER_IN_MEMPOOL) unless the newcomer pays
 *     a strictly higher fee, in which case tacit_mempool_add replaces every conflicting tx
 *     (replace-by-fee; an equal fee never replaces, so nobody can churn the pool for free);
 *   - limits on the number of txs and on the bytes held: when full, a newcomer is admitted only
 *     if its fee is strictly above the lowest pending fee, and that lowest-fee tx is evicted
 *     (TACIT_EMEMPOOL_FULL otherwise).
 *
 * Order: highest fee first, then arrival order (first come, first served among equal fees);
 * select_block then shuffles each run of equal fees (a block's order does not tell arrival
 * order).
 * Eviction takes the last tx of that order: the lowest fee, and among equal fees the newest.
 *
 * Removal callbacks: functions that remove txs report each one through
 *   void removed(void *ud, const uint8_t id[32], int reason)
 * (NULL: not reported), so the node can record "rejected: reason" statuses. It is called once
 * the tx is out of the pool, with the pool consistent: the callback may read the pool but must
 * not change it. The id pointer is valid only during the call.
 *
 * Cost: hash tables keyed by tx id, by nullifier and by deposit (sender, nonce), with SipHash-2-4
 * under a random per-pool key (libsodium crypto_shorthash) so that peers cannot craft bucket
 * collisions; groups of the pending txs by anchor and by deposit sender; the txs that draw on
 * the pool (the turnstile) with what they need of it; a treap (random priorities) ordered by
 * (fee desc, arrival asc). check, add, remove, has are O(log n) expected; select is
 * O(log n + max); after_block is O(n) state lookups over one read transaction;
 * after_block_delta is O(the block) hash lookups plus a scan of the turnstile users' needs,
 * with no state lookup (the delta is read off the loop).
 *
 * Memory: each pending tx costs tacit_mempool_entry_bytes() (its encoding, the decoded tx and
 * the index overhead); tacit_mempool_bytes() is count * that, and max_bytes bounds it.
 */
#ifndef TACIT_NODE_MEMPOOL_H
#define TACIT_NODE_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/chain.h"
#include "tacit/state.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_MEMPOOL_MAX_TXS_DEFAULT 50000
#define TACIT_MEMPOOL_MAX_BYTES_DEFAULT ((size_t)256 << 20) /* 256 MiB */

struct tacit_mempool;

struct tacit_mempool_limits {
    size_t max_txs;   /* pending txs at most */
    size_t max_bytes; /* count * tacit_mempool_entry_bytes() at most */
};

/* One pending tx, as copied out by select and get. */
struct tacit_mempool_item {
    struct tacit_tx tx;
    uint8_t id[32];
    uint8_t bytes[TACIT_TX_BYTES]; /* the canonical encoding, as given to add */
    uint64_t arrival_ms;           /* now_ms given to add */
};

/* Removal report (see the file comment). */
typedef void (*tacit_mempool_removed_cb)(void *ud, const uint8_t id[32], int reason);

/* The defaults: TACIT_MEMPOOL_MAX_TXS_DEFAULT, TACIT_MEMPOOL_MAX_BYTES_DEFAULT. */
void tacit_mempool_limits_init(struct tacit_mempool_limits *l);

/* What one pending tx counts against max_bytes (a constant of the build). */
size_t tacit_mempool_entry_bytes(void);

/*
 * Makes an empty pool.
 * In:  l (NULL: the defaults).
 * Out: *out, released with tacit_mempool_free (NULL on error).
 * Returns TACIT_OK, TACIT_EINVAL (max_txs is 0, or max_bytes holds not even one tx),
 * TACIT_ENOMEM.
 */
int tacit_mempool_new(struct tacit_mempool **out, const struct tacit_mempool_limits *l);

/* Frees the pool and every pending tx (no callback); accepts NULL. */
void tacit_mempool_free(struct tacit_mempool *mp);

/* The limits in force. */
void tacit_mempool_get_limits(const struct tacit_mempool *mp, struct tacit_mempool_limits *l);

/*
 * Would tx (with id, its tx id) be admitted now? Changes nothing.
 * Returns TACIT_OK, TACIT_EEXISTS (id pending), TACIT_ENULLIFIER_REPEATED (nf0 = nf1: the
 * static rules refuse it too), TACIT_ENULLIFIER_IN_MEMPOOL (a pending tx spends one of its
 * nullifiers, or is a deposit with the same sender and nonce, and pays a fee >= tx's),
 * TACIT_EMEMPOOL_FULL (at a limit, nothing replaced, and tx's fee is not strictly above the
 * lowest pending fee).
 */
int tacit_mempool_check(const struct tacit_mempool *mp, const struct tacit_tx *tx,
                        const uint8_t id[32]);

/*
 * Adds tx: runs tacit_mempool_check again, then removes the conflicting txs (all pay less:
 * reported with TACIT_ENULLIFIER_IN_MEMPOOL), evicts the lowest-fee tx if the pool is at a limit
 * (reported with TACIT_EMEMPOOL_FULL) and inserts tx, copied with bytes, stamped now_ms.
 * In:  tx, id (tacit_tx_id of tx), bytes (its encoding), now_ms (arrival time, for the record);
 *      removed, ud (may be NULL).
 * Returns TACIT_OK, the errors of tacit_mempool_check, TACIT_ENOMEM. On error nothing changed.
 */
int tacit_mempool_add(struct tacit_mempool *mp, const struct tacit_tx *tx, const uint8_t id[32],
                      const uint8_t bytes[TACIT_TX_BYTES], uint64_t now_ms,
                      tacit_mempool_removed_cb removed, void *ud);

/* Is id pending? */
bool tacit_mempool_has(const struct tacit_mempool *mp, const uint8_t id[32]);

/* Copies pending tx id into *out. Returns TACIT_OK or TACIT_ENOTFOUND. */
int tacit_mempool_get(const struct tacit_mempool *mp, const uint8_t id[32],
                      struct tacit_mempool_item *out);

/*
 * Up to max pending txs, highest fee first, COPIED into out[0..]
 * (the caller may hand them to another thread while the pool keeps changing), in the order a
 * block takes them: the deposits of one sender among them are put in nonce order in the slots
 * they hold, so a builder that adds them in this order includes every run of consecutive
 * nonces in one pass.
 * Returns how many were written (min(max, count)).
 */
size_t tacit_mempool_select(const struct tacit_mempool *mp, struct tacit_mempool_item *out,
                            size_t max);

/*
 * The same as tacit_mempool_select, but each run of equal fees in a random order (libsodium's
 * generator; a new order at each call), the deposits of one sender still in nonce order in
 * the slots they hold: what a block takes (issue 14, 5: the order within a block does not
 * tell who submitted first). Which txs of a run that max cuts are taken is still arrival
 * order: the earliest.
 */
size_t tacit_mempool_select_block(const struct tacit_mempool *mp, struct tacit_mempool_item *out,
                                  size_t max);

/*
 * After a block committed: removes the txs whose ids are in included[0..n) (not reported:
 * the node records them as included; ids not pending are ignored), then re-checks every
 * remaining tx against the committed state st with tacit_tx_check_state (anchor expired,
 * nullifier now spent, deposit nonce now used, balance gone) and removes those that fail,
 * reported with that rule's code. A tx whose check meets a store error (TACIT_ENOMEM, TACIT_EIO,
 * TACIT_ECORRUPT, TACIT_ESTATE_IO, TACIT_EMAP_FULL, TACIT_EDISK_FULL, TACIT_EINVAL) is kept.
 * Returns TACIT_OK, or the first store error met (the re-check went on for the other txs).
 */
int tacit_mempool_after_block(struct tacit_mempool *mp, const uint8_t (*included)[32], size_t n,
                              struct tacit_state *st, tacit_mempool_removed_cb removed, void *ud);

/*
 * What a committed block changed among the facts tacit_tx_check_state reads of a tx: its anchor
 * still recent, its nullifiers unspent, its deposit sender's nonce and balance, the pool's
 * balance (the turnstile). A block can only spend nullifiers, let one root leave the history
 * (the root after block height - root_history, unless it came back later), raise nonces and
 * lower balances of its deposit senders, and change the pool; credits and withdrawals only
 * raise balances. So a tx that passed tacit_tx_check_state against the state before the block
 * (or after it) passes it after the block unless tacit_mempool_delta_verdict says otherwise,
 * and then fails it with the same code.
 * Made off the loop (tacit_mempool_delta_make, on the thread that committed the block), used on
 * the loop (tacit_mempool_after_block_delta, and admission for a tx checked before the block).
 */
struct tacit_mempool_account {
    uint8_t address[TACIT_ADDRESS_LEN];
    struct tacit_account acct;
};

struct tacit_mempool_delta {
    uint64_t height;      /* the block's */
    tacit_fr *nullifiers; /* spent by the block, sorted (malloc'd) */
    size_t nnullifiers;
    struct tacit_mempool_account *accounts; /* after the block, sorted by address: the block's
                                             * deposit senders and the pool (malloc'd) */
    size_t naccounts;
    bool anchor_expired; /* expired_anchor left the root history with this block */
    tacit_fr expired_anchor;
};

/*
 * Reads the delta of the block the store's tip just committed, whose transactions (those the
 * block included, forced ones too) are txs[0..ntxs): their nullifiers and deposit senders, the
 * accounts after it, the root that left the history. On any thread (one read transaction).
 * Out: *d (freed with tacit_mempool_delta_clear, also on error).
 * Returns TACIT_OK, TACIT_ENOMEM, or the store's error.
 */
int tacit_mempool_delta_make(struct tacit_mempool_delta *d, struct tacit_state *st,
                             const struct tacit_tx *const *txs, size_t ntxs);
void tacit_mempool_delta_clear(struct tacit_mempool_delta *d);

/* What tacit_tx_check_state answers after the block for a tx that passed it before the block
 * (or after it): TACIT_OK, TACIT_EANCHOR, TACIT_ENULLIFIER_SPENT, TACIT_ENONCE,
 * TACIT_EINSUFFICIENT, TACIT_EOVERFLOW, TACIT_ETURNSTILE, in that rule's order. No state read. */
int tacit_mempool_delta_verdict(const struct tacit_mempool_delta *d, const struct tacit_tx *tx);

/*
 * tacit_mempool_after_block for a block whose delta is d: removes the included ids (not
 * reported), then only the txs the block can have invalidated are looked at (by nullifier, by
 * anchor, by deposit sender, by what they need of the pool) and those whose verdict is not
 * TACIT_OK are removed, reported with it. Every pending tx must have passed
 * tacit_tx_check_state against the state before the block or after it (the node's admission
 * makes sure of it), except those an earlier re-check kept on a store error: they are checked
 * against st in full here (st may be NULL when there are none).
 * Returns TACIT_OK, or the first store error met in that full check.
 */
int tacit_mempool_after_block_delta(struct tacit_mempool *mp, const uint8_t (*included)[32],
                                    size_t n, const struct tacit_mempool_delta *d,
                                    struct tacit_state *st, tacit_mempool_removed_cb removed,
                                    void *ud);

/* Removes pending tx id, reported with reason. Returns TACIT_OK or TACIT_ENOTFOUND. */
int tacit_mempool_remove(struct tacit_mempool *mp, const uint8_t id[32], int reason,
                         tacit_mempool_removed_cb removed, void *ud);

/* Removes every pending tx (in arrival order, each reported with reason). Returns how many. */
size_t tacit_mempool_flush(struct tacit_mempool *mp, int reason, tacit_mempool_removed_cb removed,
                           void *ud);

/* Removes every pending tx whose fee is below min_fee (lowest fee first, each reported with
 * reason): the minimum fee went up. Returns how many. */
size_t tacit_mempool_drop_below(struct tacit_mempool *mp, uint64_t min_fee, int reason,
                                tacit_mempool_removed_cb removed, void *ud);

size_t tacit_mempool_count(const struct tacit_mempool *mp);
/* count * tacit_mempool_entry_bytes(). */
size_t tacit_mempool_bytes(const struct tacit_mempool *mp);
/* The lowest pending fee; 0 when empty. */
uint64_t tacit_mempool_min_fee(const struct tacit_mempool *mp);

/*
 * Serialises every pending tx in arrival order (dev_snapshot):
 *   "tacitmp1" (8 bytes) || count (u64 LE) || count * (arrival_ms u64 LE || tx encoding).
 * Out: *out (malloc'd, the caller frees it with free()), *len. NULL/0 on error.
 * Returns TACIT_OK, TACIT_ENOMEM.
 */
int tacit_mempool_dump(const struct tacit_mempool *mp, uint8_t **out, size_t *len);

/*
 * Restores a dump into an EMPTY pool (dev_revert: flush first), in the dump's arrival order:
 * each tx is decoded (tacit_tx_decode), its id recomputed (tacit_tx_id) and added as by
 * tacit_mempool_add (a tx refused by the pool's rules, e.g. its limits, is skipped).
 * Out: *restored (may be NULL): how many txs are now pending.
 * Returns TACIT_OK, TACIT_EINVAL (the pool is not empty), TACIT_EENCODING (not a dump: bad
 * magic, length, or a tx that does not decode: nothing is added), TACIT_ENOMEM (the pool is
 * left empty).
 */
int tacit_mempool_restore(struct tacit_mempool *mp, const uint8_t *in, size_t len,
                          size_t *restored);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_NODE_MEMPOOL_H */
