/*
 * Decimal strings <-> 256-bit integers (little-endian 64-bit limbs), for the snarkjs JSON
 * form of field elements and points. The parser is strict, see bn254.h: digits only,
 * 1 to 78 of them, no leading zero except "0" itself, value below 2^256.
 */
#include <stdint.h>
#include <string.h>

#include "crypto/field_impl.h"
#include "tacit/bn254.h"
#include "tacit/error.h"

#define U256_MAX_DIGITS 78 /* 2^256 - 1 has 78 decimal digits */

int tacit_u256_from_dec(uint64_t out[4], const char *s)
{
    uint64_t v[4] = {0, 0, 0, 0};
    size_t n;

    memset(out, 0, 4 * sizeof out[0]);
    if (s == NULL) return TACIT_EENCODING;
    for (n = 0; n <= U256_MAX_DIGITS && s[n] != '\0'; n++)
        if (s[n] < '0' || s[n] > '9') return TACIT_EENCODING;
    if (n == 0 || n > U256_MAX_DIGITS) return TACIT_EENCODING;
    if (s[0] == '0' && n > 1) return TACIT_EENCODING;

    for (size_t i = 0; i < n; i++) {
        /* v = 10 v + digit; a carry out of the top limb means v >= 2^256 */
        uint64_t carry = (uint64_t)(s[i] - '0');
        for (int j = 0; j < 4; j++) {
            tacit__u128 t = (tacit__u128)v[j] * 10 + carry;
            v[j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        if (carry != 0) return TACIT_EENCODING;
    }
    memcpy(out, v, sizeof v);
    return TACIT_OK;
}

void tacit_u256_to_dec(char out[79], const uint64_t in[4])
{
    static const uint64_t CHUNK = 10000000000000000000ULL; /* 10^19 */
    uint64_t v[4], rem[5];
    char buf[80];
    size_t pos = sizeof buf;
    int nchunks = 0;

    memcpy(v, in, sizeof v);
    /* Divide by 10^19 until zero; 78 digits need at most 5 chunks. */
    do {
        tacit__u128 r = 0;
        for (int j = 3; j >= 0; j--) {
            tacit__u128 cur = (r << 64) | v[j];
            v[j] = (uint64_t)(cur / CHUNK);
            r = cur % CHUNK;
        }
        rem[nchunks++] = (uint64_t)r;
    } while ((v[0] | v[1] | v[2] | v[3]) != 0);

    buf[--pos] = '\0';
    for (int c = 0; c < nchunks; c++) {
        uint64_t x = rem[c];
        bool top = c == nchunks - 1;
        for (int d = 0; d < 19; d++) {
            if (top && x == 0 && d > 0) break; /* no leading zeros in the top chunk */
            buf[--pos] = (char)('0' + x % 10);
            x /= 10;
        }
    }
    memcpy(out, buf + pos, sizeof buf - pos);
}
