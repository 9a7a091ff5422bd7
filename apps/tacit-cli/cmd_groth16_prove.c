/*
 * tacit-cli groth16 export-vk / prove — the proving side of `tacit-cli groth16`
 * (dispatched from cmd_groth16.c).
 *
 *   tacit-cli groth16 export-vk <key.zkey> <verification_key.json>
 *   tacit-cli groth16 prove <key.zkey> <witness.wtns> <proof.json> <public.json> [--threads N]
 *
 * Both read a snarkjs .zkey (or one tacit wrote with `tacit-cli setup`); the arguments are
 * those of `snarkjs zkey export verificationkey` and `snarkjs groth16 prove`. prove loads the
 * key through its prepared cache <key.zkey>.tacitpk (written beside it the first time:
 * tacit_groth16_pk_load).
 * Exit status: 0 done, 1 the key or witness is invalid (the reason on stdout),
 * 2 unreadable or unwritable file, or bad usage (the message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "tacit/prover.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

static bool is_io(int rc)
{
    return rc == TACIT_ENOENT || rc == TACIT_EIO || rc == TACIT_ETOOBIG || rc == TACIT_ENOMEM;
}

/* Prints why path could not be used; returns the exit status. */
static int complain(const char *path, int rc)
{
    if (is_io(rc)) {
        fprintf(stderr, "tacit-cli groth16: %s: %s\n", path, tacit_strerror(rc));
        return EXIT_USAGE;
    }
    printf("%s: %s\n", path, tacit_strerror(rc));
    return EXIT_INVALID;
}

static int write_text(const char *path, char *text)
{
    FILE *f;
    int ok;
    if (text == NULL) {
        fprintf(stderr, "tacit-cli groth16: %s\n", tacit_strerror(TACIT_ENOMEM));
        return EXIT_USAGE;
    }
    ok = (f = fopen(path, "w")) != NULL && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f != NULL) ok = (fclose(f) == 0) && ok;
    free(text);
    if (!ok) {
        fprintf(stderr, "tacit-cli groth16: cannot write %s\n", path);
        return EXIT_USAGE;
    }
    return 0;
}

int cmd_groth16_export_vk(int argc, char **argv)
{
    tacit_groth16_pk *pk;
    tacit_groth16_vk *vk;
    int rc, status;

    if (argc != 3) {
        fprintf(stderr, "usage: tacit-cli groth16 export-vk <key.zkey> <verification_key.json>\n");
        return EXIT_USAGE;
    }
    if ((rc = tacit_groth16_pk_read_file(&pk, argv[1])) != TACIT_OK) return complain(argv[1], rc);
    rc = tacit_groth16_pk_vk(&vk, pk);
    tacit_groth16_pk_free(pk);
    if (rc != TACIT_OK) return complain(argv[1], rc);
    status = write_text(argv[2], tacit_groth16_vk_to_json(vk));
    tacit_groth16_vk_free(vk);
    return status;
}

/* The key through its prepared cache (tacit_groth16_pk_load); a cache that was there and
 * was refused is said on stderr (the key is read from the .zkey then, and the cache
 * written again). */
static int load_key(tacit_groth16_pk **pk, const char *path)
{
    tacit_groth16_pk_load_info info;
    int rc = tacit_groth16_pk_load(pk, path, &info);
    if (rc == TACIT_OK && info.refused != TACIT_PK_CACHE_NONE)
        fprintf(stderr, "tacit-cli groth16: %s.tacitpk: not used (%s): read %s instead%s\n", path,
                tacit_groth16_pk_cache_refusal(info.refused), path,
                info.result == TACIT_PK_LOADED_ZKEY_CACHED ? ", cache written again" : "");
    return rc;
}

int cmd_groth16_prove(int argc, char **argv)
{
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_proof proof;
    tacit_fr *w = NULL;
    size_t nw = 0;
    unsigned nthreads = 0;
    int rc, status;

    if (argc == 7 && strcmp(argv[5], "--threads") == 0) {
        char *end;
        unsigned long t = strtoul(argv[6], &end, 10);
        if (*end != '\0' || argv[6][0] == '\0' || t > 64) {
            fprintf(stderr, "tacit-cli groth16 prove: --threads wants 0..64\n");
            return EXIT_USAGE;
        }
        nthreads = (unsigned)t;
        argc = 5;
    }
    if (argc != 5) {
        fprintf(stderr, "usage: tacit-cli groth16 prove <key.zkey> <witness.wtns> <proof.json> "
                        "<public.json> [--threads N]\n");
        return EXIT_USAGE;
    }
    if ((rc = load_key(&pk, argv[1])) != TACIT_OK) return complain(argv[1], rc);
    if ((rc = tacit_wtns_read_file(&w, &nw, argv[2])) != TACIT_OK) {
        status = complain(argv[2], rc);
        goto out;
    }
    if ((rc = tacit_groth16_prove(&proof, pk, w, nw, nthreads, NULL)) != TACIT_OK) {
        if (rc == TACIT_EWITNESS)
            printf("%s: %s (%zu values, the key has %u variables)\n", argv[2], tacit_strerror(rc),
                   nw, pk->nvars);
        status = rc == TACIT_EWITNESS ? EXIT_INVALID : complain(argv[2], rc);
        goto out;
    }
    if ((status = write_text(argv[3], tacit_groth16_proof_to_json(&proof))) != 0) goto out;
    status = write_text(argv[4], tacit_groth16_public_to_json(w + 1, pk->npublic));
out:
    tacit_wtns_free(w, nw);
    tacit_groth16_pk_free(pk);
    return status;
}
