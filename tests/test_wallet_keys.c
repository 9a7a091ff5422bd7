/*
 * tacit — wallet keys and their text forms (include/tacit/keys.h): bech32m against the
 * BIP-350 test vectors, key derivation against DESIGN.md 2.3 and the transfer circuit, and
 * every rule of the address, viewing-key and spending-key parsers with its own negative test.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/keys.h"
#include "tacit/note.h"
#include "tacit/poseidon.h"
#include "tacit/txbuild.h"
#include "tacit/util.h"
#include "wallet/keys_internal.h"

#define BIP_MAX_LEN 90 /* the BIP-173/350 length limit the vectors are written for */

/* r, the BN254 scalar field modulus, big-endian */
static const char R_HEX[] = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

/* --------------------------------------------------- a reference checksum ---- *
 * An independent BIP-173 checksum, written here from the BIP text, to make strings with a
 * bech32 (constant 1) checksum that the bech32m decoder must refuse. */

static uint32_t ref_polymod(const uint8_t *v, size_t n)
{
    static const uint32_t g[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t c = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t b = c >> 25;
        c = ((c & 0x1ffffff) << 5) ^ v[i];
        for (int j = 0; j < 5; j++) c ^= ((b >> j) & 1) ? g[j] : 0;
    }
    return c;
}

/* hrp "1" data checksum(constant) into out; data5 values 0..31. */
static void ref_encode(char *out, const char *hrp, const uint8_t *data5, size_t n5,
                       uint32_t constant)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    uint8_t v[400];
    size_t h = strlen(hrp), n = 0;
    uint32_t pm;

    for (size_t i = 0; i < h; i++) v[n++] = (uint8_t)(hrp[i] >> 5);
    v[n++] = 0;
    for (size_t i = 0; i < h; i++) v[n++] = (uint8_t)(hrp[i] & 31);
    memcpy(v + n, data5, n5);
    n += n5;
    memset(v + n, 0, 6);
    pm = ref_polymod(v, n + 6) ^ constant;
    sprintf(out, "%s1", hrp);
    for (size_t i = 0; i < n5; i++) out[h + 1 + i] = cs[data5[i]];
    for (int i = 0; i < 6; i++) out[h + 1 + n5 + i] = cs[(pm >> (5 * (5 - i))) & 31];
    out[h + 1 + n5 + 6] = '\0';
}

/* bytes -> 5-bit groups, zero-padded */
static size_t to5(uint8_t *out, const uint8_t *in, size_t len)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[n++] = (acc >> bits) & 31;
        }
    }
    if (bits) out[n++] = (acc << (5 - bits)) & 31;
    return n;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z') *s = (char)(*s - 'A' + 'a');
}

/* ------------------------------------------------------------- bech32m ---- */

/* BIP-350, "Test vectors for Bech32m": the valid strings. */
static const char *const BIP350_VALID[] = {
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
};

TEST(bip350_valid)
{
    for (size_t i = 0; i < sizeof BIP350_VALID / sizeof BIP350_VALID[0]; i++) {
        char hrp[TACIT_BECH32M_HRP_MAX + 1], again[100], want[100];
        uint8_t d[100];
        size_t n = 999;
        int rc =
            tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d, BIP350_VALID[i], BIP_MAX_LEN);
        CHECK_EQ_INT(rc, TACIT_OK);
        if (rc != TACIT_OK) continue;
        /* writing it back gives the string in lower case */
        CHECK_EQ_INT(tacit_bech32m_encode(again, sizeof again, hrp, d, n), TACIT_OK);
        snprintf(want, sizeof want, "%s", BIP350_VALID[i]);
        lower(want);
        CHECK(strcmp(again, want) == 0);
    }
    /* the data of "abcdef1l7aum6...": the values 31 down to 0 */
    {
        char hrp[8];
        uint8_t d[40];
        size_t n = 0;
        CHECK_EQ_INT(tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d, BIP350_VALID[3], 90),
                     TACIT_OK);
        CHECK_EQ_INT(n, 32);
        CHECK(strcmp(hrp, "abcdef") == 0);
        for (size_t i = 0; i < n && i < 32; i++) CHECK_EQ_INT(d[i], 31 - (int)i);
    }
}

/* BIP-350, "Test vectors for Bech32m": the invalid strings, each with the code it must get. */
TEST(bip350_invalid)
{
    static const struct {
        const char *s;
        int rc;
    } v[] = {
        {"\x20"
         "1xj0phk",
         TACIT_EENCODING}, /* HRP character out of range */
        {"\x7f"
         "1g6xzxy",
         TACIT_EENCODING}, /* HRP character out of range */
        {"\x80"
         "1vctc34",
         TACIT_EENCODING}, /* HRP character out of range */
        {"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pt"
         "s4",
         TACIT_ETOOBIG},                    /* overall max length exceeded */
        {"qyrz8wqd2c9m", TACIT_EENCODING},  /* no separator character */
        {"1qyrz8wqd2c9m", TACIT_EENCODING}, /* empty HRP */
        {"y1b0jsk6g", TACIT_EENCODING},     /* invalid data character */
        {"lt1igcx5c0", TACIT_EENCODING},    /* invalid data character */
        {"in1muywd", TACIT_EENCODING},      /* too short checksum */
        {"mm1crxm3i", TACIT_EENCODING},     /* invalid character in checksum */
        {"au1s5cgom", TACIT_EENCODING},     /* invalid character in checksum */
        {"M1VUXWEZ", TACIT_ECHECKSUM},      /* checksum calculated with uppercase form of HRP */
        {"16plkw9", TACIT_EENCODING},       /* empty HRP */
        {"1p2gdwpf", TACIT_EENCODING},      /* empty HRP */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char hrp[TACIT_BECH32M_HRP_MAX + 1];
        uint8_t d[100];
        size_t n = 7;
        int rc = tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d, v[i].s, BIP_MAX_LEN);
        if (rc != v[i].rc) printf("  vector %zu: %s\n", i, tacit_errname(rc));
        CHECK_EQ_INT(rc, v[i].rc);
        CHECK_EQ_INT(n, 0);
        CHECK_EQ_INT(hrp[0], 0);
    }
    /* The 84-character hrp is refused on its own too, whatever the length limit. */
    {
        char hrp[100];
        uint8_t d[10];
        size_t n;
        CHECK_EQ_INT(tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d,
                                          "an84characterslonghumanreadablepartthatcontainsthetheexc"
                                          "ludedcharactersbioandnumber11d6pts4",
                                          1000),
                     TACIT_EENCODING);
    }
    /* mixed case (BIP-173: decoders must not accept it) */
    {
        char hrp[8];
        uint8_t d[10];
        size_t n;
        CHECK_EQ_INT(tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d, "A1LQfN3A", 90),
                     TACIT_EENCODING);
        CHECK_EQ_INT(tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d, "a1LQFN3A", 90),
                     TACIT_EENCODING);
    }
}

/*
 * BIP-350, "Test vectors for v0-v16 native segregated witness addresses": the v1+ addresses
 * are bech32m, their data after the version character is the witness program (the script
 * bytes after the 2-byte header); the v0 ones are bech32 and must be refused.
 */
TEST(bip350_segwit_addresses)
{
    static const struct {
        const char *s, *script;
    } ok[] = {
        {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
         "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
        {"BC1SW50QGDZ25J", "6002751e"},
        {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
        {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
         "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
        {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
         "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
    };
    static const char *const bech32[] = {
        /* valid v0 addresses (bech32) */
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        /* invalid: bech32 instead of bech32m */
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
        "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
        "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
        /* BIP-173's valid bech32 strings */
        "A12UEL5L",
        "a12uel5l",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char hrp[8];
        uint8_t d[100], prog[64], script[64];
        size_t n = 0, plen = 0, slen = strlen(ok[i].script) / 2;
        uint32_t acc = 0;
        unsigned bits = 0;
        CHECK_EQ_INT(tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d, ok[i].s, 90), TACIT_OK);
        CHECK_EQ_INT(tacit_hex_decode(script, slen, ok[i].script, false), TACIT_OK);
        if (n == 0) continue;
        for (size_t j = 1; j < n; j++) { /* 5 -> 8, the padding dropped */
            acc = (acc << 5) | d[j];
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                prog[plen++] = (uint8_t)(acc >> bits);
            }
            acc &= (1u << bits) - 1;
        }
        CHECK_EQ_INT(script[0], 0x50 + d[0]); /* OP_1 .. OP_16 */
        CHECK_EQ_INT(script[1], plen);
        CHECK_EQ_INT(slen, plen + 2);
        if (slen == plen + 2) CHECK_MEM(prog, script + 2, plen);
    }
    for (size_t i = 0; i < sizeof bech32 / sizeof bech32[0]; i++) {
        char hrp[8];
        uint8_t d[100];
        size_t n = 3;
        CHECK_EQ_INT(tacit_bech32m_decode(hrp, sizeof hrp, d, &n, sizeof d, bech32[i], 90),
                     TACIT_ECHECKSUM);
        CHECK_EQ_INT(n, 0);
    }
}

TEST(bech32m_bytes_padding)
{
    char s[200], hrp[16];
    uint8_t d5[60], b[40], back[40];
    size_t n, len;

    /* round trips of every length 0..40 */
    for (size_t l = 0; l <= 40; l++) {
        tacit_test_rand_bytes(b, l);
        CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "xy", b, l), TACIT_OK);
        CHECK_EQ_INT(strlen(s), 3 + (l * 8 + 4) / 5 + 6);
        CHECK_EQ_INT(tacit_bech32m_decode_bytes(hrp, sizeof hrp, back, &len, sizeof back, s, 200),
                     TACIT_OK);
        CHECK_EQ_INT(len, l);
        CHECK_MEM(back, b, l);
    }
    /* 32 bytes: 52 groups, the last with 4 padding bits that must be zero */
    tacit_test_rand_bytes(b, 32);
    n = to5(d5, b, 32);
    CHECK_EQ_INT(n, 52);
    d5[51] |= 1;
    CHECK_EQ_INT(tacit_bech32m_encode(s, sizeof s, "xy", d5, n), TACIT_OK);
    CHECK_EQ_INT(tacit_bech32m_decode_bytes(hrp, sizeof hrp, back, &len, sizeof back, s, 200),
                 TACIT_EENCODING);
    CHECK_EQ_INT(len, 0);
    /* 9 groups = 45 bits: 5 bits of padding, more than 4, even when zero */
    memset(d5, 0, 9);
    CHECK_EQ_INT(tacit_bech32m_encode(s, sizeof s, "xy", d5, 9), TACIT_OK);
    CHECK_EQ_INT(tacit_bech32m_decode_bytes(hrp, sizeof hrp, back, &len, sizeof back, s, 200),
                 TACIT_EENCODING);
    /* data larger than the caller's buffer */
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "xy", b, 32), TACIT_OK);
    CHECK_EQ_INT(tacit_bech32m_decode_bytes(hrp, sizeof hrp, back, &len, 31, s, 200),
                 TACIT_ETOOBIG);
    CHECK_EQ_INT(tacit_bech32m_decode_bytes(hrp, 2, back, &len, sizeof back, s, 200),
                 TACIT_ETOOBIG);
    CHECK_EQ_INT(tacit_bech32m_decode(hrp, sizeof hrp, d5, &n, 51, s, 200), TACIT_ETOOBIG);
}

TEST(bech32m_encode_errors)
{
    char s[64];
    uint8_t d[4] = {0, 1, 31, 32};

    CHECK_EQ_INT(tacit_bech32m_encode(s, sizeof s, "ab", d, 3), TACIT_OK);
    CHECK_EQ_INT(tacit_bech32m_encode(s, sizeof s, "ab", d, 4), TACIT_EINVAL); /* 32 */
    CHECK_EQ_INT(s[0], 0);
    CHECK_EQ_INT(tacit_bech32m_encode(s, sizeof s, "", d, 3), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_bech32m_encode(s, sizeof s, "Ab", d, 3), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_bech32m_encode(s, sizeof s, "a b", d, 3), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_bech32m_encode(s, sizeof s, "a\x7f", d, 3), TACIT_EINVAL);
    /* "ab1" + 3 + 6 + NUL = 13 bytes: 12 is too small, 13 fits */
    CHECK_EQ_INT(tacit_bech32m_encode(s, 12, "ab", d, 3), TACIT_ETOOBIG);
    CHECK_EQ_INT(s[0], 0);
    CHECK_EQ_INT(tacit_bech32m_encode(s, 13, "ab", d, 3), TACIT_OK);
    CHECK_EQ_INT(strlen(s), 12);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, 10, "ab", (const uint8_t *)"xyz", 3), TACIT_ETOOBIG);
}

/* ------------------------------------------------------------------ keys ---- */

static struct tacit_spending_key *random_key(void)
{
    struct tacit_spending_key *k = NULL;
    uint8_t seed[64];
    tacit_test_rand_bytes(seed, sizeof seed);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, seed), TACIT_OK);
    return k;
}

TEST(derivation_follows_design)
{
    int iters = tacit_test_iters(20);
    for (int it = 0; it < iters; it++) {
        static const unsigned char personal[16] = "tacit-enc";
        uint8_t seed[64], skb[32], enc_sk[32], enc_pk[32], vkb[64];
        struct tacit_spending_key *k = NULL;
        struct tacit_shielded_address a;
        tacit_fr sk, nk, pk, nk2, pk2;

        tacit_test_rand_bytes(seed, sizeof seed);
        CHECK_EQ_INT(tacit_spending_key_from_wide(&k, seed), TACIT_OK);
        if (k == NULL) return;
        /* sk: the 64 bytes reduced mod r */
        tacit_fr_from_wide(&sk, seed);
        CHECK(tacit_fr_eq(tacit_spending_key_sk(k), &sk));
        /* nk = Poseidon(sk), pk = Poseidon(nk), as txbuild (and the circuit) derive them */
        CHECK_EQ_INT(tacit_poseidon(&nk, &sk, 1), TACIT_OK);
        CHECK_EQ_INT(tacit_poseidon(&pk, &nk, 1), TACIT_OK);
        tacit_txbuild_keys(&nk2, &pk2, &sk);
        CHECK(tacit_fr_eq(&nk, &nk2));
        CHECK(tacit_fr_eq(&pk, &pk2));
        /* enc_sk = BLAKE2b-256(personal "tacit-enc", sk BE), enc_pk = X25519 base mult */
        tacit_fr_to_bytes(skb, &sk);
        crypto_generichash_blake2b_salt_personal(enc_sk, 32, skb, 32, NULL, 0, NULL, personal);
        CHECK_EQ_INT(crypto_scalarmult_base(enc_pk, enc_sk), 0);
        tacit_spending_key_address(&a, k);
        CHECK(tacit_fr_eq(&a.pk, &pk));
        CHECK_MEM(a.enc_pk, enc_pk, 32);
        /* the full viewing key's bytes: nk || enc_sk; the incoming one's: pk || enc_sk */
        CHECK_EQ_INT(tacit_viewing_key_to_bytes(vkb, tacit_spending_key_viewing_key(k),
                                                TACIT_VIEWING_KEY_FULL),
                     TACIT_OK);
        tacit_fr_to_bytes(skb, &nk);
        CHECK_MEM(vkb, skb, 32);
        CHECK_MEM(vkb + 32, enc_sk, 32);
        CHECK_EQ_INT(tacit_viewing_key_to_bytes(vkb, tacit_spending_key_viewing_key(k),
                                                TACIT_VIEWING_KEY_INCOMING),
                     TACIT_OK);
        tacit_fr_to_bytes(skb, &pk);
        CHECK_MEM(vkb, skb, 32);
        CHECK_MEM(vkb + 32, enc_sk, 32);
        /* sk round trip through bytes */
        tacit_spending_key_to_bytes(skb, k);
        tacit_spending_key_free(k);
        CHECK_EQ_INT(tacit_spending_key_from_bytes(&k, skb), TACIT_OK);
        if (k != NULL) CHECK(tacit_fr_eq(tacit_spending_key_sk(k), &sk));
        tacit_spending_key_free(k);
    }
    { /* random keys differ */
        struct tacit_spending_key *a = NULL, *b = NULL;
        CHECK_EQ_INT(tacit_spending_key_new(&a), TACIT_OK);
        CHECK_EQ_INT(tacit_spending_key_new(&b), TACIT_OK);
        if (a && b) CHECK(!tacit_fr_eq(tacit_spending_key_sk(a), tacit_spending_key_sk(b)));
        tacit_spending_key_free(a);
        tacit_spending_key_free(b);
    }
}

/* The nullifiers a full viewing key computes are those the transfer circuit proves. */
TEST(nullifiers_match_the_circuit)
{
    int iters = tacit_test_iters(4);
    for (int it = 0; it < iters; it++) {
        struct tacit_transfer t;
        tacit_fr pub[TACIT_TRANSFER_NPUBLIC];
        uint8_t seed[32];

        tacit_test_rand_bytes(seed, sizeof seed);
        CHECK_EQ_INT(tacit_transfer_example(&t, 8, seed), TACIT_OK);
        CHECK_EQ_INT(tacit_transfer_public_inputs(pub, &t, 8), TACIT_OK);
        for (int i = 0; i < 2; i++) {
            struct tacit_spending_key *k = NULL;
            struct tacit_shielded_address a;
            uint8_t skb[32];
            tacit_fr cm, nf;

            tacit_fr_to_bytes(skb, &t.in[i].sk);
            CHECK_EQ_INT(tacit_spending_key_from_bytes(&k, skb), TACIT_OK);
            if (k == NULL) continue;
            tacit_spending_key_address(&a, k);
            tacit_note_commitment(&cm, t.in[i].value, &a.pk, &t.in[i].blinding);
            CHECK_EQ_INT(tacit_viewing_key_nullifier(&nf, tacit_spending_key_viewing_key(k), &cm,
                                                     t.in[i].path.index),
                         TACIT_OK);
            CHECK(tacit_fr_eq(&nf, &pub[TACIT_TRANSFER_PUB_NF0 + i]));
            tacit_spending_key_free(k);
        }
    }
}

TEST(spending_key_rejects_noncanonical)
{
    struct tacit_spending_key *k = (struct tacit_spending_key *)1;
    uint8_t b[32];
    char s[TACIT_KEYS_STR_MAX];

    CHECK_EQ_INT(tacit_hex_decode(b, 32, R_HEX, false), TACIT_OK);
    CHECK_EQ_INT(tacit_spending_key_from_bytes(&k, b), TACIT_ENONCANONICAL);
    CHECK(k == NULL);
    /* the same through the text form */
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacitsk", b, 32), TACIT_OK);
    k = (struct tacit_spending_key *)1;
    CHECK_EQ_INT(tacit_spending_key_decode(&k, TACIT_NETWORK_MAINNET, s), TACIT_ENONCANONICAL);
    CHECK(k == NULL);
    /* r - 1 is fine */
    b[31] = 0;
    CHECK_EQ_INT(tacit_spending_key_from_bytes(&k, b), TACIT_OK);
    tacit_spending_key_free(k);
    tacit_spending_key_free(NULL);
    tacit_viewing_key_free(NULL);
}

/* ------------------------------------------------------------- addresses ---- */

TEST(address_round_trip)
{
    int iters = tacit_test_iters(20);
    for (int it = 0; it < iters; it++) {
        struct tacit_spending_key *k = random_key();
        struct tacit_shielded_address a, b;
        char s[TACIT_KEYS_STR_MAX], up[TACIT_KEYS_STR_MAX];

        if (k == NULL) return;
        tacit_spending_key_address(&a, k);
        for (int net = 0; net < 2; net++) {
            const char *prefix = net == TACIT_NETWORK_MAINNET ? "tacit1" : "tdev1";
            CHECK_EQ_INT(tacit_shielded_address_encode(s, &a, (enum tacit_network)net), TACIT_OK);
            CHECK(strncmp(s, prefix, strlen(prefix)) == 0);
            CHECK_EQ_INT(strlen(s), strlen(prefix) + 103 + 6);
            CHECK_EQ_INT(tacit_shielded_address_decode(&b, (enum tacit_network)net, s), TACIT_OK);
            CHECK(tacit_shielded_address_eq(&a, &b));
            /* the other network's parser says so */
            CHECK_EQ_INT(tacit_shielded_address_decode(&b, (enum tacit_network)(1 - net), s),
                         TACIT_ENETWORK);
            CHECK(tacit_fr_is_zero(&b.pk));
            /* all upper case is valid bech32m (QR codes); mixed case is not */
            for (size_t i = 0; i <= strlen(s); i++)
                up[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
            CHECK_EQ_INT(tacit_shielded_address_decode(&b, (enum tacit_network)net, up), TACIT_OK);
            CHECK(tacit_shielded_address_eq(&a, &b));
            up[strlen(up) - 1] = s[strlen(s) - 1];
            if (s[strlen(s) - 1] >= 'a') /* the last character is a letter */
                CHECK_EQ_INT(tacit_shielded_address_decode(&b, (enum tacit_network)net, up),
                             TACIT_EENCODING);
        }
        tacit_spending_key_free(k);
    }
}

/* Every single-character substitution is caught by the checksum (BCH distance). */
TEST(address_substitutions_detected)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    struct tacit_spending_key *k = random_key();
    struct tacit_shielded_address a, b;
    char s[TACIT_KEYS_STR_MAX], t[TACIT_KEYS_STR_MAX];
    size_t len;

    if (k == NULL) return;
    tacit_spending_key_address(&a, k);
    CHECK_EQ_INT(tacit_shielded_address_encode(s, &a, TACIT_NETWORK_DEVNET), TACIT_OK);
    len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '1') continue;
        for (int c = 0; c < 32; c++) {
            char ch = i < 4 ? (char)('a' + c % 26) : cs[c];
            if (ch == s[i]) continue;
            memcpy(t, s, len + 1);
            t[i] = ch;
            int rc = tacit_shielded_address_decode(&b, TACIT_NETWORK_DEVNET, t);
            if (rc != TACIT_ECHECKSUM)
                printf("  position %zu char %c: %s\n", i, ch, tacit_errname(rc));
            CHECK_EQ_INT(rc, TACIT_ECHECKSUM);
        }
    }
    /* a dropped or an inserted 'q' before the checksum (bech32's weakness) */
    memcpy(t, s, len - 6);
    memcpy(t + len - 6, s + len - 5, 6);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_DEVNET, t), TACIT_ECHECKSUM);
    memcpy(t, s, len - 6);
    t[len - 6] = 'q';
    memcpy(t + len - 5, s + len - 6, 7);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_DEVNET, t), TACIT_ECHECKSUM);
    tacit_spending_key_free(k);
}

TEST(address_rejects)
{
    struct tacit_spending_key *k = random_key();
    struct tacit_shielded_address a, b;
    uint8_t raw[65], d5[120];
    char s[400];
    size_t n;

    if (k == NULL) return;
    tacit_spending_key_address(&a, k);
    tacit_shielded_address_to_bytes(raw, &a);

    /* bech32 (not m) checksum over the right hrp and data */
    n = to5(d5, raw, 64);
    ref_encode(s, "tacit", d5, n, 1);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_ECHECKSUM);
    /* the reference with the bech32m constant agrees with ours */
    ref_encode(s, "tacit", d5, n, 0x2bc830a3);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_OK);
    CHECK(tacit_shielded_address_eq(&a, &b));

    /* wrong lengths: 63 and 65 bytes */
    raw[64] = 7;
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacit", raw, 63), TACIT_OK);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacit", raw, 65), TACIT_OK);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacit", raw, 0), TACIT_OK);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);

    /* pk >= r */
    CHECK_EQ_INT(tacit_hex_decode(raw, 32, R_HEX, false), TACIT_OK);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacit", raw, 64), TACIT_OK);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_ENONCANONICAL);
    memset(raw, 0xff, 32);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tdev", raw, 64), TACIT_OK);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_DEVNET, s), TACIT_ENONCANONICAL);

    /* enc_pk of small order: 0 and 1 (RFC 7748's low-order u-coordinates) */
    tacit_shielded_address_to_bytes(raw, &a);
    memset(raw + 32, 0, 32);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacit", raw, 64), TACIT_OK);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);
    raw[32] = 1;
    CHECK_EQ_INT(tacit_shielded_address_from_bytes(&b, raw), TACIT_EENCODING);
    CHECK(tacit_fr_is_zero(&b.pk));

    /* another kind of string: a viewing key where an address is expected */
    CHECK_EQ_INT(tacit_viewing_key_encode(s, tacit_spending_key_viewing_key(k),
                                          TACIT_VIEWING_KEY_INCOMING, TACIT_NETWORK_MAINNET),
                 TACIT_OK);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);
    /* an unknown hrp */
    tacit_shielded_address_to_bytes(raw, &a);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "bc", raw, 64), TACIT_OK);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);
    /* longer than any key */
    memset(s, 'q', 300);
    s[300] = '\0';
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, s), TACIT_ETOOBIG);
    /* empty, garbage */
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, ""), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, TACIT_NETWORK_MAINNET, "tacit1"),
                 TACIT_EENCODING);
    /* an unknown network */
    CHECK_EQ_INT(tacit_shielded_address_encode(s, &a, (enum tacit_network)2), TACIT_EINVAL);
    CHECK_EQ_INT(s[0], 0);
    CHECK_EQ_INT(tacit_shielded_address_decode(&b, (enum tacit_network)2, "x"), TACIT_EINVAL);
    tacit_spending_key_free(k);
}

/* ----------------------------------------------------------- viewing keys ---- */

TEST(viewing_keys)
{
    struct tacit_spending_key *k = random_key();
    const struct tacit_viewing_key *fvk;
    struct tacit_viewing_key *f = NULL, *i = NULL, *x = NULL;
    struct tacit_shielded_address a, b;
    char s[TACIT_KEYS_STR_MAX];
    uint8_t raw[64];
    tacit_fr cm, nf1, nf2;

    if (k == NULL) return;
    fvk = tacit_spending_key_viewing_key(k);
    tacit_spending_key_address(&a, k);
    CHECK_EQ_INT(tacit_viewing_key_kind(fvk), TACIT_VIEWING_KEY_FULL);

    /* full: round trip, same address, same nullifiers */
    CHECK_EQ_INT(tacit_viewing_key_encode(s, fvk, TACIT_VIEWING_KEY_FULL, TACIT_NETWORK_MAINNET),
                 TACIT_OK);
    CHECK(strncmp(s, "tacitfvk1", 9) == 0);
    CHECK_EQ_INT(strlen(s), 118);
    CHECK_EQ_INT(tacit_viewing_key_decode(&f, TACIT_NETWORK_MAINNET, s), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&x, TACIT_NETWORK_DEVNET, s), TACIT_ENETWORK);
    CHECK(x == NULL);
    if (f == NULL) goto out;
    CHECK_EQ_INT(tacit_viewing_key_kind(f), TACIT_VIEWING_KEY_FULL);
    tacit_viewing_key_address(&b, f);
    CHECK(tacit_shielded_address_eq(&a, &b));
    tacit_test_rand_bytes(raw, 64);
    tacit_fr_from_wide(&cm, raw);
    CHECK_EQ_INT(tacit_viewing_key_nullifier(&nf1, fvk, &cm, 12345), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_nullifier(&nf2, f, &cm, 12345), TACIT_OK);
    CHECK(tacit_fr_eq(&nf1, &nf2));
    CHECK_EQ_INT(tacit_viewing_key_nullifier(&nf2, f, &cm, 12346), TACIT_OK);
    CHECK(!tacit_fr_eq(&nf1, &nf2));

    /* incoming: made from the full one, same address, no nullifiers, no full form */
    CHECK_EQ_INT(tacit_viewing_key_encode(s, f, TACIT_VIEWING_KEY_INCOMING, TACIT_NETWORK_DEVNET),
                 TACIT_OK);
    CHECK(strncmp(s, "tdevivk1", 8) == 0);
    CHECK_EQ_INT(tacit_viewing_key_decode(&i, TACIT_NETWORK_DEVNET, s), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&x, TACIT_NETWORK_MAINNET, s), TACIT_ENETWORK);
    if (i == NULL) goto out;
    CHECK_EQ_INT(tacit_viewing_key_kind(i), TACIT_VIEWING_KEY_INCOMING);
    tacit_viewing_key_address(&b, i);
    CHECK(tacit_shielded_address_eq(&a, &b));
    nf2 = TACIT_FR_ONE;
    CHECK_EQ_INT(tacit_viewing_key_nullifier(&nf2, i, &cm, 12345), TACIT_EINVAL);
    CHECK(tacit_fr_is_zero(&nf2));
    s[0] = 'x';
    CHECK_EQ_INT(tacit_viewing_key_encode(s, i, TACIT_VIEWING_KEY_FULL, TACIT_NETWORK_DEVNET),
                 TACIT_EINVAL);
    CHECK_EQ_INT(s[0], 0);
    memset(raw, 1, 64);
    CHECK_EQ_INT(tacit_viewing_key_to_bytes(raw, i, TACIT_VIEWING_KEY_FULL), TACIT_EINVAL);
    CHECK(sodium_is_zero(raw, 64));

    /* nk >= r and pk >= r */
    CHECK_EQ_INT(tacit_hex_decode(raw, 32, R_HEX, false), TACIT_OK);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacitfvk", raw, 64), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&x, TACIT_NETWORK_MAINNET, s), TACIT_ENONCANONICAL);
    CHECK(x == NULL);
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacitivk", raw, 64), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&x, TACIT_NETWORK_MAINNET, s), TACIT_ENONCANONICAL);
    /* wrong length, wrong kind (an address, a spending key) */
    CHECK_EQ_INT(tacit_bech32m_encode_bytes(s, sizeof s, "tacitivk", raw + 1, 63), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&x, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_shielded_address_encode(s, &a, TACIT_NETWORK_MAINNET), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&x, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_spending_key_encode(s, k, TACIT_NETWORK_MAINNET), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&x, TACIT_NETWORK_MAINNET, s), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_viewing_key_from_bytes(&x, (enum tacit_viewing_key_kind)5, raw),
                 TACIT_EINVAL);
    CHECK(x == NULL);
out:
    tacit_viewing_key_free(f);
    tacit_viewing_key_free(i);
    tacit_spending_key_free(k);
}

TEST(spending_key_text)
{
    struct tacit_spending_key *k = random_key(), *k2 = NULL;
    char s[TACIT_KEYS_STR_MAX];

    if (k == NULL) return;
    CHECK_EQ_INT(tacit_spending_key_encode(s, k, TACIT_NETWORK_DEVNET), TACIT_OK);
    CHECK(strncmp(s, "tdevsk1", 7) == 0);
    CHECK_EQ_INT(tacit_spending_key_decode(&k2, TACIT_NETWORK_DEVNET, s), TACIT_OK);
    if (k2 != NULL) CHECK(tacit_fr_eq(tacit_spending_key_sk(k), tacit_spending_key_sk(k2)));
    tacit_spending_key_free(k2);
    k2 = (struct tacit_spending_key *)1;
    CHECK_EQ_INT(tacit_spending_key_decode(&k2, TACIT_NETWORK_MAINNET, s), TACIT_ENETWORK);
    CHECK(k2 == NULL);
    s[10] = s[10] == 'q' ? 'p' : 'q';
    CHECK_EQ_INT(tacit_spending_key_decode(&k2, TACIT_NETWORK_DEVNET, s), TACIT_ECHECKSUM);
    CHECK_EQ_INT(tacit_spending_key_encode(s, k, (enum tacit_network)7), TACIT_EINVAL);
    tacit_spending_key_free(k);
}

/* Made by this code; docs/wallet-format.md lists them with the intermediate values. */
#define KEY_VECTOR_SK "tdevsk1zthghnmdwj767aa8659nwuqsnpc7a0dplt7uv3qwu4484jgnrdzsvkgsgn"
#define KEY_VECTOR_ADDR                                                                        \
    "tdev1ph2mnpxwguwj9msp4darzkkwhx38k22t02ulw2lspdddy4ap3m97la0hm0l97q5jwlwnyz9fan2zd3r8sfg" \
    "02yrm4sq09vpcgsnn5hg9q5cwp"
#define KEY_VECTOR_FVK                                                                         \
    "tdevfvk1yqw3lsrzzvk3y79xqme37vrflkae7jsrq4sa7a99mu0wf07ll8wkm6uzl9snranrhmuwv69wjgt2asa0" \
    "rxgw23yxcf669d2e62es08gg9x9eu"
#define KEY_VECTOR_IVK                                                                         \
    "tdevivk1ph2mnpxwguwj9msp4darzkkwhx38k22t02ulw2lspdddy4ap3m9km6uzl9snranrhmuwv69wjgt2asa0" \
    "rxgw23yxcf669d2e62es08gzd54r3"

/* A fixed key: the vector of docs/wallet-format.md ("Test vectors"). */
TEST(key_vector)
{
    uint8_t seed[64];
    struct tacit_spending_key *k = NULL;
    struct tacit_shielded_address a;
    char s[TACIT_KEYS_STR_MAX];

    for (int i = 0; i < 64; i++) seed[i] = (uint8_t)i;
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, seed), TACIT_OK);
    if (k == NULL) return;
    tacit_spending_key_address(&a, k);
    CHECK_EQ_INT(tacit_spending_key_encode(s, k, TACIT_NETWORK_DEVNET), TACIT_OK);
    printf("  sk   %s\n", s);
    CHECK(strcmp(s, KEY_VECTOR_SK) == 0);
    CHECK_EQ_INT(tacit_shielded_address_encode(s, &a, TACIT_NETWORK_DEVNET), TACIT_OK);
    printf("  addr %s\n", s);
    CHECK(strcmp(s, KEY_VECTOR_ADDR) == 0);
    CHECK_EQ_INT(tacit_viewing_key_encode(s, tacit_spending_key_viewing_key(k),
                                          TACIT_VIEWING_KEY_FULL, TACIT_NETWORK_DEVNET),
                 TACIT_OK);
    printf("  fvk  %s\n", s);
    CHECK(strcmp(s, KEY_VECTOR_FVK) == 0);
    CHECK_EQ_INT(tacit_viewing_key_encode(s, tacit_spending_key_viewing_key(k),
                                          TACIT_VIEWING_KEY_INCOMING, TACIT_NETWORK_DEVNET),
                 TACIT_OK);
    printf("  ivk  %s\n", s);
    CHECK(strcmp(s, KEY_VECTOR_IVK) == 0);
    tacit_spending_key_free(k);
}

static const struct tacit_test tests[] = {
    {"bip350_valid", bip350_valid},
    {"bip350_invalid", bip350_invalid},
    {"bip350_segwit_addresses", bip350_segwit_addresses},
    {"bech32m_bytes_padding", bech32m_bytes_padding},
    {"bech32m_encode_errors", bech32m_encode_errors},
    {"derivation_follows_design", derivation_follows_design},
    {"nullifiers_match_the_circuit", nullifiers_match_the_circuit},
    {"spending_key_rejects_noncanonical", spending_key_rejects_noncanonical},
    {"address_round_trip", address_round_trip},
    {"address_substitutions_detected", address_substitutions_detected},
    {"address_rejects", address_rejects},
    {"viewing_keys", viewing_keys},
    {"spending_key_text", spending_key_text},
    {"key_vector", key_vector},
};

TACIT_TEST_MAIN(tests)
