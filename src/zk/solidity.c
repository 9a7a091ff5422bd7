/*
 * tacit — a standalone Solidity verifier for one Groth16 verifying key
 * (tacit_groth16_vk_to_solidity; `tacit-cli groth16 export-solidity`).
 *
 * The contract checks the same equation as groth16.c (Groth 2016, section 3.2), with
 * L = IC[0] + sum_j pub[j] IC[j+1]:
 *
 *     e(A, B) * e(alpha, -beta) * e(L, -gamma) * e(C, -delta) == 1
 *
 * beta, gamma and delta are negated here, once, when the contract is written, so the
 * contract passes A to the pairing as it came and negates nothing at run time. It uses the
 * BN254 precompiles: ecAdd at 0x06 and ecMul at 0x07 (EIP-196) for L, and the pairing check
 * at 0x08 (EIP-197) for the product of the four pairings. In EIP-197's encoding an Fp2
 * element a + b*u is the pair (b, a), so a G2 point is (x.c1, x.c0, y.c1, y.c0).
 *
 * Its ABI is that of snarkjs's Groth16 verifier (snarkjs 0.7.6, `zkey export
 * solidityverifier`), so a caller, or snarkjs's `zkey export soliditycalldata`, works with
 * either:
 *     verifyProof(uint256[2] _pA, uint256[2][2] _pB, uint256[2] _pC, uint256[N] _pubSignals)
 *         returns (bool)
 * with _pB = [[x.c1, x.c0], [y.c1, y.c0]]. Like snarkjs's it returns false, and does not
 * revert, for a proof that fails, a public input >= r, and a coordinate >= p (which it
 * refuses itself rather than leave to the precompiles); only calldata that is not this ABI
 * reverts. Every precompile answer must have its full length, and the pairing's be 1: on a
 * chain without the precompile the call succeeds with no answer, and a verifier that reads
 * the answer's memory without checking (snarkjs's does) reads its own input there. A key with no public inputs gets verifyProof(_pA, _pB, _pC): Solidity has no
 * uint256[0] (snarkjs writes one, which does not compile).
 *
 * The text is written here, line by line; nothing of snarkjs's template is used. The output
 * depends only on the key and the name (no date, no path), so it can be checked in and
 * compared.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bn254_constants.h"
#include "tacit/error.h"
#include "tacit/groth16.h"

/* p and r as plain little-endian limbs (the struct only carries the generated initialiser). */
static const struct {
    uint64_t v[4];
} P_RAW = TACIT__P_RAW, R_RAW = TACIT__R_RAW;

/* ------------------------------------------------------- a text buffer ---- */

/* Grows by doubling; the first failed allocation makes it sticky-failed (oom), later
 * appends do nothing, and the caller checks once at the end. */
struct text {
    char *p;
    size_t len, cap;
    bool oom;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->oom) return;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        n = vsnprintf(t->p + t->len, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = true;
            return;
        }
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2;
        while (cap - t->len <= (size_t)n) cap *= 2;
        char *q = realloc(t->p, cap);
        if (q == NULL) {
            t->oom = true;
            return;
        }
        t->p = q;
        t->cap = cap;
    }
}

static void dec_limbs(char out[79], const uint64_t l[4]) { tacit_u256_to_dec(out, l); }

static void dec_fp(char out[79], const tacit_fp *a)
{
    uint64_t l[4];
    tacit_fp_to_limbs(l, a);
    tacit_u256_to_dec(out, l);
}

/* "uint256 internal constant NAME = <decimal>;" for one coordinate. */
static void put_const(struct text *t, const char *name, const tacit_fp *a)
{
    char s[79];
    dec_fp(s, a);
    put(t, "    uint256 internal constant %s = %s;\n", name, s);
}

static void put_g1(struct text *t, const char *name, const tacit_g1_affine *p)
{
    char n[48];
    snprintf(n, sizeof n, "%s_X", name);
    put_const(t, n, &p->x);
    snprintf(n, sizeof n, "%s_Y", name);
    put_const(t, n, &p->y);
}

/* A G2 point negated, in EIP-197 order: NAME_X1 = x.c1, NAME_X0 = x.c0, then y. */
static void put_g2_neg(struct text *t, const char *name, const tacit_g2_affine *p)
{
    tacit_fp2 ny;
    char n[48];

    tacit_fp2_neg(&ny, &p->y);
    snprintf(n, sizeof n, "%s_X1", name);
    put_const(t, n, &p->x.c1);
    snprintf(n, sizeof n, "%s_X0", name);
    put_const(t, n, &p->x.c0);
    snprintf(n, sizeof n, "%s_Y1", name);
    put_const(t, n, &ny.c1);
    snprintf(n, sizeof n, "%s_Y0", name);
    put_const(t, n, &ny.c0);
}

/* ------------------------------------------------------ contract names ---- */

/* Solidity's reserved words and keywords (docs.soliditylang.org, "Reserved Keywords" and the
 * grammar's keywords) that are otherwise identifiers; a contract cannot be named after one. */
static const char *const RESERVED[] = {
    "abstract", "after",        "alias",     "anonymous",  "apply",       "assembly", "auto",
    "bool",     "break",        "byte",      "bytes",      "calldata",    "case",     "catch",
    "constant", "constructor",  "continue",  "contract",   "copyof",      "default",  "define",
    "delete",   "do",           "else",      "emit",       "enum",        "error",    "event",
    "external", "fallback",     "false",     "final",      "for",         "from",     "function",
    "global",   "if",           "immutable", "implements", "import",      "in",       "indexed",
    "inline",   "interface",    "internal",  "is",         "let",         "library",  "macro",
    "mapping",  "match",        "memory",    "modifier",   "mutable",     "new",      "null",
    "of",       "override",     "partial",   "payable",    "pragma",      "private",  "promise",
    "public",   "pure",         "receive",   "reference",  "relocatable", "return",   "returns",
    "revert",   "sealed",       "sizeof",    "static",     "storage",     "string",   "struct",
    "supports", "switch",       "this",      "throw",      "true",        "try",      "type",
    "typedef",  "typeof",       "unchecked", "unicode",    "using",       "var",      "view",
    "virtual",  "while",        "address",   "fixed",      "ufixed",      "int",      "uint",
    "super",    "selfdestruct", "now",
};

static const char *const TYPE_PREFIXES[] = {"int", "uint", "bytes", "fixed", "ufixed"};

bool tacit_groth16_solidity_name_is_valid(const char *name)
{
    size_t n;

    if (name == NULL) return false;
    n = strlen(name);
    if (n == 0 || n > TACIT_GROTH16_SOLIDITY_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '$';
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    for (size_t i = 0; i < sizeof RESERVED / sizeof RESERVED[0]; i++)
        if (strcmp(name, RESERVED[i]) == 0) return false;
    if (strcmp(name, "verifyProof") == 0) return false; /* a function may not share its name */
    /* intN, uintN, bytesN, fixedMxN, ufixedMxN: elementary type names */
    for (size_t i = 0; i < sizeof TYPE_PREFIXES / sizeof TYPE_PREFIXES[0]; i++) {
        size_t k = strlen(TYPE_PREFIXES[i]);
        if (strncmp(name, TYPE_PREFIXES[i], k) == 0 && name[k] >= '0' && name[k] <= '9' &&
            name[k + strspn(name + k, "0123456789x")] == '\0')
            return false;
    }
    return true;
}

/* ---------------------------------------------------------- the contract ---- */

static void put_head(struct text *t, const tacit_groth16_vk *vk, const char *name)
{
    char p[79], r[79];

    dec_limbs(p, P_RAW.v);
    dec_limbs(r, R_RAW.v);
    put(t,
        "// SPDX-License-Identifier: Apache-2.0\n"
        "// Generated by `tacit-cli groth16 export-solidity` from a Groth16 verifying key over\n"
        "// BN254 with %zu public input%s. Regenerate it rather than edit it.\n"
        "pragma solidity >=0.8.13 <0.9.0;\n"
        "\n"
        "/// @title %s: verifies Groth16 proofs for one verifying key.\n"
        "/// @notice verifyProof has the ABI of snarkjs's Groth16 verifier. A proof is valid when\n"
        "///   e(A, B) * e(alpha, -beta) * e(L, -gamma) * e(C, -delta) == 1,\n"
        "/// L = IC0 + sum_j pub[j] * IC(j+1), checked with the BN254 precompiles: ecAdd (0x06)\n"
        "/// and ecMul (0x07) of EIP-196, the pairing check (0x08) of EIP-197. The G2 constants\n"
        "/// below are the key's beta, gamma and delta negated, in EIP-197 order (x.c1, x.c0,\n"
        "/// y.c1, y.c0).\n"
        "contract %s {\n"
        "    /// The base field modulus p: every proof coordinate must be below it.\n"
        "    uint256 internal constant P = %s;\n"
        "    /// The group order r: every public input must be below it.\n"
        "    uint256 internal constant R = %s;\n"
        "\n",
        vk->npublic, vk->npublic == 1 ? "" : "s", name, name, p, r);
    put_g1(t, "ALPHA", &vk->alpha);
    put_g2_neg(t, "BETA_NEG", &vk->beta);
    put_g2_neg(t, "GAMMA_NEG", &vk->gamma);
    put_g2_neg(t, "DELTA_NEG", &vk->delta);
    for (size_t j = 0; j <= vk->npublic; j++) {
        char n[32];
        snprintf(n, sizeof n, "IC%zu", j);
        put_g1(t, n, &vk->ic[j]);
    }
}

static void put_verify(struct text *t, const tacit_groth16_vk *vk)
{
    size_t n = vk->npublic;

    put(t, "\n"
           "    /// @return valid true when the proof is valid for these public inputs; false when "
           "it\n"
           "    ///   is not, or a coordinate is >= P, or a public input is >= R (it never reverts "
           "on\n"
           "    ///   those).\n"
           "    function verifyProof(\n"
           "        uint256[2] calldata _pA,\n"
           "        uint256[2][2] calldata _pB,\n");
    if (n > 0)
        put(t,
            "        uint256[2] calldata _pC,\n"
            "        uint256[%zu] calldata _pubSignals\n",
            n);
    else
        put(t, "        uint256[2] calldata _pC\n");
    put(t,
        "    ) public view returns (bool valid) {\n"
        "        assembly (\"memory-safe\") {\n"
        "            // Scratch from the free-memory pointer on (not allocated: nothing follows).\n"
        "            // m: L (64 bytes), then IC(j) and pub[j] for ecMul (96); q: the pairing "
        "input,\n"
        "            // four pairs of 192 bytes.\n"
        "            let m := mload(0x40)\n"
        "            let q := add(m, 0xa0)\n"
        "\n"
        "            // Every coordinate of the proof below P (unrolled: the cheapest form).\n"
        "            let ok := lt(calldataload(_pA), P)\n");
    for (size_t k = 1; k < 8; k++) {
        /* A: 2 words, B: 4, C: 2 */
        const char *arr = k < 2 ? "_pA" : k < 6 ? "_pB" : "_pC";
        size_t off = k < 2 ? k : k < 6 ? k - 2 : k - 6;
        if (off == 0)
            put(t, "            ok := and(ok, lt(calldataload(%s), P))\n", arr);
        else
            put(t, "            ok := and(ok, lt(calldataload(add(%s, 0x%zx)), P))\n", arr,
                off * 32);
    }
    put(t, "\n"
           "            // L = IC0 + sum_j pub[j] * IC(j+1), each pub[j] checked below R: ecMul "
           "(0x07)\n"
           "            // writes pub[j] * IC(j+1) beside L, ecAdd (0x06) adds the two points in "
           "place.\n"
           "            // Each call must succeed and answer 64 bytes (a chain without the "
           "precompile\n"
           "            // answers nothing).\n"
           "            mstore(m, IC0_X)\n"
           "            mstore(add(m, 0x20), IC0_Y)\n");
    for (size_t j = 0; j < n; j++)
        put(t,
            "            mstore(add(m, 0x40), IC%zu_X)\n"
            "            mstore(add(m, 0x60), IC%zu_Y)\n"
            "            mstore(add(m, 0x80), calldataload(add(_pubSignals, 0x%zx)))\n"
            "            ok := and(ok, lt(mload(add(m, 0x80)), R))\n"
            "            ok := and(ok, staticcall(gas(), 0x07, add(m, 0x40), 0x60, add(m, 0x40), "
            "0x40))\n"
            "            ok := and(ok, eq(returndatasize(), 0x40))\n"
            "            ok := and(ok, staticcall(gas(), 0x06, m, 0x80, m, 0x40))\n"
            "            ok := and(ok, eq(returndatasize(), 0x40))\n",
            j + 1, j + 1, j * 32);
    put(t,
        "\n"
        "            // The pairing check (0x08) of (A, B), (alpha, -beta), (L, -gamma), (C, "
        "-delta).\n"
        "            calldatacopy(q, _pA, 0x40)\n"
        "            calldatacopy(add(q, 0x40), _pB, 0x80)\n"
        "            mstore(add(q, 0xc0), ALPHA_X)\n"
        "            mstore(add(q, 0xe0), ALPHA_Y)\n"
        "            mstore(add(q, 0x100), BETA_NEG_X1)\n"
        "            mstore(add(q, 0x120), BETA_NEG_X0)\n"
        "            mstore(add(q, 0x140), BETA_NEG_Y1)\n"
        "            mstore(add(q, 0x160), BETA_NEG_Y0)\n"
        "            mstore(add(q, 0x180), mload(m))\n"
        "            mstore(add(q, 0x1a0), mload(add(m, 0x20)))\n"
        "            mstore(add(q, 0x1c0), GAMMA_NEG_X1)\n"
        "            mstore(add(q, 0x1e0), GAMMA_NEG_X0)\n"
        "            mstore(add(q, 0x200), GAMMA_NEG_Y1)\n"
        "            mstore(add(q, 0x220), GAMMA_NEG_Y0)\n"
        "            calldatacopy(add(q, 0x240), _pC, 0x40)\n"
        "            mstore(add(q, 0x280), DELTA_NEG_X1)\n"
        "            mstore(add(q, 0x2a0), DELTA_NEG_X0)\n"
        "            mstore(add(q, 0x2c0), DELTA_NEG_Y1)\n"
        "            mstore(add(q, 0x2e0), DELTA_NEG_Y0)\n"
        "            // Skipped when a check above failed. Valid only when the call succeeds and\n"
        "            // returns exactly one word, 1: a call that fails (B off the twist or not in\n"
        "            // G2, A or C off the curve, out of gas) is \"not valid\", and so is a chain\n"
        "            // without the precompile, where the call succeeds, returns nothing and q\n"
        "            // would still hold A.x. (The call has a line of its own: Yul evaluates\n"
        "            // arguments right to left, and the result must be read after the call.)\n"
        "            if ok {\n"
        "                let success := staticcall(gas(), 0x08, q, 0x300, q, 0x20)\n"
        "                ok := and(and(success, eq(returndatasize(), 0x20)), eq(mload(q), 1))\n"
        "            }\n"
        "            valid := ok\n"
        "        }\n"
        "    }\n"
        "}\n");
}

int tacit_groth16_vk_to_solidity(char **out, const tacit_groth16_vk *vk, const char *name,
                                 char *where)
{
    struct text t = {NULL, 0, 0, false};
    int rc;

    *out = NULL;
    if (where != NULL) where[0] = '\0';
    if (!tacit_groth16_solidity_name_is_valid(name)) return TACIT_EINVAL;
    if ((rc = tacit_groth16_vk_check_var(vk, where)) != TACIT_OK) return rc;
    if ((t.p = malloc(t.cap = 4096)) == NULL) return TACIT_ENOMEM;
    put_head(&t, vk, name);
    put_verify(&t, vk);
    if (t.oom) {
        free(t.p);
        return TACIT_ENOMEM;
    }
    *out = t.p;
    return TACIT_OK;
}
