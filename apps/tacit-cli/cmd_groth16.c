/*
 * tacit-cli groth16 — placeholder until the Groth16 verifier is built.
 */
#include <stdio.h>

#include "cli.h"

int cmd_groth16(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "groth16: not yet built\n");
    return 2;
}
