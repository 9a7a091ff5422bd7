/*
 * tacit — Groth16 proving over BN254: proving keys in the snarkjs .zkey layout, the devnet
 * setup, iden3 witness files and the multi-threaded prover.
 *
 * One prover for two kinds of keys: a proving key is held exactly as a snarkjs .zkey holds
 * it, so a key made by tacit_groth16_setup (devnet) and a key made by a snarkjs ceremony
 * (`snarkjs groth16 setup` + `zkey contribute`) are the same thing to the prover, and
 * tacit writes its own keys as .zkey files that snarkjs reads. The conventions (snarkjs
 * src/zkey_new.js, src/groth16_prove.js):
 *  - the QAP domain has n = 2^k >= nconstraints + npublic + 1 points; the constraint rows
 *    are followed by one row "w_s * 0 = 0" with A coefficient 1 for each s = 0..npublic,
 *    which makes the A polynomials of the public variables independent;
 *  - the prover evaluates A, B (C = A * B pointwise) on the domain, interpolates and
 *    re-evaluates on the odd coset {omega_2n^(2i+1)}, and the H query holds
 *    L_(2i+1)(tau) / delta, the odd Lagrange polynomials of the 2n-th roots of unity: since
 *    A B - C (degree < 2n) vanishes on the even points, its value at tau is the sum of its
 *    odd-point values times those, with no division by the vanishing polynomial;
 *  - the C query covers only the private variables npublic+1 .. nvars-1.
 *
 * Secrets: the witness and the blinding r, s. Intermediate buffers are wiped
 * (sodium_memzero) before they are freed. The multi-scalar multiplications run in
 * variable time in the witness, as in every practical Groth16 prover (snarkjs, rapidsnark,
 * arkworks, gnark): prove on a machine where no one else can time you.
 */
#ifndef TACIT_PROVER_H
#define TACIT_PROVER_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/groth16.h"
#include "tacit/r1cs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest .zkey / .wtns file the readers accept (TACIT_ETOOBIG). */
#define TACIT_PROVER_FILE_MAX ((size_t)1 << 32)
/* Largest domain: 2^27 points (the odd coset needs the 2^28-th roots of unity of Fr). */
#define TACIT_PROVER_MAX_LOG_DOMAIN 27

/* One non-zero coefficient of the A or B matrix, zkey section 4. */
typedef struct {
    uint32_t matrix; /* 0 = A, 1 = B */
    uint32_t row;    /* constraint, < domain_size */
    uint32_t var;    /* variable, < nvars */
    tacit_fr coeff;  /* Montgomery form */
} tacit_groth16_coef;

struct tacit__ntt_domain;

/* A proving key (the zkey sections in brackets). Read-only once made: one key may serve
 * any number of concurrent proofs. Made by tacit_groth16_setup or a reader, released
 * with tacit_groth16_pk_free. Points at infinity are (0,0). */
typedef struct {
    uint32_t nvars;       /* [2] including the constant-one variable 0 */
    uint32_t npublic;     /* [2] public inputs: variables 1..npublic */
    uint32_t domain_size; /* [2] n */
    uint32_t log_n;
    tacit_g1_affine alpha1, beta1, delta1; /* [2] */
    tacit_g2_affine beta2, gamma2, delta2; /* [2] */
    tacit_g1_affine *ic; /* [3] npublic + 1: (beta A_s + alpha B_s + C_s)(tau) / gamma */
    size_t ncoefs;
    tacit_groth16_coef *coefs; /* [4] setup's order: by row, A before B (as snarkjs) */
    tacit_g1_affine *a;        /* [5] nvars: A_s(tau) */
    tacit_g1_affine *b1;       /* [6] nvars: B_s(tau) */
    tacit_g2_affine *b2;       /* [7] nvars: B_s(tau) */
    tacit_g1_affine *c; /* [8] nvars - npublic - 1: (beta A_s + alpha B_s + C_s)(tau)/delta */
    tacit_g1_affine *h; /* [9] domain_size: L_(2i+1)(tau) / delta */
    struct tacit__ntt_domain *domain; /* internal: roots of unity of the domain */
    void *map;      /* internal: the mapped cache the arrays point into (NULL: allocated) */
    size_t map_len; /* internal */
} tacit_groth16_pk;

/* Release a proving key (NULL is allowed). */
void tacit_groth16_pk_free(tacit_groth16_pk *pk);

/* ------------------------------------------------------------- .zkey ---- */
/*
 * The snarkjs binary .zkey (Groth16): "zkey", u32 version 1, u32 nsections, then sections
 * (u32 type, u64 size, body), any order, all integers little-endian:
 *   1 header       u32 protocol (1 = Groth16)
 *   2 Groth16      u32 n8q = 32, q (32 bytes), u32 n8r = 32, r (32 bytes), u32 nVars,
 *                  u32 nPublic, u32 domainSize, alpha1, beta1 (G1), beta2, gamma2 (G2),
 *                  delta1 (G1), delta2 (G2)
 *   3 IC  4 coeffs (u32 count, then count x (u32 matrix, u32 row, u32 var, 32-byte value))
 *   5 A  6 B1  7 B2  8 C  9 H  10 contributions (csHash and the MPC transcript)
 * Field elements are in ffjavascript's Montgomery form (x 2^256), 32 bytes LE; G1 is x, y;
 * G2 is x.c0, x.c1, y.c0, y.c1; infinity is all zeros. A coefficient value is c 2^512
 * mod r (snarkjs multiplies by R^2 so that one Montgomery product with a plain witness
 * value gives c w in Montgomery form).
 */

/* Read a .zkey image. Checks: the section table (types 1..10, each at most once, 1..9
 * required, sizes exact for the counts), Groth16 over BN254 (q = p, r = r, 32-byte fields),
 * counts (npublic < nvars < 2^31, domain a power of two >= npublic + 1 and at most
 * 2^TACIT_PROVER_MAX_LOG_DOMAIN), every coordinate canonical and every point on its curve,
 * the header's G2 points in G2, every coefficient's matrix, row, variable and value in
 * range. The query points of B2 are not checked for subgroup membership (20k points would
 * cost a second): a proving key is trusted input, and a bad one only makes proofs that do
 * not verify. Section 10 is not interpreted (tacit does not verify ceremonies: use
 * `snarkjs zkey verify`).
 * Returns: TACIT_OK, TACIT_EENCODING (magic, version, section table, sizes, indices),
 *          TACIT_EPROTOCOL (not Groth16, or not BN254), TACIT_ETOOBIG (domain),
 *          TACIT_ENONCANONICAL, TACIT_ENOT_ON_CURVE, TACIT_ENOT_IN_SUBGROUP, TACIT_ENOMEM.
 * Out:     *out (NULL on failure); free with tacit_groth16_pk_free. */
int tacit_groth16_pk_read(tacit_groth16_pk **out, const uint8_t *in, size_t len);
/* Same from a file; also TACIT_ENOENT, TACIT_EIO, TACIT_ETOOBIG (> TACIT_PROVER_FILE_MAX). */
int tacit_groth16_pk_read_file(tacit_groth16_pk **out, const char *path);

/*
 * Load the proving key of a .zkey through its prepared cache `<zkey_path>.tacitpk`: the
 * key in tacit's own layout, mapped read-only (no copy, no parsing), bound to the .zkey by
 * its size, modification time, inode and a hash of its first and last 64 KiB, with a
 * checksum over the whole file (src/zk/zkey_cache.c says what is checked and why). When
 * the cache is missing, stale, truncated, corrupt or of another version, the .zkey is
 * read and checked as by tacit_groth16_pk_read_file, and the cache is written again next
 * to it (through a temporary file and a rename; a directory that cannot be written only
 * means no cache). The key is the same either way; free it with tacit_groth16_pk_free.
 * With TACIT_NO_PK_CACHE set in the environment, only the .zkey is read (nothing written).
 * Returns: as tacit_groth16_pk_read_file (a refused or unwritable cache is no error).
 * Out:     *out (NULL on failure); info (may be NULL): what happened. */
enum {
    TACIT_PK_LOADED_CACHE = 1,       /* from the cache */
    TACIT_PK_LOADED_ZKEY_CACHED = 2, /* from the .zkey; the cache written */
    TACIT_PK_LOADED_ZKEY = 3,        /* from the .zkey; the cache could not be written */
};
/* Why an existing cache was not used (tacit_groth16_pk_cache_refusal gives the words). */
enum {
    TACIT_PK_CACHE_NONE = 0, /* none there, or it was used */
    TACIT_PK_CACHE_STALE,    /* the .zkey changed since the cache was written */
    TACIT_PK_CACHE_VERSION,  /* another format version, byte order or build */
    TACIT_PK_CACHE_BAD_HEADER,
    TACIT_PK_CACHE_TRUNCATED,
    TACIT_PK_CACHE_CHECKSUM,     /* corrupt */
    TACIT_PK_CACHE_OUT_OF_RANGE, /* an index or coordinate out of range: corrupt */
};
typedef struct {
    int result;   /* TACIT_PK_LOADED_* */
    int refused;  /* TACIT_PK_CACHE_*: why a cache file that was there was not used */
    int write_rc; /* with TACIT_PK_LOADED_ZKEY: why the cache could not be written */
} tacit_groth16_pk_load_info;
int tacit_groth16_pk_load(tacit_groth16_pk **out, const char *zkey_path,
                          tacit_groth16_pk_load_info *info);
/* A static description of a TACIT_PK_CACHE_* value (never NULL). */
const char *tacit_groth16_pk_cache_refusal(int why);

/* Encode a key as a .zkey image, sections 1..10 in order, with the coefficients in the
 * key's order; section 10 holds a zero csHash and no contributions (a devnet key has no
 * ceremony transcript). snarkjs reads it (`zkey export verificationkey`, `groth16 prove`).
 * Returns: TACIT_OK or TACIT_ENOMEM. Out: *out (free with free()), *len. */
int tacit_groth16_pk_write(uint8_t **out, size_t *len, const tacit_groth16_pk *pk);
/* Same to a file (written to path.tmp, then renamed). Returns also TACIT_EIO. */
int tacit_groth16_pk_write_file(const char *path, const tacit_groth16_pk *pk);

/* The verifying key of a proving key (alpha1, beta2, gamma2, delta2, IC), checked with
 * tacit_groth16_vk_check_var. Returns: TACIT_OK, TACIT_ENOMEM or a key-check error.
 * Out: *out (NULL on failure), free with tacit_groth16_vk_free. */
int tacit_groth16_pk_vk(tacit_groth16_vk **out, const tacit_groth16_pk *pk);

/* ------------------------------------------------------------- setup ---- */

/*
 * Devnet trusted setup: the toxic waste tau, alpha, beta, gamma, delta comes from
 * libsodium's randombytes_buf into sodium_malloc'd memory, together with everything
 * computed from it (Lagrange values, per-variable QAP values), and all of it is wiped
 * (sodium_memzero) and freed before returning. Whoever ran it could have kept the waste
 * and forge proofs: use it only for devnets and tests; a real deployment runs a
 * multi-party ceremony with snarkjs and loads the resulting .zkey.
 * The key's layout is snarkjs's (see the top of this file): domain n = 2^k >=
 * nconstraints + npublic + 1, at least 2.
 * Costs about 17 us per G1 and 40 us per G2 point (constant-time fixed-base
 * multiplications) on nthreads threads (0: tacit__nthreads_default, i.e. TACIT_THREADS or
 * all CPUs).
 * Returns: TACIT_OK, TACIT_EINVAL (r1cs malformed: npublic >= nvars, a term's variable >=
 *          nvars), TACIT_ETOOBIG (domain above 2^TACIT_PROVER_MAX_LOG_DOMAIN, nvars >=
 *          2^31), TACIT_ENOMEM.
 * Out:     *out (NULL on failure), free with tacit_groth16_pk_free. */
int tacit_groth16_setup(tacit_groth16_pk **out, const tacit_r1cs *r1cs, unsigned nthreads);

/* ------------------------------------------------------------- prove ---- */

/* Where the time of one proof went: wall time of the whole call, and per part the CPU time
 * summed over the threads that ran it (parts overlap in wall time). */
typedef struct {
    unsigned nthreads;
    double total_ns; /* wall */
    double abc_ns;   /* A w, B w on the domain and C = A B pointwise */
    double ntt_ns;   /* the three domain -> odd-coset transforms */
    double join_ns;  /* A B - C on the coset */
    double msm_a_ns, msm_b1_ns, msm_b2_ns, msm_c_ns, msm_h_ns;
} tacit_groth16_prove_stats;

/*
 * A Groth16 proof for witness w (nw = pk->nvars values, w[0] = 1, w[1..npublic] the public
 * inputs) with fresh blinding r, s from libsodium's randombytes_buf. Does not check that w
 * satisfies the constraints: a witness that does not gives a proof that does not verify.
 * Runs on nthreads threads (0: tacit__nthreads_default, i.e. TACIT_THREADS or all CPUs).
 * Returns: TACIT_OK, TACIT_EWITNESS (nw != pk->nvars), TACIT_ENOMEM.
 * Out:     proof (zeroed on failure); stats (may be NULL). */
int tacit_groth16_prove(tacit_groth16_proof *proof, const tacit_groth16_pk *pk, const tacit_fr *w,
                        size_t nw, unsigned nthreads, tacit_groth16_prove_stats *stats);

/* ------------------------------------------------------------- .wtns ---- */
/*
 * The iden3 witness file (circom's witness calculators, snarkjs wtns): "wtns", u32 version
 * 2, u32 nsections = 2, sections as in .zkey; section 1: u32 n8 = 32, the prime (32 bytes LE), u32 count;
 * section 2: count values, 32 bytes LE each, plain (not Montgomery) form, each < r.
 */

/* Returns: TACIT_OK, TACIT_EENCODING, TACIT_EPROTOCOL (not BN254's r), TACIT_ENONCANONICAL
 *          (a value >= r), TACIT_ENOMEM.
 * Out:     *w (n values, Montgomery form; NULL on failure), free with tacit_wtns_free. */
int tacit_wtns_read(tacit_fr **w, size_t *n, const uint8_t *in, size_t len);
int tacit_wtns_read_file(tacit_fr **w, size_t *n, const char *path); /* also ENOENT, EIO */
/* Version 2 image of n values. Returns TACIT_OK or TACIT_ENOMEM; *out freed with free()
 * (it holds the witness: wipe it first if that matters). */
int tacit_wtns_write(uint8_t **out, size_t *len, const tacit_fr *w, size_t n);
int tacit_wtns_write_file(const char *path, const tacit_fr *w, size_t n); /* also EIO */
/* Wipes and frees a witness read by tacit_wtns_read (NULL is allowed). */
void tacit_wtns_free(tacit_fr *w, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_PROVER_H */
