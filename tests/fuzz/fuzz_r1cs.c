/*
 * tacit — fuzz target for the iden3 .r1cs reader (tacit_r1cs_read, src/zk/r1cs_file.c).
 *
 * Checks: only the documented error codes; the system zeroed on failure; whatever parses
 * is written back (tacit_r1cs_write), that image parses to the same system, and writing it
 * again gives the same bytes (tacit's encoding is canonical). Every variable named by a
 * term is below nvars, and the satisfiability check runs on the all-zero witness
 * (w[0] = 1) without reading out of bounds.
 */
#include <string.h>

#include "fuzz.h"
#include "tacit/error.h"
#include "tacit/r1cs.h"

/* the write-back round trip and the witness check run up to this many wires (the map bounds
 * nWires by the input's size, but a 16 MiB input could still ask for 2^21 wires, too slow for
 * a fuzzer's iteration); every input is still read and its error code checked */
#define MAX_WIRES (1u << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tacit_r1cs r, r2;
    tacit_r1cs_file_info info;
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    int rc = tacit_r1cs_read(&r, &info, data, size);

    FUZZ_CHECK(rc == TACIT_OK || rc == TACIT_EENCODING || rc == TACIT_EPROTOCOL ||
               rc == TACIT_ENONCANONICAL || rc == TACIT_ETOOBIG || rc == TACIT_ENOMEM);
    if (rc != TACIT_OK) {
        FUZZ_CHECK(r.constraints == NULL && r.nconstraints == 0 && r.nvars == 0);
        return 0;
    }
    FUZZ_CHECK(r.nvars > r.npublic);
    FUZZ_CHECK(r.npublic == info.n_pub_out + info.n_pub_in);
    for (uint32_t i = 0; i < r.nconstraints; i++) {
        const tacit_lc *lc[3] = {&r.constraints[i].a, &r.constraints[i].b, &r.constraints[i].c};
        for (int s = 0; s < 3; s++)
            for (uint32_t t = 0; t < lc[s]->n; t++) {
                FUZZ_CHECK(lc[s]->terms[t].var < r.nvars);
                FUZZ_CHECK(!tacit_fr_is_zero(&lc[s]->terms[t].coeff));
            }
    }
    if (r.nvars <= MAX_WIRES) {
        tacit_fr *w = calloc(r.nvars, sizeof *w);
        FUZZ_CHECK(w != NULL);
        w[0] = TACIT_FR_ONE;
        (void)tacit_r1cs_is_satisfied(&r, w, NULL);
        free(w);
        FUZZ_CHECK(tacit_r1cs_write(&a, &alen, &r) == TACIT_OK);
        FUZZ_CHECK(tacit_r1cs_read(&r2, NULL, a, alen) == TACIT_OK);
        FUZZ_CHECK(r2.nvars == r.nvars && r2.npublic == r.npublic &&
                   r2.nconstraints == r.nconstraints);
        FUZZ_CHECK(tacit_r1cs_write(&b, &blen, &r2) == TACIT_OK);
        FUZZ_CHECK(alen == blen && memcmp(a, b, alen) == 0);
        free(a);
        free(b);
        tacit_r1cs_clear(&r2);
    }
    tacit_r1cs_clear(&r);
    return 0;
}
