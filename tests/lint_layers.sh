#!/usr/bin/env bash
# tacit — contrib/lint-layers (the layers of src/modules, issue 11): the tree passes; copies of
# src/ and include/ with one bad line planted each fail with the finding named: an upward
# include, a sideways one, a public header leaking <uv.h>, a public header no module owns, a
# src/ folder that is no module, a cycle between two headers, a module table pointing up; and
# with --libs, a module library calling a function of a module above it.
# Run by ctest from the repository root; needs only bash, awk and coreutils.
set -uo pipefail

LINT="contrib/lint-layers"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/tacit-lint-layers.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

pass=0
fail=0
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# fresh copy of the tree in $TMP/t
fresh() {
    rm -rf "$TMP/t"
    mkdir -p "$TMP/t"
    cp -r src include "$TMP/t/"
}

# plant <file> <line>: appends line to file (the copy)
plant() {
    printf '%s\n' "$2" >>"$TMP/t/$1"
}

# expect_fail <name> <stderr-regex>: the lint on the copy exits 1 and says why
expect_fail() {
    local name="$1" re="$2" status
    bash "$LINT" "$TMP/t" >"$TMP/out" 2>"$TMP/err"
    status=$?
    if [[ $status -ne 1 ]]; then
        bad "$name: exit $status, want 1 ($(cat "$TMP/err"))"
    elif ! grep -Eq -- "$re" "$TMP/err"; then
        bad "$name: stderr \"$(cat "$TMP/err")\" does not match /$re/"
    else
        pass=$((pass + 1))
    fi
}

# the tree itself
if out="$(bash "$LINT" 2>&1)"; then
    pass=$((pass + 1))
else
    bad "the tree: $out"
fi

fresh
plant src/crypto/keccak.c '#include "tacit/chain.h"'
expect_fail upward '^src/crypto/keccak\.c:[0-9]+: includes tacit/chain\.h \(module chain\): upward'

fresh
plant src/rpc/auth.c '#include "chain/chain_internal.h"'
expect_fail sideways '^src/rpc/auth\.c:[0-9]+: includes chain/chain_internal\.h \(module chain\): sideways'

fresh
plant include/tacit/circuit.h '#include "tacit/state.h"'
expect_fail public-upward '^include/tacit/circuit\.h:[0-9]+: includes tacit/state\.h \(module state\): upward'

fresh
plant include/tacit/rpc.h '#include <uv.h>'
expect_fail leak '^include/tacit/rpc\.h:[0-9]+: includes <uv\.h>: a public header may not leak it'

fresh
printf '#include "tacit/bn254.h"\n' >"$TMP/t/include/tacit/orphan.h"
expect_fail unowned-header '^include/tacit/orphan\.h: a public header that no header line'

fresh
mkdir -p "$TMP/t/src/orphan"
printf '#include "tacit/chain.h"\n' >"$TMP/t/src/orphan/client.c"
expect_fail unlisted-module '^src/orphan: a folder of src/ that src/modules does not list'

fresh
plant src/crypto/field.h '#include "crypto/curve.h"'
expect_fail header-cycle 'a cycle among the headers: .*src/crypto/(field|curve)\.h'

fresh
sed -i 's/^module    common$/module    common    crypto/' "$TMP/t/src/modules"
expect_fail table-up 'module common uses crypto, which is not a module listed above it'

# --libs: a module library that calls a function of a module above it (two tiny libraries
# made here: crypto calls chain)
if command -v cc >/dev/null && command -v ar >/dev/null && command -v nm >/dev/null; then
    mkdir -p "$TMP/libs"
    while read -r m code; do
        printf '%s\n' "$code" >"$TMP/libs/$m.c"
        cc -c -o "$TMP/libs/$m.o" "$TMP/libs/$m.c" && ar rc "$TMP/libs/libtacit_$m.a" "$TMP/libs/$m.o" ||
            bad "libs: cannot build the test library $m"
    done <<'LIBS'
common int tacit_lint_common(void) { return 0; }
crypto int tacit_lint_chain(void); int tacit_lint_crypto(void) { return tacit_lint_chain(); }
zk int tacit_lint_zk(void) { return 0; }
state int tacit_lint_state(void) { return 0; }
chain int tacit_lint_common(void); int tacit_lint_chain(void) { return tacit_lint_common(); }
rpc int tacit_lint_rpc(void) { return 0; }
node int tacit_lint_node(void) { return 0; }
wallet int tacit_lint_wallet(void) { return 0; }
LIBS
    fresh
    bash "$LINT" --libs "$TMP/libs" "$TMP/t" >"$TMP/out" 2>"$TMP/err"
    status=$?
    if [[ $status -ne 1 ]]; then
        bad "libs: exit $status, want 1 ($(cat "$TMP/err"))"
    elif ! grep -q '^libtacit_crypto\.a calls tacit_lint_chain of module chain' "$TMP/err" ||
        grep -q 'libtacit_chain' "$TMP/err"; then
        bad "libs: stderr \"$(cat "$TMP/err")\" names the wrong call"
    else
        pass=$((pass + 1))
    fi
else
    echo "lint_layers: libs case skipped: no cc, ar or nm"
fi

echo "lint_layers: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
