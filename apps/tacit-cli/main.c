/*
 * tacit-cli <command> [args] — argument parsing and dispatch only; the work is in libtacit.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct tacit_cli_command commands[] = {
    {"circuit", cmd_circuit, "the transfer circuit: export-r1cs, info, witness, example"},
    {"groth16", cmd_groth16, "verify Groth16 proofs (snarkjs format)"},
    {"poseidon", cmd_poseidon, "Poseidon hash of decimal field elements (circomlib's)"},
    {"setup", cmd_setup, "devnet Groth16 keys: transfer.zkey + verification_key.json"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
    fprintf(out,
            "usage: tacit-cli <command> [args]\n"
            "       tacit-cli --help | --version\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
    if (argc < 2) { /* no command: a usage error */
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tacit-cli " TACIT_CLI_VERSION "\n");
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "tacit-cli: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
