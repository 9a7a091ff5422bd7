/*
 * tacit-bench <suite> [args] — runs one benchmark suite.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

static const struct tacit_bench_suite suites[] = {
    {"crypto", bench_crypto, "BN254 field, group, pairing and MSM operations"},
    {"verify", bench_verify, "median Groth16 verify time of <vk.json> <public.json> <proof.json>"},
    {"synth7", bench_synth7, "write a synthetic 7-input Groth16 key/proof/public to <dir>"},
    {"state", bench_state, "Poseidon, note tree and state store (bench/bench_state.c)"},
    {"prove", bench_prove,
     "Groth16 prove time and breakdown: merkle .zkey, transfer and tree-update circuits"},
    {"mempool", bench_mempool, "the mempool's re-check after a block (48,000 pending)"},
    {"node-load", bench_node_load, "a running tacitd under tx load (use bench/node-load)"},
    {"wallet", bench_wallet, "wallet scanning, witnesses and the 2,000,000-output catch-up"},
    {"follow-replay", bench_follow_replay,
     "the recorded chain of the follower replay (use bench/follow-replay)"},
    {"l1-gas", bench_l1_gas,
     "the rollup contract's gas per transaction on anvil (use bench/l1-gas)"},
};

#define NSUITES (sizeof suites / sizeof suites[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: tacit-bench <suite> [args]\n\nsuites:\n");
    for (size_t i = 0; i < NSUITES; i++)
        fprintf(out, "  %-12s %s\n", suites[i].name, suites[i].help);
    fprintf(out, "\nTimes are medians of per-thread CPU time per call.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) { /* no command: a usage error */
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < NSUITES; i++) {
        if (strcmp(argv[1], suites[i].name) == 0) return suites[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "tacit-bench: unknown suite \"%s\"\n\n", argv[1]);
    usage(stderr);
    return 2;
}
