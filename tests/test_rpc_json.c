/*
 * tacit — tacit__rpc_json_parse (src/rpc/request.c) against json_loadb, its reference: the
 * same value (compared as compact text, key order included), or the same refusal with the
 * same error (code, text, position), on named valid and invalid bodies and on random JSON and
 * mutations of it. Each named case with a long string checks that it takes the cut path.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rpc/rpc_internal.h"

#define REQ_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) /* the RPC server's */

static const size_t g_flags[] = {REQ_FLAGS,
                                 0,
                                 JSON_DECODE_ANY,
                                 JSON_REJECT_DUPLICATES,
                                 JSON_ALLOW_NUL | JSON_DECODE_ANY,
                                 JSON_DISABLE_EOF_CHECK};
#define NFLAGS (sizeof g_flags / sizeof g_flags[0])

/* Both parsers on text with flags; true when they agree (and checks fail otherwise). *accepted:
 * whether json_loadb took it. */
static bool agree(const char *text, size_t len, size_t flags, bool *accepted)
{
    json_error_t ea, eb;
    json_t *a = json_loadb(text, len, flags, &ea);
    json_t *b = tacit__rpc_json_parse(text, len, flags, &eb);
    bool same = (a == NULL) == (b == NULL);

    if (a != NULL && b != NULL) {
        char *ta = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
        char *tb = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
        same = ta != NULL && tb != NULL && strcmp(ta, tb) == 0 && json_equal(a, b);
        free(ta);
        free(tb);
    } else if (a == NULL && b == NULL) {
        same = json_error_code(&ea) == json_error_code(&eb) && strcmp(ea.text, eb.text) == 0 &&
               ea.position == eb.position && ea.line == eb.line && ea.column == eb.column;
    }
    if (!same)
        tacit__test_fail(__FILE__, __LINE__,
                         "differs from json_loadb (flags %#zx, %zu bytes): loadb %s (%s), "
                         "ours %s (%s): %.200s",
                         flags, len, a ? "accepts" : "refuses", a ? "" : ea.text,
                         b ? "accepts" : "refuses", b ? "" : eb.text, text);
    json_decref(a);
    json_decref(b);
    if (accepted) *accepted = a != NULL;
    return same;
}

/* A string of n bytes of c... (hex digits by default): the kind of value that is cut. */
static char *long_plain(size_t n, const char *alphabet)
{
    char *s = malloc(n + 1);
    size_t k = strlen(alphabet);
    for (size_t i = 0; i < n; i++) s[i] = alphabet[i % k];
    s[n] = '\0';
    return s;
}

/* ---------------------------------------------------------------- named cases ---- */

struct named {
    const char *name;
    const char *fmt; /* L: a 300-byte plain string */
    size_t len;      /* bytes of fmt (a NUL inside); 0: strlen */
    size_t cuts;     /* strings the scan cuts */
};

/* Accepted by json_loadb with the server's flags. */
static const struct named g_valid[] = {
    {"send_raw_tx",
     "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tacit_sendRawTransaction\","
     "\"params\":[\"0xL\"]}",
     0, 1},
    {"long_at_end", "\"L\"", 0, 1},
    {"long_then_ws_at_end", "[\"L\"] \n\t", 0, 1},
    {"many_long", "[\"L\",\"L\",{\"a\":\"L\",\"b\":[\"L\",\"L\"]},\"L\"]", 0, 6},
    {"long_key_not_cut", "{\"L\":\"L\"}", 0, 1},
    {"long_key_ws_before_colon", "{\"L\" \r\n : 1, \"b\": \"L\"}", 0, 1},
    {"long_with_escape_kept", "[\"L\\nL\",\"L\"]", 0, 1},
    {"long_with_unicode_kept", "[\"L\xc3\xa9L\", \"L\"]", 0, 1},
    {"long_with_u_escape_kept", "[\"L\\u00e9\", \"L\"]", 0, 1},
    {"long_with_escaped_quote_kept", "[\"L\\\"L\", \"L\"]", 0, 1},
    {"long_ends_in_escaped_backslash", "[\"L\\\\\", \"L\"]", 0, 1},
    {"punctuation_in_long", "[\"L :,{}[] /'~L\"]", 0, 1},
    {"long_value_before_colon_lookalike", "{\"a\":\"L\"  ,\"b\":\":\"}", 0, 1},
    {"nested_objects", "{\"a\":{\"b\":{\"c\":[\"L\",{\"d\":\"L\"}]}}}", 0, 2},
    {"batch",
     "[{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"m\",\"params\":[\"L\"]},"
     "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\",\"params\":{\"k\":\"L\"}}]",
     0, 2},
    {"tag_lookalike_text", "[\"u00000\", \"L\", \"\\\\u0000\"]", 0, 1},
    {"empty_and_short", "[\"\", \"x\", \"L\", \"\"]", 0, 1},
    {"numbers_around", "[1, -2.5e3, \"L\", true, false, null]", 0, 1},
};

/* Refused by json_loadb with the server's flags (the first six bytes name nothing: each case
 * says what it breaks). */
static const struct named g_invalid[] = {
    {"truncated_after_long", "{\"a\":\"L\"", 0, 1},
    {"truncated_inside_long", "{\"a\":\"L", 0, 0},
    {"unterminated_at_end", "[\"L\", \"L", 0, 1},
    {"long_value_then_colon", "[\"L\":1]", 0, 0},
    {"duplicate_keys_long_values", "{\"a\":\"L\",\"a\":\"L\"}", 0, 2},
    {"garbage_after_value", "[\"L\"] x", 0, 1},
    {"two_values", "{\"a\":\"L\"} {}", 0, 1},
    {"invalid_utf8_later", "[\"L\", \"\xff\"]", 0, 1},
    {"invalid_utf8_in_long", "[\"L\xffL\"]", 0, 0},
    {"overlong_utf8", "[\"L\", \"\xc0\xaf\"]", 0, 1},
    {"raw_tab_in_long", "[\"L\tL\"]", 0, 0},
    {"raw_nul_in_long", "[\"L\0L\"]", 7, 0},
    {"raw_nul_after_long", "[\"L\"]\0", 6, 1},
    {"nul_escape_elsewhere", "[\"L\", \"a\\u0000b\"]", 0, 0},
    {"nul_escape_in_long", "[\"L\\u0000L\"]", 0, 0},
    {"nul_escape_in_key", "{\"a\\u0000b\":\"L\"}", 0, 0},
    {"bad_escape_in_long", "[\"L\\xL\", \"L\"]", 0, 1},
    {"long_key_without_value", "{\"L\"}", 0, 1},
    {"long_key_in_array_pos", "{\"a\":1, \"L\"}", 0, 1},
    {"missing_comma", "[\"L\" \"L\"]", 0, 2},
    {"trailing_comma_array", "[\"L\",]", 0, 1},
    {"trailing_comma_object", "{\"a\":\"L\",}", 0, 1},
    {"real_overflow", "[\"L\", 1e999]", 0, 1},
    {"integer_overflow", "[\"L\", 99999999999999999999999]", 0, 1},
    {"lone_surrogate", "[\"L\", \"\\ud800\"]", 0, 1},
    {"extra_close", "[\"L\"]]", 0, 1},
    {"mismatched_close", "[\"L\"}", 0, 1},
    {"bad_literal", "[tru, \"L\"]", 0, 1},
    {"colon_after_value_in_object", "{\"a\":\"L\" : \"x\"}", 0, 0},
    {"empty_text", "", 0, 0},
    {"whitespace_only", " \n ", 0, 0},
    {"only_open_quote", "\"L", 0, 0},
    {"single_quotes", "['L']", 0, 0},
    {"leading_zero_number", "[\"L\", 01]", 0, 1},
    {"number_then_long", "[-, \"L\"]", 0, 1},
};

/* The case's text: fmt (flen bytes; 0: strlen) with each L a 300-byte plain string. */
static char *expand(const char *fmt, size_t flen, size_t *len)
{
    char *lng = long_plain(300, "0123456789abcdef"), *out;
    size_t n = 0;
    if (flen == 0) flen = strlen(fmt);
    out = malloc(flen * 300 + 1);
    for (size_t j = 0; j < flen; j++) {
        if (fmt[j] == 'L') {
            memcpy(out + n, lng, 300);
            n += 300;
        } else {
            out[n++] = fmt[j];
        }
    }
    out[n] = '\0';
    free(lng);
    *len = n;
    return out;
}

static void run_named(const struct named *cases, size_t n, bool want_accepted)
{
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *text = expand(cases[i].fmt, cases[i].len, &len);
        bool accepted = false;
        if (tacit__rpc_json_cut_count(text, len) != cases[i].cuts)
            tacit__test_fail(__FILE__, __LINE__, "%s: %zu cuts, want %zu", cases[i].name,
                             tacit__rpc_json_cut_count(text, len), cases[i].cuts);
        for (size_t f = 0; f < NFLAGS; f++) {
            agree(text, len, g_flags[f], &accepted);
            if (g_flags[f] == REQ_FLAGS && accepted != want_accepted)
                tacit__test_fail(__FILE__, __LINE__, "%s: json_loadb %s it", cases[i].name,
                                 accepted ? "accepts" : "refuses");
        }
        free(text);
    }
}

TEST(named_valid) { run_named(g_valid, sizeof g_valid / sizeof g_valid[0], true); }

TEST(named_invalid)
{
    CHECK(sizeof g_invalid / sizeof g_invalid[0] >= 25);
    run_named(g_invalid, sizeof g_invalid / sizeof g_invalid[0], false);
}

/* The cut threshold: 127 bytes stay, 128 are cut; either way the same value. */
TEST(threshold)
{
    for (size_t n = 120; n <= 136; n++) {
        char *s = long_plain(n, "ab"), *t = malloc(n + 8);
        size_t len = (size_t)sprintf(t, "[\"%s\"]", s);
        CHECK_EQ_INT(tacit__rpc_json_cut_count(t, len), n >= 128 ? 1 : 0);
        agree(t, len, REQ_FLAGS, NULL);
        free(s);
        free(t);
    }
}

/* Deeper than jansson's 2048 levels, with a long string inside: the same refusal. */
TEST(too_deep)
{
    size_t depth = 2100, len = 2 * depth + 302;
    char *t = malloc(len + 1), *lng = long_plain(300, "f");
    memset(t, '[', depth);
    t[depth] = '"';
    memcpy(t + depth + 1, lng, 300);
    t[depth + 301] = '"';
    memset(t + depth + 302, ']', depth);
    t[len] = '\0';
    CHECK_EQ_INT(tacit__rpc_json_cut_count(t, len), 1);
    agree(t, len, REQ_FLAGS, NULL);
    free(t);
    free(lng);
}

/* ------------------------------------------------------------- random bodies ---- */

struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap) b->cap = b->cap ? 2 * b->cap : 1024;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

static unsigned rnd(unsigned n) { return (unsigned)(tacit_test_rand64() % n); }

static void ws(struct buf *b)
{
    static const char *const w[] = {"", "", "", " ", "\n", "\t", "\r\n  "};
    puts_(b, w[rnd(7)]);
}

/* A string token: mostly plain (short or long), sometimes with escapes, UTF-8 or oddities. */
static void gen_string(struct buf *b)
{
    static const char *const extra[] = {
        "\\n",      "\\\"",         "\\\\",    "\\/", "\\u00e9", "\\ud83d\\ude00",
        "\xc3\xa9", "\xe2\x82\xac", "\\u0000", ":",   "\\u0041"};
    size_t n = rnd(4) == 0 ? rnd(20) : 100 + rnd(400);
    bool odd = rnd(4) == 0;
    put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (odd && rnd(64) == 0) {
            puts_(b, extra[rnd(sizeof extra / sizeof extra[0])]);
        } else {
            char ch = rnd(3) == 0 ? (char)(0x20 + rnd(95)) : "0123456789abcdef"[rnd(16)];
            if (ch == '"' || ch == '\\') ch = 'x';
            put(b, &ch, 1);
        }
    }
    put(b, "\"", 1);
}

static void gen_value(struct buf *b, int depth)
{
    unsigned k = depth >= 4 ? rnd(5) : rnd(8);
    switch (k) {
    case 0:
    case 1: gen_string(b); break;
    case 2: puts_(b, rnd(2) ? "123" : "-4.5e6"); break;
    case 3: puts_(b, rnd(3) == 0 ? "true" : rnd(2) ? "null" : "false"); break;
    case 4: gen_string(b); break;
    case 5:
    case 6: {
        unsigned n = rnd(5);
        put(b, "[", 1);
        for (unsigned i = 0; i < n; i++) {
            if (i) put(b, ",", 1);
            ws(b);
            gen_value(b, depth + 1);
            ws(b);
        }
        put(b, "]", 1);
        break;
    }
    default: {
        unsigned n = rnd(5);
        put(b, "{", 1);
        for (unsigned i = 0; i < n; i++) {
            if (i) put(b, ",", 1);
            ws(b);
            if (rnd(6) == 0)
                gen_string(b); /* a long key now and then */
            else {
                char key[16];
                /* duplicates happen: 3 names */
                snprintf(key, sizeof key, "\"k%u\"", rnd(3));
                puts_(b, key);
            }
            ws(b);
            put(b, ":", 1);
            ws(b);
            gen_value(b, depth + 1);
        }
        put(b, "}", 1);
        break;
    }
    }
}

static void mutate(struct buf *b)
{
    static const char ins[] = {'"', '\\', ':', ',', '{', '}', '[', ']', ' ', 'u', '0', 'x'};
    size_t at = b->len ? rnd((unsigned)b->len) : 0;
    switch (rnd(6)) {
    case 0: b->len = at; break; /* truncate */
    case 1:
        if (b->len) b->p[at] = (char)rnd(256); /* any byte */
        break;
    case 2:
        if (b->len) b->p[at] = ins[rnd(sizeof ins)];
        break;
    case 3: /* insert a byte */
        put(b, "x", 1);
        memmove(b->p + at + 1, b->p + at, b->len - 1 - at);
        b->p[at] = rnd(4) == 0 ? (char)rnd(256) : ins[rnd(sizeof ins)];
        break;
    case 4: /* delete a byte */
        if (b->len) {
            memmove(b->p + at, b->p + at + 1, b->len - at - 1);
            b->len--;
        }
        break;
    default: puts_(b, rnd(2) ? "]" : " {}"); break; /* garbage after the value */
    }
}

TEST(random_json)
{
    int iters = tacit_test_iters(3000), accepted_n = 0, cut_n = 0;
    for (int i = 0; i < iters; i++) {
        struct buf b = {0};
        bool accepted = false;
        gen_value(&b, 0);
        if (tacit__rpc_json_cut_count(b.p, b.len) > 0) cut_n++;
        for (size_t f = 0; f < NFLAGS; f++) {
            agree(b.p, b.len, g_flags[f], &accepted);
            if (g_flags[f] == REQ_FLAGS) accepted_n += accepted;
        }
        free(b.p);
    }
    /* the generator must exercise the cut path on values jansson takes */
    CHECK(accepted_n > iters / 2);
    CHECK(cut_n > iters / 4);
}

TEST(mutated_json)
{
    int iters = tacit_test_iters(3000), refused = 0, cut_refused = 0;
    for (int i = 0; i < iters; i++) {
        struct buf b = {0};
        bool accepted = false;
        unsigned nmut = 1 + rnd(3);
        gen_value(&b, 0);
        for (unsigned m = 0; m < nmut; m++) mutate(&b);
        if (b.p == NULL) put(&b, "", 0);
        for (size_t f = 0; f < NFLAGS; f++) {
            agree(b.p, b.len, g_flags[f], &accepted);
            if (g_flags[f] == REQ_FLAGS && !accepted) {
                refused++;
                cut_refused += tacit__rpc_json_cut_count(b.p, b.len) > 0;
            }
        }
        free(b.p);
    }
    CHECK(refused > iters / 4);
    CHECK(cut_refused > iters / 10);
}

static const struct tacit_test tests[] = {
    {"named_valid", named_valid}, {"named_invalid", named_invalid}, {"threshold", threshold},
    {"too_deep", too_deep},       {"random_json", random_json},     {"mutated_json", mutated_json},
};
TACIT_TEST_MAIN(tests)
