/*
 * tacit — the JSON-RPC server: HTTP/1.1 on libuv streams (TCP and a Unix socket), framed by
 * http-parser, requests checked by request.c, calls dispatched to the method table.
 *
 * A connection is a small state machine (enum conn_state) with one timer whose meaning
 * follows the state: the header deadline, the body deadline, the write deadline, the
 * keep-alive idle timeout, or the linger after an error answer. One request at a time per
 * connection: bytes that arrive while a request is being answered are a pipelined request,
 * refused (the first request is answered and the connection closed; reading stops then). A
 * body is kept only for POST / (the JSON-RPC parser's input) and freed once parsed: an idle
 * connection holds no request buffer.
 *
 * A request (struct rpc_req) owns its calls. It lives until every call has replied, even if
 * its connection or the whole server is gone meanwhile: the answer is then dropped. Each reply
 * is serialised when it arrives and checked against max_response and, in a batch, against
 * what is left of max_batch_response (then replaced by -32007), so a request never holds more
 * than its bound; the answer is written from those texts without joining them (uv_write with
 * one buffer per piece). Long-polls (tacit_rpc_call_park) are counted per connection and in
 * total, and cancelled when their connection closes. libuv handle memory is released only in
 * close callbacks (libuv's rule); the server itself once every handle it opened has closed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
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
#define ORIGIN_MAX 256 /* a longer Origin header matches no allowed origin */
#define AUTH_MAX 1024  /* an Authorization value longer than this never authenticates */
#define LINGER_MS 2000 /* after an error answer: how long input is read and dropped */
#define BACKLOG 128
#define METHOD_UNKNOWN "unknown"

/* Upper bounds of the latency histogram, seconds (coarse on purpose: DESIGN.md 4). */
static const double BUCKETS[] = {0.001, 0.01, 0.1, 1.0, 10.0};
#define NBUCKETS (sizeof BUCKETS / sizeof BUCKETS[0])

enum conn_state {
    CONN_HEADER,  /* reading the request line and headers: header deadline */
    CONN_BODY,    /* reading the body: body deadline */
    CONN_BUSY,    /* request complete, calls running, answer not yet queued: no timer */
    CONN_WRITING, /* answer queued: write deadline, then closed */
    CONN_IDLE,    /* keep-alive between requests: idle timeout, then closed silently */
    CONN_DRAIN    /* answered with an error or "close": input dropped until EOF or linger */
};

enum header_kind { HDR_OTHER, HDR_AUTH, HDR_EXPECT, HDR_ORIGIN };

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
    int handles;       /* handles not yet closed (stream, timer) */
    int reject;        /* HTTP status a parser callback asked for, 0 if none */
    bool local;        /* came over the Unix socket */
    bool metrics_only; /* came over the metrics listener: GET /metrics and /health only */
    uint64_t id;       /* this server's connection number (tacit_rpc_call_conn) */
    bool counted;      /* counts toward max_conns / max_conns_local (not a 503 connection) */
    bool closing, reading, msg_done, keep_alive, authed, in_value, auth_bad;
    bool want_body;  /* POST /: the body is kept for the parser; others are only counted */
    unsigned parked; /* long-polls of its request */
    size_t hdr_bytes;
    char url[URL_MAX];
    size_t url_len;
    bool url_long;
    char hname[HNAME_MAX];
    size_t hname_len;
    enum header_kind cur;
    char expect[EXPECT_MAX];
    size_t expect_len;
    char origin[ORIGIN_MAX]; /* the Origin header (CORS); origin_len > ORIGIN_MAX: too long */
    size_t origin_len;
    bool cors;  /* the request's Origin is the allowed one: answers carry CORS headers */
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
    bool parked;      /* a long-poll: counted in longpolls instead */
    bool replied;
    void (*cancel)(void *); /* parked: runs if the client leaves first */
    void *cancel_arg;
};

/* One call's answer as text: text alone is the response object; with head, the object is
 * head + text + "}" (a result serialised by the method, tacit_rpc_reply_text). */
struct reply {
    char *head, *text; /* malloc'd; text NULL: no answer (notification, dropped) */
    size_t hlen, tlen;
};

struct rpc_req {
    struct tacit_rpc_server *s; /* NULL once the server stopped */
    struct conn *c;             /* NULL once the connection closed */
    struct rpc_req *prev, *next;
    struct tacit__rpc_request parsed;
    struct tacit_rpc_call *calls;
    struct reply *replies; /* per call */
    size_t bytes;          /* of the answers held (max_batch_response) */
    size_t remaining;      /* calls not yet replied (+1 while dispatching) */
    bool local, authed, oom;
    uint64_t conn_id; /* c->id: kept when the connection closes first */
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
    uv_tcp_t mtcp; /* the metrics listener */
    uv_pipe_t pipe;
    bool has_tcp, has_pipe, has_mtcp;
    bool metrics_on_rpc; /* the RPC port serves /metrics too (the operator opted in) */
    char *cors_origin;   /* NULL: CORS off; an origin or "*" (tacit_rpc_config.cors_origin) */
    uint16_t mport;
    uint64_t next_conn_id;
    char *socket_path; /* set once we created the socket file: removed at stop */
    uint16_t port;
    struct conn *conns;
    unsigned nactive; /* TCP connections counted toward max_conns */
    unsigned nlocal;  /* Unix-socket connections counted toward max_conns_local */
    struct rpc_req *reqs;
    unsigned pending;
    unsigned longpolls;
    size_t wbytes;     /* queued answer bytes */
    size_t body_bytes; /* request body buffers */
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
    l->pending_reserve = 256;
    l->max_longpolls = 1024;
    l->max_longpolls_per_conn = 16;
    l->max_conns_local = 64;
    l->max_response = (size_t)16 << 20;
    l->max_batch_response = (size_t)32 << 20;
    l->write_timeout_ms = 30000;
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
static void req_cancel_parked(struct rpc_req *q);

static void on_conn_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    struct tacit_rpc_server *s = c->s;

    if (--c->handles == 0) free(c);
    handle_closed(s);
}

/* The request body buffer goes as soon as the parser is done with it (or the request is
 * refused): an idle connection holds none. */
static void conn_drop_body(struct conn *c)
{
    c->s->body_bytes -= c->body_cap;
    free(c->body);
    c->body = NULL;
    c->body_cap = 0;
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
    if (c->counted) {
        if (c->local)
            s->nlocal--;
        else
            s->nactive--;
    }
    s->st.connections_open--;
    conn_drop_body(c);
    if (c->req != NULL) {
        struct rpc_req *q = c->req;
        q->c = NULL; /* its calls may still reply: the answer is dropped */
        c->req = NULL;
        req_cancel_parked(q); /* long-polls end with their client */
    }
    if (c->auth != NULL) {
        sodium_free(c->auth);
        c->auth = NULL;
    }
    /* Queued writes are cancelled by libuv (on_write with UV_ECANCELED frees them) before the
     * close callbacks run. */
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

size_t tacit__rpc_buf_pieces(size_t len)
{
    return len / TACIT__RPC_BUF_MAX + (len % TACIT__RPC_BUF_MAX != 0);
}

size_t tacit__rpc_buf_split(uv_buf_t *out, const char *p, size_t len)
{
    size_t k = 0;
    while (len > 0) {
        size_t n = len < TACIT__RPC_BUF_MAX ? len : TACIT__RPC_BUF_MAX;
        out[k++] = uv_buf_init((char *)p, (unsigned)n); /* n fits: TACIT__RPC_BUF_MAX < 2^32 */
        p += n;
        len -= n;
    }
    return k;
}

enum write_kind { W_CONTINUE, W_RESPONSE };

/* A piece of an answer: memory owned by the write request (or static). */
struct seg {
    const char *p;
    size_t len;
};

struct wreq {
    uv_write_t w;
    enum write_kind kind;
    size_t bytes; /* counted in the server's wbytes until the write ends */
    size_t nowned;
    char *owned[]; /* malloc'd pieces, freed with the request; then the head's bytes */
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

    c->s->wbytes -= wr->bytes;
    for (size_t i = 0; i < wr->nowned; i++) free(wr->owned[i]);
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

/*
 * Queues head (copied) and then segs. owned: the nowned malloc'd blocks segs point into,
 * taken (freed when the write ends, also on failure; the array itself is the caller's). A
 * response starts the write deadline (unless the connection is draining, where the linger
 * bounds it). Pieces over TACIT__RPC_BUF_MAX are split: uv_buf_t lengths are unsigned int.
 */
static void conn_write(struct conn *c, enum write_kind kind, const char *head, size_t hlen,
                       const struct seg *segs, size_t nseg, char *const *owned, size_t nowned)
{
    struct tacit_rpc_server *s = c->s;
    struct wreq *wr = NULL;
    uv_buf_t small[8], *bufs = small;
    size_t nbufs = tacit__rpc_buf_pieces(hlen), total = hlen, k;
    char *hcopy;

    if (c->closing) goto out_free_owned;
    for (size_t i = 0; i < nseg; i++) {
        nbufs += tacit__rpc_buf_pieces(segs[i].len);
        total += segs[i].len;
    }
    if (nbufs > sizeof small / sizeof small[0] && (bufs = calloc(nbufs, sizeof *bufs)) == NULL)
        goto out_close;
    if ((wr = malloc(sizeof *wr + nowned * sizeof(char *) + hlen)) == NULL) goto out_close;
    wr->kind = kind;
    wr->bytes = total;
    wr->nowned = nowned;
    if (nowned) memcpy(wr->owned, owned, nowned * sizeof(char *));
    hcopy = (char *)(wr->owned + nowned);
    memcpy(hcopy, head, hlen);
    k = tacit__rpc_buf_split(bufs, hcopy, hlen);
    for (size_t i = 0; i < nseg; i++) k += tacit__rpc_buf_split(bufs + k, segs[i].p, segs[i].len);
    /* libuv copies the buffer array: ours can go at once */
    if (uv_write(&wr->w, &c->h.stream, bufs, (unsigned)k, on_write) != 0) goto out_close;
    if (bufs != small) free(bufs);
    s->wbytes += total;
    if (kind == W_RESPONSE && c->state != CONN_DRAIN) {
        c->state = CONN_WRITING;
        timer_restart(c, s->lim.write_timeout_ms);
    }
    return;

out_close:
    if (bufs != small) free(bufs);
    free(wr);
    conn_close(c);
out_free_owned:
    for (size_t i = 0; i < nowned; i++) free(owned[i]);
}

/* The status line and headers of an answer of blen bytes; 0 when they do not fit. extra: more
 * header lines ("Name: value\r\n") or NULL. */
static size_t response_head(char *head, size_t cap, const struct conn *c, int status,
                            const char *ctype, size_t blen, const char *extra)
{
    char cors[ORIGIN_MAX + 64] = "";
    int n;

    /* the allowed origin, echoed ("*" as such): Vary, since the answer depends on it */
    if (c->cors)
        snprintf(cors, sizeof cors, "Access-Control-Allow-Origin: %.*s\r\nVary: Origin\r\n",
                 strcmp(c->s->cors_origin, "*") == 0 ? 1 : (int)c->origin_len,
                 strcmp(c->s->cors_origin, "*") == 0 ? "*" : c->origin);
    if (status == 204) /* RFC 9110 15.3.5: no Content-Length, no body */
        n = snprintf(head, cap, "HTTP/1.1 204 No Content\r\n%s%sConnection: %s\r\n\r\n",
                     extra ? extra : "", cors, c->keep_alive ? "keep-alive" : "close");
    else
        n = snprintf(head, cap,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s"
                     "Connection: %s\r\n\r\n",
                     status, status_text(status), ctype, blen, extra ? extra : "", cors,
                     c->keep_alive ? "keep-alive" : "close");
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* Writes an answer: body copied, or owned taken (malloc'd, body ignored). */
static void conn_respond(struct conn *c, int status, const char *ctype, const char *body,
                         char *owned, size_t blen, const char *extra)
{
    char head[512];
    size_t hlen;
    struct seg seg;

    if (status == 204) blen = 0;
    if (owned == NULL && blen > 0) {
        if ((owned = malloc(blen)) == NULL) {
            conn_close(c);
            return;
        }
        memcpy(owned, body, blen);
    }
    if ((hlen = response_head(head, sizeof head, c, status, ctype, blen, extra)) == 0) {
        free(owned);
        conn_close(c);
        return;
    }
    seg.p = owned;
    seg.len = blen;
    conn_write(c, W_RESPONSE, head, hlen, &seg, blen ? 1 : 0, &owned, owned ? 1 : 0);
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
    conn_drop_body(c);
    timer_restart(c, LINGER_MS);
    respond_text(c, status, text, NULL);
}

static void on_timer(uv_timer_t *t)
{
    struct conn *c = t->data;

    switch (c->state) {
    case CONN_HEADER:
    case CONN_BODY: conn_reject(c, 408); break;
    case CONN_WRITING: /* the client does not read its answer: the queued bytes go with it */
        c->s->st.write_timeouts++;
        conn_close(c);
        break;
    case CONN_IDLE:
    case CONN_DRAIN: conn_close(c); break;
    case CONN_BUSY: break;
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
    c->metrics_only = ls == (uv_stream_t *)&s->mtcp;
    c->id = ++s->next_conn_id;
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
    /* The Unix socket has its own count: TCP clients filling max_conns never lock the
     * operator out. */
    if (c->local ? s->nlocal >= s->lim.max_conns_local : s->nactive >= s->lim.max_conns) {
        conn_reject(c, 503);
        return;
    }
    c->counted = true;
    if (c->local)
        s->nlocal++;
    else
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
    c->origin_len = 0;
    c->cors = false;
    c->authed = false;
    c->auth_bad = false;
    c->auth_len = 0;
    c->msg_done = false;
    c->want_body = false;
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

/* The request's path (the URL without its query) is lit. */
static bool path_is(const struct conn *c, const char *lit)
{
    const char *q = memchr(c->url, '?', c->url_len);
    size_t plen = q != NULL ? (size_t)(q - c->url) : c->url_len;
    return !c->url_long && plen == strlen(lit) && memcmp(c->url, lit, plen) == 0;
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
        } else if (hname_is(c, "origin")) {
            c->cur = HDR_ORIGIN;
            c->origin_len = c->origin_len > 0 ? ORIGIN_MAX + 1 : 0; /* two: neither counts */
        }
    }
    if (c->cur == HDR_AUTH && c->auth != NULL) {
        if (c->auth_len + len > AUTH_MAX) {
            c->auth_bad = true;
        } else {
            memcpy(c->auth + c->auth_len, at, len);
            c->auth_len += len;
        }
    } else if (c->cur == HDR_ORIGIN) {
        if (c->origin_len + len > ORIGIN_MAX) {
            c->origin_len = ORIGIN_MAX + 1;
        } else {
            memcpy(c->origin + c->origin_len, at, len);
            c->origin_len += len;
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
    c->want_body = p->method == HTTP_POST && path_is(c, "/");
    /* CORS: the Origin is the allowed one (or any, with "*"); compared as bytes (RFC 6454 7.1
     * serialises an origin one way: scheme://host[:port], lower case) */
    c->cors = s->cors_origin != NULL && c->origin_len > 0 && c->origin_len <= ORIGIN_MAX &&
              (strcmp(s->cors_origin, "*") == 0 ||
               (strlen(s->cors_origin) == c->origin_len &&
                memcmp(s->cors_origin, c->origin, c->origin_len) == 0));
    c->state = CONN_BODY;
    timer_restart(c, s->lim.body_timeout_ms);
    /* curl asks before sending a body over 1 KiB (RFC 9110 10.1.1) */
    if (p->method == HTTP_POST && c->expect_len == 12 &&
        strncasecmp(c->expect, "100-continue", 12) == 0) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        conn_write(c, W_CONTINUE, cont, sizeof cont - 1, NULL, 0, NULL, 0);
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
    if (c->want_body) { /* any other body is counted against max_body and dropped */
        if (c->body_len + len > c->body_cap) {
            size_t ncap = c->body_cap ? c->body_cap : 4096;
            while (ncap < c->body_len + len) ncap *= 2;
            if (ncap > max) ncap = max;
            char *nb = realloc(c->body, ncap);
            if (nb == NULL) {
                c->reject = 500;
                return -1;
            }
            c->s->body_bytes += ncap - c->body_cap;
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

    bool answering = c->state == CONN_BUSY || c->state == CONN_WRITING;

    if (nread == UV_EOF && answering && c->parked == 0) {
        /* The client half-closed after its request: answer it, then close. (With a long-poll
         * parked, EOF means the client has gone: a long-poll can last a minute, and a client
         * that half-closes and still waits for one is not worth holding its slot.) */
        read_stop(c);
        c->keep_alive = false;
        return;
    }
    if (nread < 0) { /* EOF or a socket error: nothing to answer to */
        conn_close(c);
        return;
    }
    if (nread > 0 && answering) {
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
        for (size_t i = 0; i < q->parsed.n; i++) {
            free(q->replies[i].head);
            free(q->replies[i].text);
        }
    free(q->calls);
    free(q->replies);
    tacit__rpc_request_clear(&q->parsed);
    free(q);
}

static void respond_oom(struct conn *c)
{
    static const char oom[] =
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":"
        "\"internal error: out of memory\"}}";
    conn_respond(c, 500, "application/json", oom, NULL, sizeof oom - 1, NULL);
}

static void respond_json(struct conn *c, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;

    if (text == NULL) {
        respond_oom(c);
        return;
    }
    conn_respond(c, 200, "application/json", NULL, text, strlen(text), NULL);
}

/* The answer from the replies' texts (taken from q): one object, or "[a,b,...]" for a batch,
 * written piece by piece; 204 when nothing is to be answered. */
static void respond_replies(struct conn *c, struct rpc_req *q)
{
    static const char open_[] = "[", comma[] = ",", close_[] = "]", brace[] = "}";
    size_t n = q->parsed.n, nseg = 0, nowned = 0, blen = 0, k = 0, hlen;
    struct seg *segs = NULL;
    char **owned = NULL, head[256];

    for (size_t i = 0; i < n; i++) k += q->replies[i].text != NULL;
    if (k == 0) {
        conn_respond(c, 204, NULL, NULL, NULL, 0, NULL);
        return;
    }
    /* per reply: a separator or bracket, head, text, brace; one closing bracket */
    if ((segs = calloc(4 * k + 1, sizeof *segs)) == NULL ||
        (owned = calloc(2 * k, sizeof *owned)) == NULL) {
        free(segs);
        respond_oom(c);
        return;
    }
    k = 0;
    for (size_t i = 0; i < n; i++) {
        struct reply *r = &q->replies[i];
        if (r->text == NULL) continue;
        if (q->parsed.batch) segs[nseg++] = (struct seg){k++ == 0 ? open_ : comma, 1};
        if (r->head != NULL) {
            segs[nseg++] = (struct seg){r->head, r->hlen};
            owned[nowned++] = r->head;
        }
        segs[nseg++] = (struct seg){r->text, r->tlen};
        owned[nowned++] = r->text;
        if (r->head != NULL) segs[nseg++] = (struct seg){brace, 1};
        r->head = r->text = NULL;
    }
    if (q->parsed.batch) segs[nseg++] = (struct seg){close_, 1};
    for (size_t i = 0; i < nseg; i++) blen += segs[i].len;
    if ((hlen = response_head(head, sizeof head, c, 200, "application/json", blen, NULL)) == 0) {
        for (size_t i = 0; i < nowned; i++) free(owned[i]);
        conn_close(c);
    } else {
        conn_write(c, W_RESPONSE, head, hlen, segs, nseg, owned, nowned);
    }
    free(segs);
    free(owned);
}

/* All calls replied: write the answer (if the connection is still there), free. */
static void req_done(struct rpc_req *q)
{
    struct conn *c = q->c;

    if (c != NULL) {
        c->req = NULL;
        if (q->oom)
            respond_oom(c);
        else
            respond_replies(c, q);
    }
    req_free(q);
}

static void req_release(struct rpc_req *q)
{
    if (--q->remaining == 0) req_done(q);
}

/* Whether an answer to the call can still reach its client. */
static bool call_delivers(const struct tacit_rpc_call *call)
{
    const struct rpc_req *q = call->req;
    return !call->notify && q->s != NULL && q->c != NULL && !q->oom;
}

/* The reply has come: false when it had already (a method's bug: the new one is ignored).
 * The call leaves the counts it was in. */
static bool call_settle(struct tacit_rpc_call *call)
{
    struct rpc_req *q = call->req;
    struct tacit_rpc_server *s = q->s;

    if (call->replied) return false;
    call->replied = true;
    if (call->parked) {
        call->parked = false;
        if (s != NULL) s->longpolls--;
        if (q->c != NULL) q->c->parked--;
    } else if (call->pending && s != NULL) {
        s->pending--;
    }
    call->pending = false;
    return true;
}

/* The JSON text of the call's id ("null" when absent or unusable). malloc'd or NULL. */
static char *id_text(const struct rpc_req *q, size_t i)
{
    json_t *id = q->parsed.items[i].id;
    return id != NULL ? json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
}

/* Bytes around a result in its response object: {"jsonrpc":"2.0","id":ID,"result":...} */
#define ENVELOPE_HEAD "{\"jsonrpc\":\"2.0\",\"id\":"
#define ENVELOPE_RESULT ",\"result\":"
#define ENVELOPE_BYTES (sizeof ENVELOPE_HEAD - 1 + sizeof ENVELOPE_RESULT - 1 + 1)

/* The bound an answer of len bytes would break (NULL: none); *max its value. */
static const char *bound_broken(const struct rpc_req *q, size_t len, size_t *max)
{
    const struct tacit_rpc_limits *l = &q->s->lim;

    if (len > l->max_response) {
        *max = l->max_response;
        return "max_response";
    }
    /* + 1: the separator or bracket each answer of a batch adds */
    if (q->parsed.batch &&
        len + 1 > l->max_batch_response -
                      (q->bytes < l->max_batch_response ? q->bytes : l->max_batch_response)) {
        *max = l->max_batch_response;
        return "max_batch_response";
    }
    return NULL;
}

/* The -32007 answer of call i as text (malloc'd, NULL when out of memory). len: the size of the
 * refused answer, 0 when unknown. */
static char *too_large_text(const struct rpc_req *q, size_t i, const char *limit, size_t max,
                            size_t len)
{
    char msg[200], *text;
    json_t *obj;

    if (strcmp(limit, "max_response") == 0)
        snprintf(msg, sizeof msg,
                 "response too large: the answer%s exceeds max_response (%zu bytes)",
                 len ? " of this call" : "", max);
    else
        snprintf(msg, sizeof msg,
                 "response too large: this answer would take the batch's answer past "
                 "max_batch_response (%zu bytes); ask for less, or in another request",
                 max);
    obj = tacit__rpc_error_new(q->parsed.items[i].id, TACIT_RPC_TOO_LARGE, msg,
                               json_pack("{s:s,s:I}", "limit", limit, "max", (json_int_t)max));
    text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    return text;
}

/*
 * Every settled reply ends here with its answer as text (head, text: malloc'd, taken; text
 * NULL: none, or out of memory when oom). The answer is kept only if its client can get it;
 * a result only within the bounds (else it becomes -32007, and code with it, for the
 * metrics). Errors are short and always kept: a batch's answer is at most max_batch_response
 * plus its error answers.
 */
static void call_done(struct tacit_rpc_call *call, int code, char *head, size_t hlen, char *text,
                      size_t tlen, bool oom)
{
    struct rpc_req *q = call->req;
    struct tacit_rpc_server *s = q->s;

    if (call_delivers(call)) {
        if (text == NULL && oom) {
            q->oom = true;
        } else if (text != NULL) {
            size_t len = hlen + tlen + (head ? 1 : 0), max;
            const char *limit = code == 0 ? bound_broken(q, len, &max) : NULL;
            if (limit != NULL) {
                free(head);
                free(text);
                head = NULL;
                hlen = 0;
                code = TACIT_RPC_TOO_LARGE;
                s->st.too_large++;
                if ((text = too_large_text(q, call->index, limit, max, len)) == NULL) q->oom = true;
                tlen = text ? strlen(text) : 0;
                len = tlen;
            }
            if (text != NULL) {
                q->replies[call->index] = (struct reply){head, text, hlen, tlen};
                q->bytes += len + 1;
                head = text = NULL;
            }
        }
    }
    free(head);
    free(text);
    if (s != NULL) count_call(s, call->midx, code, uv_hrtime() - call->t0);
    req_release(q);
}

/* A response object (stolen; NULL: out of memory) to text, then call_done. */
static void call_done_json(struct tacit_rpc_call *call, json_t *obj, int code)
{
    char *text = NULL;

    if (obj != NULL && call_delivers(call)) text = json_dumps(obj, JSON_COMPACT);
    call_done(call, code, NULL, 0, text, text ? strlen(text) : 0, obj == NULL || text == NULL);
    json_decref(obj);
}

/* A method replied with no result: its bug, answered as an internal error. */
static void reply_no_result(struct tacit_rpc_call *call)
{
    json_t *id = call->req->parsed.items[call->index].id;
    call_done_json(call,
                   call_delivers(call) ? tacit__rpc_error_new(id, TACIT_RPC_INTERNAL_ERROR,
                                                              "internal error: no result", NULL)
                                       : NULL,
                   TACIT_RPC_INTERNAL_ERROR);
}

void tacit_rpc_reply(struct tacit_rpc_call *call, json_t *result)
{
    json_t *id = call->req->parsed.items[call->index].id;

    if (!call_settle(call)) { /* a second reply: the method's bug, not the client's */
        json_decref(result);
        return;
    }
    if (result == NULL) {
        reply_no_result(call);
        return;
    }
    call_done_json(
        call, call_delivers(call) ? tacit__rpc_result_new(id, result) : (json_decref(result), NULL),
        0);
}

void tacit_rpc_reply_error(struct tacit_rpc_call *call, int code, const char *message, json_t *data)
{
    json_t *id = call->req->parsed.items[call->index].id;

    if (!call_settle(call)) {
        json_decref(data);
        return;
    }
    if (code == 0) code = TACIT_RPC_INTERNAL_ERROR; /* 0 means success in the metrics */
    call_done_json(call,
                   call_delivers(call) ? tacit__rpc_error_new(id, code, message, data)
                                       : (json_decref(data), NULL),
                   code);
}

void tacit_rpc_reply_tacit_error(struct tacit_rpc_call *call, int err)
{
    json_t *data = json_pack("{s:s}", "error", tacit_errname(err));
    tacit_rpc_reply_error(call, TACIT_RPC_APP_BASE + err, tacit_strerror(err), data);
}

void tacit_rpc_reply_text(struct tacit_rpc_call *call, char *text, size_t len)
{
    char *id, *head = NULL;
    size_t hlen = 0;

    if (!call_settle(call)) {
        free(text);
        return;
    }
    if (text == NULL) {
        reply_no_result(call);
        return;
    }
    if (!call_delivers(call)) {
        free(text);
        call_done(call, 0, NULL, 0, NULL, 0, false);
        return;
    }
    if ((id = id_text(call->req, call->index)) != NULL) {
        size_t idlen = strlen(id);
        hlen = sizeof ENVELOPE_HEAD - 1 + idlen + sizeof ENVELOPE_RESULT - 1;
        if ((head = malloc(hlen + 1)) != NULL)
            snprintf(head, hlen + 1, "%s%s%s", ENVELOPE_HEAD, id, ENVELOPE_RESULT);
        free(id);
    }
    if (head == NULL) {
        free(text);
        text = NULL;
    }
    call_done(call, 0, head, hlen, text, len, text == NULL);
}

size_t tacit_rpc_call_room(const struct tacit_rpc_call *call)
{
    const struct rpc_req *q = call->req;
    const struct tacit_rpc_limits *l;
    size_t room, overhead;
    char *id;

    if (call->replied || !call_delivers(call)) return 0;
    l = &q->s->lim;
    room = l->max_response;
    if (q->parsed.batch) {
        size_t left =
            q->bytes + 1 < l->max_batch_response ? l->max_batch_response - q->bytes - 1 : 0;
        if (left < room) room = left;
    }
    if ((id = id_text(q, call->index)) == NULL) return 0;
    overhead = ENVELOPE_BYTES + strlen(id);
    free(id);
    return room > overhead ? room - overhead : 0;
}

void tacit_rpc_reply_too_large(struct tacit_rpc_call *call)
{
    struct rpc_req *q = call->req;
    const char *limit = "max_response";
    size_t max = 0;
    char *text = NULL;

    if (!call_settle(call)) return;
    if (call_delivers(call)) {
        const struct tacit_rpc_limits *l = &q->s->lim;
        max = l->max_response;
        if (q->parsed.batch &&
            l->max_batch_response -
                    (q->bytes < l->max_batch_response ? q->bytes : l->max_batch_response) <=
                l->max_response) {
            limit = "max_batch_response";
            max = l->max_batch_response;
        }
        q->s->st.too_large++;
        text = too_large_text(q, call->index, limit, max, 0);
    }
    call_done(call, TACIT_RPC_TOO_LARGE, NULL, 0, text, text ? strlen(text) : 0,
              call_delivers(call) && text == NULL);
}

bool tacit_rpc_call_park(struct tacit_rpc_call *call, void (*cancel)(void *), void *arg)
{
    struct rpc_req *q = call->req;
    struct tacit_rpc_server *s = q->s;
    struct conn *c = q->c;
    char msg[160];
    const char *limit = NULL;
    unsigned max = 0;

    if (call->replied || call->parked) return false;
    if (s == NULL || c == NULL) { /* nobody to answer: dropped */
        tacit_rpc_reply_error(call, TACIT_RPC_INTERNAL_ERROR, "client gone", NULL);
        return false;
    }
    if (c->parked >= s->lim.max_longpolls_per_conn) {
        limit = "max_longpolls_per_conn";
        max = s->lim.max_longpolls_per_conn;
        snprintf(msg, sizeof msg, "too many long-polls: at most %u may wait per connection", max);
    } else if (s->longpolls >= s->lim.max_longpolls) {
        limit = "max_longpolls";
        max = s->lim.max_longpolls;
        snprintf(msg, sizeof msg, "too many long-polls: %u are waiting on the server, retry later",
                 max);
    }
    if (limit != NULL) {
        s->st.longpolls_refused++;
        tacit_rpc_reply_error(call, TACIT_RPC_LONGPOLL_LIMIT, msg,
                              json_pack("{s:s,s:I}", "limit", limit, "max", (json_int_t)max));
        return false;
    }
    if (call->pending) {
        call->pending = false;
        s->pending--;
    }
    call->parked = true;
    call->cancel = cancel;
    call->cancel_arg = arg;
    s->longpolls++;
    c->parked++;
    return true;
}

/* The connection of q has closed (q->c is already NULL): its long-polls end, without an
 * answer. Their owners are told (cancel), then the calls are settled here. */
static void req_cancel_parked(struct rpc_req *q)
{
    q->remaining++; /* the last cancelled call must not free q inside the loop */
    for (size_t i = 0; i < q->parsed.n && q->calls != NULL; i++) {
        struct tacit_rpc_call *call = &q->calls[i];
        void (*cancel)(void *) = call->cancel;
        if (!call->parked || call->replied) continue;
        call_settle(call);
        if (q->s != NULL) q->s->st.longpolls_cancelled++;
        call->cancel = NULL;
        if (cancel != NULL) cancel(call->cancel_arg);
        req_release(q);
    }
    req_release(q);
}

const char *tacit_rpc_call_method(const struct tacit_rpc_call *call) { return call->name; }

bool tacit_rpc_call_is_local(const struct tacit_rpc_call *call) { return call->req->local; }

bool tacit_rpc_call_is_admin(const struct tacit_rpc_call *call)
{
    return call->req->local || call->req->authed;
}

uint64_t tacit_rpc_call_conn(const struct tacit_rpc_call *call) { return call->req->conn_id; }

static void dispatch_one(struct rpc_req *q, size_t i)
{
    struct tacit_rpc_call *call = &q->calls[i];
    const struct tacit__rpc_item *it = &q->parsed.items[i];
    struct tacit_rpc_server *s = q->s;
    const struct tacit_rpc_method *m = NULL;
    json_t *params;
    unsigned cap;

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
    /* The last pending_reserve slots are for the operator: calls with valid credentials (admin
     * calls have them by now) and anything over the Unix socket. */
    cap = s->lim.max_pending;
    if (!q->local && !q->authed) cap -= s->lim.pending_reserve;
    if (s->pending >= cap) {
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
    int rc;

    if ((q = calloc(1, sizeof *q)) == NULL) {
        conn_drop_body(c);
        respond_oom(c);
        return;
    }
    rc = tacit__rpc_request_parse(&q->parsed, c->body ? c->body : "", c->body_len, s->lim.max_batch,
                                  s->lim.max_depth);
    /* the parsed tree holds its own copies: do not keep up to max_body per idle connection */
    conn_drop_body(c);
    if (rc != TACIT_OK) goto out_free;
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
    q->conn_id = c->id;
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
    respond_oom(c);
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
        {"tacit_rpc_calls_pending", "gauge", "Calls not yet replied to (long-polls not included).",
         s->pending},
        {"tacit_rpc_longpolls", "gauge", "Long-polls parked.", s->longpolls},
        {"tacit_rpc_longpolls_refused_total", "counter", "Long-polls refused with -32006.",
         s->st.longpolls_refused},
        {"tacit_rpc_longpolls_cancelled_total", "counter",
         "Long-polls dropped because their client left.", s->st.longpolls_cancelled},
        {"tacit_rpc_too_large_total", "counter", "Answers refused with -32007 (too large).",
         s->st.too_large},
        {"tacit_rpc_write_timeouts_total", "counter",
         "Connections closed because the client did not read its answer in time.",
         s->st.write_timeouts},
        {"tacit_rpc_write_buffered_bytes", "gauge", "Answer bytes not yet taken by the clients.",
         s->wbytes},
        {"tacit_rpc_body_buffered_bytes", "gauge", "Bytes of request body buffers held.",
         s->body_bytes},
    };

    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        sbuf_printf(&b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", simple[i].name, simple[i].help,
                    simple[i].name, simple[i].type, simple[i].name,
                    (unsigned long long)simple[i].v);
    sbuf_printf(&b, "# HELP tacit_rpc_calls_total JSON-RPC calls by method and result code "
                    "(0: success).\n# TYPE tacit_rpc_calls_total counter\n");
    for (size_t i = 0; i < s->ncc; i++) {
        const char *name =
            s->cc[i].midx < s->nmethods ? s->methods[s->cc[i].midx].name : METHOD_UNKNOWN;
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
    int method = c->parser.method;

    s->st.requests++;
    /* every answer here has a body, which a HEAD client would not read: close after it */
    if (method == HTTP_HEAD) c->keep_alive = false;
#define PATH_IS(lit) path_is(c, lit)
    if (c->metrics_only && !PATH_IS("/metrics") && !PATH_IS("/health")) {
        s->st.rejected_http++;
        respond_text(c, 404, "not found: this listener serves GET /metrics and /health only\n",
                     NULL);
    } else if (PATH_IS("/metrics") && !c->metrics_only && !c->local && !s->metrics_on_rpc) {
        /* Per-method counters scraped often are a timeline of the clients' requests: they are
         * the operator's, on the metrics listener (or the Unix socket), not the RPC port's. */
        s->st.rejected_http++;
        respond_text(c, 404,
                     "not found: /metrics is served on the metrics listener (tacitd "
                     "--metrics-bind), not on the RPC port\n",
                     NULL);
    } else if (PATH_IS("/")) {
        if (method == HTTP_POST) {
            rpc_dispatch(c);
            return;
        }
        if (method == HTTP_OPTIONS && c->cors) { /* a browser's preflight of a POST */
            respond_text(c, 204, "",
                         "Access-Control-Allow-Methods: POST, OPTIONS\r\n"
                         "Access-Control-Allow-Headers: content-type\r\n"
                         "Access-Control-Max-Age: 600\r\n");
            conn_drop_body(c);
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
    conn_drop_body(c); /* none is kept past its request (rpc_dispatch drops it earlier) */
}

/* -------------------------------------------------------------- start / stop ---- */

static void finish_stop(struct tacit_rpc_server *s)
{
    void (*done)(void *) = s->done;
    void *arg = s->done_arg;

    tacit__rpc_auth_clear(&s->auth);
    free(s->cors_origin);
    free(s->cc);
    free(s->socket_path);
    free(s);
    if (done != NULL) done(arg);
}

static void handle_closed(struct tacit_rpc_server *s)
{
    if (--s->handles == 0 && s->stopping) finish_stop(s);
}

static void on_listener_closed(uv_handle_t *h) { handle_closed(h->data); }

void tacit_rpc_server_stop(struct tacit_rpc_server *s, void (*done)(void *), void *arg)
{
    if (s == NULL || s->stopping) return;
    s->stopping = true;
    s->done = done;
    s->done_arg = arg;
    if (s->has_tcp) uv_close((uv_handle_t *)&s->tcp, on_listener_closed);
    if (s->has_mtcp) uv_close((uv_handle_t *)&s->mtcp, on_listener_closed);
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

int tacit_rpc_probe_tcp(const char *host, uint16_t port)
{
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    const struct sockaddr *sa;
    socklen_t salen;
    int fd, one = 1, rc = TACIT_OK;

    if (port == 0) return TACIT_OK;
    if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons(port);
        sa = (const struct sockaddr *)&a4;
        salen = sizeof a4;
    } else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons(port);
        sa = (const struct sockaddr *)&a6;
        salen = sizeof a6;
    } else {
        return TACIT_EINVAL;
    }
    if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) return TACIT_EIO;
    /* as libuv's uv_tcp_bind does: a port left in TIME_WAIT by our own last run is free */
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, sa, salen) != 0 || listen(fd, 1) != 0)
        rc = errno == EADDRINUSE                               ? TACIT_EEXISTS
             : errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT ? TACIT_EINVAL
                                                               : TACIT_EIO;
    close(fd);
    return rc;
}

static int listen_tcp(struct tacit_rpc_server *s, uv_tcp_t *tcp, bool *has, const char *host,
                      uint16_t port, uint16_t *bound_port)
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
    if ((rc = uv_tcp_init(s->loop, tcp)) != 0) return map_uv_error(rc);
    tcp->data = s;
    *has = true;
    s->handles++;
    if ((rc = uv_tcp_bind(tcp, (const struct sockaddr *)&ss, 0)) != 0) return map_uv_error(rc);
    /* libuv reports EADDRINUSE at listen, not at bind */
    if ((rc = uv_listen((uv_stream_t *)tcp, BACKLOG, on_connection)) != 0) return map_uv_error(rc);
    if ((rc = uv_tcp_getsockname(tcp, (struct sockaddr *)&bound, &len)) != 0)
        return map_uv_error(rc);
    *bound_port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
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
#define FILL(f) \
    if (l->f == 0) l->f = d.f
    FILL(max_body);
    FILL(max_header);
    FILL(max_batch);
    FILL(max_depth);
    FILL(max_conns);
    FILL(header_timeout_ms);
    FILL(body_timeout_ms);
    FILL(idle_timeout_ms);
    FILL(max_pending);
    FILL(pending_reserve);
    FILL(max_longpolls);
    FILL(max_longpolls_per_conn);
    FILL(max_conns_local);
    FILL(max_response);
    FILL(max_batch_response);
    FILL(write_timeout_ms);
#undef FILL
    /* TCP callers keep at least half of max_pending */
    if (l->pending_reserve > l->max_pending / 2) l->pending_reserve = l->max_pending / 2;
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
    s->metrics_on_rpc = cfg->metrics_on_rpc;
    if (cfg->cors_origin != NULL && (s->cors_origin = strdup(cfg->cors_origin)) == NULL) {
        tacit__rpc_auth_clear(&s->auth);
        free(s);
        return TACIT_ENOMEM;
    }
    if (cfg->bind_host != NULL && (rc = listen_tcp(s, &s->tcp, &s->has_tcp, cfg->bind_host,
                                                   cfg->bind_port, &s->port)) != TACIT_OK)
        goto out_stop;
    if (cfg->metrics_host != NULL && (rc = listen_tcp(s, &s->mtcp, &s->has_mtcp, cfg->metrics_host,
                                                      cfg->metrics_port, &s->mport)) != TACIT_OK)
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

uint16_t tacit_rpc_server_port(const struct tacit_rpc_server *s) { return s->port; }

uint16_t tacit_rpc_server_metrics_port(const struct tacit_rpc_server *s) { return s->mport; }

void tacit_rpc_server_stats(const struct tacit_rpc_server *s, struct tacit_rpc_stats *out)
{
    *out = s->st;
    out->pending = s->pending;
    out->longpolls = s->longpolls;
    out->write_buffered = s->wbytes;
    out->body_buffered = s->body_bytes;
}
