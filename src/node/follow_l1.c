/*
 * tacit — the L1 side of a follower (docs/operations.md, "Followers"): `tacitd --follow-l1`
 * rebuilds the chain from the rollup contract alone; `tacitd --follow URL` with --l1-rpc and
 * --l1-rollup follows the sequencer's RPC and checks every block the contract settled against
 * what it applied, following L1 alone once they disagree.
 *
 * A step on the follow lane (the RPC follower's lane: one writer of the store at a time) asks
 * the L1 for its head, checks that the L1 block the last recorded L2 block was found in is
 * still on the canonical chain (an L1 reorg otherwise: the records above the fork are dropped,
 * and an L1-only follower rolls its chain back to the fork), then reads the contract's blocks
 * (tacit_rollup_reader_scan) from there up to head - l1_confirmations: a block at the store's
 * next height is applied with tacit_block_apply (every rule and proof re-verified), a block the
 * store has already is compared by hash. Each L2 block found on L1 is recorded with its L1
 * block (settlement records "l1o" + height: L1 number, L1 hash, L2 hash, L1 transaction;
 * "l1last" the highest), so a restart, a kill -9 included, goes on from the records.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/util.h"

#define FL1_BATCH 64     /* L2 blocks per step at most */
#define FL1_IDLE_MS 500u /* the next step when nothing new came */
#define FL1_BACKOFF_MAX_MS 10000u
#define REC_LEN (8 + 32 + 32 + 32)

/* ------------------------------------------------------------ records ---- */

struct rec {
    uint64_t l1_block;
    uint8_t l1_hash[32], l2_hash[32], l1_tx[32];
};

static void rec_key(uint8_t key[11], uint64_t h)
{
    memcpy(key, "l1o", 3);
    for (int i = 0; i < 8; i++) key[3 + i] = (uint8_t)(h >> (56 - 8 * i));
}

static void u64be(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_u64be(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

/* The highest recorded height (*have false: none). */
static int last_get(struct tacit_state *st, bool *have, uint64_t *h)
{
    uint8_t *v = NULL;
    size_t len = 0;
    int rc = tacit_state_settle_get(st, (const uint8_t *)"l1last", 6, &v, &len);
    *have = false;
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc == TACIT_OK && len == 9 && v[0] == 1) {
        *have = true;
        *h = get_u64be(v + 1);
    }
    free(v);
    return rc;
}

/* The record of height h, valid only when the store's block h is the one it names. */
static int rec_get(struct tacit_state *st, uint64_t h, struct rec *r, bool *have)
{
    uint8_t key[11], *v = NULL, hash[32];
    size_t len = 0;
    int rc;
    *have = false;
    rec_key(key, h);
    rc = tacit_state_settle_get(st, key, sizeof key, &v, &len);
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) return rc;
    if (len == REC_LEN) {
        r->l1_block = get_u64be(v);
        memcpy(r->l1_hash, v + 8, 32);
        memcpy(r->l2_hash, v + 40, 32);
        memcpy(r->l1_tx, v + 72, 32);
        rc = tacit_state_block_by_height(st, h, hash, NULL, NULL);
        if (rc == TACIT_OK)
            *have = memcmp(hash, r->l2_hash, 32) == 0;
        else if (rc == TACIT_ENOTFOUND)
            rc = TACIT_OK;
    }
    free(v);
    return rc;
}

/* Writes the record of h and l1last = h (one write transaction). */
static int rec_put(struct tacit_state *st, uint64_t h, const struct rec *r)
{
    uint8_t key[11], val[REC_LEN], last[9];
    struct tacit_state_kv kv[2];
    rec_key(key, h);
    u64be(val, r->l1_block);
    memcpy(val + 8, r->l1_hash, 32);
    memcpy(val + 40, r->l2_hash, 32);
    memcpy(val + 72, r->l1_tx, 32);
    last[0] = 1;
    u64be(last + 1, h);
    kv[0] = (struct tacit_state_kv){key, sizeof key, val, sizeof val};
    kv[1] = (struct tacit_state_kv){(const uint8_t *)"l1last", 6, last, sizeof last};
    return tacit_state_settle_put(st, kv, 2);
}

/* l1last = h - 1 (none when h is 0): the records from h on no longer count. */
static int last_set_below(struct tacit_state *st, uint64_t h)
{
    uint8_t last[9];
    struct tacit_state_kv kv = {(const uint8_t *)"l1last", 6, last, sizeof last};
    memset(last, 0, sizeof last);
    if (h > 0) {
        last[0] = 1;
        u64be(last + 1, h - 1);
    }
    return tacit_state_settle_put(st, &kv, 1);
}

/* ------------------------------------------------------------- start-up ---- */

const char *tacit__follow_source(const struct tacit_node *n)
{
    static __thread char buf[80];
    char hex[43];
    if (n->cfg.follow != NULL && !n->fl1.disagreed) return n->cfg.follow;
    tacit_hex_encode(hex, n->params.rollup_id, 20);
    snprintf(buf, sizeof buf, "the contract %s on L1", hex);
    return buf;
}

bool tacit__follow_rpc_active(const struct tacit_node *n)
{
    return n->cfg.follow != NULL && !n->fl1.disagreed;
}

/* The L2 block 0 on L1 (any depth): its header's sequencer key. */
static int first_block_key(struct tacit_node *n, uint8_t key[32])
{
    struct tacit_rollup_derived d;
    struct tacit_block *b = NULL;
    uint64_t head, from = n->fl1.deploy_block, resume;
    char why[256];
    size_t got = 0;
    int rc;
    memset(&d, 0, sizeof d);
    if ((rc = tacit_rollup_reader_head(n->fl1.reader, &head)) != TACIT_OK) return rc;
    while (from <= head && got == 0) {
        rc = tacit_rollup_reader_scan(n->fl1.reader, from, head, 0, &d, 1, &got, &resume, why,
                                      sizeof why);
        if (rc != TACIT_OK) return rc;
        if (got == 0 && resume <= from) break;
        from = resume;
    }
    if (got == 0) return TACIT_ENOTFOUND;
    rc = tacit_block_decode(&b, d.block, d.block_len);
    if (rc == TACIT_OK) memcpy(key, b->header.sequencer, 32);
    tacit_block_free(b);
    tacit_rollup_derived_clear(&d);
    return rc;
}

int tacit__follow_l1_params(struct tacit_node *n)
{
    struct tacit_rollup_info info;
    uint8_t contract[20];
    char *path = NULL, *text = NULL;
    json_t *j = NULL;
    int rc;

    if (n->cfg.l1_rollup == NULL || strlen(n->cfg.l1_rollup) != 42 ||
        tacit_hex_decode(contract, 20, n->cfg.l1_rollup, true) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "--l1-rollup %s: not a contract address (0x + 40 hex digits)",
                  TACIT_LOG_S(n->cfg.l1_rollup ? n->cfg.l1_rollup : "(none)"));
        return TACIT_EINVAL;
    }
    if ((rc = tacit_rollup_reader_new(&n->fl1.reader, n->cfg.l1_rpc, contract, 0)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "--l1-rpc %s: not an L1 endpoint URL (http://HOST:PORT, or unix:/PATH)",
                  TACIT_LOG_S(n->cfg.l1_rpc));
        return rc;
    }
    if ((rc = tacit_rollup_reader_info(n->fl1.reader, &info)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "--l1-rpc %s, --l1-rollup %s: the contract's chainId(), deployBlock(), "
                  "sequencer(), feeRecipient(): %s",
                  TACIT_LOG_S(n->cfg.l1_rpc), TACIT_LOG_S(n->cfg.l1_rollup), tacit_strerror(rc));
        return rc;
    }
    if (n->cfg.chain_id != 0 && info.chain_id != n->cfg.chain_id) {
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "the contract %s settles chain 0x%" PRIx64 ", not --chain-id 0x%" PRIx64,
                  TACIT_LOG_S(n->cfg.l1_rollup), info.chain_id, n->cfg.chain_id);
        return TACIT_ESTATE_PARAMS;
    }
    /* protocol v2: the digests bind the L1's chain id and the contract (the rollup id); the
     * credits of blocks are the contract's queue (it checked them) */
    n->params.chain_id = info.chain_id;
    memcpy(n->params.rollup_id, contract, 20);
    n->params.tx_version = TACIT_TX_VERSION_L1;
    n->params.l1_chain_id = info.l1_chain_id;
    n->params.allow_credits = true;
    /* blocks of open submission (no key, no signature: docs/protocol.md 8) are the contract's
     * as much as the sequencer's */
    n->params.open_blocks = true;
    n->fl1.deploy_block = info.deploy_block;
    if (n->cfg.follow != NULL) return TACIT_OK; /* the key: the sequencer's (follow.c) */

    /* an L1 follower: the key and fee address recorded at the first start */
    n->params.min_fee = 0;
    if ((path = tacit_datadir_path(n->datadir, TACIT_DATADIR_CHAIN)) == NULL) return TACIT_ENOMEM;
    rc = tacit__datadir_read_file(path, &text, NULL, 4096);
    if (rc == TACIT_OK) {
        rc = tacit__follow_chain_read(n, path, text);
        goto out;
    }
    if (rc != TACIT_ENOENT) goto out;
    /* the first start: v2 blocks credit no fee on L2 (the contract pays it on L1): the
     * contract's fee recipient, for tacit_chainInfo */
    memcpy(n->params.fee_recipient, info.fee_recipient, 20);
    if (n->cfg.sequencer_key != NULL) {
        if (tacit_hex_decode(n->params.sequencer, 32, n->cfg.sequencer_key, true) != TACIT_OK) {
            tacit_log(TACIT_LOG_ERROR, "follow",
                      "--sequencer-key %s: not an x-only public key (0x + 64 hex digits)",
                      TACIT_LOG_S(n->cfg.sequencer_key));
            rc = TACIT_EINVAL;
            goto out;
        }
    } else if ((rc = first_block_key(n, n->params.sequencer)) != TACIT_OK) {
        /* the contract is the authority; the key of its first block is the chain's (a block 0
         * of open submission names no key: then --sequencer-key, docs/operations.md) */
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "first start: %s: start the L1 follower once the contract holds a block, or "
                  "give --sequencer-key",
                  rc == TACIT_ENOTFOUND ? "the contract has no block yet" : tacit_strerror(rc));
        goto out;
    }
    if ((rc = tacit__follow_marker_write(n)) == TACIT_OK) {
        char k[67];
        tacit_hex_encode(k, n->params.sequencer, 32);
        tacit_log(TACIT_LOG_INFO, "follow",
                  "first start: the chain on L1 (contract %s) is signed by %s (%s); recorded in %s",
                  TACIT_LOG_S(n->cfg.l1_rollup), k,
                  n->cfg.sequencer_key != NULL ? "--sequencer-key" : "block 0's header",
                  TACIT_LOG_S(path));
    }
out:
    json_decref(j);
    free(text);
    free(path);
    return rc;
}

/* ---------------------------------------------------------------- step ---- */

struct fl1_job {
    struct tacit__job job;
    struct tacit_node *n;
    struct tacit_chain_params params;
    uint32_t confirmations;
    bool rpc_active; /* the sequencer is followed: a block that differs is a disagreement */
    bool have_scan;
    uint64_t scan_from;
    /* out */
    int rc;
    char why[TACIT__FOLLOW_REASON_MAX];
    bool l1_known;
    uint64_t l1_head, l1_target;
    bool have_checked;
    uint64_t checked;
    bool halt, disagree, reorg, rollback;
    uint64_t reorg_keep, reorg_from; /* reorg: records from this height on dropped; read from */
    uint64_t at;                     /* disagree: the height; rollback: keep 0..at-1 */
    uint64_t first;
    size_t napplied, nmatched;
    json_t *json[FL1_BATCH];
    size_t ntxs[FL1_BATCH];
};

static bool store_error(int rc)
{
    return rc == TACIT_EDISK_FULL || rc == TACIT_ESTATE_IO || rc == TACIT_EMAP_FULL ||
           rc == TACIT_ENOMEM;
}

/* The highest valid record at or below both l1last and tip - 1. */
static int last_record(struct tacit_state *st, uint64_t next_height, bool *have, uint64_t *h,
                       struct rec *r)
{
    bool hl;
    uint64_t k;
    int rc;
    *have = false;
    if ((rc = last_get(st, &hl, &k)) != TACIT_OK || !hl || next_height == 0) return rc;
    if (k >= next_height) k = next_height - 1;
    for (;;) {
        bool ok;
        if ((rc = rec_get(st, k, r, &ok)) != TACIT_OK) return rc;
        if (ok) {
            *have = true;
            *h = k;
            return TACIT_OK;
        }
        if (k == 0) return TACIT_OK;
        k--;
    }
}

/* On the follow lane. */
/* The proofs of the next block to apply, checked on a thread of their own (on every core:
 * tacit_block_precheck), and its JSON for the readers made there, while the block before it is
 * applied. */
struct fl1_precheck {
    const tacit_groth16_pvk *pvk;
    const uint8_t *bytes;
    size_t len;
    size_t index; /* of d[] */
    struct tacit_block_prechecked *pc;
    json_t *json; /* with pc */
    uv_thread_t thread;
    bool running;
};

static void fl1_precheck_main(void *arg)
{
    struct fl1_precheck *p = arg;
    if (tacit_block_precheck(&p->pc, p->bytes, p->len, p->pvk) != TACIT_OK) p->pc = NULL;
    p->json = p->pc != NULL ? tacit__block_json_decoded(tacit_block_prechecked_block(p->pc)) : NULL;
}

static void fl1_precheck_start(struct fl1_precheck *p, const struct tacit_rollup_derived *d,
                               size_t index)
{
    p->bytes = d->block;
    p->len = d->block_len;
    p->index = index;
    p->pc = NULL;
    p->json = NULL;
    p->running = uv_thread_create(&p->thread, fl1_precheck_main, p) == 0;
}

/* The precheck of d[index] when one ran, and its JSON (else NULL: tacit_block_apply checks the
 * proofs). */
static struct tacit_block_prechecked *fl1_precheck_take(struct fl1_precheck *p, size_t index,
                                                        json_t **json)
{
    struct tacit_block_prechecked *pc;
    *json = NULL;
    if (!p->running) return NULL;
    uv_thread_join(&p->thread);
    p->running = false;
    pc = p->pc;
    p->pc = NULL;
    if (p->index == index) {
        *json = p->json;
        p->json = NULL;
        return pc;
    }
    tacit_block_prechecked_free(pc);
    json_decref(p->json);
    p->json = NULL;
    return NULL;
}

static void fl1_work(struct tacit__job *job)
{
    struct fl1_job *j = (struct fl1_job *)job;
    struct tacit_node *n = j->n;
    struct tacit_rollup_reader *rd = n->fl1.reader;
    struct tacit_rollup_derived *d = NULL;
    struct tacit_state_tip tip;
    struct rec last;
    struct fl1_precheck pre = {.pvk = n->pvk};
    bool have_last;
    uint64_t last_h = 0, from, resume;
    size_t nd = 0;

    if ((j->rc = tacit_rollup_reader_head(rd, &j->l1_head)) != TACIT_OK) {
        snprintf(j->why, sizeof j->why, "the L1's head: %s", tacit_strerror(j->rc));
        return;
    }
    j->l1_known = true;
    j->l1_target = j->l1_head >= j->confirmations ? j->l1_head - j->confirmations : 0;
    if ((j->rc = tacit_state_tip(n->st, &tip)) != TACIT_OK ||
        (j->rc = last_record(n->st, tip.next_height, &have_last, &last_h, &last)) != TACIT_OK) {
        snprintf(j->why, sizeof j->why, "the store: %s", tacit_strerror(j->rc));
        return;
    }
    /* an L1 reorg: the L1 block of the last recorded L2 block is no more the canonical one */
    if (have_last) {
        uint8_t hash[32];
        uint64_t cached_n = UINT64_MAX, keep;
        bool canonical = false, gap = false;
        for (;;) {
            int rc = TACIT_OK;
            if (last.l1_block != cached_n) {
                rc = tacit_rollup_reader_block_hash(rd, last.l1_block, hash);
                cached_n = last.l1_block;
            }
            if (rc != TACIT_OK && rc != TACIT_ENOTFOUND) {
                j->rc = rc;
                snprintf(j->why, sizeof j->why, "L1 block %" PRIu64 ": %s", last.l1_block,
                         tacit_strerror(rc));
                return;
            }
            canonical = rc == TACIT_OK && memcmp(hash, last.l1_hash, 32) == 0;
            if (canonical) break;
            j->reorg = true;
            if (last_h == 0) break;
            bool ok;
            if ((j->rc = rec_get(n->st, last_h - 1, &last, &ok)) != TACIT_OK) return;
            if (!ok) { /* no record below (a crash between a block and its record) */
                gap = true;
                break;
            }
            last_h--;
        }
        if (j->reorg) {
            /* heights from keep on left L1; after a gap, everything is read again from the
             * contract's first block and compared */
            keep = canonical ? last_h + 1 : gap ? last_h : 0;
            if ((j->rc = last_set_below(n->st, keep)) != TACIT_OK) return;
            snprintf(j->why, sizeof j->why,
                     "an L1 reorg dropped the L1 blocks of L2 blocks %" PRIu64 " on", keep);
            j->scan_from = canonical ? last.l1_block : n->fl1.deploy_block;
            j->reorg_keep = keep;
            j->reorg_from = j->scan_from;
            j->have_scan = true;
            if (!j->rpc_active && keep < tip.next_height) { /* derived from L1: undone */
                j->rollback = true;
                j->at = keep;
            }
            have_last = canonical;
            if (j->rollback) return;
        }
    }
    if (have_last) {
        j->have_checked = true;
        j->checked = last_h;
    }
    from = j->have_scan ? j->scan_from : have_last ? last.l1_block : n->fl1.deploy_block;
    if (have_last && !j->have_scan) from = last.l1_block;
    if (from > j->l1_target) return;
    if ((d = calloc(FL1_BATCH, sizeof *d)) == NULL) {
        j->rc = TACIT_ENOMEM;
        return;
    }
    j->rc = tacit_rollup_reader_scan(rd, from, j->l1_target, have_last ? last_h + 1 : 0, d,
                                     FL1_BATCH, &nd, &resume, j->why, sizeof j->why);
    if (j->rc != TACIT_OK) {
        if (j->rc == TACIT_EENCODING) j->halt = true; /* not a block: the same next time */
        goto out;
    }
    j->have_scan = true;
    j->scan_from = resume;
    j->first = tip.next_height;
    for (size_t i = 0; i < nd; i++) {
        struct rec r;
        struct tacit_block *b = NULL;
        uint8_t stored[32];
        long bad = -1;
        int rc;
        r.l1_block = d[i].l1_block;
        memcpy(r.l1_hash, d[i].l1_hash, 32);
        memcpy(r.l1_tx, d[i].l1_tx, 32);
        if ((rc = tacit_block_decode(&b, d[i].block, d[i].block_len)) != TACIT_OK) {
            j->halt = true;
            snprintf(j->why, sizeof j->why,
                     "block %" PRIu64 " on L1 does not decode as a block: %s (%s)", d[i].height,
                     tacit_errname(rc), tacit_strerror(rc));
            break;
        }
        memcpy(r.l2_hash, b->hash, 32);
        tacit_block_free(b);
        if (d[i].height < tip.next_height) { /* the store has it: the same block? */
            if ((rc = tacit_state_block_by_height(n->st, d[i].height, stored, NULL, NULL)) !=
                TACIT_OK) {
                j->rc = rc;
                snprintf(j->why, sizeof j->why, "block %" PRIu64 ": %s", d[i].height,
                         tacit_strerror(rc));
                break;
            }
            if (memcmp(stored, r.l2_hash, 32) != 0) {
                char a[67], c[67];
                tacit_hex_encode(a, stored, 32);
                tacit_hex_encode(c, r.l2_hash, 32);
                j->at = d[i].height;
                if (j->rpc_active)
                    j->disagree = true;
                else
                    j->rollback = true;
                snprintf(j->why, sizeof j->why,
                         "block %" PRIu64 " is %s here (%s) and %s on L1 (L1 block %" PRIu64 ")",
                         d[i].height, a, j->rpc_active ? "from the sequencer" : "stored", c,
                         d[i].l1_block);
                break;
            }
            if ((j->rc = rec_put(n->st, d[i].height, &r)) != TACIT_OK) break;
            j->nmatched++;
        } else {
            json_t *json;
            struct tacit_block_prechecked *pc = fl1_precheck_take(&pre, i, &json);
            /* the next block's proofs meanwhile when it is the next height (applied next
             * unless this one fails; a block the store has is compared, not verified) */
            if (i + 1 < nd && d[i + 1].height == d[i].height + 1)
                fl1_precheck_start(&pre, &d[i + 1], i + 1);
            rc = pc != NULL ? tacit_block_apply_prechecked(n->st, pc, &j->params, n->pvk, &bad)
                            : tacit_block_apply(n->st, d[i].block, d[i].block_len, &j->params,
                                                n->pvk, &bad);
            tacit_block_prechecked_free(pc);
            if (rc != TACIT_OK) json_decref(json);
            if (store_error(rc)) {
                j->rc = rc;
                snprintf(j->why, sizeof j->why, "block %" PRIu64 " not committed: %s (%s)",
                         d[i].height, tacit_strerror(rc), tacit_errname(rc));
                break;
            }
            if (rc != TACIT_OK) {
                /* the contract accepted it, yet a rule the contract checks refuses it here
                 * (the header fields it does not check are claims: l1_derived): the two
                 * disagree, which is a bug of one of them */
                j->halt = true;
                j->at = d[i].height;
                if (bad >= 0)
                    snprintf(j->why, sizeof j->why,
                             "block %" PRIu64 " settled on L1 (L1 block %" PRIu64
                             ") breaks rule %s (%s) in tx %ld",
                             d[i].height, d[i].l1_block, tacit_errname(rc), tacit_strerror(rc),
                             bad);
                else
                    snprintf(j->why, sizeof j->why,
                             "block %" PRIu64 " settled on L1 (L1 block %" PRIu64
                             ") breaks rule %s (%s)",
                             d[i].height, d[i].l1_block, tacit_errname(rc), tacit_strerror(rc));
                break;
            }
            if (j->napplied < FL1_BATCH) {
                j->json[j->napplied] =
                    json != NULL ? json : tacit__block_json_from_bytes(d[i].block, d[i].block_len);
                json = NULL;
                j->ntxs[j->napplied] =
                    j->json[j->napplied] != NULL
                        ? json_array_size(json_object_get(j->json[j->napplied], "txs"))
                        : 0;
                j->napplied++;
            }
            json_decref(json); /* not taken */
            tip.next_height++;
            /* a crash between the block and its record: the next step compares it again */
            if ((j->rc = rec_put(n->st, d[i].height, &r)) != TACIT_OK) break;
        }
        j->have_checked = true;
        j->checked = d[i].height;
    }
    /* a precheck of a block not applied (an error above) */
    {
        json_t *unused;
        tacit_block_prechecked_free(fl1_precheck_take(&pre, SIZE_MAX, &unused));
    }
    /* stopped early: the next scan starts again where this one did */
    if (j->rc != TACIT_OK || j->halt || j->disagree || j->rollback) j->scan_from = from;
out:
    for (size_t i = 0; i < nd; i++) tacit_rollup_derived_clear(&d[i]);
    free(d);
}

static void fl1_on_timer(uv_timer_t *t);

static void fl1_schedule(struct tacit_node *n, uint64_t ms)
{
    if (n->fl1.timer_open && !n->stopping && !n->fl1.halted)
        uv_timer_start(&n->fl1.timer, fl1_on_timer, ms, 0);
}

static void do_rollback(struct tacit_node *n);

/* On the loop. */
static void fl1_done(struct tacit__job *job)
{
    struct fl1_job *j = (struct fl1_job *)job;
    struct tacit_node *n = j->n;
    struct tacit__follow_l1 *f = &n->fl1;
    uint64_t delay = 0;
    size_t ntxs = 0;

    f->inflight = false;
    f->have_scan = j->have_scan;
    f->scan_from = j->scan_from;
    if (j->l1_known) {
        f->l1_known = true;
        f->l1_head = j->l1_head;
        f->l1_target = j->l1_target;
    }
    if (j->have_checked) {
        f->have_checked = true;
        f->checked = j->checked;
    } else if (j->reorg) {
        f->have_checked = false;
    }
    for (size_t i = 0; i < j->napplied; i++) {
        ntxs += j->ntxs[i];
        tacit__batcher_followed(n, j->first + i, j->json[i], j->ntxs[i]);
        j->json[i] = NULL;
    }
    f->derived += j->napplied;
    /* --sequence-when-open keeps a mempool: what the blocks from L1 spent leaves it */
    if (j->napplied > 0 && n->cfg.sequence_when_open)
        (void)tacit_mempool_after_block(n->mp, NULL, 0, n->st, tacit__mempool_removed, n);
    f->matched += j->nmatched;
    if (j->napplied > 0)
        tacit_log(TACIT_LOG_INFO, "follow",
                  "L1: blocks %" PRIu64 " to %" PRIu64
                  " derived from the contract (%zu txs; L1 head %" PRIu64 ")",
                  j->first, j->first + j->napplied - 1, ntxs, j->l1_head);
    if (j->reorg) {
        f->reorgs++;
        tacit_log(TACIT_LOG_WARN, "follow",
                  "L1: an L1 reorg dropped the L1 blocks that blocks %" PRIu64
                  " on were found in: read again from L1 block %" PRIu64 "%s",
                  j->reorg_keep, j->reorg_from,
                  j->rollback ? ", the chain rolled back there" : " and compared");
    }
    if (j->disagree && !f->disagreed) {
        f->disagreed = true;
        f->switching = true;
        f->disagree_height = j->at;
        snprintf(f->disagree_reason, sizeof f->disagree_reason, "%s", j->why);
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "THE SEQUENCER DISAGREES WITH L1: %s. The sequencer at %s is no longer "
                  "followed; rolling back to block %" PRIu64 " and following L1 alone",
                  j->why, TACIT_LOG_S(n->cfg.follow), j->at);
        if (n->follow.timer_open) uv_timer_stop(&n->follow.timer);
        j->rollback = true;
    }
    if (j->rollback) {
        f->rollback_pending = true;
        f->rollback_to = j->at;
        if (!j->disagree && !j->reorg)
            tacit_log(TACIT_LOG_WARN, "follow", "L1: %s: rolling back to block %" PRIu64, j->why,
                      j->at);
    }
    if (j->halt) {
        f->halted = true;
        snprintf(f->halt_reason, sizeof f->halt_reason, "%s", j->why);
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "FOLLOWING L1 STOPPED: %s. Nothing of it was committed; the node keeps "
                  "serving its store",
                  j->why);
    } else if (j->rc != TACIT_OK) {
        f->failures++;
        if (store_error(j->rc)) n->store_failed = true;
        if (f->last_rc == TACIT_OK) tacit_log(TACIT_LOG_WARN, "follow", "L1: %s; retrying", j->why);
        f->backoff_ms = f->backoff_ms == 0 ? 500 : f->backoff_ms * 2;
        if (f->backoff_ms > FL1_BACKOFF_MAX_MS) f->backoff_ms = FL1_BACKOFF_MAX_MS;
        delay = f->backoff_ms;
    } else {
        if (f->last_rc != TACIT_OK) tacit_log(TACIT_LOG_INFO, "follow", "L1: answers again");
        f->backoff_ms = 0;
        if (j->napplied == 0 && j->nmatched == 0 && !j->rollback) delay = FL1_IDLE_MS;
    }
    f->last_rc = j->halt ? TACIT_OK : j->rc;
    for (size_t i = 0; i < j->napplied; i++) json_decref(j->json[i]);
    free(j);
    tacit__node_job_finished(n);
    if (f->rollback_pending)
        do_rollback(n);
    else
        fl1_schedule(n, delay);
}

static void fl1_on_timer(uv_timer_t *t)
{
    struct tacit_node *n = t->data;
    struct fl1_job *j;
    /* --sequence-when-open: paused while the node makes blocks (resumed by settle.c) */
    if (n->fl1.inflight || n->fl1.halted || n->fl1.rollback_pending ||
        tacit__node_store_closing(n) || tacit__settle_sequencing(n))
        return;
    if ((j = calloc(1, sizeof *j)) == NULL) {
        fl1_schedule(n, FL1_IDLE_MS);
        return;
    }
    j->job.work = fl1_work;
    j->job.done = fl1_done;
    j->n = n;
    j->params = n->params;
    j->params.min_fee = 0;
    /* the chain is what the contract accepted: the header fields it does not check are claims */
    j->params.l1_derived = true;
    j->confirmations = n->cfg.l1_confirmations;
    j->rpc_active = tacit__follow_rpc_active(n);
    j->have_scan = n->fl1.have_scan;
    j->scan_from = n->fl1.scan_from;
    n->fl1.inflight = true;
    tacit__lane_submit(n->follow.lane, &j->job);
}

/* ------------------------------------------------------------ rollback ---- */

/* Keeps blocks 0..rollback_to - 1 once no job uses the store (tacit__node_rollback, which
 * calls tacit__follow_l1_rolled_back when done), then follows L1 from there. */
static void do_rollback(struct tacit_node *n)
{
    struct tacit__follow_l1 *f = &n->fl1;
    char why[TACIT__FOLLOW_REASON_MAX + 64];
    if (!f->rollback_pending) return;
    snprintf(why, sizeof why, "follower: %s",
             f->switching ? f->disagree_reason : "blocks derived from L1 blocks that left it");
    tacit__node_rollback(n, f->rollback_to, why);
}

void tacit__follow_l1_rolled_back(struct tacit_node *n, int rc)
{
    struct tacit__follow_l1 *f = &n->fl1;
    if (!tacit__following_l1(n) || !f->rollback_pending) return;
    f->rollback_pending = false;
    if (rc == TACIT_OK)
        rc = last_set_below(n->st, f->rollback_to); /* the records from there on count no more */
    if (rc != TACIT_OK) {
        f->halted = true;
        snprintf(f->halt_reason, sizeof f->halt_reason,
                 "the rollback to block %" PRIu64 " failed: %s (%s)", f->rollback_to,
                 tacit_strerror(rc), tacit_errname(rc));
        tacit_log(TACIT_LOG_ERROR, "follow", "FOLLOWING L1 STOPPED: %s", f->halt_reason);
        return;
    }
    f->rollbacks++;
    /* the rollback put the dropped blocks' transactions back in the mempool: a follower makes
     * no blocks, they would stay "pending" here for ever (the chain, as L1 has it, says) */
    if (!n->cfg.sequence_when_open) /* it does, while submission is open: they wait there */
        (void)tacit_mempool_flush(n->mp, TACIT_EFLUSHED, NULL, NULL);
    f->have_scan = false; /* from the records again */
    if (f->have_checked && f->checked >= f->rollback_to) {
        f->have_checked = f->rollback_to > 0;
        f->checked = f->rollback_to > 0 ? f->rollback_to - 1 : 0;
    }
    if (f->switching) {
        f->switching = false;
        tacit_log(TACIT_LOG_WARN, "follow",
                  "rolled back to block %" PRIu64 ": following L1 alone from there (the "
                  "sequencer at %s disagreed)",
                  f->rollback_to, TACIT_LOG_S(n->cfg.follow));
    }
    fl1_schedule(n, 0);
    if (tacit__follow_rpc_active(n)) tacit__follow_poke(n);
}

/* ------------------------------------------------------------ life cycle ---- */

int tacit__follow_l1_init(struct tacit_node *n)
{
    if (!tacit__following_l1(n)) return TACIT_OK;
    uv_timer_init(&n->loop, &n->fl1.timer);
    n->fl1.timer.data = n;
    n->fl1.timer_open = true;
    return TACIT_OK;
}

void tacit__follow_l1_run(struct tacit_node *n)
{
    if (tacit__following_l1(n)) fl1_schedule(n, 0);
}

void tacit__follow_l1_resume(struct tacit_node *n)
{
    if (tacit__following_l1(n) && !n->fl1.inflight) fl1_schedule(n, 0);
}

static void close_cb_noop(uv_handle_t *h) { (void)h; }

void tacit__follow_l1_stop(struct tacit_node *n)
{
    if (n->fl1.timer_open) {
        uv_close((uv_handle_t *)&n->fl1.timer, close_cb_noop);
        n->fl1.timer_open = false;
    }
}

void tacit__follow_l1_free(struct tacit_node *n)
{
    tacit_rollup_reader_free(n->fl1.reader);
    n->fl1.reader = NULL;
}

/* ---------------------------------------------------------------- reads ---- */

static json_t *height_or_null(bool have, uint64_t h)
{
    char s[19];
    if (!have) return json_null();
    tacit_hex_u64(s, h);
    return json_string(s);
}

json_t *tacit__follow_l1_json(struct tacit_node *n, const struct tacit_state_tip *tip)
{
    const struct tacit__follow_l1 *f = &n->fl1;
    char id[19];
    json_t *o;
    tacit_hex_u64(id, n->params.l1_chain_id);
    o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:s,s:i,s:b,s:b,s:I,s:I,s:I}", "sequenced",
                  height_or_null(tip->next_height > 0, tip->next_height - 1), "submitted",
                  json_null(), "settled", height_or_null(f->have_checked, f->checked), "finalized",
                  json_null(), "l1Head", height_or_null(f->l1_known, f->l1_head), "l1Scanned",
                  height_or_null(f->l1_known, f->l1_target), "l1Confirmations",
                  (json_int_t)n->cfg.l1_confirmations, "l1ChainId", id, "txVersion",
                  (json_int_t)tacit_chain_tx_version(&n->params), "halted", f->halted,
                  "disagreement", f->disagreed, "derived", (json_int_t)f->derived, "matched",
                  (json_int_t)f->matched, "reorgs", (json_int_t)f->reorgs);
    if (o == NULL) return json_null();
    json_object_set_new(o, "source",
                        json_string(tacit__follow_rpc_active(n) ? "sequencer+l1" : "l1"));
    if (n->cfg.sequence_when_open) /* settle.c: the submitter while submission is open */
        json_object_set_new(o, "sequenceWhenOpen", tacit__settle_open_json(n));
    if (f->halted) json_object_set_new(o, "haltReason", json_string(f->halt_reason));
    if (f->disagreed) {
        json_object_set_new(o, "disagreementAt", height_or_null(true, f->disagree_height));
        json_object_set_new(o, "disagreementReason", json_string(f->disagree_reason));
    }
    if (f->last_rc != TACIT_OK)
        json_object_set_new(o, "lastError", json_string(tacit_errname(f->last_rc)));
    return o;
}
