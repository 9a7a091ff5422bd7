/*
 * tacit — fuzz target for the RPC client's reading of a server's answer (src/rpc/client.c):
 * tacit-cli and the wallet may talk to a hostile node, so its HTTP response (http-parser
 * framing, Content-Length or chunked or until EOF, the size bound) and its JSON-RPC reply
 * (jsonrpc, id, exactly one of result and error, the error's shape) are untrusted bytes.
 *
 * The file is included here so that the client can be handed one end of a socketpair as its
 * connection: the bytes are written to the other end before the call, then that end is shut
 * for writing (the server's EOF). Byte 0 picks tacit_rpc_call (even) or the raw
 * tacit_rpc_client_post (odd); the rest is what the server answers. A call's id is 1.
 *
 * Checked: no crash, no leak, no hang; tacit_rpc_call returns TACIT_OK with exactly one of a
 * result and an error object (integer code, string message), or TACIT_EIO / TACIT_EJSON with
 * neither; a post returns TACIT_OK with a status of 0..999 and a NUL-terminated body, or
 * TACIT_EIO with no body. TACIT_FUZZ_VERBOSE in the environment prints each outcome.
 */
#define _GNU_SOURCE /* client.c's memmem: its own define comes after these includes */
#include <signal.h>

#include "fuzz.h"

#include "rpc/client.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tacit_rpc_client *c;
    json_t *res = NULL, *err = NULL;
    char *reply = NULL;
    size_t rlen = 0, off = 1;
    int sv[2], rc, status = 0;

    if (size < 1) return 0;
    if (c == NULL) {
        signal(SIGPIPE, SIG_IGN);
        /* a path nothing listens on: a reconnect fails at once */
        FUZZ_CHECK(tacit_rpc_client_new(&c, "unix:/nonexistent/tacit-fuzz.sock", NULL, 5000) ==
                   TACIT_OK);
    }
    FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    while (off < size) { /* at most max_len bytes: they fit the socket's buffer */
        ssize_t w = write(sv[1], data + off, size - off);
        FUZZ_CHECK(w > 0);
        off += (size_t)w;
    }
    shutdown(sv[1], SHUT_WR);
    c->fd = sv[0];
    c->used = false;
    c->next_id = 0;

    if (data[0] % 2 == 0) {
        rc = tacit_rpc_call(c, "m", json_array(), &res, &err);
        if (rc == TACIT_OK) {
            FUZZ_CHECK((res == NULL) != (err == NULL));
            if (err != NULL)
                FUZZ_CHECK(json_is_integer(json_object_get(err, "code")) &&
                           json_is_string(json_object_get(err, "message")));
        } else {
            FUZZ_CHECK(rc == TACIT_EIO || rc == TACIT_EJSON);
            FUZZ_CHECK(res == NULL && err == NULL);
        }
    } else {
        rc = tacit_rpc_client_post(c, "/", "{}", 2, &status, &reply, &rlen);
        if (rc == TACIT_OK) {
            /* http-parser (Debian's build is not strict) takes 1- or 2-digit statuses: a raw
             * caller gets them as they are; tacit_rpc_call refuses anything but 200 */
            FUZZ_CHECK(status >= 0 && status <= 999 && reply != NULL && reply[rlen] == '\0');
        } else {
            FUZZ_CHECK(rc == TACIT_EIO && reply == NULL && rlen == 0);
        }
    }
    if (getenv("TACIT_FUZZ_VERBOSE") != NULL)
        fprintf(stderr, "%s: %s%s%s status %d\n", data[0] % 2 ? "post" : "call", tacit_errname(rc),
                res ? " result" : "", err ? " error" : "", status);
    json_decref(res);
    json_decref(err);
    free(reply);
    if (c->fd >= 0) client_disconnect(c); /* closes sv[0] */
    close(sv[1]);
    return 0;
}
