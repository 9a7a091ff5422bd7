/*
 * tacit-cli circuit — the transfer circuit (shared/docs/DESIGN.md 2.5) as data.
 *
 *   tacit-cli circuit export-r1cs <out.r1cs> [--depth N]
 *   tacit-cli circuit info [--depth N]
 *   tacit-cli circuit info <file.r1cs>
 *   tacit-cli circuit witness <out.wtns> [--depth N] [--seed HEX64]
 *   tacit-cli circuit example --keys <dir> --out <dir> [--depth N] [--seed HEX64]
 *                             [--threads T]
 *   tacit-cli circuit tree-update ...   the tree-update circuit (cmd_treeupdate.c)
 *
 * Exit status: 0 done, 1 failure (the reason on stderr), 2 bad usage or unreadable input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cli.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: tacit-cli circuit export-r1cs <out.r1cs> [--depth N]\n"
        "       tacit-cli circuit info [--depth N]\n"
        "       tacit-cli circuit info <file.r1cs>\n"
        "       tacit-cli circuit witness <out.wtns> [--depth N] [--seed HEX64]\n"
        "       tacit-cli circuit example --keys <dir> --out <dir> [--depth N] [--seed HEX64]\n"
        "                                 [--threads T]\n"
        "       tacit-cli circuit tree-update <subcommand> ... (see circuit tree-update --help)\n"
        "\n"
        "The transfer circuit (2 inputs, 2 outputs; public inputs root, public_amount,\n"
        "ext_data_hash, nf0, nf1, cm0, cm1) with a Merkle tree of depth N (1..32,\n"
        "default 32: the real circuit; smaller depths only for tests).\n"
        "\n"
        "export-r1cs  writes the constraint system in the iden3 .r1cs format (the input of\n"
        "             `snarkjs groth16 setup` for a real trusted-setup ceremony) and prints\n"
        "             its counts\n"
        "info         prints the counts of the circuit, or of an .r1cs file\n"
        "witness      writes the witness of a random valid transfer (two notes spent, a\n"
        "             fee) in the iden3 .wtns format (for `snarkjs wtns check` / `groth16\n"
        "             prove`) and prints its 7 public inputs in decimal, one per line;\n"
        "             --seed (64 hex digits) makes it reproducible\n"
        "example      proves a random valid transfer with <dir>/transfer.zkey (from\n"
        "             `tacit-cli setup --out <dir>`, or a ceremony's key of that name),\n"
        "             checks the proof with the key's verifying key (nothing is written\n"
        "             if it fails) and writes <out>/proof.json, <out>/public.json and\n"
        "             <out>/verification_key.json, as snarkjs writes them (check with\n"
        "             `snarkjs groth16 verify` or `tacit-cli groth16 verify`); the depth\n"
        "             is detected from the key unless --depth is given; --seed as above\n"
        "\n"
        "Counts are printed one per line as `<name> <number>`.\n");
}

static bool is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses [--depth N] (and [--seed HEX64] when seed is non-NULL) from argv[from..argc-1];
 * 0 on success. */
static int parse_opts(unsigned *depth, uint8_t *seed, bool *have_seed, int argc, char **argv,
                      int from, const char *cmd)
{
    *depth = TACIT_TRANSFER_DEPTH;
    if (have_seed != NULL) *have_seed = false;
    for (int i = from; i < argc; i++) {
        if (seed != NULL && strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            const char *h = argv[i + 1];
            if (strlen(h) != 64) goto bad_seed;
            for (int k = 0; k < 32; k++) {
                int hi = hexval(h[2 * k]), lo = hexval(h[2 * k + 1]);
                if (hi < 0 || lo < 0) goto bad_seed;
                seed[k] = (uint8_t)(hi << 4 | lo);
            }
            *have_seed = true;
            i++;
            continue;
        bad_seed:
            fprintf(stderr, "tacit-cli circuit %s: --seed wants 64 hex digits\n", cmd);
            return EXIT_USAGE;
        }
        if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc) {
            char *end;
            unsigned long d = strtoul(argv[i + 1], &end, 10);
            if (argv[i + 1][0] < '0' || argv[i + 1][0] > '9' || *end != '\0' || d < 1 ||
                d > TACIT_TRANSFER_DEPTH) {
                fprintf(stderr, "tacit-cli circuit %s: --depth wants 1..%d, got \"%s\"\n", cmd,
                        TACIT_TRANSFER_DEPTH, argv[i + 1]);
                return EXIT_USAGE;
            }
            *depth = (unsigned)d;
            i++;
        } else {
            fprintf(stderr, "tacit-cli circuit %s: unexpected argument \"%s\"\n\n", cmd, argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    return 0;
}

void tacit_cli_print_r1cs_counts(const tacit_r1cs *r, const tacit_r1cs_file_info *info)
{
    uint64_t nz[3] = {0, 0, 0};

    for (uint32_t i = 0; i < r->nconstraints; i++) {
        nz[0] += r->constraints[i].a.n;
        nz[1] += r->constraints[i].b.n;
        nz[2] += r->constraints[i].c.n;
    }
    printf("wires %u\n", r->nvars);
    printf("constraints %u\n", r->nconstraints);
    printf("public %u\n", r->npublic);
    if (info != NULL) {
        printf("public_outputs %u\n", info->n_pub_out);
        printf("public_inputs %u\n", info->n_pub_in);
        printf("private_inputs %u\n", info->n_prv_in);
        printf("labels %llu\n", (unsigned long long)info->n_labels);
    } else {
        printf("private %u\n", r->nvars - 1 - r->npublic);
    }
    printf("nonzeros_a %llu\n", (unsigned long long)nz[0]);
    printf("nonzeros_b %llu\n", (unsigned long long)nz[1]);
    printf("nonzeros_c %llu\n", (unsigned long long)nz[2]);
}

static int build(tacit_r1cs *r, unsigned depth, const char *cmd)
{
    int rc = tacit_transfer_build(r, NULL, NULL, NULL, depth);
    if (rc != TACIT_OK)
        fprintf(stderr, "tacit-cli circuit %s: building the circuit: %s\n", cmd,
                tacit_strerror(rc));
    return rc;
}

static int export_r1cs(int argc, char **argv)
{
    tacit_r1cs r;
    unsigned depth;
    int rc, st;

    if (argc >= 2 && is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "tacit-cli circuit export-r1cs: missing <out.r1cs>\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((st = parse_opts(&depth, NULL, NULL, argc, argv, 2, "export-r1cs")) != 0) return st;
    if (build(&r, depth, "export-r1cs") != TACIT_OK) return EXIT_FAIL;
    if ((rc = tacit_r1cs_write_file(argv[1], &r)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit export-r1cs: %s: %s\n", argv[1], tacit_strerror(rc));
        tacit_r1cs_clear(&r);
        return EXIT_FAIL;
    }
    printf("depth %u\n", depth);
    tacit_cli_print_r1cs_counts(&r, NULL);
    tacit_r1cs_clear(&r);
    return 0;
}

static int info(int argc, char **argv)
{
    tacit_r1cs r;
    tacit_r1cs_file_info fi;
    unsigned depth;
    int rc, st;

    if (argc >= 2 && is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && argv[1][0] != '-') {
        if ((rc = tacit_r1cs_read_file(&r, &fi, argv[1])) != TACIT_OK) {
            fprintf(stderr, "tacit-cli circuit info: %s: %s\n", argv[1], tacit_strerror(rc));
            return EXIT_USAGE;
        }
        tacit_cli_print_r1cs_counts(&r, &fi);
        tacit_r1cs_clear(&r);
        return 0;
    }
    if ((st = parse_opts(&depth, NULL, NULL, argc, argv, 1, "info")) != 0) return st;
    if (build(&r, depth, "info") != TACIT_OK) return EXIT_FAIL;
    printf("depth %u\n", depth);
    tacit_cli_print_r1cs_counts(&r, NULL);
    tacit_r1cs_clear(&r);
    return 0;
}

static int witness(int argc, char **argv)
{
    struct tacit_transfer t;
    tacit_fr *w = NULL;
    uint32_t n;
    uint8_t seed[32];
    bool have_seed;
    unsigned depth;
    int rc, st;

    if (argc >= 2 && is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "tacit-cli circuit witness: missing <out.wtns>\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((st = parse_opts(&depth, seed, &have_seed, argc, argv, 2, "witness")) != 0) return st;
    if ((rc = tacit_transfer_example(&t, depth, have_seed ? seed : NULL)) != TACIT_OK ||
        (rc = tacit_transfer_build(NULL, &w, &n, &t, depth)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit witness: %s\n", tacit_strerror(rc));
        return EXIT_FAIL;
    }
    if ((rc = tacit_wtns_write_file(argv[1], w, n)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit witness: %s: %s\n", argv[1], tacit_strerror(rc));
        tacit_witness_free(w, n);
        return EXIT_FAIL;
    }
    for (int i = 1; i <= TACIT_TRANSFER_NPUBLIC; i++) {
        uint64_t l[4];
        char dec[79];
        tacit_fr_to_limbs(l, &w[i]);
        tacit_u256_to_dec(dec, l);
        printf("%s\n", dec);
    }
    tacit_witness_free(w, n);
    return 0;
}

/* nvars of the transfer circuit at depth d (witness only: cheap), 0 on failure */
static uint32_t transfer_nvars(unsigned d)
{
    tacit_fr *w = NULL;
    uint32_t n = 0;
    if (tacit_transfer_build(NULL, &w, &n, NULL, d) != TACIT_OK) return 0;
    tacit_witness_free(w, n);
    return n;
}

/* The depth whose transfer circuit has nvars variables (nvars is affine in the depth), or 0. */
static unsigned detect_depth(uint32_t nvars)
{
    uint32_t n1 = transfer_nvars(1), n2 = transfer_nvars(2);
    if (n1 == 0 || n2 <= n1 || nvars < n1 || (nvars - n1) % (n2 - n1) != 0) return 0;
    uint32_t d = 1 + (nvars - n1) / (n2 - n1);
    if (d > TACIT_TRANSFER_DEPTH || transfer_nvars(d) != nvars) return 0;
    return d;
}

int tacit_cli_write_text(const char *dir, const char *name, char *text, const char *cmd)
{
    char path[4096];
    FILE *f;
    int ok;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (text == NULL) {
        fprintf(stderr, "tacit-cli %s: %s\n", cmd, tacit_strerror(TACIT_ENOMEM));
        return EXIT_FAIL;
    }
    ok = (f = fopen(path, "w")) != NULL && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f != NULL) ok = (fclose(f) == 0) && ok;
    free(text);
    if (!ok) {
        fprintf(stderr, "tacit-cli %s: cannot write %s\n", cmd, path);
        return EXIT_FAIL;
    }
    return 0;
}

static int example(int argc, char **argv)
{
    const char *keys = NULL, *out = NULL;
    unsigned depth = 0, nthreads = 0;
    uint8_t seed[32];
    bool have_seed = false;
    char path[4096], where[32];
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_groth16_proof proof;
    struct tacit_transfer t;
    tacit_fr *w = NULL;
    uint32_t n = 0;
    int rc, st = EXIT_FAIL;

    for (int i = 1; i < argc; i += 2) { /* options come in pairs: --name value */
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (is_help(argv[i])) {
            usage(stdout);
            return 0;
        } else if (v != NULL && strcmp(argv[i], "--keys") == 0) {
            keys = v;
        } else if (v != NULL && strcmp(argv[i], "--out") == 0) {
            out = v;
        } else if (v != NULL && strcmp(argv[i], "--threads") == 0) {
            char *end;
            unsigned long x = strtoul(v, &end, 10);
            if (v[0] < '0' || v[0] > '9' || *end != '\0' || x > 64) {
                fprintf(stderr, "tacit-cli circuit example: --threads wants 0..64, got \"%s\"\n",
                        v);
                return EXIT_USAGE;
            }
            nthreads = (unsigned)x;
        } else if (v != NULL &&
                   (strcmp(argv[i], "--depth") == 0 || strcmp(argv[i], "--seed") == 0)) {
            /* one option at a time through the shared parser */
            char *sub[3] = {argv[0], argv[i], argv[i + 1]};
            bool hs = false;
            unsigned d;
            uint8_t sd[32];
            if ((st = parse_opts(&d, sd, &hs, 3, sub, 1, "example")) != 0) return st;
            if (hs) {
                memcpy(seed, sd, sizeof seed);
                have_seed = true;
            } else {
                depth = d;
            }
        } else {
            fprintf(stderr, "tacit-cli circuit example: unexpected argument \"%s\"\n\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (keys == NULL || out == NULL) {
        fprintf(stderr, "tacit-cli circuit example: needs --keys <dir> and --out <dir>\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }

    snprintf(path, sizeof path, "%s/transfer.zkey", keys);
    if ((rc = tacit_groth16_pk_read_file(&pk, path)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit example: %s: %s\n", path, tacit_strerror(rc));
        return rc == TACIT_ENOENT || rc == TACIT_EIO ? EXIT_USAGE : EXIT_FAIL;
    }
    st = EXIT_FAIL;
    if (pk->npublic != TACIT_TRANSFER_NPUBLIC) {
        fprintf(stderr,
                "tacit-cli circuit example: %s has %u public inputs, the transfer circuit %d: "
                "not a transfer key\n",
                path, pk->npublic, TACIT_TRANSFER_NPUBLIC);
        goto done;
    }
    if (depth == 0 && (depth = detect_depth(pk->nvars)) == 0) {
        fprintf(stderr,
                "tacit-cli circuit example: %s has %u variables, which matches the transfer "
                "circuit at no depth 1..%d: not a transfer key\n",
                path, pk->nvars, TACIT_TRANSFER_DEPTH);
        goto done;
    }
    if ((rc = tacit_transfer_example(&t, depth, have_seed ? seed : NULL)) != TACIT_OK ||
        (rc = tacit_transfer_build(NULL, &w, &n, &t, depth)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit example: %s\n", tacit_strerror(rc));
        goto done;
    }
    sodium_memzero(&t, sizeof t);
    if (n != pk->nvars) {
        fprintf(stderr,
                "tacit-cli circuit example: %s has %u variables, the transfer circuit at "
                "depth %u has %u: the key is not for this circuit\n",
                path, pk->nvars, depth, n);
        goto done;
    }
    if ((rc = tacit_groth16_prove(&proof, pk, w, n, nthreads, NULL)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit example: proving: %s\n", tacit_strerror(rc));
        goto done;
    }
    where[0] = '\0';
    if ((rc = tacit_groth16_pk_vk(&vk, pk)) != TACIT_OK ||
        (rc = tacit_groth16_pvk_new(&pvk, vk, where)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit example: %s: verifying key: %s%s%s\n", path,
                tacit_strerror(rc), where[0] ? " at " : "", where);
        goto done;
    }
    if ((rc = tacit_groth16_verify_var(pvk, &proof, w + 1, TACIT_TRANSFER_NPUBLIC)) != TACIT_OK) {
        fprintf(stderr,
                "tacit-cli circuit example: the proof does not verify under the key's own "
                "verifying key (%s): %s is not the transfer circuit at depth %u; nothing written\n",
                tacit_strerror(rc), path, depth);
        goto done;
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "tacit-cli circuit example: cannot create %s\n", out);
        goto done;
    }
    if (tacit_cli_write_text(out, "proof.json", tacit_groth16_proof_to_json(&proof),
                             "circuit example") != 0 ||
        tacit_cli_write_text(out, "public.json",
                             tacit_groth16_public_to_json(w + 1, TACIT_TRANSFER_NPUBLIC),
                             "circuit example") != 0 ||
        tacit_cli_write_text(out, "verification_key.json", tacit_groth16_vk_to_json(vk),
                             "circuit example") != 0)
        goto done;
    printf("depth %u\n", depth);
    for (int i = 1; i <= TACIT_TRANSFER_NPUBLIC; i++) {
        uint64_t l[4];
        char dec[79];
        tacit_fr_to_limbs(l, &w[i]);
        tacit_u256_to_dec(dec, l);
        printf("%s\n", dec);
    }
    st = 0;
done:
    if (w != NULL) tacit_witness_free(w, n);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk);
    return st;
}

/* Subcommands; argv[0] is the subcommand's name. */
static const struct tacit_cli_command subcommands[] = {
    {"export-r1cs", export_r1cs, "write the transfer circuit as an iden3 .r1cs file"},
    {"info", info, "print the counts of the transfer circuit or of an .r1cs file"},
    {"witness", witness, "write the witness of a random valid transfer (.wtns)"},
    {"example", example, "prove a random valid transfer: proof.json + public.json"},
    {"tree-update", cmd_circuit_treeupdate,
     "the tree-update circuit (see `circuit tree-update --help`)"},
};

int cmd_circuit(int argc, char **argv)
{
    return tacit_cli_dispatch(subcommands, sizeof subcommands / sizeof subcommands[0], argc, argv,
                              usage, "circuit");
}
