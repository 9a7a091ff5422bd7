/*
 * tacit — wallet keys, viewing keys, addresses (include/tacit/keys.h; DESIGN.md 2.3; the
 * byte-exact forms are in docs/wallet-format.md).
 *
 * Every secret (sk, nk, enc_sk, and the stack copies made while deriving or encoding them)
 * is wiped before its memory is given back; the handles are sodium_malloc'd, so they sit
 * between guard pages and sodium_free wipes them once more.
 */
#include <sodium.h>
#include <string.h>

#include "common/declassify.h"
#include "tacit/error.h"
#include "tacit/keys.h"
#include "tacit/poseidon.h"
#include "wallet/keys_internal.h"

/* --------------------------------------------------------- text forms ---- */

enum key_type { TYPE_ADDRESS = 0, TYPE_FVK, TYPE_IVK, TYPE_SK, TYPE_COUNT };

/* HRPS[network][type]; docs/wallet-format.md, "Text forms". */
static const char *const HRPS[2][TYPE_COUNT] = {
    {"tacit", "tacitfvk", "tacitivk", "tacitsk"},
    {"tdev", "tdevfvk", "tdevivk", "tdevsk"},
};

static bool network_ok(enum tacit_network net)
{
    return net == TACIT_NETWORK_MAINNET || net == TACIT_NETWORK_DEVNET;
}

static int encode_typed(char out[TACIT_KEYS_STR_MAX], enum tacit_network net, enum key_type t,
                        const uint8_t *data, size_t len)
{
    out[0] = '\0';
    if (!network_ok(net)) return TACIT_EINVAL;
    return tacit_bech32m_encode_bytes(out, TACIT_KEYS_STR_MAX, HRPS[net][t], data, len);
}

/*
 * Parses s into exactly len bytes of one of the types in `accept` (a bit mask of 1 << type)
 * for network net. Out: data (zeroed on failure), *type.
 * The hrp decides the type: an hrp tacit does not use, or a type not accepted here, is a bad
 * encoding; the right type for the other network is TACIT_ENETWORK, so a user is told that
 * a devnet address was pasted into a mainnet wallet rather than that it is malformed.
 * Constant time in the data characters (they may be a secret key's): the bech32m decoding is,
 * and what is branched on here (the hrp, the data's length, the verdict) is public.
 */
static int decode_typed(uint8_t *data, size_t len, enum key_type *type, unsigned accept,
                        enum tacit_network net, const char *s)
{
    char hrp[TACIT_BECH32M_HRP_MAX + 1];
    /* Room for the data of any string of TACIT_KEYS_STR_MAX - 1 characters (5 bits each), so
     * ETOOBIG only ever means a string too long, and more data than a key holds a wrong
     * length (EENCODING) below. */
    uint8_t buf[TACIT_KEYS_STR_MAX];
    size_t n = 0;
    int rc, found_net = -1, found_type = -1;

    memset(data, 0, len);
    if (!network_ok(net)) return TACIT_EINVAL;
    rc =
        tacit_bech32m_decode_bytes(hrp, sizeof hrp, buf, &n, sizeof buf, s, TACIT_KEYS_STR_MAX - 1);
    if (rc != TACIT_OK) goto out;
    for (int k = 0; k < 2; k++)
        for (int t = 0; t < TYPE_COUNT; t++)
            if (strcmp(hrp, HRPS[k][t]) == 0) {
                found_net = k;
                found_type = t;
            }
    rc = TACIT_EENCODING;
    if (found_type < 0 || !((accept >> found_type) & 1)) goto out;
    rc = TACIT_ENETWORK;
    if (found_net != (int)net) goto out;
    rc = TACIT_EENCODING;
    if (n != len) goto out;
    memcpy(data, buf, len);
    *type = (enum key_type)found_type;
    rc = TACIT_OK;
out:
    sodium_memzero(buf, sizeof buf);
    return rc;
}

/* --------------------------------------------------------- derivations ---- */

/* enc_sk = BLAKE2b-256(personal "tacit-enc", sk as 32 bytes BE), used as an X25519 scalar as
 * is (X25519 clamps it: RFC 7748 section 5), enc_pk = X25519(enc_sk, 9). */
static void derive_enc(uint8_t enc_sk[32], uint8_t enc_pk[32], const tacit_fr *sk)
{
    static const unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] = "tacit-enc";
    uint8_t skb[32];

    tacit_fr_to_bytes(skb, sk);
    crypto_generichash_blake2b_salt_personal(enc_sk, 32, skb, sizeof skb, NULL, 0, NULL, personal);
    sodium_memzero(skb, sizeof skb);
    /* Cannot fail: a clamped scalar is a nonzero multiple of 8 below 8 times the group order,
     * so its multiple of the base point is never the identity. */
    (void)crypto_scalarmult_base(enc_pk, enc_sk);
}

/* The full viewing key of sk: nk = Poseidon(sk), pk = Poseidon(nk) (DESIGN 2.3), enc keys. */
static void derive_from_sk(struct tacit_spending_key *k)
{
    (void)tacit_poseidon(&k->vk.nk, &k->sk, 1);
    (void)tacit_poseidon(&k->vk.pk, &k->vk.nk, 1);
    derive_enc(k->vk.enc_sk, k->vk.enc_pk, &k->sk);
    k->vk.full = true;
}

/* X25519 refuses (returns -1 for) points of small order: every shared secret with them is
 * zero, so nothing sent to such a key could be kept private. */
static bool enc_pk_ok(const uint8_t enc_pk[32])
{
    static const uint8_t probe[32] = {9};
    uint8_t q[32];
    bool ok = crypto_scalarmult(q, probe, enc_pk) == 0;

    sodium_memzero(q, sizeof q);
    return ok;
}

/* --------------------------------------------------------------- addresses ---- */

void tacit_shielded_address_to_bytes(uint8_t out[TACIT_SHIELDED_ADDRESS_BYTES],
                                     const struct tacit_shielded_address *a)
{
    tacit_fr_to_bytes(out, &a->pk);
    memcpy(out + 32, a->enc_pk, TACIT_ENC_KEY_BYTES);
}

int tacit_shielded_address_from_bytes(struct tacit_shielded_address *a,
                                      const uint8_t in[TACIT_SHIELDED_ADDRESS_BYTES])
{
    int rc;

    memset(a, 0, sizeof *a);
    if ((rc = tacit_fr_from_bytes(&a->pk, in)) != TACIT_OK) goto fail;
    rc = TACIT_EENCODING;
    if (!enc_pk_ok(in + 32)) goto fail;
    memcpy(a->enc_pk, in + 32, TACIT_ENC_KEY_BYTES);
    return TACIT_OK;
fail:
    memset(a, 0, sizeof *a);
    return rc;
}

int tacit_shielded_address_encode(char out[TACIT_KEYS_STR_MAX],
                                  const struct tacit_shielded_address *a, enum tacit_network net)
{
    uint8_t b[TACIT_SHIELDED_ADDRESS_BYTES];

    tacit_shielded_address_to_bytes(b, a);
    return encode_typed(out, net, TYPE_ADDRESS, b, sizeof b);
}

int tacit_shielded_address_decode(struct tacit_shielded_address *a, enum tacit_network net,
                                  const char *s)
{
    uint8_t b[TACIT_SHIELDED_ADDRESS_BYTES];
    enum key_type t;
    int rc;

    memset(a, 0, sizeof *a);
    if ((rc = decode_typed(b, sizeof b, &t, 1u << TYPE_ADDRESS, net, s)) != TACIT_OK) return rc;
    return tacit_shielded_address_from_bytes(a, b);
}

bool tacit_shielded_address_eq(const struct tacit_shielded_address *a,
                               const struct tacit_shielded_address *b)
{
    return tacit_fr_eq(&a->pk, &b->pk) && memcmp(a->enc_pk, b->enc_pk, TACIT_ENC_KEY_BYTES) == 0;
}

/* ------------------------------------------------------------ viewing keys ---- */

void tacit_viewing_key_free(struct tacit_viewing_key *vk)
{
    if (vk == NULL) return;
    sodium_memzero(vk, sizeof *vk);
    sodium_free(vk);
}

enum tacit_viewing_key_kind tacit_viewing_key_kind(const struct tacit_viewing_key *vk)
{
    return vk->full ? TACIT_VIEWING_KEY_FULL : TACIT_VIEWING_KEY_INCOMING;
}

void tacit_viewing_key_address(struct tacit_shielded_address *a, const struct tacit_viewing_key *vk)
{
    a->pk = vk->pk;
    memcpy(a->enc_pk, vk->enc_pk, TACIT_ENC_KEY_BYTES);
}

int tacit_viewing_key_nullifier(tacit_fr *nf, const struct tacit_viewing_key *vk,
                                const tacit_fr *cm, uint64_t index)
{
    if (!vk->full) {
        *nf = TACIT_FR_ZERO;
        return TACIT_EINVAL;
    }
    tacit_note_nullifier(nf, &vk->nk, cm, index);
    return TACIT_OK;
}

int tacit_viewing_key_to_bytes(uint8_t out[64], const struct tacit_viewing_key *vk,
                               enum tacit_viewing_key_kind kind)
{
    if (kind == TACIT_VIEWING_KEY_FULL && vk->full) {
        tacit_fr_to_bytes(out, &vk->nk);
    } else if (kind == TACIT_VIEWING_KEY_INCOMING) {
        tacit_fr_to_bytes(out, &vk->pk);
    } else {
        sodium_memzero(out, 64);
        return TACIT_EINVAL;
    }
    memcpy(out + 32, vk->enc_sk, 32);
    return TACIT_OK;
}

int tacit_viewing_key_from_bytes(struct tacit_viewing_key **out, enum tacit_viewing_key_kind kind,
                                 const uint8_t in[64])
{
    struct tacit_viewing_key *vk;
    int rc;

    *out = NULL;
    if (kind != TACIT_VIEWING_KEY_FULL && kind != TACIT_VIEWING_KEY_INCOMING) return TACIT_EINVAL;
    if (sodium_init() < 0 || (vk = sodium_malloc(sizeof *vk)) == NULL) return TACIT_ENOMEM;
    memset(vk, 0, sizeof *vk);
    /* nk is secret, pk private: range checks without a branch on them, the verdict told */
    rc = tacit_fr_from_bytes(kind == TACIT_VIEWING_KEY_FULL ? &vk->nk : &vk->pk, in);
    tacit__declassify(&rc, sizeof rc);
    if (rc != TACIT_OK) goto fail;
    if (kind == TACIT_VIEWING_KEY_FULL) {
        (void)tacit_poseidon(&vk->pk, &vk->nk, 1);
        vk->full = true;
    }
    memcpy(vk->enc_sk, in + 32, 32);
    (void)crypto_scalarmult_base(vk->enc_pk, vk->enc_sk); /* cannot fail: see derive_enc */
    *out = vk;
    return TACIT_OK;
fail:
    tacit_viewing_key_free(vk);
    return rc;
}

int tacit_viewing_key_encode(char out[TACIT_KEYS_STR_MAX], const struct tacit_viewing_key *vk,
                             enum tacit_viewing_key_kind kind, enum tacit_network net)
{
    uint8_t b[64];
    int rc;

    out[0] = '\0';
    if ((rc = tacit_viewing_key_to_bytes(b, vk, kind)) != TACIT_OK) return rc;
    rc = encode_typed(out, net, kind == TACIT_VIEWING_KEY_FULL ? TYPE_FVK : TYPE_IVK, b, sizeof b);
    sodium_memzero(b, sizeof b);
    return rc;
}

int tacit_viewing_key_decode(struct tacit_viewing_key **out, enum tacit_network net, const char *s)
{
    uint8_t b[64];
    enum key_type t;
    int rc;

    *out = NULL;
    rc = decode_typed(b, sizeof b, &t, (1u << TYPE_FVK) | (1u << TYPE_IVK), net, s);
    if (rc == TACIT_OK)
        rc = tacit_viewing_key_from_bytes(
            out, t == TYPE_FVK ? TACIT_VIEWING_KEY_FULL : TACIT_VIEWING_KEY_INCOMING, b);
    sodium_memzero(b, sizeof b);
    return rc;
}

/* ----------------------------------------------------------- spending keys ---- */

static int spending_key_alloc(struct tacit_spending_key **out)
{
    struct tacit_spending_key *k;

    *out = NULL;
    /* sodium_init sets up sodium_malloc (page size, canary); idempotent */
    if (sodium_init() < 0 || (k = sodium_malloc(sizeof *k)) == NULL) return TACIT_ENOMEM;
    memset(k, 0, sizeof *k);
    *out = k;
    return TACIT_OK;
}

int tacit_spending_key_new(struct tacit_spending_key **out)
{
    uint8_t seed[64];
    int rc;

    randombytes_buf(seed, sizeof seed);
    rc = tacit_spending_key_from_wide(out, seed);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

int tacit_spending_key_from_wide(struct tacit_spending_key **out, const uint8_t seed[64])
{
    int rc;

    if ((rc = spending_key_alloc(out)) != TACIT_OK) return rc;
    /* 512 bits reduced mod r (a 254-bit prime): statistically uniform, bias below 2^-250. */
    tacit_fr_from_wide(&(*out)->sk, seed);
    derive_from_sk(*out);
    return TACIT_OK;
}

int tacit_spending_key_from_bytes(struct tacit_spending_key **out, const uint8_t in[32])
{
    int rc;

    if ((rc = spending_key_alloc(out)) != TACIT_OK) return rc;
    /* the range check does not branch on the key; whether it passed is the caller's answer */
    rc = tacit_fr_from_bytes(&(*out)->sk, in);
    tacit__declassify(&rc, sizeof rc);
    if (rc != TACIT_OK) {
        tacit_spending_key_free(*out);
        *out = NULL;
        return rc;
    }
    derive_from_sk(*out);
    return TACIT_OK;
}

void tacit_spending_key_free(struct tacit_spending_key *k)
{
    if (k == NULL) return;
    sodium_memzero(k, sizeof *k);
    sodium_free(k);
}

void tacit_spending_key_to_bytes(uint8_t out[32], const struct tacit_spending_key *k)
{
    tacit_fr_to_bytes(out, &k->sk);
}

const tacit_fr *tacit_spending_key_sk(const struct tacit_spending_key *k) { return &k->sk; }

const struct tacit_viewing_key *tacit_spending_key_viewing_key(const struct tacit_spending_key *k)
{
    return &k->vk;
}

void tacit_spending_key_address(struct tacit_shielded_address *a,
                                const struct tacit_spending_key *k)
{
    tacit_viewing_key_address(a, &k->vk);
}

int tacit_spending_key_encode(char out[TACIT_KEYS_STR_MAX], const struct tacit_spending_key *k,
                              enum tacit_network net)
{
    uint8_t b[32];
    int rc;

    tacit_fr_to_bytes(b, &k->sk);
    rc = encode_typed(out, net, TYPE_SK, b, sizeof b);
    sodium_memzero(b, sizeof b);
    return rc;
}

int tacit_spending_key_decode(struct tacit_spending_key **out, enum tacit_network net,
                              const char *s)
{
    uint8_t b[32];
    enum key_type t;
    int rc;

    *out = NULL;
    if ((rc = decode_typed(b, sizeof b, &t, 1u << TYPE_SK, net, s)) == TACIT_OK)
        rc = tacit_spending_key_from_bytes(out, b);
    sodium_memzero(b, sizeof b);
    return rc;
}
