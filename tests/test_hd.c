/*
 * tests/test_hd.c — BIP-39 phrases and BIP-32 derivation (include/tacit/hd.h) against ethers'
 * (tests/vectors/bip39/vectors.json, contrib/gen-bip39; its first mnemonic vector is BIP-39's
 * own), anvil's accounts from its mnemonic, every refusal by name, and the laws: a phrase reads
 * back to its entropy, one changed word fails the checksum (or names the word), case and spacing
 * do not matter.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/hd.h"
#include "tacit/util.h"

static json_t *vectors(void)
{
    char path[512];
    json_error_t e;
    json_t *j;
    snprintf(path, sizeof path, "%s/bip39/vectors.json", tacit_test_vectors_dir());
    if ((j = json_load_file(path, 0, &e)) == NULL)
        tacit__test_fail(__FILE__, __LINE__, "cannot read %s: %s", path, e.text);
    return j;
}

static void hex_eq(const uint8_t *got, size_t n, const json_t *want, const char *what)
{
    char h[2 * 64 + 3];
    tacit_hex_encode(h, got, n);
    if (!json_is_string(want) || strcmp(h, json_string_value(want)) != 0)
        tacit__test_fail(__FILE__, __LINE__, "%s: %s, want %s", what, h,
                         json_is_string(want) ? json_string_value(want) : "?");
}

TEST(bip39_vectors)
{
    json_t *v = vectors(), *m;
    size_t i;
    json_array_foreach(json_object_get(v, "mnemonics"), i, m)
    {
        uint8_t ent[32], back[32], seed[64];
        size_t n = 0, blen = 0, bad = 99;
        char phrase[TACIT_BIP39_PHRASE_MAX], norm[TACIT_BIP39_PHRASE_MAX];
        CHECK_EQ_INT(tacit_hex_decode(
                         ent, (strlen(json_string_value(json_object_get(m, "entropy"))) - 2) / 2,
                         json_string_value(json_object_get(m, "entropy")), true),
                     TACIT_OK);
        n = (strlen(json_string_value(json_object_get(m, "entropy"))) - 2) / 2;
        CHECK_EQ_INT(tacit_bip39_phrase(phrase, sizeof phrase, ent, n), TACIT_OK);
        CHECK(strcmp(phrase, json_string_value(json_object_get(m, "mnemonic"))) == 0);
        CHECK_EQ_INT(tacit_bip39_read(back, &blen, norm, sizeof norm, phrase, &bad), TACIT_OK);
        CHECK(blen == n && memcmp(back, ent, n) == 0 && strcmp(norm, phrase) == 0 && bad == 0);
        CHECK_EQ_INT(tacit_bip39_seed(seed, phrase, "TREZOR", NULL), TACIT_OK);
        hex_eq(seed, 64, json_object_get(m, "seed_trezor"), "seed (TREZOR)");
        CHECK_EQ_INT(tacit_bip39_seed(seed, phrase, NULL, NULL), TACIT_OK);
        hex_eq(seed, 64, json_object_get(m, "seed"), "seed");
    }
    CHECK(i >= 40);
    json_decref(v);
}

TEST(bip32_vectors)
{
    json_t *v = vectors(), *d;
    size_t i;
    json_array_foreach(json_object_get(v, "derivations"), i, d)
    {
        uint8_t seed[64], sk[32], cc[32], addr[TACIT_ADDRESS_LEN];
        const char *s = json_string_value(json_object_get(d, "seed"));
        size_t n = (strlen(s) - 2) / 2;
        CHECK_EQ_INT(tacit_hex_decode(seed, n, s, true), TACIT_OK);
        CHECK_EQ_INT(
            tacit_bip32_derive(sk, cc, seed, n, json_string_value(json_object_get(d, "path"))),
            TACIT_OK);
        hex_eq(sk, 32, json_object_get(d, "private_key"),
               json_string_value(json_object_get(d, "path")));
        hex_eq(cc, 32, json_object_get(d, "chain_code"), "chain code");
        CHECK_EQ_INT(tacit_address_from_seckey(addr, sk), TACIT_OK);
        hex_eq(addr, TACIT_ADDRESS_LEN, json_object_get(d, "address"), "address");
    }
    CHECK(i >= 18);
    json_decref(v);
}

/* anvil's mnemonic gives anvil's accounts (what the devnet uses, docs/operations.md) */
TEST(anvil_accounts)
{
    json_t *v = vectors(), *a = json_object_get(v, "anvil"), *acc;
    uint8_t seed[64], sk[32], cc[32], addr[TACIT_ADDRESS_LEN];
    size_t i;
    CHECK_EQ_INT(
        tacit_bip39_seed(seed, json_string_value(json_object_get(a, "mnemonic")), "", NULL),
        TACIT_OK);
    json_array_foreach(json_object_get(a, "accounts"), i, acc)
    {
        CHECK_EQ_INT(
            tacit_bip32_derive(sk, cc, seed, 64, json_string_value(json_object_get(acc, "path"))),
            TACIT_OK);
        hex_eq(sk, 32, json_object_get(acc, "private_key"), "anvil key");
        CHECK_EQ_INT(tacit_address_from_seckey(addr, sk), TACIT_OK);
        hex_eq(addr, TACIT_ADDRESS_LEN, json_object_get(acc, "address"), "anvil address");
    }
    CHECK(i == 12);
    json_decref(v);
}

TEST(bip39_refusals)
{
    uint8_t e[32], seed[64];
    size_t n, bad;
    char out[TACIT_BIP39_PHRASE_MAX];
    const char *twelve = "abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                         "abandon abandon about";
    /* word counts */
    CHECK_EQ_INT(tacit_bip39_read(e, &n, NULL, 0, "", &bad), TACIT_EMNEMONIC_WORDS);
    CHECK_EQ_INT(tacit_bip39_read(e, &n, NULL, 0, "abandon about", &bad), TACIT_EMNEMONIC_WORDS);
    CHECK_EQ_INT(tacit_bip39_read(e, &n, NULL, 0,
                                  "abandon abandon abandon abandon abandon abandon abandon abandon "
                                  "abandon abandon abandon abandon about",
                                  &bad),
                 TACIT_EMNEMONIC_WORDS); /* 13 */
    /* an unknown word, named by its position; a word too long; a prefix is not a word */
    CHECK_EQ_INT(
        tacit_bip39_read(e, &n, NULL, 0,
                         "abandon abandon abandon abandon abandon abandon abandonn abandon "
                         "abandon abandon abandon about",
                         &bad),
        TACIT_EMNEMONIC_WORD);
    CHECK_EQ_INT(bad, 7);
    CHECK_EQ_INT(tacit_bip39_read(e, &n, NULL, 0,
                                  "aban abandon abandon abandon abandon abandon abandon abandon "
                                  "abandon abandon abandon about",
                                  &bad),
                 TACIT_EMNEMONIC_WORD);
    CHECK_EQ_INT(bad, 1);
    CHECK_EQ_INT(tacit_bip39_read(e, &n, NULL, 0,
                                  "abandon abandon abandon abandon abandon abandon abandon abandon "
                                  "abandon abandon abandon aboutaboutabout",
                                  &bad),
                 TACIT_EMNEMONIC_WORD);
    CHECK_EQ_INT(bad, 12);
    /* the checksum: the last word changed */
    CHECK_EQ_INT(tacit_bip39_read(e, &n, NULL, 0,
                                  "abandon abandon abandon abandon abandon abandon abandon abandon "
                                  "abandon abandon abandon abandon",
                                  &bad),
                 TACIT_EMNEMONIC_CHECKSUM);
    CHECK_EQ_INT(tacit_bip39_seed(seed,
                                  "abandon abandon abandon abandon abandon abandon abandon "
                                  "abandon abandon abandon abandon abandon",
                                  NULL, &bad),
                 TACIT_EMNEMONIC_CHECKSUM);
    /* case and white space do not matter; non-ASCII passphrases are refused */
    CHECK_EQ_INT(
        tacit_bip39_read(e, &n, out, sizeof out,
                         "  ABANDON abandon\tabandon abandon abandon abandon abandon abandon\n"
                         "abandon abandon Abandon   about ",
                         &bad),
        TACIT_OK);
    CHECK(strcmp(out, twelve) == 0 && n == 16);
    CHECK_EQ_INT(tacit_bip39_seed(seed, twelve, "caf\xc3\xa9", NULL), TACIT_EINVAL);
    /* entropy lengths */
    CHECK_EQ_INT(tacit_bip39_phrase(out, sizeof out, e, 15), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_bip39_phrase(out, sizeof out, e, 33), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_bip39_phrase(out, sizeof out, e, 18), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_bip39_phrase(out, 10, e, 16), TACIT_EINVAL);
}

TEST(bip32_refusals)
{
    uint8_t seed[64] = {1}, sk[32], cc[32];
    const char *bad[] = {"",     "n",     "m/", "m//0",          "m/0x", "m/2147483648",
                         "m/01", "m/0'/", "/0", "m/99999999999", "m/0''"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tacit_bip32_derive(sk, cc, seed, 64, bad[i]) != TACIT_EINVAL)
            tacit__test_fail(__FILE__, __LINE__, "path \"%s\" accepted", bad[i]);
    CHECK_EQ_INT(tacit_bip32_derive(sk, cc, seed, 15, "m"), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_bip32_derive(sk, cc, seed, 65, "m"), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_bip32_derive(sk, cc, seed, 64, "m/0h/1H/2'"), TACIT_OK);
}

/* The laws on random entropy: the phrase reads back to it; any one word replaced by another
 * either fails the checksum or (rarely, 1 in 2^(len/4 bits)) reads to other entropy. */
TEST(bip39_laws)
{
    int iters = tacit_test_iters(200);
    for (int it = 0; it < iters; it++) {
        size_t len = 16 + 4 * (tacit_test_rand64() % 5), n, bad, nw = (len * 8 + len / 4) / 11;
        uint8_t e[32], back[32];
        char p[TACIT_BIP39_PHRASE_MAX], q[TACIT_BIP39_PHRASE_MAX + 16];
        const char *words[24];
        char *save = NULL, *w;
        size_t k = 0, which = tacit_test_rand64() % nw;
        tacit_test_rand_bytes(e, len);
        CHECK_EQ_INT(tacit_bip39_phrase(p, sizeof p, e, len), TACIT_OK);
        CHECK_EQ_INT(tacit_bip39_read(back, &n, NULL, 0, p, &bad), TACIT_OK);
        CHECK(n == len && memcmp(back, e, len) == 0);
        /* replace word `which` by "zoo" (or "abandon" if it is "zoo") */
        for (w = strtok_r(p, " ", &save); w != NULL && k < 24; w = strtok_r(NULL, " ", &save))
            words[k++] = w;
        CHECK_EQ_INT(k, nw);
        q[0] = '\0';
        for (size_t j = 0; j < k; j++) {
            if (j) strcat(q, " ");
            strcat(q, j != which ? words[j] : strcmp(words[j], "zoo") != 0 ? "zoo" : "abandon");
        }
        int rc = tacit_bip39_read(back, &n, NULL, 0, q, &bad);
        CHECK(rc == TACIT_EMNEMONIC_CHECKSUM || (rc == TACIT_OK && memcmp(back, e, len) != 0));
    }
}

static const struct tacit_test tests[] = {
    {"bip39_vectors", bip39_vectors},   {"bip32_vectors", bip32_vectors},
    {"anvil_accounts", anvil_accounts}, {"bip39_refusals", bip39_refusals},
    {"bip32_refusals", bip32_refusals}, {"bip39_laws", bip39_laws},
};

TACIT_TEST_MAIN(tests)
