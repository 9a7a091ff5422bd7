#!/usr/bin/env bash
# tests/cli_wallet_l1.sh — the wallet's L1 transactions (issue 12, 7; docs/wallet.md "On L1")
# against a real anvil (tests/lib/anvil.sh) and the rollup contract deployed by
# $TACIT_BIN/rollup_fixture (placeholder verifying keys: deposits and claims verify no proof):
#   - `wallet deposit --l1-only` lands in the contract's queue with the exact wei (queueLength,
#     queueHash equal to tacit's), and the account's L1 balance drops by value + gas exactly;
#   - `wallet deposit --l1-rpc` (with the shielding) sends the L1 deposit, then says clearly when
#     the node does not credit it (a tacitd --devnet, not in L1 mode: no L1-mode tacitd yet), and
#     shields once it is credited (the devnet's dev_fund standing in for the L1-mode credit);
#   - `wallet claim` (the L1 from the variables alone) pays the exact wei claimable (set with anvil_setStorageAt, standing in for
#     a settled withdrawal: tests/rollup_anvil.c claims after real blocks) and the balance rises
#     by that minus gas; a claim with nothing to claim is refused with NothingToClaim;
#   - an imported key (`--from 0x<its address>`) signs deposits and claims;
#   - bad flags are usage errors (exit 2); an L1 node that is not there and a contract that is
#     not the rollup are refused (exit 1);
#   - $TACIT_L1_RPC and $TACIT_L1_ROLLUP stand in for absent flags (a deposit and a claim with the
#     variables alone), a flag wins over its variable (each way: the flag good and the variable
#     bad, and the reverse, whose message names the flag), a message names the variable that
#     supplied a bad value, one variable alone is a usage error, neither flags nor variables for
#     claim is a usage error naming both; deposit --no-l1 shields with the variables set and
#     sends no L1 deposit.
# Without node/npm or the registry the test FAILS, saying so.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
FIX="$BIN/rollup_fixture"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. tests/lib/common.sh
. tests/lib/tacitd.sh # its EXIT trap kills tacitd and removes TMP; anvil_start adds anvil's
[[ -x $FIX ]] || die "no $FIX (build first)"
# shellcheck source=tests/lib/anvil.sh
source tests/lib/anvil.sh
anvil_start "$TMP/anvil.log" || die "cannot start anvil"

export TACIT_PASSPHRASE="correct horse" TACIT_WALLET_KDF=fast
unset TACIT_L1_RPC TACIT_L1_ROLLUP # a shell that sourced a devnet's l1.env: the flags' tests need them unset
DN="$TMP/dn"
# a tacitd --devnet that is NOT in L1 mode: it never credits an L1 deposit
tacitd_start "$TMP/stdout" "$TMP/log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 --block-interval-ms 200 ||
    die "tacitd --devnet did not start: $(cat "$TMP/log")"
NODE="http://127.0.0.1:$port"
cli() { "$CLI" --devnet --datadir "$DN" --rpc "$NODE" "$@"; }
w() { cli --wallet a wallet "$@"; }
has() { grep -q -- "$1" "$TMP/out" && ok || bad "$2: want \"$1\" in: $(cat "$TMP/out")"; }
# result of a JSON-RPC call to anvil
rpc() { anvil_rpc "$@" | sed -n 's/.*"result":"\([^"]*\)".*/\1/p'; }
ecall() { rpc eth_call "[{\"to\":\"$ROLLUP\",\"data\":\"$1\"},\"latest\"]"; }
balance() { rpc eth_getBalance "[\"$1\",\"latest\"]"; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([0-9a-fA-Fx]*\)\"\{0,1\}.*/\1/p" "$TMP/out"; }

ROLLUP=$("$FIX" deploy "$ANVIL_URL") || die "cannot deploy the rollup contract"
# anvil's accounts 1 and 3 (public test keys)
K1=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
A1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
K3=0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6
A3=0x90F79bf6Eb2c4f870365E785982E1f101E93b906
printf '%s\n' "$K1" >"$TMP/k1" && printf '%s\n' "$K3" >"$TMP/k3" && chmod 600 "$TMP/k1" "$TMP/k3"
L1=(--l1-rpc "$ANVIL_URL" --l1-rollup "$ROLLUP")
run 0 w create || die "wallet create failed"

# --- usage: exit 2 ---------------------------------------------------------------------------
run 2 w deposit 1 --from-key-file "$TMP/k1" --l1-rpc "$ANVIL_URL" && has "go together" "--l1-rpc without --l1-rollup"
run 2 w deposit 1 --from-key-file "$TMP/k1" --l1-rollup "$ROLLUP" && has "go together" "--l1-rollup without --l1-rpc"
run 2 w deposit 1 --from-key-file "$TMP/k1" --l1-only && has "--l1-only needs --l1-rpc" "--l1-only alone"
run 2 w deposit 1 --from-key-file "$TMP/k1" --l1-rpc "$ANVIL_URL" --l1-rollup 0x1234 --l1-only &&
    has "want the contract's 0x address" "--l1-rollup malformed"
run 2 w deposit 1 --from-key-file "$TMP/k1" --l1-rpc ftp://x --l1-rollup "$ROLLUP" --l1-only &&
    has "want http://HOST:PORT" "--l1-rpc malformed"
run 2 w withdraw 1 --to "$A1" "${L1[@]}" &&
    has "are for a forced transaction: give --force too" "withdraw takes --l1-rpc only with --force"
run 2 w claim && has "--l1-rpc URL and --l1-rollup ADDRESS are required" "claim without L1" &&
    has 'or $TACIT_L1_RPC and $TACIT_L1_ROLLUP' "claim without L1 names the variables"
TACIT_L1_RPC=$ANVIL_URL run 2 w claim --from-key-file "$TMP/k3" && has "go together" "\$TACIT_L1_RPC alone" &&
    has "only the URL" "says which is missing"
TACIT_L1_ROLLUP=$ROLLUP run 2 w deposit 1 --from-key-file "$TMP/k1" --l1-only && has "go together" "\$TACIT_L1_ROLLUP alone"
TACIT_L1_RPC=$ANVIL_URL TACIT_L1_ROLLUP=$ROLLUP run 2 w deposit 1 --from-key-file "$TMP/k1" --no-l1 --l1-only &&
    has "--no-l1 (the shielding alone) takes no" "--no-l1 with --l1-only"
run 2 w claim "${L1[@]}" && has "--from ACCOUNT or --from-key-file PATH is required" "claim without --from"
run 2 w claim "${L1[@]}" --from-key-file "$TMP/k3" extra && has "too many arguments" "claim with an argument"
run 2 w claim "${L1[@]}" --from "$K3" && has "visible to other users" "claim --from <key> refused"
run 0 w claim --help && has "usage: tacit-cli" "claim --help"

# --- refusals: exit 1 ------------------------------------------------------------------------
run 1 w deposit 1 --from-key-file "$TMP/k1" --l1-rpc http://127.0.0.1:1 --l1-rollup "$ROLLUP" --l1-only &&
    has "is the L1 node at --l1-rpc running" "no L1 node"
run 1 w deposit 1 --from-key-file "$TMP/k1" --l1-rpc "$ANVIL_URL" --l1-rollup "$A3" --l1-only &&
    has "no Deposited event" "a contract that is not the rollup"
TACIT_L1_RPC=http://127.0.0.1:1 TACIT_L1_ROLLUP=$ROLLUP run 1 w deposit 1 --from-key-file "$TMP/k1" --l1-only &&
    has 'is the L1 node at $TACIT_L1_RPC running' "no L1 node at \$TACIT_L1_RPC, named"
TACIT_L1_RPC=$ANVIL_URL TACIT_L1_ROLLUP=0x1234 run 2 w deposit 1 --from-key-file "$TMP/k1" --l1-only &&
    has '$TACIT_L1_ROLLUP: want the contract' "a malformed \$TACIT_L1_ROLLUP, named"
# the flag wins: a good variable and a bad flag fails, naming the flag
TACIT_L1_RPC=$ANVIL_URL TACIT_L1_ROLLUP=$ROLLUP run 1 w deposit 1 --from-key-file "$TMP/k1" \
    --l1-rpc http://127.0.0.1:1 --l1-only && has "is the L1 node at --l1-rpc running" "the flag wins over \$TACIT_L1_RPC"
TACIT_L1_RPC=$ANVIL_URL TACIT_L1_ROLLUP=$ROLLUP run 1 w deposit 1 --from-key-file "$TMP/k1" \
    --l1-rollup "$A3" --l1-only && has "is --l1-rollup the rollup contract" "the flag wins over \$TACIT_L1_ROLLUP"

# --- deposit on L1: the queue gets the exact wei, the balance drops by value + gas -------------
before=$(balance "$A1")
run 0 w deposit 1.5 --from-key-file "$TMP/k1" "${L1[@]}" --l1-only --json
wei=$(field wei) gas=$(field gasUsed) price=$(field effectiveGasPrice) idx=$(field queueIndex)
[[ $wei == 1500000000000000000 ]] && ok || bad "deposit 1.5 sends 1.5 ETH: $(cat "$TMP/out")"
[[ $idx == 0 ]] && ok || bad "the first queue entry: $(cat "$TMP/out")"
after=$(balance "$A1")
"$FIX" balance "$before" "$after" "$wei" 0 "$gas" "$price" && ok || bad "L1 balance drops by value + gas"
[[ $(ecall "$("$FIX" calldata "queueLength()")") == 0x$(printf '%064x' 1) ]] && ok || bad "queueLength 1"
want=$("$FIX" queue-hash "0x$(printf '%064d' 0)" "$A1" 1500000000)
[[ $(ecall "$("$FIX" calldata "queueHash(uint256)" 1)") == "$want" ]] && ok ||
    bad "queueHash(1) is tacit's queue hash $want"
# the text form, from account 3 by standard input
run 0 w deposit 0.000000001 --from - "${L1[@]}" --l1-only <"$TMP/k3" && has "queue entry 1" "a second deposit, 1 gwei, by stdin"
# the variables alone (as a shell that sourced .tacit-devnet-l1/l1.env), then bad variables
# that the flags override: the queue's entries 2 and 3
TACIT_L1_RPC=$ANVIL_URL TACIT_L1_ROLLUP=$ROLLUP run 0 w deposit 0.5 --from-key-file "$TMP/k3" --l1-only --json &&
    [[ $(field wei) == 500000000000000000 && $(field queueIndex) == 2 ]] && ok ||
    bad "a deposit with \$TACIT_L1_RPC and \$TACIT_L1_ROLLUP alone: $(cat "$TMP/out")"
TACIT_L1_RPC=http://127.0.0.1:1 TACIT_L1_ROLLUP=$A3 run 0 w deposit 0.5 --from-key-file "$TMP/k3" "${L1[@]}" --l1-only &&
    has "queue entry 3" "the flags win over bad variables"

# --- deposit with the shielding: a node that does not credit it is said clearly ---------------
run 1 w deposit 2 --from-key-file "$TMP/k1" "${L1[@]}" --timeout 3 &&
    has "L1 deposit 0x" "the L1 deposit is sent first" && has "queue entry 4" "in the queue" &&
    has "has not credited $(tr 'A-F' 'a-f' <<<"$A1") after 3 s" "the node did not credit it" &&
    has "--no-l1\` (no second L1 deposit)" "says how to shield it later"

# --- deposit with the shielding, credited: the devnet's dev_fund stands in for an L1-mode
# sequencer crediting the queue entry (no L1-mode tacitd yet), once the L1 deposit is mined --------
qlen() { ecall "$("$FIX" calldata "queueLength()")"; }
q0=$(qlen)
w deposit 3 --from-key-file "$TMP/k1" "${L1[@]}" --timeout 60 >"$TMP/dep" 2>&1 &
dep=$!
for _ in $(seq 1 600); do [[ $(qlen) != "$q0" ]] && break; sleep 0.1; done
a1=$(tr 'A-F' 'a-f' <<<"$A1")
cli rpc dev_fund "$a1" 3000000000 >/dev/null || bad "dev_fund"
wait "$dep" && ok || bad "deposit --l1-rpc once credited: $(cat "$TMP/dep")"
cp "$TMP/dep" "$TMP/out"
has "L1 deposit 0x.*: 3 TAC from $a1" "the L1 deposit of 3 TAC" && has "included at height" "then the shielding"
run 0 w balance --json && [[ $(field confirmed) == 3000000000 ]] && ok || bad "3 TAC shielded: $(cat "$TMP/out")"
# --no-l1 with the variables set: the shielding of a credited balance alone, no L1 deposit
q1=$(qlen)
cli rpc dev_fund "$a1" 1000000000 >/dev/null || bad "dev_fund"
TACIT_L1_RPC=$ANVIL_URL TACIT_L1_ROLLUP=$ROLLUP run 0 w deposit 1 --from-key-file "$TMP/k1" --no-l1 &&
    has "included at height" "deposit --no-l1 shields" && ! grep -q "L1 deposit" "$TMP/out" && ok ||
    bad "deposit --no-l1 sends no L1 deposit: $(cat "$TMP/out")"
[[ $(qlen) == "$q1" ]] && ok || bad "deposit --no-l1: the queue unchanged ($q1 -> $(qlen))"
run 0 w balance --json && [[ $(field confirmed) == 4000000000 ]] && ok || bad "4 TAC shielded: $(cat "$TMP/out")"

# an imported key signs on L1 too (--from its 0x address)
printf '%s\n' "$K1" | w import-key - >/dev/null 2>&1 || bad "import K1"
run 0 w deposit 0.25 --from "$A1" "${L1[@]}" --l1-only && has "queue entry 6" "a deposit from an imported key"

# --- claim -----------------------------------------------------------------------------------
run 1 w claim "${L1[@]}" --from-key-file "$TMP/k3" && has "NothingToClaim" "nothing to claim" &&
    has "once their block settles" "says when a claim pays"
# claimable[A3] = 0.25 ETH (the mapping at slot 8; the deposits above hold the ETH to pay it)
anvil_rpc anvil_setStorageAt "[\"$ROLLUP\",\"$("$FIX" slot "$A3" 8)\",\"0x$(printf '%064x' 250000000000000000)\"]" >/dev/null
[[ $(ecall "$("$FIX" calldata "claimable(address)" "$A3")") == 0x$(printf '%064x' 250000000000000000) ]] &&
    ok || bad "claimable(A3) set through its storage slot"
before=$(balance "$A3")
# the variables alone (no --l1-rpc, --l1-rollup)
TACIT_L1_RPC=$ANVIL_URL TACIT_L1_ROLLUP=$ROLLUP run 0 w claim --from-key-file "$TMP/k3" --json
paid=$(field paid) gas=$(field gasUsed) price=$(field effectiveGasPrice)
[[ $paid == 250000000000000000 ]] && ok || bad "claim pays 0.25 ETH: $(cat "$TMP/out")"
after=$(balance "$A3")
"$FIX" balance "$before" "$after" 0 "$paid" "$gas" "$price" && ok || bad "L1 balance rises by paid - gas"
printf '%s\n' "$K3" | w import-key - >/dev/null 2>&1 || bad "import K3"
run 1 w claim "${L1[@]}" --from "$A3" && has "NothingToClaim" "a second claim (by the imported key)"

anvil_stop
tacitd_stop || bad "tacitd stops cleanly"
echo "cli_wallet_l1.sh: $pass passed, $fail failed"
((fail == 0)) || { tail -20 "$TMP/anvil.log" >&2; exit 1; }
