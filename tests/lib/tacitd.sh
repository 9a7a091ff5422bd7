# tests/lib/tacitd.sh — sourced by the tests/*.sh scripts that run a real tacitd (after
# tests/lib/common.sh; they set D to the tacitd binary and TMP to their scratch folder). Not a
# test itself. On exit the script's tacitd is killed (if still running) and TMP removed.

[[ -x "$D" ]] || die "no $D (build first)"
pid=
tacitd_cleanup() {
    [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null
    rm -rf "$TMP"
}
trap tacitd_cleanup EXIT

# tacitd_start <stdout-file> <log-file> <tacitd args...>: starts tacitd in the background
# (its pid in $pid) and waits until its log names the TCP port it bound ($port). A devnet runs
# its trusted setup first: up to 3 minutes under the sanitizers. Returns 1 if tacitd exits or
# never binds.
tacitd_start() {
    local out=$1 log=$2
    shift 2
    "$D" "$@" >"$out" 2>"$log" &
    pid=$!
    port=
    for _ in $(seq 1 1800); do
        port=$(sed -n 's|.*JSON-RPC on http://127.0.0.1:\([0-9]*\).*|\1|p' "$log" | head -1)
        [[ -n $port ]] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# tacitd_stop: SIGTERM, and the exit status of tacitd (0 for a clean stop).
tacitd_stop() {
    kill -TERM "$pid"
    wait "$pid"
    local st=$?
    pid=
    return $st
}
