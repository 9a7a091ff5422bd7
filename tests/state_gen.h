/*
 * tacit — deterministic test blocks for the state tests (test_state.c, test_state_crash.c):
 * block h is a pure function of (seed, h, ntx), so a parent process can recompute what a
 * killed child committed. Every helper is marked unused: a test may take only some (test_settle.c
 * takes the temporary directory).
 */
#ifndef TACIT_TESTS_STATE_GEN_H
#define TACIT_TESTS_STATE_GEN_H

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tacit/state.h"

#define GEN_ADDRS 8
#define GEN_OUTPUT_LEN 40

struct gen_block {
    struct tacit_block_update u;
    struct tacit_state_tx *txs;
    uint8_t *txbytes;
    tacit_fr *cms, *nfs;
    struct tacit_state_bytes *outs;
    uint8_t *outbytes;
    struct tacit_account_delta deltas[3];
    uint8_t block[64];
};

__attribute__((unused)) static void gen_bytes(uint8_t *out, size_t len, uint64_t seed, uint64_t h,
                                              uint64_t i, uint8_t tag)
{
    uint8_t in[25];
    memcpy(in, &seed, 8);
    memcpy(in + 8, &h, 8);
    memcpy(in + 16, &i, 8);
    in[24] = tag;
    crypto_generichash(out, len, in, sizeof in, NULL, 0);
}

__attribute__((unused)) static void gen_fr(tacit_fr *r, uint64_t seed, uint64_t h, uint64_t i,
                                           uint8_t tag)
{
    uint8_t w[64];
    gen_bytes(w, 64, seed, h, i, tag);
    tacit_fr_from_wide(r, w);
}

__attribute__((unused)) static void gen_address(uint8_t addr[TACIT_ADDRESS_LEN], unsigned k)
{
    memset(addr, 0, TACIT_ADDRESS_LEN);
    addr[0] = 0xa0;
    addr[19] = (uint8_t)k;
}

/* Block h: ntx txs of 2 commitments and 2 nullifiers each, an encrypted output per commitment,
 * a credit, a debit (from height GEN_ADDRS on, when every address holds enough) and a nonce. */
__attribute__((unused)) static void gen_block_make(struct gen_block *b, uint64_t seed, uint64_t h,
                                                   size_t ntx)
{
    size_t ncm = 2 * ntx;
    memset(b, 0, sizeof *b);
    b->txs = calloc(ntx ? ntx : 1, sizeof *b->txs);
    b->txbytes = calloc(ntx ? ntx : 1, 16);
    b->cms = calloc(ncm ? ncm : 1, sizeof *b->cms);
    b->nfs = calloc(ncm ? ncm : 1, sizeof *b->nfs);
    b->outs = calloc(ncm ? ncm : 1, sizeof *b->outs);
    b->outbytes = calloc(ncm ? ncm : 1, GEN_OUTPUT_LEN);
    for (size_t i = 0; i < ntx; i++) {
        gen_bytes(b->txs[i].id, 32, seed, h, i, 't');
        gen_bytes(b->txbytes + 16 * i, 16, seed, h, i, 'b');
        b->txs[i].bytes = b->txbytes + 16 * i;
        b->txs[i].len = 16;
    }
    for (size_t i = 0; i < ncm; i++) {
        gen_fr(&b->cms[i], seed, h, i, 'c');
        gen_fr(&b->nfs[i], seed, h, i, 'n');
        gen_bytes(b->outbytes + GEN_OUTPUT_LEN * i, GEN_OUTPUT_LEN, seed, h, i, 'o');
        b->outs[i].data = b->outbytes + GEN_OUTPUT_LEN * i;
        b->outs[i].len = GEN_OUTPUT_LEN;
    }
    gen_address(b->deltas[0].address, (unsigned)(h % GEN_ADDRS));
    b->deltas[0].credit = 1000 + h;
    gen_address(b->deltas[1].address, (unsigned)((h + 3) % GEN_ADDRS));
    b->deltas[1].debit = h >= GEN_ADDRS ? 7 : 0;
    gen_address(b->deltas[2].address, (unsigned)(h % 5));
    b->deltas[2].nonce_add = 1;
    gen_bytes(b->block, sizeof b->block, seed, h, 0, 'B');

    b->u.height = h;
    gen_bytes(b->u.hash, 32, seed, h, 0, 'H');
    b->u.block = b->block;
    b->u.block_len = sizeof b->block;
    b->u.txs = b->txs;
    b->u.ntxs = ntx;
    b->u.commitments = b->cms;
    b->u.ncommitments = ncm;
    b->u.outputs = b->outs;
    b->u.nullifiers = b->nfs;
    b->u.nnullifiers = ncm;
    b->u.deltas = b->deltas;
    b->u.ndeltas = 3;
}

__attribute__((unused)) static void gen_block_free(struct gen_block *b)
{
    free(b->txs);
    free(b->txbytes);
    free(b->cms);
    free(b->nfs);
    free(b->outs);
    free(b->outbytes);
}

/* Makes a fresh temporary directory under TMPDIR (or /var/tmp: on disk, not tmpfs); the path
 * is written to buf. Returns 0 on success. */
__attribute__((unused)) static int gen_tmpdir(char *buf, size_t len, const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0') base = "/var/tmp";
    if ((size_t)snprintf(buf, len, "%s/tacit-%s-XXXXXX", base, tag) >= len) return -1;
    return mkdtemp(buf) == NULL ? -1 : 0;
}

/* rm -r of a store directory (files only, one level). */
__attribute__((unused)) static void gen_rmdir(const char *dir)
{
    char p[4096];
    static const char *const files[] = {"data.mdb", "lock.mdb"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

#endif /* TACIT_TESTS_STATE_GEN_H */
