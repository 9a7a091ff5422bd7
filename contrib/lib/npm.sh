# contrib/lib/npm.sh — sourced (never run) by the scripts that need a pinned package from the
# npm registry: the test oracles (tests/lib/snarkjs.sh, contrib/gen-l1-vectors), the development
# L1 (tests/lib/anvil.sh), the benchmarks. Needs only bash, flock, node and npm.
#
#   tacit_npm_install DIR NAME VERSION [npm flags...]
#
# installs NAME@VERSION into DIR (a project-local cache folder, by convention
# ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/<tool>) unless DIR/node_modules/NAME already holds
# exactly VERSION. A lock on DIR/.lock serialises concurrent installs (ctest runs tests in
# parallel). Returns 0 when the pinned version is there afterwards; otherwise prints why on stderr
# (no node or npm, the registry unreachable) and returns 1: a caller that needs the package fails,
# it never skips silently. Extra flags go to npm install (e.g. --ignore-scripts).
#
#   tacit_npm_version DIR NAME    prints the installed version of NAME in DIR (nothing if absent)

tacit_npm_version() {
    local pkg="$1/node_modules/$2/package.json"
    [[ -f $pkg ]] || return 0
    node -e 'try { console.log(require(process.argv[1]).version) } catch (e) {}' "$pkg" 2>/dev/null
}

tacit_npm_install() {
    local dir=$1 name=$2 version=$3
    shift 3
    local tool
    for tool in node npm flock; do
        if ! command -v "$tool" >/dev/null; then
            echo "npm.sh: needs $tool to install $name@$version (Debian: apt-get install nodejs npm)" >&2
            return 1
        fi
    done
    mkdir -p "$dir" || { echo "npm.sh: cannot create $dir" >&2; return 1; }
    (
        flock 9
        if [[ "$(tacit_npm_version "$dir" "$name")" != "$version" ]]; then
            echo "npm.sh: installing $name@$version from the npm registry into $dir" >&2
            cd "$dir" && { [[ -f package.json ]] || echo '{"private": true}' >package.json; } &&
                npm install --no-audit --no-fund --silent "$@" "$name@$version" >&2
        fi
    ) 9>"$dir/.lock"
    if [[ "$(tacit_npm_version "$dir" "$name")" != "$version" ]]; then
        echo "npm.sh: could not install $name@$version from the npm registry into $dir (offline? registry unreachable?)" >&2
        return 1
    fi
}
