/*
 * tacit — bech32m (include/tacit/bech32m.h).
 *
 * Written from the specifications: BIP-173 (the BCH code over GF(32), its generator, the
 * human-readable-part expansion, the 8 <-> 5 bit regrouping and its padding rules) and
 * BIP-350 (bech32m: the same code with the final constant 0x2bc830a3 instead of 1, which
 * closes bech32's weakness to inserting or deleting 'q' before a final 'p').
 *
 * Encoding and decoding stream the characters: no buffer of 5-bit values, no allocation, and
 * the checksum is computed as the characters go by. Variable time: nothing here is secret
 * except the payload of a key's text form, and the work depends only on its length.
 */
#include <stdbool.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/bech32m.h"

#define BECH32M_CONST 0x2bc830a3u
#define CHECKSUM_LEN 6

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

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

/* The value 0..31 of a lower-case data character, or -1; every entry compared, no early
 * exit (the string may be a secret key). */
static int charset_value(char c)
{
    int v = -1;
    for (int i = 0; i < 32; i++) {
        int eq = (int)(((uint32_t)(uint8_t)(CHARSET[i] ^ c) - 1u) >> 31); /* 1 iff equal */
        v ^= (v ^ i) & -eq;
    }
    return v;
}

/* Without a branch on c, as the case checks below: a secret key's letters and digits would
 * otherwise take different paths. */
static char to_lower(char c)
{
    uint32_t up = (uint32_t)(uint8_t)c - 'A' < 26u;
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
    for (int i = 0; i < CHECKSUM_LEN; i++) e->out[e->pos++] = charset_ct((chk >> (5 * (5 - i))) & 31);
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

/*
 * Checks s completely (characters, case, separator, lengths, checksum) and copies out the
 * lower-case hrp. Out: *data (the first data character in s), *n5 (data characters, checksum
 * excluded). Capacity of the data is the caller's check.
 */
static int dec_check(char *hrp, size_t hrp_size, const char **data, size_t *n5, const char *s,
                     size_t max_len)
{
    size_t len = strnlen(s, max_len + 1), sep = len;
    unsigned lower = 0, upper = 0;
    uint32_t chk;

    if (len > max_len) return TACIT_ETOOBIG;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 33 || c > 126) return TACIT_EENCODING;
        lower |= (uint32_t)c - 'a' < 26u;
        upper |= (uint32_t)c - 'A' < 26u;
        if (c == '1') sep = i; /* the last '1' separates: the hrp may contain '1' */
    }
    if (lower && upper) return TACIT_EENCODING;
    if (sep == len || sep == 0 || sep > TACIT_BECH32M_HRP_MAX) return TACIT_EENCODING;
    if (len - sep - 1 < CHECKSUM_LEN) return TACIT_EENCODING;
    for (size_t i = sep + 1; i < len; i++)
        if (charset_value(to_lower(s[i])) < 0) return TACIT_EENCODING;
    if (sep + 1 > hrp_size) return TACIT_ETOOBIG;

    for (size_t i = 0; i < sep; i++) hrp[i] = to_lower(s[i]);
    hrp[sep] = '\0';
    chk = polymod_hrp(hrp, sep);
    for (size_t i = sep + 1; i < len; i++) chk = polymod_step(chk, (uint8_t)charset_value(to_lower(s[i])));
    /* A bech32 (BIP-173) string leaves 1 here, never the bech32m constant. */
    if (chk != BECH32M_CONST) {
        memset(hrp, 0, sep + 1);
        return TACIT_ECHECKSUM;
    }
    *data = s + sep + 1;
    *n5 = len - sep - 1 - CHECKSUM_LEN;
    return TACIT_OK;
}

int tacit_bech32m_decode(char *hrp, size_t hrp_size, uint8_t *data5, size_t *n5,
                         size_t data5_cap, const char *s, size_t max_len)
{
    const char *d;
    size_t n;
    int rc;

    *n5 = 0;
    if (hrp_size > 0) memset(hrp, 0, hrp_size);
    if ((rc = dec_check(hrp, hrp_size, &d, &n, s, max_len)) != TACIT_OK) return rc;
    if (n > data5_cap) {
        memset(hrp, 0, hrp_size);
        return TACIT_ETOOBIG;
    }
    for (size_t i = 0; i < n; i++) data5[i] = (uint8_t)charset_value(to_lower(d[i]));
    *n5 = n;
    return TACIT_OK;
}

int tacit_bech32m_decode_bytes(char *hrp, size_t hrp_size, uint8_t *data, size_t *len,
                               size_t cap, const char *s, size_t max_len)
{
    const char *d;
    size_t n, nbytes, out = 0;
    uint32_t acc = 0;
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
    /* 5 -> 8 bits. What is left must be padding: at most 4 bits, all zero (BIP-173). */
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 5) | (uint32_t)charset_value(to_lower(d[i]));
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            data[out++] = (uint8_t)(acc >> bits);
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 4 || acc != 0) {
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
