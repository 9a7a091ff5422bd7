/*
 * tacit — the mempool (src/node/mempool.h): pending txs indexed three ways and ordered by fee.
 *
 * Every pending tx is one heap block, struct mp_entry, linked into:
 *   - three chained hash tables through its struct mp_link members: by tx id, by each of its
 *     two nullifiers, and (deposits only) by (sender, nonce). Keys are 32 bytes; the bucket is
 *     chosen by SipHash-2-4 (crypto_shorthash) under a random per-pool key, because ids,
 *     nullifiers and deposit senders are chosen by whoever submits a tx;
 *   - a treap (Seidel and Aragon, "Randomized search trees", Algorithmica 1996) ordered by
 *     (fee desc, arrival seq asc) with random heap priorities: O(log n) expected insert/delete
 *     whatever keys a peer picks, in-order traversal for select, the rightmost node for
 *     eviction and min_fee;
 *   - a doubly linked list in arrival order (after_block's re-check, flush, dump);
 *   - two group indexes, by anchor and (deposits) by sender: a hash table of groups (struct
 *     mp_group, keyed like the tables above), each with a doubly linked list of its members,
 *     so a member leaves in O(1) however many share its key;
 *   - the array of the txs that draw on the pool (the turnstile rule of tacit_tx_check_state)
 *     with what each needs of it, removed by swapping in the last one.
 * The last three let after_block_delta look only at what a block can have invalidated.
 * check() keeps every key unique within its table (one pending spender per nullifier, one
 * pending deposit per (sender, nonce), one entry per id), so a lookup finds at most one entry.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/mempool.h"
#include "tacit/circuit.h" /* TACIT_TRANSFER_PUB_NF0, NF1: where the nullifiers are */
#include "tacit/error.h"

#define MP_KEY_BYTES 32
#define MP_TABLE_MIN_BUCKETS 256
#define MP_DUMP_MAGIC "tacitmp1"
#define MP_DUMP_HEADER 16
#define MP_DUMP_RECORD (8 + TACIT_TX_BYTES)

struct mp_entry;

/* A membership of an entry in one hash table. */
struct mp_link {
    struct mp_link *next;
    uint64_t hash;
    uint8_t key[MP_KEY_BYTES];
    struct mp_entry *entry;
};

enum { MP_LINK_ID, MP_LINK_NF0, MP_LINK_NF1, MP_LINK_DEPOSIT, MP_NLINKS };
enum { MP_GROUP_ANCHOR, MP_GROUP_SENDER, MP_NGROUPS };

/* The pending txs that share an anchor, or a deposit sender. */
struct mp_group {
    struct mp_link link; /* first: in mp->groups[kind] (link.entry unused) */
    struct mp_entry *head;
};

/* A tx that draws on the pool: withdrawal + fee - deposit, what the pool must hold. */
struct mp_need {
    uint64_t need;
    struct mp_entry *entry;
};

struct mp_entry {
    struct tacit_mempool_item item; /* what select and get copy out */
    uint64_t fee;
    uint64_t seq;                  /* arrival order */
    uint64_t prio;                 /* treap heap priority (random) */
    struct mp_entry *left, *right; /* treap */
    struct mp_entry *prev, *next;  /* arrival list */
    bool deposit;
    bool unchecked; /* a re-check met a store error: the next one checks it in full */
    size_t need_at; /* its slot in mp->needs, SIZE_MAX when it draws nothing */
    struct mp_link link[MP_NLINKS];
    struct mp_group *group[MP_NGROUPS]; /* NULL: not in that index */
    struct mp_entry *gprev[MP_NGROUPS], *gnext[MP_NGROUPS];
};

struct mp_table {
    struct mp_link **bucket;
    size_t mask; /* buckets - 1 (a power of two) */
    size_t n;
};

struct tacit_mempool {
    struct tacit_mempool_limits limits;
    size_t capacity; /* min(max_txs, max_bytes / entry bytes) */
    size_t count;
    uint64_t next_seq;
    uint64_t rng; /* splitmix64 state for treap priorities */
    uint8_t sipkey[crypto_shorthash_KEYBYTES];
    struct mp_table ids, nullifiers, deposits;
    struct mp_table groups[MP_NGROUPS]; /* of struct mp_group */
    struct mp_need *needs;              /* the turnstile's users, in no order */
    size_t nneeds, capneeds;
    size_t nunchecked;
    struct mp_entry *root;            /* treap */
    struct mp_entry *oldest, *newest; /* arrival list */
};

/* ---------------------------------------------------------------- keys ---- */

/* Field elements are keyed by their Montgomery limbs: a bijection of the canonical value. */
static void key_of_fr(uint8_t key[MP_KEY_BYTES], const tacit_fr *f)
{
    memcpy(key, f->l, MP_KEY_BYTES);
}

/* sender (20) || nonce (u64 LE) || 4 zero bytes. */
static void key_of_deposit(uint8_t key[MP_KEY_BYTES], const struct tacit_tx_ext *ext)
{
    uint64_t n = ext->deposit_nonce;
    memset(key, 0, MP_KEY_BYTES);
    memcpy(key, ext->deposit_sender, TACIT_ADDRESS_LEN);
    for (int i = 0; i < 8; i++) key[TACIT_ADDRESS_LEN + i] = (uint8_t)(n >> (8 * i));
}

static bool tx_is_deposit(const struct tacit_tx *tx) { return tx->ext.deposit_amount != 0; }

static uint64_t key_hash(const struct tacit_mempool *mp, const uint8_t key[MP_KEY_BYTES])
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v = 0;
    crypto_shorthash(h, key, MP_KEY_BYTES, mp->sipkey);
    for (int i = 0; i < 8; i++) v |= (uint64_t)h[i] << (8 * i);
    return v;
}

/* ------------------------------------------------------------ hash tables ---- */

static int table_init(struct mp_table *t)
{
    t->bucket = calloc(MP_TABLE_MIN_BUCKETS, sizeof *t->bucket);
    if (t->bucket == NULL) return TACIT_ENOMEM;
    t->mask = MP_TABLE_MIN_BUCKETS - 1;
    t->n = 0;
    return TACIT_OK;
}

static void table_clear(struct mp_table *t)
{
    free(t->bucket);
    t->bucket = NULL;
}

/* Doubles the buckets when the load passes 1. A failed allocation is not an error: chaining
 * works at any load, only slower. */
static void table_maybe_grow(struct mp_table *t)
{
    size_t nb = (t->mask + 1) * 2;
    struct mp_link **b;
    if (t->n <= t->mask + 1 || nb > SIZE_MAX / sizeof *b) return;
    if ((b = calloc(nb, sizeof *b)) == NULL) return;
    for (size_t i = 0; i <= t->mask; i++) {
        struct mp_link *l = t->bucket[i], *next;
        for (; l != NULL; l = next) {
            next = l->next;
            l->next = b[l->hash & (nb - 1)];
            b[l->hash & (nb - 1)] = l;
        }
    }
    free(t->bucket);
    t->bucket = b;
    t->mask = nb - 1;
}

static void table_insert(struct mp_table *t, struct mp_link *l)
{
    struct mp_link **head = &t->bucket[l->hash & t->mask];
    l->next = *head;
    *head = l;
    t->n++;
    table_maybe_grow(t);
}

static void table_remove(struct mp_table *t, struct mp_link *l)
{
    struct mp_link **p = &t->bucket[l->hash & t->mask];
    while (*p != NULL && *p != l) p = &(*p)->next;
    if (*p == NULL) return; /* not linked: nothing to undo */
    *p = l->next;
    l->next = NULL;
    t->n--;
}

static struct mp_link *table_find_link(const struct mp_table *t, uint64_t h,
                                       const uint8_t key[MP_KEY_BYTES])
{
    for (struct mp_link *l = t->bucket[h & t->mask]; l != NULL; l = l->next)
        if (l->hash == h && memcmp(l->key, key, MP_KEY_BYTES) == 0) return l;
    return NULL;
}

static struct mp_entry *table_find(const struct tacit_mempool *mp, const struct mp_table *t,
                                   const uint8_t key[MP_KEY_BYTES])
{
    struct mp_link *l = table_find_link(t, key_hash(mp, key), key);
    return l != NULL ? l->entry : NULL;
}

/* The group of a key, NULL when no pending tx has it. */
static struct mp_group *group_find(const struct tacit_mempool *mp, int kind,
                                   const uint8_t key[MP_KEY_BYTES])
{
    return (struct mp_group *)table_find_link(&mp->groups[kind], key_hash(mp, key), key);
}

/* ------------------------------------------------------------------ treap ---- */

/* < 0 when a comes first in select order: higher fee, then earlier arrival. */
static int entry_cmp(const struct mp_entry *a, const struct mp_entry *b)
{
    if (a->fee != b->fee) return a->fee > b->fee ? -1 : 1;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    return 0;
}

static struct mp_entry *treap_insert(struct mp_entry *t, struct mp_entry *e)
{
    if (t == NULL) return e;
    if (entry_cmp(e, t) < 0) {
        t->left = treap_insert(t->left, e);
        if (t->left->prio > t->prio) { /* rotate right */
            struct mp_entry *l = t->left;
            t->left = l->right;
            l->right = t;
            return l;
        }
    } else {
        t->right = treap_insert(t->right, e);
        if (t->right->prio > t->prio) { /* rotate left */
            struct mp_entry *r = t->right;
            t->right = r->left;
            r->left = t;
            return r;
        }
    }
    return t;
}

/* Joins two treaps, every key of a before every key of b. */
static struct mp_entry *treap_merge(struct mp_entry *a, struct mp_entry *b)
{
    if (a == NULL) return b;
    if (b == NULL) return a;
    if (a->prio > b->prio) {
        a->right = treap_merge(a->right, b);
        return a;
    }
    b->left = treap_merge(a, b->left);
    return b;
}

static struct mp_entry *treap_remove(struct mp_entry *t, struct mp_entry *e)
{
    int c;
    if (t == NULL) return NULL; /* not in the tree: nothing to undo */
    if ((c = entry_cmp(e, t)) == 0) {
        struct mp_entry *m = treap_merge(t->left, t->right);
        e->left = e->right = NULL;
        return m;
    }
    if (c < 0)
        t->left = treap_remove(t->left, e);
    else
        t->right = treap_remove(t->right, e);
    return t;
}

/* The last entry of the order: lowest fee, newest among equals. */
static struct mp_entry *treap_last(struct mp_entry *t)
{
    if (t == NULL) return NULL;
    while (t->right != NULL) t = t->right;
    return t;
}

/* In-order copy of at most max entries; returns how many. */
static size_t treap_copy(const struct mp_entry *t, struct tacit_mempool_item *out, size_t max)
{
    size_t n = 0;
    if (t == NULL || max == 0) return 0;
    n = treap_copy(t->left, out, max);
    if (n == max) return n;
    memcpy(&out[n++], &t->item, sizeof *out);
    return n + treap_copy(t->right, out + n, max - n);
}

/* splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014),
 * seeded from the OS: priorities only need to be unknown to peers and well spread. */
static uint64_t next_prio(struct tacit_mempool *mp)
{
    uint64_t z = (mp->rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* ---------------------------------------------------------------- entries ---- */

size_t tacit_mempool_entry_bytes(void)
{
    /* The entry itself plus, per hash-table link, up to two bucket pointers (the load of a
     * table stays between 1/2 and 1 once it has grown); at worst a group of each kind of its
     * own with its bucket pointers, and two slots of the needs array (it grows by doubling). */
    return sizeof(struct mp_entry) + 2 * MP_NLINKS * sizeof(struct mp_link *) +
           MP_NGROUPS * (sizeof(struct mp_group) + 2 * sizeof(struct mp_link *)) +
           2 * sizeof(struct mp_need);
}

/* What tx needs of the pool (tacit_tx_check_state's turnstile): 0 when it draws nothing,
 * UINT64_MAX when withdrawal + fee overflows (the rule answers EOVERFLOW). */
static uint64_t pool_need(const struct tacit_tx *tx)
{
    const struct tacit_tx_ext *x = &tx->ext;
    if (x->withdrawal_amount == 0 && x->fee <= x->deposit_amount) return 0;
    if (x->withdrawal_amount > UINT64_MAX - x->fee) return UINT64_MAX;
    if (x->withdrawal_amount + x->fee <= x->deposit_amount) return 0;
    return x->withdrawal_amount + x->fee - x->deposit_amount;
}

/* Memory a new entry may need, taken before the pool changes (so ENOMEM changes nothing). */
struct mp_spare {
    struct mp_entry *e;
    struct mp_group *group[MP_NGROUPS];
};

static void spare_free(struct mp_spare *sp)
{
    free(sp->e);
    for (int k = 0; k < MP_NGROUPS; k++) free(sp->group[k]);
}

static int spare_take(struct tacit_mempool *mp, struct mp_spare *sp)
{
    memset(sp, 0, sizeof *sp);
    if (mp->nneeds == mp->capneeds) {
        size_t cap = mp->capneeds ? 2 * mp->capneeds : 64;
        struct mp_need *nn = realloc(mp->needs, cap * sizeof *nn);
        if (nn == NULL) return TACIT_ENOMEM;
        mp->needs = nn;
        mp->capneeds = cap;
    }
    sp->e = calloc(1, sizeof *sp->e);
    for (int k = 0; k < MP_NGROUPS; k++) sp->group[k] = calloc(1, sizeof *sp->group[k]);
    if (sp->e == NULL || sp->group[0] == NULL || sp->group[1] == NULL) {
        spare_free(sp);
        return TACIT_ENOMEM;
    }
    return TACIT_OK;
}

/* e joins the group of key (made from *spare when there is none yet: *spare is then NULL). */
static void group_join(struct tacit_mempool *mp, int kind, struct mp_entry *e,
                       const uint8_t key[MP_KEY_BYTES], struct mp_group **spare)
{
    uint64_t h = key_hash(mp, key);
    struct mp_group *g = (struct mp_group *)table_find_link(&mp->groups[kind], h, key);
    if (g == NULL) {
        g = *spare;
        *spare = NULL;
        memcpy(g->link.key, key, MP_KEY_BYTES);
        g->link.hash = h;
        g->link.entry = NULL;
        g->head = NULL;
        table_insert(&mp->groups[kind], &g->link);
    }
    e->group[kind] = g;
    e->gprev[kind] = NULL;
    e->gnext[kind] = g->head;
    if (g->head != NULL) g->head->gprev[kind] = e;
    g->head = e;
}

static void group_leave(struct tacit_mempool *mp, int kind, struct mp_entry *e)
{
    struct mp_group *g = e->group[kind];
    if (g == NULL) return;
    if (e->gprev[kind] != NULL)
        e->gprev[kind]->gnext[kind] = e->gnext[kind];
    else
        g->head = e->gnext[kind];
    if (e->gnext[kind] != NULL) e->gnext[kind]->gprev[kind] = e->gprev[kind];
    e->group[kind] = NULL;
    if (g->head == NULL) {
        table_remove(&mp->groups[kind], &g->link);
        free(g);
    }
}

static void sender_key(uint8_t key[MP_KEY_BYTES], const uint8_t address[TACIT_ADDRESS_LEN])
{
    memset(key, 0, MP_KEY_BYTES);
    memcpy(key, address, TACIT_ADDRESS_LEN);
}

static void entry_link(struct tacit_mempool *mp, struct mp_entry *e, struct mp_spare *sp)
{
    const struct tacit_tx *tx = &e->item.tx;
    uint8_t key[MP_KEY_BYTES];
    uint64_t need = pool_need(tx);

    for (int i = 0; i < MP_NLINKS; i++) e->link[i].entry = e;
    memcpy(e->link[MP_LINK_ID].key, e->item.id, MP_KEY_BYTES);
    key_of_fr(e->link[MP_LINK_NF0].key, &tx->pub[TACIT_TRANSFER_PUB_NF0]);
    key_of_fr(e->link[MP_LINK_NF1].key, &tx->pub[TACIT_TRANSFER_PUB_NF1]);
    for (int i = MP_LINK_ID; i <= MP_LINK_NF1; i++) e->link[i].hash = key_hash(mp, e->link[i].key);
    table_insert(&mp->ids, &e->link[MP_LINK_ID]);
    table_insert(&mp->nullifiers, &e->link[MP_LINK_NF0]);
    table_insert(&mp->nullifiers, &e->link[MP_LINK_NF1]);
    if (e->deposit) {
        key_of_deposit(e->link[MP_LINK_DEPOSIT].key, &tx->ext);
        e->link[MP_LINK_DEPOSIT].hash = key_hash(mp, e->link[MP_LINK_DEPOSIT].key);
        table_insert(&mp->deposits, &e->link[MP_LINK_DEPOSIT]);
    }

    key_of_fr(key, &tx->pub[TACIT_TRANSFER_PUB_ROOT]);
    group_join(mp, MP_GROUP_ANCHOR, e, key, &sp->group[MP_GROUP_ANCHOR]);
    if (e->deposit) {
        sender_key(key, tx->ext.deposit_sender);
        group_join(mp, MP_GROUP_SENDER, e, key, &sp->group[MP_GROUP_SENDER]);
    }
    e->need_at = SIZE_MAX;
    if (need > 0) { /* spare_take made room */
        e->need_at = mp->nneeds;
        mp->needs[mp->nneeds++] = (struct mp_need){need, e};
    }

    mp->root = treap_insert(mp->root, e);

    e->prev = mp->newest;
    e->next = NULL;
    if (mp->newest != NULL)
        mp->newest->next = e;
    else
        mp->oldest = e;
    mp->newest = e;
    mp->count++;
}

/* Takes e out of every index and frees it; reports it when removed is given. */
static void entry_remove(struct tacit_mempool *mp, struct mp_entry *e, int reason,
                         tacit_mempool_removed_cb removed, void *ud)
{
    uint8_t id[32];

    table_remove(&mp->ids, &e->link[MP_LINK_ID]);
    table_remove(&mp->nullifiers, &e->link[MP_LINK_NF0]);
    table_remove(&mp->nullifiers, &e->link[MP_LINK_NF1]);
    if (e->deposit) table_remove(&mp->deposits, &e->link[MP_LINK_DEPOSIT]);
    for (int k = 0; k < MP_NGROUPS; k++) group_leave(mp, k, e);
    if (e->need_at != SIZE_MAX) {
        struct mp_need *last = &mp->needs[--mp->nneeds];
        mp->needs[e->need_at] = *last;
        mp->needs[e->need_at].entry->need_at = e->need_at;
    }
    if (e->unchecked) mp->nunchecked--;
    mp->root = treap_remove(mp->root, e);
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        mp->oldest = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        mp->newest = e->prev;
    mp->count--;

    memcpy(id, e->item.id, sizeof id);
    free(e);
    if (removed != NULL) removed(ud, id, reason);
}

/* --------------------------------------------------------------- lifecycle ---- */

void tacit_mempool_limits_init(struct tacit_mempool_limits *l)
{
    l->max_txs = TACIT_MEMPOOL_MAX_TXS_DEFAULT;
    l->max_bytes = TACIT_MEMPOOL_MAX_BYTES_DEFAULT;
}

int tacit_mempool_new(struct tacit_mempool **out, const struct tacit_mempool_limits *l)
{
    struct tacit_mempool *mp;
    struct tacit_mempool_limits dflt;
    int rc;

    *out = NULL;
    if (l == NULL) {
        tacit_mempool_limits_init(&dflt);
        l = &dflt;
    }
    if (l->max_txs == 0 || l->max_bytes < tacit_mempool_entry_bytes()) return TACIT_EINVAL;
    if (sodium_init() < 0) return TACIT_ENOMEM; /* cannot seed the keys */
    if ((mp = calloc(1, sizeof *mp)) == NULL) return TACIT_ENOMEM;
    mp->limits = *l;
    mp->capacity = l->max_bytes / tacit_mempool_entry_bytes();
    if (mp->capacity > l->max_txs) mp->capacity = l->max_txs;
    crypto_shorthash_keygen(mp->sipkey);
    randombytes_buf(&mp->rng, sizeof mp->rng);
    if ((rc = table_init(&mp->ids)) != TACIT_OK) goto out_free;
    if ((rc = table_init(&mp->nullifiers)) != TACIT_OK) goto out_free;
    if ((rc = table_init(&mp->deposits)) != TACIT_OK) goto out_free;
    for (int k = 0; k < MP_NGROUPS; k++)
        if ((rc = table_init(&mp->groups[k])) != TACIT_OK) goto out_free;
    *out = mp;
    return TACIT_OK;

out_free:
    for (int k = 0; k < MP_NGROUPS; k++) table_clear(&mp->groups[k]);
    table_clear(&mp->deposits);
    table_clear(&mp->nullifiers);
    table_clear(&mp->ids);
    free(mp);
    return rc;
}

void tacit_mempool_free(struct tacit_mempool *mp)
{
    struct mp_entry *e, *next;
    if (mp == NULL) return;
    for (e = mp->oldest; e != NULL; e = next) {
        next = e->next;
        for (int k = 0; k < MP_NGROUPS; k++) group_leave(mp, k, e);
        free(e);
    }
    for (int k = 0; k < MP_NGROUPS; k++) table_clear(&mp->groups[k]);
    free(mp->needs);
    table_clear(&mp->deposits);
    table_clear(&mp->nullifiers);
    table_clear(&mp->ids);
    sodium_memzero(mp->sipkey, sizeof mp->sipkey);
    free(mp);
}

void tacit_mempool_get_limits(const struct tacit_mempool *mp, struct tacit_mempool_limits *l)
{
    *l = mp->limits;
}

/* --------------------------------------------------------------- admission ---- */

/* The pending txs tx conflicts with (by nullifier or deposit (sender, nonce)), deduplicated.
 * Returns how many (0 to 3). */
static size_t find_conflicts(const struct tacit_mempool *mp, const struct tacit_tx *tx,
                             struct mp_entry *out[3])
{
    uint8_t key[MP_KEY_BYTES];
    struct mp_entry *c[3];
    size_t n = 0;

    key_of_fr(key, &tx->pub[TACIT_TRANSFER_PUB_NF0]);
    c[0] = table_find(mp, &mp->nullifiers, key);
    key_of_fr(key, &tx->pub[TACIT_TRANSFER_PUB_NF1]);
    c[1] = table_find(mp, &mp->nullifiers, key);
    c[2] = NULL;
    if (tx_is_deposit(tx)) {
        key_of_deposit(key, &tx->ext);
        c[2] = table_find(mp, &mp->deposits, key);
    }
    for (size_t i = 0; i < 3; i++) {
        bool seen = c[i] == NULL;
        for (size_t j = 0; j < n && !seen; j++) seen = out[j] == c[i];
        if (!seen) out[n++] = c[i];
    }
    return n;
}

/* tacit_mempool_check, also giving the conflicts add must replace. */
static int check(const struct tacit_mempool *mp, const struct tacit_tx *tx, const uint8_t id[32],
                 struct mp_entry *conflicts[3], size_t *nconflicts)
{
    uint64_t fee = tx->ext.fee;
    const struct mp_entry *last;

    *nconflicts = 0;
    if (table_find(mp, &mp->ids, id) != NULL) return TACIT_EEXISTS;
    if (tacit_fr_eq(&tx->pub[TACIT_TRANSFER_PUB_NF0], &tx->pub[TACIT_TRANSFER_PUB_NF1]))
        return TACIT_ENULLIFIER_REPEATED;
    *nconflicts = find_conflicts(mp, tx, conflicts);
    for (size_t i = 0; i < *nconflicts; i++)
        if (conflicts[i]->fee >= fee) return TACIT_ENULLIFIER_IN_MEMPOOL;
    /* Every tx costs the same against both limits, so replacing one or more frees room, and
     * otherwise one eviction is enough (count <= capacity always holds). */
    if (*nconflicts == 0 && mp->count >= mp->capacity) {
        last = treap_last(mp->root);
        if (last == NULL || last->fee >= fee) return TACIT_EMEMPOOL_FULL;
    }
    return TACIT_OK;
}

int tacit_mempool_check(const struct tacit_mempool *mp, const struct tacit_tx *tx,
                        const uint8_t id[32])
{
    struct mp_entry *conflicts[3];
    size_t n;
    return check(mp, tx, id, conflicts, &n);
}

int tacit_mempool_add(struct tacit_mempool *mp, const struct tacit_tx *tx, const uint8_t id[32],
                      const uint8_t bytes[TACIT_TX_BYTES], uint64_t now_ms,
                      tacit_mempool_removed_cb removed, void *ud)
{
    struct mp_entry *conflicts[3], *e;
    struct mp_spare sp;
    size_t n;
    int rc;

    if ((rc = check(mp, tx, id, conflicts, &n)) != TACIT_OK) return rc;
    /* Allocate before touching the pool, so that ENOMEM changes nothing. */
    if ((rc = spare_take(mp, &sp)) != TACIT_OK) return rc;
    e = sp.e;
    sp.e = NULL;
    e->item.tx = *tx;
    memcpy(e->item.id, id, 32);
    memcpy(e->item.bytes, bytes, TACIT_TX_BYTES);
    e->item.arrival_ms = now_ms;
    e->fee = tx->ext.fee;
    e->seq = mp->next_seq++;
    e->prio = next_prio(mp);
    e->deposit = tx_is_deposit(tx);

    for (size_t i = 0; i < n; i++)
        entry_remove(mp, conflicts[i], TACIT_ENULLIFIER_IN_MEMPOOL, removed, ud);
    /* check() made sure the last entry pays less than tx whenever this loop runs. */
    while (mp->count >= mp->capacity && mp->root != NULL)
        entry_remove(mp, treap_last(mp->root), TACIT_EMEMPOOL_FULL, removed, ud);
    entry_link(mp, e, &sp);
    spare_free(&sp); /* the groups that were not needed */
    return TACIT_OK;
}

/* ------------------------------------------------------------------ reading ---- */

bool tacit_mempool_has(const struct tacit_mempool *mp, const uint8_t id[32])
{
    return table_find(mp, &mp->ids, id) != NULL;
}

int tacit_mempool_get(const struct tacit_mempool *mp, const uint8_t id[32],
                      struct tacit_mempool_item *out)
{
    const struct mp_entry *e = table_find(mp, &mp->ids, id);
    if (e == NULL) return TACIT_ENOTFOUND;
    memcpy(out, &e->item, sizeof *out);
    return TACIT_OK;
}

/* A deposit among the selected txs: its slot in the fee order, and what orders it. */
struct dep_slot {
    size_t pos;
    const struct tacit_tx *tx;
};

static int by_sender_then_pos(const void *a, const void *b)
{
    const struct dep_slot *x = a, *y = b;
    int c = memcmp(x->tx->ext.deposit_sender, y->tx->ext.deposit_sender, TACIT_ADDRESS_LEN);
    return c != 0 ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int by_sender_then_nonce(const void *a, const void *b)
{
    const struct dep_slot *x = a, *y = b;
    int c = memcmp(x->tx->ext.deposit_sender, y->tx->ext.deposit_sender, TACIT_ADDRESS_LEN);
    if (c != 0) return c;
    return (x->tx->ext.deposit_nonce > y->tx->ext.deposit_nonce) -
           (x->tx->ext.deposit_nonce < y->tx->ext.deposit_nonce);
}

/* Each sender's deposits, in the slots the fee order gave them, in nonce order: the block path
 * takes a sender's deposits only in nonce order (tacit_tx_apply), so one pass of the builder
 * then includes every run of consecutive nonces. Without memory the fee order stays (a later
 * nonce then waits for a later block). */
static void deposits_in_nonce_order(struct tacit_mempool_item *out, size_t n)
{
    struct dep_slot *slots, *nonces;
    struct tacit_mempool_item *copy;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += out[i].tx.ext.deposit_amount > 0;
    if (k < 2) return;
    slots = malloc(k * sizeof *slots);
    nonces = malloc(k * sizeof *nonces);
    copy = malloc(k * sizeof *copy);
    if (slots == NULL || nonces == NULL || copy == NULL) goto out;
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (out[i].tx.ext.deposit_amount == 0) continue;
        memcpy(&copy[k], &out[i], sizeof *copy);
        slots[k] = nonces[k] = (struct dep_slot){.pos = k, .tx = &copy[k].tx};
        slots[k].pos = i;
        k++;
    }
    /* The same senders in the same order in both: the j-th slot of a sender gets its j-th
     * nonce. (Two pending deposits never share a sender and a nonce: tacit_mempool_check.) */
    qsort(slots, k, sizeof *slots, by_sender_then_pos);
    qsort(nonces, k, sizeof *nonces, by_sender_then_nonce);
    for (size_t j = 0; j < k; j++) memcpy(&out[slots[j].pos], &copy[nonces[j].pos], sizeof *out);
out:
    free(slots);
    free(nonces);
    free(copy);
}

/* Each run of equal fees in a random order (Fisher-Yates, libsodium's generator): arrival order
 * in a block would tell an observer who submitted first. */
static void shuffle_equal_fees(struct tacit_mempool_item *out, size_t n)
{
    struct tacit_mempool_item tmp;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && out[j].tx.ext.fee == out[i].tx.ext.fee; j++) {}
        for (size_t k = j - i; k > 1; k--) {
            size_t r = (size_t)randombytes_uniform((uint32_t)k);
            if (r == k - 1) continue;
            memcpy(&tmp, &out[i + k - 1], sizeof tmp);
            memcpy(&out[i + k - 1], &out[i + r], sizeof tmp);
            memcpy(&out[i + r], &tmp, sizeof tmp);
        }
    }
}

size_t tacit_mempool_select(const struct tacit_mempool *mp, struct tacit_mempool_item *out,
                            size_t max)
{
    size_t n = treap_copy(mp->root, out, max);
    deposits_in_nonce_order(out, n);
    return n;
}

size_t tacit_mempool_select_block(const struct tacit_mempool *mp, struct tacit_mempool_item *out,
                                  size_t max)
{
    size_t n = treap_copy(mp->root, out, max);
    shuffle_equal_fees(out, n);
    deposits_in_nonce_order(out, n);
    return n;
}

size_t tacit_mempool_count(const struct tacit_mempool *mp) { return mp->count; }

size_t tacit_mempool_bytes(const struct tacit_mempool *mp)
{
    return mp->count * tacit_mempool_entry_bytes();
}

uint64_t tacit_mempool_min_fee(const struct tacit_mempool *mp)
{
    const struct mp_entry *last = treap_last(mp->root);
    return last == NULL ? 0 : last->fee;
}

/* ----------------------------------------------------------------- removing ---- */

int tacit_mempool_remove(struct tacit_mempool *mp, const uint8_t id[32], int reason,
                         tacit_mempool_removed_cb removed, void *ud)
{
    struct mp_entry *e = table_find(mp, &mp->ids, id);
    if (e == NULL) return TACIT_ENOTFOUND;
    entry_remove(mp, e, reason, removed, ud);
    return TACIT_OK;
}

size_t tacit_mempool_flush(struct tacit_mempool *mp, int reason, tacit_mempool_removed_cb removed,
                           void *ud)
{
    size_t n = 0;
    while (mp->oldest != NULL) {
        entry_remove(mp, mp->oldest, reason, removed, ud);
        n++;
    }
    return n;
}

size_t tacit_mempool_drop_below(struct tacit_mempool *mp, uint64_t min_fee, int reason,
                                tacit_mempool_removed_cb removed, void *ud)
{
    struct mp_entry *e;
    size_t n = 0;
    /* the lowest fees are the treap's last entries: O(k log count) for k dropped */
    while ((e = treap_last(mp->root)) != NULL && e->fee < min_fee) {
        entry_remove(mp, e, reason, removed, ud);
        n++;
    }
    return n;
}

/* Errors of the store or of resources, not of the tx: the tx stays (see after_block). */
static bool is_store_error(int rc)
{
    switch (rc) {
    case TACIT_ENOMEM:
    case TACIT_EIO:
    case TACIT_ECORRUPT:
    case TACIT_ESTATE_IO:
    case TACIT_EMAP_FULL:
    case TACIT_EDISK_FULL:
    case TACIT_EINVAL: return true;
    default: return false;
    }
}

static void set_unchecked(struct tacit_mempool *mp, struct mp_entry *e, bool unchecked)
{
    if (e->unchecked == unchecked) return;
    e->unchecked = unchecked;
    if (unchecked)
        mp->nunchecked++;
    else
        mp->nunchecked--;
}

static void remove_included(struct tacit_mempool *mp, const uint8_t (*included)[32], size_t n)
{
    struct mp_entry *e;
    for (size_t i = 0; i < n; i++)
        if ((e = table_find(mp, &mp->ids, included[i])) != NULL)
            entry_remove(mp, e, TACIT_OK, NULL, NULL);
}

/* The full re-check of every pending tx (only_unchecked: of those kept on a store error) over
 * one view of the committed state: every answer from the same state, one read transaction. */
static int recheck_full(struct tacit_mempool *mp, struct tacit_state *st, bool only_unchecked,
                        tacit_mempool_removed_cb removed, void *ud)
{
    struct tacit_state_view *sv = NULL;
    struct tacit_view v;
    struct mp_entry *e, *next;
    int first = TACIT_OK, rc;

    if ((rc = tacit_state_view_new(st, &sv)) != TACIT_OK) {
        for (e = mp->oldest; e != NULL; e = e->next) set_unchecked(mp, e, true);
        return rc;
    }
    tacit_state_view_as_view(sv, &v);
    /* `next` is read before e may be removed; the callback must not change the pool, so it
     * stays valid. */
    for (e = mp->oldest; e != NULL; e = next) {
        next = e->next;
        if (only_unchecked && !e->unchecked) continue;
        rc = tacit_tx_check_state(&v, &e->item.tx);
        set_unchecked(mp, e, is_store_error(rc));
        if (rc == TACIT_OK) continue;
        if (is_store_error(rc)) {
            if (first == TACIT_OK) first = rc;
            continue;
        }
        entry_remove(mp, e, rc, removed, ud);
    }
    tacit_state_view_free(sv);
    return first;
}

int tacit_mempool_after_block(struct tacit_mempool *mp, const uint8_t (*included)[32], size_t n,
                              struct tacit_state *st, tacit_mempool_removed_cb removed, void *ud)
{
    remove_included(mp, included, n);
    return recheck_full(mp, st, false, removed, ud);
}

/* --------------------------------------------------------------- block delta ---- */

static int fr_cmp(const void *a, const void *b) { return memcmp(a, b, sizeof(tacit_fr)); }

static int account_cmp(const void *a, const void *b)
{
    return memcmp(((const struct tacit_mempool_account *)a)->address,
                  ((const struct tacit_mempool_account *)b)->address, TACIT_ADDRESS_LEN);
}

void tacit_mempool_delta_clear(struct tacit_mempool_delta *d)
{
    free(d->nullifiers);
    free(d->accounts);
    memset(d, 0, sizeof *d);
}

int tacit_mempool_delta_make(struct tacit_mempool_delta *d, struct tacit_state *st,
                             const struct tacit_tx *const *txs, size_t ntxs)
{
    struct tacit_state_view *sv = NULL;
    struct tacit_state_tip tip;
    struct tacit_state_digests dg;
    struct tacit_view v;
    uint32_t history = tacit_state_root_history(st);
    size_t k = 0;
    int rc;

    memset(d, 0, sizeof *d);
    if ((d->nullifiers = malloc((2 * ntxs + 1) * sizeof *d->nullifiers)) == NULL ||
        (d->accounts = malloc((ntxs + 1) * sizeof *d->accounts)) == NULL) {
        tacit_mempool_delta_clear(d);
        return TACIT_ENOMEM;
    }
    for (size_t i = 0; i < ntxs; i++) {
        d->nullifiers[d->nnullifiers++] = txs[i]->pub[TACIT_TRANSFER_PUB_NF0];
        d->nullifiers[d->nnullifiers++] = txs[i]->pub[TACIT_TRANSFER_PUB_NF1];
        if (txs[i]->ext.deposit_amount > 0)
            memcpy(d->accounts[d->naccounts++].address, txs[i]->ext.deposit_sender,
                   TACIT_ADDRESS_LEN);
    }
    memcpy(d->accounts[d->naccounts++].address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN);
    qsort(d->nullifiers, d->nnullifiers, sizeof *d->nullifiers, fr_cmp);
    qsort(d->accounts, d->naccounts, sizeof *d->accounts, account_cmp);
    for (size_t i = 0; i < d->naccounts; i++) /* one per address */
        if (k == 0 || account_cmp(&d->accounts[k - 1], &d->accounts[i]) != 0)
            d->accounts[k++] = d->accounts[i];
    d->naccounts = k;

    if ((rc = tacit_state_view_new(st, &sv)) != TACIT_OK) goto fail;
    tacit_state_view_as_view(sv, &v);
    tacit_state_view_base(sv, &tip);
    d->height = tip.next_height > 0 ? tip.next_height - 1 : 0;
    for (size_t i = 0; i < d->naccounts; i++)
        if ((rc = v.ops->account(v.ctx, d->accounts[i].address, &d->accounts[i].acct)) != TACIT_OK)
            goto fail;
    /* A root is recent while next_height - (its latest height) <= history: the one this block
     * can have retired is the root after block next_height - 1 - history, unless it was the
     * root again later (tacit__state_anchor_recent). */
    if (tip.next_height >= (uint64_t)history + 1) {
        bool recent = true;
        if ((rc = tacit_state_digests_at(st, tip.next_height - 1 - history, &dg)) != TACIT_OK ||
            (rc = v.ops->anchor_recent(v.ctx, &dg.note_root, &recent)) != TACIT_OK)
            goto fail;
        d->anchor_expired = !recent;
        d->expired_anchor = dg.note_root;
    }
    tacit_state_view_free(sv);
    return TACIT_OK;
fail:
    tacit_state_view_free(sv);
    tacit_mempool_delta_clear(d);
    return rc;
}

static const struct tacit_mempool_account *delta_account(const struct tacit_mempool_delta *d,
                                                         const uint8_t a[TACIT_ADDRESS_LEN])
{
    struct tacit_mempool_account key;
    memcpy(key.address, a, TACIT_ADDRESS_LEN);
    return bsearch(&key, d->accounts, d->naccounts, sizeof key, account_cmp);
}

int tacit_mempool_delta_verdict(const struct tacit_mempool_delta *d, const struct tacit_tx *tx)
{
    const struct tacit_mempool_account *a;
    uint64_t need;

    /* tacit_tx_check_state's rules in its order, each only where the block changed its facts */
    if (d->anchor_expired && tacit_fr_eq(&tx->pub[TACIT_TRANSFER_PUB_ROOT], &d->expired_anchor))
        return TACIT_EANCHOR;
    for (int i = TACIT_TRANSFER_PUB_NF0; i <= TACIT_TRANSFER_PUB_NF1; i++)
        if (bsearch(&tx->pub[i], d->nullifiers, d->nnullifiers, sizeof(tacit_fr), fr_cmp) != NULL)
            return TACIT_ENULLIFIER_SPENT;
    if (tx->ext.deposit_amount > 0 && (a = delta_account(d, tx->ext.deposit_sender)) != NULL) {
        if (tx->ext.deposit_nonce < a->acct.nonce) return TACIT_ENONCE;
        if (a->acct.balance < tx->ext.deposit_amount) return TACIT_EINSUFFICIENT;
    }
    if ((need = pool_need(tx)) > 0) {
        if (need == UINT64_MAX && tx->ext.withdrawal_amount > UINT64_MAX - tx->ext.fee)
            return TACIT_EOVERFLOW;
        if ((a = delta_account(d, TACIT_POOL_ADDRESS)) != NULL && need > a->acct.balance)
            return TACIT_ETURNSTILE;
    }
    return TACIT_OK;
}

/* Removes e if the block invalidated it. */
static void delta_recheck(struct tacit_mempool *mp, struct mp_entry *e,
                          const struct tacit_mempool_delta *d, tacit_mempool_removed_cb removed,
                          void *ud)
{
    int rc = tacit_mempool_delta_verdict(d, &e->item.tx);
    if (rc != TACIT_OK) entry_remove(mp, e, rc, removed, ud);
}

int tacit_mempool_after_block_delta(struct tacit_mempool *mp, const uint8_t (*included)[32],
                                    size_t n, const struct tacit_mempool_delta *d,
                                    struct tacit_state *st, tacit_mempool_removed_cb removed,
                                    void *ud)
{
    const struct tacit_mempool_account *pool = delta_account(d, TACIT_POOL_ADDRESS);
    uint8_t key[MP_KEY_BYTES];
    struct mp_entry *e, *next;
    struct mp_group *g;
    int rc = TACIT_OK;

    remove_included(mp, included, n);
    if (mp->nunchecked > 0 && st != NULL) rc = recheck_full(mp, st, true, removed, ud);
    /* the spenders of the block's nullifiers (one at most each: check() keeps them unique) */
    for (size_t i = 0; i < d->nnullifiers; i++) {
        key_of_fr(key, &d->nullifiers[i]);
        if ((e = table_find(mp, &mp->nullifiers, key)) != NULL)
            delta_recheck(mp, e, d, removed, ud);
    }
    /* the txs anchored at the root that left the history */
    key_of_fr(key, &d->expired_anchor);
    if (d->anchor_expired && (g = group_find(mp, MP_GROUP_ANCHOR, key)) != NULL) {
        for (e = g->head; e != NULL; e = next) { /* g is freed with its last member */
            next = e->gnext[MP_GROUP_ANCHOR];
            entry_remove(mp, e, TACIT_EANCHOR, removed, ud); /* the first rule: no verdict */
        }
    }
    /* the deposits of the block's senders */
    for (size_t i = 0; i < d->naccounts; i++) {
        sender_key(key, d->accounts[i].address);
        if ((g = group_find(mp, MP_GROUP_SENDER, key)) == NULL) continue;
        for (e = g->head; e != NULL; e = next) { /* g is freed with its last member */
            next = e->gnext[MP_GROUP_SENDER];
            delta_recheck(mp, e, d, removed, ud);
        }
    }
    /* the txs that need more of the pool than it holds now */
    for (size_t i = 0; pool != NULL && i < mp->nneeds;) {
        if (mp->needs[i].need > pool->acct.balance) {
            size_t before = mp->nneeds;
            delta_recheck(mp, mp->needs[i].entry, d, removed, ud);
            if (mp->nneeds < before) continue; /* slot i holds the one that was last */
        }
        i++;
    }
    return rc;
}

/* ------------------------------------------------------------ dump/restore ---- */

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int tacit_mempool_dump(const struct tacit_mempool *mp, uint8_t **out, size_t *len)
{
    size_t total = MP_DUMP_HEADER + mp->count * MP_DUMP_RECORD; /* count <= capacity: no overflow */
    uint8_t *buf, *p;

    *out = NULL;
    *len = 0;
    if ((buf = malloc(total)) == NULL) return TACIT_ENOMEM;
    memcpy(buf, MP_DUMP_MAGIC, 8);
    put_u64(buf + 8, mp->count);
    p = buf + MP_DUMP_HEADER;
    for (const struct mp_entry *e = mp->oldest; e != NULL; e = e->next) {
        put_u64(p, e->item.arrival_ms);
        memcpy(p + 8, e->item.bytes, TACIT_TX_BYTES);
        p += MP_DUMP_RECORD;
    }
    *out = buf;
    *len = total;
    return TACIT_OK;
}

int tacit_mempool_restore(struct tacit_mempool *mp, const uint8_t *in, size_t len, size_t *restored)
{
    struct tacit_tx *tx;
    uint8_t id[32];
    uint64_t count;
    const uint8_t *rec;
    int rc = TACIT_OK;

    if (restored != NULL) *restored = 0;
    if (mp->count != 0) return TACIT_EINVAL;
    if (len < MP_DUMP_HEADER || memcmp(in, MP_DUMP_MAGIC, 8) != 0) return TACIT_EENCODING;
    count = get_u64(in + 8);
    if (count > (len - MP_DUMP_HEADER) / MP_DUMP_RECORD ||
        len - MP_DUMP_HEADER != count * MP_DUMP_RECORD)
        return TACIT_EENCODING;
    if ((tx = malloc(sizeof *tx)) == NULL) return TACIT_ENOMEM;
    /* First pass: every record decodes, or nothing is added. */
    for (uint64_t i = 0; i < count; i++) {
        rec = in + MP_DUMP_HEADER + i * MP_DUMP_RECORD;
        if (tacit_tx_decode(tx, rec + 8, TACIT_TX_BYTES) != TACIT_OK) {
            rc = TACIT_EENCODING;
            goto out_free;
        }
    }
    for (uint64_t i = 0; i < count; i++) {
        rec = in + MP_DUMP_HEADER + i * MP_DUMP_RECORD;
        (void)tacit_tx_decode(tx, rec + 8, TACIT_TX_BYTES); /* checked above */
        tacit_tx_id(id, tx);
        rc = tacit_mempool_add(mp, tx, id, rec + 8, get_u64(rec), NULL, NULL);
        if (rc == TACIT_ENOMEM) {
            tacit_mempool_flush(mp, TACIT_ENOMEM, NULL, NULL);
            goto out_free;
        }
        rc = TACIT_OK; /* refused by the rules: skipped */
    }
    if (restored != NULL) *restored = mp->count;

out_free:
    free(tx);
    return rc;
}
