# tests/lib/devnet_l1.sh — sourced by the tests that run a devnet on L1 as contrib/devnet --l1
# makes it (tests/first_hour_l1.sh, tests/forced_anvil.sh), after tests/lib/common.sh; they set
# CLI, ROOT and TMP and work in the directory that holds the devnet's data directory. Not a test
# itself.
#
# devnet_l1_up DD KEYS [l1 deploy args...]: DD/keys holds the real transfer keys and a tree-update
# key with M = 4 (tests/lib/keys.sh: from KEYS when not empty, a folder laid out as
# $TACIT_TEST_KEYS, else from $TACIT_TEST_KEYS, else made: about a minute under the sanitizers); anvil runs (one block a
# second, tests/lib/anvil.sh: ANVIL_URL); the devnet's L1 sequencer key is DD/l1-sequencer.key
# (m/44'/60'/0'/0/10 of anvil's mnemonic, as contrib/devnet --l1's: not one of the devnet
# accounts 0..9, whose L1 balances the tests check exactly), funded; the contract is deployed
# by `tacit-cli l1 deploy` with the extra arguments: its address in $rollup. Dies on a failure.
# shellcheck source=tests/lib/anvil.sh
source "$ROOT/tests/lib/anvil.sh"
# shellcheck source=tests/lib/keys.sh
source "$ROOT/tests/lib/keys.sh"

devnet_l1_up() {
    local dd=$1 keys=$2
    shift 2
    mkdir -p "$dd" && chmod 700 "$dd"
    if [[ -n $keys ]]; then
        TACIT_TEST_KEYS=$keys test_keys "$dd/keys" 4
    else
        test_keys "$dd/keys" 4
    fi
    anvil_start "$TMP/anvil.log" --block-time 1 || die "cannot start anvil"
    printf '%s\n' 0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897 >"$dd/l1-sequencer.key"
    chmod 600 "$dd/l1-sequencer.key"
    anvil_rpc anvil_setBalance '["0xbcd4042de499d14e55001ccbb24a551f3b954096","0x3635c9adc5dea00000"]' >/dev/null
    rollup=$("$CLI" l1 deploy --l1-rpc "$ANVIL_URL" --key-file "$dd/l1-sequencer.key" --keys "$dd/keys" \
        "$@" 2>"$TMP/deploy.err") || die "l1 deploy: $(cat "$TMP/deploy.err")"
}
