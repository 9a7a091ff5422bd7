/*
 * tacit — JSON-RPC 2.0 over HTTP/1.1, on TCP and on a Unix socket (shared/docs/DESIGN.md 3, 4).
 *
 * Server: runs on a libuv loop the caller owns. HTTP framing with http-parser, JSON with
 * jansson. It knows nothing of the chain: it takes a method table, checks every request against
 * the limits below, calls the method and writes its reply. Methods may reply at once or later
 * (a proof check on a worker thread, a long poll): a call stays valid until it is replied to,
 * even if its connection has gone (the reply is then dropped). A batch is answered when all of
 * its calls are. Only the loop thread may call anything here.
 *
 * Every bad request gets a JSON-RPC error and the server keeps serving (docs/rpc.md lists the
 * codes): parse error -32700 (also bad UTF-8, duplicate keys, nesting deeper than max_depth),
 * invalid request -32600 (also a batch longer than max_batch), method not found -32601,
 * invalid params -32602, busy -32005 (the bounded work queue is full), unauthorized -32001
 * (admin_ without credentials), long-poll limit -32006, response too large -32007.
 * HTTP-level: 413 body too large, 408 header/body deadline, 405/404 for other methods/paths,
 * 503 when max_conns are open (then closed).
 *
 * Resources a client can hold are bounded: calls in flight (max_pending, with a reserve that
 * only admin calls and Unix-socket calls may use), parked long-polls (per connection and in
 * total; cancelled when the client leaves), the answer's size (per call and per batch), the
 * time a client may take to read its answer (write deadline), and request bodies (freed once
 * the request is answered).
 *
 * Client: a small blocking client (TCP "http://host:port" or "unix:/path") for tacit-cli, the
 * tests and the load benchmark.
 */
#ifndef TACIT_RPC_H
#define TACIT_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/rpc_limits.h"

/* jansson's json_t and libuv's loop, declared only: a user of this header includes
 * <jansson.h> (to build params and read results) and <uv.h> (to run a server) itself. */
struct json_t;
struct uv_loop_s;

#ifdef __cplusplus
extern "C" {
#endif

/* JSON-RPC 2.0 codes, and ours (docs/rpc.md). Application errors (a rule a tx broke, a store
 * error) use code = TACIT_RPC_APP_BASE + the tacit error number, message = tacit_strerror,
 * data = {"error": "<ENAME>"} (tacit_rpc_reply_tacit_error). */
#define TACIT_RPC_PARSE_ERROR -32700
#define TACIT_RPC_INVALID_REQUEST -32600
#define TACIT_RPC_METHOD_NOT_FOUND -32601
#define TACIT_RPC_INVALID_PARAMS -32602
#define TACIT_RPC_INTERNAL_ERROR -32603
#define TACIT_RPC_UNAUTHORIZED -32001
#define TACIT_RPC_BUSY -32005
#define TACIT_RPC_LONGPOLL_LIMIT -32006 /* too many long-polls on the connection or the server */
#define TACIT_RPC_TOO_LARGE -32007      /* the answer exceeds max_response / max_batch_response */
#define TACIT_RPC_APP_BASE 1000

struct tacit_rpc_server;
struct tacit_rpc_call;

/* A method: params is borrowed (an array or an object; an absent "params" is an empty
 * array). It must reply exactly once, now or later, with tacit_rpc_reply*. */
typedef void (*tacit_rpc_method_fn)(struct tacit_rpc_call *call, struct json_t *params, void *ud);

#define TACIT_RPC_ADMIN 1u /* needs the cookie or an rpcauth entry (or the Unix socket) */

struct tacit_rpc_method {
    const char *name;
    tacit_rpc_method_fn fn;
    unsigned flags;
};

/* struct tacit_rpc_limits and tacit_rpc_limits_default: include/tacit/rpc_limits.h. */

/* Auth: the cookie (user "__cookie__", the file's secret) or "user:salt$hmac" rpcauth entries
 * (HMAC-SHA256(salt, password) in hex, bitcoind's rpcauth format); compared in constant time.
 * Requests on the Unix socket are trusted (its file mode guards it). */
struct tacit_rpc_auth {
    const char *cookie;         /* "__cookie__:<hex secret>" or NULL */
    const char *const *rpcauth; /* NULL-terminated list or NULL */
};

/* The server's extra HTTP endpoints: text appended to /metrics, the /health answer. */
typedef void (*tacit_rpc_metrics_fn)(void *ud, char **text, size_t *len); /* malloc'd */
typedef bool (*tacit_rpc_health_fn)(void *ud, char **json);               /* malloc'd */

struct tacit_rpc_config {
    const char *bind_host;   /* NULL: no TCP listener ("127.0.0.1" by default in tacitd) */
    uint16_t bind_port;      /* 0: any free port (tacit_rpc_server_port says which) */
    const char *socket_path; /* NULL: no Unix socket */
    struct tacit_rpc_limits limits;
    struct tacit_rpc_auth auth;
    const struct tacit_rpc_method *methods; /* terminated by a { NULL } entry */
    void *ud;                               /* passed to methods and callbacks */
    tacit_rpc_metrics_fn metrics;
    tacit_rpc_health_fn health;
    /* GET /metrics is served on the Unix socket and on a listener of its own, metrics_host
     * (NULL: none; an IP literal, loopback in tacitd) : metrics_port (0: any free port,
     * tacit_rpc_server_metrics_port), which serves GET /metrics and /health only. The RPC
     * port answers /metrics 404 unless metrics_on_rpc (the operator opted in). */
    const char *metrics_host;
    uint16_t metrics_port;
    bool metrics_on_rpc;
    /* CORS (fetch.spec.whatwg.org "CORS protocol"): NULL, off (browsers refuse the answers to
     * other origins); an origin ("http://localhost:3000") or "*": a request whose Origin header
     * matches gets Access-Control-Allow-Origin on every answer, and OPTIONS / its preflight
     * (POST, Content-Type only: no Authorization, so admin_ stays out of a web page's reach). */
    const char *cors_origin;
};

/* Whether a TCP listener could be opened on host:port now (bound, listened on, closed again),
 * so that a program can refuse a busy port before it writes anything. host as bind_host; port 0
 * is always TACIT_OK. Returns TACIT_OK, TACIT_EEXISTS (in use), TACIT_EINVAL (not an address of
 * this machine, or not an IP literal), TACIT_EIO (e.g. a privileged port). The real listen can
 * still find it taken in between: tacit_rpc_server_start says so then. */
int tacit_rpc_probe_tcp(const char *host, uint16_t port);

/* Starts listening. The program must ignore SIGPIPE (signal(SIGPIPE, SIG_IGN), as tacitd
 * does): answers are written with libuv, and a client that left makes the write raise it.
 * Returns TACIT_OK, TACIT_EINVAL (a bad address), TACIT_EEXISTS (address or
 * socket path in use), TACIT_EIO, TACIT_ENOMEM.
 * A limit left 0 takes its default. bind_host is an IP literal (or "localhost"). cfg->methods
 * and the strings it points to must outlive the server; everything else is copied.
 * On failure, listener handles already opened are closed on the loop: their memory is
 * released when the loop runs next. */
int tacit_rpc_server_start(struct tacit_rpc_server **out, struct uv_loop_s *loop,
                           const struct tacit_rpc_config *cfg);
uint16_t tacit_rpc_server_port(const struct tacit_rpc_server *s);
uint16_t tacit_rpc_server_metrics_port(const struct tacit_rpc_server *s); /* 0: no listener */
/* Stops accepting, closes every connection; calls not yet replied to are dropped when they
 * reply. done (may be NULL) runs once everything is closed; the server is then freed. */
void tacit_rpc_server_stop(struct tacit_rpc_server *s, void (*done)(void *), void *arg);

/* Replies. result / data are stolen (data may be NULL). */
void tacit_rpc_reply(struct tacit_rpc_call *call, struct json_t *result);
void tacit_rpc_reply_error(struct tacit_rpc_call *call, int code, const char *message,
                           struct json_t *data);
/* code = TACIT_RPC_APP_BASE + err, message = tacit_strerror(err), data {"error": name}. */
void tacit_rpc_reply_tacit_error(struct tacit_rpc_call *call, int err);
/* The method name of the call (for metrics) and whether it came over the Unix socket. */
const char *tacit_rpc_call_method(const struct tacit_rpc_call *call);
bool tacit_rpc_call_is_local(const struct tacit_rpc_call *call);
/* Over the Unix socket or with valid credentials (the cookie, an rpcauth entry). */
bool tacit_rpc_call_is_admin(const struct tacit_rpc_call *call);
/* The connection the call came on: a number the server gives each connection it accepts,
 * never reused while it runs (a call outliving its connection keeps it). */
uint64_t tacit_rpc_call_conn(const struct tacit_rpc_call *call);

/*
 * A result already serialised (built off the loop): text is one JSON value, len bytes,
 * malloc'd and stolen. The server wraps it in the response object without parsing it again.
 */
void tacit_rpc_reply_text(struct tacit_rpc_call *call, char *text, size_t len);
/*
 * Bytes the call's result may take: max_response, or what is left of max_batch_response for
 * the call's batch, less the response object around the result. 0 when nothing can be
 * delivered (a notification, a client that left, a stopped server). A method building a big
 * result asks first and stops (or answers tacit_rpc_reply_too_large) rather than build what
 * would be refused. Every reply is checked against the same bounds anyway: one past them is
 * replaced by -32007.
 */
size_t tacit_rpc_call_room(const struct tacit_rpc_call *call);
/* Answers -32007, naming the bound in force for the call. */
void tacit_rpc_reply_too_large(struct tacit_rpc_call *call);
/*
 * Parks a long-poll (a call answered when something happens, e.g. tacit_waitForBlock): it
 * then counts toward max_longpolls and max_longpolls_per_conn instead of max_pending. If the
 * client leaves (or the server stops) before the reply, cancel(arg) runs on the loop: the
 * owner forgets the call and must not reply to it. Returns true when parked; false when a
 * limit is reached: the call has then been answered with -32006 (or dropped, when its client
 * has already left) and must not be replied to again.
 */
bool tacit_rpc_call_park(struct tacit_rpc_call *call, void (*cancel)(void *arg), void *arg);

/* Server counters for /metrics (also rendered by the server itself). */
struct tacit_rpc_stats {
    uint64_t connections_open, connections_total, requests, calls, errors, busy, rejected_http;
    uint64_t pending;             /* calls in flight (long-polls not included) */
    uint64_t longpolls;           /* parked long-polls */
    uint64_t longpolls_refused;   /* -32006 answers */
    uint64_t longpolls_cancelled; /* long-polls whose client left */
    uint64_t too_large;           /* -32007 answers */
    uint64_t write_timeouts;      /* connections closed at the write deadline */
    uint64_t write_buffered;      /* answer bytes queued, not yet taken by the clients */
    uint64_t body_buffered;       /* bytes of request body buffers held */
};
void tacit_rpc_server_stats(const struct tacit_rpc_server *s, struct tacit_rpc_stats *out);

/* ------------------------------------------------------------------ client ---- */

struct tacit_rpc_client;
/* A new rpcauth entry for user and password, in bitcoind's format (share/rpcauth/rpcauth.py):
 * "user:salt$hmac", salt 32 random hex digits, hmac = HMAC-SHA256(key = the salt's text,
 * message = password) in hex: what tacitd's `rpcauth` setting takes. *out is malloc'd (free()).
 * TACIT_EINVAL: an empty user, or one with ':' or a character below 0x21 (space, controls);
 * TACIT_ENOMEM. Neither the password nor anything made from it but the hmac is kept. */
int tacit_rpc_auth_entry(char **out, const char *user, const char *password);

/* url: "http://host:port[/]" or "unix:/path/to/socket". auth: "user:password" or NULL (Basic).
 * timeout_ms: per call (0: 30 s). TACIT_OK, TACIT_EINVAL (bad URL), TACIT_ENOMEM. Connects
 * lazily and reconnects once when a kept-alive connection was closed by the server. */
int tacit_rpc_client_new(struct tacit_rpc_client **out, const char *url, const char *auth,
                         unsigned timeout_ms);
void tacit_rpc_client_free(struct tacit_rpc_client *c);
/* Reaches the node through a SOCKS5 proxy (RFC 1928; Tor's SOCKS port, 127.0.0.1:9050, as the
 * wallets of Monero and Zcash do): proxy "host:port" or "socks5h://host:port". The node's host
 * is sent by name, so the proxy resolves it (no DNS leak; .onion names work), with username/
 * password credentials random per client, so Tor puts each client on a circuit of its own.
 * TACIT_OK; TACIT_EINVAL (a malformed proxy, or a "unix:" client); TACIT_ENOMEM. */
int tacit_rpc_client_set_proxy(struct tacit_rpc_client *c, const char *proxy);
/* What the last transport failure (TACIT_EIO, TACIT_ETIMEOUT) was, when the client knows more
 * than the code says (the SOCKS5 proxy's answer): a static text, or NULL. */
const char *tacit_rpc_client_last_error(const struct tacit_rpc_client *c);
/* The message of the JSON-RPC error the last tacit_rpc_call got back (printable ASCII, at most
 * 239 characters), or NULL when it got none: a refusal in the server's words. */
const char *tacit_rpc_client_server_error(const struct tacit_rpc_client *c);
/*
 * One call. params stolen (may be NULL). On TACIT_OK exactly one of *result (new reference) or
 * *error (new reference: the JSON-RPC error object) is set. Transport failures: TACIT_EIO
 * (connect/read/write), TACIT_ETIMEOUT, TACIT_EJSON (the reply is not JSON-RPC).
 */
int tacit_rpc_call(struct tacit_rpc_client *c, const char *method, struct json_t *params,
                   struct json_t **result, struct json_t **error);
/*
 * tacit_rpc_call for a result that holds one long hex string (a block's "raw" bytes): the string
 * under key ("0x" + hex digits, found once in the reply) is cut out before jansson reads the
 * rest (jansson reads a string a byte at a time, the bulk of a follower's transfer cost) and
 * decoded into *bytes (malloc'd, at most max bytes; *len), and *result holds "" under key.
 * When there is no such string, or it is not hex, or it is too long, *bytes is NULL and *result
 * is the whole result (the caller sees the string). Returns as tacit_rpc_call; TACIT_ENOMEM.
 */
int tacit_rpc_call_hex(struct tacit_rpc_client *c, const char *method, struct json_t *params,
                       const char *key, size_t max, struct json_t **result, struct json_t **error,
                       uint8_t **bytes, size_t *len);
/* A raw exchange: POSTs body (any bytes) to path, returns the HTTP status and the body
 * (malloc'd, NUL-terminated). For tests of bad input. */
int tacit_rpc_client_post(struct tacit_rpc_client *c, const char *path, const char *body,
                          size_t len, int *status, char **reply, size_t *reply_len);
int tacit_rpc_client_get(struct tacit_rpc_client *c, const char *path, int *status, char **reply,
                         size_t *reply_len);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_RPC_H */
