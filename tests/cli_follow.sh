#!/usr/bin/env bash
# tests/cli_follow.sh — `tacitd --follow URL` (docs/operations.md, "Followers"): a devnet
# sequencer (dev_fund credits, dev_mine blocks) and followers started with the devnet's chain id,
# verifying key and sequencer key (--follow-devnet: its blocks mint). A follower reaches the
# sequencer's tip hash, balances and tree state, follows new blocks live, refuses
# tacit_sendRawTransaction, admin_ and dev_ calls with the sequencer's URL, says whom it follows
# in tacit_chainInfo and /health; a second follower started later (its sequencer key from the
# sequencer's chainInfo, recorded in chain.json; --follow-forward: a transaction sent to it is
# answered by the sequencer) catches up; a follower killed -9 and restarted
# catches up from its store; while the sequencer is stopped the followers retry (/health keeps
# 200 with lastError) and catch up once it is back; a follower whose chain.json names another
# key is refused at start;
# a sequencer that rewrites its history (dev_revert, then new blocks) is not followed: the
# block that does not extend the follower's chain is refused (EPARENT), /health 503 with the
# reason, tacit_follow_halted 1, and the follower's tip stays where it was.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"
command -v curl >/dev/null || die "curl is needed"

# every tacitd of this script, killed at exit (tests/lib/tacitd.sh's trap knows only $pid)
pids=()
cleanup() {
    for p in "${pids[@]}" $pid; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

# A small verifying key (depth-2 transfer keys: the same 7 public inputs) put where the devnet
# looks for its keys: no trusted setup of minutes under the sanitizers. No tx here has a proof.
run 0 "$CLI" setup --depth 2 --out "$TMP/keys" || die "setup"
DN="$TMP/dn"
mkdir -p "$DN/keys" && cp "$TMP/keys/verification_key.json" "$DN/keys/" || die "keys"
VK="$DN/keys/verification_key.json"

tacitd_start "$TMP/s.out" "$TMP/s.log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 \
    --block-interval-ms 100 --block-cadence demand || die "the sequencer did not start: $(cat "$TMP/s.log")"
spid=$pid sport=$port
pids+=("$spid")
pid=
SURL="http://127.0.0.1:$sport"
scall() { "$CLI" --rpc "$SURL" --json rpc "$@"; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$TMP/out" | head -1; }

run 0 scall tacit_chainInfo || die "sequencer chainInfo"
SEQKEY=$(field sequencer)
[[ $SEQKEY =~ ^0x[0-9a-f]{64}$ ]] || die "the sequencer's key: $(cat "$TMP/out")"

X=0x1111111111111111111111111111111111111111
Y=0x2222222222222222222222222222222222222222
A0=0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266
run 0 scall dev_fund $X 5000
run 0 scall dev_fund $Y 7000
run 0 scall dev_mine 0x3

# follower_start <dir> <extra args...>: a follower of the sequencer; its pid in $fpid, port $fport
follower_start() {
    local dir=$1
    shift
    tacitd_start "$dir.out" "$dir.log" --follow "$SURL" --follow-devnet --chain-id 0x7461 \
        --vk-file "$VK" --datadir "$dir" --rpc-bind 127.0.0.1:0 --metrics-on-rpc "$@" || return 1
    fpid=$pid fport=$port
    pids+=("$fpid")
    pid=
}
fcall() { "$CLI" --rpc "http://127.0.0.1:$1" --json rpc "${@:2}"; }

# same_state <follower port> <what>: within 60 s the follower's tip hash is the sequencer's; then
# the balances and the tree state are the same
same_state() {
    local fp=$1 what=$2 stip ftip i
    scall tacit_chainInfo >"$TMP/out" 2>&1
    stip=$(field tipHash)
    for i in $(seq 1 600); do
        fcall "$fp" tacit_chainInfo >"$TMP/out" 2>&1
        ftip=$(field tipHash)
        [[ -n $stip && $ftip == "$stip" ]] && break
        sleep 0.1
    done
    [[ -n $stip && $ftip == "$stip" ]] && ok || {
        bad "$what: the follower's tip $ftip, the sequencer's $stip"
        return 1
    }
    for a in $X $Y $A0; do
        scall tacit_getAccount $a >"$TMP/s.acct" 2>&1
        fcall "$fp" tacit_getAccount $a >"$TMP/f.acct" 2>&1
        grep -q '"balance"' "$TMP/s.acct" && cmp -s "$TMP/s.acct" "$TMP/f.acct" && ok ||
            bad "$what: account $a: $(cat "$TMP/s.acct") vs $(cat "$TMP/f.acct")"
    done
    scall tacit_getTreeState latest >"$TMP/s.tree" 2>&1
    fcall "$fp" tacit_getTreeState latest >"$TMP/f.tree" 2>&1
    grep -q '"frontier"' "$TMP/s.tree" && cmp -s "$TMP/s.tree" "$TMP/f.tree" && ok ||
        bad "$what: tree state: $(head -c 300 "$TMP/s.tree") vs $(head -c 300 "$TMP/f.tree")"
}

# --- the first follower: catches up, then follows live
F1="$TMP/f1"
follower_start "$F1" --sequencer-key "$SEQKEY" || die "follower 1 did not start: $(cat "$F1.log")"
f1port=$fport f1pid=$fpid
same_state $f1port "follower 1 catching up"
fcall $f1port tacit_getAccount $X >"$TMP/out" 2>&1
[[ $(field balance) == 5000 ]] && ok || bad "the follower's balance of X: $(cat "$TMP/out")"
run 0 scall dev_fund $X 1234
run 0 scall dev_mine 0x2
same_state $f1port "follower 1 following live"
fcall $f1port tacit_getAccount $X >"$TMP/out" 2>&1
[[ $(field balance) == 6234 ]] && ok || bad "the follower's balance of X after more credits: $(cat "$TMP/out")"

# what it says of itself; what it refuses
run 0 fcall $f1port tacit_chainInfo
grep -q "\"following\":\"$SURL\"" "$TMP/out" && grep -q '"sequencerHeight":"0x' "$TMP/out" && ok ||
    bad "chainInfo names the sequencer and its height: $(cat "$TMP/out")"
run 1 fcall $f1port tacit_sendRawTransaction 0x00
grep -q -- '-32601' "$TMP/out" && grep -q "follows the sequencer at $SURL: send transactions to the sequencer" "$TMP/out" &&
    ok || bad "sendRawTransaction refused: $(cat "$TMP/out")"
run 1 fcall $f1port dev_mine
grep -q "dev_ methods belong to the sequencer" "$TMP/out" && ok || bad "dev_mine refused: $(cat "$TMP/out")"
run 1 "$CLI" --datadir "$F1" --rpc "http://127.0.0.1:$f1port" --json rpc admin_pause
grep -q "it makes no blocks to pause" "$TMP/out" && ok || bad "admin_pause refused: $(cat "$TMP/out")"
run 1 "$CLI" --datadir "$F1" --rpc "http://127.0.0.1:$f1port" --json rpc admin_setMinFee 5
grep -q "the minimum fee is the sequencer's" "$TMP/out" && ok || bad "admin_setMinFee refused: $(cat "$TMP/out")"
code=$(curl -s -o "$TMP/health" -w '%{http_code}' "http://127.0.0.1:$f1port/health")
[[ $code == 200 ]] && grep -q '"status":"ok"' "$TMP/health" && grep -q "\"follow\":{\"url\":\"$SURL\"" "$TMP/health" &&
    ok || bad "follower /health: $code $(cat "$TMP/health")"
curl -s "http://127.0.0.1:$f1port/metrics" >"$TMP/metrics"
grep -q '^tacit_follow_halted 0$' "$TMP/metrics" && grep -q '^tacit_follow_blocks_total [1-9]' "$TMP/metrics" &&
    ok || bad "follower metrics: $(grep follow "$TMP/metrics")"
# the sequencer itself says nothing of following
run 0 scall tacit_chainInfo
grep -q '"following"' "$TMP/out" && bad "the sequencer's chainInfo has no following" || ok

# --- a second follower, started later, its key from the sequencer's chainInfo (chain.json)
run 0 scall dev_fund $Y 1
run 0 scall dev_mine 0x4
F2="$TMP/f2"
follower_start "$F2" --follow-forward || die "follower 2 did not start: $(cat "$F2.log")"
f2port=$fport f2pid=$fpid
# follow_forward: a transaction sent to it goes to the sequencer, whose answer comes back as it is
run 1 scall tacit_sendRawTransaction 0x00
cp "$TMP/out" "$TMP/s.send"
run 1 fcall $f2port tacit_sendRawTransaction 0x00
grep -q 'error 1[0-9]* (E' "$TMP/s.send" && cmp -s "$TMP/s.send" "$TMP/out" && ok ||
    bad "forwarded: $(cat "$TMP/out"), the sequencer: $(cat "$TMP/s.send")"
same_state $f2port "follower 2 started later"
grep -q "\"sequencer\":\"$SEQKEY\"" "$F2/chain.json" && ok || bad "chain.json records the key: $(cat "$F2/chain.json")"
same_state $f1port "follower 1 beside follower 2"

# --- kill -9 and restart: catches up from its store
kill -9 $f1pid
wait $f1pid 2>/dev/null
run 0 scall dev_fund $X 100
run 0 scall dev_mine 0x3
follower_start "$F1" --sequencer-key "$SEQKEY" || die "follower 1 did not restart: $(cat "$F1.log")"
f1port=$fport f1pid=$fpid
grep -q 'ready: chain 0x7461, next height [1-9]' "$F1.log" && ok ||
    bad "the restarted follower began from its store: $(grep ready "$F1.log")"
same_state $f1port "follower 1 after kill -9"
fcall $f1port tacit_getAccount $X >"$TMP/out" 2>&1
[[ $(field balance) == 6334 ]] && ok || bad "balance of X after the restart: $(cat "$TMP/out")"

# --- the sequencer away for a while: the followers retry (lastError, still healthy), then catch up
kill -TERM $spid && wait $spid && ok || bad "the sequencer stops cleanly"
for _ in $(seq 1 100); do
    curl -s -o "$TMP/health" "http://127.0.0.1:$f1port/health"
    grep -q '"lastError":"E' "$TMP/health" && break
    sleep 0.1
done
grep -q '"status":"ok"' "$TMP/health" && grep -q '"lastError":"E' "$TMP/health" && ok ||
    bad "/health while the sequencer is away: $(cat "$TMP/health")"
curl -s "http://127.0.0.1:$f1port/metrics" >"$TMP/metrics"
grep -q '^tacit_follow_failures_total [1-9]' "$TMP/metrics" && ok || bad "tacit_follow_failures_total counts the retries"
pid=
tacitd_start "$TMP/s2.out" "$TMP/s2.log" --devnet --datadir "$DN" --rpc-bind "127.0.0.1:$sport" \
    --block-interval-ms 100 --block-cadence demand || die "the sequencer did not restart: $(cat "$TMP/s2.log")"
spid=$pid
pids+=("$spid")
pid=
run 0 scall dev_fund $X 50
run 0 scall dev_mine
same_state $f1port "follower 1 after the sequencer came back"
same_state $f2port "follower 2 after the sequencer came back"
curl -s -o "$TMP/health" "http://127.0.0.1:$f1port/health"
grep -q '"lastError"' "$TMP/health" && bad "lastError cleared: $(cat "$TMP/health")" || ok

# --- a follower whose recorded chain names another sequencer key is refused at start
F3="$TMP/f3"
mkdir -p "$F3"
run 1 "$D" --follow "$SURL" --follow-devnet --chain-id 0x7461 --vk-file "$VK" --datadir "$F3" \
    --rpc-bind 127.0.0.1:0 --sequencer-key 0x$(printf '%064d' 1)
grep -q "the sequencer's key is $SEQKEY" "$TMP/out" && ok || bad "another --sequencer-key refused: $(tail -3 "$TMP/out")"
# and one not told it follows a devnet
run 1 "$D" --follow "$SURL" --chain-id 0x7461 --vk-file "$VK" --datadir "$TMP/f4" --rpc-bind 127.0.0.1:0
grep -q "follow it with --follow-devnet" "$TMP/out" && ok || bad "a devnet needs --follow-devnet: $(tail -3 "$TMP/out")"

# --- a sequencer that rewrites its history: follower 2 stops at the block that does not fit
run 0 scall dev_snapshot
snap=$(tr -d '"' <"$TMP/out")
run 0 scall dev_mine 0x2
same_state $f2port "follower 2 before the rewrite"
fcall $f2port tacit_chainInfo >"$TMP/out" 2>&1
tip_before=$(field tipHash)
run 0 scall dev_revert "$snap"
run 0 scall dev_fund $Y 999
run 0 scall dev_mine 0x3
halted=
for _ in $(seq 1 300); do
    code=$(curl -s -o "$TMP/health" -w '%{http_code}' "http://127.0.0.1:$f2port/health")
    [[ $code == 503 ]] && { halted=1; break; }
    sleep 0.1
done
[[ -n $halted ]] && grep -q '"status":"following halted"' "$TMP/health" && grep -q 'EPARENT' "$TMP/health" &&
    ok || bad "/health 503 with the broken rule: $code $(cat "$TMP/health")"
grep -q 'ERROR follow: FOLLOWING STOPPED: block [0-9]* from the sequencer breaks rule EPARENT' "$F2.log" && ok ||
    bad "the halt logged: $(grep follow "$F2.log" | tail -3)"
curl -s "http://127.0.0.1:$f2port/metrics" >"$TMP/metrics"
grep -q '^tacit_follow_halted 1$' "$TMP/metrics" && ok || bad "tacit_follow_halted 1"
fcall $f2port tacit_chainInfo >"$TMP/out" 2>&1
[[ $(field tipHash) == "$tip_before" ]] && ok || bad "nothing of the rewritten chain committed"
fcall $f2port tacit_getAccount $Y >"$TMP/out" 2>&1
[[ $(field balance) == 7001 ]] && ok || bad "the rewritten credit not taken: $(cat "$TMP/out")"

# clean stops
kill -TERM $f2pid && wait $f2pid && ok || bad "follower 2 stops cleanly"
kill -TERM $f1pid && wait $f1pid && ok || bad "follower 1 stops cleanly"
kill -TERM $spid && wait $spid && ok || bad "the sequencer stops cleanly"
pids=()

echo "$SCRIPT_NAME: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
