/*
 * tacit — the mempool (src/node/mempool.c): fee then arrival order, conflicts by nullifier and by
 * deposit (sender, nonce) with replace-by-fee, duplicate ids, the count and byte limits with
 * eviction, select copies, remove/flush reports, dump/restore, after_block against a real state
 * store (nullifier spent, anchor gone, deposit nonce used, balance short), and a randomized run
 * against a naive array model.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "node/mempool.h"
#include "state_gen.h"
#include "tacit/chain.h"
#include "tacit/circuit.h"
#include "tacit/error.h"

/* A test tx with its id and encoding. */
struct ttx {
    struct tacit_tx tx;
    uint8_t id[32];
    uint8_t bytes[TACIT_TX_BYTES];
};

static void rand_fr(tacit_fr *f)
{
    uint8_t w[64];
    tacit_test_rand_bytes(w, sizeof w);
    tacit_fr_from_wide(f, w);
}

/* Computes bytes and id after the fields changed. */
static void ttx_seal(struct ttx *t)
{
    tacit_tx_encode(t->bytes, &t->tx);
    tacit_tx_id(t->id, &t->tx);
}

/* A non-deposit tx with random public inputs (distinct nullifiers), proof and ciphertexts. */
static void ttx_make(struct ttx *t, uint64_t fee)
{
    memset(t, 0, sizeof *t);
    t->tx.version = TACIT_TX_VERSION;
    t->tx.chain_id = 7;
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++) rand_fr(&t->tx.pub[i]);
    tacit_test_rand_bytes(t->tx.proof, sizeof t->tx.proof);
    t->tx.ext.fee = fee;
    tacit_test_rand_bytes(t->tx.ext.epk, sizeof t->tx.ext.epk);
    tacit_test_rand_bytes(&t->tx.ext.ciphertext[0][0], sizeof t->tx.ext.ciphertext);
    ttx_seal(t);
}

static void deposit_sender(uint8_t addr[TACIT_ADDRESS_LEN], unsigned k)
{
    memset(addr, 0, TACIT_ADDRESS_LEN);
    addr[0] = 0xd0;
    addr[19] = (uint8_t)k;
}

/* Makes t a deposit of amount from sender k with nonce (the signature is not checked here). */
static void ttx_deposit(struct ttx *t, unsigned k, uint64_t nonce, uint64_t amount)
{
    deposit_sender(t->tx.ext.deposit_sender, k);
    t->tx.ext.deposit_nonce = nonce;
    t->tx.ext.deposit_amount = amount;
    tacit_test_rand_bytes(t->tx.ext.deposit_sig, sizeof t->tx.ext.deposit_sig);
    ttx_seal(t);
}

static struct ttx *ttx_alloc(size_t n)
{
    struct ttx *t = calloc(n, sizeof *t);
    CHECK(t != NULL);
    if (t == NULL) abort();
    return t;
}

static int add(struct tacit_mempool *mp, const struct ttx *t, tacit_mempool_removed_cb cb, void *ud)
{
    return tacit_mempool_add(mp, &t->tx, t->id, t->bytes, 1000, cb, ud);
}

/* Removal reports collected by the callback. */
#define REC_MAX 256
struct rec {
    size_t n;
    uint8_t id[REC_MAX][32];
    int reason[REC_MAX];
};

static void rec_cb(void *ud, const uint8_t id[32], int reason)
{
    struct rec *r = ud;
    CHECK(r->n < REC_MAX);
    if (r->n >= REC_MAX) return;
    memcpy(r->id[r->n], id, 32);
    r->reason[r->n++] = reason;
}

static bool rec_has(const struct rec *r, const uint8_t id[32], int reason)
{
    for (size_t i = 0; i < r->n; i++)
        if (memcmp(r->id[i], id, 32) == 0 && r->reason[i] == reason) return true;
    return false;
}

static struct tacit_mempool *pool_new(size_t max_txs, size_t max_bytes)
{
    struct tacit_mempool *mp = NULL;
    struct tacit_mempool_limits l = {max_txs, max_bytes};
    CHECK_EQ_INT(tacit_mempool_new(&mp, &l), TACIT_OK);
    CHECK(mp != NULL);
    if (mp == NULL) abort();
    return mp;
}

static struct tacit_mempool *pool_big(void) { return pool_new(1000, (size_t)1 << 30); }

static struct tacit_mempool_item *items_alloc(size_t n)
{
    struct tacit_mempool_item *it = calloc(n ? n : 1, sizeof *it);
    if (it == NULL) abort();
    return it;
}

/* The tx of an item is the tx given (compared through the encoding: padding bytes of the struct
 * are not part of it). */
static bool tx_eq(const struct tacit_tx *a, const struct tacit_tx *b)
{
    uint8_t ea[TACIT_TX_BYTES], eb[TACIT_TX_BYTES];
    tacit_tx_encode(ea, a);
    tacit_tx_encode(eb, b);
    return memcmp(ea, eb, sizeof ea) == 0;
}

static bool item_eq(const struct tacit_mempool_item *a, const struct tacit_mempool_item *b)
{
    return tx_eq(&a->tx, &b->tx) && memcmp(a->id, b->id, 32) == 0 &&
           memcmp(a->bytes, b->bytes, TACIT_TX_BYTES) == 0 && a->arrival_ms == b->arrival_ms;
}

/* The pool's order as tx ids equals want[0..n) (and nothing more). */
static void check_order(const struct tacit_mempool *mp, const struct ttx *const *want, size_t n)
{
    struct tacit_mempool_item *it = items_alloc(n + 1);
    size_t got = tacit_mempool_select(mp, it, n + 1);
    CHECK_EQ_INT(got, n);
    CHECK_EQ_INT(tacit_mempool_count(mp), n);
    for (size_t i = 0; i < n && i < got; i++) {
        CHECK_MEM(it[i].id, want[i]->id, 32);
        CHECK_MEM(it[i].bytes, want[i]->bytes, TACIT_TX_BYTES);
        CHECK(tx_eq(&it[i].tx, &want[i]->tx));
    }
    free(it);
}

/* ------------------------------------------------------------------ basics ---- */

TEST(limits_refused)
{
    struct tacit_mempool *mp = (struct tacit_mempool *)1;
    struct tacit_mempool_limits l = {0, (size_t)1 << 30};
    CHECK_EQ_INT(tacit_mempool_new(&mp, &l), TACIT_EINVAL);
    CHECK(mp == NULL);
    l.max_txs = 10;
    l.max_bytes = tacit_mempool_entry_bytes() - 1;
    CHECK_EQ_INT(tacit_mempool_new(&mp, &l), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_mempool_new(&mp, NULL), TACIT_OK);
    tacit_mempool_get_limits(mp, &l);
    CHECK_EQ_INT(l.max_txs, TACIT_MEMPOOL_MAX_TXS_DEFAULT);
    CHECK_EQ_INT(l.max_bytes, TACIT_MEMPOOL_MAX_BYTES_DEFAULT);
    /* the defaults really hold max_txs txs: the byte limit is not the tighter one */
    CHECK(TACIT_MEMPOOL_MAX_TXS_DEFAULT * tacit_mempool_entry_bytes() <=
          TACIT_MEMPOOL_MAX_BYTES_DEFAULT);
    CHECK(tacit_mempool_entry_bytes() > TACIT_TX_BYTES);
    CHECK_EQ_INT(tacit_mempool_count(mp), 0);
    CHECK_EQ_INT(tacit_mempool_min_fee(mp), 0);
    tacit_mempool_free(mp);
    tacit_mempool_free(NULL);
}

TEST(order_fee_then_arrival)
{
    static const uint64_t fees[] = {5, 9, 5, 1, 9, 7, 5};
    static const size_t order[] = {1, 4, 5, 0, 2, 6, 3}; /* fee desc, arrival asc */
    enum { N = sizeof fees / sizeof fees[0] };
    struct ttx *t = ttx_alloc(N);
    const struct ttx *want[N];
    struct tacit_mempool_item *it = items_alloc(N);
    struct tacit_mempool *mp = pool_big();

    for (size_t i = 0; i < N; i++) {
        ttx_make(&t[i], fees[i]);
        CHECK_EQ_INT(tacit_mempool_check(mp, &t[i].tx, t[i].id), TACIT_OK);
        CHECK_EQ_INT(tacit_mempool_add(mp, &t[i].tx, t[i].id, t[i].bytes, 100 + i, NULL, NULL),
                     TACIT_OK);
        CHECK(tacit_mempool_has(mp, t[i].id));
    }
    for (size_t i = 0; i < N; i++) want[i] = &t[order[i]];
    check_order(mp, want, N);
    CHECK_EQ_INT(tacit_mempool_min_fee(mp), 1);
    CHECK_EQ_INT(tacit_mempool_bytes(mp), N * tacit_mempool_entry_bytes());
    /* a shorter select is a prefix */
    CHECK_EQ_INT(tacit_mempool_select(mp, it, 3), 3);
    for (size_t i = 0; i < 3; i++) CHECK_MEM(it[i].id, want[i]->id, 32);
    CHECK_EQ_INT(tacit_mempool_select(mp, it, 0), 0);
    /* arrival time recorded */
    CHECK_EQ_INT(tacit_mempool_get(mp, t[3].id, &it[0]), TACIT_OK);
    CHECK_EQ_INT(it[0].arrival_ms, 103);
    CHECK_MEM(it[0].bytes, t[3].bytes, TACIT_TX_BYTES);
    tacit_mempool_free(mp);
    free(it);
    free(t);
}

TEST(duplicate_id)
{
    struct ttx *t = ttx_alloc(1);
    struct tacit_mempool *mp = pool_big();
    struct rec r = {0};

    ttx_make(&t[0], 10);
    CHECK_EQ_INT(add(mp, &t[0], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[0].tx, t[0].id), TACIT_EEXISTS);
    CHECK_EQ_INT(add(mp, &t[0], rec_cb, &r), TACIT_EEXISTS);
    /* same id is refused even with a higher fee in the struct (the id decides) */
    t[0].tx.ext.fee = 99;
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[0].tx, t[0].id), TACIT_EEXISTS);
    CHECK_EQ_INT(tacit_mempool_count(mp), 1);
    CHECK_EQ_INT(r.n, 0);
    tacit_mempool_free(mp);
    free(t);
}

TEST(repeated_nullifier)
{
    struct ttx *t = ttx_alloc(1);
    struct tacit_mempool *mp = pool_big();
    ttx_make(&t[0], 10);
    t[0].tx.pub[TACIT_TRANSFER_PUB_NF1] = t[0].tx.pub[TACIT_TRANSFER_PUB_NF0];
    ttx_seal(&t[0]);
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[0].tx, t[0].id), TACIT_ENULLIFIER_REPEATED);
    CHECK_EQ_INT(add(mp, &t[0], NULL, NULL), TACIT_ENULLIFIER_REPEATED);
    CHECK_EQ_INT(tacit_mempool_count(mp), 0);
    tacit_mempool_free(mp);
    free(t);
}

/* ------------------------------------------------------------- conflicts ---- */

TEST(nullifier_conflict_first_seen_wins)
{
    struct ttx *t = ttx_alloc(5);
    struct tacit_mempool *mp = pool_big();
    struct rec r = {0};

    ttx_make(&t[0], 10);
    CHECK_EQ_INT(add(mp, &t[0], rec_cb, &r), TACIT_OK);
    /* t1 spends t0's nf0 as its nf1; t2 spends t0's nf1 as its nf1 */
    ttx_make(&t[1], 10);
    t[1].tx.pub[TACIT_TRANSFER_PUB_NF1] = t[0].tx.pub[TACIT_TRANSFER_PUB_NF0];
    ttx_seal(&t[1]);
    ttx_make(&t[2], 3);
    t[2].tx.pub[TACIT_TRANSFER_PUB_NF1] = t[0].tx.pub[TACIT_TRANSFER_PUB_NF1];
    ttx_seal(&t[2]);
    /* equal fee: no replacement; lower fee: none either */
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[1].tx, t[1].id), TACIT_ENULLIFIER_IN_MEMPOOL);
    CHECK_EQ_INT(add(mp, &t[1], rec_cb, &r), TACIT_ENULLIFIER_IN_MEMPOOL);
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[2].tx, t[2].id), TACIT_ENULLIFIER_IN_MEMPOOL);
    CHECK_EQ_INT(add(mp, &t[2], rec_cb, &r), TACIT_ENULLIFIER_IN_MEMPOOL);
    CHECK_EQ_INT(r.n, 0);
    CHECK_EQ_INT(tacit_mempool_count(mp), 1);
    CHECK(tacit_mempool_has(mp, t[0].id));
    CHECK(!tacit_mempool_has(mp, t[1].id));

    /* strictly higher fee replaces, and the loser is reported */
    t[1].tx.ext.fee = 11;
    ttx_seal(&t[1]);
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[1].tx, t[1].id), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_count(mp), 1); /* check changed nothing */
    CHECK_EQ_INT(add(mp, &t[1], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(r.n, 1);
    CHECK(rec_has(&r, t[0].id, TACIT_ENULLIFIER_IN_MEMPOOL));
    CHECK(!tacit_mempool_has(mp, t[0].id));
    CHECK(tacit_mempool_has(mp, t[1].id));
    /* t0's other nullifier is free again: a tx spending it alone is admitted */
    CHECK_EQ_INT(add(mp, &t[2], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_count(mp), 2);
    CHECK_EQ_INT(r.n, 1);

    /* t3 conflicts with t1 (fee 11) and t2 (fee 3): at fee 11 it does not beat t1, so
     * nothing is replaced (not even t2, which it would beat) ... */
    ttx_make(&t[3], 11);
    t[3].tx.pub[TACIT_TRANSFER_PUB_NF0] = t[2].tx.pub[TACIT_TRANSFER_PUB_NF0];
    t[3].tx.pub[TACIT_TRANSFER_PUB_NF1] = t[1].tx.pub[TACIT_TRANSFER_PUB_NF0];
    ttx_seal(&t[3]);
    CHECK_EQ_INT(add(mp, &t[3], rec_cb, &r), TACIT_ENULLIFIER_IN_MEMPOOL);
    CHECK(tacit_mempool_has(mp, t[2].id)); /* not half-replaced */
    CHECK_EQ_INT(r.n, 1);
    /* ... at fee 12 it beats both: both replaced and reported */
    t[3].tx.ext.fee = 12;
    ttx_seal(&t[3]);
    CHECK_EQ_INT(add(mp, &t[3], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(r.n, 3);
    CHECK(rec_has(&r, t[1].id, TACIT_ENULLIFIER_IN_MEMPOOL));
    CHECK(rec_has(&r, t[2].id, TACIT_ENULLIFIER_IN_MEMPOOL));
    CHECK_EQ_INT(tacit_mempool_count(mp), 1);
    CHECK(tacit_mempool_has(mp, t[3].id));
    /* the nullifier index forgot the losers' other nullifiers */
    ttx_make(&t[4], 1);
    t[4].tx.pub[TACIT_TRANSFER_PUB_NF0] = t[1].tx.pub[TACIT_TRANSFER_PUB_NF1];
    ttx_seal(&t[4]);
    CHECK_EQ_INT(add(mp, &t[4], rec_cb, &r), TACIT_OK);
    tacit_mempool_free(mp);
    free(t);
}

TEST(deposit_conflict)
{
    struct ttx *t = ttx_alloc(5);
    struct tacit_mempool *mp = pool_big();
    struct rec r = {0};

    ttx_make(&t[0], 10);
    ttx_deposit(&t[0], 1, 4, 100);
    CHECK_EQ_INT(add(mp, &t[0], rec_cb, &r), TACIT_OK);
    /* same sender, same nonce, other nullifiers: a conflict */
    ttx_make(&t[1], 10);
    ttx_deposit(&t[1], 1, 4, 50);
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[1].tx, t[1].id), TACIT_ENULLIFIER_IN_MEMPOOL);
    CHECK_EQ_INT(add(mp, &t[1], rec_cb, &r), TACIT_ENULLIFIER_IN_MEMPOOL);
    /* same sender, next nonce; other sender, same nonce: no conflict */
    ttx_make(&t[2], 1);
    ttx_deposit(&t[2], 1, 5, 100);
    CHECK_EQ_INT(add(mp, &t[2], rec_cb, &r), TACIT_OK);
    ttx_make(&t[3], 1);
    ttx_deposit(&t[3], 2, 4, 100);
    CHECK_EQ_INT(add(mp, &t[3], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(r.n, 0);
    /* a higher fee replaces t0 only */
    t[1].tx.ext.fee = 11;
    ttx_seal(&t[1]);
    CHECK_EQ_INT(add(mp, &t[1], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(r.n, 1);
    CHECK(rec_has(&r, t[0].id, TACIT_ENULLIFIER_IN_MEMPOOL));
    CHECK_EQ_INT(tacit_mempool_count(mp), 3);
    /* a non-deposit tx never conflicts by (sender, nonce): its fields are zero */
    ttx_make(&t[4], 1);
    CHECK_EQ_INT(add(mp, &t[4], rec_cb, &r), TACIT_OK);
    /* after removing the deposit, its (sender, nonce) is free */
    CHECK_EQ_INT(tacit_mempool_remove(mp, t[1].id, TACIT_EANCHOR, rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(add(mp, &t[0], rec_cb, &r), TACIT_OK);
    tacit_mempool_free(mp);
    free(t);
}

/* -------------------------------------------------------------- limits ---- */

/* Fills a pool of capacity 4 with fees 10, 20, 30, 40, then tests admission at the limit. */
static void check_full(struct tacit_mempool *mp)
{
    struct ttx *t = ttx_alloc(9);
    const struct ttx *want[4];
    struct rec r = {0};
    static const uint64_t fees[] = {30, 10, 40, 20};

    for (size_t i = 0; i < 4; i++) {
        ttx_make(&t[i], fees[i]);
        CHECK_EQ_INT(add(mp, &t[i], rec_cb, &r), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_mempool_min_fee(mp), 10);
    want[0] = &t[2], want[1] = &t[0], want[2] = &t[3], want[3] = &t[1];
    /* not strictly above the lowest fee: refused, nothing changes */
    ttx_make(&t[4], 10);
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[4].tx, t[4].id), TACIT_EMEMPOOL_FULL);
    CHECK_EQ_INT(add(mp, &t[4], rec_cb, &r), TACIT_EMEMPOOL_FULL);
    ttx_make(&t[5], 2);
    CHECK_EQ_INT(add(mp, &t[5], rec_cb, &r), TACIT_EMEMPOOL_FULL);
    CHECK_EQ_INT(r.n, 0);
    check_order(mp, want, 4);
    /* strictly above: the lowest is evicted and reported */
    ttx_make(&t[6], 11);
    CHECK_EQ_INT(tacit_mempool_check(mp, &t[6].tx, t[6].id), TACIT_OK);
    CHECK_EQ_INT(add(mp, &t[6], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(r.n, 1);
    CHECK(rec_has(&r, t[1].id, TACIT_EMEMPOOL_FULL));
    CHECK_EQ_INT(tacit_mempool_count(mp), 4);
    CHECK_EQ_INT(tacit_mempool_bytes(mp), 4 * tacit_mempool_entry_bytes());
    CHECK_EQ_INT(tacit_mempool_min_fee(mp), 11);
    /* full, but a replacement frees the room it takes: nothing is evicted, the lowest stays */
    ttx_make(&t[7], 31);
    t[7].tx.pub[TACIT_TRANSFER_PUB_NF0] = t[0].tx.pub[TACIT_TRANSFER_PUB_NF1]; /* t0: fee 30 */
    ttx_seal(&t[7]);
    CHECK_EQ_INT(add(mp, &t[7], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(r.n, 2);
    CHECK(rec_has(&r, t[0].id, TACIT_ENULLIFIER_IN_MEMPOOL));
    CHECK(tacit_mempool_has(mp, t[6].id));
    CHECK_EQ_INT(tacit_mempool_count(mp), 4);
    /* a fee equal to a pending one (40) is admitted after it; t6 (11, the lowest) goes */
    ttx_make(&t[8], 40);
    CHECK_EQ_INT(add(mp, &t[8], rec_cb, &r), TACIT_OK);
    CHECK(rec_has(&r, t[6].id, TACIT_EMEMPOOL_FULL));
    /* pool: 40 (t2), 40 (t8), 31 (t7), 20 (t3) */
    want[0] = &t[2], want[1] = &t[8], want[2] = &t[7], want[3] = &t[3];
    check_order(mp, want, 4);
    free(t);
}

TEST(count_limit_evicts_lowest)
{
    struct tacit_mempool *mp = pool_new(4, (size_t)1 << 30);
    check_full(mp);
    tacit_mempool_free(mp);
}

TEST(byte_limit_evicts_lowest)
{
    struct tacit_mempool *mp = pool_new(1000, 5 * tacit_mempool_entry_bytes() - 1);
    check_full(mp);
    CHECK(tacit_mempool_bytes(mp) <= 5 * tacit_mempool_entry_bytes() - 1);
    tacit_mempool_free(mp);
}

TEST(eviction_tie_newest_first)
{
    struct ttx *t = ttx_alloc(4);
    struct tacit_mempool *mp = pool_new(3, (size_t)1 << 30);
    struct rec r = {0};
    const struct ttx *want[3];

    ttx_make(&t[0], 5), ttx_make(&t[1], 5), ttx_make(&t[2], 5), ttx_make(&t[3], 6);
    for (size_t i = 0; i < 4; i++) CHECK_EQ_INT(add(mp, &t[i], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(r.n, 1);
    CHECK(rec_has(&r, t[2].id, TACIT_EMEMPOOL_FULL));
    want[0] = &t[3], want[1] = &t[0], want[2] = &t[1];
    check_order(mp, want, 3);
    tacit_mempool_free(mp);
    free(t);
}

/* --------------------------------------------------- select, remove, flush ---- */

/* A sender's deposits come out in nonce order in the slots their fees gave them (a block takes
 * them in one pass), whatever their fees; other txs keep the fee order. */
TEST(select_deposits_in_nonce_order)
{
    struct tacit_mempool *mp = NULL;
    struct ttx *t = ttx_alloc(6);
    struct tacit_mempool_item *it = items_alloc(6);
    /* fees: d2 (nonce 2) 900, x 800, d0 (nonce 0) 700, e1 (other sender, nonce 1) 600,
     * d1 (nonce 1) 500, e0 (other sender, nonce 0) 400 */
    static const uint64_t fee[6] = {900, 800, 700, 600, 500, 400};
    CHECK_EQ_INT(tacit_mempool_new(&mp, NULL), TACIT_OK);
    for (int i = 0; i < 6; i++) ttx_make(&t[i], fee[i]);
    ttx_deposit(&t[0], 1, 2, 10);
    ttx_deposit(&t[2], 1, 0, 10);
    ttx_deposit(&t[3], 2, 1, 10);
    ttx_deposit(&t[4], 1, 1, 10);
    ttx_deposit(&t[5], 2, 0, 10);
    for (int i = 0; i < 6; i++) CHECK_EQ_INT(add(mp, &t[i], NULL, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_select(mp, it, 6), 6);
    /* sender 1 holds slots 0, 2, 4: nonces 0, 1, 2; sender 2 holds 3, 5: nonces 0, 1 */
    CHECK_MEM(it[0].id, t[2].id, 32);
    CHECK_MEM(it[1].id, t[1].id, 32);
    CHECK_MEM(it[2].id, t[4].id, 32);
    CHECK_MEM(it[3].id, t[5].id, 32);
    CHECK_MEM(it[4].id, t[0].id, 32);
    CHECK_MEM(it[5].id, t[3].id, 32);
    /* a selection cut short reorders only what it holds: slots 0..2 hold d2, x, d0 */
    CHECK_EQ_INT(tacit_mempool_select(mp, it, 3), 3);
    CHECK_MEM(it[0].id, t[2].id, 32);
    CHECK_MEM(it[1].id, t[1].id, 32);
    CHECK_MEM(it[2].id, t[0].id, 32);
    tacit_mempool_free(mp);
    free(it);
    free(t);
}

/* Issue 14, 5: a block's order among equal fees is random, not arrival order; the fee order
 * holds, and one sender's deposits stay in nonce order whatever the shuffle. */
TEST(select_block_equal_fees_random)
{
    enum { NPLAIN = 8, NDEP = 4, N = 2 + NPLAIN + NDEP + 1 };
    struct tacit_mempool *mp = pool_big();
    struct ttx *t = ttx_alloc(N);
    struct tacit_mempool_item *it = items_alloc(N);
    size_t k = 0, differs = 0, firsts[NPLAIN + NDEP] = {0};
    uint8_t first[N][32];

    ttx_make(&t[k++], 900); /* two above the run */
    ttx_make(&t[k++], 800);
    for (int i = 0; i < NPLAIN; i++) ttx_make(&t[k++], 500); /* the run: 8 plain, 4 deposits */
    for (int i = 0; i < NDEP; i++) {
        ttx_make(&t[k], 500);
        ttx_deposit(&t[k++], 7, (uint64_t)i, 10); /* one sender, nonces 0..3 in arrival order */
    }
    ttx_make(&t[k++], 100); /* one below */
    for (size_t i = 0; i < N; i++) CHECK_EQ_INT(add(mp, &t[i], NULL, NULL), TACIT_OK);
    for (int round = 0; round < 64; round++) {
        uint64_t next_nonce = 0;
        bool same = true;
        CHECK_EQ_INT(tacit_mempool_select_block(mp, it, N), N);
        CHECK_MEM(it[0].id, t[0].id, 32);
        CHECK_MEM(it[1].id, t[1].id, 32);
        CHECK_MEM(it[N - 1].id, t[N - 1].id, 32);
        for (size_t i = 2; i < N - 1; i++) {
            CHECK_EQ_INT(it[i].tx.ext.fee, 500);
            if (it[i].tx.ext.deposit_amount != 0)
                CHECK_EQ_INT(it[i].tx.ext.deposit_nonce, next_nonce++);
            for (size_t j = 2; j < N - 1; j++)
                if (memcmp(it[i].id, t[j].id, 32) == 0) firsts[j - 2] += i == 2;
        }
        CHECK_EQ_INT(next_nonce, NDEP);
        if (round == 0)
            for (size_t i = 0; i < N; i++) memcpy(first[i], it[i].id, 32);
        for (size_t i = 0; i < N; i++) same = same && memcmp(first[i], it[i].id, 32) == 0;
        differs += !same;
    }
    /* 12! orders: 64 equal draws do not happen */
    CHECK(differs > 0);
    /* arrival order would put t[2] first every time; at least 3 of the 9 that can lead did */
    CHECK(firsts[0] < 64);
    {
        int leaders = 0;
        for (size_t j = 0; j < NPLAIN + NDEP; j++) leaders += firsts[j] > 0;
        CHECK(leaders >= 3);
    }
    /* the pool's own order (tacit_mempool_select) is unchanged: arrival among equal fees */
    CHECK_EQ_INT(tacit_mempool_select(mp, it, N), N);
    for (size_t i = 0; i < 2 + NPLAIN; i++) CHECK_MEM(it[i].id, t[i].id, 32);
    tacit_mempool_free(mp);
    free(it);
    free(t);
}

TEST(select_copies)
{
    struct ttx *t = ttx_alloc(3);
    struct tacit_mempool_item *it = items_alloc(3), *copy = items_alloc(3);
    struct tacit_mempool *mp = pool_big();

    for (size_t i = 0; i < 3; i++) {
        ttx_make(&t[i], 10 * (i + 1));
        CHECK_EQ_INT(add(mp, &t[i], NULL, NULL), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_mempool_select(mp, it, 3), 3);
    memcpy(copy, it, 3 * sizeof *it);
    /* the pool changes: remove, replace, refill; the copies do not */
    CHECK_EQ_INT(tacit_mempool_remove(mp, t[2].id, TACIT_EANCHOR, NULL, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_flush(mp, TACIT_EINVAL, NULL, NULL), 2);
    for (size_t i = 0; i < 3; i++) {
        ttx_make(&t[i], 1);
        CHECK_EQ_INT(add(mp, &t[i], NULL, NULL), TACIT_OK);
    }
    for (size_t i = 0; i < 3; i++) CHECK(item_eq(&copy[i], &it[i]));
    CHECK_EQ_INT(it[0].tx.ext.fee, 30);
    CHECK_EQ_INT(it[2].tx.ext.fee, 10);
    tacit_mempool_free(mp);
    free(copy);
    free(it);
    free(t);
}

TEST(remove_and_flush)
{
    enum { N = 20 };
    struct ttx *t = ttx_alloc(N);
    struct tacit_mempool *mp = pool_big();
    struct rec r = {0};
    struct tacit_mempool_item it;

    for (size_t i = 0; i < N; i++) {
        ttx_make(&t[i], 1 + (i % 7));
        CHECK_EQ_INT(add(mp, &t[i], rec_cb, &r), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_mempool_remove(mp, t[3].id, TACIT_EANCHOR, rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(r.n, 1);
    CHECK(rec_has(&r, t[3].id, TACIT_EANCHOR));
    CHECK_EQ_INT(tacit_mempool_remove(mp, t[3].id, TACIT_EANCHOR, rec_cb, &r), TACIT_ENOTFOUND);
    CHECK_EQ_INT(tacit_mempool_get(mp, t[3].id, &it), TACIT_ENOTFOUND);
    CHECK_EQ_INT(r.n, 1);
    CHECK(!tacit_mempool_has(mp, t[3].id));
    /* its nullifiers are free again: the same tx is admitted anew */
    CHECK_EQ_INT(add(mp, &t[3], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_remove(mp, t[3].id, TACIT_EANCHOR, NULL, NULL), TACIT_OK);

    r.n = 0;
    CHECK_EQ_INT(tacit_mempool_flush(mp, TACIT_ETIMEOUT, rec_cb, &r), N - 1);
    CHECK_EQ_INT(r.n, N - 1);
    for (size_t i = 0; i < N; i++) CHECK(rec_has(&r, t[i].id, TACIT_ETIMEOUT) == (i != 3));
    /* flush reports in arrival order */
    CHECK_MEM(r.id[0], t[0].id, 32);
    CHECK_MEM(r.id[N - 2], t[N - 1].id, 32);
    CHECK_EQ_INT(tacit_mempool_count(mp), 0);
    CHECK_EQ_INT(tacit_mempool_bytes(mp), 0);
    CHECK_EQ_INT(tacit_mempool_min_fee(mp), 0);
    CHECK_EQ_INT(tacit_mempool_flush(mp, TACIT_ETIMEOUT, rec_cb, &r), 0);
    /* usable after a flush, and the old entries are gone from every index */
    for (size_t i = 0; i < N; i++) CHECK_EQ_INT(add(mp, &t[i], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_count(mp), N);
    tacit_mempool_free(mp);
    free(t);
}

/* admin_setMinFee raised the minimum (issue 10 #4): the txs below it go, each reported with
 * EFEE_TOO_LOW; those at or above it stay, in order; their nullifiers stay taken. */
TEST(drop_below_min_fee)
{
    enum { N = 30 };
    struct ttx *t = ttx_alloc(N);
    struct tacit_mempool *mp = pool_big();
    struct rec r = {0};
    size_t below = 0;
    for (size_t i = 0; i < N; i++) {
        ttx_make(&t[i], 1 + tacit_test_rand64() % 50);
        CHECK_EQ_INT(add(mp, &t[i], NULL, NULL), TACIT_OK);
        below += t[i].tx.ext.fee < 25;
    }
    CHECK_EQ_INT(tacit_mempool_drop_below(mp, 25, TACIT_EFEE_TOO_LOW, rec_cb, &r), below);
    CHECK_EQ_INT(r.n, below);
    CHECK_EQ_INT(tacit_mempool_count(mp), N - below);
    for (size_t i = 0; i < N; i++) {
        CHECK(tacit_mempool_has(mp, t[i].id) == (t[i].tx.ext.fee >= 25));
        CHECK(rec_has(&r, t[i].id, TACIT_EFEE_TOO_LOW) == (t[i].tx.ext.fee < 25));
    }
    CHECK(tacit_mempool_count(mp) == 0 || tacit_mempool_min_fee(mp) >= 25);
    CHECK_EQ_INT(tacit_mempool_drop_below(mp, 25, TACIT_EFEE_TOO_LOW, rec_cb, &r), 0);
    CHECK_EQ_INT(tacit_mempool_drop_below(mp, 0, TACIT_EFEE_TOO_LOW, rec_cb, &r), 0);
    /* a dropped tx's nullifiers are free again; a kept one's are not */
    for (size_t i = 0; i < N; i++)
        CHECK_EQ_INT(add(mp, &t[i], NULL, NULL), t[i].tx.ext.fee < 25 ? TACIT_OK : TACIT_EEXISTS);
    CHECK_EQ_INT(tacit_mempool_drop_below(mp, UINT64_MAX, TACIT_EFEE_TOO_LOW, NULL, NULL), N);
    CHECK_EQ_INT(tacit_mempool_count(mp), 0);
    tacit_mempool_free(mp);
    free(t);
}

/* ------------------------------------------------------------ dump/restore ---- */

TEST(dump_restore)
{
    enum { N = 12 };
    struct ttx *t = ttx_alloc(N);
    struct tacit_mempool *mp = pool_big(), *mp2 = pool_big();
    struct tacit_mempool_item *a = items_alloc(N), *b = items_alloc(N);
    uint8_t *d = NULL, *bad;
    size_t len = 0, restored = 99, na;

    for (size_t i = 0; i < N; i++) {
        ttx_make(&t[i], 1 + (i % 4));
        if (i % 3 == 0) ttx_deposit(&t[i], (unsigned)i, 0, 5);
        CHECK_EQ_INT(tacit_mempool_add(mp, &t[i].tx, t[i].id, t[i].bytes, 500 + i, NULL, NULL),
                     TACIT_OK);
    }
    CHECK_EQ_INT(tacit_mempool_remove(mp, t[5].id, TACIT_EANCHOR, NULL, NULL), TACIT_OK);
    na = tacit_mempool_select(mp, a, N);
    CHECK_EQ_INT(na, N - 1);

    CHECK_EQ_INT(tacit_mempool_dump(mp, &d, &len), TACIT_OK);
    CHECK(d != NULL);
    CHECK_EQ_INT(len, 16 + (N - 1) * (8 + TACIT_TX_BYTES));
    /* records in arrival order: the first is t0 */
    CHECK_MEM(d + 16 + 8, t[0].bytes, TACIT_TX_BYTES);

    /* into a non-empty pool: refused */
    CHECK_EQ_INT(tacit_mempool_restore(mp, d, len, &restored), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_mempool_count(mp), N - 1);

    /* malformed dumps: nothing added */
    bad = malloc(len);
    memcpy(bad, d, len);
    bad[0] ^= 1;
    CHECK_EQ_INT(tacit_mempool_restore(mp2, bad, len, &restored), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_mempool_restore(mp2, d, len - 1, &restored), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_mempool_restore(mp2, d, 15, &restored), TACIT_EENCODING);
    memcpy(bad, d, len);
    bad[8] = 0xff; /* count larger than the records */
    CHECK_EQ_INT(tacit_mempool_restore(mp2, bad, len, &restored), TACIT_EENCODING);
    memcpy(bad, d, len);
    bad[16 + (N - 2) * (8 + TACIT_TX_BYTES) + 8] = 3; /* last record: version 3, unknown */
    CHECK_EQ_INT(tacit_mempool_restore(mp2, bad, len, &restored), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_mempool_count(mp2), 0);
    CHECK_EQ_INT(restored, 0);
    free(bad);

    CHECK_EQ_INT(tacit_mempool_restore(mp2, d, len, &restored), TACIT_OK);
    CHECK_EQ_INT(restored, N - 1);
    CHECK_EQ_INT(tacit_mempool_select(mp2, b, N), na);
    for (size_t i = 0; i < na; i++) CHECK(item_eq(&a[i], &b[i])); /* same txs, times, order */
    CHECK_EQ_INT(tacit_mempool_dump(mp2, &bad, &len), TACIT_OK);
    CHECK(memcmp(bad, d, len) == 0);
    free(bad);

    /* an empty pool dumps and restores too */
    free(d);
    CHECK_EQ_INT(tacit_mempool_flush(mp, TACIT_EINVAL, NULL, NULL), N - 1);
    CHECK_EQ_INT(tacit_mempool_dump(mp, &d, &len), TACIT_OK);
    CHECK_EQ_INT(len, 16);
    CHECK_EQ_INT(tacit_mempool_restore(mp, d, len, &restored), TACIT_OK);
    CHECK_EQ_INT(restored, 0);
    free(d);
    tacit_mempool_free(mp2);
    tacit_mempool_free(mp);
    free(b);
    free(a);
    free(t);
}

/* ------------------------------------------------------------- after_block ---- */

TEST(after_block_rechecks)
{
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    struct tacit_state_tip tip;
    struct gen_block g;
    struct ttx *t = ttx_alloc(8);
    struct tacit_mempool *mp = pool_big();
    struct rec r = {0};
    uint8_t included[2][32];
    char dir[512];

    CHECK_EQ_INT(gen_tmpdir(dir, sizeof dir, "mempool"), 0);
    tacit_state_options_init(&o);
    o.chain_id = 7;
    o.flags = TACIT_STATE_NOSYNC;
    CHECK_EQ_INT(tacit_state_open(&st, dir, &o), TACIT_OK);
    if (st == NULL) goto out;
    /* block 0: credits 1000 to address 0 (gen_address) and bumps its nonce to 1 */
    gen_block_make(&g, 1, 0, 2);
    CHECK_EQ_INT(tacit_state_apply_block(st, &g.u, NULL, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_state_tip(st, &tip), TACIT_OK);

    for (size_t i = 0; i < 8; i++) {
        ttx_make(&t[i], 10 + i);
        t[i].tx.pub[TACIT_TRANSFER_PUB_ROOT] = tip.digests.note_root;
        ttx_seal(&t[i]);
    }
    /* t0: nf0 spent by block 0; t1: nf1 spent; t2: unknown anchor; t3, t4: included;
     * t5: deposit with a used nonce; t6: deposit beyond the balance; t7: valid deposit */
    t[0].tx.pub[TACIT_TRANSFER_PUB_NF0] = g.nfs[1];
    ttx_seal(&t[0]);
    t[1].tx.pub[TACIT_TRANSFER_PUB_NF1] = g.nfs[3];
    ttx_seal(&t[1]);
    rand_fr(&t[2].tx.pub[TACIT_TRANSFER_PUB_ROOT]);
    ttx_seal(&t[2]);
    gen_address(t[5].tx.ext.deposit_sender, 0);
    t[5].tx.ext.deposit_amount = 1;
    t[5].tx.ext.deposit_nonce = 0;
    ttx_seal(&t[5]);
    t[6].tx.ext = t[5].tx.ext;
    t[6].tx.ext.fee = 16;
    t[6].tx.ext.deposit_nonce = 2;
    t[6].tx.ext.deposit_amount = 1001;
    ttx_seal(&t[6]);
    t[7].tx.ext = t[5].tx.ext;
    t[7].tx.ext.fee = 17;
    t[7].tx.ext.deposit_nonce = 1;
    t[7].tx.ext.deposit_amount = 1000;
    ttx_seal(&t[7]);
    for (size_t i = 0; i < 8; i++) CHECK_EQ_INT(add(mp, &t[i], rec_cb, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_count(mp), 8);

    memcpy(included[0], t[3].id, 32);
    memcpy(included[1], t[4].id, 32);
    CHECK_EQ_INT(tacit_mempool_after_block(mp, (const uint8_t(*)[32])included, 2, st, rec_cb, &r),
                 TACIT_OK);
    CHECK_EQ_INT(r.n, 5); /* the included ones are not reported */
    CHECK(rec_has(&r, t[0].id, TACIT_ENULLIFIER_SPENT));
    CHECK(rec_has(&r, t[1].id, TACIT_ENULLIFIER_SPENT));
    CHECK(rec_has(&r, t[2].id, TACIT_EANCHOR));
    CHECK(rec_has(&r, t[5].id, TACIT_ENONCE));
    CHECK(rec_has(&r, t[6].id, TACIT_EINSUFFICIENT));
    CHECK_EQ_INT(tacit_mempool_count(mp), 1);
    CHECK(tacit_mempool_has(mp, t[7].id));
    for (size_t i = 0; i < 7; i++) CHECK(!tacit_mempool_has(mp, t[i].id));
    /* again: nothing more to drop; unknown included ids are ignored */
    CHECK_EQ_INT(tacit_mempool_after_block(mp, (const uint8_t(*)[32])included, 2, st, rec_cb, &r),
                 TACIT_OK);
    CHECK_EQ_INT(r.n, 5);
    CHECK_EQ_INT(tacit_mempool_count(mp), 1);
    gen_block_free(&g);
out:
    tacit_state_close(st);
    gen_rmdir(dir);
    tacit_mempool_free(mp);
    free(t);
}

/* ---------------------------------------------------------- model (random) ---- */

/* The naive model: an array of pending txs in arrival order. */
#define M_NF 96 /* nullifier universe (at most): small, so conflicts are frequent */
#define M_MAX 64
struct m_entry {
    struct ttx t;
    uint64_t seq;
};
struct model {
    struct m_entry *e; /* M_MAX */
    size_t n, capacity;
    uint64_t seq;
};

/* index of the entry that is selected last (lowest fee, newest), or n if empty */
static size_t m_last(const struct model *m)
{
    size_t best = m->n;
    for (size_t i = 0; i < m->n; i++)
        if (best == m->n || m->e[i].t.tx.ext.fee < m->e[best].t.tx.ext.fee ||
            (m->e[i].t.tx.ext.fee == m->e[best].t.tx.ext.fee && m->e[i].seq > m->e[best].seq))
            best = i;
    return best;
}

static bool m_conflict(const struct tacit_tx *a, const struct tacit_tx *b)
{
    for (int i = TACIT_TRANSFER_PUB_NF0; i <= TACIT_TRANSFER_PUB_NF1; i++)
        for (int j = TACIT_TRANSFER_PUB_NF0; j <= TACIT_TRANSFER_PUB_NF1; j++)
            if (tacit_fr_eq(&a->pub[i], &b->pub[j])) return true;
    return a->ext.deposit_amount != 0 && b->ext.deposit_amount != 0 &&
           a->ext.deposit_nonce == b->ext.deposit_nonce &&
           memcmp(a->ext.deposit_sender, b->ext.deposit_sender, TACIT_ADDRESS_LEN) == 0;
}

static void m_erase(struct model *m, size_t i, int reason, struct rec *r)
{
    if (r != NULL) rec_cb(r, m->e[i].t.id, reason);
    memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof *m->e);
    m->n--;
}

static int m_add(struct model *m, const struct ttx *t, bool apply, struct rec *r)
{
    bool conflicts = false;
    size_t last;
    for (size_t i = 0; i < m->n; i++)
        if (memcmp(m->e[i].t.id, t->id, 32) == 0) return TACIT_EEXISTS;
    if (tacit_fr_eq(&t->tx.pub[TACIT_TRANSFER_PUB_NF0], &t->tx.pub[TACIT_TRANSFER_PUB_NF1]))
        return TACIT_ENULLIFIER_REPEATED;
    for (size_t i = 0; i < m->n; i++)
        if (m_conflict(&m->e[i].t.tx, &t->tx)) {
            conflicts = true;
            if (m->e[i].t.tx.ext.fee >= t->tx.ext.fee) return TACIT_ENULLIFIER_IN_MEMPOOL;
        }
    if (!conflicts && m->n >= m->capacity && m->e[m_last(m)].t.tx.ext.fee >= t->tx.ext.fee)
        return TACIT_EMEMPOOL_FULL;
    if (!apply) return TACIT_OK;
    for (size_t i = 0; i < m->n;)
        if (m_conflict(&m->e[i].t.tx, &t->tx))
            m_erase(m, i, TACIT_ENULLIFIER_IN_MEMPOOL, r);
        else
            i++;
    if (m->n >= m->capacity && (last = m_last(m)) < m->n) m_erase(m, last, TACIT_EMEMPOOL_FULL, r);
    m->e[m->n].t = *t;
    m->e[m->n].seq = m->seq++;
    m->n++;
    return TACIT_OK;
}

static int m_order_cmp(const void *pa, const void *pb)
{
    const struct m_entry *a = *(const struct m_entry *const *)pa,
                         *b = *(const struct m_entry *const *)pb;
    if (a->t.tx.ext.fee != b->t.tx.ext.fee) return a->t.tx.ext.fee > b->t.tx.ext.fee ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int rec_cmp(const void *pa, const void *pb)
{
    /* compares (id, reason) pairs laid out by rec_sorted */
    return memcmp(pa, pb, 36);
}

/* The reports as a sorted array of (id || reason) records, for set comparison. */
static void rec_sorted(const struct rec *r, uint8_t (*out)[36])
{
    for (size_t i = 0; i < r->n; i++) {
        memcpy(out[i], r->id[i], 32);
        memcpy(out[i] + 32, &r->reason[i], 4);
    }
    qsort(out, r->n, 36, rec_cmp);
}

static void m_compare(const struct model *m, const struct tacit_mempool *mp, size_t max,
                      struct tacit_mempool_item *it)
{
    const struct m_entry *ord[M_MAX];
    size_t n, want;
    for (size_t i = 0; i < m->n; i++) ord[i] = &m->e[i];
    qsort(ord, m->n, sizeof ord[0], m_order_cmp);
    want = max < m->n ? max : m->n;
    /* the block order: among the first want, each sender's deposits take the slots its
     * deposits hold, in nonce order (selection sort: the model stays simple) */
    for (size_t i = 0; i < want; i++) {
        const struct tacit_tx *x = &ord[i]->t.tx;
        if (x->ext.deposit_amount == 0) continue;
        for (size_t k = i + 1; k < want; k++) {
            const struct tacit_tx *y = &ord[k]->t.tx;
            if (y->ext.deposit_amount > 0 &&
                memcmp(y->ext.deposit_sender, x->ext.deposit_sender, TACIT_ADDRESS_LEN) == 0 &&
                y->ext.deposit_nonce < x->ext.deposit_nonce) {
                const struct m_entry *sw = ord[i];
                ord[i] = ord[k];
                ord[k] = sw;
                x = &ord[i]->t.tx;
            }
        }
    }
    n = tacit_mempool_select(mp, it, max);
    CHECK_EQ_INT(n, want);
    for (size_t i = 0; i < n && i < want; i++) CHECK_MEM(it[i].id, ord[i]->t.id, 32);
    CHECK_EQ_INT(tacit_mempool_count(mp), m->n);
    CHECK_EQ_INT(tacit_mempool_bytes(mp), m->n * tacit_mempool_entry_bytes());
    CHECK_EQ_INT(tacit_mempool_min_fee(mp), m->n ? m->e[m_last(m)].t.tx.ext.fee : 0);
}

TEST(model_random)
{
    int iters = tacit_test_iters(4000);
    tacit_fr *nf = calloc(M_NF, sizeof *nf);
    struct model m = {0};
    struct ttx *t = ttx_alloc(1);
    struct tacit_mempool_item *it = items_alloc(M_MAX);
    struct rec *rm = calloc(1, sizeof *rm), *rp = calloc(1, sizeof *rp);
    uint8_t(*sm)[36] = calloc(REC_MAX, 36), (*sp)[36] = calloc(REC_MAX, 36);
    struct tacit_mempool *mp;
    size_t counts[8] = {0}, nnf;

    m.e = calloc(M_MAX, sizeof *m.e);
    m.capacity = 4 + tacit_test_rand64() % 12;
    /* the capacity from the count limit or from the byte limit */
    if (tacit_test_rand64() & 1)
        mp = pool_new(m.capacity, (size_t)1 << 30);
    else
        mp = pool_new(1000, (m.capacity + 1) * tacit_mempool_entry_bytes() - 1);
    /* a full pool holds 2/3 of the universe's nullifiers: conflicts and clean arrivals both */
    nnf = 3 * m.capacity + 8;
    for (size_t i = 0; i < nnf; i++) rand_fr(&nf[i]);

    for (int k = 0; k < iters; k++) {
        unsigned op = (unsigned)(tacit_test_rand64() % 100);
        rm->n = rp->n = 0;
        if (op < 65) { /* add a new tx, or (1 in 8) one already pending */
            int want, got;
            if (m.n > 0 && tacit_test_rand64() % 8 == 0) {
                *t = m.e[tacit_test_rand64() % m.n].t;
            } else {
                size_t a = tacit_test_rand64() % nnf, b = tacit_test_rand64() % nnf;
                ttx_make(t, 1 + tacit_test_rand64() % 12);
                if (tacit_test_rand64() % 50 == 0)
                    b = a; /* now and then, a repeated nullifier */
                else
                    while (b == a) b = tacit_test_rand64() % nnf;
                t->tx.pub[TACIT_TRANSFER_PUB_NF0] = nf[a];
                t->tx.pub[TACIT_TRANSFER_PUB_NF1] = nf[b];
                ttx_seal(t);
                if (tacit_test_rand64() % 3 == 0)
                    ttx_deposit(t, (unsigned)(tacit_test_rand64() % 3), tacit_test_rand64() % 3, 1);
                else
                    rand_fr(&nf[tacit_test_rand64() % nnf]); /* keep the universe moving */
            }
            want = m_add(&m, t, false, NULL);
            CHECK_EQ_INT(tacit_mempool_check(mp, &t->tx, t->id), want);
            want = m_add(&m, t, true, rm);
            got = add(mp, t, rec_cb, rp);
            CHECK_EQ_INT(got, want);
            counts[want == TACIT_OK                      ? 0
                   : want == TACIT_EEXISTS               ? 1
                   : want == TACIT_ENULLIFIER_IN_MEMPOOL ? 2
                   : want == TACIT_EMEMPOOL_FULL         ? 3
                                                         : 4]++;
        } else if (op < 80) { /* remove a pending tx, or an unknown id */
            if (m.n > 0 && tacit_test_rand64() % 4 != 0) {
                size_t i = tacit_test_rand64() % m.n;
                uint8_t id[32];
                memcpy(id, m.e[i].t.id, 32);
                m_erase(&m, i, TACIT_EANCHOR, rm);
                CHECK_EQ_INT(tacit_mempool_remove(mp, id, TACIT_EANCHOR, rec_cb, rp), TACIT_OK);
                counts[5]++;
            } else {
                uint8_t id[32];
                tacit_test_rand_bytes(id, 32);
                CHECK_EQ_INT(tacit_mempool_remove(mp, id, TACIT_EANCHOR, rec_cb, rp),
                             TACIT_ENOTFOUND);
            }
        } else if (op < 99) { /* select some */
            m_compare(&m, mp, tacit_test_rand64() % (m.capacity + 3), it);
            counts[6]++;
        } else { /* flush */
            while (m.n > 0) m_erase(&m, 0, TACIT_EIO, rm);
            CHECK_EQ_INT(tacit_mempool_flush(mp, TACIT_EIO, rec_cb, rp), rm->n);
            counts[7]++;
        }
        CHECK_EQ_INT(rp->n, rm->n);
        if (rp->n == rm->n) {
            rec_sorted(rm, sm);
            rec_sorted(rp, sp);
            CHECK(memcmp(sm, sp, 36 * rm->n) == 0);
        }
        for (size_t i = 0; i < m.n; i++) CHECK(tacit_mempool_has(mp, m.e[i].t.id));
        m_compare(&m, mp, M_MAX, it);
    }
    /* every path was taken (at the default iteration count) */
    if (iters >= 4000)
        for (size_t i = 0; i < 8; i++) {
            if (counts[i] == 0)
                fprintf(stderr, "path %zu never taken (capacity %zu)\n", i, m.capacity);
            CHECK(counts[i] > 0);
        }

    tacit_mempool_free(mp);
    free(sp);
    free(sm);
    free(rp);
    free(rm);
    free(it);
    free(t);
    free(m.e);
    free(nf);
}

static const struct tacit_test tests[] = {
    {"limits_refused", limits_refused},
    {"order_fee_then_arrival", order_fee_then_arrival},
    {"duplicate_id", duplicate_id},
    {"repeated_nullifier", repeated_nullifier},
    {"nullifier_conflict_first_seen_wins", nullifier_conflict_first_seen_wins},
    {"deposit_conflict", deposit_conflict},
    {"count_limit_evicts_lowest", count_limit_evicts_lowest},
    {"byte_limit_evicts_lowest", byte_limit_evicts_lowest},
    {"eviction_tie_newest_first", eviction_tie_newest_first},
    {"select_deposits_in_nonce_order", select_deposits_in_nonce_order},
    {"select_block_equal_fees_random", select_block_equal_fees_random},
    {"select_copies", select_copies},
    {"remove_and_flush", remove_and_flush},
    {"drop_below_min_fee", drop_below_min_fee},
    {"dump_restore", dump_restore},
    {"after_block_rechecks", after_block_rechecks},
    {"model_random", model_random},
};
TACIT_TEST_MAIN(tests)
