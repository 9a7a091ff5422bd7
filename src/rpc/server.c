/*
 * tacit — the JSON-RPC server: HTTP/1.1 on libuv streams (TCP and a Unix socket), framed by
 * http-parser, requests checked by request.c, calls dispatched to the method table.
 *
 * A connection is a small state machine (enum conn_state) with one timer whose meaning
 * follows the state: the header deadline, the body deadline, the keep-alive idle timeout, or
 * the linger after an error answer. One request at a time per connection: bytes that arrive
 * while a request is being answered are a pipelined request, refused (the first request is
 * answered and the connection closed; reading stops then).
 *
 * A request (struct rpc_req) owns its calls. It lives until every call has replied, even if
 * its connection or the whole server is gone meanwhile: the answer is then dropped. libuv
 * handle memory is released only in close callbacks (libuv's rule); the server itself once
 * every handle it opened has closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <http_parser.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/rpc_internal.h"
#include "tacit/error.h"
#include "tacit/rpc.h"

#define READ_BUF_SIZE 65536
#define URL_MAX 256
#define HNAME_MAX 32
#define EXPECT_MAX 32
#define AUTH_MAX 1024   /* an Authorization value longer than this never authenticates */
#define LINGER_MS 2000  /* after an error answer: how long input is read and dropped */
#define BACKLOG 128
#define METHOD_UNKNOWN "unknown"

/* Upper bounds of the latency histogram, seconds (coarse on purpose: DESIGN.md 4). */
static const double BUCKETS[] = {0.001, 0.01, 0.1, 1.0, 10.0};
#define NBUCKETS (sizeof BUCKETS / sizeof BUCKETS[0])

enum conn_state {
    CONN_HEADER, /* reading the request line and headers: header deadline */
    CONN_BODY,   /* reading the body: body deadline */
    CONN_BUSY,   /* request complete, reading stopped, answer not yet written: no timer */
    CONN_IDLE,   /* keep-alive between requests: idle timeout, then closed silently */
    CONN_DRAIN   /* answered with an error or "close": input dropped until EOF or linger */
};

enum header_kind { HDR_OTHER, HDR_AUTH, HDR_EXPECT };

struct rpc_req;

struct conn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    uv_timer_t timer;
    uv_shutdown_t shut;
    struct tacit_rpc_server *s;
    struct conn *prev, *next;
    http_parser parser;
    enum conn_state state;
    int handles;        /* handles not yet closed (stream, timer) */
    int reject;         /* HTTP status a parser callback asked for, 0 if none */
    bool local;         /* came over the Unix socket */
    bool counted;       /* counts toward max_conns (not a 503 connection) */
    bool closing, reading, msg_done, keep_alive, authed, in_value, auth_bad;
    size_t hdr_bytes;
    char url[URL_MAX];
    size_t url_len;
    bool url_long;
    char hname[HNAME_MAX];
    size_t hname_len;
    enum header_kind cur;
    char expect[EXPECT_MAX];
    size_t expect_len;
    char *auth; /* sodium_malloc'd Authorization value while headers are read */
    size_t auth_len;
    char *body;
    size_t body_len, body_cap;
    struct rpc_req *req; /* in flight */
};

struct tacit_rpc_call {
    struct rpc_req *req;
    size_t index;
    size_t midx;      /* method table index; nmethods: unknown */
    const char *name; /* for metrics: the table's name or "unknown" */
    json_t *params;   /* owned: the empty array given for an absent "params" */
    uint64_t t0;      /* uv_hrtime at dispatch */
    bool notify;      /* no id: the reply is dropped */
    bool pending;     /* counted in the server's pending */
    bool replied;
};

struct rpc_req {
    struct tacit_rpc_server *s; /* NULL once the server stopped */
    struct conn *c;             /* NULL once the connection closed */
    struct rpc_req *prev, *next;
    struct tacit__rpc_request parsed;
    struct tacit_rpc_call *calls;
    json_t **replies; /* per call; NULL for notifications */
    size_t remaining; /* calls not yet replied (+1 while dispatching) */
    bool local, authed, oom;
};

struct call_count {
    size_t midx;
    int code;
    uint64_t n;
};

struct tacit_rpc_server {
    uv_loop_t *loop;
    struct tacit_rpc_limits lim;
    const struct tacit_rpc_method *methods;
    size_t nmethods;
    void *ud;
    tacit_rpc_metrics_fn metrics;
    tacit_rpc_health_fn health;
    struct tacit__rpc_auth auth;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    bool has_tcp, has_pipe;
    char *socket_path; /* set once we created the socket file: removed at stop */
    uint16_t port;
    struct conn *conns;
    unsigned nactive; /* connections counted toward max_conns */
    struct rpc_req *reqs;
    unsigned pending;
    struct tacit_rpc_stats st;
    struct call_count *cc;
    size_t ncc, capcc;
    uint64_t hist[NBUCKETS + 1];
    uint64_t hist_ns;
    unsigned handles; /* open uv handles; the server is freed when stopping and 0 */
    bool stopping;
    void (*done)(void *);
    void *done_arg;
    char rbuf[READ_BUF_SIZE]; /* every read lands here and is parsed at once */
};


/* ------------------------------------------------------------------ helpers ---- */

void tacit_rpc_limits_default(struct tacit_rpc_limits *l)
{
    l->max_body = 4u << 20;
    l->max_header = 16u << 10;
    l->max_batch = 1000;
    l->max_depth = 32;
    l->max_conns = 256;
    l->header_timeout_ms = 10000;
    l->body_timeout_ms = 30000;
    l->idle_timeout_ms = 60000;
    l->max_pending = 4096;
}

static const char *status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

static int map_uv_error(int rc)
{
    switch (rc) {
    case UV_EADDRINUSE: return TACIT_EEXISTS;
    case UV_EADDRNOTAVAIL:
    case UV_EINVAL:
    case UV_EAFNOSUPPORT: return TACIT_EINVAL;
    case UV_ENOMEM: return TACIT_ENOMEM;
    default: return TACIT_EIO;
    }
}

/* A growable text buffer for /metrics. */
struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Room for `need` more bytes and a NUL; false (and oom set) when realloc fails. */
static bool sbuf_reserve(struct sbuf *b, size_t need)
{
    size_t ncap;
    char *np;
    if (b->oom) return false;
    if (b->len + need + 1 <= b->cap) return true;
    ncap = b->cap ? b->cap * 2 : 4096;
    while (ncap < b->len + need + 1) ncap *= 2;
    if ((np = realloc(b->p, ncap)) == NULL) {
        b->oom = true;
        return false;
    }
    b->p = np;
    b->cap = ncap;
    return true;
}

static void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->oom) return;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        if (!sbuf_reserve(b, (size_t)n)) return;
    }
}

static void sbuf_append(struct sbuf *b, const char *s, size_t len)
{
    if (len == 0 || !sbuf_reserve(b, len)) return;
    memcpy(b->p + b->len, s, len);
    b->len += len;
    b->p[b->len] = '\0';
}

/* ------------------------------------------------------------- connections ---- */

static void handle_closed(struct tacit_rpc_server *s);

static void on_conn_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    struct tacit_rpc_server *s = c->s;

    if (--c->handles == 0) {
        free(c->body);
        free(c);
    }
    handle_closed(s);
}

static void conn_close(struct conn *c)
{
    struct tacit_rpc_server *s = c->s;

    if (c->closing) return;
    c->closing = true;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    if (c->counted) s->nactive--;
    s->st.connections_open--;
    if (c->req != NULL) {
        c->req->c = NULL; /* its calls may still reply: the answer is dropped */
        c->req = NULL;
    }
    if (c->auth != NULL) {
        sodium_free(c->auth);
        c->auth = NULL;
    }
    uv_close(&c->h.handle, on_conn_closed);
    uv_close((uv_handle_t *)&c->timer, on_conn_closed);
}

static void on_timer(uv_timer_t *t);

static void timer_restart(struct conn *c, unsigned ms)
{
    uv_timer_stop(&c->timer);
    uv_timer_start(&c->timer, on_timer, ms, 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = h->data;
    (void)suggested;
    buf->base = c->s->rbuf;
    buf->len = sizeof c->s->rbuf;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void read_start(struct conn *c)
{
    if (c->reading) return;
    if (uv_read_start(&c->h.stream, on_alloc, on_read) == 0) c->reading = true;
}

static void read_stop(struct conn *c)
{
    if (!c->reading) return;
    uv_read_stop(&c->h.stream);
    c->reading = false;
}

enum write_kind { W_CONTINUE, W_RESPONSE };

struct wreq {
    uv_write_t w;
    enum write_kind kind;
    char *owned; /* a malloc'd body written after data, freed with the request */
    char data[]; /* the head (and a copied body) */
};

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)req;
    (void)status; /* the linger timer or EOF closes the connection */
}

static void on_write(uv_write_t *w, int status)
{
    struct wreq *wr = (struct wreq *)w;
    struct conn *c = w->handle->data;
    enum write_kind kind = wr->kind;

    free(wr->owned);
    free(wr);
    if (c->closing || kind == W_CONTINUE) return;
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (c->state == CONN_DRAIN || !c->keep_alive) {
        /* Send FIN, keep reading and dropping what the client still sends, then close: closing
         * with unread input would reset the connection and could destroy the answer before
         * the client read it. */
        if (c->state != CONN_DRAIN) {
            c->state = CONN_DRAIN;
            timer_restart(c, LINGER_MS);
        }
        if (uv_shutdown(&c->shut, &c->h.stream, on_shutdown) != 0) {
            conn_close(c);
            return;
        }
        read_start(c);
        return;
    }
    c->state = CONN_IDLE;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    timer_restart(c, c->s->lim.idle_timeout_ms);
    read_start(c);
}

/* Queues head + body: owned (malloc'd, taken: freed after the write, also on failure) or,
 * when owned is NULL, a copy of body. */
static void conn_write(struct conn *c, enum write_kind kind, const char *head, size_t hlen,
                       const char *body, char *owned, size_t blen)
{
    struct wreq *wr;
    uv_buf_t b[2];
    size_t copy = owned ? 0 : blen;

    if (c->closing) goto out_free_owned;
    if ((wr = malloc(sizeof *wr + hlen + copy)) == NULL) {
        conn_close(c);
        goto out_free_owned;
    }
    wr->kind = kind;
    wr->owned = owned;
    memcpy(wr->data, head, hlen);
    if (copy) memcpy(wr->data + hlen, body, copy);
    b[0] = uv_buf_init(wr->data, (unsigned)(hlen + copy));
    if (owned) b[1] = uv_buf_init(owned, (unsigned)blen);
    if (uv_write(&wr->w, &c->h.stream, b, owned ? 2 : 1, on_write) != 0) {
        free(wr->owned);
        free(wr);
        conn_close(c);
    }
    return;

out_free_owned:
    free(owned);
}

/* Writes an answer: body copied, or owned taken (see conn_write). extra: more header lines
 * ("Name: value\r\n") or NULL. */
static void conn_respond(struct conn *c, int status, const char *ctype, const char *body,
                         char *owned, size_t blen, const char *extra)
{
    char head[512];
    int n;

    if (status == 204) /* RFC 9110 15.3.5: no Content-Length, no body */
        n = snprintf(head, sizeof head, "HTTP/1.1 204 No Content\r\n%sConnection: %s\r\n\r\n",
                     extra ? extra : "", c->keep_alive ? "keep-alive" : "close");
    else
        n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Connection: %s\r\n\r\n",
                     status, status_text(status), ctype, blen, extra ? extra : "",
                     c->keep_alive ? "keep-alive" : "close");
    if (n < 0 || (size_t)n >= sizeof head) {
        free(owned);
        conn_close(c);
        return;
    }
    if (status == 204) blen = 0;
    conn_write(c, W_RESPONSE, head, (size_t)n, body, owned, blen);
}

static void respond_text(struct conn *c, int status, const char *text, const char *extra)
{
    conn_respond(c, status, "text/plain; charset=utf-8", text, NULL, strlen(text), extra);
}

/* An HTTP-level refusal: answer, then drain and close. */
static void conn_reject(struct conn *c, int status)
{
    static const struct {
        int status;
        const char *text;
    } texts[] = {
        {400, "bad request\n"},
        {408, "request timeout: the header or body deadline passed\n"},
        {413, "request body too large\n"},
        {431, "request header too large\n"},
        {503, "too many connections\n"},
    };
    const char *text = "error\n";

    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].status == status) text = texts[i].text;
    c->s->st.rejected_http++;
    c->state = CONN_DRAIN;
    c->keep_alive = false;
    timer_restart(c, LINGER_MS);
    respond_text(c, status, text, NULL);
}

static void on_timer(uv_timer_t *t)
{
    struct conn *c = t->data;

    switch (c->state) {
    case CONN_HEADER:
    case CONN_BODY:
        conn_reject(c, 408);
        break;
    case CONN_IDLE:
    case CONN_DRAIN:
        conn_close(c);
        break;
    case CONN_BUSY:
        break;
    }
}

static void on_connection(uv_stream_t *ls, int status)
{
    struct tacit_rpc_server *s = ls->data;
    struct conn *c;
    int rc;

    if (status < 0 || s->stopping) return;
    /* Without memory the connection stays in the backlog: nothing better to do. */
    if ((c = calloc(1, sizeof *c)) == NULL) return;
    c->s = s;
    c->local = ls == (uv_stream_t *)&s->pipe;
    rc = c->local ? uv_pipe_init(s->loop, &c->h.pipe, 0) : uv_tcp_init(s->loop, &c->h.tcp);
    if (rc != 0) {
        free(c);
        return;
    }
    uv_timer_init(s->loop, &c->timer); /* cannot fail */
    c->h.handle.data = c;
    c->timer.data = c;
    c->handles = 2;
    s->handles += 2;
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->st.connections_open++;
    s->st.connections_total++;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    if (uv_accept(ls, &c->h.stream) != 0) {
        conn_close(c);
        return;
    }
    if (!c->local) uv_tcp_nodelay(&c->h.tcp, 1);
    read_start(c);
    if (s->nactive >= s->lim.max_conns) {
        conn_reject(c, 503);
        return;
    }
    c->counted = true;
    s->nactive++;
    c->state = CONN_HEADER; /* the header deadline runs from the accept */
    timer_restart(c, s->lim.header_timeout_ms);
}

/* ------------------------------------------------------------- HTTP parsing ---- */

static int count_header(struct conn *c, size_t len)
{
    c->hdr_bytes += len;
    if (c->hdr_bytes > c->s->lim.max_header) {
        c->reject = 431;
        return -1;
    }
    return 0;
}

static int on_message_begin(http_parser *p)
{
    struct conn *c = p->data;

    c->url_len = 0;
    c->url_long = false;
    c->hdr_bytes = 0;
    c->body_len = 0;
    c->hname_len = 0;
    c->in_value = true; /* the first field callback starts a new header */
    c->cur = HDR_OTHER;
    c->expect_len = 0;
    c->authed = false;
    c->auth_bad = false;
    c->auth_len = 0;
    c->msg_done = false;
    c->reject = 0;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;

    if (count_header(c, len) != 0) return -1;
    if (c->url_len + len >= sizeof c->url) {
        c->url_long = true;
        return 0;
    }
    memcpy(c->url + c->url_len, at, len);
    c->url_len += len;
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;

    if (count_header(c, len + 4) != 0) return -1; /* + ": " and CRLF */
    if (c->in_value) {
        c->in_value = false;
        c->hname_len = 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (c->hname_len >= sizeof c->hname) break; /* a long name is none we look for */
        char ch = at[i];
        c->hname[c->hname_len++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    return 0;
}

static bool hname_is(const struct conn *c, const char *name)
{
    size_t n = strlen(name);
    return c->hname_len == n && memcmp(c->hname, name, n) == 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;

    if (count_header(c, len) != 0) return -1;
    if (!c->in_value) {
        c->in_value = true;
        c->cur = HDR_OTHER;
        if (hname_is(c, "authorization")) {
            c->cur = HDR_AUTH;
            if (c->auth != NULL) /* two Authorization headers: neither counts */
                c->auth_bad = true;
            else if ((c->auth = sodium_malloc(AUTH_MAX)) == NULL)
                c->auth_bad = true;
            c->auth_len = 0;
        } else if (hname_is(c, "expect")) {
            c->cur = HDR_EXPECT;
            c->expect_len = 0;
        }
    }
    if (c->cur == HDR_AUTH && c->auth != NULL) {
        if (c->auth_len + len > AUTH_MAX) {
            c->auth_bad = true;
        } else {
            memcpy(c->auth + c->auth_len, at, len);
            c->auth_len += len;
        }
    } else if (c->cur == HDR_EXPECT) {
        size_t room = sizeof c->expect - c->expect_len;
        size_t n = len < room ? len : room;
        memcpy(c->expect + c->expect_len, at, n);
        c->expect_len += n;
    }
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    struct conn *c = p->data;
    struct tacit_rpc_server *s = c->s;

    c->keep_alive = http_should_keep_alive(p) && !p->upgrade;
    /* Refuse a declared oversized body before reading a byte of it. */
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > s->lim.max_body) {
        c->reject = 413;
        return -1; /* 1 and 2 mean "no body" to http-parser; anything else stops it */
    }
    if (c->auth != NULL) {
        c->authed = !c->auth_bad && tacit__rpc_auth_check(&s->auth, c->auth, c->auth_len);
        sodium_free(c->auth); /* wipes */
        c->auth = NULL;
    }
    c->state = CONN_BODY;
    timer_restart(c, s->lim.body_timeout_ms);
    /* curl asks before sending a body over 1 KiB (RFC 9110 10.1.1) */
    if (p->method == HTTP_POST && c->expect_len == 12 &&
        strncasecmp(c->expect, "100-continue", 12) == 0) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        conn_write(c, W_CONTINUE, cont, sizeof cont - 1, NULL, NULL, 0);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    size_t max = c->s->lim.max_body;

    /* Counted as it arrives: chunked bodies declare no length. */
    if (len > max - c->body_len) {
        c->reject = 413;
        return -1;
    }
    if (p->method == HTTP_POST) {
        if (c->body_len + len > c->body_cap) {
            size_t ncap = c->body_cap ? c->body_cap : 4096;
            while (ncap < c->body_len + len) ncap *= 2;
            if (ncap > max) ncap = max;
            char *nb = realloc(c->body, ncap);
            if (nb == NULL) {
                c->reject = 500;
                return -1;
            }
            c->body = nb;
            c->body_cap = ncap;
        }
        memcpy(c->body + c->body_len, at, len);
    }
    c->body_len += len;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    struct conn *c = p->data;

    c->msg_done = true;
    c->state = CONN_BUSY;
    uv_timer_stop(&c->timer);
    /* Reading goes on (no epoll_ctl pair per request): bytes that arrive before the answer
     * is written are a pipelined request, refused in on_read. */
    http_parser_pause(p, 1); /* execute returns here: later bytes are not this request's */
    return 0;
}

static void handle_request(struct conn *c);

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = stream->data;
    size_t nparsed;
    enum http_errno e;

    if (nread == UV_EOF && c->state == CONN_BUSY) {
        /* The client half-closed after its request: answer it, then close. */
        read_stop(c);
        c->keep_alive = false;
        return;
    }
    if (nread < 0) { /* EOF or a socket error: nothing to answer to */
        conn_close(c);
        return;
    }
    if (nread > 0 && c->state == CONN_BUSY) {
        /* A request while the last one is being answered: pipelining, refused (the answer
         * goes out, then the connection closes). */
        read_stop(c);
        c->keep_alive = false;
        return;
    }
    if (nread == 0 || c->state == CONN_DRAIN) return;
    if (c->state == CONN_IDLE) {
        c->state = CONN_HEADER;
        timer_restart(c, c->s->lim.header_timeout_ms);
    }
    nparsed = http_parser_execute(&c->parser, &parser_settings, buf->base, (size_t)nread);
    if (c->reject) {
        conn_reject(c, c->reject);
        return;
    }
    if (c->msg_done) {
        if (nparsed < (size_t)nread) c->keep_alive = false; /* pipelining: refused */
        handle_request(c);
        return;
    }
    e = HTTP_PARSER_ERRNO(&c->parser);
    if (e != HPE_OK) conn_reject(c, e == HPE_HEADER_OVERFLOW ? 431 : 400);
}

/* ------------------------------------------------------------------- calls ---- */

static void count_call(struct tacit_rpc_server *s, size_t midx, int code, uint64_t ns)
{
    size_t b = 0;
    double secs = (double)ns / 1e9;

    if (code != 0) s->st.errors++;
    while (b < NBUCKETS && secs > BUCKETS[b]) b++;
    s->hist[b]++;
    s->hist_ns += ns;
    for (size_t i = 0; i < s->ncc; i++) {
        if (s->cc[i].midx == midx && s->cc[i].code == code) {
            s->cc[i].n++;
            return;
        }
    }
    if (s->ncc == s->capcc) {
        size_t ncap = s->capcc ? 2 * s->capcc : 16;
        struct call_count *n = realloc(s->cc, ncap * sizeof *n);
        if (n == NULL) return; /* one count lost rather than the answer */
        s->cc = n;
        s->capcc = ncap;
    }
    s->cc[s->ncc++] = (struct call_count){midx, code, 1};
}

static void req_unlink(struct rpc_req *q)
{
    struct tacit_rpc_server *s = q->s;
    if (s == NULL) return;
    if (q->prev)
        q->prev->next = q->next;
    else
        s->reqs = q->next;
    if (q->next) q->next->prev = q->prev;
    q->prev = q->next = NULL;
}

static void req_free(struct rpc_req *q)
{
    req_unlink(q);
    if (q->calls)
        for (size_t i = 0; i < q->parsed.n; i++) json_decref(q->calls[i].params);
    if (q->replies)
        for (size_t i = 0; i < q->parsed.n; i++) json_decref(q->replies[i]);
    free(q->calls);
    free(q->replies);
    tacit__rpc_request_clear(&q->parsed);
    free(q);
}

static void respond_json(struct conn *c, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;

    if (text == NULL) {
        static const char oom[] =
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":"
            "\"internal error: out of memory\"}}";
        conn_respond(c, 500, "application/json", oom, NULL, sizeof oom - 1, NULL);
        return;
    }
    conn_respond(c, 200, "application/json", NULL, text, strlen(text), NULL);
}

/* All calls replied: write the answer (if the connection is still there), free. */
static void req_done(struct rpc_req *q)
{
    struct conn *c = q->c;
    json_t *out = NULL;

    if (c != NULL) {
        c->req = NULL;
        if (q->oom) {
            respond_json(c, NULL);
        } else if (q->parsed.batch) {
            out = json_array();
            for (size_t i = 0; out != NULL && i < q->parsed.n; i++) {
                if (q->replies[i] == NULL) continue;
                if (json_array_append_new(out, q->replies[i]) != 0) {
                    json_decref(out);
                    out = NULL;
                }
                q->replies[i] = NULL;
            }
            if (out != NULL && json_array_size(out) == 0) /* only notifications */
                conn_respond(c, 204, NULL, NULL, NULL, 0, NULL);
            else
                respond_json(c, out);
        } else if (q->replies[0] != NULL) {
            respond_json(c, q->replies[0]);
        } else {
            conn_respond(c, 204, NULL, NULL, NULL, 0, NULL);
        }
    }
    json_decref(out);
    req_free(q);
}

static void req_release(struct rpc_req *q)
{
    if (--q->remaining == 0) req_done(q);
}

/* Every reply ends here. obj: the response object (stolen; NULL when out of memory). */
static void call_finish(struct tacit_rpc_call *call, json_t *obj, int code)
{
    struct rpc_req *q = call->req;
    struct tacit_rpc_server *s = q->s;

    if (call->replied) { /* a second reply: the method's bug, not the client's */
        json_decref(obj);
        return;
    }
    call->replied = true;
    if (s != NULL) {
        if (call->pending) s->pending--;
        count_call(s, call->midx, code, uv_hrtime() - call->t0);
    }
    if (call->notify)
        json_decref(obj);
    else if (obj == NULL)
        q->oom = true;
    else
        q->replies[call->index] = obj;
    req_release(q);
}

void tacit_rpc_reply(struct tacit_rpc_call *call, json_t *result)
{
    json_t *id = call->req->parsed.items[call->index].id;
    json_t *obj;

    if (result == NULL) {
        tacit_rpc_reply_error(call, TACIT_RPC_INTERNAL_ERROR, "internal error: no result", NULL);
        return;
    }
    obj = call->notify ? (json_decref(result), NULL) : tacit__rpc_result_new(id, result);
    call_finish(call, obj, 0);
}

void tacit_rpc_reply_error(struct tacit_rpc_call *call, int code, const char *message,
                           json_t *data)
{
    json_t *id = call->req->parsed.items[call->index].id;
    json_t *obj;

    if (code == 0) code = TACIT_RPC_INTERNAL_ERROR; /* 0 means success in the metrics */
    obj = call->notify ? (json_decref(data), NULL)
                       : tacit__rpc_error_new(id, code, message, data);
    call_finish(call, obj, code);
}

void tacit_rpc_reply_tacit_error(struct tacit_rpc_call *call, int err)
{
    json_t *data = json_pack("{s:s}", "error", tacit_errname(err));
    tacit_rpc_reply_error(call, TACIT_RPC_APP_BASE + err, tacit_strerror(err), data);
}

const char *tacit_rpc_call_method(const struct tacit_rpc_call *call)
{
    return call->name;
}

bool tacit_rpc_call_is_local(const struct tacit_rpc_call *call)
{
    return call->req->local;
}

static void dispatch_one(struct rpc_req *q, size_t i)
{
    struct tacit_rpc_call *call = &q->calls[i];
    const struct tacit__rpc_item *it = &q->parsed.items[i];
    struct tacit_rpc_server *s = q->s;
    const struct tacit_rpc_method *m = NULL;
    json_t *params;

    call->req = q;
    call->index = i;
    call->name = METHOD_UNKNOWN;
    call->t0 = uv_hrtime();
    call->notify = it->code == 0 && it->id == NULL;
    if (s == NULL) { /* stopped by an earlier call of this batch: nothing will be sent */
        tacit_rpc_reply_error(call, TACIT_RPC_INTERNAL_ERROR, "server stopped", NULL);
        return;
    }
    call->midx = s->nmethods;
    s->st.calls++;
    if (it->code != 0) {
        tacit_rpc_reply_error(call, it->code, it->message, NULL);
        return;
    }
    for (size_t k = 0; k < s->nmethods; k++) {
        if (strcmp(s->methods[k].name, it->method) == 0) {
            m = &s->methods[k];
            call->midx = k;
            call->name = m->name;
            break;
        }
    }
    if (m == NULL) {
        tacit_rpc_reply_error(call, TACIT_RPC_METHOD_NOT_FOUND, "method not found", NULL);
        return;
    }
    if ((m->flags & TACIT_RPC_ADMIN) && !q->authed && !q->local) {
        tacit_rpc_reply_error(call, TACIT_RPC_UNAUTHORIZED,
                              "unauthorized: this method needs credentials", NULL);
        return;
    }
    if (s->pending >= s->lim.max_pending) {
        s->st.busy++;
        tacit_rpc_reply_error(call, TACIT_RPC_BUSY, "busy: too many calls in flight, retry later",
                              NULL);
        return;
    }
    if ((params = it->params) == NULL) {
        if ((call->params = json_array()) == NULL) {
            tacit_rpc_reply_error(call, TACIT_RPC_INTERNAL_ERROR, "internal error: out of memory",
                                  NULL);
            return;
        }
        params = call->params;
    }
    call->pending = true;
    s->pending++;
    m->fn(call, params, s->ud);
}

static void rpc_dispatch(struct conn *c)
{
    struct tacit_rpc_server *s = c->s;
    struct rpc_req *q;
    size_t n;

    if ((q = calloc(1, sizeof *q)) == NULL) goto out_oom;
    if (tacit__rpc_request_parse(&q->parsed, c->body ? c->body : "", c->body_len,
                                 s->lim.max_batch, s->lim.max_depth) != TACIT_OK)
        goto out_free;
    /* the parsed tree holds its own copies: do not keep up to max_body per idle connection */
    free(c->body);
    c->body = NULL;
    c->body_cap = 0;
    if (q->parsed.code != 0) { /* one error for the whole body, id null */
        json_t *e = tacit__rpc_error_new(NULL, q->parsed.code, q->parsed.message, NULL);
        s->st.calls++;
        count_call(s, s->nmethods, q->parsed.code, 0);
        respond_json(c, e);
        json_decref(e);
        req_free(q);
        return;
    }
    n = q->parsed.n;
    if ((q->calls = calloc(n, sizeof *q->calls)) == NULL ||
        (q->replies = calloc(n, sizeof *q->replies)) == NULL)
        goto out_free;
    q->s = s;
    q->c = c;
    q->local = c->local;
    q->authed = c->authed;
    q->remaining = n + 1; /* + 1: a call replying at once must not finish the request early */
    q->next = s->reqs;
    if (s->reqs) s->reqs->prev = q;
    s->reqs = q;
    c->req = q;
    for (size_t i = 0; i < n; i++) dispatch_one(q, i);
    req_release(q);
    return;

out_free:
    req_free(q);
out_oom:
    respond_json(c, NULL);
}

/* ---------------------------------------------------------------- endpoints ---- */

static void write_label(struct sbuf *b, const char *v)
{
    /* Prometheus text format 0.0.4: backslash, quote and newline are escaped in labels */
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            sbuf_printf(b, "\\%c", *v);
        else if (*v == '\n')
            sbuf_printf(b, "\\n");
        else
            sbuf_append(b, v, 1);
    }
}

static void respond_metrics(struct conn *c)
{
    struct tacit_rpc_server *s = c->s;
    struct sbuf b = {0};
    uint64_t cum = 0;
    const struct {
        const char *name, *type, *help;
        uint64_t v;
    } simple[] = {
        {"tacit_rpc_connections_open", "gauge", "Open RPC connections.", s->st.connections_open},
        {"tacit_rpc_connections_total", "counter", "RPC connections accepted.",
         s->st.connections_total},
        {"tacit_rpc_requests_total", "counter", "HTTP requests read.", s->st.requests},
        {"tacit_rpc_http_rejected_total", "counter",
         "HTTP requests refused (4xx and 503) before any call ran.", s->st.rejected_http},
        {"tacit_rpc_busy_total", "counter", "Calls refused with -32005 (busy).", s->st.busy},
        {"tacit_rpc_calls_pending", "gauge", "Calls not yet replied to.", s->pending},
    };

    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        sbuf_printf(&b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", simple[i].name, simple[i].help,
                    simple[i].name, simple[i].type, simple[i].name,
                    (unsigned long long)simple[i].v);
    sbuf_printf(&b, "# HELP tacit_rpc_calls_total JSON-RPC calls by method and result code "
                    "(0: success).\n# TYPE tacit_rpc_calls_total counter\n");
    for (size_t i = 0; i < s->ncc; i++) {
        const char *name = s->cc[i].midx < s->nmethods ? s->methods[s->cc[i].midx].name
                                                       : METHOD_UNKNOWN;
        sbuf_printf(&b, "tacit_rpc_calls_total{method=\"");
        write_label(&b, name);
        sbuf_printf(&b, "\",code=\"%d\"} %llu\n", s->cc[i].code, (unsigned long long)s->cc[i].n);
    }
    sbuf_printf(&b, "# HELP tacit_rpc_call_seconds Time from dispatch to reply.\n"
                    "# TYPE tacit_rpc_call_seconds histogram\n");
    for (size_t i = 0; i < NBUCKETS; i++) {
        cum += s->hist[i];
        sbuf_printf(&b, "tacit_rpc_call_seconds_bucket{le=\"%g\"} %llu\n", BUCKETS[i],
                    (unsigned long long)cum);
    }
    cum += s->hist[NBUCKETS];
    sbuf_printf(&b, "tacit_rpc_call_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    sbuf_printf(&b, "tacit_rpc_call_seconds_sum %.9f\n", (double)s->hist_ns / 1e9);
    sbuf_printf(&b, "tacit_rpc_call_seconds_count %llu\n", (unsigned long long)cum);
    if (s->metrics != NULL) {
        char *text = NULL;
        size_t len = 0;
        s->metrics(s->ud, &text, &len);
        if (text != NULL) sbuf_append(&b, text, len);
        free(text);
    }
    if (b.oom) {
        free(b.p);
        respond_text(c, 500, "out of memory\n", NULL);
        return;
    }
    conn_respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, b.p, b.len, NULL);
}

static void respond_health(struct conn *c)
{
    struct tacit_rpc_server *s = c->s;
    char *json = NULL;
    bool ok = true;
    const char *body;

    if (s->health != NULL) ok = s->health(s->ud, &json);
    body = json ? json : ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}";
    conn_respond(c, ok ? 200 : 503, "application/json", body, NULL, strlen(body), NULL);
    free(json);
}

static void handle_request(struct conn *c)
{
    struct tacit_rpc_server *s = c->s;
    size_t plen = c->url_len;
    const char *q = memchr(c->url, '?', c->url_len);
    int method = c->parser.method;

    s->st.requests++;
    if (q != NULL) plen = (size_t)(q - c->url);
    /* every answer here has a body, which a HEAD client would not read: close after it */
    if (method == HTTP_HEAD) c->keep_alive = false;
#define PATH_IS(lit) (!c->url_long && plen == sizeof lit - 1 && memcmp(c->url, lit, plen) == 0)
    if (PATH_IS("/")) {
        if (method == HTTP_POST) {
            rpc_dispatch(c);
            return;
        }
        s->st.rejected_http++;
        respond_text(c, 405, "use POST for JSON-RPC\n", "Allow: POST\r\n");
    } else if (PATH_IS("/health") || PATH_IS("/metrics")) {
        if (method != HTTP_GET) {
            s->st.rejected_http++;
            respond_text(c, 405, "use GET\n", "Allow: GET\r\n");
        } else if (PATH_IS("/health")) {
            respond_health(c);
        } else {
            respond_metrics(c);
        }
    } else {
        s->st.rejected_http++;
        respond_text(c, 404, "not found\n", NULL);
    }
#undef PATH_IS
}

/* -------------------------------------------------------------- start / stop ---- */

static void finish_stop(struct tacit_rpc_server *s)
{
    void (*done)(void *) = s->done;
    void *arg = s->done_arg;

    tacit__rpc_auth_clear(&s->auth);
    free(s->cc);
    free(s->socket_path);
    free(s);
    if (done != NULL) done(arg);
}

static void handle_closed(struct tacit_rpc_server *s)
{
    if (--s->handles == 0 && s->stopping) finish_stop(s);
}

static void on_listener_closed(uv_handle_t *h)
{
    handle_closed(h->data);
}

void tacit_rpc_server_stop(struct tacit_rpc_server *s, void (*done)(void *), void *arg)
{
    if (s == NULL || s->stopping) return;
    s->stopping = true;
    s->done = done;
    s->done_arg = arg;
    if (s->has_tcp) uv_close((uv_handle_t *)&s->tcp, on_listener_closed);
    if (s->has_pipe) uv_close((uv_handle_t *)&s->pipe, on_listener_closed);
    if (s->socket_path != NULL) unlink(s->socket_path);
    while (s->conns != NULL) conn_close(s->conns);
    /* Requests still waiting for calls: they finish on their own and send nothing. */
    while (s->reqs != NULL) {
        struct rpc_req *q = s->reqs;
        req_unlink(q);
        q->s = NULL;
    }
    if (s->handles == 0) finish_stop(s);
}

static int listen_tcp(struct tacit_rpc_server *s, const char *host, uint16_t port)
{
    struct sockaddr_storage ss;
    struct sockaddr_storage bound;
    int len = sizeof bound, rc;

    if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
    memset(&ss, 0, sizeof ss);
    /* a literal address only: resolving names would block the loop */
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0)
        return TACIT_EINVAL;
    if ((rc = uv_tcp_init(s->loop, &s->tcp)) != 0) return map_uv_error(rc);
    s->tcp.data = s;
    s->has_tcp = true;
    s->handles++;
    if ((rc = uv_tcp_bind(&s->tcp, (const struct sockaddr *)&ss, 0)) != 0) return map_uv_error(rc);
    /* libuv reports EADDRINUSE at listen, not at bind */
    if ((rc = uv_listen((uv_stream_t *)&s->tcp, BACKLOG, on_connection)) != 0)
        return map_uv_error(rc);
    if ((rc = uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&bound, &len)) != 0)
        return map_uv_error(rc);
    s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                : ((struct sockaddr_in *)&bound)->sin_port);
    return TACIT_OK;
}

/* A socket file left by a process that died is removed; one something listens on is not,
 * nor anything that is not a socket. */
static int remove_stale_socket(const char *path)
{
    struct sockaddr_un sun;
    struct stat st;
    int fd, rc;

    if (lstat(path, &st) != 0) return errno == ENOENT ? TACIT_OK : TACIT_EIO;
    if (!S_ISSOCK(st.st_mode)) return TACIT_EEXISTS;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) return TACIT_EIO;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));
    rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
    if (rc != 0) rc = errno;
    close(fd);
    if (rc == 0 || rc == EAGAIN) return TACIT_EEXISTS; /* it answered, or its backlog is full */
    if (rc != ECONNREFUSED) return TACIT_EIO;
    return unlink(path) == 0 || errno == ENOENT ? TACIT_OK : TACIT_EIO;
}

static int listen_pipe(struct tacit_rpc_server *s, const char *path)
{
    struct sockaddr_un sun;
    int rc;

    if (path[0] == '\0' || strlen(path) >= sizeof sun.sun_path) return TACIT_EINVAL;
    if ((rc = remove_stale_socket(path)) != TACIT_OK) return rc;
    if ((rc = uv_pipe_init(s->loop, &s->pipe, 0)) != 0) return map_uv_error(rc);
    s->pipe.data = s;
    s->has_pipe = true;
    s->handles++;
    if ((rc = uv_pipe_bind(&s->pipe, path)) != 0) return map_uv_error(rc);
    if ((s->socket_path = strdup(path)) == NULL) return TACIT_ENOMEM;
    /* Before listen: until then a connect is refused, so no one slips in under the umask's
     * mode. The mode is the access control of the Unix socket (admin without credentials). */
    if (chmod(path, 0600) != 0) return TACIT_EIO;
    if ((rc = uv_listen((uv_stream_t *)&s->pipe, BACKLOG, on_connection)) != 0)
        return map_uv_error(rc);
    return TACIT_OK;
}

static void limits_fill(struct tacit_rpc_limits *l, const struct tacit_rpc_limits *in)
{
    struct tacit_rpc_limits d;

    tacit_rpc_limits_default(&d);
    *l = *in;
#define FILL(f) if (l->f == 0) l->f = d.f
    FILL(max_body);
    FILL(max_header);
    FILL(max_batch);
    FILL(max_depth);
    FILL(max_conns);
    FILL(header_timeout_ms);
    FILL(body_timeout_ms);
    FILL(idle_timeout_ms);
    FILL(max_pending);
#undef FILL
}

int tacit_rpc_server_start(struct tacit_rpc_server **out, uv_loop_t *loop,
                           const struct tacit_rpc_config *cfg)
{
    struct tacit_rpc_server *s;
    int rc;

    *out = NULL;
    if (loop == NULL || cfg == NULL || cfg->methods == NULL ||
        (cfg->bind_host == NULL && cfg->socket_path == NULL))
        return TACIT_EINVAL;
    if ((s = calloc(1, sizeof *s)) == NULL) return TACIT_ENOMEM;
    s->loop = loop;
    limits_fill(&s->lim, &cfg->limits);
    s->methods = cfg->methods;
    while (s->methods[s->nmethods].name != NULL) s->nmethods++;
    s->ud = cfg->ud;
    s->metrics = cfg->metrics;
    s->health = cfg->health;
    if ((rc = tacit__rpc_auth_init(&s->auth, &cfg->auth)) != TACIT_OK) {
        free(s);
        return rc;
    }
    if (cfg->bind_host != NULL && (rc = listen_tcp(s, cfg->bind_host, cfg->bind_port)) != TACIT_OK)
        goto out_stop;
    if (cfg->socket_path != NULL && (rc = listen_pipe(s, cfg->socket_path)) != TACIT_OK)
        goto out_stop;
    *out = s;
    return TACIT_OK;

out_stop:
    /* Handles already open close on the loop; the memory goes with their callbacks. A socket
     * file is removed only if we made it. */
    tacit_rpc_server_stop(s, NULL, NULL);
    return rc;
}

uint16_t tacit_rpc_server_port(const struct tacit_rpc_server *s)
{
    return s->port;
}

void tacit_rpc_server_stats(const struct tacit_rpc_server *s, struct tacit_rpc_stats *out)
{
    *out = s->st;
}
