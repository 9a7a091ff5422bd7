/*
 * tacit — the tree-update circuit (include/tacit/treeupdate.h; shared/docs/SETTLEMENT.md 4):
 * appending leaf[0 .. k-1] at index s to the note tree whose root is R_old gives R_new.
 *
 * Construction, for depth D and at most M leaves (node(l, j) covers leaves [j 2^l, (j+1) 2^l),
 * a_l = s >> l is the index of the node holding position s at level l, b_l = bit l of s):
 *
 *  1. s = sum_{l <= D} b_l 2^l, D + 1 boolean bits (s = 2^D only for a full tree).
 *  2. k: a thermometer t_0 >= t_1 >= ... >= t_{M-1}, t_j = [j < k], each t_j (t_j - t_{j-1})
 *     = 0 with t_{-1} = 1 (t_j is 0 or t_{j-1}: boolean and monotone in one constraint),
 *     sum t_j = k (so 0 <= k <= M), and leaf_j (1 - t_j) = 0: the leaves past k are 0.
 *  3. 2^D - s - k < 2^(D+1) by its bits: s + k <= 2^D.
 *  4. R_old from the old frontier F (F[l] = node(l, a_l - 1), the complete node left of a_l,
 *     when b_l = 1): acc_0 = 0, acc_{l+1} = b_l ? H(F[l], acc_l) : H(acc_l, Z[l]) (acc_l is
 *     node(l, a_l) of the old tree: right of s everything is empty), and
 *     R_old = b_D ? F[D] : acc_D. The frontier is bound by R_old (collision resistance).
 *  5. The new nodes, level by level, in a window: w_l[i] = node(l, a_l + i) of the new tree
 *     for i < W_l. Level 0 is the public leaves themselves (W_0 = M: position s + j holds
 *     leaf_j, which is 0 = the empty leaf for j >= k). Level l + 1 from level l, with
 *     x(-1) = F[l], x(i) = w_l[i] for 0 <= i < W_l, and x(i) = Z[l] beyond:
 *         w_{l+1}[j] = H(x(2j - b_l), x(2j + 1 - b_l))
 *     (a_l = 2 a_{l+1} + b_l: when a_l is odd the window's first node is a right child and
 *     its left sibling is the old frontier node). This needs every node right of the window
 *     to be empty: node(l, a_l + W_l) starts at leaf (a_l + W_l) 2^l >= s - 2^l + 1 + W_l 2^l,
 *     which is >= s + M (past every appended leaf) when W_l >= ceil((M - 1) / 2^l) + 1. The
 *     window is also capped at 2^(D - l) (past that, nodes do not exist, and no existing
 *     parent has one as a child); at level D it is the root alone. R_new = b_D ? F[D] : w_D[0].
 *     The selections cost one product per x(i) (e_i = b_l (x(i-1) - x(i)), left = x(2j) +
 *     e_2j, right = x(2j+1) + e_2j+1), none where both sides are the constant Z[l]; a parent
 *     of two constants is a constant (no hash).
 * Nothing depends on alignment: s is any index, the window follows a_l at every level.
 *
 * Cost (constraints; H = 240, circomlib Poseidon(2), src/zk/gadgets.c):
 *   s: D + 1 bits and their sum 1; the frontier's zeros D + 1; the thermometer and the zero
 *   leaves 2M, their sum 1; s + k <= 2^D: D + 2; the two roots' selections 2;
 *   R_old: D hashes and D swaps (the sibling is linear); the window: sum_{l=1..D} W_l hashes
 *   and a product per child selection (none where both sides are the constant Z[l]; a hash of
 *   two constants is free, one with a constant input saves 3).
 *   W_l = min(ceil((M - 1) / 2^l) + 1, 2^(D - l)): for M = 128 that is 65, 33, 17, 9, 5, 3,
 *   then 2 up to level D - 1, and 1 at D: 183 hashes at D = 32, 215 with R_old's.
 *   Pinned by tests/test_treeupdate.c: D = 32, M = 128: 52,258 (QAP domain 2^16); D = 32,
 *   M = 1: 15,562; D = 20, M = 128: 43,570; D = 4, M = 8: 3,658; D = 4, M = 4: 2,920.
 *   Roughly 242 (M + 3D) + 2M: the M - 1 changed internal nodes below level log2 M, then 3
 *   hashes per level above (the old path, and the window's two nodes: the appended range may
 *   straddle a node boundary at any level up to the root, and then the old node at s >> l, the
 *   new one and its new right neighbour are three distinct values a fixed circuit must hash).
 */
#include "tacit/treeupdate.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tacit/error.h"
#include "tacit/poseidon.h"
#include "zk/circuit_internal.h"
#include "zk/treeupdate_internal.h"

static bool shape_ok(unsigned depth, unsigned max_leaves)
{
    return depth >= 1 && depth <= TACIT_TREE_DEPTH && max_leaves >= 1 &&
           max_leaves <= TACIT_TREEUPDATE_MAX_LEAVES_LIMIT;
}

unsigned tacit__treeupdate_width(unsigned level, unsigned depth, unsigned max_leaves)
{
    uint64_t w, cap;

    if (!shape_ok(depth, max_leaves) || level > depth) return 0;
    if (level == 0) return max_leaves;
    w = (((uint64_t)max_leaves - 1 + (UINT64_C(1) << level) - 1) >> level) + 1;
    cap = UINT64_C(1) << (depth - level);
    return (unsigned)(w < cap ? w : cap);
}

/* ------------------------------------------------------------------- circuit ---- */

/* An array of n combinations, each the constant 0; NULL (and cs failed) without memory. */
static tacit_cs_lc *lc_array(tacit_cs *cs, size_t n)
{
    tacit_cs_lc *a = calloc(n, sizeof *a);
    if (a == NULL) {
        tacit__cs_fail(cs, TACIT_ENOMEM);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) tacit_cs_lc_init(&a[i]);
    return a;
}

static void lc_array_free(tacit_cs_lc *a, size_t n)
{
    if (a == NULL) return;
    for (size_t i = 0; i < n; i++) tacit_cs_lc_clear(&a[i]);
    free(a);
}

/* k as an integer, saturated at UINT64_MAX (a field element past 2^64 is "more than M"). */
static uint64_t fr_to_u64_sat(const tacit_fr *a)
{
    uint64_t l[4];
    tacit_fr_to_limbs(l, a);
    return (l[1] | l[2] | l[3]) != 0 ? UINT64_MAX : l[0];
}

/* Constrains b (x - y) = target - y, i.e. target = b ? x : y, in one constraint. */
static void enforce_select(tacit_cs *cs, const tacit_cs_lc *target, const tacit_cs_lc *b,
                           const tacit_cs_lc *x, const tacit_cs_lc *y)
{
    tacit_cs_lc d = TACIT_CS_LC_INIT, e = TACIT_CS_LC_INIT;

    tacit_cs_lc_sub(cs, &d, x, y);
    tacit_cs_lc_sub(cs, &e, target, y);
    tacit_cs_enforce(cs, b, &d, &e);
    tacit_cs_lc_clear(&d);
    tacit_cs_lc_clear(&e);
}

/* x(i) of the window at one level (see the top): the frontier node, a window node, or Z. */
struct level {
    const tacit_cs_lc *cur; /* w_l[0 .. width-1] */
    unsigned width;
    const tacit_cs_lc *left; /* F[l] */
    const tacit_cs_lc *zero; /* Z[l], a constant */
};

static const tacit_cs_lc *x_at(const struct level *lv, long i)
{
    if (i < 0) return lv->left;
    if ((unsigned long)i < lv->width) return &lv->cur[i];
    return lv->zero;
}

/* w_{l+1}[0 .. nwidth-1] into next, from lv and the bit b = b_l. */
static void window_step(tacit_cs *cs, tacit_cs_lc *next, unsigned nwidth, const struct level *lv,
                        const tacit_cs_lc *b)
{
    tacit_cs_lc e = TACIT_CS_LC_INIT, in[2] = {TACIT_CS_LC_INIT, TACIT_CS_LC_INIT};

    for (unsigned j = 0; j < nwidth; j++) {
        for (unsigned c = 0; c < 2; c++) {
            long i = 2 * (long)j + c;
            /* child c of parent j: x(i) + b (x(i-1) - x(i)) */
            tacit_cs_lc_sub(cs, &e, x_at(lv, i - 1), x_at(lv, i));
            tacit_cs_mul(cs, &e, b, &e);
            tacit_cs_lc_add(cs, &in[c], x_at(lv, i), &e);
        }
        tacit_gadget_poseidon(cs, &next[j], in, 2);
    }
    tacit_cs_lc_clear(&e);
    tacit_cs_lc_clear(&in[0]);
    tacit_cs_lc_clear(&in[1]);
}

int tacit__treeupdate_build_raw(tacit_cs *cs, const tacit_fr *pubv, const tacit_fr *frontier,
                                unsigned depth, unsigned max_leaves)
{
    const unsigned D = depth, M = max_leaves;
    tacit_cs_lc *pub = NULL, *f = NULL, *bits = NULL, *cur = NULL, *next = NULL, *tmp;
    tacit_cs_lc sl = TACIT_CS_LC_INIT, t = TACIT_CS_LC_INIT, tprev = TACIT_CS_LC_INIT;
    tacit_cs_lc one = TACIT_CS_LC_INIT, zero = TACIT_CS_LC_INIT, sum = TACIT_CS_LC_INIT;
    tacit_cs_lc a = TACIT_CS_LC_INIT, acc = TACIT_CS_LC_INIT, sib = TACIT_CS_LC_INIT;
    tacit_cs_lc lr[2] = {TACIT_CS_LC_INIT, TACIT_CS_LC_INIT}, z = TACIT_CS_LC_INIT;
    tacit_fr pow;
    uint64_t k;
    uint32_t first;
    unsigned np, width;

    if (!shape_ok(D, M)) {
        tacit__cs_fail(cs, TACIT_EINVAL);
        return TACIT_EINVAL;
    }
    np = TACIT_TREEUPDATE_NPUBLIC(M);
    if ((pub = lc_array(cs, np)) == NULL || (f = lc_array(cs, D + 1)) == NULL ||
        (bits = lc_array(cs, D + 1)) == NULL || (cur = lc_array(cs, M)) == NULL ||
        (next = lc_array(cs, M)) == NULL)
        goto out;
    for (unsigned i = 0; i < np; i++)
        tacit_cs_lc_var(cs, &pub[i], tacit_cs_alloc_public(cs, &pubv[i]));
    tacit_cs_lc_const(cs, &one, &TACIT_FR_ONE);

    /* 1. s = its D + 1 bits */
    first = tacit_gadget_alloc_bits(cs, &sl, &pubv[TACIT_TREEUPDATE_PUB_START], D + 1);
    tacit_cs_enforce_equal(cs, &sl, &pub[TACIT_TREEUPDATE_PUB_START]);
    for (unsigned l = 0; l <= D && tacit_cs_status(cs) == TACIT_OK; l++)
        tacit_cs_lc_var(cs, &bits[l], first + l);

    /* the frontier, private; F[l] = 0 where b_l = 0 (it is not a node there: so the witness
     * is a function of the public inputs, and the sibling below is linear) */
    for (unsigned l = 0; l <= D; l++) {
        tacit_cs_lc_var(cs, &f[l], tacit_cs_alloc_private(cs, &frontier[l]));
        tacit_cs_lc_sub(cs, &a, &one, &bits[l]);
        tacit_cs_enforce(cs, &a, &f[l], &zero);
    }

    /* 2. the thermometer t_j = [j < k]: t_j (t_j - t_{j-1}) = 0, sum = k, leaf_j (1 - t_j) = 0 */
    k = fr_to_u64_sat(&pubv[TACIT_TREEUPDATE_PUB_COUNT]);
    tacit_cs_lc_copy(cs, &tprev, &one);
    for (unsigned j = 0; j < M; j++) {
        tacit_cs_lc_var(cs, &t, tacit_cs_alloc_private(cs, j < k ? &TACIT_FR_ONE : &TACIT_FR_ZERO));
        tacit_cs_lc_sub(cs, &a, &t, &tprev);
        tacit_cs_enforce(cs, &t, &a, &zero);
        tacit_cs_lc_add(cs, &sum, &sum, &t);
        tacit_cs_lc_sub(cs, &a, &one, &t);
        tacit_cs_enforce(cs, &pub[TACIT_TREEUPDATE_PUB_LEAF0 + j], &a, &zero);
        tacit_cs_lc_copy(cs, &tprev, &t);
    }
    tacit_cs_enforce_equal(cs, &sum, &pub[TACIT_TREEUPDATE_PUB_COUNT]);

    /* 3. s + k <= 2^D: 2^D - s - k has D + 1 bits */
    pow = TACIT_FR_ONE;
    for (unsigned l = 0; l < D; l++) tacit_fr_add(&pow, &pow, &pow);
    tacit_cs_lc_const(cs, &a, &pow);
    tacit_cs_lc_sub(cs, &a, &a, &pub[TACIT_TREEUPDATE_PUB_START]);
    tacit_cs_lc_sub(cs, &a, &a, &pub[TACIT_TREEUPDATE_PUB_COUNT]);
    tacit_gadget_range(cs, &a, D + 1);

    /* 4. R_old from the frontier: sibling = b ? F[l] : Z[l] = F[l] + (1 - b) Z[l] (free, F[l]
     * being 0 where b = 0), then (acc, sibling) swapped by b */
    for (unsigned l = 0; l < D; l++) {
        tacit_cs_lc_sub(cs, &a, &one, &bits[l]);
        tacit_cs_lc_scale(cs, &a, &a, tacit_tree_zero(l));
        tacit_cs_lc_add(cs, &sib, &f[l], &a);
        tacit_gadget_swap(cs, &lr[0], &lr[1], &bits[l], &acc, &sib);
        tacit_gadget_poseidon(cs, &acc, lr, 2);
    }
    enforce_select(cs, &pub[TACIT_TREEUPDATE_PUB_ROOT_OLD], &bits[D], &f[D], &acc);

    /* 5. the new nodes, level by level */
    for (unsigned j = 0; j < M; j++)
        tacit_cs_lc_copy(cs, &cur[j], &pub[TACIT_TREEUPDATE_PUB_LEAF0 + j]);
    width = M;
    for (unsigned l = 0; l < D && tacit_cs_status(cs) == TACIT_OK; l++) {
        unsigned nwidth = tacit__treeupdate_width(l + 1, D, M);
        struct level lv = {cur, width, &f[l], &z};
        tacit_cs_lc_const(cs, &z, tacit_tree_zero(l));
        window_step(cs, next, nwidth, &lv, &bits[l]);
        for (unsigned j = nwidth; j < width; j++) tacit_cs_lc_clear(&cur[j]);
        tmp = cur;
        cur = next;
        next = tmp;
        width = nwidth;
    }
    enforce_select(cs, &pub[TACIT_TREEUPDATE_PUB_ROOT_NEW], &bits[D], &f[D], &cur[0]);

out:
    lc_array_free(pub, np);
    lc_array_free(f, D + 1);
    lc_array_free(bits, D + 1);
    lc_array_free(cur, M);
    lc_array_free(next, M);
    tacit_cs_lc_clear(&sl);
    tacit_cs_lc_clear(&t);
    tacit_cs_lc_clear(&tprev);
    tacit_cs_lc_clear(&one);
    tacit_cs_lc_clear(&sum);
    tacit_cs_lc_clear(&a);
    tacit_cs_lc_clear(&acc);
    tacit_cs_lc_clear(&sib);
    tacit_cs_lc_clear(&lr[0]);
    tacit_cs_lc_clear(&lr[1]);
    tacit_cs_lc_clear(&z);
    return tacit_cs_status(cs);
}

/* ------------------------------------------------------------ native, public ---- */

/* The root of the depth-`depth` tree f describes (f->size <= 2^depth). */
static void root_at_depth(tacit_fr *root, const struct tacit_tree_frontier *f, unsigned depth)
{
    tacit_fr acc = TACIT_FR_ZERO;

    if (f->size == (UINT64_C(1) << depth)) {
        *root = f->node[depth];
        return;
    }
    for (unsigned l = 0; l < depth; l++) {
        if ((f->size >> l) & 1)
            tacit_poseidon2(&acc, &f->node[l], &acc);
        else
            tacit_poseidon2(&acc, &acc, tacit_tree_zero(l));
    }
    *root = acc;
}

static int check(const struct tacit_treeupdate *u, unsigned depth, unsigned max_leaves)
{
    if (!shape_ok(depth, max_leaves)) return TACIT_EINVAL;
    if (u->old.size > (UINT64_C(1) << depth)) return TACIT_EINVAL;
    if (u->count > 0 && u->leaves == NULL) return TACIT_EINVAL;
    if (u->count > max_leaves) return TACIT_ETOOBIG;
    if (u->count > (UINT64_C(1) << depth) - u->old.size) return TACIT_ETREE_FULL;
    return TACIT_OK;
}

int tacit_treeupdate_public_inputs(tacit_fr *pub, const struct tacit_treeupdate *u, unsigned depth,
                                   unsigned max_leaves)
{
    struct tacit_tree_frontier nf;
    int rc;

    if (shape_ok(depth, max_leaves))
        memset(pub, 0, TACIT_TREEUPDATE_NPUBLIC(max_leaves) * sizeof *pub);
    if ((rc = check(u, depth, max_leaves)) != TACIT_OK) return rc;
    root_at_depth(&pub[TACIT_TREEUPDATE_PUB_ROOT_OLD], &u->old, depth);
    /* the append itself is tree.c's: its frontier below level `depth` is the depth-D tree's */
    nf = u->old;
    if ((rc = tacit_tree_append(&nf, NULL, u->leaves, u->count, NULL, NULL, 0)) != TACIT_OK) {
        memset(pub, 0, TACIT_TREEUPDATE_NPUBLIC(max_leaves) * sizeof *pub);
        return rc;
    }
    root_at_depth(&pub[TACIT_TREEUPDATE_PUB_ROOT_NEW], &nf, depth);
    tacit_fr_from_u64(&pub[TACIT_TREEUPDATE_PUB_START], u->old.size);
    tacit_fr_from_u64(&pub[TACIT_TREEUPDATE_PUB_COUNT], u->count);
    if (u->count > 0)
        memcpy(&pub[TACIT_TREEUPDATE_PUB_LEAF0], u->leaves, u->count * sizeof *u->leaves);
    return TACIT_OK;
}

void tacit__treeupdate_frontier(tacit_fr *frontier, const struct tacit_treeupdate *u,
                                unsigned depth)
{
    for (unsigned l = 0; l <= depth; l++)
        frontier[l] = ((u->old.size >> l) & 1) ? u->old.node[l] : TACIT_FR_ZERO;
}

int tacit_treeupdate_build(tacit_r1cs *r, tacit_fr **witness, uint32_t *nvars,
                           const struct tacit_treeupdate *u, unsigned depth, unsigned max_leaves)
{
    struct tacit_treeupdate empty;
    tacit_fr frontier[TACIT_TREE_DEPTH + 1], *pub = NULL;
    tacit_cs *cs = NULL;
    int rc;

    if (r != NULL) memset(r, 0, sizeof *r);
    if (witness != NULL) *witness = NULL;
    if (nvars != NULL) *nvars = 0;
    if (!shape_ok(depth, max_leaves)) return TACIT_EINVAL;
    if (u == NULL) { /* nothing appended to the empty tree */
        memset(&empty, 0, sizeof empty);
        u = &empty;
    }
    if ((pub = malloc(TACIT_TREEUPDATE_NPUBLIC(max_leaves) * sizeof *pub)) == NULL)
        return TACIT_ENOMEM;
    if ((rc = tacit_treeupdate_public_inputs(pub, u, depth, max_leaves)) != TACIT_OK) goto out;
    tacit__treeupdate_frontier(frontier, u, depth);
    if ((rc = tacit_cs_new(&cs, r != NULL ? TACIT_CS_FULL : TACIT_CS_WITNESS)) != TACIT_OK)
        goto out;
    if ((rc = tacit__treeupdate_build_raw(cs, pub, frontier, depth, max_leaves)) == TACIT_OK)
        rc = tacit_cs_finish(cs, r, witness, nvars);
    tacit_cs_free(cs);
out:
    free(pub);
    return rc;
}

/* ------------------------------------------------------------ setup, prove ---- */

int tacit_treeupdate_setup(tacit_groth16_pk **pk, unsigned depth, unsigned max_leaves,
                           unsigned nthreads)
{
    tacit_r1cs r;
    int rc;

    *pk = NULL;
    if ((rc = tacit_treeupdate_build(&r, NULL, NULL, NULL, depth, max_leaves)) != TACIT_OK)
        return rc;
    rc = tacit_groth16_setup(pk, &r, nthreads);
    tacit_r1cs_clear(&r);
    return rc;
}

int tacit_treeupdate_prove(tacit_groth16_proof *proof, tacit_fr *pub, const tacit_groth16_pk *pk,
                           const struct tacit_treeupdate *u, unsigned depth, unsigned max_leaves,
                           unsigned nthreads, tacit_groth16_prove_stats *stats)
{
    tacit_fr *w = NULL;
    uint32_t n = 0;
    int rc;

    memset(proof, 0, sizeof *proof);
    if (!shape_ok(depth, max_leaves)) return TACIT_EINVAL;
    if (pub != NULL) memset(pub, 0, TACIT_TREEUPDATE_NPUBLIC(max_leaves) * sizeof *pub);
    if ((rc = check(u, depth, max_leaves)) != TACIT_OK) return rc;
    if (pk->npublic != TACIT_TREEUPDATE_NPUBLIC(max_leaves)) return TACIT_ENPUBLIC;
    if ((rc = tacit_treeupdate_build(NULL, &w, &n, u, depth, max_leaves)) != TACIT_OK) return rc;
    if (n != pk->nvars) {
        rc = TACIT_EWITNESS;
        goto out;
    }
    if ((rc = tacit_groth16_prove(proof, pk, w, n, nthreads, stats)) != TACIT_OK) goto out;
    if (pub != NULL) memcpy(pub, w + 1, TACIT_TREEUPDATE_NPUBLIC(max_leaves) * sizeof *pub);
out:
    tacit_witness_free(w, n);
    return rc;
}

/* ------------------------------------------------------------------ example ---- */

int tacit_treeupdate_example(struct tacit_treeupdate *u, tacit_fr *leaves, unsigned depth,
                             unsigned max_leaves, uint64_t s, uint64_t k, const uint8_t seed[32])
{
    uint8_t sd[32], *buf;
    size_t need, off = 0;
    uint64_t cap, r;
    int rc = TACIT_OK;

    memset(u, 0, sizeof *u);
    if (!shape_ok(depth, max_leaves)) return TACIT_EINVAL;
    memset(leaves, 0, max_leaves * sizeof *leaves);
    cap = UINT64_C(1) << depth;
    if (k != UINT64_MAX && k > max_leaves) return TACIT_ETOOBIG;
    if (s != UINT64_MAX && s > cap) return TACIT_EINVAL;
    if (s != UINT64_MAX && k != UINT64_MAX && k > cap - s) return TACIT_ETREE_FULL;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    /* 16 bytes for k, 16 for s, 64 per frontier node and per leaf */
    need = 32 + 64 * ((size_t)depth + 1 + max_leaves);
    if ((buf = malloc(need)) == NULL) return TACIT_ENOMEM;
    if (seed != NULL)
        memcpy(sd, seed, sizeof sd);
    else
        randombytes_buf(sd, sizeof sd);
    randombytes_buf_deterministic(buf, need, sd);

    memcpy(&r, buf, sizeof r);
    off = 16;
    if (k == UINT64_MAX) {
        uint64_t kmax = max_leaves;
        if (s != UINT64_MAX && kmax > cap - s) kmax = cap - s;
        if (kmax > cap) kmax = cap;
        k = r % (kmax + 1);
    }
    memcpy(&r, buf + off, sizeof r);
    off += 16;
    if (s == UINT64_MAX) s = r % (cap - k + 1);

    u->old.size = s;
    for (unsigned l = 0; l <= depth; l++, off += 64)
        if ((s >> l) & 1) tacit_fr_from_wide(&u->old.node[l], buf + off);
    for (uint64_t j = 0; j < max_leaves; j++, off += 64)
        if (j < k) tacit_fr_from_wide(&leaves[j], buf + off);
    u->leaves = leaves;
    u->count = (size_t)k;
    sodium_memzero(sd, sizeof sd);
    free(buf);
    return rc;
}
