/*
 * tacit — wallet sync: blocks from a struct tacit_wallet_node, trial decryption, spends,
 * the tree (docs/wallet.md, "Sync").
 *
 * One chunk of blocks at a time:
 *   1. fetch the chunk, then the node's nodes at the inner level under the subtrees it
 *      completes and those subtrees' roots (same for every wallet): every node call
 *      of the chunk before any work on it (the first chunk of a resumed sync starts 1..10
 *      blocks before the synced height: those are checked against our block, not applied);
 *   2. on all threads at once: scan its transactions (tacit_note_scan_tx: one X25519 per tx,
 *      the view tag before any AEAD) and hash every subtree that the previous chunk
 *      completed, whether it holds own notes or not (witness.c's jobs);
 *   3. store those subtrees' roots and lower paths: the wallet is now exactly "synced to the
 *      previous chunk", and that state is committed (one LMDB write transaction; at most
 *      every tacit__wallet_commit_interval seconds);
 *   4. record the chunk's own notes, spends (own nullifiers appearing) and own sent
 *      transactions included, append its commitments to the tree (new jobs).
 * So the hashing of a subtree overlaps the scanning of the next chunk, and what is in the file
 * is always a consistent synced state: an interrupted sync resumes after the last commit.
 * At the end the last jobs run, the header at the synced height is fetched (the last call),
 * then witnesses are brought to the synced height and the root is compared with the node's.
 * So the calls, their arguments and the hashing between two calls do not depend on which
 * notes the wallet owns (issue 14, 2; docs/wallet.md "Sync").
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/parallel.h"
#include "tacit/error.h"
#include "wallet/wallet_internal.h"

#define CHUNK_DEFAULT 100
#define CHUNK_MAX 1000
#define RESTARTS_MAX 3
/* A commit (an fsync) at most this often during a long sync: an interrupted sync then
 * redoes at most this much work, and a catch-up does not spend its time in fsync. */
double tacit__wallet_commit_interval = 2.0;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A note found by a scan task. */
struct found {
    uint64_t index, height;
    tacit_fr cm;
    struct tacit_note_plaintext pt;
};

struct task_out {
    struct found *f;
    size_t n, cap;
    bool oom;
};

struct scan_ctx {
    const struct tacit_wallet_cblock *blocks;
    size_t nblocks;
    size_t *block_of; /* first tx number of each block, nblocks + 1 entries */
    size_t ntx, slice, nslices;
    const struct tacit_viewing_key *vk;
    struct tacit__wtree_job *jobs;
    size_t njobs;
    unsigned level;
    struct task_out *out; /* one per slice */
};

static void scan_slice(struct scan_ctx *c, size_t slice)
{
    size_t t0 = slice * c->slice, t1 = t0 + c->slice, b = 0;
    struct task_out *o = &c->out[slice];
    if (t1 > c->ntx) t1 = c->ntx;
    /* the block holding tx t0 */
    {
        size_t lo = 0, hi = c->nblocks;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (c->block_of[mid] <= t0)
                lo = mid;
            else
                hi = mid;
        }
        b = lo;
    }
    for (size_t t = t0; t < t1; t++) {
        const struct tacit_wallet_ctx *tx;
        struct tacit_note_plaintext pt[2];
        uint8_t aad[TACIT_NOTE_AAD_BYTES];
        int st[2];
        size_t k;
        while (t >= c->block_of[b + 1]) b++;
        k = t - c->block_of[b];
        tx = &c->blocks[b].txs[k];
        tacit_note_aad(aad, &tx->nf[0], &tx->nf[1]);
        if (tacit_note_scan_tx(pt, st, c->vk, tx->epk, tx->ct, tx->cm, aad, sizeof aad) != TACIT_OK)
            continue;
        for (unsigned i = 0; i < 2; i++) {
            if (st[i] != TACIT_OK) continue;
            if (o->n == o->cap) {
                size_t cap = o->cap ? 2 * o->cap : 4;
                struct found *p = calloc(cap, sizeof *p);
                if (p == NULL) {
                    o->oom = true;
                    break;
                }
                if (o->n) memcpy(p, o->f, o->n * sizeof *p);
                if (o->f) {
                    sodium_memzero(o->f, o->cap * sizeof *o->f);
                    free(o->f);
                }
                o->f = p;
                o->cap = cap;
            }
            o->f[o->n].index = c->blocks[b].commitment_start + 2 * (uint64_t)k + i;
            o->f[o->n].height = c->blocks[b].height;
            o->f[o->n].cm = tx->cm[i];
            o->f[o->n].pt = pt[i];
            o->n++;
        }
        sodium_memzero(pt, sizeof pt);
    }
}

static void scan_task(void *ctx, size_t task, unsigned thread)
{
    struct scan_ctx *c = ctx;
    (void)thread;
    if (task < c->njobs)
        tacit__wtree_job_run(&c->jobs[task], c->level); /* largest first */
    else
        scan_slice(c, task - c->njobs);
}

static void jobs_free(struct tacit__wtree_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) tacit__wtree_job_free(&jobs[i]);
}

/* ----------------------------------------------------------- spends ---- */

/* Open addressing over the own unspent nullifiers (a chunk may hold 2 million nullifiers
 * against a hundred notes: one probe each). */
struct nfset {
    size_t *slot; /* note position + 1; 0 empty */
    size_t mask;
};

static int nfset_build(struct nfset *s, const struct tacit_wallet *w)
{
    size_t n = 0, cap = 16;
    for (size_t i = 0; i < w->nnotes; i++)
        if (w->notes[i].has_nf && w->notes[i].spent_height == TACIT_WALLET_NO_HEIGHT) n++;
    while (cap < 2 * n) cap *= 2;
    if ((s->slot = calloc(cap, sizeof *s->slot)) == NULL) return TACIT_ENOMEM;
    s->mask = cap - 1;
    for (size_t i = 0; i < w->nnotes; i++) {
        const struct tacit__wnote *nt = &w->notes[i];
        size_t h;
        if (!nt->has_nf || nt->spent_height != TACIT_WALLET_NO_HEIGHT) continue;
        for (h = (size_t)nt->nf.l[0] & s->mask; s->slot[h] != 0; h = (h + 1) & s->mask) {}
        s->slot[h] = i + 1;
    }
    return TACIT_OK;
}

static struct tacit__wnote *nfset_find(const struct nfset *s, struct tacit_wallet *w,
                                       const tacit_fr *nf)
{
    for (size_t h = (size_t)nf->l[0] & s->mask; s->slot[h] != 0; h = (h + 1) & s->mask) {
        struct tacit__wnote *n = &w->notes[s->slot[h] - 1];
        if (tacit_fr_eq(&n->nf, nf)) return n;
    }
    return NULL;
}

/* ------------------------------------------------------- one chunk ---- */

/* Checks the chunk's shape against what the wallet holds. */
static int chunk_check(const struct tacit_wallet *w, const struct tacit_wallet_cblock *b, size_t n,
                       uint64_t from)
{
    uint64_t leaves = w->tree.size;
    for (size_t i = 0; i < n; i++) {
        if (b[i].height != from + i || b[i].commitment_start != leaves ||
            b[i].ntxs > TACIT_BLOCK_MAX_TXS || (b[i].ntxs > 0 && b[i].txs == NULL))
            return TACIT_EBAD_NODE_DATA;
        leaves += 2 * (uint64_t)b[i].ntxs;
        if (leaves > TACIT_TREE_MAX_LEAVES) return TACIT_EBAD_NODE_DATA;
    }
    return TACIT_OK;
}

/* The node's roots of the subtrees that the chunk's ncm commitments complete, and its nodes
 * at the inner level under them (fetched with the chunk, before any work on it: see
 * tacit_wallet_sync). */
struct chunk_roots {
    tacit_fr *roots;
    uint64_t start;
    size_t n;
    tacit_fr *nodes;
    struct tacit__wtree_inner inner;
};

static void chunk_roots_free(struct chunk_roots *r)
{
    free(r->roots);
    free(r->nodes);
    memset(r, 0, sizeof *r);
}

/* The inner level the wallet takes from this node (0: none; see struct tacit_wallet_node). */
static unsigned inner_level_of(const struct tacit_wallet *w, const struct tacit_wallet_node *node)
{
    unsigned h = w->tree.level, L = node->inner_level;
    if (node->tree_nodes == NULL || node->subtree_level != h || L == 0 || L >= h ||
        h + ((size_t)1 << L) > TACIT_TREE_DEPTH)
        return 0;
    return L;
}

/* The node's nodes at the inner level under subtrees s0..s1-1: the same request for every
 * wallet. Whole subtrees only: the subtrees it does not cover are hashed from the leaves. */
static int fetch_inner(const struct tacit_wallet *w, const struct tacit_wallet_node *node,
                       uint64_t s0, uint64_t s1, struct chunk_roots *r)
{
    unsigned L = inner_level_of(w, node);
    size_t per, total, have = 0;
    if (L == 0 || s1 == s0) return TACIT_OK;
    per = (size_t)1 << (w->tree.level - L);
    total = (size_t)(s1 - s0) * per;
    if ((r->nodes = malloc(total * sizeof *r->nodes)) == NULL) return TACIT_ENOMEM;
    while (have < total) {
        size_t want = total - have, got = 0;
        int rc;
        if (want > 16384) want = 16384; /* about 1 MiB of JSON: within any sane max_response */
        rc = node->tree_nodes(node->ud, (s0 * per) + have, want, r->nodes + have, &got);
        if (rc == TACIT_EIO || rc == TACIT_ETIMEOUT) return rc;
        if (rc != TACIT_OK || got == 0) break; /* the wallet's own hashes for the rest */
        have += got > want ? want : got;
    }
    r->inner.nodes = r->nodes;
    r->inner.level = L;
    r->inner.start = s0;
    r->inner.nsub = have / per;
    return TACIT_OK;
}

static int fetch_roots(const struct tacit_wallet *w, const struct tacit_wallet_node *node,
                       uint64_t ncm, struct chunk_roots *r)
{
    uint64_t s0 = w->tree.size >> w->tree.level, s1 = (w->tree.size + ncm) >> w->tree.level;
    int rc;
    memset(r, 0, sizeof *r);
    r->start = s0;
    if ((rc = fetch_inner(w, node, s0, s1, r)) != TACIT_OK) return rc;
    if (s1 == s0 || node->subtree_roots == NULL || node->subtree_level != w->tree.level)
        return TACIT_OK;
    if ((r->roots = malloc((size_t)(s1 - s0) * sizeof *r->roots)) == NULL) return TACIT_ENOMEM;
    while (s0 + r->n < s1) {
        size_t want = (size_t)(s1 - s0 - r->n), got = 0;
        if (want > 65536) want = 65536;
        rc = node->subtree_roots(node->ud, s0 + r->n, want, r->roots + r->n, &got);
        if (rc == TACIT_EIO || rc == TACIT_ETIMEOUT) return rc;
        if (rc != TACIT_OK || got == 0) break; /* the wallet's own hashes alone */
        r->n += got > want ? want : got;
    }
    return TACIT_OK;
}

/* Step 4: notes, spends, sent txs, tree. */
static int chunk_apply(struct tacit_wallet *w, const struct scan_ctx *c,
                       const struct chunk_roots *nr, struct tacit__wtree_job **jobs, size_t *njobs,
                       size_t *jobs_cap, struct tacit_wallet_sync_result *res)
{
    struct nfset set = {0};
    tacit_fr *cms = NULL;
    size_t ncm = 2 * c->ntx, k = 0;
    int rc = TACIT_OK;

    /* received notes (slices in order: index order) */
    for (size_t s = 0; s < c->nslices; s++) {
        for (size_t i = 0; i < c->out[s].n; i++) {
            const struct found *f = &c->out[s].f[i];
            struct tacit__wnote n;
            if (f->pt.value == 0) continue; /* dummy outputs: nothing to spend */
            memset(&n, 0, sizeof n);
            n.index = f->index;
            n.value = f->pt.value;
            n.cm = f->cm;
            n.blinding = f->pt.blinding;
            n.has_nf = tacit_viewing_key_nullifier(&n.nf, w->vk, &n.cm, n.index) == TACIT_OK;
            n.height = f->height;
            n.spent_height = TACIT_WALLET_NO_HEIGHT;
            n.memo_len = f->pt.memo_len;
            memcpy(n.memo, f->pt.memo, f->pt.memo_len);
            rc = tacit__wallet_add_note(w, &n);
            sodium_memzero(&n, sizeof n);
            if (rc == TACIT_EEXISTS) continue;
            if (rc != TACIT_OK) goto out;
            res->notes_found++;
        }
    }
    rc = TACIT_OK;

    /* own sent txs recorded as included in one of these blocks (the node said so before
     * the wallet synced that far): the blocks say whether they are, below */
    for (size_t j = 0; j < w->nsent; j++) {
        struct tacit__wsent *s = &w->sent[j];
        if (s->state == TACIT_WALLET_TX_INCLUDED && s->height >= c->blocks[0].height &&
            s->height <= c->blocks[c->nblocks - 1].height) {
            s->state = TACIT_WALLET_TX_PENDING;
            s->height = 0;
        }
    }

    /* spends and own sent txs, in chain order */
    if ((rc = nfset_build(&set, w)) != TACIT_OK) goto out;
    for (size_t b = 0; b < c->nblocks; b++) {
        for (size_t t = 0; t < c->blocks[b].ntxs; t++) {
            const struct tacit_wallet_ctx *tx = &c->blocks[b].txs[t];
            for (unsigned i = 0; i < 2; i++) {
                struct tacit__wnote *n = nfset_find(&set, w, &tx->nf[i]);
                if (n == NULL || n->spent_height != TACIT_WALLET_NO_HEIGHT) continue;
                n->spent_height = c->blocks[b].height;
                n->reserved = false;
                res->spends_found++;
            }
            for (size_t j = 0; j < w->nsent; j++) {
                struct tacit__wsent *s = &w->sent[j];
                if (s->state != TACIT_WALLET_TX_PENDING) continue;
                if (memcmp(s->txid, tx->id, 32) == 0) {
                    s->state = TACIT_WALLET_TX_INCLUDED;
                    s->height = c->blocks[b].height;
                } else if (s->nin > 0 && (tacit_fr_eq(&s->nf[0], &tx->nf[0]) ||
                                          tacit_fr_eq(&s->nf[0], &tx->nf[1]) ||
                                          tacit_fr_eq(&s->nf[1], &tx->nf[0]) ||
                                          tacit_fr_eq(&s->nf[1], &tx->nf[1]))) {
                    /* another tx spent our inputs first (another process with this wallet) */
                    s->state = TACIT_WALLET_TX_REJECTED;
                    s->error = TACIT_ENULLIFIER_SPENT;
                }
            }
        }
    }

    /* the tree (every subtree the chunk completes becomes a job: see witness.c) */
    if ((cms = malloc((ncm ? ncm : 1) * sizeof *cms)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    for (size_t b = 0; b < c->nblocks; b++)
        for (size_t t = 0; t < c->blocks[b].ntxs; t++) {
            cms[k++] = c->blocks[b].txs[t].cm[0];
            cms[k++] = c->blocks[b].txs[t].cm[1];
        }
    rc = tacit__wtree_append(w, cms, ncm, nr->roots, nr->start, nr->n, &nr->inner, jobs, njobs,
                             jobs_cap);
    if (rc != TACIT_OK) goto out;
    for (size_t b = 0; b < c->nblocks; b++)
        tacit__wtree_hist_push(&w->tree, c->blocks[b].height,
                               c->blocks[b].commitment_start + 2 * (uint64_t)c->blocks[b].ntxs);

    w->synced_height = c->blocks[c->nblocks - 1].height;
    memcpy(w->synced_hash, c->blocks[c->nblocks - 1].hash, 32);
    w->witness_ok = false;
out:
    free(set.slot);
    free(cms);
    return rc;
}

/* Runs queued jobs (and nothing else) and stores their results. */
static int run_jobs(struct tacit_wallet *w, struct tacit__wtree_job *jobs, size_t njobs,
                    unsigned nthreads)
{
    struct scan_ctx c;
    int rc = TACIT_OK;
    memset(&c, 0, sizeof c);
    c.jobs = jobs;
    c.njobs = njobs;
    c.level = w->tree.level;
    if (njobs) tacit__parallel_run(nthreads, njobs, scan_task, &c);
    for (size_t i = 0; i < njobs; i++)
        if (rc == TACIT_OK) rc = tacit__wtree_job_apply(w, &jobs[i]);
    return rc;
}

static void scan_out_free(struct scan_ctx *c)
{
    if (c->out == NULL) return;
    for (size_t s = 0; s < c->nslices; s++) {
        if (c->out[s].f) {
            sodium_memzero(c->out[s].f, c->out[s].cap * sizeof *c->out[s].f);
            free(c->out[s].f);
        }
    }
    free(c->out);
    c->out = NULL;
}

/* Brings the witnesses to the synced height and checks the root with the node's. */
static int finish(struct tacit_wallet *w, const struct tacit_wallet_node *node)
{
    struct tacit_wallet_header hdr;
    tacit_fr root;
    int rc;
    w->witness_ok = false;
    if (w->synced_height == TACIT_WALLET_NO_HEIGHT) return TACIT_OK;
    /* the node call first: the witness work (per own note) comes after the last request */
    if ((rc = node->header(node->ud, w->synced_height, &hdr)) != TACIT_OK) return rc;
    rc = tacit__wtree_witnesses(w, &root);
    if (rc == TACIT_EBAD_NODE_DATA) {
        /* the node's nodes above an own note's leaves are not theirs: the subtree roots taken
         * from them (perhaps committed) cannot be trusted, so the wallet starts over from
         * block 0 at its next sync */
        int rrc = tacit__wallet_store_reset_sync(w);
        return rrc != TACIT_OK ? rrc : rc;
    }
    if (rc != TACIT_OK) return rc;
    if (hdr.commitment_count != w->tree.size || !tacit_fr_eq(&hdr.note_root, &root) ||
        memcmp(hdr.hash, w->synced_hash, 32) != 0)
        return TACIT_ENOTE_ROOT;
    w->anchor = root;
    w->witness_ok = true;
    return TACIT_OK;
}

/* Refuses a node of another chain (TACIT_ECHAIN_ID, w->foreign says which), before anything is
 * changed. Called where the wallet would start over from block 0 (the node's tip below our
 * height, another block at it): block 0 tells a reverted or reorganised chain (the same
 * genesis: start over) from another chain (a replaced devnet). A wallet that recorded no chain
 * yet (format 1, never synced) starts over as before. */
static int same_genesis(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                        const struct tacit_wallet_chain_info *info)
{
    struct tacit_wallet_header h;
    int rc;
    if (!w->bound) return TACIT_OK;
    w->foreign.bound = true;
    w->foreign.chain_id = info->chain_id;
    memset(w->foreign.genesis_hash, 0, 32);
    if (info->height == TACIT_WALLET_NO_HEIGHT) return TACIT_ECHAIN_ID; /* no block 0 */
    if ((rc = node->header(node->ud, 0, &h)) != TACIT_OK) return rc;
    memcpy(w->foreign.genesis_hash, h.hash, 32);
    return memcmp(h.hash, w->genesis, 32) == 0 ? TACIT_OK : TACIT_ECHAIN_ID;
}

int tacit_wallet_sync(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                      const struct tacit_wallet_sync_opts *opts,
                      struct tacit_wallet_sync_result *result)
{
    struct tacit_wallet_sync_opts o = {0};
    struct tacit_wallet_sync_result res;
    struct tacit__wtree_job *jobs = NULL;
    size_t njobs = 0, jobs_cap = 0;
    unsigned restarts = 0, nthreads;
    int rc = TACIT_OK, stop = 0;

    if (opts) o = *opts;
    if (o.chunk_blocks == 0) o.chunk_blocks = CHUNK_DEFAULT;
    if (o.chunk_blocks > CHUNK_MAX) o.chunk_blocks = CHUNK_MAX;
    nthreads = o.nthreads ? o.nthreads : tacit__nthreads_default();
    memset(&res, 0, sizeof res);

restart : {
    struct tacit_wallet_chain_info info;
    bool uncommitted = false, reloaded;
    uint64_t from, target, over = 0;
    double last_commit = now_s();

    jobs_free(jobs, njobs);
    njobs = 0;
    if ((rc = tacit__wallet_store_refresh(w, &reloaded)) != TACIT_OK) goto out;
    if ((rc = node->chain_info(node->ud, &info)) != TACIT_OK) goto out;

    /* the wallet's chain (docs/wallet.md, "Network safety"): a node of the other network or
     * of another chain id is refused, nothing changed */
    memset(&w->foreign, 0, sizeof w->foreign);
    if (info.devnet != (w->net == TACIT_NETWORK_DEVNET) ||
        (w->bound && info.chain_id != w->bound_chain_id)) {
        w->foreign.bound = true;
        w->foreign.chain_id = info.chain_id;
        rc = info.devnet != (w->net == TACIT_NETWORK_DEVNET) ? TACIT_ENETWORK : TACIT_ECHAIN_ID;
        goto out;
    }

    /* a node that no longer has our block: reset, reorg, another chain (the hash at our
     * height is checked in the first chunk, which overlaps the synced blocks) */
    if (w->synced_height != TACIT_WALLET_NO_HEIGHT || w->nnotes > 0 || w->tree.size > 0) {
        bool reset = info.height == TACIT_WALLET_NO_HEIGHT ||
                     (w->has_chain_id && w->chain_id != info.chain_id) ||
                     (w->synced_height != TACIT_WALLET_NO_HEIGHT && info.height < w->synced_height);
        if (reset) {
            if ((rc = same_genesis(w, node, &info)) != TACIT_OK) goto out;
            if ((rc = tacit__wallet_store_reset_sync(w)) != TACIT_OK) goto out;
            res.rescanned = true;
        }
    }
    if (info.height == TACIT_WALLET_NO_HEIGHT) goto done;
    w->chain_id = info.chain_id;
    w->has_chain_id = true;

    target = info.height;
    if (o.to_height != 0 && o.to_height < target) target = o.to_height;
    from = 0;
    if (w->synced_height != TACIT_WALLET_NO_HEIGHT) {
        /* resume 1..OVERLAP_MAX blocks before the synced height, not at the height after it
         * (a request for exactly where the last sync ended links the two sessions); the
         * overlapped blocks are checked against what the wallet holds, never applied again */
        uint64_t k = 1 + tacit__wallet_uniform(TACIT__WALLET_OVERLAP_MAX);
        if (target < w->synced_height) goto done; /* to_height below what we have */
        if (k > w->synced_height) k = w->synced_height;
        from = w->synced_height - k;
        over = k + 1;
    }

    while (from <= target && stop == 0) {
        struct tacit_wallet_cblock *blocks = NULL, *fresh;
        struct chunk_roots nr = {0};
        struct scan_ctx c;
        size_t nb = 0, nfresh;
        uint64_t to = target - from >= o.chunk_blocks ? from + o.chunk_blocks - 1 : target, ncm = 0;

        if (over > 0 && to < from + over - 1) to = from + over - 1; /* reach our block */
        if ((rc = node->block_range(node->ud, from, to, &blocks, &nb)) != TACIT_OK) goto out;
        if (over > 0) {
            /* blocks from..synced: the last one must be ours (hash), the tree sizes agree */
            uint64_t leaves;
            bool ok;
            if (nb < over || memcmp(blocks[over - 1].hash, w->synced_hash, 32) != 0) {
                /* another block at our height, or none: start over from block 0 (on the
                 * same chain only) */
                node->free_blocks(node->ud, blocks, nb);
                if ((rc = same_genesis(w, node, &info)) != TACIT_OK) goto out;
                if ((rc = tacit__wallet_store_reset_sync(w)) != TACIT_OK) goto out;
                res.rescanned = true;
                goto restart;
            }
            leaves = blocks[0].commitment_start;
            ok = true;
            for (size_t i = 0; i < over; i++) {
                if (blocks[i].height != from + i || blocks[i].commitment_start != leaves)
                    ok = false;
                leaves += 2 * (uint64_t)blocks[i].ntxs;
            }
            if (!ok || leaves != w->tree.size) {
                node->free_blocks(node->ud, blocks, nb);
                rc = TACIT_EBAD_NODE_DATA;
                goto out;
            }
            if (!w->bound) {
                /* a file of format 1, synced before the chain was recorded: our block is the
                 * node's, so its block 0 is our chain's (once; kept by the next commit) */
                struct tacit_wallet_header g;
                if ((rc = node->header(node->ud, 0, &g)) != TACIT_OK) {
                    node->free_blocks(node->ud, blocks, nb);
                    goto out;
                }
                w->bound = true;
                w->bound_chain_id = info.chain_id;
                memcpy(w->genesis, g.hash, 32);
            }
            for (size_t i = 0; i < over; i++) /* a file from before the history was kept */
                tacit__wtree_hist_push(&w->tree, blocks[i].height,
                                       blocks[i].commitment_start + 2 * (uint64_t)blocks[i].ntxs);
        }
        fresh = blocks + over;
        nfresh = nb - over;
        from += over;
        over = 0;
        if (nfresh == 0) {
            node->free_blocks(node->ud, blocks, nb);
            if (from <= to) {
                rc = TACIT_EBAD_NODE_DATA; /* the node said its tip is at least `to` */
                goto out;
            }
            continue;
        }
        if ((rc = chunk_check(w, fresh, nfresh, from)) != TACIT_OK) {
            node->free_blocks(node->ud, blocks, nb);
            goto out;
        }
        if (fresh[0].height == 0) {
            /* block 0: the first sync records the chain (kept by the next commit); a scan
             * from 0 of a wallet bound to another chain stops here, nothing applied */
            if (!w->bound) {
                w->bound = true;
                w->bound_chain_id = info.chain_id;
                memcpy(w->genesis, fresh[0].hash, 32);
            } else if (memcmp(fresh[0].hash, w->genesis, 32) != 0) {
                w->foreign.bound = true;
                w->foreign.chain_id = info.chain_id;
                memcpy(w->foreign.genesis_hash, fresh[0].hash, 32);
                node->free_blocks(node->ud, blocks, nb);
                rc = TACIT_ECHAIN_ID;
                goto out;
            }
        }
        /* every node call of the chunk before any work on it: the subtree roots */
        for (size_t b = 0; b < nfresh; b++) ncm += 2 * (uint64_t)fresh[b].ntxs;
        if ((rc = fetch_roots(w, node, ncm, &nr)) != TACIT_OK) {
            chunk_roots_free(&nr);
            node->free_blocks(node->ud, blocks, nb);
            goto out;
        }

        /* steps 2 and 3: scan + the previous chunk's jobs; commit the previous chunk */
        memset(&c, 0, sizeof c);
        c.blocks = fresh;
        c.nblocks = nfresh;
        c.vk = w->vk;
        c.jobs = jobs;
        c.njobs = njobs;
        c.level = w->tree.level;
        if ((c.block_of = malloc((nfresh + 1) * sizeof *c.block_of)) == NULL) {
            chunk_roots_free(&nr);
            node->free_blocks(node->ud, blocks, nb);
            rc = TACIT_ENOMEM;
            goto out;
        }
        c.block_of[0] = 0;
        for (size_t b = 0; b < nfresh; b++) c.block_of[b + 1] = c.block_of[b] + fresh[b].ntxs;
        c.ntx = c.block_of[nfresh];
        /* 32 slices a thread: the threads end a chunk within a slice (≈ 5 ms at 10,000 txs) of
         * each other, the barrier at each chunk's end costs little */
        c.slice = c.ntx / (32 * (size_t)nthreads);
        if (c.slice < 32) c.slice = 32;
        c.nslices = (c.ntx + c.slice - 1) / c.slice;
        if ((c.out = calloc(c.nslices + 1, sizeof *c.out)) == NULL) rc = TACIT_ENOMEM;
        if (rc == TACIT_OK) {
            tacit__parallel_run(nthreads, njobs + c.nslices, scan_task, &c);
            for (size_t s = 0; s < c.nslices; s++)
                if (c.out[s].oom) rc = TACIT_ENOMEM;
            for (size_t i = 0; i < njobs && rc == TACIT_OK; i++)
                rc = tacit__wtree_job_apply(w, &jobs[i]);
            jobs_free(jobs, njobs);
            njobs = 0;
        }
        if (rc == TACIT_OK && uncommitted &&
            now_s() - last_commit >= tacit__wallet_commit_interval) {
            rc = tacit__wallet_store_commit(w);
            if (rc == TACIT_OK) {
                uncommitted = false;
                last_commit = now_s();
            }
        }
        if (rc == TACIT_OK) rc = chunk_apply(w, &c, &nr, &jobs, &njobs, &jobs_cap, &res);
        chunk_roots_free(&nr);
        scan_out_free(&c);
        free(c.block_of);
        node->free_blocks(node->ud, blocks, nb);
        if (rc == TACIT_EBUSY && restarts++ < RESTARTS_MAX) goto restart;
        if (rc != TACIT_OK) goto out;
        uncommitted = true;
        res.blocks += nfresh;
        res.outputs += 2 * (uint64_t)c.ntx;
        from = w->synced_height + 1;
        if (o.progress) {
            struct tacit_wallet_sync_progress p = {w->synced_height, target, res.blocks,
                                                   res.outputs, res.notes_found};
            stop = o.progress(o.progress_ud, &p);
        }
    }
done:
    /* the last jobs, witnesses, root check, commit */
    if ((rc = run_jobs(w, jobs, njobs, nthreads)) != TACIT_OK) goto out;
    jobs_free(jobs, njobs);
    njobs = 0;
    {
        int frc = finish(w, node);
        if (frc != TACIT_OK && frc != TACIT_ENOTE_ROOT) {
            rc = frc;
            goto out;
        }
        rc = tacit__wallet_store_commit(w);
        if (rc == TACIT_EBUSY && restarts++ < RESTARTS_MAX) goto restart;
        if (rc == TACIT_OK) rc = frc;
    }
}
out:
    jobs_free(jobs, njobs);
    free(jobs);
    /* a failed step may have left memory ahead of the file (a chunk applied, its subtree
     * jobs dropped): go back to the last commit, which a resumed sync continues from */
    if (rc != TACIT_OK) (void)tacit__wallet_store_reload(w);
    res.height = w->synced_height;
    if (result) *result = res;
    if (rc == TACIT_OK && stop != 0) rc = stop;
    return rc;
}

int tacit_wallet_rescan(struct tacit_wallet *w) { return tacit__wallet_store_reset_sync(w); }

/* Fills the empty tree with the node's: roots of the nroots complete subtrees, then the n
 * leaves of the incomplete one. */
static int tree_from_node(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                          size_t nroots, size_t n)
{
    struct tacit__wtree *t = &w->tree;
    uint64_t base = (uint64_t)nroots << t->level;
    size_t got;
    int rc;
    if ((t->roots = calloc(nroots + 1, sizeof *t->roots)) == NULL) return TACIT_ENOMEM;
    t->roots_cap = nroots + 1;
    while (t->nroots < nroots) {
        size_t want = nroots - t->nroots > 65536 ? 65536 : nroots - t->nroots;
        if ((rc = node->subtree_roots(node->ud, t->nroots, want, t->roots + t->nroots, &got)) !=
            TACIT_OK)
            return rc;
        if (got == 0 || got > want) return TACIT_EBAD_NODE_DATA;
        t->nroots += got;
    }
    while (t->nleaves < n) { /* 16,384 a call: about 1 MiB of JSON, under the RPC's room */
        size_t want = n - t->nleaves > 16384 ? 16384 : n - t->nleaves;
        if ((rc = node->commitments(node->ud, base + t->nleaves, want, t->leaves + t->nleaves,
                                    &got)) != TACIT_OK)
            return rc;
        if (got == 0 || got > want) return TACIT_EBAD_NODE_DATA;
        t->nleaves += got;
    }
    t->size = base + n;
    return TACIT_OK;
}

int tacit_wallet_start_at(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                          uint64_t birthday)
{
    struct tacit_wallet_chain_info info;
    struct tacit_wallet_header g, hb;
    uint64_t count;
    tacit_fr root;
    int rc;
    if (birthday == 0) return TACIT_OK;
    if (w->synced_height != TACIT_WALLET_NO_HEIGHT || w->nnotes > 0 || w->tree.size > 0 ||
        node->subtree_roots == NULL || node->commitments == NULL ||
        node->subtree_level != w->tree.level)
        return TACIT_EINVAL;
    if ((rc = tacit_wallet_check_chain(w, node)) != TACIT_OK) return rc;
    if ((rc = node->chain_info(node->ud, &info)) != TACIT_OK) return rc;
    if (info.height == TACIT_WALLET_NO_HEIGHT || birthday > info.height) return TACIT_EINVAL;
    if ((rc = node->header(node->ud, 0, &g)) != TACIT_OK ||
        (rc = node->header(node->ud, birthday - 1, &hb)) != TACIT_OK)
        return rc;
    count = hb.commitment_count;
    if (count > TACIT_TREE_MAX_LEAVES) return TACIT_EBAD_NODE_DATA;
    rc = tree_from_node(w, node, (size_t)(count >> w->tree.level),
                        (size_t)(count & (((uint64_t)1 << w->tree.level) - 1)));
    tacit__wtree_hist_push(&w->tree, birthday - 1, count);
    if (rc == TACIT_OK) rc = tacit__wtree_witnesses(w, &root);
    if (rc == TACIT_OK && !tacit_fr_eq(&root, &hb.note_root)) rc = TACIT_EBAD_NODE_DATA;
    if (rc != TACIT_OK) {
        (void)tacit__wallet_store_reload(w); /* the empty tree again */
        return rc;
    }
    if (!w->bound) {
        w->bound = true;
        w->bound_chain_id = info.chain_id;
        memcpy(w->genesis, g.hash, 32);
    }
    w->chain_id = info.chain_id;
    w->has_chain_id = true;
    w->synced_height = birthday - 1;
    memcpy(w->synced_hash, hb.hash, 32);
    w->anchor = root;
    w->witness_ok = true;
    if ((rc = tacit__wallet_store_commit(w)) != TACIT_OK) (void)tacit__wallet_store_reload(w);
    return rc;
}

int tacit_wallet_check_chain(struct tacit_wallet *w, const struct tacit_wallet_node *node)
{
    struct tacit_wallet_chain_info info;
    int rc;
    memset(&w->foreign, 0, sizeof w->foreign);
    if ((rc = node->chain_info(node->ud, &info)) != TACIT_OK) return rc;
    w->foreign.bound = true;
    w->foreign.chain_id = info.chain_id;
    if (info.devnet != (w->net == TACIT_NETWORK_DEVNET)) return TACIT_ENETWORK;
    if (w->bound && info.chain_id != w->bound_chain_id) return TACIT_ECHAIN_ID;
    return same_genesis(w, node, &info);
}
