/*
 * tacit — Groth16 benchmarks.
 *
 *   bench_crypto_groth16()   the Groth16 part of `tacit-bench crypto`: single verify of a
 *                            7-public-input proof, batch verify per proof at N = 16, 256
 *   tacit-bench verify <vk.json> <public.json> <proof.json>
 *                            median verify time of the given files, one machine-readable line
 *   tacit-bench synth7 <dir> writes a synthetic 7-input key, proof and public inputs
 *
 * The 7-input proof is synthetic (src/zk/groth16_synth.c: a key made from a known
 * trapdoor), but the verifier cannot tell: the same equation holds and every check runs.
 * Parsing is excluded from the timings; every validity check (on-curve, infinity, the
 * G2 subgroup check of B, public-input count) is included.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "zk/groth16_synth.h"

#define NPUB 7
#define NMAX 256

static const uint8_t bench_seed[32] = {'t', 'a', 'c', 'i', 't', '-', 'b', 'e', 'n', 'c', 'h'};

struct single_arg {
    const tacit_groth16_pvk *pvk;
    const tacit_groth16_proof *proof;
    const tacit_fr *pub;
    size_t npub;
    int rc;
};

static void run_verify(void *p)
{
    struct single_arg *a = p;
    a->rc |= tacit_groth16_verify_var(a->pvk, a->proof, a->pub, a->npub);
}

static void run_check(void *p)
{
    struct single_arg *a = p;
    a->rc |= tacit_groth16_proof_check_var(a->proof);
}

struct batch_arg {
    const tacit_groth16_pvk *pvk;
    const tacit_groth16_item *items;
    int *results;
    size_t n;
    int rc;
};

static void run_batch(void *p)
{
    struct batch_arg *a = p;
    a->rc |= tacit_groth16_verify_batch_var(a->results, a->pvk, a->items, a->n);
}

int bench_crypto_groth16(void)
{
    tacit__groth16_trapdoor *td;
    tacit_groth16_vk *vk;
    tacit_groth16_pvk *pvk = NULL;
    static tacit_groth16_proof proofs[NMAX];
    static tacit_fr pubs[NMAX][NPUB];
    static tacit_groth16_item items[NMAX];
    static int results[NMAX];
    struct single_arg sa;
    struct batch_arg ba;
    int rc, status = 1;
    double ns;

    if ((rc = tacit__groth16_synth_setup(&td, &vk, NPUB, bench_seed)) != TACIT_OK) {
        fprintf(stderr, "groth16 bench: synth setup: %s\n", tacit_strerror(rc));
        return 1;
    }
    if ((rc = tacit_groth16_pvk_new(&pvk, vk, NULL)) != TACIT_OK) {
        fprintf(stderr, "groth16 bench: prepare key: %s\n", tacit_strerror(rc));
        goto out;
    }
    /* NMAX distinct proofs for distinct public inputs */
    for (size_t i = 0; i < NMAX; i++) {
        uint8_t seed[32];
        memcpy(seed, bench_seed, sizeof seed);
        seed[24] = (uint8_t)i;
        seed[25] = (uint8_t)(i >> 8);
        tacit__groth16_synth_inputs(pubs[i], NPUB, seed);
        tacit__groth16_synth_prove(&proofs[i], td, pubs[i], seed);
        items[i] = (tacit_groth16_item){&proofs[i], pubs[i], NPUB};
    }

    sa = (struct single_arg){pvk, &proofs[0], pubs[0], NPUB, TACIT_OK};
    ns = tacit_bench_median_ns(run_verify, &sa, 20, 11);
    if (sa.rc != TACIT_OK) {
        fprintf(stderr, "groth16 bench: the synthetic proof did not verify: %s\n",
                tacit_strerror(sa.rc));
        goto out;
    }
    tacit_bench_report_anchor("groth16 verify, 7 public inputs", ns,
                              "mcl JIT 744 us (1 input), 973 (16), both without the G2 "
                              "subgroup check; target 900, stretch 700");

    ns = tacit_bench_median_ns(run_check, &sa, 50, 11);
    tacit_bench_report_anchor("  separate B-in-G2 test (not in verify)", ns,
                              "mcl order check 138 us; constantine 65 us");

    for (size_t n = 16; n <= NMAX; n *= 16) {
        char name[64];
        ba = (struct batch_arg){pvk, items, results, n, TACIT_OK};
        ns = tacit_bench_median_ns(run_batch, &ba, n < 64 ? 4 : 1, 11);
        if (ba.rc != TACIT_OK) {
            fprintf(stderr, "groth16 bench: batch of %zu did not verify\n", n);
            goto out;
        }
        snprintf(name, sizeof name, "groth16 batch verify per proof, N = %zu", n);
        tacit_bench_report_anchor(name, ns / (double)n,
                                  n == NMAX ? "mcl JIT 194 us (N = 128, 4 inputs, no subgroup "
                                              "check); target 300"
                                            : NULL);
    }
    status = 0;
out:
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit__groth16_trapdoor_free(td);
    return status;
}

/* ----------------------------------------------------- tacit-bench verify ---- */

static int load(char **buf, size_t *len, const char *path)
{
    int rc = tacit_groth16_read_file(buf, len, path);
    if (rc != TACIT_OK) fprintf(stderr, "tacit-bench verify: %s: %s\n", path, tacit_strerror(rc));
    return rc;
}

int bench_verify(int argc, char **argv)
{
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_groth16_proof proof;
    tacit_fr *pub = NULL;
    size_t npub = 0, len;
    char *buf, where[TACIT_GROTH16_WHERE_MAX];
    struct single_arg sa;
    int rc, runs = 21, status = 2;
    double ns;

    if (argc == 6 && strcmp(argv[4], "--runs") == 0) {
        runs = atoi(argv[5]);
        argc = 4;
    }
    if (argc != 4 || runs < 1) {
        fprintf(stderr,
                "usage: tacit-bench verify <verification_key.json> <public.json> "
                "<proof.json> [--runs N]\n"
                "prints verify_median_us=<median of N rounds of verify, parsing excluded>\n");
        return 2;
    }
    if (load(&buf, &len, argv[1]) != TACIT_OK) return 2;
    rc = tacit_groth16_vk_from_json(&vk, buf, len, where);
    free(buf);
    if (rc == TACIT_OK) rc = tacit_groth16_pvk_new(&pvk, vk, where);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-bench verify: %s %s: %s\n", argv[1], where, tacit_strerror(rc));
        goto out;
    }
    if (load(&buf, &len, argv[2]) != TACIT_OK) goto out;
    rc = tacit_groth16_public_from_json(&pub, &npub, buf, len, where);
    free(buf);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-bench verify: %s %s: %s\n", argv[2], where, tacit_strerror(rc));
        goto out;
    }
    if (load(&buf, &len, argv[3]) != TACIT_OK) goto out;
    rc = tacit_groth16_proof_from_json(&proof, buf, len, where);
    free(buf);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-bench verify: %s %s: %s\n", argv[3], where, tacit_strerror(rc));
        goto out;
    }
    sa = (struct single_arg){pvk, &proof, pub, npub, TACIT_OK};
    run_verify(&sa);
    if (sa.rc != TACIT_OK) {
        fprintf(stderr, "tacit-bench verify: the proof does not verify: %s\n",
                tacit_strerror(sa.rc));
        status = 1;
        goto out;
    }
    ns = tacit_bench_median_ns(run_verify, &sa, 10, runs);
    printf("verify_median_us=%.1f\n", ns / 1e3);
    status = 0;
out:
    tacit_groth16_public_free(pub);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    return status;
}

/* ----------------------------------------------------- tacit-bench synth7 ---- */

int bench_synth7(int argc, char **argv)
{
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: tacit-bench synth7 <dir>\n"
                        "writes a synthetic (trapdoor, test-only) 7-public-input Groth16 key,\n"
                        "proof and public inputs as verification_key.json, proof.json and\n"
                        "public.json into <dir> (created if missing)\n");
        return 2;
    }
    if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "tacit-bench synth7: cannot create %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    if ((rc = tacit__groth16_synth_write(argv[1], NPUB, bench_seed)) != TACIT_OK) {
        fprintf(stderr, "tacit-bench synth7: %s: %s\n", argv[1], tacit_strerror(rc));
        return 1;
    }
    return 0;
}
