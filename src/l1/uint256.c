/*
 * tacit — 256-bit big-endian integers (include/tacit/uint256.h): the few operations the L1
 * client needs on wei amounts and gas prices, and the JSON-RPC quantity and decimal forms.
 * Byte-wise schoolbook arithmetic: these values are public and the code is off every hot path.
 */
#include <string.h>

#include "tacit/error.h"
#include "tacit/uint256.h"

void tacit_uint256_from_u64(tacit_uint256 *out, uint64_t v)
{
    memset(out->be, 0, sizeof out->be);
    for (int i = 31; i >= 24; i--, v >>= 8) out->be[i] = (uint8_t)v;
}

int tacit_uint256_to_u64(uint64_t *out, const tacit_uint256 *a)
{
    uint64_t v = 0;
    *out = 0;
    for (int i = 0; i < 24; i++)
        if (a->be[i] != 0) return TACIT_EOVERFLOW;
    for (int i = 24; i < 32; i++) v = v << 8 | a->be[i];
    *out = v;
    return TACIT_OK;
}

bool tacit_uint256_is_zero(const tacit_uint256 *a)
{
    for (int i = 0; i < 32; i++)
        if (a->be[i] != 0) return false;
    return true;
}

int tacit_uint256_cmp(const tacit_uint256 *a, const tacit_uint256 *b)
{
    int c = memcmp(a->be, b->be, 32); /* big-endian: byte order is numeric order */
    return (c > 0) - (c < 0);
}

int tacit_uint256_add(tacit_uint256 *out, const tacit_uint256 *a, const tacit_uint256 *b)
{
    unsigned carry = 0;
    for (int i = 31; i >= 0; i--) {
        unsigned s = (unsigned)a->be[i] + b->be[i] + carry;
        out->be[i] = (uint8_t)s;
        carry = s >> 8;
    }
    return carry ? TACIT_EOVERFLOW : TACIT_OK;
}

int tacit_uint256_sub(tacit_uint256 *out, const tacit_uint256 *a, const tacit_uint256 *b)
{
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = (int)a->be[i] - b->be[i] - borrow;
        borrow = d < 0;
        out->be[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
    return borrow ? TACIT_EOVERFLOW : TACIT_OK;
}

int tacit_uint256_mul_u64(tacit_uint256 *out, const tacit_uint256 *a, uint64_t m)
{
    /* a byte at a time; byte * m + carry < 2^72 fits 128 bits */
    unsigned __int128 carry = 0;
    tacit_uint256 r;
    for (int i = 31; i >= 0; i--) {
        unsigned __int128 p = (unsigned __int128)a->be[i] * m + carry;
        r.be[i] = (uint8_t)p;
        carry = p >> 8;
    }
    *out = r;
    return carry ? TACIT_EOVERFLOW : TACIT_OK;
}

int tacit_uint256_mul_div_ceil(tacit_uint256 *out, const tacit_uint256 *a, uint64_t num,
                               uint64_t den)
{
    /* a * num needs up to 320 bits: 40 bytes, then long division by den */
    uint8_t wide[40];
    unsigned __int128 carry = 0, rem = 0;
    tacit_uint256 q;

    memset(out->be, 0, sizeof out->be);
    if (den == 0) return TACIT_EINVAL;
    for (int i = 39; i >= 0; i--) {
        unsigned __int128 p = (i >= 8 ? (unsigned __int128)a->be[i - 8] * num : 0) + carry;
        wide[i] = (uint8_t)p;
        carry = p >> 8;
    }
    for (int i = 0; i < 40; i++) {
        rem = rem << 8 | wide[i];
        uint8_t d = (uint8_t)(rem / den);
        rem %= den;
        if (i < 8) {
            if (d != 0) return TACIT_EOVERFLOW;
        } else {
            q.be[i - 8] = d;
        }
    }
    if (rem != 0) {
        tacit_uint256 one;
        tacit_uint256_from_u64(&one, 1);
        if (tacit_uint256_add(&q, &q, &one) != TACIT_OK) return TACIT_EOVERFLOW;
    }
    *out = q;
    return TACIT_OK;
}

void tacit_uint256_to_hex(char out[TACIT_UINT256_HEX_MAX], const tacit_uint256 *a)
{
    static const char digits[] = "0123456789abcdef";
    size_t n = 2;
    bool started = false;

    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 64; i++) {
        unsigned nib = (a->be[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
        if (nib == 0 && !started) continue;
        started = true;
        out[n++] = digits[nib];
    }
    if (!started) out[n++] = '0';
    out[n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int tacit_uint256_from_hex(tacit_uint256 *out, const char *s)
{
    size_t n;

    memset(out->be, 0, sizeof out->be);
    if (s == NULL || s[0] != '0' || s[1] != 'x') return TACIT_EENCODING;
    s += 2;
    n = strnlen(s, 65);
    if (n == 0 || n > 64) return TACIT_EENCODING;
    if (s[0] == '0' && n > 1) return TACIT_EENCODING; /* quantities have no leading zeros */
    for (size_t i = 0; i < n; i++) {
        int v = hexval(s[n - 1 - i]);
        if (v < 0) {
            memset(out->be, 0, sizeof out->be);
            return TACIT_EENCODING;
        }
        out->be[31 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
    }
    return TACIT_OK;
}

void tacit_uint256_to_dec(char out[TACIT_UINT256_DEC_MAX], const tacit_uint256 *a)
{
    tacit_uint256 v = *a;
    char rev[TACIT_UINT256_DEC_MAX];
    size_t n = 0;

    do { /* divide by 10 until zero, collecting remainders */
        unsigned rem = 0;
        for (int i = 0; i < 32; i++) {
            unsigned cur = rem << 8 | v.be[i];
            v.be[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        rev[n++] = (char)('0' + rem);
    } while (!tacit_uint256_is_zero(&v));
    for (size_t i = 0; i < n; i++) out[i] = rev[n - 1 - i];
    out[n] = '\0';
}

int tacit_uint256_from_dec(tacit_uint256 *out, const char *s)
{
    size_t n;

    memset(out->be, 0, sizeof out->be);
    if (s == NULL) return TACIT_EENCODING;
    n = strnlen(s, 80);
    if (n == 0 || n > 78 || (s[0] == '0' && n > 1)) return TACIT_EENCODING;
    for (size_t i = 0; i < n; i++) {
        tacit_uint256 d;
        if (s[i] < '0' || s[i] > '9' || tacit_uint256_mul_u64(out, out, 10) != TACIT_OK) goto bad;
        tacit_uint256_from_u64(&d, (uint64_t)(s[i] - '0'));
        if (tacit_uint256_add(out, out, &d) != TACIT_OK) goto bad;
    }
    return TACIT_OK;
bad:
    memset(out->be, 0, sizeof out->be);
    return TACIT_EENCODING;
}
