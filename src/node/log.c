/*
 * tacit — the node's log: one line per event, with time, level and subsystem (include/tacit/node.h).
 *
 * A line is one write(2) of the whole line, so lines from different threads do not interleave
 * (O_APPEND makes each write land at the end of a log file). The line stays one line whatever
 * the arguments hold: strings from outside go through tacit_log_str/tacit_log_quoted at the
 * call site (quoted, escaped), and the finished message goes once more through the same
 * escaping routine, which leaves only printable text (a forgotten call site cannot forge a line
 * either).
 *
 * The log file: tacit_log_open opens it once; tacit_log_reopen (SIGHUP) opens the path again
 * and dup2s the new file over the old descriptor, which is atomic: a thread writing meanwhile
 * writes a whole line to either file, never to a closed or reused descriptor.
 */
#define _GNU_SOURCE /* O_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tacit/error.h"
#include "tacit/node.h"

#define LINE_MAX_BYTES 4096 /* a longer line is cut, ending in "..." */

static _Atomic int log_level = TACIT_LOG_INFO;
static _Atomic int log_fd = STDERR_FILENO;
static char *log_path; /* NULL: stderr */

void tacit_log_set_level(enum tacit_log_level l) { log_level = (int)l; }

/* ------------------------------------------------------------------ escaping ---- */

/* The length of the UTF-8 sequence at s (at most n bytes) and its code point, or 0 when it
 * is not valid UTF-8: overlong forms, surrogates and values above U+10FFFF are invalid
 * (RFC 3629 section 4). */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0], min, v;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, v = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, v = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0; /* a continuation byte, 0xc0/0xc1 (always overlong) or 0xf5.. */
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

/* Code points shown escaped although they are valid: the C1 controls (a terminal may act on
 * them), the line and paragraph separators (some viewers break lines there) and the bidi
 * overrides and isolates (they reorder what a reader sees). */
static int cp_is_hidden(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Whether s can stand bare in a line: non-empty, and only printable ASCII other than space,
 * '"' and '\\', or UTF-8 that needs no escape. */
static int is_bare(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    if (n == 0) return 0;
    while (i < n) {
        unsigned cp;
        size_t k = utf8_seq(u + i, n - i, &cp);
        if (k == 0 || cp <= 0x20 || cp == 0x7f || cp == '"' || cp == '\\' || cp_is_hidden(cp))
            return 0;
        i += k;
    }
    return 1;
}

/*
 * The one escaping routine: writes s (n bytes) into out (cap >= 8 bytes), NUL-terminated,
 * and returns the length written. Control characters and DEL become \n \r \t or \xHH, bytes
 * that are not valid UTF-8 \xHH, the code points of cp_is_hidden \uHHHH; valid UTF-8 is kept.
 * quote: also '"' and '\\' escaped and the whole in double quotes. A result that does not fit
 * is cut at a character boundary and ends in "..." (inside the quotes).
 */
static size_t escape(char *out, size_t cap, const char *s, size_t n, int quote)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, i = 0, room = cap - 1 - (quote ? 1 : 0) - 3; /* NUL, closing quote, "..." */
    if (quote) out[o++] = '"';
    while (i < n) {
        char e[12];
        size_t elen, k;
        unsigned cp;
        k = utf8_seq(u + i, n - i, &cp);
        if (k == 0) { /* an invalid byte: shown, then resynchronise on the next one */
            e[0] = '\\', e[1] = 'x', e[2] = hex[u[i] >> 4], e[3] = hex[u[i] & 15];
            elen = 4;
            k = 1;
        } else if (cp == '\n' || cp == '\r' || cp == '\t') {
            e[0] = '\\', e[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
            elen = 2;
        } else if (cp < 0x20 || cp == 0x7f) {
            e[0] = '\\', e[1] = 'x', e[2] = hex[cp >> 4], e[3] = hex[cp & 15];
            elen = 4;
        } else if (cp_is_hidden(cp)) {
            e[0] = '\\', e[1] = 'u';
            for (int d = 0; d < 4; d++) e[2 + d] = hex[(cp >> (12 - 4 * d)) & 15];
            elen = 6;
        } else if (quote && (cp == '"' || cp == '\\')) {
            e[0] = '\\', e[1] = (char)cp;
            elen = 2;
        } else {
            memcpy(e, u + i, k);
            elen = k;
        }
        if (o + elen > room) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, e, elen);
        o += elen;
        i += k;
    }
    if (quote) out[o++] = '"';
    out[o] = '\0';
    return o;
}

const char *tacit_log_str(char out[TACIT_LOG_STR_SIZE], const char *s)
{
    size_t n;
    if (s == NULL) return "(null)";
    n = strlen(s);
    escape(out, TACIT_LOG_STR_SIZE, s, n, !is_bare(s, n));
    return out;
}

const char *tacit_log_quoted(char out[TACIT_LOG_STR_SIZE], const char *s)
{
    if (s == NULL) return "(null)";
    escape(out, TACIT_LOG_STR_SIZE, s, strlen(s), 1);
    return out;
}

/* ------------------------------------------------------------------ the line ---- */

static void write_all(int fd, const char *b, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return; /* nowhere to say so */
        b += w;
        n -= (size_t)w;
    }
}

void tacit_log(enum tacit_log_level l, const char *subsystem, const char *fmt, ...)
{
    static const char *const names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
    char msg[LINE_MAX_BYTES], line[LINE_MAX_BYTES + 8];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int n, m;

    if ((int)l > log_level) return;
    va_start(ap, fmt);
    m = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (m < 0) return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(line, sizeof line,
                 "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, names[l],
                 subsystem);
    if (n < 0 || (size_t)n >= sizeof line - 16) return;
    /* Not quoted: the message's own quotes stay; only what could break the line is escaped. */
    n += (int)escape(line + n, sizeof line - (size_t)n - 1, msg, strnlen(msg, sizeof msg), 0);
    line[n++] = '\n';
    write_all(log_fd, line, (size_t)n);
}

/* ---------------------------------------------------------------- the file ---- */

static int open_log(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
}

int tacit_log_open(const char *path)
{
    int fd, old;
    char *p;
    if (path == NULL) { /* back to stderr */
        old = atomic_exchange(&log_fd, STDERR_FILENO);
        if (old != STDERR_FILENO) close(old);
        free(log_path);
        log_path = NULL;
        return TACIT_OK;
    }
    if ((p = strdup(path)) == NULL) return TACIT_ENOMEM;
    if ((fd = open_log(path)) < 0) {
        int e = errno;
        free(p);
        return e == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    }
    old = atomic_exchange(&log_fd, fd);
    if (old != STDERR_FILENO) close(old);
    free(log_path);
    log_path = p;
    return TACIT_OK;
}

int tacit_log_reopen(void)
{
    int fd, rc = TACIT_OK;
    if (log_path == NULL) return TACIT_OK; /* stderr: nothing to reopen */
    if ((fd = open_log(log_path)) < 0) return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    /* dup2 replaces the descriptor atomically; its number, which other threads read, stays. */
    if (dup2(fd, log_fd) < 0) rc = TACIT_EIO;
    close(fd);
    return rc;
}

const char *tacit_log_path(void) { return log_path; }
