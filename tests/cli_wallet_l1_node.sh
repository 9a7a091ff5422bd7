#!/usr/bin/env bash
# tests/cli_wallet_l1_node.sh — the wallet's L1 deposit credited by tacitd in L1 mode (issue 12,
# 7): anvil (tests/lib/anvil.sh), the rollup contract deployed by `tacit-cli l1 deploy` with
# small keys (as tests/tacitd_anvil.sh: a depth-2 transfer key, so no shielded transaction is
# proved here), tacitd --devnet in L1 mode. `wallet deposit --l1-only` from a key file: the L1
# balance drops by value + gas exactly and the node credits the account with exactly the amount
# (tacit_getAccount); `wallet deposit --l1-rpc` (with the shielding) gets past the wait for the
# credit (the shielding then fails here: the devnet proving key is the depth-2 one, EWITNESS;
# tests/first_hour_l1.sh runs the shielded transactions on an L1 chain with the real keys).
# `l1 deploy --force-delay`: the contract's forceDelay() is N (50 without it); 0 is refused.
# Without node/npm or the registry the test FAILS, saying so.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
FIX="$BIN/rollup_fixture"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. tests/lib/common.sh
[[ -x $FIX && -x $D ]] || die "no $FIX or $D (build first)"
NODE_PID=
cleanup() {
    [[ -n $NODE_PID ]] && kill -KILL "$NODE_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || die "cannot start anvil"

# anvil's account 0 (public test key) is the sequencer; account 1 deposits
printf '%s\n' 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$TMP/l1.key"
printf '%s\n' 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d >"$TMP/k1"
A1=0x70997970c51812dc3a010c7d01b50e0d17dc79c8
chmod 600 "$TMP/l1.key" "$TMP/k1"
DD="$TMP/node"
mkdir -p "$DD/keys" && chmod 700 "$DD" "$DD/keys"
"$CLI" setup --out "$DD/keys" --depth 2 >/dev/null &&
    "$CLI" setup --out "$DD/keys" --circuit tree-update --max-leaves 2 >/dev/null || die "the keys"
ROLLUP=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$TMP/l1.key" --keys "$DD/keys" 2>"$TMP/deploy.err") ||
    die "deploy: $(cat "$TMP/deploy.err")"
# T of the escape hatch: --force-delay N (default 50), read back as forceDelay(); 0 is refused
force_delay() {
    anvil_rpc eth_call "[{\"to\":\"$1\",\"data\":\"$("$FIX" calldata "forceDelay()")\"},\"latest\"]" |
        sed -n 's/.*"result":"0x0*\([0-9a-f]*\)".*/\1/p'
}
[[ $(force_delay "$ROLLUP") == 32 ]] && ok || bad "l1 deploy: forceDelay() is 50 (0x32) by default"
R7=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$TMP/l1.key" --keys "$DD/keys" --force-delay 7 2>"$TMP/deploy.err") ||
    die "deploy --force-delay 7: $(cat "$TMP/deploy.err")"
[[ $(force_delay "$R7") == 7 ]] && ok || bad "l1 deploy --force-delay 7: forceDelay() is 7"
"$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$TMP/l1.key" --keys "$DD/keys" --force-delay 0 >/dev/null 2>"$TMP/err"
[[ $? == 2 ]] && grep -q -- "--force-delay 0" "$TMP/err" && ok || bad "l1 deploy --force-delay 0 refused: $(cat "$TMP/err")"
"$D" --devnet --datadir "$DD" --rpc-bind none --empty-blocks --block-interval-ms 300 \
    --l1-rpc "$ANVIL_URL" --l1-rollup "$ROLLUP" --l1-key "$TMP/l1.key" --l1-poll-ms 200 \
    --l1-confirmations 1 --l1-final-depth 2 >>"$TMP/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 300); do [[ -S $DD/tacitd.sock ]] && break; sleep 0.1; done
[[ -S $DD/tacitd.sock ]] || die "tacitd in L1 mode did not start: $(tail -5 "$TMP/node.log")"

export TACIT_PASSPHRASE="correct horse" TACIT_WALLET_KDF=fast
cli() { "$CLI" --devnet --datadir "$DD" --rpc "unix:$DD/tacitd.sock" "$@"; }
w() { cli --wallet a wallet "$@"; }
has() { grep -q -- "$1" "$TMP/out" && ok || bad "$2: want \"$1\" in: $(cat "$TMP/out")"; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([0-9a-fA-Fx]*\)\"\{0,1\}.*/\1/p" "$TMP/out"; }
l2bal() { cli --json rpc tacit_getAccount "$A1" 2>/dev/null | sed -n 's/.*"balance":"\([0-9]*\)".*/\1/p'; }
l1bal() { anvil_rpc eth_getBalance "[\"$A1\",\"latest\"]" | sed -n 's/.*"result":"\([^"]*\)".*/\1/p'; }
L1=(--l1-rpc "$ANVIL_URL" --l1-rollup "$ROLLUP")

run 0 w create || die "wallet create"
before=$(l1bal)
run 0 w deposit 1.5 --from-key-file "$TMP/k1" "${L1[@]}" --l1-only --json
"$FIX" balance "$before" "$(l1bal)" "$(field wei)" 0 "$(field gasUsed)" "$(field effectiveGasPrice)" &&
    ok || bad "L1 balance drops by 1.5 ETH + gas"
bal=
for _ in $(seq 1 150); do
    bal=$(l2bal)
    [[ $bal == 1500000000 ]] && break
    sleep 0.2
done
[[ $bal == 1500000000 ]] && ok || bad "tacitd credits the L1 deposit: balance '$bal'"

# with the shielding: the L1 deposit, the credit waited for (then the shielding: EWITNESS here)
w deposit 0.5 --from-key-file "$TMP/k1" "${L1[@]}" --timeout 30 >"$TMP/out" 2>&1
has "L1 deposit 0x" "the L1 deposit first"
grep -q "has not credited" "$TMP/out" && bad "the credit was waited for: $(cat "$TMP/out")" || ok
[[ $(l2bal) -ge 1500000000 ]] && ok || bad "the credit stays"

kill -TERM "$NODE_PID" 2>/dev/null
wait "$NODE_PID" 2>/dev/null
NODE_PID=
anvil_stop
echo "cli_wallet_l1_node.sh: $pass passed, $fail failed"
((fail == 0)) || { tail -20 "$TMP/node.log" >&2; exit 1; }
