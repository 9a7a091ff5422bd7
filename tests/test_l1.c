/*
 * tacit — the L1 codecs (module l1): RLP, the Solidity ABI, EIP-1559 transactions and keys,
 * EIP-712, 256-bit integers. Every vector of tests/vectors/l1 (made by ethers, an independent
 * implementation: contrib/gen-l1-vectors), decode(encode(x)) == x on random values, and a
 * named negative test per rule of the strict decoders. The L1 port and the sender are
 * tests/test_l1_client.c; a real anvil is tests/l1_anvil.sh.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"
#include "tacit/l1.h"
#include "tacit/rlp.h"
#include "tacit/uint256.h"
#include "tacit/util.h"

/* ------------------------------------------------------------------ helpers ---- */

static json_t *load_vectors(const char *name)
{
    char path[512];
    json_error_t e;
    json_t *j;
    snprintf(path, sizeof path, "%s/l1/%s", tacit_test_vectors_dir(), name);
    if ((j = json_load_file(path, 0, &e)) == NULL)
        tacit__test_fail(__FILE__, __LINE__, "cannot read %s: %s (line %d)", path, e.text, e.line);
    return j;
}

/* 0x hex from a JSON string, malloc'd (never NULL on success; n may be 0). */
static uint8_t *hex_of(const json_t *j, size_t *n)
{
    uint8_t *p = NULL;
    *n = 0;
    if (tacit_hex_decode_alloc(&p, n, json_string_value(j), 1u << 24) != TACIT_OK) {
        tacit__test_fail(__FILE__, __LINE__, "bad hex in vector: %s", json_string_value(j));
        return calloc(1, 1);
    }
    return p;
}

static void fixed_of(uint8_t *out, size_t n, const json_t *j)
{
    if (tacit_hex_decode(out, n, json_string_value(j), true) != TACIT_OK)
        tacit__test_fail(__FILE__, __LINE__, "bad %zu-byte hex in vector", n);
}

static tacit_uint256 dec_of(const json_t *j)
{
    tacit_uint256 v;
    if (tacit_uint256_from_dec(&v, json_string_value(j)) != TACIT_OK)
        tacit__test_fail(__FILE__, __LINE__, "bad decimal in vector: %s", json_string_value(j));
    return v;
}

static uint64_t u64_of(const json_t *j)
{
    tacit_uint256 v = dec_of(j);
    uint64_t x;
    CHECK_EQ_INT(tacit_uint256_to_u64(&x, &v), TACIT_OK);
    return x;
}

/* Compares a byte buffer with a JSON hex string. */
static void check_hex(const uint8_t *p, size_t n, const json_t *want)
{
    size_t wn;
    uint8_t *w = hex_of(want, &wn);
    CHECK_EQ_INT(n, wn);
    if (n == wn) CHECK_MEM(p, w, n);
    free(w);
}

/* ------------------------------------------------------------------ uint256 ---- */

TEST(uint256_forms_and_arithmetic)
{
    static const char *bad_hex[] = {
        "",
        "0x",
        "0X1",
        "0x01",
        "0x0g",
        "1",
        "0x10000000000000000000000000000000000000000000000000000000000000000"};
    static const char *bad_dec[] = {
        "",   "01",
        "-1", "1 ",
        "a",  "115792089237316195423570985008687907853269984665640564039457584007913129639936"};
    tacit_uint256 a, b, c;
    char hex[TACIT_UINT256_HEX_MAX], dec[TACIT_UINT256_DEC_MAX];
    uint64_t x;

    for (size_t i = 0; i < sizeof bad_hex / sizeof bad_hex[0]; i++)
        CHECK_EQ_INT(tacit_uint256_from_hex(&a, bad_hex[i]), TACIT_EENCODING);
    for (size_t i = 0; i < sizeof bad_dec / sizeof bad_dec[0]; i++)
        CHECK_EQ_INT(tacit_uint256_from_dec(&a, bad_dec[i]), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_uint256_from_hex(&a, "0x0"), TACIT_OK);
    CHECK(tacit_uint256_is_zero(&a));
    tacit_uint256_to_hex(hex, &a);
    CHECK(strcmp(hex, "0x0") == 0);
    memset(a.be, 0xff, 32);
    tacit_uint256_to_dec(dec, &a);
    CHECK(strcmp(dec, bad_dec[5]) != 0); /* 2^256 - 1, one below the refused 2^256 */
    CHECK_EQ_INT(tacit_uint256_from_dec(&b, dec), TACIT_OK);
    CHECK_MEM(a.be, b.be, 32);
    CHECK_EQ_INT(tacit_uint256_to_u64(&x, &a), TACIT_EOVERFLOW);
    tacit_uint256_from_u64(&c, 1);
    CHECK_EQ_INT(tacit_uint256_add(&b, &a, &c), TACIT_EOVERFLOW);
    CHECK_EQ_INT(tacit_uint256_sub(&b, &c, &a), TACIT_EOVERFLOW);
    CHECK_EQ_INT(tacit_uint256_mul_u64(&b, &a, 2), TACIT_EOVERFLOW);

    for (int i = 0; i < tacit_test_iters(2000); i++) {
        uint64_t p = tacit_test_rand64() >> (tacit_test_rand64() % 64),
                 q = tacit_test_rand64() >> 33;
        unsigned __int128 prod = (unsigned __int128)p * q;
        tacit_uint256_from_u64(&a, p);
        tacit_uint256_to_hex(hex, &a);
        CHECK_EQ_INT(tacit_uint256_from_hex(&b, hex), TACIT_OK);
        CHECK_MEM(a.be, b.be, 32);
        tacit_uint256_to_dec(dec, &a);
        CHECK_EQ_INT(tacit_uint256_from_dec(&b, dec), TACIT_OK);
        CHECK_MEM(a.be, b.be, 32);
        CHECK_EQ_INT(tacit_uint256_mul_u64(&b, &a, q), TACIT_OK);
        CHECK_EQ_INT(tacit_uint256_to_u64(&x, &b), (prod >> 64) ? TACIT_EOVERFLOW : TACIT_OK);
        /* (p * 1125 + 999) / 1000 */
        CHECK_EQ_INT(tacit_uint256_mul_div_ceil(&b, &a, 1125, 1000), TACIT_OK);
        CHECK_EQ_INT(tacit_uint256_to_u64(&x, &b),
                     ((unsigned __int128)p * 1125 + 999) / 1000 >> 64 ? TACIT_EOVERFLOW : TACIT_OK);
        if (!(((unsigned __int128)p * 1125 + 999) / 1000 >> 64))
            CHECK(x == (uint64_t)(((unsigned __int128)p * 1125 + 999) / 1000));
        tacit_uint256_from_u64(&c, q);
        CHECK_EQ_INT(tacit_uint256_cmp(&a, &c), (p > q) - (p < q));
    }
}

/* ------------------------------------------------------------------ RLP ---- */

/* Encodes a vector tree: strings are 0x hex, lists JSON arrays. */
static void rlp_put_json(struct tacit_rlp_enc *e, const json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        tacit_rlp_list_begin(e);
        json_array_foreach(v, i, x) rlp_put_json(e, x);
        tacit_rlp_list_end(e);
    } else {
        size_t n;
        uint8_t *p = hex_of(v, &n);
        tacit_rlp_put_bytes(e, p, n);
        free(p);
    }
}

/* Whether a decoded item is the vector tree. */
static bool rlp_equal_json(const struct tacit_rlp_item *item, const json_t *v)
{
    if (json_is_array(v)) {
        struct tacit_rlp_iter it;
        struct tacit_rlp_item x;
        size_t i = 0;
        if (tacit_rlp_iter_init(&it, item) != TACIT_OK) return false;
        while (!tacit_rlp_iter_done(&it)) {
            if (tacit_rlp_iter_next(&it, &x) != TACIT_OK || i >= json_array_size(v) ||
                !rlp_equal_json(&x, json_array_get(v, i)))
                return false;
            i++;
        }
        return i == json_array_size(v);
    } else {
        size_t n;
        uint8_t *p = hex_of(v, &n);
        bool eq = !item->is_list && item->len == n && (n == 0 || memcmp(item->payload, p, n) == 0);
        free(p);
        return eq;
    }
}

static void rlp_check_json(const json_t *value, const uint8_t *enc, size_t enc_len)
{
    struct tacit_rlp_enc e;
    struct tacit_rlp_item item;
    uint8_t *out;
    size_t n;

    tacit_rlp_enc_init(&e);
    rlp_put_json(&e, value);
    CHECK_EQ_INT(tacit_rlp_enc_finish(&e, &out, &n), TACIT_OK);
    CHECK_EQ_INT(n, enc_len);
    if (n == enc_len) CHECK_MEM(out, enc, n);
    free(out);
    CHECK_EQ_INT(tacit_rlp_decode(&item, enc, enc_len), TACIT_OK);
    CHECK(rlp_equal_json(&item, value));
}

TEST(rlp_vectors)
{
    json_t *v = load_vectors("rlp.json"), *c;
    size_t i;
    REQUIRE(v != NULL, "tests/vectors/l1/rlp.json");
    json_array_foreach(json_object_get(v, "items"), i, c)
    {
        size_t n;
        uint8_t *enc = hex_of(json_object_get(c, "encoded"), &n);
        rlp_check_json(json_object_get(c, "value"), enc, n);
        free(enc);
    }
    CHECK(i > 60);
    json_array_foreach(json_object_get(v, "ints"), i, c)
    {
        struct tacit_rlp_enc e;
        struct tacit_rlp_item item;
        tacit_uint256 want = dec_of(json_object_get(c, "value")), got;
        uint8_t *enc, *out;
        size_t n, m;
        enc = hex_of(json_object_get(c, "encoded"), &n);
        tacit_rlp_enc_init(&e);
        tacit_rlp_put_uint256(&e, &want);
        CHECK_EQ_INT(tacit_rlp_enc_finish(&e, &out, &m), TACIT_OK);
        CHECK_EQ_INT(m, n);
        if (m == n) CHECK_MEM(out, enc, n);
        CHECK_EQ_INT(tacit_rlp_decode(&item, enc, n), TACIT_OK);
        CHECK_EQ_INT(tacit_rlp_item_uint256(&item, &got), TACIT_OK);
        CHECK_MEM(got.be, want.be, 32);
        free(out);
        free(enc);
    }
    json_decref(v);
}

/* A random tree as JSON (the form of the vectors). */
static json_t *rlp_random_tree(int depth)
{
    static const size_t lens[] = {0, 1, 1, 2, 55, 56, 57, 255, 256, 1000};
    if (depth > 4 || tacit_test_rand64() % 3 == 0) {
        size_t n = lens[tacit_test_rand64() % (sizeof lens / sizeof lens[0])];
        uint8_t *p = malloc(n + 1);
        char *s = malloc(2 * n + 3);
        json_t *j;
        tacit_test_rand_bytes(p, n);
        tacit_hex_encode(s, p, n);
        j = json_string(s);
        free(p);
        free(s);
        return j;
    }
    json_t *a = json_array();
    for (uint64_t k = tacit_test_rand64() % 5; k > 0; k--)
        json_array_append_new(a, rlp_random_tree(depth + 1));
    return a;
}

TEST(rlp_roundtrip_random)
{
    for (int i = 0; i < tacit_test_iters(200); i++) {
        json_t *t = rlp_random_tree(0);
        struct tacit_rlp_enc e;
        uint8_t *out;
        size_t n;
        tacit_rlp_enc_init(&e);
        rlp_put_json(&e, t);
        CHECK_EQ_INT(tacit_rlp_enc_finish(&e, &out, &n), TACIT_OK);
        rlp_check_json(t, out, n); /* decodes to the same tree, and encodes to the same bytes */
        free(out);
        json_decref(t);
    }
    for (int i = 0; i < tacit_test_iters(2000); i++) {
        uint64_t v = tacit_test_rand64() >> (tacit_test_rand64() % 64), got;
        struct tacit_rlp_enc e;
        struct tacit_rlp_item item;
        uint8_t *out;
        size_t n;
        tacit_rlp_enc_init(&e);
        tacit_rlp_put_u64(&e, v);
        CHECK_EQ_INT(tacit_rlp_enc_finish(&e, &out, &n), TACIT_OK);
        CHECK_EQ_INT(tacit_rlp_decode(&item, out, n), TACIT_OK);
        CHECK_EQ_INT(tacit_rlp_item_u64(&item, &got), TACIT_OK);
        CHECK(got == v);
        free(out);
    }
}

/* Decodes in[] and expects rc. */
static void rlp_expect(const uint8_t *in, size_t n, int rc)
{
    struct tacit_rlp_item item;
    CHECK_EQ_INT(tacit_rlp_decode(&item, in, n), rc);
}

TEST(rlp_truncated)
{
    static const uint8_t a[] = {0x83, 'a', 'b'}, b[] = {0xb8}, c[] = {0xb8, 0x38, 0x00},
                         d[] = {0xc2, 0x80}, e[] = {0x81};
    uint8_t big[9] = {0xbf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    rlp_expect(a, sizeof a, TACIT_ERLP_TRUNCATED);
    rlp_expect(b, sizeof b, TACIT_ERLP_TRUNCATED);
    rlp_expect(c, sizeof c, TACIT_ERLP_TRUNCATED);
    rlp_expect(d, sizeof d, TACIT_ERLP_TRUNCATED);
    rlp_expect(e, sizeof e, TACIT_ERLP_TRUNCATED);
    rlp_expect(big, sizeof big, TACIT_ERLP_TRUNCATED);
    rlp_expect(a, 0, TACIT_ERLP_TRUNCATED);
}

TEST(rlp_noncanonical_length)
{
    uint8_t s[60] = {0xb8, 0x01, 'a'};    /* long form for a 1-byte string */
    uint8_t l[60] = {0xf8, 0x37};         /* long form for a 55-byte list */
    uint8_t z[0x40] = {0xb9, 0x00, 0x38}; /* a length with a leading zero byte */
    rlp_expect(s, 3, TACIT_ERLP_NONCANONICAL_LENGTH);
    memset(l + 2, 0x01, 55);
    rlp_expect(l, 57, TACIT_ERLP_NONCANONICAL_LENGTH);
    rlp_expect(z, 3 + 0x38, TACIT_ERLP_NONCANONICAL_LENGTH);
    /* the shortest form of the same length is accepted */
    rlp_expect((const uint8_t[]){0xf7, [1 ... 55] = 0x01}, 56, TACIT_OK);
}

TEST(rlp_noncanonical_byte)
{
    rlp_expect((const uint8_t[]){0x81, 0x00}, 2, TACIT_ERLP_NONCANONICAL_BYTE);
    rlp_expect((const uint8_t[]){0x81, 0x7f}, 2, TACIT_ERLP_NONCANONICAL_BYTE);
    rlp_expect((const uint8_t[]){0x81, 0x80}, 2, TACIT_OK);
    rlp_expect((const uint8_t[]){0x7f}, 1, TACIT_OK);
}

TEST(rlp_trailing)
{
    rlp_expect((const uint8_t[]){0x80, 0x80}, 2, TACIT_ETRAILING);
    rlp_expect((const uint8_t[]){0xc0, 0x00}, 2, TACIT_ETRAILING);
}

TEST(rlp_leading_zero)
{
    static const uint8_t lead[] = {0x82, 0x00, 0x01}, zero[] = {0x00},
                         nine[] = {0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    struct tacit_rlp_item item;
    uint64_t v;
    tacit_uint256 u;
    CHECK_EQ_INT(tacit_rlp_decode(&item, lead, sizeof lead), TACIT_OK);
    CHECK_EQ_INT(tacit_rlp_item_u64(&item, &v), TACIT_ERLP_LEADING_ZERO);
    CHECK_EQ_INT(tacit_rlp_item_uint256(&item, &u), TACIT_ERLP_LEADING_ZERO);
    CHECK_EQ_INT(tacit_rlp_decode(&item, zero, sizeof zero), TACIT_OK); /* zero is 0x80 */
    CHECK_EQ_INT(tacit_rlp_item_u64(&item, &v), TACIT_ERLP_LEADING_ZERO);
    CHECK_EQ_INT(tacit_rlp_decode(&item, nine, sizeof nine), TACIT_OK);
    CHECK_EQ_INT(tacit_rlp_item_u64(&item, &v), TACIT_EOVERFLOW);
}

TEST(rlp_type_and_items)
{
    static const uint8_t one[] = {0xc1, 0x05}, bad_inner[] = {0xc2, 0x81, 0x05};
    struct tacit_rlp_item item, x;
    struct tacit_rlp_iter it;
    uint64_t v;
    size_t n;
    CHECK_EQ_INT(tacit_rlp_decode(&item, one, sizeof one), TACIT_OK);
    CHECK_EQ_INT(tacit_rlp_item_u64(&item, &v), TACIT_ERLP_TYPE);
    CHECK_EQ_INT(tacit_rlp_list_count(&item, &n), TACIT_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(tacit_rlp_iter_init(&it, &item), TACIT_OK);
    CHECK_EQ_INT(tacit_rlp_iter_next(&it, &x), TACIT_OK);
    CHECK_EQ_INT(tacit_rlp_iter_next(&it, &x), TACIT_ERLP_ITEMS);
    CHECK_EQ_INT(tacit_rlp_iter_init(&it, &x), TACIT_ERLP_TYPE);
    /* an item inside a list is checked as strictly as a top-level one */
    CHECK_EQ_INT(tacit_rlp_decode(&item, bad_inner, sizeof bad_inner), TACIT_OK);
    CHECK_EQ_INT(tacit_rlp_list_count(&item, &n), TACIT_ERLP_NONCANONICAL_BYTE);
}

TEST(rlp_encoder_misuse)
{
    struct tacit_rlp_enc e;
    uint8_t *out;
    size_t n;
    tacit_rlp_enc_init(&e);
    tacit_rlp_list_begin(&e);
    CHECK_EQ_INT(tacit_rlp_enc_finish(&e, &out, &n), TACIT_EINVAL); /* still open */
    CHECK(out == NULL);
    tacit_rlp_enc_init(&e);
    tacit_rlp_list_end(&e);
    CHECK_EQ_INT(tacit_rlp_enc_finish(&e, &out, &n), TACIT_EINVAL); /* never begun */
    tacit_rlp_enc_init(&e);
    for (int i = 0; i <= TACIT_RLP_MAX_DEPTH; i++) tacit_rlp_list_begin(&e);
    CHECK_EQ_INT(tacit_rlp_enc_finish(&e, &out, &n), TACIT_EINVAL); /* too deep */
}

/* out = a b c, cut to n - 1 bytes (a cut type fails to parse, which the test reports). */
static void join3(char *out, size_t n, const char *a, const char *b, const char *c)
{
    size_t len = 0;
    const char *parts[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(parts[i]);
        if (k > n - 1 - len) k = n - 1 - len;
        memmove(out + len, parts[i], k); /* out may be a */
        len += k;
    }
    out[len] = '\0';
}

/* ------------------------------------------------------------------ ABI values ---- */

/* Frees a value tree built by the tests (not a decoded one). */
static void value_free(struct tacit_abi_value *v)
{
    for (size_t i = 0; i < v->n; i++) value_free(&v->items[i]);
    free(v->items);
    free((void *)v->bytes);
    memset(v, 0, sizeof *v);
}

/* The vector form of a value, as type t. */
static void value_of_json(struct tacit_abi_value *v, const struct tacit_abi_type *t,
                          const json_t *j)
{
    tacit_uint256 x;
    uint8_t buf[32];
    size_t n;
    memset(v, 0, sizeof *v);
    v->kind = t->kind;
    switch (t->kind) {
    case TACIT_ABI_UINT:
        x = dec_of(j);
        memcpy(v->word, x.be, 32);
        break;
    case TACIT_ABI_INT: {
        const char *s = json_string_value(j);
        bool neg = s != NULL && s[0] == '-';
        tacit_uint256 zero = {{0}};
        if (tacit_uint256_from_dec(&x, neg ? s + 1 : s) != TACIT_OK) CHECK(!"bad int in vector");
        if (neg) (void)tacit_uint256_sub(&x, &zero, &x);
        memcpy(v->word, x.be, 32);
        break;
    }
    case TACIT_ABI_ADDRESS:
        fixed_of(buf, 20, j);
        tacit_abi_set_address(v, buf);
        break;
    case TACIT_ABI_BOOL: tacit_abi_set_bool(v, json_is_true(j)); break;
    case TACIT_ABI_BYTESN:
        fixed_of(buf, t->size, j);
        tacit_abi_set_bytesn(v, buf, t->size);
        break;
    case TACIT_ABI_BYTES: v->bytes = hex_of(j, &v->len); break;
    case TACIT_ABI_STRING:
        n = json_string_length(j);
        v->bytes = memcpy(malloc(n + 1), json_string_value(j), n + 1);
        v->len = n;
        break;
    default:
        v->n = json_array_size(j);
        v->items = calloc(v->n + 1, sizeof *v->items);
        for (size_t i = 0; i < v->n; i++)
            value_of_json(&v->items[i], t->kind == TACIT_ABI_TUPLE ? t->members[i] : t->elem,
                          json_array_get(j, i));
    }
}

static bool value_equal(const struct tacit_abi_value *a, const struct tacit_abi_value *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case TACIT_ABI_BYTES:
    case TACIT_ABI_STRING:
        return a->len == b->len && (a->len == 0 || memcmp(a->bytes, b->bytes, a->len) == 0);
    case TACIT_ABI_ARRAY:
    case TACIT_ABI_FARRAY:
    case TACIT_ABI_TUPLE:
        if (a->n != b->n) return false;
        for (size_t i = 0; i < a->n; i++)
            if (!value_equal(&a->items[i], &b->items[i])) return false;
        return true;
    default: return memcmp(a->word, b->word, 32) == 0;
    }
}

/* encode(v) == want; decode(want) == v; encode(decode(want)) == want */
static void abi_check(const struct tacit_abi_type *t, const struct tacit_abi_value *v,
                      const uint8_t *want, size_t want_len)
{
    struct tacit_abi_value *d;
    uint8_t *enc;
    size_t n;

    CHECK_EQ_INT(tacit_abi_encode(&enc, &n, t, v), TACIT_OK);
    CHECK_EQ_INT(n, want_len);
    if (n == want_len && enc) CHECK_MEM(enc, want, n);
    free(enc);
    CHECK_EQ_INT(tacit_abi_decode(&d, t, want, want_len), TACIT_OK);
    if (d == NULL) return;
    CHECK(value_equal(d, v));
    CHECK_EQ_INT(tacit_abi_encode(&enc, &n, t, d), TACIT_OK);
    CHECK_EQ_INT(n, want_len);
    if (n == want_len && enc) CHECK_MEM(enc, want, n);
    free(enc);
    tacit_abi_value_free(d);
}

TEST(abi_vectors)
{
    json_t *v = load_vectors("abi.json"), *c;
    size_t i;
    REQUIRE(v != NULL, "tests/vectors/l1/abi.json");
    json_array_foreach(json_object_get(v, "cases"), i, c)
    {
        const char *ts = json_string_value(json_object_get(c, "type"));
        const json_t *canon = json_object_get(c, "canonical");
        struct tacit_abi_type *t, *t2;
        struct tacit_abi_value val;
        char text[1024];
        uint8_t *enc;
        size_t n;

        if (tacit_abi_type_parse(&t, ts) != TACIT_OK) {
            tacit__test_fail(__FILE__, __LINE__, "type %s not parsed", ts);
            continue;
        }
        /* the canonical form is the vector's (ethers') and parses to the same */
        CHECK_EQ_INT(tacit_abi_type_canonical(text, sizeof text, t), TACIT_OK);
        CHECK(strcmp(text, canon ? json_string_value(canon) : ts) == 0);
        CHECK_EQ_INT(tacit_abi_type_parse(&t2, text), TACIT_OK);
        tacit_abi_type_free(t2);
        value_of_json(&val, t, json_object_get(c, "value"));
        enc = hex_of(json_object_get(c, "encoded"), &n);
        /* the vector is ethers' encode([type], [value]): the value as a one-member tuple */
        join3(text, sizeof text, "(", ts, ")");
        if (tacit_abi_type_parse(&t2, text) == TACIT_OK) {
            struct tacit_abi_value tuple;
            tacit_abi_set_list(&tuple, TACIT_ABI_TUPLE, &val, 1);
            abi_check(t2, &tuple, enc, n);
            tacit_abi_type_free(t2);
        } else {
            tacit__test_fail(__FILE__, __LINE__, "type %s not parsed", text);
        }
        free(enc);
        value_free(&val);
        tacit_abi_type_free(t);
    }
    CHECK(i > 90);
    json_decref(v);
}

TEST(abi_calls_and_reverts)
{
    json_t *v = load_vectors("abi.json"), *c, *custom_json;
    const char *custom[8];
    size_t i;
    REQUIRE(v != NULL, "tests/vectors/l1/abi.json");
    json_array_foreach(json_object_get(v, "calls"), i, c)
    {
        const char *sig = json_string_value(json_object_get(c, "sig"));
        struct tacit_abi_type *params;
        struct tacit_abi_value args, *d;
        uint8_t sel[4], *enc;
        char *canon;
        size_t n;

        CHECK_EQ_INT(tacit_abi_selector(sel, sig), TACIT_OK);
        check_hex(sel, 4, json_object_get(c, "selector"));
        REQUIRE(tacit_abi_signature_parse(&canon, &params, sig) == TACIT_OK, sig);
        CHECK(strcmp(canon, sig) == 0);
        value_of_json(&args, params, json_object_get(c, "args"));
        CHECK_EQ_INT(tacit_abi_encode_call(&enc, &n, sig, &args), TACIT_OK);
        check_hex(enc, n, json_object_get(c, "encoded"));
        CHECK_EQ_INT(tacit_abi_decode_call(&d, sig, enc, n), TACIT_OK);
        CHECK(d != NULL && value_equal(d, &args));
        tacit_abi_value_free(d);
        free(enc);
        free(canon);
        value_free(&args);
        tacit_abi_type_free(params);
    }
    custom_json = json_object_get(v, "custom_errors");
    for (i = 0; i < json_array_size(custom_json) && i < 8; i++)
        custom[i] = json_string_value(json_array_get(custom_json, i));
    json_array_foreach(json_object_get(v, "reverts"), i, c)
    {
        char reason[300];
        size_t n;
        uint8_t *data = hex_of(json_object_get(c, "data"), &n);
        tacit_l1_revert_reason(reason, sizeof reason, data, n, custom,
                               json_array_size(custom_json));
        if (strcmp(reason, json_string_value(json_object_get(c, "reason"))) != 0)
            tacit__test_fail(__FILE__, __LINE__, "revert reason \"%s\", want \"%s\"", reason,
                             json_string_value(json_object_get(c, "reason")));
        free(data);
    }
    json_decref(v);
}

TEST(abi_events)
{
    json_t *v = load_vectors("events.json"), *c;
    size_t i;
    REQUIRE(v != NULL, "tests/vectors/l1/events.json");
    json_array_foreach(json_object_get(v, "events"), i, c)
    {
        const char *sig = json_string_value(json_object_get(c, "sig"));
        json_t *topics_json = json_object_get(c, "topics"), *values = json_object_get(c, "values");
        struct tacit_abi_type *params;
        struct tacit_abi_value *d;
        uint8_t topic0[32], topics[4][32], *data;
        char *canon;
        size_t nt = json_array_size(topics_json), n, topic = 1;

        CHECK_EQ_INT(tacit_abi_event_topic(topic0, sig), TACIT_OK);
        check_hex(topic0, 32, json_object_get(c, "topic0"));
        REQUIRE(tacit_abi_signature_parse(&canon, &params, sig) == TACIT_OK, sig);
        CHECK(strcmp(canon, json_string_value(json_object_get(c, "canonical"))) == 0);
        for (size_t k = 0; k < nt && k < 4; k++)
            fixed_of(topics[k], 32, json_array_get(topics_json, k));
        data = hex_of(json_object_get(c, "data"), &n);
        CHECK_EQ_INT(tacit_abi_decode_log(&d, sig, (const uint8_t(*)[32])topics, nt, data, n),
                     TACIT_OK);
        for (size_t k = 0; d != NULL && k < params->nmembers; k++) {
            const struct tacit_abi_type *m = params->members[k];
            struct tacit_abi_value want;
            if (m->indexed && tacit_abi_type_is_dynamic(m)) { /* only its hash is in the log */
                CHECK_EQ_INT(d->items[k].kind, TACIT_ABI_BYTESN);
                CHECK_MEM(d->items[k].word, topics[topic], 32);
            } else {
                value_of_json(&want, m, json_array_get(values, k));
                CHECK(value_equal(&d->items[k], &want));
                value_free(&want);
            }
            topic += m->indexed;
        }
        /* a topic missing, or another event's topic 0: refused */
        {
            struct tacit_abi_value *none;
            if (nt > 1)
                CHECK_EQ_INT(
                    tacit_abi_decode_log(&none, sig, (const uint8_t(*)[32])topics, nt - 1, data, n),
                    TACIT_EABI_SELECTOR);
            topics[0][0] ^= 1;
            CHECK_EQ_INT(
                tacit_abi_decode_log(&none, sig, (const uint8_t(*)[32])topics, nt, data, n),
                TACIT_EABI_SELECTOR);
            CHECK(none == NULL);
        }
        tacit_abi_value_free(d);
        free(data);
        free(canon);
        tacit_abi_type_free(params);
    }
    json_decref(v);
}

/* ------------------------------------------------------------------ ABI random ---- */

/* A random type string into out (depth-limited). */
static void random_type(char *out, size_t n, int depth)
{
    char inner[512], more[512], num[16];
    unsigned r = (unsigned)(tacit_test_rand64() % (depth > 2 ? 7 : 10));
    switch (r) {
    case 0: snprintf(out, n, "uint%u", 8 * (1 + (unsigned)(tacit_test_rand64() % 32))); break;
    case 1: snprintf(out, n, "int%u", 8 * (1 + (unsigned)(tacit_test_rand64() % 32))); break;
    case 2: snprintf(out, n, "address"); break;
    case 3: snprintf(out, n, "bool"); break;
    case 4: snprintf(out, n, "bytes%u", 1 + (unsigned)(tacit_test_rand64() % 32)); break;
    case 5: snprintf(out, n, "bytes"); break;
    case 6: snprintf(out, n, "string"); break;
    case 7:
        random_type(inner, sizeof inner, depth + 1);
        join3(out, n, inner, "[]", "");
        break;
    case 8:
        random_type(inner, sizeof inner, depth + 1);
        snprintf(num, sizeof num, "[%u]", 1 + (unsigned)(tacit_test_rand64() % 3));
        join3(out, n, inner, num, "");
        break;
    default:
        random_type(inner, sizeof inner, depth + 1);
        for (uint64_t k = tacit_test_rand64() % 3; k > 0; k--) {
            random_type(more, sizeof more, depth + 1);
            join3(inner, sizeof inner, inner, ",", more);
        }
        join3(out, n, "(", inner, ")");
    }
}

/* A random value of t (bytes allocated: value_free). */
static void random_value(struct tacit_abi_value *v, const struct tacit_abi_type *t)
{
    static const size_t lens[] = {0, 1, 31, 32, 33, 64, 100};
    size_t n;
    memset(v, 0, sizeof *v);
    v->kind = t->kind;
    switch (t->kind) {
    case TACIT_ABI_UINT: tacit_test_rand_bytes(v->word + 32 - t->size / 8, t->size / 8); break;
    case TACIT_ABI_INT:
        tacit_test_rand_bytes(v->word + 32 - t->size / 8, t->size / 8);
        if (v->word[32 - t->size / 8] & 0x80) memset(v->word, 0xff, 32 - t->size / 8);
        break;
    case TACIT_ABI_ADDRESS: tacit_test_rand_bytes(v->word + 12, 20); break;
    case TACIT_ABI_BOOL: v->word[31] = tacit_test_rand64() & 1; break;
    case TACIT_ABI_BYTESN: tacit_test_rand_bytes(v->word, t->size); break;
    case TACIT_ABI_BYTES:
    case TACIT_ABI_STRING:
        n = lens[tacit_test_rand64() % (sizeof lens / sizeof lens[0])];
        v->bytes = malloc(n + 1);
        tacit_test_rand_bytes((uint8_t *)v->bytes, n);
        v->len = n;
        break;
    default:
        n = t->kind == TACIT_ABI_TUPLE    ? t->nmembers
            : t->kind == TACIT_ABI_FARRAY ? t->size
                                          : (size_t)(tacit_test_rand64() % 4);
        v->n = n;
        v->items = calloc(n + 1, sizeof *v->items);
        for (size_t i = 0; i < n; i++)
            random_value(&v->items[i], t->kind == TACIT_ABI_TUPLE ? t->members[i] : t->elem);
    }
}

TEST(abi_roundtrip_random)
{
    for (int i = 0; i < tacit_test_iters(300); i++) {
        char ts[512];
        struct tacit_abi_type *t;
        struct tacit_abi_value v, *d;
        uint8_t *enc;
        size_t n;

        random_type(ts, sizeof ts, 0);
        if (tacit_abi_type_parse(&t, ts) != TACIT_OK) {
            tacit__test_fail(__FILE__, __LINE__, "random type %s not parsed", ts);
            continue;
        }
        random_value(&v, t);
        CHECK_EQ_INT(tacit_abi_encode(&enc, &n, t, &v), TACIT_OK);
        if (enc != NULL) {
            CHECK_EQ_INT(n % 32, 0);
            abi_check(t, &v, enc, n);
            /* the encoding is tight: any shorter input is refused, never read past */
            if (n > 0) {
                CHECK(tacit_abi_decode(&d, t, enc, (size_t)(tacit_test_rand64() % n)) != TACIT_OK);
                CHECK(d == NULL);
            }
        }
        free(enc);
        value_free(&v);
        tacit_abi_type_free(t);
    }
}

/* ------------------------------------------------------------------ ABI negative ---- */

/* Decodes hex as type ts and expects rc. (A dynamic type decoded alone is its tail: length
 * first. Return data and calldata are tuples: "(bytes)" starts with the offset.) */
static void abi_expect(const char *ts, const char *hex, int rc)
{
    struct tacit_abi_type *t;
    struct tacit_abi_value *d = NULL;
    uint8_t *data;
    size_t n;
    REQUIRE(tacit_abi_type_parse(&t, ts) == TACIT_OK, ts);
    REQUIRE(tacit_hex_decode_alloc(&data, &n, hex, 1 << 20) == TACIT_OK, hex);
    CHECK_EQ_INT(tacit_abi_decode(&d, t, data, n), rc);
    CHECK((rc == TACIT_OK) == (d != NULL));
    tacit_abi_value_free(d);
    free(data);
    tacit_abi_type_free(t);
}

#define W0 "0000000000000000000000000000000000000000000000000000000000000000"
#define W1 "0000000000000000000000000000000000000000000000000000000000000001"
#define W20 "0000000000000000000000000000000000000000000000000000000000000020"
#define WFF "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

TEST(abi_offset_out_of_range)
{
    abi_expect("(bytes)",
               "0x" W20 W1 "ab00000000000000000000000000000000000000000000000000000000000000",
               TACIT_OK);
    /* the offset points past the data */
    abi_expect("(bytes)",
               "0x"
               "0000000000000000000000000000000000000000000000000000000000000060" W1,
               TACIT_EABI_OFFSET);
    /* an offset above 2^64 */
    abi_expect("(bytes)", "0x" WFF W1, TACIT_EABI_OFFSET);
    /* the length runs past the data */
    abi_expect("(bytes)",
               "0x" W20 "0000000000000000000000000000000000000000000000000000000000000021" W0,
               TACIT_EABI_OFFSET);
    /* the content is there but its padding is not */
    abi_expect("(bytes)", "0x" W20 W1 "ab", TACIT_EABI_OFFSET);
    /* an array longer than its data could hold */
    abi_expect("(uint256[])",
               "0x" W20 "0000000000000000000000000000000000000000000000000000000000000003" W1 W1,
               TACIT_EABI_OFFSET);
    /* a static head longer than the data */
    abi_expect("(uint256,uint256)", "0x" W1, TACIT_EABI_OFFSET);
    abi_expect("uint256", "0x", TACIT_EABI_OFFSET);
}

TEST(abi_padding)
{
    abi_expect("uint8",
               "0x"
               "00000000000000000000000000000000000000000000000000000000000000ff",
               TACIT_OK);
    abi_expect("uint8",
               "0x"
               "0000000000000000000000000000000000000000000000000000000000000100",
               TACIT_EABI_PADDING);
    abi_expect("address",
               "0x"
               "000000000000000000000001f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
               TACIT_EABI_PADDING);
    abi_expect("bytes4",
               "0x"
               "08c379a0000000000000000000000000000000000000000000000000000000ff",
               TACIT_EABI_PADDING);
    abi_expect("int8",
               "0x"
               "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80",
               TACIT_OK);
    abi_expect("int8",
               "0x"
               "00000000000000000000000000000000000000000000000000000000000000ff",
               TACIT_EABI_PADDING);
    abi_expect("int8",
               "0x"
               "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
               TACIT_EABI_PADDING);
    /* the tail of bytes and string */
    abi_expect("(bytes)",
               "0x" W20 W1 "ab00000000000000000000000000000000000000000000000000000000000001",
               TACIT_EABI_PADDING);
    abi_expect("(string)",
               "0x" W20 W1 "6101000000000000000000000000000000000000000000000000000000000000",
               TACIT_EABI_PADDING);
}

TEST(abi_bool)
{
    abi_expect("bool", "0x" W1, TACIT_OK);
    abi_expect("bool",
               "0x"
               "0000000000000000000000000000000000000000000000000000000000000002",
               TACIT_EABI_BOOL);
    abi_expect("bool",
               "0x"
               "0100000000000000000000000000000000000000000000000000000000000001",
               TACIT_EABI_BOOL);
}

TEST(abi_selector)
{
    struct tacit_abi_value *d;
    uint8_t data[36] = {0};
    CHECK_EQ_INT(tacit_abi_selector(data, "f(uint256)"), TACIT_OK);
    CHECK_EQ_INT(tacit_abi_decode_call(&d, "f(uint256)", data, sizeof data), TACIT_OK);
    tacit_abi_value_free(d);
    CHECK_EQ_INT(tacit_abi_decode_call(&d, "g(uint256)", data, sizeof data), TACIT_EABI_SELECTOR);
    CHECK(d == NULL);
    CHECK_EQ_INT(tacit_abi_decode_call(&d, "f(uint256)", data, 3), TACIT_EABI_SELECTOR);
}

TEST(abi_type_malformed)
{
    static const char *bad[] = {"uint7",
                                "uint257",
                                "uint0",
                                "int",
                                "bytes33",
                                "bytes0",
                                "uint08",
                                "(uint256",
                                "uint256)",
                                "uint256[0]",
                                "uint256[01]",
                                "uint256[",
                                "foo",
                                "",
                                "(uint256,)",
                                "uint256[2097152]",
                                "tuple(uint256)",
                                "((((((((((((((((((uint256))))))))))))))))))"};
    struct tacit_abi_type *t;
    uint8_t sel[4];
    char *canon;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = tacit_abi_type_parse(&t, bad[i]);
        if (strcmp(bad[i], "int") == 0) { /* "int" is int256, like "uint" */
            CHECK_EQ_INT(rc, TACIT_OK);
            tacit_abi_type_free(t);
            continue;
        }
        if (rc != TACIT_EABI_TYPE)
            tacit__test_fail(__FILE__, __LINE__, "type \"%s\": %d", bad[i], rc);
        CHECK(t == NULL);
    }
    CHECK_EQ_INT(tacit_abi_selector(sel, "f(uint7)"), TACIT_EABI_TYPE);
    CHECK_EQ_INT(tacit_abi_selector(sel, "(uint256)"), TACIT_EABI_TYPE);
    CHECK_EQ_INT(tacit_abi_selector(sel, "f uint256"), TACIT_EABI_TYPE);
    CHECK_EQ_INT(
        tacit_abi_signature_parse(&canon, NULL, "Transfer(address indexed from , uint amount)"),
        TACIT_OK);
    CHECK(strcmp(canon, "Transfer(address,uint256)") == 0);
    free(canon);
}

TEST(abi_value_mismatch)
{
    struct tacit_abi_type *t;
    struct tacit_abi_value v, items[2];
    uint8_t *enc;
    size_t n;
    REQUIRE(tacit_abi_type_parse(&t, "uint8") == TACIT_OK, "uint8");
    tacit_abi_set_u64(&v, 256);
    CHECK_EQ_INT(tacit_abi_encode(&enc, &n, t, &v), TACIT_EABI_VALUE);
    CHECK(enc == NULL);
    tacit_abi_set_bool(&v, true); /* another kind */
    CHECK_EQ_INT(tacit_abi_encode(&enc, &n, t, &v), TACIT_EABI_VALUE);
    tacit_abi_type_free(t);
    REQUIRE(tacit_abi_type_parse(&t, "(uint256,bool)") == TACIT_OK, "tuple");
    tacit_abi_set_u64(&items[0], 1);
    tacit_abi_set_list(&v, TACIT_ABI_TUPLE, items, 1); /* one member missing */
    CHECK_EQ_INT(tacit_abi_encode(&enc, &n, t, &v), TACIT_EABI_VALUE);
    tacit_abi_type_free(t);
}

TEST(abi_output_bounded)
{
    /* bytes[] of 200 items whose offsets all point at one 6,000-byte value: 1.2 MB of output
     * from 12.9 kB of input is refused before anything is allocated for it */
    enum { N = 200, LEN = 6000 };
    size_t head = 64 + 32 * N,
           total = head + 32 + (LEN + 31) / 32 * 32; /* head: offset, length, N offsets */
    uint8_t *data = calloc(1, total);
    struct tacit_abi_type *t;
    struct tacit_abi_value *d;
    REQUIRE(data != NULL && tacit_abi_type_parse(&t, "(bytes[])") == TACIT_OK, "setup");
    data[31] = 0x20;                 /* offset of the array */
    data[63] = N;                    /* its length */
    for (size_t i = 0; i < N; i++) { /* every item at the same place, relative to word 2 */
        size_t off = 32 * N, w = 64 + 32 * i;
        data[w + 30] = (uint8_t)(off >> 8);
        data[w + 31] = (uint8_t)off;
    }
    data[head + 30] = LEN >> 8;
    data[head + 31] = LEN & 0xff;
    CHECK_EQ_INT(tacit_abi_decode(&d, t, data, total), TACIT_ETOOBIG);
    data[63] = 2; /* two items: fine */
    CHECK_EQ_INT(tacit_abi_decode(&d, t, data, total), TACIT_OK);
    CHECK(d != NULL && d->items[0].n == 2 && d->items[0].items[1].len == LEN);
    tacit_abi_value_free(d);
    tacit_abi_type_free(t);
    free(data);
}

/* ------------------------------------------------------------------ keys and txs ---- */

static struct tacit_eth_key *key_of(const json_t *j)
{
    struct tacit_eth_key *k = NULL;
    CHECK_EQ_INT(tacit_eth_key_from_hex(&k, json_string_value(j)), TACIT_OK);
    return k;
}

/* The transaction of a vector (data malloc'd into *data). */
static void tx_of_json(struct tacit_eth_tx *tx, uint8_t **data, const json_t *j)
{
    const json_t *to = json_object_get(j, "to");
    memset(tx, 0, sizeof *tx);
    tx->chain_id = u64_of(json_object_get(j, "chainId"));
    tx->nonce = u64_of(json_object_get(j, "nonce"));
    tx->max_priority_fee_per_gas = dec_of(json_object_get(j, "maxPriorityFeePerGas"));
    tx->max_fee_per_gas = dec_of(json_object_get(j, "maxFeePerGas"));
    tx->gas_limit = u64_of(json_object_get(j, "gasLimit"));
    tx->create = json_is_null(to);
    if (!tx->create) fixed_of(tx->to, 20, to);
    tx->value = dec_of(json_object_get(j, "value"));
    *data = hex_of(json_object_get(j, "data"), &tx->data_len);
    tx->data = *data;
}

static bool tx_equal(const struct tacit_eth_tx *a, const struct tacit_eth_tx *b)
{
    return a->chain_id == b->chain_id && a->nonce == b->nonce && a->gas_limit == b->gas_limit &&
           a->create == b->create && (a->create || memcmp(a->to, b->to, 20) == 0) &&
           tacit_uint256_cmp(&a->max_priority_fee_per_gas, &b->max_priority_fee_per_gas) == 0 &&
           tacit_uint256_cmp(&a->max_fee_per_gas, &b->max_fee_per_gas) == 0 &&
           tacit_uint256_cmp(&a->value, &b->value) == 0 && a->data_len == b->data_len &&
           (a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0);
}

TEST(tx_vectors)
{
    json_t *v = load_vectors("tx.json"), *c;
    size_t i;
    REQUIRE(v != NULL, "tests/vectors/l1/tx.json");
    json_array_foreach(json_object_get(v, "txs"), i, c)
    {
        struct tacit_eth_key *k = key_of(json_object_get(c, "key"));
        struct tacit_eth_tx tx, back;
        const json_t *sig = json_object_get(c, "signature");
        uint8_t addr[20], h[32], *data, *raw, s[65], want_sig[65];
        size_t n;

        if (k == NULL) continue;
        tacit_eth_key_address(k, addr);
        check_hex(addr, 20, json_object_get(c, "from"));
        tx_of_json(&tx, &data, json_object_get(c, "tx"));
        CHECK_EQ_INT(tacit_eth_tx_signing_hash(h, &tx), TACIT_OK);
        check_hex(h, 32, json_object_get(c, "signing_hash"));
        /* RFC 6979 on both sides: the same signature, so the same raw bytes and hash */
        CHECK_EQ_INT(tacit_eth_tx_sign(&raw, &n, h, &tx, k), TACIT_OK);
        check_hex(raw, n, json_object_get(c, "raw"));
        check_hex(h, 32, json_object_get(c, "hash"));
        fixed_of(want_sig, 32, json_object_get(sig, "r"));
        fixed_of(want_sig + 32, 32, json_object_get(sig, "s"));
        want_sig[64] = (uint8_t)json_integer_value(json_object_get(sig, "y_parity"));
        CHECK_EQ_INT(tacit_eth_tx_decode(&back, s, raw, n), TACIT_OK);
        CHECK(tx_equal(&back, &tx));
        CHECK_MEM(s, want_sig, 65);
        CHECK_EQ_INT(tacit_eth_tx_sender(addr, raw, n), TACIT_OK);
        check_hex(addr, 20, json_object_get(c, "from"));
        free(raw);
        free(data);
        tacit_eth_key_free(k);
    }
    CHECK(i >= 24);
    json_decref(v);
}

/* A random valid key (rejection sampling). */
static struct tacit_eth_key *random_key(void)
{
    struct tacit_eth_key *k = NULL;
    uint8_t sk[32];
    do tacit_test_rand_bytes(sk, 32);
    while (tacit_eth_key_new(&k, sk) != TACIT_OK);
    return k;
}

TEST(tx_roundtrip_random)
{
    for (int i = 0; i < tacit_test_iters(100); i++) {
        struct tacit_eth_key *k = random_key();
        struct tacit_eth_tx tx, back;
        uint8_t data[300], *raw, addr[20], from[20];
        size_t n;

        memset(&tx, 0, sizeof tx);
        tx.chain_id = tacit_test_rand64() >> (tacit_test_rand64() % 64);
        tx.nonce = tacit_test_rand64() >> (tacit_test_rand64() % 64);
        tx.gas_limit = tacit_test_rand64() >> (tacit_test_rand64() % 64);
        {
            size_t a = (size_t)(tacit_test_rand64() % 33), b = (size_t)(tacit_test_rand64() % 17),
                   c = (size_t)(tacit_test_rand64() % 33);
            tacit_test_rand_bytes(tx.max_fee_per_gas.be + 32 - a, a);
            tacit_test_rand_bytes(tx.max_priority_fee_per_gas.be + 32 - b, b);
            tacit_test_rand_bytes(tx.value.be + 32 - c, c);
        }
        tx.create = tacit_test_rand64() % 4 == 0;
        tacit_test_rand_bytes(tx.to, 20);
        if (tx.create) memset(tx.to, 0, 20);
        tx.data_len = (size_t)(tacit_test_rand64() % sizeof data);
        tacit_test_rand_bytes(data, tx.data_len);
        tx.data = data;
        CHECK_EQ_INT(tacit_eth_tx_sign(&raw, &n, NULL, &tx, k), TACIT_OK);
        CHECK_EQ_INT(tacit_eth_tx_decode(&back, NULL, raw, n), TACIT_OK);
        CHECK(tx_equal(&back, &tx));
        tacit_eth_key_address(k, addr);
        CHECK_EQ_INT(tacit_eth_tx_sender(from, raw, n), TACIT_OK);
        CHECK_MEM(from, addr, 20);
        free(raw);
        tacit_eth_key_free(k);
    }
}

/* The first vector's raw transaction, re-encoded with changed fields (hand-built RLP). */
struct raw_fields {
    uint8_t type;
    int nfields;       /* 12 normally */
    const uint8_t *to; /* 20 bytes, or to_len bytes */
    size_t to_len;
    bool access_list_item; /* a non-empty access list */
    uint64_t y_parity;
    uint8_t r[32], s[32];
    bool nonce_leading_zero;
};

static void raw_build(uint8_t **raw, size_t *n, const struct raw_fields *f)
{
    struct tacit_rlp_enc e;
    tacit_uint256 r, s, one;
    uint8_t type = f->type;
    tacit_rlp_enc_init(&e);
    tacit_rlp_put_raw(&e, &type, 1);
    tacit_rlp_list_begin(&e);
    tacit_rlp_put_u64(&e, 31337);
    if (f->nonce_leading_zero)
        tacit_rlp_put_bytes(&e, (const uint8_t[]){0x00, 0x05}, 2);
    else
        tacit_rlp_put_u64(&e, 5);
    tacit_rlp_put_u64(&e, 1000000000);
    tacit_rlp_put_u64(&e, 2000000000);
    tacit_rlp_put_u64(&e, 21000);
    tacit_rlp_put_bytes(&e, f->to, f->to_len);
    tacit_rlp_put_u64(&e, 1);
    tacit_rlp_put_bytes(&e, NULL, 0);
    tacit_rlp_list_begin(&e);
    if (f->access_list_item) {
        tacit_rlp_list_begin(&e);
        tacit_rlp_put_bytes(&e, f->to, 20);
        tacit_rlp_list_begin(&e);
        tacit_rlp_list_end(&e);
        tacit_rlp_list_end(&e);
    }
    tacit_rlp_list_end(&e);
    memcpy(r.be, f->r, 32);
    memcpy(s.be, f->s, 32);
    tacit_uint256_from_u64(&one, 1);
    if (f->nfields >= 10) tacit_rlp_put_u64(&e, f->y_parity);
    if (f->nfields >= 11) tacit_rlp_put_uint256(&e, &r);
    if (f->nfields >= 12) tacit_rlp_put_uint256(&e, &s);
    if (f->nfields >= 13) tacit_rlp_put_uint256(&e, &one);
    tacit_rlp_list_end(&e);
    CHECK_EQ_INT(tacit_rlp_enc_finish(&e, raw, n), TACIT_OK);
}

/* A transaction signed by key with fields f (except the signature, which is made here). */
static void raw_signed(uint8_t **raw, size_t *n, struct raw_fields *f,
                       const struct tacit_eth_key *k)
{
    struct tacit_eth_tx tx = {.chain_id = 31337, .nonce = 5, .gas_limit = 21000};
    uint8_t h[32], sig[65];
    tacit_uint256_from_u64(&tx.max_priority_fee_per_gas, 1000000000);
    tacit_uint256_from_u64(&tx.max_fee_per_gas, 2000000000);
    tacit_uint256_from_u64(&tx.value, 1);
    memcpy(tx.to, f->to, 20);
    CHECK_EQ_INT(tacit_eth_tx_signing_hash(h, &tx), TACIT_OK);
    CHECK_EQ_INT(tacit_eth_sign(sig, k, h), TACIT_OK);
    memcpy(f->r, sig, 32);
    memcpy(f->s, sig + 32, 32);
    f->y_parity = sig[64];
    raw_build(raw, n, f);
}

static void tx_expect(const struct raw_fields *f, int decode_rc, int sender_rc)
{
    struct tacit_eth_tx tx;
    uint8_t *raw, from[20];
    size_t n;
    raw_build(&raw, &n, f);
    CHECK_EQ_INT(tacit_eth_tx_decode(&tx, NULL, raw, n), decode_rc);
    CHECK_EQ_INT(tacit_eth_tx_sender(from, raw, n), sender_rc);
    free(raw);
}

TEST(tx_negative)
{
    static const uint8_t to[20] = {0x70, 0x99};
    /* secp256k1's n, for a high s */
    static const uint8_t N[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                  0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    struct tacit_eth_key *k = random_key();
    struct raw_fields ok = {.type = 2, .nfields = 12, .to = to, .to_len = 20}, f;
    struct tacit_eth_tx tx;
    uint8_t *raw, from[20], addr[20];
    size_t n;

    raw_signed(&raw, &n, &ok, k); /* the good one: recovers to the key */
    tacit_eth_key_address(k, addr);
    CHECK_EQ_INT(tacit_eth_tx_sender(from, raw, n), TACIT_OK);
    CHECK_MEM(from, addr, 20);
    /* trailing byte after the envelope */
    raw = realloc(raw, n + 1);
    raw[n] = 0x00;
    CHECK_EQ_INT(tacit_eth_tx_decode(&tx, NULL, raw, n + 1), TACIT_ETRAILING);
    free(raw);

    f = ok;
    f.type = 1;
    tx_expect(&f, TACIT_EL1_TX_TYPE, TACIT_EL1_TX_TYPE);
    f = ok;
    f.nfields = 11;
    tx_expect(&f, TACIT_ERLP_ITEMS, TACIT_ERLP_ITEMS);
    f = ok;
    f.nfields = 13;
    tx_expect(&f, TACIT_ERLP_ITEMS, TACIT_ERLP_ITEMS);
    f = ok;
    f.to_len = 19;
    tx_expect(&f, TACIT_EENCODING, TACIT_EENCODING);
    f = ok;
    f.access_list_item = true;
    tx_expect(&f, TACIT_EENCODING, TACIT_EENCODING);
    f = ok;
    f.nonce_leading_zero = true;
    tx_expect(&f, TACIT_ERLP_LEADING_ZERO, TACIT_ERLP_LEADING_ZERO);
    f = ok;
    f.y_parity = 2;
    tx_expect(&f, TACIT_EL1_SIGNATURE, TACIT_EL1_SIGNATURE);
    /* high s: s' = n - s verifies mathematically with the other parity, but EIP-2 refuses it */
    f = ok;
    {
        tacit_uint256 nn, s;
        memcpy(nn.be, N, 32);
        memcpy(s.be, ok.s, 32);
        CHECK_EQ_INT(tacit_uint256_sub(&s, &nn, &s), TACIT_OK);
        memcpy(f.s, s.be, 32);
        f.y_parity ^= 1;
    }
    tx_expect(&f, TACIT_OK, TACIT_EL1_SIGNATURE);
    f = ok;
    memset(f.r, 0, 32);
    tx_expect(&f, TACIT_OK, TACIT_EL1_SIGNATURE);
    f = ok;
    memcpy(f.s, N, 32);
    tx_expect(&f, TACIT_OK, TACIT_EL1_SIGNATURE);
    tacit_eth_key_free(k);
}

TEST(key_invalid)
{
    static const uint8_t zero[32];
    static const uint8_t N[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                  0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    struct tacit_eth_key *k;
    CHECK_EQ_INT(tacit_eth_key_new(&k, zero), TACIT_EINVAL);
    CHECK(k == NULL);
    CHECK_EQ_INT(tacit_eth_key_new(&k, N), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_eth_key_from_hex(
                     &k, "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
                 TACIT_EENCODING);
    CHECK_EQ_INT(tacit_eth_key_from_hex(
                     &k, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8"),
                 TACIT_EENCODING);
    CHECK_EQ_INT(tacit_eth_key_from_hex(
                     &k, "0xzz0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
                 TACIT_EENCODING);
    CHECK_EQ_INT(tacit_eth_key_from_hex(
                     &k, "0x0000000000000000000000000000000000000000000000000000000000000000"),
                 TACIT_EINVAL);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL, path);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

TEST(key_load)
{
    char dir[] = "/tmp/tacit-l1-key-XXXXXX", path[256];
    struct tacit_eth_key *k;
    uint8_t addr[20];
    REQUIRE(mkdtemp(dir) != NULL, "a temporary directory");
    snprintf(path, sizeof path, "%s/l1.key", dir);
    write_file(path, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n", 0600);
    CHECK_EQ_INT(tacit_eth_key_load(&k, path), TACIT_OK);
    if (k != NULL) {
        tacit_eth_key_address(k, addr);
        CHECK_MEM(addr,
                  ((const uint8_t[]){0xf3, 0x9f, 0xd6, 0xe5, 0x1a, 0xad, 0x88, 0xf6, 0xf4, 0xce,
                                     0x6a, 0xb8, 0x82, 0x72, 0x79, 0xcf, 0xff, 0xb9, 0x22, 0x66}),
                  20);
    }
    tacit_eth_key_free(k);
    chmod(path, 0640);
    CHECK_EQ_INT(tacit_eth_key_load(&k, path), TACIT_EKEY_FILE_MODE);
    write_file(path, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n\n",
               0600);
    CHECK_EQ_INT(tacit_eth_key_load(&k, path), TACIT_EENCODING);
    unlink(path);
    CHECK_EQ_INT(tacit_eth_key_load(&k, path), TACIT_ENOENT);
    rmdir(dir);
}

TEST(sign_recover_random)
{
    struct tacit_eth_key *k = random_key();
    uint8_t addr[20], got[20], digest[32], sig[65];
    tacit_eth_key_address(k, addr);
    for (int i = 0; i < tacit_test_iters(200); i++) {
        tacit_test_rand_bytes(digest, 32);
        CHECK_EQ_INT(tacit_eth_sign(sig, k, digest), TACIT_OK);
        CHECK(sig[64] <= 1);
        CHECK(sig[32] < 0x80); /* low s: s <= n/2 < 2^255 */
        CHECK_EQ_INT(tacit_eth_recover(got, digest, sig), TACIT_OK);
        CHECK_MEM(got, addr, 20);
        digest[0] ^= 1; /* another digest recovers another address */
        if (tacit_eth_recover(got, digest, sig) == TACIT_OK) CHECK(memcmp(got, addr, 20) != 0);
    }
    tacit_eth_key_free(k);
}

/* ------------------------------------------------------------------ EIP-712 ---- */

static void word_address(uint8_t w[32], const json_t *j)
{
    struct tacit_abi_value v;
    uint8_t a[20];
    fixed_of(a, 20, j);
    tacit_abi_set_address(&v, a);
    memcpy(w, v.word, 32);
}

static void word_string(uint8_t w[32], const json_t *j)
{
    tacit_eip712_word_bytes(w, (const uint8_t *)json_string_value(j), json_string_length(j));
}

static void domain_of(uint8_t out[32], const json_t *d)
{
    uint8_t contract[20];
    fixed_of(contract, 20, json_object_get(d, "verifyingContract"));
    tacit_eip712_domain_separator(out, json_string_value(json_object_get(d, "name")),
                                  json_string_value(json_object_get(d, "version")),
                                  (uint64_t)json_integer_value(json_object_get(d, "chainId")),
                                  contract);
}

/* The EIP's own example: Mail(Person from,Person to,string contents), Person nested. */
static void eip712_mail(const json_t *c)
{
    const json_t *m = json_object_get(c, "message");
    uint8_t dom[32], person_type[32], mail_type[32], words[3][32], pw[2][32], h[32];
    const char *names[2] = {"from", "to"};

    domain_of(dom, json_object_get(c, "domain"));
    check_hex(dom, 32, json_object_get(c, "domain_separator"));
    tacit_eip712_type_hash(person_type, "Person(string name,address wallet)");
    for (int i = 0; i < 2; i++) {
        const json_t *p = json_object_get(m, names[i]);
        word_string(pw[0], json_object_get(p, "name"));
        word_address(pw[1], json_object_get(p, "wallet"));
        CHECK_EQ_INT(tacit_eip712_hash_struct(words[i], person_type, (const uint8_t(*)[32])pw, 2),
                     TACIT_OK);
        check_hex(words[i], 32, json_array_get(json_object_get(c, "person_hashes"), (size_t)i));
    }
    word_string(words[2], json_object_get(m, "contents"));
    CHECK(strcmp(json_string_value(json_object_get(c, "encoded_type")),
                 "Mail(Person from,Person to,string contents)Person(string name,address wallet)") ==
          0);
    tacit_eip712_type_hash(mail_type, json_string_value(json_object_get(c, "encoded_type")));
    CHECK_EQ_INT(tacit_eip712_hash_struct(h, mail_type, (const uint8_t(*)[32])words, 3), TACIT_OK);
    check_hex(h, 32, json_object_get(c, "struct_hash"));
    tacit_eip712_digest(h, dom, h);
    check_hex(h, 32, json_object_get(c, "digest"));
}

/* Deposit(address from,uint256 amount,uint64 nonce,bytes32 commitment,bytes memo,string note,
 * bytes32[] nullifiers,bool ok), signed by the vector's key. */
static void eip712_deposit(const json_t *c)
{
    const json_t *m = json_object_get(c, "message"), *nfs = json_object_get(m, "nullifiers");
    const json_t *sj = json_object_get(c, "signature");
    struct tacit_eth_key *k = key_of(json_object_get(c, "key"));
    struct tacit_abi_value v;
    uint8_t dom[32], type[32], w[8][32], h[32], digest[32], sig[65], want[65], addr[20], got[20];
    uint8_t nf[8][32], *memo;
    tacit_uint256 x;
    size_t n, nn = json_array_size(nfs);

    domain_of(dom, json_object_get(c, "domain"));
    check_hex(dom, 32, json_object_get(c, "domain_separator"));
    tacit_eip712_type_hash(type, json_string_value(json_object_get(c, "encoded_type")));
    word_address(w[0], json_object_get(m, "from"));
    x = dec_of(json_object_get(m, "amount"));
    memcpy(w[1], x.be, 32);
    tacit_abi_set_u64(&v, u64_of(json_object_get(m, "nonce")));
    memcpy(w[2], v.word, 32);
    fixed_of(w[3], 32, json_object_get(m, "commitment"));
    memo = hex_of(json_object_get(m, "memo"), &n);
    tacit_eip712_word_bytes(w[4], memo, n);
    free(memo);
    word_string(w[5], json_object_get(m, "note"));
    for (size_t i = 0; i < nn && i < 8; i++) fixed_of(nf[i], 32, json_array_get(nfs, i));
    tacit_eip712_word_bytes(w[6], &nf[0][0], 32 * nn);
    tacit_abi_set_bool(&v, json_is_true(json_object_get(m, "ok")));
    memcpy(w[7], v.word, 32);
    CHECK_EQ_INT(tacit_eip712_hash_struct(h, type, (const uint8_t(*)[32])w, 8), TACIT_OK);
    check_hex(h, 32, json_object_get(c, "struct_hash"));
    tacit_eip712_digest(digest, dom, h);
    check_hex(digest, 32, json_object_get(c, "digest"));
    if (k == NULL) return;
    CHECK_EQ_INT(tacit_eth_sign(sig, k, digest), TACIT_OK);
    fixed_of(want, 32, json_object_get(sj, "r"));
    fixed_of(want + 32, 32, json_object_get(sj, "s"));
    want[64] = (uint8_t)json_integer_value(json_object_get(sj, "y_parity"));
    CHECK_MEM(sig, want, 65);
    tacit_eth_key_address(k, addr);
    CHECK_EQ_INT(tacit_eth_recover(got, digest, want), TACIT_OK);
    CHECK_MEM(got, addr, 20);
    check_hex(addr, 20, json_object_get(m, "from"));
    tacit_eth_key_free(k);
}

TEST(eip712_vectors)
{
    json_t *v = load_vectors("eip712.json"), *c;
    size_t i, mails = 0, deposits = 0;
    REQUIRE(v != NULL, "tests/vectors/l1/eip712.json");
    json_array_foreach(json_object_get(v, "cases"), i, c)
    {
        const char *kind = json_string_value(json_object_get(c, "kind"));
        if (strcmp(kind, "mail") == 0) {
            eip712_mail(c);
            mails++;
        } else {
            eip712_deposit(c);
            deposits++;
        }
    }
    CHECK_EQ_INT(mails, 1);
    CHECK(deposits >= 8);
    json_decref(v);
}

static const struct tacit_test tests[] = {
    {"uint256_forms_and_arithmetic", uint256_forms_and_arithmetic},
    {"rlp_vectors", rlp_vectors},
    {"rlp_roundtrip_random", rlp_roundtrip_random},
    {"rlp_truncated", rlp_truncated},
    {"rlp_noncanonical_length", rlp_noncanonical_length},
    {"rlp_noncanonical_byte", rlp_noncanonical_byte},
    {"rlp_trailing", rlp_trailing},
    {"rlp_leading_zero", rlp_leading_zero},
    {"rlp_type_and_items", rlp_type_and_items},
    {"rlp_encoder_misuse", rlp_encoder_misuse},
    {"abi_vectors", abi_vectors},
    {"abi_calls_and_reverts", abi_calls_and_reverts},
    {"abi_events", abi_events},
    {"abi_roundtrip_random", abi_roundtrip_random},
    {"abi_offset_out_of_range", abi_offset_out_of_range},
    {"abi_padding", abi_padding},
    {"abi_bool", abi_bool},
    {"abi_selector", abi_selector},
    {"abi_type_malformed", abi_type_malformed},
    {"abi_value_mismatch", abi_value_mismatch},
    {"abi_output_bounded", abi_output_bounded},
    {"tx_vectors", tx_vectors},
    {"tx_roundtrip_random", tx_roundtrip_random},
    {"tx_negative", tx_negative},
    {"key_invalid", key_invalid},
    {"key_load", key_load},
    {"sign_recover_random", sign_recover_random},
    {"eip712_vectors", eip712_vectors},
};
TACIT_TEST_MAIN(tests)
