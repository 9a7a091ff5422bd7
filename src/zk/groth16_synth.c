/*
 * tacit — synthetic Groth16 keys and proofs from a trapdoor, FOR TESTS AND BENCHMARKS
 * ONLY; see groth16_synth.h.
 */
#include "zk/groth16_synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tacit/error.h"

/* n uniform non-zero scalars from seed: 64 bytes each, reduced mod r (bias < 2^-250). */
static void scalars(tacit_fr *out, size_t n, const uint8_t seed[32], uint8_t domain)
{
    uint8_t s[32], buf[64];
    crypto_generichash_state st;

    /* Per-domain seed, so the streams of setup/inputs/prove never overlap. */
    crypto_generichash_init(&st, NULL, 0, sizeof s);
    crypto_generichash_update(&st, &domain, 1);
    crypto_generichash_update(&st, seed, 32);
    crypto_generichash_final(&st, s, sizeof s);
    for (size_t i = 0; i < n; i++) {
        uint8_t si[32];
        uint8_t idx[8];
        for (int k = 0; k < 8; k++) idx[k] = (uint8_t)((uint64_t)i >> (8 * k));
        crypto_generichash_init(&st, NULL, 0, sizeof si);
        crypto_generichash_update(&st, s, sizeof s);
        crypto_generichash_update(&st, idx, sizeof idx);
        crypto_generichash_final(&st, si, sizeof si);
        randombytes_buf_deterministic(buf, sizeof buf, si);
        tacit_fr_from_wide(&out[i], buf);
        if (tacit_fr_is_zero(&out[i])) out[i] = TACIT_FR_ONE;
    }
    sodium_memzero(buf, sizeof buf);
}

static void g1_mul_gen(tacit_g1 *r, const tacit_fr *k)
{
    uint64_t l[4];
    tacit_g1 g;
    tacit_fr_to_limbs(l, k);
    tacit_g1_from_affine(&g, &TACIT_G1_GENERATOR);
    tacit_g1_mul_var(r, &g, l);
}

static void g2_mul_gen(tacit_g2_affine *r, const tacit_fr *k)
{
    uint64_t l[4];
    tacit_g2 g, t;
    tacit_fr_to_limbs(l, k);
    tacit_g2_from_affine(&g, &TACIT_G2_GENERATOR);
    tacit_g2_mul_var(&t, &g, l);
    tacit_g2_to_affine(r, &t);
}

int tacit__groth16_synth_setup(tacit__groth16_trapdoor **tdp, tacit_groth16_vk **vkp,
                               size_t npublic, const uint8_t seed[32])
{
    tacit__groth16_trapdoor *td;
    tacit_groth16_vk *vk;
    tacit_fr x[4];
    tacit_g1 *jac;

    *tdp = NULL;
    *vkp = NULL;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if ((vk = tacit_groth16_vk_new(npublic)) == NULL) return TACIT_ENOMEM;
    td = malloc(sizeof *td + (npublic + 1) * sizeof(tacit_fr));
    jac = malloc((npublic + 1) * sizeof *jac);
    if (td == NULL || jac == NULL) {
        free(td);
        free(jac);
        tacit_groth16_vk_free(vk);
        return TACIT_ENOMEM;
    }
    scalars(x, 4, seed, 'k');
    td->alpha = x[0];
    td->beta = x[1];
    td->gamma = x[2];
    td->delta = x[3];
    td->npublic = npublic;
    scalars(td->ic, npublic + 1, seed, 'i');

    g1_mul_gen(&jac[0], &td->alpha);
    tacit_g1_to_affine(&vk->alpha, &jac[0]);
    g2_mul_gen(&vk->beta, &td->beta);
    g2_mul_gen(&vk->gamma, &td->gamma);
    g2_mul_gen(&vk->delta, &td->delta);
    for (size_t j = 0; j <= npublic; j++) g1_mul_gen(&jac[j], &td->ic[j]);
    tacit_g1_batch_to_affine_var(vk->ic, jac, npublic + 1);
    free(jac);
    sodium_memzero(x, sizeof x);
    *tdp = td;
    *vkp = vk;
    return TACIT_OK;
}

void tacit__groth16_trapdoor_free(tacit__groth16_trapdoor *td)
{
    if (td == NULL) return;
    sodium_memzero(td, sizeof *td + (td->npublic + 1) * sizeof(tacit_fr));
    free(td);
}

void tacit__groth16_synth_inputs(tacit_fr *pub, size_t n, const uint8_t seed[32])
{
    scalars(pub, n, seed, 'p');
}

void tacit__groth16_synth_prove(tacit_groth16_proof *proof, const tacit__groth16_trapdoor *td,
                                const tacit_fr *pub, const uint8_t seed[32])
{
    tacit_fr ab[2], l, c, t;
    tacit_g1 p;

    scalars(ab, 2, seed, 'a');
    /* l = x_IC[0] + sum_j pub[j] x_IC[j+1] */
    l = td->ic[0];
    for (size_t j = 0; j < td->npublic; j++) {
        tacit_fr_mul(&t, &pub[j], &td->ic[j + 1]);
        tacit_fr_add(&l, &l, &t);
    }
    /* c = (a b - x_alpha x_beta - l x_gamma) / x_delta */
    tacit_fr_mul(&c, &ab[0], &ab[1]);
    tacit_fr_mul(&t, &td->alpha, &td->beta);
    tacit_fr_sub(&c, &c, &t);
    tacit_fr_mul(&t, &l, &td->gamma);
    tacit_fr_sub(&c, &c, &t);
    tacit_fr_inv(&t, &td->delta);
    tacit_fr_mul(&c, &c, &t);

    g1_mul_gen(&p, &ab[0]);
    tacit_g1_to_affine(&proof->a, &p);
    g2_mul_gen(&proof->b, &ab[1]);
    g1_mul_gen(&p, &c);
    tacit_g1_to_affine(&proof->c, &p);
}

void tacit__groth16_rerandomize(tacit_groth16_proof *out, const tacit_groth16_proof *in,
                                const tacit_g2_affine *delta, const uint8_t seed[32])
{
    tacit_fr ts[2], tinv;
    uint64_t l[4];
    tacit_g1 a, c, sa;
    tacit_g2 b, sd;
    tacit_g1_affine aa;

    scalars(ts, 2, seed, 'r');
    /* A t^-1, B t: e(A t^-1, B t) = e(A, B) */
    tacit_fr_inv(&tinv, &ts[0]);
    tacit_fr_to_limbs(l, &tinv);
    tacit_g1_from_affine(&a, &in->a);
    tacit_g1_mul_var(&a, &a, l);
    tacit_fr_to_limbs(l, &ts[0]);
    tacit_g2_from_affine(&b, &in->b);
    tacit_g2_mul_var(&b, &b, l);
    /* B + s delta, C + s A: e(A, B + s delta) = e(A, B) e(s A, delta) */
    tacit_g1_to_affine(&aa, &a);
    tacit_fr_to_limbs(l, &ts[1]);
    tacit_g2_from_affine(&sd, delta);
    tacit_g2_mul_var(&sd, &sd, l);
    tacit_g2_add(&b, &b, &sd);
    tacit_g1_mul_var(&sa, &a, l);
    tacit_g1_from_affine(&c, &in->c);
    tacit_g1_add(&c, &c, &sa);

    out->a = aa;
    tacit_g2_to_affine(&out->b, &b);
    tacit_g1_to_affine(&out->c, &c);
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    FILE *f;
    int ok;

    if (text == NULL) return TACIT_ENOMEM;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return TACIT_EIO;
    if ((f = fopen(path, "wb")) == NULL) return TACIT_EIO;
    ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = (fclose(f) == 0) && ok;
    return ok ? TACIT_OK : TACIT_EIO;
}

int tacit__groth16_synth_write(const char *dir, size_t npublic, const uint8_t seed[32])
{
    tacit__groth16_trapdoor *td;
    tacit_groth16_vk *vk;
    tacit_groth16_proof proof;
    tacit_fr *pub;
    char *s;
    int rc;

    if ((rc = tacit__groth16_synth_setup(&td, &vk, npublic, seed)) != TACIT_OK) return rc;
    if ((pub = malloc((npublic ? npublic : 1) * sizeof *pub)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out_free_key;
    }
    tacit__groth16_synth_inputs(pub, npublic, seed);
    tacit__groth16_synth_prove(&proof, td, pub, seed);

    s = tacit_groth16_vk_to_json(vk);
    rc = write_file(dir, "verification_key.json", s);
    free(s);
    if (rc != TACIT_OK) goto out_free_pub;
    s = tacit_groth16_proof_to_json(&proof);
    rc = write_file(dir, "proof.json", s);
    free(s);
    if (rc != TACIT_OK) goto out_free_pub;
    s = tacit_groth16_public_to_json(pub, npublic);
    rc = write_file(dir, "public.json", s);
    free(s);
out_free_pub:
    free(pub);
out_free_key:
    tacit_groth16_vk_free(vk);
    tacit__groth16_trapdoor_free(td);
    return rc;
}
