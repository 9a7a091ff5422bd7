/*
 * tacit — the L1 sender (include/tacit/l1.h): EIP-1559 transactions from one key, with the
 * nonce kept locally and asked again when the node refuses it, fees from the market (EIP-1559:
 * max fee = 2 * base fee + priority fee leaves room for the base fee to rise 12.5% per full
 * block for six blocks), a cap, and replacements with bumped fees (geth's and anvil's rule: a
 * replacement raises both fees by at least 10%).
 */
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/l1.h"

#define FEE_HISTORY_BLOCKS 10
#define MIN_BUMP_PERMILLE 100

struct tacit_l1_sender {
    struct tacit_l1 *l1;
    const struct tacit_eth_key *key;
    uint8_t from[TACIT_ETH_ADDRESS_LEN];
    struct tacit_l1_sender_opts o;
    bool chain_checked;
    bool nonce_known;
    uint64_t next_nonce;
};

int tacit_l1_sender_new(struct tacit_l1_sender **out, struct tacit_l1 *l1,
                        const struct tacit_eth_key *key, const struct tacit_l1_sender_opts *opts)
{
    struct tacit_l1_sender *s;

    *out = NULL;
    if (opts == NULL || opts->chain_id == 0) return TACIT_EINVAL;
    if ((s = calloc(1, sizeof *s)) == NULL) return TACIT_ENOMEM;
    s->l1 = l1;
    s->key = key;
    s->o = *opts;
    if (s->o.bump_permille == 0) s->o.bump_permille = 125;
    if (s->o.bump_permille < MIN_BUMP_PERMILLE) s->o.bump_permille = MIN_BUMP_PERMILLE;
    if (s->o.gas_margin_permille == 0) s->o.gas_margin_permille = 200;
    tacit_eth_key_address(key, s->from);
    *out = s;
    return TACIT_OK;
}

void tacit_l1_sender_free(struct tacit_l1_sender *s) { free(s); }

void tacit_l1_sent_clear(struct tacit_l1_sent *sent)
{
    free(sent->data);
    memset(sent, 0, sizeof *sent);
}

static int check_chain(struct tacit_l1_sender *s)
{
    uint64_t id;
    int rc;
    if (s->chain_checked) return TACIT_OK;
    if ((rc = tacit_l1_chain_id(s->l1, &id)) != TACIT_OK) return rc;
    if (id != s->o.chain_id) return TACIT_EL1_CHAIN_ID;
    s->chain_checked = true;
    return TACIT_OK;
}

static int refresh_nonce(struct tacit_l1_sender *s)
{
    int rc = tacit_l1_get_nonce(s->l1, s->from, TACIT_L1_PENDING, &s->next_nonce);
    s->nonce_known = rc == TACIT_OK;
    return rc;
}

int tacit_l1_sender_next_nonce(struct tacit_l1_sender *s, uint64_t *out)
{
    int rc = s->nonce_known ? TACIT_OK : refresh_nonce(s);
    *out = rc == TACIT_OK ? s->next_nonce : 0;
    return rc;
}

void tacit_l1_sender_forget_nonce(struct tacit_l1_sender *s) { s->nonce_known = false; }

static int cmp_u256(const void *a, const void *b) { return tacit_uint256_cmp(a, b); }

/* The market's priority fee: eth_maxPriorityFeePerGas, or the median of the last blocks'
 * 50th-percentile rewards when the node does not have that method. */
static int market_priority(struct tacit_l1_sender *s, tacit_uint256 *prio)
{
    struct tacit_l1_fee_history h;
    int rc = tacit_l1_max_priority_fee(s->l1, prio);
    if (rc != TACIT_EL1_RPC) return rc;
    if ((rc = tacit_l1_fee_history(s->l1, FEE_HISTORY_BLOCKS, TACIT_L1_LATEST, 50, &h)) != TACIT_OK)
        return rc;
    memset(prio, 0, sizeof *prio);
    if (h.n > 0) {
        qsort(h.reward, h.n, sizeof *h.reward, cmp_u256);
        *prio = h.reward[h.n / 2];
    }
    tacit_l1_fee_history_clear(&h);
    return TACIT_OK;
}

static tacit_uint256 max_u256(const tacit_uint256 *a, const tacit_uint256 *b)
{
    return tacit_uint256_cmp(a, b) >= 0 ? *a : *b;
}

/*
 * Fees for a transaction: at least the floors (a replacement's bumped fees; zero otherwise)
 * and the market's (priority, and 2 * base + priority). The cap bounds the max fee; a cap
 * below base + priority, or below a floor, cannot be met: TACIT_EL1_FEE_CAP.
 */
static int choose_fees(struct tacit_l1_sender *s, const tacit_uint256 *floor_prio,
                       const tacit_uint256 *floor_max, struct tacit_eth_tx *tx)
{
    struct tacit_l1_block b;
    tacit_uint256 prio, need, max;
    int rc;

    if ((rc = market_priority(s, &prio)) != TACIT_OK) return rc;
    if ((rc = tacit_l1_get_block(s->l1, TACIT_L1_LATEST, &b)) != TACIT_OK) return rc;
    if (!b.has_base_fee) return TACIT_EL1_REPLY; /* a chain before London: no EIP-1559 */
    prio = max_u256(&prio, floor_prio);
    if (tacit_uint256_add(&need, &b.base_fee, &prio) != TACIT_OK ||
        tacit_uint256_mul_u64(&max, &b.base_fee, 2) != TACIT_OK ||
        tacit_uint256_add(&max, &max, &prio) != TACIT_OK)
        return TACIT_EOVERFLOW;
    max = max_u256(&max, floor_max);
    if (!tacit_uint256_is_zero(&s->o.max_fee_cap)) {
        if (tacit_uint256_cmp(&need, &s->o.max_fee_cap) > 0 ||
            tacit_uint256_cmp(floor_max, &s->o.max_fee_cap) > 0)
            return TACIT_EL1_FEE_CAP;
        if (tacit_uint256_cmp(&max, &s->o.max_fee_cap) > 0) max = s->o.max_fee_cap;
    }
    tx->max_priority_fee_per_gas = prio;
    tx->max_fee_per_gas = max;
    return TACIT_OK;
}

/* Signs tx and sends it; the hash is set even when sending fails. */
static int sign_send(struct tacit_l1_sender *s, const struct tacit_eth_tx *tx, uint8_t hash[32])
{
    uint8_t *raw;
    size_t len;
    int rc = tacit_eth_tx_sign(&raw, &len, hash, tx, s->key);
    if (rc != TACIT_OK) return rc;
    rc = tacit_l1_send_raw(s->l1, raw, len);
    free(raw);
    return rc;
}

static bool transport_error(int rc) { return rc == TACIT_EL1_UNREACHABLE || rc == TACIT_ETIMEOUT; }

/* out->tx from req: the chain, the nonce known, the data copied, the gas (estimated when req
 * gives none), market fees; the nonce is the caller's to set. On error out is cleared. */
static int build(struct tacit_l1_sender *s, const struct tacit_l1_call *req,
                 struct tacit_l1_sent *out)
{
    static const tacit_uint256 zero;
    struct tacit_eth_tx *tx = &out->tx;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = check_chain(s)) != TACIT_OK) return rc;
    if (!s->nonce_known && (rc = refresh_nonce(s)) != TACIT_OK) return rc;
    if (req->data_len > 0 && (out->data = malloc(req->data_len)) == NULL) return TACIT_ENOMEM;
    if (req->data_len > 0) memcpy(out->data, req->data, req->data_len);
    tx->chain_id = s->o.chain_id;
    tx->create = req->create;
    memcpy(tx->to, req->to, sizeof tx->to);
    tx->value = req->value;
    tx->data = out->data;
    tx->data_len = req->data_len;
    tx->gas_limit = req->gas;
    if (tx->gas_limit == 0) {
        struct tacit_l1_call est = *req;
        uint64_t gas;
        est.has_from = true;
        memcpy(est.from, s->from, sizeof est.from);
        if ((rc = tacit_l1_estimate_gas(s->l1, &est, &gas)) != TACIT_OK) goto fail;
        if (s->o.gas_limit_max > 0 && gas > s->o.gas_limit_max) {
            rc = TACIT_ETOOBIG;
            goto fail;
        }
        tx->gas_limit =
            (uint64_t)((unsigned __int128)gas * (1000 + s->o.gas_margin_permille) / 1000);
        if (s->o.gas_limit_max > 0 && tx->gas_limit > s->o.gas_limit_max)
            tx->gas_limit = s->o.gas_limit_max;
    }
    if ((rc = choose_fees(s, &zero, &zero, tx)) != TACIT_OK) goto fail;
    return TACIT_OK;
fail:
    tacit_l1_sent_clear(out);
    return rc;
}

int tacit_l1_sender_prepare(struct tacit_l1_sender *s, const struct tacit_l1_call *req,
                            struct tacit_l1_sent *out, uint8_t **raw, size_t *raw_len)
{
    int rc;
    *raw = NULL;
    *raw_len = 0;
    if ((rc = build(s, req, out)) != TACIT_OK) return rc;
    out->tx.nonce = s->next_nonce;
    if ((rc = tacit_eth_tx_sign(raw, raw_len, out->hash, &out->tx, s->key)) != TACIT_OK) {
        tacit_l1_sent_clear(out);
        return rc;
    }
    s->next_nonce++; /* taken: the caller sends it (tacit_l1_send_raw), now or after a crash */
    return TACIT_OK;
}

int tacit_l1_sender_send(struct tacit_l1_sender *s, const struct tacit_l1_call *req,
                         struct tacit_l1_sent *out)
{
    struct tacit_eth_tx *tx = &out->tx;
    bool known;
    int rc;

    if ((rc = build(s, req, out)) != TACIT_OK) return rc;
    tx->nonce = s->next_nonce;
    rc = sign_send(s, tx, out->hash);
    if (rc == TACIT_EL1_NONCE_TOO_LOW || rc == TACIT_EL1_NONCE_TOO_HIGH) {
        /* our own transaction may be in already (an answer lost, the send retried): then the
         * nonce error is about it */
        if (tacit_l1_tx_known(s->l1, out->hash, &known) == TACIT_OK && known) {
            rc = TACIT_OK;
        } else if ((rc = refresh_nonce(s)) == TACIT_OK) {
            tx->nonce = s->next_nonce;
            rc = sign_send(s, tx, out->hash);
        }
    }
    if (rc == TACIT_OK) {
        s->next_nonce = tx->nonce + 1;
        return TACIT_OK;
    }
    if (transport_error(rc)) {
        s->nonce_known = false; /* it may have been used: ask before the next send */
        return rc;
    }
    tacit_l1_sent_clear(out);
    return rc;
}

/* A replacement's fees: both raised by bump_permille at least, and to the market. */
static int bumped_fees(struct tacit_l1_sender *s, struct tacit_eth_tx *tx)
{
    tacit_uint256 floor_prio, floor_max;
    unsigned per = 1000 + s->o.bump_permille;
    if (tacit_uint256_mul_div_ceil(&floor_prio, &tx->max_priority_fee_per_gas, per, 1000) !=
            TACIT_OK ||
        tacit_uint256_mul_div_ceil(&floor_max, &tx->max_fee_per_gas, per, 1000) != TACIT_OK)
        return TACIT_EOVERFLOW;
    return choose_fees(s, &floor_prio, &floor_max, tx);
}

int tacit_l1_sender_rebid(struct tacit_l1_sender *s, const uint8_t *raw, size_t raw_len,
                          uint8_t hash[32], uint8_t **out, size_t *out_len)
{
    struct tacit_eth_tx tx;
    uint8_t from[TACIT_ETH_ADDRESS_LEN];
    int rc;
    *out = NULL;
    *out_len = 0;
    if (tacit_eth_tx_decode(&tx, NULL, raw, raw_len) != TACIT_OK ||
        tacit_eth_tx_sender(from, raw, raw_len) != TACIT_OK ||
        memcmp(from, s->from, sizeof from) != 0 || tx.chain_id != s->o.chain_id)
        return TACIT_EINVAL;
    if ((rc = bumped_fees(s, &tx)) != TACIT_OK) return rc;
    return tacit_eth_tx_sign(out, out_len, hash, &tx, s->key); /* tx.data points into raw */
}

int tacit_l1_sender_replace(struct tacit_l1_sender *s, struct tacit_l1_sent *sent)
{
    struct tacit_eth_tx tx = sent->tx;
    uint8_t hash[32];
    int rc;

    if ((rc = bumped_fees(s, &tx)) != TACIT_OK) return rc;
    rc = sign_send(s, &tx, hash);
    if (rc == TACIT_OK || transport_error(rc)) {
        /* after a transport error the replacement may be in: the caller checks either hash */
        sent->tx = tx;
        memcpy(sent->hash, hash, 32);
    }
    if (transport_error(rc)) s->nonce_known = false;
    return rc;
}
