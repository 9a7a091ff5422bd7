#!/usr/bin/env bash
# bench/prove-vs-snarkjs.sh — Groth16 proving time and peak memory, tacit against snarkjs,
# on the same statement with the same .zkey, in the same run; prints both and the ratio.
#
# Statement: the transfer circuit (depth 32) with its fixed dummy witness, from
# `tacit-bench prove --only transfer --out DIR`, which also writes transfer.zkey (tacit's
# devnet setup, in snarkjs's format), transfer.wtns and verification_key.json.
# With SNARKJS_SETUP=1 the key is made by snarkjs instead, the way a real ceremony starts:
# `tacit-cli circuit export-r1cs`, `snarkjs groth16 setup` with PTAU (default
# ../shared/vectors/ptau/pot16_final.ptau: test-only, one contribution) and one `zkey
# contribute` — slow (minutes), and tacit then proves with snarkjs's key.
# Also: the merkle vector (tests/vectors/groth16/valid/merkle, snarkjs's own .zkey).
#
# tacit: `tacit-bench prove`, median wall time of RUNS proofs on all cores (default 11).
# snarkjs: `snarkjs.groth16.prove(zkey, wtns)` in-process (node), median wall time of RUNS
#   calls after one warm-up (its best case: it uses worker threads on all cores).
# Peak memory: tacit's VmHWM over its timed proofs; snarkjs's process maxRSS
#   (process.resourceUsage), which includes node itself (~40 MiB).
# Every proof is checked: snarkjs's by `tacit-cli groth16 verify`.
# snarkjs@0.7.6 comes from npm into ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
SNARKJS_VERSION=0.7.6
CACHE="${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/snarkjs"
RUNS="${RUNS:-11}"
PTAU="${PTAU:-$ROOT/../shared/vectors/ptau/pot16_final.ptau}"
BIN="${TACIT_BIN:-$ROOT/build/bin}"

# --- snarkjs ---------------------------------------------------------------------------
# shellcheck source=contrib/lib/npm.sh
source "$ROOT/contrib/lib/npm.sh"
tacit_npm_install "$CACHE" snarkjs "$SNARKJS_VERSION" || exit 2
SNARKJS=(node "$CACHE/node_modules/snarkjs/build/cli.cjs")

# --- tacit -----------------------------------------------------------------------------
if [[ ! -x "$BIN/tacit-bench" || ! -x "$BIN/tacit-cli" ]]; then
    echo "prove-vs-snarkjs: building tacit (Release)" >&2
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build "$ROOT/build" -j"$(nproc)" >&2
    BIN="$ROOT/build/bin"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tacit-prove-vs-snarkjs.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

cat >"$WORK/prove.js" <<'EOF'
// node prove.js <snarkjs dir> <zkey> <wtns> <runs> <proof.json> <public.json>
const fs = require("fs");
const [dir, zkey, wtns, runsArg, proofOut, pubOut] = process.argv.slice(2);
const snarkjs = require(dir + "/node_modules/snarkjs");
async function main() {
    const runs = parseInt(runsArg, 10);
    const zk = fs.readFileSync(zkey), w = fs.readFileSync(wtns); // in memory: no file I/O timed
    let res = await snarkjs.groth16.prove(zk, w); // warm-up (curve, workers, JIT)
    const t = [];
    for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        res = await snarkjs.groth16.prove(zk, w);
        t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    t.sort((a, b) => a - b);
    fs.writeFileSync(proofOut, JSON.stringify(res.proof));
    fs.writeFileSync(pubOut, JSON.stringify(res.publicSignals));
    console.log(`snarkjs_prove_median_ms=${t[(runs - 1) >> 1].toFixed(1)}`);
    console.log(`snarkjs_peak_mib=${(process.resourceUsage().maxRSS / 1024).toFixed(1)}`);
    if (globalThis.curve_bn128) await globalThis.curve_bn128.terminate();
    process.exit(0);
}
main().catch((e) => { console.error(e); process.exit(2); });
EOF

# compare <name> <zkey> <wtns> <vk.json> <tacit-bench args...>
compare() {
    local name="$1" zkey="$2" wtns="$3" vk="$4"
    shift 4
    echo "== $name"
    "$BIN/tacit-bench" prove --rounds "$RUNS" "$@" | tee "$WORK/tacit.txt"
    local tacit_ms tacit_mib
    tacit_ms="$(awk '/^  prove \(wall\)/ {print ($(NF)=="ms") ? $(NF-1) : $(NF-1)/1000}' "$WORK/tacit.txt" | tail -1)"
    tacit_mib="$(awk '/peak resident memory/ {print $(NF-1)}' "$WORK/tacit.txt" | tail -1)"
    node "$WORK/prove.js" "$CACHE" "$zkey" "$wtns" "$RUNS" "$WORK/proof.json" "$WORK/public.json" >"$WORK/snarkjs.txt"
    local sj_ms sj_mib
    sj_ms="$(sed -n 's/^snarkjs_prove_median_ms=//p' "$WORK/snarkjs.txt")"
    sj_mib="$(sed -n 's/^snarkjs_peak_mib=//p' "$WORK/snarkjs.txt")"
    if "$BIN/tacit-cli" groth16 verify "$vk" "$WORK/public.json" "$WORK/proof.json" >/dev/null; then
        echo "  snarkjs's proof verifies with tacit: yes"
    else
        echo "  snarkjs's proof verifies with tacit: NO"
    fi
    printf '  %-38s %12s ms\n' "snarkjs groth16.prove (wall, median)" "$sj_ms"
    printf '  %-38s %12s ms\n' "tacit prove (wall, median)" "$tacit_ms"
    awk -v s="$sj_ms" -v t="$tacit_ms" 'BEGIN { if (t > 0) printf "  %-38s %12.1f x   (target: at least 5x)\n", "ratio snarkjs / tacit", s / t }'
    printf '  %-38s %12s MiB (tacit)  %s MiB (snarkjs, node included)\n' "peak memory" "$tacit_mib" "$sj_mib"
}

V="$ROOT/tests/vectors/groth16/valid/merkle"
compare "merkle (snarkjs's .zkey, 4,860 constraints)" "$V/merkle_final.zkey" "$V/merkle.wtns" \
    "$V/verification_key.json" --only files --zkey "$V/merkle_final.zkey" --wtns "$V/merkle.wtns"

"$BIN/tacit-bench" prove --rounds 1 --only transfer --out "$WORK" >/dev/null
if [[ "${SNARKJS_SETUP:-0}" == 1 ]]; then
    [[ -f "$PTAU" ]] || { echo "prove-vs-snarkjs: no powers of tau at $PTAU" >&2; exit 2; }
    echo "== snarkjs setup of the transfer circuit (slow)"
    "$BIN/tacit-cli" circuit export-r1cs "$WORK/transfer.r1cs" >/dev/null
    "${SNARKJS[@]}" groth16 setup "$WORK/transfer.r1cs" "$PTAU" "$WORK/transfer_0000.zkey" >/dev/null
    "${SNARKJS[@]}" zkey contribute "$WORK/transfer_0000.zkey" "$WORK/transfer.zkey" \
        --name=bench -e="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >/dev/null
    "${SNARKJS[@]}" zkey export verificationkey "$WORK/transfer.zkey" "$WORK/verification_key.json" >/dev/null
    what="snarkjs's .zkey"
else
    what="tacit's devnet .zkey"
fi
compare "transfer, depth 32 ($what)" "$WORK/transfer.zkey" "$WORK/transfer.wtns" \
    "$WORK/verification_key.json" --only files --zkey "$WORK/transfer.zkey" --wtns "$WORK/transfer.wtns"

# --- tacit-cli groth16 prove end to end (a fresh process: load the key, read the witness,
# prove, write), RUNS times each way, alternated: the .zkey read and checked every time
# (TACIT_NO_PK_CACHE=1), and through its prepared cache transfer.zkey.tacitpk (written by a
# first run, not timed). Medians of wall time; the proof of the last run is verified.
echo "== tacit-cli groth16 prove, end to end (transfer, depth 32)"
cli_ms() { # prints the wall time of one run in ms
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}
"$BIN/tacit-cli" groth16 prove "$WORK/transfer.zkey" "$WORK/transfer.wtns" "$WORK/p.json" "$WORK/q.json" >/dev/null
: >"$WORK/zkey.ms"
: >"$WORK/cache.ms"
for _ in $(seq "$RUNS"); do
    TACIT_NO_PK_CACHE=1 cli_ms "$BIN/tacit-cli" groth16 prove "$WORK/transfer.zkey" "$WORK/transfer.wtns" "$WORK/p.json" "$WORK/q.json" >>"$WORK/zkey.ms"
    cli_ms "$BIN/tacit-cli" groth16 prove "$WORK/transfer.zkey" "$WORK/transfer.wtns" "$WORK/p.json" "$WORK/q.json" >>"$WORK/cache.ms"
done
med() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
if "$BIN/tacit-cli" groth16 verify "$WORK/verification_key.json" "$WORK/q.json" "$WORK/p.json" >/dev/null; then
    echo "  the last proof verifies: yes"
else
    echo "  the last proof verifies: NO"
fi
printf '  %-38s %12s ms\n' "reading the .zkey (median)" "$(med "$WORK/zkey.ms")"
printf '  %-38s %12s ms\n' "through the cache (median)" "$(med "$WORK/cache.ms")"

