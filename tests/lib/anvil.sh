# tests/lib/anvil.sh — sourced (never run) by the scripts that need a development L1: the tests
# against a real Ethereum node (tests/l1_anvil.sh) and ./contrib/devnet --l1. Needs bash, node,
# npm, flock and curl; nothing of tacit's build.
#
#   anvil_install                installs @foundry-rs/anvil@ANVIL_VERSION from the npm registry into
#                                ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/anvil (contrib/lib/npm.sh)
#                                and sets ANVIL to the binary; returns 1, saying why, when it cannot
#   anvil_start LOG [args...]    starts anvil on 127.0.0.1 on a port the kernel picks (--port 0:
#                                no race for a "free" port), output to LOG; waits until it answers
#                                eth_chainId; sets ANVIL_PID, ANVIL_PORT, ANVIL_URL; stops it on
#                                the script's exit (added to the EXIT trap); returns 1 on failure
#   anvil_start_at PORT LOG [args...]
#                                the same on a given port (a restart on the port it had:
#                                ANVIL_PORT; retried for up to 10 s while the port is still taken)
#   anvil_stop                   stops it by its PID (SIGTERM, then SIGKILL after 5 s); anvil
#                                writes its --dump-state/--state file on SIGTERM
#   anvil_rpc METHOD [PARAMS]    one JSON-RPC call with curl (PARAMS: a JSON array, default []);
#                                prints the whole answer
#
# The package @foundry-rs/anvil has no binary of its own: npm installs the platform package
# (@foundry-rs/anvil-linux-amd64 on x86-64 Linux) as an optional dependency, and that package
# carries the binary (bin/anvil). Its postinstall script (a fallback download) is not run:
# --ignore-scripts. The binary is started directly, not through the package's node wrapper, so
# ANVIL_PID is anvil itself.
#
# anvil's defaults the tests rely on: chain id 31337, 10 accounts of 10,000 ETH from the mnemonic
# "test test test test test test test test test test test junk" (account 0:
# 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478
# cbed5efcae784d7bf4f2ff80 — public test keys), a block per transaction (automine), base fee
# 1 gwei at genesis.

ANVIL_VERSION=1.7.1

# shellcheck source=contrib/lib/npm.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../contrib/lib/npm.sh"

anvil_install() {
    local dir="${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/anvil" plat
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) plat=linux-amd64 ;;
        Linux-aarch64) plat=linux-arm64 ;;
        Darwin-arm64) plat=darwin-arm64 ;;
        Darwin-x86_64) plat=darwin-amd64 ;;
        *) echo "anvil.sh: no anvil package for $(uname -s)-$(uname -m)" >&2; return 1 ;;
    esac
    tacit_npm_install "$dir" @foundry-rs/anvil "$ANVIL_VERSION" --ignore-scripts || return 1
    ANVIL="$dir/node_modules/@foundry-rs/anvil-$plat/bin/anvil"
    if [[ ! -x $ANVIL ]]; then
        echo "anvil.sh: @foundry-rs/anvil@$ANVIL_VERSION installed without its platform binary $ANVIL" >&2
        return 1
    fi
    if ! "$ANVIL" --version 2>/dev/null | grep -q "Version: $ANVIL_VERSION"; then
        echo "anvil.sh: $ANVIL is not anvil $ANVIL_VERSION: $("$ANVIL" --version 2>&1 | head -1)" >&2
        return 1
    fi
}

ANVIL_PID=
anvil_stop() {
    [[ -n $ANVIL_PID ]] || return 0
    if kill -TERM "$ANVIL_PID" 2>/dev/null; then
        local i
        for i in $(seq 1 50); do
            kill -0 "$ANVIL_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$ANVIL_PID" 2>/dev/null || true
    fi
    wait "$ANVIL_PID" 2>/dev/null || true
    ANVIL_PID=
}

anvil_rpc() {
    curl -sS --max-time 10 -H 'Content-Type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":${2:-[]}}" "$ANVIL_URL"
}

anvil_start() {
    anvil_start_at 0 "$@"
}

ANVIL_TRAPPED=
anvil_start_at() {
    local want=$1 log=$2 i _
    shift 2
    [[ -n ${ANVIL:-} ]] || anvil_install || return 1
    if [[ -z $ANVIL_TRAPPED ]]; then
        # the EXIT trap the script had, then anvil_stop
        local prev
        prev=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
        # shellcheck disable=SC2064
        trap "anvil_stop${prev:+; $prev}" EXIT
        ANVIL_TRAPPED=1
    fi
    for _ in $(seq 1 20); do
        "$ANVIL" --host 127.0.0.1 --port "$want" "$@" >"$log" 2>&1 &
        ANVIL_PID=$!
        ANVIL_PORT=
        for i in $(seq 1 300); do
            ANVIL_PORT=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)
            [[ -n $ANVIL_PORT ]] && break
            kill -0 "$ANVIL_PID" 2>/dev/null || break
            sleep 0.1
        done
        [[ -n $ANVIL_PORT ]] && break
        anvil_stop
        # a given port still taken (a restart): try again; any other failure is final
        if [[ $want == 0 ]] || ! grep -qi 'address already in use' "$log"; then break; fi
        sleep 0.5
    done
    if [[ -z $ANVIL_PORT ]]; then
        echo "anvil.sh: anvil did not start: $(tail -5 "$log")" >&2
        anvil_stop
        return 1
    fi
    ANVIL_URL="http://127.0.0.1:$ANVIL_PORT"
    for i in $(seq 1 100); do
        anvil_rpc eth_chainId 2>/dev/null | grep -q '"result"' && return 0
        sleep 0.1
    done
    echo "anvil.sh: anvil on $ANVIL_URL does not answer eth_chainId" >&2
    anvil_stop
    return 1
}
