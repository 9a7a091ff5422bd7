/*
 * tacit — shared by the libFuzzer targets tests/fuzz/fuzz_*.c.
 *
 * Each target defines LLVMFuzzerTestOneInput and checks, besides "no crash, no leak, no
 * undefined behaviour" (ASan, UBSan), the parser's contract: the documented error codes
 * only, outputs defined on failure, and that whatever parses writes back to the same
 * value. A broken property aborts (FUZZ_CHECK), which libFuzzer reports as a crash and the
 * replay ctest as a failure.
 *
 * With -DTACIT_FUZZ=ON (clang) the targets link libFuzzer; otherwise each is linked with
 * replay.c, whose main runs the target over files and directories (the seed corpus).
 */
#ifndef TACIT_TESTS_FUZZ_H
#define TACIT_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

#endif /* TACIT_TESTS_FUZZ_H */
