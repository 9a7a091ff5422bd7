/*
 * tacit — building and proving transactions (include/tacit/txbuild.h) against the real
 * depth-32 transfer circuit: one devnet setup per process (about 2 s in Release, under a
 * minute with sanitizers), then a deposit and a transfer spending one of its outputs at a
 * path computed with include/tacit/tree.h. Each passes the node's static rules and its
 * proof verifies, survives an encode/decode round trip, and fails to verify with a value
 * changed. The derivation helpers agree with the circuit's native public inputs, and every
 * error of tacit_txbuild_prove has its test, and the witness and the prover's arrays are
 * sodium_malloc memory wiped on every path (the wipe hooks). Four proofs in all: proofs are
 * slow under ASan.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/parallel.h"
#include "harness.h"
#include "lib/note.h"
#include "tacit/chain.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/groth16.h"
#include "tacit/prover.h"
#include "tacit/tree.h"
#include "tacit/txbuild.h"
#include "zk/circuit_internal.h"
#include "zk/prover_internal.h"

#define CHAIN_ID 0x7461u

/* --------------------------------------------------------------- the key ---- */

static tacit_groth16_pk *g_pk;
static tacit_groth16_pvk *g_pvk;
static bool g_ready, g_tried;

static bool key(void)
{
    tacit_r1cs r1cs;
    tacit_groth16_vk *vk = NULL;

    if (g_tried) return g_ready;
    g_tried = true;
    CHECK_EQ_INT(tacit_transfer_build(&r1cs, NULL, NULL, NULL, TACIT_TRANSFER_DEPTH), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_setup(&g_pk, &r1cs, 0), TACIT_OK);
    tacit_r1cs_clear(&r1cs);
    if (g_pk == NULL) return false;
    CHECK_EQ_INT(tacit_groth16_pk_vk(&vk, g_pk), TACIT_OK);
    if (vk == NULL) return false;
    CHECK_EQ_INT(tacit_groth16_pvk_new(&g_pvk, vk, NULL), TACIT_OK);
    tacit_groth16_vk_free(vk);
    g_ready = g_pvk != NULL;
    return g_ready;
}

/* ---------------------------------------------------------------- helpers ---- */

static void params(struct tacit_chain_params *p)
{
    memset(p, 0, sizeof *p);
    p->chain_id = CHAIN_ID;
    p->min_fee = 0;
}

/* A secp256k1 account: a random secret key and its address. */
static void account(uint8_t sk[32], uint8_t addr[TACIT_ADDRESS_LEN])
{
    do {
        tacit_test_rand_bytes(sk, 32);
    } while (tacit_address_from_seckey(addr, sk) != TACIT_OK);
}

static bool fr_eq(const tacit_fr *a, const tacit_fr *b) { return tacit_fr_eq(a, b); }

/* The tree of test leaves: node getter for tacit_tree_path with only level 0 stored. */
struct leaves {
    const tacit_fr *v;
    size_t n;
};

static int leaf_get(void *arg, unsigned level, uint64_t index, tacit_fr *out)
{
    const struct leaves *l = arg;
    if (level != 0 || index >= l->n) return TACIT_ENOTFOUND;
    *out = l->v[index];
    return TACIT_OK;
}

/* Root and path of leaf `index` among n leaves. */
static void tree_of(tacit_fr *root, struct tacit_tree_path *path, const tacit_fr *v, size_t n,
                    uint64_t index)
{
    struct tacit_tree_frontier f;
    struct leaves l = {v, n};

    tacit_tree_frontier_init(&f);
    CHECK_EQ_INT(tacit_tree_append(&f, root, v, n, NULL, NULL, 1), TACIT_OK);
    CHECK_EQ_INT(tacit_tree_path(path, index, n, leaf_get, &l, TACIT_TREE_DEPTH + 1), TACIT_OK);
}

/* The checks every valid built tx passes: static rules, proof, encoding round trip. */
static void check_valid(const struct tacit_tx *tx)
{
    struct tacit_chain_params p;
    struct tacit_tx back;
    static uint8_t enc[TACIT_TX_BYTES + 1], enc2[TACIT_TX_BYTES];
    uint8_t id[32], id2[32];

    params(&p);
    CHECK_EQ_INT(tacit_tx_check_static(tx, &p), TACIT_OK);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(tx, g_pvk), TACIT_OK);
    tacit_tx_encode(enc, tx);
    CHECK_EQ_INT(tacit_tx_decode(&back, enc, TACIT_TX_BYTES), TACIT_OK);
    tacit_tx_encode(enc2, &back);
    CHECK_MEM(enc, enc2, TACIT_TX_BYTES);
    CHECK_EQ_INT(back.version, tx->version);
    CHECK(back.chain_id == tx->chain_id);
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++) CHECK(fr_eq(&back.pub[i], &tx->pub[i]));
    CHECK_MEM(back.proof, tx->proof, TACIT_GROTH16_PROOF_BYTES);
    CHECK_MEM(&back.ext.deposit_sig, &tx->ext.deposit_sig, TACIT_DEPOSIT_SIG_BYTES);
    tacit_tx_id(id, tx);
    tacit_tx_id(id2, &back);
    CHECK_MEM(id, id2, 32);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&back, g_pvk), TACIT_OK);
    enc[TACIT_TX_BYTES] = 0;
    CHECK_EQ_INT(tacit_tx_decode(&back, enc, TACIT_TX_BYTES + 1), TACIT_ETRAILING);
}

/* ----------------------------------------------------------------- tests ---- */

/* The helpers compute what the circuit's native public inputs say (nf, cm of DESIGN 2.4). */
TEST(derivations_match_circuit)
{
    struct tacit_transfer t;
    tacit_fr pub[TACIT_TRANSFER_NPUBLIC], pk, cm, nf, nk, nk2;
    uint8_t seed[32];

    for (int it = 0; it < tacit_test_iters(4); it++) {
        tacit_test_rand_bytes(seed, sizeof seed);
        CHECK_EQ_INT(tacit_transfer_example(&t, TACIT_TRANSFER_DEPTH, seed), TACIT_OK);
        CHECK_EQ_INT(tacit_transfer_public_inputs(pub, &t, TACIT_TRANSFER_DEPTH), TACIT_OK);
        for (int i = 0; i < 2; i++) {
            tacit_txbuild_keys(&nk, &pk, &t.in[i].sk);
            tacit_txbuild_keys(&nk2, NULL, &t.in[i].sk);
            CHECK(fr_eq(&nk, &nk2));
            tacit_txbuild_commitment(&cm, t.in[i].value, &pk, &t.in[i].blinding);
            tacit_txbuild_nullifier(&nf, &t.in[i].sk, &cm, t.in[i].path.index);
            CHECK(fr_eq(&nf, &pub[TACIT_TRANSFER_PUB_NF0 + i]));
            /* the index is part of the nullifier */
            tacit_txbuild_nullifier(&nf, &t.in[i].sk, &cm, t.in[i].path.index ^ 1);
            CHECK(!fr_eq(&nf, &pub[TACIT_TRANSFER_PUB_NF0 + i]));
            tacit_txbuild_commitment(&cm, t.out[i].value, &t.out[i].pk, &t.out[i].blinding);
            CHECK(fr_eq(&cm, &pub[TACIT_TRANSFER_PUB_CM0 + i]));
        }
    }
    tacit_txbuild_random_fr(&nk);
    tacit_txbuild_random_fr(&nk2);
    CHECK(!fr_eq(&nk, &nk2));
}

/* A deposit with two dummy inputs against the empty tree, then a transfer spending its first
 * output at its leaf in a tree that holds other leaves too. */
TEST(deposit_then_transfer)
{
    static struct tacit_txbuild b; /* zeroed; large (paths) */
    struct tacit_tx dep, tr, bad;
    struct tacit_chain_params p;
    struct note n0, n1, t0, t1;
    uint8_t sk[32], addr[TACIT_ADDRESS_LEN], digest[32], rec[TACIT_ADDRESS_LEN];
    uint8_t epk[TACIT_EPK_BYTES];
    tacit_fr leaves[6], root, cm;
    const uint64_t amount = 1000000, fee = 7;

    REQUIRE(key(),
            "the transfer proving key could not be made (see the first test that needed it)");
    params(&p);
    account(sk, addr);

    /* deposit: amount - fee into two notes */
    note_new(&n0, 600000);
    note_new(&n1, amount - fee - 600000);
    memset(&b, 0, sizeof b);
    b.chain_id = CHAIN_ID;
    b.anchor = *tacit_tree_zero(TACIT_TREE_DEPTH);
    note_output(&b.out[0], &n0);
    note_output(&b.out[1], &n1);
    b.fee = fee;
    b.deposit_amount = amount;
    memcpy(b.deposit_sender, addr, sizeof addr);
    b.deposit_nonce = 0;
    b.deposit_sk = sk;
    tacit_test_rand_bytes(epk, sizeof epk);
    b.epk = epk;
    CHECK_EQ_INT(tacit_txbuild_prove(&dep, &b, g_pk, 0, NULL), TACIT_OK);
    check_valid(&dep);
    CHECK_MEM(dep.ext.epk, epk, sizeof epk);
    CHECK(fr_eq(&dep.pub[TACIT_TRANSFER_PUB_CM0], &n0.cm));
    CHECK(fr_eq(&dep.pub[TACIT_TRANSFER_PUB_CM1], &n1.cm));
    CHECK(fr_eq(&dep.pub[TACIT_TRANSFER_PUB_ROOT], tacit_tree_zero(TACIT_TREE_DEPTH)));
    /* the signature recovers to the sender over the deposit digest (the public inputs) */
    tacit_tx_deposit_digest(digest, &dep, b.rollup_id);
    CHECK_EQ_INT(tacit_deposit_recover(rec, dep.ext.deposit_sig, digest), TACIT_OK);
    CHECK_MEM(rec, addr, sizeof addr);

    /* a changed value breaks the proof: out0 claimed one unit richer */
    bad = dep;
    tacit_txbuild_commitment(&cm, n0.value + 1, &n0.pk, &n0.blinding);
    bad.pub[TACIT_TRANSFER_PUB_CM0] = cm;
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&bad, g_pvk), TACIT_EVERIFY);
    /* ... as does a changed ext data (the node first sees the hash differ) */
    bad = dep;
    bad.ext.fee = fee - 1;
    CHECK_EQ_INT(tacit_tx_check_static(&bad, &p), TACIT_EEXT_DATA_HASH);

    /* the tree: 3 other leaves, then the deposit's two commitments (n0 at index 3) */
    for (int i = 0; i < 3; i++) tacit_txbuild_random_fr(&leaves[i]);
    leaves[3] = dep.pub[TACIT_TRANSFER_PUB_CM0];
    leaves[4] = dep.pub[TACIT_TRANSFER_PUB_CM1];
    memset(&b, 0, sizeof b);
    tree_of(&root, &b.in[0].path, leaves, 5, 3);
    b.chain_id = CHAIN_ID;
    b.anchor = root;
    b.in[0].sk = n0.sk;
    b.in[0].value = n0.value;
    b.in[0].blinding = n0.blinding;
    /* the dummy input with a key chosen beforehand: its nullifier is known before proving */
    tacit_txbuild_random_fr(&b.in[1].sk);
    tacit_txbuild_random_fr(&b.in[1].blinding);
    note_new(&t0, 100000);
    note_new(&t1, n0.value - 100000 - fee);
    note_output(&b.out[0], &t0);
    note_output(&b.out[1], &t1);
    b.fee = fee;
    CHECK_EQ_INT(tacit_txbuild_prove(&tr, &b, g_pk, 0, NULL), TACIT_OK);
    check_valid(&tr);
    tacit_txbuild_nullifier(&cm, &n0.sk, &n0.cm, 3);
    CHECK(fr_eq(&tr.pub[TACIT_TRANSFER_PUB_NF0], &cm));
    CHECK(fr_eq(&tr.pub[TACIT_TRANSFER_PUB_ROOT], &root));
    CHECK(!fr_eq(&tr.pub[TACIT_TRANSFER_PUB_NF1], &dep.pub[TACIT_TRANSFER_PUB_NF1]));
    {
        tacit_fr dpk, dcm, dnf;
        tacit_txbuild_keys(NULL, &dpk, &b.in[1].sk);
        tacit_txbuild_commitment(&dcm, 0, &dpk, &b.in[1].blinding);
        tacit_txbuild_nullifier(&dnf, &b.in[1].sk, &dcm, 0);
        CHECK(fr_eq(&tr.pub[TACIT_TRANSFER_PUB_NF1], &dnf));
    }

    /* a changed value breaks the proof: the output value raised, the commitment recomputed */
    bad = tr;
    tacit_txbuild_commitment(&cm, t1.value + 1, &t1.pk, &t1.blinding);
    bad.pub[TACIT_TRANSFER_PUB_CM1] = cm;
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&bad, g_pvk), TACIT_EVERIFY);
    /* and the proof is bound to its anchor */
    bad = tr;
    bad.pub[TACIT_TRANSFER_PUB_ROOT] = *tacit_tree_zero(TACIT_TREE_DEPTH);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&bad, g_pvk), TACIT_EVERIFY);
    sodium_memzero(sk, sizeof sk);
}

/* b: a transfer spending a fresh note n of in_value (the tree's only leaf) into a fresh note
 * o of out_value, no fee. */
static void one_note_spend(struct tacit_txbuild *b, struct note *n, struct note *o,
                           uint64_t in_value, uint64_t out_value)
{
    note_new(n, in_value);
    memset(b, 0, sizeof *b);
    tree_of(&b->anchor, &b->in[0].path, &n->cm, 1, 0);
    b->chain_id = CHAIN_ID;
    b->in[0].sk = n->sk;
    b->in[0].value = n->value;
    b->in[0].blinding = n->blinding;
    note_new(o, out_value);
    note_output(&b->out[0], o);
}

/* Spending more than the note holds: built (txbuild checks no rule), but the proof fails. */
/* A v2 deposit (a chain that settles on L1): the wallet fills in v2's ext hash and signs the
 * EIP-712 digest; the v2 chain's rules take it, a v1 chain's refuse it; the proof verifies. */
TEST(deposit_v2)
{
    static struct tacit_txbuild b;
    struct tacit_tx dep;
    struct tacit_chain_params p2;
    struct note n0, n1;
    uint8_t sk[32], addr[TACIT_ADDRESS_LEN], digest[32], rec[TACIT_ADDRESS_LEN];

    REQUIRE(key(),
            "the transfer proving key could not be made (see the first test that needed it)");
    params(&p2);
    p2.tx_version = TACIT_TX_VERSION_L1;
    p2.l1_chain_id = 31337;
    memset(p2.rollup_id, 0xab, sizeof p2.rollup_id);
    account(sk, addr);
    note_new(&n0, 400);
    note_new(&n1, 590);
    memset(&b, 0, sizeof b);
    b.chain_id = CHAIN_ID;
    b.version = TACIT_TX_VERSION_L1;
    b.l1_chain_id = p2.l1_chain_id;
    memcpy(b.rollup_id, p2.rollup_id, sizeof b.rollup_id);
    b.anchor = *tacit_tree_zero(TACIT_TREE_DEPTH);
    note_output(&b.out[0], &n0);
    note_output(&b.out[1], &n1);
    b.fee = 10;
    b.deposit_amount = 1000;
    memcpy(b.deposit_sender, addr, sizeof addr);
    b.deposit_sk = sk;
    CHECK_EQ_INT(tacit_txbuild_prove(&dep, &b, g_pk, 0, NULL), TACIT_OK);
    CHECK_EQ_INT(dep.version, TACIT_TX_VERSION_L1);
    CHECK_EQ_INT(tacit_tx_check_static(&dep, &p2), TACIT_OK);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&dep, g_pvk), TACIT_OK);
    tacit_tx_deposit_digest_v2(digest, &dep, p2.l1_chain_id, p2.rollup_id);
    CHECK_EQ_INT(tacit_deposit_recover(rec, dep.ext.deposit_sig, digest), TACIT_OK);
    CHECK_MEM(rec, addr, sizeof addr);
    p2.tx_version = TACIT_TX_VERSION;
    CHECK_EQ_INT(tacit_tx_check_static(&dep, &p2), TACIT_EVERSION);
    b.version = 3;
    CHECK_EQ_INT(tacit_txbuild_prove(&dep, &b, g_pk, 0, NULL), TACIT_EVERSION);
}

TEST(unbalanced_proof_fails)
{
    static struct tacit_txbuild b;
    struct tacit_tx tx;
    struct tacit_chain_params p;
    struct note n, o;

    REQUIRE(key(),
            "the transfer proving key could not be made (see the first test that needed it)");
    params(&p);
    one_note_spend(&b, &n, &o, 500, 501); /* one more than the input */
    CHECK_EQ_INT(tacit_txbuild_prove(&tx, &b, g_pk, 0, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &p), TACIT_OK); /* public data is consistent */
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&tx, g_pvk), TACIT_EVERIFY);
}

/* Every error of tacit_txbuild_prove, each before any proving work, with tx zeroed. */
TEST(prove_errors)
{
    static struct tacit_txbuild b;
    static const uint8_t zero_tx[sizeof(struct tacit_tx)];
    static struct tacit_tx tx;
    static const uint8_t zero_sk[32];
    tacit_groth16_pk fake;
    uint8_t sk[32], addr[TACIT_ADDRESS_LEN];

    REQUIRE(key(),
            "the transfer proving key could not be made (see the first test that needed it)");
    account(sk, addr);

    /* a deposit with no signing key */
    memset(&b, 0, sizeof b);
    b.chain_id = CHAIN_ID;
    b.anchor = *tacit_tree_zero(TACIT_TREE_DEPTH);
    b.deposit_amount = 5;
    memcpy(b.deposit_sender, addr, sizeof addr);
    memset(&tx, 0xA5, sizeof tx);
    CHECK_EQ_INT(tacit_txbuild_prove(&tx, &b, g_pk, 0, NULL), TACIT_EINVAL);
    CHECK_MEM(&tx, zero_tx, sizeof tx);

    /* a signing key that is not a secp256k1 secret key (zero) */
    b.deposit_sk = zero_sk;
    memset(&tx, 0xA5, sizeof tx);
    CHECK_EQ_INT(tacit_txbuild_prove(&tx, &b, g_pk, 0, NULL), TACIT_EINVAL);
    CHECK_MEM(&tx, zero_tx, sizeof tx);

    /* a leaf index beyond the tree */
    memset(&b, 0, sizeof b);
    b.chain_id = CHAIN_ID;
    b.in[1].value = 3;
    b.in[1].path.index = TACIT_TREE_MAX_LEAVES;
    CHECK_EQ_INT(tacit_txbuild_prove(&tx, &b, g_pk, 0, NULL), TACIT_EINVAL);
    CHECK_MEM(&tx, zero_tx, sizeof tx);

    /* withdrawal + fee above 2^64 - 1 */
    memset(&b, 0, sizeof b);
    b.chain_id = CHAIN_ID;
    b.fee = 2;
    b.withdrawal_amount = UINT64_MAX;
    memcpy(b.withdrawal_recipient, addr, sizeof addr);
    memset(&tx, 0xA5, sizeof tx);
    CHECK_EQ_INT(tacit_txbuild_prove(&tx, &b, g_pk, 0, NULL), TACIT_EOVERFLOW);
    CHECK_MEM(&tx, zero_tx, sizeof tx);

    /* a key of another circuit */
    memset(&b, 0, sizeof b);
    b.chain_id = CHAIN_ID;
    fake = *g_pk;
    fake.nvars = g_pk->nvars - 1;
    memset(&tx, 0xA5, sizeof tx);
    CHECK_EQ_INT(tacit_txbuild_prove(&tx, &b, &fake, 0, NULL), TACIT_EWITNESS);
    CHECK_MEM(&tx, zero_tx, sizeof tx);
    sodium_memzero(sk, sizeof sk);
}

/* ----------------------------------------------------------- the wipes ---- */

/* What the wipe hooks saw: every buffer zero, each followed by a guard page (no access), which
 * is how sodium_malloc memory ends (plain malloc memory is followed by more heap). */
struct wipes {
    int calls, nonzero, unguarded;
    size_t largest;
    size_t expect; /* a length to look for (the final witness's) */
    int expect_seen;
};
static struct wipes g_witness_wipes, g_prover_wipes;

/* Whether the page at addr is mapped with no access (/proc/self/maps: "---p"). */
static bool guard_page_at(uintptr_t addr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    bool guard = false;
    if (f == NULL) return false;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi) {
            guard = strncmp(perms, "---", 3) == 0;
            break;
        }
    }
    fclose(f);
    return guard;
}

static void wipe_seen(struct wipes *w, const void *p, size_t len)
{
    const uint8_t *b = p;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE),
              end = ((uintptr_t)b + len + page - 1) & ~(page - 1);
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++) acc |= b[i];
    w->calls++;
    w->nonzero += acc != 0;
    w->unguarded += !guard_page_at(end);
    if (len > w->largest) w->largest = len;
    w->expect_seen += len == w->expect;
}

static void witness_wiped(const void *p, size_t len) { wipe_seen(&g_witness_wipes, p, len); }
static void prover_wiped(const void *p, size_t len) { wipe_seen(&g_prover_wipes, p, len); }

/* The witness (sk, values, blindings and all that follows from them) and every prover array
 * computed from it are sodium_malloc memory, wiped on the error path and after a proof. */
TEST(prove_wipes_witness)
{
    static struct tacit_txbuild b;
    struct tacit_tx tx;
    tacit_groth16_pk fake;
    struct note n, o;

    if (!key()) return;
    memset(&g_witness_wipes, 0, sizeof g_witness_wipes);
    memset(&g_prover_wipes, 0, sizeof g_prover_wipes);
    g_witness_wipes.expect = (size_t)g_pk->nvars * sizeof(tacit_fr);
    tacit__witness_wipe_hook = witness_wiped;
    tacit__groth16_prove_wipe_hook = prover_wiped;

    /* the error after the witness is built: a key of another circuit */
    one_note_spend(&b, &n, &o, 500, 500);
    fake = *g_pk;
    fake.nvars = g_pk->nvars - 1;
    CHECK_EQ_INT(tacit_txbuild_prove(&tx, &b, &fake, 0, NULL), TACIT_EWITNESS);
    CHECK(g_witness_wipes.calls >= 2); /* the blocks the builder outgrew, then the witness */
    CHECK_EQ_INT(g_witness_wipes.expect_seen, 1); /* the whole witness, handed over exactly */
    CHECK_EQ_INT(g_witness_wipes.nonzero, 0);
    CHECK_EQ_INT(g_witness_wipes.unguarded, 0);
    CHECK_EQ_INT(g_prover_wipes.calls, 0); /* no proving started */

    /* a proof: the witness; a, b, c with the limbs; the five MSMs' window sums; the MSM
     * scratch of each thread that ran a window */
    memset(&g_witness_wipes, 0, sizeof g_witness_wipes);
    g_witness_wipes.expect = (size_t)g_pk->nvars * sizeof(tacit_fr);
    CHECK_EQ_INT(tacit_txbuild_prove(&tx, &b, g_pk, 0, NULL), TACIT_OK);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&tx, g_pvk), TACIT_OK);
    CHECK_EQ_INT(g_witness_wipes.expect_seen, 1);
    CHECK_EQ_INT(g_witness_wipes.nonzero, 0);
    CHECK_EQ_INT(g_witness_wipes.unguarded, 0);
    CHECK(g_prover_wipes.calls >= 3 && g_prover_wipes.calls <= 2 + (int)tacit__nthreads_default());
    CHECK(g_prover_wipes.largest >= 3 * g_pk->domain_size * sizeof(tacit_fr));
    CHECK_EQ_INT(g_prover_wipes.nonzero, 0);
    CHECK_EQ_INT(g_prover_wipes.unguarded, 0);

    tacit__witness_wipe_hook = NULL;
    tacit__groth16_prove_wipe_hook = NULL;
}

/* Releases the shared key (last, so leak checkers see a clean exit). */
TEST(txbuild_cleanup)
{
    tacit_groth16_pvk_free(g_pvk);
    tacit_groth16_pk_free(g_pk);
    g_pvk = NULL;
    g_pk = NULL;
    g_ready = g_tried = false;
}

static const struct tacit_test tests[] = {
    {"derivations_match_circuit", derivations_match_circuit},
    {"prove_errors", prove_errors},
    {"deposit_then_transfer", deposit_then_transfer},
    {"deposit_v2", deposit_v2},
    {"unbalanced_proof_fails", unbalanced_proof_fails},
    {"prove_wipes_witness", prove_wipes_witness},
    {"txbuild_cleanup", txbuild_cleanup},
};

TACIT_TEST_MAIN(tests)
