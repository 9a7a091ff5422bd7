/*
 * tacit — test harness implementation; see harness.h.
 */
#include "harness.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static int tacit__cur_failed;        /* checks failed in the current test */
static char tacit__cur_skipped[256]; /* why the current test did not run ("" if it did) */
static uint64_t tacit__seed;         /* run seed */
static uint64_t tacit__rng[4];       /* xoshiro256** state */

/* --- checks ----------------------------------------------------------------- */

void tacit__test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    tacit__cur_failed++;
}

int tacit_test_failures(void) { return tacit__cur_failed; }

void tacit_test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tacit__cur_skipped, sizeof tacit__cur_skipped, fmt, ap);
    va_end(ap);
    if (tacit__cur_skipped[0] == '\0')
        snprintf(tacit__cur_skipped, sizeof tacit__cur_skipped, "no reason given");
}

static void tacit__hex_window(const char *label, const uint8_t *p, size_t from, size_t to)
{
    fprintf(stderr, "    %s[%zu..%zu]: ", label, from, to);
    for (size_t i = from; i < to; i++) fprintf(stderr, "%02x", p[i]);
    fputc('\n', stderr);
}

void tacit__check_mem(const char *file, int line, const char *as, const char *bs, const void *a,
                      const void *b, size_t len)
{
    const uint8_t *pa = a, *pb = b;
    size_t i, from, to;

    if (len == 0 || memcmp(a, b, len) == 0) return;
    for (i = 0; i < len && pa[i] == pb[i]; i++) {}
    tacit__test_fail(file, line, "CHECK_MEM(%s, %s, %zu): differ at byte %zu", as, bs, len, i);
    /* Show up to 32 bytes around the first difference. */
    from = i >= 8 ? i - 8 : 0;
    to = from + 32 < len ? from + 32 : len;
    tacit__hex_window("a", pa, from, to);
    tacit__hex_window("b", pb, from, to);
}

/* --- RNG -------------------------------------------------------------------- */

/* splitmix64 (Steele, Lea, Flood 2014), the seeding recommended for xoshiro. */
static uint64_t tacit__splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void tacit__rng_reset(const char *test_name)
{
    /* FNV-1a of the name, so each test gets its own, replayable stream. */
    uint64_t h = 0xcbf29ce484222325ULL, x;
    for (const char *c = test_name; *c; c++) h = (h ^ (uint8_t)*c) * 0x100000001b3ULL;
    x = tacit__seed ^ h;
    for (int i = 0; i < 4; i++) tacit__rng[i] = tacit__splitmix64(&x);
}

static inline uint64_t tacit__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** 1.0 (Blackman, Vigna; https://prng.di.unimi.it/xoshiro256starstar.c). */
uint64_t tacit_test_rand64(void)
{
    uint64_t *s = tacit__rng;
    const uint64_t result = tacit__rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = tacit__rotl(s[3], 45);
    return result;
}

void tacit_test_rand_bytes(uint8_t *out, size_t n)
{
    while (n > 0) {
        uint64_t r = tacit_test_rand64();
        size_t k = n < 8 ? n : 8;
        for (size_t i = 0; i < k; i++) out[i] = (uint8_t)(r >> (8 * i));
        out += k;
        n -= k;
    }
}

uint64_t tacit_test_seed(void) { return tacit__seed; }

static int tacit__seed_init(void)
{
    const char *env = getenv("TACIT_TEST_SEED");
    if (env != NULL && *env != '\0') {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(env, &end, 10);
        if (errno != 0 || *end != '\0' || *env == '-') {
            fprintf(stderr, "TACIT_TEST_SEED must be a decimal number, got \"%s\"\n", env);
            return -1;
        }
        tacit__seed = (uint64_t)v;
    } else {
        randombytes_buf(&tacit__seed, sizeof tacit__seed);
    }
    return 0;
}

/* --- helpers ---------------------------------------------------------------- */

int tacit_test_iters(int dflt)
{
    const char *env = getenv("TACIT_TEST_ITERS");
    char *end;
    long v;

    if (env == NULL || *env == '\0') return dflt;
    errno = 0;
    v = strtol(env, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0 || v > 1000000000L) {
        fprintf(stderr, "ignoring TACIT_TEST_ITERS=\"%s\" (want a positive integer)\n", env);
        return dflt;
    }
    return (int)v;
}

char *tacit_test_read_file(const char *path, size_t *len)
{
    FILE *f;
    char *buf = NULL, *nbuf;
    size_t cap = 0, n = 0, got;

    if (len != NULL) *len = 0;
    if ((f = fopen(path, "rb")) == NULL) return NULL;
    for (;;) {
        if (cap - n < 4096 + 1) {
            cap = cap ? cap * 2 : 65536;
            if ((nbuf = realloc(buf, cap)) == NULL) goto out_fail;
            buf = nbuf;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) goto out_fail;
    fclose(f);
    buf[n] = '\0';
    if (len != NULL) *len = n;
    return buf;

out_fail:
    free(buf);
    fclose(f);
    return NULL;
}

const char *tacit_test_vectors_dir(void)
{
    const char *env = getenv("TACIT_VECTORS");
    return (env != NULL && *env != '\0') ? env : "tests/vectors";
}

/* --- runner ----------------------------------------------------------------- */

static void tacit__usage(const char *prog, const struct tacit_test *tests, size_t count)
{
    fprintf(stderr, "usage: %s [--list | TEST]\ntests:\n", prog);
    for (size_t i = 0; i < count; i++) fprintf(stderr, "  %s\n", tests[i].name);
}

int tacit_test_main(const struct tacit_test *tests, size_t count, int argc, char **argv)
{
    const char *only = NULL;
    size_t ran = 0, failed = 0, skipped = 0;

    /* Line-buffered stdout and unbuffered stderr keep "ok"/"FAIL" lines and the check
     * messages in order when ctest captures both. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (argc > 2) {
        tacit__usage(argv[0], tests, count);
        return 2;
    }
    if (argc == 2) {
        if (strcmp(argv[1], "--list") == 0) {
            for (size_t i = 0; i < count; i++) printf("%s\n", tests[i].name);
            return 0;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            tacit__usage(argv[0], tests, count);
            return 0;
        }
        only = argv[1];
    }

    if (sodium_init() < 0) {
        fprintf(stderr, "sodium_init failed\n");
        return 1;
    }
    if (tacit__seed_init() != 0) return 2;
    printf("seed=%" PRIu64 "\n", tacit__seed);

    for (size_t i = 0; i < count; i++) {
        if (only != NULL && strcmp(only, tests[i].name) != 0) continue;
        tacit__cur_failed = 0;
        tacit__cur_skipped[0] = '\0';
        tacit__rng_reset(tests[i].name);
        tests[i].fn();
        ran++;
        if (tacit__cur_failed) {
            failed++;
            printf("FAIL %s\n", tests[i].name);
        } else if (tacit__cur_skipped[0] != '\0') {
            skipped++;
            printf("skipped %s: %s\n", tests[i].name, tacit__cur_skipped);
        } else {
            printf("ok %s\n", tests[i].name);
        }
    }

    if (only != NULL && ran == 0) {
        fprintf(stderr, "no test named \"%s\"\n", only);
        tacit__usage(argv[0], tests, count);
        return 2;
    }
    printf("%zu test%s, %zu failed, %zu skipped (seed=%" PRIu64 ")\n", ran, ran == 1 ? "" : "s",
           failed, skipped, tacit__seed);
    return failed ? 1 : 0;
}
