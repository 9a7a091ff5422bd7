/*
 * tacit — the LMDB state store (src/state): blocks applied and read back after a reopen, the
 * header digests against an independent model of docs/state-format.md, views against
 * apply_block, rule errors, map growth, injected and real write errors (the previous state
 * stays byte-identical), a really full file system (a small tmpfs, when root), format and
 * parameter refusal, truncated or damaged data files refused before LMDB maps them, backups.
 *
 * Stores live under TMPDIR or /var/tmp (on disk), in fresh directories removed at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "state/testhooks.h"
#include "state_gen.h"
#include "tacit/error.h"
#include "tacit/poseidon.h"
#include "tacit/state.h"

#define SEED 42

/* ------------------------------------------------------------------- model ---- */

/* The state a sequence of gen blocks should give, computed without the store. */
struct model {
    uint64_t height; /* next */
    struct tacit_tree_frontier f;
    tacit_fr *leaves;
    size_t nleaves, cap;
    uint8_t nfd[32], td[32];
    struct tacit_account acct[GEN_ADDRS];
    struct tacit_state_digests *hist; /* digests after each height */
};

static void model_init(struct model *m)
{
    memset(m, 0, sizeof *m);
    tacit_tree_frontier_init(&m->f);
}

static void model_free(struct model *m)
{
    free(m->leaves);
    free(m->hist);
}

static void model_apply(struct model *m, const struct tacit_block_update *u)
{
    static const unsigned char pn[16] = "tacit-nullifiers";
    static const unsigned char pa[16] = {'t', 'a', 'c', 'i', 't', '-', 'a', 'c',
                                         'c', 'o', 'u', 'n', 't', 's', 0,   0};
    static const unsigned char salt[16];
    struct tacit_state_digests d;
    bool touched[GEN_ADDRS] = {false};

    if (m->nleaves + u->ncommitments > m->cap) {
        m->cap = (m->nleaves + u->ncommitments) * 2;
        m->leaves = realloc(m->leaves, m->cap * sizeof *m->leaves);
    }
    if (u->ncommitments)
        memcpy(m->leaves + m->nleaves, u->commitments, u->ncommitments * sizeof(tacit_fr));
    m->nleaves += u->ncommitments;
    CHECK_EQ_INT(
        tacit_tree_append(&m->f, &d.note_root, u->commitments, u->ncommitments, NULL, NULL, 0),
        TACIT_OK);
    tacit_tree_frontier_root(&d.note_root, &m->f);
    d.commitment_count = m->f.size;
    for (size_t i = 0; i < u->nnullifiers; i++) {
        uint8_t in[64];
        memcpy(in, m->nfd, 32);
        tacit_fr_to_bytes(in + 32, &u->nullifiers[i]);
        crypto_generichash_blake2b_salt_personal(m->nfd, 32, in, 64, NULL, 0, salt, pn);
    }
    for (size_t i = 0; i < u->ndeltas; i++) {
        unsigned k = u->deltas[i].address[19];
        m->acct[k].balance += u->deltas[i].credit;
        m->acct[k].balance -= u->deltas[i].debit;
        m->acct[k].nonce += u->deltas[i].nonce_add;
        touched[k] = true;
    }
    for (unsigned k = 0; k < GEN_ADDRS; k++) { /* gen addresses sort by their last byte */
        uint8_t in[32 + 20 + 16];
        if (!touched[k]) continue;
        memcpy(in, m->td, 32);
        gen_address(in + 32, k);
        for (int b = 0; b < 8; b++) {
            in[52 + b] = (uint8_t)(m->acct[k].balance >> (56 - 8 * b));
            in[60 + b] = (uint8_t)(m->acct[k].nonce >> (56 - 8 * b));
        }
        crypto_generichash_blake2b_salt_personal(m->td, 32, in, sizeof in, NULL, 0, salt, pa);
    }
    memcpy(d.nullifier_digest, m->nfd, 32);
    memcpy(d.transparent_digest, m->td, 32);
    m->hist = realloc(m->hist, (m->height + 1) * sizeof *m->hist);
    m->hist[m->height++] = d;
}

static bool digests_eq(const struct tacit_state_digests *a, const struct tacit_state_digests *b)
{
    return tacit_fr_eq(&a->note_root, &b->note_root) &&
           a->commitment_count == b->commitment_count &&
           memcmp(a->nullifier_digest, b->nullifier_digest, 32) == 0 &&
           memcmp(a->transparent_digest, b->transparent_digest, 32) == 0;
}

/* ----------------------------------------------------------------- helpers ---- */

static struct tacit_state *open_store(const char *dir, uint64_t map_size)
{
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    tacit_state_options_init(&o);
    o.chain_id = 7;
    o.map_size = map_size;
    CHECK_EQ_INT(tacit_state_open(&st, dir, &o), TACIT_OK);
    return st;
}

/* Applies gen blocks [from, to) with ntx txs each, to the store and the model. */
static void apply_range(struct tacit_state *st, struct model *m, uint64_t from, uint64_t to,
                        size_t ntx)
{
    for (uint64_t h = from; h < to; h++) {
        struct gen_block b;
        struct tacit_state_digests d;
        gen_block_make(&b, SEED, h, ntx);
        CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, &d), TACIT_OK);
        if (m != NULL) {
            model_apply(m, &b.u);
            CHECK(digests_eq(&d, &m->hist[h]));
        }
        gen_block_free(&b);
    }
}

static void dump(struct tacit_state *st, uint8_t out[32])
{
    CHECK_EQ_INT(tacit__state_dump_hash(st, out), TACIT_OK);
}

/* ------------------------------------------------------------------- tests ---- */

TEST(empty_store)
{
    char dir[256];
    struct tacit_state *st;
    struct tacit_state_tip tip;
    struct tacit_tree_frontier f;
    struct tacit_tree_path p;
    tacit_fr cm;
    bool b;
    uint8_t *bytes;
    size_t len;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    st = open_store(dir, 0);
    if (st == NULL) return;
    CHECK_EQ_INT(tacit_state_tip(st, &tip), TACIT_OK);
    CHECK_EQ_INT(tip.next_height, 0);
    CHECK_EQ_INT(tip.digests.commitment_count, 0);
    CHECK(tacit_fr_eq(&tip.digests.note_root, tacit_tree_zero(TACIT_TREE_DEPTH)));
    CHECK_EQ_INT(tacit_state_root_history(st), TACIT_STATE_ROOT_HISTORY_DEFAULT);
    CHECK_EQ_INT(tacit_state_anchor_recent(st, tacit_tree_zero(TACIT_TREE_DEPTH), &b), TACIT_OK);
    CHECK(!b);
    CHECK_EQ_INT(tacit_state_commitment(st, 0, &cm), TACIT_ENOTFOUND);
    CHECK_EQ_INT(tacit_state_path(st, 0, TACIT_STATE_TIP, &p, NULL), TACIT_ENOTFOUND);
    CHECK_EQ_INT(tacit_state_frontier(st, TACIT_STATE_TIP, &f), TACIT_OK);
    CHECK_EQ_INT(f.size, 0);
    CHECK_EQ_INT(tacit_state_frontier(st, 0, &f), TACIT_ENOTFOUND);
    CHECK_EQ_INT(tacit_state_block_by_height(st, 0, NULL, &bytes, &len), TACIT_ENOTFOUND);
    CHECK(bytes == NULL);
    CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
    tacit_state_close(st);
    tacit_state_close(NULL);
    gen_rmdir(dir);
}

TEST(apply_reopen_read_back)
{
    char dir[256];
    struct tacit_state *st;
    struct tacit_state_tip tip;
    struct model m;
    const uint64_t nblocks = 24;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    model_init(&m);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, &m, 0, nblocks, 5);
    /* blocks of no transactions keep the tree and the digests */
    {
        struct tacit_block_update u = {.height = nblocks};
        struct tacit_state_digests d;
        memset(u.hash, 0xee, 32);
        CHECK_EQ_INT(tacit_state_apply_block(st, &u, &m.hist[nblocks - 1], &d), TACIT_OK);
        model_apply(&m, &u);
        CHECK(digests_eq(&d, &m.hist[nblocks - 1]));
    }
    tacit_state_close(st);

    st = open_store(dir, 0);
    if (st == NULL) return;
    CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
    CHECK_EQ_INT(tacit_state_tip(st, &tip), TACIT_OK);
    CHECK_EQ_INT(tip.next_height, nblocks + 1);
    CHECK_EQ_INT(tip.nullifier_count, nblocks * 10);
    CHECK(digests_eq(&tip.digests, &m.hist[nblocks]));
    for (uint64_t h = 0; h <= nblocks; h++) {
        struct tacit_state_digests d;
        struct tacit_tree_frontier f, mf;
        CHECK_EQ_INT(tacit_state_digests_at(st, h, &d), TACIT_OK);
        CHECK(digests_eq(&d, &m.hist[h]));
        /* the tree state at that height is the model's */
        CHECK_EQ_INT(tacit_state_frontier(st, h, &f), TACIT_OK);
        tacit_tree_frontier_init(&mf);
        CHECK_EQ_INT(
            tacit_tree_append(&mf, NULL, m.leaves, m.hist[h].commitment_count, NULL, NULL, 0),
            TACIT_OK);
        CHECK(memcmp(&f, &mf, sizeof f) == 0);
        /* paths at that height verify against that height's root */
        for (uint64_t i = 0; i < m.hist[h].commitment_count; i += 7) {
            struct tacit_tree_path p;
            tacit_fr root, r;
            CHECK_EQ_INT(tacit_state_path(st, i, h, &p, &root), TACIT_OK);
            CHECK(tacit_fr_eq(&root, &m.hist[h].note_root));
            tacit_tree_path_root(&r, &m.leaves[i], &p);
            CHECK(tacit_fr_eq(&r, &root));
        }
    }
    {
        struct tacit_state_digests d;
        CHECK_EQ_INT(tacit_state_digests_at(st, nblocks + 1, &d), TACIT_ENOTFOUND);
    }
    /* the records of one block */
    {
        struct gen_block b;
        uint8_t hash[32], *bytes;
        size_t len;
        uint64_t h;
        uint32_t idx;
        tacit_fr cm;
        bool spent;
        struct tacit_account a;
        gen_block_make(&b, SEED, 9, 5);
        CHECK_EQ_INT(tacit_state_block_by_height(st, 9, hash, &bytes, &len), TACIT_OK);
        CHECK_MEM(hash, b.u.hash, 32);
        CHECK_EQ_INT(len, b.u.block_len);
        if (len == b.u.block_len) CHECK_MEM(bytes, b.u.block, len);
        free(bytes);
        CHECK_EQ_INT(tacit_state_block_by_hash(st, b.u.hash, &h, &bytes, &len), TACIT_OK);
        CHECK_EQ_INT(h, 9);
        free(bytes);
        CHECK_EQ_INT(tacit_state_tx(st, b.txs[3].id, &h, &idx, &bytes, &len), TACIT_OK);
        CHECK_EQ_INT(h, 9);
        CHECK_EQ_INT(idx, 3);
        CHECK_EQ_INT(len, 16);
        if (len == 16) CHECK_MEM(bytes, b.txs[3].bytes, 16);
        free(bytes);
        CHECK_EQ_INT(tacit_state_commitment(st, 9 * 10 + 4, &cm), TACIT_OK);
        CHECK(tacit_fr_eq(&cm, &b.cms[4]));
        CHECK_EQ_INT(tacit_state_output(st, 9 * 10 + 4, &bytes, &len), TACIT_OK);
        CHECK_EQ_INT(len, GEN_OUTPUT_LEN);
        if (len == GEN_OUTPUT_LEN) CHECK_MEM(bytes, b.outs[4].data, GEN_OUTPUT_LEN);
        free(bytes);
        CHECK_EQ_INT(tacit_state_nullifier_spent(st, &b.nfs[7], &spent), TACIT_OK);
        CHECK(spent);
        CHECK_EQ_INT(tacit_state_nullifier_spent(st, &b.cms[7], &spent), TACIT_OK);
        CHECK(!spent);
        for (unsigned k = 0; k < GEN_ADDRS; k++) {
            uint8_t addr[20];
            gen_address(addr, k);
            CHECK_EQ_INT(tacit_state_account(st, addr, &a), TACIT_OK);
            CHECK_EQ_INT(a.balance, m.acct[k].balance);
            CHECK_EQ_INT(a.nonce, m.acct[k].nonce);
        }
        gen_block_free(&b);
        CHECK_EQ_INT(tacit_state_block_by_hash(st, (uint8_t[32]){1}, &h, &bytes, &len),
                     TACIT_ENOTFOUND);
        CHECK_EQ_INT(tacit_state_commitment(st, nblocks * 10, &cm), TACIT_ENOTFOUND);
    }
    /* the store goes on from where it was */
    apply_range(st, &m, nblocks + 1, nblocks + 4, 3);
    CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
    tacit_state_close(st);
    model_free(&m);
    gen_rmdir(dir);
}

TEST(anchors_window)
{
    char dir[256];
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    struct model m;
    bool recent;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    tacit_state_options_init(&o);
    o.chain_id = 7;
    o.root_history = 4;
    CHECK_EQ_INT(tacit_state_open(&st, dir, &o), TACIT_OK);
    if (st == NULL) return;
    model_init(&m);
    apply_range(st, &m, 0, 10, 1);
    for (uint64_t h = 0; h < 10; h++) {
        CHECK_EQ_INT(tacit_state_anchor_recent(st, &m.hist[h].note_root, &recent), TACIT_OK);
        CHECK(recent == (h >= 6));
    }
    CHECK_EQ_INT(tacit_state_anchor_recent(st, &TACIT_FR_ONE, &recent), TACIT_OK);
    CHECK(!recent);
    tacit_state_close(st);
    /* the window is a stored parameter: another one is refused, 0 takes the stored one */
    o.root_history = 256;
    CHECK_EQ_INT(tacit_state_open(&st, dir, &o), TACIT_ESTATE_PARAMS);
    CHECK(st == NULL);
    o.root_history = 0;
    CHECK_EQ_INT(tacit_state_open(&st, dir, &o), TACIT_OK);
    if (st != NULL) CHECK_EQ_INT(tacit_state_root_history(st), 4);
    tacit_state_close(st);
    model_free(&m);
    gen_rmdir(dir);
}

TEST(rule_errors_change_nothing)
{
    char dir[256];
    struct tacit_state *st;
    struct model m;
    uint8_t before[32], after[32];
    struct gen_block b;
    tacit_fr save;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    model_init(&m);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, &m, 0, 10, 2);
    dump(st, before);

    gen_block_make(&b, SEED, 10, 2);
    b.u.height = 11;
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_EHEIGHT);
    b.u.height = 9;
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_EHEIGHT);
    b.u.height = 10;
    /* a nullifier spent in block 3 */
    save = b.nfs[2];
    gen_fr(&b.nfs[2], SEED, 3, 1, 'n');
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_ENULLIFIER_SPENT);
    /* twice in the block */
    b.nfs[2] = b.nfs[0];
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_ENULLIFIER_SPENT);
    b.nfs[2] = save;
    /* a block hash or a tx id already stored */
    {
        uint8_t hsave[32];
        memcpy(hsave, b.u.hash, 32);
        gen_bytes(b.u.hash, 32, SEED, 4, 0, 'H');
        CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_EEXISTS);
        memcpy(b.u.hash, hsave, 32);
        gen_bytes(b.txs[1].id, 32, SEED, 2, 0, 't');
        CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_EEXISTS);
        gen_bytes(b.txs[1].id, 32, SEED, 10, 1, 't');
    }
    /* value rules */
    b.deltas[1].debit = UINT64_MAX;
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_EINSUFFICIENT);
    b.deltas[1].debit = 7;
    b.deltas[0].credit = UINT64_MAX;
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_EOVERFLOW);
    b.deltas[0].credit = 1010;
    b.deltas[2].nonce_add = UINT64_MAX;
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_EOVERFLOW);
    b.deltas[2].nonce_add = 1;
    /* digests other than expected */
    {
        struct tacit_state_digests wrong = m.hist[9];
        CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, &wrong, NULL), TACIT_EDIGEST);
    }
    /* bad arguments */
    {
        struct tacit_block_update u = b.u;
        u.commitments = NULL;
        CHECK_EQ_INT(tacit_state_apply_block(st, &u, NULL, NULL), TACIT_EINVAL);
    }
    dump(st, after);
    CHECK_MEM(before, after, 32);
    /* and the untouched block still applies */
    model_apply(&m, &b.u);
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, &m.hist[10], NULL), TACIT_OK);
    gen_block_free(&b);
    tacit_state_close(st);
    model_free(&m);
    gen_rmdir(dir);
}

TEST(view_matches_apply)
{
    char dir[256];
    struct tacit_state *st;
    struct tacit_state_view *v;
    struct tacit_view_savepoint sp;
    struct tacit_state_digests dv, da, dsp;
    struct tacit_state_tip base;
    struct model m;
    struct gen_block b;
    uint8_t a0[20], a1[20], a7[20], before[32], after[32];
    struct tacit_account acct;
    bool flag;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    model_init(&m);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, &m, 0, 9, 2);
    gen_address(a0, 0);
    gen_address(a1, 1);
    gen_address(a7, 7);

    CHECK_EQ_INT(tacit_state_view_new(st, &v), TACIT_OK);
    if (v == NULL) return;
    tacit_state_view_base(v, &base);
    CHECK_EQ_INT(base.next_height, 9);
    CHECK(digests_eq(&base.digests, &m.hist[8]));
    CHECK_EQ_INT(tacit_state_view_anchor_recent(v, &m.hist[8].note_root, &flag), TACIT_OK);
    CHECK(flag);
    gen_block_make(&b, SEED, 9, 3);
    /* a tx: two nullifiers, two commitments, a move */
    CHECK_EQ_INT(tacit_state_view_mark_nullifier(v, &b.nfs[0]), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_mark_nullifier(v, &b.nfs[1]), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_mark_nullifier(v, &b.nfs[1]), TACIT_ENULLIFIER_SPENT);
    {
        tacit_fr old;
        gen_fr(&old, SEED, 2, 3, 'n');
        CHECK_EQ_INT(tacit_state_view_mark_nullifier(v, &old), TACIT_ENULLIFIER_SPENT);
        CHECK_EQ_INT(tacit_state_view_nullifier_spent(v, &old, &flag), TACIT_OK);
        CHECK(flag);
    }
    CHECK_EQ_INT(tacit_state_view_nullifier_spent(v, &b.nfs[0], &flag), TACIT_OK);
    CHECK(flag);
    CHECK_EQ_INT(tacit_state_view_append_commitments(v, b.cms, 2), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_move(v, a0, a1, 5), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_bump_nonce(v, a0), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_account(v, a0, &acct), TACIT_OK);
    CHECK_EQ_INT(acct.balance, m.acct[0].balance - 5);
    CHECK_EQ_INT(acct.nonce, m.acct[0].nonce + 1);
    /* the committed state does not see the view */
    CHECK_EQ_INT(tacit_state_nullifier_spent(st, &b.nfs[0], &flag), TACIT_OK);
    CHECK(!flag);
    /* errors change nothing */
    CHECK_EQ_INT(tacit_state_view_debit(v, a7, UINT64_MAX), TACIT_EINSUFFICIENT);
    CHECK_EQ_INT(tacit_state_view_move(v, a0, a1, UINT64_MAX), TACIT_EINSUFFICIENT);
    CHECK_EQ_INT(tacit_state_view_credit(v, a1, UINT64_MAX), TACIT_EOVERFLOW);
    CHECK_EQ_INT(tacit_state_view_move(v, a0, a0, 3), TACIT_OK); /* to itself: a no-op on value */
    CHECK_EQ_INT(tacit_state_view_account(v, a0, &acct), TACIT_OK);
    CHECK_EQ_INT(acct.balance, m.acct[0].balance - 5);
    CHECK_EQ_INT(tacit_state_view_digests(v, &dsp), TACIT_OK);
    /* a second tx that turns out invalid halfway: rolled back */
    tacit_state_view_savepoint(v, &sp);
    CHECK_EQ_INT(tacit_state_view_mark_nullifier(v, &b.nfs[2]), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_append_commitments(v, b.cms + 2, 2), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_credit(v, a7, 100), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_rollback(v, &sp), TACIT_OK);
    CHECK_EQ_INT(tacit_state_view_digests(v, &dv), TACIT_OK);
    CHECK(digests_eq(&dv, &dsp));
    CHECK_EQ_INT(tacit_state_view_nullifier_spent(v, &b.nfs[2], &flag), TACIT_OK);
    CHECK(!flag);
    CHECK_EQ_INT(tacit_state_view_account(v, a7, &acct), TACIT_OK);
    CHECK_EQ_INT(acct.balance, m.acct[7].balance);
    /* many more nullifiers (the hash set grows) */
    for (uint64_t i = 0; i < 300; i++) {
        tacit_fr nf;
        gen_fr(&nf, SEED, 1000, i, 'x');
        CHECK_EQ_INT(tacit_state_view_mark_nullifier(v, &nf), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_state_view_mark_nullifier(v, &b.nfs[0]), TACIT_ENULLIFIER_SPENT);
    CHECK_EQ_INT(tacit_state_view_digests(v, &dv), TACIT_OK);

    /* the block the view describes: apply it with the view's digests as the expected ones */
    {
        struct tacit_block_update u = b.u;
        struct tacit_state_digests d2;
        tacit_state_view_update(v, &u);
        u.ntxs = 1;
        u.outputs = NULL;
        CHECK_EQ_INT(u.ncommitments, 2);
        CHECK_EQ_INT(u.nnullifiers, 302);
        CHECK_EQ_INT(tacit_state_view_digests(v, &d2), TACIT_OK); /* cached */
        CHECK(digests_eq(&d2, &dv));
        dump(st, before);
        CHECK_EQ_INT(tacit_state_apply_block(st, &u, &dv, &da), TACIT_OK);
        CHECK(digests_eq(&da, &dv));
        dump(st, after);
        CHECK(memcmp(before, after, 32) != 0);
    }
    tacit_state_view_free(v);
    tacit_state_view_free(NULL);
    CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
    gen_block_free(&b);
    tacit_state_close(st);
    model_free(&m);
    gen_rmdir(dir);
}

/* A view's changes applied with the tree the view hashed (u.tree, stored as it is) and the same
 * changes applied to a second store that hashes the leaves itself (u.tree = NULL) give
 * byte-identical stores, both equal to the model's digests, over random blocks: leaf counts
 * from 0 to 160 in random chunks, junk leaves appended and rolled back after their digests were
 * asked (the cached tree must not survive them). A tree hashed on an older tip, or on another
 * tree of the same size, is not stored (apply_block hashes the leaves), and a view whose
 * digests are stale gives no tree. */
TEST(view_tree_matches_rehash)
{
    char dir_a[256], dir_b[256];
    struct tacit_state *sa, *sb;
    struct tacit_state_tree_update stale;
    struct tacit_state_tree_node *stale_nodes = NULL;
    struct model m;
    uint64_t rnd = 0x9e3779b97f4a7c15ULL;
    bool have_stale = false;
    size_t used_tree = 0;

    CHECK(gen_tmpdir(dir_a, sizeof dir_a, "state") == 0);
    CHECK(gen_tmpdir(dir_b, sizeof dir_b, "state") == 0);
    model_init(&m);
    sa = open_store(dir_a, 0);
    sb = open_store(dir_b, 0);
    if (sa == NULL || sb == NULL) return;
    for (uint64_t h = 0; h < 40; h++) {
        struct gen_block b;
        struct tacit_state_view *v;
        struct tacit_view_savepoint sp;
        struct tacit_block_update u;
        struct tacit_state_digests dv, dj, da, db;
        uint8_t ha[32], hb[32];
        size_t ntx, done = 0;

        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        ntx = h % 9 == 4 ? 0 : (size_t)(rnd % 81);
        gen_block_make(&b, SEED, h, ntx);
        CHECK_EQ_INT(tacit_state_view_new(sa, &v), TACIT_OK);
        if (v == NULL) return;
        /* junk leaves whose digests are asked, then rolled back */
        tacit_state_view_savepoint(v, &sp);
        for (size_t i = 0; i < 1 + rnd % 37; i++) {
            tacit_fr junk;
            gen_fr(&junk, SEED, h, i, 'j');
            CHECK_EQ_INT(tacit_state_view_append_commitments(v, &junk, 1), TACIT_OK);
        }
        CHECK_EQ_INT(tacit_state_view_digests(v, &dj), TACIT_OK);
        CHECK_EQ_INT(tacit_state_view_rollback(v, &sp), TACIT_OK);
        /* the block's leaves in random chunks; stale digests give no tree */
        while (done < b.u.ncommitments) {
            size_t k;
            rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
            k = 1 + (size_t)(rnd % 23);
            if (k > b.u.ncommitments - done) k = b.u.ncommitments - done;
            CHECK_EQ_INT(tacit_state_view_append_commitments(v, b.cms + done, k), TACIT_OK);
            done += k;
            tacit_state_view_update(v, &u);
            CHECK(u.tree == NULL);
        }
        for (size_t i = 0; i < b.u.nnullifiers; i++)
            CHECK_EQ_INT(tacit_state_view_mark_nullifier(v, &b.nfs[i]), TACIT_OK);
        CHECK_EQ_INT(tacit_state_view_credit(v, b.deltas[0].address, b.deltas[0].credit), TACIT_OK);
        CHECK_EQ_INT(tacit_state_view_bump_nonce(v, b.deltas[2].address), TACIT_OK);
        CHECK_EQ_INT(tacit_state_view_digests(v, &dv), TACIT_OK);

        u = b.u;
        tacit_state_view_update(v, &u);
        CHECK(u.tree != NULL);
        if (u.tree == NULL) return;
        CHECK_EQ_INT(u.tree->after.size, u.tree->before.size + u.ncommitments);
        CHECK(tacit_fr_eq(&u.tree->root, &dv.note_root));
        if (have_stale && h % 3 == 0) {
            /* a tree hashed on an older tip: ignored, the leaves are hashed */
            struct tacit_block_update us = u;
            us.tree = &stale;
            CHECK_EQ_INT(tacit_state_apply_block(sa, &us, &dv, &da), TACIT_OK);
        } else if (h % 3 == 1 && u.tree->nnodes > 0 && u.tree->before.size > 0) {
            /* a tree of the same sizes on another tree (one frontier node differs; its nodes
             * and root wrong for this tip): ignored, the leaves are hashed */
            struct tacit_block_update uf = u;
            struct tacit_state_tree_update forged = *u.tree;
            struct tacit_state_tree_node *fn = malloc(forged.nnodes * sizeof *fn);
            unsigned l = 0;
            CHECK(fn != NULL);
            if (fn == NULL) return;
            memcpy(fn, forged.nodes, forged.nnodes * sizeof *fn);
            while (!((forged.before.size >> l) & 1)) l++;
            tacit_fr_add(&forged.before.node[l], &forged.before.node[l], &TACIT_FR_ONE);
            tacit_fr_add(&fn[0].node, &fn[0].node, &TACIT_FR_ONE);
            tacit_fr_add(&forged.root, &forged.root, &TACIT_FR_ONE);
            forged.nodes = fn;
            uf.tree = &forged;
            CHECK_EQ_INT(tacit_state_apply_block(sa, &uf, &dv, &da), TACIT_OK);
            free(fn);
        } else {
            CHECK_EQ_INT(tacit_state_apply_block(sa, &u, &dv, &da), TACIT_OK);
            used_tree++;
        }
        /* the tree for a later block to try on a newer tip */
        free(stale_nodes);
        stale = *u.tree;
        stale_nodes = malloc((stale.nnodes ? stale.nnodes : 1) * sizeof *stale_nodes);
        CHECK(stale_nodes != NULL);
        if (stale_nodes == NULL) return;
        if (stale.nnodes) memcpy(stale_nodes, stale.nodes, stale.nnodes * sizeof *stale_nodes);
        stale.nodes = stale_nodes;
        have_stale = stale.nnodes > 0;

        u.tree = NULL;
        CHECK_EQ_INT(tacit_state_apply_block(sb, &u, &dv, &db), TACIT_OK);
        model_apply(&m, &u);
        tacit_state_view_free(v);
        CHECK(digests_eq(&da, &db));
        CHECK(digests_eq(&da, &m.hist[h]));
        dump(sa, ha);
        dump(sb, hb);
        CHECK(memcmp(ha, hb, 32) == 0);
        gen_block_free(&b);
    }
    CHECK(used_tree >= 10);
    CHECK_EQ_INT(tacit_state_check(sa), TACIT_OK);
    free(stale_nodes);
    tacit_state_close(sa);
    tacit_state_close(sb);
    model_free(&m);
    gen_rmdir(dir_a);
    gen_rmdir(dir_b);
}

TEST(map_full_grows_and_retries)
{
    char d1[256], d2[256];
    struct tacit_state *small, *big;
    struct model m;
    uint8_t h1[32], h2[32];

    CHECK(gen_tmpdir(d1, sizeof d1, "state") == 0);
    CHECK(gen_tmpdir(d2, sizeof d2, "state") == 0);
    model_init(&m);
    small = open_store(d1, 64 << 10); /* 64 KiB: full within the first blocks */
    big = open_store(d2, 0);
    if (small == NULL || big == NULL) return;
    tacit_tree_set_threads(2); /* the block's tree hashed on other threads: same bytes */
    apply_range(small, &m, 0, 6, 200);
    tacit_tree_set_threads(1);
    apply_range(big, NULL, 0, 6, 200);
    CHECK(tacit__state_map_grows(small) > 0);
    CHECK_EQ_INT(tacit__state_map_grows(big), 0);
    printf("  map grew %lu times from 64 KiB\n", tacit__state_map_grows(small));
    dump(small, h1);
    dump(big, h2);
    CHECK_MEM(h1, h2, 32);
    CHECK_EQ_INT(tacit_state_check(small), TACIT_OK);
    tacit_state_close(small);
    tacit_state_close(big);
    gen_rmdir(d2);
    /* a map that may not grow enough: refused, state kept */
    {
        struct tacit_state_options o;
        struct tacit_state *st = NULL;
        struct gen_block b;
        uint8_t before[32], after[32];
        tacit_state_options_init(&o);
        o.chain_id = 7;
        o.map_size = 64 << 10;
        o.map_size_max = 128 << 10;
        CHECK(gen_tmpdir(d2, sizeof d2, "state") == 0);
        CHECK_EQ_INT(tacit_state_open(&st, d2, &o), TACIT_OK);
        if (st != NULL) {
            apply_range(st, NULL, 0, 1, 1);
            dump(st, before);
            gen_block_make(&b, SEED, 1, 2000);
            CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_EMAP_FULL);
            dump(st, after);
            CHECK_MEM(before, after, 32);
            gen_block_free(&b);
            tacit_state_close(st);
        }
        gen_rmdir(d2);
    }
    model_free(&m);
    gen_rmdir(d1);
}

TEST(injected_write_error_keeps_state)
{
    char dir[256];
    struct tacit_state *st;
    struct model m;
    struct gen_block b;
    uint8_t before[32], after[32];
    struct tacit_state_tip t0, t1;
    /* puts in a block of 4 txs: 1 + 1 + 4 + 8 leaves + 8 outputs + nodes + 8 nullifiers +
     * 3 accounts + roots + anchors + tip: fail each of the first 40 and some far ones */
    const long nth[] = {1,  2,  3,  4,  5,  6,  7,  10, 14, 15, 20, 22, 23,
                        25, 28, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39};

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    model_init(&m);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, &m, 0, 20, 4);
    dump(st, before);
    CHECK_EQ_INT(tacit_state_tip(st, &t0), TACIT_OK);
    gen_block_make(&b, SEED, 20, 4);
    for (size_t i = 0; i < sizeof nth / sizeof nth[0]; i++) {
        int err = i % 2 ? ENOSPC : EIO, rc;
        tacit__state_test_fail_put(st, nth[i], err);
        rc = tacit_state_apply_block(st, &b.u, NULL, NULL);
        tacit__state_test_fail_put(st, 0, 0);
        if (rc == TACIT_OK) { /* fewer puts than nth: the block went in; no more cases */
            CHECK(nth[i] > 30);
            break;
        }
        CHECK_EQ_INT(rc, err == ENOSPC ? TACIT_EDISK_FULL : TACIT_ESTATE_IO);
        dump(st, after);
        CHECK_MEM(before, after, 32);
        CHECK_EQ_INT(tacit_state_tip(st, &t1), TACIT_OK);
        CHECK(memcmp(&t0, &t1, sizeof t0) == 0);
    }
    CHECK(strstr(tacit_strerror(TACIT_EDISK_FULL), "last committed state kept") != NULL);
    /* the failures left nothing behind: after the block, the same store as a clean run */
    {
        struct tacit_state_tip t;
        CHECK_EQ_INT(tacit_state_tip(st, &t), TACIT_OK);
        if (t.next_height == 20)
            CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, NULL), TACIT_OK);
        model_apply(&m, &b.u);
        CHECK_EQ_INT(tacit_state_tip(st, &t), TACIT_OK);
        CHECK(digests_eq(&t.digests, &m.hist[20]));
    }
    CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
    gen_block_free(&b);
    tacit_state_close(st);
    model_free(&m);
    gen_rmdir(dir);
}

/* A real write error from the kernel: a child lowers its file-size limit (RLIMIT_FSIZE) so
 * LMDB's write of a big block fails (EFBIG, or EIO for a short write); the block is refused
 * as EDISK_FULL and the store reopens at the block before. */
TEST(real_write_error_keeps_state)
{
    char dir[256], path[300];
    struct tacit_state *st;
    struct model m;
    struct stat sb;
    pid_t pid;
    int status = 0;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    model_init(&m);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, &m, 0, 3, 2);
    {
        uint64_t used = 0;
        CHECK_EQ_INT(tacit_state_disk_usage(st, &used), TACIT_OK);
        tacit_state_close(st);
        snprintf(path, sizeof path, "%s/data.mdb", dir);
        CHECK(stat(path, &sb) == 0);
        CHECK(used > 0 && used <= (uint64_t)sb.st_size);
        sb.st_size = (off_t)used; /* the file may be sparse past the pages in use */
    }

    fflush(stdout);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        struct tacit_state *cst = NULL;
        struct tacit_state_options o;
        struct gen_block b;
        struct rlimit rl;
        int rc;
        signal(SIGXFSZ, SIG_IGN);
        tacit_state_options_init(&o);
        o.chain_id = 7;
        if (tacit_state_open(&cst, dir, &o) != TACIT_OK) _exit(10);
        getrlimit(RLIMIT_FSIZE, &rl);
        rl.rlim_cur = (rlim_t)sb.st_size + 4096;
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(11);
        gen_block_make(&b, SEED, 3, 500);
        rc = tacit_state_apply_block(cst, &b.u, NULL, NULL);
        gen_block_free(&b);
        tacit_state_close(cst);
        /* EFBIG when a write starts past the limit; a short write, which LMDB reports as EIO,
         * when it straddles it: both are the file that cannot grow, EDISK_FULL */
        _exit(rc == TACIT_EDISK_FULL ? 0 : rc == TACIT_ESTATE_IO ? 1 : 20 + rc);
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ_INT(WEXITSTATUS(status), 0);
    printf("  child's block refused with %s\n",
           WEXITSTATUS(status) == 0 ? "EDISK_FULL" : "ESTATE_IO");
    st = open_store(dir, 0);
    if (st != NULL) {
        struct tacit_state_tip t;
        CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
        CHECK_EQ_INT(tacit_state_tip(st, &t), TACIT_OK);
        CHECK_EQ_INT(t.next_height, 3);
        CHECK(digests_eq(&t.digests, &m.hist[2]));
        apply_range(st, &m, 3, 4, 500); /* and the block goes in once the disk has room */
        tacit_state_close(st);
    }
    model_free(&m);
    gen_rmdir(dir);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    return (uint8_t *)tacit_test_read_file(path, len);
}

TEST(other_format_or_chain_refused)
{
    char dir[256], path[300];
    struct tacit_state_options o;
    struct tacit_state *st;
    uint8_t *f0, *f1;
    size_t l0 = 0, l1 = 0;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    st = open_store(dir, 1 << 20); /* a small map: the file (as large as the map) is read whole */
    if (st == NULL) return;
    apply_range(st, NULL, 0, 2, 1);
    CHECK_EQ_INT(tacit__state_test_set_format(st, TACIT_STATE_FORMAT_VERSION + 1), TACIT_OK);
    tacit_state_close(st);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    f0 = read_all(path, &l0);

    tacit_state_options_init(&o);
    o.chain_id = 7;
    st = (struct tacit_state *)1;
    CHECK_EQ_INT(tacit_state_open(&st, dir, &o), TACIT_ESTATE_VERSION);
    CHECK(st == NULL);
    CHECK(strstr(tacit_strerror(TACIT_ESTATE_VERSION), "format version") != NULL);
    /* refused without writing */
    f1 = read_all(path, &l1);
    CHECK(f0 != NULL && f1 != NULL && l0 == l1);
    if (f0 && f1 && l0 == l1) CHECK(memcmp(f0, f1, l0) == 0);
    free(f1);
    free(f0);
    gen_rmdir(dir);

    /* another chain id */
    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    st = open_store(dir, 0);
    tacit_state_close(st);
    o.chain_id = 8;
    CHECK_EQ_INT(tacit_state_open(&st, dir, &o), TACIT_ESTATE_PARAMS);
    CHECK(st == NULL);
    gen_rmdir(dir);

    /* not a directory we can make */
    CHECK_EQ_INT(tacit_state_open(&st, "/nonexistent-tacit-dir/x/y", &o), TACIT_ENOENT);
}

TEST(reader_does_not_block_writer)
{
    char dir[256];
    struct tacit_state *st;
    struct tacit_state_view *v = NULL;
    struct tacit_state_tip base, tip;
    struct gen_block b;
    bool spent;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, NULL, 0, 2, 1);
    CHECK_EQ_INT(tacit_state_view_new(st, &v), TACIT_OK);
    if (v == NULL) return;
    /* the view's read transaction stays open while blocks commit */
    apply_range(st, NULL, 2, 5, 1);
    tacit_state_view_base(v, &base);
    CHECK_EQ_INT(base.next_height, 2);
    gen_block_make(&b, SEED, 3, 1);
    CHECK_EQ_INT(tacit_state_view_nullifier_spent(v, &b.nfs[0], &spent), TACIT_OK);
    CHECK(!spent); /* its snapshot */
    CHECK_EQ_INT(tacit_state_nullifier_spent(st, &b.nfs[0], &spent), TACIT_OK);
    CHECK(spent); /* the committed state */
    gen_block_free(&b);
    tacit_state_view_free(v);
    CHECK_EQ_INT(tacit_state_tip(st, &tip), TACIT_OK);
    CHECK_EQ_INT(tip.next_height, 5);
    tacit_state_close(st);
    gen_rmdir(dir);
}

struct reader_arg {
    struct tacit_state *st;
    _Atomic int stop;
    unsigned long reads, errors;
};

static void *reader_thread(void *p)
{
    struct reader_arg *a = p;
    while (!a->stop) {
        struct tacit_state_tip t;
        struct tacit_tree_path path;
        tacit_fr root, leaf, r;
        if (tacit_state_tip(a->st, &t) != TACIT_OK) {
            a->errors++;
            continue;
        }
        if (t.next_height > 0 && t.digests.commitment_count > 0) {
            uint64_t i = a->reads % t.digests.commitment_count;
            if (tacit_state_path(a->st, i, t.next_height - 1, &path, &root) != TACIT_OK ||
                tacit_state_commitment(a->st, i, &leaf) != TACIT_OK) {
                a->errors++;
                continue;
            }
            tacit_tree_path_root(&r, &leaf, &path);
            if (!tacit_fr_eq(&r, &root)) a->errors++;
        }
        a->reads++;
    }
    return NULL;
}

/* Readers on other threads while blocks commit and the map grows under them. */
TEST(concurrent_readers_and_map_growth)
{
    char dir[256];
    struct reader_arg a = {0};
    pthread_t t[2];

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    a.st = open_store(dir, 64 << 10);
    if (a.st == NULL) return;
    apply_range(a.st, NULL, 0, 1, 2);
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&t[i], NULL, reader_thread, &a) == 0);
    apply_range(a.st, NULL, 1, 16, 60);
    a.stop = 1;
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECK(tacit__state_map_grows(a.st) > 0);
    CHECK(a.reads > 0);
    CHECK_EQ_INT(a.errors, 0);
    printf("  %lu reads on 2 threads, map grew %lu times\n", a.reads, tacit__state_map_grows(a.st));
    CHECK_EQ_INT(tacit_state_check(a.st), TACIT_OK);
    tacit_state_close(a.st);
    gen_rmdir(dir);
}

/* Another process grows the map while this one has the store open: this one's next read and
 * write transactions adopt the new size (MDB_MAP_RESIZED), and its writes go on from the
 * other process's tip. */
TEST(map_grown_by_another_process)
{
    char dir[256];
    struct tacit_state *st;
    struct tacit_state_tip tip;
    struct model m;
    pid_t pid;
    int status = 0;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    model_init(&m);
    st = open_store(dir, 64 << 10);
    if (st == NULL) return;
    apply_range(st, &m, 0, 1, 2);
    fflush(stdout);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) { /* its own environment, never the parent's */
        struct tacit_state *cst = NULL;
        struct tacit_state_options o;
        tacit_state_options_init(&o);
        o.chain_id = 7;
        o.map_size = 64 << 10;
        if (tacit_state_open(&cst, dir, &o) != TACIT_OK) _exit(1);
        for (uint64_t h = 1; h < 5; h++) {
            struct gen_block b;
            int rc;
            gen_block_make(&b, SEED, h, 200);
            rc = tacit_state_apply_block(cst, &b.u, NULL, NULL);
            gen_block_free(&b);
            if (rc != TACIT_OK) _exit(2);
        }
        _exit(tacit__state_map_grows(cst) > 0 ? 0 : 3);
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (uint64_t h = 1; h < 5; h++) { /* the model follows the child's blocks */
        struct gen_block b;
        gen_block_make(&b, SEED, h, 200);
        model_apply(&m, &b.u);
        gen_block_free(&b);
    }
    CHECK_EQ_INT(tacit_state_tip(st, &tip), TACIT_OK);
    CHECK_EQ_INT(tip.next_height, 5);
    CHECK(digests_eq(&tip.digests, &m.hist[4]));
    apply_range(st, &m, 5, 7, 200);
    CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
    tacit_state_close(st);
    model_free(&m);
    gen_rmdir(dir);
}

/* Subtree roots (tacit_getSubtreeRoots): every complete subtree of 2^level leaves, recomputed
 * here from the leaves read back, and none for an incomplete one. */
TEST(subtree_roots)
{
    char dir[256];
    struct tacit_state *st;
    tacit_fr roots[8], leaves[64];
    size_t n;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, NULL, 0, 5, 7); /* 70 leaves: 4 complete subtrees of 16, 2 of 32 */
    for (uint64_t i = 0; i < 64; i++)
        CHECK_EQ_INT(tacit_state_commitment(st, i, &leaves[i]), TACIT_OK);
    for (unsigned level = 4; level <= 5; level++) {
        size_t want = 64u >> level;
        CHECK_EQ_INT(tacit_state_subtree_roots(st, level, 0, 8, roots, &n), TACIT_OK);
        CHECK_EQ_INT(n, want);
        for (size_t k = 0; k < n; k++) {
            tacit_fr lvl[32];
            size_t w = (size_t)1 << level;
            for (size_t i = 0; i < w; i++) lvl[i % 32] = leaves[k * w + i]; /* w <= 32 */
            for (size_t width = w; width > 1; width /= 2)
                for (size_t i = 0; i < width / 2; i++)
                    tacit_poseidon2(&lvl[i], &lvl[2 * i], &lvl[2 * i + 1]);
            CHECK(tacit_fr_eq(&roots[k], &lvl[0]));
        }
        /* Starting past the complete ones: none. */
        CHECK_EQ_INT(tacit_state_subtree_roots(st, level, want, 8, roots, &n), TACIT_OK);
        CHECK_EQ_INT(n, 0);
    }
    CHECK_EQ_INT(tacit_state_subtree_roots(st, 4, 1, 2, roots, &n), TACIT_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(tacit_state_subtree_roots(st, 3, 0, 8, roots, &n), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_state_subtree_roots(st, 33, 0, 8, roots, &n), TACIT_EINVAL);
    tacit_state_close(st);
    gen_rmdir(dir);
}

/* Block and tx readers with bytes = NULL answer where a record is, without copying it. */
TEST(metadata_only_reads)
{
    char dir[256];
    struct tacit_state *st;
    struct gen_block b;
    uint8_t hash[32], hash2[32];
    uint64_t h = 99;
    uint32_t idx = 99;

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, NULL, 0, 3, 2);
    gen_block_make(&b, SEED, 2, 2);
    CHECK_EQ_INT(tacit_state_tx(st, b.txs[1].id, &h, &idx, NULL, NULL), TACIT_OK);
    CHECK_EQ_INT(h, 2);
    CHECK_EQ_INT(idx, 1);
    CHECK_EQ_INT(tacit_state_block_by_height(st, 2, hash, NULL, NULL), TACIT_OK);
    CHECK_MEM(hash, b.u.hash, 32);
    h = 99;
    CHECK_EQ_INT(tacit_state_block_by_hash(st, hash, &h, NULL, NULL), TACIT_OK);
    CHECK_EQ_INT(h, 2);
    memset(hash2, 0xee, 32);
    CHECK_EQ_INT(tacit_state_block_by_hash(st, hash2, &h, NULL, NULL), TACIT_ENOTFOUND);
    CHECK_EQ_INT(tacit_state_block_by_height(st, 3, NULL, NULL, NULL), TACIT_ENOTFOUND);
    gen_block_free(&b);
    tacit_state_close(st);
    gen_rmdir(dir);
}

/* ------------------------------------------------- truncated or damaged data files ---- */

/* Opens dir in a child process and, when that works, reads every record of every database (a
 * page missing from the file would fault there). Returns the child's tacit code (its exit
 * status), or 1000 + the signal that ended it: a SIGBUS fails the test instead of crashing it. */
static int open_in_child(const char *dir, unsigned flags)
{
    int status = 0;
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) return -1;
    if (pid == 0) {
        struct tacit_state_options o;
        struct tacit_state *st = NULL;
        uint8_t h[32];
        int rc;
        tacit_state_options_init(&o);
        o.chain_id = 7;
        o.flags = flags;
        rc = tacit_state_open(&st, dir, &o);
        if (rc == TACIT_OK) {
            rc = tacit__state_dump_hash(st, h);
            tacit_state_close(st);
        }
        _exit(rc & 0xff);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(status)) return 1000 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* dst/data.mdb := the first n bytes of src (a store as an older tacit or a backup leaves it:
 * the file ends at its last page used), with one byte xor-ed at flip_at (< 0: none). */
static bool copy_prefix(const char *src, const char *dstdir, uint64_t n, long flip_at)
{
    char path[300];
    uint8_t *buf = malloc(n ? n : 1);
    FILE *f = fopen(src, "rb");
    bool ok = buf != NULL && f != NULL && fread(buf, 1, n, f) == n;
    if (f != NULL) fclose(f);
    if (ok && flip_at >= 0 && (uint64_t)flip_at < n) buf[flip_at] ^= 0x5a;
    snprintf(path, sizeof path, "%s/data.mdb", dstdir);
    unlink(path);
    if (ok && (f = fopen(path, "wb")) != NULL) {
        ok = fwrite(buf, 1, n, f) == n;
        ok = fclose(f) == 0 && ok;
    } else {
        ok = false;
    }
    free(buf);
    return ok;
}

TEST(truncated_or_damaged_file_refused)
{
    char dir[256], cp[256], src[300], path[300];
    struct tacit_state *st;
    struct stat sb;
    uint8_t ref[32], got[32];
    uint64_t used = 0;
    const uint64_t psize = (uint64_t)sysconf(_SC_PAGESIZE);

    CHECK(gen_tmpdir(dir, sizeof dir, "trunc") == 0);
    CHECK(gen_tmpdir(cp, sizeof cp, "trunc") == 0);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, NULL, 0, 40, 3);
    dump(st, ref);
    CHECK_EQ_INT(tacit_state_disk_usage(st, &used), TACIT_OK); /* LMDB's (last page + 1) * psize */
    tacit_state_close(st);
    snprintf(src, sizeof src, "%s/data.mdb", dir);
    snprintf(path, sizeof path, "%s/data.mdb", cp);
    CHECK(used >= 8 * psize && used % psize == 0);

    /* the whole of it opens, holding what was written */
    CHECK(copy_prefix(src, cp, used, -1));
    CHECK_EQ_INT(open_in_child(cp, TACIT_STATE_EXISTING), TACIT_OK);
    st = open_store(cp, 0);
    if (st != NULL) {
        dump(st, got);
        CHECK_MEM(ref, got, 32);
        tacit_state_close(st);
    }

    /* cut anywhere: refused before LMDB maps it, the file left as it was */
    {
        const uint64_t cuts[] = {5,        100,          psize,   psize + 100, 2 * psize - 1,
                                 used / 2, used - psize, used - 1};
        for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
            int got_rc;
            CHECK(copy_prefix(src, cp, cuts[i], -1));
            got_rc = open_in_child(cp, 0);
            if (got_rc != TACIT_ESTATE_TRUNCATED)
                printf("  cut at %llu of %llu bytes: got %d (%s)\n", (unsigned long long)cuts[i],
                       (unsigned long long)used, got_rc,
                       got_rc < 1000 ? tacit_errname(got_rc) : "signal");
            CHECK_EQ_INT(got_rc, TACIT_ESTATE_TRUNCATED);
            CHECK_EQ_INT(open_in_child(cp, TACIT_STATE_EXISTING), TACIT_ESTATE_TRUNCATED);
            CHECK(stat(path, &sb) == 0 && (uint64_t)sb.st_size == cuts[i]);
        }
    }
    /* a damaged header (LMDB's MDB_meta after a 16-byte page header, 64-bit layout): the meta
     * flag, magic, version, page size, and the current meta's last page used (past the end) */
    {
        const long hdr = (long)sizeof(size_t) + 8, last_pg = hdr + 8 + 8 + 8 + 2 * 48;
        uint64_t txn0 = 0, txn1 = 0;
        long cur;
        FILE *f = fopen(src, "rb");
        CHECK(f != NULL && fseek(f, last_pg + 8, SEEK_SET) == 0 && fread(&txn0, 8, 1, f) == 1 &&
              fseek(f, (long)psize + last_pg + 8, SEEK_SET) == 0 && fread(&txn1, 8, 1, f) == 1);
        if (f != NULL) fclose(f);
        cur = txn1 > txn0 ? (long)psize : 0;
        const long flips[] = {(long)sizeof(size_t) + 2, /* page 0 flags: not P_META */
                              hdr,                      /* page 0 magic */
                              hdr + 4,                  /* page 0 version */
                              (long)psize + hdr,        /* page 1 magic */
                              hdr + 24 + 1,             /* page 0 page size: not a power of 2 */
                              (long)psize + hdr + 24 + 1,
                              cur + last_pg + 7}; /* current meta's last page: high byte */
        for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
            CHECK(copy_prefix(src, cp, used, flips[i]));
            CHECK_EQ_INT(open_in_child(cp, 0), TACIT_ESTATE_TRUNCATED);
        }
    }
    /* an empty or absent file: a new store, unless the store must exist */
    CHECK(copy_prefix(src, cp, 0, -1));
    CHECK_EQ_INT(open_in_child(cp, TACIT_STATE_EXISTING), TACIT_ESTATE_MISSING);
    CHECK(stat(path, &sb) == 0 && sb.st_size == 0);
    unlink(path);
    CHECK_EQ_INT(open_in_child(cp, TACIT_STATE_EXISTING), TACIT_ESTATE_MISSING);
    CHECK(stat(path, &sb) != 0); /* nothing made */
    gen_rmdir(cp);
    CHECK_EQ_INT(open_in_child(cp, TACIT_STATE_EXISTING), TACIT_ESTATE_MISSING);
    CHECK(stat(cp, &sb) != 0);
    CHECK(mkdir(cp, 0700) == 0);
    CHECK(copy_prefix(src, cp, 0, -1));
    CHECK_EQ_INT(open_in_child(cp, 0), TACIT_OK);
    CHECK(strstr(tacit_strerror(TACIT_ESTATE_TRUNCATED), "restore") != NULL);
    CHECK(strstr(tacit_strerror(TACIT_ESTATE_MISSING), "--new-chain") != NULL);

    /* the store keeps its file as large as its map: a sound one never looks truncated */
    st = open_store(dir, 1 << 20);
    if (st != NULL) {
        apply_range(st, NULL, 40, 60, 40); /* grows the map */
        CHECK(tacit__state_map_grows(st) > 0);
        CHECK_EQ_INT(tacit_state_disk_usage(st, &used), TACIT_OK);
        tacit_state_close(st);
        CHECK(stat(src, &sb) == 0);
        CHECK((uint64_t)sb.st_size >= used);
        CHECK((uint64_t)sb.st_size >= (uint64_t)1 << 20);
        CHECK_EQ_INT(open_in_child(dir, TACIT_STATE_EXISTING), TACIT_OK);
    }
    gen_rmdir(cp);
    gen_rmdir(dir);
}

/* ------------------------------------------------------------ a full file system ---- */

/* Runs fn(mountpoint) in a child process, in a mount namespace of its own, on a fresh tmpfs
 * of mount options opts (it goes away with the child). Returns fn's result (0: its checks
 * passed), or -1 after tacit_test_skip when no tmpfs can be mounted here (not root, no
 * CAP_SYS_ADMIN): never a silent pass. */
static int on_small_tmpfs(const char *opts, int (*fn)(const char *mnt))
{
    char mnt[256], reason[256] = "";
    int fds[2], status = 0;
    ssize_t r;
    pid_t pid;

    if (geteuid() != 0) {
        tacit_test_skip("not root: cannot mount a small tmpfs to fill (CI runs this as root)");
        return -1;
    }
    CHECK(gen_tmpdir(mnt, sizeof mnt, "mnt") == 0);
    CHECK(pipe(fds) == 0);
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) return -2;
    if (pid == 0) {
        close(fds[0]);
        if (unshare(CLONE_NEWNS) != 0)
            snprintf(reason, sizeof reason, "cannot make a mount namespace: %s", strerror(errno));
        else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
            snprintf(reason, sizeof reason, "cannot make mounts private: %s", strerror(errno));
        else if (mount("tacit-test", mnt, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0)
            snprintf(reason, sizeof reason, "cannot mount a tmpfs: %s", strerror(errno));
        if (reason[0] != '\0') {
            (void)!write(fds[1], reason, strlen(reason));
            _exit(77);
        }
        _exit(fn(mnt));
    }
    close(fds[1]);
    r = read(fds[0], reason, sizeof reason - 1);
    reason[r > 0 ? r : 0] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    rmdir(mnt);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        tacit_test_skip("%s", reason);
        return -1;
    }
    CHECK(WIFEXITED(status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

/* Fills the file system of path with a file, then gives back `leave` bytes of it. */
static bool fill_fs(const char *path, size_t leave)
{
    static uint8_t chunk[64 << 10];
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    struct stat sb;
    bool ok = fd >= 0;
    while (ok) {
        ssize_t w = write(fd, chunk, sizeof chunk);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            ok = errno == ENOSPC;
            break;
        }
        if (w < (ssize_t)sizeof chunk) { /* short: full now */
            continue;
        }
    }
    if (ok && leave > 0)
        ok = fstat(fd, &sb) == 0 && (uint64_t)sb.st_size >= leave &&
             ftruncate(fd, sb.st_size - (off_t)leave) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

/* In the child, on the tmpfs: a store with 4 blocks, then a big block on a full disk. */
static int full_fs_store(const char *mnt)
{
    char dir[300], filler[300];
    struct tacit_state *st;
    struct tacit_state_tip t0, t1;
    struct tacit_state_digests d;
    struct gen_block b;
    struct model m;
    uint8_t before[32], after[32];
    const size_t leave[] = {64 << 10, 0}; /* some room but not enough (a short write), none */

    snprintf(dir, sizeof dir, "%s/state", mnt);
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    model_init(&m);
    st = open_store(dir, 16 << 20);
    if (st == NULL) return 1;
    apply_range(st, &m, 0, 4, 4);
    dump(st, before);
    CHECK_EQ_INT(tacit_state_tip(st, &t0), TACIT_OK);
    gen_block_make(&b, SEED, 4, 400);
    for (size_t i = 0; i < 2; i++) {
        int rc;
        CHECK(fill_fs(filler, leave[i]));
        rc = tacit_state_apply_block(st, &b.u, NULL, NULL);
        printf("  tmpfs full (%zu bytes left): block refused with %s\n", leave[i],
               tacit_errname(rc));
        CHECK_EQ_INT(rc, TACIT_EDISK_FULL);
        /* the last committed state kept */
        dump(st, after);
        CHECK_MEM(before, after, 32);
        CHECK_EQ_INT(tacit_state_tip(st, &t1), TACIT_OK);
        CHECK(memcmp(&t0, &t1, sizeof t0) == 0);
        CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
    }
    CHECK(strstr(tacit_strerror(TACIT_EDISK_FULL), "disk full") != NULL);
    /* room again: the same block commits, and survives a reopen */
    CHECK(unlink(filler) == 0);
    CHECK_EQ_INT(tacit_state_apply_block(st, &b.u, NULL, &d), TACIT_OK);
    model_apply(&m, &b.u);
    CHECK(digests_eq(&d, &m.hist[4]));
    tacit_state_close(st);
    st = open_store(dir, 0);
    if (st != NULL) {
        CHECK_EQ_INT(tacit_state_tip(st, &t1), TACIT_OK);
        CHECK_EQ_INT(t1.next_height, 5);
        CHECK(digests_eq(&t1.digests, &m.hist[4]));
        CHECK_EQ_INT(tacit_state_check(st), TACIT_OK);
        tacit_state_close(st);
    }
    gen_block_free(&b);
    model_free(&m);
    return tacit_test_failures() ? 1 : 0;
}

TEST(disk_full_on_a_real_filesystem)
{
    int rc = on_small_tmpfs("size=8m,mode=0700", full_fs_store);
    if (rc >= 0) CHECK_EQ_INT(rc, 0);
}

/* ------------------------------------------------------------------------ backups ---- */

/* The backup in dir holds what ref says, and the store it came from is unchanged and still
 * takes block `next`. */
static void check_backup(struct tacit_state *st, const char *dir, const uint8_t ref[32],
                         uint64_t next)
{
    struct tacit_state *c = open_store(dir, 0);
    uint8_t got[32];
    if (c != NULL) {
        dump(c, got);
        CHECK_MEM(ref, got, 32);
        tacit_state_close(c);
    }
    dump(st, got);
    CHECK_MEM(ref, got, 32);
    apply_range(st, NULL, next, next + 1, 1);
}

TEST(backup_mode_and_errors)
{
    char dir[256], out[256], path[400], sub[300];
    struct tacit_state *st;
    struct stat sb;
    uint8_t ref[32];
    mode_t old = umask(022); /* the usual umask: a 0666 file would come out 0644 */

    CHECK(gen_tmpdir(dir, sizeof dir, "state") == 0);
    CHECK(gen_tmpdir(out, sizeof out, "backup") == 0);
    st = open_store(dir, 0);
    if (st == NULL) return;
    apply_range(st, NULL, 0, 10, 3);
    dump(st, ref);

    snprintf(sub, sizeof sub, "%s/b1", out);
    snprintf(path, sizeof path, "%s/data.mdb", sub);
    CHECK_EQ_INT(tacit_state_copy(st, sub), TACIT_OK);
    CHECK(stat(sub, &sb) == 0 && (sb.st_mode & 0777) == 0700);
    CHECK(stat(path, &sb) == 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0600);
    /* never over an existing backup */
    CHECK_EQ_INT(tacit_state_copy(st, sub), TACIT_EEXISTS);
    /* a parent that does not exist, a path that is a file: backup errors, nothing left */
    snprintf(sub, sizeof sub, "%s/no/such/dir", out);
    CHECK_EQ_INT(tacit_state_copy(st, sub), TACIT_EBACKUP_IO);
    snprintf(sub, sizeof sub, "%s/no", out);
    CHECK(stat(sub, &sb) != 0);
    CHECK_EQ_INT(tacit_state_copy(st, path), TACIT_EBACKUP_IO); /* b1/data.mdb is a file */
    CHECK(strstr(tacit_strerror(TACIT_EBACKUP_IO), "backup") != NULL);
    CHECK(strstr(tacit_strerror(TACIT_EBACKUP_IO), "block") == NULL);
    CHECK(strstr(tacit_strerror(TACIT_EBACKUP_DISK_FULL), "backup") != NULL);
    CHECK(strstr(tacit_strerror(TACIT_EBACKUP_DISK_FULL), "block") == NULL);
    snprintf(sub, sizeof sub, "%s/b1", out);
    check_backup(st, sub, ref, 10);
    tacit_state_close(st);
    umask(old);
    gen_rmdir(sub);
    gen_rmdir(out);
    gen_rmdir(dir);
}

/* In the child: a backup onto a full tmpfs fails as a backup error and leaves nothing. */
static int full_fs_backup(const char *mnt)
{
    char dir[256], sub[300], filler[300], path[400];
    struct tacit_state *st;
    struct stat sb;
    uint8_t ref[32];
    const size_t leave[] = {16 << 10, 0};

    snprintf(sub, sizeof sub, "%s/backup", mnt);
    snprintf(path, sizeof path, "%s/data.mdb", sub);
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    if (gen_tmpdir(dir, sizeof dir, "state") != 0) return 1;
    st = open_store(dir, 0);
    if (st == NULL) return 1;
    apply_range(st, NULL, 0, 10, 40);
    dump(st, ref);
    for (size_t i = 0; i < 2; i++) {
        int rc;
        CHECK(fill_fs(filler, leave[i]));
        rc = tacit_state_copy(st, sub);
        printf("  tmpfs full (%zu bytes left): backup refused with %s\n", leave[i],
               tacit_errname(rc));
        CHECK_EQ_INT(rc, TACIT_EBACKUP_DISK_FULL);
        CHECK(stat(path, &sb) != 0); /* no partial copy */
        CHECK(stat(sub, &sb) != 0);
    }
    CHECK(unlink(filler) == 0);
    CHECK_EQ_INT(tacit_state_copy(st, sub), TACIT_OK);
    check_backup(st, sub, ref, 10);
    tacit_state_close(st);
    gen_rmdir(dir);
    return tacit_test_failures() ? 1 : 0;
}

TEST(backup_on_a_full_filesystem)
{
    int rc = on_small_tmpfs("size=2m,mode=0700", full_fs_backup);
    if (rc >= 0) CHECK_EQ_INT(rc, 0);
}

static const struct tacit_test tests[] = {
    {"metadata_only_reads", metadata_only_reads},
    {"subtree_roots", subtree_roots},
    {"empty_store", empty_store},
    {"apply_reopen_read_back", apply_reopen_read_back},
    {"anchors_window", anchors_window},
    {"rule_errors_change_nothing", rule_errors_change_nothing},
    {"view_matches_apply", view_matches_apply},
    {"view_tree_matches_rehash", view_tree_matches_rehash},
    {"map_full_grows_and_retries", map_full_grows_and_retries},
    {"injected_write_error_keeps_state", injected_write_error_keeps_state},
    {"real_write_error_keeps_state", real_write_error_keeps_state},
    {"other_format_or_chain_refused", other_format_or_chain_refused},
    {"truncated_or_damaged_file_refused", truncated_or_damaged_file_refused},
    {"disk_full_on_a_real_filesystem", disk_full_on_a_real_filesystem},
    {"backup_mode_and_errors", backup_mode_and_errors},
    {"backup_on_a_full_filesystem", backup_on_a_full_filesystem},
    {"reader_does_not_block_writer", reader_does_not_block_writer},
    {"concurrent_readers_and_map_growth", concurrent_readers_and_map_growth},
    {"map_grown_by_another_process", map_grown_by_another_process},
};

TACIT_TEST_MAIN(tests)
