/*
 * tacit — fuzz target for tacit_tx_decode (docs/protocol.md section 2): the transaction
 * encoding that arrives from wallets over JSON-RPC and inside blocks from the sequencer.
 * Checks: only the documented error codes; the output zeroed on failure; a decoded tx
 * encodes back to exactly the input (one encoding per tx); the id ignores the proof bytes;
 * the static rules and the proof-point check return documented codes and never crash.
 */
#include <string.h>

#include "fuzz.h"
#include "tacit/chain.h"
#include "tacit/error.h"

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct tacit_chain_params p = {.chain_id = 1, .min_fee = 1};
    struct tacit_tx tx, m;
    tacit_groth16_proof proof;
    uint8_t out[TACIT_TX_BYTES], id[32], id2[32];
    int rc;

    memset(&tx, 0xa5, sizeof tx);
    rc = tacit_tx_decode(&tx, data, size);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EENCODING || rc == TACIT_ETRAILING ||
               rc == TACIT_EVERSION || rc == TACIT_EPUBLIC_INPUT);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(all_zero(&tx, sizeof tx));
        /* a tx is never accepted from fewer or more bytes than its size */
        return 0;
    }
    FUZZ_CHECK(size == TACIT_TX_BYTES);
    tacit_tx_encode(out, &tx);
    FUZZ_CHECK(memcmp(out, data, size) == 0);

    tacit_tx_id(id, &tx);
    m = tx;
    m.proof[0] ^= 0xff;
    tacit_tx_id(id2, &m);
    FUZZ_CHECK(memcmp(id, id2, 32) == 0);

    rc = tacit_tx_check_static(&tx, &p);
    /* EVERSION: a well-formed tx of the other protocol (v2 on this v1 chain, docs/protocol.md 8) */
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EVERSION || rc == TACIT_ECHAIN_ID ||
               rc == TACIT_EFEE_TOO_LOW || rc == TACIT_EOVERFLOW || rc == TACIT_EEXT_DATA_HASH ||
               rc == TACIT_EPUBLIC_AMOUNT || rc == TACIT_ENULLIFIER_REPEATED ||
               rc == TACIT_EWITHDRAW_RECIPIENT || rc == TACIT_EDEPOSIT_HIGH_S ||
               rc == TACIT_EDEPOSIT_SIG);
    if (tx.ext.deposit_amount > 0) {
        uint8_t digest[32], addr[TACIT_ADDRESS_LEN];
        tacit_tx_deposit_digest(digest, &tx, p.rollup_id);
        rc = tacit_deposit_recover(addr, tx.ext.deposit_sig, digest);
        FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EDEPOSIT_HIGH_S || rc == TACIT_EDEPOSIT_SIG);
    }
    rc = tacit_tx_proof(&proof, &tx);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_ENONCANONICAL || rc == TACIT_ENOT_ON_CURVE ||
               rc == TACIT_EINFINITY || rc == TACIT_ENOT_IN_SUBGROUP);
    return 0;
}
