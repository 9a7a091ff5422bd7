/*
 * tacit — the protocol (src/chain, docs/protocol.md): keccak-256 and Ethereum addresses against
 * published values, the tx and block encodings (round trips, every decoding error), tx ids and
 * the ext-data digest, deposit signatures, every rule of the tx and block paths with its named
 * error on an otherwise valid object (and nothing changed after a failure), the block builder,
 * and real Groth16 proofs of the depth-32 transfer circuit through the block path.
 *
 * The rules run on the in-memory state (include/tacit/view.h); the tests of what a commit
 * writes, and the end-to-end ones, on LMDB stores; memstate_and_store_agree runs random blocks
 * through both and compares every result. Stores live in fresh directories under TMPDIR
 * (default /tmp), removed at the end.
 * One devnet setup per run (lazily, only for the tests that need proofs).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/badproof.h"
#include "tacit/chain.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"
#include "tacit/state.h"
#include "tacit/tree.h"
#include "tacit/util.h"
#include "zk/groth16_synth.h"

#define CREDIT_BYTES (TACIT_ADDRESS_LEN + 8)
/* Offsets in the tx encoding (docs/protocol.md, section 2), written out independently. */
#define OFF_PUB 9
#define OFF_PROOF 233
#define OFF_EXTLEN 489
#define OFF_EXT 493
#define EXT_WADDR 16
#define EXT_DEPOSIT 36
#define EXT_SENDER 44
#define EXT_NONCE 64
#define EXT_SIG 72
#define EXT_EPK 137
#define EXT_CTLEN0 169
#define EXT_CTLEN1 742

static const uint8_t SEQ_SK[32] = {0x5e, 0x9a, 1,  2,  3,  4,  5,  6,  7,  8,  9,
                                   10,   11,   12, 13, 14, 15, 16, 17, 18, 19, 20,
                                   21,   22,   23, 24, 25, 26, 27, 28, 29, 30};
static const uint8_t SENDER_SK[32] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 9, 9,   9,
                                      9,    9,    9,    9,    9,    9,    9,    9,    9, 9,   9,
                                      9,    9,    9,    9,    9,    9,    9,    9,    9, 0x42};
/* r, the BN254 scalar field modulus, big-endian */
static const uint8_t R_BE[32] = {0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45,
                                 0xb6, 0x81, 0x81, 0x58, 0x5d, 0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9,
                                 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01};
/* n, the secp256k1 group order, big-endian */
static const uint8_t N_BE[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

static struct tacit_chain_params P;
static struct tacit_sequencer_key *SEQ;
static uint8_t SENDER[TACIT_ADDRESS_LEN];
static tacit_fr EMPTY_ROOT;
/* A synthetic key for 7 inputs (zk/groth16_synth.h): valid proofs of anything, cheaply. */
static tacit__groth16_trapdoor *SYN_TD;
static tacit_groth16_pvk *SYN_PVK;
static tacit_groth16_vk *SYN_VK;

/* ------------------------------------------------------------------ helpers ---- */

static void hex_to(uint8_t *out, const char *hex, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        CHECK(sscanf(hex + 2 * i, "%2x", &v) == 1);
        out[i] = (uint8_t)v;
    }
}

static struct tacit_sequencer_key *OTHER_KEY;

static void cleanup(void)
{
    tacit_sequencer_key_free(SEQ);
    tacit_sequencer_key_free(OTHER_KEY);
    tacit_groth16_pvk_free(SYN_PVK);
    tacit_groth16_vk_free(SYN_VK);
    tacit__groth16_trapdoor_free(SYN_TD);
}

static void setup_params(void)
{
    struct tacit_tree_frontier f;
    uint8_t xonly[32];
    if (SEQ != NULL) return;
    atexit(cleanup);
    memset(&P, 0, sizeof P);
    P.chain_id = 0x7ac17;
    for (int i = 0; i < TACIT_ROLLUP_ID_LEN; i++) P.rollup_id[i] = (uint8_t)(0xc0 + i);
    CHECK_EQ_INT(tacit_sequencer_key_new(&SEQ, SEQ_SK), TACIT_OK);
    tacit_sequencer_key_public(SEQ, xonly, P.fee_recipient);
    memcpy(P.sequencer, xonly, 32);
    P.min_fee = 10;
    P.allow_credits = true;
    CHECK_EQ_INT(tacit_address_from_seckey(SENDER, SENDER_SK), TACIT_OK);
    tacit_tree_frontier_init(&f);
    tacit_tree_frontier_root(&EMPTY_ROOT, &f);
}

static void rand_fr(tacit_fr *r)
{
    uint8_t w[64];
    tacit_test_rand_bytes(w, sizeof w);
    tacit_fr_from_wide(r, w);
}

static uint64_t rand_below(uint64_t n) { return tacit_test_rand64() % n; }

/* Sets ext_data_hash and public_amount from the ext data, then signs a deposit with sk (over
 * the public inputs, so last). */
static void tx_finish_with(struct tacit_tx *tx, const uint8_t *sk,
                           const struct tacit_chain_params *p)
{
    uint8_t d[32];
    tacit_tx_ext_data_hash_of(&tx->pub[2], tx, p);
    CHECK_EQ_INT(tacit_tx_public_amount(&tx->pub[1], &tx->ext), TACIT_OK);
    if (tx->ext.deposit_amount > 0 && sk != NULL) {
        tacit_tx_deposit_digest_of(d, tx, p);
        CHECK_EQ_INT(tacit_deposit_sign(tx->ext.deposit_sig, sk, d), TACIT_OK);
    }
}

static void tx_finish(struct tacit_tx *tx, const uint8_t *sk) { tx_finish_with(tx, sk, &P); }

/* A tx that passes tacit_tx_check_static (any proof bytes): random nullifiers, commitments and
 * ciphertexts, a deposit from SENDER of `deposit` (nonce `nonce`), a withdrawal to a random
 * address, the given fee. root = the empty tree's. */
static void make_tx(struct tacit_tx *tx, uint64_t deposit, uint64_t nonce, uint64_t withdrawal,
                    uint64_t fee)
{
    memset(tx, 0, sizeof *tx);
    tx->version = TACIT_TX_VERSION;
    tx->chain_id = P.chain_id;
    tx->pub[0] = EMPTY_ROOT;
    for (int i = 3; i < 7; i++) rand_fr(&tx->pub[i]);
    tacit_test_rand_bytes(tx->proof, sizeof tx->proof);
    tx->ext.fee = fee;
    tx->ext.withdrawal_amount = withdrawal;
    if (withdrawal > 0) {
        tacit_test_rand_bytes(tx->ext.withdrawal_recipient, TACIT_ADDRESS_LEN);
        tx->ext.withdrawal_recipient[0] |= 1;
    }
    tx->ext.deposit_amount = deposit;
    if (deposit > 0) {
        memcpy(tx->ext.deposit_sender, SENDER, TACIT_ADDRESS_LEN);
        tx->ext.deposit_nonce = nonce;
    }
    tacit_test_rand_bytes(tx->ext.epk, TACIT_EPK_BYTES);
    tacit_test_rand_bytes(tx->ext.ciphertext[0], TACIT_NOTE_CIPHERTEXT_BYTES);
    tacit_test_rand_bytes(tx->ext.ciphertext[1], TACIT_NOTE_CIPHERTEXT_BYTES);
    tx_finish(tx, SENDER_SK);
}

static void make_random_tx(struct tacit_tx *tx)
{
    uint64_t dep = rand_below(3) ? rand_below(1000000) + 1 : 0;
    uint64_t wd = rand_below(3) ? rand_below(1000000) + 1 : 0;
    make_tx(tx, dep, dep ? rand_below(5) : 0, wd, P.min_fee + rand_below(100));
    tx->pub[0] = tx->pub[3]; /* any root */
    tx_finish(tx, SENDER_SK);
}

static bool tx_eq(const struct tacit_tx *a, const struct tacit_tx *b)
{
    uint8_t ea[TACIT_TX_BYTES], eb[TACIT_TX_BYTES];
    tacit_tx_encode(ea, a);
    tacit_tx_encode(eb, b);
    return memcmp(ea, eb, sizeof ea) == 0 && a->version == b->version &&
           a->chain_id == b->chain_id && tacit_fr_eq(&a->pub[6], &b->pub[6]) &&
           a->ext.deposit_nonce == b->ext.deposit_nonce;
}

/* The block encoding, written here independently of src/chain (docs/protocol.md section 4). */
static uint8_t *encode_block(size_t *len, const struct tacit_block_header *h,
                             const struct tacit_credit *c, size_t nc, const struct tacit_tx *txs,
                             size_t ntxs)
{
    size_t n = TACIT_BLOCK_HEADER_BYTES + 8 + nc * CREDIT_BYTES + ntxs * (4 + TACIT_TX_BYTES);
    uint8_t *b = malloc(n), *p = b;
    tacit_block_header_encode(p, h);
    p += TACIT_BLOCK_HEADER_BYTES;
    for (int k = 0; k < 4; k++) *p++ = (uint8_t)(nc >> (8 * k));
    for (size_t i = 0; i < nc; i++) {
        memcpy(p, c[i].address, TACIT_ADDRESS_LEN);
        for (int k = 0; k < 8; k++) p[TACIT_ADDRESS_LEN + k] = (uint8_t)(c[i].amount >> (8 * k));
        p += CREDIT_BYTES;
    }
    for (int k = 0; k < 4; k++) *p++ = (uint8_t)(ntxs >> (8 * k));
    for (size_t i = 0; i < ntxs; i++) {
        for (int k = 0; k < 4; k++) *p++ = (uint8_t)((uint32_t)TACIT_TX_BYTES >> (8 * k));
        tacit_tx_encode(p, &txs[i]);
        p += TACIT_TX_BYTES;
    }
    *len = n;
    return b;
}

/* --------------------------------------------------------------- chain states ---- */

/* The state a test runs on: the in-memory state (include/tacit/view.h) for the rules, the LMDB
 * store for what a commit writes. Every helper below works on both. */
enum backend { MEM, LMDB };

struct tchain {
    struct tacit_memstate *ms;   /* MEM */
    struct tacit_memview *mv;    /* MEM: the view of the open builder or chain_view */
    struct tacit_state *st;      /* LMDB */
    struct tacit_state_view *sv; /* LMDB: the view of chain_view */
    char dir[256];
};

static struct tchain *chain_open(enum backend kind, uint32_t root_history)
{
    struct tchain *c = calloc(1, sizeof *c);
    if (c == NULL) abort();
    if (kind == MEM) {
        CHECK_EQ_INT(tacit_memstate_new(&c->ms, root_history), TACIT_OK);
    } else {
        struct tacit_state_options o;
        const char *tmp = getenv("TMPDIR");
        snprintf(c->dir, sizeof c->dir, "%s/tacit-chain-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        CHECK(mkdtemp(c->dir) != NULL);
        tacit_state_options_init(&o);
        o.chain_id = P.chain_id;
        o.flags = TACIT_STATE_NOSYNC;
        o.root_history = root_history;
        CHECK_EQ_INT(tacit_state_open(&c->st, c->dir, &o), TACIT_OK);
        if (c->st == NULL) abort(); /* the checks above say why */
    }
    return c;
}

static void chain_close(struct tchain *c)
{
    static const char *const files[] = {"data.mdb", "lock.mdb"};
    char p[512];
    if (c == NULL) return;
    tacit_memview_free(c->mv);
    tacit_memstate_free(c->ms);
    tacit_state_view_free(c->sv);
    if (c->st != NULL) {
        tacit_state_close(c->st);
        for (size_t i = 0; i < 2; i++) {
            snprintf(p, sizeof p, "%s/%s", c->dir, files[i]);
            unlink(p);
        }
        rmdir(c->dir);
    }
    free(c);
}

static void chain_tip(struct tchain *c, struct tacit_view_tip *tip)
{
    if (c->ms != NULL) {
        tacit_memstate_tip(c->ms, tip, NULL);
    } else {
        struct tacit_state_tip t;
        CHECK_EQ_INT(tacit_state_tip(c->st, &t), TACIT_OK);
        tip->next_height = t.next_height;
        memcpy(tip->hash, t.hash, 32);
        tip->digests = t.digests;
    }
}

static struct tacit_account chain_account(struct tchain *c, const uint8_t *address)
{
    struct tacit_account a = {0, 0};
    if (c->ms != NULL)
        CHECK_EQ_INT(tacit_memstate_account(c->ms, address, &a), TACIT_OK);
    else
        CHECK_EQ_INT(tacit_state_account(c->st, address, &a), TACIT_OK);
    return a;
}

/* A view of the committed state (one at a time), freed by chain_view_free. */
static void chain_view(struct tchain *c, struct tacit_view *v)
{
    if (c->ms != NULL) {
        tacit_memview_free(c->mv);
        CHECK_EQ_INT(tacit_memstate_view_new(c->ms, &c->mv), TACIT_OK);
        tacit_memview_view(c->mv, v);
    } else {
        tacit_state_view_free(c->sv);
        CHECK_EQ_INT(tacit_state_view_new(c->st, &c->sv), TACIT_OK);
        tacit_state_view_as_view(c->sv, v);
    }
}

static void chain_view_free(struct tchain *c)
{
    tacit_memview_free(c->mv);
    c->mv = NULL;
    tacit_state_view_free(c->sv);
    c->sv = NULL;
}

static int chain_check_state(struct tchain *c, const struct tacit_tx *tx)
{
    struct tacit_view v;
    int rc;
    if (c->st != NULL) return tacit_tx_check_state_store(c->st, tx);
    chain_view(c, &v);
    rc = tacit_tx_check_state(&v, tx);
    chain_view_free(c);
    return rc;
}

/* The block path: tacit_block_apply on the store; on the in-memory state, decode +
 * tacit_block_apply_view + tacit_memstate_commit. */
static int chain_apply(struct tchain *c, const uint8_t *bytes, size_t len,
                       const struct tacit_chain_params *p, const tacit_groth16_pvk *pvk, long *bad)
{
    struct tacit_block *b = NULL;
    struct tacit_view v;
    uint64_t ts;
    int rc;
    if (c->st != NULL) return tacit_block_apply(c->st, bytes, len, p, pvk, bad);
    if (bad != NULL) *bad = -1;
    if ((rc = tacit_block_decode(&b, bytes, len)) != TACIT_OK) return rc;
    chain_view(c, &v);
    tacit_memstate_tip(c->ms, NULL, &ts);
    rc = tacit_block_apply_view(&v, ts, b, p, pvk, bad);
    if (rc == TACIT_OK) rc = tacit_memstate_commit(c->ms, c->mv, b->hash, b->header.timestamp_ms);
    chain_view_free(c);
    tacit_block_free(b);
    return rc;
}

/* A builder on the tip (its view held by c until chain_builder_done). */
static int chain_builder(struct tchain *c, struct tacit_block_builder **b,
                         const struct tacit_chain_params *p)
{
    struct tacit_view v;
    uint64_t ts;
    if (c->st != NULL) return tacit_block_builder_new(b, c->st, p);
    chain_view(c, &v);
    tacit_memstate_tip(c->ms, NULL, &ts);
    return tacit_block_builder_new_view(b, &v, ts, p);
}

/* Commits a sealed builder's block. */
static int chain_builder_commit(struct tchain *c, struct tacit_block_builder *b)
{
    struct tacit_block_header h;
    uint8_t hash[32];
    int rc;
    if (c->st != NULL) return tacit_block_builder_commit(b);
    if ((rc = tacit_block_builder_header(b, &h, hash)) != TACIT_OK) return rc;
    return tacit_memstate_commit(c->ms, c->mv, hash, h.timestamp_ms);
}

/* Frees the builder, then its view. */
static void chain_builder_done(struct tchain *c, struct tacit_block_builder *b)
{
    tacit_block_builder_free(b);
    chain_view_free(c);
}

/* A block on the tip of st, signed by SEQ, with the right tx root; digests as given (or of an
 * empty block on the tip when d is NULL). */
static uint8_t *make_block(struct tchain *st, size_t *len, const struct tacit_credit *c, size_t nc,
                           const struct tacit_tx *txs, size_t ntxs,
                           const struct tacit_state_digests *d, uint64_t ts)
{
    struct tacit_block_header h;
    struct tacit_view_tip tip;
    uint8_t(*ids)[32] = calloc(ntxs + 1, 32);
    uint8_t *b;

    chain_tip(st, &tip);
    memset(&h, 0, sizeof h);
    h.version = TACIT_BLOCK_VERSION;
    h.chain_id = P.chain_id;
    h.height = tip.next_height;
    memcpy(h.parent, tip.hash, 32);
    h.timestamp_ms = ts;
    for (size_t i = 0; i < ntxs; i++) tacit_tx_id(ids[i], &txs[i]);
    tacit_block_tx_root(h.tx_root, (const uint8_t(*)[32])ids, ntxs, c, nc);
    h.digests = d ? *d : tip.digests;
    CHECK_EQ_INT(tacit_block_sign(&h, SEQ), TACIT_OK);
    b = encode_block(len, &h, c, nc, txs, ntxs);
    free(ids);
    return b;
}

/* Rewrites the header of an encoded block after f changed it, signed again by key. */
static void reheader(uint8_t *block, size_t len, void (*f)(struct tacit_block_header *),
                     const struct tacit_sequencer_key *key)
{
    struct tacit_block *b;
    CHECK_EQ_INT(tacit_block_decode(&b, block, len), TACIT_OK);
    if (b == NULL) return;
    f(&b->header);
    if (key != NULL) CHECK_EQ_INT(tacit_block_sign(&b->header, key), TACIT_OK);
    tacit_block_header_encode(block, &b->header);
    tacit_block_free(b);
}

/* Commits a block of credits and txs with the builder; returns its result. */
static int build_commit(struct tchain *st, const struct tacit_credit *c, size_t nc,
                        const struct tacit_tx *txs, size_t ntxs, uint64_t ts)
{
    struct tacit_block_builder *b;
    uint8_t enc[TACIT_TX_BYTES];
    int rc;
    if ((rc = chain_builder(st, &b, &P)) != TACIT_OK) {
        chain_view_free(st);
        return rc;
    }
    for (size_t i = 0; i < nc && rc == TACIT_OK; i++) rc = tacit_block_builder_add_credit(b, &c[i]);
    for (size_t i = 0; i < ntxs && rc == TACIT_OK; i++) {
        tacit_tx_encode(enc, &txs[i]);
        rc = tacit_block_builder_add_tx(b, &txs[i], enc, sizeof enc);
    }
    if (rc == TACIT_OK) rc = tacit_block_builder_seal(b, SEQ, ts, NULL, NULL, NULL);
    if (rc == TACIT_OK) rc = chain_builder_commit(st, b);
    chain_builder_done(st, b);
    return rc;
}

/* A state with block 0 committed: SENDER credited with `fund` (the empty root is an anchor). */
static struct tchain *chain_funded(enum backend kind, uint64_t fund)
{
    struct tchain *st = chain_open(kind, 0);
    struct tacit_credit c = {.amount = fund};
    memcpy(c.address, SENDER, TACIT_ADDRESS_LEN);
    CHECK_EQ_INT(build_commit(st, &c, 1, NULL, 0, 1000), TACIT_OK);
    return st;
}

static bool digests_eq(const struct tacit_state_digests *a, const struct tacit_state_digests *b)
{
    return tacit_fr_eq(&a->note_root, &b->note_root) &&
           a->commitment_count == b->commitment_count &&
           memcmp(a->nullifier_digest, b->nullifier_digest, 32) == 0 &&
           memcmp(a->transparent_digest, b->transparent_digest, 32) == 0;
}

static bool tips_eq(const struct tacit_view_tip *a, const struct tacit_view_tip *b)
{
    return a->next_height == b->next_height && memcmp(a->hash, b->hash, 32) == 0 &&
           digests_eq(&a->digests, &b->digests);
}

/* ------------------------------------------------------------------ keccak ---- */

TEST(keccak_known_answers)
{
    /* "" and "abc": the published Keccak-256 values (Ethereum's keccak256); the rest from
     * js-sha3 0.8.0 (`keccak256(Buffer of i % 251 for i < n)`), an independent implementation,
     * around the 136-byte rate and over several blocks. */
    static const struct {
        long n; /* -1: "abc" */
        const char *hex;
    } v[] = {
        {0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
        {-1, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
        {135, "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62"},
        {136, "7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e"},
        {137, "ac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db"},
        {200, "bfb0aa97863e797943cf7c33bb7e880bb4543f3d2703c0923c6901c2af57b890"},
        {272, "8e2476e65823b24d96ebe239f2c1534cdf763e689e2410c3b1cb0c74e6177bfc"},
        {1000, "af692982e84a5a9688359025660a7857cd28ee7c8d867cfa1677baf2e6d1f63b"},
    };
    uint8_t msg[1000], got[32], want[32];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i % 251);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        hex_to(want, v[i].hex, 32);
        if (v[i].n < 0)
            tacit_keccak256(got, (const uint8_t *)"abc", 3);
        else
            tacit_keccak256(got, msg, (size_t)v[i].n);
        CHECK_MEM(got, want, 32);
    }
}

TEST(ethereum_addresses)
{
    uint8_t sk[32] = {0}, a[20], want[20];
    setup_params();
    sk[31] = 1;
    CHECK_EQ_INT(tacit_address_from_seckey(a, sk), TACIT_OK);
    hex_to(want, "7E5F4552091A69125d5DfCb7b8C2659029395Bdf", 20);
    CHECK_MEM(a, want, 20);
    sk[31] = 2;
    CHECK_EQ_INT(tacit_address_from_seckey(a, sk), TACIT_OK);
    hex_to(want, "2B5AD5c4795c026514f8317c7a215E218DcCD6cF", 20);
    CHECK_MEM(a, want, 20);
    /* 0 and n are not secret keys */
    memset(sk, 0, 32);
    CHECK_EQ_INT(tacit_address_from_seckey(a, sk), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_address_from_seckey(a, N_BE), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_sequencer_key_new(&(struct tacit_sequencer_key *){NULL}, N_BE),
                 TACIT_EINVAL);
}

/* ---------------------------------------------------------------- tx encoding ---- */

TEST(tx_round_trip)
{
    int iters = tacit_test_iters(50);
    setup_params();
    CHECK_EQ_INT(TACIT_TX_BYTES, 1808);
    CHECK_EQ_INT(TACIT_TX_EXT_BYTES, 1315);
    for (int it = 0; it < iters; it++) {
        struct tacit_tx tx, back;
        uint8_t enc[TACIT_TX_BYTES], enc2[TACIT_TX_BYTES];
        make_random_tx(&tx);
        tacit_tx_encode(enc, &tx);
        /* the documented layout */
        CHECK_EQ_INT(enc[0], 1);
        CHECK_EQ_INT(enc[OFF_EXTLEN] | enc[OFF_EXTLEN + 1] << 8, TACIT_TX_EXT_BYTES);
        CHECK_EQ_INT(enc[OFF_EXT + EXT_CTLEN0] | enc[OFF_EXT + EXT_CTLEN0 + 1] << 8, 571);
        CHECK_EQ_INT(enc[OFF_EXT + EXT_CTLEN1] | enc[OFF_EXT + EXT_CTLEN1 + 1] << 8, 571);
        CHECK_MEM(enc + OFF_PROOF, tx.proof, 256);
        CHECK_MEM(enc + OFF_EXT + EXT_EPK, tx.ext.epk, 32);
        CHECK_EQ_INT(tacit_tx_decode(&back, enc, sizeof enc), TACIT_OK);
        CHECK(tx_eq(&tx, &back));
        tacit_tx_encode(enc2, &back);
        CHECK_MEM(enc, enc2, sizeof enc);
        CHECK_EQ_INT(tacit_tx_check_static(&back, &P), TACIT_OK);
    }
}

static int decode_mutated(const uint8_t *enc, size_t off, uint8_t val)
{
    uint8_t m[TACIT_TX_BYTES];
    struct tacit_tx tx;
    static const struct tacit_tx zero;
    int rc;
    memcpy(m, enc, sizeof m);
    m[off] = val;
    memset(&tx, 0x5a, sizeof tx);
    rc = tacit_tx_decode(&tx, m, sizeof m);
    if (rc != TACIT_OK) CHECK(memcmp(&tx, &zero, sizeof tx) == 0);
    return rc;
}

TEST(tx_decode_errors)
{
    struct tacit_tx tx, out;
    uint8_t enc[TACIT_TX_BYTES + 1];
    setup_params();

    /* no deposit, no withdrawal: the canonical-zero rules apply to both groups */
    make_tx(&tx, 0, 0, 0, 50);
    tacit_tx_encode(enc, &tx);
    CHECK_EQ_INT(tacit_tx_decode(&out, enc, TACIT_TX_BYTES), TACIT_OK);
    CHECK_EQ_INT(decode_mutated(enc, OFF_EXT + EXT_WADDR + 7, 1), TACIT_EENCODING); /* recipient */
    CHECK_EQ_INT(decode_mutated(enc, OFF_EXT + EXT_SENDER + 19, 1), TACIT_EENCODING); /* sender */
    CHECK_EQ_INT(decode_mutated(enc, OFF_EXT + EXT_NONCE, 1), TACIT_EENCODING);       /* nonce */
    CHECK_EQ_INT(decode_mutated(enc, OFF_EXT + EXT_NONCE + 7, 0x80), TACIT_EENCODING);
    CHECK_EQ_INT(decode_mutated(enc, OFF_EXT + EXT_SIG, 1), TACIT_EENCODING);      /* sig r */
    CHECK_EQ_INT(decode_mutated(enc, OFF_EXT + EXT_SIG + 64, 1), TACIT_EENCODING); /* recid */
    /* ... and with the amounts set, the same bytes are fine */
    CHECK_EQ_INT(decode_mutated(enc, OFF_EXT + EXT_DEPOSIT, 0), TACIT_OK);
    /* length prefixes: ext, ct0, ct1 (each byte of each) */
    for (int k = 0; k < 4; k++)
        CHECK_EQ_INT(decode_mutated(enc, OFF_EXTLEN + k, enc[OFF_EXTLEN + k] ^ 1), TACIT_EENCODING);
    for (int k = 0; k < 2; k++) {
        CHECK_EQ_INT(
            decode_mutated(enc, OFF_EXT + EXT_CTLEN0 + k, enc[OFF_EXT + EXT_CTLEN0 + k] ^ 4),
            TACIT_EENCODING);
        CHECK_EQ_INT(
            decode_mutated(enc, OFF_EXT + EXT_CTLEN1 + k, enc[OFF_EXT + EXT_CTLEN1 + k] ^ 4),
            TACIT_EENCODING);
    }
    /* version */
    CHECK_EQ_INT(decode_mutated(enc, 0, 0), TACIT_EVERSION);
    CHECK_EQ_INT(decode_mutated(enc, 0, 3), TACIT_EVERSION);
    CHECK_EQ_INT(decode_mutated(enc, 0, TACIT_TX_VERSION_L1), TACIT_OK); /* v2: the same layout */
    /* a public input equal to r, and r - 1 (the largest canonical value), at every position */
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++) {
        uint8_t m[TACIT_TX_BYTES];
        memcpy(m, enc, sizeof m);
        memcpy(m + OFF_PUB + 32 * i, R_BE, 32);
        CHECK_EQ_INT(tacit_tx_decode(&out, m, sizeof m), TACIT_EPUBLIC_INPUT);
        m[OFF_PUB + 32 * i + 31] = 0; /* r - 1 */
        CHECK_EQ_INT(tacit_tx_decode(&out, m, sizeof m), TACIT_OK);
        memset(m + OFF_PUB + 32 * i, 0xff, 32);
        CHECK_EQ_INT(tacit_tx_decode(&out, m, sizeof m), TACIT_EPUBLIC_INPUT);
    }
    /* truncation at every length, one trailing byte */
    for (size_t len = 0; len < TACIT_TX_BYTES; len++)
        CHECK_EQ_INT(tacit_tx_decode(&out, enc, len), TACIT_EENCODING);
    enc[TACIT_TX_BYTES] = 0;
    CHECK_EQ_INT(tacit_tx_decode(&out, enc, TACIT_TX_BYTES + 1), TACIT_ETRAILING);
}

TEST(tx_id_ignores_only_the_proof)
{
    struct tacit_tx tx, m;
    uint8_t enc[TACIT_TX_BYTES], id[32], id2[32];
    size_t changed = 0, decoded = 0;
    setup_params();
    make_tx(&tx, 500, 3, 200, 20);
    tacit_tx_encode(enc, &tx);
    tacit_tx_id(id, &tx);
    /* the proof: any bytes, same id */
    for (int k = 0; k < 8; k++) {
        m = tx;
        tacit_test_rand_bytes(m.proof, sizeof m.proof);
        tacit_tx_id(id2, &m);
        CHECK_MEM(id, id2, 32);
    }
    /* every other byte: a decodable change changes the id */
    for (size_t off = 0; off < TACIT_TX_BYTES; off++) {
        uint8_t e2[TACIT_TX_BYTES];
        if (off >= OFF_PROOF && off < OFF_EXTLEN) continue;
        memcpy(e2, enc, sizeof e2);
        e2[off] ^= 0x01;
        if (tacit_tx_decode(&m, e2, sizeof e2) != TACIT_OK) continue;
        decoded++;
        tacit_tx_id(id2, &m);
        if (memcmp(id, id2, 32) != 0) changed++;
    }
    CHECK(decoded > 1400);
    CHECK_EQ_INT(changed, decoded);
    /* the id is the documented hash */
    {
        uint8_t in[TACIT_TX_BYTES - 256], want[32];
        static const unsigned char salt[16];
        unsigned char personal[16] = "tacit-txid";
        memcpy(in, enc, OFF_PROOF);
        memcpy(in + OFF_PROOF, enc + OFF_EXTLEN, TACIT_TX_BYTES - OFF_EXTLEN);
        crypto_generichash_blake2b_salt_personal(want, 32, in, sizeof in, NULL, 0, salt, personal);
        CHECK_MEM(id, want, 32);
    }
}

/* ------------------------------------------------------------ protocol v2 ---- */

/* The chain of P, settling on L1 (protocol v2): l1 chain id 31337, the contract P.rollup_id. */
static struct tacit_chain_params params_v2(void)
{
    struct tacit_chain_params p = P;
    p.tx_version = TACIT_TX_VERSION_L1;
    p.l1_chain_id = 31337;
    return p;
}

/* Every vector of tests/vectors/protocol-v2/vectors.json (ethers 6.13.5, contrib/gen-v2-vectors):
 * the keccak ext digest and ext_data_hash, the EIP-712 domain separator and deposit digest, and
 * a deposit signature by a fixed key, which tacit makes byte for byte (RFC 6979 on both sides)
 * and recovers to the signer's address. */
TEST(protocol_v2_vectors)
{
    char path[512];
    json_error_t jerr;
    json_t *root, *list;
    size_t i;
    static const uint8_t key[32] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x01};
    snprintf(path, sizeof path, "%s/protocol-v2/vectors.json", tacit_test_vectors_dir());
    root = json_load_file(path, 0, &jerr);
    REQUIRE(root != NULL, "cannot read the protocol-v2 vectors");
    list = json_object_get(root, "vectors");
    CHECK(json_array_size(list) >= 4);
    for (i = 0; i < json_array_size(list); i++) {
        json_t *v = json_array_get(list, i);
        const char *txhex = json_string_value(json_object_get(v, "tx"));
        uint8_t enc[TACIT_TX_BYTES], rollup[20], want[32], got[32], sig[65], want_sig[65],
            signer[20], addr[20];
        struct tacit_tx tx;
        struct tacit_chain_params p = params_v2();
        uint64_t l1;
        tacit_fr h;
        uint64_t limbs[4];
        uint8_t hb[32], hwb[32];
        REQUIRE(txhex != NULL && strlen(txhex) == 2 + 2 * TACIT_TX_BYTES,
                "a vector without its tx");
        hex_to(enc, txhex + 2, TACIT_TX_BYTES);
        hex_to(rollup, json_string_value(json_object_get(v, "rollup")) + 2, 20);
        CHECK_EQ_INT(tacit_parse_dec_u64(&l1, json_string_value(json_object_get(v, "l1ChainId"))),
                     TACIT_OK);
        CHECK_EQ_INT(tacit_tx_decode(&tx, enc, sizeof enc), TACIT_OK);
        CHECK_EQ_INT(tx.version, TACIT_TX_VERSION_L1);
        p.l1_chain_id = l1;
        p.chain_id = tx.chain_id;
        memcpy(p.rollup_id, rollup, 20);

        hex_to(want, json_string_value(json_object_get(v, "extDigest")) + 2, 32);
        tacit_tx_ext_digest_v2(got, &tx.ext, tx.chain_id, l1, rollup);
        CHECK_MEM(got, want, 32);
        tacit_tx_ext_data_hash_of(&h, &tx, &p);
        CHECK_EQ_INT(
            tacit_u256_from_dec(limbs, json_string_value(json_object_get(v, "extDataHash"))),
            TACIT_OK);
        for (int k = 0; k < 32; k++) hwb[31 - k] = (uint8_t)(limbs[k / 8] >> (8 * (k % 8)));
        tacit_fr_to_bytes(hb, &h);
        CHECK_MEM(hb, hwb, 32);
        CHECK(tacit_fr_eq(&h,
                          &tx.pub[TACIT_TRANSFER_PUB_EXT_DATA_HASH])); /* as the vector filled it */
        hex_to(want, json_string_value(json_object_get(v, "domain")) + 2, 32);
        tacit_tx_eip712_domain(got, l1, rollup);
        CHECK_MEM(got, want, 32);
        hex_to(want, json_string_value(json_object_get(v, "depositDigest")) + 2, 32);
        tacit_tx_deposit_digest_of(got, &tx, &p);
        CHECK_MEM(got, want, 32);
        hex_to(want_sig, json_string_value(json_object_get(v, "signature")) + 2, 65);
        hex_to(signer, json_string_value(json_object_get(v, "signer")) + 2, 20);
        CHECK_EQ_INT(tacit_deposit_sign(sig, key, want), TACIT_OK);
        CHECK_MEM(sig, want_sig, 65);
        CHECK_EQ_INT(tacit_deposit_recover(addr, want_sig, want), TACIT_OK);
        CHECK_MEM(addr, signer, 20);
    }
    json_decref(root);
}

/* The rules of a v2 chain: the version is the chain's (a v1 tx on a v2 chain and the reverse:
 * EVERSION); the digests are v2's (a v1 signature or ext hash: refused); recovery ids 2 and 3
 * (no ecrecover takes them) refused; a withdrawal and the fee leave the pool and credit nobody. */
TEST(protocol_v2_rules)
{
    struct tacit_chain_params p2;
    struct tacit_tx tx, v1;
    struct tchain *st;
    struct tacit_view v;
    struct tacit_account a;
    setup_params();
    p2 = params_v2();
    make_tx(&v1, 1000, 0, 0, 20); /* v1, on P */
    CHECK_EQ_INT(tacit_tx_check_static(&v1, &P), TACIT_OK);
    CHECK_EQ_INT(tacit_tx_check_static(&v1, &p2), TACIT_EVERSION);
    tx = v1;
    tx.version = TACIT_TX_VERSION_L1;
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EVERSION);
    /* v1's digests on a v2 tx: the ext hash first, then (with v2's ext hash) the signature */
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &p2), TACIT_EEXT_DATA_HASH);
    tacit_tx_ext_data_hash_of(&tx.pub[2], &tx, &p2);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &p2), TACIT_EDEPOSIT_SIG);
    tx_finish_with(&tx, SENDER_SK, &p2);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &p2), TACIT_OK);
    /* the v2 digests bind the L1 chain and the contract */
    {
        struct tacit_chain_params q = p2;
        q.l1_chain_id++;
        CHECK_EQ_INT(tacit_tx_check_static(&tx, &q), TACIT_EEXT_DATA_HASH);
        q = p2;
        q.rollup_id[0] ^= 1;
        CHECK_EQ_INT(tacit_tx_check_static(&tx, &q), TACIT_EEXT_DATA_HASH);
    }
    /* recovery id 2 or 3: EDEPOSIT_SIG before any recovery */
    {
        struct tacit_tx t = tx;
        t.ext.deposit_sig[64] = (uint8_t)(2 + (tacit_test_rand64() & 1));
        CHECK_EQ_INT(tacit_tx_check_static(&t, &p2), TACIT_EDEPOSIT_SIG);
    }

    /* applied: the deposit moves in; a withdrawal of 300 and a fee of 25 leave the pool */
    st = chain_funded(MEM, 10000);
    chain_view(st, &v);
    CHECK_EQ_INT(tacit_tx_apply(&v, &tx, &p2), TACIT_OK);
    make_tx(&tx, 0, 0, 300, 25);
    tx.version = TACIT_TX_VERSION_L1;
    tx_finish_with(&tx, NULL, &p2);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &p2), TACIT_OK);
    CHECK_EQ_INT(tacit_tx_apply(&v, &tx, &p2), TACIT_OK);
    CHECK_EQ_INT(v.ops->account(v.ctx, TACIT_POOL_ADDRESS, &a), TACIT_OK);
    CHECK_EQ_INT(a.balance, 1000 - 20 - 300 - 25);
    CHECK_EQ_INT(v.ops->account(v.ctx, tx.ext.withdrawal_recipient, &a), TACIT_OK);
    CHECK_EQ_INT(a.balance, 0);
    CHECK_EQ_INT(v.ops->account(v.ctx, P.fee_recipient, &a), TACIT_OK);
    CHECK_EQ_INT(a.balance, 0);
    /* more than the pool holds: the turnstile, as in v1 */
    make_tx(&tx, 0, 0, 1000, 10);
    tx.version = TACIT_TX_VERSION_L1;
    tx_finish_with(&tx, NULL, &p2);
    CHECK_EQ_INT(tacit_tx_apply(&v, &tx, &p2), TACIT_ETURNSTILE);
    chain_view_free(st);
    chain_close(st);
}

TEST(ext_and_deposit_digests)
{
    struct tacit_tx tx, t2;
    struct tacit_tx_ext e;
    uint8_t d[32], d2[32], rid[TACIT_ROLLUP_ID_LEN];
    tacit_fr h;
    setup_params();
    make_tx(&tx, 500, 0, 0, 20);
    e = tx.ext;
    tacit_tx_ext_digest(d, &e, P.chain_id, P.rollup_id);
    tacit_tx_ext_digest(d2, &e, P.chain_id + 1, P.rollup_id);
    CHECK(memcmp(d, d2, 32) != 0);
    memcpy(rid, P.rollup_id, sizeof rid);
    rid[19] ^= 1;
    tacit_tx_ext_digest(d2, &e, P.chain_id, rid);
    CHECK(memcmp(d, d2, 32) != 0);
    /* the signature is not hashed; everything else is */
    e.deposit_sig[5] ^= 1;
    tacit_tx_ext_digest(d2, &e, P.chain_id, P.rollup_id);
    CHECK_MEM(d, d2, 32);
    e = tx.ext;
    e.ciphertext[1][570] ^= 1;
    tacit_tx_ext_digest(d2, &e, P.chain_id, P.rollup_id);
    CHECK(memcmp(d, d2, 32) != 0);
    /* the deposit digest, from its definition (docs/protocol.md 2.2): BLAKE2b-256 with the
     * personalization "tacit-deposit" of chain_id LE || rollup_id || the 7 public inputs as
     * encoded (tx bytes 9..233) */
    {
        uint8_t enc[TACIT_TX_BYTES], in[8 + TACIT_ROLLUP_ID_LEN + 7 * 32], want[32];
        static const unsigned char salt[16] = {0};
        unsigned char personal[16] = "tacit-deposit";
        tacit_tx_encode(enc, &tx);
        memcpy(in, enc + 1, 8); /* chain_id, LE, as encoded */
        memcpy(in + 8, P.rollup_id, TACIT_ROLLUP_ID_LEN);
        memcpy(in + 8 + TACIT_ROLLUP_ID_LEN, enc + OFF_PUB, 7 * 32);
        crypto_generichash_blake2b_salt_personal(want, 32, in, sizeof in, NULL, 0, salt, personal);
        tacit_tx_deposit_digest(d2, &tx, P.rollup_id);
        CHECK_MEM(d2, want, 32);
    }
    /* ... which every public input changes (the anchor, the amounts' hashes, the nullifiers
     * and the outputs: where the value goes), and the chain and rollup ids; not the proof */
    tacit_tx_deposit_digest(d, &tx, P.rollup_id);
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++) {
        t2 = tx;
        tacit_fr_add(&t2.pub[i], &t2.pub[i], &TACIT_FR_ONE);
        tacit_tx_deposit_digest(d2, &t2, P.rollup_id);
        CHECK(memcmp(d, d2, 32) != 0);
    }
    t2 = tx;
    t2.chain_id++;
    tacit_tx_deposit_digest(d2, &t2, P.rollup_id);
    CHECK(memcmp(d, d2, 32) != 0);
    tacit_tx_deposit_digest(d2, &tx, rid);
    CHECK(memcmp(d, d2, 32) != 0);
    t2 = tx;
    t2.proof[7] ^= 1;
    t2.ext.deposit_sig[3] ^= 1;
    tacit_tx_deposit_digest(d2, &t2, P.rollup_id);
    CHECK_MEM(d, d2, 32);
    tacit_tx_ext_digest(d2, &tx.ext, P.chain_id, P.rollup_id);
    CHECK(memcmp(d, d2, 32) != 0); /* not the ext digest: v1.0 signed that one */
    /* ext_data_hash: the ext digest as a big-endian integer mod r */
    {
        uint8_t wide[64] = {0}, hb[32];
        tacit_fr want;
        tacit_tx_ext_digest(d, &tx.ext, P.chain_id, P.rollup_id);
        memcpy(wide + 32, d, 32);
        tacit_fr_from_wide(&want, wide);
        tacit_tx_ext_data_hash(&h, &tx.ext, P.chain_id, P.rollup_id);
        CHECK(tacit_fr_eq(&h, &want));
        tacit_fr_to_bytes(hb, &h);
        if (memcmp(d, R_BE, 32) < 0) CHECK_MEM(hb, d, 32);
    }
    /* public_amount = deposit - withdrawal - fee mod r */
    {
        tacit_fr pa, want, t;
        e = tx.ext;
        e.deposit_amount = 5;
        e.withdrawal_amount = 7;
        e.fee = 3;
        CHECK_EQ_INT(tacit_tx_public_amount(&pa, &e), TACIT_OK);
        tacit_fr_from_u64(&t, 5);
        tacit_fr_neg(&want, &t); /* 5 - 10 = -5 */
        CHECK(tacit_fr_eq(&pa, &want));
        e.withdrawal_amount = UINT64_MAX;
        e.fee = 1;
        CHECK_EQ_INT(tacit_tx_public_amount(&pa, &e), TACIT_EOVERFLOW);
    }
}

/* s -> n - s, recid ^ 1: the other valid signature of the same key and digest */
static void high_s(uint8_t sig[65])
{
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int v = N_BE[i] - sig[32 + i] - borrow;
        borrow = v < 0;
        sig[32 + i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
    sig[64] ^= 1;
}

TEST(deposit_signatures)
{
    uint8_t d[32], sig[65], m[65], a[20];
    int iters = tacit_test_iters(8);
    setup_params();
    for (int it = 0; it < iters; it++) {
        uint8_t sk[32], want[20];
        tacit_test_rand_bytes(sk, 32);
        tacit_test_rand_bytes(d, 32);
        CHECK_EQ_INT(tacit_address_from_seckey(want, sk), TACIT_OK);
        CHECK_EQ_INT(tacit_deposit_sign(sig, sk, d), TACIT_OK);
        CHECK(sig[64] <= 3);
        CHECK_EQ_INT(tacit_deposit_recover(a, sig, d), TACIT_OK);
        CHECK_MEM(a, want, 20);
        memcpy(m, sig, 65);
        high_s(m);
        CHECK_EQ_INT(tacit_deposit_recover(a, m, d), TACIT_EDEPOSIT_HIGH_S);
        /* another digest recovers another key */
        d[0] ^= 1;
        CHECK_EQ_INT(tacit_deposit_recover(a, sig, d), TACIT_OK);
        CHECK(memcmp(a, want, 20) != 0);
    }
    memcpy(m, sig, 65);
    m[64] = 4;
    CHECK_EQ_INT(tacit_deposit_recover(a, m, d), TACIT_EDEPOSIT_SIG);
    memset(m, 0, 64); /* r = s = 0 */
    m[64] = 0;
    CHECK_EQ_INT(tacit_deposit_recover(a, m, d), TACIT_EDEPOSIT_SIG);
    memcpy(m, sig, 65);
    memcpy(m, N_BE, 32); /* r = n */
    CHECK_EQ_INT(tacit_deposit_recover(a, m, d), TACIT_EDEPOSIT_SIG);
}

/* ---------------------------------------------------------------- static rules ---- */

TEST(tx_static_rules)
{
    struct tacit_tx base, tx;
    struct tacit_chain_params p2;
    setup_params();
    make_tx(&base, 1000, 0, 300, 25);
    CHECK_EQ_INT(tacit_tx_check_static(&base, &P), TACIT_OK);

    tx = base;
    tx.version = 2;
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EVERSION);
    tx = base;
    tx.chain_id++;
    tx_finish(&tx, SENDER_SK);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_ECHAIN_ID);
    tx = base;
    tx.ext.fee = P.min_fee - 1;
    tx_finish(&tx, SENDER_SK);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EFEE_TOO_LOW);
    /* the two parts of the static rules (admission runs them apart): the fee is params' */
    CHECK_EQ_INT(tacit_tx_check_params(&tx, &P), TACIT_EFEE_TOO_LOW);
    CHECK_EQ_INT(tacit_tx_check_content(&tx, &P), TACIT_OK);
    p2 = P;
    p2.min_fee = 0;
    tx.ext.fee = 0;
    tx_finish(&tx, SENDER_SK);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &p2), TACIT_OK);
    tx = base;
    tx.ext.withdrawal_amount = UINT64_MAX - 10;
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EOVERFLOW);
    tx = base;
    tacit_fr_add(&tx.pub[2], &tx.pub[2], &TACIT_FR_ONE);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EEXT_DATA_HASH);
    CHECK_EQ_INT(tacit_tx_check_params(&tx, &P), TACIT_OK); /* a hash is content's */
    CHECK_EQ_INT(tacit_tx_check_content(&tx, &P), TACIT_EEXT_DATA_HASH);
    tx = base;
    tx.ext.epk[0] ^= 1; /* the ext data changed, the hash did not follow */
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EEXT_DATA_HASH);
    tx = base;
    tacit_fr_add(&tx.pub[1], &tx.pub[1], &TACIT_FR_ONE);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EPUBLIC_AMOUNT);
    tx = base;
    tx.pub[4] = tx.pub[3];
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_ENULLIFIER_REPEATED);
    tx = base;
    memset(tx.ext.withdrawal_recipient, 0, TACIT_ADDRESS_LEN);
    tx_finish(&tx, SENDER_SK);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EWITHDRAW_RECIPIENT);
    tx = base;
    high_s(tx.ext.deposit_sig);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EDEPOSIT_HIGH_S);
    tx = base;
    tx.ext.deposit_sender[3] ^= 1; /* signed by SENDER, claims another sender */
    tx_finish(&tx, NULL);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EDEPOSIT_SIG);
    tx = base;
    tx.ext.deposit_sig[64] = 7;
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EDEPOSIT_SIG);
    /* the theft of issue 10: a signature seen on one deposit, copied onto a transaction with
     * the same ext data (sender, amount, nonce) and other outputs, other nullifiers or another
     * anchor. The deposit digest covers them all. */
    for (int i = 0; i < TACIT_TX_NPUBLIC; i++) {
        if (i == 1 || i == 2) continue; /* public_amount and ext_data_hash follow the ext data */
        tx = base;
        rand_fr(&tx.pub[i]);
        tx_finish(&tx, NULL);
        CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EDEPOSIT_SIG);
    }
    /* a protocol 1.0 authorization (the ext digest signed, outputs not covered) */
    tx = base;
    {
        uint8_t d[32];
        tacit_tx_ext_digest(d, &tx.ext, tx.chain_id, P.rollup_id);
        CHECK_EQ_INT(tacit_deposit_sign(tx.ext.deposit_sig, SENDER_SK, d), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EDEPOSIT_SIG);
    /* a signature for another chain (the digest binds the rollup id) */
    tx = base;
    p2 = P;
    p2.rollup_id[0] ^= 1;
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &p2), TACIT_EEXT_DATA_HASH);
    /* non-canonical in memory: refused like on the wire */
    tx = base;
    tx.ext.deposit_amount = 0;
    tx_finish(&tx, NULL);
    CHECK_EQ_INT(tacit_tx_check_static(&tx, &P), TACIT_EENCODING);
}

/* ----------------------------------------------------------------- state rules ---- */

TEST(tx_check_state_rules)
{
    struct tchain *st;
    struct tacit_tx tx, spent;
    setup_params();
    st = chain_funded(MEM, 10000);
    /* a block that spends `spent`'s nullifiers and bumps SENDER's nonce to 1 */
    make_tx(&spent, 100, 0, 0, 20);
    CHECK_EQ_INT(build_commit(st, NULL, 0, &spent, 1, 2000), TACIT_OK);

    make_tx(&tx, 1000, 1, 0, 20);
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_OK);
    make_tx(&tx, 1000, 7, 0, 20); /* a later nonce may wait in a mempool */
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_OK);
    make_tx(&tx, 1000, 0, 0, 20);
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_ENONCE);
    make_tx(&tx, 10000, 1, 0, 20);
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_EINSUFFICIENT);
    make_tx(&tx, 1000, 1, 0, 20);
    rand_fr(&tx.pub[0]);
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_EANCHOR);
    for (int i = 3; i <= 4; i++) {
        make_tx(&tx, 1000, 1, 0, 20);
        tx.pub[i] = spent.pub[7 - i];
        CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_ENULLIFIER_SPENT);
    }
    /* the turnstile against the committed pool (100 deposited - 20 fee = 80 in it) */
    make_tx(&tx, 0, 0, 80 - P.min_fee, P.min_fee);
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_OK);
    make_tx(&tx, 0, 0, 81 - P.min_fee, P.min_fee);
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_ETURNSTILE);
    make_tx(&tx, 5, 1, 85 - P.min_fee, P.min_fee); /* its own deposit counts */
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_OK);
    make_tx(&tx, 5, 1, 86 - P.min_fee, P.min_fee);
    CHECK_EQ_INT(chain_check_state(st, &tx), TACIT_ETURNSTILE);
    chain_close(st);
}

TEST(tx_apply_rules)
{
    struct tchain *st;
    struct tacit_view v;
    struct tacit_state_digests d0, d1;
    struct tacit_account a;
    struct tacit_tx tx, tx2, spent;
    uint8_t fee_to[TACIT_ADDRESS_LEN];
    setup_params();
    memcpy(fee_to, P.fee_recipient, sizeof fee_to);
    st = chain_funded(MEM, 10000);
    make_tx(&spent, 100, 0, 0, 20);
    CHECK_EQ_INT(build_commit(st, NULL, 0, &spent, 1, 2000), TACIT_OK);
    /* committed: SENDER 9900 nonce 1, pool 80, fee recipient 20 */
    a = chain_account(st, SENDER);
    CHECK_EQ_INT(a.balance, 9900);
    CHECK_EQ_INT(a.nonce, 1);
    a = chain_account(st, TACIT_POOL_ADDRESS);
    CHECK_EQ_INT(a.balance, 80);

    chain_view(st, &v);
    CHECK_EQ_INT(v.ops->digests(v.ctx, &d0), TACIT_OK);
#define APPLY_FAILS(t, err)                                 \
    do {                                                    \
        CHECK_EQ_INT(tacit_tx_apply(&v, (t), &P), (err));   \
        CHECK_EQ_INT(v.ops->digests(v.ctx, &d1), TACIT_OK); \
        CHECK(digests_eq(&d0, &d1));                        \
    } while (0)
    make_tx(&tx, 1000, 1, 0, 20);
    rand_fr(&tx.pub[0]);
    APPLY_FAILS(&tx, TACIT_EANCHOR);
    make_tx(&tx, 1000, 1, 0, 20);
    tx.pub[4] = spent.pub[3];
    APPLY_FAILS(&tx, TACIT_ENULLIFIER_SPENT);
    make_tx(&tx, 1000, 0, 0, 20);
    APPLY_FAILS(&tx, TACIT_ENONCE); /* replayed */
    make_tx(&tx, 1000, 2, 0, 20);
    APPLY_FAILS(&tx, TACIT_ENONCE); /* a gap */
    make_tx(&tx, 9901, 1, 0, 20);
    APPLY_FAILS(&tx, TACIT_EINSUFFICIENT);
    make_tx(&tx, 0, 0, 61, 20); /* 81 out of a pool of 80 */
    APPLY_FAILS(&tx, TACIT_ETURNSTILE);
    make_tx(&tx, 0, 0, 0, 81); /* the fee alone */
    APPLY_FAILS(&tx, TACIT_ETURNSTILE);
    make_tx(&tx, 0, 0, 60, 20); /* exactly the pool */
    CHECK_EQ_INT(tacit_tx_apply(&v, &tx, &P), TACIT_OK);
    CHECK_EQ_INT(v.ops->account(v.ctx, TACIT_POOL_ADDRESS, &a), TACIT_OK);
    CHECK_EQ_INT(a.balance, 0);
    CHECK_EQ_INT(v.ops->account(v.ctx, tx.ext.withdrawal_recipient, &a), TACIT_OK);
    CHECK_EQ_INT(a.balance, 60);
    CHECK_EQ_INT(v.ops->account(v.ctx, fee_to, &a), TACIT_OK);
    CHECK_EQ_INT(a.balance, 40);
    /* a nullifier of tx again in this block: in block; the deposit then moves value in */
    make_tx(&tx2, 1000, 1, 0, 20);
    tx2.pub[3] = tx.pub[4];
    CHECK_EQ_INT(v.ops->digests(v.ctx, &d0), TACIT_OK);
    APPLY_FAILS(&tx2, TACIT_ENULLIFIER_IN_BLOCK);
    make_tx(&tx2, 1000, 1, 100, 20);
    CHECK_EQ_INT(tacit_tx_apply(&v, &tx2, &P), TACIT_OK);
    CHECK_EQ_INT(v.ops->account(v.ctx, SENDER, &a), TACIT_OK);
    CHECK_EQ_INT(a.balance, 8900);
    CHECK_EQ_INT(a.nonce, 2);
    CHECK_EQ_INT(v.ops->account(v.ctx, TACIT_POOL_ADDRESS, &a), TACIT_OK);
    CHECK_EQ_INT(a.balance, 880);
    CHECK_EQ_INT(v.ops->digests(v.ctx, &d1), TACIT_OK);
    CHECK_EQ_INT(d1.commitment_count, 6); /* 2 committed + 2 txs */
#undef APPLY_FAILS
    chain_view_free(st);
    chain_close(st);
}

/* ---------------------------------------------------------------------- blocks ---- */

static void h2(uint8_t out[32], const uint8_t *l, const uint8_t *r)
{
    static const unsigned char salt[16];
    unsigned char personal[16] = "tacit-txroot";
    uint8_t in[64];
    memcpy(in, l, 32);
    memcpy(in + 32, r, 32);
    crypto_generichash_blake2b_salt_personal(out, 32, in, 64, NULL, 0, salt, personal);
}

/* The tx root level by level, as docs/protocol.md states it. */
static void naive_root(uint8_t out[32], uint8_t (*leaves)[32], size_t n)
{
    memset(out, 0, 32);
    if (n == 0) return;
    while (n > 1) {
        size_t k = 0;
        for (size_t i = 0; i + 1 < n; i += 2) h2(leaves[k++], leaves[i], leaves[i + 1]);
        if (n % 2) memcpy(leaves[k++], leaves[n - 1], 32);
        n = k;
    }
    memcpy(out, leaves[0], 32);
}

TEST(tx_root)
{
    uint8_t ids[40][32], work[41][32], got[32], want[32], zero[32] = {0};
    struct tacit_credit c[3];
    tacit_test_rand_bytes((uint8_t *)ids, sizeof ids);
    tacit_test_rand_bytes((uint8_t *)c, sizeof c);
    tacit_block_tx_root(got, NULL, 0, NULL, 0);
    CHECK_MEM(got, zero, 32);
    tacit_block_tx_root(got, (const uint8_t(*)[32])ids, 1, NULL, 0);
    CHECK_MEM(got, ids[0], 32);
    for (size_t n = 0; n <= 40; n++) {
        memcpy(work, ids, n * 32);
        naive_root(want, work, n);
        tacit_block_tx_root(got, (const uint8_t(*)[32])ids, n, NULL, 0);
        CHECK_MEM(got, want, 32);
        /* with credits: one more leaf, the credits section hashed */
        {
            static const unsigned char salt[16];
            unsigned char personal[16] = "tacit-credits";
            uint8_t sec[4 + 3 * CREDIT_BYTES] = {3};
            for (int i = 0; i < 3; i++) {
                memcpy(sec + 4 + CREDIT_BYTES * i, c[i].address, 20);
                for (int k = 0; k < 8; k++)
                    sec[4 + CREDIT_BYTES * i + 20 + k] = (uint8_t)(c[i].amount >> (8 * k));
            }
            memcpy(work, ids, n * 32);
            crypto_generichash_blake2b_salt_personal(work[n], 32, sec, sizeof sec, NULL, 0, salt,
                                                     personal);
            naive_root(want, work, n + 1);
            tacit_block_tx_root(got, (const uint8_t(*)[32])ids, n, c, 3);
            CHECK_MEM(got, want, 32);
        }
    }
    /* an odd last node is promoted, not paired with itself: [a b c] and [a b c c] differ */
    memcpy(ids[3], ids[2], 32);
    tacit_block_tx_root(got, (const uint8_t(*)[32])ids, 3, NULL, 0);
    tacit_block_tx_root(want, (const uint8_t(*)[32])ids, 4, NULL, 0);
    CHECK(memcmp(got, want, 32) != 0);
}

TEST(block_signature)
{
    struct tacit_block_header h, m;
    struct tacit_sequencer_key *k2;
    uint8_t sk2[32] = {0}, x2[32];
    setup_params();
    memset(&h, 0, sizeof h);
    h.version = 1;
    h.height = 9;
    tacit_test_rand_bytes(h.tx_root, 32);
    CHECK_EQ_INT(tacit_block_sign(&h, SEQ), TACIT_OK);
    CHECK_MEM(h.sequencer, P.sequencer, 32);
    CHECK_EQ_INT(tacit_block_check_signature(&h), TACIT_OK);
    m = h;
    m.signature[10] ^= 1;
    CHECK_EQ_INT(tacit_block_check_signature(&m), TACIT_EBLOCK_SIGNATURE);
    m = h;
    m.timestamp_ms++;
    CHECK_EQ_INT(tacit_block_check_signature(&m), TACIT_EBLOCK_SIGNATURE);
    m = h;
    memset(m.sequencer, 0xff, 32); /* not an x coordinate on the curve (>= p) */
    CHECK_EQ_INT(tacit_block_check_signature(&m), TACIT_EBLOCK_SIGNATURE);
    sk2[31] = 3;
    CHECK_EQ_INT(tacit_sequencer_key_new(&k2, sk2), TACIT_OK);
    tacit_sequencer_key_public(k2, x2, NULL);
    m = h;
    memcpy(m.sequencer, x2, 32);
    CHECK_EQ_INT(tacit_block_check_signature(&m), TACIT_EBLOCK_SIGNATURE);
    CHECK_EQ_INT(tacit_block_sign(&m, k2), TACIT_OK);
    CHECK_EQ_INT(tacit_block_check_signature(&m), TACIT_OK);
    /* the hash covers everything but the signature */
    {
        uint8_t a[32], b[32];
        tacit_block_hash(a, &h);
        m = h;
        memset(m.signature, 0, 64);
        tacit_block_hash(b, &m);
        CHECK_MEM(a, b, 32);
        m.digests.commitment_count++;
        tacit_block_hash(b, &m);
        CHECK(memcmp(a, b, 32) != 0);
    }
    tacit_sequencer_key_free(k2);
    tacit_sequencer_key_free(NULL);
}

static void random_header(struct tacit_block_header *h)
{
    memset(h, 0, sizeof *h);
    h->version = 1;
    h->chain_id = tacit_test_rand64();
    h->height = tacit_test_rand64();
    tacit_test_rand_bytes(h->parent, 32);
    h->timestamp_ms = tacit_test_rand64();
    tacit_test_rand_bytes(h->tx_root, 32);
    rand_fr(&h->digests.note_root);
    h->digests.commitment_count = tacit_test_rand64();
    tacit_test_rand_bytes(h->digests.nullifier_digest, 32);
    tacit_test_rand_bytes(h->digests.transparent_digest, 32);
    tacit_test_rand_bytes(h->sequencer, 32);
    tacit_test_rand_bytes(h->signature, 64);
}

TEST(block_round_trip)
{
    int iters = tacit_test_iters(10);
    setup_params();
    CHECK_EQ_INT(TACIT_BLOCK_HEADER_BYTES, 289);
    for (int it = 0; it < iters; it++) {
        struct tacit_block_header h;
        struct tacit_credit c[4];
        struct tacit_tx txs[3];
        struct tacit_block *b;
        size_t nc = rand_below(5), nt = rand_below(4), len;
        uint8_t *enc, hash[32], hb[TACIT_BLOCK_HEADER_BYTES];
        random_header(&h);
        tacit_test_rand_bytes((uint8_t *)c, sizeof c);
        for (size_t i = 0; i < nt; i++) make_random_tx(&txs[i]);
        enc = encode_block(&len, &h, c, nc, txs, nt);
        CHECK_EQ_INT(tacit_block_decode(&b, enc, len), TACIT_OK);
        if (b != NULL) {
            tacit_block_header_encode(hb, &b->header);
            CHECK_MEM(hb, enc, sizeof hb);
            tacit_block_hash(hash, &h);
            CHECK_MEM(b->hash, hash, 32);
            CHECK_EQ_INT(b->ncredits, nc);
            for (size_t i = 0; i < nc; i++) {
                CHECK_MEM(b->credits[i].address, c[i].address, 20);
                CHECK(b->credits[i].amount == c[i].amount);
            }
            CHECK_EQ_INT(b->ntxs, nt);
            for (size_t i = 0; i < nt; i++) {
                uint8_t id[32], te[TACIT_TX_BYTES];
                CHECK(tx_eq(&b->txs[i], &txs[i]));
                tacit_tx_id(id, &txs[i]);
                CHECK_MEM(b->tx_ids[i], id, 32);
                tacit_tx_encode(te, &txs[i]);
                CHECK_MEM(b->bytes + b->tx_offsets[i], te, sizeof te);
            }
            CHECK_EQ_INT(b->len, len);
            CHECK_MEM(b->bytes, enc, len);
        }
        tacit_block_free(b);
        free(enc);
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (uint8_t)(v >> (8 * k));
}

TEST(block_decode_errors)
{
    struct tacit_block_header h;
    struct tacit_credit c[2];
    struct tacit_tx txs[2];
    struct tacit_block *b;
    size_t len, off_nc = TACIT_BLOCK_HEADER_BYTES, off_nt = off_nc + 4 + 2 * CREDIT_BYTES;
    uint8_t *enc, *m;
    setup_params();
    random_header(&h);
    tacit_test_rand_bytes((uint8_t *)c, sizeof c);
    memcpy(c[1].address, "\x05\0\0\0", 4); /* read as a tx count when a credit is dropped */
    make_random_tx(&txs[0]);
    make_random_tx(&txs[1]);
    enc = encode_block(&len, &h, c, 2, txs, 2);
    m = malloc(len + 1);
    CHECK_EQ_INT(tacit_block_decode(&b, enc, len), TACIT_OK);
    tacit_block_free(b);
    /* truncation at every length, one trailing byte */
    for (size_t n = 0; n < len; n++) {
        b = (struct tacit_block *)1;
        CHECK_EQ_INT(tacit_block_decode(&b, enc, n), TACIT_EENCODING);
        CHECK(b == NULL);
    }
    memcpy(m, enc, len);
    m[len] = 0;
    CHECK_EQ_INT(tacit_block_decode(&b, m, len + 1), TACIT_ETRAILING);
#define MUTATED(stmt, err)                                   \
    do {                                                     \
        memcpy(m, enc, len);                                 \
        stmt;                                                \
        CHECK_EQ_INT(tacit_block_decode(&b, m, len), (err)); \
        CHECK(b == NULL);                                    \
    } while (0)
    MUTATED(m[0] = 2, TACIT_EVERSION);
    MUTATED(m[0] = 0, TACIT_EVERSION);
    MUTATED(memcpy(m + 89, R_BE, 32), TACIT_EENCODING); /* note root >= r */
    MUTATED(put32(m + off_nc, 1000), TACIT_EENCODING);  /* more credits than bytes... */
    MUTATED(put32(m + off_nc, 1), TACIT_EENCODING);     /* ...or fewer */
    MUTATED(put32(m + off_nc, TACIT_BLOCK_MAX_CREDITS + 1), TACIT_ETOOBIG);
    MUTATED(put32(m + off_nc, UINT32_MAX), TACIT_ETOOBIG);
    MUTATED(put32(m + off_nt, 3), TACIT_EENCODING); /* 3 txs, 2 present */
    MUTATED(put32(m + off_nt, 1), TACIT_ETRAILING);
    MUTATED(put32(m + off_nt, TACIT_BLOCK_MAX_TXS + 1), TACIT_ETOOBIG);
    MUTATED(put32(m + off_nt + 4, TACIT_TX_BYTES + 1), TACIT_EENCODING); /* a tx length prefix */
    MUTATED(put32(m + off_nt + 4, TACIT_TX_BYTES - 1), TACIT_EENCODING);
    /* the tx decoding errors come through */
    MUTATED(m[off_nt + 8] = 3, TACIT_EVERSION);
    MUTATED(memcpy(m + off_nt + 8 + 4 + TACIT_TX_BYTES + OFF_PUB, R_BE, 32), TACIT_EPUBLIC_INPUT);
    MUTATED(m[off_nt + 8 + OFF_EXTLEN] ^= 1, TACIT_EENCODING);
#undef MUTATED
    free(m);
    free(enc);
}

TEST(builder)
{
    struct tchain *st;
    struct tacit_block_builder *b;
    struct tacit_block_header h;
    struct tacit_view_tip tip, tip2;
    struct tacit_block *blk;
    struct tacit_credit c = {.amount = 5000};
    struct tacit_tx tx;
    struct tacit_chain_params p2;
    uint8_t enc[TACIT_TX_BYTES], *bytes, *stored, id[32], hash[32];
    size_t len, slen;
    uint64_t height;
    uint32_t index;
    setup_params();
    st = chain_funded(LMDB, 10000); /* what a commit writes: the store */

    /* credits: only when allowed, never to the pool, before any tx */
    p2 = P;
    p2.allow_credits = false;
    memcpy(c.address, SENDER, 20);
    CHECK_EQ_INT(tacit_block_builder_new(&b, st->st, &p2), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_add_credit(b, &c), TACIT_ECREDIT);
    tacit_block_builder_free(b);
    CHECK_EQ_INT(tacit_block_builder_new(&b, st->st, &P), TACIT_OK);
    {
        struct tacit_credit pool = {.amount = 1};
        CHECK_EQ_INT(tacit_block_builder_add_credit(b, &pool), TACIT_ECREDIT);
    }
    CHECK_EQ_INT(tacit_block_builder_add_credit(b, &c), TACIT_OK);
    make_tx(&tx, 1000, 0, 0, 20);
    tacit_tx_encode(enc, &tx);
    enc[100] ^= 1;
    CHECK_EQ_INT(tacit_block_builder_add_tx(b, &tx, enc, sizeof enc),
                 TACIT_EINVAL); /* other bytes */
    enc[100] ^= 1;
    CHECK_EQ_INT(tacit_block_builder_add_tx(b, &tx, enc, sizeof enc - 1), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_block_builder_add_tx(b, &tx, enc, sizeof enc), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_add_tx(b, &tx, enc, sizeof enc), TACIT_ENULLIFIER_IN_BLOCK);
    CHECK_EQ_INT(tacit_block_builder_ntxs(b), 1);
    CHECK_EQ_INT(tacit_block_builder_add_credit(b, &c), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_block_builder_commit(b), TACIT_EINVAL); /* not sealed */
    tacit_block_builder_free(b);

    /* seal: another key is refused; the timestamp never goes before the parent's (1000) */
    CHECK_EQ_INT(tacit_block_builder_new(&b, st->st, &P), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_add_credit(b, &c), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_add_tx(b, &tx, enc, sizeof enc), TACIT_OK);
    {
        struct tacit_sequencer_key *k2;
        uint8_t sk2[32] = {0};
        sk2[31] = 3;
        CHECK_EQ_INT(tacit_sequencer_key_new(&k2, sk2), TACIT_OK);
        CHECK_EQ_INT(tacit_block_builder_seal(b, k2, 5, &h, &bytes, &len), TACIT_ESEQUENCER);
        tacit_sequencer_key_free(k2);
    }
    CHECK_EQ_INT(tacit_block_builder_seal(b, SEQ, 5, &h, &bytes, &len), TACIT_OK);
    CHECK(h.timestamp_ms == 1000);
    CHECK_EQ_INT(h.height, 1);
    CHECK_EQ_INT(tacit_block_check_signature(&h), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_add_tx(b, &tx, enc, sizeof enc), TACIT_EINVAL);
    CHECK_EQ_INT(tacit_block_decode(&blk, bytes, len), TACIT_OK);
    chain_tip(st, &tip);
    CHECK_MEM(blk->header.parent, tip.hash, 32);
    CHECK_EQ_INT(blk->ntxs, 1);
    CHECK_EQ_INT(blk->ncredits, 1);
    CHECK_EQ_INT(tacit_block_builder_commit(b), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_commit(b), TACIT_EINVAL);
    tacit_block_builder_free(b);

    /* what the store now holds: the block, the tx, the outputs, the balances */
    chain_tip(st, &tip2);
    CHECK_EQ_INT(tip2.next_height, 2);
    CHECK_MEM(tip2.hash, blk->hash, 32);
    CHECK(digests_eq(&tip2.digests, &h.digests));
    CHECK_EQ_INT(tacit_state_block_by_height(st->st, 1, hash, &stored, &slen), TACIT_OK);
    CHECK_EQ_INT(slen, len);
    CHECK_MEM(stored, bytes, len);
    free(stored);
    tacit_tx_id(id, &tx);
    CHECK_EQ_INT(tacit_state_tx(st->st, id, &height, &index, &stored, &slen), TACIT_OK);
    CHECK_EQ_INT(height, 1);
    CHECK_EQ_INT(index, 0);
    CHECK_EQ_INT(slen, TACIT_TX_BYTES);
    CHECK_MEM(stored, enc, TACIT_TX_BYTES);
    free(stored);
    for (int j = 0; j < 2; j++) {
        CHECK_EQ_INT(tacit_state_output(st->st, (uint64_t)j, &stored, &slen), TACIT_OK);
        CHECK_EQ_INT(slen, TACIT_OUTPUT_RECORD_BYTES);
        CHECK_MEM(stored, tx.ext.epk, 32);
        CHECK_MEM(stored + 32, tx.ext.ciphertext[j], TACIT_NOTE_CIPHERTEXT_BYTES);
        free(stored);
    }
    {
        struct tacit_account a;
        tacit_fr cm;
        CHECK_EQ_INT(tacit_state_commitment(st->st, 1, &cm), TACIT_OK);
        CHECK(tacit_fr_eq(&cm, &tx.pub[6]));
        a = chain_account(st, SENDER);
        CHECK_EQ_INT(a.balance, 10000 + 5000 - 1000);
        CHECK_EQ_INT(a.nonce, 1);
        a = chain_account(st, P.fee_recipient);
        CHECK_EQ_INT(a.balance, 20);
    }
    tacit_block_free(blk);
    free(bytes);
    chain_close(st);
}

/* ------------------------------------------------------------------ block path ---- */

static void synth_setup(void)
{
    uint8_t seed[32] = {7};
    if (SYN_PVK != NULL) return;
    CHECK_EQ_INT(tacit__groth16_synth_setup(&SYN_TD, &SYN_VK, TACIT_TX_NPUBLIC, seed), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_pvk_new(&SYN_PVK, SYN_VK, NULL), TACIT_OK);
}

/* Gives tx a valid proof under the synthetic key. */
static void synth_prove(struct tacit_tx *tx)
{
    tacit_groth16_proof pr;
    uint8_t seed[32];
    tacit_test_rand_bytes(seed, 32);
    tacit__groth16_synth_prove(&pr, SYN_TD, tx->pub, seed);
    tacit_groth16_proof_to_bytes(tx->proof, &pr);
}

static uint8_t *seal_only(struct tchain *st, const struct tacit_credit *c, size_t nc,
                          const struct tacit_tx *txs, size_t ntxs, uint64_t ts, size_t *len)
{
    struct tacit_block_builder *b;
    uint8_t enc[TACIT_TX_BYTES], *bytes = NULL;
    CHECK_EQ_INT(chain_builder(st, &b, &P), TACIT_OK);
    for (size_t i = 0; i < nc; i++)
        CHECK_EQ_INT(tacit_block_builder_add_credit(b, &c[i]), TACIT_OK);
    for (size_t i = 0; i < ntxs; i++) {
        tacit_tx_encode(enc, &txs[i]);
        CHECK_EQ_INT(tacit_block_builder_add_tx(b, &txs[i], enc, sizeof enc), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_block_builder_seal(b, SEQ, ts, NULL, &bytes, len), TACIT_OK);
    chain_builder_done(st, b);
    return bytes;
}

static void f_height(struct tacit_block_header *h) { h->height++; }
static void f_parent(struct tacit_block_header *h) { h->parent[31] ^= 1; }
static void f_time(struct tacit_block_header *h) { h->timestamp_ms = 999; }
static void f_chain(struct tacit_block_header *h) { h->chain_id++; }
static void f_root(struct tacit_block_header *h) { h->tx_root[0] ^= 1; }
static void f_count(struct tacit_block_header *h) { h->digests.commitment_count++; }
static void f_nfd(struct tacit_block_header *h) { h->digests.nullifier_digest[5] ^= 1; }
static void f_trd(struct tacit_block_header *h) { h->digests.transparent_digest[5] ^= 1; }
static void f_note(struct tacit_block_header *h)
{
    tacit_fr_add(&h->digests.note_root, &h->digests.note_root, &TACIT_FR_ONE);
}
static void f_sig(struct tacit_block_header *h) { h->signature[0] ^= 1; }
static void f_none(struct tacit_block_header *h) { (void)h; }

/* apply must fail with err (and bad_tx == bad), leaving the tip as it was */
/* On the store, the follower's pipeline too (tacit_block_precheck, then
 * tacit_block_apply_prechecked): the same error and bad tx, nothing committed. */
static void apply_fails(struct tchain *st, const uint8_t *bytes, size_t len,
                        const struct tacit_chain_params *p, int err, long bad)
{
    struct tacit_view_tip before, after;
    long got = 99;
    chain_tip(st, &before);
    CHECK_EQ_INT(chain_apply(st, bytes, len, p, SYN_PVK, &got), err);
    CHECK_EQ_INT(got, bad);
    chain_tip(st, &after);
    CHECK(tips_eq(&before, &after));
    if (st->st != NULL) {
        struct tacit_block_prechecked *pc = NULL;
        int rc = tacit_block_precheck(&pc, bytes, len, SYN_PVK);
        got = 99;
        if (rc == TACIT_OK) {
            CHECK(pc != NULL);
            rc = tacit_block_apply_prechecked(st->st, pc, p, SYN_PVK, &got);
            CHECK_EQ_INT(got, bad);
        } else {
            CHECK(pc == NULL);
        }
        CHECK_EQ_INT(rc, err);
        tacit_block_prechecked_free(pc);
        chain_tip(st, &after);
        CHECK(tips_eq(&before, &after));
    }
}

static void header_rules_on(enum backend kind)
{
    static const struct {
        void (*f)(struct tacit_block_header *);
        bool other_key, resign;
        int err;
    } cases[] = {
        {f_height, false, true, TACIT_EHEIGHT},
        {f_parent, false, true, TACIT_EPARENT},
        {f_time, false, true, TACIT_ETIMESTAMP},
        {f_chain, false, true, TACIT_ECHAIN_ID},
        {f_none, true, true, TACIT_ESEQUENCER},
        {f_sig, false, false, TACIT_EBLOCK_SIGNATURE},
        {f_root, false, false, TACIT_EBLOCK_SIGNATURE},
        {f_root, false, true, TACIT_ETX_ROOT},
        {f_count, false, true, TACIT_EDIGEST},
        {f_nfd, false, true, TACIT_EDIGEST},
        {f_trd, false, true, TACIT_EDIGEST},
        {f_note, false, true, TACIT_EDIGEST},
    };
    struct tchain *st;
    struct tacit_chain_params p2;
    struct tacit_credit c = {.amount = 77};
    struct tacit_tx tx;
    uint8_t *good, *m, sk2[32] = {0};
    size_t len;
    setup_params();
    synth_setup();
    sk2[31] = 3;
    if (OTHER_KEY == NULL) CHECK_EQ_INT(tacit_sequencer_key_new(&OTHER_KEY, sk2), TACIT_OK);
    st = chain_funded(kind, 10000);
    memcpy(c.address, SENDER, 20);
    c.address[0] ^= 0x80;
    make_tx(&tx, 500, 0, 0, 20);
    synth_prove(&tx);
    good = seal_only(st, &c, 1, &tx, 1, 1500, &len);
    m = malloc(len);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(m, good, len);
        reheader(m, len, cases[i].f,
                 cases[i].resign ? (cases[i].other_key ? OTHER_KEY : SEQ) : NULL);
        apply_fails(st, m, len, &P, cases[i].err, -1);
    }
    /* credits when not allowed */
    p2 = P;
    p2.allow_credits = false;
    apply_fails(st, good, len, &p2, TACIT_ECREDIT, -1);
    /* decoding errors pass through; a NULL key is refused */
    apply_fails(st, good, len - 1, &P, TACIT_EENCODING, -1);
    CHECK_EQ_INT(chain_apply(st, good, len, &P, NULL, NULL), TACIT_EINVAL);
    /* the good block goes in, once */
    {
        long bad = 5;
        CHECK_EQ_INT(chain_apply(st, good, len, &P, SYN_PVK, &bad), TACIT_OK);
        CHECK_EQ_INT(bad, -1);
        apply_fails(st, good, len, &P, TACIT_EHEIGHT, -1);
    }
    free(m);
    free(good);
    chain_close(st);
}

/* Every header rule on the in-memory state and on the store (there: tacit_block_apply and the
 * prechecked path alike). */
TEST(block_path_header_rules)
{
    header_rules_on(MEM);
    header_rules_on(LMDB);
}

static void f_unsign(struct tacit_block_header *h)
{
    memset(h->sequencer, 0, 32);
    memset(h->signature, 0, 64);
}
static void f_nokey(struct tacit_block_header *h) { memset(h->sequencer, 0, 32); }
static void f_nosig(struct tacit_block_header *h) { memset(h->signature, 0, 64); }

/* Open submission (docs/protocol.md 8, "Blocks of open submission"): a block without key and
 * signature is sealed and applied only under open_blocks; every other rule still holds; signed
 * blocks stay valid. */
TEST(block_open_submission)
{
    struct tchain *st, *st2;
    struct tacit_chain_params po;
    struct tacit_block_builder *b;
    struct tacit_block_header h;
    struct tacit_tx tx;
    uint8_t enc[TACIT_TX_BYTES], *open = NULL, *signed_, *m;
    size_t len = 0, slen;
    setup_params();
    synth_setup();
    po = P;
    po.open_blocks = true;
    st = chain_funded(MEM, 10000);
    st2 = chain_funded(MEM, 10000);
    make_tx(&tx, 500, 0, 0, 20);
    synth_prove(&tx);
    tacit_tx_encode(enc, &tx);
    /* sealing without a key: refused unless the chain has open blocks, then no key, no signature */
    CHECK_EQ_INT(chain_builder(st, &b, &P), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_add_tx(b, &tx, enc, sizeof enc), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_seal(b, NULL, 1500, NULL, &open, &len), TACIT_EINVAL);
    chain_builder_done(st, b);
    CHECK_EQ_INT(chain_builder(st, &b, &po), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_add_tx(b, &tx, enc, sizeof enc), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_seal(b, NULL, 1500, &h, &open, &len), TACIT_OK);
    chain_builder_done(st, b);
    CHECK(tacit_block_is_open(&h));
    signed_ = seal_only(st, NULL, 0, &tx, 1, 1500, &slen);
    /* without open_blocks the open block is the wrong sequencer's */
    apply_fails(st, open, len, &P, TACIT_ESEQUENCER, -1);
    /* a half-open header is no open block: the key or the signature is checked */
    m = malloc(len);
    memcpy(m, open, len);
    reheader(m, len, f_none, SEQ); /* signed, then the key zeroed */
    reheader(m, len, f_nokey, NULL);
    apply_fails(st, m, len, &po, TACIT_ESEQUENCER, -1);
    memcpy(m, open, len);
    reheader(m, len, f_nosig, NULL); /* the sequencer's key without a signature */
    {
        struct tacit_block *d;
        CHECK_EQ_INT(tacit_block_decode(&d, m, len), TACIT_OK);
        memcpy(d->header.sequencer, P.sequencer, 32);
        tacit_block_header_encode(m, &d->header);
        tacit_block_free(d);
    }
    apply_fails(st, m, len, &po, TACIT_EBLOCK_SIGNATURE, -1);
    /* the other rules hold for an open block: a changed root is ETX_ROOT, not accepted */
    memcpy(m, open, len);
    reheader(m, len, f_root, NULL);
    reheader(m, len, f_unsign, NULL);
    apply_fails(st, m, len, &po, TACIT_ETX_ROOT, -1);
    /* the open block goes in under open_blocks, the signed one too (on a second chain) */
    CHECK_EQ_INT(chain_apply(st, open, len, &po, SYN_PVK, NULL), TACIT_OK);
    CHECK_EQ_INT(chain_apply(st2, signed_, slen, &po, SYN_PVK, NULL), TACIT_OK);
    free(m);
    free(open);
    free(signed_);
    chain_close(st);
    chain_close(st2);
}

/* On L1 (l1_derived, docs/protocol.md 8.2) the header fields the contract does not check are
 * claims: a block whose key, signature, timestamp order, tx_root, nullifier or transparent
 * digest is wrong is refused with its error on a node that checks them, taken as it is from L1;
 * the state keeps its own digests, and the chain goes on from it. The fields the contract
 * checks (height, parent, chain id, note root, count) are refused on L1 too. Both backends. */
TEST(block_path_l1_claims)
{
    static const struct {
        void (*f)(struct tacit_block_header *);
        bool other_key, resign, claim;
        int err;
    } cases[] = {
        {f_time, false, true, true, TACIT_ETIMESTAMP},
        {f_none, true, true, true, TACIT_ESEQUENCER},
        {f_sig, false, false, true, TACIT_EBLOCK_SIGNATURE},
        {f_root, false, true, true, TACIT_ETX_ROOT},
        {f_nfd, false, true, true, TACIT_EDIGEST},
        {f_trd, false, true, true, TACIT_EDIGEST},
        {f_height, false, true, false, TACIT_EHEIGHT},
        {f_parent, false, true, false, TACIT_EPARENT},
        {f_chain, false, true, false, TACIT_ECHAIN_ID},
        {f_count, false, true, false, TACIT_EDIGEST},
        {f_note, false, true, false, TACIT_EDIGEST},
    };
    static const enum backend kinds[] = {MEM, LMDB};
    struct tacit_chain_params pl;
    struct tacit_credit c = {.amount = 77};
    struct tacit_tx tx, tx2;
    uint8_t sk2[32] = {0};
    setup_params();
    synth_setup();
    sk2[31] = 3;
    if (OTHER_KEY == NULL) CHECK_EQ_INT(tacit_sequencer_key_new(&OTHER_KEY, sk2), TACIT_OK);
    pl = P;
    pl.l1_derived = true;
    memcpy(c.address, SENDER, 20);
    c.address[0] ^= 0x80;
    make_tx(&tx, 500, 0, 0, 20);
    synth_prove(&tx);
    make_tx(&tx2, 0, 1, 0, 20);
    synth_prove(&tx2);
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            struct tchain *honest = chain_funded(kinds[k], 10000);
            struct tchain *st = chain_funded(kinds[k], 10000);
            struct tacit_view_tip th, tc, t0;
            uint8_t *good, *m, *next;
            size_t len, nlen;
            chain_tip(st, &t0);
            good = seal_only(st, &c, 1, &tx, 1, 1500, &len);
            m = malloc(len);
            memcpy(m, good, len);
            reheader(m, len, cases[i].f,
                     cases[i].resign ? (cases[i].other_key ? OTHER_KEY : SEQ) : NULL);
            /* a node that checks every rule refuses it, with the rule's error */
            apply_fails(st, m, len, &P, cases[i].err, -1);
            if (!cases[i].claim) {
                /* a rule the contract checks: refused on L1 too */
                apply_fails(st, m, len, &pl, cases[i].err, -1);
            } else {
                /* taken from L1 as it is; the state's digests are the honest block's */
                CHECK_EQ_INT(chain_apply(st, m, len, &pl, SYN_PVK, NULL), TACIT_OK);
                CHECK_EQ_INT(chain_apply(honest, good, len, &P, SYN_PVK, NULL), TACIT_OK);
                chain_tip(st, &tc);
                chain_tip(honest, &th);
                CHECK(tc.next_height == t0.next_height + 1);
                CHECK(digests_eq(&tc.digests, &th.digests));
                /* the chain goes on: the next block (built on the claimed one) on L1 */
                next = seal_only(st, NULL, 0, &tx2, 1, 2500, &nlen);
                chain_close(honest);
                honest = chain_funded(kinds[k], 10000);
                CHECK_EQ_INT(chain_apply(honest, m, len, &pl, SYN_PVK, NULL), TACIT_OK);
                CHECK_EQ_INT(chain_apply(honest, next, nlen, &pl, SYN_PVK, NULL), TACIT_OK);
                CHECK_EQ_INT(chain_apply(st, next, nlen, &pl, SYN_PVK, NULL), TACIT_OK);
                chain_tip(st, &tc);
                chain_tip(honest, &th);
                CHECK(tc.next_height == t0.next_height + 2);
                CHECK(tips_eq(&tc, &th));
                free(next);
            }
            free(m);
            free(good);
            chain_close(st);
            chain_close(honest);
        }
    }
}

TEST(block_path_credit_to_pool)
{
    struct tchain *st;
    struct tacit_credit c = {.amount = 1};
    uint8_t *b;
    size_t len;
    setup_params();
    synth_setup();
    st = chain_funded(MEM, 10);
    b = make_block(st, &len, &c, 1, NULL, 0, NULL, 2000);
    apply_fails(st, b, len, &P, TACIT_ECREDIT, -1);
    free(b);
    chain_close(st);
}

/* ------------------------------------------------- forced transactions (8.1) ---- */

/* A v2 tx (synthetic proof) on root: a deposit from SENDER when deposit > 0. */
static void v2_tx(struct tacit_tx *tx, const struct tacit_chain_params *p2, uint64_t deposit,
                  uint64_t nonce, uint64_t fee, const tacit_fr *root)
{
    make_tx(tx, deposit, nonce, 0, fee);
    tx->version = TACIT_TX_VERSION_L1;
    tx->pub[0] = *root;
    tx_finish_with(tx, SENDER_SK, p2);
    synth_prove(tx);
}

/* Seals the builder's block with p2, commits it on a, applies it on b; both tips equal. */
static uint8_t *seal_both(struct tchain *a, struct tchain *b, struct tacit_block_builder *bb,
                          const struct tacit_chain_params *p2, uint64_t ts, size_t *len)
{
    struct tacit_view_tip ta, tb;
    uint8_t *bytes = NULL;
    long bad = 9;
    CHECK_EQ_INT(tacit_block_builder_seal(bb, SEQ, ts, NULL, &bytes, len), TACIT_OK);
    CHECK_EQ_INT(chain_builder_commit(a, bb), TACIT_OK);
    chain_builder_done(a, bb);
    CHECK_EQ_INT(chain_apply(b, bytes, *len, p2, SYN_PVK, &bad), TACIT_OK);
    CHECK_EQ_INT(bad, -1);
    chain_tip(a, &ta);
    chain_tip(b, &tb);
    CHECK(tips_eq(&ta, &tb));
    return bytes;
}

/* A block of these markers and txs on b's tip (digests of the tip): the block path refuses it
 * with err at tx bad. */
static void marker_block_fails(struct tchain *b, const struct tacit_credit *m, size_t nm,
                               const struct tacit_tx *txs, size_t ntxs,
                               const struct tacit_chain_params *p, int err, long bad)
{
    size_t len;
    uint8_t *bytes = make_block(b, &len, m, nm, txs, ntxs, NULL, 3000);
    apply_fails(b, bytes, len, p, err, bad);
    free(bytes);
}

/*
 * Forced transactions on a v2 chain (docs/protocol.md 8.1), the builder on one state (LMDB,
 * then the in-memory one) and the block path on the other: markers (credits to the zero
 * address) of amount 0 and 1 accepted, any other amount ECREDIT, more included markers than
 * transactions ECREDIT; the first F transactions take any past root as their anchor (one older
 * than the root history is accepted there, EANCHOR elsewhere), an unknown root is EANCHOR; a
 * forced deposit is ECREDIT; the node's minimum fee does not apply to them; the builder's
 * failed marker (nullifier spent by an earlier block), its refusal of an entry conflicting with
 * a forced tx of the block, its limit of 16, and mempool txs conflicting with a forced one left
 * out. On a v1 chain a marker is ECREDIT on both paths.
 */
TEST(forced_transactions)
{
    struct tacit_chain_params p2;
    setup_params();
    synth_setup();
    p2 = params_v2();
    for (int round = 0; round < 2; round++) {
        struct tchain *a = chain_open(round == 0 ? LMDB : MEM, 2);
        struct tchain *b = chain_open(round == 0 ? MEM : LMDB, 2);
        struct tacit_block_builder *bb;
        struct tacit_credit fund = {.amount = 100000}, marker = {.amount = 1}, cr = {.amount = 5};
        struct tacit_view_tip tip;
        struct tacit_tx tx, old, spent, f1, f2, other, txs[3];
        struct tacit_block *blk;
        tacit_fr roots[6], unknown;
        uint8_t enc[TACIT_TX_BYTES], *bytes;
        size_t len;
        bool inc = true;

        memcpy(fund.address, SENDER, TACIT_ADDRESS_LEN);
        memcpy(cr.address, SENDER, TACIT_ADDRESS_LEN);
        cr.address[0] ^= 0x40;
        /* block 0: funds; block 1: a deposit into the pool; blocks 2-4: a transfer each, so
         * the root changes at every block (root_history 2: at height 5, roots 3 and 4 are
         * recent, 1 and 2 are past) */
        CHECK_EQ_INT(chain_builder(a, &bb, &p2), TACIT_OK);
        CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &fund), TACIT_OK);
        free(seal_both(a, b, bb, &p2, 1000, &len));
        for (uint64_t h = 1; h <= 4; h++) {
            chain_tip(a, &tip);
            roots[h - 1] = tip.digests.note_root;
            v2_tx(&tx, &p2, h == 1 ? 50000 : 0, 0, 20, &tip.digests.note_root);
            if (h == 2) spent = tx; /* its nullifiers are spent from block 2 on */
            CHECK_EQ_INT(chain_builder(a, &bb, &p2), TACIT_OK);
            tacit_tx_encode(enc, &tx);
            CHECK_EQ_INT(tacit_block_builder_add_tx(bb, &tx, enc, sizeof enc), TACIT_OK);
            free(seal_both(a, b, bb, &p2, 1000 + h, &len));
        }
        chain_tip(a, &tip);
        roots[4] = tip.digests.note_root;
        rand_fr(&unknown);

        /* a tx anchored at the root after block 1 (out of the history now), fee 0 */
        v2_tx(&old, &p2, 0, 0, 0, &roots[1]);
        /* f1 anchored at the root after block 2, fee 15; f2 shares a nullifier with f1 */
        v2_tx(&f1, &p2, 0, 0, 15, &roots[2]);
        v2_tx(&f2, &p2, 0, 0, 15, &roots[3]);
        f2.pub[3] = f1.pub[4];
        tx_finish_with(&f2, NULL, &p2);
        synth_prove(&f2);
        /* a failed one: spends a nullifier block 2 spent */
        v2_tx(&tx, &p2, 0, 0, 15, &roots[3]);
        tx.pub[4] = spent.pub[3];
        tx_finish_with(&tx, NULL, &p2);
        synth_prove(&tx);
        /* a mempool tx conflicting with f1, and a good one */
        v2_tx(&other, &p2, 0, 0, 20, &roots[4]);
        other.pub[4] = f1.pub[3];
        tx_finish_with(&other, NULL, &p2);
        synth_prove(&other);

        /* the builder, block 5: old anchor refused as a plain tx (after the fee: 0 < 10) */
        CHECK_EQ_INT(chain_builder(a, &bb, &p2), TACIT_OK);
        tacit_tx_encode(enc, &old);
        CHECK_EQ_INT(tacit_block_builder_add_tx(bb, &old, enc, sizeof enc), TACIT_EFEE_TOO_LOW);
        {
            struct tacit_tx o = old;
            o.ext.fee = 10;
            tx_finish_with(&o, NULL, &p2);
            synth_prove(&o);
            tacit_tx_encode(enc, &o);
            CHECK_EQ_INT(tacit_block_builder_add_tx(bb, &o, enc, sizeof enc), TACIT_EANCHOR);
        }
        /* markers only by add_forced; a credit to the pool of another amount: ECREDIT */
        CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &marker), TACIT_EINVAL);
        marker.amount = 2;
        CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &marker), TACIT_ECREDIT);
        CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &cr), TACIT_OK);
        /* queue: old (included: a past anchor, fee 0), f1 (included), tx (failed: spent),
         * a credit, then f2 (conflicts with f1: refused, nothing added) */
        tacit_tx_encode(enc, &old);
        CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &old, enc, sizeof enc, &inc), TACIT_OK);
        CHECK(inc);
        tacit_tx_encode(enc, &f1);
        CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &f1, enc, sizeof enc, &inc), TACIT_OK);
        CHECK(inc);
        tacit_tx_encode(enc, &tx);
        CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &tx, enc, sizeof enc, &inc), TACIT_OK);
        CHECK(!inc);
        CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &cr), TACIT_OK);
        tacit_tx_encode(enc, &f2);
        inc = true;
        CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &f2, enc, sizeof enc, &inc),
                     TACIT_ENULLIFIER_IN_BLOCK);
        CHECK(!inc);
        /* an unknown anchor is refused even for a forced tx; a forced deposit is refused */
        {
            struct tacit_tx u;
            v2_tx(&u, &p2, 0, 0, 15, &unknown);
            tacit_tx_encode(enc, &u);
            CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &u, enc, sizeof enc, &inc),
                         TACIT_EANCHOR);
            v2_tx(&u, &p2, 10, 1, 15, &roots[4]);
            tacit_tx_encode(enc, &u);
            CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &u, enc, sizeof enc, &inc),
                         TACIT_ECREDIT);
        }
        CHECK_EQ_INT(tacit_block_builder_ntxs(bb), 2);
        /* the mempool's: one conflicting with f1 left out, a good one in */
        tacit_tx_encode(enc, &other);
        CHECK_EQ_INT(tacit_block_builder_add_tx(bb, &other, enc, sizeof enc),
                     TACIT_ENULLIFIER_IN_BLOCK);
        v2_tx(&other, &p2, 0, 0, 20, &roots[4]);
        tacit_tx_encode(enc, &other);
        CHECK_EQ_INT(tacit_block_builder_add_tx(bb, &other, enc, sizeof enc), TACIT_OK);
        /* after a plain tx: no credit, no forced entry */
        CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &cr), TACIT_EINVAL);
        tacit_tx_encode(enc, &f2);
        CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &f2, enc, sizeof enc, &inc), TACIT_EINVAL);
        bytes = seal_both(a, b, bb, &p2, 2000, &len);
        CHECK_EQ_INT(tacit_block_decode(&blk, bytes, len), TACIT_OK);
        if (blk != NULL) {
            static const uint64_t amounts[] = {5, 1, 1, 0, 5};
            CHECK_EQ_INT(blk->ncredits, 5);
            CHECK_EQ_INT(blk->ntxs, 3);
            for (size_t i = 0; i < blk->ncredits && i < 5; i++) {
                CHECK_EQ_INT(blk->credits[i].amount, amounts[i]);
                CHECK_EQ_INT(memcmp(blk->credits[i].address, TACIT_POOL_ADDRESS, 20) == 0,
                             i >= 1 && i <= 3);
            }
            CHECK(tx_eq(&blk->txs[0], &old));
            CHECK(tx_eq(&blk->txs[1], &f1));
            CHECK(tx_eq(&blk->txs[2], &other));
            CHECK_EQ_INT(chain_account(b, cr.address).balance, 10);
            tacit_block_free(blk);
        }
        free(bytes);

        /* the block path refuses, on b (tip 6; root_history 2: roots[1] is past) */
        chain_tip(b, &tip);
        v2_tx(&old, &p2, 0, 0, 20, &roots[1]);
        v2_tx(&f1, &p2, 0, 0, 20, &tip.digests.note_root);
        {
            struct tacit_credit m[2] = {{.amount = 1}, {.amount = 1}};
            txs[0] = f1;
            txs[1] = old;
            /* a marker of amount 2 */
            m[0].amount = 2;
            marker_block_fails(b, m, 1, txs, 1, &p2, TACIT_ECREDIT, -1);
            /* two included markers, one tx */
            m[0].amount = 1;
            marker_block_fails(b, m, 2, txs, 1, &p2, TACIT_ECREDIT, -1);
            /* the past anchor as the second tx with one marker: EANCHOR at 1 */
            marker_block_fails(b, m, 1, txs, 2, &p2, TACIT_EANCHOR, 1);
            /* and without a marker: EANCHOR at 0 */
            marker_block_fails(b, NULL, 0, &old, 1, &p2, TACIT_EANCHOR, 0);
            /* a forced tx with an unknown root, a forced deposit */
            v2_tx(&tx, &p2, 0, 0, 20, &unknown);
            marker_block_fails(b, m, 1, &tx, 1, &p2, TACIT_EANCHOR, 0);
            v2_tx(&tx, &p2, 10, 1, 20, &tip.digests.note_root);
            marker_block_fails(b, m, 1, &tx, 1, &p2, TACIT_ECREDIT, 0);
            /* the past anchor first with its marker, a failed marker after: only the digests
             * are wrong (the rules passed) */
            txs[0] = old;
            txs[1] = f1;
            m[1].amount = 0;
            marker_block_fails(b, m, 2, txs, 2, &p2, TACIT_EDIGEST, -1);
            /* on a v1 chain a marker (0 or 1) is ECREDIT, on both paths */
            for (uint64_t amt = 0; amt < 2; amt++) {
                m[0].amount = amt;
                marker_block_fails(b, m, 1, NULL, 0, &P, TACIT_ECREDIT, -1);
            }
        }
        CHECK_EQ_INT(chain_builder(b, &bb, &P), TACIT_OK);
        marker.amount = 1;
        CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &marker), TACIT_ECREDIT);
        tacit_tx_encode(enc, &f1);
        CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &f1, enc, sizeof enc, &inc), TACIT_EINVAL);
        chain_builder_done(b, bb);

        /* at most 16 included forced txs per block: the 17th is left for the next block */
        CHECK_EQ_INT(chain_builder(a, &bb, &p2), TACIT_OK);
        chain_tip(a, &tip);
        for (int i = 0; i <= TACIT_BLOCK_MAX_FORCED; i++) {
            v2_tx(&tx, &p2, 0, 0, 0, &tip.digests.note_root);
            tacit_tx_encode(enc, &tx);
            CHECK_EQ_INT(tacit_block_builder_add_forced(bb, &tx, enc, sizeof enc, &inc),
                         i < TACIT_BLOCK_MAX_FORCED ? TACIT_OK : TACIT_ETOOBIG);
        }
        CHECK_EQ_INT(tacit_block_builder_ntxs(bb), TACIT_BLOCK_MAX_FORCED);
        free(seal_both(a, b, bb, &p2, 4000, &len));
        chain_close(a);
        chain_close(b);
    }
}

static void tx_rules_on(enum backend kind)
{
    struct tchain *st;
    struct tacit_tx txs[3], spent;
    struct tacit_view_tip tip;
    uint8_t *b;
    size_t len;
    setup_params();
    synth_setup();
    st = chain_funded(kind, 10000);
    make_tx(&spent, 100, 0, 0, 20); /* commits: pool 80, nonce 1 */
    CHECK_EQ_INT(build_commit(st, NULL, 0, &spent, 1, 2000), TACIT_OK);

#define BLOCK_FAILS(n, err, bad)                                 \
    do {                                                         \
        for (int k = 0; k < (n); k++) synth_prove(&txs[k]);      \
        b = make_block(st, &len, NULL, 0, txs, (n), NULL, 3000); \
        apply_fails(st, b, len, &P, (err), (bad));               \
        free(b);                                                 \
    } while (0)
    /* a static rule broken by the second tx */
    make_tx(&txs[0], 100, 1, 0, 20);
    make_tx(&txs[1], 0, 0, 0, 20);
    txs[1].ext.fee = 1;
    tx_finish(&txs[1], NULL);
    BLOCK_FAILS(2, TACIT_EFEE_TOO_LOW, 1);
    /* the same nullifier in two txs of the block */
    make_tx(&txs[0], 100, 1, 0, 20);
    make_tx(&txs[1], 0, 0, 0, 20);
    make_tx(&txs[2], 0, 0, 0, 20);
    txs[2].pub[4] = txs[0].pub[3];
    BLOCK_FAILS(3, TACIT_ENULLIFIER_IN_BLOCK, 2);
    /* a nullifier spent in an earlier block */
    make_tx(&txs[0], 0, 0, 0, 20);
    txs[0].pub[3] = spent.pub[4];
    BLOCK_FAILS(1, TACIT_ENULLIFIER_SPENT, 0);
    /* a withdrawal larger than the pool (80) */
    make_tx(&txs[0], 0, 0, 30, 20);
    make_tx(&txs[1], 0, 0, 11, 20);
    BLOCK_FAILS(2, TACIT_ETURNSTILE, 1);
    /* ... which a deposit earlier in the block covers */
    make_tx(&txs[0], 100, 1, 0, 20);
    make_tx(&txs[1], 0, 0, 30, 20);
    make_tx(&txs[2], 0, 0, 60, 20);
    BLOCK_FAILS(3, TACIT_EDIGEST, -1); /* everything holds but the (empty-block) digests */
    /* replayed deposit nonce, unknown anchor */
    make_tx(&txs[0], 100, 0, 0, 20);
    BLOCK_FAILS(1, TACIT_ENONCE, 0);
    make_tx(&txs[0], 100, 1, 0, 20);
    make_tx(&txs[1], 100, 2, 0, 20);
    rand_fr(&txs[1].pub[0]);
    tx_finish(&txs[1], SENDER_SK);
    BLOCK_FAILS(2, TACIT_EANCHOR, 1);
    /* a proof that does not verify (a commitment changed after proving) is found in a batch */
    make_tx(&txs[0], 100, 1, 0, 20);
    make_tx(&txs[1], 0, 0, 0, 20);
    make_tx(&txs[2], 0, 0, 0, 20);
    for (int k = 0; k < 3; k++) synth_prove(&txs[k]);
    tacit_fr_add(&txs[1].pub[6], &txs[1].pub[6], &TACIT_FR_ONE);
    b = make_block(st, &len, NULL, 0, txs, 3, NULL, 3000);
    apply_fails(st, b, len, &P, TACIT_EVERIFY, 1);
    free(b);
    /* a proof point off the curve */
    synth_prove(&txs[1]);
    txs[2].proof[63] ^= 1; /* A.y */
    b = make_block(st, &len, NULL, 0, txs, 3, NULL, 3000);
    apply_fails(st, b, len, &P, TACIT_ENOT_ON_CURVE, 2);
    free(b);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&txs[2], SYN_PVK), TACIT_ENOT_ON_CURVE);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&txs[1], SYN_PVK), TACIT_OK);
#undef BLOCK_FAILS

    /* the same three, valid, with the real digests: accepted; a re-randomized proof (the
     * proof is malleable) does not change the tx id */
    synth_prove(&txs[2]);
    {
        struct tacit_block_builder *bb;
        struct tacit_block_header h;
        uint8_t enc[TACIT_TX_BYTES], id[32], id2[32];
        struct tacit_tx r = txs[0];
        tacit_groth16_proof pr, pr2;
        uint8_t seed[32] = {9};
        long bad = 7;
        CHECK_EQ_INT(tacit_groth16_proof_from_bytes(&pr, r.proof, NULL), TACIT_OK);
        tacit__groth16_rerandomize(&pr2, &pr, &SYN_VK->delta, seed);
        tacit_groth16_proof_to_bytes(r.proof, &pr2);
        CHECK(memcmp(r.proof, txs[0].proof, 256) != 0);
        tacit_tx_id(id, &txs[0]);
        tacit_tx_id(id2, &r);
        CHECK_MEM(id, id2, 32);
        CHECK_EQ_INT(chain_builder(st, &bb, &P), TACIT_OK);
        for (int k = 0; k < 3; k++) {
            tacit_tx_encode(enc, &txs[k]);
            CHECK_EQ_INT(tacit_block_builder_add_tx(bb, &txs[k], enc, sizeof enc), TACIT_OK);
        }
        CHECK_EQ_INT(tacit_block_builder_seal(bb, SEQ, 3000, &h, NULL, NULL), TACIT_OK);
        chain_builder_done(st, bb);
        txs[0] = r;
        b = make_block(st, &len, NULL, 0, txs, 3, &h.digests, 3000);
        if (st->st != NULL) {
            /* prechecked: refused under another key than the precheck's (nothing written),
             * then applied */
            struct tacit_block_prechecked *pc = NULL;
            tacit_groth16_pvk *other = NULL;
            struct tacit_view_tip t0, t1;
            CHECK_EQ_INT(tacit_groth16_pvk_new(&other, SYN_VK, NULL), TACIT_OK);
            CHECK_EQ_INT(tacit_block_precheck(&pc, b, len, SYN_PVK), TACIT_OK);
            CHECK(memcmp(tacit_block_prechecked_block(pc)->bytes, b, len) == 0);
            chain_tip(st, &t0);
            CHECK_EQ_INT(tacit_block_apply_prechecked(st->st, pc, &P, other, &bad), TACIT_EINVAL);
            CHECK_EQ_INT(tacit_block_apply_prechecked(st->st, NULL, &P, SYN_PVK, &bad),
                         TACIT_EINVAL);
            chain_tip(st, &t1);
            CHECK(tips_eq(&t0, &t1));
            CHECK_EQ_INT(tacit_block_apply_prechecked(st->st, pc, &P, SYN_PVK, &bad), TACIT_OK);
            tacit_block_prechecked_free(pc);
            tacit_groth16_pvk_free(other);
        } else {
            CHECK_EQ_INT(chain_apply(st, b, len, &P, SYN_PVK, &bad), TACIT_OK);
        }
        CHECK_EQ_INT(bad, -1);
        free(b);
    }
    chain_tip(st, &tip);
    CHECK_EQ_INT(tip.next_height, 3);
    chain_close(st);
}

/* Every tx rule on the in-memory state and on the store (there: tacit_block_apply and the
 * prechecked path alike: a bad proof in a prechecked block is refused as it is without). */
TEST(block_path_tx_rules)
{
    tx_rules_on(MEM);
    tx_rules_on(LMDB);
}

/* The sequencer and the block path agree (issue 10 #4): every block the builder seals, under
 * whatever minimum fee is in force (admin_setMinFee may change it between any two blocks),
 * passes tacit_block_apply on a follower's store with the same parameters, and the two stores
 * end on the same tip. The candidate txs break rules at random (fee below the minimum,
 * deposits at a later nonce or beyond the balance, withdrawals the pool cannot pay). */
TEST(builder_blocks_pass_block_path)
{
    static const uint64_t fees[] = {0, 10, 25, 50};
    struct tchain *a, *b;
    struct tacit_chain_params p;
    struct tacit_view_tip ta, tb;
    int rounds = tacit_test_iters(12);
    size_t sealed_txs = 0, refused_fee = 0;
    setup_params();
    synth_setup();
    p = P;
    a = chain_open(LMDB, 0); /* a sequencer's store and a follower's, end to end */
    b = chain_open(LMDB, 0);
    for (int r = 0; r <= rounds; r++) {
        struct tacit_block_builder *bb;
        struct tacit_view_tip tip;
        struct tacit_account acct;
        struct tacit_tx tx;
        uint8_t enc[TACIT_TX_BYTES], *bytes = NULL;
        size_t len = 0, ntx = r == 0 ? 0 : 3 + rand_below(5);
        uint64_t nonce;
        long bad = 7;
        p.min_fee = fees[rand_below(4)];
        chain_tip(a, &tip);
        acct = chain_account(a, SENDER);
        nonce = acct.nonce;
        CHECK_EQ_INT(tacit_block_builder_new(&bb, a->st, &p), TACIT_OK);
        if (bb == NULL) break;
        if (r == 0) {
            struct tacit_credit c = {.amount = 1000000};
            memcpy(c.address, SENDER, TACIT_ADDRESS_LEN);
            CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &c), TACIT_OK);
        } else if (rand_below(3) == 0) {
            /* a credit past 2^64 - 1 is refused and leaves nothing behind (issue 10 #5: the
             * node kept it and failed every later block); the next credit goes in */
            struct tacit_credit c = {.amount = UINT64_MAX};
            memcpy(c.address, SENDER, TACIT_ADDRESS_LEN);
            CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &c), TACIT_EOVERFLOW);
            c.amount = 7;
            tacit_test_rand_bytes(c.address, TACIT_ADDRESS_LEN);
            c.address[0] |= 1;
            CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &c), TACIT_OK);
        }
        for (size_t i = 0; i < ntx; i++) {
            uint64_t kind = rand_below(3), fee = rand_below(60), rc;
            if (kind == 0) /* a deposit, sometimes at a later nonce or beyond the balance */
                make_tx(&tx, rand_below(4) ? 1000 + rand_below(5000) : 2000000,
                        nonce + (rand_below(4) == 0), 0, fee);
            else if (kind == 1) /* a withdrawal, sometimes more than the pool holds */
                make_tx(&tx, 0, 0, rand_below(3) ? rand_below(500) + 1 : 5000000, fee);
            else
                make_tx(&tx, 0, 0, 0, fee);
            tx.pub[0] = tip.digests.note_root;
            tx_finish(&tx, SENDER_SK);
            synth_prove(&tx);
            tacit_tx_encode(enc, &tx);
            rc = (uint64_t)tacit_block_builder_add_tx(bb, &tx, enc, sizeof enc);
            if (fee < p.min_fee) {
                CHECK_EQ_INT(rc, TACIT_EFEE_TOO_LOW);
                refused_fee++;
            }
            if (rc == TACIT_OK) {
                CHECK(fee >= p.min_fee);
                sealed_txs++;
                if (tx.ext.deposit_amount > 0) nonce++;
            }
        }
        CHECK_EQ_INT(tacit_block_builder_seal(bb, SEQ, 1000 + (uint64_t)r, NULL, &bytes, &len),
                     TACIT_OK);
        CHECK_EQ_INT(tacit_block_builder_commit(bb), TACIT_OK);
        tacit_block_builder_free(bb);
        CHECK_EQ_INT(tacit_block_apply(b->st, bytes, len, &p, SYN_PVK, &bad), TACIT_OK);
        CHECK_EQ_INT(bad, -1);
        free(bytes);
    }
    chain_tip(a, &ta);
    chain_tip(b, &tb);
    CHECK(tips_eq(&ta, &tb));
    CHECK_EQ_INT(ta.next_height, (uint64_t)rounds + 1);
    CHECK(sealed_txs > 0);
    printf("  %d blocks, %zu txs sealed, %zu refused for their fee\n", rounds + 1, sealed_txs,
           refused_fee);
    chain_close(a);
    chain_close(b);
}

/* ---------------------------------------------------- DESIGN.md 7, block path ---- */

/* Each edit breaks one rule of a plain transfer (fee 20, random nullifiers and outputs, the
 * empty tree's root as anchor) or of a deposit from SENDER at its next nonce (1). */
static struct tacit_tx ATK_FIRST; /* the valid tx before it in the block */
static void atk_chain(struct tacit_tx *t)
{
    t->chain_id++;
    tx_finish(t, SENDER_SK);
}
static void atk_fee(struct tacit_tx *t)
{
    t->ext.fee = P.min_fee - 1;
    tx_finish(t, SENDER_SK);
}
static void atk_overflow(struct tacit_tx *t)
{
    t->ext.withdrawal_amount = UINT64_MAX - 10;
    t->ext.withdrawal_recipient[0] = 1;
}
static void atk_ext_hash(struct tacit_tx *t) { t->ext.epk[0] ^= 1; }
static void atk_public_amount(struct tacit_tx *t)
{
    tacit_fr_add(&t->pub[1], &t->pub[1], &TACIT_FR_ONE);
}
static void atk_nf_repeated(struct tacit_tx *t)
{
    t->pub[4] = t->pub[3];
    tx_finish(t, SENDER_SK);
}
static void atk_recipient(struct tacit_tx *t)
{
    t->ext.withdrawal_amount = 5;
    memset(t->ext.withdrawal_recipient, 0, TACIT_ADDRESS_LEN);
    tx_finish(t, SENDER_SK);
}
static void atk_high_s(struct tacit_tx *t) { high_s(t->ext.deposit_sig); }
static void atk_sig_other_key(struct tacit_tx *t)
{
    uint8_t d[32];
    tacit_tx_deposit_digest(d, t, P.rollup_id);
    CHECK_EQ_INT(tacit_deposit_sign(t->ext.deposit_sig, SEQ_SK, d), TACIT_OK);
}
static void atk_sig_copied(struct tacit_tx *t)
{
    rand_fr(&t->pub[5]);
    rand_fr(&t->pub[6]);
}
static void atk_sig_v10(struct tacit_tx *t)
{
    uint8_t d[32];
    tacit_tx_ext_digest(d, &t->ext, t->chain_id, P.rollup_id);
    CHECK_EQ_INT(tacit_deposit_sign(t->ext.deposit_sig, SENDER_SK, d), TACIT_OK);
}
static void atk_other_rollup(struct tacit_tx *t)
{
    uint8_t d[32], rid[TACIT_ROLLUP_ID_LEN];
    memcpy(rid, P.rollup_id, sizeof rid);
    rid[0] ^= 1;
    tacit_tx_ext_data_hash(&t->pub[2], &t->ext, t->chain_id, rid);
    tacit_tx_deposit_digest(d, t, rid);
    CHECK_EQ_INT(tacit_deposit_sign(t->ext.deposit_sig, SENDER_SK, d), TACIT_OK);
}
static void atk_anchor(struct tacit_tx *t)
{
    rand_fr(&t->pub[0]);
    tx_finish(t, SENDER_SK);
}
static void atk_nf_in_block(struct tacit_tx *t)
{
    t->pub[4] = ATK_FIRST.pub[3];
    tx_finish(t, SENDER_SK);
}
static void atk_nonce(struct tacit_tx *t)
{
    t->ext.deposit_nonce = 0;
    tx_finish(t, SENDER_SK);
}
static void atk_insufficient(struct tacit_tx *t)
{
    t->ext.deposit_amount = 1000000;
    tx_finish(t, SENDER_SK);
}
static void atk_turnstile(struct tacit_tx *t)
{
    t->ext.withdrawal_amount = 1000;
    t->ext.withdrawal_recipient[0] = 1;
    tx_finish(t, SENDER_SK);
}
static void atk_other_proof(struct tacit_tx *t)
{
    memcpy(t->proof, ATK_FIRST.proof, sizeof t->proof);
}

/* Every attack of DESIGN.md section 7 a block can carry, through tacit_block_apply (the
 * follower's path): refused with the attack's own error, naming the transaction (index 1,
 * after a valid one), the tip unchanged. docs/attacks.md maps each to its mempool-path test
 * in tests/test_node.c. */
TEST(block_path_attacks)
{
    static const struct {
        const char *name;
        bool deposit;
        void (*edit)(struct tacit_tx *);
        int proof; /* -1: a valid proof of the edited statement; else a badproof_kind */
        int err;
    } cases[] = {
        {"wrong chain id", false, atk_chain, -1, TACIT_ECHAIN_ID},
        {"fee below the minimum", false, atk_fee, -1, TACIT_EFEE_TOO_LOW},
        {"withdrawal + fee overflow", false, atk_overflow, -1, TACIT_EOVERFLOW},
        {"ext data changed after proving", false, atk_ext_hash, -1, TACIT_EEXT_DATA_HASH},
        {"public_amount inconsistent", false, atk_public_amount, -1, TACIT_EPUBLIC_AMOUNT},
        {"nullifier repeated in the tx", false, atk_nf_repeated, -1, TACIT_ENULLIFIER_REPEATED},
        {"withdrawal to the pool", false, atk_recipient, -1, TACIT_EWITHDRAW_RECIPIENT},
        {"deposit signature high-s", true, atk_high_s, -1, TACIT_EDEPOSIT_HIGH_S},
        {"deposit signed by another key", true, atk_sig_other_key, -1, TACIT_EDEPOSIT_SIG},
        {"deposit signature copied onto other outputs", true, atk_sig_copied, -1,
         TACIT_EDEPOSIT_SIG},
        {"deposit signature over the ext data only (v1.0)", true, atk_sig_v10, -1,
         TACIT_EDEPOSIT_SIG},
        {"deposit for another rollup", true, atk_other_rollup, -1, TACIT_EEXT_DATA_HASH},
        {"unknown anchor", false, atk_anchor, -1, TACIT_EANCHOR},
        {"nullifier spent earlier in the block", false, atk_nf_in_block, -1,
         TACIT_ENULLIFIER_IN_BLOCK},
        {"deposit nonce replayed", true, atk_nonce, -1, TACIT_ENONCE},
        {"deposit above the balance", true, atk_insufficient, -1, TACIT_EINSUFFICIENT},
        {"withdrawal above the pool", false, atk_turnstile, -1, TACIT_ETURNSTILE},
        {"proof of another statement", false, atk_other_proof, -2, TACIT_EVERIFY},
    };
    struct tchain *st;
    struct tacit_tx txs[2], spent;
    uint8_t *b;
    size_t len;
    setup_params();
    synth_setup();
    st = chain_funded(MEM, 10000);
    make_tx(&spent, 100, 0, 0, 20); /* commits: pool 80, SENDER's nonce 1 */
    CHECK_EQ_INT(build_commit(st, NULL, 0, &spent, 1, 2000), TACIT_OK);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0] + BADPROOF_N + 1; i++) {
        const char *name;
        int err;
        make_tx(&ATK_FIRST, 0, 0, 0, 20);
        synth_prove(&ATK_FIRST);
        txs[0] = ATK_FIRST;
        if (i < sizeof cases / sizeof cases[0]) {
            name = cases[i].name;
            err = cases[i].err;
            make_tx(&txs[1], cases[i].deposit ? 100 : 0, cases[i].deposit ? 1 : 0, 0, 20);
            cases[i].edit(&txs[1]);
            if (cases[i].proof == -1) synth_prove(&txs[1]);
        } else if (i < sizeof cases / sizeof cases[0] + BADPROOF_N) {
            enum badproof_kind k = (enum badproof_kind)(i - sizeof cases / sizeof cases[0]);
            name = BADPROOF[k].name;
            err = BADPROOF[k].err;
            make_tx(&txs[1], 0, 0, 0, 20);
            synth_prove(&txs[1]);
            badproof_apply(txs[1].proof, k);
        } else {
            /* a spent nullifier (the one `spent` committed) */
            name = "nullifier spent in an earlier block";
            err = TACIT_ENULLIFIER_SPENT;
            make_tx(&txs[1], 0, 0, 0, 20);
            txs[1].pub[3] = spent.pub[4];
            synth_prove(&txs[1]);
        }
        b = make_block(st, &len, NULL, 0, txs, 2, NULL, 3000);
        printf("  block path: %s -> %s\n", name, tacit_errname(err));
        apply_fails(st, b, len, &P, err, 1);
        free(b);
    }

    /* decoding: a public input >= r inside a block's tx; a byte after the last tx */
    make_tx(&txs[0], 0, 0, 0, 20);
    synth_prove(&txs[0]);
    b = make_block(st, &len, NULL, 0, txs, 1, NULL, 3000);
    {
        uint8_t *m = malloc(len + 1);
        size_t tx_off = TACIT_BLOCK_HEADER_BYTES + 4 + 4 + 4; /* no credits, ntxs, len */
        memcpy(m, b, len);
        memcpy(m + tx_off + OFF_PUB + 32 * 3, R_BE, 32); /* nf0 = r */
        apply_fails(st, m, len, &P, TACIT_EPUBLIC_INPUT, -1);
        memcpy(m, b, len);
        m[len] = 0;
        apply_fails(st, m, len + 1, &P, TACIT_ETRAILING, -1);
        free(m);
    }
    free(b);
    /* a credit past 2^64 - 1 (SENDER holds 9,900) */
    {
        struct tacit_credit c = {.amount = UINT64_MAX - 100};
        memcpy(c.address, SENDER, TACIT_ADDRESS_LEN);
        b = make_block(st, &len, &c, 1, NULL, 0, NULL, 3000);
        apply_fails(st, b, len, &P, TACIT_EOVERFLOW, -1);
        free(b);
    }
    chain_close(st);
}

/* A stale anchor: a root that was recent and is no longer (root history 2 here; tacitd's
 * default is 256), refused by the block path with EANCHOR; one block earlier it passed. */
TEST(block_path_stale_anchor)
{
    struct tchain *st;
    struct tacit_tx t, old;
    uint8_t *b;
    size_t len;
    setup_params();
    synth_setup();
    st = chain_open(MEM, 2);
    CHECK_EQ_INT(build_commit(st, NULL, 0, NULL, 0, 1000), TACIT_OK); /* height 0: the empty root */
    make_tx(&old, 0, 0, 0, 20); /* anchored at the empty root, the root after block 0 */
    synth_prove(&old);
    /* block 1 changes the root (a credit, then a deposit's two commitments) */
    {
        struct tacit_credit c = {.amount = 1000};
        memcpy(c.address, SENDER, TACIT_ADDRESS_LEN);
        make_tx(&t, 500, 0, 0, 20);
        CHECK_EQ_INT(build_commit(st, &c, 1, &t, 1, 2000), TACIT_OK);
    }
    /* the empty root is the root after one of the last 2 blocks: still an anchor (the block
     * fails later, on its digests) */
    b = make_block(st, &len, NULL, 0, &old, 1, NULL, 2500);
    apply_fails(st, b, len, &P, TACIT_EDIGEST, -1);
    free(b);
    /* block 2 changes the root again: the empty root has expired */
    {
        struct tacit_view_tip tip;
        chain_tip(st, &tip);
        make_tx(&t, 0, 0, 0, 20);
        t.pub[0] = tip.digests.note_root;
        tx_finish(&t, NULL);
        CHECK_EQ_INT(build_commit(st, NULL, 0, &t, 1, 3000), TACIT_OK);
    }
    b = make_block(st, &len, NULL, 0, &old, 1, NULL, 4000);
    apply_fails(st, b, len, &P, TACIT_EANCHOR, 0);
    free(b);
    chain_close(st);
}

/* ------------------------------------------------- the two state implementations ---- */

/* A random candidate tx against the state of `c` (committed nonce, the roots so far, the
 * nullifiers seen): valid or breaking one state rule or another, at random. */
static void random_candidate(struct tacit_tx *tx, struct tchain *c, const tacit_fr *roots,
                             size_t nroots, const tacit_fr *seen, size_t nseen)
{
    struct tacit_account a = chain_account(c, SENDER), pool = chain_account(c, TACIT_POOL_ADDRESS);
    uint64_t kind = rand_below(4), fee = P.min_fee + rand_below(30);
    if (rand_below(10) == 0) fee = rand_below(P.min_fee); /* below the minimum */
    if (kind == 0) {
        /* a deposit: the next nonce, a later one or a replayed one; within or past the balance */
        uint64_t nonce = a.nonce + (rand_below(4) == 0 ? 1 : 0);
        uint64_t amount =
            rand_below(4) ? 1 + rand_below(a.balance / 4 + 1) : a.balance + 1 + rand_below(100);
        if (a.nonce > 0 && rand_below(6) == 0) nonce = a.nonce - 1;
        make_tx(tx, amount, nonce, 0, fee);
    } else if (kind == 1) {
        /* a withdrawal: within the pool or past it (the turnstile) */
        make_tx(tx, 0, 0, rand_below(3) ? rand_below(pool.balance / 2 + 1) + 1 : pool.balance + 1,
                fee);
    } else {
        make_tx(tx, 0, 0, 0, fee);
    }
    /* the anchor: the tip's root, a root of the last few blocks (maybe expired), or none */
    if (nroots > 0) tx->pub[0] = roots[nroots - 1];
    if (nroots > 1 && rand_below(3) == 0) /* mostly near the edge of the history */
        tx->pub[0] =
            roots[nroots - 1 - rand_below(rand_below(4) ? (nroots < 7 ? nroots : 7) : nroots)];
    if (rand_below(12) == 0) rand_fr(&tx->pub[0]);
    /* a nullifier spent in an earlier block, or earlier in this one */
    if (nseen > 0 && rand_below(8) == 0) tx->pub[3 + rand_below(2)] = seen[rand_below(nseen)];
    tx_finish(tx, SENDER_SK);
    synth_prove(tx);
}

/* Random blocks (credits and txs, valid and not) through the in-memory state and the LMDB store:
 * the same result code for every tacit_tx_check_state, every builder call and every block
 * applied (and the same offending tx), and the same tip (hash, digests) after each block. Half
 * the blocks are built by each side's builder, half are encoded here and sent down the block
 * path. Root history 4, so anchors expire. */
TEST(memstate_and_store_agree)
{
    enum { MAXTX = 6, MAXSEEN = 4096 };
    struct tchain *c[2];
    tacit_fr roots[512], *seen = calloc(MAXSEEN, sizeof *seen);
    size_t nroots = 0, nseen = 0, built = 0, applied = 0, refused = 0, txs_in = 0;
    int rounds = tacit_test_iters(120);
    uint64_t ts = 1000;
    setup_params();
    synth_setup();
    c[0] = chain_open(MEM, 4);
    c[1] = chain_open(LMDB, 4);
    for (int r = 0; r < rounds && r < 500; r++) {
        struct tacit_credit cr[3];
        struct tacit_tx txs[MAXTX];
        struct tacit_view_tip t0, t1;
        size_t nc = r == 0 ? 1 : rand_below(3), ntx = r == 0 ? 0 : rand_below(MAXTX + 1);
        bool block_path = r > 0 && rand_below(2) == 0;
        for (size_t i = 0; i < nc; i++) {
            cr[i].amount = rand_below(8) ? 1 + rand_below(100000) : UINT64_MAX - rand_below(10);
            memcpy(cr[i].address, SENDER, TACIT_ADDRESS_LEN);
            if (rand_below(4) == 0) tacit_test_rand_bytes(cr[i].address, TACIT_ADDRESS_LEN);
            if (rand_below(10) == 0) memset(cr[i].address, 0, TACIT_ADDRESS_LEN); /* the pool */
        }
        if (r == 0) cr[0].amount = 1000000, memcpy(cr[0].address, SENDER, TACIT_ADDRESS_LEN);
        for (size_t i = 0; i < ntx; i++) {
            random_candidate(&txs[i], c[0], roots, nroots, seen, nseen);
            if (i > 0 && rand_below(8) == 0) { /* a nullifier of an earlier tx of this block */
                txs[i].pub[4] = txs[rand_below(i)].pub[3];
                tx_finish(&txs[i], SENDER_SK);
                synth_prove(&txs[i]);
            }
            /* admission against the committed state: the same answer from both */
            CHECK_EQ_INT(chain_check_state(c[0], &txs[i]), chain_check_state(c[1], &txs[i]));
        }
        ts += rand_below(3) * 1000;
        if (block_path) {
            /* the digests from a dry run of the in-memory builder; then the block goes down the
             * block path on both (often refused: it holds every candidate, good or bad) */
            struct tacit_block_builder *bb;
            struct tacit_block_header h;
            struct tacit_state_digests d;
            uint8_t enc[TACIT_TX_BYTES], *bytes;
            size_t len;
            long bad[2] = {99, 99};
            int rc[2];
            chain_tip(c[0], &t0);
            d = t0.digests;
            CHECK_EQ_INT(chain_builder(c[0], &bb, &P), TACIT_OK);
            for (size_t i = 0; i < nc; i++) (void)tacit_block_builder_add_credit(bb, &cr[i]);
            for (size_t i = 0; i < ntx; i++) {
                tacit_tx_encode(enc, &txs[i]);
                (void)tacit_block_builder_add_tx(bb, &txs[i], enc, sizeof enc);
            }
            if (tacit_block_builder_seal(bb, SEQ, ts, &h, NULL, NULL) == TACIT_OK &&
                rand_below(6) != 0)
                d = h.digests;
            chain_builder_done(c[0], bb);
            bytes =
                make_block(c[0], &len, cr, nc, txs, ntx, &d, rand_below(10) == 0 ? ts - 1500 : ts);
            rc[0] = chain_apply(c[0], bytes, len, &P, SYN_PVK, &bad[0]);
            rc[1] = chain_apply(c[1], bytes, len, &P, SYN_PVK, &bad[1]);
            CHECK_EQ_INT(rc[0], rc[1]);
            CHECK_EQ_INT(bad[0], bad[1]);
            if (rc[0] == TACIT_OK) {
                applied++;
                txs_in += ntx;
            } else {
                refused++;
            }
            free(bytes);
        } else {
            /* each side's builder: the same answer to every credit and tx, the same header */
            struct tacit_block_builder *bb[2];
            struct tacit_block_header h[2];
            uint8_t enc[TACIT_TX_BYTES];
            for (int k = 0; k < 2; k++) CHECK_EQ_INT(chain_builder(c[k], &bb[k], &P), TACIT_OK);
            for (size_t i = 0; i < nc; i++)
                CHECK_EQ_INT(tacit_block_builder_add_credit(bb[0], &cr[i]),
                             tacit_block_builder_add_credit(bb[1], &cr[i]));
            for (size_t i = 0; i < ntx; i++) {
                int rc0;
                tacit_tx_encode(enc, &txs[i]);
                rc0 = tacit_block_builder_add_tx(bb[0], &txs[i], enc, sizeof enc);
                CHECK_EQ_INT(rc0, tacit_block_builder_add_tx(bb[1], &txs[i], enc, sizeof enc));
                txs_in += rc0 == TACIT_OK;
            }
            for (int k = 0; k < 2; k++) {
                CHECK_EQ_INT(tacit_block_builder_seal(bb[k], SEQ, ts, &h[k], NULL, NULL), TACIT_OK);
                CHECK_EQ_INT(chain_builder_commit(c[k], bb[k]), TACIT_OK);
                chain_builder_done(c[k], bb[k]);
            }
            CHECK(digests_eq(&h[0].digests, &h[1].digests));
            CHECK_MEM(h[0].tx_root, h[1].tx_root, 32);
            ts = h[0].timestamp_ms;
            built++;
        }
        chain_tip(c[0], &t0);
        chain_tip(c[1], &t1);
        CHECK(tips_eq(&t0, &t1));
        {
            struct tacit_account a0 = chain_account(c[0], SENDER), a1 = chain_account(c[1], SENDER);
            struct tacit_account p0 = chain_account(c[0], TACIT_POOL_ADDRESS),
                                 p1 = chain_account(c[1], TACIT_POOL_ADDRESS);
            CHECK(a0.balance == a1.balance && a0.nonce == a1.nonce && p0.balance == p1.balance);
        }
        if (nroots == 0 || !tacit_fr_eq(&roots[nroots - 1], &t0.digests.note_root))
            if (nroots < sizeof roots / sizeof roots[0]) roots[nroots++] = t0.digests.note_root;
        for (size_t i = 0; i < ntx && nseen + 2 <= MAXSEEN; i++) {
            seen[nseen++] = txs[i].pub[3];
            seen[nseen++] = txs[i].pub[4];
        }
    }
    printf("  %d blocks: %zu built on both sides, %zu applied and %zu refused on the block path, "
           "%zu txs in\n",
           rounds, built, applied, refused, txs_in);
    CHECK(built > 0 && txs_in > 0);
    free(seen);
    chain_close(c[0]);
    chain_close(c[1]);
}

/* ------------------------------------------------------------ real proofs ---- */

/* A deposit of `amount` from SENDER (nonce) with two dummy inputs, outputs splitting
 * amount - fee, proved with the depth-32 transfer key pk. */
static void real_deposit(struct tacit_tx *tx, const tacit_groth16_pk *pk, uint64_t amount,
                         uint64_t nonce, uint64_t fee)
{
    struct tacit_transfer t;
    tacit_groth16_proof proof;
    tacit_fr *w = NULL;
    uint32_t nv = 0;

    make_tx(tx, amount, nonce, 0, fee);
    memset(&t, 0, sizeof t);
    t.root = EMPTY_ROOT;
    t.public_amount = tx->pub[1];
    t.ext_data_hash = tx->pub[2];
    for (int i = 0; i < 2; i++) {
        rand_fr(&t.in[i].sk);
        rand_fr(&t.in[i].blinding);
        rand_fr(&t.out[i].pk);
        rand_fr(&t.out[i].blinding);
    }
    t.out[0].value = (amount - fee) / 3;
    t.out[1].value = amount - fee - t.out[0].value;
    CHECK_EQ_INT(tacit_transfer_public_inputs(tx->pub, &t, TACIT_TRANSFER_DEPTH), TACIT_OK);
    tx_finish(tx, SENDER_SK); /* the deposit signature covers the nullifiers and outputs */
    CHECK_EQ_INT(tacit_transfer_build(NULL, &w, &nv, &t, TACIT_TRANSFER_DEPTH), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_prove(&proof, pk, w, nv, 0, NULL), TACIT_OK);
    tacit_witness_free(w, nv);
    tacit_groth16_proof_to_bytes(tx->proof, &proof);
    CHECK_EQ_INT(tacit_tx_check_static(tx, &P), TACIT_OK);
}

TEST(real_transfer_proofs)
{
    struct tchain *st;
    tacit_r1cs r1cs;
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    struct tacit_tx txs[2], m;
    struct tacit_view_tip before, after;
    uint8_t *b;
    size_t len;
    long bad;
    setup_params();
    memset(&r1cs, 0, sizeof r1cs);
    CHECK_EQ_INT(tacit_transfer_build(&r1cs, NULL, NULL, NULL, TACIT_TRANSFER_DEPTH), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_setup(&pk, &r1cs, 0), TACIT_OK);
    tacit_r1cs_clear(&r1cs);
    if (pk == NULL) return;
    CHECK_EQ_INT(tacit_groth16_pk_vk(&vk, pk), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_pvk_new(&pvk, vk, NULL), TACIT_OK);
    st = chain_funded(LMDB,
                      10000); /* end to end on the store; block 0 makes the empty root an anchor */

    real_deposit(&txs[0], pk, 1000, 0, 20);
    real_deposit(&txs[1], pk, 500, 1, 30);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&txs[0], pvk), TACIT_OK);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&txs[1], pvk), TACIT_OK);
    /* a public input changed (cm1): the deposit signature and the proof both bind it */
    m = txs[0];
    tacit_fr_add(&m.pub[6], &m.pub[6], &TACIT_FR_ONE);
    CHECK_EQ_INT(tacit_tx_check_static(&m, &P), TACIT_EDEPOSIT_SIG);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&m, pvk), TACIT_EVERIFY);
    /* the proof of another statement */
    m = txs[0];
    memcpy(m.proof, txs[1].proof, 256);
    CHECK_EQ_INT(tacit_tx_verify_proof_var(&m, pvk), TACIT_EVERIFY);
    /* through the block path: found by the batch, nothing written */
    {
        struct tacit_tx two[2] = {txs[0], m};
        two[1].ext.deposit_nonce = 1;
        b = make_block(st, &len, NULL, 0, two, 2, NULL, 2000);
        chain_tip(st, &before);
        /* nonce changed without re-signing: the deposit signature names it */
        CHECK_EQ_INT(chain_apply(st, b, len, &P, pvk, &bad), TACIT_EEXT_DATA_HASH);
        CHECK_EQ_INT(bad, 1);
        free(b);
        two[1] = txs[1];
        memcpy(two[1].proof, txs[0].proof, 256);
        b = make_block(st, &len, NULL, 0, two, 2, NULL, 2000);
        CHECK_EQ_INT(chain_apply(st, b, len, &P, pvk, &bad), TACIT_EVERIFY);
        CHECK_EQ_INT(bad, 1);
        free(b);
        two[1] = txs[1];
        two[1].proof[63] ^= 0x01; /* A.y */
        b = make_block(st, &len, NULL, 0, two, 2, NULL, 2000);
        CHECK_EQ_INT(chain_apply(st, b, len, &P, pvk, &bad), TACIT_ENOT_ON_CURVE);
        CHECK_EQ_INT(bad, 1);
        free(b);
        chain_tip(st, &after);
        CHECK(tips_eq(&before, &after));
    }
    /* the valid block: made by the builder, accepted by the block path */
    b = seal_only(st, NULL, 0, txs, 2, 2000, &len);
    CHECK_EQ_INT(chain_apply(st, b, len, &P, pvk, &bad), TACIT_OK);
    CHECK_EQ_INT(bad, -1);
    free(b);
    chain_tip(st, &after);
    CHECK_EQ_INT(after.next_height, 2);
    CHECK_EQ_INT(after.digests.commitment_count, 4);
    {
        struct tacit_account a;
        a = chain_account(st, TACIT_POOL_ADDRESS);
        CHECK_EQ_INT(a.balance, 1000 - 20 + 500 - 30);
    }
    chain_close(st);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk);
}

/* ------------------------------------------------------------- fuzz seeds ---- */

/*
 * The seed corpus of tests/fuzz/fuzz_tx_decode and fuzz_block_decode: valid encodings made
 * here. With TACIT_WRITE_FUZZ_SEEDS=1 this test (re)writes them into tests/fuzz/corpus/;
 * always, it checks that the checked-in seeds still decode.
 */
static void seed_file(const char *target, const char *name, const uint8_t *data, size_t len,
                      bool write)
{
    char path[512];
    FILE *f;
    size_t n = 0;
    char *got;
    snprintf(path, sizeof path, "tests/fuzz/corpus/%s/%s", target, name);
    if (write) {
        char d[512];
        snprintf(d, sizeof d, "tests/fuzz/corpus/%s", target);
        mkdir(d, 0755);
        CHECK((f = fopen(path, "wb")) != NULL);
        if (f != NULL) {
            CHECK_EQ_INT(fwrite(data, 1, len, f), len);
            fclose(f);
        }
    }
    got = tacit_test_read_file(path, &n);
    CHECK(got != NULL);
    if (got == NULL) return;
    if (strcmp(target, "fuzz_tx_decode") == 0) {
        struct tacit_tx tx;
        CHECK_EQ_INT(tacit_tx_decode(&tx, (const uint8_t *)got, n), TACIT_OK);
    } else {
        struct tacit_block *b;
        CHECK_EQ_INT(tacit_block_decode(&b, (const uint8_t *)got, n), TACIT_OK);
        tacit_block_free(b);
    }
    free(got);
}

TEST(fuzz_seed_corpus)
{
    const char *w = getenv("TACIT_WRITE_FUZZ_SEEDS");
    bool write = w != NULL && strcmp(w, "1") == 0;
    struct tacit_tx tx[3];
    struct tacit_block_header h;
    struct tacit_credit c[2];
    uint8_t enc[TACIT_TX_BYTES], *b;
    size_t len;
    setup_params();
    make_tx(&tx[0], 0, 0, 0, 10);
    make_tx(&tx[1], 1000, 4, 0, 10);
    make_tx(&tx[2], 1000, 4, 500, 10);
    tacit_tx_encode(enc, &tx[0]);
    seed_file("fuzz_tx_decode", "valid_plain", enc, sizeof enc, write);
    tacit_tx_encode(enc, &tx[1]);
    seed_file("fuzz_tx_decode", "valid_deposit", enc, sizeof enc, write);
    tacit_tx_encode(enc, &tx[2]);
    seed_file("fuzz_tx_decode", "valid_deposit_withdrawal", enc, sizeof enc, write);
    random_header(&h);
    memset(c, 0x33, sizeof c);
    b = encode_block(&len, &h, NULL, 0, NULL, 0);
    seed_file("fuzz_block_decode", "valid_empty", b, len, write);
    free(b);
    b = encode_block(&len, &h, c, 2, tx, 3);
    seed_file("fuzz_block_decode", "valid_credits_3txs", b, len, write);
    free(b);
}

static const struct tacit_test tests[] = {
    {"keccak_known_answers", keccak_known_answers},
    {"protocol_v2_vectors", protocol_v2_vectors},
    {"protocol_v2_rules", protocol_v2_rules},
    {"ethereum_addresses", ethereum_addresses},
    {"tx_round_trip", tx_round_trip},
    {"tx_decode_errors", tx_decode_errors},
    {"tx_id_ignores_only_the_proof", tx_id_ignores_only_the_proof},
    {"ext_and_deposit_digests", ext_and_deposit_digests},
    {"deposit_signatures", deposit_signatures},
    {"tx_static_rules", tx_static_rules},
    {"tx_check_state_rules", tx_check_state_rules},
    {"tx_apply_rules", tx_apply_rules},
    {"tx_root", tx_root},
    {"block_signature", block_signature},
    {"block_round_trip", block_round_trip},
    {"block_decode_errors", block_decode_errors},
    {"builder", builder},
    {"block_path_header_rules", block_path_header_rules},
    {"block_open_submission", block_open_submission},
    {"block_path_l1_claims", block_path_l1_claims},
    {"block_path_credit_to_pool", block_path_credit_to_pool},
    {"forced_transactions", forced_transactions},
    {"block_path_tx_rules", block_path_tx_rules},
    {"builder_blocks_pass_block_path", builder_blocks_pass_block_path},
    {"block_path_attacks", block_path_attacks},
    {"block_path_stale_anchor", block_path_stale_anchor},
    {"memstate_and_store_agree", memstate_and_store_agree},
    {"real_transfer_proofs", real_transfer_proofs},
    {"fuzz_seed_corpus", fuzz_seed_corpus},
};

TACIT_TEST_MAIN(tests)
