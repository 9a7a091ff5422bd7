/*
 * tacit — the note commitment tree: empty subtrees, batch append on a frontier, nodes, paths
 * and past frontiers from stored complete nodes. See include/tacit/tree.h.
 *
 * Batch append (one pass, each touched node hashed once): with n leaves before and N = n + m
 * after, the nodes of level l that change are those with index in [n >> l, ((N-1) >> l) + 1).
 * Level l+1 is hashed from level l alone: a parent's left child below that range is the
 * frontier node of level l (the range then starts at an odd index, so that child is the last
 * complete node, node(l, (n >> l) - 1)); a right child past it is an empty subtree Z[l].
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/poseidon.h"
#include "tacit/tree.h"

/* ------------------------------------------------------------ empty subtrees ---- */

static tacit_fr tree_zero[TACIT_TREE_DEPTH + 1];
static pthread_once_t tree_zero_once = PTHREAD_ONCE_INIT;

static void tree_zero_init(void)
{
    tree_zero[0] = TACIT_FR_ZERO;
    for (unsigned i = 0; i < TACIT_TREE_DEPTH; i++)
        tacit_poseidon2(&tree_zero[i + 1], &tree_zero[i], &tree_zero[i]);
}

const tacit_fr *tacit_tree_zero(unsigned level)
{
    if (level > TACIT_TREE_DEPTH) return NULL;
    pthread_once(&tree_zero_once, tree_zero_init);
    return &tree_zero[level];
}

void tacit_tree_frontier_init(struct tacit_tree_frontier *f) { memset(f, 0, sizeof *f); }

void tacit_tree_frontier_root(tacit_fr *root, const struct tacit_tree_frontier *f)
{
    const tacit_fr *z = tacit_tree_zero(0);
    tacit_fr acc;

    if (f->size >= TACIT_TREE_MAX_LEAVES) {
        *root = f->node[TACIT_TREE_DEPTH];
        return;
    }
    /* acc = node(l, size >> l) at this size: the partial (or empty) node holding the next
     * free position. */
    acc = z[0];
    for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) {
        if ((f->size >> l) & 1)
            tacit_poseidon2(&acc, &f->node[l], &acc);
        else
            tacit_poseidon2(&acc, &acc, &z[l]);
    }
    *root = acc;
}

/* ------------------------------------------------------------------- append ---- */

static atomic_uint tree_threads = 1;

void tacit_tree_set_threads(unsigned n) { atomic_store(&tree_threads, n >= 2 ? 2u : 1u); }

unsigned tacit_tree_threads(void) { return atomic_load(&tree_threads); }

/* One level step: out[p - plo] = H(left, right) for parents p in [p0, p1). */
struct level_job {
    const tacit_fr *cur; /* values of level l, index lo .. hi-1 */
    uint64_t lo, hi;
    const tacit_fr *left_fill;  /* node(l, lo - 1) when lo is odd */
    const tacit_fr *right_fill; /* Z[l] */
    tacit_fr *out;
    uint64_t plo, p0, p1;
};

static void level_hash(const struct level_job *j)
{
    for (uint64_t p = j->p0; p < j->p1; p++) {
        uint64_t li = 2 * p, ri = li + 1;
        const tacit_fr *a = li >= j->lo ? &j->cur[li - j->lo] : j->left_fill;
        const tacit_fr *b = ri < j->hi ? &j->cur[ri - j->lo] : j->right_fill;
        tacit_poseidon2(&j->out[p - j->plo], a, b);
    }
}

static void *level_hash_thread(void *arg)
{
    level_hash(arg);
    return NULL;
}

/* Below this many parents a level is hashed on the calling thread alone: a thread start costs
 * a few Poseidon hashes. */
#define TREE_PARALLEL_MIN 32

static void level_hash_maybe_parallel(struct level_job *j)
{
    uint64_t count = j->p1 - j->p0;
    if (atomic_load(&tree_threads) >= 2 && count >= TREE_PARALLEL_MIN) {
        struct level_job second = *j;
        pthread_t t;
        second.p0 = j->p0 + count / 2;
        if (pthread_create(&t, NULL, level_hash_thread, &second) == 0) {
            struct level_job first = *j;
            first.p1 = second.p0;
            level_hash(&first);
            pthread_join(t, NULL);
            return;
        }
        /* no thread: do it all here */
    }
    level_hash(j);
}

int tacit_tree_append(struct tacit_tree_frontier *f, tacit_fr *root, const tacit_fr *leaves,
                      size_t n, tacit_tree_sink sink, void *arg, unsigned sink_min_level)
{
    const tacit_fr *z = tacit_tree_zero(0);
    struct tacit_tree_frontier nf;
    tacit_fr *buf[2] = {NULL, NULL};
    const tacit_fr *cur;
    uint64_t size = f->size, total, lo, hi;
    size_t cap;
    int rc = TACIT_OK;

    if (size > TACIT_TREE_MAX_LEAVES || n > TACIT_TREE_MAX_LEAVES - size) return TACIT_ETREE_FULL;
    if (n == 0) {
        if (root != NULL) tacit_tree_frontier_root(root, f);
        return TACIT_OK;
    }
    total = size + n;
    if (sink_min_level < 1) sink_min_level = 1;

    /* Level 1 has at most n/2 + 1 changed nodes; every later level fewer. */
    cap = n / 2 + 2;
    if ((buf[0] = malloc(cap * sizeof(tacit_fr))) == NULL) return TACIT_ENOMEM;
    if ((buf[1] = malloc(cap * sizeof(tacit_fr))) == NULL) {
        rc = TACIT_ENOMEM;
        goto out_free;
    }

    nf = *f;
    nf.size = total;
    cur = leaves;
    lo = size;
    hi = total;
    for (unsigned l = 0;; l++) {
        /* Newly complete nodes of this level: index in [lo, total >> l). */
        if (l >= sink_min_level && sink != NULL) {
            uint64_t end = total >> l;
            if (end > hi) end = hi;
            for (uint64_t j = lo; j < end; j++) {
                if ((rc = sink(arg, l, j, &cur[j - lo])) != TACIT_OK) goto out_free;
            }
        }
        if (l == TACIT_TREE_DEPTH) {
            /* hi - lo == 1: the root */
            if (root != NULL) *root = cur[0];
            nf.node[l] = (total >> l) & 1 ? cur[0] : TACIT_FR_ZERO;
            break;
        }
        {
            struct level_job j = {
                .cur = cur,
                .lo = lo,
                .hi = hi,
                .left_fill = &f->node[l],
                .right_fill = &z[l],
                .out = buf[l & 1],
                .plo = lo >> 1,
                .p0 = lo >> 1,
                .p1 = ((hi - 1) >> 1) + 1,
            };
            level_hash_maybe_parallel(&j);
            /* Frontier of level l at the new size (see the header): the last complete node. */
            if ((total >> l) & 1) {
                uint64_t idx = (total >> l) - 1;
                if (idx >= lo) nf.node[l] = cur[idx - lo];
                /* else unchanged: the same complete node as before */
            } else {
                nf.node[l] = TACIT_FR_ZERO;
            }
            cur = j.out;
            lo = j.p0;
            hi = j.p1;
        }
    }
    *f = nf;

out_free:
    free(buf[1]);
    free(buf[0]);
    return rc;
}

/* ------------------------------------------------------- nodes, paths, frontiers ---- */

static int tree_node_rec(tacit_fr *out, unsigned level, uint64_t index, uint64_t size,
                         tacit_tree_getter get, void *arg, unsigned min_level)
{
    uint64_t first = index << level, end = (index + 1) << level;
    tacit_fr a, b;
    int rc;

    if (first >= size) {
        *out = *tacit_tree_zero(level);
        return TACIT_OK;
    }
    if (end <= size && (level == 0 || level >= min_level)) {
        rc = get(arg, level, index, out);
        return rc == TACIT_ENOTFOUND ? TACIT_ECORRUPT : rc;
    }
    /* complete below min_level, or partial: from the two children */
    if ((rc = tree_node_rec(&a, level - 1, 2 * index, size, get, arg, min_level)) != TACIT_OK)
        return rc;
    if ((rc = tree_node_rec(&b, level - 1, 2 * index + 1, size, get, arg, min_level)) != TACIT_OK)
        return rc;
    tacit_poseidon2(out, &a, &b);
    return TACIT_OK;
}

int tacit_tree_node(tacit_fr *out, unsigned level, uint64_t index, uint64_t size,
                    tacit_tree_getter get, void *arg, unsigned stored_min_level)
{
    *out = TACIT_FR_ZERO;
    if (level > TACIT_TREE_DEPTH || size > TACIT_TREE_MAX_LEAVES ||
        index >= (UINT64_C(1) << (TACIT_TREE_DEPTH - level)))
        return TACIT_EINVAL;
    if (stored_min_level < 1) stored_min_level = 1;
    return tree_node_rec(out, level, index, size, get, arg, stored_min_level);
}

int tacit_tree_path(struct tacit_tree_path *path, uint64_t index, uint64_t size,
                    tacit_tree_getter get, void *arg, unsigned stored_min_level)
{
    int rc = TACIT_OK;

    memset(path, 0, sizeof *path);
    if (size > TACIT_TREE_MAX_LEAVES || index >= size) return TACIT_EINVAL;
    path->index = index;
    for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) {
        rc = tacit_tree_node(&path->sibling[l], l, (index >> l) ^ 1, size, get, arg,
                             stored_min_level);
        if (rc != TACIT_OK) {
            memset(path, 0, sizeof *path);
            return rc;
        }
    }
    return TACIT_OK;
}

int tacit_tree_frontier_at(struct tacit_tree_frontier *f, uint64_t size, tacit_tree_getter get,
                           void *arg, unsigned stored_min_level)
{
    int rc;

    tacit_tree_frontier_init(f);
    if (size > TACIT_TREE_MAX_LEAVES) return TACIT_EINVAL;
    f->size = size;
    for (unsigned l = 0; l <= TACIT_TREE_DEPTH; l++) {
        if (!((size >> l) & 1)) continue;
        rc = tacit_tree_node(&f->node[l], l, (size >> l) - 1, size, get, arg, stored_min_level);
        if (rc != TACIT_OK) {
            tacit_tree_frontier_init(f);
            return rc;
        }
    }
    return TACIT_OK;
}

void tacit_tree_path_root(tacit_fr *root, const tacit_fr *leaf, const struct tacit_tree_path *path)
{
    tacit_fr acc = *leaf;
    for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) {
        if ((path->index >> l) & 1)
            tacit_poseidon2(&acc, &path->sibling[l], &acc);
        else
            tacit_poseidon2(&acc, &acc, &path->sibling[l]);
    }
    *root = acc;
}
