#!/usr/bin/env bash
# tests/cli_wallet_history.sh — issue 15, items 3 to 5, against a real `tacitd --devnet`:
# `wallet history` (text and --json: sent and received, amounts, fees, memos, heights,
# statuses, newest first); a transfer whose block a dev_revert removed is no longer
# "included" (`wallet status` syncs, then says the node does not know it; history and balance
# agree); a fee below the node's minimum refused before the proving key is even read, saying
# the minimum; memos as text under a UTF-8 locale (control characters and invalid bytes
# escaped), escaped bytes under the C locale; a memo of 512 bytes in `notes --json`; the
# missing-wallet hint naming --wallet; heights as JSON numbers in every wallet --json output.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"

locale -a 2>/dev/null | grep -qix 'C.utf-\{0,1\}8' || die "no C.UTF-8 locale: the memo checks cannot run"

DN="$TMP/dn"
tacitd_start "$TMP/stdout" "$TMP/log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 --block-interval-ms 200 ||
    die "tacitd --devnet did not start: $(cat "$TMP/log")"

export TACIT_PASSPHRASE="correct horse" TACIT_WALLET_KDF=fast
URL="http://127.0.0.1:$port"
cli() { "$CLI" --devnet --datadir "$DN" --rpc "$URL" "$@"; }
w() { local name="$1"; shift; cli --wallet "$name" wallet "$@"; }
has() { grep -q -- "$1" "$TMP/out" && ok || bad "$2: want \"$1\" in: $(cat "$TMP/out")"; }
hasnt() { if grep -q -- "$1" "$TMP/out"; then bad "$2: \"$1\" in: $(cat "$TMP/out")"; else ok; fi; }
confirmed() { w "$1" balance --json 2>/dev/null | sed -n 's/.*"confirmed":"\([0-9]*\)".*/\1/p'; }

# --- the missing-wallet hint names the wallet ---------------------------------------------
run 1 w nobody balance && has "no wallet at $DN/wallets/nobody.wallet" "missing wallet: the path" &&
    has "create one with \`tacit-cli --devnet --datadir $DN --wallet nobody wallet create\`" \
        "missing wallet: the command that creates it, with --wallet NAME"
run 1 env TACIT_WALLET=carol "$CLI" --devnet --datadir "$DN" --rpc "$URL" wallet balance &&
    has "\-\-wallet carol wallet create" "missing wallet named by \$TACIT_WALLET"
run 1 "$CLI" --devnet --datadir "$DN" --rpc "$URL" wallet balance &&
    has "wallet create\`, or name another with --wallet NAME" "the default wallet missing"

run 0 w a create
run 0 w b create
B=$(w b address)
run 0 w b history && has "nothing sent or received yet" "an empty history"
run 0 w b history --json && [[ $(cat "$TMP/out") == "[]" ]] && ok || bad "an empty history: []"

# --- the fee: refused before the proving key is read, the minimum said -----------------------
run 0 w a deposit 10 --from devnet:1 && has "included at height" "deposit"
run 0 cli rpc admin_setMinFee 1000
run 1 cli --proving-key "$TMP/no-such.zkey" --wallet a wallet send "$B" 1 --fee 0.0000005 &&
    has "the fee 0.0000005 TAC is below the node's minimum fee of 0.000001 TAC" "the fee error says the minimum" &&
    hasnt "proving key" "refused before the proving key is read (and before proving)"
run 1 w a send "$B" 1 --fee 0.0000005 --json && has '"name":"EFEE_TOO_LOW","code":1040' "--json: EFEE_TOO_LOW"
run 1 w a withdraw 1 --to 0x3333333333333333333333333333333333333333 --fee 0 && has "minimum fee of 0.000001 TAC" \
    "a withdrawal's fee too"
run 1 w a deposit 1 --from devnet:1 --fee 0.000000999 && has "minimum fee of 0.000001 TAC" "a deposit's fee too"
[[ $(confirmed a) == 10000000000 ]] && ok || bad "refused fees changed nothing"
run 0 cli rpc admin_setMinFee 0

# --- a transfer with a UTF-8 memo, its history, then a revert that removes its block ---------
run 0 cli --json rpc dev_snapshot && snap=$(tr -d '"' <"$TMP/out")
MEMO=$'h\xc3\xa9llo \xe2\x9c\x93 ok'
run 0 w a send "$B" 2.5 --memo "$MEMO" --json && has '"status":"included"' "send with a UTF-8 memo"
txid=$(sed -n 's/.*"txid":"\(0x[0-9a-f]*\)".*/\1/p' "$TMP/out")
h=$(sed -n 's/.*"height":\([0-9]*\).*/\1/p' "$TMP/out")
[[ -n $h ]] && ok || bad "send --json: the height is a number: $(cat "$TMP/out")"
run 0 w a status "$txid" --json && has "\"status\":\"included\",\"height\":$h" "status --json: height a number"

# memos: text under a UTF-8 locale, bytes escaped under C; control characters escaped in both
run 0 env LC_ALL=C.UTF-8 "$CLI" --devnet --datadir "$DN" --rpc "$URL" --wallet b wallet notes &&
    has "memo \"$MEMO\"" "UTF-8 locale: the memo as text"
run 0 env LC_ALL=C "$CLI" --devnet --datadir "$DN" --rpc "$URL" --wallet b wallet notes &&
    has 'memo "h\\xc3\\xa9llo \\xe2\\x9c\\x93 ok"' "C locale: the bytes escaped"
run 0 w a send "$B" 0.1 --memo $'tab\there\x1b[31m \xff\xfe' && has "included at height" "send with control bytes"
run 0 env LC_ALL=C.UTF-8 "$CLI" --devnet --datadir "$DN" --rpc "$URL" --wallet b wallet notes &&
    has 'memo "tab\\x09here\\x1b\[31m \\xff\\xfe"' "UTF-8 locale: control characters and invalid bytes escaped"
LONG=$(head -c 512 /dev/zero | tr '\0' 'z')
run 0 w a send "$B" 0.1 --memo "$LONG" && has "included at height" "send with a 512-byte memo"
run 0 w b notes --json && has "\"memo\":\"$LONG\"" "notes --json: a 512-byte memo" &&
    has "\"memoHex\":\"0x$(printf '7a%.0s' $(seq 512))\"" "notes --json: its hex"
run 0 cli wallet --json --wallet b notes && has '"height":[0-9]' "wallet --json notes: heights are numbers"

# history: newest first; a's sends (amount, fee, change, txid), b's receipts (memo)
run 0 w a history --json
[[ $(grep -o '"kind":"[a-z]*"' "$TMP/out" | tr '\n' ' ') == '"kind":"send" "kind":"send" "kind":"send" "kind":"deposit" ' ]] &&
    ok || bad "a's history: three sends then the deposit (newest first, no change notes): $(cat "$TMP/out")"
has "{\"kind\":\"send\",\"status\":\"included\",\"height\":$h,\"amount\":\"2500000000\",\"txid\":\"$txid\",\"fee\":\"0\",\"change\":\"7500000000\"}" \
    "history --json: the transfer"
has '"kind":"deposit","status":"included","height":[0-9]*,"amount":"10000000000","txid":"0x[0-9a-f]\{64\}","fee":"0","change":"10000000000","from":"0x[0-9a-f]\{40\}"' \
    "history --json: the deposit and its account"
run 0 env LC_ALL=C.UTF-8 "$CLI" --devnet --datadir "$DN" --rpc "$URL" --wallet b wallet history
[[ $(wc -l <"$TMP/out") == 3 ]] && ok || bad "b's history: three receipts: $(cat "$TMP/out")"
has "^height $h  *included  *received  *+2.5 TAC  leaf [0-9]*  memo \"$MEMO\"" "history: the receipt, its memo as text"
run 0 w b history --json && has "\"kind\":\"receive\",\"status\":\"included\",\"height\":$h,\"amount\":\"2500000000\",\"index\":[0-9]*,\"spentHeight\":null,\"memo\":\"$MEMO\"" \
    "history --json: the receipt"
run 0 w a history && has "^height $h  *included  *sent  *-2.5 TAC  fee 0 TAC  $txid" "history: the transfer"

# dev_revert to before the transfers: the node no longer has their blocks nor the txs
run 0 cli rpc dev_revert "$snap"
run 0 w a status "$txid" && hasnt "included" "after dev_revert: not included" &&
    has "unknown to the node" "after dev_revert: unknown to the node" &&
    has "rescanned from height 0" "the sync saw the chain change"
run 0 w a status "$txid" --json && has '"status":"unknown"' "status --json after the revert"
[[ $(confirmed a) == 10000000000 ]] && ok || bad "after the revert a holds its 10 TAC again"
[[ $(confirmed b) == 0 ]] && ok || bad "after the revert b received nothing"
run 0 w a history --json && has "\"kind\":\"send\",\"status\":\"pending\",\"height\":null,\"amount\":\"2500000000\",\"txid\":\"$txid\"" \
    "history after the revert: the transfer is in no block"
hasnt '"kind":"send","status":"included"' "history after the revert: no send included"
run 0 w b history && has "nothing sent or received yet" "b's history after the revert"
# a new transfer on the new chain: included, above the dead ones in the history
run 0 w a send "$B" 1 --json && has '"status":"included"' "a transfer after the revert"
tx2=$(sed -n 's/.*"txid":"\(0x[0-9a-f]*\)".*/\1/p' "$TMP/out")
run 0 w a status "$tx2" && has "included at height" "the new transfer: included"
# the reverted transfer spent the note the new one spends: the sync that saw the new one
# records the old one as rejected (its note spent by another transaction)
run 0 w a status "$txid" && has "^rejected: " "the reverted one: rejected once its note is spent" &&
    hasnt "included" "the reverted one: not included"
run 0 w a history --json && has "\"status\":\"rejected\",\"height\":null,\"amount\":\"2500000000\",\"txid\":\"$txid\",\"fee\":\"0\",\"change\":\"7500000000\",\"error\":\"ENULLIFIER_SPENT\"" \
    "history: the reverted transfer rejected, with the reason"

echo "cli_wallet_history.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
