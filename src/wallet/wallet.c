/*
 * tacit — wallet handles: create, open, close, keys, balance, notes (include/tacit/wallet.h).
 * The file is store.c's, sync is sync.c's and witness.c's, sending is send.c's.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/hd.h"
#include "wallet/keys_internal.h"
#include "wallet/wallet_internal.h"

static int wallet_alloc(struct tacit_wallet **out)
{
    struct tacit_wallet *w = calloc(1, sizeof *w);
    if (w == NULL) return TACIT_ENOMEM;
    w->synced_height = TACIT_WALLET_NO_HEIGHT;
    if (tacit__wtree_init(&w->tree, TACIT_WALLET_SUBTREE_LEVEL) != TACIT_OK) {
        free(w);
        return TACIT_ENOMEM;
    }
    *out = w;
    return TACIT_OK;
}

/* The personalisation of the seed's hash: docs/wallet.md, "Recovery". */
static const unsigned char SEED_PERSONAL[crypto_generichash_blake2b_PERSONALBYTES] =
    "tacit-sk-bip39";

int tacit_wallet_key_from_seed(struct tacit_spending_key **out, const uint8_t seed[64],
                               enum tacit_network net)
{
    /* wide = BLAKE2b-512(seed (64) || network (1) || account (4, BE, 0), personal
     * "tacit-sk-bip39"), sk = wide mod r (tacit_spending_key_from_wide) */
    uint8_t *in, *wide;
    int rc;
    *out = NULL;
    if (net != TACIT_NETWORK_MAINNET && net != TACIT_NETWORK_DEVNET) return TACIT_EINVAL;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if ((in = sodium_malloc(64 + 1 + 4 + 64)) == NULL) return TACIT_ENOMEM;
    wide = in + 69;
    memcpy(in, seed, 64);
    in[64] = (uint8_t)net;
    memset(in + 65, 0, 4); /* account 0: one shielded account per phrase */
    crypto_generichash_blake2b_salt_personal(wide, 64, in, 69, NULL, 0, NULL, SEED_PERSONAL);
    rc = tacit_spending_key_from_wide(out, wide);
    sodium_free(in); /* wipes */
    return rc;
}

/* w->sk and w->entropy from entropy (len bytes): the phrase's seed, then the key. */
static int key_from_entropy(struct tacit_wallet *w, const uint8_t *entropy, size_t len)
{
    char *phrase = NULL;
    uint8_t *seed = NULL;
    int rc = TACIT_ENOMEM;
    if ((w->entropy = sodium_malloc(32)) == NULL ||
        (phrase = sodium_malloc(TACIT_BIP39_PHRASE_MAX)) == NULL ||
        (seed = sodium_malloc(TACIT_BIP39_SEED_LEN)) == NULL)
        goto out;
    memcpy(w->entropy, entropy, len);
    w->entropy_len = len;
    if ((rc = tacit_bip39_phrase(phrase, TACIT_BIP39_PHRASE_MAX, entropy, len)) != TACIT_OK ||
        (rc = tacit_bip39_seed(seed, phrase, NULL, NULL)) != TACIT_OK)
        goto out;
    rc = tacit_wallet_key_from_seed(&w->sk, seed, w->net);
out:
    sodium_free(phrase);
    sodium_free(seed);
    return rc;
}

/* Makes the spending wallet of key, of entropy (len bytes), or of fresh entropy. */
static int create_spending(struct tacit_wallet **out, const char *path, const char *pass,
                           size_t passlen, enum tacit_network net,
                           const struct tacit_spending_key *key, const uint8_t *entropy, size_t len)
{
    struct tacit_wallet *w;
    int rc;
    *out = NULL;
    if (net != TACIT_NETWORK_MAINNET && net != TACIT_NETWORK_DEVNET) return TACIT_EINVAL;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if ((rc = wallet_alloc(&w)) != TACIT_OK) return rc;
    w->net = net;
    w->kind = 0;
    if (key != NULL) {
        uint8_t b[32];
        tacit_spending_key_to_bytes(b, key);
        rc = tacit_spending_key_from_bytes(&w->sk, b);
        sodium_memzero(b, sizeof b);
    } else if (entropy != NULL) {
        rc = key_from_entropy(w, entropy, len);
    } else {
        uint8_t *fresh = sodium_malloc(32);
        if (fresh == NULL) {
            rc = TACIT_ENOMEM;
            goto fail;
        }
        randombytes_buf(fresh, 32); /* 24 words */
        rc = key_from_entropy(w, fresh, 32);
        sodium_free(fresh);
    }
    if (rc != TACIT_OK) goto fail;
    w->vk = tacit_spending_key_viewing_key(w->sk);
    tacit_spending_key_address(&w->addr, w->sk);
    if ((rc = tacit__wallet_store_create(w, path, pass, passlen)) != TACIT_OK) goto fail;
    *out = w;
    return TACIT_OK;
fail:
    tacit_wallet_close(w);
    return rc;
}

int tacit_wallet_create(struct tacit_wallet **out, const char *path, const char *pass,
                        size_t passlen, enum tacit_network net,
                        const struct tacit_spending_key *key)
{
    return create_spending(out, path, pass, passlen, net, key, NULL, 0);
}

int tacit_wallet_restore(struct tacit_wallet **out, const char *path, const char *pass,
                         size_t passlen, enum tacit_network net, const char *phrase,
                         size_t *bad_word)
{
    uint8_t *entropy;
    size_t len = 0;
    int rc;
    *out = NULL;
    if (bad_word) *bad_word = 0;
    if (sodium_init() < 0 || (entropy = sodium_malloc(32)) == NULL) return TACIT_ENOMEM;
    rc = tacit_bip39_read(entropy, &len, NULL, 0, phrase, bad_word);
    if (rc == TACIT_OK) rc = create_spending(out, path, pass, passlen, net, NULL, entropy, len);
    sodium_free(entropy);
    return rc;
}

int tacit_wallet_mnemonic(char *out, size_t size, const struct tacit_wallet *w)
{
    if (size > 0) out[0] = '\0';
    if (size < TACIT_BIP39_PHRASE_MAX) return TACIT_EINVAL;
    if (w->entropy == NULL || w->entropy_len == 0) return TACIT_ENOTFOUND;
    return tacit_bip39_phrase(out, size, w->entropy, w->entropy_len);
}

int tacit_wallet_backup(const struct tacit_wallet *w, const char *path)
{
    return tacit__wallet_store_backup(w, path);
}

int tacit_wallet_peek_address(char addr[TACIT_KEYS_STR_MAX], enum tacit_network *net,
                              bool *watch_only, const char *path)
{
    struct tacit_shielded_address a;
    enum tacit_network n = TACIT_NETWORK_MAINNET;
    uint8_t kind = 0;
    int rc;
    addr[0] = '\0';
    if ((rc = tacit__wallet_store_peek(path, &n, &kind, &a)) != TACIT_OK) return rc;
    if ((rc = tacit_shielded_address_encode(addr, &a, n)) != TACIT_OK) return TACIT_ECORRUPT;
    if (net) *net = n;
    if (watch_only) *watch_only = kind != 0;
    return TACIT_OK;
}

void tacit_wallet_chain(struct tacit_wallet_chain_binding *out, const struct tacit_wallet *w)
{
    memset(out, 0, sizeof *out);
    out->bound = w->bound;
    out->chain_id = w->bound_chain_id;
    memcpy(out->genesis_hash, w->genesis, 32);
}

void tacit_wallet_last_foreign_chain(struct tacit_wallet_chain_binding *out,
                                     const struct tacit_wallet *w)
{
    *out = w->foreign;
}

int tacit_wallet_create_watch_only(struct tacit_wallet **out, const char *path, const char *pass,
                                   size_t passlen, enum tacit_network net, const char *vk_text)
{
    struct tacit_wallet *w;
    int rc;
    *out = NULL;
    if (net != TACIT_NETWORK_MAINNET && net != TACIT_NETWORK_DEVNET) return TACIT_EINVAL;
    if ((rc = wallet_alloc(&w)) != TACIT_OK) return rc;
    w->net = net;
    if ((rc = tacit_viewing_key_decode(&w->vk_own, net, vk_text)) != TACIT_OK) goto fail;
    w->kind = tacit_viewing_key_kind(w->vk_own) == TACIT_VIEWING_KEY_FULL ? 1 : 2;
    w->vk = w->vk_own;
    tacit_viewing_key_address(&w->addr, w->vk);
    if ((rc = tacit__wallet_store_create(w, path, pass, passlen)) != TACIT_OK) goto fail;
    *out = w;
    return TACIT_OK;
fail:
    tacit_wallet_close(w);
    return rc;
}

int tacit_wallet_open(struct tacit_wallet **out, unsigned *flags, const char *path,
                      const char *pass, size_t passlen)
{
    struct tacit_wallet *w;
    int rc;
    *out = NULL;
    if (flags) *flags = 0;
    if ((rc = wallet_alloc(&w)) != TACIT_OK) return rc;
    if ((rc = tacit__wallet_store_open(w, flags, path, pass, passlen)) != TACIT_OK) {
        tacit_wallet_close(w);
        if (flags) *flags = 0;
        return rc;
    }
    *out = w;
    return TACIT_OK;
}

void tacit__wallet_free_state(struct tacit_wallet *w)
{
    if (w->notes) {
        sodium_memzero(w->notes, w->notes_cap * sizeof *w->notes);
        free(w->notes);
    }
    if (w->sent) {
        sodium_memzero(w->sent, w->sent_cap * sizeof *w->sent);
        free(w->sent);
    }
    w->notes = NULL;
    w->sent = NULL;
    w->nnotes = w->notes_cap = w->nsent = w->sent_cap = 0;
    tacit__wtree_clear(&w->tree);
    w->witness_ok = false;
}

void tacit_wallet_close(struct tacit_wallet *w)
{
    if (w == NULL) return;
    tacit__wallet_store_close(w);
    tacit__wallet_free_state(w);
    tacit_spending_key_free(w->sk);
    tacit_viewing_key_free(w->vk_own);
    sodium_free(w->box_key); /* sodium_free wipes */
    sodium_free(w->data_key);
    sodium_free(w->entropy);
    sodium_free(w->tkeys);
    free(w->taddrs);
    sodium_memzero(w, sizeof *w);
    free(w);
}

bool tacit_wallet_is_watch_only(const struct tacit_wallet *w) { return w->sk == NULL; }
bool tacit_wallet_sees_spends(const struct tacit_wallet *w)
{
    return w->sk != NULL || tacit_viewing_key_kind(w->vk) == TACIT_VIEWING_KEY_FULL;
}
enum tacit_network tacit_wallet_network(const struct tacit_wallet *w) { return w->net; }

void tacit_wallet_address(char out[TACIT_KEYS_STR_MAX], const struct tacit_wallet *w)
{
    if (tacit_shielded_address_encode(out, &w->addr, w->net) != TACIT_OK) out[0] = '\0';
}

void tacit_wallet_shielded_address(struct tacit_shielded_address *a, const struct tacit_wallet *w)
{
    *a = w->addr;
}

int tacit_wallet_export_viewing_key(char out[TACIT_KEYS_STR_MAX], const struct tacit_wallet *w,
                                    enum tacit_viewing_key_kind kind)
{
    return tacit_viewing_key_encode(out, w->vk, kind, w->net);
}

int tacit_wallet_import_transparent(struct tacit_wallet *w, const uint8_t sk[32],
                                    uint8_t address[TACIT_ADDRESS_LEN])
{
    uint8_t a[TACIT_ADDRESS_LEN];
    int rc;
    if (address) memset(address, 0, TACIT_ADDRESS_LEN);
    if (tacit_address_from_seckey(a, sk) != TACIT_OK) return TACIT_EINVAL;
    for (size_t i = 0; i < w->ntkeys; i++)
        if (memcmp(w->taddrs[i], a, TACIT_ADDRESS_LEN) == 0) return TACIT_EEXISTS;
    if ((rc = tacit__wallet_tkeys_reserve(w, w->ntkeys + 1)) != TACIT_OK) return rc;
    memcpy(w->tkeys[w->ntkeys], sk, 32);
    memcpy(w->taddrs[w->ntkeys], a, TACIT_ADDRESS_LEN);
    w->ntkeys++;
    if ((rc = tacit__wallet_store_save_secrets(w)) != TACIT_OK) {
        w->ntkeys--;
        sodium_memzero(w->tkeys[w->ntkeys], 32);
        return rc;
    }
    if (address) memcpy(address, a, TACIT_ADDRESS_LEN);
    return TACIT_OK;
}

size_t tacit_wallet_transparent_count(const struct tacit_wallet *w) { return w->ntkeys; }

int tacit_wallet_transparent_address(uint8_t address[TACIT_ADDRESS_LEN],
                                     const struct tacit_wallet *w, size_t i)
{
    if (i >= w->ntkeys) {
        memset(address, 0, TACIT_ADDRESS_LEN);
        return TACIT_EINVAL;
    }
    memcpy(address, w->taddrs[i], TACIT_ADDRESS_LEN);
    return TACIT_OK;
}

int tacit_wallet_transparent_seckey(uint8_t sk[32], const struct tacit_wallet *w, size_t i)
{
    if (i >= w->ntkeys) {
        sodium_memzero(sk, 32);
        return TACIT_EINVAL;
    }
    memcpy(sk, w->tkeys[i], 32);
    return TACIT_OK;
}

/* ----------------------------------------------------------- balance ---- */

static bool add_ok(uint64_t *acc, uint64_t v)
{
    if (*acc > UINT64_MAX - v) return false;
    *acc += v;
    return true;
}

int tacit_wallet_balance(const struct tacit_wallet *w, struct tacit_wallet_balance *out)
{
    memset(out, 0, sizeof *out);
    out->synced_height = w->synced_height;
    for (size_t i = 0; i < w->nnotes; i++) {
        const struct tacit__wnote *n = &w->notes[i];
        if (n->spent_height != TACIT_WALLET_NO_HEIGHT) continue;
        out->nnotes++;
        if (!add_ok(n->reserved ? &out->pending_out : &out->confirmed, n->value)) goto overflow;
    }
    for (size_t i = 0; i < w->nsent; i++) {
        const struct tacit__wsent *s = &w->sent[i];
        if (s->state == TACIT_WALLET_TX_PENDING && !add_ok(&out->pending_in, s->change))
            goto overflow;
    }
    return TACIT_OK;
overflow:
    memset(out, 0, sizeof *out);
    return TACIT_EOVERFLOW;
}

int tacit_wallet_notes(const struct tacit_wallet *w, struct tacit_wallet_note **notes, size_t *n)
{
    struct tacit_wallet_note *o;
    *notes = NULL;
    *n = 0;
    if (w->nnotes == 0) return TACIT_OK;
    if ((o = calloc(w->nnotes, sizeof *o)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < w->nnotes; i++) {
        const struct tacit__wnote *s = &w->notes[i];
        o[i].index = s->index;
        o[i].value = s->value;
        o[i].cm = s->cm;
        o[i].has_nf = s->has_nf;
        o[i].nf = s->nf;
        o[i].height = s->height;
        o[i].spent_height = s->spent_height;
        o[i].reserved = s->reserved;
        memcpy(o[i].reserved_by, s->reserved_by, 32);
        o[i].memo_len = s->memo_len;
        memcpy(o[i].memo, s->memo, s->memo_len);
    }
    *notes = o;
    *n = w->nnotes;
    return TACIT_OK;
}

void tacit_wallet_notes_free(struct tacit_wallet_note *notes, size_t n)
{
    if (notes == NULL) return;
    sodium_memzero(notes, n * sizeof *notes);
    free(notes);
}

int tacit_wallet_sent_list(const struct tacit_wallet *w, struct tacit_wallet_sent **sent, size_t *n)
{
    struct tacit_wallet_sent *o;
    *sent = NULL;
    *n = 0;
    if (w->nsent == 0) return TACIT_OK;
    if ((o = calloc(w->nsent, sizeof *o)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < w->nsent; i++) {
        const struct tacit__wsent *s = &w->sent[i];
        memcpy(o[i].txid, s->txid, 32);
        o[i].kind = (enum tacit_wallet_send_kind)s->kind;
        o[i].status.state = (enum tacit_wallet_tx_state)s->state;
        o[i].status.height = s->height;
        o[i].status.error = s->error;
        o[i].amount = s->amount;
        o[i].fee = s->fee;
        o[i].change = s->change;
        o[i].forced = s->forced;
        o[i].f = s->f;
    }
    *sent = o;
    *n = w->nsent;
    return TACIT_OK;
}

unsigned tacit_wallet_withdrawal_links(const struct tacit_wallet *w, uint64_t amount,
                                       const uint8_t to[TACIT_ADDRESS_LEN])
{
    unsigned links = 0;
    for (size_t i = 0; i < w->nsent; i++) {
        const struct tacit__wsent *s = &w->sent[i];
        if (s->kind != TACIT_WALLET_SEND_DEPOSIT || s->state == TACIT_WALLET_TX_REJECTED) continue;
        if (amount == s->amount || amount == s->change) links |= TACIT_WALLET_LINK_AMOUNT;
        if (memcmp(to, s->deposit_sender, TACIT_ADDRESS_LEN) == 0)
            links |= TACIT_WALLET_LINK_ADDRESS;
    }
    for (size_t i = 0; i < w->ntkeys; i++)
        if (memcmp(to, w->taddrs[i], TACIT_ADDRESS_LEN) == 0) links |= TACIT_WALLET_LINK_ADDRESS;
    return links;
}

/* ------------------------------------------------------- note records ---- */

struct tacit__wnote *tacit__wallet_find_note(struct tacit_wallet *w, uint64_t index)
{
    size_t lo = 0, hi = w->nnotes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->notes[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < w->nnotes && w->notes[lo].index == index) ? &w->notes[lo] : NULL;
}

int tacit__wallet_add_note(struct tacit_wallet *w, const struct tacit__wnote *n)
{
    size_t pos;
    if (tacit__wallet_find_note(w, n->index) != NULL) return TACIT_EEXISTS;
    if (w->nnotes == w->notes_cap) {
        size_t cap = w->notes_cap ? 2 * w->notes_cap : 16;
        struct tacit__wnote *p = calloc(cap, sizeof *p);
        if (p == NULL) return TACIT_ENOMEM;
        if (w->nnotes) memcpy(p, w->notes, w->nnotes * sizeof *p);
        if (w->notes) {
            sodium_memzero(w->notes, w->notes_cap * sizeof *p);
            free(w->notes);
        }
        w->notes = p;
        w->notes_cap = cap;
    }
    pos = w->nnotes;
    while (pos > 0 && w->notes[pos - 1].index > n->index) pos--;
    memmove(&w->notes[pos + 1], &w->notes[pos], (w->nnotes - pos) * sizeof *w->notes);
    w->notes[pos] = *n;
    w->nnotes++;
    return TACIT_OK;
}

int tacit__wallet_add_sent(struct tacit_wallet *w, const struct tacit__wsent *s)
{
    if (w->nsent == w->sent_cap) {
        size_t cap = w->sent_cap ? 2 * w->sent_cap : 8;
        struct tacit__wsent *p = calloc(cap, sizeof *p);
        if (p == NULL) return TACIT_ENOMEM;
        if (w->nsent) memcpy(p, w->sent, w->nsent * sizeof *p);
        if (w->sent) { /* private: no copy left behind */
            sodium_memzero(w->sent, w->sent_cap * sizeof *p);
            free(w->sent);
        }
        w->sent = p;
        w->sent_cap = cap;
    }
    w->sent[w->nsent++] = *s;
    return TACIT_OK;
}

struct tacit__wsent *tacit__wallet_find_sent(struct tacit_wallet *w, const uint8_t txid[32])
{
    for (size_t i = 0; i < w->nsent; i++)
        if (memcmp(w->sent[i].txid, txid, 32) == 0) return &w->sent[i];
    return NULL;
}

void tacit__wallet_sent_unconfirm(struct tacit_wallet *w)
{
    for (size_t i = 0; i < w->nsent; i++) {
        struct tacit__wsent *s = &w->sent[i];
        if (s->state != TACIT_WALLET_TX_INCLUDED) continue;
        s->state = TACIT_WALLET_TX_PENDING;
        s->height = 0;
    }
}

void tacit__wallet_release(struct tacit_wallet *w, const struct tacit__wsent *s)
{
    for (unsigned i = 0; i < s->nin; i++) {
        struct tacit__wnote *n = tacit__wallet_find_note(w, s->in_index[i]);
        if (n != NULL && n->reserved && memcmp(n->reserved_by, s->txid, 32) == 0) {
            n->reserved = false;
            memset(n->reserved_by, 0, 32);
        }
    }
}

int tacit__wallet_set_subtree_level(struct tacit_wallet *w, unsigned level)
{
    if (level < 1 || level > 20 || w->tree.size != 0 || w->nnotes != 0) return TACIT_EINVAL;
    tacit__wtree_clear(&w->tree);
    if (tacit__wtree_init(&w->tree, level) != TACIT_OK) return TACIT_ENOMEM;
    return tacit__wallet_store_commit(w);
}
