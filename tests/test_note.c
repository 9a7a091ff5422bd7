/*
 * tacit — note encryption (include/tacit/note.h): byte-exact agreement with an independent
 * implementation of docs/wallet-format.md written here, round trips with every memo length,
 * tamper rejection of every byte, wrong keys, the view tag's false-positive rate, watch-only
 * keys, the commitment check, and commitments equal to the transfer circuit's.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "tacit/circuit.h"
#include "tacit/error.h"
#include "tacit/keys.h"
#include "tacit/note.h"
#include "tacit/util.h"
#include "wallet/keys_internal.h"

#define CT TACIT_NOTE_CIPHERTEXT_BYTES

static struct tacit_spending_key *random_key(void)
{
    struct tacit_spending_key *k = NULL;
    uint8_t seed[64];
    tacit_test_rand_bytes(seed, sizeof seed);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, seed), TACIT_OK);
    return k;
}

static void random_note(struct tacit_note_plaintext *pt, uint16_t memo_len)
{
    uint8_t w[64];
    memset(pt, 0, sizeof *pt);
    pt->value = tacit_test_rand64();
    tacit_test_rand_bytes(w, sizeof w);
    tacit_fr_from_wide(&pt->blinding, w);
    pt->memo_len = memo_len;
    tacit_test_rand_bytes(pt->memo, memo_len);
}

static bool note_eq(const struct tacit_note_plaintext *a, const struct tacit_note_plaintext *b)
{
    return a->value == b->value && tacit_fr_eq(&a->blinding, &b->blinding) &&
           a->memo_len == b->memo_len && memcmp(a->memo, b->memo, sizeof a->memo) == 0;
}

/* --------------------------------------------------- the spec, written again ---- *
 * docs/wallet-format.md, "Note encryption", with libsodium's primitives and nothing of
 * src/wallet: encrypts an arbitrary 554-byte plaintext for output i. */
static void spec_encrypt(uint8_t ct[CT], const uint8_t esk[32], const uint8_t enc_pk[32],
                         unsigned i, const uint8_t pt[TACIT_NOTE_PLAINTEXT_BYTES],
                         const uint8_t *aad, size_t aad_len)
{
    static const unsigned char ptag[16] = "tacit-viewtag", pkey[16] = "tacit-note-key";
    uint8_t epk[32], shared[32], ctx[97], h32[32], h64[64];

    CHECK_EQ_INT(crypto_scalarmult_base(epk, esk), 0);
    CHECK_EQ_INT(crypto_scalarmult(shared, esk, enc_pk), 0);
    memcpy(ctx, shared, 32);
    memcpy(ctx + 32, epk, 32);
    memcpy(ctx + 64, enc_pk, 32);
    ctx[96] = (uint8_t)i;
    crypto_generichash_blake2b_salt_personal(h32, 32, ctx, 97, NULL, 0, NULL, ptag);
    crypto_generichash_blake2b_salt_personal(h64, 64, ctx, 97, NULL, 0, NULL, pkey);
    ct[0] = h32[0];
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct + 1, NULL, pt, TACIT_NOTE_PLAINTEXT_BYTES, aad,
                                               aad_len, NULL, h64 + 32, h64);
}

static void spec_plaintext(uint8_t b[TACIT_NOTE_PLAINTEXT_BYTES],
                           const struct tacit_note_plaintext *pt)
{
    memset(b, 0, TACIT_NOTE_PLAINTEXT_BYTES);
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(pt->value >> (8 * i));
    tacit_fr_to_bytes(b + 8, &pt->blinding);
    b[40] = (uint8_t)(pt->memo_len & 0xff);
    b[41] = (uint8_t)(pt->memo_len >> 8);
    memcpy(b + 42, pt->memo, pt->memo_len);
}

TEST(matches_the_spec)
{
    int iters = tacit_test_iters(10);
    for (int it = 0; it < iters; it++) {
        struct tacit_spending_key *k0 = random_key(), *k1 = random_key();
        struct tacit_shielded_address to[2];
        struct tacit_note_plaintext pt[2];
        uint8_t esk[32], aad[64], ct[2][CT], epk[32], want[CT], b[TACIT_NOTE_PLAINTEXT_BYTES],
            wepk[32];

        if (k0 == NULL || k1 == NULL) return;
        tacit_spending_key_address(&to[0], k0);
        tacit_spending_key_address(&to[1], it % 3 == 0 ? k0 : k1); /* sometimes one recipient */
        random_note(&pt[0], (uint16_t)(tacit_test_rand64() % 513));
        random_note(&pt[1], (uint16_t)(tacit_test_rand64() % 513));
        tacit_test_rand_bytes(esk, 32);
        tacit_test_rand_bytes(aad, 64);
        CHECK_EQ_INT(tacit__note_encrypt_esk(ct, epk, to, pt, aad, 64, esk), TACIT_OK);
        CHECK_EQ_INT(crypto_scalarmult_base(wepk, esk), 0);
        CHECK_MEM(epk, wepk, 32);
        for (unsigned i = 0; i < 2; i++) {
            spec_plaintext(b, &pt[i]);
            spec_encrypt(want, esk, to[i].enc_pk, i, b, aad, 64);
            CHECK_MEM(ct[i], want, CT);
        }
        tacit_spending_key_free(k0);
        tacit_spending_key_free(k1);
    }
}

/* Made by this code (and equal to spec_encrypt's: matches_the_spec); in docs/wallet-format.md. */
#define NOTE_VECTOR_EPK "0x132c442be010fbd57e72603328aa76e71fccc1503aae219327d14d9c9993f472"
#define NOTE_VECTOR_CT0 "0xcb0e977b95ec670e63b80137752d18fb9c97a306fcccb92eab79105bc0a18082"
#define NOTE_VECTOR_CT1 "0xe6eb680ca013d82d1addc490226a2657c05c11a84c25b35333a8ed468c9808c7"

/* The vector of docs/wallet-format.md: the key of seed 00 01 .. 3f (test_wallet_keys.c),
 * esk = 32 bytes 0x42, value 1000000, blinding 7, memo "hello", aad = nf0 || nf1 = 1 || 2;
 * output 1 is the same note with an empty memo and value 0. */
TEST(vector)
{
    uint8_t seed[64], esk[32], ct[2][CT], epk[32], h[32], aad[64];
    struct tacit_spending_key *k = NULL;
    struct tacit_shielded_address to[2];
    struct tacit_note_plaintext pt[2], out;
    tacit_fr one = TACIT_FR_ONE, two;
    char hex[2 * 32 + 3];

    for (int i = 0; i < 64; i++) seed[i] = (uint8_t)i;
    memset(esk, 0x42, 32);
    CHECK_EQ_INT(tacit_spending_key_from_wide(&k, seed), TACIT_OK);
    if (k == NULL) return;
    tacit_spending_key_address(&to[0], k);
    to[1] = to[0];
    memset(pt, 0, sizeof pt);
    pt[0].value = 1000000;
    tacit_fr_from_u64(&pt[0].blinding, 7);
    pt[0].memo_len = 5;
    memcpy(pt[0].memo, "hello", 5);
    pt[1].blinding = pt[0].blinding;
    tacit_fr_add(&two, &one, &one);
    tacit_note_aad(aad, &one, &two);
    CHECK_EQ_INT(tacit__note_encrypt_esk(ct, epk, to, pt, aad, 64, esk), TACIT_OK);
    tacit_hex_encode(hex, epk, 32);
    printf("  epk          %s\n", hex);
    printf("  view tags    %02x %02x\n", ct[0][0], ct[1][0]);
    crypto_generichash(h, 32, ct[0], CT, NULL, 0);
    tacit_hex_encode(hex, h, 32);
    printf("  blake2b(ct0) %s\n", hex);
    CHECK(strcmp(hex, NOTE_VECTOR_CT0) == 0);
    crypto_generichash(h, 32, ct[1], CT, NULL, 0);
    tacit_hex_encode(hex, h, 32);
    printf("  blake2b(ct1) %s\n", hex);
    CHECK(strcmp(hex, NOTE_VECTOR_CT1) == 0);
    tacit_hex_encode(hex, epk, 32);
    CHECK(strcmp(hex, NOTE_VECTOR_EPK) == 0);
    CHECK_EQ_INT(
        tacit_note_decrypt(&out, tacit_spending_key_viewing_key(k), epk, ct[0], 0, aad, 64),
        TACIT_OK);
    CHECK(note_eq(&out, &pt[0]));
    tacit_spending_key_free(k);
}

/* --------------------------------------------------------------- round trips ---- */

TEST(round_trip_every_memo_length)
{
    struct tacit_spending_key *k0 = random_key(), *k1 = random_key();
    const struct tacit_viewing_key *v[2];
    struct tacit_shielded_address to[2];
    struct tacit_note_plaintext pt[2], out, outs[2];
    uint8_t ct[2][CT], epk[32], aad[64];
    tacit_fr cm[2];
    int status[2];

    if (k0 == NULL || k1 == NULL) return;
    v[0] = tacit_spending_key_viewing_key(k0);
    v[1] = tacit_spending_key_viewing_key(k1);
    tacit_spending_key_address(&to[0], k0);
    tacit_spending_key_address(&to[1], k1);
    for (unsigned len = 0; len <= TACIT_NOTE_MEMO_MAX; len += (len < 16 || len > 500) ? 1 : 37) {
        random_note(&pt[0], (uint16_t)len);
        random_note(&pt[1], (uint16_t)(TACIT_NOTE_MEMO_MAX - len));
        tacit_test_rand_bytes(aad, 64);
        CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, aad, 64), TACIT_OK);
        for (unsigned i = 0; i < 2; i++) {
            CHECK_EQ_INT(tacit_note_decrypt(&out, v[i], epk, ct[i], i, aad, 64), TACIT_OK);
            CHECK(note_eq(&out, &pt[i]));
            tacit_note_commitment(&cm[i], pt[i].value, &to[i].pk, &pt[i].blinding);
        }
        /* each recipient's scan finds its own output and only that */
        for (unsigned r = 0; r < 2; r++) {
            CHECK_EQ_INT(
                tacit_note_scan_tx(outs, status, v[r], epk, (const uint8_t(*)[CT])ct, cm, aad, 64),
                TACIT_OK);
            CHECK_EQ_INT(status[r], TACIT_OK);
            CHECK(note_eq(&outs[r], &pt[r]));
            CHECK(status[1 - r] == TACIT_ENOTFOUND || status[1 - r] == TACIT_EVERIFY);
        }
    }
    /* no aad at all is allowed too */
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, NULL, 0), TACIT_OK);
    CHECK_EQ_INT(tacit_note_decrypt(&out, v[1], epk, ct[1], 1, NULL, 0), TACIT_OK);
    CHECK(note_eq(&out, &pt[1]));
    /* two encryptions of the same notes differ (fresh esk) */
    {
        uint8_t ct2[2][CT], epk2[32];
        CHECK_EQ_INT(tacit_note_encrypt(ct2, epk2, to, pt, NULL, 0), TACIT_OK);
        CHECK(memcmp(epk, epk2, 32) != 0);
        CHECK(memcmp(ct[0], ct2[0], CT) != 0);
    }
    tacit_spending_key_free(k0);
    tacit_spending_key_free(k1);
}

/* Both outputs to one recipient (payment and change): both found with one scan, under
 * different keys (the same note twice encrypts differently). */
TEST(same_recipient_twice)
{
    struct tacit_spending_key *k = random_key();
    struct tacit_shielded_address to[2];
    struct tacit_note_plaintext pt[2], outs[2];
    uint8_t ct[2][CT], epk[32];
    tacit_fr cm[2];
    int status[2];

    if (k == NULL) return;
    tacit_spending_key_address(&to[0], k);
    to[1] = to[0];
    random_note(&pt[0], 100);
    pt[1] = pt[0];
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, NULL, 0), TACIT_OK);
    CHECK(memcmp(ct[0] + 1, ct[1] + 1, CT - 1) != 0);
    for (int i = 0; i < 2; i++)
        tacit_note_commitment(&cm[i], pt[i].value, &to[i].pk, &pt[i].blinding);
    CHECK_EQ_INT(tacit_note_scan_tx(outs, status, tacit_spending_key_viewing_key(k), epk,
                                    (const uint8_t(*)[CT])ct, cm, NULL, 0),
                 TACIT_OK);
    CHECK_EQ_INT(status[0], TACIT_OK);
    CHECK_EQ_INT(status[1], TACIT_OK);
    CHECK(note_eq(&outs[0], &pt[0]) && note_eq(&outs[1], &pt[1]));
    /* an output read at the other index is not found (the index is in the key) */
    {
        struct tacit_note_plaintext out;
        int rc =
            tacit_note_decrypt(&out, tacit_spending_key_viewing_key(k), epk, ct[0], 1, NULL, 0);
        CHECK(rc == TACIT_ENOTFOUND || rc == TACIT_EVERIFY);
    }
    tacit_spending_key_free(k);
}

/* ------------------------------------------------------------------ tampering ---- */

static void check_rejected(int rc, const struct tacit_note_plaintext *out)
{
    static const struct tacit_note_plaintext zero;
    CHECK(rc == TACIT_ENOTFOUND || rc == TACIT_EVERIFY);
    CHECK(memcmp(out, &zero, sizeof zero) == 0);
}

TEST(every_tampered_byte_rejected)
{
    struct tacit_spending_key *k = random_key();
    const struct tacit_viewing_key *v;
    struct tacit_shielded_address to[2];
    struct tacit_note_plaintext pt[2], out;
    uint8_t ct[2][CT], epk[32], aad[64], t[CT];
    int notfound = 0, verify = 0;

    if (k == NULL) return;
    v = tacit_spending_key_viewing_key(k);
    tacit_spending_key_address(&to[0], k);
    to[1] = to[0];
    random_note(&pt[0], 77);
    random_note(&pt[1], 0);
    tacit_test_rand_bytes(aad, 64);
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, aad, 64), TACIT_OK);
    for (size_t i = 0; i < CT; i++) {
        memcpy(t, ct[0], CT);
        t[i] ^= (uint8_t)(1u << (tacit_test_rand64() % 8));
        int rc = tacit_note_decrypt(&out, v, epk, t, 0, aad, 64);
        check_rejected(rc, &out);
        /* a changed view tag is "not ours"; any other byte fails the AEAD */
        CHECK_EQ_INT(rc, i == 0 ? TACIT_ENOTFOUND : TACIT_EVERIFY);
    }
    for (size_t i = 0; i < 32; i++) {
        uint8_t e[32];
        memcpy(e, epk, 32);
        e[i] ^= (uint8_t)(1u << (tacit_test_rand64() % 8));
        int rc = tacit_note_decrypt(&out, v, e, ct[0], 0, aad, 64);
        check_rejected(rc, &out);
        notfound += rc == TACIT_ENOTFOUND;
        verify += rc == TACIT_EVERIFY;
    }
    for (size_t i = 0; i < 64; i++) {
        uint8_t a[64];
        memcpy(a, aad, 64);
        a[i] ^= (uint8_t)(1u << (tacit_test_rand64() % 8));
        int rc = tacit_note_decrypt(&out, v, epk, ct[1], 1, a, 64);
        check_rejected(rc, &out);
        CHECK_EQ_INT(rc, TACIT_EVERIFY); /* the aad is not in the view tag */
    }
    /* a shorter aad, no aad */
    check_rejected(tacit_note_decrypt(&out, v, epk, ct[1], 1, aad, 63), &out);
    check_rejected(tacit_note_decrypt(&out, v, epk, ct[1], 1, NULL, 0), &out);
    CHECK_EQ_INT(notfound + verify, 32);
    /* the untouched one still opens */
    CHECK_EQ_INT(tacit_note_decrypt(&out, v, epk, ct[0], 0, aad, 64), TACIT_OK);
    tacit_spending_key_free(k);
}

/* Other keys: not found, except when the tag collides (then the AEAD fails); never a note. */
TEST(wrong_key_never_decrypts)
{
    struct tacit_spending_key *k = random_key();
    struct tacit_shielded_address to[2];
    struct tacit_note_plaintext pt[2], out;
    uint8_t ct[2][CT], epk[32];
    int n = tacit_test_iters(1000), verify = 0;

    if (k == NULL) return;
    tacit_spending_key_address(&to[0], k);
    to[1] = to[0];
    random_note(&pt[0], 10);
    random_note(&pt[1], 20);
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, NULL, 0), TACIT_OK);
    for (int it = 0; it < n; it++) {
        struct tacit_spending_key *w = random_key();
        if (w == NULL) return;
        int rc = tacit_note_decrypt(&out, tacit_spending_key_viewing_key(w), epk, ct[it & 1],
                                    it & 1, NULL, 0);
        check_rejected(rc, &out);
        verify += rc == TACIT_EVERIFY;
        tacit_spending_key_free(w);
    }
    /* tag collisions: Binomial(n, 1/256); mean n/256, far below n/256 + 8 sd */
    printf("  %d of %d wrong keys matched the view tag\n", verify, n);
    CHECK(verify <= n / 256 + 8 * (int)sqrt(n / 256.0 + 1) + 1);
    tacit_spending_key_free(k);
}

/*
 * The view tag's false-positive rate, over random outputs (random epk and ciphertext, as
 * other people's outputs look to us): hits ~ Binomial(N, 1/256). For N = 100,000: mean
 * 390.6, sd 19.7; the bounds are 6 sd (a correct tag fails them with probability ~2e-9),
 * and a tag that never matched, or matched far too often, fails them.
 */
TEST(view_tag_false_positive_rate)
{
    struct tacit_spending_key *k = random_key();
    const struct tacit_viewing_key *v;
    struct tacit_note_plaintext outs[2];
    uint8_t ct[2][CT], epk[32];
    tacit_fr cm[2] = {TACIT_FR_ZERO, TACIT_FR_ZERO};
    int status[2];
    long outputs = 2L * tacit_test_iters(50000), hits = 0;
    double mean, sd;

    if (k == NULL) return;
    v = tacit_spending_key_viewing_key(k);
    for (long t = 0; t < outputs / 2; t++) {
        tacit_test_rand_bytes(epk, 32);
        tacit_test_rand_bytes(ct[0], CT);
        tacit_test_rand_bytes(ct[1], CT);
        CHECK_EQ_INT(
            tacit_note_scan_tx(outs, status, v, epk, (const uint8_t(*)[CT])ct, cm, NULL, 0),
            TACIT_ENOTFOUND);
        for (int i = 0; i < 2; i++) {
            CHECK(status[i] == TACIT_ENOTFOUND || status[i] == TACIT_EVERIFY);
            hits += status[i] == TACIT_EVERIFY;
        }
    }
    mean = outputs / 256.0;
    sd = sqrt(outputs * (1.0 / 256) * (255.0 / 256));
    printf("  %ld tag matches in %ld random outputs (expected %.1f, sd %.1f)\n", hits, outputs,
           mean, sd);
    CHECK(hits >= mean - 6 * sd && hits <= mean + 6 * sd);
    tacit_spending_key_free(k);
}

/* ------------------------------------------------------------- watch-only keys ---- */

TEST(viewing_keys_decrypt_the_same_notes)
{
    struct tacit_spending_key *k = random_key();
    struct tacit_viewing_key *fvk = NULL, *ivk = NULL;
    struct tacit_shielded_address to[2];
    struct tacit_note_plaintext pt[2], outs[2];
    uint8_t ct[2][CT], epk[32], aad[64];
    char s[TACIT_KEYS_STR_MAX];
    tacit_fr cm[2];
    int status[2];

    if (k == NULL) return;
    CHECK_EQ_INT(tacit_viewing_key_encode(s, tacit_spending_key_viewing_key(k),
                                          TACIT_VIEWING_KEY_FULL, TACIT_NETWORK_DEVNET),
                 TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&fvk, TACIT_NETWORK_DEVNET, s), TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_encode(s, tacit_spending_key_viewing_key(k),
                                          TACIT_VIEWING_KEY_INCOMING, TACIT_NETWORK_DEVNET),
                 TACIT_OK);
    CHECK_EQ_INT(tacit_viewing_key_decode(&ivk, TACIT_NETWORK_DEVNET, s), TACIT_OK);
    if (fvk == NULL || ivk == NULL) goto out;
    /* the sender knows only the address string */
    {
        struct tacit_shielded_address a;
        tacit_spending_key_address(&a, k);
        CHECK_EQ_INT(tacit_shielded_address_encode(s, &a, TACIT_NETWORK_DEVNET), TACIT_OK);
        CHECK_EQ_INT(tacit_shielded_address_decode(&to[0], TACIT_NETWORK_DEVNET, s), TACIT_OK);
        to[1] = to[0];
    }
    random_note(&pt[0], 512);
    random_note(&pt[1], 1);
    tacit_test_rand_bytes(aad, 64);
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, aad, 64), TACIT_OK);
    for (int i = 0; i < 2; i++)
        tacit_note_commitment(&cm[i], pt[i].value, &to[i].pk, &pt[i].blinding);
    const struct tacit_viewing_key *keys[3] = {tacit_spending_key_viewing_key(k), fvk, ivk};
    for (int j = 0; j < 3; j++) {
        CHECK_EQ_INT(
            tacit_note_scan_tx(outs, status, keys[j], epk, (const uint8_t(*)[CT])ct, cm, aad, 64),
            TACIT_OK);
        CHECK_EQ_INT(status[0], TACIT_OK);
        CHECK_EQ_INT(status[1], TACIT_OK);
        CHECK(note_eq(&outs[0], &pt[0]) && note_eq(&outs[1], &pt[1]));
    }
out:
    tacit_viewing_key_free(fvk);
    tacit_viewing_key_free(ivk);
    tacit_spending_key_free(k);
}

/* ------------------------------------------------------------- commitments ---- */

/* tacit_note_commitment is the cm the transfer circuit proves for the same note. */
TEST(commitments_match_the_circuit)
{
    int iters = tacit_test_iters(4);
    for (int it = 0; it < iters; it++) {
        struct tacit_transfer t;
        tacit_fr pub[TACIT_TRANSFER_NPUBLIC], cm;
        uint8_t seed[32];

        tacit_test_rand_bytes(seed, sizeof seed);
        CHECK_EQ_INT(tacit_transfer_example(&t, 4, seed), TACIT_OK);
        CHECK_EQ_INT(tacit_transfer_public_inputs(pub, &t, 4), TACIT_OK);
        for (int j = 0; j < 2; j++) {
            tacit_note_commitment(&cm, t.out[j].value, &t.out[j].pk, &t.out[j].blinding);
            CHECK(tacit_fr_eq(&cm, &pub[TACIT_TRANSFER_PUB_CM0 + j]));
        }
    }
}

/* A sender that encrypts a note other than the committed one: found, decrypted, refused. */
TEST(scan_checks_the_commitment)
{
    struct tacit_spending_key *k = random_key();
    struct tacit_shielded_address to[2];
    struct tacit_note_plaintext pt[2], outs[2];
    uint8_t ct[2][CT], epk[32];
    tacit_fr cm[2];
    int status[2];

    if (k == NULL) return;
    tacit_spending_key_address(&to[0], k);
    to[1] = to[0];
    random_note(&pt[0], 3);
    random_note(&pt[1], 4);
    tacit_note_commitment(&cm[0], pt[0].value, &to[0].pk, &pt[0].blinding);
    /* output 1 commits to one more than it says */
    tacit_note_commitment(&cm[1], pt[1].value + 1, &to[1].pk, &pt[1].blinding);
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, NULL, 0), TACIT_OK);
    CHECK_EQ_INT(tacit_note_scan_tx(outs, status, tacit_spending_key_viewing_key(k), epk,
                                    (const uint8_t(*)[CT])ct, cm, NULL, 0),
                 TACIT_OK);
    CHECK_EQ_INT(status[0], TACIT_OK);
    CHECK_EQ_INT(status[1], TACIT_ENOTE_COMMITMENT);
    CHECK(outs[1].value == 0 && outs[1].memo_len == 0);
    /* both wrong: nothing found */
    cm[0] = cm[1];
    CHECK_EQ_INT(tacit_note_scan_tx(outs, status, tacit_spending_key_viewing_key(k), epk,
                                    (const uint8_t(*)[CT])ct, cm, NULL, 0),
                 TACIT_ENOTFOUND);
    CHECK_EQ_INT(status[0], TACIT_ENOTE_COMMITMENT);
    tacit_spending_key_free(k);
}

/* ------------------------------------------------------- malformed plaintexts ---- */

/* What broken sender software could produce: authentic ciphertexts of bad plaintexts. */
TEST(decrypt_rejects_bad_plaintext)
{
    struct tacit_spending_key *k = random_key();
    const struct tacit_viewing_key *v;
    struct tacit_shielded_address a;
    struct tacit_note_plaintext pt, out;
    uint8_t esk[32], epk[32], b[TACIT_NOTE_PLAINTEXT_BYTES], ct[CT];

    if (k == NULL) return;
    v = tacit_spending_key_viewing_key(k);
    tacit_spending_key_address(&a, k);
    tacit_test_rand_bytes(esk, 32);
    CHECK_EQ_INT(crypto_scalarmult_base(epk, esk), 0);
    random_note(&pt, 512);

    spec_plaintext(b, &pt); /* the full memo: fine */
    spec_encrypt(ct, esk, a.enc_pk, 0, b, NULL, 0);
    CHECK_EQ_INT(tacit_note_decrypt(&out, v, epk, ct, 0, NULL, 0), TACIT_OK);
    CHECK(note_eq(&out, &pt));

    b[40] = 1;
    b[41] = 2; /* memo length 513 */
    spec_encrypt(ct, esk, a.enc_pk, 0, b, NULL, 0);
    CHECK_EQ_INT(tacit_note_decrypt(&out, v, epk, ct, 0, NULL, 0), TACIT_EENCODING);
    CHECK(out.value == 0 && out.memo_len == 0);

    random_note(&pt, 20); /* a nonzero byte after the memo */
    spec_plaintext(b, &pt);
    b[42 + 511] = 1;
    spec_encrypt(ct, esk, a.enc_pk, 0, b, NULL, 0);
    CHECK_EQ_INT(tacit_note_decrypt(&out, v, epk, ct, 0, NULL, 0), TACIT_EENCODING);
    b[42 + 511] = 0;
    b[42 + 20] = 0x80;
    spec_encrypt(ct, esk, a.enc_pk, 0, b, NULL, 0);
    CHECK_EQ_INT(tacit_note_decrypt(&out, v, epk, ct, 0, NULL, 0), TACIT_EENCODING);
    b[42 + 20] = 0;

    CHECK_EQ_INT(
        tacit_hex_decode(b + 8, 32,
                         "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001", false),
        TACIT_OK); /* blinding = r */
    spec_encrypt(ct, esk, a.enc_pk, 0, b, NULL, 0);
    CHECK_EQ_INT(tacit_note_decrypt(&out, v, epk, ct, 0, NULL, 0), TACIT_EENCODING);
    tacit_spending_key_free(k);
}

TEST(misuse_and_bad_keys)
{
    struct tacit_spending_key *k = random_key();
    struct tacit_shielded_address to[2];
    struct tacit_note_plaintext pt[2], out;
    uint8_t ct[2][CT], epk[32], zero[32] = {0};

    if (k == NULL) return;
    tacit_spending_key_address(&to[0], k);
    to[1] = to[0];
    random_note(&pt[0], 1);
    random_note(&pt[1], 1);
    /* memo too long */
    pt[1].memo_len = TACIT_NOTE_MEMO_MAX + 1;
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, NULL, 0), TACIT_EINVAL);
    CHECK(sodium_is_zero(epk, 32) && sodium_is_zero(ct[0], CT));
    pt[1].memo_len = 1;
    /* a recipient key of small order */
    memset(to[1].enc_pk, 0, 32);
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, NULL, 0), TACIT_EINVAL);
    CHECK(sodium_is_zero(epk, 32) && sodium_is_zero(ct[0], CT) && sodium_is_zero(ct[1], CT));
    to[1] = to[0];
    CHECK_EQ_INT(tacit_note_encrypt(ct, epk, to, pt, NULL, 0), TACIT_OK);
    /* index out of range */
    CHECK_EQ_INT(
        tacit_note_decrypt(&out, tacit_spending_key_viewing_key(k), epk, ct[0], 2, NULL, 0),
        TACIT_EINVAL);
    /* an epk of small order is nobody's */
    CHECK_EQ_INT(
        tacit_note_decrypt(&out, tacit_spending_key_viewing_key(k), zero, ct[0], 0, NULL, 0),
        TACIT_ENOTFOUND);
    tacit_spending_key_free(k);
}

static const struct tacit_test tests[] = {
    {"matches_the_spec", matches_the_spec},
    {"vector", vector},
    {"round_trip_every_memo_length", round_trip_every_memo_length},
    {"same_recipient_twice", same_recipient_twice},
    {"every_tampered_byte_rejected", every_tampered_byte_rejected},
    {"wrong_key_never_decrypts", wrong_key_never_decrypts},
    {"view_tag_false_positive_rate", view_tag_false_positive_rate},
    {"viewing_keys_decrypt_the_same_notes", viewing_keys_decrypt_the_same_notes},
    {"commitments_match_the_circuit", commitments_match_the_circuit},
    {"scan_checks_the_commitment", scan_checks_the_commitment},
    {"decrypt_rejects_bad_plaintext", decrypt_rejects_bad_plaintext},
    {"misuse_and_bad_keys", misuse_and_bad_keys},
};

TACIT_TEST_MAIN(tests)
