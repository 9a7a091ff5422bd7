# tests/lib/solc.sh — sourced (never run) by what compiles Solidity: contrib/compile-contract, the
# test that recompiles the checked-in artifacts, the tests and benchmarks that compile a generated
# verifier. Needs bash, node, npm and flock; nothing of tacit's build.
#
#   solc_install                 installs solc (solc-js, the Solidity compiler as WebAssembly) at
#                                SOLC_VERSION from the npm registry into
#                                ${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/solc (contrib/lib/npm.sh)
#                                and sets SOLCJS to the module's folder; returns 1, saying why,
#                                when it cannot
#   solc_standard_json < IN > OUT   runs the compiler's standard-JSON interface (the input and output
#                                formats of https://docs.soliditylang.org/en/latest/using-the-compiler.html);
#                                installs first if needed
#
# One pinned version for everything: the checked-in artifacts are compared byte for byte with a
# fresh compile, which holds only for the same compiler version and settings.

SOLC_VERSION=0.8.37

# shellcheck source=contrib/lib/npm.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../contrib/lib/npm.sh"

solc_install() {
    local dir="${TACIT_NPM_CACHE:-$HOME/.cache/tacit-npm}/solc"
    tacit_npm_install "$dir" solc "$SOLC_VERSION" || return 1
    SOLCJS="$dir/node_modules/solc"
    if [[ ! -f $SOLCJS/index.js ]]; then
        echo "solc.sh: solc@$SOLC_VERSION installed without its module ($SOLCJS)" >&2
        return 1
    fi
}

solc_standard_json() {
    [[ -n ${SOLCJS:-} ]] || solc_install || return 1
    # the module's compile(), not the solcjs command, which prints notes on stdout with the JSON
    node -e 'const solc = require(process.argv[1]);
             process.stdout.write(solc.compile(require("fs").readFileSync(0, "utf8")));' "$SOLCJS"
}
