#!/usr/bin/env bash
# tacit — the prover against snarkjs 0.7.6, in both directions (run by ctest with TACIT_BIN
# and TACIT_VECTORS set):
#   1. tacit proves with snarkjs's merkle_final.zkey + circom's merkle.wtns; `snarkjs groth16
#      verify` accepts the proof (and rejects it with a changed public input);
#   2. tacit's devnet setup on merkle.r1cs writes a .zkey that snarkjs reads: `snarkjs zkey
#      export verificationkey` gives tacit's verification_key.json; a tacit proof from it
#      verifies in snarkjs, and `snarkjs groth16 prove` with it gives a proof tacit verifies.
#   3. the key's prepared cache beside it: proofs from the cache verify in snarkjs; a flipped
#      byte, a truncation, a touched .zkey are refused with their reason on stderr.
#
# snarkjs@0.7.6 comes from the npm registry into ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs
# (installed once, reused; a lock serialises concurrent installs). Without node/npm or the
# registry the test fails, saying so.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
VEC="${TACIT_VECTORS:-tests/vectors}/groth16/valid/merkle"
CLI="$BIN/tacit-cli"
CACHE="${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-snarkjs-prove.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=tests/lib/snarkjs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/snarkjs.sh"

# --- 1. snarkjs's key, tacit's proof, snarkjs verifies ------------------------------------
run 0 "$CLI" groth16 prove "$VEC/merkle_final.zkey" "$VEC/merkle.wtns" "$TMP/proof.json" "$TMP/public.json"
run 0 "${SNARKJS[@]}" groth16 verify "$VEC/verification_key.json" "$TMP/public.json" "$TMP/proof.json"
grep -q "OK" "$TMP/out" && ok || bad "snarkjs verify of tacit's proof did not print OK"
run 0 "$CLI" groth16 verify "$VEC/verification_key.json" "$TMP/public.json" "$TMP/proof.json"
# the same proof with a changed public input: snarkjs must say no (the check is not vacuous)
node -e '
const fs = require("fs");
const p = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
p[0] = (BigInt(p[0]) + 1n).toString();
fs.writeFileSync(process.argv[2], JSON.stringify(p));' "$TMP/public.json" "$TMP/public_bad.json"
"${SNARKJS[@]}" groth16 verify "$VEC/verification_key.json" "$TMP/public_bad.json" "$TMP/proof.json" >"$TMP/out" 2>&1
if grep -q "OK!" "$TMP/out"; then bad "snarkjs accepted a tampered public input"; else ok; fi
# tacit's key extraction equals snarkjs's verification_key.json
run 0 "$CLI" groth16 export-vk "$VEC/merkle_final.zkey" "$TMP/vk_from_zkey.json"
same_vk "$TMP/vk_from_zkey.json" "$VEC/verification_key.json" && ok || bad "export-vk of merkle_final.zkey differs from its verification_key.json"

# --- 2. tacit's devnet key, read by snarkjs -------------------------------------------------
run 0 "$CLI" setup --out "$TMP/keys" --r1cs "$VEC/merkle.r1cs"
[[ -f "$TMP/keys/merkle.zkey" && -f "$TMP/keys/verification_key.json" ]] && ok || bad "setup did not write merkle.zkey and verification_key.json"
run 0 "${SNARKJS[@]}" zkey export verificationkey "$TMP/keys/merkle.zkey" "$TMP/vk_snarkjs.json"
same_vk "$TMP/vk_snarkjs.json" "$TMP/keys/verification_key.json" && ok || bad "snarkjs's export of tacit's .zkey differs from tacit's verification_key.json"
# tacit proves with its key, snarkjs verifies
run 0 "$CLI" groth16 prove "$TMP/keys/merkle.zkey" "$VEC/merkle.wtns" "$TMP/proof2.json" "$TMP/public2.json"
run 0 "${SNARKJS[@]}" groth16 verify "$TMP/keys/verification_key.json" "$TMP/public2.json" "$TMP/proof2.json"
# snarkjs proves with tacit's key, tacit verifies
run 0 "${SNARKJS[@]}" groth16 prove "$TMP/keys/merkle.zkey" "$VEC/merkle.wtns" "$TMP/proof3.json" "$TMP/public3.json"
run 0 "$CLI" groth16 verify "$TMP/keys/verification_key.json" "$TMP/public3.json" "$TMP/proof3.json"
# and not under snarkjs's own key (a different setup)
run 1 "$CLI" groth16 verify "$VEC/verification_key.json" "$TMP/public3.json" "$TMP/proof3.json"

# --- 3. the key's prepared cache (tacit_groth16_pk_load): proofs from it verify in snarkjs; a
# damaged cache is refused with its reason on stderr, the .zkey read and the cache rebuilt ----
CACHE="$TMP/keys/merkle.zkey.tacitpk"
[[ -s "$CACHE" ]] && ok || bad "the first prove did not write $CACHE"
prove_from() { # prove_from <what> <stderr pattern or empty>: prove, snarkjs verifies
    run 0 "$CLI" groth16 prove "$TMP/keys/merkle.zkey" "$VEC/merkle.wtns" "$TMP/proof4.json" "$TMP/public4.json"
    if [[ -n "$2" ]]; then
        grep -q "$2" "$TMP/out" && ok || bad "$1: stderr does not say \"$2\": $(cat "$TMP/out")"
    else
        [[ ! -s "$TMP/out" ]] && ok || bad "$1: unexpected output: $(cat "$TMP/out")"
    fi
    run 0 "${SNARKJS[@]}" groth16 verify "$TMP/keys/verification_key.json" "$TMP/public4.json" "$TMP/proof4.json"
}
prove_from "from the cache" ""
off=$(($(stat -c %s "$CACHE") - 100))
byte=$(od -An -tu1 -j "$off" -N1 "$CACHE" | tr -d ' ')
printf "\\x$(printf %02x $((byte ^ 0x5a)))" | dd of="$CACHE" bs=1 seek="$off" conv=notrunc status=none
prove_from "a flipped byte" "tacitpk: not used (checksum mismatch"
truncate -s 8192 "$CACHE"
prove_from "truncated" "tacitpk: not used (truncated)"
prove_from "rebuilt" ""
touch -d '2001-01-01' "$TMP/keys/merkle.zkey"
prove_from "the .zkey touched" "tacitpk: not used (stale"

echo "snarkjs_prove.sh: $pass passed, $fail failed"
((fail == 0))
