/*
 * tacit — bech32m (include/tacit/bech32m.h).
 *
 * Written from the specifications: BIP-173 (the BCH code over GF(32), its generator, the
 * human-readable-part expansion, the 8 <-> 5 bit regrouping and its padding rules) and
 * BIP-350 (bech32m: the same code with the final constant 0x2bc830a3 instead of 1, which
 * closes bech32's weakness to inserting or deleting 'q' before a final 'p').
 *
 * Encoding and decoding stream the characters: no buffer of 5-bit values, no allocation, and
 * the checksum is computed as the characters go by. The payload may be a secret key's (a
 * spending or viewing key's text form), so both are constant time in the data characters:
 * they branch on and index with only the length of the string and its hrp, which are public
 * (tests/ctime.c checks it). Encoding reads the alphabet without a data-dependent address;
 * decoding accumulates every check of the characters (range, case, alphabet, checksum,
 * padding) in masks and tells the verdict once, after the whole string has been read
 * (tacit__declassify, src/common/declassify.h).
 */
#include <stdbool.h>
#include <string.h>

#include "common/declassify.h"
#include "tacit/bech32m.h"
#include "tacit/error.h"

#define BECH32M_CONST 0x2bc830a3u
#define CHECKSUM_LEN 6

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* Hides a value from the optimizer, so that a computation written with masks is not turned
 * back into a branch, a conditional move or a table lookup (libsecp256k1's value barrier). */
static uint32_t value_barrier(uint32_t v)
{
    __asm__("" : "+r"(v));
    return v;
}

/* 1 iff x == 0; 1 iff a < b (a, b < 2^32). No branch. */
static uint32_t is_zero32(uint32_t x) { return value_barrier((uint32_t)(((uint64_t)x - 1) >> 63)); }
static uint32_t lt32(uint32_t a, uint32_t b)
{
    return value_barrier((uint32_t)(((uint64_t)a - b) >> 63));
}

/* One step of the BIP-173 checksum: multiply by x modulo the generator, add v. The five
 * constants are the generator's multiples (BIP-173, "Checksum"). */
static uint32_t polymod_step(uint32_t chk, uint8_t v)
{
    static const uint32_t GEN[5] = {0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu,
                                    0x2a1462b3u};
    uint32_t top = chk >> 25;

    chk = ((chk & 0x1ffffffu) << 5) ^ v;
    /* masks, not branches: the data may be a secret key (tests/ctime.c) */
    for (int i = 0; i < 5; i++) chk ^= (0u - ((top >> i) & 1u)) & GEN[i];
    return chk;
}

/* The checksum state after the expanded human-readable part: the high 3 bits of each
 * character, a zero, the low 5 bits of each character. hrp is lower case here. */
static uint32_t polymod_hrp(const char *hrp, size_t n)
{
    uint32_t chk = 1;

    for (size_t i = 0; i < n; i++) chk = polymod_step(chk, (uint8_t)((unsigned char)hrp[i] >> 5));
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < n; i++) chk = polymod_step(chk, (uint8_t)(hrp[i] & 31));
    return chk;
}

/* The value 0..31 of a lower-case data character; *bad |= 1 if c is not one (the value is
 * then 0). Every entry compared, no early exit, no address that depends on c (the string may
 * be a secret key). */
static uint8_t charset_value(char c, uint32_t *bad)
{
    uint32_t v = 0, found = 0;
    for (uint32_t i = 0; i < 32; i++) {
        uint32_t eq = 0u - is_zero32((uint8_t)(CHARSET[i] ^ c));
        v |= i & eq;
        found |= eq;
    }
    *bad |= ~found & 1u;
    return (uint8_t)v;
}

/* Without a branch on c, as the case checks below: a secret key's letters and digits would
 * otherwise take different paths. */
static char to_lower(char c)
{
    uint32_t up = lt32((uint32_t)(uint8_t)c - 'A', 26u);
    return (char)((uint8_t)c + (up << 5));
}

/* ---------------------------------------------------------------- encoding ---- */

struct encoder {
    char *out;
    size_t pos;
    uint32_t chk;
};

/* Checks hrp and the room for n5 values, writes hrp and the separator. */
static int enc_begin(struct encoder *e, char *out, size_t out_size, const char *hrp, size_t n5)
{
    size_t n = strnlen(hrp, TACIT_BECH32M_HRP_MAX + 1);

    if (out_size > 0) out[0] = '\0';
    if (n == 0 || n > TACIT_BECH32M_HRP_MAX) return TACIT_EINVAL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)hrp[i];
        if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) return TACIT_EINVAL;
    }
    /* hrp, '1', the data, the checksum, NUL; n5 is bounded by the caller's buffer size */
    if (n5 > out_size || out_size - n5 < n + 1 + CHECKSUM_LEN + 1) return TACIT_ETOOBIG;
    memcpy(out, hrp, n);
    out[n] = '1';
    e->out = out;
    e->pos = n + 1;
    e->chk = polymod_hrp(hrp, n);
    return TACIT_OK;
}

/* CHARSET[v] read without an address that depends on v (v < 32), for the same reason. */
static char charset_ct(uint8_t v)
{
    char c = 0;
    for (uint32_t i = 0; i < 32; i++) c |= (char)(CHARSET[i] & (uint8_t)(((i ^ v) - 1u) >> 8));
    return c;
}

static void enc_put(struct encoder *e, uint8_t v)
{
    e->out[e->pos++] = charset_ct(v);
    e->chk = polymod_step(e->chk, v);
}

/* The checksum is the remainder of (data followed by six zeros), xor the constant. */
static void enc_finish(struct encoder *e)
{
    uint32_t chk = e->chk;

    for (int i = 0; i < CHECKSUM_LEN; i++) chk = polymod_step(chk, 0);
    chk ^= BECH32M_CONST;
    for (int i = 0; i < CHECKSUM_LEN; i++)
        e->out[e->pos++] = charset_ct((chk >> (5 * (5 - i))) & 31);
    e->out[e->pos] = '\0';
}

int tacit_bech32m_encode(char *out, size_t out_size, const char *hrp, const uint8_t *data5,
                         size_t n5)
{
    struct encoder e;
    int rc;

    for (size_t i = 0; i < n5; i++)
        if (data5[i] > 31) {
            if (out_size > 0) out[0] = '\0';
            return TACIT_EINVAL;
        }
    if ((rc = enc_begin(&e, out, out_size, hrp, n5)) != TACIT_OK) return rc;
    for (size_t i = 0; i < n5; i++) enc_put(&e, data5[i]);
    enc_finish(&e);
    return TACIT_OK;
}

int tacit_bech32m_encode_bytes(char *out, size_t out_size, const char *hrp, const uint8_t *data,
                               size_t len)
{
    struct encoder e;
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n5;
    int rc;

    if (len > out_size) { /* cannot fit; also keeps 8 * len from overflowing */
        if (out_size > 0) out[0] = '\0';
        return TACIT_ETOOBIG;
    }
    n5 = (len * 8 + 4) / 5;
    if ((rc = enc_begin(&e, out, out_size, hrp, n5)) != TACIT_OK) return rc;
    /* 8 -> 5 bits, most significant first; the last group padded with zero bits */
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            enc_put(&e, (uint8_t)((acc >> bits) & 31));
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 0) enc_put(&e, (uint8_t)((acc << (5 - bits)) & 31));
    enc_finish(&e);
    return TACIT_OK;
}

/* ---------------------------------------------------------------- decoding ---- */

/* strnlen for a string whose characters may be secret and whose length is public: whether
 * each character is the terminating NUL is declassified as it is tested. */
static size_t public_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    for (; n < max; n++) {
        uint32_t end = is_zero32((uint8_t)s[n]);
        tacit__declassify(&end, sizeof end);
        if (end) break;
    }
    return n;
}

/*
 * Checks s completely (characters, case, separator, lengths, checksum) and copies out the
 * lower-case hrp. Out: *data (the first data character in s), *n5 (data characters, checksum
 * excluded). Capacity of the data is the caller's check.
 * The length and the position of the separator (the last '1': the hrp's length) are public and
 * branched on; the characters are not: their checks go into masks, told at the end.
 */
static int dec_check(char *hrp, size_t hrp_size, const char **data, size_t *n5, const char *s,
                     size_t max_len)
{
    char low[TACIT_BECH32M_HRP_MAX + 1];
    size_t len = public_strnlen(s, max_len + 1), sep = len;
    uint32_t bad = 0, lower = 0, upper = 0, chk, wrong;

    if (len > max_len) return TACIT_ETOOBIG;
    for (size_t i = 0; i < len; i++) {
        uint32_t c = (uint8_t)s[i];
        size_t one = (size_t)0 - is_zero32(c ^ '1');
        bad |= lt32(c, 33) | lt32(126, c);
        lower |= lt32(c - 'a', 26);
        upper |= lt32(c - 'A', 26);
        sep = (sep & ~one) | (i & one); /* the last '1' separates: the hrp may contain '1' */
    }
    tacit__declassify(&sep, sizeof sep);
    if (sep == len || sep == 0 || sep > TACIT_BECH32M_HRP_MAX) return TACIT_EENCODING;
    if (len - sep - 1 < CHECKSUM_LEN) return TACIT_EENCODING;

    for (size_t i = 0; i < sep; i++) low[i] = to_lower(s[i]);
    low[sep] = '\0';
    chk = polymod_hrp(low, sep);
    for (size_t i = sep + 1; i < len; i++)
        chk = polymod_step(chk, charset_value(to_lower(s[i]), &bad));
    /* A bech32 (BIP-173) string leaves 1 here, never the bech32m constant. */
    wrong = 1u - is_zero32(chk ^ BECH32M_CONST);
    bad |= lower & upper;
    /* the verdict, which the caller is told: public from here on */
    tacit__declassify(&bad, sizeof bad);
    tacit__declassify(&wrong, sizeof wrong);
    if (bad) return TACIT_EENCODING;
    if (sep + 1 > hrp_size) return TACIT_ETOOBIG;
    if (wrong) return TACIT_ECHECKSUM;
    memcpy(hrp, low, sep + 1);
    *data = s + sep + 1;
    *n5 = len - sep - 1 - CHECKSUM_LEN;
    return TACIT_OK;
}

int tacit_bech32m_decode(char *hrp, size_t hrp_size, uint8_t *data5, size_t *n5, size_t data5_cap,
                         const char *s, size_t max_len)
{
    const char *d;
    size_t n;
    uint32_t bad = 0; /* checked by dec_check */
    int rc;

    *n5 = 0;
    if (hrp_size > 0) memset(hrp, 0, hrp_size);
    if ((rc = dec_check(hrp, hrp_size, &d, &n, s, max_len)) != TACIT_OK) return rc;
    if (n > data5_cap) {
        memset(hrp, 0, hrp_size);
        return TACIT_ETOOBIG;
    }
    for (size_t i = 0; i < n; i++) data5[i] = charset_value(to_lower(d[i]), &bad);
    *n5 = n;
    return TACIT_OK;
}

int tacit_bech32m_decode_bytes(char *hrp, size_t hrp_size, uint8_t *data, size_t *len, size_t cap,
                               const char *s, size_t max_len)
{
    const char *d;
    size_t n, nbytes, out = 0;
    uint32_t acc = 0, bad = 0;
    unsigned bits = 0;
    int rc;

    *len = 0;
    if (hrp_size > 0) memset(hrp, 0, hrp_size);
    if ((rc = dec_check(hrp, hrp_size, &d, &n, s, max_len)) != TACIT_OK) return rc;
    nbytes = n * 5 / 8;
    if (nbytes > cap) {
        rc = TACIT_ETOOBIG;
        goto fail;
    }
    /* 5 -> 8 bits; bits depends on the position only. What is left must be padding: at most
     * 4 bits, all zero (BIP-173). */
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 5) | charset_value(to_lower(d[i]), &bad);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            data[out++] = (uint8_t)(acc >> bits);
        }
        acc &= (1u << bits) - 1;
    }
    bad = (bits > 4) | (1u - is_zero32(acc));
    tacit__declassify(&bad, sizeof bad);
    if (bad) {
        rc = TACIT_EENCODING;
        goto fail;
    }
    *len = out;
    return TACIT_OK;

fail:
    memset(hrp, 0, hrp_size);
    if (cap > 0) memset(data, 0, nbytes < cap ? nbytes : cap);
    return rc;
}
