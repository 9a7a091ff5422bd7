#!/usr/bin/env bash
# tests/cli_tacitd.sh — tacitd as an operator meets it, without proofs (those are in
# tests/test_node.c): --help, config and flag errors with file:line, a node on loopback with a
# small verifying key (depth-2 transfer keys: same 7 public inputs), empty blocks, the data-dir
# lock, admin auth over TCP (cookie, wrong credentials) and the Unix socket, the pause flag
# across a clean SIGTERM restart, /health and /metrics, dev_ methods refused off the devnet,
# `tacit-cli rpc`, the log file (escaped strings, reopened on SIGHUP) and the signals; L1 mode's
# flags checked one by one, then refused (no rollup contract client in this build).
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"

call() { # call <method> [params...] via tacit-cli over TCP
    "$CLI" --rpc "http://127.0.0.1:$port" --json rpc "$@"
}

# --- usage and configuration errors -----------------------------------------------------------
run 0 "$D" --help && grep -q -- '--block-interval-ms' "$TMP/out" || bad "--help lists the flags"
# no --datadir: ~/.tacit (issue 15, 6); without $HOME, a clear refusal
HOME= run 2 "$D" --chain-id 5 && grep -q 'no \$HOME for the default data directory ~/.tacit' "$TMP/out" ||
    bad "no \$HOME and no --datadir: refused"
run 2 "$D" --datadir "$TMP/x" && grep -q 'chain_id is required' "$TMP/out" || bad "chain id required"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --bogus 1 && grep -q 'unknown option --bogus' "$TMP/out" ||
    bad "unknown flag named"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --block-interval-ms 0 && grep -q 'at least 1' "$TMP/out" ||
    bad "interval 0 refused"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --rpc-bind nonsense && grep -q 'HOST:PORT' "$TMP/out" ||
    bad "bad bind refused"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --rpc-cors localhost:3000 && grep -q 'expected \* or an origin' "$TMP/out" ||
    bad "rpc_cors: not an origin, refused"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --rpc-cors http://localhost:3000/ && grep -q 'no path' "$TMP/out" ||
    bad "rpc_cors: an origin with a path, refused"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --block-cadence often && grep -q 'fixed or demand' "$TMP/out" ||
    bad "bad cadence refused"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --metrics-bind 127.0.0.1:99999 && grep -q '0..65535' "$TMP/out" ||
    bad "bad metrics port refused"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --max-block-txs 70000 && grep -q '1 to 65536' "$TMP/out" ||
    bad "max_block_txs past a block's limit refused"
run 2 "$D" --datadir "$TMP/x" --chain-id 5 --rpc-max-response 100000 && grep -q 'raise rpc_max_response' "$TMP/out" ||
    bad "an answer bound too small for the largest block refused"
printf 'chain_id = 5\n# a comment\nblock_interval_ms = 100\nmin_fe = 3\n' >"$TMP/bad.conf"
run 2 "$D" --datadir "$TMP/x" --config "$TMP/bad.conf" && grep -q 'bad.conf:4: unknown key "min_fe"' "$TMP/out" ||
    bad "config error names file:line"
printf 'chain_id = 5\nmin_fee = -3\n' >"$TMP/bad2.conf"
run 2 "$D" --datadir "$TMP/x" --config "$TMP/bad2.conf" && grep -q 'bad2.conf:2: min_fee' "$TMP/out" ||
    bad "bad value names file:line"
run 1 "$D" --datadir "$TMP/x" --chain-id 5 --rpc-bind 127.0.0.1:0 && grep -q 'no verifying key' "$TMP/out" ||
    bad "missing vk explained"

# L1 mode's flags (docs/operations.md, "Settlement on L1"): each checked, then the tree-update
# key read and the L1 asked (exit 2 when it does not answer), before anything is opened or made
L1=(--datadir "$TMP/l1" --chain-id 5)
printf '0x%064x\n' 1 >"$TMP/l1.key"
chmod 600 "$TMP/l1.key"
ADDR=0x00000000000000000000000000000000000000aa
run 2 "$D" "${L1[@]}" --l1-rpc http://127.0.0.1:8545 && grep -q 'needs --l1-rpc, --l1-rollup and --l1-key together (missing: --l1-rollup --l1-key)' "$TMP/out" ||
    bad "L1 flags alone refused: $(cat "$TMP/out")"
run 2 "$D" "${L1[@]}" --l1-rpc ftp://x --l1-rollup $ADDR --l1-key "$TMP/l1.key" && grep -q -- '--l1-rpc ftp://x: not an L1 endpoint URL' "$TMP/out" ||
    bad "bad L1 URL refused: $(cat "$TMP/out")"
run 2 "$D" "${L1[@]}" --l1-rpc http://127.0.0.1:8545 --l1-rollup 0x1234 --l1-key "$TMP/l1.key" && grep -q 'not a contract address' "$TMP/out" ||
    bad "bad rollup address refused: $(cat "$TMP/out")"
run 2 "$D" "${L1[@]}" --l1-rpc http://127.0.0.1:8545 --l1-rollup $ADDR --l1-key "$TMP/nokey" && grep -q 'no such file' "$TMP/out" ||
    bad "missing L1 key refused: $(cat "$TMP/out")"
chmod 644 "$TMP/l1.key"
run 2 "$D" "${L1[@]}" --l1-rpc http://127.0.0.1:8545 --l1-rollup $ADDR --l1-key "$TMP/l1.key" && grep -q 'readable or writable by group or others' "$TMP/out" ||
    bad "world-readable L1 key refused: $(cat "$TMP/out")"
chmod 600 "$TMP/l1.key"
printf 'l1_rpc = unix:/nowhere\nl1_rollup = %s\nl1_key = %s\nl1_confirmations = 3\n' $ADDR "$TMP/l1.key" >"$TMP/l1.conf"
run 2 "$D" "${L1[@]}" --config "$TMP/l1.conf" && grep -q 'l1_tree_key .*/l1/keys/tree_update.zkey: no such file' "$TMP/out" ||
    bad "L1 mode without a tree-update key refused: $(cat "$TMP/out")"
"$CLI" setup --circuit tree-update --depth 2 --max-leaves 1 --out "$TMP/tk" >/dev/null 2>&1 || bad "a small tree-update key"
run 2 "$D" "${L1[@]}" --config "$TMP/l1.conf" --l1-tree-key "$TMP/tk/tree_update.zkey" && grep -q 'l1-rpc unix:/nowhere, --l1-rollup .*: L1 node unreachable' "$TMP/out" ||
    bad "L1 mode with an L1 that does not answer refused: $(cat "$TMP/out")"
[[ ! -e "$TMP/l1" ]] && ok || bad "nothing made in the data directory"

# --- a node ------------------------------------------------------------------------------------
run 0 "$CLI" setup --depth 2 --out "$TMP/keys"

# a verifying key with gamma = delta, or an IC list of the wrong length (DESIGN.md 7): refused
# at start with its own error, never served
for edit in gamma_delta ic_length; do
    node -e '
        const fs = require("fs");
        const vk = JSON.parse(fs.readFileSync(process.argv[1]));
        if (process.argv[3] === "gamma_delta") vk.vk_delta_2 = vk.vk_gamma_2;
        else vk.IC.pop();
        fs.writeFileSync(process.argv[2], JSON.stringify(vk));
    ' "$TMP/keys/verification_key.json" "$TMP/vk_$edit.json" "$edit" || die "node could not edit the vk"
done
run 1 "$D" --datadir "$TMP/x" --chain-id 5 --rpc-bind 127.0.0.1:0 --vk-file "$TMP/vk_gamma_delta.json" &&
    grep -q 'gamma equals delta' "$TMP/out" || bad "vk with gamma = delta refused"
run 1 "$D" --datadir "$TMP/x" --chain-id 5 --rpc-bind 127.0.0.1:0 --vk-file "$TMP/vk_ic_length.json" &&
    grep -q 'IC length' "$TMP/out" || bad "vk with a wrong IC length refused"
cat >"$TMP/node.conf" <<EOF
chain_id = 5
vk_file = $TMP/keys/verification_key.json
rpc_bind = 127.0.0.1:0
metrics_bind = 0
block_interval_ms = 100
min_fee = 77
EOF
# an rpcauth credential from tacit-cli rpcauth (bitcoind's share/rpcauth): the line for the
# config, and the password
run 0 "$CLI" rpcauth op
grep -qx 'rpcauth = op:[0-9a-f]\{32\}\$[0-9a-f]\{64\}' "$TMP/out" && ok || bad "rpcauth line: $(cat "$TMP/out")"
grep '^rpcauth = ' "$TMP/out" >>"$TMP/node.conf"
OP_PW=$(sed -n '/^Your password:$/{n;p}' "$TMP/out")
[[ ${#OP_PW} -eq 43 ]] && ok || bad "a 256-bit random password: '$OP_PW'"
run 0 "$CLI" --json rpcauth op2 - <<<"two words" &&
    grep -q '"rpcauth":"op2:[0-9a-f]*\$[0-9a-f]*","password":"two words"' "$TMP/out" || bad "rpcauth --json, password from stdin"
run 2 "$CLI" rpcauth 'a:b' && grep -q "without ':'" "$TMP/out" || bad "rpcauth: a user with ':' refused"
tacitd_start /dev/null "$TMP/log1" --datadir "$TMP/d" --config "$TMP/node.conf" --empty-blocks ||
    die "tacitd did not start: $(cat "$TMP/log1")"
ok
[[ $(stat -c %a "$TMP/d/.cookie") == 600 ]] && ok || bad "cookie mode 0600"
[[ $(stat -c %a "$TMP/d/tacitd.sock") == 600 ]] && ok || bad "socket mode 0600"
run 0 call tacit_chainInfo
grep -q '"chainId":"0x5"' "$TMP/out" && grep -q '"minFee":"77"' "$TMP/out" && grep -q '"devnet":false' "$TMP/out" ||
    bad "chainInfo: $(cat "$TMP/out")"
run 0 call tacit_waitForBlock 0x3 =20000 && grep -q '"height":"0x3"' "$TMP/out" || bad "empty blocks are sealed"
run 0 call tacit_minFee && grep -qx '"77"' "$TMP/out" || bad "min fee from the config"
run 0 "$CLI" --rpc "http://127.0.0.1:$port" --rpc-auth "op:$OP_PW" rpc admin_setMinFee 77 || bad "admin with the rpcauth credential"
run 1 "$CLI" --rpc "http://127.0.0.1:$port" --rpc-auth "op:${OP_PW}x" rpc admin_setMinFee 77 &&
    grep -q -- '-32001' "$TMP/out" || bad "a wrong rpcauth password refused"

# a second tacitd on the same data dir is refused, naming the lock
run 1 "$D" --datadir "$TMP/d" --config "$TMP/node.conf" && grep -q 'in use by another tacitd' "$TMP/out" ||
    bad "second instance refused"

# admin: refused without or with wrong credentials, accepted with the cookie and on the socket
run 1 call admin_pause && grep -q -- '-32001' "$TMP/out" || bad "admin without credentials"
run 1 "$CLI" --rpc "http://127.0.0.1:$port" --rpc-auth "__cookie__:00" rpc admin_pause &&
    grep -q -- '-32001' "$TMP/out" || bad "admin with a wrong cookie"
run 0 "$CLI" --rpc "http://127.0.0.1:$port" --rpc-auth "$(cat "$TMP/d/.cookie")" rpc admin_setMinFee 5
run 0 "$CLI" --rpc "unix:$TMP/d/tacitd.sock" rpc admin_pause
run 0 call tacit_chainInfo && grep -q '"paused":true' "$TMP/out" || bad "paused"
run 1 call dev_mine && grep -q 'devnet only' "$TMP/out" || bad "dev_ refused off the devnet"
# rpc.discover (issue 15, 10): the OpenRPC document of every method
run 0 call rpc.discover && grep -q '"openrpc":"1.2.6"' "$TMP/out" && grep -q '"name":"tacit_getBlockRange"' "$TMP/out" &&
    grep -q '"name":"rpc.discover"' "$TMP/out" || bad "rpc.discover: $(head -c 300 "$TMP/out")"
run 1 call rpc.discover 1 && grep -q -- '-32602' "$TMP/out" || bad "rpc.discover takes no params"
run 1 call tacit_getBlockByNumber 12 && grep -q -- '-32602' "$TMP/out" || bad "height must be hex"
run 0 call tacit_getBlockByNumber 0x1 && grep -q '"parent"' "$TMP/out" || bad "block 1"
run 1 call tacit_sendRawTransaction 0x01 && grep -q '(EENCODING): bad encoding' "$TMP/out" || bad "junk tx"
curl -s "http://127.0.0.1:$port/health" >"$TMP/health"
grep -q '"status":"ok"' "$TMP/health" && ok || bad "/health"
# /metrics (issue 14, 6): 404 on the RPC port, served on the metrics listener (metrics_bind =
# 0: loopback, any free port, logged)
code=$(curl -s -o "$TMP/metrics" -w '%{http_code}' "http://127.0.0.1:$port/metrics")
[[ $code == 404 ]] && grep -q 'metrics listener' "$TMP/metrics" && ok || bad "/metrics on the RPC port: $code"
mport=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/log1" | head -1)
[[ -n $mport && $mport != "$port" ]] && ok || bad "metrics listener logged: $(cat "$TMP/log1")"
code=$(curl -s -o /dev/null -w '%{http_code}' -d '{"jsonrpc":"2.0","id":1,"method":"tacit_chainInfo"}' \
    "http://127.0.0.1:$mport/")
[[ $code == 404 ]] && ok || bad "JSON-RPC on the metrics listener: $code"
curl -s "http://127.0.0.1:$mport/metrics" >"$TMP/metrics"
grep -q '^tacit_blocks_total [1-9]' "$TMP/metrics" && grep -q '^tacit_block_commit_seconds_count' "$TMP/metrics" &&
    grep -q 'tacit_rpc_calls_total{method="admin_pause",code="-32001"}' "$TMP/metrics" && ok || bad "/metrics"
# the verify jobs' sizes (a histogram): the junk tx above was refused before any proof check
grep -qx 'tacit_verify_job_txs_bucket{le="1"} 0' "$TMP/metrics" &&
    grep -qx 'tacit_verify_job_txs_bucket{le="+Inf"} 0' "$TMP/metrics" &&
    grep -qx 'tacit_verify_job_txs_count 0' "$TMP/metrics" && grep -qx 'tacit_verify_job_txs_sum 0' "$TMP/metrics" &&
    ok || bad "tacit_verify_job_txs: $(grep tacit_verify_job "$TMP/metrics")"
# issue 15, 7: the tip's height (as tacit_chainInfo's "height"), the release, the process
run 0 call tacit_chainInfo
h=$(sed -n 's/.*"height":"0x\([0-9a-f]*\)".*/\1/p' "$TMP/out")
curl -s "http://127.0.0.1:$mport/metrics" >"$TMP/metrics"
[[ -n $h ]] && grep -qx "tacit_chain_height $((16#$h))" "$TMP/metrics" && ok ||
    bad "tacit_chain_height is the tip (chainInfo height 0x$h): $(grep '^tacit_chain_height' "$TMP/metrics")"
ver=$("$D" --version | sed -n 's/^tacitd \([0-9][0-9.]*\) (protocol v1; v2 on L1)$/\1/p')
[[ -n $ver && $("$CLI" --version) == "tacit-cli $ver" ]] && ok || bad "--version: $("$D" --version) / $("$CLI" --version)"
grep -qx "tacit_build_info{version=\"$ver\",protocol=\"1\"} 1" "$TMP/metrics" && ok || bad "tacit_build_info"
mval() { sed -n "s/^$1 \([0-9.]*\)$/\1/p" "$TMP/metrics"; }
rss=$(mval process_resident_memory_bytes) fds=$(mval process_open_fds) maxfds=$(mval process_max_fds)
start=$(mval process_start_time_seconds) cpu=$(mval process_cpu_seconds_total)
now=$(date +%s)
[[ -n $rss && $rss -gt 1000000 ]] && ok || bad "process_resident_memory_bytes '$rss'"
# at least stdin/out/err, the store, the listeners; fewer than the limit
[[ -n $fds && -n $maxfds && $fds -ge 6 && $fds -lt $maxfds ]] && ok || bad "process_open_fds '$fds' (max '$maxfds')"
[[ -n $start && ${start%.*} -le $now && ${start%.*} -ge $((now - 900)) ]] && ok || bad "process_start_time_seconds '$start' (now $now)"
[[ -n $cpu && $cpu != 0.00 ]] && ok || bad "process_cpu_seconds_total '$cpu'"

# a busy RPC port (this node's) is refused before anything is written (issue 15, 6): a new data
# directory is not left behind, an empty one stays empty
run 1 "$D" --datadir "$TMP/fresh" --config "$TMP/node.conf" --rpc-bind "127.0.0.1:$port" &&
    grep -q "cannot listen on the JSON-RPC address (rpc_bind) 127.0.0.1:$port: in use by another program" "$TMP/out" ||
    bad "a busy RPC port refused, said why"
[[ ! -e $TMP/fresh ]] && ok || bad "a refused start left $TMP/fresh behind: $(ls -A "$TMP/fresh")"
mkdir -p "$TMP/empty"
run 1 "$D" --datadir "$TMP/empty" --config "$TMP/node.conf" --metrics-bind "127.0.0.1:$port" &&
    grep -q "metrics address (metrics_bind) 127.0.0.1:$port: in use" "$TMP/out" || bad "a busy metrics port refused"
[[ -z $(ls -A "$TMP/empty" | grep -v '^LOCK$') ]] && ok || bad "a refused start wrote into $TMP/empty: $(ls -A "$TMP/empty")"

# clean stop: exit 0, cookie removed; restart keeps blocks, the pause flag and the min fee
run 0 call tacit_chainInfo
tip=$(sed -n 's/.*"tipHash":"\(0x[0-9a-f]*\)".*/\1/p' "$TMP/out")
tacitd_stop && ok || bad "SIGTERM -> exit 0"
[[ ! -e $TMP/d/.cookie ]] && ok || bad "cookie removed at stop"
grep -q 'stopped' "$TMP/log1" && ok || bad "stop logged"
tacitd_start /dev/null "$TMP/log2" --datadir "$TMP/d" --config "$TMP/node.conf" --empty-blocks || die "restart failed"
run 0 call tacit_chainInfo
grep -q '"paused":true' "$TMP/out" && grep -q '"minFee":"5"' "$TMP/out" && grep -q "\"tipHash\":\"$tip\"" "$TMP/out" ||
    bad "restart keeps paused, min fee, tip: $(cat "$TMP/out")"
# and says so: the saved minimum fee overrides the config file's (issue 15, 6), the pause stays
grep -q 'minimum fee 5 (set by admin_setMinFee, saved in .*) overrides min_fee = 77 of the configuration' "$TMP/log2" &&
    grep -q 'sequencing stays paused (admin_pause, saved in .*): admin_resume resumes it' "$TMP/log2" && ok ||
    bad "the saved min fee and pause said at start: $(cat "$TMP/log2")"
run 0 "$CLI" --rpc "unix:$TMP/d/tacitd.sock" rpc admin_resume
run 0 call tacit_waitForBlock 0x8 =20000 && grep -q '"height":"0x8"' "$TMP/out" || bad "resumed"
tacitd_stop || bad "second stop"

# --- the log file and the signals (docs/operations.md "Signals") -------------------------------
# --log-file: everything goes there, nothing to stderr; strings from outside are escaped (an
# admin_backup path with a newline and an ESC cannot forge a line); SIGHUP after logrotate's mv
# reopens the file and never kills; SIGTERM removes the cookie and the socket.
LOGF="$TMP/log file.log"
"$D" --datadir "$TMP/d" --config "$TMP/node.conf" --log-file "$LOGF" >/dev/null 2>"$TMP/stderr3" &
pid=$!
port=
for _ in $(seq 1 600); do
    port=$(sed -n 's|.*JSON-RPC on http://127.0.0.1:\([0-9]*\).*|\1|p' "$LOGF" 2>/dev/null | head -1)
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
[[ -n $port ]] || die "tacitd --log-file did not start: $(cat "$TMP/stderr3" "$LOGF" 2>&1)"
ok
[[ ! -s $TMP/stderr3 ]] && ok || bad "--log-file: nothing on stderr: $(cat "$TMP/stderr3")"
forged="$TMP/bk"$'\n''2026-01-01T00:00:00.000Z ERROR node: forged'$'\x1b''[31m'
run 0 "$CLI" --rpc "unix:$TMP/d/tacitd.sock" rpc admin_backup "$forged"
[[ -s $forged/data.mdb ]] && ok || bad "the backup with an odd path was written"
grep -q '^2026-01-01T00:00:00.000Z' "$LOGF" && bad "a path with a newline forged a log line: $(cat "$LOGF")" || ok
grep -q $'\x1b' "$LOGF" && bad "a raw ESC reached the log" || ok
grep -q 'backup written to ".*/bk\\n2026-01-01T00:00:00.000Z ERROR node: forged\\x1b\[31m" (' "$LOGF" && ok ||
    bad "the backup line names the path quoted and escaped, on one line: $(grep backup "$LOGF")"
mv "$LOGF" "$LOGF.1"
kill -HUP "$pid"
for _ in $(seq 1 100); do [[ -s $LOGF ]] && break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && ok || bad "SIGHUP killed tacitd"
grep -q 'SIGHUP: log file reopened' "$LOGF" && ok || bad "SIGHUP: a new log file: $(cat "$LOGF" 2>&1)"
[[ $(stat -c %a "$LOGF") == 640 ]] && ok || bad "log file mode 0640"
run 0 "$CLI" --rpc "unix:$TMP/d/tacitd.sock" rpc admin_pause
grep -q 'sequencing paused' "$LOGF" && ok || bad "after SIGHUP the log goes to the new file"
grep -q 'sequencing paused' "$LOGF.1" && bad "the moved file still written after SIGHUP" || ok
tacitd_stop && ok || bad "SIGTERM after SIGHUP -> exit 0"
[[ ! -e $TMP/d/.cookie && ! -e $TMP/d/tacitd.sock ]] && ok || bad "SIGTERM removes the cookie and the socket"
grep -q 'SIGTERM: stopping' "$LOGF" && grep -q 'stopped' "$LOGF" && ok || bad "the stop is in the new log file"

# without --log-file: SIGHUP and SIGUSR2 are logged and ignored, SIGQUIT stops cleanly
tacitd_start /dev/null "$TMP/log4" --datadir "$TMP/d" --config "$TMP/node.conf" || die "restart failed"
kill -HUP "$pid"
kill -USR2 "$pid"
for _ in $(seq 1 100); do grep -q 'SIGUSR2: ignored' "$TMP/log4" && break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && ok || bad "SIGHUP or SIGUSR2 killed tacitd"
grep -q 'SIGHUP: no log file to reopen' "$TMP/log4" && ok || bad "SIGHUP without a log file: said so"
kill -QUIT "$pid"
wait "$pid" && ok || bad "SIGQUIT -> exit 0"
pid=
[[ ! -e $TMP/d/.cookie && ! -e $TMP/d/tacitd.sock ]] && ok || bad "SIGQUIT removes the cookie and the socket"
run 1 "$D" --datadir "$TMP/d" --config "$TMP/node.conf" --log-file "$TMP/no/such/dir/x.log" &&
    grep -q 'cannot open the log file' "$TMP/out" || bad "an unwritable log file: refused, said why"

# the sample config of contrib/systemd/ (issue 15, 6): it loads (flags override its addresses and
# key), and every key it names, commented out or not, is one tacitd knows
tacitd_start /dev/null "$TMP/log6" --config contrib/systemd/tacitd.conf --datadir "$TMP/sample" \
    --rpc-bind 127.0.0.1:0 --metrics-bind 0 --vk-file "$TMP/keys/verification_key.json" ||
    die "tacitd with contrib/systemd/tacitd.conf: $(cat "$TMP/log6")"
tacitd_stop && ok || bad "stop"
"$D" --help >"$TMP/help"
while read -r key; do
    grep -q -- "--${key//_/-} " "$TMP/help" && ok || bad "contrib/systemd/tacitd.conf names an unknown key $key"
done < <(sed -n 's/^#\{0,1\} *\([a-z0-9_]*\) = .*/\1/p' contrib/systemd/tacitd.conf)

# no --datadir: the node lives in ~/.tacit (issue 15, 6), and tacit-cli --datadir finds its cookie
# ... and tells systemd (sd_notify, Type=notify) when it is ready and when it stops
mkdir -p "$TMP/home"
"$BIN/notify_listen" "$TMP/notify" >"$TMP/notified" 2>&1 &
NL_PID=$!
trap 'kill "$NL_PID" 2>/dev/null; tacitd_cleanup' EXIT
for _ in $(seq 1 100); do [[ -S $TMP/notify ]] && break; sleep 0.05; done
NOTIFY_SOCKET="$TMP/notify" HOME="$TMP/home" tacitd_start /dev/null "$TMP/log5" --chain-id 5 \
    --rpc-bind 127.0.0.1:0 --rpc-socket none --vk-file "$TMP/keys/verification_key.json" ||
    die "tacitd without --datadir did not start: $(cat "$TMP/log5")"
[[ -e $TMP/home/.tacit/.cookie && -d $TMP/home/.tacit/state ]] && ok || bad "the default data directory ~/.tacit"
run 0 "$CLI" --datadir "$TMP/home/.tacit" --rpc "http://127.0.0.1:$port" rpc admin_setMinFee 1 ||
    bad "tacit-cli --datadir: the cookie of a non-devnet node"
for _ in $(seq 1 100); do grep -q '^READY=1' "$TMP/notified" && break; sleep 0.05; done
grep -qx 'READY=1|STATUS=sequencing, next height [0-9]*' "$TMP/notified" && ok ||
    bad "READY=1 sent to \$NOTIFY_SOCKET: $(cat "$TMP/notified")"
tacitd_stop && ok || bad "stop"
grep -qx 'STOPPING=1|STATUS=stopping' "$TMP/notified" && ok || bad "STOPPING=1 at the stop: $(cat "$TMP/notified")"
kill "$NL_PID" 2>/dev/null
wait "$NL_PID" 2>/dev/null

echo "cli_tacitd.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
