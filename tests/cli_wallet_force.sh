#!/usr/bin/env bash
# tests/cli_wallet_force.sh — forced transactions and the exit from the wallet (issue 13, 3 and 5;
# docs/wallet.md "Forced transactions and exit"): anvil (tests/lib/anvil.sh, a block a second),
# the rollup contract deployed by `tacit-cli l1 deploy --force-delay T`, tacitd --devnet in L1
# mode with the real transfer keys (depth 32: `tacit-cli setup`, about a minute under the
# sanitizers; tests/lib/keys.sh: ctest's fixture l1_test_keys.sh makes them once per run) and a
# tree-update key with M = 4.
#
#  1. alice deposits 3 TAC on L1 and shields it; its block settles;
#  2. `wallet withdraw 1 --to A2 --force`: forceTransaction on L1 from alice's L1 account (the
#     ForcedTransaction log: queue entry 1, after the deposit's 0); history says forced (queued);
#     the sequencer includes it in a block submitted within T L1 blocks of the queueing; the
#     block settles; `wallet claim` from A2 pays exactly 1 ETH; status and history say included;
#  3. the censorship story: tacitd's test-only knob (TACIT_TEST_CENSOR_FILE, compiled into
#     TACIT_TEST_HOOKS builds only: src/node/admission.c) makes it answer alice's next withdrawal
#     as admitted and drop it; it is never included; `wallet exit --to A2` withdraws every note
#     (the 2 TAC change the censored withdrawal held) by a forced transaction, which the
#     censoring sequencer includes (the queue is L1's); claim pays exactly 2 ETH more; the
#     censored withdrawal ends rejected (ENULLIFIER_SPENT: its note went by the exit);
#  4. a stale copy of the wallet (a backup from before step 2, not synced: --no-sync) forces a
#     spend of the note step 2 spent: the contract refuses it, and the wallet says why by the
#     contract's error name (NullifierSpent); `deposit --force` is refused before anything.
# Without node/npm or the registry (anvil) the test FAILS, saying so.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
TMP=$(mktemp -d)
BIN="${TACIT_BIN:-$PWD/build/bin}"
CLI="$BIN/tacit-cli" FIX="$BIN/rollup_fixture" D="$BIN/tacitd"
. tests/lib/common.sh
# shellcheck source=tests/lib/keys.sh
. tests/lib/keys.sh
[[ -x $FIX ]] || die "no $FIX (build first)"
. tests/lib/tacitd.sh
T=30 # the contract's forceDelay, in L1 blocks (a block a second)

DD="$TMP/node"
mkdir -p "$DD/keys" && chmod 700 "$DD" "$DD/keys"
t0=$SECONDS
test_keys "$DD/keys" 4
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" --block-time 1 || die "cannot start anvil"

# anvil's public test accounts: 0 the sequencer, 1 alice's L1 account, 2 where she withdraws
printf '%s\n' 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$TMP/seq.key"
printf '%s\n' 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d >"$TMP/k1"
printf '%s\n' 0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a >"$TMP/k2"
A2=0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc
chmod 600 "$TMP/seq.key" "$TMP/k1" "$TMP/k2"
ROLLUP=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$TMP/seq.key" --keys "$DD/keys" \
    --force-delay "$T" 2>"$TMP/deploy.err") || die "deploy: $(cat "$TMP/deploy.err")"
CENSOR="$TMP/censor"
TACIT_TEST_CENSOR_FILE="$CENSOR" tacitd_start "$TMP/node.out" "$TMP/node.log" --devnet \
    --datadir "$DD" --rpc-bind 127.0.0.1:0 --l1-rpc "$ANVIL_URL" --l1-rollup "$ROLLUP" \
    --l1-key "$TMP/seq.key" --l1-confirmations 1 --l1-final-depth 2 --block-interval-ms 2000 ||
    die "tacitd in L1 mode did not start: $(tail -5 "$TMP/node.log")"
echo "# up: $((SECONDS - t0)) s" >&2

export TACIT_PASSPHRASE="forced" TACIT_WALLET_KDF=fast
unset TACIT_L1_RPC TACIT_L1_ROLLUP
cli() { "$CLI" --devnet --datadir "$DD" --rpc "http://127.0.0.1:$port" "$@"; }
w() { cli --wallet alice wallet "$@"; }
L1=(--l1-rpc "$ANVIL_URL" --l1-rollup "$ROLLUP")
has() { grep -Eq -- "$1" "$TMP/out" && ok || bad "$2: want /$1/ in: $(cat "$TMP/out")"; }
l1bal() { anvil_rpc eth_getBalance "[\"$1\",\"latest\"]" | sed -n 's/.*"result":"\([^"]*\)".*/\1/p'; }
l1head() { printf '%d' "$(anvil_rpc eth_blockNumber | sed -n 's/.*"result":"\([^"]*\)".*/\1/p')"; }
settled() {
    local s
    s=$(cli --json rpc tacit_chainInfo 2>/dev/null | sed -n 's/.*"settled":"\(0x[0-9a-f]*\)".*/\1/p')
    [[ -n $s ]] && printf '%d' "$s" || echo -1
}
# waits (up to $2 s) until block $1 has settled on L1
wait_settled() {
    [[ -n $1 ]] || return 1
    for _ in $(seq 1 $((${2:-60} * 2))); do (($(settled) >= $1)) && return 0; sleep 0.5; done
    return 1
}
# waits (up to 90 s) until `wallet status $1` prints /$2/
wait_status() {
    for _ in $(seq 1 60); do
        w status "$1" >"$TMP/out" 2>&1
        grep -Eq -- "$2" "$TMP/out" && return 0
        sleep 1
    done
    return 1
}
E18=000000000000000000
# a step the rest depends on failed: say so with the node's log, and stop
fatal() {
    bad "$*"
    tail -15 "$TMP/node.log" >&2
    echo "cli_wallet_force.sh: $pass passed, $fail failed (stopped)"
    exit 1
}

# ---- 1. alice deposits 3 TAC on L1 and shields it; the block settles
w create >/dev/null 2>&1 || die "wallet create"
w deposit 3 --from-key-file "$TMP/k1" "${L1[@]}" --timeout 120 >"$TMP/out" 2>&1
dh=$(sed -n 's/^0x[0-9a-f]\{64\}: included at height \([0-9]*\).*/\1/p' "$TMP/out" | head -1)
[[ -n $dh ]] || fatal "the deposit is shielded: $(cat "$TMP/out")"
w backup "$TMP/stale.wallet" >/dev/null 2>&1 || bad "backup"
wait_settled "$dh" || fatal "the deposit's block $dh settles (settled: $(settled))"
echo "# deposited, settled: $((SECONDS - t0)) s" >&2

# ---- 2. a forced withdrawal
"$CLI" --devnet --datadir "$DD" --rpc "http://127.0.0.1:$port" --wallet alice wallet deposit 1 \
    --from-key-file "$TMP/k1" --force "${L1[@]}" >"$TMP/out" 2>&1
[[ $? -eq 2 ]] && grep -q "ForcedDeposit" "$TMP/out" && ok || bad "deposit --force refused: $(cat "$TMP/out")"
w withdraw 1 --to "$A2" --force --from-key-file "$TMP/k1" "${L1[@]}" >"$TMP/out" 2>&1
has "^0x[0-9a-f]{64}: forced \(queued\): queue entry 1 in L1 block [0-9]+ \(L1 tx 0x[0-9a-f]{64}, gas [0-9]+ at [0-9]+ wei; anchored at settled block [0-9]+; fee 0 TAC\); a block must take it by L1 block [0-9]+ \(T = $T\)" \
    "the forced withdrawal is queued (entry 1, after the deposit's 0)"
fid=$(grep -Eo '^0x[0-9a-f]{64}' "$TMP/out" | head -1)
echo "# forceTransaction: gas $(sed -n 's/.*, gas \([0-9]*\) at.*/\1/p' "$TMP/out" | head -1)" >&2
qblock=$(sed -n 's/.*queue entry 1 in L1 block \([0-9]*\).*/\1/p' "$TMP/out" | head -1)
[[ -n $fid && -n $qblock ]] || fatal "no forced transaction queued"
w history --no-sync >"$TMP/out" 2>&1
has "^-  +forced \(queued\) withdrew +-1 TAC  fee 0 TAC  forced: queue entry 1, L1 block ${qblock:-x}  ${fid:-x}" \
    "history: forced (queued) before a block takes it"
wait_status "$fid" "^included at height [0-9]+" || fatal "the sequencer includes it: $(cat "$TMP/out")"
fh=$(sed -n 's/^included at height \([0-9]*\).*/\1/p' "$TMP/out" | head -1)
wait_settled "$fh" || fatal "its block $fh settles"
l1b=$(cli --json rpc tacit_getBlockByNumber "$(printf '0x%x' "${fh:-0}")" |
    sed -n 's/.*"l1Block":"\(0x[0-9a-f]*\)".*/\1/p')
[[ -n $l1b && -n $qblock ]] && (($(printf '%d' "$l1b") <= qblock + T)) && ok ||
    bad "its block was submitted within T = $T L1 blocks of the queueing ($qblock): L1 block ${l1b:-?}"
echo "# forced: queued in L1 block $qblock, included at height $fh, submitted in L1 block $(printf '%d' "${l1b:-0}"): $((SECONDS - t0)) s" >&2
w status "$fid" >"$TMP/out" 2>&1
has "^included at height $fh; its block on L1: (settled|finalized) \(the withdrawal is claimable" "status: included, claimable"
before=$(l1bal "$A2")
w claim --from-key-file "$TMP/k2" "${L1[@]}" >"$TMP/out" 2>&1
has "^claimed 1$E18 wei to $A2: 0x[0-9a-f]{64} in L1 block [0-9]+ \(gas [0-9]+ at [0-9]+ wei\)" \
    "claim pays exactly 1 ETH"
read -r cgas cprice <<<"$(sed -n 's/.* (gas \([0-9]*\) at \([0-9]*\) wei)$/\1 \2/p' "$TMP/out")"
"$FIX" balance "$before" "$(l1bal "$A2")" 0 "1$E18" "${cgas:-x}" "${cprice:-x}" && ok ||
    bad "A2's L1 balance rises by exactly 1 ETH - gas"
w history >"$TMP/out" 2>&1
has "^height $fh +included +withdrew +-1 TAC  fee 0 TAC  forced: queue entry 1, L1 block $qblock  $fid" \
    "history: the forced withdrawal included"

# ---- 3. a censoring sequencer: alice exits anyway
: >"$CENSOR"
w withdraw 0.5 --to "$A2" --timeout 6 >"$TMP/out" 2>&1
has "^0x[0-9a-f]{64}: pending \(not included after 6 s" "the censored withdrawal is never included"
cid=$(grep -Eo '^0x[0-9a-f]{64}' "$TMP/out" | head -1)
[[ -n $cid ]] || fatal "no censored withdrawal"
w status "$cid" >"$TMP/out" 2>&1
has "^unknown to the node" "the censoring node dropped it"
wait_settled "$fh" && ok || bad "the change's block settles"
w exit --from-key-file "$TMP/k1" --to "$A2" "${L1[@]}" >"$TMP/out" 2>&1
has "^0x[0-9a-f]{64}: forced \(queued\): queue entry 2 in L1 block [0-9]+" "exit: one forced withdrawal"
has "^1 forced withdrawals queued: 2 TAC to $A2" "exit: all 2 TAC"
xid=$(grep -Eo '^0x[0-9a-f]{64}' "$TMP/out" | head -1)
[[ -n $xid ]] || fatal "no exit queued"
wait_status "$xid" "^included at height [0-9]+" || fatal "the censoring sequencer includes the exit: $(cat "$TMP/out")"
xh=$(sed -n 's/^included at height \([0-9]*\).*/\1/p' "$TMP/out" | head -1)
w status "$cid" >"$TMP/out" 2>&1
has "^rejected: " "the censored withdrawal: rejected (its note went by the exit)"
w --json history >"$TMP/out" 2>&1
grep -q "\"status\":\"rejected\",\"height\":null,\"amount\":\"500000000\",\"txid\":\"$cid\",\"fee\":\"0\",\"change\":\"1500000000\",\"error\":\"ENULLIFIER_SPENT\"" "$TMP/out" &&
    ok || bad "history --json: the censored one rejected, ENULLIFIER_SPENT: $(cat "$TMP/out")"
grep -q "\"kind\":\"withdraw\",\"status\":\"included\",\"height\":$xh,\"amount\":\"2000000000\",\"txid\":\"$xid\",\"fee\":\"0\",\"change\":\"0\",\"forced\":true,\"queueIndex\":2" "$TMP/out" &&
    ok || bad "history --json: the exit included, forced, entry 2: $(cat "$TMP/out")"
w balance >"$TMP/out" 2>&1
has "^confirmed  0 TAC" "alice holds nothing after the exit"
wait_settled "$xh" || fatal "the exit's block settles"
before=$(l1bal "$A2")
w claim --from-key-file "$TMP/k2" "${L1[@]}" >"$TMP/out" 2>&1
has "^claimed 2$E18 wei to $A2" "claim pays exactly the exit's 2 ETH"
rm -f "$CENSOR"
echo "# exited: $((SECONDS - t0)) s" >&2

# ---- 4. refused on L1, by name: a stale copy spends the note step 2 spent
"$CLI" --devnet --datadir "$DD" --rpc "http://127.0.0.1:$port" --wallet "$TMP/stale.wallet" wallet withdraw 1 \
    --to "$A2" --force --no-sync --from-key-file "$TMP/k1" "${L1[@]}" >"$TMP/out" 2>&1
st=$?
[[ $st -eq 1 ]] && ok || bad "the stale copy's forced send fails (exit 1): $st"
has "forceTransaction: the contract refuses: NullifierSpent\(uint256,bytes32\)" \
    "the contract's reason, by name"

tacitd_stop && ok || bad "tacitd: SIGTERM -> exit 0"
anvil_stop
echo "# done: $((SECONDS - t0)) s" >&2
[[ $fail -eq 0 ]] || tail -20 "$TMP/node.log" >&2
echo "cli_wallet_force.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
