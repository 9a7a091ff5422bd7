/*
 * tacit — the RPC follower (tacitd --follow URL; docs/operations.md, "Followers"): the node does
 * not sequence; a step on the "follow" lane (a thread of its own: the RPC client blocks) asks
 * the sequencer's tacit_chainInfo (its chain must be this one), then takes the blocks after the
 * local tip with tacit_getBlockByNumber HEIGHT true (the raw bytes), waiting for the next one
 * with tacit_waitForBlock when there is none yet, and applies each with tacit_block_apply: every
 * rule and proof re-verified, the signature against the chain's sequencer key, one LMDB write
 * transaction per block (the sequencer's store format). A block that fails the rules is never
 * committed: following stops (logged, /health 503 with the reason, tacit_follow_halted 1) until
 * an operator restarts the node. The step's done part (on the loop) hands the new blocks to the
 * readers (tacit__batcher_followed) and schedules the next step: at once after progress or a
 * long-poll, after a doubling backoff (up to 10 s) when the sequencer cannot be reached.
 *
 * The chain's parameters come from the operator (--chain-id, --vk-file, --rollup-id,
 * --root-history) and from <datadir>/chain.json: at the first start the sequencer's
 * tacit_chainInfo gives its key (checked against --sequencer-key when given) and fee address,
 * recorded there; later starts take them from the file and refuse (halt) a sequencer whose
 * chainInfo disagrees.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/util.h"

#define FOLLOW_BATCH 64     /* blocks per step at most (then the loop publishes them) */
#define FOLLOW_WAIT_MS 1000 /* tacit_waitForBlock's timeout: the longest a stop waits */
#define FOLLOW_CALL_TIMEOUT_MS 30000u
#define FOLLOW_IDLE_MS 1000u /* no progress and no long-poll: the next step after */
#define FOLLOW_BACKOFF_MAX_MS 10000u
#define FOLLOW_RAW_MAX ((size_t)64 << 20)

/* ---------------------------------------------------------- chain check ---- */

/* Checks the sequencer's tacit_chainInfo against this chain (p: chain id, rollup id, and the
 * sequencer key unless have_key is false). Fills seq/fee (either may be NULL), the sequencer's
 * height (has_height) and minimum fee. False with why in reason. */
static bool check_info(const json_t *info, const struct tacit_chain_params *p, bool have_key,
                       bool follow_devnet, bool l1, uint8_t seq[32], uint8_t fee[TACIT_ADDRESS_LEN],
                       bool *has_height, uint64_t *height, uint64_t *min_fee, char *reason,
                       size_t rlen)
{
    const char *cid = json_string_value(json_object_get(info, "chainId"));
    const char *cseq = json_string_value(json_object_get(info, "sequencer"));
    const char *cfee = json_string_value(json_object_get(info, "feeRecipient"));
    const char *crol = json_string_value(json_object_get(info, "rollupId"));
    const char *cmin = json_string_value(json_object_get(info, "minFee"));
    const json_t *h = json_object_get(info, "height");
    uint8_t s[32], f[TACIT_ADDRESS_LEN], r[TACIT_ROLLUP_ID_LEN];
    uint64_t id;
    if (!json_is_object(info) || cid == NULL || cseq == NULL || cfee == NULL || crol == NULL ||
        tacit_parse_hex_u64(&id, cid) != TACIT_OK ||
        tacit_hex_decode(s, 32, cseq, true) != TACIT_OK ||
        tacit_hex_decode(f, TACIT_ADDRESS_LEN, cfee, true) != TACIT_OK ||
        tacit_hex_decode(r, TACIT_ROLLUP_ID_LEN, crol, true) != TACIT_OK) {
        snprintf(reason, rlen, "the sequencer's tacit_chainInfo is not a chain's description");
        return false;
    }
    if (id != p->chain_id) {
        snprintf(reason, rlen, "the sequencer is chain %s, this follower chain 0x%" PRIx64, cid,
                 p->chain_id);
        return false;
    }
    if (memcmp(r, p->rollup_id, TACIT_ROLLUP_ID_LEN) != 0) {
        snprintf(reason, rlen, "the sequencer's rollup id is %s, not this follower's (rollup_id)",
                 crol);
        return false;
    }
    if (have_key && memcmp(s, p->sequencer, 32) != 0) {
        char k[67];
        tacit_hex_encode(k, p->sequencer, 32);
        snprintf(reason, rlen,
                 "the sequencer's key is %s, this chain's (chain.json, --sequencer-key) is %s",
                 cseq, k);
        return false;
    }
    {
        const json_t *st = json_object_get(info, "settlement");
        const char *l1id = json_string_value(json_object_get(st, "l1ChainId"));
        uint64_t l1c = 0;
        bool settles = st != NULL && !json_is_null(st);
        if (settles && !l1) {
            snprintf(reason, rlen,
                     "the sequencer settles on L1 (protocol v2): follow it with --l1-rpc and "
                     "--l1-rollup (its contract) too");
            return false;
        }
        if (!settles && l1) {
            snprintf(reason, rlen,
                     "the sequencer does not settle on L1 (no \"settlement\" in "
                     "its tacit_chainInfo), this follower checks its blocks on L1");
            return false;
        }
        if (settles && (l1id == NULL || tacit_parse_hex_u64(&l1c, l1id) != TACIT_OK ||
                        l1c != p->l1_chain_id)) {
            snprintf(reason, rlen,
                     "the sequencer settles on L1 chain %s, --l1-rpc is chain %" PRIu64,
                     l1id != NULL ? l1id : "(none)", p->l1_chain_id);
            return false;
        }
    }
    if (json_is_true(json_object_get(info, "devnet")) && !follow_devnet) {
        snprintf(reason, rlen,
                 "the sequencer is a devnet, whose blocks mint credits (dev_fund): follow it with "
                 "--follow-devnet");
        return false;
    }
    if (seq != NULL) memcpy(seq, s, 32);
    if (fee != NULL) memcpy(fee, f, TACIT_ADDRESS_LEN);
    *has_height =
        json_is_string(h) && tacit_parse_hex_u64(height, json_string_value(h)) == TACIT_OK;
    if (cmin == NULL || tacit_parse_dec_u64(min_fee, cmin) != TACIT_OK) *min_fee = 0;
    return true;
}

/* A call that failed (rc), or that the sequencer answered with an error object (err): why says
 * which; returns rc, or TACIT_EIO for an error object. */
static int call_failed(struct tacit_rpc_client *c, const char *method, int rc, const json_t *err,
                       char *why, size_t wlen)
{
    const char *t = tacit_rpc_client_last_error(c);
    const char *m = json_string_value(json_object_get(err, "message"));
    if (rc != TACIT_OK) {
        snprintf(why, wlen, "%s: %s%s%s", method, tacit_strerror(rc), t ? ": " : "", t ? t : "");
        return rc;
    }
    snprintf(why, wlen, "%s: the sequencer answered %s", method, m ? m : "an error");
    return TACIT_EIO;
}

/* One call; an error object becomes TACIT_EIO with its message in why. */
static int call(struct tacit_rpc_client *c, const char *method, json_t *params, json_t **result,
                char *why, size_t wlen)
{
    json_t *err = NULL;
    int rc = tacit_rpc_call(c, method, params, result, &err);
    if (rc == TACIT_OK && err == NULL) return TACIT_OK;
    rc = call_failed(c, method, rc, err, why, wlen);
    json_decref(err);
    return rc;
}

/* ------------------------------------------------------------ start-up ---- */

int tacit__follow_marker_write(struct tacit_node *n)
{
    char id[19], seq[67], fee[43], *text = NULL;
    json_t *o;
    int rc = TACIT_ENOMEM;
    tacit_hex_u64(id, n->params.chain_id);
    tacit_hex_encode(seq, n->params.sequencer, 32);
    tacit_hex_encode(fee, n->params.fee_recipient, TACIT_ADDRESS_LEN);
    o = json_pack("{s:s,s:s,s:s,s:s}", "chainId", id, "sequencer", seq, "feeRecipient", fee,
                  "following", tacit__follow_source(n));
    if (o != NULL && (text = json_dumps(o, JSON_COMPACT)) != NULL)
        rc = tacit__datadir_write_file(n->datadir, TACIT_DATADIR_CHAIN, text, strlen(text), 0600);
    json_decref(o);
    free(text);
    return rc;
}

/* A follower's <datadir>/chain.json (its text): the sequencer key and fee address recorded at
 * its first start, into n->params. TACIT_EJSON, logged, when it is no follower's marker. */
int tacit__follow_chain_read(struct tacit_node *n, const char *path, const char *text)
{
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    const char *cseq = json_string_value(json_object_get(j, "sequencer"));
    const char *cfee = json_string_value(json_object_get(j, "feeRecipient"));
    int rc = TACIT_OK;
    if (cseq == NULL || cfee == NULL ||
        tacit_hex_decode(n->params.sequencer, 32, cseq, true) != TACIT_OK ||
        tacit_hex_decode(n->params.fee_recipient, TACIT_ADDRESS_LEN, cfee, true) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "%s is not a follower's chain marker (want {\"chainId\",\"sequencer\","
                  "\"feeRecipient\"}): is this a sequencer's data directory?",
                  TACIT_LOG_S(path));
        rc = TACIT_EJSON;
    }
    json_decref(j);
    return rc;
}

int tacit__follow_params(struct tacit_node *n)
{
    char *path = tacit_datadir_path(n->datadir, TACIT_DATADIR_CHAIN), *text = NULL;
    char reason[TACIT__FOLLOW_REASON_MAX];
    uint8_t want[32];
    bool have_want = false, hh;
    uint64_t h, fee;
    json_t *j = NULL, *info = NULL;
    struct tacit_rpc_client *c = NULL;
    int rc;

    if (path == NULL) return TACIT_ENOMEM;
    n->params.min_fee = 0; /* a sequencer's policy: its blocks hold what it took */
    if (n->cfg.sequencer_key != NULL) {
        if (tacit_hex_decode(want, 32, n->cfg.sequencer_key, true) != TACIT_OK) {
            tacit_log(TACIT_LOG_ERROR, "follow",
                      "--sequencer-key %s: not an x-only public key (0x + 64 hex digits)",
                      TACIT_LOG_S(n->cfg.sequencer_key));
            rc = TACIT_EINVAL;
            goto out;
        }
        have_want = true;
    }
    rc = tacit__datadir_read_file(path, &text, NULL, 4096);
    if (rc == TACIT_OK) {
        /* later starts: the parameters recorded at the first (chain_check compares the id) */
        if ((rc = tacit__follow_chain_read(n, path, text)) != TACIT_OK) goto out;
        if (have_want && memcmp(want, n->params.sequencer, 32) != 0) {
            char rec[65];
            tacit_hex_encode(rec, n->params.sequencer, 32);
            tacit_log(TACIT_LOG_ERROR, "follow",
                      "--sequencer-key %s is not the key %s records (0x%s): refusing",
                      TACIT_LOG_S(n->cfg.sequencer_key), TACIT_LOG_S(path), rec);
            rc = TACIT_ESEQUENCER_KEY_MISMATCH;
        }
        goto out;
    }
    if (rc != TACIT_ENOENT) {
        tacit_log(TACIT_LOG_ERROR, "follow", "cannot read %s: %s", TACIT_LOG_S(path),
                  tacit_strerror(rc));
        goto out;
    }
    /* the first start: the sequencer's description, once (before the loop runs) */
    if (have_want) memcpy(n->params.sequencer, want, 32);
    if ((rc = tacit_rpc_client_new(&c, n->cfg.follow, NULL, FOLLOW_CALL_TIMEOUT_MS)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "follow", "--follow %s: not an RPC URL (http://HOST:PORT)",
                  TACIT_LOG_S(n->cfg.follow));
        goto out;
    }
    if ((rc = call(c, "tacit_chainInfo", json_array(), &info, reason, sizeof reason)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "first start: cannot ask the sequencer at %s for its chain: %s",
                  TACIT_LOG_S(n->cfg.follow), reason);
        goto out;
    }
    if (!check_info(info, &n->params, have_want, n->cfg.follow_devnet, tacit__following_l1(n),
                    n->params.sequencer, n->params.fee_recipient, &hh, &h, &fee, reason,
                    sizeof reason)) {
        tacit_log(TACIT_LOG_ERROR, "follow", "refusing to follow %s: %s",
                  TACIT_LOG_S(n->cfg.follow), reason);
        rc = TACIT_ESTATE_PARAMS;
        goto out;
    }
    if ((rc = tacit__follow_marker_write(n)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "follow", "cannot write %s: %s", TACIT_LOG_S(path),
                  tacit_strerror(rc));
        goto out;
    }
    {
        char k[67];
        tacit_hex_encode(k, n->params.sequencer, 32);
        tacit_log(TACIT_LOG_INFO, "follow",
                  "first start: the sequencer at %s signs with %s%s; recorded in %s",
                  TACIT_LOG_S(n->cfg.follow), k, have_want ? " (as --sequencer-key says)" : "",
                  TACIT_LOG_S(path));
    }
out:
    tacit_rpc_client_free(c);
    json_decref(info);
    json_decref(j);
    free(text);
    free(path);
    return rc;
}

/* ---------------------------------------------------------------- step ---- */

struct follow_job {
    struct tacit__job job;
    struct tacit_node *n;
    struct tacit_chain_params params; /* a copy (min fee 0) */
    bool follow_devnet;
    bool l1; /* the L1 flags: an L1-mode sequencer */
    /* out */
    int rc; /* transport or store: retried */
    char why[TACIT__FOLLOW_REASON_MAX];
    bool halt;
    uint64_t halt_height;
    bool seq_known;
    uint64_t seq_height, seq_min_fee;
    bool longpolled;
    uint64_t first; /* height of json[0] */
    size_t napplied;
    json_t *json[FOLLOW_BATCH];
    size_t ntxs[FOLLOW_BATCH];
};

static bool store_error(int rc)
{
    return rc == TACIT_EDISK_FULL || rc == TACIT_ESTATE_IO || rc == TACIT_EMAP_FULL ||
           rc == TACIT_ENOMEM;
}

/* Block `height` from the sequencer (tacit_getBlockByNumber HEIGHT true), its raw bytes
 * decoded (tacit_rpc_call_hex: the 2 MB of hex per 1,000 txs never go through jansson). rc:
 * TACIT_OK, TACIT_ENOTFOUND (served a moment ago, gone now: ask again later), a transport error
 * as call's (transport set, why says it), TACIT_EENCODING (no raw bytes: not hex, or too long),
 * TACIT_ENOMEM. */
struct fetched {
    uint8_t *bytes;
    size_t len;
    int rc;
    bool transport;
    char why[TACIT__FOLLOW_REASON_MAX];
    struct tacit_block_prechecked *pc; /* the block and its proofs' verdict (prefetch), or NULL */
};

static void fetched_drop(struct fetched *f)
{
    free(f->bytes);
    tacit_block_prechecked_free(f->pc);
    f->bytes = NULL;
    f->pc = NULL;
}

static void fetch_block(struct tacit_rpc_client *c, uint64_t height, struct fetched *f)
{
    json_t *blk = NULL, *err = NULL;
    char hx[19];
    tacit_hex_u64(hx, height);
    f->transport = false;
    f->rc = tacit_rpc_call_hex(c, "tacit_getBlockByNumber", json_pack("[s,b]", hx, 1), "raw",
                               FOLLOW_RAW_MAX, &blk, &err, &f->bytes, &f->len);
    if (f->rc == TACIT_ENOMEM) return;
    if (f->rc != TACIT_OK || err != NULL) {
        f->rc = call_failed(c, "tacit_getBlockByNumber", f->rc, err, f->why, sizeof f->why);
        f->transport = true;
    } else if (json_is_null(blk)) {
        f->rc = TACIT_ENOTFOUND;
    } else if (f->bytes == NULL) {
        f->rc = TACIT_EENCODING; /* no raw bytes, or not hex, or too long */
    }
    json_decref(blk);
    json_decref(err);
}

/* The block after the one being applied, fetched meanwhile on a thread of its own (with a client
 * of its own: a client serves one thread) and its proofs checked there on every core
 * (tacit_block_precheck), so the transfer, decoding and proofs of block h + 1 overlap the state
 * rules and commit of block h; and the bytes of block h + 2 are fetched (on a third thread, a
 * third client) while h + 1's proofs are checked, so the transfer leaves the critical path too
 * (measured: the proofs of a block are ~150 ms on two cores, its transfer 12-25 ms). The
 * readers' JSON is made on the lane after the apply, which waits for the proofs anyway. A block
 * whose precheck fails (not a block: no pc) is applied with tacit_block_apply, which gives the
 * same error. */
struct ahead {
    struct tacit_rpc_client *c; /* NULL: no fetching ahead */
    uv_thread_t thread;
    bool running;
    uint64_t height;
    struct fetched f;
};

struct prefetch {
    struct tacit_rpc_client *c; /* NULL: no prefetching */
    const tacit_groth16_pvk *pvk;
    uv_thread_t thread;
    bool running;
    uint64_t height;
    uint64_t ahead_max; /* the highest block worth fetching ahead */
    struct fetched f;
    struct ahead ahead;
};

static void ahead_main(void *arg)
{
    struct ahead *a = arg;
    fetch_block(a->c, a->height, &a->f);
    a->f.pc = NULL;
}

static void ahead_join(struct ahead *a)
{
    if (a->running) uv_thread_join(&a->thread);
    a->running = false;
}

static void prefetch_main(void *arg)
{
    struct prefetch *p = arg;
    struct ahead *a = &p->ahead;
    bool have = a->running && a->height == p->height;
    ahead_join(a);
    if (have) {
        p->f = a->f;
        a->f.bytes = NULL;
    } else {
        fetched_drop(&a->f);
        fetch_block(p->c, p->height, &p->f);
    }
    p->f.pc = NULL;
    if (a->c != NULL && p->f.rc == TACIT_OK && p->height < p->ahead_max) {
        a->height = p->height + 1;
        a->running = uv_thread_create(&a->thread, ahead_main, a) == 0;
    }
    if (p->f.rc == TACIT_OK &&
        tacit_block_precheck(&p->f.pc, p->f.bytes, p->f.len, p->pvk) != TACIT_OK)
        p->f.pc = NULL;
}

/* Waits for the prefetch; its block, if any, is dropped unless taken (fetch_next). */
static void prefetch_join(struct prefetch *p)
{
    if (p->running) uv_thread_join(&p->thread);
    p->running = false;
}

/* The fetch of `height`: the prefetched one when it is that height, else one made now. */
static void fetch_next(struct tacit_rpc_client *c, struct prefetch *p, uint64_t height,
                       struct fetched *f)
{
    bool have = p->running && p->height == height;
    prefetch_join(p);
    if (have) {
        *f = p->f;
        p->f.bytes = NULL;
        p->f.pc = NULL;
        return;
    }
    fetched_drop(&p->f); /* another height's (not expected): dropped */
    fetch_block(c, height, f);
    f->pc = NULL;
}

/* On the follow lane. */
static void follow_work(struct tacit__job *job)
{
    struct follow_job *j = (struct follow_job *)job;
    struct tacit_rpc_client *c = j->n->follow.client;
    struct tacit_state_tip tip;
    struct prefetch pf = {.pvk = j->n->pvk};
    struct fetched f;
    json_t *info = NULL;
    uint64_t next;
    char hx[19];

    if ((j->rc = call(c, "tacit_chainInfo", json_array(), &info, j->why, sizeof j->why)) !=
        TACIT_OK)
        return;
    if (!check_info(info, &j->params, true, j->follow_devnet, j->l1, NULL, NULL, &j->seq_known,
                    &j->seq_height, &j->seq_min_fee, j->why, sizeof j->why)) {
        json_decref(info);
        j->halt = true;
        return;
    }
    json_decref(info);
    if ((j->rc = tacit_state_tip(j->n->st, &tip)) != TACIT_OK) {
        snprintf(j->why, sizeof j->why, "the store's tip: %s", tacit_strerror(j->rc));
        return;
    }
    next = tip.next_height;
    j->first = next;
    if (j->seq_known && j->seq_height > next &&
        tacit_rpc_client_new(&pf.c, j->n->cfg.follow, NULL, FOLLOW_CALL_TIMEOUT_MS) != TACIT_OK)
        pf.c = NULL;
    if (pf.c != NULL && j->seq_height > next + 1 &&
        tacit_rpc_client_new(&pf.ahead.c, j->n->cfg.follow, NULL, FOLLOW_CALL_TIMEOUT_MS) !=
            TACIT_OK)
        pf.ahead.c = NULL;
    while (j->napplied < FOLLOW_BATCH) {
        json_t *blk = NULL;
        long bad = -1;
        int rc;
        if (!j->seq_known || next > j->seq_height) {
            if (j->napplied > 0) break; /* publish these first */
            /* nothing new: wait on the sequencer for the next block (a long-poll) */
            j->longpolled = true;
            tacit_hex_u64(hx, next);
            if ((j->rc = call(c, "tacit_waitForBlock", json_pack("[s,i]", hx, FOLLOW_WAIT_MS), &blk,
                              j->why, sizeof j->why)) != TACIT_OK)
                break;
            rc = json_is_null(blk);
            json_decref(blk);
            blk = NULL;
            if (rc) break;
            j->seq_known = true;
            j->seq_height = next;
        }
        fetch_next(c, &pf, next, &f);
        if (f.transport) {
            j->rc = f.rc;
            snprintf(j->why, sizeof j->why, "%s", f.why);
            break;
        }
        if (f.rc == TACIT_ENOTFOUND) break;
        if (f.rc == TACIT_ENOMEM) {
            j->rc = f.rc;
            snprintf(j->why, sizeof j->why, "block %" PRIu64 ": out of memory", next);
            break;
        }
        if (pf.c != NULL && next < j->seq_height && j->napplied + 1 < FOLLOW_BATCH) {
            pf.height = next + 1;
            /* h + 2 fetched ahead when the batch takes it too */
            pf.ahead_max = j->napplied + 2 < FOLLOW_BATCH ? j->seq_height : next + 1;
            pf.running = uv_thread_create(&pf.thread, prefetch_main, &pf) == 0;
        }
        rc = f.rc;
        if (rc == TACIT_OK && f.pc != NULL)
            rc = tacit_block_apply_prechecked(j->n->st, f.pc, &j->params, j->n->pvk, &bad);
        else if (rc == TACIT_OK)
            rc = tacit_block_apply(j->n->st, f.bytes, f.len, &j->params, j->n->pvk, &bad);
        if (rc == TACIT_OK) {
            j->json[j->napplied] =
                f.pc != NULL ? tacit__block_json_decoded(tacit_block_prechecked_block(f.pc))
                             : tacit__block_json_from_bytes(f.bytes, f.len);
            j->ntxs[j->napplied] =
                j->json[j->napplied] != NULL
                    ? json_array_size(json_object_get(j->json[j->napplied], "txs"))
                    : 0;
            j->napplied++;
            next++;
            if (next > j->seq_height) j->seq_height = next - 1;
        } else if (store_error(rc)) {
            j->rc = rc;
            snprintf(j->why, sizeof j->why, "block %" PRIu64 " not committed: %s (%s)", next,
                     tacit_strerror(rc), tacit_errname(rc));
        } else {
            j->halt = true;
            j->halt_height = next;
            if (bad >= 0)
                snprintf(j->why, sizeof j->why,
                         "block %" PRIu64 " from the sequencer breaks rule %s (%s) in tx %ld", next,
                         tacit_errname(rc), tacit_strerror(rc), bad);
            else
                snprintf(j->why, sizeof j->why,
                         "block %" PRIu64 " from the sequencer breaks rule %s (%s)", next,
                         tacit_errname(rc), tacit_strerror(rc));
        }
        fetched_drop(&f);
        if (rc != TACIT_OK) break;
    }
    prefetch_join(&pf); /* blocks fetched for nothing (an error above, the batch's end) */
    fetched_drop(&pf.f);
    ahead_join(&pf.ahead);
    fetched_drop(&pf.ahead.f);
    tacit_rpc_client_free(pf.ahead.c);
    tacit_rpc_client_free(pf.c);
}

static void on_timer(uv_timer_t *t);

static void schedule(struct tacit_node *n, uint64_t ms)
{
    /* a sequencer that disagreed with L1 is followed no more (follow_l1.c) */
    if (n->follow.timer_open && !n->stopping && !n->follow.halted && tacit__follow_rpc_active(n))
        uv_timer_start(&n->follow.timer, on_timer, ms, 0);
}

/* On the loop. */
static void follow_done(struct tacit__job *job)
{
    struct follow_job *j = (struct follow_job *)job;
    struct tacit_node *n = j->n;
    struct tacit__follow *f = &n->follow;
    uint64_t delay = 0;
    size_t ntxs = 0;

    f->inflight = false;
    for (size_t i = 0; i < j->napplied; i++) {
        ntxs += j->ntxs[i];
        tacit__batcher_followed(n, j->first + i, j->json[i], j->ntxs[i]);
        j->json[i] = NULL;
    }
    f->applied += j->napplied;
    if (j->napplied > 1)
        tacit_log(TACIT_LOG_INFO, "follow", "blocks %" PRIu64 " to %" PRIu64 " applied (%zu txs)",
                  j->first, j->first + j->napplied - 1, ntxs);
    else if (j->napplied == 1)
        tacit_log(TACIT_LOG_INFO, "follow", "block %" PRIu64 " applied (%zu txs)", j->first, ntxs);
    if (j->seq_known) {
        f->seq_known = true;
        f->seq_height = j->seq_height;
        n->params.min_fee = j->seq_min_fee; /* what tacit_minFee tells wallets; blocks: 0 */
    }
    if (j->halt) {
        f->halted = true;
        f->halt_height = j->halt_height;
        snprintf(f->halt_reason, sizeof f->halt_reason, "%s", j->why);
        tacit_log(TACIT_LOG_ERROR, "follow",
                  "FOLLOWING STOPPED: %s. Nothing of it was committed; the node keeps serving "
                  "its store. Find out why (docs/operations.md, \"Followers\"), then restart",
                  j->why);
    } else if (j->rc != TACIT_OK) {
        f->failures++;
        if (store_error(j->rc)) n->store_failed = true;
        if (f->last_rc == TACIT_OK) tacit_log(TACIT_LOG_WARN, "follow", "%s; retrying", j->why);
        f->backoff_ms = f->backoff_ms == 0 ? 500 : f->backoff_ms * 2;
        if (f->backoff_ms > FOLLOW_BACKOFF_MAX_MS) f->backoff_ms = FOLLOW_BACKOFF_MAX_MS;
        delay = f->backoff_ms;
    } else {
        if (f->last_rc != TACIT_OK)
            tacit_log(TACIT_LOG_INFO, "follow", "the sequencer at %s answers again",
                      TACIT_LOG_S(n->cfg.follow));
        f->backoff_ms = 0;
        if (j->napplied == 0 && !j->longpolled) delay = FOLLOW_IDLE_MS;
    }
    f->last_rc = j->halt ? TACIT_OK : j->rc;
    for (size_t i = 0; i < j->napplied; i++) json_decref(j->json[i]);
    free(j);
    tacit__node_job_finished(n);
    schedule(n, delay);
}

void tacit__follow_poke(struct tacit_node *n)
{
    if (!n->follow.inflight) schedule(n, 0);
}

static void on_timer(uv_timer_t *t)
{
    struct tacit_node *n = t->data;
    struct follow_job *j;
    if (n->follow.inflight || n->follow.halted || !tacit__follow_rpc_active(n) ||
        n->fl1.rollback_pending || tacit__node_store_closing(n))
        return;
    if ((j = calloc(1, sizeof *j)) == NULL) {
        schedule(n, FOLLOW_IDLE_MS);
        return;
    }
    j->job.work = follow_work;
    j->job.done = follow_done;
    j->n = n;
    j->params = n->params;
    j->params.min_fee = 0;
    j->follow_devnet = n->cfg.follow_devnet;
    j->l1 = tacit__following_l1(n);
    n->follow.inflight = true;
    tacit__lane_submit(n->follow.lane, &j->job);
}

int tacit__follow_init(struct tacit_node *n)
{
    struct tacit__follow *f = &n->follow;
    int rc;
    if (!tacit__following(n)) return TACIT_OK;
    if (n->cfg.follow != NULL) { /* the sequencer's RPC (an L1 follower has none) */
        if ((rc = tacit_rpc_client_new(&f->client, n->cfg.follow, NULL, FOLLOW_CALL_TIMEOUT_MS)) !=
            TACIT_OK)
            return rc;
        uv_timer_init(&n->loop, &f->timer);
        f->timer.data = n;
        f->timer_open = true;
    }
    /* the lane steps of both sides run on, one at a time */
    if ((rc = tacit__lane_new(&f->lane, &n->loop, "follow", 1)) != TACIT_OK) return rc;
    return tacit__follow_l1_init(n);
}

void tacit__follow_run(struct tacit_node *n)
{
    if (n->cfg.follow != NULL) schedule(n, 0);
    tacit__follow_l1_run(n);
}

static void close_cb_noop(uv_handle_t *h) { (void)h; }

void tacit__follow_stop(struct tacit_node *n)
{
    struct tacit__follow *f = &n->follow;
    if (f->timer_open) {
        uv_close((uv_handle_t *)&f->timer, close_cb_noop);
        f->timer_open = false;
    }
    tacit__follow_l1_stop(n);
    tacit__lane_close(f->lane);
    f->lane = NULL;
}

/* ------------------------------------------------------------ forwarding ---- */

/* follow_forward: tacit_sendRawTransaction passed on to the sequencer from libuv's pool (the
 * blocking client, a connection of its own per call), its answer relayed as it is. */
struct forward_job {
    uv_work_t req;
    struct tacit_node *n;
    struct tacit_rpc_call *call;
    uint8_t *bytes; /* the transaction, as the client sent it (decoded once here) */
    size_t len;
    int rc;
    json_t *result, *error;
};

static void forward_work(uv_work_t *req)
{
    struct forward_job *j = req->data;
    struct tacit_rpc_client *c = NULL;
    char *hex = malloc(2 * j->len + 3);
    j->rc = hex == NULL ? TACIT_ENOMEM
                        : tacit_rpc_client_new(&c, j->n->cfg.follow, NULL, FOLLOW_CALL_TIMEOUT_MS);
    if (j->rc == TACIT_OK) {
        tacit_hex_encode(hex, j->bytes, j->len);
        j->rc = tacit_rpc_call(c, "tacit_sendRawTransaction", json_pack("[s]", hex), &j->result,
                               &j->error);
    }
    tacit_rpc_client_free(c);
    free(hex);
}

static void forward_after(uv_work_t *req, int status)
{
    struct forward_job *j = req->data;
    struct tacit_node *n = j->n;
    (void)status;
    n->follow.forwards_inflight--;
    if (j->rc != TACIT_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "this node follows the sequencer at %s, which did not answer: %s",
                 n->cfg.follow, tacit_strerror(j->rc));
        tacit_rpc_reply_error(
            j->call, TACIT_RPC_APP_BASE + j->rc, msg,
            json_pack("{s:s,s:s}", "error", tacit_errname(j->rc), "following", n->cfg.follow));
    } else if (j->error != NULL) { /* the sequencer's refusal, as it is */
        const char *m = json_string_value(json_object_get(j->error, "message"));
        json_t *data = json_object_get(j->error, "data");
        tacit_rpc_reply_error(j->call, (int)json_integer_value(json_object_get(j->error, "code")),
                              m != NULL ? m : "error", data != NULL ? json_incref(data) : NULL);
        json_decref(j->error);
    } else {
        tacit_rpc_reply(j->call, j->result);
    }
    free(j->bytes);
    free(j);
    tacit__node_job_finished(n);
}

void tacit__follow_forward(struct tacit_node *n, struct tacit_rpc_call *call, uint8_t *bytes,
                           size_t len)
{
    struct forward_job *j = NULL;
    int rc = TACIT_EBUSY;
    if (!tacit__node_store_closing(n) && (j = calloc(1, sizeof *j)) == NULL) rc = TACIT_ENOMEM;
    if (j != NULL) {
        *j = (struct forward_job){.n = n, .call = call, .bytes = bytes, .len = len};
        j->req.data = j;
        n->follow.forwards_inflight++;
        if (uv_queue_work(&n->loop, &j->req, forward_work, forward_after) == 0) return;
        n->follow.forwards_inflight--;
        free(j);
    }
    free(bytes);
    tacit_rpc_reply_tacit_error(call, rc);
}

void tacit__follow_free(struct tacit_node *n)
{
    tacit_rpc_client_free(n->follow.client);
    n->follow.client = NULL;
    tacit__follow_l1_free(n);
}
