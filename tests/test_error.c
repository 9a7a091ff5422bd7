/*
 * tacit — the error list: every code has a distinct message and a name; every name keeps its
 * number (tests/vectors/errors.txt pins them: the wire carries 1000 + number); the table of
 * docs/rpc.md is the list.
 *
 * TACIT_REGEN=1 appends codes added at the end of the map to tests/vectors/errors.txt (never
 * changes a line there) and rewrites the table of docs/rpc.md between its markers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tacit/error.h"
#include "tacit/rpc.h"

static int regen(void)
{
    const char *e = getenv("TACIT_REGEN");
    return e != NULL && strcmp(e, "1") == 0;
}

TEST(every_code_has_message_and_name)
{
    for (int c = 0; c < TACIT__ERR_COUNT; c++) {
        const char *msg = tacit_strerror(c), *name = tacit_errname(c);
        CHECK(msg != NULL);
        CHECK(name != NULL);
        if (msg == NULL || name == NULL) continue;
        CHECK(msg[0] != '\0');
        CHECK(name[0] != '\0');
        CHECK(strcmp(msg, "unknown error") != 0);
        CHECK(strcmp(name, "EUNKNOWN") != 0);
    }
}

TEST(messages_and_names_are_distinct)
{
    for (int a = 0; a < TACIT__ERR_COUNT; a++) {
        for (int b = a + 1; b < TACIT__ERR_COUNT; b++) {
            CHECK(strcmp(tacit_strerror(a), tacit_strerror(b)) != 0);
            CHECK(strcmp(tacit_errname(a), tacit_errname(b)) != 0);
        }
    }
}

TEST(names_match_the_map)
{
    /* The name is the enum identifier without its TACIT_ prefix. */
#define XX(num, name, msg)                         \
    CHECK_EQ_INT(TACIT_##name, num);               \
    CHECK(strcmp(tacit_errname(num), #name) == 0); \
    CHECK(strcmp(tacit_strerror(num), msg) == 0);
    TACIT_ERR_MAP(XX)
#undef XX
    CHECK_EQ_INT(TACIT_OK, 0);
    CHECK(strcmp(tacit_strerror(TACIT_OK), "success") == 0);
}

TEST(out_of_range_is_unknown)
{
    const int bad[] = {-1,      -1000,           TACIT__ERR_COUNT,    TACIT__ERR_COUNT + 1,
                       1 << 30, (int)(~0u >> 1), -(int)(~0u >> 1) - 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(strcmp(tacit_strerror(bad[i]), "unknown error") == 0);
        CHECK(strcmp(tacit_errname(bad[i]), "EUNKNOWN") == 0);
    }
}

/* Numbers in the map's order: 0, 1, 2, ... with no gap (also a compile-time check in error.c;
 * this one names the entry). */
TEST(numbers_are_dense_and_appended)
{
    int pos = 0;
#define XX(num, name, msg)                                                                     \
    if ((num) != pos)                                                                          \
        tacit__test_fail(__FILE__, __LINE__, "%s is numbered %d at position %d", #name, (num), \
                         pos);                                                                 \
    pos++;
    TACIT_ERR_MAP(XX)
#undef XX
    CHECK_EQ_INT(pos, TACIT__ERR_COUNT);
}

/* tests/vectors/errors.txt: "number NAME" per line, '#' comments. Every line must name the code
 * of that number, and every code must have its line: a code renumbered, renamed or removed
 * fails here. */
TEST(numbers_are_pinned)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/errors.txt", tacit_test_vectors_dir());
    char *text = tacit_test_read_file(path, NULL);
    REQUIRE(text != NULL, "tests/vectors/errors.txt readable");
    int next = 0; /* the number the next line must carry */
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == '\0') continue;
        int num = -1;
        char name[64] = {0};
        if (sscanf(line, "%d %63s", &num, name) != 2) {
            tacit__test_fail(__FILE__, __LINE__, "errors.txt: malformed line \"%s\"", line);
            continue;
        }
        if (num != next)
            tacit__test_fail(__FILE__, __LINE__, "errors.txt: line \"%s\" out of order (want %d)",
                             line, next);
        next = num + 1;
        if (num < 0 || num >= TACIT__ERR_COUNT) {
            tacit__test_fail(__FILE__, __LINE__,
                             "errors.txt: %d %s is not in TACIT_ERR_MAP (removed?)", num, name);
            continue;
        }
        if (strcmp(tacit_errname(num), name) != 0)
            tacit__test_fail(__FILE__, __LINE__,
                             "error %d is %s in TACIT_ERR_MAP, %s in errors.txt", num,
                             tacit_errname(num), name);
    }
    free(text);
    if (next < TACIT__ERR_COUNT && regen()) {
        FILE *f = fopen(path, "a");
        REQUIRE(f != NULL, "tests/vectors/errors.txt writable");
        for (int c = next; c < TACIT__ERR_COUNT; c++) fprintf(f, "%d %s\n", c, tacit_errname(c));
        CHECK(fclose(f) == 0);
        printf("# appended codes %d..%d to %s\n", next, TACIT__ERR_COUNT - 1, path);
        return;
    }
    for (int c = next; c < TACIT__ERR_COUNT; c++)
        tacit__test_fail(
            __FILE__, __LINE__,
            "error %d %s is not pinned: append \"%d %s\" to errors.txt (or TACIT_REGEN=1)", c,
            tacit_errname(c), c, tacit_errname(c));
}

#define DOC_PATH "docs/rpc.md"
#define DOC_BEGIN                                                                                  \
    "<!-- error-table: generated from TACIT_ERR_MAP; tests/test_error.c checks it (TACIT_REGEN=1 " \
    "rewrites it) -->\n"
#define DOC_END "<!-- error-table end -->\n"

/* The table of docs/rpc.md as the map makes it. Returns a malloc'd string. */
static char *doc_table(void)
{
    size_t cap = 1 << 16, len = 0;
    char *t = malloc(cap);
    if (t == NULL) return NULL;
    len += (size_t)snprintf(t + len, cap - len,
                            "| wire code | n | name | message |\n|---|---|---|---|\n");
    for (int c = 0; c < TACIT__ERR_COUNT && len < cap; c++) {
        if (c == TACIT_OK) continue; /* success is a result, never an error answer */
        len += (size_t)snprintf(t + len, cap - len, "| `%d` | %d | `%s` | %s |\n",
                                TACIT_RPC_APP_BASE + c, c, tacit_errname(c), tacit_strerror(c));
    }
    if (len >= cap) {
        free(t);
        return NULL;
    }
    return t;
}

TEST(doc_table_is_the_map)
{
    char *doc = tacit_test_read_file(DOC_PATH, NULL), *want = doc_table();
    REQUIRE(doc != NULL, DOC_PATH " readable (the test runs in the source directory)");
    REQUIRE(want != NULL, "table built");
    for (int c = 0; c < TACIT__ERR_COUNT; c++) CHECK(strchr(tacit_strerror(c), '|') == NULL);
    char *b = strstr(doc, DOC_BEGIN), *e = b != NULL ? strstr(b, DOC_END) : NULL;
    CHECK(b != NULL && e != NULL);
    if (b != NULL && e != NULL) {
        b += strlen(DOC_BEGIN);
        size_t have_len = (size_t)(e - b);
        if (have_len != strlen(want) || memcmp(b, want, have_len) != 0) {
            if (regen()) {
                FILE *f = fopen(DOC_PATH, "w");
                CHECK(f != NULL);
                if (f != NULL) {
                    fwrite(doc, 1, (size_t)(b - doc), f);
                    fputs(want, f);
                    fputs(e, f);
                    CHECK(fclose(f) == 0);
                    printf("# rewrote the error table of %s\n", DOC_PATH);
                }
            } else {
                tacit__test_fail(__FILE__, __LINE__,
                                 "the error table of " DOC_PATH " differs from TACIT_ERR_MAP "
                                 "(TACIT_REGEN=1 rewrites it); it should read:\n%s",
                                 want);
            }
        }
    }
    free(want);
    free(doc);
}

static const struct tacit_test tests[] = {
    {"every_code_has_message_and_name", every_code_has_message_and_name},
    {"messages_and_names_are_distinct", messages_and_names_are_distinct},
    {"names_match_the_map", names_match_the_map},
    {"out_of_range_is_unknown", out_of_range_is_unknown},
    {"numbers_are_dense_and_appended", numbers_are_dense_and_appended},
    {"numbers_are_pinned", numbers_are_pinned},
    {"doc_table_is_the_map", doc_table_is_the_map},
};

TACIT_TEST_MAIN(tests)
