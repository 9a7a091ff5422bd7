/*
 * tacit — the overlay of a view (src/state/overlay.h): a candidate block's changes in memory
 * over a committed base. The digests are computed as apply_block computes them, from the same
 * functions (digest.c, tree.c), so a header made from a view is the header apply_block
 * accepts. Tree hashing is deferred to the digests and done in one batch (appending per
 * transaction would hash the 32-node right edge once per transaction).
 */
#include <stdlib.h>
#include <string.h>

#include "state/digest.h"
#include "state/overlay.h"
#include "tacit/error.h"

/* ------------------------------------------------------------------ helpers ---- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t nc;
    void *q;
    if (need <= *cap) return TACIT_OK;
    nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    if (nc > SIZE_MAX / elem || (q = realloc(*p, nc * elem)) == NULL) return TACIT_ENOMEM;
    *p = q;
    *cap = nc;
    return TACIT_OK;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static uint64_t hash_fr(const tacit_fr *a)
{
    return mix(a->l[0] ^ a->l[1] * 31 ^ a->l[2] * 131 ^ a->l[3]);
}

static uint64_t hash_addr(const uint8_t *a)
{
    uint64_t x = 0, y = 0;
    memcpy(&x, a, 8);
    memcpy(&y, a + 8, 8);
    return mix(x ^ mix(y ^ a[16] ^ (uint64_t)a[19] << 8));
}

/* Rebuilds a slot table of 2 * n..4 * n slots for n entries hashed by h(i). */
static int slots_rebuild(uint32_t **slots, size_t *mask, size_t n,
                         uint64_t (*h)(const struct tacit__overlay *, size_t),
                         const struct tacit__overlay *v)
{
    size_t cap = 64;
    uint32_t *s;
    while (cap < 2 * n + 2) cap *= 2;
    if ((s = calloc(cap, sizeof *s)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t j = h(v, i) & (cap - 1);
        while (s[j] != 0) j = (j + 1) & (cap - 1);
        s[j] = (uint32_t)(i + 1);
    }
    free(*slots);
    *slots = s;
    *mask = cap - 1;
    return TACIT_OK;
}

static uint64_t nf_hash_at(const struct tacit__overlay *v, size_t i) { return hash_fr(&v->nfs[i]); }
static uint64_t acct_hash_at(const struct tacit__overlay *v, size_t i)
{
    return hash_addr(v->accts[i].address);
}

static bool nf_marked(const struct tacit__overlay *v, const tacit_fr *nf)
{
    if (v->nf_slots == NULL) return false;
    for (size_t j = hash_fr(nf) & v->nf_mask; v->nf_slots[j] != 0; j = (j + 1) & v->nf_mask)
        if (tacit_fr_eq(&v->nfs[v->nf_slots[j] - 1], nf)) return true;
    return false;
}

static struct tacit__overlay_acct *acct_find(const struct tacit__overlay *v, const uint8_t *addr)
{
    if (v->acct_slots == NULL) return NULL;
    for (size_t j = hash_addr(addr) & v->acct_mask; v->acct_slots[j] != 0;
         j = (j + 1) & v->acct_mask) {
        struct tacit__overlay_acct *e = &v->accts[v->acct_slots[j] - 1];
        if (memcmp(e->address, addr, TACIT_ADDRESS_LEN) == 0) return e;
    }
    return NULL;
}

/* The overlay entry of addr, loaded from the committed state on first use. */
static int acct_load(struct tacit__overlay *v, const uint8_t *addr,
                     struct tacit__overlay_acct **out)
{
    struct tacit_account a;
    struct tacit__overlay_acct *e;
    int rc;

    if ((*out = acct_find(v, addr)) != NULL) return TACIT_OK;
    if (v->naccts >= UINT32_MAX - 1) return TACIT_ENOMEM;
    if ((rc = v->base->account(v->base_ctx, addr, &a)) != TACIT_OK) return rc;
    if ((rc = grow((void **)&v->accts, &v->cap_accts, v->naccts + 1, sizeof *v->accts)) != TACIT_OK)
        return rc;
    e = &v->accts[v->naccts];
    memcpy(e->address, addr, TACIT_ADDRESS_LEN);
    e->base = e->cur = a;
    v->naccts++;
    if (2 * v->naccts + 2 > v->acct_mask + 1) {
        if ((rc = slots_rebuild(&v->acct_slots, &v->acct_mask, v->naccts, acct_hash_at, v)) !=
            TACIT_OK) {
            v->naccts--;
            return rc;
        }
    } else {
        size_t j = hash_addr(addr) & v->acct_mask;
        while (v->acct_slots[j] != 0) j = (j + 1) & v->acct_mask;
        v->acct_slots[j] = (uint32_t)v->naccts;
    }
    *out = e;
    return TACIT_OK;
}

/* ------------------------------------------------------------------ lifecycle ---- */

void tacit__overlay_init(struct tacit__overlay *ov, const struct tacit__overlay_base *base,
                         void *base_ctx, const struct tacit_view_tip *tip,
                         const struct tacit_tree_frontier *frontier)
{
    memset(ov, 0, sizeof *ov);
    ov->base = base;
    ov->base_ctx = base_ctx;
    ov->tip = *tip;
    ov->frontier = *frontier;
}

void tacit__overlay_clear(struct tacit__overlay *ov)
{
    free(ov->cms);
    free(ov->nfs);
    free(ov->nf_slots);
    free(ov->deltas);
    free(ov->accts);
    free(ov->acct_slots);
    free(ov->c_nodes);
    memset(ov, 0, sizeof *ov);
}

/* ------------------------------------------------------------------ queries ---- */

static void ov_tip(void *ctx, struct tacit_view_tip *out)
{
    const struct tacit__overlay *v = ctx;
    *out = v->tip;
}

static int ov_anchor_recent(void *ctx, const tacit_fr *root, bool *recent)
{
    struct tacit__overlay *v = ctx;
    return v->base->anchor_recent(v->base_ctx, root, recent);
}

static int ov_anchor_known(void *ctx, const tacit_fr *root, bool *known)
{
    struct tacit__overlay *v = ctx;
    return v->base->anchor_known(v->base_ctx, root, known);
}

static int ov_nullifier(void *ctx, const tacit_fr *nf, enum tacit_view_nullifier *out)
{
    struct tacit__overlay *v = ctx;
    bool spent;
    int rc;
    *out = TACIT_VIEW_NF_UNSPENT;
    if (nf_marked(v, nf)) {
        *out = TACIT_VIEW_NF_IN_BLOCK;
        return TACIT_OK;
    }
    if ((rc = v->base->nullifier_spent(v->base_ctx, nf, &spent)) != TACIT_OK) return rc;
    if (spent) *out = TACIT_VIEW_NF_SPENT;
    return TACIT_OK;
}

static int ov_account(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN],
                      struct tacit_account *out)
{
    struct tacit__overlay *v = ctx;
    const struct tacit__overlay_acct *e = acct_find(v, address);
    if (e != NULL) {
        *out = e->cur;
        return TACIT_OK;
    }
    return v->base->account(v->base_ctx, address, out);
}

/* ------------------------------------------------------------------ changes ---- */

static int ov_mark_nullifier(void *ctx, const tacit_fr *nf)
{
    struct tacit__overlay *v = ctx;
    bool spent;
    size_t j;
    int rc;

    if (nf_marked(v, nf)) return TACIT_ENULLIFIER_SPENT;
    if ((rc = v->base->nullifier_spent(v->base_ctx, nf, &spent)) != TACIT_OK) return rc;
    if (spent) return TACIT_ENULLIFIER_SPENT;
    if (v->nnfs >= UINT32_MAX - 1) return TACIT_ENOMEM;
    if ((rc = grow((void **)&v->nfs, &v->cap_nfs, v->nnfs + 1, sizeof *v->nfs)) != TACIT_OK)
        return rc;
    v->nfs[v->nnfs++] = *nf;
    if (2 * v->nnfs + 2 > v->nf_mask + 1) {
        if ((rc = slots_rebuild(&v->nf_slots, &v->nf_mask, v->nnfs, nf_hash_at, v)) != TACIT_OK) {
            v->nnfs--;
            return rc;
        }
        return TACIT_OK;
    }
    for (j = hash_fr(nf) & v->nf_mask; v->nf_slots[j] != 0; j = (j + 1) & v->nf_mask) {}
    v->nf_slots[j] = (uint32_t)v->nnfs;
    return TACIT_OK;
}

static int ov_append_commitments(void *ctx, const tacit_fr *cm, size_t n)
{
    struct tacit__overlay *v = ctx;
    uint64_t size = v->frontier.size + v->ncms;
    int rc;
    if (n == 0) return TACIT_OK;
    if (cm == NULL) return TACIT_EINVAL;
    if (size > TACIT_TREE_MAX_LEAVES || n > TACIT_TREE_MAX_LEAVES - size) return TACIT_ETREE_FULL;
    if ((rc = grow((void **)&v->cms, &v->cap_cms, v->ncms + n, sizeof *v->cms)) != TACIT_OK)
        return rc;
    memcpy(&v->cms[v->ncms], cm, n * sizeof *cm);
    v->ncms += n;
    return TACIT_OK;
}

/* Applies deltas d[0..n-1] (on one or two accounts) all or nothing, and logs them. */
static int apply_deltas(struct tacit__overlay *v, const struct tacit_account_delta *d, size_t n)
{
    struct tacit__overlay_acct *e[2];
    struct tacit_account a[2];
    int rc;

    if ((rc = grow((void **)&v->deltas, &v->cap_deltas, v->ndeltas + n, sizeof *v->deltas)) !=
        TACIT_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = acct_load(v, d[i].address, &e[i])) != TACIT_OK) return rc;
    }
    /* acct_load may move the entries: look them up again */
    for (size_t i = 0; i < n; i++) e[i] = acct_find(v, d[i].address);
    for (size_t i = 0; i < n; i++) a[i] = e[i]->cur;
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        if (i == 1 && e[1] == e[0]) k = 0; /* the same account twice */
        if ((rc = tacit__account_apply(&a[k], &d[i])) != TACIT_OK) return rc;
        if (k != i) a[i] = a[k];
    }
    for (size_t i = 0; i < n; i++) e[i]->cur = a[i];
    memcpy(&v->deltas[v->ndeltas], d, n * sizeof *d);
    v->ndeltas += n;
    return TACIT_OK;
}

static int ov_credit(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN], uint64_t amount)
{
    struct tacit_account_delta d = {.credit = amount};
    memcpy(d.address, address, TACIT_ADDRESS_LEN);
    return apply_deltas(ctx, &d, 1);
}

static int ov_debit(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN], uint64_t amount)
{
    struct tacit_account_delta d = {.debit = amount};
    memcpy(d.address, address, TACIT_ADDRESS_LEN);
    return apply_deltas(ctx, &d, 1);
}

static int ov_move(void *ctx, const uint8_t from[TACIT_ADDRESS_LEN],
                   const uint8_t to[TACIT_ADDRESS_LEN], uint64_t amount)
{
    struct tacit_account_delta d[2] = {{.debit = amount}, {.credit = amount}};
    memcpy(d[0].address, from, TACIT_ADDRESS_LEN);
    memcpy(d[1].address, to, TACIT_ADDRESS_LEN);
    return apply_deltas(ctx, d, 2);
}

static int ov_bump_nonce(void *ctx, const uint8_t address[TACIT_ADDRESS_LEN])
{
    struct tacit_account_delta d = {.nonce_add = 1};
    memcpy(d.address, address, TACIT_ADDRESS_LEN);
    return apply_deltas(ctx, &d, 1);
}

/* --------------------------------------------------------------- savepoints ---- */

static void ov_savepoint(void *ctx, struct tacit_view_savepoint *sp)
{
    const struct tacit__overlay *v = ctx;
    sp->mark[0] = v->ncms;
    sp->mark[1] = v->nnfs;
    sp->mark[2] = v->ndeltas;
}

static int ov_rollback(void *ctx, const struct tacit_view_savepoint *sp)
{
    struct tacit__overlay *v = ctx;
    int rc;
    if (sp->mark[0] > v->ncms || sp->mark[1] > v->nnfs || sp->mark[2] > v->ndeltas)
        return TACIT_EINVAL;
    v->ncms = sp->mark[0];
    if (sp->mark[1] != v->nnfs) {
        v->nnfs = sp->mark[1];
        if ((rc = slots_rebuild(&v->nf_slots, &v->nf_mask, v->nnfs, nf_hash_at, v)) != TACIT_OK)
            return rc;
    }
    if (sp->mark[2] != v->ndeltas) {
        /* replay the kept deltas on the committed values: they applied before, so they do again */
        v->ndeltas = sp->mark[2];
        for (size_t i = 0; i < v->naccts; i++) v->accts[i].cur = v->accts[i].base;
        for (size_t i = 0; i < v->ndeltas; i++) {
            struct tacit__overlay_acct *e = acct_find(v, v->deltas[i].address);
            if (e == NULL || tacit__account_apply(&e->cur, &v->deltas[i]) != TACIT_OK)
                return TACIT_EINVAL;
        }
    }
    v->cached = false;
    return TACIT_OK;
}

/* ------------------------------------------------------------------ digests ---- */

static bool cache_valid(const struct tacit__overlay *v)
{
    return v->cached && v->c_ncms == v->ncms && v->c_nnfs == v->nnfs && v->c_ndeltas == v->ndeltas;
}

/* tacit_tree_append's sink: the complete nodes the store keeps, into c_nodes. */
static int keep_node(void *arg, unsigned level, uint64_t index, const tacit_fr *node)
{
    struct tacit__overlay *v = arg;
    size_t n = v->c_tree.nnodes;
    int rc;
    if ((rc = grow((void **)&v->c_nodes, &v->c_cap_nodes, n + 1, sizeof *v->c_nodes)) != TACIT_OK)
        return rc;
    v->c_nodes[n].index = index;
    v->c_nodes[n].level = level;
    v->c_nodes[n].node = *node;
    v->c_tree.nnodes = n + 1;
    return TACIT_OK;
}

int tacit__overlay_result(struct tacit__overlay *v, struct tacit_tree_frontier *frontier,
                          struct tacit_state_digests *out)
{
    struct tacit_state_digests d = v->tip.digests;
    struct tacit_tree_frontier f = v->frontier;
    struct tacit__account_final *touched = NULL;
    size_t ntouched = 0;
    int rc;

    if (cache_valid(v)) {
        if (frontier != NULL) *frontier = v->c_tree.after;
        *out = v->c_digests;
        return TACIT_OK;
    }
    v->cached = false;
    v->c_tree.nnodes = 0;
    if ((rc = tacit_tree_append(&f, &d.note_root, v->cms, v->ncms, keep_node, v,
                                TACIT_STATE_TREE_MIN_STORED)) != TACIT_OK)
        return rc;
    d.commitment_count = f.size;
    for (size_t i = 0; i < v->nnfs; i++)
        tacit__nullifier_digest_step(d.nullifier_digest, &v->nfs[i]);
    if ((rc = tacit__touched_addresses(&touched, &ntouched, v->deltas, v->ndeltas)) != TACIT_OK)
        return rc;
    for (size_t i = 0; i < ntouched; i++) {
        const struct tacit__overlay_acct *e = acct_find(v, touched[i].address);
        if (e == NULL) {
            free(touched);
            return TACIT_EINVAL; /* cannot happen: every delta's account is in the overlay */
        }
        touched[i].acct = e->cur;
    }
    tacit__transparent_digest_step(d.transparent_digest, touched, ntouched);
    free(touched);
    v->cached = true;
    v->c_ncms = v->ncms;
    v->c_nnfs = v->nnfs;
    v->c_ndeltas = v->ndeltas;
    v->c_digests = d;
    v->c_tree.before = v->frontier;
    v->c_tree.after = f;
    v->c_tree.root = d.note_root;
    v->c_tree.nodes = v->c_nodes;
    if (frontier != NULL) *frontier = f;
    *out = d;
    return TACIT_OK;
}

const struct tacit_state_tree_update *tacit__overlay_tree(const struct tacit__overlay *v)
{
    return cache_valid(v) ? &v->c_tree : NULL;
}

static int ov_digests(void *ctx, struct tacit_state_digests *out)
{
    return tacit__overlay_result(ctx, NULL, out);
}

const struct tacit_view_ops tacit__overlay_ops = {
    .tip = ov_tip,
    .anchor_recent = ov_anchor_recent,
    .anchor_known = ov_anchor_known,
    .nullifier = ov_nullifier,
    .account = ov_account,
    .mark_nullifier = ov_mark_nullifier,
    .append_commitments = ov_append_commitments,
    .credit = ov_credit,
    .debit = ov_debit,
    .move = ov_move,
    .bump_nonce = ov_bump_nonce,
    .savepoint = ov_savepoint,
    .rollback = ov_rollback,
    .digests = ov_digests,
};
