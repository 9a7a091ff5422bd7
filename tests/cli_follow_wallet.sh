#!/usr/bin/env bash
# tests/cli_follow_wallet.sh — a follower with real transactions (docs/operations.md,
# "Followers"): a devnet sequencer (with its own trusted setup: real proofs), a deposit
# and a shielded send through the sequencer, so the follower re-verifies their proofs and
# state rules (tacit_block_apply); wallets synced from the follower (tacit-cli --rpc FOLLOWER
# wallet sync) hold what the same wallets synced from the sequencer hold; a send through the
# follower is refused, and with --follow-forward passed on to the sequencer and included.
# tests/cli_follow.sh has the rest (no proofs).
# Blocks only with work (--block-cadence demand), so that the tips can be compared.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"

fpid=
cleanup() {
    [[ -n $fpid ]] && kill -9 "$fpid" 2>/dev/null
    tacitd_cleanup
}
trap cleanup EXIT

DN="$TMP/dn"
tacitd_start "$TMP/s.out" "$TMP/s.log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 \
    --block-interval-ms 200 --block-cadence demand || die "tacitd --devnet did not start: $(cat "$TMP/s.log")"
SURL="http://127.0.0.1:$port"
spid=$pid
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$TMP/out" | head -1; }
run 0 "$CLI" --rpc "$SURL" --json rpc tacit_chainInfo || die "chainInfo"
SEQKEY=$(field sequencer)

# the follower, beside it
pid=
tacitd_start "$TMP/f.out" "$TMP/f.log" --follow "$SURL" --follow-devnet \
    --vk-file "$DN/keys/verification_key.json" --sequencer-key "$SEQKEY" --datadir "$TMP/f" \
    --rpc-bind 127.0.0.1:0 || die "the follower did not start: $(cat "$TMP/f.log")"
FURL="http://127.0.0.1:$port"
fpid=$pid
pid=$spid

export TACIT_PASSPHRASE="correct horse" TACIT_WALLET_KDF=fast
# w <rpc url> <wallet> <command...>
w() {
    local url=$1 name=$2
    shift 2
    "$CLI" --devnet --datadir "$DN" --rpc "$url" --wallet "$name" wallet "$@"
}
confirmed() { w "$1" "$2" balance --json | sed -n 's/.*"confirmed":"\([0-9]*\)".*/\1/p'; }

run 0 w "$SURL" a create
run 0 w "$SURL" b create
B=$(w "$SURL" b address)
run 0 w "$SURL" a deposit 50 --from devnet:1 && grep -q "included at height" "$TMP/out" && ok ||
    bad "deposit through the sequencer: $(cat "$TMP/out")"
run 0 w "$SURL" a send "$B" 7 --memo "through a follower" && grep -q "included" "$TMP/out" && ok ||
    bad "send through the sequencer: $(cat "$TMP/out")"

# the follower reaches the sequencer's tip (both txs re-verified there)
"$CLI" --rpc "$SURL" --json rpc tacit_chainInfo >"$TMP/out" 2>&1
stip=$(field tipHash)
for _ in $(seq 1 600); do
    "$CLI" --rpc "$FURL" --json rpc tacit_chainInfo >"$TMP/out" 2>&1
    [[ $(field tipHash) == "$stip" ]] && break
    sleep 0.1
done
[[ -n $stip && $(field tipHash) == "$stip" ]] && ok || bad "the follower's tip: $(cat "$TMP/out"), want $stip"
grep -q 'txs)' "$TMP/f.log" && ! grep -q 'FOLLOWING STOPPED' "$TMP/f.log" && ok ||
    bad "the follower applied the blocks: $(grep follow "$TMP/f.log" | tail -5)"
"$CLI" --rpc "$FURL" --json rpc tacit_chainInfo >"$TMP/out" 2>&1
[[ $(field nullifierCount) != 0x0 && -n $(field nullifierCount) ]] && ok ||
    bad "the follower holds the send's nullifiers: $(cat "$TMP/out")"

# wallets synced from the follower: copies of the wallet files, rescanned from height 0 there
for name in a b; do
    cp "$DN/wallets/$name.wallet" "$TMP/$name-f.wallet"
    run 0 w "$FURL" "$TMP/$name-f.wallet" sync --rescan && grep -q "synced to height" "$TMP/out" && ok ||
        bad "$name: sync --rescan from the follower: $(cat "$TMP/out")"
done
[[ $(confirmed "$FURL" "$TMP/b-f.wallet") == 7000000000 ]] && ok ||
    bad "b synced from the follower holds 7 TAC: $(w "$FURL" "$TMP/b-f.wallet" balance --json)"
[[ $(confirmed "$FURL" "$TMP/a-f.wallet") == "$(confirmed "$SURL" a)" ]] && ok ||
    bad "a synced from the follower and from the sequencer agree"
# a send through the follower is refused (tacit_sendRawTransaction: -32601): tacit-cli says so
# in the node's words (not "is tacitd running?"), and nothing of it reaches the chain
run 1 w "$FURL" "$TMP/b-f.wallet" send "$B" 1 &&
    { grep -q "the node refused the call: this node follows the sequencer at $SURL: send transactions to the sequencer" "$TMP/out" &&
        ! grep -q "is tacitd running" "$TMP/out" && ok || bad "the refused send, in the follower's words: $(cat "$TMP/out")"; }
"$CLI" --rpc "$SURL" --json rpc tacit_chainInfo >"$TMP/out" 2>&1
[[ $(field tipHash) == "$stip" ]] && ok || bad "the refused send made no block: $(cat "$TMP/out")"
[[ $(confirmed "$SURL" b) == 7000000000 ]] && ok || bad "b still holds 7 TAC"

kill -TERM "$fpid" && wait "$fpid" && ok || bad "the follower stops cleanly"
fpid=

# --follow-forward: the same wallet sends through the follower (passed on to the sequencer),
# and sees its send included in the follower's copy of the chain
pid=
tacitd_start "$TMP/f2.out" "$TMP/f2.log" --follow "$SURL" --follow-devnet --follow-forward \
    --vk-file "$DN/keys/verification_key.json" --datadir "$TMP/f" --rpc-bind 127.0.0.1:0 ||
    die "the follower did not restart: $(cat "$TMP/f2.log")"
FURL="http://127.0.0.1:$port"
fpid=$pid
pid=$spid
before=$(confirmed "$FURL" "$TMP/a-f.wallet")
run 0 w "$FURL" "$TMP/b-f.wallet" send "$(w "$SURL" a address)" 1 && grep -q "included" "$TMP/out" && ok ||
    bad "a send through a forwarding follower: $(cat "$TMP/out")"
[[ $(confirmed "$FURL" "$TMP/a-f.wallet") == $((before + 1000000000)) ]] && ok ||
    bad "a received 1 TAC, seen from the follower: $(confirmed "$FURL" "$TMP/a-f.wallet"), was $before"
[[ $(confirmed "$SURL" a) == $((before + 1000000000)) ]] && ok || bad "and from the sequencer"
kill -TERM "$fpid" && wait "$fpid" && ok || bad "the forwarding follower stops cleanly"
fpid=
tacitd_stop && ok || bad "the sequencer stops cleanly"

echo "$SCRIPT_NAME: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
