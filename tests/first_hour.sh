#!/usr/bin/env bash
# tests/first_hour.sh — the README's "The first hour", run exactly as written against a real
# `tacitd --devnet`: two wallets, a deposit from a funded devnet account, a private transfer
# with a memo, a withdrawal to a transparent address, and the exact balance after each step.
#
# The commands are not copied here: the script reads the README's block (the one after the
# "tests/first_hour.sh runs every command" comment) and runs each line in order, so the README
# and this test cannot drift apart. Only these differ from a reader's terminal, and say so in
# the README too: `tacit-cli` is a function adding --datadir/--rpc for this test's devnet (a
# temporary directory and a free port), and TACIT_PASSPHRASE replaces the prompt
# (TACIT_WALLET_KDF=fast makes the wallet's argon2id cheap in the sanitizer test build, whose
# tacit-cli has TACIT_TEST_HOOKS; a release tacit-cli ignores it).
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
README="$(dirname "$0")/../README.md"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"
[[ -r "$README" ]] || die "no $README"

# --- the README's block ----------------------------------------------------------------
awk '/tests\/first_hour.sh runs every command/ { armed = 1; next }
     armed && /^```sh/ { inside = 1; next }
     inside && /^```/ { exit }
     inside && NF { print }' "$README" >"$TMP/steps"
nsteps=$(wc -l <"$TMP/steps")
[[ $nsteps -ge 10 ]] || die "the README's first-hour block not found (or too short: $nsteps lines)"

# --- a devnet ----------------------------------------------------------------------------
DN="$TMP/dn"
tacitd_start "$TMP/stdout" "$TMP/log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 --block-interval-ms 200 ||
    die "tacitd --devnet did not start: $(cat "$TMP/log")"

# The test's only differences from the README (see the header).
tacit-cli() { "$CLI" --datadir "$DN" --rpc "http://127.0.0.1:$port" "$@"; }
export TACIT_PASSPHRASE="first hour" TACIT_WALLET_KDF=fast

# Runs README line n (1-based) in this shell (so BOB=... stays set); output in $TMP/out.
# The README's commands all succeed: a nonzero status fails the step.
step() {
    local line
    line=$(sed -n "${1}p" "$TMP/steps")
    [[ -n $line ]] || { bad "README line $1 missing"; return 1; }
    eval "$line" >"$TMP/out" 2>"$TMP/err"
    local status=$?
    if [[ $status -ne 0 ]]; then
        bad "README step $1 ($line) -> exit $status: $(cat "$TMP/err" "$TMP/out")"
        return 1
    fi
    ok
    echo "\$ $line" >>"$TMP/transcript"
    cat "$TMP/out" >>"$TMP/transcript"
}
# expect_line REGEX WHAT: one line of the last step's output matches REGEX (whole line).
expect_line() {
    grep -Eqx -- "$1" "$TMP/out" && ok || bad "$2: want /$1/ in: $(cat "$TMP/out")"
}
acct0=$(grep -o '"address": "0x[0-9a-f]*"' "$DN/devnet-accounts.json" | head -1 | grep -o '0x[0-9a-f]*')
account_balance() { "$CLI" --rpc "http://127.0.0.1:$port" --json rpc tacit_getAccount "$1" |
    sed -n 's/.*"balance":"\([0-9]*\)".*/\1/p'; }

# 1, 2: two wallets, each prints its devnet address; the files are private
step 1 && expect_line 'tdev1[02-9ac-hj-np-z]{100,}' "alice's address"
step 2 && expect_line 'tdev1[02-9ac-hj-np-z]{100,}' "bob's address"
[[ $(stat -c %a "$DN/wallets/alice.wallet") == 600 ]] && ok || bad "alice.wallet mode 0600"
# 3: deposit 100 TAC from devnet account 0, included; account 0 has 900 TAC left
step 3 && expect_line '0x[0-9a-f]{64}: included at height [0-9]+ \(fee 0 TAC\)' "deposit included"
[[ $(account_balance "$acct0") == 900000000000 ]] && ok || bad "devnet account 0 holds 900 TAC"
# 4: alice 100
step 4 && expect_line 'confirmed  100 TAC' "alice after the deposit" && expect_line 'notes      1' "alice: one note"
# 5, 6: BOB=..., alice sends 25.5 to bob with a memo
step 5 && [[ ${BOB:-} == tdev1* ]] && ok || bad "BOB is bob's address: ${BOB:-unset}"
step 6 && expect_line '0x[0-9a-f]{64}: included at height [0-9]+ \(fee 0 TAC\)' "transfer included"
# 7, 8: alice 74.5 (the change), bob 25.5
step 7 && expect_line 'confirmed  74.5 TAC' "alice after the transfer"
step 8 && expect_line 'confirmed  25.5 TAC' "bob after the transfer"
# 9: bob sees the memo
step 9 && expect_line '25.5 TAC  height [0-9]+  unspent  leaf [0-9]+  memo "lunch, thanks"' "bob's note and memo"
# 10, 11: bob withdraws 10 to 0x2222...: bob 15.5
step 10 && expect_line '0x[0-9a-f]{64}: included at height [0-9]+ \(fee 0 TAC\)' "withdrawal included"
step 11 && expect_line 'confirmed  15.5 TAC' "bob after the withdrawal"
# 12: the transparent address holds 10 TAC = 10^10 base units
step 12 && expect_line '  "balance": "10000000000",' "0x2222... credited 10 TAC"
[[ $nsteps -eq 12 ]] && ok || bad "the README's block has $nsteps commands, this test checks 12: update both"

kill -TERM "$pid"
wait "$pid" && ok || bad "tacitd: SIGTERM -> exit 0"
pid=
if [[ $fail -ne 0 ]]; then
    echo "--- transcript" >&2
    cat "$TMP/transcript" >&2 2>/dev/null
fi
echo "first_hour.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
