/*
 * tacit — the rollup contract's binding (module settle: include/tacit/rollup.h; the contract is
 * src/l1/TacitRollup.sol, docs/l1-contract.md): deploy data, calldata through the ABI encoder
 * (abi.c), the contract's hash chain and queue hash (keccak), the tree-update proofs of a block
 * (include/tacit/treeupdate.h), and its errors and events read back.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/keccak.h"
#include "tacit/rollup.h"
#include "tacit/treeupdate.h"

#define VK_HEAD 448 /* alpha (64) || beta, gamma, delta (128 each) */

static const char SIG_CTOR[] = "(bytes,bytes,address,address,uint64,bytes32,uint64)";
static const char SIG_DEPOSIT[] = "deposit(address)";
static const char SIG_CLAIM[] = "claim()";
static const char SIG_SUBMIT[] = "submitBlock(bytes32,bytes,bytes)";
static const char SIG_PART[] = "submitBlockPart(bytes32,bytes,bytes)";
static const char SIG_VERIFY[] = "verifyTransaction(bytes)";
static const char SIG_FORCE[] = "forceTransaction(bytes)";

static const char EV_DEPOSITED[] =
    "Deposited(uint64 indexed index, address indexed account, uint64 amount, bytes32 queueHash)";
static const char EV_SUBMITTED[] =
    "BlockSubmitted(uint64 indexed height, bytes32 indexed blockHash, bytes32 parent, "
    "bytes32 noteRoot, uint64 commitmentCount, uint64 queueHead, uint64 ntxs)";
static const char EV_CLAIMED[] = "Claimed(address indexed account, uint256 amount)";
static const char EV_PART[] =
    "BlockPartSubmitted(uint64 indexed height, uint64 first, uint64 ntxs, bytes32 partHash)";
static const char EV_FORCED[] =
    "ForcedTransaction(uint64 indexed index, bytes32 indexed txHash, bytes32 queueHash, bytes tx)";

/* The contract's errors (X: Solidity signature, tacit code, whether the first argument is a
 * transaction's index), in the contract's order. */
#define ROLLUP_ERRORS(X)                                                 \
    X("NotSequencer(address)", TACIT_ESEQUENCER, 0)                      \
    X("BadVerifyingKey(uint256)", TACIT_EINVAL, 0)                       \
    X("DepositToPool()", TACIT_ECREDIT, 0)                               \
    X("DepositNotWholeGwei(uint256)", TACIT_EINVAL, 0)                   \
    X("DepositTooLarge(uint256)", TACIT_EOVERFLOW, 0)                    \
    X("NothingToClaim()", TACIT_ENOTFOUND, 0)                            \
    X("ClaimFailed()", TACIT_EL1_TX_FAILED, 0)                           \
    X("WrongParent(bytes32,bytes32)", TACIT_EPARENT, 0)                  \
    X("WrongHeight(uint64,uint64)", TACIT_EHEIGHT, 0)                    \
    X("BlockEncoding()", TACIT_EENCODING, 0)                             \
    X("WrongChainId()", TACIT_ECHAIN_ID, 0)                              \
    X("CreditsNotQueueHead(uint64,uint64)", TACIT_ECREDIT, 0)            \
    X("CreditOverflow(uint256)", TACIT_EOVERFLOW, 0)                     \
    X("TxEncoding(uint256)", TACIT_EENCODING, 1)                         \
    X("TxVersion(uint256)", TACIT_EVERSION, 1)                           \
    X("TxChainId(uint256)", TACIT_ECHAIN_ID, 1)                          \
    X("FeeOverflow(uint256)", TACIT_EOVERFLOW, 1)                        \
    X("ExtDataHashMismatch(uint256)", TACIT_EEXT_DATA_HASH, 1)           \
    X("PublicAmountMismatch(uint256)", TACIT_EPUBLIC_AMOUNT, 1)          \
    X("NullifierRepeated(uint256)", TACIT_ENULLIFIER_REPEATED, 1)        \
    X("WithdrawalToPool(uint256)", TACIT_EWITHDRAW_RECIPIENT, 1)         \
    X("DepositSignature(uint256)", TACIT_EDEPOSIT_SIG, 1)                \
    X("UnknownAnchor(uint256,bytes32)", TACIT_EANCHOR, 1)                \
    X("NullifierSpent(uint256,bytes32)", TACIT_ENULLIFIER_SPENT, 1)      \
    X("NullifierInBlock(uint256,bytes32)", TACIT_ENULLIFIER_IN_BLOCK, 1) \
    X("DepositNonce(uint256,uint64,uint64)", TACIT_ENONCE, 1)            \
    X("InsufficientBalance(uint256)", TACIT_EINSUFFICIENT, 1)            \
    X("Turnstile(uint256)", TACIT_ETURNSTILE, 1)                         \
    X("TreeProofCount(uint256,uint256)", TACIT_EENCODING, 0)             \
    X("TreeProofEncoding(uint256)", TACIT_EENCODING, 0)                  \
    X("HeaderMismatch()", TACIT_EDIGEST, 0)                              \
    X("InvalidProofPoint(uint256)", TACIT_ENOT_ON_CURVE, 0)              \
    X("BadTransferProof(uint256)", TACIT_EVERIFY, 1)                     \
    X("BadTreeUpdateProof(uint256)", TACIT_EVERIFY, 0)                   \
    X("BadProof()", TACIT_EVERIFY, 0)                                    \
    X("BlockInProgress(uint64,uint64)", TACIT_EEXISTS, 0)                \
    X("PartOfOtherBlock()", TACIT_EPARENT, 0)                            \
    X("PartOutOfOrder(uint64,uint64)", TACIT_EHEIGHT, 0)                 \
    X("PartBeyondBlock(uint64)", TACIT_EENCODING, 0)                     \
    X("PartTotals(uint64,bytes32)", TACIT_EDIGEST, 0)                    \
    X("ForcedDeposit()", TACIT_EINVAL, 0)                                \
    X("ForcedMarker(uint256)", TACIT_ECREDIT, 0)                         \
    X("ForcedMismatch(uint256)", TACIT_ECREDIT, 1)                       \
    X("ForcedNotSpent(uint256)", TACIT_ECREDIT, 0)                       \
    X("ForcedBeyondPart()", TACIT_ECREDIT, 0)

#define ERR_SIG(sig, code, tx) sig,
#define ERR_CODE(sig, code, tx) code,
#define ERR_TX(sig, code, tx) tx,
const char *const tacit_rollup_errors[] = {ROLLUP_ERRORS(ERR_SIG)};
const size_t tacit_rollup_nerrors = sizeof tacit_rollup_errors / sizeof tacit_rollup_errors[0];
static const int ERROR_CODE[] = {ROLLUP_ERRORS(ERR_CODE)};
static const unsigned char ERROR_TX[] = {ROLLUP_ERRORS(ERR_TX)};

/* ------------------------------------------------------------------- encoding ---- */

int tacit_rollup_vk_encode(uint8_t **out, size_t *len, const tacit_groth16_vk *vk)
{
    size_t n = VK_HEAD + 64 * (vk->npublic + 1);
    uint8_t *p = malloc(n);
    *out = NULL;
    *len = 0;
    if (p == NULL) return TACIT_ENOMEM;
    tacit_g1_to_bytes(p, &vk->alpha);
    tacit_g2_to_bytes(p + 64, &vk->beta);
    tacit_g2_to_bytes(p + 192, &vk->gamma);
    tacit_g2_to_bytes(p + 320, &vk->delta);
    for (size_t j = 0; j <= vk->npublic; j++) tacit_g1_to_bytes(p + VK_HEAD + 64 * j, &vk->ic[j]);
    *out = p;
    *len = n;
    return TACIT_OK;
}

/* Encodes v as the tuple type sig (a parameter list in parentheses). */
static int encode_tuple(uint8_t **out, size_t *len, const char *sig, struct tacit_abi_value *v)
{
    struct tacit_abi_type *t;
    int rc = tacit_abi_type_parse(&t, sig);
    if (rc != TACIT_OK) return rc;
    rc = tacit_abi_encode(out, len, t, v);
    tacit_abi_type_free(t);
    return rc;
}

int tacit_rollup_deploy_data(uint8_t **out, size_t *len, const tacit_groth16_vk *transfer,
                             const tacit_groth16_vk *tree_update,
                             const struct tacit_rollup_params *p)
{
    uint8_t *kt = NULL, *ku = NULL, *args = NULL, root[32];
    size_t nt, nu, nargs;
    struct tacit_abi_value items[7], v;
    int rc;

    *out = NULL;
    *len = 0;
    if (transfer->npublic != TACIT_TX_NPUBLIC || tree_update->npublic < 5 || p->force_delay == 0)
        return TACIT_EINVAL;
    if ((rc = tacit_rollup_vk_encode(&kt, &nt, transfer)) != TACIT_OK ||
        (rc = tacit_rollup_vk_encode(&ku, &nu, tree_update)) != TACIT_OK)
        goto done;
    tacit_fr_to_bytes(root, tacit_tree_zero(TACIT_TREE_DEPTH));
    tacit_abi_set_bytes(&items[0], TACIT_ABI_BYTES, kt, nt);
    tacit_abi_set_bytes(&items[1], TACIT_ABI_BYTES, ku, nu);
    tacit_abi_set_address(&items[2], p->sequencer);
    tacit_abi_set_address(&items[3], p->fee_recipient);
    tacit_abi_set_u64(&items[4], p->chain_id);
    tacit_abi_set_bytesn(&items[5], root, 32);
    tacit_abi_set_u64(&items[6], p->force_delay);
    tacit_abi_set_list(&v, TACIT_ABI_TUPLE, items, 7);
    if ((rc = encode_tuple(&args, &nargs, SIG_CTOR, &v)) != TACIT_OK) goto done;
    if ((*out = malloc(tacit_rollup_bytecode_len + nargs)) == NULL) {
        rc = TACIT_ENOMEM;
        goto done;
    }
    memcpy(*out, tacit_rollup_bytecode, tacit_rollup_bytecode_len);
    memcpy(*out + tacit_rollup_bytecode_len, args, nargs);
    *len = tacit_rollup_bytecode_len + nargs;
done:
    free(kt);
    free(ku);
    free(args);
    return rc;
}

int tacit_rollup_deposit_call(uint8_t **out, size_t *len, const uint8_t to[TACIT_ETH_ADDRESS_LEN])
{
    struct tacit_abi_value item, v;
    tacit_abi_set_address(&item, to);
    tacit_abi_set_list(&v, TACIT_ABI_TUPLE, &item, 1);
    return tacit_abi_encode_call(out, len, SIG_DEPOSIT, &v);
}

int tacit_rollup_claim_call(uint8_t **out, size_t *len)
{
    struct tacit_abi_value v;
    tacit_abi_set_list(&v, TACIT_ABI_TUPLE, NULL, 0);
    return tacit_abi_encode_call(out, len, SIG_CLAIM, &v);
}

/* sig(bytes tx) with one transaction's 1,808 bytes */
static int tx_call(uint8_t **out, size_t *len, const char *sig, const uint8_t tx[TACIT_TX_BYTES])
{
    struct tacit_abi_value item, v;
    tacit_abi_set_bytes(&item, TACIT_ABI_BYTES, tx, TACIT_TX_BYTES);
    tacit_abi_set_list(&v, TACIT_ABI_TUPLE, &item, 1);
    return tacit_abi_encode_call(out, len, sig, &v);
}

int tacit_rollup_verify_call(uint8_t **out, size_t *len, const uint8_t tx[TACIT_TX_BYTES])
{
    return tx_call(out, len, SIG_VERIFY, tx);
}

int tacit_rollup_force_call(uint8_t **out, size_t *len, const uint8_t tx[TACIT_TX_BYTES])
{
    return tx_call(out, len, SIG_FORCE, tx);
}

static int tree_proof_bytes(uint8_t **out, size_t *len,
                            const struct tacit_rollup_tree_proof *proofs, size_t n)
{
    *len = n * TACIT_ROLLUP_TREE_PROOF_BYTES;
    if ((*out = malloc(*len ? *len : 1)) == NULL) return TACIT_ENOMEM;
    for (size_t u = 0; u < n; u++) {
        uint8_t *p = *out + u * TACIT_ROLLUP_TREE_PROOF_BYTES;
        tacit_fr_to_bytes(p, &proofs[u].root_new);
        tacit_groth16_proof_to_bytes(p + 32, &proofs[u].proof);
    }
    return TACIT_OK;
}

static int submission_call(uint8_t **out, size_t *len, const char *sig, const uint8_t parent[32],
                           const uint8_t *block, size_t block_len,
                           const struct tacit_rollup_tree_proof *proofs, size_t nproofs)
{
    struct tacit_abi_value items[3], v;
    uint8_t *tp;
    size_t ntp;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = tree_proof_bytes(&tp, &ntp, proofs, nproofs)) != TACIT_OK) return rc;
    tacit_abi_set_bytesn(&items[0], parent, 32);
    tacit_abi_set_bytes(&items[1], TACIT_ABI_BYTES, block, block_len);
    tacit_abi_set_bytes(&items[2], TACIT_ABI_BYTES, tp, ntp);
    tacit_abi_set_list(&v, TACIT_ABI_TUPLE, items, 3);
    rc = tacit_abi_encode_call(out, len, sig, &v);
    free(tp);
    return rc;
}

int tacit_rollup_submit_call(uint8_t **out, size_t *len, const uint8_t parent[32],
                             const uint8_t *block, size_t block_len,
                             const struct tacit_rollup_tree_proof *proofs, size_t nproofs)
{
    return submission_call(out, len, SIG_SUBMIT, parent, block, block_len, proofs, nproofs);
}

int tacit_rollup_part_call(uint8_t **out, size_t *len, const uint8_t prev[32], const uint8_t *part,
                           size_t part_len, const struct tacit_rollup_tree_proof *proofs,
                           size_t nproofs)
{
    return submission_call(out, len, SIG_PART, prev, part, part_len, proofs, nproofs);
}

static uint32_t get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A block's layout: the offset of its first transaction's length and the count after it
 * (extra: 4 for a part's `first`); TACIT_EENCODING when the lengths do not add up. */
static int layout(const uint8_t *block, size_t block_len, size_t extra, size_t *txbase, size_t *ntx)
{
    size_t c;
    if (block_len < TACIT_BLOCK_HEADER_BYTES + 8) return TACIT_EENCODING;
    c = TACIT_BLOCK_HEADER_BYTES + 4 + (size_t)28 * get_u32le(block + TACIT_BLOCK_HEADER_BYTES);
    if (c + 4 + extra > block_len) return TACIT_EENCODING;
    *txbase = c + 4 + extra;
    *ntx = (block_len - *txbase) / (4 + TACIT_TX_BYTES);
    if ((block_len - *txbase) % (4 + TACIT_TX_BYTES) != 0) return TACIT_EENCODING;
    if (extra == 0 && *ntx != get_u32le(block + c)) return TACIT_EENCODING;
    return TACIT_OK;
}

/* keccak256(parent || keccak256(sub[0..txbase)) || keccak256(tx_i)... || keccak256(proofs)) */
static int submission_hash(uint8_t out[32], const uint8_t parent[32], const uint8_t *sub,
                           size_t txbase, size_t ntx, const struct tacit_rollup_tree_proof *proofs,
                           size_t nproofs)
{
    uint8_t *words, *tp;
    size_t ntp;
    int rc;
    if ((words = malloc(32 * (ntx + 3))) == NULL) return TACIT_ENOMEM;
    if ((rc = tree_proof_bytes(&tp, &ntp, proofs, nproofs)) != TACIT_OK) {
        free(words);
        return rc;
    }
    memcpy(words, parent, 32);
    tacit_keccak256(words + 32, sub, txbase);
    for (size_t i = 0; i < ntx; i++)
        tacit_keccak256(words + 32 * (2 + i), sub + txbase + i * (4 + TACIT_TX_BYTES) + 4,
                        TACIT_TX_BYTES);
    tacit_keccak256(words + 32 * (2 + ntx), tp, ntp);
    tacit_keccak256(out, words, 32 * (ntx + 3));
    free(words);
    free(tp);
    return TACIT_OK;
}

int tacit_rollup_block_hash(uint8_t out[32], const uint8_t parent[32], const uint8_t *block,
                            size_t block_len, const struct tacit_rollup_tree_proof *proofs,
                            size_t nproofs)
{
    size_t txbase, ntx;
    int rc = layout(block, block_len, 0, &txbase, &ntx);
    if (rc != TACIT_OK) return rc;
    return submission_hash(out, parent, block, txbase, ntx, proofs, nproofs);
}

int tacit_rollup_part_hash(uint8_t out[32], const uint8_t prev[32], const uint8_t *part,
                           size_t part_len, const struct tacit_rollup_tree_proof *proofs,
                           size_t nproofs)
{
    size_t txbase, ntx;
    int rc = layout(part, part_len, 4, &txbase, &ntx);
    if (rc != TACIT_OK) return rc;
    if (ntx == 0) return TACIT_EENCODING;
    return submission_hash(out, prev, part, txbase, ntx, proofs, nproofs);
}

int tacit_rollup_part_encode(uint8_t **out, size_t *len, const uint8_t *block, size_t block_len,
                             size_t first, size_t count)
{
    size_t txbase, ntx, head, n;
    uint8_t *p;
    int rc;
    *out = NULL;
    *len = 0;
    if ((rc = layout(block, block_len, 0, &txbase, &ntx)) != TACIT_OK) return rc;
    if (count == 0 || first > ntx || count > ntx - first) return TACIT_EENCODING;
    /* part 0: the header and credits as they are; the others: the header and no credit */
    head = first == 0 ? txbase - 4 : TACIT_BLOCK_HEADER_BYTES;
    n = head + (first == 0 ? 0 : 4) + 8 + count * (4 + TACIT_TX_BYTES);
    if ((p = malloc(n)) == NULL) return TACIT_ENOMEM;
    memcpy(p, block, head);
    if (first != 0) memset(p + head, 0, 4), head += 4;
    memcpy(p + head, block + txbase - 4, 4); /* ntxs */
    for (int k = 0; k < 4; k++) p[head + 4 + k] = (uint8_t)(first >> (8 * k));
    memcpy(p + head + 8, block + txbase + first * (4 + TACIT_TX_BYTES),
           count * (4 + TACIT_TX_BYTES));
    *out = p;
    *len = n;
    return TACIT_OK;
}

/* The estimate's terms (bench/l1-gas, docs/l1-contract.md "Gas"): a submission's fixed cost
 * (21,000, the pairing's base and six key pairs, the transfer key's inputs) is about 400,000;
 * each tree-update public input one ecMul and ecAdd; a transfer about 125,000-137,000, a
 * deposit's authorization and balance or a withdrawal to a fresh address up to 35,000 more; a
 * tree-update proof's pair, two ecMul and calldata about 51,000; a credit at most about 25,000. */
#define GAS_FIXED 450000ull
#define GAS_PER_INPUT 6500ull /* one ecMul and ecAdd of a tree-update public input */
#define GAS_PER_TX 175000ull
#define GAS_PER_TREE_PROOF 60000ull
#define GAS_PER_CREDIT 30000ull

uint64_t tacit_rollup_gas_estimate(size_t ntxs, size_t ncredits, unsigned max_leaves)
{
    size_t leaves = 2 * ntxs < max_leaves ? 2 * ntxs : max_leaves;
    return GAS_FIXED + GAS_PER_INPUT * (leaves + 5) + GAS_PER_TX * ntxs +
           GAS_PER_TREE_PROOF * tacit_rollup_tree_proof_count(ntxs, max_leaves) +
           GAS_PER_CREDIT * ncredits;
}

void tacit_rollup_part_range(size_t ntxs, size_t nparts, size_t j, size_t *first, size_t *count)
{
    size_t q, r;
    if (nparts == 0) nparts = 1;
    q = ntxs / nparts;
    r = ntxs % nparts; /* the last r parts have q + 1 */
    *first = j * q + (j + r > nparts ? j + r - nparts : 0);
    *count = q + (j >= nparts - r ? 1 : 0);
}

size_t tacit_rollup_part_count(size_t ntxs, size_t ncredits, size_t nforced, unsigned max_leaves,
                               uint64_t budget)
{
    /* the included forced txs (the block's first nforced) all in the first part, which has
     * ntxs / n of them (the larger parts last): n <= ntxs / nforced */
    size_t nmax = ntxs > 0 ? ntxs : 1;
    if (nforced > 0 && nforced <= ntxs && ntxs / nforced < nmax) nmax = ntxs / nforced;
    for (size_t n = 1; n < nmax; n++) {
        bool fits = true;
        for (size_t j = 0; j < n && fits; j++) {
            size_t first, count;
            tacit_rollup_part_range(ntxs, n, j, &first, &count);
            fits = tacit_rollup_gas_estimate(count, j == 0 ? ncredits : 0, max_leaves) <= budget;
        }
        if (fits) return n;
    }
    return nmax;
}

void tacit_rollup_queue_hash(uint8_t out[32], const uint8_t prev[32],
                             const struct tacit_credit *credit)
{
    uint8_t buf[61];
    memcpy(buf, prev, 32);
    buf[32] = 1; /* a credit */
    memcpy(buf + 33, credit->address, 20);
    for (int i = 0; i < 8; i++) buf[53 + i] = (uint8_t)(credit->amount >> (8 * i));
    tacit_keccak256(out, buf, sizeof buf);
}

void tacit_rollup_queue_hash_forced(uint8_t out[32], const uint8_t prev[32],
                                    const uint8_t tx_hash[32])
{
    uint8_t buf[65];
    memcpy(buf, prev, 32);
    buf[32] = 2; /* a forced transaction */
    memcpy(buf + 33, tx_hash, 32);
    tacit_keccak256(out, buf, sizeof buf);
}

/* ------------------------------------------------------------------ tree proofs ---- */

size_t tacit_rollup_tree_proof_count(size_t ntxs, unsigned max_leaves)
{
    return max_leaves == 0 ? 0 : (2 * ntxs + max_leaves - 1) / max_leaves;
}

int tacit_rollup_prove_tree_range(struct tacit_rollup_tree_proof *out,
                                  struct tacit_tree_frontier *f, const tacit_groth16_pk *pk,
                                  const struct tacit_block *b, size_t first, size_t count,
                                  unsigned max_leaves, unsigned nthreads)
{
    size_t nleaves = 2 * count, np = tacit_rollup_tree_proof_count(count, max_leaves);
    tacit_fr *leaves, *pub;
    struct tacit_tree_frontier cur = *f;
    int rc = TACIT_OK;

    if (max_leaves == 0 || first > b->ntxs || count > b->ntxs - first) return TACIT_EINVAL;
    if ((leaves = malloc(sizeof *leaves * (nleaves ? nleaves : 1))) == NULL) return TACIT_ENOMEM;
    if ((pub = malloc(sizeof *pub * TACIT_TREEUPDATE_NPUBLIC(max_leaves))) == NULL) {
        free(leaves);
        return TACIT_ENOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        leaves[2 * i] = b->txs[first + i].pub[5];
        leaves[2 * i + 1] = b->txs[first + i].pub[6];
    }
    for (size_t u = 0; u < np && rc == TACIT_OK; u++) {
        struct tacit_treeupdate up = {.old = cur, .leaves = leaves + u * max_leaves};
        up.count = nleaves - u * max_leaves < max_leaves ? nleaves - u * max_leaves : max_leaves;
        rc = tacit_treeupdate_prove(&out[u].proof, pub, pk, &up, TACIT_TREE_DEPTH, max_leaves,
                                    nthreads, NULL);
        if (rc == TACIT_OK) {
            out[u].root_new = pub[TACIT_TREEUPDATE_PUB_ROOT_NEW];
            rc = tacit_tree_append(&cur, NULL, up.leaves, up.count, NULL, NULL, 0);
        }
    }
    if (rc == TACIT_OK) *f = cur;
    free(leaves);
    free(pub);
    return rc;
}

int tacit_rollup_prove_tree(struct tacit_rollup_tree_proof *out, struct tacit_tree_frontier *f,
                            const tacit_groth16_pk *pk, const struct tacit_block *b,
                            unsigned max_leaves, unsigned nthreads)
{
    return tacit_rollup_prove_tree_range(out, f, pk, b, 0, b->ntxs, max_leaves, nthreads);
}

/* ------------------------------------------------------------ errors, events ---- */

int tacit_rollup_error(const uint8_t *data, size_t len, long *index)
{
    if (index) *index = -1;
    if (len < 4) return TACIT_EL1_REVERTED;
    for (size_t i = 0; i < tacit_rollup_nerrors; i++) {
        uint8_t sel[4];
        if (tacit_abi_selector(sel, tacit_rollup_errors[i]) != TACIT_OK ||
            memcmp(sel, data, 4) != 0)
            continue;
        if (ERROR_TX[i] && index && len >= 36) {
            uint64_t v = 0;
            bool small = true;
            for (int k = 0; k < 24; k++) small = small && data[4 + k] == 0;
            for (int k = 24; k < 32; k++) v = v << 8 | data[4 + k];
            if (small && v <= (uint64_t)LONG_MAX) *index = (long)v;
        }
        return ERROR_CODE[i];
    }
    return TACIT_EL1_REVERTED;
}

void tacit_rollup_revert_reason(char *out, size_t n, const uint8_t *data, size_t len)
{
    tacit_l1_revert_reason(out, n, data, len, tacit_rollup_errors, tacit_rollup_nerrors);
}

static void get_bytes32(uint8_t out[32], const struct tacit_abi_value *v)
{
    memcpy(out, v->word, 32);
}

int tacit_rollup_event_topic(uint8_t topic[32], enum tacit_rollup_event_kind kind)
{
    switch (kind) {
    case TACIT_ROLLUP_DEPOSITED: return tacit_abi_event_topic(topic, EV_DEPOSITED);
    case TACIT_ROLLUP_BLOCK_SUBMITTED: return tacit_abi_event_topic(topic, EV_SUBMITTED);
    case TACIT_ROLLUP_CLAIMED: return tacit_abi_event_topic(topic, EV_CLAIMED);
    case TACIT_ROLLUP_PART_SUBMITTED: return tacit_abi_event_topic(topic, EV_PART);
    case TACIT_ROLLUP_FORCED: return tacit_abi_event_topic(topic, EV_FORCED);
    }
    return TACIT_EINVAL;
}

int tacit_rollup_decode_event(struct tacit_rollup_event *ev, const struct tacit_l1_log *log)
{
    uint8_t topic[32];
    struct tacit_abi_value *v = NULL;
    int rc;

    memset(ev, 0, sizeof *ev);
    if (log->ntopics == 0) return TACIT_ENOTFOUND;
    if ((rc = tacit_abi_event_topic(topic, EV_DEPOSITED)) != TACIT_OK) return rc;
    if (memcmp(topic, log->topics[0], 32) == 0) {
        rc = tacit_abi_decode_log(&v, EV_DEPOSITED, (const uint8_t(*)[32])log->topics, log->ntopics,
                                  log->data, log->data_len);
        if (rc == TACIT_OK) {
            ev->kind = TACIT_ROLLUP_DEPOSITED;
            if ((rc = tacit_abi_get_u64(&ev->index, &v->items[0])) == TACIT_OK)
                rc = tacit_abi_get_u64(&ev->amount, &v->items[2]);
            tacit_abi_get_address(ev->account, &v->items[1]);
            get_bytes32(ev->queue_hash, &v->items[3]);
        }
        goto done;
    }
    if ((rc = tacit_abi_event_topic(topic, EV_SUBMITTED)) != TACIT_OK) return rc;
    if (memcmp(topic, log->topics[0], 32) == 0) {
        rc = tacit_abi_decode_log(&v, EV_SUBMITTED, (const uint8_t(*)[32])log->topics, log->ntopics,
                                  log->data, log->data_len);
        if (rc == TACIT_OK) {
            ev->kind = TACIT_ROLLUP_BLOCK_SUBMITTED;
            rc = tacit_abi_get_u64(&ev->height, &v->items[0]);
            get_bytes32(ev->block_hash, &v->items[1]);
            get_bytes32(ev->parent, &v->items[2]);
            get_bytes32(ev->note_root, &v->items[3]);
            if (rc == TACIT_OK) rc = tacit_abi_get_u64(&ev->commitment_count, &v->items[4]);
            if (rc == TACIT_OK) rc = tacit_abi_get_u64(&ev->queue_head, &v->items[5]);
            if (rc == TACIT_OK) rc = tacit_abi_get_u64(&ev->ntxs, &v->items[6]);
        }
        goto done;
    }
    if ((rc = tacit_abi_event_topic(topic, EV_PART)) != TACIT_OK) return rc;
    if (memcmp(topic, log->topics[0], 32) == 0) {
        rc = tacit_abi_decode_log(&v, EV_PART, (const uint8_t(*)[32])log->topics, log->ntopics,
                                  log->data, log->data_len);
        if (rc == TACIT_OK) {
            ev->kind = TACIT_ROLLUP_PART_SUBMITTED;
            rc = tacit_abi_get_u64(&ev->height, &v->items[0]);
            if (rc == TACIT_OK) rc = tacit_abi_get_u64(&ev->index, &v->items[1]);
            if (rc == TACIT_OK) rc = tacit_abi_get_u64(&ev->ntxs, &v->items[2]);
            get_bytes32(ev->block_hash, &v->items[3]);
        }
        goto done;
    }
    if ((rc = tacit_abi_event_topic(topic, EV_FORCED)) != TACIT_OK) return rc;
    if (memcmp(topic, log->topics[0], 32) == 0) {
        rc = tacit_abi_decode_log(&v, EV_FORCED, (const uint8_t(*)[32])log->topics, log->ntopics,
                                  log->data, log->data_len);
        if (rc == TACIT_OK) {
            uint8_t h[32];
            ev->kind = TACIT_ROLLUP_FORCED;
            rc = tacit_abi_get_u64(&ev->index, &v->items[0]);
            get_bytes32(ev->tx_hash, &v->items[1]);
            get_bytes32(ev->queue_hash, &v->items[2]);
            if (rc == TACIT_OK && v->items[3].len != TACIT_TX_BYTES) rc = TACIT_EENCODING;
            if (rc == TACIT_OK) {
                memcpy(ev->tx, v->items[3].bytes, TACIT_TX_BYTES);
                tacit_keccak256(h, ev->tx, TACIT_TX_BYTES);
                if (memcmp(h, ev->tx_hash, 32) != 0) rc = TACIT_EDIGEST;
            }
        }
        goto done;
    }
    if ((rc = tacit_abi_event_topic(topic, EV_CLAIMED)) != TACIT_OK) return rc;
    if (memcmp(topic, log->topics[0], 32) == 0) {
        rc = tacit_abi_decode_log(&v, EV_CLAIMED, (const uint8_t(*)[32])log->topics, log->ntopics,
                                  log->data, log->data_len);
        if (rc == TACIT_OK) {
            ev->kind = TACIT_ROLLUP_CLAIMED;
            tacit_abi_get_address(ev->account, &v->items[0]);
            memcpy(ev->wei.be, v->items[1].word, 32);
        }
        goto done;
    }
    return TACIT_ENOTFOUND;
done:
    tacit_abi_value_free(v);
    if (rc != TACIT_OK) memset(ev, 0, sizeof *ev);
    return rc;
}
