/*
 * tacit — the committed chain rolled back to a height (node_internal.h, tacit__chain_rollback):
 * an L1 reorg deeper than the confirmations removed a deposit that a block credited
 * (../shared/docs/SETTLEMENT.md 9), and the blocks from that one on must go.
 *
 * The LMDB store keeps no undo log, so a new store is built beside the state directory from
 * the blocks it keeps, applied again from the old store (tacit_block_apply: every rule and
 * proof checked again; the minimum fee is a policy and is not), then swapped in. The layout
 * and the order of the steps make a crash at any moment leave a store a restart can use:
 *
 *   <state>.rollback.tmp   the new store while it is built (NOSYNC, then data.mdb fsynced)
 *   <state>.rollback       the same, complete and synced: the rename is the decision
 *   <state>.old            the old store during the swap
 *
 *   build in .rollback.tmp → fsync → rename to .rollback → fsync the parent
 *   → rename <state> to .old → rename .rollback to <state> → fsync the parent → remove .old
 *
 * tacit__rollback_recover, at start: a .rollback.tmp is removed (the old store is intact); a
 * .rollback is moved in (the old store to .old first when it is still in place); a .old is
 * removed, or moved back when <state> is missing and no .rollback replaces it (a dev_revert
 * interrupted between its two renames).
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

#define SUFFIX_TMP ".rollback.tmp"
#define SUFFIX_DONE ".rollback"
#define SUFFIX_OLD ".old"

int tacit__rollback_crash_at;

/* Tests: a crash at point k (the process stops here: the store closed, nothing cleaned up). */
static bool crash_here(int k) { return tacit__rollback_crash_at == k; }

static char *path_with(const char *dir, const char *suffix)
{
    char *p;
    return asprintf(&p, "%s%s", dir, suffix) < 0 ? NULL : p;
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* fsync of a file or a directory by path. */
static int sync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC), rc = 0;
    if (fd < 0) return -1;
    if (fsync(fd) != 0) rc = -1;
    close(fd);
    return rc;
}

/* The directory that holds path (the data directory). */
static int sync_parent(const char *path)
{
    char *copy = strdup(path), *slash;
    int rc;
    if (copy == NULL) return -1;
    slash = strrchr(copy, '/');
    if (slash == NULL)
        strcpy(copy, ".");
    else if (slash == copy)
        slash[1] = '\0';
    else
        *slash = '\0';
    rc = sync_path(copy, true);
    free(copy);
    return rc;
}

int tacit__rollback_recover(const char *state_dir)
{
    char *tmp = path_with(state_dir, SUFFIX_TMP), *done = path_with(state_dir, SUFFIX_DONE),
         *old = path_with(state_dir, SUFFIX_OLD);
    int rc = TACIT_OK;
    if (tmp == NULL || done == NULL || old == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    if (exists(tmp)) {
        tacit_log(TACIT_LOG_WARN, "state",
                  "a chain rollback was interrupted while its store was built: discarded (%s); "
                  "the chain is as it was before it",
                  TACIT_LOG_S(tmp));
        tacit__datadir_remove_tree(tmp);
    }
    if (exists(done)) {
        if (exists(state_dir)) {
            tacit__datadir_remove_tree(old);
            if (rename(state_dir, old) != 0) goto io;
        }
        if (rename(done, state_dir) != 0) goto io;
        (void)sync_parent(state_dir);
        tacit_log(TACIT_LOG_WARN, "state",
                  "a chain rollback was interrupted after its store was built: finished now "
                  "(the rolled-back store is in %s)",
                  TACIT_LOG_S(state_dir));
    }
    if (exists(old)) {
        if (exists(state_dir)) {
            tacit__datadir_remove_tree(old);
        } else {
            if (rename(old, state_dir) != 0) goto io;
            (void)sync_parent(state_dir);
            tacit_log(TACIT_LOG_WARN, "state",
                      "a store swap was interrupted before the new store was in place: the old "
                      "store is back in %s",
                      TACIT_LOG_S(state_dir));
        }
    }
    goto out;
io:
    tacit_log(TACIT_LOG_ERROR, "state", "cannot finish an interrupted rollback in %s: %s",
              TACIT_LOG_S(state_dir), strerror(errno));
    rc = TACIT_EIO;
out:
    free(tmp);
    free(done);
    free(old);
    return rc;
}

/* The transactions of the blocks from height on (in block order), to put back in the pool. */
struct requeue {
    struct tacit_tx *txs;
    uint8_t (*ids)[32];
    uint8_t (*bytes)[TACIT_TX_BYTES];
    size_t n, cap;
};

static void requeue_free(struct requeue *q)
{
    free(q->txs);
    free(q->ids);
    free(q->bytes);
}

static int requeue_collect(struct tacit_state *st, uint64_t from, uint64_t to, struct requeue *q)
{
    int rc = TACIT_OK;
    for (uint64_t h = from; h < to && rc == TACIT_OK; h++) {
        uint8_t *bytes = NULL;
        size_t len;
        struct tacit_block *b = NULL;
        if ((rc = tacit_state_block_by_height(st, h, NULL, &bytes, &len)) != TACIT_OK ||
            (rc = tacit_block_decode(&b, bytes, len)) != TACIT_OK) {
            free(bytes);
            break;
        }
        if (q->n + b->ntxs > q->cap) {
            size_t cap = q->n + b->ntxs + 64;
            void *a = realloc(q->txs, cap * sizeof *q->txs), *i, *y;
            if (a != NULL) q->txs = a;
            i = realloc(q->ids, cap * sizeof *q->ids);
            if (i != NULL) q->ids = i;
            y = realloc(q->bytes, cap * sizeof *q->bytes);
            if (y != NULL) q->bytes = y;
            if (a == NULL || i == NULL || y == NULL)
                rc = TACIT_ENOMEM;
            else
                q->cap = cap;
        }
        for (size_t i = 0; rc == TACIT_OK && i < b->ntxs; i++) {
            q->txs[q->n] = b->txs[i];
            memcpy(q->ids[q->n], b->tx_ids[i], 32);
            memcpy(q->bytes[q->n], b->bytes + b->tx_offsets[i], TACIT_TX_BYTES);
            q->n++;
        }
        tacit_block_free(b);
        free(bytes);
    }
    return rc;
}

/* Blocks 0 .. height - 1 of old applied to a new store in dir (made; synced when done), the
 * settlement records kept copied; its tip checked against old's at height - 1. */
static int build(struct tacit_node *n, uint64_t height, const char *dir)
{
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    struct tacit_chain_params p = n->params;
    struct tacit_state_tip tip;
    char *db = NULL;
    int rc;

    tacit_state_options_init(&o);
    o.chain_id = n->params.chain_id;
    o.root_history = tacit_state_root_history(n->st);
    o.flags = TACIT_STATE_NOSYNC; /* data.mdb is fsynced once at the end */
    if ((rc = tacit_state_open(&st, dir, &o)) != TACIT_OK) return rc;
    p.min_fee = 0; /* a policy of admission: the blocks hold what was taken */
    /* a follower's blocks from L1 were taken as the contract accepted them (follow_l1.c) */
    p.l1_derived = tacit__following_l1(n);
    for (uint64_t h = 0; h < height && rc == TACIT_OK; h++) {
        uint8_t *bytes = NULL;
        size_t len;
        long bad = -1;
        if ((rc = tacit_state_block_by_height(n->st, h, NULL, &bytes, &len)) != TACIT_OK) break;
        rc = tacit_block_apply(st, bytes, len, &p, n->pvk, &bad);
        free(bytes);
        if (rc != TACIT_OK)
            tacit_log(TACIT_LOG_ERROR, "state",
                      "rollback: stored block %" PRIu64 " does not apply again: %s (tx %ld)", h,
                      tacit_strerror(rc), bad);
    }
    if (rc == TACIT_OK && (rc = tacit_state_tip(st, &tip)) == TACIT_OK && height > 0) {
        uint8_t hash[32];
        struct tacit_state_digests d;
        if ((rc = tacit_state_block_by_height(n->st, height - 1, hash, NULL, NULL)) == TACIT_OK &&
            (rc = tacit_state_digests_at(n->st, height - 1, &d)) == TACIT_OK &&
            (tip.next_height != height || memcmp(tip.hash, hash, 32) != 0 ||
             memcmp(&tip.digests, &d, sizeof d) != 0)) {
            tacit_log(TACIT_LOG_ERROR, "state",
                      "rollback: the rebuilt chain's tip differs from block %" PRIu64 " as stored",
                      height - 1);
            rc = TACIT_ECORRUPT;
        }
    }
    if (rc == TACIT_OK) rc = tacit__settle_records_copy(n->st, st, height);
    if (rc == TACIT_OK) rc = tacit_state_check(st);
    tacit_state_close(st);
    if (rc == TACIT_OK && (asprintf(&db, "%s/data.mdb", dir) < 0 || db == NULL)) {
        db = NULL;
        rc = TACIT_ENOMEM;
    }
    if (rc == TACIT_OK && (sync_path(db, false) != 0 || sync_path(dir, true) != 0))
        rc = TACIT_ESTATE_IO;
    free(db);
    return rc;
}

static void removed_count(void *ud, const uint8_t id[32], int reason)
{
    struct tacit_node *n = ud;
    char hex[67];
    tacit__status_rejected(n, id, reason);
    n->rollback_dropped++;
    tacit_hex_encode(hex, id, 32);
    tacit_log(TACIT_LOG_WARN, "chain", "rollback: transaction %s dropped: %s (%s)", hex,
              tacit_strerror(reason), tacit_errname(reason));
}

/* The node's caches after the store changed under them. */
static void caches_reset(struct tacit_node *n, uint64_t height, const struct requeue *q,
                         size_t *requeued)
{
    struct tacit_state_tip tip;
    tacit__recent_blocks_clear(n);
    n->bat.commits++; /* a verify job's state checks are made again */
    if (n->cfg.settler != NULL) {
        struct tacit__settle *se = &n->settle;
        if (tacit__settle_heads_load(n->st, &se->heads) != TACIT_OK)
            memset(&se->heads, 0, sizeof se->heads);
        se->gas_total = se->heads.gas_used;
        if (tacit_state_tip(n->st, &tip) == TACIT_OK &&
            tacit__settle_queue_next(n->st, tip.next_height, &se->queue_next) == TACIT_OK) {
            /* the cached entries are fetched again from there (a reorg changed them) */
            se->queue_base = se->queue_next;
            se->nqueue = 0;
        }
        if (se->halted && se->halt_height >= height) {
            tacit_log(TACIT_LOG_WARN, "settle",
                      "the submission halt at block %" PRIu64 " is lifted: that block was rolled "
                      "back",
                      se->halt_height);
            se->halted = false;
        }
    }
    /* the dropped blocks' transactions: their proofs were verified when the blocks were */
    *requeued = 0;
    for (size_t i = 0; i < q->n; i++) {
        int rc = tacit_mempool_add(n->mp, &q->txs[i], q->ids[i], q->bytes[i], tacit__now_ms(),
                                   removed_count, n);
        if (rc == TACIT_OK)
            (*requeued)++;
        else
            removed_count(n, q->ids[i], rc);
    }
    (void)tacit_mempool_after_block(n->mp, NULL, 0, n->st, removed_count, n);
}

int tacit__chain_rollback_ex(struct tacit_node *n, uint64_t height, size_t *requeued,
                             size_t *dropped)
{
    struct tacit_state_tip tip;
    struct requeue q;
    char *tmp = NULL, *done = NULL, *old = NULL;
    size_t back = 0;
    double t0 = tacit__mono_s();
    int rc;

    memset(&q, 0, sizeof q);
    if (requeued != NULL) *requeued = 0;
    if (dropped != NULL) *dropped = 0;
    if (n->st == NULL) return TACIT_EINVAL;
    if (tacit__node_jobs_busy(n)) return TACIT_EBUSY;
    if ((rc = tacit_state_tip(n->st, &tip)) != TACIT_OK) return rc;
    if (height > tip.next_height) return TACIT_EINVAL;
    if (height == tip.next_height) return TACIT_OK;
    if ((tmp = path_with(n->state_dir, SUFFIX_TMP)) == NULL ||
        (done = path_with(n->state_dir, SUFFIX_DONE)) == NULL ||
        (old = path_with(n->state_dir, SUFFIX_OLD)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    if ((rc = requeue_collect(n->st, height, tip.next_height, &q)) != TACIT_OK) goto out;
    tacit__datadir_remove_tree(tmp);
    tacit__datadir_remove_tree(done);
    if ((rc = build(n, height, tmp)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "chain",
                  "rollback to height %" PRIu64 " failed (%s): the chain is unchanged", height,
                  tacit_strerror(rc));
        tacit__datadir_remove_tree(tmp);
        goto out;
    }
    if (crash_here(1)) goto crash;
    /* the decision: from here a restart finishes the swap */
    if (rename(tmp, done) != 0 || sync_parent(done) != 0) {
        tacit_log(TACIT_LOG_ERROR, "chain", "rollback: cannot rename %s: %s", TACIT_LOG_S(tmp),
                  strerror(errno));
        tacit__datadir_remove_tree(tmp);
        tacit__datadir_remove_tree(done);
        rc = TACIT_EIO;
        goto out;
    }
    if (crash_here(2)) goto crash;
    tacit_state_close(n->st);
    n->st = NULL;
    tacit__datadir_remove_tree(old);
    if (rename(n->state_dir, old) != 0 || (!crash_here(3) && rename(done, n->state_dir) != 0)) {
        tacit_log(TACIT_LOG_ERROR, "chain", "rollback: cannot move the new store in place: %s",
                  strerror(errno));
        rc = TACIT_EIO;
    }
    if (crash_here(3) || crash_here(4)) goto crash;
    (void)sync_parent(n->state_dir);
    /* whatever happened: what a restart would do (the new store in place, else the old) */
    if (tacit__rollback_recover(n->state_dir) != TACIT_OK || tacit__state_reopen(n) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "chain", "rollback: the store cannot be opened again");
        rc = TACIT_ESTATE_IO;
        goto out;
    }
    if (rc != TACIT_OK) goto out;
    n->rollback_dropped = 0;
    caches_reset(n, height, &q, &back);
    back = 0;
    for (size_t i = 0; i < q.n; i++) back += tacit_mempool_has(n->mp, q.ids[i]);
    n->m.rollbacks++;
    n->m.rolled_back_blocks += tip.next_height - height;
    tacit_log(TACIT_LOG_WARN, "chain",
              "rolled back: blocks %" PRIu64 " .. %" PRIu64 " dropped, the next block is %" PRIu64
              " again (%.0f ms); %zu of their %zu transactions pending again, %zu transactions "
              "dropped by the re-check",
              height, tip.next_height - 1, height, (tacit__mono_s() - t0) * 1e3, back, q.n,
              n->rollback_dropped);
    if (requeued != NULL) *requeued = back;
    if (dropped != NULL) *dropped = n->rollback_dropped;
    goto out;
crash:
    tacit_state_close(n->st);
    n->st = NULL;
    rc = TACIT_EIO;
out:
    requeue_free(&q);
    free(tmp);
    free(done);
    free(old);
    return rc;
}

int tacit__chain_rollback(struct tacit_node *n, uint64_t height)
{
    return tacit__chain_rollback_ex(n, height, NULL, NULL);
}
