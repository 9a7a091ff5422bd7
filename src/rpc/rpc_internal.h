/*
 * tacit — internals of src/rpc shared by its files and the fuzz target
 * (tests/fuzz/fuzz_rpc_request.c).
 *
 * The request checks (JSON nesting pre-scan, jansson parse, JSON-RPC 2.0 validation of a single
 * call or a batch) live in request.c and need no socket, so the fuzzer drives them directly
 * with the bytes of an HTTP body.
 */
#ifndef TACIT_RPC_INTERNAL_H
#define TACIT_RPC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "tacit/rpc.h"

/* One call of a request (the request itself, or one element of a batch). */
struct tacit__rpc_item {
    int code;            /* 0: a valid call; else the JSON-RPC error to answer it with */
    const char *message; /* the error message (static), when code != 0 */
    json_t *id;          /* borrowed from the root; NULL: absent (a notification when code
                            is 0) or unusable (then the error is answered with id null) */
    const char *method;  /* borrowed, valid calls only */
    json_t *params;      /* borrowed array or object; NULL when absent */
};

/* A checked request body. */
struct tacit__rpc_request {
    json_t *root;                  /* new reference; NULL on a whole-body error */
    bool batch;                    /* the body was an array */
    size_t n;                      /* items (0 on a whole-body error) */
    struct tacit__rpc_item *items; /* malloc'd, n entries */
    int code;                      /* whole-body error (then answered once, id null): -32700
                                      or -32600; 0 when items hold the calls */
    char message[200];             /* its message */
};

/*
 * Checks a request body: nesting at most max_depth (a linear pre-scan, before jansson sees
 * the text: jansson's parser recurses), JSON (no duplicate keys, valid UTF-8, no NUL in
 * strings, nothing after the value), an object or a non-empty array of at most max_batch
 * elements, each a JSON-RPC 2.0 request.
 * Returns TACIT_OK (r then holds either a whole-body error or the items) or TACIT_ENOMEM
 * (r is cleared). Release r with tacit__rpc_request_clear in both cases.
 * Out: r. In: body (len bytes, any content), max_batch, max_depth.
 */
int tacit__rpc_request_parse(struct tacit__rpc_request *r, const char *body, size_t len,
                             size_t max_batch, unsigned max_depth);
void tacit__rpc_request_clear(struct tacit__rpc_request *r);

/*
 * json_loadb(text, len, flags, err), with every string value of at least 128 bytes of plain
 * printable ASCII (no escape) kept out of jansson's byte-by-byte string reader: cut from a copy
 * of the text, which jansson parses, and put back into the tree (request.c says why the result
 * is the same). The same value, the same refusals and the same error (err) as json_loadb on
 * every input. Returns a new reference or NULL.
 */
json_t *tacit__rpc_json_parse(const char *text, size_t len, size_t flags, json_error_t *err);
/* How many strings of the text tacit__rpc_json_parse would cut (the tests' check that a case
 * takes the cut path). */
size_t tacit__rpc_json_cut_count(const char *text, size_t len);

/*
 * The nesting pre-scan alone: true when no point of the text is inside more than max_depth
 * arrays/objects (brackets inside strings do not count; the text need not be valid JSON).
 */
bool tacit__rpc_depth_ok(const char *text, size_t len, unsigned max_depth);

/*
 * Response objects. Returns a new reference or NULL (out of memory).
 * id: borrowed (NULL: JSON null). result, data: stolen (data may be NULL).
 */
json_t *tacit__rpc_result_new(json_t *id, json_t *result);
json_t *tacit__rpc_error_new(json_t *id, int code, const char *message, json_t *data);

/*
 * Credentials (auth.c). An rpcauth entry "user:salt$hex(HMAC-SHA256(key = salt, message =
 * password))" (bitcoind's share/rpcauth/rpcauth.py format).
 */
struct tacit__rpc_authent {
    char *user;
    size_t user_len;
    unsigned char *salt;
    size_t salt_len;
    unsigned char mac[32];
};

struct tacit__rpc_auth {
    bool has_cookie;
    unsigned char cookie_hash[32]; /* BLAKE2b of "__cookie__:<secret>": no secret kept */
    struct tacit__rpc_authent *ents;
    size_t nents;
};

/* Returns TACIT_OK, TACIT_EINVAL (a malformed rpcauth entry or cookie), TACIT_ENOMEM. */
int tacit__rpc_auth_init(struct tacit__rpc_auth *a, const struct tacit_rpc_auth *cfg);
void tacit__rpc_auth_clear(struct tacit__rpc_auth *a);
/*
 * Checks the value of an Authorization header ("Basic <base64(user:password)>") against the
 * cookie and every rpcauth entry; every comparison is constant time and all are made.
 * The decoded credentials live only in sodium_malloc memory, wiped before return.
 * Returns true when one matches.
 */
bool tacit__rpc_auth_check(const struct tacit__rpc_auth *a, const char *value, size_t len);

/*
 * Answers are written with uv_write, whose buffers carry an unsigned int length: a piece longer
 * than TACIT__RPC_BUF_MAX is split (never truncated). tacit__rpc_buf_pieces says how many
 * uv_buf_t len bytes take; tacit__rpc_buf_split writes them to out (which must hold that many)
 * and returns the count.
 */
#define TACIT__RPC_BUF_MAX ((size_t)1 << 30)
size_t tacit__rpc_buf_pieces(size_t len);
size_t tacit__rpc_buf_split(uv_buf_t *out, const char *p, size_t len);

#endif /* TACIT_RPC_INTERNAL_H */
