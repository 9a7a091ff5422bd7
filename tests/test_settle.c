/*
 * tacit — settlement on L1 (src/node/settle_step.c, settle.c; include/tacit/settle.h) against
 * an in-memory L1: a fake settler with a pool, blocks mined on demand, a contract that takes
 * block heights in order, a message queue, and failure switches (down, dropped transactions,
 * lost answers, a crash before the send, a revert, a nonce taken, a reorg).
 *
 * The step tests drive tacit__settle_step on a real store of empty blocks, closing and opening
 * the store again where a crash would come; the node test runs tacit_node_run in a thread (not
 * a devnet: a synthetic verifying key, the Unix socket) with the fake settler and checks what
 * the RPC, /metrics and /health say, and that credits come only from the queue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "node/node_internal.h"
#include "state_gen.h" /* gen_tmpdir */
#include "tacit/bn254.h"
#include "tacit/chain.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/keccak.h"
#include "tacit/rollup.h"
#include "tacit/rpc.h"
#include "tacit/settle.h"
#include "tacit/tree.h"
#include "tacit/util.h"
#include "zk/groth16_synth.h"

/* ------------------------------------------------------------- the fake L1 ---- */

#define FAKE_MAX_TX 256
#define FAKE_MAX_MSG 64

struct ftx {
    uint8_t hash[32];
    uint64_t height, nonce;
    unsigned fee;          /* a replacement (same nonce) needs a higher one */
    uint8_t parent[32];    /* the contract's blockHash it extends */
    unsigned part, nparts; /* a block in parts: which part (nparts 0: whole) */
    int where; /* 0 pool, 1 mined, -1 gone (dropped / reorged out, unknown to the node) */
    bool reverted;
    uint64_t block, gas;
    char reason[64];
    unsigned ncredits; /* the block's credits: the contract checks them against its queue */
    struct tacit_credit credits[4];
};

#define FAKE_MAX_BLOCKS 1024

struct fake {
    pthread_mutex_t mu;
    uint64_t latest;
    uint64_t final_lag;     /* finalized = latest - final_lag */
    uint64_t nonce_next;    /* prepare takes it */
    uint64_t contract_next; /* the contract's next height */
    uint8_t chain[32];      /* the contract's blockHash */
    struct ftx tx[FAKE_MAX_TX];
    size_t ntx;
    bool nonce_used[FAKE_MAX_TX]; /* by a mined transaction */
    struct tacit_settle_message msg[FAKE_MAX_MSG];
    size_t nmsg;
    uint64_t queue_head;              /* the contract's: entries consumed by blocks */
    uint32_t gen[FAKE_MAX_BLOCKS];    /* an L1 block's hash is H(number, gen): a reorg bumps it */
    struct ftx prepared[FAKE_MAX_TX]; /* the credits of each prepared transaction, by hash */
    size_t nprepared;
    unsigned queue_hash_calls;
    /* switches */
    bool down;
    bool drop_next;         /* the next send "succeeds" but the transaction is lost */
    bool lose_answer;       /* the next send arrives, its answer is lost (EL1_UNREACHABLE) */
    bool crash_send;        /* the next send never happens (a crash after the record): EIO */
    int64_t revert_height;  /* a submission of this height reverts (-1: none) */
    unsigned delay_ms;      /* heads answers this late (a slow L1) */
    unsigned fee_cap;       /* bump refuses past it (0: no cap) */
    unsigned prepare_takes; /* L1 blocks mined (empty) while prepare proves */
    unsigned base_fee;      /* send refuses a lower fee as underpriced (the base fee rose) */
    unsigned market_fee;    /* prepare's fee (0: 1) */
    int mine_after_lookups; /* > 0: an L1 block is mined right after that many more lookups
                             * (receipts seen in the middle of a step) */
    int64_t estimate_revert_height; /* prepare refuses this height: the estimate reverts */
    int64_t parts_height;           /* plan: this height goes in parts_n parts (-1: none) */
    int64_t toobig_height;          /* prepare: this height's estimate is above the cap */
    unsigned parts_n;
    unsigned partial_next; /* the contract's block in parts: its parts in so far */
    unsigned estimates_refused;
    bool open; /* is_open: the contract takes blocks from anyone */
    /* counts */
    unsigned prepares, sends, lookups, bumps, underpriced;
};

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->latest = 100;
    f->final_lag = 2;
    f->revert_height = -1;
    f->estimate_revert_height = -1;
    f->parts_height = -1;
    f->toobig_height = -1;
}

static struct ftx *fake_find(struct fake *f, const uint8_t hash[32])
{
    for (size_t i = 0; i < f->ntx; i++)
        if (memcmp(f->tx[i].hash, hash, 32) == 0) return &f->tx[i];
    return NULL;
}

/* raw = "TX" ‖ u64 height ‖ u64 nonce ‖ u8 fee ‖ u8 part ‖ u8 nparts ‖ parent (32) ‖ hash (32),
 * hash over the rest */
#define RAW_LEN (2 + 8 + 8 + 1 + 2 + 32 + 32)
#define RAW_PARENT 21
#define RAW_HASH (RAW_LEN - 32)

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t raw_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

/* The fake contract's hash chain: H(parent ‖ height). */
static void fake_chain_next(uint8_t out[32], const uint8_t parent[32], uint64_t height)
{
    uint8_t buf[40];
    memcpy(buf, parent, 32);
    put_u64(buf + 32, height);
    crypto_generichash(out, 32, buf, sizeof buf, NULL, 0);
}

static uint8_t *fake_raw(uint64_t height, uint64_t nonce, unsigned fee, unsigned part,
                         unsigned nparts, const uint8_t parent[32], uint8_t hash[32])
{
    uint8_t *raw = malloc(RAW_LEN);
    raw[0] = 'T';
    raw[1] = 'X';
    put_u64(raw + 2, height);
    put_u64(raw + 10, nonce);
    raw[18] = (uint8_t)fee;
    raw[19] = (uint8_t)part;
    raw[20] = (uint8_t)nparts;
    memcpy(raw + RAW_PARENT, parent, 32);
    crypto_generichash(raw + RAW_HASH, 32, raw, RAW_HASH, NULL, 0);
    memcpy(hash, raw + RAW_HASH, 32);
    return raw;
}

static int f_prepare(void *ctx, const struct tacit_settle_submission *s, uint8_t hash[32],
                     uint8_t **raw, size_t *raw_len, char reason[TACIT_SETTLE_REASON_MAX])
{
    struct fake *f = ctx;
    struct tacit_block *b;
    uint8_t parent[32];
    pthread_mutex_lock(&f->mu);
    if (f->down) {
        pthread_mutex_unlock(&f->mu);
        return TACIT_EL1_UNREACHABLE;
    }
    /* as the contract client: the contract's own parent at its height, the node's behind it */
    if (s->height < f->contract_next || (s->height > f->contract_next && s->parent == NULL)) {
        pthread_mutex_unlock(&f->mu);
        return TACIT_EBUSY;
    }
    /* a part: the contract at the block, the parts before it in (as partialBlock() says) */
    if (s->nparts > 1 && (s->height != f->contract_next || s->parent != NULL ||
                          s->part != f->partial_next || s->chain_out != NULL)) {
        pthread_mutex_unlock(&f->mu);
        return TACIT_EBUSY;
    }
    memcpy(parent, s->height == f->contract_next ? f->chain : s->parent, 32);
    if ((int64_t)s->height == f->estimate_revert_height) {
        snprintf(reason, TACIT_SETTLE_REASON_MAX, "Error(string): (\"bad anchor\")");
        f->estimates_refused++;
        pthread_mutex_unlock(&f->mu);
        return TACIT_EL1_REVERTED;
    }
    if ((int64_t)s->height == f->toobig_height) {
        pthread_mutex_unlock(&f->mu);
        return TACIT_ETOOBIG;
    }
    /* the block's bytes are the block of that height */
    if (tacit_block_decode(&b, s->block, s->block_len) != TACIT_OK ||
        b->header.height != s->height) {
        tacit_block_free(b);
        pthread_mutex_unlock(&f->mu);
        return TACIT_EINVAL;
    }
    f->latest += f->prepare_takes;
    *raw = fake_raw(s->height, f->nonce_next, f->market_fee ? f->market_fee : 1, s->part, s->nparts,
                    parent, hash);
    if (f->nprepared < FAKE_MAX_TX && b->ncredits <= 4) {
        struct ftx *pc = &f->prepared[f->nprepared++];
        memcpy(pc->hash, hash, 32);
        pc->ncredits = (unsigned)b->ncredits;
        if (b->ncredits > 0) memcpy(pc->credits, b->credits, b->ncredits * sizeof *b->credits);
    }
    tacit_block_free(b);
    *raw_len = RAW_LEN;
    if (s->chain_out != NULL) fake_chain_next(s->chain_out, parent, s->height);
    f->nonce_next++;
    f->prepares++;
    pthread_mutex_unlock(&f->mu);
    return TACIT_OK;
}

static int f_bump(void *ctx, const uint8_t *raw, size_t len, uint8_t hash[32], uint8_t **out,
                  size_t *out_len)
{
    struct fake *f = ctx;
    int rc = TACIT_OK;
    CHECK(len == RAW_LEN && raw[0] == 'T');
    pthread_mutex_lock(&f->mu);
    if (f->down) {
        rc = TACIT_EL1_UNREACHABLE;
    } else if (f->fee_cap > 0 && raw[18] + 1u > f->fee_cap) {
        rc = TACIT_EL1_FEE_CAP;
    } else {
        *out = fake_raw(raw_u64(raw + 2), raw_u64(raw + 10), raw[18] + 1u, raw[19], raw[20],
                        raw + RAW_PARENT, hash);
        *out_len = RAW_LEN;
        f->bumps++;
        for (size_t i = 0; i < f->nprepared && f->nprepared < FAKE_MAX_TX; i++)
            if (memcmp(f->prepared[i].hash, raw + RAW_HASH, 32) == 0) {
                f->prepared[f->nprepared] = f->prepared[i];
                memcpy(f->prepared[f->nprepared++].hash, hash, 32);
                break;
            }
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static int f_send(void *ctx, const uint8_t *raw, size_t len)
{
    struct fake *f = ctx;
    struct ftx *t;
    uint64_t nonce;
    int rc = TACIT_OK;
    pthread_mutex_lock(&f->mu);
    if (f->down) {
        rc = TACIT_EL1_UNREACHABLE;
        goto out;
    }
    if (f->crash_send) {
        f->crash_send = false;
        rc = TACIT_EIO;
        goto out;
    }
    if (len != RAW_LEN || raw[0] != 'T') {
        rc = TACIT_EINVAL;
        goto out;
    }
    f->sends++;
    if ((t = fake_find(f, raw + RAW_HASH)) != NULL && t->where >= 0) goto out; /* already known */
    if (raw[18] < f->base_fee) {
        f->underpriced++;
        rc = TACIT_EL1_UNDERPRICED;
        goto out;
    }
    nonce = raw_u64(raw + 10);
    if (nonce < FAKE_MAX_TX && f->nonce_used[nonce]) {
        rc = TACIT_EL1_NONCE_TOO_LOW;
        goto out;
    }
    /* the pool keeps one transaction per nonce: a replacement must pay more */
    for (size_t i = 0; i < f->ntx; i++) {
        struct ftx *o = &f->tx[i];
        if (o->where != 0 || o->nonce != nonce) continue;
        if (o->fee >= raw[18]) {
            f->underpriced++;
            rc = TACIT_EL1_UNDERPRICED;
            goto out;
        }
        o->where = -1; /* replaced: the node forgets it */
    }
    if (t == NULL) {
        t = &f->tx[f->ntx++];
        memset(t, 0, sizeof *t);
        memcpy(t->hash, raw + RAW_HASH, 32);
        t->height = raw_u64(raw + 2);
        t->nonce = nonce;
        t->fee = raw[18];
        t->part = raw[19];
        t->nparts = raw[20];
        memcpy(t->parent, raw + RAW_PARENT, 32);
        for (size_t i = 0; i < f->nprepared; i++)
            if (memcmp(f->prepared[i].hash, t->hash, 32) == 0) {
                t->ncredits = f->prepared[i].ncredits;
                memcpy(t->credits, f->prepared[i].credits, sizeof t->credits);
            }
    }
    t->where = 0;
    if (f->drop_next) {
        f->drop_next = false;
        t->where = -1;
    }
    if (f->lose_answer) {
        f->lose_answer = false;
        rc = TACIT_EL1_UNREACHABLE;
    }
out:
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static void fake_mine_locked(struct fake *f);

/* The fake L1's block hashes: H(number ‖ generation). */
static void fake_block_hash(struct fake *f, uint64_t number, uint8_t out[32])
{
    uint8_t buf[12];
    put_u64(buf, number);
    memcpy(buf + 8, &f->gen[number % FAKE_MAX_BLOCKS], 4);
    crypto_generichash(out, 32, buf, sizeof buf, NULL, 0);
}

/* The fake contract's queue hash through `count` entries (zeros past the queue's end). */
static void fake_queue_hash(struct fake *f, uint64_t count, uint8_t out[32])
{
    memset(out, 0, 32);
    if (count > f->nmsg) return;
    for (uint64_t i = 0; i < count; i++) {
        uint8_t buf[32 + 20 + 8];
        memcpy(buf, out, 32);
        memcpy(buf + 32, f->msg[i].credit.address, 20);
        put_u64(buf + 52, f->msg[i].credit.amount);
        crypto_generichash(out, 32, buf, sizeof buf, NULL, 0);
    }
}

static int f_lookup(void *ctx, const uint8_t hash[32], const uint8_t *raw, size_t raw_len,
                    struct tacit_settle_receipt *out)
{
    struct fake *f = ctx;
    struct ftx *t;
    CHECK(raw != NULL && raw_len == RAW_LEN);
    pthread_mutex_lock(&f->mu);
    if (f->down) {
        pthread_mutex_unlock(&f->mu);
        return TACIT_EL1_UNREACHABLE;
    }
    f->lookups++;
    memset(out, 0, sizeof *out);
    if ((t = fake_find(f, hash)) != NULL) /* the node hands bytes of that block and nonce */
        CHECK(t->height == raw_u64(raw + 2) && t->nonce == raw_u64(raw + 10));
    if (t == NULL || t->where < 0) {
        out->state = TACIT_SETTLE_TX_UNKNOWN;
    } else if (t->where == 0) {
        out->state = TACIT_SETTLE_TX_PENDING;
    } else {
        out->state = t->reverted ? TACIT_SETTLE_TX_REVERTED : TACIT_SETTLE_TX_INCLUDED;
        out->block = t->block;
        fake_block_hash(f, t->block, out->block_hash);
        out->gas_used = t->gas;
        snprintf(out->reason, sizeof out->reason, "%s", t->reason);
    }
    if (f->mine_after_lookups > 0 && --f->mine_after_lookups == 0) fake_mine_locked(f);
    pthread_mutex_unlock(&f->mu);
    return TACIT_OK;
}

static int f_heads(void *ctx, struct tacit_settle_heads *out)
{
    struct fake *f = ctx;
    unsigned delay = __atomic_load_n(&f->delay_ms, __ATOMIC_SEQ_CST);
    if (delay > 0) usleep(delay * 1000u);
    pthread_mutex_lock(&f->mu);
    if (f->down) {
        pthread_mutex_unlock(&f->mu);
        return TACIT_EL1_UNREACHABLE;
    }
    out->latest = f->latest;
    out->finalized = f->latest - f->final_lag;
    pthread_mutex_unlock(&f->mu);
    return TACIT_OK;
}

static int f_messages(void *ctx, uint64_t from, uint64_t max_block,
                      struct tacit_settle_message *out, size_t max, size_t *n)
{
    struct fake *f = ctx;
    pthread_mutex_lock(&f->mu);
    *n = 0;
    if (f->down) {
        pthread_mutex_unlock(&f->mu);
        return TACIT_EL1_UNREACHABLE;
    }
    for (uint64_t i = from; i < f->nmsg && *n < max && f->msg[i].l1_block <= max_block; i++) {
        out[*n] = f->msg[i];
        fake_block_hash(f, f->msg[i].l1_block, out[*n].l1_hash);
        fake_queue_hash(f, i + 1, out[*n].queue_hash);
        (*n)++;
    }
    pthread_mutex_unlock(&f->mu);
    return TACIT_OK;
}

static int f_block_hash(void *ctx, uint64_t number, uint8_t hash[32])
{
    struct fake *f = ctx;
    int rc = TACIT_OK;
    pthread_mutex_lock(&f->mu);
    if (f->down)
        rc = TACIT_EL1_UNREACHABLE;
    else if (number > f->latest)
        rc = TACIT_ENOTFOUND;
    else
        fake_block_hash(f, number, hash);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static int f_queue_hash(void *ctx, uint64_t count, uint8_t hash[32])
{
    struct fake *f = ctx;
    int rc = TACIT_OK;
    pthread_mutex_lock(&f->mu);
    if (f->down)
        rc = TACIT_EL1_UNREACHABLE;
    else
        fake_queue_hash(f, count, hash);
    f->queue_hash_calls++;
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static int f_plan(void *ctx, const struct tacit_settle_submission *s, uint32_t *nparts)
{
    struct fake *f = ctx;
    pthread_mutex_lock(&f->mu);
    *nparts = (int64_t)s->height == f->parts_height ? f->parts_n : 1;
    pthread_mutex_unlock(&f->mu);
    return TACIT_OK;
}

static int f_is_open(void *ctx, bool *open, uint64_t *height)
{
    struct fake *f = ctx;
    pthread_mutex_lock(&f->mu);
    int rc = f->down ? TACIT_EL1_UNREACHABLE : TACIT_OK;
    *open = f->open;
    *height = f->contract_next;
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static const struct tacit_settler_ops fake_ops = {
    .prepare = f_prepare,
    .send = f_send,
    .lookup = f_lookup,
    .heads = f_heads,
    .messages = f_messages,
    .bump = f_bump,
    .plan = f_plan,
    .block_hash = f_block_hash,
    .queue_hash = f_queue_hash,
    .is_open = f_is_open,
};

/* The contract's check of a block's credits: the next entries of its queue, in order. */
static bool fake_credits_match(struct fake *f, const struct ftx *t)
{
    for (unsigned i = 0; i < t->ncredits; i++) {
        const struct tacit_settle_message *m = &f->msg[f->queue_head + i];
        if (f->queue_head + i >= f->nmsg || m->credit.amount != t->credits[i].amount ||
            memcmp(m->credit.address, t->credits[i].address, 20) != 0)
            return false;
    }
    return true;
}

/* One L1 block: the pool in nonce order; the contract takes heights in order, each extending
 * its blockHash. */
static void fake_mine_locked(struct fake *f)
{
    f->latest++;
    for (uint64_t nonce = 0; nonce < f->nonce_next; nonce++) {
        for (size_t i = 0; i < f->ntx; i++) {
            struct ftx *t = &f->tx[i];
            if (t->where != 0 || t->nonce != nonce) continue;
            t->where = 1;
            t->block = f->latest;
            t->gas = 100000 + t->height;
            if (nonce < FAKE_MAX_TX) f->nonce_used[nonce] = true;
            if ((int64_t)t->height == f->revert_height) {
                t->reverted = true;
                snprintf(t->reason, sizeof t->reason, "Error(string): (\"bad tree proof\")");
            } else if (t->nparts > 1 &&
                       (t->height != f->contract_next || t->part != f->partial_next ||
                        memcmp(t->parent, f->chain, 32) != 0)) {
                t->reverted = true;
                snprintf(t->reason, sizeof t->reason, "Error(string): (\"part out of order\")");
            } else if (t->nparts > 1 && ++f->partial_next < t->nparts) {
                /* a part in: the block is in progress */
            } else if (t->nparts <= 1 &&
                       (t->height != f->contract_next || memcmp(t->parent, f->chain, 32) != 0)) {
                t->reverted = true;
                snprintf(t->reason, sizeof t->reason, "Error(string): (\"bad parent\")");
            } else if (!fake_credits_match(f, t)) {
                t->reverted = true;
                snprintf(t->reason, sizeof t->reason, "CreditsNotQueueHead()");
            } else {
                f->queue_head += t->ncredits;
                f->partial_next = 0;
                fake_chain_next(f->chain, f->chain, t->height);
                f->contract_next++;
            }
        }
    }
}

static void fake_mine(struct fake *f)
{
    pthread_mutex_lock(&f->mu);
    fake_mine_locked(f);
    pthread_mutex_unlock(&f->mu);
}

static void fake_advance(struct fake *f, uint64_t blocks)
{
    pthread_mutex_lock(&f->mu);
    f->latest += blocks;
    pthread_mutex_unlock(&f->mu);
}

/* Transactions of height h that made it into an L1 block (included or reverted). */
static unsigned fake_mined_for(struct fake *f, uint64_t h)
{
    unsigned c = 0;
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->ntx; i++)
        if (f->tx[i].height == h && f->tx[i].where == 1) c++;
    pthread_mutex_unlock(&f->mu);
    return c;
}

/* Blocks 0 .. n-1: each one's transaction mined exactly once (no double submission). */
static void mined_once(struct fake *f, uint64_t n)
{
    for (uint64_t h = 0; h < n; h++) CHECK_EQ_INT(fake_mined_for(f, h), 1);
}

/* Queues m (its index the queue's next) in L1 block l1_block. */
static void fake_push(struct fake *f, struct tacit_settle_message *m, uint64_t l1_block)
{
    pthread_mutex_lock(&f->mu);
    m->index = f->nmsg;
    m->l1_block = l1_block;
    f->msg[f->nmsg++] = *m;
    pthread_mutex_unlock(&f->mu);
}

static void fake_queue(struct fake *f, uint8_t who, uint64_t amount, uint64_t l1_block)
{
    struct tacit_settle_message m;
    memset(&m, 0, sizeof m);
    m.kind = TACIT_SETTLE_MSG_DEPOSIT;
    memset(m.credit.address, who, 20);
    m.credit.amount = amount;
    fake_push(f, &m, l1_block);
}

/* ------------------------------------------------------------- a store ---- */

static void rm_rf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

static const uint8_t SEQ_SK[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                   7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 9};

struct chain {
    char dir[256];
    struct tacit_state *st;
    struct tacit_sequencer_key *key;
    struct tacit_chain_params p;
    struct fake f;
    struct tacit_settler s;
};

static void chain_open(struct chain *c)
{
    struct tacit_state_options o;
    tacit_state_options_init(&o);
    o.chain_id = c->p.chain_id;
    o.flags = TACIT_STATE_NOSYNC;
    CHECK_EQ_INT(tacit_state_open(&c->st, c->dir, &o), TACIT_OK);
}

static void chain_init(struct chain *c)
{
    uint8_t xonly[32];
    memset(c, 0, sizeof *c);
    CHECK_EQ_INT(gen_tmpdir(c->dir, sizeof c->dir, "settle"), 0);
    CHECK_EQ_INT(tacit_sequencer_key_new(&c->key, SEQ_SK), TACIT_OK);
    c->p.chain_id = 0x5e771e;
    tacit_sequencer_key_public(c->key, xonly, c->p.fee_recipient);
    memcpy(c->p.sequencer, xonly, 32);
    c->p.allow_credits = true;
    chain_open(c);
    fake_init(&c->f);
    c->s.ops = &fake_ops;
    c->s.ctx = &c->f;
}

/* A crash and a restart: the store closed and opened again (the L1 keeps everything). */
static void chain_reopen(struct chain *c)
{
    tacit_state_close(c->st);
    c->st = NULL;
    chain_open(c);
}

static void chain_free(struct chain *c)
{
    tacit_state_close(c->st);
    tacit_sequencer_key_free(c->key);
    rm_rf(c->dir);
    pthread_mutex_destroy(&c->f.mu);
}

/* A block with these credits (none: an empty block). */
static void chain_block(struct chain *c, const struct tacit_credit *cr, size_t n)
{
    struct tacit_block_builder *b = NULL;
    struct tacit_block_header h;
    uint8_t *bytes = NULL;
    size_t len;
    CHECK_EQ_INT(tacit_block_builder_new(&b, c->st, &c->p), TACIT_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ_INT(tacit_block_builder_add_credit(b, &cr[i]), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_seal(b, c->key, 1000, &h, &bytes, &len), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_commit(b), TACIT_OK);
    free(bytes);
    tacit_block_builder_free(b);
}

static int step(struct chain *c, struct tacit__settle_out *o)
{
    struct tacit__settle_in in;
    memset(&in, 0, sizeof in);
    return tacit__settle_step(c->st, &c->s, &in, o);
}

static void check_heads(struct chain *c, uint64_t sub, uint64_t set, uint64_t fin)
{
    struct tacit__settle_heads h;
    CHECK_EQ_INT(tacit__settle_heads_load(c->st, &h), TACIT_OK);
    CHECK_EQ_INT(h.submitted, sub);
    CHECK_EQ_INT(h.settled, set);
    CHECK_EQ_INT(h.finalized, fin);
}

/* ------------------------------------------------------------- step tests ---- */

/* Three blocks through sequenced → submitted → settled → finalized, one at a time, in order;
 * each block's transaction mined exactly once; the gas of the receipts counted. */
TEST(statuses_in_order)
{
    struct chain c;
    struct tacit__settle_out o;
    struct tacit__settle_heads h;
    chain_init(&c);
    for (int i = 0; i < 3; i++) chain_block(&c, NULL, 0);
    check_heads(&c, 0, 0, 0);

    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* block 0 sent */
    check_heads(&c, 1, 0, 0);
    CHECK_EQ_INT(o.prepared, 1);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* pending: nothing more (one in flight) */
    check_heads(&c, 1, 0, 0);
    CHECK_EQ_INT(c.f.prepares, 1);

    for (int i = 0; i < 3; i++) {
        fake_mine(&c.f);
        CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* block i settled, block i+1 sent */
    }
    check_heads(&c, 3, 3, 1); /* L1 blocks 101..103 hold them; final: up to 101 */
    CHECK_EQ_INT(c.f.prepares, 3);
    mined_once(&c.f, 3);
    CHECK_EQ_INT(c.f.contract_next, 3);

    fake_advance(&c.f, 1); /* latest 104, finalized 102: blocks 0, 1 */
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 3, 3, 2);
    fake_advance(&c.f, 5);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 3, 3, 3);
    CHECK_EQ_INT(tacit__settle_heads_load(c.st, &h), TACIT_OK);
    CHECK_EQ_INT(h.gas_used, 3 * 100000 + 0 + 1 + 2);

    {
        struct tacit__settle_sub sub;
        CHECK_EQ_INT(tacit__settle_sub_load(c.st, 1, &sub), TACIT_OK);
        CHECK_EQ_INT(sub.state, TACIT__SUB_INCLUDED);
        CHECK_EQ_INT(sub.l1_block, 102);
        CHECK_EQ_INT(sub.gas_used, 100001);
        tacit__settle_sub_clear(&sub);
        CHECK_EQ_INT(tacit__settle_sub_load(c.st, 3, &sub), TACIT_ENOTFOUND);
    }
    /* nothing left to do: no further transaction */
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK_EQ_INT(c.f.prepares, 3);
    chain_free(&c);
}

/* --sequence-when-open's steps (settle.c): a watching step (a follower's chain) asks whether
 * the contract is open and puts the settlement heads at the tip, or the contract's height when
 * lower, without following or sending anything; a sequencing step asks after the blocks in flight were followed, so its own block
 * that landed is settled before the contract's height is compared with it. */
TEST(open_submission_steps)
{
    struct chain c;
    struct tacit__settle_out o;
    struct tacit__settle_in in;
    chain_init(&c);
    for (int i = 0; i < 3; i++) chain_block(&c, NULL, 0); /* a follower's blocks 0..2 */
    c.f.contract_next = 2;                                /* block 2 is not the contract's (yet) */
    memset(&in, 0, sizeof in);
    in.ask_open = in.watch = true;
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK(o.open_known && !o.open);
    CHECK_EQ_INT(o.contract_height, 2);
    check_heads(&c, 2, 2, 2); /* the contract's blocks only */
    c.f.contract_next = 3;
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK_EQ_INT(o.contract_height, 3);
    check_heads(&c, 3, 3, 3); /* the contract's blocks, at the tip */
    CHECK_EQ_INT(c.f.prepares, 0);
    CHECK_EQ_INT(c.f.lookups, 0);
    c.f.open = true;
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK(o.open_known && o.open);
    /* sequencing: block 3 of its own, sent, mined, then looked up before the question */
    chain_block(&c, NULL, 0);
    in.watch = false;
    in.max_inflight = 1;
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK_EQ_INT(o.prepared, 1);
    check_heads(&c, 4, 3, 3);
    fake_mine(&c.f);
    c.f.open = false; /* its block settled: closed again */
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    check_heads(&c, 4, 4, 3);
    CHECK(o.open_known && !o.open);
    CHECK_EQ_INT(o.contract_height, 4); /* == settled: its own, not another submitter's */
    CHECK_EQ_INT(o.heads.settled, 4);
    /* the L1 down: the step fails, nothing is said of the contract */
    c.f.down = true;
    CHECK(tacit__settle_step(c.st, &c.s, &in, &o) != TACIT_OK);
    CHECK(!o.open_known);
    chain_free(&c);
}

/* A restart between the send and the receipt: the recorded transaction is looked up, not sent
 * again, and the block settles once. */
TEST(restart_after_send)
{
    struct chain c;
    struct tacit__settle_out o;
    chain_init(&c);
    chain_block(&c, NULL, 0);
    chain_block(&c, NULL, 0);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 1, 0, 0);
    CHECK_EQ_INT(c.f.sends, 1);
    chain_reopen(&c);
    check_heads(&c, 1, 0, 0);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* pending: nothing sent or prepared */
    CHECK_EQ_INT(c.f.sends, 1);
    CHECK_EQ_INT(c.f.prepares, 1);
    fake_mine(&c.f);
    chain_reopen(&c);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 2, 1, 0);
    CHECK_EQ_INT(fake_mined_for(&c.f, 0), 1);
    CHECK_EQ_INT(c.f.prepares, 2);
    chain_free(&c);
}

/* A crash after the record and before the send: the same transaction is sent at restart, no
 * second one is prepared; and a send whose answer was lost is found in the pool. */
TEST(restart_before_send)
{
    struct chain c;
    struct tacit__settle_out o;
    struct tacit__settle_sub sub;
    chain_init(&c);
    chain_block(&c, NULL, 0);
    chain_block(&c, NULL, 0);
    c.f.crash_send = true;
    CHECK(step(&c, &o) != TACIT_OK); /* "crashed" after the record */
    check_heads(&c, 0, 0, 0);        /* sequenced still */
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 0, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.state, TACIT__SUB_PREPARED);
    tacit__settle_sub_clear(&sub);
    chain_reopen(&c);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* looked up: unknown, so the same bytes sent */
    check_heads(&c, 1, 0, 0);
    CHECK_EQ_INT(c.f.prepares, 1);
    CHECK_EQ_INT(c.f.ntx, 1);
    fake_mine(&c.f);

    /* block 1: the send arrives, its answer is lost */
    c.f.lose_answer = true;
    CHECK(step(&c, &o) != TACIT_OK); /* block 0 settled, block 1 "not sent" */
    check_heads(&c, 1, 1, 0);
    chain_reopen(&c);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* found pending: submitted, nothing sent again */
    check_heads(&c, 2, 1, 0);
    CHECK_EQ_INT(c.f.prepares, 2);
    CHECK_EQ_INT(c.f.sends, 2);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 2, 2, 0);
    mined_once(&c.f, 2);
    chain_free(&c);
}

/* The L1 down: every step fails with EL1_UNREACHABLE and changes nothing; back up, the
 * submissions resume where they were. A dropped transaction is sent again (same bytes). */
TEST(unreachable_then_back)
{
    struct chain c;
    struct tacit__settle_out o;
    chain_init(&c);
    chain_block(&c, NULL, 0);
    chain_block(&c, NULL, 0);
    c.f.down = true;
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(step(&c, &o), TACIT_EL1_UNREACHABLE);
        CHECK_EQ_INT(o.rc, TACIT_EL1_UNREACHABLE);
        CHECK(!o.l1_known);
    }
    check_heads(&c, 0, 0, 0);
    CHECK_EQ_INT(c.f.prepares, 0);
    c.f.down = false;
    c.f.drop_next = true;
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 1, 0, 0);
    fake_mine(&c.f);                      /* the dropped one is not there */
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* unknown: sent again */
    CHECK_EQ_INT(o.resends, 1);
    CHECK_EQ_INT(c.f.prepares, 1);
    /* down in the middle: the pending one stays recorded */
    c.f.down = true;
    CHECK_EQ_INT(step(&c, &o), TACIT_EL1_UNREACHABLE);
    c.f.down = false;
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 2, 2, 0);
    mined_once(&c.f, 2);
    chain_free(&c);
}

/* A reverted submission halts: reported with its reason, nothing more is prepared, and the
 * halt survives a restart. */
TEST(revert_halts)
{
    struct chain c;
    struct tacit__settle_out o;
    chain_init(&c);
    for (int i = 0; i < 4; i++) chain_block(&c, NULL, 0);
    c.f.revert_height = 1;
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* 0 settled, 1 sent */
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* 1 reverted */
    CHECK(o.halted);
    CHECK_EQ_INT(o.halt_height, 1);
    CHECK(strstr(o.halt_reason, "bad tree proof") != NULL);
    check_heads(&c, 2, 1, 0);
    for (int i = 0; i < 3; i++) {
        fake_mine(&c.f);
        CHECK_EQ_INT(step(&c, &o), TACIT_OK);
        CHECK(o.halted);
    }
    CHECK_EQ_INT(c.f.prepares, 2);
    chain_reopen(&c);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK(o.halted);
    CHECK_EQ_INT(o.halt_height, 1);
    CHECK_EQ_INT(c.f.prepares, 2);
    check_heads(&c, 2, 1, 1); /* block 0 final meanwhile */
    chain_free(&c);
}

/* The contract would refuse a block (prepare: its gas estimate reverts): a halt with the
 * reason, nothing sent or recorded; a halted node's steps prepare nothing; a restart (a step
 * that is not told it is halted) tries again. */
TEST(estimate_revert_halts)
{
    struct chain c;
    struct tacit__settle_in in;
    struct tacit__settle_out o;
    struct tacit__settle_sub sub;
    chain_init(&c);
    chain_block(&c, NULL, 0);
    chain_block(&c, NULL, 0);
    c.f.estimate_revert_height = 1;
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* 0 settled; 1 refused */
    CHECK(o.halted);
    CHECK_EQ_INT(o.halt_height, 1);
    CHECK(strstr(o.halt_reason, "gas estimate reverted: Error(string): (\"bad anchor\")") != NULL);
    check_heads(&c, 1, 1, 0);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 1, &sub), TACIT_ENOTFOUND);
    CHECK_EQ_INT(c.f.ntx, 1);
    memset(&in, 0, sizeof in);
    in.no_submit = true;
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK_EQ_INT(c.f.estimates_refused, 1);
    c.f.estimate_revert_height = -1;
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK(!o.halted);
    check_heads(&c, 2, 1, 0);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 2, 2, 0);
    mined_once(&c.f, 2);
    chain_free(&c);
}

/* The recorded transaction's nonce went to another transaction (the key used elsewhere while
 * this node was down): a new one is prepared, and the block still goes in once. */
TEST(nonce_taken)
{
    struct chain c;
    struct tacit__settle_out o;
    chain_init(&c);
    chain_block(&c, NULL, 0);
    c.f.crash_send = true;
    CHECK(step(&c, &o) != TACIT_OK); /* recorded with nonce 0, not sent */
    c.f.nonce_used[0] = true;        /* another transaction took nonce 0 */
    chain_reopen(&c);
    /* unknown, nonce too low: prepared anew (nonce 1) and sent */
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 1, 0, 0);
    CHECK_EQ_INT(c.f.prepares, 2);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 1, 1, 0);
    CHECK_EQ_INT(fake_mined_for(&c.f, 0), 1);
    chain_free(&c);
}

/* An L1 reorg takes settled (not final) blocks' transactions out: they go back to submitted,
 * and settle again when their transactions are mined again; none is submitted twice, and the
 * gas counts each block's latest receipt once. */
TEST(reorg_unsettles)
{
    struct chain c;
    struct tacit__settle_out o;
    struct tacit__settle_heads h;
    chain_init(&c);
    chain_block(&c, NULL, 0);
    chain_block(&c, NULL, 0);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 2, 2, 0);
    /* the reorg: L1 blocks 101, 102 gone, both transactions back in the pool */
    pthread_mutex_lock(&c.f.mu);
    for (size_t i = 0; i < c.f.ntx; i++) c.f.tx[i].where = 0;
    c.f.contract_next = 0;
    memset(c.f.chain, 0, sizeof c.f.chain);
    memset(c.f.nonce_used, 0, sizeof c.f.nonce_used);
    c.f.latest -= 2;
    pthread_mutex_unlock(&c.f.mu);
    fake_advance(&c.f, 3); /* finalized (101) reaches block 0's old L1 block */
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK_EQ_INT(o.reorgs, 1);
    check_heads(&c, 2, 0, 0); /* both pending again: submitted, not settled */
    fake_mine(&c.f);          /* both in one L1 block again */
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 2, 2, 0);
    fake_advance(&c.f, 2);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 2, 2, 2);
    CHECK_EQ_INT(c.f.prepares, 2);
    mined_once(&c.f, 2);
    CHECK_EQ_INT(tacit__settle_heads_load(c.st, &h), TACIT_OK);
    CHECK_EQ_INT(h.gas_used, 200001);
    {
        struct tacit__settle_sub sub; /* final: its raw transaction dropped */
        CHECK_EQ_INT(tacit__settle_sub_load(c.st, 1, &sub), TACIT_OK);
        CHECK_EQ_INT(sub.raw_len, 0);
        CHECK_EQ_INT(sub.state, TACIT__SUB_INCLUDED);
        tacit__settle_sub_clear(&sub);
    }
    chain_free(&c);
}

/* An L1 reorg that drops two settled blocks' transactions for good (not back in the pool, their
 * nonces free again): the heads go back, the same signed transactions are sent again (same
 * nonces, nothing prepared anew), mined once each, the contract at the node's height. */
TEST(reorg_dropped_resubmitted)
{
    struct chain c;
    struct tacit__settle_out o;
    unsigned sends;
    chain_init(&c);
    for (int i = 0; i < 3; i++) chain_block(&c, NULL, 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(step(&c, &o), TACIT_OK);
        fake_mine(&c.f);
    }
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 3, 3, 1);
    /* the reorg: the L1 blocks of blocks 1 and 2 replaced by empty ones */
    pthread_mutex_lock(&c.f.mu);
    for (size_t i = 0; i < c.f.ntx; i++)
        if (c.f.tx[i].height >= 1) {
            c.f.tx[i].where = -1;
            c.f.nonce_used[c.f.tx[i].nonce] = false;
        }
    c.f.contract_next = 1;
    memset(c.f.chain, 0, sizeof c.f.chain);
    fake_chain_next(c.f.chain, c.f.chain, 0);
    for (uint64_t b = 102; b < FAKE_MAX_BLOCKS; b++) c.f.gen[b]++;
    sends = c.f.sends;
    pthread_mutex_unlock(&c.f.mu);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK_EQ_INT(o.reorgs, 1);
    CHECK_EQ_INT(o.resends, 2); /* both sent again at once, in nonce order */
    check_heads(&c, 3, 1, 1);
    CHECK_EQ_INT(c.f.sends, sends + 2);
    fake_mine(&c.f);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    check_heads(&c, 3, 3, 1);
    CHECK_EQ_INT(c.f.prepares, 3); /* no new transaction: the same bytes, the same nonces */
    CHECK_EQ_INT(c.f.contract_next, 3);
    mined_once(&c.f, 3);
    chain_free(&c);
}

/* Block h takes the fake queue's entries [from, from + k): the block and its records, as the
 * block lane writes them. */
static void chain_credit_block(struct chain *c, uint64_t h, uint64_t from, size_t k)
{
    struct tacit_settle_message m[4];
    struct tacit_credit cr[4];
    size_t n = 0;
    CHECK(k <= 4);
    CHECK_EQ_INT(f_messages(&c->f, from, UINT64_MAX, m, k, &n), TACIT_OK);
    CHECK_EQ_INT(n, k);
    for (size_t i = 0; i < k; i++) cr[i] = m[i].credit;
    chain_block(c, cr, k);
    CHECK_EQ_INT(tacit__settle_credited_save(c->st, h, from + k, m, k), TACIT_OK);
}

/* The credited entries checked against the L1 (SETTLEMENT.md 9): unchanged, nothing; moved to
 * another L1 block by a reorg but still in the contract's queue, re-anchored and nothing else;
 * removed (or changed), the step says which entry and which block took it, and neither
 * follows nor submits anything; entries in final L1 blocks are not asked about again. */
TEST(queue_reorg_detected)
{
    struct chain c;
    struct tacit__settle_out o;
    unsigned prepares, sends, lookups, qcalls;
    chain_init(&c);
    c.f.final_lag = 50;
    fake_advance(&c.f, 10); /* latest 110 */
    fake_queue(&c.f, 0xa1, 100, 101);
    fake_queue(&c.f, 0xa2, 200, 102);
    fake_queue(&c.f, 0xa3, 300, 103);
    chain_credit_block(&c, 0, 0, 1);
    chain_credit_block(&c, 1, 1, 2);
    chain_block(&c, NULL, 0);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK(!o.queue_removed);
    CHECK_EQ_INT(o.queue_moved, 0);
    CHECK_EQ_INT(o.prepared, 1);
    CHECK_EQ_INT(c.f.queue_hash_calls, 0); /* every block as recorded: no question */

    /* a reorg replaced L1 block 102 and later, with the same deposits in them */
    pthread_mutex_lock(&c.f.mu);
    for (uint64_t b = 102; b < FAKE_MAX_BLOCKS; b++) c.f.gen[b]++;
    pthread_mutex_unlock(&c.f.mu);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK(!o.queue_removed);
    CHECK_EQ_INT(o.queue_moved, 2);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK); /* anchored at the head now */
    CHECK_EQ_INT(o.queue_moved, 0);

    /* a deeper one: entry 1 gone, entry 2 now entry 1 */
    pthread_mutex_lock(&c.f.mu);
    for (uint64_t b = 101; b < FAKE_MAX_BLOCKS; b++) c.f.gen[b]++;
    c.f.msg[1] = c.f.msg[2];
    c.f.msg[1].index = 1;
    c.f.nmsg = 2;
    prepares = c.f.prepares;
    sends = c.f.sends;
    lookups = c.f.lookups;
    qcalls = c.f.queue_hash_calls;
    pthread_mutex_unlock(&c.f.mu);
    fake_mine(&c.f); /* block 0's transaction mined: not even that is looked at */
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK(o.queue_removed);
    CHECK_EQ_INT(o.removed_index, 1);
    CHECK_EQ_INT(o.rollback_height, 1);
    CHECK_EQ_INT(c.f.prepares, prepares);
    CHECK_EQ_INT(c.f.sends, sends);
    CHECK_EQ_INT(c.f.lookups, lookups);
    CHECK(c.f.queue_hash_calls > qcalls);
    check_heads(&c, 1, 0, 0);

    /* once their L1 blocks are final, the entries are not asked about again */
    pthread_mutex_lock(&c.f.mu);
    c.f.final_lag = 0;
    qcalls = c.f.queue_hash_calls;
    pthread_mutex_unlock(&c.f.mu);
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK(!o.queue_removed);
    CHECK_EQ_INT(c.f.queue_hash_calls, qcalls);
    chain_free(&c);
}

/* ------------------------------------------------------- blocks in flight ---- */

/* A step with a window of `window` blocks in flight and fee bumps after `bump_after` L1
 * blocks (0: none). */
static int step_w(struct chain *c, struct tacit__settle_out *o, uint32_t window,
                  uint32_t bump_after)
{
    struct tacit__settle_in in;
    memset(&in, 0, sizeof in);
    in.max_inflight = window;
    in.bump_after = bump_after;
    return tacit__settle_step(c->st, &c->s, &in, o);
}

/* A fresh chain of n empty blocks, nothing submitted. */
static void chain_with_blocks(struct chain *c, int n)
{
    chain_init(c);
    for (int i = 0; i < n; i++) chain_block(c, NULL, 0);
}

static int sub_state(struct chain *c, uint64_t h)
{
    struct tacit__settle_sub sub;
    int rc = tacit__settle_sub_load(c->st, h, &sub), state = rc == TACIT_OK ? sub.state : -rc;
    tacit__settle_sub_clear(&sub);
    return state;
}

/* Up to `window` blocks go out at once, in height and nonce order, each behind the one before
 * (its parent the hash chain the earlier submission leaves): all land in one L1 block, in
 * order; the window never holds more; each block's transaction is mined once. */
TEST(window_of_four)
{
    struct chain c;
    struct tacit__settle_out o;
    chain_with_blocks(&c, 6);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    CHECK_EQ_INT(o.prepared, 4);
    check_heads(&c, 4, 0, 0);
    CHECK_EQ_INT(c.f.sends, 4);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK); /* the window is full: nothing new */
    CHECK_EQ_INT(c.f.prepares, 4);
    CHECK_EQ_INT(c.f.sends, 4);
    fake_mine(&c.f); /* blocks 0..3 in L1 block 101, the contract at 4 */
    CHECK_EQ_INT(c.f.contract_next, 4);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK); /* settled; 4 and 5 go out */
    check_heads(&c, 6, 4, 0);
    CHECK_EQ_INT(c.f.prepares, 6);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    check_heads(&c, 6, 6, 0);
    CHECK_EQ_INT(c.f.contract_next, 6);
    mined_once(&c.f, 6);
    for (uint64_t h = 0; h < 6; h++) CHECK_EQ_INT(sub_state(&c, h), TACIT__SUB_INCLUDED);
    chain_free(&c);
}

/* Receipts seen out of order within a step (an L1 block mined between two lookups: block 0
 * looked at while pending, blocks 1 and 2 once included): 1 and 2 are recorded included and
 * settle only once block 0 has; nothing is sent twice. */
TEST(receipts_out_of_order)
{
    struct chain c;
    struct tacit__settle_out o;
    struct tacit__settle_sub sub;
    chain_with_blocks(&c, 3);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    check_heads(&c, 3, 0, 0);
    c.f.mine_after_lookups = 1; /* right after block 0's lookup */
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    check_heads(&c, 3, 0, 0); /* 0 seen pending: nothing settled yet */
    CHECK_EQ_INT(sub_state(&c, 0), TACIT__SUB_SENT);
    CHECK_EQ_INT(sub_state(&c, 1), TACIT__SUB_INCLUDED);
    CHECK_EQ_INT(sub_state(&c, 2), TACIT__SUB_INCLUDED);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 2, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.l1_block, 101);
    tacit__settle_sub_clear(&sub);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    check_heads(&c, 3, 3, 0);
    CHECK_EQ_INT(c.f.prepares, 3);
    CHECK_EQ_INT(c.f.sends, 3);
    mined_once(&c.f, 3);
    chain_free(&c);
}

/* A crash with several blocks in flight: three sent, a fourth recorded and not sent; the L1
 * node then loses two of the three from its pool. At restart each is asked about in order: the
 * pending one left alone, the lost ones and the unsent one sent again with their recorded bytes
 * (no new transaction prepared); all settle once. */
TEST(crash_with_several_pending)
{
    struct chain c;
    struct tacit__settle_out o;
    chain_with_blocks(&c, 4);
    CHECK_EQ_INT(step_w(&c, &o, 3, 0), TACIT_OK);
    check_heads(&c, 3, 0, 0);
    c.f.crash_send = true;
    CHECK(step_w(&c, &o, 4, 0) != TACIT_OK); /* block 3 recorded, its send "crashed" */
    CHECK_EQ_INT(sub_state(&c, 3), TACIT__SUB_PREPARED);
    check_heads(&c, 3, 0, 0);
    pthread_mutex_lock(&c.f.mu);
    for (size_t i = 0; i < c.f.ntx; i++)
        if (c.f.tx[i].height == 1 || c.f.tx[i].height == 2) c.f.tx[i].where = -1;
    pthread_mutex_unlock(&c.f.mu);
    chain_reopen(&c);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    CHECK_EQ_INT(o.resends, 2); /* 1 and 2; block 3's first real send is not a resend */
    CHECK_EQ_INT(o.prepared, 0);
    check_heads(&c, 4, 0, 0);
    CHECK_EQ_INT(c.f.prepares, 4);
    CHECK_EQ_INT(sub_state(&c, 3), TACIT__SUB_SENT);
    fake_mine(&c.f);
    chain_reopen(&c);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    check_heads(&c, 4, 4, 0);
    CHECK_EQ_INT(c.f.contract_next, 4);
    mined_once(&c.f, 4);
    chain_free(&c);
}

/* A revert in the middle of the window: block 1's submission reverts (and 2 and 3 behind it,
 * their parent missing). Block 0 settles, the submitter halts at 1 with its reason, nothing
 * more is prepared or sent, and a restart halts again at 1. */
TEST(revert_in_window)
{
    struct chain c;
    struct tacit__settle_out o;
    chain_with_blocks(&c, 4);
    c.f.revert_height = 1;
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    check_heads(&c, 4, 0, 0);
    fake_mine(&c.f);
    CHECK_EQ_INT(c.f.contract_next, 1);
    for (int i = 0; i < 2; i++) chain_block(&c, NULL, 0);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    CHECK(o.halted);
    CHECK_EQ_INT(o.halt_height, 1);
    CHECK(strstr(o.halt_reason, "bad tree proof") != NULL);
    check_heads(&c, 4, 1, 0);
    CHECK_EQ_INT(sub_state(&c, 1), TACIT__SUB_REVERTED);
    CHECK_EQ_INT(c.f.prepares, 4);
    CHECK_EQ_INT(c.f.sends, 4);
    chain_reopen(&c);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    CHECK(o.halted);
    CHECK_EQ_INT(o.halt_height, 1);
    CHECK_EQ_INT(c.f.prepares, 4);
    CHECK_EQ_INT(c.f.sends, 4);
    CHECK_EQ_INT(fake_mined_for(&c.f, 0), 1);
    chain_free(&c);
}

/* Fee bumping: a submission pending bump_after L1 blocks is replaced (same nonce, higher fee)
 * unless it waits behind an earlier pending one not bumped in the same step, the pool takes
 * the replacement, and the record follows whichever lands: the replacement
 * here; the replaced one when it is mined while the replacement is recorded but not sent (a
 * crash between the two: at restart the lookup finds the old hash and the record takes it). At
 * the fee cap it waits. Each block lands once. */
TEST(fee_bump)
{
    struct chain c;
    struct tacit__settle_out o;
    struct tacit__settle_sub sub;
    uint8_t first[32], second[32];
    chain_with_blocks(&c, 1);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK); /* block 0 sent at L1 head 100 */
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 0, &sub), TACIT_OK);
    memcpy(first, sub.hash, 32);
    CHECK_EQ_INT(sub.sent_l1, 100);
    tacit__settle_sub_clear(&sub);
    fake_advance(&c.f, 2); /* 102: not yet */
    chain_block(&c, NULL, 0);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK); /* block 1 sent at 102 */
    CHECK_EQ_INT(o.bumps, 0);
    fake_advance(&c.f, 1); /* 103: three L1 blocks without block 0 */
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    CHECK_EQ_INT(o.bumps, 1);
    CHECK_EQ_INT(c.f.underpriced, 0);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 0, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.state, TACIT__SUB_SENT);
    CHECK_EQ_INT(sub.nprev, 1);
    CHECK(memcmp(sub.prev[0], first, 32) == 0);
    CHECK(memcmp(sub.hash, first, 32) != 0);
    memcpy(second, sub.hash, 32);
    CHECK_EQ_INT(sub.sent_l1, 103);
    tacit__settle_sub_clear(&sub);
    fake_advance(&c.f, 2); /* 105: block 1 pending 3, but behind block 0 (bumped at 103) */
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    CHECK_EQ_INT(o.bumps, 0);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 1, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.nprev, 0); /* it waits for block 0's nonce, not for its fees */
    tacit__settle_sub_clear(&sub);
    fake_advance(&c.f, 1); /* 106: block 0 again, and block 1 behind it in the same step */
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    CHECK_EQ_INT(o.bumps, 2);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 0, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.nprev, 2);
    memcpy(second, sub.hash, 32);
    tacit__settle_sub_clear(&sub);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    check_heads(&c, 2, 2, 0);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 0, &sub), TACIT_OK);
    CHECK(memcmp(sub.hash, second, 32) == 0); /* the latest replacement landed */
    tacit__settle_sub_clear(&sub);
    CHECK_EQ_INT(sub_state(&c, 1), TACIT__SUB_INCLUDED);
    CHECK_EQ_INT(c.f.underpriced, 0);
    mined_once(&c.f, 2);

    /* block 2: the replacement recorded, its send lost to a crash; the old one is mined */
    chain_block(&c, NULL, 0);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 2, &sub), TACIT_OK);
    memcpy(first, sub.hash, 32);
    tacit__settle_sub_clear(&sub);
    fake_advance(&c.f, 3);
    c.f.crash_send = true;
    CHECK(step_w(&c, &o, 2, 3) != TACIT_OK);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 2, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.state, TACIT__SUB_PREPARED); /* synced before the send */
    CHECK_EQ_INT(sub.nprev, 1);
    memcpy(second, sub.hash, 32);
    tacit__settle_sub_clear(&sub);
    fake_mine(&c.f); /* the old one, still in the pool */
    chain_reopen(&c);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    check_heads(&c, 3, 3, 2); /* blocks 0, 1 final meanwhile */
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 2, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.state, TACIT__SUB_INCLUDED);
    CHECK(memcmp(sub.hash, first, 32) == 0); /* the record learnt which one landed */
    CHECK(memcmp(sub.prev[0], second, 32) == 0);
    tacit__settle_sub_clear(&sub);
    mined_once(&c.f, 3);

    /* block 3: its prepare takes 4 L1 blocks: pending from the head it is sent at, not from
     * the step's start; then at the cap, no replacement; it lands at its first fee */
    c.f.fee_cap = 1;
    c.f.prepare_takes = 4;
    chain_block(&c, NULL, 0);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    c.f.prepare_takes = 0;
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 3, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.sent_l1, c.f.latest);
    tacit__settle_sub_clear(&sub);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    CHECK_EQ_INT(o.fee_capped + o.bumps, 0); /* not pending long yet */
    fake_advance(&c.f, 3);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    CHECK_EQ_INT(o.fee_capped, 1);
    CHECK_EQ_INT(o.bumps, 0);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK); /* asked again only 3 L1 blocks on */
    CHECK_EQ_INT(o.fee_capped, 0);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    check_heads(&c, 4, 4, 3);
    mined_once(&c.f, 4);
    CHECK_EQ_INT(c.f.bumps, 4);
    chain_free(&c);
}

/* A send refused as underpriced (the base fee rose past the transaction's max fee between its
 * prepare and its send): the step does not fail; the record stays PREPARED and, once the L1 has
 * a new block, the transaction is repriced (same nonce) and sent; it lands once. */
TEST(underpriced_repriced)
{
    struct chain c;
    struct tacit__settle_out o;
    struct tacit__settle_sub sub;
    chain_with_blocks(&c, 2);
    c.f.base_fee = 2;
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    check_heads(&c, 0, 0, 0);
    CHECK_EQ_INT(sub_state(&c, 0), TACIT__SUB_PREPARED);
    CHECK_EQ_INT(sub_state(&c, 1), -TACIT_ENOTFOUND); /* nothing sent behind a refused one */
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);     /* the same L1 head: it waits */
    CHECK_EQ_INT(c.f.bumps, 0);
    CHECK_EQ_INT(sub_state(&c, 1), -TACIT_ENOTFOUND);
    fake_advance(&c.f, 1); /* a new L1 block: the market has caught up with the base fee */
    c.f.market_fee = 2;
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK); /* repriced, sent; block 1 behind it */
    CHECK_EQ_INT(c.f.bumps, 1);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 0, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.state, TACIT__SUB_SENT);
    CHECK_EQ_INT(sub.nprev, 1);
    tacit__settle_sub_clear(&sub);
    c.f.base_fee = 0;
    check_heads(&c, 2, 0, 0);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 2, 3), TACIT_OK);
    check_heads(&c, 2, 2, 0);
    mined_once(&c.f, 2);
    CHECK_EQ_INT(c.f.prepares, 2);
    chain_free(&c);
}

/* The queue's entries come only once confirmed; the queue position after each block is found
 * from the records, or from the blocks when a record is missing (a crash after the commit). */
TEST(queue_confirmations)
{
    struct chain c;
    struct tacit__settle_in in;
    struct tacit__settle_out o;
    struct tacit_settle_message m[8];
    struct tacit_credit cr[2];
    uint64_t q;
    chain_init(&c);
    fake_queue(&c.f, 0xa1, 5, 99);  /* confirmations at latest 100: 1 */
    fake_queue(&c.f, 0xa2, 6, 100); /* 0 */
    memset(&in, 0, sizeof in);
    in.confirmations = 1;
    in.fetch_max = 8;
    in.fetch_out = m;
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK_EQ_INT(o.nfetched, 1);
    CHECK_EQ_INT(m[0].index, 0);
    CHECK_EQ_INT(m[0].credit.amount, 5);
    in.confirmations = 2;
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK_EQ_INT(o.nfetched, 0);
    fake_advance(&c.f, 2);
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK_EQ_INT(o.nfetched, 2);
    in.fetch_from = 1;
    CHECK_EQ_INT(tacit__settle_step(c.st, &c.s, &in, &o), TACIT_OK);
    CHECK_EQ_INT(o.nfetched, 1);
    CHECK_EQ_INT(m[0].index, 1);

    cr[0] = m[0].credit;
    cr[1] = m[0].credit;
    chain_block(&c, cr, 1);
    CHECK_EQ_INT(tacit__settle_queue_save(c.st, 0, 1), TACIT_OK);
    chain_block(&c, cr, 2); /* its record "lost" */
    CHECK_EQ_INT(tacit__settle_queue_next(c.st, 2, &q), TACIT_OK);
    CHECK_EQ_INT(q, 3);
    CHECK_EQ_INT(tacit__settle_queue_next(c.st, 1, &q), TACIT_OK);
    CHECK_EQ_INT(q, 1);
    CHECK_EQ_INT(tacit__settle_queue_next(c.st, 0, &q), TACIT_OK);
    CHECK_EQ_INT(q, 0);
    chain_free(&c);
}

/* A chain made without L1 refuses L1 mode, and an L1 chain refuses to run without it. */
TEST(mode_marker)
{
    struct chain c;
    chain_init(&c);
    CHECK_EQ_INT(tacit__settle_mode_check(c.st, false), TACIT_OK);
    chain_block(&c, NULL, 0);
    CHECK_EQ_INT(tacit__settle_mode_check(c.st, true), TACIT_ESTATE_PARAMS);
    chain_free(&c);
    chain_init(&c);
    CHECK_EQ_INT(tacit__settle_mode_check(c.st, true), TACIT_OK);
    chain_block(&c, NULL, 0);
    CHECK_EQ_INT(tacit__settle_mode_check(c.st, true), TACIT_OK);
    chain_reopen(&c);
    CHECK_EQ_INT(tacit__settle_mode_check(c.st, false), TACIT_ESTATE_PARAMS);
    CHECK_EQ_INT(tacit__settle_mode_check(c.st, true), TACIT_OK);
    chain_free(&c);
}

/* ------------------------------------------------------------ the node ---- */

struct env {
    char dir[256], datadir[300], vkfile[400], url[400];
    struct tacit_node_config cfg;
    pthread_t t;
    bool running;
    int done; /* __atomic: tacit_node_run returned */
    int rc;
    struct tacit_rpc_client *c;
};

static void *node_thread(void *arg)
{
    struct env *e = arg;
    e->rc = tacit_node_run(&e->cfg);
    __atomic_store_n(&e->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* A data directory with a synthetic verifying key of the transfer circuit's size: off a devnet
 * the config names it, on a devnet it sits where the devnet keeps its keys (no setup runs). */
static void env_init(struct env *e, bool devnet)
{
    char vkdir[320];
    uint8_t seed[32] = {1};
    memset(e, 0, sizeof *e);
    CHECK_EQ_INT(gen_tmpdir(e->dir, sizeof e->dir, "settle-node"), 0);
    snprintf(e->datadir, sizeof e->datadir, "%s/data", e->dir);
    CHECK_EQ_INT(mkdir(e->datadir, 0700), 0);
    snprintf(vkdir, sizeof vkdir, "%s/" TACIT_DATADIR_KEYS, e->datadir);
    CHECK_EQ_INT(mkdir(vkdir, 0700), 0);
    CHECK_EQ_INT(tacit__groth16_synth_write(vkdir, TACIT_TX_NPUBLIC, seed), TACIT_OK);
    snprintf(e->vkfile, sizeof e->vkfile, "%s/verification_key.json", vkdir);
    tacit_node_config_init(&e->cfg);
    e->cfg.datadir = e->datadir;
    e->cfg.devnet = devnet;
    e->cfg.chain_id = 0x5e77;
    if (!devnet) e->cfg.vk_file = e->vkfile;
    e->cfg.rpc_host = NULL;
    e->cfg.block_interval_ms = 50;
    e->cfg.l1_confirmations = 2;
    e->cfg.settle_poll_ms = 20;
    e->cfg.nosync = true;
    e->cfg.log_level = getenv("TACIT_TEST_VERBOSE") ? TACIT_LOG_DEBUG : TACIT_LOG_WARN;
    snprintf(e->url, sizeof e->url, "unix:%s/" TACIT_DATADIR_SOCKET, e->datadir);
}

/* tacit_node_run in a thread: true once it answers on its socket; false when it stopped (its
 * exit status in e->rc) or did not answer (then stopped). */
static bool env_start(struct env *e, const struct tacit_settler *s)
{
    e->cfg.settler = s;
    e->done = 0;
    e->rc = -1;
    CHECK_EQ_INT(pthread_create(&e->t, NULL, node_thread, e), 0);
    e->running = true;
    CHECK_EQ_INT(tacit_rpc_client_new(&e->c, e->url, NULL, 5000), TACIT_OK);
    for (int i = 0; i < 400 && !__atomic_load_n(&e->done, __ATOMIC_SEQ_CST); i++) {
        json_t *res = NULL, *err = NULL;
        if (tacit_rpc_call(e->c, "tacit_chainInfo", json_array(), &res, &err) == TACIT_OK &&
            res != NULL) {
            json_decref(res);
            return true;
        }
        json_decref(err);
        usleep(25000);
    }
    tacit_rpc_client_free(e->c);
    e->c = NULL;
    if (!__atomic_load_n(&e->done, __ATOMIC_SEQ_CST)) kill(getpid(), SIGTERM);
    pthread_join(e->t, NULL);
    e->running = false;
    return false;
}

/* SIGTERM (the node's own handler takes it) and the exit status. */
static int env_stop(struct env *e)
{
    tacit_rpc_client_free(e->c);
    e->c = NULL;
    if (!e->running) return e->rc;
    kill(getpid(), SIGTERM);
    pthread_join(e->t, NULL);
    e->running = false;
    return e->rc;
}

static void env_free(struct env *e)
{
    env_stop(e);
    rm_rf(e->dir);
}

static json_t *rpc(struct tacit_rpc_client *c, const char *method, json_t *params, json_t **err)
{
    json_t *res = NULL, *e = NULL;
    if (tacit_rpc_call(c, method, params, &res, &e) != TACIT_OK) return NULL;
    if (err != NULL)
        *err = e;
    else
        json_decref(e);
    return res;
}

static uint64_t hexnum(json_t *o, const char *key)
{
    uint64_t v = UINT64_MAX;
    json_t *j = json_object_get(o, key);
    if (json_is_string(j) && tacit_parse_hex_u64(&v, json_string_value(j)) != TACIT_OK)
        v = UINT64_MAX;
    return v;
}

/* Until the settlement object's `key` is the height h (or the deadline). */
static bool wait_head(struct tacit_rpc_client *c, const char *key, uint64_t h, json_t **info)
{
    for (int i = 0; i < 200; i++) {
        json_t *ci = rpc(c, "tacit_chainInfo", json_array(), NULL);
        json_t *s = json_object_get(ci, "settlement");
        if (s != NULL && hexnum(s, key) == h) {
            if (info != NULL)
                *info = ci;
            else
                json_decref(ci);
            return true;
        }
        json_decref(ci);
        usleep(25000);
    }
    return false;
}

/* The block's settlement status, or "" */
static bool block_status_is(struct tacit_rpc_client *c, uint64_t h, const char *want)
{
    char hx[19];
    json_t *blk, *st;
    bool ok;
    tacit_hex_u64(hx, h);
    blk = rpc(c, "tacit_getBlockByNumber", json_pack("[s]", hx), NULL);
    st = json_object_get(json_object_get(blk, "settlement"), "status");
    ok = json_is_string(st) && strcmp(json_string_value(st), want) == 0;
    if (!ok) fprintf(stderr, "block %llu: want %s\n", (unsigned long long)h, want);
    json_decref(blk);
    return ok;
}

/* An application error's code. */
static int app_error(json_t *err) { return (int)json_integer_value(json_object_get(err, "code")); }

/* The node refuses a v1 transaction (EVERSION) and takes v2 as far as the rules without
 * state: the same transaction as v2, its ext_data_hash over this chain's L1 chain id and
 * contract, fails only later (at its anchor or proof, never its version or digest). */
/* A node in L1 mode (not a devnet) over the fake L1 f. */
static void env_init_l1(struct env *e, struct fake *f)
{
    env_init(e, false);
    e->cfg.l1_chain_id = 31337;
    memset(e->cfg.rollup_id, 0x5a, sizeof e->cfg.rollup_id);
    fake_init(f);
}

static void check_l1_tx_version(struct env *e)
{
    struct tacit_chain_params p;
    struct tacit_tx tx;
    uint8_t bytes[TACIT_TX_BYTES];
    char *hex = malloc(2 * TACIT_TX_BYTES + 3); /* tacit_hex_encode: "0x", digits, NUL */
    json_t *err = NULL, *res;
    int code;

    memset(&p, 0, sizeof p);
    p.chain_id = e->cfg.chain_id;
    memcpy(p.rollup_id, e->cfg.rollup_id, TACIT_ROLLUP_ID_LEN);
    p.tx_version = TACIT_TX_VERSION_L1;
    p.l1_chain_id = e->cfg.l1_chain_id;
    for (int v = TACIT_TX_VERSION; v <= TACIT_TX_VERSION_L1; v++) {
        memset(&tx, 0, sizeof tx);
        tx.version = (uint8_t)v;
        tx.chain_id = e->cfg.chain_id;
        tacit_fr_from_u64(&tx.pub[3], 1); /* two different nullifiers */
        tacit_tx_ext_data_hash_of(&tx.pub[2], &tx, &p);
        tacit_tx_encode(bytes, &tx);
        tacit_hex_encode(hex, bytes, sizeof bytes);
        err = NULL;
        res = rpc(e->c, "tacit_sendRawTransaction", json_pack("[s]", hex), &err);
        CHECK(json_is_null(res) || res == NULL);
        code = app_error(err);
        if (v == TACIT_TX_VERSION)
            CHECK_EQ_INT(code, 1000 + TACIT_EVERSION);
        else
            CHECK(code > 1000 && code != 1000 + TACIT_EVERSION &&
                  code != 1000 + TACIT_EEXT_DATA_HASH && code != 1000 + TACIT_ECHAIN_ID);
        json_decref(res);
        json_decref(err);
    }
    free(hex);
}

/* tacitd in L1 mode, in this process, with the fake settler: blocks only for the queue's
 * confirmed credits (no faucet), statuses in the RPC, /metrics, /health after a revert. */
TEST(node_l1_mode)
{
    struct env e;
    struct fake f;
    struct tacit_settler s = {&fake_ops, &f};
    json_t *res, *info = NULL, *blk, *st;
    char *text = NULL;
    size_t tlen;
    int status;

    env_init_l1(&e, &f);
    fake_queue(&f, 0xb1, 7000, 100);
    REQUIRE(env_start(&e, &s), "the node answers on its socket");
    res = rpc(e.c, "tacit_chainInfo", json_array(), NULL);
    st = json_object_get(res, "settlement");
    CHECK(json_is_object(st));
    CHECK(json_is_null(json_object_get(st, "sequenced")));
    CHECK(json_is_null(json_object_get(res, "height")));
    /* what a wallet needs for protocol v2: the L1 chain id and the version */
    CHECK_EQ_INT(hexnum(st, "l1ChainId"), 31337);
    CHECK_EQ_INT(json_integer_value(json_object_get(st, "txVersion")), TACIT_TX_VERSION_L1);
    json_decref(res);
    check_l1_tx_version(&e);

    /* the entry has 0 confirmations: no block for it (not even after a few intervals) */
    usleep(300000);
    res = rpc(e.c, "tacit_chainInfo", json_array(), NULL);
    CHECK(json_is_null(json_object_get(res, "height")));
    json_decref(res);

    fake_advance(&f, 2); /* two confirmations: block 0 credits it, then it is submitted */
    CHECK(wait_head(e.c, "submitted", 0, NULL));
    res = rpc(e.c, "tacit_getAccount",
              json_pack("[s]", "0xb1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"), NULL);
    CHECK(json_is_string(json_object_get(res, "balance")) &&
          strcmp(json_string_value(json_object_get(res, "balance")), "7000") == 0);
    json_decref(res);
    blk = rpc(e.c, "tacit_getBlockByNumber", json_pack("[s]", "0x0"), NULL);
    CHECK(blk != NULL && json_array_size(json_object_get(blk, "credits")) == 1);
    CHECK(json_is_string(json_object_get(json_object_get(blk, "settlement"), "l1TxHash")));
    json_decref(blk);
    CHECK(block_status_is(e.c, 0, "submitted"));

    fake_mine(&f);
    CHECK(wait_head(e.c, "settled", 0, NULL));
    CHECK(block_status_is(e.c, 0, "settled"));
    fake_advance(&f, 3);
    CHECK(wait_head(e.c, "finalized", 0, &info));
    st = json_object_get(info, "settlement");
    CHECK_EQ_INT(hexnum(st, "sequenced"), 0);
    CHECK_EQ_INT(hexnum(st, "queueNext"), 1);
    CHECK_EQ_INT(hexnum(st, "l1Head"), 106);
    CHECK(json_is_false(json_object_get(st, "halted")));
    json_decref(info);
    blk = rpc(e.c, "tacit_getBlockByNumber", json_pack("[s]", "0x0"), NULL);
    st = json_object_get(blk, "settlement");
    CHECK(strcmp(json_string_value(json_object_get(st, "status")), "finalized") == 0);
    CHECK_EQ_INT(hexnum(st, "l1Block"), 103);
    CHECK_EQ_INT(hexnum(st, "l1GasUsed"), 100000);
    json_decref(blk);

    /* a slow L1 does not slow the RPC down: the submitter waits on its own lane */
    __atomic_store_n(&f.delay_ms, 800, __ATOMIC_SEQ_CST);
    usleep(100000);
    {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < 5; i++) json_decref(rpc(e.c, "tacit_chainInfo", json_array(), NULL));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 700);
    }
    __atomic_store_n(&f.delay_ms, 0, __ATOMIC_SEQ_CST);

    /* the L1 down: the step fails (lastError), nothing moves; back up, it goes on */
    pthread_mutex_lock(&f.mu);
    f.down = true;
    pthread_mutex_unlock(&f.mu);
    for (int i = 0; i < 200; i++) {
        json_t *le;
        res = rpc(e.c, "tacit_chainInfo", json_array(), NULL);
        le = json_object_get(json_object_get(res, "settlement"), "lastError");
        if (json_is_string(le) && strcmp(json_string_value(le), "EL1_UNREACHABLE") == 0) {
            json_decref(res);
            res = NULL;
            break;
        }
        json_decref(res);
        usleep(25000);
    }
    CHECK(res == NULL); /* lastError seen */
    fake_queue(&f, 0xb3, 9, 100);
    pthread_mutex_lock(&f.mu);
    f.down = false;
    pthread_mutex_unlock(&f.mu);
    CHECK(wait_head(e.c, "submitted", 1, NULL)); /* the queued deposit: block 1, submitted */
    fake_mine(&f);
    CHECK(wait_head(e.c, "settled", 1, NULL));

    /* metrics */
    CHECK_EQ_INT(tacit_rpc_client_get(e.c, "/metrics", &status, &text, &tlen), TACIT_OK);
    CHECK_EQ_INT(status, 200);
    CHECK(text != NULL && strstr(text, "\ntacit_l1_finalized_height 0\n") != NULL);
    CHECK(text != NULL && strstr(text, "\ntacit_l1_settled_height 1\n") != NULL);
    CHECK(text != NULL && strstr(text, "\ntacit_l1_gas_used_total 200001\n") != NULL);
    CHECK(text != NULL && strstr(text, "\ntacit_l1_step_failures_total 0\n") == NULL);
    CHECK(text != NULL && strstr(text, "\ntacit_l1_submission_halted 0\n") != NULL);
    free(text);
    text = NULL;

    /* a deposit whose block reverts on L1: submission halts, /health says so */
    pthread_mutex_lock(&f.mu);
    f.revert_height = 2;
    pthread_mutex_unlock(&f.mu);
    fake_queue(&f, 0xb2, 1, 106);
    fake_advance(&f, 2);
    CHECK(wait_head(e.c, "submitted", 2, NULL));
    fake_mine(&f);
    for (int i = 0; i < 200; i++) {
        CHECK_EQ_INT(tacit_rpc_client_get(e.c, "/health", &status, &text, &tlen), TACIT_OK);
        if (status != 200) break;
        free(text);
        text = NULL;
        usleep(25000);
    }
    CHECK_EQ_INT(status, 503);
    CHECK(text != NULL && strstr(text, "settlement halted") != NULL);
    CHECK(text != NULL && strstr(text, "bad tree proof") != NULL);
    free(text);
    res = rpc(e.c, "tacit_chainInfo", json_array(), NULL);
    st = json_object_get(res, "settlement");
    CHECK(json_is_true(json_object_get(st, "halted")));
    CHECK_EQ_INT(hexnum(st, "haltedAt"), 2);
    json_decref(res);
    blk = rpc(e.c, "tacit_getBlockByNumber", json_pack("[s]", "0x2"), NULL);
    st = json_object_get(blk, "settlement");
    CHECK(strcmp(json_string_value(json_object_get(st, "status")), "reverted") == 0);
    CHECK(strstr(json_string_value(json_object_get(st, "reason")), "bad tree proof") != NULL);
    json_decref(blk);
    /* the L1 down after the halt: still halted (a failing step does not clear it) */
    pthread_mutex_lock(&f.mu);
    f.down = true;
    pthread_mutex_unlock(&f.mu);
    usleep(300000);
    CHECK_EQ_INT(tacit_rpc_client_get(e.c, "/health", &status, &text, &tlen), TACIT_OK);
    CHECK_EQ_INT(status, 503);
    CHECK(text != NULL && strstr(text, "settlement halted") != NULL &&
          strstr(text, "EL1_UNREACHABLE") != NULL);
    free(text);

    CHECK_EQ_INT(env_stop(&e), 0);
    CHECK_EQ_INT(f.prepares, 3);
    mined_once(&f, 3);
    pthread_mutex_destroy(&f.mu);
    env_free(&e);
}

/* The tx status (tacit_getTransaction) of id: "included", "pending", "rejected", ... */
static bool tx_status(struct tacit_rpc_client *c, const char *id, const char *want,
                      const char *reason)
{
    for (int i = 0; i < 200; i++) {
        json_t *r = rpc(c, "tacit_getTransaction", json_pack("[s]", id), NULL);
        const char *st = json_string_value(json_object_get(r, "status"));
        const char *why = json_string_value(json_object_get(r, "reason"));
        bool ok = st != NULL && strcmp(st, want) == 0 &&
                  (reason == NULL || (why != NULL && strstr(why, reason) != NULL));
        json_decref(r);
        if (ok) return true;
        usleep(25000);
    }
    return false;
}

static const char *balance_of(struct tacit_rpc_client *c, const char *addr, char out[32])
{
    json_t *r = rpc(c, "tacit_getAccount", json_pack("[s]", addr), NULL);
    const char *b = json_string_value(json_object_get(r, "balance"));
    snprintf(out, 32, "%s", b != NULL ? b : "?");
    json_decref(r);
    return out;
}

/* tacitd in L1 mode with the fake L1: a deposit the chain credited (and a transaction that
 * spent it) removed by an L1 reorg deeper than the confirmations, which also took the
 * settlement of the blocks after it: the node rolls the chain back to the block that credited
 * it, drops the dependent transaction with its reason, rebuilds from the queue as it is now
 * (another deposit in its place), and the contract, whose queue check refuses a block that
 * credits anything else, accepts the rebuilt blocks. chainInfo and /metrics say so. */
TEST(node_queue_reorg_rollback)
{
    struct env e;
    struct fake f;
    struct tacit_settler s = {&fake_ops, &f};
    struct tacit_chain_params p;
    struct tacit_tree_frontier fr;
    tacit__groth16_trapdoor *td = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_proof pr;
    struct tacit_tx tx;
    uint8_t seed[32] = {1}, sk[32], addr[20], bytes[TACIT_TX_BYTES], d[32], id[32];
    char addr_hex[43], id_hex[67], bal[32], *hex = malloc(2 * TACIT_TX_BYTES + 3), *text = NULL;
    json_t *res, *info = NULL, *st, *lr;
    size_t tlen;
    int status;

    env_init_l1(&e, &f);
    f.final_lag = 10; /* the reorg below is deeper than the confirmations, not than finality */
    for (int i = 0; i < 32; i++) sk[i] = (uint8_t)(0x40 + i);
    CHECK_EQ_INT(tacit_address_from_seckey(addr, sk), TACIT_OK);
    tacit_hex_encode(addr_hex, addr, 20);
    fake_queue(&f, 0xb1, 7000, 100);
    REQUIRE(env_start(&e, &s), "the node answers on its socket");
    fake_advance(&f, 2);
    CHECK(wait_head(e.c, "submitted", 0, NULL));
    fake_mine(&f); /* L1 103: block 0 settled */
    CHECK(wait_head(e.c, "settled", 0, NULL));

    /* K's deposit (entry 1, L1 block 103), credited by block 1 */
    pthread_mutex_lock(&f.mu);
    f.msg[f.nmsg] = (struct tacit_settle_message){
        .index = 1, .l1_block = 103, .kind = TACIT_SETTLE_MSG_DEPOSIT};
    memcpy(f.msg[f.nmsg].credit.address, addr, 20);
    f.msg[f.nmsg++].credit.amount = 5000;
    pthread_mutex_unlock(&f.mu);
    fake_advance(&f, 2); /* L1 105 */
    CHECK(wait_head(e.c, "submitted", 1, NULL));
    CHECK(strcmp(balance_of(e.c, addr_hex, bal), "5000") == 0);

    /* K moves 4,000 of it into the pool (a v2 deposit: EIP-712 signed, a synthetic proof) */
    memset(&p, 0, sizeof p);
    p.chain_id = e.cfg.chain_id;
    memcpy(p.rollup_id, e.cfg.rollup_id, TACIT_ROLLUP_ID_LEN);
    p.tx_version = TACIT_TX_VERSION_L1;
    p.l1_chain_id = e.cfg.l1_chain_id;
    CHECK_EQ_INT(tacit__groth16_synth_setup(&td, &vk, TACIT_TX_NPUBLIC, seed), TACIT_OK);
    memset(&tx, 0, sizeof tx);
    tx.version = TACIT_TX_VERSION_L1;
    tx.chain_id = e.cfg.chain_id;
    tacit_tree_frontier_init(&fr);
    tacit_tree_frontier_root(&tx.pub[0], &fr); /* block 0 added no note: the empty tree's */
    for (int i = 3; i < 7; i++) tacit_fr_from_u64(&tx.pub[i], 1000 + (uint64_t)i);
    tx.ext.fee = 1000;
    tx.ext.deposit_amount = 4000;
    memcpy(tx.ext.deposit_sender, addr, 20);
    tacit_tx_ext_data_hash_of(&tx.pub[2], &tx, &p);
    CHECK_EQ_INT(tacit_tx_public_amount(&tx.pub[1], &tx.ext), TACIT_OK);
    tacit_tx_deposit_digest_of(d, &tx, &p);
    CHECK_EQ_INT(tacit_deposit_sign(tx.ext.deposit_sig, sk, d), TACIT_OK);
    tacit__groth16_synth_prove(&pr, td, tx.pub, seed);
    tacit_groth16_proof_to_bytes(tx.proof, &pr);
    tacit_tx_encode(bytes, &tx);
    tacit_tx_id(id, &tx);
    tacit_hex_encode(hex, bytes, sizeof bytes);
    tacit_hex_encode(id_hex, id, 32);
    res = rpc(e.c, "tacit_sendRawTransaction", json_pack("[s]", hex), NULL);
    CHECK(json_is_string(res));
    json_decref(res);
    CHECK(tx_status(e.c, id_hex, "included", NULL));
    CHECK(strcmp(balance_of(e.c, addr_hex, bal), "1000") == 0);
    fake_mine(&f); /* L1 106: blocks 1 and 2 settled */
    CHECK(wait_head(e.c, "settled", 2, NULL));

    /* the reorg: L1 103 on replaced; K's deposit is gone, another one (0xb3, 300) took index
     * 1 in L1 block 104; the submissions of blocks 1 and 2 are gone with their blocks */
    pthread_mutex_lock(&f.mu);
    for (uint64_t b = 103; b < FAKE_MAX_BLOCKS; b++) f.gen[b]++;
    f.msg[1] = (struct tacit_settle_message){
        .index = 1, .l1_block = 104, .kind = TACIT_SETTLE_MSG_DEPOSIT};
    memset(f.msg[1].credit.address, 0xb3, 20);
    f.msg[1].credit.amount = 300;
    for (size_t i = 0; i < f.ntx; i++)
        if (f.tx[i].height >= 1 && f.tx[i].where == 1) {
            f.tx[i].where = -1;
            f.nonce_used[f.tx[i].nonce] = false;
        }
    f.contract_next = 1;
    f.queue_head = 1;
    memset(f.chain, 0, sizeof f.chain);
    fake_chain_next(f.chain, f.chain, 0);
    pthread_mutex_unlock(&f.mu);

    /* rolled back to height 1, block 1 rebuilt with 0xb3's deposit, K's transaction dropped */
    for (int i = 0; i < 200 && info == NULL; i++) {
        res = rpc(e.c, "tacit_chainInfo", json_array(), NULL);
        lr = json_object_get(json_object_get(res, "settlement"), "lastRollback");
        if (json_is_object(lr))
            info = res;
        else
            json_decref(res);
        usleep(25000);
    }
    REQUIRE(info != NULL, "the node rolled back");
    st = json_object_get(info, "settlement");
    lr = json_object_get(st, "lastRollback");
    CHECK_EQ_INT(hexnum(lr, "height"), 1);
    CHECK_EQ_INT(hexnum(lr, "blocks"), 2);
    CHECK_EQ_INT(hexnum(st, "queueReorgs"), 1);
    json_decref(info);
    CHECK(tx_status(e.c, id_hex, "rejected", NULL));
    CHECK(wait_head(e.c, "submitted", 1, NULL));
    CHECK(strcmp(balance_of(e.c, addr_hex, bal), "0") == 0);
    CHECK(strcmp(balance_of(e.c, "0xb3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3", bal), "300") == 0);
    fake_mine(&f);
    CHECK(wait_head(e.c, "settled", 1, &info));
    CHECK_EQ_INT(hexnum(json_object_get(info, "settlement"), "sequenced"), 1);
    json_decref(info);
    pthread_mutex_lock(&f.mu);
    CHECK_EQ_INT(f.contract_next, 2); /* the rebuilt block 1 accepted: its credits match */
    CHECK_EQ_INT(f.queue_head, 2);
    for (size_t i = 0; i < f.ntx; i++) CHECK(!(f.tx[i].where == 1 && f.tx[i].reverted));
    pthread_mutex_unlock(&f.mu);

    CHECK_EQ_INT(tacit_rpc_client_get(e.c, "/metrics", &status, &text, &tlen), TACIT_OK);
    CHECK(text != NULL && strstr(text, "tacit_chain_rollbacks_total 1\n") != NULL);
    CHECK(text != NULL && strstr(text, "tacit_chain_rolled_back_blocks_total 2\n") != NULL);
    CHECK(text != NULL && strstr(text, "tacit_l1_queue_reorgs_total 1\n") != NULL);
    free(text);
    CHECK_EQ_INT(env_stop(&e), 0);
    env_free(&e);
    tacit__groth16_trapdoor_free(td);
    tacit_groth16_vk_free(vk);
    free(hex);
    pthread_mutex_destroy(&f.mu);
}

/* A devnet in L1 mode: the genesis block funds nobody, dev_fund and dev_revert are refused;
 * the node stopped while a block's transaction is pending and started again follows that
 * transaction (no second one); an L1 chain without the L1 refuses to start. */
TEST(node_devnet_l1_restart)
{
    struct env e;
    struct fake f;
    struct tacit_settler s = {&fake_ops, &f};
    json_t *res, *err = NULL, *blk;

    env_init(&e, true);
    fake_init(&f);
    REQUIRE(env_start(&e, &s), "the devnet answers on its socket");
    blk = rpc(e.c, "tacit_getBlockByNumber", json_pack("[s]", "0x0"), NULL);
    CHECK(json_is_object(blk) && json_array_size(json_object_get(blk, "credits")) == 0);
    json_decref(blk);
    res = rpc(e.c, "dev_fund",
              json_pack("[s,s]", "0xb1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", "5"), &err);
    CHECK(res == NULL && app_error(err) == TACIT_RPC_APP_BASE + TACIT_ECREDIT);
    json_decref(err);
    res = rpc(e.c, "dev_snapshot", json_array(), NULL);
    json_decref(res);
    res = rpc(e.c, "dev_revert", json_pack("[s]", "0x1"), &err);
    CHECK(res == NULL && app_error(err) == TACIT_RPC_APP_BASE + TACIT_EINVAL);
    json_decref(err);

    CHECK(wait_head(e.c, "submitted", 0, NULL)); /* the genesis block */
    fake_mine(&f);
    CHECK(wait_head(e.c, "settled", 0, NULL));
    res = rpc(e.c, "dev_mine", json_array(), NULL); /* block 1 */
    CHECK(res != NULL);
    json_decref(res);
    CHECK(wait_head(e.c, "submitted", 1, NULL));
    CHECK(block_status_is(e.c, 1, "submitted"));
    CHECK_EQ_INT(env_stop(&e), 0); /* its transaction pending */
    CHECK_EQ_INT(f.prepares, 2);

    REQUIRE(env_start(&e, &s), "the devnet starts again");
    CHECK(block_status_is(e.c, 1, "submitted"));
    usleep(200000); /* steps: nothing prepared or sent again */
    CHECK_EQ_INT(f.prepares, 2);
    CHECK_EQ_INT(f.sends, 2);
    fake_mine(&f);
    CHECK(wait_head(e.c, "settled", 1, NULL));
    CHECK_EQ_INT(env_stop(&e), 0);
    mined_once(&f, 2);

    /* without the settler: refused, nothing served */
    CHECK(!env_start(&e, NULL));
    CHECK_EQ_INT(e.rc, 1);
    /* L1 flags without a settler: refused before anything is opened */
    e.cfg.l1_rpc = "http://127.0.0.1:1";
    CHECK(!env_start(&e, NULL));
    CHECK_EQ_INT(e.rc, 1);
    pthread_mutex_destroy(&f.mu);
    env_free(&e);
}

/* A block larger than one L1 transaction (the settler plans 3 parts) goes out in parts, one at a
 * time and only behind settled blocks, nothing behind it until its last part is in; it settles
 * with its last part; a crash between a part's record and its send sends the same part again;
 * every part mined once, the gas of all counted. */
TEST(block_in_parts)
{
    struct chain c;
    struct tacit__settle_out o;
    struct tacit__settle_sub sub;
    struct tacit__settle_heads h;
    chain_init(&c);
    for (int i = 0; i < 3; i++) chain_block(&c, NULL, 0);
    c.f.parts_height = 1;
    c.f.parts_n = 3;
    c.f.final_lag = 50;                           /* nothing final here */
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK); /* block 0; block 1 waits for it to settle */
    check_heads(&c, 1, 0, 0);
    CHECK_EQ_INT(c.f.prepares, 1);
    CHECK_EQ_INT(sub_state(&c, 1), -TACIT_ENOTFOUND);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK); /* block 0 settled; block 1's part 0 */
    check_heads(&c, 2, 1, 0);
    CHECK_EQ_INT(c.f.prepares, 2);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 1, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.part, 0);
    CHECK_EQ_INT(sub.nparts, 3);
    CHECK_EQ_INT(sub.state, TACIT__SUB_SENT);
    tacit__settle_sub_clear(&sub);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK); /* pending: nothing new, nothing behind */
    CHECK_EQ_INT(c.f.prepares, 2);
    CHECK_EQ_INT(sub_state(&c, 2), -TACIT_ENOTFOUND);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK); /* part 0 in: part 1 out */
    check_heads(&c, 2, 1, 0);
    CHECK_EQ_INT(c.f.prepares, 3);
    CHECK_EQ_INT(c.f.partial_next, 1);
    fake_mine(&c.f);
    c.f.crash_send = true; /* part 1 in: part 2 recorded, the send "crashes" */
    CHECK(step_w(&c, &o, 4, 0) != TACIT_OK);
    CHECK_EQ_INT(c.f.prepares, 4);
    chain_reopen(&c);
    CHECK_EQ_INT(tacit__settle_sub_load(c.st, 1, &sub), TACIT_OK);
    CHECK_EQ_INT(sub.part, 2);
    CHECK_EQ_INT(sub.state, TACIT__SUB_PREPARED);
    tacit__settle_sub_clear(&sub);
    check_heads(&c, 2, 1, 0);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK); /* the same part 2 sent, no new one */
    CHECK_EQ_INT(c.f.prepares, 4);
    check_heads(&c, 2, 1, 0);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK); /* block 1 settled; block 2 (whole) out */
    check_heads(&c, 3, 2, 0);
    CHECK_EQ_INT(c.f.contract_next, 2);
    CHECK_EQ_INT(c.f.prepares, 5);
    fake_mine(&c.f);
    CHECK_EQ_INT(step_w(&c, &o, 4, 0), TACIT_OK);
    check_heads(&c, 3, 3, 0);
    CHECK_EQ_INT(fake_mined_for(&c.f, 0), 1);
    CHECK_EQ_INT(fake_mined_for(&c.f, 1), 3);
    CHECK_EQ_INT(fake_mined_for(&c.f, 2), 1);
    CHECK_EQ_INT(c.f.contract_next, 3);
    CHECK_EQ_INT(tacit__settle_heads_load(c.st, &h), TACIT_OK);
    CHECK_EQ_INT(h.gas_used, 5 * 100000 + 0 + 3 * 1 + 2);
    chain_free(&c);
}

/* A block whose gas estimate is above one L1 transaction's limit (the sender's ETOOBIG): the
 * submitter halts with a reason that says so; nothing is sent or recorded. */
TEST(estimate_too_big_halts)
{
    struct chain c;
    struct tacit__settle_out o;
    chain_init(&c);
    chain_block(&c, NULL, 0);
    c.f.toobig_height = 0;
    CHECK_EQ_INT(step(&c, &o), TACIT_OK);
    CHECK(o.halted);
    CHECK_EQ_INT(o.halt_height, 0);
    CHECK(strstr(o.halt_reason, "EIP-7825") != NULL);
    CHECK_EQ_INT(c.f.sends, 0);
    CHECK_EQ_INT(sub_state(&c, 0), -TACIT_ENOTFOUND);
    check_heads(&c, 0, 0, 0);
    chain_free(&c);
}

/* ------------------------------------------------- forced transactions ---- */

/* The included forced transactions of a block are its first ones, all in its first part: the
 * planner never splits it so that they would not be (docs/protocol.md 8.1). */
TEST(part_planner_forced_first)
{
    /* a budget that takes 4 transactions per part */
    uint64_t budget = tacit_rollup_gas_estimate(4, 0, 128);
    size_t n0 = tacit_rollup_part_count(40, 0, 0, 128, budget), n, first, count;
    CHECK_EQ_INT(n0, 10);
    for (size_t f = 1; f <= 16; f++) {
        n = tacit_rollup_part_count(40, 0, f, 128, budget);
        tacit_rollup_part_range(40, n, 0, &first, &count);
        CHECK_EQ_INT(first, 0);
        CHECK(count >= f);
        CHECK(n <= n0);
        if (f <= 4) CHECK_EQ_INT(n, n0); /* they fit anyway: the same split */
    }
    CHECK_EQ_INT(tacit_rollup_part_count(40, 0, 16, 128, budget), 2);
    CHECK_EQ_INT(tacit_rollup_part_count(40, 0, 40, 128, budget), 1);
    CHECK_EQ_INT(tacit_rollup_part_count(0, 3, 0, 128, budget), 1);
}

static void fake_queue_forced(struct fake *f, const uint8_t tx[TACIT_TX_BYTES], uint64_t l1_block)
{
    struct tacit_settle_message m;
    memset(&m, 0, sizeof m);
    m.kind = TACIT_SETTLE_MSG_FORCED;
    memcpy(m.tx, tx, TACIT_TX_BYTES);
    tacit_keccak256(m.tx_hash, tx, TACIT_TX_BYTES);
    fake_push(f, &m, l1_block);
}

/* A v2 transaction of the node's chain (no proof: the builder trusts the contract's check) on
 * the empty tree's root, spending nullifiers a and b, fee 0; its id in id. */
static void forced_tx(uint8_t out[TACIT_TX_BYTES], uint8_t id[32], const struct env *e, uint64_t a,
                      uint64_t b)
{
    struct tacit_chain_params p;
    struct tacit_tree_frontier fr;
    struct tacit_tx tx;
    memset(&p, 0, sizeof p);
    p.chain_id = e->cfg.chain_id;
    memcpy(p.rollup_id, e->cfg.rollup_id, TACIT_ROLLUP_ID_LEN);
    p.tx_version = TACIT_TX_VERSION_L1;
    p.l1_chain_id = e->cfg.l1_chain_id;
    memset(&tx, 0, sizeof tx);
    tx.version = TACIT_TX_VERSION_L1;
    tx.chain_id = e->cfg.chain_id;
    tacit_tree_frontier_init(&fr);
    tacit_tree_frontier_root(&tx.pub[0], &fr);
    tacit_fr_from_u64(&tx.pub[3], a);
    tacit_fr_from_u64(&tx.pub[4], b);
    tacit_fr_from_u64(&tx.pub[5], 1000000 + a);
    tacit_fr_from_u64(&tx.pub[6], 2000000 + a);
    tacit_tx_ext_data_hash_of(&tx.pub[2], &tx, &p);
    CHECK_EQ_INT(tacit_tx_public_amount(&tx.pub[1], &tx.ext), TACIT_OK);
    tacit_tx_encode(out, &tx);
    tacit_tx_id(id, &tx);
}

/* Every block's credits in order (one per queue entry): the block, the address's first byte
 * (0 for a marker) and the amount; every block's tx ids. */
struct qview {
    size_t n;
    uint64_t block[64];
    int addr0[64];
    uint64_t amount[64];
    size_t nblocks;
    size_t ntxs[64];
    char txs[64][20][67];
};

static void read_queue_view(struct env *e, struct qview *q)
{
    json_t *ci = rpc(e->c, "tacit_chainInfo", json_array(), NULL);
    uint64_t tip = hexnum(ci, "height");
    json_decref(ci);
    memset(q, 0, sizeof *q);
    for (uint64_t h = 0; h <= tip && h < 64; h++) {
        char hx[19];
        json_t *blk, *cr, *txs;
        tacit_hex_u64(hx, h);
        blk = rpc(e->c, "tacit_getBlockByNumber", json_pack("[s]", hx), NULL);
        cr = json_object_get(blk, "credits");
        txs = json_object_get(blk, "txs");
        for (size_t i = 0; i < json_array_size(cr) && q->n < 64; i++) {
            json_t *c = json_array_get(cr, i);
            const char *addr = json_string_value(json_object_get(c, "address"));
            uint8_t a[20] = {0};
            CHECK(addr != NULL && tacit_hex_decode(a, 20, addr, true) == TACIT_OK);
            q->block[q->n] = h;
            q->addr0[q->n] = a[0];
            CHECK_EQ_INT(tacit_parse_dec_u64(&q->amount[q->n],
                                             json_string_value(json_object_get(c, "amount"))),
                         TACIT_OK);
            q->n++;
        }
        for (size_t i = 0; i < json_array_size(txs) && i < 20; i++)
            snprintf(q->txs[h][i], sizeof q->txs[h][i], "%s",
                     json_string_value(json_array_get(txs, i)));
        q->ntxs[h] = json_array_size(txs);
        q->nblocks = h + 1;
        json_decref(blk);
    }
}

static bool tx_is(const struct qview *q, uint64_t h, size_t i, const uint8_t id[32])
{
    char hex[67];
    tacit_hex_encode(hex, id, 32);
    return h < 64 && i < q->ntxs[h] && strcmp(q->txs[h][i], hex) == 0;
}

/*
 * tacitd in L1 mode with the fake settler's queue holding forced transactions
 * (docs/protocol.md 8.1): one included (its marker 1, the block's first tx); one sharing a
 * nullifier with it in the same confirmed batch stops the block there and the next block
 * consumes it as failed, with the deposit behind it and 16 of the 17 forced entries after it
 * (the limit), the 17th and the deposit after it in the block after; the node stopped, two more queued
 * meanwhile (one spending a nullifier an included one spent: failed; one new: included) and
 * started again: the queue goes on from its recorded position, no entry consumed twice.
 */
TEST(node_forced_transactions)
{
    struct env e;
    struct fake f;
    struct tacit_settler s = {&fake_ops, &f};
    struct qview q;
    uint8_t tx[TACIT_TX_BYTES], id1[32], id2[32], idc[17][32], id3[32], id4[32];

    env_init(&e, false);
    e.cfg.l1_chain_id = 31337;
    memset(e.cfg.rollup_id, 0x5a, sizeof e.cfg.rollup_id);
    fake_init(&f);
    fake_queue(&f, 0xd0, 10, 100); /* entry 0: block 0, its root the anchor of the others */
    REQUIRE(env_start(&e, &s), "the node answers on its socket");
    fake_advance(&f, 2);
    CHECK(wait_head(e.c, "queueNext", 1, NULL));

    /* entries 1-3: F1, F2 (shares nullifier 102 with F1), a deposit */
    forced_tx(tx, id1, &e, 101, 102);
    fake_queue_forced(&f, tx, 103);
    forced_tx(tx, id2, &e, 102, 103);
    fake_queue_forced(&f, tx, 103);
    fake_queue(&f, 0xd1, 11, 103);
    /* entries 4-20: 17 forced, entry 21: a deposit */
    for (int i = 0; i < 17; i++) {
        forced_tx(tx, idc[i], &e, 200 + 2 * (uint64_t)i, 201 + 2 * (uint64_t)i);
        fake_queue_forced(&f, tx, 103);
    }
    fake_queue(&f, 0xd2, 12, 103);
    fake_advance(&f, 3);
    CHECK(wait_head(e.c, "queueNext", 22, NULL));
    CHECK_EQ_INT(env_stop(&e), 0);

    /* stopped: entries 22 (spends 200, spent by entry 4's tx: failed) and 23 (new) */
    forced_tx(tx, id3, &e, 200, 900);
    fake_queue_forced(&f, tx, 106);
    forced_tx(tx, id4, &e, 300, 301);
    fake_queue_forced(&f, tx, 106);
    fake_advance(&f, 3);
    REQUIRE(env_start(&e, &s), "the node starts again");
    CHECK(wait_head(e.c, "queueNext", 24, NULL));
    usleep(200000); /* more blocks would consume nothing more */
    read_queue_view(&e, &q);
    CHECK_EQ_INT(q.n, 24);
    if (q.n == 24) {
        uint64_t b1 = q.block[1], bc = q.block[4];
        /* F1 included: marker 1, the block's first tx; F2 stopped it: next block, failed */
        CHECK(q.addr0[1] == 0 && q.amount[1] == 1);
        CHECK(tx_is(&q, b1, 0, id1));
        CHECK_EQ_INT(q.ntxs[b1], 1);
        CHECK(q.addr0[2] == 0 && q.amount[2] == 0);
        CHECK(q.block[2] > b1);
        CHECK(q.addr0[3] == 0xd1 && q.amount[3] == 11 && q.block[3] == q.block[2]);
        /* that block goes on: 16 forced included, the 17th and the deposit in a later one */
        CHECK_EQ_INT(bc, q.block[2]);
        for (int i = 0; i < 16; i++) {
            CHECK(q.addr0[4 + i] == 0 && q.amount[4 + i] == 1 && q.block[4 + i] == bc);
            CHECK(tx_is(&q, bc, (size_t)i, idc[i]));
        }
        CHECK_EQ_INT(q.ntxs[bc], 16);
        CHECK(q.addr0[20] == 0 && q.amount[20] == 1 && q.block[20] > bc);
        CHECK(tx_is(&q, q.block[20], 0, idc[16]));
        CHECK(q.addr0[21] == 0xd2 && q.block[21] == q.block[20]);
        /* after the restart: failed, then included */
        CHECK(q.addr0[22] == 0 && q.amount[22] == 0);
        CHECK(q.addr0[23] == 0 && q.amount[23] == 1);
        CHECK(tx_is(&q, q.block[23], 0, id4));
        /* no forced tx twice, none of the failed ones anywhere */
        {
            size_t total = 0;
            for (size_t h = 0; h < q.nblocks; h++) {
                total += q.ntxs[h];
                for (size_t i = 0; i < q.ntxs[h]; i++)
                    CHECK(!tx_is(&q, h, i, id2) && !tx_is(&q, h, i, id3));
            }
            CHECK_EQ_INT(total, 19);
        }
    }
    CHECK_EQ_INT(env_stop(&e), 0);
    pthread_mutex_destroy(&f.mu);
    env_free(&e);
}

static const struct tacit_test tests[] = {
    {"part_planner_forced_first", part_planner_forced_first},
    {"node_forced_transactions", node_forced_transactions},
    {"statuses_in_order", statuses_in_order},
    {"open_submission_steps", open_submission_steps},
    {"restart_after_send", restart_after_send},
    {"restart_before_send", restart_before_send},
    {"unreachable_then_back", unreachable_then_back},
    {"revert_halts", revert_halts},
    {"estimate_revert_halts", estimate_revert_halts},
    {"nonce_taken", nonce_taken},
    {"reorg_unsettles", reorg_unsettles},
    {"reorg_dropped_resubmitted", reorg_dropped_resubmitted},
    {"queue_reorg_detected", queue_reorg_detected},
    {"window_of_four", window_of_four},
    {"receipts_out_of_order", receipts_out_of_order},
    {"crash_with_several_pending", crash_with_several_pending},
    {"revert_in_window", revert_in_window},
    {"fee_bump", fee_bump},
    {"block_in_parts", block_in_parts},
    {"estimate_too_big_halts", estimate_too_big_halts},
    {"underpriced_repriced", underpriced_repriced},
    {"queue_confirmations", queue_confirmations},
    {"mode_marker", mode_marker},
    {"node_l1_mode", node_l1_mode},
    {"node_devnet_l1_restart", node_devnet_l1_restart},
    {"node_queue_reorg_rollback", node_queue_reorg_rollback},
};

TACIT_TEST_MAIN(tests)
