// contrib/lib/xorshift.mjs — the fixed-seed generator of the vector generators (contrib/gen-*.mjs):
// xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators,
// scrambled", 2016). The same seed gives the same stream on every run, so the same tools write
// the same files.
const mask64 = (1n << 64n) - 1n;

export function xorshift64star(seed) {
    let state = seed;
    return function rand64() {
        state ^= state >> 12n;
        state ^= (state << 25n) & mask64;
        state ^= state >> 27n;
        return (state * 0x2545f4914f6cdd1dn) & mask64;
    };
}
