/*
 * tacit — the L1 follower's reader (src/settle/reader.c, tacit_rollup_reader_scan) over an
 * in-memory L1 that holds the contract's BlockSubmitted and BlockPartSubmitted logs, the
 * submitting transactions (their submitBlock / submitBlockPart calldata, made with
 * tacit_rollup_submit_call and tacit_rollup_part_call) and their receipts: a whole block and a
 * block in three parts (its last part in the same L1 block as the next whole block) come back
 * byte for byte with their L1 blocks; a scan that ends between two parts resumes at the first
 * part; a full output resumes at the last block's L1 block; a provider that refuses wide
 * ranges is met with smaller ones; a failed receipt, a submission sent to another address and
 * a height that jumps are refused with their reasons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/l1.h"
#include "tacit/rollup.h"
#include "tacit/settle.h"

#define DEPLOY 100u
#define NLOG_MAX 16
#define NTX_MAX 16

static const uint8_t contract[20] = {0xc0, 0x17, 0xac, 0x7};

struct ftx {
    uint8_t hash[32];
    uint8_t to[20];
    uint64_t block;
    bool success;
    uint8_t *input;
    size_t input_len;
};

struct fake {
    uint64_t head;
    uint64_t cap; /* eth_getLogs over more blocks: refused */
    struct tacit_l1_log logs[NLOG_MAX];
    size_t nlogs;
    struct ftx txs[NTX_MAX];
    size_t ntxs;
    size_t requests;
};

static void block_hash_of(uint8_t h[32], uint64_t n)
{
    memset(h, 0xb0, 32);
    memcpy(h, &n, sizeof n);
}

static int f_block_number(void *ctx, struct tacit_l1_error *err, uint64_t *out)
{
    (void)err;
    *out = ((struct fake *)ctx)->head;
    return TACIT_OK;
}

static int f_get_block(void *ctx, struct tacit_l1_error *err, uint64_t n,
                       struct tacit_l1_block *out)
{
    (void)err;
    memset(out, 0, sizeof *out);
    if (n > ((struct fake *)ctx)->head) return TACIT_ENOTFOUND;
    out->number = n;
    block_hash_of(out->hash, n);
    return TACIT_OK;
}

static const struct ftx *find_tx(const struct fake *f, const uint8_t hash[32])
{
    for (size_t i = 0; i < f->ntxs; i++)
        if (memcmp(f->txs[i].hash, hash, 32) == 0) return &f->txs[i];
    return NULL;
}

static int f_get_tx(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32],
                    struct tacit_l1_tx *out)
{
    const struct ftx *t = find_tx(ctx, hash);
    (void)err;
    memset(out, 0, sizeof *out);
    if (t == NULL) return TACIT_ENOTFOUND;
    memcpy(out->hash, hash, 32);
    out->has_to = true;
    memcpy(out->to, t->to, 20);
    out->mined = true;
    out->block_number = t->block;
    block_hash_of(out->block_hash, t->block);
    if ((out->input = malloc(t->input_len)) == NULL) return TACIT_ENOMEM;
    memcpy(out->input, t->input, t->input_len);
    out->input_len = t->input_len;
    return TACIT_OK;
}

static int f_get_receipt(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32],
                         struct tacit_l1_receipt *out)
{
    const struct ftx *t = find_tx(ctx, hash);
    (void)err;
    memset(out, 0, sizeof *out);
    if (t == NULL) return TACIT_ENOTFOUND;
    memcpy(out->tx_hash, hash, 32);
    out->block_number = t->block;
    block_hash_of(out->block_hash, t->block);
    out->success = t->success;
    return TACIT_OK;
}

static int f_get_logs(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_filter *flt,
                      struct tacit_l1_log **out, size_t *n)
{
    struct fake *f = ctx;
    (void)err;
    *out = NULL;
    *n = 0;
    f->requests++;
    if (f->cap > 0 && flt->to_block - flt->from_block + 1 > f->cap) return TACIT_EL1_RPC;
    if ((*out = calloc(NLOG_MAX, sizeof **out)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < f->nlogs; i++) {
        const struct tacit_l1_log *l = &f->logs[i];
        if (l->block_number < flt->from_block || l->block_number > flt->to_block) continue;
        (*out)[*n] = *l;
        if (((*out)[*n].data = malloc(l->data_len)) == NULL) return TACIT_ENOMEM;
        memcpy((*out)[*n].data, l->data, l->data_len);
        (*n)++;
    }
    return TACIT_OK;
}

static const struct tacit_l1_ops fake_ops = {
    .block_number = f_block_number,
    .get_block = f_get_block,
    .get_receipt = f_get_receipt,
    .get_logs = f_get_logs,
    .get_tx = f_get_tx,
};

static void word_u64(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
}

/* A transaction with that calldata in L1 block `block`; its hash from a counter. */
static struct ftx *add_tx(struct fake *f, uint64_t block, uint8_t *input, size_t len)
{
    struct ftx *t = &f->txs[f->ntxs];
    memset(t, 0, sizeof *t);
    t->hash[0] = 0x7a;
    t->hash[31] = (uint8_t)++f->ntxs;
    memcpy(t->to, contract, 20);
    t->block = block;
    t->success = true;
    t->input = input;
    t->input_len = len;
    return t;
}

static void add_log(struct fake *f, const struct ftx *t, const char *event, uint64_t height,
                    const uint64_t *words, size_t nwords)
{
    struct tacit_l1_log *l = &f->logs[f->nlogs++];
    memset(l, 0, sizeof *l);
    memcpy(l->address, contract, 20);
    tacit_abi_event_topic(l->topics[0], event);
    word_u64(l->topics[1], height);
    l->ntopics = 2;
    if (strncmp(event, "BlockSubmitted", 14) == 0) { /* blockHash is indexed too */
        memset(l->topics[2], (int)height + 1, 32);
        l->ntopics = 3;
    }
    l->data_len = 32 * nwords;
    l->data = calloc(1, l->data_len);
    for (size_t i = 0; i < nwords; i++) word_u64(l->data + 32 * i, words[i]);
    l->block_number = t->block;
    block_hash_of(l->block_hash, t->block);
    memcpy(l->tx_hash, t->hash, 32);
    l->log_index = f->nlogs;
}

#define EV_BLOCK                                                                        \
    "BlockSubmitted(uint64 indexed height, bytes32 indexed blockHash, bytes32 parent, " \
    "bytes32 noteRoot, uint64 commitmentCount, uint64 queueHead, uint64 ntxs)"
#define EV_PART \
    "BlockPartSubmitted(uint64 indexed height, uint64 first, uint64 ntxs, bytes32 partHash)"

/* A block's layout (the reader does not check more): a header, one credit, ntx transactions
 * of recognisable bytes. */
static uint8_t *make_block(size_t ntx, uint8_t seed, size_t *len)
{
    size_t n = TACIT_BLOCK_HEADER_BYTES + 4 + 28 + 4 + ntx * (4 + TACIT_TX_BYTES), o;
    uint8_t *b = malloc(n);
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(seed + i * 7);
    o = TACIT_BLOCK_HEADER_BYTES;
    b[o] = 1, b[o + 1] = b[o + 2] = b[o + 3] = 0; /* one credit */
    o += 4 + 28;
    b[o] = (uint8_t)ntx, b[o + 1] = b[o + 2] = b[o + 3] = 0;
    o += 4;
    for (size_t i = 0; i < ntx; i++, o += 4 + TACIT_TX_BYTES) {
        b[o] = (uint8_t)(TACIT_TX_BYTES & 0xff), b[o + 1] = (uint8_t)(TACIT_TX_BYTES >> 8);
        b[o + 2] = b[o + 3] = 0;
    }
    *len = n;
    return b;
}

struct chain {
    struct fake f;
    uint8_t *blk[3];
    size_t len[3];
};

/* Block 0 whole in L1 block 110; block 1 in three parts in L1 blocks 111, 112, 113; block 2
 * whole in L1 block 113 too (after block 1's last part). */
static void chain_make(struct chain *c)
{
    static const uint8_t zero[32];
    uint8_t *in;
    size_t n;
    memset(c, 0, sizeof *c);
    c->f.head = 120;
    for (int h = 0; h < 3; h++)
        c->blk[h] = make_block(h == 1 ? 5 : 2, (uint8_t)(h * 50), &c->len[h]);
    CHECK_EQ_INT(tacit_rollup_submit_call(&in, &n, zero, c->blk[0], c->len[0], NULL, 0), TACIT_OK);
    add_log(&c->f, add_tx(&c->f, 110, in, n), EV_BLOCK, 0, (uint64_t[]){0, 0, 4, 1, 2}, 5);
    for (size_t j = 0; j < 3; j++) {
        size_t first, count;
        uint8_t *part;
        size_t plen;
        struct ftx *t;
        tacit_rollup_part_range(5, 3, j, &first, &count);
        CHECK_EQ_INT(tacit_rollup_part_encode(&part, &plen, c->blk[1], c->len[1], first, count),
                     TACIT_OK);
        CHECK_EQ_INT(tacit_rollup_part_call(&in, &n, zero, part, plen, NULL, 0), TACIT_OK);
        free(part);
        t = add_tx(&c->f, 111 + j, in, n);
        add_log(&c->f, t, EV_PART, 1, (uint64_t[]){first, count, 0}, 3);
        if (j == 2) add_log(&c->f, t, EV_BLOCK, 1, (uint64_t[]){0, 0, 14, 1, 5}, 5);
    }
    CHECK_EQ_INT(tacit_rollup_submit_call(&in, &n, zero, c->blk[2], c->len[2], NULL, 0), TACIT_OK);
    add_log(&c->f, add_tx(&c->f, 113, in, n), EV_BLOCK, 2, (uint64_t[]){0, 0, 18, 1, 2}, 5);
}

static void chain_free(struct chain *c)
{
    for (size_t i = 0; i < c->f.ntxs; i++) free(c->f.txs[i].input);
    for (size_t i = 0; i < c->f.nlogs; i++) free(c->f.logs[i].data);
    for (int h = 0; h < 3; h++) free(c->blk[h]);
}

struct rd {
    struct tacit_l1 *l1;
    struct tacit_rollup_reader *r;
    struct tacit_rollup_derived d[4];
    size_t n;
    uint64_t resume;
    char why[256];
};

static void rd_open(struct rd *r, struct chain *c, uint64_t range)
{
    memset(r, 0, sizeof *r);
    CHECK_EQ_INT(tacit_l1_new(&r->l1, &fake_ops, &c->f), TACIT_OK);
    CHECK_EQ_INT(tacit_rollup_reader_new_l1(&r->r, r->l1, contract, range), TACIT_OK);
}

static int rd_scan(struct rd *r, uint64_t from, uint64_t to, uint64_t next, size_t max)
{
    for (size_t i = 0; i < r->n; i++) tacit_rollup_derived_clear(&r->d[i]);
    return tacit_rollup_reader_scan(r->r, from, to, next, r->d, max, &r->n, &r->resume, r->why,
                                    sizeof r->why);
}

static void rd_close(struct rd *r)
{
    for (size_t i = 0; i < r->n; i++) tacit_rollup_derived_clear(&r->d[i]);
    tacit_rollup_reader_free(r->r);
    tacit_l1_free(r->l1);
}

static void check_block(const struct tacit_rollup_derived *d, const struct chain *c, uint64_t h,
                        uint64_t l1_block, uint32_t nparts)
{
    uint8_t hash[32];
    CHECK_EQ_INT(d->height, h);
    CHECK_EQ_INT(d->block_len, c->len[h]);
    if (d->block_len == c->len[h]) CHECK_MEM(d->block, c->blk[h], c->len[h]);
    CHECK_EQ_INT(d->l1_block, l1_block);
    block_hash_of(hash, l1_block);
    CHECK_MEM(d->l1_hash, hash, 32);
    CHECK_EQ_INT(d->nparts, nparts);
}

TEST(whole_blocks_and_a_block_in_parts)
{
    struct chain c;
    struct rd r;
    chain_make(&c);
    rd_open(&r, &c, 0);
    CHECK_EQ_INT(rd_scan(&r, DEPLOY, 120, 0, 4), TACIT_OK);
    CHECK_EQ_INT(r.n, 3);
    if (r.n == 3) {
        check_block(&r.d[0], &c, 0, 110, 1);
        check_block(&r.d[1], &c, 1, 113, 3);
        check_block(&r.d[2], &c, 2, 113, 1);
    }
    CHECK_EQ_INT(r.resume, 121);
    /* read from a later height: only the blocks from it on are returned */
    CHECK_EQ_INT(rd_scan(&r, 110, 120, 2, 4), TACIT_OK);
    CHECK_EQ_INT(r.n, 1);
    if (r.n == 1) check_block(&r.d[0], &c, 2, 113, 1);
    rd_close(&r);
    chain_free(&c);
}

TEST(a_scan_between_parts_resumes_at_the_first_part)
{
    struct chain c;
    struct rd r;
    chain_make(&c);
    rd_open(&r, &c, 0);
    CHECK_EQ_INT(rd_scan(&r, DEPLOY, 112, 0, 4), TACIT_OK);
    CHECK_EQ_INT(r.n, 1);
    CHECK_EQ_INT(r.resume, 111); /* block 1's first part */
    CHECK_EQ_INT(rd_scan(&r, r.resume, 120, 1, 4), TACIT_OK);
    CHECK_EQ_INT(r.n, 2);
    if (r.n == 2) check_block(&r.d[0], &c, 1, 113, 3);
    /* a full output: the next scan starts at the last block's L1 block */
    CHECK_EQ_INT(rd_scan(&r, DEPLOY, 120, 0, 2), TACIT_OK);
    CHECK_EQ_INT(r.n, 2);
    CHECK_EQ_INT(r.resume, 113);
    CHECK_EQ_INT(rd_scan(&r, r.resume, 120, 2, 2), TACIT_OK);
    CHECK_EQ_INT(r.n, 1);
    if (r.n == 1) check_block(&r.d[0], &c, 2, 113, 1);
    rd_close(&r);
    chain_free(&c);
}

TEST(a_provider_that_caps_ranges)
{
    struct chain c;
    struct rd r;
    chain_make(&c);
    c.f.cap = 4; /* wider ranges refused: 21, 10 and 5 blocks, then ranges of 2 */
    rd_open(&r, &c, 0);
    CHECK_EQ_INT(rd_scan(&r, DEPLOY, 120, 0, 4), TACIT_OK);
    CHECK_EQ_INT(r.n, 3);
    CHECK(c.f.requests <= 16);
    CHECK_EQ_INT(r.resume, 121);
    if (r.n == 3) check_block(&r.d[1], &c, 1, 113, 3);
    rd_close(&r);
    chain_free(&c);
}

TEST(refusals)
{
    struct chain c;
    struct rd r;
    /* block 2's transaction failed (a log it cannot have had: the reader checks the receipt) */
    chain_make(&c);
    c.f.txs[c.f.ntxs - 1].success = false;
    rd_open(&r, &c, 0);
    CHECK_EQ_INT(rd_scan(&r, 113, 120, 2, 4), TACIT_EL1_REPLY);
    CHECK(strstr(r.why, "failure") != NULL);
    /* what came before an error is returned */
    CHECK_EQ_INT(rd_scan(&r, DEPLOY, 120, 0, 4), TACIT_OK);
    CHECK_EQ_INT(r.n, 2);
    rd_close(&r);
    chain_free(&c);
    /* sent to another address: its calldata is not the contract's */
    chain_make(&c);
    c.f.txs[0].to[0] ^= 1;
    rd_open(&r, &c, 0);
    CHECK_EQ_INT(rd_scan(&r, DEPLOY, 120, 0, 4), TACIT_EENCODING);
    CHECK(strstr(r.why, "not sent to the contract") != NULL);
    rd_close(&r);
    chain_free(&c);
    /* a height that jumps: block 0's log missing */
    chain_make(&c);
    free(c.f.logs[0].data);
    memmove(&c.f.logs[0], &c.f.logs[1], (c.f.nlogs - 1) * sizeof c.f.logs[0]);
    c.f.nlogs--;
    rd_open(&r, &c, 0);
    CHECK_EQ_INT(rd_scan(&r, DEPLOY, 120, 0, 4), TACIT_EL1_REPLY);
    CHECK(strstr(r.why, "jump") != NULL);
    rd_close(&r);
    chain_free(&c);
}

static const struct tacit_test tests[] = {
    {"whole_blocks_and_a_block_in_parts", whole_blocks_and_a_block_in_parts},
    {"a_scan_between_parts_resumes_at_the_first_part",
     a_scan_between_parts_resumes_at_the_first_part},
    {"a_provider_that_caps_ranges", a_provider_that_caps_ranges},
    {"refusals", refusals},
};

TACIT_TEST_MAIN(tests)
