#!/usr/bin/env bash
# tests/cli_proxy.sh — tacit-cli through a SOCKS5 proxy (issue 14, 1), against a real
# `tacitd --devnet` and a logging relay (tests/socks5_relay.c, in the build's bin/): every
# connection goes through the proxy with the node's host by name; a send's submission travels
# on a connection of its own, with credentials of its own (a Tor circuit of its own), carrying
# nothing but tacit_sendRawTransaction; the wallet never asks for its transaction's id
# (tacit_getTransaction) while it waits; the proxy's refusal is told in words; a malformed
# --proxy and a proxy with a Unix-socket RPC are usage errors.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
RELAY="$BIN/socks5_relay"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"
[[ -x $RELAY ]] || die "no $RELAY (build first)"

DN="$TMP/dn"
tacitd_start "$TMP/stdout" "$TMP/log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 --block-interval-ms 200 ||
    die "tacitd --devnet did not start: $(cat "$TMP/log")"
export TACIT_PASSPHRASE="correct horse" TACIT_WALLET_KDF=fast
URL="http://localhost:$port"

relays=()
stop_relays() { for r in "${relays[@]}"; do kill "$r" 2>/dev/null; done; tacitd_cleanup; }
trap stop_relays EXIT
# start_relay LOG [args]: a relay in the background; its port in $rport
start_relay() {
    local log=$1
    shift
    "$RELAY" "$@" >"$log" 2>&1 &
    relays+=($!)
    rport=
    for _ in $(seq 1 100); do
        rport=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$log")
        [[ -n $rport ]] && return 0
        sleep 0.05
    done
    die "socks5_relay did not start: $(cat "$log")"
}
# conns LOG N: waits until LOG holds N connection lines (the relay writes one when it closes)
conns() {
    for _ in $(seq 1 100); do
        (($(grep -c '^conn ' "$1") >= $2)) && return 0
        sleep 0.05
    done
    return 1
}

start_relay "$TMP/relay.log"
P="127.0.0.1:$rport"
cli() { "$CLI" --devnet --datadir "$DN" --rpc "$URL" --proxy "$P" "$@"; }
w() { local name="$1"; shift; cli --wallet "$name" wallet "$@"; }

run 0 cli rpc tacit_chainInfo && has '"chainId"' "rpc through the proxy"
conns "$TMP/relay.log" 1 && ok || bad "the relay saw the connection"
grep -q "^conn 1 user=[a-z]\{16\} host=localhost port=$port bytes=[0-9]* methods=tacit_chainInfo$" "$TMP/relay.log" && ok ||
    bad "by name (localhost, resolved by the proxy), with random credentials: $(cat "$TMP/relay.log")"
run 0 env TACIT_PROXY="socks5h://$P" "$CLI" --devnet --datadir "$DN" --rpc "$URL" rpc tacit_chainInfo &&
    conns "$TMP/relay.log" 2 && ok || bad "\$TACIT_PROXY (socks5h://) is used too"

# a deposit and a send: the submission on a connection of its own
run 0 w a create
run 0 w a deposit 5 --from devnet:1 && has "included at height" "deposit through the proxy"
run 0 w a send "$(w a address)" 1 --memo "$(head -c 512 /dev/zero | tr '\0' m)" &&
    has "included at height" "send (a memo of 512 bytes) through the proxy"
sleep 0.3
subs=$(grep -c 'methods=tacit_sendRawTransaction$' "$TMP/relay.log")
[[ $subs == 2 ]] && ok || bad "two submissions, each alone on its connection: $(cat "$TMP/relay.log")"
grep 'tacit_sendRawTransaction' "$TMP/relay.log" | grep -vq 'methods=tacit_sendRawTransaction$' &&
    bad "a submission shared its connection: $(cat "$TMP/relay.log")" || ok
# each submission's credentials are used by no other connection
while read -r u; do
    [[ $(grep -c "user=$u " "$TMP/relay.log") == 1 ]] && ok || bad "credentials $u reused: $(cat "$TMP/relay.log")"
done < <(sed -n 's/.*user=\([a-z]*\) .*methods=tacit_sendRawTransaction$/\1/p' "$TMP/relay.log")
# the same bytes on the wire whatever the memo: a deposit without one, a send with 512 bytes
sizes=$(sed -n 's/.* bytes=\([0-9]*\) methods=tacit_sendRawTransaction$/\1/p' "$TMP/relay.log" | sort -u)
[[ $(wc -l <<<"$sizes") == 1 && -n $sizes ]] && ok || bad "submissions of different sizes: $sizes"
grep -q 'tacit_getTransaction' "$TMP/relay.log" && bad "the wallet asked for its tx id: $(cat "$TMP/relay.log")" || ok
grep -v '^port' "$TMP/relay.log" | grep -vq "host=localhost port=$port " &&
    bad "a connection to somewhere else: $(cat "$TMP/relay.log")" || ok

# refusals, in words
start_relay "$TMP/refuse.log" --reply 5
run 1 "$CLI" --rpc "$URL" --proxy "127.0.0.1:$rport" rpc tacit_chainInfo &&
    has "SOCKS5 proxy: connection refused by the node" "the proxy's refusal in words"
run 1 "$CLI" --devnet --datadir "$DN" --rpc "$URL" --proxy "127.0.0.1:$rport" --wallet a wallet balance &&
    has "SOCKS5 proxy: connection refused by the node" "a wallet command says the proxy refused"
run 1 "$CLI" --rpc "$URL" --proxy "127.0.0.1:1" rpc tacit_chainInfo &&
    has "cannot connect to the proxy" "no proxy listening"
run 2 "$CLI" --rpc "$URL" --proxy nonsense rpc tacit_chainInfo && has "want HOST:PORT" "--proxy malformed"
run 2 "$CLI" --rpc "unix:$DN/tacitd.sock" --proxy "$P" rpc tacit_chainInfo && has "Unix socket" "--proxy with a Unix socket"

echo "cli_proxy.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
