/*
 * tacit — the recorded chain of the follower replay benchmark (bench/follow-replay, which runs
 * the sequencer and a follower on it and times the catch-up).
 *
 *   tacit-bench follow-replay keys <keydir>
 *       writes <keydir>/verification_key.json: a synthetic 7-input verifying key made from a
 *       trapdoor derived from a fixed seed (src/zk/groth16_synth.c)
 *   tacit-bench follow-replay build <datadir> <blocks> <txs per block> [<L1 chain id>]
 *       appends blocks to the devnet store of <datadir> (made by `tacitd --devnet` with the
 *       key above): the node's own block builder (tacit_block_builder_*: every static and state
 *       rule), signed with <datadir>/sequencer.key. With an L1 chain id: a devnet in L1 mode
 *       (`tacitd --devnet --l1-rpc .. --l1-rollup ..`, its rollupId the contract): protocol v2
 *       transactions (digests bound to the L1 chain id and the contract), fee 0, no deposit
 *       and no withdrawal (the contract's pool holds nothing: a fee or withdrawal would be
 *       refused, Turnstile), for the sequencer to submit (bench/follow-replay --l1)
 *
 * The proofs are simulated, not proved: whoever holds a Groth16 key's trapdoor can make a proof
 * of any public inputs in three scalar multiplications (Groth 2016, section 3; the zero-knowledge
 * simulator), A = a G1, B = b G2, C = (ab - alpha beta - gamma l) / delta G1. A real transfer
 * proof costs about 0.25 s, 50,000 of them 3.5 hours on 2 cores. The follower cannot tell the
 * difference and does the same work for it: the same 7 public inputs, the same point and
 * subgroup checks, the same batched pairing equation. The key is not the transfer circuit's
 * (no circuit stands behind it) and must never verify anything real.
 *
 * The transactions: each spends 2 fresh random nullifiers and appends 2 random commitments with
 * random 571-byte ciphertexts, anchored at the tip's root, fee 1; 1 in 100 is a deposit from
 * one of the devnet's funded accounts (an ECDSA signature the follower recovers), 1 in 100 a
 * withdrawal of 10 to a fixed address.
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench.h"
#include "common/parallel.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/node.h"
#include "tacit/state.h"
#include "tacit/util.h"
#include "zk/groth16_synth.h"

static const uint8_t replay_seed[32] = {'t', 'a', 'c', 'i', 't', '-', 'f', 'o', 'l', 'l',
                                        'o', 'w', '-', 'r', 'e', 'p', 'l', 'a', 'y'};

struct prove_ctx {
    const tacit__groth16_trapdoor *td;
    struct tacit_tx *txs;
    uint64_t first; /* global index of txs[0]: the proof's seed */
};

static void prove_task(void *arg, size_t i, unsigned thread)
{
    struct prove_ctx *c = arg;
    tacit_groth16_proof pr;
    uint8_t seed[32];
    uint64_t g = c->first + i;
    (void)thread;
    memcpy(seed, replay_seed, sizeof seed);
    memcpy(seed + 24, &g, 8);
    tacit__groth16_synth_prove(&pr, c->td, c->txs[i].pub, seed);
    tacit_groth16_proof_to_bytes(c->txs[i].proof, &pr);
}

static int read_text(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    long n;
    *out = NULL;
    if (f == NULL) return TACIT_EIO;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        (*out = calloc(1, (size_t)n + 1)) == NULL || fread(*out, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(*out);
        *out = NULL;
        return TACIT_EIO;
    }
    fclose(f);
    return TACIT_OK;
}

/* The chain's parameters and the funded accounts' keys from a devnet's data directory. */
struct devnet {
    struct tacit_chain_params p;
    struct tacit_sequencer_key *key;
    uint8_t sk[TACIT_DEVNET_ACCOUNTS][32];
    uint8_t addr[TACIT_DEVNET_ACCOUNTS][TACIT_ADDRESS_LEN];
};

static int devnet_load(struct devnet *d, const char *datadir)
{
    char path[4096], *text = NULL;
    uint8_t sk[32];
    json_t *j = NULL, *acc;
    const char *s;
    int rc = TACIT_EJSON;

    memset(&d->p, 0, sizeof d->p);
    snprintf(path, sizeof path, "%s/sequencer.key", datadir);
    if ((rc = read_text(path, &text)) != TACIT_OK) goto out;
    text[strcspn(text, "\r\n")] = '\0';
    if ((rc = tacit_hex_decode(sk, 32, text, false)) != TACIT_OK ||
        (rc = tacit_sequencer_key_new(&d->key, sk)) != TACIT_OK)
        goto out;
    tacit_sequencer_key_public(d->key, d->p.sequencer, d->p.fee_recipient);
    free(text);
    snprintf(path, sizeof path, "%s/devnet-accounts.json", datadir);
    if ((rc = read_text(path, &text)) != TACIT_OK) goto out;
    rc = TACIT_EJSON;
    if ((j = json_loads(text, 0, NULL)) == NULL ||
        (s = json_string_value(json_object_get(j, "chainId"))) == NULL ||
        tacit_parse_hex_u64(&d->p.chain_id, s) != TACIT_OK ||
        (s = json_string_value(json_object_get(j, "rollupId"))) == NULL ||
        tacit_hex_decode(d->p.rollup_id, TACIT_ROLLUP_ID_LEN, s, true) != TACIT_OK ||
        json_array_size(acc = json_object_get(j, "accounts")) != TACIT_DEVNET_ACCOUNTS)
        goto out;
    for (size_t i = 0; i < TACIT_DEVNET_ACCOUNTS; i++) {
        s = json_string_value(json_object_get(json_array_get(acc, i), "privateKey"));
        if (s == NULL || tacit_hex_decode(d->sk[i], 32, s, true) != TACIT_OK ||
            tacit_address_from_seckey(d->addr[i], d->sk[i]) != TACIT_OK)
            goto out;
    }
    d->p.allow_credits = true; /* a devnet: its genesis minted the accounts' funds */
    rc = TACIT_OK;
out:
    sodium_memzero(sk, sizeof sk);
    json_decref(j);
    free(text);
    return rc;
}

/* Transaction g of the chain (g counts from 0 over the whole chain): everything but the proof. */
static int make_tx(struct tacit_tx *tx, uint64_t g, const tacit_fr *anchor, struct devnet *d,
                   uint64_t nonce[TACIT_DEVNET_ACCOUNTS])
{
    uint8_t wide[64], digest[32];
    int rc;
    bool l1 = d->p.tx_version == TACIT_TX_VERSION_L1;
    memset(tx, 0, sizeof *tx);
    tx->version = tacit_chain_tx_version(&d->p);
    tx->chain_id = d->p.chain_id;
    tx->ext.fee = l1 ? 0 : 1;
    if (l1) {
        /* a transfer only */
    } else if (g % 100 == 0) {
        size_t a = (size_t)(g / 100) % TACIT_DEVNET_ACCOUNTS;
        tx->ext.deposit_amount = 1000000;
        memcpy(tx->ext.deposit_sender, d->addr[a], TACIT_ADDRESS_LEN);
        tx->ext.deposit_nonce = nonce[a]++;
    } else if (g % 100 == 50) {
        tx->ext.withdrawal_amount = 10;
        memset(tx->ext.withdrawal_recipient, 0x77, TACIT_ADDRESS_LEN);
    }
    randombytes_buf(tx->ext.epk, sizeof tx->ext.epk);
    randombytes_buf(tx->ext.ciphertext, sizeof tx->ext.ciphertext);
    tx->pub[0] = *anchor;
    if ((rc = tacit_tx_public_amount(&tx->pub[1], &tx->ext)) != TACIT_OK) return rc;
    tacit_tx_ext_data_hash_of(&tx->pub[2], tx, &d->p);
    for (int i = 3; i < TACIT_TX_NPUBLIC; i++) { /* nf0, nf1, cm0, cm1 */
        randombytes_buf(wide, sizeof wide);
        tacit_fr_from_wide(&tx->pub[i], wide);
    }
    if (tx->ext.deposit_amount != 0) {
        size_t a = (size_t)(g / 100) % TACIT_DEVNET_ACCOUNTS;
        tacit_tx_deposit_digest_of(digest, tx, &d->p);
        if ((rc = tacit_deposit_sign(tx->ext.deposit_sig, d->sk[a], digest)) != TACIT_OK) return rc;
    }
    return TACIT_OK;
}

static int build(const char *datadir, uint64_t nblocks, size_t ntxs, uint64_t l1_chain_id)
{
    struct devnet *d = sodium_malloc(sizeof *d);
    struct tacit_state *st = NULL;
    struct tacit_state_options o;
    struct tacit_state_tip tip;
    tacit__groth16_trapdoor *td = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    struct tacit_tx *txs = calloc(ntxs, sizeof *txs);
    uint8_t *bytes = malloc(TACIT_TX_BYTES);
    uint64_t nonce[TACIT_DEVNET_ACCOUNTS] = {0}, g = 0, ts;
    char path[4096];
    int rc = TACIT_ENOMEM;

    if (d == NULL || txs == NULL || bytes == NULL) goto out;
    d->key = NULL;
    if ((rc = devnet_load(d, datadir)) != TACIT_OK) {
        fprintf(stderr, "follow-replay build: %s is not a devnet data directory: %s\n", datadir,
                tacit_strerror(rc));
        goto out;
    }
    if (l1_chain_id != 0) {
        d->p.tx_version = TACIT_TX_VERSION_L1;
        d->p.l1_chain_id = l1_chain_id;
    }
    if ((rc = tacit__groth16_synth_setup(&td, &vk, TACIT_TX_NPUBLIC, replay_seed)) != TACIT_OK ||
        (rc = tacit_groth16_pvk_new(&pvk, vk, NULL)) != TACIT_OK)
        goto out;
    tacit_state_options_init(&o);
    o.chain_id = d->p.chain_id;
    o.flags = TACIT_STATE_EXISTING | TACIT_STATE_NOSYNC;
    snprintf(path, sizeof path, "%s/state", datadir);
    if ((rc = tacit_state_open(&st, path, &o)) != TACIT_OK) {
        fprintf(stderr, "follow-replay build: store %s: %s\n", path, tacit_strerror(rc));
        goto out;
    }
    if ((rc = tacit_state_tip(st, &tip)) != TACIT_OK) goto out;
    if (tip.next_height != 1) {
        fprintf(stderr, "follow-replay build: the store holds %llu blocks, want the genesis only\n",
                (unsigned long long)tip.next_height);
        rc = TACIT_EINVAL;
        goto out;
    }
    ts = (uint64_t)time(NULL) * 1000;
    for (uint64_t h = 1; h <= nblocks; h++) {
        struct tacit_block_builder *b = NULL;
        struct prove_ctx pc = {td, txs, g};
        if ((rc = tacit_state_tip(st, &tip)) != TACIT_OK) goto out;
        for (size_t i = 0; i < ntxs; i++)
            if ((rc = make_tx(&txs[i], g + i, &tip.digests.note_root, d, nonce)) != TACIT_OK)
                goto out;
        tacit__parallel_run(0, ntxs, prove_task, &pc);
        /* the simulator's proofs pass the verifier (the follower checks all of them) */
        if ((rc = tacit_tx_verify_proof_var(&txs[0], pvk)) != TACIT_OK ||
            (rc = tacit_tx_verify_proof_var(&txs[ntxs - 1], pvk)) != TACIT_OK) {
            fprintf(stderr, "follow-replay build: a simulated proof does not verify: %s\n",
                    tacit_strerror(rc));
            goto out;
        }
        if ((rc = tacit_block_builder_new(&b, st, &d->p)) != TACIT_OK) goto out;
        for (size_t i = 0; i < ntxs && rc == TACIT_OK; i++) {
            tacit_tx_encode(bytes, &txs[i]);
            rc = tacit_block_builder_add_tx(b, &txs[i], bytes, TACIT_TX_BYTES);
            if (rc != TACIT_OK)
                fprintf(stderr, "follow-replay build: block %llu tx %zu: %s (%s)\n",
                        (unsigned long long)h, i, tacit_strerror(rc), tacit_errname(rc));
        }
        if (rc == TACIT_OK)
            rc = tacit_block_builder_seal(b, d->key, ts + h * 1000, NULL, NULL, NULL);
        if (rc == TACIT_OK) rc = tacit_block_builder_commit(b);
        tacit_block_builder_free(b);
        if (rc != TACIT_OK) goto out;
        g += ntxs;
        if (h % 10 == 0 || h == nblocks)
            fprintf(stderr, "follow-replay build: %llu/%llu blocks (%llu txs)\n",
                    (unsigned long long)h, (unsigned long long)nblocks, (unsigned long long)g);
    }
    rc = TACIT_OK;
out:
    tacit_state_close(st);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit__groth16_trapdoor_free(td);
    if (d != NULL) {
        tacit_sequencer_key_free(d->key);
        sodium_free(d);
    }
    free(txs);
    free(bytes);
    return rc == TACIT_OK ? 0 : 1;
}

static int keys(const char *dir)
{
    tacit__groth16_trapdoor *td = NULL;
    tacit_groth16_vk *vk = NULL;
    char path[4096], *json = NULL;
    FILE *f;
    int rc;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return 1;
    if ((rc = tacit__groth16_synth_setup(&td, &vk, TACIT_TX_NPUBLIC, replay_seed)) != TACIT_OK ||
        (json = tacit_groth16_vk_to_json(vk)) == NULL) {
        fprintf(stderr, "follow-replay keys: %s\n", tacit_strerror(rc ? rc : TACIT_ENOMEM));
        rc = 1;
        goto out;
    }
    snprintf(path, sizeof path, "%s/verification_key.json", dir);
    rc = (f = fopen(path, "w")) == NULL;
    if (f != NULL) {
        rc = fputs(json, f) < 0;
        if (fclose(f) != 0) rc = 1; /* closed whether or not the write failed */
    }
    if (rc) fprintf(stderr, "follow-replay keys: cannot write %s\n", path);
out:
    free(json);
    tacit_groth16_vk_free(vk);
    tacit__groth16_trapdoor_free(td);
    return rc;
}

int bench_follow_replay(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    if (argc == 3 && strcmp(argv[1], "keys") == 0) return keys(argv[2]);
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "build") == 0) {
        long nb = atol(argv[3]), nt = atol(argv[4]);
        long long l1 = argc == 6 ? atoll(argv[5]) : 0;
        if (nb > 0 && nt > 0 && nt <= TACIT_BLOCK_MAX_TXS && l1 >= 0)
            return build(argv[2], (uint64_t)nb, (size_t)nt, (uint64_t)l1);
    }
    fprintf(stderr, "usage: tacit-bench follow-replay keys <keydir>\n"
                    "       tacit-bench follow-replay build <devnet datadir> <blocks> <txs> "
                    "[<L1 chain id>]\n"
                    "(run by bench/follow-replay)\n");
    return 2;
}
