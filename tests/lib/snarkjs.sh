# tests/lib/snarkjs.sh — sourced by the tests/*.sh scripts that use snarkjs as an oracle
# (not a test itself). Before sourcing, the script sets CLI (tacit-cli), CACHE (the npm
# folder) and TMP (its scratch folder). This file: the helpers of common.sh; installs
# snarkjs@SNARKJS_VERSION from the npm registry into $CACHE once (contrib/lib/npm.sh: a lock
# serialises concurrent installs; without node/npm or the registry the test FAILS, saying
# so: it is never skipped silently); sets SNARKJS to the command that runs it; same_vk.

# shellcheck source=tests/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SNARKJS_VERSION=0.7.6
# shellcheck source=contrib/lib/npm.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../contrib/lib/npm.sh"
tacit_npm_install "$CACHE" snarkjs "$SNARKJS_VERSION" || die "could not install snarkjs@$SNARKJS_VERSION"
SNARKJS=(node "$CACHE/node_modules/snarkjs/build/cli.cjs")

# same_vk <a.json> <b.json>: equal verifying keys (vk_alphabeta_12 aside: tacit does not write it)
same_vk() {
    node -e '
const fs = require("fs");
const [a, b] = process.argv.slice(1).map((p) => JSON.parse(fs.readFileSync(p, "utf8")));
for (const k of [a, b]) delete k.vk_alphabeta_12;
const canon = (o) => JSON.stringify(o, Object.keys(o).sort());
process.exit(canon(a) === canon(b) ? 0 : 1);' "$1" "$2"
}
