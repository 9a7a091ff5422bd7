/*
 * tacit — the node's log (src/node/log.c, include/tacit/node.h): a line stays one line
 * whatever its arguments hold (newlines, ESC, invalid UTF-8, Unicode controls), strings from
 * outside are shown bare or quoted and escaped by tacit_log_str / tacit_log_quoted, and the
 * log file is reopened after a rename (what SIGHUP does after logrotate's mv).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "tacit/error.h"
#include "tacit/node.h"

static char g_dir[256];

static void dir_remove(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
}

static void path_in(char *out, size_t n, const char *name)
{
    if (g_dir[0] == '\0') {
        const char *t = getenv("TMPDIR");
        snprintf(g_dir, sizeof g_dir, "%s/tacit-log-XXXXXX", t && *t ? t : "/tmp");
        if (mkdtemp(g_dir) == NULL) {
            fprintf(stderr, "mkdtemp %s failed\n", g_dir);
            exit(2);
        }
        atexit(dir_remove);
    }
    snprintf(out, n, "%s/%s", g_dir, name);
}

/* The number of '\n' in s and whether any other byte is a control character or ESC. */
static size_t count_lines(const char *s, bool *controls)
{
    size_t n = 0;
    *controls = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            n++;
        else if (*p < 0x20 || *p == 0x7f)
            *controls = true;
    }
    return n;
}

/* Runs one tacit_log call with stderr (fd 2) sent to a file; returns what it wrote. Uses only
 * what the log always had (tacit_log on stderr), so it runs against any version. */
static char *log_to_stderr_file(const char *arg)
{
    char path[300];
    int saved, fd;
    path_in(path, sizeof path, "stderr.txt");
    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (saved < 0 || fd < 0) return NULL;
    dup2(fd, 2);
    close(fd);
    tacit_log(TACIT_LOG_ERROR, "test", "backup written to %s (1 bytes)", arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    return tacit_test_read_file(path, NULL);
}

/* The finding: an admin_backup path with a newline forged a second line. Even a string that
 * no call site escaped stays on its line; ESC never reaches the terminal that shows the log. */
TEST(log_line_stays_one_line)
{
    static const char forged[] =
        "/tmp/bk\n2026-01-01T00:00:00.000Z ERROR node: forged\x1b[31m red\r\x7f";
    bool controls;
    char *out = log_to_stderr_file(forged);

    CHECK(out != NULL);
    if (out == NULL) return;
    CHECK_EQ_INT(count_lines(out, &controls), 1);
    CHECK(!controls);
    CHECK(out[strlen(out) - 1] == '\n');
    CHECK(strstr(out,
                 "ERROR test: backup written to /tmp/bk\\n2026-01-01T00:00:00.000Z ERROR node: "
                 "forged\\x1b[31m red\\r\\x7f (1 bytes)\n") != NULL);
    free(out);
}

/* tacit_log_str: bare when that is unambiguous, else quoted and escaped. */
TEST(log_str_forms)
{
    char b[TACIT_LOG_STR_SIZE], big[3000];
    const char *r;

    CHECK(strcmp(tacit_log_str(b, "/var/lib/tacit/backup-1"), "/var/lib/tacit/backup-1") == 0);
    CHECK(strcmp(tacit_log_str(b, "http://127.0.0.1:8645"), "http://127.0.0.1:8645") == 0);
    CHECK(strcmp(tacit_log_str(b, "caf\xc3\xa9"), "caf\xc3\xa9") == 0); /* valid UTF-8 kept bare */
    CHECK(strcmp(tacit_log_str(b, "a b"), "\"a b\"") == 0);
    CHECK(strcmp(tacit_log_str(b, ""), "\"\"") == 0);
    CHECK(strcmp(tacit_log_str(b, "say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"") == 0);
    CHECK(strcmp(tacit_log_str(b, "a\nb\tc\x1b[0m"), "\"a\\nb\\tc\\x1b[0m\"") == 0);
    CHECK(strcmp(tacit_log_str(b, NULL), "(null)") == 0);
    /* invalid UTF-8: a lone continuation byte, 0xff, an overlong '/', a surrogate, a cut sequence */
    CHECK(strcmp(tacit_log_str(b, "x\x80y\xff"), "\"x\\x80y\\xff\"") == 0);
    CHECK(strcmp(tacit_log_str(b, "\xc0\xaf"), "\"\\xc0\\xaf\"") == 0);
    CHECK(strcmp(tacit_log_str(b, "\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"") == 0);
    CHECK(strcmp(tacit_log_str(b, "\xf4\x90\x80\x80"), "\"\\xf4\\x90\\x80\\x80\"") ==
          0); /* > U+10FFFF */
    CHECK(strcmp(tacit_log_str(b, "ab\xe2\x82"), "\"ab\\xe2\\x82\"") == 0);
    /* valid but hidden: C1 NEL, the line separator, a right-to-left override */
    CHECK(strcmp(tacit_log_str(b, "a\xc2\x85z"), "\"a\\u0085z\"") == 0);
    CHECK(strcmp(tacit_log_str(b, "a\xe2\x80\xa8z"), "\"a\\u2028z\"") == 0);
    CHECK(strcmp(tacit_log_str(b, "txt\xe2\x80\xae.exe"), "\"txt\\u202e.exe\"") == 0);
    /* tacit_log_quoted quotes even a bare-safe string */
    CHECK(strcmp(tacit_log_quoted(b, "min_fe"), "\"min_fe\"") == 0);
    /* too long: cut, ends in ..." and fits */
    memset(big, '\n', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    r = tacit_log_str(b, big);
    CHECK(strlen(r) < TACIT_LOG_STR_SIZE);
    CHECK(strlen(r) > TACIT_LOG_STR_SIZE - 10);
    CHECK(strcmp(r + strlen(r) - 4, "...\"") == 0);
    CHECK(strncmp(r, "\"\\n\\n", 5) == 0);
    /* the macros give each use its own buffer */
    {
        char line[2 * TACIT_LOG_STR_SIZE];
        snprintf(line, sizeof line, "%s %s", TACIT_LOG_S("a b"), TACIT_LOG_S("c"));
        CHECK(strcmp(line, "\"a b\" c") == 0);
    }
}

/* A message too long for a line is cut, still one line. */
TEST(log_long_line_cut)
{
    char path[300], *arg = malloc(20000), *out;
    bool controls;
    path_in(path, sizeof path, "long.log");
    CHECK(arg != NULL);
    if (arg == NULL) return;
    memset(arg, '\x1b', 19999);
    arg[19999] = '\0';
    CHECK_EQ_INT(tacit_log_open(path), TACIT_OK);
    tacit_log(TACIT_LOG_ERROR, "test", "%s", arg);
    CHECK_EQ_INT(tacit_log_open(NULL), TACIT_OK);
    out = tacit_test_read_file(path, NULL);
    CHECK(out != NULL);
    if (out != NULL) {
        CHECK_EQ_INT(count_lines(out, &controls), 1);
        CHECK(!controls);
        CHECK(strlen(out) <= 4200);
        CHECK(strstr(out, "\\x1b...\n") != NULL);
    }
    free(out);
    free(arg);
}

/* The log file: appended to, mode 0640; after a rename, tacit_log_reopen starts a new file and
 * the moved one gets nothing more; a reopen that fails keeps the old file. */
TEST(log_file_reopen)
{
    char path[300], moved[300], *a, *b;
    struct stat st;

    path_in(path, sizeof path, "tacitd.log");
    path_in(moved, sizeof moved, "tacitd.log.1");
    CHECK(tacit_log_path() == NULL);
    CHECK_EQ_INT(tacit_log_reopen(), TACIT_OK); /* stderr: nothing to do */
    CHECK_EQ_INT(tacit_log_open(path), TACIT_OK);
    CHECK(tacit_log_path() != NULL && strcmp(tacit_log_path(), path) == 0);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    tacit_log(TACIT_LOG_INFO, "test", "first");
    CHECK(rename(path, moved) == 0);
    tacit_log(TACIT_LOG_INFO, "test", "second"); /* still the open file: the moved one */
    CHECK_EQ_INT(tacit_log_reopen(), TACIT_OK);
    tacit_log(TACIT_LOG_INFO, "test", "third");
    a = tacit_test_read_file(moved, NULL);
    b = tacit_test_read_file(path, NULL);
    CHECK(a != NULL && strstr(a, "test: first\n") && strstr(a, "test: second\n") &&
          !strstr(a, "third"));
    CHECK(b != NULL && strstr(b, "test: third\n") && !strstr(b, "first"));
    free(a);
    free(b);

    /* the directory gone: the reopen fails, the log keeps its file */
    CHECK(unlink(path) == 0 && unlink(moved) == 0);
    {
        char sub[300], subfile[320];
        path_in(sub, sizeof sub, "sub");
        CHECK(mkdir(sub, 0700) == 0);
        snprintf(subfile, sizeof subfile, "%s/x.log", sub);
        CHECK_EQ_INT(tacit_log_open(subfile), TACIT_OK);
        tacit_log(TACIT_LOG_INFO, "test", "before");
        CHECK(rename(subfile, path) == 0 && rmdir(sub) == 0);
        CHECK_EQ_INT(tacit_log_reopen(), TACIT_ENOENT);
        tacit_log(TACIT_LOG_INFO, "test", "after");
        a = tacit_test_read_file(path, NULL);
        CHECK(a != NULL && strstr(a, "test: before\n") && strstr(a, "test: after\n"));
        free(a);
    }
    CHECK_EQ_INT(tacit_log_open(g_dir), TACIT_EIO); /* a directory: refused, the file kept */
    CHECK(tacit_log_path() != NULL);
    CHECK_EQ_INT(tacit_log_open(NULL), TACIT_OK);
    CHECK(tacit_log_path() == NULL);
}

/* Levels: a line above the level is not written. */
TEST(log_level_filters)
{
    char path[300], *out;
    path_in(path, sizeof path, "level.log");
    CHECK_EQ_INT(tacit_log_open(path), TACIT_OK);
    tacit_log_set_level(TACIT_LOG_WARN);
    tacit_log(TACIT_LOG_INFO, "test", "hidden");
    tacit_log(TACIT_LOG_WARN, "test", "shown");
    tacit_log_set_level(TACIT_LOG_INFO);
    CHECK_EQ_INT(tacit_log_open(NULL), TACIT_OK);
    out = tacit_test_read_file(path, NULL);
    CHECK(out != NULL && !strstr(out, "hidden") && strstr(out, "WARN  test: shown\n"));
    free(out);
}

static const struct tacit_test tests[] = {
    {"log_line_stays_one_line", log_line_stays_one_line},
    {"log_str_forms", log_str_forms},
    {"log_long_line_cut", log_long_line_cut},
    {"log_file_reopen", log_file_reopen},
    {"log_level_filters", log_level_filters},
};

TACIT_TEST_MAIN(tests)
