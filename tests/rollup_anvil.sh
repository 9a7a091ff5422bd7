#!/usr/bin/env bash
# tests/rollup_anvil.sh — the rollup contract against a real Ethereum node: starts anvil (pinned,
# tests/lib/anvil.sh, installed once from the npm registry), runs $TACIT_BIN/rollup_anvil
# (tests/rollup_anvil.c: deploy, deposits, blocks settled, each refusal with its revert reason,
# claims for exact wei) against it and stops it. Without node/npm or the registry the test FAILS,
# saying so (it is never skipped silently). About a minute under the sanitizers (devnet setups
# and five proofs).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${TACIT_BIN:-build/bin}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[[ -x "$BIN/rollup_anvil" ]] || { echo "rollup_anvil.sh: no $BIN/rollup_anvil (build first)" >&2; exit 1; }
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || { echo "rollup_anvil.sh: cannot start anvil" >&2; exit 1; }

status=0
TACIT_L1_URL=$ANVIL_URL "$BIN/rollup_anvil" || status=1
anvil_stop
if ((status != 0)); then
    echo "rollup_anvil.sh: failed; anvil's log:" >&2
    tail -40 "$TMP/anvil.log" >&2
fi
exit $status
