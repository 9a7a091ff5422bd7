/*
 * tacit — the rollup contract (src/l1/TacitRollup.sol, include/tacit/rollup.h) against a real
 * anvil, started by tests/rollup_anvil.sh (its URL in TACIT_L1_URL; this program is not a ctest
 * by itself). One L2 chain (protocol v2, an in-memory state, blocks made by tacit's own block
 * builder and signed by a sequencer key) settles on the contract:
 *   - deploy with devnet keys (the depth-32 transfer circuit; the tree-update circuit at depth
 *     32 with M = 2 leaves per proof, so a block of two transactions carries two tree proofs);
 *   - deposits enter the queue (the queue hash of the events equals tacit's), a deposit that is
 *     not whole gwei is refused;
 *   - block 0 consumes the two credits; block 1 shields a deposit (EIP-712 authorization);
 *     block 2 spends a note of block 1 with a withdrawal and a fee, next to a second deposit;
 *   - before block 2 settles, each refusal of issue 12 with its own revert reason: bad proof,
 *     repeated nullifier in the block, unknown anchor, wrong public_amount, wrong ext_data_hash,
 *     forged deposit authorization, credits that are not the queue's head, wrong parent, a
 *     tree-update proof for other leaves, a submission from a non-sequencer; after it, a spent
 *     nullifier and a replayed deposit authorization, and more of the contract's reasons (nf0 =
 *     nf1, a v1 transaction, a missing tree proof, a deposit without balance, a header whose
 *     root or height is wrong);
 *   - block 3 (a credit and three transactions) settles whole, and again (the L1 rewound with
 *     evm_snapshot / evm_revert) in two parts (submitBlockPart): the same root, count, height,
 *     queue head, pool, balances and claims; between the parts, each refusal of a part with its
 *     own reason (out of order, a second first part, a whole block, another block's part, a
 *     wrong prev, a part beyond the block, a last part whose totals disagree with the header);
 *   - forced transactions (FORCED-SPEC): forceTransaction from a non-sequencer, each refusal
 *     (encoding, version, ext_data_hash, nf0 = nf1, a deposit, an unknown anchor, a spent
 *     nullifier, a bad proof), three accepted (the ForcedTransaction event decoded, the queue
 *     hash tacit's, forcedEntry, queueBlock); block 5 spends a note F3 also spends; block 6
 *     consumes F1 as included (its withdrawal claimable after it) after each refusal of a marker
 *     (ForcedMarker, ForcedMismatch thrice, ForcedNotSpent, a marker at a deposit's position, a
 *     deposit's credit at a forced position, ForcedBeyondPart); block 7 a deposit, F2 included
 *     although its anchor left the root history (rootHeight cleared: an ordinary transaction
 *     with it is refused), F3 failed. The markers are written into the builder's block by the test (the builder
 *     refuses a credit to the zero address until the node's side lands);
 *   - open submission: NotSequencer for another account until the queue's head is older than T
 *     (a real transaction mined at queueBlock + T fails), accepted after; the same when no block
 *     settled for T; isOpen() false at + T, true at + T + 1;
 *   - the contract's hash chain, root and count equal tacit's; the withdrawal and the fees are
 *     claimed for exact wei, and a second claim is refused.
 * Gas of each submission is printed (figures: bench/l1-gas).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/anvil_rpc.h"
#include "lib/note.h"
#include "tacit/abi.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"
#include "tacit/l1.h"
#include "tacit/rollup.h"
#include "tacit/settle.h"
#include "tacit/treeupdate.h"
#include "tacit/txbuild.h"
#include "tacit/util.h"
#include "tacit/view.h"

#define L1_CHAIN_ID 31337
#define CHAIN_ID 0x7461u
#define MAX_LEAVES 2
#define FORCE_DELAY 20 /* T, in L1 blocks */
#define GWEI TACIT_ROLLUP_GWEI

/* anvil's default accounts 0..3 (public test keys) */
static const char *const KEYS[4] = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
};
enum { SEQ = 0, OTHER = 1, FEES = 2, WITHDRAWER = 3 };

struct acct {
    struct tacit_eth_key *key;
    struct tacit_l1_sender *s;
    uint8_t addr[20];
};

/* Everything the steps share, in order. */
static struct {
    bool ready;
    struct tacit_l1 *l1;
    struct acct a[4];
    uint8_t contract[20];
    tacit_groth16_pk *transfer_pk, *tree_pk;
    tacit_groth16_pvk *transfer_pvk; /* the L2 rules' proof check, beside the contract's */
    struct tacit_chain_params p;
    struct tacit_sequencer_key *seq;
    struct tacit_memstate *ms;
    struct tacit_tree_frontier f; /* the L2 tree, for the tree proofs */
    tacit_fr leaves[64];          /* every commitment, for Merkle paths */
    size_t nleaves;
    uint8_t parent[32]; /* the contract's blockHash */
    uint8_t alice_sk[32], alice[20], bob_sk[32], bob[20];
    struct note n0, n1, n2, n3, n4, n5;
    struct tacit_tx d1, s1, d2;
    tacit_fr root1; /* the root after block 1 */
    uint64_t fees_gwei;
} g;

/* ------------------------------------------------------------------ helpers ---- */

static void account(uint8_t sk[32], uint8_t addr[20])
{
    do tacit_test_rand_bytes(sk, 32);
    while (tacit_address_from_seckey(addr, sk) != TACIT_OK);
}

static bool open_l1(void)
{
    const char *url = getenv("TACIT_L1_URL");
    struct tacit_l1_sender_opts o = {.chain_id = L1_CHAIN_ID};
    if (url == NULL || tacit_l1_http_new(&g.l1, url, NULL) != TACIT_OK) return false;
    for (int i = 0; i < 4; i++) {
        if (tacit_eth_key_from_hex(&g.a[i].key, KEYS[i]) != TACIT_OK ||
            tacit_l1_sender_new(&g.a[i].s, g.l1, g.a[i].key, &o) != TACIT_OK)
            return false;
        tacit_eth_key_address(g.a[i].key, g.a[i].addr);
    }
    return true;
}

/* Sends data (value wei) to the contract (or creates it) from account who; the receipt must
 * say success. */
static int send_ok(int who, const uint8_t *data, size_t len, const tacit_uint256 *value,
                   struct tacit_l1_receipt *r)
{
    struct tacit_l1_call req = {.data = data, .data_len = len};
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt own;
    int rc;
    if (r == NULL) r = &own;
    memcpy(req.to, g.contract, 20);
    if (value) req.value = *value;
    if ((rc = tacit_l1_sender_send(g.a[who].s, &req, &sent)) != TACIT_OK) {
        char why[256];
        const struct tacit_l1_error *e = tacit_l1_last_error(g.l1);
        tacit_rollup_revert_reason(why, sizeof why, e->revert_data, e->revert_len);
        fprintf(stderr, "send: %s: %s\n", tacit_strerror(rc), why);
        return rc;
    }
    rc = tacit_l1_wait_success(g.l1, sent.hash, 20000, 20, r);
    tacit_l1_sent_clear(&sent);
    if (r == &own) tacit_l1_receipt_clear(&own);
    return rc;
}

/* eth_call of data from account who with value wei: the revert reason into why ("" if none). */
static int call(int who, const uint8_t *data, size_t len, uint64_t value_wei, char *why, size_t n,
                uint8_t **ret, size_t *retlen)
{
    struct tacit_l1_call c = {.has_from = true, .data = data, .data_len = len};
    uint8_t *out = NULL;
    size_t outlen = 0;
    int rc;
    memcpy(c.from, g.a[who].addr, 20);
    memcpy(c.to, g.contract, 20);
    tacit_uint256_from_u64(&c.value, value_wei);
    rc = tacit_l1_call(g.l1, &c, TACIT_L1_LATEST, &out, &outlen);
    why[0] = 0;
    if (rc == TACIT_EL1_REVERTED) {
        const struct tacit_l1_error *e = tacit_l1_last_error(g.l1);
        tacit_rollup_revert_reason(why, n, e->revert_data, e->revert_len);
    }
    if (ret) {
        *ret = out;
        *retlen = outlen;
    } else {
        free(out);
    }
    return rc;
}

/* The call must revert with the custom error whose signature starts with `name`, whose tacit
 * code is `code`, naming transaction tx (-1: none). */
static void expect_revert_(const char *file, int line, int who, const uint8_t *data, size_t len,
                           uint64_t value_wei, const char *name, int code, long tx)
{
    char why[512];
    int rc = call(who, data, len, value_wei, why, sizeof why, NULL, NULL);
    const struct tacit_l1_error *e = tacit_l1_last_error(g.l1);
    long index;
    if (rc != TACIT_EL1_REVERTED) {
        tacit__test_fail(file, line, "%s: the call did not revert (%s)", name, tacit_strerror(rc));
        return;
    }
    if (strncmp(why, name, strlen(name)) != 0 || why[strlen(name)] != '(')
        tacit__test_fail(file, line, "expected %s, reverted with %s", name, why);
    if (tacit_rollup_error(e->revert_data, e->revert_len, &index) != code)
        tacit__test_fail(file, line, "%s: tacit code %d, want %d", why,
                         tacit_rollup_error(e->revert_data, e->revert_len, NULL), code);
    if (index != tx) tacit__test_fail(file, line, "%s: tx index %ld, want %ld", why, index, tx);
    printf("  refused: %s\n", why);
}
#define expect_revert(who, data, len, value, name, code, tx) \
    expect_revert_(__FILE__, __LINE__, who, data, len, value, name, code, tx)

/* A view function of the contract returning one word. */
static void read_word(const char *sig, const uint8_t *arg20, uint8_t word[32])
{
    struct tacit_abi_value item, args;
    uint8_t *data, *ret = NULL;
    size_t len, retlen = 0;
    char why[128];
    memset(word, 0, 32);
    if (arg20) tacit_abi_set_address(&item, arg20);
    tacit_abi_set_list(&args, TACIT_ABI_TUPLE, &item, arg20 ? 1 : 0);
    CHECK_EQ_INT(tacit_abi_encode_call(&data, &len, sig, &args), TACIT_OK);
    CHECK_EQ_INT(call(SEQ, data, len, 0, why, sizeof why, &ret, &retlen), TACIT_OK);
    if (retlen >= 32) memcpy(word, ret, 32);
    free(data);
    free(ret);
}

static uint64_t read_u64(const char *sig, const uint8_t *arg20)
{
    uint8_t w[32];
    uint64_t v = 0;
    read_word(sig, arg20, w);
    for (int i = 24; i < 32; i++) v = v << 8 | w[i];
    return v;
}

static tacit_uint256 balance(const uint8_t addr[20])
{
    tacit_uint256 b = {{0}};
    CHECK_EQ_INT(tacit_l1_get_balance(g.l1, addr, TACIT_L1_LATEST, &b), TACIT_OK);
    return b;
}

static void check_u256(const tacit_uint256 *a, const tacit_uint256 *b)
{
    char x[TACIT_UINT256_DEC_MAX], y[TACIT_UINT256_DEC_MAX];
    tacit_uint256_to_dec(x, a);
    tacit_uint256_to_dec(y, b);
    if (strcmp(x, y) != 0) tacit__test_fail(__FILE__, __LINE__, "%s != %s wei", x, y);
}

/* ------------------------------------------------------------------ L2 blocks ---- */

static int leaf_get(void *arg, unsigned level, uint64_t index, tacit_fr *out)
{
    (void)arg;
    if (level != 0 || index >= g.nleaves) return TACIT_ENOTFOUND;
    *out = g.leaves[index];
    return TACIT_OK;
}

/* Builds (and, when commit, commits to the in-memory L2 state) the block of these credits and
 * txs on the tip. *bytes malloc'd. */
static void make_block(const struct tacit_credit *credits, size_t nc, const struct tacit_tx *txs,
                       size_t nt, bool commit, uint8_t **bytes, size_t *len)
{
    struct tacit_memview *mv = NULL;
    struct tacit_view v;
    struct tacit_view_tip tip;
    struct tacit_block_builder *bb = NULL;
    struct tacit_block_header h;
    uint8_t hash[32];
    uint64_t ts;
    static uint8_t enc[TACIT_TX_BYTES];

    *bytes = NULL;
    tacit_memstate_tip(g.ms, &tip, &ts);
    CHECK_EQ_INT(tacit_memstate_view_new(g.ms, &mv), TACIT_OK);
    tacit_memview_view(mv, &v);
    CHECK_EQ_INT(tacit_block_builder_new_view(&bb, &v, ts, &g.p), TACIT_OK);
    for (size_t i = 0; i < nc; i++)
        CHECK_EQ_INT(tacit_block_builder_add_credit(bb, &credits[i]), TACIT_OK);
    for (size_t i = 0; i < nt; i++) {
        tacit_tx_encode(enc, &txs[i]);
        CHECK_EQ_INT(tacit_block_builder_add_tx(bb, &txs[i], enc, sizeof enc), TACIT_OK);
    }
    CHECK_EQ_INT(tacit_block_builder_seal(bb, g.seq, ts + 1000, &h, bytes, len), TACIT_OK);
    CHECK_EQ_INT(tacit_block_builder_header(bb, NULL, hash), TACIT_OK);
    if (commit) CHECK_EQ_INT(tacit_memstate_commit(g.ms, mv, hash, h.timestamp_ms), TACIT_OK);
    tacit_block_builder_free(bb);
    tacit_memview_free(mv);
}

/* The tree proofs of a block from the current frontier (advanced when commit). */
static size_t tree_proofs(struct tacit_rollup_tree_proof *out, const uint8_t *bytes, size_t len,
                          bool commit)
{
    struct tacit_block *b = NULL;
    struct tacit_tree_frontier f = g.f;
    size_t n = 0;
    CHECK_EQ_INT(tacit_block_decode(&b, bytes, len), TACIT_OK);
    if (b == NULL) return 0;
    n = tacit_rollup_tree_proof_count(b->ntxs, MAX_LEAVES);
    CHECK_EQ_INT(tacit_rollup_prove_tree(out, &f, g.tree_pk, b, MAX_LEAVES, 0), TACIT_OK);
    if (commit) {
        g.f = f;
        for (size_t i = 0; i < b->ntxs; i++) {
            g.leaves[g.nleaves++] = b->txs[i].pub[5];
            g.leaves[g.nleaves++] = b->txs[i].pub[6];
        }
    }
    tacit_block_free(b);
    return n;
}

/* The encoding of a block with this header (its first 289 bytes), credits and txs: for
 * submissions the L2 rules would refuse. *out malloc'd. */
static void encode_block(uint8_t **out, size_t *len, const uint8_t *header,
                         const struct tacit_credit *credits, size_t nc, const struct tacit_tx *txs,
                         size_t nt)
{
    size_t n = TACIT_BLOCK_HEADER_BYTES + 4 + 28 * nc + 4 + (4 + TACIT_TX_BYTES) * nt, o;
    uint8_t *p = calloc(1, n);
    *out = p;
    *len = n;
    if (p == NULL) return;
    memcpy(p, header, TACIT_BLOCK_HEADER_BYTES);
    o = TACIT_BLOCK_HEADER_BYTES;
    for (int k = 0; k < 4; k++) p[o + k] = (uint8_t)(nc >> (8 * k));
    o += 4;
    for (size_t i = 0; i < nc; i++, o += 28) {
        memcpy(p + o, credits[i].address, 20);
        for (int k = 0; k < 8; k++) p[o + 20 + k] = (uint8_t)(credits[i].amount >> (8 * k));
    }
    for (int k = 0; k < 4; k++) p[o + k] = (uint8_t)(nt >> (8 * k));
    o += 4;
    for (size_t i = 0; i < nt; i++, o += 4 + TACIT_TX_BYTES) {
        p[o] = TACIT_TX_BYTES & 0xff;
        p[o + 1] = TACIT_TX_BYTES >> 8;
        tacit_tx_encode(p + o + 4, &txs[i]);
    }
}

static void submit_data(uint8_t **data, size_t *dlen, const uint8_t parent[32],
                        const uint8_t *block, size_t blen,
                        const struct tacit_rollup_tree_proof *proofs, size_t np)
{
    CHECK_EQ_INT(tacit_rollup_submit_call(data, dlen, parent, block, blen, proofs, np), TACIT_OK);
}

/* Submits a valid block from account who and checks the contract's state after it; returns
 * the L1 block it settled in. */
static uint64_t settle_from(int who, const uint8_t *bytes, size_t len,
                            const struct tacit_rollup_tree_proof *proofs, size_t np,
                            const char *what)
{
    struct tacit_l1_receipt r;
    struct tacit_rollup_event ev;
    struct tacit_block *b = NULL;
    uint8_t *data, want[32], got[32], root[32];
    size_t dlen;
    bool seen = false;
    uint64_t at;

    submit_data(&data, &dlen, g.parent, bytes, len, proofs, np);
    CHECK_EQ_INT(tacit_rollup_block_hash(want, g.parent, bytes, len, proofs, np), TACIT_OK);
    memcpy(got, g.parent, 32); /* the next parent may be computed in place */
    CHECK_EQ_INT(tacit_rollup_block_hash(got, got, bytes, len, proofs, np), TACIT_OK);
    CHECK_MEM(got, want, 32);
    CHECK_EQ_INT(send_ok(who, data, dlen, NULL, &r), TACIT_OK);
    at = r.block_number;
    CHECK_EQ_INT(tacit_block_decode(&b, bytes, len), TACIT_OK);
    printf("  %s: %zu txs, %zu credits, %zu tree proofs, %zu bytes of calldata: %llu gas\n", what,
           b ? b->ntxs : 0, b ? b->ncredits : 0, np, dlen, (unsigned long long)r.gas_used);
    for (size_t i = 0; i < r.nlogs; i++) {
        if (tacit_rollup_decode_event(&ev, &r.logs[i]) != TACIT_OK ||
            ev.kind != TACIT_ROLLUP_BLOCK_SUBMITTED)
            continue;
        seen = true;
        CHECK_MEM(ev.block_hash, want, 32);
        CHECK_MEM(ev.parent, g.parent, 32);
        if (b) {
            tacit_fr_to_bytes(root, &b->header.digests.note_root);
            CHECK_MEM(ev.note_root, root, 32);
            CHECK_EQ_INT(ev.height, b->header.height);
            CHECK_EQ_INT(ev.commitment_count, b->header.digests.commitment_count);
            CHECK_EQ_INT(ev.ntxs, b->ntxs);
        }
    }
    CHECK(seen);
    read_word("blockHash()", NULL, got);
    CHECK_MEM(got, want, 32);
    if (b) {
        read_word("noteRoot()", NULL, got);
        CHECK_MEM(got, root, 32);
        CHECK_EQ_INT(read_u64("height()", NULL), b->header.height + 1);
    }
    memcpy(g.parent, want, 32);
    /* every settled block moves lastSettledBlock (open submission's clock) */
    CHECK_EQ_INT(read_u64("lastSettledBlock()", NULL), at);
    tacit_block_free(b);
    tacit_l1_receipt_clear(&r);
    free(data);
    return at;
}

static void settle(const uint8_t *bytes, size_t len, const struct tacit_rollup_tree_proof *proofs,
                   size_t np, const char *what)
{
    settle_from(SEQ, bytes, len, proofs, np, what);
}

/* What the L2 rules say of these txs on the settled state, in the order a block applies them
 * (each tx's static rules, its state rules after the txs before it, its proof): the first
 * refusal's code and index, or TACIT_OK with *at = -1. The same rules as the builder's and
 * tacit_block_apply's (SETTLEMENT.md 9: every rule the contract checks is checked there too). */
static int l2_verdict(const struct tacit_tx *txs, size_t nt, long *at)
{
    struct tacit_memview *mv = NULL;
    struct tacit_view v;
    struct tacit_view_tip tip;
    struct tacit_block_builder *bb = NULL;
    uint64_t ts;
    static uint8_t enc[TACIT_TX_BYTES];
    int rc = TACIT_OK;

    *at = -1;
    tacit_memstate_tip(g.ms, &tip, &ts);
    CHECK_EQ_INT(tacit_memstate_view_new(g.ms, &mv), TACIT_OK);
    tacit_memview_view(mv, &v);
    CHECK_EQ_INT(tacit_block_builder_new_view(&bb, &v, ts, &g.p), TACIT_OK);
    for (size_t i = 0; i < nt && rc == TACIT_OK && bb != NULL; i++) {
        tacit_tx_encode(enc, &txs[i]);
        if ((rc = tacit_tx_check_static(&txs[i], &g.p)) == TACIT_OK &&
            (rc = tacit_block_builder_add_tx(bb, &txs[i], enc, sizeof enc)) == TACIT_OK)
            rc = tacit_tx_verify_proof_var(&txs[i], g.transfer_pvk);
        if (rc != TACIT_OK) *at = (long)i;
    }
    tacit_block_builder_free(bb);
    tacit_memview_free(mv);
    return rc;
}

/* A submission of the block (header, credits, txs) with these tree proofs must be refused;
 * when the contract names a tx (tx >= 0), the L2 rules refuse the same tx for the same reason. */
#define refuse(header, credits, nc, txs, nt, proofs, np, name, code, tx) \
    refuse_(__FILE__, __LINE__, header, credits, nc, txs, nt, proofs, np, name, code, tx)
static void refuse_(const char *file, int line, const uint8_t *header,
                    const struct tacit_credit *credits, size_t nc, const struct tacit_tx *txs,
                    size_t nt, const struct tacit_rollup_tree_proof *proofs, size_t np,
                    const char *name, int code, long tx)
{
    uint8_t *vb, *data;
    size_t vlen, dlen;
    encode_block(&vb, &vlen, header, credits, nc, txs, nt);
    submit_data(&data, &dlen, g.parent, vb, vlen, proofs, np);
    expect_revert_(file, line, SEQ, data, dlen, 0, name, code, tx);
    if (tx >= 0) {
        long at;
        int l2 = l2_verdict(txs, nt, &at);
        if (l2 != code || at != tx) {
            tacit__test_fail(file, line,
                             "the L2 rules disagree with the contract's %s: %s at tx %ld", name,
                             tacit_errname(l2), at);
        }
    }
    free(data);
    free(vb);
}

/* A v2 transaction of this chain, anchored at the empty tree (the root after block 0). */
static void v2_base(struct tacit_txbuild *tb)
{
    memset(tb, 0, sizeof *tb);
    tb->chain_id = CHAIN_ID;
    tb->version = TACIT_TX_VERSION_L1;
    tb->l1_chain_id = L1_CHAIN_ID;
    memcpy(tb->rollup_id, g.contract, 20);
    tb->anchor = *tacit_tree_zero(TACIT_TREE_DEPTH);
}

/* A v2 deposit of `amount` by (sk, addr) with nonce, into notes a and b (a.value + b.value =
 * amount - fee), anchored at the root after block 0. */
static void deposit_tx(struct tacit_tx *tx, const uint8_t sk[32], const uint8_t addr[20],
                       uint64_t amount, uint64_t fee, uint64_t nonce, const struct note *a,
                       const struct note *b)
{
    static struct tacit_txbuild tb;
    v2_base(&tb);
    note_output(&tb.out[0], a);
    note_output(&tb.out[1], b);
    tb.fee = fee;
    tb.deposit_amount = amount;
    memcpy(tb.deposit_sender, addr, 20);
    tb.deposit_nonce = nonce;
    tb.deposit_sk = sk;
    CHECK_EQ_INT(tacit_txbuild_prove(tx, &tb, g.transfer_pk, 0, NULL), TACIT_OK);
}

/* Re-signs a deposit's authorization (after its public inputs changed) with sk. */
static void resign(struct tacit_tx *tx, const uint8_t sk[32])
{
    uint8_t digest[32];
    tacit_tx_deposit_digest_of(digest, tx, &g.p);
    CHECK_EQ_INT(tacit_deposit_sign(tx->ext.deposit_sig, sk, digest), TACIT_OK);
}

/* ------------------------------------------------------------------ the steps ---- */

TEST(deploy)
{
    tacit_r1cs r1cs;
    tacit_groth16_vk *tvk = NULL, *uvk = NULL;
    struct tacit_rollup_params rp;
    struct tacit_l1_call req = {.create = true};
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    uint8_t *data = NULL, sk[32], word[32], root[32];
    uint64_t deploy_block = 0;
    size_t len;

    REQUIRE(open_l1(), "TACIT_L1_URL (run tests/rollup_anvil.sh)");
    CHECK_EQ_INT(tacit_transfer_build(&r1cs, NULL, NULL, NULL, TACIT_TRANSFER_DEPTH), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_setup(&g.transfer_pk, &r1cs, 0), TACIT_OK);
    tacit_r1cs_clear(&r1cs);
    CHECK_EQ_INT(tacit_treeupdate_setup(&g.tree_pk, TACIT_TREE_DEPTH, MAX_LEAVES, 0), TACIT_OK);
    REQUIRE(g.transfer_pk && g.tree_pk, "the devnet keys");
    CHECK_EQ_INT(tacit_groth16_pk_vk(&tvk, g.transfer_pk), TACIT_OK);
    CHECK_EQ_INT(tacit_groth16_pk_vk(&uvk, g.tree_pk), TACIT_OK);
    REQUIRE(tvk && uvk, "the verifying keys");
    CHECK_EQ_INT(tacit_groth16_pvk_new(&g.transfer_pvk, tvk, NULL), TACIT_OK);

    /* a transfer key with another number of inputs, or a force delay of 0, is refused before
     * anything is sent */
    memset(&rp, 0, sizeof rp);
    memcpy(rp.sequencer, g.a[SEQ].addr, 20);
    memcpy(rp.fee_recipient, g.a[FEES].addr, 20);
    rp.chain_id = CHAIN_ID;
    rp.force_delay = FORCE_DELAY;
    CHECK_EQ_INT(tacit_rollup_deploy_data(&data, &len, uvk, uvk, &rp), TACIT_EINVAL);
    rp.force_delay = 0;
    CHECK_EQ_INT(tacit_rollup_deploy_data(&data, &len, tvk, uvk, &rp), TACIT_EINVAL);
    rp.force_delay = FORCE_DELAY;
    CHECK_EQ_INT(tacit_rollup_deploy_data(&data, &len, tvk, uvk, &rp), TACIT_OK);
    req.data = data;
    req.data_len = len;
    CHECK_EQ_INT(tacit_l1_sender_send(g.a[SEQ].s, &req, &sent), TACIT_OK);
    CHECK_EQ_INT(tacit_l1_wait_success(g.l1, sent.hash, 20000, 20, &r), TACIT_OK);
    REQUIRE(r.has_contract_address, "a contract address");
    memcpy(g.contract, r.contract_address, 20);
    deploy_block = r.block_number;
    printf("  deployed: %zu bytes of creation data, %llu gas\n", len,
           (unsigned long long)r.gas_used);
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    free(data);
    tacit_groth16_vk_free(tvk);
    tacit_groth16_vk_free(uvk);

    /* the contract's parameters */
    CHECK_EQ_INT(read_u64("maxLeaves()", NULL), MAX_LEAVES);
    CHECK_EQ_INT(read_u64("chainId()", NULL), CHAIN_ID);
    /* the L1 block of its deployment: where a reader of its logs starts */
    CHECK(deploy_block > 0);
    CHECK_EQ_INT(read_u64("deployBlock()", NULL), deploy_block);
    CHECK_EQ_INT(read_u64("lastSettledBlock()", NULL), deploy_block);
    CHECK_EQ_INT(read_u64("forceDelay()", NULL), FORCE_DELAY);
    read_word("noteRoot()", NULL, word);
    tacit_fr_to_bytes(root, tacit_tree_zero(TACIT_TREE_DEPTH));
    CHECK_MEM(word, root, 32);
    read_word("domainSeparator()", NULL, word);
    tacit_tx_eip712_domain(root, L1_CHAIN_ID, g.contract);
    CHECK_MEM(word, root, 32);

    /* the L2 chain that settles on it */
    memset(&g.p, 0, sizeof g.p);
    g.p.chain_id = CHAIN_ID;
    memcpy(g.p.rollup_id, g.contract, 20);
    memcpy(g.p.fee_recipient, g.a[FEES].addr, 20);
    g.p.allow_credits = true;
    g.p.tx_version = TACIT_TX_VERSION_L1;
    g.p.l1_chain_id = L1_CHAIN_ID;
    do tacit_test_rand_bytes(sk, 32);
    while (tacit_sequencer_key_new(&g.seq, sk) != TACIT_OK);
    tacit_sequencer_key_public(g.seq, g.p.sequencer, word);
    CHECK_EQ_INT(tacit_memstate_new(&g.ms, 0), TACIT_OK);
    tacit_tree_frontier_init(&g.f);
    account(g.alice_sk, g.alice);
    account(g.bob_sk, g.bob);
    g.ready = g.ms != NULL;
}

/* L1 deposits enter the queue in order; the queue hash is tacit's; not whole gwei: refused. */
TEST(deposits_enter_queue)
{
    const struct {
        const uint8_t *to;
        uint64_t gwei;
    } d[2] = {{g.alice, 1500000000}, {g.bob, 200000000}};
    uint8_t h[32] = {0}, *data;
    size_t len;

    REQUIRE(g.ready, "deploy");
    for (int i = 0; i < 2; i++) {
        struct tacit_l1_receipt r;
        struct tacit_rollup_event ev;
        struct tacit_credit c;
        tacit_uint256 v, gw;
        tacit_uint256_from_u64(&gw, GWEI);
        tacit_uint256_from_u64(&v, d[i].gwei);
        CHECK_EQ_INT(tacit_uint256_mul_u64(&v, &gw, d[i].gwei), TACIT_OK);
        CHECK_EQ_INT(tacit_rollup_deposit_call(&data, &len, d[i].to), TACIT_OK);
        CHECK_EQ_INT(send_ok(SEQ, data, len, &v, &r), TACIT_OK);
        printf("  deposit %d: %llu gas\n", i, (unsigned long long)r.gas_used);
        CHECK_EQ_INT(r.nlogs, 1);
        CHECK_EQ_INT(tacit_rollup_decode_event(&ev, &r.logs[0]), TACIT_OK);
        CHECK_EQ_INT(ev.kind, TACIT_ROLLUP_DEPOSITED);
        CHECK_EQ_INT(ev.index, i);
        CHECK_EQ_INT(ev.amount, d[i].gwei);
        CHECK_MEM(ev.account, d[i].to, 20);
        memcpy(c.address, d[i].to, 20);
        c.amount = d[i].gwei;
        tacit_rollup_queue_hash(h, h, &c);
        CHECK_MEM(ev.queue_hash, h, 32);
        tacit_l1_receipt_clear(&r);
        free(data);
    }
    CHECK_EQ_INT(read_u64("queueLength()", NULL), 2);
    CHECK_EQ_INT(tacit_rollup_deposit_call(&data, &len, g.alice), TACIT_OK);
    expect_revert(SEQ, data, len, GWEI + 1, "DepositNotWholeGwei", TACIT_EINVAL, -1);
    expect_revert(SEQ, data, len, 0, "DepositNotWholeGwei", TACIT_EINVAL, -1);
    free(data);
    CHECK_EQ_INT(tacit_rollup_deposit_call(&data, &len, TACIT_POOL_ADDRESS), TACIT_OK);
    expect_revert(SEQ, data, len, GWEI, "DepositToPool", TACIT_ECREDIT, -1);
    free(data);
}

/* Block 0: the two credits, as the queue holds them. */
TEST(block_of_credits)
{
    struct tacit_credit c[2];
    uint8_t *bytes;
    size_t len;

    REQUIRE(g.ready, "deploy");
    memcpy(c[0].address, g.alice, 20);
    c[0].amount = 1500000000;
    memcpy(c[1].address, g.bob, 20);
    c[1].amount = 200000000;
    make_block(c, 2, NULL, 0, true, &bytes, &len);
    REQUIRE(bytes, "block 0");
    settle(bytes, len, NULL, 0, "block 0 (credits)");
    CHECK_EQ_INT(read_u64("queueHead()", NULL), 2);
    CHECK_EQ_INT(read_u64("account(address)", g.alice), 1500000000); /* balance, nonce */
    free(bytes);
}

/* Block 1: Alice shields her deposit (v2: EIP-712 authorization checked by the contract). */
TEST(block_with_deposit)
{
    struct tacit_rollup_tree_proof proofs[4];
    uint8_t *bytes;
    size_t len, np;

    REQUIRE(g.ready, "deploy");
    note_new(&g.n0, 1000000000);
    note_new(&g.n1, 500000000 - 1000);
    deposit_tx(&g.d1, g.alice_sk, g.alice, 1500000000, 1000, 0, &g.n0, &g.n1);
    make_block(NULL, 0, &g.d1, 1, true, &bytes, &len);
    REQUIRE(bytes, "block 1");
    np = tree_proofs(proofs, bytes, len, true);
    CHECK_EQ_INT(np, 1);
    settle(bytes, len, proofs, np, "block 1 (a deposit)");
    g.fees_gwei += 1000;
    tacit_tree_frontier_root(&g.root1, &g.f);
    CHECK_EQ_INT(read_u64("pool()", NULL), 1500000000 - 1000);
    CHECK_EQ_INT(read_u64("commitmentCount()", NULL), 2);
    free(bytes);
}

/* Block 2 (a spend with a withdrawal and a fee, and Bob's deposit): every refusal first, each
 * its own reason, then the block settles. */
TEST(block_with_spend_and_refusals)
{
    static struct tacit_txbuild tb;
    struct tacit_rollup_tree_proof proofs[4], other[4], bad[4];
    struct tacit_tx txs[2], t;
    struct tacit_credit cr;
    struct tacit_block *blk = NULL;
    tacit_fr other_leaves[2];
    uint8_t *bytes, *data, header[TACIT_BLOCK_HEADER_BYTES], parent[32], sk[32], addr[20];
    size_t len, dlen, np;

    REQUIRE(g.ready, "deploy");
    /* the spend: n0 (leaf 0) -> withdrawal of 0.3 ETH + fee 2000 + n2 */
    v2_base(&tb);
    tb.anchor = g.root1;
    CHECK_EQ_INT(
        tacit_tree_path(&tb.in[0].path, 0, g.nleaves, leaf_get, NULL, TACIT_TREE_DEPTH + 1),
        TACIT_OK);
    tb.in[0].sk = g.n0.sk;
    tb.in[0].value = g.n0.value;
    tb.in[0].blinding = g.n0.blinding;
    note_new(&g.n2, 1000000000 - 300000000 - 2000);
    note_new(&g.n3, 0);
    note_output(&tb.out[0], &g.n2);
    note_output(&tb.out[1], &g.n3);
    tb.fee = 2000;
    tb.withdrawal_amount = 300000000;
    memcpy(tb.withdrawal_recipient, g.a[WITHDRAWER].addr, 20);
    CHECK_EQ_INT(tacit_txbuild_prove(&g.s1, &tb, g.transfer_pk, 0, NULL), TACIT_OK);
    /* Bob shields 0.1 of his 0.2 ETH */
    note_new(&g.n4, 60000000);
    note_new(&g.n5, 40000000);
    deposit_tx(&g.d2, g.bob_sk, g.bob, 100000000, 0, 0, &g.n4, &g.n5);
    txs[0] = g.s1;
    txs[1] = g.d2;
    make_block(NULL, 0, txs, 2, false, &bytes, &len);
    REQUIRE(bytes, "block 2");
    np = tree_proofs(proofs, bytes, len, false);
    CHECK_EQ_INT(np, 2);
    memcpy(header, bytes, sizeof header);

    /* a submission from another address */
    submit_data(&data, &dlen, g.parent, bytes, len, proofs, np);
    expect_revert(OTHER, data, dlen, 0, "NotSequencer", TACIT_ESEQUENCER, -1);
    free(data);
    /* a wrong parent */
    tacit_test_rand_bytes(parent, 32);
    submit_data(&data, &dlen, parent, bytes, len, proofs, np);
    expect_revert(SEQ, data, dlen, 0, "WrongParent", TACIT_EPARENT, -1);
    free(data);
    /* credits that are not the queue's head (the queue is consumed: nothing may be credited) */
    memcpy(cr.address, g.alice, 20);
    cr.amount = 5;
    refuse(header, &cr, 1, txs, 2, proofs, np, "CreditsNotQueueHead", TACIT_ECREDIT, -1);
    /* an unknown anchor */
    t = g.s1;
    tacit_txbuild_random_fr(&t.pub[0]);
    txs[0] = t;
    refuse(header, NULL, 0, txs, 2, proofs, np, "UnknownAnchor", TACIT_EANCHOR, 0);
    /* a wrong public_amount */
    t = g.s1;
    tacit_txbuild_random_fr(&t.pub[1]);
    txs[0] = t;
    refuse(header, NULL, 0, txs, 2, proofs, np, "PublicAmountMismatch", TACIT_EPUBLIC_AMOUNT, 0);
    /* a wrong ext_data_hash: a byte of an encrypted note changed */
    t = g.s1;
    t.ext.ciphertext[1][100] ^= 1;
    txs[0] = t;
    refuse(header, NULL, 0, txs, 2, proofs, np, "ExtDataHashMismatch", TACIT_EEXT_DATA_HASH, 0);
    /* a forged deposit authorization: Bob's deposit signed by another key */
    txs[0] = g.s1;
    t = g.d2;
    account(sk, addr);
    resign(&t, sk);
    txs[1] = t;
    refuse(header, NULL, 0, txs, 2, proofs, np, "DepositSignature", TACIT_EDEPOSIT_SIG, 1);
    /* a nullifier repeated within the block: the spend twice */
    txs[0] = g.s1;
    txs[1] = g.s1;
    refuse(header, NULL, 0, txs, 2, proofs, np, "NullifierInBlock", TACIT_ENULLIFIER_IN_BLOCK, 1);
    /* a bad proof: the spend's A and C swapped (both valid points) */
    t = g.s1;
    memcpy(t.proof, g.s1.proof + 192, 64);
    memcpy(t.proof + 192, g.s1.proof, 64);
    txs[0] = t;
    txs[1] = g.d2;
    refuse(header, NULL, 0, txs, 2, proofs, np, "BadTransferProof", TACIT_EVERIFY, 0);
    /* the single-proof path: the spend verifies alone, the swapped one does not */
    {
        static uint8_t enc[TACIT_TX_BYTES];
        uint8_t *ret = NULL;
        size_t retlen = 0;
        char why[128];
        for (int k = 0; k < 2; k++) {
            tacit_tx_encode(enc, k == 0 ? &g.s1 : &t);
            CHECK_EQ_INT(tacit_rollup_verify_call(&data, &dlen, enc), TACIT_OK);
            CHECK_EQ_INT(call(SEQ, data, dlen, 0, why, sizeof why, &ret, &retlen), TACIT_OK);
            CHECK(retlen == 32 && ret[31] == (k == 0));
            free(ret);
            free(data);
        }
    }
    /* a tree-update proof for other leaves (and the header's root its R_new) */
    CHECK_EQ_INT(tacit_block_decode(&blk, bytes, len), TACIT_OK);
    REQUIRE(blk, "block 2 decodes");
    tacit_txbuild_random_fr(&other_leaves[0]);
    tacit_txbuild_random_fr(&other_leaves[1]);
    {
        struct tacit_block fake = *blk;
        struct tacit_tx ftx = blk->txs[0];
        struct tacit_tree_frontier f = g.f;
        ftx.pub[5] = other_leaves[0];
        ftx.pub[6] = other_leaves[1];
        fake.txs = &ftx;
        fake.ntxs = 1;
        CHECK_EQ_INT(tacit_rollup_prove_tree(other, &f, g.tree_pk, &fake, MAX_LEAVES, 0), TACIT_OK);
    }
    memcpy(bad, proofs, sizeof bad);
    bad[0] = other[0];
    txs[0] = g.s1;
    /* with its own R_new (where the second proof then starts) */
    refuse(header, NULL, 0, txs, 2, bad, np, "BadTreeUpdateProof", TACIT_EVERIFY, -1);
    /* with the block's intermediate root */
    bad[0].root_new = proofs[0].root_new;
    refuse(header, NULL, 0, txs, 2, bad, np, "BadTreeUpdateProof", TACIT_EVERIFY, -1);
    tacit_block_free(blk);

    /* nothing changed: the block itself settles */
    {
        uint8_t *b2;
        size_t l2;
        txs[0] = g.s1;
        txs[1] = g.d2;
        make_block(NULL, 0, txs, 2, true, &b2, &l2);
        REQUIRE(b2, "block 2 again");
        np = tree_proofs(proofs, b2, l2, true);
        settle(b2, l2, proofs, np, "block 2 (a spend with a withdrawal, a deposit)");
        free(b2);
    }
    g.fees_gwei += 2000;
    CHECK_EQ_INT(read_u64("pool()", NULL), 1500000000 - 1000 + 100000000 - 300000000 - 2000);
    CHECK_EQ_INT(read_u64("claimable(address)", g.a[WITHDRAWER].addr), 300000000ull * GWEI);
    CHECK_EQ_INT(read_u64("claimable(address)", g.a[FEES].addr), g.fees_gwei * GWEI);
    free(bytes);
}

/* Block 3 candidates that the settled state refuses: a spent nullifier, a replayed deposit
 * authorization (nonce 0 again, fresh nullifiers, signed by Alice). */
TEST(refusals_after_settling)
{
    struct tacit_rollup_tree_proof dummy[2];
    struct tacit_tx t;
    uint8_t *bytes, header[TACIT_BLOCK_HEADER_BYTES];
    size_t len;

    REQUIRE(g.ready, "deploy");
    memset(dummy, 0, sizeof dummy);
    make_block(NULL, 0, NULL, 0, false, &bytes, &len); /* a header of height 3 */
    REQUIRE(bytes, "a block 3");
    memcpy(header, bytes, sizeof header);
    free(bytes);
    refuse(header, NULL, 0, &g.s1, 1, dummy, 1, "NullifierSpent", TACIT_ENULLIFIER_SPENT, 0);

    t = g.d1;
    tacit_txbuild_random_fr(&t.pub[3]);
    tacit_txbuild_random_fr(&t.pub[4]);
    resign(&t, g.alice_sk);
    refuse(header, NULL, 0, &t, 1, dummy, 1, "DepositNonce", TACIT_ENONCE, 0);

    /* more of the contract's own reasons */
    t = g.s1;
    t.pub[4] = t.pub[3];
    refuse(header, NULL, 0, &t, 1, dummy, 1, "NullifierRepeated", TACIT_ENULLIFIER_REPEATED, 0);
    t = g.s1;
    t.version = TACIT_TX_VERSION;
    refuse(header, NULL, 0, &t, 1, dummy, 1, "TxVersion", TACIT_EVERSION, 0);
    t = g.s1;
    t.chain_id ^= 1;
    refuse(header, NULL, 0, &t, 1, dummy, 1, "TxChainId", TACIT_ECHAIN_ID, 0);
    t = g.s1; /* no deposit, yet a deposit sender: not canonical */
    t.ext.deposit_sender[0] = 1;
    refuse(header, NULL, 0, &t, 1, dummy, 1, "TxEncoding", TACIT_EENCODING, 0);
    refuse(header, NULL, 0, &g.s1, 1, dummy, 0, "TreeProofCount", TACIT_EENCODING, -1);
    {
        /* a valid authorization by an account with nothing credited */
        uint8_t sk[32];
        t = g.d1;
        account(sk, t.ext.deposit_sender);
        tacit_tx_ext_data_hash_of(&t.pub[2], &t, &g.p);
        tacit_txbuild_random_fr(&t.pub[3]);
        tacit_txbuild_random_fr(&t.pub[4]);
        resign(&t, sk);
        refuse(header, NULL, 0, &t, 1, dummy, 1, "InsufficientBalance", TACIT_EINSUFFICIENT, 0);
    }
    header[89 + 31] ^= 1; /* note_root: not the root the (empty) block leaves */
    refuse(header, NULL, 0, NULL, 0, dummy, 0, "HeaderMismatch", TACIT_EDIGEST, -1);
    header[89 + 31] ^= 1;
    header[9]++; /* height */
    refuse(header, NULL, 0, NULL, 0, dummy, 0, "WrongHeight", TACIT_EHEIGHT, -1);
}

/* A transfer from two dummy inputs to two zero-value notes (fee 0), anchored at the empty tree. */
static void dummy_tx(struct tacit_tx *tx)
{
    static struct tacit_txbuild tb;
    struct note a, b;
    v2_base(&tb);
    note_new(&a, 0);
    note_new(&b, 0);
    note_output(&tb.out[0], &a);
    note_output(&tb.out[1], &b);
    CHECK_EQ_INT(tacit_txbuild_prove(tx, &tb, g.transfer_pk, 0, NULL), TACIT_OK);
}

/* What a settled block leaves in the contract, to compare two ways of settling it. */
struct settled {
    uint8_t root[32];
    uint64_t count, height, head, pool, bob, bob_nonce, fees;
};

static void settled_read(struct settled *x)
{
    uint8_t w[32];
    read_word("noteRoot()", NULL, x->root);
    x->count = read_u64("commitmentCount()", NULL);
    x->height = read_u64("height()", NULL);
    x->head = read_u64("queueHead()", NULL);
    x->pool = read_u64("pool()", NULL);
    x->bob = read_u64("account(address)", g.bob);
    x->fees = read_u64("claimable(address)", g.a[FEES].addr);
    {
        /* account(address) returns (balance, nonce): the nonce is the second word */
        struct tacit_abi_value item, args;
        uint8_t *data, *ret = NULL;
        size_t len, retlen = 0;
        char why[128];
        tacit_abi_set_address(&item, g.bob);
        tacit_abi_set_list(&args, TACIT_ABI_TUPLE, &item, 1);
        CHECK_EQ_INT(tacit_abi_encode_call(&data, &len, "account(address)", &args), TACIT_OK);
        CHECK_EQ_INT(call(SEQ, data, len, 0, why, sizeof why, &ret, &retlen), TACIT_OK);
        memset(w, 0, 32);
        if (retlen >= 64) memcpy(w, ret + 32, 32);
        x->bob_nonce = 0;
        for (int i = 24; i < 32; i++) x->bob_nonce = x->bob_nonce << 8 | w[i];
        free(data);
        free(ret);
    }
}

/* partialBlock(): (next, total, count, root, hash). */
static void partial_read(uint64_t *next, uint64_t *total, uint64_t *count, uint8_t root[32],
                         uint8_t hash[32])
{
    struct tacit_abi_value args;
    uint8_t *data, *ret = NULL;
    size_t len, retlen = 0;
    char why[128];
    tacit_abi_set_list(&args, TACIT_ABI_TUPLE, NULL, 0);
    CHECK_EQ_INT(tacit_abi_encode_call(&data, &len, "partialBlock()", &args), TACIT_OK);
    CHECK_EQ_INT(call(SEQ, data, len, 0, why, sizeof why, &ret, &retlen), TACIT_OK);
    *next = *total = *count = 0;
    if (retlen >= 160) {
        for (int i = 24; i < 32; i++) {
            *next = *next << 8 | ret[i];
            *total = *total << 8 | ret[32 + i];
            *count = *count << 8 | ret[64 + i];
        }
        memcpy(root, ret + 96, 32);
        memcpy(hash, ret + 128, 32);
    }
    free(data);
    free(ret);
}

/* Sends a part (it must succeed): its hash must be the event's and partialBlock()'s (or, the
 * last, blockHash()'s). */
static void send_part(const uint8_t prev[32], const uint8_t *part, size_t plen,
                      const struct tacit_rollup_tree_proof *proofs, size_t np, uint8_t hash[32])
{
    struct tacit_l1_receipt r;
    struct tacit_rollup_event ev;
    uint8_t *data;
    size_t dlen;
    bool seen = false;
    CHECK_EQ_INT(tacit_rollup_part_hash(hash, prev, part, plen, proofs, np), TACIT_OK);
    CHECK_EQ_INT(tacit_rollup_part_call(&data, &dlen, prev, part, plen, proofs, np), TACIT_OK);
    CHECK_EQ_INT(send_ok(SEQ, data, dlen, NULL, &r), TACIT_OK);
    printf("  a part: %zu bytes of calldata, %llu gas\n", dlen, (unsigned long long)r.gas_used);
    for (size_t i = 0; i < r.nlogs; i++)
        if (tacit_rollup_decode_event(&ev, &r.logs[i]) == TACIT_OK &&
            ev.kind == TACIT_ROLLUP_PART_SUBMITTED) {
            seen = true;
            CHECK_MEM(ev.block_hash, hash, 32);
        }
    CHECK(seen);
    tacit_l1_receipt_clear(&r);
    free(data);
}

/* The part's submission must revert with `name` (and tacit code). */
static void refuse_part_(const char *file, int line, const uint8_t prev[32], const uint8_t *part,
                         size_t plen, const struct tacit_rollup_tree_proof *proofs, size_t np,
                         const char *name, int code)
{
    uint8_t *data;
    size_t dlen;
    CHECK_EQ_INT(tacit_rollup_part_call(&data, &dlen, prev, part, plen, proofs, np), TACIT_OK);
    expect_revert_(file, line, SEQ, data, dlen, 0, name, code, -1);
    free(data);
}
#define refuse_part(prev, part, plen, proofs, np, name, code) \
    refuse_part_(__FILE__, __LINE__, prev, part, plen, proofs, np, name, code)

/* Block 3 settles whole, then (the L1 rewound) in two parts, with every refusal of a part in
 * between; both leave the same state. */
TEST(block_in_parts)
{
    struct tacit_rollup_tree_proof whole[3], pa[1], pb[2], pc[2];
    struct tacit_tx txs[3], t3, other[2];
    struct tacit_credit cr;
    struct tacit_block *b = NULL;
    struct tacit_tree_frontier f;
    struct settled one, two;
    uint8_t *bytes, *a = NULL, *bb = NULL, *x = NULL, *data, parent[32], ha[32], hb[32], root[32],
                    hash[32], wrong[32];
    size_t len, alen, blen, xlen, dlen;
    uint64_t next, total, count;
    char snap[80], ok[16];
    tacit_uint256 v;

    REQUIRE(g.ready, "deploy");
    /* Bob deposits 0.3 ETH on L1 (queue entry 2), credited by block 3's first part */
    CHECK_EQ_INT(tacit_rollup_deposit_call(&data, &dlen, g.bob), TACIT_OK);
    tacit_uint256_from_u64(&v, 300000000);
    CHECK_EQ_INT(tacit_uint256_mul_u64(&v, &v, GWEI), TACIT_OK);
    CHECK_EQ_INT(send_ok(SEQ, data, dlen, &v, NULL), TACIT_OK);
    free(data);
    memcpy(cr.address, g.bob, 20);
    cr.amount = 300000000;
    /* a transfer, Bob's deposit of 0.35 (0.1 left + the credit: needs the first part's credit),
     * another transfer */
    dummy_tx(&txs[0]);
    {
        struct note n6, n7;
        note_new(&n6, 350000000 - 700);
        note_new(&n7, 0);
        deposit_tx(&txs[1], g.bob_sk, g.bob, 350000000, 700, 1, &n6, &n7);
    }
    dummy_tx(&txs[2]);
    dummy_tx(&t3);
    make_block(&cr, 1, txs, 3, true, &bytes, &len);
    REQUIRE(bytes, "block 3");
    CHECK_EQ_INT(tacit_block_decode(&b, bytes, len), TACIT_OK);
    REQUIRE(b, "block 3 decodes");
    CHECK_EQ_INT(tacit_rollup_part_encode(&a, &alen, bytes, len, 0, 1), TACIT_OK);
    CHECK_EQ_INT(tacit_rollup_part_encode(&bb, &blen, bytes, len, 1, 2), TACIT_OK);
    CHECK_EQ_INT(tacit_rollup_part_encode(&x, &xlen, bytes, len, 1, 3), TACIT_EENCODING);
    CHECK_EQ_INT(tacit_rollup_part_encode(&x, &xlen, bytes, len, 3, 0), TACIT_EENCODING);
    REQUIRE(a && bb, "the two parts");
    /* the proofs: whole, and per part from where the part before ended */
    f = g.f;
    CHECK_EQ_INT(tacit_rollup_prove_tree_range(pa, &f, g.tree_pk, b, 0, 1, MAX_LEAVES, 0),
                 TACIT_OK);
    CHECK_EQ_INT(tacit_rollup_prove_tree_range(pb, &f, g.tree_pk, b, 1, 2, MAX_LEAVES, 0),
                 TACIT_OK);
    {
        /* a last part with other transactions: a transfer in place of the last */
        struct tacit_block fake = *b;
        struct tacit_tree_frontier f2 = g.f;
        other[0] = b->txs[1];
        other[1] = t3;
        CHECK_EQ_INT(tacit_rollup_prove_tree_range(pc, &f2, g.tree_pk, b, 0, 1, MAX_LEAVES, 0),
                     TACIT_OK);
        fake.txs = other;
        fake.ntxs = 2;
        CHECK_EQ_INT(tacit_rollup_prove_tree_range(pc, &f2, g.tree_pk, &fake, 0, 2, MAX_LEAVES, 0),
                     TACIT_OK);
    }
    CHECK_EQ_INT(tree_proofs(whole, bytes, len, true), 3);
    memcpy(parent, g.parent, 32);

    /* whole, on a snapshot of the L1 */
    REQUIRE(anvil_call("evm_snapshot", json_array(), snap, sizeof snap) == TACIT_OK,
            "evm_snapshot");
    settle(bytes, len, whole, 3, "block 3 whole (a credit, three txs)");
    settled_read(&one);
    CHECK_EQ_INT(anvil_call("evm_revert", json_pack("[s]", snap), ok, sizeof ok), TACIT_OK);
    CHECK(strcmp(ok, "true") == 0);
    CHECK_EQ_INT(read_u64("height()", NULL), 3);
    /* the sequencer's sender counted a nonce the rewound L1 forgot: a new one */
    tacit_l1_sender_free(g.a[SEQ].s);
    {
        struct tacit_l1_sender_opts o = {.chain_id = L1_CHAIN_ID};
        CHECK_EQ_INT(tacit_l1_sender_new(&g.a[SEQ].s, g.l1, g.a[SEQ].key, &o), TACIT_OK);
    }
    memcpy(g.parent, parent, 32);

    /* in two parts */
    refuse_part(parent, bb, blen, pb, 2, "PartOutOfOrder", TACIT_EHEIGHT); /* no first part yet */
    send_part(parent, a, alen, pa, 1, ha);
    CHECK_EQ_INT(read_u64("height()", NULL), 3);
    read_word("blockHash()", NULL, hash);
    CHECK_MEM(hash, parent, 32);
    partial_read(&next, &total, &count, root, hash);
    CHECK_EQ_INT(next, 1);
    CHECK_EQ_INT(total, 3);
    CHECK_EQ_INT(count, b->header.digests.commitment_count - 4);
    CHECK_MEM(hash, ha, 32);
    {
        uint8_t want[32];
        tacit_fr_to_bytes(want, &pa[0].root_new);
        CHECK_MEM(root, want, 32);
    }
    /* the refusals of a part, each its own reason */
    submit_data(&data, &dlen, parent, bytes, len, whole, 3);
    expect_revert(SEQ, data, dlen, 0, "BlockInProgress", TACIT_EEXISTS, -1); /* whole */
    free(data);
    refuse_part(parent, a, alen, pa, 1, "BlockInProgress", TACIT_EEXISTS); /* a second first */
    bb[49] ^= 1; /* the header's timestamp: another block of the same height */
    refuse_part(ha, bb, blen, pb, 2, "PartOfOtherBlock", TACIT_EPARENT);
    bb[49] ^= 1;
    {
        uint8_t *c;
        size_t clen;
        CHECK_EQ_INT(tacit_rollup_part_encode(&c, &clen, bytes, len, 2, 1), TACIT_OK);
        refuse_part(ha, c, clen, pb + 1, 1, "PartOutOfOrder", TACIT_EHEIGHT); /* tx 1 skipped */
        free(c);
    }
    tacit_test_rand_bytes(wrong, 32);
    refuse_part(wrong, bb, blen, pb, 2, "WrongParent", TACIT_EPARENT);
    {
        /* three transactions from 1 in a block of 3 */
        uint8_t *c = malloc(blen + 4 + TACIT_TX_BYTES);
        REQUIRE(c, "memory");
        memcpy(c, bb, blen);
        memcpy(c + blen, bb + blen - (4 + TACIT_TX_BYTES), 4);
        tacit_tx_encode(c + blen + 4, &t3);
        refuse_part(ha, c, blen + 4 + TACIT_TX_BYTES, pb, 2, "PartBeyondBlock", TACIT_EENCODING);
        free(c);
    }
    {
        /* the last part with another transaction: every check passes but the header's root */
        uint8_t *full, *c;
        size_t flen, clen;
        struct tacit_tx all[3] = {txs[0], txs[1], t3};
        encode_block(&full, &flen, bytes, &cr, 1, all, 3);
        CHECK_EQ_INT(tacit_rollup_part_encode(&c, &clen, full, flen, 1, 2), TACIT_OK);
        refuse_part(ha, c, clen, pc, 2, "PartTotals", TACIT_EDIGEST);
        free(c);
        free(full);
    }
    /* the last part completes the block */
    send_part(ha, bb, blen, pb, 2, hb);
    partial_read(&next, &total, &count, root, hash);
    CHECK_EQ_INT(total, 0);
    read_word("blockHash()", NULL, hash);
    CHECK_MEM(hash, hb, 32);
    settled_read(&two);
    CHECK_MEM(two.root, one.root, 32);
    CHECK_EQ_INT(two.count, one.count);
    CHECK_EQ_INT(two.height, one.height);
    CHECK_EQ_INT(two.head, one.head);
    CHECK_EQ_INT(two.pool, one.pool);
    CHECK_EQ_INT(two.bob, one.bob);
    CHECK_EQ_INT(two.bob_nonce, one.bob_nonce);
    CHECK_EQ_INT(two.fees, one.fees);
    CHECK_EQ_INT(two.height, 4);
    CHECK_EQ_INT(two.head, 3);
    CHECK_EQ_INT(two.bob, 100000000 + 300000000 - 350000000);
    CHECK_EQ_INT(two.bob_nonce, 2);
    {
        uint8_t want[32];
        tacit_fr_to_bytes(want, &b->header.digests.note_root);
        CHECK_MEM(two.root, want, 32);
    }
    memcpy(g.parent, hb, 32);
    g.fees_gwei += 700;
    tacit_block_free(b);
    free(a);
    free(bb);
    free(bytes);
}

/* tacitd's settler (src/settle/settler.c) with a budget that fits one transaction per
 * submission: block 4 (two transfers) is planned in two parts; the second part is not prepared
 * before the first is in (EBUSY); each part prepared, sent and included in turn; the block
 * settles with the header's root. */
TEST(settler_in_parts)
{
    struct tacit_rollup_settler_opts so;
    struct tacit_settler st;
    struct tacit_settle_submission sm;
    struct tacit_settle_receipt rc2;
    struct tacit_tx txs[2];
    struct tacit_block *b = NULL;
    uint8_t *bytes, hash[32], *raw = NULL, root[32], word[32];
    size_t len, raw_len = 0;
    uint32_t nparts = 0;
    char reason[TACIT_SETTLE_REASON_MAX];

    REQUIRE(g.ready, "deploy");
    memset(&so, 0, sizeof so);
    so.l1 = g.l1;
    so.sender = g.a[SEQ].s;
    memcpy(so.contract, g.contract, 20);
    so.tree_pk = g.tree_pk;
    so.max_leaves = MAX_LEAVES;
    so.final_depth = 1;
    so.part_gas = 1; /* every transaction its own part */
    CHECK_EQ_INT(tacit_rollup_settler_new(&st, &so), TACIT_OK);
    REQUIRE(st.ops && st.ops->plan, "the settler plans parts");
    dummy_tx(&txs[0]);
    dummy_tx(&txs[1]);
    make_block(NULL, 0, txs, 2, true, &bytes, &len);
    REQUIRE(bytes, "block 4");
    memset(&sm, 0, sizeof sm);
    sm.height = 4;
    sm.block = bytes;
    sm.block_len = len;
    sm.frontier = &g.f;
    CHECK_EQ_INT(st.ops->plan(st.ctx, &sm, &nparts), TACIT_OK);
    CHECK_EQ_INT(nparts, 2);
    sm.nparts = nparts;
    sm.part = 1; /* before part 0 is in */
    CHECK_EQ_INT(st.ops->prepare(st.ctx, &sm, hash, &raw, &raw_len, reason), TACIT_EBUSY);
    printf("  part 1 first: busy (%s)\n", reason);
    for (uint32_t j = 0; j < nparts; j++) {
        struct tacit_l1_receipt r;
        sm.part = j;
        CHECK_EQ_INT(st.ops->prepare(st.ctx, &sm, hash, &raw, &raw_len, reason), TACIT_OK);
        CHECK_EQ_INT(st.ops->send(st.ctx, raw, raw_len), TACIT_OK);
        CHECK_EQ_INT(tacit_l1_wait_success(g.l1, hash, 20000, 20, &r), TACIT_OK);
        printf("  settler: part %u of %u, %llu gas\n", (unsigned)j + 1, (unsigned)nparts,
               (unsigned long long)r.gas_used);
        tacit_l1_receipt_clear(&r);
        memset(&rc2, 0, sizeof rc2);
        CHECK_EQ_INT(st.ops->lookup(st.ctx, hash, raw, raw_len, &rc2), TACIT_OK);
        CHECK_EQ_INT(rc2.state, TACIT_SETTLE_TX_INCLUDED);
        CHECK_EQ_INT(read_u64("height()", NULL), j + 1 < nparts ? 4 : 5);
        free(raw);
        raw = NULL;
    }
    CHECK_EQ_INT(tacit_block_decode(&b, bytes, len), TACIT_OK);
    REQUIRE(b, "block 4 decodes");
    tacit_fr_to_bytes(root, &b->header.digests.note_root);
    read_word("noteRoot()", NULL, word);
    CHECK_MEM(word, root, 32);
    CHECK_EQ_INT(read_u64("commitmentCount()", NULL), b->header.digests.commitment_count);
    for (size_t i = 0; i < b->ntxs; i++) {
        tacit_fr leaves[2] = {b->txs[i].pub[5], b->txs[i].pub[6]};
        CHECK_EQ_INT(tacit_tree_append(&g.f, NULL, leaves, 2, NULL, NULL, 0), TACIT_OK);
        g.leaves[g.nleaves++] = leaves[0];
        g.leaves[g.nleaves++] = leaves[1];
    }
    read_word("blockHash()", NULL, g.parent);
    tacit_block_free(b);
    tacit_rollup_settler_free(&st);
    free(bytes);
}

/* ------------------------------------------------------- forced transactions ---- */

/* The forced-transaction steps' shared state: the queue is F1 (3), a deposit D (4), F2 (5),
 * F3 (6) once forced_queue ran. */
static struct {
    bool ready;
    struct note n6, n7, n8, n9, n10, n11, n12, n13;
    struct tacit_tx f1, f2, f3, s4;
    uint8_t r1[20], r4[20]; /* F1's and S4's withdrawal recipients */
    struct tacit_credit d;  /* D's credit */
} fx;

#define F1_WITHDRAW 200000000ull
#define F1_FEE 500ull
#define S4_WITHDRAW 10000000ull

/* A view of the contract with one uint64 argument: its first nwords words into out. */
static void read_words_u64(const char *sig, uint64_t arg, uint8_t *out, size_t nwords)
{
    struct tacit_abi_value item, args;
    uint8_t *data, *ret = NULL;
    size_t len, retlen = 0;
    char why[128];
    memset(out, 0, 32 * nwords);
    tacit_abi_set_u64(&item, arg);
    tacit_abi_set_list(&args, TACIT_ABI_TUPLE, &item, 1);
    CHECK_EQ_INT(tacit_abi_encode_call(&data, &len, sig, &args), TACIT_OK);
    CHECK_EQ_INT(call(SEQ, data, len, 0, why, sizeof why, &ret, &retlen), TACIT_OK);
    if (retlen >= 32 * nwords) memcpy(out, ret, 32 * nwords);
    free(data);
    free(ret);
}

static uint64_t word_u64(const uint8_t w[32])
{
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = v << 8 | w[i];
    return v;
}

/* A v2 spend of note n (leaf `leaf` of the settled tree, anchored at its root): a withdrawal of
 * wamt to rec (NULL: none), fee, the rest to a new note *change and a zero note *zero. */
static void spend_tx(struct tacit_tx *tx, const struct note *n, uint64_t leaf, uint64_t wamt,
                     const uint8_t *rec, uint64_t fee, struct note *change, struct note *zero)
{
    static struct tacit_txbuild tb;
    v2_base(&tb);
    tacit_tree_frontier_root(&tb.anchor, &g.f);
    CHECK_EQ_INT(
        tacit_tree_path(&tb.in[0].path, leaf, g.nleaves, leaf_get, NULL, TACIT_TREE_DEPTH + 1),
        TACIT_OK);
    tb.in[0].sk = n->sk;
    tb.in[0].value = n->value;
    tb.in[0].blinding = n->blinding;
    note_new(change, n->value - wamt - fee);
    note_new(zero, 0);
    note_output(&tb.out[0], change);
    note_output(&tb.out[1], zero);
    tb.fee = fee;
    tb.withdrawal_amount = wamt;
    if (rec) memcpy(tb.withdrawal_recipient, rec, 20);
    CHECK_EQ_INT(tacit_txbuild_prove(tx, &tb, g.transfer_pk, 0, NULL), TACIT_OK);
}

/* forceTransaction(tx) from OTHER must be accepted: the ForcedTransaction event (decoded by
 * tacit_rollup_decode_event) names the queue's next index, the tx's hash and bytes and the
 * queue hash tacit computes; forcedEntry, queueBlock and queueHash agree. */
static void force_ok(const struct tacit_tx *tx, uint64_t want_index)
{
    static uint8_t enc[TACIT_TX_BYTES];
    struct tacit_l1_receipt r;
    struct tacit_rollup_event ev;
    uint8_t *data, h[32], prev[32], qh[32], w[3 * 32];
    size_t len;
    tacit_tx_encode(enc, tx);
    tacit_keccak256(h, enc, sizeof enc);
    read_words_u64("queueHash(uint256)", want_index, prev, 1);
    tacit_rollup_queue_hash_forced(qh, prev, h);
    CHECK_EQ_INT(tacit_rollup_force_call(&data, &len, enc), TACIT_OK);
    CHECK_EQ_INT(send_ok(OTHER, data, len, NULL, &r), TACIT_OK);
    printf("  forceTransaction (queue entry %llu): %llu gas\n", (unsigned long long)want_index,
           (unsigned long long)r.gas_used);
    CHECK_EQ_INT(r.nlogs, 1);
    if (r.nlogs == 1) {
        struct tacit_l1_log fake = r.logs[0];
        CHECK_EQ_INT(tacit_rollup_decode_event(&ev, &r.logs[0]), TACIT_OK);
        CHECK_EQ_INT(ev.kind, TACIT_ROLLUP_FORCED);
        CHECK_EQ_INT(ev.index, want_index);
        CHECK_MEM(ev.tx_hash, h, 32);
        CHECK_MEM(ev.queue_hash, qh, 32);
        CHECK_MEM(ev.tx, enc, sizeof enc);
        /* the decoder checks the tx against its hash and its length */
        fake.topics[2][0] ^= 1;
        CHECK_EQ_INT(tacit_rollup_decode_event(&ev, &fake), TACIT_EDIGEST);
        fake.topics[2][0] ^= 1;
        {
            /* data: queueHash || offset || length || tx padded; a length of 1,807 (its last
             * byte now padding, zeroed) */
            uint8_t *d = malloc(fake.data_len);
            REQUIRE(d, "memory");
            memcpy(d, fake.data, fake.data_len);
            d[95] = (uint8_t)(TACIT_TX_BYTES - 1);
            d[94] = (uint8_t)((TACIT_TX_BYTES - 1) >> 8);
            d[96 + TACIT_TX_BYTES - 1] = 0;
            fake.data = d;
            CHECK_EQ_INT(tacit_rollup_decode_event(&ev, &fake), TACIT_EENCODING);
            free(d);
        }
    }
    read_words_u64("forcedEntry(uint64)", want_index, w, 3);
    CHECK_MEM(w, h, 32);
    {
        uint8_t nf[32];
        tacit_fr_to_bytes(nf, &tx->pub[3]);
        CHECK_MEM(w + 32, nf, 32);
        tacit_fr_to_bytes(nf, &tx->pub[4]);
        CHECK_MEM(w + 64, nf, 32);
    }
    read_words_u64("queueBlock(uint256)", want_index, w, 1);
    CHECK_EQ_INT(word_u64(w), r.block_number);
    read_words_u64("queueHash(uint256)", want_index + 1, w, 1);
    CHECK_MEM(w, qh, 32);
    CHECK_EQ_INT(read_u64("queueLength()", NULL), want_index + 1);
    tacit_l1_receipt_clear(&r);
    free(data);
}

/* forceTransaction of these bytes (len of them) from OTHER must revert with name. */
static void force_refused_(const char *file, int line, const uint8_t *enc, size_t n,
                           const char *name, int code, long tx)
{
    struct tacit_abi_value item, v;
    uint8_t *data;
    size_t len;
    tacit_abi_set_bytes(&item, TACIT_ABI_BYTES, enc, n);
    tacit_abi_set_list(&v, TACIT_ABI_TUPLE, &item, 1);
    CHECK_EQ_INT(tacit_abi_encode_call(&data, &len, "forceTransaction(bytes)", &v), TACIT_OK);
    expect_revert_(file, line, OTHER, data, len, 0, name, code, tx);
    free(data);
}
#define force_refused(enc, n, name, code, tx) \
    force_refused_(__FILE__, __LINE__, enc, n, name, code, tx)

static void force_refused_tx_(const char *file, int line, const struct tacit_tx *tx,
                              const char *name, int code, long index)
{
    static uint8_t enc[TACIT_TX_BYTES];
    tacit_tx_encode(enc, tx);
    force_refused_(file, line, enc, sizeof enc, name, code, index);
}
#define force_refused_tx(tx, name, code, index) \
    force_refused_tx_(__FILE__, __LINE__, tx, name, code, index)

/* forceTransaction: each refusal with its reason, then F1 (a withdrawal), a deposit D, F2 and
 * F3 enter the queue (3..6). */
TEST(forced_queue)
{
    static uint8_t enc[TACIT_TX_BYTES];
    struct tacit_tx t;
    uint8_t *data;
    size_t len;
    tacit_uint256 v;

    REQUIRE(g.ready, "deploy");
    REQUIRE(g.nleaves == 16, "blocks 0-4 settled (16 leaves)");
    CHECK_EQ_INT(read_u64("queueLength()", NULL), 3);
    tacit_test_rand_bytes(fx.r1, 20);
    tacit_test_rand_bytes(fx.r4, 20);
    /* F1 spends n1 (leaf 1): a withdrawal to r1 and a fee; F2 spends n2 (leaf 2); F3 and S4
     * (an ordinary transaction) both spend n4 (leaf 4) */
    spend_tx(&fx.f1, &g.n1, 1, F1_WITHDRAW, fx.r1, F1_FEE, &fx.n6, &fx.n7);
    spend_tx(&fx.f2, &g.n2, 2, 0, NULL, 0, &fx.n8, &fx.n9);
    spend_tx(&fx.f3, &g.n4, 4, 0, NULL, 0, &fx.n10, &fx.n11);
    spend_tx(&fx.s4, &g.n4, 4, S4_WITHDRAW, fx.r4, 0, &fx.n12, &fx.n13);

    /* the refusals, each its own reason (the static ones are the block's: one function) */
    tacit_tx_encode(enc, &fx.f1);
    force_refused(enc, sizeof enc - 1, "TxEncoding", TACIT_EENCODING, 0); /* 1,807 bytes */
    t = fx.f1;
    t.version = TACIT_TX_VERSION;
    force_refused_tx(&t, "TxVersion", TACIT_EVERSION, 0);
    t = fx.f1;
    t.ext.ciphertext[0][7] ^= 1;
    force_refused_tx(&t, "ExtDataHashMismatch", TACIT_EEXT_DATA_HASH, 0);
    t = fx.f1;
    t.pub[4] = t.pub[3];
    force_refused_tx(&t, "NullifierRepeated", TACIT_ENULLIFIER_REPEATED, 0);
    force_refused_tx(&g.d1, "ForcedDeposit", TACIT_EINVAL, -1); /* a valid v2 deposit */
    t = fx.f1;
    tacit_txbuild_random_fr(&t.pub[0]);
    force_refused_tx(&t, "UnknownAnchor", TACIT_EANCHOR, 0);
    force_refused_tx(&g.s1, "NullifierSpent", TACIT_ENULLIFIER_SPENT, 0); /* spent by block 2 */
    t = fx.f1; /* A and C swapped: both valid points */
    memcpy(t.proof, fx.f1.proof + 192, 64);
    memcpy(t.proof + 192, fx.f1.proof, 64);
    force_refused_tx(&t, "BadTransferProof", TACIT_EVERIFY, 0);
    CHECK_EQ_INT(read_u64("queueLength()", NULL), 3);

    /* accepted, from an address that is not the sequencer */
    force_ok(&fx.f1, 3);
    memcpy(fx.d.address, g.alice, 20);
    fx.d.amount = 50000000;
    CHECK_EQ_INT(tacit_rollup_deposit_call(&data, &len, g.alice), TACIT_OK);
    tacit_uint256_from_u64(&v, fx.d.amount);
    CHECK_EQ_INT(tacit_uint256_mul_u64(&v, &v, GWEI), TACIT_OK);
    {
        struct tacit_l1_receipt r;
        uint8_t w[3 * 32], zero[3 * 32] = {0};
        CHECK_EQ_INT(send_ok(SEQ, data, len, &v, &r), TACIT_OK);
        read_words_u64("queueBlock(uint256)", 4, w, 1);
        CHECK_EQ_INT(word_u64(w), r.block_number);
        read_words_u64("forcedEntry(uint64)", 4, w, 3); /* a deposit: no forced entry */
        CHECK_MEM(w, zero, sizeof zero);
        tacit_l1_receipt_clear(&r);
    }
    free(data);
    force_ok(&fx.f2, 5);
    force_ok(&fx.f3, 6);
    fx.ready = true;
}

/* rootHeight[root] of the contract's storage (the mapping at slot 5) set to value with
 * anvil_setStorageAt: the root history rotated past root (0), or back. */
static void set_root_height(const tacit_fr *root, uint64_t value)
{
    uint8_t key[64] = {0}, slot[32], word[32] = {0};
    char a[43], k[67], v[67];
    tacit_fr_to_bytes(key, root);
    key[63] = 5;
    tacit_keccak256(slot, key, sizeof key);
    for (int i = 0; i < 8; i++) word[31 - i] = (uint8_t)(value >> (8 * i));
    tacit_hex_encode(a, g.contract, 20);
    tacit_hex_encode(k, slot, 32);
    tacit_hex_encode(v, word, 32);
    CHECK_EQ_INT(anvil_call("anvil_setStorageAt", json_pack("[sss]", a, k, v), NULL, 0), TACIT_OK);
}

static uint64_t root_height(const tacit_fr *root)
{
    struct tacit_abi_value item, args;
    uint8_t r[32], *data, *ret = NULL;
    size_t len, retlen = 0;
    uint64_t h = 0;
    char why[128];
    tacit_fr_to_bytes(r, root);
    tacit_abi_set_bytesn(&item, r, 32);
    tacit_abi_set_list(&args, TACIT_ABI_TUPLE, &item, 1);
    CHECK_EQ_INT(tacit_abi_encode_call(&data, &len, "rootHeight(bytes32)", &args), TACIT_OK);
    CHECK_EQ_INT(call(SEQ, data, len, 0, why, sizeof why, &ret, &retlen), TACIT_OK);
    if (retlen == 32) h = word_u64(ret);
    free(data);
    free(ret);
    return h;
}

/* A forced marker: a credit to the zero address, amount 1 (included) or 0 (failed). */
static struct tacit_credit marker(uint64_t amount)
{
    struct tacit_credit c;
    memset(&c, 0, sizeof c);
    c.amount = amount;
    return c;
}

/* A submission of (header, credits, txs) with np placeholder tree proofs (the check refusing
 * it comes before the proofs') must revert with name. The L2 rules for markers come with the
 * node's side (branch fn): not compared here. */
#define refuse_forced(header, credits, nc, txs, nt, np, name, code, tx) \
    refuse_forced_(__FILE__, __LINE__, header, credits, nc, txs, nt, np, name, code, tx)
static void refuse_forced_(const char *file, int line, const uint8_t *header,
                           const struct tacit_credit *credits, size_t nc,
                           const struct tacit_tx *txs, size_t nt, size_t np, const char *name,
                           int code, long tx)
{
    struct tacit_rollup_tree_proof dummy[4];
    uint8_t *vb, *data;
    size_t vlen, dlen;
    memset(dummy, 0, sizeof dummy);
    encode_block(&vb, &vlen, header, credits, nc, txs, nt);
    submit_data(&data, &dlen, g.parent, vb, vlen, dummy, np);
    expect_revert_(file, line, SEQ, data, dlen, 0, name, code, tx);
    free(data);
    free(vb);
}

/* A block with forced markers: tacit's block builder makes the block of these (non-marker)
 * credits and txs, committed to the L2 state with its tree proofs, and the credits section is
 * then written with the markers in their queue positions (the builder refuses a credit to the
 * zero address until the node's side lands: branch fn). The header's root and count are the
 * same: markers change no balance and no tree. *out malloc'd. */
static size_t marked_block(const struct tacit_credit *plain, size_t np_,
                           const struct tacit_credit *all, size_t na, const struct tacit_tx *txs,
                           size_t nt, struct tacit_rollup_tree_proof *proofs, uint8_t **out,
                           size_t *len)
{
    uint8_t *bytes;
    size_t blen, n;
    make_block(plain, np_, txs, nt, true, &bytes, &blen);
    *out = NULL;
    if (bytes == NULL) return 0;
    n = tree_proofs(proofs, bytes, blen, true);
    encode_block(out, len, bytes, all, na, txs, nt);
    free(bytes);
    return n;
}

/* Block 5 spends n4 (S4, an ordinary withdrawal: the baseline); block 6 consumes F1 as included
 * (every refusal of a marker first); block 7 consumes D, F2 (included) and F3 (failed: block 5
 * spent its nullifier). */
TEST(forced_blocks)
{
    struct tacit_rollup_tree_proof proofs[4];
    struct tacit_credit cr[3];
    struct tacit_tx txs[2];
    uint8_t *bytes, *b6, header[TACIT_BLOCK_HEADER_BYTES];
    size_t len, np, b6len;
    uint64_t pool;

    REQUIRE(fx.ready, "forced_queue");
    /* block 5: S4 (no credits: a block need not consume the queue) */
    make_block(NULL, 0, &fx.s4, 1, true, &bytes, &len);
    REQUIRE(bytes, "block 5");
    np = tree_proofs(proofs, bytes, len, true);
    settle(bytes, len, proofs, np, "block 5 (an ordinary withdrawal, the baseline)");
    free(bytes);
    CHECK_EQ_INT(read_u64("queueHead()", NULL), 3);
    pool = read_u64("pool()", NULL);

    /* block 6's header: F1 applied */
    make_block(NULL, 0, &fx.f1, 1, false, &bytes, &len);
    REQUIRE(bytes, "a block 6");
    memcpy(header, bytes, sizeof header);
    free(bytes);
    cr[0] = marker(2);
    refuse_forced(header, cr, 1, &fx.f1, 1, 1, "ForcedMarker", TACIT_ECREDIT, -1);
    cr[0] = marker(1); /* F1 included, but tx 0 is another transaction */
    refuse_forced(header, cr, 1, &fx.s4, 1, 1, "ForcedMismatch", TACIT_ECREDIT, 0);
    txs[0] = fx.f2; /* queue order: F1 first */
    txs[1] = fx.f1;
    refuse_forced(header, cr, 1, txs, 2, 2, "ForcedMismatch", TACIT_ECREDIT, 0);
    refuse_forced(header, cr, 1, NULL, 0, 0, "ForcedMismatch", TACIT_ECREDIT, 0); /* no tx 0 */
    cr[0] = marker(0); /* F1 failed, yet its nullifiers are unspent */
    refuse_forced(header, cr, 1, NULL, 0, 0, "ForcedNotSpent", TACIT_ECREDIT, -1);
    cr[0] = marker(1); /* a marker at D's position (entry 4) */
    cr[1] = marker(1);
    refuse_forced(header, cr, 2, &fx.f1, 1, 1, "CreditsNotQueueHead", TACIT_ECREDIT, -1);
    cr[1] = fx.d; /* a credit at F1's position */
    refuse_forced(header, &cr[1], 1, NULL, 0, 0, "CreditsNotQueueHead", TACIT_ECREDIT, -1);
    {
        /* in parts: F1 and F2 included, the first part carrying only F1 */
        struct tacit_rollup_tree_proof dummy[1];
        uint8_t *full, *part, *data;
        size_t flen, plen, dlen;
        cr[0] = marker(1);
        cr[1] = fx.d;
        cr[2] = marker(1);
        txs[0] = fx.f1;
        txs[1] = fx.f2;
        memset(dummy, 0, sizeof dummy);
        encode_block(&full, &flen, header, cr, 3, txs, 2);
        CHECK_EQ_INT(tacit_rollup_part_encode(&part, &plen, full, flen, 0, 1), TACIT_OK);
        CHECK_EQ_INT(tacit_rollup_part_call(&data, &dlen, g.parent, part, plen, dummy, 1),
                     TACIT_OK);
        expect_revert(SEQ, data, dlen, 0, "ForcedBeyondPart", TACIT_ECREDIT, -1);
        free(data);
        free(part);
        free(full);
    }
    CHECK_EQ_INT(read_u64("claimable(address)", fx.r1), 0);

    /* block 6: F1 included (marker 1), its withdrawal claimable once it settles */
    cr[0] = marker(1);
    np = marked_block(NULL, 0, cr, 1, &fx.f1, 1, proofs, &b6, &b6len);
    REQUIRE(b6, "block 6");
    settle(b6, b6len, proofs, np, "block 6 (1 forced transaction included)");
    free(b6);
    g.fees_gwei += F1_FEE;
    CHECK_EQ_INT(read_u64("queueHead()", NULL), 4);
    CHECK_EQ_INT(read_u64("claimable(address)", fx.r1), F1_WITHDRAW * GWEI);
    CHECK_EQ_INT(read_u64("pool()", NULL), pool - F1_WITHDRAW - F1_FEE);

    /* block 7: D credited, F2 included, F3 failed (n4's nullifier spent by block 5) */
    {
        uint64_t alice = read_u64("account(address)", g.alice), anchor_h;
        uint8_t *b7;
        size_t b7len;
        make_block(NULL, 0, NULL, 0, false, &bytes, &len);
        REQUIRE(bytes, "a block 7");
        memcpy(header, bytes, sizeof header);
        free(bytes);
        cr[0] = fx.d;
        cr[1] = marker(1);
        cr[2] = marker(1); /* F3 included: its nullifier is spent */
        txs[0] = fx.f2;
        txs[1] = fx.f3;
        refuse_forced(header, cr, 3, txs, 2, 2, "NullifierSpent", TACIT_ENULLIFIER_SPENT, 1);
        cr[2] = marker(0);
        /* the root history rotated past F2's anchor (the root after block 4) since it was
         * queued: rootHeight cleared in the contract's storage. An ordinary transaction with
         * that anchor is refused (F3 after F2, not forced: its anchor is checked first); the
         * forced F2 is included all the same (its anchor was checked when it was queued) */
        anchor_h = root_height(&fx.f2.pub[0]);
        CHECK_EQ_INT(anchor_h, 5);
        set_root_height(&fx.f2.pub[0], 0);
        refuse_forced(header, cr, 3, txs, 2, 2, "UnknownAnchor", TACIT_EANCHOR, 1);
        np = marked_block(&fx.d, 1, cr, 3, &fx.f2, 1, proofs, &b7, &b7len);
        REQUIRE(b7, "block 7");
        settle(b7, b7len, proofs, np, "block 7 (a credit, 1 forced included, 1 failed)");
        free(b7);
        set_root_height(&fx.f2.pub[0], anchor_h);
        CHECK_EQ_INT(read_u64("queueHead()", NULL), 7);
        CHECK_EQ_INT(read_u64("account(address)", g.alice), alice + fx.d.amount);
    }
}

/* anvil_mine: n more L1 blocks. */
static void mine(uint64_t n)
{
    char hex[24];
    if (n == 0) return;
    snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)n);
    CHECK_EQ_INT(anvil_call("anvil_mine", json_pack("[s]", hex), NULL, 0), TACIT_OK);
}

/* Mines until the latest L1 block is `want` (an eth_call runs with block.number = latest). */
static void mine_to(uint64_t want)
{
    uint64_t now = 0;
    CHECK_EQ_INT(tacit_l1_block_number(g.l1, &now), TACIT_OK);
    REQUIRE(now <= want, "the L1 is not past the block wanted");
    mine(want - now);
    CHECK_EQ_INT(tacit_l1_block_number(g.l1, &now), TACIT_OK);
    CHECK_EQ_INT(now, want);
}

static bool is_open(void)
{
    uint8_t w[32];
    read_word("isOpen()", NULL, w);
    return w[31] == 1;
}

/* An empty block on the L2 tip (with these credits), committed. *bytes malloc'd. */
static void empty_block(const struct tacit_credit *credits, size_t nc, uint8_t **bytes, size_t *len)
{
    make_block(credits, nc, NULL, 0, true, bytes, len);
}

/* Open submission: a non-sequencer is refused NotSequencer until the queue's head is older than
 * T, then accepted; the same when no block settled for T. The boundaries: block.number ==
 * queueBlock + T (and lastSettledBlock + T) is not open, one more is. */
TEST(open_submission)
{
    struct tacit_credit d2;
    struct tacit_l1_receipt r;
    uint8_t *data, *bytes;
    size_t dlen, len;
    uint64_t q, ls, height;
    tacit_uint256 v;

    REQUIRE(g.ready, "deploy");
    CHECK(!is_open()); /* block 7 just settled, the queue consumed */
    /* a deposit D2 at L1 block q, then a block that does not consume it, 4 L1 blocks later */
    memcpy(d2.address, g.bob, 20);
    d2.amount = 1000000;
    CHECK_EQ_INT(tacit_rollup_deposit_call(&data, &dlen, g.bob), TACIT_OK);
    tacit_uint256_from_u64(&v, d2.amount);
    CHECK_EQ_INT(tacit_uint256_mul_u64(&v, &v, GWEI), TACIT_OK);
    CHECK_EQ_INT(send_ok(SEQ, data, dlen, &v, &r), TACIT_OK);
    q = r.block_number;
    tacit_l1_receipt_clear(&r);
    free(data);
    mine(3);
    empty_block(NULL, 0, &bytes, &len);
    REQUIRE(bytes, "block 8");
    ls = settle_from(SEQ, bytes, len, NULL, 0, "block 8 (empty, by the sequencer)");
    free(bytes);
    CHECK(ls > q + 1); /* so that only the queue's clock opens submission first */

    /* block 9 credits D2: the non-sequencer is refused while the head is not older than T */
    empty_block(&d2, 1, &bytes, &len);
    REQUIRE(bytes, "block 9");
    submit_data(&data, &dlen, g.parent, bytes, len, NULL, 0);
    expect_revert(OTHER, data, dlen, 0, "NotSequencer", TACIT_ESEQUENCER, -1);
    {
        /* a real transaction mined in block q + T (the gas given: no estimate) fails */
        struct tacit_l1_call req = {.data = data, .data_len = dlen, .gas = 3000000};
        struct tacit_l1_sent sent;
        mine_to(q + FORCE_DELAY - 1);
        memcpy(req.to, g.contract, 20);
        CHECK_EQ_INT(tacit_l1_sender_send(g.a[OTHER].s, &req, &sent), TACIT_OK);
        CHECK_EQ_INT(tacit_l1_wait_success(g.l1, sent.hash, 20000, 20, &r), TACIT_EL1_TX_FAILED);
        CHECK_EQ_INT(r.block_number, q + FORCE_DELAY);
        tacit_l1_receipt_clear(&r);
        tacit_l1_sent_clear(&sent);
    }
    height = read_u64("height()", NULL);
    CHECK_EQ_INT(height, 9);
    /* block.number == q + T: not open; q + T + 1: open */
    CHECK(!is_open());
    expect_revert(OTHER, data, dlen, 0, "NotSequencer", TACIT_ESEQUENCER, -1);
    mine(1);
    CHECK(is_open());
    free(data);
    ls = settle_from(OTHER, bytes, len, NULL, 0, "block 9 (by anyone: the queue's head too old)");
    free(bytes);
    CHECK_EQ_INT(read_u64("queueHead()", NULL), read_u64("queueLength()", NULL));
    CHECK(!is_open());

    /* no block settled for T: block 10 (empty) by anyone */
    empty_block(NULL, 0, &bytes, &len);
    REQUIRE(bytes, "block 10");
    submit_data(&data, &dlen, g.parent, bytes, len, NULL, 0);
    mine_to(ls + FORCE_DELAY);
    CHECK(!is_open());
    expect_revert(OTHER, data, dlen, 0, "NotSequencer", TACIT_ESEQUENCER, -1);
    mine(1);
    CHECK(is_open());
    free(data);
    settle_from(OTHER, bytes, len, NULL, 0, "block 10 (by anyone: no block settled for T)");
    free(bytes);
    CHECK(!is_open());
    CHECK_EQ_INT(read_u64("height()", NULL), 11);
}

/* The header fields the contract does not check are claims (docs/protocol.md 8.2): a block
 * whose timestamp runs backwards, whose key, signature, tx_root, nullifier and transparent
 * digests are wrong is accepted by the contract; a node that checks every rule refuses it, a node
 * that derives the chain from L1 (l1_derived) takes it and keeps its own digests, and the next
 * block goes on from it on all three. */
TEST(header_claims)
{
    struct tacit_memview *mv = NULL;
    struct tacit_view v;
    struct tacit_block *b = NULL;
    struct tacit_chain_params pl = g.p;
    struct tacit_view_tip before, after;
    uint8_t *bytes, *next;
    size_t len, nlen;
    uint64_t ts;
    long bad;

    REQUIRE(g.ready, "deploy");
    pl.l1_derived = true;
    tacit_memstate_tip(g.ms, &before, &ts);
    make_block(NULL, 0, NULL, 0, false, &bytes, &len);
    REQUIRE(bytes, "block 11");
    CHECK_EQ_INT(tacit_block_decode(&b, bytes, len), TACIT_OK);
    REQUIRE(b, "block 11 decodes");
    b->header.timestamp_ms = ts - 1;
    b->header.sequencer[0] ^= 1;
    b->header.signature[0] ^= 1;
    b->header.tx_root[0] ^= 1;
    b->header.digests.nullifier_digest[0] ^= 1;
    b->header.digests.transparent_digest[0] ^= 1;
    tacit_block_header_encode(bytes, &b->header);
    tacit_block_free(b);
    CHECK_EQ_INT(tacit_block_decode(&b, bytes, len), TACIT_OK);
    REQUIRE(b, "block 11 decodes");
    /* every rule checked: refused (the first broken rule is the timestamp's) */
    CHECK_EQ_INT(tacit_memstate_view_new(g.ms, &mv), TACIT_OK);
    tacit_memview_view(mv, &v);
    CHECK_EQ_INT(tacit_block_apply_view(&v, ts, b, &g.p, g.transfer_pvk, &bad), TACIT_ETIMESTAMP);
    tacit_memview_free(mv);
    /* the contract takes it */
    settle(bytes, len, NULL, 0, "block 11 (its header's unchecked fields false)");
    /* derived from L1: taken, the state's digests its own */
    CHECK_EQ_INT(tacit_memstate_view_new(g.ms, &mv), TACIT_OK);
    tacit_memview_view(mv, &v);
    CHECK_EQ_INT(tacit_block_apply_view(&v, ts, b, &pl, g.transfer_pvk, &bad), TACIT_OK);
    CHECK_EQ_INT(tacit_memstate_commit(g.ms, mv, b->hash, b->header.timestamp_ms), TACIT_OK);
    tacit_memview_free(mv);
    tacit_memstate_tip(g.ms, &after, NULL);
    CHECK_EQ_INT(after.next_height, before.next_height + 1);
    CHECK(tacit_fr_eq(&after.digests.note_root, &before.digests.note_root));
    CHECK_MEM(after.digests.nullifier_digest, before.digests.nullifier_digest, 32);
    CHECK_MEM(after.digests.transparent_digest, before.digests.transparent_digest, 32);
    /* the next block, honest, on top: the L1-derived node and the contract take it */
    tacit_block_free(b);
    b = NULL;
    make_block(NULL, 0, NULL, 0, false, &next, &nlen);
    REQUIRE(next, "block 12");
    CHECK_EQ_INT(tacit_block_decode(&b, next, nlen), TACIT_OK);
    REQUIRE(b, "block 12 decodes");
    CHECK_EQ_INT(tacit_memstate_view_new(g.ms, &mv), TACIT_OK);
    tacit_memview_view(mv, &v);
    CHECK_EQ_INT(tacit_block_apply_view(&v, ts - 1, b, &pl, g.transfer_pvk, &bad), TACIT_OK);
    CHECK_EQ_INT(tacit_memstate_commit(g.ms, mv, b->hash, b->header.timestamp_ms), TACIT_OK);
    tacit_memview_free(mv);
    settle(next, nlen, NULL, 0, "block 12 (after it)");
    CHECK_EQ_INT(read_u64("height()", NULL), before.next_height + 2);
    free(next);
    tacit_block_free(b);
    free(bytes);
}

/* The withdrawal and the fees are claimed on L1 for exact wei; a second claim is refused. */
TEST(claims_pay_exact_wei)
{
    const int who[2] = {WITHDRAWER, FEES};
    const uint64_t gwei[2] = {300000000, 0};
    uint8_t *data;
    size_t len;

    REQUIRE(g.ready, "deploy");
    CHECK_EQ_INT(tacit_rollup_claim_call(&data, &len), TACIT_OK);
    for (int i = 0; i < 2; i++) {
        struct tacit_l1_receipt r;
        struct tacit_rollup_event ev;
        tacit_uint256 before = balance(g.a[who[i]].addr), after, paid, gas, want;
        uint64_t amount = i == 0 ? gwei[0] : g.fees_gwei;
        CHECK_EQ_INT(send_ok(who[i], data, len, NULL, &r), TACIT_OK);
        after = balance(g.a[who[i]].addr);
        /* after = before + amount * 1e9 - gas used * effective gas price */
        tacit_uint256_from_u64(&paid, amount);
        CHECK_EQ_INT(tacit_uint256_mul_u64(&paid, &paid, GWEI), TACIT_OK);
        CHECK_EQ_INT(tacit_uint256_mul_u64(&gas, &r.effective_gas_price, r.gas_used), TACIT_OK);
        CHECK_EQ_INT(tacit_uint256_add(&want, &before, &paid), TACIT_OK);
        CHECK_EQ_INT(tacit_uint256_sub(&want, &want, &gas), TACIT_OK);
        check_u256(&after, &want);
        CHECK_EQ_INT(r.nlogs, 1);
        CHECK_EQ_INT(tacit_rollup_decode_event(&ev, &r.logs[0]), TACIT_OK);
        CHECK_EQ_INT(ev.kind, TACIT_ROLLUP_CLAIMED);
        check_u256(&ev.wei, &paid);
        tacit_l1_receipt_clear(&r);
        expect_revert(who[i], data, len, 0, "NothingToClaim", TACIT_ENOTFOUND, -1);
    }
    free(data);
}

/* The revert reasons of data that is none of the contract's errors. */
TEST(errors_unknown)
{
    static const uint8_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    long index;
    char why[128];
    CHECK_EQ_INT(tacit_rollup_error(junk, sizeof junk, &index), TACIT_EL1_REVERTED);
    CHECK_EQ_INT(index, -1);
    CHECK_EQ_INT(tacit_rollup_error(junk, 2, &index), TACIT_EL1_REVERTED);
    tacit_rollup_revert_reason(why, sizeof why, junk, sizeof junk);
    CHECK(strstr(why, "unknown error") != NULL);
}

TEST(cleanup)
{
    for (int i = 0; i < 4; i++) {
        tacit_l1_sender_free(g.a[i].s);
        tacit_eth_key_free(g.a[i].key);
    }
    tacit_l1_free(g.l1);
    tacit_groth16_pk_free(g.transfer_pk);
    tacit_groth16_pk_free(g.tree_pk);
    tacit_groth16_pvk_free(g.transfer_pvk);
    tacit_sequencer_key_free(g.seq);
    tacit_memstate_free(g.ms);
    memset(&g, 0, sizeof g);
}

static const struct tacit_test tests[] = {
    {"deploy", deploy},
    {"deposits_enter_queue", deposits_enter_queue},
    {"block_of_credits", block_of_credits},
    {"block_with_deposit", block_with_deposit},
    {"block_with_spend_and_refusals", block_with_spend_and_refusals},
    {"refusals_after_settling", refusals_after_settling},
    {"block_in_parts", block_in_parts},
    {"settler_in_parts", settler_in_parts},
    {"forced_queue", forced_queue},
    {"forced_blocks", forced_blocks},
    {"open_submission", open_submission},
    {"header_claims", header_claims},
    {"claims_pay_exact_wei", claims_pay_exact_wei},
    {"errors_unknown", errors_unknown},
    {"cleanup", cleanup},
};
TACIT_TEST_MAIN(tests)
