#!/usr/bin/env bash
# tacit — the prover against snarkjs 0.7.6, in both directions (run by ctest with TACIT_BIN
# and TACIT_VECTORS set):
#   1. tacit proves with snarkjs's merkle_final.zkey + circom's merkle.wtns; `snarkjs groth16
#      verify` accepts the proof (and rejects it with a changed public input);
#   2. tacit's devnet setup on merkle.r1cs writes a .zkey that snarkjs reads: `snarkjs zkey
#      export verificationkey` gives tacit's verification_key.json; a tacit proof from it
#      verifies in snarkjs, and `snarkjs groth16 prove` with it gives a proof tacit verifies.
#
# snarkjs@0.7.6 comes from the npm registry into ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs
# (installed once, reused; a lock serialises concurrent installs). Without node/npm or the
# registry the test fails, saying so.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
VEC="${TACIT_VECTORS:-tests/vectors}/groth16/valid/merkle"
CLI="$BIN/tacit-cli"
SNARKJS_VERSION=0.7.6
CACHE="${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-snarkjs-prove.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

die() {
    echo "snarkjs_prove.sh: $*" >&2
    exit 1
}

for tool in node npm; do
    command -v "$tool" >/dev/null || die "needs $tool (Debian: apt-get install nodejs npm)"
done
[[ -x "$CLI" ]] || die "no $CLI (build first)"

# --- snarkjs from npm, once ---------------------------------------------------------------
mkdir -p "$CACHE" || die "cannot create $CACHE"
installed() {
    [[ "$(node -e "try{console.log(require('$CACHE/node_modules/snarkjs/package.json').version)}catch(e){}" 2>/dev/null)" == "$SNARKJS_VERSION" ]]
}
(
    flock 9
    if ! installed; then
        echo "snarkjs_prove.sh: installing snarkjs@$SNARKJS_VERSION from the npm registry into $CACHE" >&2
        cd "$CACHE" && { [[ -f package.json ]] || echo '{"private": true}' >package.json; } &&
            npm install --no-audit --no-fund --silent "snarkjs@$SNARKJS_VERSION" >&2
    fi
) 9>"$CACHE/.lock"
installed || die "could not install snarkjs@$SNARKJS_VERSION from the npm registry (offline? registry unreachable?)"
SNARKJS=(node "$CACHE/node_modules/snarkjs/build/cli.cjs")

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# run <want-status> <command...>: the exit status must be want-status
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

# same_vk <a.json> <b.json>: equal verifying keys (vk_alphabeta_12 aside: tacit does not write it)
same_vk() {
    node -e '
const fs = require("fs");
const [a, b] = process.argv.slice(1).map((p) => JSON.parse(fs.readFileSync(p, "utf8")));
for (const k of [a, b]) delete k.vk_alphabeta_12;
const canon = (o) => JSON.stringify(o, Object.keys(o).sort());
process.exit(canon(a) === canon(b) ? 0 : 1);' "$1" "$2"
}

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

echo "snarkjs_prove.sh: $pass passed, $fail failed"
((fail == 0))
