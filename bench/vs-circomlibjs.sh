#!/usr/bin/env bash
# bench/vs-circomlibjs.sh — tacit's Poseidon against circomlibjs's, in the same run:
#
#  1. agreement: CHECK_N (default 1000) random inputs per arity 1 to 6, drawn in node
#     (uniform below r), hashed by circomlibjs `buildPoseidon()` and written with the
#     outputs to a JSON file that `tacit-bench state poseidon-check` rehashes and compares;
#  2. speed of Poseidon(2): circomlibjs `poseidon([a, b])` in node (warm-up, then the median
#     of RUNS runs of HASHES hashes, each output feeding the next input) and tacit's
#     `tacit-bench state poseidon2` (median of 11 rounds); both speeds and the ratio.
#
# circomlibjs@0.1.7 comes from the npm registry into a scratch folder, reused when present:
#   TACIT_CIRCOMLIBJS_DIR (default ${TMPDIR:-/tmp}/tacit-circomlibjs), the folder
#   contrib/gen-poseidon-constants also uses.
# Timings: both processes are pinned to the same CPU (taskset, when available). node is
# timed by process CPU time (user + system, all its threads on that one CPU) and, for
# reference, wall-clock; tacit by per-thread CPU time. The ratio uses the CPU times.
# TACIT_BENCH: the tacit-bench binary to use (default build/bin/tacit-bench, built if missing).
# RUNS (default 7, at least 5), HASHES (default 20000), CHECK_N (default 1000).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
CIRCOMLIBJS_VERSION=0.1.7
SCRATCH="${TACIT_CIRCOMLIBJS_DIR:-${TMPDIR:-/tmp}/tacit-circomlibjs}"
RUNS="${RUNS:-7}"
if ((RUNS < 5)); then RUNS=5; fi
HASHES="${HASHES:-20000}"
CHECK_N="${CHECK_N:-1000}"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "vs-circomlibjs: needs $tool (Debian: apt-get install nodejs npm)" >&2
        exit 2
    fi
done

# --- circomlibjs -------------------------------------------------------------------------
mkdir -p "$SCRATCH"
have="$(node -e "try{console.log(require('$SCRATCH/node_modules/circomlibjs/package.json').version)}catch(e){}" 2>/dev/null || true)"
if [[ "$have" != "$CIRCOMLIBJS_VERSION" ]]; then
    echo "vs-circomlibjs: installing circomlibjs@$CIRCOMLIBJS_VERSION into $SCRATCH" >&2
    (cd "$SCRATCH" && { [[ -f package.json ]] || echo '{"private": true}' >package.json; } &&
        npm install --no-audit --no-fund --silent "circomlibjs@$CIRCOMLIBJS_VERSION" >&2)
fi

# --- tacit -------------------------------------------------------------------------------
BENCH="${TACIT_BENCH:-$ROOT/build/bin/tacit-bench}"
if [[ ! -x "$BENCH" ]]; then
    echo "vs-circomlibjs: building tacit (Release)" >&2
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build "$ROOT/build" -j"$(nproc)" >&2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tacit-vs-circomlibjs.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# One CPU for both sides: the one we are on now.
PIN=()
if command -v taskset >/dev/null; then
    cpu="$(awk '{print $39}' /proc/self/stat 2>/dev/null || echo 0)"
    PIN=(taskset -c "$cpu")
fi

# The node side lives in the scratch folder so that `import "circomlibjs"` resolves there.
cat >"$SCRATCH/tacit-vs-circomlibjs.mjs" <<'EOF'
// node tacit-vs-circomlibjs.mjs check <out.json> <n per arity>
// node tacit-vs-circomlibjs.mjs time <runs> <hashes>
import { buildPoseidon } from "circomlibjs";
import { randomBytes } from "crypto";
import { writeFileSync } from "fs";

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const rand = () => BigInt("0x" + randomBytes(64).toString("hex")) % R; // 512 bits mod r

const poseidon = await buildPoseidon();
const F = poseidon.F;
const [mode, a1, a2] = process.argv.slice(2);

if (mode === "check") {
    const n = parseInt(a2, 10), out = [];
    for (let arity = 1; arity <= 6; arity++) {
        for (let i = 0; i < n; i++) {
            const inputs = Array.from({ length: arity }, rand);
            out.push({ inputs: inputs.map(String), output: F.toObject(poseidon(inputs)).toString() });
        }
    }
    writeFileSync(a1, JSON.stringify(out));
    console.log(`circomlibjs: ${out.length} hashes written`);
} else if (mode === "time") {
    const runs = parseInt(a1, 10), hashes = parseInt(a2, 10);
    let a = F.e(rand()), b = F.e(rand());
    const chain = (k) => { for (let i = 0; i < k; i++) a = poseidon([a, b]); };
    chain(Math.max(2000, hashes >> 2)); // warm-up: JIT and wasm
    const cpu = [], wall = [];
    for (let r = 0; r < runs; r++) {
        const c0 = process.cpuUsage(), w0 = process.hrtime.bigint();
        chain(hashes);
        const w = Number(process.hrtime.bigint() - w0) / 1e3, c = process.cpuUsage(c0);
        wall.push(w / hashes);
        cpu.push((c.user + c.system) / hashes);
    }
    const med = (v) => { v.sort((x, y) => x - y); return v[(v.length - 1) >> 1]; };
    console.log(`circomlibjs_cpu_us=${med(cpu).toFixed(3)}`);
    console.log(`circomlibjs_wall_us=${med(wall).toFixed(3)}`);
    console.log(`circomlibjs_last=${F.toObject(a)}`);
} else {
    console.error("usage: check <out.json> <n> | time <runs> <hashes>");
    process.exit(2);
}
EOF

# --- 1. agreement ------------------------------------------------------------------------
echo "== agreement: $CHECK_N random inputs per arity 1..6 (circomlibjs@$CIRCOMLIBJS_VERSION buildPoseidon)"
(cd "$SCRATCH" && node tacit-vs-circomlibjs.mjs check "$WORK/random.json" "$CHECK_N")
agree=0
"$BENCH" state poseidon-check "$WORK/random.json" || agree=$?
if ((agree != 0)); then
    echo "vs-circomlibjs: tacit and circomlibjs DISAGREE (status $agree)" >&2
    exit 1
fi

# --- 2. speed ----------------------------------------------------------------------------
echo
echo "== Poseidon(2) speed (${PIN[*]:-unpinned})"
node_out="$(cd "$SCRATCH" && "${PIN[@]}" node tacit-vs-circomlibjs.mjs time "$RUNS" "$HASHES")"
tacit_out="$("${PIN[@]}" "$BENCH" state poseidon2)"
node_cpu="$(sed -n 's/^circomlibjs_cpu_us=//p' <<<"$node_out")"
node_wall="$(sed -n 's/^circomlibjs_wall_us=//p' <<<"$node_out")"
# the row: "Poseidon(2) (tacit_poseidon2)   <value> <unit>   <rate> hashes/s"
row="$(grep '^Poseidon(2)' <<<"$tacit_out")"
tacit_us="$(awk '{v=$(NF-3); u=$(NF-2); if (u=="ns") v/=1000; else if (u=="ms") v*=1000; printf "%.3f", v}' <<<"$row")"

awk -v nc="$node_cpu" -v nw="$node_wall" -v t="$tacit_us" -v runs="$RUNS" -v hashes="$HASHES" 'BEGIN {
    printf "%-36s %9.3f µs/hash %9.0f hashes/s   CPU time, median of %d runs of %d\n", "circomlibjs '"$CIRCOMLIBJS_VERSION"' poseidon([a, b])", nc, 1e6 / nc, runs, hashes
    printf "%-36s %9.3f µs/hash %9.0f hashes/s   wall-clock, same runs\n", "", nw, 1e6 / nw
    printf "%-36s %9.3f µs/hash %9.0f hashes/s   thread CPU time, median of 11 rounds\n", "tacit tacit_poseidon2", t, 1e6 / t
    printf "ratio (circomlibjs / tacit, CPU time): %.1fx\n", nc / t
}'
