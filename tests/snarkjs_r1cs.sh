#!/usr/bin/env bash
# tacit — the exported transfer circuit against snarkjs 0.7.6 (run by ctest with TACIT_BIN
# and TACIT_VECTORS set):
#   1. `tacit-cli circuit export-r1cs` at depths 32 (the real circuit) and 2 (the reduced
#      one): `snarkjs r1cs info` reads the file and reports the counts tacit printed
#      (#wires, #constraints, #public inputs, no outputs), and tacit's own reader agrees;
#   2. `tacit-cli circuit witness` writes the witness of a random valid transfer: `snarkjs
#      wtns check` finds it satisfies the exported .r1cs (so snarkjs evaluates every
#      constraint as tacit does), and rejects it with ext_data_hash changed;
#   3. circom's merkle.r1cs: tacit and snarkjs read the same counts.
#
# snarkjs@0.7.6 comes from the npm registry into ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs
# (installed once, reused; a lock serialises concurrent installs). Without node/npm or the
# registry the test FAILS, saying so: it is never skipped silently.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
VEC="${TACIT_VECTORS:-tests/vectors}"
CLI="$BIN/tacit-cli"
CACHE="${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-snarkjs-r1cs.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=tests/lib/snarkjs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/snarkjs.sh"

# field <name> <file>: the number after "<name> " in tacit-cli's `name value` lines
field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
# sfield <label> <file>: the number after "# of <label>:" in snarkjs's log (colours stripped)
sfield() { sed 's/\x1b\[[0-9;]*m//g' "$2" | awk -F': ' -v k="# of $1" 'index($0, k) { print $NF }' | tail -1; }

# expect_eq <what> <got> <want>
expect_eq() {
    if [[ -n "$2" && "$2" == "$3" ]]; then ok; else bad "$1: got '$2', want '$3'"; fi
}

# --- 1. counts of the exported circuit --------------------------------------------------
for depth in 32 2; do
    R1CS="$TMP/transfer-$depth.r1cs"
    if ! "$CLI" circuit export-r1cs "$R1CS" --depth "$depth" >"$TMP/tacit.txt" 2>"$TMP/err"; then
        bad "tacit-cli circuit export-r1cs --depth $depth: $(cat "$TMP/err")"
        continue
    fi
    if ! "${SNARKJS[@]}" r1cs info "$R1CS" >"$TMP/snarkjs.txt" 2>&1; then
        bad "snarkjs r1cs info (depth $depth): $(tail -c 2000 "$TMP/snarkjs.txt")"
        continue
    fi
    wires="$(field wires "$TMP/tacit.txt")"
    cons="$(field constraints "$TMP/tacit.txt")"
    pub="$(field public "$TMP/tacit.txt")"
    expect_eq "depth $depth #wires" "$(sfield Wires "$TMP/snarkjs.txt")" "$wires"
    expect_eq "depth $depth #constraints" "$(sfield Constraints "$TMP/snarkjs.txt")" "$cons"
    expect_eq "depth $depth #public inputs" "$(sfield 'Public Inputs' "$TMP/snarkjs.txt")" "$pub"
    expect_eq "depth $depth #outputs" "$(sfield Outputs "$TMP/snarkjs.txt")" 0
    expect_eq "depth $depth public inputs of the statement" "$pub" 7
    expect_eq "depth $depth within 20,000 constraints" "$((cons <= 20000))" 1
    echo "depth $depth: $cons constraints, $wires wires, $pub public inputs (tacit = snarkjs)"
    # tacit's reader on its own file
    if "$CLI" circuit info "$R1CS" >"$TMP/info.txt" 2>"$TMP/err"; then
        expect_eq "depth $depth reread #wires" "$(field wires "$TMP/info.txt")" "$wires"
        expect_eq "depth $depth reread #constraints" "$(field constraints "$TMP/info.txt")" "$cons"
        expect_eq "depth $depth reread #public" "$(field public_inputs "$TMP/info.txt")" "$pub"
    else
        bad "tacit-cli circuit info $R1CS: $(cat "$TMP/err")"
    fi

    # --- 2. a witness of a random valid transfer, checked by snarkjs ----------------------
    WTNS="$TMP/transfer-$depth.wtns"
    if ! "$CLI" circuit witness "$WTNS" --depth "$depth" >"$TMP/pub.txt" 2>"$TMP/err"; then
        bad "tacit-cli circuit witness --depth $depth: $(cat "$TMP/err")"
        continue
    fi
    expect_eq "depth $depth witness public inputs" "$(wc -l <"$TMP/pub.txt" | tr -d ' ')" 7
    if "${SNARKJS[@]}" wtns check "$R1CS" "$WTNS" >"$TMP/check.txt" 2>&1 &&
        grep -q "WITNESS IS CORRECT" "$TMP/check.txt"; then
        ok
    else
        bad "snarkjs wtns check (depth $depth) refused tacit's witness: $(tail -c 2000 "$TMP/check.txt")"
    fi
    # ext_data_hash (variable 3) changed after the witness was made: snarkjs must refuse it.
    # .wtns: magic, version, nsections (12) + section 1 (12 + 40) + section 2 header (12),
    # then 32 bytes per variable.
    node -e '
const fs = require("fs");
const b = fs.readFileSync(process.argv[1]);
b[12 + 12 + 40 + 12 + 32 * 3] ^= 1;
fs.writeFileSync(process.argv[2], b);' "$WTNS" "$TMP/broken.wtns"
    if "${SNARKJS[@]}" wtns check "$R1CS" "$TMP/broken.wtns" >"$TMP/check.txt" 2>&1; then
        bad "snarkjs wtns check (depth $depth) accepted a witness with ext_data_hash changed"
    elif grep -q "WITNESS IS CORRECT" "$TMP/check.txt"; then
        bad "snarkjs wtns check (depth $depth) said a broken witness is correct"
    else
        ok
    fi
done

# --- 3. circom's file: both readers agree -------------------------------------------------
MERKLE="$VEC/groth16/valid/merkle/merkle.r1cs"
if "$CLI" circuit info "$MERKLE" >"$TMP/info.txt" 2>"$TMP/err" &&
    "${SNARKJS[@]}" r1cs info "$MERKLE" >"$TMP/snarkjs.txt" 2>&1; then
    expect_eq "merkle #wires" "$(field wires "$TMP/info.txt")" "$(sfield Wires "$TMP/snarkjs.txt")"
    expect_eq "merkle #constraints" "$(field constraints "$TMP/info.txt")" "$(sfield Constraints "$TMP/snarkjs.txt")"
    expect_eq "merkle #public inputs" "$(field public_inputs "$TMP/info.txt")" "$(sfield 'Public Inputs' "$TMP/snarkjs.txt")"
    expect_eq "merkle #private inputs" "$(field private_inputs "$TMP/info.txt")" "$(sfield 'Private Inputs' "$TMP/snarkjs.txt")"
    expect_eq "merkle #labels" "$(field labels "$TMP/info.txt")" "$(sfield Labels "$TMP/snarkjs.txt")"
    expect_eq "merkle #outputs" "$(field public_outputs "$TMP/info.txt")" "$(sfield Outputs "$TMP/snarkjs.txt")"
else
    bad "reading $MERKLE: $(cat "$TMP/err") $(tail -c 2000 "$TMP/snarkjs.txt")"
fi

echo "snarkjs_r1cs.sh: $pass passed, $fail failed"
((fail == 0)) || exit 1
exit 0
