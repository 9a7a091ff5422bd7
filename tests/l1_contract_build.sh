#!/usr/bin/env bash
# tests/l1_contract_build.sh — the checked-in artifact of the rollup contract
# (src/l1/TacitRollup.json, which CMake compiles into libtacit) is what the pinned solc-js makes
# of src/l1/TacitRollup.sol: contrib/compile-contract recompiles it into a temporary file and the
# two must be equal byte for byte. Without node/npm or the registry the test FAILS, saying so.
# About 15 s (the compiler is WebAssembly).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if ! contrib/compile-contract "$TMP/TacitRollup.json" 2>"$TMP/err"; then
    echo "l1_contract_build.sh: contrib/compile-contract failed:" >&2
    cat "$TMP/err" >&2
    exit 1
fi
if ! cmp -s "$TMP/TacitRollup.json" src/l1/TacitRollup.json; then
    echo "l1_contract_build.sh: src/l1/TacitRollup.json is not the compile of src/l1/TacitRollup.sol;" >&2
    echo "  run contrib/compile-contract and commit both. Differences:" >&2
    diff <(tr ',' '\n' <src/l1/TacitRollup.json) <(tr ',' '\n' <"$TMP/TacitRollup.json") | head -20 >&2
    exit 1
fi
echo "l1_contract_build.sh: src/l1/TacitRollup.json is the compile of its source"
