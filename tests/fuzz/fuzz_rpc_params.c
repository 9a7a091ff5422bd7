/*
 * tacit — fuzz target for the parameters of the node's JSON-RPC methods (src/node/methods.c)
 * and the parsers they use (src/common/util.c): hex quantities, decimal amounts, fixed-length
 * hex (ids, hashes, addresses, field elements), variable-length hex (raw transactions), block
 * heights ("latest"), ranges and counts, booleans, timeouts, paths.
 *
 * Input: byte 0 picks the method (its index in tacit__node_methods, modulo their number), the
 * rest is the params as JSON text. Two parts:
 *   - the rest, as a C string, goes to every parser of util.c, compared with a reference of
 *     the grammar written here (success, value, the error kinds) and with the printers (what
 *     parses prints back to the same value);
 *   - when the rest is a JSON array or object (what the server hands a method), the method's
 *     handler runs (this file includes methods.c) on a node of stubs around a real store: a
 *     devnet chain of 4 credit-only blocks in a temporary directory, an empty mempool. The
 *     node's actions (submit, waiters, backup, snapshots, flags file) are stubs that answer at
 *     once; a submitted tx is decoded and checked by the static rules.
 * Checked: every call answers exactly once, before returning here; an error is -32602 with
 * "invalid params: ..." or an application error with a known name (never -32603); a result
 * serialises to JSON and reads back equal; a call that succeeds had every parameter of the
 * kind its method takes (by the reference grammar); nothing the call changes in the node
 * outlives it (the stubs reset it). TACIT_FUZZ_VERBOSE in the environment prints each answer.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

#include "node/methods.c"

/* ------------------------------------------------------------ the RPC calls ---- */

struct tacit_rpc_call {
    int nreplies;
    int code;       /* 0: a result */
    json_t *result; /* the result or the error's data */
    char message[200];
};

void tacit_rpc_reply(struct tacit_rpc_call *call, json_t *result)
{
    call->nreplies++;
    if (result == NULL) {
        call->code = TACIT_RPC_INTERNAL_ERROR;
        return;
    }
    json_decref(call->result);
    call->result = result;
}

void tacit_rpc_reply_error(struct tacit_rpc_call *call, int code, const char *message, json_t *data)
{
    call->nreplies++;
    call->code = code;
    snprintf(call->message, sizeof call->message, "%s", message);
    json_decref(call->result);
    call->result = data;
}

void tacit_rpc_reply_tacit_error(struct tacit_rpc_call *call, int err)
{
    FUZZ_CHECK(err > 0 && strcmp(tacit_errname(err), "EUNKNOWN") != 0);
    tacit_rpc_reply_error(call, TACIT_RPC_APP_BASE + err, tacit_strerror(err),
                          json_pack("{s:s}", "error", tacit_errname(err)));
}

const char *tacit_rpc_call_method(const struct tacit_rpc_call *call)
{
    (void)call;
    return "fuzz";
}

bool tacit_rpc_call_is_local(const struct tacit_rpc_call *call)
{
    (void)call;
    return true;
}

/* A result built off the loop must be one JSON value. */
void tacit_rpc_reply_text(struct tacit_rpc_call *call, char *text, size_t len)
{
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY, NULL);
    FUZZ_CHECK(v != NULL);
    free(text);
    tacit_rpc_reply(call, v);
}

size_t tacit_rpc_call_room(const struct tacit_rpc_call *call)
{
    (void)call;
    return (size_t)16 << 20;
}

void tacit_rpc_reply_too_large(struct tacit_rpc_call *call)
{
    tacit_rpc_reply_error(call, TACIT_RPC_TOO_LARGE, "answer too large", NULL);
}

/* Parked, then answered at once by the waiter stub below. */
bool tacit_rpc_call_park(struct tacit_rpc_call *call, void (*cancel)(void *arg), void *arg)
{
    (void)call;
    (void)cancel;
    (void)arg;
    return true;
}

/* ------------------------------------------------------------ the node stubs ---- */

static struct tacit_node node;
static char tmpdir[64];
static uint64_t fake_now = 1700000000000ull;

uint64_t tacit__now_ms(void) { return fake_now; }
/* the settlement step's timings (src/node/settle_step.c, linked for the statuses) */
double tacit__mono_s(void) { return (double)fake_now / 1000.0; }
/* the CPU time of each step for /metrics (methods.c): none here (metrics.c is not linked) */
double tacit__thread_cpu_s(void) { return 0.0; }
uint64_t tacit__block_time_ms(void) { return fake_now / 1000 * 1000; }

int tacit__admission_submit(struct tacit_node *n, struct tacit_rpc_call *call, const uint8_t *bytes,
                            size_t len)
{
    struct tacit_tx tx;
    uint8_t id[32];
    int rc;
    if ((rc = tacit_tx_decode(&tx, bytes, len)) != TACIT_OK) return rc;
    if ((rc = tacit_tx_check_static(&tx, &n->params)) != TACIT_OK) return rc;
    tacit_tx_id(id, &tx);
    tacit_rpc_reply(call, hex_json(id, 32));
    return TACIT_OK;
}

/* Ids starting 0xdd are "in the verify queue" (the pending branch of tacit_getTransaction). */
bool tacit__admission_queued(const struct tacit_node *n, const uint8_t id[32])
{
    (void)n;
    return id[0] == 0xdd;
}

bool tacit__node_store_closing(const struct tacit_node *n)
{
    (void)n;
    return false;
}

void tacit__node_backup(struct tacit_node *n, struct tacit_rpc_call *call, const char *dir)
{
    (void)n;
    FUZZ_CHECK(dir != NULL && dir[0] == '/');
    tacit_rpc_reply(call, json_true());
}

void tacit__node_revert(struct tacit_node *n, struct tacit_rpc_call *call, uint64_t id)
{
    (void)n;
    if (id == 1)
        tacit_rpc_reply(call, json_true());
    else
        tacit_rpc_reply_tacit_error(call, TACIT_ENOTFOUND);
}

void tacit__mempool_removed(void *n, const uint8_t id[32], int reason)
{
    (void)n;
    (void)id;
    (void)reason;
}

/* Ids starting 0xee were "rejected" (the status branch of tacit_getTransaction). */
int tacit__status_reason(const struct tacit_node *n, const uint8_t id[32],
                         const struct tacit_rpc_call *call)
{
    (void)n;
    (void)call;
    return id[0] == 0xee ? TACIT_EFEE_TOO_LOW : TACIT_OK;
}

/* A waiter is answered at once, as when its block (or its timeout) comes. */
void tacit__batcher_wait_height(struct tacit_node *n, struct tacit_rpc_call *call, uint64_t height,
                                uint64_t timeout_ms)
{
    (void)n;
    (void)height;
    FUZZ_CHECK(timeout_ms <= WAIT_MAX_MS);
    tacit_rpc_reply(call, json_null());
}

bool tacit__batcher_wait_block(struct tacit_node *n, struct tacit_rpc_call *call,
                               const struct tacit_credit *c, uint64_t blocks)
{
    (void)n;
    FUZZ_CHECK(blocks >= 1 && blocks <= TACIT_DEVNET_MINE_MAX); /* dev_mine's count checked */
    if (c != NULL) FUZZ_CHECK(memcmp(c->address, TACIT_POOL_ADDRESS, 20) != 0);
    tacit_rpc_reply(call, json_null());
    return true;
}

void tacit__node_job_finished(struct tacit_node *n) { (void)n; }
void tacit__follow_forward(struct tacit_node *n, struct tacit_rpc_call *call, uint8_t *bytes,
                           size_t len)
{
    (void)n;
    (void)len;
    free(bytes);
    tacit_rpc_reply_tacit_error(call, TACIT_EINVAL); /* never a follower here */
}

const char *tacit__follow_source(const struct tacit_node *n)
{
    (void)n;
    return "nobody"; /* never a follower here */
}
bool tacit__follow_rpc_active(const struct tacit_node *n)
{
    (void)n;
    return false;
}
json_t *tacit__follow_l1_json(struct tacit_node *n, const struct tacit_state_tip *tip)
{
    (void)n;
    (void)tip;
    return json_null();
}

int tacit__flags_save(struct tacit_node *n)
{
    (void)n;
    return TACIT_OK;
}

int tacit__snapshot_take(struct tacit_node *n, uint64_t *id)
{
    (void)n;
    *id = 1;
    return TACIT_OK;
}

static void rm_tree(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "fuzz_rpc_params: could not remove %s\n", dir);
}

static void cleanup(void)
{
    if (node.st != NULL) tacit_state_close(node.st);
    tacit_mempool_free(node.mp);
    if (tmpdir[0]) rm_tree(tmpdir);
}

/* A devnet node's parts: a store with blocks 0..3 (credits only: no proofs to make). */
static void node_init(void)
{
    static const uint8_t sk[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    struct tacit_state_options o;
    struct tacit_mempool_limits ml = {.max_txs = 16, .max_bytes = 1u << 20};
    struct tacit_sequencer_key *key;
    char dir[128];

    FUZZ_CHECK(sodium_init() >= 0);
    tacit_log_set_level(TACIT_LOG_ERROR);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tacit-fuzz-params-XXXXXX");
    FUZZ_CHECK(mkdtemp(tmpdir) != NULL);
    atexit(cleanup);
    snprintf(dir, sizeof dir, "%s/state", tmpdir);

    node.cfg.devnet = true;
    node.cfg.block_interval_ms = 1000;
    node.cfg.max_block_txs = 100;
    node.params.chain_id = 1337;
    node.params.allow_credits = true;
    node.params.min_fee = 1;
    memset(node.params.rollup_id, 0x77, sizeof node.params.rollup_id);
    FUZZ_CHECK(tacit_sequencer_key_new(&key, sk) == TACIT_OK);
    tacit_sequencer_key_public(key, node.params.sequencer, node.params.fee_recipient);
    tacit_state_options_init(&o);
    o.chain_id = node.params.chain_id;
    o.flags |= TACIT_STATE_NOSYNC;
    FUZZ_CHECK(uv_loop_init(&node.loop) == 0);
    FUZZ_CHECK(tacit_state_open(&node.st, dir, &o) == TACIT_OK);
    for (unsigned h = 0; h < 4; h++) {
        struct tacit_block_builder *b;
        struct tacit_credit c = {.amount = 1000 + h};
        memset(c.address, 0xa0 + (int)h, sizeof c.address);
        FUZZ_CHECK(tacit_block_builder_new(&b, node.st, &node.params) == TACIT_OK);
        FUZZ_CHECK(tacit_block_builder_add_credit(b, &c) == TACIT_OK);
        FUZZ_CHECK(tacit_block_builder_seal(b, key, fake_now + h, NULL, NULL, NULL) == TACIT_OK);
        FUZZ_CHECK(tacit_block_builder_commit(b) == TACIT_OK);
        tacit_block_builder_free(b);
    }
    tacit_sequencer_key_free(key);
    FUZZ_CHECK(tacit_mempool_new(&node.mp, &ml) == TACIT_OK);
    node.cfg.mempool_max_txs = ml.max_txs;
    node.cfg.mempool_max_bytes = ml.max_bytes;
    node.vk_json = "{\"protocol\":\"groth16\",\"curve\":\"bn128\",\"nPublic\":7}";
}

/* What a call may change, back as it was. */
static void node_reset(void)
{
    node.params.min_fee = 1;
    node.paused = false;
    node.bat.ncredits = 0;
}

/* ----------------------------------------------------- the reference grammar ---- */

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_val(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

static bool has_prefix(const char *s) { return s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

static bool all_hex(const char *s)
{
    for (; *s; s++)
        if (!is_hex(*s)) return false;
    return true;
}

/* A quantity: "0x" (or "0X") and 1 or more hex digits of a value below 2^64. */
static bool ref_quantity(const char *s, uint64_t *v)
{
    const char *d;
    *v = 0;
    if (s == NULL || !has_prefix(s) || s[2] == '\0' || !all_hex(s + 2)) return false;
    for (d = s + 2; *d == '0'; d++) {}
    if (strlen(d) > 16) return false;
    for (; *d; d++) *v = *v << 4 | hex_val(*d);
    return true;
}

/* An amount: decimal, no sign, no leading zero (but "0"), at most 2^64 - 1. */
static bool ref_amount(const char *s)
{
    size_t n;
    if (s == NULL || (n = strlen(s)) == 0 || n > 20 || (n > 1 && s[0] == '0')) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return n < 20 || strcmp(s, "18446744073709551615") <= 0;
}

/* n bytes as 2n hex digits after "0x" (or optional when !prefix). */
static bool ref_fixed_hex(const char *s, size_t n, bool prefix)
{
    if (s == NULL) return false;
    if (has_prefix(s))
        s += 2;
    else if (prefix)
        return false;
    return strlen(s) == 2 * n && all_hex(s);
}

static void lower_copy(char *out, const char *s)
{
    for (; *s; s++) *out++ = (char)(*s >= 'A' && *s <= 'Z' ? *s | 0x20 : *s);
    *out = '\0';
}

/* The parsers of util.c on any string, against the reference and the printers. */
static void check_parsers(const char *s)
{
    size_t len = strlen(s);
    uint64_t v, rv;
    uint8_t buf[32], *alloc;
    size_t n;
    char text[80];
    int rc;

    rc = tacit_parse_hex_u64(&v, s);
    FUZZ_CHECK((rc == TACIT_OK) == ref_quantity(s, &rv));
    if (rc == TACIT_OK) {
        FUZZ_CHECK(v == rv);
        tacit_hex_u64(text, v);
        FUZZ_CHECK(tacit_parse_hex_u64(&rv, text) == TACIT_OK && rv == v);
        FUZZ_CHECK(strlen(text) <= len); /* the printed form is the shortest */
    } else {
        FUZZ_CHECK(rc == TACIT_EENCODING || rc == TACIT_EOVERFLOW);
        FUZZ_CHECK(v == 0);
        if (has_prefix(s) && s[2] && all_hex(s + 2)) FUZZ_CHECK(rc == TACIT_EOVERFLOW);
    }

    rc = tacit_parse_dec_u64(&v, s);
    FUZZ_CHECK((rc == TACIT_OK) == ref_amount(s));
    if (rc == TACIT_OK) {
        snprintf(text, sizeof text, "%" PRIu64, v);
        FUZZ_CHECK(strcmp(text, s) == 0);
    } else {
        FUZZ_CHECK(rc == TACIT_EENCODING || rc == TACIT_EOVERFLOW);
        FUZZ_CHECK(v == 0);
    }

    for (size_t k = 0; k < 2; k++) {
        size_t nb = k ? 20 : 32;
        for (int prefix = 0; prefix < 2; prefix++) {
            rc = tacit_hex_decode(buf, nb, s, prefix);
            FUZZ_CHECK((rc == TACIT_OK) == ref_fixed_hex(s, nb, prefix));
            FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EENCODING);
            if (rc == TACIT_OK) {
                char low[80];
                tacit_hex_encode(text, buf, nb);
                lower_copy(low, has_prefix(s) ? s + 2 : s);
                FUZZ_CHECK(strcmp(text + 2, low) == 0);
            }
        }
    }

    rc = tacit_hex_decode_alloc(&alloc, &n, s, 40);
    if (has_prefix(s) && (len - 2) % 2 == 0 && all_hex(s + 2)) {
        FUZZ_CHECK(rc == ((len - 2) / 2 > 40 ? TACIT_ETOOBIG : TACIT_OK));
    } else {
        FUZZ_CHECK(rc == TACIT_EENCODING || rc == TACIT_ETOOBIG);
    }
    if (rc == TACIT_OK) {
        char *t = malloc(2 * n + 3), *low = malloc(len + 1);
        FUZZ_CHECK(t != NULL && low != NULL && n == (len - 2) / 2);
        tacit_hex_encode(t, alloc, n);
        lower_copy(low, s + 2);
        FUZZ_CHECK(strcmp(t + 2, low) == 0);
        free(t);
        free(low);
    } else {
        FUZZ_CHECK(alloc == NULL && n == 0);
    }
    free(alloc);
}

/* -------------------------------------------------------- the methods' params ---- */

/* What each parameter must be when the call succeeds. */
enum kind { K_END, K_QTY, K_HEIGHT, K_H32, K_H20, K_AMOUNT, K_BOOL, K_TX, K_NFS, K_MS, K_PATH };

static const struct {
    const char *method;
    size_t min;
    enum kind k[3];
} KINDS[] = {
    {"tacit_sendRawTransaction", 1, {K_TX}},
    {"tacit_getTransaction", 1, {K_H32}},
    {"tacit_getBlockByNumber", 1, {K_HEIGHT, K_BOOL}},
    {"tacit_getBlockByHash", 1, {K_H32, K_BOOL}},
    {"tacit_getBlockRange", 2, {K_QTY, K_QTY}},
    {"tacit_getTreeState", 1, {K_HEIGHT}},
    {"tacit_getCommitments", 2, {K_QTY, K_QTY}},
    {"tacit_getSubtreeRoots", 2, {K_QTY, K_QTY}},
    {"tacit_getTreeNodes", 3, {K_QTY, K_QTY, K_QTY}},
    {"tacit_nullifiersSpent", 1, {K_NFS}},
    {"tacit_getAccount", 1, {K_H20}},
    {"tacit_waitForBlock", 1, {K_QTY, K_MS}},
    {"admin_setMinFee", 1, {K_AMOUNT}},
    {"admin_backup", 1, {K_PATH}},
    {"dev_fund", 2, {K_H20, K_AMOUNT}},
    {"dev_revert", 1, {K_QTY}},
};

/* r as a field element: below BN254's r (the scalar field order), big-endian hex. */
static bool ref_field_element(const char *s)
{
    static const char R[] = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
    char low[70];
    if (!ref_fixed_hex(s, 32, true)) return false;
    lower_copy(low, s + 2);
    return strcmp(low, R) < 0;
}

static bool kind_ok(enum kind k, json_t *v)
{
    const char *s = json_string_value(v);
    uint64_t q;
    size_t i;
    json_t *e;

    switch (k) {
    case K_QTY: return ref_quantity(s, &q);
    case K_HEIGHT: return (s != NULL && strcmp(s, "latest") == 0) || ref_quantity(s, &q);
    case K_H32: return ref_fixed_hex(s, 32, true);
    case K_H20: return ref_fixed_hex(s, 20, true);
    case K_AMOUNT: return ref_amount(s);
    case K_BOOL: return json_is_boolean(v);
    case K_TX: return s != NULL && has_prefix(s) && (strlen(s) - 2) % 2 == 0 && all_hex(s + 2);
    case K_NFS:
        if (!json_is_array(v) || json_array_size(v) > NULLIFIERS_MAX) return false;
        json_array_foreach(v, i, e) if (!ref_field_element(json_string_value(e))) return false;
        return true;
    case K_MS: return json_is_integer(v) && json_integer_value(v) >= 0;
    case K_PATH: return s != NULL && s[0] == '/';
    case K_END: break;
    }
    return false;
}

static void check_success(const char *method, json_t *params)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        if (strcmp(KINDS[i].method, method) != 0) continue;
        FUZZ_CHECK(json_is_array(params) && json_array_size(params) >= KINDS[i].min);
        for (size_t p = 0; p < json_array_size(params); p++) {
            FUZZ_CHECK(p < 3 && KINDS[i].k[p] != K_END);
            FUZZ_CHECK(kind_ok(KINDS[i].k[p], json_array_get(params, p)));
        }
        return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static size_t nmethods;
    struct tacit_rpc_call call = {0};
    const struct tacit_rpc_method *m;
    json_t *params;
    char *text;

    if (size < 1) return 0;
    if (nmethods == 0) {
        node_init();
        while (tacit__node_methods[nmethods].name != NULL) nmethods++;
    }
    m = &tacit__node_methods[data[0] % nmethods];

    /* the parsers, on the bytes as a string (up to a NUL, as from JSON) */
    if ((text = malloc(size)) == NULL) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    check_parsers(text);
    free(text);

    params = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(params) && !json_is_object(params)) {
        json_decref(params);
        return 0;
    }
    /* strings inside, too (what the parsers get from the methods) */
    if (json_is_array(params)) {
        size_t i;
        json_t *e;
        json_array_foreach(params, i, e) if (json_is_string(e)) check_parsers(json_string_value(e));
    }

    node_reset();
    m->fn(&call, params, &node);
    uv_run(&node.loop, UV_RUN_DEFAULT); /* the big reads run on the thread pool */
    FUZZ_CHECK(call.nreplies == 1);
    if (getenv("TACIT_FUZZ_VERBOSE") != NULL) {
        char *out = json_dumps(call.result, JSON_COMPACT | JSON_ENCODE_ANY);
        fprintf(stderr, "%s: %d %s %.300s\n", m->name, call.code, call.message, out ? out : "-");
        free(out);
    }
    if (call.code == 0) {
        char *out = json_dumps(call.result, JSON_COMPACT | JSON_ENCODE_ANY);
        json_t *back;
        FUZZ_CHECK(out != NULL);
        back = json_loads(out, JSON_DECODE_ANY, NULL);
        FUZZ_CHECK(back != NULL && json_equal(back, call.result));
        json_decref(back);
        free(out);
        check_success(m->name, params);
    } else if (call.code == TACIT_RPC_INVALID_PARAMS) {
        FUZZ_CHECK(strncmp(call.message, "invalid params: ", 16) == 0);
    } else {
        FUZZ_CHECK(call.code > TACIT_RPC_APP_BASE);
    }
    json_decref(call.result);
    json_decref(params);
    node_reset();
    return 0;
}
