#!/usr/bin/env bash
# bench/vs-snarkjs.sh — time snarkjs.groth16.verify (in-process, node) against tacit's
# verifier on the same proofs, in the same run, and print both medians and the ratio.
#
# Proofs: a synthetic 7-public-input proof (`tacit-bench synth7`, the shape of the 2-in-2-out
# transfer) and tests/vectors/groth16/valid/merkle (a real snarkjs proof, 2 inputs).
#
# snarkjs@0.7.6 comes from the npm registry into a scratch folder, reused when present:
#   TACIT_VS_SNARKJS_DIR (default ${TMPDIR:-/tmp}/tacit-vs-snarkjs).
# Timings: snarkjs = median of RUNS calls after warm-up, both as process CPU time (all of
# node's threads, so worker threads count) and wall-clock; tacit = `tacit-bench verify`,
# median per-thread CPU time, parsing excluded, every check (G2 subgroup included) in. The
# ratio is taken on CPU time, which a loaded machine distorts least; the wall-clock ratio is
# printed beside it. RUNS defaults to 21 (at least 11).
# TACIT_BENCH: the tacit-bench binary to use (default build/bin/tacit-bench, built if missing).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
SNARKJS_VERSION=0.7.6
SCRATCH="${TACIT_VS_SNARKJS_DIR:-${TMPDIR:-/tmp}/tacit-vs-snarkjs}"
RUNS="${RUNS:-21}"
if ((RUNS < 11)); then RUNS=11; fi

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "vs-snarkjs: needs $tool (Debian: apt-get install nodejs npm)" >&2
        exit 2
    fi
done

# --- snarkjs ---------------------------------------------------------------------------
mkdir -p "$SCRATCH"
have="$(node -e "try{console.log(require('$SCRATCH/node_modules/snarkjs/package.json').version)}catch(e){}" 2>/dev/null || true)"
if [[ "$have" != "$SNARKJS_VERSION" ]]; then
    echo "vs-snarkjs: installing snarkjs@$SNARKJS_VERSION into $SCRATCH" >&2
    (cd "$SCRATCH" && { [[ -f package.json ]] || echo '{"private": true}' >package.json; } &&
        npm install --no-audit --no-fund --silent "snarkjs@$SNARKJS_VERSION" >&2)
fi

# --- tacit -----------------------------------------------------------------------------
BENCH="${TACIT_BENCH:-$ROOT/build/bin/tacit-bench}"
if [[ ! -x "$BENCH" ]]; then
    echo "vs-snarkjs: building tacit (Release)" >&2
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build "$ROOT/build" -j"$(nproc)" >&2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tacit-vs-snarkjs-run.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
"$BENCH" synth7 "$WORK/synth7"

cat >"$WORK/time_snarkjs.js" <<'EOF'
// Usage: node time_snarkjs.js <snarkjs dir> <vk.json> <public.json> <proof.json> <runs>
const fs = require("fs");
const [dir, vkPath, pubPath, proofPath, runsArg] = process.argv.slice(2);
const snarkjs = require(dir + "/node_modules/snarkjs");
const read = (p) => JSON.parse(fs.readFileSync(p, "utf8"));

async function main() {
    const vk = read(vkPath), pub = read(pubPath), proof = read(proofPath);
    const runs = parseInt(runsArg, 10);
    let ok = true;
    // warm-up: the first call builds the curve (wasm, workers), the next ones warm the JIT
    for (let i = 0; i < 10; i++) ok = (await snarkjs.groth16.verify(vk, pub, proof)) && ok;
    const t = [], c = [];
    for (let i = 0; i < runs; i++) {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const r = await snarkjs.groth16.verify(vk, pub, proof);
        t.push(Number(process.hrtime.bigint() - t0) / 1e3);
        const dc = process.cpuUsage(c0);
        c.push(dc.user + dc.system);
        ok = ok && r === true;
    }
    t.sort((a, b) => a - b);
    c.sort((a, b) => a - b);
    console.log(`snarkjs_ok=${ok}`);
    console.log(`snarkjs_verify_median_us=${t[(runs - 1) >> 1].toFixed(1)}`);
    console.log(`snarkjs_verify_cpu_median_us=${c[(runs - 1) >> 1].toFixed(1)}`);
    // snarkjs keeps the curve's worker threads alive (iden3/snarkjs#370): stop them.
    if (globalThis.curve_bn128) await globalThis.curve_bn128.terminate();
    process.exit(ok ? 0 : 1);
}
main().catch((e) => {
    console.error(e);
    process.exit(2);
});
EOF

compare() {
    local name="$1" dir="$2" sj tc sj_us sj_cpu tc_us
    local vk="$dir/verification_key.json" pub="$dir/public.json" proof="$dir/proof.json"
    if ! sj="$(node "$WORK/time_snarkjs.js" "$SCRATCH" "$vk" "$pub" "$proof" "$RUNS")"; then
        echo "vs-snarkjs: snarkjs did not verify $name:" >&2
        echo "$sj" >&2
        return 1
    fi
    tc="$("$BENCH" verify "$vk" "$pub" "$proof" --runs "$RUNS")"
    sj_us="$(sed -n 's/^snarkjs_verify_median_us=//p' <<<"$sj")"
    sj_cpu="$(sed -n 's/^snarkjs_verify_cpu_median_us=//p' <<<"$sj")"
    tc_us="$(sed -n 's/^verify_median_us=//p' <<<"$tc")"
    awk -v n="$name" -v s="$sj_us" -v sc="$sj_cpu" -v t="$tc_us" 'BEGIN {
        printf "%-30s snarkjs %8.1f us CPU (%8.1f us wall)   tacit %6.1f us CPU   tacit is %5.1fx faster (CPU; %.1fx wall)\n",
               n, sc, s, t, sc / t, s / t }'
}

echo "snarkjs $SNARKJS_VERSION (node $(node --version)) vs tacit, groth16 verify, medians of $RUNS"
compare "synthetic, 7 public inputs" "$WORK/synth7"
compare "merkle (snarkjs vector, 2 inputs)" "$ROOT/tests/vectors/groth16/valid/merkle"
