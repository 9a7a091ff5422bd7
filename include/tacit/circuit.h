/*
 * tacit — circuits: a rank-1 constraint-system builder that computes its witness as it goes,
 * the gadgets (Poseidon, bits, boolean, selection, is-zero, Merkle path), and the transfer
 * circuit of shared/docs/DESIGN.md section 2.5.
 *
 * The builder (src/zk/r1cs_builder.c)
 *  - Variables are numbered as include/tacit/r1cs.h says: 0 is the constant one, then the
 *    public inputs in the order they are allocated, then the private variables. All public
 *    inputs must be allocated before the first private variable (else TACIT_EINVAL).
 *  - Always with values: every allocation takes its value, and every linear combination
 *    (tacit_cs_lc) carries its value under the witness. A constraint system for setup or
 *    export is built from a dummy witness; which constraints are made never depends on the
 *    values, only on the circuit's parameters (the tests check this), so the dummy and a real
 *    witness give the same system.
 *  - Linear combinations stay symbolic until they are multiplied: sums, scalings, selections
 *    by constants and bit recompositions cost no constraint, and a product with a constant
 *    side costs none either. Only tacit_cs_mul (a new variable and one constraint when both
 *    sides vary) and tacit_cs_enforce* make constraints — what circom --O2 reaches by
 *    eliminating linear constraints after the fact.
 *  - Two modes: TACIT_CS_FULL records the constraints and the witness; TACIT_CS_WITNESS
 *    computes only the witness (linear combinations keep their values, not their terms),
 *    with the same variable numbering: the prover's fast path.
 *  - Errors are sticky: the first failure (TACIT_ENOMEM, or TACIT_EINVAL for misuse) is
 *    kept, every later call does nothing, and tacit_cs_status / tacit_cs_finish return it.
 *    So a gadget is a straight line of calls, checked once at the end.
 *  - Constant-time: no. Building branches on the circuit's structure only, but the witness
 *    arithmetic (inversions, bit extraction) is not hardened against timing; prove on a
 *    machine you trust with the secrets.
 *
 * Linear combinations: a tacit_cs_lc is embedded by the caller, set up with
 * tacit_cs_lc_init (or TACIT_CS_LC_INIT) and released with tacit_cs_lc_clear. Outputs of
 * every tacit_cs_lc_* and gadget function may alias inputs.
 */
#ifndef TACIT_CIRCUIT_H
#define TACIT_CIRCUIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/r1cs.h"
#include "tacit/tree.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ builder ---- */

typedef struct tacit_cs tacit_cs;

typedef enum {
    TACIT_CS_FULL = 0,    /* constraints and witness */
    TACIT_CS_WITNESS = 1, /* witness only (no terms, no constraints stored; counted) */
} tacit_cs_mode;

/* sum_i coeff_i * w[var_i], kept sorted by variable, without zero coefficients. */
typedef struct {
    tacit_lc_term *terms; /* owned; NULL in TACIT_CS_WITNESS mode */
    uint32_t n, cap;
    bool konst;   /* a constant of the circuit (only variable 0), whatever the witness */
    tacit_fr val; /* its value under the witness */
} tacit_cs_lc;

#define TACIT_CS_LC_INIT   \
    {                      \
        NULL, 0, 0, true,  \
        {                  \
            {              \
                0, 0, 0, 0 \
            }              \
        }                  \
    }

/* Returns TACIT_OK or TACIT_ENOMEM (*cs = NULL). Free with tacit_cs_free. */
int tacit_cs_new(tacit_cs **cs, tacit_cs_mode mode);
void tacit_cs_free(tacit_cs *cs); /* NULL-safe */

/* The sticky status: TACIT_OK, or the first error. */
int tacit_cs_status(const tacit_cs *cs);
tacit_cs_mode tacit_cs_get_mode(const tacit_cs *cs);
uint32_t tacit_cs_nvars(const tacit_cs *cs); /* including variable 0 */
uint32_t tacit_cs_npublic(const tacit_cs *cs);
uint32_t tacit_cs_nconstraints(const tacit_cs *cs); /* counted in both modes */
/* Value of variable var (< nvars), NULL if out of range or after an error; valid until the
 * next allocation. */
const tacit_fr *tacit_cs_value(const tacit_cs *cs, uint32_t var);

/*
 * Hands the result over and leaves cs empty (free it afterwards).
 * Out: r (may be NULL; must be NULL in TACIT_CS_WITNESS mode, where there is none):
 *      the constraint system, free with tacit_r1cs_clear;
 *      witness (may be NULL): array of nvars values, w[0] = 1, free with
 *      tacit_witness_free (it holds secrets);
 *      nvars (may be NULL).
 * Returns the sticky status (outputs zeroed/NULL on error), or TACIT_EINVAL.
 */
int tacit_cs_finish(tacit_cs *cs, tacit_r1cs *r, tacit_fr **witness, uint32_t *nvars);

/* Wipes (sodium_memzero) and frees a witness of nvars values from tacit_cs_finish (or any
 * sodium_malloc'd array of nvars values: the witness lives in sodium_malloc memory, guard pages
 * and all); NULL-safe. */
void tacit_witness_free(tacit_fr *w, uint32_t nvars);

/* A new public input (only before any private variable) or private variable with the given
 * value; returns its index (0 after an error). */
uint32_t tacit_cs_alloc_public(tacit_cs *cs, const tacit_fr *value);
uint32_t tacit_cs_alloc_private(tacit_cs *cs, const tacit_fr *value);

/* ------------------------------------------------------- linear combinations ---- */

void tacit_cs_lc_init(tacit_cs_lc *lc);  /* the constant 0 */
void tacit_cs_lc_clear(tacit_cs_lc *lc); /* frees, and leaves the constant 0; NULL-safe */
bool tacit_cs_lc_is_const(const tacit_cs_lc *lc);

void tacit_cs_lc_const(tacit_cs *cs, tacit_cs_lc *r, const tacit_fr *c); /* r = c */
void tacit_cs_lc_var(tacit_cs *cs, tacit_cs_lc *r, uint32_t var);        /* r = w[var] */
void tacit_cs_lc_copy(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a);
/* r = a + k b (k = NULL means 1) */
void tacit_cs_lc_add_scaled(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_fr *k,
                            const tacit_cs_lc *b);
void tacit_cs_lc_add(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_cs_lc *b);
void tacit_cs_lc_sub(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_cs_lc *b);
void tacit_cs_lc_scale(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_fr *k);
void tacit_cs_lc_add_const(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_fr *c);

/* ------------------------------------------------------------- constraints ---- */

/* The constraint a * b = c. One constraint, except when all three sides are constants of
 * the circuit and a b = c (then none). */
void tacit_cs_enforce(tacit_cs *cs, const tacit_cs_lc *a, const tacit_cs_lc *b,
                      const tacit_cs_lc *c);
/* a = 0, as a * 1 = 0 (one constraint, none when a is the constant 0). */
void tacit_cs_enforce_zero(tacit_cs *cs, const tacit_cs_lc *a);
/* a = b (one constraint). */
void tacit_cs_enforce_equal(tacit_cs *cs, const tacit_cs_lc *a, const tacit_cs_lc *b);
/* r = a b: a scaled copy when a or b is a constant (no constraint), else a new private
 * variable v = a b and the constraint a * b = v. */
void tacit_cs_mul(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a, const tacit_cs_lc *b);

/* ----------------------------------------------------------------- gadgets ---- *
 * src/zk/gadgets.c. Costs are in constraints, for inputs that are not constants. */

/* out = Poseidon(in[0..n-1]) (circomlib's Poseidon(n), equal to tacit_poseidon), 1 <= n <=
 * 16, t = n + 1: 3 constraints per S-box x^5, t S-boxes per full round and 1 per partial
 * round, the linear layers free; the capacity S-box of the first round is a constant
 * (free). Poseidon(1): 213, Poseidon(2): 240, Poseidon(3): 261. EINVAL for a bad n. */
void tacit_gadget_poseidon(tacit_cs *cs, tacit_cs_lc *out, const tacit_cs_lc *in, size_t n);
/* Constrains target = Poseidon(in), one constraint fewer than tacit_gadget_poseidon followed
 * by tacit_cs_enforce_equal (the last S-box is constrained against target directly). */
void tacit_gadget_poseidon_eq(tacit_cs *cs, const tacit_cs_lc *target, const tacit_cs_lc *in,
                              size_t n);

/* b (b - 1) = 0: 1. */
void tacit_gadget_boolean(tacit_cs *cs, const tacit_cs_lc *b);

/*
 * nbits (1..253) new boolean private variables b_0..b_{nbits-1} (consecutive indices, the
 * first returned) and out = sum b_i 2^i, for free: nbits constraints in all. The value
 * gets decomposed into bits; a value of nbits bits or more is not representable, so its
 * witness is made such that only the booleanity of b_0 fails (b_0 = value - sum_{i>0} b_i
 * 2^i with b_i the value's bits): out still equals value and every other constraint can hold,
 * which is what the negative tests need. Returns the index of b_0 (0 after an error).
 */
uint32_t tacit_gadget_alloc_bits(tacit_cs *cs, tacit_cs_lc *out, const tacit_fr *value,
                                 unsigned nbits);
/* a < 2^nbits for an existing combination a: alloc_bits and a = sum b_i 2^i: nbits + 1. */
void tacit_gadget_range(tacit_cs *cs, const tacit_cs_lc *a, unsigned nbits);

/* r = b ? x : y (b boolean, constrained elsewhere): 1. */
void tacit_gadget_select(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *b, const tacit_cs_lc *x,
                         const tacit_cs_lc *y);
/* (l, r) = b ? (y, x) : (x, y) (b boolean, constrained elsewhere): 1. */
void tacit_gadget_swap(tacit_cs *cs, tacit_cs_lc *l, tacit_cs_lc *r, const tacit_cs_lc *b,
                       const tacit_cs_lc *x, const tacit_cs_lc *y);
/* r = (a == 0) as 0/1: 2 (a * inv = 1 - r, a * r = 0). */
void tacit_gadget_is_zero(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a);
/* r = (a == b) as 0/1: 2. */
void tacit_gadget_is_equal(tacit_cs *cs, tacit_cs_lc *r, const tacit_cs_lc *a,
                           const tacit_cs_lc *b);
/* a != 0, as a * inv = 1: 1. */
void tacit_gadget_nonzero(tacit_cs *cs, const tacit_cs_lc *a);

/* root = the Merkle root reached from leaf with siblings sibling[0..depth-1] (leaf level
 * first) where bits[l] = 1 says the path node of level l is a right child (the convention of
 * include/tacit/tree.h); nodes are Poseidon(left, right). The bits must be constrained
 * boolean by the caller (tacit_gadget_alloc_bits does). depth * 241. */
void tacit_gadget_merkle_root(tacit_cs *cs, tacit_cs_lc *root, const tacit_cs_lc *leaf,
                              const tacit_cs_lc *bits, const tacit_cs_lc *sibling, unsigned depth);
/* The path check with its index: allocates the depth path bits of index (booleanity), sets
 * index_out to their recomposition (so the index is exactly those depth bits: use index_out,
 * e.g. in the nullifier) and root to the root reached. depth * 242. index_out may be NULL. */
void tacit_gadget_merkle_path(tacit_cs *cs, tacit_cs_lc *root, tacit_cs_lc *index_out,
                              const tacit_cs_lc *leaf, const tacit_fr *index,
                              const tacit_cs_lc *sibling, unsigned depth);

/* --------------------------------------------------------- the transfer circuit ---- *
 * src/zk/transfer.c; shared/docs/DESIGN.md 2.5. Public inputs, in this order (variables
 * 1..7): root, public_amount, ext_data_hash, nf0, nf1, cm0, cm1. Per input i:
 *   nk = Poseidon(sk), pk = Poseidon(nk), cm = Poseidon(value, pk, blinding),
 *   nf_i = Poseidon(nk, cm, index) with index exactly its `depth` path bits,
 *   (merkle_root(cm, index, path) - root) * value = 0   (a zero-value input is a dummy),
 *   value < 2^64.
 * Per output j: cm_j = Poseidon(value, pk, blinding), value < 2^64.
 * sum(in) + public_amount = sum(out) in Fr; (nf0 - nf1) * inv = 1; ext_data_hash^2 bound. */

#define TACIT_TRANSFER_NPUBLIC 7
#define TACIT_TRANSFER_DEPTH TACIT_TREE_DEPTH /* the real circuit */
#define TACIT_TRANSFER_VALUE_BITS 64

enum {
    TACIT_TRANSFER_PUB_ROOT = 0,
    TACIT_TRANSFER_PUB_PUBLIC_AMOUNT,
    TACIT_TRANSFER_PUB_EXT_DATA_HASH,
    TACIT_TRANSFER_PUB_NF0,
    TACIT_TRANSFER_PUB_NF1,
    TACIT_TRANSFER_PUB_CM0,
    TACIT_TRANSFER_PUB_CM1,
};

struct tacit_transfer_input {
    tacit_fr sk;    /* spending key; a dummy input (value 0) still needs its own sk so
                        * that nf0 != nf1: use a fresh random one */
    uint64_t value; /* 0 = dummy: no membership needed, path ignored */
    tacit_fr blinding;
    struct tacit_tree_path path; /* index (< 2^depth) and siblings (levels >= depth unused) */
};

struct tacit_transfer_output {
    uint64_t value;
    tacit_fr pk; /* recipient's owner key */
    tacit_fr blinding;
};

struct tacit_transfer {
    tacit_fr root;          /* anchor */
    tacit_fr public_amount; /* (deposit - withdrawal - fee) mod r */
    tacit_fr ext_data_hash;
    struct tacit_transfer_input in[2];
    struct tacit_transfer_output out[2];
};

/* The 7 public inputs of t (nf and cm computed natively, as the circuit does), in order.
 * Returns TACIT_OK or TACIT_EINVAL (an index >= 2^depth, depth not in 1..32). */
int tacit_transfer_public_inputs(tacit_fr pub[TACIT_TRANSFER_NPUBLIC],
                                 const struct tacit_transfer *t, unsigned depth);

/*
 * Builds the transfer circuit of Merkle depth `depth` (1..32; TACIT_TRANSFER_DEPTH for the
 * real one, small depths for tests) and its witness for t. 2,679 + 484 depth constraints:
 * 18,167 at depth 32, 3,647 at depth 2 (the largest that fits a 2^12 powers of tau).
 * Out: r (may be NULL: then only the witness is computed, the fast path of the prover; free
 *      with tacit_r1cs_clear), witness (may be NULL; nvars values, w[1..7] the public inputs;
 *      free with tacit_witness_free), nvars (may be NULL).
 * In:  t, or NULL for a fixed dummy statement (a zero deposit with two dummy inputs) whose
 *      witness satisfies the system: for setup and export, where only the shape matters.
 * Returns TACIT_OK, TACIT_EINVAL (bad depth, an index >= 2^depth), TACIT_ENOMEM.
 * The witness is not checked: an unsatisfiable statement (unbalanced, nf0 = nf1, a path
 * that does not reach root, ...) still gives TACIT_OK and a witness that does not satisfy
 * the system (tacit_r1cs_is_satisfied says so; a proof of it would not verify).
 */
int tacit_transfer_build(tacit_r1cs *r, tacit_fr **witness, uint32_t *nvars,
                         const struct tacit_transfer *t, unsigned depth);

/*
 * A random valid statement, for tests, benchmarks and examples (`tacit-cli circuit witness`):
 * two real input notes (random keys and blindings, values below 2^62) at distinct random
 * indices of one tree of depth `depth` whose other nodes are random (both paths reach
 * t->root), a fee below 1000 paid out of them (public_amount = -fee mod r), two outputs
 * that split the rest, a random ext_data_hash. Deterministic in seed (ChaCha20 stream of
 * libsodium's randombytes_buf_deterministic); seed NULL draws a fresh one.
 * Returns TACIT_OK, TACIT_EINVAL (depth not in 1..32), TACIT_ENOMEM.
 */
int tacit_transfer_example(struct tacit_transfer *t, unsigned depth, const uint8_t seed[32]);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_CIRCUIT_H */
