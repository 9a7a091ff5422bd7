/*
 * tacit — the transfer circuit, 2 inputs and 2 outputs (shared/docs/DESIGN.md 2.5;
 * include/tacit/circuit.h).
 *
 * Constraint budget at depth d (each Poseidon per src/zk/gadgets.c):
 *   per input   nk = Poseidon(sk) 213, pk = Poseidon(nk) 213, cm = Poseidon(value, pk,
 *               blinding) 261, nf bound to its public input 261, value bits 64,
 *               Merkle path d x (1 swap + 240) + d index bits, (root' - root) * value = 0: 1
 *   per output  cm bound to its public input 261, value bits 64
 *   once        balance 1, nf0 != nf1 1, ext_data_hash^2 1
 * = 2 (1013 + 242 d) + 650 + 3 = 2,679 + 484 d: 18,167 at d = 32 (circom --O2: 13,228 for
 * its depth-20 version, ours is 12,359 there), 3,647 at d = 2, 4,615 at d = 4.
 * snarkjs's QAP domain needs nconstraints + npublic + 1 <= 2^k: 2^15 at d = 32; a 2^12
 * powers of tau (pot12) fits d <= 2 only.
 *
 * Values are their bit recompositions (no variable of their own), the index is the
 * recomposition of exactly its d path bits, and that recomposition is what the nullifier
 * hashes: a note has one nullifier, whatever index a prover would like to claim.
 */
#include "tacit/circuit.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tacit/error.h"
#include "tacit/poseidon.h"
#include "zk/circuit_internal.h"

/* nk, pk and cm of input i, natively */
static void input_keys(tacit_fr *nk, tacit_fr *cm, const struct tacit__transfer_raw *w, int i)
{
    tacit_fr pk, v[3];

    (void)tacit_poseidon(nk, &w->in[i].sk, 1);
    (void)tacit_poseidon(&pk, nk, 1);
    v[0] = w->in[i].value;
    v[1] = pk;
    v[2] = w->in[i].blinding;
    (void)tacit_poseidon(cm, v, 3);
    sodium_memzero(&pk, sizeof pk);
    sodium_memzero(v, sizeof v);
}

void tacit__transfer_public_inputs(tacit_fr pub[TACIT_TRANSFER_NPUBLIC],
                                   const struct tacit__transfer_raw *w)
{
    tacit_fr nk, cm, v[3];

    pub[TACIT_TRANSFER_PUB_ROOT] = w->root;
    pub[TACIT_TRANSFER_PUB_PUBLIC_AMOUNT] = w->public_amount;
    pub[TACIT_TRANSFER_PUB_EXT_DATA_HASH] = w->ext_data_hash;
    for (int i = 0; i < 2; i++) {
        input_keys(&nk, &cm, w, i);
        v[0] = nk;
        v[1] = cm;
        v[2] = w->in[i].index;
        (void)tacit_poseidon(&pub[TACIT_TRANSFER_PUB_NF0 + i], v, 3);
    }
    for (int j = 0; j < 2; j++) {
        v[0] = w->out[j].value;
        v[1] = w->out[j].pk;
        v[2] = w->out[j].blinding;
        (void)tacit_poseidon(&pub[TACIT_TRANSFER_PUB_CM0 + j], v, 3);
    }
    sodium_memzero(&nk, sizeof nk);
    sodium_memzero(v, sizeof v);
}

/* A new private variable with value v, as a combination. */
static void priv(tacit_cs *cs, tacit_cs_lc *r, const tacit_fr *v)
{
    tacit_cs_lc_var(cs, r, tacit_cs_alloc_private(cs, v));
}

int tacit__transfer_build_raw(tacit_cs *cs, const struct tacit__transfer_raw *w, unsigned depth)
{
    tacit_cs_lc pub[TACIT_TRANSFER_NPUBLIC], sib[TACIT_TREE_DEPTH], h[3];
    tacit_cs_lc sk, nk, cm, idx, root, vin[2], vout[2], t, zero = TACIT_CS_LC_INIT;
    tacit_fr pubv[TACIT_TRANSFER_NPUBLIC];

    if (depth == 0 || depth > TACIT_TREE_DEPTH) {
        tacit__cs_fail(cs, TACIT_EINVAL);
        return TACIT_EINVAL;
    }
    tacit__transfer_public_inputs(pubv, w);
    for (int i = 0; i < TACIT_TRANSFER_NPUBLIC; i++) {
        tacit_cs_lc_init(&pub[i]);
        tacit_cs_lc_var(cs, &pub[i], tacit_cs_alloc_public(cs, &pubv[i]));
    }
    for (unsigned l = 0; l < depth; l++) tacit_cs_lc_init(&sib[l]);
    for (int i = 0; i < 3; i++) tacit_cs_lc_init(&h[i]);
    tacit_cs_lc_init(&sk);
    tacit_cs_lc_init(&nk);
    tacit_cs_lc_init(&cm);
    tacit_cs_lc_init(&idx);
    tacit_cs_lc_init(&root);
    tacit_cs_lc_init(&t);
    for (int i = 0; i < 2; i++) {
        tacit_cs_lc_init(&vin[i]);
        tacit_cs_lc_init(&vout[i]);
    }

    /* ext_data_hash enters no other constraint: square it so that it is bound (a proof for
     * one ext data is not a proof for another). */
    tacit_cs_mul(cs, &t, &pub[TACIT_TRANSFER_PUB_EXT_DATA_HASH],
                 &pub[TACIT_TRANSFER_PUB_EXT_DATA_HASH]);

    for (int i = 0; i < 2; i++) {
        /* keys: nk = Poseidon(sk), pk = Poseidon(nk) */
        priv(cs, &sk, &w->in[i].sk);
        tacit_gadget_poseidon(cs, &nk, &sk, 1);
        tacit_gadget_poseidon(cs, &h[1], &nk, 1);
        /* the note: value < 2^64 by its bits, cm = Poseidon(value, pk, blinding) */
        tacit_gadget_alloc_bits(cs, &vin[i], &w->in[i].value, TACIT_TRANSFER_VALUE_BITS);
        tacit_cs_lc_copy(cs, &h[0], &vin[i]);
        priv(cs, &h[2], &w->in[i].blinding);
        tacit_gadget_poseidon(cs, &cm, h, 3);
        /* membership: the root reached from cm along the index's path bits */
        for (unsigned l = 0; l < depth; l++) priv(cs, &sib[l], &w->in[i].sibling[l]);
        tacit_gadget_merkle_path(cs, &root, &idx, &cm, &w->in[i].index, sib, depth);
        /* (root' - root) * value = 0: a zero-value (dummy) input needs no membership */
        tacit_cs_lc_sub(cs, &t, &root, &pub[TACIT_TRANSFER_PUB_ROOT]);
        tacit_cs_enforce(cs, &t, &vin[i], &zero);
        /* nf = Poseidon(nk, cm, index), index = exactly the path bits */
        tacit_cs_lc_copy(cs, &h[0], &nk);
        tacit_cs_lc_copy(cs, &h[1], &cm);
        tacit_cs_lc_copy(cs, &h[2], &idx);
        tacit_gadget_poseidon_eq(cs, &pub[TACIT_TRANSFER_PUB_NF0 + i], h, 3);
    }

    for (int j = 0; j < 2; j++) {
        tacit_gadget_alloc_bits(cs, &vout[j], &w->out[j].value, TACIT_TRANSFER_VALUE_BITS);
        tacit_cs_lc_copy(cs, &h[0], &vout[j]);
        priv(cs, &h[1], &w->out[j].pk);
        priv(cs, &h[2], &w->out[j].blinding);
        tacit_gadget_poseidon_eq(cs, &pub[TACIT_TRANSFER_PUB_CM0 + j], h, 3);
    }

    /* sum(in) + public_amount = sum(out), in Fr */
    tacit_cs_lc_add(cs, &t, &vin[0], &vin[1]);
    tacit_cs_lc_add(cs, &t, &t, &pub[TACIT_TRANSFER_PUB_PUBLIC_AMOUNT]);
    tacit_cs_lc_sub(cs, &t, &t, &vout[0]);
    tacit_cs_lc_sub(cs, &t, &t, &vout[1]);
    tacit_cs_enforce_zero(cs, &t);

    /* nf0 != nf1 */
    tacit_cs_lc_sub(cs, &t, &pub[TACIT_TRANSFER_PUB_NF0], &pub[TACIT_TRANSFER_PUB_NF1]);
    tacit_gadget_nonzero(cs, &t);

    for (int i = 0; i < TACIT_TRANSFER_NPUBLIC; i++) tacit_cs_lc_clear(&pub[i]);
    for (unsigned l = 0; l < depth; l++) tacit_cs_lc_clear(&sib[l]);
    for (int i = 0; i < 3; i++) tacit_cs_lc_clear(&h[i]);
    for (int i = 0; i < 2; i++) {
        tacit_cs_lc_clear(&vin[i]);
        tacit_cs_lc_clear(&vout[i]);
    }
    tacit_cs_lc_clear(&sk);
    tacit_cs_lc_clear(&nk);
    tacit_cs_lc_clear(&cm);
    tacit_cs_lc_clear(&idx);
    tacit_cs_lc_clear(&root);
    tacit_cs_lc_clear(&t);
    return tacit_cs_status(cs);
}

/* t (or the dummy statement when t is NULL) as field elements; EINVAL for a bad index. */
static int to_raw(struct tacit__transfer_raw *w, const struct tacit_transfer *t, unsigned depth)
{
    memset(w, 0, sizeof *w);
    if (depth == 0 || depth > TACIT_TREE_DEPTH) return TACIT_EINVAL;
    if (t == NULL) {
        /* a zero deposit spending two dummy inputs with distinct keys: satisfiable */
        tacit_fr_from_u64(&w->in[0].sk, 1);
        tacit_fr_from_u64(&w->in[1].sk, 2);
        return TACIT_OK;
    }
    w->root = t->root;
    w->public_amount = t->public_amount;
    w->ext_data_hash = t->ext_data_hash;
    for (int i = 0; i < 2; i++) {
        const struct tacit_transfer_input *in = &t->in[i];
        if (depth < 64 && (in->path.index >> depth) != 0) return TACIT_EINVAL;
        w->in[i].sk = in->sk;
        tacit_fr_from_u64(&w->in[i].value, in->value);
        w->in[i].blinding = in->blinding;
        tacit_fr_from_u64(&w->in[i].index, in->path.index);
        memcpy(w->in[i].sibling, in->path.sibling, depth * sizeof(tacit_fr));
    }
    for (int j = 0; j < 2; j++) {
        tacit_fr_from_u64(&w->out[j].value, t->out[j].value);
        w->out[j].pk = t->out[j].pk;
        w->out[j].blinding = t->out[j].blinding;
    }
    return TACIT_OK;
}

int tacit_transfer_public_inputs(tacit_fr pub[TACIT_TRANSFER_NPUBLIC],
                                 const struct tacit_transfer *t, unsigned depth)
{
    struct tacit__transfer_raw w;
    int rc;

    if ((rc = to_raw(&w, t, depth)) == TACIT_OK) tacit__transfer_public_inputs(pub, &w);
    sodium_memzero(&w, sizeof w);
    return rc;
}

int tacit_transfer_build(tacit_r1cs *r, tacit_fr **witness, uint32_t *nvars,
                         const struct tacit_transfer *t, unsigned depth)
{
    struct tacit__transfer_raw w;
    tacit_cs *cs = NULL;
    int rc;

    if (r != NULL) memset(r, 0, sizeof *r);
    if (witness != NULL) *witness = NULL;
    if (nvars != NULL) *nvars = 0;
    if ((rc = to_raw(&w, t, depth)) != TACIT_OK) goto out_wipe;
    if ((rc = tacit_cs_new(&cs, r != NULL ? TACIT_CS_FULL : TACIT_CS_WITNESS)) != TACIT_OK)
        goto out_wipe;
    if ((rc = tacit__transfer_build_raw(cs, &w, depth)) != TACIT_OK) goto out_free_cs;
    rc = tacit_cs_finish(cs, r, witness, nvars);
out_free_cs:
    tacit_cs_free(cs);
out_wipe:
    sodium_memzero(&w, sizeof w);
    return rc;
}

/* ------------------------------------------------------------------ example ---- */

/* A stream of field elements and integers from a 32-byte seed (libsodium's
 * randombytes_buf_deterministic: ChaCha20). */
struct draw {
    uint8_t buf[64 * 96];
    size_t off;
};

static void draw_fr(struct draw *d, tacit_fr *r)
{
    tacit_fr_from_wide(r, d->buf + d->off); /* 512 bits reduced: uniform enough */
    d->off += 64;
}

static uint64_t draw_u64(struct draw *d)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)d->buf[d->off + i] << (8 * i);
    d->off += 64; /* one slot each: the layout stays simple */
    return v;
}

/* node = Poseidon(left, right), cur being the left child when bit is 0 */
static void up(tacit_fr *cur, const tacit_fr *sib, uint64_t bit)
{
    if (bit)
        tacit_poseidon2(cur, sib, cur);
    else
        tacit_poseidon2(cur, cur, sib);
}

int tacit_transfer_example(struct tacit_transfer *t, unsigned depth, const uint8_t seed[32])
{
    struct draw *d;
    uint8_t s[32];
    uint64_t idx[2], mask, total, fee;
    tacit_fr cur[2], nk, pk, v[3];

    memset(t, 0, sizeof *t);
    if (depth == 0 || depth > TACIT_TREE_DEPTH) return TACIT_EINVAL;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if ((d = sodium_malloc(sizeof *d)) == NULL) return TACIT_ENOMEM;
    if (seed != NULL)
        memcpy(s, seed, sizeof s);
    else
        randombytes_buf(s, sizeof s);
    randombytes_buf_deterministic(d->buf, sizeof d->buf, s);
    d->off = 0;

    mask = (UINT64_C(1) << depth) - 1;
    idx[0] = draw_u64(d) & mask;
    idx[1] = draw_u64(d) & mask;
    if (idx[1] == idx[0]) idx[1] ^= 1;
    total = 0;
    for (int i = 0; i < 2; i++) {
        struct tacit_transfer_input *in = &t->in[i];
        draw_fr(d, &in->sk);
        draw_fr(d, &in->blinding);
        in->value = (draw_u64(d) >> 2) | 1; /* below 2^62: no sum overflows */
        total += in->value;
        in->path.index = idx[i];
        for (unsigned l = 0; l < depth; l++) draw_fr(d, &in->path.sibling[l]);
        /* the note's commitment */
        (void)tacit_poseidon(&nk, &in->sk, 1);
        (void)tacit_poseidon(&pk, &nk, 1);
        tacit_fr_from_u64(&v[0], in->value);
        v[1] = pk;
        v[2] = in->blinding;
        (void)tacit_poseidon(&cur[i], v, 3);
    }
    /* one tree: where the paths of the two notes meet, they share nodes and siblings */
    for (unsigned l = 0; l < depth; l++) {
        uint64_t p0 = idx[0] >> l, p1 = idx[1] >> l;
        if (p0 == p1) {
            t->in[1].path.sibling[l] = t->in[0].path.sibling[l];
        } else if ((p0 ^ 1) == p1) {
            t->in[0].path.sibling[l] = cur[1];
            t->in[1].path.sibling[l] = cur[0];
        }
        for (int i = 0; i < 2; i++) up(&cur[i], &t->in[i].path.sibling[l], (idx[i] >> l) & 1);
    }
    t->root = cur[0];
    /* a fee to the sequencer: public_amount = -fee mod r */
    fee = draw_u64(d) % 1000;
    if (fee > total) fee = total;
    tacit_fr_from_u64(&t->public_amount, fee);
    tacit_fr_neg(&t->public_amount, &t->public_amount);
    total -= fee;
    t->out[0].value = draw_u64(d) % (total + 1);
    t->out[1].value = total - t->out[0].value;
    for (int j = 0; j < 2; j++) {
        draw_fr(d, &t->out[j].pk);
        draw_fr(d, &t->out[j].blinding);
    }
    draw_fr(d, &t->ext_data_hash);

    sodium_memzero(s, sizeof s);
    sodium_memzero(&nk, sizeof nk);
    sodium_memzero(&pk, sizeof pk);
    sodium_memzero(v, sizeof v);
    sodium_free(d);
    return TACIT_OK;
}
