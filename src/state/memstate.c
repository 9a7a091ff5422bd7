/*
 * tacit — the in-memory state (include/tacit/view.h): the committed state the rules read,
 * without LMDB. Three open-addressing hash tables keyed by 32 bytes (nullifiers; anchors:
 * root -> the latest height it was the root at, as the store's anchors table; accounts:
 * address zero-padded -> balance, nonce), the note tree's frontier (include/tacit/tree.h), the
 * digests and the tip. A view is the overlay (overlay.c, the LMDB view's too) over it; a commit
 * folds the overlay's changes in as tacit_state_apply_block folds them into the store.
 */
#include <stdlib.h>
#include <string.h>

#include "state/digest.h"
#include "state/overlay.h"
#include "tacit/error.h"

struct entry {
    uint8_t used;
    uint8_t key[32];
    uint64_t v[2];
};

struct table {
    struct entry *e;
    size_t n, mask; /* mask + 1 slots (a power of two), 0 when none */
};

struct tacit_memstate {
    uint32_t root_history;
    uint64_t generation; /* commits so far: a view made before the last one is stale */
    struct tacit_view_tip tip;
    uint64_t timestamp_ms;
    struct tacit_tree_frontier frontier;
    struct table nullifiers, anchors, accounts;
};

struct tacit_memview {
    struct tacit__overlay ov; /* first: the interface's ctx */
    struct tacit_memstate *ms;
    uint64_t generation;
};

/* ------------------------------------------------------------------ tables ---- */

static uint64_t key_hash(const uint8_t key[32])
{
    uint64_t x = 0, y = 0, z = 0;
    memcpy(&x, key, 8);
    memcpy(&y, key + 8, 8);
    memcpy(&z, key + 16, 8);
    x ^= y * 0x9e3779b97f4a7c15ULL ^ z * 0xc2b2ae3d27d4eb4fULL;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    return x ^ x >> 33;
}

static struct entry *table_find(const struct table *t, const uint8_t key[32])
{
    if (t->e == NULL) return NULL;
    for (size_t j = key_hash(key) & t->mask; t->e[j].used; j = (j + 1) & t->mask)
        if (memcmp(t->e[j].key, key, 32) == 0) return &t->e[j];
    return NULL;
}

/* The entry of key, made (zero values) if absent; table_reserve made room for it. */
static struct entry *table_put(struct table *t, const uint8_t key[32])
{
    struct entry *e = table_find(t, key);
    size_t j;
    if (e != NULL) return e;
    for (j = key_hash(key) & t->mask; t->e[j].used; j = (j + 1) & t->mask) {}
    t->e[j].used = 1;
    memcpy(t->e[j].key, key, 32);
    t->n++;
    return &t->e[j];
}

/* Room for `more` new keys (at most half the slots used), so a commit cannot fail halfway. */
static int table_reserve(struct table *t, size_t more)
{
    size_t want = t->n + more, cap = t->e ? t->mask + 1 : 0;
    struct table nt = {0};
    if (2 * want <= cap) return TACIT_OK;
    while (cap < 2 * want + 2) cap = cap ? 2 * cap : 64;
    if ((nt.e = calloc(cap, sizeof *nt.e)) == NULL) return TACIT_ENOMEM;
    nt.mask = cap - 1;
    for (size_t i = 0; t->e != NULL && i <= t->mask; i++) {
        size_t j;
        if (!t->e[i].used) continue;
        for (j = key_hash(t->e[i].key) & nt.mask; nt.e[j].used; j = (j + 1) & nt.mask) {}
        nt.e[j] = t->e[i];
        nt.n++;
    }
    free(t->e);
    *t = nt;
    return TACIT_OK;
}

static void addr_key(uint8_t key[32], const uint8_t address[TACIT_ADDRESS_LEN])
{
    memset(key, 0, 32);
    memcpy(key, address, TACIT_ADDRESS_LEN);
}

/* ------------------------------------------------------------------- base ---- */

static int mem_anchor_recent(void *ctx, const tacit_fr *root, bool *recent)
{
    const struct tacit_memstate *ms = ((struct tacit_memview *)ctx)->ms;
    uint8_t key[32];
    const struct entry *e;
    tacit_fr_to_bytes(key, root);
    e = table_find(&ms->anchors, key);
    /* the roots after blocks next_height - root_history .. next_height - 1 */
    *recent = e != NULL && ms->tip.next_height - e->v[0] <= ms->root_history;
    return TACIT_OK;
}

static int mem_anchor_known(void *ctx, const tacit_fr *root, bool *known)
{
    const struct tacit_memstate *ms = ((struct tacit_memview *)ctx)->ms;
    uint8_t key[32];
    tacit_fr_to_bytes(key, root);
    *known = table_find(&ms->anchors, key) != NULL;
    return TACIT_OK;
}

static int mem_nullifier_spent(void *ctx, const tacit_fr *nf, bool *spent)
{
    const struct tacit_memstate *ms = ((struct tacit_memview *)ctx)->ms;
    uint8_t key[32];
    tacit_fr_to_bytes(key, nf);
    *spent = table_find(&ms->nullifiers, key) != NULL;
    return TACIT_OK;
}

int tacit_memstate_account(const struct tacit_memstate *ms,
                           const uint8_t address[TACIT_ADDRESS_LEN], struct tacit_account *out)
{
    uint8_t key[32];
    const struct entry *e;
    addr_key(key, address);
    e = table_find(&ms->accounts, key);
    out->balance = e ? e->v[0] : 0;
    out->nonce = e ? e->v[1] : 0;
    return TACIT_OK;
}

static int mem_account(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN],
                       struct tacit_account *out)
{
    return tacit_memstate_account(((struct tacit_memview *)ctx)->ms, address, out);
}

static const struct tacit__overlay_base mem_base = {
    .anchor_recent = mem_anchor_recent,
    .anchor_known = mem_anchor_known,
    .nullifier_spent = mem_nullifier_spent,
    .account = mem_account,
};

/* --------------------------------------------------------------- lifecycle ---- */

int tacit_memstate_new(struct tacit_memstate **out, uint32_t root_history)
{
    struct tacit_memstate *ms;
    *out = NULL;
    if ((ms = calloc(1, sizeof *ms)) == NULL) return TACIT_ENOMEM;
    ms->root_history = root_history ? root_history : TACIT_STATE_ROOT_HISTORY_DEFAULT;
    /* the empty tree's root and frontier, as the store's empty tip */
    tacit_tree_frontier_init(&ms->frontier);
    ms->tip.digests.note_root = *tacit_tree_zero(TACIT_TREE_DEPTH);
    *out = ms;
    return TACIT_OK;
}

void tacit_memstate_free(struct tacit_memstate *ms)
{
    if (ms == NULL) return;
    free(ms->nullifiers.e);
    free(ms->anchors.e);
    free(ms->accounts.e);
    free(ms);
}

void tacit_memstate_tip(const struct tacit_memstate *ms, struct tacit_view_tip *out,
                        uint64_t *timestamp_ms)
{
    if (out != NULL) *out = ms->tip;
    if (timestamp_ms != NULL) *timestamp_ms = ms->timestamp_ms;
}

int tacit_memstate_view_new(struct tacit_memstate *ms, struct tacit_memview **out)
{
    struct tacit_memview *mv;
    *out = NULL;
    if ((mv = calloc(1, sizeof *mv)) == NULL) return TACIT_ENOMEM;
    mv->ms = ms;
    mv->generation = ms->generation;
    tacit__overlay_init(&mv->ov, &mem_base, mv, &ms->tip, &ms->frontier);
    *out = mv;
    return TACIT_OK;
}

void tacit_memview_free(struct tacit_memview *mv)
{
    if (mv == NULL) return;
    tacit__overlay_clear(&mv->ov);
    free(mv);
}

void tacit_memview_view(struct tacit_memview *mv, struct tacit_view *out)
{
    out->ops = &tacit__overlay_ops;
    out->ctx = &mv->ov;
}

/* ------------------------------------------------------------------ commit ---- */

int tacit_memstate_commit(struct tacit_memstate *ms, struct tacit_memview *mv,
                          const uint8_t hash[32], uint64_t timestamp_ms)
{
    struct tacit__overlay *ov = &mv->ov;
    struct tacit_tree_frontier f;
    struct tacit_state_digests d;
    uint8_t key[32];
    struct entry *e;
    int rc;

    if (mv->ms != ms || mv->generation != ms->generation) return TACIT_EINVAL;
    if ((rc = tacit__overlay_result(ov, &f, &d)) != TACIT_OK) return rc;
    /* every allocation first: past this point nothing fails */
    if ((rc = table_reserve(&ms->nullifiers, ov->nnfs)) != TACIT_OK ||
        (rc = table_reserve(&ms->accounts, ov->naccts)) != TACIT_OK ||
        (rc = table_reserve(&ms->anchors, 1)) != TACIT_OK)
        return rc;
    for (size_t i = 0; i < ov->nnfs; i++) {
        tacit_fr_to_bytes(key, &ov->nfs[i]);
        (void)table_put(&ms->nullifiers, key);
    }
    for (size_t i = 0; i < ov->naccts; i++) {
        addr_key(key, ov->accts[i].address);
        e = table_put(&ms->accounts, key);
        e->v[0] = ov->accts[i].cur.balance;
        e->v[1] = ov->accts[i].cur.nonce;
    }
    tacit_fr_to_bytes(key, &d.note_root);
    e = table_put(&ms->anchors, key);
    e->v[0] = ms->tip.next_height;
    ms->frontier = f;
    ms->tip.digests = d;
    ms->tip.next_height++;
    memcpy(ms->tip.hash, hash, 32);
    ms->timestamp_ms = timestamp_ms;
    ms->generation++;
    return TACIT_OK;
}
