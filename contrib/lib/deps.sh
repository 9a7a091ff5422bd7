# contrib/lib/deps.sh — sourced by contrib/test and contrib/devnet: installs the Debian packages
# the build needs when they are missing (apt-get; sudo when not root). $1 = the caller's name.
tacit_install_deps() {
    local who=$1
    local deps=(build-essential cmake pkg-config libsodium-dev libjansson-dev liblmdb-dev
                libuv1-dev libsecp256k1-dev libhttp-parser-dev libsystemd-dev curl)
    local missing=() pkg
    for pkg in "${deps[@]}"; do
        if ! dpkg -s "$pkg" >/dev/null 2>&1; then
            missing+=("$pkg")
        fi
    done
    # node + npm run the test oracles (snarkjs from the npm registry) in tests/*.sh and install
    # the development L1 (anvil, tests/lib/anvil.sh: its binary comes in an npm package; curl asks it)
    if [[ $who == test ]] && { ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then
        missing+=(nodejs npm)
    fi
    # tests/cli_wallet_recovery.sh: script(1) gives `wallet create` a terminal (bsdutils)
    if [[ $who == test ]] && ! command -v script >/dev/null 2>&1; then
        missing+=(bsdutils)
    fi
    # contrib/ci-builds (called by contrib/test): clang, and below its libFuzzer runtime
    if [[ $who == test ]] && ! command -v clang >/dev/null 2>&1; then
        missing+=(clang)
    fi
    # contrib/format check (called by contrib/test): the tree follows .clang-format
    if [[ $who == test ]] && ! command -v clang-format >/dev/null 2>&1; then
        missing+=(clang-format)
    fi
    tacit__apt_install "$who" "${missing[@]}"
    # libFuzzer ships in libclang-rt-<major>-dev, which clang only recommends: named once clang
    # says its version
    if [[ $who == test ]] && command -v clang >/dev/null 2>&1 &&
        [[ ! -f $(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a") ]]; then
        tacit__apt_install "$who" "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
    fi
}

# tacit__apt_install <caller> <package>...: apt-get install, nothing when no package is given
tacit__apt_install() {
    local who=$1
    shift
    (($# > 0)) || return 0
    echo "contrib/$who: installing $*" >&2
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}
