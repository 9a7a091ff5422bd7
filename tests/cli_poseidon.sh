#!/usr/bin/env bash
# tacit — `tacit-cli poseidon`: the spot values of tests/vectors/poseidon/README.md, a few
# more vectors, and the error exits (status 2, a reason on stderr, nothing on stdout).
# Run by ctest with TACIT_BIN and TACIT_VECTORS set.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-cli-poseidon.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

R=21888242871839275222246405745257275088548364400416034343698204186575808495617
R_MINUS_1=21888242871839275222246405745257275088548364400416034343698204186575808495616
U256_MAX=115792089237316195423570985008687907853269984665640564039457584007913129639935
U256_MAX_PLUS_1=115792089237316195423570985008687907853269984665640564039457584007913129639936

# shellcheck source=tests/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# expect <want-status> <stdout-regex> <stderr-regex> <command...>
expect() {
    local want="$1" re="$2" ere="$3"
    shift 3
    local out status
    out="$("$@" 2>"$TMP/stderr")"
    status=$?
    if [[ $status -ne $want ]]; then
        bad "$* -> exit $status, want $want (stdout: $out; stderr: $(cat "$TMP/stderr"))"
    elif [[ -n "$re" ]] && ! grep -Eq -- "$re" <<<"$out"; then
        bad "$* -> stdout \"$out\" does not match /$re/"
    elif [[ -z "$re" && -n "$out" ]]; then
        bad "$* -> unexpected stdout \"$out\""
    elif [[ -n "$ere" ]] && ! grep -Eq -- "$ere" "$TMP/stderr"; then
        bad "$* -> stderr \"$(cat "$TMP/stderr")\" does not match /$ere/"
    else
        ok
    fi
}

if [[ ! -x "$CLI" ]]; then
    echo "no $CLI (build first)" >&2
    exit 1
fi

# --- values (tests/vectors/poseidon/README.md and vectors.json) -------------------------
expect 0 '^18586133768512220936620570745912940619677854269274689475585506675881198879027$' '' \
    "$CLI" poseidon 1
expect 0 '^7853200120776062878684798364095072458815029376092732009249414926327459813530$' '' \
    "$CLI" poseidon 1 2
expect 0 '^19014214495641488759237505126948346942972912379615652741039992445865937985820$' '' \
    "$CLI" poseidon 0
expect 0 '^3366645945435192953002076803303112651887535928162668198103357554665518664470$' '' \
    "$CLI" poseidon "$R_MINUS_1"
# shellcheck disable=SC2046 # word splitting wanted: 16 arguments
expect 0 '^9989051620750914585850546081941653841776809718687451684622678807385399211877$' '' \
    "$CLI" poseidon $(seq 1 16)

# --- bad input: exit 2 ------------------------------------------------------------------
expect 2 '' 'need 1 to 16 inputs, got 0' "$CLI" poseidon
# shellcheck disable=SC2046
expect 2 '' 'need 1 to 16 inputs, got 17' "$CLI" poseidon $(seq 1 17)
expect 2 '' 'input 1 "abc": not a decimal number' "$CLI" poseidon abc
expect 2 '' 'input 2 "2x": not a decimal number' "$CLI" poseidon 1 2x
expect 2 '' 'input 1 "-1": not a decimal number' "$CLI" poseidon -1
expect 2 '' 'input 1 "\+1": not a decimal number' "$CLI" poseidon +1
expect 2 '' 'input 1 "01": not a decimal number' "$CLI" poseidon 01
expect 2 '' 'input 1 "": not a decimal number' "$CLI" poseidon ""
expect 2 '' 'input 1 " 1": not a decimal number' "$CLI" poseidon " 1"
expect 2 '' 'input 1 "0x1": not a decimal number' "$CLI" poseidon 0x1
expect 2 '' "input 1 \"$R\": not below the field modulus r" "$CLI" poseidon "$R"
expect 2 '' 'input 2 ".*": not below the field modulus r' "$CLI" poseidon 1 "$U256_MAX"
expect 2 '' 'not a decimal number' "$CLI" poseidon "$U256_MAX_PLUS_1" # 78 digits, >= 2^256
expect 2 '' 'not a decimal number' "$CLI" poseidon "$(printf '9%.0s' $(seq 1 79))"

# --- help -------------------------------------------------------------------------------
expect 0 'usage: tacit-cli poseidon' '' "$CLI" poseidon --help
expect 0 'poseidon' '' "$CLI" --help

echo "cli_poseidon: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
