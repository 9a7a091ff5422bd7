/*
 * tacit — the L1 follower's reader (include/tacit/settle.h, tacit_rollup_reader_*): the chain
 * rebuilt from the contract alone (docs/l1-contract.md, "Events" and "A block in parts"). The
 * BlockSubmitted and BlockPartSubmitted logs of the contract are read in bounded ranges; each
 * one's transaction is fetched (eth_getTransactionByHash) and its calldata decoded
 * (submitBlock / submitBlockPart), and the parts of a block are put together again:
 * header || credits (of its first part) || ntxs || every part's transactions in order. Only
 * transactions whose receipt says success, sent to the contract, count. Blocking, like every
 * call of the L1 port: the node calls these on its follow lane.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/l1.h"
#include "tacit/rollup.h"
#include "tacit/settle.h"

#define READ_RANGE_DEFAULT 10000u /* blocks per eth_getLogs (halved while the node refuses) */
#define READ_REQUESTS_MAX 16u     /* eth_getLogs per scan */
#define SIG_BLOCK "submitBlock(bytes32,bytes,bytes)"
#define SIG_PART "submitBlockPart(bytes32,bytes,bytes)"

struct tacit_rollup_reader {
    struct tacit_l1 *l1;
    bool owns_l1;
    uint8_t contract[20];
    uint64_t range;
};

/* One part of the block being put together: its transactions' bytes (len || tx each). */
struct part {
    uint8_t *head; /* part 0: header || credits (its bytes up to ntxs) */
    size_t head_len;
    uint32_t ntxs; /* the block's */
    uint32_t first, count;
    uint8_t *txs;
    size_t txs_len;
    uint8_t tx[32];    /* the L1 transaction */
    uint64_t l1_block; /* its L1 block */
};

static void part_clear(struct part *p)
{
    free(p->head);
    free(p->txs);
    memset(p, 0, sizeof *p);
}

void tacit_rollup_derived_clear(struct tacit_rollup_derived *d)
{
    free(d->block);
    memset(d, 0, sizeof *d);
}

int tacit_rollup_reader_new(struct tacit_rollup_reader **out, const char *l1_url,
                            const uint8_t contract[20], uint64_t log_range)
{
    struct tacit_rollup_reader *r;
    int rc;
    *out = NULL;
    if ((r = calloc(1, sizeof *r)) == NULL) return TACIT_ENOMEM;
    if ((rc = tacit_l1_http_new(&r->l1, l1_url, NULL)) != TACIT_OK) {
        free(r);
        return rc;
    }
    r->owns_l1 = true;
    memcpy(r->contract, contract, 20);
    r->range = log_range > 0 ? log_range : READ_RANGE_DEFAULT;
    *out = r;
    return TACIT_OK;
}

int tacit_rollup_reader_new_l1(struct tacit_rollup_reader **out, struct tacit_l1 *l1,
                               const uint8_t contract[20], uint64_t log_range)
{
    struct tacit_rollup_reader *r;
    *out = NULL;
    if ((r = calloc(1, sizeof *r)) == NULL) return TACIT_ENOMEM;
    r->l1 = l1;
    memcpy(r->contract, contract, 20);
    r->range = log_range > 0 ? log_range : READ_RANGE_DEFAULT;
    *out = r;
    return TACIT_OK;
}

void tacit_rollup_reader_free(struct tacit_rollup_reader *r)
{
    if (r == NULL) return;
    if (r->owns_l1) tacit_l1_free(r->l1);
    free(r);
}

/* A getter of the contract without arguments, read at the L1 head: its one word. */
static int getter(struct tacit_rollup_reader *r, const char *sig, uint8_t word[32])
{
    struct tacit_l1_call call;
    uint8_t sel[4], *ret = NULL;
    size_t len = 0;
    int rc;
    if ((rc = tacit_abi_selector(sel, sig)) != TACIT_OK) return rc;
    memset(&call, 0, sizeof call);
    memcpy(call.to, r->contract, 20);
    call.data = sel;
    call.data_len = 4;
    rc = tacit_l1_call(r->l1, &call, TACIT_L1_LATEST, &ret, &len);
    if (rc == TACIT_OK && len != 32) rc = TACIT_EL1_REPLY;
    if (rc == TACIT_OK) memcpy(word, ret, 32);
    free(ret);
    return rc;
}

static uint64_t word_u64(const uint8_t w[32])
{
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = v << 8 | w[i];
    return v;
}

int tacit_rollup_reader_info(struct tacit_rollup_reader *r, struct tacit_rollup_info *out)
{
    uint8_t w[32];
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = tacit_l1_chain_id(r->l1, &out->l1_chain_id)) != TACIT_OK) return rc;
    if ((rc = getter(r, "chainId()", w)) != TACIT_OK) return rc;
    out->chain_id = word_u64(w);
    if ((rc = getter(r, "deployBlock()", w)) != TACIT_OK) return rc;
    out->deploy_block = word_u64(w);
    if ((rc = getter(r, "maxLeaves()", w)) != TACIT_OK) return rc;
    out->max_leaves = word_u64(w);
    if ((rc = getter(r, "sequencer()", w)) != TACIT_OK) return rc;
    memcpy(out->sequencer, w + 12, 20);
    if ((rc = getter(r, "feeRecipient()", w)) != TACIT_OK) return rc;
    memcpy(out->fee_recipient, w + 12, 20);
    return TACIT_OK;
}

int tacit_rollup_reader_head(struct tacit_rollup_reader *r, uint64_t *latest)
{
    return tacit_l1_block_number(r->l1, latest);
}

int tacit_rollup_reader_block_hash(struct tacit_rollup_reader *r, uint64_t number, uint8_t hash[32])
{
    struct tacit_l1_block b;
    int rc = tacit_l1_get_block(r->l1, number, &b);
    if (rc == TACIT_OK) memcpy(hash, b.hash, 32);
    return rc;
}

static uint32_t u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The calldata of the transaction that logged `log`: sent to the contract, mined in the log's
 * block, its receipt a success; decoded as sig: *blk (malloc'd) its `bytes` argument. */
static int submission(struct tacit_rollup_reader *r, const struct tacit_l1_log *log,
                      const char *sig, uint8_t **blk, size_t *blk_len, char *why, size_t wlen)
{
    struct tacit_l1_tx tx;
    struct tacit_l1_receipt rcpt;
    struct tacit_abi_value *v = NULL;
    int rc;
    *blk = NULL;
    *blk_len = 0;
    if ((rc = tacit_l1_get_receipt(r->l1, log->tx_hash, &rcpt)) != TACIT_OK) {
        if (rc == TACIT_ENOTFOUND) { /* the log's block left the chain since: read again */
            snprintf(why, wlen, "the receipt of a submission is gone (an L1 reorg)");
            rc = TACIT_EL1_REPLY;
        }
        return rc;
    }
    if (!rcpt.success || memcmp(rcpt.block_hash, log->block_hash, 32) != 0) {
        snprintf(why, wlen, "a submission's receipt is %s",
                 rcpt.success ? "in another L1 block than its log (an L1 reorg)" : "a failure");
        tacit_l1_receipt_clear(&rcpt);
        return TACIT_EL1_REPLY;
    }
    tacit_l1_receipt_clear(&rcpt);
    if ((rc = tacit_l1_get_tx(r->l1, log->tx_hash, &tx)) != TACIT_OK) {
        if (rc == TACIT_ENOTFOUND) {
            snprintf(why, wlen, "a submission's transaction is gone (an L1 reorg)");
            rc = TACIT_EL1_REPLY;
        }
        return rc;
    }
    if (!tx.has_to || memcmp(tx.to, r->contract, 20) != 0) {
        /* the contract's events come with their block only in the calldata of a transaction
         * sent to it: a submission through another contract cannot be read back */
        snprintf(why, wlen,
                 "a submission was not sent to the contract itself (through another contract): "
                 "its block cannot be read from the calldata");
        rc = TACIT_EENCODING;
    } else if ((rc = tacit_abi_decode_call(&v, sig, tx.input, tx.input_len)) != TACIT_OK) {
        snprintf(why, wlen, "a submission's calldata is not %s", sig);
        rc = TACIT_EENCODING;
    } else if (v->n != 3 || v->items[1].kind != TACIT_ABI_BYTES) {
        rc = TACIT_EENCODING;
        snprintf(why, wlen, "a submission's calldata is not %s", sig);
    } else if ((*blk = malloc(v->items[1].len ? v->items[1].len : 1)) == NULL) {
        rc = TACIT_ENOMEM;
    } else {
        memcpy(*blk, v->items[1].bytes, v->items[1].len);
        *blk_len = v->items[1].len;
    }
    tacit_abi_value_free(v);
    tacit_l1_tx_clear(&tx);
    return rc;
}

/* A part's layout (tacit_rollup_part_encode): header || credits || ntxs || first || txs. */
static int part_parse(struct part *p, const uint8_t *b, size_t len)
{
    size_t c;
    if (len < TACIT_BLOCK_HEADER_BYTES + 12) return TACIT_EENCODING;
    c = TACIT_BLOCK_HEADER_BYTES + 4 + (size_t)28 * u32le(b + TACIT_BLOCK_HEADER_BYTES);
    if (c + 8 > len || (len - c - 8) % (4 + TACIT_TX_BYTES) != 0) return TACIT_EENCODING;
    p->ntxs = u32le(b + c);
    p->first = u32le(b + c + 4);
    p->count = (uint32_t)((len - c - 8) / (4 + TACIT_TX_BYTES));
    if (p->first == 0) {
        if ((p->head = malloc(c)) == NULL) return TACIT_ENOMEM;
        memcpy(p->head, b, c);
        p->head_len = c;
    }
    if ((p->txs = malloc(len - c - 8 + 1)) == NULL) return TACIT_ENOMEM;
    memcpy(p->txs, b + c + 8, len - c - 8);
    p->txs_len = len - c - 8;
    return TACIT_OK;
}

/* The block of parts[0..n): header || credits || ntxs || the transactions. */
static int parts_join(const struct part *parts, size_t n, uint8_t **out, size_t *len)
{
    size_t total = parts[0].head_len + 4;
    uint32_t next = 0;
    uint8_t *b;
    if (parts[0].head == NULL) return TACIT_EENCODING;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].first != next || parts[i].ntxs != parts[0].ntxs) return TACIT_EENCODING;
        next += parts[i].count;
        total += parts[i].txs_len;
    }
    if (next != parts[0].ntxs) return TACIT_EENCODING;
    if ((b = malloc(total)) == NULL) return TACIT_ENOMEM;
    memcpy(b, parts[0].head, parts[0].head_len);
    for (int k = 0; k < 4; k++) b[parts[0].head_len + k] = (uint8_t)(parts[0].ntxs >> (8 * k));
    total = parts[0].head_len + 4;
    for (size_t i = 0; i < n; i++) {
        memcpy(b + total, parts[i].txs, parts[i].txs_len);
        total += parts[i].txs_len;
    }
    *out = b;
    *len = total;
    return TACIT_OK;
}

#define PARTS_MAX 4096

struct scan {
    uint64_t expect; /* the next L2 height */
    struct part *parts;
    size_t nparts;
    struct tacit_rollup_derived *out;
    size_t max, *n;
    bool full;
    uint64_t full_at; /* the L1 block of the last block returned when out filled up */
    char *why;
    size_t wlen;
};

static void scan_parts_clear(struct scan *s)
{
    for (size_t i = 0; i < s->nparts; i++) part_clear(&s->parts[i]);
    s->nparts = 0;
}

/* One log of the contract, in chain order. */
static int scan_log(struct tacit_rollup_reader *r, struct scan *s, const struct tacit_l1_log *log)
{
    struct tacit_rollup_event ev;
    struct tacit_rollup_derived *d;
    uint8_t *b = NULL;
    size_t len = 0;
    int rc;
    if (log->removed || tacit_rollup_decode_event(&ev, log) != TACIT_OK) return TACIT_OK;
    if (ev.kind != TACIT_ROLLUP_PART_SUBMITTED && ev.kind != TACIT_ROLLUP_BLOCK_SUBMITTED)
        return TACIT_OK;
    if (ev.height < s->expect) return TACIT_OK; /* read before (a scan starts at a block) */
    if (ev.height > s->expect) {
        snprintf(s->why, s->wlen,
                 "the contract's logs jump from block %llu to %llu (a log missing from the L1 "
                 "node's answer)",
                 (unsigned long long)s->expect, (unsigned long long)ev.height);
        return TACIT_EL1_REPLY;
    }
    if (ev.kind == TACIT_ROLLUP_PART_SUBMITTED) {
        struct part *p;
        if (s->nparts == PARTS_MAX) return TACIT_ETOOBIG;
        if ((rc = submission(r, log, SIG_PART, &b, &len, s->why, s->wlen)) != TACIT_OK) return rc;
        p = &s->parts[s->nparts];
        memset(p, 0, sizeof *p);
        rc = part_parse(p, b, len);
        free(b);
        if (rc == TACIT_OK && (p->first != ev.index || p->count != ev.ntxs)) rc = TACIT_EENCODING;
        if (rc != TACIT_OK) {
            part_clear(p);
            if (rc == TACIT_EENCODING)
                snprintf(s->why, s->wlen, "a part of block %llu does not decode",
                         (unsigned long long)ev.height);
            return rc;
        }
        if (p->first == 0 && s->nparts > 0) { /* a new first part: what came before is gone */
            struct part keep = *p;
            scan_parts_clear(s);
            s->parts[0] = keep;
        }
        memcpy(p->tx, log->tx_hash, 32);
        p->l1_block = log->block_number;
        s->nparts++;
        return TACIT_OK;
    }
    /* BlockSubmitted: the whole block, or the last part of one in parts */
    if (s->nparts > 0 && memcmp(s->parts[s->nparts - 1].tx, log->tx_hash, 32) == 0) {
        rc = parts_join(s->parts, s->nparts, &b, &len);
        if (rc == TACIT_EENCODING)
            snprintf(s->why, s->wlen, "the parts of block %llu do not make a block",
                     (unsigned long long)ev.height);
    } else {
        rc = submission(r, log, SIG_BLOCK, &b, &len, s->why, s->wlen);
    }
    if (rc != TACIT_OK) return rc;
    d = &s->out[(*s->n)++];
    memset(d, 0, sizeof *d);
    d->height = ev.height;
    d->block = b;
    d->block_len = len;
    d->l1_block = log->block_number;
    memcpy(d->l1_hash, log->block_hash, 32);
    memcpy(d->l1_tx, log->tx_hash, 32);
    memcpy(d->chain, ev.block_hash, 32);
    d->nparts = s->nparts > 0 ? (uint32_t)s->nparts : 1;
    scan_parts_clear(s);
    s->expect++;
    if (*s->n == s->max) {
        s->full = true;
        s->full_at = log->block_number;
    }
    return TACIT_OK;
}

int tacit_rollup_reader_scan(struct tacit_rollup_reader *r, uint64_t from_l1, uint64_t to_l1,
                             uint64_t next_height, struct tacit_rollup_derived *out, size_t max,
                             size_t *n, uint64_t *resume, char *why, size_t wlen)
{
    struct scan s;
    uint64_t lo = from_l1;
    int rc = TACIT_OK;

    *n = 0;
    *resume = from_l1;
    if (wlen > 0) why[0] = '\0';
    if (max == 0) return TACIT_OK;
    memset(&s, 0, sizeof s);
    s.expect = next_height;
    s.out = out;
    s.max = max;
    s.n = n;
    s.why = why;
    s.wlen = wlen;
    if ((s.parts = calloc(PARTS_MAX, sizeof *s.parts)) == NULL) return TACIT_ENOMEM;
    for (unsigned q = 0; q < READ_REQUESTS_MAX && lo <= to_l1 && !s.full; q++) {
        struct tacit_l1_filter flt;
        struct tacit_l1_log *logs = NULL;
        size_t nlogs = 0;
        uint64_t hi = to_l1 - lo < r->range - 1 ? to_l1 : lo + r->range - 1;
        memset(&flt, 0, sizeof flt);
        flt.from_block = lo;
        flt.to_block = hi;
        flt.addresses = (const uint8_t(*)[TACIT_ETH_ADDRESS_LEN])r->contract;
        flt.naddresses = 1;
        rc = tacit_l1_get_logs(r->l1, &flt, &logs, &nlogs);
        if (rc == TACIT_EL1_RPC && hi > lo) { /* the node refuses the range: a smaller one */
            r->range = (hi - lo + 1) / 2;
            rc = TACIT_OK;
            continue;
        }
        if (rc != TACIT_OK) break;
        for (size_t i = 0; i < nlogs && rc == TACIT_OK && !s.full; i++)
            rc = scan_log(r, &s, &logs[i]);
        tacit_l1_logs_free(logs, nlogs);
        if (rc != TACIT_OK) break;
        lo = hi + 1;
    }
    /* where the next scan starts: the block of the last block returned (more of the blocks
     * after it may be there), the first part of a block not complete yet, or past the range */
    if (s.full)
        *resume = s.full_at;
    else if (s.nparts > 0)
        *resume = s.parts[0].l1_block;
    else if (rc == TACIT_OK || *n > 0)
        *resume = *n > 0 && rc != TACIT_OK ? out[*n - 1].l1_block : lo;
    scan_parts_clear(&s);
    free(s.parts);
    if (rc != TACIT_OK && *n > 0) rc = TACIT_OK; /* what was read; the rest next time */
    return rc;
}
