/*
 * tests/install_consumer.c — a program built against an installed libtacit (tests/install.sh
 * compiles it with `pkg-config --cflags --libs libtacit` only, outside the source tree):
 * prints tacit_version() and circomlib's Poseidon([1, 2]) in decimal.
 */
#include <stdint.h>
#include <stdio.h>
#include <tacit/bn254.h>
#include <tacit/poseidon.h>
#include <tacit/util.h>

int main(void)
{
    tacit_fr a, b, h;
    uint64_t limbs[4];
    char dec[79];
    tacit_fr_from_u64(&a, 1);
    tacit_fr_from_u64(&b, 2);
    tacit_poseidon2(&h, &a, &b);
    tacit_fr_to_limbs(limbs, &h);
    tacit_u256_to_dec(dec, limbs);
    printf("%s\n%s\n", tacit_version(), dec);
    return 0;
}
