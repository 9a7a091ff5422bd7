/*
 * tacit — the L1 port over Ethereum JSON-RPC (include/tacit/l1.h; ethereum.org's "JSON-RPC
 * API" and the execution-apis specification for the methods and their value forms): each
 * operation builds its params, makes one call through the blocking client of src/rpc/client.c,
 * and reads the result strictly (quantities without leading zeros, hashes of 32 bytes,
 * addresses of 20).
 *
 * Transport errors (connection refused or reset, no answer in time) are retried with a
 * doubling, capped wait; the last one becomes TACIT_EL1_UNREACHABLE or TACIT_ETIMEOUT.
 * JSON-RPC errors are not retried: they are sorted by their code and message into the codes of
 * l1.h (nodes word them alike: geth's and anvil's "nonce too low", "replacement transaction
 * underpriced", "insufficient funds for gas * price + value", "execution reverted" with code 3
 * and the revert data in "data").
 */
#define _GNU_SOURCE /* strcasestr */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l1/l1_internal.h"
#include "tacit/error.h"
#include "tacit/keccak.h"
#include "tacit/l1.h"
#include "tacit/rpc.h"
#include "tacit/util.h"

#define MAX_DATA (64u << 20) /* a hex blob longer than this in an answer is refused */

struct http {
    struct tacit_rpc_client *client;
    struct tacit_l1_http_opts opts;
};

/* An internal code beside l1.h's: the node already has this transaction. */
#define ALREADY_KNOWN (-1)

/* The code a JSON-RPC error stands for. */
static int classify(long long code, const char *msg)
{
    static const struct {
        const char *needle;
        int rc;
    } table[] = {
        {"nonce too low", TACIT_EL1_NONCE_TOO_LOW},
        {"nonce too high", TACIT_EL1_NONCE_TOO_HIGH},
        {"already known", ALREADY_KNOWN},
        {"known transaction", ALREADY_KNOWN},
        {"already imported", ALREADY_KNOWN},
        {"underpriced", TACIT_EL1_UNDERPRICED},
        {"less than block base fee", TACIT_EL1_UNDERPRICED},
        {"max fee per gas less than", TACIT_EL1_UNDERPRICED},
        {"insufficient funds", TACIT_EL1_INSUFFICIENT_FUNDS},
        {"execution reverted", TACIT_EL1_REVERTED},
        {"revert", TACIT_EL1_REVERTED},
    };
    if (code == 3) return TACIT_EL1_REVERTED; /* the execution-apis code for a revert */
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcasestr(msg, table[i].needle) != NULL) return table[i].rc;
    return TACIT_EL1_RPC;
}

/* Fills the detail from a JSON-RPC error object and returns its code. */
static int take_error(struct tacit_l1_error *err, json_t *e)
{
    json_t *data = json_object_get(e, "data");
    const char *msg = json_string_value(json_object_get(e, "message"));

    err->rpc_code = (long long)json_integer_value(json_object_get(e, "code"));
    snprintf(err->message, sizeof err->message, "%s", msg ? msg : "");
    /* revert data: a hex string, or (some nodes) an object holding one */
    if (json_is_object(data)) data = json_object_get(data, "data");
    if (json_is_string(data) &&
        tacit_hex_decode_alloc(&err->revert_data, &err->revert_len, json_string_value(data),
                               MAX_DATA) != TACIT_OK) {
        err->revert_data = NULL;
        err->revert_len = 0;
    }
    return classify(err->rpc_code, err->message);
}

/* One JSON-RPC call with the retries of the transport. params stolen; *result a new reference
 * on TACIT_OK (may be JSON null). hex_key non-NULL: the result's long hex string under that key
 * is decoded into *bytes (malloc'd; NULL when there is none: the result holds it) without going
 * through jansson (tacit_rpc_call_hex). */
static int rpc_hex(struct http *h, struct tacit_l1_error *err, const char *method, json_t *params,
                   const char *hex_key, json_t **result, uint8_t **bytes, size_t *len)
{
    unsigned wait = h->opts.backoff_ms;
    int rc = TACIT_EIO;

    *result = NULL;
    if (params == NULL) return TACIT_ENOMEM;
    for (unsigned attempt = 0; attempt < h->opts.attempts; attempt++) {
        json_t *error = NULL;
        if (attempt > 0) {
            tacit__l1_sleep_ms(wait);
            wait = wait > h->opts.backoff_max_ms / 2 ? h->opts.backoff_max_ms : wait * 2;
        }
        if (hex_key != NULL)
            rc = tacit_rpc_call_hex(h->client, method, json_incref(params), hex_key, MAX_DATA,
                                    result, &error, bytes, len);
        else
            rc = tacit_rpc_call(h->client, method, json_incref(params), result, &error);
        if (rc == TACIT_OK && error != NULL) {
            rc = take_error(err, error);
            json_decref(error);
            if (rc == ALREADY_KNOWN && strcmp(method, "eth_sendRawTransaction") != 0)
                rc = TACIT_EL1_RPC;
            break;
        }
        if (rc != TACIT_EIO && rc != TACIT_ETIMEOUT) break;
    }
    json_decref(params);
    if (rc == TACIT_EIO) return TACIT_EL1_UNREACHABLE;
    if (rc == TACIT_EJSON) return TACIT_EL1_REPLY;
    return rc;
}

static int rpc(struct http *h, struct tacit_l1_error *err, const char *method, json_t *params,
               json_t **result)
{
    return rpc_hex(h, err, method, params, NULL, result, NULL, NULL);
}

/* ------------------------------------------------------------------ reading answers ---- */

static int get_u256(const json_t *v, tacit_uint256 *out)
{
    return tacit_uint256_from_hex(out, json_string_value(v)) == TACIT_OK ? TACIT_OK
                                                                         : TACIT_EL1_REPLY;
}

static int get_u64(const json_t *v, uint64_t *out)
{
    tacit_uint256 u;
    if (get_u256(v, &u) != TACIT_OK || tacit_uint256_to_u64(out, &u) != TACIT_OK)
        return TACIT_EL1_REPLY;
    return TACIT_OK;
}

static int get_fixed(const json_t *v, uint8_t *out, size_t n)
{
    return tacit_hex_decode(out, n, json_string_value(v), true) == TACIT_OK ? TACIT_OK
                                                                            : TACIT_EL1_REPLY;
}

static int get_data(const json_t *v, uint8_t **out, size_t *n)
{
    return tacit_hex_decode_alloc(out, n, json_string_value(v), MAX_DATA) == TACIT_OK
               ? TACIT_OK
               : TACIT_EL1_REPLY;
}

static int get_log(const json_t *o, struct tacit_l1_log *l)
{
    json_t *topics = json_object_get(o, "topics"), *removed = json_object_get(o, "removed");
    int rc;

    memset(l, 0, sizeof *l);
    if (!json_is_array(topics) || json_array_size(topics) > 4) return TACIT_EL1_REPLY;
    l->ntopics = json_array_size(topics);
    for (size_t i = 0; i < l->ntopics; i++)
        if ((rc = get_fixed(json_array_get(topics, i), l->topics[i], 32)) != TACIT_OK) return rc;
    if (removed != NULL && !json_is_boolean(removed)) return TACIT_EL1_REPLY;
    l->removed = json_is_true(removed);
    if ((rc = get_fixed(json_object_get(o, "address"), l->address, 20)) != TACIT_OK ||
        (rc = get_u64(json_object_get(o, "blockNumber"), &l->block_number)) != TACIT_OK ||
        (rc = get_fixed(json_object_get(o, "blockHash"), l->block_hash, 32)) != TACIT_OK ||
        (rc = get_fixed(json_object_get(o, "transactionHash"), l->tx_hash, 32)) != TACIT_OK ||
        (rc = get_u64(json_object_get(o, "logIndex"), &l->log_index)) != TACIT_OK)
        return rc;
    return get_data(json_object_get(o, "data"), &l->data, &l->data_len);
}

static int get_logs_array(const json_t *a, struct tacit_l1_log **out, size_t *n)
{
    struct tacit_l1_log *logs;
    size_t k;
    int rc;

    *out = NULL;
    *n = 0;
    if (!json_is_array(a)) return TACIT_EL1_REPLY;
    k = json_array_size(a);
    if ((logs = calloc(k ? k : 1, sizeof *logs)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        if ((rc = get_log(json_array_get(a, i), &logs[i])) != TACIT_OK) {
            tacit_l1_logs_free(logs, i + 1);
            return rc;
        }
    }
    *out = logs;
    *n = k;
    return TACIT_OK;
}

/* ------------------------------------------------------------------ writing params ---- */

static json_t *quantity(uint64_t v)
{
    char s[19];
    tacit_hex_u64(s, v);
    return json_string(s);
}

static json_t *block_tag(uint64_t block)
{
    switch (block) {
    case TACIT_L1_LATEST: return json_string("latest");
    case TACIT_L1_PENDING: return json_string("pending");
    case TACIT_L1_SAFE: return json_string("safe");
    case TACIT_L1_FINALIZED: return json_string("finalized");
    default: return quantity(block);
    }
}

static json_t *hex_bytes(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 3);
    json_t *j;
    if (s == NULL) return NULL;
    tacit_hex_encode(s, p, n);
    j = json_string(s);
    free(s);
    return j;
}

static json_t *call_object(const struct tacit_l1_call *c)
{
    json_t *o = json_object();
    char v[TACIT_UINT256_HEX_MAX];
    bool ok;

    if (o == NULL) return NULL;
    tacit_uint256_to_hex(v, &c->value);
    ok = json_object_set_new(o, "value", json_string(v)) == 0 &&
         json_object_set_new(o, "data", hex_bytes(c->data, c->data_len)) == 0;
    if (ok && c->has_from) ok = json_object_set_new(o, "from", hex_bytes(c->from, 20)) == 0;
    if (ok && !c->create) ok = json_object_set_new(o, "to", hex_bytes(c->to, 20)) == 0;
    if (ok && c->gas) ok = json_object_set_new(o, "gas", quantity(c->gas)) == 0;
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ------------------------------------------------------------------ the ops ---- */

static int op_chain_id(void *ctx, struct tacit_l1_error *err, uint64_t *out)
{
    json_t *r;
    int rc = rpc(ctx, err, "eth_chainId", json_array(), &r);
    *out = 0;
    if (rc == TACIT_OK) rc = get_u64(r, out);
    json_decref(r);
    return rc;
}

static int op_block_number(void *ctx, struct tacit_l1_error *err, uint64_t *out)
{
    json_t *r;
    int rc = rpc(ctx, err, "eth_blockNumber", json_array(), &r);
    *out = 0;
    if (rc == TACIT_OK) rc = get_u64(r, out);
    json_decref(r);
    return rc;
}

static int op_get_block(void *ctx, struct tacit_l1_error *err, uint64_t block,
                        struct tacit_l1_block *out)
{
    json_t *r, *base;
    int rc = rpc(ctx, err, "eth_getBlockByNumber", json_pack("[o,b]", block_tag(block), 0), &r);

    memset(out, 0, sizeof *out);
    if (rc != TACIT_OK) return rc;
    if (json_is_null(r)) {
        rc = TACIT_ENOTFOUND;
        goto out;
    }
    if ((rc = get_u64(json_object_get(r, "number"), &out->number)) != TACIT_OK ||
        (rc = get_u64(json_object_get(r, "timestamp"), &out->timestamp)) != TACIT_OK ||
        (rc = get_fixed(json_object_get(r, "hash"), out->hash, 32)) != TACIT_OK ||
        (rc = get_fixed(json_object_get(r, "parentHash"), out->parent_hash, 32)) != TACIT_OK)
        goto out;
    if ((base = json_object_get(r, "baseFeePerGas")) != NULL) {
        out->has_base_fee = true;
        rc = get_u256(base, &out->base_fee);
    }
out:
    if (rc != TACIT_OK) memset(out, 0, sizeof *out);
    json_decref(r);
    return rc;
}

static int op_get_balance(void *ctx, struct tacit_l1_error *err, const uint8_t address[20],
                          uint64_t block, tacit_uint256 *out)
{
    json_t *r;
    int rc = rpc(ctx, err, "eth_getBalance",
                 json_pack("[o,o]", hex_bytes(address, 20), block_tag(block)), &r);
    memset(out, 0, sizeof *out);
    if (rc == TACIT_OK) rc = get_u256(r, out);
    json_decref(r);
    return rc;
}

static int op_get_nonce(void *ctx, struct tacit_l1_error *err, const uint8_t address[20],
                        uint64_t block, uint64_t *out)
{
    json_t *r;
    int rc = rpc(ctx, err, "eth_getTransactionCount",
                 json_pack("[o,o]", hex_bytes(address, 20), block_tag(block)), &r);
    *out = 0;
    if (rc == TACIT_OK) rc = get_u64(r, out);
    json_decref(r);
    return rc;
}

static int op_max_priority_fee(void *ctx, struct tacit_l1_error *err, tacit_uint256 *out)
{
    json_t *r;
    int rc = rpc(ctx, err, "eth_maxPriorityFeePerGas", json_array(), &r);
    memset(out, 0, sizeof *out);
    if (rc == TACIT_OK) rc = get_u256(r, out);
    json_decref(r);
    return rc;
}

static int op_fee_history(void *ctx, struct tacit_l1_error *err, unsigned nblocks, uint64_t newest,
                          unsigned percentile, struct tacit_l1_fee_history *out)
{
    json_t *r, *base, *reward;
    int rc = rpc(ctx, err, "eth_feeHistory",
                 json_pack("[o,o,[i]]", quantity(nblocks), block_tag(newest), (int)percentile), &r);
    size_t n;

    memset(out, 0, sizeof *out);
    if (rc != TACIT_OK) return rc;
    base = json_object_get(r, "baseFeePerGas");
    reward = json_object_get(r, "reward");
    rc = TACIT_EL1_REPLY;
    if (!json_is_array(base) || json_array_size(base) == 0) goto out;
    n = json_array_size(base) - 1;
    if (reward != NULL && (!json_is_array(reward) || json_array_size(reward) != n)) goto out;
    if ((out->base_fee = calloc(n + 1, sizeof *out->base_fee)) == NULL ||
        (out->reward = calloc(n + 1, sizeof *out->reward)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    out->n = n;
    if ((rc = get_u64(json_object_get(r, "oldestBlock"), &out->oldest_block)) != TACIT_OK) goto out;
    for (size_t i = 0; i <= n; i++)
        if ((rc = get_u256(json_array_get(base, i), &out->base_fee[i])) != TACIT_OK) goto out;
    for (size_t i = 0; reward != NULL && i < n; i++) {
        json_t *row = json_array_get(reward, i);
        if (!json_is_array(row) || json_array_size(row) != 1) {
            rc = TACIT_EL1_REPLY;
            goto out;
        }
        if ((rc = get_u256(json_array_get(row, 0), &out->reward[i])) != TACIT_OK) goto out;
    }
out:
    if (rc != TACIT_OK) tacit_l1_fee_history_clear(out);
    json_decref(r);
    return rc;
}

static int op_estimate_gas(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_call *call,
                           uint64_t *out)
{
    json_t *r;
    int rc = rpc(ctx, err, "eth_estimateGas", json_pack("[o]", call_object(call)), &r);
    *out = 0;
    if (rc == TACIT_OK) rc = get_u64(r, out);
    json_decref(r);
    return rc;
}

static int op_call(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_call *call,
                   uint64_t block, uint8_t **out, size_t *len)
{
    json_t *r;
    int rc = rpc(ctx, err, "eth_call", json_pack("[o,o]", call_object(call), block_tag(block)), &r);
    *out = NULL;
    *len = 0;
    if (rc == TACIT_OK) rc = get_data(r, out, len);
    json_decref(r);
    return rc;
}

static int op_send_raw(void *ctx, struct tacit_l1_error *err, const uint8_t *raw, size_t len)
{
    json_t *r;
    uint8_t want[32], got[32];
    int rc = rpc(ctx, err, "eth_sendRawTransaction", json_pack("[o]", hex_bytes(raw, len)), &r);

    tacit_eth_tx_hash(want, raw, len);
    if (rc == ALREADY_KNOWN)
        rc = TACIT_OK; /* sent before (a retry after a lost answer) */
    else if (rc == TACIT_OK && (get_fixed(r, got, 32) != TACIT_OK || memcmp(got, want, 32) != 0))
        rc = TACIT_EL1_REPLY;
    json_decref(r);
    return rc;
}

static int op_tx_known(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32], bool *known)
{
    json_t *r;
    int rc = rpc(ctx, err, "eth_getTransactionByHash", json_pack("[o]", hex_bytes(hash, 32)), &r);
    *known = false;
    if (rc == TACIT_OK) {
        if (json_is_object(r))
            *known = true;
        else if (!json_is_null(r))
            rc = TACIT_EL1_REPLY;
    }
    json_decref(r);
    return rc;
}

static int op_get_tx(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32],
                     struct tacit_l1_tx *out)
{
    json_t *r, *to, *bn;
    uint8_t *input = NULL;
    size_t input_len = 0;
    /* the calldata (a block's bytes: megabytes of hex) cut out before jansson reads the rest */
    int rc = rpc_hex(ctx, err, "eth_getTransactionByHash", json_pack("[o]", hex_bytes(hash, 32)),
                     "input", &r, &input, &input_len);

    memset(out, 0, sizeof *out);
    if (rc != TACIT_OK) return rc;
    if (json_is_null(r)) {
        free(input);
        rc = TACIT_ENOTFOUND;
        goto out;
    }
    out->input = input;
    out->input_len = input_len;
    if ((rc = get_fixed(json_object_get(r, "hash"), out->hash, 32)) != TACIT_OK ||
        (rc = get_fixed(json_object_get(r, "from"), out->from, 20)) != TACIT_OK ||
        (input == NULL &&
         (rc = get_data(json_object_get(r, "input"), &out->input, &out->input_len)) != TACIT_OK))
        goto out;
    if (memcmp(out->hash, hash, 32) != 0) {
        rc = TACIT_EL1_REPLY;
        goto out;
    }
    to = json_object_get(r, "to");
    if (to != NULL && !json_is_null(to)) {
        out->has_to = true;
        if ((rc = get_fixed(to, out->to, 20)) != TACIT_OK) goto out;
    }
    bn = json_object_get(r, "blockNumber");
    if (bn != NULL && !json_is_null(bn)) {
        out->mined = true;
        if ((rc = get_u64(bn, &out->block_number)) != TACIT_OK ||
            (rc = get_fixed(json_object_get(r, "blockHash"), out->block_hash, 32)) != TACIT_OK)
            goto out;
    }
out:
    if (rc != TACIT_OK) tacit_l1_tx_clear(out);
    json_decref(r);
    return rc;
}

static int op_get_receipt(void *ctx, struct tacit_l1_error *err, const uint8_t hash[32],
                          struct tacit_l1_receipt *out)
{
    json_t *r, *ca;
    uint64_t status;
    int rc = rpc(ctx, err, "eth_getTransactionReceipt", json_pack("[o]", hex_bytes(hash, 32)), &r);

    memset(out, 0, sizeof *out);
    if (rc != TACIT_OK) return rc;
    if (json_is_null(r)) {
        rc = TACIT_ENOTFOUND;
        goto out;
    }
    if ((rc = get_fixed(json_object_get(r, "transactionHash"), out->tx_hash, 32)) != TACIT_OK ||
        (rc = get_fixed(json_object_get(r, "blockHash"), out->block_hash, 32)) != TACIT_OK ||
        (rc = get_u64(json_object_get(r, "blockNumber"), &out->block_number)) != TACIT_OK ||
        (rc = get_u64(json_object_get(r, "status"), &status)) != TACIT_OK ||
        (rc = get_u64(json_object_get(r, "gasUsed"), &out->gas_used)) != TACIT_OK ||
        (rc = get_u256(json_object_get(r, "effectiveGasPrice"), &out->effective_gas_price)) !=
            TACIT_OK)
        goto out;
    if (status > 1 || memcmp(out->tx_hash, hash, 32) != 0) {
        rc = TACIT_EL1_REPLY;
        goto out;
    }
    out->success = status == 1;
    ca = json_object_get(r, "contractAddress");
    if (ca != NULL && !json_is_null(ca)) {
        out->has_contract_address = true;
        if ((rc = get_fixed(ca, out->contract_address, 20)) != TACIT_OK) goto out;
    }
    rc = get_logs_array(json_object_get(r, "logs"), &out->logs, &out->nlogs);
out:
    if (rc != TACIT_OK) tacit_l1_receipt_clear(out);
    json_decref(r);
    return rc;
}

static int op_get_logs(void *ctx, struct tacit_l1_error *err, const struct tacit_l1_filter *f,
                       struct tacit_l1_log **out, size_t *n)
{
    json_t *filter = json_pack("{s:o,s:o}", "fromBlock", block_tag(f->from_block), "toBlock",
                               block_tag(f->to_block));
    json_t *addrs = json_array(), *topics = json_array(), *r;
    size_t last = 0;
    bool ok = filter != NULL && addrs != NULL && topics != NULL;
    int rc;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; ok && i < f->naddresses; i++)
        ok = json_array_append_new(addrs, hex_bytes(f->addresses[i], 20)) == 0;
    for (size_t i = 0; i < 4; i++)
        if (f->topics[i] != NULL || (i == 0 && f->ntopic0_any > 0)) last = i + 1;
    for (size_t i = 0; ok && i < last; i++) {
        if (i == 0 && f->ntopic0_any > 0) { /* any of these */
            json_t *any = json_array();
            ok = any != NULL;
            for (size_t k = 0; ok && k < f->ntopic0_any; k++)
                ok = json_array_append_new(any, hex_bytes(f->topic0_any[k], 32)) == 0;
            if (ok)
                ok = json_array_append_new(topics, any) == 0; /* takes any, even failing */
            else
                json_decref(any);
            continue;
        }
        ok = json_array_append_new(topics,
                                   f->topics[i] ? hex_bytes(f->topics[i], 32) : json_null()) == 0;
    }
    if (ok && f->naddresses) ok = json_object_set(filter, "address", addrs) == 0;
    if (ok && last) ok = json_object_set(filter, "topics", topics) == 0;
    json_decref(addrs);
    json_decref(topics);
    if (!ok) {
        json_decref(filter);
        return TACIT_ENOMEM;
    }
    if ((rc = rpc(ctx, err, "eth_getLogs", json_pack("[o]", filter), &r)) != TACIT_OK) return rc;
    rc = get_logs_array(r, out, n);
    json_decref(r);
    return rc;
}

static void op_free(void *ctx)
{
    struct http *h = ctx;
    tacit_rpc_client_free(h->client);
    free(h);
}

static const struct tacit_l1_ops http_ops = {
    .chain_id = op_chain_id,
    .block_number = op_block_number,
    .get_block = op_get_block,
    .get_balance = op_get_balance,
    .get_nonce = op_get_nonce,
    .max_priority_fee = op_max_priority_fee,
    .fee_history = op_fee_history,
    .estimate_gas = op_estimate_gas,
    .call = op_call,
    .send_raw = op_send_raw,
    .tx_known = op_tx_known,
    .get_receipt = op_get_receipt,
    .get_logs = op_get_logs,
    .free = op_free,
    .get_tx = op_get_tx,
};

int tacit_l1_http_new(struct tacit_l1 **out, const char *url, const struct tacit_l1_http_opts *opts)
{
    struct http *h;
    int rc;

    *out = NULL;
    if ((h = calloc(1, sizeof *h)) == NULL) return TACIT_ENOMEM;
    if (opts != NULL) h->opts = *opts;
    if (h->opts.timeout_ms == 0) h->opts.timeout_ms = 10000;
    if (h->opts.attempts == 0) h->opts.attempts = 4;
    if (h->opts.backoff_ms == 0) h->opts.backoff_ms = 100;
    if (h->opts.backoff_max_ms == 0) h->opts.backoff_max_ms = 2000;
    if ((rc = tacit_rpc_client_new(&h->client, url, NULL, h->opts.timeout_ms)) != TACIT_OK) {
        free(h);
        return rc;
    }
    if ((rc = tacit_l1_new(out, &http_ops, h)) != TACIT_OK) op_free(h);
    return rc;
}
