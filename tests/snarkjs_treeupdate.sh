#!/usr/bin/env bash
# tacit — the tree-update circuit against snarkjs 0.7.6 (run by ctest with TACIT_BIN and
# TACIT_VECTORS set):
#   1. the chain's circuit (depth 32, M = 128) exported by `tacit-cli circuit tree-update
#      export-r1cs`: `snarkjs r1cs info` reports tacit's counts; `snarkjs wtns check` accepts
#      tacit's witness of a random statement (a full block at an unaligned s) and refuses it
#      with a leaf past k made non-zero, or with R_new changed;
#   2. the ceremony path at depth 4, M = 4 (2,920 constraints: fits tests/vectors/ptau/
#      pot12_final.ptau): `snarkjs groth16 setup` + `zkey contribute` on tacit's .r1cs, the
#      key used by `tacit-cli circuit tree-update example` as tree_update.zkey, and the proof
#      accepted by `snarkjs groth16 verify` (and refused with a leaf changed).
# About 40 s here (2 cores), most of it snarkjs's setup and its witness check of 52,258
# constraints.
#
# snarkjs@0.7.6 comes from the npm registry into ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs
# (installed once, reused; a lock serialises concurrent installs). Without node/npm or the
# registry the test FAILS, saying so: it is never skipped silently.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
VEC="${TACIT_VECTORS:-tests/vectors}"
PTAU="$VEC/ptau/pot12_final.ptau"
CLI="$BIN/tacit-cli"
CACHE="${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-snarkjs-treeupdate.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=tests/lib/snarkjs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/snarkjs.sh"
[[ -f "$PTAU" ]] || die "no $PTAU"

field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
sfield() { sed 's/\x1b\[[0-9;]*m//g' "$2" | awk -F': ' -v k="# of $1" 'index($0, k) { print $NF }' | tail -1; }
expect_eq() {
    if [[ -n "$2" && "$2" == "$3" ]]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
# wtns_flip <in> <out> <variable>: the .wtns with the lowest bit of one variable flipped
# (header: magic, version, nsections (12) + section 1 (12 + 40) + section 2 header (12))
wtns_flip() {
    node -e '
const fs = require("fs");
const b = fs.readFileSync(process.argv[1]);
b[12 + 12 + 40 + 12 + 32 * Number(process.argv[3])] ^= 1;
fs.writeFileSync(process.argv[2], b);' "$1" "$2" "$3"
}
# wtns_refused <what> <file>: snarkjs wtns check must not accept it
wtns_refused() {
    if "${SNARKJS[@]}" wtns check "$R1CS" "$2" >"$TMP/check.txt" 2>&1 ||
        grep -q "WITNESS IS CORRECT" "$TMP/check.txt"; then
        bad "snarkjs wtns check accepted a witness with $1"
    else
        ok
    fi
}
START=$(date +%s)

# --- 1. the chain's circuit ---------------------------------------------------------------
R1CS="$TMP/tu.r1cs"
run 0 "$CLI" circuit tree-update export-r1cs "$R1CS" || die "export-r1cs failed"
cp "$TMP/out" "$TMP/tacit.txt"
expect_eq "depth" "$(field depth "$TMP/tacit.txt")" 32
expect_eq "max_leaves" "$(field max_leaves "$TMP/tacit.txt")" 128
run 0 "${SNARKJS[@]}" r1cs info "$R1CS"
expect_eq "#wires" "$(sfield Wires "$TMP/out")" "$(field wires "$TMP/tacit.txt")"
expect_eq "#constraints" "$(sfield Constraints "$TMP/out")" "$(field constraints "$TMP/tacit.txt")"
expect_eq "#public inputs" "$(sfield 'Public Inputs' "$TMP/out")" 132
expect_eq "#outputs" "$(sfield Outputs "$TMP/out")" 0
echo "depth 32, M 128: $(field constraints "$TMP/tacit.txt") constraints (tacit = snarkjs)"

WTNS="$TMP/tu.wtns"
run 0 "$CLI" circuit tree-update witness "$WTNS" --count 100 \
    --seed 7ee07ee07ee07ee07ee07ee07ee07ee07ee07ee07ee07ee07ee07ee07ee07ee0
expect_eq "witness public inputs" "$(wc -l <"$TMP/out" | tr -d ' ')" 132
expect_eq "k" "$(sed -n 4p "$TMP/out")" 100
if "${SNARKJS[@]}" wtns check "$R1CS" "$WTNS" >"$TMP/check.txt" 2>&1 &&
    grep -q "WITNESS IS CORRECT" "$TMP/check.txt"; then
    ok
else
    bad "snarkjs wtns check refused tacit's witness: $(tail -c 2000 "$TMP/check.txt")"
fi
# variable 1 + 4 + 100: leaf 100, past k = 100 (0 in the statement); variable 2: R_new
wtns_flip "$WTNS" "$TMP/b1.wtns" 105
wtns_refused "a non-zero leaf past k" "$TMP/b1.wtns"
wtns_flip "$WTNS" "$TMP/b2.wtns" 2
wtns_refused "R_new changed" "$TMP/b2.wtns"

# --- 2. a ceremony's key at depth 4, M = 4 ------------------------------------------------
T="$TMP/c"
mkdir -p "$T/keys"
run 0 "$CLI" circuit tree-update export-r1cs "$T/tu4.r1cs" --depth 4 --max-leaves 4
run 0 "${SNARKJS[@]}" groth16 setup "$T/tu4.r1cs" "$PTAU" "$T/tu4_0000.zkey" || die "snarkjs groth16 setup failed"
run 0 "${SNARKJS[@]}" zkey contribute "$T/tu4_0000.zkey" "$T/keys/tree_update.zkey" \
    --name=test -e="tacit test entropy: fixed, never for production" || die "zkey contribute failed"
run 0 "${SNARKJS[@]}" zkey export verificationkey "$T/keys/tree_update.zkey" "$T/vk.json"
run 0 "$CLI" circuit tree-update example --keys "$T/keys" --out "$T/o" --start 13 --count 3
grep -qx "depth 4" "$TMP/out" && grep -qx "max_leaves 4" "$TMP/out" && ok ||
    bad "example on the ceremony's key: not depth 4, M 4: $(cat "$TMP/out")"
run 0 "${SNARKJS[@]}" groth16 verify "$T/vk.json" "$T/o/public.json" "$T/o/proof.json"
grep -q "OK" "$TMP/out" && ok || bad "snarkjs did not verify tacit's proof under the ceremony's key"
node -e '
const fs = require("fs");
const p = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
p[4] = (BigInt(p[4]) + 1n).toString();
fs.writeFileSync(process.argv[2], JSON.stringify(p));' "$T/o/public.json" "$T/public_bad.json"
"${SNARKJS[@]}" groth16 verify "$T/vk.json" "$T/public_bad.json" "$T/o/proof.json" >"$TMP/out" 2>&1
if grep -q "OK!" "$TMP/out"; then bad "snarkjs accepted the proof with a leaf changed"; else ok; fi

echo "snarkjs_treeupdate.sh: $pass passed, $fail failed in $(($(date +%s) - START)) s"
((fail == 0))
