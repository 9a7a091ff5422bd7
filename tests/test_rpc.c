/*
 * tacit — the JSON-RPC server and client (src/rpc): calls, batches, every refusal of
 * docs/rpc.md (parse errors, invalid requests, limits, deadlines, credentials, busy), the
 * HTTP endpoints, and that the server keeps serving after each bad request.
 *
 * Each test runs a server on its own libuv loop in a thread; only that thread touches the
 * server (it is stopped through a uv_async). The test thread talks to it with the blocking
 * client or with raw sockets for malformed HTTP, and reads the server's gauges from /metrics.
 *
 * The resource bounds (issue 10, findings 2, 3 and 8) have their own tests at the end: long-poll
 * caps and cancellation, the operator's reserve, answer sizes, the write deadline, request
 * bodies on idle connections; the methods poll/big/text/room stand in for tacitd's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lib/rpc_batch.h"
#include "rpc/rpc_internal.h"
#include "tacit/error.h"
#include "tacit/rpc.h"

#define COOKIE "__cookie__:5f0c3a9d7e1b2c4d6e8f0a1b3c5d7e9f5f0c3a9d7e1b2c4d6e8f0a1b3c5d7e9f"
/* python3 -c "import hmac; print(hmac.new(b'6e3a1f0c9b2d4e5f8a7b6c5d4e3f2a1b',
 *             b'correct horse battery', 'sha256').hexdigest())"
 * (what bitcoind's share/rpcauth/rpcauth.py computes for that salt and password) */
#define RPCAUTH_ALICE                         \
    "alice:6e3a1f0c9b2d4e5f8a7b6c5d4e3f2a1b$" \
    "ff8ce3ce9cba0703ecdbd62677414e15f5a12261bace077e7a4353a3ddf155a1"
#define ALICE "alice:correct horse battery"

/* ------------------------------------------------------------------ fixture ---- */

struct fixture {
    uv_loop_t loop;
    uv_async_t stop;
    pthread_t thread;
    struct tacit_rpc_server *s;
    struct tacit_rpc_limits lim;
    uint16_t port;
    char url[64];
    char murl[64]; /* the metrics listener */
    char sock[108];
    char sock_url[120];
    int echo_ran;  /* atomic: echo calls executed */
    int healthy;   /* atomic */
    int cancelled; /* atomic: long-polls whose cancel callback ran */
    int stopped;
};

static void m_echo(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct fixture *f = ud;
    __atomic_add_fetch(&f->echo_ran, 1, __ATOMIC_SEQ_CST);
    tacit_rpc_reply(call, json_incref(params));
}

struct later {
    uv_timer_t t;
    struct tacit_rpc_call *call;
    json_int_t ms;
};

static void later_closed(uv_handle_t *h) { free(h->data); }

static void later_fire(uv_timer_t *t)
{
    struct later *l = t->data;
    tacit_rpc_reply(l->call, json_pack("{s:I}", "slept", l->ms));
    uv_close((uv_handle_t *)&l->t, later_closed);
}

/* Replies from a timer after params[0] ms: the asynchronous path. */
static void m_later(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct fixture *f = ud;
    json_t *ms = json_array_get(params, 0);
    struct later *l;

    if (!json_is_integer(ms) || json_integer_value(ms) < 0) {
        tacit_rpc_reply_error(call, TACIT_RPC_INVALID_PARAMS, "want [ms]", NULL);
        return;
    }
    l = calloc(1, sizeof *l);
    l->call = call;
    l->ms = json_integer_value(ms);
    uv_timer_init(&f->loop, &l->t);
    l->t.data = l;
    uv_timer_start(&l->t, later_fire, (uint64_t)l->ms, 0);
}

/* A long-poll: parked, replied from a timer after params[0] ms unless its client leaves. */
struct poll {
    uv_timer_t t;
    struct tacit_rpc_call *call;
    struct fixture *f;
};

static void poll_fire(uv_timer_t *t)
{
    struct poll *p = t->data;
    tacit_rpc_reply(p->call, json_true());
    uv_close((uv_handle_t *)&p->t, later_closed);
}

static void poll_cancel(void *arg)
{
    struct poll *p = arg;
    __atomic_add_fetch(&p->f->cancelled, 1, __ATOMIC_SEQ_CST);
    uv_timer_stop(&p->t);
    uv_close((uv_handle_t *)&p->t, later_closed); /* and no reply */
}

static void m_poll(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct fixture *f = ud;
    struct poll *p = calloc(1, sizeof *p);

    p->call = call;
    p->f = f;
    uv_timer_init(&f->loop, &p->t);
    p->t.data = p;
    if (!tacit_rpc_call_park(call, poll_cancel, p)) { /* answered -32006 */
        uv_close((uv_handle_t *)&p->t, later_closed);
        return;
    }
    uv_timer_start(&p->t, poll_fire, (uint64_t)json_integer_value(json_array_get(params, 0)), 0);
}

/* A string result of params[0] bytes: through the jansson path (big) or already serialised
 * (text, tacit_rpc_reply_text). */
static char *x_string(size_t n, bool quoted)
{
    char *p = malloc(n + 3);
    memset(p, 'x', n + 2);
    if (quoted) p[0] = p[n + 1] = '"';
    p[n + 2] = '\0';
    return p;
}

static void m_big(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    size_t n = (size_t)json_integer_value(json_array_get(params, 0));
    char *p = x_string(n, false);
    (void)ud;
    tacit_rpc_reply(call, json_stringn(p, n));
    free(p);
}

static void m_text(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    size_t n = (size_t)json_integer_value(json_array_get(params, 0));
    (void)ud;
    tacit_rpc_reply_text(call, x_string(n, true), n + 2);
}

static void m_room(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    (void)params;
    (void)ud;
    tacit_rpc_reply(call, json_integer((json_int_t)tacit_rpc_call_room(call)));
}

static void m_admin_x(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    (void)params;
    (void)ud;
    tacit_rpc_reply(call, json_pack("{s:b, s:s}", "local", tacit_rpc_call_is_local(call), "method",
                                    tacit_rpc_call_method(call)));
}

static void m_fail(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    (void)params;
    (void)ud;
    tacit_rpc_reply_tacit_error(call, TACIT_ENULLIFIER_SPENT);
}

static void on_stopped(void *arg);

/* Stops the server from inside a call (as an admin "stop" method would). */
static void m_stop_now(struct tacit_rpc_call *call, json_t *params, void *ud)
{
    struct fixture *f = ud;
    (void)params;
    tacit_rpc_server_stop(f->s, on_stopped, f);
    f->s = NULL;
    tacit_rpc_reply(call, json_true()); /* dropped: the connection is gone */
}

static const struct tacit_rpc_method methods[] = {
    {"stop_now", m_stop_now, 0}, {"echo", m_echo, 0},
    {"later", m_later, 0},       {"admin_x", m_admin_x, TACIT_RPC_ADMIN},
    {"fail", m_fail, 0},         {"poll", m_poll, 0},
    {"big", m_big, 0},           {"text", m_text, 0},
    {"room", m_room, 0},         {NULL, NULL, 0},
};

static void extra_metrics(void *ud, char **text, size_t *len)
{
    (void)ud;
    *text = strdup("tacit_test_extra 7\n");
    *len = strlen(*text);
}

static bool health(void *ud, char **json)
{
    struct fixture *f = ud;
    bool ok = __atomic_load_n(&f->healthy, __ATOMIC_SEQ_CST);
    *json = strdup(ok ? "{\"status\":\"ok\",\"height\":3}" : "{\"status\":\"syncing\"}");
    return ok;
}

static void *loop_thread(void *arg)
{
    struct fixture *f = arg;
    uv_run(&f->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void on_stopped(void *arg)
{
    struct fixture *f = arg;
    f->stopped = 1;
}

static void on_stop(uv_async_t *a)
{
    struct fixture *f = a->data;
    if (f->s != NULL) tacit_rpc_server_stop(f->s, on_stopped, f);
    uv_close((uv_handle_t *)&f->stop, NULL);
}

/* The fixture's TCP address. */
static const char *fixture_host = "127.0.0.1";
/* The RPC port serves /metrics too (most tests read the gauges there); metrics_listener sets
 * it false to test the default. */
static bool fixture_metrics_on_rpc = true;
static const char *fixture_cors; /* cors_origin (NULL: CORS off, the default) */

/* The server's rpcauth entries: alice's, and one a test may add (auth_entry). */
static const char *fixture_rpcauth[] = {RPCAUTH_ALICE, NULL, NULL};

/* lim: NULL for the defaults. */
static int fixture_start(struct fixture *f, const struct tacit_rpc_limits *lim)
{
    static int seq;
    struct tacit_rpc_config cfg;
    int rc;

    memset(f, 0, sizeof *f);
    f->healthy = 1;
    if (lim)
        f->lim = *lim;
    else
        tacit_rpc_limits_default(&f->lim);
    snprintf(f->sock, sizeof f->sock, "/tmp/tacit-test-rpc-%d-%d.sock", (int)getpid(), seq++);
    snprintf(f->sock_url, sizeof f->sock_url, "unix:%s", f->sock);
    memset(&cfg, 0, sizeof cfg);
    cfg.bind_host = fixture_host;
    cfg.socket_path = f->sock;
    cfg.limits = f->lim;
    cfg.auth.cookie = COOKIE;
    cfg.auth.rpcauth = fixture_rpcauth;
    cfg.methods = methods;
    cfg.ud = f;
    cfg.metrics = extra_metrics;
    cfg.health = health;
    cfg.metrics_host = "127.0.0.1";
    cfg.metrics_on_rpc = fixture_metrics_on_rpc;
    cfg.cors_origin = fixture_cors;
    /* the server writes with libuv (write(2), no MSG_NOSIGNAL): a client that closed first
     * raises SIGPIPE in this process, which a program using the server ignores, as tacitd does
     * (src/node/lifecycle.c); without this a test's early close killed the whole test run */
    signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&f->loop);
    if ((rc = tacit_rpc_server_start(&f->s, &f->loop, &cfg)) != TACIT_OK) {
        uv_run(&f->loop, UV_RUN_DEFAULT);
        uv_loop_close(&f->loop);
        return rc;
    }
    f->port = tacit_rpc_server_port(f->s);
    snprintf(f->url, sizeof f->url, strchr(fixture_host, ':') ? "http://[%s]:%u" : "http://%s:%u",
             fixture_host, f->port);
    snprintf(f->murl, sizeof f->murl, "http://127.0.0.1:%u", tacit_rpc_server_metrics_port(f->s));
    uv_async_init(&f->loop, &f->stop, on_stop);
    f->stop.data = f;
    pthread_create(&f->thread, NULL, loop_thread, f);
    return TACIT_OK;
}

static void fixture_stop(struct fixture *f)
{
    struct stat st;
    uv_async_send(&f->stop);
    pthread_join(f->thread, NULL);
    CHECK(f->stopped);
    CHECK_EQ_INT(uv_loop_close(&f->loop), 0); /* every handle closed */
    CHECK(stat(f->sock, &st) != 0);           /* the socket file is gone */
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ helpers ---- */

/* POSTs body to / with a fresh client; returns the reply parsed (or NULL) and the status. */
static json_t *post_json(const char *url, const char *auth, const char *body, size_t len,
                         int *status)
{
    struct tacit_rpc_client *c;
    char *reply = NULL;
    size_t rlen = 0;
    json_t *j = NULL;

    *status = 0;
    CHECK_EQ_INT(tacit_rpc_client_new(&c, url, auth, 10000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_post(c, "/", body, len, status, &reply, &rlen), TACIT_OK);
    if (reply && rlen) j = json_loadb(reply, rlen, 0, NULL);
    free(reply);
    tacit_rpc_client_free(c);
    return j;
}

static json_t *post_str(struct fixture *f, const char *body, int *status)
{
    return post_json(f->url, NULL, body, strlen(body), status);
}

static int err_code(const json_t *reply)
{
    return (int)json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

static const char *err_msg(const json_t *reply)
{
    const char *m = json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
    return m ? m : "";
}

/* A single whole-body error: code, id null, message containing want. */
static void check_body_error(struct fixture *f, const char *body, size_t len, int code,
                             const char *want)
{
    int status;
    json_t *r = post_json(f->url, NULL, body, len, &status);
    CHECK_EQ_INT(status, 200);
    CHECK(json_is_object(r));
    CHECK_EQ_INT(err_code(r), code);
    CHECK(json_is_null(json_object_get(r, "id")));
    if (strstr(err_msg(r), want) == NULL) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err_msg(r), want);
        CHECK(0);
    }
    json_decref(r);
}

/* A good call succeeds on a fresh connection: the server is still serving. */
static void check_alive(struct fixture *f)
{
    struct tacit_rpc_client *c;
    json_t *res = NULL, *err = NULL;

    CHECK_EQ_INT(tacit_rpc_client_new(&c, f->url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", json_pack("[s]", "alive"), &res, &err), TACIT_OK);
    CHECK(err == NULL);
    CHECK(json_is_array(res) && json_array_size(res) == 1 &&
          strcmp(json_string_value(json_array_get(res, 0)), "alive") == 0);
    json_decref(res);
    json_decref(err);
    tacit_rpc_client_free(c);
}

static int raw_connect(uint16_t port)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(fd >= 0);
    CHECK_EQ_INT(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    return fd;
}

/* Reads until EOF or timeout_ms; returns the bytes read (NUL-terminated in out). *eof: closed. */
/* Reads until timeout_ms passes or the peer closes; with `response`, also stops as soon as one
 * whole HTTP response (headers and Content-Length bytes) has arrived: under a loaded machine
 * and ASan a 4 MiB request can take seconds to be answered. */
static size_t raw_read_until(int fd, char *out, size_t cap, int timeout_ms, bool *eof,
                             bool response)
{
    size_t got = 0;
    int64_t end = now_ms() + timeout_ms;
    *eof = false;
    while (got + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int64_t left = end - now_ms();
        const char *hdr_end, *cl;
        ssize_t n;
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) break;
        n = recv(fd, out + got, cap - 1 - got, 0);
        if (n <= 0) {
            *eof = true;
            break;
        }
        got += (size_t)n;
        out[got] = '\0';
        if (response && (hdr_end = strstr(out, "\r\n\r\n")) != NULL &&
            (cl = strstr(out, "Content-Length: ")) != NULL && cl < hdr_end &&
            got >= (size_t)(hdr_end + 4 - out) + strtoul(cl + 16, NULL, 10))
            break;
    }
    out[got] = '\0';
    return got;
}

static size_t raw_read(int fd, char *out, size_t cap, int timeout_ms, bool *eof)
{
    return raw_read_until(fd, out, cap, timeout_ms, eof, false);
}

static size_t raw_exchange(uint16_t port, const char *req, size_t len, char *out, size_t cap,
                           bool *eof)
{
    int fd = raw_connect(port);
    size_t got;
    CHECK_EQ_INT(send(fd, req, len, MSG_NOSIGNAL), (long long)len);
    got = raw_read(fd, out, cap, 5000, eof);
    close(fd);
    return got;
}

static bool starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* ------------------------------------------------------------------- calls ---- */

TEST(single_call)
{
    struct fixture f;
    struct tacit_rpc_client *c;
    json_t *res, *err;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    /* positional, named and absent params; two calls on one kept-alive connection */
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", json_pack("[i,s]", 7, "x"), &res, &err), TACIT_OK);
    CHECK(err == NULL && json_is_array(res) && json_integer_value(json_array_get(res, 0)) == 7);
    json_decref(res);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", json_pack("{s:b}", "k", 1), &res, &err), TACIT_OK);
    CHECK(err == NULL && json_is_true(json_object_get(res, "k")));
    json_decref(res);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_OK);
    CHECK(err == NULL && json_is_array(res) && json_array_size(res) == 0);
    json_decref(res);
    /* the asynchronous path */
    CHECK_EQ_INT(tacit_rpc_call(c, "later", json_pack("[i]", 30), &res, &err), TACIT_OK);
    CHECK(err == NULL && json_integer_value(json_object_get(res, "slept")) == 30);
    json_decref(res);
    /* an application error: code, message and name from the one error list */
    CHECK_EQ_INT(tacit_rpc_call(c, "fail", NULL, &res, &err), TACIT_OK);
    CHECK(res == NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(err, "code")),
                 TACIT_RPC_APP_BASE + TACIT_ENULLIFIER_SPENT);
    CHECK(strcmp(json_string_value(json_object_get(err, "message")),
                 tacit_strerror(TACIT_ENULLIFIER_SPENT)) == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(err, "data"), "error")),
                 "ENULLIFIER_SPENT") == 0);
    json_decref(err);
    tacit_rpc_client_free(c);
    fixture_stop(&f);
}

/* tacit_rpc_call_hex (a follower's block fetch): the one hex string under the key is cut out and
 * decoded; anything else leaves the result whole and no bytes. "echo" answers its params. */
TEST(call_hex)
{
    struct fixture f;
    struct tacit_rpc_client *c;
    json_t *res, *err;
    uint8_t *b;
    size_t n;
    static const uint8_t want[3] = {0x01, 0x02, 0xff};

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call_hex(c, "echo", json_pack("{s:s,s:i}", "raw", "0x0102FF", "n", 7),
                                    "raw", 16, &res, &err, &b, &n),
                 TACIT_OK);
    CHECK(err == NULL && b != NULL && n == 3);
    if (b != NULL && n == 3) CHECK_MEM(b, want, 3);
    CHECK(json_is_string(json_object_get(res, "raw")) &&
          json_string_length(json_object_get(res, "raw")) == 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(res, "n")), 7);
    free(b);
    json_decref(res);
    /* not hex, too long, twice, absent, inside another string: the whole result, no bytes */
    {
        json_t *cases[] = {
            json_pack("{s:s}", "raw", "0xzz"),
            json_pack("{s:s}", "raw", "0x01020304"),
            json_pack("{s:s,s:{s:s}}", "raw", "0x01", "in", "raw", "0x02"),
            json_pack("{s:s}", "other", "0x01"),
            json_pack("{s:s}", "s", "\"raw\":\"0x01"),
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            json_t *want_res = json_deep_copy(cases[i]);
            CHECK_EQ_INT(tacit_rpc_call_hex(c, "echo", cases[i], "raw", 3, &res, &err, &b, &n),
                         TACIT_OK);
            CHECK(err == NULL && b == NULL && n == 0);
            CHECK(json_equal(res, want_res));
            free(b);
            json_decref(res);
            json_decref(want_res);
        }
    }
    /* an error answer */
    CHECK_EQ_INT(tacit_rpc_call_hex(c, "fail", NULL, "raw", 16, &res, &err, &b, &n), TACIT_OK);
    CHECK(res == NULL && err != NULL && b == NULL);
    json_decref(err);
    tacit_rpc_client_free(c);
    fixture_stop(&f);
}

TEST(batch_mixed)
{
    struct fixture f;
    int status;
    json_t *r, *e;
    const char *body = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"later\",\"params\":[60]},"
                       "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"notified\"]},"
                       "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"nope\"},"
                       "5,"
                       "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"fail\"},"
                       "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"echo\",\"params\":[4]}]";

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    r = post_str(&f, body, &status);
    CHECK_EQ_INT(status, 200);
    CHECK(json_is_array(r));
    CHECK_EQ_INT(json_array_size(r), 5); /* the notification has no entry */
    /* in the order received, though the first replied last */
    e = json_array_get(r, 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(e, "id")), 1);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(e, "result"), "slept")), 60);
    e = json_array_get(r, 1);
    CHECK(strcmp(json_string_value(json_object_get(e, "id")), "x") == 0);
    CHECK_EQ_INT(err_code(e), TACIT_RPC_METHOD_NOT_FOUND);
    e = json_array_get(r, 2);
    CHECK(json_is_null(json_object_get(e, "id")));
    CHECK_EQ_INT(err_code(e), TACIT_RPC_INVALID_REQUEST);
    e = json_array_get(r, 3);
    CHECK_EQ_INT(json_integer_value(json_object_get(e, "id")), 3);
    CHECK_EQ_INT(err_code(e), TACIT_RPC_APP_BASE + TACIT_ENULLIFIER_SPENT);
    e = json_array_get(r, 4);
    CHECK_EQ_INT(json_integer_value(json_object_get(e, "id")), 4);
    CHECK_EQ_INT(json_integer_value(json_array_get(json_object_get(e, "result"), 0)), 4);
    CHECK(strcmp(json_string_value(json_object_get(e, "jsonrpc")), "2.0") == 0);
    json_decref(r);
    CHECK_EQ_INT(__atomic_load_n(&f.echo_ran, __ATOMIC_SEQ_CST), 2); /* notifications run */

    /* only notifications: nothing to answer */
    r = post_str(&f,
                 "[{\"jsonrpc\":\"2.0\",\"method\":\"echo\"},"
                 "{\"jsonrpc\":\"2.0\",\"method\":\"later\",\"params\":[10]}]",
                 &status);
    CHECK_EQ_INT(status, 204);
    CHECK(r == NULL);
    r = post_str(&f, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}", &status);
    CHECK_EQ_INT(status, 204);
    CHECK(r == NULL);
    CHECK_EQ_INT(__atomic_load_n(&f.echo_ran, __ATOMIC_SEQ_CST), 4);
    check_alive(&f);
    fixture_stop(&f);
}

TEST(empty_batch)
{
    struct fixture f;
    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    check_body_error(&f, "[]", 2, TACIT_RPC_INVALID_REQUEST, "empty batch");
    check_body_error(&f, " [ ] ", 5, TACIT_RPC_INVALID_REQUEST, "empty batch");
    check_alive(&f);
    fixture_stop(&f);
}

TEST(batch_too_long)
{
    struct fixture f;
    const char item[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"},";
    size_t n = 10000, len = 0;
    char *body = malloc(n * (sizeof item - 1) + 2);

    body[len++] = '[';
    for (size_t i = 0; i < n; i++, len += sizeof item - 1)
        memcpy(body + len, item, sizeof item - 1);
    body[len - 1] = ']';
    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    check_body_error(&f, body, len, TACIT_RPC_INVALID_REQUEST,
                     "batch of 10000 calls exceeds max_batch 1000");
    CHECK_EQ_INT(__atomic_load_n(&f.echo_ran, __ATOMIC_SEQ_CST), 0); /* no call ran */
    check_alive(&f);
    fixture_stop(&f);
    free(body);
}

TEST(deep_nesting)
{
    struct fixture f;
    size_t n = 10000;
    char *body = malloc(5 * n + 64);
    int status;
    json_t *r;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    memset(body, '[', n);
    memset(body + n, ']', n);
    check_body_error(&f, body, 2 * n, TACIT_RPC_PARSE_ERROR, "nesting deeper than 32");
    /* unterminated: refused before jansson sees it, without a crash */
    check_body_error(&f, body, n, TACIT_RPC_PARSE_ERROR, "nesting deeper than 32");
    for (size_t i = 0; i < n / 2; i++) memcpy(body + 5 * i, "{\"a\":", 5);
    check_body_error(&f, body, 5 * n / 2, TACIT_RPC_PARSE_ERROR, "nesting deeper than 32");

    /* 32 levels are allowed (the call object and 31 of params), 33 are not */
    {
        char ok[256], *p = ok;
        p += sprintf(p, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":");
        for (int i = 0; i < 31; i++) *p++ = '[';
        for (int i = 0; i < 31; i++) *p++ = ']';
        *p++ = '}';
        r = post_json(f.url, NULL, ok, (size_t)(p - ok), &status);
        CHECK(json_is_array(json_object_get(r, "result")));
        json_decref(r);
        p = ok + strlen("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":");
        for (int i = 0; i < 32; i++) *p++ = '[';
        for (int i = 0; i < 32; i++) *p++ = ']';
        *p++ = '}';
        check_body_error(&f, ok, (size_t)(p - ok), TACIT_RPC_PARSE_ERROR, "nesting deeper than 32");
    }
    /* brackets inside strings (and escaped quotes) are text, not nesting */
    {
        char s[400], *p = s;
        p += sprintf(p, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"\\\"");
        for (int i = 0; i < 100; i++) *p++ = '[';
        p += sprintf(p, "\"]}");
        r = post_json(f.url, NULL, s, (size_t)(p - s), &status);
        CHECK(json_is_array(json_object_get(r, "result")));
        json_decref(r);
    }
    check_alive(&f);
    fixture_stop(&f);
    free(body);
}

TEST(invalid_utf8)
{
    struct fixture f;
    static const char bad[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"\xff\xfe\"]}";
    static const char nul[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"a\\u0000b\"]}";
    static const char junk[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"} x";

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    check_body_error(&f, bad, sizeof bad - 1, TACIT_RPC_PARSE_ERROR, "invalid UTF-8");
    check_body_error(&f, nul, sizeof nul - 1, TACIT_RPC_PARSE_ERROR, "NUL");
    check_body_error(&f, junk, sizeof junk - 1, TACIT_RPC_PARSE_ERROR, "parse error");
    check_body_error(&f, "", 0, TACIT_RPC_PARSE_ERROR, "parse error");
    check_body_error(&f, "{\"jsonrpc\":", 11, TACIT_RPC_PARSE_ERROR, "parse error");
    check_alive(&f);
    fixture_stop(&f);
}

TEST(duplicate_keys)
{
    struct fixture f;
    static const char dup[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"echo\"}";
    static const char dup2[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":{\"a\":1,\"a\":2}}";

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    check_body_error(&f, dup, sizeof dup - 1, TACIT_RPC_PARSE_ERROR, "duplicate key");
    check_body_error(&f, dup2, sizeof dup2 - 1, TACIT_RPC_PARSE_ERROR, "duplicate key");
    CHECK_EQ_INT(__atomic_load_n(&f.echo_ran, __ATOMIC_SEQ_CST), 0);
    check_alive(&f);
    fixture_stop(&f);
}

static void check_invalid(struct fixture *f, const char *body, bool id_kept, const char *want)
{
    int status;
    json_t *r = post_str(f, body, &status);
    CHECK_EQ_INT(status, 200);
    CHECK_EQ_INT(err_code(r), TACIT_RPC_INVALID_REQUEST);
    if (id_kept)
        CHECK_EQ_INT(json_integer_value(json_object_get(r, "id")), 9);
    else
        CHECK(json_is_null(json_object_get(r, "id")));
    if (strstr(err_msg(r), want) == NULL) {
        fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", body, err_msg(r), want);
        CHECK(0);
    }
    json_decref(r);
}

TEST(not_jsonrpc2)
{
    struct fixture f;
    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    check_invalid(&f, "{\"jsonrpc\":\"1.0\",\"id\":9,\"method\":\"echo\"}", true, "jsonrpc");
    check_invalid(&f, "{\"id\":9,\"method\":\"echo\"}", true, "jsonrpc");
    check_invalid(&f, "{\"jsonrpc\":2.0,\"id\":9,\"method\":\"echo\"}", true, "jsonrpc");
    check_invalid(&f, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":5}", true, "method");
    check_invalid(&f, "{\"jsonrpc\":\"2.0\",\"id\":9}", true, "method");
    check_invalid(&f, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"echo\",\"params\":3}", true,
                  "params");
    check_invalid(&f, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"echo\",\"params\":\"a\"}", true,
                  "params");
    check_invalid(&f, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"echo\"}", false, "id");
    check_invalid(&f, "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"echo\"}", false, "id");
    check_invalid(&f, "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"echo\"}", false, "id");
    check_invalid(&f, "42", false, "not an object");
    check_invalid(&f, "\"call\"", false, "not an object");
    /* a string id and a null id are echoed as given */
    {
        int status;
        json_t *r =
            post_str(&f, "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"echo\"}", &status);
        CHECK(strcmp(json_string_value(json_object_get(r, "id")), "abc") == 0);
        json_decref(r);
        r = post_str(&f, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"echo\"}", &status);
        CHECK(json_is_null(json_object_get(r, "id")) &&
              json_is_array(json_object_get(r, "result")));
        json_decref(r);
    }
    CHECK_EQ_INT(__atomic_load_n(&f.echo_ran, __ATOMIC_SEQ_CST), 2);
    check_alive(&f);
    fixture_stop(&f);
}

TEST(unknown_method)
{
    struct fixture f;
    struct tacit_rpc_client *c;
    json_t *res, *err;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "tacit_nope", NULL, &res, &err), TACIT_OK);
    CHECK(res == NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(err, "code")), TACIT_RPC_METHOD_NOT_FOUND);
    json_decref(err);
    /* the same connection still serves */
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_OK);
    CHECK(res != NULL && err == NULL);
    json_decref(res);
    tacit_rpc_client_free(c);
    fixture_stop(&f);
}

/* ------------------------------------------------------------------ limits ---- */

TEST(body_too_large)
{
    struct fixture f;
    struct tacit_rpc_limits lim;
    struct tacit_rpc_client *c;
    size_t n = 100000;
    char *body = malloc(n), *reply = NULL, out[4096], req[512];
    size_t rlen;
    int status;
    bool eof;

    tacit_rpc_limits_default(&lim);
    lim.max_body = 65536;
    CHECK_EQ_INT(fixture_start(&f, &lim), TACIT_OK);
    memset(body, ' ', n);
    /* Content-Length over the limit: refused up front */
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_post(c, "/", body, n, &status, &reply, &rlen), TACIT_OK);
    CHECK_EQ_INT(status, 413);
    free(reply);
    /* exactly at the limit: read, then refused as JSON (all blanks) */
    CHECK_EQ_INT(tacit_rpc_client_post(c, "/", body, lim.max_body, &status, &reply, &rlen),
                 TACIT_OK);
    CHECK_EQ_INT(status, 200);
    CHECK(strstr(reply, "-32700") != NULL);
    free(reply);
    tacit_rpc_client_free(c);

    /* chunked: no length declared, counted as it arrives */
    {
        int fd = raw_connect(f.port);
        int k = snprintf(req, sizeof req,
                         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        CHECK_EQ_INT(send(fd, req, (size_t)k, MSG_NOSIGNAL), k);
        for (int i = 0; i < 5; i++) {
            k = snprintf(req, sizeof req, "%x\r\n", 20000);
            send(fd, req, (size_t)k, MSG_NOSIGNAL);
            send(fd, body, 20000, MSG_NOSIGNAL);
            send(fd, "\r\n", 2, MSG_NOSIGNAL);
        }
        raw_read(fd, out, sizeof out, 5000, &eof);
        CHECK(starts_with(out, "HTTP/1.1 413 "));
        CHECK(eof);
        close(fd);
    }
    /* a chunked call under the limit works */
    {
        const char *call = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"echo\",\"params\":[1]}";
        int k = snprintf(req, sizeof req,
                         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         "Connection: close\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
                         strlen(call), call);
        raw_exchange(f.port, req, (size_t)k, out, sizeof out, &eof);
        CHECK(starts_with(out, "HTTP/1.1 200 "));
        CHECK(strstr(out, "\"result\":[1]") != NULL);
    }
    check_alive(&f);
    fixture_stop(&f);
    free(body);
}

TEST(header_too_large)
{
    struct fixture f;
    size_t n = 20000;
    char *req = malloc(n + 256), out[4096];
    size_t k;
    bool eof;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    k = (size_t)sprintf(req, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + k, 'a', n);
    k += n;
    k += (size_t)sprintf(req + k, "\r\n\r\n");
    raw_exchange(f.port, req, k, out, sizeof out, &eof);
    CHECK(starts_with(out, "HTTP/1.1 431 "));
    CHECK(eof);
    /* many small headers add up too */
    k = (size_t)sprintf(req, "GET /health HTTP/1.1\r\n");
    for (int i = 0; i < 1000; i++) k += (size_t)sprintf(req + k, "X-%d: 0123456789\r\n", i);
    k += (size_t)sprintf(req + k, "\r\n");
    raw_exchange(f.port, req, k, out, sizeof out, &eof);
    CHECK(starts_with(out, "HTTP/1.1 431 "));
    /* not HTTP at all */
    raw_exchange(f.port, "HELLO\r\n\r\n", 9, out, sizeof out, &eof);
    CHECK(starts_with(out, "HTTP/1.1 400 "));
    check_alive(&f);
    fixture_stop(&f);
    free(req);
}

TEST(slow_client)
{
    struct fixture f;
    struct tacit_rpc_limits lim;
    static const char req[] = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n";
    char out[4096];
    size_t got = 0;
    int fd;
    int64_t t0, dt;
    bool eof = false;

    tacit_rpc_limits_default(&lim);
    lim.header_timeout_ms = 1000;
    lim.body_timeout_ms = 1000;
    lim.idle_timeout_ms = 500;
    CHECK_EQ_INT(fixture_start(&f, &lim), TACIT_OK);

    /* one byte every 300 ms of the header: cut off at the header deadline */
    fd = raw_connect(f.port);
    t0 = now_ms();
    for (size_t i = 0; i < sizeof req - 1 && !eof && now_ms() - t0 < 5000; i++) {
        send(fd, req + i, 1, MSG_NOSIGNAL);
        got += raw_read(fd, out + got, sizeof out - got, 300, &eof);
    }
    dt = now_ms() - t0;
    CHECK(starts_with(out, "HTTP/1.1 408 "));
    CHECK(eof);
    CHECK(dt >= 900 && dt < 2500);
    close(fd);

    /* a complete header but a body that never comes: cut off at the body deadline */
    fd = raw_connect(f.port);
    t0 = now_ms();
    send(fd, req, sizeof req - 1, MSG_NOSIGNAL);
    send(fd, "{", 1, MSG_NOSIGNAL);
    raw_read(fd, out, sizeof out, 5000, &eof);
    dt = now_ms() - t0;
    CHECK(starts_with(out, "HTTP/1.1 408 "));
    CHECK(dt >= 900 && dt < 2500);
    close(fd);

    /* a silent connection: the header deadline runs from the accept */
    fd = raw_connect(f.port);
    t0 = now_ms();
    raw_read(fd, out, sizeof out, 5000, &eof);
    CHECK(starts_with(out, "HTTP/1.1 408 "));
    CHECK(now_ms() - t0 < 2500);
    close(fd);

    /* an idle kept-alive connection is closed silently; the client reconnects once */
    {
        static const char get[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        struct tacit_rpc_client *c;
        json_t *res, *err;

        fd = raw_connect(f.port);
        send(fd, get, sizeof get - 1, MSG_NOSIGNAL);
        t0 = now_ms();
        raw_read(fd, out, sizeof out, 5000, &eof);
        CHECK(starts_with(out, "HTTP/1.1 200 "));
        CHECK(eof);
        dt = now_ms() - t0;
        CHECK(dt >= 400 && dt < 2000);
        close(fd);

        CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
        CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_OK);
        json_decref(res);
        sleep_ms(800); /* past the idle timeout: the server closed it */
        CHECK_EQ_INT(tacit_rpc_call(c, "echo", json_pack("[i]", 2), &res, &err), TACIT_OK);
        CHECK(err == NULL && json_integer_value(json_array_get(res, 0)) == 2);
        json_decref(res);
        tacit_rpc_client_free(c);
    }
    check_alive(&f);
    fixture_stop(&f);
}

TEST(max_conns)
{
    struct fixture f;
    struct tacit_rpc_limits lim;
    char out[4096];
    int a, b, x;
    bool eof;
    struct tacit_rpc_client *c;
    json_t *res = NULL, *err = NULL;
    int rc = -1;

    tacit_rpc_limits_default(&lim);
    lim.max_conns = 2;
    CHECK_EQ_INT(fixture_start(&f, &lim), TACIT_OK);
    a = raw_connect(f.port);
    b = raw_connect(f.port);
    sleep_ms(100);
    x = raw_connect(f.port);
    raw_read(x, out, sizeof out, 3000, &eof);
    CHECK(starts_with(out, "HTTP/1.1 503 "));
    CHECK(eof);
    close(x);
    /* the two held connections still work */
    send(a, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 52, MSG_NOSIGNAL);
    raw_read(a, out, sizeof out, 3000, &eof);
    CHECK(starts_with(out, "HTTP/1.1 200 "));
    close(a);
    close(b);
    /* once they are closed, new connections are served */
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    for (int i = 0; i < 50 && rc != TACIT_OK; i++) {
        sleep_ms(20);
        rc = tacit_rpc_call(c, "echo", NULL, &res, &err);
    }
    CHECK_EQ_INT(rc, TACIT_OK);
    CHECK(res != NULL);
    json_decref(res);
    json_decref(err);
    tacit_rpc_client_free(c);
    fixture_stop(&f);
}

TEST(busy)
{
    struct fixture f;
    struct tacit_rpc_limits lim;
    struct tacit_rpc_client *c;
    int status;
    json_t *r;
    char *text = NULL;
    size_t len;

    tacit_rpc_limits_default(&lim);
    lim.max_pending = 3;
    lim.pending_reserve = 1; /* TCP calls without credentials get 2 */
    CHECK_EQ_INT(fixture_start(&f, &lim), TACIT_OK);
    r = post_str(&f,
                 "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"later\",\"params\":[100]},"
                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"later\",\"params\":[100]},"
                 "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"later\",\"params\":[100]},"
                 "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"echo\"}]",
                 &status);
    CHECK_EQ_INT(json_array_size(r), 4);
    CHECK(json_object_get(json_array_get(r, 0), "result") != NULL);
    CHECK(json_object_get(json_array_get(r, 1), "result") != NULL);
    CHECK_EQ_INT(err_code(json_array_get(r, 2)), TACIT_RPC_BUSY);
    /* any call while max_pending are in flight, even one that would reply at once */
    CHECK_EQ_INT(err_code(json_array_get(r, 3)), TACIT_RPC_BUSY);
    CHECK_EQ_INT(__atomic_load_n(&f.echo_ran, __ATOMIC_SEQ_CST), 0);
    json_decref(r);
    /* once replied, room again */
    r = post_str(&f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"later\",\"params\":[1]}", &status);
    CHECK(json_object_get(r, "result") != NULL);
    json_decref(r);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/metrics", &status, &text, &len), TACIT_OK);
    CHECK(strstr(text, "\ntacit_rpc_busy_total 2\n") != NULL);
    CHECK(strstr(text, "tacit_rpc_calls_total{method=\"later\",code=\"-32005\"} 1\n") != NULL);
    free(text);
    tacit_rpc_client_free(c);
    fixture_stop(&f);
}

/* ------------------------------------------------------------------- auth ---- */

static void check_admin(const char *url, const char *auth, int want_code, bool want_local)
{
    struct tacit_rpc_client *c;
    json_t *res = NULL, *err = NULL;

    CHECK_EQ_INT(tacit_rpc_client_new(&c, url, auth, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "admin_x", NULL, &res, &err), TACIT_OK);
    if (want_code) {
        CHECK(res == NULL);
        CHECK_EQ_INT(json_integer_value(json_object_get(err, "code")), want_code);
    } else {
        CHECK(err == NULL);
        CHECK_EQ_INT(json_is_true(json_object_get(res, "local")), want_local);
        CHECK(strcmp(json_string_value(json_object_get(res, "method")), "admin_x") == 0);
    }
    /* public methods need nothing, with or without (even wrong) credentials */
    json_decref(res);
    json_decref(err);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_OK);
    CHECK(res != NULL);
    json_decref(res);
    tacit_rpc_client_free(c);
}

/* tacit_rpc_auth_entry (tacit-cli rpcauth): bitcoind's format, a fresh salt each time, an
 * HMAC-SHA256 keyed by the salt's text, and the server takes the entry. */
TEST(auth_entry)
{
    struct fixture f;
    char *e1 = NULL, *e2 = NULL;
    const char *salt, *dollar;
    unsigned char mac[32];
    char mac_hex[65];
    crypto_auth_hmacsha256_state st;

    CHECK_EQ_INT(tacit_rpc_auth_entry(&e1, "bob", "hunter2 x"), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_auth_entry(&e2, "bob", "hunter2 x"), TACIT_OK);
    CHECK(e1 != NULL && e2 != NULL && strncmp(e1, "bob:", 4) == 0 && strlen(e1) == 4 + 32 + 1 + 64);
    CHECK(e1 != NULL && e2 != NULL && strcmp(e1, e2) != 0); /* a new salt each time */
    if (e1 == NULL || e2 == NULL) goto out;
    salt = e1 + 4;
    dollar = strchr(salt, '$');
    CHECK(dollar == salt + 32 && strspn(salt, "0123456789abcdef") == 32);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)salt, 32);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"hunter2 x", 9);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(mac_hex, sizeof mac_hex, mac, sizeof mac);
    CHECK(dollar != NULL && strcmp(dollar + 1, mac_hex) == 0);

    fixture_rpcauth[1] = e1;
    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    check_admin(f.url, "bob:hunter2 x", 0, false);
    check_admin(f.url, "bob:hunter2", TACIT_RPC_UNAUTHORIZED, false);
    check_admin(f.url, ALICE, 0, false);
    fixture_stop(&f);
    fixture_rpcauth[1] = NULL;
out:
    free(e1);
    free(e2);
    /* names the entry's format cannot carry */
    const char *badu[] = {"", "a:b", "a b", "a\tb", "a\x7f"};
    for (size_t i = 0; i < sizeof badu / sizeof badu[0]; i++) {
        char *e = (char *)1;
        CHECK_EQ_INT(tacit_rpc_auth_entry(&e, badu[i], "pw"), TACIT_EINVAL);
        CHECK(e == NULL);
    }
}

/* CORS (--rpc-cors): off by default (no header, OPTIONS refused); with an origin, only that
 * Origin gets Access-Control-Allow-Origin, on calls, errors and the preflight, which allows POST
 * and Content-Type only; with "*" every origin gets "*". */
TEST(cors)
{
    static const char call[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[1]}";
    static const char *const origins[] = {NULL, "http://localhost:3000", "*"};
    for (size_t k = 0; k < 3; k++) {
        struct fixture f;
        char req[1024], out[4096];
        bool eof;
        int n;
        fixture_cors = origins[k];
        CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
        fixture_cors = NULL;
        /* a call from the allowed origin, from another, and without Origin */
        const char *from[] = {"http://localhost:3000", "http://evil.example", NULL};
        for (size_t o = 0; o < 3; o++) {
            char hdr[128] = "";
            bool allowed = origins[k] != NULL && from[o] != NULL &&
                           (strcmp(origins[k], "*") == 0 || strcmp(origins[k], from[o]) == 0);
            if (from[o] != NULL) snprintf(hdr, sizeof hdr, "Origin: %s\r\n", from[o]);
            n = snprintf(req, sizeof req,
                         "POST / HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         hdr, strlen(call), call);
            raw_exchange(f.port, req, (size_t)n, out, sizeof out, &eof);
            CHECK(starts_with(out, "HTTP/1.1 200 OK\r\n"));
            if (!allowed) {
                CHECK(strstr(out, "Access-Control-Allow-Origin") == NULL);
            } else {
                char want[128];
                snprintf(want, sizeof want,
                         "\r\nAccess-Control-Allow-Origin: %s\r\nVary: Origin\r\n",
                         strcmp(origins[k], "*") == 0 ? "*" : from[o]);
                CHECK(strstr(out, want) != NULL);
            }
            /* the preflight */
            n = snprintf(
                req, sizeof req,
                "OPTIONS / HTTP/1.1\r\nHost: x\r\n%sAccess-Control-Request-Method: POST\r\n"
                "Access-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n",
                hdr);
            raw_exchange(f.port, req, (size_t)n, out, sizeof out, &eof);
            if (!allowed) {
                CHECK(starts_with(out, "HTTP/1.1 405 "));
                CHECK(strstr(out, "Access-Control") == NULL);
            } else {
                CHECK(starts_with(out, "HTTP/1.1 204 No Content\r\n"));
                CHECK(strstr(out, "\r\nAccess-Control-Allow-Methods: POST, OPTIONS\r\n") != NULL);
                CHECK(strstr(out, "\r\nAccess-Control-Allow-Headers: content-type\r\n") != NULL);
                CHECK(strstr(out, "authorization") == NULL);
            }
        }
        /* an Origin header too long matches nothing; two Origin headers neither */
        if (origins[k] != NULL) {
            char longo[400];
            memset(longo, 'a', sizeof longo - 1);
            longo[sizeof longo - 1] = '\0';
            n = snprintf(
                req, sizeof req,
                "POST / HTTP/1.1\r\nHost: x\r\nOrigin: http://%s\r\nContent-Length: %zu\r\n"
                "Connection: close\r\n\r\n%s",
                longo, strlen(call), call);
            raw_exchange(f.port, req, (size_t)n, out, sizeof out, &eof);
            CHECK(starts_with(out, "HTTP/1.1 200 OK\r\n") && strstr(out, "Access-Control") == NULL);
            n = snprintf(req, sizeof req,
                         "POST / HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:3000\r\n"
                         "Origin: http://localhost:3000\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n%s",
                         strlen(call), call);
            raw_exchange(f.port, req, (size_t)n, out, sizeof out, &eof);
            CHECK(starts_with(out, "HTTP/1.1 200 OK\r\n") && strstr(out, "Access-Control") == NULL);
        }
        fixture_stop(&f);
    }
}

TEST(auth)
{
    struct fixture f;
    struct stat st;
    char out[2048];
    bool eof;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    check_admin(f.url, NULL, TACIT_RPC_UNAUTHORIZED, false);
    check_admin(f.url, COOKIE, 0, false);
    check_admin(f.url, ALICE, 0, false);
    /* wrong secret, wrong user, empty password, someone else's user name with the cookie */
    check_admin(f.url,
                "__cookie__:5f0c3a9d7e1b2c4d6e8f0a1b3c5d7e9f5f0c3a9d7e1b2c4d6e8f0a1b3c5d7e9e",
                TACIT_RPC_UNAUTHORIZED, false);
    check_admin(f.url, "alice:correct horse batterY", TACIT_RPC_UNAUTHORIZED, false);
    check_admin(f.url, "bob:correct horse battery", TACIT_RPC_UNAUTHORIZED, false);
    check_admin(f.url, "alice:", TACIT_RPC_UNAUTHORIZED, false);
    check_admin(f.url, "alice:5f0c3a9d7e1b2c4d6e8f0a1b3c5d7e9f5f0c3a9d7e1b2c4d6e8f0a1b3c5d7e9f",
                TACIT_RPC_UNAUTHORIZED, false);
    /* the Unix socket needs none, and is 0600 */
    check_admin(f.sock_url, NULL, 0, true);
    CHECK(stat(f.sock, &st) == 0 && (st.st_mode & 0777) == 0600);
    /* malformed Authorization headers: not base64, another scheme, two headers */
    {
        static const char *hdrs[] = {
            "Authorization: Basic !!!!\r\n",
            "Authorization: Bearer YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5\r\n",
            ("Authorization: Basic YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5\r\n" /* one string */
             "Authorization: Basic YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5\r\n"),
        };
        const char *call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"admin_x\"}";
        char req[1024];
        for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
            int k = snprintf(req, sizeof req,
                             "POST / HTTP/1.1\r\nHost: x\r\n%sContent-Length: %zu\r\n"
                             "Connection: close\r\n\r\n%s",
                             hdrs[i], strlen(call), call);
            raw_exchange(f.port, req, (size_t)k, out, sizeof out, &eof);
            CHECK(strstr(out, "-32001") != NULL);
        }
        /* the scheme is case-insensitive; the right credentials pass by raw HTTP too */
        int k = snprintf(req, sizeof req,
                         "POST / HTTP/1.1\r\nHost: x\r\nauthorization: basic "
                         "YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n%s",
                         strlen(call), call);
        raw_exchange(f.port, req, (size_t)k, out, sizeof out, &eof);
        CHECK(strstr(out, "\"result\"") != NULL);
    }
    check_alive(&f);
    fixture_stop(&f);
}

/* --------------------------------------------------------------- endpoints ---- */

TEST(health_metrics)
{
    struct fixture f;
    struct tacit_rpc_client *c;
    char *text = NULL;
    size_t len;
    int status;
    json_t *res, *err;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/health", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 200);
    CHECK(strcmp(text, "{\"status\":\"ok\",\"height\":3}") == 0);
    free(text);
    __atomic_store_n(&f.healthy, 0, __ATOMIC_SEQ_CST);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/health?x=1", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 503);
    CHECK(strcmp(text, "{\"status\":\"syncing\"}") == 0);
    free(text);

    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_OK);
    json_decref(res);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_OK);
    json_decref(res);
    CHECK_EQ_INT(tacit_rpc_call(c, "user_secret_name_1", NULL, &res, &err), TACIT_OK);
    json_decref(err);
    CHECK_EQ_INT(tacit_rpc_call(c, "user_secret_name_2", NULL, &res, &err), TACIT_OK);
    json_decref(err);
    CHECK_EQ_INT(tacit_rpc_call(c, "fail", NULL, &res, &err), TACIT_OK);
    json_decref(err);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/metrics", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 200);
    CHECK(strstr(text, "# TYPE tacit_rpc_connections_open gauge\n") != NULL);
    CHECK(strstr(text, "\ntacit_rpc_connections_open 1\n") != NULL);
    /* 2 GET /health, 5 calls, this GET /metrics */
    CHECK(strstr(text, "\ntacit_rpc_requests_total 8\n") != NULL);
    CHECK(strstr(text, "tacit_rpc_calls_total{method=\"echo\",code=\"0\"} 2\n") != NULL);
    CHECK(strstr(text, "tacit_rpc_calls_total{method=\"unknown\",code=\"-32601\"} 2\n") != NULL);
    CHECK(strstr(text, "user_secret_name") == NULL); /* unknown names never become labels */
    {
        char want[128];
        snprintf(want, sizeof want, "tacit_rpc_calls_total{method=\"fail\",code=\"%d\"} 1\n",
                 TACIT_RPC_APP_BASE + TACIT_ENULLIFIER_SPENT);
        CHECK(strstr(text, want) != NULL);
    }
    CHECK(strstr(text, "# TYPE tacit_rpc_call_seconds histogram\n") != NULL);
    CHECK(strstr(text, "tacit_rpc_call_seconds_bucket{le=\"+Inf\"} 5\n") != NULL);
    CHECK(strstr(text, "tacit_rpc_call_seconds_count 5\n") != NULL);
    CHECK(strstr(text, "\ntacit_test_extra 7\n") != NULL); /* the node's part, appended */
    free(text);
    tacit_rpc_client_free(c);
    fixture_stop(&f);
}

TEST(not_found_405)
{
    struct fixture f;
    struct tacit_rpc_client *c;
    char *text = NULL, out[2048];
    size_t len;
    int status;
    bool eof;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 405);
    free(text);
    CHECK_EQ_INT(tacit_rpc_client_post(c, "/health", "{}", 2, &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 405);
    free(text);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/nope", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 404);
    free(text);
    CHECK_EQ_INT(tacit_rpc_client_post(c, "/rpc", "{}", 2, &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 404);
    free(text);
    tacit_rpc_client_free(c);
    {
        static const char put[] =
            "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        raw_exchange(f.port, put, sizeof put - 1, out, sizeof out, &eof);
    }
    CHECK(starts_with(out, "HTTP/1.1 405 "));
    CHECK(strstr(out, "Allow: POST\r\n") != NULL);
    /* pipelined requests: the first is answered, then the connection is closed */
    raw_exchange(f.port,
                 "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n",
                 66, out, sizeof out, &eof);
    CHECK(starts_with(out, "HTTP/1.1 200 "));
    CHECK(strstr(out, "Connection: close\r\n") != NULL);
    CHECK(strstr(out + 10, "HTTP/1.1") == NULL);
    CHECK(eof);
    check_alive(&f);
    fixture_stop(&f);
}

/* Randomly damaged requests (seeded: TACIT_TEST_SEED replays): every answer is an HTTP
 * status line, and the server serves a good call after all of them. */
TEST(garbage)
{
    struct fixture f;
    static const char *base[] = {
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 57\r\n\r\n"
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[1,2]}",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2a\r\n[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}]\r\n0\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YTpi\r\n\r\n",
    };
    char req[512], out[8192];
    int iters = tacit_test_iters(300), answered = 0, ok = 0;
    bool eof;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    for (int i = 0; i < iters; i++) {
        const char *b = base[tacit_test_rand64() % 3];
        size_t len = strlen(b), nmut = 1 + tacit_test_rand64() % 4;
        int fd;
        memcpy(req, b, len);
        for (size_t k = 0; k < nmut; k++)
            req[tacit_test_rand64() % len] = (char)(tacit_test_rand64() & 0xff);
        if (tacit_test_rand64() % 4 == 0) len = tacit_test_rand64() % len;
        fd = raw_connect(f.port);
        send(fd, req, len, MSG_NOSIGNAL);
        shutdown(fd, SHUT_WR); /* the server sees EOF: no waiting for deadlines */
        if (raw_read(fd, out, sizeof out, 5000, &eof) > 0) {
            CHECK(starts_with(out, "HTTP/1.1 "));
            answered++;
            if (starts_with(out, "HTTP/1.1 200 ")) ok++;
        }
        CHECK(eof);
        close(fd);
    }
    /* the damage misses the framing often enough for both kinds of answer */
    CHECK(answered > iters / 4);
    CHECK(ok > 0 && ok < answered);
    check_alive(&f);
    fixture_stop(&f);
}

/* curl sends "Expect: 100-continue" before a body over 1 KiB and waits for the go-ahead */
TEST(expect_continue)
{
    struct fixture f;
    static const char call[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[3]}";
    char req[512], out[2048];
    int fd, k;
    bool eof;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    fd = raw_connect(f.port);
    k = snprintf(req, sizeof req,
                 "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 sizeof call - 1);
    send(fd, req, (size_t)k, MSG_NOSIGNAL);
    raw_read(fd, out, sizeof out, 500, &eof);
    CHECK(strcmp(out, "HTTP/1.1 100 Continue\r\n\r\n") == 0);
    send(fd, call, sizeof call - 1, MSG_NOSIGNAL);
    raw_read(fd, out, sizeof out, 5000, &eof);
    CHECK(starts_with(out, "HTTP/1.1 200 "));
    CHECK(strstr(out, "\"result\":[3]") != NULL);
    close(fd);
    fixture_stop(&f);
}

/* --------------------------------------------------------- lifetime, client ---- */

/* While an async call is being answered: a second request on the same connection is
 * pipelining (the first is answered with Connection: close, the second never), and a client
 * that half-closes after its request still gets its answer. */
TEST(busy_connection_input)
{
    struct fixture f;
    static const char call[] =
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"later\",\"params\":[200]}";
    char req[512], out[4096];
    int fd, k;
    bool eof;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    k = snprintf(req, sizeof req, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%s",
                 sizeof call - 1, call);
    /* a second request 50 ms into the first one's 200 ms */
    fd = raw_connect(f.port);
    CHECK_EQ_INT(send(fd, req, (size_t)k, MSG_NOSIGNAL), k);
    sleep_ms(50);
    CHECK_EQ_INT(send(fd, req, (size_t)k, MSG_NOSIGNAL), k);
    raw_read(fd, out, sizeof out, 5000, &eof);
    close(fd);
    CHECK(starts_with(out, "HTTP/1.1 200 "));
    CHECK(strstr(out, "Connection: close\r\n") != NULL);
    CHECK(strstr(out, "\"id\":7") != NULL);
    CHECK(strstr(out + 10, "HTTP/1.1") == NULL);
    CHECK(eof);
    /* the request, then shutdown(SHUT_WR): the answer still comes */
    fd = raw_connect(f.port);
    CHECK_EQ_INT(send(fd, req, (size_t)k, MSG_NOSIGNAL), k);
    CHECK_EQ_INT(shutdown(fd, SHUT_WR), 0);
    raw_read(fd, out, sizeof out, 5000, &eof);
    close(fd);
    CHECK(starts_with(out, "HTTP/1.1 200 "));
    CHECK(strstr(out, "\"slept\":200") != NULL);
    CHECK(eof);
    check_alive(&f);
    fixture_stop(&f);
}

TEST(async_reply_after_close)
{
    struct fixture f;
    static const char call[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"later\",\"params\":[200]}";
    char req[512];
    int fd, k;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    /* the connection goes before the reply: the reply is dropped (ASan would see a misuse) */
    fd = raw_connect(f.port);
    k = snprintf(req, sizeof req, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%s",
                 sizeof call - 1, call);
    send(fd, req, (size_t)k, MSG_NOSIGNAL);
    sleep_ms(50);
    close(fd);
    sleep_ms(300);
    check_alive(&f);
    /* the server stops while a call is in flight: the later reply is dropped */
    fd = raw_connect(f.port);
    send(fd, req, (size_t)k, MSG_NOSIGNAL);
    sleep_ms(50);
    fixture_stop(&f);
    close(fd);
}

TEST(stop_inside_call)
{
    struct fixture f;
    int status = 0;
    char *reply = NULL;
    size_t len;
    struct tacit_rpc_client *c;
    /* calls before, the stop, calls after (never run), a call still in flight */
    static const char batch[] =
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"later\",\"params\":[100]},"
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\"},"
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"stop_now\"},"
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"echo\"}]";

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 3000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_post(c, "/", batch, sizeof batch - 1, &status, &reply, &len),
                 TACIT_EIO);
    CHECK(reply == NULL);
    tacit_rpc_client_free(c);
    CHECK_EQ_INT(__atomic_load_n(&f.echo_ran, __ATOMIC_SEQ_CST), 1);
    fixture_stop(&f);
}

TEST(ipv6)
{
    struct fixture f;
    int rc;

    fixture_host = "::1";
    rc = fixture_start(&f, NULL);
    fixture_host = "127.0.0.1";
    if (rc != TACIT_OK) {
        /* no IPv6 loopback here: the refusal must still be a documented code */
        fprintf(stderr, "ipv6: no ::1 (%s), not tested\n", tacit_errname(rc));
        CHECK(rc == TACIT_EINVAL || rc == TACIT_EIO);
        return;
    }
    CHECK(strncmp(f.url, "http://[::1]:", 13) == 0);
    check_alive(&f);
    fixture_stop(&f);
}

TEST(start_errors)
{
    struct fixture f;
    uv_loop_t loop;
    struct tacit_rpc_server *s = NULL;
    struct tacit_rpc_config cfg;
    char path[108];
    int fd;
    const char *bad_auth[] = {"alice:salt$00", NULL};

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    uv_loop_init(&loop);
    memset(&cfg, 0, sizeof cfg);
    cfg.methods = methods;
    CHECK_EQ_INT(tacit_rpc_server_start(&s, &loop, &cfg), TACIT_EINVAL); /* no listener */
    cfg.bind_host = "not-an-address";
    CHECK_EQ_INT(tacit_rpc_server_start(&s, &loop, &cfg), TACIT_EINVAL);
    cfg.bind_host = "127.0.0.1";
    cfg.bind_port = f.port; /* in use */
    CHECK_EQ_INT(tacit_rpc_server_start(&s, &loop, &cfg), TACIT_EEXISTS);
    CHECK(s == NULL);
    cfg.bind_host = NULL;
    cfg.socket_path = f.sock; /* something listens there */
    CHECK_EQ_INT(tacit_rpc_server_start(&s, &loop, &cfg), TACIT_EEXISTS);
    cfg.socket_path = NULL;
    cfg.bind_host = "127.0.0.1";
    cfg.bind_port = 0;
    cfg.auth.rpcauth = bad_auth;
    CHECK_EQ_INT(tacit_rpc_server_start(&s, &loop, &cfg), TACIT_EINVAL);
    cfg.auth.rpcauth = NULL;
    cfg.auth.cookie = "user:secret"; /* not a cookie */
    CHECK_EQ_INT(tacit_rpc_server_start(&s, &loop, &cfg), TACIT_EINVAL);
    cfg.auth.cookie = NULL;
    /* a file that is not a socket is never removed */
    snprintf(path, sizeof path, "/tmp/tacit-test-rpc-%d-file", (int)getpid());
    fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    close(fd);
    cfg.bind_host = NULL;
    cfg.socket_path = path;
    CHECK_EQ_INT(tacit_rpc_server_start(&s, &loop, &cfg), TACIT_EEXISTS);
    CHECK(access(path, F_OK) == 0);
    unlink(path);
    cfg.socket_path = "/nonexistent-dir/x.sock";
    CHECK(tacit_rpc_server_start(&s, &loop, &cfg) == TACIT_EIO);
    uv_run(&loop, UV_RUN_DEFAULT); /* failed starts close their handles on the loop */
    CHECK_EQ_INT(uv_loop_close(&loop), 0);
    fixture_stop(&f);

    /* a stale socket file (its server gone) is replaced */
    {
        struct sockaddr_un sun;
        int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        snprintf(path, sizeof path, "%s", f.sock);
        memcpy(sun.sun_path, path, strlen(path));
        CHECK_EQ_INT(bind(sfd, (struct sockaddr *)&sun, sizeof sun), 0);
        close(sfd); /* the file stays, nobody listens */
        CHECK(access(path, F_OK) == 0);
    }
    {
        uv_loop_t l2;
        struct tacit_rpc_server *s2 = NULL;
        uv_loop_init(&l2);
        memset(&cfg, 0, sizeof cfg);
        cfg.methods = methods;
        cfg.socket_path = path;
        CHECK_EQ_INT(tacit_rpc_server_start(&s2, &l2, &cfg), TACIT_OK);
        tacit_rpc_server_stop(s2, NULL, NULL);
        uv_run(&l2, UV_RUN_DEFAULT);
        CHECK_EQ_INT(uv_loop_close(&l2), 0);
        CHECK(access(path, F_OK) != 0);
    }
}

TEST(client_errors)
{
    struct fixture f;
    struct tacit_rpc_client *c;
    json_t *res, *err;
    static const char *bad[] = {"",
                                "http://",
                                "http://127.0.0.1",
                                "http://127.0.0.1:",
                                "http://127.0.0.1:0",
                                "http://127.0.0.1:70000",
                                "http://127.0.0.1:80x",
                                "http://127.0.0.1:80/rpc",
                                "ftp://x:1",
                                "unix:",
                                "http://[::1:80",
                                "http://::1:80"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(tacit_rpc_client_new(&c, bad[i], NULL, 0), TACIT_EINVAL);
        CHECK(c == NULL);
    }
    CHECK_EQ_INT(tacit_rpc_client_new(&c, "http://127.0.0.1:1/", "no-colon", 0), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, "http://[::1]:1", NULL, 0), TACIT_OK);
    tacit_rpc_client_free(c);

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    /* a timeout shorter than the call */
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 200), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "later", json_pack("[i]", 1000), &res, &err), TACIT_ETIMEOUT);
    CHECK(res == NULL && err == NULL);
    /* the next call on the same client works (a fresh connection) */
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_OK);
    CHECK(res != NULL);
    json_decref(res);
    tacit_rpc_client_free(c);
    fixture_stop(&f);
    /* nothing listens any more */
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 1000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_EIO);
    tacit_rpc_client_free(c);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.sock_url, NULL, 1000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_EIO);
    tacit_rpc_client_free(c);
}

/* ------------------------------------------------------- resource bounds ---- */

/* The value of a /metrics series without labels (-1 when absent). */
static long long metric(struct fixture *f, const char *name)
{
    struct tacit_rpc_client *c;
    char *text = NULL, want[128];
    size_t len;
    int status;
    long long v = -1;
    const char *at;

    snprintf(want, sizeof want, "\n%s ", name);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f->sock_url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/metrics", &status, &text, &len), TACIT_OK);
    if (text != NULL && (at = strstr(text, want)) != NULL) v = strtoll(at + strlen(want), NULL, 10);
    free(text);
    tacit_rpc_client_free(c);
    return v;
}

/* Polls a metric until it equals want (true) or timeout_ms passes (false). */
static bool metric_becomes(struct fixture *f, const char *name, long long want, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        if (metric(f, name) == want) return true;
        if (now_ms() >= end) return false;
        sleep_ms(20);
    }
}

/* Sends a POST / with body on a new raw connection, reads nothing; returns the socket. */
static int raw_post(uint16_t port, const char *body)
{
    int fd = raw_connect(port);
    char head[256];
    int k = snprintf(head, sizeof head, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
                     strlen(body));
    CHECK_EQ_INT(send(fd, head, (size_t)k, MSG_NOSIGNAL), k);
    CHECK_EQ_INT(send(fd, body, strlen(body), MSG_NOSIGNAL), (long long)strlen(body));
    return fd;
}

static const char *err_limit(const json_t *reply)
{
    const char *l = json_string_value(
        json_object_get(json_object_get(json_object_get(reply, "error"), "data"), "limit"));
    return l ? l : "";
}

/* Counts the entries of a batch answer with a result, and with error code `code`. */
static void count_answers(const json_t *r, size_t *results, size_t *errors, int code,
                          const char *limit)
{
    size_t i;
    json_t *e;
    *results = *errors = 0;
    json_array_foreach(r, i, e)
    {
        if (json_object_get(e, "result") != NULL)
            (*results)++;
        else if (err_code(e) == code && strcmp(err_limit(e), limit) == 0)
            (*errors)++;
    }
}

/* Finding 2: one connection parks at most max_longpolls_per_conn long-polls, the server at most
 * max_longpolls; past either, a specific error (-32006 naming the limit) at once. */
TEST(longpoll_caps)
{
    struct fixture f;
    struct tacit_rpc_limits lim;
    json_t *r;
    int status, fd;
    size_t ok, refused;
    char *body;

    tacit_rpc_limits_default(&lim);
    lim.max_longpolls_per_conn = 3;
    lim.max_longpolls = 5;
    CHECK_EQ_INT(fixture_start(&f, &lim), TACIT_OK);
    /* ten from one connection: three wait and answer, seven are refused */
    body = trpc_batch(10, "poll", "[200]");
    r = post_str(&f, body, &status);
    free(body);
    CHECK_EQ_INT(json_array_size(r), 10);
    count_answers(r, &ok, &refused, TACIT_RPC_LONGPOLL_LIMIT, "max_longpolls_per_conn");
    CHECK_EQ_INT(ok, 3);
    CHECK_EQ_INT(refused, 7);
    CHECK(strstr(err_msg(json_array_get(r, 9)), "at most 3 may wait per connection") != NULL);
    json_decref(r);
    /* the server's cap: three parked elsewhere, then three more: two fit */
    body = trpc_batch(3, "poll", "[30000]");
    fd = raw_post(f.port, body);
    free(body);
    CHECK(metric_becomes(&f, "tacit_rpc_longpolls", 3, 5000));
    body = trpc_batch(3, "poll", "[100]");
    r = post_str(&f, body, &status);
    free(body);
    count_answers(r, &ok, &refused, TACIT_RPC_LONGPOLL_LIMIT, "max_longpolls");
    CHECK_EQ_INT(ok, 2);
    CHECK_EQ_INT(refused, 1);
    json_decref(r);
    CHECK_EQ_INT(metric(&f, "tacit_rpc_longpolls_refused_total"), 8);
    /* long-polls hold no max_pending slot: other calls go on */
    CHECK_EQ_INT(metric(&f, "tacit_rpc_calls_pending"), 0);
    check_alive(&f);
    close(fd);
    CHECK(metric_becomes(&f, "tacit_rpc_longpolls", 0, 5000));
    fixture_stop(&f);
}

/* Finding 2: a client that leaves cancels its long-polls: the owner is told (and frees its
 * waiter), nothing is written, and the counts return to what they were. */
TEST(longpoll_disconnect)
{
    struct fixture f;
    char *body = trpc_batch(4, "poll", "[60000]");
    int fd;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    CHECK_EQ_INT(metric(&f, "tacit_rpc_longpolls"), 0);
    CHECK_EQ_INT(metric(&f, "tacit_rpc_calls_pending"), 0);
    fd = raw_post(f.port, body);
    CHECK(metric_becomes(&f, "tacit_rpc_longpolls", 4, 5000));
    close(fd);
    CHECK(metric_becomes(&f, "tacit_rpc_longpolls", 0, 2000));
    CHECK_EQ_INT(metric(&f, "tacit_rpc_calls_pending"), 0);
    CHECK_EQ_INT(metric(&f, "tacit_rpc_longpolls_cancelled_total"), 4);
    CHECK_EQ_INT(__atomic_load_n(&f.cancelled, __ATOMIC_SEQ_CST), 4);
    /* a half-closed client with a long-poll is gone too */
    fd = raw_post(f.port, body);
    CHECK(metric_becomes(&f, "tacit_rpc_longpolls", 4, 5000));
    shutdown(fd, SHUT_WR);
    CHECK(metric_becomes(&f, "tacit_rpc_longpolls", 0, 2000));
    CHECK_EQ_INT(__atomic_load_n(&f.cancelled, __ATOMIC_SEQ_CST), 8);
    close(fd);
    check_alive(&f);
    /* a stop cancels what is still parked */
    fd = raw_post(f.port, body);
    CHECK(metric_becomes(&f, "tacit_rpc_longpolls", 4, 5000));
    fixture_stop(&f);
    CHECK_EQ_INT(__atomic_load_n(&f.cancelled, __ATOMIC_SEQ_CST), 12);
    close(fd);
    free(body);
}

/* Finding 2: with the TCP side saturated (every slot it may use busy, every connection it may
 * open open), admin calls and Unix-socket calls are still served. */
TEST(operator_reserve)
{
    struct fixture f;
    struct tacit_rpc_limits lim;
    struct tacit_rpc_client *c;
    json_t *res = NULL, *err = NULL;
    char *body = trpc_batch(6, "later", "[3000]");
    int fd, fd2;

    tacit_rpc_limits_default(&lim);
    lim.max_pending = 8;
    lim.pending_reserve = 2;
    lim.max_conns = 3;
    CHECK_EQ_INT(fixture_start(&f, &lim), TACIT_OK);
    fd = raw_post(f.port, body); /* six slots: all TCP may take */
    CHECK(metric_becomes(&f, "tacit_rpc_calls_pending", 6, 5000));
    /* TCP without credentials: busy */
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", NULL, &res, &err), TACIT_OK);
    CHECK_EQ_INT(json_integer_value(json_object_get(err, "code")), TACIT_RPC_BUSY);
    json_decref(err);
    tacit_rpc_client_free(c);
    /* an admin call with credentials over TCP: served from the reserve */
    check_admin(f.url, ALICE, 0, false);
    /* the Unix socket: admin and public calls served */
    check_admin(f.sock_url, NULL, 0, true);
    /* every TCP connection taken: the Unix socket has its own count */
    fd2 = raw_connect(f.port);
    sleep_ms(50);
    check_admin(f.sock_url, NULL, 0, true);
    close(fd2);
    close(fd);
    fixture_stop(&f);
    free(body);
}

/* Finding 3: an answer past max_response, or one that would take a batch's answer past
 * max_batch_response, is -32007 naming the bound; the room a method is given says so first. */
TEST(response_too_large)
{
    struct fixture f;
    struct tacit_rpc_limits lim;
    struct tacit_rpc_client *c;
    json_t *res = NULL, *err = NULL, *r;
    char *body;
    int status;
    size_t ok, refused;

    tacit_rpc_limits_default(&lim);
    lim.max_response = 2000;
    lim.max_batch_response = 5000;
    CHECK_EQ_INT(fixture_start(&f, &lim), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "big", json_pack("[i]", 1900), &res, &err), TACIT_OK);
    CHECK(res != NULL && json_string_length(res) == 1900);
    json_decref(res);
    CHECK_EQ_INT(tacit_rpc_call(c, "big", json_pack("[i]", 3000), &res, &err), TACIT_OK);
    CHECK(res == NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(err, "code")), TACIT_RPC_TOO_LARGE);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(err, "data"), "limit")),
                 "max_response") == 0);
    CHECK(strstr(json_string_value(json_object_get(err, "message")), "exceeds max_response") !=
          NULL);
    json_decref(err);
    /* the text path: same bounds, same envelope */
    CHECK_EQ_INT(tacit_rpc_call(c, "text", json_pack("[i]", 1900), &res, &err), TACIT_OK);
    CHECK(res != NULL && json_string_length(res) == 1900);
    json_decref(res);
    CHECK_EQ_INT(tacit_rpc_call(c, "text", json_pack("[i]", 3000), &res, &err), TACIT_OK);
    CHECK_EQ_INT(json_integer_value(json_object_get(err, "code")), TACIT_RPC_TOO_LARGE);
    json_decref(err);
    /* a single call's room: max_response less the response object around the result */
    CHECK_EQ_INT(tacit_rpc_call(c, "room", NULL, &res, &err), TACIT_OK);
    CHECK(json_integer_value(res) > 1900 && json_integer_value(res) < 2000);
    json_decref(res);
    tacit_rpc_client_free(c);
    /* a batch: three answers of ~1,540 bytes fit in 5,000, the fourth does not */
    body = trpc_batch(4, "big", "[1500]");
    r = post_str(&f, body, &status);
    free(body);
    CHECK_EQ_INT(status, 200);
    count_answers(r, &ok, &refused, TACIT_RPC_TOO_LARGE, "max_batch_response");
    CHECK_EQ_INT(ok, 3);
    CHECK_EQ_INT(refused, 1);
    CHECK(json_object_get(json_array_get(r, 3), "error") != NULL);
    json_decref(r);
    /* a method asking for its room in a batch sees what is left */
    r = post_str(&f,
                 "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"big\",\"params\":[1500]},"
                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"room\"}]",
                 &status);
    CHECK(json_integer_value(json_object_get(json_array_get(r, 1), "result")) > 1500);
    CHECK(json_integer_value(json_object_get(json_array_get(r, 1), "result")) < 2000);
    json_decref(r);
    CHECK_EQ_INT(metric(&f, "tacit_rpc_too_large_total"), 3);
    check_alive(&f);
    fixture_stop(&f);
}

/* Finding 3: a client that does not read its answer is disconnected at the write deadline and
 * the queued answer freed. */
TEST(write_deadline)
{
    struct fixture f;
    struct tacit_rpc_limits lim;
    int fd, rcvbuf = 4096;
    struct sockaddr_in sin;
    const size_t big = (size_t)24 << 20;
    char body[128];
    int64_t t0;

    tacit_rpc_limits_default(&lim);
    lim.max_response = (size_t)64 << 20;
    lim.write_timeout_ms = 400;
    CHECK_EQ_INT(fixture_start(&f, &lim), TACIT_OK);
    /* a small receive window: the answer cannot all sit in kernel buffers */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(f.port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_EQ_INT(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"big\",\"params\":[%zu]}", big);
    {
        char head[128];
        int k = snprintf(head, sizeof head,
                         "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%s",
                         strlen(body), body);
        CHECK_EQ_INT(send(fd, head, (size_t)k, MSG_NOSIGNAL), k);
    }
    t0 = now_ms();
    /* queued and not taken */
    {
        long long q = 0;
        while (now_ms() - t0 < 5000 && (q = metric(&f, "tacit_rpc_write_buffered_bytes")) <= 0)
            sleep_ms(10);
        CHECK(q > (long long)big / 2);
    }
    /* cut off at the deadline, its memory released */
    CHECK(metric_becomes(&f, "tacit_rpc_write_timeouts_total", 1, 5000));
    CHECK_EQ_INT(metric(&f, "tacit_rpc_write_buffered_bytes"), 0);
    CHECK(now_ms() - t0 >= 300);
    CHECK_EQ_INT(metric(&f, "tacit_rpc_connections_open"), 1); /* the metrics request's own */
    close(fd);
    check_alive(&f);
    fixture_stop(&f);
}

/* Bytes the process has allocated: the sanitizer's count under ASan (the test build), else
 * glibc's. */
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));
static size_t heap_in_use(void)
{
    if (__sanitizer_get_current_allocated_bytes != NULL)
        return __sanitizer_get_current_allocated_bytes();
    return mallinfo2().uordblks;
}

/* Finding 8: a body sent to another path than / is not kept, and no body stays allocated on an
 * idle kept-alive connection after its request (JSON-RPC included). */
TEST(idle_connection_memory)
{
    struct fixture f;
    const size_t n = (size_t)4 << 20;
    char *big = malloc(n + 256), out[4096];
    bool eof;
    int fd = -1;
    size_t k, heap0;

    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    for (int round = 0; round < 2; round++) {
        /* round 0: POST /x with 4 MiB; round 1: a 4 MiB JSON-RPC call */
        size_t blen = round == 0 ? n - 512 : 0, hlen;
        if (round == 0) {
            memset(big + 256, 'a', blen);
        } else {
            blen = (size_t)sprintf(big + 256, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"room\","
                                              "\"params\":[\"");
            memset(big + 256 + blen, 'a', n - 1024);
            blen += n - 1024;
            blen += (size_t)sprintf(big + 256 + blen, "\"]}");
        }
        hlen = (size_t)snprintf(out, sizeof out,
                                "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
                                round == 0 ? "/x" : "/", blen);
        memcpy(big + 256 - hlen, out, hlen);
        heap0 = heap_in_use();
        fd = raw_connect(f.port);
        CHECK_EQ_INT(send(fd, big + 256 - hlen, hlen + blen, MSG_NOSIGNAL),
                     (long long)(hlen + blen));
        k = raw_read_until(fd, out, sizeof out, 20000, &eof,
                           true); /* the answer; the connection stays open */
        CHECK(k > 0 && !eof);
        CHECK(starts_with(out, round == 0 ? "HTTP/1.1 404 " : "HTTP/1.1 200 "));
        CHECK(strstr(out, "Connection: keep-alive") != NULL);
        /* idle now: no request buffer held for it (a connection is ~1 KiB; the body was 4 MiB).
         * The server thread may still be finishing the reply it just wrote: give it 2 s. */
        for (int t = 0; t < 200 && heap_in_use() >= heap0 + ((size_t)256 << 10); t++) usleep(10000);
        CHECK(heap_in_use() < heap0 + ((size_t)256 << 10));
        CHECK_EQ_INT(metric(&f, "tacit_rpc_body_buffered_bytes"), 0);
        close(fd);
    }
    check_alive(&f);
    fixture_stop(&f);
    free(big);
}

/* Finding 3: conn_write hands uv_write lengths as unsigned int; a piece longer than that is
 * split, never truncated. (Only the pointers are used: nothing is allocated.) */
TEST(write_buffer_split)
{
    uv_buf_t b[8];
    const char *base = (const char *)(uintptr_t)0x1000;
    size_t len = (size_t)UINT_MAX + 10, n, sum = 0;

    n = tacit__rpc_buf_split(b, base, len);
    CHECK_EQ_INT(n, tacit__rpc_buf_pieces(len));
    CHECK(n >= 2 && n <= 8);
    for (size_t i = 0; i < n; i++) {
        CHECK(b[i].len <= TACIT__RPC_BUF_MAX);
        CHECK(b[i].base == base + sum);
        sum += b[i].len;
    }
    CHECK(sum == len);
    CHECK_EQ_INT(tacit__rpc_buf_pieces(0), 0);
    CHECK_EQ_INT(tacit__rpc_buf_split(b, base, 5), 1);
    CHECK_EQ_INT(b[0].len, 5);
}

/* Issue 14, 6: per-method counters are a timeline of the clients' calls. By default the RPC
 * port answers /metrics 404; the metrics listener (and the Unix socket) serve it, and the
 * metrics listener serves nothing else. */
TEST(metrics_listener)
{
    struct fixture f;
    struct tacit_rpc_client *c;
    char *text = NULL;
    size_t len;
    int status;
    json_t *res = NULL, *err = NULL;

    fixture_metrics_on_rpc = false;
    CHECK_EQ_INT(fixture_start(&f, NULL), TACIT_OK);
    fixture_metrics_on_rpc = true;
    CHECK(tacit_rpc_server_metrics_port(f.s) != 0);
    CHECK(tacit_rpc_server_metrics_port(f.s) != f.port);
    /* the RPC port: calls yes, /metrics no (with credentials neither), /health yes */
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, "echo", json_pack("[i]", 1), &res, &err), TACIT_OK);
    CHECK(res != NULL);
    json_decref(res);
    json_decref(err);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/metrics", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 404);
    CHECK(text != NULL && strstr(text, "metrics listener") != NULL);
    CHECK(text != NULL && strstr(text, "tacit_rpc_calls_total") == NULL);
    free(text);
    text = NULL;
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/health", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 200);
    free(text);
    text = NULL;
    tacit_rpc_client_free(c);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.url, COOKIE, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/metrics", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 404);
    free(text);
    text = NULL;
    tacit_rpc_client_free(c);
    /* the metrics listener: /metrics and /health, no JSON-RPC */
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.murl, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/metrics", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 200);
    CHECK(text != NULL &&
          strstr(text, "tacit_rpc_calls_total{method=\"echo\",code=\"0\"} 1\n") != NULL);
    free(text);
    text = NULL;
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/health", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 200);
    free(text);
    text = NULL;
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 404);
    free(text);
    text = NULL;
    res = err = NULL;
    CHECK(tacit_rpc_call(c, "echo", json_pack("[i]", 1), &res, &err) != TACIT_OK || res == NULL);
    json_decref(res);
    json_decref(err);
    tacit_rpc_client_free(c);
    /* the Unix socket (the operator's) */
    CHECK_EQ_INT(tacit_rpc_client_new(&c, f.sock_url, NULL, 5000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_get(c, "/metrics", &status, &text, &len), TACIT_OK);
    CHECK_EQ_INT(status, 200);
    free(text);
    tacit_rpc_client_free(c);
    fixture_stop(&f);
}

static const struct tacit_test tests[] = {
    {"single_call", single_call},
    {"call_hex", call_hex},
    {"batch_mixed", batch_mixed},
    {"empty_batch", empty_batch},
    {"batch_too_long", batch_too_long},
    {"deep_nesting", deep_nesting},
    {"invalid_utf8", invalid_utf8},
    {"duplicate_keys", duplicate_keys},
    {"not_jsonrpc2", not_jsonrpc2},
    {"unknown_method", unknown_method},
    {"body_too_large", body_too_large},
    {"header_too_large", header_too_large},
    {"slow_client", slow_client},
    {"max_conns", max_conns},
    {"busy", busy},
    {"auth", auth},
    {"cors", cors},
    {"auth_entry", auth_entry},
    {"health_metrics", health_metrics},
    {"not_found_405", not_found_405},
    {"garbage", garbage},
    {"expect_continue", expect_continue},
    {"busy_connection_input", busy_connection_input},
    {"async_reply_after_close", async_reply_after_close},
    {"stop_inside_call", stop_inside_call},
    {"ipv6", ipv6},
    {"start_errors", start_errors},
    {"client_errors", client_errors},
    {"longpoll_caps", longpoll_caps},
    {"longpoll_disconnect", longpoll_disconnect},
    {"operator_reserve", operator_reserve},
    {"response_too_large", response_too_large},
    {"write_deadline", write_deadline},
    {"idle_connection_memory", idle_connection_memory},
    {"write_buffer_split", write_buffer_split},
    {"metrics_listener", metrics_listener},
};
TACIT_TEST_MAIN(tests)
