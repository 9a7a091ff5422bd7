/*
 * tacit — EIP-1559 transactions (include/tacit/eth.h): the signing payload, signing, the
 * EIP-2718 typed envelope (0x02 || rlp(fields)), strict decoding and sender recovery.
 * EIP-1559 "Specification" gives the field order; EIP-2718 the envelope; EIP-155's chain id is
 * the first field.
 */
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"
#include "tacit/rlp.h"

#define TX_TYPE_1559 0x02

/* The 9 fields every form starts with (signing payload and signed transaction). */
static void put_fields(struct tacit_rlp_enc *e, const struct tacit_eth_tx *tx)
{
    tacit_rlp_put_u64(e, tx->chain_id);
    tacit_rlp_put_u64(e, tx->nonce);
    tacit_rlp_put_uint256(e, &tx->max_priority_fee_per_gas);
    tacit_rlp_put_uint256(e, &tx->max_fee_per_gas);
    tacit_rlp_put_u64(e, tx->gas_limit);
    tacit_rlp_put_bytes(e, tx->to, tx->create ? 0 : TACIT_ETH_ADDRESS_LEN);
    tacit_rlp_put_uint256(e, &tx->value);
    tacit_rlp_put_bytes(e, tx->data, tx->data_len);
    tacit_rlp_list_begin(e); /* access list: always empty here */
    tacit_rlp_list_end(e);
}

/* 0x02 || rlp([fields..., (y_parity, r, s) when sig]) */
static int envelope(uint8_t **out, size_t *len, const struct tacit_eth_tx *tx,
                    const uint8_t sig[TACIT_ETH_SIG_LEN])
{
    static const uint8_t type = TX_TYPE_1559;
    struct tacit_rlp_enc e;

    tacit_rlp_enc_init(&e);
    tacit_rlp_put_raw(&e, &type, 1);
    tacit_rlp_list_begin(&e);
    put_fields(&e, tx);
    if (sig != NULL) {
        tacit_uint256 r, s;
        memcpy(r.be, sig, 32);
        memcpy(s.be, sig + 32, 32);
        tacit_rlp_put_u64(&e, sig[64]);
        tacit_rlp_put_uint256(&e, &r); /* integers: leading zeros dropped */
        tacit_rlp_put_uint256(&e, &s);
    }
    tacit_rlp_list_end(&e);
    return tacit_rlp_enc_finish(&e, out, len);
}

int tacit_eth_tx_signing_hash(uint8_t out[32], const struct tacit_eth_tx *tx)
{
    uint8_t *p;
    size_t n;
    int rc = envelope(&p, &n, tx, NULL);
    memset(out, 0, 32);
    if (rc != TACIT_OK) return rc;
    tacit_keccak256(out, p, n);
    free(p);
    return TACIT_OK;
}

void tacit_eth_tx_hash(uint8_t out[32], const uint8_t *raw, size_t len)
{
    tacit_keccak256(out, raw, len);
}

int tacit_eth_tx_sign(uint8_t **raw, size_t *raw_len, uint8_t hash[32],
                      const struct tacit_eth_tx *tx, const struct tacit_eth_key *k)
{
    uint8_t digest[32], sig[TACIT_ETH_SIG_LEN];
    int rc;

    *raw = NULL;
    *raw_len = 0;
    if (hash != NULL) memset(hash, 0, 32);
    if ((rc = tacit_eth_tx_signing_hash(digest, tx)) != TACIT_OK) return rc;
    if ((rc = tacit_eth_sign(sig, k, digest)) != TACIT_OK) return rc;
    if ((rc = envelope(raw, raw_len, tx, sig)) != TACIT_OK) return rc;
    if (hash != NULL) tacit_eth_tx_hash(hash, *raw, *raw_len);
    return TACIT_OK;
}

/* A 32-byte signature scalar from an RLP integer (at most 32 bytes, no leading zeros). */
static int sig_scalar(uint8_t out[32], const struct tacit_rlp_item *item)
{
    tacit_uint256 v;
    int rc = tacit_rlp_item_uint256(item, &v);
    if (rc == TACIT_EOVERFLOW) rc = TACIT_EL1_SIGNATURE;
    memcpy(out, v.be, 32);
    return rc;
}

int tacit_eth_tx_decode(struct tacit_eth_tx *tx, uint8_t sig[TACIT_ETH_SIG_LEN], const uint8_t *raw,
                        size_t len)
{
    struct tacit_rlp_item top, f[12];
    struct tacit_rlp_iter it;
    uint8_t sigbuf[TACIT_ETH_SIG_LEN];
    uint64_t parity;
    size_t n = 0;
    int rc;

    memset(tx, 0, sizeof *tx);
    if (sig != NULL) memset(sig, 0, TACIT_ETH_SIG_LEN);
    if (len == 0 || raw[0] != TX_TYPE_1559) return TACIT_EL1_TX_TYPE;
    if ((rc = tacit_rlp_decode(&top, raw + 1, len - 1)) != TACIT_OK) return rc;
    if ((rc = tacit_rlp_iter_init(&it, &top)) != TACIT_OK) return rc;
    while (!tacit_rlp_iter_done(&it)) {
        if (n == 12) return TACIT_ERLP_ITEMS;
        if ((rc = tacit_rlp_iter_next(&it, &f[n++])) != TACIT_OK) return rc;
    }
    if (n != 12) return TACIT_ERLP_ITEMS;
    if ((rc = tacit_rlp_item_u64(&f[0], &tx->chain_id)) != TACIT_OK ||
        (rc = tacit_rlp_item_u64(&f[1], &tx->nonce)) != TACIT_OK ||
        (rc = tacit_rlp_item_uint256(&f[2], &tx->max_priority_fee_per_gas)) != TACIT_OK ||
        (rc = tacit_rlp_item_uint256(&f[3], &tx->max_fee_per_gas)) != TACIT_OK ||
        (rc = tacit_rlp_item_u64(&f[4], &tx->gas_limit)) != TACIT_OK)
        goto fail;
    if (f[5].is_list) {
        rc = TACIT_ERLP_TYPE;
        goto fail;
    }
    tx->create = f[5].len == 0;
    if (!tx->create &&
        (rc = tacit_rlp_item_fixed(&f[5], tx->to, TACIT_ETH_ADDRESS_LEN)) != TACIT_OK)
        goto fail;
    if ((rc = tacit_rlp_item_uint256(&f[6], &tx->value)) != TACIT_OK) goto fail;
    if (f[7].is_list || !f[8].is_list) {
        rc = TACIT_ERLP_TYPE;
        goto fail;
    }
    tx->data = f[7].payload;
    tx->data_len = f[7].len;
    if (f[8].len != 0) { /* a non-empty access list: not supported here */
        rc = TACIT_EENCODING;
        goto fail;
    }
    if ((rc = tacit_rlp_item_u64(&f[9], &parity)) != TACIT_OK) goto fail;
    if (parity > 1) {
        rc = TACIT_EL1_SIGNATURE;
        goto fail;
    }
    if ((rc = sig_scalar(sigbuf, &f[10])) != TACIT_OK ||
        (rc = sig_scalar(sigbuf + 32, &f[11])) != TACIT_OK)
        goto fail;
    sigbuf[64] = (uint8_t)parity;
    if (sig != NULL) memcpy(sig, sigbuf, TACIT_ETH_SIG_LEN);
    return TACIT_OK;
fail:
    memset(tx, 0, sizeof *tx);
    return rc;
}

int tacit_eth_tx_sender(uint8_t from[TACIT_ETH_ADDRESS_LEN], const uint8_t *raw, size_t len)
{
    struct tacit_eth_tx tx;
    uint8_t sig[TACIT_ETH_SIG_LEN], digest[32];
    int rc;

    memset(from, 0, TACIT_ETH_ADDRESS_LEN);
    if ((rc = tacit_eth_tx_decode(&tx, sig, raw, len)) != TACIT_OK) return rc;
    if ((rc = tacit_eth_tx_signing_hash(digest, &tx)) != TACIT_OK) return rc;
    return tacit_eth_recover(from, digest, sig);
}
