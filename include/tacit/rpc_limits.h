/*
 * tacit — the JSON-RPC server's limits (include/tacit/rpc.h), apart so that a configuration
 * (the node's, include/tacit/node.h) can hold them without the server's API. src/rpc/server.c.
 */
#ifndef TACIT_RPC_LIMITS_H
#define TACIT_RPC_LIMITS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tacit_rpc_limits {
    size_t max_body;                 /* bytes of a request body (default 4 MiB) */
    size_t max_header;               /* bytes of the request line + headers (default 16 KiB) */
    size_t max_batch;                /* calls in a batch (default 1000) */
    unsigned max_depth;              /* JSON nesting (default 32) */
    unsigned max_conns;              /* open connections (default 256) */
    unsigned header_timeout_ms;      /* the whole header must arrive within (default 10 s) */
    unsigned body_timeout_ms;        /* the whole body within (default 30 s) */
    unsigned idle_timeout_ms;        /* keep-alive connection idle (default 60 s) */
    unsigned max_pending;            /* calls replied to later, in flight at once (default 4096):
                                   past it, new calls get "busy" */
    unsigned pending_reserve;        /* of max_pending, usable only by calls with credentials
                                   (admin calls) and calls over the Unix socket (default 256;
                                   at most max_pending / 2) */
    unsigned max_longpolls;          /* long-polls parked on the server (default 1024) */
    unsigned max_longpolls_per_conn; /* long-polls parked by one connection (default 16) */
    unsigned max_conns_local;        /* open Unix-socket connections (default 64); they do not
                                   count toward max_conns */
    size_t max_response;             /* bytes of one call's answer (default 16 MiB) */
    size_t max_batch_response;       /* bytes of a batch's answer (default 32 MiB) */
    unsigned write_timeout_ms;       /* the client must have read the whole answer within, or it is
                                   disconnected (default 30 s) */
};

/* Every limit at its default. */
void tacit_rpc_limits_default(struct tacit_rpc_limits *l);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_RPC_LIMITS_H */
