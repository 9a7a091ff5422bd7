/*
 * tacit — fuzz target for tacit_u256_from_dec, the strict decimal parser behind every
 * number of the snarkjs JSON forms.
 *
 * Input: the bytes as a C string (up to the first NUL). Checks against a reference written
 * here from the grammar in bn254.h (1 to 78 digits, no leading zero except "0", value below
 * 2^256): the parser accepts exactly those strings, leaves out zeroed on rejection, and
 * tacit_u256_to_dec writes an accepted string back unchanged. When the input has at least
 * 32 bytes they are also read as four little-endian limbs and must survive to_dec/from_dec.
 */
#include <string.h>

#include "fuzz.h"
#include "tacit/bn254.h"
#include "tacit/error.h"

/* 2^256 - 1 */
static const char U256_MAX_DEC[] =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

static int reference_accepts(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 78) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    if (s[0] == '0' && n > 1) return 0;
    /* same number of digits, no leading zeros: numeric order is string order */
    return n < 78 || strcmp(s, U256_MAX_DEC) <= 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t zero[4] = {0, 0, 0, 0};
    char *s = malloc(size + 1), dec[79];
    uint64_t v[4], w[4];
    int rc;

    FUZZ_CHECK(s != NULL);
    if (size) memcpy(s, data, size);
    s[size] = '\0';

    memset(v, 0xa5, sizeof v);
    rc = tacit_u256_from_dec(v, s);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EENCODING);
    FUZZ_CHECK((rc == TACIT_OK) == reference_accepts(s));
    if (rc == TACIT_OK) {
        tacit_u256_to_dec(dec, v);
        FUZZ_CHECK(strcmp(dec, s) == 0);
    } else {
        FUZZ_CHECK(memcmp(v, zero, sizeof v) == 0);
    }

    if (size >= 32) {
        memcpy(w, data, sizeof w);
        tacit_u256_to_dec(dec, w);
        FUZZ_CHECK(strlen(dec) >= 1 && strlen(dec) <= 78);
        FUZZ_CHECK(tacit_u256_from_dec(v, dec) == TACIT_OK);
        FUZZ_CHECK(memcmp(v, w, sizeof v) == 0);
    }
    free(s);
    return 0;
}
