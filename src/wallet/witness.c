/*
 * tacit — the wallet's view of the note commitment tree, and its notes' witnesses
 * (docs/wallet.md, "Witnesses").
 *
 * The tree (DESIGN 2.4: depth 32, Poseidon(left, right), empty subtrees Z[l]) is cut at
 * level h (16 for tacitd) into subtrees of 2^h leaves. The wallet keeps:
 *  - the root of every complete subtree (2^(32-h) at most: 2 MiB at h = 16), hashed here
 *    once on a worker thread while the next chunk of blocks is scanned — from its 2^h leaves
 *    (2^h - 1 hashes), or from the node's 2^(h-L) nodes at level L (tacit_getTreeNodes:
 *    2^(h-L) - 1 hashes; see job_run_inner) — every subtree, not only those holding own
 *    notes, so that the time between two requests does not say which hold them; the node's
 *    root (tacit_getSubtreeRoots) is checked;
 *  - the leaves of the last, incomplete subtree (at most 2^h);
 *  - for each own note, its h lower siblings, final once the note's subtree is complete
 *    (taken from that subtree's hashing; its leaves are then dropped);
 *  - for the last 16 synced blocks, the tree size and the frontier of the then incomplete
 *    subtree: enough to rebuild the root and the notes' paths at that block (the anchor of a
 *    send is 3..10 blocks back).
 * A witness is then the note's lower siblings (or, in the incomplete subtree, siblings from
 * its leaves) and upper siblings from the small tree whose leaves are the subtree roots.
 * Why not the node's paths: asking for a path tells the node which note is ours.
 *
 * Level arrays: for n leaves, level l has ceil(n / 2^l) nodes; a node whose right child is
 * past the end pairs with Z[l] (the empty subtree), exactly as the full tree does.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/poseidon.h"
#include "wallet/wallet_internal.h"

uint64_t tacit__wallet_hashes; /* test hook (wallet_internal.h) */

static uint32_t uniform_default(uint32_t upper) { return randombytes_uniform(upper); }
uint32_t (*tacit__wallet_uniform)(uint32_t upper) = uniform_default;

static void count_hashes(uint64_t n)
{
    __atomic_fetch_add(&tacit__wallet_hashes, n, __ATOMIC_RELAXED);
}

int tacit__wtree_init(struct tacit__wtree *t, unsigned level)
{
    memset(t, 0, sizeof *t);
    t->level = level;
    if ((t->leaves = calloc((size_t)1 << level, sizeof *t->leaves)) == NULL) return TACIT_ENOMEM;
    return TACIT_OK;
}

void tacit__wtree_clear(struct tacit__wtree *t)
{
    free(t->roots);
    free(t->leaves);
    free(t->levels);
    memset(t, 0, sizeof *t);
}

static size_t level_count(size_t n, unsigned l)
{
    return (size_t)((n + ((size_t)1 << l) - 1) >> l);
}

/*
 * Hashes the level arrays of n leaves up to level `top`: lv[0] = leaves, lv[1..top] point
 * into scratch (at least n + top entries). Returns the node at level top, index 0 (Z[top]
 * for n = 0). `zbase` is the level of the leaves in the full tree (0 for note leaves, h for
 * the upper tree over subtree roots) so that the empty subtrees are the right Z.
 */
static void levels_hash(const tacit_fr **lv, tacit_fr *scratch, const tacit_fr *leaves, size_t n,
                        unsigned top, unsigned zbase, tacit_fr *root)
{
    tacit_fr *p = scratch;
    uint64_t hashed = 0;
    lv[0] = leaves;
    for (unsigned l = 1; l <= top; l++) {
        size_t below = level_count(n, l - 1), cnt = level_count(n, l);
        const tacit_fr *src = lv[l - 1];
        for (size_t j = 0; j < cnt; j++) {
            const tacit_fr *right =
                2 * j + 1 < below ? &src[2 * j + 1] : tacit_tree_zero(zbase + l - 1);
            tacit_poseidon2(&p[j], &src[2 * j], right);
        }
        lv[l] = p;
        p += cnt;
        hashed += cnt;
    }
    count_hashes(hashed);
    *root = n > 0 ? lv[top][0] : *tacit_tree_zero(zbase + top);
}

/* Sibling at level l of position i in level arrays over n leaves. */
static const tacit_fr *sibling(const tacit_fr **lv, size_t n, unsigned l, uint64_t i,
                               unsigned zbase)
{
    uint64_t j = (i >> l) ^ 1;
    return j < level_count(n, l) ? &lv[l][j] : tacit_tree_zero(zbase + l);
}

/* Largest block of leaves hashed on its own (a note's block: 2^inner_level leaves). */
#define BLOCK_MAX (TACIT_TREE_DEPTH / 2)

/* The node at level l (2^l <= BLOCK_MAX) over the 2^l leaves from `leaves`. */
static void block_root(tacit_fr *out, const tacit_fr *leaves, unsigned l)
{
    const tacit_fr *lv[TACIT_TREE_DEPTH + 1];
    tacit_fr scratch[BLOCK_MAX + TACIT_TREE_DEPTH + 1];
    levels_hash(lv, scratch, leaves, (size_t)1 << l, l, 0, out);
}

/* Fills the frontier of every history entry whose size lies inside subtree s (not at its
 * start), from level arrays lv of that subtree holding at least that many leaves; a level
 * whose array is NULL (below the node's inner level) is hashed from the leaves, lv[0]. */
static void hist_fronts(struct tacit__wtree *t, uint64_t s, const tacit_fr **lv)
{
    unsigned h = t->level;
    for (size_t i = 0; i < t->nhist; i++) {
        uint64_t size = t->hist_size[i], r = size & (((uint64_t)1 << h) - 1);
        if (t->hist_front_ok[i] || (size >> h) != s) continue;
        for (unsigned l = 0; l < h; l++) {
            uint64_t j = (r >> l) - 1;
            if (!((r >> l) & 1)) continue;
            if (lv[l] != NULL)
                t->hist_front[i][l] = lv[l][j];
            else
                block_root(&t->hist_front[i][l], &lv[0][j << l], l);
        }
        t->hist_front_ok[i] = true;
    }
}

/* ---------------------------------------------------------------- jobs ---- */

/* Values per note in job->lower. */
static size_t job_stride(const struct tacit__wtree_job *job, unsigned level)
{
    return job->inner != NULL ? level + ((size_t)1 << job->inner_level) : level;
}

/*
 * With the node's nodes at level L = inner_level: the subtree's root is hashed from them
 * (2^(h-L) - 1 hashes instead of 2^h - 1), the same work for every subtree. A note's siblings
 * at levels L..h-1 come from those levels; its block of 2^L leaves is kept, and the siblings
 * below L are hashed from it after the sync's last request (tacit__wtree_witnesses), so the
 * hashing between two requests still does not depend on the notes. The block hashed up
 * through those siblings must give this root: the node's nodes are bound to the leaves the
 * wallet holds by Poseidon's collision resistance.
 */
static void job_run_inner(struct tacit__wtree_job *job, unsigned level)
{
    unsigned L = job->inner_level, up = level - L;
    size_t m = (size_t)1 << up, blk = (size_t)1 << L, stride = job_stride(job, level);
    const tacit_fr *lv[TACIT_TREE_DEPTH + 1];
    tacit_fr *scratch = malloc((m + up + 1) * sizeof *scratch);
    if (scratch == NULL) return;
    levels_hash(lv, scratch, job->inner, m, up, L, &job->root);
    for (size_t k = 0; k < job->nnotes; k++) {
        uint64_t local = job->note_index[k] & (((uint64_t)1 << level) - 1);
        tacit_fr *out = &job->lower[k * stride];
        for (unsigned l = 0; l < L; l++) out[l] = TACIT_FR_ZERO;
        for (unsigned l = 0; l < up; l++) out[L + l] = *sibling(lv, m, l, local >> L, L);
        memcpy(&out[level], &job->leaves[(local >> L) << L], blk * sizeof *out);
    }
    job->leaves_done = true;
    job->levels = scratch;
}

void tacit__wtree_job_run(struct tacit__wtree_job *job, unsigned level)
{
    size_t n = (size_t)1 << level;
    const tacit_fr *lv[TACIT_TREE_DEPTH + 1];
    tacit_fr *scratch;
    if (job->inner != NULL) {
        job_run_inner(job, level);
        return;
    }
    scratch = malloc((n + level + 1) * sizeof *scratch);
    if (scratch == NULL) return; /* leaves_done stays false: tacit__wtree_job_apply fails */
    levels_hash(lv, scratch, job->leaves, n, level, 0, &job->root);
    for (size_t k = 0; k < job->nnotes; k++) {
        uint64_t local = job->note_index[k] & (n - 1);
        for (unsigned l = 0; l < level; l++)
            job->lower[k * level + l] = *sibling(lv, n, l, local, 0);
    }
    job->leaves_done = true;
    job->levels = scratch; /* kept for the history's frontiers (tacit__wtree_job_apply) */
}

void tacit__wtree_job_free(struct tacit__wtree_job *job)
{
    if (job == NULL) return;
    free(job->leaves);
    free(job->levels);
    free(job->inner);
    free(job->note_index);
    free(job->lower);
    memset(job, 0, sizeof *job);
}

int tacit__wtree_job_apply(struct tacit_wallet *w, const struct tacit__wtree_job *job)
{
    unsigned h = w->tree.level, L = job->inner != NULL ? job->inner_level : 0;
    size_t stride = job_stride(job, h);
    if (!job->leaves_done) return TACIT_ENOMEM;
    if (job->has_node_root && !tacit_fr_eq(&job->node_root, &job->root))
        return TACIT_EBAD_NODE_DATA;
    w->tree.roots[job->subtree] = job->root;
    {
        /* the frontiers of the history entries inside this subtree, from its levels (those
         * below the node's level L from the leaves) */
        const tacit_fr *lv[TACIT_TREE_DEPTH + 1];
        const tacit_fr *p = job->levels;
        lv[0] = job->leaves;
        for (unsigned l = 1; l <= h; l++) {
            if (l < L) {
                lv[l] = NULL;
                continue;
            }
            if (l == L) {
                lv[l] = job->inner;
                continue;
            }
            lv[l] = p;
            p += (size_t)1 << (h - l);
        }
        hist_fronts(&w->tree, job->subtree, lv);
    }
    for (size_t k = 0; k < job->nnotes; k++) {
        struct tacit__wnote *n = tacit__wallet_find_note(w, job->note_index[k]);
        if (n == NULL) continue;
        memcpy(n->lower, &job->lower[k * stride], stride * sizeof *n->lower);
        n->lower_done = L == 0;
        n->bottom_level = (uint8_t)L;
    }
    return TACIT_OK;
}

static int roots_reserve(struct tacit__wtree *t, size_t n)
{
    tacit_fr *p;
    size_t cap;
    if (n <= t->roots_cap) return TACIT_OK;
    cap = t->roots_cap ? 2 * t->roots_cap : 64;
    while (cap < n) cap *= 2;
    if ((p = realloc(t->roots, cap * sizeof *p)) == NULL) return TACIT_ENOMEM;
    t->roots = p;
    t->roots_cap = cap;
    return TACIT_OK;
}

/* The own notes in subtree s whose lower path is not final yet (into job, when job != NULL). */
static size_t notes_in_subtree(struct tacit_wallet *w, uint64_t s, uint64_t *out)
{
    unsigned h = w->tree.level;
    uint64_t lo = s << h, hi = (s + 1) << h;
    size_t a = 0, b = w->nnotes, k = 0;
    while (a < b) { /* first note with index >= lo */
        size_t mid = a + (b - a) / 2;
        if (w->notes[mid].index < lo)
            a = mid + 1;
        else
            b = mid;
    }
    for (size_t i = a; i < w->nnotes && w->notes[i].index < hi; i++) {
        if (w->notes[i].lower_done) continue;
        if (out) out[k] = w->notes[i].index;
        k++;
    }
    return k;
}

/* The job for subtree s, which just completed; takes the leaves buffer, and copies the
 * node's inner nodes for it when `inner` covers it. */
static int queue_job(struct tacit_wallet *w, uint64_t s, size_t nnotes,
                     const struct tacit__wtree_inner *inner, struct tacit__wtree_job **jobs,
                     size_t *njobs, size_t *cap)
{
    struct tacit__wtree *t = &w->tree;
    struct tacit__wtree_job *j;
    tacit_fr *fresh;
    if (*njobs == *cap) {
        size_t c = *cap ? 2 * *cap : 8;
        struct tacit__wtree_job *p = realloc(*jobs, c * sizeof *p);
        if (p == NULL) return TACIT_ENOMEM;
        *jobs = p;
        *cap = c;
    }
    j = &(*jobs)[*njobs];
    memset(j, 0, sizeof *j);
    j->subtree = s;
    j->nnotes = nnotes;
    if (inner != NULL && inner->level > 0 && s >= inner->start && s - inner->start < inner->nsub) {
        size_t m = (size_t)1 << (t->level - inner->level);
        j->inner_level = inner->level;
        if ((j->inner = malloc(m * sizeof *j->inner)) != NULL)
            memcpy(j->inner, &inner->nodes[(size_t)(s - inner->start) * m], m * sizeof *j->inner);
    }
    j->note_index = malloc((nnotes ? nnotes : 1) * sizeof *j->note_index);
    j->lower = malloc((nnotes ? nnotes : 1) * job_stride(j, t->level) * sizeof *j->lower);
    fresh = malloc(((size_t)1 << t->level) * sizeof *fresh);
    if (j->note_index == NULL || j->lower == NULL || fresh == NULL ||
        (j->inner_level > 0 && j->inner == NULL)) {
        free(fresh);
        tacit__wtree_job_free(j);
        return TACIT_ENOMEM;
    }
    notes_in_subtree(w, s, j->note_index);
    j->leaves = t->leaves; /* the job owns the complete subtree's leaves now */
    t->leaves = fresh;
    (*njobs)++;
    return TACIT_OK;
}

int tacit__wtree_append(struct tacit_wallet *w, const tacit_fr *leaves, size_t n,
                        const tacit_fr *roots, uint64_t roots_start, size_t nroots_given,
                        const struct tacit__wtree_inner *inner, struct tacit__wtree_job **jobs,
                        size_t *njobs, size_t *jobs_cap)
{
    struct tacit__wtree *t = &w->tree;
    size_t full = (size_t)1 << t->level;
    int rc;
    while (n > 0) {
        size_t take = full - t->nleaves;
        uint64_t s;
        size_t mine;
        if (take > n) take = n;
        memcpy(&t->leaves[t->nleaves], leaves, take * sizeof *leaves);
        t->nleaves += take;
        t->size += take;
        leaves += take;
        n -= take;
        if (t->nleaves < full) break;

        /* subtree s is complete: hashed by a job whether it holds own notes or not */
        s = t->nroots;
        if ((rc = roots_reserve(t, t->nroots + 1)) != TACIT_OK) return rc;
        mine = notes_in_subtree(w, s, NULL);
        if ((rc = queue_job(w, s, mine, inner, jobs, njobs, jobs_cap)) != TACIT_OK) return rc;
        if (s >= roots_start && s - roots_start < nroots_given) {
            (*jobs)[*njobs - 1].has_node_root = true;
            (*jobs)[*njobs - 1].node_root = roots[s - roots_start];
        }
        t->roots[s] = TACIT_FR_ZERO; /* set by tacit__wtree_job_apply */
        t->nroots++;
        t->nleaves = 0;
    }
    return TACIT_OK;
}

/*
 * The level arrays of the incomplete subtree into t->levels, reusing what the last call
 * computed: node (l, j) is final once its 2^l leaves are all there (j < n_old >> l), so
 * only the nodes from there on are hashed again (the new leaves and the right edge).
 */
static int incomplete_levels(struct tacit__wtree *t, const tacit_fr **lv, tacit_fr *root)
{
    unsigned h = t->level;
    size_t full = (size_t)1 << h, off = 0;
    uint64_t hashed = 0;
    if (t->levels == NULL) {
        if ((t->levels = malloc(2 * full * sizeof *t->levels)) == NULL) return TACIT_ENOMEM;
        t->levels_n = 0;
    }
    if (t->levels_sub != t->nroots || t->levels_n > t->nleaves) t->levels_n = 0;
    lv[0] = t->leaves;
    for (unsigned l = 1; l <= h; l++) {
        size_t below = level_count(t->nleaves, l - 1), cnt = level_count(t->nleaves, l);
        tacit_fr *dst = t->levels + off;
        for (size_t j = t->levels_n >> l; j < cnt; j++) {
            const tacit_fr *right =
                2 * j + 1 < below ? &lv[l - 1][2 * j + 1] : tacit_tree_zero(l - 1);
            tacit_poseidon2(&dst[j], &lv[l - 1][2 * j], right);
            hashed++;
        }
        lv[l] = dst;
        off += full >> (l - 1);
    }
    count_hashes(hashed);
    t->levels_n = t->nleaves;
    t->levels_sub = t->nroots;
    *root = t->nleaves > 0 ? lv[h][0] : *tacit_tree_zero(h);
    return TACIT_OK;
}

/*
 * A note whose subtree was hashed from the node's nodes at level L (job_run_inner): its
 * siblings below L from its block of leaves, then the block hashed up through the siblings
 * at L..h-1 must give the subtree's root — else the node's nodes are not those of the
 * leaves (TACIT_EBAD_NODE_DATA), and the note's commitment must be its leaf.
 */
static int bottom_resolve(struct tacit__wtree *t, struct tacit__wnote *n)
{
    unsigned h = t->level, L = n->bottom_level;
    size_t blk = (size_t)1 << L;
    uint64_t local = n->index & (((uint64_t)1 << h) - 1), s = n->index >> h;
    const tacit_fr *lv[TACIT_TREE_DEPTH + 1];
    tacit_fr scratch[BLOCK_MAX + TACIT_TREE_DEPTH + 1], node, below[TACIT_TREE_DEPTH];
    if (L == 0 || L >= h || h + blk > TACIT_TREE_DEPTH || s >= t->nroots) return TACIT_ECORRUPT;
    if (!tacit_fr_eq(&n->lower[h + (local & (blk - 1))], &n->cm)) return TACIT_EBAD_NODE_DATA;
    levels_hash(lv, scratch, &n->lower[h], blk, L, 0, &node);
    for (unsigned l = 0; l < L; l++) below[l] = *sibling(lv, blk, l, local & (blk - 1), 0);
    for (unsigned l = L; l < h; l++) {
        if ((local >> l) & 1)
            tacit_poseidon2(&node, &n->lower[l], &node);
        else
            tacit_poseidon2(&node, &node, &n->lower[l]);
    }
    count_hashes(h - L);
    if (!tacit_fr_eq(&node, &t->roots[s])) return TACIT_EBAD_NODE_DATA;
    memcpy(n->lower, below, L * sizeof *below);
    sodium_memzero(&n->lower[h], blk * sizeof *n->lower);
    n->bottom_level = 0;
    n->lower_done = true;
    return TACIT_OK;
}

int tacit__wtree_witnesses(struct tacit_wallet *w, tacit_fr *root)
{
    struct tacit__wtree *t = &w->tree;
    unsigned h = t->level, up_top = TACIT_TREE_DEPTH - h;
    const tacit_fr *lv[TACIT_TREE_DEPTH + 1], *uv[TACIT_TREE_DEPTH + 1];
    tacit_fr *upper = NULL, *uscratch = NULL, cur_root;
    size_t nup = t->nroots + (t->nleaves > 0 ? 1 : 0);
    int rc = TACIT_OK;

    for (size_t i = 0; i < w->nnotes; i++)
        if (w->notes[i].bottom_level != 0 && (rc = bottom_resolve(t, &w->notes[i])) != TACIT_OK)
            return rc;
    if ((upper = malloc((nup + 1) * sizeof *upper)) == NULL ||
        (uscratch = malloc((nup + up_top + 1) * sizeof *uscratch)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    /* the incomplete subtree, then the tree over the subtree roots */
    if ((rc = incomplete_levels(t, lv, &cur_root)) != TACIT_OK) goto out;
    hist_fronts(t, t->nroots, lv);
    if (t->nroots) memcpy(upper, t->roots, t->nroots * sizeof *upper);
    if (t->nleaves > 0) upper[t->nroots] = cur_root;
    levels_hash(uv, uscratch, upper, nup, up_top, h, root);

    for (size_t i = 0; i < w->nnotes; i++) {
        struct tacit__wnote *n = &w->notes[i];
        uint64_t s = n->index >> h;
        if (n->spent_height != TACIT_WALLET_NO_HEIGHT) continue;
        if (n->index >= t->size) {
            rc = TACIT_ECORRUPT;
            goto out;
        }
        if (s < t->nroots) {
            if (!n->lower_done) {
                rc = TACIT_ECORRUPT;
                goto out;
            }
            memcpy(n->path, n->lower, h * sizeof *n->path);
        } else {
            uint64_t local = n->index & (((uint64_t)1 << h) - 1);
            for (unsigned l = 0; l < h; l++) n->path[l] = *sibling(lv, t->nleaves, l, local, 0);
        }
        for (unsigned k = 0; k < up_top; k++) n->path[h + k] = *sibling(uv, nup, k, s, h);
    }
out:
    free(upper);
    free(uscratch);
    return rc;
}

int tacit_wallet_witness(struct tacit_tree_path *path, tacit_fr *root, const struct tacit_wallet *w,
                         uint64_t index)
{
    const struct tacit__wnote *n = tacit__wallet_find_note((struct tacit_wallet *)w, index);
    memset(path, 0, sizeof *path);
    *root = TACIT_FR_ZERO;
    if (n == NULL || n->spent_height != TACIT_WALLET_NO_HEIGHT) return TACIT_ENOTFOUND;
    if (!w->witness_ok) return TACIT_ENOT_SYNCED;
    path->index = n->index;
    memcpy(path->sibling, n->path, sizeof path->sibling);
    *root = w->anchor;
    return TACIT_OK;
}

/* ------------------------------------------------------ older anchors ---- */

void tacit__wtree_hist_push(struct tacit__wtree *t, uint64_t height, uint64_t size)
{
    if (t->nhist > 0 && height <= t->hist_height[t->nhist - 1]) return;
    if (t->nhist == TACIT__WALLET_HISTORY) {
        memmove(t->hist_height, t->hist_height + 1, (t->nhist - 1) * sizeof *t->hist_height);
        memmove(t->hist_size, t->hist_size + 1, (t->nhist - 1) * sizeof *t->hist_size);
        memmove(t->hist_front, t->hist_front + 1, (t->nhist - 1) * sizeof *t->hist_front);
        memmove(t->hist_front_ok, t->hist_front_ok + 1, (t->nhist - 1) * sizeof *t->hist_front_ok);
        t->nhist--;
    }
    t->hist_height[t->nhist] = height;
    t->hist_size[t->nhist] = size;
    t->hist_front_ok[t->nhist] = (size & (((uint64_t)1 << t->level) - 1)) == 0;
    t->nhist++;
}

bool tacit__wtree_can_rebuild(const struct tacit__wtree *t, size_t i)
{
    return i < t->nhist && t->hist_front_ok[i] && t->hist_size[i] <= t->size;
}

/*
 * The tree at size = s * 2^h + r leaves. Its subtrees below s are complete (their roots are
 * final). When r > 0, a node of subtree s at level l is: complete if its 2^l leaves are all
 * below r — the same node as today, so, when it is a note's sibling, the sibling in the
 * note's current path; the "edge" node (l, r >> l) over the leaves below r when some but not
 * all are, hashed here bottom up from the frontier (h hashes at most); Z[l] when none are.
 */
/* The current paths and root (size == the tree's size). */
static int wtree_now(struct tacit_wallet *w, const uint64_t *index, size_t n, tacit_fr *paths,
                     tacit_fr *root)
{
    for (size_t k = 0; k < n; k++) {
        const struct tacit__wnote *nt = tacit__wallet_find_note(w, index[k]);
        if (nt == NULL || nt->spent_height != TACIT_WALLET_NO_HEIGHT) return TACIT_ENOTFOUND;
        memcpy(paths + k * TACIT_TREE_DEPTH, nt->path, sizeof nt->path);
    }
    *root = w->anchor;
    return TACIT_OK;
}

/* tacit__wtree_at with the frontier of subtree size >> h at size mod 2^h leaves given. */
static int wtree_at_front(struct tacit_wallet *w, uint64_t size, const tacit_fr *front,
                          const uint64_t *index, size_t n, tacit_fr *paths, tacit_fr *root)
{
    struct tacit__wtree *t = &w->tree;
    unsigned h = t->level, up_top = TACIT_TREE_DEPTH - h;
    uint64_t s = size >> h, r = size & (((uint64_t)1 << h) - 1);
    size_t nup = (size_t)s + (r ? 1 : 0);
    const tacit_fr *uv[TACIT_TREE_DEPTH + 1];
    tacit_fr edge[TACIT_TREE_DEPTH + 1], *upper = NULL, *uscratch = NULL;
    bool has_edge[TACIT_TREE_DEPTH + 1] = {false};
    uint64_t hashed = 0;
    int rc = TACIT_OK;

    for (unsigned l = 1; l <= h && r; l++) {
        const tacit_fr *left, *right;
        if ((r & (((uint64_t)1 << l) - 1)) == 0) continue;
        if ((r >> (l - 1)) & 1) { /* a complete left child (the frontier), the edge right */
            left = &front[l - 1];
            right = has_edge[l - 1] ? &edge[l - 1] : tacit_tree_zero(l - 1);
        } else {
            left = &edge[l - 1];
            right = tacit_tree_zero(l - 1);
        }
        tacit_poseidon2(&edge[l], left, right);
        has_edge[l] = true;
        hashed++;
    }
    count_hashes(hashed);
    if ((upper = malloc((nup + 1) * sizeof *upper)) == NULL ||
        (uscratch = malloc((nup + up_top + 1) * sizeof *uscratch)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    if (s) memcpy(upper, t->roots, (size_t)s * sizeof *upper);
    if (r) upper[s] = edge[h];
    levels_hash(uv, uscratch, upper, nup, up_top, h, root);

    for (size_t k = 0; k < n; k++) {
        const struct tacit__wnote *nt = tacit__wallet_find_note(w, index[k]);
        tacit_fr *path = paths + k * TACIT_TREE_DEPTH;
        uint64_t sn = index[k] >> h, local = index[k] & (((uint64_t)1 << h) - 1);
        if (nt == NULL || nt->spent_height != TACIT_WALLET_NO_HEIGHT || index[k] >= size) {
            rc = TACIT_ENOTFOUND;
            goto out;
        }
        for (unsigned l = 0; l < h; l++) {
            uint64_t j = (local >> l) ^ 1;
            if (sn < s || j < (r >> l))
                path[l] = nt->path[l]; /* complete then, so the same node now */
            else if (j == (r >> l) && has_edge[l])
                path[l] = edge[l];
            else
                path[l] = *tacit_tree_zero(l);
        }
        for (unsigned l = 0; l < up_top; l++) path[h + l] = *sibling(uv, nup, l, sn, h);
    }
out:
    free(upper);
    free(uscratch);
    return rc;
}

int tacit__wtree_at(struct tacit_wallet *w, uint64_t size, const uint64_t *index, size_t n,
                    tacit_fr *paths, tacit_fr *root)
{
    const struct tacit__wtree *t = &w->tree;
    if (!w->witness_ok) return TACIT_ENOT_SYNCED;
    if (size == t->size) return wtree_now(w, index, n, paths, root); /* today's tree */
    for (size_t i = 0; i < t->nhist; i++)
        if (t->hist_size[i] == size && tacit__wtree_can_rebuild(t, i))
            return wtree_at_front(w, size, t->hist_front[i], index, n, paths, root);
    return TACIT_ENOT_SYNCED;
}

/* The frontier of r leaves (r < 2^h): front[l] = the node (l, (r >> l) - 1) for every bit l set
 * in r, hashed from the leaves (at most r - 1 hashes; scratch holds 2^h / 2 values). */
static void front_from_leaves(tacit_fr *front, const tacit_fr *leaves, uint64_t r, unsigned h,
                              tacit_fr *scratch)
{
    uint64_t hashed = 0;
    for (unsigned l = 0; l < h; l++) {
        uint64_t first, span = (uint64_t)1 << l;
        if (!((r >> l) & 1)) continue;
        first = ((r >> l) - 1) << l;
        if (l == 0) {
            front[0] = leaves[first];
            continue;
        }
        for (uint64_t i = 0; i < span / 2; i++, hashed++) /* level 1 from the leaves */
            tacit_poseidon2(&scratch[i], &leaves[first + 2 * i], &leaves[first + 2 * i + 1]);
        for (uint64_t m = span / 4; m >= 1; m /= 2)
            for (uint64_t i = 0; i < m; i++, hashed++)
                tacit_poseidon2(&scratch[i], &scratch[2 * i], &scratch[2 * i + 1]);
        front[l] = scratch[0];
    }
    count_hashes(hashed);
}

int tacit__wtree_at_any(struct tacit_wallet *w, const struct tacit_wallet_node *node, uint64_t size,
                        const uint64_t *index, size_t n, tacit_fr *paths, tacit_fr *root)
{
    struct tacit__wtree *t = &w->tree;
    unsigned h = t->level;
    uint64_t s = size >> h, r = size & (((uint64_t)1 << h) - 1);
    tacit_fr front[TACIT_TREE_DEPTH], *leaves = NULL, *scratch = NULL;
    int rc;

    if (!w->witness_ok) return TACIT_ENOT_SYNCED;
    if (size > t->size) return TACIT_ENOT_SYNCED;
    if ((rc = tacit__wtree_at(w, size, index, n, paths, root)) != TACIT_ENOT_SYNCED) return rc;
    if (r == 0) return wtree_at_front(w, size, front, index, n, paths, root); /* none needed */
    if ((scratch = malloc(((size_t)1 << h) / 2 * sizeof *scratch + sizeof *scratch)) == NULL)
        return TACIT_ENOMEM;
    if (s == t->nroots) { /* the incomplete subtree: its leaves are here */
        front_from_leaves(front, t->leaves, r, h, scratch);
    } else { /* a subtree completed since, whose leaves were dropped: the node's (public) */
        size_t got = 0;
        if (node == NULL || node->commitments == NULL || node->subtree_level != h) {
            rc = TACIT_ENOT_SYNCED;
            goto out;
        }
        if ((leaves = malloc((size_t)r * sizeof *leaves)) == NULL) {
            rc = TACIT_ENOMEM;
            goto out;
        }
        while (got < r) {
            size_t k = 0;
            if ((rc = node->commitments(node->ud, (s << h) + got, (size_t)r - got, leaves + got,
                                        &k)) != TACIT_OK)
                goto out;
            if (k == 0) {
                rc = TACIT_EBAD_NODE_DATA;
                goto out;
            }
            got += k;
        }
        front_from_leaves(front, leaves, r, h, scratch);
    }
    rc = wtree_at_front(w, size, front, index, n, paths, root);
out:
    free(leaves);
    free(scratch);
    return rc;
}

int tacit__wallet_anchor_pick(const struct tacit_wallet *w, uint64_t min_height, uint64_t *height,
                              uint64_t *size)
{
    const struct tacit__wtree *t = &w->tree;
    uint64_t tip = w->synced_height;
    size_t cand[TACIT__WALLET_HISTORY], nc = 0, oldest = TACIT__WALLET_HISTORY;
    if (tip == TACIT_WALLET_NO_HEIGHT) return TACIT_ENOT_SYNCED;
    for (size_t i = 0; i < t->nhist; i++) {
        uint64_t hh = t->hist_height[i];
        if (hh > tip || hh < min_height || !tacit__wtree_can_rebuild(t, i)) continue;
        if (oldest == TACIT__WALLET_HISTORY) oldest = i;
        if (tip >= TACIT__WALLET_ANCHOR_MIN && hh <= tip - TACIT__WALLET_ANCHOR_MIN &&
            hh + TACIT__WALLET_ANCHOR_MAX >= tip)
            cand[nc++] = i;
    }
    if (nc > 0) {
        size_t i = cand[tacit__wallet_uniform((uint32_t)nc)];
        *height = t->hist_height[i];
        *size = t->hist_size[i];
    } else if (oldest < TACIT__WALLET_HISTORY) { /* a short chain, a note newer than the window */
        *height = t->hist_height[oldest];
        *size = t->hist_size[oldest];
    } else if (tip >= min_height) { /* no history (a file from before it was kept) */
        *height = tip;
        *size = t->size;
    } else {
        return TACIT_ENOT_SYNCED;
    }
    return TACIT_OK;
}
