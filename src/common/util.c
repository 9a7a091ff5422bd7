/*
 * tacit — hex and decimal helpers (include/tacit/util.h).
 */
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/util.h"

static const char hexdigits[] = "0123456789abcdef";

void tacit_hex_encode(char *out, const uint8_t *in, size_t n)
{
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        out[2 + 2 * i] = hexdigits[in[i] >> 4];
        out[3 + 2 * i] = hexdigits[in[i] & 15];
    }
    out[2 + 2 * n] = '\0';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static const char *skip_prefix(const char *s, bool *had)
{
    *had = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    return *had ? s + 2 : s;
}

/* The value of each hex digit, 0xff for every other byte (a block's 2 MB of hex per 1,000 txs
 * go through here on a follower: one table read per digit, no branch). */
#define HEXV(c)                                  \
    ((c) >= '0' && (c) <= '9'   ? (c) - '0'      \
     : (c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 10 \
     : (c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 10 \
                                : 0xff)
#define HEXV4(c) HEXV(c), HEXV((c) + 1), HEXV((c) + 2), HEXV((c) + 3)
#define HEXV16(c) HEXV4(c), HEXV4((c) + 4), HEXV4((c) + 8), HEXV4((c) + 12)
static const uint8_t hexval[256] = {HEXV16(0),   HEXV16(16),  HEXV16(32),  HEXV16(48),
                                    HEXV16(64),  HEXV16(80),  HEXV16(96),  HEXV16(112),
                                    HEXV16(128), HEXV16(144), HEXV16(160), HEXV16(176),
                                    HEXV16(192), HEXV16(208), HEXV16(224), HEXV16(240)};

static int decode_digits(uint8_t *out, const char *s, size_t n)
{
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned hi = hexval[(uint8_t)s[2 * i]], lo = hexval[(uint8_t)s[2 * i + 1]];
        bad |= hi | lo;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return bad < 16 ? TACIT_OK : TACIT_EENCODING;
}

int tacit_hex_decode(uint8_t *out, size_t n, const char *s, bool prefix)
{
    bool had;
    if (s == NULL) return TACIT_EENCODING;
    s = skip_prefix(s, &had);
    if (prefix && !had) return TACIT_EENCODING;
    if (strlen(s) != 2 * n) return TACIT_EENCODING;
    return decode_digits(out, s, n);
}

int tacit_hex_decode_alloc(uint8_t **out, size_t *n, const char *s, size_t max)
{
    bool had;
    size_t len;
    uint8_t *b;
    int rc;
    *out = NULL;
    *n = 0;
    if (s == NULL) return TACIT_EENCODING;
    s = skip_prefix(s, &had);
    if (!had) return TACIT_EENCODING;
    len = strlen(s);
    if (len % 2 != 0) return TACIT_EENCODING;
    if (len / 2 > max) return TACIT_ETOOBIG;
    if ((b = malloc(len / 2 + 1)) == NULL) return TACIT_ENOMEM;
    if ((rc = decode_digits(b, s, len / 2)) != TACIT_OK) {
        free(b);
        return rc;
    }
    *out = b;
    *n = len / 2;
    return TACIT_OK;
}

void tacit_hex_u64(char out[19], uint64_t v)
{
    char tmp[16];
    int k = 0;
    do {
        tmp[k++] = hexdigits[v & 15];
        v >>= 4;
    } while (v != 0);
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < k; i++) out[2 + i] = tmp[k - 1 - i];
    out[2 + k] = '\0';
}

int tacit_parse_hex_u64(uint64_t *out, const char *s)
{
    uint64_t v = 0;
    size_t len;
    bool had;
    *out = 0;
    if (s == NULL) return TACIT_EENCODING;
    s = skip_prefix(s, &had);
    len = strlen(s);
    if (!had || len == 0) return TACIT_EENCODING;
    for (size_t i = 0; i < len; i++) {
        int d = nibble(s[i]);
        if (d < 0) return TACIT_EENCODING;
        if (v >> 60) return TACIT_EOVERFLOW;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return TACIT_OK;
}

int tacit_parse_dec_u64(uint64_t *out, const char *s)
{
    uint64_t v = 0;
    size_t len;
    *out = 0;
    if (s == NULL || (len = strlen(s)) == 0 || len > 20) return TACIT_EENCODING;
    if (len > 1 && s[0] == '0') return TACIT_EENCODING;
    for (size_t i = 0; i < len; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9') return TACIT_EENCODING;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return TACIT_EOVERFLOW;
        v = v * 10 + d;
    }
    *out = v;
    return TACIT_OK;
}

#ifndef TACIT_VERSION_STRING
#error "TACIT_VERSION_STRING comes from CMakeLists.txt (the project's version)"
#endif
const char *tacit_version(void) { return TACIT_VERSION_STRING; }
