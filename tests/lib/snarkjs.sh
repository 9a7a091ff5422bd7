# tests/lib/snarkjs.sh — sourced by the tests/*.sh scripts that use snarkjs as an oracle
# (not a test itself: ctest registers tests/*.sh only).
#
# Before sourcing, the script sets CLI (tacit-cli), CACHE (the npm folder) and TMP (its
# scratch folder). This file: checks node/npm and tacit-cli, installs snarkjs@SNARKJS_VERSION
# from the npm registry into $CACHE once (a lock serialises concurrent installs; without
# node/npm or the registry the test FAILS, saying so: it is never skipped silently), sets
# SNARKJS to the command that runs it, and defines the helpers die, ok, bad, run, same_vk.

SNARKJS_VERSION=0.7.6
SCRIPT_NAME="${0##*/}"

die() {
    echo "$SCRIPT_NAME: $*" >&2
    exit 1
}

for tool in node npm; do
    command -v "$tool" >/dev/null || die "needs $tool (Debian: apt-get install nodejs npm)"
done
[[ -x "$CLI" ]] || die "no $CLI (build first)"

mkdir -p "$CACHE" || die "cannot create $CACHE"
snarkjs_installed() {
    [[ "$(node -e "try{console.log(require('$CACHE/node_modules/snarkjs/package.json').version)}catch(e){}" 2>/dev/null)" == "$SNARKJS_VERSION" ]]
}
(
    flock 9
    if ! snarkjs_installed; then
        echo "$SCRIPT_NAME: installing snarkjs@$SNARKJS_VERSION from the npm registry into $CACHE" >&2
        cd "$CACHE" && { [[ -f package.json ]] || echo '{"private": true}' >package.json; } &&
            npm install --no-audit --no-fund --silent "snarkjs@$SNARKJS_VERSION" >&2
    fi
) 9>"$CACHE/.lock"
snarkjs_installed || die "could not install snarkjs@$SNARKJS_VERSION from the npm registry (offline? registry unreachable?)"
SNARKJS=(node "$CACHE/node_modules/snarkjs/build/cli.cjs")

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

# same_vk <a.json> <b.json>: equal verifying keys (vk_alphabeta_12 aside: tacit does not write it)
same_vk() {
    node -e '
const fs = require("fs");
const [a, b] = process.argv.slice(1).map((p) => JSON.parse(fs.readFileSync(p, "utf8")));
for (const k of [a, b]) delete k.vk_alphabeta_12;
const canon = (o) => JSON.stringify(o, Object.keys(o).sort());
process.exit(canon(a) === canon(b) ? 0 : 1);' "$1" "$2"
}
