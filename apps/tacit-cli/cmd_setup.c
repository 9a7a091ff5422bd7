/*
 * tacit-cli setup — devnet Groth16 keys (tacit_groth16_setup: toxic waste from libsodium,
 * wiped; NOT for production, where a snarkjs ceremony makes the .zkey).
 *
 *   tacit-cli setup --out <dir> [--depth N] [--threads T]
 *       the transfer circuit (depth 1..32, default 32): <dir>/transfer.zkey and
 *       <dir>/verification_key.json
 *   tacit-cli setup --out <dir> --r1cs <circuit.r1cs> [--threads T]
 *       any iden3 .r1cs: <dir>/<circuit>.zkey and <dir>/verification_key.json
 *   tacit-cli setup --out <dir> --circuit tree-update [--depth N] [--max-leaves M] [--threads T]
 *       the tree-update circuit (include/tacit/treeupdate.h; depth default 32, M default 128):
 *       <dir>/tree_update.zkey and <dir>/tree_update_verification_key.json, beside the
 *       transfer circuit's keys
 *
 * <dir> is created if it does not exist. The .zkey is snarkjs's format: `snarkjs groth16
 * prove` and `snarkjs zkey export verificationkey` read it, as do `tacit-cli groth16 prove`
 * and `export-vk`.
 * Exit status: 0 done, 1 failure (the reason on stderr), 2 bad usage or unreadable input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"
#include "tacit/treeupdate.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: tacit-cli setup --out <dir> [--depth N] [--threads T]\n"
        "       tacit-cli setup --out <dir> --r1cs <circuit.r1cs> [--threads T]\n"
        "       tacit-cli setup --out <dir> --circuit tree-update [--depth N] [--max-leaves M]\n"
        "                       [--threads T]\n"
        "\n"
        "Devnet Groth16 keys from fresh random toxic waste (wiped after use): anyone who\n"
        "kept it could forge proofs, so never use these keys beyond a devnet or tests; a\n"
        "real deployment runs a snarkjs ceremony on `tacit-cli circuit export-r1cs`.\n"
        "\n"
        "Writes <dir>/transfer.zkey (the transfer circuit, Merkle depth N, default 32) or\n"
        "<dir>/<circuit>.zkey (the given .r1cs), and <dir>/verification_key.json;\n"
        "with --circuit tree-update, the tree-update circuit (note tree depth N, default 32;\n"
        "at most M leaves per proof, default 128): <dir>/" TACIT_CLI_TREEUPDATE_ZKEY " and\n"
        "<dir>/" TACIT_CLI_TREEUPDATE_VK ".\n"
        "The .zkey is snarkjs's format.\n");
}

static int parse_uint(unsigned *v, const char *s, unsigned lo, unsigned hi, const char *what)
{
    char *end;
    unsigned long x = strtoul(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || x < lo || x > hi) {
        fprintf(stderr, "tacit-cli setup: %s wants %u..%u, got \"%s\"\n", what, lo, hi, s);
        return EXIT_USAGE;
    }
    *v = (unsigned)x;
    return 0;
}

/* "<dir>/<base of r1cs without .r1cs>.zkey" or "<dir>/transfer.zkey" */
static void zkey_path(char *out, size_t n, const char *dir, const char *r1cs)
{
    const char *base = "transfer";
    size_t len = strlen(base);
    if (r1cs != NULL) {
        const char *slash = strrchr(r1cs, '/');
        base = slash ? slash + 1 : r1cs;
        len = strlen(base);
        if (len > 5 && strcmp(base + len - 5, ".r1cs") == 0) len -= 5;
    }
    snprintf(out, n, "%s/%.*s.zkey", dir, (int)len, base);
}

int cmd_setup(int argc, char **argv)
{
    const char *dir = NULL, *r1cs_path = NULL, *vk_name = "verification_key.json";
    unsigned depth = TACIT_TRANSFER_DEPTH, nthreads = 0, max_leaves = TACIT_TREEUPDATE_MAX_LEAVES;
    bool tree_update = false, have_max_leaves = false;
    uint32_t ncons;
    tacit_r1cs cs;
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_vk *vk = NULL;
    char path[4096], *json;
    FILE *f;
    int rc, status = EXIT_FAIL;

    for (int i = 1; i < argc; i += 2) { /* options come in pairs: --name value */
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (v != NULL && strcmp(argv[i], "--out") == 0) {
            dir = v;
        } else if (v != NULL && strcmp(argv[i], "--r1cs") == 0) {
            r1cs_path = v;
        } else if (v != NULL && strcmp(argv[i], "--depth") == 0) {
            if (parse_uint(&depth, v, 1, TACIT_TRANSFER_DEPTH, "--depth") != 0) return EXIT_USAGE;
        } else if (v != NULL && strcmp(argv[i], "--threads") == 0) {
            if (parse_uint(&nthreads, v, 0, 64, "--threads") != 0) return EXIT_USAGE;
        } else if (v != NULL && strcmp(argv[i], "--max-leaves") == 0) {
            if (parse_uint(&max_leaves, v, 1, TACIT_TREEUPDATE_MAX_LEAVES_LIMIT, "--max-leaves") !=
                0)
                return EXIT_USAGE;
            have_max_leaves = true;
        } else if (v != NULL && strcmp(argv[i], "--circuit") == 0) {
            if (strcmp(v, "tree-update") == 0) {
                tree_update = true;
            } else if (strcmp(v, "transfer") != 0) {
                fprintf(stderr,
                        "tacit-cli setup: --circuit wants transfer or tree-update, got \"%s\"\n",
                        v);
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "tacit-cli setup: unexpected argument \"%s\"\n\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (dir == NULL) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((tree_update && r1cs_path != NULL) || (!tree_update && have_max_leaves)) {
        fprintf(stderr, "tacit-cli setup: --max-leaves goes with --circuit tree-update, which does "
                        "not take --r1cs\n");
        return EXIT_USAGE;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "tacit-cli setup: cannot create %s\n", dir);
        return EXIT_USAGE;
    }

    memset(&cs, 0, sizeof cs);
    if (r1cs_path != NULL)
        rc = tacit_r1cs_read_file(&cs, NULL, r1cs_path);
    else if (tree_update)
        rc = tacit_treeupdate_build(&cs, NULL, NULL, NULL, depth, max_leaves);
    else
        rc = tacit_transfer_build(&cs, NULL, NULL, NULL, depth);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-cli setup: %s: %s\n",
                r1cs_path     ? r1cs_path
                : tree_update ? "tree-update circuit"
                              : "transfer circuit",
                tacit_strerror(rc));
        return r1cs_path != NULL && (rc == TACIT_ENOENT || rc == TACIT_EIO) ? EXIT_USAGE
                                                                            : EXIT_FAIL;
    }
    ncons = cs.nconstraints;
    rc = tacit_groth16_setup(&pk, &cs, nthreads);
    tacit_r1cs_clear(&cs);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-cli setup: %s\n", tacit_strerror(rc));
        return EXIT_FAIL;
    }
    if (tree_update) {
        snprintf(path, sizeof path, "%s/%s", dir, TACIT_CLI_TREEUPDATE_ZKEY);
        vk_name = TACIT_CLI_TREEUPDATE_VK;
    } else {
        zkey_path(path, sizeof path, dir, r1cs_path);
    }
    if ((rc = tacit_groth16_pk_write_file(path, pk)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli setup: %s: %s\n", path, tacit_strerror(rc));
        goto out;
    }
    if ((rc = tacit_groth16_pk_vk(&vk, pk)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli setup: %s\n", tacit_strerror(rc));
        goto out;
    }
    snprintf(path, sizeof path, "%s/%s", dir, vk_name);
    if ((json = tacit_groth16_vk_to_json(vk)) == NULL) {
        fprintf(stderr, "tacit-cli setup: %s\n", tacit_strerror(TACIT_ENOMEM));
        goto out;
    }
    if ((f = fopen(path, "w")) == NULL || fputs(json, f) < 0 || fputc('\n', f) == EOF) {
        fprintf(stderr, "tacit-cli setup: cannot write %s\n", path);
        if (f != NULL) fclose(f);
    } else if (fclose(f) != 0) {
        fprintf(stderr, "tacit-cli setup: cannot write %s\n", path);
    } else {
        printf("constraints %u\nvariables %u\npublic %u\ndomain %u\n", ncons, pk->nvars,
               pk->npublic, pk->domain_size);
        status = 0;
    }
    free(json);
out:
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk);
    return status;
}
