/*
 * tacit — the contract client's settler reading the L1 message queue (src/settle/settler.c,
 * messages) over an in-memory L1 whose history is long and whose eth_getLogs refuses ranges
 * past a cap, as providers do: the scan starts at the contract's deployBlock() (read once), never
 * at block 0; no request spans more blocks than the cap (10,000 by default, and halved until a
 * tighter cap is met); a long history is read over several calls; entries come in index order
 * with their L1 blocks, none twice; a call once the queue is read asks only for the newest
 * blocks; an entry queued later is found. One scan reads Deposited and ForcedTransaction logs
 * (topic 0 as either), each entry checked against the queue's rolling hash (read from the
 * contract's queueHash(i) where a scan starts past 0): a forced entry comes with its 1,808
 * bytes, a log whose hash does not chain is refused (EL1_REPLY) and the entries before it kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"
#include "tacit/l1.h"
#include "tacit/rollup.h"
#include "tacit/settle.h"

#define CONTRACT 0x5c
#define DEPLOY 5000000ull /* the contract's deployBlock() */
#define NDEP_MAX 8

struct fake {
    uint64_t head;
    uint64_t cap; /* eth_getLogs spanning more blocks: refused (EL1_RPC) */
    uint64_t dep_block[NDEP_MAX];
    size_t ndep;
    bool forced[NDEP_MAX]; /* entry i is a forced transaction: tx i */
    uint8_t tx[NDEP_MAX][TACIT_TX_BYTES];
    long bad_hash; /* this entry's log carries a wrong queue hash (-1: none) */
    /* what was asked */
    size_t deploy_reads, hash_reads, requests, refused;
    uint64_t lowest_from, widest, last_from;
};

/* The queue's rolling hash after n entries (the contract's queueHash(n)). */
static void queue_hash(const struct fake *f, size_t n, uint8_t out[32])
{
    memset(out, 0, 32);
    for (size_t i = 0; i < n; i++) {
        if (f->forced[i]) {
            uint8_t th[32];
            tacit_keccak256(th, f->tx[i], TACIT_TX_BYTES);
            tacit_rollup_queue_hash_forced(out, out, th);
        } else {
            struct tacit_credit c = {.amount = i + 1};
            c.address[19] = (uint8_t)(0xa0 + i);
            tacit_rollup_queue_hash(out, out, &c);
        }
    }
}

static int f_block_number(void *ctx, struct tacit_l1_error *err, uint64_t *out)
{
    (void)err;
    *out = ((struct fake *)ctx)->head;
    return TACIT_OK;
}

static int f_call(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_call *call,
                  uint64_t block, uint8_t **out, size_t *len)
{
    struct fake *f = ctx;
    uint8_t sel[4], *w;
    (void)err;
    (void)block;
    *out = NULL;
    *len = 0;
    if (call->to[19] != CONTRACT) return TACIT_EL1_REVERTED;
    if (tacit_abi_selector(sel, "queueHash(uint256)") == TACIT_OK && call->data_len == 36 &&
        memcmp(call->data, sel, 4) == 0) {
        uint64_t i = 0;
        for (int k = 28; k < 36; k++) i = i << 8 | call->data[k];
        if (i > f->ndep || (w = calloc(1, 32)) == NULL) return TACIT_EL1_REVERTED;
        queue_hash(f, (size_t)i, w);
        f->hash_reads++;
        *out = w;
        *len = 32;
        return TACIT_OK;
    }
    if (tacit_abi_selector(sel, "deployBlock()") != TACIT_OK || call->data_len != 4 ||
        memcmp(call->data, sel, 4) != 0)
        return TACIT_EL1_REVERTED;
    if ((w = calloc(1, 32)) == NULL) return TACIT_ENOMEM;
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(DEPLOY >> (8 * i));
    f->deploy_reads++;
    *out = w;
    *len = 32;
    return TACIT_OK;
}

static void word64(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
}

/* ForcedTransaction(uint64 indexed index, bytes32 indexed txHash, bytes32 queueHash, bytes tx):
 * its topics and data (abi.encode(queueHash, tx), written here word by word). */
static int forced_log(struct tacit_l1_log *l, const uint8_t topic[32], uint64_t i,
                      const uint8_t tx[TACIT_TX_BYTES], const uint8_t qh[32])
{
    size_t padded = (TACIT_TX_BYTES + 31) / 32 * 32;
    memcpy(l->topics[0], topic, 32);
    word64(l->topics[1], i);
    tacit_keccak256(l->topics[2], tx, TACIT_TX_BYTES);
    l->ntopics = 3;
    if ((l->data = calloc(1, 96 + padded)) == NULL) return TACIT_ENOMEM;
    memcpy(l->data, qh, 32);
    word64(l->data + 32, 64);
    word64(l->data + 64, TACIT_TX_BYTES);
    memcpy(l->data + 96, tx, TACIT_TX_BYTES);
    l->data_len = 96 + padded;
    return TACIT_OK;
}

/* Deposited(uint64 indexed index, address indexed account, uint64 amount, bytes32 queueHash):
 * entry i credits account 0xa0+i with (i + 1) gwei; a forced entry i: ForcedTransaction with
 * tx i. The filter must ask for both events at position 0. */
static int f_get_logs(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_filter *flt,
                      struct tacit_l1_log **out, size_t *n)
{
    struct fake *f = ctx;
    uint8_t topic[32], ftopic[32], qh[32];
    struct tacit_l1_log *logs;
    *out = NULL;
    *n = 0;
    f->requests++;
    if (flt->from_block < f->lowest_from) f->lowest_from = flt->from_block;
    f->last_from = flt->from_block;
    if (flt->to_block >= TACIT_L1_FINALIZED || flt->from_block > flt->to_block ||
        flt->to_block > f->head)
        return TACIT_EL1_RPC;
    if (flt->to_block - flt->from_block + 1 > f->widest)
        f->widest = flt->to_block - flt->from_block + 1;
    if (flt->to_block - flt->from_block + 1 > f->cap) {
        f->refused++;
        snprintf(err->message, sizeof err->message, "block range too large");
        return TACIT_EL1_RPC;
    }
    tacit_keccak256(topic, (const uint8_t *)"Deposited(uint64,address,uint64,bytes32)",
                    strlen("Deposited(uint64,address,uint64,bytes32)"));
    tacit_keccak256(ftopic, (const uint8_t *)"ForcedTransaction(uint64,bytes32,bytes32,bytes)",
                    strlen("ForcedTransaction(uint64,bytes32,bytes32,bytes)"));
    if (flt->naddresses != 1 || flt->addresses[0][19] != CONTRACT || flt->ntopic0_any != 2 ||
        memcmp(flt->topic0_any[0], topic, 32) != 0 || memcmp(flt->topic0_any[1], ftopic, 32) != 0)
        return TACIT_EL1_RPC;
    if ((logs = calloc(NDEP_MAX, sizeof *logs)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < f->ndep; i++) {
        struct tacit_l1_log *l;
        if (f->dep_block[i] < flt->from_block || f->dep_block[i] > flt->to_block) continue;
        l = &logs[(*n)++];
        l->address[19] = CONTRACT;
        l->block_number = f->dep_block[i];
        l->log_index = i;
        queue_hash(f, i + 1, qh);
        if ((long)i == f->bad_hash) qh[0] ^= 1;
        if (f->forced[i]) {
            if (forced_log(l, ftopic, i, f->tx[i], qh) != TACIT_OK) {
                tacit_l1_logs_free(logs, *n);
                *n = 0;
                return TACIT_ENOMEM;
            }
            continue;
        }
        memcpy(l->topics[0], topic, 32);
        word64(l->topics[1], i);
        word64(l->topics[2], 0xa0 + i);
        l->ntopics = 3;
        if ((l->data = calloc(1, 64)) == NULL) {
            tacit_l1_logs_free(logs, *n);
            *n = 0;
            return TACIT_ENOMEM;
        }
        word64(l->data, i + 1);
        memcpy(l->data + 32, qh, 32);
        l->data_len = 64;
    }
    *out = logs;
    return TACIT_OK;
}

static int f_chain_id(void *ctx, struct tacit_l1_error *err, uint64_t *out)
{
    (void)ctx;
    (void)err;
    *out = 31337;
    return TACIT_OK;
}

static const struct tacit_l1_ops fake_ops = {
    .chain_id = f_chain_id,
    .block_number = f_block_number,
    .call = f_call,
    .get_logs = f_get_logs,
};

struct rig {
    struct fake f;
    struct tacit_l1 *l1;
    struct tacit_eth_key *key;
    struct tacit_l1_sender *sender;
    struct tacit_settler st;
};

static bool rig_open(struct rig *r, uint64_t cap, uint64_t log_range)
{
    struct tacit_rollup_settler_opts o;
    struct tacit_l1_sender_opts so = {.chain_id = 31337};
    uint8_t sk[32] = {[31] = 7};
    /* messages never proves: any non-NULL key pointer serves (it is not read) */
    static const uint8_t not_a_key[1];

    memset(r, 0, sizeof *r);
    r->f.cap = cap;
    r->f.bad_hash = -1;
    r->f.lowest_from = UINT64_MAX;
    if (tacit_l1_new(&r->l1, &fake_ops, &r->f) != TACIT_OK ||
        tacit_eth_key_new(&r->key, sk) != TACIT_OK ||
        tacit_l1_sender_new(&r->sender, r->l1, r->key, &so) != TACIT_OK)
        return false;
    memset(&o, 0, sizeof o);
    o.l1 = r->l1;
    o.sender = r->sender;
    o.contract[19] = CONTRACT;
    o.tree_pk = (const tacit_groth16_pk *)(const void *)not_a_key;
    o.max_leaves = 2;
    o.log_range = log_range;
    return tacit_rollup_settler_new(&r->st, &o) == TACIT_OK;
}

static void rig_close(struct rig *r)
{
    tacit_rollup_settler_free(&r->st);
    tacit_l1_sender_free(r->sender);
    tacit_eth_key_free(r->key);
    tacit_l1_free(r->l1); /* the fake's ctx is the rig's: ops->free is NULL */
}

/* The L1 head `head` blocks past the deployment, entry i queued at deployment + at[i]. */
static void history(struct rig *r, uint64_t head, const uint64_t *at, size_t n)
{
    r->f.head = DEPLOY + head;
    for (size_t i = 0; i < n && r->f.ndep < NDEP_MAX; i++)
        r->f.dep_block[r->f.ndep++] = DEPLOY + at[i];
}

/* Calls messages as the node's step does (from the first entry not read yet, up to head - 1:
 * one confirmation) until entry `want` is read or `calls` calls were made; checks each entry. */
static size_t read_queue(struct rig *r, size_t *have, size_t want, unsigned calls)
{
    struct tacit_settle_message m[4];
    size_t made = 0;
    while (*have < want && made < calls) {
        size_t n = 99;
        int rc = r->st.ops->messages(r->st.ctx, *have, r->f.head - 1, m, 4, &n);
        made++;
        CHECK_EQ_INT(rc, TACIT_OK);
        if (rc != TACIT_OK) break;
        CHECK(n <= 4);
        for (size_t i = 0; i < n && i < 4; i++, (*have)++) {
            CHECK_EQ_INT(m[i].index, *have);
            CHECK_EQ_INT(m[i].l1_block, r->f.dep_block[*have]);
            if (r->f.forced[*have]) {
                uint8_t th[32];
                CHECK_EQ_INT(m[i].kind, TACIT_SETTLE_MSG_FORCED);
                CHECK_MEM(m[i].tx, r->f.tx[*have], TACIT_TX_BYTES);
                tacit_keccak256(th, r->f.tx[*have], TACIT_TX_BYTES);
                CHECK_MEM(m[i].tx_hash, th, 32);
                continue;
            }
            CHECK_EQ_INT(m[i].kind, TACIT_SETTLE_MSG_DEPOSIT);
            CHECK_EQ_INT(m[i].credit.amount, *have + 1);
            CHECK_EQ_INT(m[i].credit.address[19], 0xa0 + *have);
        }
    }
    return made;
}

/* 45,000 blocks since the deployment at block 5,000,000, a provider capping eth_getLogs at
 * 10,000 blocks: the old scan from block 0 was refused (a range of 5 million blocks). */
TEST(from_deploy_block_in_ranges)
{
    struct rig r;
    size_t have = 0, made;
    REQUIRE(rig_open(&r, 10000, 0), "the settler over the in-memory L1");
    history(&r, 45000, (const uint64_t[]){3, 12000, 12000, 39999, 44000}, 5);
    made = read_queue(&r, &have, 5, 10);
    CHECK_EQ_INT(have, 5);
    CHECK(made <= 3); /* 4 entries per call: two calls read them all */
    CHECK_EQ_INT(r.f.lowest_from, DEPLOY);
    CHECK(r.f.widest <= 10000);
    CHECK_EQ_INT(r.f.refused, 0);
    CHECK_EQ_INT(r.f.deploy_reads, 1);

    /* the queue read: the next call asks for the newest blocks only (less the reorg margin) */
    {
        struct tacit_settle_message m[4];
        size_t n = 99, before = r.f.requests;
        r.f.head += 5;
        CHECK_EQ_INT(r.st.ops->messages(r.st.ctx, 5, r.f.head - 1, m, 4, &n), TACIT_OK);
        CHECK_EQ_INT(n, 0);
        CHECK_EQ_INT(r.f.requests - before, 1);
        CHECK(r.f.last_from >= DEPLOY + 44000 && r.f.last_from + 200 >= r.f.head);
    }
    /* an entry queued later is found, and nothing twice */
    r.f.dep_block[r.f.ndep++] = r.f.head + 2;
    r.f.head += 10;
    made = read_queue(&r, &have, 6, 3);
    CHECK_EQ_INT(have, 6);
    CHECK_EQ_INT(made, 1);
    CHECK_EQ_INT(r.f.deploy_reads, 1);
    CHECK(r.f.widest <= 10000);
    rig_close(&r);
}

/* A provider with a tighter cap (900 blocks) than the settler's range: it halves its range
 * until the provider takes it, and reads a long history over several calls. */
TEST(tighter_cap_halves_the_range)
{
    struct rig r;
    size_t have = 0, made;
    REQUIRE(rig_open(&r, 900, 0), "the settler over the in-memory L1");
    history(&r, 60000, (const uint64_t[]){100, 30000, 59990}, 3);
    made = read_queue(&r, &have, 3, 40);
    CHECK_EQ_INT(have, 3);
    CHECK(made > 1); /* 60,000 blocks at most 16 requests of <= 900 per call */
    CHECK(r.f.refused >= 1 && r.f.refused <= 5); /* 10,000 halved to 625: four refusals */
    CHECK_EQ_INT(r.f.lowest_from, DEPLOY);
    CHECK_EQ_INT(r.f.deploy_reads, 1);
    rig_close(&r);
}

/* The range is the opts' log_range when given; an L1 refusing even one block is an error. */
TEST(log_range_option_and_refusal)
{
    struct rig r;
    struct tacit_settle_message m[4];
    size_t have = 0, n = 99;
    REQUIRE(rig_open(&r, 10000, 500), "the settler over the in-memory L1");
    history(&r, 3000, (const uint64_t[]){2500}, 1);
    read_queue(&r, &have, 1, 3);
    CHECK_EQ_INT(have, 1);
    CHECK_EQ_INT(r.f.widest, 500);
    rig_close(&r);

    REQUIRE(rig_open(&r, 0, 0), "the settler over the in-memory L1");
    r.f.head = DEPLOY + 3000;
    CHECK_EQ_INT(r.st.ops->messages(r.st.ctx, 0, r.f.head - 1, m, 4, &n), TACIT_EL1_RPC);
    CHECK_EQ_INT(n, 0);
    rig_close(&r);
}

/* Deposits and forced transactions in one scan, in queue order, each hash chained: a scan that
 * starts past entry 0 reads the contract's queueHash(from) once; a log whose queue hash does not
 * chain is refused (EL1_REPLY), the entries before it kept, and read again once it does. */
TEST(forced_entries_and_queue_hash)
{
    struct rig r;
    struct tacit_settle_message m[4];
    size_t have = 0, n = 99;
    REQUIRE(rig_open(&r, 10000, 0), "the settler over the in-memory L1");
    history(&r, 3000, (const uint64_t[]){10, 20, 20, 30, 40, 50}, 6);
    for (size_t i = 1; i < 6; i += 2) {
        r.f.forced[i] = true;
        for (size_t k = 0; k < TACIT_TX_BYTES; k++) r.f.tx[i][k] = (uint8_t)(k * 7 + i);
    }
    r.f.bad_hash = 3;
    CHECK_EQ_INT(r.st.ops->messages(r.st.ctx, 0, r.f.head - 1, m, 4, &n), TACIT_OK);
    CHECK_EQ_INT(n, 3); /* entries 0-2; entry 3's hash does not chain */
    CHECK_EQ_INT(r.f.hash_reads, 0);
    CHECK_EQ_INT(m[1].kind, TACIT_SETTLE_MSG_FORCED);
    CHECK_MEM(m[1].tx, r.f.tx[1], TACIT_TX_BYTES);
    n = 99;
    CHECK_EQ_INT(r.st.ops->messages(r.st.ctx, 3, r.f.head - 1, m, 4, &n), TACIT_EL1_REPLY);
    CHECK_EQ_INT(n, 0);
    r.f.bad_hash = -1;
    have = 3;
    read_queue(&r, &have, 6, 2);
    CHECK_EQ_INT(have, 6);
    CHECK_EQ_INT(r.f.hash_reads, 0); /* the scan went on from its own hash */
    rig_close(&r);

    /* a settler that starts at entry 4 (a node restarted there): the hash read once */
    REQUIRE(rig_open(&r, 10000, 0), "the settler over the in-memory L1");
    history(&r, 3000, (const uint64_t[]){10, 20, 20, 30, 40, 50}, 6);
    r.f.forced[5] = true;
    memset(r.f.tx[5], 0x3c, TACIT_TX_BYTES);
    have = 4;
    read_queue(&r, &have, 6, 2);
    CHECK_EQ_INT(have, 6);
    CHECK_EQ_INT(r.f.hash_reads, 1);
    rig_close(&r);
}

static const struct tacit_test tests[] = {
    {"forced_entries_and_queue_hash", forced_entries_and_queue_hash},
    {"from_deploy_block_in_ranges", from_deploy_block_in_ranges},
    {"tighter_cap_halves_the_range", tighter_cap_halves_the_range},
    {"log_range_option_and_refusal", log_range_option_and_refusal},
};
TACIT_TEST_MAIN(tests)
