#!/usr/bin/env bash
# tests/first_hour_l1.sh — the README's "The first hour on L1", run exactly as written against a
# real L1: anvil (tests/lib/anvil.sh, one block a second as contrib/devnet --l1 runs it), the
# rollup contract deployed by `tacit-cli l1 deploy`, tacitd --devnet in L1 mode with the real
# transfer keys (depth 32: `tacit-cli setup`, about a minute under the sanitizers) and a
# tree-update key with M = 4. Checks the exact balances: on L1 (eth_getBalance) the depositor
# loses exactly the deposit + gas × price and the recipient gains exactly the withdrawal − the
# claim's gas × price; on L2 the shielded balances after the deposit, the transfer and the
# withdrawal; the withdrawal's block reaches "settled" (tacit_getTransaction's blockStatus,
# tacit_chainInfo's settlement.settled) before the claim, and `wallet status --l1-rpc` says the
# withdrawal is claimable, then claimed by the claim's L1 transaction.
#
# The commands are not copied here: the script reads the README's block (the one after the
# "tests/first_hour_l1.sh runs every command" comment) and runs each line in order in a
# directory of its own, where .tacit-devnet-l1 is this test's devnet, set up as contrib/devnet
# --l1 sets it up (keys, anvil, deploy, tacitd, the accounts funded with 1000 ETH, l1.env with
# A0 and A1). Only these differ from a reader's terminal, and the README says so: `tacit-cli` is
# a function adding --rpc for this test's node (a free port), TACIT_PASSPHRASE replaces the
# prompt (TACIT_WALLET_KDF=fast: cheap argon2id in the test build), tacitd seals a block every
# 2 s (not 1 s: one L2 block settles per L1 block, so the settled head catches up after the
# stalls of proving in the sanitizer build), and the test waits for the settlement before the
# claim. Without node/npm or the registry (anvil) the test FAILS, saying so.
# The keys: tests/lib/keys.sh (ctest's fixture l1_test_keys.sh makes them once per run).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
BIN="${TACIT_BIN:-build/bin}"
[[ $BIN == /* ]] || BIN="$ROOT/$BIN"
CLI="$BIN/tacit-cli"
FIX="$BIN/rollup_fixture"
D="$BIN/tacitd"
README="$ROOT/README.md"
TMP=$(mktemp -d)
. tests/lib/common.sh
. tests/lib/tacitd.sh
. tests/lib/devnet_l1.sh
[[ -x $FIX && -x $CLI ]] || die "no $FIX or $CLI (build first)"
[[ -r $README ]] || die "no $README"

# --- the README's block ------------------------------------------------------------------
awk '/tests\/first_hour_l1.sh runs every command/ { armed = 1; next }
     armed && /^```sh/ { inside = 1; next }
     inside && /^```/ { exit }
     inside && NF && $1 !~ /^#/ { print }' "$README" >"$TMP/steps"
nsteps=$(wc -l <"$TMP/steps")
[[ $nsteps -ge 15 ]] || die "the README's first-hour-on-L1 block not found (or too short: $nsteps lines)"

# --- the devnet on L1, as contrib/devnet --l1 makes it ------------------------------------
cd "$TMP" || exit 1
dd=.tacit-devnet-l1
t0=$SECONDS
devnet_l1_up "$dd" ""
printf 'TACIT_L1_RPC=%s\nTACIT_L1_ROLLUP=%s\n' "$ANVIL_URL" "$rollup" >"$dd/l1.env"
tacitd_start "$TMP/node.out" "$TMP/node.log" --devnet --datadir "$dd" --rpc-bind 127.0.0.1:0 \
    --l1-rpc "$ANVIL_URL" --l1-rollup "$rollup" --l1-key "$dd/l1-sequencer.key" \
    --l1-final-depth 2 --block-interval-ms 2000 ||
    die "tacitd in L1 mode did not start: $(tail -5 "$TMP/node.log")"
i=0
for a in $(grep -o '"address": *"0x[0-9a-fA-F]*"' "$dd/devnet-accounts.json" | grep -o '0x[0-9a-fA-F]*'); do
    anvil_rpc anvil_setBalance "[\"$a\",\"0x3635c9adc5dea00000\"]" >/dev/null
    ((i < 2)) && printf 'A%d=%s\n' "$i" "$a" >>"$dd/l1.env"
    i=$((i + 1))
done
[[ $i -ge 2 ]] || die "no devnet accounts in $dd/devnet-accounts.json"
echo "# the devnet on L1 up: $((SECONDS - t0)) s" >&2

# The test's only differences from the README (see the header).
tacit-cli() { "$CLI" --rpc "http://127.0.0.1:$port" "$@"; }
export TACIT_PASSPHRASE="first hour on L1" TACIT_WALLET_KDF=fast

# Runs README line n (1-based) in this shell (so L1=, T=, BOB= stay set); output in $TMP/out.
step() {
    local line
    line=$(sed -n "${1}p" "$TMP/steps")
    [[ -n $line ]] || { bad "README line $1 missing"; return 1; }
    local s0=$SECONDS
    eval "$line" >"$TMP/out" 2>"$TMP/err"
    local status=$?
    echo "# step $1: $((SECONDS - s0)) s" >&2
    echo "\$ $line" >>"$TMP/transcript"
    cat "$TMP/out" "$TMP/err" >>"$TMP/transcript"
    if [[ $status -ne 0 ]]; then
        bad "README step $1 ($line) -> exit $status: $(cat "$TMP/err" "$TMP/out")"
        return 1
    fi
    ok
}
expect_line() {
    grep -Eqx -- "$1" "$TMP/out" && ok || bad "$2: want /$1/ in: $(cat "$TMP/out")"
}
# the wei of an eth_getBalance answer (the last step's output)
wei_of() { sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p' "$TMP/out"; }
# "(gas G at P wei)" of the last step's output: "G P"
gas_of() { sed -n 's/.* (gas \([0-9]*\) at \([0-9]*\) wei)$/\1 \2/p' "$TMP/out" | head -1; }
E18=000000000000000000 # ETH = 10^18 wei: "100$E18" is 100 ETH

# 1-4: l1.env, L1=, T=, l1balance()
step 1 && [[ ${A0:-} == 0x* && ${A1:-} == 0x* && -n ${TACIT_L1_ROLLUP:-} ]] && ok ||
    bad "l1.env sets A0, A1, TACIT_L1_ROLLUP"
step 2 && [[ ${#L1[@]} -eq 4 ]] && ok || bad "L1=(...) has the four arguments"
step 3 && [[ -n ${T:-} ]] && ok || bad "T is set"
step 4 && declare -F l1balance >/dev/null && ok || bad "l1balance is defined"
# 5: A0 holds 1000 ETH on L1
step 5 && expect_line '\{"jsonrpc":"2.0","id":1,"result":"0x3635c9adc5dea00000"\}' "A0: 1000 ETH on L1"
a0_before=$(wei_of)
# 6, 7: two wallets
step 6 && expect_line 'tdev1[02-9ac-hj-np-z]{100,}' "alice's address"
step 7 && expect_line 'tdev1[02-9ac-hj-np-z]{100,}' "bob's address"
# 8: the L1 deposit, the credit, the shielding (a v2 transaction)
step 8 && expect_line "L1 deposit 0x[0-9a-f]{64}: 100 TAC from $A0 in L1 block [0-9]+, queue entry 0 \(gas [0-9]+ at [0-9]+ wei\)" \
    "the L1 deposit" && expect_line '0x[0-9a-f]{64}: included at height [0-9]+ \(fee 0 TAC\)' "the shielding included"
read -r dgas dprice <<<"$(gas_of)"
# 9: A0 on L1: exactly 1000 - 100 ETH - gas x price
step 9
a0_after=$(wei_of)
"$FIX" balance "$a0_before" "$a0_after" "100$E18" 0 "${dgas:-x}" "${dprice:-x}" && ok ||
    bad "A0's L1 balance drops by exactly 100 ETH + gas ($a0_before -> $a0_after, gas ${dgas:-?} at ${dprice:-?})"
[[ $a0_after == 0x* && $a0_after != "$a0_before" ]] && ok || bad "A0's L1 balance moved: $a0_after"
# A0's L2 transparent account: credited 100 from the queue, all of it shielded
[[ $("$CLI" --rpc "http://127.0.0.1:$port" --json rpc tacit_getAccount "$A0" |
    sed -n 's/.*"balance":"\([0-9]*\)".*/\1/p') == 0 ]] && ok || bad "A0's L2 account: 0 after the shielding"
# 10: alice 100
step 10 && expect_line 'confirmed  100 TAC' "alice after the deposit" && expect_line 'notes      1' "alice: one note"
# 11, 12: BOB=..., the transfer with a memo
step 11 && [[ ${BOB:-} == tdev1* ]] && ok || bad "BOB is bob's address: ${BOB:-unset}"
step 12 && expect_line '0x[0-9a-f]{64}: included at height [0-9]+ \(fee 0 TAC\)' "transfer included"
# 13, 14: alice 74.5, bob 25.5
step 13 && expect_line 'confirmed  74.5 TAC' "alice after the transfer"
step 14 && expect_line 'confirmed  25.5 TAC' "bob after the transfer"
# 15: bob withdraws 10 to A1
step 15 && expect_line '0x[0-9a-f]{64}: included at height [0-9]+ \(fee 0 TAC\)' "withdrawal included"
wid=$(grep -Eo '^0x[0-9a-f]{64}' "$TMP/out" | head -1)
wheight=$(sed -n 's/.*included at height \([0-9]*\).*/\1/p' "$TMP/out" | head -1)
# 16: bob 15.5
step 16 && expect_line 'confirmed  15.5 TAC' "bob after the withdrawal"
# 17: A1 still 1000 ETH on L1 (the withdrawal is claimable, not paid)
step 17 && expect_line '\{"jsonrpc":"2.0","id":1,"result":"0x3635c9adc5dea00000"\}' "A1: 1000 ETH before the claim"
a1_before=$(wei_of)

# the test's wait (the README's comment): the withdrawal's block settles on L1
bst=
for _ in $(seq 1 120); do
    bst=$("$CLI" --rpc "http://127.0.0.1:$port" --json rpc tacit_getTransaction "${wid:-0x}" 2>/dev/null |
        sed -n 's/.*"blockStatus":"\([a-z]*\)".*/\1/p')
    [[ $bst == settled || $bst == finalized ]] && break
    sleep 0.5
done
[[ $bst == settled || $bst == finalized ]] && ok || bad "the withdrawal's block settles on L1: '$bst'"
echo "# the withdrawal's block $bst: $((SECONDS - t0)) s" >&2
settled=$("$CLI" --rpc "http://127.0.0.1:$port" --json rpc tacit_chainInfo |
    sed -n 's/.*"settled":"\(0x[0-9a-f]*\)".*/\1/p')
[[ -n $settled && -n $wheight ]] && (($(printf '%d' "$settled") >= wheight)) && ok ||
    bad "tacit_chainInfo: settlement.settled '$settled' >= the withdrawal's height '$wheight'"
"$CLI" --rpc "http://127.0.0.1:$port" --devnet --datadir "$dd" --wallet bob wallet status "${wid:-0x}" >"$TMP/out" 2>&1
grep -q "its block on L1: \(settled\|finalized\) (the withdrawal is claimable" "$TMP/out" && ok ||
    bad "wallet status: the withdrawal is claimable: $(cat "$TMP/out")"
# with the L1: not claimed yet
wstatus() { "$CLI" --rpc "http://127.0.0.1:$port" --devnet --datadir "$dd" "$@" --wallet bob wallet status \
    "${wid:-0x}" "${L1[@]}" >"$TMP/out" 2>&1; }
wstatus && grep -q "(the withdrawal is claimable on L1, not claimed yet" "$TMP/out" && ok ||
    bad "wallet status --l1-rpc: claimable, not claimed yet: $(cat "$TMP/out")"
wstatus --json && grep -q '"withdrawalStep":"claimable"' "$TMP/out" && ok ||
    bad "wallet status --json --l1-rpc: withdrawalStep claimable: $(cat "$TMP/out")"

# 18: the claim from A1's key: exactly 10 ETH
step 18 && expect_line "claimed 10000000000000000000 wei to $A1: 0x[0-9a-f]{64} in L1 block [0-9]+ \(gas [0-9]+ at [0-9]+ wei\)" "the claim"
read -r cgas cprice <<<"$(gas_of)"
ctx=$(grep -Eo ': 0x[0-9a-f]{64} in L1 block' "$TMP/out" | grep -Eo '0x[0-9a-f]{64}')
# the withdrawal's step is now "claimed", by that L1 transaction, for exactly 10 ETH
wstatus && grep -Eq "its block on L1: (settled|finalized) \(the withdrawal was claimed by $A1 on L1: ${ctx:-none} in L1 block [0-9]+\)" "$TMP/out" && ok ||
    bad "wallet status --l1-rpc: claimed by A1 in ${ctx:-?}: $(cat "$TMP/out")"
wstatus --json && grep -q '"withdrawalStep":"claimed"' "$TMP/out" &&
    grep -q "\"claim\":{[^}]*\"l1TxHash\":\"${ctx:-none}\"" "$TMP/out" &&
    grep -q '"paid":"10000000000000000000"' "$TMP/out" && ok ||
    bad "wallet status --json --l1-rpc: withdrawalStep claimed, the claim's tx and 10 ETH: $(cat "$TMP/out")"
# 19: A1 on L1: exactly 1000 + 10 ETH - the claim's gas x price
step 19
a1_after=$(wei_of)
"$FIX" balance "$a1_before" "$a1_after" 0 "10$E18" "${cgas:-x}" "${cprice:-x}" && ok ||
    bad "A1's L1 balance rises by exactly 10 ETH - gas ($a1_before -> $a1_after, gas ${cgas:-?} at ${cprice:-?})"
[[ $nsteps -eq 19 ]] && ok || bad "the README's block has $nsteps commands, this test checks 19: update both"

tacitd_stop && ok || bad "tacitd: SIGTERM -> exit 0"
anvil_stop
echo "# done: $((SECONDS - t0)) s" >&2
if [[ $fail -ne 0 ]]; then
    echo "--- transcript" >&2
    cat "$TMP/transcript" >&2 2>/dev/null
    echo "--- tacitd log (tail)" >&2
    tail -20 "$TMP/node.log" >&2
fi
echo "first_hour_l1.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
