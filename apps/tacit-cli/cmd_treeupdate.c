/*
 * tacit-cli circuit tree-update — the tree-update circuit (include/tacit/treeupdate.h;
 * docs/protocol.md 7) as data, and its proofs.
 *
 *   tacit-cli circuit tree-update export-r1cs <out.r1cs> [--depth D] [--max-leaves M]
 *   tacit-cli circuit tree-update info [--depth D] [--max-leaves M]
 *   tacit-cli circuit tree-update witness <out.wtns> [--depth D] [--max-leaves M] [--seed HEX64]
 *                                         [--start S] [--count K]
 *   tacit-cli circuit tree-update example --keys <dir> --out <dir> [--depth D] [--seed HEX64]
 *                                         [--start S] [--count K] [--threads T]
 *   tacit-cli circuit tree-update prove --keys <dir> --statement <file.json> --out <dir>
 *                                       [--threads T]
 *
 * The keys are <dir>/tree_update.zkey (`tacit-cli setup --circuit tree-update`, or a ceremony's
 * key of that name); M is read from the key (its public inputs less 4), the depth is found from
 * its variables unless --depth says it.
 *
 * A statement file (what `example` writes as statement.json, `prove` reads):
 *   {"depth": D, "start": s, "frontier": [F_0, ..., F_D], "leaves": [leaf_0, ..., leaf_{k-1}]}
 * with field elements as decimal strings; F_l is the old tree's frontier node of level l
 * (include/tacit/tree.h), "0" where bit l of s is clear.
 *
 * Exit status: 0 done, 1 failure (the reason on stderr), 2 bad usage or unreadable input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
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
        "usage: tacit-cli circuit tree-update export-r1cs <out.r1cs> [--depth D] [--max-leaves M]\n"
        "       tacit-cli circuit tree-update info [--depth D] [--max-leaves M]\n"
        "       tacit-cli circuit tree-update witness <out.wtns> [--depth D] [--max-leaves M]\n"
        "                                     [--seed HEX64] [--start S] [--count K]\n"
        "       tacit-cli circuit tree-update example --keys <dir> --out <dir> [--depth D]\n"
        "                                     [--seed HEX64] [--start S] [--count K] [--threads "
        "T]\n"
        "       tacit-cli circuit tree-update prove --keys <dir> --statement <file.json> --out "
        "<dir>\n"
        "                                     [--threads T]\n"
        "\n"
        "The tree-update circuit: appending k <= M leaves at index s to the note tree (depth D)\n"
        "whose root is R_old gives R_new. Public inputs: R_old, R_new, s, k, then M leaves\n"
        "(those past k are 0). D is 1..32 (default 32: the chain's), M 1..%u (default %u).\n"
        "\n"
        "export-r1cs  writes the constraint system as an iden3 .r1cs (for `snarkjs groth16\n"
        "             setup`, a real ceremony) and prints its counts\n"
        "info         prints the counts\n"
        "witness      writes the witness (.wtns) of a random valid statement and prints its\n"
        "             public inputs in decimal, one per line; --start and --count fix s and k,\n"
        "             --seed (64 hex digits) the rest\n"
        "example      proves a random valid statement (as witness) with <keys>/%s\n"
        "             (`tacit-cli setup --circuit tree-update --out <keys>`), checks the proof\n"
        "             (nothing is written if it fails) and writes <out>/proof.json,\n"
        "             public.json, verification_key.json and statement.json\n"
        "prove        the same for the statement in <file.json>:\n"
        "             {\"depth\": D, \"start\": s, \"frontier\": [F_0 .. F_D], \"leaves\": [...]}\n"
        "             (decimal strings; F_l the old tree's frontier node of level l, \"0\" where\n"
        "             bit l of s is clear)\n"
        "\n"
        "Each of example and prove prints `depth`, `max_leaves`, `start`, `count`, `root_old`\n"
        "and `root_new` lines. Check a proof with `tacit-cli groth16 verify`.\n",
        TACIT_TREEUPDATE_MAX_LEAVES_LIMIT, TACIT_TREEUPDATE_MAX_LEAVES, TACIT_CLI_TREEUPDATE_ZKEY);
}

static bool is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }

/* ------------------------------------------------------------------ options ---- */

enum { O_SHAPE = 1, O_STATEMENT = 2, O_KEYS = 4, O_FILE = 8 };

struct opts {
    unsigned depth, max_leaves, threads;
    bool have_depth, have_max_leaves, have_seed;
    uint8_t seed[32];
    uint64_t start, count; /* UINT64_MAX: drawn */
    const char *keys, *out, *statement;
};

static int parse_u64(uint64_t *v, const char *s, uint64_t lo, uint64_t hi, const char *opt,
                     const char *cmd)
{
    char *end;
    unsigned long long x;
    errno = 0;
    x = strtoull(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || x < lo || x > hi) {
        fprintf(stderr, "tacit-cli circuit tree-update %s: %s wants %llu..%llu, got \"%s\"\n", cmd,
                opt, (unsigned long long)lo, (unsigned long long)hi, s);
        return EXIT_USAGE;
    }
    *v = x;
    return 0;
}

static int parse_seed(uint8_t seed[32], const char *h, const char *cmd)
{
    if (strlen(h) != 64 || sodium_hex2bin(seed, 32, h, 64, NULL, NULL, NULL) != 0) {
        fprintf(stderr, "tacit-cli circuit tree-update %s: --seed wants 64 hex digits\n", cmd);
        return EXIT_USAGE;
    }
    return 0;
}

/* Options of argv[from..]; `allowed` says which groups this subcommand takes. */
static int parse_opts(struct opts *o, int argc, char **argv, int from, unsigned allowed,
                      const char *cmd)
{
    memset(o, 0, sizeof *o);
    o->depth = TACIT_TREEUPDATE_DEPTH;
    o->max_leaves = TACIT_TREEUPDATE_MAX_LEAVES;
    o->start = o->count = UINT64_MAX;
    for (int i = from; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t x;
        int st = 0;
        if (v == NULL) goto unexpected;
        if ((allowed & O_SHAPE) && strcmp(a, "--depth") == 0) {
            st = parse_u64(&x, v, 1, TACIT_TREE_DEPTH, a, cmd);
            o->depth = (unsigned)x;
            o->have_depth = true;
        } else if ((allowed & O_SHAPE) && !(allowed & O_KEYS) && strcmp(a, "--max-leaves") == 0) {
            st = parse_u64(&x, v, 1, TACIT_TREEUPDATE_MAX_LEAVES_LIMIT, a, cmd);
            o->max_leaves = (unsigned)x;
            o->have_max_leaves = true;
        } else if ((allowed & O_STATEMENT) && strcmp(a, "--seed") == 0) {
            st = parse_seed(o->seed, v, cmd);
            o->have_seed = true;
        } else if ((allowed & O_STATEMENT) && strcmp(a, "--start") == 0) {
            st = parse_u64(&o->start, v, 0, TACIT_TREE_MAX_LEAVES, a, cmd);
        } else if ((allowed & O_STATEMENT) && strcmp(a, "--count") == 0) {
            st = parse_u64(&o->count, v, 0, TACIT_TREEUPDATE_MAX_LEAVES_LIMIT, a, cmd);
        } else if ((allowed & O_KEYS) && strcmp(a, "--keys") == 0) {
            o->keys = v;
        } else if ((allowed & O_KEYS) && strcmp(a, "--out") == 0) {
            o->out = v;
        } else if ((allowed & O_KEYS) && strcmp(a, "--threads") == 0) {
            st = parse_u64(&x, v, 0, 64, a, cmd);
            o->threads = (unsigned)x;
        } else if ((allowed & O_FILE) && strcmp(a, "--statement") == 0) {
            o->statement = v;
        } else {
            goto unexpected;
        }
        if (st != 0) return st;
        continue;
    unexpected:
        fprintf(stderr, "tacit-cli circuit tree-update %s: unexpected argument \"%s\"\n\n", cmd, a);
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((allowed & O_KEYS) && (o->keys == NULL || o->out == NULL)) {
        fprintf(stderr, "tacit-cli circuit tree-update %s: needs --keys <dir> and --out <dir>\n",
                cmd);
        return EXIT_USAGE;
    }
    if ((allowed & O_FILE) && o->statement == NULL) {
        fprintf(stderr, "tacit-cli circuit tree-update %s: needs --statement <file.json>\n", cmd);
        return EXIT_USAGE;
    }
    return 0;
}

static void print_dec(const char *name, const tacit_fr *v)
{
    uint64_t l[4];
    char dec[79];
    tacit_fr_to_limbs(l, v);
    tacit_u256_to_dec(dec, l);
    if (name != NULL)
        printf("%s %s\n", name, dec);
    else
        printf("%s\n", dec);
}

/* ------------------------------------------------------- export-r1cs, info ---- */

static int counts(int argc, char **argv, bool export)
{
    const char *cmd = export ? "export-r1cs" : "info";
    struct opts o;
    tacit_r1cs r;
    int rc, st, from = export ? 2 : 1;

    if (argc >= 2 && is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (export && (argc < 2 || argv[1][0] == '-')) {
        fprintf(stderr, "tacit-cli circuit tree-update export-r1cs: missing <out.r1cs>\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((st = parse_opts(&o, argc, argv, from, O_SHAPE, cmd)) != 0) return st;
    if ((rc = tacit_treeupdate_build(&r, NULL, NULL, NULL, o.depth, o.max_leaves)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit tree-update %s: building the circuit: %s\n", cmd,
                tacit_strerror(rc));
        return EXIT_FAIL;
    }
    if (export && (rc = tacit_r1cs_write_file(argv[1], &r)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit tree-update export-r1cs: %s: %s\n", argv[1],
                tacit_strerror(rc));
        tacit_r1cs_clear(&r);
        return EXIT_FAIL;
    }
    printf("depth %u\nmax_leaves %u\n", o.depth, o.max_leaves);
    tacit_cli_print_r1cs_counts(&r, NULL);
    tacit_r1cs_clear(&r);
    return 0;
}

static int export_r1cs(int argc, char **argv) { return counts(argc, argv, true); }
static int info(int argc, char **argv) { return counts(argc, argv, false); }

/* ------------------------------------------------------------------ witness ---- */

/* The example statement of o (leaves: max_leaves entries). */
static int example_statement(struct tacit_treeupdate *u, tacit_fr *leaves, const struct opts *o,
                             const char *cmd)
{
    int rc = tacit_treeupdate_example(u, leaves, o->depth, o->max_leaves, o->start, o->count,
                                      o->have_seed ? o->seed : NULL);
    if (rc != TACIT_OK)
        fprintf(stderr, "tacit-cli circuit tree-update %s: --start %lld --count %lld: %s\n", cmd,
                o->start == UINT64_MAX ? -1LL : (long long)o->start,
                o->count == UINT64_MAX ? -1LL : (long long)o->count, tacit_strerror(rc));
    return rc;
}

static int witness(int argc, char **argv)
{
    struct opts o;
    struct tacit_treeupdate u;
    tacit_fr *leaves = NULL, *w = NULL;
    uint32_t n = 0;
    int rc, st;

    if (argc >= 2 && is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "tacit-cli circuit tree-update witness: missing <out.wtns>\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((st = parse_opts(&o, argc, argv, 2, O_SHAPE | O_STATEMENT, "witness")) != 0) return st;
    if ((leaves = calloc(o.max_leaves, sizeof *leaves)) == NULL) {
        fprintf(stderr, "tacit-cli circuit tree-update witness: %s\n",
                tacit_strerror(TACIT_ENOMEM));
        return EXIT_FAIL;
    }
    st = EXIT_FAIL;
    if (example_statement(&u, leaves, &o, "witness") != TACIT_OK) goto out;
    if ((rc = tacit_treeupdate_build(NULL, &w, &n, &u, o.depth, o.max_leaves)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit tree-update witness: %s\n", tacit_strerror(rc));
        goto out;
    }
    if ((rc = tacit_wtns_write_file(argv[1], w, n)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit tree-update witness: %s: %s\n", argv[1],
                tacit_strerror(rc));
        goto out;
    }
    for (unsigned i = 1; i <= TACIT_TREEUPDATE_NPUBLIC(o.max_leaves); i++) print_dec(NULL, &w[i]);
    st = 0;
out:
    tacit_witness_free(w, n);
    free(leaves);
    return st;
}

/* ------------------------------------------------------- statement files ---- */

static int fr_from_json(tacit_fr *r, const json_t *v)
{
    uint64_t l[4];
    if (!json_is_string(v) || tacit_u256_from_dec(l, json_string_value(v)) != TACIT_OK)
        return TACIT_EENCODING;
    return tacit_fr_from_limbs(r, l);
}

static json_t *fr_to_json(const tacit_fr *v)
{
    uint64_t l[4];
    char dec[79];
    tacit_fr_to_limbs(l, v);
    tacit_u256_to_dec(dec, l);
    return json_string(dec);
}

/* Reads a statement file into u (leaves: max_leaves entries), checking its depth against
 * *depth (or setting it, when have_depth is false). Returns 0, or EXIT_USAGE after saying why. */
static int statement_read(struct tacit_treeupdate *u, tacit_fr *leaves, unsigned *depth,
                          bool have_depth, unsigned max_leaves, const char *path)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), *d, *s, *f, *lv;
    const char *why = NULL;
    size_t i;

    memset(u, 0, sizeof *u);
    if (j == NULL) {
        fprintf(stderr, "tacit-cli circuit tree-update prove: %s:%d: %s\n", path, jerr.line,
                jerr.text);
        return EXIT_USAGE;
    }
    d = json_object_get(j, "depth");
    s = json_object_get(j, "start");
    f = json_object_get(j, "frontier");
    lv = json_object_get(j, "leaves");
    if (!json_is_integer(d) || json_integer_value(d) < 1 ||
        json_integer_value(d) > TACIT_TREE_DEPTH) {
        why = "\"depth\" must be an integer 1..32";
    } else if (have_depth && (unsigned)json_integer_value(d) != *depth) {
        why = "\"depth\" is not the key's depth";
    } else if (!json_is_integer(s) || json_integer_value(s) < 0 ||
               (uint64_t)json_integer_value(s) > (UINT64_C(1) << json_integer_value(d))) {
        why = "\"start\" must be an integer 0..2^depth";
    } else if (!json_is_array(f) || json_array_size(f) != (size_t)json_integer_value(d) + 1) {
        why = "\"frontier\" must be an array of depth + 1 decimal strings";
    } else if (!json_is_array(lv)) {
        why = "\"leaves\" must be an array of decimal strings";
    } else if (json_array_size(lv) > max_leaves) {
        why = "more \"leaves\" than the key's M";
    }
    if (why == NULL) {
        *depth = (unsigned)json_integer_value(d);
        u->old.size = (uint64_t)json_integer_value(s);
        for (i = 0; i < json_array_size(f) && why == NULL; i++)
            if (fr_from_json(&u->old.node[i], json_array_get(f, i)) != TACIT_OK)
                why = "a \"frontier\" entry is not a decimal field element";
        for (i = 0; i < json_array_size(lv) && why == NULL; i++)
            if (fr_from_json(&leaves[i], json_array_get(lv, i)) != TACIT_OK)
                why = "a \"leaves\" entry is not a decimal field element";
        u->leaves = leaves;
        u->count = json_array_size(lv);
    }
    json_decref(j);
    if (why != NULL) {
        fprintf(stderr, "tacit-cli circuit tree-update prove: %s: %s\n", path, why);
        return EXIT_USAGE;
    }
    return 0;
}

static char *statement_json(const struct tacit_treeupdate *u, unsigned depth)
{
    json_t *j = json_object(), *f = json_array(), *lv = json_array();
    char *text = NULL;
    bool ok = j != NULL && f != NULL && lv != NULL;

    for (unsigned l = 0; ok && l <= depth; l++)
        ok = json_array_append_new(
                 f, fr_to_json((u->old.size >> l) & 1 ? &u->old.node[l] : &TACIT_FR_ZERO)) == 0;
    for (size_t i = 0; ok && i < u->count; i++)
        ok = json_array_append_new(lv, fr_to_json(&u->leaves[i])) == 0;
    if (ok && json_object_set_new(j, "depth", json_integer(depth)) == 0 &&
        json_object_set_new(j, "start", json_integer((json_int_t)u->old.size)) == 0 &&
        json_object_set(j, "frontier", f) == 0 && json_object_set(j, "leaves", lv) == 0)
        text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(f);
    json_decref(lv);
    json_decref(j);
    return text;
}

/* ------------------------------------------------------- example, prove ---- */

/* The depth whose tree-update circuit with m leaves has nvars variables, or 0. */
static unsigned detect_depth(uint32_t nvars, unsigned m)
{
    for (unsigned d = 1; d <= TACIT_TREE_DEPTH; d++) {
        tacit_fr *w = NULL;
        uint32_t n = 0;
        if (tacit_treeupdate_build(NULL, &w, &n, NULL, d, m) != TACIT_OK) return 0;
        tacit_witness_free(w, n);
        if (n == nvars) return d;
        if (n > nvars) return 0; /* nvars grows with the depth */
    }
    return 0;
}

/* The key of o->keys and its shape (o->max_leaves from it, o->depth found unless given). */
static int read_key(tacit_groth16_pk **pk, struct opts *o, const char *cmd)
{
    char path[4096];
    int rc;

    snprintf(path, sizeof path, "%s/%s", o->keys, TACIT_CLI_TREEUPDATE_ZKEY);
    if ((rc = tacit_groth16_pk_read_file(pk, path)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli circuit tree-update %s: %s: %s\n", cmd, path,
                tacit_strerror(rc));
        return rc == TACIT_ENOENT || rc == TACIT_EIO ? EXIT_USAGE : EXIT_FAIL;
    }
    if ((*pk)->npublic < TACIT_TREEUPDATE_NPUBLIC(1) ||
        (*pk)->npublic > TACIT_TREEUPDATE_NPUBLIC(TACIT_TREEUPDATE_MAX_LEAVES_LIMIT)) {
        fprintf(stderr,
                "tacit-cli circuit tree-update %s: %s has %u public inputs: not a "
                "tree-update key\n",
                cmd, path, (*pk)->npublic);
        return EXIT_FAIL;
    }
    o->max_leaves = (*pk)->npublic - TACIT_TREEUPDATE_NPUBLIC(0);
    if (!o->have_depth && (o->depth = detect_depth((*pk)->nvars, o->max_leaves)) == 0) {
        fprintf(stderr,
                "tacit-cli circuit tree-update %s: %s has %u variables, which matches the "
                "tree-update circuit with M = %u at no depth 1..%d: not a tree-update key\n",
                cmd, path, (*pk)->nvars, o->max_leaves, TACIT_TREE_DEPTH);
        return EXIT_FAIL;
    }
    return 0;
}

/* Proves u under pk, checks the proof under pk's own verifying key, then writes out/. */
static int prove_and_write(const tacit_groth16_pk *pk, const struct tacit_treeupdate *u,
                           const struct opts *o, bool write_statement, const char *cmd)
{
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_groth16_proof proof;
    unsigned np = TACIT_TREEUPDATE_NPUBLIC(o->max_leaves);
    tacit_fr *pub = calloc(np, sizeof *pub);
    char where[32], what[64];
    int rc, st = EXIT_FAIL;

    snprintf(what, sizeof what, "circuit tree-update %s", cmd);
    if (pub == NULL) {
        fprintf(stderr, "tacit-cli %s: %s\n", what, tacit_strerror(TACIT_ENOMEM));
        return EXIT_FAIL;
    }
    rc = tacit_treeupdate_prove(&proof, pub, pk, u, o->depth, o->max_leaves, o->threads, NULL);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-cli %s: %s%s\n", what, tacit_strerror(rc),
                rc == TACIT_EWITNESS ? " (the key is for another depth: try without --depth)" : "");
        goto out;
    }
    where[0] = '\0';
    if ((rc = tacit_groth16_pk_vk(&vk, pk)) != TACIT_OK ||
        (rc = tacit_groth16_pvk_new(&pvk, vk, where)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli %s: the key's verifying key: %s%s%s\n", what, tacit_strerror(rc),
                where[0] ? " at " : "", where);
        goto out;
    }
    if ((rc = tacit_groth16_verify_var(pvk, &proof, pub, np)) != TACIT_OK) {
        fprintf(stderr,
                "tacit-cli %s: the proof does not verify under the key's own verifying "
                "key (%s): the key is not the tree-update circuit at depth %u; nothing written\n",
                what, tacit_strerror(rc), o->depth);
        goto out;
    }
    if (mkdir(o->out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "tacit-cli %s: cannot create %s\n", what, o->out);
        goto out;
    }
    if (tacit_cli_write_text(o->out, "proof.json", tacit_groth16_proof_to_json(&proof), what) !=
            0 ||
        tacit_cli_write_text(o->out, "public.json", tacit_groth16_public_to_json(pub, np), what) !=
            0 ||
        tacit_cli_write_text(o->out, "verification_key.json", tacit_groth16_vk_to_json(vk), what) !=
            0 ||
        (write_statement &&
         tacit_cli_write_text(o->out, "statement.json", statement_json(u, o->depth), what) != 0))
        goto out;
    printf("depth %u\nmax_leaves %u\nstart %llu\ncount %zu\n", o->depth, o->max_leaves,
           (unsigned long long)u->old.size, u->count);
    print_dec("root_old", &pub[TACIT_TREEUPDATE_PUB_ROOT_OLD]);
    print_dec("root_new", &pub[TACIT_TREEUPDATE_PUB_ROOT_NEW]);
    st = 0;
out:
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    free(pub);
    return st;
}

static int example_or_prove(int argc, char **argv, bool from_file)
{
    const char *cmd = from_file ? "prove" : "example";
    struct opts o;
    struct tacit_treeupdate u;
    tacit_groth16_pk *pk = NULL;
    tacit_fr *leaves = NULL;
    int st;

    if (argc >= 2 && is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    st = parse_opts(&o, argc, argv, 1, O_KEYS | (from_file ? O_FILE : O_STATEMENT | O_SHAPE), cmd);
    if (st != 0) return st;
    if ((st = read_key(&pk, &o, cmd)) != 0) goto out;
    st = EXIT_FAIL;
    if ((leaves = calloc(o.max_leaves, sizeof *leaves)) == NULL) {
        fprintf(stderr, "tacit-cli circuit tree-update %s: %s\n", cmd,
                tacit_strerror(TACIT_ENOMEM));
        goto out;
    }
    if (from_file) {
        if ((st = statement_read(&u, leaves, &o.depth, true, o.max_leaves, o.statement)) != 0)
            goto out;
    } else if (example_statement(&u, leaves, &o, cmd) != TACIT_OK) {
        goto out;
    }
    st = prove_and_write(pk, &u, &o, !from_file, cmd);
out:
    free(leaves);
    tacit_groth16_pk_free(pk);
    return st;
}

static int example(int argc, char **argv) { return example_or_prove(argc, argv, false); }
static int prove(int argc, char **argv) { return example_or_prove(argc, argv, true); }

static const struct tacit_cli_command subcommands[] = {
    {"export-r1cs", export_r1cs, "write the circuit as an iden3 .r1cs file"},
    {"info", info, "print the circuit's counts"},
    {"witness", witness, "write the witness of a random valid statement (.wtns)"},
    {"example", example, "prove a random valid statement: proof.json + public.json"},
    {"prove", prove, "prove a statement file: proof.json + public.json"},
};

int cmd_circuit_treeupdate(int argc, char **argv)
{
    return tacit_cli_dispatch(subcommands, sizeof subcommands / sizeof subcommands[0], argc, argv,
                              usage, "circuit tree-update");
}
