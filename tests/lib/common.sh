# tests/lib/common.sh — sourced by the tests/*.sh scripts (not a test itself: ctest
# registers tests/*.sh only). Before sourcing, the script sets CLI (tacit-cli) and TMP (its
# scratch folder). Defines die, ok, bad (counting into pass/fail) and run, and fails at once
# when tacit-cli is not built.

SCRIPT_NAME="${0##*/}"

die() {
    echo "$SCRIPT_NAME: $*" >&2
    exit 1
}

[[ -x "$CLI" ]] || die "no $CLI (build first)"

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# run <want-status> <command...>: the exit status must be want-status (output in $TMP/out)
run() {
    local want="$1"
    shift
    "$@" >"$TMP/out" 2>&1
    local status=$?
    if [[ $status -ne $want ]]; then
        bad "$* -> exit $status, want $want: $(tail -c 2000 "$TMP/out")"
        return 1
    fi
    ok
    return 0
}
