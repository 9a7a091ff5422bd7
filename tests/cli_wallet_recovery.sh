#!/usr/bin/env bash
# tests/cli_wallet_recovery.sh — recovery and network safety of `tacit-cli wallet` (issue 15, 1,
# 2, 5) against real `tacitd --devnet`s: `create` shows a 24-word phrase (stderr; --json
# "mnemonic") and prints only the address on stdout; `restore` from standard input or a file
# rebuilds the same addresses and balances (memo included) after a scan from block 0, and
# refuses a phrase on the command line, a wrong word (by its position, never quoting it), a bad
# checksum, an existing file; `backup` writes a 0600 copy that opens with the same passphrase and
# never overwrites; `address` needs no passphrase; a wallet synced on one devnet refuses another
# devnet (another block 0) naming both chains, its file unchanged, and a mainnet wallet refuses a
# devnet node.
set -uo pipefail

BIN="${TACIT_BIN:-build/bin}"
CLI="$BIN/tacit-cli"
D="$BIN/tacitd"
TMP=$(mktemp -d)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tacitd.sh"

DN="$TMP/dn"
tacitd_start "$TMP/stdout" "$TMP/log" --devnet --datadir "$DN" --rpc-bind 127.0.0.1:0 --block-interval-ms 200 ||
    die "tacitd --devnet did not start: $(cat "$TMP/log")"
URL="http://127.0.0.1:$port"

export TACIT_PASSPHRASE="correct horse" TACIT_WALLET_KDF=fast
cli() { "$CLI" --devnet --datadir "$DN" --rpc "$URL" "$@"; }
w() { local name="$1"; shift; cli --wallet "$name" wallet "$@"; }
confirmed() { w "$1" balance --json | sed -n 's/.*"confirmed":"\([0-9]*\)".*/\1/p'; }
has() { grep -q -- "$1" "$TMP/out" && ok || bad "$2: want \"$1\" in: $(cat "$TMP/out")"; }
hasnt() { if grep -q -- "$1" "$TMP/out"; then bad "$2: \"$1\" in: $(cat "$TMP/out")"; else ok; fi; }

# --- create: the phrase on stderr, the address alone on stdout; --json carries the phrase ----
w a create >"$TMP/a.stdout" 2>"$TMP/a.stderr" && ok || bad "create a: $(cat "$TMP/a.stderr")"
A=$(cat "$TMP/a.stdout")
[[ $A =~ ^tdev1[02-9ac-hj-np-z]+$ ]] && ok || bad "create: stdout is the address alone: $A"
grep -q "Recovery phrase (BIP-39, 24 words)" "$TMP/a.stderr" && ok || bad "create shows the phrase: $(cat "$TMP/a.stderr")"
# the grid: lines of "N word" pairs, numbered 1 to 24
grep -E '^ +[0-9]+ [a-z]' "$TMP/a.stderr" | grep -oE '[0-9]+ [a-z]+' >"$TMP/grid"
[[ $(awk '{print $1}' "$TMP/grid" | paste -sd' ') == "$(seq -s' ' 1 24)" ]] && ok ||
    bad "create: 24 numbered words: $(cat "$TMP/a.stderr")"
PA=$(w a export-mnemonic)
[[ $(wc -w <<<"$PA") -eq 24 ]] && ok || bad "export-mnemonic: 24 words"
# the words shown by create are the phrase, in order
shown=$(awk '{print $2}' "$TMP/grid" | paste -sd' ')
[[ $shown == "$PA" ]] && ok || bad "create showed the exported phrase"
run 0 w b create --json && has '"mnemonic":"' "create --json: the phrase"
PB=$(sed -n 's/.*"mnemonic":"\([a-z ]*\)".*/\1/p' "$TMP/out")
B=$(sed -n 's/.*"address":"\(tdev1[0-9a-z]*\)".*/\1/p' "$TMP/out")
[[ $(wc -w <<<"$PB") -eq 24 && $PB != "$PA" ]] && ok || bad "b: its own 24 words"

# on a terminal, create asks for two of the words (script(1) gives it a pseudo-terminal): a wrong
# answer is asked again, the right ones confirm
command -v script >/dev/null ||
    bad "the terminal check needs script(1) (Debian: bsdutils; contrib/test installs it)"
if command -v script >/dev/null; then
    coproc S { script -qfec "$CLI --devnet --datadir $DN --wallet t wallet create" /dev/null; }
    spid=$S_PID # (bash unsets S_PID and S once the coprocess ends: keep copies)
    exec {rfd}<&"${S[0]}" {wfd}>&"${S[1]}"
    out="" wrong_sent=0 tok=""
    while IFS= read -r -d ' ' -t 30 tok <&"$rfd"; do
        out+="$tok "
        if [[ $out =~ type\ word\ \#([0-9]+):\ $ ]]; then
            n=${BASH_REMATCH[1]}
            # from the grid's lines only ("24 words" in the heading is not word #24)
            word=$(tr -d '\r' <<<"$out" | grep -E '^ +[0-9]+ [a-z]' | grep -oE "(^| )$n [a-z]+" |
                head -1 | awk '{print $2}')
            if [[ $wrong_sent -eq 0 ]]; then
                printf 'notaword\n' >&"$wfd"
                wrong_sent=1
            else
                printf '%s\n' "$word" >&"$wfd"
            fi
            out=${out//type word/asked word}
        fi
    done
    out+="$tok"
    wait "$spid" && ok || bad "create on a terminal: exit 0"
    exec {rfd}<&- {wfd}>&-
    printf '%s\n' "$out" | tr -d '\r' >"$TMP/out"
    has "that is not word #" "a wrong word is asked again"
    has "^confirmed" "the right words confirm"
    [[ $(grep -c "asked word #" "$TMP/out") -eq 3 ]] && ok || bad "two words asked (one twice)"
    T=$(env -u TACIT_PASSPHRASE "$CLI" --devnet --datadir "$DN" --wallet t wallet address </dev/null)
    grep -qx "$T" "$TMP/out" && ok || bad "the address printed after the check"
fi

# --- the address without the passphrase -----------------------------------------------------
run 0 env -u TACIT_PASSPHRASE "$CLI" --devnet --datadir "$DN" --wallet a wallet address </dev/null &&
    [[ $(cat "$TMP/out") == "$A" ]] && ok || bad "address without a passphrase"
run 0 env -u TACIT_PASSPHRASE "$CLI" --devnet --datadir "$DN" --wallet a wallet --json address </dev/null &&
    has "\"address\":\"$A\"" "--json address without a passphrase"
run 2 env -u TACIT_PASSPHRASE "$CLI" --devnet --datadir "$DN" --wallet a wallet address --transparent </dev/null &&
    has "TACIT_PASSPHRASE" "address --transparent still needs it (the accounts are sealed)"

# --- funds: a deposit, a transfer with a memo --------------------------------------------------
run 0 w a deposit 10 --from devnet:0 && has "included at height" "deposit into a"
run 0 w a send "$B" 2.5 --memo "from a, recovered" && has "included at height" "a -> b"
[[ $(confirmed a) == 7500000000 ]] && ok || bad "a holds 7.5 TAC"
[[ $(confirmed b) == 2500000000 ]] && ok || bad "b holds 2.5 TAC"

# --- restore: from stdin and from a file, the same address, balance, notes ---------------------
(umask 077 && printf '%s\n' "$PA" >"$TMP/a.phrase")
run 0 w a2 restore - <"$TMP/a.phrase" && grep -qx "$A" "$TMP/out" && ok ||
    bad "restore - : the same address: $(cat "$TMP/out")"
has "scanned the chain from block 0" "restore scans from block 0"
[[ $(confirmed a2) == 7500000000 ]] && ok || bad "restored a: 7.5 TAC"
# b's phrase in capitals with extra blanks, from a file: b's note and its memo come back
(umask 077 && printf '  %s  \n' "${PB^^}" >"$TMP/b.phrase")
run 0 w b2 restore --phrase-file "$TMP/b.phrase" && grep -qx "$B" "$TMP/out" && ok ||
    bad "restore --phrase-file: b's address: $(cat "$TMP/out")"
run 0 w b2 notes --no-sync && has 'memo "from a, recovered"' "restored b: the note with its memo"
[[ $(confirmed b2) == 2500000000 ]] && ok || bad "restored b: 2.5 TAC"
run 0 w a notes --json --no-sync && sed 's/"reserved[^,]*,//g' "$TMP/out" >"$TMP/a.notes"
run 0 w a2 notes --json --no-sync && sed 's/"reserved[^,]*,//g' "$TMP/out" >"$TMP/a2.notes"
cmp -s "$TMP/a.notes" "$TMP/a2.notes" && ok || bad "restored a: the same notes: $(diff "$TMP/a.notes" "$TMP/a2.notes")"
# the restored wallet spends
run 0 w a2 send "$B" 1 && has "included at height" "the restored wallet sends"
[[ $(confirmed a) == 6500000000 ]] && ok || bad "a (the original) sees the restored wallet's spend: 6.5 TAC"

# --birthday: the scan starts at that block; a note of that block is found, one before is not.
# b holds two notes now: 2.5 TAC (from a) and 1 TAC (from a2), in that order
[[ $(confirmed b) == 3500000000 ]] && ok || bad "b holds 3.5 TAC"
bh=$(w b notes --json --no-sync | grep -o '"height":"\?[0-9a-fx]*' | head -1 | sed 's/.*://; s/"//g')
[[ -n $bh ]] && bh=$((bh)) && ok || bad "b's first note has a height"
run 0 w b3 restore --phrase-file "$TMP/b.phrase" --birthday "$bh" && has "scanned the chain from block $bh" "restore --birthday" &&
    has "2 notes received" "a birthday at the first note's block: both notes"
[[ $(confirmed b3) == 3500000000 ]] && ok || bad "restored from the first note's block: 3.5 TAC"
run 0 w b4 restore --phrase-file "$TMP/b.phrase" --birthday $((bh + 1)) && has "1 notes received" "a birthday after the first note"
[[ $(confirmed b4) == 1000000000 ]] && ok || bad "a birthday after the first note: only the second, 1 TAC"
run 1 w b5 restore --phrase-file "$TMP/b.phrase" --birthday 99999999 && has "past the node's tip" "a birthday past the tip"
run 2 w b6 restore --phrase-file "$TMP/b.phrase" --birthday 3 --no-sync && has "not --no-sync" "--birthday with --no-sync"

# refusals: the phrase on the command line (ps, shell history), a wrong word named by its
# position only, a bad checksum, an existing file; nothing is created
run 2 w r1 restore "$PA" && has "never taken from the command line" "restore <phrase> refused"
[[ ! -e $DN/wallets/r1.wallet ]] && ok || bad "the refused restore made no file"
set -- $PA
wrong="$1 $2 $3 $4 $5 $6 zebraq ${*:8}"
run 1 w r1 restore - <<<"$wrong" && has "word 7 of the recovery phrase is not in BIP-39's English list" "a wrong word: its position"
hasnt "zebraq" "the error never quotes the phrase"
hasnt "$2 $3" "the error never quotes the phrase's words"
swapped="$2 $1 ${*:3}"
run 1 w r1 restore - <<<"$swapped" && has "checksum" "two words swapped: checksum"
run 1 w r1 restore - <<<"$1 $2 $3" && has "12, 15, 18, 21 or 24 words" "three words"
run 1 w r1 restore --json - <<<"$wrong" && has '"name":"EMNEMONIC_WORD"' "--json: the error's name"
[[ ! -e $DN/wallets/r1.wallet ]] && ok || bad "refused restores made no file"
run 1 w a2 restore - <"$TMP/a.phrase" && has "already exists" "restore never overwrites"

# --- backup ---------------------------------------------------------------------------------
run 0 w a backup "$TMP/a.bak" && has "wrote a copy" "backup"
[[ $(stat -c %a "$TMP/a.bak") == 600 ]] && ok || bad "the backup is mode 0600"
sum=$(sha256sum <"$TMP/a.bak")
run 1 w a backup "$TMP/a.bak" && has "already exists" "backup never overwrites"
[[ $(sha256sum <"$TMP/a.bak") == "$sum" ]] && ok || bad "the refused backup left the copy as it was"
run 1 w a backup "$TMP/no/such/dir/a.bak" && has "cannot write" "backup into a missing directory"
run 1 env TACIT_PASSPHRASE="wrong" "$CLI" --devnet --datadir "$DN" --wallet "$TMP/a.bak" wallet balance --no-sync &&
    has "wrong passphrase" "the copy is sealed with the same passphrase"
run 0 w "$TMP/a.bak" balance --no-sync && has "confirmed  6.5 TAC" "the copy: the same wallet and balance"
run 0 w "$TMP/a.bak" address && [[ $(cat "$TMP/out") == "$A" ]] && ok || bad "the copy: the same address"

# --- another devnet: refused, both chains named, nothing changed -------------------------------
DN2="$TMP/dn2"
mkdir -p "$DN2" && cp -r "$DN/keys" "$DN2/" # the same proving keys: no second setup
"$D" --devnet --datadir "$DN2" --rpc-bind 127.0.0.1:0 --block-interval-ms 200 >"$TMP/stdout2" 2>"$TMP/log2" &
pid2=$!
trap 'kill -9 $pid2 2>/dev/null; tacitd_cleanup' EXIT
port2=
for _ in $(seq 1 600); do
    port2=$(sed -n 's|.*JSON-RPC on http://127.0.0.1:\([0-9]*\).*|\1|p' "$TMP/log2" | head -1)
    [[ -n $port2 ]] && break
    sleep 0.1
done
[[ -n $port2 ]] || die "the second devnet did not start: $(cat "$TMP/log2")"
URL2="http://127.0.0.1:$port2"
g1=$("$CLI" --rpc "$URL" --json rpc tacit_getBlockByNumber 0x0 | sed -n 's/.*"hash":"\(0x[0-9a-f]*\)".*/\1/p')
g2=$("$CLI" --rpc "$URL2" --json rpc tacit_getBlockByNumber 0x0 | sed -n 's/.*"hash":"\(0x[0-9a-f]*\)".*/\1/p')
[[ -n $g1 && -n $g2 && $g1 != "$g2" ]] && ok || bad "two devnets, two blocks 0: $g1 $g2"
sum=$(sha256sum <"$DN/wallets/a.wallet")
run 1 "$CLI" --devnet --datadir "$DN" --rpc "$URL2" --wallet a wallet balance &&
    has "the wallet belongs to another chain than the node's" "another devnet refused" &&
    has "the wallet's is chain id 0x[0-9a-f]*, block 0 $g1" "names the wallet's chain" &&
    has "the node's is chain id 0x[0-9a-f]*, block 0 $g2" "names the node's chain" && has "nothing changed" "says nothing changed"
hasnt "rescanned" "never a silent rescan"
run 1 "$CLI" --devnet --datadir "$DN" --rpc "$URL2" --wallet a wallet --json sync &&
    has '"name":"ECHAIN_ID"' "--json: ECHAIN_ID"
run 1 "$CLI" --devnet --datadir "$DN" --rpc "$URL2" --wallet a wallet sync --rescan && has "another chain" "sync --rescan on another devnet: refused too"
[[ $(sha256sum <"$DN/wallets/a.wallet") == "$sum" ]] && ok || bad "the refusals changed nothing in the file"
run 0 w a balance && has "confirmed  6.5 TAC" "its own devnet still syncs, the balance as it was"
# a wallet that never synced records the first chain it syncs: b2's copy on the other devnet
run 0 "$CLI" --devnet --datadir "$DN" --rpc "$URL2" --wallet c wallet create
run 0 "$CLI" --devnet --datadir "$DN" --rpc "$URL2" --wallet c wallet sync
run 1 w c balance && has "another chain" "c, bound to the second devnet, refuses the first"

# --- a mainnet wallet and a devnet node -------------------------------------------------------
run 0 "$CLI" --wallet "$TMP/main.wallet" wallet create
run 1 "$CLI" --rpc "$URL" --wallet "$TMP/main.wallet" wallet balance &&
    has "this is a mainnet wallet and the node serves a devnet chain" "a mainnet wallet refuses a devnet node"
run 1 "$CLI" --rpc "$URL" --wallet "$TMP/main.wallet" wallet --json balance && has '"name":"ENETWORK"' "--json: ENETWORK"

kill -TERM $pid2
wait $pid2
echo "cli_wallet_recovery.sh: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
