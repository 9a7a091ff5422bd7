/*
 * tacit — note commitments, nullifiers and note encryption (include/tacit/note.h,
 * docs/wallet-format.md).
 *
 * Why this shape:
 *  - One ephemeral key per transaction (DESIGN 2.4): the recipient's X25519 (about 50 us) is
 *    paid once per transaction, and both outputs derive their keys from it with the index.
 *  - Each (key, nonce) is used once: esk is fresh per transaction and the index and the
 *    recipient's enc_pk go into the derivation, so two outputs never share a key even when
 *    both go to the same recipient. The nonce is derived with the key, not drawn: the
 *    ciphertext has no room for it, and a derived one is as good when each key is used once.
 *  - The view tag is the first byte of its own hash of the same context, not of the
 *    ciphertext or plaintext: the recipient computes it before any decryption, and a match
 *    by chance happens for 1 in 256 foreign outputs (measured by tests/test_note.c).
 *  - epk and enc_pk in the context bind the key to this exchange (as HPKE's kem_context
 *    does, RFC 9180 section 4.1), so a ciphertext cannot be replayed under another epk.
 *
 * Temporary secrets (esk, shared secrets, keys, plaintexts) live on the stack for the call
 * and are wiped with sodium_memzero before returning: sodium_malloc (mmap and guard pages per
 * allocation) would cost more than the scan of an output. Long-lived keys are in the
 * sodium_malloc'd key handles (src/wallet/keys.c).
 */
#include <sodium.h>
#include <string.h>

#include "tacit/error.h"
#include "tacit/note.h"
#include "tacit/poseidon.h"
#include "wallet/keys_internal.h"

#define CTX_BYTES (32 + 32 + 32 + 1)
#define AEAD_BYTES (TACIT_NOTE_PLAINTEXT_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)

_Static_assert(1 + AEAD_BYTES == TACIT_NOTE_CIPHERTEXT_BYTES, "ciphertext layout of chain.h");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24, "XChaCha20 nonce");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32, "XChaCha20 key");
_Static_assert(crypto_scalarmult_BYTES == 32 && crypto_scalarmult_SCALARBYTES == 32, "X25519");

/* BLAKE2b personalisations: 16 bytes, the names zero-padded (docs/wallet-format.md). */
static const unsigned char PERSONAL_TAG[crypto_generichash_blake2b_PERSONALBYTES] = "tacit-viewtag";
static const unsigned char PERSONAL_KEY[crypto_generichash_blake2b_PERSONALBYTES] =
    "tacit-note-key";

/* ------------------------------------------------------------ note values ---- */

void tacit_note_commitment(tacit_fr *cm, uint64_t value, const tacit_fr *pk,
                           const tacit_fr *blinding)
{
    tacit_fr in[3];

    tacit_fr_from_u64(&in[0], value);
    in[1] = *pk;
    in[2] = *blinding;
    (void)tacit_poseidon(cm, in, 3);
    sodium_memzero(in, sizeof in);
}

void tacit_note_nullifier(tacit_fr *nf, const tacit_fr *nk, const tacit_fr *cm, uint64_t index)
{
    tacit_fr in[3];

    in[0] = *nk;
    in[1] = *cm;
    tacit_fr_from_u64(&in[2], index);
    (void)tacit_poseidon(nf, in, 3);
    sodium_memzero(in, sizeof in);
}

void tacit_note_aad(uint8_t aad[TACIT_NOTE_AAD_BYTES], const tacit_fr *nf0, const tacit_fr *nf1)
{
    tacit_fr_to_bytes(aad, nf0);
    tacit_fr_to_bytes(aad + 32, nf1);
}

/* -------------------------------------------------------------- plaintext ---- */

/* 0xff when i < n, else 0, without a branch (i, n < 2^31). */
static inline uint8_t lt_mask(size_t i, uint32_t n)
{
    return (uint8_t)(0u - (((uint32_t)i - n) >> 31));
}

static void plaintext_encode(uint8_t b[TACIT_NOTE_PLAINTEXT_BYTES],
                             const struct tacit_note_plaintext *pt)
{
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(pt->value >> (8 * i));
    tacit_fr_to_bytes(b + 8, &pt->blinding);
    b[40] = (uint8_t)pt->memo_len;
    b[41] = (uint8_t)(pt->memo_len >> 8);
    /* the whole memo area, zero past memo_len: no time that depends on the (secret) length */
    for (size_t i = 0; i < TACIT_NOTE_MEMO_MAX; i++)
        b[42 + i] = pt->memo[i] & lt_mask(i, pt->memo_len);
}

/* TACIT_OK or TACIT_EENCODING (blinding >= r, memo length > 512, nonzero padding). The memo
 * length and bytes are checked and copied in one pass over the whole area, whatever the
 * length: only the final verdict (valid or not) branches. */
static int plaintext_decode(struct tacit_note_plaintext *pt,
                            const uint8_t b[TACIT_NOTE_PLAINTEXT_BYTES])
{
    uint32_t len = (uint32_t)(b[40] | (b[41] << 8));
    uint8_t pad = 0;
    int rc;

    memset(pt, 0, sizeof *pt);
    for (int i = 0; i < 8; i++) pt->value |= (uint64_t)b[i] << (8 * i);
    rc = tacit_fr_from_bytes(&pt->blinding, b + 8);
    for (size_t i = 0; i < TACIT_NOTE_MEMO_MAX; i++) {
        uint8_t in = lt_mask(i, len);
        pt->memo[i] = b[42 + i] & in;
        pad |= b[42 + i] & (uint8_t)~in;
    }
    pt->memo_len = (uint16_t)len;
    if (rc != TACIT_OK || (lt_mask(TACIT_NOTE_MEMO_MAX, len) | pad) != 0) goto fail;
    return TACIT_OK;
fail:
    sodium_memzero(pt, sizeof *pt);
    return TACIT_EENCODING;
}

/* ------------------------------------------------------------ derivations ---- */

static void context(uint8_t ctx[CTX_BYTES], const uint8_t shared[32], const uint8_t epk[32],
                    const uint8_t enc_pk[32], unsigned index)
{
    memcpy(ctx, shared, 32);
    memcpy(ctx + 32, epk, 32);
    memcpy(ctx + 64, enc_pk, 32);
    ctx[96] = (uint8_t)index;
}

static uint8_t view_tag(const uint8_t ctx[CTX_BYTES])
{
    uint8_t h[32], tag;

    crypto_generichash_blake2b_salt_personal(h, sizeof h, ctx, CTX_BYTES, NULL, 0, NULL,
                                             PERSONAL_TAG);
    tag = h[0];
    sodium_memzero(h, sizeof h);
    return tag;
}

static void key_nonce(uint8_t key[32], uint8_t nonce[24], const uint8_t ctx[CTX_BYTES])
{
    uint8_t h[64];

    crypto_generichash_blake2b_salt_personal(h, sizeof h, ctx, CTX_BYTES, NULL, 0, NULL,
                                             PERSONAL_KEY);
    memcpy(key, h, 32);
    memcpy(nonce, h + 32, 24);
    sodium_memzero(h, sizeof h);
}

/* ------------------------------------------------------------- encryption ---- */

int tacit__note_encrypt_esk(uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES],
                            uint8_t epk[TACIT_EPK_BYTES], const struct tacit_shielded_address to[2],
                            const struct tacit_note_plaintext pt[2], const uint8_t *aad,
                            size_t aad_len, const uint8_t esk[32])
{
    uint8_t shared[32], ctx[CTX_BYTES], key[32], nonce[24], b[TACIT_NOTE_PLAINTEXT_BYTES];
    int rc = TACIT_EINVAL;

    memset(ct, 0, 2 * TACIT_NOTE_CIPHERTEXT_BYTES);
    memset(epk, 0, TACIT_EPK_BYTES);
    if (pt[0].memo_len > TACIT_NOTE_MEMO_MAX || pt[1].memo_len > TACIT_NOTE_MEMO_MAX)
        return TACIT_EINVAL;
    if (crypto_scalarmult_base(epk, esk) != 0) goto fail;
    for (unsigned i = 0; i < 2; i++) {
        /* the same recipient twice (payment and change to oneself): one X25519 */
        if (i == 0 || memcmp(to[1].enc_pk, to[0].enc_pk, 32) != 0)
            if (crypto_scalarmult(shared, esk, to[i].enc_pk) != 0) goto fail; /* small order */
        context(ctx, shared, epk, to[i].enc_pk, i);
        ct[i][0] = view_tag(ctx);
        key_nonce(key, nonce, ctx);
        plaintext_encode(b, &pt[i]);
        crypto_aead_xchacha20poly1305_ietf_encrypt(ct[i] + 1, NULL, b, sizeof b, aad, aad_len, NULL,
                                                   nonce, key);
    }
    rc = TACIT_OK;
fail:
    if (rc != TACIT_OK) {
        memset(ct, 0, 2 * TACIT_NOTE_CIPHERTEXT_BYTES);
        memset(epk, 0, TACIT_EPK_BYTES);
    }
    sodium_memzero(shared, sizeof shared);
    sodium_memzero(ctx, sizeof ctx);
    sodium_memzero(key, sizeof key);
    sodium_memzero(nonce, sizeof nonce);
    sodium_memzero(b, sizeof b);
    return rc;
}

int tacit_note_encrypt(uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES], uint8_t epk[TACIT_EPK_BYTES],
                       const struct tacit_shielded_address to[2],
                       const struct tacit_note_plaintext pt[2], const uint8_t *aad, size_t aad_len)
{
    uint8_t esk[32];
    int rc;

    if (sodium_init() < 0) { /* cannot draw esk */
        memset(ct, 0, 2 * TACIT_NOTE_CIPHERTEXT_BYTES);
        memset(epk, 0, TACIT_EPK_BYTES);
        return TACIT_ENOMEM;
    }
    randombytes_buf(esk, sizeof esk);
    rc = tacit__note_encrypt_esk(ct, epk, to, pt, aad, aad_len, esk);
    sodium_memzero(esk, sizeof esk);
    return rc;
}

/* ------------------------------------------------------------- decryption ---- */

/* Output `index` given the transaction's shared secret with vk. */
static int open_output(struct tacit_note_plaintext *out, const struct tacit_viewing_key *vk,
                       const uint8_t shared[32], const uint8_t epk[TACIT_EPK_BYTES],
                       const uint8_t ct[TACIT_NOTE_CIPHERTEXT_BYTES], unsigned index,
                       const uint8_t *aad, size_t aad_len)
{
    uint8_t ctx[CTX_BYTES], key[32], nonce[24], b[TACIT_NOTE_PLAINTEXT_BYTES];
    int rc = TACIT_ENOTFOUND;

    memset(out, 0, sizeof *out);
    context(ctx, shared, epk, vk->enc_pk, index);
    /* The tag is public (it is in the ciphertext): comparing it in variable time is fine. */
    if (view_tag(ctx) != ct[0]) goto out;
    key_nonce(key, nonce, ctx);
    rc = TACIT_EVERIFY;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(b, NULL, NULL, ct + 1, AEAD_BYTES, aad, aad_len,
                                                   nonce, key) != 0)
        goto out_wipe;
    rc = plaintext_decode(out, b);
out_wipe:
    sodium_memzero(key, sizeof key);
    sodium_memzero(nonce, sizeof nonce);
    sodium_memzero(b, sizeof b);
out:
    sodium_memzero(ctx, sizeof ctx);
    return rc;
}

int tacit_note_decrypt(struct tacit_note_plaintext *out, const struct tacit_viewing_key *vk,
                       const uint8_t epk[TACIT_EPK_BYTES],
                       const uint8_t ct[TACIT_NOTE_CIPHERTEXT_BYTES], unsigned index,
                       const uint8_t *aad, size_t aad_len)
{
    uint8_t shared[32];
    int rc;

    memset(out, 0, sizeof *out);
    if (index > 1) return TACIT_EINVAL;
    /* An epk of small order gives no shared secret: nobody's output, ours neither. */
    if (crypto_scalarmult(shared, vk->enc_sk, epk) != 0) return TACIT_ENOTFOUND;
    rc = open_output(out, vk, shared, epk, ct, index, aad, aad_len);
    sodium_memzero(shared, sizeof shared);
    return rc;
}

int tacit_note_scan_tx(struct tacit_note_plaintext out[2], int status[2],
                       const struct tacit_viewing_key *vk, const uint8_t epk[TACIT_EPK_BYTES],
                       const uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES], const tacit_fr cm[2],
                       const uint8_t *aad, size_t aad_len)
{
    uint8_t shared[32];
    tacit_fr c;
    int found = 0;

    memset(out, 0, 2 * sizeof *out);
    status[0] = status[1] = TACIT_ENOTFOUND;
    if (crypto_scalarmult(shared, vk->enc_sk, epk) != 0) return TACIT_ENOTFOUND;
    for (unsigned i = 0; i < 2; i++) {
        status[i] = open_output(&out[i], vk, shared, epk, ct[i], i, aad, aad_len);
        if (status[i] != TACIT_OK) continue;
        tacit_note_commitment(&c, out[i].value, &vk->pk, &out[i].blinding);
        if (!tacit_fr_eq(&c, &cm[i])) {
            sodium_memzero(&out[i], sizeof out[i]);
            status[i] = TACIT_ENOTE_COMMITMENT;
            continue;
        }
        found++;
    }
    sodium_memzero(shared, sizeof shared);
    return found > 0 ? TACIT_OK : TACIT_ENOTFOUND;
}
