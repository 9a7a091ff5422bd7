#!/usr/bin/env bash
# tests/reorg_anvil.sh — tacitd through L1 reorgs on a real anvil (docs/operations.md, "When the
# L1 reorgs"; ../shared/docs/SETTLEMENT.md 9), made with evm_snapshot / evm_revert: anvil
# (pinned, tests/lib/anvil.sh) on 127.0.0.1, the rollup contract deployed by `tacit-cli l1
# deploy` with small keys, tacitd --devnet in L1 mode (blocks only for credits and dev_mine; one
# confirmation; finality 40 L1 blocks deep, so the reorgs below are not final).
#  1. Settled blocks whose submissions the L1 drops: the L1 reverted to before them (automine
#     off): the node's settled head goes back, it sends the same transactions again, and once
#     mined the contract's height is the node's settled + 1 (tacit_l1_reorgs_total counts it).
#  2. A deposit credited by a block, then removed by the L1 (reverted to before it; another
#     deposit, to another address, takes its queue index): the node rolls the chain back to the
#     block before the one that credited it (an ERROR in its log, chainInfo's lastRollback,
#     tacit_chain_rollbacks_total), rebuilds it with the deposit now queued, and the contract
#     accepts the rebuilt block (its height the node's settled + 1; no submission reverted; the
#     removed deposit's address holds nothing on L2, the new one its deposit).
# Without node/npm or the registry the test FAILS, saying so. About a minute under the sanitizers.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
NODE_PID=
cleanup() {
    [[ -n $NODE_PID ]] && kill -KILL "$NODE_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL: $*" >&2
    fail=$((fail + 1))
}

for p in "$CLI" "$D"; do [[ -x $p ]] || { echo "reorg_anvil.sh: no $p (build first)" >&2; exit 1; }; done
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || { echo "reorg_anvil.sh: cannot start anvil" >&2; exit 1; }

SEQ_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
DEPOSITOR=0x70997970c51812dc3a010c7d01b50e0d17dc79c8
printf '%s\n' $SEQ_KEY >"$TMP/l1.key"
chmod 600 "$TMP/l1.key"
DD="$TMP/node"
mkdir -p "$DD/keys" && chmod 700 "$DD" "$DD/keys"
"$CLI" setup --out "$DD/keys" --depth 2 >/dev/null &&
    "$CLI" setup --out "$DD/keys" --circuit tree-update --max-leaves 2 >/dev/null ||
    { echo "reorg_anvil.sh: the keys" >&2; exit 1; }
ROLLUP=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$TMP/l1.key" --keys "$DD/keys" 2>"$TMP/deploy.err")
[[ $ROLLUP =~ ^0x[0-9a-f]{40}$ ]] || { echo "reorg_anvil.sh: deploy: $ROLLUP $(cat "$TMP/deploy.err")" >&2; exit 1; }

"$D" --devnet --datadir "$DD" --rpc-bind none --block-cadence demand --block-interval-ms 200 \
    --l1-rpc "$ANVIL_URL" --l1-rollup "$ROLLUP" --l1-key "$TMP/l1.key" --l1-poll-ms 200 \
    --l1-confirmations 1 --l1-final-depth 40 >>"$TMP/node.log" 2>&1 &
NODE_PID=$!

rpc() { "$CLI" --rpc "unix:$DD/tacitd.sock" --json rpc "$@" 2>/dev/null; }
info() { rpc tacit_chainInfo; }
sfield() { # a field of chainInfo.settlement as a number (-1: null or none)
    info | python3 -c 'import json,sys
try:
    v=json.load(sys.stdin)["settlement"][sys.argv[1]]
    print(-1 if v is None else (int(v,16) if isinstance(v,str) and v.startswith("0x") else v))
except Exception: print(-1)' "$1"
}
wait_until() { # wait_until SECONDS COMMAND...: until COMMAND succeeds
    local t=$1 i
    shift
    for ((i = 0; i < t * 5; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}
settled_is() { (($(sfield settled) == $1)); }
settled_at_least() { (($(sfield settled) >= $1)); }
contract_height() {
    anvil_rpc eth_call "[{\"to\":\"$ROLLUP\",\"data\":\"0x0ef26743\"},\"latest\"]" |
        python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"],16))'
}
metric() {
    curl -sS --max-time 5 --unix-socket "$DD/tacitd.sock" http://tacitd/metrics 2>/dev/null |
        awk -v m="$1" '$1 == m {print $2; f=1} END {if (!f) print -1}'
}
l2_balance() {
    rpc tacit_getAccount "0x$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["balance"])' 2>/dev/null
}
balance_is() { [[ $(l2_balance "$1") == "$2" ]]; }
deposit() { # deposit L2ADDR WEI_HEX
    anvil_rpc eth_sendTransaction "[{\"from\":\"$DEPOSITOR\",\"to\":\"$ROLLUP\",\"value\":\"$2\",\"data\":\"0xf340fa01000000000000000000000000$1\"}]" | grep -q '"result"'
}
snapshot() { anvil_rpc evm_snapshot | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])'; }
# the contract at the node's settled head, quiet: nothing in flight, height = settled + 1
in_step() { (($(contract_height) == $(sfield settled) + 1 && $(sfield submitted) == $(sfield settled))); }

wait_until 60 settled_at_least 0 && ok || bad "the genesis block settles: $(info) $(tail -5 "$TMP/node.log")"

# 1. two settled blocks' submissions dropped by the L1
S1=$(snapshot)
h0=$(sfield settled)
rpc dev_mine 0x2 >/dev/null && ok || bad "dev_mine"
wait_until 60 settled_is $((h0 + 2)) && ok || bad "blocks $((h0 + 1)), $((h0 + 2)) settle: $(info)"
(($(contract_height) == h0 + 3)) && ok || bad "the contract at $((h0 + 3)): $(contract_height)"
r0=$(metric tacit_l1_reorgs_total)
anvil_rpc evm_setAutomine '[false]' >/dev/null
anvil_rpc evm_revert "[\"$S1\"]" | grep -q '"result":true' && ok || bad "evm_revert"
(($(contract_height) == h0 + 1)) && ok || bad "the L1 reverted: the contract at $(contract_height)"
wait_until 30 settled_is "$h0" && ok || bad "the settled head goes back to $h0: $(info)"
(($(metric tacit_l1_reorgs_total) > r0)) && ok || bad "tacit_l1_reorgs_total $r0 -> $(metric tacit_l1_reorgs_total)"
anvil_rpc evm_setAutomine '[true]' >/dev/null
anvil_rpc evm_mine >/dev/null
wait_until 60 settled_is $((h0 + 2)) && ok || bad "settled again after the resend: $(info) $(tail -5 "$TMP/node.log")"
wait_until 20 in_step && ok || bad "the contract's height is the node's settled + 1: $(contract_height), $(info)"

# 2. a credited deposit removed by the L1
A=00000000000000000000000000000000000000a1
B=00000000000000000000000000000000000000b2
S2=$(snapshot)
hb=$(sfield settled)
deposit $A 0x0de0b6b3a7640000 && ok || bad "deposit to A" # 1 ETH
anvil_rpc evm_mine >/dev/null                                # its confirmation
wait_until 60 balance_is $A 1000000000 && ok || bad "A's deposit credited: '$(l2_balance $A)'"
wait_until 60 settled_is $((hb + 1)) && ok || bad "the block crediting it settles: $(info)"
anvil_rpc evm_revert "[\"$S2\"]" | grep -q '"result":true' && ok || bad "evm_revert (2)"
deposit $B 0x06f05b59d3b20000 && ok || bad "deposit to B" # 0.5 ETH, queue index of A's
anvil_rpc evm_mine >/dev/null
wait_until 60 balance_is $B 500000000 && ok || bad "B's deposit credited after the rollback: '$(l2_balance $B)' $(tail -5 "$TMP/node.log")"
balance_is $A 0 && ok || bad "A's removed deposit is gone from L2: '$(l2_balance $A)'"
grep -q 'ERROR chain: L1 REORG: an L1 reorg removed L1 queue entry' "$TMP/node.log" && ok ||
    bad "the rollback logged as an ERROR: $(grep -i reorg "$TMP/node.log" | tail -3)"
info | python3 -c 'import json,sys
s=json.load(sys.stdin)["settlement"]
lr=s["lastRollback"]
sys.exit(0 if int(lr["height"],16)==int(sys.argv[1]) and int(lr["blocks"],16)>=1 and int(s["queueReorgs"],16)==1 else 1)' $((hb + 1)) &&
    ok || bad "chainInfo's lastRollback: $(info)"
(($(metric tacit_chain_rollbacks_total) == 1)) && ok || bad "tacit_chain_rollbacks_total $(metric tacit_chain_rollbacks_total)"
wait_until 60 settled_is $((hb + 1)) && ok || bad "the rebuilt block settles: $(info)"
wait_until 20 in_step && ok || bad "the contract accepted the rebuilt block: height $(contract_height), $(info)"
[[ $(sfield halted) == False ]] && ok || bad "not halted: $(info)"
# every submission that landed succeeded: nothing was sent against a queue that did not match
anvil_rpc eth_getLogs "[{\"address\":\"$ROLLUP\",\"fromBlock\":\"0x0\",\"toBlock\":\"latest\"}]" >"$TMP/logs"
python3 - "$TMP/logs" "$(contract_height)" <<'PY' && ok || bad "BlockSubmitted heights 0 .. height - 1 once each"
import json, sys
logs = json.load(open(sys.argv[1]))["result"]
t0 = "0x6922ed07bd78b262a7b2869563f4f5c52fdfc08decc926fb4efebdf9822ca5bb"
hs = [int(l["topics"][1], 16) for l in logs if l["topics"][0] == t0]
sys.exit(0 if hs == list(range(int(sys.argv[2]))) else 1)
PY
n=$(anvil_rpc eth_blockNumber | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"],16))')
bad_tx=0
for ((b = 0; b <= n; b++)); do
    anvil_rpc eth_getBlockReceipts "[\"$(printf '0x%x' $b)\"]" | grep -q '"status":"0x0"' && bad_tx=$((bad_tx + 1))
done
((bad_tx == 0)) && ok || bad "$bad_tx L1 blocks hold a failed transaction"

kill -TERM $NODE_PID
wait $NODE_PID 2>/dev/null
NODE_PID=
echo "reorg_anvil.sh: $pass passed, $fail failed"
if ((fail > 0)); then
    echo "tacitd's log:" >&2
    tail -30 "$TMP/node.log" >&2
fi
((fail == 0))
