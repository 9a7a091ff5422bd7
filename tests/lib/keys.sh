# tests/lib/keys.sh — sourced by the tests that need the real transfer keys (depth 32) and a
# tree-update key (the tests on anvil), after tests/lib/common.sh (CLI, die). Not a test itself.
#
# test_keys DIR M: DIR holds transfer.zkey and verification_key.json (the real transfer keys)
# and tree_update.zkey, tree_update_verification_key.json (M leaves per proof). Copied from
# $TACIT_TEST_KEYS when it holds them — ctest's fixture tests/l1_test_keys.sh makes them once
# per run, in the build directory (transfer, m2/, m4/) — else made here (about a minute under
# the sanitizers).
test_keys() {
    local dir=$1 m=$2 src=${TACIT_TEST_KEYS:-} t0=$SECONDS
    mkdir -p "$dir" && chmod 700 "$dir" || die "cannot make $dir"
    if [[ -n $src && -r $src/transfer.zkey && -r $src/verification_key.json ]]; then
        cp "$src"/{transfer.zkey,verification_key.json} "$dir/" || die "transfer keys from $src"
    else
        "$CLI" setup --out "$dir" >/dev/null || die "tacit-cli setup (the transfer keys)"
    fi
    if [[ -n $src && -r $src/m$m/tree_update.zkey && -r $src/m$m/tree_update_verification_key.json ]]; then
        cp "$src/m$m"/tree_update{.zkey,_verification_key.json} "$dir/" || die "tree-update keys from $src"
    else
        "$CLI" setup --out "$dir" --circuit tree-update --max-leaves "$m" >/dev/null ||
            die "tacit-cli setup --circuit tree-update --max-leaves $m"
    fi
    echo "# the keys: $((SECONDS - t0)) s" >&2
}
