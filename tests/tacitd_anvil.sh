#!/usr/bin/env bash
# tests/tacitd_anvil.sh — tacitd settles on a real L1 (docs/operations.md, "Settlement on L1"):
# anvil (pinned, tests/lib/anvil.sh) on 127.0.0.1, the rollup contract deployed by
# `tacit-cli l1 deploy` with small keys (a depth-2 transfer key: no transaction is proved here;
# the tree-update key at the tree's depth 32, M = 2), tacitd --devnet in L1 mode with empty
# blocks. Checks: blocks reach settled and finalized (tacit_chainInfo.settlement) and the
# contract's height() follows; an L1 deposit made on anvil is credited to its L2 address; a
# kill -9 of tacitd while three submissions are pending (anvil's automine off) and a restart:
# the blocks settle once, nothing lost or submitted twice (no halt, the contract's height equals the
# node's settled + 1 and every BlockSubmitted is a distinct height); anvil frozen (SIGSTOP) for
# a while: settlement stalls and resumes after SIGCONT; L1 blocks whose base fee is far above the
# pending submissions' max fee: tacitd bumps their fees and they land. Without
# node/npm or the registry the test FAILS, saying so. About a minute under the sanitizers.
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

for p in "$CLI" "$D"; do [[ -x $p ]] || { echo "tacitd_anvil.sh: no $p (build first)" >&2; exit 1; }; done
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || { echo "tacitd_anvil.sh: cannot start anvil" >&2; exit 1; }

# anvil's account 0 (public test key) is the sequencer; account 1 deposits
SEQ_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
DEPOSITOR=0x70997970c51812dc3a010c7d01b50e0d17dc79c8
printf '%s\n' $SEQ_KEY >"$TMP/l1.key"
chmod 600 "$TMP/l1.key"
DD="$TMP/node"
mkdir -p "$DD/keys" && chmod 700 "$DD" "$DD/keys"
"$CLI" setup --out "$DD/keys" --depth 2 >/dev/null &&
    "$CLI" setup --out "$DD/keys" --circuit tree-update --max-leaves 2 >/dev/null ||
    { echo "tacitd_anvil.sh: the keys" >&2; exit 1; }
ROLLUP=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$TMP/l1.key" --keys "$DD/keys" 2>"$TMP/deploy.err")
[[ $ROLLUP =~ ^0x[0-9a-f]{40}$ ]] && ok || { bad "deploy: $ROLLUP $(cat "$TMP/deploy.err")"; exit 1; }
"$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$TMP/l1.key" --keys "$TMP/nokeys" >/dev/null 2>"$TMP/err" &&
    bad "deploy without keys" || { grep -q 'nokeys/verification_key.json' "$TMP/err" && ok || bad "deploy without keys: $(cat "$TMP/err")"; }

start_node() {
    "$D" --devnet --datadir "$DD" --rpc-bind none --empty-blocks --block-interval-ms 300 \
        --l1-rpc "$ANVIL_URL" --l1-rollup "$ROLLUP" --l1-key "$TMP/l1.key" --l1-poll-ms 200 \
        --l1-confirmations 1 --l1-final-depth 2 >>"$TMP/node.log" 2>&1 &
    NODE_PID=$!
}
info() { "$CLI" --rpc "unix:$DD/tacitd.sock" --json rpc tacit_chainInfo 2>/dev/null; }
# field of settlement as a number (-1: null or none)
sfield() {
    info | python3 -c 'import json,sys
try:
    v=json.load(sys.stdin)["settlement"][sys.argv[1]]
    print(-1 if v is None else (int(v,16) if isinstance(v,str) and v.startswith("0x") else v))
except Exception: print(-1)' "$1"
}
wait_for() { # wait_for FIELD MIN SECONDS
    local i
    for ((i = 0; i < $3 * 5; i++)); do
        (($(sfield "$1") >= $2)) && return 0
        sleep 0.2
    done
    return 1
}
contract_u64() { # contract_u64 SELECTOR
    anvil_rpc eth_call "[{\"to\":\"$ROLLUP\",\"data\":\"0x$1\"},\"latest\"]" |
        python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"],16))'
}
HEIGHT_SEL=0ef26743 # height()

start_node
wait_for settled 2 90 && ok || bad "blocks settle: $(info) $(tail -5 "$TMP/node.log")"
wait_for finalized 1 60 && ok || bad "blocks finalize: $(info)"
s=$(sfield settled)
h=$(contract_u64 $HEIGHT_SEL)
((h >= s + 1)) && ok || bad "the contract's height $h, settled $s"

# an L1 deposit to an L2 address: deposit(address) with 1.5 ETH from account 1 (unlocked)
L2ADDR=00000000000000000000000000000000000000b1
anvil_rpc eth_sendTransaction "[{\"from\":\"$DEPOSITOR\",\"to\":\"$ROLLUP\",\"value\":\"0x14d1120d7b160000\",\"data\":\"0xf340fa01000000000000000000000000$L2ADDR\"}]" >"$TMP/dep" &&
    grep -q '"result"' "$TMP/dep" && ok || bad "deposit: $(cat "$TMP/dep")"
bal=
for ((i = 0; i < 150; i++)); do
    bal=$("$CLI" --rpc "unix:$DD/tacitd.sock" --json rpc tacit_getAccount "0x$L2ADDR" 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["balance"])' 2>/dev/null)
    [[ $bal == 1500000000 ]] && break
    sleep 0.2
done
[[ $bal == 1500000000 ]] && ok || bad "the deposit credited: balance '$bal'"
wait_for queueNext 1 10 && ok || bad "queueNext: $(info)"

# kill -9 between submit and receipt: automine off, several submissions pending (the window of
# l1_max_inflight, 4 by default: each block sent behind the one before), kill, restart, mine
anvil_rpc evm_setAutomine '[false]' >/dev/null
s0=$(sfield settled)
for ((i = 0; i < 100; i++)); do
    (($(sfield submitted) > s0 + 2)) && break
    sleep 0.2
done
(($(sfield submitted) > $(sfield settled) + 2)) && ok || bad "three submissions pending: $(info)"
kill -KILL $NODE_PID
wait $NODE_PID 2>/dev/null
NODE_PID=
start_node
sleep 2
anvil_rpc evm_setAutomine '[true]' >/dev/null
anvil_rpc evm_mine >/dev/null
wait_for settled $((s0 + 3)) 60 && ok || bad "settles after the restart: $(info) $(tail -5 "$TMP/node.log")"
[[ $(sfield halted) == False ]] && ok || bad "not halted: $(info)"

# anvil frozen for a while (it answers nothing): settlement stalls, then resumes
kill -STOP "$ANVIL_PID"
sleep 1
s1=$(sfield settled)
sleep 4
(($(sfield settled) == s1)) && ok || bad "settlement stalls while the L1 does not answer: $(info)"
kill -CONT "$ANVIL_PID"
wait_for settled $((s1 + 3)) 90 && ok || bad "submissions resume after the L1 came back: $(info)"

# fee bumps: automine off, submissions pending, then L1 blocks whose base fee (100 gwei) is far
# above their max fee (about 2 x 1 gwei + the priority fee): they stay out (the base fee would
# take some 26 empty blocks to come back down); l1_bump_after (3) blocks after they were sent
# tacitd replaces them (same nonces and calls, the market's fees) and they land
anvil_rpc evm_setAutomine '[false]' >/dev/null
s2=$(sfield settled)
wait_for submitted $((s2 + 1)) 30 && ok || bad "a submission pending before the fee spike: $(info)"
anvil_rpc anvil_setNextBlockBaseFeePerGas '["0x174876e800"]' >/dev/null
for ((i = 0; i < 14; i++)); do
    anvil_rpc evm_mine >/dev/null
    sleep 0.6
    (($(sfield settled) > s2)) && break
done
(($(sfield settled) > s2)) && ok || bad "priced-out submissions land after a fee bump: $(info)"
grep -q 'its L1 transaction replaced with higher fees' "$TMP/node.log" && ok ||
    bad "a fee bump in the log: $(grep settle "$TMP/node.log" | tail -5)"
anvil_rpc evm_setAutomine '[true]' >/dev/null
wait_for settled $((s2 + 3)) 60 && ok || bad "settlement goes on after the fee spike: $(info)"

# nothing lost or twice: the contract's height follows the node and each BlockSubmitted is one height
s=$(sfield settled)
h=$(contract_u64 $HEIGHT_SEL)
((h >= s + 1)) && ok || bad "the contract's height $h, the node's settled $s"
anvil_rpc eth_getLogs "[{\"address\":\"$ROLLUP\",\"fromBlock\":\"0x0\",\"toBlock\":\"latest\"}]" >"$TMP/logs"
python3 - "$TMP/logs" <<'PY' && ok || bad "BlockSubmitted heights distinct and consecutive"
import json, sys
logs = json.load(open(sys.argv[1]))["result"]
# BlockSubmitted(uint64,bytes32,bytes32,bytes32,uint64,uint64,uint64): height is topic 1
t0 = "0x6922ed07bd78b262a7b2869563f4f5c52fdfc08decc926fb4efebdf9822ca5bb"
hs = [int(l["topics"][1], 16) for l in logs if l["topics"][0] == t0]
sys.exit(0 if hs == list(range(len(hs))) and len(hs) > 3 else 1)
PY
[[ $(sfield halted) == False ]] && ok || bad "not halted at the end: $(info)"

kill -TERM $NODE_PID
wait $NODE_PID 2>/dev/null
NODE_PID=
echo "tacitd_anvil.sh: $pass passed, $fail failed"
if ((fail > 0)); then
    echo "tacitd's log:" >&2
    tail -30 "$TMP/node.log" >&2
fi
((fail == 0))
