/*
 * tacit — fuzz target for tacit_block_decode (docs/protocol.md section 4): the block encoding
 * a follower receives from the sequencer. Checks: only the documented error codes, *out NULL
 * on failure; on success the header encodes back to the input's first bytes, every tx sits
 * at its offset with its own id, the copy equals the input, and the tx root and signature
 * check run to a documented code.
 */
#include <string.h>

#include "fuzz.h"
#include "tacit/chain.h"
#include "tacit/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tacit_block *b = (struct tacit_block *)&b;
    uint8_t hdr[TACIT_BLOCK_HEADER_BYTES], enc[TACIT_TX_BYTES], id[32], hash[32], root[32];
    int rc;

    rc = tacit_block_decode(&b, data, size);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EENCODING || rc == TACIT_ETRAILING ||
               rc == TACIT_EVERSION || rc == TACIT_ETOOBIG || rc == TACIT_EPUBLIC_INPUT ||
               rc == TACIT_ENOMEM);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(b == NULL);
        return 0;
    }
    FUZZ_CHECK(b->len == size && memcmp(b->bytes, data, size) == 0);
    tacit_block_header_encode(hdr, &b->header);
    FUZZ_CHECK(memcmp(hdr, data, sizeof hdr) == 0);
    tacit_block_hash(hash, &b->header);
    FUZZ_CHECK(memcmp(hash, b->hash, 32) == 0);
    FUZZ_CHECK(b->ncredits <= TACIT_BLOCK_MAX_CREDITS && b->ntxs <= TACIT_BLOCK_MAX_TXS);
    for (size_t i = 0; i < b->ntxs; i++) {
        FUZZ_CHECK(b->tx_offsets[i] + TACIT_TX_BYTES <= size);
        tacit_tx_encode(enc, &b->txs[i]);
        FUZZ_CHECK(memcmp(enc, data + b->tx_offsets[i], TACIT_TX_BYTES) == 0);
        tacit_tx_id(id, &b->txs[i]);
        FUZZ_CHECK(memcmp(id, b->tx_ids[i], 32) == 0);
    }
    tacit_block_tx_root(root, (const uint8_t(*)[32])b->tx_ids, b->ntxs, b->credits, b->ncredits);
    rc = tacit_block_check_signature(&b->header);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EBLOCK_SIGNATURE);
    tacit_block_free(b);
    return 0;
}
