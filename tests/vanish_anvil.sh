#!/usr/bin/env bash
# tests/vanish_anvil.sh — the sequencer vanishes (issue 13, 4 and 5; docs/operations.md "When the
# sequencer stops"): on anvil, the rollup contract deployed with a small T (`l1 deploy
# --force-delay 5`), tacitd --devnet in L1 mode as the sequencer (the real depth-32 transfer keys:
# `tacit-cli setup`, about a minute under the sanitizers; tests/lib/keys.sh: ctest's fixture
# l1_test_keys.sh makes them once per run, with the tree-update keys, M = 4), and a
# two followers `tacitd --follow-l1 --sequence-when-open --l1-key` (each its own L1 key, anvil's
# accounts 2 and 3).
#
#  1. alice deposits 100 TAC from L1 (`wallet deposit --from devnet:0`: the credit and the
#     shielding, one note); the follower rebuilds that block from L1;
#  2. the sequencer is killed for good (kill -9): L1 block D;
#  3. alice puts a forced withdrawal of 40 TAC to A1 in the contract's queue (`tacit-cli wallet
#     withdraw --to A1 --force`, synced from the follower);
#  4. from here L1 blocks are mined on demand only (automine off; anvil_mine, one at a time;
#     between two the test gives the followers the time they need: their step, their block, its
#     tree-update proof — an L1 whose blocks come slower than a follower proves), until A1's
#     claimable() on the contract is above 0: both followers took over once the contract was open,
#     each made a block of open submission (no key, no signature) with the forced withdrawal
#     first, proved it and sent it with its own L1 key; both landed in one L1 block, the first
#     settled, the second was refused: its follower dropped its block (a rollback to the
#     contract's height) and took the winner's from L1. Asserted: claimable within T + 2 L1
#     blocks of D (issue 13's target), the block's header without a sequencer key, exactly one
#     block dropped, the loser's log, the same tip on both, chainInfo and /metrics;
#  5. the second path, with no forced entry: the contract closed again once the open block
#     settled; alice sends an ordinary withdrawal of 10 TAC to the first follower's own mempool
#     (--no-wait); once no block settled for T it takes over again and includes it (claimable
#     within T + 2 L1 blocks of the last settled block); the second follower, killed (kill -9)
#     and started again meanwhile, ends with the same tip;
#  6. `wallet claim --from devnet:1` pays A1 exactly the 50 TAC (50 ETH) of both withdrawals.
# Without node/npm or the registry (anvil) the test FAILS, saying so.
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
# shellcheck source=tests/lib/keys.sh
. tests/lib/keys.sh
[[ -x $FIX && -x $D ]] || die "no $FIX or $D (build first)"
SEQ_PID=
FOL_PID=
FOL2_PID=
cleanup() {
    [[ -n $SEQ_PID ]] && kill -9 "$SEQ_PID" 2>/dev/null
    [[ -n $FOL_PID ]] && kill -9 "$FOL_PID" 2>/dev/null
    [[ -n $FOL2_PID ]] && kill -9 "$FOL2_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
T=5 # the contract's forceDelay, in L1 blocks
t0=$SECONDS

# --- keys, anvil, the contract ----------------------------------------------------------------
dd="$TMP/seq"
fd="$TMP/fol"
fd2="$TMP/fol2"
mkdir -p "$dd/keys" "$fd" "$fd2" && chmod 700 "$dd" "$dd/keys" "$fd" "$fd2"
test_keys "$dd/keys" 4
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || die "cannot start anvil" # a block per transaction, and anvil_mine
# the sequencer: m/44'/60'/0'/0/10 of anvil's mnemonic (as contrib/devnet --l1); the follower's
# submitter: anvil's account 2 (public test keys)
printf '%s\n' 0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897 >"$dd/l1-sequencer.key"
printf '%s\n' 0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a >"$fd/l1-submitter.key"
printf '%s\n' 0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6 >"$fd2/l1-submitter.key"
chmod 600 "$dd/l1-sequencer.key" "$fd/l1-submitter.key" "$fd2/l1-submitter.key"
anvil_rpc anvil_setBalance '["0xbcd4042de499d14e55001ccbb24a551f3b954096","0x3635c9adc5dea00000"]' >/dev/null
rollup=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$dd/l1-sequencer.key" --keys "$dd/keys" \
    --force-delay "$T" 2>"$TMP/deploy.err") || die "l1 deploy --force-delay $T: $(cat "$TMP/deploy.err")"
L1=(--l1-rpc "$ANVIL_URL" --l1-rollup "$rollup")

# --- helpers ---------------------------------------------------------------------------------
head_block() { printf '%d' "$(anvil_rpc eth_blockNumber | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')"; }
# view CALLDATA [BLOCK]: the contract's answer (a 0x word)
view() {
    local at=latest
    [[ -n ${2:-} ]] && at=$(printf '"0x%x"' "$2") || at='"latest"'
    anvil_rpc eth_call "[{\"to\":\"$rollup\",\"data\":\"$1\"},$at]" | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p'
}
A1=0x70997970c51812dc3a010c7d01b50e0d17dc79c8 # devnet (anvil) account 1
claim_data=$("$FIX" calldata "claimable(address)" "$A1") || die "rollup_fixture calldata"
# a follower's chainInfo in $TMP/finfo (finfo [PORT]: the first follower's by default), and one
# field of it: ffield NAME: settlement.NAME; swo.NAME: settlement.sequenceWhenOpen.NAME; .NAME
finfo() { "$CLI" --rpc "http://127.0.0.1:${1:-$FPORT}" --json rpc tacit_chainInfo 2>/dev/null >"$TMP/finfo"; }
ffield() {
    local q=".settlement.$1"
    [[ $1 == swo.* ]] && q=".settlement.sequenceWhenOpen.${1#swo.}"
    [[ $1 == .* ]] && q=$1
    jq -r "$q | if . == null then empty else tostring end" "$TMP/finfo" 2>/dev/null
}
hexdec() { [[ -n ${1:-} ]] && printf '%d' "$1" || echo -1; }
E18=000000000000000000
# claimable() is in wei (40 TAC = 40 ETH: past 64 bits): compared with bc
ge_wei() { [[ $(echo "a = $2; ibase = 16; $(tr a-f A-F <<<"${1#0x}") >= a" | bc) == 1 ]]; }
view_ge() { local w; w=$(view "$claim_data"); [[ -n $w ]] && ge_wei "$w" "$1"; }

# --- the sequencer, alice's deposit ------------------------------------------------------------
"$D" --devnet --datadir "$dd" --rpc-bind 127.0.0.1:0 "${L1[@]}" --l1-key "$dd/l1-sequencer.key" \
    --l1-final-depth 2 --l1-confirmations 1 --block-interval-ms 1000 >"$TMP/seq.out" 2>"$TMP/seq.log" &
SEQ_PID=$!
SPORT=
for _ in $(seq 1 600); do
    SPORT=$(sed -n 's|.*JSON-RPC on http://127.0.0.1:\([0-9]*\).*|\1|p' "$TMP/seq.log" | head -1)
    [[ -n $SPORT ]] && break
    kill -0 "$SEQ_PID" 2>/dev/null || break
    sleep 0.1
done
[[ -n $SPORT ]] || die "the sequencer did not start: $(tail -5 "$TMP/seq.log")"
anvil_rpc anvil_setBalance '["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","0x3635c9adc5dea00000"]' >/dev/null
export TACIT_PASSPHRASE="the sequencer vanishes" TACIT_WALLET_KDF=fast
TS=("$CLI" --rpc "http://127.0.0.1:$SPORT" --devnet --datadir "$dd")
"${TS[@]}" --wallet alice wallet create >/dev/null 2>&1 || die "alice's wallet"
run 0 "${TS[@]}" --wallet alice wallet deposit 100 --from devnet:0 "${L1[@]}" &&
    grep -Eq 'included at height [0-9]+' "$TMP/out" && ok || bad "alice's deposit and shielding"
dheight=$(sed -n 's/.*included at height \([0-9]*\).*/\1/p' "$TMP/out" | tail -1)
echo "# alice's deposit shielded at height ${dheight:-?}: $((SECONDS - t0)) s" >&2

# --- two followers (once the contract holds a block: the first start reads block 0 there; of a
# devnet's chain: --follow-devnet, so devnet wallets take it), each with its own L1 key --------
start_follower() { # DIR LOG: sets P (pid) and PORT
    "$D" --follow-l1 --follow-devnet --sequence-when-open --datadir "$1" --rpc-bind 127.0.0.1:0 \
        "${L1[@]}" --l1-key "$1/l1-submitter.key" --l1-tree-key "$dd/keys/tree_update.zkey" \
        --vk-file "$dd/keys/verification_key.json" --l1-confirmations 1 --l1-final-depth 2 \
        --l1-poll-ms 250 --block-interval-ms 500 --metrics-on-rpc >/dev/null 2>"$2" &
    P=$!
    PORT=
    for _ in $(seq 1 600); do
        PORT=$(sed -n 's|.*JSON-RPC on http://127.0.0.1:\([0-9]*\).*|\1|p' "$2" | head -1)
        [[ -n $PORT ]] && break
        kill -0 "$P" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n $PORT ]] || die "a follower did not start: $(tail -5 "$2")"
}
start_follower "$fd" "$TMP/fol.log"
FOL_PID=$P FPORT=$PORT
start_follower "$fd2" "$TMP/fol2.log"
FOL2_PID=$P FPORT2=$PORT
# the follower has alice's note: the deposit's block is on L1 and rebuilt there
fs=-1
for _ in $(seq 1 240); do
    finfo && fs=$(hexdec "$(ffield settled)")
    [[ -n $dheight ]] && ((fs >= dheight)) && break
    sleep 0.25
done
[[ -n $dheight ]] && ((fs >= dheight)) && ok || bad "the follower rebuilt block ${dheight:-?} from L1 (settled: $fs)"
finfo
[[ $(ffield swo.mode) == following && $(ffield swo.open) == false ]] && ok ||
    bad "the follower follows, submission closed: $(cat "$TMP/finfo")"

# --- the sequencer vanishes -------------------------------------------------------------------
kill -9 "$SEQ_PID"
wait "$SEQ_PID" 2>/dev/null
SEQ_PID=
sleep 0.5 # a submission it sent just before lands (a block per transaction)
DEATH=$(head_block)
echo "# the sequencer killed at L1 block $DEATH: $((SECONDS - t0)) s" >&2
TF=("$CLI" --rpc "http://127.0.0.1:$FPORT" --devnet --datadir "$dd")

# alice's forced withdrawal: the wallet syncs from the follower, anchors at a settled root
run 0 "${TF[@]}" --wallet alice wallet withdraw 40 --to "$A1" --force --from devnet:0 "${L1[@]}" &&
    grep -Eq 'forced \(queued\): queue entry [0-9]+ in L1 block [0-9]+' "$TMP/out" && ok ||
    bad "alice's forced withdrawal queued"
qblock=$(sed -n 's/.*forced (queued): queue entry [0-9]* in L1 block \([0-9]*\).*/\1/p' "$TMP/out" | head -1)
echo "# forced withdrawal queued in L1 block ${qblock:-?} (death + $((${qblock:-0} - DEATH))): $((SECONDS - t0)) s" >&2

# From here L1 blocks come on demand only (automine off: anvil_mine one at a time). Before each,
# both followers get the time they need at this head: their step saw it, and each is following,
# or has no block of its own being built or proved (its blocks all sent: they wait for the L1).
anvil_rpc evm_setAutomine '[false]' >/dev/null
quiet_at() { # PORT HEAD: the follower is done with this head
    local lh mode tip sub
    finfo "$1"
    lh=$(hexdec "$(ffield swo.l1Head)")
    mode=$(ffield swo.mode)
    tip=$(hexdec "$(ffield .height)")
    sub=$(hexdec "$(ffield swo.submitted)")
    ((lh >= $2)) && { [[ $mode == following ]] || ((tip == sub)); }
}
give_followers() { # WANT: A1's claimable() (wei) that ends the wait at once
    local h s0=$SECONDS quiet=0
    h=$(head_block)
    while ((SECONDS - s0 < 60)); do
        view_ge "$1" && return 0
        if quiet_at "$FPORT" "$h" && quiet_at "$FPORT2" "$h"; then
            quiet=$((quiet + 1))
        else
            quiet=0
        fi
        ((quiet >= 3 && SECONDS - s0 >= 2)) && return 0
        sleep 0.25
    done
}
C=
for _ in $(seq 0 $((T + 8))); do
    give_followers "40$E18"
    if view_ge "40$E18"; then C=$(head_block); break; fi
    anvil_rpc anvil_mine '["0x1"]' >/dev/null
done
if [[ -n $C ]]; then
    ok
    echo "# the forced withdrawal claimable in L1 block $C: death + $((C - DEATH)) L1 blocks (T = $T): $((SECONDS - t0)) s" >&2
    ((C - DEATH <= T + 2)) && ok || bad "claimable within T + 2 = $((T + 2)) L1 blocks of the death: $((C - DEATH))"
    ! (w=$(view "$claim_data" $((C - 1))); [[ -n $w ]] && ge_wei "$w" "1") && ok ||
        bad "nothing claimable the block before ($((C - 1)))"
else
    bad "the forced withdrawal never became claimable ($((T + 8)) L1 blocks after the death)"
fi
# both took over; one's block landed, the other's submission was refused (or found the contract
# past it) and its block dropped; both then hold the same chain (the winner's block taken from L1
# once it is l1_confirmations = 1 deep: one more L1 block)
anvil_rpc anvil_mine '["0x1"]' >/dev/null
for f in fol fol2; do
    grep -q 'INFO  settle: submission is open: sequencing from L1 data' "$TMP/$f.log" && ok ||
        bad "$f's log: 'submission is open: sequencing from L1 data'"
    grep -Eq 'forced transactions of the L1 queue: 1 included' "$TMP/$f.log" &&
        grep -Eq 'block [0-9]+ 0x[0-9a-f]+: .*\(a block of open submission: no key\)' "$TMP/$f.log" && ok ||
        bad "$f made a block of open submission with the forced transaction first"
done
same=
for _ in $(seq 1 120); do
    finfo "$FPORT" && h1=$(ffield .height) t1=$(ffield .tipHash)
    finfo "$FPORT2" && h2=$(ffield .height) t2=$(ffield .tipHash)
    [[ -n $t1 && $h1 == "$h2" && $t1 == "$t2" && $(hexdec "$h1") -ge 0 ]] && same=1 && break
    sleep 0.25
done
[[ -n $same ]] && ok || bad "the two followers end with the same tip: $h1 $t1 / $h2 $t2"
finfo "$FPORT"; d1=$(ffield swo.blocksDropped) m1=$(ffield swo.blocksMade) k1=$(ffield swo.takeovers)
finfo "$FPORT2"; d2=$(ffield swo.blocksDropped) m2=$(ffield swo.blocksMade)
(( ${m1:-0} >= 1 && ${m2:-0} >= 1 && ${d1:-0} + ${d2:-0} == 1 )) && ok ||
    bad "each follower made a block, exactly one was dropped (made $m1/$m2, dropped $d1/$d2)"
loser=fol
[[ ${d2:-0} -ge 1 ]] && loser=fol2
grep -Eq "WARN  settle: open submission: .*: no more blocks of this node" "$TMP/$loser.log" &&
    grep -Eq "WARN  settle: open submission: 1 block\(s\) of this node the contract did not take dropped" "$TMP/$loser.log" &&
    grep -q "INFO  settle: open submission: following L1 again" "$TMP/$loser.log" && ok ||
    bad "the loser ($loser) says why it stopped, that it dropped its block, and follows again"
winner=fol
[[ $loser == fol ]] && winner=fol2
obh=$(grep -Eo 'block [0-9]+ 0x[0-9a-f]+: [0-9]+ txs.*no key' "$TMP/$winner.log" | head -1 | awk '{print $2}')
"$CLI" --rpc "http://127.0.0.1:$FPORT" --json rpc tacit_getBlockByNumber "$(printf '0x%x' "${obh:-0}")" false >"$TMP/ob" 2>&1
grep -q '"sequencer":"0x0000000000000000000000000000000000000000000000000000000000000000"' "$TMP/ob" && ok ||
    bad "block ${obh:-?} (on L1) carries no sequencer key: $(head -c 600 "$TMP/ob")"
(( ${k1:-0} >= 1 )) && ok || bad "chainInfo settlement.sequenceWhenOpen counts the takeover: $k1"
curl -s "http://127.0.0.1:$FPORT/metrics" >"$TMP/metrics" 2>&1
grep -Eq '^tacit_open_blocks_total [1-9]' "$TMP/metrics" && grep -Eq '^tacit_open_takeovers_total [1-9]' "$TMP/metrics" &&
    grep -Eq '^tacit_open_sequencing [01]$' "$TMP/metrics" && ok ||
    bad "/metrics: tacit_open_blocks_total, tacit_open_takeovers_total, tacit_open_sequencing: $(grep tacit_open "$TMP/metrics")"

# the second follower killed (kill -9) and started again from its data directory: it follows on
kill -9 "$FOL2_PID"
wait "$FOL2_PID" 2>/dev/null
start_follower "$fd2" "$TMP/fol2.log.2"
FOL2_PID=$P FPORT2=$PORT

# --- the second path: no forced entry, no block settled for T ---------------------------------
LAST=$C # the block that settled there closed the contract again
for _ in $(seq 1 40); do
    finfo && [[ $(ffield swo.open) == false ]] && break
    sleep 0.25
done
[[ $(ffield swo.open) == false ]] && ok || bad "submission closed after the open block settled: $(cat "$TMP/finfo")"
run 0 "${TF[@]}" --wallet alice wallet withdraw 10 --to "$A1" --no-wait && ok ||
    bad "alice's ordinary withdrawal to the follower's mempool"
C2=
for _ in $(seq 0 $((T + 8))); do
    give_followers "50$E18"
    if view_ge "50$E18"; then C2=$(head_block); break; fi
    anvil_rpc anvil_mine '["0x1"]' >/dev/null
done
if [[ -n $C2 ]]; then
    ok
    echo "# the ordinary withdrawal claimable in L1 block $C2: the last settled block + $((C2 - LAST)) (T = $T): $((SECONDS - t0)) s" >&2
    ((C2 - LAST <= T + 2)) && ok || bad "the second takeover within T + 2 L1 blocks of the last settled block: $((C2 - LAST))"
else
    bad "the ordinary withdrawal never became claimable ($((T + 8)) L1 blocks)"
fi
finfo
[[ $(ffield swo.takeovers) -ge 2 ]] && ok || bad "two takeovers: $(cat "$TMP/finfo")"

anvil_rpc anvil_mine '["0x1"]' >/dev/null # the block l1_confirmations deep
finfo "$FPORT" && t1=$(ffield .tipHash)
finfo "$FPORT2" && t2=$(ffield .tipHash)
for _ in $(seq 1 80); do
    [[ -n $t1 && $t1 == "$t2" ]] && break
    sleep 0.25
    finfo "$FPORT" && t1=$(ffield .tipHash)
    finfo "$FPORT2" && t2=$(ffield .tipHash)
done
[[ -n $t1 && $t1 == "$t2" ]] && ok || bad "the two followers end with the same tip: $t1 / $t2"

# --- alice's A1 is paid on L1 ------------------------------------------------------------------
anvil_rpc evm_setAutomine '[true]' >/dev/null
run 0 "${TF[@]}" wallet claim "${L1[@]}" --from devnet:1 &&
    grep -Eq "claimed 50000000000000000000 wei to $A1" "$TMP/out" && ok ||
    bad "wallet claim pays A1 the 50 TAC of both withdrawals"

for v in FOL_PID FOL2_PID; do
    kill -TERM "${!v}" && wait "${!v}"
    st=$?
    printf -v "$v" ''
    [[ $st -eq 0 ]] && ok || bad "a follower: SIGTERM -> exit $st"
done
echo "# done: $((SECONDS - t0)) s" >&2
if [[ $fail -ne 0 ]]; then
    echo "--- follower log (tail)" >&2
    tail -30 "$TMP/fol.log" >&2
    echo "--- second follower log (tail)" >&2
    tail -30 "$TMP/fol2.log" >&2
    echo "--- sequencer log (tail)" >&2
    tail -15 "$TMP/seq.log" >&2
fi
echo "vanish_anvil.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
