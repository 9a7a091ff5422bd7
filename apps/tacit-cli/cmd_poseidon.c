/*
 * tacit-cli poseidon — Poseidon hash of field elements, an oracle for wallet authors.
 *
 *   tacit-cli poseidon <decimal>...
 *
 * Prints circomlib's Poseidon(inputs) (= circomlibjs poseidon([...])) as a decimal number.
 * Exit status: 0 printed, 2 bad usage or bad input (the reason on stderr).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tacit/bn254.h"
#include "tacit/error.h"
#include "tacit/poseidon.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tacit-cli poseidon <decimal>...\n"
            "\n"
            "Prints the Poseidon hash of 1 to %d field elements in decimal: circomlib's\n"
            "Poseidon(n) over the BN254 scalar field, equal to circomlibjs poseidon([...]).\n"
            "Each input is a decimal integer below\n"
            "r = 21888242871839275222246405745257275088548364400416034343698204186575808495617\n"
            "(digits only, no sign, no leading zeros).\n"
            "\n"
            "Exit status 2: bad usage or an input that is not such a number.\n",
            TACIT_POSEIDON_MAX_INPUTS);
}

int cmd_poseidon(int argc, char **argv)
{
    tacit_fr in[TACIT_POSEIDON_MAX_INPUTS], out;
    uint64_t limbs[4];
    char dec[79];
    size_t n = (size_t)argc - 1;
    int rc;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc < 2 || n > TACIT_POSEIDON_MAX_INPUTS) {
        fprintf(stderr, "tacit-cli poseidon: need 1 to %d inputs, got %zu\n\n",
                TACIT_POSEIDON_MAX_INPUTS, argc < 2 ? (size_t)0 : n);
        usage(stderr);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = argv[i + 1];
        if (tacit_u256_from_dec(limbs, s) != TACIT_OK) {
            fprintf(stderr,
                    "tacit-cli poseidon: input %zu \"%s\": not a decimal number "
                    "(digits only, no sign, no leading zeros, below 2^256)\n",
                    i + 1, s);
            return EXIT_USAGE;
        }
        if (tacit_fr_from_limbs(&in[i], limbs) != TACIT_OK) {
            fprintf(stderr,
                    "tacit-cli poseidon: input %zu \"%s\": not below the field "
                    "modulus r\n",
                    i + 1, s);
            return EXIT_USAGE;
        }
    }
    if ((rc = tacit_poseidon(&out, in, n)) != TACIT_OK) { /* unreachable: n checked above */
        fprintf(stderr, "tacit-cli poseidon: %s\n", tacit_strerror(rc));
        return EXIT_USAGE;
    }
    tacit_fr_to_limbs(limbs, &out);
    tacit_u256_to_dec(dec, limbs);
    printf("%s\n", dec);
    return 0;
}
