/*
 * tacit — notes: commitments, nullifiers and note encryption (shared/docs/DESIGN.md 2.4;
 * byte-exact spec and a test vector in docs/wallet-format.md).
 *
 * A transaction carries one ephemeral X25519 public key epk and, per output i (0, 1), a
 * TACIT_NOTE_CIPHERTEXT_BYTES ciphertext:
 *
 *   shared  = X25519(esk, enc_pk_i)            sender (recipient: X25519(enc_sk, epk))
 *   ctx     = shared || epk || enc_pk_i || i    (97 bytes; i one byte)
 *   tag     = BLAKE2b-256(personal "tacit-viewtag", ctx)[0]
 *   key     = BLAKE2b-512(personal "tacit-note-key", ctx)[0..32)
 *   nonce   = BLAKE2b-512(personal "tacit-note-key", ctx)[32..56)
 *   ct_i    = tag || XChaCha20-Poly1305(key, nonce, aad, plaintext)  (554 + 16 bytes)
 *   plaintext = value u64 LE || blinding 32 BE || memo length u16 LE || memo, zero-padded to 512
 *
 * The aad of the tacit protocol is nf0 || nf1 (TACIT_NOTE_AAD_BYTES, tacit_note_aad): the
 * ciphertexts are bound to the transaction that spends those notes.
 *
 * A scanning wallet does one X25519 per transaction and key (both outputs share epk), then per
 * output one BLAKE2b for the view tag; only when the tag matches (1 in 256 for other people's
 * outputs) the AEAD. A decrypted note is the recipient's only if it opens the output's on-chain
 * commitment cm = Poseidon(value, pk, blinding): the AEAD proves only that whoever made the
 * transaction knew the key, and a sender can encrypt a note that is not the one committed.
 * tacit_note_scan_tx makes that check; callers of tacit_note_decrypt must make it themselves.
 *
 * No allocation; reentrant: one viewing key may scan from several threads at once.
 */
#ifndef TACIT_NOTE_H
#define TACIT_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/chain.h"
#include "tacit/keys.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_NOTE_AAD_BYTES 64 /* nf0 || nf1, 32 bytes BE each */

/* What the recipient learns; the owner key is the recipient's own pk. */
struct tacit_note_plaintext {
    uint64_t value;
    tacit_fr blinding;
    uint16_t memo_len;                 /* 0..TACIT_NOTE_MEMO_MAX */
    uint8_t memo[TACIT_NOTE_MEMO_MAX]; /* bytes past memo_len: ignored when encrypting, zero
                                         * after decrypting */
};

/* cm = Poseidon(value, pk, blinding) (DESIGN 2.4), as the transfer circuit computes it. */
void tacit_note_commitment(tacit_fr *cm, uint64_t value, const tacit_fr *pk,
                           const tacit_fr *blinding);
/* nf = Poseidon(nk, cm, index), index the note's leaf position (DESIGN 2.4). */
void tacit_note_nullifier(tacit_fr *nf, const tacit_fr *nk, const tacit_fr *cm, uint64_t index);
/* aad = nf0 || nf1, 32 bytes BE each: the associated data of a transaction's ciphertexts. */
void tacit_note_aad(uint8_t aad[TACIT_NOTE_AAD_BYTES], const tacit_fr *nf0, const tacit_fr *nf1);

/*
 * Encrypts the two outputs of a transaction under one fresh ephemeral key.
 * In:  to[i]: recipient of output i (only enc_pk is used); pt[i]: its note; aad (aad_len
 *      bytes; NULL if 0): tacit_note_aad of the transaction's nullifiers.
 * Out: ct[i], epk: what goes into the ext data (struct tacit_tx_ext). Zeroed on failure.
 * Returns TACIT_OK, TACIT_EINVAL (a memo_len above TACIT_NOTE_MEMO_MAX; an enc_pk of small
 * order: addresses from tacit_shielded_address_decode never have one), TACIT_ENOMEM
 * (libsodium failed to initialise).
 */
int tacit_note_encrypt(uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES], uint8_t epk[TACIT_EPK_BYTES],
                       const struct tacit_shielded_address to[2],
                       const struct tacit_note_plaintext pt[2], const uint8_t *aad, size_t aad_len);

/*
 * Decrypts output `index` (0 or 1) of a transaction with a viewing key (a spending key's:
 * tacit_spending_key_viewing_key). One X25519: to scan both outputs use tacit_note_scan_tx.
 * Does not check the commitment (see above).
 * Returns TACIT_OK; TACIT_ENOTFOUND (the view tag does not match, or epk is of small order:
 *          not for this key; no AEAD was attempted); TACIT_EVERIFY (the tag matched but the
 *          AEAD failed: tampered, wrong aad, or a 1-in-256 tag collision with someone else's
 *          output); TACIT_EENCODING (authentic, but memo length > 512, nonzero memo padding
 *          or blinding >= r: the sender's software is broken); TACIT_EINVAL (index > 1).
 * Out: out, zeroed unless TACIT_OK.
 */
int tacit_note_decrypt(struct tacit_note_plaintext *out, const struct tacit_viewing_key *vk,
                       const uint8_t epk[TACIT_EPK_BYTES],
                       const uint8_t ct[TACIT_NOTE_CIPHERTEXT_BYTES], unsigned index,
                       const uint8_t *aad, size_t aad_len);

/*
 * Scans both outputs of a transaction: one X25519, then per output the view tag, the AEAD
 * when the tag matches, and the commitment check Poseidon(value, vk's pk, blinding) == cm[i].
 * In:  epk, ct: the transaction's; cm: its output commitments (public inputs cm0, cm1);
 *      aad as for tacit_note_encrypt.
 * Out: status[i]: TACIT_OK (output i is ours: out[i] holds it), or why not: the codes of
 *      tacit_note_decrypt, and TACIT_ENOTE_COMMITMENT (decrypted, but it does not open cm[i]:
 *      a note the sender did not really create; do not count it). out[i] zeroed unless OK.
 * Returns TACIT_OK if at least one output is ours, else TACIT_ENOTFOUND.
 */
int tacit_note_scan_tx(struct tacit_note_plaintext out[2], int status[2],
                       const struct tacit_viewing_key *vk, const uint8_t epk[TACIT_EPK_BYTES],
                       const uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES], const tacit_fr cm[2],
                       const uint8_t *aad, size_t aad_len);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_NOTE_H */
