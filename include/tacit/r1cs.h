/*
 * tacit — rank-1 constraint systems: the interface between circuits (builders, gadgets,
 * the transfer circuit) and the Groth16 setup/prover and the iden3 .r1cs format.
 *
 * Variables are numbered as in iden3/circom: variable 0 is the constant 1, variables
 * 1..npublic are the public inputs (in the statement's order), the rest are private.
 * A constraint is <A, w> * <B, w> = <C, w> with A, B, C sparse linear combinations.
 * A witness is an array of nvars field elements with w[0] = 1.
 */
#ifndef TACIT_R1CS_H
#define TACIT_R1CS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t var;
    tacit_fr coeff; /* Montgomery form, non-zero */
} tacit_lc_term;

typedef struct {
    tacit_lc_term *terms; /* owned by the constraint system */
    uint32_t n;
} tacit_lc;

typedef struct {
    tacit_lc a, b, c;
} tacit_constraint;

typedef struct {
    uint32_t nvars;   /* including the constant-one variable 0 */
    uint32_t npublic; /* public inputs: variables 1..npublic */
    uint32_t nconstraints;
    tacit_constraint *constraints;
} tacit_r1cs;

/* Releases everything a builder or reader allocated for r (not r itself); NULL-safe.
 * Ownership (added note): the constraints array and each non-empty lc.terms array are
 * separate malloc blocks (terms may be NULL when n = 0); r is zeroed afterwards. */
void tacit_r1cs_clear(tacit_r1cs *r);

/* true iff w (nvars elements, w[0] = 1) satisfies every constraint; on false and when
 * failed is non-NULL, *failed is the index of the first unsatisfied constraint
 * (UINT32_MAX when w[0] != 1 or r, w is NULL: no constraint is to blame). */
bool tacit_r1cs_is_satisfied(const tacit_r1cs *r, const tacit_fr *w, uint32_t *failed);

/* true iff constraint i (< nconstraints) holds under w; false for i out of range or a
 * term naming a variable >= nvars. */
bool tacit_r1cs_is_constraint_satisfied(const tacit_r1cs *r, const tacit_fr *w, uint32_t i);

/* ------------------------------------------------ iden3 .r1cs (src/zk/r1cs_file.c) ----
 * The binary format of iden3/r1csfile (circom's output, snarkjs's input), version 1:
 * "r1cs", u32 version, u32 nsections, then sections (u32 type, u64 size, body):
 *   1 header:      u32 n8 = 32, prime r (n8 bytes LE), u32 nWires, u32 nPubOut,
 *                  u32 nPubIn, u32 nPrvIn, u64 nLabels, u32 nConstraints
 *   2 constraints: per constraint A, B, C, each u32 nTerms then nTerms x
 *                  (u32 wireId, n8-byte coefficient LE in normal, not Montgomery, form)
 *   3 wire2label:  nWires x u64 label id
 * All integers little-endian. Public signals are wires 1..nPubOut+nPubIn (outputs first). */

/* Header facts of an .r1cs that tacit_r1cs does not carry. */
typedef struct {
    uint32_t n_pub_out; /* public outputs (tacit writes 0) */
    uint32_t n_pub_in;  /* public inputs (tacit writes npublic) */
    uint32_t n_prv_in;  /* private inputs (tacit writes nvars - 1 - npublic: every private
                          * wire is supplied by the prover) */
    uint64_t n_labels;  /* tacit writes nvars, with the identity wire-to-label map */
} tacit_r1cs_file_info;

/* Encodes r as an .r1cs file image (header, constraints, wire-to-label map, in that order).
 * Out: *out (malloc'd; free with free()), *len. Returns TACIT_OK, TACIT_EINVAL (r malformed:
 * a term's variable >= nvars, npublic >= nvars), TACIT_ENOMEM. */
int tacit_r1cs_write(uint8_t **out, size_t *len, const tacit_r1cs *r);

/* Same, to a file (written to path.tmp, then renamed). Returns also TACIT_EIO. */
int tacit_r1cs_write_file(const char *path, const tacit_r1cs *r);

/* Decodes an .r1cs file image (sections 1-3 required, in any order, other types skipped;
 * custom-gate sections 4, 5 refused; the map's 8 bytes per wire bound nWires by the size).
 * Out: r (npublic = nPubOut + nPubIn; free with tacit_r1cs_clear; zeroed on failure),
 *      info (may be NULL). Zero coefficients are dropped; coefficients are converted to
 *      Montgomery form. Returns TACIT_OK, TACIT_EENCODING (bad magic, version, section
 *      table, sizes, wire ids, a missing or repeated section, custom gates),
 *      TACIT_EPROTOCOL (field is not BN254's r), TACIT_ENONCANONICAL (coefficient >= r),
 *      TACIT_ETOOBIG (counts beyond 2^31), TACIT_ENOMEM. Never trusts a count before
 *      checking it against the bytes present. */
int tacit_r1cs_read(tacit_r1cs *r, tacit_r1cs_file_info *info, const uint8_t *in, size_t len);

/* Same, from a file. Returns also TACIT_ENOENT, TACIT_EIO. */
int tacit_r1cs_read_file(tacit_r1cs *r, tacit_r1cs_file_info *info, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_R1CS_H */
