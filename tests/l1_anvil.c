/*
 * tacit — the L1 port against a real Ethereum node: anvil, started by tests/l1_anvil.sh (which
 * passes its URL in TACIT_L1_URL; this program is not a ctest by itself). Signed EIP-1559
 * transfers with exact balances, nonces over several transactions and across two senders, a
 * replacement with a bumped fee (and one bumped too little), a settlement fee bump (rebid), the revert reasons of a contract
 * assembled here by hand, its event read back from the receipt and from eth_getLogs, a mined
 * transaction that failed, insufficient funds; the settlement helpers of the node
 * (tacit_settle_l1_*: heads, a transaction unknown, pending, included, failed with its reason
 * replayed); and, once the script has stopped anvil
 * (TACIT_L1_GONE=1), the error when the node is gone.
 *
 * anvil's first default account (a public test key) pays; recipients are fresh random keys.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/anvil_rpc.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"
#include "tacit/l1.h"
#include "tacit/rpc.h"
#include "tacit/settle.h"

#define CHAIN_ID 31337
#define ETHER 1000000000000000000ull
static const char KEY0[] = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/* ------------------------------------------------------------------ fixture ---- */

struct fx {
    struct tacit_l1 *l1;
    struct tacit_eth_key *key;
    struct tacit_l1_sender *s;
    uint8_t from[20];
};

static bool fx_open(struct fx *f)
{
    const char *url = getenv("TACIT_L1_URL");
    struct tacit_l1_sender_opts o = {.chain_id = CHAIN_ID};
    memset(f, 0, sizeof *f);
    if (url == NULL || tacit_l1_http_new(&f->l1, url, NULL) != TACIT_OK) return false;
    if (tacit_eth_key_from_hex(&f->key, KEY0) != TACIT_OK) return false;
    tacit_eth_key_address(f->key, f->from);
    return tacit_l1_sender_new(&f->s, f->l1, f->key, &o) == TACIT_OK;
}

static void fx_close(struct fx *f)
{
    tacit_l1_sender_free(f->s);
    tacit_eth_key_free(f->key);
    tacit_l1_free(f->l1);
}

static void fresh_address(uint8_t addr[20])
{
    struct tacit_eth_key *k = NULL;
    uint8_t sk[32];
    do tacit_test_rand_bytes(sk, 32);
    while (tacit_eth_key_new(&k, sk) != TACIT_OK);
    tacit_eth_key_address(k, addr);
    tacit_eth_key_free(k);
}

static tacit_uint256 balance(struct fx *f, const uint8_t addr[20])
{
    tacit_uint256 b = {{0}};
    CHECK_EQ_INT(tacit_l1_get_balance(f->l1, addr, TACIT_L1_LATEST, &b), TACIT_OK);
    return b;
}

static void check_u256_eq(const tacit_uint256 *a, const tacit_uint256 *b)
{
    char x[TACIT_UINT256_DEC_MAX], y[TACIT_UINT256_DEC_MAX];
    tacit_uint256_to_dec(x, a);
    tacit_uint256_to_dec(y, b);
    if (strcmp(x, y) != 0) tacit__test_fail(__FILE__, __LINE__, "%s != %s", x, y);
}

/* Sends value wei (and data) to `to` and waits for the receipt (which must be a success). */
static int send_and_wait(struct fx *f, const uint8_t to[20], uint64_t value, const uint8_t *data,
                         size_t len, uint64_t gas, struct tacit_l1_sent *sent,
                         struct tacit_l1_receipt *r)
{
    struct tacit_l1_call req = {.data = data, .data_len = len, .gas = gas, .create = to == NULL};
    int rc;
    if (to != NULL) memcpy(req.to, to, 20);
    tacit_uint256_from_u64(&req.value, value);
    if ((rc = tacit_l1_sender_send(f->s, &req, sent)) != TACIT_OK) return rc;
    return tacit_l1_wait_receipt(f->l1, sent->hash, 10000, 50, r);
}

/* The settlement's fee bump (tacit_l1_sender_rebid): a recorded transaction re-signed with the
 * same nonce, gas and call and both fees at least 10% higher, which the pool takes in place of
 * the pending one; the replacement is mined, the first never. At a cap below the bumped max
 * fee: EL1_FEE_CAP; another key's transaction: EINVAL. */
TEST(anvil_rebid)
{
    struct fx f, capped;
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    struct tacit_l1_call req = {.gas = 21000};
    struct tacit_l1_sender_opts co = {.chain_id = CHAIN_ID};
    struct tacit_eth_tx a, b;
    tacit_uint256 min;
    uint8_t h2[32], *raw = NULL, *raw2 = NULL, *raw3 = NULL;
    size_t n = 0, n2 = 0, n3 = 0;
    REQUIRE(fx_open(&f), "TACIT_L1_URL (run tests/l1_anvil.sh)");
    REQUIRE(anvil_call("evm_setAutomine", json_pack("[b]", 0), NULL, 0) == TACIT_OK,
            "evm_setAutomine false");
    fresh_address(req.to);
    tacit_uint256_from_u64(&req.value, ETHER);
    CHECK_EQ_INT(tacit_l1_sender_prepare(f.s, &req, &sent, &raw, &n), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_send_raw(f.l1, raw, n), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_sender_rebid(f.s, raw, n, h2, &raw2, &n2), TACIT_OK);
    CHECK_EQ_INT(tacit_eth_tx_decode(&a, NULL, raw, n), TACIT_OK);
    CHECK_EQ_INT(tacit_eth_tx_decode(&b, NULL, raw2, n2), TACIT_OK);
    CHECK_EQ_INT(b.nonce, a.nonce);
    CHECK_EQ_INT(b.gas_limit, a.gas_limit);
    CHECK(memcmp(b.to, a.to, 20) == 0 && tacit_uint256_cmp(&b.value, &a.value) == 0);
    CHECK_EQ_INT(tacit_uint256_mul_div_ceil(&min, &a.max_fee_per_gas, 110, 100), TACIT_OK);
    CHECK(tacit_uint256_cmp(&b.max_fee_per_gas, &min) >= 0);
    CHECK_EQ_INT(tacit_uint256_mul_div_ceil(&min, &a.max_priority_fee_per_gas, 110, 100), TACIT_OK);
    CHECK(tacit_uint256_cmp(&b.max_priority_fee_per_gas, &min) >= 0);
    CHECK_EQ_INT(tacit_l1_send_raw(f.l1, raw2, n2), TACIT_OK); /* the pool takes it */
    CHECK_EQ_INT(anvil_call("evm_mine", json_array(), NULL, 0), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_wait_receipt(f.l1, h2, 10000, 50, &r), TACIT_OK);
    CHECK(r.success);
    tacit_l1_receipt_clear(&r);
    CHECK_EQ_INT(tacit_l1_get_receipt(f.l1, sent.hash, &r), TACIT_ENOTFOUND);
    /* capped at the first transaction's max fee: no room for a bump */
    memset(&capped, 0, sizeof capped);
    REQUIRE(tacit_l1_http_new(&capped.l1, getenv("TACIT_L1_URL"), NULL) == TACIT_OK, "L1");
    co.max_fee_cap = a.max_fee_per_gas;
    CHECK_EQ_INT(tacit_l1_sender_new(&capped.s, capped.l1, f.key, &co), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_sender_rebid(capped.s, raw, n, h2, &raw3, &n3), TACIT_EL1_FEE_CAP);
    CHECK(raw3 == NULL);
    tacit_l1_sender_free(capped.s);
    tacit_l1_free(capped.l1);
    /* another key's transaction */
    {
        struct tacit_eth_key *k2 = NULL;
        struct tacit_l1_sender *s2 = NULL;
        uint8_t sk[32];
        do tacit_test_rand_bytes(sk, 32);
        while (tacit_eth_key_new(&k2, sk) != TACIT_OK);
        CHECK_EQ_INT(tacit_l1_sender_new(&s2, f.l1, k2,
                                         &(struct tacit_l1_sender_opts){.chain_id = CHAIN_ID}),
                     TACIT_OK);
        CHECK_EQ_INT(tacit_l1_sender_rebid(s2, raw, n, h2, &raw3, &n3), TACIT_EINVAL);
        tacit_l1_sender_free(s2);
        tacit_eth_key_free(k2);
    }
    CHECK_EQ_INT(anvil_call("evm_setAutomine", json_pack("[b]", 1), NULL, 0), TACIT_OK);
    free(raw);
    free(raw2);
    tacit_l1_sent_clear(&sent);
    fx_close(&f);
}

/* ------------------------------------------------------------------ basics ---- */

TEST(anvil_chain_and_blocks)
{
    struct fx f;
    struct tacit_l1_block b, parent;
    uint64_t id, n;
    REQUIRE(fx_open(&f), "TACIT_L1_URL (run tests/l1_anvil.sh)");
    CHECK_EQ_INT(tacit_l1_chain_id(f.l1, &id), TACIT_OK);
    CHECK_EQ_INT(id, CHAIN_ID);
    CHECK_EQ_INT(tacit_l1_block_number(f.l1, &n), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_get_block(f.l1, TACIT_L1_LATEST, &b), TACIT_OK);
    CHECK(b.number >= n && b.has_base_fee && !tacit_uint256_is_zero(&b.base_fee));
    if (b.number > 0) {
        CHECK_EQ_INT(tacit_l1_get_block(f.l1, b.number - 1, &parent), TACIT_OK);
        CHECK_MEM(b.parent_hash, parent.hash, 32);
        CHECK(parent.timestamp <= b.timestamp);
    }
    CHECK_EQ_INT(tacit_l1_get_block(f.l1, b.number + 1000, &b), TACIT_ENOTFOUND);
    fx_close(&f);
}

TEST(anvil_transfer_exact_balances)
{
    struct fx f;
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    tacit_uint256 before, after, spent, fee, want;
    uint8_t to[20];
    uint64_t nonce0, nonce1;
    REQUIRE(fx_open(&f), "TACIT_L1_URL (run tests/l1_anvil.sh)");
    fresh_address(to);
    before = balance(&f, f.from);
    CHECK_EQ_INT(tacit_l1_get_nonce(f.l1, f.from, TACIT_L1_LATEST, &nonce0), TACIT_OK);
    CHECK_EQ_INT(send_and_wait(&f, to, 3 * ETHER / 2, NULL, 0, 0, &sent, &r), TACIT_OK);
    CHECK(r.success);
    CHECK_MEM(r.tx_hash, sent.hash, 32);
    CHECK_EQ_INT(r.gas_used, 21000);
    CHECK(sent.tx.gas_limit >= 21000);
    CHECK_EQ_INT(sent.tx.nonce, nonce0);
    /* the recipient has exactly the value; the sender paid value + gasUsed * effectiveGasPrice */
    after = balance(&f, to);
    tacit_uint256_from_u64(&want, 3 * ETHER / 2);
    check_u256_eq(&after, &want);
    after = balance(&f, f.from);
    CHECK_EQ_INT(tacit_uint256_sub(&spent, &before, &after), TACIT_OK);
    CHECK_EQ_INT(tacit_uint256_mul_u64(&fee, &r.effective_gas_price, r.gas_used), TACIT_OK);
    CHECK_EQ_INT(tacit_uint256_add(&want, &want, &fee), TACIT_OK);
    check_u256_eq(&spent, &want);
    /* the price paid is within the fees signed */
    CHECK(tacit_uint256_cmp(&r.effective_gas_price, &sent.tx.max_fee_per_gas) <= 0);
    CHECK_EQ_INT(tacit_l1_get_nonce(f.l1, f.from, TACIT_L1_LATEST, &nonce1), TACIT_OK);
    CHECK_EQ_INT(nonce1, nonce0 + 1);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    fx_close(&f);
}

TEST(anvil_nonces)
{
    struct fx f, other;
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    uint8_t to[20];
    uint64_t start, now, next;
    REQUIRE(fx_open(&f) && fx_open(&other), "TACIT_L1_URL (run tests/l1_anvil.sh)");
    fresh_address(to);
    CHECK_EQ_INT(tacit_l1_get_nonce(f.l1, f.from, TACIT_L1_PENDING, &start), TACIT_OK);
    for (uint64_t i = 0; i < 4; i++) {
        CHECK_EQ_INT(send_and_wait(&f, to, 1000 + i, NULL, 0, 21000, &sent, &r), TACIT_OK);
        CHECK_EQ_INT(sent.tx.nonce, start + i);
        CHECK(r.success);
        tacit_l1_receipt_clear(&r);
        tacit_l1_sent_clear(&sent);
    }
    CHECK_EQ_INT(tacit_l1_get_nonce(f.l1, f.from, TACIT_L1_LATEST, &now), TACIT_OK);
    CHECK_EQ_INT(now, start + 4);
    /* another sender on the same key takes the next nonce: ours is refused as too low by the
     * node, asks again and sends with the one after */
    CHECK_EQ_INT(tacit_l1_sender_next_nonce(f.s, &next), TACIT_OK);
    CHECK_EQ_INT(send_and_wait(&other, to, 1, NULL, 0, 21000, &sent, &r), TACIT_OK);
    CHECK_EQ_INT(sent.tx.nonce, next);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    CHECK_EQ_INT(send_and_wait(&f, to, 1, NULL, 0, 21000, &sent, &r), TACIT_OK);
    CHECK_EQ_INT(sent.tx.nonce, next + 1);
    CHECK(r.success);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    fx_close(&other);
    fx_close(&f);
}

TEST(anvil_replacement)
{
    struct fx f;
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    struct tacit_l1_call req = {.gas = 21000};
    struct tacit_eth_tx low;
    tacit_uint256 got, want;
    uint8_t first[32], *raw;
    size_t n;
    bool known = false;
    REQUIRE(fx_open(&f), "TACIT_L1_URL (run tests/l1_anvil.sh)");
    REQUIRE(anvil_call("evm_setAutomine", json_pack("[b]", 0), NULL, 0) == TACIT_OK,
            "evm_setAutomine false");
    fresh_address(req.to);
    tacit_uint256_from_u64(&req.value, ETHER);
    CHECK_EQ_INT(tacit_l1_sender_send(f.s, &req, &sent), TACIT_OK);
    memcpy(first, sent.hash, 32);
    CHECK_EQ_INT(tacit_l1_get_receipt(f.l1, first, &r), TACIT_ENOTFOUND); /* pending */
    /* bumped by 5% only: the node refuses the replacement */
    low = sent.tx;
    CHECK_EQ_INT(tacit_uint256_mul_div_ceil(&low.max_fee_per_gas, &low.max_fee_per_gas, 105, 100),
                 TACIT_OK);
    CHECK_EQ_INT(tacit_uint256_mul_div_ceil(&low.max_priority_fee_per_gas,
                                            &low.max_priority_fee_per_gas, 105, 100),
                 TACIT_OK);
    CHECK_EQ_INT(tacit_eth_tx_sign(&raw, &n, NULL, &low, f.key), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_send_raw(f.l1, raw, n), TACIT_EL1_UNDERPRICED);
    free(raw);
    /* the sender's replacement: same nonce, 12.5% more */
    CHECK_EQ_INT(tacit_l1_sender_replace(f.s, &sent), TACIT_OK);
    CHECK(memcmp(first, sent.hash, 32) != 0);
    CHECK_EQ_INT(tacit_l1_tx_known(f.l1, sent.hash, &known), TACIT_OK);
    CHECK(known);
    CHECK_EQ_INT(anvil_call("evm_mine", json_array(), NULL, 0), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_wait_receipt(f.l1, sent.hash, 10000, 50, &r), TACIT_OK);
    CHECK(r.success);
    tacit_l1_receipt_clear(&r);
    CHECK_EQ_INT(tacit_l1_get_receipt(f.l1, first, &r),
                 TACIT_ENOTFOUND); /* replaced, never mined */
    got = balance(&f, req.to);
    tacit_uint256_from_u64(&want, ETHER); /* paid once */
    check_u256_eq(&got, &want);
    /* once mined, the nonce is used */
    CHECK_EQ_INT(tacit_l1_sender_replace(f.s, &sent), TACIT_EL1_NONCE_TOO_LOW);
    CHECK_EQ_INT(anvil_call("evm_setAutomine", json_pack("[b]", 1), NULL, 0), TACIT_OK);
    tacit_l1_sent_clear(&sent);
    fx_close(&f);
}

TEST(anvil_insufficient_funds)
{
    struct fx f, poor;
    struct tacit_l1_sender_opts o = {.chain_id = CHAIN_ID};
    struct tacit_l1_call req = {.gas = 21000};
    struct tacit_l1_sent sent;
    uint8_t sk[32];
    REQUIRE(fx_open(&f), "TACIT_L1_URL (run tests/l1_anvil.sh)");
    memset(&poor, 0, sizeof poor);
    poor.l1 = f.l1;
    do tacit_test_rand_bytes(sk, 32);
    while (tacit_eth_key_new(&poor.key, sk) != TACIT_OK);
    REQUIRE(tacit_l1_sender_new(&poor.s, f.l1, poor.key, &o) == TACIT_OK, "a sender");
    memcpy(req.to, f.from, 20);
    tacit_uint256_from_u64(&req.value, 1);
    CHECK_EQ_INT(tacit_l1_sender_send(poor.s, &req, &sent), TACIT_EL1_INSUFFICIENT_FUNDS);
    tacit_l1_sender_free(poor.s);
    tacit_eth_key_free(poor.key);
    fx_close(&f);
}

/* ------------------------------------------------------------------ a contract ---- */

/* A tiny assembler: opcodes, pushes, and jumps to labels patched at the end. */
struct evm {
    uint8_t code[1024];
    size_t n;
    size_t label[8];
    size_t ref_at[16];
    int ref_label[16];
    size_t nrefs;
};

enum {
    EQ = 0x14,
    SHR = 0x1c,
    CALLER = 0x33,
    CALLDATALOAD = 0x35,
    CODECOPY = 0x39,
    MSTORE = 0x52,
    JUMPI = 0x57,
    JUMPDEST = 0x5b,
    PUSH1 = 0x60,
    DUP1 = 0x80,
    LOG2 = 0xa2,
    RETURN = 0xf3,
    REVERT = 0xfd,
};

static void op(struct evm *e, uint8_t o) { e->code[e->n++] = o; }

static void push(struct evm *e, const uint8_t *p, size_t n) /* PUSHn */
{
    op(e, (uint8_t)(PUSH1 + n - 1));
    memcpy(e->code + e->n, p, n);
    e->n += n;
}

static void push1(struct evm *e, uint8_t v) { push(e, &v, 1); }

static void jumpi_to(struct evm *e, int label) /* PUSH2 <label> JUMPI */
{
    op(e, PUSH1 + 1);
    e->ref_at[e->nrefs] = e->n;
    e->ref_label[e->nrefs++] = label;
    e->n += 2;
    op(e, JUMPI);
}

static void label(struct evm *e, int l)
{
    e->label[l] = e->n;
    op(e, JUMPDEST);
}

static void patch(struct evm *e)
{
    for (size_t i = 0; i < e->nrefs; i++) {
        e->code[e->ref_at[i]] = (uint8_t)(e->label[e->ref_label[i]] >> 8);
        e->code[e->ref_at[i] + 1] = (uint8_t)e->label[e->ref_label[i]];
    }
}

/* mem[0..4) = selector of sig */
static void store_selector(struct evm *e, const char *sig)
{
    uint8_t w[32] = {0};
    CHECK_EQ_INT(tacit_abi_selector(w, sig), TACIT_OK);
    push(e, w, 32);
    push1(e, 0);
    op(e, MSTORE);
}

/*
 * The runtime: fail() reverts with Error("nope"); failCustom() with NullifierSpent(0x0a..0a);
 * ping(uint256 v) emits Pinged(address indexed sender, uint256 value) and returns v; anything
 * else returns 42. Then the creation code that returns it.
 */
static void contract(uint8_t **out, size_t *len)
{
    enum { L_FAIL, L_CUSTOM, L_PING };
    struct evm rt = {.n = 0}, init = {.n = 0};
    const char *sels[3] = {"fail()", "failCustom()", "ping(uint256)"};
    uint8_t w[32], sel[4];

    push1(&rt, 0);
    op(&rt, CALLDATALOAD);
    push1(&rt, 0xe0);
    op(&rt, SHR); /* the selector */
    for (int i = 0; i < 3; i++) {
        op(&rt, DUP1);
        CHECK_EQ_INT(tacit_abi_selector(sel, sels[i]), TACIT_OK);
        push(&rt, sel, 4);
        op(&rt, EQ);
        jumpi_to(&rt, i);
    }
    push1(&rt, 42);
    push1(&rt, 0);
    op(&rt, MSTORE);
    push1(&rt, 32);
    push1(&rt, 0);
    op(&rt, RETURN);

    label(&rt, L_FAIL); /* Error(string): selector, offset 0x20, length 4, "nope" */
    store_selector(&rt, "Error(string)");
    push1(&rt, 0x20);
    push1(&rt, 0x04);
    op(&rt, MSTORE);
    push1(&rt, 4);
    push1(&rt, 0x24);
    op(&rt, MSTORE);
    memset(w, 0, 32);
    memcpy(w, "nope", 4);
    push(&rt, w, 32);
    push1(&rt, 0x44);
    op(&rt, MSTORE);
    push1(&rt, 0x64);
    push1(&rt, 0);
    op(&rt, REVERT);

    label(&rt, L_CUSTOM);
    store_selector(&rt, "NullifierSpent(bytes32)");
    memset(w, 0x0a, 32);
    push(&rt, w, 32);
    push1(&rt, 0x04);
    op(&rt, MSTORE);
    push1(&rt, 0x24);
    push1(&rt, 0);
    op(&rt, REVERT);

    label(&rt, L_PING); /* LOG2(0, 32, topic0, caller) of mem[0..32) = v */
    push1(&rt, 4);
    op(&rt, CALLDATALOAD);
    push1(&rt, 0);
    op(&rt, MSTORE);
    op(&rt, CALLER);
    CHECK_EQ_INT(tacit_abi_event_topic(w, "Pinged(address indexed sender, uint256 value)"),
                 TACIT_OK);
    push(&rt, w, 32);
    push1(&rt, 0x20);
    push1(&rt, 0);
    op(&rt, LOG2);
    push1(&rt, 0x20);
    push1(&rt, 0);
    op(&rt, RETURN);
    patch(&rt);

    /* creation: CODECOPY(0, 13, len); RETURN(0, len) — 13 bytes before the runtime */
    push(&init, (const uint8_t[]){(uint8_t)(rt.n >> 8), (uint8_t)rt.n}, 2);
    op(&init, DUP1);
    push(&init, (const uint8_t[]){0, 13}, 2);
    push1(&init, 0);
    op(&init, CODECOPY);
    push1(&init, 0);
    op(&init, RETURN);
    CHECK_EQ_INT(init.n, 13);
    *len = init.n + rt.n;
    *out = malloc(*len);
    memcpy(*out, init.code, init.n);
    memcpy(*out + init.n, rt.code, rt.n);
}

static void call_data(uint8_t out[36], const char *sig, uint64_t arg)
{
    struct tacit_abi_value v;
    memset(out, 0, 36);
    CHECK_EQ_INT(tacit_abi_selector(out, sig), TACIT_OK);
    tacit_abi_set_u64(&v, arg);
    memcpy(out + 4, v.word, 32);
}

TEST(anvil_contract_reverts_and_logs)
{
    static const char *const custom[] = {"NullifierSpent(bytes32)"};
    struct fx f;
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    struct tacit_l1_call call = {.has_from = true};
    struct tacit_l1_filter filter = {0};
    struct tacit_l1_log *logs;
    struct tacit_abi_value *ev;
    const struct tacit_l1_error *e;
    uint8_t *code, *out, data[36], topic0[32], addr[20];
    size_t len, n, nlogs;
    uint64_t gas, v;
    char reason[200];

    REQUIRE(fx_open(&f), "TACIT_L1_URL (run tests/l1_anvil.sh)");
    e = tacit_l1_last_error(f.l1);
    contract(&code, &len);
    CHECK_EQ_INT(send_and_wait(&f, NULL, 0, code, len, 0, &sent, &r), TACIT_OK);
    free(code);
    REQUIRE(r.success && r.has_contract_address, "the contract deployed");
    memcpy(call.to, r.contract_address, 20);
    memcpy(call.from, f.from, 20);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);

    /* any other call returns 42 */
    CHECK_EQ_INT(tacit_l1_call(f.l1, &call, TACIT_L1_LATEST, &out, &n), TACIT_OK);
    CHECK(n == 32 && out[31] == 42);
    free(out);
    /* fail(): Error("nope"), from eth_call and from eth_estimateGas */
    call_data(data, "fail()", 0);
    call.data = data;
    call.data_len = 4;
    CHECK_EQ_INT(tacit_l1_call(f.l1, &call, TACIT_L1_LATEST, &out, &n), TACIT_EL1_REVERTED);
    tacit_l1_revert_reason(reason, sizeof reason, e->revert_data, e->revert_len, custom, 1);
    if (strcmp(reason, "Error(string): (\"nope\")") != 0)
        tacit__test_fail(__FILE__, __LINE__, "reason \"%s\" (node: %lld %s)", reason, e->rpc_code,
                         e->message);
    CHECK_EQ_INT(tacit_l1_estimate_gas(f.l1, &call, &gas), TACIT_EL1_REVERTED);
    tacit_l1_revert_reason(reason, sizeof reason, e->revert_data, e->revert_len, custom, 1);
    CHECK(strcmp(reason, "Error(string): (\"nope\")") == 0);
    /* the sender estimates first: nothing is sent */
    CHECK_EQ_INT(tacit_l1_sender_send(f.s, &call, &sent), TACIT_EL1_REVERTED);
    /* failCustom(): a custom error, named from its signature */
    call_data(data, "failCustom()", 0);
    CHECK_EQ_INT(tacit_l1_call(f.l1, &call, TACIT_L1_LATEST, &out, &n), TACIT_EL1_REVERTED);
    tacit_l1_revert_reason(reason, sizeof reason, e->revert_data, e->revert_len, custom, 1);
    if (strcmp(reason, "NullifierSpent(bytes32): "
                       "(0x0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a)") != 0)
        tacit__test_fail(__FILE__, __LINE__, "reason \"%s\"", reason);
    /* mined anyway (gas given, no estimate): the receipt says it failed */
    CHECK_EQ_INT(send_and_wait(&f, call.to, 0, data, 4, 100000, &sent, &r), TACIT_OK);
    CHECK(!r.success);
    tacit_l1_receipt_clear(&r);
    CHECK_EQ_INT(tacit_l1_wait_success(f.l1, sent.hash, 1000, 50, &r), TACIT_EL1_TX_FAILED);
    CHECK(!r.success && r.gas_used > 0);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);

    /* ping(7): the event, from the receipt and from eth_getLogs */
    call_data(data, "ping(uint256)", 7);
    CHECK_EQ_INT(send_and_wait(&f, call.to, 0, data, 36, 0, &sent, &r), TACIT_OK);
    CHECK(r.success);
    REQUIRE(r.nlogs == 1, "one log");
    CHECK_MEM(r.logs[0].address, call.to, 20);
    CHECK_EQ_INT(tacit_abi_decode_log(&ev, "Pinged(address indexed sender, uint256 value)",
                                      (const uint8_t(*)[32])r.logs[0].topics, r.logs[0].ntopics,
                                      r.logs[0].data, r.logs[0].data_len),
                 TACIT_OK);
    if (ev != NULL) {
        tacit_abi_get_address(addr, &ev->items[0]);
        CHECK_MEM(addr, f.from, 20);
        CHECK_EQ_INT(tacit_abi_get_u64(&v, &ev->items[1]), TACIT_OK);
        CHECK_EQ_INT(v, 7);
    }
    tacit_abi_value_free(ev);
    CHECK_EQ_INT(tacit_abi_event_topic(topic0, "Pinged(address,uint256)"), TACIT_OK);
    filter.from_block = r.block_number;
    filter.to_block = TACIT_L1_LATEST;
    filter.addresses = (const uint8_t(*)[20])call.to;
    filter.naddresses = 1;
    filter.topics[0] = topic0;
    CHECK_EQ_INT(tacit_l1_get_logs(f.l1, &filter, &logs, &nlogs), TACIT_OK);
    CHECK_EQ_INT(nlogs, 1);
    if (nlogs == 1) {
        CHECK_MEM(logs[0].tx_hash, sent.hash, 32);
        CHECK_EQ_INT(logs[0].block_number, r.block_number);
        CHECK_MEM(logs[0].block_hash, r.block_hash, 32);
        CHECK(!logs[0].removed);
    }
    tacit_l1_logs_free(logs, nlogs);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    fx_close(&f);
}

/* ------------------------------------------------------------ settlement ---- */

/* The raw bytes of a transaction the sender sent (it signs deterministically: RFC 6979). */
static void sent_raw(struct fx *f, const struct tacit_l1_sent *sent, uint8_t **raw, size_t *len)
{
    uint8_t h[32];
    CHECK_EQ_INT(tacit_eth_tx_sign(raw, len, h, &sent->tx, f->key), TACIT_OK);
    CHECK_MEM(h, sent->hash, 32);
}

TEST(anvil_settle_helpers)
{
    struct fx f;
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    struct tacit_settle_heads heads;
    struct tacit_settle_receipt sr;
    struct tacit_l1_call req = {0};
    uint8_t *code, *raw = NULL, data[36], to[20], hash[32];
    size_t len, rawlen = 0;

    REQUIRE(fx_open(&f), "TACIT_L1_URL (run tests/l1_anvil.sh)");
    CHECK_EQ_INT(tacit_settle_l1_heads(f.l1, 2, &heads), TACIT_OK);
    CHECK(heads.latest >= 1 && heads.finalized == heads.latest - 2);
    CHECK_EQ_INT(tacit_settle_l1_heads(f.l1, 0, &heads), TACIT_OK); /* the "finalized" tag */
    CHECK(heads.finalized <= heads.latest);

    /* a transaction nobody sent */
    tacit_test_rand_bytes(hash, 32);
    CHECK_EQ_INT(tacit_settle_l1_lookup(f.l1, hash, NULL, 0, NULL, 0, &sr), TACIT_OK);
    CHECK_EQ_INT(sr.state, TACIT_SETTLE_TX_UNKNOWN);

    /* pending while anvil does not mine, then included with its gas */
    fresh_address(to);
    CHECK_EQ_INT(anvil_call("evm_setAutomine", json_pack("[b]", 0), NULL, 0), TACIT_OK);
    memcpy(req.to, to, 20);
    tacit_uint256_from_u64(&req.value, 1);
    CHECK_EQ_INT(tacit_l1_sender_send(f.s, &req, &sent), TACIT_OK);
    sent_raw(&f, &sent, &raw, &rawlen);
    CHECK_EQ_INT(tacit_settle_l1_lookup(f.l1, sent.hash, raw, rawlen, NULL, 0, &sr), TACIT_OK);
    CHECK_EQ_INT(sr.state, TACIT_SETTLE_TX_PENDING);
    CHECK_EQ_INT(tacit_settle_l1_send(f.l1, raw, rawlen), TACIT_OK); /* again: already known */
    CHECK_EQ_INT(anvil_call("evm_mine", json_array(), NULL, 0), TACIT_OK);
    CHECK_EQ_INT(anvil_call("evm_setAutomine", json_pack("[b]", 1), NULL, 0), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_wait_receipt(f.l1, sent.hash, 10000, 50, &r), TACIT_OK);
    CHECK_EQ_INT(tacit_settle_l1_lookup(f.l1, sent.hash, raw, rawlen, NULL, 0, &sr), TACIT_OK);
    CHECK_EQ_INT(sr.state, TACIT_SETTLE_TX_INCLUDED);
    CHECK_EQ_INT(sr.block, r.block_number);
    CHECK_EQ_INT(sr.gas_used, 21000);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    free(raw);
    raw = NULL;

    /* mined and failed: REVERTED, its reason replayed */
    contract(&code, &len);
    CHECK_EQ_INT(send_and_wait(&f, NULL, 0, code, len, 0, &sent, &r), TACIT_OK);
    free(code);
    REQUIRE(r.success && r.has_contract_address, "the contract deployed");
    memcpy(to, r.contract_address, 20);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    call_data(data, "fail()", 0);
    CHECK_EQ_INT(send_and_wait(&f, to, 0, data, 4, 100000, &sent, &r), TACIT_OK);
    CHECK(!r.success);
    sent_raw(&f, &sent, &raw, &rawlen);
    CHECK_EQ_INT(tacit_settle_l1_lookup(f.l1, sent.hash, raw, rawlen, NULL, 0, &sr), TACIT_OK);
    CHECK_EQ_INT(sr.state, TACIT_SETTLE_TX_REVERTED);
    CHECK_EQ_INT(sr.block, r.block_number);
    CHECK(sr.gas_used > 21000);
    if (strcmp(sr.reason, "Error(string): (\"nope\")") != 0)
        tacit__test_fail(__FILE__, __LINE__, "reason \"%s\"", sr.reason);
    /* without the bytes: still REVERTED, the reason says why it is unknown */
    CHECK_EQ_INT(tacit_settle_l1_lookup(f.l1, sent.hash, NULL, 0, NULL, 0, &sr), TACIT_OK);
    CHECK_EQ_INT(sr.state, TACIT_SETTLE_TX_REVERTED);
    CHECK(strstr(sr.reason, "no transaction bytes") != NULL);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    free(raw);
    fx_close(&f);
}

/* ------------------------------------------------------------------ node gone ---- */

TEST(anvil_gone)
{
    struct tacit_l1_http_opts o = {.timeout_ms = 2000, .attempts = 3, .backoff_ms = 50};
    struct tacit_l1 *l1;
    uint64_t id;
    const char *gone = getenv("TACIT_L1_GONE");
    if (gone == NULL || strcmp(gone, "1") != 0) {
        tacit_test_skip("only after tests/l1_anvil.sh has stopped anvil (TACIT_L1_GONE=1)");
        return;
    }
    REQUIRE(getenv("TACIT_L1_URL") &&
                tacit_l1_http_new(&l1, getenv("TACIT_L1_URL"), &o) == TACIT_OK,
            "TACIT_L1_URL");
    CHECK_EQ_INT(tacit_l1_chain_id(l1, &id), TACIT_EL1_UNREACHABLE);
    tacit_l1_free(l1);
}

static const struct tacit_test tests[] = {
    {"anvil_chain_and_blocks", anvil_chain_and_blocks},
    {"anvil_transfer_exact_balances", anvil_transfer_exact_balances},
    {"anvil_nonces", anvil_nonces},
    {"anvil_replacement", anvil_replacement},
    {"anvil_rebid", anvil_rebid},
    {"anvil_insufficient_funds", anvil_insufficient_funds},
    {"anvil_contract_reverts_and_logs", anvil_contract_reverts_and_logs},
    {"anvil_settle_helpers", anvil_settle_helpers},
    {"anvil_gone", anvil_gone},
};
TACIT_TEST_MAIN(tests)
