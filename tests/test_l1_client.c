/*
 * tacit — the L1 port (include/tacit/l1.h) without a real Ethereum node:
 *   - the sender over an in-memory L1 (the ops of struct tacit_l1_ops): nonces, fees, the cap,
 *     replacements, a nonce taken by someone else, an answer lost after the node took the
 *     transaction, a reverted estimate, the eth_feeHistory fallback;
 *   - the JSON-RPC implementation against a canned HTTP server on 127.0.0.1 (a thread here):
 *     retries, an unreachable node, each JSON-RPC error sorted into its code, strict reading of
 *     answers, the request forms.
 * The same against a real anvil: tests/l1_anvil.sh.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/l1.h"
#include "tacit/util.h"

#define GWEI 1000000000ull

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------ an in-memory L1 ---- */

#define FAKE_MAX 16

struct fake {
    uint64_t chain_id;
    uint64_t mined; /* the account's mined nonce count */
    size_t npending;
    uint8_t *pending[FAKE_MAX]; /* raw txs waiting, nonce mined + i */
    size_t pending_len[FAKE_MAX];
    uint8_t known[64][32]; /* hashes of every tx taken */
    size_t nknown;
    bool automine;
    uint64_t base_fee, prio;
    bool has_prio_method;
    uint64_t estimate;  /* 0: revert with Error("nope") */
    int fail_next_send; /* a code to answer the next send with, once */
    bool take_anyway;   /* ... after taking the transaction */
    size_t sends;       /* eth_sendRawTransaction calls */
};

static int f_chain_id(void *ctx, struct tacit_l1_error *err, uint64_t *out)
{
    (void)err;
    *out = ((struct fake *)ctx)->chain_id;
    return TACIT_OK;
}

static int f_block_number(void *ctx, struct tacit_l1_error *err, uint64_t *out)
{
    (void)err;
    *out = ((struct fake *)ctx)->mined;
    return TACIT_OK;
}

static int f_get_block(void *ctx, struct tacit_l1_error *err, uint64_t block,
                       struct tacit_l1_block *out)
{
    struct fake *f = ctx;
    (void)err;
    memset(out, 0, sizeof *out);
    out->number = block == TACIT_L1_LATEST ? f->mined : block;
    out->has_base_fee = true;
    tacit_uint256_from_u64(&out->base_fee, f->base_fee);
    return TACIT_OK;
}

static int f_get_balance(void *ctx, struct tacit_l1_error *err, const uint8_t a[20], uint64_t b,
                         tacit_uint256 *out)
{
    (void)ctx, (void)err, (void)a, (void)b;
    tacit_uint256_from_u64(out, 1000 * GWEI);
    return TACIT_OK;
}

static int f_get_nonce(void *ctx, struct tacit_l1_error *err, const uint8_t a[20], uint64_t block,
                       uint64_t *out)
{
    struct fake *f = ctx;
    (void)err, (void)a;
    *out = f->mined + (block == TACIT_L1_PENDING ? f->npending : 0);
    return TACIT_OK;
}

static int f_max_priority_fee(void *ctx, struct tacit_l1_error *err, tacit_uint256 *out)
{
    struct fake *f = ctx;
    if (!f->has_prio_method) {
        err->rpc_code = -32601;
        snprintf(err->message, sizeof err->message, "method not found");
        return TACIT_EL1_RPC;
    }
    tacit_uint256_from_u64(out, f->prio);
    return TACIT_OK;
}

static int f_fee_history(void *ctx, struct tacit_l1_error *err, unsigned nblocks, uint64_t newest,
                         unsigned percentile, struct tacit_l1_fee_history *out)
{
    static const uint64_t rewards[] = {1 * GWEI, 5 * GWEI, 3 * GWEI};
    struct fake *f = ctx;
    (void)err, (void)nblocks, (void)newest, (void)percentile;
    out->n = 3;
    out->base_fee = calloc(4, sizeof *out->base_fee);
    out->reward = calloc(3, sizeof *out->reward);
    for (size_t i = 0; i < 3; i++) tacit_uint256_from_u64(&out->reward[i], rewards[i]);
    for (size_t i = 0; i < 4; i++) tacit_uint256_from_u64(&out->base_fee[i], f->base_fee);
    return TACIT_OK;
}

static int f_estimate_gas(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_call *c,
                          uint64_t *out)
{
    struct fake *f = ctx;
    static const uint8_t nope[] = {0x08, 0xc3, 0x79, 0xa0, [35] = 0x20, [67] = 4,
                                   'n',  'o',  'p',  'e',  [99] = 0};
    (void)c;
    if (f->estimate == 0) {
        err->rpc_code = 3;
        snprintf(err->message, sizeof err->message, "execution reverted: nope");
        err->revert_data = memcpy(malloc(sizeof nope), nope, sizeof nope);
        err->revert_len = sizeof nope;
        return TACIT_EL1_REVERTED;
    }
    *out = f->estimate;
    return TACIT_OK;
}

static int f_call(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_call *c, uint64_t b,
                  uint8_t **out, size_t *len)
{
    (void)ctx, (void)err, (void)c, (void)b;
    *out = calloc(1, 1);
    *len = 0;
    return TACIT_OK;
}

static void fake_mine(struct fake *f)
{
    for (size_t i = 0; i < f->npending; i++) free(f->pending[i]);
    f->mined += f->npending;
    f->npending = 0;
}

static void fake_take(struct fake *f, size_t slot, const uint8_t *raw, size_t len)
{
    free(slot < f->npending ? f->pending[slot] : NULL);
    f->pending[slot] = memcpy(malloc(len), raw, len);
    f->pending_len[slot] = len;
    if (slot == f->npending) f->npending++;
    if (f->nknown < 64) tacit_eth_tx_hash(f->known[f->nknown++], raw, len);
    if (f->automine) fake_mine(f);
}

/* geth's rules: a nonce below the account's is too low, a gap too high, a replacement must
 * raise both fees by 10%, the max fee must cover the base fee. */
static int f_send_raw(void *ctx, struct tacit_l1_error *err, const uint8_t *raw, size_t len)
{
    struct fake *f = ctx;
    struct tacit_eth_tx tx, old;
    tacit_uint256 base, need;
    uint64_t slot;
    int rc;

    f->sends++;
    if (f->fail_next_send != TACIT_OK) {
        rc = f->fail_next_send;
        f->fail_next_send = TACIT_OK;
        if (f->take_anyway) {
            f->take_anyway = false;
            if (tacit_eth_tx_decode(&tx, NULL, raw, len) == TACIT_OK)
                fake_take(f, tx.nonce - f->mined, raw, len);
        }
        return rc;
    }
    if ((rc = tacit_eth_tx_decode(&tx, NULL, raw, len)) != TACIT_OK) return rc;
    if (tx.chain_id != f->chain_id) return TACIT_EL1_RPC;
    tacit_uint256_from_u64(&base, f->base_fee);
    if (tacit_uint256_cmp(&tx.max_fee_per_gas, &base) < 0) return TACIT_EL1_UNDERPRICED;
    if (tx.nonce < f->mined) return TACIT_EL1_NONCE_TOO_LOW;
    slot = tx.nonce - f->mined;
    if (slot > f->npending) return TACIT_EL1_NONCE_TOO_HIGH;
    if (slot < f->npending) {
        CHECK_EQ_INT(tacit_eth_tx_decode(&old, NULL, f->pending[slot], f->pending_len[slot]),
                     TACIT_OK);
        (void)tacit_uint256_mul_div_ceil(&need, &old.max_fee_per_gas, 110, 100);
        if (tacit_uint256_cmp(&tx.max_fee_per_gas, &need) < 0) return TACIT_EL1_UNDERPRICED;
        (void)tacit_uint256_mul_div_ceil(&need, &old.max_priority_fee_per_gas, 110, 100);
        if (tacit_uint256_cmp(&tx.max_priority_fee_per_gas, &need) < 0)
            return TACIT_EL1_UNDERPRICED;
    }
    (void)err;
    fake_take(f, slot, raw, len);
    return TACIT_OK;
}

static int f_tx_known(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32], bool *known)
{
    struct fake *f = ctx;
    (void)err;
    *known = false;
    for (size_t i = 0; i < f->nknown; i++)
        if (memcmp(f->known[i], hash, 32) == 0) *known = true;
    return TACIT_OK;
}

static int f_get_receipt(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32],
                         struct tacit_l1_receipt *out)
{
    (void)ctx, (void)err, (void)hash;
    memset(out, 0, sizeof *out);
    return TACIT_ENOTFOUND;
}

static int f_get_logs(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_filter *flt,
                      struct tacit_l1_log **out, size_t *n)
{
    (void)ctx, (void)err, (void)flt;
    *out = NULL;
    *n = 0;
    return TACIT_OK;
}

static void f_free(void *ctx)
{
    struct fake *f = ctx;
    for (size_t i = 0; i < f->npending; i++) free(f->pending[i]);
}

static const struct tacit_l1_ops fake_ops = {
    f_chain_id,    f_block_number, f_get_block, f_get_balance, f_get_nonce, f_max_priority_fee,
    f_fee_history, f_estimate_gas, f_call,      f_send_raw,    f_tx_known,  f_get_receipt,
    f_get_logs,    f_free,         NULL, /* get_tx: not used here */
};

/* anvil's account 0 (a public test key) */
static const char KEY0[] = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

struct rig {
    struct fake f;
    struct tacit_l1 *l1;
    struct tacit_eth_key *key;
    struct tacit_l1_sender *s;
    struct tacit_l1_call req;
    uint8_t data[4];
};

static void rig_init(struct rig *r, const struct tacit_l1_sender_opts *opts)
{
    struct tacit_l1_sender_opts o = {.chain_id = 31337};
    memset(r, 0, sizeof *r);
    r->f = (struct fake){.chain_id = 31337,
                         .automine = true,
                         .base_fee = 7 * GWEI,
                         .prio = 2 * GWEI,
                         .has_prio_method = true,
                         .estimate = 50000};
    CHECK_EQ_INT(tacit_l1_new(&r->l1, &fake_ops, &r->f), TACIT_OK);
    CHECK_EQ_INT(tacit_eth_key_from_hex(&r->key, KEY0), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_sender_new(&r->s, r->l1, r->key, opts ? opts : &o), TACIT_OK);
    memset(r->req.to, 0x42, 20);
    tacit_uint256_from_u64(&r->req.value, 12345);
    memcpy(r->data, "\x01\x02\x03\x04", 4);
    r->req.data = r->data;
    r->req.data_len = 4;
}

static void rig_free(struct rig *r)
{
    tacit_l1_sender_free(r->s);
    tacit_l1_free(r->l1);
    tacit_eth_key_free(r->key);
}

/* The last transaction the fake took, decoded, and its sender. */
static void last_taken(struct rig *r, uint64_t nonce, struct tacit_eth_tx *tx)
{
    uint8_t from[20], addr[20];
    size_t slot = (size_t)(nonce - r->f.mined);
    REQUIRE(slot < r->f.npending, "the transaction is pending in the fake");
    CHECK_EQ_INT(tacit_eth_tx_decode(tx, NULL, r->f.pending[slot], r->f.pending_len[slot]),
                 TACIT_OK);
    CHECK_EQ_INT(tacit_eth_tx_sender(from, r->f.pending[slot], r->f.pending_len[slot]), TACIT_OK);
    tacit_eth_key_address(r->key, addr);
    CHECK_MEM(from, addr, 20);
}

static void check_u256(const tacit_uint256 *a, uint64_t want)
{
    uint64_t x = 0;
    CHECK_EQ_INT(tacit_uint256_to_u64(&x, a), TACIT_OK);
    CHECK_EQ_INT(x, want);
}

TEST(sender_nonces_fees_and_gas)
{
    struct rig r;
    struct tacit_l1_sent sent;
    struct tacit_eth_tx tx;
    uint64_t next;
    rig_init(&r, NULL);
    r.f.automine = false;
    for (uint64_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
        CHECK_EQ_INT(sent.tx.nonce, i);
        last_taken(&r, i, &tx);
        CHECK_EQ_INT(tx.nonce, i);
        check_u256(&tx.max_priority_fee_per_gas, 2 * GWEI);
        check_u256(&tx.max_fee_per_gas, 2 * 7 * GWEI + 2 * GWEI);
        CHECK_EQ_INT(tx.gas_limit, 60000); /* the estimate plus 20% */
        CHECK_EQ_INT(tx.data_len, 4);
        check_u256(&tx.value, 12345);
        tacit_l1_sent_clear(&sent);
    }
    CHECK_EQ_INT(tacit_l1_sender_next_nonce(r.s, &next), TACIT_OK);
    CHECK_EQ_INT(next, 3);
    r.req.gas = 30000; /* given: not estimated */
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    CHECK_EQ_INT(sent.tx.gas_limit, 30000);
    tacit_l1_sent_clear(&sent);
    rig_free(&r);
}

/* Signed without sending: the nonce taken, nothing sent; the bytes sent later are the ones the
 * hash names; the next send takes the next nonce. */
TEST(sender_prepare_then_send)
{
    struct rig r;
    struct tacit_l1_sent sent, sent2;
    struct tacit_eth_tx tx;
    uint8_t *raw = NULL, h[32];
    size_t len = 0;
    rig_init(&r, NULL);
    r.f.automine = false;
    CHECK_EQ_INT(tacit_l1_sender_prepare(r.s, &r.req, &sent, &raw, &len), TACIT_OK);
    CHECK_EQ_INT(sent.tx.nonce, 0);
    CHECK_EQ_INT(r.f.sends, 0);
    tacit_eth_tx_hash(h, raw, len);
    CHECK_MEM(h, sent.hash, 32);
    CHECK_EQ_INT(tacit_eth_tx_decode(&tx, NULL, raw, len), TACIT_OK);
    CHECK_EQ_INT(tx.nonce, 0);
    CHECK_EQ_INT(tx.gas_limit, 60000);
    CHECK_EQ_INT(tacit_l1_send_raw(r.l1, raw, len), TACIT_OK);
    last_taken(&r, 0, &tx);
    CHECK_EQ_INT(tx.nonce, 0);
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent2), TACIT_OK);
    CHECK_EQ_INT(sent2.tx.nonce, 1);
    CHECK_EQ_INT(r.f.sends, 2);
    tacit_l1_sent_clear(&sent);
    tacit_l1_sent_clear(&sent2);
    free(raw);
    rig_free(&r);
}

TEST(sender_nonce_taken_elsewhere)
{
    struct rig r;
    struct tacit_l1_sent sent;
    rig_init(&r, NULL);
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    tacit_l1_sent_clear(&sent);
    r.f.mined = 5; /* another process sent from the same key */
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    CHECK_EQ_INT(sent.tx.nonce, 5); /* refused as too low, asked the node, re-signed */
    CHECK_EQ_INT(r.f.sends, 3);
    CHECK_EQ_INT(r.f.mined, 6);
    tacit_l1_sent_clear(&sent);
    rig_free(&r);
}

TEST(sender_lost_answer_not_sent_twice)
{
    struct rig r;
    struct tacit_l1_sent sent;
    bool known = false;
    rig_init(&r, NULL);
    /* the node takes the transaction but the answer is lost */
    r.f.fail_next_send = TACIT_EL1_UNREACHABLE;
    r.f.take_anyway = true;
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_EL1_UNREACHABLE);
    CHECK_EQ_INT(tacit_l1_tx_known(r.l1, sent.hash, &known), TACIT_OK);
    CHECK(known); /* the caller can tell it went through */
    CHECK_EQ_INT(sent.tx.nonce, 0);
    tacit_l1_sent_clear(&sent);
    /* the next send asks the node for the nonce first: 1, not 0 again */
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    CHECK_EQ_INT(sent.tx.nonce, 1);
    tacit_l1_sent_clear(&sent);
    /* a retried send that arrives after its own transaction was mined: "nonce too low" about
     * itself, which is success, not a reason to sign another */
    r.f.fail_next_send = TACIT_EL1_NONCE_TOO_LOW;
    r.f.take_anyway = true;
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    CHECK_EQ_INT(sent.tx.nonce, 2);
    CHECK_EQ_INT(r.f.mined, 3);
    CHECK_EQ_INT(r.f.sends, 3);
    tacit_l1_sent_clear(&sent);
    rig_free(&r);
}

TEST(sender_replacement)
{
    struct rig r;
    struct tacit_l1_sent sent;
    struct tacit_eth_tx tx;
    uint8_t first[32];
    rig_init(&r, NULL);
    r.f.automine = false;
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    memcpy(first, sent.hash, 32);
    CHECK_EQ_INT(tacit_l1_sender_replace(r.s, &sent), TACIT_OK);
    CHECK(memcmp(first, sent.hash, 32) != 0);
    CHECK_EQ_INT(r.f.npending, 1); /* replaced, not added */
    last_taken(&r, 0, &tx);
    CHECK_EQ_INT(tx.nonce, 0);
    /* 12.5% up on both: 2 gwei -> 2.25 gwei, 16 gwei -> 18 gwei */
    check_u256(&tx.max_priority_fee_per_gas, 2250000000ull);
    check_u256(&tx.max_fee_per_gas, 18 * GWEI);
    /* the market moved above the bump: the market wins */
    r.f.base_fee = 20 * GWEI;
    CHECK_EQ_INT(tacit_l1_sender_replace(r.s, &sent), TACIT_OK);
    last_taken(&r, 0, &tx);
    check_u256(&tx.max_fee_per_gas, 40 * GWEI + 2531250000ull);
    fake_mine(&r.f);
    /* once mined, the nonce is used */
    CHECK_EQ_INT(tacit_l1_sender_replace(r.s, &sent), TACIT_EL1_NONCE_TOO_LOW);
    tacit_l1_sent_clear(&sent);
    rig_free(&r);
}

TEST(sender_fee_cap)
{
    struct tacit_l1_sender_opts o = {.chain_id = 31337};
    struct rig r;
    struct tacit_l1_sent sent;
    tacit_uint256_from_u64(&o.max_fee_cap, 8 * GWEI); /* base 7 + prio 2 = 9 needed */
    rig_init(&r, &o);
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_EL1_FEE_CAP);
    CHECK_EQ_INT(r.f.sends, 0);
    rig_free(&r);
    tacit_uint256_from_u64(&o.max_fee_cap, 10 * GWEI);
    rig_init(&r, &o);
    r.f.automine = false;
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    check_u256(&sent.tx.max_fee_per_gas, 10 * GWEI); /* 16 wanted, capped */
    /* a replacement needs 11.25: above the cap */
    CHECK_EQ_INT(tacit_l1_sender_replace(r.s, &sent), TACIT_EL1_FEE_CAP);
    tacit_l1_sent_clear(&sent);
    rig_free(&r);
}

TEST(sender_chain_id_mismatch)
{
    struct tacit_l1_sender_opts o = {.chain_id = 1};
    struct rig r;
    struct tacit_l1_sent sent;
    rig_init(&r, &o);
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_EL1_CHAIN_ID);
    CHECK_EQ_INT(r.f.sends, 0);
    rig_free(&r);
    o.chain_id = 0;
    CHECK_EQ_INT(tacit_l1_sender_new(&r.s, NULL, NULL, &o), TACIT_EINVAL);
}

/* gas_limit_max (EIP-7825's cap for the node's submissions): an estimate whose 20% margin
 * passes it gets the cap as its limit; an estimate above it is refused (ETOOBIG), nothing sent. */
TEST(sender_gas_limit_max)
{
    struct tacit_l1_sender_opts o = {.chain_id = 31337, .gas_limit_max = 55000};
    struct rig r;
    struct tacit_l1_sent sent;
    rig_init(&r, &o);
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK); /* 50,000 + 20% > 55,000 */
    CHECK_EQ_INT(sent.tx.gas_limit, 55000);
    tacit_l1_sent_clear(&sent);
    r.f.estimate = 40000; /* + 20% = 48,000: under the cap */
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    CHECK_EQ_INT(sent.tx.gas_limit, 48000);
    tacit_l1_sent_clear(&sent);
    r.f.estimate = 55001;
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_ETOOBIG);
    CHECK_EQ_INT(r.f.sends, 2);
    rig_free(&r);
}

TEST(sender_estimate_reverts)
{
    static const char *const none[1] = {NULL};
    struct rig r;
    struct tacit_l1_sent sent;
    const struct tacit_l1_error *e;
    char reason[200];
    rig_init(&r, NULL);
    r.f.estimate = 0;
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_EL1_REVERTED);
    CHECK_EQ_INT(r.f.sends, 0);
    e = tacit_l1_last_error(r.l1);
    CHECK_EQ_INT(e->rpc_code, 3);
    tacit_l1_revert_reason(reason, sizeof reason, e->revert_data, e->revert_len, none, 0);
    CHECK(strcmp(reason, "Error(string): (\"nope\")") == 0);
    rig_free(&r);
}

TEST(sender_fee_history_fallback)
{
    struct rig r;
    struct tacit_l1_sent sent;
    rig_init(&r, NULL);
    r.f.has_prio_method = false; /* eth_maxPriorityFeePerGas: method not found */
    CHECK_EQ_INT(tacit_l1_sender_send(r.s, &r.req, &sent), TACIT_OK);
    check_u256(&sent.tx.max_priority_fee_per_gas, 3 * GWEI); /* the median of 1, 5, 3 */
    tacit_l1_sent_clear(&sent);
    rig_free(&r);
}

TEST(wait_receipt_times_out)
{
    struct rig r;
    struct tacit_l1_receipt rc;
    uint8_t h[32] = {1};
    uint64_t t0;
    rig_init(&r, NULL);
    t0 = now_ms();
    CHECK_EQ_INT(tacit_l1_wait_receipt(r.l1, h, 200, 20, &rc), TACIT_ETIMEOUT);
    CHECK(now_ms() - t0 >= 200 && now_ms() - t0 < 2000);
    rig_free(&r);
}

/* ------------------------------------------------------------------ a canned server ---- */

/* One answer: "result" or "error" with its JSON, or NULL kind: close without answering. */
struct canned {
    const char *kind;
    const char *json;
};

struct server {
    int fd;
    uint16_t port;
    pthread_t thread;
    const struct canned *answers;
    size_t n, next;
    char last_request[4096];
};

static void *serve(void *arg)
{
    struct server *s = arg;
    while (s->next < s->n) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        char buf[8192], *body, out[8192 + 256];
        const struct canned *a;
        size_t len = 0, clen = 0;
        json_t *req;
        int c, n;

        if (poll(&p, 1, 10000) <= 0 || (c = accept(s->fd, NULL, NULL)) < 0) break;
        for (;;) { /* headers, then Content-Length bytes of body */
            ssize_t r = recv(c, buf + len, sizeof buf - 1 - len, 0);
            if (r <= 0) break;
            len += (size_t)r;
            buf[len] = '\0';
            if ((body = strstr(buf, "\r\n\r\n")) != NULL) {
                const char *cl = strstr(buf, "Content-Length: ");
                clen = cl ? strtoul(cl + 16, NULL, 10) : 0;
                if (len >= (size_t)(body + 4 - buf) + clen) break;
            }
        }
        a = &s->answers[s->next++];
        body = strstr(buf, "\r\n\r\n");
        if (a->kind == NULL || body == NULL) {
            close(c);
            continue;
        }
        snprintf(s->last_request, sizeof s->last_request, "%s", body + 4);
        req = json_loads(body + 4, 0, NULL);
        n = snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"%s\":%s}",
                     (long long)json_integer_value(json_object_get(req, "id")), a->kind, a->json);
        json_decref(req);
        n = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                     "Connection: close\r\n\r\n%s",
                     n, buf);
        (void)!write(c, out, (size_t)n);
        close(c);
    }
    return NULL;
}

static bool server_start(struct server *s, const struct canned *answers, size_t n)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    memset(s, 0, sizeof *s);
    s->answers = answers;
    s->n = n;
    if ((s->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) return false;
    if (bind(s->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->fd, 8) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &alen) != 0) {
        close(s->fd);
        return false;
    }
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->thread, NULL, serve, s) == 0;
}

static void server_stop(struct server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->fd);
}

/* An L1 over the canned server (3 attempts, short waits). */
static struct tacit_l1 *http_l1(const struct server *s)
{
    struct tacit_l1_http_opts o = {
        .timeout_ms = 3000, .attempts = 3, .backoff_ms = 10, .backoff_max_ms = 40};
    struct tacit_l1 *l1 = NULL;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", s->port);
    CHECK_EQ_INT(tacit_l1_http_new(&l1, url, &o), TACIT_OK);
    return l1;
}

TEST(http_unreachable)
{
    struct tacit_l1_http_opts o = {
        .timeout_ms = 1000, .attempts = 3, .backoff_ms = 20, .backoff_max_ms = 40};
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    struct tacit_l1 *l1;
    char url[64];
    uint64_t id, t0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    /* a port that was free a moment ago: nothing listens there */
    REQUIRE(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
                getsockname(fd, (struct sockaddr *)&a, &alen) == 0,
            "a free port");
    close(fd);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", ntohs(a.sin_port));
    REQUIRE(tacit_l1_http_new(&l1, url, &o) == TACIT_OK, "an L1 handle");
    t0 = now_ms();
    CHECK_EQ_INT(tacit_l1_chain_id(l1, &id), TACIT_EL1_UNREACHABLE);
    CHECK(now_ms() - t0 >= 60);  /* it waited between the attempts: 20 + 40 ms */
    CHECK(now_ms() - t0 < 3000); /* and gave up in bounded time */
    CHECK_EQ_INT(tacit_l1_last_error(l1)->rpc_code, 0);
    tacit_l1_free(l1);
    CHECK_EQ_INT(tacit_l1_http_new(&l1, "https://example.org", NULL), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_l1_http_new(&l1, "http://127.0.0.1:8545/v1/key", NULL), TACIT_EINVAL);
}

TEST(http_retry_then_answer)
{
    static const struct canned answers[] = {{NULL, NULL}, {NULL, NULL}, {"result", "\"0x7a69\""}};
    struct server s;
    struct tacit_l1 *l1;
    uint64_t id = 0;
    REQUIRE(server_start(&s, answers, 3), "the canned server");
    l1 = http_l1(&s);
    CHECK_EQ_INT(tacit_l1_chain_id(l1, &id),
                 TACIT_OK); /* two connections closed, the third answers */
    CHECK_EQ_INT(id, 31337);
    tacit_l1_free(l1);
    server_stop(&s);
}

TEST(http_errors_sorted)
{
    static const struct canned answers[] = {
        {"error", "{\"code\":-32000,\"message\":\"nonce too low: next nonce 5, tx nonce 1\"}"},
        {"error", "{\"code\":-32000,\"message\":\"nonce too high\"}"},
        {"error", "{\"code\":-32000,\"message\":\"replacement transaction underpriced\"}"},
        {"error", "{\"code\":-32003,\"message\":\"Insufficient funds for gas * price + value\"}"},
        {"error", "{\"code\":-32000,\"message\":\"max fee per gas less than block base fee\"}"},
        {"error", "{\"code\":-32000,\"message\":\"already known\"}"},
        {"error", "{\"code\":3,\"message\":\"execution reverted: nope\",\"data\":\"0x08c379a0"
                  "0000000000000000000000000000000000000000000000000000000000000020"
                  "0000000000000000000000000000000000000000000000000000000000000004"
                  "6e6f706500000000000000000000000000000000000000000000000000000000\"}"},
        {"error", "{\"code\":-32601,\"message\":\"the method eth_foo does not exist\"}"},
        {"error", "{\"code\":-32000,\"message\":\"already known\"}"},
    };
    struct server s;
    struct tacit_l1 *l1;
    const struct tacit_l1_error *e;
    struct tacit_l1_call call = {.data_len = 0};
    uint8_t raw[3] = {0x02, 0xc0, 0x00}, *out;
    size_t n;
    char reason[100];
    uint64_t x;

    REQUIRE(server_start(&s, answers, sizeof answers / sizeof answers[0]), "the canned server");
    l1 = http_l1(&s);
    e = tacit_l1_last_error(l1);
    CHECK_EQ_INT(tacit_l1_send_raw(l1, raw, 2), TACIT_EL1_NONCE_TOO_LOW);
    CHECK(strcmp(e->message, "nonce too low: next nonce 5, tx nonce 1") == 0);
    CHECK_EQ_INT(e->rpc_code, -32000);
    CHECK_EQ_INT(tacit_l1_send_raw(l1, raw, 2), TACIT_EL1_NONCE_TOO_HIGH);
    CHECK_EQ_INT(tacit_l1_send_raw(l1, raw, 2), TACIT_EL1_UNDERPRICED);
    CHECK_EQ_INT(tacit_l1_send_raw(l1, raw, 2), TACIT_EL1_INSUFFICIENT_FUNDS);
    CHECK_EQ_INT(tacit_l1_send_raw(l1, raw, 2), TACIT_EL1_UNDERPRICED);
    CHECK_EQ_INT(tacit_l1_send_raw(l1, raw, 2), TACIT_OK); /* already known: it was sent */
    CHECK_EQ_INT(tacit_l1_call(l1, &call, TACIT_L1_LATEST, &out, &n), TACIT_EL1_REVERTED);
    CHECK(out == NULL);
    tacit_l1_revert_reason(reason, sizeof reason, e->revert_data, e->revert_len, NULL, 0);
    CHECK(strcmp(reason, "Error(string): (\"nope\")") == 0);
    CHECK_EQ_INT(tacit_l1_block_number(l1, &x), TACIT_EL1_RPC);
    CHECK_EQ_INT(e->rpc_code, -32601);
    CHECK(e->revert_data == NULL); /* the detail is the last call's */
    /* "already known" only means "sent" for a send */
    CHECK_EQ_INT(tacit_l1_block_number(l1, &x), TACIT_EL1_RPC);
    tacit_l1_free(l1);
    server_stop(&s);
}

TEST(http_answers_read_strictly)
{
    /* the canned replies, one per line as the server sends them */
    /* clang-format off */
    static const struct canned answers[] = {
        {"result", "\"0x07a69\""},                        /* a quantity with a leading zero */
        {"result", "\"12\""},                             /* no 0x */
        {"result", "null"},                               /* no receipt yet */
        {"result", "{\"transactionHash\":\"0x0101010101010101010101010101010101010101010101010101010101010101\","
                   "\"blockHash\":\"0x0202020202020202020202020202020202020202020202020202020202020202\","
                   "\"blockNumber\":\"0x5\",\"status\":\"0x1\",\"gasUsed\":\"0x5208\","
                   "\"logs\":[]}"},                       /* effectiveGasPrice missing */
        {"result", "{\"transactionHash\":\"0x0101010101010101010101010101010101010101010101010101010101010101\","
                   "\"blockHash\":\"0x0202020202020202020202020202020202020202020202020202020202020202\","
                   "\"blockNumber\":\"0x5\",\"status\":\"0x1\",\"gasUsed\":\"0x5208\",\"effectiveGasPrice\":\"0x3b9aca07\","
                   "\"contractAddress\":null,\"logs\":[{\"address\":\"0x4242424242424242424242424242424242424242\","
                   "\"topics\":[\"0x0303030303030303030303030303030303030303030303030303030303030303\"],"
                   "\"data\":\"0x0102\",\"blockNumber\":\"0x5\",\"blockHash\":\"0x0202020202020202020202020202020202020202020202020202020202020202\","
                   "\"transactionHash\":\"0x0101010101010101010101010101010101010101010101010101010101010101\",\"logIndex\":\"0x0\",\"removed\":false}]}"},
        {"result", "\"0x0000000000000000000000000000000000000000000000000000000000000000\""}, /* another hash */
        {"result", "{\"number\":\"0x10\",\"hash\":\"0x0404040404040404040404040404040404040404040404040404040404040404\","
                   "\"parentHash\":\"0x0505050505050505050505050505050505050505050505050505050505050505\","
                   "\"timestamp\":\"0x6553f100\",\"baseFeePerGas\":\"0x7\"}"},
        {"result", "null"},                               /* no such block */
    };
    /* clang-format on */
    struct server s;
    struct tacit_l1 *l1;
    struct tacit_l1_receipt r;
    struct tacit_l1_block b;
    tacit_uint256 bal;
    uint8_t hash[32], raw[2] = {0x02, 0xc0};
    uint64_t x;

    memset(hash, 1, 32);
    REQUIRE(server_start(&s, answers, sizeof answers / sizeof answers[0]), "the canned server");
    l1 = http_l1(&s);
    CHECK_EQ_INT(tacit_l1_chain_id(l1, &x), TACIT_EL1_REPLY);
    CHECK_EQ_INT(tacit_l1_get_balance(l1, hash, TACIT_L1_LATEST, &bal), TACIT_EL1_REPLY);
    CHECK_EQ_INT(tacit_l1_get_receipt(l1, hash, &r), TACIT_ENOTFOUND);
    CHECK_EQ_INT(tacit_l1_get_receipt(l1, hash, &r), TACIT_EL1_REPLY);
    CHECK_EQ_INT(tacit_l1_get_receipt(l1, hash, &r), TACIT_OK);
    CHECK(r.success && r.block_number == 5 && r.gas_used == 21000 && !r.has_contract_address);
    check_u256(&r.effective_gas_price, GWEI + 7);
    CHECK_EQ_INT(r.nlogs, 1);
    if (r.nlogs == 1)
        CHECK(r.logs[0].ntopics == 1 && r.logs[0].data_len == 2 && r.logs[0].address[0] == 0x42);
    tacit_l1_receipt_clear(&r);
    CHECK_EQ_INT(tacit_l1_send_raw(l1, raw, 2), TACIT_EL1_REPLY); /* the node named another hash */
    CHECK_EQ_INT(tacit_l1_get_block(l1, 16, &b), TACIT_OK);
    CHECK(b.number == 16 && b.timestamp == 0x6553f100 && b.has_base_fee && b.hash[0] == 4 &&
          b.parent_hash[0] == 5);
    check_u256(&b.base_fee, 7);
    /* the request carried the block number as a quantity, without full transactions */
    CHECK(strstr(s.last_request, "\"params\":[\"0x10\",false]") != NULL);
    CHECK_EQ_INT(tacit_l1_get_block(l1, TACIT_L1_FINALIZED, &b), TACIT_ENOTFOUND);
    CHECK(strstr(s.last_request, "\"finalized\"") != NULL);
    tacit_l1_free(l1);
    server_stop(&s);
}

TEST(http_request_forms)
{
    static const struct canned answers[] = {
        {"result", "\"0x2a\""}, {"result", "[]"}, {"result", "[]"}};
    struct server s;
    struct tacit_l1 *l1;
    struct tacit_l1_call call = {.has_from = true, .gas = 100000};
    struct tacit_l1_filter f = {.from_block = 1, .to_block = TACIT_L1_LATEST};
    struct tacit_l1_log *logs;
    uint8_t addr[1][20], topic[32], data[2] = {0xab, 0xcd};
    size_t n;
    uint64_t gas;

    memset(call.from, 0x11, 20);
    memset(call.to, 0x22, 20);
    tacit_uint256_from_u64(&call.value, 255);
    call.data = data;
    call.data_len = 2;
    memset(addr[0], 0x33, 20);
    memset(topic, 0x44, 32);
    f.addresses = (const uint8_t(*)[20])addr;
    f.naddresses = 1;
    f.topics[1] = topic; /* topic 0: any */
    REQUIRE(server_start(&s, answers, 3), "the canned server");
    l1 = http_l1(&s);
    CHECK_EQ_INT(tacit_l1_estimate_gas(l1, &call, &gas), TACIT_OK);
    CHECK_EQ_INT(gas, 42);
    CHECK(strstr(s.last_request, "\"method\":\"eth_estimateGas\"") != NULL);
    CHECK(strstr(s.last_request, "\"value\":\"0xff\"") != NULL);
    CHECK(strstr(s.last_request, "\"data\":\"0xabcd\"") != NULL);
    CHECK(strstr(s.last_request, "\"from\":\"0x1111111111111111111111111111111111111111\"") !=
          NULL);
    CHECK(strstr(s.last_request, "\"to\":\"0x2222222222222222222222222222222222222222\"") != NULL);
    CHECK(strstr(s.last_request, "\"gas\":\"0x186a0\"") != NULL);
    CHECK_EQ_INT(tacit_l1_get_logs(l1, &f, &logs, &n), TACIT_OK);
    CHECK_EQ_INT(n, 0);
    tacit_l1_logs_free(logs, n);
    CHECK(strstr(s.last_request, "\"fromBlock\":\"0x1\"") != NULL);
    CHECK(strstr(s.last_request, "\"toBlock\":\"latest\"") != NULL);
    CHECK(strstr(s.last_request, "\"address\":[\"0x3333333333333333333333333333333333333333\"]") !=
          NULL);
    CHECK(strstr(s.last_request,
                 "\"topics\":[null,"
                 "\"0x4444444444444444444444444444444444444444444444444444444444444444\"]") !=
          NULL);
    {
        /* position 0 as any of several events: a nested array */
        static const uint8_t any[2][32] = {{0x55}, {0x66}};
        struct tacit_l1_filter g = f;
        g.topics[1] = NULL;
        g.topic0_any = any;
        g.ntopic0_any = 2;
        CHECK_EQ_INT(tacit_l1_get_logs(l1, &g, &logs, &n), TACIT_OK);
        tacit_l1_logs_free(logs, n);
        CHECK(strstr(s.last_request,
                     "\"topics\":[[\"0x55000000000000000000000000000000000000000000000000000000"
                     "00000000\",\"0x660000000000000000000000000000000000000000000000000000000000"
                     "0000\"]]") != NULL);
    }
    tacit_l1_free(l1);
    server_stop(&s);
}

static const struct tacit_test tests[] = {
    {"sender_nonces_fees_and_gas", sender_nonces_fees_and_gas},
    {"sender_prepare_then_send", sender_prepare_then_send},
    {"sender_nonce_taken_elsewhere", sender_nonce_taken_elsewhere},
    {"sender_lost_answer_not_sent_twice", sender_lost_answer_not_sent_twice},
    {"sender_replacement", sender_replacement},
    {"sender_fee_cap", sender_fee_cap},
    {"sender_chain_id_mismatch", sender_chain_id_mismatch},
    {"sender_gas_limit_max", sender_gas_limit_max},
    {"sender_estimate_reverts", sender_estimate_reverts},
    {"sender_fee_history_fallback", sender_fee_history_fallback},
    {"wait_receipt_times_out", wait_receipt_times_out},
    {"http_unreachable", http_unreachable},
    {"http_retry_then_answer", http_retry_then_answer},
    {"http_errors_sorted", http_errors_sorted},
    {"http_answers_read_strictly", http_answers_read_strictly},
    {"http_request_forms", http_request_forms},
};
TACIT_TEST_MAIN(tests)
