/*
 * tacitd — the tacit sequencer node: command line and config file into a tacit_node_config,
 * then tacit_node_run (src/node). Every config key is also a flag: key block_interval_ms is
 * --block-interval-ms. The config file is read first, flags override it. docs/operations.md.
 * Messages quote what came from the command line or the file (TACIT_LOG_S): a control character
 * in a name cannot forge a line of the log.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "tacit/abi.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/l1.h"
#include "tacit/node.h"
#include "tacit/prover.h"
#include "tacit/rollup.h"
#include "tacit/settle.h"
#include "tacit/util.h"

#define RPCAUTH_MAX 32

struct opts {
    struct tacit_node_config cfg;
    bool min_fee_set, datadir_set, cadence_set;
    char *strings[64]; /* owned copies of string values */
    size_t nstrings;
    const char *rpcauth[RPCAUTH_MAX + 1];
    size_t nrpcauth;
};

enum kind { K_BOOL, K_U64, K_U32, K_SIZE, K_STR, K_BIND, K_ROLLUP, K_AUTH, K_LOG, K_CADENCE };

struct key {
    const char *name;
    enum kind kind;
    size_t off; /* into struct tacit_node_config */
    const char *help;
};

/* What a block's raw answer takes (see the check before tacit_node_run), with some slack. */
#define TACITD_BLOCK_ANSWER_BASE 4096u /* the header's fields and raw bytes in hex: about 1.5 KB */
#define TACITD_BLOCK_ANSWER_PER_TX 3800u
#define TACITD_BLOCK_ANSWER_PER_CREDIT 160u

#define C(f) offsetof(struct tacit_node_config, f)
static const struct key keys[] = {
    {"datadir", K_STR, C(datadir),
     "data directory (default ~/" TACIT_DATADIR_HOME_DEFAULT
     "; with --devnet: ./" TACIT_DATADIR_DEVNET_DEFAULT ")"},
    {"devnet", K_BOOL, C(devnet),
     "run a local devnet: keys, funded accounts, 1 s blocks, dev_* RPC"},
    {"chain_id", K_U64, C(chain_id), "chain id (required unless --devnet)"},
    {"rollup_id", K_ROLLUP, 0, "rollup id, 20 bytes hex (default zero)"},
    {"vk_file", K_STR, C(vk_file), "snarkjs verification_key.json of the transfer circuit"},
    {"rpc_bind", K_BIND, 0, "HOST:PORT for JSON-RPC over HTTP (default 127.0.0.1:8645; \"none\")"},
    {"rpc_socket", K_STR, C(rpc_socket),
     "Unix socket path (default <datadir>/" TACIT_DATADIR_SOCKET "; \"none\")"},
    {"rpcauth", K_AUTH, 0, "user:salt$hmac credential for admin_ methods (repeatable)"},
    {"metrics_bind", K_BIND, 0,
     "[HOST:]PORT of a listener for GET /metrics, /health (HOST default 127.0.0.1; default none)"},
    {"metrics_on_rpc", K_BOOL, C(metrics_on_rpc),
     "serve /metrics on the RPC port too (default: 404 there)"},
    {"rpc_cors", K_STR, C(rpc_cors),
     "let web pages of ORIGIN (http://localhost:3000, or *) call the RPC (CORS; default off)"},
    {"block_interval_ms", K_U32, C(block_interval_ms), "seal a block every N ms (default 1000)"},
    {"max_block_txs", K_U32, C(max_block_txs), "or when N txs are pending (default 2048)"},
    {"block_cadence", K_CADENCE, 0,
     "fixed: a block every interval, empty or not; demand: only with work (default demand; "
     "devnet fixed)"},
    {"empty_blocks", K_BOOL, C(empty_blocks), "the same as --block-cadence fixed"},
    {"min_fee", K_U64, C(min_fee), "minimum fee in base units (default 1000; devnet 0)"},
    {"root_history", K_U32, C(root_history),
     "anchors: the last N note roots (default 256; fixed when the chain is made)"},
    {"mempool_max_txs", K_SIZE, C(mempool_max_txs), "mempool limit in txs (default 50000)"},
    {"mempool_max_bytes", K_SIZE, C(mempool_max_bytes), "mempool limit in bytes (default 256 MiB)"},
    {"verify_threads", K_U32, C(verify_threads), "threads that verify proofs (default: cores)"},
    {"verify_queue_max", K_SIZE, C(verify_queue_max),
     "txs waiting for a proof check before \"busy\" (8192)"},
    {"rpc_max_body", K_SIZE, C(rpc_limits.max_body), "request body bytes (default 4 MiB)"},
    {"rpc_max_header", K_SIZE, C(rpc_limits.max_header), "request header bytes (default 16 KiB)"},
    {"rpc_max_batch", K_SIZE, C(rpc_limits.max_batch), "calls per batch (default 1000)"},
    {"rpc_max_depth", K_U32, C(rpc_limits.max_depth), "JSON nesting depth (default 32)"},
    {"rpc_max_conns", K_U32, C(rpc_limits.max_conns), "open connections (default 256)"},
    {"rpc_header_timeout_ms", K_U32, C(rpc_limits.header_timeout_ms),
     "header deadline (default 10000)"},
    {"rpc_body_timeout_ms", K_U32, C(rpc_limits.body_timeout_ms), "body deadline (default 30000)"},
    {"rpc_idle_timeout_ms", K_U32, C(rpc_limits.idle_timeout_ms),
     "keep-alive idle limit (default 60000)"},
    {"rpc_max_pending", K_U32, C(rpc_limits.max_pending),
     "calls in flight before \"busy\" (default 4096)"},
    {"rpc_pending_reserve", K_U32, C(rpc_limits.pending_reserve),
     "of those, kept for admin and Unix-socket calls (default 256)"},
    {"rpc_max_longpolls", K_U32, C(rpc_limits.max_longpolls),
     "tacit_waitForBlock calls waiting (default 1024)"},
    {"rpc_max_longpolls_per_conn", K_U32, C(rpc_limits.max_longpolls_per_conn),
     "of those, per connection (default 16)"},
    {"rpc_max_conns_local", K_U32, C(rpc_limits.max_conns_local),
     "open Unix-socket connections (default 64)"},
    {"rpc_max_response", K_SIZE, C(rpc_limits.max_response),
     "bytes of one call's answer (default 16 MiB)"},
    {"rpc_max_batch_response", K_SIZE, C(rpc_limits.max_batch_response),
     "bytes of a batch's answer (default 32 MiB)"},
    {"rpc_write_timeout_ms", K_U32, C(rpc_limits.write_timeout_ms),
     "a client must read its answer within (default 30000)"},
    {"l1_rpc", K_STR, C(l1_rpc),
     "L1 mode: the Ethereum JSON-RPC endpoint, http://HOST:PORT or unix:PATH"},
    {"l1_rollup", K_STR, C(l1_rollup), "L1 mode: the TacitRollup contract, 0x + 40 hex digits"},
    {"l1_key", K_STR, C(l1_key), "L1 mode: the submitter's L1 key file (0x + 64 hex, mode 0600)"},
    {"l1_confirmations", K_U32, C(l1_confirmations),
     "L1 mode: an L1 deposit is credited N blocks after its own (default 2)"},
    {"l1_tree_key", K_STR, C(l1_tree_key),
     "L1 mode: the tree-update proving key (default <datadir>/keys/tree_update.zkey)"},
    {"l1_final_depth", K_U32, C(l1_final_depth),
     "L1 mode: an L1 block is final N blocks under the head (default 0: the L1's finalized tag)"},
    {"l1_poll_ms", K_U32, C(settle_poll_ms),
     "L1 mode: the submitter asks the L1 every N ms (default 1000)"},
    {"l1_max_inflight", K_U32, C(l1_max_inflight),
     "L1 mode: blocks submitted and not yet settled at most (default 4; 1: one at a time)"},
    {"l1_bump_after", K_U32, C(l1_bump_after),
     "L1 mode: a submission pending N L1 blocks is replaced with higher fees (default 3; 0: "
     "never)"},
    {"l1_max_fee_gwei", K_U64, C(l1_max_fee_gwei),
     "L1 mode: the submitter's max fee per gas, in gwei (default 0: no cap)"},
    {"l1_part_gas", K_U64, C(l1_part_gas),
     "L1 mode: a submission's gas budget (estimated); a larger block is submitted in parts "
     "(default 13000000; 2000000 to 16777216)"},
    {"follow", K_STR, C(follow),
     "follower: take the blocks of the sequencer at http://HOST:PORT, re-verify and serve "
     "them (makes none)"},
    {"sequencer_key", K_STR, C(sequencer_key),
     "follower: the chain's sequencer key, 0x + 64 hex (x-only; default: the sequencer's "
     "chainInfo at the first start)"},
    {"follow_devnet", K_BOOL, C(follow_devnet),
     "follower of a devnet: its blocks may mint (dev_fund); chain id 0x7461 by default"},
    {"follow_forward", K_BOOL, C(follow_forward),
     "follower: pass tacit_sendRawTransaction on to the sequencer (default: refuse it)"},
    {"follow_l1", K_BOOL, C(follow_l1),
     "follower: rebuild the chain from the rollup contract alone (with --l1-rpc, --l1-rollup; "
     "--l1-confirmations under the head)"},
    {"sequence_when_open", K_BOOL, C(sequence_when_open),
     "L1 follower (--follow-l1 with --l1-key): while the contract's submission is open to "
     "anyone, make, prove and submit blocks from L1 data and its mempool"},
    {"log_level", K_LOG, 0, "error, warn, info (default) or debug"},
    {"log_file", K_STR, C(log_file), "append the log to FILE, reopened on SIGHUP (default stderr)"},
};
#undef C

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tacitd [--devnet] [--datadir DIR] [--config FILE] [--KEY VALUE]...\n\n"
            "The tacit sequencer node. Every config file key (KEY = VALUE lines, # comments) is\n"
            "also a flag with dashes: --block-interval-ms 500. Flags override the file.\n\n");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char flag[64];
        size_t k;
        for (k = 0; keys[i].name[k] && k < sizeof flag - 1; k++)
            flag[k] = keys[i].name[k] == '_' ? '-' : keys[i].name[k];
        flag[k] = '\0';
        fprintf(f, "  --%-24s %s%s\n", flag, keys[i].kind == K_BOOL ? "" : "V  ", keys[i].help);
    }
    fprintf(f, "  --%-24s %s\n  --%-24s %s\n", "config FILE", "read KEY = VALUE settings from FILE",
            "help", "this text");
    fprintf(f, "  --%-24s %s\n", "version", "print the release and the protocol versions");
    fprintf(f, "  --%-24s %s\n%-28s %s\n", "new-chain",
            "begin a new chain although the data directory held one (its store missing", "",
            "or empty); command line only, for one start");
    fprintf(f, "\nStops cleanly on SIGINT, SIGTERM or SIGQUIT; SIGHUP reopens the log file.\n"
               "docs/operations.md has more.\n");
}

/* L1 mode (docs/operations.md, "Settlement on L1"): what the node's settler is made of. */
struct l1_mode {
    struct tacit_l1 *l1;
    struct tacit_eth_key *key;
    struct tacit_l1_sender *sender;
    tacit_groth16_pk *tree_pk;
    struct tacit_settler settler;
};

static void l1_mode_free(struct l1_mode *m)
{
    tacit_rollup_settler_free(&m->settler);
    tacit_l1_sender_free(m->sender);
    tacit_groth16_pk_free(m->tree_pk);
    tacit_eth_key_free(m->key);
    tacit_l1_free(m->l1);
    memset(m, 0, sizeof *m);
}

/* A uint64 getter of the contract (maxLeaves(), deployBlock()), read at the L1 head. */
static int read_u64(struct tacit_l1 *l1, const uint8_t contract[20], const char *sig, uint64_t *out)
{
    struct tacit_l1_call call;
    uint8_t sel[4], *ret = NULL;
    size_t len = 0;
    int rc;
    memset(&call, 0, sizeof call);
    memcpy(call.to, contract, 20);
    if ((rc = tacit_abi_selector(sel, sig)) != TACIT_OK) return rc;
    call.data = sel;
    call.data_len = 4;
    rc = tacit_l1_call(l1, &call, TACIT_L1_LATEST, &ret, &len);
    if (rc == TACIT_OK && len != 32) rc = TACIT_EL1_REPLY;
    *out = 0;
    for (size_t i = 24; rc == TACIT_OK && i < 32; i++) *out = *out << 8 | ret[i];
    free(ret);
    return rc;
}

/* L1 mode's flags: all three or none, each checked, and the settler made from them (the L1's
 * chain id asked, the contract's maxLeaves() matched against the tree-update key). 0 when none
 * is given or the settler is made (m filled in, c->settler set); 2 on a bad flag or an L1 that
 * does not answer (the message says which and why). */
static int l1_setup(struct tacit_node_config *c, struct l1_mode *m)
{
    struct tacit_rollup_settler_opts so;
    struct tacit_l1_sender_opts sopts;
    uint8_t rollup[20], addr[20];
    char hex[43], *tree_path = NULL;
    uint64_t max_leaves = 0, deploy_block = 0;
    int rc;
    memset(m, 0, sizeof *m);
    if (c->l1_rpc == NULL && c->l1_rollup == NULL && c->l1_key == NULL) return 0;
    /* a follower reads L1 (the node checks --l1-rpc and --l1-rollup): it submits nothing */
    if ((c->follow != NULL || c->follow_l1) && c->l1_key == NULL) {
        if (c->sequence_when_open) {
            fprintf(stderr, "tacitd: --sequence-when-open submits blocks: it needs --l1-key\n");
            return 2;
        }
        return 0;
    }
    if (c->sequence_when_open && !c->follow_l1) {
        fprintf(stderr, "tacitd: --sequence-when-open goes with --follow-l1\n");
        return 2;
    }
    if (c->l1_rpc == NULL || c->l1_rollup == NULL || c->l1_key == NULL) {
        fprintf(stderr,
                "tacitd: L1 mode needs --l1-rpc, --l1-rollup and --l1-key together "
                "(missing: %s%s%s)\n",
                c->l1_rpc == NULL ? "--l1-rpc " : "", c->l1_rollup == NULL ? "--l1-rollup " : "",
                c->l1_key == NULL ? "--l1-key" : "");
        return 2;
    }
    if (c->settle_poll_ms == 0) {
        fprintf(stderr, "tacitd: l1_poll_ms must be at least 1\n");
        return 2;
    }
    if (c->l1_max_inflight == 0 || c->l1_max_inflight > 64) {
        fprintf(stderr, "tacitd: l1_max_inflight must be 1 to 64\n");
        return 2;
    }
    if (c->l1_part_gas != 0 &&
        (c->l1_part_gas < 2000000 || c->l1_part_gas > TACIT_ROLLUP_L1_TX_GAS_CAP)) {
        fprintf(stderr, "tacitd: l1_part_gas must be 2000000 to 16777216 (EIP-7825)\n");
        return 2;
    }
    if (tacit_l1_http_new(&m->l1, c->l1_rpc, NULL) != TACIT_OK) {
        fprintf(stderr,
                "tacitd: --l1-rpc %s: not an L1 endpoint URL (http://HOST:PORT, no path; "
                "or unix:/PATH)\n",
                TACIT_LOG_S(c->l1_rpc));
        return 2;
    }
    if (strlen(c->l1_rollup) != 42 ||
        tacit_hex_decode(rollup, sizeof rollup, c->l1_rollup, true) != TACIT_OK) {
        fprintf(stderr, "tacitd: --l1-rollup %s: not a contract address (0x + 40 hex digits)\n",
                TACIT_LOG_S(c->l1_rollup));
        goto bad;
    }
    if ((rc = tacit_eth_key_load(&m->key, c->l1_key)) != TACIT_OK) {
        fprintf(stderr, "tacitd: --l1-key %s: %s\n", TACIT_LOG_S(c->l1_key),
                rc == TACIT_ENOENT           ? "no such file"
                : rc == TACIT_EKEY_FILE_MODE ? "readable or writable by group or others "
                                               "(chmod 600 it: it holds the key that pays for "
                                               "every submission)"
                : rc == TACIT_EENCODING      ? "not a key file (one line: 0x + 64 hex digits)"
                                             : tacit_strerror(rc));
        goto bad;
    }
    tacit_eth_key_address(m->key, addr);
    tacit_hex_encode(hex, addr, 20);
    if (c->l1_tree_key != NULL)
        tree_path = strdup(c->l1_tree_key);
    else if (c->datadir != NULL)
        tree_path = tacit_datadir_path(c->datadir, TACIT_DATADIR_KEYS "/tree_update.zkey");
    if (tree_path == NULL) {
        fprintf(stderr, "tacitd: L1 mode needs l1_tree_key (the tree-update proving key)\n");
        goto bad;
    }
    if ((rc = tacit_groth16_pk_read_file(&m->tree_pk, tree_path)) != TACIT_OK ||
        m->tree_pk->npublic < 5) {
        fprintf(stderr,
                "tacitd: l1_tree_key %s: %s (make it with `tacit-cli setup --circuit tree-update "
                "--out DIR`)\n",
                TACIT_LOG_S(tree_path),
                rc != TACIT_OK ? tacit_strerror(rc) : "not a tree-update key (too few inputs)");
        free(tree_path);
        goto bad;
    }
    if ((rc = tacit_l1_chain_id(m->l1, &c->l1_chain_id)) != TACIT_OK ||
        (rc = read_u64(m->l1, rollup, "maxLeaves()", &max_leaves)) != TACIT_OK) {
        fprintf(stderr, "tacitd: --l1-rpc %s, --l1-rollup %s: %s\n", TACIT_LOG_S(c->l1_rpc),
                TACIT_LOG_S(c->l1_rollup), tacit_strerror(rc));
        free(tree_path);
        goto bad;
    }
    /* the settler scans the contract's logs from there (docs/l1-contract.md): a contract without
     * it is of an older tacit-cli l1 deploy */
    if ((rc = read_u64(m->l1, rollup, "deployBlock()", &deploy_block)) != TACIT_OK) {
        fprintf(stderr, "tacitd: --l1-rollup %s: deployBlock(): %s%s\n", TACIT_LOG_S(c->l1_rollup),
                tacit_strerror(rc),
                rc == TACIT_EL1_REVERTED ? " (a contract of an older tacit-cli l1 deploy: deploy "
                                           "it again)"
                                         : "");
        free(tree_path);
        goto bad;
    }
    if (max_leaves != m->tree_pk->npublic - 4) {
        fprintf(stderr,
                "tacitd: l1_tree_key %s proves %u leaves at a time, the contract %s takes "
                "%" PRIu64 "\n",
                TACIT_LOG_S(tree_path), (unsigned)(m->tree_pk->npublic - 4),
                TACIT_LOG_S(c->l1_rollup), max_leaves);
        free(tree_path);
        goto bad;
    }
    free(tree_path);
    memset(&sopts, 0, sizeof sopts);
    sopts.chain_id = c->l1_chain_id;
    sopts.gas_limit_max = TACIT_ROLLUP_L1_TX_GAS_CAP;               /* EIP-7825 */
    tacit_uint256_from_u64(&sopts.max_fee_cap, c->l1_max_fee_gwei); /* 0: no cap */
    if (tacit_uint256_mul_u64(&sopts.max_fee_cap, &sopts.max_fee_cap, 1000000000u) != TACIT_OK) {
        fprintf(stderr, "tacitd: l1_max_fee_gwei is too large\n");
        goto bad;
    }
    if ((rc = tacit_l1_sender_new(&m->sender, m->l1, m->key, &sopts)) != TACIT_OK) {
        fprintf(stderr, "tacitd: the L1 sender: %s\n", tacit_strerror(rc));
        goto bad;
    }
    memset(&so, 0, sizeof so);
    so.l1 = m->l1;
    so.sender = m->sender;
    memcpy(so.contract, rollup, 20);
    so.tree_pk = m->tree_pk;
    so.max_leaves = (unsigned)max_leaves;
    so.final_depth = c->l1_final_depth;
    so.part_gas = c->l1_part_gas;
    if ((rc = tacit_rollup_settler_new(&m->settler, &so)) != TACIT_OK) {
        fprintf(stderr, "tacitd: the settler: %s\n", tacit_strerror(rc));
        goto bad;
    }
    memcpy(c->rollup_id, rollup, 20); /* protocol v2: the rollup is the contract */
    c->settler = &m->settler;
    fprintf(stderr, "tacitd: L1 mode: L1 chain %" PRIu64 ", contract %s, submitter %s\n",
            c->l1_chain_id, c->l1_rollup, hex);
    return 0;
bad:
    l1_mode_free(m);
    return 2;
}

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, name) == 0) return &keys[i];
    return NULL;
}

/* An origin as browsers send it (RFC 6454 6.2): http or https, "://", a lower-case host, an
 * optional port, nothing after; or "*". */
static bool cors_origin_ok(const char *v)
{
    const char *h;
    if (strcmp(v, "*") == 0) return true;
    if (strncmp(v, "http://", 7) == 0)
        h = v + 7;
    else if (strncmp(v, "https://", 8) == 0)
        h = v + 8;
    else
        return false;
    if (*h == '\0' || strlen(v) > 200) return false;
    for (; *h; h++)
        if (!((*h >= 'a' && *h <= 'z') || (*h >= '0' && *h <= '9') || *h == '.' || *h == '-' ||
              *h == ':' || *h == '[' || *h == ']'))
            return false;
    return true;
}

static char *keep(struct opts *o, const char *s)
{
    char *c;
    if (o->nstrings == sizeof o->strings / sizeof o->strings[0] || (c = strdup(s)) == NULL)
        return NULL;
    return o->strings[o->nstrings++] = c;
}

static bool parse_bool(const char *v, bool *out)
{
    if (v == NULL || strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
        *out = true;
    else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
        *out = false;
    else
        return false;
    return true;
}

static bool parse_uint(const char *v, uint64_t max, uint64_t *out)
{
    int rc = v != NULL && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') ? tacit_parse_hex_u64(out, v)
                                                                      : tacit_parse_dec_u64(out, v);
    return rc == TACIT_OK && *out <= max;
}

/* Sets one key; returns an error message or NULL. */
static const char *set_key(struct opts *o, const struct key *k, const char *v)
{
    char *base = (char *)&o->cfg + k->off;
    uint64_t u;
    switch (k->kind) {
    case K_BOOL:
        if (!parse_bool(v, (bool *)base)) return "expected true or false";
        if (strcmp(k->name, "empty_blocks") == 0) o->cadence_set = true;
        return NULL;
    case K_CADENCE:
        if (v != NULL && strcmp(v, "fixed") == 0)
            o->cfg.empty_blocks = true;
        else if (v != NULL && strcmp(v, "demand") == 0)
            o->cfg.empty_blocks = false;
        else
            return "expected fixed or demand";
        o->cadence_set = true;
        return NULL;
    case K_U64:
        if (!parse_uint(v, UINT64_MAX, &u)) return "expected a non-negative integer";
        *(uint64_t *)base = u;
        if (strcmp(k->name, "min_fee") == 0) o->min_fee_set = true;
        return NULL;
    case K_U32:
        if (!parse_uint(v, UINT32_MAX, &u)) return "expected an integer below 2^32";
        if (strcmp(k->name, "block_interval_ms") == 0 && u == 0) return "must be at least 1";
        /* a block holds at most TACIT_BLOCK_MAX_TXS: past it every block would fail */
        if (strcmp(k->name, "max_block_txs") == 0 && (u == 0 || u > TACIT_BLOCK_MAX_TXS))
            return "must be 1 to 65536 (the most a block holds)";
        *(uint32_t *)base = (uint32_t)u;
        return NULL;
    case K_SIZE:
        if (!parse_uint(v, SIZE_MAX, &u)) return "expected a non-negative integer";
        *(size_t *)base = (size_t)u;
        return NULL;
    case K_STR:
        if (v == NULL || v[0] == '\0') return "expected a value";
        if (strcmp(k->name, "rpc_socket") == 0 && strcmp(v, "none") == 0) v = "";
        if (strcmp(k->name, "rpc_cors") == 0 && !cors_origin_ok(v))
            return "expected * or an origin: scheme://host[:port], lower case, no path "
                   "(http://localhost:3000)";
        if ((*(const char **)base = keep(o, v)) == NULL) return "out of memory";
        if (strcmp(k->name, "datadir") == 0) o->datadir_set = true;
        return NULL;
    case K_BIND: {
        /* rpc_bind: HOST:PORT; metrics_bind: [HOST:]PORT, loopback when HOST is left out */
        bool metrics = strcmp(k->name, "metrics_bind") == 0;
        const char **hostp = metrics ? &o->cfg.metrics_host : &o->cfg.rpc_host;
        const char *colon, *port;
        char host[256];
        if (v == NULL) return "expected HOST:PORT";
        if (strcmp(v, "none") == 0) {
            *hostp = NULL;
            return NULL;
        }
        colon = strrchr(v, ':');
        if (metrics && colon == NULL) {
            strcpy(host, "127.0.0.1");
            port = v;
        } else {
            if (colon == NULL || colon == v || (size_t)(colon - v) >= sizeof host)
                return "expected HOST:PORT";
            memcpy(host, v, (size_t)(colon - v));
            host[colon - v] = '\0';
            port = colon + 1;
        }
        if (!parse_uint(port, 65535, &u)) return "port must be 0..65535";
        if (host[0] == '[' && host[strlen(host) - 1] == ']') { /* [::1]:8645 */
            memmove(host, host + 1, strlen(host));
            host[strlen(host) - 1] = '\0';
        }
        if ((*hostp = keep(o, host)) == NULL) return "out of memory";
        if (metrics)
            o->cfg.metrics_port = (uint16_t)u;
        else
            o->cfg.rpc_port = (uint16_t)u;
        return NULL;
    }
    case K_ROLLUP:
        if (tacit_hex_decode(o->cfg.rollup_id, TACIT_ROLLUP_ID_LEN, v, true) != TACIT_OK)
            return "expected 20 bytes in 0x-prefixed hex";
        return NULL;
    case K_AUTH:
        if (v == NULL || strchr(v, ':') == NULL || strchr(v, '$') == NULL)
            return "expected user:salt$hmac";
        if (o->nrpcauth == RPCAUTH_MAX) return "too many rpcauth entries";
        if ((o->rpcauth[o->nrpcauth++] = keep(o, v)) == NULL) return "out of memory";
        o->cfg.rpcauth = o->rpcauth;
        return NULL;
    case K_LOG:
        if (v == NULL) return "expected error, warn, info or debug";
        if (strcmp(v, "error") == 0)
            o->cfg.log_level = TACIT_LOG_ERROR;
        else if (strcmp(v, "warn") == 0)
            o->cfg.log_level = TACIT_LOG_WARN;
        else if (strcmp(v, "info") == 0)
            o->cfg.log_level = TACIT_LOG_INFO;
        else if (strcmp(v, "debug") == 0)
            o->cfg.log_level = TACIT_LOG_DEBUG;
        else
            return "expected error, warn, info or debug";
        return NULL;
    }
    return "unknown kind";
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t') s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) *--e = '\0';
    return s;
}

static int load_config(struct opts *o, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int lineno = 0;
    if (f == NULL) {
        fprintf(stderr, "tacitd: cannot read config %s: %s\n", TACIT_LOG_S(path), strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *s = trim(line), *eq, *name, *val;
        const struct key *k;
        const char *err;
        lineno++;
        if (s[0] == '\0' || s[0] == '#') continue;
        if ((eq = strchr(s, '=')) == NULL) {
            fprintf(stderr, "tacitd: %s:%d: expected KEY = VALUE\n", TACIT_LOG_S(path), lineno);
            fclose(f);
            return -1;
        }
        *eq = '\0';
        name = trim(s);
        val = trim(eq + 1);
        if ((k = find_key(name)) == NULL) {
            fprintf(stderr, "tacitd: %s:%d: unknown key %s (tacitd --help lists them)\n",
                    TACIT_LOG_S(path), lineno, TACIT_LOG_QS(name));
            fclose(f);
            return -1;
        }
        if ((err = set_key(o, k, val)) != NULL) {
            fprintf(stderr, "tacitd: %s:%d: %s: %s\n", TACIT_LOG_S(path), lineno, TACIT_LOG_S(name),
                    err);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

/* systemd's readiness protocol (sd_notify(3), Type=notify in contrib/systemd/tacitd.service):
 * a no-op unless $NOTIFY_SOCKET is set; a failure is not the node's concern. */
static void notify_systemd(const char *state) { (void)sd_notify(0, state); }

static void opts_free(struct opts *o)
{
    for (size_t i = 0; i < o->nstrings; i++) free(o->strings[i]);
}

int main(int argc, char **argv)
{
    struct l1_mode l1m;
    struct opts o;
    const char *config = NULL;
    int rc;

    memset(&o, 0, sizeof o);
    tacit_node_config_init(&o.cfg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("tacitd %s (protocol v%d; v%d on L1)\n", tacit_version(), TACIT_TX_VERSION,
                   TACIT_TX_VERSION_L1);
            return 0;
        }
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tacitd: --config needs a file\n");
                return 2;
            }
            config = argv[++i];
        }
    }
    if (config != NULL && load_config(&o, config) != 0) {
        opts_free(&o);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        char name[64];
        const struct key *k;
        const char *err, *val = NULL;
        size_t j;
        if (strcmp(argv[i], "--config") == 0) {
            i++;
            continue;
        }
        if (strcmp(argv[i], "--new-chain") == 0) { /* never a config key: it must not stay set */
            o.cfg.new_chain = true;
            continue;
        }
        if (strncmp(argv[i], "--", 2) != 0 || strlen(argv[i]) - 2 >= sizeof name) {
            fprintf(stderr, "tacitd: unexpected argument %s (tacitd --help)\n",
                    TACIT_LOG_QS(argv[i]));
            opts_free(&o);
            return 2;
        }
        for (j = 0; argv[i][2 + j]; j++) name[j] = argv[i][2 + j] == '-' ? '_' : argv[i][2 + j];
        name[j] = '\0';
        if ((k = find_key(name)) == NULL) {
            fprintf(stderr, "tacitd: unknown option %s (tacitd --help)\n", TACIT_LOG_S(argv[i]));
            opts_free(&o);
            return 2;
        }
        if (k->kind != K_BOOL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tacitd: %s needs a value\n", argv[i]);
                opts_free(&o);
                return 2;
            }
            val = argv[++i];
        }
        if ((err = set_key(&o, k, val)) != NULL) {
            fprintf(stderr, "tacitd: %s: %s\n", TACIT_LOG_S(argv[i - (val != NULL)]), err);
            opts_free(&o);
            return 2;
        }
    }
    if (o.cfg.devnet) {
        if (!o.datadir_set) o.cfg.datadir = TACIT_DATADIR_DEVNET_DEFAULT;
        if (!o.min_fee_set) o.cfg.min_fee = 0;
        /* a block every interval, empty or not: at low traffic a block's time does not say
         * when its one transaction arrived (issue 14, 5) */
        if (!o.cadence_set) o.cfg.empty_blocks = true;
    } else {
        if (!o.datadir_set) { /* ~/.tacit, as bitcoind's ~/.bitcoin */
            char *home = tacit_datadir_home_default();
            o.cfg.datadir = home != NULL ? keep(&o, home) : NULL;
            free(home);
            if (o.cfg.datadir == NULL) {
                fprintf(
                    stderr,
                    "tacitd: no $HOME for the default data directory ~/" TACIT_DATADIR_HOME_DEFAULT
                    ": give --datadir DIR\n");
                opts_free(&o);
                return 2;
            }
        }
        if (o.cfg.chain_id == 0 && o.cfg.follow_devnet) o.cfg.chain_id = TACIT_DEVNET_CHAIN_ID;
        /* a follower on L1: the contract's chainId() */
        if (o.cfg.chain_id == 0 && !o.cfg.follow_l1 && !(o.cfg.follow && o.cfg.l1_rpc)) {
            fprintf(stderr, "tacitd: chain_id is required (or --devnet for a local devnet)\n");
            opts_free(&o);
            return 2;
        }
    }
    if ((rc = l1_setup(&o.cfg, &l1m)) != 0) {
        opts_free(&o);
        return rc;
    }
    {
        /* The largest block a node may seal must fit in one answer (tacit_getBlockByNumber with
         * raw bytes: 2 hex characters per byte, so about 3.7 KB per transaction and 150 bytes per
         * credit, which only a devnet's dev_fund makes), or it could be sealed but never served. */
        size_t need = TACITD_BLOCK_ANSWER_BASE +
                      (size_t)o.cfg.max_block_txs * TACITD_BLOCK_ANSWER_PER_TX +
                      (o.cfg.devnet || o.cfg.follow_devnet
                           ? (size_t)TACIT_NODE_DEVNET_MAX_CREDITS * TACITD_BLOCK_ANSWER_PER_CREDIT
                           : 0);
        if (o.cfg.rpc_limits.max_response < need) {
            fprintf(stderr,
                    "tacitd: rpc_max_response (%zu bytes) is below the answer of the largest block "
                    "max_block_txs = %u allows (%zu bytes): raise rpc_max_response or lower "
                    "max_block_txs\n",
                    o.cfg.rpc_limits.max_response, o.cfg.max_block_txs, need);
            l1_mode_free(&l1m);
            opts_free(&o);
            return 2;
        }
    }
    o.cfg.notify = notify_systemd;
    rc = tacit_node_run(&o.cfg);
    l1_mode_free(&l1m);
    opts_free(&o);
    return rc;
}
