/*
 * tacit — building and proving transactions (include/tacit/txbuild.h).
 *
 * The order of tacit_txbuild_prove follows what binds what (DESIGN 2.6): the ext data is
 * fixed first, its digest is ext_data_hash, public_amount follows from its amounts, the
 * statement gives the other public inputs, the deposit signature covers all seven (so it
 * authorizes these outputs only), and only then is the statement proved, so that every public
 * input the node recomputes (tacit_tx_check_static) is the one in the proof.
 */
#include <sodium.h>
#include <string.h>

#include "tacit/chain.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/note.h"
#include "tacit/poseidon.h"
#include "tacit/prover.h"
#include "tacit/txbuild.h"

/* ------------------------------------------------------------ derivations ---- */

void tacit_txbuild_random_fr(tacit_fr *out)
{
    uint8_t wide[64];

    /* 64 bytes reduced mod r: the bias is below 2^-250 (DESIGN 2.3). */
    randombytes_buf(wide, sizeof wide);
    tacit_fr_from_wide(out, wide);
    sodium_memzero(wide, sizeof wide);
}

void tacit_txbuild_keys(tacit_fr *nk, tacit_fr *pk, const tacit_fr *sk)
{
    tacit_fr n;

    /* DESIGN 2.3: nk = Poseidon(sk), pk = Poseidon(nk); the circuit checks the same chain. */
    (void)tacit_poseidon(&n, sk, 1);
    if (pk != NULL) (void)tacit_poseidon(pk, &n, 1);
    if (nk != NULL) *nk = n;
    sodium_memzero(&n, sizeof n);
}

void tacit_txbuild_commitment(tacit_fr *cm, uint64_t value, const tacit_fr *pk,
                              const tacit_fr *blinding)
{
    tacit_note_commitment(cm, value, pk, blinding);
}

void tacit_txbuild_nullifier(tacit_fr *nf, const tacit_fr *sk, const tacit_fr *cm, uint64_t index)
{
    tacit_fr nk;

    /* DESIGN 2.4: nf = Poseidon(nk, cm, leaf_index), nk = Poseidon(sk). */
    tacit_txbuild_keys(&nk, NULL, sk);
    tacit_note_nullifier(nf, &nk, cm, index);
    sodium_memzero(&nk, sizeof nk);
}

/* --------------------------------------------------------------- proving ---- */

/* The ext data of b, with random bytes standing in for absent encrypted outputs. */
static void ext_fill(struct tacit_tx_ext *ext, const struct tacit_txbuild *b)
{
    memset(ext, 0, sizeof *ext);
    ext->fee = b->fee;
    ext->withdrawal_amount = b->withdrawal_amount;
    memcpy(ext->withdrawal_recipient, b->withdrawal_recipient, TACIT_ADDRESS_LEN);
    ext->deposit_amount = b->deposit_amount;
    memcpy(ext->deposit_sender, b->deposit_sender, TACIT_ADDRESS_LEN);
    ext->deposit_nonce = b->deposit_nonce;
    if (b->epk != NULL)
        memcpy(ext->epk, b->epk, TACIT_EPK_BYTES);
    else
        randombytes_buf(ext->epk, TACIT_EPK_BYTES);
    for (int i = 0; i < 2; i++) {
        if (b->ciphertext[i] != NULL)
            memcpy(ext->ciphertext[i], b->ciphertext[i], TACIT_NOTE_CIPHERTEXT_BYTES);
        else
            randombytes_buf(ext->ciphertext[i], TACIT_NOTE_CIPHERTEXT_BYTES);
    }
}

int tacit_txbuild_prove(struct tacit_tx *tx, const struct tacit_txbuild *b,
                        const tacit_groth16_pk *pk, unsigned nthreads,
                        tacit_groth16_prove_stats *stats)
{
    struct tacit_transfer *t;
    tacit_groth16_proof proof;
    tacit_fr *w = NULL;
    uint32_t nvars = 0;
    struct tacit_chain_params dom = {0}; /* what the digests bind */
    uint8_t digest[32];
    int rc;

    memset(tx, 0, sizeof *tx);
    if (b->deposit_amount != 0 && b->deposit_sk == NULL) return TACIT_EINVAL;
    if (b->version != 0 && b->version != TACIT_TX_VERSION && b->version != TACIT_TX_VERSION_L1)
        return TACIT_EVERSION;
    for (int i = 0; i < 2; i++) {
        if (b->in[i].value != 0 && b->in[i].path.index >= TACIT_TREE_MAX_LEAVES)
            return TACIT_EINVAL;
    }
    /* The statement holds the spending keys: sodium_malloc memory (guard pages, wiped). */
    if ((t = sodium_malloc(sizeof *t)) == NULL) return TACIT_ENOMEM;
    memset(t, 0, sizeof *t);

    tx->version = b->version != 0 ? b->version : TACIT_TX_VERSION;
    tx->chain_id = b->chain_id;
    ext_fill(&tx->ext, b);
    dom.chain_id = b->chain_id;
    dom.tx_version = tx->version;
    dom.l1_chain_id = b->l1_chain_id;
    memcpy(dom.rollup_id, b->rollup_id, TACIT_ROLLUP_ID_LEN);

    t->root = b->anchor;
    tacit_tx_ext_data_hash_of(&t->ext_data_hash, tx, &dom);
    if ((rc = tacit_tx_public_amount(&t->public_amount, &tx->ext)) != TACIT_OK)
        goto out_free_statement;
    for (int i = 0; i < 2; i++) {
        if (b->in[i].value == 0 && tacit_fr_is_zero(&b->in[i].sk)) {
            /* A dummy: its own fresh key (the circuit needs nf0 != nf1, and a reused key would
             * link transactions), index 0, no membership. */
            tacit_txbuild_random_fr(&t->in[i].sk);
            tacit_txbuild_random_fr(&t->in[i].blinding);
        } else if (b->in[i].value == 0) {
            /* A dummy whose key the caller chose (fresh, but known beforehand: a wallet needs
             * the nullifiers before it encrypts the outputs, which are bound to them). */
            t->in[i].sk = b->in[i].sk;
            t->in[i].blinding = b->in[i].blinding;
        } else {
            t->in[i].sk = b->in[i].sk;
            t->in[i].value = b->in[i].value;
            t->in[i].blinding = b->in[i].blinding;
            t->in[i].path = b->in[i].path;
        }
        t->out[i] = b->out[i];
    }

    if ((rc = tacit_transfer_public_inputs(tx->pub, t, TACIT_TRANSFER_DEPTH)) != TACIT_OK)
        goto out_free_statement;
    /* The deposit signature covers the public inputs (outputs, nullifiers, anchor, and the ext
     * data through ext_data_hash): they are final now, and the signature is in none of them. */
    tacit_tx_deposit_digest_of(digest, tx, &dom);
    if (b->deposit_amount != 0 &&
        (rc = tacit_deposit_sign(tx->ext.deposit_sig, b->deposit_sk, digest)) != TACIT_OK)
        goto out_free_statement;
    if ((rc = tacit_transfer_build(NULL, &w, &nvars, t, TACIT_TRANSFER_DEPTH)) != TACIT_OK)
        goto out_free_statement;
    if (nvars != pk->nvars || pk->npublic != TACIT_TRANSFER_NPUBLIC) {
        rc = TACIT_EWITNESS;
        goto out_free_witness;
    }
    if ((rc = tacit_groth16_prove(&proof, pk, w, nvars, nthreads, stats)) != TACIT_OK)
        goto out_free_witness;
    tacit_groth16_proof_to_bytes(tx->proof, &proof);

out_free_witness:
    tacit_witness_free(w, nvars);
out_free_statement:
    sodium_free(t); /* wipes */
    sodium_memzero(digest, sizeof digest);
    if (rc != TACIT_OK) memset(tx, 0, sizeof *tx);
    return rc;
}
