/*
 * tacit — the parts of a settler that need no contract ABI, over the L1 port (include/tacit/
 * settle.h, "tacit_settle_l1_*"; include/tacit/l1.h): the L1 heads, what became of a sent
 * transaction (with the revert reason of a failed one, found by replaying it), and the send.
 * The contract client's settler calls them from its own ops; its prepare (TacitRollup's
 * calldata, signed by the sender) and messages (the contract's queue) are the contract's.
 * Blocking, like every call of the port: the node makes them on its settlement lane.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/l1.h"
#include "tacit/settle.h"

int tacit_settle_l1_heads(struct tacit_l1 *l1, uint32_t final_depth, struct tacit_settle_heads *out)
{
    struct tacit_l1_block b;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = tacit_l1_block_number(l1, &out->latest)) != TACIT_OK) return rc;
    if (final_depth > 0) {
        out->finalized = out->latest > final_depth ? out->latest - final_depth : 0;
        return TACIT_OK;
    }
    if ((rc = tacit_l1_get_block(l1, TACIT_L1_FINALIZED, &b)) != TACIT_OK) return rc;
    out->finalized = b.number < out->latest ? b.number : out->latest;
    return TACIT_OK;
}

/* A failed transaction's revert reason: the same call (sender, target, value, data, gas) at
 * the block before its own. The state may differ from the one it met (transactions before it
 * in its block), so the replay may succeed: then the reason says so. */
static void replay_reason(struct tacit_l1 *l1, const uint8_t *raw, size_t raw_len, uint64_t block,
                          const char *const *custom, size_t ncustom, char *out, size_t n)
{
    struct tacit_eth_tx tx;
    struct tacit_l1_call call;
    const struct tacit_l1_error *e;
    uint8_t *ret = NULL;
    size_t len = 0;
    int rc;
    if (raw == NULL || tacit_eth_tx_decode(&tx, NULL, raw, raw_len) != TACIT_OK) {
        snprintf(out, n, "failed (no transaction bytes to replay for its reason)");
        return;
    }
    memset(&call, 0, sizeof call);
    call.has_from = tacit_eth_tx_sender(call.from, raw, raw_len) == TACIT_OK;
    call.create = tx.create;
    memcpy(call.to, tx.to, sizeof call.to);
    call.value = tx.value;
    call.data = tx.data;
    call.data_len = tx.data_len;
    call.gas = tx.gas_limit;
    rc = tacit_l1_call(l1, &call, block > 0 ? block - 1 : 0, &ret, &len);
    free(ret);
    e = tacit_l1_last_error(l1);
    if (rc == TACIT_EL1_REVERTED)
        tacit_l1_revert_reason(out, n, e->revert_data, e->revert_len, custom, ncustom);
    else if (rc == TACIT_OK)
        snprintf(out, n, "failed (out of gas, or the state it met: its replay succeeds)");
    else
        snprintf(out, n, "failed (its replay for the reason: %s)", tacit_strerror(rc));
}

int tacit_settle_l1_lookup(struct tacit_l1 *l1, const uint8_t hash[32], const uint8_t *raw,
                           size_t raw_len, const char *const *custom, size_t ncustom,
                           struct tacit_settle_receipt *out)
{
    struct tacit_l1_receipt r;
    bool known = false;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&r, 0, sizeof r);
    rc = tacit_l1_get_receipt(l1, hash, &r);
    if (rc == TACIT_ENOTFOUND) {
        if ((rc = tacit_l1_tx_known(l1, hash, &known)) != TACIT_OK) return rc;
        out->state = known ? TACIT_SETTLE_TX_PENDING : TACIT_SETTLE_TX_UNKNOWN;
        return TACIT_OK;
    }
    if (rc != TACIT_OK) return rc;
    out->block = r.block_number;
    memcpy(out->block_hash, r.block_hash, 32);
    out->gas_used = r.gas_used;
    out->state = r.success ? TACIT_SETTLE_TX_INCLUDED : TACIT_SETTLE_TX_REVERTED;
    tacit_l1_receipt_clear(&r);
    if (out->state == TACIT_SETTLE_TX_REVERTED)
        replay_reason(l1, raw, raw_len, out->block, custom, ncustom, out->reason,
                      sizeof out->reason);
    return TACIT_OK;
}

int tacit_settle_l1_send(struct tacit_l1 *l1, const uint8_t *raw, size_t raw_len)
{
    return tacit_l1_send_raw(l1, raw, raw_len);
}
