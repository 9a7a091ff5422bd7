/*
 * tacit — the LMDB store's views: the state interface of the protocol rules (include/tacit/
 * view.h) over the committed state of one LMDB read transaction. The changes of a candidate
 * block live in the overlay (overlay.c, shared with the in-memory state); this file is the
 * base the overlay reads through, and the tacit_state_view_* calls of include/tacit/state.h.
 */
#include <stdlib.h>
#include <string.h>

#include "state/overlay.h"
#include "state/state_internal.h"
#include "tacit/error.h"

struct tacit_state_view {
    struct tacit__overlay ov; /* first: the interface's ctx */
    struct tacit_state *st;
    MDB_txn *txn;
    struct tacit__tip base;
};

/* ------------------------------------------------------------------- base ---- */

static int lmdb_anchor_recent(void *ctx, const tacit_fr *root, bool *recent)
{
    struct tacit_state_view *v = ctx;
    return tacit__state_anchor_recent(v->st, v->txn, v->base.t.next_height, root, recent);
}

static int lmdb_anchor_known(void *ctx, const tacit_fr *root, bool *known)
{
    struct tacit_state_view *v = ctx;
    return tacit__state_anchor_known(v->st, v->txn, v->base.t.next_height, root, known);
}

static int lmdb_nullifier_spent(void *ctx, const tacit_fr *nf, bool *spent)
{
    struct tacit_state_view *v = ctx;
    return tacit__state_nullifier_spent(v->st, v->txn, nf, spent);
}

static int lmdb_account(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN],
                        struct tacit_account *out)
{
    struct tacit_state_view *v = ctx;
    return tacit__state_get_account(v->st, v->txn, address, out);
}

static const struct tacit__overlay_base lmdb_base = {
    .anchor_recent = lmdb_anchor_recent,
    .anchor_known = lmdb_anchor_known,
    .nullifier_spent = lmdb_nullifier_spent,
    .account = lmdb_account,
};

/* ---------------------------------------------------------------- lifecycle ---- */

int tacit_state_view_new(struct tacit_state *st, struct tacit_state_view **out)
{
    struct tacit_state_view *v;
    struct tacit_view_tip tip;
    int rc;

    *out = NULL;
    if ((v = calloc(1, sizeof *v)) == NULL) return TACIT_ENOMEM;
    v->st = st;
    if ((rc = tacit__state_read_begin(st, &v->txn)) != TACIT_OK) goto out_free;
    if ((rc = tacit__state_read_tip(st, v->txn, &v->base)) != TACIT_OK) goto out_end;
    tip.next_height = v->base.t.next_height;
    memcpy(tip.hash, v->base.t.hash, 32);
    tip.digests = v->base.t.digests;
    tacit__overlay_init(&v->ov, &lmdb_base, v, &tip, &v->base.frontier);
    *out = v;
    return TACIT_OK;

out_end:
    tacit__state_read_end(st, v->txn);
out_free:
    free(v);
    return rc;
}

void tacit_state_view_free(struct tacit_state_view *v)
{
    if (v == NULL) return;
    tacit__state_read_end(v->st, v->txn);
    tacit__overlay_clear(&v->ov);
    free(v);
}

void tacit_state_view_as_view(struct tacit_state_view *v, struct tacit_view *out)
{
    out->ops = &tacit__overlay_ops;
    out->ctx = &v->ov;
}

void tacit_state_view_base(const struct tacit_state_view *v, struct tacit_state_tip *out)
{
    *out = v->base.t;
}

/* ------------------------------------------------------ the calls of state.h ---- */

int tacit_state_view_anchor_recent(struct tacit_state_view *v, const tacit_fr *root, bool *recent)
{
    return tacit__overlay_ops.anchor_recent(&v->ov, root, recent);
}

int tacit_state_view_nullifier_spent(struct tacit_state_view *v, const tacit_fr *nf, bool *spent)
{
    enum tacit_view_nullifier s;
    int rc = tacit__overlay_ops.nullifier(&v->ov, nf, &s);
    *spent = rc == TACIT_OK && s != TACIT_VIEW_NF_UNSPENT;
    return rc;
}

int tacit_state_view_account(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                             struct tacit_account *out)
{
    return tacit__overlay_ops.account(&v->ov, address, out);
}

int tacit_state_view_mark_nullifier(struct tacit_state_view *v, const tacit_fr *nf)
{
    return tacit__overlay_ops.mark_nullifier(&v->ov, nf);
}

int tacit_state_view_append_commitments(struct tacit_state_view *v, const tacit_fr *cm, size_t n)
{
    return tacit__overlay_ops.append_commitments(&v->ov, cm, n);
}

int tacit_state_view_credit(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                            uint64_t amount)
{
    return tacit__overlay_ops.credit(&v->ov, address, amount);
}

int tacit_state_view_debit(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                           uint64_t amount)
{
    return tacit__overlay_ops.debit(&v->ov, address, amount);
}

int tacit_state_view_move(struct tacit_state_view *v, const uint8_t from[TACIT_ADDRESS_LEN],
                          const uint8_t to[TACIT_ADDRESS_LEN], uint64_t amount)
{
    return tacit__overlay_ops.move(&v->ov, from, to, amount);
}

int tacit_state_view_bump_nonce(struct tacit_state_view *v,
                                const uint8_t address[TACIT_ADDRESS_LEN])
{
    return tacit__overlay_ops.bump_nonce(&v->ov, address);
}

void tacit_state_view_savepoint(const struct tacit_state_view *v, struct tacit_view_savepoint *sp)
{
    tacit__overlay_ops.savepoint((void *)&v->ov, sp);
}

int tacit_state_view_rollback(struct tacit_state_view *v, const struct tacit_view_savepoint *sp)
{
    return tacit__overlay_ops.rollback(&v->ov, sp);
}

int tacit_state_view_digests(struct tacit_state_view *v, struct tacit_state_digests *out)
{
    return tacit__overlay_ops.digests(&v->ov, out);
}

void tacit_state_view_update(const struct tacit_state_view *v, struct tacit_block_update *u)
{
    u->commitments = v->ov.cms;
    u->ncommitments = v->ov.ncms;
    u->nullifiers = v->ov.nfs;
    u->nnullifiers = v->ov.nnfs;
    u->deltas = v->ov.deltas;
    u->ndeltas = v->ov.ndeltas;
    u->tree = tacit__overlay_tree(&v->ov);
}
