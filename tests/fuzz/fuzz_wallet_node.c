/*
 * tacit — fuzz target for what the wallet reads from a node (src/wallet/node_rpc.c): a node
 * may be hostile, so every answer is untrusted bytes. The file is included here with the RPC
 * client's one entry point it uses, tacit_rpc_call, replaced by a stub that hands back the
 * fuzzed JSON as the call's result or error.
 *
 * Input: byte 0 picks the function of struct tacit_wallet_node (low 3 bits: chain_info,
 * header, block_range, subtree_roots, account, send_raw, tx_status, wait_block) and whether
 * the node answers with an error object (bit 3); the rest is the JSON it answers (anything:
 * jansson parses it with JSON_DECODE_ANY; text that is not JSON is a transport-level
 * TACIT_EJSON, as the client gives).
 *
 * Checked: no crash, no leak; the return code is TACIT_OK, TACIT_EJSON, TACIT_ENOTFOUND (a
 * header past the tip) or, for an error answer, the tacit code of a 1000 + n error,
 * TACIT_EBUSY (-32005) or TACIT_EIO, never TACIT_OK; on TACIT_OK the outputs are what the
 * documented shape says (a compact block's txs present when it has any, at most the requested
 * subtree roots, a known transaction state and, for a rejection, a known error code).
 * TACIT_FUZZ_VERBOSE in the environment prints each call's result.
 */
#include <string.h>

#include <jansson.h> /* json_t: tacit/rpc.h only declares it */

#include "fuzz.h"
#include "tacit/error.h"
#include "tacit/rpc.h"
#include "wallet/wallet_internal.h"

static const uint8_t *reply;
static size_t reply_len;
static bool reply_is_error;

int tacit_rpc_call(struct tacit_rpc_client *c, const char *method, json_t *params, json_t **result,
                   json_t **error)
{
    json_t *v;
    (void)c;
    FUZZ_CHECK(method != NULL && params != NULL);
    json_decref(params);
    *result = *error = NULL;
    if ((v = json_loadb((const char *)reply, reply_len, JSON_DECODE_ANY, NULL)) == NULL)
        return TACIT_EJSON;
    if (reply_is_error)
        *error = v;
    else
        *result = v;
    return TACIT_OK;
}

#include "wallet/node_rpc.c"

static bool known_error(int rc) { return rc > 0 && rc < TACIT__ERR_COUNT; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tacit_wallet_node node;
    unsigned fn;
    int rc = TACIT_OK;

    if (size < 1) return 0;
    fn = data[0] & 7;
    reply_is_error = data[0] & 8;
    reply = data + 1;
    reply_len = size - 1;
    FUZZ_CHECK(tacit_wallet_node_rpc(&node, NULL) == TACIT_OK);

    switch (fn) {
    case 0: {
        struct tacit_wallet_chain_info ci;
        rc = node.chain_info(node.ud, &ci);
        break;
    }
    case 1: {
        struct tacit_wallet_header h;
        rc = node.header(node.ud, 7, &h);
        break;
    }
    case 2: {
        struct tacit_wallet_cblock *b = (void *)1;
        size_t n = 99;
        rc = node.block_range(node.ud, 5, 9, &b, &n);
        if (rc == TACIT_OK) {
            FUZZ_CHECK(b != NULL);
            for (size_t i = 0; i < n; i++) FUZZ_CHECK(b[i].ntxs == 0 || b[i].txs != NULL);
        } else {
            FUZZ_CHECK(b == NULL && n == 0);
        }
        node.free_blocks(node.ud, b, n);
        break;
    }
    case 3: {
        tacit_fr roots[4];
        size_t got = 99;
        rc = node.subtree_roots(node.ud, 0, 4, roots, &got);
        FUZZ_CHECK(rc == TACIT_OK ? got <= 4 : got == 0);
        break;
    }
    case 4: {
        uint8_t addr[TACIT_ADDRESS_LEN] = {0};
        uint64_t balance, nonce;
        rc = node.account(node.ud, addr, &balance, &nonce);
        break;
    }
    case 5: {
        struct tacit_tx tx;
        memset(&tx, 0, sizeof tx);
        rc = node.send_raw(node.ud, &tx);
        break;
    }
    case 6: {
        struct tacit_wallet_tx_status st;
        uint8_t id[32] = {0};
        rc = node.tx_status(node.ud, id, &st);
        if (rc == TACIT_OK) {
            FUZZ_CHECK(st.state == TACIT_WALLET_TX_UNKNOWN || st.state == TACIT_WALLET_TX_PENDING ||
                       st.state == TACIT_WALLET_TX_INCLUDED ||
                       st.state == TACIT_WALLET_TX_REJECTED);
            if (st.state == TACIT_WALLET_TX_REJECTED) FUZZ_CHECK(known_error(st.error));
        }
        break;
    }
    default: {
        bool reached;
        rc = node.wait_block(node.ud, 3, 1000, &reached);
        break;
    }
    }
    if (reply_is_error) {
        json_t *v = json_loadb((const char *)reply, reply_len, JSON_DECODE_ANY, NULL);
        if (v != NULL) /* an error answer is never a success */
            FUZZ_CHECK(rc != TACIT_OK && (known_error(rc) || rc == TACIT_EBUSY || rc == TACIT_EIO));
        json_decref(v);
    }
    FUZZ_CHECK(rc == TACIT_OK || known_error(rc));
    if (getenv("TACIT_FUZZ_VERBOSE") != NULL)
        fprintf(stderr, "function %u: %s\n", fn, tacit_errname(rc));
    return 0;
}
