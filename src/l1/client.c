/*
 * tacit — the L1 port (include/tacit/l1.h): the handle around an implementation's ops (each
 * call clears the error detail, then calls through), receipt polling, and the naming of revert
 * data (Solidity documentation, "Error handling: Assert, Require, Revert and Exceptions":
 * Error(string), Panic(uint256) and its codes, custom errors by selector).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "l1/l1_internal.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/l1.h"

struct tacit_l1 {
    const struct tacit_l1_ops *ops;
    void *ctx;
    struct tacit_l1_error err;
};

int tacit_l1_new(struct tacit_l1 **out, const struct tacit_l1_ops *ops, void *ctx)
{
    struct tacit_l1 *l1 = calloc(1, sizeof *l1);
    *out = NULL;
    if (l1 == NULL) return TACIT_ENOMEM;
    l1->ops = ops;
    l1->ctx = ctx;
    *out = l1;
    return TACIT_OK;
}

static void error_clear(struct tacit_l1_error *e)
{
    free(e->revert_data);
    memset(e, 0, sizeof *e);
}

void tacit_l1_free(struct tacit_l1 *l1)
{
    if (l1 == NULL) return;
    if (l1->ops->free) l1->ops->free(l1->ctx);
    error_clear(&l1->err);
    free(l1);
}

const struct tacit_l1_error *tacit_l1_last_error(const struct tacit_l1 *l1) { return &l1->err; }

void tacit_l1_logs_free(struct tacit_l1_log *logs, size_t n)
{
    if (logs == NULL) return;
    for (size_t i = 0; i < n; i++) free(logs[i].data);
    free(logs);
}

void tacit_l1_receipt_clear(struct tacit_l1_receipt *r)
{
    tacit_l1_logs_free(r->logs, r->nlogs);
    memset(r, 0, sizeof *r);
}

void tacit_l1_tx_clear(struct tacit_l1_tx *t)
{
    free(t->input);
    memset(t, 0, sizeof *t);
}

void tacit_l1_fee_history_clear(struct tacit_l1_fee_history *h)
{
    free(h->base_fee);
    free(h->reward);
    memset(h, 0, sizeof *h);
}

/* Clears the detail, then calls op with the context and the detail. */
#define CALL(l1, op, ...) \
    (error_clear(&(l1)->err), (l1)->ops->op((l1)->ctx, &(l1)->err, __VA_ARGS__))

int tacit_l1_chain_id(struct tacit_l1 *l1, uint64_t *out) { return CALL(l1, chain_id, out); }

int tacit_l1_block_number(struct tacit_l1 *l1, uint64_t *out)
{
    return CALL(l1, block_number, out);
}

int tacit_l1_get_block(struct tacit_l1 *l1, uint64_t block, struct tacit_l1_block *out)
{
    return CALL(l1, get_block, block, out);
}

int tacit_l1_get_balance(struct tacit_l1 *l1, const uint8_t address[20], uint64_t block,
                         tacit_uint256 *out)
{
    return CALL(l1, get_balance, address, block, out);
}

int tacit_l1_get_nonce(struct tacit_l1 *l1, const uint8_t address[20], uint64_t block,
                       uint64_t *out)
{
    return CALL(l1, get_nonce, address, block, out);
}

int tacit_l1_max_priority_fee(struct tacit_l1 *l1, tacit_uint256 *out)
{
    return CALL(l1, max_priority_fee, out);
}

int tacit_l1_fee_history(struct tacit_l1 *l1, unsigned nblocks, uint64_t newest,
                         unsigned percentile, struct tacit_l1_fee_history *out)
{
    return CALL(l1, fee_history, nblocks, newest, percentile, out);
}

int tacit_l1_estimate_gas(struct tacit_l1 *l1, const struct tacit_l1_call *call, uint64_t *out)
{
    return CALL(l1, estimate_gas, call, out);
}

int tacit_l1_call(struct tacit_l1 *l1, const struct tacit_l1_call *call, uint64_t block,
                  uint8_t **out, size_t *len)
{
    return CALL(l1, call, call, block, out, len);
}

int tacit_l1_send_raw(struct tacit_l1 *l1, const uint8_t *raw, size_t len)
{
    return CALL(l1, send_raw, raw, len);
}

int tacit_l1_tx_known(struct tacit_l1 *l1, const uint8_t hash[32], bool *known)
{
    return CALL(l1, tx_known, hash, known);
}

int tacit_l1_get_tx(struct tacit_l1 *l1, const uint8_t hash[32], struct tacit_l1_tx *out)
{
    if (l1->ops->get_tx == NULL) {
        memset(out, 0, sizeof *out);
        return TACIT_EINVAL;
    }
    return CALL(l1, get_tx, hash, out);
}

int tacit_l1_get_receipt(struct tacit_l1 *l1, const uint8_t hash[32], struct tacit_l1_receipt *out)
{
    return CALL(l1, get_receipt, hash, out);
}

int tacit_l1_get_logs(struct tacit_l1 *l1, const struct tacit_l1_filter *f,
                      struct tacit_l1_log **out, size_t *n)
{
    return CALL(l1, get_logs, f, out, n);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void tacit__l1_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

int tacit_l1_wait_receipt(struct tacit_l1 *l1, const uint8_t hash[32], unsigned timeout_ms,
                          unsigned poll_ms, struct tacit_l1_receipt *out)
{
    uint64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int rc = tacit_l1_get_receipt(l1, hash, out);
        if (rc != TACIT_ENOTFOUND) return rc;
        if (now_ms() >= deadline) return TACIT_ETIMEOUT;
        tacit__l1_sleep_ms(poll_ms ? poll_ms : 100);
    }
}

int tacit_l1_wait_success(struct tacit_l1 *l1, const uint8_t hash[32], unsigned timeout_ms,
                          unsigned poll_ms, struct tacit_l1_receipt *out)
{
    int rc = tacit_l1_wait_receipt(l1, hash, timeout_ms, poll_ms, out);
    return rc == TACIT_OK && !out->success ? TACIT_EL1_TX_FAILED : rc;
}

/* ------------------------------------------------------------------ reverts ---- */

/* Solidity's panic codes ("Panic via assert and error conditions"). */
static const char *panic_name(uint64_t code)
{
    switch (code) {
    case 0x00: return "generic compiler panic";
    case 0x01: return "assert failed";
    case 0x11: return "arithmetic overflow or underflow";
    case 0x12: return "division or modulo by zero";
    case 0x21: return "enum conversion out of range";
    case 0x22: return "bad storage byte array encoding";
    case 0x31: return "pop on an empty array";
    case 0x32: return "array index out of bounds";
    case 0x41: return "too much memory allocated";
    case 0x51: return "call to an uninitialised function";
    default: return "unknown panic code";
    }
}

/* Decodes data after the selector with the parameters of sig and prints "sig: values". */
static bool describe(char *out, size_t n, const char *sig, const uint8_t *data, size_t len)
{
    struct tacit_abi_type *params;
    struct tacit_abi_value *v;
    char *canon, vals[512];
    bool ok = false;

    if (tacit_abi_signature_parse(&canon, &params, sig) != TACIT_OK) return false;
    if (tacit_abi_decode_call(&v, canon, data, len) == TACIT_OK) {
        tacit_abi_value_format(vals, sizeof vals, params, v);
        snprintf(out, n, "%s: %s", canon, vals);
        tacit_abi_value_free(v);
        ok = true;
    }
    free(canon);
    tacit_abi_type_free(params);
    return ok;
}

void tacit_l1_revert_reason(char *out, size_t n, const uint8_t *data, size_t len,
                            const char *const *custom, size_t ncustom)
{
    static const uint8_t error_sel[4] = {0x08, 0xc3, 0x79, 0xa0},
                         panic_sel[4] = {0x4e, 0x48, 0x7b, 0x71};
    struct tacit_abi_value *v;

    if (n == 0) return;
    out[0] = '\0';
    if (len == 0) {
        snprintf(out, n, "no revert data");
        return;
    }
    if (len >= 4 && memcmp(data, error_sel, 4) == 0 && describe(out, n, "Error(string)", data, len))
        return;
    if (len >= 4 && memcmp(data, panic_sel, 4) == 0 &&
        tacit_abi_decode_call(&v, "Panic(uint256)", data, len) == TACIT_OK) {
        uint64_t code;
        if (tacit_abi_get_u64(&code, &v->items[0]) != TACIT_OK) code = UINT64_MAX;
        snprintf(out, n, "Panic(uint256): 0x%llx (%s)", (unsigned long long)code, panic_name(code));
        tacit_abi_value_free(v);
        return;
    }
    for (size_t i = 0; i < ncustom && len >= 4; i++) {
        uint8_t sel[4];
        if (tacit_abi_selector(sel, custom[i]) == TACIT_OK && memcmp(sel, data, 4) == 0 &&
            describe(out, n, custom[i], data, len))
            return;
    }
    if (len < 4)
        snprintf(out, n, "malformed revert data (%zu bytes)", len);
    else
        snprintf(out, n, "unknown error 0x%02x%02x%02x%02x (%zu bytes)", data[0], data[1], data[2],
                 data[3], len);
}
