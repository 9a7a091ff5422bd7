/*
 * tacit — a small blocking JSON-RPC client (tacit-cli, the tests, the load benchmark).
 *
 * Non-blocking sockets driven by poll() so that every step (connect, send, receive) meets one
 * per-call deadline. HTTP/1.1 with keep-alive: a kept-alive connection the server closed in
 * the meantime (idle timeout) is noticed when the exchange fails before any byte of answer,
 * and the exchange is tried once more on a new connection. Responses are framed by
 * http-parser in response mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <http_parser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rpc/rpc_internal.h"
#include "tacit/error.h"
#include "tacit/rpc.h"
#include "tacit/util.h"

#define DEFAULT_TIMEOUT_MS 30000
#define MAX_REPLY (256u << 20) /* a bigger answer is refused (TACIT_EIO) */

struct tacit_rpc_client {
    int fd;    /* -1: not connected */
    bool used; /* fd already carried an exchange (so it may have been closed since) */
    bool is_unix;
    char *host; /* TCP: host without brackets, and port */
    char *port;
    char *path;    /* Unix socket path */
    char *hosthdr; /* "Host: ...\r\n" */
    char *authhdr; /* "Authorization: Basic ...\r\n", sodium_malloc'd, or NULL */
    size_t authlen;
    unsigned timeout_ms;
    json_int_t next_id;
    char *proxy_host; /* SOCKS5 proxy (RFC 1928), or NULL: connect directly */
    char *proxy_port;
    uint8_t proxy_user[17]; /* RFC 1929 credentials, random per client: Tor's stream isolation */
    const char *last_error; /* a static text: what the last transport failure was */
    char server_error[240]; /* the message of the last call's JSON-RPC error ("": none) */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline. Returns TACIT_OK, TACIT_ETIMEOUT, TACIT_EIO. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    for (;;) {
        int64_t left = deadline - now_ms();
        int rc;
        if (left <= 0) return TACIT_ETIMEOUT;
        rc = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
        if (rc > 0) return TACIT_OK;
        if (rc == 0) return TACIT_ETIMEOUT;
        if (errno != EINTR) return TACIT_EIO;
    }
}

static void client_disconnect(struct tacit_rpc_client *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->used = false;
}

/* Non-blocking connect, finished under the deadline. Returns the fd or -TACIT_* */
static int connect_addr(const struct sockaddr *sa, socklen_t salen, int64_t deadline)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err = 0, rc;
    socklen_t elen = sizeof err;

    if (fd < 0) return -TACIT_EIO;
    if (connect(fd, sa, salen) == 0) return fd;
    if (errno != EINPROGRESS && errno != EAGAIN) {
        close(fd);
        return -TACIT_EIO;
    }
    if ((rc = wait_fd(fd, POLLOUT, deadline)) != TACIT_OK) {
        close(fd);
        return -rc;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
        close(fd);
        return -TACIT_EIO;
    }
    return fd;
}

/* Connects to host:port by name (the first address that answers). Returns the fd or -TACIT_*. */
static int connect_host(const char *host, const char *port, int64_t deadline)
{
    struct addrinfo hints, *res, *ai;
    int fd = -TACIT_EIO;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -TACIT_EIO;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = connect_addr(ai->ai_addr, ai->ai_addrlen, deadline);
        if (fd >= 0 || fd == -TACIT_ETIMEOUT) break;
    }
    freeaddrinfo(res);
    return fd;
}

static int send_iov(int fd, struct iovec *iov, int n, int64_t deadline);

/* Exactly n bytes into p under the deadline (TACIT_EIO when the peer closes first). */
static int recv_all(int fd, uint8_t *p, size_t n, int64_t deadline)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, p + got, n - got, 0);
        if (r > 0) {
            got += (size_t)r;
            continue;
        }
        if (r == 0) return TACIT_EIO;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return TACIT_EIO;
        int rc = wait_fd(fd, POLLIN, deadline);
        if (rc != TACIT_OK) return rc;
    }
    return TACIT_OK;
}

static int send_all(int fd, const uint8_t *p, size_t n, int64_t deadline)
{
    struct iovec iov = {(void *)p, n};
    return send_iov(fd, &iov, 1, deadline);
}

/* RFC 1928 reply codes, as the text a user reads. */
static const char *socks_reply_text(uint8_t rep)
{
    static const char *const t[] = {
        NULL,
        "SOCKS5 proxy: general failure",
        "SOCKS5 proxy: connection not allowed by its rules",
        "SOCKS5 proxy: network unreachable",
        "SOCKS5 proxy: host unreachable",
        "SOCKS5 proxy: connection refused by the node",
        "SOCKS5 proxy: TTL expired (the node did not answer)",
        "SOCKS5 proxy: command not supported",
        "SOCKS5 proxy: address type not supported",
    };
    return rep < sizeof t / sizeof t[0] ? t[rep] : "SOCKS5 proxy: an unknown failure";
}

/* The SOCKS5 handshake on fd, connected to the proxy (RFC 1928, username/password RFC 1929):
 * CONNECT to the node's host *by name* (address type 3), so the proxy resolves it (what Tor
 * needs: no DNS leak, .onion names work). The credentials are random per client, so Tor
 * (IsolateSOCKSAuth, on by default) puts each client on its own circuit: a wallet's
 * submission does not share a circuit with its sync. */
static int socks5_connect(struct tacit_rpc_client *c, int fd, int64_t deadline)
{
    uint8_t b[4 + 1 + 255 + 2 + 3 + 2 * 16], *p = b;
    size_t hlen = strlen(c->host), ulen = strlen((const char *)c->proxy_user);
    unsigned port = (unsigned)strtoul(c->port, NULL, 10);
    int rc;

    /* greeting: version 5, one method: 2 (username/password) */
    b[0] = 5, b[1] = 1, b[2] = 2;
    if ((rc = send_all(fd, b, 3, deadline)) != TACIT_OK) return rc;
    if ((rc = recv_all(fd, b, 2, deadline)) != TACIT_OK) return rc;
    if (b[0] != 5 || b[1] != 2) {
        c->last_error = b[0] != 5 ? "SOCKS5 proxy: the proxy does not speak SOCKS5"
                                  : "SOCKS5 proxy: refused username/password authentication";
        return TACIT_EIO;
    }
    /* RFC 1929: version 1, user, password (the same random text) */
    *p++ = 1;
    *p++ = (uint8_t)ulen, memcpy(p, c->proxy_user, ulen), p += ulen;
    *p++ = (uint8_t)ulen, memcpy(p, c->proxy_user, ulen), p += ulen;
    if ((rc = send_all(fd, b, (size_t)(p - b), deadline)) != TACIT_OK) return rc;
    if ((rc = recv_all(fd, b, 2, deadline)) != TACIT_OK) return rc;
    if (b[1] != 0) {
        c->last_error = "SOCKS5 proxy: refused the credentials";
        return TACIT_EIO;
    }
    /* CONNECT host:port by name */
    p = b;
    *p++ = 5, *p++ = 1, *p++ = 0, *p++ = 3;
    *p++ = (uint8_t)hlen, memcpy(p, c->host, hlen), p += hlen;
    *p++ = (uint8_t)(port >> 8), *p++ = (uint8_t)port;
    if ((rc = send_all(fd, b, (size_t)(p - b), deadline)) != TACIT_OK) return rc;
    if ((rc = recv_all(fd, b, 4, deadline)) != TACIT_OK) return rc;
    if (b[0] != 5 || b[1] != 0) {
        c->last_error = b[0] != 5 ? "SOCKS5 proxy: a malformed reply" : socks_reply_text(b[1]);
        return TACIT_EIO;
    }
    /* the bound address, of its type, and port: read and dropped */
    size_t alen = b[3] == 1 ? 4 : b[3] == 4 ? 16 : 0;
    if (b[3] == 3) {
        if ((rc = recv_all(fd, b, 1, deadline)) != TACIT_OK) return rc;
        alen = b[0];
    } else if (alen == 0) {
        c->last_error = "SOCKS5 proxy: a malformed reply";
        return TACIT_EIO;
    }
    return recv_all(fd, b, alen + 2, deadline);
}

static int client_connect(struct tacit_rpc_client *c, int64_t deadline)
{
    int fd = -TACIT_EIO;

    c->last_error = NULL;
    if (c->proxy_host != NULL) {
        int rc;
        if ((fd = connect_host(c->proxy_host, c->proxy_port, deadline)) < 0) {
            c->last_error = "SOCKS5 proxy: cannot connect to the proxy";
            return -fd;
        }
        if ((rc = socks5_connect(c, fd, deadline)) != TACIT_OK) {
            if (c->last_error == NULL)
                c->last_error = rc == TACIT_ETIMEOUT ? "SOCKS5 proxy: no answer in time"
                                                     : "SOCKS5 proxy: closed the connection";
            close(fd);
            return rc;
        }
    } else if (c->is_unix) {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, c->path, strlen(c->path));
        fd = connect_addr((struct sockaddr *)&sun, sizeof sun, deadline);
    } else {
        fd = connect_host(c->host, c->port, deadline);
    }
    if (fd >= 0 && !c->is_unix) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (fd < 0) return -fd;
    c->fd = fd;
    c->used = false;
    return TACIT_OK;
}

/* Sends every byte of iov (modified) under the deadline. */
static int send_iov(int fd, struct iovec *iov, int n, int64_t deadline)
{
    struct msghdr mh;

    while (n > 0) {
        ssize_t w;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = iov;
        mh.msg_iovlen = (size_t)n;
        w = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                int rc = wait_fd(fd, POLLOUT, deadline);
                if (rc != TACIT_OK) return rc;
                continue;
            }
            return TACIT_EIO;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return TACIT_OK;
}

struct response {
    char *body;
    size_t len, cap;
    bool done, keep_alive, too_big;
    int status;
};

static int resp_on_body(http_parser *p, const char *at, size_t len)
{
    struct response *r = p->data;
    if (len > MAX_REPLY - r->len) {
        r->too_big = true;
        return -1;
    }
    if (r->len + len + 1 > r->cap) {
        size_t ncap = r->cap ? r->cap : 4096;
        while (ncap < r->len + len + 1) ncap *= 2;
        char *nb = realloc(r->body, ncap);
        if (nb == NULL) {
            r->too_big = true;
            return -1;
        }
        r->body = nb;
        r->cap = ncap;
    }
    memcpy(r->body + r->len, at, len);
    r->len += len;
    return 0;
}

static int resp_on_message_complete(http_parser *p)
{
    struct response *r = p->data;
    r->done = true;
    r->status = (int)p->status_code;
    r->keep_alive = http_should_keep_alive(p);
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings resp_settings = {
    .on_body = resp_on_body,
    .on_message_complete = resp_on_message_complete,
};

/* Reads one response. *got_any: whether any byte arrived (else the server closed an idle
 * connection and the request may be sent again). */
static int read_response(int fd, struct response *r, int64_t deadline, bool *got_any)
{
    http_parser p;
    char buf[16384];
    int rc;

    http_parser_init(&p, HTTP_RESPONSE);
    p.data = r;
    *got_any = false;
    /* The answer is not there yet right after the request: wait for it first, rather than
     * try a recv that fails with EAGAIN (a syscall per exchange saved). */
    if ((rc = wait_fd(fd, POLLIN, deadline)) != TACIT_OK) return rc;
    while (!r->done) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if ((rc = wait_fd(fd, POLLIN, deadline)) != TACIT_OK) return rc;
                continue;
            }
            return TACIT_EIO;
        }
        if (n == 0) { /* EOF ends a body without Content-Length */
            if (*got_any) http_parser_execute(&p, &resp_settings, NULL, 0);
            return r->done ? TACIT_OK : TACIT_EIO;
        }
        *got_any = true;
        http_parser_execute(&p, &resp_settings, buf, (size_t)n);
        if (r->done) break;
        if (HTTP_PARSER_ERRNO(&p) != HPE_OK) return TACIT_EIO;
    }
    return TACIT_OK;
}

static int exchange(struct tacit_rpc_client *c, const char *method, const char *path,
                    const char *body, size_t len, int *status, char **reply, size_t *reply_len)
{
    int64_t deadline = now_ms() + c->timeout_ms;
    char head[512], clen[160];
    int hn, cn, rc = TACIT_EIO;

    *status = 0;
    *reply = NULL;
    *reply_len = 0;
    if (strlen(path) > 256 || path[0] != '/') return TACIT_EINVAL;
    for (const char *p = path; *p; p++) /* no header injection through the path */
        if ((unsigned char)*p <= ' ' || *p == 0x7f) return TACIT_EINVAL;
    hn = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\n%s", method, path, c->hosthdr);
    cn = snprintf(clen, sizeof clen, "%sContent-Length: %zu\r\nConnection: keep-alive\r\n\r\n",
                  body ? "Content-Type: application/json\r\n" : "", len);
    if (hn < 0 || (size_t)hn >= sizeof head || cn < 0 || (size_t)cn >= sizeof clen)
        return TACIT_EINVAL;

    for (int attempt = 0; attempt < 2; attempt++) {
        struct response r = {0};
        struct iovec iov[4];
        bool reused, got_any = false;
        int n = 0;

        if (c->fd < 0 && (rc = client_connect(c, deadline)) != TACIT_OK) return rc;
        reused = c->used;
        iov[n++] = (struct iovec){head, (size_t)hn};
        if (c->authhdr) iov[n++] = (struct iovec){c->authhdr, c->authlen};
        iov[n++] = (struct iovec){clen, (size_t)cn};
        if (len) iov[n++] = (struct iovec){(void *)body, len};
        rc = send_iov(c->fd, iov, n, deadline);
        /* even when the send failed, the server may have answered first (a 413 before the
         * whole body): read what it said */
        if (rc != TACIT_ETIMEOUT) {
            int rr = read_response(c->fd, &r, deadline, &got_any);
            rc = r.done ? TACIT_OK : rr;
        }
        if (rc == TACIT_OK) {
            if (r.body == NULL && (r.body = malloc(1)) == NULL) {
                client_disconnect(c);
                return TACIT_ENOMEM;
            }
            r.body[r.len] = '\0';
            *status = r.status;
            *reply = r.body;
            *reply_len = r.len;
            c->used = true;
            if (!r.keep_alive) client_disconnect(c);
            return TACIT_OK;
        }
        free(r.body);
        client_disconnect(c);
        if (!(reused && !got_any && rc == TACIT_EIO)) break;
    }
    return rc;
}

/* ------------------------------------------------------------------ public ---- */

static int parse_url(struct tacit_rpc_client *c, const char *url)
{
    if (strncmp(url, "unix:", 5) == 0) {
        const char *p = url + 5;
        if (p[0] == '\0' || strlen(p) >= sizeof(((struct sockaddr_un *)0)->sun_path))
            return TACIT_EINVAL;
        c->is_unix = true;
        if ((c->path = strdup(p)) == NULL) return TACIT_ENOMEM;
        if ((c->hosthdr = strdup("Host: localhost\r\n")) == NULL) return TACIT_ENOMEM;
        return TACIT_OK;
    }
    if (strncmp(url, "http://", 7) == 0) {
        const char *h = url + 7, *he, *ps, *pe;
        size_t hlen, plen;
        unsigned long port;
        char *end;

        if (*h == '[') { /* [IPv6]:port */
            if ((he = strchr(h, ']')) == NULL || he[1] != ':') return TACIT_EINVAL;
            h++;
            ps = he + 2;
        } else {
            if ((he = strchr(h, ':')) == NULL) return TACIT_EINVAL;
            ps = he + 1;
        }
        hlen = (size_t)(he - h);
        pe = ps + strcspn(ps, "/");
        plen = (size_t)(pe - ps);
        if (hlen == 0 || hlen > 255 || plen == 0 || plen > 5) return TACIT_EINVAL;
        if (*pe != '\0' && strcmp(pe, "/") != 0) return TACIT_EINVAL;
        for (size_t i = 0; i < plen; i++)
            if (ps[i] < '0' || ps[i] > '9') return TACIT_EINVAL;
        port = strtoul(ps, &end, 10);
        if (port == 0 || port > 65535) return TACIT_EINVAL;
        if ((c->host = strndup(h, hlen)) == NULL || (c->port = strndup(ps, plen)) == NULL)
            return TACIT_ENOMEM;
        size_t n = hlen + plen + 32;
        if ((c->hosthdr = malloc(n)) == NULL) return TACIT_ENOMEM;
        snprintf(c->hosthdr, n, url[7] == '[' ? "Host: [%s]:%s\r\n" : "Host: %s:%s\r\n", c->host,
                 c->port);
        return TACIT_OK;
    }
    return TACIT_EINVAL;
}

int tacit_rpc_client_new(struct tacit_rpc_client **out, const char *url, const char *auth,
                         unsigned timeout_ms)
{
    struct tacit_rpc_client *c;
    int rc;

    *out = NULL;
    if (url == NULL) return TACIT_EINVAL;
    if ((c = calloc(1, sizeof *c)) == NULL) return TACIT_ENOMEM;
    c->fd = -1;
    c->timeout_ms = timeout_ms ? timeout_ms : DEFAULT_TIMEOUT_MS;
    if ((rc = parse_url(c, url)) != TACIT_OK) goto out_free;
    if (auth != NULL) {
        static const char pre[] = "Authorization: Basic ";
        size_t alen = strlen(auth),
               b64 = sodium_base64_ENCODED_LEN(alen, sodium_base64_VARIANT_ORIGINAL);
        if (strchr(auth, ':') == NULL || alen > 512) {
            rc = TACIT_EINVAL;
            goto out_free;
        }
        if (sodium_init() < 0 || (c->authhdr = sodium_malloc(sizeof pre + b64 + 2)) == NULL) {
            rc = TACIT_ENOMEM;
            goto out_free;
        }
        memcpy(c->authhdr, pre, sizeof pre - 1);
        sodium_bin2base64(c->authhdr + sizeof pre - 1, b64, (const unsigned char *)auth, alen,
                          sodium_base64_VARIANT_ORIGINAL);
        c->authlen = strlen(c->authhdr);
        memcpy(c->authhdr + c->authlen, "\r\n", 2);
        c->authlen += 2;
    }
    *out = c;
    return TACIT_OK;

out_free:
    tacit_rpc_client_free(c);
    return rc;
}

int tacit_rpc_client_set_proxy(struct tacit_rpc_client *c, const char *proxy)
{
    const char *h = proxy, *colon;
    unsigned long port;
    char *end;
    if (proxy == NULL) return TACIT_EINVAL;
    if (strncmp(h, "socks5h://", 10) == 0) h += 10;
    if ((colon = strrchr(h, ':')) == NULL || colon == h || (size_t)(colon - h) > 255)
        return TACIT_EINVAL;
    port = strtoul(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || port == 0 || port > 65535)
        return TACIT_EINVAL;
    if (c->is_unix) return TACIT_EINVAL; /* a Unix socket is local: nothing to hide */
    free(c->proxy_host);
    free(c->proxy_port);
    c->proxy_host = h[0] == '[' && colon[-1] == ']' ? strndup(h + 1, (size_t)(colon - h) - 2)
                                                    : strndup(h, (size_t)(colon - h));
    c->proxy_port = strdup(colon + 1);
    if (c->proxy_host == NULL || c->proxy_port == NULL) return TACIT_ENOMEM;
    /* 16 random letters: the isolation key (never a secret: Tor only compares them) */
    uint8_t r[16];
    randombytes_buf(r, sizeof r);
    for (size_t i = 0; i < 16; i++) c->proxy_user[i] = (uint8_t)('a' + r[i] % 26);
    c->proxy_user[16] = '\0';
    client_disconnect(c);
    return TACIT_OK;
}

const char *tacit_rpc_client_last_error(const struct tacit_rpc_client *c) { return c->last_error; }

/* The server's words, printable ASCII only (a terminal shows them), cut to the buffer. */
static void server_error_keep(struct tacit_rpc_client *c, const char *msg)
{
    size_t i;
    for (i = 0; msg[i] != '\0' && i + 1 < sizeof c->server_error; i++)
        c->server_error[i] = msg[i] >= 0x20 && msg[i] < 0x7f ? msg[i] : '?';
    c->server_error[i] = '\0';
}

const char *tacit_rpc_client_server_error(const struct tacit_rpc_client *c)
{
    return c->server_error[0] != '\0' ? c->server_error : NULL;
}

void tacit_rpc_client_free(struct tacit_rpc_client *c)
{
    if (c == NULL) return;
    client_disconnect(c);
    free(c->proxy_host);
    free(c->proxy_port);
    free(c->host);
    free(c->port);
    free(c->path);
    free(c->hosthdr);
    if (c->authhdr) sodium_free(c->authhdr); /* wipes */
    free(c);
}

int tacit_rpc_client_post(struct tacit_rpc_client *c, const char *path, const char *body,
                          size_t len, int *status, char **reply, size_t *reply_len)
{
    return exchange(c, "POST", path, body ? body : "", body ? len : 0, status, reply, reply_len);
}

int tacit_rpc_client_get(struct tacit_rpc_client *c, const char *path, int *status, char **reply,
                         size_t *reply_len)
{
    return exchange(c, "GET", path, NULL, 0, status, reply, reply_len);
}

/* POSTs the JSON-RPC request (params stolen); *reply the HTTP 200 body. */
static int call_text(struct tacit_rpc_client *c, const char *method, json_t *params, json_int_t id,
                     char **reply, size_t *rlen)
{
    json_t *req;
    char *text = NULL;
    int status, rc;

    *reply = NULL;
    c->server_error[0] = '\0';
    if ((req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", id, "method", method)) ==
        NULL) {
        json_decref(params);
        return TACIT_ENOMEM;
    }
    if (params != NULL && json_object_set_new(req, "params", params) != 0) {
        json_decref(req);
        return TACIT_ENOMEM;
    }
    if ((text = json_dumps(req, JSON_COMPACT)) == NULL)
        rc = TACIT_ENOMEM;
    else if ((rc = tacit_rpc_client_post(c, "/", text, strlen(text), &status, reply, rlen)) ==
                 TACIT_OK &&
             status != 200)
        rc = TACIT_EIO;
    if (rc != TACIT_OK) {
        free(*reply);
        *reply = NULL;
    }
    free(text);
    json_decref(req);
    return rc;
}

/* The reply of request id: *result or *error (new references; the error's message kept for
 * tacit_rpc_client_server_error), else TACIT_EJSON. */
static int parse_reply(struct tacit_rpc_client *c, const char *reply, size_t rlen, json_int_t id,
                       json_t **result, json_t **error)
{
    json_t *rep, *v, *res, *err;
    int rc = TACIT_EJSON;
    /* JSON_ALLOW_NUL: Ethereum nodes put revert data into error messages as text (anvil writes
     * a custom error's zero arguments as "\u0000"...); such a string reads up to its first NUL
     * through json_string_value, and every field a caller parses is checked for its length. */
    if ((rep = json_loadb(reply, rlen, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL)) == NULL ||
        !json_is_object(rep))
        goto out;
    v = json_object_get(rep, "jsonrpc");
    if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) goto out;
    v = json_object_get(rep, "id");
    if (!json_is_integer(v) || json_integer_value(v) != id) goto out;
    res = json_object_get(rep, "result");
    err = json_object_get(rep, "error");
    if ((res == NULL) == (err == NULL)) goto out;
    if (err != NULL) {
        if (!json_is_object(err) || !json_is_integer(json_object_get(err, "code")) ||
            !json_is_string(json_object_get(err, "message")))
            goto out;
        server_error_keep(c, json_string_value(json_object_get(err, "message")));
        *error = json_incref(err);
    } else {
        *result = json_incref(res);
    }
    rc = TACIT_OK;
out:
    json_decref(rep);
    return rc;
}

int tacit_rpc_call(struct tacit_rpc_client *c, const char *method, json_t *params, json_t **result,
                   json_t **error)
{
    json_int_t id = ++c->next_id;
    char *reply;
    size_t rlen;
    int rc;

    *result = NULL;
    *error = NULL;
    if ((rc = call_text(c, method, params, id, &reply, &rlen)) == TACIT_OK)
        rc = parse_reply(c, reply, rlen, id, result, error);
    free(reply);
    return rc;
}

int tacit_rpc_call_hex(struct tacit_rpc_client *c, const char *method, json_t *params,
                       const char *key, size_t max, json_t **result, json_t **error,
                       uint8_t **bytes, size_t *len)
{
    json_int_t id = ++c->next_id;
    char pat[64], *reply, *hex = NULL, *end = NULL;
    size_t rlen, plen;
    const char *cut;
    int rc;

    *result = NULL;
    *error = NULL;
    *bytes = NULL;
    *len = 0;
    plen = (size_t)snprintf(pat, sizeof pat, "\"%s\":\"", key);
    if (plen >= sizeof pat) {
        json_decref(params);
        return TACIT_EINVAL;
    }
    if ((rc = call_text(c, method, params, id, &reply, &rlen)) != TACIT_OK) return rc;
    /* the one "key":" of the reply and its string's closing quote (hex needs no escapes) */
    if ((hex = memmem(reply, rlen, pat, plen)) != NULL) {
        hex += plen;
        if (memmem(hex, rlen - (size_t)(hex - reply), pat, plen) != NULL ||
            (end = memchr(hex, '"', rlen - (size_t)(hex - reply))) == NULL)
            hex = NULL;
    }
    if (hex != NULL) {
        *end = '\0';
        rc = tacit_hex_decode_alloc(bytes, len, hex, max);
        *end = '"';
        if (rc == TACIT_OK) { /* the reply without the string goes to jansson */
            memmove(hex, end, rlen - (size_t)(end - reply));
            rlen -= (size_t)(end - hex);
        } else if (rc != TACIT_ENOMEM) {
            hex = NULL; /* not hex: the whole reply to jansson, the caller sees the string */
            rc = TACIT_OK;
        }
    }
    if (rc == TACIT_OK) rc = parse_reply(c, reply, rlen, id, result, error);
    /* what was cut out must be the result's key, now "" */
    if (rc == TACIT_OK && hex != NULL &&
        ((cut = json_string_value(json_object_get(*result, key))) == NULL || cut[0] != '\0'))
        rc = TACIT_EJSON;
    if (rc != TACIT_OK || hex == NULL) {
        free(*bytes);
        *bytes = NULL;
        *len = 0;
    }
    if (rc != TACIT_OK) {
        json_decref(*result);
        json_decref(*error);
        *result = *error = NULL;
    }
    free(reply);
    return rc;
}
