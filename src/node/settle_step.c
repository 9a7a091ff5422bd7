/*
 * tacit — settlement on L1, the records and the step (no loop here: src/node/settle.c runs the
 * step on its lane; tests drive it directly). Settlement on L1 (docs/operations.md, "Settlement on L1"; ../shared/docs/SETTLEMENT.md
 * 2, 6): every block tracked through sequenced → submitted → settled → finalized, and the L1
 * message queue's confirmed entries fetched for the block builder.
 *
 * The contract is seen through a struct tacit_settler (include/tacit/settle.h), whose calls
 * block: they run on the "settle" lane (one thread of its own), one step at a time, started by
 * a timer on the loop. A step (tacit__settle_step) reads and writes only the store's settlement
 * records and the settler, so tests drive it directly. What is on disk (database "settle",
 * docs/state-format.md "Settlement records"):
 *
 *   "heads"        u64 submitted ‖ u64 settled ‖ u64 finalized (each: the next height without
 *                  that status) ‖ u64 L1 gas used by this chain's submissions
 *   "s" ‖ u64 h    block h's submission: u8 0x10|state ‖ tx hash (32) ‖ u64 L1 block ‖ u64 gas
 *                  used ‖ u32 sends ‖ u64 L1 head at the latest send ‖ the contract's blockHash
 *                  after the block (32) ‖ u8 k ‖ k replaced tx hashes (32 each) ‖ u16 n ‖
 *                  revert reason (n) ‖ the raw L1 transaction (the rest; a first-format record,
 *                  whose first byte is the state alone, has no head, blockHash or replaced ones)
 *   "p" ‖ u64 h    block h in parts: u32 the part its "s" record's transaction carries ‖ u32
 *                  the number of parts (written with the "s" record; none: the block goes whole)
 *   "q" ‖ u64 h    u64 the queue index after block h's credits (written by the block lane)
 *   "mode"         "l1": the chain settles on L1 (written when the chain starts in L1 mode)
 *
 * Order and restart safety: up to max_inflight blocks in flight, sent in height order, so in
 * nonce order (block h + 1's transaction goes out behind block h's, its parent the blockHash
 * h's submission leaves; the L1 includes them in nonce order, and the contract takes h + 1
 * only after h). Before a transaction is sent its record (state PREPARED, with the hash and the
 * raw bytes) is synced; a step asks the L1 about every recorded block from the settled head on,
 * in order, before it prepares anything new, and sends the same raw bytes again when the L1
 * does not know one (the same signed transaction, the same nonce: it can be included once at
 * most). A receipt that comes before an earlier block's is recorded (INCLUDED); the settled
 * head passes it once the earlier ones are in. A transaction pending bump_after L1 blocks is
 * replaced by one of the same nonce and calldata with higher fees, its record (the old hash
 * kept among the replaced ones) synced before it is sent: whichever of them lands, the lookup
 * finds it and the record takes its hash. A new transaction for the same block (a new nonce) is
 * prepared only when the L1 says the old one's nonce went to another transaction and no later
 * block is in flight (with later ones in flight, the submitter halts). A reverted submission
 * stops the submitter (recorded: a restart stops again at the same record), and nothing after
 * it is sent.
 *
 * A block larger than one L1 transaction carries (the settler's plan: more than one part) goes
 * out in parts, one transaction each, in order: the unit of submission is (height, part). It
 * starts only once the blocks before it are settled, and nothing goes behind it until its last
 * part is in; part j + 1 is prepared once part j's receipt is in (the contract's block in
 * progress then says where it is), with the same record discipline (the "s" record of the part
 * synced before its send, the "p" record beside it); the block settles with its last part.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

#define SETTLE_RECHECK_MAX 64 /* settled blocks looked up again per step (reorgs, finality) */
#define SUB_FIXED (1 + 32 + 8 + 8 + 4 + 2)

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static void hkey(uint8_t key[9], char tag, uint64_t h)
{
    key[0] = (uint8_t)tag;
    put64(key + 1, h);
}

/* ---------------------------------------------------------------- records ---- */

int tacit__settle_heads_load(struct tacit_state *st, struct tacit__settle_heads *h)
{
    uint8_t *v;
    size_t len;
    int rc = tacit_state_settle_get(st, (const uint8_t *)"heads", 5, &v, &len);
    memset(h, 0, sizeof *h);
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) return rc;
    if (len != 32) {
        free(v);
        return TACIT_ECORRUPT;
    }
    h->submitted = get64(v);
    h->settled = get64(v + 8);
    h->finalized = get64(v + 16);
    h->gas_used = get64(v + 24);
    free(v);
    return h->finalized <= h->settled && h->settled <= h->submitted ? TACIT_OK : TACIT_ECORRUPT;
}

static void heads_encode(uint8_t out[32], const struct tacit__settle_heads *h)
{
    put64(out, h->submitted);
    put64(out + 8, h->settled);
    put64(out + 16, h->finalized);
    put64(out + 24, h->gas_used);
}

/* Record formats (docs/state-format.md "Settlement records"): the first byte is the state
 * (1..4) in the first format, 0x10 | state in the second, which adds the L1 head at the
 * latest send, the contract's hash chain after the block, and the replaced transactions. */
#define SUB_V2 0x10
#define SUB_V2_EXT (8 + 32 + 1) /* sent_l1 ‖ chain ‖ u8 nprev (then nprev hashes) */

/* TACIT_ENOTFOUND when block h has none. */
int tacit__settle_sub_load(struct tacit_state *st, uint64_t h, struct tacit__settle_sub *s)
{
    uint8_t key[9], *v;
    size_t len, n, off;
    int rc;
    memset(s, 0, sizeof *s);
    hkey(key, 's', h);
    if ((rc = tacit_state_settle_get(st, key, 9, &v, &len)) != TACIT_OK) return rc;
    if (len < SUB_FIXED) goto corrupt;
    s->state = v[0] & 0x0f;
    memcpy(s->hash, v + 1, 32);
    s->l1_block = get64(v + 33);
    s->gas_used = get64(v + 41);
    s->sends = (uint32_t)v[49] << 24 | (uint32_t)v[50] << 16 | (uint32_t)v[51] << 8 | v[52];
    off = 53;
    if ((v[0] & 0xf0) == SUB_V2) {
        if (len < SUB_FIXED + SUB_V2_EXT) goto corrupt;
        s->sent_l1 = get64(v + off);
        memcpy(s->chain, v + off + 8, 32);
        for (int i = 0; i < 32; i++) s->has_chain |= s->chain[i] != 0;
        s->nprev = v[off + 40];
        off += SUB_V2_EXT;
        if (s->nprev > TACIT__SUB_PREV_MAX || len < off + 32 * s->nprev + 2) goto corrupt;
        memcpy(s->prev, v + off, 32 * s->nprev);
        off += 32 * s->nprev;
    } else if ((v[0] & 0xf0) != 0) {
        goto corrupt;
    }
    n = (size_t)v[off] << 8 | v[off + 1];
    off += 2;
    if (n >= sizeof s->reason || len < off + n || s->state < TACIT__SUB_PREPARED ||
        s->state > TACIT__SUB_REVERTED)
        goto corrupt;
    memcpy(s->reason, v + off, n);
    s->reason[n] = '\0';
    off += n;
    s->raw_len = len - off;
    if (s->raw_len > 0) {
        if ((s->raw = malloc(s->raw_len)) == NULL) {
            free(v);
            return TACIT_ENOMEM;
        }
        memcpy(s->raw, v + off, s->raw_len);
    }
    free(v);
    /* a block in parts: which part the transaction carries */
    hkey(key, 'p', h);
    if ((rc = tacit_state_settle_get(st, key, 9, &v, &len)) == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) {
        tacit__settle_sub_clear(s);
        return rc;
    }
    if (len == 8) {
        s->part = (uint32_t)(get64(v) >> 32);
        s->nparts = (uint32_t)get64(v);
    }
    free(v);
    if (len != 8 || s->nparts < 2 || s->part >= s->nparts) {
        tacit__settle_sub_clear(s);
        return TACIT_ECORRUPT;
    }
    return TACIT_OK;
corrupt:
    free(v);
    return TACIT_ECORRUPT;
}

void tacit__settle_sub_clear(struct tacit__settle_sub *s)
{
    free(s->raw);
    s->raw = NULL;
    s->raw_len = 0;
}

/* The record's bytes (malloc'd), in the second format. */
static uint8_t *sub_encode(const struct tacit__settle_sub *s, size_t *len)
{
    size_t n = strlen(s->reason), off = 53;
    uint8_t *v;
    if (n >= sizeof s->reason) n = sizeof s->reason - 1;
    *len = SUB_FIXED + SUB_V2_EXT + 32 * s->nprev + n + s->raw_len;
    if ((v = malloc(*len)) == NULL) return NULL;
    v[0] = (uint8_t)(SUB_V2 | s->state);
    memcpy(v + 1, s->hash, 32);
    put64(v + 33, s->l1_block);
    put64(v + 41, s->gas_used);
    v[49] = (uint8_t)(s->sends >> 24);
    v[50] = (uint8_t)(s->sends >> 16);
    v[51] = (uint8_t)(s->sends >> 8);
    v[52] = (uint8_t)s->sends;
    put64(v + off, s->sent_l1);
    memcpy(v + off + 8, s->chain, 32); /* zeros when unknown (a first-format record's) */
    v[off + 40] = (uint8_t)s->nprev;
    off += SUB_V2_EXT;
    memcpy(v + off, s->prev, 32 * s->nprev);
    off += 32 * s->nprev;
    v[off] = (uint8_t)(n >> 8);
    v[off + 1] = (uint8_t)n;
    memcpy(v + off + 2, s->reason, n);
    if (s->raw_len) memcpy(v + off + 2 + n, s->raw, s->raw_len);
    return v;
}

/* The submission record of block h and (heads non-NULL) the heads, in one synced write. */
static int save(struct tacit_state *st, uint64_t h, const struct tacit__settle_sub *s,
                const struct tacit__settle_heads *heads)
{
    struct tacit_state_kv kv[3];
    uint8_t key[9], pkey[9], pv[8], hv[32], *v = NULL;
    size_t n = 0, len;
    int rc;
    if (s != NULL) {
        if ((v = sub_encode(s, &len)) == NULL) return TACIT_ENOMEM;
        hkey(key, 's', h);
        kv[n++] = (struct tacit_state_kv){key, 9, v, len};
    }
    if (s != NULL && s->nparts > 1) {
        hkey(pkey, 'p', h);
        put64(pv, (uint64_t)s->part << 32 | s->nparts);
        kv[n++] = (struct tacit_state_kv){pkey, 9, pv, 8};
    }
    if (heads != NULL) {
        heads_encode(hv, heads);
        kv[n++] = (struct tacit_state_kv){(const uint8_t *)"heads", 5, hv, 32};
    }
    rc = tacit_state_settle_put(st, kv, n);
    free(v);
    return rc;
}

int tacit__settle_queue_save(struct tacit_state *st, uint64_t height, uint64_t queue_next)
{
    uint8_t key[9], v[8];
    struct tacit_state_kv kv;
    hkey(key, 'q', height);
    put64(v, queue_next);
    kv = (struct tacit_state_kv){key, 9, v, 8};
    return tacit_state_settle_put(st, &kv, 1);
}

/* The queue index after the credits of blocks 0 .. next_height - 1: the last "q" record, plus
 * the credits of the blocks after it (a crash between a commit and its "q" record; blocks made
 * before L1 mode recorded them, such as a devnet's genesis, have no credits in L1 mode). */
int tacit__settle_queue_next(struct tacit_state *st, uint64_t next_height, uint64_t *out)
{
    uint64_t h = next_height, q = 0;
    int rc = TACIT_OK;
    while (h > 0) {
        uint8_t key[9], *v;
        size_t len;
        hkey(key, 'q', h - 1);
        rc = tacit_state_settle_get(st, key, 9, &v, &len);
        if (rc == TACIT_ENOTFOUND) {
            h--;
            continue;
        }
        if (rc != TACIT_OK) return rc;
        if (len != 8) rc = TACIT_ECORRUPT;
        q = get64(v);
        free(v);
        if (rc != TACIT_OK) return rc;
        break;
    }
    for (; h < next_height; h++) {
        uint8_t *bytes;
        size_t len;
        struct tacit_block *b;
        if ((rc = tacit_state_block_by_height(st, h, NULL, &bytes, &len)) != TACIT_OK) return rc;
        rc = tacit_block_decode(&b, bytes, len);
        free(bytes);
        if (rc != TACIT_OK) return rc;
        q += b->ncredits;
        tacit_block_free(b);
    }
    *out = q;
    return TACIT_OK;
}

/* "c" ‖ u64 index: u64 L1 block ‖ its hash (32) ‖ queue hash through the entry (32) ‖ u64 the
 * height of the block that credited it. */
#define CREC_LEN (8 + 32 + 32 + 8)
struct crec {
    uint64_t l1_block, height;
    uint8_t l1_hash[32], queue_hash[32];
};

static void crec_encode(uint8_t v[CREC_LEN], const struct crec *c)
{
    put64(v, c->l1_block);
    memcpy(v + 8, c->l1_hash, 32);
    memcpy(v + 40, c->queue_hash, 32);
    put64(v + 72, c->height);
}

int tacit__settle_credited_save(struct tacit_state *st, uint64_t height, uint64_t queue_next,
                                const struct tacit_settle_message *msgs, size_t k)
{
    struct tacit_state_kv *kv = calloc(k + 1, sizeof *kv);
    uint8_t(*keys)[9] = calloc(k + 1, 9), (*vals)[CREC_LEN] = calloc(k + 1, CREC_LEN);
    int rc = TACIT_ENOMEM;
    if (kv != NULL && keys != NULL && vals != NULL) {
        hkey(keys[k], 'q', height);
        put64(vals[k], queue_next);
        kv[k] = (struct tacit_state_kv){keys[k], 9, vals[k], 8};
        for (size_t i = 0; i < k; i++) {
            struct crec c = {msgs[i].l1_block, height, {0}, {0}};
            memcpy(c.l1_hash, msgs[i].l1_hash, 32);
            memcpy(c.queue_hash, msgs[i].queue_hash, 32);
            hkey(keys[i], 'c', msgs[i].index);
            crec_encode(vals[i], &c);
            kv[i] = (struct tacit_state_kv){keys[i], 9, vals[i], CREC_LEN};
        }
        rc = tacit_state_settle_put(st, kv, k + 1);
    }
    free(kv);
    free(keys);
    free(vals);
    return rc;
}

static int crec_load(struct tacit_state *st, uint64_t index, struct crec *c)
{
    uint8_t key[9], *v;
    size_t len;
    int rc;
    hkey(key, 'c', index);
    if ((rc = tacit_state_settle_get(st, key, 9, &v, &len)) != TACIT_OK) return rc;
    if (len == CREC_LEN) {
        c->l1_block = get64(v);
        memcpy(c->l1_hash, v + 8, 32);
        memcpy(c->queue_hash, v + 40, 32);
        c->height = get64(v + 72);
    }
    free(v);
    return len == CREC_LEN ? TACIT_OK : TACIT_ECORRUPT;
}

int tacit__settle_mode_check(struct tacit_state *st, bool l1_mode)
{
    struct tacit_state_tip tip;
    uint8_t *v;
    size_t len;
    int rc;
    bool marked;
    if ((rc = tacit_state_tip(st, &tip)) != TACIT_OK) return rc;
    rc = tacit_state_settle_get(st, (const uint8_t *)"mode", 4, &v, &len);
    if (rc != TACIT_OK && rc != TACIT_ENOTFOUND) return rc;
    marked = rc == TACIT_OK && len == 2 && memcmp(v, "l1", 2) == 0;
    if (rc == TACIT_OK) free(v);
    if (l1_mode && !marked) {
        struct tacit_state_kv kv = {(const uint8_t *)"mode", 4, (const uint8_t *)"l1", 2};
        if (tip.next_height > 0) {
            tacit_log(TACIT_LOG_ERROR, "settle",
                      "this chain's %" PRIu64 " blocks were made without L1 settlement: it cannot "
                      "settle on L1 (start a new chain in L1 mode)",
                      tip.next_height);
            return TACIT_ESTATE_PARAMS;
        }
        return tacit_state_settle_put(st, &kv, 1);
    }
    if (!l1_mode && marked) {
        tacit_log(TACIT_LOG_ERROR, "settle",
                  "this chain settles on L1: start tacitd with --l1-rpc, --l1-rollup and "
                  "--l1-key (without them its blocks would never be submitted)");
        return TACIT_ESTATE_PARAMS;
    }
    return TACIT_OK;
}

/* ------------------------------------------------------------------- step ---- */

static bool zero32(const uint8_t h[32])
{
    for (int i = 0; i < 32; i++)
        if (h[i] != 0) return false;
    return true;
}

/* "l1tip": u64 L1 block ‖ its hash (32): the newest L1 block a receipt of this chain's
 * submissions was seen in (block 0: none). One query of that block's hash tells whether an L1
 * reorg touched any settled block not final yet: they are all in it or before it. */
static int l1tip_load(struct tacit_state *st, uint64_t *block, uint8_t hash[32])
{
    uint8_t *v;
    size_t len;
    int rc = tacit_state_settle_get(st, (const uint8_t *)"l1tip", 5, &v, &len);
    *block = 0;
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) return rc;
    if (len == 40) {
        *block = get64(v);
        memcpy(hash, v + 8, 32);
    }
    free(v);
    return TACIT_OK;
}

static int l1tip_save(struct tacit_state *st, uint64_t block, const uint8_t hash[32])
{
    uint8_t v[40];
    struct tacit_state_kv kv = {(const uint8_t *)"l1tip", 5, v, 40};
    put64(v, block);
    memcpy(v + 8, hash, 32);
    return tacit_state_settle_put(st, &kv, 1);
}

/* A receipt in L1 block r->block: the newest one seen moves forward. */
static int l1tip_note(struct tacit_state *st, const struct tacit_settle_receipt *r)
{
    uint64_t b;
    uint8_t h[32];
    int rc;
    if (zero32(r->block_hash)) return TACIT_OK; /* the settler does not say */
    if ((rc = l1tip_load(st, &b, h)) != TACIT_OK) return rc;
    if (r->block < b || (r->block == b && memcmp(h, r->block_hash, 32) == 0)) return TACIT_OK;
    return l1tip_save(st, r->block, r->block_hash);
}

/* The submission record of block h was reverted: the step stops there. */
static void halt(struct tacit__settle_out *o, uint64_t h, const struct tacit__settle_sub *s)
{
    o->halted = true;
    o->halt_height = h;
    memcpy(o->halt_reason, s->reason, sizeof o->halt_reason);
    o->halt_reason[sizeof o->halt_reason - 1] = '\0';
}

/* The gas of a block's latest receipt counts once (a receipt again after an L1 reorg replaces
 * the one counted before). */
static void gas_count(struct tacit__settle_heads *heads, struct tacit__settle_sub *sub,
                      uint64_t gas, struct tacit__settle_out *o)
{
    heads->gas_used = heads->gas_used - sub->gas_used + gas;
    o->gas_added += gas - sub->gas_used;
    sub->gas_used = gas;
}

/* What the L1 says of block h's submission: its latest transaction, else one it replaced (the
 * same nonce: one of them lands at most). When a replaced one landed, it becomes the record's
 * hash (the raw bytes stay the latest's: the same call, nonce and sender). */
static int lookup_any(const struct tacit_settler *s, struct tacit__settle_sub *sub,
                      struct tacit_settle_receipt *r)
{
    int rc;
    memset(r, 0, sizeof *r);
    if ((rc = s->ops->lookup(s->ctx, sub->hash, sub->raw, sub->raw_len, r)) != TACIT_OK) return rc;
    for (unsigned i = 0; i < sub->nprev && r->state != TACIT_SETTLE_TX_INCLUDED &&
                         r->state != TACIT_SETTLE_TX_REVERTED;
         i++) {
        struct tacit_settle_receipt p;
        uint8_t t[32];
        memset(&p, 0, sizeof p);
        if ((rc = s->ops->lookup(s->ctx, sub->prev[i], sub->raw, sub->raw_len, &p)) != TACIT_OK)
            return rc;
        if (p.state != TACIT_SETTLE_TX_INCLUDED && p.state != TACIT_SETTLE_TX_REVERTED) continue;
        memcpy(t, sub->hash, 32);
        memcpy(sub->hash, sub->prev[i], 32);
        memcpy(sub->prev[i], t, 32);
        *r = p;
    }
    return TACIT_OK;
}

static void submitted_past(struct tacit__settle_heads *heads, uint64_t h)
{
    if (heads->submitted < h + 1) heads->submitted = h + 1;
}

/* Block h's transaction pending since bump_after L1 blocks, and no earlier one pending but
 * those bumped in this step: replaced with higher fees (the replacement's record synced
 * before it is sent). */
static int bump(struct tacit_state *st, const struct tacit_settler *s,
                const struct tacit__settle_in *in, struct tacit__settle_heads *heads, uint64_t h,
                struct tacit__settle_sub *sub, struct tacit__settle_out *o, bool refused)
{
    uint8_t hash[32], *raw = NULL;
    size_t len = 0;
    int rc;
    if (refused) {
        /* the L1 node refused it as underpriced (the base fee rose past its max fee): repriced
         * at the market once the L1 has a new block (the market is read from the head) */
        if (s->ops->bump == NULL || sub->nprev >= TACIT__SUB_PREV_MAX) return TACIT_EL1_UNDERPRICED;
        if (o->l1.latest <= sub->sent_l1) return TACIT_OK;
    } else if (s->ops->bump == NULL || in->bump_after == 0 || sub->state != TACIT__SUB_SENT ||
               o->pending_before || /* it waits for an earlier nonce, not for its fees */
               o->l1.latest < sub->sent_l1 + in->bump_after || sub->nprev >= TACIT__SUB_PREV_MAX) {
        return TACIT_OK;
    }
    rc = s->ops->bump(s->ctx, sub->raw, sub->raw_len, hash, &raw, &len);
    if (rc == TACIT_EL1_FEE_CAP) { /* at the cap: it waits, asked again bump_after blocks on */
        tacit_log(TACIT_LOG_WARN, "settle",
                  "block %" PRIu64 ": its L1 transaction is pending since L1 block %" PRIu64
                  " and the fee cap leaves no room to bump it",
                  h, sub->sent_l1);
        o->fee_capped++;
        sub->sent_l1 = o->l1.latest;
        return save(st, h, sub, NULL);
    }
    if (rc != TACIT_OK) return rc;
    memcpy(sub->prev[sub->nprev++], sub->hash, 32);
    memcpy(sub->hash, hash, 32);
    free(sub->raw);
    sub->raw = raw;
    sub->raw_len = len;
    sub->sent_l1 = o->l1.latest;
    sub->state = TACIT__SUB_PREPARED; /* the intent first, as for a new submission */
    if ((rc = save(st, h, sub, NULL)) != TACIT_OK) return rc;
    rc = s->ops->send(s->ctx, sub->raw, sub->raw_len);
    /* nonce too low: the one it replaces was mined meanwhile (the next lookup finds it);
     * underpriced still: repriced again at the next L1 block */
    if (rc == TACIT_EL1_NONCE_TOO_LOW || rc == TACIT_EL1_UNDERPRICED) return TACIT_OK;
    if (rc != TACIT_OK) return rc; /* PREPARED: the next step looks it up, sends it again */
    tacit_log(TACIT_LOG_INFO, "settle",
              "block %" PRIu64 ": its L1 transaction replaced with higher fees (bump %u)", h,
              sub->nprev);
    sub->sends++;
    o->bumps++;
    sub->state = TACIT__SUB_SENT;
    submitted_past(heads, h); /* a refused one is submitted only now */
    return save(st, h, sub, heads);
}

/* Block h's record is there (h >= heads->settled): ask the L1 about it, record what it says,
 * send it again when the L1 lost it, bump its fees when it is pending too long. *stop: a
 * revert (a halt), or its nonce went to another transaction (sub->state 0 when a new one may
 * be prepared: no later block is in flight; else a halt). */
static int follow(struct tacit_state *st, const struct tacit_settler *s,
                  const struct tacit__settle_in *in, struct tacit__settle_heads *heads, uint64_t h,
                  struct tacit__settle_sub *sub, struct tacit__settle_out *o, bool *stop)
{
    struct tacit_settle_receipt r;
    int rc;
    *stop = false;
    if ((rc = lookup_any(s, sub, &r)) != TACIT_OK) return rc;
    switch (r.state) {
    case TACIT_SETTLE_TX_INCLUDED:
        if ((rc = l1tip_note(st, &r)) != TACIT_OK) return rc;
        sub->state = TACIT__SUB_INCLUDED;
        sub->l1_block = r.block;
        submitted_past(heads, h);
        /* else: settles after the ones before; a part but the last: after its last part */
        if (heads->settled == h && sub->part + 1 >= sub->nparts) heads->settled = h + 1;
        gas_count(heads, sub, r.gas_used, o);
        return save(st, h, sub, heads);
    case TACIT_SETTLE_TX_REVERTED:
        sub->state = TACIT__SUB_REVERTED;
        sub->l1_block = r.block;
        gas_count(heads, sub, r.gas_used, o);
        memcpy(sub->reason, r.reason, sizeof sub->reason);
        sub->reason[sizeof sub->reason - 1] = '\0';
        if (sub->reason[0] == '\0') strcpy(sub->reason, "reverted (no reason given)");
        submitted_past(heads, h); /* it was submitted; it will never settle */
        halt(o, h, sub);
        *stop = true;
        return save(st, h, sub, heads);
    case TACIT_SETTLE_TX_PENDING:
        if (sub->state != TACIT__SUB_SENT || heads->submitted < h + 1) {
            /* sent before a crash (it is in), or back in the pool after an L1 reorg */
            sub->state = TACIT__SUB_SENT;
            submitted_past(heads, h);
            return save(st, h, sub, heads);
        }
        return bump(st, s, in, heads, h, sub, o, false);
    case TACIT_SETTLE_TX_UNKNOWN:
    default: break;
    }
    /* Not arrived, dropped, or never sent (a crash after the record): the same bytes again. */
    rc = s->ops->send(s->ctx, sub->raw, sub->raw_len);
    if (rc == TACIT_EL1_UNDERPRICED) return bump(st, s, in, heads, h, sub, o, true);
    if (rc == TACIT_EL1_NONCE_TOO_LOW) {
        /* Its nonce is used: by this very transaction (mined meanwhile), or by another. */
        struct tacit__settle_sub later;
        if ((rc = lookup_any(s, sub, &r)) != TACIT_OK) return rc;
        if (r.state != TACIT_SETTLE_TX_UNKNOWN) return TACIT_OK; /* the next step follows it */
        *stop = true;
        rc = tacit__settle_sub_load(st, h + 1, &later);
        tacit__settle_sub_clear(&later);
        if (rc == TACIT_OK) {
            /* the later blocks' transactions (the next nonces) would land before a new one
             * and revert: an operator's matter */
            struct tacit__settle_sub why;
            memset(&why, 0, sizeof why);
            snprintf(why.reason, sizeof why.reason,
                     "its L1 transaction's nonce went to another transaction while later blocks "
                     "were in flight (the submitter's key used elsewhere?)");
            halt(o, h, &why);
            return TACIT_OK;
        }
        if (rc != TACIT_ENOTFOUND) return rc;
        tacit_log(TACIT_LOG_WARN, "settle",
                  "block %" PRIu64 ": its L1 transaction's nonce went to another transaction; "
                  "preparing a new one",
                  h);
        heads->submitted = h;
        tacit__settle_sub_clear(sub);
        sub->state = 0; /* the caller prepares again */
        return save(st, h, NULL, heads);
    }
    if (rc != TACIT_OK) return rc;
    sub->sends++;
    if (sub->sends > 1) o->resends++;
    sub->state = TACIT__SUB_SENT;
    submitted_past(heads, h);
    return save(st, h, sub, heads);
}

/* Prepares block h's transaction (parent: the hash chain after block h - 1 while that one is in
 * flight, else NULL; a block in parts: part `part` of nparts, nparts 0 when not planned yet),
 * records it, sends it. *busy: the settler cannot prepare it yet. */
static int submit(struct tacit_state *st, const struct tacit_settler *s,
                  struct tacit__settle_heads *heads, uint64_t h, const uint8_t *parent,
                  uint32_t part, uint32_t nparts, struct tacit__settle_out *o, bool *busy)
{
    struct tacit_settle_submission sm;
    struct tacit_tree_frontier frontier;
    struct tacit__settle_sub sub;
    uint8_t *bytes = NULL;
    size_t len;
    char reason[TACIT_SETTLE_REASON_MAX] = "";
    struct tacit_settle_heads now;
    double t0, t1;
    int rc;
    *busy = false;
    memset(&sub, 0, sizeof sub);
    if ((rc = tacit_state_block_by_height(st, h, NULL, &bytes, &len)) != TACIT_OK) return rc;
    /* the note tree before the block: the settler proves the block's tree update from it */
    if (h == 0)
        tacit_tree_frontier_init(&frontier);
    else if ((rc = tacit_state_frontier(st, h - 1, &frontier)) != TACIT_OK) {
        free(bytes);
        return rc;
    }
    memset(&sm, 0, sizeof sm);
    sm.height = h;
    sm.block = bytes;
    sm.block_len = len;
    sm.frontier = &frontier;
    sm.parent = parent;
    sm.chain_out = sub.chain;
    if (nparts == 0 && s->ops->plan != NULL &&
        (rc = s->ops->plan(s->ctx, &sm, &nparts)) != TACIT_OK) {
        free(bytes);
        return rc;
    }
    if (nparts > 1) {
        /* a block in parts: only behind settled blocks (the contract read at the head) */
        if (parent != NULL) {
            free(bytes);
            *busy = true;
            return TACIT_OK;
        }
        sm.part = sub.part = part;
        sm.nparts = sub.nparts = nparts;
        sm.chain_out = NULL;
    }
    t0 = tacit__mono_s();
    rc = s->ops->prepare(s->ctx, &sm, sub.hash, &sub.raw, &sub.raw_len, reason);
    free(bytes);
    if (rc == TACIT_EBUSY) { /* not yet (the contract behind, an estimate behind a lost one) */
        *busy = true;
        return TACIT_OK;
    }
    if (rc == TACIT_EL1_REVERTED) {
        /* the contract would refuse it: a halt like a mined revert's, but nothing was sent or
         * recorded (a restart tries again: the estimate may have met a passing L1 state) */
        tacit__settle_sub_clear(&sub);
        reason[sizeof reason - 1] = '\0';
        snprintf(sub.reason, sizeof sub.reason, "its gas estimate reverted: %.200s",
                 reason[0] ? reason : "no reason given");
        halt(o, h, &sub);
        return TACIT_OK;
    }
    if (rc == TACIT_ETOOBIG) {
        /* its estimate is above what one L1 transaction may use: halted the same way */
        tacit__settle_sub_clear(&sub);
        snprintf(sub.reason, sizeof sub.reason,
                 "its gas estimate is above one L1 transaction's limit (EIP-7825): lower "
                 "l1_part_gas");
        halt(o, h, &sub);
        return TACIT_OK;
    }
    if (rc != TACIT_OK) return rc;
    t1 = tacit__mono_s();
    for (int i = 0; i < 32; i++) sub.has_chain |= sub.chain[i] != 0;
    /* proving took time: the head it is sent at, for its fee bump (the step's one if the L1
     * does not answer: it is asked again at the next look-up anyway) */
    if (s->ops->heads(s->ctx, &now) == TACIT_OK && now.latest > o->l1.latest) o->l1 = now;
    sub.sent_l1 = o->l1.latest;
    /* The intent first: after a crash from here on, the record says which transaction it was. */
    sub.state = TACIT__SUB_PREPARED;
    if ((rc = save(st, h, &sub, NULL)) != TACIT_OK) goto out;
    o->prepared++;
    if (nparts > 1)
        tacit_log(TACIT_LOG_INFO, "settle", "block %" PRIu64 ": part %u of %u prepared", h,
                  (unsigned)part + 1, (unsigned)nparts);
    rc = s->ops->send(s->ctx, sub.raw, sub.raw_len);
    if (rc == TACIT_EL1_UNDERPRICED) { /* the base fee rose past it: the next step reprices it */
        rc = TACIT_OK;
        goto out;
    }
    if (rc != TACIT_OK) goto out; /* the next step asks the L1 about it first */
    sub.sends = 1;
    sub.state = TACIT__SUB_SENT;
    submitted_past(heads, h);
    rc = save(st, h, &sub, heads);
    tacit_log(TACIT_LOG_DEBUG, "settle",
              "block %" PRIu64 ": prepared in %.0f ms (its tree update proved), sent %.0f ms "
              "later, behind %" PRIu64 " in flight, L1 head %" PRIu64,
              h, (t1 - t0) * 1e3, (tacit__mono_s() - t1) * 1e3, h - heads->settled, o->l1.latest);
out:
    tacit__settle_sub_clear(&sub);
    return rc;
}

#define QUEUE_CHECK_MAX 64  /* credited entries in L1 blocks not final, checked per step */
#define QUEUE_SKIP_MAX 4096 /* final ones passed over per step (after a restart, a rollback) */

/*
 * The queue entries the committed blocks credited, against the L1 (SETTLEMENT.md 9): each one
 * whose L1 block is not final yet (QUEUE_CHECK_MAX per step, from the "cfinal" record on, the
 * first such one) has its L1 block's hash compared with the canonical block of that number
 * (one query per distinct block). A block no longer canonical: the contract's queueHash through
 * the entry tells whether it is still queued (a reorg moved it: it is anchored at the L1 head
 * now, checked again until that is final) or gone, or changed (o->queue_removed: the first
 * such entry; the caller rolls back and nothing is submitted in this step).
 */
static int queue_check(struct tacit_state *st, const struct tacit_settler *s,
                       struct tacit__settle_out *o)
{
    uint64_t from = 0, i, cached = UINT64_MAX;
    uint8_t *v, cached_hash[32], head_hash[32];
    bool cached_ok = false, head_known = false, contiguous = true;
    unsigned checked = 0, skipped = 0;
    size_t len;
    int rc;

    if (s->ops->block_hash == NULL || s->ops->queue_hash == NULL) return TACIT_OK;
    rc = tacit_state_settle_get(st, (const uint8_t *)"cfinal", 6, &v, &len);
    if (rc == TACIT_OK) {
        if (len == 8) from = get64(v);
        free(v);
    } else if (rc != TACIT_ENOTFOUND) {
        return rc;
    }
    rc = TACIT_OK;
    for (i = from; checked < QUEUE_CHECK_MAX && skipped < QUEUE_SKIP_MAX; i++) {
        struct crec c;
        uint8_t qh[32];
        bool same;
        if ((rc = crec_load(st, i, &c)) == TACIT_ENOTFOUND) {
            rc = TACIT_OK;
            break;
        }
        if (rc != TACIT_OK) return rc;
        if (c.l1_block <= o->l1.finalized) {
            if (contiguous) from = i + 1;
            skipped++;
            continue;
        }
        contiguous = false;
        checked++;
        if (c.l1_block != cached && !zero32(c.l1_hash)) {
            rc = s->ops->block_hash(s->ctx, c.l1_block, cached_hash);
            if (rc != TACIT_OK && rc != TACIT_ENOTFOUND) return rc;
            cached_ok = rc == TACIT_OK; /* ENOTFOUND: the L1 is shorter than that now */
            cached = c.l1_block;
            rc = TACIT_OK;
        }
        same = !zero32(c.l1_hash) && cached_ok && memcmp(cached_hash, c.l1_hash, 32) == 0;
        if (same) continue;
        /* its block is not canonical (or unknown): is it still in the contract's queue? */
        if ((rc = s->ops->queue_hash(s->ctx, i + 1, qh)) != TACIT_OK) return rc;
        if (memcmp(qh, c.queue_hash, 32) == 0) {
            uint8_t val[CREC_LEN], key[9];
            struct tacit_state_kv kv = {key, 9, val, CREC_LEN};
            if (!head_known) {
                if ((rc = s->ops->block_hash(s->ctx, o->l1.latest, head_hash)) != TACIT_OK)
                    return rc;
                head_known = true;
            }
            c.l1_block = o->l1.latest;
            memcpy(c.l1_hash, head_hash, 32);
            crec_encode(val, &c);
            hkey(key, 'c', i);
            if ((rc = tacit_state_settle_put(st, &kv, 1)) != TACIT_OK) return rc;
            o->queue_moved++;
            continue;
        }
        o->queue_removed = true;
        o->removed_index = i;
        o->rollback_height = c.height;
        break;
    }
    if (skipped > 0) {
        uint8_t val[8];
        struct tacit_state_kv kv = {(const uint8_t *)"cfinal", 6, val, 8};
        put64(val, from);
        rc = tacit_state_settle_put(st, &kv, 1);
    }
    return rc;
}

/* Settled blocks not final yet: final once their L1 block is; back to submitted if an L1 reorg
 * took their transaction out. They are asked about when the L1 finalizes past them, or at
 * once when the L1 block of the newest receipt ("l1tip") is no longer canonical (a reorg):
 * then every one of them is looked up (SETTLE_RECHECK_MAX at most). */
static int recheck(struct tacit_state *st, const struct tacit_settler *s,
                   struct tacit__settle_heads *heads, const struct tacit_settle_heads *l1,
                   struct tacit__settle_out *o)
{
    uint64_t end = heads->settled, tip_block, newest = 0;
    uint8_t tip_hash[32], newest_hash[32];
    bool suspect = false;
    int rc = TACIT_OK;
    if (s->ops->block_hash != NULL && heads->finalized < end) {
        if ((rc = l1tip_load(st, &tip_block, tip_hash)) != TACIT_OK) return rc;
        if (tip_block > l1->finalized) {
            uint8_t now[32];
            rc = s->ops->block_hash(s->ctx, tip_block, now);
            if (rc != TACIT_OK && rc != TACIT_ENOTFOUND) return rc;
            suspect = rc == TACIT_ENOTFOUND || memcmp(now, tip_hash, 32) != 0;
            rc = TACIT_OK;
        }
    }
    for (uint64_t h = heads->finalized; h < end && h < heads->finalized + SETTLE_RECHECK_MAX;) {
        struct tacit__settle_sub sub;
        struct tacit_settle_receipt r;
        if ((rc = tacit__settle_sub_load(st, h, &sub)) != TACIT_OK)
            return rc == TACIT_ENOTFOUND ? TACIT_ECORRUPT : rc;
        memset(&r, 0, sizeof r);
        if ((sub.l1_block > l1->finalized && !suspect) ||
            (rc = s->ops->lookup(s->ctx, sub.hash, sub.raw, sub.raw_len, &r)) != TACIT_OK) {
            tacit__settle_sub_clear(&sub);
            return rc; /* not final yet (nor any later block): OK */
        }
        if (r.state == TACIT_SETTLE_TX_INCLUDED && r.block <= l1->finalized) {
            /* final: its raw transaction is not needed any more */
            sub.l1_block = r.block;
            tacit__settle_sub_clear(&sub);
            heads->finalized = h + 1;
            if ((rc = save(st, h, &sub, heads)) != TACIT_OK) return rc;
            h++;
            continue;
        }
        if (r.state == TACIT_SETTLE_TX_INCLUDED) { /* moved to a later block by a reorg */
            if (r.block != sub.l1_block) {
                sub.l1_block = r.block;
                rc = save(st, h, &sub, NULL);
            }
            tacit__settle_sub_clear(&sub);
            if (rc != TACIT_OK || !suspect) return rc;
            if (r.block >= newest && !zero32(r.block_hash)) {
                newest = r.block;
                memcpy(newest_hash, r.block_hash, 32);
            }
            h++;
            continue;
        }
        /* An L1 reorg took it out (or made it fail): block h and the later ones are not
         * settled any more; the in-flight logic takes it from there. */
        tacit_log(TACIT_LOG_WARN, "settle",
                  "block %" PRIu64 ": its L1 transaction left L1 block %" PRIu64
                  " (an L1 reorg): submitted again",
                  h, sub.l1_block);
        o->reorgs++;
        heads->settled = h;
        submitted_past(heads, h);
        sub.state = TACIT__SUB_SENT;
        rc = save(st, h, &sub, heads);
        tacit__settle_sub_clear(&sub);
        /* the in-flight logic notes the receipts again */
        if (rc == TACIT_OK && suspect) {
            memset(newest_hash, 0, 32);
            rc = l1tip_save(st, 0, newest_hash);
        }
        return rc;
    }
    /* every settled one still in: the newest receipt's block is the one to watch now */
    if (rc == TACIT_OK && suspect) {
        memset(newest_hash, 0, 32);
        if (newest > 0 && (rc = s->ops->block_hash(s->ctx, newest, newest_hash)) != TACIT_OK)
            return rc == TACIT_ENOTFOUND ? TACIT_OK : rc;
        rc = l1tip_save(st, newest, newest_hash);
    }
    return rc;
}

int tacit__settle_step(struct tacit_state *st, const struct tacit_settler *s,
                       const struct tacit__settle_in *in, struct tacit__settle_out *o)
{
    struct tacit__settle_heads heads;
    struct tacit_state_tip tip;
    struct tacit__settle_sub sub;
    int rc;

    memset(o, 0, sizeof *o);
    memset(&sub, 0, sizeof sub);
    if ((rc = tacit__settle_heads_load(st, &heads)) != TACIT_OK) goto out;
    o->heads = heads;
    if ((rc = s->ops->heads(s->ctx, &o->l1)) != TACIT_OK) goto out;
    o->l1_known = true;

    if (in->watch) {
        /* a follower's chain: the blocks it holds up to the contract's height are the
         * contract's (derived from L1, or its own that settled); its submitter starts there
         * when it sequences (blocks above it: its own the contract does not hold, dropped by
         * settle.c) */
        uint64_t h;
        if (s->ops->is_open == NULL) {
            rc = TACIT_EINVAL;
            goto out;
        }
        if ((rc = s->ops->is_open(s->ctx, &o->open, &o->contract_height)) != TACIT_OK) goto out;
        o->open_known = true;
        if ((rc = tacit_state_tip(st, &tip)) != TACIT_OK) goto out;
        h = tip.next_height < o->contract_height ? tip.next_height : o->contract_height;
        if (heads.submitted != h || heads.settled != h || heads.finalized != h) {
            heads.submitted = heads.settled = heads.finalized = h;
            if ((rc = save(st, 0, NULL, &heads)) != TACIT_OK) goto out;
        }
        goto out;
    }

    /* The L1 queue's entries confirmed C times: l1_block + C <= latest. */
    if (in->fetch_max > 0 && in->fetch_out != NULL && o->l1.latest >= in->confirmations) {
        rc = s->ops->messages(s->ctx, in->fetch_from, o->l1.latest - in->confirmations,
                              in->fetch_out, in->fetch_max, &o->nfetched);
        if (rc != TACIT_OK) goto out;
        if (o->nfetched > in->fetch_max) o->nfetched = in->fetch_max;
        for (size_t i = 0; i < o->nfetched; i++)
            if (in->fetch_out[i].index != in->fetch_from + i) {
                o->nfetched = i; /* out of order: the rest next time */
                break;
            }
    }

    /* a credited deposit an L1 reorg removed: nothing is followed or submitted on top of it
     * (the tip first: a block the block lane commits meanwhile, with its entries, waits for
     * the next step's check) */
    if ((rc = tacit_state_tip(st, &tip)) != TACIT_OK) goto out;
    if ((rc = queue_check(st, s, o)) != TACIT_OK || o->queue_removed) goto out;
    if (in->nonce_reset && s->ops->nonce_reset != NULL) s->ops->nonce_reset(s->ctx);
    if ((rc = recheck(st, s, &heads, &o->l1, o)) != TACIT_OK) goto out;

    /* The blocks in flight, in height (and nonce) order: each recorded one from heads.settled
     * on is followed (its receipt may come before an earlier block's: it settles when they
     * have); then new ones are submitted behind them, max_inflight at most between
     * heads.settled and the first block without a record. */
    {
        uint64_t h = heads.settled, cap = in->max_inflight > 0 ? in->max_inflight : 1;
        bool stop = false, busy = false, have_prev = false;
        uint8_t prev_chain[32];
        uint32_t part = 0, nparts = 0; /* the first submit's: a block in parts again */
        for (; rc == TACIT_OK && h < tip.next_height; h++) {
            tacit__settle_sub_clear(&sub);
            rc = tacit__settle_sub_load(st, h, &sub);
            if (rc == TACIT_ENOTFOUND) {
                rc = TACIT_OK;
                break;
            }
            if (rc != TACIT_OK) break;
            if (sub.state == TACIT__SUB_REVERTED) {
                halt(o, h, &sub);
                stop = true;
                break;
            }
            unsigned bumps = o->bumps;
            if ((rc = follow(st, s, in, &heads, h, &sub, o, &stop)) != TACIT_OK || stop) break;
            /* the next ones wait for this one's nonce: a bump of theirs is for nothing, unless
             * this one was bumped now (the fees were short: theirs are too) */
            if (sub.state != TACIT__SUB_INCLUDED && o->bumps == bumps) o->pending_before = true;
            if (sub.state == TACIT__SUB_PREPARED) busy = true; /* unsent: nothing behind it */
            if (sub.nparts > 1 && heads.settled <= h) {
                /* a block in parts, not all in: its next part once this one is; nothing else */
                if (sub.state == TACIT__SUB_INCLUDED && !in->no_submit && !o->halted)
                    rc = submit(st, s, &heads, h, NULL, sub.part + 1, sub.nparts, o, &busy);
                stop = true;
                break;
            }
            have_prev = sub.has_chain;
            memcpy(prev_chain, sub.chain, 32);
        }
        if (rc == TACIT_OK && stop && sub.state == 0 && !o->halted && !in->no_submit) {
            /* its nonce went elsewhere, nothing after it in flight: a new transaction */
            stop = false;
            have_prev = false;
            part = sub.part;
            nparts = sub.nparts;
            if (h > heads.settled) {
                struct tacit__settle_sub before;
                if ((rc = tacit__settle_sub_load(st, h - 1, &before)) == TACIT_OK) {
                    have_prev = before.has_chain;
                    memcpy(prev_chain, before.chain, 32);
                }
                tacit__settle_sub_clear(&before);
            }
        }
        /* h: the first block without a record */
        while (rc == TACIT_OK && !stop && !busy && !in->no_submit && !o->halted &&
               h < tip.next_height && h - heads.settled < cap) {
            if (h > heads.settled && !have_prev) break; /* the block before's chain unknown */
            rc = submit(st, s, &heads, h, h > heads.settled ? prev_chain : NULL, part, nparts, o,
                        &busy);
            part = nparts = 0;
            if (rc != TACIT_OK || busy || o->halted) break;
            tacit__settle_sub_clear(&sub);
            if ((rc = tacit__settle_sub_load(st, h, &sub)) != TACIT_OK) break;
            if (sub.state != TACIT__SUB_SENT) break; /* sent? the next step asks */
            have_prev = sub.has_chain;
            memcpy(prev_chain, sub.chain, 32);
            h++;
        }
    }
    /* after the blocks in flight were followed: a height past the settled head is then
     * another submitter's block */
    if (rc == TACIT_OK && in->ask_open && s->ops->is_open != NULL) {
        rc = s->ops->is_open(s->ctx, &o->open, &o->contract_height);
        o->open_known = rc == TACIT_OK;
    }
out:
    tacit__settle_sub_clear(&sub);
    if (tacit__settle_heads_load(st, &o->heads) != TACIT_OK) o->heads = heads;
    o->rc = rc;
    return rc;
}

/* The status of block `height` (< the tip) by the heads: they move in height order. */
const char *tacit__settle_status(const struct tacit_node *n, uint64_t height)
{
    const struct tacit__settle_heads *h = &n->settle.heads;
    if (height < h->finalized) return "finalized";
    if (height < h->settled) return "settled";
    if (height < h->submitted) {
        if (n->settle.halted && height == n->settle.halt_height) return "reverted";
        return "submitted";
    }
    return "sequenced";
}

/* ------------------------------------------------------------ a rollback ---- */

struct records_copy {
    uint64_t height;
    struct tacit_state_kv *kv;
    size_t n, cap;
    int rc;
};

/* The records a chain of blocks 0 .. height - 1 keeps: every one of a block below height (and
 * "c" records of entries credited below it), the heads no further than height, the rest. */
static int records_pick(void *ud, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct records_copy *c = ud;
    uint8_t *k, *v;
    uint8_t heads[32];
    if (klen == 9 && (key[0] == 's' || key[0] == 'p' || key[0] == 'q') &&
        get64(key + 1) >= c->height)
        return TACIT_OK;
    if (klen == 9 && key[0] == 'c' && vlen >= 8 && get64(val + vlen - 8) >= c->height)
        return TACIT_OK;
    if (klen == 6 && memcmp(key, "cfinal", 6) == 0) return TACIT_OK; /* found again from 0 */
    if (klen == 5 && memcmp(key, "heads", 5) == 0 && vlen == 32) {
        struct tacit__settle_heads h = {get64(val), get64(val + 8), get64(val + 16),
                                        get64(val + 24)};
        if (h.submitted > c->height) h.submitted = c->height;
        if (h.settled > c->height) h.settled = c->height;
        if (h.finalized > c->height) h.finalized = c->height;
        heads_encode(heads, &h);
        val = heads;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        struct tacit_state_kv *kv = realloc(c->kv, cap * sizeof *kv);
        if (kv == NULL) return TACIT_ENOMEM;
        c->kv = kv;
        c->cap = cap;
    }
    if ((k = malloc(klen)) == NULL) return TACIT_ENOMEM;
    if ((v = malloc(vlen ? vlen : 1)) == NULL) {
        free(k);
        return TACIT_ENOMEM;
    }
    memcpy(k, key, klen);
    if (vlen) memcpy(v, val, vlen);
    c->kv[c->n++] = (struct tacit_state_kv){k, klen, v, vlen};
    return TACIT_OK;
}

int tacit__settle_records_copy(struct tacit_state *from, struct tacit_state *to, uint64_t height)
{
    struct records_copy c;
    int rc;
    memset(&c, 0, sizeof c);
    c.height = height;
    rc = tacit_state_settle_each(from, records_pick, &c);
    for (size_t i = 0; rc == TACIT_OK && i < c.n; i += 1024)
        rc = tacit_state_settle_put(to, c.kv + i, c.n - i < 1024 ? c.n - i : 1024);
    for (size_t i = 0; i < c.n; i++) {
        free((void *)c.kv[i].key);
        free((void *)c.kv[i].val);
    }
    free(c.kv);
    return rc;
}
