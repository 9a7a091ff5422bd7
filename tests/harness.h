/*
 * tacit — a tiny test harness (in the spirit of libsecp256k1's tests.c and libuv's test runner).
 *
 * A test file:
 *
 *     #include "harness.h"
 *
 *     TEST(adds) { CHECK_EQ_INT(1 + 1, 2); }
 *
 *     static const struct tacit_test tests[] = {
 *         {"adds", adds},
 *     };
 *     TACIT_TEST_MAIN(tests)
 *
 * `./test_x` runs every test; `./test_x adds` runs only `adds`; `./test_x --list` lists them.
 * A failed check prints file:line, the expression and the values, marks the current test
 * failed and carries on, so one run shows every failure. Each test prints "ok <name>",
 * "FAIL <name>" or "skipped <name>: <reason>"; the process exits 1 if any check failed, 2 on a
 * usage error. A test never passes without running: one whose environment cannot run it calls
 * tacit_test_skip (and says why); one whose precondition an earlier test should
 * have made (a node that did not start) uses REQUIRE, which FAILS it, naming what was missing.
 *
 * Environment:
 *   TACIT_TEST_SEED   decimal seed of the test RNG (printed as "seed=N" at start; random if unset)
 *   TACIT_TEST_ITERS  iteration count for randomized tests (see tacit_test_iters)
 *   TACIT_VECTORS     directory of the test vectors (default "tests/vectors")
 *   TACIT_BIN         directory of the built binaries (set by ctest)
 */
#ifndef TACIT_TESTS_HARNESS_H
#define TACIT_TESTS_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#define TEST(name) static void name(void)

struct tacit_test {
    const char *name;
    void (*fn)(void);
};

/* Runs the tests (or only the one named by argv[1]); returns the process exit status. */
int tacit_test_main(const struct tacit_test *tests, size_t count, int argc, char **argv);

#define TACIT_TEST_MAIN(list)                                                         \
    int main(int argc, char **argv)                                                   \
    {                                                                                 \
        return tacit_test_main((list), sizeof(list) / sizeof((list)[0]), argc, argv); \
    }

/* --- checks ----------------------------------------------------------------- */

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) tacit__test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
    } while (0)

/* Compares two integers (evaluated once each, as long long). */
#define CHECK_EQ_INT(a, b)                                                                     \
    do {                                                                                       \
        long long tacit__a = (long long)(a), tacit__b = (long long)(b);                        \
        if (tacit__a != tacit__b)                                                              \
            tacit__test_fail(__FILE__, __LINE__, "CHECK_EQ_INT(%s, %s): %lld != %lld", #a, #b, \
                             tacit__a, tacit__b);                                              \
    } while (0)

/* Compares len bytes; on mismatch prints the first differing offset and both sides in hex. */
#define CHECK_MEM(a, b, len) tacit__check_mem(__FILE__, __LINE__, #a, #b, (a), (b), (len))

void tacit__test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tacit__check_mem(const char *file, int line, const char *as, const char *bs, const void *a,
                      const void *b, size_t len);

/* The current test cannot run because `cond` (something an earlier step should have made)
 * does not hold: fail it, saying so, and leave the test function. */
#define REQUIRE(cond, why)                                                                       \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            tacit__test_fail(__FILE__, __LINE__, "did not run: %s (%s is false)", (why), #cond); \
            return;                                                                              \
        }                                                                                        \
    } while (0)

/* Marks the current test as not run, with why (printf format): it prints "skipped <name>:
 * <reason>" instead of "ok <name>" (a failed check still makes it FAIL). Return after it.
 * Only for an environment that cannot run the test (no root for a mount, say), never for a
 * failure: CI runs as root, where every test runs. */
void tacit_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks failed so far in the current test (a forked child reports them in its exit status). */
int tacit_test_failures(void);

/* --- helpers ---------------------------------------------------------------- */

/* Iteration count: TACIT_TEST_ITERS if set to a positive integer, else dflt. */
int tacit_test_iters(int dflt);

/*
 * Deterministic test RNG (xoshiro256**). Not for secrets. The run seed comes from
 * TACIT_TEST_SEED or randombytes_buf; before each test the generator is reset from the
 * seed and the test's name, so `TACIT_TEST_SEED=N ./test_x name` replays exactly the
 * stream that test saw in the full run.
 */
uint64_t tacit_test_rand64(void);
void tacit_test_rand_bytes(uint8_t *out, size_t n);
uint64_t tacit_test_seed(void);

/*
 * Reads a whole file. Returns a malloc'd buffer, NUL-terminated (not counted in *len),
 * which the caller frees with free(); NULL on error. len may be NULL.
 */
char *tacit_test_read_file(const char *path, size_t *len);

/* TACIT_VECTORS, or "tests/vectors" (relative to the source dir, where ctest runs tests). */
const char *tacit_test_vectors_dir(void);

#endif /* TACIT_TESTS_HARNESS_H */
