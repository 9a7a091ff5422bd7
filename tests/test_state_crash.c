/*
 * tacit — crash safety of the state store: a child process commits 200 blocks (full sync,
 * the default durability) and reports each committed height on a pipe; the parent kills it
 * with SIGKILL at a random moment, reopens the store and checks that it is at the last
 * reported block or a later one, that its tree is consistent (tacit_state_check) and that its
 * digests at every height equal those of an uninterrupted run; then it applies the next block.
 * Repeated until the time budget is spent: TACIT_CRASH_SECONDS (default 30). Prints runs,
 * kills, lost committed blocks and corrupt opens; the last two must be 0.
 *
 * A SIGKILL loses no page cache, so this tests LMDB's commit protocol as this store drives it
 * (one transaction per block, the meta page last); a power cut is not simulated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "state_gen.h"
#include "tacit/error.h"
#include "tacit/state.h"

#define SEED 7
#define NBLOCKS 200
#define NTX 2

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_store(struct tacit_state **st, const char *dir)
{
    struct tacit_state_options o;
    tacit_state_options_init(&o);
    o.chain_id = 99;
    o.map_size = 1 << 20; /* small: the map grows during the run, and crashes hit that too */
    return tacit_state_open(st, dir, &o);
}

static int apply_height(struct tacit_state *st, uint64_t h)
{
    struct gen_block b;
    int rc;
    gen_block_make(&b, SEED, h, NTX);
    rc = tacit_state_apply_block(st, &b.u, NULL, NULL);
    gen_block_free(&b);
    return rc;
}

/* The child: commit blocks from the tip up to NBLOCKS, writing each committed height. */
static void child(const char *dir, int fd)
{
    struct tacit_state *st;
    struct tacit_state_tip tip;
    if (open_store(&st, dir) != TACIT_OK) _exit(3);
    if (tacit_state_tip(st, &tip) != TACIT_OK) _exit(4);
    for (uint64_t h = tip.next_height; h < NBLOCKS; h++) {
        if (apply_height(st, h) != TACIT_OK) _exit(5);
        if (write(fd, &h, sizeof h) != (ssize_t)sizeof h) _exit(6);
    }
    tacit_state_close(st);
    _exit(0);
}

struct run_result {
    bool killed;
    bool reported; /* the child reported at least one commit */
    uint64_t last; /* the last height it reported */
    int exit_code;
};

/* Starts a child on dir and kills it after delay seconds (never, if delay < 0). */
static int run_child(const char *dir, double delay, struct run_result *r)
{
    int fds[2], status;
    pid_t pid;
    uint64_t h;
    ssize_t n;

    memset(r, 0, sizeof *r);
    if (pipe(fds) != 0) return -1;
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) return -1;
    if (pid == 0) {
        close(fds[0]);
        child(dir, fds[1]);
    }
    close(fds[1]);
    if (delay >= 0) {
        struct timespec ts = {(time_t)delay, (long)((delay - (time_t)delay) * 1e9)};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    while ((n = read(fds[0], &h, sizeof h)) == (ssize_t)sizeof h) {
        r->reported = true;
        r->last = h;
    }
    close(fds[0]);
    r->killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return 0;
}

TEST(sigkill_during_commits)
{
    const char *env = getenv("TACIT_CRASH_SECONDS");
    double budget = env != NULL && atof(env) > 0 ? atof(env) : 30.0, start = now_s(), t_full;
    struct tacit_state_digests ref[NBLOCKS];
    struct run_result r;
    struct tacit_state *st;
    char dir[256];
    unsigned long runs = 0, kills = 0, lost = 0, corrupt = 0, finished = 0, mid_store = 0;

    /* The reference: one uninterrupted run. */
    CHECK(gen_tmpdir(dir, sizeof dir, "crash") == 0);
    CHECK_EQ_INT(run_child(dir, -1, &r), 0);
    t_full = now_s() - start;
    CHECK_EQ_INT(r.exit_code, 0);
    CHECK(r.reported && r.last == NBLOCKS - 1);
    CHECK_EQ_INT(open_store(&st, dir), TACIT_OK);
    if (st == NULL) return;
    for (uint64_t h = 0; h < NBLOCKS; h++)
        CHECK_EQ_INT(tacit_state_digests_at(st, h, &ref[h]), TACIT_OK);
    tacit_state_close(st);
    gen_rmdir(dir);
    runs++;
    printf("  uninterrupted run: %d blocks in %.2f s (%.2f ms per commit)\n", NBLOCKS, t_full,
           t_full * 1e3 / NBLOCKS);

    while (now_s() - start < budget) {
        struct tacit_state_tip tip;
        uint64_t pre = 0;
        double delay;
        int rc;

        /* Half the runs start from a store already holding some blocks (a restart after a crash). */
        CHECK(gen_tmpdir(dir, sizeof dir, "crash") == 0);
        if (runs % 2 == 0) {
            pre = tacit_test_rand64() % 50;
            CHECK_EQ_INT(open_store(&st, dir), TACIT_OK);
            if (st == NULL) break;
            for (uint64_t h = 0; h < pre; h++) CHECK_EQ_INT(apply_height(st, h), TACIT_OK);
            tacit_state_close(st);
            mid_store++;
        }
        /* a moment while the child still has blocks to commit */
        delay = t_full * 1.05 * (double)(NBLOCKS - pre) / NBLOCKS *
                (double)(tacit_test_rand64() % 10000) / 10000.0;
        if (run_child(dir, delay, &r) != 0) {
            CHECK(!"fork or pipe failed");
            break;
        }
        runs++;
        if (r.killed)
            kills++;
        else if (r.exit_code == 0)
            finished++;
        else
            CHECK_EQ_INT(r.exit_code, 0); /* the child failed by itself */

        st = NULL;
        rc = open_store(&st, dir);
        if (rc != TACIT_OK || tacit_state_check(st) != TACIT_OK ||
            tacit_state_tip(st, &tip) != TACIT_OK) {
            corrupt++;
            printf("  run %lu: open/check failed: %s\n", runs, tacit_strerror(rc));
            tacit_state_close(st);
            gen_rmdir(dir);
            continue;
        }
        if (r.reported && tip.next_height < r.last + 1) {
            lost += r.last + 1 - tip.next_height;
            printf("  run %lu: reported block %llu committed, store reopened at %llu blocks\n",
                   runs, (unsigned long long)r.last, (unsigned long long)tip.next_height);
        }
        /* every height equals the uninterrupted run; the tip's digests too */
        for (uint64_t h = 0; h < tip.next_height && h < NBLOCKS; h++) {
            struct tacit_state_digests d;
            if (tacit_state_digests_at(st, h, &d) != TACIT_OK ||
                memcmp(&d, &ref[h], sizeof d) != 0) {
                corrupt++;
                printf("  run %lu: digests differ at height %llu\n", runs, (unsigned long long)h);
                break;
            }
        }
        if (tip.next_height > 0 &&
            memcmp(&tip.digests, &ref[tip.next_height - 1], sizeof tip.digests) != 0)
            corrupt++;
        /* and the store takes the next block */
        if (tip.next_height < NBLOCKS) {
            struct tacit_state_digests d;
            CHECK_EQ_INT(apply_height(st, tip.next_height), TACIT_OK);
            CHECK_EQ_INT(tacit_state_digests_at(st, tip.next_height, &d), TACIT_OK);
            CHECK(memcmp(&d, &ref[tip.next_height], sizeof d) == 0);
        }
        tacit_state_close(st);
        gen_rmdir(dir);
    }
    printf("  crash loop: %lu runs (%lu from a non-empty store), %lu killed, %lu finished before "
           "the kill, %lu lost committed blocks, %lu corrupt opens, %.1f s\n",
           runs, mid_store, kills, finished, lost, corrupt, now_s() - start);
    CHECK(runs >= 3);
    CHECK(kills >= 1);
    CHECK_EQ_INT(lost, 0);
    CHECK_EQ_INT(corrupt, 0);
}

static const struct tacit_test tests[] = {
    {"sigkill_during_commits", sigkill_during_commits},
};

TACIT_TEST_MAIN(tests)
