/*
 * tacit — `tacit-bench wallet [--quick] [--rounds N] [--catchup-rounds N] [--hash-leaves]`: the wallet's
 * scanning, witness and catch-up speed (issue 6 targets), with blocks generated here and fed
 * through struct tacit_wallet_node, without a node.
 *
 * Rows (wall-clock medians; the machine has 2 cores):
 *   scan, 1 thread / 2 threads   outputs/s of tacit_note_scan_tx over other people's
 *                                transactions (view-tag misses) with 1 output in 1,000 ours,
 *                                split the way tacit_wallet_sync splits them
 *   subtree hash (2^16 leaves)   one complete subtree holding own notes, hashed once
 *   incremental sync             a wallet holding 100 notes, 2 M leaves behind it, syncs one
 *                                new block of 100 txs: scan + tree + 100 witnesses brought
 *                                up to date + root check + commit; witness updates/s
 *   catch-up                     a fresh wallet syncs 10,000 blocks of 100 transfers
 *                                (2,000,000 outputs) holding 100 notes for it, spread at
 *                                random: wall time vs the 60 s target
 * The generated chain: foreign transactions reuse 1,024 random templates (epk a valid X25519
 * point, random ciphertexts: the scan work is the same as for fresh ones) with distinct
 * commitments; own transactions are real encryptions to the wallet. Its headers carry the
 * real note-tree roots, computed before the timed part (the wallet checks them).
 * The node gives its nodes at level 4 (tacit_getTreeNodes, as tacitd does), so a subtree is
 * hashed from its 4,096 nodes there; --hash-leaves: a node without them (the wallet hashes
 * every subtree's 65,536 leaves, as before issue 16).
 * --quick: 100,000 transfers (a smoke run).
 * --devnet DATADIR: instead, sends on a running `tacitd --devnet --datadir DATADIR`
 *   (./contrib/devnet): build + prove + submit + included, median of --rounds transfers
 *   (issue 6: <= 2 s).
 */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench.h"
#include "common/parallel.h"
#include "tacit/error.h"
#include "tacit/keys.h"
#include "tacit/note.h"
#include "tacit/poseidon.h"
#include "tacit/prover.h"
#include "tacit/rpc.h"
#include "tacit/tree.h"
#include "tacit/util.h"
#include "tacit/wallet.h"

#define SUBTREE_LEAVES (UINT64_C(1) << TACIT_WALLET_SUBTREE_LEVEL)
#include "wallet/wallet_internal.h"

#define TEMPLATES 1024
#define PER_BLOCK 100
#define OWN_NOTES 100
/* nodes at the inner level under one subtree */
#define INNER_PER ((size_t)1 << (TACIT_WALLET_SUBTREE_LEVEL - TACIT_WALLET_INNER_LEVEL))

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* CPU time of the whole process (every thread), seconds. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------ the generated chain ---- */

struct gen {
    uint64_t nblocks; /* blocks 1..nblocks hold txs; block 0 is empty (genesis) */
    struct tacit_wallet_ctx *tmpl;
    uint64_t own_tx[OWN_NOTES]; /* global tx numbers of the own txs, sorted */
    struct tacit_wallet_ctx own[OWN_NOTES];
    uint64_t extra_blocks; /* blocks appended after the catch-up (incremental rows) */
    tacit_fr *subroots;    /* roots of the complete 2^16 subtrees */
    tacit_fr *inner;       /* their nodes at TACIT_WALLET_INNER_LEVEL (INNER_PER each) */
    size_t nsub;
    tacit_fr *root_at; /* note root after each block */
    uint64_t nroot_at;
};

static uint64_t gen_txs(const struct gen *g) { return (g->nblocks + g->extra_blocks) * PER_BLOCK; }

/* The commitment of leaf i of a foreign output: distinct, cheap. */
static void foreign_cm(tacit_fr *cm, uint64_t leaf) { tacit_fr_from_u64(cm, leaf + 1); }

static const struct tacit_wallet_ctx *own_of(const struct gen *g, uint64_t tx)
{
    size_t lo = 0, hi = OWN_NOTES;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->own_tx[mid] < tx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < OWN_NOTES && g->own_tx[lo] == tx ? &g->own[lo] : NULL;
}

static void leaf_of(const struct gen *g, uint64_t leaf, tacit_fr *cm)
{
    const struct tacit_wallet_ctx *o = own_of(g, leaf / 2);
    if (o)
        *cm = o->cm[leaf & 1];
    else
        foreign_cm(cm, leaf);
}

static void fill_tx(const struct gen *g, struct tacit_wallet_ctx *t, uint64_t tx)
{
    const struct tacit_wallet_ctx *o = own_of(g, tx);
    if (o) {
        *t = *o;
        return;
    }
    *t = g->tmpl[tx % TEMPLATES];
    foreign_cm(&t->cm[0], 2 * tx);
    foreign_cm(&t->cm[1], 2 * tx + 1);
    t->id[0] = (uint8_t)tx, t->id[1] = (uint8_t)(tx >> 8), t->id[2] = (uint8_t)(tx >> 16);
}

static uint64_t visible_blocks(const struct gen *g, bool extra)
{
    return 1 + g->nblocks + (extra ? g->extra_blocks : 0);
}

struct gnode {
    struct gen *g;
    uint64_t visible; /* blocks the node shows */
};

static void block_hash(uint8_t out[32], uint64_t h)
{
    crypto_generichash(out, 32, (const uint8_t *)&h, sizeof h, (const uint8_t *)"bench-chain", 11);
}

static int g_info(void *ud, struct tacit_wallet_chain_info *out)
{
    struct gnode *n = ud;
    memset(out, 0, sizeof *out);
    out->chain_id = 0x7461;
    out->height = n->visible - 1;
    out->devnet = true; /* the bench's wallets are devnet wallets */
    return TACIT_OK;
}

static int g_header(void *ud, uint64_t h, struct tacit_wallet_header *out)
{
    struct gnode *n = ud;
    if (h >= n->visible) return TACIT_ENOTFOUND;
    block_hash(out->hash, h);
    out->commitment_count = h * PER_BLOCK * 2;
    if (h >= n->g->nroot_at) return TACIT_ENOTFOUND;
    out->note_root = n->g->root_at[h];
    return TACIT_OK;
}

static int g_range(void *ud, uint64_t from, uint64_t to, struct tacit_wallet_cblock **blocks,
                   size_t *nb)
{
    struct gnode *n = ud;
    struct tacit_wallet_cblock *b;
    if (to >= n->visible) to = n->visible - 1;
    *nb = from <= to ? (size_t)(to - from + 1) : 0;
    b = calloc(*nb + 1, sizeof *b);
    if (b == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < *nb; i++) {
        uint64_t h = from + i;
        b[i].height = h;
        block_hash(b[i].hash, h);
        b[i].commitment_start = h == 0 ? 0 : (h - 1) * PER_BLOCK * 2;
        b[i].ntxs = h == 0 ? 0 : PER_BLOCK;
        if (h == 0) continue;
        if ((b[i].txs = malloc(PER_BLOCK * sizeof *b[i].txs)) == NULL) return TACIT_ENOMEM;
        for (size_t t = 0; t < PER_BLOCK; t++) fill_tx(n->g, &b[i].txs[t], (h - 1) * PER_BLOCK + t);
    }
    *blocks = b;
    return TACIT_OK;
}

static void g_free(void *ud, struct tacit_wallet_cblock *b, size_t nb)
{
    (void)ud;
    for (size_t i = 0; i < nb; i++) free(b[i].txs);
    free(b);
}

static int g_roots(void *ud, uint64_t start, size_t count, tacit_fr *roots, size_t *got)
{
    struct gnode *n = ud;
    uint64_t complete = (n->visible - 1) * PER_BLOCK * 2 / SUBTREE_LEAVES;
    *got = 0;
    for (uint64_t s = start; s < start + count && s < complete && s < n->g->nsub; s++)
        roots[(*got)++] = n->g->subroots[s];
    return TACIT_OK;
}

/* tacit_getTreeNodes at TACIT_WALLET_INNER_LEVEL (complete nodes only). */
static int g_tree_nodes(void *ud, uint64_t start, size_t count, tacit_fr *out, size_t *got)
{
    struct gnode *n = ud;
    uint64_t complete = (n->visible - 1) * PER_BLOCK * 2 / SUBTREE_LEAVES;
    *got = 0;
    for (uint64_t i = start;
         i < start + count && i / INNER_PER < complete && i / INNER_PER < n->g->nsub; i++)
        out[(*got)++] = n->g->inner[i];
    return TACIT_OK;
}

/* hash_leaves: a node without tacit_getTreeNodes (the wallet hashes every subtree's leaves) */
static void gnode_of(struct tacit_wallet_node *node, struct gnode *gn, bool hash_leaves)
{
    memset(node, 0, sizeof *node);
    node->ud = gn;
    node->chain_info = g_info;
    node->header = g_header;
    node->block_range = g_range;
    node->free_blocks = g_free;
    node->subtree_roots = g_roots;
    node->subtree_level = TACIT_WALLET_SUBTREE_LEVEL;
    if (!hash_leaves) {
        node->tree_nodes = g_tree_nodes;
        node->inner_level = TACIT_WALLET_INNER_LEVEL;
    }
}

/* --- the chain's roots, before timing: subtree roots on all threads, then the tree above --- */

struct subjob {
    const struct gen *g;
    tacit_fr *out;
};

static void subroot_task(void *ctx, size_t s, unsigned thread)
{
    struct subjob *j = ctx;
    const size_t blk = (size_t)1 << TACIT_WALLET_INNER_LEVEL;
    tacit_fr leaves[1 << TACIT_WALLET_INNER_LEVEL], *in = &j->g->inner[s * INNER_PER];
    tacit_fr *lv = malloc(INNER_PER * sizeof *lv);
    (void)thread;
    /* the nodes at the inner level (each from its 16 leaves), then the subtree's root */
    for (size_t b = 0; b < INNER_PER; b++) {
        struct tacit_tree_frontier f;
        tacit_tree_frontier_init(&f);
        for (size_t i = 0; i < blk; i++)
            leaf_of(j->g, (uint64_t)s * SUBTREE_LEAVES + b * blk + i, &leaves[i]);
        tacit_tree_append(&f, NULL, leaves, blk, NULL, NULL, 0);
        in[b] = f.node[TACIT_WALLET_INNER_LEVEL];
    }
    memcpy(lv, in, INNER_PER * sizeof *lv);
    for (size_t cnt = INNER_PER; cnt > 1; cnt /= 2)
        for (size_t i = 0; i < cnt / 2; i++) tacit_poseidon2(&lv[i], &lv[2 * i], &lv[2 * i + 1]);
    j->out[s] = lv[0];
    free(lv);
}

/* Root of the tree of `size` leaves from the complete subtree roots and the leaves after. */
static void root_of(const struct gen *g, uint64_t size, tacit_fr *root)
{
    struct tacit_tree_frontier f;
    uint64_t nsub = size / SUBTREE_LEAVES;
    tacit_fr *leaves;
    size_t rest = (size_t)(size - nsub * SUBTREE_LEAVES);
    /* a frontier of nsub complete subtrees: node[l] for l >= 16 from the subtree roots */
    tacit_tree_frontier_init(&f);
    for (unsigned l = TACIT_WALLET_SUBTREE_LEVEL; l <= TACIT_TREE_DEPTH; l++) {
        if (!((nsub >> (l - 16)) & 1)) continue;
        /* node (l, (size >> l) - 1) covers subtrees [first, first + 2^(l-16)) */
        uint64_t first = ((nsub >> (l - 16)) - 1) << (l - 16), cnt = (uint64_t)1 << (l - 16);
        tacit_fr *lv = malloc(cnt * sizeof *lv);
        memcpy(lv, &g->subroots[first], cnt * sizeof *lv);
        for (; cnt > 1; cnt /= 2)
            for (uint64_t j = 0; j < cnt / 2; j++)
                tacit_poseidon2(&lv[j], &lv[2 * j], &lv[2 * j + 1]);
        f.node[l] = lv[0];
        free(lv);
    }
    f.size = nsub * SUBTREE_LEAVES;
    leaves = malloc((rest + 1) * sizeof *leaves);
    for (size_t i = 0; i < rest; i++) leaf_of(g, nsub * SUBTREE_LEAVES + i, &leaves[i]);
    tacit_tree_append(&f, root, leaves, rest, NULL, NULL, 0);
    if (rest == 0) tacit_tree_frontier_root(root, &f);
    free(leaves);
}

static int gen_init(struct gen *g, uint64_t nblocks, uint64_t extra,
                    const struct tacit_shielded_address *me)
{
    struct tacit_shielded_address other;
    struct tacit_spending_key *k;
    uint8_t seed[64] = {7};
    uint64_t ntx, size;
    struct subjob sj;
    double t0 = wall_s();

    memset(g, 0, sizeof *g);
    g->nblocks = nblocks;
    g->extra_blocks = extra;
    ntx = gen_txs(g);
    if ((g->tmpl = malloc(TEMPLATES * sizeof *g->tmpl)) == NULL) return -1;
    for (int i = 0; i < TEMPLATES; i++) {
        struct tacit_wallet_ctx *t = &g->tmpl[i];
        uint8_t esk[32];
        randombytes_buf(t, sizeof *t);
        randombytes_buf(esk, 32);
        crypto_scalarmult_base(t->epk, esk);
        for (int k2 = 0; k2 < 2; k2++)
            tacit_fr_from_u64(&t->nf[k2], ((uint64_t)i << 1) + k2 + (1ull << 40));
    }
    /* own notes: one per chosen tx (output 0 ours, output 1 to someone else) */
    if (tacit_spending_key_from_wide(&k, seed) != TACIT_OK) return -1;
    tacit_spending_key_address(&other, k);
    tacit_spending_key_free(k);
    for (int i = 0; i < OWN_NOTES; i++) {
        bool again;
        do {
            g->own_tx[i] = randombytes_uniform((uint32_t)(nblocks * PER_BLOCK));
            again = false;
            for (int j = 0; j < i; j++) again |= g->own_tx[j] == g->own_tx[i];
        } while (again);
    }
    qsort(g->own_tx, OWN_NOTES, sizeof g->own_tx[0], cmp_u64);
    for (int i = 0; i < OWN_NOTES; i++) {
        struct tacit_wallet_ctx *t = &g->own[i];
        struct tacit_note_plaintext pt[2];
        struct tacit_shielded_address to[2] = {*me, other};
        uint8_t aad[TACIT_NOTE_AAD_BYTES], b64[64];
        memset(pt, 0, sizeof pt);
        memset(t, 0, sizeof *t);
        randombytes_buf(t->id, 32);
        for (int k2 = 0; k2 < 2; k2++) {
            randombytes_buf(b64, 64);
            tacit_fr_from_wide(&t->nf[k2], b64);
            randombytes_buf(b64, 64);
            tacit_fr_from_wide(&pt[k2].blinding, b64);
            pt[k2].value = 1000 + i;
            tacit_note_commitment(&t->cm[k2], pt[k2].value, &to[k2].pk, &pt[k2].blinding);
        }
        tacit_note_aad(aad, &t->nf[0], &t->nf[1]);
        if (tacit_note_encrypt(t->ct, t->epk, to, pt, aad, sizeof aad) != TACIT_OK) return -1;
    }
    /* roots */
    size = ntx * 2;
    g->nsub = (size_t)(size / SUBTREE_LEAVES);
    if ((g->subroots = malloc((g->nsub + 1) * sizeof *g->subroots)) == NULL ||
        (g->inner = malloc((g->nsub + 1) * INNER_PER * sizeof *g->inner)) == NULL)
        return -1;
    sj.g = g;
    sj.out = g->subroots;
    tacit__parallel_run(0, g->nsub, subroot_task, &sj);
    /* roots at the heights the wallet checks: the end of the catch-up and every extra block */
    g->nroot_at = 1 + nblocks + extra;
    if ((g->root_at = calloc(g->nroot_at, sizeof *g->root_at)) == NULL) return -1;
    for (uint64_t h = nblocks; h < g->nroot_at; h++) root_of(g, h * PER_BLOCK * 2, &g->root_at[h]);
    printf("  (chain generated: %llu txs, %zu subtree roots, %.1f s, not timed)\n",
           (unsigned long long)ntx, g->nsub, wall_s() - t0);
    return 0;
}

static void gen_free(struct gen *g)
{
    free(g->tmpl);
    free(g->subroots);
    free(g->inner);
    free(g->root_at);
}

/* ------------------------------------------------------------------ rows ---- */

struct scanjob {
    const struct gen *g;
    const struct tacit_viewing_key *vk;
    uint64_t ntx;
    size_t slice;
};

static void scan_task(void *ctx, size_t task, unsigned thread)
{
    struct scanjob *j = ctx;
    uint64_t t0 = task * j->slice, t1 = t0 + j->slice;
    (void)thread;
    if (t1 > j->ntx) t1 = j->ntx;
    for (uint64_t t = t0; t < t1; t++) {
        struct tacit_wallet_ctx tx;
        struct tacit_note_plaintext pt[2];
        uint8_t aad[TACIT_NOTE_AAD_BYTES];
        int st[2];
        fill_tx(j->g, &tx, t);
        tacit_note_aad(aad, &tx.nf[0], &tx.nf[1]);
        (void)tacit_note_scan_tx(pt, st, j->vk, tx.epk, tx.ct, tx.cm, aad, sizeof aad);
    }
}

static double scan_rate(const struct gen *g, const struct tacit_viewing_key *vk, uint64_t ntx,
                        unsigned threads, int rounds)
{
    double *v = malloc((size_t)rounds * sizeof *v), m;
    for (int r = 0; r < rounds; r++) {
        struct scanjob j = {g, vk, ntx, 256};
        double t0 = wall_s();
        tacit__parallel_run(threads, (size_t)((ntx + j.slice - 1) / j.slice), scan_task, &j);
        v[r] = 2.0 * (double)ntx / (wall_s() - t0);
    }
    m = median(v, rounds);
    free(v);
    return m;
}

/* ------------------------------------------------ send on a running devnet ---- */

/* `--devnet DIR`: a tacitd --devnet running with data directory DIR (./contrib/devnet):
 * a deposit from its account 0 into a fresh wallet, then `rounds` transfers to itself, each
 * timed from the call to its inclusion (build + prove + submit + included). */
static int bench_send_devnet(const char *datadir, int rounds)
{
    char path[1024], dir[] = "/tmp/tacit-bench-send-XXXXXX";
    const char *url;
    uint8_t sk0[32];
    json_t *j;
    struct tacit_rpc_client *rpc = NULL;
    struct tacit_wallet_node node;
    struct tacit_wallet *w = NULL;
    tacit_groth16_pk *pk = NULL;
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result res;
    struct tacit_wallet_sync_result sr;
    struct tacit_wallet_sync_opts so = {0};
    double *t = malloc((size_t)rounds * sizeof *t), *tp = malloc((size_t)rounds * sizeof *tp);
    int rc = 1, n = 0, e;

    snprintf(path, sizeof path, "%s/devnet-accounts.json", datadir);
    if ((j = json_load_file(path, 0, NULL)) == NULL ||
        (url = json_string_value(json_object_get(j, "rpc"))) == NULL ||
        tacit_hex_decode(sk0, 32,
                         json_string_value(json_object_get(
                             json_array_get(json_object_get(j, "accounts"), 0), "privateKey")),
                         true) != TACIT_OK) {
        fprintf(stderr, "cannot read %s\n", path);
        goto out;
    }
    snprintf(path, sizeof path, "%s/keys/transfer.zkey", datadir);
    if ((e = tacit_groth16_pk_read_file(&pk, path)) != TACIT_OK) {
        fprintf(stderr, "%s: %s\n", path, tacit_strerror(e));
        goto out;
    }
    if (tacit_rpc_client_new(&rpc, url, NULL, 60000) != TACIT_OK || mkdtemp(dir) == NULL) goto out;
    tacit_wallet_node_rpc(&node, rpc);
    snprintf(path, sizeof path, "%s/send.wallet", dir);
    if ((e = tacit_wallet_create(&w, path, "", 0, TACIT_NETWORK_DEVNET, NULL)) != TACIT_OK)
        goto out;
    memset(&req, 0, sizeof req);
    req.kind = TACIT_WALLET_SEND_DEPOSIT;
    req.amount = 1000000;
    req.deposit_sk = sk0;
    req.wait_ms = 60000;
    {
        double t0 = wall_s();
        if ((e = tacit_wallet_send(w, &node, pk, &req, &res)) != TACIT_OK) {
            fprintf(stderr, "deposit: %s\n", tacit_strerror(e));
            goto out;
        }
        printf("%-44s %12.3f s     (prove %.3f s)\n", "deposit, build to included (devnet)",
               wall_s() - t0, res.prove_seconds);
    }
    for (int r = 0; r < rounds; r++) {
        double t0;
        if ((e = tacit_wallet_sync(w, &node, &so, &sr)) != TACIT_OK) {
            fprintf(stderr, "sync: %s\n", tacit_strerror(e));
            goto out;
        }
        memset(&req, 0, sizeof req);
        req.kind = TACIT_WALLET_SEND_TRANSFER;
        req.amount = 1000;
        tacit_wallet_shielded_address(&req.to, w);
        req.wait_ms = 60000;
        t0 = wall_s();
        e = tacit_wallet_send(w, &node, pk, &req, &res);
        if (e != TACIT_OK || res.status.state != TACIT_WALLET_TX_INCLUDED) {
            fprintf(stderr, "send: %s\n", tacit_strerror(e));
            goto out;
        }
        t[n] = wall_s() - t0;
        tp[n++] = res.prove_seconds;
    }
    printf("%-44s %12.3f s     target <= 2 s (prove %.3f s; median of %d)\n",
           "send, build to included (devnet)", median(t, n), median(tp, n), n);
    rc = 0;
out:
    if (w) {
        tacit_wallet_close(w);
        unlink(path);
        snprintf(path + strlen(path), sizeof path - strlen(path), "-lock");
        unlink(path);
        rmdir(dir);
    }
    json_decref(j);
    tacit_rpc_client_free(rpc);
    tacit_groth16_pk_free(pk);
    free(t);
    free(tp);
    return rc;
}

int bench_wallet(int argc, char **argv)
{
    bool quick = false, hash_leaves = false;
    const char *devnet = NULL;
    int rounds = 5, catchup_rounds = 1;
    uint64_t nblocks = 10000;
    char dir[] = "/tmp/tacit-bench-wallet-XXXXXX", path[300];
    struct tacit_spending_key *key;
    struct tacit_shielded_address me;
    struct gen g;
    double *ct, *cc;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--devnet") == 0 && i + 1 < argc)
            devnet = argv[++i];
        else if (strcmp(argv[i], "--quick") == 0)
            quick = true;
        else if (strcmp(argv[i], "--hash-leaves") == 0)
            hash_leaves = true;
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--catchup-rounds") == 0 && i + 1 < argc)
            catchup_rounds = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: tacit-bench wallet [--quick] [--rounds N] [--catchup-rounds N] "
                            "[--hash-leaves] [--devnet DATADIR]\n");
            return 2;
        }
    }
    if (rounds < 1) rounds = 1;
    if (catchup_rounds < 1) catchup_rounds = 1;
    if (quick) nblocks = 1000;
    if (sodium_init() < 0) return 1;
    tacit__wallet_kdf_weak = true; /* a benchmark wallet: argon2id's minimum cost */
    if (devnet != NULL) return bench_send_devnet(devnet, rounds);
    if (mkdtemp(dir) == NULL) return 1;
    if (tacit_spending_key_new(&key) != TACIT_OK) return 1;
    tacit_spending_key_address(&me, key);
    printf("tacit-bench wallet: %u CPUs, %llu blocks x %d transfers, %s\n",
           tacit__nthreads_default(), (unsigned long long)nblocks, PER_BLOCK,
           hash_leaves ? "subtrees hashed from the leaves (--hash-leaves)"
                       : "subtrees from the node's level-4 nodes");
    if (gen_init(&g, nblocks, 5, &me) != 0) {
        fprintf(stderr, "could not generate the chain\n");
        return 1;
    }

    /* scanning */
    {
        uint64_t ntx = quick ? 20000 : 50000;
        double one = scan_rate(&g, tacit_spending_key_viewing_key(key), ntx, 1, rounds);
        double two = scan_rate(&g, tacit_spending_key_viewing_key(key), ntx, 2, rounds);
        printf("%-44s %12.0f outputs/s   target >= 30,000\n", "scan, 1 thread", one);
        printf("%-44s %12.0f outputs/s   (x%.2f)\n", "scan, 2 threads", two, two / one);
    }

    /* one subtree with own notes, hashed */
    {
        double *v = malloc((size_t)rounds * sizeof *v);
        for (int r = 0; r < rounds; r++) {
            struct tacit__wtree_job job;
            uint64_t idx[2] = {5, 40000};
            memset(&job, 0, sizeof job);
            job.leaves = malloc(SUBTREE_LEAVES * sizeof *job.leaves);
            job.lower = malloc(2 * 16 * sizeof *job.lower);
            job.note_index = idx;
            job.nnotes = 2;
            for (uint64_t i = 0; i < SUBTREE_LEAVES; i++) foreign_cm(&job.leaves[i], i);
            double t0 = wall_s();
            tacit__wtree_job_run(&job, 16);
            v[r] = wall_s() - t0;
            free(job.leaves);
            free(job.lower);
        }
        double m = median(v, rounds);
        printf("%-44s %12.3f s     (%.0f hashes/s)\n", "subtree hash (2^16 leaves)", m, 65535 / m);
        free(v);
    }

    /* the catch-up */
    ct = malloc((size_t)catchup_rounds * sizeof *ct);
    cc = malloc((size_t)catchup_rounds * sizeof *cc);
    for (int r = 0; r < catchup_rounds && rc == 0; r++) {
        struct tacit_wallet *w = NULL;
        struct tacit_wallet_node node;
        struct gnode gn = {&g, visible_blocks(&g, false)};
        struct tacit_wallet_sync_opts o = {.chunk_blocks = 100};
        struct tacit_wallet_sync_result res;
        struct tacit_wallet_balance bal;
        double t0, c0;
        int src;
        snprintf(path, sizeof path, "%s/catchup-%d.wallet", dir, r);
        if (tacit_wallet_create(&w, path, "", 0, TACIT_NETWORK_DEVNET, key) != TACIT_OK) {
            rc = 1;
            break;
        }
        gnode_of(&node, &gn, hash_leaves);
        t0 = wall_s();
        c0 = cpu_s();
        src = tacit_wallet_sync(w, &node, &o, &res);
        ct[r] = wall_s() - t0;
        cc[r] = cpu_s() - c0;
        tacit_wallet_balance(w, &bal);
        if (src != TACIT_OK || res.notes_found != OWN_NOTES) {
            fprintf(stderr, "catch-up failed: %s, %llu notes\n", tacit_strerror(src),
                    (unsigned long long)res.notes_found);
            rc = 1;
        }
        printf("  round %d: %.2f s wall, %.2f s cpu (all threads), %llu outputs, %llu notes, "
               "balance %llu\n",
               r, ct[r], cc[r], (unsigned long long)res.outputs,
               (unsigned long long)res.notes_found, (unsigned long long)bal.confirmed);

        /* incremental: the same wallet, one new block at a time */
        if (rc == 0 && r == 0) {
            double v[5];
            int nv = 0;
            for (uint64_t e = 1; e <= g.extra_blocks; e++) {
                gn.visible = visible_blocks(&g, false) + e;
                t0 = wall_s();
                src = tacit_wallet_sync(w, &node, &o, &res);
                v[nv++] = wall_s() - t0;
                if (src != TACIT_OK) {
                    fprintf(stderr, "incremental sync failed: %s\n", tacit_strerror(src));
                    rc = 1;
                    break;
                }
            }
            if (rc == 0) {
                double m = median(v, nv);
                printf("%-44s %12.3f ms    (%.0f witness updates/s, %d notes)\n",
                       "incremental sync (1 block, 100 txs)", m * 1e3, OWN_NOTES / m, OWN_NOTES);
            }
        }
        tacit_wallet_close(w);
        unlink(path);
        snprintf(path + strlen(path), sizeof path - strlen(path), "-lock");
        unlink(path);
    }
    if (rc == 0) {
        double m = median(ct, catchup_rounds), mc = median(cc, catchup_rounds);
        printf("%-44s %12.2f s     target <= 60 s (%llu outputs, %d own notes, %.0f outputs/s; cpu "
               "%.1f s)\n",
               "catch-up", m, (unsigned long long)(nblocks * PER_BLOCK * 2), OWN_NOTES,
               (double)(nblocks * PER_BLOCK * 2) / m, mc);
    }
    free(ct);
    free(cc);
    gen_free(&g);
    tacit_spending_key_free(key);
    rmdir(dir);
    return rc;
}
