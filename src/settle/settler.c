/*
 * tacit — the contract client's settler (include/tacit/settle.h, tacit_rollup_settler_new):
 * the node's struct tacit_settler over TacitRollup (include/tacit/rollup.h) and the L1 port.
 * prepare reads the contract's hash chain head, proves the block's tree update from the
 * frontier the node gives, and signs submitBlock with the sender; messages reads the queue
 * from the contract's Deposited and ForcedTransaction events (one scan), from the contract's
 * deployBlock() on, in bounded block ranges, each entry checked against the queue's rolling
 * hash. Blocking, like every call of the port: the node makes them on its settlement lane,
 * one at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/keccak.h"
#include "tacit/l1.h"
#include "tacit/rollup.h"
#include "tacit/settle.h"

/* eth_getLogs: blocks per request at most (providers cap ranges: 10,000 is a common cap, and a
 * provider that refuses even that is met by halving), requests per messages call (a long history
 * is read over several steps), and blocks read again below the last range read (an L1 reorg
 * deeper than the confirmations that moved an entry to a block read before). */
#define LOG_RANGE_DEFAULT 10000u
#define LOG_REQUESTS_MAX 16u
#define LOG_RESCAN 64u

struct settler {
    struct tacit_rollup_settler_opts o;
    uint8_t topics[2][32]; /* topic 0 of Deposited, of ForcedTransaction */
    /* the queue's rolling hash after qhash_index entries (the contract's queueHash(i)) */
    bool have_qhash;
    uint64_t qhash_index;
    uint8_t qhash[32];
    bool have_deploy;
    uint64_t deploy_block; /* the contract's deployBlock(): none of its events is older */
    uint64_t range;        /* blocks per eth_getLogs now (halved when the node refuses one) */
    /* where a scan starts: every queue entry from index cursor_index on is in L1 block
     * cursor_block or later */
    bool have_cursor;
    uint64_t cursor_index, cursor_block;
    struct tacit_rollup_event ev; /* a decoded log (large: a forced one's tx) */
};

/* A view of the contract read at L1 block `at` (TACIT_L1_LATEST: the head; TACIT_L1_PENDING)
 * with arguments args (a tuple): its first n words. */
static int read_view_at(struct settler *s, const char *sig, struct tacit_abi_value *args,
                        uint8_t *words, size_t n, uint64_t at)
{
    struct tacit_l1_call call;
    uint8_t *data = NULL, *ret = NULL;
    size_t len = 0, retlen = 0;
    int rc;
    if ((rc = tacit_abi_encode_call(&data, &len, sig, args)) != TACIT_OK) return rc;
    memset(&call, 0, sizeof call);
    memcpy(call.to, s->o.contract, 20);
    call.data = data;
    call.data_len = len;
    rc = tacit_l1_call(s->o.l1, &call, at, &ret, &retlen);
    free(data);
    if (rc == TACIT_OK && retlen < 32 * n) rc = TACIT_EL1_REPLY;
    if (rc == TACIT_OK) memcpy(words, ret, 32 * n);
    free(ret);
    return rc;
}

/* A view of the contract read at the L1 head with arguments args (a tuple). */
static int read_view(struct settler *s, const char *sig, struct tacit_abi_value *args,
                     uint8_t *words, size_t n)
{
    return read_view_at(s, sig, args, words, n, TACIT_L1_LATEST);
}

/* A view of the contract without arguments read at the L1 head: its first n words. */
static int read_words(struct settler *s, const char *sig, uint8_t *words, size_t n)
{
    struct tacit_abi_value args;
    tacit_abi_set_list(&args, TACIT_ABI_TUPLE, NULL, 0);
    return read_view(s, sig, &args, words, n);
}

/* The contract's queueHash(index) read at the L1 head: the rolling hash after index entries. */
static int read_queue_hash(struct settler *s, uint64_t index, uint8_t out[32])
{
    struct tacit_abi_value args, arg;
    tacit_abi_set_u64(&arg, index);
    tacit_abi_set_list(&args, TACIT_ABI_TUPLE, &arg, 1);
    return read_view(s, "queueHash(uint256)", &args, out, 1);
}

/* A uint64 getter of the contract (height(), ...) read at the L1 head, or a bytes32 one. */
static int read_word(struct settler *s, const char *sig, uint8_t word[32])
{
    return read_words(s, sig, word, 1);
}

static uint64_t word_u64(const uint8_t w[32])
{
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = v << 8 | w[i];
    return v;
}

/* Signs submission calldata with the sender (its nonce, fees and gas estimate): TACIT_EL1_REVERTED
 * with the contract's reason when the estimate reverts. */
static int sign(struct settler *s, const uint8_t *data, size_t len, uint8_t hash[32], uint8_t **raw,
                size_t *raw_len, char reason[TACIT_SETTLE_REASON_MAX])
{
    struct tacit_l1_call req;
    struct tacit_l1_sent sent;
    int rc;
    memset(&req, 0, sizeof req);
    memcpy(req.to, s->o.contract, 20);
    req.data = data;
    req.data_len = len;
    memset(&sent, 0, sizeof sent);
    rc = tacit_l1_sender_prepare(s->o.sender, &req, &sent, raw, raw_len);
    if (rc == TACIT_OK) {
        memcpy(hash, sent.hash, 32);
        tacit_l1_sent_clear(&sent);
    } else if (rc == TACIT_EL1_REVERTED) {
        const struct tacit_l1_error *e = tacit_l1_last_error(s->o.l1);
        tacit_rollup_revert_reason(reason, TACIT_SETTLE_REASON_MAX, e->revert_data, e->revert_len);
    }
    return rc;
}

static int op_plan(void *ctx, const struct tacit_settle_submission *sm, uint32_t *nparts)
{
    struct settler *s = ctx;
    struct tacit_block *b = NULL;
    size_t n, nforced = 0;
    int rc = tacit_block_decode(&b, sm->block, sm->block_len);
    *nparts = 1;
    if (rc != TACIT_OK) return rc;
    /* included forced markers (docs/protocol.md 8.1): the block's first txs, in its first part */
    for (size_t i = 0; i < b->ncredits; i++)
        if (b->credits[i].amount == 1 &&
            memcmp(b->credits[i].address, TACIT_POOL_ADDRESS, TACIT_ADDRESS_LEN) == 0)
            nforced++;
    n = tacit_rollup_part_count(b->ntxs, b->ncredits, nforced, s->o.max_leaves,
                                s->o.part_gas ? s->o.part_gas : TACIT_ROLLUP_PART_GAS_DEFAULT);
    tacit_block_free(b);
    *nparts = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    return TACIT_OK;
}

/* Part sm->part of a block in parts (include/tacit/settle.h, the contract client's settler). */
static int prepare_part(struct settler *s, const struct tacit_settle_submission *sm,
                        uint8_t hash[32], uint8_t **raw, size_t *raw_len,
                        char reason[TACIT_SETTLE_REASON_MAX])
{
    struct tacit_block *b = NULL;
    struct tacit_rollup_tree_proof *proofs = NULL;
    struct tacit_tree_frontier f;
    uint8_t word[32], partial[5 * 32], prev[32], *part = NULL, *data = NULL;
    size_t first, count, np, plen = 0, len = 0;
    int rc;

    if ((rc = read_word(s, "height()", word)) != TACIT_OK) return rc;
    if (word_u64(word) != sm->height) {
        snprintf(reason, TACIT_SETTLE_REASON_MAX, "the contract is at height %llu",
                 (unsigned long long)word_u64(word));
        return TACIT_EBUSY;
    }
    if ((rc = tacit_block_decode(&b, sm->block, sm->block_len)) != TACIT_OK) return rc;
    tacit_rollup_part_range(b->ntxs, sm->nparts, sm->part, &first, &count);
    /* partialBlock(): next, total, count, root, hash */
    if ((rc = read_words(s, "partialBlock()", partial, 5)) != TACIT_OK) goto out;
    if (word_u64(partial) != first || (first > 0 && word_u64(partial + 32) != b->ntxs)) {
        snprintf(reason, TACIT_SETTLE_REASON_MAX,
                 "the contract's block in parts is at transaction %llu of %llu, part %u starts "
                 "at %zu",
                 (unsigned long long)word_u64(partial), (unsigned long long)word_u64(partial + 32),
                 (unsigned)sm->part, first);
        rc = TACIT_EBUSY;
        goto out;
    }
    if (first == 0)
        rc = read_word(s, "blockHash()", prev);
    else
        memcpy(prev, partial + 128, 32);
    if (rc != TACIT_OK) goto out;
    /* the tree after the transactions before the part */
    f = *sm->frontier;
    for (size_t i = 0; i < first && rc == TACIT_OK; i++) {
        tacit_fr leaves[2] = {b->txs[i].pub[5], b->txs[i].pub[6]};
        rc = tacit_tree_append(&f, NULL, leaves, 2, NULL, NULL, 0);
    }
    np = tacit_rollup_tree_proof_count(count, s->o.max_leaves);
    if (rc == TACIT_OK && (proofs = calloc(np ? np : 1, sizeof *proofs)) == NULL) rc = TACIT_ENOMEM;
    if (rc == TACIT_OK)
        rc = tacit_rollup_prove_tree_range(proofs, &f, s->o.tree_pk, b, first, count,
                                           s->o.max_leaves, s->o.nthreads);
    if (rc == TACIT_OK)
        rc = tacit_rollup_part_encode(&part, &plen, sm->block, sm->block_len, first, count);
    if (rc == TACIT_OK) rc = tacit_rollup_part_call(&data, &len, prev, part, plen, proofs, np);
    if (rc == TACIT_OK) rc = sign(s, data, len, hash, raw, raw_len, reason);
out:
    free(data);
    free(part);
    free(proofs);
    tacit_block_free(b);
    return rc;
}

static int op_prepare(void *ctx, const struct tacit_settle_submission *sm, uint8_t hash[32],
                      uint8_t **raw, size_t *raw_len, char reason[TACIT_SETTLE_REASON_MAX])
{
    struct settler *s = ctx;
    struct tacit_block *b = NULL;
    struct tacit_rollup_tree_proof *proofs = NULL;
    struct tacit_tree_frontier f;
    uint8_t parent[32], word[32], *data = NULL;
    size_t np = 0, len = 0;
    bool behind;
    int rc;

    *raw = NULL;
    *raw_len = 0;
    reason[0] = '\0';
    if (sm->frontier == NULL) return TACIT_EINVAL;
    if (sm->nparts > 1) return prepare_part(s, sm, hash, raw, raw_len, reason);
    if ((rc = read_word(s, "height()", word)) != TACIT_OK) return rc;
    behind = word_u64(word) < sm->height;
    if (word_u64(word) > sm->height || (behind && sm->parent == NULL)) {
        /* the previous submission is not in the head's state yet (or the L1 went back) */
        snprintf(reason, TACIT_SETTLE_REASON_MAX, "the contract is at height %llu",
                 (unsigned long long)word_u64(word));
        return TACIT_EBUSY;
    }
    if (behind) /* earlier blocks in flight: the hash the last of them leaves */
        memcpy(parent, sm->parent, 32);
    else if ((rc = read_word(s, "blockHash()", parent)) != TACIT_OK)
        return rc;
    if ((rc = tacit_block_decode(&b, sm->block, sm->block_len)) != TACIT_OK) return rc;
    np = tacit_rollup_tree_proof_count(b->ntxs, s->o.max_leaves);
    if (np > 0 && (proofs = calloc(np, sizeof *proofs)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    f = *sm->frontier;
    if (np > 0 && (rc = tacit_rollup_prove_tree(proofs, &f, s->o.tree_pk, b, s->o.max_leaves,
                                                s->o.nthreads)) != TACIT_OK)
        goto out;
    rc = tacit_rollup_submit_call(&data, &len, parent, sm->block, sm->block_len, proofs, np);
    if (rc == TACIT_OK && sm->chain_out != NULL)
        rc = tacit_rollup_block_hash(sm->chain_out, parent, sm->block, sm->block_len, proofs, np);
    if (rc != TACIT_OK) goto out;
    rc = sign(s, data, len, hash, raw, raw_len, reason);
    if (rc == TACIT_EL1_REVERTED && behind) {
        /* estimated on the pending state: an earlier submission missing from the pool (dropped,
         * or its answer lost) makes it revert; it is estimated again, and halts only once the
         * contract is at the block's height */
        snprintf(reason, TACIT_SETTLE_REASON_MAX, "its estimate behind block %llu reverted",
                 (unsigned long long)word_u64(word));
        rc = TACIT_EBUSY;
    }
out:
    free(data);
    free(proofs);
    tacit_block_free(b);
    return rc;
}

static int op_send(void *ctx, const uint8_t *raw, size_t raw_len)
{
    struct settler *s = ctx;
    return tacit_settle_l1_send(s->o.l1, raw, raw_len);
}

static int op_bump(void *ctx, const uint8_t *raw, size_t raw_len, uint8_t hash[32], uint8_t **out,
                   size_t *out_len)
{
    struct settler *s = ctx;
    return tacit_l1_sender_rebid(s->o.sender, raw, raw_len, hash, out, out_len);
}

static int op_lookup(void *ctx, const uint8_t hash[32], const uint8_t *raw, size_t raw_len,
                     struct tacit_settle_receipt *out)
{
    struct settler *s = ctx;
    return tacit_settle_l1_lookup(s->o.l1, hash, raw, raw_len, tacit_rollup_errors,
                                  tacit_rollup_nerrors, out);
}

static int op_heads(void *ctx, struct tacit_settle_heads *out)
{
    struct settler *s = ctx;
    return tacit_settle_l1_heads(s->o.l1, s->o.final_depth, out);
}

static int op_is_open(void *ctx, bool *open, uint64_t *height)
{
    struct settler *s = ctx;
    struct tacit_abi_value none;
    uint8_t word[32];
    int rc;
    /* isOpen() of the block a submission sent now would land in (the pending block: its
     * block.number is the head's + 1); height() at the head (a submission of this node still
     * in the pool is not another submitter's block) */
    tacit_abi_set_list(&none, TACIT_ABI_TUPLE, NULL, 0);
    if ((rc = read_view_at(s, "isOpen()", &none, word, 1, TACIT_L1_PENDING)) != TACIT_OK) return rc;
    for (int i = 0; i < 31; i++)
        if (word[i] != 0) return TACIT_EL1_REPLY; /* not an ABI bool */
    if (word[31] > 1) return TACIT_EL1_REPLY;
    *open = word[31] == 1;
    if ((rc = read_word(s, "height()", word)) != TACIT_OK) return rc;
    *height = word_u64(word);
    return TACIT_OK;
}

/* The entries from `from` on in the Deposited and ForcedTransaction logs of blocks lo..hi,
 * appended to out[*n..max): *stop when one is missing (a gap: the node's view is behind) or
 * out is full. Each entry's queue hash must be the rolling hash over the one before
 * (s->qhash, after from + *n entries): TACIT_EL1_REPLY otherwise (the L1 node's logs are not
 * the contract's queue; the entries before it are kept). */
static int messages_range(struct settler *s, uint64_t from, uint64_t lo, uint64_t hi,
                          struct tacit_settle_message *out, size_t max, size_t *n, bool *stop)
{
    struct tacit_l1_filter flt;
    struct tacit_l1_log *logs = NULL;
    size_t nlogs = 0;
    int rc;

    memset(&flt, 0, sizeof flt);
    flt.from_block = lo;
    flt.to_block = hi;
    flt.addresses = (const uint8_t(*)[TACIT_ETH_ADDRESS_LEN])s->o.contract;
    flt.naddresses = 1;
    flt.topic0_any = (const uint8_t(*)[32])s->topics;
    flt.ntopic0_any = 2;
    if ((rc = tacit_l1_get_logs(s->o.l1, &flt, &logs, &nlogs)) != TACIT_OK) return rc;
    /* the logs come in chain order, which is the queue's */
    for (size_t i = 0; i < nlogs && !*stop; i++) {
        struct tacit_rollup_event *ev = &s->ev;
        struct tacit_settle_message *m;
        uint8_t h[32];
        if (logs[i].removed || tacit_rollup_decode_event(ev, &logs[i]) != TACIT_OK ||
            (ev->kind != TACIT_ROLLUP_DEPOSITED && ev->kind != TACIT_ROLLUP_FORCED) ||
            ev->index < from + *n)
            continue;
        if (ev->index != from + *n || *n == max) {
            *stop = true;
            break;
        }
        m = &out[*n];
        memset(m, 0, sizeof *m);
        m->index = ev->index;
        m->l1_block = logs[i].block_number;
        if (ev->kind == TACIT_ROLLUP_DEPOSITED) {
            m->kind = TACIT_SETTLE_MSG_DEPOSIT;
            memcpy(m->credit.address, ev->account, 20);
            m->credit.amount = ev->amount;
            tacit_rollup_queue_hash(h, s->qhash, &m->credit);
        } else { /* the decoder checked keccak256(tx) = txHash */
            m->kind = TACIT_SETTLE_MSG_FORCED;
            memcpy(m->tx, ev->tx, TACIT_TX_BYTES);
            memcpy(m->tx_hash, ev->tx_hash, 32);
            tacit_rollup_queue_hash_forced(h, s->qhash, m->tx_hash);
        }
        if (memcmp(h, ev->queue_hash, 32) != 0) {
            rc = TACIT_EL1_REPLY;
            break;
        }
        memcpy(m->l1_hash, logs[i].block_hash, 32);
        memcpy(m->queue_hash, ev->queue_hash, 32);
        memcpy(s->qhash, h, 32);
        s->qhash_index = ++*n + from;
    }
    tacit_l1_logs_free(logs, nlogs);
    if (rc != TACIT_OK) return rc;
    if (*n == max) *stop = true;
    return TACIT_OK;
}

static int op_messages(void *ctx, uint64_t from, uint64_t max_block,
                       struct tacit_settle_message *out, size_t max, size_t *n)
{
    struct settler *s = ctx;
    uint64_t lo;
    bool stop = false;
    int rc = TACIT_OK;

    *n = 0;
    if (max == 0) return TACIT_OK;
    if (!s->have_qhash || s->qhash_index != from) { /* the hash the scan's entries chain from */
        if (from == 0)
            memset(s->qhash, 0, 32);
        else if ((rc = read_queue_hash(s, from, s->qhash)) != TACIT_OK)
            return rc;
        s->have_qhash = true;
        s->qhash_index = from;
    }
    if (!s->have_deploy) {
        uint8_t word[32];
        if ((rc = read_word(s, "deployBlock()", word)) != TACIT_OK) return rc;
        s->deploy_block = word_u64(word);
        s->have_deploy = true;
    }
    lo = s->have_cursor && s->cursor_index <= from && s->cursor_block > s->deploy_block
             ? s->cursor_block
             : s->deploy_block;
    for (unsigned r = 0; r < LOG_REQUESTS_MAX && lo <= max_block && !stop; r++) {
        uint64_t hi = max_block - lo < s->range - 1 ? max_block : lo + s->range - 1;
        rc = messages_range(s, from, lo, hi, out, max, n, &stop);
        if (rc == TACIT_EL1_RPC && hi > lo) { /* the node refuses the range: a smaller one */
            s->range = (hi - lo + 1) / 2;
            rc = TACIT_OK;
            continue;
        }
        if (rc != TACIT_OK) break;
        if (!stop) { /* lo..hi read through: the entries from from + *n on are later */
            uint64_t next = hi + 1 > LOG_RESCAN ? hi + 1 - LOG_RESCAN : 0;
            if (*n > 0 && out[*n - 1].l1_block > next) next = out[*n - 1].l1_block;
            s->have_cursor = true;
            s->cursor_index = from + *n;
            s->cursor_block = next;
        }
        lo = hi + 1;
    }
    if (rc != TACIT_OK && *n > 0) rc = TACIT_OK; /* what was read; the rest next time */
    if (stop && *n > 0) { /* the entries after the last one are in its block or later */
        s->have_cursor = true;
        s->cursor_index = from + *n;
        s->cursor_block = out[*n - 1].l1_block;
    }
    return rc;
}

static int op_block_hash(void *ctx, uint64_t number, uint8_t hash[32])
{
    struct settler *s = ctx;
    struct tacit_l1_block b;
    int rc = tacit_l1_get_block(s->o.l1, number, &b);
    if (rc == TACIT_OK) memcpy(hash, b.hash, 32);
    return rc;
}

static int op_queue_hash(void *ctx, uint64_t count, uint8_t hash[32])
{
    return read_queue_hash(ctx, count, hash);
}

static void op_nonce_reset(void *ctx)
{
    struct settler *s = ctx;
    tacit_l1_sender_forget_nonce(s->o.sender);
}

static const struct tacit_settler_ops rollup_ops = {
    .prepare = op_prepare,
    .send = op_send,
    .lookup = op_lookup,
    .heads = op_heads,
    .messages = op_messages,
    .bump = op_bump,
    .plan = op_plan,
    .is_open = op_is_open,
    .block_hash = op_block_hash,
    .queue_hash = op_queue_hash,
    .nonce_reset = op_nonce_reset,
};

int tacit_rollup_settler_new(struct tacit_settler *out, const struct tacit_rollup_settler_opts *o)
{
    struct settler *s;
    memset(out, 0, sizeof *out);
    if (o->l1 == NULL || o->sender == NULL || o->tree_pk == NULL || o->max_leaves == 0)
        return TACIT_EINVAL;
    if ((s = calloc(1, sizeof *s)) == NULL) return TACIT_ENOMEM;
    s->o = *o;
    s->range = o->log_range > 0 ? o->log_range : LOG_RANGE_DEFAULT;
    if (tacit_rollup_event_topic(s->topics[0], TACIT_ROLLUP_DEPOSITED) != TACIT_OK ||
        tacit_rollup_event_topic(s->topics[1], TACIT_ROLLUP_FORCED) != TACIT_OK) {
        free(s);
        return TACIT_ENOMEM;
    }
    out->ops = &rollup_ops;
    out->ctx = s;
    return TACIT_OK;
}

void tacit_rollup_settler_free(struct tacit_settler *st)
{
    if (st == NULL) return;
    free(st->ctx);
    st->ctx = NULL;
    st->ops = NULL;
}
