/*
 * tacit — struct tacit_wallet_node over tacitd's JSON-RPC (docs/rpc.md, "Methods"). Every
 * field of every reply is checked; a reply of another shape is TACIT_EJSON, never a crash.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tacit/error.h"
#include "tacit/rpc.h"
#include "tacit/util.h"
#include "wallet/wallet_internal.h"

/* One call; the node's application errors (1000 + n) come back as tacit code n, "method not
 * found" as TACIT_ENOTFOUND when not_found_ok (a method an older tacitd lacks). */
static int call_ex(void *ud, const char *method, json_t *params, json_t **result, bool not_found_ok)
{
    json_t *err = NULL;
    int rc = tacit_rpc_call(ud, method, params, result, &err);
    if (rc != TACIT_OK) return rc;
    if (err != NULL) {
        json_int_t code = json_integer_value(json_object_get(err, "code"));
        json_decref(err);
        *result = NULL;
        if (code > TACIT_RPC_APP_BASE && code < TACIT_RPC_APP_BASE + TACIT__ERR_COUNT)
            return (int)(code - TACIT_RPC_APP_BASE);
        if (not_found_ok && code == TACIT_RPC_METHOD_NOT_FOUND) return TACIT_ENOTFOUND;
        return code == TACIT_RPC_BUSY ? TACIT_EBUSY : TACIT_EIO;
    }
    return TACIT_OK;
}

static int call(void *ud, const char *method, json_t *params, json_t **result)
{
    return call_ex(ud, method, params, result, false);
}

static json_t *hexq(uint64_t v)
{
    char s[19];
    tacit_hex_u64(s, v);
    return json_string(s);
}

static bool get_u64(const json_t *o, const char *k, uint64_t *v)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL && tacit_parse_hex_u64(v, s) == TACIT_OK;
}

static bool get_dec(const json_t *o, const char *k, uint64_t *v)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL && tacit_parse_dec_u64(v, s) == TACIT_OK;
}

static bool bytes_of(const json_t *j, uint8_t *out, size_t n)
{
    const char *s = json_string_value(j);
    return s != NULL && tacit_hex_decode(out, n, s, true) == TACIT_OK;
}

static bool fr_of(const json_t *j, tacit_fr *out)
{
    uint8_t b[32];
    return bytes_of(j, b, 32) && tacit_fr_from_bytes(out, b) == TACIT_OK;
}

/* A chain that settles on L1 has a "settlement" object (absent, or null, otherwise): its
 * transactions are protocol v2, whose digests bind the L1 chain id (docs/rpc.md). */
static int settlement_of(const json_t *s, struct tacit_wallet_chain_info *out)
{
    const json_t *v;
    json_int_t ver;
    if (s == NULL || json_is_null(s)) {
        out->tx_version = TACIT_TX_VERSION;
        return TACIT_OK;
    }
    if (!json_is_object(s) || !get_u64(s, "l1ChainId", &out->l1_chain_id)) return TACIT_EJSON;
    /* the highest settled block, null: none yet (a forced transaction anchors there) */
    v = json_object_get(s, "settled");
    if (v != NULL && !json_is_null(v) && !get_u64(s, "settled", &out->settled_height))
        return TACIT_EJSON;
    v = json_object_get(s, "txVersion");
    ver = v == NULL ? TACIT_TX_VERSION_L1 : json_is_integer(v) ? json_integer_value(v) : -1;
    if (ver != TACIT_TX_VERSION && ver != TACIT_TX_VERSION_L1) return TACIT_EVERSION;
    out->tx_version = (uint8_t)ver;
    return TACIT_OK;
}

static int rpc_chain_info(void *ud, struct tacit_wallet_chain_info *out)
{
    json_t *r;
    const json_t *h;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = call(ud, "tacit_chainInfo", json_array(), &r)) != TACIT_OK) return rc;
    h = json_object_get(r, "height");
    out->height = TACIT_WALLET_NO_HEIGHT;
    out->settled_height = TACIT_WALLET_NO_HEIGHT;
    if (!get_u64(r, "chainId", &out->chain_id) || !get_dec(r, "minFee", &out->min_fee) ||
        !bytes_of(json_object_get(r, "rollupId"), out->rollup_id, TACIT_ROLLUP_ID_LEN) ||
        (!json_is_null(h) && !get_u64(r, "height", &out->height)) ||
        !json_is_boolean(json_object_get(r, "devnet")))
        rc = TACIT_EJSON;
    else
        out->devnet = json_is_true(json_object_get(r, "devnet"));
    if (rc == TACIT_OK && (rc = settlement_of(json_object_get(r, "settlement"), out)) != TACIT_OK)
        memset(out, 0, sizeof *out);
    json_decref(r);
    return rc;
}

static int rpc_header(void *ud, uint64_t height, struct tacit_wallet_header *out)
{
    json_t *r;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = call(ud, "tacit_getBlockByNumber", json_pack("[o]", hexq(height)), &r)) != TACIT_OK)
        return rc;
    if (json_is_null(r))
        rc = TACIT_ENOTFOUND;
    else if (!bytes_of(json_object_get(r, "hash"), out->hash, 32) ||
             !fr_of(json_object_get(r, "noteRoot"), &out->note_root) ||
             !get_u64(r, "commitmentCount", &out->commitment_count))
        rc = TACIT_EJSON;
    json_decref(r);
    return rc;
}

static void rpc_free_blocks(void *ud, struct tacit_wallet_cblock *b, size_t n)
{
    (void)ud;
    if (b == NULL) return;
    for (size_t i = 0; i < n; i++) free(b[i].txs);
    free(b);
}

static bool ctx_of(const json_t *j, struct tacit_wallet_ctx *t)
{
    const json_t *nf = json_object_get(j, "nullifiers"), *cm = json_object_get(j, "commitments"),
                 *ct = json_object_get(j, "ciphertexts");
    if (json_array_size(nf) != 2 || json_array_size(cm) != 2 || json_array_size(ct) != 2)
        return false;
    if (!bytes_of(json_object_get(j, "id"), t->id, 32) ||
        !bytes_of(json_object_get(j, "epk"), t->epk, TACIT_EPK_BYTES))
        return false;
    for (size_t i = 0; i < 2; i++)
        if (!fr_of(json_array_get(nf, i), &t->nf[i]) || !fr_of(json_array_get(cm, i), &t->cm[i]) ||
            !bytes_of(json_array_get(ct, i), t->ct[i], TACIT_NOTE_CIPHERTEXT_BYTES))
            return false;
    return true;
}

static int rpc_block_range(void *ud, uint64_t from, uint64_t to,
                           struct tacit_wallet_cblock **blocks, size_t *n)
{
    json_t *r;
    struct tacit_wallet_cblock *b = NULL;
    size_t nb = 0;
    int rc;
    *blocks = NULL;
    *n = 0;
    if ((rc = call(ud, "tacit_getBlockRange", json_pack("[o,o]", hexq(from), hexq(to)), &r)) !=
        TACIT_OK)
        return rc;
    if (!json_is_array(r)) {
        rc = TACIT_EJSON;
        goto out;
    }
    if ((b = calloc(json_array_size(r) + 1, sizeof *b)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < json_array_size(r); i++) {
        const json_t *jb = json_array_get(r, i), *txs = json_object_get(jb, "txs");
        struct tacit_wallet_cblock *cb = &b[nb++];
        if (!get_u64(jb, "height", &cb->height) ||
            !bytes_of(json_object_get(jb, "hash"), cb->hash, 32) ||
            !get_u64(jb, "commitmentStart", &cb->commitment_start) || !json_is_array(txs)) {
            rc = TACIT_EJSON;
            goto out;
        }
        cb->ntxs = json_array_size(txs);
        if (cb->ntxs > 0 && (cb->txs = calloc(cb->ntxs, sizeof *cb->txs)) == NULL) {
            rc = TACIT_ENOMEM;
            goto out;
        }
        for (size_t t = 0; t < cb->ntxs; t++)
            if (!ctx_of(json_array_get(txs, t), &cb->txs[t])) {
                rc = TACIT_EJSON;
                goto out;
            }
    }
    *blocks = b;
    *n = nb;
    b = NULL;
out:
    rpc_free_blocks(ud, b, nb);
    json_decref(r);
    return rc;
}

/* A {"level":level,"start":..,key:[...]} reply (tacit_getSubtreeRoots, tacit_getTreeNodes) of
 * at most count values into out; frees r. */
static int level_list_of(json_t *r, const char *key, unsigned level, size_t count, tacit_fr *out,
                         size_t *got)
{
    const json_t *list = json_object_get(r, key);
    int rc = TACIT_OK;
    if (json_integer_value(json_object_get(r, "level")) != (json_int_t)level ||
        !json_is_array(list) || json_array_size(list) > count) {
        rc = TACIT_EJSON;
        goto out;
    }
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!fr_of(json_array_get(list, i), &out[i])) {
            rc = TACIT_EJSON;
            goto out;
        }
    *got = json_array_size(list);
out:
    json_decref(r);
    return rc;
}

static int rpc_subtree_roots(void *ud, uint64_t start, size_t count, tacit_fr *roots, size_t *got)
{
    json_t *r;
    int rc;
    *got = 0;
    if ((rc = call(ud, "tacit_getSubtreeRoots", json_pack("[o,o]", hexq(start), hexq(count)),
                   &r)) != TACIT_OK)
        return rc;
    return level_list_of(r, "roots", TACIT_WALLET_SUBTREE_LEVEL, count, roots, got);
}

/* tacit_getTreeNodes at TACIT_WALLET_INNER_LEVEL. A node without the method (an older
 * tacitd: "method not found") is TACIT_ENOTFOUND: the wallet then hashes the leaves. */
static int rpc_tree_nodes(void *ud, uint64_t start, size_t count, tacit_fr *out, size_t *got)
{
    json_t *r;
    int rc;
    *got = 0;
    if ((rc =
             call_ex(ud, "tacit_getTreeNodes",
                     json_pack("[o,o,o]", hexq(TACIT_WALLET_INNER_LEVEL), hexq(start), hexq(count)),
                     &r, true)) != TACIT_OK)
        return rc;
    return level_list_of(r, "nodes", TACIT_WALLET_INNER_LEVEL, count, out, got);
}

static int rpc_commitments(void *ud, uint64_t start, size_t count, tacit_fr *out, size_t *got)
{
    json_t *r;
    int rc;
    *got = 0;
    if ((rc = call(ud, "tacit_getCommitments", json_pack("[o,o]", hexq(start), hexq(count)), &r)) !=
        TACIT_OK)
        return rc;
    if (!json_is_array(r) || json_array_size(r) > count) {
        rc = TACIT_EJSON;
        goto out;
    }
    for (size_t i = 0; i < json_array_size(r); i++)
        if (!fr_of(json_array_get(r, i), &out[i])) {
            rc = TACIT_EJSON;
            goto out;
        }
    *got = json_array_size(r);
out:
    json_decref(r);
    return rc;
}

static int rpc_account(void *ud, const uint8_t address[TACIT_ADDRESS_LEN], uint64_t *balance,
                       uint64_t *nonce)
{
    char hex[2 * TACIT_ADDRESS_LEN + 3];
    json_t *r;
    int rc;
    *balance = *nonce = 0;
    tacit_hex_encode(hex, address, TACIT_ADDRESS_LEN);
    if ((rc = call(ud, "tacit_getAccount", json_pack("[s]", hex), &r)) != TACIT_OK) return rc;
    if (!get_dec(r, "balance", balance) || !get_u64(r, "nonce", nonce)) rc = TACIT_EJSON;
    json_decref(r);
    return rc;
}

static int rpc_send_raw(void *ud, const struct tacit_tx *tx)
{
    uint8_t *bytes = malloc(TACIT_TX_BYTES);
    char *hex = malloc(2 * TACIT_TX_BYTES + 3);
    json_t *r = NULL;
    int rc;
    if (bytes == NULL || hex == NULL) {
        free(bytes);
        free(hex);
        return TACIT_ENOMEM;
    }
    tacit_tx_encode(bytes, tx);
    tacit_hex_encode(hex, bytes, TACIT_TX_BYTES);
    rc = call(ud, "tacit_sendRawTransaction", json_pack("[s]", hex), &r);
    json_decref(r);
    free(bytes);
    free(hex);
    return rc;
}

static int err_by_name(const char *name)
{
    for (int i = 1; name != NULL && i < TACIT__ERR_COUNT; i++)
        if (strcmp(tacit_errname(i), name) == 0) return i;
    return TACIT_EINVAL;
}

static int rpc_tx_status(void *ud, const uint8_t id[32], struct tacit_wallet_tx_status *out)
{
    char hex[67];
    json_t *r;
    const char *st;
    int rc;
    memset(out, 0, sizeof *out);
    tacit_hex_encode(hex, id, 32);
    if ((rc = call(ud, "tacit_getTransaction", json_pack("[s]", hex), &r)) != TACIT_OK) return rc;
    st = json_string_value(json_object_get(r, "status"));
    if (json_is_null(r)) {
        out->state = TACIT_WALLET_TX_UNKNOWN;
    } else if (st != NULL && strcmp(st, "pending") == 0) {
        out->state = TACIT_WALLET_TX_PENDING;
    } else if (st != NULL && strcmp(st, "included") == 0 && get_u64(r, "height", &out->height)) {
        out->state = TACIT_WALLET_TX_INCLUDED;
    } else if (st != NULL && strcmp(st, "rejected") == 0) {
        out->state = TACIT_WALLET_TX_REJECTED;
        out->error = err_by_name(json_string_value(json_object_get(r, "error")));
    } else {
        rc = TACIT_EJSON;
    }
    json_decref(r);
    return rc;
}

static int rpc_wait_block(void *ud, uint64_t height, unsigned timeout_ms, bool *reached)
{
    json_t *r;
    int rc;
    *reached = false;
    /* below the client's own deadline (30 s by default): the caller loops */
    if (timeout_ms > 20000) timeout_ms = 20000;
    if ((rc = call(ud, "tacit_waitForBlock",
                   json_pack("[o,I]", hexq(height), (json_int_t)timeout_ms), &r)) != TACIT_OK)
        return rc;
    *reached = !json_is_null(r);
    json_decref(r);
    return TACIT_OK;
}

int tacit_wallet_node_rpc(struct tacit_wallet_node *node, struct tacit_rpc_client *c)
{
    memset(node, 0, sizeof *node);
    node->ud = c;
    node->chain_info = rpc_chain_info;
    node->header = rpc_header;
    node->block_range = rpc_block_range;
    node->free_blocks = rpc_free_blocks;
    node->subtree_roots = rpc_subtree_roots;
    node->subtree_level = TACIT_WALLET_SUBTREE_LEVEL;
    node->account = rpc_account;
    node->send_raw = rpc_send_raw;
    node->tx_status = rpc_tx_status;
    node->wait_block = rpc_wait_block;
    node->commitments = rpc_commitments;
    node->tree_nodes = rpc_tree_nodes;
    node->inner_level = TACIT_WALLET_INNER_LEVEL;
    return TACIT_OK;
}

void tacit_wallet_node_rpc_submit_via(struct tacit_wallet_node *node, struct tacit_rpc_client *c)
{
    node->submit_ud = c;
}
