/*
 * tacit — the tree-update circuit (include/tacit/treeupdate.h): "appending these k <= M leaves
 * at index s to the tree whose root is R_old gives R_new".
 *
 *  - every (s, k) at depths 1..4 for several M: R_old and R_new equal a naive recomputation
 *    of the whole tree, and the witness satisfies the system;
 *  - depth 32, M = 128 (the chain's circuit): s = 0, k = 0, k = M, s unaligned, s near 2^32 - k,
 *    a full last subtree, a full tree, the root's midpoint straddled, an old tree of real
 *    leaves: R_old and R_new equal tree.c's (tacit_tree_frontier_root, tacit_tree_append),
 *    and the witness satisfies the system;
 *  - negative statements (wrong old root, wrong new root, leaves out of order, k > M, a
 *    non-zero leaf at a position >= k, s + k > 2^depth, s past 2^(depth+1), a wrong frontier
 *    node): each unsatisfiable; every variable of a witness changed alone breaks it;
 *  - the system does not depend on the witness; witness-only = full; the counts are pinned;
 *  - Groth16 at depth 4, M = 4: proofs verify, and fail with a leaf, R_new or k changed after
 *    proving; a proof of an unsatisfiable witness fails; keys of another shape are refused.
 *
 * TACIT_TEST_ITERS scales the random statements (default 2 per shape).
 * TACIT_TEST_VERBOSE=1 prints how many constraints each negative statement breaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/r1cs_cmp.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "tacit/poseidon.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"
#include "tacit/tree.h"
#include "tacit/treeupdate.h"
#include "zk/treeupdate_internal.h"

#define PUB_LEAF(j) (TACIT_TREEUPDATE_PUB_LEAF0 + (j))

/* ----------------------------------------------------------------- helpers ---- */

static void rand_fr(tacit_fr *r)
{
    uint8_t b[64];
    tacit_test_rand_bytes(b, sizeof b);
    tacit_fr_from_wide(r, b);
}

static uint64_t below(uint64_t n) { return n == 0 ? 0 : tacit_test_rand64() % n; }

static bool verbose(void)
{
    const char *v = getenv("TACIT_TEST_VERBOSE");
    return v != NULL && *v == '1';
}

/* The root of the depth-d tree whose 2^d leaves are leaves[] (d <= 12), hashed in full. */
static void naive_root(tacit_fr *root, const tacit_fr *leaves, unsigned d)
{
    size_t n = (size_t)1 << d;
    tacit_fr *lv = malloc(n * sizeof *lv);
    if (lv == NULL) {
        CHECK(lv != NULL);
        return;
    }
    memcpy(lv, leaves, n * sizeof *lv);
    for (; n > 1; n /= 2)
        for (size_t i = 0; i < n / 2; i++) tacit_poseidon2(&lv[i], &lv[2 * i], &lv[2 * i + 1]);
    *root = lv[0];
    free(lv);
}

/* The witness of the raw statement (pub, frontier) in full mode, its system in r. */
static bool build_raw(tacit_r1cs *r, tacit_fr **w, uint32_t *n, const tacit_fr *pub,
                      const tacit_fr *frontier, unsigned d, unsigned m)
{
    tacit_cs *cs = NULL;
    int rc;
    CHECK_EQ_INT(tacit_cs_new(&cs, TACIT_CS_FULL), TACIT_OK);
    if (cs == NULL) return false;
    CHECK_EQ_INT(tacit__treeupdate_build_raw(cs, pub, frontier, d, m), TACIT_OK);
    rc = tacit_cs_finish(cs, r, w, n);
    CHECK_EQ_INT(rc, TACIT_OK);
    tacit_cs_free(cs);
    return rc == TACIT_OK;
}

/* The raw statement's satisfiability against the system sys (the same shape). Below depth 8
 * the system is built again from the bad witness and must be sys (a bad witness does not
 * change the system); at larger depths only the witness is built (fast). */
static bool raw_satisfies(const tacit_r1cs *sys, const tacit_fr *pub, const tacit_fr *frontier,
                          unsigned d, unsigned m, const char *what)
{
    tacit_r1cs r;
    tacit_fr *w = NULL;
    uint32_t n = 0, failed = 0;
    bool ok;

    memset(&r, 0, sizeof r);
    if (d < 8) {
        if (!build_raw(&r, &w, &n, pub, frontier, d, m)) return false;
        CHECK(r1cs_equal(&r, sys));
    } else {
        tacit_cs *cs = NULL;
        CHECK_EQ_INT(tacit_cs_new(&cs, TACIT_CS_WITNESS), TACIT_OK);
        if (cs == NULL) return false;
        CHECK_EQ_INT(tacit__treeupdate_build_raw(cs, pub, frontier, d, m), TACIT_OK);
        CHECK_EQ_INT(tacit_cs_finish(cs, NULL, &w, &n), TACIT_OK);
        tacit_cs_free(cs);
        if (w == NULL) return false;
        CHECK_EQ_INT(n, sys->nvars);
        if (n != sys->nvars) {
            tacit_witness_free(w, n);
            return false;
        }
    }
    ok = tacit_r1cs_is_satisfied(sys, w, &failed);
    if (verbose() && !ok)
        printf("  %s (depth %u, M %u): %u constraint(s) broken, the first #%u\n", what, d, m,
               count_unsat(sys, w), failed);
    tacit_r1cs_clear(&r);
    tacit_witness_free(w, n);
    return ok;
}

/* A statement whose old tree holds the real leaves old[0 .. s-1] (frontier from tree.c). */
static void from_old_leaves(struct tacit_treeupdate *u, const tacit_fr *old, uint64_t s,
                            const tacit_fr *leaves, size_t k)
{
    memset(u, 0, sizeof *u);
    tacit_tree_frontier_init(&u->old);
    CHECK_EQ_INT(tacit_tree_append(&u->old, NULL, old, (size_t)s, NULL, NULL, 0), TACIT_OK);
    u->leaves = leaves;
    u->count = k;
}

/* ------------------------------------------------------------------ shape ---- */

TEST(window_widths)
{
    static const unsigned w128[] = {128, 65, 33, 17, 9, 5, 3, 2};
    for (unsigned l = 0; l < 8; l++) CHECK_EQ_INT(tacit__treeupdate_width(l, 32, 128), w128[l]);
    for (unsigned l = 8; l < 32; l++) CHECK_EQ_INT(tacit__treeupdate_width(l, 32, 128), 2);
    CHECK_EQ_INT(tacit__treeupdate_width(32, 32, 128), 1);
    for (unsigned l = 1; l <= 32; l++) CHECK_EQ_INT(tacit__treeupdate_width(l, 32, 1), 1);
    /* capped by the level's node count: depth 2, M = 8 */
    CHECK_EQ_INT(tacit__treeupdate_width(0, 2, 8), 8);
    CHECK_EQ_INT(tacit__treeupdate_width(1, 2, 8), 2);
    CHECK_EQ_INT(tacit__treeupdate_width(2, 2, 8), 1);
    CHECK_EQ_INT(tacit__treeupdate_width(3, 2, 8), 0);
    CHECK_EQ_INT(tacit__treeupdate_width(0, 0, 8), 0);
    CHECK_EQ_INT(tacit__treeupdate_width(0, 33, 8), 0);
    CHECK_EQ_INT(tacit__treeupdate_width(0, 4, 0), 0);
}

/* The counts of docs/protocol.md and src/zk/treeupdate.c; the system independent of the
 * statement; witness-only = full. */
TEST(counts_and_system_independent_of_witness)
{
    static const struct {
        unsigned d, m;
        uint32_t constraints;
    } want[] = {{32, 128, 52258}, {32, 1, 15562}, {20, 128, 43570}, {4, 8, 3658}, {1, 1, 496}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        unsigned d = want[i].d, m = want[i].m;
        tacit_r1cs r0, r1;
        tacit_fr *w = NULL, *wf = NULL, *leaves = calloc(m, sizeof *leaves);
        uint32_t n = 0, nf = 0;
        struct tacit_treeupdate u;
        uint8_t seed[32];

        REQUIRE(leaves != NULL, "memory");
        CHECK_EQ_INT(tacit_treeupdate_build(&r0, NULL, NULL, NULL, d, m), TACIT_OK);
        printf("  depth %u, M %u: %u constraints, %u variables\n", d, m, r0.nconstraints, r0.nvars);
        CHECK_EQ_INT(r0.nconstraints, want[i].constraints);
        CHECK_EQ_INT(r0.npublic, TACIT_TREEUPDATE_NPUBLIC(m));
        tacit_test_rand_bytes(seed, sizeof seed);
        CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, d, m, UINT64_MAX, UINT64_MAX, seed),
                     TACIT_OK);
        CHECK_EQ_INT(tacit_treeupdate_build(&r1, &wf, &nf, &u, d, m), TACIT_OK);
        CHECK(r1cs_equal(&r0, &r1));
        CHECK(tacit_r1cs_is_satisfied(&r1, wf, NULL));
        CHECK_EQ_INT(tacit_treeupdate_build(NULL, &w, &n, &u, d, m), TACIT_OK);
        CHECK_EQ_INT(n, nf);
        if (w != NULL && wf != NULL && n == nf) CHECK_MEM(w, wf, n * sizeof *w);
        tacit_witness_free(w, n);
        tacit_witness_free(wf, nf);
        tacit_r1cs_clear(&r0);
        tacit_r1cs_clear(&r1);
        free(leaves);
    }
}

/* ------------------------------------------------------------ valid appends ---- */

/* Every s in [0, 2^d] and k in [0, min(M, 2^d - s)], at depths 1..4: public inputs against
 * the naive tree, the witness against the system. */
TEST(every_append_small_depths)
{
    static const unsigned ms[] = {1, 2, 3, 5, 8};
    for (unsigned d = 1; d <= 4; d++) {
        for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
            unsigned m = ms[mi], np = TACIT_TREEUPDATE_NPUBLIC(m);
            uint64_t cap = UINT64_C(1) << d;
            tacit_r1cs sys;
            tacit_fr all[16], leaves[8], *pub = calloc(np, sizeof *pub);
            unsigned statements = 0, bad = 0;

            REQUIRE(pub != NULL, "memory");
            CHECK_EQ_INT(tacit_treeupdate_build(&sys, NULL, NULL, NULL, d, m), TACIT_OK);
            for (uint64_t s = 0; s <= cap; s++) {
                for (uint64_t k = 0; k <= m && s + k <= cap; k++) {
                    struct tacit_treeupdate u;
                    tacit_fr root, *w = NULL;
                    uint32_t n = 0;
                    memset(all, 0, sizeof all);
                    for (uint64_t i = 0; i < s; i++) rand_fr(&all[i]);
                    for (uint64_t j = 0; j < k; j++) rand_fr(&leaves[j]);
                    from_old_leaves(&u, all, s, leaves, (size_t)k);
                    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, d, m), TACIT_OK);
                    naive_root(&root, all, d);
                    if (!tacit_fr_eq(&pub[TACIT_TREEUPDATE_PUB_ROOT_OLD], &root)) bad++;
                    for (uint64_t j = 0; j < k; j++) all[s + j] = leaves[j];
                    naive_root(&root, all, d);
                    if (!tacit_fr_eq(&pub[TACIT_TREEUPDATE_PUB_ROOT_NEW], &root)) bad++;
                    CHECK_EQ_INT(tacit_treeupdate_build(NULL, &w, &n, &u, d, m), TACIT_OK);
                    if (w == NULL || !tacit_r1cs_is_satisfied(&sys, w, NULL)) {
                        bad++;
                        printf("  unsatisfied: depth %u, M %u, s %llu, k %llu\n", d, m,
                               (unsigned long long)s, (unsigned long long)k);
                    }
                    if (w != NULL) CHECK_MEM(w + 1, pub, np * sizeof *pub);
                    tacit_witness_free(w, n);
                    statements++;
                }
            }
            CHECK_EQ_INT(bad, 0);
            CHECK(statements > 0);
            tacit_r1cs_clear(&sys);
            free(pub);
        }
    }
}

/* Depth 32, M = 128: the chain's circuit against tree.c. */
TEST(chain_circuit_against_tree_c)
{
    enum { M = TACIT_TREEUPDATE_MAX_LEAVES, D = TACIT_TREEUPDATE_DEPTH };
    const uint64_t cap = TACIT_TREE_MAX_LEAVES;
    struct {
        uint64_t s, k;
        const char *what;
    } cases[] = {
        {0, 0, "empty tree, nothing appended"},
        {0, M, "empty tree, k = M"},
        {0, 1, "empty tree, one leaf"},
        {12345, 77, "s unaligned"},
        {(UINT64_C(1) << 20) - 1, M, "s = 2^20 - 1: every level's window starts at an odd index"},
        {cap / 2 - 1, 2, "the root's midpoint straddled"},
        {cap / 2 - 64, M, "the midpoint straddled by a full window"},
        {cap - M, M, "a full last subtree: the tree becomes full"},
        {cap - 5, 5, "s = 2^32 - k, unaligned"},
        {cap - 1, 1, "the last leaf"},
        {cap - 100, 0, "k = 0 near the end"},
        {cap, 0, "a full tree, k = 0"},
        {UINT64_MAX, UINT64_MAX, "random"},
        {UINT64_MAX, M, "random s, k = M"},
    };
    const int iters = tacit_test_iters(2);
    tacit_r1cs sys;
    tacit_fr leaves[M], pub[TACIT_TREEUPDATE_NPUBLIC(M)], root;

    CHECK_EQ_INT(tacit_treeupdate_build(&sys, NULL, NULL, NULL, D, M), TACIT_OK);
    REQUIRE(sys.nconstraints > 0, "the system");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int reps = cases[c].s == UINT64_MAX ? iters : 1;
        for (int rep = 0; rep < reps; rep++) {
            struct tacit_treeupdate u;
            struct tacit_tree_frontier f;
            tacit_fr *w = NULL;
            uint32_t n = 0, failed = 0;
            uint8_t seed[32];
            tacit_test_rand_bytes(seed, sizeof seed);
            CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, D, M, cases[c].s, cases[c].k, seed),
                         TACIT_OK);
            CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, D, M), TACIT_OK);
            /* R_old: tree.c's root of the frontier */
            tacit_tree_frontier_root(&root, &u.old);
            CHECK(tacit_fr_eq(&pub[TACIT_TREEUPDATE_PUB_ROOT_OLD], &root));
            /* R_new: tree.c's root after the append */
            f = u.old;
            CHECK_EQ_INT(tacit_tree_append(&f, &root, u.leaves, u.count, NULL, NULL, 0), TACIT_OK);
            CHECK(tacit_fr_eq(&pub[TACIT_TREEUPDATE_PUB_ROOT_NEW], &root));
            CHECK_EQ_INT(tacit_treeupdate_build(NULL, &w, &n, &u, D, M), TACIT_OK);
            CHECK_EQ_INT(n, sys.nvars);
            if (w != NULL && n == sys.nvars) {
                bool ok = tacit_r1cs_is_satisfied(&sys, w, &failed);
                if (!ok)
                    printf("  %s (s %llu, k %zu): constraint #%u fails\n", cases[c].what,
                           (unsigned long long)u.old.size, u.count, failed);
                CHECK(ok);
                CHECK_MEM(w + 1, pub, sizeof pub);
            }
            tacit_witness_free(w, n);
        }
    }

    /* an old tree of real leaves (frontier from tree.c's own append), then two appends in a
     * row: the second starts from the first's new root */
    {
        enum { OLD = 1000 };
        tacit_fr *old = malloc(OLD * sizeof *old), *w = NULL;
        struct tacit_treeupdate u;
        struct tacit_tree_frontier f;
        uint32_t n = 0;
        REQUIRE(old != NULL, "memory");
        for (int i = 0; i < OLD; i++) rand_fr(&old[i]);
        for (int j = 0; j < M; j++) rand_fr(&leaves[j]);
        from_old_leaves(&u, old, OLD, leaves, 100);
        CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, D, M), TACIT_OK);
        f = u.old;
        CHECK_EQ_INT(tacit_tree_append(&f, &root, leaves, 100, NULL, NULL, 0), TACIT_OK);
        CHECK(tacit_fr_eq(&pub[TACIT_TREEUPDATE_PUB_ROOT_NEW], &root));
        u.old = f;
        u.leaves = leaves + 100;
        u.count = 28;
        CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, D, M), TACIT_OK);
        CHECK(tacit_fr_eq(&pub[TACIT_TREEUPDATE_PUB_ROOT_OLD], &root));
        CHECK_EQ_INT(tacit_tree_append(&f, &root, leaves + 100, 28, NULL, NULL, 0), TACIT_OK);
        CHECK(tacit_fr_eq(&pub[TACIT_TREEUPDATE_PUB_ROOT_NEW], &root));
        CHECK_EQ_INT(tacit_treeupdate_build(NULL, &w, &n, &u, D, M), TACIT_OK);
        if (w != NULL) CHECK(tacit_r1cs_is_satisfied(&sys, w, NULL));
        tacit_witness_free(w, n);
        free(old);
    }
    tacit_r1cs_clear(&sys);
}

/* ---------------------------------------------------------------- negative ---- */

/* One statement of shape (d, m) at (s, k) as raw public inputs and frontier. */
static bool raw_statement(tacit_fr *pub, tacit_fr *frontier, tacit_fr *leaves, unsigned d,
                          unsigned m, uint64_t s, uint64_t k)
{
    struct tacit_treeupdate u;
    uint8_t seed[32];
    tacit_test_rand_bytes(seed, sizeof seed);
    CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, d, m, s, k, seed), TACIT_OK);
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, d, m), TACIT_OK);
    tacit__treeupdate_frontier(frontier, &u, d);
    return u.count == k;
}

/* R_new of the depth-d tree with frontier `frontier` at size s after appending leaves[0..k-1]
 * (k may be anything: the tree-side truth the negative statements keep consistent). */
static void new_root(tacit_fr *root, const tacit_fr *frontier, uint64_t s, const tacit_fr *leaves,
                     size_t k, unsigned d, unsigned m)
{
    struct tacit_treeupdate u;
    tacit_fr *pub = calloc(TACIT_TREEUPDATE_NPUBLIC(m), sizeof *pub);
    if (pub == NULL) {
        CHECK(pub != NULL);
        return;
    }
    memset(&u, 0, sizeof u);
    u.old.size = s;
    for (unsigned l = 0; l <= d; l++) u.old.node[l] = frontier[l];
    u.leaves = leaves;
    u.count = k;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, d, m), TACIT_OK);
    *root = pub[TACIT_TREEUPDATE_PUB_ROOT_NEW];
    free(pub);
}

static void negative_run(unsigned d, unsigned m)
{
    const uint64_t cap = UINT64_C(1) << d;
    const unsigned np = TACIT_TREEUPDATE_NPUBLIC(m);
    tacit_r1cs sys;
    tacit_fr *pub = calloc(np, sizeof *pub), *leaves = calloc(m + 1, sizeof *leaves), x;
    tacit_fr frontier[TACIT_TREE_DEPTH + 1];
    uint64_t s, k;

    REQUIRE(pub != NULL && leaves != NULL && m >= 2 && cap > 2 * m, "memory, shape");
    CHECK_EQ_INT(tacit_treeupdate_build(&sys, NULL, NULL, NULL, d, m), TACIT_OK);

    /* an odd s, so that the frontier takes part at level 0 */
    s = (below(cap - 2 * m) | 1);
    k = 2 + below(m - 1);

    /* control: the honest statement */
    raw_statement(pub, frontier, leaves, d, m, s, k);
    CHECK(raw_satisfies(&sys, pub, frontier, d, m, "honest"));

    /* wrong old root */
    raw_statement(pub, frontier, leaves, d, m, s, k);
    rand_fr(&pub[TACIT_TREEUPDATE_PUB_ROOT_OLD]);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "wrong R_old"));

    /* a wrong frontier node (the old tree is not the one R_old names) */
    raw_statement(pub, frontier, leaves, d, m, s, k);
    rand_fr(&frontier[0]);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "wrong frontier node"));

    /* a frontier node where the bit of s is clear */
    raw_statement(pub, frontier, leaves, d, m, s & ~UINT64_C(2), k);
    frontier[1] = TACIT_FR_ONE;
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "frontier node at a clear bit"));

    /* wrong new root */
    raw_statement(pub, frontier, leaves, d, m, s, k);
    rand_fr(&pub[TACIT_TREEUPDATE_PUB_ROOT_NEW]);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "wrong R_new"));

    /* leaves out of order: two swapped, R_new of the original order */
    raw_statement(pub, frontier, leaves, d, m, s, k);
    x = pub[PUB_LEAF(0)];
    pub[PUB_LEAF(0)] = pub[PUB_LEAF(1)];
    pub[PUB_LEAF(1)] = x;
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "leaves 0 and 1 swapped"));
    raw_statement(pub, frontier, leaves, d, m, s, k);
    x = pub[PUB_LEAF(k - 1)];
    pub[PUB_LEAF(k - 1)] = pub[PUB_LEAF(k - 2)];
    pub[PUB_LEAF(k - 2)] = x;
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "the last two leaves swapped"));

    /* the leaves at other positions: all shifted by one (R_new of the statement's s) */
    raw_statement(pub, frontier, leaves, d, m, s, k);
    tacit_fr_from_u64(&pub[TACIT_TREEUPDATE_PUB_START], s + 1);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "s + 1 claimed"));

    /* k > M: M real leaves, k = M + 1 (R_new of the M leaves) */
    raw_statement(pub, frontier, leaves, d, m, s, m);
    tacit_fr_from_u64(&pub[TACIT_TREEUPDATE_PUB_COUNT], m + 1);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "k = M + 1"));
    tacit_fr_neg(&pub[TACIT_TREEUPDATE_PUB_COUNT], &TACIT_FR_ONE);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "k = -1"));

    /* a non-zero leaf at position k, included in R_new (so only the zero check can fail) */
    raw_statement(pub, frontier, leaves, d, m, s, k - 1);
    rand_fr(&leaves[k - 1]);
    pub[PUB_LEAF(k - 1)] = leaves[k - 1];
    new_root(&pub[TACIT_TREEUPDATE_PUB_ROOT_NEW], frontier, s, leaves, (size_t)k, d, m);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "a non-zero leaf at position k"));
    /* and k = 0 with leaf 0 set */
    raw_statement(pub, frontier, leaves, d, m, s, 0);
    rand_fr(&leaves[0]);
    pub[PUB_LEAF(0)] = leaves[0];
    new_root(&pub[TACIT_TREEUPDATE_PUB_ROOT_NEW], frontier, s, leaves, 1, d, m);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "k = 0, leaf 0 set"));

    /* s + k > 2^d: s = 2^d - 1, k = 2; R_new of the one leaf that fits (what the window
     * computes: position 2^d does not exist) */
    raw_statement(pub, frontier, leaves, d, m, cap - 1, 1);
    rand_fr(&pub[PUB_LEAF(1)]);
    tacit_fr_from_u64(&pub[TACIT_TREEUPDATE_PUB_COUNT], 2);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "s + k = 2^d + 1"));
    /* s = 2^d with k = 1 */
    raw_statement(pub, frontier, leaves, d, m, cap, 0);
    rand_fr(&pub[PUB_LEAF(0)]);
    tacit_fr_from_u64(&pub[TACIT_TREEUPDATE_PUB_COUNT], 1);
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "s = 2^d, k = 1"));
    /* s past 2^(d+1): its bits cannot hold it (the frontier of s mod 2^(d+1)) */
    raw_statement(pub, frontier, leaves, d, m, s, k);
    tacit_fr_from_u64(&pub[TACIT_TREEUPDATE_PUB_START], s + (cap << 1));
    CHECK(!raw_satisfies(&sys, pub, frontier, d, m, "s + 2^(d+1)"));

    tacit_r1cs_clear(&sys);
    free(pub);
    free(leaves);
}

TEST(negative_depth6) { negative_run(6, 4); }
TEST(negative_chain_circuit) { negative_run(TACIT_TREEUPDATE_DEPTH, TACIT_TREEUPDATE_MAX_LEAVES); }

/* Every variable of a valid witness changed alone (+1) breaks a constraint: the witness is a
 * function of the public inputs, nothing in it is free. Only the constraints that name the
 * variable can change, so those are the ones checked (an index built once). */
struct occurrences {
    uint32_t *start; /* nvars + 1 offsets into idx */
    uint32_t *idx;   /* constraint numbers, by variable */
};

static void lc_count(uint32_t *cnt, const tacit_lc *lc)
{
    for (uint32_t t = 0; t < lc->n; t++) cnt[lc->terms[t].var + 1]++;
}

static void lc_place(struct occurrences *o, uint32_t *fill, const tacit_lc *lc, uint32_t c)
{
    for (uint32_t t = 0; t < lc->n; t++) {
        uint32_t v = lc->terms[t].var;
        o->idx[o->start[v] + fill[v]++] = c;
    }
}

static bool occurrences_new(struct occurrences *o, const tacit_r1cs *r)
{
    uint32_t *fill = calloc(r->nvars, sizeof *fill);
    uint64_t total = 0;
    o->start = calloc((size_t)r->nvars + 1, sizeof *o->start);
    o->idx = NULL;
    if (fill == NULL || o->start == NULL) goto fail;
    for (uint32_t c = 0; c < r->nconstraints; c++) {
        lc_count(o->start, &r->constraints[c].a);
        lc_count(o->start, &r->constraints[c].b);
        lc_count(o->start, &r->constraints[c].c);
    }
    for (uint32_t v = 0; v < r->nvars; v++) o->start[v + 1] += o->start[v];
    total = o->start[r->nvars];
    if ((o->idx = malloc((total + 1) * sizeof *o->idx)) == NULL) goto fail;
    for (uint32_t c = 0; c < r->nconstraints; c++) {
        lc_place(o, fill, &r->constraints[c].a, c);
        lc_place(o, fill, &r->constraints[c].b, c);
        lc_place(o, fill, &r->constraints[c].c, c);
    }
    free(fill);
    return true;
fail:
    free(fill);
    free(o->start);
    CHECK(!"memory");
    return false;
}

static void mutation_run(unsigned d, unsigned m, uint64_t s, uint64_t k)
{
    tacit_r1cs sys;
    tacit_fr *w = NULL, *leaves = calloc(m, sizeof *leaves), old;
    struct tacit_treeupdate u;
    struct occurrences o;
    uint32_t n = 0, free_vars = 0;
    uint8_t seed[32];

    REQUIRE(leaves != NULL, "memory");
    tacit_test_rand_bytes(seed, sizeof seed);
    CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, d, m, s, k, seed), TACIT_OK);
    CHECK_EQ_INT(tacit_treeupdate_build(&sys, &w, &n, &u, d, m), TACIT_OK);
    REQUIRE(w != NULL, "the witness");
    CHECK(tacit_r1cs_is_satisfied(&sys, w, NULL));
    if (occurrences_new(&o, &sys)) {
        for (uint32_t v = 1; v < n; v++) {
            bool broken = false;
            old = w[v];
            tacit_fr_add(&w[v], &w[v], &TACIT_FR_ONE);
            for (uint32_t i = o.start[v]; i < o.start[v + 1] && !broken; i++)
                broken = !tacit_r1cs_is_constraint_satisfied(&sys, w, o.idx[i]);
            if (!broken) {
                free_vars++;
                printf("  depth %u, M %u, s %llu, k %zu: variable %u changed, still satisfied\n", d,
                       m, (unsigned long long)u.old.size, u.count, v);
            }
            w[v] = old;
        }
        free(o.start);
        free(o.idx);
    }
    CHECK_EQ_INT(free_vars, 0);
    tacit_witness_free(w, n);
    tacit_r1cs_clear(&sys);
    free(leaves);
}

TEST(mutation_every_variable_small)
{
    mutation_run(3, 4, 0, 0);
    mutation_run(3, 4, 3, 4);
    mutation_run(3, 4, 5, 2);
    mutation_run(3, 4, 8, 0);
    mutation_run(5, 3, UINT64_MAX, UINT64_MAX);
}

TEST(mutation_every_variable_chain_circuit)
{
    mutation_run(TACIT_TREEUPDATE_DEPTH, TACIT_TREEUPDATE_MAX_LEAVES, UINT64_MAX, UINT64_MAX);
}

/* -------------------------------------------------------------- public API ---- */

TEST(api_errors)
{
    tacit_fr leaves[9], pub[TACIT_TREEUPDATE_NPUBLIC(8)], *w = NULL;
    struct tacit_treeupdate u;
    tacit_r1cs r;
    uint32_t n = 7;

    memset(&u, 0, sizeof u);
    memset(leaves, 0, sizeof leaves);
    u.leaves = leaves;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 0, 8), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 33, 8), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 4, 0), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_treeupdate_build(&r, &w, &n, &u, 4, TACIT_TREEUPDATE_MAX_LEAVES_LIMIT + 1),
                 TACIT_EINVAL);
    CHECK(w == NULL);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(r.nconstraints, 0);
    /* k > M */
    u.count = 9;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 4, 8), TACIT_ETOOBIG);
    CHECK_EQ_INT(tacit_treeupdate_build(NULL, &w, &n, &u, 4, 8), TACIT_ETOOBIG);
    CHECK(w == NULL);
    /* s + k > 2^d */
    u.count = 2;
    u.old.size = 15;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 4, 8), TACIT_ETREE_FULL);
    u.count = 1;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 4, 8), TACIT_OK);
    u.old.size = 16;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 4, 8), TACIT_ETREE_FULL);
    u.count = 0;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 4, 8), TACIT_OK);
    /* s > 2^d */
    u.old.size = 17;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 4, 8), TACIT_EINVAL);
    for (unsigned i = 0; i < TACIT_TREEUPDATE_NPUBLIC(8); i++) CHECK(tacit_fr_is_zero(&pub[i]));
    /* leaves NULL with k > 0 */
    u.old.size = 0;
    u.count = 1;
    u.leaves = NULL;
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, 4, 8), TACIT_EINVAL);
    /* the example's given s, k */
    CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, 4, 8, 0, 9, NULL), TACIT_ETOOBIG);
    CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, 4, 8, 10, 7, NULL), TACIT_ETREE_FULL);
    CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, 4, 8, 17, 0, NULL), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, 0, 8, 0, 0, NULL), TACIT_EINVAL);
}

TEST(example_is_deterministic)
{
    static const uint8_t seed[32] = {1, 2, 3};
    tacit_fr l1[8], l2[8];
    struct tacit_treeupdate u1, u2;
    tacit_fr p1[TACIT_TREEUPDATE_NPUBLIC(8)], p2[TACIT_TREEUPDATE_NPUBLIC(8)];

    CHECK_EQ_INT(tacit_treeupdate_example(&u1, l1, 10, 8, UINT64_MAX, UINT64_MAX, seed), TACIT_OK);
    CHECK_EQ_INT(tacit_treeupdate_example(&u2, l2, 10, 8, UINT64_MAX, UINT64_MAX, seed), TACIT_OK);
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(p1, &u1, 10, 8), TACIT_OK);
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(p2, &u2, 10, 8), TACIT_OK);
    CHECK_MEM(p1, p2, sizeof p1);
    CHECK(u1.old.size + u1.count <= 1024);
    CHECK_EQ_INT(tacit_treeupdate_example(&u1, l1, 10, 8, 1000, 5, NULL), TACIT_OK);
    CHECK_EQ_INT(u1.old.size, 1000);
    CHECK_EQ_INT(u1.count, 5);
    for (int j = 0; j < 8; j++) CHECK(tacit_fr_is_zero(&l1[j]) == (j >= 5));
    /* k drawn, capped by the room left */
    CHECK_EQ_INT(tacit_treeupdate_example(&u1, l1, 10, 8, 1022, UINT64_MAX, NULL), TACIT_OK);
    CHECK(u1.count <= 2);
}

/* ---------------------------------------------------------------- Groth16 ---- */

TEST(groth16_round_trip)
{
    enum { D = 4, M = 4, NP = TACIT_TREEUPDATE_NPUBLIC(M) };
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_groth16_proof proof;
    tacit_fr pub[NP], bad[NP], leaves[M], frontier[TACIT_TREE_DEPTH + 1], *w = NULL;
    struct tacit_treeupdate u;
    uint32_t n = 0;
    uint8_t seed[32];
    tacit_cs *cs = NULL;

    CHECK_EQ_INT(tacit_treeupdate_setup(&pk, D, M, 0), TACIT_OK);
    REQUIRE(pk != NULL, "the key");
    CHECK_EQ_INT(pk->npublic, NP);
    CHECK_EQ_INT(tacit_groth16_pk_vk(&vk, pk), TACIT_OK);
    REQUIRE(vk != NULL, "the verifying key");
    CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk, NULL), TACIT_OK);
    REQUIRE(pvk != NULL, "the prepared verifying key");

    for (int it = 0; it < 2; it++) {
        static const uint64_t ss[] = {0, 13}, ks[] = {M, 3};
        tacit_test_rand_bytes(seed, sizeof seed);
        CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, D, M, ss[it], ks[it], seed), TACIT_OK);
        CHECK_EQ_INT(tacit_treeupdate_prove(&proof, pub, pk, &u, D, M, 0, NULL), TACIT_OK);
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, pub, NP), TACIT_OK);
        /* a leaf changed after proving */
        memcpy(bad, pub, sizeof bad);
        tacit_fr_add(&bad[PUB_LEAF(0)], &bad[PUB_LEAF(0)], &TACIT_FR_ONE);
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, bad, NP), TACIT_EVERIFY);
        /* two leaves swapped */
        memcpy(bad, pub, sizeof bad);
        bad[PUB_LEAF(0)] = pub[PUB_LEAF(1)];
        bad[PUB_LEAF(1)] = pub[PUB_LEAF(0)];
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, bad, NP), TACIT_EVERIFY);
        /* another R_new, R_old, k, s */
        for (int i = 0; i < 4; i++) {
            memcpy(bad, pub, sizeof bad);
            tacit_fr_add(&bad[i], &bad[i], &TACIT_FR_ONE);
            CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, bad, NP), TACIT_EVERIFY);
        }
    }

    /* a proof of an unsatisfiable witness (wrong R_old) does not verify */
    tacit_test_rand_bytes(seed, sizeof seed);
    CHECK_EQ_INT(tacit_treeupdate_example(&u, leaves, D, M, 7, 2, seed), TACIT_OK);
    CHECK_EQ_INT(tacit_treeupdate_public_inputs(pub, &u, D, M), TACIT_OK);
    tacit__treeupdate_frontier(frontier, &u, D);
    rand_fr(&pub[TACIT_TREEUPDATE_PUB_ROOT_OLD]);
    CHECK_EQ_INT(tacit_cs_new(&cs, TACIT_CS_WITNESS), TACIT_OK);
    if (cs != NULL) {
        CHECK_EQ_INT(tacit__treeupdate_build_raw(cs, pub, frontier, D, M), TACIT_OK);
        CHECK_EQ_INT(tacit_cs_finish(cs, NULL, &w, &n), TACIT_OK);
        tacit_cs_free(cs);
    }
    if (w != NULL) {
        CHECK_EQ_INT(tacit_groth16_prove(&proof, pk, w, n, 0, NULL), TACIT_OK);
        CHECK_EQ_INT(tacit_groth16_verify_var(pvk, &proof, w + 1, NP), TACIT_EVERIFY);
    }
    tacit_witness_free(w, n);

    /* keys of another shape */
    {
        tacit_fr pub1[NP + 1];
        CHECK_EQ_INT(tacit_treeupdate_prove(&proof, pub1, pk, &u, D, M + 1, 0, NULL),
                     TACIT_ENPUBLIC);
        for (int i = 0; i < NP + 1; i++) CHECK(tacit_fr_is_zero(&pub1[i]));
    }
    CHECK_EQ_INT(tacit_treeupdate_prove(&proof, pub, pk, &u, D + 1, M, 0, NULL), TACIT_EWITNESS);
    for (int i = 0; i < NP; i++) CHECK(tacit_fr_is_zero(&pub[i]));
    /* bad statements through the prover */
    u.count = M + 1;
    CHECK_EQ_INT(tacit_treeupdate_prove(&proof, pub, pk, &u, D, M, 0, NULL), TACIT_ETOOBIG);

    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk);
}

static const struct tacit_test tests[] = {
    {"window_widths", window_widths},
    {"counts_and_system_independent_of_witness", counts_and_system_independent_of_witness},
    {"every_append_small_depths", every_append_small_depths},
    {"chain_circuit_against_tree_c", chain_circuit_against_tree_c},
    {"negative_depth6", negative_depth6},
    {"negative_chain_circuit", negative_chain_circuit},
    {"mutation_every_variable_small", mutation_every_variable_small},
    {"mutation_every_variable_chain_circuit", mutation_every_variable_chain_circuit},
    {"api_errors", api_errors},
    {"example_is_deterministic", example_is_deterministic},
    {"groth16_round_trip", groth16_round_trip},
};

TACIT_TEST_MAIN(tests)
