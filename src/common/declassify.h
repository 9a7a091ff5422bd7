/*
 * tacit — internal: tacit__declassify, for the constant-time check (tests/ctime.c).
 *
 * Code that must not branch on a secret computes its verdicts without branches (masks), then
 * says which values are public by design from there on: the verdict the caller is told (a
 * key's text is valid, or not and why), the length of a string whose characters are secret.
 * tacit__declassify(p, n) marks those n bytes: in the build of the constant-time check
 * (-DTACIT_LONGRUNS=ON with valgrind's headers: TACIT_CTIME_DECLASSIFY) it makes them
 * defined for valgrind's memcheck, so that tests/ctime.c reports only branches and addresses
 * that still depend on a secret; in every other build it does nothing. libsecp256k1 does the
 * same with secp256k1_declassify (src/util.h, for its ctime_tests.c).
 *
 * Declassify the verdict only, after the whole computation: never a secret itself, and never
 * a partial result that would let the code exit early.
 */
#ifndef TACIT_COMMON_DECLASSIFY_H
#define TACIT_COMMON_DECLASSIFY_H

#include <stddef.h>

#ifdef TACIT_CTIME_DECLASSIFY
#include <valgrind/memcheck.h>
#define tacit__declassify(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define tacit__declassify(p, n) ((void)(p), (void)(n))
#endif

#endif /* TACIT_COMMON_DECLASSIFY_H */
