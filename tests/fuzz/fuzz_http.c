/*
 * tacit — fuzz target for the HTTP side of the JSON-RPC server (src/rpc/server.c): the bytes
 * are what one client sends on one connection, delivered in reads of fuzzed sizes.
 *
 * The server's own code runs unchanged: this file includes src/rpc/server.c (so it sees the
 * connection struct and its callbacks) after renaming, in that file only, the libuv calls that
 * touch a connection's socket (uv_accept, uv_read_start/stop, uv_write, uv_shutdown, uv_close)
 * to a small in-memory stream below. Reads are handed to the server's read callback as libuv
 * would (its alloc callback, then the bytes, EOF or a reset; nothing while reading is
 * stopped), writes are captured and completed on the next turn, a close first completes or
 * cancels the stream's requests, as libuv does. Timers, handles and the loop are libuv's own;
 * a deadline is made to pass by calling the server's timer callback. No socket, no syscall per
 * input: fast enough for tens of millions of executions.
 *
 * So the whole HTTP path is fuzzed: http-parser and the server's callbacks (URL, header and
 * Authorization capture, header and body limits, Content-Length and chunked bodies, Expect:
 * 100-continue, keep-alive, pipelining refusal, half-close, header/body/idle deadlines), the
 * endpoints (/, /health, /metrics), request checks, dispatch to a small method table
 * (immediate, deferred, admin, error replies) and the answers.
 *
 * Input: byte 0 = flags (bit 0: the Unix socket, else TCP; bit 1: the client half-closes after
 * its last byte and reads the answers, else it resets; bit 2: a deadline passes after read
 * number (byte 1 & 7); bit 3: one read for everything; bits 4-7: the read-size scale), byte 1
 * seeds the read sizes, the rest is the client's bytes, where "~~~~" marks a pause: no read
 * spans it (a keep-alive client sending its next request once answered). Limits are small so
 * that each is reached often (body 2048, header 512, batch 4, depth 4, 2 calls pending).
 *
 * Checked, besides ASan/UBSan/leaks: everything the server wrote parses as complete HTTP/1.1
 * responses (http-parser in response mode) with a known status; JSON answers are JSON-RPC
 * response objects or non-empty arrays of them; nothing follows an HTTP-level refusal (400,
 * 408, 413, 431, 503) nor any write the server's FIN; an admin method runs over TCP only when
 * the input holds valid credentials; body and pending-call bounds hold after every step; once
 * the client is gone and deadlines pass, the connection, its request and its calls are all
 * released. TACIT_FUZZ_VERBOSE in the environment prints what the server wrote.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <http_parser.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include "fuzz.h"
#include "rpc/rpc_internal.h"
#include "tacit/error.h"
#include "tacit/rpc.h"

/* ------------------------------------------------------ the in-memory stream ---- */

#define MAX_REQS 256
#define OUT_MAX (1u << 20)

/* The one client connection of an input. */
static struct client {
    uv_stream_t *stream; /* the server's handle of it; NULL before accept */
    uv_alloc_cb alloc_cb;
    uv_read_cb read_cb;
    bool reading;      /* the server reads (uv_read_start, not stopped since) */
    const uint8_t *in; /* bytes sent and not yet read by the server */
    size_t in_len;
    bool eof;             /* the client shut down its side (half-close or gone) */
    bool gone;            /* the client reset: reads fail, writes fail */
    bool fin;             /* the server shut down its side */
    bool truncated;       /* out is full: not checked */
    uv_close_cb close_cb; /* the server's, while our wrapper runs */
    char out[OUT_MAX];    /* what the server wrote while the client was there */
    size_t out_len;
} cl;

/* Requests completed (write, shutdown) whose callbacks run on the next turn, FIFO. */
static struct {
    uv_req_t *r;
    bool shutdown;
    int status;
} reqs[MAX_REQS];
static size_t nreqs;

static void reqs_push(uv_req_t *r, bool shutdown, int status)
{
    FUZZ_CHECK(nreqs < MAX_REQS);
    reqs[nreqs].r = r;
    reqs[nreqs].shutdown = shutdown;
    reqs[nreqs].status = status;
    nreqs++;
}

/* Runs the first pending callback (of the stream h, or any when h is NULL). */
static bool reqs_run_one(uv_stream_t *h)
{
    for (size_t i = 0; i < nreqs; i++) {
        uv_req_t *r = reqs[i].r;
        bool shut = reqs[i].shutdown;
        int status = reqs[i].status;
        uv_stream_t *rh = shut ? ((uv_shutdown_t *)r)->handle : ((uv_write_t *)r)->handle;
        if (h != NULL && rh != h) continue;
        memmove(&reqs[i], &reqs[i + 1], (nreqs - i - 1) * sizeof reqs[0]);
        nreqs--;
        if (shut && uv_is_closing((uv_handle_t *)rh)) status = UV_ECANCELED; /* closed first */
        if (shut)
            ((uv_shutdown_t *)r)->cb((uv_shutdown_t *)r, status);
        else
            ((uv_write_t *)r)->cb((uv_write_t *)r, status);
        return true;
    }
    return false;
}

static int fake_accept(uv_stream_t *server, uv_stream_t *client)
{
    (void)server;
    cl.stream = client;
    return 0;
}

static int fake_read_start(uv_stream_t *s, uv_alloc_cb alloc_cb, uv_read_cb read_cb)
{
    FUZZ_CHECK(s == cl.stream && !uv_is_closing((uv_handle_t *)s));
    cl.alloc_cb = alloc_cb;
    cl.read_cb = read_cb;
    cl.reading = true;
    return 0;
}

static int fake_read_stop(uv_stream_t *s)
{
    FUZZ_CHECK(s == cl.stream);
    cl.reading = false;
    return 0;
}

static int fake_write(uv_write_t *req, uv_stream_t *s, const uv_buf_t bufs[], unsigned nbufs,
                      uv_write_cb cb)
{
    FUZZ_CHECK(s == cl.stream && !uv_is_closing((uv_handle_t *)s));
    FUZZ_CHECK(!cl.fin); /* nothing is written after the server's FIN */
    req->handle = s;
    req->cb = cb;
    if (!cl.gone) {
        for (unsigned i = 0; i < nbufs; i++) {
            if (cl.out_len + bufs[i].len > sizeof cl.out) {
                cl.truncated = true;
                break;
            }
            memcpy(cl.out + cl.out_len, bufs[i].base, bufs[i].len);
            cl.out_len += bufs[i].len;
        }
    }
    reqs_push((uv_req_t *)req, false, cl.gone ? UV_EPIPE : 0);
    return 0;
}

static int fake_shutdown(uv_shutdown_t *req, uv_stream_t *s, uv_shutdown_cb cb)
{
    FUZZ_CHECK(s == cl.stream && !uv_is_closing((uv_handle_t *)s));
    if (cl.fin) return UV_ENOTCONN;
    cl.fin = true;
    req->handle = s;
    req->cb = cb;
    reqs_push((uv_req_t *)req, true, 0);
    return 0;
}

/* libuv completes a closing stream's requests (shutdown: cancelled) before its close callback */
static void close_wrapper(uv_handle_t *h)
{
    uv_close_cb cb = cl.close_cb;
    while (reqs_run_one((uv_stream_t *)h)) {}
    if (h == (uv_handle_t *)cl.stream) {
        cl.stream = NULL;
        cl.reading = false;
    }
    cb(h);
}

static void fake_close(uv_handle_t *h, uv_close_cb cb)
{
    if (h != (uv_handle_t *)cl.stream) {
        uv_close(h, cb);
        return;
    }
    cl.close_cb = cb;
    uv_close(h, close_wrapper);
}

#define uv_accept fake_accept
#define uv_read_start fake_read_start
#define uv_read_stop fake_read_stop
#define uv_write fake_write
#define uv_shutdown fake_shutdown
#define uv_close fake_close
#include "rpc/server.c"
#undef uv_accept
#undef uv_read_start
#undef uv_read_stop
#undef uv_write
#undef uv_shutdown
#undef uv_close

/* ------------------------------------------------------------------ server ---- */

#define COOKIE "__cookie__:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
/* rpcauth entry for "alice:pw" (bitcoind's format): the HMAC is computed at start */
#define ALICE_SALT "00112233445566778899aabbccddeeff"
#define ALICE "alice:pw"
#define MAX_LATER 8
#define MAX_READS 64
#define SEP "~~~~" /* in the client's bytes: no read spans it (a keep-alive client's pause) */

static uv_loop_t loop;
static struct tacit_rpc_server *server;
static char sock_dir[64], sock_path[108];
static char b64_cookie[256], b64_alice[64];
static struct tacit_rpc_call *later[MAX_LATER];
static size_t nlater;
static bool admin_ran;
static bool verbose;

static void m_echo(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    (void)ud;
    tacit_rpc_reply(call, json_incref(params));
}

/* Answered on the next turn: a call in flight while more bytes arrive. */
static void m_later(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    (void)params;
    (void)ud;
    if (nlater == MAX_LATER) { /* max_pending is 2: never reached */
        tacit_rpc_reply_error(call, TACIT_RPC_INTERNAL_ERROR, "too many", NULL);
        return;
    }
    later[nlater++] = call;
}

static void m_admin(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    (void)params;
    (void)ud;
    if (!tacit_rpc_call_is_local(call)) admin_ran = true;
    tacit_rpc_reply(call, json_true());
}

static void m_fail(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    (void)params;
    (void)ud;
    tacit_rpc_reply_tacit_error(call, TACIT_ENULLIFIER_SPENT);
}

static const struct tacit_rpc_method fuzz_methods[] = {
    {"echo", m_echo, 0}, {"later", m_later, 0}, {"admin_x", m_admin, TACIT_RPC_ADMIN},
    {"fail", m_fail, 0}, {NULL, NULL, 0},
};

static void cleanup(void)
{
    if (sock_path[0]) unlink(sock_path);
    if (sock_dir[0]) rmdir(sock_dir);
}

static void start_server(void)
{
    static char rpcauth_alice[160];
    static const char *rpcauth[] = {rpcauth_alice, NULL};
    struct tacit_rpc_config cfg;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1];

    FUZZ_CHECK(sodium_init() >= 0);
    crypto_auth_hmacsha256(mac, (const unsigned char *)"pw", 2,
                           (const unsigned char *)ALICE_SALT); /* key = the 32-byte salt */
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(rpcauth_alice, sizeof rpcauth_alice, "alice:%s$%s", ALICE_SALT, hex);
    sodium_bin2base64(b64_cookie, sizeof b64_cookie, (const unsigned char *)COOKIE, strlen(COOKIE),
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(b64_alice, sizeof b64_alice, (const unsigned char *)ALICE, strlen(ALICE),
                      sodium_base64_VARIANT_ORIGINAL);
    /* The listeners are real (never connected to): a connection's kind is which one accepted. */
    snprintf(sock_dir, sizeof sock_dir, "/tmp/tacit-fuzz-http-XXXXXX");
    FUZZ_CHECK(mkdtemp(sock_dir) != NULL);
    snprintf(sock_path, sizeof sock_path, "%s/rpc.sock", sock_dir);
    atexit(cleanup);

    memset(&cfg, 0, sizeof cfg);
    cfg.bind_host = "127.0.0.1";
    cfg.socket_path = sock_path;
    cfg.limits.max_body = 2048;
    cfg.limits.max_header = 512;
    cfg.limits.max_batch = 4;
    cfg.limits.max_depth = 4;
    cfg.limits.max_pending = 2;
    cfg.auth.cookie = COOKIE;
    cfg.auth.rpcauth = rpcauth;
    cfg.methods = fuzz_methods;
    FUZZ_CHECK(uv_loop_init(&loop) == 0);
    FUZZ_CHECK(tacit_rpc_server_start(&server, &loop, &cfg) == TACIT_OK);
    verbose = getenv("TACIT_FUZZ_VERBOSE") != NULL;
}

/* The server's bounds, after every step. */
static void check_server(void)
{
    struct conn *c = server->conns;

    FUZZ_CHECK(server->pending <= server->lim.max_pending);
    if (c == NULL) return;
    FUZZ_CHECK(c->next == NULL);
    FUZZ_CHECK(c->body_len <= server->lim.max_body && c->body_cap <= server->lim.max_body);
    FUZZ_CHECK(c->url_len < sizeof c->url);
    FUZZ_CHECK(c->state != CONN_DRAIN || !c->keep_alive);
    FUZZ_CHECK(c->reading == cl.reading || !cl.reading); /* EOF stops our side only */
}

/* Hands the server what the client sent, as a read from the socket would. */
static bool deliver(void)
{
    uv_buf_t buf;
    size_t n;

    if (cl.stream == NULL || !cl.reading || uv_is_closing((uv_handle_t *)cl.stream)) return false;
    if (cl.in_len == 0 && !cl.eof) return false;
    cl.alloc_cb((uv_handle_t *)cl.stream, 65536, &buf);
    FUZZ_CHECK(buf.base != NULL && buf.len > 0);
    if (cl.in_len > 0) {
        n = cl.in_len < buf.len ? cl.in_len : buf.len;
        memcpy(buf.base, cl.in, n);
        cl.in += n;
        cl.in_len -= n;
        cl.read_cb(cl.stream, (ssize_t)n, &buf);
    } else {
        cl.reading = false; /* libuv stops reading at EOF; every read_start sees it again */
        cl.read_cb(cl.stream, cl.gone ? UV_ECONNRESET : UV_EOF, &buf);
    }
    return true;
}

/* One turn of the loop: deferred answers, completed requests, reads; until nothing moves. */
static void pump(void)
{
    for (;;) {
        bool moved = false;
        if (nlater > 0) {
            tacit_rpc_reply(later[--nlater], json_string("later"));
            moved = true;
        } else if (reqs_run_one(NULL)) {
            moved = true;
        } else {
            moved = deliver();
        }
        check_server();
        if (!moved) return;
    }
}

/* A deadline passes: the connection's timer fires if it runs (libuv stops it first). */
static void time_passes(void)
{
    struct conn *c = server->conns;
    if (c == NULL || c->closing || !uv_is_active((uv_handle_t *)&c->timer)) return;
    uv_timer_stop(&c->timer);
    on_timer(&c->timer);
    check_server();
}

/* --------------------------------------------------- checking what was written ---- */

static struct resp_check {
    bool in_msg, after_refusal, json;
    char hname[32];
    size_t hname_len;
    size_t body_len;
    char body[OUT_MAX];
} rc_;

static int r_begin(http_parser *p)
{
    (void)p;
    FUZZ_CHECK(!rc_.after_refusal);
    rc_.in_msg = true;
    rc_.json = false;
    rc_.body_len = 0;
    rc_.hname_len = 0;
    return 0;
}

static int r_field(http_parser *p, const char *at, size_t len)
{
    (void)p;
    rc_.hname_len = len < sizeof rc_.hname ? len : sizeof rc_.hname;
    memcpy(rc_.hname, at, rc_.hname_len);
    return 0;
}

static int r_value(http_parser *p, const char *at, size_t len)
{
    (void)p;
    if (rc_.hname_len == 12 && strncasecmp(rc_.hname, "content-type", 12) == 0)
        rc_.json = len >= 16 && memcmp(at, "application/json", 16) == 0;
    return 0;
}

static int r_body(http_parser *p, const char *at, size_t len)
{
    (void)p;
    memcpy(rc_.body + rc_.body_len, at, len); /* never more than the whole output */
    rc_.body_len += len;
    return 0;
}

static void check_rpc_object(json_t *v)
{
    json_t *ver = json_object_get(v, "jsonrpc"), *e;
    FUZZ_CHECK(json_is_object(v));
    FUZZ_CHECK(json_is_string(ver) && strcmp(json_string_value(ver), "2.0") == 0);
    FUZZ_CHECK(json_object_get(v, "id") != NULL);
    FUZZ_CHECK((json_object_get(v, "result") != NULL) != (json_object_get(v, "error") != NULL));
    if ((e = json_object_get(v, "error")) != NULL) {
        FUZZ_CHECK(json_is_integer(json_object_get(e, "code")));
        FUZZ_CHECK(json_is_string(json_object_get(e, "message")));
    }
}

static int r_complete(http_parser *p)
{
    int st = (int)p->status_code;

    FUZZ_CHECK(st == 100 || st == 200 || st == 204 || st == 400 || st == 404 || st == 405 ||
               st == 408 || st == 413 || st == 431 || st == 500 || st == 503);
    /* JSON-RPC answers; /health's {"status":"ok"} is the server's other JSON */
    if (rc_.json && st != 100 && st != 204 &&
        !(rc_.body_len == 15 && memcmp(rc_.body, "{\"status\":\"ok\"}", 15) == 0)) {
        json_t *v = json_loadb(rc_.body, rc_.body_len, JSON_REJECT_DUPLICATES, NULL);
        FUZZ_CHECK(v != NULL);
        if (json_is_array(v)) {
            size_t i;
            json_t *e;
            FUZZ_CHECK(json_array_size(v) > 0);
            json_array_foreach(v, i, e) check_rpc_object(e);
        } else {
            check_rpc_object(v);
        }
        json_decref(v);
    }
    if (st == 400 || st == 408 || st == 413 || st == 431 || st == 503) rc_.after_refusal = true;
    rc_.in_msg = false;
    return 0;
}

static void check_output(void)
{
    static const http_parser_settings rs = {
        .on_message_begin = r_begin,
        .on_header_field = r_field,
        .on_header_value = r_value,
        .on_body = r_body,
        .on_message_complete = r_complete,
    };
    http_parser p;
    size_t n;

    if (verbose)
        fprintf(stderr, "--- %zu bytes back:\n%.*s\n", cl.out_len, (int)cl.out_len, cl.out);
    if (cl.out_len == 0 || cl.truncated) return;
    rc_.in_msg = rc_.after_refusal = false;
    http_parser_init(&p, HTTP_RESPONSE);
    n = http_parser_execute(&p, &rs, cl.out, cl.out_len);
    FUZZ_CHECK(HTTP_PARSER_ERRNO(&p) == HPE_OK && n == cl.out_len);
    FUZZ_CHECK(!rc_.in_msg); /* no answer cut short */
}

/* Whether the input holds a credential the server accepts (folding whitespace and the pause
 * marks dropped: neither is in the base64 alphabet). */
static bool has_credentials(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    size_t k = 0;
    bool found;
    FUZZ_CHECK(s != NULL);
    for (size_t i = 0; i < size; i++)
        if (data[i] != '\r' && data[i] != '\n' && data[i] != ' ' && data[i] != '\t' &&
            data[i] != '~')
            s[k++] = (char)data[i];
    s[k] = '\0';
    found = memmem(s, k, b64_cookie, strlen(b64_cookie)) != NULL ||
            memmem(s, k, b64_alice, strlen(b64_alice)) != NULL;
    free(s);
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool local, half_close, deadline, one_read;
    size_t scale, off = 2;
    uint32_t rng;

    if (size < 2) return 0;
    if (server == NULL) start_server();
    local = data[0] & 1;
    half_close = data[0] & 2;
    deadline = data[0] & 4;
    one_read = data[0] & 8;
    scale = data[0] >> 4;
    rng = ((uint32_t)data[0] << 8 | data[1]) * 2654435761u + 1;
    memset(&cl, 0, offsetof(struct client, out));
    cl.out_len = 0;
    admin_ran = false;

    on_connection(local ? (uv_stream_t *)&server->pipe : (uv_stream_t *)&server->tcp, 0);
    FUZZ_CHECK(cl.stream != NULL && server->conns != NULL);
    check_server();
    for (unsigned reads = 0; off < size; reads++) {
        size_t len = size - off;
        const uint8_t *sep = memmem(data + off, len, SEP, sizeof SEP - 1);
        if (sep == data + off) { /* the client waits for the answers, then sends more */
            off += sizeof SEP - 1;
            continue;
        }
        if (sep != NULL) len = (size_t)(sep - (data + off));
        if (!one_read && reads + 1 < MAX_READS) {
            size_t max = 1 + scale * 16;
            rng = rng * 1103515245u + 12345u;
            if (len > 1 + (rng >> 16) % max) len = 1 + (rng >> 16) % max;
        }
        /* sent: the server reads it when it reads (all of it: at most 64 KiB are in flight) */
        cl.in = data + off;
        cl.in_len = len;
        off += len;
        pump();
        if (deadline && reads == (data[1] & 7u)) {
            time_passes();
            pump();
        }
        if (server->conns == NULL) break; /* closed by the server */
    }
    if (half_close) {
        cl.eof = true;
        pump();
    }
    /* The client goes; whatever was unread is lost. Then deadlines pass until the server has
     * let the connection go: it must, with nothing left in flight. */
    cl.in_len = 0;
    cl.eof = cl.gone = true;
    pump();
    for (int i = 0; i < 4 && server->conns != NULL; i++) {
        time_passes();
        pump();
    }
    FUZZ_CHECK(server->conns == NULL);
    FUZZ_CHECK(server->reqs == NULL && server->pending == 0 && nlater == 0 && nreqs == 0);
    FUZZ_CHECK(server->nactive == 0 && server->st.connections_open == 0);
    uv_run(&loop, UV_RUN_NOWAIT); /* the close callbacks: the connection's memory */
    FUZZ_CHECK(cl.stream == NULL);

    check_output();
    if (!local && admin_ran) FUZZ_CHECK(has_credentials(data + 2, size - 2));
    return 0;
}
