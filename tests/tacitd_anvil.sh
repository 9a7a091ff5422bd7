#!/usr/bin/env bash
# tests/tacitd_anvil.sh — tacitd settles on a real L1 (docs/operations.md, "Settlement on L1"):
# anvil (pinned, tests/lib/anvil.sh) on 127.0.0.1, the rollup contract deployed by
# `tacit-cli l1 deploy` with small keys (a depth-2 transfer key: no transaction is proved here;
# the tree-update key at the tree's depth 32, M = 2; the L1's URL from $TACIT_L1_RPC), tacitd --devnet in L1 mode with empty
# blocks. Checks: blocks reach settled and finalized (tacit_chainInfo.settlement) and the
# contract's height() follows; an L1 deposit made on anvil is credited to its L2 address; a
# kill -9 of tacitd while three submissions are pending (anvil's automine off) and a restart:
# the blocks settle once, nothing lost or submitted twice (no halt, the contract's height equals the
# node's settled + 1 and every BlockSubmitted is a distinct height); anvil frozen (SIGSTOP) for
# a while: settlement stalls and resumes after SIGCONT; anvil stopped for real (by its PID; it
# writes its state, --state) right after an L1 deposit, down for a while (tacitd goes on
# sequencing and serving, its settlement says the L1 is unreachable), started again on the same
# port from its state: submissions resume and the deposit is credited once; anvil stopped while
# a submission is pending (automine off) and started from a state without it (the L1 lost the
# transaction the node sent): the node sends the same bytes again (tacit_l1_resends_total) and
# the block settles once; L1 blocks whose base fee is far above the pending submissions' max
# fee: tacitd bumps their fees and they land. Without node/npm or the registry the test FAILS,
# saying so. About three minutes under the sanitizers.
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
ANVIL_STATE="$TMP/anvil-state.json" # written when anvil stops, read when it starts again
anvil_start "$TMP/anvil.log" --state "$ANVIL_STATE" || { echo "tacitd_anvil.sh: cannot start anvil" >&2; exit 1; }

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
# the endpoint from $TACIT_L1_RPC (as a shell that sourced a devnet's l1.env), no --l1-rpc
ROLLUP=$(TACIT_L1_RPC=$ANVIL_URL "$CLI" l1 deploy --key-file "$TMP/l1.key" --keys "$DD/keys" 2>"$TMP/deploy.err")
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
chain_height() { info | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])' 2>/dev/null || echo -1; }
last_error() { info | python3 -c 'import json,sys; print(json.load(sys.stdin)["settlement"].get("lastError",""))' 2>/dev/null; }
metric() { # metric NAME: its value on the Unix socket's /metrics
    curl -sS --max-time 5 --unix-socket "$DD/tacitd.sock" http://tacitd/metrics 2>/dev/null |
        awk -v m="$1" '$1 == m {print $2; f=1} END {if (!f) print -1}'
}
l2_balance() {
    "$CLI" --rpc "unix:$DD/tacitd.sock" --json rpc tacit_getAccount "0x$1" 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["balance"])' 2>/dev/null
}
wait_balance() { # wait_balance L2ADDR BALANCE: up to 30 s
    local i
    for ((i = 0; i < 150; i++)); do
        [[ $(l2_balance "$1") == "$2" ]] && return 0
        sleep 0.2
    done
    return 1
}
restart_anvil() { # restart_anvil LOG: on the port it had, from the state it wrote
    anvil_start_at "$ANVIL_PORT" "$1" --state "$ANVIL_STATE" ||
        { bad "anvil does not start again on port $ANVIL_PORT: $(tail -3 "$1")"; return 1; }
}

pending_submission() { # automine off; waits for a submission pending (PEND_S: settled before)
    anvil_rpc evm_setAutomine '[false]' >/dev/null
    PEND_S=$(sfield settled)
    local i
    for ((i = 0; i < 100; i++)); do
        (($(sfield submitted) > PEND_S)) && break
        sleep 0.2
    done
    (($(sfield submitted) > $(sfield settled)))
}

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
wait_balance $L2ADDR 1500000000 && ok || bad "the deposit credited: balance '$(l2_balance $L2ADDR)'"
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

# anvil stopped for real (SIGTERM by its PID: it writes its state) right after an L1 deposit,
# down for a while, then started again on the same port from that state
L2ADDR2=00000000000000000000000000000000000000b2
q0=$(sfield queueNext)
anvil_rpc eth_sendTransaction "[{\"from\":\"$DEPOSITOR\",\"to\":\"$ROLLUP\",\"value\":\"0x3782dace9d900000\",\"data\":\"0xf340fa01000000000000000000000000$L2ADDR2\"}]" >"$TMP/dep2" &&
    grep -q '"result"' "$TMP/dep2" && ok || bad "deposit before the restart: $(cat "$TMP/dep2")"
anvil_stop
[[ -s $ANVIL_STATE ]] && ok || bad "anvil wrote no state to $ANVIL_STATE"
sleep 1 # a step that had its answers before the stop may still record them
s2=$(sfield settled)
c2=$(chain_height)
sleep 4
# down: tacitd goes on sequencing and serving; settlement stands still and says why
(($(chain_height) >= c2 + 5)) && ok || bad "tacitd sequences while the L1 is down: height $c2 -> $(chain_height)"
(($(sfield settled) == s2)) && ok || bad "nothing settles while the L1 is down: $(info)"
[[ $(last_error) == EL1_UNREACHABLE ]] && ok || bad "lastError while the L1 is down: '$(last_error)' ($(info))"
restart_anvil "$TMP/anvil2.log"
wait_for settled $((s2 + 3)) 90 && ok || bad "submissions resume after anvil restarted: $(info) $(tail -5 "$TMP/node.log")"
wait_balance $L2ADDR2 4000000000 && ok || bad "the deposit made before the restart credited: balance '$(l2_balance $L2ADDR2)'"
wait_for settled $(($(sfield settled) + 2)) 60 # a few more blocks: a credit twice would show now
[[ $(l2_balance $L2ADDR2) == 4000000000 && $(l2_balance $L2ADDR) == 1500000000 ]] && ok ||
    bad "each deposit credited once: $(l2_balance $L2ADDR2), $(l2_balance $L2ADDR)"
(($(sfield queueNext) == q0 + 1)) && ok || bad "queueNext $q0 -> $(sfield queueNext)"
[[ -z $(last_error) ]] && ok || bad "lastError after the L1 came back: $(last_error)"

# the L1 loses the transactions the node sent: automine off, submissions pending (up to the
# window, l1_max_inflight), anvil stopped (its state written without them) and started from that
# state
pending_submission && ok || bad "a submission pending before the loss: $(info)"
s3=$PEND_S
r0=$(metric tacit_l1_resends_total)
lost=$(anvil_rpc txpool_content | python3 -c 'import json,sys
p=json.load(sys.stdin)["result"]["pending"]
print(" ".join(t["hash"].lower() for a in p.values() for t in a.values()))')
anvil_stop
nlost=0
for t in $lost; do
    [[ $t =~ ^0x[0-9a-f]{64}$ ]] && ! grep -qi "$t" "$ANVIL_STATE" && nlost=$((nlost + 1))
done
((nlost >= 1 && nlost == $(wc -w <<<"$lost"))) && ok ||
    bad "pending transactions ('$lost'), none in the state anvil wrote"
restart_anvil "$TMP/anvil3.log" # automine is on again: a new process
wait_for settled $((s3 + 3)) 90 && ok || bad "settles after the L1 lost its transaction: $(info) $(tail -5 "$TMP/node.log")"
# the same signed transactions (their hashes) are the ones mined, and they succeeded
for t in $lost; do
    anvil_rpc eth_getTransactionReceipt "[\"$t\"]" | grep -q '"status":"0x1"' && ok ||
        bad "the lost transaction $t mined after its resend: $(anvil_rpc eth_getTransactionReceipt "[\"$t\"]" | head -c 300)"
done
(($(metric tacit_l1_resends_total) > r0 && r0 >= 0)) && ok ||
    bad "the lost transaction sent again: tacit_l1_resends_total $r0 -> $(metric tacit_l1_resends_total)"

# fee bumps: automine off, submissions pending, then L1 blocks whose base fee (100 gwei) is far
# above their max fee (about 2 x 1 gwei + the priority fee): they stay out (the base fee would
# take some 26 empty blocks to come back down); l1_bump_after (3) blocks after they were sent
# tacitd replaces them (same nonces and calls, the market's fees) and they land
anvil_rpc evm_setAutomine '[false]' >/dev/null
sfee=$(sfield settled)
wait_for submitted $((sfee + 1)) 30 && ok || bad "a submission pending before the fee spike: $(info)"
anvil_rpc anvil_setNextBlockBaseFeePerGas '["0x174876e800"]' >/dev/null
for ((i = 0; i < 14; i++)); do
    anvil_rpc evm_mine >/dev/null
    sleep 0.6
    (($(sfield settled) > sfee)) && break
done
(($(sfield settled) > sfee)) && ok || bad "priced-out submissions land after a fee bump: $(info)"
grep -q 'its L1 transaction replaced with higher fees' "$TMP/node.log" && ok ||
    bad "a fee bump in the log: $(grep settle "$TMP/node.log" | tail -5)"
anvil_rpc evm_setAutomine '[true]' >/dev/null
wait_for settled $((sfee + 3)) 60 && ok || bad "settlement goes on after the fee spike: $(info)"

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
