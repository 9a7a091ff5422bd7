#!/usr/bin/env bash
# tacit — `tacit-cli groth16 export-solidity` on a real EVM, beside snarkjs's verifier (run by
# ctest with TACIT_BIN and TACIT_VECTORS set). For the multiplier key (tests/vectors/groth16/
# valid/multiplier, two public inputs):
#   1. tacit writes its verifier, snarkjs 0.7.6 writes its own (`zkey export
#      solidityverifier`); solc-js (tests/lib/solc.sh, pinned) compiles both; both are deployed
#      on anvil (tests/lib/anvil.sh, pinned, 127.0.0.1, a port the kernel picks) from anvil's
#      unlocked account 0 with eth_sendTransaction;
#   2. both answer eth_call alike, and as expected, for: a proof made by tacit and one made by
#      snarkjs (true; the snarkjs one encoded by `snarkjs zkey export soliditycalldata`, so the
#      ABI is checked independently of this script's encoder), a proof with A negated, with C
#      off the curve, with B outside G2 (a vector), a public input changed, a public input
#      + r (>= r), each proof coordinate + p (>= p), and calldata one word short (a revert);
#      The key without public inputs (the nopublic vectors'): tacit's verifier takes
#      verifyProof(_pA, _pB, _pC), accepts its proof and refuses it with A negated;
#   3. prints the gas of a valid call to each (gasUsed of a transaction that calls it, not
#      eth_estimateGas, which understates it: see evm.js) and their code sizes: informative,
#      not asserted;
#   4. the command's own refusals: an invalid key, a bad --name, bad usage.
# Needs node, npm, curl and the npm registry (snarkjs, solc, @foundry-rs/anvil, installed once
# into ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}); without them it fails, saying which is
# missing, as the other npm-backed tests do (CI reaches the registry). Seconds.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
VEC="${TACIT_VECTORS:-tests/vectors}/groth16"
KEY="$VEC/valid/multiplier"
CLI="$BIN/tacit-cli"
NPM_CACHE="${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}"
CACHE="$NPM_CACHE/snarkjs"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-groth16-solidity.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
HERE="$(dirname "${BASH_SOURCE[0]}")"

need() {
    echo "groth16_solidity.sh: FAIL: $*" >&2
    exit 1
}

[[ -x "$CLI" ]] || { echo "groth16_solidity.sh: no $CLI (build first)" >&2; exit 1; }
for tool in node npm curl flock; do
    command -v "$tool" >/dev/null || need "no $tool on PATH"
done
# shellcheck source=contrib/lib/npm.sh
source "$HERE/../contrib/lib/npm.sh"
tacit_npm_install "$CACHE" snarkjs 0.7.6 || need "cannot install snarkjs from the npm registry"
# shellcheck source=tests/lib/snarkjs.sh
source "$HERE/lib/snarkjs.sh"
# shellcheck source=tests/lib/solc.sh
source "$HERE/lib/solc.sh"
solc_install || need "cannot install solc-js $SOLC_VERSION from the npm registry"
# shellcheck source=tests/lib/anvil.sh
source "$HERE/lib/anvil.sh"
anvil_install || need "cannot install anvil $ANVIL_VERSION from the npm registry"

# --- 1. the two verifiers, compiled and deployed -----------------------------------------
# snarkjs's proof and its calldata, in the background while the contracts compile (each
# snarkjs run costs seconds of node start-up)
(
    "${SNARKJS[@]}" groth16 prove "$KEY/multiplier_final.zkey" "$KEY/multiplier.wtns" \
        "$TMP/proof_snarkjs.json" "$TMP/public_snarkjs.json" &&
        "${SNARKJS[@]}" zkey export soliditycalldata "$TMP/public_snarkjs.json" \
            "$TMP/proof_snarkjs.json" >"$TMP/calldata_snarkjs.txt"
) >"$TMP/snarkjs_prove.log" 2>&1 &
snarkjs_prove_pid=$!
run 0 "$CLI" groth16 export-solidity "$KEY/verification_key.json" --name TacitVerifier -o "$TMP/tacit.sol"
run 0 "${SNARKJS[@]}" zkey export solidityverifier "$KEY/multiplier_final.zkey" "$TMP/snarkjs.sol"
# a key without public inputs (the nopublic vectors' key; its valid proof is the one that
# nopublic_wrong_vk checks against another key): verifyProof(_pA, _pB, _pC)
NOPUB_KEY="$VEC/invalid/nopublic_pia_not_on_curve/verification_key.json"
NOPUB_PROOF="$VEC/invalid/nopublic_wrong_vk/proof.json"
run 0 "$CLI" groth16 export-solidity "$NOPUB_KEY" --name NoPublicVerifier -o "$TMP/nopub.sol"
# stdout is the same text as -o
"$CLI" groth16 export-solidity "$KEY/verification_key.json" --name TacitVerifier >"$TMP/stdout.sol" 2>&1
cmp -s "$TMP/stdout.sol" "$TMP/tacit.sol" && ok || bad "export-solidity to stdout differs from -o"

node -e '
const fs = require("fs");
const [t, s, n] = process.argv.slice(1).map((p) => fs.readFileSync(p, "utf8"));
process.stdout.write(JSON.stringify({
  language: "Solidity",
  sources: { "tacit.sol": { content: t }, "snarkjs.sol": { content: s }, "nopub.sol": { content: n } },
  settings: { optimizer: { enabled: true, runs: 200 },
              outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.methodIdentifiers"] } } },
}));' "$TMP/tacit.sol" "$TMP/snarkjs.sol" "$TMP/nopub.sol" >"$TMP/solc_in.json"
solc_standard_json <"$TMP/solc_in.json" >"$TMP/solc_out.json" || bad "solc did not run"
node -e '
const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const errs = (o.errors || []).filter((e) => e.severity === "error");
for (const e of o.errors || []) console.error(e.formattedMessage);
process.exit(errs.length === 0 && o.contracts["tacit.sol"].TacitVerifier && o.contracts["snarkjs.sol"].Groth16Verifier &&
             o.contracts["nopub.sol"].NoPublicVerifier ? 0 : 1);
' "$TMP/solc_out.json" 2>"$TMP/solc_msgs"
if [[ $? -eq 0 ]]; then ok; else bad "solc: $(head -c 3000 "$TMP/solc_msgs")"; fi
# tacit's contract compiles without a single warning
if grep -Eq 'tacit.sol|nopub.sol' "$TMP/solc_msgs"; then bad "solc warns about tacit.sol: $(cat "$TMP/solc_msgs")"; else ok; fi

# proofs: one by tacit, one by snarkjs (its calldata from `zkey export soliditycalldata`)
run 0 "$CLI" groth16 prove "$KEY/multiplier_final.zkey" "$KEY/multiplier.wtns" "$TMP/proof_tacit.json" "$TMP/public_tacit.json"
wait "$snarkjs_prove_pid" && ok || bad "snarkjs groth16 prove / zkey export soliditycalldata failed: $(cat "$TMP/snarkjs_prove.log")"

anvil_start "$TMP/anvil.log" || need "anvil did not start: $(tail -3 "$TMP/anvil.log")"

# --- 2, 3. deploy, call every case on both, compare --------------------------------------
cat >"$TMP/evm.js" <<'EOF'
// node evm.js URL SOLC_OUT CALLDATA_SNARKJS DIR: deploys both verifiers, prints one line per
// case: "<case> <tacit answer> <snarkjs answer>", answers true | false | revert; then
// "gas <tacit> <snarkjs>": gasUsed of a transaction calling verifyProof with the valid tacit
// proof; "size <tacit> <snarkjs>": runtime code bytes.
const fs = require("fs");
const [url, solcOut, cdSnarkjs, dir] = process.argv.slice(2);
const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
let id = 0;
async function rpc(method, params) {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }) });
  return res.json();
}
// anvil mines each transaction at once, but its receipt may lag the hash by a moment
async function receipt(hash) {
  for (let i = 0; i < 100; i++) {
    const r = (await rpc("eth_getTransactionReceipt", [hash])).result;
    if (r) return r;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return null;
}
const word = (v) => BigInt(v).toString(16).padStart(64, "0");
// snarkjs JSON proof + public -> [A, B, C, pub] as verifyProof takes them (B: x.c1, x.c0, ...)
function args(proof, pub) {
  const A = [proof.pi_a[0], proof.pi_a[1]].map(BigInt);
  const B = [[proof.pi_b[0][1], proof.pi_b[0][0]], [proof.pi_b[1][1], proof.pi_b[1][0]]].map((r) => r.map(BigInt));
  const C = [proof.pi_c[0], proof.pi_c[1]].map(BigInt);
  return [A, B, C, pub.map(BigInt)];
}
const encode = (sel, [A, B, C, pub]) => "0x" + sel + [...A, ...B.flat(), ...C, ...pub].map(word).join("");
const load = (p) => JSON.parse(fs.readFileSync(p, "utf8"));
(async () => {
  const out = load(solcOut);
  const accounts = (await rpc("eth_accounts", [])).result;
  const from = accounts[0];
  const deploy = async (file, name) => {
    const c = out.contracts[file][name];
    const sig = Object.keys(c.evm.methodIdentifiers).find((s) => s.startsWith("verifyProof("));
    const tx = await rpc("eth_sendTransaction", [{ from, data: "0x" + c.evm.bytecode.object, gas: "0x1000000" }]);
    if (!tx.result) throw new Error("deploy " + name + ": " + JSON.stringify(tx));
    const rc = await receipt(tx.result);
    if (!rc || rc.status !== "0x1") throw new Error("deploy " + name + " failed: " + JSON.stringify(rc));
    return { name, sig, sel: c.evm.methodIdentifiers[sig], addr: rc.contractAddress };
  };
  const deployed = [await deploy("tacit.sol", "TacitVerifier"), await deploy("snarkjs.sol", "Groth16Verifier")];
  if (deployed[0].sig !== deployed[1].sig) throw new Error("ABIs differ: " + deployed[0].sig + " vs " + deployed[1].sig);
  const call = async (d, data) => {
    const r = await rpc("eth_call", [{ from, to: d.addr, data }, "latest"]);
    if (r.error) return "revert";
    if (r.result === "0x" + word(1)) return "true";
    if (r.result === "0x" + word(0)) return "false";
    return "odd:" + r.result;
  };
  const cases = [];
  const tacit = args(load(dir + "/proof_tacit.json"), load(dir + "/public_tacit.json"));
  cases.push(["valid_tacit_proof", (s) => encode(s, tacit)]);
  const sj = JSON.parse("[" + fs.readFileSync(cdSnarkjs, "utf8") + "]");
  cases.push(["valid_snarkjs_proof_snarkjs_calldata", (s) => encode(s, sj)]);
  const tweak = (f) => { const a = JSON.parse(JSON.stringify(tacit, (k, v) => typeof v === "bigint" ? v.toString() : v));
                         const b = [a[0].map(BigInt), a[1].map((r) => r.map(BigInt)), a[2].map(BigInt), a[3].map(BigInt)];
                         f(b); return b; };
  cases.push(["A_negated", (s) => encode(s, tweak((b) => { b[0][1] = P - b[0][1]; }))]);
  cases.push(["C_off_curve", (s) => encode(s, tweak((b) => { b[2][0] = (b[2][0] + 1n) % P; }))]);
  cases.push(["B_c0_c1_swapped", (s) => encode(s, tweak((b) => { b[1] = [b[1][0].slice().reverse(), b[1][1].slice().reverse()]; }))]);
  cases.push(["pub0_plus_1", (s) => encode(s, tweak((b) => { b[3][0] = (b[3][0] + 1n) % R; }))]);
  cases.push(["pub1_plus_1", (s) => encode(s, tweak((b) => { b[3][1] = (b[3][1] + 1n) % R; }))]);
  cases.push(["pub0_plus_r", (s) => encode(s, tweak((b) => { b[3][0] += R; }))]);
  cases.push(["pub1_plus_r", (s) => encode(s, tweak((b) => { b[3][1] += R; }))]);
  cases.push(["pub0_max_uint", (s) => encode(s, tweak((b) => { b[3][0] = (1n << 256n) - 1n; }))]);
  for (const [lbl, f] of [["A.x", (b) => b[0][0] += P], ["A.y", (b) => b[0][1] += P],
                          ["B.x.c1", (b) => b[1][0][0] += P], ["B.x.c0", (b) => b[1][0][1] += P],
                          ["B.y.c1", (b) => b[1][1][0] += P], ["B.y.c0", (b) => b[1][1][1] += P],
                          ["C.x", (b) => b[2][0] += P], ["C.y", (b) => b[2][1] += P]])
    cases.push([lbl + "_plus_p", (s) => encode(s, tweak(f))]);
  const sub = args(load(process.argv[6]), load(process.argv[7]));
  cases.push(["B_not_in_G2_vector", (s) => encode(s, sub)]);
  cases.push(["calldata_one_word_short", (s) => encode(s, tacit).slice(0, -64)]);
  for (const [lbl, enc] of cases) {
    const ans = [];
    for (const d of deployed) ans.push(await call(d, enc(d.sel)));
    console.log(lbl, ans[0], ans[1]);
  }
  // the key without public inputs: tacit's verifier only (snarkjs's declares uint[0])
  const np = await deploy("nopub.sol", "NoPublicVerifier");
  console.log("nopub_signature", np.sig);
  const npArgs = args(load(process.argv[8]), []);
  console.log("nopub_valid", await call(np, encode(np.sel, npArgs)));
  npArgs[0][1] = P - npArgs[0][1];
  console.log("nopub_A_negated", await call(np, encode(np.sel, npArgs)));
  const gas = [];
  for (const d of deployed) {
    // a real transaction with gas to spare: eth_estimateGas would understate it for both,
    // since a precompile call starved of gas makes verifyProof return false, not revert
    const tx = await rpc("eth_sendTransaction", [{ from, to: d.addr, data: encode(d.sel, tacit), gas: "0x100000" }]);
    const rc = tx.result && await receipt(tx.result);
    gas.push(rc && rc.status === "0x1" ? BigInt(rc.gasUsed).toString() : "error:" + JSON.stringify(tx));
  }
  console.log("gas", gas[0], gas[1]);
  const est = [];
  for (const d of deployed) {
    const r = await rpc("eth_estimateGas", [{ from, to: d.addr, data: encode(d.sel, tacit) }]);
    est.push(r.result ? BigInt(r.result).toString() : "error");
  }
  console.log("estimate", est[0], est[1]);
  const size = [];
  for (const d of deployed) size.push(((await rpc("eth_getCode", [d.addr, "latest"])).result.length - 2) / 2);
  console.log("size", size[0], size[1]);
})().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
EOF
SUB="$VEC/invalid/multiplier_pib_not_in_subgroup"
if ! node "$TMP/evm.js" "$ANVIL_URL" "$TMP/solc_out.json" "$TMP/calldata_snarkjs.txt" "$TMP" \
    "$SUB/proof.json" "$SUB/public.json" "$NOPUB_PROOF" >"$TMP/results" 2>"$TMP/evm.err"; then
    bad "the EVM driver failed: $(cat "$TMP/evm.err")"
fi

expect_case() { # <case> <answer both must give>
    local line
    line=$(grep "^$1 " "$TMP/results")
    if [[ -z $line ]]; then
        bad "$1: no answer"
    elif [[ $line != "$1 $2 $2" ]]; then
        bad "$1: tacit, snarkjs answered \"${line#"$1 "}\", want $2 from both"
    else
        ok
    fi
}
expect_case valid_tacit_proof true
expect_case valid_snarkjs_proof_snarkjs_calldata true
for c in A_negated C_off_curve B_c0_c1_swapped pub0_plus_1 pub1_plus_1 pub0_plus_r \
    pub1_plus_r pub0_max_uint A.x_plus_p A.y_plus_p B.x.c1_plus_p B.x.c0_plus_p B.y.c1_plus_p \
    B.y.c0_plus_p C.x_plus_p C.y_plus_p B_not_in_G2_vector; do
    expect_case "$c" false
done
expect_case calldata_one_word_short revert
grep -qx 'nopub_signature verifyProof(uint256\[2\],uint256\[2\]\[2\],uint256\[2\])' "$TMP/results" && ok ||
    bad "no-public verifier: $(grep nopub_signature "$TMP/results")"
grep -qx 'nopub_valid true' "$TMP/results" && ok || bad "no-public verifier: valid proof: $(grep nopub_valid "$TMP/results")"
grep -qx 'nopub_A_negated false' "$TMP/results" && ok || bad "no-public verifier: A negated: $(grep nopub_A_neg "$TMP/results")"
read -r _ gas_tacit gas_snarkjs < <(grep '^gas ' "$TMP/results")
read -r _ size_tacit size_snarkjs < <(grep '^size ' "$TMP/results")
read -r _ est_tacit est_snarkjs < <(grep '^estimate ' "$TMP/results")
echo "groth16_solidity.sh: gas of a transaction calling verifyProof (2 public inputs; gasUsed, incl. 21000 base and calldata):" \
    "tacit ${gas_tacit:-?}, snarkjs ${gas_snarkjs:-?}; runtime code: tacit ${size_tacit:-?} B, snarkjs ${size_snarkjs:-?} B;" \
    "eth_estimateGas says tacit ${est_tacit:-?}, snarkjs ${est_snarkjs:-?} (too low: a starved precompile returns false)"

# --- 4. refusals of the command -----------------------------------------------------------
# a key with a point off the curve, one with a G2 point outside G2, one with IC too short, a
# bad name, bad usage
node -e '
const fs = require("fs");
const k = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const a = JSON.parse(JSON.stringify(k)); a.vk_alpha_1[0] = "1";
fs.writeFileSync(process.argv[2] + "/vk_off_curve.json", JSON.stringify(a));
const b = JSON.parse(JSON.stringify(k)); b.IC.pop();
fs.writeFileSync(process.argv[2] + "/vk_short_ic.json", JSON.stringify(b));
// delta: a point of the twist outside G2 (the pi_b of the pib_not_in_subgroup vector)
const c = JSON.parse(JSON.stringify(k));
c.vk_delta_2 = JSON.parse(fs.readFileSync(process.argv[3], "utf8")).pi_b;
fs.writeFileSync(process.argv[2] + "/vk_delta_not_in_g2.json", JSON.stringify(c));
' "$KEY/verification_key.json" "$TMP" "$VEC/invalid/multiplier_pib_not_in_subgroup/proof.json"
run 1 "$CLI" groth16 export-solidity "$TMP/vk_off_curve.json" -o "$TMP/x.sol"
grep -q 'vk_off_curve.json vk_alpha_1: point not on curve' "$TMP/out" && ok || bad "off-curve key: $(cat "$TMP/out")"
[[ ! -e "$TMP/x.sol" ]] && ok || bad "a refused key still wrote $TMP/x.sol"
run 1 "$CLI" groth16 export-solidity "$TMP/vk_delta_not_in_g2.json"
grep -q 'vk_delta_not_in_g2.json vk_delta_2: point not in subgroup' "$TMP/out" && ok || bad "delta outside G2: $(cat "$TMP/out")"
run 1 "$CLI" groth16 export-solidity "$TMP/vk_short_ic.json"
grep -q 'IC: verification key invalid: IC length is not nPublic + 1' "$TMP/out" && ok || bad "short IC: $(cat "$TMP/out")"
run 2 "$CLI" groth16 export-solidity "$KEY/verification_key.json" --name 1Verifier
grep -q 'not a Solidity contract name' "$TMP/out" && ok || bad "bad name: $(cat "$TMP/out")"
run 2 "$CLI" groth16 export-solidity "$KEY/verification_key.json" --name contract
run 2 "$CLI" groth16 export-solidity
run 2 "$CLI" groth16 export-solidity "$TMP/none.json"
run 2 "$CLI" groth16 export-solidity "$KEY/verification_key.json" --bogus

echo "groth16_solidity.sh: $pass passed, $fail failed"
if ((fail != 0)); then
    echo "--- results (case, tacit, snarkjs):" >&2
    cat "$TMP/results" >&2
fi
((fail == 0))
