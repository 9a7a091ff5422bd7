#!/usr/bin/env bash
# tests/follow_l1.sh — followers on L1 (docs/operations.md, "Followers"): anvil
# (tests/lib/anvil.sh), the rollup contract deployed by `tacit-cli l1 deploy`, a sequencer
# (tacitd --devnet in L1 mode, the real transfer keys: `tacit-cli setup`, about 50 s under the
# sanitizers; tests/lib/keys.sh: ctest's fixture l1_test_keys.sh makes them once per run, with
# the tree-update keys, M = 2), an L1 follower
# (tacitd --follow-l1: the chain from the contract's calldata alone) and a follower of the
# sequencer's RPC checked on L1 (tacitd --follow URL --l1-rpc --l1-rollup). Checks: after an L1
# deposit, its shielding and a transfer (real proofs, re-verified by both followers) and
# settled blocks, all three have the same tip hash, roots, counts and balances, and a wallet
# synced from the L1 follower holds what it holds on the sequencer; the L1 follower killed -9
# and restarted catches up from its store; an L1 reorg (evm_snapshot, blocks submitted,
# evm_revert, other L1 blocks mined) is seen by both followers (their settled head goes back,
# the L1 follower rolls back the blocks derived from the dropped L1 blocks) and, once the
# sequencer has submitted them again, both end at the sequencer's tip; a sequencer that lies
# (restarted from a copy of its data directory made earlier, it signs other blocks at heights
# the contract settled) makes the checked follower stop following it (ERROR log, /health 503,
# tacit_follow_l1_disagreement 1), roll back and follow L1 alone, ending at the L1 follower's
# tip. Without node/npm or the registry (anvil) the test FAILS, saying so.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
BIN="${TACIT_BIN:-build/bin}"
[[ $BIN == /* ]] || BIN="$ROOT/$BIN"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. tests/lib/common.sh
# shellcheck source=tests/lib/keys.sh
. tests/lib/keys.sh
[[ -x $D ]] || die "no $D (build first)"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    [[ -n ${KEEP_TMP:-} ]] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
t0=$SECONDS
note() { echo "# $* ($((SECONDS - t0)) s)" >&2; }

# --- keys, anvil, the contract -------------------------------------------------------------
DD="$TMP/seq"
mkdir -p "$DD/keys" && chmod 700 "$DD" "$DD/keys"
test_keys "$DD/keys" 2
VK="$DD/keys/verification_key.json"
note "keys"
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || die "cannot start anvil"
trap 'anvil_stop; cleanup' EXIT
# the sequencer's L1 key: m/44'/60'/0'/0/10 of anvil's mnemonic (not a devnet account, which
# the wallet deposits from)
printf '%s\n' 0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897 >"$TMP/l1.key"
chmod 600 "$TMP/l1.key"
anvil_rpc anvil_setBalance '["0xbcd4042de499d14e55001ccbb24a551f3b954096","0x3635c9adc5dea00000"]' >/dev/null
ROLLUP=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$TMP/l1.key" --keys "$DD/keys" 2>"$TMP/deploy.err")
[[ $ROLLUP =~ ^0x[0-9a-f]{40}$ ]] || die "deploy: $ROLLUP $(cat "$TMP/deploy.err")"
L1=(--l1-rpc "$ANVIL_URL" --l1-rollup "$ROLLUP")

# start <name> <dir> <args...>: a tacitd; its pid in P_<name>, its port in PORT_<name>
start() {
    local name=$1 dir=$2 port= p i
    shift 2
    "$D" --datadir "$dir" --rpc-bind 127.0.0.1:0 --metrics-on-rpc "$@" >>"$TMP/$name.log" 2>&1 &
    p=$!
    pids+=("$p")
    for i in $(seq 1 600); do
        port=$(sed -n 's|.*JSON-RPC on http://127.0.0.1:\([0-9]*\).*|\1|p' "$TMP/$name.log" | tail -1)
        [[ -n $port ]] && ! grep -q "^$port\$" "$TMP/$name.ports" 2>/dev/null && break
        port=
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n $port ]] || { bad "$name did not start: $(tail -5 "$TMP/$name.log")"; return 1; }
    echo "$port" >>"$TMP/$name.ports"
    printf -v "P_$name" '%s' "$p"
    printf -v "PORT_$name" '%s' "$port"
}
stop() { # stop <name> [signal]
    local v="P_$1"
    kill "-${2:-TERM}" "${!v}" 2>/dev/null
    wait "${!v}" 2>/dev/null
}
seq_start() { # seq_start <dir>
    start S "$1" --devnet --block-interval-ms 400 "${L1[@]}" --l1-key "$TMP/l1.key" \
        --l1-poll-ms 200 --l1-confirmations 1 --l1-final-depth 30
}
f1_start() { start F1 "$TMP/f1" --follow-l1 --follow-devnet "${L1[@]}" --l1-confirmations 1 --vk-file "$VK"; }
f2_start() {
    start F2 "$TMP/f2" --follow "http://127.0.0.1:$PORT_S" --follow-devnet "${L1[@]}" \
        --l1-confirmations 1 --vk-file "$VK"
}
call() { "$CLI" --rpc "http://127.0.0.1:$1" --json rpc "${@:2}" 2>/dev/null; }
# info <port> <python expression on the chainInfo answer i>
info() {
    call "$1" tacit_chainInfo | python3 -c 'import json,sys
try:
    i=json.load(sys.stdin); print(eval(sys.argv[1]))
except Exception as e: print("-")' "$2"
}
H='int(i["height"],16)'
SETTLED='int(i["settlement"]["settled"],16) if i["settlement"]["settled"] else -1'
state_of() { info "$1" '(i["height"],i["tipHash"],i["noteRoot"],i["commitmentCount"],i["nullifierCount"])'; }
metric() { curl -sS --max-time 5 "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m {print $2; f=1} END {if (!f) print -1}'; }
health() { curl -sS --max-time 5 -o "$TMP/health" -w '%{http_code}' "http://127.0.0.1:$1/health"; }
admin() { "$CLI" --devnet --datadir "$DD" --rpc "unix:$DD/tacitd.sock" rpc "$@" >/dev/null 2>&1; }
wait_until() { # wait_until <seconds> <command...>
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS >= end)) && return 1
        sleep 0.3
    done
}
# the sequencer paused with every block settled, and L1 blocks mined past the confirmations
quiesce() {
    admin admin_pause || { bad "admin_pause"; return 1; }
    wait_until 90 settled_all || { bad "the sequencer settles its blocks: $(call "$PORT_S" tacit_chainInfo)"; return 1; }
    anvil_rpc anvil_mine '["0x3"]' >/dev/null
}
settled_all() { [[ $(info "$PORT_S" "$SETTLED") == "$(info "$PORT_S" "$H")" ]]; }
# ge <port> <expression> <n>: the chainInfo expression is at least n (evaluated at each try)
ge() { local v; v=$(info "$1" "$2"); [[ $v =~ ^-?[0-9]+$ ]] && ((v >= $3)); }
eq() { [[ $(info "$1" "$2") == "$3" ]]; }
mge() { local v; v=$(metric "$1" "$2"); [[ $v =~ ^-?[0-9]+$ ]] && ((v >= $3)); }
same_tip() { [[ $(info "$1" 'i["tipHash"]') == "$(info "$2" 'i["tipHash"]')" ]]; }

# --- the sequencer, the followers, a deposit and a transfer --------------------------------
seq_start "$DD" || die "the sequencer"
wait_until 60 ge "$PORT_S" "$SETTLED" 1 ||
    die "the sequencer settles no block: $(tail -5 "$TMP/S.log")"
note "the sequencer settles"
f1_start || die "the L1 follower"
f2_start || die "the checked follower"
grep -q 'the chain on L1 (contract .*) is signed by 0x[0-9a-f]\{64\} (block 0.s header)' "$TMP/F1.log" && ok ||
    bad "the L1 follower took the key of block 0: $(grep follow "$TMP/F1.log" | head -3)"

export TACIT_PASSPHRASE="follow l1" TACIT_WALLET_KDF=fast
w() { "$CLI" --devnet --datadir "$DD" --rpc "http://127.0.0.1:$1" --wallet "$2" wallet "${@:3}"; }
run 0 w "$PORT_S" alice create
run 0 w "$PORT_S" bob create
run 0 w "$PORT_S" alice deposit 100 --from devnet:1 "${L1[@]}" &&
    grep -q 'included at height' "$TMP/out" && ok || bad "the deposit and its shielding: $(cat "$TMP/out")"
BOB=$(w "$PORT_S" bob address)
run 0 w "$PORT_S" alice send "$BOB" 25.5 --memo "seen from L1" && grep -q 'included' "$TMP/out" && ok ||
    bad "the transfer: $(cat "$TMP/out")"
note "deposit and transfer"
quiesce
for f in F1 F2; do
    v="PORT_$f"
    wait_until 90 same_tip "$PORT_S" "${!v}" && ok || bad "$f reaches the sequencer's tip: $(state_of "${!v}") vs $(state_of "$PORT_S")"
    [[ $(state_of "${!v}") == "$(state_of "$PORT_S")" ]] && ok || bad "$f's state: $(state_of "${!v}") vs $(state_of "$PORT_S")"
done
note "the followers at the tip"
[[ $(state_of "$PORT_S") == *", '0x"* && $(info "$PORT_S" 'int(i["nullifierCount"],16)') -ge 4 ]] && ok ||
    bad "the chain holds the deposit's and the transfer's nullifiers: $(state_of "$PORT_S")"
A1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"][1]["address"])' "$DD/devnet-accounts.json")
acct() { call "$1" tacit_getAccount "$A1" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["balance"], a["nonce"])'; }
[[ -n $(acct "$PORT_S") && $(acct "$PORT_F1") == "$(acct "$PORT_S")" && $(acct "$PORT_F2") == "$(acct "$PORT_S")" ]] && ok ||
    bad "the depositor's account: $(acct "$PORT_S") / $(acct "$PORT_F1") / $(acct "$PORT_F2")"
((($(metric "$PORT_F1" tacit_follow_l1_blocks_total)) > 0)) && ok || bad "F1 derived blocks from L1"
((($(metric "$PORT_F2" tacit_follow_l1_matched_total)) > 0)) && ok || bad "F2 matched blocks on L1"
[[ $(info "$PORT_F2" "$SETTLED") == "$(info "$PORT_S" "$H")" ]] && ok ||
    bad "F2's settled head is the sequencer's tip: $(call "$PORT_F2" tacit_chainInfo)"
[[ $(info "$PORT_F1" 'i["settlement"]["source"]') == l1 && $(info "$PORT_F2" 'i["settlement"]["source"]') == sequencer+l1 ]] && ok ||
    bad "chainInfo's settlement.source"
# a wallet synced from the L1 follower holds what it holds synced from the sequencer
cp "$DD/wallets/bob.wallet" "$TMP/bob-f1.wallet"
run 0 w "$PORT_F1" "$TMP/bob-f1.wallet" sync --rescan
[[ $(w "$PORT_F1" "$TMP/bob-f1.wallet" balance --json | sed -n 's/.*"confirmed":"\([0-9]*\)".*/\1/p') == 25500000000 ]] && ok ||
    bad "bob's balance synced from the L1 follower: $(w "$PORT_F1" "$TMP/bob-f1.wallet" balance 2>&1)"
"$CLI" --rpc "http://127.0.0.1:$PORT_F1" --json rpc tacit_sendRawTransaction 0x00 >"$TMP/out" 2>&1
grep -q 'follows the contract 0x' "$TMP/out" && ok || bad "the L1 follower refuses sends: $(cat "$TMP/out")"

# --- kill -9 of the L1 follower, blocks meanwhile, the restart catches up -------------------
stop F1 KILL
admin admin_resume
wait_until 30 ge "$PORT_S" "$SETTLED" $(($(info "$PORT_S" "$H") + 2)) || bad "blocks settle while F1 is down"
quiesce
f1_start || die "the L1 follower again"
wait_until 90 same_tip "$PORT_S" "$PORT_F1" && ok || bad "F1 after kill -9: $(state_of "$PORT_F1") vs $(state_of "$PORT_S")"
note "kill -9 and restart"

# --- an L1 reorg -----------------------------------------------------------------------------
SNAP=$(anvil_rpc evm_snapshot | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
h0=$(info "$PORT_S" "$H")
admin admin_resume
wait_until 60 ge "$PORT_S" "$SETTLED" $((h0 + 3)) || bad "blocks settle after the snapshot"
quiesce
hr=$(info "$PORT_S" "$H")
wait_until 60 same_tip "$PORT_S" "$PORT_F1" && wait_until 60 eq "$PORT_F2" "$SETTLED" "$hr" && ok ||
    bad "both followers have the blocks after the snapshot: $(info "$PORT_F1" "$H") $(info "$PORT_F2" "$SETTLED") vs $hr"
anvil_rpc evm_revert "[\"$SNAP\"]" | grep -q '"result":true' && ok || bad "evm_revert"
anvil_rpc anvil_mine '["0x8"]' >/dev/null
wait_until 60 mge "$PORT_F1" tacit_follow_l1_reorgs_total 1 && ok ||
    bad "F1 sees the reorg: $(grep 'L1' "$TMP/F1.log" | tail -3)"
wait_until 60 mge "$PORT_F2" tacit_follow_l1_reorgs_total 1 && ok || bad "F2 sees the reorg"
# the sequencer submits the dropped blocks again; both followers end at its tip
wait_until 120 settled_all || bad "the sequencer settles its blocks again: $(call "$PORT_S" tacit_chainInfo)"
anvil_rpc anvil_mine '["0x3"]' >/dev/null
wait_until 90 same_tip "$PORT_S" "$PORT_F1" && ok || bad "F1 after the reorg: $(state_of "$PORT_F1") vs $(state_of "$PORT_S")"
wait_until 60 eq "$PORT_F2" "$SETTLED" "$(info "$PORT_S" "$H")" && ok ||
    bad "F2's settled head after the reorg: $(info "$PORT_F2" "$SETTLED")"
note "the reorg"

# --- a sequencer that lies -------------------------------------------------------------------
stop F2
admin admin_resume
sleep 1
stop S
cp -a "$DD" "$TMP/seq-copy" && rm -f "$TMP/seq-copy/LOCK" "$TMP/seq-copy/.cookie" "$TMP/seq-copy/tacitd.sock"
seq_start "$DD" || die "the sequencer again"
hc=$(info "$PORT_S" "$H")
wait_until 60 ge "$PORT_S" "$SETTLED" $((hc + 3)) || bad "blocks settle after the copy"
anvil_rpc anvil_mine '["0x3"]' >/dev/null
wait_until 60 ge "$PORT_F1" "$H" $((hc + 3)) || bad "F1 derives the blocks after the copy"
stop S
seq_start "$TMP/seq-copy" || die "the sequencer from the copy"
wait_until 30 ge "$PORT_S" "$H" $((hc + 4)) || bad "the copy seals blocks"
f2_start || die "the checked follower again"
wait_until 60 grep -q 'THE SEQUENCER DISAGREES WITH L1' "$TMP/F2.log" && ok ||
    bad "F2 sees the sequencer disagree with L1: $(tail -5 "$TMP/F2.log")"
[[ $(metric "$PORT_F2" tacit_follow_l1_disagreement) == 1 ]] && ok || bad "tacit_follow_l1_disagreement 1"
[[ $(info "$PORT_F2" 'i["settlement"]["source"]') == l1 ]] && ok || bad "F2 follows L1 alone"
# once switched: L1's chain, as the L1 follower has it, and /health 200 again
anvil_rpc anvil_mine '["0x3"]' >/dev/null
wait_until 90 same_tip "$PORT_F1" "$PORT_F2" && ok ||
    bad "F2 ends at the L1 follower's tip: $(state_of "$PORT_F2") vs $(state_of "$PORT_F1")"
[[ $(health "$PORT_F2") == 200 ]] && grep -q '"disagreement":true' "$TMP/health" && ok ||
    bad "F2's /health after the switch: $(cat "$TMP/health")"
! grep -q 'FOLLOWING L1 STOPPED' "$TMP/F1.log" "$TMP/F2.log" && ok || bad "no follower stopped following L1"
note "the lying sequencer"

for n in F1 F2 S; do stop "$n"; done
if ((fail > 0)); then
    for n in S F1 F2; do
        echo "--- $n log (tail)" >&2
        tail -15 "$TMP/$n.log" >&2
    done
fi
echo "follow_l1.sh: $pass passed, $fail failed"
((fail == 0))
