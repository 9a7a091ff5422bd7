/*
 * tacit — internals shared by the files of src/l1 (and its tests).
 */
#ifndef TACIT_L1_INTERNAL_H
#define TACIT_L1_INTERNAL_H

#include <secp256k1.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/abi.h"

/* abi.c: frees a parsed type tree (the parser's own cleanup too). */
void tacit__abi_type_free_tree(struct tacit_abi_type *t);

/* key.c: the l1 module's secp256k1 context, made once per process (NULL when out of memory);
 * read-only after creation, shared by every thread. The module has its own rather than
 * chain's: l1 sits beside chain in src/modules, not above it. */
const secp256k1_context *tacit__l1_secp256k1(void);

/* client.c: sleeps ms milliseconds (through signals). */
void tacit__l1_sleep_ms(unsigned ms);

#endif /* TACIT_L1_INTERNAL_H */
