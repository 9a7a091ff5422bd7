/*
 * tacit — the proof-point attacks of DESIGN.md section 7, as edits of a transaction's 256 proof
 * bytes (A 64 ‖ B 128 in EIP-197 order ‖ C 64, docs/protocol.md section 2), for the tests that
 * drive them through the mempool path (test_node.c) and the block path (test_chain.c).
 * Header-only: static functions.
 */
#ifndef TACIT_TESTS_LIB_BADPROOF_H
#define TACIT_TESTS_LIB_BADPROOF_H

#include <stdint.h>
#include <string.h>

#include "tacit/bn254.h"
#include "tacit/error.h"

/* p, the BN254 base field modulus, big-endian */
static const uint8_t BADPROOF_P_BE[32] = {
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47};

enum badproof_kind {
    BADPROOF_A_X_NONCANONICAL, /* A.x = p: ENONCANONICAL */
    BADPROOF_B_NONCANONICAL,   /* B.y.c0 = 2^256 - 1: ENONCANONICAL */
    BADPROOF_A_OFF_CURVE,      /* A.y ^ 1: ENOT_ON_CURVE */
    BADPROOF_B_OFF_SUBGROUP,   /* B on the twist, outside G2: ENOT_IN_SUBGROUP */
    BADPROOF_A_INFINITY,       /* A = (0, 0): EINFINITY */
    BADPROOF_B_INFINITY,       /* B = 0: EINFINITY */
    BADPROOF_C_INFINITY,       /* C = (0, 0): EINFINITY */
    BADPROOF_N
};

static const struct {
    const char *name;
    int err;
} BADPROOF[BADPROOF_N] = {
    {"A.x = p (non-canonical coordinate)", TACIT_ENONCANONICAL},
    {"B.y.c0 >= p (non-canonical coordinate)", TACIT_ENONCANONICAL},
    {"A off the curve", TACIT_ENOT_ON_CURVE},
    {"B outside G2's subgroup", TACIT_ENOT_IN_SUBGROUP},
    {"A at infinity", TACIT_EINFINITY},
    {"B at infinity", TACIT_EINFINITY},
    {"C at infinity", TACIT_EINFINITY},
};

/* A point of the twist E'(Fp2): y^2 = x^3 + b' (b' taken from the generator), outside the
 * order-r subgroup (the twist's cofactor is about 2^254, so the first x that gives a point
 * almost surely does). */
static inline void badproof_twist_point(tacit_g2_affine *q)
{
    const tacit_g2_affine *g = &TACIT_G2_GENERATOR;
    tacit_fp2 b, t, rhs;
    tacit_fp2_sqr(&b, &g->y);
    tacit_fp2_sqr(&t, &g->x);
    tacit_fp2_mul(&t, &t, &g->x);
    tacit_fp2_sub(&b, &b, &t); /* b' = y^2 - x^3 */
    memset(q, 0, sizeof *q);
    for (uint64_t c = 1;; c++) {
        tacit_fp_from_u64(&q->x.c0, c);
        q->x.c1 = TACIT_FP_ONE;
        tacit_fp2_sqr(&rhs, &q->x);
        tacit_fp2_mul(&rhs, &rhs, &q->x);
        tacit_fp2_add(&rhs, &rhs, &b);
        if (tacit_fp2_sqrt(&q->y, &rhs) && tacit_g2_affine_is_on_curve(q) &&
            !tacit_g2_is_in_subgroup_var(q))
            return;
    }
}

/* Applies the attack k to the proof bytes. */
static inline void badproof_apply(uint8_t proof[256], enum badproof_kind k)
{
    tacit_g2_affine q;
    switch (k) {
    case BADPROOF_A_X_NONCANONICAL: memcpy(proof, BADPROOF_P_BE, 32); break;
    case BADPROOF_B_NONCANONICAL: memset(proof + 64 + 96, 0xff, 32); break;
    case BADPROOF_A_OFF_CURVE: proof[63] ^= 1; break;
    case BADPROOF_B_OFF_SUBGROUP:
        badproof_twist_point(&q);
        tacit_g2_to_bytes(proof + 64, &q);
        break;
    case BADPROOF_A_INFINITY: memset(proof, 0, 64); break;
    case BADPROOF_B_INFINITY: memset(proof + 64, 0, 128); break;
    case BADPROOF_C_INFINITY: memset(proof + 192, 0, 64); break;
    case BADPROOF_N: break;
    }
}

#endif /* TACIT_TESTS_LIB_BADPROOF_H */
