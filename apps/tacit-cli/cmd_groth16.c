/*
 * tacit-cli groth16 — verify snarkjs Groth16 proofs and export a key's Solidity verifier
 * (export-vk and prove: cmd_groth16_prove.c).
 *
 *   tacit-cli groth16 verify <verification_key.json> <public.json> <proof.json>
 *   tacit-cli groth16 verify-batch <verification_key.json> <public.json> <proof.json> ...
 *   tacit-cli groth16 export-solidity <verification_key.json> [--name CONTRACT] [-o FILE]
 *
 * Exit status: 0 valid, 1 invalid (the reason on stdout; export-solidity: on stderr, since
 * stdout may carry the contract), 2 unreadable file, malformed JSON or bad usage (the
 * message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tacit/error.h"
#include "tacit/groth16.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: tacit-cli groth16 verify <verification_key.json> <public.json> <proof.json>\n"
        "       tacit-cli groth16 verify-batch <verification_key.json> <public.json> "
        "<proof.json> [<public.json> <proof.json> ...]\n"
        "       tacit-cli groth16 export-vk <key.zkey> <verification_key.json>\n"
        "       tacit-cli groth16 export-solidity <verification_key.json> [--name CONTRACT] "
        "[-o FILE]\n"
        "       tacit-cli groth16 prove <key.zkey> <witness.wtns> <proof.json> <public.json> "
        "[--threads N]\n"
        "\n"
        "Verifies Groth16 proofs over BN254 in the snarkjs JSON format (argument order as\n"
        "`snarkjs groth16 verify`). Stricter than snarkjs: coordinates must be canonical,\n"
        "points affine (z = \"1\"), the number of public inputs exact, B in G2.\n"
        "\n"
        "verify        prints OK (exit 0) or the reason the proof is invalid (exit 1)\n"
        "verify-batch  checks every <public.json> <proof.json> pair against the key with one\n"
        "              batched pairing check; prints one line per proof (OK or its reason)\n"
        "              and exits 0 only if every proof is valid\n"
        "export-vk     writes the verifying key of a .zkey (snarkjs's or tacit's)\n"
        "export-solidity  writes a Solidity contract that verifies proofs for the key on\n"
        "              Ethereum (EIP-196/197 precompiles), with the ABI of snarkjs's verifier:\n"
        "              verifyProof(uint[2] _pA, uint[2][2] _pB, uint[2] _pC, uint[N] "
        "_pubSignals);\n"
        "              contract name CONTRACT (default Groth16Verifier), to FILE (default\n"
        "              stdout); a key that is invalid is refused (exit 1, reason on stderr)\n"
        "prove         proves with a .zkey and an iden3 .wtns witness; writes proof.json\n"
        "              and public.json (exit 1 if the key or witness is invalid)\n"
        "\n"
        "Exit status 2: a file cannot be read, is not JSON, or bad usage.\n");
}

static bool is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }

/* A rejection that concerns the data: "<file> <field>: <reason>". */
static void print_reason(FILE *out, const char *path, const char *where, int rc)
{
    if (path == NULL)
        fprintf(out, "%s\n", tacit_strerror(rc));
    else if (where != NULL && where[0] != '\0')
        fprintf(out, "%s %s: %s\n", path, where, tacit_strerror(rc));
    else
        fprintf(out, "%s: %s\n", path, tacit_strerror(rc));
}

/* Errors that mean "could not read the input at all" rather than "the input is invalid". */
static bool is_io_error(int rc)
{
    return rc == TACIT_ENOENT || rc == TACIT_EIO || rc == TACIT_ETOOBIG || rc == TACIT_ENOMEM ||
           rc == TACIT_EJSON;
}

static int read_or_complain(char **buf, size_t *len, const char *path)
{
    int rc = tacit_groth16_read_file(buf, len, path);
    if (rc != TACIT_OK) fprintf(stderr, "tacit-cli groth16: %s: %s\n", path, tacit_strerror(rc));
    return rc;
}

/* Loads and prepares the key. Returns 0, or the exit status after printing why not. */
static int load_key(tacit_groth16_pvk **pvk, const char *path)
{
    tacit_groth16_vk *vk;
    char *buf, where[TACIT_GROTH16_WHERE_MAX];
    size_t len;
    int rc;

    *pvk = NULL;
    if (read_or_complain(&buf, &len, path) != TACIT_OK) return EXIT_USAGE;
    rc = tacit_groth16_vk_from_json(&vk, buf, len, where);
    free(buf);
    if (rc == TACIT_OK) {
        rc = tacit_groth16_pvk_new(pvk, vk, where);
        tacit_groth16_vk_free(vk);
    }
    if (rc == TACIT_OK) return 0;
    if (is_io_error(rc)) {
        fprintf(stderr, "tacit-cli groth16: %s: %s\n", path, tacit_strerror(rc));
        return EXIT_USAGE;
    }
    print_reason(stdout, path, where, rc);
    return EXIT_INVALID;
}

/* Loads one public.json + proof.json pair. Returns TACIT_OK, a data error (with *bad_path
 * and where set), or -1 after printing an I/O / JSON error on stderr. */
static int load_pair(tacit_fr **pub, size_t *npub, tacit_groth16_proof *proof, const char *pub_path,
                     const char *proof_path, const char **bad_path, char *where)
{
    char *buf;
    size_t len;
    int rc;

    *pub = NULL;
    *npub = 0;
    *bad_path = NULL;
    where[0] = '\0';
    if (read_or_complain(&buf, &len, pub_path) != TACIT_OK) return -1;
    rc = tacit_groth16_public_from_json(pub, npub, buf, len, where);
    free(buf);
    if (rc != TACIT_OK) {
        *bad_path = pub_path;
        goto out;
    }
    if (read_or_complain(&buf, &len, proof_path) != TACIT_OK) {
        tacit_groth16_public_free(*pub);
        *pub = NULL;
        return -1;
    }
    rc = tacit_groth16_proof_from_json(proof, buf, len, where);
    free(buf);
    if (rc != TACIT_OK) *bad_path = proof_path;
out:
    if (rc != TACIT_OK && is_io_error(rc)) {
        fprintf(stderr, "tacit-cli groth16: %s: %s\n", *bad_path, tacit_strerror(rc));
        tacit_groth16_public_free(*pub);
        *pub = NULL;
        return -1;
    }
    return rc;
}

/* The reason a verification failed, naming the file where that is known. */
static void print_verify_reason(const char *pub_path, const char *proof_path, size_t npub,
                                size_t npublic, int rc)
{
    if (rc == TACIT_ENPUBLIC)
        printf("%s: %s (%zu given, the key expects %zu)\n", pub_path, tacit_strerror(rc), npub,
               npublic);
    else if (rc == TACIT_ENOT_IN_SUBGROUP)
        print_reason(stdout, proof_path, "pi_b", rc); /* the only G2 point of a proof */
    else if (rc == TACIT_EVERIFY)
        print_reason(stdout, NULL, NULL, rc);
    else
        print_reason(stdout, proof_path, NULL, rc);
}

static int cmd_verify(int argc, char **argv)
{
    tacit_groth16_pvk *pvk;
    tacit_groth16_proof proof;
    tacit_fr *pub;
    size_t npub;
    const char *bad;
    char where[TACIT_GROTH16_WHERE_MAX];
    int rc, status;

    if (argc == 2 && is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argc != 4) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((status = load_key(&pvk, argv[1])) != 0) return status;
    rc = load_pair(&pub, &npub, &proof, argv[2], argv[3], &bad, where);
    if (rc < 0) {
        status = EXIT_USAGE;
    } else if (rc != TACIT_OK) {
        print_reason(stdout, bad, where, rc);
        status = EXIT_INVALID;
    } else if ((rc = tacit_groth16_verify_var(pvk, &proof, pub, npub)) != TACIT_OK) {
        print_verify_reason(argv[2], argv[3], npub, pvk->npublic, rc);
        status = EXIT_INVALID;
    } else {
        printf("OK\n");
        status = 0;
    }
    tacit_groth16_public_free(pub);
    tacit_groth16_pvk_free(pvk);
    return status;
}

struct pair {
    tacit_fr *pub;
    size_t npub;
    tacit_groth16_proof proof;
    int rc;          /* parse result */
    const char *bad; /* file the parse error is in */
    char where[TACIT_GROTH16_WHERE_MAX];
};

static int cmd_verify_batch(int argc, char **argv)
{
    tacit_groth16_pvk *pvk;
    struct pair *pairs = NULL;
    tacit_groth16_item *items = NULL;
    size_t *map = NULL;
    int *results = NULL;
    size_t npairs, nitems = 0;
    int status;

    if (argc == 2 && is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argc < 4 || (argc - 2) % 2 != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    npairs = (size_t)(argc - 2) / 2;
    if ((status = load_key(&pvk, argv[1])) != 0) return status;
    pairs = calloc(npairs, sizeof *pairs);
    items = calloc(npairs, sizeof *items);
    map = calloc(npairs, sizeof *map);
    results = calloc(npairs, sizeof *results);
    if (pairs == NULL || items == NULL || map == NULL || results == NULL) {
        fprintf(stderr, "tacit-cli groth16: %s\n", tacit_strerror(TACIT_ENOMEM));
        status = EXIT_USAGE;
        goto out_free;
    }
    for (size_t i = 0; i < npairs; i++) {
        struct pair *p = &pairs[i];
        p->rc = load_pair(&p->pub, &p->npub, &p->proof, argv[2 + 2 * i], argv[3 + 2 * i], &p->bad,
                          p->where);
        if (p->rc < 0) {
            status = EXIT_USAGE;
            goto out_free;
        }
        if (p->rc == TACIT_OK) {
            items[nitems] = (tacit_groth16_item){&p->proof, p->pub, p->npub};
            map[nitems++] = i;
        }
    }
    if (tacit_groth16_verify_batch_var(results, pvk, items, nitems) == TACIT_ENOMEM) {
        fprintf(stderr, "tacit-cli groth16: %s\n", tacit_strerror(TACIT_ENOMEM));
        status = EXIT_USAGE;
        goto out_free;
    }
    for (size_t k = 0; k < nitems; k++) pairs[map[k]].rc = results[k];
    status = 0;
    for (size_t i = 0; i < npairs; i++) {
        struct pair *p = &pairs[i];
        if (p->rc == TACIT_OK) {
            printf("OK\n");
            continue;
        }
        status = EXIT_INVALID;
        if (p->bad != NULL)
            print_reason(stdout, p->bad, p->where, p->rc);
        else
            print_verify_reason(argv[2 + 2 * i], argv[3 + 2 * i], p->npub, pvk->npublic, p->rc);
    }
out_free:
    if (pairs != NULL)
        for (size_t i = 0; i < npairs; i++) tacit_groth16_public_free(pairs[i].pub);
    free(results);
    free(map);
    free(items);
    free(pairs);
    tacit_groth16_pvk_free(pvk);
    return status;
}

static int cmd_export_solidity(int argc, char **argv)
{
    const char *vk_path = NULL, *name = "Groth16Verifier", *out_path = NULL;
    tacit_groth16_vk *vk;
    char *buf, *sol, where[TACIT_GROTH16_WHERE_MAX];
    size_t len;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            usage(stdout);
            return 0;
        }
        if ((strcmp(argv[i], "--name") == 0 || strcmp(argv[i], "-o") == 0) && i + 1 < argc) {
            if (strcmp(argv[i], "--name") == 0)
                name = argv[++i];
            else
                out_path = argv[++i];
        } else if (argv[i][0] != '-' && vk_path == NULL) {
            vk_path = argv[i];
        } else {
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (vk_path == NULL) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!tacit_groth16_solidity_name_is_valid(name)) {
        fprintf(stderr,
                "tacit-cli groth16 export-solidity: --name \"%s\" is not a Solidity contract "
                "name (a letter, _ or $, then letters, digits, _ or $; at most %d; not a "
                "keyword)\n",
                name, TACIT_GROTH16_SOLIDITY_NAME_MAX);
        return EXIT_USAGE;
    }
    if (read_or_complain(&buf, &len, vk_path) != TACIT_OK) return EXIT_USAGE;
    rc = tacit_groth16_vk_from_json(&vk, buf, len, where);
    free(buf);
    if (rc == TACIT_OK) {
        rc = tacit_groth16_vk_to_solidity(&sol, vk, name, where);
        tacit_groth16_vk_free(vk);
    }
    if (rc != TACIT_OK) {
        print_reason(stderr, vk_path, where, rc);
        return is_io_error(rc) ? EXIT_USAGE : EXIT_INVALID;
    }
    if (out_path == NULL) {
        rc = fputs(sol, stdout) >= 0 && fflush(stdout) == 0;
    } else {
        FILE *f = fopen(out_path, "w");
        rc = f != NULL && fputs(sol, f) >= 0;
        if (f != NULL) rc = fclose(f) == 0 && rc;
    }
    free(sol);
    if (!rc) {
        fprintf(stderr, "tacit-cli groth16 export-solidity: cannot write %s\n",
                out_path != NULL ? out_path : "to stdout");
        return EXIT_USAGE;
    }
    return 0;
}

int cmd_groth16(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "verify") == 0) return cmd_verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "verify-batch") == 0) return cmd_verify_batch(argc - 1, argv + 1);
    if (strcmp(argv[1], "export-vk") == 0) return cmd_groth16_export_vk(argc - 1, argv + 1);
    if (strcmp(argv[1], "prove") == 0) return cmd_groth16_prove(argc - 1, argv + 1);
    if (strcmp(argv[1], "export-solidity") == 0) return cmd_export_solidity(argc - 1, argv + 1);
    fprintf(stderr, "tacit-cli groth16: unknown subcommand \"%s\"\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
