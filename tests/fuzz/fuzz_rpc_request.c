/*
 * tacit — fuzz target for the JSON-RPC request checks of src/rpc/request.c: the bytes are an
 * HTTP request body, as the server hands it over.
 *
 * Checks the contract of tacit__rpc_request_parse with small limits (max_batch 8, max_depth 8,
 * so that both are reached often): TACIT_OK always; either one whole-body error (-32700 or
 * -32600, printable message, nothing kept) or the items of a non-empty batch of at most
 * max_batch (or one object), each a valid call (method string, params array/object/absent,
 * id string/number/null/absent) or an invalid-request error; nesting of an accepted body at
 * most max_depth, measured here on the parsed tree; text the pre-scan refuses never accepted.
 * Every item's response object serialises to compact JSON that reads back. The parse it uses,
 * tacit__rpc_json_parse (long plain strings cut out before jansson), gives exactly what
 * json_loadb gives: the same value (as compact text) or the same error, with the server's
 * flags and with none.
 */
#include <string.h>

#include "fuzz.h"
#include "rpc/rpc_internal.h"
#include "tacit/error.h"

#define MAX_BATCH 8
#define MAX_DEPTH 8

/* Depth of the value: 0 for a scalar, 1 + the deepest child for an array or object. */
static unsigned depth_of(json_t *v)
{
    unsigned d = 0, c;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if ((c = depth_of(e)) > d) d = c;
        return d + 1;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e) if ((c = depth_of(e)) > d) d = c;
        return d + 1;
    }
    return 0;
}

static void check_response(json_t *resp)
{
    char *text;
    json_t *back;

    FUZZ_CHECK(resp != NULL);
    text = json_dumps(resp, JSON_COMPACT);
    FUZZ_CHECK(text != NULL);
    back = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK(back != NULL && json_equal(back, resp));
    json_decref(back);
    free(text);
    json_decref(resp);
}

/* tacit__rpc_json_parse against json_loadb, its reference. */
static void check_same_parse(const char *text, size_t len, size_t flags)
{
    json_error_t ea, eb;
    json_t *a = json_loadb(text, len, flags, &ea);
    json_t *b = tacit__rpc_json_parse(text, len, flags, &eb);

    FUZZ_CHECK((a == NULL) == (b == NULL));
    if (a != NULL) {
        char *ta = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
        char *tb = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
        FUZZ_CHECK(ta != NULL && tb != NULL && strcmp(ta, tb) == 0);
        free(ta);
        free(tb);
    } else {
        FUZZ_CHECK(json_error_code(&ea) == json_error_code(&eb));
        FUZZ_CHECK(strcmp(ea.text, eb.text) == 0 && ea.position == eb.position);
    }
    json_decref(a);
    json_decref(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tacit__rpc_request r;
    bool depth_ok = tacit__rpc_depth_ok((const char *)data, size, MAX_DEPTH);
    int rc;

    check_same_parse((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY);
    check_same_parse((const char *)data, size, 0);
    rc = tacit__rpc_request_parse(&r, (const char *)data, size, MAX_BATCH, MAX_DEPTH);
    FUZZ_CHECK(rc == TACIT_OK);
    if (!depth_ok) FUZZ_CHECK(r.code == TACIT_RPC_PARSE_ERROR);

    if (r.code != 0) {
        FUZZ_CHECK(r.code == TACIT_RPC_PARSE_ERROR || r.code == TACIT_RPC_INVALID_REQUEST);
        FUZZ_CHECK(r.root == NULL && r.items == NULL && r.n == 0);
        FUZZ_CHECK(r.message[0] != '\0');
        for (const char *p = r.message; *p; p++)
            FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e);
        check_response(tacit__rpc_error_new(NULL, r.code, r.message, NULL));
        tacit__rpc_request_clear(&r);
        return 0;
    }

    FUZZ_CHECK(r.root != NULL && r.items != NULL);
    FUZZ_CHECK(depth_ok && depth_of(r.root) <= MAX_DEPTH);
    FUZZ_CHECK(r.batch == json_is_array(r.root));
    FUZZ_CHECK(r.batch ? r.n == json_array_size(r.root) : r.n == 1);
    FUZZ_CHECK(r.n >= 1 && r.n <= MAX_BATCH);
    for (size_t i = 0; i < r.n; i++) {
        const struct tacit__rpc_item *it = &r.items[i];
        if (it->id != NULL)
            FUZZ_CHECK(json_is_string(it->id) || json_is_number(it->id) || json_is_null(it->id));
        if (it->code == 0) {
            FUZZ_CHECK(it->method != NULL);
            FUZZ_CHECK(it->params == NULL || json_is_array(it->params) ||
                       json_is_object(it->params));
            check_response(
                tacit__rpc_result_new(it->id, json_incref(it->params ? it->params : r.root)));
        } else {
            FUZZ_CHECK(it->code == TACIT_RPC_INVALID_REQUEST);
            FUZZ_CHECK(it->method == NULL && it->message != NULL);
            check_response(
                tacit__rpc_error_new(it->id, it->code, it->message, json_string("data")));
        }
    }
    tacit__rpc_request_clear(&r);
    return 0;
}
