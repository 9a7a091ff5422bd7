#!/usr/bin/env bash
# tests/vanish_anvil.sh — the sequencer vanishes (issue 13, 4 and 5; docs/operations.md "When the
# sequencer stops"): on anvil, the rollup contract deployed with a small T (`l1 deploy
# --force-delay 5`), tacitd --devnet in L1 mode as the sequencer (the real depth-32 transfer keys:
# `tacit-cli setup`, about a minute under the sanitizers; TACIT_VANISH_KEYS=DIR reuses the
# transfer.zkey and verification_key.json of an earlier `tacit-cli setup --out DIR`, and its
# tree_update.zkey and tree_update_verification_key.json if there, M = 4), and a
# follower `tacitd --follow-l1 --sequence-when-open --l1-key` (its own L1 key, anvil's account 2).
#
#  1. alice deposits 100 TAC from L1 (`wallet deposit --from devnet:0`: the credit and the
#     shielding, one note); the follower rebuilds that block from L1;
#  2. the sequencer is killed for good (kill -9): L1 block D;
#  3. alice puts a forced withdrawal of 40 TAC to A1 in the contract's queue (`tacit-cli wallet
#     withdraw --to A1 --force`, synced from the follower);
#  4. L1 blocks are mined on demand (anvil_mine, one at a time; between two the test gives the
#     follower the time it needs: its step, its block, its tree-update proof — an L1 whose blocks
#     come slower than the follower proves), until A1's claimable() on the contract is above 0:
#     the follower took over once the contract was open, included the forced withdrawal in a block
#     of open submission (no key, no signature), proved and submitted it with its own L1 key, and
#     the block settled. Asserted: claimable within T + 2 L1 blocks of D (issue 13's target), the
#     block's header without a sequencer key, the follower's log and chainInfo;
#  5. the second path, with no forced entry: the contract closed again once the follower's block
#     settled; alice sends an ordinary withdrawal of 10 TAC to the follower's own mempool
#     (--no-wait); once no block settled for T the follower takes over again and includes it
#     (claimable within T + 2 L1 blocks of the last settled block);
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
[[ -x $FIX && -x $D ]] || die "no $FIX or $D (build first)"
SEQ_PID=
FOL_PID=
cleanup() {
    [[ -n $SEQ_PID ]] && kill -9 "$SEQ_PID" 2>/dev/null
    [[ -n $FOL_PID ]] && kill -9 "$FOL_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
T=5 # the contract's forceDelay, in L1 blocks
t0=$SECONDS

# --- keys, anvil, the contract ----------------------------------------------------------------
dd="$TMP/seq"
fd="$TMP/fol"
mkdir -p "$dd/keys" "$fd" && chmod 700 "$dd" "$dd/keys" "$fd"
if [[ -n ${TACIT_VANISH_KEYS:-} ]]; then
    cp "$TACIT_VANISH_KEYS"/{transfer.zkey,verification_key.json} "$dd/keys/" || die "keys"
    cp "$TACIT_VANISH_KEYS"/tree_update{.zkey,_verification_key.json} "$dd/keys/" 2>/dev/null
else
    "$CLI" setup --out "$dd/keys" >/dev/null || die "tacit-cli setup (the transfer keys)"
fi
[[ -r $dd/keys/tree_update.zkey ]] ||
    "$CLI" setup --out "$dd/keys" --circuit tree-update --max-leaves 4 >/dev/null ||
    die "tacit-cli setup --circuit tree-update"
echo "# the keys: $((SECONDS - t0)) s" >&2
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || die "cannot start anvil" # a block per transaction, and anvil_mine
# the sequencer: m/44'/60'/0'/0/10 of anvil's mnemonic (as contrib/devnet --l1); the follower's
# submitter: anvil's account 2 (public test keys)
printf '%s\n' 0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897 >"$dd/l1-sequencer.key"
printf '%s\n' 0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a >"$fd/l1-submitter.key"
chmod 600 "$dd/l1-sequencer.key" "$fd/l1-submitter.key"
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
# the follower's chainInfo, and one field of its settlement (sequenceWhenOpen.F with F=swo.F)
finfo() { "$CLI" --rpc "http://127.0.0.1:$FPORT" --json rpc tacit_chainInfo 2>/dev/null >"$TMP/finfo"; }
ffield() { # NAME: settlement.NAME, or swo.NAME: settlement.sequenceWhenOpen.NAME
    local q=".settlement.$1"
    [[ $1 == swo.* ]] && q=".settlement.sequenceWhenOpen.${1#swo.}"
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

# --- the follower (once the contract holds a block: its first start reads block 0 there; of a
# devnet's chain: --follow-devnet, so devnet wallets take it) ---------------------------------
"$D" --follow-l1 --follow-devnet --sequence-when-open --datadir "$fd" --rpc-bind 127.0.0.1:0 "${L1[@]}" \
    --l1-key "$fd/l1-submitter.key" --l1-tree-key "$dd/keys/tree_update.zkey" \
    --vk-file "$dd/keys/verification_key.json" --l1-confirmations 1 --l1-final-depth 2 \
    --l1-poll-ms 250 --block-interval-ms 500 --metrics-on-rpc >"$TMP/fol.out" 2>"$TMP/fol.log" &
FOL_PID=$!
FPORT=
for _ in $(seq 1 600); do
    FPORT=$(sed -n 's|.*JSON-RPC on http://127.0.0.1:\([0-9]*\).*|\1|p' "$TMP/fol.log" | head -1)
    [[ -n $FPORT ]] && break
    kill -0 "$FOL_PID" 2>/dev/null || break
    sleep 0.1
done
[[ -n $FPORT ]] || die "the follower did not start: $(tail -5 "$TMP/fol.log")"
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

# L1 blocks on demand: before each, the follower gets the time it needs for this block (its step
# saw the head; nothing of its own being built, proved or submitted; at least 1.5 s)
give_follower() { # WANT: A1's claimable() (wei) that ends the wait at once
    local h s0=$SECONDS quiet=0
    h=$(head_block)
    while ((SECONDS - s0 < 60)); do
        view_ge "$1" && return 0
        finfo
        local lh mode tip sub set
        lh=$(hexdec "$(ffield swo.l1Head)")
        mode=$(ffield swo.mode)
        tip=$(hexdec "$(sed -n 's/.*"height":"\(0x[0-9a-f]*\)".*/\1/p' "$TMP/finfo" | head -1)")
        set=$(hexdec "$(ffield swo.settled)")
        if ((lh >= h)) && { [[ $mode == following ]] || ((tip == set)); }; then
            quiet=$((quiet + 1))
        else
            quiet=0
        fi
        ((quiet >= 3 && SECONDS - s0 >= 2)) && return 0
        sleep 0.25
    done
}
C=
for i in $(seq 0 $((T + 8))); do
    give_follower "40$E18"
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
grep -q 'INFO  settle: submission is open: sequencing from L1 data' "$TMP/fol.log" && ok ||
    bad "the follower's log: 'submission is open: sequencing from L1 data'"
grep -Eq 'forced transactions of the L1 queue: 1 included' "$TMP/fol.log" && ok ||
    bad "the follower's block included the forced transaction"
grep -Eq 'block [0-9]+ 0x[0-9a-f]+: .*\(a block of open submission: no key\)' "$TMP/fol.log" && ok ||
    bad "the follower's block is one of open submission"
obh=$(grep -Eo 'block [0-9]+ 0x[0-9a-f]+: [0-9]+ txs.*no key' "$TMP/fol.log" | head -1 | awk '{print $2}')
for _ in $(seq 1 40); do # the follower holds it (its tip)
    finfo
    (($(hexdec "$(jq -r .height "$TMP/finfo" 2>/dev/null)") >= ${obh:-0})) && break
    sleep 0.25
done
"$CLI" --rpc "http://127.0.0.1:$FPORT" --json rpc tacit_getBlockByNumber "$(printf '0x%x' "${obh:-0}")" false >"$TMP/ob" 2>&1
grep -q '"sequencer":"0x0000000000000000000000000000000000000000000000000000000000000000"' "$TMP/ob" && ok ||
    bad "block ${obh:-?}'s header carries no sequencer key: $(head -c 600 "$TMP/ob")"
finfo
((${obh:--1} >= 0)) && [[ $(ffield swo.takeovers) -ge 1 && $(ffield swo.blocksMade) -ge 1 ]] && ok ||
    bad "chainInfo settlement.sequenceWhenOpen counts the takeover and the block: $(cat "$TMP/finfo")"
curl -s "http://127.0.0.1:$FPORT/metrics" >"$TMP/metrics" 2>&1
grep -Eq '^tacit_open_blocks_total [1-9]' "$TMP/metrics" && grep -Eq '^tacit_open_takeovers_total [1-9]' "$TMP/metrics" &&
    grep -Eq '^tacit_open_sequencing [01]$' "$TMP/metrics" && ok ||
    bad "/metrics: tacit_open_blocks_total, tacit_open_takeovers_total, tacit_open_sequencing: $(grep tacit_open "$TMP/metrics")"

# --- the second path: no forced entry, no block settled for T ---------------------------------
sleep 1
LAST=$(head_block) # the follower's block settled here or before; the contract closed again
finfo
[[ $(ffield swo.open) == false ]] && ok || bad "submission closed after the follower's block settled: $(cat "$TMP/finfo")"
run 0 "${TF[@]}" --wallet alice wallet withdraw 10 --to "$A1" --no-wait && ok ||
    bad "alice's ordinary withdrawal to the follower's mempool"
C2=
for i in $(seq 0 $((T + 8))); do
    give_follower "50$E18"
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

# --- alice's A1 is paid on L1 ------------------------------------------------------------------
run 0 "${TF[@]}" wallet claim "${L1[@]}" --from devnet:1 &&
    grep -Eq "claimed 50000000000000000000 wei to $A1" "$TMP/out" && ok ||
    bad "wallet claim pays A1 the 50 TAC of both withdrawals"

kill -TERM "$FOL_PID" && wait "$FOL_PID"
st=$?
FOL_PID=
[[ $st -eq 0 ]] && ok || bad "the follower: SIGTERM -> exit $st"
echo "# done: $((SECONDS - t0)) s" >&2
if [[ $fail -ne 0 ]]; then
    echo "--- follower log (tail)" >&2
    tail -40 "$TMP/fol.log" >&2
    echo "--- sequencer log (tail)" >&2
    tail -15 "$TMP/seq.log" >&2
fi
echo "vanish_anvil.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
