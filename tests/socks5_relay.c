/*
 * tacit — a SOCKS5 relay for tests (tests/cli_proxy.sh): what a wallet's traffic looks like to
 * a proxy such as Tor's. Listens on 127.0.0.1 on a port the kernel picks and prints
 * "port N" on its first line; then for each connection it accepts the handshake of RFC 1928
 * (with RFC 1929 username/password, or no authentication), connects to the named host and
 * port, and relays both ways. When a connection ends it prints one line:
 *
 *   conn <n> user=<user or -> host=<host> port=<port> bytes=<b> methods=<m1,m2,...>
 *
 * where bytes counts what the client sent after the handshake and methods are the JSON-RPC
 * methods ("method":"...") it sent, in order.
 *   socks5_relay [--reply CODE]   CODE != 0: answer every CONNECT with that RFC 1928 reply
 *                                 code (5: connection refused) and relay nothing
 * Stopped by a signal (the test kills it by its PID).
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int g_reply;
static pthread_mutex_t g_out = PTHREAD_MUTEX_INITIALIZER;

struct conn {
    int fd;
    unsigned n;
};

static int recv_n(int fd, unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, p + got, n - got, 0);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints = {0}, *res, *ai;
    int fd = -1;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* Appends to methods every "method":"X" of buf[0..len) (the requests are small: each is one
 * chunk on a local socket in practice; a split one is still found, since the whole stream
 * is kept). */
static void find_methods(const char *buf, size_t len, char *methods, size_t cap)
{
    static const char key[] = "\"method\":\"";
    const char *p = buf, *end = buf + len;
    while ((p = memmem(p, (size_t)(end - p), key, sizeof key - 1)) != NULL) {
        const char *m = p + sizeof key - 1, *q = memchr(m, '"', (size_t)(end - m));
        if (q == NULL) break;
        size_t ml = strlen(methods);
        if (ml + (size_t)(q - m) + 2 < cap) {
            if (ml > 0) methods[ml++] = ',';
            memcpy(methods + ml, m, (size_t)(q - m));
            methods[ml + (size_t)(q - m)] = '\0';
        }
        p = q;
    }
}

static void *serve(void *arg)
{
    struct conn *c = arg;
    unsigned char b[600];
    char user[256] = "-", host[256] = "", port[8] = "", methods[4096] = "";
    char *stream = NULL;
    size_t slen = 0;
    int up = -1;

    /* greeting: methods offered; prefer username/password (2), else none (0) */
    if (recv_n(c->fd, b, 2) != 0 || b[0] != 5 || recv_n(c->fd, b + 2, b[1]) != 0) goto out;
    int want = memchr(b + 2, 2, b[1]) != NULL ? 2 : memchr(b + 2, 0, b[1]) != NULL ? 0 : 0xff;
    unsigned char sel[2] = {5, (unsigned char)want};
    if (send(c->fd, sel, 2, MSG_NOSIGNAL) != 2 || want == 0xff) goto out;
    if (want == 2) {
        unsigned char ul, pl;
        if (recv_n(c->fd, b, 2) != 0 || b[0] != 1) goto out;
        ul = b[1];
        if (recv_n(c->fd, (unsigned char *)user, ul) != 0) goto out;
        user[ul] = '\0';
        if (recv_n(c->fd, &pl, 1) != 0 || recv_n(c->fd, b, pl) != 0) goto out;
        unsigned char ok[2] = {1, 0};
        if (send(c->fd, ok, 2, MSG_NOSIGNAL) != 2) goto out;
    }
    /* CONNECT */
    if (recv_n(c->fd, b, 4) != 0 || b[0] != 5 || b[1] != 1) goto out;
    if (b[3] == 3) {
        unsigned char hl;
        if (recv_n(c->fd, &hl, 1) != 0 || recv_n(c->fd, (unsigned char *)host, hl) != 0) goto out;
        host[hl] = '\0';
    } else if (b[3] == 1) {
        if (recv_n(c->fd, b, 4) != 0) goto out;
        snprintf(host, sizeof host, "ip:%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    } else {
        goto out;
    }
    if (recv_n(c->fd, b, 2) != 0) goto out;
    snprintf(port, sizeof port, "%u", (unsigned)b[0] << 8 | b[1]);
    {
        unsigned char rep[10] = {5, (unsigned char)g_reply, 0, 1, 127, 0, 0, 1, 0, 0};
        if (g_reply == 0 && strncmp(host, "ip:", 3) != 0 && (up = connect_to(host, port)) < 0)
            rep[1] = 5;
        if (send(c->fd, rep, sizeof rep, MSG_NOSIGNAL) != (ssize_t)sizeof rep || rep[1] != 0)
            goto out;
    }
    /* relay until either side closes */
    for (;;) {
        struct pollfd p[2] = {{c->fd, POLLIN, 0}, {up, POLLIN, 0}};
        char buf[16384];
        if (poll(p, 2, -1) < 0) break;
        if (p[0].revents) {
            ssize_t r = recv(c->fd, buf, sizeof buf, 0);
            if (r <= 0) break;
            if (slen < (1u << 20)) {
                char *ns = realloc(stream, slen + (size_t)r);
                if (ns != NULL) {
                    stream = ns;
                    memcpy(stream + slen, buf, (size_t)r);
                    slen += (size_t)r;
                }
            }
            if (send(up, buf, (size_t)r, MSG_NOSIGNAL) != r) break;
        }
        if (p[1].revents) {
            ssize_t r = recv(up, buf, sizeof buf, 0);
            if (r <= 0) break;
            if (send(c->fd, buf, (size_t)r, MSG_NOSIGNAL) != r) break;
        }
    }
out:
    if (stream != NULL) find_methods(stream, slen, methods, sizeof methods);
    pthread_mutex_lock(&g_out);
    printf("conn %u user=%s host=%s port=%s bytes=%zu methods=%s\n", c->n, user,
           host[0] ? host : "-", port[0] ? port : "-", slen, methods);
    fflush(stdout);
    pthread_mutex_unlock(&g_out);
    if (up >= 0) close(up);
    close(c->fd);
    free(stream);
    free(c);
    return NULL;
}

int main(int argc, char **argv)
{
    struct sockaddr_in a = {0};
    socklen_t alen = sizeof a;
    unsigned n = 0;
    int ls;

    if (argc == 3 && strcmp(argv[1], "--reply") == 0) {
        g_reply = atoi(argv[2]);
    } else if (argc != 1) {
        fprintf(stderr, "usage: socks5_relay [--reply CODE]\n");
        return 2;
    }
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((ls = socket(AF_INET, SOCK_STREAM, 0)) < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) ||
        listen(ls, 64) || getsockname(ls, (struct sockaddr *)&a, &alen)) {
        perror("socks5_relay");
        return 1;
    }
    printf("port %u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        struct conn *c;
        pthread_t t;
        if (fd < 0) continue;
        if ((c = malloc(sizeof *c)) == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->n = ++n;
        if (pthread_create(&t, NULL, serve, c) != 0) {
            close(fd);
            free(c);
            continue;
        }
        pthread_detach(t);
    }
}
