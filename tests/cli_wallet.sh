#!/usr/bin/env bash
# tests/cli_wallet.sh — `tacit-cli wallet` beyond the README's story, against a real
# `tacitd --devnet`: usage errors (exit 2) and refusals (exit 1) with their reasons, amounts,
# the passphrase (wrong one refused with the file unchanged, none without a terminal, from a
# file), no overwrite, networks, a watch-only view (same balance, cannot send; kept with
# --wallet; incoming-only), private keys only from a file or stdin (one on the command line is
# refused, saying how), import-key and a deposit from it, a deposit --from-key-file, a rescan
# from height 0 finding the same notes, two sends racing for one note (one refused, balances
# exact), tx status, --json shapes, and a stopped node.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"

DN="$TMP/dn"
tacitd_start "$TMP/stdout" "$TMP/log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 --block-interval-ms 200 ||
    die "tacitd --devnet did not start: $(cat "$TMP/log")"

export TACIT_PASSPHRASE="correct horse" TACIT_WALLET_KDF=fast
URL="http://127.0.0.1:$port"
cli() { "$CLI" --devnet --datadir "$DN" --rpc "$URL" "$@"; }
w() { local name="$1"; shift; cli --wallet "$name" wallet "$@"; }
# the confirmed balance in base units, from --json
confirmed() { w "$1" balance --json | sed -n 's/.*"confirmed":"\([0-9]*\)".*/\1/p'; }
has() { grep -q -- "$1" "$TMP/out" && ok || bad "$2: want \"$1\" in: $(cat "$TMP/out")"; }
X=0x3333333333333333333333333333333333333333

# --- usage: exit 2, with the reason --------------------------------------------------------
run 2 cli wallet && has "usage:" "wallet alone"
run 0 cli wallet --help && has "1 TAC = 10^9 base units" "help documents the unit"
for sub in create restore backup export-mnemonic address balance notes sync send deposit withdraw status export-viewing-key import-key; do
    run 0 cli wallet "$sub" --help && has "usage: tacit-cli" "$sub --help"
done
run 2 cli wallet frobnicate && has 'unknown command "frobnicate"' "unknown subcommand"
run 2 w a send && has "missing arguments" "send without arguments"
run 2 w a send tdev1x 1 extra && has "too many arguments" "send with a third argument"
run 2 w a balance --memo x && has "unknown option --memo" "an option of another command"
for amount in 1.0000000001 -1 .5 1. 1e9 abc "1 " 0x10; do
    run 2 w a send tdev1x "$amount" && has "at most 9 decimals" "amount \"$amount\" refused"
done
run 2 w a send tdev1x 18446744073.709551616 && has "too large" "amount above 2^64-1 base units"
run 2 w a send tdev1x 0 && has "must be above 0" "zero amount"
run 2 w a deposit 1 && has "--from ACCOUNT or --from-key-file PATH is required" "deposit without --from"
run 2 w a deposit 1 --from 0x1234 && has "want devnet:N, the 0x address of an imported key, or -" "deposit --from malformed"
run 2 w a deposit 1 --from devnet:0 --from-key-file "$TMP/none" && has "not both" "--from and --from-key-file"
# a private key on the command line (ps, /proc, shell history) is refused, saying how instead
run 2 w a deposit 1 --from 0x$(printf '%064d' 1) && has "visible to other users" "deposit --from 0x<key> refused" &&
    has "give --from-key-file PATH, or give --from - and write it on standard input" "says how to pass a key"
run 2 w a deposit 1 --from $(printf '%064d' 1) && has "visible to other users" "--from <64 hex> without 0x refused"
run 2 w a withdraw 1 --to 0x12 && has "40 hex digits" "withdraw --to malformed"
run 2 w a send tdev1x 1 --timeout 0 && has "whole seconds" "timeout 0"
run 2 w a send tdev1x 1 --memo "$(head -c 513 /dev/zero | tr '\0' m)" && has "at most 512 bytes" "memo of 513 bytes"

# --- create, passphrases ------------------------------------------------------------------
run 0 w a create && grep -qx 'tdev1[02-9ac-hj-np-z]*' "$TMP/out" && ok || bad "create prints the address"
A=$(w a address)
[[ $(stat -c %a "$DN/wallets/a.wallet") == 600 ]] && ok || bad "wallet file mode 0600"
sum=$(sha256sum <"$DN/wallets/a.wallet")
run 1 w a create && has "already exists" "create never overwrites"
[[ $(sha256sum <"$DN/wallets/a.wallet") == "$sum" ]] && ok || bad "the refused create left the file as it was"
run 1 env TACIT_PASSPHRASE="wrong horse" "$CLI" --devnet --datadir "$DN" --rpc "$URL" --wallet a wallet balance &&
    has "wrong passphrase" "wrong passphrase refused"
[[ $(sha256sum <"$DN/wallets/a.wallet") == "$sum" ]] && ok || bad "a wrong passphrase changed nothing"
run 2 env -u TACIT_PASSPHRASE "$CLI" --devnet --datadir "$DN" --wallet a wallet balance --no-sync </dev/null &&
    has "TACIT_PASSPHRASE" "no passphrase and no terminal: exit 2, says how"
printf 'correct horse\n' >"$TMP/pass"
run 0 env -u TACIT_PASSPHRASE "$CLI" --devnet --datadir "$DN" --wallet a --passphrase-file "$TMP/pass" wallet balance --no-sync &&
    has "confirmed  0 TAC" "--passphrase-file (first line) opens it"
run 1 env -u TACIT_PASSPHRASE "$CLI" --devnet --datadir "$DN" --wallet a --passphrase-file "$TMP/none" wallet balance --no-sync &&
    has "cannot read the passphrase file" "missing passphrase file"
run 1 w nobody balance && has "no wallet at" "a wallet that does not exist"
run 0 w "$TMP/b.wallet" create && B=$(w "$TMP/b.wallet" address)
[[ -f $TMP/b.wallet ]] && ok || bad "--wallet PATH (with a /) is that file"
chmod 644 "$TMP/b.wallet"
run 0 w "$TMP/b.wallet" address && has "readable or writable by others" "a world-readable wallet: warned, still opens"
chmod 600 "$TMP/b.wallet"

# networks: a mainnet wallet is refused with --devnet; its address is refused by devnet sends
run 0 "$CLI" --wallet "$TMP/main.wallet" wallet create && grep -qx 'tacit1[02-9ac-hj-np-z]*' "$TMP/out" && ok ||
    bad "a mainnet wallet has a tacit1 address"
MAINADDR=$(grep -x "tacit1.*" "$TMP/out")
run 1 cli --wallet "$TMP/main.wallet" wallet balance && has "mainnet wallet, and --devnet" "mainnet wallet with --devnet"

# --- deposits, sends, errors ----------------------------------------------------------------
run 0 w a deposit 50 --from devnet:1 && has "included at height" "deposit from devnet:1"
[[ $(confirmed a) == 50000000000 ]] && ok || bad "a holds 50 TAC"
run 1 w a deposit 1 --from devnet:99 && has "no account 99" "devnet account out of range"
run 1 w a send "$MAINADDR" 1 && has "another network" "a mainnet address refused on the devnet"
run 1 w a send tdev1qqqqqqqqqqqqqqqqqqqq 1 && has "not a shielded address" "a garbled address"
run 1 w a send "$B" 50.000000001 && has "insufficient funds" "more than the balance"
run 1 w a send "$B" 50.000000001 --json && has '^{"error":{"message":"insufficient funds' "--json: the error as JSON" &&
    has '"status":1,"name":"EINSUFFICIENT","code":10' "--json: the error's name and RPC code"
run 0 cli wallet --json --wallet a notes && has '"index"' "wallet --json --wallet NAME notes: options before the command"
run 2 cli wallet --bogus notes && has "unknown option --bogus before the command" "an unknown option before the command"
run 2 w a withdraw 1 --to 0x12 --json && has '"status":2,"usage":"withdraw <amount> --to' "--json: a usage error as JSON"
[[ $(confirmed a) == 50000000000 ]] && ok || bad "refusals changed no balance"
run 0 w a send "$B" 0.000000001 --memo "one base unit" --json && has '"status":"included"' "send --json" &&
    has '"fee":"0"' "fee in base units, a string"
txid=$(sed -n 's/.*"txid":"\(0x[0-9a-f]*\)".*/\1/p' "$TMP/out")
[[ $(confirmed a) == 49999999999 ]] && ok || bad "a: 50 TAC - 1 base unit"
[[ $(confirmed "$TMP/b.wallet") == 1 ]] && ok || bad "b: 1 base unit"
run 0 w a status "$txid" && has "included at height" "status of a sent tx"
run 1 w a status 0x$(printf '%064d' 7) && has "not a transaction this wallet sent" "status of a foreign tx"
run 0 w a send "$B" 1 --fee 0.5 && has "(fee 0.5 TAC)" "an explicit fee"
[[ $(confirmed a) == 48499999999 ]] && ok || bad "a: 49.999999999 - 1 - 0.5 fee"
run 0 w a withdraw 0.25 --to $X && has "included at height" "withdraw"
run 0 cli --json rpc tacit_getAccount $X && has '"balance":"250000000"' "withdrawn 0.25 TAC = 250000000 base units"

# --- import-key ------------------------------------------------------------------------------
k2=$(sed -n 's/.*"privateKey": "\(0x[0-9a-f]*\)".*/\1/p' "$DN/devnet-accounts.json" | sed -n 3p)
a2=$(sed -n 's/.*"address": "\(0x[0-9a-f]*\)".*/\1/p' "$DN/devnet-accounts.json" | sed -n 3p)
run 2 w a import-key "$k2" && has "visible to other users" "import-key 0x<key> on the command line refused" &&
    has "give --key-file PATH, or give - and write it on standard input" "import-key says how"
run 0 w a address --transparent && [[ ! -s $TMP/out ]] && ok || bad "the refused key was not imported"
run 2 w a import-key && has "want - (the private key on standard input) or --key-file PATH" "import-key alone"
run 2 w a import-key 0x1234 && has "want - (the private key on standard input)" "import-key malformed"
run 2 w a import-key - --key-file "$TMP/none" && has "not both" "import-key - and --key-file"
run 0 w a import-key - <<<"$k2" && has "imported $a2" "import-key - (stdin) prints the account's address"
(umask 077 && printf '%s\n' "$k2" >"$TMP/k2.key")
run 1 w a import-key --key-file "$TMP/k2.key" && has "already imported" "the same key twice (from a key file)"
! grep -q "readable or writable by others" "$TMP/out" && ok || bad "a 0600 key file: no warning"
printf '0x%064d\n' 0 >"$TMP/zero.key"
chmod 644 "$TMP/zero.key"
run 1 w a import-key --key-file "$TMP/zero.key" && has "not a valid secp256k1" "the zero key" &&
    has "readable or writable by others" "a key file others can read: warned"
run 1 w a import-key - <<<"0x1234" && has "want a secp256k1 private key, 0x and 64 hex digits" "a malformed key on stdin"
run 1 w a import-key --key-file "$TMP/none.key" && has "cannot read it" "a missing key file"
run 1 w a deposit 1 --from - <<<"not a key" && has "want a secp256k1 private key" "deposit --from - with no key"
run 0 w a address --transparent && [[ $(cat "$TMP/out") == "$a2" ]] && ok || bad "address --transparent"
run 0 w a deposit 2 --from "$a2" && has "included at height" "deposit from the imported account"
[[ $(confirmed a) == 50249999999 ]] && ok || bad "a: + 2 TAC from the imported account"
run 1 w a deposit 1 --from 0x4444444444444444444444444444444444444444 && has "no such imported account" \
    "deposit from an address not imported"
k5=$(sed -n 's/.*"privateKey": "\(0x[0-9a-f]*\)".*/\1/p' "$DN/devnet-accounts.json" | sed -n 6p)
(umask 077 && printf '%s\n' "$k5" >"$TMP/k5.key")
run 0 w a deposit 3 --from-key-file "$TMP/k5.key" && has "included at height" "deposit --from-key-file"
[[ $(confirmed a) == 53249999999 ]] && ok || bad "a: + 3 TAC from the key file's account"

# --- watch-only -------------------------------------------------------------------------------
VK=$(w a export-viewing-key)
[[ $VK == tdevfvk1* ]] && ok || bad "full viewing key exported: $VK"
run 0 cli --viewing-key "$VK" balance && has "confirmed  53.249999999 TAC" "watch-only view: same balance" &&
    has "watch-only" "says watch-only"
run 1 cli --viewing-key "$VK" wallet send "$B" 1 && has "watch-only wallet: it cannot spend" "watch-only cannot send"
run 1 cli --viewing-key "$VK" wallet withdraw 1 --to $X && has "cannot spend" "watch-only cannot withdraw"
run 0 cli --viewing-key "$VK" --wallet "$TMP/view.wallet" wallet balance && [[ -f $TMP/view.wallet ]] && ok ||
    bad "--viewing-key with --wallet keeps the watch-only wallet"
run 1 cli --viewing-key "$VK" --wallet "$TMP/view.wallet" wallet create && has "already exists" \
    "create --viewing-key never overwrites"
run 2 cli --viewing-key "$VK" wallet create && has "give --wallet PATH" "create --viewing-key needs --wallet"
run 0 cli --viewing-key "$VK" --wallet "$TMP/view2.wallet" wallet create && [[ $(tail -1 "$TMP/out") == "$A" ]] &&
    ok || bad "create --viewing-key --wallet: a watch-only wallet of the same address"
run 0 w "$TMP/view.wallet" notes --json && [[ $(grep -o '"index"' "$TMP/out" | wc -l) -ge 4 ]] && ok ||
    bad "the kept watch-only wallet reopens and lists the notes"
last=${VK: -1}
[[ $last == q ]] && typo=p || typo=q
run 1 cli --viewing-key "${VK%?}$typo" balance && has "viewing-key" "a mistyped viewing key"
run 1 "$CLI" --rpc "$URL" --viewing-key "$VK" balance && has "add --devnet" "a devnet key without --devnet"
IVK=$(w a export-viewing-key --incoming)
[[ $IVK == tdevivk1* ]] && ok || bad "incoming viewing key exported"
# an incoming key sees every note that came in (deposits and change), never their spends
received=$(($(w a notes --json | grep -o "\"value\":\"[0-9]*\"" | grep -o "[0-9]*" | paste -sd+)))
run 0 cli --viewing-key "$IVK" balance --json && has "\"received\":\"$received\"" "incoming view: all received, no spends"
has '"seesSpends":false' "incoming view: says it sees no spends"
if grep -q confirmed "$TMP/out"; then bad "incoming view: no 'confirmed' balance"; else ok; fi
run 0 cli --viewing-key "$IVK" balance && has "received" "incoming view, text: received" &&
    has "not a balance" "incoming view, text: says it is not a balance"

# --- rescan from 0: the same notes and balance ----------------------------------------------
run 0 w a notes --json && cp "$TMP/out" "$TMP/notes.before"
run 0 w a sync --rescan && has "synced to height" "sync --rescan"
has "notes received" "sync reports what it found"
run 0 w a notes --json --no-sync && cmp -s "$TMP/out" "$TMP/notes.before" && ok ||
    bad "rescan recovered the same notes: $(diff "$TMP/notes.before" "$TMP/out")"
[[ $(confirmed a) == 53249999999 ]] && ok || bad "rescan: same balance"
run 0 w a sync && has "0 notes received" "a second sync finds nothing new"

# --- two sends racing for one note ------------------------------------------------------------
run 0 w r create
R=$(w r address)
run 0 w r deposit 10 --from devnet:4
[[ $(confirmed r) == 10000000000 ]] && ok || bad "r holds one note of 10 TAC"
w r send "$A" 3 >"$TMP/race1" 2>&1 &
p1=$!
w r send "$B" 4 >"$TMP/race2" 2>&1 &
p2=$!
wait $p1
s1=$?
wait $p2
s2=$?
if [[ $s1 -eq 0 && $s2 -eq 1 ]]; then
    won=3
    lost=$TMP/race2
elif [[ $s1 -eq 1 && $s2 -eq 0 ]]; then
    won=4
    lost=$TMP/race1
else
    won=
    bad "racing sends: want one included and one refused, got exits $s1 and $s2: $(cat "$TMP/race1" "$TMP/race2")"
fi
if [[ -n $won ]]; then
    ok
    grep -q "insufficient funds: 0 TAC spendable (10 TAC reserved by sends not yet included)" "$lost" && ok ||
        bad "the loser says why: $(cat "$lost")"
    [[ $(confirmed r) == $(((10 - won) * 1000000000)) ]] && ok || bad "r after the race: 10 - $won TAC"
    run 0 w r notes && [[ $(grep -c unspent "$TMP/out") == 1 && $(grep -c reserved "$TMP/out") == 0 ]] && ok ||
        bad "r: one unspent change note, nothing left reserved: $(cat "$TMP/out")"
fi
run 1 w r send "$A" 8 && has "insufficient funds" "r cannot spend more than its change"

# --- a block that does not come: pending after --timeout, then included ----------------------
run 0 cli rpc admin_pause
run 0 w r send "$A" 1 --timeout 2 && has "pending (not included after 2 s" "paused node: pending after the timeout"
ptx=$(grep -o '^0x[0-9a-f]\{64\}' "$TMP/out")
run 0 w r balance --no-sync && has "sending    " "the reserved note shows as being sent"
run 0 w r status "$ptx" && has "^pending" "status: pending"
run 0 cli rpc admin_resume
for _ in $(seq 1 100); do
    w r status "$ptx" 2>/dev/null | grep -q "included at height" && break
    sleep 0.1
done
run 0 w r status "$ptx" && has "included at height" "status: included once the node resumes"
run 0 w r send "$A" 1 --no-wait && has ": pending (fee 0 TAC)" "--no-wait: pending at once"

# --- a withdrawal that links to a deposit: warned, still sent ----------------------------------
run 0 w l create
run 0 w l deposit 5 --from devnet:5
a5=$(sed -n 's/.*"address": "\(0x[0-9a-f]*\)".*/\1/p' "$DN/devnet-accounts.json" | sed -n 6p)
run 0 w l withdraw 5 --to "$a5" && has "equals one of this wallet's deposits" "warned: the amount" &&
    has "this address deposited from this wallet" "warned: the address" &&
    has "included at height" "a linked withdrawal still goes"
run 0 w l deposit 2 --from devnet:5
run 0 w l withdraw 1 --to $X && if grep -q "warning" "$TMP/out"; then
    bad "an unlinked withdrawal warns: $(cat "$TMP/out")"
else ok; fi
run 0 w l deposit 3 --from devnet:5
run 0 w l withdraw 2 --to $X --json && has '"warning":"withdrawal-links-deposit","sameAmount":true,"depositAddress":false' \
    "--json: the warning as JSON"

# --- a stopped node -------------------------------------------------------------------------
kill -TERM "$pid"
wait "$pid" && ok || bad "tacitd: SIGTERM -> exit 0"
pid=
run 1 w a balance && has "is tacitd running" "balance with the node down says so"
run 0 w a balance --no-sync && has "confirmed  53.249999999 TAC" "balance --no-sync works offline"
run 1 w a send "$B" 1 && has "is tacitd running" "send with the node down"
run 1 cli rpc tacit_chainInfo && has "is tacitd running" "rpc with the node down: exit 1 (2 is for usage)"

echo "cli_wallet.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
