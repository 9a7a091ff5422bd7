# contrib/lib/deps.sh — sourced by contrib/test and contrib/devnet: installs the Debian packages
# the build needs when they are missing (apt-get; sudo when not root). $1 = the caller's name.
tacit_install_deps() {
    local who=$1
    local deps=(build-essential cmake pkg-config libsodium-dev libjansson-dev liblmdb-dev
                libuv1-dev libsecp256k1-dev libhttp-parser-dev curl)
    local missing=() pkg
    for pkg in "${deps[@]}"; do
        if ! dpkg -s "$pkg" >/dev/null 2>&1; then
            missing+=("$pkg")
        fi
    done
    # node + npm run the test oracles (snarkjs from the npm registry) in tests/*.sh
    if [[ $who == test ]] && { ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then
        missing+=(nodejs npm)
    fi
    if ((${#missing[@]} > 0)); then
        echo "contrib/$who: installing ${missing[*]}" >&2
        local sudo=()
        if [[ $(id -u) -ne 0 ]]; then
            sudo=(sudo)
        fi
        "${sudo[@]}" apt-get update
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}
