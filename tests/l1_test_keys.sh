#!/usr/bin/env bash
# tacit — ctest's fixture for the tests on anvil that use the real keys (tests/lib/keys.sh):
# makes, once per run, into $TACIT_TEST_KEYS (the build directory's test-keys/), the transfer
# keys of depth 32 (`tacit-cli setup`) and the tree-update keys with M = 2 (m2/) and M = 4
# (m4/), so each of those tests copies them instead of making its own (a minute each under the
# sanitizers). Fails when a setup fails, or when the keys made do not verify as keys: the
# dependent tests then do not run.
set -u
ROOT=$PWD
BIN="${TACIT_BIN:-build/bin}"
[[ $BIN == /* ]] || BIN="$ROOT/$BIN"
CLI="$BIN/tacit-cli"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=tests/lib/common.sh
source "$ROOT/tests/lib/common.sh"

K=${TACIT_TEST_KEYS:-}
[[ -n $K ]] || die "TACIT_TEST_KEYS is not set (ctest sets it to the build directory's test-keys/)"
rm -rf "$K.new" && mkdir -p "$K.new/m2" "$K.new/m4" || die "cannot make $K.new"
t0=$SECONDS
run 0 "$CLI" setup --out "$K.new" || die "tacit-cli setup: $(cat "$TMP/out")"
for m in 2 4; do
    run 0 "$CLI" setup --out "$K.new/m$m" --circuit tree-update --max-leaves "$m" ||
        die "tacit-cli setup --circuit tree-update --max-leaves $m: $(cat "$TMP/out")"
done
for f in transfer.zkey verification_key.json m2/tree_update.zkey m2/tree_update_verification_key.json \
    m4/tree_update.zkey m4/tree_update_verification_key.json; do
    [[ -s $K.new/$f ]] && ok || bad "$f made"
done
# the verification keys are keys: their public input counts (7 for a transfer; R_old, R_new,
# s, k and the M leaves for a tree update)
grep -q '"nPublic": *7' "$K.new/verification_key.json" && ok || bad "the transfer key has 7 public inputs"
grep -q '"nPublic": *6' "$K.new/m2/tree_update_verification_key.json" && ok || bad "the M = 2 tree key has 6 public inputs"
grep -q '"nPublic": *8' "$K.new/m4/tree_update_verification_key.json" && ok || bad "the M = 4 tree key has 8 public inputs"
((fail == 0)) || die "the keys: $pass passed, $fail failed"
rm -rf "$K" && mv "$K.new" "$K" || die "cannot move the keys to $K"
echo "l1_test_keys.sh: the keys in $((SECONDS - t0)) s; $pass passed, $fail failed"
