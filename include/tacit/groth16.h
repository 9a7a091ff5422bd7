/*
 * tacit — Groth16 over BN254: keys, proofs, single and batch verification, and the
 * snarkjs JSON forms (verification_key.json, proof.json, public.json).
 *
 * The verification equation (Groth 2016, "On the Size of Pairing-based Non-interactive
 * Arguments", section 3.2), with L = IC[0] + sum_j pub[j] IC[j+1]:
 *
 *     e(A, B) = e(alpha, beta) * e(L, gamma) * e(C, delta)
 *
 * checked as FE(ML(-A, B) * ML(L, gamma) * ML(C, delta)) * e(alpha, beta) == 1 with one
 * multi-Miller loop (gamma and delta lines precomputed) and one final exponentiation.
 *
 * Conventions (see also tacit/bn254.h)
 *  - Everything here works on public data and runs in variable time (_var).
 *  - Functions return TACIT_OK or the reason for a rejection (tacit/error.h). A rejected
 *    proof is never an abort: nothing a peer or a file sends can kill the process.
 *  - Parsing checks the encoding; verification re-checks every point of the proof
 *    (on curve, not infinity, B in G2), so a tacit_groth16_proof made by hand, or parsed
 *    from a trusted cache, is still fully checked when verified.
 *  - Keys are validated when loaded and again when prepared.
 *  - Optional `where` outputs (char[TACIT_GROTH16_WHERE_MAX], may be NULL) name the JSON
 *    field a parse or key check failed on, e.g. "pi_a", "IC[3]", "public[1]"; "" when the
 *    failure is not about one field.
 */
#ifndef TACIT_GROTH16_H
#define TACIT_GROTH16_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_GROTH16_PROOF_BYTES 256
#define TACIT_GROTH16_WHERE_MAX 32
/* Largest JSON document the parsers and tacit_groth16_read_file accept (TACIT_ETOOBIG). */
#define TACIT_GROTH16_JSON_MAX ((size_t)64 << 20)

/* A proof: three affine points. A proof that came from the parsers below has canonical
 * coordinates; verification checks the rest. */
typedef struct {
    tacit_g1_affine a;
    tacit_g2_affine b;
    tacit_g1_affine c;
} tacit_groth16_proof;

/* A verifying key. Allocated with its IC array (npublic + 1 points) by
 * tacit_groth16_vk_new or a loader; released with tacit_groth16_vk_free. */
typedef struct {
    tacit_g1_affine alpha;
    tacit_g2_affine beta, gamma, delta;
    size_t npublic;
    tacit_g1_affine ic[]; /* npublic + 1 */
} tacit_groth16_vk;

/* A verifying key prepared for verification: read-only after tacit_groth16_pvk_new, so
 * one prepared key may be shared by any number of threads verifying concurrently.
 * About 34 KiB, plus 64 KiB per IC point for its fixed-base tables (keys with up to
 * TACIT_GROTH16_FIXED_BASE_MAX public inputs); released with tacit_groth16_pvk_free. */
#define TACIT_GROTH16_FIXED_BASE_MAX 32
typedef struct {
    tacit_fp12 alphabeta;           /* e(alpha, beta), the reduced pairing */
    tacit_fp12 alphabeta_lambda;    /* internal: e(alpha, beta)^lambda (batch) */
    tacit_g2_prepared gamma, delta; /* Miller-loop lines of gamma and delta */
    size_t npublic;
    const tacit_g1_affine *ic_tab; /* internal: fixed-base tables of IC, or NULL */
    tacit_g1_affine ic[];          /* npublic + 1 */
} tacit_groth16_pvk;

/* One proof of a batch with its public inputs (borrowed; nothing is copied). */
typedef struct {
    const tacit_groth16_proof *proof;
    const tacit_fr *pub;
    size_t npub;
} tacit_groth16_item;

/* --------------------------------------------------------------- keys ---- */

/* Allocate a verifying key for npublic inputs, every point zero (= infinity, so it is
 * invalid until filled in).
 * Returns: the key, or NULL when out of memory or npublic is absurdly large.
 * Free with tacit_groth16_vk_free. */
tacit_groth16_vk *tacit_groth16_vk_new(size_t npublic);

/* Release a key (NULL is allowed). */
void tacit_groth16_vk_free(tacit_groth16_vk *vk);

/* Check a verifying key: every point on its curve, not infinity, the G2 points in G2,
 * gamma != delta and gamma != -delta (either lets a prover move L into C).
 * Returns: TACIT_OK, TACIT_EVK_INFINITY, TACIT_ENOT_ON_CURVE, TACIT_ENOT_IN_SUBGROUP or
 *          TACIT_EVK_GAMMA_DELTA.
 * Out:     where: the failing field ("vk_alpha_1", "vk_beta_2", ..., "IC[j]"), may be NULL. */
int tacit_groth16_vk_check_var(const tacit_groth16_vk *vk, char *where);

/* Prepare a key: checks it (as tacit_groth16_vk_check_var), computes e(alpha, beta), the
 * gamma and delta lines and the fixed-base tables of IC, copies IC. Costs about 2 ms
 * plus 0.4 ms per public input; do it once per key. The result points into itself: use
 * it through the pointer, do not copy the struct.
 * Returns: TACIT_OK, TACIT_ENOMEM or a key-check error (then *out is NULL).
 * Out:     out: the prepared key; free with tacit_groth16_pvk_free.
 *          where: as tacit_groth16_vk_check_var (may be NULL). */
int tacit_groth16_pvk_new(tacit_groth16_pvk **out, const tacit_groth16_vk *vk, char *where);

/* Release a prepared key (NULL is allowed). */
void tacit_groth16_pvk_free(tacit_groth16_pvk *pvk);

/* ------------------------------------------------------------- verify ---- */

/* Check the points of a proof: A and C on E, B on the twist and in G2 (the
 * psi-endomorphism test), none at infinity. The verify functions make the same checks, with
 * B's membership in G2 read off the Miller loop that pairs B (no separate test): a caller
 * that verifies need not call this.
 * Returns: TACIT_OK, TACIT_EINFINITY, TACIT_ENOT_ON_CURVE or TACIT_ENOT_IN_SUBGROUP. */
int tacit_groth16_proof_check_var(const tacit_groth16_proof *proof);

/* Verify one proof. Does not allocate.
 * Returns: TACIT_OK (valid), TACIT_ENPUBLIC (npub != pvk->npublic), a
 *          tacit_groth16_proof_check_var error, or TACIT_EVERIFY (pairing check failed).
 * Args:    pvk: a prepared key. proof: the proof.
 *          pub: npub public inputs (may be NULL when npub == 0). */
int tacit_groth16_verify_var(const tacit_groth16_pvk *pvk, const tacit_groth16_proof *proof,
                             const tacit_fr *pub, size_t npub);

/* Verify n proofs under one key with a random linear combination and one final
 * exponentiation:
 *   prod e(r_i A_i, B_i) == e(alpha,beta)^(sum r_i) e(sum r_i L_i, gamma) e(sum r_i C_i, delta)
 * with 128 random bits per proof from libsodium's randombytes_buf (r_i = a_i + b_i lambda,
 * a_i, b_i 64-bit, lambda the GLV eigenvalue: 2^128 distinct values, see groth16.c), so a
 * batch with a bad proof passes the combined check with probability at most 2^-128.
 * Does not modify anything shared: one prepared key may serve concurrent batches.
 * Each proof is first checked alone (public-input count, points); those that fail get
 * their reason directly. Each B_i's membership in G2 is read off its own Miller loop in the
 * combined check: proofs with B_i outside G2 get TACIT_ENOT_IN_SUBGROUP and the others are
 * combined again. When the combined check fails, every remaining proof is verified singly,
 * so the result names exactly the bad ones.
 * Returns: TACIT_OK when every proof is valid, TACIT_ENOMEM when the O(n + npublic)
 *          scratch could not be allocated (then every results[i] is TACIT_ENOMEM), else
 *          the first non-OK entry of results.
 * Out:     results: n per-proof codes, as tacit_groth16_verify_var would return them.
 * Args:    pvk: a prepared key; items: n proofs with their public inputs. */
int tacit_groth16_verify_batch_var(int *results, const tacit_groth16_pvk *pvk,
                                   const tacit_groth16_item *items, size_t n);

/* The same on up to nthreads threads (0: every core, or TACIT_THREADS): the n proofs are cut
 * into one slice per thread, at least TACIT_GROTH16_PAR_MIN each, and each slice is a batch of
 * its own (its own random coefficients and final exponentiation). Same results and returns as
 * tacit_groth16_verify_batch_var. A block's proofs (src/chain/block.c) are verified this way. */
#define TACIT_GROTH16_PAR_MIN 64
int tacit_groth16_verify_batch_par_var(int *results, const tacit_groth16_pvk *pvk,
                                       const tacit_groth16_item *items, size_t n,
                                       unsigned nthreads);

/* ------------------------------------------------------ binary proofs ---- */

/* Decode the 256-byte proof A (64) || B (128, EIP-197 order x.c1 x.c0 y.c1 y.c0) || C (64).
 * Checks canonical coordinates, on-curve, and rejects (0,0) infinity; the subgroup check
 * of B is left to verification.
 * Returns: TACIT_OK, TACIT_ENONCANONICAL, TACIT_ENOT_ON_CURVE or TACIT_EINFINITY
 *          (*out is zeroed on failure).
 * Out:     where: "pi_a", "pi_b" or "pi_c" (may be NULL). */
int tacit_groth16_proof_from_bytes(tacit_groth16_proof *out, const uint8_t in[256], char *where);
void tacit_groth16_proof_to_bytes(uint8_t out[256], const tacit_groth16_proof *proof);

/* ------------------------------------------------------- snarkjs JSON ---- */
/*
 * Strict readers (shared/docs/DESIGN.md section 2.1). Coordinates are decimal strings
 * (digits only) < p; G1 is [x, y, "1"], G2 is [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]].
 * Duplicate object keys are rejected. Unknown keys are ignored (vk_alphabeta_12 is
 * ignored: e(alpha, beta) is always recomputed).
 * Errors, for every reader:
 *   TACIT_EJSON         not JSON (syntax error, duplicate key, trailing data)
 *   TACIT_ETOOBIG       len > TACIT_GROTH16_JSON_MAX
 *   TACIT_EENCODING     wrong shape: missing field, not an array of the right length,
 *                       not a decimal string (float, negative, number instead of string)
 *   TACIT_ENONCANONICAL a coordinate >= p
 *   TACIT_ENOTAFFINE    z not "1" (["1", "0"] for G2) nor infinity
 *   TACIT_ENOMEM
 * The buffers need not be NUL-terminated.
 */

/* Read verification_key.json and check the key (tacit_groth16_vk_check_var).
 * Returns: TACIT_OK, a reader error, TACIT_EPROTOCOL (protocol not "groth16" or curve not
 *          "bn128", or missing), TACIT_EVK_IC_LENGTH (len(IC) != nPublic + 1),
 *          TACIT_EVK_INFINITY (z = 0), or a key-check error.
 * Out:     out: the key (NULL on failure); free with tacit_groth16_vk_free. */
int tacit_groth16_vk_from_json(tacit_groth16_vk **out, const char *json, size_t len, char *where);

/* Read proof.json (pi_a, pi_b, pi_c; "protocol" and "curve" optional but checked when
 * present). A point with z = 0 gives TACIT_EINFINITY; A and C off E and B off the twist
 * give TACIT_ENOT_ON_CURVE. The G2 subgroup check of B is done at verification.
 * Returns: TACIT_OK, a reader error, TACIT_EINFINITY, TACIT_ENOT_ON_CURVE, TACIT_EPROTOCOL.
 * Out:     out: the proof (zeroed on failure). */
int tacit_groth16_proof_from_json(tacit_groth16_proof *out, const char *json, size_t len,
                                  char *where);

/* Read public.json: an array of decimal strings, each < r. The count is checked against
 * the key at verification (TACIT_ENPUBLIC).
 * Returns: TACIT_OK, a reader error, TACIT_EPUBLIC_INPUT (a value >= r).
 * Out:     out: *n inputs (a valid pointer even when *n == 0), NULL on failure;
 *          free with tacit_groth16_public_free. */
int tacit_groth16_public_from_json(tacit_fr **out, size_t *n, const char *json, size_t len,
                                   char *where);
void tacit_groth16_public_free(tacit_fr *pub);

/* Writers in the snarkjs form (1-space indentation, as snarkjs writes). The key has no
 * vk_alphabeta_12 (snarkjs's verifier does not read it; tacit's final exponentiation is
 * a fixed power of snarkjs's, so the value would differ).
 * Returns: a NUL-terminated string, free with free(); NULL when out of memory. */
char *tacit_groth16_vk_to_json(const tacit_groth16_vk *vk);
char *tacit_groth16_proof_to_json(const tacit_groth16_proof *proof);
char *tacit_groth16_public_to_json(const tacit_fr *pub, size_t n);

/* -------------------------------------------------- Solidity verifier ---- */
/*
 * A standalone Solidity contract that verifies proofs for one key on Ethereum, through the
 * BN254 precompiles ecAdd (0x06) and ecMul (0x07) of EIP-196 and the pairing check (0x08) of
 * EIP-197 (src/zk/solidity.c). Its verifyProof has the ABI of snarkjs's Groth16 verifier
 * (snarkjs 0.7.6 `zkey export solidityverifier`):
 *     verifyProof(uint256[2] _pA, uint256[2][2] _pB, uint256[2] _pC, uint256[N] _pubSignals)
 *         returns (bool)
 * N = npublic, _pB = [[x.c1, x.c0], [y.c1, y.c0]] (EIP-197 order); without public inputs the
 * last argument is left out (Solidity has no uint256[0]). It returns false, without
 * reverting, for a failing proof, a public input >= r or a coordinate >= p. Compiles with
 * solc >= 0.8.13.
 */
#define TACIT_GROTH16_SOLIDITY_NAME_MAX 64

/* Is name usable as the contract's name: a Solidity identifier ([A-Za-z_$][A-Za-z0-9_$]*),
 * at most TACIT_GROTH16_SOLIDITY_NAME_MAX characters, not a keyword, reserved word or
 * elementary type name, not "verifyProof". */
bool tacit_groth16_solidity_name_is_valid(const char *name);

/* Write the verifier of vk as Solidity source named name (snarkjs's is "Groth16Verifier").
 * The key is checked first (tacit_groth16_vk_check_var). The text depends only on vk and
 * name.
 * Returns: TACIT_OK, TACIT_EINVAL (name not valid, see above), a key-check error (with
 *          where set), or TACIT_ENOMEM.
 * Out:     out: NUL-terminated source, free with free(); NULL on failure.
 *          where: as tacit_groth16_vk_check_var (may be NULL). */
int tacit_groth16_vk_to_solidity(char **out, const tacit_groth16_vk *vk, const char *name,
                                 char *where);

/* Read a whole file (at most TACIT_GROTH16_JSON_MAX bytes), NUL-terminated.
 * Returns: TACIT_OK, TACIT_ENOENT, TACIT_EIO, TACIT_ETOOBIG or TACIT_ENOMEM.
 * Out:     out: the contents, free with free(); len: its length (without the NUL). */
int tacit_groth16_read_file(char **out, size_t *len, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_GROTH16_H */
