#!/usr/bin/env bash
# tacit — `tacit-cli setup --circuit tree-update` and `tacit-cli circuit tree-update` at depth 4,
# M = 4 (run by ctest with TACIT_BIN set): devnet keys, a proof of a random statement that
# `tacit-cli groth16 verify` accepts and refuses with a leaf, R_new or k changed; `prove` on the
# statement file `example` wrote gives the same public inputs; fixed --start/--count; bad
# statements and keys of another circuit refused with nothing written; counts of info and
# export-r1cs.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-cli-treeupdate.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=tests/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# field <name> <file>: the value after "<name> " in tacit-cli's `name value` lines
field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
# changed <in.json> <out.json> <index>: public.json with input <index> (0-based) plus one
changed() {
    awk -v want="$3" 'BEGIN { i = -1 } /"[0-9]+"/ { i++; if (i == want) { match($0, /[0-9]+/); n = substr($0, RSTART, RLENGTH); d = substr(n, length(n), 1); n = substr(n, 1, length(n) - 1) ((d + 1) % 10); $0 = substr($0, 1, RSTART - 1) n substr($0, RSTART + RLENGTH) } } { print }' "$1" >"$2"
}

K="$TMP/keys"
run 0 "$CLI" setup --circuit tree-update --depth 4 --max-leaves 4 --out "$K"
[[ -f "$K/tree_update.zkey" && -f "$K/tree_update_verification_key.json" ]] && ok ||
    bad "setup --circuit tree-update did not write tree_update.zkey and its verification key"
[[ ! -e "$K/verification_key.json" ]] && ok || bad "setup --circuit tree-update wrote the transfer's verification_key.json"
grep -qx "public 8" "$TMP/out" && ok || bad "the key does not have 8 public inputs: $(cat "$TMP/out")"

# a proof of a random statement: found depth 4 and M = 4 from the key
O="$TMP/o1"
run 0 "$CLI" circuit tree-update example --keys "$K" --out "$O"
grep -qx "depth 4" "$TMP/out" && grep -qx "max_leaves 4" "$TMP/out" && ok ||
    bad "example did not find depth 4, M 4: $(cat "$TMP/out")"
for f in proof.json public.json verification_key.json statement.json; do
    [[ -f "$O/$f" ]] && ok || bad "example did not write $f"
done
[[ "$(grep -c '"' "$O/public.json")" -eq 8 ]] && ok || bad "public.json does not hold 8 inputs"
run 0 "$CLI" groth16 verify "$K/tree_update_verification_key.json" "$O/public.json" "$O/proof.json"
grep -qx "OK" "$TMP/out" && ok || bad "groth16 verify did not print OK"
# changed after proving: R_new (1), k (3), the first leaf (4): refused
for i in 1 3 4; do
    changed "$O/public.json" "$TMP/bad.json" "$i"
    if cmp -s "$O/public.json" "$TMP/bad.json"; then bad "could not change public input $i"; else ok; fi
    run 1 "$CLI" groth16 verify "$K/tree_update_verification_key.json" "$TMP/bad.json" "$O/proof.json"
done

# prove on the statement file: the same public inputs
run 0 "$CLI" circuit tree-update prove --keys "$K" --statement "$O/statement.json" --out "$TMP/o2"
cmp -s "$O/public.json" "$TMP/o2/public.json" && ok || bad "prove --statement gave other public inputs"
run 0 "$CLI" groth16 verify "$TMP/o2/verification_key.json" "$TMP/o2/public.json" "$TMP/o2/proof.json"

# fixed s and k: a full last subtree (s = 12, k = 4: the tree becomes full), k = 0, s = 2^4
for sk in "12 4" "5 0" "16 0" "0 4" "7 3"; do
    set -- $sk
    run 0 "$CLI" circuit tree-update example --keys "$K" --out "$TMP/sk" --start "$1" --count "$2" --threads 1
    [[ "$(field start "$TMP/out")" == "$1" && "$(field count "$TMP/out")" == "$2" ]] && ok ||
        bad "--start $1 --count $2 not kept: $(cat "$TMP/out")"
    run 0 "$CLI" groth16 verify "$TMP/sk/verification_key.json" "$TMP/sk/public.json" "$TMP/sk/proof.json"
done
# reproducible with --seed
S=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
run 0 "$CLI" circuit tree-update example --keys "$K" --out "$TMP/s1" --seed "$S"
run 0 "$CLI" circuit tree-update example --keys "$K" --out "$TMP/s2" --seed "$S" --depth 4
cmp -s "$TMP/s1/public.json" "$TMP/s2/public.json" && ok || bad "--seed did not fix the statement"

# refused, nothing written: s + k > 2^4, k > M, a key of the wrong depth, the transfer's key
run 1 "$CLI" circuit tree-update example --keys "$K" --out "$TMP/bad1" --start 14 --count 3
grep -q "tree is full" "$TMP/out" && ok || bad "s + k > 2^depth: not the tree-full error: $(cat "$TMP/out")"
run 1 "$CLI" circuit tree-update example --keys "$K" --out "$TMP/bad2" --count 5
grep -q "input too large" "$TMP/out" && ok || bad "k > M: not the too-large error: $(cat "$TMP/out")"
run 1 "$CLI" circuit tree-update example --keys "$K" --out "$TMP/bad3" --depth 5
mkdir -p "$TMP/tk"
run 0 "$CLI" setup --out "$TMP/tk" --depth 2
cp "$TMP/tk/transfer.zkey" "$TMP/tk/tree_update.zkey"
run 1 "$CLI" circuit tree-update example --keys "$TMP/tk" --out "$TMP/bad4"
grep -q "not a tree-update key" "$TMP/out" && ok || bad "the transfer key was not refused as such: $(cat "$TMP/out")"
for d in bad1 bad2 bad3 bad4; do [[ ! -e "$TMP/$d" ]] && ok || bad "$d written"; done

# bad statement files: usage errors (2), nothing written
printf '{"depth": 4, "start": 3, "frontier": ["1", "2", "0", "0", "0"], "leaves": ["1", "2"]}' >"$TMP/st_ok.json"
run 0 "$CLI" circuit tree-update prove --keys "$K" --statement "$TMP/st_ok.json" --out "$TMP/st_ok"
grep -qx "start 3" "$TMP/out" && grep -qx "count 2" "$TMP/out" && ok || bad "statement file not read as written"
printf '{"depth": 5, "start": 3, "frontier": ["1", "2", "0", "0", "0", "0"], "leaves": []}' >"$TMP/st1.json"
printf '{"depth": 4, "start": 3, "frontier": ["1", "2", "0"], "leaves": []}' >"$TMP/st2.json"
printf '{"depth": 4, "start": 3, "frontier": ["1", "2", "0", "0", "0"], "leaves": ["1", "2", "3", "4", "5"]}' >"$TMP/st3.json"
printf '{"depth": 4, "start": 3, "frontier": ["1", "x", "0", "0", "0"], "leaves": []}' >"$TMP/st4.json"
printf '{"depth": 4, "start": 17, "frontier": ["1", "2", "0", "0", "0"], "leaves": []}' >"$TMP/st5.json"
printf '{"depth": 4, "start": 3, "start": 3}' >"$TMP/st6.json"
R=21888242871839275222246405745257275088548364400416034343698204186575808495617
printf '{"depth": 4, "start": 3, "frontier": ["1", "%s", "0", "0", "0"], "leaves": []}' "$R" >"$TMP/st7.json"
for i in 1 2 3 4 5 6 7; do
    run 2 "$CLI" circuit tree-update prove --keys "$K" --statement "$TMP/st$i.json" --out "$TMP/st_bad"
done
run 2 "$CLI" circuit tree-update prove --keys "$K" --statement "$TMP/nonexistent.json" --out "$TMP/st_bad"
[[ ! -e "$TMP/st_bad" ]] && ok || bad "a bad statement file wrote output"
printf '{"depth": 4, "start": 15, "frontier": ["1", "2", "3", "4", "0"], "leaves": ["1", "2"]}' >"$TMP/st8.json"
run 1 "$CLI" circuit tree-update prove --keys "$K" --statement "$TMP/st8.json" --out "$TMP/st_bad"
grep -q "tree is full" "$TMP/out" && ok || bad "a statement past 2^depth: not the tree-full error"

# usage errors
run 2 "$CLI" circuit tree-update example --out "$TMP/u"
run 2 "$CLI" circuit tree-update example --keys "$TMP/nonexistent" --out "$TMP/u"
run 2 "$CLI" circuit tree-update example --keys "$K" --out "$TMP/u" --max-leaves 4
run 2 "$CLI" circuit tree-update info --depth 33
run 2 "$CLI" circuit tree-update info --max-leaves 0
run 2 "$CLI" circuit tree-update witness "$TMP/w.wtns" --seed 00
run 2 "$CLI" circuit tree-update nonsense
run 2 "$CLI" setup --out "$TMP/u" --max-leaves 4
run 2 "$CLI" setup --out "$TMP/u" --circuit nonsense
[[ ! -e "$TMP/u" || -z "$(ls -A "$TMP/u")" ]] && ok || bad "a usage error wrote keys"
run 0 "$CLI" circuit tree-update --help
grep -q "circuit tree-update prove --keys" "$TMP/out" && ok || bad "--help does not mention prove"

# counts: info = export-r1cs = the .r1cs read back
run 0 "$CLI" circuit tree-update info --depth 4 --max-leaves 4
grep -qx "constraints 2920" "$TMP/out" && grep -qx "public 8" "$TMP/out" && ok ||
    bad "depth 4, M 4: not 2920 constraints and 8 public inputs: $(cat "$TMP/out")"
run 0 "$CLI" circuit tree-update export-r1cs "$TMP/t.r1cs" --depth 4 --max-leaves 4
grep -qx "constraints 2920" "$TMP/out" && ok || bad "export-r1cs counts differ from info"
run 0 "$CLI" circuit info "$TMP/t.r1cs"
grep -qx "constraints 2920" "$TMP/out" && grep -qx "public_inputs 8" "$TMP/out" && ok ||
    bad "the exported .r1cs reads back with other counts: $(cat "$TMP/out")"

echo "cli_treeupdate.sh: $pass passed, $fail failed"
((fail == 0))
