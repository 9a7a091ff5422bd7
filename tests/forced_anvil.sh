#!/usr/bin/env bash
# tests/forced_anvil.sh — a forced withdrawal end to end (issue 13, FORCED-SPEC; docs/protocol.md
# 8.1): anvil (tests/lib/anvil.sh, one block a second), the rollup contract deployed by
# `tacit-cli l1 deploy --force-delay 30` (T = 30 L1 blocks: the sanitizer build on a loaded
# machine needs about 15 to confirm, build, prove and settle a block), tacitd --devnet in L1 mode with the
# real transfer keys (depth 32) and a tree-update key with M = 4 (tests/lib/keys.sh: ctest's
# fixture l1_test_keys.sh makes them once per run). alice deposits 100 TAC from L1
# and shields it; once its block settled, `wallet withdraw 10 --to A1 --force` puts her v2
# withdrawal into the contract's queue with forceTransaction (from A0's L1 account). Checks: the
# queue entry is a ForcedTransaction (queueLength, forcedEntry's txHash = keccak256 of the
# block's transaction, checked by the contract when the block settles); the sequencer includes it
# (its L2 block: a credit to the zero address of amount 1, the transaction first) and the
# contract's queueHead() has passed the entry at L1 block Q + T (Q: the L1 block that queued
# it); the block settles on the contract; claimable(A1) is exactly 10 ETH and `wallet claim`
# pays it. Without node/npm or the registry (anvil) the test FAILS, saying so.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
BIN="${TACIT_BIN:-build/bin}"
[[ $BIN == /* ]] || BIN="$ROOT/$BIN"
CLI="$BIN/tacit-cli"
FIX="$BIN/rollup_fixture"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. tests/lib/common.sh
. tests/lib/tacitd.sh
. tests/lib/devnet_l1.sh
[[ -x $FIX ]] || die "no $FIX (build first)"
FORCE_DELAY=30

cd "$TMP" || exit 1
dd=.tacit-devnet-l1
t0=$SECONDS
devnet_l1_up "$dd" "" --force-delay "$FORCE_DELAY"
tacitd_start "$TMP/node.out" "$TMP/node.log" --devnet --datadir "$dd" --rpc-bind 127.0.0.1:0 \
    --l1-rpc "$ANVIL_URL" --l1-rollup "$rollup" --l1-key "$dd/l1-sequencer.key" \
    --l1-final-depth 2 --l1-confirmations 1 --block-interval-ms 1000 ||
    die "tacitd in L1 mode did not start: $(tail -5 "$TMP/node.log")"
accounts=$(grep -o '"address": *"0x[0-9a-fA-F]*"' "$dd/devnet-accounts.json" | grep -o '0x[0-9a-fA-F]*' | head -2)
A0=$(sed -n 1p <<<"$accounts")
A1=$(sed -n 2p <<<"$accounts")
[[ -n $A0 && -n $A1 ]] || die "no devnet accounts in $dd/devnet-accounts.json"
for a in $A0 $A1; do anvil_rpc anvil_setBalance "[\"$a\",\"0x3635c9adc5dea00000\"]" >/dev/null; done
echo "# the devnet on L1 up: $((SECONDS - t0)) s" >&2

export TACIT_PASSPHRASE="forced" TACIT_WALLET_KDF=fast
L1=(--l1-rpc "$ANVIL_URL" --l1-rollup "$rollup")
W=("$CLI" --rpc "http://127.0.0.1:$port" --devnet --datadir "$dd" --wallet alice)
rpc() { "$CLI" --rpc "http://127.0.0.1:$port" --json rpc "$@" 2>/dev/null; }
# eth_call of the contract: the result word (0x + 64 hex digits); $1 the calldata, $2 the block
l1call() {
    anvil_rpc eth_call "[{\"to\":\"$rollup\",\"data\":\"$1\"},\"${2:-latest}\"]" |
        sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p'
}
l1num() { printf '%d' "0x$(sed 's/^0x0*//; s/^$/0/' <<<"${1:-0x0}")"; }
l1head() { l1num "$(anvil_rpc eth_blockNumber | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')"; }
settled() { l1num "$(rpc tacit_chainInfo | sed -n 's/.*"settled":"\(0x[0-9a-f]*\)".*/\1/p')"; }

run 0 "${W[@]}" wallet create
run 0 "${W[@]}" wallet deposit 100 --from devnet:0 "${L1[@]}" &&
    grep -Eq '0x[0-9a-f]{64}: included at height [0-9]+' "$TMP/out" && ok ||
    bad "the deposit's shielding included: $(cat "$TMP/out")"
dheight=$(sed -n 's/.*included at height \([0-9]*\).*/\1/p' "$TMP/out" | head -1)
# a forced transaction anchors at a settled block's root: wait for the shielding's block
for _ in $(seq 1 240); do
    [[ -n $dheight ]] && (($(settled) > dheight)) && break
    sleep 0.5
done
(($(settled) > ${dheight:-999999})) && ok || bad "the shielding's block $dheight settles"
echo "# alice's note settled: $((SECONDS - t0)) s" >&2

# the forced withdrawal, from A0's L1 account
qlen_before=$(l1num "$(l1call "$("$FIX" calldata 'queueLength()')")")
run 0 "${W[@]}" wallet withdraw 10 --to "$A1" --force --from devnet:0 "${L1[@]}" &&
    grep -Eq '^0x[0-9a-f]{64}: forced \(queued\): queue entry [0-9]+ in L1 block [0-9]+' "$TMP/out" && ok ||
    bad "wallet withdraw --force: queued: $(cat "$TMP/out")"
wid=$(grep -Eo '^0x[0-9a-f]{64}' "$TMP/out" | head -1)
qidx=$(sed -n 's/.*queue entry \([0-9]*\) in L1 block \([0-9]*\).*/\1/p' "$TMP/out" | head -1)
qblock=$(sed -n 's/.*queue entry \([0-9]*\) in L1 block \([0-9]*\).*/\2/p' "$TMP/out" | head -1)
echo "# forced: entry ${qidx:-?} in L1 block ${qblock:-?}: $((SECONDS - t0)) s" >&2
[[ $qidx == "$qlen_before" ]] && ok || bad "the forced entry is the queue's next ($qidx, queueLength was $qlen_before)"
[[ $(l1num "$(l1call "$("$FIX" calldata 'queueLength()')")") == $((qlen_before + 1)) ]] && ok ||
    bad "queueLength grew by one"
# forcedEntry(index): its txHash is not zero (a forced entry, not a deposit)
fe=$(l1call "$("$FIX" calldata 'forcedEntry(uint64)' "${qidx:-0}")")
[[ ${#fe} -ge 66 && ${fe:2:64} != "$(printf '0%.0s' {1..64})" ]] && ok || bad "forcedEntry($qidx): $fe"

# the sequencer includes it: its L2 block, the block settles
bst=
for _ in $(seq 1 240); do
    bst=$(rpc tacit_getTransaction "${wid:-0x}" | sed -n 's/.*"blockStatus":"\([a-z]*\)".*/\1/p')
    [[ $bst == settled || $bst == finalized ]] && break
    sleep 0.5
done
[[ $bst == settled || $bst == finalized ]] && ok || bad "the forced withdrawal's block settles: '$bst'"
echo "# its block $bst: $((SECONDS - t0)) s" >&2
fheight=$(rpc tacit_getTransaction "${wid:-0x}" | sed -n 's/.*"height":"\(0x[0-9a-f]*\)".*/\1/p' | head -1)
blk=$(rpc tacit_getBlockByNumber "${fheight:-0x0}")
grep -q "\"txs\":\[\"$wid\"" <<<"$blk" && ok || bad "the forced tx is its block's first: $blk"
grep -Eq '"credits":\[([^]]*,)?\{"address":"0x0{40}","amount":"1"\}' <<<"$blk" && ok ||
    bad "its block has an included marker (a credit of 1 to the zero address): $blk"
# within T: the contract's queue head passed the entry by L1 block Q + T (its block settled: it
# has at the head; the first L1 block where it had is said)
took=
last=$((${qblock:-0} + FORCE_DELAY))
(($(l1head) < last)) && last=$(l1head)
for ((b = ${qblock:-0}; b <= last; b++)); do
    qh=$(l1num "$(l1call "$("$FIX" calldata 'queueHead()')" "$(printf '0x%x' "$b")")")
    ((qh > ${qidx:-999999})) && { took=$((b - qblock)); break; }
done
[[ -n $took ]] && ok || bad "queueHead() not past entry $qidx by L1 block Q + T = $((qblock + FORCE_DELAY))"
echo "# the forced entry consumed on L1 ${took:-?} L1 blocks after it was queued (T = $FORCE_DELAY)" >&2
# the withdrawal is claimable on L1, exactly 10 ETH, and claim() pays it
cl=$(l1call "$("$FIX" calldata 'claimable(address)' "$A1")")
[[ $cl == 0x0000000000000000000000000000000000000000000000008ac7230489e80000 ]] && ok ||
    bad "claimable(A1) is 10 ETH (10^19 wei): $cl"
run 0 "$CLI" --rpc "http://127.0.0.1:$port" --devnet --datadir "$dd" wallet claim "${L1[@]}" --from devnet:1 &&
    grep -Eq "claimed 10000000000000000000 wei to $A1" "$TMP/out" && ok || bad "the claim: $(cat "$TMP/out")"
# the wallet: the forced withdrawal included, alice holds 90 less the fee
run 0 "${W[@]}" wallet status "${wid:-0x}" && grep -q 'included' "$TMP/out" && ok ||
    bad "wallet status: included: $(cat "$TMP/out")"
grep -q 'forced transactions of the L1 queue: 1 included' "$TMP/node.log" && ok ||
    bad "tacitd logged the forced transaction included"

tacitd_stop && ok || bad "tacitd stops cleanly"
echo "# $((SECONDS - t0)) s in all" >&2
echo "forced_anvil.sh: $pass ok, $fail failed"
((fail == 0))
