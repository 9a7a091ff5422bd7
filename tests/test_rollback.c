/*
 * tacit — the chain rolled back to a height (src/node/rollback.c, tacit__chain_rollback): a
 * chain of blocks with credits and transactions (deposits, spends; synthetic proofs that
 * verify under a synthetic key) is rolled back to several heights; each time the store is
 * byte for byte what it was when the chain was at that height (every database of the chain
 * state), with the same tip hash and digests; the dropped blocks' transactions are pending
 * again, those that depended on a dropped credit refused with their reason; the settlement
 * records of the dropped blocks are gone and the heads clamped; the chain then grows again.
 * A crash at each point of the swap leaves a store that a restart (tacit__rollback_recover)
 * opens at the old tip or the new one, never anything else.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "node/node_internal.h"
#include "state/testhooks.h"
#include "state_gen.h" /* gen_tmpdir */
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/state.h"
#include "zk/groth16_synth.h"

#define NBLOCKS 9

static const uint8_t SEQ_SK[32] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
                                   5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 7};
static const uint8_t SK_A[32] = {0x11, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                 16,   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
static const uint8_t SK_B[32] = {0x22, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                 16,   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 32};

static struct tacit_chain_params P;
static struct tacit_sequencer_key *SEQ;
static uint8_t ADDR_A[TACIT_ADDRESS_LEN], ADDR_B[TACIT_ADDRESS_LEN];
static tacit__groth16_trapdoor *SYN_TD;
static tacit_groth16_vk *SYN_VK;
static tacit_groth16_pvk *SYN_PVK;

/* What the chain was at each height: the tip after blocks 0 .. h - 1. */
struct at {
    uint8_t hash[32];
    struct tacit_state_digests d;
    uint8_t dump[32];
};

struct fixture {
    char dir[256];
    struct tacit_node *n;
    struct at at[NBLOCKS + 1];
    struct tacit_tx txs[NBLOCKS][2]; /* the transactions of each block */
    size_t ntxs[NBLOCKS];
    tacit_fr anchor; /* the root after block 1: every later spend's anchor */
};

static void cleanup(void);

static void setup(void)
{
    uint8_t xonly[32], seed[32] = {3};
    if (SEQ != NULL) return;
    atexit(cleanup);
    memset(&P, 0, sizeof P);
    P.chain_id = 0x70bac;
    CHECK_EQ_INT(tacit_sequencer_key_new(&SEQ, SEQ_SK), TACIT_OK);
    tacit_sequencer_key_public(SEQ, xonly, P.fee_recipient);
    memcpy(P.sequencer, xonly, 32);
    P.min_fee = 10;
    P.allow_credits = true;
    CHECK_EQ_INT(tacit_address_from_seckey(ADDR_A, SK_A), TACIT_OK);
    CHECK_EQ_INT(tacit_address_from_seckey(ADDR_B, SK_B), TACIT_OK);
    CHECK_EQ_INT(tacit__groth16_synth_setup(&SYN_TD, &SYN_VK, TACIT_TX_NPUBLIC, seed), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_pvk_new(&SYN_PVK, SYN_VK, NULL), TACIT_OK);
}

static void rand_fr(tacit_fr *r)
{
    uint8_t w[64];
    tacit_test_rand_bytes(w, sizeof w);
    tacit_fr_from_wide(r, w);
}

/* A tx with random nullifiers and outputs, anchored at anchor, a deposit of `deposit` from the
 * account of sk (nonce) when sk is given, the fee; a valid synthetic proof. */
static void make_tx(struct tacit_tx *tx, const tacit_fr *anchor, const uint8_t *sk,
                    const uint8_t *from, uint64_t deposit, uint64_t nonce, uint64_t fee)
{
    tacit_groth16_proof pr;
    uint8_t seed[32], d[32];
    memset(tx, 0, sizeof *tx);
    tx->version = TACIT_TX_VERSION;
    tx->chain_id = P.chain_id;
    tx->pub[0] = *anchor;
    for (int i = 3; i < 7; i++) rand_fr(&tx->pub[i]);
    tx->ext.fee = fee;
    tx->ext.deposit_amount = deposit;
    if (deposit > 0) {
        memcpy(tx->ext.deposit_sender, from, TACIT_ADDRESS_LEN);
        tx->ext.deposit_nonce = nonce;
    }
    tacit_test_rand_bytes(tx->ext.epk, TACIT_EPK_BYTES);
    tacit_test_rand_bytes(tx->ext.ciphertext[0], TACIT_NOTE_CIPHERTEXT_BYTES);
    tacit_test_rand_bytes(tx->ext.ciphertext[1], TACIT_NOTE_CIPHERTEXT_BYTES);
    tacit_tx_ext_data_hash_of(&tx->pub[2], tx, &P);
    CHECK_EQ_INT(tacit_tx_public_amount(&tx->pub[1], &tx->ext), TACIT_OK);
    if (deposit > 0) {
        tacit_tx_deposit_digest_of(d, tx, &P);
        CHECK_EQ_INT(tacit_deposit_sign(tx->ext.deposit_sig, sk, d), TACIT_OK);
    }
    tacit_test_rand_bytes(seed, 32);
    tacit__groth16_synth_prove(&pr, SYN_TD, tx->pub, seed);
    tacit_groth16_proof_to_bytes(tx->proof, &pr);
}

static void tx_id(uint8_t id[32], const struct tacit_tx *tx) { tacit_tx_id(id, tx); }

/* A block on the node's store: these credits, these txs; committed. */
static void block(struct tacit_node *n, const struct tacit_credit *cr, size_t ncr,
                  const struct tacit_tx *txs, size_t ntxs, uint64_t ts)
{
    struct tacit_block_builder *b = NULL;
    uint8_t enc[TACIT_TX_BYTES];
    CHECK_EQ_INT(tacit_block_builder_new(&b, n->st, &P), TACIT_OK);
    for (size_t i = 0; i < ncr; i++) CHECK_EQ_INT(tacit_block_builder_add_credit(b, &cr[i]), 0);
    for (size_t i = 0; i < ntxs; i++) {
        tacit_tx_encode(enc, &txs[i]);
        CHECK_EQ_INT(tacit_block_builder_add_tx(b, &txs[i], enc, sizeof enc), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_block_builder_seal(b, SEQ, ts, NULL, NULL, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_commit(b), TACIT_OK);
    tacit_block_builder_free(b);
}

static void at_take(struct tacit_node *n, struct at *a)
{
    struct tacit_state_tip tip;
    CHECK_EQ_INT(tacit_state_tip(n->st, &tip), TACIT_OK);
    memcpy(a->hash, tip.hash, 32);
    a->d = tip.digests;
    CHECK_EQ_INT(tacit__state_dump_hash(n->st, a->dump), TACIT_OK);
}

static void at_check(struct tacit_node *n, uint64_t height, const struct at *a)
{
    struct tacit_state_tip tip;
    uint8_t dump[32];
    CHECK_EQ_INT(tacit_state_tip(n->st, &tip), TACIT_OK);
    CHECK_EQ_INT(tip.next_height, height);
    CHECK_MEM(tip.hash, a->hash, 32);
    CHECK(memcmp(&tip.digests, &a->d, sizeof a->d) == 0);
    CHECK_EQ_INT(tacit__state_dump_hash(n->st, dump), TACIT_OK);
    CHECK_MEM(dump, a->dump, 32); /* every database of the chain's state, byte for byte */
    CHECK_EQ_INT(tacit_state_check(n->st), TACIT_OK);
}

static void node_open(struct fixture *fx)
{
    struct tacit_state_options o;
    struct tacit_node *n = fx->n;
    tacit_state_options_init(&o);
    o.chain_id = P.chain_id;
    o.flags = TACIT_STATE_NOSYNC;
    CHECK_EQ_INT(tacit_state_open(&n->st, n->state_dir, &o), TACIT_OK);
}

/*
 * Blocks: 0 credits A 10,000; 1 A deposits 1,000 (nonce 0); 2 credits B 5,000 and A deposits
 * (nonce 1); 3 B deposits 2,000 (nonce 0, from block 2's credit) and a spend; 4 empty; 5 A
 * deposits (nonce 2) and a spend; 6 a spend; 7 credits A; 8 A deposits (nonce 3, 9,000: more
 * than A holds without block 7's credit).
 */
static void fixture_make(struct fixture *fx)
{
    struct tacit_node *n;
    struct tacit_state_tip tip;
    struct tacit_credit ca = {.amount = 10000}, cb = {.amount = 5000}, ca2 = {.amount = 4000};
    uint64_t ts = 1000;
    setup();
    memset(fx, 0, sizeof *fx);
    CHECK_EQ_INT(gen_tmpdir(fx->dir, sizeof fx->dir, "rollback"), 0);
    fx->n = n = calloc(1, sizeof *n);
    CHECK(n != NULL);
    CHECK(asprintf(&n->datadir, "%s", fx->dir) > 0);
    CHECK(asprintf(&n->state_dir, "%s/state", fx->dir) > 0);
    n->params = P;
    n->pvk = SYN_PVK;
    n->cfg.nosync = true;
    CHECK_EQ_INT(tacit_mempool_new(&n->mp, NULL), TACIT_OK);
    n->adm.rejected = calloc(TACIT__REJECTED_MAX, sizeof *n->adm.rejected);
    n->adm.submitters = calloc(TACIT__REJECTED_MAX, sizeof *n->adm.submitters);
    CHECK(n->adm.rejected != NULL && n->adm.submitters != NULL);
    node_open(fx);
    memcpy(ca.address, ADDR_A, 20);
    memcpy(ca2.address, ADDR_A, 20);
    memcpy(cb.address, ADDR_B, 20);

    at_take(n, &fx->at[0]);
    for (uint64_t h = 0; h < NBLOCKS; h++) {
        const tacit_fr *anchor = &fx->anchor;
        struct tacit_tx *t = fx->txs[h];
        if (h <= 1) {
            CHECK_EQ_INT(tacit_state_tip(n->st, &tip), TACIT_OK);
            anchor = &tip.digests.note_root;
        }
        switch (h) {
        case 0: break;
        case 1: make_tx(&t[fx->ntxs[h]++], anchor, SK_A, ADDR_A, 1000, 0, 20); break;
        case 2: make_tx(&t[fx->ntxs[h]++], anchor, SK_A, ADDR_A, 500, 1, 20); break;
        case 3:
            make_tx(&t[fx->ntxs[h]++], anchor, SK_B, ADDR_B, 2000, 0, 30);
            make_tx(&t[fx->ntxs[h]++], anchor, NULL, NULL, 0, 0, 15);
            break;
        case 4: break;
        case 5:
            make_tx(&t[fx->ntxs[h]++], anchor, SK_A, ADDR_A, 700, 2, 25);
            make_tx(&t[fx->ntxs[h]++], anchor, NULL, NULL, 0, 0, 12);
            break;
        case 6: make_tx(&t[fx->ntxs[h]++], anchor, NULL, NULL, 0, 0, 11); break;
        case 7: break;
        case 8: make_tx(&t[fx->ntxs[h]++], anchor, SK_A, ADDR_A, 9000, 3, 40); break;
        }
        block(n,
              h == 0   ? &ca
              : h == 2 ? &cb
              : h == 7 ? &ca2
                       : NULL,
              h == 0 || h == 2 || h == 7 ? 1 : 0, t, fx->ntxs[h], ts += 1000);
        if (h == 1) {
            CHECK_EQ_INT(tacit_state_tip(n->st, &tip), TACIT_OK);
            fx->anchor = tip.digests.note_root;
        }
        at_take(n, &fx->at[h + 1]);
    }
}

static void fixture_free(struct fixture *fx)
{
    char cmd[600];
    struct tacit_node *n = fx->n;
    tacit_state_close(n->st);
    tacit_mempool_free(n->mp);
    free(n->adm.rejected);
    free(n->adm.submitters);
    free(n->datadir);
    free(n->state_dir);
    free(n);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    CHECK_EQ_INT(system(cmd), 0);
}

static bool pending(struct tacit_node *n, const struct tacit_tx *tx)
{
    uint8_t id[32];
    tx_id(id, tx);
    return tacit_mempool_has(n->mp, id);
}

static int reason(struct tacit_node *n, const struct tacit_tx *tx)
{
    uint8_t id[32];
    tx_id(id, tx);
    return tacit__status_reason(n, id, NULL);
}

/* The pending txs sealed into the next block (what the batcher does), the pool told. */
static void block_from_pool(struct tacit_node *n, uint64_t ts, size_t want)
{
    struct tacit_mempool_item *items = calloc(64, sizeof *items);
    struct tacit_block_builder *b = NULL;
    uint8_t(*ids)[32] = calloc(64, 32);
    size_t k, added = 0;
    CHECK(items != NULL && ids != NULL);
    k = tacit_mempool_select(n->mp, items, 64);
    CHECK_EQ_INT(k, want);
    CHECK_EQ_INT(tacit_block_builder_new(&b, n->st, &P), TACIT_OK);
    for (size_t i = 0; i < k; i++)
        if (tacit_block_builder_add_tx(b, &items[i].tx, items[i].bytes, TACIT_TX_BYTES) == TACIT_OK)
            memcpy(ids[added++], items[i].id, 32);
    CHECK_EQ_INT(added, want);
    CHECK_EQ_INT(tacit_block_builder_seal(b, SEQ, ts, NULL, NULL, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_commit(b), TACIT_OK);
    tacit_block_builder_free(b);
    CHECK_EQ_INT(
        tacit_mempool_after_block(n->mp, (const uint8_t(*)[32])ids, added, n->st, NULL, NULL),
        TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_count(n->mp), 0);
    free(items);
    free(ids);
}

/* Back to the tip (nothing), to 7, to 4, to 0; each time the chain as it was; the dropped
 * blocks' transactions back in the pool but those that lost their credit; then it grows. */
TEST(rollback_heights)
{
    struct fixture fx;
    struct tacit_node *n;
    size_t back, dropped;
    fixture_make(&fx);
    n = fx.n;
    at_check(n, NBLOCKS, &fx.at[NBLOCKS]);
    CHECK_EQ_INT(tacit__chain_rollback(n, NBLOCKS + 1), TACIT_EINVAL);
    CHECK_EQ_INT(tacit__chain_rollback(n, NBLOCKS), TACIT_OK); /* the tip: nothing */
    at_check(n, NBLOCKS, &fx.at[NBLOCKS]);
    CHECK_EQ_INT(n->m.rollbacks, 0);

    /* to 7: block 8's deposit (9,000) loses block 7's credit: A holds 10,000 - 1,000 - 500
     * - 700 = 7,800 */
    CHECK_EQ_INT(tacit__chain_rollback_ex(n, 7, &back, &dropped), TACIT_OK);
    at_check(n, 7, &fx.at[7]);
    CHECK_EQ_INT(back, 0);
    CHECK_EQ_INT(dropped, 1);
    CHECK(!pending(n, &fx.txs[8][0]));
    CHECK_EQ_INT(reason(n, &fx.txs[8][0]), TACIT_EINSUFFICIENT);
    CHECK_EQ_INT(n->m.rollbacks, 1);
    CHECK_EQ_INT(n->m.rolled_back_blocks, 2);
    CHECK_EQ_INT(tacit_state_block_by_height(n->st, 7, NULL, NULL, NULL), TACIT_ENOTFOUND);

    /* to 4: blocks 4..6's transactions (A's nonce-2 deposit, two spends) pending again */
    CHECK_EQ_INT(tacit__chain_rollback_ex(n, 4, &back, &dropped), TACIT_OK);
    at_check(n, 4, &fx.at[4]);
    CHECK_EQ_INT(back, 3);
    CHECK_EQ_INT(dropped, 0);
    CHECK(pending(n, &fx.txs[5][0]) && pending(n, &fx.txs[5][1]) && pending(n, &fx.txs[6][0]));
    for (uint64_t h = 4; h < NBLOCKS; h++) {
        uint8_t id[32];
        for (size_t i = 0; i < fx.ntxs[h]; i++) {
            tx_id(id, &fx.txs[h][i]);
            CHECK_EQ_INT(tacit_state_tx(n->st, id, NULL, NULL, NULL, NULL), TACIT_ENOTFOUND);
        }
    }
    /* the chain grows again: the three in block 4, then the same rollback target again */
    block_from_pool(n, 90000, 3);
    {
        struct tacit_state_tip tip;
        CHECK_EQ_INT(tacit_state_tip(n->st, &tip), TACIT_OK);
        CHECK_EQ_INT(tip.next_height, 5);
        CHECK(memcmp(tip.hash, fx.at[5].hash, 32) != 0); /* another block 4 */
    }

    /* to 2: block 2's credit to B gone, B's deposit (block 3) refused; A's deposits and the
     * spends (anchored at the root after block 1) pending again */
    CHECK_EQ_INT(tacit__chain_rollback_ex(n, 2, &back, &dropped), TACIT_OK);
    at_check(n, 2, &fx.at[2]);
    CHECK(!pending(n, &fx.txs[3][0]));
    CHECK_EQ_INT(reason(n, &fx.txs[3][0]), TACIT_EINSUFFICIENT);
    CHECK(pending(n, &fx.txs[2][0]) && pending(n, &fx.txs[3][1]) && pending(n, &fx.txs[5][0]));
    CHECK_EQ_INT(back, 5);
    CHECK_EQ_INT(dropped, 1);

    /* to 0: nothing left; every deposit loses block 0's credit, every spend its anchor */
    CHECK_EQ_INT(tacit__chain_rollback_ex(n, 0, &back, &dropped), TACIT_OK);
    at_check(n, 0, &fx.at[0]);
    CHECK_EQ_INT(back, 0);
    CHECK_EQ_INT(tacit_mempool_count(n->mp), 0);
    CHECK(!pending(n, &fx.txs[1][0]) && reason(n, &fx.txs[1][0]) != TACIT_OK);
    CHECK_EQ_INT(reason(n, &fx.txs[3][1]), TACIT_EANCHOR);
    /* and a new chain from there */
    {
        struct tacit_credit c = {.amount = 1};
        memcpy(c.address, ADDR_B, 20);
        block(n, &c, 1, NULL, 0, 1000);
        struct tacit_state_tip tip;
        CHECK_EQ_INT(tacit_state_tip(n->st, &tip), TACIT_OK);
        CHECK_EQ_INT(tip.next_height, 1);
    }
    fixture_free(&fx);
}

static void put_rec(struct tacit_state *st, char tag, uint64_t h, const uint8_t *v, size_t len)
{
    uint8_t key[9];
    struct tacit_state_kv kv = {key, 9, v, len};
    key[0] = (uint8_t)tag;
    for (int i = 0; i < 8; i++) key[1 + i] = (uint8_t)(h >> (56 - 8 * i));
    CHECK_EQ_INT(tacit_state_settle_put(st, &kv, 1), TACIT_OK);
}

static bool has_rec(struct tacit_state *st, char tag, uint64_t h)
{
    uint8_t key[9], *v = NULL;
    size_t len;
    int rc;
    key[0] = (uint8_t)tag;
    for (int i = 0; i < 8; i++) key[1 + i] = (uint8_t)(h >> (56 - 8 * i));
    rc = tacit_state_settle_get(st, key, 9, &v, &len);
    free(v);
    CHECK(rc == TACIT_OK || rc == TACIT_ENOTFOUND);
    return rc == TACIT_OK;
}

/* The settlement records: the dropped blocks' "q", "s", "p" and credited entries' "c" gone,
 * the others kept as they were, the heads clamped; the node's copies follow. */
TEST(rollback_settle_records)
{
    struct fixture fx;
    struct tacit_node *n;
    struct tacit_settler dummy = {NULL, NULL};
    struct tacit__settle_heads h;
    uint8_t heads[32] = {0}, c[80] = {0}, mode[2] = {'l', '1'};
    struct tacit_state_kv kv[2] = {{(const uint8_t *)"heads", 5, heads, 32},
                                   {(const uint8_t *)"mode", 4, mode, 2}};
    uint64_t qn;
    fixture_make(&fx);
    n = fx.n;
    for (uint64_t k = 0; k < NBLOCKS; k++) CHECK_EQ_INT(tacit__settle_queue_save(n->st, k, k), 0);
    heads[7] = 8;   /* submitted 8 */
    heads[15] = 6;  /* settled 6 */
    heads[23] = 3;  /* finalized 3 */
    heads[31] = 77; /* gas */
    CHECK_EQ_INT(tacit_state_settle_put(n->st, kv, 2), TACIT_OK);
    for (uint64_t k = 0; k < 8; k++) put_rec(n->st, 's', k, (const uint8_t *)"\x13zz", 3);
    put_rec(n->st, 'p', 6, (const uint8_t *)"12345678", 8);
    c[79] = 2; /* "c" 0: credited by block 2 */
    put_rec(n->st, 'c', 0, c, 80);
    c[79] = 7; /* "c" 1: credited by block 7 */
    put_rec(n->st, 'c', 1, c, 80);
    n->cfg.settler = &dummy;
    n->settle.halted = true;
    n->settle.halt_height = 6;
    n->settle.queue_base = 9;
    n->settle.nqueue = 0;

    CHECK_EQ_INT(tacit__chain_rollback(n, 5), TACIT_OK);
    at_check(n, 5, &fx.at[5]);
    for (uint64_t k = 0; k < NBLOCKS; k++) {
        CHECK_EQ_INT(has_rec(n->st, 'q', k), k < 5);
        CHECK_EQ_INT(has_rec(n->st, 's', k), k < 5);
    }
    CHECK(!has_rec(n->st, 'p', 6));
    CHECK(has_rec(n->st, 'c', 0));
    CHECK(!has_rec(n->st, 'c', 1));
    CHECK_EQ_INT(tacit__settle_heads_load(n->st, &h), TACIT_OK);
    CHECK_EQ_INT(h.submitted, 5);
    CHECK_EQ_INT(h.settled, 5);
    CHECK_EQ_INT(h.finalized, 3);
    CHECK_EQ_INT(h.gas_used, 77);
    CHECK_EQ_INT(tacit__settle_mode_check(n->st, true), TACIT_OK); /* "mode" kept */
    /* the node's copies */
    CHECK_EQ_INT(n->settle.heads.submitted, 5);
    CHECK_EQ_INT(n->settle.heads.settled, 5);
    CHECK(!n->settle.halted); /* the halted block is gone */
    CHECK_EQ_INT(tacit__settle_queue_next(n->st, 5, &qn), TACIT_OK);
    CHECK_EQ_INT(qn, 4); /* "q" 4 = 4 */
    CHECK_EQ_INT(n->settle.queue_next, 4);
    CHECK_EQ_INT(n->settle.queue_base, 4);
    n->cfg.settler = NULL;
    fixture_free(&fx);
}

/* A crash at each point of the swap: a restart finds the old chain (before the decision) or
 * the rolled-back one (after it), never a missing or mixed store, and no left-over. */
TEST(rollback_crash_points)
{
    for (int k = 1; k <= 4; k++) {
        struct fixture fx;
        struct tacit_node *n;
        char path[600];
        struct stat sb;
        fixture_make(&fx);
        n = fx.n;
        tacit__rollback_crash_at = k;
        CHECK_EQ_INT(tacit__chain_rollback(n, 3), TACIT_EIO);
        tacit__rollback_crash_at = 0;
        CHECK(n->st == NULL);
        /* the restart */
        CHECK_EQ_INT(tacit__rollback_recover(n->state_dir), TACIT_OK);
        node_open(&fx);
        if (k == 1)
            at_check(n, NBLOCKS, &fx.at[NBLOCKS]);
        else
            at_check(n, 3, &fx.at[3]);
        snprintf(path, sizeof path, "%s.rollback", n->state_dir);
        CHECK(stat(path, &sb) != 0);
        snprintf(path, sizeof path, "%s.rollback.tmp", n->state_dir);
        CHECK(stat(path, &sb) != 0);
        snprintf(path, sizeof path, "%s.old", n->state_dir);
        CHECK(stat(path, &sb) != 0);
        /* and it goes on from there */
        CHECK_EQ_INT(tacit__chain_rollback(n, 1), TACIT_OK);
        at_check(n, 1, &fx.at[1]);
        fixture_free(&fx);
    }
}

static void cleanup(void)
{
    tacit_sequencer_key_free(SEQ);
    tacit_groth16_pvk_free(SYN_PVK);
    tacit_groth16_vk_free(SYN_VK);
    tacit__groth16_trapdoor_free(SYN_TD);
}

static const struct tacit_test tests[] = {
    {"rollback_heights", rollback_heights},
    {"rollback_settle_records", rollback_settle_records},
    {"rollback_crash_points", rollback_crash_points},
};

TACIT_TEST_MAIN(tests)
