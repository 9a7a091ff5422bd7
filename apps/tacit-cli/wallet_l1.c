/*
 * tacit-cli — the wallet's L1 transactions (wallet_l1.h): `wallet deposit --l1-rpc URL
 * --l1-rollup ADDRESS` sends deposit(own address) with AMOUNT gwei before the shielding
 * transaction, `wallet claim` sends claim() (the endpoint and the contract from the flags, else
 * $TACIT_L1_RPC and $TACIT_L1_ROLLUP). The key signs with the L1 sender of src/l1 (nonce,
 * EIP-1559 fees, gas estimate); a refusal of the contract is named by the binding's errors.
 */
#include "wallet_l1.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"
#include "tacit/rollup.h"
#include "tacit/util.h"

/* What supplied the endpoint and the contract: a flag or its variable (tacit_cli_l1_from_env). */
static const char *rpc_name = "--l1-rpc", *rollup_name = "--l1-rollup";

static const char *env_value(const char *var)
{
    const char *v = getenv(var);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *tacit_cli_l1_from_env(const char **rpc, const char **rollup)
{
    if (*rpc == NULL && (*rpc = env_value("TACIT_L1_RPC")) != NULL) rpc_name = "$TACIT_L1_RPC";
    if (rollup != NULL && *rollup == NULL && (*rollup = env_value("TACIT_L1_ROLLUP")) != NULL)
        rollup_name = "$TACIT_L1_ROLLUP";
    return rpc_name;
}

static int say(char *err, size_t n, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *err, size_t n, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return rc;
}

/* An L1 failure in words: the node's message, or the contract's revert reason. */
static int l1_error(struct tacit_cli_l1 *c, int rc, const char *what, char *err, size_t n)
{
    const struct tacit_l1_error *e = tacit_l1_last_error(c->l1);
    if (rc == TACIT_EL1_REVERTED && e != NULL) {
        char why[256];
        int code = tacit_rollup_error(e->revert_data, e->revert_len, NULL);
        tacit_rollup_revert_reason(why, sizeof why, e->revert_data, e->revert_len);
        say(err, n, code, "%s: the contract refuses: %s", what, why);
        return code == TACIT_EL1_REVERTED ? rc : code;
    }
    if (e != NULL && e->message[0] != '\0') {
        char msg[256];
        size_t j = 0;
        for (size_t i = 0; e->message[i] != '\0' && j + 1 < sizeof msg; i++) /* printable only */
            msg[j++] = (e->message[i] >= 0x20 && e->message[i] < 0x7f) ? e->message[i] : '?';
        msg[j] = '\0';
        return say(err, n, rc, "%s: %s (%s)", what, tacit_strerror(rc), msg);
    }
    if (rc == TACIT_EL1_UNREACHABLE || rc == TACIT_ETIMEOUT)
        return say(err, n, rc, "%s: %s (is the L1 node at %s running?)", what, tacit_strerror(rc),
                   rpc_name);
    return say(err, n, rc, "%s: %s", what, tacit_strerror(rc));
}

int tacit_cli_l1_open(struct tacit_cli_l1 *c, const char *url, const char *rollup,
                      const uint8_t sk[32], unsigned timeout_ms, char *err, size_t n)
{
    struct tacit_l1_sender_opts o = {0};
    int rc;

    memset(c, 0, sizeof *c);
    c->timeout_ms = timeout_ms;
    if (rollup == NULL || strlen(rollup) != 42 ||
        tacit_hex_decode(c->rollup, sizeof c->rollup, rollup, true) != TACIT_OK)
        return say(err, n, TACIT_EINVAL, "%s: want the contract's 0x address of 40 hex digits",
                   rollup_name);
    if ((rc = tacit_l1_http_new(&c->l1, url, NULL)) != TACIT_OK)
        return say(err, n, rc,
                   rc == TACIT_EINVAL ? "%s: want http://HOST:PORT (no path) or unix:/PATH, "
                                        "not \"%s\""
                                      : "%s %s: out of memory",
                   rpc_name, url);
    if (sk != NULL && (rc = tacit_eth_key_new(&c->key, sk)) != TACIT_OK) {
        tacit_cli_l1_close(c);
        return say(err, n, rc, "the account's key is not a valid secp256k1 key");
    }
    if (sk != NULL) tacit_eth_key_address(c->key, c->from);
    if ((rc = tacit_l1_chain_id(c->l1, &c->chain_id)) != TACIT_OK) {
        l1_error(c, rc, rpc_name, err, n);
        tacit_cli_l1_close(c);
        return rc;
    }
    if (sk == NULL) return TACIT_OK; /* reading only */
    o.chain_id = c->chain_id;
    if ((rc = tacit_l1_sender_new(&c->sender, c->l1, c->key, &o)) != TACIT_OK) {
        tacit_cli_l1_close(c);
        return say(err, n, rc, "%s", tacit_strerror(rc));
    }
    return TACIT_OK;
}

void tacit_cli_l1_close(struct tacit_cli_l1 *c)
{
    tacit_l1_sender_free(c->sender);
    tacit_eth_key_free(c->key);
    tacit_l1_free(c->l1);
    c->sender = NULL;
    c->key = NULL;
    c->l1 = NULL;
}

int tacit_cli_l1_balance(struct tacit_cli_l1 *c, tacit_uint256 *out, char *err, size_t n)
{
    int rc = tacit_l1_get_balance(c->l1, c->from, TACIT_L1_LATEST, out);
    return rc == TACIT_OK ? rc : l1_error(c, rc, "eth_getBalance", err, n);
}

/* Sends data (value wei) to the contract, waits for a successful receipt and reads its event
 * of kind want into ev (when one is there: *found). */
static int send_wait(struct tacit_cli_l1 *c, const uint8_t *data, size_t len,
                     const tacit_uint256 *value, const char *what,
                     enum tacit_rollup_event_kind want, struct tacit_rollup_event *ev, bool *found,
                     struct tacit_cli_l1_result *r, char *err, size_t n)
{
    struct tacit_l1_call req = {.data = data, .data_len = len};
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt rcpt;
    int rc;

    memset(&sent, 0, sizeof sent);
    memset(&rcpt, 0, sizeof rcpt);
    memcpy(req.to, c->rollup, sizeof req.to);
    req.value = *value;
    *found = false;
    if ((rc = tacit_l1_sender_send(c->sender, &req, &sent)) != TACIT_OK) {
        tacit_l1_sent_clear(&sent);
        return l1_error(c, rc, what, err, n);
    }
    memcpy(r->tx_hash, sent.hash, 32);
    tacit_l1_sent_clear(&sent);
    rc = tacit_l1_wait_success(c->l1, r->tx_hash, c->timeout_ms, 200, &rcpt);
    if (rc == TACIT_ETIMEOUT) {
        char h[67];
        tacit_hex_encode(h, r->tx_hash, 32);
        return say(err, n, rc, "%s: sent as %s, not mined after %u s", what, h,
                   c->timeout_ms / 1000);
    }
    if (rc != TACIT_OK && rc != TACIT_EL1_TX_FAILED) return l1_error(c, rc, what, err, n);
    r->block_number = rcpt.block_number;
    r->gas_used = rcpt.gas_used;
    r->gas_price = rcpt.effective_gas_price;
    if (rc == TACIT_EL1_TX_FAILED) {
        char h[67];
        tacit_hex_encode(h, r->tx_hash, 32);
        tacit_l1_receipt_clear(&rcpt);
        return say(err, n, rc, "%s: %s failed in L1 block %llu (%s)", what, h,
                   (unsigned long long)r->block_number, tacit_strerror(rc));
    }
    for (size_t i = 0; i < rcpt.nlogs && !*found; i++)
        if (memcmp(rcpt.logs[i].address, c->rollup, 20) == 0 &&
            tacit_rollup_decode_event(ev, &rcpt.logs[i]) == TACIT_OK && ev->kind == want)
            *found = true;
    tacit_l1_receipt_clear(&rcpt);
    return TACIT_OK;
}

int tacit_cli_l1_deposit(struct tacit_cli_l1 *c, uint64_t amount, struct tacit_cli_l1_result *r,
                         char *err, size_t n)
{
    struct tacit_rollup_event ev;
    uint8_t *data = NULL;
    size_t len = 0;
    tacit_uint256 value, gwei;
    bool found;
    int rc;

    memset(r, 0, sizeof *r);
    tacit_uint256_from_u64(&gwei, amount);
    if (tacit_uint256_mul_u64(&value, &gwei, TACIT_ROLLUP_GWEI) != TACIT_OK)
        return say(err, n, TACIT_EOVERFLOW, "amount too large");
    if ((rc = tacit_rollup_deposit_call(&data, &len, c->from)) != TACIT_OK)
        return say(err, n, rc, "%s", tacit_strerror(rc));
    rc = send_wait(c, data, len, &value, "the L1 deposit", TACIT_ROLLUP_DEPOSITED, &ev, &found, r,
                   err, n);
    free(data);
    if (rc != TACIT_OK) return rc;
    r->wei = value;
    if (!found || ev.amount != amount || memcmp(ev.account, c->from, 20) != 0)
        return say(err, n, TACIT_EL1_REPLY,
                   "the L1 deposit was mined but its receipt has no Deposited event of this "
                   "amount and account (is %s the rollup contract?)",
                   rollup_name);
    r->queue_index = ev.index;
    return TACIT_OK;
}

int tacit_cli_l1_claim(struct tacit_cli_l1 *c, struct tacit_cli_l1_result *r, char *err, size_t n)
{
    struct tacit_rollup_event ev;
    uint8_t *data = NULL;
    size_t len = 0;
    tacit_uint256 zero;
    bool found;
    int rc;

    memset(r, 0, sizeof *r);
    tacit_uint256_from_u64(&zero, 0);
    if ((rc = tacit_rollup_claim_call(&data, &len)) != TACIT_OK)
        return say(err, n, rc, "%s", tacit_strerror(rc));
    rc = send_wait(c, data, len, &zero, "claim", TACIT_ROLLUP_CLAIMED, &ev, &found, r, err, n);
    free(data);
    if (rc == TACIT_ENOTFOUND) {
        char a[43];
        tacit_hex_encode(a, c->from, 20);
        return say(err, n, rc,
                   "nothing to claim for %s (NothingToClaim): withdrawals to it become claimable "
                   "once their block settles on L1",
                   a);
    }
    if (rc != TACIT_OK) return rc;
    if (!found || memcmp(ev.account, c->from, 20) != 0)
        return say(err, n, TACIT_EL1_REPLY,
                   "claim() was mined but its receipt has no Claimed event for this account (is "
                   "%s the rollup contract?)",
                   rollup_name);
    r->wei = ev.wei;
    return TACIT_OK;
}

int tacit_cli_l1_claimed(struct tacit_cli_l1 *c, const uint8_t submit_tx[32], uint64_t height,
                         const uint8_t account[TACIT_ETH_ADDRESS_LEN], bool *claimed,
                         struct tacit_cli_l1_result *r, char *err, size_t n)
{
    struct tacit_l1_receipt rec;
    struct tacit_l1_filter f;
    struct tacit_l1_log *logs = NULL;
    struct tacit_rollup_event ev;
    const uint8_t(*rollup)[TACIT_ETH_ADDRESS_LEN] = &c->rollup;
    uint8_t topic[32], who[32] = {0};
    uint64_t at = UINT64_MAX;
    size_t nlogs = 0;
    int rc;

    *claimed = false;
    memset(r, 0, sizeof *r);
    memset(&rec, 0, sizeof rec);
    /* where the block credited the withdrawal: its BlockSubmitted log */
    if ((rc = tacit_l1_get_receipt(c->l1, submit_tx, &rec)) != TACIT_OK)
        return l1_error(c, rc, "the block's L1 transaction", err, n);
    for (size_t i = 0; i < rec.nlogs; i++)
        if (memcmp(rec.logs[i].address, c->rollup, TACIT_ETH_ADDRESS_LEN) == 0 &&
            tacit_rollup_decode_event(&ev, &rec.logs[i]) == TACIT_OK &&
            ev.kind == TACIT_ROLLUP_BLOCK_SUBMITTED && ev.height == height)
            at = rec.logs[i].log_index;
    if (!rec.success || at == UINT64_MAX) {
        tacit_l1_receipt_clear(&rec);
        return say(err, n, TACIT_ENOTFOUND,
                   "the block's L1 transaction did not submit block %llu to this contract",
                   (unsigned long long)height);
    }
    /* a Claimed(account) after it: claim() paid everything claimable, this withdrawal with it */
    if ((rc = tacit_rollup_event_topic(topic, TACIT_ROLLUP_CLAIMED)) != TACIT_OK) goto out;
    memcpy(who + 12, account, TACIT_ETH_ADDRESS_LEN);
    memset(&f, 0, sizeof f);
    f.from_block = rec.block_number;
    f.to_block = TACIT_L1_LATEST;
    f.addresses = rollup;
    f.naddresses = 1;
    f.topics[0] = topic;
    f.topics[1] = who;
    if ((rc = tacit_l1_get_logs(c->l1, &f, &logs, &nlogs)) != TACIT_OK) {
        l1_error(c, rc, "eth_getLogs (Claimed)", err, n);
        goto out;
    }
    for (size_t i = 0; i < nlogs && !*claimed; i++) {
        if (logs[i].removed ||
            (logs[i].block_number == rec.block_number && logs[i].log_index <= at) ||
            tacit_rollup_decode_event(&ev, &logs[i]) != TACIT_OK ||
            ev.kind != TACIT_ROLLUP_CLAIMED ||
            memcmp(ev.account, account, TACIT_ETH_ADDRESS_LEN) != 0)
            continue;
        *claimed = true;
        memcpy(r->tx_hash, logs[i].tx_hash, 32);
        r->block_number = logs[i].block_number;
        r->wei = ev.wei;
    }
out:
    tacit_l1_logs_free(logs, nlogs);
    tacit_l1_receipt_clear(&rec);
    return rc;
}

int tacit_cli_l1_force(struct tacit_cli_l1 *c, const uint8_t tx[TACIT_TX_BYTES],
                       struct tacit_cli_l1_result *r, char *err, size_t n)
{
    struct tacit_rollup_event *ev;
    uint8_t *data = NULL;
    size_t len = 0;
    tacit_uint256 zero;
    bool found;
    int rc;

    memset(r, 0, sizeof *r);
    tacit_uint256_from_u64(&zero, 0);
    if ((ev = malloc(sizeof *ev)) == NULL) return say(err, n, TACIT_ENOMEM, "out of memory");
    if ((rc = tacit_rollup_force_call(&data, &len, tx)) != TACIT_OK) {
        free(ev);
        return say(err, n, rc, "%s", tacit_strerror(rc));
    }
    rc = send_wait(c, data, len, &zero, "forceTransaction", TACIT_ROLLUP_FORCED, ev, &found, r, err,
                   n);
    free(data);
    if (rc == TACIT_OK && (!found || memcmp(ev->tx, tx, TACIT_TX_BYTES) != 0))
        rc = say(err, n, TACIT_EL1_REPLY,
                 "forceTransaction was mined but its receipt has no ForcedTransaction event of "
                 "this transaction (is %s the rollup contract?)",
                 rollup_name);
    if (rc == TACIT_OK) r->queue_index = ev->index;
    free(ev);
    return rc;
}

int tacit_cli_l1_force_delay(struct tacit_cli_l1 *c, uint64_t *t)
{
    static const char sig[] = "forceDelay()";
    struct tacit_l1_call req;
    uint8_t sel[32], *out = NULL;
    size_t len = 0;
    int rc;

    *t = 0;
    memset(&req, 0, sizeof req);
    tacit_keccak256(sel, (const uint8_t *)sig, sizeof sig - 1);
    memcpy(req.to, c->rollup, sizeof req.to);
    req.data = sel;
    req.data_len = 4;
    if ((rc = tacit_l1_call(c->l1, &req, TACIT_L1_LATEST, &out, &len)) != TACIT_OK) return rc;
    if (len != 32) rc = TACIT_EL1_REPLY;
    for (size_t i = 24; rc == TACIT_OK && i < 32; i++) *t = (*t << 8) | out[i];
    free(out);
    return rc;
}
