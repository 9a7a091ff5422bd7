/*
 * tacit — tests/lib/rpc_batch.h: a JSON-RPC batch body for tests of the RPC server's bounds
 * (header-only).
 */
#ifndef TACIT_TESTS_LIB_RPC_BATCH_H
#define TACIT_TESTS_LIB_RPC_BATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A batch of count calls of method with params (a JSON text), ids 0..count-1. malloc'd. */
static inline char *trpc_batch(size_t count, const char *method, const char *params)
{
    size_t cap = count * (strlen(method) + strlen(params) + 64) + 3, len = 0;
    char *b = malloc(cap);
    if (b == NULL) return NULL;
    b[len++] = '[';
    for (size_t i = 0; i < count; i++)
        len +=
            (size_t)snprintf(b + len, cap - len,
                             "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"%s\",\"params\":%s}",
                             i ? "," : "", i, method, params);
    b[len++] = ']';
    b[len] = '\0';
    return b;
}

#endif /* TACIT_TESTS_LIB_RPC_BATCH_H */
