/*
 * tacit — the mempool's re-check after a block by the block's delta (src/node/mempool.c,
 * tacit_mempool_after_block_delta): each rule a block can break (nullifier spent, anchor out
 * of the root history, deposit nonce used, balance gone, the pool's turnstile) drops the tx
 * with that rule's code and a valid tx stays; and a randomized run against the full re-check
 * (tacit_mempool_after_block, every tx against the committed state): over many blocks of a
 * real store with a short root history, the same txs dropped with the same codes, the same txs
 * kept, and every kept tx valid. In that run, while one thread reads the delta of the block
 * just committed (as the node's block lane does), the main thread adds txs checked against the
 * state before the block and after it (as admission does meanwhile): none is lost, and none
 * that spends what the block spent stays.
 */
#include <pthread.h>
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

#define HISTORY 3  /* root history of the store: anchors expire after 3 blocks */
#define NSENDERS 6 /* deposit senders */
#define REPORTS_MAX 4096

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

static uint64_t rnd(uint64_t n) { return n == 0 ? 0 : tacit_test_rand64() % n; }

static void ttx_seal(struct ttx *t)
{
    tacit_tx_encode(t->bytes, &t->tx);
    tacit_tx_id(t->id, &t->tx);
}

static void sender(uint8_t addr[TACIT_ADDRESS_LEN], unsigned k)
{
    memset(addr, 0, TACIT_ADDRESS_LEN);
    addr[0] = 0x5e;
    addr[19] = (uint8_t)(k + 1);
}

/* A tx with fresh nullifiers anchored at root. */
static void ttx_make(struct ttx *t, const tacit_fr *root, uint64_t fee)
{
    memset(t, 0, sizeof *t);
    t->tx.version = TACIT_TX_VERSION;
    t->tx.chain_id = 7;
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++) rand_fr(&t->tx.pub[i]);
    t->tx.pub[TACIT_TRANSFER_PUB_ROOT] = *root;
    tacit_test_rand_bytes(t->tx.proof, sizeof t->tx.proof);
    t->tx.ext.fee = fee;
    ttx_seal(t);
}

/* Removal reports: (id || reason) records. */
struct reports {
    size_t n;
    uint8_t r[REPORTS_MAX][36];
};

static void rep_cb(void *ud, const uint8_t id[32], int reason)
{
    struct reports *r = ud;
    CHECK(r->n < REPORTS_MAX);
    if (r->n >= REPORTS_MAX) return;
    memcpy(r->r[r->n], id, 32);
    memcpy(r->r[r->n] + 32, &reason, 4);
    r->n++;
}

static int rec_cmp(const void *a, const void *b) { return memcmp(a, b, 36); }

static bool rep_has(const struct reports *r, const uint8_t id[32], int reason)
{
    for (size_t i = 0; i < r->n; i++)
        if (memcmp(r->r[i], id, 32) == 0 && memcmp(r->r[i] + 32, &reason, 4) == 0) return true;
    return false;
}

static struct tacit_mempool *pool_new(void)
{
    struct tacit_mempool *mp = NULL;
    struct tacit_mempool_limits l = {100000, (size_t)4 << 30};
    CHECK_EQ_INT(tacit_mempool_new(&mp, &l), TACIT_OK);
    if (mp == NULL) abort();
    return mp;
}

static struct tacit_state *store_open(char *dir, size_t len)
{
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    CHECK_EQ_INT(gen_tmpdir(dir, len, "mpdelta"), 0);
    tacit_state_options_init(&o);
    o.chain_id = 7;
    o.root_history = HISTORY;
    o.flags = TACIT_STATE_NOSYNC;
    CHECK_EQ_INT(tacit_state_open(&st, dir, &o), TACIT_OK);
    return st;
}

/* Commits the next block: nullifiers nfs[0..nnf), ncm fresh commitments, account deltas. */
static int commit(struct tacit_state *st, const tacit_fr *nfs, size_t nnf, size_t ncm,
                  const struct tacit_account_delta *d, size_t nd)
{
    struct tacit_state_tip tip;
    struct tacit_block_update u;
    tacit_fr cms[8];
    uint8_t block[16];
    int rc;

    if ((rc = tacit_state_tip(st, &tip)) != TACIT_OK) return rc;
    memset(&u, 0, sizeof u);
    for (size_t i = 0; i < ncm && i < 8; i++) rand_fr(&cms[i]);
    tacit_test_rand_bytes(block, sizeof block);
    u.height = tip.next_height;
    tacit_test_rand_bytes(u.hash, 32);
    u.block = block;
    u.block_len = sizeof block;
    u.commitments = cms;
    u.ncommitments = ncm < 8 ? ncm : 8;
    u.nullifiers = nfs;
    u.nnullifiers = nnf;
    u.deltas = d;
    u.ndeltas = nd;
    return tacit_state_apply_block(st, &u, NULL, NULL);
}

/* ------------------------------------------------------------ each rule ---- */

TEST(delta_drops_each_rule)
{
    char dir[512];
    struct tacit_state *st = store_open(dir, sizeof dir);
    struct tacit_mempool *mp = pool_new();
    struct tacit_mempool_delta d;
    struct tacit_state_digests dg;
    struct reports *r = calloc(1, sizeof *r);
    struct ttx *t = calloc(10, sizeof *t), *blk = calloc(2, sizeof *blk);
    const struct tacit_tx *btx[2];
    struct tacit_account_delta fund[2], spend[2];
    tacit_fr root0, root1, bnf[4];
    uint8_t included[1][32];

    if (st == NULL || r == NULL || t == NULL || blk == NULL) goto out;
    /* block 0: the pool holds 100, sender 0 holds 50 (nonce 0); root0 */
    memset(fund, 0, sizeof fund);
    memcpy(fund[0].address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN);
    fund[0].credit = 100;
    sender(fund[1].address, 0);
    fund[1].credit = 50;
    CHECK_EQ_INT(commit(st, NULL, 0, 2, fund, 2), TACIT_OK);
    CHECK_EQ_INT(tacit_state_digests_at(st, 0, &dg), TACIT_OK);
    root0 = dg.note_root;
    /* blocks 1, 2: new roots, root0 still recent (3 blocks of history) */
    CHECK_EQ_INT(commit(st, NULL, 0, 2, NULL, 0), TACIT_OK);
    CHECK_EQ_INT(commit(st, NULL, 0, 2, NULL, 0), TACIT_OK);
    CHECK_EQ_INT(tacit_state_digests_at(st, 2, &dg), TACIT_OK);
    root1 = dg.note_root;

    /* The block: blk[0], sender 0's deposit of 40 with nonce 0 (not from this pool), and
     * blk[1] = t9, a pending withdrawal of 50 (included). After it: sender 0 has nonce 1 and
     * 10; the pool 100 + 40 - 50 = 90; root0 leaves the history.
     * t0, t1: spend blk[0]'s nf0, nf1; t2: anchored at root0; t3: sender 0's nonce 0; t4:
     * sender 0's nonce 2 for 40; t5: needs 85 + 6 of the pool; t6: needs 43 + 7 (kept); t7:
     * sender 0's nonce 1 for 10 (kept); t8: plain (kept). */
    for (size_t i = 0; i < 10; i++) ttx_make(&t[i], &root1, 1 + i);
    ttx_make(&blk[0], &root1, 0);
    blk[0].tx.ext.deposit_amount = 40;
    sender(blk[0].tx.ext.deposit_sender, 0);
    ttx_seal(&blk[0]);
    ttx_make(&blk[1], &root1, 0);
    blk[1].tx.ext.withdrawal_amount = 50;
    ttx_seal(&blk[1]);
    t[9] = blk[1];
    t[0].tx.pub[TACIT_TRANSFER_PUB_NF0] = blk[0].tx.pub[TACIT_TRANSFER_PUB_NF0];
    t[1].tx.pub[TACIT_TRANSFER_PUB_NF1] = blk[0].tx.pub[TACIT_TRANSFER_PUB_NF1];
    t[2].tx.pub[TACIT_TRANSFER_PUB_ROOT] = root0;
    for (int k = 3; k <= 7; k += 4) {
        sender(t[k].tx.ext.deposit_sender, 0);
        t[k].tx.ext.deposit_nonce = k == 3 ? 0 : 1;
        t[k].tx.ext.deposit_amount = k == 3 ? 40 : 10;
    }
    sender(t[4].tx.ext.deposit_sender, 0);
    t[4].tx.ext.deposit_nonce = 2; /* nonce 1 is t7's: (sender, nonce) is unique in the pool */
    t[4].tx.ext.deposit_amount = 40;
    t[5].tx.ext.withdrawal_amount = 85; /* + fee 6 */
    t[6].tx.ext.withdrawal_amount = 43; /* + fee 7 */
    for (size_t i = 0; i < 10; i++) {
        if (i != 9) ttx_seal(&t[i]);
        CHECK_EQ_INT(tacit_tx_check_state_store(st, &t[i].tx), TACIT_OK);
        CHECK_EQ_INT(tacit_mempool_add(mp, &t[i].tx, t[i].id, t[i].bytes, 1, rep_cb, r), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_mempool_count(mp), 10);
    CHECK_EQ_INT(r->n, 0);

    /* block 3 */
    for (int i = 0; i < 2; i++) {
        bnf[2 * i] = blk[i].tx.pub[TACIT_TRANSFER_PUB_NF0];
        bnf[2 * i + 1] = blk[i].tx.pub[TACIT_TRANSFER_PUB_NF1];
        btx[i] = &blk[i].tx;
    }
    memset(spend, 0, sizeof spend);
    sender(spend[0].address, 0);
    spend[0].debit = 40;
    spend[0].nonce_add = 1;
    memcpy(spend[1].address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN);
    spend[1].credit = 40;
    spend[1].debit = 50;
    CHECK_EQ_INT(commit(st, bnf, 4, 2, spend, 2), TACIT_OK);
    CHECK_EQ_INT(tacit_mempool_delta_make(&d, st, btx, 2), TACIT_OK);
    CHECK_EQ_INT(d.height, 3);
    CHECK(d.anchor_expired);
    CHECK(tacit_fr_eq(&d.expired_anchor, &root0));
    memcpy(included[0], t[9].id, 32);
    CHECK_EQ_INT(
        tacit_mempool_after_block_delta(mp, (const uint8_t(*)[32])included, 1, &d, st, rep_cb, r),
        TACIT_OK);
    CHECK(rep_has(r, t[0].id, TACIT_ENULLIFIER_SPENT));
    CHECK(rep_has(r, t[1].id, TACIT_ENULLIFIER_SPENT));
    CHECK(rep_has(r, t[2].id, TACIT_EANCHOR));
    CHECK(rep_has(r, t[3].id, TACIT_ENONCE));
    CHECK(rep_has(r, t[4].id, TACIT_EINSUFFICIENT));
    CHECK(rep_has(r, t[5].id, TACIT_ETURNSTILE));
    CHECK_EQ_INT(r->n, 6); /* the included one is not reported */
    CHECK_EQ_INT(tacit_mempool_count(mp), 3);
    for (size_t i = 6; i <= 8; i++) {
        CHECK(tacit_mempool_has(mp, t[i].id));
        CHECK_EQ_INT(tacit_tx_check_state_store(st, &t[i].tx), TACIT_OK);
    }
    /* the reference says the same of every tx but the included one */
    for (size_t i = 0; i < 9; i++) {
        int want = tacit_tx_check_state_store(st, &t[i].tx);
        CHECK_EQ_INT(tacit_mempool_delta_verdict(&d, &t[i].tx), want);
        CHECK(want == TACIT_OK ? tacit_mempool_has(mp, t[i].id) : rep_has(r, t[i].id, want));
    }
    tacit_mempool_delta_clear(&d);
out:
    free(blk);
    free(t);
    free(r);
    tacit_mempool_free(mp);
    tacit_state_close(st);
    gen_rmdir(dir);
}

/* ------------------------------------------------- random, against the full ---- */

struct world {
    struct tacit_state *st;
    tacit_fr roots[64]; /* root after block h, for the last blocks (h % 64) */
    uint64_t next;
};

static int account(struct tacit_state *st, const uint8_t a[TACIT_ADDRESS_LEN], uint64_t *bal,
                   uint64_t *nonce)
{
    struct tacit_account acct;
    int rc = tacit_state_account(st, a, &acct);
    *bal = acct.balance;
    *nonce = acct.nonce;
    return rc;
}

/* A random tx, valid against the state or not (the caller checks): anchored at a root of the
 * last HISTORY + 2 blocks, a deposit, a withdrawal, both or neither. */
static void random_tx(struct ttx *t, const struct world *w)
{
    uint64_t back = rnd(3) == 0 ? rnd(HISTORY + 2) : 0, bal, nonce;
    uint64_t h = w->next - 1 - (back < w->next ? back : 0);
    uint64_t pool;

    ttx_make(t, &w->roots[h % 64], rnd(4));
    if (rnd(3) == 0) {
        unsigned k = (unsigned)rnd(NSENDERS);
        sender(t->tx.ext.deposit_sender, k);
        (void)account(w->st, t->tx.ext.deposit_sender, &bal, &nonce);
        t->tx.ext.deposit_nonce = nonce + rnd(3);
        t->tx.ext.deposit_amount = 1 + rnd(bal / 2 + 2);
    }
    if (rnd(3) == 0) {
        (void)account(w->st, TACIT_POOL_ADDRESS, &pool, &nonce);
        t->tx.ext.withdrawal_amount = 1 + rnd(pool / 2 + 2);
    }
    ttx_seal(t);
}

struct delta_thread {
    struct tacit_state *st;
    const struct tacit_tx *const *txs;
    size_t n;
    struct tacit_mempool_delta d;
    int rc;
};

static void *delta_run(void *arg)
{
    struct delta_thread *dt = arg;
    dt->rc = tacit_mempool_delta_make(&dt->d, dt->st, dt->txs, dt->n);
    return NULL;
}

/* Adds t to both pools if it passes the state rules now; both must answer the same. */
static void add_both(struct tacit_mempool *a, struct tacit_mempool *b, const struct ttx *t,
                     struct reports *ra, struct reports *rb)
{
    int rca = tacit_mempool_add(a, &t->tx, t->id, t->bytes, 1, rep_cb, ra);
    CHECK_EQ_INT(tacit_mempool_add(b, &t->tx, t->id, t->bytes, 1, rep_cb, rb), rca);
}

TEST(delta_matches_full_random)
{
    char dir[512];
    struct world w = {0};
    struct tacit_mempool *a = pool_new(), *b = pool_new();
    struct reports *ra = calloc(1, sizeof *ra), *rb = calloc(1, sizeof *rb);
    struct ttx *cand = calloc(64, sizeof *cand), *blk = calloc(8, sizeof *blk);
    struct tacit_mempool_item *items = calloc(4096, sizeof *items);
    struct tacit_account_delta fund[NSENDERS + 1];
    struct tacit_state_digests dg;
    size_t dropped = 0, kept = 0, during = 0, reasons[8] = {0};

    w.st = store_open(dir, sizeof dir);
    if (w.st == NULL || ra == NULL || rb == NULL || cand == NULL || blk == NULL || items == NULL)
        goto out;
    memset(fund, 0, sizeof fund);
    for (unsigned k = 0; k < NSENDERS; k++) {
        sender(fund[k].address, k);
        fund[k].credit = 1000;
    }
    memcpy(fund[NSENDERS].address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN);
    fund[NSENDERS].credit = 5000;
    CHECK_EQ_INT(commit(w.st, NULL, 0, 2, fund, NSENDERS + 1), TACIT_OK);
    CHECK_EQ_INT(tacit_state_digests_at(w.st, 0, &dg), TACIT_OK);
    w.roots[0] = dg.note_root;
    w.next = 1;

    for (int round = 0; round < 120; round++) {
        const struct tacit_tx *btx[8];
        struct tacit_account_delta d[8];
        tacit_fr nfs[16];
        uint8_t included[8][32];
        size_t nb = 0, nd = 0, ninc = 0, npend, nold = 0;
        struct delta_thread dt;
        pthread_t th;
        int rca, rcb;

        /* the pools get txs valid against the state */
        for (int i = 0; i < 12; i++) {
            struct ttx t;
            random_tx(&t, &w);
            if (tacit_tx_check_state_store(w.st, &t.tx) == TACIT_OK) add_both(a, b, &t, ra, rb);
        }
        /* and some valid now, added only after the block commits (admitted while its delta is
         * read: checked against the state before it) */
        for (int i = 0; i < 6; i++) {
            random_tx(&cand[nold], &w);
            if (tacit_tx_check_state_store(w.st, &cand[nold].tx) == TACIT_OK) nold++;
        }
        /* the block: some pending txs (included), some with a nullifier of a pending tx or of
         * one admitted meanwhile (another spender), fresh ones; deposits and withdrawals */
        npend = tacit_mempool_select(a, items, 4096);
        for (size_t i = 0; i < 3 && npend > 0; i++) {
            size_t k = (size_t)rnd(npend);
            bool dup = false;
            for (size_t j = 0; j < ninc; j++) dup |= memcmp(included[j], items[k].id, 32) == 0;
            if (dup || items[k].tx.ext.deposit_amount > 0 || items[k].tx.ext.withdrawal_amount > 0)
                continue; /* the accounts' deltas below are the block's other txs */
            memcpy(blk[nb].id, items[k].id, 32);
            blk[nb].tx = items[k].tx;
            memcpy(included[ninc++], items[k].id, 32);
            nb++;
        }
        for (int i = 0; i < 2; i++) { /* another spender of a pending or a meanwhile nullifier */
            const struct tacit_tx *src = NULL;
            if (npend > 0 && rnd(2) == 0) src = &items[rnd(npend)].tx;
            if (src == NULL && nold > 0) src = &cand[rnd(nold)].tx;
            ttx_make(&blk[nb], &w.roots[(w.next - 1) % 64], 0);
            if (src != NULL)
                blk[nb].tx.pub[TACIT_TRANSFER_PUB_NF0 + rnd(2)] =
                    src->pub[TACIT_TRANSFER_PUB_NF0 + rnd(2)];
            /* not spent already, not twice in the block */
            bool ok = !tacit_fr_eq(&blk[nb].tx.pub[TACIT_TRANSFER_PUB_NF0],
                                   &blk[nb].tx.pub[TACIT_TRANSFER_PUB_NF1]);
            for (size_t j = 0; j < nb && ok; j++)
                for (int x = 0; x < 2; x++)
                    for (int y = 0; y < 2; y++)
                        ok &= !tacit_fr_eq(&blk[j].tx.pub[TACIT_TRANSFER_PUB_NF0 + x],
                                           &blk[nb].tx.pub[TACIT_TRANSFER_PUB_NF0 + y]);
            if (ok) nb++;
        }
        memset(d, 0, sizeof d);
        for (size_t i = 0; i < 2; i++) { /* deposits of the block (the txs before carry none) */
            unsigned k = (unsigned)rnd(NSENDERS);
            uint64_t bal, nonce;
            bool dup = false;
            sender(d[nd].address, k);
            for (size_t j = 0; j < nd; j++) dup |= memcmp(d[j].address, d[nd].address, 20) == 0;
            if (dup) continue;
            (void)account(w.st, d[nd].address, &bal, &nonce);
            d[nd].debit = rnd(bal + 1);
            d[nd].nonce_add = 1 + rnd(2);
            if (nb < 8) { /* the deposit's tx carries its sender */
                ttx_make(&blk[nb], &w.roots[(w.next - 1) % 64], 0);
                memcpy(blk[nb].tx.ext.deposit_sender, d[nd].address, TACIT_ADDRESS_LEN);
                blk[nb].tx.ext.deposit_amount = 1;
                nb++;
                nd++;
            }
        }
        if (rnd(3) == 0) { /* a credit to a sender: balances only rise (no tx of its own) */
            sender(d[nd].address, (unsigned)rnd(NSENDERS));
            bool dup = false;
            for (size_t j = 0; j < nd; j++) dup |= memcmp(d[j].address, d[nd].address, 20) == 0;
            if (!dup) d[nd++].credit = 1 + rnd(300);
        }
        { /* the pool: withdrawals (down) or deposits (up) */
            uint64_t pool, nonce;
            (void)account(w.st, TACIT_POOL_ADDRESS, &pool, &nonce);
            memcpy(d[nd].address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN);
            if (rnd(2) == 0)
                d[nd].debit = rnd(pool * 3 / 4 + 1);
            else
                d[nd].credit = rnd(400);
            nd++;
        }
        for (size_t i = 0; i < nb; i++) {
            nfs[2 * i] = blk[i].tx.pub[TACIT_TRANSFER_PUB_NF0];
            nfs[2 * i + 1] = blk[i].tx.pub[TACIT_TRANSFER_PUB_NF1];
            btx[i] = &blk[i].tx;
        }
        /* no commitment now and then: the root stays, and comes back into the history */
        CHECK_EQ_INT(commit(w.st, nfs, 2 * nb, rnd(3) == 0 ? 0 : 2, d, nd), TACIT_OK);
        CHECK_EQ_INT(tacit_state_digests_at(w.st, w.next, &dg), TACIT_OK);
        w.roots[w.next % 64] = dg.note_root;
        w.next++;

        /* the delta on another thread, while txs are admitted on this one: those checked
         * before the block, and new ones checked after it */
        dt.st = w.st;
        dt.txs = btx;
        dt.n = nb;
        memset(&dt.d, 0, sizeof dt.d);
        CHECK_EQ_INT(pthread_create(&th, NULL, delta_run, &dt), 0);
        for (size_t i = 0; i < nold; i++) add_both(a, b, &cand[i], ra, rb);
        for (int i = 0; i < 4; i++) {
            struct ttx t;
            random_tx(&t, &w);
            if (tacit_tx_check_state_store(w.st, &t.tx) == TACIT_OK) add_both(a, b, &t, ra, rb);
        }
        pthread_join(th, NULL);
        CHECK_EQ_INT(dt.rc, TACIT_OK);
        during += nold;
        /* the verdict of a tx checked before the block is the state rules' after it */
        for (size_t i = 0; i < nold; i++)
            CHECK_EQ_INT(tacit_mempool_delta_verdict(&dt.d, &cand[i].tx),
                         tacit_tx_check_state_store(w.st, &cand[i].tx));

        ra->n = rb->n = 0;
        rca = tacit_mempool_after_block(a, (const uint8_t(*)[32])included, ninc, w.st, rep_cb, ra);
        rcb = tacit_mempool_after_block_delta(b, (const uint8_t(*)[32])included, ninc, &dt.d, w.st,
                                              rep_cb, rb);
        CHECK_EQ_INT(rca, TACIT_OK);
        CHECK_EQ_INT(rcb, TACIT_OK);
        tacit_mempool_delta_clear(&dt.d);
        /* the same drops with the same codes, the same txs kept in the same order */
        CHECK_EQ_INT(rb->n, ra->n);
        qsort(ra->r, ra->n, 36, rec_cmp);
        qsort(rb->r, rb->n, 36, rec_cmp);
        if (ra->n == rb->n) CHECK(memcmp(ra->r, rb->r, 36 * ra->n) == 0);
        for (size_t i = 0; i < rb->n; i++) {
            int reason;
            memcpy(&reason, rb->r[i] + 32, 4);
            reasons[reason == TACIT_EANCHOR            ? 0
                    : reason == TACIT_ENULLIFIER_SPENT ? 1
                    : reason == TACIT_ENONCE           ? 2
                    : reason == TACIT_EINSUFFICIENT    ? 3
                    : reason == TACIT_ETURNSTILE       ? 4
                                                       : 5]++;
        }
        dropped += rb->n;
        {
            size_t na = tacit_mempool_select(a, items, 4096);
            struct tacit_mempool_item *ib = calloc(4096, sizeof *ib);
            size_t nbb = ib != NULL ? tacit_mempool_select(b, ib, 4096) : 0;
            CHECK_EQ_INT(nbb, na);
            for (size_t i = 0; i < na && i < nbb; i++) {
                CHECK_MEM(ib[i].id, items[i].id, 32);
                CHECK_EQ_INT(tacit_tx_check_state_store(w.st, &ib[i].tx), TACIT_OK);
            }
            kept = na;
            free(ib);
        }
        /* the pools must not grow without bound: the oldest go, as in a block */
        if (tacit_mempool_count(a) > 150) {
            size_t n = tacit_mempool_select(a, items, 60);
            for (size_t i = 0; i < n; i++) {
                CHECK_EQ_INT(tacit_mempool_remove(a, items[i].id, TACIT_OK, NULL, NULL), TACIT_OK);
                CHECK_EQ_INT(tacit_mempool_remove(b, items[i].id, TACIT_OK, NULL, NULL), TACIT_OK);
            }
        }
    }
    /* the run met every rule (else it tested less than it says) */
    for (int i = 0; i < 5; i++) CHECK(reasons[i] > 0);
    CHECK_EQ_INT(reasons[5], 0);
    CHECK(during > 0);
    printf("  %zu dropped (anchor %zu, nullifier %zu, nonce %zu, balance %zu, turnstile %zu), "
           "%zu kept at the end, %zu admitted while a delta was read\n",
           dropped, reasons[0], reasons[1], reasons[2], reasons[3], reasons[4], kept, during);
out:
    free(items);
    free(blk);
    free(cand);
    free(rb);
    free(ra);
    tacit_mempool_free(b);
    tacit_mempool_free(a);
    tacit_state_close(w.st);
    gen_rmdir(dir);
}

static const struct tacit_test tests[] = {
    {"delta_drops_each_rule", delta_drops_each_rule},
    {"delta_matches_full_random", delta_matches_full_random},
};
TACIT_TEST_MAIN(tests)
