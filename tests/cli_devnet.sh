#!/usr/bin/env bash
# tests/cli_devnet.sh — `tacitd --devnet` as a developer meets it, through `tacit-cli --devnet
# rpc` (no proofs: tests/test_node.c has those): the funded accounts and their file, dev_fund,
# dev_mine, dev_snapshot / dev_revert (state back, later snapshots and the used one gone),
# block lookups by number and hash, the compact range, tree state and subtree roots, the
# verifying key, waitForBlock's timeout, admin_backup (and its refusal to overwrite),
# admin_flushMempool, and a clean stop.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"

DN="$TMP/dn"
# blocks only when something is pending or asked for (the devnet's default is a block every
# interval, test_node node_block_cadence): the heights below are checked exactly
tacitd_start "$TMP/stdout" "$TMP/log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 --block-interval-ms 100 \
    --block-cadence demand ||
    die "tacitd --devnet did not start: $(cat "$TMP/log")"
call() { "$CLI" --devnet --datadir "$DN" --rpc "http://127.0.0.1:$port" --json rpc "$@"; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$TMP/out" | head -1; }


# the accounts: printed, in the file (mode 0600), funded on chain
grep -q 'private key 0x' "$TMP/stdout" && ok || bad "accounts printed"
[[ $(stat -c %a "$DN/devnet-accounts.json") == 600 ]] && ok || bad "accounts file mode 0600"
acct=$(grep -o '"address": "0x[0-9a-f]*"' "$DN/devnet-accounts.json" | head -1 | grep -o '0x[0-9a-f]*')
[[ $(grep -c '"privateKey"' "$DN/devnet-accounts.json") == 10 ]] && ok || bad "10 accounts in the file"
# anvil's accounts (issue 15, 9): m/44'/60'/0'/0/i of "test test ... junk", the same on every
# fresh devnet (anvil's documented account 0 and 9, tests/lib/anvil.sh)
[[ $acct == 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266 ]] && ok || bad "devnet account 0 is anvil's: $acct"
grep -q '"privateKey": "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"' "$DN/devnet-accounts.json" &&
    grep -q '"address": "0xa0ee7a142d267c1f36714e4a8f75612f20a79720"' "$DN/devnet-accounts.json" &&
    grep -q '"mnemonic": "test test test test test test test test test test test junk"' "$DN/devnet-accounts.json" &&
    ok || bad "the devnet's accounts from anvil's mnemonic: $(cat "$DN/devnet-accounts.json")"
grep -q "\"rpc\": \"http://127.0.0.1:$port\"" "$DN/devnet-accounts.json" && ok || bad "the bound port recorded"
run 0 call tacit_getAccount "$acct" && [[ $(field balance) == 1000000000000 ]] || bad "account funded: $(cat "$TMP/out")"
run 0 call tacit_chainInfo && [[ $(field chainId) == 0x7461 ]] && grep -q '"devnet":true' "$TMP/out" ||
    bad "devnet chain info"

# dev_fund, then a snapshot, more funds, a revert
X=0x1111111111111111111111111111111111111111
run 0 call dev_fund $X 5000
run 0 call tacit_getAccount $X && [[ $(field balance) == 5000 ]] || bad "dev_fund credited"
run 1 call dev_fund 0x0000000000000000000000000000000000000000 5 && grep -q ECREDIT "$TMP/out" || bad "fund the pool"
run 0 call tacit_chainInfo
h_snap=$(field height)
run 0 call dev_snapshot && grep -qx '"0x1"' "$TMP/out" || bad "snapshot id 0x1"
run 0 call dev_fund $X 7000
run 0 call dev_snapshot && grep -qx '"0x2"' "$TMP/out" || bad "snapshot id 0x2"
run 0 call dev_mine
run 0 call tacit_getAccount $X && [[ $(field balance) == 12000 ]] || bad "funded again"
run 0 call dev_revert 0x1
run 0 call tacit_getAccount $X && [[ $(field balance) == 5000 ]] || bad "revert restored the balance"
run 0 call tacit_chainInfo && [[ $(field height) == "$h_snap" ]] || bad "revert restored the height $h_snap: $(cat "$TMP/out")"
run 1 call dev_revert 0x1 && grep -q ENOTFOUND "$TMP/out" || bad "a snapshot is used once"
run 1 call dev_revert 0x2 && grep -q ENOTFOUND "$TMP/out" || bad "later snapshots dropped"

# blocks: by number and by hash agree; the compact range; a far height times out
run 0 call dev_mine
h=$(field height)
hash=$(field hash)
run 0 call tacit_getBlockByHash "$hash" && [[ $(field height) == "$h" ]] || bad "block by hash"
run 0 call tacit_getBlockByNumber "$h" && [[ $(field hash) == "$hash" ]] || bad "block by number"
run 0 call tacit_getBlockByNumber latest true && grep -q '"raw":"0x' "$TMP/out" || bad "raw block"
run 0 call tacit_getBlockRange 0x0 "$h" && [[ $(grep -o '"commitmentStart"' "$TMP/out" | wc -l) -ge 2 ]] ||
    bad "block range"
# dev_mine N (issue 15, 9): answered after N blocks, with the last; the count is checked
run 0 call dev_mine 0x5 && h5=$(field height) hash5=$(field hash)
[[ -n $h5 && $((h5)) -ge $((h + 5)) ]] && ok || bad "dev_mine 0x5 after $h: $(cat "$TMP/out")"
run 0 call tacit_getBlockByNumber "$h5" && [[ $(field hash) == "$hash5" ]] || bad "dev_mine's answer is the block at its height"
run 1 call dev_mine 0x0 && grep -q -- '-32602' "$TMP/out" && grep -q '0x1 to 0x2710' "$TMP/out" || bad "dev_mine 0x0 refused"
run 1 call dev_mine 0x2711 && grep -q -- '-32602' "$TMP/out" || bad "dev_mine over 10000 refused"
run 1 call dev_mine 12 && grep -q -- '-32602' "$TMP/out" || bad "dev_mine count in hex"
# time control (issue 15, 9; anvil's evm_increaseTime, evm_setNextBlockTimestamp): the block's
# timestamp (ms, whole seconds) follows the offset; the next block's set exactly; none before the tip's
now=$(date +%s)
run 0 call dev_increaseTime 0xe10 && grep -qx '"0xe10"' "$TMP/out" || bad "dev_increaseTime 3600: $(cat "$TMP/out")"
run 0 call dev_mine && ts=$(field timestamp)
run 0 call tacit_getBlockByNumber latest && ts=$(field timestamp)
[[ -n $ts ]] && (($((ts)) / 1000 >= now + 3600 && $((ts)) / 1000 <= now + 3600 + 120)) && ok ||
    bad "a block an hour ahead: timestamp $ts, now $now"
t2=$((now + 7200))
run 0 call dev_setNextBlockTimestamp "$(printf '0x%x' $t2)"
run 0 call dev_mine
run 0 call tacit_getBlockByNumber latest && [[ $(($(field timestamp))) == $((t2 * 1000)) ]] ||
    bad "the next block at exactly $t2 s: $(field timestamp)"
run 0 call dev_mine
run 0 call tacit_getBlockByNumber latest && (($(field timestamp) >= t2 * 1000)) || bad "the blocks after go on from it"
run 1 call dev_setNextBlockTimestamp "$(printf '0x%x' $((now - 10)))" && grep -q ETIMESTAMP "$TMP/out" &&
    grep -q "before the tip's timestamp" "$TMP/out" || bad "a time before the tip refused: $(cat "$TMP/out")"
run 1 call dev_increaseTime 0x12cc0301 && grep -q -- '-32602' "$TMP/out" || bad "dev_increaseTime over 10 years refused"
run 1 call tacit_getBlockRange 0x0 0x3e8 && grep -q -- '-32602' "$TMP/out" || bad "range over 1000 refused"
run 0 call tacit_waitForBlock 0xffffff =300 && grep -qx null "$TMP/out" || bad "waitForBlock timeout"

# the tree: empty, 33 frontier nodes, no complete subtree yet
run 0 call tacit_getTreeState latest && [[ $(field size) == 0x0 ]] &&
    [[ $(grep -o '"0x[0-9a-f]\{64\}"' "$TMP/out" | wc -l) == 34 ]] || bad "tree state: $(cat "$TMP/out")"
run 0 call tacit_getSubtreeRoots 0x0 0x10 && grep -q '"roots":\[\]' "$TMP/out" && grep -q '"level":16' "$TMP/out" ||
    bad "subtree roots of an empty tree"
run 0 call tacit_getCommitments 0x0 0x10 && grep -qx '\[\]' "$TMP/out" || bad "no commitments yet"
run 0 call tacit_getVerifyingKey && grep -q '"nPublic":7' "$TMP/out" && grep -q '"protocol":"groth16"' "$TMP/out" ||
    bad "verifying key"

# admin over the devnet cookie: a backup (never over an existing one), flush
run 0 call admin_backup "$TMP/backup" && [[ -s $TMP/backup/data.mdb ]] || bad "backup written"
run 1 call admin_backup "$TMP/backup" && grep -q EEXISTS "$TMP/out" || bad "backup never overwrites"
run 1 call admin_backup relative/dir && grep -q -- '-32602' "$TMP/out" || bad "backup path must be absolute"
run 0 call admin_flushMempool && grep -qx 0 "$TMP/out" || bad "flush an empty mempool"

# README's Quick start (issue 15, 11): its curl calls, exactly as written, from a folder where
# .tacit-devnet is this devnet; only the port differs (curl wrapped to put in the bound one).
# Each answers a result, and the pause it makes is resumed by its last call.
awk '/^A local devnet, in one command/ { armed = 1 } armed && /^```sh/ { n++; if (n == 2) { inside = 1; next } }
     inside && /^```/ { exit } inside && /^curl / { print }' "$(dirname "$0")/../README.md" >"$TMP/quick"
[[ $(wc -l <"$TMP/quick") -ge 5 ]] && grep -q admin_resume "$TMP/quick" && ok ||
    bad "README's Quick start calls not found (or no admin_resume): $(cat "$TMP/quick")"
mkdir -p "$TMP/reader" && ln -s "$DN" "$TMP/reader/.tacit-devnet"
run 0 call tacit_getAccount 0x1111111111111111111111111111111111111111 && bal0=$(field balance)
while IFS= read -r line; do
    (cd "$TMP/reader" && curl() { command curl "${@//127.0.0.1:8645/127.0.0.1:$port}"; } && eval "$line") >"$TMP/out" 2>&1
    grep -q '"result":' "$TMP/out" && ! grep -q '"error"' "$TMP/out" && ok || bad "README: $line -> $(cat "$TMP/out")"
done <"$TMP/quick"
run 0 call tacit_chainInfo && grep -q '"paused":false' "$TMP/out" || bad "the README leaves the devnet sequencing"
run 0 call tacit_getAccount 0x1111111111111111111111111111111111111111 && [[ $(field balance) == $((bal0 + 5000)) ]] ||
    bad "README's dev_fund of 5000 base units: $bal0 -> $(field balance)"

kill -TERM "$pid"
wait "$pid" && ok || bad "SIGTERM -> exit 0"
pid=
echo "cli_devnet.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
