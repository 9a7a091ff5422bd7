#!/usr/bin/env bash
# tacit — `tacit-cli groth16` on every vector: stdout and exit status (0 valid, 1 invalid,
# 2 unreadable / not JSON / bad usage). Run by ctest with TACIT_BIN and TACIT_VECTORS set.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
VEC="${TACIT_VECTORS:-tests/vectors}/groth16"
CLI="$BIN/tacit-cli"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-cli-groth16.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=tests/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# expect <want-status> <stdout-regex> <command...>
expect() {
    local want="$1" re="$2"
    shift 2
    local out status
    out="$("$@" 2>"$TMP/stderr")"
    status=$?
    if [[ $status -ne $want ]]; then
        bad "$* -> exit $status, want $want (stdout: $out; stderr: $(cat "$TMP/stderr"))"
    elif [[ -n "$re" ]] && ! grep -Eq -- "$re" <<<"$out"; then
        bad "$* -> stdout \"$out\" does not match /$re/"
    else
        ok
    fi
}

# The reason each invalid vector's suffix must print (tests/vectors/groth16/README.md).
reason_for() {
    case "$1" in
    *_pub0_plus1) echo '^pairing check failed$' ;;
    *_pub0_plus_r) echo 'public\[0\]: public input not canonical \(>= r\)' ;;
    *_pub_missing_last | *_pub_extra_zero) echo 'public\.json: wrong number of public inputs' ;;
    *_pia_neg) echo '^pairing check failed$' ;;
    *_pia_not_on_curve) echo 'proof\.json pi_a: point not on curve' ;;
    *_pia_x_plus_p) echo 'proof\.json pi_a: coordinate not canonical' ;;
    *_pia_jacobian_z2) echo 'proof\.json pi_a: point not in affine form' ;;
    *_pia_infinity) echo 'proof\.json pi_a: point at infinity in proof' ;;
    *_pib_c0c1_swapped) echo 'proof\.json pi_b: point not on curve' ;;
    *_pib_not_in_subgroup) echo 'proof\.json pi_b: point not in subgroup' ;;
    *_wrong_vk) echo '^pairing check failed$|wrong number of public inputs' ;;
    *) echo '' ;;
    esac
}

if [[ ! -x "$CLI" ]]; then
    echo "no $CLI (build first)" >&2
    exit 1
fi

# --- every vector -------------------------------------------------------------
nvalid=0
for d in "$VEC"/valid/*/; do
    d="${d%/}"
    expect 0 '^OK$' "$CLI" groth16 verify "$d/verification_key.json" "$d/public.json" "$d/proof.json"
    nvalid=$((nvalid + 1))
done
ninvalid=0
for d in "$VEC"/invalid/*/; do
    d="${d%/}"
    re="$(reason_for "$(basename "$d")")"
    if [[ -z "$re" ]]; then
        bad "$(basename "$d"): no expected reason for this suffix"
        continue
    fi
    expect 1 "$re" "$CLI" groth16 verify "$d/verification_key.json" "$d/public.json" "$d/proof.json"
    ninvalid=$((ninvalid + 1))
done
[[ $nvalid -ge 4 && $ninvalid -ge 20 ]] && ok || bad "found $nvalid valid and $ninvalid invalid vectors"

# --- verify-batch ---------------------------------------------------------------
M="$VEC/valid/multiplier"
A0="$VEC/valid/multiplier_a0"
NC="$VEC/invalid/multiplier_pia_not_on_curve"
SG="$VEC/invalid/multiplier_pib_not_in_subgroup"
MISS="$VEC/invalid/multiplier_a0_pub_missing_last"
expect 0 '^OK$' "$CLI" groth16 verify-batch "$M/verification_key.json" "$M/public.json" "$M/proof.json"
out="$("$CLI" groth16 verify-batch "$M/verification_key.json" \
    "$M/public.json" "$M/proof.json" "$A0/public.json" "$A0/proof.json" \
    "$M/public.json" "$M/proof.json" 2>&1)"
status=$?
[[ $status -eq 0 && "$out" == $'OK\nOK\nOK' ]] && ok || bad "verify-batch of 3 valid: exit $status, \"$out\""
out="$("$CLI" groth16 verify-batch "$M/verification_key.json" \
    "$M/public.json" "$M/proof.json" \
    "$NC/public.json" "$NC/proof.json" \
    "$A0/public.json" "$A0/proof.json" \
    "$SG/public.json" "$SG/proof.json" \
    "$MISS/public.json" "$MISS/proof.json" \
    "$A0/public.json" "$M/proof.json" 2>"$TMP/stderr")"
status=$?
mapfile -t lines <<<"$out"
if [[ $status -eq 1 && ${#lines[@]} -eq 6 && "${lines[0]}" == OK && "${lines[2]}" == OK &&
    "${lines[1]}" == *"pi_a: point not on curve" && "${lines[3]}" == *"pi_b: point not in subgroup" &&
    "${lines[4]}" == *"wrong number of public inputs"* && "${lines[5]}" == "pairing check failed" ]]; then
    ok
else
    bad "verify-batch mixed: exit $status, stdout:"$'\n'"$out"
fi

# --- invalid key: exit 1 with the reason -------------------------------------------
sed 's/"groth16"/"plonk"/' "$M/verification_key.json" >"$TMP/vk_plonk.json"
expect 1 'vk_plonk\.json protocol: unsupported protocol' \
    "$CLI" groth16 verify "$TMP/vk_plonk.json" "$M/public.json" "$M/proof.json"
sed 's/"nPublic": 2/"nPublic": 3/' "$M/verification_key.json" >"$TMP/vk_ic.json"
expect 1 'IC: verification key invalid: IC length' \
    "$CLI" groth16 verify "$TMP/vk_ic.json" "$M/public.json" "$M/proof.json"
expect 1 'IC length' \
    "$CLI" groth16 verify-batch "$TMP/vk_ic.json" "$M/public.json" "$M/proof.json"

# --- exit 2: unreadable, not JSON, bad usage -----------------------------------------
printf '{"pi_a": ' >"$TMP/truncated.json"
printf '{"pi_a": ["1", "2", "1"], "pi_a": ["1", "2", "1"]}' >"$TMP/dup.json"
printf '["1", "2"] x' >"$TMP/trailing.json"
expect 2 '' "$CLI" groth16 verify "$TMP/missing.json" "$M/public.json" "$M/proof.json"
expect 2 '' "$CLI" groth16 verify "$M/verification_key.json" "$TMP/missing.json" "$M/proof.json"
expect 2 '' "$CLI" groth16 verify "$M/verification_key.json" "$M/public.json" "$TMP/missing.json"
expect 2 '' "$CLI" groth16 verify "$M/verification_key.json" "$M/public.json" "$TMP"
expect 2 '' "$CLI" groth16 verify "$TMP/truncated.json" "$M/public.json" "$M/proof.json"
expect 2 '' "$CLI" groth16 verify "$M/verification_key.json" "$M/public.json" "$TMP/truncated.json"
expect 2 '' "$CLI" groth16 verify "$M/verification_key.json" "$M/public.json" "$TMP/dup.json"
expect 2 '' "$CLI" groth16 verify "$M/verification_key.json" "$TMP/trailing.json" "$M/proof.json"
expect 2 '' "$CLI" groth16 verify-batch "$M/verification_key.json" "$M/public.json" "$M/proof.json" \
    "$M/public.json" "$TMP/missing.json"
expect 2 '' "$CLI" groth16
expect 2 '' "$CLI" groth16 verify
expect 2 '' "$CLI" groth16 verify "$M/verification_key.json" "$M/public.json"
expect 2 '' "$CLI" groth16 verify "$M/verification_key.json" "$M/public.json" "$M/proof.json" extra
expect 2 '' "$CLI" groth16 verify-batch "$M/verification_key.json"
expect 2 '' "$CLI" groth16 verify-batch "$M/verification_key.json" "$M/public.json"
expect 2 '' "$CLI" groth16 frobnicate
if [[ -n "$(cat "$TMP/stderr")" ]]; then ok; else bad "usage error printed nothing on stderr"; fi

# --- help ------------------------------------------------------------------------------
expect 0 'usage: tacit-cli groth16 verify' "$CLI" groth16 --help
expect 0 'usage: tacit-cli groth16 verify' "$CLI" groth16 verify --help
expect 0 'verify-batch' "$CLI" groth16 verify-batch --help

echo "cli_groth16: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
