/*
 * tacit — fuzz target for the L1 decoders (module l1), which read what an Ethereum node sends:
 * RLP (include/tacit/rlp.h), EIP-1559 raw transactions (eth.h) and ABI data (abi.h).
 * Checks: only the documented error codes; an RLP item that decodes re-encodes to exactly the
 * input (one encoding per value); a decoded transaction's sender recovery returns a documented
 * code; ABI data that decodes (as one of a few types, chosen by the first byte) re-encodes to
 * data that decodes to the same value.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/rlp.h"

static int rlp_code_ok(int rc)
{
    return rc == TACIT_OK || rc == TACIT_ERLP_TRUNCATED || rc == TACIT_ERLP_NONCANONICAL_LENGTH ||
           rc == TACIT_ERLP_NONCANONICAL_BYTE || rc == TACIT_ETRAILING;
}

/* Re-encodes a decoded item (depth-first); false on a decoding error inside. */
static int reencode(struct tacit_rlp_enc *e, const struct tacit_rlp_item *item)
{
    struct tacit_rlp_iter it;
    struct tacit_rlp_item x;
    int rc;
    if (!item->is_list) {
        tacit_rlp_put_bytes(e, item->payload, item->len);
        return TACIT_OK;
    }
    tacit_rlp_list_begin(e);
    FUZZ_CHECK(tacit_rlp_iter_init(&it, item) == TACIT_OK);
    while (!tacit_rlp_iter_done(&it)) {
        if ((rc = tacit_rlp_iter_next(&it, &x)) != TACIT_OK) return rc;
        if ((rc = reencode(e, &x)) != TACIT_OK) return rc;
    }
    tacit_rlp_list_end(e);
    return TACIT_OK;
}

static void fuzz_rlp(const uint8_t *data, size_t size)
{
    struct tacit_rlp_item item;
    struct tacit_rlp_enc e;
    uint8_t *out;
    size_t n;
    int rc = tacit_rlp_decode(&item, data, size);
    FUZZ_CHECK(rlp_code_ok(rc));
    if (rc != TACIT_OK) return;
    tacit_rlp_enc_init(&e);
    rc = reencode(&e, &item);
    FUZZ_CHECK(rlp_code_ok(rc));
    if (rc != TACIT_OK) { /* an item deeper inside was refused */
        tacit_rlp_enc_clear(&e);
        return;
    }
    rc = tacit_rlp_enc_finish(&e, &out, &n);
    if (rc == TACIT_EINVAL) return; /* nested deeper than the encoder's TACIT_RLP_MAX_DEPTH */
    FUZZ_CHECK(rc == TACIT_OK);
    FUZZ_CHECK(n == size && memcmp(out, data, n) == 0);
    free(out);
}

static void fuzz_tx(const uint8_t *data, size_t size)
{
    struct tacit_eth_tx tx;
    uint8_t sig[TACIT_ETH_SIG_LEN], from[20];
    int rc = tacit_eth_tx_decode(&tx, sig, data, size);
    FUZZ_CHECK(rlp_code_ok(rc) || rc == TACIT_EL1_TX_TYPE || rc == TACIT_ERLP_ITEMS ||
               rc == TACIT_ERLP_TYPE || rc == TACIT_ERLP_LEADING_ZERO || rc == TACIT_EOVERFLOW ||
               rc == TACIT_EENCODING || rc == TACIT_EL1_SIGNATURE);
    if (rc != TACIT_OK) return;
    FUZZ_CHECK(tx.data_len == 0 || (tx.data >= data && tx.data + tx.data_len <= data + size));
    rc = tacit_eth_tx_sender(from, data, size);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EL1_SIGNATURE);
}

static void fuzz_abi(const uint8_t *data, size_t size)
{
    static const char *types[] = {"(bytes)", "(uint256[],bytes32,(address,string)[])",
                                  "(uint8,int16,bool,bytes4)", "(bytes[][2],uint64)",
                                  "uint256[2][]"};
    struct tacit_abi_type *t;
    struct tacit_abi_value *v, *w;
    uint8_t *enc;
    size_t n;
    int rc;

    if (size == 0) return;
    FUZZ_CHECK(tacit_abi_type_parse(&t, types[data[0] % (sizeof types / sizeof types[0])]) ==
               TACIT_OK);
    rc = tacit_abi_decode(&v, t, data + 1, size - 1);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EABI_OFFSET || rc == TACIT_EABI_PADDING ||
               rc == TACIT_EABI_BOOL || rc == TACIT_ETOOBIG);
    FUZZ_CHECK((rc == TACIT_OK) == (v != NULL));
    if (rc == TACIT_OK) {
        FUZZ_CHECK(tacit_abi_encode(&enc, &n, t, v) == TACIT_OK);
        FUZZ_CHECK(tacit_abi_decode(&w, t, enc, n) == TACIT_OK);
        free(enc);
        FUZZ_CHECK(tacit_abi_encode(&enc, &n, t, w) == TACIT_OK); /* the canonical form is stable */
        tacit_abi_value_free(w);
        free(enc);
        tacit_abi_value_free(v);
    }
    tacit_abi_type_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_rlp(data, size);
    fuzz_tx(data, size);
    fuzz_abi(data, size);
    return 0;
}
