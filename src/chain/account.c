/*
 * tacit — secp256k1 for the chain: Ethereum-style transparent addresses and the recoverable
 * low-s ECDSA signatures of deposits (DESIGN 2.3), and the sequencer's BIP-340 key.
 * libsecp256k1 is used through one context made once per process; after creation and
 * randomization a context is read-only, so any number of threads may share it.
 */
#include <pthread.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_preallocated.h>
#include <secp256k1_recovery.h>
#include <secp256k1_schnorrsig.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain_internal.h"
#include "tacit/error.h"

static secp256k1_context *secp_ctx;
static pthread_once_t secp_once = PTHREAD_ONCE_INIT;

/* An argument libsecp256k1 refuses (ARG_CHECK) makes the call return 0 instead of aborting:
 * every caller here turns 0 into an error code, and nothing from the network aborts. */
static void secp_illegal(const char *msg, void *data)
{
    (void)msg;
    (void)data;
}

static void secp_create(void)
{
    size_t n = secp256k1_context_preallocated_size(SECP256K1_CONTEXT_NONE);
    unsigned char seed[32];
    void *mem;
    secp256k1_context *ctx;

    if (sodium_init() < 0 || (mem = malloc(n)) == NULL) return;
    ctx = secp256k1_context_preallocated_create(mem, SECP256K1_CONTEXT_NONE);
    secp256k1_context_set_illegal_callback(ctx, secp_illegal, NULL);
    /* Blinding of the signing computations against side channels (secp256k1.h advises it). */
    randombytes_buf(seed, sizeof seed);
    if (!secp256k1_context_randomize(ctx, seed)) {
        secp256k1_context_preallocated_destroy(ctx);
        free(mem);
        return;
    }
    sodium_memzero(seed, sizeof seed);
    secp_ctx = ctx; /* lives as long as the process: one allocation, never freed */
}

const secp256k1_context *tacit__secp256k1(void)
{
    (void)pthread_once(&secp_once, secp_create);
    return secp_ctx;
}

/* last 20 bytes of keccak256(X || Y), the 64-byte uncompressed key without its 0x04 */
static void address_of_pubkey(const secp256k1_context *ctx, uint8_t address[TACIT_ADDRESS_LEN],
                              const secp256k1_pubkey *pk)
{
    uint8_t ser[65], h[32];
    size_t n = sizeof ser;
    (void)secp256k1_ec_pubkey_serialize(ctx, ser, &n, pk, SECP256K1_EC_UNCOMPRESSED);
    tacit_keccak256(h, ser + 1, 64);
    memcpy(address, h + 32 - TACIT_ADDRESS_LEN, TACIT_ADDRESS_LEN);
}

int tacit_address_from_seckey(uint8_t address[TACIT_ADDRESS_LEN], const uint8_t sk[32])
{
    const secp256k1_context *ctx = tacit__secp256k1();
    secp256k1_pubkey pk;

    memset(address, 0, TACIT_ADDRESS_LEN);
    if (ctx == NULL) return TACIT_ENOMEM;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, sk)) return TACIT_EINVAL;
    address_of_pubkey(ctx, address, &pk);
    return TACIT_OK;
}

int tacit_deposit_sign(uint8_t sig[TACIT_DEPOSIT_SIG_BYTES], const uint8_t sk[32],
                       const uint8_t digest[32])
{
    const secp256k1_context *ctx = tacit__secp256k1();
    secp256k1_ecdsa_recoverable_signature rs;
    int recid;

    memset(sig, 0, TACIT_DEPOSIT_SIG_BYTES);
    if (ctx == NULL) return TACIT_ENOMEM;
    /* RFC 6979 nonces; libsecp256k1 always outputs the low-s form */
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &rs, digest, sk, NULL, NULL)) return TACIT_EINVAL;
    (void)secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs);
    sig[64] = (uint8_t)recid;
    return TACIT_OK;
}

int tacit_deposit_recover(uint8_t address[TACIT_ADDRESS_LEN],
                          const uint8_t sig[TACIT_DEPOSIT_SIG_BYTES], const uint8_t digest[32])
{
    const secp256k1_context *ctx = tacit__secp256k1();
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_ecdsa_signature plain;
    secp256k1_pubkey pk;

    memset(address, 0, TACIT_ADDRESS_LEN);
    if (ctx == NULL) return TACIT_ENOMEM;
    if (sig[64] > 3) return TACIT_EDEPOSIT_SIG;
    /* fails for r or s >= n */
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig, sig[64]))
        return TACIT_EDEPOSIT_SIG;
    /* (r, s) and (r, n - s) both verify: accept one of them only, or the same deposit would
     * have two encodings (and two tx ids). normalize returns 1 when s was high. */
    (void)secp256k1_ecdsa_recoverable_signature_convert(ctx, &plain, &rs);
    if (secp256k1_ecdsa_signature_normalize(ctx, NULL, &plain)) return TACIT_EDEPOSIT_HIGH_S;
    if (!secp256k1_ecdsa_recover(ctx, &pk, &rs, digest)) return TACIT_EDEPOSIT_SIG;
    address_of_pubkey(ctx, address, &pk);
    return TACIT_OK;
}

/* ---------------------------------------------------------------- sequencer key ---- */

struct tacit_sequencer_key {
    secp256k1_keypair kp;
    uint8_t xonly[32];
    uint8_t address[TACIT_ADDRESS_LEN];
};

int tacit_sequencer_key_new(struct tacit_sequencer_key **out, const uint8_t sk[32])
{
    const secp256k1_context *ctx = tacit__secp256k1();
    struct tacit_sequencer_key *k;
    secp256k1_xonly_pubkey xpk;
    secp256k1_pubkey pk;
    int rc;

    *out = NULL;
    if (ctx == NULL || sodium_init() < 0) return TACIT_ENOMEM;
    if ((k = sodium_malloc(sizeof *k)) == NULL) return TACIT_ENOMEM;
    if (!secp256k1_keypair_create(ctx, &k->kp, sk)) {
        rc = TACIT_EINVAL;
        goto out_free;
    }
    /* cannot fail on a keypair just made */
    if (!secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &k->kp) ||
        !secp256k1_keypair_pub(ctx, &pk, &k->kp)) {
        rc = TACIT_EINVAL;
        goto out_free;
    }
    (void)secp256k1_xonly_pubkey_serialize(ctx, k->xonly, &xpk);
    address_of_pubkey(ctx, k->address, &pk);
    *out = k;
    return TACIT_OK;

out_free:
    tacit_sequencer_key_free(k);
    return rc;
}

void tacit_sequencer_key_free(struct tacit_sequencer_key *k)
{
    /* sodium_free wipes the whole allocation before releasing it */
    sodium_free(k);
}

void tacit_sequencer_key_public(const struct tacit_sequencer_key *k, uint8_t xonly[32],
                                uint8_t address[TACIT_ADDRESS_LEN])
{
    if (xonly != NULL) memcpy(xonly, k->xonly, 32);
    if (address != NULL) memcpy(address, k->address, TACIT_ADDRESS_LEN);
}

int tacit__sequencer_sign(uint8_t sig[64], const struct tacit_sequencer_key *k,
                          const uint8_t msg[32])
{
    const secp256k1_context *ctx = tacit__secp256k1();
    unsigned char aux[32];
    int ok;

    if (ctx == NULL) return TACIT_ENOMEM;
    /* BIP-340's auxiliary randomness: protection against fault and side-channel attacks */
    randombytes_buf(aux, sizeof aux);
    ok = secp256k1_schnorrsig_sign32(ctx, sig, msg, &k->kp, aux);
    sodium_memzero(aux, sizeof aux);
    return ok ? TACIT_OK : TACIT_EINVAL;
}
