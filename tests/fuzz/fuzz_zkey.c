/*
 * tacit — fuzz target for the binary readers of the prover: tacit_groth16_pk_read (snarkjs
 * .zkey) and tacit_wtns_read (iden3 .wtns). Both run on every input (each refuses the
 * other's magic).
 *
 * Checks: only the documented error codes; NULL outputs on failure; whatever parses is
 * written back (tacit_groth16_pk_write, tacit_wtns_write) and that image parses to the same
 * key or witness (compared through a second write: the encodings are canonical).
 */
#include <string.h>

#include "fuzz.h"
#include "tacit/error.h"
#include "tacit/prover.h"

static void check_zkey(const uint8_t *data, size_t size)
{
    tacit_groth16_pk *pk = (tacit_groth16_pk *)1, *pk2 = NULL;
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    int rc = tacit_groth16_pk_read(&pk, data, size);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EENCODING || rc == TACIT_EPROTOCOL ||
               rc == TACIT_ETOOBIG || rc == TACIT_ENONCANONICAL || rc == TACIT_ENOT_ON_CURVE ||
               rc == TACIT_ENOT_IN_SUBGROUP || rc == TACIT_ENOMEM);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(pk == NULL);
        return;
    }
    FUZZ_CHECK(pk != NULL);
    FUZZ_CHECK(tacit_groth16_pk_write(&a, &alen, pk) == TACIT_OK);
    FUZZ_CHECK(tacit_groth16_pk_read(&pk2, a, alen) == TACIT_OK);
    FUZZ_CHECK(tacit_groth16_pk_write(&b, &blen, pk2) == TACIT_OK);
    FUZZ_CHECK(alen == blen && memcmp(a, b, alen) == 0);
    free(a);
    free(b);
    tacit_groth16_pk_free(pk);
    tacit_groth16_pk_free(pk2);
}

static void check_wtns(const uint8_t *data, size_t size)
{
    tacit_fr *w = (tacit_fr *)1, *w2 = NULL;
    size_t n = 1, n2 = 0, alen = 0;
    uint8_t *a = NULL;
    int rc = tacit_wtns_read(&w, &n, data, size);
    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EENCODING || rc == TACIT_EPROTOCOL ||
               rc == TACIT_ENONCANONICAL || rc == TACIT_ENOMEM);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(w == NULL && n == 0);
        return;
    }
    FUZZ_CHECK(tacit_wtns_write(&a, &alen, w, n) == TACIT_OK);
    FUZZ_CHECK(tacit_wtns_read(&w2, &n2, a, alen) == TACIT_OK);
    FUZZ_CHECK(n2 == n && (n == 0 || memcmp(w, w2, n * sizeof *w) == 0));
    free(a);
    tacit_wtns_free(w, n);
    tacit_wtns_free(w2, n2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_zkey(data, size);
    check_wtns(data, size);
    return 0;
}
