/*
 * tacit — anvil's own JSON-RPC methods (evm_setAutomine, evm_mine, evm_snapshot, evm_revert),
 * for the tests against a real anvil (tests/l1_anvil.c, tests/rollup_anvil.c; URL in
 * TACIT_L1_URL). Header-only: a static function.
 */
#ifndef TACIT_TESTS_LIB_ANVIL_RPC_H
#define TACIT_TESTS_LIB_ANVIL_RPC_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "tacit/error.h"
#include "tacit/rpc.h"

/* Calls method with params (a reference taken); out (may be NULL): the result, a string as it
 * is, a boolean as "true" or "false". TACIT_EL1_RPC when anvil answers an error. */
static inline int anvil_call(const char *method, json_t *params, char *out, size_t n)
{
    struct tacit_rpc_client *c;
    json_t *res = NULL, *err = NULL;
    int rc = tacit_rpc_client_new(&c, getenv("TACIT_L1_URL"), NULL, 10000);
    if (rc != TACIT_OK) {
        json_decref(params);
        return rc;
    }
    rc = tacit_rpc_call(c, method, params, &res, &err);
    if (rc == TACIT_OK && err != NULL) rc = TACIT_EL1_RPC;
    if (rc == TACIT_OK && out != NULL && n > 0) {
        if (json_is_string(res))
            snprintf(out, n, "%s", json_string_value(res));
        else
            snprintf(out, n, "%s", json_is_true(res) ? "true" : "false");
    }
    json_decref(res);
    json_decref(err);
    tacit_rpc_client_free(c);
    return rc;
}

#endif /* TACIT_TESTS_LIB_ANVIL_RPC_H */
