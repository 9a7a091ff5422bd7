#!/usr/bin/env bash
# tacit — `tacit-cli circuit example` end to end at Merkle depth 2 (run by ctest with TACIT_BIN
# and TACIT_VECTORS set): devnet keys from `tacit-cli setup --depth 2`, a proof of a random
# valid transfer, which `tacit-cli groth16 verify` accepts (and rejects with public.json
# changed); keys that are not the transfer circuit's are refused without writing anything.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
VEC="${TACIT_VECTORS:-tests/vectors}"
CLI="$BIN/tacit-cli"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-cli-circuit.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=tests/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

K="$TMP/keys"
O="$TMP/out1"
run 0 "$CLI" setup --out "$K" --depth 2
run 0 "$CLI" circuit example --keys "$K" --out "$O"
grep -qx "depth 2" "$TMP/out" && ok || bad "circuit example did not detect depth 2: $(cat "$TMP/out")"
[[ -f "$O/proof.json" && -f "$O/public.json" && -f "$O/verification_key.json" ]] && ok ||
    bad "circuit example did not write proof.json, public.json, verification_key.json"
[[ "$(grep -c '"' "$O/public.json")" -eq 7 ]] && ok || bad "public.json does not hold 7 inputs"
run 0 "$CLI" groth16 verify "$O/verification_key.json" "$O/public.json" "$O/proof.json"
grep -qx "OK" "$TMP/out" && ok || bad "groth16 verify did not print OK"
# under the key setup wrote (the same key)
run 0 "$CLI" groth16 verify "$K/verification_key.json" "$O/public.json" "$O/proof.json"
# a corrupted public.json: the last digit of the first input (root) changed, d -> (d+1) mod 10
awk 'NR == 2 && !done { i = match($0, /[0-9]"/); d = substr($0, i, 1); $0 = substr($0, 1, i - 1) ((d + 1) % 10) substr($0, i + 1); done = 1 } { print }' \
    "$O/public.json" >"$TMP/pub_bad.json"
if cmp -s "$O/public.json" "$TMP/pub_bad.json"; then
    bad "could not corrupt public.json"
else
    ok
fi
run 1 "$CLI" groth16 verify "$K/verification_key.json" "$TMP/pub_bad.json" "$O/proof.json"

# reproducible with --seed: the same public inputs (fresh blinding, so another proof)
S=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
run 0 "$CLI" circuit example --keys "$K" --out "$TMP/s1" --seed "$S" --threads 1
run 0 "$CLI" circuit example --keys "$K" --out "$TMP/s2" --seed "$S" --depth 2
cmp -s "$TMP/s1/public.json" "$TMP/s2/public.json" && ok || bad "--seed did not fix the public inputs"
run 0 "$CLI" groth16 verify "$TMP/s2/verification_key.json" "$TMP/s2/public.json" "$TMP/s2/proof.json"

# the wrong depth for the key, a key that is not a transfer key, no key: nothing written
run 1 "$CLI" circuit example --keys "$K" --out "$TMP/bad1" --depth 3
[[ ! -e "$TMP/bad1" ]] && ok || bad "circuit example wrote output for a key of the wrong depth"
mkdir -p "$TMP/merkle"
cp "$VEC/groth16/valid/merkle/merkle_final.zkey" "$TMP/merkle/transfer.zkey"
run 1 "$CLI" circuit example --keys "$TMP/merkle" --out "$TMP/bad2"
[[ ! -e "$TMP/bad2" ]] && ok || bad "circuit example wrote output for a key of another circuit"
run 2 "$CLI" circuit example --keys "$TMP/nonexistent" --out "$TMP/bad3"
run 2 "$CLI" circuit example --out "$TMP/bad3"
run 2 "$CLI" circuit example --keys "$K" --out "$TMP/bad3" --seed 00
run 0 "$CLI" circuit example --help
grep -q "circuit example --keys" "$TMP/out" && ok || bad "--help does not mention circuit example"

echo "cli_circuit.sh: $pass passed, $fail failed"
((fail == 0))
