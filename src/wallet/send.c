/*
 * tacit — sending: note selection, dummies, note encryption, proving, submission, statuses
 * (include/tacit/wallet.h, docs/wallet.md "Sending").
 *
 * Order of a send, and why:
 *   1. pick the notes and reserve them in the file (one write transaction that first takes
 *      what another process wrote): a second send never picks the same notes;
 *   2. fix every input's nullifier, dummies included (their keys are drawn here, not by the
 *      builder), because the outputs' ciphertexts are bound to nf0 || nf1 (their AAD,
 *      docs/wallet-format.md) and must be encrypted before the proof;
 *   3. encrypt, prove (tacit_txbuild_prove), submit;
 *   4. refused: release the notes and return the node's reason; admitted: record the tx and
 *      (if asked) wait for its inclusion.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tacit/error.h"
#include "tacit/txbuild.h"
#include "wallet/keys_internal.h"
#include "wallet/wallet_internal.h"

#define COMMIT_RETRIES 4

tacit__wallet_prove_fn tacit__wallet_prove = tacit_txbuild_prove;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ selection ---- */

struct cand {
    uint64_t value;
    size_t pos;
};

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    return x->value < y->value ? -1 : x->value > y->value;
}

/*
 * Among the notes received at or below max_height (those in the tree at the anchor):
 * fewest inputs: the smallest single note covering need, else the pair with the smallest sum
 * covering it (two pointers over the notes sorted by value). Out: pos[0..*nin).
 * TACIT_EINSUFFICIENT when all spendable notes together are short, TACIT_ENOTES_FRAGMENTED
 * when they are not but no two are enough.
 */
static int select_notes(const struct tacit_wallet *w, uint64_t need, uint64_t max_height,
                        size_t pos[2], unsigned *nin)
{
    struct cand *c;
    size_t n = 0;
    unsigned __int128 total = 0, best = 0;
    size_t bi = 0, bj = 0;
    int rc = TACIT_OK;

    *nin = 0;
    if ((c = malloc((w->nnotes + 1) * sizeof *c)) == NULL) return TACIT_ENOMEM;
    for (size_t i = 0; i < w->nnotes; i++) {
        const struct tacit__wnote *nt = &w->notes[i];
        if (nt->spent_height != TACIT_WALLET_NO_HEIGHT || nt->reserved || nt->value == 0 ||
            nt->height > max_height)
            continue;
        c[n].value = nt->value;
        c[n].pos = i;
        total += nt->value;
        n++;
    }
    if (total < need) {
        rc = TACIT_EINSUFFICIENT;
        goto out;
    }
    qsort(c, n, sizeof *c, cand_cmp);
    for (size_t i = 0; i < n; i++)
        if (c[i].value >= need) {
            pos[0] = c[i].pos;
            *nin = 1;
            goto out;
        }
    for (size_t i = 0, j = n ? n - 1 : 0; n >= 2 && i < j;) {
        unsigned __int128 s = (unsigned __int128)c[i].value + c[j].value;
        if (s >= need) {
            if (best == 0 || s < best) best = s, bi = i, bj = j;
            j--;
        } else {
            i++;
        }
    }
    if (best == 0) {
        rc = TACIT_ENOTES_FRAGMENTED;
        goto out;
    }
    pos[0] = c[bi].pos;
    pos[1] = c[bj].pos;
    *nin = 2;
out:
    free(c);
    return rc;
}

/* Commits, retrying after another process's write was loaded (fn re-applies our change). */
static int commit_with(struct tacit_wallet *w, int (*fn)(struct tacit_wallet *, void *), void *arg)
{
    int rc = TACIT_OK;
    for (int i = 0; i < COMMIT_RETRIES; i++) {
        if (fn != NULL && (rc = fn(w, arg)) != TACIT_OK) return rc;
        if ((rc = tacit__wallet_store_commit(w)) != TACIT_EBUSY) return rc;
    }
    return rc;
}

/* ------------------------------------------------------- reservation ---- */

struct reserve {
    uint64_t need;
    uint8_t tag[32]; /* random reservation tag until the tx id exists (relabelled then) */
    unsigned nin;
    uint64_t index[2];
    uint64_t sum;
    int err;
    uint64_t anchor_height, anchor_size; /* out: the anchor's block and the tree size there */
    bool fixed_anchor;                   /* in: anchor_height and anchor_size are given */
    unsigned nwant;                      /* in: spend exactly these notes (0: pick) */
    uint64_t want[2];
    bool take_pending; /* in: a given note may be held by a pending send that is not forced */
};

/* Whether note n may be taken although reserved: by a pending send that was not forced (a forced
 * one is in the contract's queue: it will be consumed). */
static bool takeable(struct tacit_wallet *w, const struct tacit__wnote *n)
{
    const struct tacit__wsent *s;
    if (!n->reserved) return true;
    s = tacit__wallet_find_sent(w, n->reserved_by);
    return s != NULL && !s->forced && s->state == TACIT_WALLET_TX_PENDING;
}

/* The notes r->want, if each is own, unspent, unreserved, of a value, received at or below
 * max_height, distinct, and together cover r->need. */
static int select_given(struct tacit_wallet *w, const struct reserve *r, uint64_t max_height,
                        size_t pos[2], unsigned *nin)
{
    unsigned __int128 sum = 0;
    *nin = 0;
    if (r->nwant > 2 || (r->nwant == 2 && r->want[0] == r->want[1])) return TACIT_EINVAL;
    for (unsigned i = 0; i < r->nwant; i++) {
        const struct tacit__wnote *n = NULL;
        for (size_t j = 0; j < w->nnotes && n == NULL; j++)
            if (w->notes[j].index == r->want[i]) n = &w->notes[pos[i] = j];
        if (n == NULL || n->spent_height != TACIT_WALLET_NO_HEIGHT || n->value == 0 ||
            (n->reserved && !(r->take_pending && takeable(w, n))))
            return TACIT_ENOTFOUND;
        if (n->height > max_height) return TACIT_EANCHOR;
        sum += n->value;
    }
    if (sum < r->need) return TACIT_EINSUFFICIENT;
    *nin = r->nwant;
    return TACIT_OK;
}

/* The anchor a few blocks back (issue 14, 3), then notes that exist there; if those are not
 * enough, notes from all, and an anchor at or after the newest of them. */
static int reserve_pick(struct tacit_wallet *w, struct reserve *r, size_t pos[2])
{
    int rc;
    if ((rc = tacit__wallet_anchor_pick(w, 0, &r->anchor_height, &r->anchor_size)) != TACIT_OK)
        return rc;
    if (select_notes(w, r->need, r->anchor_height, pos, &r->nin) != TACIT_OK) {
        uint64_t newest = 0;
        if ((rc = select_notes(w, r->need, TACIT_WALLET_NO_HEIGHT, pos, &r->nin)) != TACIT_OK)
            return rc;
        for (unsigned i = 0; i < r->nin; i++)
            if (w->notes[pos[i]].height > newest) newest = w->notes[pos[i]].height;
        if ((rc = tacit__wallet_anchor_pick(w, newest, &r->anchor_height, &r->anchor_size)) !=
            TACIT_OK)
            return rc;
    }
    return TACIT_OK;
}

static int do_reserve(struct tacit_wallet *w, void *arg)
{
    struct reserve *r = arg;
    size_t pos[2];
    int rc;
    if (!w->witness_ok) return TACIT_ENOT_SYNCED;
    if (r->fixed_anchor) { /* a forced transaction: the settled block's root, notes below it */
        rc = r->nwant > 0 ? select_given(w, r, r->anchor_height, pos, &r->nin)
                          : select_notes(w, r->need, r->anchor_height, pos, &r->nin);
    } else if (r->nwant > 0) {
        uint64_t newest = 0;
        if ((rc = select_given(w, r, TACIT_WALLET_NO_HEIGHT, pos, &r->nin)) == TACIT_OK) {
            for (unsigned i = 0; i < r->nin; i++)
                if (w->notes[pos[i]].height > newest) newest = w->notes[pos[i]].height;
            rc = tacit__wallet_anchor_pick(w, newest, &r->anchor_height, &r->anchor_size);
        }
    } else {
        rc = reserve_pick(w, r, pos);
    }
    if (rc != TACIT_OK) return rc;
    r->sum = 0;
    for (unsigned i = 0; i < r->nin; i++) {
        struct tacit__wnote *n = &w->notes[pos[i]];
        n->reserved = true;
        memcpy(n->reserved_by, r->tag, 32);
        r->index[i] = n->index;
        r->sum += n->value;
    }
    return TACIT_OK;
}

/* Releases (or re-labels, when to != NULL) the notes reserved under `tag`. */
struct relabel {
    const uint8_t *tag;
    const uint8_t *to;              /* NULL: release */
    const struct tacit__wsent *add; /* recorded with the relabel */
};

static int do_relabel(struct tacit_wallet *w, void *arg)
{
    struct relabel *r = arg;
    for (size_t i = 0; i < w->nnotes; i++) {
        struct tacit__wnote *n = &w->notes[i];
        if (!n->reserved || memcmp(n->reserved_by, r->tag, 32) != 0) continue;
        if (r->to != NULL) {
            memcpy(n->reserved_by, r->to, 32);
        } else {
            n->reserved = false;
            memset(n->reserved_by, 0, 32);
        }
    }
    if (r->add != NULL && tacit__wallet_find_sent(w, r->add->txid) == NULL)
        return tacit__wallet_add_sent(w, r->add);
    return TACIT_OK;
}

/* ------------------------------------------------------------ building ---- */

/* A dummy input with a key drawn here, and its nullifier (index 0: no membership). */
static void dummy_input(struct tacit_txbuild_input *in, tacit_fr *nf)
{
    tacit_fr pk, cm;
    memset(in, 0, sizeof *in);
    do tacit_txbuild_random_fr(&in->sk);
    while (tacit_fr_is_zero(&in->sk));
    tacit_txbuild_random_fr(&in->blinding);
    tacit_txbuild_keys(NULL, &pk, &in->sk);
    tacit_txbuild_commitment(&cm, 0, &pk, &in->blinding);
    tacit_txbuild_nullifier(nf, &in->sk, &cm, 0);
}

struct plan {
    enum tacit_wallet_send_kind kind;
    uint64_t chain_id;
    uint8_t rollup_id[TACIT_ROLLUP_ID_LEN];
    uint8_t version; /* the chain's protocol (v2 on L1) and its L1 chain id */
    uint64_t l1_chain_id;
    tacit_fr anchor;
    uint64_t fee, amount, change;
    unsigned nin;
    uint64_t in_index[2];
    tacit_fr in_path[2][TACIT_TREE_DEPTH]; /* the inputs' paths to the anchor */
    struct tacit_shielded_address to[2];
    uint64_t out_value[2];
    const uint8_t *memo;
    size_t memo_len;
    uint8_t withdraw_to[TACIT_ADDRESS_LEN];
    uint8_t deposit_sender[TACIT_ADDRESS_LEN];
    uint64_t deposit_nonce;
    const uint8_t *deposit_sk;
};

/* Puts the inputs and the outputs each in a random order (one fair bit each, from libsodium),
 * as the Zcash builder shuffles its inputs and outputs: otherwise the payment would always be
 * output 0 and the change output 1 (withdrawals and deposits: the change alone), and a lone
 * real input always input 0, which tells an observer of the wallet's own later spends which
 * output was the change (issue 14, 4). The input's nullifier moves with it (the ciphertexts'
 * AAD binds nf[0], nf[1] in the tx's order), the recipient and plaintext with their output. */
static void shuffle(struct tacit_txbuild *b, struct tacit_note_plaintext pt[2],
                    struct tacit_shielded_address to[2], tacit_fr nf[2])
{
    uint32_t bits = randombytes_uniform(4);
    if (bits & 1) {
        struct tacit_txbuild_input ti = b->in[0];
        tacit_fr tf = nf[0];
        b->in[0] = b->in[1], b->in[1] = ti;
        nf[0] = nf[1], nf[1] = tf;
        sodium_memzero(&ti, sizeof ti);
    }
    if (bits & 2) {
        struct tacit_transfer_output to_ = b->out[0];
        struct tacit_note_plaintext tp = pt[0];
        struct tacit_shielded_address ta = to[0];
        b->out[0] = b->out[1], b->out[1] = to_;
        pt[0] = pt[1], pt[1] = tp;
        to[0] = to[1], to[1] = ta;
        sodium_memzero(&to_, sizeof to_);
        sodium_memzero(&tp, sizeof tp);
    }
}

/* Builds and proves; *nf the two nullifiers (the AAD), in the tx's order. */
static int build(struct tacit_wallet *w, const struct plan *p, const tacit_groth16_pk *pk,
                 unsigned nthreads, struct tacit_tx *tx, tacit_fr nf[2])
{
    struct tacit_txbuild *b;
    struct tacit_note_plaintext *pt;
    struct tacit_shielded_address to[2] = {p->to[0], p->to[1]};
    uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES], epk[TACIT_EPK_BYTES], aad[TACIT_NOTE_AAD_BYTES];
    int rc;

    /* the builder holds spending keys and blindings: protected memory */
    if ((b = sodium_malloc(sizeof *b)) == NULL) return TACIT_ENOMEM;
    if ((pt = sodium_allocarray(2, sizeof *pt)) == NULL) {
        sodium_free(b);
        return TACIT_ENOMEM;
    }
    memset(b, 0, sizeof *b);
    memset(pt, 0, 2 * sizeof *pt);
    b->chain_id = p->chain_id;
    memcpy(b->rollup_id, p->rollup_id, TACIT_ROLLUP_ID_LEN);
    b->version = p->version;
    b->l1_chain_id = p->l1_chain_id;
    b->anchor = p->anchor;
    for (unsigned i = 0; i < 2; i++) {
        if (i < p->nin) {
            const struct tacit__wnote *n = tacit__wallet_find_note(w, p->in_index[i]);
            if (n == NULL || !n->has_nf) {
                rc = TACIT_ENOT_SYNCED;
                goto out;
            }
            b->in[i].sk = *tacit_spending_key_sk(w->sk);
            b->in[i].value = n->value;
            b->in[i].blinding = n->blinding;
            b->in[i].path.index = n->index;
            memcpy(b->in[i].path.sibling, p->in_path[i], sizeof p->in_path[i]);
            nf[i] = n->nf;
        } else {
            dummy_input(&b->in[i], &nf[i]);
        }
        b->out[i].value = p->out_value[i];
        b->out[i].pk = p->to[i].pk;
        tacit_txbuild_random_fr(&b->out[i].blinding);
        pt[i].value = p->out_value[i];
        pt[i].blinding = b->out[i].blinding;
    }
    if (p->memo_len > 0) {
        memcpy(pt[0].memo, p->memo, p->memo_len);
        pt[0].memo_len = (uint16_t)p->memo_len;
    }
    shuffle(b, pt, to, nf);
    b->fee = p->fee;
    if (p->kind == TACIT_WALLET_SEND_WITHDRAW) {
        b->withdrawal_amount = p->amount;
        memcpy(b->withdrawal_recipient, p->withdraw_to, TACIT_ADDRESS_LEN);
    }
    if (p->kind == TACIT_WALLET_SEND_DEPOSIT) {
        b->deposit_amount = p->amount;
        memcpy(b->deposit_sender, p->deposit_sender, TACIT_ADDRESS_LEN);
        b->deposit_nonce = p->deposit_nonce;
        b->deposit_sk = p->deposit_sk;
    }
    tacit_note_aad(aad, &nf[0], &nf[1]);
    if ((rc = tacit_note_encrypt(ct, epk, to, pt, aad, sizeof aad)) != TACIT_OK) goto out;
    b->epk = epk;
    b->ciphertext[0] = ct[0];
    b->ciphertext[1] = ct[1];
    if ((rc = tacit__wallet_prove(tx, b, pk, nthreads, NULL)) != TACIT_OK) goto out;
    /* the ciphertexts are bound to these nullifiers: a builder that drew its own dummy keys
     * would make outputs nobody can decrypt */
    if (!tacit_fr_eq(&tx->pub[3], &nf[0]) || !tacit_fr_eq(&tx->pub[4], &nf[1])) {
        memset(tx, 0, sizeof *tx);
        rc = TACIT_EINVAL;
    }
out:
    sodium_free(pt);
    sodium_free(b);
    sodium_memzero(ct, sizeof ct);
    return rc;
}

/* -------------------------------------------------------------- waiting ---- */

static void record_status(struct tacit_wallet *w, const uint8_t txid[32],
                          const struct tacit_wallet_tx_status *st)
{
    struct tacit__wsent *s = tacit__wallet_find_sent(w, txid);
    if (s == NULL) return;
    if (st->state == TACIT_WALLET_TX_INCLUDED) {
        s->state = TACIT_WALLET_TX_INCLUDED;
        s->height = st->height;
    } else if (s->state == TACIT_WALLET_TX_INCLUDED) {
        /* recorded as included beyond the synced chain, and the node no longer has it there
         * (a devnet revert): pending again, as far as this wallet knows */
        s->state = TACIT_WALLET_TX_PENDING;
        s->height = 0;
    } else if (st->state == TACIT_WALLET_TX_REJECTED) {
        s->state = TACIT_WALLET_TX_REJECTED;
        s->error = st->error;
        tacit__wallet_release(w, s);
    }
}

struct status_arg {
    const uint8_t *txid;
    struct tacit_wallet_tx_status st;
};

static int do_status(struct tacit_wallet *w, void *arg)
{
    struct status_arg *a = arg;
    if (tacit__wallet_find_sent(w, a->txid) == NULL) return TACIT_ENOTFOUND;
    record_status(w, a->txid, &a->st);
    return TACIT_OK;
}

int tacit_wallet_tx_status(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                           const uint8_t txid[32], struct tacit_wallet_tx_status *st)
{
    struct status_arg a = {txid, {0}};
    struct tacit__wsent *s;
    int rc;
    memset(st, 0, sizeof *st);
    if ((s = tacit__wallet_find_sent(w, txid)) == NULL) return TACIT_ENOTFOUND;
    /* included in the chain the wallet synced: that chain says so, no need to ask (a sync
     * that finds another chain makes it pending again: sync.c) */
    if (s->state == TACIT_WALLET_TX_INCLUDED && w->synced_height != TACIT_WALLET_NO_HEIGHT &&
        s->height <= w->synced_height) {
        st->state = TACIT_WALLET_TX_INCLUDED;
        st->height = s->height;
        return TACIT_OK;
    }
    /* rejected: by the node, or by the synced chain (another tx spent its notes): final */
    if (s->state == TACIT_WALLET_TX_REJECTED) {
        st->state = TACIT_WALLET_TX_REJECTED;
        st->error = s->error;
        return TACIT_OK;
    }
    if ((rc = node->tx_status(node->ud, txid, &a.st)) != TACIT_OK) return rc;
    /* a forced tx is in the contract's queue, not in the node's mempool: unknown to the node
     * until a block consumes it, it is still queued (pending) */
    if (s->forced && a.st.state == TACIT_WALLET_TX_UNKNOWN) a.st.state = TACIT_WALLET_TX_PENDING;
    if (a.st.state == TACIT_WALLET_TX_INCLUDED || a.st.state == TACIT_WALLET_TX_REJECTED) {
        if ((s->state != a.st.state || s->height != a.st.height) &&
            (rc = commit_with(w, do_status, &a)) != TACIT_OK)
            return rc;
    } else if (s->state == TACIT_WALLET_TX_INCLUDED &&
               (rc = commit_with(w, do_status, &a)) != TACIT_OK) {
        return rc;
    }
    *st = a.st;
    return TACIT_OK;
}

struct abandon_arg {
    const uint8_t *txid;
};

static int do_abandon(struct tacit_wallet *w, void *arg)
{
    struct abandon_arg *a = arg;
    struct tacit__wsent *s = tacit__wallet_find_sent(w, a->txid);
    if (s == NULL) return TACIT_ENOTFOUND;
    if (s->state == TACIT_WALLET_TX_PENDING) {
        s->state = TACIT_WALLET_TX_REJECTED;
        s->error = TACIT_ENOTFOUND;
    }
    tacit__wallet_release(w, s);
    return TACIT_OK;
}

int tacit_wallet_abandon(struct tacit_wallet *w, const uint8_t txid[32])
{
    struct abandon_arg a = {txid};
    return commit_with(w, do_abandon, &a);
}

/* Polls the status until included/rejected or the deadline. */
/* Waits for the tx by following the chain, as sync does, never by asking for its id: a node
 * (or anyone on the path) would see the wallet poll its own transaction (issue 14, 1). Each
 * new block is synced; sync marks the tx included when its id is in a block, or rejected when
 * another tx spent its notes. A tx the node drops without a block stays pending here (the
 * deadline passes; `tacit_wallet_tx_status` asks on demand). */
static int wait_inclusion(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                          const uint8_t txid[32], unsigned wait_ms,
                          struct tacit_wallet_tx_status *st)
{
    double deadline = now_s() + wait_ms / 1000.0;
    struct tacit_wallet_sync_result sr;
    int rc;
    for (;;) {
        const struct tacit__wsent *s;
        uint64_t next;
        double left;
        bool reached;
        if ((rc = tacit_wallet_sync(w, node, NULL, &sr)) != TACIT_OK) return rc;
        if ((s = tacit__wallet_find_sent(w, txid)) == NULL) return TACIT_ENOTFOUND;
        memset(st, 0, sizeof *st);
        st->state = (enum tacit_wallet_tx_state)s->state;
        st->height = s->height;
        st->error = s->error;
        if (st->state == TACIT_WALLET_TX_INCLUDED || st->state == TACIT_WALLET_TX_REJECTED)
            return TACIT_OK;
        left = deadline - now_s();
        if (left <= 0) return TACIT_ETIMEOUT;
        next = sr.height == TACIT_WALLET_NO_HEIGHT ? 0 : sr.height + 1;
        if ((rc = node->wait_block(node->ud, next, (unsigned)(left * 1000.0) + 1, &reached)) !=
            TACIT_OK)
            return rc;
    }
}

/* ----------------------------------------------------------------- send ---- */

int tacit_wallet_send(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                      const tacit_groth16_pk *pk, const struct tacit_wallet_send_req *req,
                      struct tacit_wallet_send_result *result)
{
    struct tacit_wallet_send_result res;
    struct tacit_wallet_chain_info info;
    struct plan p;
    struct reserve r;
    struct tacit__wsent sent;
    struct tacit_tx *tx = NULL;
    tacit_fr forced_root = TACIT_FR_ZERO;
    uint8_t *dsk = NULL;
    bool reserved = false;
    double t0;
    int rc;

    memset(&res, 0, sizeof res);
    memset(&p, 0, sizeof p);
    memset(&r, 0, sizeof r);
    memset(&sent, 0, sizeof sent);
    if (result) memset(result, 0, sizeof *result);
    if (req->kind > TACIT_WALLET_SEND_DEPOSIT || req->amount == 0 ||
        req->memo_len > TACIT_NOTE_MEMO_MAX || (req->memo_len > 0 && req->memo == NULL))
        return TACIT_EINVAL;
    if (req->ninputs > 2 || (req->ninputs > 0 && req->kind == TACIT_WALLET_SEND_DEPOSIT) ||
        (req->force != NULL && req->kind == TACIT_WALLET_SEND_DEPOSIT))
        return TACIT_EINVAL; /* a forced deposit: the contract's ForcedDeposit */
    if (req->kind != TACIT_WALLET_SEND_DEPOSIT && w->sk == NULL) return TACIT_EWATCH_ONLY;
    if ((rc = node->chain_info(node->ud, &info)) != TACIT_OK) return rc;
    if (info.height == TACIT_WALLET_NO_HEIGHT) return TACIT_ENOT_SYNCED;
    if (req->force != NULL) {
        /* only the contract's queue takes it: a chain that settles on L1, and an anchor the
         * contract knows, a settled block's root (no block settled yet: no such anchor) */
        if (info.tx_version != TACIT_TX_VERSION_L1) return TACIT_EVERSION;
        if (info.settled_height == TACIT_WALLET_NO_HEIGHT) return TACIT_EANCHOR;
        if (w->synced_height == TACIT_WALLET_NO_HEIGHT) return TACIT_ENOT_SYNCED;
        /* a wallet synced below the settled head anchors at its synced block: settled too */
        if (info.settled_height > w->synced_height) info.settled_height = w->synced_height;
    }

    p.kind = req->kind;
    p.chain_id = info.chain_id;
    memcpy(p.rollup_id, info.rollup_id, TACIT_ROLLUP_ID_LEN);
    p.version = info.tx_version;
    p.l1_chain_id = info.l1_chain_id;
    p.fee = req->fee_set ? req->fee : info.min_fee;
    /* the node's minimum, before anything is reserved or proved (a proof is seconds of work
     * the node would refuse) */
    if (p.fee < info.min_fee) return TACIT_EFEE_TOO_LOW;
    p.amount = req->amount;
    res.fee = p.fee;
    if ((tx = malloc(sizeof *tx)) == NULL) return TACIT_ENOMEM;

    if (req->kind == TACIT_WALLET_SEND_DEPOSIT) {
        struct tacit_wallet_header hdr;
        uint64_t balance, nonce;
        if ((dsk = sodium_malloc(32)) == NULL) {
            rc = TACIT_ENOMEM;
            goto out;
        }
        if (req->deposit_sk != NULL)
            memcpy(dsk, req->deposit_sk, 32);
        else if (req->deposit_key < w->ntkeys)
            memcpy(dsk, w->tkeys[req->deposit_key], 32);
        else {
            rc = TACIT_EINVAL;
            goto out;
        }
        if (tacit_address_from_seckey(p.deposit_sender, dsk) != TACIT_OK || p.amount <= p.fee) {
            rc = TACIT_EINVAL;
            goto out;
        }
        if ((rc = node->account(node->ud, p.deposit_sender, &balance, &nonce)) != TACIT_OK)
            goto out;
        if (balance < p.amount) {
            rc = TACIT_EINSUFFICIENT;
            goto out;
        }
        /* deposits of ours still pending from this account hold the next nonces */
        for (size_t i = 0; i < w->nsent; i++) {
            const struct tacit__wsent *s = &w->sent[i];
            if (s->kind == TACIT_WALLET_SEND_DEPOSIT && s->state == TACIT_WALLET_TX_PENDING &&
                memcmp(s->deposit_sender, p.deposit_sender, TACIT_ADDRESS_LEN) == 0 &&
                s->deposit_nonce >= nonce)
                nonce = s->deposit_nonce + 1;
        }
        p.deposit_nonce = nonce;
        p.deposit_sk = dsk;
        /* no note is spent: any recent root is valid; the same window as a spend's anchor,
         * from the wallet's own tree when it is synced, else the node's header there */
        if (w->witness_ok) {
            uint64_t ah, as;
            if ((rc = tacit__wallet_anchor_pick(w, 0, &ah, &as)) != TACIT_OK ||
                (rc = tacit__wtree_at(w, as, NULL, 0, NULL, &p.anchor)) != TACIT_OK)
                goto out;
        } else {
            uint64_t back =
                TACIT__WALLET_ANCHOR_MIN +
                tacit__wallet_uniform(TACIT__WALLET_ANCHOR_MAX - TACIT__WALLET_ANCHOR_MIN + 1);
            if ((rc = node->header(node->ud, info.height > back ? info.height - back : 0, &hdr)) !=
                TACIT_OK)
                goto out;
            p.anchor = hdr.note_root;
        }
        p.nin = 0;
        p.to[0] = p.to[1] = w->addr;
        p.out_value[0] = p.amount - p.fee;
        p.change = p.out_value[0];
    } else {
        if (p.amount > UINT64_MAX - p.fee) {
            rc = TACIT_EOVERFLOW;
            goto out;
        }
        r.need = p.amount + p.fee;
        r.nwant = req->ninputs;
        r.take_pending = req->take_pending;
        r.want[0] = req->inputs[0];
        r.want[1] = req->inputs[1];
        if (req->force != NULL) { /* the last settled block's root and tree */
            struct tacit_wallet_header hdr;
            if ((rc = node->header(node->ud, info.settled_height, &hdr)) != TACIT_OK) goto out;
            r.fixed_anchor = true;
            r.anchor_height = info.settled_height;
            r.anchor_size = hdr.commitment_count;
            forced_root = hdr.note_root;
        }
        randombytes_buf(r.tag, sizeof r.tag);
        if ((rc = commit_with(w, do_reserve, &r)) != TACIT_OK) goto out;
        reserved = true;
        p.nin = r.nin;
        p.in_index[0] = r.index[0];
        p.in_index[1] = r.index[1];
        if ((rc = tacit__wtree_at_any(w, node, r.anchor_size, p.in_index, p.nin, &p.in_path[0][0],
                                      &p.anchor)) != TACIT_OK)
            goto out;
        if (req->force != NULL && !tacit_fr_eq(&p.anchor, &forced_root)) {
            rc = TACIT_ENOTE_ROOT; /* our tree at the settled block is not the node's */
            goto out;
        }
        p.change = r.sum - r.need;
        if (req->kind == TACIT_WALLET_SEND_TRANSFER) {
            p.to[0] = req->to;
            p.out_value[0] = p.amount;
            p.to[1] = w->addr;
            p.out_value[1] = p.change;
            p.memo = req->memo;
            p.memo_len = req->memo_len;
        } else {
            memcpy(p.withdraw_to, req->withdraw_to, TACIT_ADDRESS_LEN);
            p.to[0] = p.to[1] = w->addr;
            p.out_value[0] = p.change;
        }
    }

    t0 = now_s();
    if ((rc = build(w, &p, pk, req->nthreads, tx, sent.nf)) != TACIT_OK) goto out;
    res.prove_seconds = now_s() - t0;
    tacit_tx_id(res.txid, tx);
    res.ninputs = p.nin;

    memcpy(sent.txid, res.txid, 32);
    sent.kind = (uint8_t)p.kind;
    sent.state = TACIT_WALLET_TX_PENDING;
    sent.amount = p.amount;
    sent.fee = p.fee;
    sent.change = p.change;
    memcpy(sent.deposit_sender, p.deposit_sender, TACIT_ADDRESS_LEN);
    sent.deposit_nonce = p.deposit_nonce;
    sent.nin = (uint8_t)p.nin;
    sent.in_index[0] = p.in_index[0];
    sent.in_index[1] = p.in_index[1];

    if (req->force != NULL) { /* to the contract's queue, not to the node */
        res.forced = sent.forced = true;
        if ((rc = req->force(req->force_ud, tx, &res.f)) != TACIT_OK) goto out;
        res.f.anchor_height = r.anchor_height;
        sent.f = res.f;
    } else {
        rc = node->send_raw(node->submit_ud != NULL ? node->submit_ud : node->ud, tx);
        if (rc != TACIT_OK) goto out; /* released below */
    }
    {
        struct relabel rl = {r.tag, res.txid, &sent};
        reserved = false;
        if ((rc = commit_with(w, do_relabel, &rl)) != TACIT_OK) goto out;
    }
    res.status.state = TACIT_WALLET_TX_PENDING;
    res.amount = p.amount;
    /* a forced tx is consumed within the contract's delay T: followed by sync, not waited */
    if (req->wait_ms > 0 && req->force == NULL)
        rc = wait_inclusion(w, node, res.txid, req->wait_ms, &res.status);

out:
    if (reserved) {
        /* the reservation must not outlive a send that did not happen */
        struct relabel rl = {r.tag, NULL, NULL};
        (void)commit_with(w, do_relabel, &rl);
    }
    sodium_free(dsk);
    if (tx) {
        sodium_memzero(tx, sizeof *tx);
        free(tx);
    }
    sodium_memzero(&p, sizeof p);
    if (result && (rc == TACIT_OK || rc == TACIT_ETIMEOUT)) *result = res;
    return rc;
}
