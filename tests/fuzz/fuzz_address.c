/*
 * tacit — fuzz target for the text forms of include/tacit/keys.h: bech32m, shielded
 * addresses, viewing keys and spending keys, all of which users paste in.
 *
 * Input: the bytes as a C string (up to the first NUL). Checks: only the documented error
 * codes; outputs zeroed (or NULL) on failure; whatever parses writes back to the input in
 * lower case (bech32m has one encoding per value, so anything else would be a second
 * spelling of the same key). When the input has at least 64 bytes they are also tried as a
 * binary address, which must survive its text form.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "tacit/error.h"
#include "tacit/keys.h"

static bool same_lower(const char *encoded, const char *in)
{
    size_t n = strlen(in);
    if (strlen(encoded) != n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (encoded[i] != c) return false;
    }
    return true;
}

static bool key_error(int rc)
{
    return rc == TACIT_ETOOBIG || rc == TACIT_EENCODING || rc == TACIT_ECHECKSUM ||
           rc == TACIT_ENETWORK || rc == TACIT_ENONCANONICAL;
}

static void generic(const char *s)
{
    char hrp[TACIT_BECH32M_HRP_MAX + 1], back[1200];
    uint8_t d[1100];
    size_t n = 99;
    int rc;

    rc = tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d, s, 1000);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_ETOOBIG || rc == TACIT_EENCODING ||
               rc == TACIT_ECHECKSUM);
    if (rc == TACIT_OK) {
        FUZZ_CHECK(tacit_bech32m_encode(back, sizeof back, hrp, d, n) == TACIT_OK);
        FUZZ_CHECK(same_lower(back, s));
    } else {
        FUZZ_CHECK(n == 0 && hrp[0] == '\0');
    }
    rc = tacit_bech32m_decode_bytes(hrp, sizeof hrp, d, &n, sizeof d, s, 1000);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_ETOOBIG || rc == TACIT_EENCODING ||
               rc == TACIT_ECHECKSUM);
    if (rc == TACIT_OK) {
        FUZZ_CHECK(tacit_bech32m_encode_bytes(back, sizeof back, hrp, d, n) == TACIT_OK);
        FUZZ_CHECK(same_lower(back, s));
    } else {
        FUZZ_CHECK(n == 0 && hrp[0] == '\0');
    }
}

static void keys(const char *s, enum tacit_network net)
{
    static const struct tacit_shielded_address zero;
    struct tacit_shielded_address a;
    struct tacit_viewing_key *vk = (struct tacit_viewing_key *)&a;
    struct tacit_spending_key *sk = (struct tacit_spending_key *)&a;
    char back[TACIT_KEYS_STR_MAX];
    int rc;

    rc = tacit_shielded_address_decode(&a, net, s);
    FUZZ_CHECK(rc == TACIT_OK || key_error(rc));
    if (rc == TACIT_OK) {
        FUZZ_CHECK(tacit_shielded_address_encode(back, &a, net) == TACIT_OK);
        FUZZ_CHECK(same_lower(back, s));
    } else {
        FUZZ_CHECK(memcmp(&a, &zero, sizeof a) == 0);
    }

    rc = tacit_viewing_key_decode(&vk, net, s);
    FUZZ_CHECK(rc == TACIT_OK || key_error(rc) || rc == TACIT_ENOMEM);
    if (rc == TACIT_OK) {
        FUZZ_CHECK(tacit_viewing_key_encode(back, vk, tacit_viewing_key_kind(vk), net) == TACIT_OK);
        FUZZ_CHECK(same_lower(back, s));
        tacit_viewing_key_free(vk);
    } else {
        FUZZ_CHECK(vk == NULL);
    }

    rc = tacit_spending_key_decode(&sk, net, s);
    FUZZ_CHECK(rc == TACIT_OK || key_error(rc) || rc == TACIT_ENOMEM);
    if (rc == TACIT_OK) {
        FUZZ_CHECK(tacit_spending_key_encode(back, sk, net) == TACIT_OK);
        FUZZ_CHECK(same_lower(back, s));
        tacit_spending_key_free(sk);
    } else {
        FUZZ_CHECK(sk == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    FUZZ_CHECK(s != NULL);
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    generic(s);
    keys(s, TACIT_NETWORK_MAINNET);
    keys(s, TACIT_NETWORK_DEVNET);

    if (size >= TACIT_SHIELDED_ADDRESS_BYTES) {
        struct tacit_shielded_address a, b;
        char text[TACIT_KEYS_STR_MAX];
        int rc = tacit_shielded_address_from_bytes(&a, data);
        FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_ENONCANONICAL || rc == TACIT_EENCODING);
        if (rc == TACIT_OK) {
            FUZZ_CHECK(tacit_shielded_address_encode(text, &a, TACIT_NETWORK_DEVNET) == TACIT_OK);
            FUZZ_CHECK(tacit_shielded_address_decode(&b, TACIT_NETWORK_DEVNET, text) == TACIT_OK);
            FUZZ_CHECK(tacit_shielded_address_eq(&a, &b));
        }
    }
    free(s);
    return 0;
}
