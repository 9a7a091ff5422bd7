/*
 * tacit — `tacit-bench state` rows for the protocol rules (src/chain): what the static rules
 * (tacit_tx_check_static: ext digest, public_amount, the deposit digest and its secp256k1
 * recovery) cost per transaction. The block builder runs them again for every tx it adds
 * (the minimum fee may have changed since admission), so this is also the builder's extra cost
 * per tx over tacit_tx_apply.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "tacit/chain.h"
#include "tacit/error.h"

#define ROUNDS 21
#define INNER 200

static struct {
    struct tacit_tx tx;
    struct tacit_chain_params p;
} g;

static void check_static(void *arg)
{
    (void)arg;
    if (tacit_tx_check_static(&g.tx, &g.p) != TACIT_OK)
        fprintf(stderr, "tx-static: the tx is refused\n");
}

/* A tx that passes the static rules: random nullifiers and outputs, fee 10, and a deposit of
 * 1,000 from a fixed key when `deposit`. */
static int make_tx(bool deposit)
{
    static const uint8_t sk[32] = {0x42, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                   11,   12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                   22,   23, 24, 25, 26, 27, 28, 29, 30, 31};
    uint8_t wide[64], d[32];
    memset(&g, 0, sizeof g);
    g.p.chain_id = 7;
    g.p.min_fee = 10;
    g.tx.version = TACIT_TX_VERSION;
    g.tx.chain_id = 7;
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++) {
        randombytes_buf(wide, sizeof wide);
        tacit_fr_from_wide(&g.tx.pub[i], wide);
    }
    g.tx.ext.fee = 10;
    randombytes_buf(g.tx.ext.epk, sizeof g.tx.ext.epk);
    randombytes_buf(g.tx.ext.ciphertext, sizeof g.tx.ext.ciphertext);
    if (deposit) {
        g.tx.ext.deposit_amount = 1000;
        if (tacit_address_from_seckey(g.tx.ext.deposit_sender, sk) != TACIT_OK) return 1;
    }
    tacit_tx_ext_data_hash(&g.tx.pub[2], &g.tx.ext, g.tx.chain_id, g.p.rollup_id);
    if (tacit_tx_public_amount(&g.tx.pub[1], &g.tx.ext) != TACIT_OK) return 1;
    if (deposit) {
        tacit_tx_deposit_digest(d, &g.tx, g.p.rollup_id);
        if (tacit_deposit_sign(g.tx.ext.deposit_sig, sk, d) != TACIT_OK) return 1;
    }
    return tacit_tx_check_static(&g.tx, &g.p) == TACIT_OK ? 0 : 1;
}

int bench_chain_tx_static(void)
{
    for (int dep = 0; dep < 2; dep++) {
        if (make_tx(dep) != 0) {
            fprintf(stderr, "tx-static: could not make a valid tx\n");
            return 1;
        }
        tacit_bench_report(dep ? "tx-static (deposit: + secp256k1 recovery)"
                               : "tx-static (transfer)",
                           tacit_bench_median_ns(check_static, NULL, INNER, ROUNDS));
    }
    return 0;
}
