/*
 * tacit — rpc.discover: the node's JSON-RPC methods as an OpenRPC document (spec.open-rpc.org,
 * version 1.2.6), made from the method table (src/node/methods.c) and the parameter list of
 * each method below. tests/test_discover.c holds the list to the table (every method once) and
 * to docs/rpc.md (each method's documented params: the same number, the same optional ones).
 */
#include <stdio.h>
#include <string.h>

#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

/* params: "name:type, name?:type" (? optional; JSON Schema types; "a|b" for either); result:
 * "name:type". Quantities and amounts are strings (docs/rpc.md: hex quantities, decimal
 * amounts). */
const struct tacit__method_doc tacit__node_method_docs[] = {
    {"tacit_chainInfo", "", "chainInfo:object", "the chain, its tip and, in L1 mode, settlement"},
    {"tacit_sendRawTransaction", "tx:string", "txId:string",
     "submit a transaction (0x hex); its id once admitted"},
    {"tacit_getTransaction", "txId:string", "transaction:object|null",
     "a transaction's status: pending, included, rejected (to its submitter), or null"},
    {"tacit_getBlockByNumber", "height:string, raw?:boolean", "block:object|null",
     "a block by height (hex, or \"latest\")"},
    {"tacit_getBlockByHash", "hash:string, raw?:boolean", "block:object|null", "a block by hash"},
    {"tacit_getBlockRange", "from:string, to:string", "blocks:array",
     "compact blocks from..to (at most 1000), for wallet sync"},
    {"tacit_getTreeState", "height:string", "treeState:object",
     "the note tree's size, root and frontier at a height"},
    {"tacit_getCommitments", "start:string, count:string", "commitments:array",
     "note commitments from a leaf index"},
    {"tacit_getSubtreeRoots", "start:string, count:string", "subtreeRoots:object",
     "roots of complete subtrees of 2^16 leaves"},
    {"tacit_getTreeNodes", "level:string, start:string, count:string", "treeNodes:object",
     "complete nodes of one level (4..32) of the note tree, for wallet sync"},
    {"tacit_nullifiersSpent", "nullifiers:array", "spent:array", "whether each nullifier is spent"},
    {"tacit_getAccount", "address:string", "account:object",
     "a transparent account's balance and nonce"},
    {"tacit_minFee", "", "minFee:string", "the minimum fee in base units"},
    {"tacit_mempoolInfo", "", "mempoolInfo:object", "pending transactions and limits"},
    {"tacit_getVerifyingKey", "", "verifyingKey:object",
     "the transfer circuit's snarkjs verification_key.json"},
    {"tacit_waitForBlock", "height:string, timeoutMs?:integer", "block:object|null",
     "long-poll until the tip reaches a height"},
    {"admin_pause", "", "ok:boolean", "stop sequencing (saved)"},
    {"admin_resume", "", "ok:boolean", "resume sequencing (saved)"},
    {"admin_setMinFee", "minFee:string", "ok:boolean", "set the minimum fee (saved)"},
    {"admin_flushMempool", "", "dropped:integer", "drop every pending transaction"},
    {"admin_backup", "dir:string", "backup:object", "a compacted online copy of the store"},
    {"dev_fund", "address:string, amount:string", "block:object",
     "devnet: credit an address in the next block"},
    {"dev_mine", "count?:string", "block:object", "devnet: seal a block (or count blocks)"},
    {"dev_snapshot", "", "id:string", "devnet: snapshot the state and mempool"},
    {"dev_revert", "id:string", "ok:boolean", "devnet: go back to a snapshot"},
    {"dev_increaseTime", "seconds:string", "offset:string",
     "devnet: later block timestamps move ahead by that many seconds"},
    {"dev_setNextBlockTimestamp", "timestamp:string", "ok:boolean",
     "devnet: the next block's timestamp (unix seconds), the blocks after going on from it"},
    {"rpc.discover", "", "openrpc:object", "this document (OpenRPC 1.2.6)"},
    {NULL, NULL, NULL, NULL},
};

/* {"type": "object"} or {"type": ["object", "null"]} from "object|null". */
static json_t *schema_of(const char *type, size_t len)
{
    const char *bar = memchr(type, '|', len);
    if (bar == NULL) return json_pack("{s:s%}", "type", type, len);
    return json_pack("{s:[s%,s%]}", "type", type, (size_t)(bar - type), bar + 1,
                     len - (size_t)(bar - type) - 1);
}

/* One "name?:type" item into a content descriptor. */
static json_t *descriptor(const char *item, size_t len)
{
    const char *colon = memchr(item, ':', len);
    size_t nlen = colon != NULL ? (size_t)(colon - item) : len;
    bool optional = nlen > 0 && item[nlen - 1] == '?';
    json_t *d;
    if (colon == NULL) return NULL;
    d = json_pack("{s:s%,s:o}", "name", item, optional ? nlen - 1 : nlen, "schema",
                  schema_of(colon + 1, len - nlen - 1));
    if (d != NULL && !optional) json_object_set_new(d, "required", json_true());
    return d;
}

json_t *tacit__node_openrpc(void)
{
    json_t *doc, *methods = json_array();
    doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:o}", "openrpc", "1.2.6", "info", "title", "tacitd",
                    "version", tacit_version(), "description",
                    "tacit's sequencer node (docs/rpc.md: quantities are 0x hex strings, "
                    "amounts decimal strings)",
                    "methods", methods);
    if (doc == NULL) return NULL;
    for (const struct tacit__method_doc *m = tacit__node_method_docs; m->name != NULL; m++) {
        json_t *params = json_array(), *o;
        for (const char *p = m->params; *p;) {
            size_t len = strcspn(p, ",");
            json_array_append_new(params, descriptor(p, len));
            p += len;
            while (*p == ',' || *p == ' ') p++;
        }
        o = json_pack("{s:s,s:s,s:o,s:o}", "name", m->name, "summary", m->summary, "params", params,
                      "result", descriptor(m->result, strlen(m->result)));
        /* admin_ methods need credentials (docs/rpc.md) */
        if (o != NULL && strncmp(m->name, "admin_", 6) == 0)
            json_object_set_new(o, "description",
                                json_string("needs the cookie, an rpcauth credential, or the "
                                            "Unix socket"));
        json_array_append_new(methods, o);
    }
    return doc;
}

void tacit__m_discover(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    json_t *doc;
    (void)ud;
    if (!json_is_array(params) || json_array_size(params) != 0) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS,
                              "invalid params: expected 0 to 0 params", NULL);
        return;
    }
    if ((doc = tacit__node_openrpc()) == NULL)
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
    else
        tacit_rpc_reply(call, doc);
}
