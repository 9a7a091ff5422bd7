/*
 * tacit — the note commitment tree (src/crypto/tree.c) against a naive reference written
 * plainly here: the root recomputed from all leaves, level by level, every time.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tacit/error.h"
#include "tacit/poseidon.h"
#include "tacit/tree.h"

/* ------------------------------------------------------------ reference ---- */

/* Z[i] computed here, independently of tree.c. */
static tacit_fr ref_zero[TACIT_TREE_DEPTH + 1];

static void ref_init(void)
{
    ref_zero[0] = TACIT_FR_ZERO;
    for (int i = 0; i < TACIT_TREE_DEPTH; i++)
        tacit_poseidon2(&ref_zero[i + 1], &ref_zero[i], &ref_zero[i]);
}

/* Every level of the tree holding leaves[0..n-1], by full recomputation: lv[l][j] for
 * j < cnt[l]; nodes past cnt[l] are empty subtrees. */
struct ref_tree {
    tacit_fr *lv[TACIT_TREE_DEPTH + 1];
    uint64_t cnt[TACIT_TREE_DEPTH + 1];
};

static void ref_build(struct ref_tree *t, const tacit_fr *leaves, uint64_t n)
{
    t->cnt[0] = n;
    t->lv[0] = malloc((n ? n : 1) * sizeof(tacit_fr));
    memcpy(t->lv[0], leaves, n * sizeof(tacit_fr));
    for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) {
        uint64_t cnt = t->cnt[l], next = (cnt + 1) / 2;
        t->cnt[l + 1] = next;
        t->lv[l + 1] = malloc((next ? next : 1) * sizeof(tacit_fr));
        for (uint64_t j = 0; j < next; j++) {
            const tacit_fr *r = 2 * j + 1 < cnt ? &t->lv[l][2 * j + 1] : &ref_zero[l];
            tacit_poseidon2(&t->lv[l + 1][j], &t->lv[l][2 * j], r);
        }
    }
}

static void ref_free(struct ref_tree *t)
{
    for (unsigned l = 0; l <= TACIT_TREE_DEPTH; l++) free(t->lv[l]);
}

static tacit_fr ref_node_of(const struct ref_tree *t, unsigned level, uint64_t index)
{
    return index < t->cnt[level] ? t->lv[level][index] : ref_zero[level];
}

static tacit_fr ref_root(const tacit_fr *leaves, uint64_t n)
{
    struct ref_tree t;
    tacit_fr r;
    ref_build(&t, leaves, n);
    r = ref_node_of(&t, TACIT_TREE_DEPTH, 0);
    ref_free(&t);
    return r;
}

static void rand_fr(tacit_fr *r)
{
    uint8_t w[64];
    tacit_test_rand_bytes(w, sizeof w);
    tacit_fr_from_wide(r, w);
}

static tacit_fr *rand_leaves(size_t n)
{
    tacit_fr *l = malloc((n ? n : 1) * sizeof *l);
    for (size_t i = 0; i < n; i++) rand_fr(&l[i]);
    return l;
}

/* ------------------------------------------------- an in-memory node store ---- */

#define MAXN 1100

struct mem_store {
    tacit_fr *leaves;
    uint64_t n;
    tacit_fr *node[TACIT_TREE_DEPTH + 1]; /* node[l][j], l >= 1 */
    bool *have[TACIT_TREE_DEPTH + 1];
    unsigned min_level;
    size_t sunk;
    int fail_at; /* sink returns TACIT_EIO at this call (0: never) */
};

static void mem_init(struct mem_store *m, tacit_fr *leaves, unsigned min_level)
{
    memset(m, 0, sizeof *m);
    m->leaves = leaves;
    m->min_level = min_level;
    for (unsigned l = 1; l <= TACIT_TREE_DEPTH; l++) {
        m->node[l] = calloc(MAXN, sizeof(tacit_fr));
        m->have[l] = calloc(MAXN, sizeof(bool));
    }
}

static void mem_free(struct mem_store *m)
{
    for (unsigned l = 1; l <= TACIT_TREE_DEPTH; l++) {
        free(m->node[l]);
        free(m->have[l]);
    }
}

static int mem_sink(void *arg, unsigned level, uint64_t index, const tacit_fr *node)
{
    struct mem_store *m = arg;
    m->sunk++;
    if (m->fail_at && (int)m->sunk == m->fail_at) return TACIT_EIO;
    CHECK(level >= m->min_level);
    CHECK(index < MAXN);
    if (index >= MAXN) return TACIT_EINVAL;
    CHECK(!m->have[level][index]); /* each complete node is handed over once */
    m->node[level][index] = *node;
    m->have[level][index] = true;
    return TACIT_OK;
}

static int mem_get(void *arg, unsigned level, uint64_t index, tacit_fr *out)
{
    struct mem_store *m = arg;
    if (level == 0) {
        if (index >= m->n) return TACIT_ENOTFOUND;
        *out = m->leaves[index];
        return TACIT_OK;
    }
    CHECK(level >= m->min_level); /* nodes below min_level are never asked for */
    if (index >= MAXN || !m->have[level][index]) return TACIT_ENOTFOUND;
    *out = m->node[level][index];
    return TACIT_OK;
}

/* ---------------------------------------------------------------- tests ---- */

TEST(zero_subtrees)
{
    ref_init();
    for (unsigned l = 0; l <= TACIT_TREE_DEPTH; l++)
        CHECK(tacit_fr_eq(tacit_tree_zero(l), &ref_zero[l]));
    CHECK(tacit_tree_zero(TACIT_TREE_DEPTH + 1) == NULL);
    /* Z[1] = Poseidon(0, 0) of circomlibjs (the zero value of many Poseidon trees). */
    {
        static const uint8_t z1[32] = {0x20, 0x98, 0xf5, 0xfb, 0x9e, 0x23, 0x9e, 0xab,
                                       0x3c, 0xea, 0xc3, 0xf2, 0x7b, 0x81, 0xe4, 0x81,
                                       0xdc, 0x31, 0x24, 0xd5, 0x5f, 0xfe, 0xd5, 0x23,
                                       0xa8, 0x39, 0xee, 0x84, 0x46, 0xb6, 0x48, 0x64};
        uint8_t b[32];
        tacit_fr_to_bytes(b, tacit_tree_zero(1));
        CHECK_MEM(b, z1, 32);
    }
}

static const uint64_t sizes[] = {0,   1,   2,   3,   4,   5,   7,   8,    9,    15,
                                 16,  17,  31,  32,  33,  63,  64,  65,   127,  128,
                                 129, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025};
#define NSIZES (sizeof sizes / sizeof sizes[0])

TEST(roots_equal_reference)
{
    tacit_fr *leaves = rand_leaves(1025);
    ref_init();
    for (size_t s = 0; s < NSIZES; s++) {
        struct tacit_tree_frontier f;
        tacit_fr root, froot, ref = ref_root(leaves, sizes[s]);
        tacit_tree_frontier_init(&f);
        CHECK_EQ_INT(tacit_tree_append(&f, &root, leaves, sizes[s], NULL, NULL, 0), TACIT_OK);
        CHECK_EQ_INT(f.size, sizes[s]);
        CHECK(tacit_fr_eq(&root, &ref));
        tacit_tree_frontier_root(&froot, &f);
        CHECK(tacit_fr_eq(&froot, &ref));
    }
    free(leaves);
}

TEST(one_by_one_equals_reference)
{
    tacit_fr *leaves = rand_leaves(70);
    struct tacit_tree_frontier f;
    ref_init();
    tacit_tree_frontier_init(&f);
    for (uint64_t n = 1; n <= 70; n++) {
        tacit_fr root, ref = ref_root(leaves, n);
        CHECK_EQ_INT(tacit_tree_append(&f, &root, &leaves[n - 1], 1, NULL, NULL, 0), TACIT_OK);
        CHECK(tacit_fr_eq(&root, &ref));
    }
    free(leaves);
}

TEST(batch_equals_one_by_one)
{
    const size_t n = 1025;
    tacit_fr *leaves = rand_leaves(n);
    int iters = tacit_test_iters(4);
    struct tacit_tree_frontier one;
    struct mem_store m1;
    tacit_fr root1;

    mem_init(&m1, leaves, 1);
    tacit_tree_frontier_init(&one);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ_INT(tacit_tree_append(&one, &root1, &leaves[i], 1, mem_sink, &m1, 1), TACIT_OK);
    for (int it = 0; it < iters; it++) {
        struct tacit_tree_frontier f;
        struct mem_store m;
        tacit_fr root;
        size_t done = 0;
        tacit_tree_set_threads(it & 1 ? 2 : 1);
        mem_init(&m, leaves, 1);
        tacit_tree_frontier_init(&f);
        while (done < n) {
            size_t k = (size_t)(tacit_test_rand64() % 300);
            if (k > n - done) k = n - done;
            CHECK_EQ_INT(tacit_tree_append(&f, &root, &leaves[done], k, mem_sink, &m, 1), TACIT_OK);
            done += k;
        }
        CHECK(memcmp(&f, &one, sizeof f) == 0);
        CHECK(tacit_fr_eq(&root, &root1));
        CHECK_EQ_INT(m.sunk, m1.sunk);
        for (unsigned l = 1; l <= TACIT_TREE_DEPTH; l++)
            for (size_t j = 0; j < MAXN; j++) {
                CHECK(m.have[l][j] == m1.have[l][j]);
                if (m.have[l][j]) CHECK(tacit_fr_eq(&m.node[l][j], &m1.node[l][j]));
            }
        mem_free(&m);
    }
    tacit_tree_set_threads(1);
    /* every stored node is the reference's complete node */
    {
        struct ref_tree t;
        ref_init();
        ref_build(&t, leaves, n);
        for (unsigned l = 1; l <= 10; l++)
            for (size_t j = 0; j < MAXN; j++) {
                if (!m1.have[l][j]) continue;
                tacit_fr r = ref_node_of(&t, l, j);
                CHECK(((j + 1) << l) <= n);
                CHECK(tacit_fr_eq(&m1.node[l][j], &r));
            }
        ref_free(&t);
    }
    mem_free(&m1);
    free(leaves);
}

TEST(wide_level_in_two_threads)
{
    const size_t n = 1000;
    tacit_fr *leaves = rand_leaves(n);
    struct tacit_tree_frontier a, b;
    tacit_fr ra, rb;
    tacit_tree_frontier_init(&a);
    tacit_tree_frontier_init(&b);
    CHECK_EQ_INT(tacit_tree_append(&a, &ra, leaves, 3, NULL, NULL, 0), TACIT_OK);
    b = a;
    tacit_tree_set_threads(1);
    CHECK_EQ_INT(tacit_tree_append(&a, &ra, leaves + 3, n - 3, NULL, NULL, 0), TACIT_OK);
    tacit_tree_set_threads(2);
    CHECK_EQ_INT(tacit_tree_append(&b, &rb, leaves + 3, n - 3, NULL, NULL, 0), TACIT_OK);
    tacit_tree_set_threads(1);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK(tacit_fr_eq(&ra, &rb));
    free(leaves);
}

/* Paths and frontiers at every size, from the nodes stored at the final size (complete nodes
 * never change), with all levels stored and with levels 1..3 recomputed. */
static void paths_and_frontiers(unsigned min_level)
{
    const uint64_t n = 300;
    tacit_fr *leaves = rand_leaves(n);
    struct tacit_tree_frontier f, fat;
    struct mem_store m;
    tacit_fr root;

    ref_init();
    mem_init(&m, leaves, min_level);
    tacit_tree_frontier_init(&f);
    CHECK_EQ_INT(tacit_tree_append(&f, &root, leaves, n, mem_sink, &m, min_level), TACIT_OK);
    m.n = n;
    for (uint64_t size = 0; size <= n; size += (size < 40 ? 1 : 37)) {
        struct ref_tree t;
        tacit_fr ref, r;
        struct tacit_tree_frontier inc;
        ref_build(&t, leaves, size);
        ref = ref_node_of(&t, TACIT_TREE_DEPTH, 0);
        /* frontier at a past size equals the frontier of appending that many */
        tacit_tree_frontier_init(&inc);
        CHECK_EQ_INT(tacit_tree_append(&inc, NULL, leaves, size, NULL, NULL, 0), TACIT_OK);
        CHECK_EQ_INT(tacit_tree_frontier_at(&fat, size, mem_get, &m, min_level), TACIT_OK);
        CHECK(memcmp(&fat, &inc, sizeof fat) == 0);
        tacit_tree_frontier_root(&r, &fat);
        CHECK(tacit_fr_eq(&r, &ref));
        for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) {
            if ((size >> l) & 1) {
                tacit_fr want = ref_node_of(&t, l, (size >> l) - 1);
                CHECK(tacit_fr_eq(&fat.node[l], &want));
            } else {
                CHECK(tacit_fr_is_zero(&fat.node[l]));
            }
        }
        CHECK_EQ_INT(tacit_tree_node(&r, TACIT_TREE_DEPTH, 0, size, mem_get, &m, min_level),
                     TACIT_OK);
        CHECK(tacit_fr_eq(&r, &ref));
        /* paths of (some) leaves verify against the root of that size */
        for (uint64_t i = 0; i < size; i += 1 + size / 17) {
            struct tacit_tree_path p;
            CHECK_EQ_INT(tacit_tree_path(&p, i, size, mem_get, &m, min_level), TACIT_OK);
            CHECK_EQ_INT(p.index, i);
            tacit_tree_path_root(&r, &leaves[i], &p);
            CHECK(tacit_fr_eq(&r, &ref));
            /* a wrong leaf or index does not */
            {
                tacit_fr other;
                tacit_fr_add(&other, &leaves[i], &TACIT_FR_ONE);
                tacit_tree_path_root(&r, &other, &p);
                CHECK(!tacit_fr_eq(&r, &ref));
            }
        }
        {
            struct tacit_tree_path p;
            CHECK_EQ_INT(tacit_tree_path(&p, size, size, mem_get, &m, min_level), TACIT_EINVAL);
        }
        ref_free(&t);
    }
    mem_free(&m);
    free(leaves);
}

TEST(paths_and_frontiers_all_levels) { paths_and_frontiers(1); }
TEST(paths_and_frontiers_low_levels_recomputed) { paths_and_frontiers(4); }

TEST(missing_stored_node_is_corrupt)
{
    const uint64_t n = 64;
    tacit_fr *leaves = rand_leaves(n);
    struct tacit_tree_frontier f;
    struct tacit_tree_path p;
    struct mem_store m;
    mem_init(&m, leaves, 4);
    tacit_tree_frontier_init(&f);
    CHECK_EQ_INT(tacit_tree_append(&f, NULL, leaves, n, mem_sink, &m, 4), TACIT_OK);
    m.n = n;
    m.have[5][1] = false;
    CHECK_EQ_INT(tacit_tree_path(&p, 0, n, mem_get, &m, 4), TACIT_ECORRUPT);
    CHECK_EQ_INT(tacit_tree_frontier_at(&f, n, mem_get, &m, 4),
                 TACIT_OK); /* needs node (6, 0) only */
    m.have[6][0] = false;
    CHECK_EQ_INT(tacit_tree_frontier_at(&f, n, mem_get, &m, 4), TACIT_ECORRUPT);
    m.n = 10; /* a leaf missing */
    CHECK_EQ_INT(tacit_tree_path(&p, 0, n, mem_get, &m, 4), TACIT_ECORRUPT);
    mem_free(&m);
    free(leaves);
}

TEST(sink_error_leaves_frontier)
{
    const uint64_t n = 100;
    tacit_fr *leaves = rand_leaves(n);
    struct tacit_tree_frontier f, before;
    struct mem_store m;
    mem_init(&m, leaves, 1);
    tacit_tree_frontier_init(&f);
    CHECK_EQ_INT(tacit_tree_append(&f, NULL, leaves, 7, NULL, NULL, 0), TACIT_OK);
    before = f;
    m.fail_at = 20;
    CHECK_EQ_INT(tacit_tree_append(&f, NULL, leaves + 7, n - 7, mem_sink, &m, 1), TACIT_EIO);
    CHECK(memcmp(&f, &before, sizeof f) == 0);
    mem_free(&m);
    free(leaves);
}

TEST(full_tree)
{
    struct tacit_tree_frontier f, g;
    tacit_fr leaf, root, acc;
    /* a tree one leaf short of full: every level has a frontier node */
    tacit_tree_frontier_init(&f);
    f.size = TACIT_TREE_MAX_LEAVES - 1;
    for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) rand_fr(&f.node[l]);
    rand_fr(&leaf);
    g = f;
    CHECK_EQ_INT(tacit_tree_append(&g, NULL, &leaf, 1, NULL, NULL, 0), TACIT_OK);
    g = f;
    {
        tacit_fr two[2] = {leaf, leaf};
        CHECK_EQ_INT(tacit_tree_append(&g, &root, two, 2, NULL, NULL, 0), TACIT_ETREE_FULL);
        CHECK(memcmp(&g, &f, sizeof g) == 0);
    }
    CHECK_EQ_INT(tacit_tree_append(&g, &root, &leaf, 1, NULL, NULL, 0), TACIT_OK);
    acc = leaf;
    for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) tacit_poseidon2(&acc, &f.node[l], &acc);
    CHECK(tacit_fr_eq(&root, &acc));
    CHECK_EQ_INT(g.size, TACIT_TREE_MAX_LEAVES);
    CHECK(tacit_fr_eq(&g.node[TACIT_TREE_DEPTH], &acc));
    for (unsigned l = 0; l < TACIT_TREE_DEPTH; l++) CHECK(tacit_fr_is_zero(&g.node[l]));
    tacit_tree_frontier_root(&root, &g);
    CHECK(tacit_fr_eq(&root, &acc));
    CHECK_EQ_INT(tacit_tree_append(&g, &root, &leaf, 1, NULL, NULL, 0), TACIT_ETREE_FULL);
    CHECK_EQ_INT(tacit_tree_append(&g, &root, &leaf, 0, NULL, NULL, 0), TACIT_OK);
    CHECK(tacit_fr_eq(&root, &acc));
}

static const struct tacit_test tests[] = {
    {"zero_subtrees", zero_subtrees},
    {"roots_equal_reference", roots_equal_reference},
    {"one_by_one_equals_reference", one_by_one_equals_reference},
    {"batch_equals_one_by_one", batch_equals_one_by_one},
    {"wide_level_in_two_threads", wide_level_in_two_threads},
    {"paths_and_frontiers_all_levels", paths_and_frontiers_all_levels},
    {"paths_and_frontiers_low_levels_recomputed", paths_and_frontiers_low_levels_recomputed},
    {"missing_stored_node_is_corrupt", missing_stored_node_is_corrupt},
    {"sink_error_leaves_frontier", sink_error_leaves_frontier},
    {"full_tree", full_tree},
};

TACIT_TEST_MAIN(tests)
