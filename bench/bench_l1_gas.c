/*
 * tacit-bench l1-gas — the rollup contract's gas on a real anvil (run by bench/l1-gas, which
 * starts anvil and passes its URL in TACIT_L1_URL): deploys src/l1/TacitRollup.sol with devnet
 * keys (the depth-32 transfer circuit, the chain's tree-update circuit: depth 32, M = 128),
 * settles an empty block 0, then blocks of 1, 8, 64 and 256 transactions and prints the gas of
 * each submission per transaction: everything the L1 transaction pays (21,000, calldata, the
 * batch pairing, the ecMul of every proof and of the folded public inputs, the tree-update
 * proofs and their inputs, nullifiers, ext_data_hash, events). A block whose estimate is above
 * the budget of one submission (tacit_rollup_part_count with TACIT_ROLLUP_PART_GAS_DEFAULT, as
 * tacitd splits it) settles in parts (submitBlockPart): its gas is the sum of its parts', and
 * the largest part's gas is printed beside it (it must be at most EIP-7825's 16,777,216). In the same run, the gas of
 * verifying one transaction alone (verifyTransaction: the single-proof path of a forced
 * transaction, sent as a transaction: 21,000 and its calldata included) and the ratio.
 *
 * The transactions are private transfers from two dummy inputs to two notes of value 0 (fee 0):
 * the same 1,808 bytes, two nullifiers, two commitments and one proof as any transfer. Gas is
 * deterministic, so each figure is one measurement (no median).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/l1.h"
#include "tacit/rollup.h"
#include "tacit/treeupdate.h"
#include "tacit/txbuild.h"

#define L1_CHAIN_ID 31337
#define CHAIN_ID 0x7461u
#define EIP7825_CAP 16777216u
static const char KEY0[] = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

struct ctx {
    struct tacit_l1 *l1;
    struct tacit_eth_key *key;
    struct tacit_l1_sender *s;
    uint8_t from[20], contract[20], parent[32];
    tacit_groth16_pk *transfer_pk, *tree_pk;
    struct tacit_tree_frontier f;
    uint64_t height;
};

static int fail(const char *what, int rc)
{
    fprintf(stderr, "tacit-bench l1-gas: %s: %s\n", what, tacit_strerror(rc));
    return 1;
}

/* Sends data to the contract (or creates it) and waits for a successful receipt. */
static int send(struct ctx *c, bool create, const uint8_t *data, size_t len,
                struct tacit_l1_receipt *r)
{
    struct tacit_l1_call req = {.create = create, .data = data, .data_len = len};
    struct tacit_l1_sent sent;
    int rc;
    memcpy(req.to, c->contract, 20);
    if ((rc = tacit_l1_sender_send(c->s, &req, &sent)) != TACIT_OK) {
        const struct tacit_l1_error *e = tacit_l1_last_error(c->l1);
        char why[256];
        tacit_rollup_revert_reason(why, sizeof why, e->revert_data, e->revert_len);
        fprintf(stderr, "tacit-bench l1-gas: send: %s\n", why);
        return rc;
    }
    rc = tacit_l1_wait_success(c->l1, sent.hash, 60000, 20, r);
    tacit_l1_sent_clear(&sent);
    return rc;
}

/* A transfer from two dummy inputs to two zero-value notes, anchored at the empty tree. */
static int transfer(struct ctx *c, struct tacit_tx *tx)
{
    static struct tacit_txbuild b;
    memset(&b, 0, sizeof b);
    b.chain_id = CHAIN_ID;
    b.version = TACIT_TX_VERSION_L1;
    b.l1_chain_id = L1_CHAIN_ID;
    memcpy(b.rollup_id, c->contract, 20);
    b.anchor = *tacit_tree_zero(TACIT_TREE_DEPTH);
    for (int j = 0; j < 2; j++) {
        tacit_txbuild_random_fr(&b.out[j].pk);
        tacit_txbuild_random_fr(&b.out[j].blinding);
    }
    return tacit_txbuild_prove(tx, &b, c->transfer_pk, 0, NULL);
}

/* A block of these txs at the next height: the header carries what the contract checks
 * (version, chain id, height, note root and count after it); no credits. */
static int block_bytes(struct ctx *c, const struct tacit_tx *txs, size_t n, uint8_t **out,
                       size_t *len)
{
    struct tacit_block_header h;
    struct tacit_tree_frontier f = c->f;
    tacit_fr *leaves = malloc(sizeof *leaves * (2 * n + 1));
    size_t o;
    uint8_t *p;
    int rc;

    if (leaves == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        leaves[2 * i] = txs[i].pub[5];
        leaves[2 * i + 1] = txs[i].pub[6];
    }
    memset(&h, 0, sizeof h);
    h.version = TACIT_BLOCK_VERSION;
    h.chain_id = CHAIN_ID;
    h.height = c->height;
    rc = tacit_tree_append(&f, &h.digests.note_root, leaves, 2 * n, NULL, NULL, 0);
    free(leaves);
    if (rc != TACIT_OK) return rc;
    h.digests.commitment_count = f.size;
    *len = TACIT_BLOCK_HEADER_BYTES + 8 + (4 + TACIT_TX_BYTES) * n;
    if ((p = *out = calloc(1, *len)) == NULL) return TACIT_ENOMEM;
    tacit_block_header_encode(p, &h);
    o = TACIT_BLOCK_HEADER_BYTES + 4;
    for (int k = 0; k < 4; k++) p[o + k] = (uint8_t)(n >> (8 * k));
    o += 4;
    for (size_t i = 0; i < n; i++, o += 4 + TACIT_TX_BYTES) {
        p[o] = TACIT_TX_BYTES & 0xff;
        p[o + 1] = TACIT_TX_BYTES >> 8;
        tacit_tx_encode(p + o + 4, &txs[i]);
    }
    return TACIT_OK;
}

static uint64_t calldata_gas(const uint8_t *data, size_t len)
{
    uint64_t g = 0;
    for (size_t i = 0; i < len; i++) g += data[i] ? 16 : 4;
    return g;
}

/* Proves and submits the block in nparts parts (as tacitd splits it): the sums of the parts'
 * gas, calldata gas and tree proofs, and the largest part's gas. */
static int settle_parts(struct ctx *c, const uint8_t *bytes, size_t len,
                        const struct tacit_block *b, size_t nparts, uint64_t *gas, uint64_t *cd,
                        size_t *ntree, uint64_t *largest)
{
    struct tacit_tree_frontier f = c->f;
    uint8_t prev[32];
    int rc = TACIT_OK;
    memcpy(prev, c->parent, 32);
    *gas = *cd = *largest = 0;
    *ntree = 0;
    for (size_t j = 0; j < nparts && rc == TACIT_OK; j++) {
        struct tacit_rollup_tree_proof *proofs = NULL;
        struct tacit_l1_receipt r;
        uint8_t *part = NULL, *data = NULL;
        size_t first, count, plen, dlen, np;
        tacit_rollup_part_range(b->ntxs, nparts, j, &first, &count);
        np = tacit_rollup_tree_proof_count(count, TACIT_TREEUPDATE_MAX_LEAVES);
        if ((proofs = calloc(np, sizeof *proofs)) == NULL) return TACIT_ENOMEM;
        if ((rc = tacit_rollup_part_encode(&part, &plen, bytes, len, first, count)) == TACIT_OK &&
            (rc = tacit_rollup_prove_tree_range(proofs, &f, c->tree_pk, b, first, count,
                                                TACIT_TREEUPDATE_MAX_LEAVES, 0)) == TACIT_OK &&
            (rc = tacit_rollup_part_call(&data, &dlen, prev, part, plen, proofs, np)) == TACIT_OK &&
            (rc = tacit_rollup_part_hash(prev, prev, part, plen, proofs, np)) == TACIT_OK &&
            (rc = send(c, false, data, dlen, &r)) == TACIT_OK) {
            *gas += r.gas_used;
            if (r.gas_used > *largest) *largest = r.gas_used;
            *cd += calldata_gas(data, dlen);
            *ntree += np;
            tacit_l1_receipt_clear(&r);
        }
        free(proofs);
        free(part);
        free(data);
    }
    if (rc == TACIT_OK) {
        c->f = f;
        memcpy(c->parent, prev, 32);
        c->height++;
    }
    return rc;
}

/* Proves and submits a block of n txs (in parts when it is too large for one submission); *gas
 * the receipts' gas, *calldata_gas their calldata's, *nparts how many. */
static int settle(struct ctx *c, const struct tacit_tx *txs, size_t n, uint64_t *gas,
                  uint64_t *calldata_gas_out, size_t *ntree, size_t *nparts, uint64_t *largest)
{
    struct tacit_rollup_tree_proof *proofs = NULL;
    struct tacit_block *b = NULL;
    struct tacit_tree_frontier f = c->f;
    struct tacit_l1_receipt r;
    uint8_t *bytes = NULL, *data = NULL;
    size_t len, dlen, np = tacit_rollup_tree_proof_count(n, TACIT_TREEUPDATE_MAX_LEAVES);
    int rc;

    if ((rc = block_bytes(c, txs, n, &bytes, &len)) != TACIT_OK ||
        (rc = tacit_block_decode(&b, bytes, len)) != TACIT_OK)
        goto done;
    *nparts = tacit_rollup_part_count(n, 0, 0, TACIT_TREEUPDATE_MAX_LEAVES,
                                      TACIT_ROLLUP_PART_GAS_DEFAULT);
    if (*nparts > 1) {
        rc = settle_parts(c, bytes, len, b, *nparts, gas, calldata_gas_out, ntree, largest);
        goto done;
    }
    if ((proofs = calloc(np + 1, sizeof *proofs)) == NULL) {
        rc = TACIT_ENOMEM;
        goto done;
    }
    if ((rc = tacit_rollup_prove_tree(proofs, &f, c->tree_pk, b, TACIT_TREEUPDATE_MAX_LEAVES, 0)) !=
            TACIT_OK ||
        (rc = tacit_rollup_submit_call(&data, &dlen, c->parent, bytes, len, proofs, np)) !=
            TACIT_OK ||
        (rc = tacit_rollup_block_hash(c->parent, c->parent, bytes, len, proofs, np)) != TACIT_OK ||
        (rc = send(c, false, data, dlen, &r)) != TACIT_OK)
        goto done;
    *gas = *largest = r.gas_used;
    *calldata_gas_out = calldata_gas(data, dlen);
    *ntree = np;
    tacit_l1_receipt_clear(&r);
    c->f = f;
    c->height++;
done:
    tacit_block_free(b);
    free(proofs);
    free(bytes);
    free(data);
    return rc;
}

int bench_l1_gas(int argc, char **argv)
{
    static const size_t sizes[] = {1, 8, 64, 256};
    struct tacit_l1_sender_opts o = {.chain_id = L1_CHAIN_ID};
    struct tacit_rollup_params rp;
    struct tacit_l1_receipt r;
    struct tacit_l1_call call = {0};
    struct ctx c;
    struct tacit_tx *txs = NULL;
    tacit_groth16_vk *tvk = NULL, *uvk = NULL;
    tacit_r1cs r1cs;
    uint8_t *data = NULL, enc[TACIT_TX_BYTES];
    size_t len, total = 0;
    uint64_t single = 0, per64 = 0;
    const char *url = getenv("TACIT_L1_URL");
    int rc;

    size_t nsizes = 4;
    memset(&c, 0, sizeof c);
    /* --max N: only the blocks of at most N transactions (a quick run) */
    if (argc == 3 && strcmp(argv[1], "--max") == 0) {
        size_t max = (size_t)strtoul(argv[2], NULL, 10);
        for (nsizes = 0; nsizes < 4 && sizes[nsizes] <= max; nsizes++) continue;
    } else if (argc != 1) {
        fprintf(stderr, "usage: tacit-bench l1-gas [--max N]\n");
        return 2;
    }
    if (url == NULL) {
        fprintf(stderr, "tacit-bench l1-gas: TACIT_L1_URL unset (run bench/l1-gas)\n");
        return 2;
    }
    if ((rc = tacit_l1_http_new(&c.l1, url, NULL)) != TACIT_OK ||
        (rc = tacit_eth_key_from_hex(&c.key, KEY0)) != TACIT_OK ||
        (rc = tacit_l1_sender_new(&c.s, c.l1, c.key, &o)) != TACIT_OK)
        return fail("L1", rc);
    tacit_eth_key_address(c.key, c.from);

    printf("devnet keys: transfer (depth 32), tree update (depth 32, M = %u)...\n",
           TACIT_TREEUPDATE_MAX_LEAVES);
    fflush(stdout);
    if ((rc = tacit_transfer_build(&r1cs, NULL, NULL, NULL, TACIT_TRANSFER_DEPTH)) != TACIT_OK)
        return fail("transfer circuit", rc);
    rc = tacit_groth16_setup(&c.transfer_pk, &r1cs, 0);
    tacit_r1cs_clear(&r1cs);
    if (rc != TACIT_OK ||
        (rc = tacit_treeupdate_setup(&c.tree_pk, TACIT_TREE_DEPTH, TACIT_TREEUPDATE_MAX_LEAVES,
                                     0)) != TACIT_OK ||
        (rc = tacit_groth16_pk_vk(&tvk, c.transfer_pk)) != TACIT_OK ||
        (rc = tacit_groth16_pk_vk(&uvk, c.tree_pk)) != TACIT_OK)
        return fail("setup", rc);

    memcpy(rp.sequencer, c.from, 20);
    memcpy(rp.fee_recipient, c.from, 20);
    rp.chain_id = CHAIN_ID;
    rp.force_delay = TACIT_ROLLUP_FORCE_DELAY_DEFAULT;
    if ((rc = tacit_rollup_deploy_data(&data, &len, tvk, uvk, &rp)) != TACIT_OK ||
        (rc = send(&c, true, data, len, &r)) != TACIT_OK)
        return fail("deploy", rc);
    free(data);
    memcpy(c.contract, r.contract_address, 20);
    printf("deploy: %llu gas\n", (unsigned long long)r.gas_used);
    tacit_l1_receipt_clear(&r);
    tacit_tree_frontier_init(&c.f);

    for (size_t k = 0; k < nsizes; k++) total += sizes[k];
    if ((txs = calloc(total, sizeof *txs)) == NULL) return fail("memory", TACIT_ENOMEM);
    printf("proving %zu transfers...\n", total);
    fflush(stdout);
    for (size_t i = 0; i < total; i++)
        if ((rc = transfer(&c, &txs[i])) != TACIT_OK) return fail("prove", rc);

    {
        uint64_t gas, cd, big;
        size_t nt, parts;
        if ((rc = settle(&c, NULL, 0, &gas, &cd, &nt, &parts, &big)) != TACIT_OK)
            return fail("block 0", rc);
        printf("empty block 0: %llu gas\n\n", (unsigned long long)gas);
    }
    printf("%8s %12s %14s %14s %12s %6s %14s\n", "txs", "gas", "gas per tx", "calldata/tx",
           "tree proofs", "parts", "largest part");
    for (size_t k = 0, at = 0; k < nsizes; at += sizes[k], k++) {
        uint64_t gas, cd, big;
        size_t nt, parts;
        if ((rc = settle(&c, txs + at, sizes[k], &gas, &cd, &nt, &parts, &big)) != TACIT_OK)
            return fail("submit", rc);
        printf("%8zu %12llu %14llu %14llu %12zu %6zu %14llu%s\n", sizes[k], (unsigned long long)gas,
               (unsigned long long)(gas / sizes[k]), (unsigned long long)(cd / sizes[k]), nt, parts,
               (unsigned long long)big,
               big > EIP7825_CAP ? " (above EIP-7825's 16,777,216 per L1 tx)" : "");
        if (sizes[k] == 64) per64 = gas / sizes[k];
        fflush(stdout);
    }

    if ((rc = transfer(&c, &txs[0])) != TACIT_OK) return fail("prove", rc); /* unspent */
    tacit_tx_encode(enc, &txs[0]);
    if ((rc = tacit_rollup_verify_call(&data, &len, enc)) != TACIT_OK) return fail("verify", rc);
    call.has_from = true;
    memcpy(call.from, c.from, 20);
    memcpy(call.to, c.contract, 20);
    call.data = data;
    call.data_len = len;
    {
        uint8_t *ret = NULL;
        size_t retlen = 0;
        if ((rc = tacit_l1_call(c.l1, &call, TACIT_L1_LATEST, &ret, &retlen)) != TACIT_OK ||
            retlen != 32 || ret[31] != 1) {
            free(ret);
            return fail("verifyTransaction is not true", rc ? rc : TACIT_EVERIFY);
        }
        free(ret);
    }
    /* as a transaction: the receipt's gas is exact (21,000 and calldata included) */
    if ((rc = send(&c, false, data, len, &r)) != TACIT_OK) return fail("verify", rc);
    single = r.gas_used;
    tacit_l1_receipt_clear(&r);
    free(data);
    printf("\none transaction verified alone (verifyTransaction sent as a transaction): %llu gas\n",
           (unsigned long long)single);
    if (per64)
        printf("ratio, alone / per tx in a block of 64: %.2f\n", (double)single / (double)per64);

    free(txs);
    tacit_groth16_vk_free(tvk);
    tacit_groth16_vk_free(uvk);
    tacit_groth16_pk_free(c.transfer_pk);
    tacit_groth16_pk_free(c.tree_pk);
    tacit_l1_sender_free(c.s);
    tacit_eth_key_free(c.key);
    tacit_l1_free(c.l1);
    return 0;
}
