/*
 * tacit — `tacit-bench mempool [--pending N] [--block M] [--reps R]`: the mempool's re-check
 * after a block (issue 16: 48,000 pending, ≈ 100 ms on the loop before).
 *
 * A store (no fsync) with a funded pool; N pending transfers anchored at its root (half pay a
 * fee, so they draw on the pool: the turnstile), all valid; then a block that includes M of
 * them (their nullifiers spent, the pool paying their fees). Timed, median of R, each on a
 * fresh copy of the pool (tacit_mempool_dump / _restore, not timed):
 *   - per tx, a view    what tacitd did before: tacit_tx_check_state_store for every pending tx
 *                       (a read transaction each), on the loop;
 *   - full, one view    tacit_mempool_after_block: every tx over one read transaction;
 *   - delta: read       tacit_mempool_delta_make, on the block lane (off the loop);
 *   - delta: loop       tacit_mempool_after_block_delta, what the loop does now.
 * Every path must keep N - M txs (none of the others is invalid): checked.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "node/mempool.h"
#include "tacit/chain.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/state.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void rand_fr(tacit_fr *f)
{
    uint8_t w[64];
    randombytes_buf(w, sizeof w);
    tacit_fr_from_wide(f, w);
}

static int apply(struct tacit_state *st, uint64_t h, const tacit_fr *nfs, size_t nnf,
                 const struct tacit_account_delta *d, size_t nd)
{
    struct tacit_block_update u;
    tacit_fr cms[2];
    uint8_t block[16];
    memset(&u, 0, sizeof u);
    rand_fr(&cms[0]);
    rand_fr(&cms[1]);
    randombytes_buf(block, sizeof block);
    randombytes_buf(u.hash, 32);
    u.height = h;
    u.block = block;
    u.block_len = sizeof block;
    u.commitments = cms;
    u.ncommitments = 2;
    u.nullifiers = nfs;
    u.nnullifiers = nnf;
    u.deltas = d;
    u.ndeltas = nd;
    return tacit_state_apply_block(st, &u, NULL, NULL);
}

int bench_mempool(int argc, char **argv)
{
    size_t npend = 48000, nblock = 1000, reps = 5;
    char dir[4096] = "";
    struct tacit_state_options o;
    struct tacit_state *st = NULL;
    struct tacit_state_tip tip;
    struct tacit_mempool *mp = NULL;
    struct tacit_mempool_limits lim = {1000000, (size_t)64 << 30};
    struct tacit_tx *txs = NULL;
    const struct tacit_tx **btx = NULL;
    uint8_t(*ids)[32] = NULL, *dump = NULL, *enc = NULL;
    tacit_fr *nfs = NULL;
    double *t[4] = {NULL, NULL, NULL, NULL};
    size_t dlen = 0;
    int ret = 1;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--pending") == 0)
            npend = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--block") == 0)
            nblock = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--reps") == 0)
            reps = strtoul(argv[i + 1], NULL, 10);
    }
    if (nblock > npend || reps == 0 || npend == 0) {
        fprintf(stderr, "usage: tacit-bench mempool [--pending N] [--block M <= N] [--reps R]\n");
        return 2;
    }
    if (sodium_init() < 0 || bench_store_dir(dir, sizeof dir) != 0) return 1;
    tacit_state_options_init(&o);
    o.chain_id = 7;
    o.flags = TACIT_STATE_NOSYNC;
    txs = calloc(npend, sizeof *txs);
    btx = calloc(nblock + 1, sizeof *btx);
    ids = calloc(nblock + 1, sizeof *ids);
    nfs = calloc(2 * nblock + 1, sizeof *nfs);
    enc = malloc(TACIT_TX_BYTES);
    for (int k = 0; k < 4; k++) t[k] = calloc(reps, sizeof(double));
    if (txs == NULL || btx == NULL || ids == NULL || nfs == NULL || enc == NULL || t[3] == NULL ||
        tacit_state_open(&st, dir, &o) != TACIT_OK || tacit_mempool_new(&mp, &lim) != TACIT_OK)
        goto out;
    {
        struct tacit_account_delta fund = {.credit = 1u << 30};
        memcpy(fund.address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN);
        if (apply(st, 0, NULL, 0, &fund, 1) != TACIT_OK || tacit_state_tip(st, &tip) != TACIT_OK)
            goto out;
    }
    for (size_t i = 0; i < npend; i++) {
        uint8_t id[32];
        struct tacit_tx *x = &txs[i];
        x->version = TACIT_TX_VERSION;
        x->chain_id = 7;
        for (int k = 0; k < TACIT_TX_NPUBLIC; k++) rand_fr(&x->pub[k]);
        x->pub[TACIT_TRANSFER_PUB_ROOT] = tip.digests.note_root;
        x->ext.fee = i & 1;
        tacit_tx_encode(enc, x);
        tacit_tx_id(id, x);
        if (tacit_mempool_add(mp, x, id, enc, 0, NULL, NULL) != TACIT_OK) goto out;
        if (i < nblock) {
            memcpy(ids[i], id, 32);
            btx[i] = x;
            nfs[2 * i] = x->pub[TACIT_TRANSFER_PUB_NF0];
            nfs[2 * i + 1] = x->pub[TACIT_TRANSFER_PUB_NF1];
        }
    }
    if (tacit_mempool_dump(mp, &dump, &dlen) != TACIT_OK) goto out;
    tacit_mempool_flush(mp, TACIT_OK, NULL, NULL);
    {
        struct tacit_account_delta fees = {.debit = nblock / 2};
        memcpy(fees.address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN);
        if (apply(st, 1, nfs, 2 * nblock, &fees, 1) != TACIT_OK) goto out;
    }
    printf("mempool re-check after a block: %zu pending, %zu of them in the block, %zu reps "
           "(median)\n",
           npend, nblock, reps);
    for (size_t r = 0; r < reps; r++) {
        struct tacit_mempool_delta d;
        size_t valid = 0;
        double t0;

        /* before: a view per tx */
        if (tacit_mempool_restore(mp, dump, dlen, NULL) != TACIT_OK) goto out;
        t0 = now_ms();
        for (size_t i = 0; i < nblock; i++)
            (void)tacit_mempool_remove(mp, ids[i], TACIT_OK, NULL, NULL);
        for (size_t i = nblock; i < npend; i++)
            valid += tacit_tx_check_state_store(st, &txs[i]) == TACIT_OK;
        t[0][r] = now_ms() - t0;
        if (valid != npend - nblock) goto wrong;

        /* every tx over one view */
        tacit_mempool_flush(mp, TACIT_OK, NULL, NULL);
        if (tacit_mempool_restore(mp, dump, dlen, NULL) != TACIT_OK) goto out;
        t0 = now_ms();
        if (tacit_mempool_after_block(mp, (const uint8_t(*)[32])ids, nblock, st, NULL, NULL) !=
            TACIT_OK)
            goto out;
        t[1][r] = now_ms() - t0;
        if (tacit_mempool_count(mp) != npend - nblock) goto wrong;

        /* the delta: read (block lane), then applied (loop) */
        tacit_mempool_flush(mp, TACIT_OK, NULL, NULL);
        if (tacit_mempool_restore(mp, dump, dlen, NULL) != TACIT_OK) goto out;
        t0 = now_ms();
        if (tacit_mempool_delta_make(&d, st, btx, nblock) != TACIT_OK) goto out;
        t[2][r] = now_ms() - t0;
        t0 = now_ms();
        if (tacit_mempool_after_block_delta(mp, (const uint8_t(*)[32])ids, nblock, &d, st, NULL,
                                            NULL) != TACIT_OK) {
            tacit_mempool_delta_clear(&d);
            goto out;
        }
        t[3][r] = now_ms() - t0;
        tacit_mempool_delta_clear(&d);
        if (tacit_mempool_count(mp) != npend - nblock) goto wrong;
        tacit_mempool_flush(mp, TACIT_OK, NULL, NULL);
    }
    for (int k = 0; k < 4; k++) qsort(t[k], reps, sizeof(double), cmp_double);
    printf("  per tx, a view (before)    %8.2f ms  on the loop\n", t[0][reps / 2]);
    printf("  full, one view             %8.2f ms  on the loop (rollbacks, dev_revert)\n",
           t[1][reps / 2]);
    printf("  delta: read                %8.2f ms  on the block lane\n", t[2][reps / 2]);
    printf("  delta: re-check            %8.2f ms  on the loop (after each block)\n",
           t[3][reps / 2]);
    ret = 0;
    goto out;
wrong:
    fprintf(stderr, "mempool: a path dropped a valid tx\n");
out:
    for (int k = 0; k < 4; k++) free(t[k]);
    free(dump);
    free(enc);
    free(nfs);
    free(ids);
    free(btx);
    free(txs);
    tacit_mempool_free(mp);
    tacit_state_close(st);
    bench_store_dir_remove(dir);
    return ret;
}
