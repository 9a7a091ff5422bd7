/*
 * tacit — state views: the interface of the protocol rules. A view reads the committed state
 * through one LMDB read transaction and keeps the changes of a candidate block in memory:
 * the commitments appended, the nullifiers marked (with a hash set for duplicates) and the
 * account deltas (with an overlay of touched accounts). The digests are computed as
 * apply_block computes them, from the same functions (digest.c, tree.c), so a header made
 * from a view is the header apply_block accepts. Tree hashing is deferred to
 * tacit_state_view_digests and done in one batch (appending per transaction would hash the
 * 32-node right edge once per transaction).
 */
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"
#include "tacit/error.h"

struct acct_entry {
    uint8_t address[TACIT_ADDRESS_LEN];
    struct tacit_account base, cur;
};

struct tacit_state_view {
    struct tacit_state *st;
    MDB_txn *txn;
    struct tacit__tip base;

    tacit_fr *cms;
    size_t ncms, cap_cms;

    tacit_fr *nfs;
    size_t nnfs, cap_nfs;
    uint32_t *nf_slots; /* open addressing: 0 empty, i + 1 = nfs[i] */
    size_t nf_mask;     /* slot count - 1 (a power of two), 0 when none */

    struct tacit_account_delta *deltas;
    size_t ndeltas, cap_deltas;

    struct acct_entry *accts;
    size_t naccts, cap_accts;
    uint32_t *acct_slots;
    size_t acct_mask;

    /* digests cache: valid while ncms/nnfs/ndeltas equal these */
    bool cached;
    size_t c_ncms, c_nnfs, c_ndeltas;
    struct tacit_state_digests c_digests;
};

/* ------------------------------------------------------------------ helpers ---- */

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
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

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static uint64_t hash_fr(const tacit_fr *a) { return mix(a->l[0] ^ a->l[1] * 31 ^ a->l[2] * 131 ^ a->l[3]); }

static uint64_t hash_addr(const uint8_t *a) {
    uint64_t x = 0, y = 0;
    memcpy(&x, a, 8);
    memcpy(&y, a + 8, 8);
    return mix(x ^ mix(y ^ a[16] ^ (uint64_t)a[19] << 8));
}

/* Rebuilds a slot table of 2 * n..4 * n slots for n entries hashed by h(i). */
static int slots_rebuild(uint32_t **slots, size_t *mask, size_t n,
                         uint64_t (*h)(const struct tacit_state_view *, size_t),
                         const struct tacit_state_view *v) {
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

static uint64_t nf_hash_at(const struct tacit_state_view *v, size_t i) { return hash_fr(&v->nfs[i]); }
static uint64_t acct_hash_at(const struct tacit_state_view *v, size_t i) {
    return hash_addr(v->accts[i].address);
}

static bool nf_marked(const struct tacit_state_view *v, const tacit_fr *nf) {
    if (v->nf_slots == NULL) return false;
    for (size_t j = hash_fr(nf) & v->nf_mask; v->nf_slots[j] != 0; j = (j + 1) & v->nf_mask)
        if (tacit_fr_eq(&v->nfs[v->nf_slots[j] - 1], nf)) return true;
    return false;
}

static struct acct_entry *acct_find(const struct tacit_state_view *v, const uint8_t *addr) {
    if (v->acct_slots == NULL) return NULL;
    for (size_t j = hash_addr(addr) & v->acct_mask; v->acct_slots[j] != 0; j = (j + 1) & v->acct_mask) {
        struct acct_entry *e = &v->accts[v->acct_slots[j] - 1];
        if (memcmp(e->address, addr, TACIT_ADDRESS_LEN) == 0) return e;
    }
    return NULL;
}

/* The overlay entry of addr, loaded from the committed state on first use. */
static int acct_load(struct tacit_state_view *v, const uint8_t *addr, struct acct_entry **out) {
    struct tacit_account a;
    struct acct_entry *e;
    int rc;

    if ((*out = acct_find(v, addr)) != NULL) return TACIT_OK;
    if (v->naccts >= UINT32_MAX - 1) return TACIT_ENOMEM;
    if ((rc = tacit__state_get_account(v->st, v->txn, addr, &a)) != TACIT_OK) return rc;
    if ((rc = grow((void **)&v->accts, &v->cap_accts, v->naccts + 1, sizeof *v->accts)) != TACIT_OK)
        return rc;
    e = &v->accts[v->naccts];
    memcpy(e->address, addr, TACIT_ADDRESS_LEN);
    e->base = e->cur = a;
    v->naccts++;
    if (2 * v->naccts + 2 > v->acct_mask + 1) {
        if ((rc = slots_rebuild(&v->acct_slots, &v->acct_mask, v->naccts, acct_hash_at, v)) != TACIT_OK) {
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

/* ---------------------------------------------------------------- lifecycle ---- */

int tacit_state_view_new(struct tacit_state *st, struct tacit_state_view **out) {
    struct tacit_state_view *v;
    int rc;

    *out = NULL;
    if ((v = calloc(1, sizeof *v)) == NULL) return TACIT_ENOMEM;
    v->st = st;
    if ((rc = tacit__state_read_begin(st, &v->txn)) != TACIT_OK) goto out_free;
    if ((rc = tacit__state_read_tip(st, v->txn, &v->base)) != TACIT_OK) goto out_end;
    *out = v;
    return TACIT_OK;

out_end:
    tacit__state_read_end(st, v->txn);
out_free:
    free(v);
    return rc;
}

void tacit_state_view_free(struct tacit_state_view *v) {
    if (v == NULL) return;
    tacit__state_read_end(v->st, v->txn);
    free(v->cms);
    free(v->nfs);
    free(v->nf_slots);
    free(v->deltas);
    free(v->accts);
    free(v->acct_slots);
    free(v);
}

void tacit_state_view_base(const struct tacit_state_view *v, struct tacit_state_tip *out) {
    *out = v->base.t;
}

/* ------------------------------------------------------------------ queries ---- */

int tacit_state_view_anchor_recent(struct tacit_state_view *v, const tacit_fr *root, bool *recent) {
    return tacit__state_anchor_recent(v->st, v->txn, v->base.t.next_height, root, recent);
}

int tacit_state_view_nullifier_spent(struct tacit_state_view *v, const tacit_fr *nf, bool *spent) {
    if (nf_marked(v, nf)) {
        *spent = true;
        return TACIT_OK;
    }
    return tacit__state_nullifier_spent(v->st, v->txn, nf, spent);
}

bool tacit_state_view_nullifier_marked(const struct tacit_state_view *v, const tacit_fr *nf) {
    return nf_marked(v, nf);
}

int tacit_state_view_account(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                             struct tacit_account *out) {
    struct acct_entry *e = acct_find(v, address);
    if (e != NULL) {
        *out = e->cur;
        return TACIT_OK;
    }
    return tacit__state_get_account(v->st, v->txn, address, out);
}

/* ------------------------------------------------------------------ changes ---- */

int tacit_state_view_mark_nullifier(struct tacit_state_view *v, const tacit_fr *nf) {
    bool spent;
    size_t j;
    int rc;

    if ((rc = tacit_state_view_nullifier_spent(v, nf, &spent)) != TACIT_OK) return rc;
    if (spent) return TACIT_ENULLIFIER_SPENT;
    if (v->nnfs >= UINT32_MAX - 1) return TACIT_ENOMEM;
    if ((rc = grow((void **)&v->nfs, &v->cap_nfs, v->nnfs + 1, sizeof *v->nfs)) != TACIT_OK) return rc;
    v->nfs[v->nnfs++] = *nf;
    if (2 * v->nnfs + 2 > v->nf_mask + 1) {
        if ((rc = slots_rebuild(&v->nf_slots, &v->nf_mask, v->nnfs, nf_hash_at, v)) != TACIT_OK) {
            v->nnfs--;
            return rc;
        }
        return TACIT_OK;
    }
    for (j = hash_fr(nf) & v->nf_mask; v->nf_slots[j] != 0; j = (j + 1) & v->nf_mask) {
    }
    v->nf_slots[j] = (uint32_t)v->nnfs;
    return TACIT_OK;
}

int tacit_state_view_append_commitments(struct tacit_state_view *v, const tacit_fr *cm, size_t n) {
    uint64_t size = v->base.t.digests.commitment_count + v->ncms;
    int rc;
    if (n == 0) return TACIT_OK;
    if (cm == NULL) return TACIT_EINVAL;
    if (size > TACIT_TREE_MAX_LEAVES || n > TACIT_TREE_MAX_LEAVES - size) return TACIT_ETREE_FULL;
    if ((rc = grow((void **)&v->cms, &v->cap_cms, v->ncms + n, sizeof *v->cms)) != TACIT_OK) return rc;
    memcpy(&v->cms[v->ncms], cm, n * sizeof *cm);
    v->ncms += n;
    return TACIT_OK;
}

/* Applies deltas d[0..n-1] (on one or two accounts) all or nothing, and logs them. */
static int apply_deltas(struct tacit_state_view *v, const struct tacit_account_delta *d, size_t n) {
    struct acct_entry *e[2];
    struct tacit_account a[2];
    int rc;

    if ((rc = grow((void **)&v->deltas, &v->cap_deltas, v->ndeltas + n, sizeof *v->deltas)) != TACIT_OK)
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

int tacit_state_view_credit(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                            uint64_t amount) {
    struct tacit_account_delta d = {.credit = amount};
    memcpy(d.address, address, TACIT_ADDRESS_LEN);
    return apply_deltas(v, &d, 1);
}

int tacit_state_view_debit(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN],
                           uint64_t amount) {
    struct tacit_account_delta d = {.debit = amount};
    memcpy(d.address, address, TACIT_ADDRESS_LEN);
    return apply_deltas(v, &d, 1);
}

int tacit_state_view_move(struct tacit_state_view *v, const uint8_t from[TACIT_ADDRESS_LEN],
                          const uint8_t to[TACIT_ADDRESS_LEN], uint64_t amount) {
    struct tacit_account_delta d[2] = {{.debit = amount}, {.credit = amount}};
    memcpy(d[0].address, from, TACIT_ADDRESS_LEN);
    memcpy(d[1].address, to, TACIT_ADDRESS_LEN);
    return apply_deltas(v, d, 2);
}

int tacit_state_view_bump_nonce(struct tacit_state_view *v, const uint8_t address[TACIT_ADDRESS_LEN]) {
    struct tacit_account_delta d = {.nonce_add = 1};
    memcpy(d.address, address, TACIT_ADDRESS_LEN);
    return apply_deltas(v, &d, 1);
}

/* --------------------------------------------------------------- savepoints ---- */

void tacit_state_view_savepoint(const struct tacit_state_view *v, struct tacit_state_view_savepoint *sp) {
    memset(sp, 0, sizeof *sp);
    sp->ncommitments = v->ncms;
    sp->nnullifiers = v->nnfs;
    sp->ndeltas = v->ndeltas;
}

int tacit_state_view_rollback(struct tacit_state_view *v, const struct tacit_state_view_savepoint *sp) {
    int rc;
    if (sp->ncommitments > v->ncms || sp->nnullifiers > v->nnfs || sp->ndeltas > v->ndeltas)
        return TACIT_EINVAL;
    v->ncms = sp->ncommitments;
    if (sp->nnullifiers != v->nnfs) {
        v->nnfs = sp->nnullifiers;
        if ((rc = slots_rebuild(&v->nf_slots, &v->nf_mask, v->nnfs, nf_hash_at, v)) != TACIT_OK) return rc;
    }
    if (sp->ndeltas != v->ndeltas) {
        /* replay the kept deltas on the committed values: they applied before, so they do again */
        v->ndeltas = sp->ndeltas;
        for (size_t i = 0; i < v->naccts; i++) v->accts[i].cur = v->accts[i].base;
        for (size_t i = 0; i < v->ndeltas; i++) {
            struct acct_entry *e = acct_find(v, v->deltas[i].address);
            if (e == NULL || tacit__account_apply(&e->cur, &v->deltas[i]) != TACIT_OK) return TACIT_EINVAL;
        }
    }
    v->cached = false;
    return TACIT_OK;
}

/* ------------------------------------------------------------------ digests ---- */

int tacit_state_view_digests(struct tacit_state_view *v, struct tacit_state_digests *out) {
    struct tacit_state_digests d = v->base.t.digests;
    struct tacit_tree_frontier f = v->base.frontier;
    struct tacit__account_final *touched = NULL;
    size_t ntouched = 0;
    int rc;

    if (v->cached && v->c_ncms == v->ncms && v->c_nnfs == v->nnfs && v->c_ndeltas == v->ndeltas) {
        *out = v->c_digests;
        return TACIT_OK;
    }
    if ((rc = tacit_tree_append(&f, &d.note_root, v->cms, v->ncms, NULL, NULL, 0)) != TACIT_OK) return rc;
    d.commitment_count = f.size;
    for (size_t i = 0; i < v->nnfs; i++) tacit__nullifier_digest_step(d.nullifier_digest, &v->nfs[i]);
    if ((rc = tacit__touched_addresses(&touched, &ntouched, v->deltas, v->ndeltas)) != TACIT_OK) return rc;
    for (size_t i = 0; i < ntouched; i++) {
        const struct acct_entry *e = acct_find(v, touched[i].address);
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
    *out = d;
    return TACIT_OK;
}

void tacit_state_view_update(const struct tacit_state_view *v, struct tacit_block_update *u) {
    u->commitments = v->cms;
    u->ncommitments = v->ncms;
    u->nullifiers = v->nfs;
    u->nnullifiers = v->nnfs;
    u->deltas = v->deltas;
    u->ndeltas = v->ndeltas;
}
