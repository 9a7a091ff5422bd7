/*
 * tacit — the wallet file: one LMDB file (MDB_NOSUBDIR, mode 0600); layout in docs/wallet.md.
 *
 * Records of the main database:
 *   "meta"     clear: format version, network, KDF parameters and salt
 *   "pub"      clear: kind and the shielded address (format 2; `wallet address` reads it
 *              without the passphrase)
 *   "chain"    clear: the chain the wallet belongs to, chain id and block 0's hash (format 2,
 *              once the first sync recorded them)
 *   "secrets"  nonce || crypto_secretbox(box_key): kind, network, spending or viewing key,
 *              the data key, the recovery phrase's entropy (format 2), the imported
 *              transparent keys
 *   "sync"     clear: generation, synced height and hash, chain id, tree level and size
 *   "private"  nonce || crypto_secretbox(data_key): the notes and the sent transactions
 *   "forced"   nonce || crypto_secretbox(data_key): where the forced sent transactions were
 *              queued on L1 (absent when there are none: files before it, older readers)
 *   "R" u64be  clear: root of complete subtree number u64 (32 bytes BE)
 *   "L" u64be  clear: leaves of the incomplete subtree from leaf u64 (n * 32 bytes BE)
 *   "hist"     clear: the last synced blocks: height, tree size after it, the frontier of
 *              the then incomplete subtree (absent in files made before it: no history)
 * box_key = argon2id(passphrase, salt) (crypto_pwhash). Only this file and src/state include
 * lmdb.h. Foreign codes (MDB_*, errno) are translated here, once.
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tacit/error.h"
#include "wallet/keys_internal.h"
#include "wallet/wallet_internal.h"

#define MAP_SIZE ((size_t)1 << 30) /* sparse; holds about 300,000 notes with their paths */
#define SALT_BYTES crypto_pwhash_SALTBYTES
#define META_BYTES (4 + 1 + 8 + 8 + SALT_BYTES)
#define SYNC_BYTES (8 + 8 + 32 + 8 + 1 + 1 + 8 + 32 + 1)
#define KIND_SPENDING 0
#define KIND_FULL 1
#define KIND_INCOMING 2
#define PUB_BYTES (1 + TACIT_SHIELDED_ADDRESS_BYTES)
#define CHAIN_BYTES (8 + 32)

bool tacit__wallet_create_v1 = false; /* tests only (wallet_internal.h) */

static int mdb_err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS: return TACIT_OK;
    case MDB_NOTFOUND: return TACIT_ENOTFOUND;
    case MDB_MAP_FULL: return TACIT_EMAP_FULL;
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_CORRUPTED: return TACIT_ECORRUPT;
    case ENOENT: return TACIT_ENOENT;
    case ENOMEM: return TACIT_ENOMEM;
    case ENOSPC: return TACIT_EDISK_FULL;
    default: return TACIT_EIO;
    }
}

static MDB_env *env_of(const struct tacit_wallet *w) { return (MDB_env *)w->env; }

static int put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t klen, const void *v, size_t vlen)
{
    MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
    return mdb_err(mdb_put(txn, dbi, &key, &val, 0));
}

/* Copies the record into out (exactly len bytes, else TACIT_ECORRUPT). */
static int get_exact(MDB_txn *txn, MDB_dbi dbi, const char *k, void *out, size_t len)
{
    MDB_val key = {strlen(k), (void *)k}, val;
    int rc = mdb_err(mdb_get(txn, dbi, &key, &val));
    if (rc != TACIT_OK) return rc == TACIT_ENOTFOUND ? TACIT_ECORRUPT : rc;
    if (val.mv_size != len) return TACIT_ECORRUPT;
    memcpy(out, val.mv_data, len);
    return TACIT_OK;
}

/* ------------------------------------------------------------ sealing ---- */

/* out = nonce || secretbox(key, in); *out malloc'd. */
static int seal(uint8_t **out, size_t *outlen, const uint8_t *in, size_t len, const uint8_t *key)
{
    size_t n = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    uint8_t *b = malloc(n);
    if (b == NULL) return TACIT_ENOMEM;
    randombytes_buf(b, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(b + crypto_secretbox_NONCEBYTES, in, len, b, key);
    *out = b;
    *outlen = n;
    return TACIT_OK;
}

/* Opens a sealed record into sodium_malloc memory (*out, *outlen; sodium_free it).
 * TACIT_EPASSPHRASE when the key does not open it. */
static int unseal(uint8_t **out, size_t *outlen, const uint8_t *in, size_t len, const uint8_t *key)
{
    size_t n;
    uint8_t *b;
    *out = NULL;
    *outlen = 0;
    if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return TACIT_ECORRUPT;
    n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    if ((b = sodium_malloc(n > 0 ? n : 1)) == NULL) return TACIT_ENOMEM;
    if (crypto_secretbox_open_easy(b, in + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, in, key) != 0) {
        sodium_free(b);
        return TACIT_EPASSPHRASE;
    }
    *out = b;
    *outlen = n;
    return TACIT_OK;
}

/* ------------------------------------------------------- serialisation ---- */

/* A growable byte buffer that is wiped when it grows or is released (it holds private data). */
struct buf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
};

static void buf_put(struct buf *b, const void *data, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        uint8_t *p;
        while (cap < b->len + n) cap *= 2;
        if ((p = malloc(cap)) == NULL) {
            b->oom = true;
            return;
        }
        if (b->len) memcpy(p, b->p, b->len);
        if (b->p) {
            sodium_memzero(b->p, b->cap);
            free(b->p);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}
static void buf_u64(struct buf *b, uint64_t v)
{
    uint8_t t[8];
    tacit__be64(t, v);
    buf_put(b, t, 8);
}
static void buf_u8(struct buf *b, uint8_t v) { buf_put(b, &v, 1); }
static void buf_fr(struct buf *b, const tacit_fr *x)
{
    uint8_t t[32];
    tacit_fr_to_bytes(t, x);
    buf_put(b, t, 32);
}
static void buf_release(struct buf *b)
{
    if (b->p) {
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    memset(b, 0, sizeof *b);
}

/* A reader: every read checks the remaining length; a short or non-canonical record makes
 * the whole record TACIT_ECORRUPT. */
struct rd {
    const uint8_t *p;
    size_t left;
    bool bad;
};
static void rd_get(struct rd *r, void *out, size_t n)
{
    if (r->bad || r->left < n) {
        r->bad = true;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
}
static uint64_t rd_u64(struct rd *r)
{
    uint8_t t[8];
    rd_get(r, t, 8);
    return tacit__rd_be64(t);
}
static uint8_t rd_u8(struct rd *r)
{
    uint8_t v;
    rd_get(r, &v, 1);
    return v;
}
static void rd_fr(struct rd *r, tacit_fr *x)
{
    uint8_t t[32];
    rd_get(r, t, 32);
    if (!r->bad && tacit_fr_from_bytes(x, t) != TACIT_OK) r->bad = true;
}

static void put_note(struct buf *b, const struct tacit__wnote *n, unsigned level)
{
    buf_u64(b, n->index);
    buf_u64(b, n->value);
    buf_fr(b, &n->cm);
    buf_fr(b, &n->blinding);
    buf_fr(b, &n->nf);
    buf_u8(b, (uint8_t)((n->has_nf ? 1 : 0) | (n->reserved ? 2 : 0) | (n->lower_done ? 4 : 0) |
                        (n->bottom_level ? 8 : 0)));
    buf_u64(b, n->height);
    buf_u64(b, n->spent_height);
    buf_put(b, n->reserved_by, 32);
    buf_u8(b, (uint8_t)(n->memo_len >> 8));
    buf_u8(b, (uint8_t)n->memo_len);
    buf_put(b, n->memo, n->memo_len);
    if (n->lower_done)
        for (unsigned l = 0; l < level; l++) buf_fr(b, &n->lower[l]);
    if (n->bottom_level) { /* a block of leaves still to hash (wallet_internal.h) */
        buf_u8(b, n->bottom_level);
        for (size_t l = 0; l < level + ((size_t)1 << n->bottom_level); l++) buf_fr(b, &n->lower[l]);
    }
}

static void get_note(struct rd *r, struct tacit__wnote *n, unsigned level)
{
    uint8_t flags;
    memset(n, 0, sizeof *n);
    n->index = rd_u64(r);
    n->value = rd_u64(r);
    rd_fr(r, &n->cm);
    rd_fr(r, &n->blinding);
    rd_fr(r, &n->nf);
    flags = rd_u8(r);
    n->has_nf = flags & 1;
    n->reserved = (flags & 2) != 0;
    n->lower_done = (flags & 4) != 0;
    n->height = rd_u64(r);
    n->spent_height = rd_u64(r);
    rd_get(r, n->reserved_by, 32);
    n->memo_len = (uint16_t)(rd_u8(r) << 8);
    n->memo_len |= rd_u8(r);
    if (n->memo_len > TACIT_NOTE_MEMO_MAX || flags > 15 || (flags & 12) == 12) {
        r->bad = true;
        return;
    }
    rd_get(r, n->memo, n->memo_len);
    if (n->lower_done)
        for (unsigned l = 0; l < level; l++) rd_fr(r, &n->lower[l]);
    if (flags & 8) {
        n->bottom_level = rd_u8(r);
        if (n->bottom_level == 0 || n->bottom_level >= level ||
            level + ((size_t)1 << n->bottom_level) > TACIT_TREE_DEPTH) {
            r->bad = true;
            return;
        }
        for (size_t l = 0; l < level + ((size_t)1 << n->bottom_level); l++) rd_fr(r, &n->lower[l]);
    }
}

static void put_sent(struct buf *b, const struct tacit__wsent *s)
{
    buf_put(b, s->txid, 32);
    buf_u8(b, s->kind);
    buf_u8(b, s->state);
    buf_u64(b, s->height);
    buf_u64(b, (uint64_t)(uint32_t)s->error);
    buf_u64(b, s->amount);
    buf_u64(b, s->fee);
    buf_u64(b, s->change);
    buf_put(b, s->deposit_sender, TACIT_ADDRESS_LEN);
    buf_u64(b, s->deposit_nonce);
    buf_fr(b, &s->nf[0]);
    buf_fr(b, &s->nf[1]);
    buf_u8(b, s->nin);
    buf_u64(b, s->in_index[0]);
    buf_u64(b, s->in_index[1]);
}

static void get_sent(struct rd *r, struct tacit__wsent *s)
{
    memset(s, 0, sizeof *s);
    rd_get(r, s->txid, 32);
    s->kind = rd_u8(r);
    s->state = rd_u8(r);
    s->height = rd_u64(r);
    s->error = (int32_t)(uint32_t)rd_u64(r);
    s->amount = rd_u64(r);
    s->fee = rd_u64(r);
    s->change = rd_u64(r);
    rd_get(r, s->deposit_sender, TACIT_ADDRESS_LEN);
    s->deposit_nonce = rd_u64(r);
    rd_fr(r, &s->nf[0]);
    rd_fr(r, &s->nf[1]);
    s->nin = rd_u8(r);
    s->in_index[0] = rd_u64(r);
    s->in_index[1] = rd_u64(r);
    if (s->nin > 2 || s->kind > TACIT_WALLET_SEND_DEPOSIT || s->state > TACIT_WALLET_TX_REJECTED)
        r->bad = true;
}

/* ----------------------------------------------------- secrets record ---- */

static int secrets_save(struct tacit_wallet *w, MDB_txn *txn, unsigned version)
{
    struct buf b = {0};
    uint8_t vkb[64], *sealed = NULL;
    size_t sealed_len = 0;
    int rc;

    buf_u8(&b, w->kind);
    buf_u8(&b, (uint8_t)w->net);
    if (w->kind == KIND_SPENDING) {
        uint8_t skb[32];
        tacit_spending_key_to_bytes(skb, w->sk);
        buf_put(&b, skb, 32);
        sodium_memzero(skb, sizeof skb);
    } else {
        tacit_viewing_key_to_bytes(vkb, w->vk_own, tacit_viewing_key_kind(w->vk_own));
        buf_put(&b, vkb, 64);
        sodium_memzero(vkb, sizeof vkb);
    }
    buf_put(&b, w->data_key, crypto_secretbox_KEYBYTES);
    if (version >= 2) { /* the recovery phrase's entropy: its length (0: none), the bytes */
        buf_u8(&b, (uint8_t)w->entropy_len);
        if (w->entropy_len) buf_put(&b, w->entropy, w->entropy_len);
    }
    buf_u64(&b, w->ntkeys);
    for (size_t i = 0; i < w->ntkeys; i++) buf_put(&b, w->tkeys[i], 32);
    if (b.oom) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    if ((rc = seal(&sealed, &sealed_len, b.p, b.len, w->box_key)) != TACIT_OK) goto out;
    rc = put(txn, (MDB_dbi)w->dbi, "secrets", 7, sealed, sealed_len);
out:
    free(sealed);
    buf_release(&b);
    return rc;
}

static int tkeys_reserve(struct tacit_wallet *w, size_t n)
{
    uint8_t(*k)[32];
    uint8_t(*a)[TACIT_ADDRESS_LEN];
    size_t cap;
    if (n <= w->tkeys_cap) return TACIT_OK;
    cap = w->tkeys_cap ? 2 * w->tkeys_cap : 4;
    while (cap < n) cap *= 2;
    if ((k = sodium_allocarray(cap, 32)) == NULL) return TACIT_ENOMEM;
    if ((a = calloc(cap, TACIT_ADDRESS_LEN)) == NULL) {
        sodium_free(k);
        return TACIT_ENOMEM;
    }
    if (w->ntkeys) {
        memcpy(k, w->tkeys, w->ntkeys * 32);
        memcpy(a, w->taddrs, w->ntkeys * TACIT_ADDRESS_LEN);
    }
    sodium_free(w->tkeys);
    free(w->taddrs);
    w->tkeys = k;
    w->taddrs = a;
    w->tkeys_cap = cap;
    return TACIT_OK;
}

int tacit__wallet_tkeys_reserve(struct tacit_wallet *w, size_t n) { return tkeys_reserve(w, n); }

static int secrets_load(struct tacit_wallet *w, const uint8_t *pt, size_t len, unsigned version)
{
    struct rd r = {pt, len, false};
    uint8_t key[64];
    uint64_t nt;
    int rc;

    w->kind = rd_u8(&r);
    if (rd_u8(&r) != (uint8_t)w->net) return TACIT_ECORRUPT;
    if (w->kind == KIND_SPENDING) {
        rd_get(&r, key, 32);
        if (r.bad) return TACIT_ECORRUPT;
        rc = tacit_spending_key_from_bytes(&w->sk, key);
        sodium_memzero(key, sizeof key);
        if (rc != TACIT_OK) return rc == TACIT_ENOMEM ? rc : TACIT_ECORRUPT;
        w->vk = tacit_spending_key_viewing_key(w->sk);
    } else if (w->kind == KIND_FULL || w->kind == KIND_INCOMING) {
        rd_get(&r, key, 64);
        if (r.bad) return TACIT_ECORRUPT;
        rc = tacit_viewing_key_from_bytes(
            &w->vk_own, w->kind == KIND_FULL ? TACIT_VIEWING_KEY_FULL : TACIT_VIEWING_KEY_INCOMING,
            key);
        sodium_memzero(key, sizeof key);
        if (rc != TACIT_OK) return rc == TACIT_ENOMEM ? rc : TACIT_ECORRUPT;
        w->vk = w->vk_own;
    } else {
        return TACIT_ECORRUPT;
    }
    tacit_viewing_key_address(&w->addr, w->vk);
    rd_get(&r, w->data_key, crypto_secretbox_KEYBYTES);
    if (version >= 2) {
        size_t el = rd_u8(&r);
        if (el != 0 && (el < 16 || el > 32 || el % 4 != 0 || w->kind != KIND_SPENDING))
            return TACIT_ECORRUPT;
        if (el != 0) {
            if (w->entropy == NULL && (w->entropy = sodium_malloc(32)) == NULL) return TACIT_ENOMEM;
            rd_get(&r, w->entropy, el);
            w->entropy_len = el;
        }
    }
    nt = rd_u64(&r);
    if (r.bad || nt > r.left / 32 || r.left != nt * 32) return TACIT_ECORRUPT;
    if ((rc = tkeys_reserve(w, (size_t)nt)) != TACIT_OK) return rc;
    for (size_t i = 0; i < nt; i++) {
        rd_get(&r, w->tkeys[i], 32);
        if (tacit_address_from_seckey(w->taddrs[i], w->tkeys[i]) != TACIT_OK) return TACIT_ECORRUPT;
        w->ntkeys = i + 1;
    }
    return TACIT_OK;
}

/* ------------------------------------------------------- state records ---- */

static void sync_encode(uint8_t out[SYNC_BYTES], const struct tacit_wallet *w)
{
    uint8_t *p = out;
    tacit__be64(p, w->generation), p += 8;
    tacit__be64(p, w->synced_height), p += 8;
    memcpy(p, w->synced_hash, 32), p += 32;
    tacit__be64(p, w->chain_id), p += 8;
    *p++ = w->has_chain_id;
    *p++ = (uint8_t)w->tree.level;
    tacit__be64(p, w->tree.size), p += 8;
    tacit_fr_to_bytes(p, &w->anchor), p += 32;
    *p++ = w->witness_ok;
}

/* Record key: b's bytes sealed under the data key; b is released. */
static int put_sealed(struct tacit_wallet *w, MDB_txn *txn, const char *key, struct buf *b)
{
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    int rc = b->oom ? TACIT_ENOMEM : seal(&sealed, &sealed_len, b->p, b->len, w->data_key);
    if (rc == TACIT_OK) rc = put(txn, (MDB_dbi)w->dbi, key, strlen(key), sealed, sealed_len);
    free(sealed);
    buf_release(b);
    return rc;
}

static int private_save(struct tacit_wallet *w, MDB_txn *txn)
{
    struct buf b = {0};
    buf_u64(&b, w->nnotes);
    for (size_t i = 0; i < w->nnotes; i++) put_note(&b, &w->notes[i], w->tree.level);
    buf_u64(&b, w->nsent);
    for (size_t i = 0; i < w->nsent; i++) put_sent(&b, &w->sent[i]);
    /* the witnesses are private too (they show where the notes are) */
    for (size_t i = 0; i < w->nnotes; i++)
        for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) buf_fr(&b, &w->notes[i].path[l]);
    return put_sealed(w, txn, "private", &b);
}

static int private_load(struct tacit_wallet *w, MDB_txn *txn)
{
    MDB_val key = {7, "private"}, val;
    uint8_t *pt = NULL;
    size_t len = 0;
    struct rd r;
    uint64_t n;
    int rc = mdb_err(mdb_get(txn, (MDB_dbi)w->dbi, &key, &val));
    if (rc == TACIT_ENOTFOUND) return TACIT_OK; /* nothing yet */
    if (rc != TACIT_OK) return rc;
    if ((rc = unseal(&pt, &len, val.mv_data, val.mv_size, w->data_key)) != TACIT_OK)
        return rc == TACIT_EPASSPHRASE ? TACIT_ECORRUPT : rc;
    r = (struct rd){pt, len, false};
    n = rd_u64(&r);
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        struct tacit__wnote note;
        get_note(&r, &note, w->tree.level);
        if (r.bad) break;
        if ((rc = tacit__wallet_add_note(w, &note)) != TACIT_OK) {
            sodium_memzero(&note, sizeof note);
            goto out;
        }
        sodium_memzero(&note, sizeof note);
    }
    n = rd_u64(&r);
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        struct tacit__wsent s;
        get_sent(&r, &s);
        if (r.bad) break;
        if ((rc = tacit__wallet_add_sent(w, &s)) != TACIT_OK) goto out;
    }
    for (size_t i = 0; i < w->nnotes && !r.bad; i++)
        for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) rd_fr(&r, &w->notes[i].path[l]);
    rc = (r.bad || r.left != 0) ? TACIT_ECORRUPT : TACIT_OK;
out:
    sodium_free(pt);
    return rc;
}

/* The forced transactions among the sent ones ("forced", sealed under the data key; a record
 * of its own so that the "private" record, and the readers that know only it, are unchanged):
 * count (u64), then each: tx id (32), queue index (u64), L1 block (u64), L1 tx (32), anchor
 * height (u64). */
#define FORCED_BYTES (32 + 8 + 8 + 32 + 8)

static int forced_save(struct tacit_wallet *w, MDB_txn *txn)
{
    struct buf b = {0};
    size_t n = 0;
    for (size_t i = 0; i < w->nsent; i++) n += w->sent[i].forced;
    if (n == 0) {
        MDB_val key = {6, (void *)"forced"};
        int mrc = mdb_del(txn, (MDB_dbi)w->dbi, &key, NULL);
        return mrc == MDB_SUCCESS || mrc == MDB_NOTFOUND ? TACIT_OK : mdb_err(mrc);
    }
    buf_u64(&b, n);
    for (size_t i = 0; i < w->nsent; i++) {
        const struct tacit__wsent *s = &w->sent[i];
        if (!s->forced) continue;
        buf_put(&b, s->txid, 32);
        buf_u64(&b, s->f.queue_index);
        buf_u64(&b, s->f.l1_block);
        buf_put(&b, s->f.l1_tx, 32);
        buf_u64(&b, s->f.anchor_height);
    }
    return put_sealed(w, txn, "forced", &b);
}

static int forced_load(struct tacit_wallet *w, MDB_txn *txn)
{
    MDB_val key = {6, (void *)"forced"}, val;
    uint8_t *pt = NULL, id[32];
    size_t len = 0;
    struct rd r;
    uint64_t n;
    int rc = mdb_err(mdb_get(txn, (MDB_dbi)w->dbi, &key, &val));
    if (rc == TACIT_ENOTFOUND) return TACIT_OK; /* none */
    if (rc != TACIT_OK) return rc;
    if ((rc = unseal(&pt, &len, val.mv_data, val.mv_size, w->data_key)) != TACIT_OK)
        return rc == TACIT_EPASSPHRASE ? TACIT_ECORRUPT : rc;
    r = (struct rd){pt, len, false};
    n = rd_u64(&r);
    if (n > len / FORCED_BYTES) r.bad = true;
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        struct tacit_wallet_forced f;
        struct tacit__wsent *s;
        rd_get(&r, id, 32);
        f.queue_index = rd_u64(&r);
        f.l1_block = rd_u64(&r);
        rd_get(&r, f.l1_tx, 32);
        f.anchor_height = rd_u64(&r);
        if (r.bad || (s = tacit__wallet_find_sent(w, id)) == NULL) {
            r.bad = true;
            break;
        }
        s->forced = true;
        s->f = f;
    }
    rc = (r.bad || r.left != 0) ? TACIT_ECORRUPT : TACIT_OK;
    sodium_free(pt);
    return rc;
}

/* The recent blocks' tree sizes and frontiers ("hist"; none in an older file). Each entry:
 * height (u64), size (u64), frontier known (1), then when known the frontier's nodes at the
 * levels l whose bit is set in size mod 2^h, lowest level first (32 bytes each). */
static int hist_load(struct tacit_wallet *w, MDB_txn *txn)
{
    struct tacit__wtree *t = &w->tree;
    MDB_val key = {4, (void *)"hist"}, val;
    const uint8_t *p, *end;
    int rc = mdb_err(mdb_get(txn, (MDB_dbi)w->dbi, &key, &val));
    t->nhist = 0;
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) return rc;
    p = val.mv_data;
    end = p + val.mv_size;
    while (p < end) {
        size_t i = t->nhist;
        uint64_t hh, sz, r;
        if (end - p < 17 || i == TACIT__WALLET_HISTORY) return TACIT_ECORRUPT;
        hh = tacit__rd_be64(p), sz = tacit__rd_be64(p + 8);
        if ((i > 0 && hh <= t->hist_height[i - 1]) || sz > t->size || p[16] > 1 ||
            (w->synced_height != TACIT_WALLET_NO_HEIGHT && hh > w->synced_height))
            return TACIT_ECORRUPT;
        t->hist_height[i] = hh;
        t->hist_size[i] = sz;
        t->hist_front_ok[i] = p[16] != 0;
        p += 17;
        r = sz & (((uint64_t)1 << t->level) - 1);
        for (unsigned l = 0; t->hist_front_ok[i] && l < t->level; l++) {
            if (!((r >> l) & 1)) continue;
            if (end - p < 32 || tacit_fr_from_bytes(&t->hist_front[i][l], p) != TACIT_OK)
                return TACIT_ECORRUPT;
            p += 32;
        }
        t->nhist = i + 1;
    }
    return TACIT_OK;
}

static int hist_save(struct tacit_wallet *w, MDB_txn *txn)
{
    const struct tacit__wtree *t = &w->tree;
    uint8_t v[TACIT__WALLET_HISTORY * (17 + 32 * TACIT_TREE_DEPTH)], *p = v;
    for (size_t i = 0; i < t->nhist; i++) {
        uint64_t r = t->hist_size[i] & (((uint64_t)1 << t->level) - 1);
        tacit__be64(p, t->hist_height[i]);
        tacit__be64(p + 8, t->hist_size[i]);
        p[16] = t->hist_front_ok[i] ? 1 : 0;
        p += 17;
        for (unsigned l = 0; t->hist_front_ok[i] && l < t->level; l++)
            if ((r >> l) & 1) {
                tacit_fr_to_bytes(p, &t->hist_front[i][l]);
                p += 32;
            }
    }
    return put(txn, (MDB_dbi)w->dbi, "hist", 4, v, (size_t)(p - v));
}

/* The chain the wallet belongs to ("chain": chain id, block 0's hash; absent until the first
 * sync recorded them, and in files of format 1). */
static int chain_load(struct tacit_wallet *w, MDB_txn *txn)
{
    MDB_val key = {5, (void *)"chain"}, val;
    int rc = mdb_err(mdb_get(txn, (MDB_dbi)w->dbi, &key, &val));
    w->bound = false;
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) return rc;
    if (val.mv_size != CHAIN_BYTES) return TACIT_ECORRUPT;
    w->bound_chain_id = tacit__rd_be64(val.mv_data);
    memcpy(w->genesis, (const uint8_t *)val.mv_data + 8, 32);
    w->bound = true;
    return TACIT_OK;
}

static int chain_save(struct tacit_wallet *w, MDB_txn *txn)
{
    uint8_t v[CHAIN_BYTES];
    if (!w->bound || tacit__wallet_create_v1) return TACIT_OK; /* format 1 had no record */
    tacit__be64(v, w->bound_chain_id);
    memcpy(v + 8, w->genesis, 32);
    return put(txn, (MDB_dbi)w->dbi, "chain", 5, v, sizeof v);
}

/* The public record: kind, then the shielded address (what `wallet address` shows without the
 * passphrase). */
static int pub_save(struct tacit_wallet *w, MDB_txn *txn)
{
    uint8_t v[PUB_BYTES];
    v[0] = w->kind;
    tacit_shielded_address_to_bytes(v + 1, &w->addr);
    return put(txn, (MDB_dbi)w->dbi, "pub", 3, v, sizeof v);
}

/* Loads sync, private, roots and leaves (the wallet's state but not its keys). */
static int state_load(struct tacit_wallet *w, MDB_txn *txn)
{
    uint8_t s[SYNC_BYTES], k[9];
    const uint8_t *p = s;
    MDB_cursor *cur;
    MDB_val key, val;
    int rc, mrc;

    tacit__wallet_free_state(w);
    /* the handle stays usable (an empty tree) whatever fails below */
    if ((rc = tacit__wtree_init(&w->tree, TACIT_WALLET_SUBTREE_LEVEL)) != TACIT_OK) return rc;
    if ((rc = get_exact(txn, (MDB_dbi)w->dbi, "sync", s, sizeof s)) != TACIT_OK) return rc;
    w->generation = tacit__rd_be64(p), p += 8;
    w->synced_height = tacit__rd_be64(p), p += 8;
    memcpy(w->synced_hash, p, 32), p += 32;
    w->chain_id = tacit__rd_be64(p), p += 8;
    w->has_chain_id = *p++ != 0;
    if (*p < 1 || *p > 20) return TACIT_ECORRUPT;
    if (*p != w->tree.level) {
        tacit__wtree_clear(&w->tree);
        if ((rc = tacit__wtree_init(&w->tree, *p)) != TACIT_OK) return rc;
    }
    p++;
    w->tree.size = tacit__rd_be64(p), p += 8;
    if (tacit_fr_from_bytes(&w->anchor, p) != TACIT_OK) return TACIT_ECORRUPT;
    p += 32;
    w->witness_ok = *p != 0;
    if (w->tree.size > TACIT_TREE_MAX_LEAVES) return TACIT_ECORRUPT;

    if ((rc = private_load(w, txn)) != TACIT_OK) return rc;
    if ((rc = forced_load(w, txn)) != TACIT_OK) return rc;
    if ((rc = hist_load(w, txn)) != TACIT_OK) return rc;
    if ((rc = chain_load(w, txn)) != TACIT_OK) return rc;

    /* roots: exactly size >> level of them, numbered from 0 */
    w->tree.nroots = (size_t)(w->tree.size >> w->tree.level);
    w->tree.roots_cap = w->tree.nroots + 1;
    if ((w->tree.roots = calloc(w->tree.roots_cap, sizeof *w->tree.roots)) == NULL)
        return TACIT_ENOMEM;
    if ((rc = mdb_err(mdb_cursor_open(txn, (MDB_dbi)w->dbi, &cur))) != TACIT_OK) return rc;
    k[0] = 'R';
    tacit__be64(k + 1, 0);
    key = (MDB_val){9, k};
    size_t got = 0;
    for (mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); mrc == MDB_SUCCESS;
         mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
        const uint8_t *kp = key.mv_data;
        if (key.mv_size != 9 || kp[0] != 'R') break;
        if (tacit__rd_be64(kp + 1) != got || got >= w->tree.nroots || val.mv_size != 32 ||
            tacit_fr_from_bytes(&w->tree.roots[got], val.mv_data) != TACIT_OK) {
            rc = TACIT_ECORRUPT;
            break;
        }
        got++;
    }
    if (rc == TACIT_OK && got != w->tree.nroots) rc = TACIT_ECORRUPT;
    w->tree.roots_saved = got;
    /* leaves of the incomplete subtree */
    if (rc == TACIT_OK) {
        uint64_t base = (uint64_t)w->tree.nroots << w->tree.level;
        size_t want = (size_t)(w->tree.size - base);
        k[0] = 'L';
        tacit__be64(k + 1, 0);
        key = (MDB_val){9, k};
        for (mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); mrc == MDB_SUCCESS;
             mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
            const uint8_t *kp = key.mv_data, *vp = val.mv_data;
            size_t cnt = val.mv_size / 32;
            if (key.mv_size != 9 || kp[0] != 'L') break;
            if (tacit__rd_be64(kp + 1) != base + w->tree.nleaves || val.mv_size % 32 != 0 ||
                w->tree.nleaves + cnt > want) {
                rc = TACIT_ECORRUPT;
                break;
            }
            for (size_t i = 0; i < cnt && rc == TACIT_OK; i++)
                if (tacit_fr_from_bytes(&w->tree.leaves[w->tree.nleaves + i], vp + 32 * i) !=
                    TACIT_OK)
                    rc = TACIT_ECORRUPT;
            w->tree.nleaves += cnt;
        }
        if (rc == TACIT_OK && w->tree.nleaves != want) rc = TACIT_ECORRUPT;
        w->tree.leaves_saved = w->tree.nleaves;
    }
    mdb_cursor_close(cur);
    return rc;
}

/* Deletes every record whose key starts with c (a one-letter prefix). */
static int drop_prefix(MDB_txn *txn, MDB_dbi dbi, char c)
{
    MDB_cursor *cur;
    MDB_val key = {1, &c}, val;
    int rc, mrc;
    if ((rc = mdb_err(mdb_cursor_open(txn, dbi, &cur))) != TACIT_OK) return rc;
    for (mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); mrc == MDB_SUCCESS;
         mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
        if (key.mv_size < 1 || ((const char *)key.mv_data)[0] != c) break;
        if ((mrc = mdb_cursor_del(cur, 0)) != MDB_SUCCESS) break;
    }
    mdb_cursor_close(cur);
    return (mrc == MDB_SUCCESS || mrc == MDB_NOTFOUND) ? TACIT_OK : mdb_err(mrc);
}

/* Writes everything that changed, in txn. */
static int state_save(struct tacit_wallet *w, MDB_txn *txn)
{
    MDB_dbi dbi = (MDB_dbi)w->dbi;
    uint8_t s[SYNC_BYTES], k[9], *tmp = NULL;
    int rc;
    sync_encode(s, w);
    if ((rc = put(txn, dbi, "sync", 4, s, sizeof s)) != TACIT_OK) return rc;
    if ((rc = private_save(w, txn)) != TACIT_OK) return rc;
    if ((rc = forced_save(w, txn)) != TACIT_OK) return rc;
    if ((rc = hist_save(w, txn)) != TACIT_OK) return rc;
    if ((rc = chain_save(w, txn)) != TACIT_OK) return rc;
    for (size_t i = w->tree.roots_saved; i < w->tree.nroots; i++) {
        uint8_t v[32];
        k[0] = 'R';
        tacit__be64(k + 1, i);
        tacit_fr_to_bytes(v, &w->tree.roots[i]);
        if ((rc = put(txn, dbi, k, 9, v, 32)) != TACIT_OK) return rc;
    }
    if (w->tree.roots_saved != w->tree.nroots || w->tree.leaves_saved > w->tree.nleaves) {
        /* a subtree completed: its leaves are no longer needed */
        if ((rc = drop_prefix(txn, dbi, 'L')) != TACIT_OK) return rc;
        w->tree.leaves_saved = 0;
    }
    if (w->tree.nleaves > w->tree.leaves_saved) {
        size_t n = w->tree.nleaves - w->tree.leaves_saved;
        if ((tmp = malloc(n * 32)) == NULL) return TACIT_ENOMEM;
        for (size_t i = 0; i < n; i++)
            tacit_fr_to_bytes(tmp + 32 * i, &w->tree.leaves[w->tree.leaves_saved + i]);
        k[0] = 'L';
        tacit__be64(k + 1, ((uint64_t)w->tree.nroots << w->tree.level) + w->tree.leaves_saved);
        rc = put(txn, dbi, k, 9, tmp, n * 32);
        free(tmp);
    }
    return rc;
}

/* ------------------------------------------------------------ public-ish ---- */

static int env_open(struct tacit_wallet *w, const char *path, unsigned flags)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc;
    if ((rc = mdb_err(mdb_env_create(&env))) != TACIT_OK) return rc;
    if ((rc = mdb_err(mdb_env_set_mapsize(env, MAP_SIZE))) != TACIT_OK ||
        (rc = mdb_err(mdb_env_open(env, path, MDB_NOSUBDIR | flags, 0600))) != TACIT_OK) {
        mdb_env_close(env);
        return rc;
    }
    if ((rc = mdb_err(mdb_txn_begin(env, NULL, flags & MDB_RDONLY, &txn))) != TACIT_OK) {
        mdb_env_close(env);
        return rc;
    }
    if ((rc = mdb_err(mdb_dbi_open(txn, NULL, 0, &dbi))) != TACIT_OK ||
        (rc = mdb_err(mdb_txn_commit(txn))) != TACIT_OK) {
        if (rc != TACIT_OK) mdb_txn_abort(txn);
        mdb_env_close(env);
        return rc;
    }
    w->env = env;
    w->dbi = dbi;
    return TACIT_OK;
}

bool tacit__wallet_kdf_weak = false; /* tests only (wallet_internal.h) */

static int kdf(uint8_t *key, const char *pass, size_t passlen, const uint8_t *salt, uint64_t ops,
               uint64_t mem)
{
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, passlen, salt, ops, (size_t)mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return TACIT_ENOMEM; /* the only failure with valid limits: memlimit not available */
    return TACIT_OK;
}

static int keys_alloc(struct tacit_wallet *w)
{
    if (w->box_key == NULL && (w->box_key = sodium_malloc(crypto_secretbox_KEYBYTES)) == NULL)
        return TACIT_ENOMEM;
    if (w->data_key == NULL && (w->data_key = sodium_malloc(crypto_secretbox_KEYBYTES)) == NULL)
        return TACIT_ENOMEM;
    return TACIT_OK;
}

int tacit__wallet_store_create(struct tacit_wallet *w, const char *path, const char *pass,
                               size_t passlen)
{
    uint8_t meta[META_BYTES], s[SYNC_BYTES], *p = meta;
    bool weak = tacit__wallet_kdf_weak;
    uint64_t ops = weak ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    uint64_t mem = weak ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    MDB_txn *txn;
    int fd, rc;

    if (sodium_init() < 0) return TACIT_ENOMEM;
    /* O_EXCL: never take over an existing file; 0600 from the first byte (not after). */
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return errno == EEXIST ? TACIT_EEXISTS : errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    if (fchmod(fd, 0600) != 0) { /* in case of a permissive umask-less ACL */
        close(fd);
        unlink(path);
        return TACIT_EIO;
    }
    close(fd);
    if ((rc = env_open(w, path, 0)) != TACIT_OK) goto out_unlink;
    if ((rc = keys_alloc(w)) != TACIT_OK) goto out_unlink;

    memcpy(p, "TWL", 3), p[3] = tacit__wallet_create_v1 ? 1 : TACIT_WALLET_FORMAT_VERSION, p += 4;
    *p++ = (uint8_t)w->net;
    tacit__be64(p, ops), p += 8;
    tacit__be64(p, mem), p += 8;
    randombytes_buf(p, SALT_BYTES);
    if ((rc = kdf(w->box_key, pass, passlen, p, ops, mem)) != TACIT_OK) goto out_unlink;
    randombytes_buf(w->data_key, crypto_secretbox_KEYBYTES);

    w->synced_height = TACIT_WALLET_NO_HEIGHT;
    sync_encode(s, w);
    if ((rc = mdb_err(mdb_txn_begin(env_of(w), NULL, 0, &txn))) != TACIT_OK) goto out_unlink;
    if ((rc = put(txn, (MDB_dbi)w->dbi, "meta", 4, meta, sizeof meta)) != TACIT_OK ||
        (rc = secrets_save(w, txn, tacit__wallet_create_v1 ? 1 : 2)) != TACIT_OK ||
        (!tacit__wallet_create_v1 && (rc = pub_save(w, txn)) != TACIT_OK) ||
        (rc = put(txn, (MDB_dbi)w->dbi, "sync", 4, s, sizeof s)) != TACIT_OK ||
        (rc = private_save(w, txn)) != TACIT_OK) {
        mdb_txn_abort(txn);
        goto out_unlink;
    }
    if ((rc = mdb_err(mdb_txn_commit(txn))) != TACIT_OK) goto out_unlink;
    return TACIT_OK;

out_unlink:
    tacit__wallet_store_close(w);
    unlink(path);
    {
        /* LMDB's lock file beside a NOSUBDIR environment */
        size_t n = strlen(path);
        char *lock = malloc(n + 6);
        if (lock != NULL) {
            memcpy(lock, path, n);
            memcpy(lock + n, "-lock", 6);
            unlink(lock);
            free(lock);
        }
    }
    return rc;
}

/* A file of format 1 (no "pub" record, no phrase in the secrets), opened with its passphrase:
 * rewritten as format 2 in one transaction (meta's version, the secrets in the new layout
 * without a phrase, "pub"). */
static int upgrade_v1(struct tacit_wallet *w, uint8_t meta[META_BYTES])
{
    MDB_txn *txn;
    int rc;
    meta[3] = TACIT_WALLET_FORMAT_VERSION;
    if ((rc = mdb_err(mdb_txn_begin(env_of(w), NULL, 0, &txn))) != TACIT_OK) return rc;
    if ((rc = put(txn, (MDB_dbi)w->dbi, "meta", 4, meta, META_BYTES)) != TACIT_OK ||
        (rc = secrets_save(w, txn, TACIT_WALLET_FORMAT_VERSION)) != TACIT_OK ||
        (rc = pub_save(w, txn)) != TACIT_OK) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_err(mdb_txn_commit(txn));
}

int tacit__wallet_store_open(struct tacit_wallet *w, unsigned *flags, const char *path,
                             const char *pass, size_t passlen)
{
    uint8_t meta[META_BYTES], *pt = NULL;
    const uint8_t *p = meta;
    uint64_t ops, mem;
    size_t ptlen;
    unsigned version = 0;
    struct stat st;
    MDB_txn *txn;
    MDB_val key = {7, "secrets"}, val;
    int rc;

    if (flags) *flags = 0;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if (stat(path, &st) != 0) return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    if (!S_ISREG(st.st_mode)) return TACIT_ECORRUPT;
    if ((st.st_mode & 077) != 0 && flags) *flags |= TACIT_WALLET_OPEN_INSECURE_MODE;
    if ((rc = env_open(w, path, 0)) != TACIT_OK) return rc;
    if ((rc = keys_alloc(w)) != TACIT_OK) return rc;
    if ((rc = mdb_err(mdb_txn_begin(env_of(w), NULL, MDB_RDONLY, &txn))) != TACIT_OK) return rc;
    if ((rc = get_exact(txn, (MDB_dbi)w->dbi, "meta", meta, sizeof meta)) != TACIT_OK) goto out;
    if (memcmp(p, "TWL", 3) != 0) {
        rc = TACIT_ECORRUPT;
        goto out;
    }
    if (p[3] != 1 && p[3] != TACIT_WALLET_FORMAT_VERSION) {
        rc = TACIT_EVERSION;
        goto out;
    }
    version = p[3];
    p += 4;
    if (*p > TACIT_NETWORK_DEVNET) {
        rc = TACIT_ECORRUPT;
        goto out;
    }
    w->net = (enum tacit_network) * p++;
    ops = tacit__rd_be64(p), p += 8;
    mem = tacit__rd_be64(p), p += 8;
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_MAX ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > ((uint64_t)1 << 32)) {
        rc = TACIT_ECORRUPT;
        goto out;
    }
    if ((rc = kdf(w->box_key, pass, passlen, p, ops, mem)) != TACIT_OK) goto out;
    if ((rc = mdb_err(mdb_get(txn, (MDB_dbi)w->dbi, &key, &val))) != TACIT_OK) {
        if (rc == TACIT_ENOTFOUND) rc = TACIT_ECORRUPT;
        goto out;
    }
    if ((rc = unseal(&pt, &ptlen, val.mv_data, val.mv_size, w->box_key)) != TACIT_OK) goto out;
    if ((rc = secrets_load(w, pt, ptlen, version)) != TACIT_OK) goto out;
    rc = state_load(w, txn);
out:
    sodium_free(pt);
    mdb_txn_abort(txn);
    if (rc == TACIT_OK && version == 1 && (rc = upgrade_v1(w, meta)) == TACIT_OK && flags)
        *flags |= TACIT_WALLET_OPEN_UPGRADED;
    return rc;
}

void tacit__wallet_store_close(struct tacit_wallet *w)
{
    if (w->env) mdb_env_close(env_of(w));
    w->env = NULL;
}

int tacit__wallet_store_save_secrets(struct tacit_wallet *w)
{
    MDB_txn *txn;
    int rc;
    if ((rc = mdb_err(mdb_txn_begin(env_of(w), NULL, 0, &txn))) != TACIT_OK) return rc;
    if ((rc = secrets_save(w, txn, TACIT_WALLET_FORMAT_VERSION)) != TACIT_OK) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_err(mdb_txn_commit(txn));
}

int tacit__wallet_store_peek(const char *path, enum tacit_network *net, uint8_t *kind,
                             struct tacit_shielded_address *addr)
{
    struct tacit_wallet tmp;
    uint8_t meta[META_BYTES], pub[PUB_BYTES];
    struct stat st;
    MDB_txn *txn;
    int rc;

    memset(&tmp, 0, sizeof tmp);
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if (stat(path, &st) != 0) return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    if (!S_ISREG(st.st_mode)) return TACIT_ECORRUPT;
    if ((rc = env_open(&tmp, path, MDB_RDONLY)) != TACIT_OK) return rc;
    if ((rc = mdb_err(mdb_txn_begin(env_of(&tmp), NULL, MDB_RDONLY, &txn))) != TACIT_OK) goto out;
    if ((rc = get_exact(txn, (MDB_dbi)tmp.dbi, "meta", meta, sizeof meta)) == TACIT_OK) {
        if (memcmp(meta, "TWL", 3) != 0 || meta[4] > TACIT_NETWORK_DEVNET)
            rc = TACIT_ECORRUPT;
        else if (meta[3] != TACIT_WALLET_FORMAT_VERSION)
            rc = TACIT_EVERSION;
        else
            rc = get_exact(txn, (MDB_dbi)tmp.dbi, "pub", pub, sizeof pub);
    }
    if (rc == TACIT_OK &&
        (pub[0] > KIND_INCOMING || tacit_shielded_address_from_bytes(addr, pub + 1) != TACIT_OK))
        rc = TACIT_ECORRUPT;
    if (rc == TACIT_OK) {
        *net = (enum tacit_network)meta[4];
        *kind = pub[0];
    }
    mdb_txn_abort(txn);
out:
    tacit__wallet_store_close(&tmp);
    return rc;
}

int tacit__wallet_store_backup(const struct tacit_wallet *w, const char *path)
{
    int fd, rc;
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return errno == EEXIST ? TACIT_EEXISTS : errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    /* a consistent snapshot (a read transaction), free pages left out */
    if (fchmod(fd, 0600) != 0)
        rc = TACIT_EIO;
    else
        rc = mdb_err(mdb_env_copyfd2((MDB_env *)w->env, fd, MDB_CP_COMPACT));
    if (rc == TACIT_OK && fsync(fd) != 0) rc = errno == ENOSPC ? TACIT_EDISK_FULL : TACIT_EIO;
    if (close(fd) != 0 && rc == TACIT_OK) rc = TACIT_EIO;
    if (rc != TACIT_OK) unlink(path);
    return rc;
}

/* The generation in the file (0 if unreadable). */
static int file_generation(struct tacit_wallet *w, MDB_txn *txn, uint64_t *gen)
{
    uint8_t s[SYNC_BYTES];
    int rc = get_exact(txn, (MDB_dbi)w->dbi, "sync", s, sizeof s);
    *gen = rc == TACIT_OK ? tacit__rd_be64(s) : 0;
    return rc;
}

int tacit__wallet_store_refresh(struct tacit_wallet *w, bool *reloaded)
{
    MDB_txn *txn;
    uint64_t gen;
    int rc;
    *reloaded = false;
    if ((rc = mdb_err(mdb_txn_begin(env_of(w), NULL, MDB_RDONLY, &txn))) != TACIT_OK) return rc;
    if ((rc = file_generation(w, txn, &gen)) == TACIT_OK && gen != w->generation) {
        rc = state_load(w, txn);
        *reloaded = true;
    }
    mdb_txn_abort(txn);
    return rc;
}

int tacit__wallet_store_reload(struct tacit_wallet *w)
{
    MDB_txn *txn;
    int rc;
    if ((rc = mdb_err(mdb_txn_begin(env_of(w), NULL, MDB_RDONLY, &txn))) != TACIT_OK) return rc;
    rc = state_load(w, txn);
    mdb_txn_abort(txn);
    return rc;
}

int tacit__wallet_store_commit(struct tacit_wallet *w)
{
    MDB_txn *txn;
    uint64_t gen;
    int rc;
    if ((rc = mdb_err(mdb_txn_begin(env_of(w), NULL, 0, &txn))) != TACIT_OK) return rc;
    if ((rc = file_generation(w, txn, &gen)) != TACIT_OK) goto out_abort;
    if (gen != w->generation) {
        /* another process wrote: take its state; the caller redoes its step */
        rc = state_load(w, txn);
        mdb_txn_abort(txn);
        return rc == TACIT_OK ? TACIT_EBUSY : rc;
    }
    w->generation++;
    if ((rc = state_save(w, txn)) != TACIT_OK) {
        w->generation--;
        goto out_abort;
    }
    if ((rc = mdb_err(mdb_txn_commit(txn))) != TACIT_OK) {
        w->generation--;
        return rc;
    }
    w->tree.roots_saved = w->tree.nroots;
    w->tree.leaves_saved = w->tree.nleaves;
    return TACIT_OK;
out_abort:
    mdb_txn_abort(txn);
    return rc;
}

int tacit__wallet_store_reset_sync(struct tacit_wallet *w)
{
    MDB_txn *txn;
    uint64_t gen;
    unsigned level = w->tree.level;
    int rc;
    if ((rc = mdb_err(mdb_txn_begin(env_of(w), NULL, 0, &txn))) != TACIT_OK) return rc;
    if ((rc = file_generation(w, txn, &gen)) != TACIT_OK) goto out_abort;
    if (gen != w->generation && (rc = state_load(w, txn)) != TACIT_OK) goto out_abort;
    if ((rc = drop_prefix(txn, (MDB_dbi)w->dbi, 'R')) != TACIT_OK ||
        (rc = drop_prefix(txn, (MDB_dbi)w->dbi, 'L')) != TACIT_OK)
        goto out_abort;
    /* forget notes and tree; keep the record of sent transactions, releasing their notes;
     * those included are so only in the chain being forgotten: pending until the next scan
     * finds them (statuses follow the synced chain) */
    tacit__wallet_sent_unconfirm(w);
    for (size_t i = 0; i < w->nnotes; i++) sodium_memzero(&w->notes[i], sizeof w->notes[i]);
    w->nnotes = 0;
    tacit__wtree_clear(&w->tree);
    if ((rc = tacit__wtree_init(&w->tree, level)) != TACIT_OK) goto out_abort;
    w->synced_height = TACIT_WALLET_NO_HEIGHT;
    memset(w->synced_hash, 0, 32);
    w->has_chain_id = false;
    w->chain_id = 0;
    w->witness_ok = false;
    w->anchor = TACIT_FR_ZERO;
    w->generation++;
    if ((rc = state_save(w, txn)) != TACIT_OK) goto out_abort;
    if ((rc = mdb_err(mdb_txn_commit(txn))) != TACIT_OK) return rc;
    w->tree.roots_saved = 0;
    w->tree.leaves_saved = 0;
    return TACIT_OK;
out_abort:
    mdb_txn_abort(txn);
    return rc;
}
