/*
 * tacit — keccak-256 as Ethereum uses it (transparent addresses, DESIGN 2.3): the Keccak
 * sponge of the SHA-3 submission, rate 1088 bits, capacity 512, output 256, with the
 * ORIGINAL padding 0x01 .. 0x80 (FIPS 202's SHA3-256 pads 0x06 instead, so it differs).
 * The permutation is Keccak-f[1600] as specified in "The Keccak reference", version 3.0
 * (Bertoni, Daemen, Peeters, Van Assche, 2011), sections 1.2 and 1.3: 24 rounds of
 * theta, rho, pi, chi, iota on 5 x 5 lanes of 64 bits, lanes read little-endian.
 * Public data only: no secret ever goes through this hash, so no constant-time concern.
 */
#include <string.h>

#include "tacit/keccak.h"

#define KECCAK_RATE 136 /* (1600 - 2 * 256) / 8 bytes */

/* Round constants RC[i] (the reference, table 1.1). */
static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation offsets r[x][y] of rho, indexed by lane x + 5 y (the reference, table 1.2). */
static const unsigned ROT[25] = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static uint64_t rotl(uint64_t v, unsigned n) { return n == 0 ? v : (v << n) | (v >> (64 - n)); }

static void keccak_f1600(uint64_t a[25])
{
    uint64_t c[5], d[5], b[25];
    for (int round = 0; round < 24; round++) {
        /* theta: each lane ^= parity of the two neighbouring columns */
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) d[x] = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
        for (int i = 0; i < 25; i++) a[i] ^= d[i % 5];
        /* rho and pi: B[y][2x + 3y] = rot(A[x][y], r[x][y]) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], ROT[x + 5 * y]);
        /* chi: the only non-linear step */
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        /* iota */
        a[0] ^= RC[round];
    }
}

static void absorb_block(uint64_t a[25], const uint8_t *p)
{
    for (int i = 0; i < KECCAK_RATE / 8; i++) {
        uint64_t lane = 0;
        for (int k = 7; k >= 0; k--) lane = lane << 8 | p[8 * i + k];
        a[i] ^= lane;
    }
    keccak_f1600(a);
}

void tacit_keccak256(uint8_t out[32], const uint8_t *in, size_t len)
{
    uint64_t a[25] = {0};
    uint8_t last[KECCAK_RATE];

    for (; len >= KECCAK_RATE; in += KECCAK_RATE, len -= KECCAK_RATE) absorb_block(a, in);
    /* pad10*1 with Keccak's domain byte 0x01; both bits land in one byte when len = rate - 1 */
    memset(last, 0, sizeof last);
    if (len > 0) memcpy(last, in, len);
    last[len] ^= 0x01;
    last[KECCAK_RATE - 1] ^= 0x80;
    absorb_block(a, last);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 8; k++) out[8 * i + k] = (uint8_t)(a[i] >> (8 * k));
}
