/*
 * tacit — the data directory's names and paths (include/tacit/datadir.h): the helpers, and the
 * layout of docs/operations.md naming every file of the header (the layout is described there
 * only, so it must not miss one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tacit/datadir.h"
#include "tacit/error.h"

TEST(paths)
{
    char buf[32], *p;
    p = tacit_datadir_path("/var/lib/tacit", TACIT_DATADIR_COOKIE);
    REQUIRE(p != NULL, "allocated");
    CHECK(strcmp(p, "/var/lib/tacit/.cookie") == 0);
    free(p);
    p = tacit_datadir_path("d", TACIT_DATADIR_PROVING_KEY);
    REQUIRE(p != NULL, "allocated");
    CHECK(strcmp(p, "d/keys/transfer.zkey") == 0);
    free(p);
    p = tacit_datadir_snapshot_path("d", 18446744073709551615u);
    REQUIRE(p != NULL, "allocated");
    CHECK(strcmp(p, "d/snapshots/18446744073709551615") == 0);
    free(p);
    CHECK_EQ_INT(tacit_datadir_path_buf(buf, sizeof buf, "d", TACIT_DATADIR_STATE_DB), TACIT_OK);
    CHECK(strcmp(buf, "d/state/data.mdb") == 0);
    /* exactly full (31 characters and the NUL) fits; one more does not, and leaves "" */
    CHECK_EQ_INT(tacit_datadir_path_buf(buf, sizeof buf, "0123456789012345678901234", "abcde"),
                 TACIT_OK);
    CHECK_EQ_INT(strlen(buf), 31);
    CHECK_EQ_INT(tacit_datadir_path_buf(buf, sizeof buf, "0123456789012345678901234", "abcdef"),
                 TACIT_ETOOBIG);
    CHECK(strcmp(buf, "") == 0);
}

/* tacitd's and tacit-cli's default data directory: ~/.tacit, none without $HOME. */
TEST(home_default)
{
    const char *old = getenv("HOME");
    char *saved = old != NULL ? strdup(old) : NULL, *p;
    setenv("HOME", "/home/op", 1);
    p = tacit_datadir_home_default();
    CHECK(p != NULL && strcmp(p, "/home/op/.tacit") == 0);
    free(p);
    setenv("HOME", "", 1);
    CHECK(tacit_datadir_home_default() == NULL);
    unsetenv("HOME");
    CHECK(tacit_datadir_home_default() == NULL);
    if (saved != NULL) setenv("HOME", saved, 1);
    free(saved);
}

TEST(layout_documented)
{
    static const char *const names[] = {
        TACIT_DATADIR_LOCK,
        TACIT_DATADIR_COOKIE,
        TACIT_DATADIR_FLAGS,
        TACIT_DATADIR_SEQUENCER_KEY,
        TACIT_DATADIR_CHAIN,
        TACIT_DATADIR_STATE "/",
        TACIT_DATADIR_SOCKET,
        TACIT_DATADIR_PROVING_KEY,
        TACIT_DATADIR_KEYS "/" TACIT_DATADIR_KEYS_VERIFYING,
        TACIT_DATADIR_DEVNET_ACCOUNTS,
        TACIT_DATADIR_SNAPSHOTS "/<id>/",
        TACIT_DATADIR_WALLETS "/",
    };
    char *doc = tacit_test_read_file("docs/operations.md", NULL);
    REQUIRE(doc != NULL, "docs/operations.md readable (the test runs in the source directory)");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char line[128];
        snprintf(line, sizeof line, "    <datadir>/%s", names[i]);
        if (strstr(doc, line) == NULL)
            tacit__test_fail(__FILE__, __LINE__, "docs/operations.md has no line \"%s\"", line);
    }
    CHECK(strstr(doc, TACIT_DATADIR_SNAPSHOT_MEMPOOL) != NULL);
    CHECK(strstr(doc, "./" TACIT_DATADIR_DEVNET_DEFAULT) != NULL);
    free(doc);
}

static const struct tacit_test tests[] = {
    {"paths", paths},
    {"layout_documented", layout_documented},
    {"home_default", home_default},
};

TACIT_TEST_MAIN(tests)
