#!/usr/bin/env bash
# tests/cli_store.sh — a real tacitd data directory damaged the ways an operator meets it
# (issue 10, findings 6, 7, 10): a node that held a chain refuses to start when its store is
# missing, empty, truncated (no SIGBUS: exit status 1 and a message saying what to do) or its
# sequencer.key is missing, another key, or readable by others (a devnet: a warning);
# --new-chain begins a chain only where the store is missing or empty; admin_backup writes
# 0600 files in a 0700 directory and reports its own errors as backup errors, and its copy
# restores. Without proofs: depth-2 transfer keys, empty blocks.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"
umask 022 # the usual one: a file made 0666 would come out 0644

call() { # call <method> [params...] over TCP (no credentials)
    "$CLI" --rpc "http://127.0.0.1:$port" --json rpc "$@"
}
admin() { # admin <method> [params...] over the Unix socket
    "$CLI" --rpc "unix:$TMP/d/tacitd.sock" --json rpc "$@"
}
start() { # start <log> [args...]: a node on $TMP/d
    local log=$1
    shift
    tacitd_start /dev/null "$log" --datadir "$TMP/d" --config "$TMP/node.conf" --empty-blocks "$@"
}
# refused <log> <pattern> [args...]: tacitd must exit 1 at start (not a signal, not 0), logging
# pattern; one that starts instead is killed after 30 s (status 137)
refused() {
    local log=$1 pattern=$2
    shift 2
    timeout -s KILL 30 "$D" --datadir "$TMP/d" --config "$TMP/node.conf" --empty-blocks "$@" >"$log" 2>&1
    local st=$?
    if [[ $st -ne 1 ]]; then
        bad "want exit 1, got $st ($*): $(tail -c 1500 "$log")"
        return 1
    fi
    grep -q -- "$pattern" "$log" && ok || bad "no \"$pattern\" in: $(tail -c 1500 "$log")"
}
# used <file>: LMDB's bytes in use, (last page used + 1) * page size, from the current meta page
used() {
    local f=$1 ps l0 t0 l1 t1
    ps=$(od -An -t u4 -j 40 -N 4 "$f" | tr -d ' ')
    l0=$(od -An -t u8 -j 136 -N 8 "$f" | tr -d ' ')
    t0=$(od -An -t u8 -j 144 -N 8 "$f" | tr -d ' ')
    l1=$(od -An -t u8 -j $((ps + 136)) -N 8 "$f" | tr -d ' ')
    t1=$(od -An -t u8 -j $((ps + 144)) -N 8 "$f" | tr -d ' ')
    if ((t1 > t0)); then echo $(((l1 + 1) * ps)); else echo $(((l0 + 1) * ps)); fi
}
restore_state() { rm -rf "$TMP/d/state" && cp -a --sparse=always "$TMP/state.bak" "$TMP/d/state"; }

run 0 "$CLI" setup --depth 2 --out "$TMP/keys"
cat >"$TMP/node.conf" <<EOF
chain_id = 5
vk_file = $TMP/keys/verification_key.json
rpc_bind = 127.0.0.1:0
block_interval_ms = 100
EOF

# --- a node that holds a chain --------------------------------------------------------------
start "$TMP/log1" || die "tacitd did not start: $(cat "$TMP/log1")"
ok
run 0 call tacit_waitForBlock 0x3 =20000 && grep -q '"height":"0x3"' "$TMP/out" || bad "blocks sealed"
[[ -f $TMP/d/chain.json ]] && grep -q '"chainId":"0x5"' "$TMP/d/chain.json" &&
    grep -q '"sequencer":"0x[0-9a-f]\{64\}"' "$TMP/d/chain.json" && ok || bad "chain.json written"
[[ $(stat -c %a "$TMP/d/chain.json") == 600 ]] && ok || bad "chain.json mode 0600"

# --- admin_backup (finding 10): 0600 in 0700, its own errors ----------------------------------
run 0 admin admin_backup "$TMP/bk" && grep -q '"bytes"' "$TMP/out" || bad "backup written"
[[ $(stat -c %a "$TMP/bk/data.mdb" 2>/dev/null) == 600 ]] && ok ||
    bad "backup data.mdb mode $(stat -c %a "$TMP/bk/data.mdb" 2>/dev/null), want 600"
[[ $(stat -c %a "$TMP/bk") == 700 ]] && ok || bad "backup directory mode 0700"
run 1 admin admin_backup "$TMP/no/such/dir"
grep -q 'EBACKUP_IO' "$TMP/out" && grep -q 'backup not written' "$TMP/out" && ! grep -q 'block aborted' "$TMP/out" &&
    ok || bad "backup error named as one: $(cat "$TMP/out")"
[[ ! -e $TMP/no ]] && ok || bad "nothing made for a failed backup"
grep -q 'backup to .* failed: backup not written' "$TMP/log1" && ok || bad "failed backup logged as a backup error"
run 1 admin admin_backup "$TMP/bk" && grep -q EEXISTS "$TMP/out" || bad "backup never overwrites"
curl -s "http://127.0.0.1:$port/health" | grep -q '"status":"ok"' && ok || bad "/health ok after backup errors"
tacitd_stop && ok || bad "SIGTERM -> exit 0"
cp -a --sparse=always "$TMP/d/state" "$TMP/state.bak"
cp -a "$TMP/d/sequencer.key" "$TMP/sequencer.key.bak"
cp -a "$TMP/d/chain.json" "$TMP/chain.json.bak"

# --- the sequencer key (findings 6, 11) --------------------------------------------------------
mv "$TMP/d/sequencer.key" "$TMP/key.away"
refused "$TMP/log" 'sequencer.key is missing, but' && grep -q 'Restore sequencer.key' "$TMP/log" || bad "says what to do"
[[ ! -e $TMP/d/sequencer.key ]] && ok || bad "no new key made over a chain"
printf '%064x\n' 1 >"$TMP/d/sequencer.key" && chmod 600 "$TMP/d/sequencer.key"
refused "$TMP/log" 'is not the key of this chain' # chain.json names the key
rm "$TMP/d/chain.json"
refused "$TMP/log" 'is not the key that signed this chain (block' # the stored blocks do
cp -a "$TMP/chain.json.bak" "$TMP/d/chain.json"
cp -a "$TMP/sequencer.key.bak" "$TMP/d/sequencer.key"
chmod 644 "$TMP/d/sequencer.key"
refused "$TMP/log" 'readable or writable by group or others' && grep -q "chmod 600 $TMP/d/sequencer.key" "$TMP/log" ||
    bad "says chmod 600"
chmod 600 "$TMP/d/sequencer.key"
rm -f "$TMP/key.away"

# --- the store: missing, empty, truncated (findings 6, 7) -----------------------------------------
db="$TMP/d/state/data.mdb"
u=$(used "$db")
((u >= 4 * 4096)) && ok || bad "LMDB header read: $u bytes in use"
rm -rf "$TMP/d/state"
refused "$TMP/log" 'data.mdb is missing or empty, but' && grep -q -- '--new-chain' "$TMP/log" ||
    bad "names --new-chain"
[[ ! -e $TMP/d/state/data.mdb ]] && ok || bad "no store made over a chain"
for cut in 0 100 4096 $((u / 2)) $((u - 4096)) $((u - 1)); do
    restore_state
    truncate -s "$cut" "$db"
    if ((cut == 0)); then
        refused "$TMP/log" 'is missing or empty, but'
    else
        refused "$TMP/log" 'is truncated or its LMDB header is damaged' &&
            grep -q 'restore the store from a backup' "$TMP/log" || bad "cut at $cut: says restore"
    fi
    [[ $(stat -c %s "$db") == "$cut" ]] && ok || bad "cut at $cut: the file was changed"
done

# --- --new-chain ---------------------------------------------------------------------------------
restore_state
refused "$TMP/log" '--new-chain, but .* holds a chain' --new-chain
cmp -s "$db" "$TMP/state.bak/data.mdb" && ok || bad "--new-chain refused: the store untouched"
start "$TMP/log2" || die "restart failed: $(cat "$TMP/log2")"
grep -q 'ready: chain 0x5, next height [1-9]' "$TMP/log2" && ok || bad "restart on the old chain"
tacitd_stop || bad "stop"
truncate -s 0 "$db"
start "$TMP/log3" --new-chain || die "--new-chain did not start: $(cat "$TMP/log3")"
grep -q 'beginning a new chain at height 0' "$TMP/log3" && ok || bad "--new-chain logged"
grep -q 'next height 0' "$TMP/log3" && ok || bad "a new chain at height 0"
tacitd_stop || bad "stop"
cmp -s "$TMP/d/chain.json" "$TMP/chain.json.bak" && ok || bad "chain.json names the same key and chain"
start "$TMP/log4" || die "restart of the new chain failed: $(cat "$TMP/log4")"
ok
tacitd_stop || bad "stop"

# a key made elsewhere, put in a new data directory: the first start says --new-chain
mkdir -p "$TMP/d2" && cp -a "$TMP/sequencer.key.bak" "$TMP/d2/sequencer.key"
timeout -s KILL 30 "$D" --datadir "$TMP/d2" --config "$TMP/node.conf" >"$TMP/log" 2>&1
[[ $? == 1 ]] && grep -q -- '--new-chain' "$TMP/log" && ok || bad "a lone key: $(tail -c 800 "$TMP/log")"

# a devnet only warns about a readable key (its verifying key seeded: no trusted setup here)
mkdir -p "$TMP/dn/keys" && cp "$TMP/keys/verification_key.json" "$TMP/dn/keys/"
tacitd_start /dev/null "$TMP/logd1" --devnet --datadir "$TMP/dn" --rpc-bind 127.0.0.1:0 ||
    die "devnet did not start: $(cat "$TMP/logd1")"
tacitd_stop || bad "devnet stop"
chmod 640 "$TMP/dn/sequencer.key"
tacitd_start /dev/null "$TMP/logd2" --devnet --datadir "$TMP/dn" --rpc-bind 127.0.0.1:0 ||
    bad "devnet with a readable key: $(cat "$TMP/logd2")"
grep -q 'WARN .*sequencer.key is readable or writable by group or others (mode 640).*chmod 600' "$TMP/logd2" && ok ||
    bad "devnet warns about the key's mode"
tacitd_stop || bad "devnet stop"

# --- the backup restores (docs/operations.md) ------------------------------------------------
rm -rf "$TMP/d/state" && mkdir -m 700 "$TMP/d/state" && cp "$TMP/bk/data.mdb" "$TMP/d/state/"
start "$TMP/log5" || die "restore from backup failed: $(cat "$TMP/log5")"
ok
tacitd_stop || bad "stop"

echo "cli_store.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
