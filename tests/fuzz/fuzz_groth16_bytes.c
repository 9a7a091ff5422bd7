/*
 * tacit — fuzz target for the binary decoders: tacit_groth16_proof_from_bytes (256 bytes),
 * tacit_g1_from_bytes (64) and tacit_g2_from_bytes (128, EIP-197 order).
 *
 * Input: any bytes. Every decoder runs at every 64-byte-aligned offset where its encoding
 * fits, so an EIP-196/197 precompile input (G1 || G1, G1 || scalar, (G1 || G2) * k) is
 * decoded point by point and a pairing input also as proofs (G1 || G2 || G1). Checks:
 *  - only the documented error codes, the output zeroed (infinity) on failure;
 *  - a decoded point or proof encodes back to the same bytes (encodings are canonical);
 *  - tacit_g2_from_bytes agrees with tacit_g2_from_bytes_unchecked_subgroup, and on a
 *    point of the twist its subgroup verdict agrees with [r]Q == O.
 */
#include <string.h>

#include "fuzz.h"
#include "tacit/bn254.h"
#include "tacit/error.h"
#include "tacit/groth16.h"

/* inputs longer than this are only decoded in their first MAX_SCAN bytes */
#define MAX_SCAN 4096

static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                    0xb85045b68181585dULL, 0x30644e72e131a029ULL};

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0) return 0;
    return 1;
}

static void g1_at(const uint8_t *in)
{
    tacit_g1_affine p;
    uint8_t out[64];
    int rc;
    memset(&p, 0xa5, sizeof p);
    rc = tacit_g1_from_bytes(&p, in);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_ENONCANONICAL || rc == TACIT_ENOT_ON_CURVE);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(all_zero(&p, sizeof p));
        return;
    }
    FUZZ_CHECK(tacit_g1_affine_is_on_curve(&p));
    tacit_g1_to_bytes(out, &p);
    FUZZ_CHECK(memcmp(out, in, sizeof out) == 0);
}

static void g2_at(const uint8_t *in)
{
    tacit_g2_affine q, u;
    tacit_g2 j;
    uint8_t out[128];
    int rc, rcu;
    memset(&q, 0xa5, sizeof q);
    memset(&u, 0xa5, sizeof u);
    rc = tacit_g2_from_bytes(&q, in);
    rcu = tacit_g2_from_bytes_unchecked_subgroup(&u, in);
    FUZZ_CHECK(rcu == TACIT_OK || rcu == TACIT_ENONCANONICAL || rcu == TACIT_ENOT_ON_CURVE);
    if (rcu != TACIT_OK) {
        FUZZ_CHECK(rc == rcu);
        FUZZ_CHECK(all_zero(&u, sizeof u) && all_zero(&q, sizeof q));
        return;
    }
    FUZZ_CHECK(tacit_g2_affine_is_on_curve(&u));
    tacit_g2_to_bytes(out, &u);
    FUZZ_CHECK(memcmp(out, in, sizeof out) == 0);
    /* the subgroup verdict against the definition */
    tacit_g2_from_affine(&j, &u);
    tacit_g2_mul_var(&j, &j, R_LIMBS);
    FUZZ_CHECK(rc == (tacit_g2_is_infinity(&j) ? TACIT_OK : TACIT_ENOT_IN_SUBGROUP));
    if (rc == TACIT_OK)
        FUZZ_CHECK(memcmp(&q, &u, sizeof q) == 0);
    else
        FUZZ_CHECK(all_zero(&q, sizeof q));
}

static void proof_at(const uint8_t *in, int with_where)
{
    tacit_groth16_proof p;
    char where[TACIT_GROTH16_WHERE_MAX];
    uint8_t out[TACIT_GROTH16_PROOF_BYTES];
    int rc;
    memset(&p, 0xa5, sizeof p);
    memset(where, 'x', sizeof where);
    rc = tacit_groth16_proof_from_bytes(&p, in, with_where ? where : NULL);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_ENONCANONICAL || rc == TACIT_ENOT_ON_CURVE ||
               rc == TACIT_EINFINITY);
    if (with_where) {
        FUZZ_CHECK(memchr(where, '\0', sizeof where) != NULL);
        FUZZ_CHECK(rc == TACIT_OK ? where[0] == '\0'
                                  : strcmp(where, "pi_a") == 0 || strcmp(where, "pi_b") == 0 ||
                                        strcmp(where, "pi_c") == 0);
    }
    if (rc != TACIT_OK) {
        FUZZ_CHECK(all_zero(&p, sizeof p));
        return;
    }
    tacit_groth16_proof_to_bytes(out, &p);
    FUZZ_CHECK(memcmp(out, in, sizeof out) == 0);
    /* the points the decoder promises; the subgroup check of B is the verifier's */
    rc = tacit_groth16_proof_check_var(&p);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_ENOT_IN_SUBGROUP);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = size < MAX_SCAN ? size : MAX_SCAN;
    for (size_t off = 0; off + 64 <= n; off += 64) {
        g1_at(data + off);
        if (off + 128 <= n) g2_at(data + off);
        if (off + TACIT_GROTH16_PROOF_BYTES <= n) proof_at(data + off, (off / 64) & 1);
    }
    return 0;
}
