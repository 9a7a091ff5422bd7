#!/usr/bin/env bash
# tests/l1_anvil.sh — the L1 port against a real Ethereum node: installs anvil (pinned,
# tests/lib/anvil.sh: from the npm registry into ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/anvil,
# once), starts it on 127.0.0.1, runs $TACIT_BIN/l1_anvil (tests/l1_anvil.c) against it, stops
# it, and runs l1_anvil's anvil_gone against the stopped node. Without node/npm or the registry
# the test FAILS, saying so (it is never skipped silently). Seconds.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${TACIT_BIN:-build/bin}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[[ -x "$BIN/l1_anvil" ]] || { echo "l1_anvil.sh: no $BIN/l1_anvil (build first)" >&2; exit 1; }
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || { echo "l1_anvil.sh: cannot start anvil" >&2; exit 1; }

status=0
TACIT_L1_URL=$ANVIL_URL "$BIN/l1_anvil" || status=1
url=$ANVIL_URL
anvil_stop
TACIT_L1_URL=$url TACIT_L1_GONE=1 "$BIN/l1_anvil" anvil_gone || status=1
if ((status != 0)); then
    echo "l1_anvil.sh: failed; anvil's log:" >&2
    tail -40 "$TMP/anvil.log" >&2
fi
exit $status
