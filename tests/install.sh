#!/usr/bin/env bash
# tests/install.sh — `cmake --install` of this build into a temporary prefix (issue 15, 6): the
# programs, libtacit.a with its headers and libtacit.pc, the systemd unit, the sample config and
# the docs; then a program outside the tree (tests/install_consumer.c) built with nothing but
# `pkg-config --cflags --libs libtacit` prints the version and Poseidon([1,2]) (circomlibjs's
# value, tests/vectors/poseidon). The sample config is loaded by tests/cli_tacitd.sh.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
BUILD=$(cd "$BIN/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/lib/common.sh

P="$TMP/prefix"
cmake --install "$BUILD" --prefix "$P" >"$TMP/install.log" 2>&1 || die "cmake --install: $(tail -5 "$TMP/install.log")"
for f in bin/tacitd bin/tacit-cli lib/libtacit.a lib/pkgconfig/libtacit.pc include/tacit/poseidon.h \
    include/tacit/node.h share/doc/tacit/examples/tacitd.service share/doc/tacit/examples/tacitd.conf \
    share/doc/tacit/operations.md; do
    [[ -e $P/$f ]] && ok || bad "installed: $f"
done
# nothing of the tests or the benchmarks
[[ ! -e $P/bin/tacit-bench && ! -e $P/bin/l1_anvil && ! -e $P/bin/notify_listen ]] && ok || bad "test programs installed: $(ls "$P/bin")"
# the library's headers include only each other and the system's (no src/, no jansson/uv)
grep -h '#include' "$P"/include/tacit/*.h >"$TMP/includes"
grep -v -E '#include <(stdint|stddef|stdbool|stdio|stdlib|string)\.h>|#include "tacit/[a-z0-9_]+\.h"' "$TMP/includes" >"$TMP/foreign"
[[ ! -s $TMP/foreign ]] && ok || bad "a header includes something not installed: $(cat "$TMP/foreign")"

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
pkg-config --exists libtacit && ok || bad "pkg-config finds libtacit"
ver=$(pkg-config --modversion libtacit)
cflags=$(pkg-config --cflags --libs libtacit) || die "pkg-config libtacit"
# a sanitizer build's archive needs the sanitizer runtimes in the program too
san=()
nm "$P/lib/libtacit.a" >"$TMP/nm" 2>/dev/null
grep -q ' U __asan_' "$TMP/nm" && san=(-fsanitize=address,undefined)
cp tests/install_consumer.c "$TMP/app.c"
# shellcheck disable=SC2086
(cd "$TMP" && cc "${san[@]}" -o app app.c $cflags) >"$TMP/cc.log" 2>&1 && ok || bad "cc app.c \$(pkg-config --cflags --libs libtacit): $(head -c 2000 "$TMP/cc.log")"
if [[ -x $TMP/app ]]; then
    "$TMP/app" >"$TMP/out" 2>&1 || bad "the program built against libtacit failed: $(cat "$TMP/out")"
    [[ $(sed -n 1p "$TMP/out") == "$ver" && $("$P/bin/tacitd" --version) == "tacitd $ver "* ]] && ok ||
        bad "version: $(sed -n 1p "$TMP/out") / .pc $ver / $("$P/bin/tacitd" --version)"
    [[ $(sed -n 2p "$TMP/out") == 7853200120776062878684798364095072458815029376092732009249414926327459813530 ]] && ok ||
        bad "Poseidon([1,2]) through the installed library: $(sed -n 2p "$TMP/out")"
fi
echo "install.sh: $pass passed, $fail failed"
((fail == 0))
