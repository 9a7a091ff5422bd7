/*
 * tacit — constant-time check of the secret paths, the libsecp256k1 way (its ctime_tests.c):
 * secrets are marked undefined for valgrind's memcheck (VALGRIND_MAKE_MEM_UNDEFINED), which
 * then reports every conditional branch ("Conditional jump or move depends on uninitialised
 * value(s)") and every memory address ("Use of uninitialised value of size 8") computed from
 * them. Results that are public by design are marked defined again after the call (the
 * "declassification": an address, a signature, a proof).
 *
 * Built only with -DTACIT_LONGRUNS=ON, run by contrib/valgrind (not a ctest):
 *     valgrind --tool=memcheck build/longruns/ctime
 * Without valgrind the client requests do nothing and it only runs the paths.
 *
 * Sections (each prints its memcheck error count; the marker "ctime section: NAME" is
 * written into valgrind's log before it; keys and prover must count 0, or the run exits 2):
 *   keys       spending key from a secret seed -> nk, pk, enc_sk, enc_pk, address; the key and
 *              viewing key as bytes and as text, back (bech32m decoding, the range check of
 *              the key: the verdict is declassified once, src/common/declassify.h); the
 *              refusals of a key's text (checksum, case) and of a key not below r; a viewing
 *              key's nullifier
 *   encrypt    note encryption: secret plaintexts, a secret ephemeral key
 *   decrypt    trial decryption with a secret viewing key: an output of ours, one of
 *              someone else (view tag differs), a tampered one (AEAD fails); scanning a tx
 *   deposit    deposit signing (tacit_deposit_sign) and the sender's address from the key
 *   sequencer  sequencer key, its public key, a block signature (tacit_block_sign)
 *   prover     tacit_groth16_prove's blinding: r and s (randombytes) secret, the witness not
 * Randomness from libsodium is secret inside a section (a randombytes implementation that
 * marks what it returns undefined), so ephemeral keys and r, s are covered without hooks.
 * Errors inside libsodium and libsecp256k1 are theirs (both have their own constant-time
 * checks); contrib/valgrind suppresses reports whose innermost frame is in them.
 *
 * Reports accepted as they are (contrib/valgrind still prints them):
 *   deposit    src/chain/account.c, tacit_address_from_seckey and tacit_deposit_sign: a branch
 *   sequencer  on what libsecp256k1 returns (secp256k1_ec_pubkey_create,
 *              secp256k1_ecdsa_sign_recoverable, secp256k1_keypair_create), that is on
 *              whether the secret key is valid (nonzero, below the group order). That answer
 *              is the caller's error anyway, and libsecp256k1's own ctime_tests.c
 *              declassifies the same return values.
 * Fixed (issue 10's runs reported them): the prover's r/s blinding sums (tacit_g1_add_ct,
 * tacit_g2_add_ct), the bech32m decoding of a key's text and the range check of a key
 * (tacit_fr_from_limbs): the prover and keys sections report 0.
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "tacit/bech32m.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/keys.h"
#include "tacit/note.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "ctime: %s:%d: %s failed\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

/* A call that must succeed; whether it did is public (a secret that does not parse is an error
 * the caller sees anyway). */
#define CHECK_OK(expr)            \
    do {                          \
        int rc_ = (expr);         \
        PUBLIC(&rc_, sizeof rc_); \
        CHECK(rc_ == TACIT_OK);   \
    } while (0)

/* ------------------------------------------- randomness: secret in a section ---- */

static bool in_section; /* outside: libsodium's own canary, the setup's toxic waste */

static void secret_buf(void *const buf, const size_t size)
{
    randombytes_sysrandom_implementation.buf(buf, size);
    if (in_section) SECRET(buf, size);
}

static uint32_t secret_random(void)
{
    uint32_t v;
    secret_buf(&v, sizeof v);
    return v;
}

static const char *secret_name(void) { return "ctime"; }

static randombytes_implementation secret_rng = {
    .implementation_name = secret_name,
    .random = secret_random,
    .buf = secret_buf,
};

/* ----------------------------------------------------------------- sections ---- */

static unsigned errors_before;
static const char *section_name;

static void section_begin(const char *name)
{
    section_name = name;
    VALGRIND_PRINTF("ctime section: %s\n", name);
    errors_before = VALGRIND_COUNT_ERRORS;
    in_section = true;
}

/* clean: the section must report nothing (its findings are fixed), else the run fails */
static void section_end(bool clean)
{
    unsigned n = VALGRIND_COUNT_ERRORS - errors_before;
    in_section = false;
    VALGRIND_PRINTF("ctime section end: %s: %u errors\n", section_name, n);
    printf("%-10s %u%s\n", section_name, n, clean ? " (must be 0)" : "");
    fflush(stdout);
    if (clean && n > 0) {
        fprintf(stderr, "ctime: section %s: %u reports, must be 0\n", section_name, n);
        failures++;
    }
}

/* A spending key from a secret seed, as a wallet makes one. */
static struct tacit_spending_key *secret_key(uint8_t tag)
{
    uint8_t seed[64];
    struct tacit_spending_key *k = NULL;
    memset(seed, tag, sizeof seed);
    SECRET(seed, sizeof seed);
    CHECK_OK(tacit_spending_key_from_wide(&k, seed));
    sodium_memzero(seed, sizeof seed);
    return k;
}

/* "tdevsk" "1", 32 bytes as 52 data characters, 6 of checksum: the text's length is public */
#define SK_TEXT_LEN (6 + 1 + 52 + 6)

static void keys(void)
{
    struct tacit_spending_key *k = secret_key(7), *k2 = NULL;
    struct tacit_viewing_key *vk2 = NULL;
    struct tacit_shielded_address a;
    char text[TACIT_KEYS_STR_MAX];
    uint8_t b32[32], b64[64];
    tacit_fr cm, nf;
    int rc;

    section_begin("keys");
    tacit_spending_key_address(&a, k);
    PUBLIC(&a, sizeof a); /* an address is given to payers */
    CHECK_OK(tacit_shielded_address_encode(text, &a, TACIT_NETWORK_DEVNET));

    /* export and import of the secrets themselves, bytes and text */
    tacit_spending_key_to_bytes(b32, k);
    CHECK_OK(tacit_spending_key_from_bytes(&k2, b32));
    tacit_spending_key_free(k2);
    k2 = NULL;
    CHECK_OK(tacit_spending_key_encode(text, k, TACIT_NETWORK_DEVNET));
    CHECK_OK(tacit_spending_key_decode(&k2, TACIT_NETWORK_DEVNET, text));
    tacit_spending_key_free(k2);
    k2 = NULL;
    /* the refusals, each told only after the whole string or value was read: a data
     * character dropped (the checksum), one with its case flipped (mixed case, or a character
     * outside the alphabet for a digit), a key not below r, as bytes and as text */
    memmove(text + 12, text + 13, SK_TEXT_LEN + 1 - 13); /* strlen would read the secret */
    rc = tacit_spending_key_decode(&k2, TACIT_NETWORK_DEVNET, text);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TACIT_ECHECKSUM && k2 == NULL);
    CHECK_OK(tacit_spending_key_encode(text, k, TACIT_NETWORK_DEVNET));
    text[12] ^= 0x20;
    rc = tacit_spending_key_decode(&k2, TACIT_NETWORK_DEVNET, text);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TACIT_EENCODING && k2 == NULL);
    memset(b32, 0xff, sizeof b32);
    SECRET(b32, sizeof b32);
    rc = tacit_spending_key_from_bytes(&k2, b32);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TACIT_ENONCANONICAL && k2 == NULL);
    CHECK_OK(tacit_bech32m_encode_bytes(text, sizeof text, "tdevsk", b32, sizeof b32));
    rc = tacit_spending_key_decode(&k2, TACIT_NETWORK_DEVNET, text);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TACIT_ENONCANONICAL && k2 == NULL);
    CHECK_OK(
        tacit_viewing_key_to_bytes(b64, tacit_spending_key_viewing_key(k), TACIT_VIEWING_KEY_FULL));
    CHECK_OK(tacit_viewing_key_from_bytes(&vk2, TACIT_VIEWING_KEY_FULL, b64));
    tacit_viewing_key_free(vk2);
    vk2 = NULL;
    CHECK_OK(tacit_viewing_key_encode(text, tacit_spending_key_viewing_key(k),
                                      TACIT_VIEWING_KEY_INCOMING, TACIT_NETWORK_DEVNET));
    CHECK_OK(tacit_viewing_key_decode(&vk2, TACIT_NETWORK_DEVNET, text));
    tacit_viewing_key_free(vk2);

    /* the nullifier of a note at a public position: public once spent */
    tacit_fr_from_u64(&cm, 12345);
    CHECK_OK(tacit_viewing_key_nullifier(&nf, tacit_spending_key_viewing_key(k), &cm, 3));
    PUBLIC(&nf, sizeof nf);
    section_end(true);

    sodium_memzero(b32, sizeof b32);
    sodium_memzero(b64, sizeof b64);
    sodium_memzero(text, sizeof text);
    tacit_spending_key_free(k);
}

/* Two outputs to `to` (ours) and `other`: ct, epk, the commitments (public). */
struct note_tx {
    uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES];
    uint8_t epk[TACIT_EPK_BYTES];
    uint8_t aad[TACIT_NOTE_AAD_BYTES];
    tacit_fr cm[2];
};

static void make_note_tx(struct note_tx *t, const struct tacit_shielded_address *to,
                         const struct tacit_shielded_address *other)
{
    struct tacit_note_plaintext pt[2];
    struct tacit_shielded_address dest[2] = {*to, *other};
    tacit_fr nf0, nf1;

    memset(pt, 0, sizeof pt);
    pt[0].value = 1000;
    pt[1].value = 42;
    tacit_fr_from_u64(&pt[0].blinding, 99);
    tacit_fr_from_u64(&pt[1].blinding, 77);
    pt[0].memo_len = 5;
    memcpy(pt[0].memo, "hello", 5);
    pt[1].memo_len = 0;
    SECRET(pt, sizeof pt);
    tacit_fr_from_u64(&nf0, 1);
    tacit_fr_from_u64(&nf1, 2);
    tacit_note_aad(t->aad, &nf0, &nf1);
    CHECK_OK(tacit_note_encrypt(t->ct, t->epk, dest, pt, t->aad, sizeof t->aad));
    PUBLIC(t->ct, sizeof t->ct); /* what goes on chain */
    PUBLIC(t->epk, sizeof t->epk);
    for (int i = 0; i < 2; i++) {
        tacit_note_commitment(&t->cm[i], pt[i].value, &dest[i].pk, &pt[i].blinding);
        PUBLIC(&t->cm[i], sizeof t->cm[i]);
    }
    sodium_memzero(pt, sizeof pt);
}

static void notes(void)
{
    struct tacit_spending_key *me = secret_key(1), *them = secret_key(2);
    const struct tacit_viewing_key *vk = tacit_spending_key_viewing_key(me);
    struct tacit_shielded_address a_me, a_them;
    struct tacit_note_plaintext out[2];
    struct note_tx t;
    int status[2], rc;

    tacit_spending_key_address(&a_me, me);
    tacit_spending_key_address(&a_them, them);
    PUBLIC(&a_me, sizeof a_me);
    PUBLIC(&a_them, sizeof a_them);

    section_begin("encrypt");
    make_note_tx(&t, &a_me, &a_them);
    section_end(false);

    section_begin("decrypt");
    rc = tacit_note_decrypt(&out[0], vk, t.epk, t.ct[0], 0, t.aad, sizeof t.aad);
    PUBLIC(&rc, sizeof rc); /* "is it mine" is what trial decryption answers */
    CHECK(rc == TACIT_OK);
    rc = tacit_note_decrypt(&out[1], vk, t.epk, t.ct[1], 1, t.aad, sizeof t.aad);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TACIT_ENOTFOUND || rc == TACIT_EVERIFY); /* someone else's (or a tag collision) */
    t.ct[0][100] ^= 1;
    rc = tacit_note_decrypt(&out[0], vk, t.epk, t.ct[0], 0, t.aad, sizeof t.aad);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TACIT_EVERIFY);
    t.ct[0][100] ^= 1;
    rc = tacit_note_scan_tx(out, status, vk, t.epk,
                            (const uint8_t(*)[TACIT_NOTE_CIPHERTEXT_BYTES])t.ct, t.cm, t.aad,
                            sizeof t.aad);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(status, sizeof status);
    CHECK(rc == TACIT_OK && status[0] == TACIT_OK);
    section_end(false);

    sodium_memzero(out, sizeof out);
    tacit_spending_key_free(me);
    tacit_spending_key_free(them);
}

static void deposit(void)
{
    uint8_t sk[32], digest[32], sig[TACIT_DEPOSIT_SIG_BYTES], addr[TACIT_ADDRESS_LEN];
    uint8_t back[TACIT_ADDRESS_LEN];
    int rc;

    memset(sk, 0x5a, sizeof sk);
    memset(digest, 0x33, sizeof digest);
    SECRET(sk, sizeof sk);
    section_begin("deposit");
    rc = tacit_address_from_seckey(addr, sk);
    PUBLIC(&rc, sizeof rc); /* whether the key is valid */
    PUBLIC(addr, sizeof addr);
    CHECK(rc == TACIT_OK);
    rc = tacit_deposit_sign(sig, sk, digest);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(sig, sizeof sig); /* goes on chain */
    CHECK(rc == TACIT_OK);
    section_end(false);
    CHECK(tacit_deposit_recover(back, sig, digest) == TACIT_OK &&
          memcmp(back, addr, sizeof addr) == 0);
    sodium_memzero(sk, sizeof sk);
}

static void sequencer(void)
{
    struct tacit_sequencer_key *k = NULL;
    struct tacit_block_header h;
    uint8_t sk[32], xonly[32], addr[TACIT_ADDRESS_LEN];
    int rc;

    memset(sk, 0x21, sizeof sk);
    memset(&h, 0, sizeof h);
    h.version = TACIT_BLOCK_VERSION;
    h.chain_id = 7;
    h.height = 3;
    SECRET(sk, sizeof sk);
    section_begin("sequencer");
    rc = tacit_sequencer_key_new(&k, sk);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TACIT_OK);
    if (rc == TACIT_OK) {
        tacit_sequencer_key_public(k, xonly, addr);
        PUBLIC(xonly, sizeof xonly);
        PUBLIC(addr, sizeof addr);
        rc = tacit_block_sign(&h, k);
        PUBLIC(&rc, sizeof rc);
        PUBLIC(&h, sizeof h);
        CHECK(rc == TACIT_OK);
    }
    section_end(false);
    CHECK_OK(tacit_block_check_signature(&h));
    tacit_sequencer_key_free(k);
    sodium_memzero(sk, sizeof sk);
}

/* x * y = z (z public): the smallest system the prover takes. */
static void prover(void)
{
    tacit_lc_term terms[3];
    tacit_constraint c;
    tacit_r1cs cs = {.nvars = 4, .npublic = 1, .nconstraints = 1, .constraints = &c};
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_vk *vk = NULL;
    tacit_groth16_pvk *pvk = NULL;
    tacit_groth16_proof proof;
    tacit_fr w[4];
    int rc;

    for (int i = 0; i < 3; i++) terms[i].coeff = TACIT_FR_ONE;
    terms[0].var = 2;
    terms[1].var = 3;
    terms[2].var = 1;
    c.a = (tacit_lc){&terms[0], 1};
    c.b = (tacit_lc){&terms[1], 1};
    c.c = (tacit_lc){&terms[2], 1};
    w[0] = TACIT_FR_ONE;
    tacit_fr_from_u64(&w[2], 6);
    tacit_fr_from_u64(&w[3], 7);
    tacit_fr_mul(&w[1], &w[2], &w[3]);

    /* the setup (outside the section) is not what this checks */
    CHECK_OK(tacit_groth16_setup(&pk, &cs, 1));
    if (pk == NULL) return;
    section_begin("prover");
    rc = tacit_groth16_prove(&proof, pk, w, 4, 1, NULL);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(&proof, sizeof proof); /* the proof is published */
    CHECK(rc == TACIT_OK);
    section_end(true);
    CHECK_OK(tacit_groth16_pk_vk(&vk, pk));
    CHECK(vk != NULL && tacit_groth16_pvk_new(&pvk, vk, NULL) == TACIT_OK);
    CHECK(pvk != NULL && tacit_groth16_verify_var(pvk, &proof, &w[1], 1) == TACIT_OK);
    tacit_groth16_pvk_free(pvk);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk);
}

int main(void)
{
    if (randombytes_set_implementation(&secret_rng) != 0 || sodium_init() < 0) {
        fprintf(stderr, "ctime: libsodium failed to initialise\n");
        return 2;
    }
    printf("%-10s %s\n", "section",
           RUNNING_ON_VALGRIND ? "memcheck errors" : "(not under valgrind)");
    keys();
    notes();
    deposit();
    sequencer();
    prover();
    return failures ? 2 : 0;
}
