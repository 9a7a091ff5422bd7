/*
 * tacit — building transactions: from the notes a wallet spends and creates, the ext data
 * and a proving key to a complete, proved struct tacit_tx (shared/docs/DESIGN.md 2.3-2.6).
 *
 * The wallet (key store, scanning, note selection, note encryption) grows around this; here
 * are only the pure steps every wallet, test and benchmark needs:
 *  - the key and note derivations of DESIGN 2.3/2.4: nk = Poseidon(sk), pk = Poseidon(nk),
 *    cm = Poseidon(value, pk, blinding), nf = Poseidon(nk, cm, leaf index);
 *  - tacit_txbuild_prove: ext data -> ext_data_hash and public_amount -> the transfer
 *    statement's public inputs -> deposit signature over them -> witness (depth
 *    TACIT_TRANSFER_DEPTH) -> Groth16 proof -> the transaction, in the order the node checks them (include/tacit/chain.h).
 *
 * Secrets (spending keys, values, blindings) are copied only into sodium_malloc memory (guard
 * pages; locked when the system allows it) and wiped with sodium_memzero before it is freed, on
 * every path, success or error: the statement, the circuit's full witness vector
 * (src/zk/r1cs_builder.c) and every prover array computed from it (src/zk/groth16_prove.c);
 * tests/test_txbuild.c checks both through their wipe hooks. Not covered: short-lived stack
 * copies of single field elements inside the gadgets. The caller owns the secrets it passes in.
 */
#ifndef TACIT_TXBUILD_H
#define TACIT_TXBUILD_H

#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/chain.h"
#include "tacit/circuit.h"
#include "tacit/prover.h"
#include "tacit/tree.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A note being spent. value 0 makes it a dummy, at leaf index 0 with no membership (path is
 * ignored): with sk zero, sk and blinding are drawn fresh (so the two nullifiers of a tx differ
 * and reveal nothing); with sk nonzero, the given sk and blinding are used — a wallet draws
 * them itself (tacit_txbuild_random_fr) when it needs the nullifiers before proving, to bind
 * the encrypted outputs to them (include/tacit/note.h). */
struct tacit_txbuild_input {
    tacit_fr sk; /* the note owner's spending key */
    uint64_t value;
    tacit_fr blinding;
    struct tacit_tree_path path; /* the note's leaf index and siblings in the tree at anchor */
};

/* Everything a transaction is made of, before it is proved. */
struct tacit_txbuild {
    uint64_t chain_id;
    uint8_t rollup_id[TACIT_ROLLUP_ID_LEN];
    /* The chain's protocol: 0 or TACIT_TX_VERSION (v1), or TACIT_TX_VERSION_L1 (v2: the
     * digests bind l1_chain_id and rollup_id, the contract; the deposit is signed as EIP-712). */
    uint8_t version;
    uint64_t l1_chain_id;
    tacit_fr anchor; /* a recent note-tree root; the real inputs' paths reach it */
    struct tacit_txbuild_input in[2];
    struct tacit_transfer_output out[2];

    uint64_t fee;
    uint64_t withdrawal_amount; /* 0: no withdrawal (recipient must then be zero) */
    uint8_t withdrawal_recipient[TACIT_ADDRESS_LEN];
    uint64_t deposit_amount; /* 0: no deposit (sender, nonce must then be zero) */
    uint8_t deposit_sender[TACIT_ADDRESS_LEN];
    uint64_t deposit_nonce;
    /* The secp256k1 key that signs the deposit (32 bytes; normally the sender's: a different
     * one makes a tx the node refuses with TACIT_EDEPOSIT_SIG). NULL when there is no deposit. */
    const uint8_t *deposit_sk;

    /* The encrypted outputs, opaque here: TACIT_EPK_BYTES and TACIT_NOTE_CIPHERTEXT_BYTES bytes,
     * or NULL for random bytes of that size (until note encryption exists). */
    const uint8_t *epk;
    const uint8_t *ciphertext[2];
};

/* ------------------------------------------------------------ derivations ---- */

/* A uniform element of Fr: 64 random bytes (libsodium) reduced mod r (DESIGN 2.3), the way
 * spending keys and blindings are drawn. */
void tacit_txbuild_random_fr(tacit_fr *out);

/* The nullifier key nk = Poseidon(sk) and owner key pk = Poseidon(nk) of a spending key.
 * Out: nk (may be NULL), pk (may be NULL). */
void tacit_txbuild_keys(tacit_fr *nk, tacit_fr *pk, const tacit_fr *sk);

/* The note commitment cm = Poseidon(value, pk, blinding). */
void tacit_txbuild_commitment(tacit_fr *cm, uint64_t value, const tacit_fr *pk,
                              const tacit_fr *blinding);

/* The nullifier nf = Poseidon(nk, cm, index) of the note cm at leaf `index`, nk from sk. */
void tacit_txbuild_nullifier(tacit_fr *nf, const tacit_fr *sk, const tacit_fr *cm, uint64_t index);

/* --------------------------------------------------------------- proving ---- */

/*
 * Builds and proves the transaction described by b against the transfer proving key pk
 * (the depth-TACIT_TRANSFER_DEPTH circuit: the node's D/keys/transfer.zkey).
 * The ext data is copied from b (random epk/ciphertexts where b has NULL), the deposit signed
 * over tacit_tx_deposit_digest when deposit_amount != 0, the public inputs are those of
 * tacit_transfer_public_inputs for root = anchor, public_amount = tacit_tx_public_amount and
 * ext_data_hash = tacit_tx_ext_data_hash. Nothing is checked against the rules: an input whose
 * path does not reach the anchor, or unbalanced values, still give a transaction (whose proof
 * does not verify), which is what tests of the node's checks need.
 * Runs the prover on nthreads threads (0: TACIT_THREADS or all CPUs).
 * Returns: TACIT_OK, TACIT_EINVAL (a deposit without deposit_sk, a path index >= 2^32, a
 *          deposit key that is not a valid secp256k1 secret key), TACIT_EOVERFLOW
 *          (withdrawal + fee above 2^64 - 1), TACIT_EWITNESS (pk is not the transfer
 *          circuit's key), TACIT_ENOMEM.
 * Out:     tx (zeroed on failure). stats (may be NULL): the prover's time breakdown.
 */
int tacit_txbuild_prove(struct tacit_tx *tx, const struct tacit_txbuild *b,
                        const tacit_groth16_pk *pk, unsigned nthreads,
                        tacit_groth16_prove_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_TXBUILD_H */
