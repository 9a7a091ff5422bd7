/*
 * tacit — benchmark harness: timing helpers and the suite table of tacit-bench.
 */
#ifndef TACIT_BENCH_H
#define TACIT_BENCH_H

#include <stddef.h>

/* CPU time of the calling thread, in nanoseconds (CLOCK_THREAD_CPUTIME_ID). */
double tacit_bench_now_ns(void);

/*
 * Runs `rounds` rounds of `inner` calls fn(arg) and returns the median over the rounds of
 * the per-call time in nanoseconds (thread CPU time). One untimed warm-up call is made first.
 * inner and rounds are clamped to at least 1.
 */
double tacit_bench_median_ns(void (*fn)(void *), void *arg, int inner, int rounds);

/* Prints one aligned line "name  median  unit", choosing ns, µs or ms. */
void tacit_bench_report(const char *name, double ns);

/* Same, followed by "  anchor: <anchor>" when anchor is not NULL: a figure for the same
 * operation measured elsewhere (shared/docs/ANCHORS.md), printed for comparison. */
void tacit_bench_report_anchor(const char *name, double ns, const char *anchor);

/* Suites: int suite(int argc, char **argv), argv[0] is the suite name. 0 on success. */
int bench_crypto(int argc, char **argv);
/* The Groth16 rows of `tacit-bench crypto` (bench/bench_groth16.c). 0 on success. */
int bench_crypto_groth16(void);
/* bench/bench_groth16.c: `tacit-bench verify <vk> <public> <proof>` and `synth7 <dir>`. */
int bench_verify(int argc, char **argv);
int bench_synth7(int argc, char **argv);
int bench_state(int argc, char **argv);     /* bench/bench_state.c */
int bench_prove(int argc, char **argv);     /* bench/bench_prove.c */
int bench_node_load(int argc, char **argv); /* bench/bench_node_load.c, run by bench/node-load */
int bench_mempool(int argc, char **argv);   /* bench/bench_mempool.c */
int bench_wallet(int argc, char **argv);    /* bench/bench_wallet.c */
/* bench/bench_follow_replay.c, run by bench/follow-replay */
int bench_follow_replay(int argc, char **argv);
int bench_l1_gas(int argc, char **argv); /* bench/bench_l1_gas.c, run by bench/l1-gas */
/* Rows of `tacit-bench state` in bench/bench_state_tree.c: the note tree and LMDB store. */
int bench_state_tree_1m(void);
int bench_state_block_commit(void);
int bench_state_block_build(void);
/* A fresh directory for a store under $TACIT_BENCH_DIR or /var/tmp (0 on success), and its
 * removal (the store's two files, then the directory). */
int bench_store_dir(char *buf, size_t len);
void bench_store_dir_remove(const char *dir);
/* The row of `tacit-bench state` in bench/bench_chain.c: the static rules per tx. */
int bench_chain_tx_static(void);

struct tacit_bench_suite {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

#endif /* TACIT_BENCH_H */
