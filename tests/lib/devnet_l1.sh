# tests/lib/devnet_l1.sh — sourced by the tests that run a devnet on L1 as contrib/devnet --l1
# makes it (tests/first_hour_l1.sh, tests/forced_anvil.sh), after tests/lib/common.sh; they set
# CLI, ROOT and TMP and work in the directory that holds the devnet's data directory. Not a test
# itself.
#
# devnet_l1_up DD KEYS [l1 deploy args...]: DD/keys holds the real transfer keys (copied from
# KEYS, a folder of an earlier `tacit-cli setup --out`, when KEYS is not empty; else made: about
# a minute under the sanitizers) and a tree-update key with M = 4; anvil runs (one block a
# second, tests/lib/anvil.sh: ANVIL_URL); the devnet's L1 sequencer key is DD/l1-sequencer.key
# (m/44'/60'/0'/0/10 of anvil's mnemonic, as contrib/devnet --l1's: not one of the devnet
# accounts 0..9, whose L1 balances the tests check exactly), funded; the contract is deployed
# by `tacit-cli l1 deploy` with the extra arguments: its address in $rollup. Dies on a failure.
# shellcheck source=tests/lib/anvil.sh
source "$ROOT/tests/lib/anvil.sh"

devnet_l1_up() {
    local dd=$1 keys=$2 t0=$SECONDS
    shift 2
    mkdir -p "$dd/keys" && chmod 700 "$dd" "$dd/keys"
    if [[ -n $keys ]]; then
        cp "$keys"/{transfer.zkey,verification_key.json} "$dd/keys/" || die "keys from $keys"
    else
        "$CLI" setup --out "$dd/keys" >/dev/null || die "tacit-cli setup (the transfer keys)"
    fi
    "$CLI" setup --out "$dd/keys" --circuit tree-update --max-leaves 4 >/dev/null ||
        die "tacit-cli setup --circuit tree-update"
    echo "# the keys: $((SECONDS - t0)) s" >&2
    anvil_start "$TMP/anvil.log" --block-time 1 || die "cannot start anvil"
    printf '%s\n' 0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897 >"$dd/l1-sequencer.key"
    chmod 600 "$dd/l1-sequencer.key"
    anvil_rpc anvil_setBalance '["0xbcd4042de499d14e55001ccbb24a551f3b954096","0x3635c9adc5dea00000"]' >/dev/null
    rollup=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$dd/l1-sequencer.key" --keys "$dd/keys" \
        "$@" 2>"$TMP/deploy.err") || die "l1 deploy: $(cat "$TMP/deploy.err")"
}
