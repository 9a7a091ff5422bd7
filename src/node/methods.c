/*
 * tacit — the node's JSON-RPC methods (docs/rpc.md, "Methods"; shared/docs/DESIGN.md 4).
 * Each method parses its positional params strictly (a number or a float where a string is
 * required is an invalid-params error that names the parameter), answers reads from the
 * committed state (LMDB read transactions: they never wait for the writer) and hands the rest
 * to the part that owns it: a tx to admission.c, dev_mine / dev_fund / tacit_waitForBlock to
 * batcher.c, admin_backup / dev_revert to lifecycle.c. Quantities are 0x-hex, amounts decimal
 * strings.
 */
#define _GNU_SOURCE /* asprintf, open_memstream */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

#define RANGE_MAX_BLOCKS 1000
#define LIST_MAX 65536 /* commitments or subtree roots in one call */
#define NULLIFIERS_MAX 4096
#define WAIT_DEFAULT_MS 30000
#define WAIT_MAX_MS 60000

/* ------------------------------------------------------------- param helpers ---- */

static void bad_param(struct tacit_rpc_call *call, size_t i, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, "invalid params: parameter %zu must be %s", i, what);
    tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS, msg, NULL);
}

/* Checks the number of params (at least min, at most max) and that params is an array. */
static bool nparams(struct tacit_rpc_call *call, json_t *params, size_t min, size_t max)
{
    char msg[120];
    if (!json_is_array(params)) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS,
                              "invalid params: positional params (an array) expected", NULL);
        return false;
    }
    if (json_array_size(params) < min || json_array_size(params) > max) {
        snprintf(msg, sizeof msg, "invalid params: expected %zu to %zu params, got %zu", min, max,
                 json_array_size(params));
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS, msg, NULL);
        return false;
    }
    return true;
}

static const char *str_param(json_t *params, size_t i)
{
    return json_string_value(json_array_get(params, i));
}

static bool hex_param(struct tacit_rpc_call *call, json_t *params, size_t i, uint8_t *out, size_t n,
                      const char *what)
{
    if (tacit_hex_decode(out, n, str_param(params, i), true) != TACIT_OK) {
        bad_param(call, i, what);
        return false;
    }
    return true;
}

static bool quantity_param(struct tacit_rpc_call *call, json_t *params, size_t i, uint64_t *out)
{
    if (tacit_parse_hex_u64(out, str_param(params, i)) != TACIT_OK) {
        bad_param(call, i, "a hex quantity string (\"0x1a\")");
        return false;
    }
    return true;
}

static bool amount_param(struct tacit_rpc_call *call, json_t *params, size_t i, uint64_t *out)
{
    int rc = tacit_parse_dec_u64(out, str_param(params, i));
    if (rc != TACIT_OK) {
        bad_param(call, i,
                  rc == TACIT_EOVERFLOW ? "an amount below 2^64"
                                        : "an amount as a decimal string (\"1000\"; no floats)");
        return false;
    }
    return true;
}

/* "latest" or a hex height. */
static bool height_param(struct tacit_node *n, struct tacit_rpc_call *call, json_t *params,
                         size_t i, uint64_t *h, bool *none)
{
    const char *s = str_param(params, i);
    *none = false;
    if (s != NULL && strcmp(s, "latest") == 0) {
        struct tacit_state_tip tip;
        int rc = tacit_state_tip(n->st, &tip);
        if (rc != TACIT_OK) {
            tacit_rpc_reply_tacit_error(call, rc);
            return false;
        }
        *none = tip.next_height == 0;
        *h = tip.next_height - (tip.next_height > 0);
        return true;
    }
    if (tacit_parse_hex_u64(h, s) != TACIT_OK) {
        bad_param(call, i, "a hex block height or \"latest\"");
        return false;
    }
    return true;
}

static bool bool_param(struct tacit_rpc_call *call, json_t *params, size_t i, bool *out)
{
    json_t *v = json_array_get(params, i);
    *out = false;
    if (v == NULL) return true;
    if (!json_is_boolean(v)) {
        bad_param(call, i, "a boolean");
        return false;
    }
    *out = json_is_true(v);
    return true;
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
    char buf[2 * 64 + 3];
    char *heap = NULL, *p = buf;
    json_t *j;
    if (2 * n + 3 > sizeof buf) {
        if ((heap = malloc(2 * n + 3)) == NULL) return NULL;
        p = heap;
    }
    tacit_hex_encode(p, b, n);
    j = json_string(p);
    free(heap);
    return j;
}

static json_t *fr_json(const tacit_fr *x)
{
    uint8_t b[32];
    tacit_fr_to_bytes(b, x);
    return hex_json(b, 32);
}

static json_t *u64_json(uint64_t v)
{
    char h[19];
    tacit_hex_u64(h, v);
    return json_string(h);
}

static json_t *amount_json(uint64_t v)
{
    char d[24];
    snprintf(d, sizeof d, "%" PRIu64, v);
    return json_string(d);
}

/* ------------------------------------------------------------------ blocks ---- */

static json_t *block_to_json(const struct tacit_block *b, bool raw)
{
    const struct tacit_block_header *h = &b->header;
    json_t *txs = json_array(), *credits = json_array(), *o;
    for (size_t i = 0; i < b->ntxs; i++) json_array_append_new(txs, hex_json(b->tx_ids[i], 32));
    for (size_t i = 0; i < b->ncredits; i++)
        json_array_append_new(credits,
                              json_pack("{s:o,s:o}", "address", hex_json(b->credits[i].address, 20),
                                        "amount", amount_json(b->credits[i].amount)));
    o = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "height", u64_json(h->height),
        "hash", hex_json(b->hash, 32), "parent", hex_json(h->parent, 32), "timestamp",
        u64_json(h->timestamp_ms), "txRoot", hex_json(h->tx_root, 32), "noteRoot",
        fr_json(&h->digests.note_root), "commitmentCount", u64_json(h->digests.commitment_count),
        "nullifierDigest", hex_json(h->digests.nullifier_digest, 32), "transparentDigest",
        hex_json(h->digests.transparent_digest, 32), "sequencer", hex_json(h->sequencer, 32),
        "signature", hex_json(h->signature, 64), "txs", txs, "credits", credits);
    if (o != NULL && raw) json_object_set_new(o, "raw", hex_json(b->bytes, b->len));
    return o;
}

static int load_block(struct tacit_node *n, uint64_t height, struct tacit_block **b)
{
    uint8_t *bytes = NULL;
    size_t len;
    int rc;
    *b = NULL;
    if ((rc = tacit_state_block_by_height(n->st, height, NULL, &bytes, &len)) != TACIT_OK)
        return rc;
    rc = tacit_block_decode(b, bytes, len);
    free(bytes);
    return rc == TACIT_OK ? TACIT_OK : TACIT_ECORRUPT;
}

json_t *tacit__block_json_decoded(const struct tacit_block *b) { return block_to_json(b, false); }

json_t *tacit__block_json_from_bytes(const uint8_t *bytes, size_t len)
{
    struct tacit_block *b;
    json_t *j;
    if (tacit_block_decode(&b, bytes, len) != TACIT_OK) return NULL;
    j = block_to_json(b, false);
    tacit_block_free(b);
    return j;
}

void tacit__recent_blocks_clear(struct tacit_node *n)
{
    for (size_t i = 0; i < TACIT__RECENT_BLOCKS; i++) {
        json_decref(n->bat.recent[i].json);
        free(n->bat.recent[i].text);
        memset(&n->bat.recent[i], 0, sizeof n->bat.recent[i]);
    }
}

void tacit__recent_block_set(struct tacit_node *n, uint64_t height, json_t *json, char *text,
                             size_t len)
{
    struct tacit__recent_block *r = &n->bat.recent[height % TACIT__RECENT_BLOCKS];
    json_decref(r->json);
    free(r->text);
    *r = (struct tacit__recent_block){height, json, text, text ? len : 0};
}

/* The recent blocks' entry of `height` (NULL: not held), its text made if it was not yet. */
static const struct tacit__recent_block *recent_block(struct tacit_node *n, uint64_t height)
{
    struct tacit__recent_block *r = &n->bat.recent[height % TACIT__RECENT_BLOCKS];
    if (r->json == NULL || r->height != height) return NULL;
    if (r->text == NULL && (r->text = json_dumps(r->json, JSON_COMPACT)) != NULL)
        r->len = strlen(r->text);
    return r->text != NULL ? r : NULL;
}

/* L1 mode: a height's last one (null: none) of a heads' "next height". */
static json_t *last_json(uint64_t next) { return next ? u64_json(next - 1) : json_null(); }

/* L1 mode: where block `height` is on its way to L1 (docs/rpc.md, "Settlement"). */
static json_t *settlement_json(struct tacit_node *n, uint64_t height)
{
    struct tacit__settle_sub sub;
    const char *status = tacit__settle_status(n, height);
    json_t *o = json_pack("{s:s}", "status", status);
    if (o == NULL || height >= n->settle.heads.submitted ||
        tacit__settle_sub_load(n->st, height, &sub) != TACIT_OK)
        return o;
    json_object_set_new(o, "l1TxHash", hex_json(sub.hash, 32));
    if (sub.sent_l1 > 0) json_object_set_new(o, "l1SentAt", u64_json(sub.sent_l1));
    if (sub.state == TACIT__SUB_INCLUDED || sub.state == TACIT__SUB_REVERTED) {
        json_object_set_new(o, "l1Block", u64_json(sub.l1_block));
        json_object_set_new(o, "l1GasUsed", u64_json(sub.gas_used));
    }
    if (sub.state == TACIT__SUB_REVERTED) json_object_set_new(o, "reason", json_string(sub.reason));
    tacit__settle_sub_clear(&sub);
    return o;
}

static json_t *with_settlement(struct tacit_node *n, uint64_t height, json_t *j)
{
    json_t *c;
    if (n->cfg.settler == NULL || !json_is_object(j)) return j;
    /* a shallow copy: the cached JSON is shared and never changed */
    if ((c = json_copy(j)) == NULL) return j;
    json_decref(j);
    json_object_set_new(c, "settlement", settlement_json(n, height));
    return c;
}

json_t *tacit__block_json(struct tacit_node *n, uint64_t height, bool raw)
{
    struct tacit_block *b;
    const struct tacit__recent_block *r = &n->bat.recent[height % TACIT__RECENT_BLOCKS];
    json_t *j;
    /* The cached JSON is shared: replies only serialise it, nobody changes it. */
    if (!raw && r->json != NULL && r->height == height)
        return with_settlement(n, height, json_incref(r->json));
    if (load_block(n, height, &b) != TACIT_OK) return json_null();
    j = block_to_json(b, raw);
    tacit_block_free(b);
    return j != NULL ? with_settlement(n, height, j) : json_null();
}

/* ------------------------------------------------------------------ tacit_ ---- */

/* tacit_chainInfo's "settlement" (L1 mode). */
static json_t *chain_settlement_json(struct tacit_node *n, const struct tacit_state_tip *tip)
{
    const struct tacit__settle *se = &n->settle;
    json_t *o;
    if (n->cfg.settler == NULL) return json_null();
    o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:b}", "sequenced", last_json(tip->next_height),
                  "submitted", last_json(se->heads.submitted), "settled",
                  last_json(se->heads.settled), "finalized", last_json(se->heads.finalized),
                  "l1Head", se->l1_known ? u64_json(se->l1.latest) : json_null(), "l1Finalized",
                  se->l1_known ? u64_json(se->l1.finalized) : json_null(), "queueNext",
                  u64_json(se->queue_next), "l1Confirmations", (json_int_t)n->cfg.l1_confirmations,
                  "halted", se->halted);
    if (o == NULL) return json_null();
    /* what a wallet needs to build the chain's transactions (protocol v2: the digests bind the
     * L1 chain id and the contract, rollupId) */
    json_object_set_new(o, "l1ChainId", u64_json(n->params.l1_chain_id));
    json_object_set_new(o, "txVersion", json_integer(tacit_chain_tx_version(&n->params)));
    if (se->halted) {
        json_object_set_new(o, "haltedAt", u64_json(se->halt_height));
        json_object_set_new(o, "haltReason", json_string(se->halt_reason));
    }
    if (se->last_rc != TACIT_OK)
        json_object_set_new(o, "lastError", json_string(tacit_errname(se->last_rc)));
    json_object_set_new(o, "l1Reorgs", u64_json(se->reorgs));
    json_object_set_new(o, "queueReorgs", u64_json(se->queue_reorgs));
    if (n->rolled_back)
        json_object_set_new(o, "lastRollback",
                            json_pack("{s:o,s:o,s:o}", "height", u64_json(n->last_rollback_height),
                                      "blocks", u64_json(n->last_rollback_blocks), "time",
                                      u64_json(n->last_rollback_ms / 1000)));
    return o;
}

/* A follower (tacit__following) takes its blocks from the sequencer: what would change the
 * chain or the sequencer's policy is refused, -32601 with the sequencer's URL as data. */
static bool not_following(struct tacit_rpc_call *call, struct tacit_node *n, const char *what)
{
    char msg[600];
    if (!tacit__following(n)) return true;
    if (tacit__follow_rpc_active(n))
        snprintf(msg, sizeof msg, "this node follows the sequencer at %s: %s", n->cfg.follow, what);
    else
        snprintf(msg, sizeof msg, "this node follows %s: %s", tacit__follow_source(n), what);
    tacit_rpc_reply_error(call, TACIT_RPC_METHOD_NOT_FOUND, msg,
                          json_pack("{s:s}", "following", tacit__follow_source(n)));
    return false;
}

/* tacit_chainInfo's "follow" (a follower). */
static json_t *follow_json(struct tacit_node *n)
{
    const struct tacit__follow *f = &n->follow;
    json_t *o = json_pack("{s:o,s:o,s:b}", "url",
                          n->cfg.follow != NULL ? json_string(n->cfg.follow) : json_null(),
                          "sequencerHeight", f->seq_known ? u64_json(f->seq_height) : json_null(),
                          "halted", f->halted);
    if (o != NULL && f->halted) json_object_set_new(o, "haltReason", json_string(f->halt_reason));
    if (o != NULL && f->last_rc != TACIT_OK)
        json_object_set_new(o, "lastError", json_string(tacit_errname(f->last_rc)));
    return o;
}

static void m_chain_info(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    json_t *o;
    int rc;
    if (!nparams(call, params, 0, 0)) return;
    if ((rc = tacit_state_tip(n->st, &tip)) != TACIT_OK) {
        tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    o = json_pack(
        "{s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:i,s:i}", "chainId",
        u64_json(n->params.chain_id), "devnet", n->cfg.devnet || n->cfg.follow_devnet, "height",
        tip.next_height ? u64_json(tip.next_height - 1) : json_null(), "tipHash",
        hex_json(tip.hash, 32), "noteRoot", fr_json(&tip.digests.note_root), "commitmentCount",
        u64_json(tip.digests.commitment_count), "nullifierCount", u64_json(tip.nullifier_count),
        "paused", n->paused, "minFee", amount_json(n->params.min_fee), "rollupId",
        hex_json(n->params.rollup_id, 20), "sequencer", hex_json(n->params.sequencer, 32),
        "feeRecipient", hex_json(n->params.fee_recipient, 20), "blockIntervalMs",
        (json_int_t)n->cfg.block_interval_ms, "maxBlockTxs", (json_int_t)n->cfg.max_block_txs);
    /* how old an anchor may be: a tx may use any of the last rootHistory note roots */
    if (o != NULL)
        json_object_set_new(o, "rootHistory", json_integer(tacit_state_root_history(n->st)));
    if (o != NULL && n->cfg.settler != NULL) /* absent unless in L1 mode */
        json_object_set_new(o, "settlement", chain_settlement_json(n, &tip));
    if (o != NULL && tacit__following_l1(n)) /* a follower on L1: its heads (follow_l1.c) */
        json_object_set_new(o, "settlement", tacit__follow_l1_json(n, &tip));
    if (o != NULL && tacit__following(n)) { /* absent on a sequencer */
        json_object_set_new(o, "following", json_string(tacit__follow_source(n)));
        json_object_set_new(o, "follow", follow_json(n));
    }
    tacit_rpc_reply(call, o);
}

static void m_send_raw(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint8_t *bytes;
    size_t len;
    int rc;
    double c0 = tacit__thread_cpu_s();
    bool forward = tacit__follow_rpc_active(n) && n->cfg.follow_forward;
    /* a follower that sequences while submission is open keeps a mempool of its own */
    bool own = n->cfg.sequence_when_open;
    if ((!forward && !own && !not_following(call, n, "send transactions to the sequencer")) ||
        !nparams(call, params, 1, 1))
        return;
    rc = tacit_hex_decode_alloc(&bytes, &len, str_param(params, 0), 2 * TACIT_TX_BYTES);
    if (rc != TACIT_OK) {
        if (rc == TACIT_ETOOBIG)
            tacit_rpc_reply_tacit_error(call, TACIT_ETRAILING);
        else
            bad_param(call, 0, "the transaction as a 0x-prefixed hex string");
        return;
    }
    if (forward) { /* the sequencer checks it and answers */
        tacit__follow_forward(n, call, bytes, len);
        return;
    }
    /* On TACIT_OK the call is answered once the proof is checked. */
    if ((rc = tacit__admission_submit(n, call, bytes, len)) != TACIT_OK)
        tacit_rpc_reply_tacit_error(call, rc);
    free(bytes);
    n->m.cpu[TACIT__CPU_ADMIT] += tacit__thread_cpu_s() - c0;
}

static void m_get_tx(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint8_t id[32], hash[32];
    uint64_t height;
    uint32_t index;
    int rc;
    if (!nparams(call, params, 1, 1) ||
        !hex_param(call, params, 0, id, 32, "a 32-byte tx id in hex"))
        return;
    rc = tacit_state_tx(n->st, id, &height, &index, NULL, NULL);
    if (rc == TACIT_OK) {
        if (tacit_state_block_by_height(n->st, height, hash, NULL, NULL) != TACIT_OK)
            memset(hash, 0, 32);
        json_t *o = json_pack("{s:o,s:s,s:o,s:i,s:o}", "id", hex_json(id, 32), "status", "included",
                              "height", u64_json(height), "index", (json_int_t)index, "blockHash",
                              hex_json(hash, 32));
        if (o != NULL && n->cfg.settler != NULL)
            json_object_set_new(o, "blockStatus", json_string(tacit__settle_status(n, height)));
        tacit_rpc_reply(call, o);
        return;
    }
    if (rc != TACIT_ENOTFOUND) {
        tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    if (tacit_mempool_has(n->mp, id)) {
        tacit_rpc_reply(call, json_pack("{s:o,s:s}", "id", hex_json(id, 32), "status", "pending"));
        return;
    }
    if (tacit__admission_queued(n, id)) {
        tacit_rpc_reply(call, json_pack("{s:o,s:s}", "id", hex_json(id, 32), "status", "pending"));
        return;
    }
    if ((rc = tacit__status_reason(n, id, call)) != TACIT_OK) {
        tacit_rpc_reply(call,
                        json_pack("{s:o,s:s,s:s,s:s}", "id", hex_json(id, 32), "status", "rejected",
                                  "error", tacit_errname(rc), "message", tacit_strerror(rc)));
        return;
    }
    tacit_rpc_reply(call, json_null());
}

/* Block `height`'s JSON without its raw bytes, as compact text: the recent blocks' text when
 * they hold it and the answer has no settlement part, else tacit__block_json's, serialised.
 * Returns the text (its bytes: *len; the recent blocks' own when *shared, else malloc'd) or
 * NULL: *rc TACIT_ENOTFOUND (no such block) or TACIT_ENOMEM. */
static const char *block_text(struct tacit_node *n, uint64_t height, size_t *len, bool *shared,
                              int *rc)
{
    const struct tacit__recent_block *r;
    json_t *j;
    char *text;

    *shared = false;
    *rc = TACIT_OK;
    if (n->cfg.settler == NULL && (r = recent_block(n, height)) != NULL) {
        *shared = true;
        *len = r->len;
        return r->text;
    }
    j = tacit__block_json(n, height, false);
    if (!json_is_object(j)) { /* a macro: its argument is read twice */
        json_decref(j);
        *rc = TACIT_ENOTFOUND;
        return NULL;
    }
    if ((text = json_dumps(j, JSON_COMPACT)) == NULL) *rc = TACIT_ENOMEM;
    json_decref(j);
    *len = text ? strlen(text) : 0;
    return text;
}

void tacit__reply_block(struct tacit_rpc_call *call, struct tacit_node *n, uint64_t height)
{
    size_t len;
    bool shared;
    int rc;
    const char *text = block_text(n, height, &len, &shared, &rc);
    char *out;

    if (text == NULL) {
        if (rc == TACIT_ENOTFOUND)
            tacit_rpc_reply(call, json_null());
        else
            tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    if (!shared) {
        tacit_rpc_reply_text(call, (char *)text, len);
        return;
    }
    if ((out = malloc(len)) == NULL) { /* the reply takes its text: a copy of the shared one */
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
        return;
    }
    memcpy(out, text, len);
    tacit_rpc_reply_text(call, out, len);
}

/* A block's answer with its raw bytes: its JSON text without them (block_text) and "raw"
 * written into it, so the 2 MB of hex per 1,000 txs a follower asks for are neither copied
 * into a jansson string nor escaped by json_dumps. */
static void reply_block_raw(struct tacit_rpc_call *call, struct tacit_node *n, uint64_t height)
{
    uint8_t *bytes = NULL;
    const char *text;
    char *out = NULL;
    size_t len = 0, tlen = 0;
    bool shared;
    int rc;

    if ((text = block_text(n, height, &tlen, &shared, &rc)) == NULL) {
        if (rc == TACIT_ENOTFOUND)
            tacit_rpc_reply(call, json_null());
        else
            tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    if ((rc = tacit_state_block_by_height(n->st, height, NULL, &bytes, &len)) != TACIT_OK) {
        tacit_rpc_reply_tacit_error(call, rc == TACIT_ENOTFOUND ? TACIT_ECORRUPT : rc);
    } else if (tlen >= 2 && (out = malloc(tlen + 2 * len + 16)) != NULL) {
        char *p = out + tlen - 1; /* over the closing brace */
        memcpy(out, text, tlen - 1);
        memcpy(p, ",\"raw\":\"", 8);
        tacit_hex_encode(p + 8, bytes, len);
        p += 8 + 2 + 2 * len;
        memcpy(p, "\"}", 2);
        tacit_rpc_reply_text(call, out, (size_t)(p + 2 - out));
    } else {
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
    }
    if (!shared) free((char *)text);
    free(bytes);
}

static void m_block_by_number(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint64_t h;
    bool none, raw;
    if (!nparams(call, params, 1, 2) || !height_param(n, call, params, 0, &h, &none) ||
        !bool_param(call, params, 1, &raw))
        return;
    if (none)
        tacit_rpc_reply(call, json_null());
    else if (raw)
        reply_block_raw(call, n, h);
    else
        tacit__reply_block(call, n, h);
}

static void m_block_by_hash(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint8_t hash[32];
    uint64_t h;
    bool raw;
    int rc;
    if (!nparams(call, params, 1, 2) ||
        !hex_param(call, params, 0, hash, 32, "a 32-byte block hash in hex") ||
        !bool_param(call, params, 1, &raw))
        return;
    rc = tacit_state_block_by_hash(n->st, hash, &h, NULL, NULL);
    if (rc == TACIT_ENOTFOUND)
        tacit_rpc_reply(call, json_null());
    else if (rc != TACIT_OK)
        tacit_rpc_reply_tacit_error(call, rc);
    else if (raw)
        reply_block_raw(call, n, h);
    else
        tacit__reply_block(call, n, h);
}

static json_t *compact_block(const struct tacit_block *b)
{
    json_t *txs = json_array();
    uint64_t start = b->header.digests.commitment_count - 2 * (uint64_t)b->ntxs;
    for (size_t i = 0; i < b->ntxs; i++) {
        const struct tacit_tx *t = &b->txs[i];
        json_array_append_new(
            txs, json_pack("{s:o,s:[o,o],s:[o,o],s:o,s:[o,o]}", "id", hex_json(b->tx_ids[i], 32),
                           "nullifiers", fr_json(&t->pub[3]), fr_json(&t->pub[4]), "commitments",
                           fr_json(&t->pub[5]), fr_json(&t->pub[6]), "epk",
                           hex_json(t->ext.epk, TACIT_EPK_BYTES), "ciphertexts",
                           hex_json(t->ext.ciphertext[0], TACIT_NOTE_CIPHERTEXT_BYTES),
                           hex_json(t->ext.ciphertext[1], TACIT_NOTE_CIPHERTEXT_BYTES)));
    }
    return json_pack("{s:o,s:o,s:o,s:o}", "height", u64_json(b->header.height), "hash",
                     hex_json(b->hash, 32), "commitmentStart", u64_json(start), "txs", txs);
}

/* -------------------------------------------------------------- big reads ---- */

/*
 * Answers that can be megabytes (a block range, up to 65536 commitments or subtree roots) are
 * built on the thread pool, not the loop, one job at a time in arrival order: a client asking
 * for many of them queues behind itself and never holds more than one worker. Each job is
 * built straight into its JSON text, up to the room the RPC server gives the call
 * (tacit_rpc_call_room: max_response, or what the batch has left), taken when the job starts.
 * A block range that does not fit stops early (the blocks that fit, at least one); a list of
 * commitments or roots that does not fit is refused whole (-32007), as a shorter list would
 * mean "the end of the tree".
 */
struct tacit__read_job {
    uv_work_t req;
    struct tacit__read_job *next;
    struct tacit_node *n;
    struct tacit_rpc_call *call;
    void (*work)(struct tacit__read_job *j);
    uint64_t a, b;  /* the method's params */
    unsigned level; /* tacit_getTreeNodes's */
    size_t room;    /* bytes the result may take */
    int rc;         /* TACIT_OK, TACIT_ETOOBIG (-32007) or a store error */
    char *text;     /* the result */
    size_t len, cap;
};

/* Appends to the job's text; false when out of memory (rc set). */
static bool text_add(struct tacit__read_job *j, const char *s, size_t len)
{
    if (j->len + len + 1 > j->cap) {
        size_t ncap = j->cap ? j->cap : 4096;
        char *p;
        while (ncap < j->len + len + 1) ncap *= 2;
        if ((p = realloc(j->text, ncap)) == NULL) {
            j->rc = TACIT_ENOMEM;
            return false;
        }
        j->text = p;
        j->cap = ncap;
    }
    memcpy(j->text + j->len, s, len);
    j->len += len;
    j->text[j->len] = '\0';
    return true;
}

/* A field element as a JSON string: "0x" + 64 hex digits, quoted (68 bytes + NUL). */
#define FR_TEXT_BYTES 68
static void fr_text(char out[FR_TEXT_BYTES + 1], const tacit_fr *x)
{
    uint8_t b[32];
    tacit_fr_to_bytes(b, x);
    out[0] = '"';
    tacit_hex_encode(out + 1, b, 32);
    out[FR_TEXT_BYTES - 1] = '"';
    out[FR_TEXT_BYTES] = '\0';
}

/* tacit_getBlockRange [a, b]: the compact blocks that exist and fit. */
static void range_work(struct tacit__read_job *j)
{
    struct tacit_state_tip tip;
    uint64_t h;
    if ((j->rc = tacit_state_tip(j->n->st, &tip)) != TACIT_OK || !text_add(j, "[", 1)) return;
    for (h = j->a; h <= j->b && h < tip.next_height; h++) {
        struct tacit_block *b;
        json_t *o;
        char *t;
        size_t tlen;
        bool first = h == j->a;
        if ((j->rc = load_block(j->n, h, &b)) != TACIT_OK) return;
        o = compact_block(b);
        tacit_block_free(b);
        t = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (t == NULL) {
            j->rc = TACIT_ENOMEM;
            return;
        }
        tlen = strlen(t);
        /* + the comma before it and the closing bracket */
        if (j->len + !first + tlen + 1 > j->room) {
            free(t);
            if (first) j->rc = TACIT_ETOOBIG;
            break;
        }
        if ((!first && !text_add(j, ",", 1)) || !text_add(j, t, tlen)) {
            free(t);
            return;
        }
        free(t);
        if (h == UINT64_MAX) break;
    }
    if (j->rc == TACIT_OK) text_add(j, "]", 1);
}

/* Appends count field elements as a JSON list; the size was checked. */
static bool fr_list_add(struct tacit__read_job *j, const tacit_fr *x, size_t count)
{
    char t[FR_TEXT_BYTES + 1];
    if (!text_add(j, "[", 1)) return false;
    for (size_t i = 0; i < count; i++) {
        fr_text(t, &x[i]);
        if ((i > 0 && !text_add(j, ",", 1)) || !text_add(j, t, FR_TEXT_BYTES)) return false;
    }
    return text_add(j, "]", 1);
}

/* Bytes of a list of k field elements. */
static size_t fr_list_bytes(size_t k) { return k == 0 ? 2 : k * (FR_TEXT_BYTES + 1) + 1; }

/* tacit_getCommitments [start a, count b]. */
static void commitments_work(struct tacit__read_job *j)
{
    struct tacit_state_tip tip;
    uint64_t have, k;
    tacit_fr cm;
    char t[FR_TEXT_BYTES + 1];
    if ((j->rc = tacit_state_tip(j->n->st, &tip)) != TACIT_OK) return;
    have = tip.digests.commitment_count > j->a ? tip.digests.commitment_count - j->a : 0;
    k = j->b < have ? j->b : have;
    if (fr_list_bytes((size_t)k) > j->room) {
        j->rc = TACIT_ETOOBIG;
        return;
    }
    if (!text_add(j, "[", 1)) return;
    for (uint64_t i = 0; i < k; i++) {
        int rc = tacit_state_commitment(j->n->st, j->a + i, &cm);
        if (rc == TACIT_ENOTFOUND) break;
        if (rc != TACIT_OK) {
            j->rc = rc;
            return;
        }
        fr_text(t, &cm);
        if ((i > 0 && !text_add(j, ",", 1)) || !text_add(j, t, FR_TEXT_BYTES)) return;
    }
    text_add(j, "]", 1);
}

/* Roots of the complete 2^16-leaf subtrees (issue 6: wallets keep their witnesses current
 * without asking for paths, which would tell the node which notes are theirs). */
#define SUBTREE_LEVEL 16

/* The complete nodes of a level from start a, at most b (the list stops at the first
 * incomplete one), as {"level":..,"start":..,key:[...]}. */
static void level_nodes_work(struct tacit__read_job *j, unsigned level, const char *key)
{
    tacit_fr *roots;
    size_t got;
    char head[96], h[19];
    int hlen;
    if ((roots = calloc(j->b + 1, sizeof *roots)) == NULL) {
        j->rc = TACIT_ENOMEM;
        return;
    }
    j->rc = tacit_state_subtree_roots(j->n->st, level, j->a, (size_t)j->b, roots, &got);
    if (j->rc == TACIT_OK) {
        tacit_hex_u64(h, j->a);
        hlen = snprintf(head, sizeof head, "{\"level\":%u,\"start\":\"%s\",\"%s\":", level, h, key);
        if ((size_t)hlen + fr_list_bytes(got) + 1 > j->room)
            j->rc = TACIT_ETOOBIG;
        else if (text_add(j, head, (size_t)hlen) && fr_list_add(j, roots, got))
            text_add(j, "}", 1);
    }
    free(roots);
}

/* tacit_getSubtreeRoots [start a, count b]. */
static void subtree_roots_work(struct tacit__read_job *j)
{
    level_nodes_work(j, SUBTREE_LEVEL, "roots");
}

/* tacit_getTreeNodes [level, start a, count b] (issue 16): the nodes of one level of the note
 * tree, the same request for every wallet (all of a level under the subtrees a sync
 * completes). A wallet hashes a subtree from its 2^12 nodes at level 4 instead of its 2^16
 * leaves, and checks them against the root. */
static void tree_nodes_work(struct tacit__read_job *j) { level_nodes_work(j, j->level, "nodes"); }

static void read_work(uv_work_t *req)
{
    struct tacit__read_job *j = req->data;
    j->work(j);
}

static void read_after(uv_work_t *req, int status);

/* Starts the next queued job, unless one runs. */
static void read_next(struct tacit_node *n)
{
    while (!n->reads.inflight && n->reads.head != NULL) {
        struct tacit__read_job *j = n->reads.head;
        if ((n->reads.head = j->next) == NULL) n->reads.tail = NULL;
        /* 0: no room at all, or nobody to answer (the client left): no work */
        if ((j->room = tacit_rpc_call_room(j->call)) == 0) {
            tacit_rpc_reply_too_large(j->call);
            free(j);
            continue;
        }
        j->req.data = j;
        if (uv_queue_work(&n->loop, &j->req, read_work, read_after) != 0) {
            tacit_rpc_reply_tacit_error(j->call, TACIT_EBUSY);
            free(j);
            continue;
        }
        n->reads.inflight = true;
    }
}

static void read_after(uv_work_t *req, int status)
{
    struct tacit__read_job *j = req->data;
    struct tacit_node *n = j->n;
    (void)status;
    n->reads.inflight = false;
    if (j->rc == TACIT_OK) {
        tacit_rpc_reply_text(j->call, j->text, j->len);
        j->text = NULL;
    } else if (j->rc == TACIT_ETOOBIG) {
        tacit_rpc_reply_too_large(j->call);
    } else {
        tacit_rpc_reply_tacit_error(j->call, j->rc);
    }
    free(j->text);
    free(j);
    if (n->stopping) { /* the store closes: what is still queued is answered busy */
        while (n->reads.head != NULL) {
            struct tacit__read_job *q = n->reads.head;
            n->reads.head = q->next;
            tacit_rpc_reply_tacit_error(q->call, TACIT_EBUSY);
            free(q);
        }
        n->reads.tail = NULL;
    } else {
        read_next(n);
    }
    tacit__node_job_finished(n);
}

static void read_submit(struct tacit_node *n, struct tacit_rpc_call *call,
                        void (*work)(struct tacit__read_job *), uint64_t a, uint64_t b,
                        unsigned level)
{
    struct tacit__read_job *j;
    if (tacit__node_store_closing(n)) {
        tacit_rpc_reply_tacit_error(call, TACIT_EBUSY);
        return;
    }
    if ((j = calloc(1, sizeof *j)) == NULL) {
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
        return;
    }
    j->n = n;
    j->call = call;
    j->work = work;
    j->a = a;
    j->b = b;
    j->level = level;
    if (n->reads.tail != NULL)
        n->reads.tail->next = j;
    else
        n->reads.head = j;
    n->reads.tail = j;
    read_next(n);
}

static void m_block_range(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    uint64_t from, to;
    if (!nparams(call, params, 2, 2) || !quantity_param(call, params, 0, &from) ||
        !quantity_param(call, params, 1, &to))
        return;
    if (to < from || to - from >= RANGE_MAX_BLOCKS) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS,
                              "invalid params: need from <= to and at most 1000 blocks", NULL);
        return;
    }
    read_submit(ud, call, range_work, from, to, 0);
}

static void m_tree_state(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    struct tacit_tree_frontier f;
    struct tacit_state_digests d;
    uint64_t h;
    bool none;
    json_t *nodes;
    int rc;
    if (!nparams(call, params, 1, 1) || !height_param(n, call, params, 0, &h, &none)) return;
    if (none) {
        tacit_rpc_reply(call, json_null());
        return;
    }
    rc = tacit_state_frontier(n->st, h, &f);
    if (rc == TACIT_OK) rc = tacit_state_digests_at(n->st, h, &d);
    if (rc == TACIT_ENOTFOUND) {
        tacit_rpc_reply(call, json_null());
        return;
    }
    if (rc != TACIT_OK) {
        tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    nodes = json_array();
    for (int l = 0; l <= TACIT_TREE_DEPTH; l++) json_array_append_new(nodes, fr_json(&f.node[l]));
    tacit_rpc_reply(call,
                    json_pack("{s:o,s:o,s:o,s:o}", "height", u64_json(h), "size", u64_json(f.size),
                              "root", fr_json(&d.note_root), "frontier", nodes));
}

/* tacit_getCommitments and tacit_getSubtreeRoots: ["0x<start>", "0x<count>"], count <= 65536. */
static void start_count_method(struct tacit_rpc_call *call, json_t *params, void *ud,
                               void (*work)(struct tacit__read_job *))
{
    uint64_t start, count;
    if (!nparams(call, params, 2, 2) || !quantity_param(call, params, 0, &start) ||
        !quantity_param(call, params, 1, &count))
        return;
    if (count > LIST_MAX) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS, "invalid params: count above 65536",
                              NULL);
        return;
    }
    read_submit(ud, call, work, start, count, 0);
}

static void m_commitments(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    start_count_method(call, params, ud, commitments_work);
}

static void m_subtree_roots(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    start_count_method(call, params, ud, subtree_roots_work);
}

/* tacit_getTreeNodes ["0x<level>", "0x<start>", "0x<count>"]: level 4..32 (the levels the
 * store keeps), start below the level's 2^(32 - level) nodes, count <= 65536. */
static void m_tree_nodes(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    uint64_t level, start, count;
    if (!nparams(call, params, 3, 3) || !quantity_param(call, params, 0, &level) ||
        !quantity_param(call, params, 1, &start) || !quantity_param(call, params, 2, &count))
        return;
    if (level < TACIT_STATE_TREE_MIN_STORED || level > TACIT_TREE_DEPTH) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS,
                              "invalid params: level must be 4..32 (nodes below level 4 are not "
                              "kept)",
                              NULL);
        return;
    }
    if (start >= (uint64_t)1 << (TACIT_TREE_DEPTH - level)) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS,
                              "invalid params: start past the 2^(32 - level) nodes of the level",
                              NULL);
        return;
    }
    if (count > LIST_MAX) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS, "invalid params: count above 65536",
                              NULL);
        return;
    }
    read_submit(ud, call, tree_nodes_work, start, count, (unsigned)level);
}

static void m_nullifiers_spent(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    json_t *list, *v, *out;
    size_t i;
    if (!nparams(call, params, 1, 1)) return;
    list = json_array_get(params, 0);
    if (!json_is_array(list) || json_array_size(list) > NULLIFIERS_MAX) {
        bad_param(call, 0, "an array of at most 4096 nullifiers");
        return;
    }
    out = json_array();
    json_array_foreach(list, i, v)
    {
        uint8_t b[32];
        tacit_fr nf;
        bool spent;
        int rc;
        if (tacit_hex_decode(b, 32, json_string_value(v), true) != TACIT_OK ||
            tacit_fr_from_bytes(&nf, b) != TACIT_OK) {
            json_decref(out);
            bad_param(call, 0, "an array of 32-byte field elements (< r) in hex");
            return;
        }
        if ((rc = tacit_state_nullifier_spent(n->st, &nf, &spent)) != TACIT_OK) {
            json_decref(out);
            tacit_rpc_reply_tacit_error(call, rc);
            return;
        }
        json_array_append_new(out, json_boolean(spent));
    }
    tacit_rpc_reply(call, out);
}

static void m_account(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint8_t addr[20];
    struct tacit_account a;
    int rc;
    if (!nparams(call, params, 1, 1) ||
        !hex_param(call, params, 0, addr, 20, "a 20-byte address in hex"))
        return;
    if ((rc = tacit_state_account(n->st, addr, &a)) != TACIT_OK) {
        tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    tacit_rpc_reply(call, json_pack("{s:o,s:o}", "balance", amount_json(a.balance), "nonce",
                                    u64_json(a.nonce)));
}

static void m_min_fee(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    if (nparams(call, params, 0, 0)) tacit_rpc_reply(call, amount_json(n->params.min_fee));
}

static void m_mempool_info(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    if (!nparams(call, params, 0, 0)) return;
    tacit_rpc_reply(
        call, json_pack("{s:I,s:I,s:I,s:I,s:I}", "count", (json_int_t)tacit_mempool_count(n->mp),
                        "bytes", (json_int_t)tacit_mempool_bytes(n->mp), "maxCount",
                        (json_int_t)n->cfg.mempool_max_txs, "maxBytes",
                        (json_int_t)n->cfg.mempool_max_bytes, "verifying", (json_int_t)n->adm.len));
}

static void m_vk(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    json_t *vk;
    if (!nparams(call, params, 0, 0)) return;
    if ((vk = json_loads(n->vk_json, 0, NULL)) == NULL)
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
    else
        tacit_rpc_reply(call, vk);
}

static void m_wait_for_block(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    uint64_t h, timeout = WAIT_DEFAULT_MS;
    json_t *t;
    int rc;
    if (!nparams(call, params, 1, 2) || !quantity_param(call, params, 0, &h)) return;
    if ((t = json_array_get(params, 1)) != NULL) {
        if (!json_is_integer(t) || json_integer_value(t) < 0) {
            bad_param(call, 1, "a timeout in milliseconds (an integer)");
            return;
        }
        timeout = (uint64_t)json_integer_value(t);
        if (timeout > WAIT_MAX_MS) timeout = WAIT_MAX_MS;
    }
    if ((rc = tacit_state_tip(n->st, &tip)) != TACIT_OK) {
        tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    if (tip.next_height > h) {
        tacit__reply_block(call, n, h);
        return;
    }
    tacit__batcher_wait_height(n, call, h, timeout);
}

/* ------------------------------------------------------------------ admin_ ---- */

static void set_paused(struct tacit_rpc_call *call, json_t *params, struct tacit_node *n,
                       bool paused)
{
    bool was = n->paused;
    int rc;
    if (!not_following(call, n, "it makes no blocks to pause") || !nparams(call, params, 0, 0))
        return;
    n->paused = paused;
    if ((rc = tacit__flags_save(n)) != TACIT_OK) {
        n->paused = was;
        tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    tacit_log(TACIT_LOG_INFO, "admin", "sequencing %s", paused ? "paused" : "resumed");
    tacit_rpc_reply(call, json_true());
}

static void m_pause(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    set_paused(call, params, ud, true);
}
static void m_resume(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    set_paused(call, params, ud, false);
}

static void m_set_min_fee(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint64_t fee, was = n->params.min_fee;
    size_t k;
    int rc;
    if (!not_following(call, n, "the minimum fee is the sequencer's") ||
        !nparams(call, params, 1, 1) || !amount_param(call, params, 0, &fee))
        return;
    n->params.min_fee = fee;
    if ((rc = tacit__flags_save(n)) != TACIT_OK) {
        n->params.min_fee = was;
        tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    /* Pending txs below the new minimum can no longer go into a block (the builder and the
     * block path check the fee against the minimum in force): drop them now, with the rule
     * they break as their status, rather than leave them to fail at the next block. */
    k = tacit_mempool_drop_below(n->mp, fee, TACIT_EFEE_TOO_LOW, tacit__mempool_removed, n);
    tacit_log(TACIT_LOG_INFO, "admin",
              "minimum fee set to %" PRIu64 " (%zu pending txs below it dropped)", fee, k);
    tacit_rpc_reply(call, json_true());
}

static void m_flush(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    size_t k;
    if (!not_following(call, n, "it has no mempool") || !nparams(call, params, 0, 0)) return;
    k = tacit_mempool_flush(n->mp, TACIT_EFLUSHED, tacit__mempool_removed, n);
    tacit_log(TACIT_LOG_INFO, "admin", "mempool flushed: %zu txs dropped", k);
    tacit_rpc_reply(call, json_integer((json_int_t)k));
}

static void m_backup(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    const char *dir;
    if (!nparams(call, params, 1, 1)) return;
    if ((dir = str_param(params, 0)) == NULL || dir[0] != '/') {
        bad_param(call, 0, "an absolute directory path");
        return;
    }
    tacit__node_backup(n, call, dir); /* answers when the copy is written */
}

/* -------------------------------------------------------------------- dev_ ---- */

static bool devnet_only(struct tacit_rpc_call *call, struct tacit_node *n)
{
    if (n->cfg.devnet) return true;
    if (!not_following(call, n, "dev_ methods belong to the sequencer")) return false;
    tacit_rpc_reply_error(call, TACIT_RPC_METHOD_NOT_FOUND, "dev_ methods exist on a devnet only",
                          NULL);
    return false;
}

static void m_fund(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    struct tacit_credit c;
    if (!devnet_only(call, n) || !nparams(call, params, 2, 2) ||
        !hex_param(call, params, 0, c.address, 20, "a 20-byte address in hex") ||
        !amount_param(call, params, 1, &c.amount))
        return;
    if (n->cfg.settler != NULL) {
        tacit_rpc_reply_error(call, TACIT_RPC_APP_BASE + TACIT_ECREDIT,
                              "L1 mode: value enters only through the L1 queue (deposit on L1)",
                              json_pack("{s:s}", "error", tacit_errname(TACIT_ECREDIT)));
        return;
    }
    if (memcmp(c.address, TACIT_POOL_ADDRESS, 20) == 0) {
        tacit_rpc_reply_tacit_error(call, TACIT_ECREDIT);
        return;
    }
    if (n->bat.ncredits == TACIT_NODE_DEVNET_MAX_CREDITS) {
        tacit_rpc_reply_tacit_error(call, TACIT_EBUSY);
        return;
    }
    tacit__batcher_wait_block(n, call, &c, 1);
}

static void m_mine(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint64_t count = 1;
    if (!devnet_only(call, n) || !nparams(call, params, 0, 1)) return;
    if (json_array_size(params) == 1 && !quantity_param(call, params, 0, &count)) return;
    if (count == 0 || count > TACIT_DEVNET_MINE_MAX) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS,
                              "invalid params: dev_mine's count is 0x1 to 0x2710 blocks (10000)",
                              NULL);
        return;
    }
    tacit__batcher_wait_block(n, call, NULL, count);
}

/* dev_increaseTime ["0x<seconds>"]: later blocks' timestamps move that far ahead (anvil's
 * evm_increaseTime); the answer is the whole offset in seconds. */
static void m_increase_time(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint64_t s;
    if (!devnet_only(call, n) || !nparams(call, params, 1, 1) ||
        !quantity_param(call, params, 0, &s))
        return;
    if (s > TACIT_DEVNET_TIME_MAX_S ||
        n->bat.time_offset_ms + (int64_t)s * 1000 > (int64_t)TACIT_DEVNET_TIME_MAX_S * 1000) {
        tacit_rpc_reply_error(
            call, TACIT_RPC_INVALID_PARAMS,
            "invalid params: dev_increaseTime: at most 0x12cc0300 seconds (10 years) in all", NULL);
        return;
    }
    n->bat.time_offset_ms += (int64_t)s * 1000;
    tacit_rpc_reply(call, u64_json((uint64_t)(n->bat.time_offset_ms / 1000)));
}

/* dev_setNextBlockTimestamp ["0x<unix seconds>"]: the next block's timestamp, exactly (anvil's
 * evm_setNextBlockTimestamp); the blocks after it go on from there. Before the tip's: ETIMESTAMP
 * (the block rule: a block's timestamp is not before its parent's). */
static void m_set_next_timestamp(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    struct tacit_state_tip tip;
    struct tacit_block *b = NULL;
    uint64_t s, tip_ms = 0;
    int rc;
    if (!devnet_only(call, n) || !nparams(call, params, 1, 1) ||
        !quantity_param(call, params, 0, &s))
        return;
    if (s > UINT64_MAX / 1000 / 2) {
        tacit_rpc_reply_error(
            call, TACIT_RPC_INVALID_PARAMS,
            "invalid params: dev_setNextBlockTimestamp: seconds since 1970, too large", NULL);
        return;
    }
    if ((rc = tacit_state_tip(n->st, &tip)) != TACIT_OK ||
        (tip.next_height > 0 && (rc = load_block(n, tip.next_height - 1, &b)) != TACIT_OK)) {
        tacit_rpc_reply_tacit_error(call, rc);
        return;
    }
    if (b != NULL) tip_ms = b->header.timestamp_ms;
    tacit_block_free(b);
    if (s * 1000 < tip_ms) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "dev_setNextBlockTimestamp: %" PRIu64 " s is before the tip's timestamp, %" PRIu64
                 " s (a block's time is not before its parent's)",
                 s, tip_ms / 1000);
        tacit_rpc_reply_error(call, TACIT_RPC_APP_BASE + TACIT_ETIMESTAMP, msg,
                              json_pack("{s:s}", "error", tacit_errname(TACIT_ETIMESTAMP)));
        return;
    }
    n->bat.next_timestamp_ms = s * 1000;
    n->bat.time_offset_ms = (int64_t)(s * 1000) - (int64_t)tacit__block_time_ms();
    tacit_rpc_reply(call, json_true());
}

static void m_snapshot(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint64_t id;
    int rc;
    if (!devnet_only(call, n) || !nparams(call, params, 0, 0)) return;
    if ((rc = tacit__snapshot_take(n, &id)) != TACIT_OK)
        tacit_rpc_reply_tacit_error(call, rc);
    else
        tacit_rpc_reply(call, u64_json(id));
}

static void m_revert(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct tacit_node *n = ud;
    uint64_t id;
    if (!devnet_only(call, n) || !nparams(call, params, 1, 1) ||
        !quantity_param(call, params, 0, &id))
        return;
    if (n->cfg.settler != NULL) {
        tacit_rpc_reply_error(call, TACIT_RPC_APP_BASE + TACIT_EINVAL,
                              "L1 mode: the chain cannot be reverted (its blocks go to L1)",
                              json_pack("{s:s}", "error", tacit_errname(TACIT_EINVAL)));
        return;
    }
    tacit__node_revert(n, call, id); /* answered once the jobs in flight are done */
}

const struct tacit_rpc_method tacit__node_methods[] = {
    {"tacit_chainInfo", m_chain_info, 0},
    {"tacit_sendRawTransaction", m_send_raw, 0},
    {"tacit_getTransaction", m_get_tx, 0},
    {"tacit_getBlockByNumber", m_block_by_number, 0},
    {"tacit_getBlockByHash", m_block_by_hash, 0},
    {"tacit_getBlockRange", m_block_range, 0},
    {"tacit_getTreeState", m_tree_state, 0},
    {"tacit_getCommitments", m_commitments, 0},
    {"tacit_getSubtreeRoots", m_subtree_roots, 0},
    {"tacit_getTreeNodes", m_tree_nodes, 0},
    {"tacit_nullifiersSpent", m_nullifiers_spent, 0},
    {"tacit_getAccount", m_account, 0},
    {"tacit_minFee", m_min_fee, 0},
    {"tacit_mempoolInfo", m_mempool_info, 0},
    {"tacit_getVerifyingKey", m_vk, 0},
    {"tacit_waitForBlock", m_wait_for_block, 0},
    {"admin_pause", m_pause, TACIT_RPC_ADMIN},
    {"admin_resume", m_resume, TACIT_RPC_ADMIN},
    {"admin_setMinFee", m_set_min_fee, TACIT_RPC_ADMIN},
    {"admin_flushMempool", m_flush, TACIT_RPC_ADMIN},
    {"admin_backup", m_backup, TACIT_RPC_ADMIN},
    {"dev_fund", m_fund, 0},
    {"dev_mine", m_mine, 0},
    {"dev_snapshot", m_snapshot, 0},
    {"dev_revert", m_revert, 0},
    {"dev_increaseTime", m_increase_time, 0},
    {"dev_setNextBlockTimestamp", m_set_next_timestamp, 0},
    {"rpc.discover", tacit__m_discover, 0},
    {NULL, NULL, 0},
};
