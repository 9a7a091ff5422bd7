/*
 * tacit — the wallet (include/tacit/wallet.h): the wallet file, sync, witnesses, spends,
 * resets, watch-only wallets and sends, without a node: a small in-memory chain implements
 * struct tacit_wallet_node (blocks, headers with real note-tree roots, subtree roots, a
 * mempool that refuses double spends the way tacitd does), and sends use a stand-in prover
 * (tacit__wallet_prove) that checks every real input's Merkle path against the anchor and
 * fills the public inputs without a proof. Trees use 2^4-leaf subtrees so that crossing
 * subtree boundaries is cheap; witnesses are compared with a naive full recomputation.
 * Wallet files live in a fresh directory under TMPDIR (or /tmp), removed at the end.
 *
 * e2e_devnet then runs the first-hour story against a real tacitd --devnet ($TACIT_BIN) with
 * real proofs: deposit, transfer with a memo, withdrawal, a double spend from a copy of the
 * wallet file, exact balances after each step (about a minute under ASan for the devnet
 * set-up; TACIT_NODE_KEYS=<dir with transfer.zkey and verification_key.json> reuses those
 * keys instead of running the setup again — tests/lib/node.h, tnode_seed_keys;
 * TACIT_KEEP_DATADIR=1 keeps the directory, with the node's tacitd.log).
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "harness.h"
#include "lib/node.h"
#include "tacit/error.h"
#include "tacit/hd.h"
#include "tacit/keys.h"
#include "tacit/note.h"
#include "tacit/prover.h"
#include "tacit/rpc.h"
#include "tacit/tree.h"
#include "tacit/txbuild.h"
#include "tacit/util.h"
#include "tacit/wallet.h"
#include "wallet/wallet_internal.h"

#define LEVEL 4 /* subtree level of the tests' wallets and chain */
#define PASS "correct horse"
#define NO TACIT_WALLET_NO_HEIGHT
/* The devnet address of the phrase of 32 zero bytes (docs/wallet.md, "Recovery"). */
#define VECTOR_ADDRESS                                                                             \
    "tdev1prdx59rmj4k5tks84964e5vu9j95danv9lqtrwluqkeuhv92f8nf4kqsyewny6el3f3ng6jnqhqjwfsr8775s3a" \
    "p3pvm"                                                                                        \
    "82phckvpk9g5ll20u"
/* Two strings that must be equal (public ones: both printed when they differ). */
#define CHECK_EQ_STR(a, b)                                                                        \
    do {                                                                                          \
        const char *sa_ = (a), *sb_ = (b);                                                        \
        if (strcmp(sa_, sb_) != 0)                                                                \
            tacit__test_fail(__FILE__, __LINE__, "%s != %s: \"%s\" vs \"%s\"", #a, #b, sa_, sb_); \
    } while (0)
/* The same for secrets (not printed). */
#define CHECK_SAME_SECRET(a, b) CHECK(strcmp((a), (b)) == 0)

/* ------------------------------------------------------------- files ---- */

static char g_dir[512];

static void tmpdir_remove(void)
{
    char cmd[600];
    if (getenv("TACIT_KEEP_DATADIR") != NULL) {
        fprintf(stderr, "kept %s\n", g_dir);
        return;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
}

/* A path in the run's directory (made at first use, removed at exit). */
static void wpath(char *out, size_t n, const char *name)
{
    if (g_dir[0] == '\0') {
        const char *t = getenv("TMPDIR");
        snprintf(g_dir, sizeof g_dir, "%s/tacit-wallet-XXXXXX", t && *t ? t : "/tmp");
        if (mkdtemp(g_dir) == NULL) {
            fprintf(stderr, "mkdtemp %s failed\n", g_dir);
            exit(2);
        }
        atexit(tmpdir_remove);
        tacit__wallet_commit_interval = 0; /* a commit after every chunk, as on a slow sync */
        /* tests only: the minimum argon2id cost */
        tacit__wallet_kdf_weak = true;
    }
    snprintf(out, n, "%s/%s", g_dir, name);
}

static void file_hash(uint8_t out[32], const char *path)
{
    size_t len = 0;
    char *b = tacit_test_read_file(path, &len);
    crypto_generichash(out, 32, (const uint8_t *)b, b ? len : 0, NULL, 0);
    free(b);
}

/* A wallet with 2^LEVEL-leaf subtrees, from a deterministic key. */
static struct tacit_wallet *new_wallet(const char *name, uint8_t seed)
{
    char path[600];
    uint8_t wide[64];
    struct tacit_spending_key *k = NULL;
    struct tacit_wallet *w = NULL;
    memset(wide, seed, sizeof wide);
    wpath(path, sizeof path, name);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, wide), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_create(&w, path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, k),
                 TACIT_OK);
    tacit_spending_key_free(k);
    if (w) CHECK_EQ_INT(tacit__wallet_set_subtree_level(w, LEVEL), TACIT_OK);
    return w;
}

/* -------------------------------------------------- the in-memory chain ---- */

struct pending {
    struct tacit_wallet_ctx tx;
    uint64_t deposit_amount;
    uint8_t sender[TACIT_ADDRESS_LEN];
    uint64_t nonce;
};

struct chain {
    unsigned level;
    uint8_t salt; /* changes every block hash: another chain */
    struct tacit_wallet_cblock *blocks;
    struct tacit_wallet_header *headers;
    size_t nblocks, cap;
    tacit_fr *leaves;
    size_t nleaves, leaves_cap;
    struct tacit_tree_frontier f;
    tacit_fr *nfs; /* spent nullifiers */
    size_t nnfs, nfs_cap;
    struct pending *pool;
    size_t npool;
    uint64_t min_fee;
    uint64_t min_fee_at_send; /* nonzero: the minimum send_raw applies (it rose meanwhile) */
    bool no_subtree_roots;
    unsigned inner_level;    /* tree_nodes' level (0: none) */
    uint64_t bad_node;       /* nonzero: tree_nodes lies about its node bad_node - 1 */
    uint64_t fake_leaf;      /* nonzero: the tree it serves (nodes, subtree roots, header
                              * roots) has another leaf fake_leaf - 1 than its blocks */
    bool bad_root;           /* headers lie about the root */
    bool bad_start;          /* block_range lies about commitmentStart */
    uint64_t fail_from;      /* block_range fails with EIO from this height (0: never) */
    uint64_t balance, nonce; /* the one transparent account */
    uint64_t l1_chain_id;    /* nonzero: a chain that settles on L1 (protocol v2) */
    uint64_t settled;        /* on L1: the highest settled block + 1 (0: none) */
    bool mainnet;            /* tacit_chainInfo's devnet false */
    uint64_t chain_id;       /* 0: 0x7461 */
    uint8_t genesis_salt;    /* block 0's hash depends on it (and not on salt): another chain */
};

static void chain_init(struct chain *c, uint8_t salt)
{
    memset(c, 0, sizeof *c);
    c->level = LEVEL;
    c->inner_level = 2;
    c->salt = salt;
    tacit_tree_frontier_init(&c->f);
    c->balance = 1000000;
}

static void chain_free(struct chain *c)
{
    for (size_t i = 0; i < c->nblocks; i++) free(c->blocks[i].txs);
    free(c->blocks);
    free(c->headers);
    free(c->leaves);
    free(c->nfs);
    free(c->pool);
    memset(c, 0, sizeof *c);
}

/* Appends a block of n txs (copied); block hashes depend on salt, height and content. */
static void chain_block(struct chain *c, const struct tacit_wallet_ctx *txs, size_t n)
{
    struct tacit_wallet_cblock *b;
    struct tacit_wallet_header *h;
    crypto_generichash_state st;
    if (c->nblocks == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->blocks = realloc(c->blocks, c->cap * sizeof *c->blocks);
        c->headers = realloc(c->headers, c->cap * sizeof *c->headers);
    }
    b = &c->blocks[c->nblocks];
    h = &c->headers[c->nblocks];
    memset(b, 0, sizeof *b);
    b->height = c->nblocks;
    b->commitment_start = c->nleaves;
    b->ntxs = n;
    b->txs = n ? malloc(n * sizeof *txs) : NULL;
    if (n) memcpy(b->txs, txs, n * sizeof *txs);
    if (c->nleaves + 2 * n > c->leaves_cap) {
        c->leaves_cap = 2 * (c->nleaves + 2 * n) + 64;
        c->leaves = realloc(c->leaves, c->leaves_cap * sizeof *c->leaves);
    }
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            c->leaves[c->nleaves++] = txs[i].cm[k];
            CHECK_EQ_INT(tacit_tree_append(&c->f, NULL, &txs[i].cm[k], 1, NULL, NULL, 0), TACIT_OK);
        }
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            if (c->nnfs == c->nfs_cap) {
                c->nfs_cap = c->nfs_cap ? 2 * c->nfs_cap : 64;
                c->nfs = realloc(c->nfs, c->nfs_cap * sizeof *c->nfs);
            }
            c->nfs[c->nnfs++] = txs[i].nf[k];
        }
    tacit_tree_frontier_root(&h->note_root, &c->f);
    h->commitment_count = c->nleaves;
    crypto_generichash_init(&st, NULL, 0, 32);
    /* later blocks depend on salt, block 0 on genesis_salt: chains of different salts share
     * block 0 when it has the same content (a devnet reverted: the same chain) */
    crypto_generichash_update(&st, c->nblocks ? &c->salt : &c->genesis_salt, 1);
    crypto_generichash_update(&st, (const uint8_t *)&b->height, 8);
    if (c->nblocks) crypto_generichash_update(&st, c->headers[c->nblocks - 1].hash, 32);
    crypto_generichash_update(&st, (const uint8_t *)&h->note_root, sizeof h->note_root);
    crypto_generichash_final(&st, h->hash, 32);
    memcpy(b->hash, h->hash, 32);
    c->nblocks++;
}

static void random_fr(tacit_fr *x)
{
    uint8_t b[64];
    tacit_test_rand_bytes(b, sizeof b);
    tacit_fr_from_wide(x, b);
}

/* Someone else's transaction: random nullifiers, commitments and ciphertexts (a view tag
 * matches by chance for 1 output in 256; its AEAD then fails). */
static void foreign_tx(struct tacit_wallet_ctx *t)
{
    memset(t, 0, sizeof *t);
    tacit_test_rand_bytes(t->id, 32);
    for (int k = 0; k < 2; k++) {
        random_fr(&t->nf[k]);
        random_fr(&t->cm[k]);
        tacit_test_rand_bytes(t->ct[k], TACIT_NOTE_CIPHERTEXT_BYTES);
    }
    crypto_scalarmult_base(t->epk, t->id); /* a valid point, so the X25519 runs */
}

/* A tx whose outputs go to to[k] with values v[k] (memo on output 0). bad_cm[k]: the
 * commitment on chain is not the encrypted note's (the wallet must not count it). */
static void pay_tx(struct tacit_wallet_ctx *t, const struct tacit_shielded_address to[2],
                   const uint64_t v[2], const char *memo, const bool bad_cm[2])
{
    struct tacit_note_plaintext pt[2];
    uint8_t aad[TACIT_NOTE_AAD_BYTES];
    memset(t, 0, sizeof *t);
    memset(pt, 0, sizeof pt);
    tacit_test_rand_bytes(t->id, 32);
    for (int k = 0; k < 2; k++) {
        random_fr(&t->nf[k]);
        pt[k].value = v[k];
        random_fr(&pt[k].blinding);
        tacit_note_commitment(&t->cm[k], v[k], &to[k].pk, &pt[k].blinding);
        if (bad_cm && bad_cm[k]) random_fr(&t->cm[k]);
    }
    if (memo) {
        pt[0].memo_len = (uint16_t)strlen(memo);
        memcpy(pt[0].memo, memo, pt[0].memo_len);
    }
    tacit_note_aad(aad, &t->nf[0], &t->nf[1]);
    CHECK_EQ_INT(tacit_note_encrypt(t->ct, t->epk, to, pt, aad, sizeof aad), TACIT_OK);
}

/* Mines the mempool into a block. */
static void chain_mine(struct chain *c)
{
    struct tacit_wallet_ctx *txs = malloc((c->npool + 1) * sizeof *txs);
    for (size_t i = 0; i < c->npool; i++) {
        txs[i] = c->pool[i].tx;
        if (c->pool[i].deposit_amount) {
            c->balance -= c->pool[i].deposit_amount;
            c->nonce++;
        }
    }
    chain_block(c, txs, c->npool);
    c->npool = 0;
    free(txs);
}

/* --- struct tacit_wallet_node over the chain --- */

static int c_info(void *ud, struct tacit_wallet_chain_info *out)
{
    struct chain *c = ud;
    memset(out, 0, sizeof *out);
    out->chain_id = c->chain_id ? c->chain_id : 0x7461;
    out->height = c->nblocks ? c->nblocks - 1 : NO;
    out->min_fee = c->min_fee;
    out->tx_version = c->l1_chain_id ? TACIT_TX_VERSION_L1 : TACIT_TX_VERSION;
    out->l1_chain_id = c->l1_chain_id;
    out->settled_height = c->settled ? c->settled - 1 : NO;
    out->devnet = !c->mainnet;
    return TACIT_OK;
}

/* The leaves of the tree the node serves (a copy to free when fake_leaf changes one). */
static const tacit_fr *served_leaves(const struct chain *c, tacit_fr **copy)
{
    *copy = NULL;
    if (c->fake_leaf == 0 || c->fake_leaf > c->nleaves) return c->leaves;
    *copy = malloc(c->nleaves * sizeof **copy);
    memcpy(*copy, c->leaves, c->nleaves * sizeof **copy);
    tacit_fr_add(&(*copy)[c->fake_leaf - 1], &(*copy)[c->fake_leaf - 1], &TACIT_FR_ONE);
    return *copy;
}

/* The node at `level` over the 2^level leaves from `leaves`. */
static void node_over(tacit_fr *out, const tacit_fr *leaves, unsigned level)
{
    struct tacit_tree_frontier f;
    tacit_tree_frontier_init(&f);
    CHECK_EQ_INT(tacit_tree_append(&f, NULL, leaves, (size_t)1 << level, NULL, NULL, 0), TACIT_OK);
    *out = f.node[level];
}

static int c_header(void *ud, uint64_t height, struct tacit_wallet_header *out)
{
    struct chain *c = ud;
    if (height >= c->nblocks) return TACIT_ENOTFOUND;
    *out = c->headers[height];
    if (c->bad_root) random_fr(&out->note_root);
    if (c->fake_leaf != 0) {
        struct tacit_tree_frontier f;
        tacit_fr *copy;
        const tacit_fr *lv = served_leaves(c, &copy);
        tacit_tree_frontier_init(&f);
        CHECK_EQ_INT(
            tacit_tree_append(&f, &out->note_root, lv, out->commitment_count, NULL, NULL, 0),
            TACIT_OK);
        if (out->commitment_count == 0) tacit_tree_frontier_root(&out->note_root, &f);
        free(copy);
    }
    return TACIT_OK;
}

static int c_range(void *ud, uint64_t from, uint64_t to, struct tacit_wallet_cblock **blocks,
                   size_t *n)
{
    struct chain *c = ud;
    *blocks = NULL;
    *n = 0;
    if (c->fail_from != 0 && to >= c->fail_from) return TACIT_EIO;
    if (from >= c->nblocks) return TACIT_OK;
    if (to >= c->nblocks) to = c->nblocks - 1;
    *n = (size_t)(to - from + 1);
    *blocks = malloc(*n * sizeof **blocks);
    memcpy(*blocks, &c->blocks[from], *n * sizeof **blocks);
    if (c->bad_start) (*blocks)[0].commitment_start += 2;
    return TACIT_OK;
}

static void c_free(void *ud, struct tacit_wallet_cblock *b, size_t n)
{
    (void)ud;
    (void)n;
    free(b); /* the txs stay the chain's */
}

/* The complete nodes at `level` numbered start.. (at most count). */
static void level_nodes(const struct chain *c, unsigned level, uint64_t start, size_t count,
                        tacit_fr *out, size_t *got)
{
    size_t w = (size_t)1 << level;
    tacit_fr *copy;
    const tacit_fr *lv = served_leaves(c, &copy);
    *got = 0;
    for (uint64_t s = start; s < start + count && (s + 1) * w <= c->nleaves; s++)
        node_over(&out[(*got)++], &lv[s * w], level);
    free(copy);
}

static int c_roots(void *ud, uint64_t start, size_t count, tacit_fr *roots, size_t *got)
{
    struct chain *c = ud;
    level_nodes(c, c->level, start, count, roots, got);
    return TACIT_OK;
}

static int c_tree_nodes(void *ud, uint64_t start, size_t count, tacit_fr *out, size_t *got)
{
    struct chain *c = ud;
    level_nodes(c, c->inner_level, start, count, out, got);
    if (c->bad_node != 0 && c->bad_node - 1 >= start && c->bad_node - 1 - start < *got)
        tacit_fr_add(&out[c->bad_node - 1 - start], &out[c->bad_node - 1 - start], &TACIT_FR_ONE);
    return TACIT_OK;
}

static int c_commitments(void *ud, uint64_t start, size_t count, tacit_fr *out, size_t *got)
{
    struct chain *c = ud;
    *got = 0;
    for (uint64_t i = start; i < start + count && i < c->nleaves; i++) out[(*got)++] = c->leaves[i];
    return TACIT_OK;
}

static int c_account(void *ud, const uint8_t a[TACIT_ADDRESS_LEN], uint64_t *balance,
                     uint64_t *nonce)
{
    struct chain *c = ud;
    (void)a;
    *balance = c->balance;
    *nonce = c->nonce;
    return TACIT_OK;
}

static bool chain_has_root(const struct chain *c, const tacit_fr *r)
{
    for (size_t i = 0; i < c->nblocks; i++)
        if (tacit_fr_eq(&c->headers[i].note_root, r)) return true;
    return false;
}

/* A transaction as a block's compact transaction. */
static void ctx_of(struct tacit_wallet_ctx *t, const struct tacit_tx *tx)
{
    memset(t, 0, sizeof *t);
    tacit_tx_id(t->id, tx);
    t->nf[0] = tx->pub[3];
    t->nf[1] = tx->pub[4];
    t->cm[0] = tx->pub[5];
    t->cm[1] = tx->pub[6];
    memcpy(t->epk, tx->ext.epk, TACIT_EPK_BYTES);
    memcpy(t->ct, tx->ext.ciphertext, sizeof t->ct);
}

static int c_send(void *ud, const struct tacit_tx *tx)
{
    struct chain *c = ud;
    struct pending p;
    /* as the node's rules: the chain's protocol version only */
    if (tx->version != (c->l1_chain_id ? TACIT_TX_VERSION_L1 : TACIT_TX_VERSION))
        return TACIT_EVERSION;
    if (!chain_has_root(c, &tx->pub[0])) return TACIT_EANCHOR;
    if (tx->ext.fee < c->min_fee || tx->ext.fee < c->min_fee_at_send) return TACIT_EFEE_TOO_LOW;
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < c->nnfs; i++)
            if (tacit_fr_eq(&c->nfs[i], &tx->pub[3 + k])) return TACIT_ENULLIFIER_SPENT;
        for (size_t i = 0; i < c->npool; i++)
            if (tacit_fr_eq(&c->pool[i].tx.nf[0], &tx->pub[3 + k]) ||
                tacit_fr_eq(&c->pool[i].tx.nf[1], &tx->pub[3 + k]))
                return TACIT_ENULLIFIER_IN_MEMPOOL;
    }
    if (tx->ext.deposit_amount) {
        uint64_t next = c->nonce;
        for (size_t i = 0; i < c->npool; i++)
            if (c->pool[i].deposit_amount) next++;
        if (tx->ext.deposit_nonce != next) return TACIT_ENONCE;
    }
    memset(&p, 0, sizeof p);
    ctx_of(&p.tx, tx);
    p.deposit_amount = tx->ext.deposit_amount;
    c->pool = realloc(c->pool, (c->npool + 1) * sizeof *c->pool);
    c->pool[c->npool++] = p;
    return TACIT_OK;
}

static int c_status(void *ud, const uint8_t id[32], struct tacit_wallet_tx_status *st)
{
    struct chain *c = ud;
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < c->npool; i++)
        if (memcmp(c->pool[i].tx.id, id, 32) == 0) {
            st->state = TACIT_WALLET_TX_PENDING;
            return TACIT_OK;
        }
    for (size_t b = 0; b < c->nblocks; b++)
        for (size_t t = 0; t < c->blocks[b].ntxs; t++)
            if (memcmp(c->blocks[b].txs[t].id, id, 32) == 0) {
                st->state = TACIT_WALLET_TX_INCLUDED;
                st->height = b;
                return TACIT_OK;
            }
    return TACIT_OK;
}

/* The "sequencer": a block with the mempool at once. */
static int c_wait(void *ud, uint64_t height, unsigned timeout_ms, bool *reached)
{
    struct chain *c = ud;
    (void)timeout_ms;
    if (c->npool) chain_mine(c);
    *reached = c->nblocks > 0 && c->nblocks - 1 >= height;
    return TACIT_OK;
}

static void node_of(struct tacit_wallet_node *n, struct chain *c)
{
    memset(n, 0, sizeof *n);
    n->ud = c;
    n->chain_info = c_info;
    n->header = c_header;
    n->block_range = c_range;
    n->free_blocks = c_free;
    n->subtree_roots = c->no_subtree_roots ? NULL : c_roots;
    n->subtree_level = c->level;
    n->account = c_account;
    n->send_raw = c_send;
    n->tx_status = c_status;
    n->wait_block = c_wait;
    n->commitments = c_commitments;
    n->tree_nodes = c->inner_level ? c_tree_nodes : NULL;
    n->inner_level = c->inner_level;
}

/* ---------------------------------------------------- stand-in prover ---- */

/* --- a recording node: every call (method and arguments) and the wallet's tree hashing done
 * since the call before it (tacit__wallet_hashes), then the chain's answer --- */

enum { M_INFO = 1, M_HEADER, M_RANGE, M_ROOTS, M_ACCOUNT, M_SEND, M_STATUS, M_WAIT, M_NODES };

struct rec_call {
    int method;
    uint64_t a, b;
    uint64_t hashes; /* tree hashes the wallet did between the previous call and this one */
};

struct recorder {
    struct tacit_wallet_node inner;
    struct rec_call calls[1024];
    size_t n;
    uint64_t last;
};

static void rec_add(struct recorder *r, int method, uint64_t a, uint64_t b)
{
    uint64_t now = __atomic_load_n(&tacit__wallet_hashes, __ATOMIC_RELAXED);
    if (r->n < sizeof r->calls / sizeof r->calls[0])
        r->calls[r->n++] = (struct rec_call){method, a, b, now - r->last};
    r->last = now;
}

static int r_info(void *ud, struct tacit_wallet_chain_info *out)
{
    struct recorder *r = ud;
    rec_add(r, M_INFO, 0, 0);
    return r->inner.chain_info(r->inner.ud, out);
}
static int r_header(void *ud, uint64_t height, struct tacit_wallet_header *out)
{
    struct recorder *r = ud;
    rec_add(r, M_HEADER, height, 0);
    return r->inner.header(r->inner.ud, height, out);
}
static int r_range(void *ud, uint64_t from, uint64_t to, struct tacit_wallet_cblock **blocks,
                   size_t *n)
{
    struct recorder *r = ud;
    rec_add(r, M_RANGE, from, to);
    return r->inner.block_range(r->inner.ud, from, to, blocks, n);
}
static void r_free(void *ud, struct tacit_wallet_cblock *b, size_t n)
{
    struct recorder *r = ud;
    r->inner.free_blocks(r->inner.ud, b, n);
}
static int r_roots(void *ud, uint64_t start, size_t count, tacit_fr *roots, size_t *got)
{
    struct recorder *r = ud;
    rec_add(r, M_ROOTS, start, count);
    return r->inner.subtree_roots(r->inner.ud, start, count, roots, got);
}
static int r_nodes(void *ud, uint64_t start, size_t count, tacit_fr *out, size_t *got)
{
    struct recorder *r = ud;
    rec_add(r, M_NODES, start, count);
    return r->inner.tree_nodes(r->inner.ud, start, count, out, got);
}
static int r_account(void *ud, const uint8_t a[TACIT_ADDRESS_LEN], uint64_t *balance,
                     uint64_t *nonce)
{
    struct recorder *r = ud;
    rec_add(r, M_ACCOUNT, 0, 0);
    return r->inner.account(r->inner.ud, a, balance, nonce);
}
static int r_send(void *ud, const struct tacit_tx *tx)
{
    struct recorder *r = ud;
    rec_add(r, M_SEND, 0, 0);
    return r->inner.send_raw(r->inner.ud, tx);
}
static int r_status(void *ud, const uint8_t id[32], struct tacit_wallet_tx_status *out)
{
    struct recorder *r = ud;
    rec_add(r, M_STATUS, 0, 0);
    return r->inner.tx_status(r->inner.ud, id, out);
}
static int r_wait(void *ud, uint64_t height, unsigned timeout_ms, bool *reached)
{
    struct recorder *r = ud;
    rec_add(r, M_WAIT, height, 0);
    return r->inner.wait_block(r->inner.ud, height, timeout_ms, reached);
}

/* A node that records into r and answers from `inner`; the recording starts empty. */
static void recorder_of(struct tacit_wallet_node *n, struct recorder *r,
                        const struct tacit_wallet_node *inner)
{
    memset(r, 0, sizeof *r);
    r->inner = *inner;
    r->last = __atomic_load_n(&tacit__wallet_hashes, __ATOMIC_RELAXED);
    *n = *inner;
    n->ud = r;
    n->chain_info = r_info;
    n->header = r_header;
    n->block_range = r_range;
    n->free_blocks = r_free;
    n->subtree_roots = inner->subtree_roots ? r_roots : NULL;
    n->tree_nodes = inner->tree_nodes ? r_nodes : NULL;
    n->account = r_account;
    n->send_raw = r_send;
    n->tx_status = r_status;
    n->wait_block = r_wait;
}

static int g_proofs;
static uint64_t g_l1_chain_id; /* what the last fake proof was built for */

static int fake_prove(struct tacit_tx *tx, const struct tacit_txbuild *b,
                      const tacit_groth16_pk *pk, unsigned nthreads,
                      tacit_groth16_prove_stats *stats)
{
    (void)pk;
    (void)nthreads;
    (void)stats;
    memset(tx, 0, sizeof *tx);
    tx->version = b->version != 0 ? b->version : TACIT_TX_VERSION;
    g_l1_chain_id = b->l1_chain_id;
    tx->chain_id = b->chain_id;
    tx->pub[0] = b->anchor;
    for (int i = 0; i < 2; i++) {
        tacit_fr pkey, cm, root;
        tacit_txbuild_keys(NULL, &pkey, &b->in[i].sk);
        tacit_txbuild_commitment(&cm, b->in[i].value, &pkey, &b->in[i].blinding);
        if (b->in[i].value != 0) {
            /* what the circuit checks: the path reaches the anchor */
            tacit_tree_path_root(&root, &cm, &b->in[i].path);
            if (!tacit_fr_eq(&root, &b->anchor)) return TACIT_EWITNESS;
        }
        tacit_txbuild_nullifier(&tx->pub[3 + i], &b->in[i].sk, &cm,
                                b->in[i].value ? b->in[i].path.index : 0);
        tacit_txbuild_commitment(&tx->pub[5 + i], b->out[i].value, &b->out[i].pk,
                                 &b->out[i].blinding);
    }
    tx->ext.fee = b->fee;
    tx->ext.withdrawal_amount = b->withdrawal_amount;
    memcpy(tx->ext.withdrawal_recipient, b->withdrawal_recipient, TACIT_ADDRESS_LEN);
    tx->ext.deposit_amount = b->deposit_amount;
    memcpy(tx->ext.deposit_sender, b->deposit_sender, TACIT_ADDRESS_LEN);
    tx->ext.deposit_nonce = b->deposit_nonce;
    memcpy(tx->ext.epk, b->epk, TACIT_EPK_BYTES);
    memcpy(tx->ext.ciphertext[0], b->ciphertext[0], TACIT_NOTE_CIPHERTEXT_BYTES);
    memcpy(tx->ext.ciphertext[1], b->ciphertext[1], TACIT_NOTE_CIPHERTEXT_BYTES);
    g_proofs++;
    return TACIT_OK;
}

/* ------------------------------------------------------------- checks ---- */

static int naive_get(void *arg, unsigned level, uint64_t index, tacit_fr *out)
{
    const struct chain *c = arg;
    if (level != 0 || index >= c->nleaves) return TACIT_ENOTFOUND;
    *out = c->leaves[index];
    return TACIT_OK;
}

/* Every unspent note's witness equals the path recomputed from all leaves at the wallet's
 * synced height, and reaches the chain's root there. Returns the number checked. */
static size_t check_witnesses(const struct tacit_wallet *w, const struct chain *c)
{
    struct tacit_wallet_note *notes;
    struct tacit_wallet_balance bal;
    size_t n, checked = 0;
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    if (bal.synced_height == NO) return 0;
    CHECK_EQ_INT(tacit_wallet_notes(w, &notes, &n), TACIT_OK);
    for (size_t i = 0; i < n; i++) {
        struct tacit_tree_path got, want;
        tacit_fr root, r2;
        uint64_t size = c->headers[bal.synced_height].commitment_count;
        if (notes[i].spent_height != NO) continue;
        CHECK_EQ_INT(tacit_wallet_witness(&got, &root, w, notes[i].index), TACIT_OK);
        CHECK_EQ_INT(
            tacit_tree_path(&want, notes[i].index, size, naive_get, (void *)c, TACIT_TREE_DEPTH),
            TACIT_OK);
        CHECK_EQ_INT(got.index, notes[i].index);
        CHECK_MEM(got.sibling, want.sibling, sizeof want.sibling);
        CHECK(tacit_fr_eq(&root, &c->headers[bal.synced_height].note_root));
        tacit_tree_path_root(&r2, &notes[i].cm, &got);
        CHECK(tacit_fr_eq(&r2, &root));
        checked++;
    }
    tacit_wallet_notes_free(notes, n);
    return checked;
}

static int sync_all(struct tacit_wallet *w, struct chain *c, unsigned chunk,
                    struct tacit_wallet_sync_result *r)
{
    struct tacit_wallet_node node;
    struct tacit_wallet_sync_opts o = {.chunk_blocks = chunk, .nthreads = 2};
    node_of(&node, c);
    return tacit_wallet_sync(w, &node, &o, r);
}

/* A chain with `nblocks` blocks of `per` txs; each tx with probability 1/share pays the
 * wallet address `a` (values 1000 + its leaf index, memo on output 0), plus a few outputs
 * encrypted to `a` whose on-chain commitment differs. Returns the expected own value. */
static uint64_t chain_fill(struct chain *c, const struct tacit_shielded_address *a, size_t nblocks,
                           size_t per, unsigned share, size_t *own)
{
    uint64_t total = 0;
    struct tacit_shielded_address other;
    uint8_t wide[64];
    struct tacit_spending_key *k;
    memset(wide, 0x77, sizeof wide);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, wide), TACIT_OK);
    tacit_spending_key_address(&other, k);
    tacit_spending_key_free(k);
    for (size_t b = 0; b < nblocks; b++) {
        struct tacit_wallet_ctx *txs = malloc(per * sizeof *txs);
        for (size_t t = 0; t < per; t++) {
            unsigned r = (unsigned)(tacit_test_rand64() % share);
            uint64_t leaf = c->nleaves + 2 * t;
            if (r == 0) { /* output 0 ours, output 1 someone else's */
                struct tacit_shielded_address to[2] = {*a, other};
                uint64_t v[2] = {1000 + leaf, 5};
                pay_tx(&txs[t], to, v, "hi", NULL);
                total += v[0];
                (*own)++;
            } else if (r == 1) { /* both ours, output 1 a false note */
                struct tacit_shielded_address to[2] = {*a, *a};
                uint64_t v[2] = {2000 + leaf, 99};
                bool bad[2] = {false, true};
                pay_tx(&txs[t], to, v, NULL, bad);
                total += v[0];
                (*own)++;
            } else {
                foreign_tx(&txs[t]);
            }
        }
        chain_block(c, txs, per);
        free(txs);
    }
    return total;
}

/* ------------------------------------------------------------- tests ---- */

TEST(file_create_open)
{
    char path[600], addr[TACIT_KEYS_STR_MAX], addr2[TACIT_KEYS_STR_MAX];
    struct tacit_wallet *w = NULL, *w2 = NULL;
    struct stat st;
    unsigned flags = 99;
    uint8_t h1[32], h2[32];

    wpath(path, sizeof path, "create.wallet");
    CHECK_EQ_INT(tacit_wallet_create(&w, path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, NULL),
                 TACIT_OK);
    CHECK(w != NULL);
    CHECK_EQ_INT(stat(path, &st), 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    tacit_wallet_address(addr, w);
    CHECK(strncmp(addr, "tdev1", 5) == 0);
    CHECK(!tacit_wallet_is_watch_only(w));
    tacit_wallet_close(w);

    /* the same path again */
    CHECK_EQ_INT(tacit_wallet_create(&w2, path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, NULL),
                 TACIT_EEXISTS);
    CHECK(w2 == NULL);

    /* wrong passphrase: refused, the file is byte-identical */
    file_hash(h1, path);
    CHECK_EQ_INT(tacit_wallet_open(&w2, &flags, path, "wrong", 5), TACIT_EPASSPHRASE);
    CHECK(w2 == NULL);
    CHECK_EQ_INT(tacit_wallet_open(&w2, NULL, path, "", 0), TACIT_EPASSPHRASE);
    file_hash(h2, path);
    CHECK_MEM(h1, h2, 32);

    CHECK_EQ_INT(tacit_wallet_open(&w2, &flags, path, PASS, strlen(PASS)), TACIT_OK);
    CHECK_EQ_INT(flags, 0);
    tacit_wallet_address(addr2, w2);
    CHECK(strcmp(addr, addr2) == 0);
    tacit_wallet_close(w2);
    w2 = NULL;

    /* permissive mode: opens, says so */
    CHECK_EQ_INT(chmod(path, 0644), 0);
    CHECK_EQ_INT(tacit_wallet_open(&w2, &flags, path, PASS, strlen(PASS)), TACIT_OK);
    CHECK_EQ_INT(flags, TACIT_WALLET_OPEN_INSECURE_MODE);
    tacit_wallet_close(w2);
    w2 = NULL;

    wpath(path, sizeof path, "nonexistent.wallet");
    CHECK_EQ_INT(tacit_wallet_open(&w2, NULL, path, PASS, strlen(PASS)), TACIT_ENOENT);
    CHECK_EQ_INT(tacit_wallet_create(&w2, path, PASS, strlen(PASS), (enum tacit_network)7, NULL),
                 TACIT_EINVAL);

    /* not a wallet */
    wpath(path, sizeof path, "garbage.wallet");
    {
        FILE *f = fopen(path, "w");
        fputs("this is not an LMDB file, not at all, no", f);
        fclose(f);
    }
    CHECK(tacit_wallet_open(&w2, NULL, path, PASS, strlen(PASS)) != TACIT_OK);
    CHECK(w2 == NULL);
}

/* The argon2id limits in a file's clear "meta" record ("TWL", version, network, opslimit,
 * memlimit, both big-endian: docs/wallet.md). */
static bool meta_limits(const char *path, uint64_t *ops, uint64_t *mem)
{
    static const uint8_t magic[4] = {'T', 'W', 'L', TACIT_WALLET_FORMAT_VERSION};
    size_t len = 0;
    char *b = tacit_test_read_file(path, &len);
    const uint8_t *m = b != NULL ? memmem(b, len, magic, sizeof magic) : NULL;
    bool found = m != NULL && (size_t)(m - (const uint8_t *)b) + 21 <= len;
    *ops = *mem = 0;
    for (int i = 0; found && i < 8; i++) {
        *ops = (*ops << 8) | m[5 + i];
        *mem = (*mem << 8) | m[13 + i];
    }
    free(b);
    return found;
}

/* TACIT_WALLET_KDF=fast in the environment used to give any program's new wallets argon2id's
 * MIN limits. The library reads no environment now: INTERACTIVE always, MIN only through the
 * test hook (which tacit-cli sets only in a TACIT_TEST_HOOKS build). */
TEST(file_kdf_limits)
{
    char env_path[600], hook_path[600];
    struct tacit_wallet *w = NULL;
    uint64_t ops, mem;

    wpath(env_path, sizeof env_path, "kdf-env.wallet"); /* sets the hook: reset below */
    wpath(hook_path, sizeof hook_path, "kdf-hook.wallet");
    tacit__wallet_kdf_weak = false;
    setenv("TACIT_WALLET_KDF", "fast", 1);
    CHECK_EQ_INT(tacit_wallet_create(&w, env_path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, NULL),
                 TACIT_OK);
    tacit_wallet_close(w);
    w = NULL;
    unsetenv("TACIT_WALLET_KDF");
    CHECK(meta_limits(env_path, &ops, &mem));
    CHECK_EQ_INT(ops, crypto_pwhash_OPSLIMIT_INTERACTIVE);
    CHECK_EQ_INT(mem, crypto_pwhash_MEMLIMIT_INTERACTIVE);

    tacit__wallet_kdf_weak = true; /* as every other test here */
    CHECK_EQ_INT(tacit_wallet_create(&w, hook_path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, NULL),
                 TACIT_OK);
    tacit_wallet_close(w);
    w = NULL;
    CHECK(meta_limits(hook_path, &ops, &mem));
    CHECK_EQ_INT(ops, crypto_pwhash_OPSLIMIT_MIN);
    CHECK_EQ_INT(mem, crypto_pwhash_MEMLIMIT_MIN);
    /* a file opens with the limits it was made with */
    CHECK_EQ_INT(tacit_wallet_open(&w, NULL, env_path, PASS, strlen(PASS)), TACIT_OK);
    tacit_wallet_close(w);
}

TEST(file_tampered_secrets)
{
    /* a changed byte in the sealed secrets reads as a wrong passphrase, never as a key */
    char path[600];
    struct tacit_wallet *w = new_wallet("tamper.wallet", 3);
    size_t len = 0;
    char *b;
    int hits = 0;
    tacit_wallet_close(w);
    wpath(path, sizeof path, "tamper.wallet");
    b = tacit_test_read_file(path, &len);
    CHECK(b != NULL);
    /* the sealed record follows its key "secrets" in the LMDB page */
    for (size_t i = 0; b && i + 7 < len; i++)
        if (memcmp(b + i, "secrets", 7) == 0) {
            b[i + 7 + 30] ^= 1; /* inside nonce || box */
            hits++;
        }
    if (b) {
        FILE *f = fopen(path, "wb");
        fwrite(b, 1, len, f);
        fclose(f);
    }
    free(b);
    CHECK(hits >= 1);
    w = NULL;
    CHECK_EQ_INT(tacit_wallet_open(&w, NULL, path, PASS, strlen(PASS)), TACIT_EPASSPHRASE);
    CHECK(w == NULL);
}

TEST(import_transparent)
{
    char path[600];
    uint8_t sk[32], a[TACIT_ADDRESS_LEN], want[TACIT_ADDRESS_LEN], got[TACIT_ADDRESS_LEN],
        zero[32] = {0}, back[32];
    struct tacit_wallet *w = new_wallet("import.wallet", 4);
    memset(sk, 0x11, sizeof sk);
    CHECK_EQ_INT(tacit_address_from_seckey(want, sk), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_import_transparent(w, sk, a), TACIT_OK);
    CHECK_MEM(a, want, TACIT_ADDRESS_LEN);
    CHECK_EQ_INT(tacit_wallet_import_transparent(w, sk, a), TACIT_EEXISTS);
    CHECK_EQ_INT(tacit_wallet_import_transparent(w, zero, a), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_wallet_transparent_count(w), 1);
    tacit_wallet_close(w);
    wpath(path, sizeof path, "import.wallet");
    w = NULL;
    CHECK_EQ_INT(tacit_wallet_open(&w, NULL, path, PASS, strlen(PASS)), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_transparent_count(w), 1);
    CHECK_EQ_INT(tacit_wallet_transparent_address(got, w, 0), TACIT_OK);
    CHECK_MEM(got, want, TACIT_ADDRESS_LEN);
    CHECK_EQ_INT(tacit_wallet_transparent_address(got, w, 1), TACIT_EINVAL);
    /* the secret key back (kept across the reopen), for an L1 signature */
    CHECK_EQ_INT(tacit_wallet_transparent_seckey(back, w, 0), TACIT_OK);
    CHECK_MEM(back, sk, 32);
    CHECK_EQ_INT(tacit_wallet_transparent_seckey(back, w, 1), TACIT_EINVAL);
    CHECK_MEM(back, zero, 32);
    tacit_wallet_close(w);
}

TEST(sync_finds_own_notes)
{
    struct chain c;
    struct tacit_shielded_address a;
    struct tacit_wallet *w = new_wallet("sync.wallet", 5);
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance bal;
    struct tacit_wallet_note *notes;
    size_t own = 0, n;
    uint64_t total;

    chain_init(&c, 1);
    tacit_wallet_shielded_address(&a, w);
    chain_block(&c, NULL, 0);                    /* genesis */
    total = chain_fill(&c, &a, 40, 13, 6, &own); /* 1,040 leaves: 65 subtrees of 16 */
    CHECK(own > 10);
    CHECK_EQ_INT(sync_all(w, &c, 7, &r), TACIT_OK);
    CHECK_EQ_INT(r.height, 40);
    CHECK_EQ_INT(r.blocks, 41);
    CHECK_EQ_INT(r.outputs, 40 * 13 * 2);
    CHECK_EQ_INT(r.notes_found, own);
    CHECK(!r.rescanned);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, total);
    CHECK_EQ_INT(bal.nnotes, own);
    CHECK_EQ_INT(bal.synced_height, 40);
    CHECK_EQ_INT(tacit_wallet_notes(w, &notes, &n), TACIT_OK);
    CHECK_EQ_INT(n, own);
    for (size_t i = 0; i < n; i++) {
        /* values encode the leaf index (see chain_fill); memos came through */
        CHECK(notes[i].value == 1000 + notes[i].index || notes[i].value == 2000 + notes[i].index);
        if (notes[i].value == 1000 + notes[i].index) {
            CHECK_EQ_INT(notes[i].memo_len, 2);
            CHECK(memcmp(notes[i].memo, "hi", 2) == 0);
        }
        CHECK(notes[i].has_nf);
        CHECK(tacit_fr_eq(&notes[i].cm, &c.leaves[notes[i].index]));
        if (i > 0) CHECK(notes[i].index > notes[i - 1].index);
    }
    tacit_wallet_notes_free(notes, n);
    CHECK_EQ_INT(check_witnesses(w, &c), own);

    /* more blocks: the witnesses follow (resumed sync) */
    own = 0;
    total += chain_fill(&c, &a, 9, 5, 4, &own);
    CHECK_EQ_INT(sync_all(w, &c, 4, &r), TACIT_OK);
    CHECK_EQ_INT(r.blocks, 9);
    CHECK_EQ_INT(r.notes_found, own);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, total);
    check_witnesses(w, &c);

    /* a sync with nothing new changes nothing */
    CHECK_EQ_INT(sync_all(w, &c, 4, &r), TACIT_OK);
    CHECK_EQ_INT(r.blocks, 0);
    check_witnesses(w, &c);
    tacit_wallet_close(w);
    chain_free(&c);
}

TEST(witness_subtree_boundaries)
{
    /* own notes at the first and last leaf of subtrees, in a chain that ends exactly at a
     * subtree boundary, then one leaf past it; the node gives no subtree roots (hashing
     * fallback) in a second wallet */
    struct chain c;
    struct tacit_shielded_address a, other;
    struct tacit_wallet *w = new_wallet("bound.wallet", 6), *w2;
    struct tacit_wallet_sync_result r;
    uint8_t wide[64];
    struct tacit_spending_key *k;

    memset(wide, 0x55, sizeof wide);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, wide), TACIT_OK);
    tacit_spending_key_address(&other, k);
    tacit_spending_key_free(k);
    chain_init(&c, 2);
    tacit_wallet_shielded_address(&a, w);
    for (int b = 0; b < 6; b++) { /* 8 txs = 16 leaves = one subtree per block */
        struct tacit_wallet_ctx txs[8];
        for (int t = 0; t < 8; t++) {
            struct tacit_shielded_address to[2] = {t == 0 ? a : other, t == 7 ? a : other};
            uint64_t v[2] = {10, 20};
            if ((b + t) % 3 == 0 || t == 0 || t == 7)
                pay_tx(&txs[t], to, v, NULL, NULL);
            else
                foreign_tx(&txs[t]);
        }
        chain_block(&c, txs, 8);
    }
    CHECK_EQ_INT(sync_all(w, &c, 2, &r), TACIT_OK);
    CHECK_EQ_INT(r.notes_found, 12);
    CHECK_EQ_INT(check_witnesses(w, &c), 12);
    {
        struct tacit_wallet_ctx t;
        struct tacit_shielded_address to[2] = {a, a};
        uint64_t v[2] = {1, 2};
        pay_tx(&t, to, v, NULL, NULL);
        chain_block(&c, &t, 1);
    }
    CHECK_EQ_INT(sync_all(w, &c, 2, &r), TACIT_OK);
    CHECK_EQ_INT(check_witnesses(w, &c), 14);

    c.no_subtree_roots = true;
    c.inner_level = 0; /* every subtree from its leaves */
    w2 = new_wallet("bound2.wallet", 6);
    CHECK_EQ_INT(sync_all(w2, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(check_witnesses(w2, &c), 14);
    tacit_wallet_close(w);
    tacit_wallet_close(w2);
    chain_free(&c);
}

/* Issue 16: with the node's nodes at an inner level L (tree_nodes), the wallet hashes a
 * complete subtree from its 2^(4-L) nodes there and each own note's block of 2^L leaves from
 * the leaves, after the sync's last request. Its witnesses equal those of the full tree for
 * notes at the first and last leaf, at the edges of subtrees and of L-blocks, and at random
 * places, for every L (0: no tree_nodes, every subtree from its leaves), in chains that end
 * inside a subtree and at its end; a sync the node breaks off leaves blocks still to hash in
 * the file, which the reopened wallet finishes. */
TEST(witness_inner_levels)
{
    struct tacit_shielded_address other;
    uint8_t wide[64];
    struct tacit_spending_key *k;
    memset(wide, 0x66, sizeof wide);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, wide), TACIT_OK);
    tacit_spending_key_address(&other, k);
    tacit_spending_key_free(k);
    for (unsigned L = 0; L < LEVEL; L++) {
        for (unsigned round = 0; round < 3; round++) {
            struct chain c;
            struct tacit_shielded_address a;
            struct tacit_wallet *w;
            struct tacit_wallet_sync_result r;
            char name[64], path[600];
            uint8_t seed = (uint8_t)(60 + 4 * L + round);
            size_t own = 0, nblocks = 6 + (size_t)(tacit_test_rand64() % 6);
            uint64_t blk = (uint64_t)1 << (L ? L : 2);
            snprintf(name, sizeof name, "inner-%u-%u.wallet", L, round);
            wpath(path, sizeof path, name);
            w = new_wallet(name, seed);
            chain_init(&c, seed);
            c.inner_level = L;
            tacit_wallet_shielded_address(&a, w);
            for (size_t b = 0; b < nblocks; b++) {
                struct tacit_wallet_ctx txs[9];
                size_t ntx = 3 + (size_t)(tacit_test_rand64() % 7);
                if (round == 2 && b == nblocks - 1) /* the chain ends at a subtree's end */
                    ntx = (16 - c.nleaves % 16) / 2;
                for (size_t t = 0; t < ntx; t++) {
                    struct tacit_shielded_address to[2];
                    uint64_t v[2];
                    for (int o = 0; o < 2; o++) {
                        uint64_t i = c.nleaves + 2 * t + (uint64_t)o;
                        bool mine = i == 0 || i % 16 == 0 || i % 16 == 15 ||
                                    (i % blk == blk - 1 && tacit_test_rand64() % 3 == 0) ||
                                    (i % blk == 0 && tacit_test_rand64() % 3 == 0) ||
                                    tacit_test_rand64() % 6 == 0 ||
                                    (b == nblocks - 1 && t == ntx - 1 && o == 1);
                        to[o] = mine ? a : other;
                        v[o] = 1 + i;
                        own += mine;
                    }
                    pay_tx(&txs[t], to, v, NULL, NULL);
                }
                chain_block(&c, txs, ntx);
            }
            if (round == 1) {
                /* broken off: the file holds subtrees hashed from the node's nodes whose own
                 * blocks are still to hash */
                size_t pending = 0;
                c.fail_from = c.nblocks - 2;
                CHECK_EQ_INT(sync_all(w, &c, 1, &r), TACIT_EIO);
                c.fail_from = 0;
                tacit_wallet_close(w);
                CHECK_EQ_INT(tacit_wallet_open(&w, NULL, path, PASS, strlen(PASS)), TACIT_OK);
                if (w == NULL) {
                    chain_free(&c);
                    return;
                }
                for (size_t i = 0; i < w->nnotes; i++) pending += w->notes[i].bottom_level != 0;
                CHECK(L == 0 ? pending == 0 : pending > 0);
            }
            CHECK_EQ_INT(sync_all(w, &c, 2, &r), TACIT_OK);
            CHECK_EQ_INT(check_witnesses(w, &c), own);
            for (size_t i = 0; i < w->nnotes; i++) CHECK_EQ_INT(w->notes[i].bottom_level, 0);
            tacit_wallet_close(w);
            chain_free(&c);
        }
    }
}

/* A node whose nodes at the inner level are not those of its leaves is caught, never a wrong
 * witness: (1) one wrong node under a subtree whose root the node gives right: the subtree's
 * root is not the node's (TACIT_EBAD_NODE_DATA), nothing of it kept; (2) a node serving a
 * whole other tree (inner nodes, subtree roots and header roots of leaves one of which, next
 * to an own note, is not the one in its blocks): the note's block does not hash to the
 * subtree's root (TACIT_EBAD_NODE_DATA), and the wallet forgets what it took from that node
 * (notes, tree), so that an honest node's sync finds the notes with right witnesses. */
TEST(inner_node_lies)
{
    struct chain c;
    struct tacit_shielded_address a, other;
    struct tacit_wallet *w = new_wallet("lies.wallet", 90);
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance bal;
    uint8_t wide[64];
    struct tacit_spending_key *k;

    memset(wide, 0x67, sizeof wide);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, wide), TACIT_OK);
    tacit_spending_key_address(&other, k);
    tacit_spending_key_free(k);
    chain_init(&c, 90);
    c.inner_level = 2;
    tacit_wallet_shielded_address(&a, w);
    for (int b = 0; b < 4; b++) { /* 8 txs = 16 leaves = one subtree per block */
        struct tacit_wallet_ctx txs[8];
        for (int t = 0; t < 8; t++) {
            struct tacit_shielded_address to[2] = {other, b == 0 && t == 2 ? a : other};
            uint64_t v[2] = {7, 8};
            pay_tx(&txs[t], to, v, NULL, NULL); /* own: leaf 5 */
        }
        chain_block(&c, txs, 8);
    }

    c.bad_node = 1 + 3; /* the node over leaves 12..15 */
    CHECK_EQ_INT(sync_all(w, &c, 1, &r), TACIT_EBAD_NODE_DATA);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK(bal.synced_height == NO);
    c.bad_node = 0;

    c.fake_leaf = 1 + 4; /* leaf 4: in the own note's block 4..7 */
    CHECK_EQ_INT(sync_all(w, &c, 1, &r), TACIT_EBAD_NODE_DATA);
    CHECK_EQ_INT(r.notes_found, 1);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK(bal.synced_height == NO);
    CHECK_EQ_INT(bal.nnotes, 0);
    c.fake_leaf = 0;

    CHECK_EQ_INT(sync_all(w, &c, 1, &r), TACIT_OK);
    CHECK_EQ_INT(r.notes_found, 1);
    CHECK_EQ_INT(check_witnesses(w, &c), 1);
    tacit_wallet_close(w);
    chain_free(&c);
}

TEST(spends_detected)
{
    struct chain c;
    struct tacit_shielded_address a;
    struct tacit_wallet *w = new_wallet("spend.wallet", 7);
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance bal;
    struct tacit_wallet_note *notes;
    struct tacit_wallet_ctx t;
    size_t own = 0, n;
    uint64_t total;

    chain_init(&c, 3);
    tacit_wallet_shielded_address(&a, w);
    total = chain_fill(&c, &a, 10, 6, 3, &own);
    CHECK_EQ_INT(sync_all(w, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_notes(w, &notes, &n), TACIT_OK);
    CHECK(n >= 2);
    /* a tx spending notes 0 and 1 (its nullifiers are theirs) */
    foreign_tx(&t);
    t.nf[0] = notes[1].nf;
    t.nf[1] = notes[0].nf;
    chain_block(&c, &t, 1);
    CHECK_EQ_INT(sync_all(w, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(r.spends_found, 2);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, total - notes[0].value - notes[1].value);
    CHECK_EQ_INT(bal.nnotes, n - 2);
    tacit_wallet_notes_free(notes, n);
    CHECK_EQ_INT(tacit_wallet_notes(w, &notes, &n), TACIT_OK);
    CHECK_EQ_INT(notes[0].spent_height, 10);
    CHECK_EQ_INT(notes[1].spent_height, 10);
    CHECK_EQ_INT(notes[2].spent_height, NO);
    tacit_wallet_notes_free(notes, n);
    check_witnesses(w, &c);
    tacit_wallet_close(w);
    chain_free(&c);
}

static bool same_notes(const struct tacit_wallet *x, const struct tacit_wallet *y)
{
    struct tacit_wallet_note *a, *b;
    size_t na, nb;
    bool same;
    CHECK_EQ_INT(tacit_wallet_notes(x, &a, &na), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_notes(y, &b, &nb), TACIT_OK);
    same = na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
    tacit_wallet_notes_free(a, na);
    tacit_wallet_notes_free(b, nb);
    return same;
}

static int stop_at_3(void *ud, const struct tacit_wallet_sync_progress *p)
{
    int *calls = ud;
    (*calls)++;
    CHECK(p->height <= p->target);
    return p->blocks >= 3 ? 12345 : 0;
}

TEST(resume_rescan_reopen)
{
    char path[600];
    struct chain c;
    struct tacit_shielded_address a;
    struct tacit_wallet *w1 = new_wallet("one.wallet", 8), *w2 = new_wallet("two.wallet", 8);
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_node node;
    struct tacit_wallet_sync_opts o = {.chunk_blocks = 1, .nthreads = 1};
    tacit_fr root1, root2;
    struct tacit_tree_path p1;
    size_t own = 0;
    int calls = 0;

    chain_init(&c, 4);
    tacit_wallet_shielded_address(&a, w1);
    chain_fill(&c, &a, 30, 7, 4, &own);
    /* one sync in one go */
    CHECK_EQ_INT(sync_all(w1, &c, 1000, &r), TACIT_OK);
    /* the other: stopped by its progress callback, up to a height, then the rest */
    node_of(&node, &c);
    o.progress = stop_at_3;
    o.progress_ud = &calls;
    CHECK_EQ_INT(tacit_wallet_sync(w2, &node, &o, &r), 12345);
    CHECK_EQ_INT(calls, 3);
    CHECK_EQ_INT(r.height, 2);
    o.progress = NULL;
    o.to_height = 17;
    CHECK_EQ_INT(tacit_wallet_sync(w2, &node, &o, &r), TACIT_OK);
    CHECK_EQ_INT(r.height, 17);
    check_witnesses(w2, &c);
    /* closed and reopened in between */
    tacit_wallet_close(w2);
    wpath(path, sizeof path, "two.wallet");
    w2 = NULL;
    CHECK_EQ_INT(tacit_wallet_open(&w2, NULL, path, PASS, strlen(PASS)), TACIT_OK);
    check_witnesses(w2, &c);
    CHECK_EQ_INT(sync_all(w2, &c, 5, &r), TACIT_OK);
    CHECK(same_notes(w1, w2));
    CHECK_EQ_INT(check_witnesses(w2, &c), own);
    CHECK_EQ_INT(tacit_wallet_witness(&p1, &root1, w1, c.nleaves + 5), TACIT_ENOTFOUND);

    /* forget everything and sync from 0: the same notes again */
    CHECK_EQ_INT(tacit_wallet_rescan(w2), TACIT_OK);
    {
        struct tacit_wallet_balance bal;
        CHECK_EQ_INT(tacit_wallet_balance(w2, &bal), TACIT_OK);
        CHECK_EQ_INT(bal.nnotes, 0);
        CHECK_EQ_INT(bal.synced_height, NO);
    }
    CHECK_EQ_INT(sync_all(w2, &c, 6, &r), TACIT_OK);
    CHECK_EQ_INT(r.notes_found, own);
    CHECK(same_notes(w1, w2));
    {
        struct tacit_wallet_note *notes;
        size_t n;
        CHECK_EQ_INT(tacit_wallet_notes(w1, &notes, &n), TACIT_OK);
        CHECK(n > 0);
        if (n > 0) {
            CHECK_EQ_INT(tacit_wallet_witness(&p1, &root1, w1, notes[n - 1].index), TACIT_OK);
            CHECK_EQ_INT(tacit_wallet_witness(&p1, &root2, w2, notes[n - 1].index), TACIT_OK);
            CHECK(tacit_fr_eq(&root1, &root2));
        }
        tacit_wallet_notes_free(notes, n);
    }
    tacit_wallet_close(w1);
    tacit_wallet_close(w2);
    chain_free(&c);
}

TEST(node_reset)
{
    struct chain c, d;
    struct tacit_shielded_address a;
    struct tacit_wallet *w = new_wallet("reset.wallet", 9);
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance bal;
    size_t own = 0, own2 = 0;
    uint64_t total2;

    /* every chain here starts with the same (empty) block 0: one chain whose later blocks a
     * devnet's dev_revert replaced (another block 0 is another chain: wrong_chain_refused) */
    chain_init(&c, 5);
    chain_block(&c, NULL, 0);
    tacit_wallet_shielded_address(&a, w);
    chain_fill(&c, &a, 12, 4, 3, &own);
    CHECK_EQ_INT(sync_all(w, &c, 5, &r), TACIT_OK);
    /* the node comes back shorter, with other blocks: a devnet reverted */
    chain_init(&d, 6);
    chain_block(&d, NULL, 0);
    total2 = chain_fill(&d, &a, 8, 4, 3, &own2);
    CHECK_EQ_INT(sync_all(w, &d, 5, &r), TACIT_OK);
    CHECK(r.rescanned);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, total2);
    CHECK_EQ_INT(bal.synced_height, 8);
    CHECK_EQ_INT(check_witnesses(w, &d), own2);
    /* same height, other blocks: the hash at our height differs */
    chain_free(&c);
    chain_init(&c, 7);
    chain_block(&c, NULL, 0);
    own = 0;
    uint64_t total3 = chain_fill(&c, &a, 8, 4, 3, &own);
    CHECK_EQ_INT(sync_all(w, &c, 5, &r), TACIT_OK);
    CHECK(r.rescanned);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, total3);
    CHECK_EQ_INT(check_witnesses(w, &c), own);
    /* the same chain again: no rescan */
    CHECK_EQ_INT(sync_all(w, &c, 5, &r), TACIT_OK);
    CHECK(!r.rescanned);
    tacit_wallet_close(w);
    chain_free(&c);
    chain_free(&d);
}

TEST(bad_node_data)
{
    struct chain c;
    struct tacit_shielded_address a;
    struct tacit_wallet *w = new_wallet("bad.wallet", 10);
    struct tacit_wallet_sync_result r;
    struct tacit_tree_path p;
    struct tacit_wallet_note *notes;
    tacit_fr root;
    size_t own = 0, n;

    chain_init(&c, 8);
    tacit_wallet_shielded_address(&a, w);
    chain_fill(&c, &a, 6, 4, 2, &own);
    c.bad_root = true;
    CHECK_EQ_INT(sync_all(w, &c, 3, &r), TACIT_ENOTE_ROOT);
    CHECK_EQ_INT(tacit_wallet_notes(w, &notes, &n), TACIT_OK);
    CHECK(n > 0);
    if (n > 0) CHECK_EQ_INT(tacit_wallet_witness(&p, &root, w, notes[0].index), TACIT_ENOT_SYNCED);
    tacit_wallet_notes_free(notes, n);
    c.bad_root = false;
    chain_fill(&c, &a, 2, 4, 2, &own);
    c.bad_start = true;
    CHECK_EQ_INT(sync_all(w, &c, 3, &r), TACIT_EBAD_NODE_DATA);
    c.bad_start = false;
    CHECK_EQ_INT(sync_all(w, &c, 3, &r), TACIT_OK);
    check_witnesses(w, &c);
    /* the node fails in the middle of a sync (subtrees completed in memory, not committed):
     * the wallet goes back to its last commit and the next sync ends where one sync would */
    own = 0;
    chain_fill(&c, &a, 12, 6, 2, &own);
    c.fail_from = c.nblocks - 3;
    CHECK_EQ_INT(sync_all(w, &c, 2, &r), TACIT_EIO);
    CHECK(r.height < c.nblocks - 3);
    c.fail_from = 0;
    CHECK_EQ_INT(sync_all(w, &c, 2, &r), TACIT_OK);
    CHECK_EQ_INT(r.height, c.nblocks - 1);
    {
        struct tacit_wallet *fresh = new_wallet("bad-fresh.wallet", 10);
        CHECK_EQ_INT(sync_all(fresh, &c, 5, &r), TACIT_OK);
        CHECK(same_notes(w, fresh));
        tacit_wallet_close(fresh);
    }
    check_witnesses(w, &c);
    tacit_wallet_close(w);
    chain_free(&c);
}

TEST(watch_only)
{
    char path[600], fvk[TACIT_KEYS_STR_MAX], ivk[TACIT_KEYS_STR_MAX], a1[TACIT_KEYS_STR_MAX],
        a2[TACIT_KEYS_STR_MAX];
    struct chain c;
    struct tacit_shielded_address a;
    struct tacit_wallet *w = new_wallet("spender.wallet", 11), *wf = NULL, *wi = NULL;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance b0, b1, b2;
    struct tacit_wallet_note *notes;
    struct tacit_wallet_ctx t;
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    size_t own = 0, n;

    CHECK_EQ_INT(tacit_wallet_export_viewing_key(fvk, w, TACIT_VIEWING_KEY_FULL), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_export_viewing_key(ivk, w, TACIT_VIEWING_KEY_INCOMING), TACIT_OK);
    wpath(path, sizeof path, "fvk.wallet");
    CHECK_EQ_INT(tacit_wallet_create_watch_only(&wf, path, "", 0, TACIT_NETWORK_DEVNET, fvk),
                 TACIT_OK);
    wpath(path, sizeof path, "ivk.wallet");
    CHECK_EQ_INT(tacit_wallet_create_watch_only(&wi, path, "x", 1, TACIT_NETWORK_DEVNET, ivk),
                 TACIT_OK);
    wpath(path, sizeof path, "bad-vk.wallet");
    {
        struct tacit_wallet *wx = NULL;
        CHECK_EQ_INT(tacit_wallet_create_watch_only(&wx, path, "", 0, TACIT_NETWORK_MAINNET, fvk),
                     TACIT_ENETWORK);
        CHECK(wx == NULL);
    }
    CHECK(tacit_wallet_is_watch_only(wf));
    CHECK_EQ_INT(tacit__wallet_set_subtree_level(wf, LEVEL), TACIT_OK);
    CHECK_EQ_INT(tacit__wallet_set_subtree_level(wi, LEVEL), TACIT_OK);
    tacit_wallet_address(a1, w);
    tacit_wallet_address(a2, wf);
    CHECK(strcmp(a1, a2) == 0);
    /* an incoming key cannot give the full one */
    CHECK_EQ_INT(tacit_wallet_export_viewing_key(a2, wi, TACIT_VIEWING_KEY_FULL), TACIT_EINVAL);

    chain_init(&c, 9);
    tacit_wallet_shielded_address(&a, w);
    chain_fill(&c, &a, 10, 5, 3, &own);
    CHECK_EQ_INT(sync_all(w, &c, 4, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_notes(w, &notes, &n), TACIT_OK);
    foreign_tx(&t);
    t.nf[0] = notes[0].nf;
    chain_block(&c, &t, 1);
    tacit_wallet_notes_free(notes, n);
    CHECK_EQ_INT(sync_all(w, &c, 4, &r), TACIT_OK);
    CHECK_EQ_INT(sync_all(wf, &c, 4, &r), TACIT_OK);
    CHECK_EQ_INT(sync_all(wi, &c, 4, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(w, &b0), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(wf, &b1), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(wi, &b2), TACIT_OK);
    CHECK_EQ_INT(b1.confirmed, b0.confirmed);
    CHECK_EQ_INT(b1.nnotes, b0.nnotes);
    CHECK(same_notes(w, wf));
    /* the incoming key does not see the spend */
    CHECK_EQ_INT(b2.nnotes, b0.nnotes + 1);
    check_witnesses(wf, &c);

    node_of(&node, &c);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 1;
    req.to = a;
    tacit__wallet_prove = fake_prove;
    CHECK_EQ_INT(tacit_wallet_send(wf, &node, NULL, &req, &res), TACIT_EWATCH_ONLY);
    req.kind = TACIT_WALLET_SEND_WITHDRAW;
    CHECK_EQ_INT(tacit_wallet_send(wi, &node, NULL, &req, &res), TACIT_EWATCH_ONLY);
    CHECK_EQ_INT(c.npool, 0);
    sodium_memzero(fvk, sizeof fvk);
    sodium_memzero(ivk, sizeof ivk);
    tacit_wallet_close(w);
    tacit_wallet_close(wf);
    tacit_wallet_close(wi);
    chain_free(&c);
}

/* Gives wallet w notes of the given values, synced. */
static void fund(struct chain *c, struct tacit_wallet *w, const uint64_t *values, size_t n)
{
    struct tacit_shielded_address a, other;
    struct tacit_wallet_sync_result r;
    uint8_t wide[64];
    struct tacit_spending_key *k;
    memset(wide, 0x99, sizeof wide);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, wide), TACIT_OK);
    tacit_spending_key_address(&other, k);
    tacit_spending_key_free(k);
    tacit_wallet_shielded_address(&a, w);
    for (size_t i = 0; i < n; i++) {
        struct tacit_wallet_ctx t[2];
        struct tacit_shielded_address to[2] = {a, other};
        uint64_t v[2] = {values[i], 1};
        pay_tx(&t[0], to, v, NULL, NULL);
        foreign_tx(&t[1]);
        chain_block(c, t, 2);
    }
    CHECK_EQ_INT(sync_all(w, c, 3, &r), TACIT_OK);
}

/* --------------------------------------------------- forced transactions ---- */

/* force(): what tacit-cli's forceTransaction on L1 would queue, captured (queue entries 41, 42,
 * ... in L1 blocks 901, 902, ...), or a refusal of the contract (fail). */
struct forced_cap {
    struct tacit_tx tx;
    int calls, fail;
};

static int cap_force(void *ud, const struct tacit_tx *tx, struct tacit_wallet_forced *out)
{
    struct forced_cap *f = ud;
    f->calls++;
    if (f->fail) return f->fail;
    f->tx = *tx;
    memset(out, 0, sizeof *out);
    out->queue_index = 40 + (uint64_t)f->calls;
    out->l1_block = 900 + (uint64_t)f->calls;
    memset(out->l1_tx, 0xab, 32);
    return TACIT_OK;
}

static uint64_t note_index_of(const struct tacit_wallet *w, uint64_t value)
{
    struct tacit_wallet_note *notes;
    size_t n;
    uint64_t idx = NO;
    CHECK_EQ_INT(tacit_wallet_notes(w, &notes, &n), TACIT_OK);
    for (size_t i = 0; i < n; i++)
        if (notes[i].value == value && notes[i].spent_height == NO) idx = notes[i].index;
    tacit_wallet_notes_free(notes, n);
    return idx;
}

static const struct tacit_wallet_sent *sent_by_id(const struct tacit_wallet_sent *s, size_t n,
                                                  const uint8_t id[32])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(s[i].txid, id, 32) == 0) return &s[i];
    return NULL;
}

/* Forced transactions (issue 13): anchored at the last SETTLED block's root (older than the
 * remembered blocks and in a subtree completed since: its leaves come from the node), spending
 * only notes received by then, handed to force() instead of the node; recorded as forced with
 * the queue entry across a reopen; queued (pending) while the node does not know it, included
 * when a synced block holds it, failed (rejected, ENULLIFIER_SPENT) when another transaction
 * spent its note first. Refused: no settled block (EANCHOR), a chain off L1 (EVERSION), a
 * deposit (EINVAL), a given note newer than the settled block (EANCHOR); a refusal of force()
 * releases the notes. Exit-style: given notes, amount + fee = their sum, no change. */
TEST(forced_send)
{
    struct chain c;
    struct tacit_wallet *alice = new_wallet("fa.wallet", 21), *bob = new_wallet("fb.wallet", 22);
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res, res2, res3;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance bal;
    struct tacit_wallet_sent *sent = NULL;
    struct tacit_wallet_history_entry *hist = NULL;
    struct tacit_wallet_tx_status st;
    struct forced_cap cap;
    struct tacit_tx first;
    struct tacit_wallet_ctx t[2];
    uint64_t values[3] = {500, 300, 200}, late[1] = {50}, i500, i50;
    size_t n = 0;
    char path[600];

    tacit__wallet_prove = fake_prove;
    chain_init(&c, 12);
    c.l1_chain_id = 31337;
    c.min_fee = 5;
    fund(&c, alice, values, 3); /* blocks 0..2, 12 leaves */
    node_of(&node, &c);
    memset(&cap, 0, sizeof cap);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_WITHDRAW;
    req.amount = 100;
    memset(req.withdraw_to, 0x11, TACIT_ADDRESS_LEN);
    req.wait_ms = 5000;
    req.force = cap_force;
    req.force_ud = &cap;
    /* no block settled: no root the contract knows */
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EANCHOR);
    c.l1_chain_id = 0;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EVERSION);
    c.l1_chain_id = 31337;
    req.kind = TACIT_WALLET_SEND_DEPOSIT;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EINVAL);
    req.kind = TACIT_WALLET_SEND_WITHDRAW;
    CHECK_EQ_INT(cap.calls, 0);

    /* block 2 settles; 20 more blocks (80 leaves: subtree 0 completes, block 2 leaves the
     * remembered ones), then a note after the settled block */
    c.settled = 3;
    for (int b = 0; b < 20; b++) {
        foreign_tx(&t[0]);
        foreign_tx(&t[1]);
        chain_block(&c, t, 2);
    }
    fund(&c, alice, late, 1);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, 1050);
    i500 = note_index_of(alice, 500);
    i50 = note_index_of(alice, 50);

    /* force() refused (the contract's revert): nothing recorded, the notes free again */
    cap.fail = TACIT_ENULLIFIER_SPENT;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_ENULLIFIER_SPENT);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, 1050);
    CHECK_EQ_INT(bal.pending_out, 0);
    cap.fail = 0;
    cap.calls = 0;

    /* the settled block's tree: its subtree completed since, so its leaves come from the node
     * (a node without tacit_getCommitments: no way to that tree) */
    {
        struct tacit_wallet_node bare = node;
        bare.commitments = NULL;
        CHECK_EQ_INT(tacit_wallet_send(alice, &bare, NULL, &req, &res), TACIT_ENOT_SYNCED);
        CHECK_EQ_INT(cap.calls, 0);
    }
    /* a forced withdrawal: 100 + fee 5 from the 200 note (below the settled block) */
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(cap.calls, 1);
    CHECK_EQ_INT(c.npool, 0); /* the node never saw it */
    CHECK(res.forced);
    CHECK_EQ_INT(res.f.queue_index, 41);
    CHECK_EQ_INT(res.f.l1_block, 901);
    CHECK_EQ_INT(res.f.anchor_height, 2);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_PENDING); /* not waited for */
    CHECK(tacit_fr_eq(&cap.tx.pub[0], &c.headers[2].note_root));
    CHECK_EQ_INT(cap.tx.version, TACIT_TX_VERSION_L1);
    CHECK_EQ_INT(cap.tx.ext.withdrawal_amount, 100);
    CHECK_EQ_INT(cap.tx.ext.fee, 5);
    CHECK_EQ_INT(cap.tx.ext.deposit_amount, 0);
    first = cap.tx;
    CHECK_EQ_INT(tacit_wallet_tx_status(alice, &node, res.txid, &st), TACIT_OK);
    CHECK_EQ_INT(st.state, TACIT_WALLET_TX_PENDING); /* queued: unknown to the node */

    /* a given note newer than the settled block: not spendable by force yet */
    req.ninputs = 1;
    req.inputs[0] = i50;
    req.amount = 45;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res3), TACIT_EANCHOR);
    req.ninputs = 0;

    /* a forced transfer to bob: 150 + 5 from the 300 note */
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 150;
    tacit_wallet_shielded_address(&req.to, bob);
    /* the chain settled past the wallet's synced block (a block it has not synced): the
     * anchor is its synced block, settled too */
    CHECK_EQ_INT(tacit_wallet_balance(alice, &bal), TACIT_OK);
    foreign_tx(&t[0]);
    chain_block(&c, t, 1);
    c.settled = c.nblocks;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res2), TACIT_OK);
    CHECK_EQ_INT(res2.f.queue_index, 42);
    CHECK_EQ_INT(res2.f.anchor_height, bal.synced_height);
    CHECK(tacit_fr_eq(&cap.tx.pub[0], &c.headers[bal.synced_height].note_root));
    c.settled = 3;

    /* exit-style: the 500 note alone, all of it withdrawn less the fee, no change */
    req.kind = TACIT_WALLET_SEND_WITHDRAW;
    req.ninputs = 1;
    req.inputs[0] = i500;
    req.amount = 495;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res3), TACIT_OK);
    CHECK_EQ_INT(cap.tx.ext.withdrawal_amount, 495);
    CHECK_EQ_INT(res3.ninputs, 1);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, 50);   /* the rest reserved by the queued ones */
    CHECK_EQ_INT(bal.pending_in, 240); /* the changes: 200 - 105, 300 - 155, 0 */

    /* the record survives a reopen */
    tacit_wallet_close(alice);
    wpath(path, sizeof path, "fa.wallet");
    CHECK_EQ_INT(tacit_wallet_open(&alice, NULL, path, PASS, strlen(PASS)), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_sent_list(alice, &sent, &n), TACIT_OK);
    CHECK_EQ_INT(n, 3);
    {
        const struct tacit_wallet_sent *a = sent_by_id(sent, n, res.txid),
                                       *b = sent_by_id(sent, n, res2.txid);
        CHECK(a != NULL && b != NULL);
        if (a != NULL && b != NULL) {
            CHECK(a->forced && b->forced);
            CHECK_EQ_INT(a->f.queue_index, 41);
            CHECK_EQ_INT(a->f.l1_block, 901);
            CHECK_EQ_INT(a->f.anchor_height, 2);
            CHECK_EQ_INT(a->f.l1_tx[31], 0xab);
            CHECK_EQ_INT(b->f.queue_index, 42);
            CHECK_EQ_INT(a->status.state, TACIT_WALLET_TX_PENDING);
        }
    }
    free(sent);

    /* the sequencer includes the first; the second's note is spent by another transaction
     * first (another copy of the wallet): consumed as failed */
    ctx_of(&t[0], &first);
    foreign_tx(&t[1]);
    chain_block(&c, t, 2);
    foreign_tx(&t[0]);
    {
        /* res2's nullifier of the 300 note: its record's nf */
        struct tacit_wallet_note *notes;
        size_t nn;
        CHECK_EQ_INT(tacit_wallet_notes(alice, &notes, &nn), TACIT_OK);
        for (size_t k = 0; k < nn; k++)
            if (notes[k].value == 300) t[0].nf[1] = notes[k].nf;
        tacit_wallet_notes_free(notes, nn);
    }
    chain_block(&c, t, 1);
    CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_sent_list(alice, &sent, &n), TACIT_OK);
    {
        const struct tacit_wallet_sent *a = sent_by_id(sent, n, res.txid),
                                       *b = sent_by_id(sent, n, res2.txid),
                                       *x = sent_by_id(sent, n, res3.txid);
        CHECK(a != NULL && b != NULL && x != NULL);
        if (a != NULL && b != NULL && x != NULL) {
            CHECK_EQ_INT(a->status.state, TACIT_WALLET_TX_INCLUDED);
            CHECK_EQ_INT(a->status.height, c.nblocks - 2);
            CHECK_EQ_INT(b->status.state, TACIT_WALLET_TX_REJECTED);
            CHECK_EQ_INT(b->status.error, TACIT_ENULLIFIER_SPENT);
            CHECK_EQ_INT(x->status.state, TACIT_WALLET_TX_PENDING);
        }
    }
    free(sent);
    /* the history says the same, forced entries marked with their queue entries */
    CHECK_EQ_INT(tacit_wallet_history(alice, &hist, &n), TACIT_OK);
    {
        size_t nf = 0;
        for (size_t k = 0; k < n; k++) {
            if (!hist[k].forced) continue;
            nf++;
            if (memcmp(hist[k].txid, res.txid, 32) == 0) {
                CHECK_EQ_INT(hist[k].status.state, TACIT_WALLET_TX_INCLUDED);
                CHECK_EQ_INT(hist[k].f.queue_index, 41);
                CHECK_EQ_INT(hist[k].kind, TACIT_WALLET_HISTORY_WITHDRAW);
            } else if (memcmp(hist[k].txid, res2.txid, 32) == 0) {
                CHECK_EQ_INT(hist[k].status.state, TACIT_WALLET_TX_REJECTED);
                CHECK_EQ_INT(hist[k].kind, TACIT_WALLET_HISTORY_SEND);
            }
        }
        CHECK_EQ_INT(nf, 3);
    }
    tacit_wallet_history_free(hist, n);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, 50 + 95); /* the late note and the withdrawal's change */
    tacit_wallet_close(alice);
    tacit_wallet_close(bob);
    chain_free(&c);
}

/* On a chain that settles on L1 (tacit_chainInfo's "settlement": protocol v2) the wallet builds
 * v2 transactions for that L1 chain id; elsewhere v1. The chain, as the node, refuses the other
 * version (TACIT_EVERSION). */
TEST(send_on_l1_chain)
{
    struct chain c;
    struct tacit_wallet *alice = new_wallet("l1alice.wallet", 14),
                        *bob = new_wallet("l1bob.wallet", 15);
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance bb;
    uint64_t values[1] = {500};
    uint8_t dsk[32];

    tacit__wallet_prove = fake_prove;
    chain_init(&c, 11);
    c.l1_chain_id = 31337;
    fund(&c, alice, values, 1);
    node_of(&node, &c);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 200;
    tacit_wallet_shielded_address(&req.to, bob);
    req.wait_ms = 5000;
    g_l1_chain_id = 0;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_INCLUDED);
    CHECK_EQ_INT(g_l1_chain_id, 31337);
    CHECK_EQ_INT(sync_all(bob, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(bob, &bb), TACIT_OK);
    CHECK_EQ_INT(bb.confirmed, 200);
    /* a deposit too (its authorization is the EIP-712 one of v2) */
    memset(dsk, 0x23, sizeof dsk);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_DEPOSIT;
    req.amount = 100;
    req.deposit_sk = dsk;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    chain_mine(&c);
    /* the same chain off L1: v1, and the L1 chain id is not used */
    c.l1_chain_id = 0;
    CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 50;
    tacit_wallet_shielded_address(&req.to, bob);
    g_l1_chain_id = 1;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(g_l1_chain_id, 0);
    tacit_wallet_close(alice);
    tacit_wallet_close(bob);
    chain_free(&c);
}

TEST(send_transfer_withdraw_deposit)
{
    struct chain c;
    struct tacit_wallet *alice = new_wallet("alice.wallet", 12),
                        *bob = new_wallet("bob.wallet", 13);
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance ba, bb;
    struct tacit_wallet_note *notes;
    struct tacit_wallet_tx_status st;
    uint64_t values[3] = {500, 300, 200};
    uint8_t dsk[32];
    size_t n;

    tacit__wallet_prove = fake_prove;
    chain_init(&c, 10);
    c.min_fee = 7;
    fund(&c, alice, values, 3);
    node_of(&node, &c);

    /* 650 + 7: no single note covers it; the pair with the smallest sum that does is 500+200 */
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 650;
    tacit_wallet_shielded_address(&req.to, bob);
    req.memo = (const uint8_t *)"for the bikes";
    req.memo_len = 13;
    req.wait_ms = 5000;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.ninputs, 2);
    CHECK_EQ_INT(res.fee, 7);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_INCLUDED);
    CHECK_EQ_INT(res.status.height, c.nblocks - 1);
    CHECK_EQ_INT(tacit_wallet_tx_status(alice, &node, res.txid, &st), TACIT_OK);
    CHECK_EQ_INT(st.state, TACIT_WALLET_TX_INCLUDED);

    CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(sync_all(bob, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &ba), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(bob, &bb), TACIT_OK);
    CHECK_EQ_INT(ba.confirmed, 300 + (700 - 657));
    CHECK_EQ_INT(ba.pending_out, 0);
    CHECK_EQ_INT(ba.pending_in, 0);
    CHECK_EQ_INT(bb.confirmed, 650);
    CHECK_EQ_INT(tacit_wallet_notes(bob, &notes, &n), TACIT_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_EQ_INT(notes[0].memo_len, 13);
        CHECK(memcmp(notes[0].memo, "for the bikes", 13) == 0);
    }
    tacit_wallet_notes_free(notes, n);
    check_witnesses(alice, &c);
    check_witnesses(bob, &c);

    /* withdraw 340 - 7 from alice's 300 + 43: two notes, no change */
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_WITHDRAW;
    req.amount = 336;
    memset(req.withdraw_to, 0xab, TACIT_ADDRESS_LEN);
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_PENDING);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &ba), TACIT_OK);
    CHECK_EQ_INT(ba.confirmed, 0);
    CHECK_EQ_INT(ba.pending_out, 343);
    CHECK_EQ_INT(ba.pending_in, 0);
    chain_mine(&c);
    CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &ba), TACIT_OK);
    CHECK_EQ_INT(ba.confirmed, 0);
    CHECK_EQ_INT(ba.pending_out, 0);
    CHECK_EQ_INT(ba.nnotes, 0);

    /* deposit from a transparent key, fee out of it */
    memset(dsk, 0x21, sizeof dsk);
    CHECK_EQ_INT(tacit_wallet_import_transparent(alice, dsk, NULL), TACIT_OK);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_DEPOSIT;
    req.amount = 1000;
    req.deposit_key = 0;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &ba), TACIT_OK);
    CHECK_EQ_INT(ba.pending_in, 993);
    /* a second deposit before the first is mined takes the next nonce */
    req.amount = 100;
    req.deposit_key = 1;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EINVAL);
    req.deposit_key = 0;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    req.amount = 7; /* not above its fee */
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EINVAL);
    req.amount = 2000000; /* more than the account holds */
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EINSUFFICIENT);
    chain_mine(&c);
    CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &ba), TACIT_OK);
    CHECK_EQ_INT(ba.confirmed, 993 + 93);
    CHECK_EQ_INT(ba.pending_in, 0);
    CHECK_EQ_INT(c.nonce, 2);
    check_witnesses(alice, &c);
    {
        /* the record of what alice sent: transfer, withdrawal, two deposits, all included
         * (seen by sync or by the wait); refused sends are not recorded */
        struct tacit_wallet_sent *sent;
        size_t ns;
        CHECK_EQ_INT(tacit_wallet_sent_list(alice, &sent, &ns), TACIT_OK);
        CHECK_EQ_INT(ns, 4);
        if (ns == 4) {
            CHECK_EQ_INT(sent[0].kind, TACIT_WALLET_SEND_TRANSFER);
            CHECK_EQ_INT(sent[0].amount, 650);
            CHECK_EQ_INT(sent[0].change, 43);
            CHECK_EQ_INT(sent[1].kind, TACIT_WALLET_SEND_WITHDRAW);
            CHECK_EQ_INT(sent[3].kind, TACIT_WALLET_SEND_DEPOSIT);
            CHECK_EQ_INT(sent[3].change, 93);
            for (size_t i = 0; i < ns; i++)
                CHECK_EQ_INT(sent[i].status.state, TACIT_WALLET_TX_INCLUDED);
        }
        free(sent);
    }

    /* bad requests */
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 0;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EINVAL);
    req.amount = 5;
    req.memo_len = TACIT_NOTE_MEMO_MAX + 1;
    req.memo = (const uint8_t *)"x";
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EINVAL);
    req.memo_len = 0;
    req.amount = UINT64_MAX;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_EOVERFLOW);
    tacit_wallet_close(alice);
    tacit_wallet_close(bob);
    chain_free(&c);
}

/* Issue 15, 5: a fee below the node's minimum is refused before anything is reserved or
 * proved (TACIT_EFEE_TOO_LOW), for a transfer, a withdrawal and a deposit; at the minimum it
 * goes. */
TEST(send_fee_checked_before_proving)
{
    struct chain c;
    struct tacit_wallet *w = new_wallet("fee.wallet", 30);
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    struct tacit_wallet_balance b;
    uint64_t values[1] = {5000};
    uint8_t dsk[32];
    int proofs;

    tacit__wallet_prove = fake_prove;
    chain_init(&c, 30);
    c.min_fee = 1000;
    fund(&c, w, values, 1);
    node_of(&node, &c);
    memset(dsk, 0x31, sizeof dsk);
    for (int kind = 0; kind < 3; kind++) {
        memset(&req, 0, sizeof req);
        req.kind = (enum tacit_wallet_send_kind)kind;
        req.amount = 2000;
        req.fee_set = true;
        req.fee = 999;
        tacit_wallet_shielded_address(&req.to, w);
        memset(req.withdraw_to, 0xcd, TACIT_ADDRESS_LEN);
        req.deposit_sk = dsk;
        proofs = g_proofs;
        CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &res), TACIT_EFEE_TOO_LOW);
        CHECK_EQ_INT(g_proofs, proofs); /* nothing proved */
        CHECK_EQ_INT(c.npool, 0);
        CHECK_EQ_INT(tacit_wallet_balance(w, &b), TACIT_OK);
        CHECK_EQ_INT(b.confirmed, 5000); /* nothing reserved */
        CHECK_EQ_INT(b.pending_out, 0);
    }
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.fee = 1000;
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(g_proofs, proofs + 1);
    CHECK_EQ_INT(res.fee, 1000);
    tacit_wallet_close(w);
    chain_free(&c);
}

/* A chain d that is c up to height `keep` (the same blocks, so the same hashes): a devnet
 * revert to the snapshot taken after that block. */
static void chain_revert(struct chain *d, const struct chain *c, uint64_t keep)
{
    chain_init(d, c->salt);
    d->min_fee = c->min_fee;
    for (uint64_t h = 0; h <= keep && h < c->nblocks; h++)
        chain_block(d, c->blocks[h].txs, c->blocks[h].ntxs);
}

static void foreign_blocks(struct chain *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct tacit_wallet_ctx t;
        foreign_tx(&t);
        chain_block(c, &t, 1);
    }
}

static enum tacit_wallet_tx_state sent_state(struct tacit_wallet *w, const uint8_t id[32],
                                             uint64_t *height)
{
    struct tacit_wallet_sent *sent;
    size_t n;
    enum tacit_wallet_tx_state st = (enum tacit_wallet_tx_state) - 1;
    CHECK_EQ_INT(tacit_wallet_sent_list(w, &sent, &n), TACIT_OK);
    for (size_t i = 0; i < n; i++)
        if (memcmp(sent[i].txid, id, 32) == 0) {
            st = sent[i].status.state;
            if (height) *height = sent[i].status.height;
        }
    free(sent);
    return st;
}

/* Issue 15, 3: statuses follow the chain the wallet synced. A transfer included at height H,
 * then the node reverts to a snapshot before it (dev_revert) and builds other blocks: past the
 * wallet's height (the hash there differs), or below it (the tip fell): the sync rescans and
 * the transfer is pending, tacit_wallet_tx_status says the node does not know it, and the note
 * it spent is spendable again. The same transaction included again at another height: included
 * there. A status the node gave beyond the synced height (included at H, the wallet synced
 * below H) follows the blocks the wallet then syncs: pending when block H does not hold it. */
TEST(statuses_follow_synced_chain)
{
    struct chain c, d;
    struct tacit_wallet *w = new_wallet("revert.wallet", 31);
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_tx_status st;
    struct tacit_wallet_balance b;
    struct tacit_wallet_ctx tx;
    uint64_t values[1] = {5000}, snap, h = 0;
    uint8_t id[32];

    tacit__wallet_prove = fake_prove;
    chain_init(&c, 40);
    fund(&c, w, values, 1);
    snap = c.nblocks - 1; /* dev_snapshot here */
    node_of(&node, &c);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_WITHDRAW;
    req.amount = 1200;
    memset(req.withdraw_to, 0xcd, TACIT_ADDRESS_LEN);
    req.wait_ms = 5000;
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_INCLUDED);
    memcpy(id, res.txid, 32);
    tx = c.blocks[res.status.height].txs[0];
    foreign_blocks(&c, 3);
    CHECK_EQ_INT(sync_all(w, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(sent_state(w, id, NULL), TACIT_WALLET_TX_INCLUDED);

    /* dev_revert to the snapshot, then other blocks past the wallet's height */
    chain_revert(&d, &c, snap);
    foreign_blocks(&d, 6);
    CHECK_EQ_INT(sync_all(w, &d, 3, &r), TACIT_OK);
    CHECK(r.rescanned);
    CHECK_EQ_INT(sent_state(w, id, NULL), TACIT_WALLET_TX_PENDING);
    node_of(&node, &d);
    CHECK_EQ_INT(tacit_wallet_tx_status(w, &node, id, &st), TACIT_OK);
    CHECK_EQ_INT(st.state, TACIT_WALLET_TX_UNKNOWN);
    CHECK_EQ_INT(tacit_wallet_balance(w, &b), TACIT_OK);
    CHECK_EQ_INT(b.confirmed, 5000); /* the withdrawal's note is unspent on this chain */
    chain_free(&d);

    /* a revert whose tip stays below the wallet's height */
    CHECK_EQ_INT(sync_all(w, &c, 3, &r), TACIT_OK); /* back on c (another chain again) */
    CHECK(r.rescanned);
    CHECK_EQ_INT(sent_state(w, id, &h), TACIT_WALLET_TX_INCLUDED);
    CHECK_EQ_INT(h, res.status.height);
    chain_revert(&d, &c, snap);
    foreign_blocks(&d, 1);
    CHECK_EQ_INT(sync_all(w, &d, 3, &r), TACIT_OK);
    CHECK(r.rescanned);
    CHECK_EQ_INT(sent_state(w, id, NULL), TACIT_WALLET_TX_PENDING);
    /* the same transaction included again, two blocks later than before */
    foreign_blocks(&d, 2);
    chain_block(&d, &tx, 1);
    CHECK_EQ_INT(sync_all(w, &d, 3, &r), TACIT_OK);
    CHECK(!r.rescanned);
    CHECK_EQ_INT(sent_state(w, id, &h), TACIT_WALLET_TX_INCLUDED);
    CHECK_EQ_INT(h, d.nblocks - 1);
    CHECK(h != res.status.height);
    node_of(&node, &d);
    CHECK_EQ_INT(tacit_wallet_tx_status(w, &node, id, &st), TACIT_OK);
    CHECK_EQ_INT(st.state, TACIT_WALLET_TX_INCLUDED);
    CHECK_EQ_INT(st.height, h);
    CHECK_EQ_INT(tacit_wallet_balance(w, &b), TACIT_OK);
    CHECK_EQ_INT(b.confirmed, 5000 - 1200);
    chain_free(&d);
    chain_free(&c);

    /* included beyond the synced height, by the node's word; then the node loses that block */
    {
        struct tacit_wallet *v = new_wallet("revert2.wallet", 32);
        uint64_t synced;
        chain_init(&c, 41);
        fund(&c, v, values, 1);
        node_of(&node, &c);
        req.wait_ms = 0;
        CHECK_EQ_INT(tacit_wallet_send(v, &node, NULL, &req, &res), TACIT_OK);
        snap = c.nblocks - 1;
        synced = snap;
        chain_mine(&c); /* the node includes it; the wallet has not synced that block */
        CHECK_EQ_INT(tacit_wallet_tx_status(v, &node, res.txid, &st), TACIT_OK);
        CHECK_EQ_INT(st.state, TACIT_WALLET_TX_INCLUDED);
        CHECK_EQ_INT(sent_state(v, res.txid, &h), TACIT_WALLET_TX_INCLUDED);
        CHECK(h > synced);
        /* reverted: the node's block at h is another one, the wallet's block is still there */
        chain_revert(&d, &c, snap);
        foreign_blocks(&d, 3);
        CHECK_EQ_INT(sync_all(v, &d, 3, &r), TACIT_OK);
        CHECK(!r.rescanned);
        CHECK_EQ_INT(sent_state(v, res.txid, NULL), TACIT_WALLET_TX_PENDING);
        node_of(&node, &d);
        CHECK_EQ_INT(tacit_wallet_tx_status(v, &node, res.txid, &st), TACIT_OK);
        CHECK_EQ_INT(st.state, TACIT_WALLET_TX_UNKNOWN);
        /* asked before syncing: the node's word beyond the synced height is asked again */
        chain_free(&c);
        chain_init(&c, 42);
        tacit_wallet_close(v);
        v = new_wallet("revert3.wallet", 33);
        fund(&c, v, values, 1);
        node_of(&node, &c);
        CHECK_EQ_INT(tacit_wallet_send(v, &node, NULL, &req, &res), TACIT_OK);
        snap = c.nblocks - 1;
        chain_mine(&c);
        CHECK_EQ_INT(tacit_wallet_tx_status(v, &node, res.txid, &st), TACIT_OK);
        CHECK_EQ_INT(st.state, TACIT_WALLET_TX_INCLUDED);
        chain_free(&d);
        chain_revert(&d, &c, snap);
        node_of(&node, &d);
        CHECK_EQ_INT(tacit_wallet_tx_status(v, &node, res.txid, &st), TACIT_OK);
        CHECK_EQ_INT(st.state, TACIT_WALLET_TX_UNKNOWN);
        CHECK_EQ_INT(sent_state(v, res.txid, NULL), TACIT_WALLET_TX_PENDING);
        tacit_wallet_close(v);
        chain_free(&d);
        chain_free(&c);
    }
    tacit_wallet_close(w);
}

/* Issue 15, 4: the history merges what was sent (transfers, withdrawals, deposits: amounts,
 * fees, statuses, heights, a deposit's account) with what was received (values, memos, leaves,
 * spends), newest first, the change of each own send left out; pending and rejected sends on
 * top. */
TEST(history_sent_and_received)
{
    struct chain c;
    struct tacit_wallet *alice = new_wallet("hist-a.wallet", 34),
                        *bob = new_wallet("hist-b.wallet", 35);
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_history_entry *e;
    uint64_t values[1] = {10000}, h_fund, h_send, h_dep;
    uint8_t dsk[32], daddr[TACIT_ADDRESS_LEN], send_id[32], wd_id[32], dep_id[32];
    size_t n;

    tacit__wallet_prove = fake_prove;
    chain_init(&c, 43);
    c.min_fee = 10;
    fund(&c, alice, values, 1);
    h_fund = c.nblocks - 1;
    node_of(&node, &c);
    CHECK_EQ_INT(tacit_wallet_history(alice, &e, &n), TACIT_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_EQ_INT(e[0].kind, TACIT_WALLET_HISTORY_RECEIVE);
        CHECK_EQ_INT(e[0].amount, 10000);
        CHECK_EQ_INT(e[0].status.state, TACIT_WALLET_TX_INCLUDED);
        CHECK_EQ_INT(e[0].status.height, h_fund);
        CHECK(!e[0].has_txid);
    }
    tacit_wallet_history_free(e, n);

    /* alice -> bob 3000 with a memo (change 6990), included */
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 3000;
    tacit_wallet_shielded_address(&req.to, bob);
    req.memo = (const uint8_t *)"rent";
    req.memo_len = 4;
    req.wait_ms = 5000;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_INCLUDED);
    h_send = res.status.height;
    memcpy(send_id, res.txid, 32);
    /* a deposit of 500 (fee 10) from a transparent key, included */
    memset(dsk, 0x44, sizeof dsk);
    CHECK_EQ_INT(tacit_address_from_seckey(daddr, dsk), TACIT_OK);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_DEPOSIT;
    req.amount = 500;
    req.deposit_sk = dsk;
    req.wait_ms = 5000;
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_INCLUDED);
    h_dep = res.status.height;
    memcpy(dep_id, res.txid, 32);
    /* a withdrawal of 1000 (fee 25), left pending */
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_WITHDRAW;
    req.amount = 1000;
    req.fee_set = true;
    req.fee = 25;
    memset(req.withdraw_to, 0xee, TACIT_ADDRESS_LEN);
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    memcpy(wd_id, res.txid, 32);

    CHECK_EQ_INT(tacit_wallet_history(alice, &e, &n), TACIT_OK);
    CHECK_EQ_INT(n, 4); /* withdrawal, deposit, transfer, the funding note: no change notes */
    if (n == 4) {
        CHECK_EQ_INT(e[0].kind, TACIT_WALLET_HISTORY_WITHDRAW);
        CHECK_EQ_INT(e[0].status.state, TACIT_WALLET_TX_PENDING);
        CHECK_EQ_INT(e[0].amount, 1000);
        CHECK_EQ_INT(e[0].fee, 25);
        CHECK_MEM(e[0].txid, wd_id, 32);
        CHECK_EQ_INT(e[1].kind, TACIT_WALLET_HISTORY_DEPOSIT);
        CHECK_EQ_INT(e[1].status.state, TACIT_WALLET_TX_INCLUDED);
        CHECK_EQ_INT(e[1].status.height, h_dep);
        CHECK_EQ_INT(e[1].amount, 500);
        CHECK_EQ_INT(e[1].fee, 10);
        CHECK_EQ_INT(e[1].change, 490);
        CHECK_MEM(e[1].from, daddr, TACIT_ADDRESS_LEN);
        CHECK_MEM(e[1].txid, dep_id, 32);
        CHECK_EQ_INT(e[2].kind, TACIT_WALLET_HISTORY_SEND);
        CHECK_EQ_INT(e[2].status.height, h_send);
        CHECK_EQ_INT(e[2].amount, 3000);
        CHECK_EQ_INT(e[2].fee, 10);
        CHECK_EQ_INT(e[2].change, 6990);
        CHECK_MEM(e[2].txid, send_id, 32);
        CHECK_EQ_INT(e[3].kind, TACIT_WALLET_HISTORY_RECEIVE);
        CHECK_EQ_INT(e[3].amount, 10000);
        CHECK_EQ_INT(e[3].spent_height, h_send);
    }
    tacit_wallet_history_free(e, n);

    /* bob: one received note, its memo */
    CHECK_EQ_INT(sync_all(bob, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_history(bob, &e, &n), TACIT_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_EQ_INT(e[0].kind, TACIT_WALLET_HISTORY_RECEIVE);
        CHECK_EQ_INT(e[0].amount, 3000);
        CHECK_EQ_INT(e[0].status.height, h_send);
        CHECK_EQ_INT(e[0].memo_len, 4);
        CHECK_MEM(e[0].memo, "rent", 4);
        CHECK_EQ_INT(e[0].spent_height, NO);
    }
    tacit_wallet_history_free(e, n);

    /* the withdrawal included: at the top, by height, its change left out too */
    chain_mine(&c);
    CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_history(alice, &e, &n), TACIT_OK);
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK_EQ_INT(e[0].kind, TACIT_WALLET_HISTORY_WITHDRAW);
        CHECK_EQ_INT(e[0].status.state, TACIT_WALLET_TX_INCLUDED);
        CHECK_EQ_INT(e[0].status.height, c.nblocks - 1);
        CHECK_EQ_INT(e[0].change, 6990 - 1025); /* the one note that covers it */
        for (size_t i = 0; i < n; i++) CHECK(e[i].kind != TACIT_WALLET_HISTORY_RECEIVE || i == 3);
    }
    tacit_wallet_history_free(e, n);
    tacit_wallet_close(alice);
    tacit_wallet_close(bob);
    chain_free(&c);
}

/* What the stand-in prover saw of the last sends: where the payment and the real input were. */
static uint64_t g_pay_amount;
static unsigned g_sends, g_pay_first, g_real_first;

static int recording_prove(struct tacit_tx *tx, const struct tacit_txbuild *b,
                           const tacit_groth16_pk *pk, unsigned nthreads,
                           tacit_groth16_prove_stats *stats)
{
    g_sends++;
    if (b->out[0].value == g_pay_amount) g_pay_first++;
    if (b->in[0].value != 0) g_real_first++;
    return fake_prove(tx, b, pk, nthreads, stats);
}

/* Issue 14, 4: the payment is not always output 0 nor the one real input always input 0
 * (P(a false failure) = 2 * 2^-39 per check); whatever the order, the payee finds the payment
 * and its memo, and the sender its change. */
TEST(send_shuffles_inputs_and_outputs)
{
    enum { SENDS = 40 };
    struct chain c;
    struct tacit_wallet *alice = new_wallet("shuffle-a.wallet", 15),
                        *bob = new_wallet("shuffle-b.wallet", 16);
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance ba, bb;
    struct tacit_wallet_note *notes;
    uint64_t values[1] = {1000000};
    size_t n;

    tacit__wallet_prove = recording_prove;
    chain_init(&c, 12);
    fund(&c, alice, values, 1);
    node_of(&node, &c);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = g_pay_amount = 777; /* never the change: 1,000,000 - 777k */
    req.memo = (const uint8_t *)"m";
    req.memo_len = 1;
    tacit_wallet_shielded_address(&req.to, bob);
    g_sends = g_pay_first = g_real_first = 0;
    for (unsigned i = 0; i < SENDS; i++) {
        CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
        CHECK_EQ_INT(res.ninputs, 1);
        chain_mine(&c);
        CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    }
    CHECK_EQ_INT(g_sends, SENDS);
    CHECK(g_pay_first > 0 && g_pay_first < SENDS);
    CHECK(g_real_first > 0 && g_real_first < SENDS);

    CHECK_EQ_INT(sync_all(bob, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(alice, &ba), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(bob, &bb), TACIT_OK);
    CHECK_EQ_INT(bb.confirmed, SENDS * 777);
    CHECK_EQ_INT(bb.nnotes, SENDS);
    CHECK_EQ_INT(ba.confirmed, 1000000 - SENDS * 777);
    CHECK_EQ_INT(ba.nnotes, 1);
    CHECK_EQ_INT(tacit_wallet_notes(bob, &notes, &n), TACIT_OK);
    for (size_t i = 0; i < n; i++) CHECK(notes[i].memo_len == 1 && notes[i].memo[0] == 'm');
    tacit_wallet_notes_free(notes, n);
    check_witnesses(alice, &c);
    check_witnesses(bob, &c);
    tacit__wallet_prove = fake_prove;
    tacit_wallet_close(alice);
    tacit_wallet_close(bob);
    chain_free(&c);
}

static uint32_t uniform_first(uint32_t upper)
{
    (void)upper;
    return 0;
}

/* Two recordings are the same: methods, arguments, and the wallet's tree hashing between
 * each two calls. */
static void same_requests(const struct recorder *x, const struct recorder *y, const char *what)
{
    CHECK_EQ_INT(x->n, y->n);
    for (size_t i = 0; i < x->n && i < y->n; i++) {
        const struct rec_call *a = &x->calls[i], *b = &y->calls[i];
        if (a->method == b->method && a->a == b->a && a->b == b->b && a->hashes == b->hashes)
            continue;
        fprintf(stderr,
                "%s: call %zu differs: method %d (%llu, %llu) after %llu hashes, "
                "method %d (%llu, %llu) after %llu hashes\n",
                what, i, a->method, (unsigned long long)a->a, (unsigned long long)a->b,
                (unsigned long long)a->hashes, b->method, (unsigned long long)b->a,
                (unsigned long long)b->b, (unsigned long long)b->hashes);
        CHECK(false);
        break;
    }
}

/* Issue 14, 2: the requests of a sync, and the hashing the wallet does between two of them,
 * do not depend on which notes it owns. A wallet with notes in many (2^4-leaf) subtrees and
 * one without any sync the same chain through a recording node: the same calls with the same
 * arguments, and the same tree hashing between each two (the old sync hashed a completed
 * subtree only when it held an own note, before its next request). */
TEST(sync_requests_independent_of_notes)
{
    struct chain c;
    struct tacit_wallet *mine = new_wallet("timing-mine.wallet", 31),
                        *none = new_wallet("timing-none.wallet", 32);
    struct tacit_wallet_node base, na, nb;
    struct recorder ra, rb;
    struct tacit_wallet_sync_result r1, r2;
    struct tacit_wallet_sync_opts o = {.chunk_blocks = 3, .nthreads = 2};
    struct tacit_shielded_address a;
    uint32_t (*uniform)(uint32_t) = tacit__wallet_uniform;
    size_t own = 0;
    uint64_t h;

    tacit__wallet_uniform = uniform_first;
    chain_init(&c, 30);
    tacit_wallet_shielded_address(&a, mine);
    chain_fill(&c, &a, 20, 3, 3, &own);
    node_of(&base, &c);
    CHECK(own > 4);

    recorder_of(&na, &ra, &base);
    CHECK_EQ_INT(tacit_wallet_sync(mine, &na, &o, &r1), TACIT_OK);
    recorder_of(&nb, &rb, &base);
    CHECK_EQ_INT(tacit_wallet_sync(none, &nb, &o, &r2), TACIT_OK);
    CHECK_EQ_INT(r1.notes_found, own);
    CHECK_EQ_INT(r2.notes_found, 0);
    CHECK(ra.n > 8);
    same_requests(&ra, &rb, "first sync");

    /* more blocks, more notes: a resumed sync */
    h = c.nblocks - 1;
    chain_fill(&c, &a, 11, 3, 3, &own);
    recorder_of(&na, &ra, &base);
    CHECK_EQ_INT(tacit_wallet_sync(mine, &na, &o, &r1), TACIT_OK);
    recorder_of(&nb, &rb, &base);
    CHECK_EQ_INT(tacit_wallet_sync(none, &nb, &o, &r2), TACIT_OK);
    same_requests(&ra, &rb, "resumed sync");
    (void)h;
    check_witnesses(mine, &c);

    tacit__wallet_uniform = uniform;
    tacit_wallet_close(mine);
    tacit_wallet_close(none);
    chain_free(&c);
}

/* What the stand-in prover saw last: the anchor. */
static tacit_fr g_anchor;

static int anchor_prove(struct tacit_tx *tx, const struct tacit_txbuild *b,
                        const tacit_groth16_pk *pk, unsigned nthreads,
                        tacit_groth16_prove_stats *stats)
{
    g_anchor = b->anchor;
    return fake_prove(tx, b, pk, nthreads, stats);
}

/* The height whose note root is r (the chain's blocks are never empty here, so every height
 * has its own root), NO if none. */
static uint64_t root_height(const struct chain *c, const tacit_fr *r)
{
    for (size_t i = c->nblocks; i-- > 0;)
        if (tacit_fr_eq(&c->headers[i].note_root, r)) return i;
    return NO;
}

static uint64_t synced_of(const struct tacit_wallet *w)
{
    struct tacit_wallet_balance b;
    CHECK_EQ_INT(tacit_wallet_balance(w, &b), TACIT_OK);
    return b.synced_height;
}

/* Issue 14, 3: the anchor is 3..10 blocks below the synced tip, uniformly among those that
 * the inputs exist at: across many sends (blocks of 4 leaves, so the 16-leaf subtrees
 * complete inside the window) it stays in [tip - 10, tip - 3] and takes several values; every
 * path reaches it (fake_prove) and the node knows it (c_send); after a reopen too (the history
 * is in the file); deposits use the same window; a note that just arrived is spent with the
 * newest anchor that holds it; a chain shorter than the window uses its oldest block. */
TEST(send_anchor_window)
{
    enum { SENDS = 30 };
    char path[600];
    struct chain c, d;
    struct tacit_wallet *alice = new_wallet("anchor-a.wallet", 17),
                        *bob = new_wallet("anchor-b.wallet", 18),
                        *carol = new_wallet("anchor-c.wallet", 19);
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance bb;
    uint64_t values[12] = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
    unsigned seen[11] = {0}, distinct = 0;
    uint64_t tip, ah;
    uint8_t dsk[32];

    tacit__wallet_prove = anchor_prove;
    chain_init(&c, 13);
    chain_init(&d, 14);
    fund(&c, alice, values, 12);
    node_of(&node, &c);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 100;
    tacit_wallet_shielded_address(&req.to, bob);
    for (unsigned i = 0; i < SENDS; i++) {
        if (i == SENDS / 2) { /* the history and its frontiers come back from the file */
            tacit_wallet_close(alice);
            wpath(path, sizeof path, "anchor-a.wallet");
            alice = NULL;
            CHECK_EQ_INT(tacit_wallet_open(&alice, NULL, path, PASS, strlen(PASS)), TACIT_OK);
            if (alice == NULL) break;
        }
        tip = synced_of(alice);
        CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
        ah = root_height(&c, &g_anchor);
        CHECK(ah != NO && ah + 10 >= tip && ah + 3 <= tip);
        if (ah != NO && ah <= tip && tip - ah <= 10 && seen[tip - ah]++ == 0) distinct++;
        chain_mine(&c);
        if (i % 3 == 0) { /* someone else's block: the subtrees' alignment moves */
            struct tacit_wallet_ctx t[3];
            for (int k = 0; k < 3; k++) foreign_tx(&t[k]);
            chain_block(&c, t, 1 + i % 3);
        }
        CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    }
    CHECK(distinct >= 3);
    if (alice == NULL) goto out;
    CHECK_EQ_INT(sync_all(bob, &c, 3, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(bob, &bb), TACIT_OK);
    CHECK_EQ_INT(bb.confirmed, SENDS * 100);
    check_witnesses(alice, &c);

    /* a deposit: the same window */
    memset(dsk, 0x22, sizeof dsk);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_DEPOSIT;
    req.amount = 500;
    req.deposit_sk = dsk;
    tip = synced_of(alice);
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    ah = root_height(&c, &g_anchor);
    CHECK(ah != NO && ah + 10 >= tip && ah + 3 <= tip);
    chain_mine(&c);

    /* a wallet file from before the history ("hist" absent: an empty history) anchors at its
     * synced tip until its next sync, whose overlap fills the history again */
    alice->tree.nhist = 0;
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 100;
    tacit_wallet_shielded_address(&req.to, bob);
    tip = synced_of(alice);
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(root_height(&c, &g_anchor), tip);
    chain_mine(&c);
    CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);
    CHECK(alice->tree.nhist >= 2);
    CHECK_EQ_INT(tacit_wallet_send(alice, &node, NULL, &req, &res), TACIT_OK);
    CHECK(root_height(&c, &g_anchor) < synced_of(alice));
    chain_mine(&c);
    CHECK_EQ_INT(sync_all(alice, &c, 3, &r), TACIT_OK);

    /* carol's only note arrives in the last block: spent with the anchor at that block */
    {
        struct tacit_shielded_address to[2];
        struct tacit_wallet_ctx t;
        uint64_t v[2] = {700, 0};
        tacit_wallet_shielded_address(&to[0], carol);
        to[1] = to[0];
        pay_tx(&t, to, v, NULL, NULL);
        chain_block(&c, &t, 1);
    }
    CHECK_EQ_INT(sync_all(carol, &c, 3, &r), TACIT_OK);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 600;
    tacit_wallet_shielded_address(&req.to, bob);
    CHECK_EQ_INT(tacit_wallet_send(carol, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(root_height(&c, &g_anchor), c.nblocks - 1);
    chain_mine(&c);

    /* a chain of two blocks: the oldest one that holds the note */
    tacit_wallet_close(carol);
    carol = new_wallet("anchor-d.wallet", 20);
    {
        uint64_t v[1] = {900};
        fund(&d, carol, v, 1);
        fund(&d, carol, v, 1);
    }
    node_of(&node, &d);
    CHECK_EQ_INT(tacit_wallet_send(carol, &node, NULL, &req, &res), TACIT_OK);
    CHECK_EQ_INT(root_height(&d, &g_anchor), 0);

out:
    tacit__wallet_prove = fake_prove;
    tacit_wallet_close(alice);
    tacit_wallet_close(bob);
    tacit_wallet_close(carol);
    chain_free(&c);
    chain_free(&d);
}

/* Issue 14, 3: a resumed sync does not start with a request for the height where the last
 * one ended (nor the one after): it re-reads 1..10 blocks before it, at a random depth, and
 * counts nothing twice. */
TEST(sync_resume_overlap)
{
    struct chain c;
    struct tacit_shielded_address a;
    struct tacit_wallet *w = new_wallet("overlap.wallet", 21);
    struct tacit_wallet_node base, rn;
    struct recorder rec;
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_sync_opts o = {.chunk_blocks = 4, .nthreads = 2};
    struct tacit_wallet_balance bal;
    unsigned seen[TACIT__WALLET_OVERLAP_MAX + 2] = {0}, distinct = 0;
    size_t own = 0;
    uint64_t total;

    chain_init(&c, 15);
    tacit_wallet_shielded_address(&a, w);
    total = chain_fill(&c, &a, 14, 3, 2, &own);
    node_of(&base, &c);
    CHECK_EQ_INT(tacit_wallet_sync(w, &base, &o, &r), TACIT_OK);
    for (int i = 0; i < 12; i++) {
        uint64_t last = synced_of(w), from;
        size_t before = own;
        total += chain_fill(&c, &a, 1 + (size_t)(i % 3), 3, 2, &own);
        recorder_of(&rn, &rec, &base);
        CHECK_EQ_INT(tacit_wallet_sync(w, &rn, &o, &r), TACIT_OK);
        CHECK(rec.n >= 3 && rec.calls[0].method == M_INFO && rec.calls[1].method == M_RANGE);
        from = rec.calls[1].a;
        CHECK(from < last && from + TACIT__WALLET_OVERLAP_MAX >= last);
        for (size_t k = 0; k < rec.n; k++) /* nothing asks for the last end height itself */
            CHECK(rec.calls[k].a != last || rec.calls[k].method == M_ROOTS);
        if (from < last && last - from <= TACIT__WALLET_OVERLAP_MAX && seen[last - from]++ == 0)
            distinct++;
        CHECK_EQ_INT(r.notes_found, own - before);
        CHECK_EQ_INT(r.blocks, c.nblocks - 1 - last);
        CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
        CHECK_EQ_INT(bal.confirmed, total);
    }
    CHECK(distinct >= 2);
    /* nothing new: the overlap alone, the same notes */
    CHECK_EQ_INT(tacit_wallet_sync(w, &base, &o, &r), TACIT_OK);
    CHECK_EQ_INT(r.blocks, 0);
    CHECK_EQ_INT(r.notes_found, 0);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, total);
    CHECK_EQ_INT(check_witnesses(w, &c), own);
    tacit_wallet_close(w);
    chain_free(&c);
}

TEST(send_selection_and_races)
{
    char path[600], copy[600];
    struct chain c;
    struct tacit_wallet *w = new_wallet("race.wallet", 14), *w2 = NULL;
    struct tacit_wallet_node node;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result r1, r2, r3;
    struct tacit_wallet_balance bal;
    uint64_t values[4] = {100, 100, 100, 30};

    tacit__wallet_prove = fake_prove;
    chain_init(&c, 11);
    fund(&c, w, values, 4);
    node_of(&node, &c);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 90;
    tacit_wallet_shielded_address(&req.to, w);

    /* a second wallet file that is a copy: it knows nothing of the first one's sends, like
     * another machine with the same key */
    wpath(path, sizeof path, "race.wallet");
    wpath(copy, sizeof copy, "race-copy.wallet");
    CHECK(tnode_copy_file(path, copy));
    CHECK_EQ_INT(tacit_wallet_open(&w2, NULL, copy, PASS, strlen(PASS)), TACIT_OK);

    /* fewest inputs: one note of 100 (not 30 + 100) */
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &r1), TACIT_OK);
    CHECK_EQ_INT(r1.ninputs, 1);
    /* the second send picks another note: the mempool takes both */
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &r2), TACIT_OK);
    CHECK_EQ_INT(c.npool, 2);
    CHECK(memcmp(r1.txid, r2.txid, 32) != 0);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.pending_out, 200);
    CHECK_EQ_INT(bal.confirmed, 130);

    /* the copy picks one of the same notes: the node refuses, the copy releases it */
    {
        int rc = tacit_wallet_send(w2, &node, NULL, &req, &r3);
        CHECK(rc == TACIT_ENULLIFIER_IN_MEMPOOL || rc == TACIT_OK);
        if (rc == TACIT_OK) CHECK_EQ_INT(c.npool, 3); /* it happened to pick the third note */
        if (rc != TACIT_OK) {
            CHECK_EQ_INT(c.npool, 2);
            CHECK_EQ_INT(tacit_wallet_balance(w2, &bal), TACIT_OK);
            CHECK_EQ_INT(bal.pending_out, 0);
            CHECK_EQ_INT(bal.confirmed, 330);
        }
    }
    tacit_wallet_close(w2);

    /* another process on the same file: its reservation is seen by ours */
    {
        pid_t pid = fork();
        if (pid == 0) {
            struct tacit_wallet *wc = NULL;
            struct tacit_wallet_send_result rc3;
            int rc = tacit_wallet_open(&wc, NULL, path, PASS, strlen(PASS));
            if (rc == TACIT_OK) rc = tacit_wallet_send(wc, &node, NULL, &req, &rc3);
            _exit(rc == TACIT_OK ? 0 : 10 + rc);
        }
        int status = 0;
        CHECK(pid > 0);
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK_EQ_INT(WEXITSTATUS(status), 0);
    }
    /* the child took the last 100 (in its own copy of the node): 30 is all that is left */
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &r3), TACIT_EINSUFFICIENT);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.pending_out, 300);
    CHECK_EQ_INT(bal.confirmed, 30);

    /* the child's tx never reached our node: abandon it, its note is free again */
    {
        struct tacit_wallet_note *notes;
        size_t n;
        uint8_t id[32];
        bool found = false;
        CHECK_EQ_INT(tacit_wallet_notes(w, &notes, &n), TACIT_OK);
        for (size_t i = 0; i < n; i++)
            if (notes[i].reserved && memcmp(notes[i].reserved_by, r1.txid, 32) != 0 &&
                memcmp(notes[i].reserved_by, r2.txid, 32) != 0) {
                memcpy(id, notes[i].reserved_by, 32);
                found = true;
            }
        tacit_wallet_notes_free(notes, n);
        CHECK(found);
        if (found) {
            struct tacit_wallet_tx_status st;
            CHECK_EQ_INT(tacit_wallet_tx_status(w, &node, id, &st), TACIT_OK);
            CHECK_EQ_INT(st.state, TACIT_WALLET_TX_UNKNOWN);
            CHECK_EQ_INT(tacit_wallet_abandon(w, id), TACIT_OK);
        }
        CHECK_EQ_INT(tacit_wallet_abandon(w, (const uint8_t *)"not a tx id of ours, 32 bytes!!"),
                     TACIT_ENOTFOUND);
    }
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.confirmed, 130);

    /* 3 x 100 + 30 is not reachable with two notes: fragmented, not insufficient */
    chain_mine(&c);
    {
        struct tacit_wallet_sync_result sr;
        uint64_t v[2] = {100, 100};
        fund(&c, w, v, 2);
        CHECK_EQ_INT(sync_all(w, &c, 3, &sr), TACIT_OK);
    }
    req.amount = 250;
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &r3), TACIT_ENOTES_FRAGMENTED);
    req.amount = 10000;
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &r3), TACIT_EINSUFFICIENT);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.pending_out, 0);

    /* a node that refuses after the proof (its minimum fee rose during the send: the wallet's
     * own check before proving passed): the notes are released */
    c.min_fee_at_send = 1000000;
    req.amount = 10;
    req.fee_set = true;
    req.fee = 1;
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &r3), TACIT_EFEE_TOO_LOW);
    CHECK_EQ_INT(tacit_wallet_balance(w, &bal), TACIT_OK);
    CHECK_EQ_INT(bal.pending_out, 0);

    /* not synced: no verified witness */
    CHECK_EQ_INT(tacit_wallet_rescan(w), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_send(w, &node, NULL, &req, &r3), TACIT_ENOT_SYNCED);
    tacit_wallet_close(w);
    chain_free(&c);
}

/* ------------------------------------------------ recovery, backup, the chain ---- */

/* Opens path and returns its confirmed balance (UINT64_MAX if it does not open). */
static uint64_t balance_of(const char *path)
{
    struct tacit_wallet *w = NULL;
    struct tacit_wallet_balance b;
    uint64_t v = UINT64_MAX;
    if (tacit_wallet_open(&w, NULL, path, PASS, strlen(PASS)) == TACIT_OK &&
        tacit_wallet_balance(w, &b) == TACIT_OK)
        v = b.confirmed;
    tacit_wallet_close(w);
    return v;
}

TEST(recovery_phrase)
{
    char path[600], path2[600], path3[600], *phrase, *messy, a1[TACIT_KEYS_STR_MAX],
        a2[TACIT_KEYS_STR_MAX];
    struct tacit_wallet *w = NULL, *r = NULL, *x = NULL;
    struct tacit_wallet_sync_result res;
    struct tacit_wallet_balance b1, b2;
    struct tacit_wallet_note *n1 = NULL, *n2 = NULL;
    struct tacit_shielded_address a;
    struct tacit_spending_key *k = NULL;
    struct chain c;
    size_t own = 0, nn1 = 0, nn2 = 0, words = 1, bad = 0;
    uint8_t seed[64], skb[32];
    uint64_t total;

    /* the pinned vector (docs/wallet.md, "Recovery"): the phrase of 32 zero bytes, "abandon"
     * x 23 "art"; sk computed independently (Python: hashlib.pbkdf2_hmac, hashlib.blake2b
     * with person=b"tacit-sk-bip39", mod r) */
    {
        static const char *const want_sk[2] = {
            "0x200765ba6607b7fb7f372b511bcf7f9352e21934c2649b6ea72aaf85d19bc032",
            "0x13f30383924344089ba51ccfc2b7740b2cb102439d69ff6c43f5561cecf54302"};
        char phr[TACIT_BIP39_PHRASE_MAX], hex[67];
        uint8_t zero[32] = {0};
        CHECK_EQ_INT(tacit_bip39_phrase(phr, sizeof phr, zero, 32), TACIT_OK);
        CHECK(strncmp(phr, "abandon abandon ", 16) == 0 &&
              strcmp(phr + strlen(phr) - 4, " art") == 0);
        CHECK_EQ_INT(tacit_bip39_seed(seed, phr, NULL, NULL), TACIT_OK);
        for (int net = 0; net < 2; net++) {
            CHECK_EQ_INT(tacit_wallet_key_from_seed(&k, seed, (enum tacit_network)net), TACIT_OK);
            tacit_spending_key_to_bytes(skb, k);
            tacit_hex_encode(hex, skb, 32);
            CHECK_EQ_STR(hex, want_sk[net]);
            tacit_spending_key_free(k);
            k = NULL;
        }
        /* a wallet restored from that phrase holds that key: its address is the key's */
        wpath(path3, sizeof path3, "vector.wallet");
        CHECK_EQ_INT(
            tacit_wallet_restore(&x, path3, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, phr, NULL),
            TACIT_OK);
        CHECK_EQ_INT(tacit_wallet_key_from_seed(&k, seed, TACIT_NETWORK_DEVNET), TACIT_OK);
        tacit_spending_key_address(&a, k);
        CHECK_EQ_INT(tacit_shielded_address_encode(a2, &a, TACIT_NETWORK_DEVNET), TACIT_OK);
        tacit_wallet_address(a1, x);
        CHECK_EQ_STR(a1, a2);
        CHECK_EQ_STR(a1, VECTOR_ADDRESS);
        tacit_spending_key_free(k);
        k = NULL;
        tacit_wallet_close(x);
        x = NULL;
    }

    /* a fresh wallet has a 24-word phrase, kept in the file */
    wpath(path, sizeof path, "phrase.wallet");
    CHECK_EQ_INT(tacit_wallet_create(&w, path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, NULL),
                 TACIT_OK);
    CHECK_EQ_INT(tacit__wallet_set_subtree_level(w, LEVEL), TACIT_OK);
    phrase = sodium_malloc(TACIT_BIP39_PHRASE_MAX);
    messy = sodium_malloc(2 * TACIT_BIP39_PHRASE_MAX);
    CHECK_EQ_INT(tacit_wallet_mnemonic(phrase, TACIT_BIP39_PHRASE_MAX, w), TACIT_OK);
    for (const char *p = phrase; *p; p++) words += *p == ' ';
    CHECK_EQ_INT(words, 24);
    CHECK_EQ_INT(tacit_wallet_mnemonic(messy, 10, w), TACIT_EINVAL);

    /* notes for it on a chain, one spent */
    chain_init(&c, 21);
    tacit_wallet_shielded_address(&a, w);
    total = chain_fill(&c, &a, 12, 4, 3, &own);
    CHECK(own > 0);
    CHECK_EQ_INT(sync_all(w, &c, 5, &res), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(w, &b1), TACIT_OK);
    CHECK_EQ_INT(b1.confirmed, total);
    tacit_wallet_close(w);
    w = NULL;
    CHECK_EQ_INT(tacit_wallet_open(&w, NULL, path, PASS, strlen(PASS)), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_mnemonic(messy, TACIT_BIP39_PHRASE_MAX, w), TACIT_OK);
    CHECK_SAME_SECRET(messy, phrase); /* the same phrase after a reopen */

    /* restored from the phrase, typed in capitals with extra blanks: the same address, and a
     * scan from block 0 finds the same notes and balance */
    {
        size_t k2 = 0;
        messy[k2++] = ' ';
        for (const char *p = phrase; *p; p++) {
            if (*p == ' ') {
                messy[k2++] = ' ';
                messy[k2++] = '\t';
            }
            messy[k2++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        }
        messy[k2++] = '\n';
        messy[k2] = '\0';
    }
    wpath(path2, sizeof path2, "restored.wallet");
    CHECK_EQ_INT(tacit_wallet_restore(&r, path2, "other", 5, TACIT_NETWORK_DEVNET, messy, &bad),
                 TACIT_OK);
    CHECK_EQ_INT(tacit__wallet_set_subtree_level(r, LEVEL), TACIT_OK);
    tacit_wallet_address(a1, w);
    tacit_wallet_address(a2, r);
    CHECK_EQ_STR(a1, a2);
    CHECK_EQ_INT(sync_all(r, &c, 5, &res), TACIT_OK);
    CHECK_EQ_INT(res.notes_found, own);
    CHECK_EQ_INT(tacit_wallet_balance(r, &b2), TACIT_OK);
    CHECK_EQ_INT(b2.confirmed, b1.confirmed);
    CHECK_EQ_INT(b2.nnotes, b1.nnotes);
    CHECK_EQ_INT(tacit_wallet_notes(w, &n1, &nn1), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_notes(r, &n2, &nn2), TACIT_OK);
    CHECK_EQ_INT(nn1, nn2);
    for (size_t i = 0; i < nn1 && i < nn2; i++) {
        CHECK_EQ_INT(n1[i].index, n2[i].index);
        CHECK_EQ_INT(n1[i].value, n2[i].value);
        CHECK(tacit_fr_eq(&n1[i].nf, &n2[i].nf));
        CHECK_EQ_INT(n1[i].memo_len, n2[i].memo_len);
    }
    tacit_wallet_notes_free(n1, nn1);
    tacit_wallet_notes_free(n2, nn2);
    CHECK_EQ_INT(tacit_wallet_mnemonic(messy, TACIT_BIP39_PHRASE_MAX, r), TACIT_OK);
    CHECK_SAME_SECRET(messy, phrase);
    /* another network: another key from the same phrase */
    {
        struct tacit_wallet *m = NULL;
        char p4[600], am[TACIT_KEYS_STR_MAX];
        struct tacit_shielded_address ad, am_a;
        wpath(p4, sizeof p4, "restored-main.wallet");
        CHECK_EQ_INT(
            tacit_wallet_restore(&m, p4, PASS, strlen(PASS), TACIT_NETWORK_MAINNET, phrase, NULL),
            TACIT_OK);
        tacit_wallet_address(am, m);
        CHECK(strncmp(am, "tacit1", 6) == 0);
        tacit_wallet_shielded_address(&am_a, m);
        tacit_wallet_shielded_address(&ad, r);
        CHECK(!tacit_fr_eq(&am_a.pk, &ad.pk));
        tacit_wallet_close(m);
    }

    /* refusals: a word not in the list (its position, never the word), a wrong checksum, a
     * wrong count; nothing is created */
    {
        char p5[600], bad_phrase[TACIT_BIP39_PHRASE_MAX + 16];
        const char *sp = phrase;
        struct stat st;
        for (int i = 0; i < 4; i++) sp = strchr(sp, ' ') + 1;
        snprintf(bad_phrase, sizeof bad_phrase, "%.*sxylophonez%s", (int)(sp - phrase), phrase,
                 strchr(sp, ' '));
        wpath(p5, sizeof p5, "badphrase.wallet");
        CHECK_EQ_INT(tacit_wallet_restore(&x, p5, PASS, strlen(PASS), TACIT_NETWORK_DEVNET,
                                          bad_phrase, &bad),
                     TACIT_EMNEMONIC_WORD);
        CHECK_EQ_INT(bad, 5);
        CHECK(x == NULL);
        CHECK(stat(p5, &st) != 0);
        CHECK_EQ_INT(tacit_wallet_restore(&x, p5, PASS, strlen(PASS), TACIT_NETWORK_DEVNET,
                                          "abandon abandon abandon abandon abandon abandon abandon "
                                          "abandon abandon abandon abandon abandon",
                                          &bad),
                     TACIT_EMNEMONIC_CHECKSUM);
        CHECK_EQ_INT(tacit_wallet_restore(&x, p5, PASS, strlen(PASS), TACIT_NETWORK_DEVNET,
                                          "abandon abandon abandon", &bad),
                     TACIT_EMNEMONIC_WORDS);
        CHECK(stat(p5, &st) != 0);
        /* an existing file is never taken over */
        CHECK_EQ_INT(
            tacit_wallet_restore(&x, path2, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, phrase, NULL),
            TACIT_EEXISTS);
    }
    /* a wallet of a given key has no phrase */
    {
        struct tacit_wallet *g = new_wallet("given.wallet", 31);
        CHECK_EQ_INT(tacit_wallet_mnemonic(messy, TACIT_BIP39_PHRASE_MAX, g), TACIT_ENOTFOUND);
        tacit_wallet_close(g);
    }
    sodium_free(phrase);
    sodium_free(messy);
    tacit_wallet_close(w);
    tacit_wallet_close(r);
    chain_free(&c);
}

TEST(restore_birthday)
{
    char path[600], path2[600], *phrase;
    struct tacit_wallet *w = NULL, *r = NULL, *full = NULL;
    struct tacit_wallet_sync_result res;
    struct tacit_wallet_balance b;
    struct tacit_wallet_node node;
    struct tacit_shielded_address a, other;
    struct tacit_spending_key *k;
    struct chain c;
    size_t own = 0, foreign = 0;
    uint64_t total, birthday;
    uint8_t wide[64];

    /* 9 blocks paying someone else (several complete 16-leaf subtrees and an incomplete one),
     * then the wallet's notes from the birthday on */
    wpath(path, sizeof path, "bday.wallet");
    CHECK_EQ_INT(tacit_wallet_create(&w, path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, NULL),
                 TACIT_OK);
    phrase = sodium_malloc(TACIT_BIP39_PHRASE_MAX);
    CHECK_EQ_INT(tacit_wallet_mnemonic(phrase, TACIT_BIP39_PHRASE_MAX, w), TACIT_OK);
    tacit_wallet_shielded_address(&a, w);
    tacit_wallet_close(w);
    memset(wide, 0x55, sizeof wide);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, wide), TACIT_OK);
    tacit_spending_key_address(&other, k);
    tacit_spending_key_free(k);
    chain_init(&c, 71);
    chain_fill(&c, &other, 9, 5, 2, &foreign);
    birthday = c.nblocks;
    CHECK(c.nleaves % 16 != 0 && c.nleaves > 32);
    total = chain_fill(&c, &a, 8, 4, 3, &own);
    CHECK(own > 0);
    node_of(&node, &c);

    wpath(path2, sizeof path2, "bday-restored.wallet");
    CHECK_EQ_INT(
        tacit_wallet_restore(&r, path2, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, phrase, NULL),
        TACIT_OK);
    CHECK_EQ_INT(tacit__wallet_set_subtree_level(r, LEVEL), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_start_at(r, &node, c.nblocks), TACIT_EINVAL); /* past the tip */
    CHECK_EQ_INT(tacit_wallet_start_at(r, &node, birthday), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(r, &b), TACIT_OK);
    CHECK_EQ_INT(b.synced_height, birthday - 1);
    CHECK_EQ_INT(tacit_wallet_start_at(r, &node, birthday), TACIT_EINVAL); /* not twice */
    /* reopened, it syncs from the birthday: the same notes, balance and witnesses as a scan
     * from block 0, fewer blocks scanned */
    tacit_wallet_close(r);
    r = NULL;
    CHECK_EQ_INT(tacit_wallet_open(&r, NULL, path2, PASS, strlen(PASS)), TACIT_OK);
    CHECK_EQ_INT(sync_all(r, &c, 5, &res), TACIT_OK);
    CHECK(!res.rescanned);
    CHECK(res.blocks <= c.nblocks - birthday + TACIT__WALLET_OVERLAP_MAX);
    CHECK_EQ_INT(res.notes_found, own);
    CHECK_EQ_INT(tacit_wallet_balance(r, &b), TACIT_OK);
    CHECK_EQ_INT(b.confirmed, total);
    CHECK_EQ_INT(check_witnesses(r, &c), own);
    {
        struct tacit_wallet_chain_binding cb;
        tacit_wallet_chain(&cb, r);
        CHECK(cb.bound && memcmp(cb.genesis_hash, c.headers[0].hash, 32) == 0);
    }
    /* a node whose tree does not hash to its note root is refused */
    {
        char p3[600];
        wpath(p3, sizeof p3, "bday-bad.wallet");
        CHECK_EQ_INT(
            tacit_wallet_restore(&full, p3, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, phrase, NULL),
            TACIT_OK);
        CHECK_EQ_INT(tacit__wallet_set_subtree_level(full, LEVEL), TACIT_OK);
        c.leaves[3] = c.leaves[4];
        CHECK_EQ_INT(tacit_wallet_start_at(full, &node, birthday), TACIT_EBAD_NODE_DATA);
        CHECK_EQ_INT(tacit_wallet_balance(full, &b), TACIT_OK);
        CHECK_EQ_INT(b.synced_height, NO);
        tacit_wallet_close(full);
    }
    sodium_free(phrase);
    tacit_wallet_close(r);
    chain_free(&c);
}

TEST(backup_copy)
{
    char path[600], copy[600], nodir[600], a1[TACIT_KEYS_STR_MAX], a2[TACIT_KEYS_STR_MAX];
    struct tacit_wallet *w = new_wallet("backed.wallet", 41), *b = NULL;
    struct tacit_wallet_sync_result res;
    struct tacit_shielded_address a;
    struct chain c;
    struct stat st;
    size_t own = 0;
    uint8_t h1[32], h2[32];
    uint64_t total;

    wpath(path, sizeof path, "backed.wallet");
    wpath(copy, sizeof copy, "backed.copy");
    wpath(nodir, sizeof nodir, "no/such/dir/x.wallet");
    chain_init(&c, 41);
    tacit_wallet_shielded_address(&a, w);
    total = chain_fill(&c, &a, 10, 4, 3, &own);
    CHECK_EQ_INT(sync_all(w, &c, 5, &res), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_backup(w, copy), TACIT_OK);
    CHECK_EQ_INT(stat(copy, &st), 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    /* never over an existing file: refused, the file as it was */
    file_hash(h1, copy);
    CHECK_EQ_INT(tacit_wallet_backup(w, copy), TACIT_EEXISTS);
    file_hash(h2, copy);
    CHECK(memcmp(h1, h2, 32) == 0);
    CHECK_EQ_INT(tacit_wallet_backup(w, nodir), TACIT_ENOENT);
    /* the copy opens with the same passphrase: the same wallet, balance and sync state, even
     * with the original still open (another process could be writing it) */
    CHECK_EQ_INT(tacit_wallet_open(&b, NULL, copy, "wrong", 5), TACIT_EPASSPHRASE);
    CHECK_EQ_INT(balance_of(copy), total);
    CHECK_EQ_INT(tacit_wallet_open(&b, NULL, copy, PASS, strlen(PASS)), TACIT_OK);
    tacit_wallet_address(a1, w);
    tacit_wallet_address(a2, b);
    CHECK_EQ_STR(a1, a2);
    CHECK_EQ_INT(check_witnesses(b, &c), own);
    tacit_wallet_close(b);
    tacit_wallet_close(w);
    CHECK_EQ_INT(balance_of(path), total);
    chain_free(&c);
}

TEST(address_without_passphrase)
{
    char path[600], old[600], view[600], a1[TACIT_KEYS_STR_MAX], a2[TACIT_KEYS_STR_MAX],
        vk[TACIT_KEYS_STR_MAX], ph[TACIT_BIP39_PHRASE_MAX];
    struct tacit_wallet *w = new_wallet("addr.wallet", 51), *v = NULL, *o = NULL;
    struct tacit_wallet_sync_result res;
    struct tacit_wallet_balance b;
    struct tacit_shielded_address a;
    enum tacit_network net = TACIT_NETWORK_MAINNET;
    struct chain c;
    bool watch = true;
    size_t own = 0;
    uint8_t h1[32], h2[32];
    uint64_t total;

    wpath(path, sizeof path, "addr.wallet");
    tacit_wallet_address(a1, w);
    CHECK_EQ_INT(tacit_wallet_peek_address(a2, &net, &watch, path), TACIT_OK);
    CHECK_EQ_STR(a2, a1);
    CHECK_EQ_INT(net, TACIT_NETWORK_DEVNET);
    CHECK(!watch);
    /* a watch-only wallet: its address, watch-only */
    CHECK_EQ_INT(tacit_wallet_export_viewing_key(vk, w, TACIT_VIEWING_KEY_INCOMING), TACIT_OK);
    wpath(view, sizeof view, "addr-view.wallet");
    CHECK_EQ_INT(tacit_wallet_create_watch_only(&v, view, "x", 1, TACIT_NETWORK_DEVNET, vk),
                 TACIT_OK);
    tacit_wallet_close(v);
    CHECK_EQ_INT(tacit_wallet_peek_address(a2, &net, &watch, view), TACIT_OK);
    CHECK_EQ_STR(a2, a1);
    CHECK(watch);
    sodium_memzero(vk, sizeof vk);
    tacit_wallet_close(w);
    CHECK_EQ_INT(tacit_wallet_peek_address(a2, &net, &watch, "/nonexistent/x.wallet"),
                 TACIT_ENOENT);

    /* a file of format 1 (made as before format 2): no address in clear (EVERSION says: open it
     * with its passphrase); a wrong passphrase changes nothing; the right one opens it, keeps
     * its notes and rewrites it as format 2, whose address then reads without it */
    wpath(old, sizeof old, "v1.wallet");
    tacit__wallet_create_v1 = true;
    CHECK_EQ_INT(tacit_wallet_create(&o, old, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, NULL),
                 TACIT_OK);
    CHECK_EQ_INT(tacit__wallet_set_subtree_level(o, LEVEL), TACIT_OK);
    chain_init(&c, 51);
    tacit_wallet_shielded_address(&a, o);
    total = chain_fill(&c, &a, 8, 4, 3, &own);
    CHECK_EQ_INT(sync_all(o, &c, 5, &res), TACIT_OK); /* (format 1 records no chain) */
    tacit_wallet_address(a1, o);
    tacit_wallet_close(o);
    tacit__wallet_create_v1 = false;
    o = NULL;
    CHECK_EQ_INT(tacit_wallet_peek_address(a2, &net, &watch, old), TACIT_EVERSION);
    file_hash(h1, old);
    CHECK_EQ_INT(tacit_wallet_open(&o, NULL, old, "wrong", 5), TACIT_EPASSPHRASE);
    file_hash(h2, old);
    CHECK(memcmp(h1, h2, 32) == 0);
    {
        unsigned fl = 0;
        CHECK_EQ_INT(tacit_wallet_open(&o, &fl, old, PASS, strlen(PASS)), TACIT_OK);
        CHECK_EQ_INT(fl, TACIT_WALLET_OPEN_UPGRADED);
    }
    CHECK_EQ_INT(tacit_wallet_balance(o, &b), TACIT_OK);
    CHECK_EQ_INT(b.confirmed, total);
    CHECK_EQ_INT(tacit_wallet_mnemonic(ph, sizeof ph, o), TACIT_ENOTFOUND);
    /* it syncs on, and records its chain then (block 0 of the chain that has its block) */
    {
        struct tacit_wallet_chain_binding cb;
        tacit_wallet_chain(&cb, o);
        CHECK(!cb.bound);
        CHECK_EQ_INT(sync_all(o, &c, 5, &res), TACIT_OK);
        CHECK(!res.rescanned);
        tacit_wallet_chain(&cb, o);
        CHECK(cb.bound && memcmp(cb.genesis_hash, c.headers[0].hash, 32) == 0);
    }
    tacit_wallet_close(o); /* (one LMDB handle per file and process: peek after the close) */
    CHECK_EQ_INT(tacit_wallet_peek_address(a2, &net, &watch, old), TACIT_OK);
    CHECK_EQ_STR(a2, a1);
    CHECK_EQ_INT(balance_of(old), total);
    chain_free(&c);
}

TEST(wrong_chain_refused)
{
    char path[600];
    struct tacit_wallet *w = new_wallet("chain.wallet", 61);
    struct tacit_wallet_sync_result res;
    struct tacit_wallet_balance b;
    struct tacit_wallet_chain_binding ours, theirs;
    struct tacit_shielded_address a;
    struct chain c, e, f, m;
    size_t own = 0, o2 = 0;
    uint8_t h1[32], h2[32];
    uint64_t total;

    wpath(path, sizeof path, "chain.wallet");
    tacit_wallet_chain(&ours, w);
    CHECK(!ours.bound);
    chain_init(&c, 61);
    tacit_wallet_shielded_address(&a, w);
    total = chain_fill(&c, &a, 10, 4, 3, &own);
    CHECK_EQ_INT(sync_all(w, &c, 5, &res), TACIT_OK);
    /* the first sync recorded the chain: its id and block 0's hash */
    tacit_wallet_chain(&ours, w);
    CHECK(ours.bound);
    CHECK_EQ_INT(ours.chain_id, 0x7461);
    CHECK(memcmp(ours.genesis_hash, c.headers[0].hash, 32) == 0);
    tacit_wallet_close(w);
    w = NULL;
    CHECK_EQ_INT(tacit_wallet_open(&w, NULL, path, PASS, strlen(PASS)), TACIT_OK);
    tacit_wallet_chain(&ours, w);
    CHECK(ours.bound && memcmp(ours.genesis_hash, c.headers[0].hash, 32) == 0);
    file_hash(h1, path);

    /* another devnet (the same chain id, another block 0), longer and shorter than ours:
     * refused, its chain named, nothing changed (the old code rescanned from 0) */
    chain_init(&e, 62);
    e.genesis_salt = 1;
    chain_fill(&e, &a, 14, 4, 3, &o2);
    CHECK_EQ_INT(sync_all(w, &e, 5, &res), TACIT_ECHAIN_ID);
    CHECK(!res.rescanned);
    tacit_wallet_last_foreign_chain(&theirs, w);
    CHECK(theirs.bound);
    CHECK(memcmp(theirs.genesis_hash, e.headers[0].hash, 32) == 0);
    chain_init(&f, 63);
    f.genesis_salt = 2;
    o2 = 0;
    chain_fill(&f, &a, 4, 4, 3, &o2);
    CHECK_EQ_INT(sync_all(w, &f, 5, &res), TACIT_ECHAIN_ID);
    tacit_wallet_last_foreign_chain(&theirs, w);
    CHECK(memcmp(theirs.genesis_hash, f.headers[0].hash, 32) == 0);
    /* another chain id */
    c.chain_id = 0x7462;
    CHECK_EQ_INT(sync_all(w, &c, 5, &res), TACIT_ECHAIN_ID);
    tacit_wallet_last_foreign_chain(&theirs, w);
    CHECK_EQ_INT(theirs.chain_id, 0x7462);
    c.chain_id = 0;
    /* a mainnet node for this devnet wallet */
    c.mainnet = true;
    CHECK_EQ_INT(sync_all(w, &c, 5, &res), TACIT_ENETWORK);
    c.mainnet = false;
    /* the same checks without a sync (what `sync --rescan` asks before it forgets) */
    {
        struct tacit_wallet_node nc, ne;
        node_of(&nc, &c);
        node_of(&ne, &e);
        CHECK_EQ_INT(tacit_wallet_check_chain(w, &ne), TACIT_ECHAIN_ID);
        CHECK_EQ_INT(tacit_wallet_check_chain(w, &nc), TACIT_OK);
        c.mainnet = true;
        CHECK_EQ_INT(tacit_wallet_check_chain(w, &nc), TACIT_ENETWORK);
        c.mainnet = false;
    }
    CHECK_EQ_INT(tacit_wallet_balance(w, &b), TACIT_OK);
    CHECK_EQ_INT(b.confirmed, total);
    tacit_wallet_close(w);
    w = NULL;
    file_hash(h2, path);
    CHECK(memcmp(h1, h2, 32) == 0);

    /* after a rescan (the chain stays recorded) another chain is refused at its block 0 */
    CHECK_EQ_INT(tacit_wallet_open(&w, NULL, path, PASS, strlen(PASS)), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_rescan(w), TACIT_OK);
    CHECK_EQ_INT(sync_all(w, &e, 5, &res), TACIT_ECHAIN_ID);
    CHECK_EQ_INT(tacit_wallet_balance(w, &b), TACIT_OK);
    CHECK_EQ_INT(b.synced_height, NO);
    /* its own chain still syncs, every note back */
    CHECK_EQ_INT(sync_all(w, &c, 5, &res), TACIT_OK);
    CHECK_EQ_INT(tacit_wallet_balance(w, &b), TACIT_OK);
    CHECK_EQ_INT(b.confirmed, total);
    CHECK_EQ_INT(check_witnesses(w, &c), own);

    /* a mainnet wallet refuses a devnet node before its first sync too */
    {
        char mp[600];
        struct tacit_wallet *mw = NULL;
        wpath(mp, sizeof mp, "main.wallet");
        CHECK_EQ_INT(tacit_wallet_create(&mw, mp, PASS, strlen(PASS), TACIT_NETWORK_MAINNET, NULL),
                     TACIT_OK);
        CHECK_EQ_INT(sync_all(mw, &c, 5, &res), TACIT_ENETWORK);
        tacit_wallet_chain(&ours, mw);
        CHECK(!ours.bound);
        chain_init(&m, 64);
        m.mainnet = true;
        chain_block(&m, NULL, 0);
        CHECK_EQ_INT(tacit__wallet_set_subtree_level(mw, LEVEL), TACIT_OK);
        CHECK_EQ_INT(sync_all(mw, &m, 5, &res), TACIT_OK);
        tacit_wallet_chain(&ours, mw);
        CHECK(ours.bound);
        tacit_wallet_close(mw);
        chain_free(&m);
    }
    tacit_wallet_close(w);
    chain_free(&c);
    chain_free(&e);
    chain_free(&f);
}

/* ------------------------------------------------------ a real tacitd ---- */

static struct tnode g_node;

static void node_reap(void)
{
    if (g_node.pid > 0) tnode_stop(&g_node, SIGKILL, 10000);
}

/* Sync and return the confirmed balance (UINT64_MAX on failure). */
static uint64_t rpc_balance(struct tacit_wallet *w, const struct tacit_wallet_node *node)
{
    struct tacit_wallet_sync_result r;
    struct tacit_wallet_balance b;
    struct tacit_wallet_sync_opts o = {.nthreads = 2};
    int rc = tacit_wallet_sync(w, node, &o, &r);
    CHECK_EQ_INT(rc, TACIT_OK);
    if (rc != TACIT_OK || tacit_wallet_balance(w, &b) != TACIT_OK) return UINT64_MAX;
    return b.confirmed;
}

TEST(e2e_devnet)
{
    char dir[600], path[700], copy[700];
    struct tacit_rpc_client *rpc = NULL;
    struct tacit_wallet_node node;
    struct tacit_wallet *a, *b, *a2 = NULL;
    tacit_groth16_pk *pk = NULL;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res, res2;
    struct tacit_wallet_note *notes;
    uint8_t sk0[32], to[TACIT_ADDRESS_LEN];
    uint64_t bal, nonce;
    size_t n;
    json_t *j;

    signal(SIGPIPE, SIG_IGN);
    atexit(node_reap);
    tacit__wallet_prove = tacit_txbuild_prove; /* real proofs (other tests put the stand-in) */
    wpath(dir, sizeof dir, "node");
    CHECK_EQ_INT(mkdir(dir, 0700), 0);
    CHECK(tnode_seed_keys(dir));
    tnode_init(&g_node, dir);
    if (!tnode_start(&g_node, NULL) || !tnode_wait_ready(&g_node, 300000)) {
        tacit__test_fail(__FILE__, __LINE__, "tacitd not ready (see %s/tacitd.log)", dir);
        return;
    }
    snprintf(path, sizeof path, "%s/devnet-accounts.json", dir);
    j = json_load_file(path, 0, NULL);
    CHECK(j != NULL);
    if (j == NULL) return;
    CHECK_EQ_INT(
        tacit_hex_decode(sk0, 32,
                         json_string_value(json_object_get(
                             json_array_get(json_object_get(j, "accounts"), 0), "privateKey")),
                         true),
        TACIT_OK);
    json_decref(j);
    snprintf(path, sizeof path, "%s/keys/transfer.zkey", dir);
    CHECK_EQ_INT(tacit_groth16_pk_read_file(&pk, path), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&rpc, g_node.url, NULL, 60000), TACIT_OK);
    if (pk == NULL || rpc == NULL) goto out;
    tacit_wallet_node_rpc(&node, rpc);
    a = b = NULL;
    { /* wallets with the node's 2^16-leaf subtrees */
        uint8_t wide[64];
        struct tacit_spending_key *k;
        memset(wide, 21, sizeof wide);
        CHECK_EQ_INT(tacit_spending_key_from_wide(&k, wide), TACIT_OK);
        wpath(path, sizeof path, "e2e-a.wallet");
        CHECK_EQ_INT(tacit_wallet_create(&a, path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, k),
                     TACIT_OK);
        tacit_spending_key_free(k);
        wpath(path, sizeof path, "e2e-b.wallet");
        CHECK_EQ_INT(tacit_wallet_create(&b, path, PASS, strlen(PASS), TACIT_NETWORK_DEVNET, NULL),
                     TACIT_OK);
    }
    if (a == NULL || b == NULL) goto out;
    CHECK_EQ_INT(rpc_balance(a, &node), 0);

    /* deposit 1,000,000 from devnet account 0 (fee 0 on the devnet) */
    CHECK_EQ_INT(tacit_wallet_import_transparent(a, sk0, NULL), TACIT_OK);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_DEPOSIT;
    req.amount = 1000000;
    req.wait_ms = 60000;
    CHECK_EQ_INT(tacit_wallet_send(a, &node, pk, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_INCLUDED);
    CHECK_EQ_INT(rpc_balance(a, &node), 1000000);

    /* a private transfer with a memo */
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 250000;
    tacit_wallet_shielded_address(&req.to, b);
    req.memo = (const uint8_t *)"first hour";
    req.memo_len = 10;
    req.wait_ms = 60000;
    CHECK_EQ_INT(tacit_wallet_send(a, &node, pk, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_INCLUDED);
    CHECK_EQ_INT(res.ninputs, 1);
    CHECK_EQ_INT(rpc_balance(a, &node), 750000);
    CHECK_EQ_INT(rpc_balance(b, &node), 250000);
    CHECK_EQ_INT(tacit_wallet_notes(b, &notes, &n), TACIT_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) CHECK(notes[0].memo_len == 10 && memcmp(notes[0].memo, "first hour", 10) == 0);
    tacit_wallet_notes_free(notes, n);

    /* a withdrawal to a fresh transparent address */
    memset(to, 0x5c, sizeof to);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_WITHDRAW;
    req.amount = 100000;
    memcpy(req.withdraw_to, to, sizeof to);
    req.wait_ms = 60000;
    CHECK_EQ_INT(tacit_wallet_send(b, &node, pk, &req, &res), TACIT_OK);
    CHECK_EQ_INT(res.status.state, TACIT_WALLET_TX_INCLUDED);
    CHECK_EQ_INT(rpc_balance(b, &node), 150000);
    CHECK_EQ_INT(node.account(node.ud, to, &bal, &nonce), TACIT_OK);
    CHECK_EQ_INT(bal, 100000);

    /* a copy of a's file spends the note a spends: the node refuses it, the copy stays sound */
    wpath(path, sizeof path, "e2e-a.wallet");
    wpath(copy, sizeof copy, "e2e-a-copy.wallet");
    CHECK(tnode_copy_file(path, copy));
    CHECK_EQ_INT(tacit_wallet_open(&a2, NULL, copy, PASS, strlen(PASS)), TACIT_OK);
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_TRANSFER;
    req.amount = 1000;
    tacit_wallet_shielded_address(&req.to, b);
    CHECK_EQ_INT(tacit_wallet_send(a, &node, pk, &req, &res), TACIT_OK);
    if (a2 != NULL) {
        int rc = tacit_wallet_send(a2, &node, pk, &req, &res2);
        struct tacit_wallet_balance wb;
        CHECK(rc == TACIT_ENULLIFIER_IN_MEMPOOL || rc == TACIT_ENULLIFIER_SPENT);
        CHECK_EQ_INT(tacit_wallet_balance(a2, &wb), TACIT_OK);
        CHECK_EQ_INT(wb.pending_out, 0);
        /* once synced, the copy sees its note spent and a's change */
        CHECK_EQ_INT(tacit_wallet_tx_status(a, &node, res.txid, &res.status), TACIT_OK);
        {
            struct tacit_wallet_tx_status st = res.status;
            for (int i = 0; i < 100 && st.state == TACIT_WALLET_TX_PENDING; i++) {
                tnode_sleep_ms(100);
                CHECK_EQ_INT(tacit_wallet_tx_status(a, &node, res.txid, &st), TACIT_OK);
            }
            CHECK_EQ_INT(st.state, TACIT_WALLET_TX_INCLUDED);
        }
        CHECK_EQ_INT(rpc_balance(a2, &node), 749000);
        CHECK_EQ_INT(rpc_balance(a, &node), 749000);
        tacit_wallet_close(a2);
    }
    tacit_wallet_close(a);
    tacit_wallet_close(b);
out:
    tacit_groth16_pk_free(pk);
    tacit_rpc_client_free(rpc);
    CHECK(tnode_stop(&g_node, SIGTERM, 60000) != -1);
}

static const struct tacit_test tests[] = {
    {"file_create_open", file_create_open},
    {"file_kdf_limits", file_kdf_limits},
    {"file_tampered_secrets", file_tampered_secrets},
    {"import_transparent", import_transparent},
    {"sync_finds_own_notes", sync_finds_own_notes},
    {"witness_subtree_boundaries", witness_subtree_boundaries},
    {"witness_inner_levels", witness_inner_levels},
    {"inner_node_lies", inner_node_lies},
    {"spends_detected", spends_detected},
    {"resume_rescan_reopen", resume_rescan_reopen},
    {"node_reset", node_reset},
    {"bad_node_data", bad_node_data},
    {"watch_only", watch_only},
    {"send_on_l1_chain", send_on_l1_chain},
    {"forced_send", forced_send},
    {"send_transfer_withdraw_deposit", send_transfer_withdraw_deposit},
    {"send_shuffles_inputs_and_outputs", send_shuffles_inputs_and_outputs},
    {"send_fee_checked_before_proving", send_fee_checked_before_proving},
    {"statuses_follow_synced_chain", statuses_follow_synced_chain},
    {"history_sent_and_received", history_sent_and_received},
    {"send_selection_and_races", send_selection_and_races},
    {"sync_requests_independent_of_notes", sync_requests_independent_of_notes},
    {"send_anchor_window", send_anchor_window},
    {"sync_resume_overlap", sync_resume_overlap},
    {"recovery_phrase", recovery_phrase},
    {"restore_birthday", restore_birthday},
    {"backup_copy", backup_copy},
    {"address_without_passphrase", address_without_passphrase},
    {"wrong_chain_refused", wrong_chain_refused},
    {"e2e_devnet", e2e_devnet},
};
TACIT_TEST_MAIN(tests)
