/*
 * tacit-cli wallet <subcommand> — the wallet commands over libtacit's wallet
 * (include/tacit/wallet.h, docs/wallet.md): create, address, balance, notes, history, sync,
 * send, deposit, withdraw, status, export-viewing-key, import-key; and `tacit-cli balance`, the
 * watch-only view `tacit-cli --viewing-key KEY balance`.
 *
 * Exit status: 0 ok, 1 failure (the reason on stderr), 2 usage. Amounts are decimal TAC
 * (1 TAC = 10^9 base units, wallet_util.c); --json prints one JSON value on stdout with
 * amounts as decimal strings of base units and heights as numbers (docs/wallet.md, "tacit-cli's
 * output conventions"; the RPC's heights are hex strings). Secrets (passphrase, private keys from a key file,
 * standard input or the devnet's file) are held in sodium_malloc memory and wiped. A private key
 * is never taken from the command line, where ps, /proc/PID/cmdline and the shell history show
 * it: one given there is refused (and its argv copy overwritten) with what to do instead.
 * Only export-viewing-key prints a secret, which is its purpose.
 */
#include <errno.h>
#include <jansson.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tacit/chain.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/hd.h"
#include "tacit/keys.h"
#include "tacit/prover.h"
#include "tacit/rpc.h"
#include "tacit/util.h"
#include "tacit/wallet.h"
#include "wallet/wallet_internal.h" /* tacit__wallet_kdf_weak: test builds only */
#include "wallet_l1.h"

#define DEFAULT_WAIT_S 60
/* The value the progress callback returns on Ctrl-C: outside the tacit error codes. */
#define SYNC_INTERRUPTED 100000

/* ------------------------------------------------------------------ options ---- */

/* What a subcommand accepts besides the global options (bit set). */
enum {
    O_MEMO = 1 << 0,
    O_FEE = 1 << 1,
    O_NO_WAIT = 1 << 2,
    O_TIMEOUT = 1 << 3,
    O_FROM = 1 << 4,
    O_TO = 1 << 5,
    O_INCOMING = 1 << 6,
    O_RESCAN = 1 << 7,
    O_NO_SYNC = 1 << 8,
    O_TRANSPARENT = 1 << 9,
    O_FROM_KEY_FILE = 1 << 10,
    O_KEY_FILE = 1 << 11,
    O_L1 = 1 << 12,          /* --l1-rpc, --l1-rollup */
    O_L1_ONLY = 1 << 13,     /* deposit --l1-only */
    O_NO_L1 = 1 << 14,       /* deposit --no-l1 */
    O_PHRASE_FILE = 1 << 15, /* restore --phrase-file */
    O_BIRTHDAY = 1 << 16,    /* restore --birthday */
    O_FORCE = 1 << 17,       /* send/withdraw --force: by the contract's queue on L1 */
};

struct opts {
    const char *memo, *fee, *from, *to, *from_key_file, *key_file, *l1_rpc, *l1_rollup,
        *phrase_file;
    unsigned timeout_s;
    uint64_t birthday; /* restore --birthday (0: block 0) */
    bool no_wait, incoming, rescan, no_sync, transparent, l1_only, no_l1, force;
    char *pos[4];
    int npos;
};

struct subcommand {
    const char *name;
    int (*run)(const struct opts *o);
    unsigned accepts;
    int min_pos, max_pos;
    const char *usage;
    const char *help;
};

static const struct subcommand *current; /* for messages */

/* Says why a command failed, on stderr, and returns its exit status: text, or under --json
 * one line of JSON, {"error":{"message":…,"status":1|2[,"name":"E…","code":1000+n][,"usage":…]}}
 * (name and code: the tacit error, as the RPC numbers it, when one caused the failure). */
static int vfail(int status, int rc, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int vfail(int status, int rc, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (tacit_cli_globals.json) {
        json_t *e = json_pack("{s:s,s:i}", "message", msg, "status", status);
        char *t;
        if (e != NULL && rc > 0 && rc < TACIT__ERR_COUNT) {
            json_object_set_new(e, "name", json_string(tacit_errname(rc)));
            json_object_set_new(e, "code", json_integer(TACIT_RPC_APP_BASE + rc));
        }
        if (e != NULL && status == 2) json_object_set_new(e, "usage", json_string(current->usage));
        json_t *outer = e != NULL ? json_pack("{s:o}", "error", e) : NULL; /* steals e */
        t = outer != NULL ? json_dumps(outer, JSON_COMPACT) : NULL;
        fprintf(stderr, "%s\n", t != NULL ? t : "{\"error\":{\"message\":\"out of memory\"}}");
        free(t);
        json_decref(outer);
        return status;
    }
    fprintf(stderr, "tacit-cli wallet %s: %s\n", current->name, msg);
    if (status == 2) fprintf(stderr, "usage: tacit-cli wallet %s\n", current->usage);
    return status;
}

/* A usage error: the reason, the subcommand's usage line, exit status 2. */
static int fail_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail_usage(const char *fmt, ...)
{
    va_list ap;
    int status;
    va_start(ap, fmt);
    status = vfail(2, 0, fmt, ap);
    va_end(ap);
    return status;
}

/* Parses argv (argv[0] = the subcommand) into o. Returns 0, 2 (usage, said why) or -1
 * (--help printed). */
static int parse(struct opts *o, int argc, char **argv)
{
    struct tacit_cli_globals *g = &tacit_cli_globals;
    static const struct {
        const char *name;
        unsigned bit;
        bool value;
    } known[] = {
        {"--memo", O_MEMO, true},
        {"--fee", O_FEE, true},
        {"--no-wait", O_NO_WAIT, false},
        {"--timeout", O_TIMEOUT, true},
        {"--from", O_FROM, true},
        {"--to", O_TO, true},
        {"--incoming", O_INCOMING, false},
        {"--rescan", O_RESCAN, false},
        {"--no-sync", O_NO_SYNC, false},
        {"--transparent", O_TRANSPARENT, false},
        {"--from-key-file", O_FROM_KEY_FILE, true},
        {"--key-file", O_KEY_FILE, true},
        {"--l1-rpc", O_L1, true},
        {"--l1-rollup", O_L1, true},
        {"--l1-only", O_L1_ONLY, false},
        {"--no-l1", O_NO_L1, false},
        {"--phrase-file", O_PHRASE_FILE, true},
        {"--birthday", O_BIRTHDAY, true},
        {"--force", O_FORCE, false},
    };
    memset(o, 0, sizeof *o);
    o->timeout_s = DEFAULT_WAIT_S;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t k;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return -1;
        if (strcmp(a, "--") == 0) { /* the rest are positional (an amount cannot be negative) */
            for (i++; i < argc; i++) {
                if (o->npos == current->max_pos)
                    return fail_usage("too many arguments (%s)", argv[i]);
                o->pos[o->npos++] = argv[i];
            }
            break;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (o->npos == current->max_pos) return fail_usage("too many arguments (%s)", a);
            o->pos[o->npos++] = argv[i];
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            g->json = 1;
            continue;
        }
        if (strcmp(a, "--wallet") == 0 || strcmp(a, "--passphrase-file") == 0 ||
            strcmp(a, "--viewing-key") == 0 || strcmp(a, "--proving-key") == 0) {
            if (v == NULL) return fail_usage("%s needs a value", a);
            if (strcmp(a, "--wallet") == 0)
                g->wallet = v;
            else if (strcmp(a, "--passphrase-file") == 0)
                g->passphrase_file = v;
            else if (strcmp(a, "--viewing-key") == 0)
                g->viewing_key = argv[i + 1];
            else
                g->proving_key = v;
            i++;
            continue;
        }
        for (k = 0; k < sizeof known / sizeof known[0]; k++)
            if (strcmp(a, known[k].name) == 0 && (current->accepts & known[k].bit)) break;
        if (k == sizeof known / sizeof known[0]) return fail_usage("unknown option %s", a);
        if (known[k].value && v == NULL) return fail_usage("%s needs a value", a);
        switch (known[k].bit) {
        case O_MEMO: o->memo = v; break;
        case O_FEE: o->fee = v; break;
        case O_FROM: o->from = v; break;
        case O_FROM_KEY_FILE: o->from_key_file = v; break;
        case O_KEY_FILE: o->key_file = v; break;
        case O_TO: o->to = v; break;
        case O_L1:
            if (strcmp(a, "--l1-rpc") == 0)
                o->l1_rpc = v;
            else
                o->l1_rollup = v;
            break;
        case O_L1_ONLY: o->l1_only = true; break;
        case O_NO_L1: o->no_l1 = true; break;
        case O_PHRASE_FILE: o->phrase_file = v; break;
        case O_BIRTHDAY:
            if (tacit_parse_dec_u64(&o->birthday, v) != TACIT_OK)
                return fail_usage("--birthday: want a block height (decimal), not \"%s\"", v);
            break;
        case O_TIMEOUT: {
            uint64_t t;
            if (tacit_parse_dec_u64(&t, v) != TACIT_OK || t == 0 || t > 86400)
                return fail_usage("--timeout: want whole seconds from 1 to 86400, not \"%s\"", v);
            o->timeout_s = (unsigned)t;
            break;
        }
        case O_NO_WAIT: o->no_wait = true; break;
        case O_INCOMING: o->incoming = true; break;
        case O_RESCAN: o->rescan = true; break;
        case O_NO_SYNC: o->no_sync = true; break;
        case O_TRANSPARENT: o->transparent = true; break;
        case O_FORCE: o->force = true; break;
        default: break;
        }
        if (known[k].value) i++;
    }
    if (o->npos < current->min_pos) return fail_usage("missing arguments");
    if (o->no_l1 && (o->l1_rpc != NULL || o->l1_rollup != NULL || o->l1_only))
        return fail_usage("--no-l1 (the shielding alone) takes no --l1-rpc, --l1-rollup or "
                          "--l1-only");
    /* send and withdraw use the L1 only with --force */
    if ((current->accepts & O_FORCE) && !(current->accepts & O_L1_ONLY) && !o->force) {
        if (o->l1_rpc != NULL || o->l1_rollup != NULL)
            return fail_usage("--l1-rpc and --l1-rollup are for a forced transaction: give "
                              "--force too");
        return 0;
    }
    /* the flags absent: $TACIT_L1_RPC and $TACIT_L1_ROLLUP (unless --no-l1) */
    if ((current->accepts & O_L1) && !o->no_l1) tacit_cli_l1_from_env(&o->l1_rpc, &o->l1_rollup);
    if ((o->l1_rpc == NULL) != (o->l1_rollup == NULL))
        return fail_usage("--l1-rpc URL and --l1-rollup ADDRESS go together (each flag absent: "
                          "$TACIT_L1_RPC, $TACIT_L1_ROLLUP); only %s is given",
                          o->l1_rpc != NULL ? "the URL" : "the contract");
    if (o->l1_only && o->l1_rpc == NULL)
        return fail_usage("--l1-only needs --l1-rpc URL and --l1-rollup ADDRESS (or "
                          "$TACIT_L1_RPC and $TACIT_L1_ROLLUP)");
    return 0;
}

/* ------------------------------------------------------------------ output ---- */

/* A failure: the reason, exit status 1 (vfail). */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    int status;
    va_start(ap, fmt);
    status = vfail(1, 0, fmt, ap);
    va_end(ap);
    return status;
}

/* The same, caused by the tacit error rc (named under --json). */
static int fail_rc(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_rc(int rc, const char *fmt, ...)
{
    va_list ap;
    int status;
    va_start(ap, fmt);
    status = vfail(1, rc, fmt, ap);
    va_end(ap);
    return status;
}

/* Prints j (stolen) compactly on stdout. Returns 0, or 1 when it cannot be built. */
static int print_json(json_t *j)
{
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (text == NULL) return fail("out of memory");
    printf("%s\n", text);
    free(text);
    return 0;
}

static json_t *json_amount(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    return json_string(s);
}

/* "0x" and the hex of n bytes (ids, addresses, memos: n <= 512). */
static json_t *json_hex(const uint8_t *b, size_t n)
{
    char s[2 * TACIT_NOTE_MEMO_MAX + 3];
    if (n > TACIT_NOTE_MEMO_MAX) return NULL;
    tacit_hex_encode(s, b, n);
    return json_string(s);
}

/* A height of the wallet's JSON: a number, null for none (docs/wallet.md, "JSON"). */
static json_t *json_height(uint64_t h)
{
    return h == TACIT_WALLET_NO_HEIGHT ? json_null() : json_integer((json_int_t)h);
}

static const char *tac(char buf[TACIT_CLI_AMOUNT_MAX], uint64_t v)
{
    tacit_cli_amount_format(buf, v);
    return buf;
}

/* A parsed amount in TAC, or a usage error naming what. */
static int amount_arg(uint64_t *v, const char *s, const char *what, bool zero_ok)
{
    int rc = tacit_cli_amount_parse(v, s);
    if (rc == TACIT_EOVERFLOW) return fail_usage("amount too large: %s", s);
    if (rc != TACIT_OK)
        return fail_usage(
            "want a decimal amount of TAC with at most 9 decimals (e.g. 1.5), not \"%s\"", s);
    if (*v == 0 && !zero_ok) return fail_usage("%s must be above 0", what);
    return 0;
}

/* ---------------------------------------------------------------- sessions ---- */

/* An open wallet and, when needed, the node. */
struct session {
    char *path;
    char tmpdir[4096]; /* a temporary watch-only wallet's directory, else "" */
    struct tacit_wallet *w;
    struct tacit_rpc_client *rpc;
    struct tacit_rpc_client *submit; /* submissions: a connection of their own (issue 14, 1) */
    struct tacit_wallet_node node;
};

/* The session's clients, for node_error's words, and its wallet, for sync_error's (one
 * session per process). */
static const struct tacit_rpc_client *g_rpc, *g_submit;
static const struct tacit_wallet *g_wallet;

static enum tacit_network cli_network(void)
{
    return tacit_cli_globals.devnet ? TACIT_NETWORK_DEVNET : TACIT_NETWORK_MAINNET;
}

static const char *network_name(enum tacit_network n)
{
    return n == TACIT_NETWORK_DEVNET ? "devnet" : "mainnet";
}

/* Why a key or address of the other network is refused, in words. */
static const char *network_hint(int rc)
{
    if (rc != TACIT_ENETWORK) return "";
    return tacit_cli_globals.devnet ? " (a mainnet one, and --devnet was given)"
                                    : " (a devnet one: add --devnet)";
}

static void session_close(struct session *s)
{
    tacit_wallet_close(s->w);
    s->w = NULL;
    tacit_rpc_client_free(s->rpc);
    tacit_rpc_client_free(s->submit);
    s->rpc = s->submit = NULL;
    g_rpc = g_submit = NULL;
    g_wallet = NULL;
    if (s->tmpdir[0] != '\0' && s->path != NULL) {
        char lock[4200];
        unlink(s->path);
        snprintf(lock, sizeof lock, "%s-lock", s->path);
        unlink(lock);
        rmdir(s->tmpdir);
    }
    free(s->path);
    s->path = NULL;
}

/* The --viewing-key text moved into protected memory and wiped from argv. */
static int take_viewing_key(char **out)
{
    char *arg = tacit_cli_globals.viewing_key;
    size_t n = strlen(arg);
    *out = NULL;
    if (n >= TACIT_KEYS_STR_MAX) {
        sodium_memzero(arg, n);
        return fail("--viewing-key: too long to be a viewing key");
    }
    if ((*out = sodium_malloc(TACIT_KEYS_STR_MAX)) == NULL) return fail("out of memory");
    memcpy(*out, arg, n + 1);
    sodium_memzero(arg, n);
    return 0;
}

/* " OPT VALUE" for a command line to copy: the value in single quotes unless it is plain. */
static void shell_opt(char *out, size_t n, const char *opt, const char *value)
{
    size_t k;
    if (value == NULL) {
        out[0] = '\0';
        return;
    }
    if (value[0] != '\0' &&
        strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=,-") ==
            strlen(value)) {
        snprintf(out, n, " %s %s", opt, value);
        return;
    }
    k = (size_t)snprintf(out, n, " %s '", opt);
    for (const char *c = value; *c != '\0' && k + 6 < n; c++) {
        if (*c == '\'') {
            memcpy(out + k, "'\\''", 4);
            k += 4;
        } else {
            out[k++] = *c;
        }
    }
    if (k + 2 <= n) {
        out[k++] = '\'';
        out[k] = '\0';
    } else {
        out[n - 1] = '\0';
    }
}

static int report_open_error(int rc, const char *path)
{
    const struct tacit_cli_globals *g = &tacit_cli_globals;
    switch (rc) {
    case TACIT_ENOENT: {
        /* the command that makes this very wallet: the same --devnet, --datadir and --wallet
         * (or $TACIT_WALLET's name) */
        const char *name = g->wallet != NULL ? g->wallet : getenv("TACIT_WALLET");
        char dd[1100], wn[1100];
        shell_opt(dd, sizeof dd, "--datadir", g->devnet ? g->datadir : NULL);
        shell_opt(wn, sizeof wn, "--wallet", name != NULL && name[0] != '\0' ? name : NULL);
        return fail("no wallet at %s (create one with `tacit-cli%s%s%s wallet create`%s)", path,
                    g->devnet ? " --devnet" : "", dd, wn,
                    wn[0] == '\0' ? ", or name another with --wallet NAME" : "");
    }
    case TACIT_EPASSPHRASE: return fail("wrong passphrase for %s (or the file was altered)", path);
    case TACIT_EVERSION:
        return fail("%s: a wallet of another format version (format %d is this tacit-cli's; "
                    "a newer tacit-cli made it?)",
                    path, TACIT_WALLET_FORMAT_VERSION);
    case TACIT_ECORRUPT: return fail("%s is not a tacit wallet (or is damaged)", path);
    default: return fail("cannot open %s: %s", path, tacit_strerror(rc));
    }
}

/*
 * Opens the wallet the options name: the --wallet file (created watch-only from
 * --viewing-key when missing), or with --viewing-key and no --wallet a temporary watch-only
 * wallet (empty passphrase, deleted at close). need_node: also connect to the node.
 * Returns an exit status.
 */
static int session_open(struct session *s, bool need_node)
{
    struct tacit_cli_globals *g = &tacit_cli_globals;
    struct tacit_cli_secret pass = {0};
    char *vk = NULL;
    unsigned flags = 0;
    int rc, status = 1;

    memset(s, 0, sizeof *s);
    if (g->viewing_key != NULL && (status = take_viewing_key(&vk)) != 0) return status;
    status = 1;
    if (vk != NULL && g->wallet == NULL) {
        const char *tmp = getenv("TMPDIR");
        /* mkdtemp replaces the six X of the template with a unique name */
        if ((size_t)snprintf(s->tmpdir, sizeof s->tmpdir, "%s/tacit-view-XXXXXX",
                             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp") >= sizeof s->tmpdir ||
            mkdtemp(s->tmpdir) == NULL) {
            s->tmpdir[0] = '\0';
            fail("cannot make a temporary directory: %s", strerror(errno));
            goto out;
        }
        if ((s->path = malloc(strlen(s->tmpdir) + sizeof "/view.wallet")) == NULL) {
            fail("out of memory");
            goto out;
        }
        sprintf(s->path, "%s/view.wallet", s->tmpdir);
        rc = tacit_wallet_create_watch_only(&s->w, s->path, "", 0, cli_network(), vk);
    } else {
        struct stat st;
        if ((s->path = tacit_cli_wallet_path(vk != NULL)) == NULL) goto out;
        if (vk != NULL && stat(s->path, &st) != 0) {
            if ((status = tacit_cli_passphrase(&pass, 1)) != 0) goto out;
            status = 1;
            rc = tacit_wallet_create_watch_only(&s->w, s->path, pass.buf, pass.len, cli_network(),
                                                vk);
            if (rc == TACIT_OK) fprintf(stderr, "created the watch-only wallet %s\n", s->path);
        } else {
            if (access(s->path, F_OK) != 0) {
                report_open_error(TACIT_ENOENT, s->path);
                goto out;
            }
            if ((status = tacit_cli_passphrase(&pass, 0)) != 0) goto out;
            status = 1;
            if ((rc = tacit_wallet_open(&s->w, &flags, s->path, pass.buf, pass.len)) != TACIT_OK) {
                report_open_error(rc, s->path);
                goto out;
            }
            if (flags & TACIT_WALLET_OPEN_UPGRADED)
                fprintf(stderr,
                        "tacit-cli: %s was a wallet file of format 1: rewritten as format %d "
                        "(its address now reads without the passphrase; tacit-cli releases "
                        "before format %d no longer open it)\n",
                        s->path, TACIT_WALLET_FORMAT_VERSION, TACIT_WALLET_FORMAT_VERSION);
            if (flags & TACIT_WALLET_OPEN_INSECURE_MODE)
                fprintf(stderr,
                        "tacit-cli: warning: %s is readable or writable by others (chmod 600 it)\n",
                        s->path);
        }
    }
    if (rc != TACIT_OK) {
        if (rc == TACIT_EEXISTS)
            fail("%s already exists", s->path);
        else
            fail("--viewing-key: %s%s", tacit_strerror(rc), network_hint(rc));
        goto out;
    }
    if (g->devnet && tacit_wallet_network(s->w) != TACIT_NETWORK_DEVNET) {
        fail("%s is a %s wallet, and --devnet was given", s->path,
             network_name(tacit_wallet_network(s->w)));
        goto out;
    }
    g_wallet = s->w;
    if (need_node) {
        if ((s->rpc = tacit_cli_rpc_client()) == NULL ||
            (s->submit = tacit_cli_rpc_client()) == NULL)
            goto out;
        tacit_wallet_node_rpc(&s->node, s->rpc);
        tacit_wallet_node_rpc_submit_via(&s->node, s->submit);
        g_rpc = s->rpc;
        g_submit = s->submit;
    }
    status = 0;
out:
    tacit_cli_secret_free(&pass);
    if (vk != NULL) sodium_free(vk);
    if (status != 0) session_close(s);
    return status;
}

/* A node error in words: transport failures point at the node. */
static const char *node_error(int rc)
{
    static char buf[320];
    const char *refusal = NULL;
    /* a JSON-RPC error outside tacit's codes (a follower refusing a send: -32601): the node
     * answered, in its own words */
    if (rc == TACIT_EIO && g_submit != NULL) refusal = tacit_rpc_client_server_error(g_submit);
    if (rc == TACIT_EIO && refusal == NULL && g_rpc != NULL)
        refusal = tacit_rpc_client_server_error(g_rpc);
    if (refusal != NULL) {
        snprintf(buf, sizeof buf, "the node refused the call: %s", refusal);
        return buf;
    }
    if (rc == TACIT_EIO || rc == TACIT_ETIMEOUT || rc == TACIT_EJSON) {
        const char *e = g_rpc != NULL ? tacit_rpc_client_last_error(g_rpc) : NULL;
        if (e == NULL && g_submit != NULL) e = tacit_rpc_client_last_error(g_submit);
        snprintf(buf, sizeof buf, "%s (is tacitd running? --rpc URL, or --devnet)",
                 e != NULL ? e : tacit_strerror(rc));
        return buf;
    }
    return tacit_strerror(rc);
}

/* -------------------------------------------------------------------- sync ---- */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
    bool show, tty, drew;
    double t0, last;
};

static int on_progress(void *ud, const struct tacit_wallet_sync_progress *p)
{
    struct progress *pr = ud;
    double t = now_s(), el = t - pr->t0, rate = el > 0 ? (double)p->blocks / el : 0;
    uint64_t left = p->target > p->height ? p->target - p->height : 0;
    char eta[32];

    if (interrupted) return SYNC_INTERRUPTED;
    if (!pr->show || (!pr->tty && left != 0 && t - pr->last < 1.0)) return 0;
    pr->last = t;
    if (rate > 0)
        snprintf(eta, sizeof eta, "%.0f s", (double)left / rate);
    else
        snprintf(eta, sizeof eta, "-");
    if (pr->tty) {
        int width = 30,
            done = p->target > 0 ? (int)((double)p->height * width / (double)p->target) : width;
        printf("\r[%.*s%*s] height %llu/%llu  %.0f blocks/s  ETA %s   ", done,
               "##############################", width - done, "", (unsigned long long)p->height,
               (unsigned long long)p->target, rate, eta);
        pr->drew = true;
    } else {
        printf("sync: height %llu of %llu, %.0f blocks/s, ETA %s\n", (unsigned long long)p->height,
               (unsigned long long)p->target, rate, eta);
    }
    fflush(stdout);
    return 0;
}

/* Syncs s's wallet; show: a progress bar (terminal) or lines. Returns a tacit code (the
 * caller reports it with sync_error). */
static int do_sync(struct session *s, bool show, struct tacit_wallet_sync_result *res)
{
    struct progress pr = {.show = show && !tacit_cli_globals.json,
                          .tty = isatty(STDOUT_FILENO) != 0};
    struct tacit_wallet_sync_opts so = {.progress = on_progress, .progress_ud = &pr};
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    int rc;

    pr.t0 = pr.last = now_s();
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old);
    rc = tacit_wallet_sync(s->w, &s->node, &so, res);
    sigaction(SIGINT, &old, NULL);
    if (pr.drew) printf("\n");
    if (rc == TACIT_OK && res->rescanned)
        fprintf(stderr,
                "tacit-cli: the node no longer has this wallet's last block (a devnet reset?): "
                "rescanned from height 0\n");
    return rc;
}

/* A chain in words: its id and block 0's hash (when known). */
static void chain_words(char *out, size_t size, const struct tacit_wallet_chain_binding *c)
{
    char id[19], g[67];
    tacit_hex_u64(id, c->chain_id);
    tacit_hex_encode(g, c->genesis_hash, 32);
    if (sodium_is_zero(c->genesis_hash, 32))
        snprintf(out, size, "chain id %s", id);
    else
        snprintf(out, size, "chain id %s, block 0 %s", id, g);
}

/* Another chain than the wallet's: both named, nothing changed (docs/wallet.md, "Network
 * safety"). */
static int chain_error(int rc)
{
    struct tacit_wallet_chain_binding ours, theirs;
    char a[128], b[128];
    if (g_wallet == NULL) return fail("sync: %s", tacit_strerror(rc));
    tacit_wallet_chain(&ours, g_wallet);
    tacit_wallet_last_foreign_chain(&theirs, g_wallet);
    chain_words(b, sizeof b, &theirs);
    if (rc == TACIT_ENETWORK) {
        enum tacit_network n = tacit_wallet_network(g_wallet);
        return fail_rc(rc,
                       "this is a %s wallet and the node serves a %s chain (%s): refused, "
                       "nothing changed; point --rpc at a %s node",
                       network_name(n), n == TACIT_NETWORK_DEVNET ? "mainnet" : "devnet", b,
                       network_name(n));
    }
    chain_words(a, sizeof a, &ours);
    return fail_rc(rc,
                   "the wallet belongs to another chain than the node's: the wallet's is %s, "
                   "the node's is %s; refused, nothing changed. Point --rpc at a node of the "
                   "wallet's chain (a devnet that was replaced is another chain: restore the "
                   "wallet's recovery phrase into a new file with `wallet restore`)",
                   a, b);
}

static int sync_error(int rc)
{
    if (rc == TACIT_ECHAIN_ID || rc == TACIT_ENETWORK) return chain_error(rc);
    if (rc == SYNC_INTERRUPTED)
        return fail("interrupted (what was synced is kept; run sync again to resume)");
    if (rc == TACIT_ENOTE_ROOT)
        return fail(
            "the wallet's note tree does not match the node's (%s); try `wallet sync --rescan`",
            tacit_strerror(rc));
    return fail("sync: %s", node_error(rc));
}

/* ----------------------------------------------------------------- commands ---- */

/* Asks for word number k (1-based) of phrase on the terminal until it is typed right (three
 * tries). Returns true when confirmed. */
static bool confirm_phrase(const char *phrase)
{
    FILE *tty = fopen("/dev/tty", "r+");
    bool ok = false;
    if (tty == NULL) return false;
    setvbuf(tty, NULL, _IONBF, 0);
    for (int round = 0; round < 2; round++) {
        uint32_t k = randombytes_uniform(24);
        const char *p = phrase;
        char want[16], got[64];
        size_t n;
        for (uint32_t i = 0; i < k; i++) p = strchr(p, ' ') + 1;
        n = strcspn(p, " ");
        memcpy(want, p, n);
        want[n] = '\0';
        ok = false;
        for (int tries = 0; tries < 3 && !ok; tries++) {
            fprintf(tty, "To check that you wrote it down, type word #%u: ", (unsigned)k + 1);
            if (fgets(got, sizeof got, tty) == NULL) break;
            got[strcspn(got, " \r\n")] = '\0';
            for (char *c = got; *c; c++)
                if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
            ok = strcmp(got, want) == 0;
            if (!ok) fprintf(tty, "that is not word #%u\n", (unsigned)k + 1);
        }
        sodium_memzero(want, sizeof want);
        sodium_memzero(got, sizeof got);
        if (!ok) break;
    }
    fclose(tty);
    return ok;
}

/* What `create` and `restore` print: the address (stdout, the last line), and for a wallet
 * made from a fresh phrase the phrase (docs/wallet.md, "Recovery"): on stderr with what to do
 * with it, then, on a terminal, a check that it was written down; under --json the object
 * with "mnemonic". */
static int created(struct session *s, const char *verb)
{
    char addr[TACIT_KEYS_STR_MAX], *phrase = NULL;
    bool show = strcmp(verb, "created") == 0 && !tacit_wallet_is_watch_only(s->w);
    int status = 0;

    tacit_wallet_address(addr, s->w);
    if (show) {
        if ((phrase = sodium_malloc(TACIT_BIP39_PHRASE_MAX)) == NULL) return fail("out of memory");
        if (tacit_wallet_mnemonic(phrase, TACIT_BIP39_PHRASE_MAX, s->w) != TACIT_OK) {
            sodium_free(phrase);
            return fail("the wallet has no recovery phrase");
        }
    }
    if (tacit_cli_globals.json) {
        json_t *j = json_pack("{s:s,s:s,s:s,s:b}", "path", s->path, "address", addr, "network",
                              network_name(tacit_wallet_network(s->w)), "watchOnly",
                              tacit_wallet_is_watch_only(s->w));
        if (j != NULL && phrase != NULL) json_object_set_new(j, "mnemonic", json_string(phrase));
        /* print_json's text holds the phrase: wiped before it is freed */
        {
            char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
            json_decref(j);
            if (text == NULL) {
                status = fail("out of memory");
            } else {
                printf("%s\n", text);
                fflush(stdout);
                sodium_memzero(text, strlen(text));
                free(text);
            }
        }
    } else {
        fprintf(stderr, "%s %s (%s)\n", verb, s->path, network_name(tacit_wallet_network(s->w)));
        if (phrase != NULL) {
            const char *p = phrase;
            fprintf(stderr,
                    "\nRecovery phrase (BIP-39, 24 words). Write it down, on paper, in this "
                    "order, and keep it\n"
                    "offline: with it alone `tacit-cli wallet restore` rebuilds this wallet and "
                    "its funds, and\n"
                    "anyone who has it can spend them. It is not the passphrase of the file.\n\n");
            for (int i = 1; *p != '\0'; i++) {
                size_t n = strcspn(p, " ");
                if (i % 6 == 0 || p[n] == '\0')
                    fprintf(stderr, "%3d %.*s\n", i, (int)n, p);
                else
                    fprintf(stderr, "%3d %-9.*s ", i, (int)n, p);
                p += n;
                if (*p == ' ') p++;
            }
            fflush(stderr);
            if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
                if (!confirm_phrase(phrase))
                    fprintf(stderr, "not confirmed: the wallet is made; show the phrase again "
                                    "with `tacit-cli wallet export-mnemonic`\n");
                else
                    fprintf(stderr, "confirmed\n");
            }
        }
        printf("%s\n", addr);
    }
    sodium_free(phrase);
    return status;
}

static int run_create(const struct opts *o)
{
    struct tacit_cli_globals *g = &tacit_cli_globals;
    struct tacit_cli_secret pass = {0};
    struct session s;
    int rc, status;
    (void)o;

    if (g->viewing_key != NULL) { /* a watch-only wallet kept in --wallet */
        char *path;
        if (g->wallet == NULL) return fail_usage("with --viewing-key, give --wallet PATH");
        if ((path = tacit_cli_wallet_path(0)) == NULL) return 1;
        rc = access(path, F_OK) == 0;
        if (rc) fail("%s already exists (never overwritten; choose another --wallet)", path);
        free(path);
        if (rc) return 1;
        if ((status = session_open(&s, false)) != 0) return status;
    } else {
        memset(&s, 0, sizeof s);
        if ((s.path = tacit_cli_wallet_path(1)) == NULL) return 1;
        if (access(s.path, F_OK) == 0) {
            fail("%s already exists (never overwritten; choose another --wallet)", s.path);
            session_close(&s);
            return 1;
        }
        if ((status = tacit_cli_passphrase(&pass, 1)) != 0) {
            session_close(&s);
            return status;
        }
        rc = tacit_wallet_create(&s.w, s.path, pass.buf, pass.len, cli_network(), NULL);
        tacit_cli_secret_free(&pass);
        if (rc != TACIT_OK) {
            if (rc == TACIT_EEXISTS)
                fail("%s already exists (never overwritten)", s.path);
            else
                fail("cannot create %s: %s", s.path, tacit_strerror(rc));
            session_close(&s);
            return 1;
        }
    }
    status = created(&s, "created");
    session_close(&s);
    return status;
}

static int run_address(const struct opts *o)
{
    struct session s;
    char addr[TACIT_KEYS_STR_MAX], hex[43];
    uint8_t t[TACIT_ADDRESS_LEN];
    size_t n;
    json_t *list;
    int status;

    /* the shielded address needs no passphrase: format 2 keeps it in clear */
    if (!o->transparent && tacit_cli_globals.viewing_key == NULL) {
        enum tacit_network net;
        bool watch;
        char *path = tacit_cli_wallet_path(0);
        int rc;
        if (path == NULL) return 1;
        rc = tacit_wallet_peek_address(addr, &net, &watch, path);
        if (rc == TACIT_OK) {
            struct stat st;
            if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
                fprintf(stderr,
                        "tacit-cli: warning: %s is readable or writable by others (chmod 600 it)\n",
                        path);
        }
        if (rc == TACIT_OK && tacit_cli_globals.devnet && net != TACIT_NETWORK_DEVNET)
            status = fail("%s is a %s wallet, and --devnet was given", path, network_name(net));
        else if (rc == TACIT_OK && tacit_cli_globals.json)
            status = print_json(json_pack("{s:s,s:s,s:b}", "address", addr, "network",
                                          network_name(net), "watchOnly", watch));
        else if (rc == TACIT_OK)
            printf("%s\n", addr), status = 0;
        else if (rc != TACIT_EVERSION)
            status = report_open_error(rc, path);
        free(path);
        if (rc != TACIT_EVERSION) return status;
        /* format 1: opened with the passphrase below, which upgrades the file */
    }
    if ((status = session_open(&s, false)) != 0) return status;
    tacit_wallet_address(addr, s.w);
    n = tacit_wallet_transparent_count(s.w);
    if (tacit_cli_globals.json) {
        list = json_array();
        for (size_t i = 0; i < n; i++)
            if (tacit_wallet_transparent_address(t, s.w, i) == TACIT_OK)
                json_array_append_new(list, json_hex(t, 20));
        status = print_json(json_pack("{s:s,s:o}", "address", addr, "transparent", list));
    } else if (o->transparent) {
        for (size_t i = 0; i < n; i++) {
            if (tacit_wallet_transparent_address(t, s.w, i) != TACIT_OK) continue;
            tacit_hex_encode(hex, t, 20);
            printf("%s\n", hex);
        }
    } else {
        printf("%s\n", addr);
    }
    session_close(&s);
    return status;
}

/* Syncs unless --no-sync; an exit status. */
static int maybe_sync(struct session *s, const struct opts *o)
{
    struct tacit_wallet_sync_result res;
    int rc;
    if (o->no_sync) return 0;
    if ((rc = do_sync(s, false, &res)) != TACIT_OK) return sync_error(rc);
    return 0;
}

/* An incoming viewing key sees what came in, never a spend: its sum is labelled "received",
 * never a balance or "confirmed" (issue 14, 8). */
static int print_received(const struct tacit_wallet_balance *b)
{
    char a[TACIT_CLI_AMOUNT_MAX];
    if (tacit_cli_globals.json) {
        return print_json(json_pack("{s:o,s:I,s:o,s:b,s:b}", "received", json_amount(b->confirmed),
                                    "notes", (json_int_t)b->nnotes, "syncedHeight",
                                    json_height(b->synced_height), "watchOnly", true, "seesSpends",
                                    false));
    }
    printf("received   %s TAC (every note received: an incoming viewing key cannot see spends,\n"
           "           so this is not a balance)\n",
           tac(a, b->confirmed));
    printf("notes      %llu received\n", (unsigned long long)b->nnotes);
    if (b->synced_height == TACIT_WALLET_NO_HEIGHT)
        printf("synced     never\n");
    else
        printf("synced     height %llu\n", (unsigned long long)b->synced_height);
    printf("watch-only, incoming viewing key (cannot spend, cannot see spends)\n");
    return 0;
}

static int print_balance(struct session *s)
{
    struct tacit_wallet_balance b;
    char a[TACIT_CLI_AMOUNT_MAX];
    int rc;
    if ((rc = tacit_wallet_balance(s->w, &b)) != TACIT_OK) return fail("%s", tacit_strerror(rc));
    if (!tacit_wallet_sees_spends(s->w)) return print_received(&b);
    if (tacit_cli_globals.json) {
        return print_json(
            json_pack("{s:o,s:o,s:o,s:I,s:o,s:b}", "confirmed", json_amount(b.confirmed),
                      "pendingOut", json_amount(b.pending_out), "pendingIn",
                      json_amount(b.pending_in), "notes", (json_int_t)b.nnotes, "syncedHeight",
                      json_height(b.synced_height), "watchOnly", tacit_wallet_is_watch_only(s->w)));
    }
    printf("confirmed  %s TAC\n", tac(a, b.confirmed));
    if (b.pending_out != 0)
        printf("sending    %s TAC (reserved by sends not yet included)\n", tac(a, b.pending_out));
    if (b.pending_in != 0)
        printf("incoming   %s TAC (change and deposits not yet included)\n", tac(a, b.pending_in));
    printf("notes      %llu\n", (unsigned long long)b.nnotes);
    if (b.synced_height == TACIT_WALLET_NO_HEIGHT)
        printf("synced     never\n");
    else
        printf("synced     height %llu\n", (unsigned long long)b.synced_height);
    if (tacit_wallet_is_watch_only(s->w)) printf("watch-only (cannot spend)\n");
    return 0;
}

static int run_balance(const struct opts *o)
{
    struct session s;
    int status;
    if ((status = session_open(&s, !o->no_sync)) != 0) return status;
    if ((status = maybe_sync(&s, o)) == 0) status = print_balance(&s);
    session_close(&s);
    return status;
}

/* Whether the terminal's locale is UTF-8 (LC_ALL, LC_CTYPE, LANG: setlocale's order). */
static bool utf8_locale(void)
{
    static int known = -1;
    if (known < 0) {
        const char *cs;
        setlocale(LC_CTYPE, "");
        cs = nl_langinfo(CODESET);
        known = cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
    }
    return known == 1;
}

/* The length of the well-formed UTF-8 sequence at m (n bytes left) of a character that is not
 * a control character (C0, DEL, C1), or 0 (RFC 3629: no overlong forms, no surrogates, at most
 * U+10FFFF). */
static size_t utf8_char(const uint8_t *m, size_t n)
{
    uint32_t c;
    size_t len;
    if (m[0] >= 0x20 && m[0] < 0x7f) return 1;
    if (m[0] >= 0xc2 && m[0] <= 0xdf)
        len = 2, c = m[0] & 0x1f;
    else if (m[0] >= 0xe0 && m[0] <= 0xef)
        len = 3, c = m[0] & 0x0f;
    else if (m[0] >= 0xf0 && m[0] <= 0xf4)
        len = 4, c = m[0] & 0x07;
    else
        return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((m[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (m[i] & 0x3f);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
        (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0x80 && c <= 0x9f))
        return 0;
    return len;
}

/* The memo as text (out: 4 * 512 + 1 bytes): printable ASCII as is and, under a UTF-8 locale,
 * every other well-formed character that is not a control character; control characters,
 * invalid bytes (and, in another locale, every byte above 0x7e) as \xNN, the backslash as
 * \x5c — so what is printed is never a terminal escape sequence and always reads back. */
static void memo_text(char *out, const uint8_t *m, size_t n)
{
    bool utf8 = utf8_locale();
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t len = m[i] == '\\' ? 0 : utf8_char(m + i, n - i);
        if (len == 1 || (len > 1 && utf8)) {
            memcpy(out + k, m + i, len);
            k += len;
            i += len;
        } else {
            k += (size_t)sprintf(out + k, "\\x%02x", m[i]);
            i++;
        }
    }
    out[k] = '\0';
}

static int run_backup(const struct opts *o)
{
    struct session s;
    int status, rc;
    if ((status = session_open(&s, false)) != 0) return status;
    rc = tacit_wallet_backup(s.w, o->pos[0]);
    if (rc == TACIT_EEXISTS)
        status = fail("%s already exists (a backup never overwrites a file)", o->pos[0]);
    else if (rc != TACIT_OK)
        status = fail_rc(rc, "cannot write %s: %s", o->pos[0], tacit_strerror(rc));
    else if (tacit_cli_globals.json)
        status = print_json(json_pack("{s:s,s:s}", "path", s.path, "backup", o->pos[0]));
    else
        fprintf(stderr, "wrote a copy of %s to %s (mode 0600; it opens with the same passphrase)\n",
                s.path, o->pos[0]);
    session_close(&s);
    return status;
}

static int run_export_mnemonic(const struct opts *o)
{
    struct session s;
    char *phrase;
    int status, rc;
    (void)o;
    if ((status = session_open(&s, false)) != 0) return status;
    if ((phrase = sodium_malloc(TACIT_BIP39_PHRASE_MAX)) == NULL) {
        session_close(&s);
        return fail("out of memory");
    }
    rc = tacit_wallet_mnemonic(phrase, TACIT_BIP39_PHRASE_MAX, s.w);
    if (rc == TACIT_ENOTFOUND) {
        status = fail_rc(rc,
                         "%s has no recovery phrase (%s): keep a copy of the file "
                         "(`wallet backup PATH`), or move the funds to a new wallet",
                         s.path,
                         tacit_wallet_is_watch_only(s.w)
                             ? "a watch-only wallet"
                             : "made before recovery phrases, or from a given key");
    } else if (rc != TACIT_OK) {
        status = fail_rc(rc, "%s", tacit_strerror(rc));
    } else if (tacit_cli_globals.json) {
        char *text;
        json_t *j = json_pack("{s:s}", "mnemonic", phrase);
        text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (text == NULL) {
            status = fail("out of memory");
        } else {
            printf("%s\n", text);
            sodium_memzero(text, strlen(text));
            free(text);
        }
    } else {
        printf("%s\n", phrase);
    }
    sodium_free(phrase);
    session_close(&s);
    return status;
}

static int run_restore(const struct opts *o)
{
    struct tacit_cli_secret phrase = {0}, pass = {0};
    struct tacit_wallet_sync_result res;
    struct session s;
    size_t bad = 0;
    int rc, status;

    if (tacit_cli_globals.viewing_key != NULL)
        return fail_usage("a restore makes a wallet of a recovery phrase, not of --viewing-key");
    if (o->npos == 1 && strcmp(o->pos[0], "-") != 0) {
        /* never from the command line: ps and the shell history would show it */
        sodium_memzero(o->pos[0], strlen(o->pos[0]));
        return fail_usage("the recovery phrase is never taken from the command line, where it "
                          "is visible to other users (ps) and kept in the shell history; give "
                          "--phrase-file PATH, or give - and write it on standard input");
    }
    if (o->npos == 1 && o->phrase_file != NULL)
        return fail_usage("- (standard input) or --phrase-file PATH, not both");
    if (o->npos == 0 && o->phrase_file == NULL)
        return fail_usage("want - (the phrase on standard input) or --phrase-file PATH");
    if (o->birthday != 0 && o->no_sync)
        return fail_usage("--birthday starts the scan there: it takes the node, not --no-sync");
    memset(&s, 0, sizeof s);
    if ((s.path = tacit_cli_wallet_path(1)) == NULL) return 1;
    if (access(s.path, F_OK) == 0) {
        status = fail("%s already exists (never overwritten; choose another --wallet)", s.path);
        session_close(&s);
        return status;
    }
    if ((status = tacit_cli_read_phrase(&phrase, o->phrase_file != NULL ? o->phrase_file : "-")) !=
        0) {
        session_close(&s);
        return status;
    }
    if ((status = tacit_cli_passphrase(&pass, 1)) != 0) {
        tacit_cli_secret_free(&phrase);
        session_close(&s);
        return status;
    }
    rc = tacit_wallet_restore(&s.w, s.path, pass.buf, pass.len, cli_network(), phrase.buf, &bad);
    tacit_cli_secret_free(&phrase);
    tacit_cli_secret_free(&pass);
    if (rc != TACIT_OK) {
        if (rc == TACIT_EMNEMONIC_WORD)
            status =
                fail_rc(rc, "word %zu of the recovery phrase is not in BIP-39's English list", bad);
        else if (rc == TACIT_EMNEMONIC_WORDS || rc == TACIT_EMNEMONIC_CHECKSUM)
            status = fail_rc(rc, "the recovery phrase: %s", tacit_strerror(rc));
        else if (rc == TACIT_EEXISTS)
            status = fail("%s already exists (never overwritten)", s.path);
        else
            status = fail_rc(rc, "cannot create %s: %s", s.path, tacit_strerror(rc));
        session_close(&s);
        return status;
    }
    g_wallet = s.w;
    if ((status = created(&s, "restored")) != 0 || o->no_sync) {
        if (status == 0 && !tacit_cli_globals.json)
            fprintf(stderr, "not synced (--no-sync): `wallet sync` scans the chain from block 0\n");
        session_close(&s);
        return status;
    }
    /* rescan from block 0: every note of the phrase's key */
    if ((s.rpc = tacit_cli_rpc_client()) == NULL || (s.submit = tacit_cli_rpc_client()) == NULL) {
        session_close(&s);
        return 1;
    }
    tacit_wallet_node_rpc(&s.node, s.rpc);
    tacit_wallet_node_rpc_submit_via(&s.node, s.submit);
    g_rpc = s.rpc;
    g_submit = s.submit;
    /* --birthday: the tree as it was before that block, from the node; the scan starts there */
    if (o->birthday != 0 && (rc = tacit_wallet_start_at(s.w, &s.node, o->birthday)) != TACIT_OK) {
        if (rc == TACIT_EINVAL)
            status = fail_rc(rc,
                             "--birthday %llu: past the node's tip (or a node that cannot "
                             "serve it); the wallet is restored: `wallet sync` scans from "
                             "block 0",
                             (unsigned long long)o->birthday);
        else
            status = sync_error(rc);
        session_close(&s);
        return status;
    }
    if ((rc = do_sync(&s, true, &res)) != TACIT_OK) {
        status = sync_error(rc);
        if (!tacit_cli_globals.json)
            fprintf(stderr, "the wallet is restored; `wallet sync` scans the chain when the node "
                            "is reachable\n");
    } else {
        if (!tacit_cli_globals.json)
            fprintf(stderr,
                    "scanned the chain from block %llu to height %llu: %llu notes received\n",
                    (unsigned long long)o->birthday, (unsigned long long)res.height,
                    (unsigned long long)res.notes_found);
    }
    session_close(&s);
    return status;
}

static int run_notes(const struct opts *o)
{
    struct session s;
    struct tacit_wallet_note *notes = NULL;
    size_t n = 0;
    char a[TACIT_CLI_AMOUNT_MAX], memo[4 * TACIT_NOTE_MEMO_MAX + 1], state[64];
    json_t *list;
    int rc, status;

    if ((status = session_open(&s, !o->no_sync)) != 0) return status;
    if ((status = maybe_sync(&s, o)) != 0) goto out;
    if ((rc = tacit_wallet_notes(s.w, &notes, &n)) != TACIT_OK) {
        status = fail("%s", tacit_strerror(rc));
        goto out;
    }
    if (tacit_cli_globals.json) {
        list = json_array();
        for (size_t i = 0; i < n; i++) {
            const struct tacit_wallet_note *t = &notes[i];
            json_t *m = json_stringn((const char *)t->memo, t->memo_len); /* NULL: not UTF-8 */
            json_array_append_new(
                list,
                json_pack("{s:I,s:o,s:I,s:b,s:o,s:b,s:o,s:o}", "index", (json_int_t)t->index,
                          "value", json_amount(t->value), "height", (json_int_t)t->height, "spent",
                          t->spent_height != TACIT_WALLET_NO_HEIGHT, "spentHeight",
                          json_height(t->spent_height), "reserved", t->reserved, "memo",
                          m != NULL ? m : json_null(), "memoHex", json_hex(t->memo, t->memo_len)));
        }
        status = print_json(list);
    } else {
        if (n == 0) printf("no notes\n");
        for (size_t i = 0; i < n; i++) {
            const struct tacit_wallet_note *t = &notes[i];
            if (t->spent_height != TACIT_WALLET_NO_HEIGHT)
                snprintf(state, sizeof state, "spent at %llu", (unsigned long long)t->spent_height);
            else
                snprintf(state, sizeof state, "%s", t->reserved ? "reserved" : "unspent");
            memo_text(memo, t->memo, t->memo_len);
            printf("%s TAC  height %llu  %s  leaf %llu%s%s%s\n", tac(a, t->value),
                   (unsigned long long)t->height, state, (unsigned long long)t->index,
                   t->memo_len ? "  memo \"" : "", memo, t->memo_len ? "\"" : "");
        }
    }
    tacit_wallet_notes_free(notes, n);
out:
    session_close(&s);
    return status;
}

static const char *const state_names[] = {"unknown", "pending", "included", "rejected"};

/* A forced transaction's status words: queued (in the contract's queue, in no synced block),
 * included, failed (a block consumed it as failed: one of its notes was spent first). */
static const char *const forced_state_names[] = {"queued", "queued", "included", "failed"};

static json_t *history_json(const struct tacit_wallet_history_entry *e)
{
    static const char *kinds[] = {"receive", "send", "withdraw", "deposit"};
    bool inc = e->status.state == TACIT_WALLET_TX_INCLUDED;
    json_t *j = json_pack("{s:s,s:s,s:o,s:o}", "kind", kinds[e->kind & 3], "status",
                          (e->forced ? forced_state_names : state_names)[e->status.state & 3],
                          "height", inc ? json_height(e->status.height) : json_null(), "amount",
                          json_amount(e->amount));
    if (j == NULL) return NULL;
    if (e->kind == TACIT_WALLET_HISTORY_RECEIVE) {
        json_t *m = json_stringn((const char *)e->memo, e->memo_len); /* NULL: not UTF-8 */
        json_object_set_new(j, "index", json_integer((json_int_t)e->index));
        json_object_set_new(j, "spentHeight", json_height(e->spent_height));
        json_object_set_new(j, "memo", m != NULL ? m : json_null());
        json_object_set_new(j, "memoHex", json_hex(e->memo, e->memo_len));
        return j;
    }
    json_object_set_new(j, "txid", json_hex(e->txid, 32));
    json_object_set_new(j, "fee", json_amount(e->fee));
    json_object_set_new(j, "change", json_amount(e->change));
    if (e->kind == TACIT_WALLET_HISTORY_DEPOSIT)
        json_object_set_new(j, "from", json_hex(e->from, TACIT_ADDRESS_LEN));
    if (e->status.state == TACIT_WALLET_TX_REJECTED)
        json_object_set_new(j, "error", json_string(tacit_errname(e->status.error)));
    if (e->forced) {
        json_object_set_new(j, "forced", json_true());
        json_object_set_new(j, "queueIndex", json_integer((json_int_t)e->f.queue_index));
        json_object_set_new(j, "l1Block", json_integer((json_int_t)e->f.l1_block));
        json_object_set_new(j, "l1TxHash", json_hex(e->f.l1_tx, 32));
    }
    return j;
}

static void history_line(const struct tacit_wallet_history_entry *e)
{
    static const char *kinds[] = {"received", "sent", "withdrew", "deposited"};
    char where[32], st[96], a[TACIT_CLI_AMOUNT_MAX], f[TACIT_CLI_AMOUNT_MAX];
    char memo[4 * TACIT_NOTE_MEMO_MAX + 1], id[67];

    if (e->status.state == TACIT_WALLET_TX_INCLUDED)
        snprintf(where, sizeof where, "height %llu", (unsigned long long)e->status.height);
    else
        snprintf(where, sizeof where, "-");
    if (e->forced && e->status.state == TACIT_WALLET_TX_REJECTED)
        snprintf(st, sizeof st, "failed (%s)", tacit_errname(e->status.error));
    else if (e->forced && e->status.state != TACIT_WALLET_TX_INCLUDED)
        snprintf(st, sizeof st, "forced (queued)");
    else if (e->status.state == TACIT_WALLET_TX_REJECTED)
        snprintf(st, sizeof st, "rejected (%s)", tacit_errname(e->status.error));
    else
        snprintf(st, sizeof st, "%s", state_names[e->status.state & 3]);
    printf("%-13s %-9s %-9s %c%s TAC", where, st, kinds[e->kind & 3],
           e->kind == TACIT_WALLET_HISTORY_RECEIVE || e->kind == TACIT_WALLET_HISTORY_DEPOSIT ? '+'
                                                                                              : '-',
           tac(a, e->amount));
    if (e->kind == TACIT_WALLET_HISTORY_RECEIVE) {
        memo_text(memo, e->memo, e->memo_len);
        printf("  leaf %llu", (unsigned long long)e->index);
        if (e->spent_height != TACIT_WALLET_NO_HEIGHT)
            printf("  spent at %llu", (unsigned long long)e->spent_height);
        if (e->memo_len != 0) printf("  memo \"%s\"", memo);
        printf("\n");
        return;
    }
    printf("  fee %s TAC", tac(f, e->fee));
    if (e->kind == TACIT_WALLET_HISTORY_DEPOSIT) {
        tacit_hex_encode(id, e->from, TACIT_ADDRESS_LEN);
        printf("  from %s", id);
    }
    if (e->forced)
        printf("  forced: queue entry %llu, L1 block %llu", (unsigned long long)e->f.queue_index,
               (unsigned long long)e->f.l1_block);
    tacit_hex_encode(id, e->txid, 32);
    printf("  %s\n", id);
}

static int run_history(const struct opts *o)
{
    struct session s;
    struct tacit_wallet_history_entry *e = NULL;
    size_t n = 0;
    int rc, status;

    if ((status = session_open(&s, !o->no_sync)) != 0) return status;
    if ((status = maybe_sync(&s, o)) != 0) goto out;
    if ((rc = tacit_wallet_history(s.w, &e, &n)) != TACIT_OK) {
        status = fail_rc(rc, "%s", tacit_strerror(rc));
        goto out;
    }
    if (tacit_cli_globals.json) {
        json_t *list = json_array();
        for (size_t i = 0; i < n && list != NULL; i++)
            if (json_array_append_new(list, history_json(&e[i])) != 0) {
                json_decref(list);
                list = NULL;
            }
        status = print_json(list);
    } else if (n == 0) {
        printf("nothing sent or received yet\n");
    } else {
        for (size_t i = 0; i < n; i++) history_line(&e[i]);
    }
    tacit_wallet_history_free(e, n);
out:
    session_close(&s);
    return status;
}

static int run_sync(const struct opts *o)
{
    struct session s;
    struct tacit_wallet_sync_result res;
    int rc, status;

    if ((status = session_open(&s, true)) != 0) return status;
    /* another chain is refused before the rescan forgets anything */
    if (o->rescan && (rc = tacit_wallet_check_chain(s.w, &s.node)) != TACIT_OK) {
        status = sync_error(rc);
        goto out;
    }
    if (o->rescan && (rc = tacit_wallet_rescan(s.w)) != TACIT_OK) {
        status = fail("rescan: %s", tacit_strerror(rc));
        goto out;
    }
    if ((rc = do_sync(&s, true, &res)) != TACIT_OK) {
        status = sync_error(rc);
        goto out;
    }
    if (tacit_cli_globals.json) {
        status = print_json(json_pack("{s:o,s:I,s:I,s:I,s:I,s:b}", "height",
                                      json_height(res.height), "blocks", (json_int_t)res.blocks,
                                      "outputs", (json_int_t)res.outputs, "notesFound",
                                      (json_int_t)res.notes_found, "spendsFound",
                                      (json_int_t)res.spends_found, "rescanned", res.rescanned));
    } else if (res.height == TACIT_WALLET_NO_HEIGHT) {
        printf("synced: the node has no block yet\n");
    } else {
        printf("synced to height %llu: %llu blocks, %llu outputs scanned, %llu notes received, "
               "%llu spent\n",
               (unsigned long long)res.height, (unsigned long long)res.blocks,
               (unsigned long long)res.outputs, (unsigned long long)res.notes_found,
               (unsigned long long)res.spends_found);
    }
out:
    session_close(&s);
    return status;
}

/* Whether s looks like a private key: 64 hex digits, with or without 0x. */
static bool looks_like_key(const char *s)
{
    uint8_t k[32];
    bool yes = tacit_hex_decode(k, sizeof k, s, false) == TACIT_OK;
    sodium_memzero(k, sizeof k);
    return yes;
}

#define KEY_ADVICE                                                                              \
    "a private key on the command line is visible to other users (ps, /proc) and stays in the " \
    "shell history: "

/* A private key given as the argument arg of option opt: overwritten in argv, then refused with
 * what to do instead (exit 2). */
static int refuse_key_arg(char *arg, const char *opt, const char *instead)
{
    sodium_memzero(arg, strlen(arg));
    return fail_usage("%s: " KEY_ADVICE "%s", opt, instead);
}

/* The --from / --from-key-file of a deposit, checked before anything is opened. */
static int check_deposit_from(const struct opts *o)
{
    const char *from = o->from;
    if (from == NULL && o->from_key_file == NULL)
        return fail_usage("--from ACCOUNT or --from-key-file PATH is required");
    if (from != NULL && o->from_key_file != NULL)
        return fail_usage("give --from or --from-key-file, not both");
    if (from == NULL || strcmp(from, "-") == 0 || strncmp(from, "devnet:", 7) == 0 ||
        strlen(from) == 42)
        return 0;
    if (looks_like_key(from))
        return refuse_key_arg(
            (char *)from, "--from",
            "put it in a file only you can read and give --from-key-file PATH, or give "
            "--from - and write it on standard input (or import it once with `wallet "
            "import-key -`, then --from its 0x address)");
    sodium_memzero((char *)from, strlen(from)); /* it may have been a mistyped key */
    return fail_usage(
        "--from: want devnet:N, the 0x address of an imported key, or - (the private key on "
        "standard input); --from-key-file PATH for a key in a file");
}

/* The transparent key of a deposit: --from devnet:N (the devnet's Nth funded account), the 0x
 * address of a key imported in the wallet, - (a private key on standard input), or
 * --from-key-file PATH. *sk: sodium_malloc'd 32 bytes, or NULL with *index set. Returns an
 * exit status. */
static int deposit_key(uint8_t **sk, size_t *index, const struct session *s, const struct opts *o)
{
    const char *from = o->from;
    *sk = NULL;
    if (o->from_key_file != NULL || strcmp(from, "-") == 0) {
        if ((*sk = sodium_malloc(32)) == NULL) return fail("out of memory");
        if (tacit_cli_read_key(*sk, o->from_key_file != NULL ? o->from_key_file : "-",
                               o->from_key_file != NULL ? "--from-key-file" : "--from") != 0) {
            sodium_free(*sk);
            *sk = NULL;
            return 1;
        }
        return 0;
    }
    if (strncmp(from, "devnet:", 7) == 0) {
        char path[4096];
        uint64_t n;
        json_t *root, *acct;
        const char *hex;
        int rc;
        if (tacit_parse_dec_u64(&n, from + 7) != TACIT_OK)
            return fail_usage("--from devnet:N: N is an account number (0, 1, ...), not \"%s\"",
                              from + 7);
        if (tacit_datadir_path_buf(path, sizeof path, tacit_cli_devnet_dir(),
                                   TACIT_DATADIR_DEVNET_ACCOUNTS) != TACIT_OK)
            return fail("--from %s: path too long", from);
        /* The devnet's keys are public knowledge (tacitd prints them), so jansson's unwiped
         * copies of them are no leak; the key we keep is still in protected memory. */
        if ((root = json_load_file(path, 0, NULL)) == NULL)
            return fail("--from %s: cannot read %s (is the devnet's --datadir right?)", from, path);
        acct = json_array_get(json_object_get(root, "accounts"), (size_t)n);
        hex = json_string_value(json_object_get(acct, "privateKey"));
        if (hex == NULL) {
            json_decref(root);
            return fail("--from %s: %s has no account %llu", from, path, (unsigned long long)n);
        }
        if ((*sk = sodium_malloc(32)) == NULL) {
            json_decref(root);
            return fail("out of memory");
        }
        rc = tacit_hex_decode(*sk, 32, hex, true);
        json_decref(root);
        if (rc != TACIT_OK) {
            sodium_free(*sk);
            *sk = NULL;
            return fail("--from %s: a malformed key in %s", from, path);
        }
        return 0;
    }
    { /* an imported account, by address (check_deposit_from let only 42 characters through) */
        uint8_t want[TACIT_ADDRESS_LEN], a[TACIT_ADDRESS_LEN];
        if (tacit_hex_decode(want, sizeof want, from, true) != TACIT_OK)
            return fail_usage("--from: not a 0x address: \"%s\"", from);
        for (size_t i = 0; i < tacit_wallet_transparent_count(s->w); i++) {
            if (tacit_wallet_transparent_address(a, s->w, i) == TACIT_OK &&
                memcmp(a, want, sizeof a) == 0) {
                *index = i;
                return 0;
            }
        }
        return fail("--from %s: no such imported account (see `wallet import-key`, `wallet address "
                    "--transparent`)",
                    from);
    }
}

/* ---------------------------------------------------------------------- L1 ---- */

/* The secret key of --from / --from-key-file: sk as deposit_key made it, or for an imported
 * key (sk NULL, index) its copy out of the wallet into *own (sodium_malloc'd). Returns an exit
 * status. */
static int l1_key(const uint8_t **out, uint8_t **own, const uint8_t *sk, size_t index,
                  const struct session *s)
{
    *out = sk;
    *own = NULL;
    if (sk != NULL) return 0;
    if ((*own = sodium_malloc(32)) == NULL) return fail("out of memory");
    if (tacit_wallet_transparent_seckey(*own, s->w, index) != TACIT_OK) {
        sodium_free(*own);
        *own = NULL;
        return fail("no imported key %zu", index);
    }
    *out = *own;
    return 0;
}

/* c opened on the L1 account of sk. Returns an exit status. */
static int l1_open(struct tacit_cli_l1 *c, const struct opts *o, const uint8_t *sk)
{
    char err[512];
    int rc =
        tacit_cli_l1_open(c, o->l1_rpc, o->l1_rollup, sk, o->timeout_s * 1000u, err, sizeof err);
    if (rc == TACIT_EINVAL) return fail_usage("%s", err);
    if (rc != TACIT_OK) return fail_rc(rc, "%s", err);
    return 0;
}

/* An L1 transaction's JSON: hash, block, gas, price, wei. */
static json_t *l1_json(const struct tacit_cli_l1_result *r, const char *wei_name)
{
    char price[TACIT_UINT256_DEC_MAX], wei[TACIT_UINT256_DEC_MAX];
    tacit_uint256_to_dec(price, &r->gas_price);
    tacit_uint256_to_dec(wei, &r->wei);
    return json_pack("{s:o,s:I,s:I,s:s,s:s}", "l1TxHash", json_hex(r->tx_hash, 32), "l1Block",
                     (json_int_t)r->block_number, "gasUsed", (json_int_t)r->gas_used,
                     "effectiveGasPrice", price, wei_name, wei);
}

/* The node's transparent balance of address (tacit_getAccount). */
static int node_account_balance(struct session *s, const uint8_t address[20], uint64_t *out)
{
    char hex[43];
    json_t *result = NULL, *error = NULL;
    const char *bal;
    int rc;
    tacit_hex_encode(hex, address, 20);
    rc = tacit_rpc_call(s->rpc, "tacit_getAccount", json_pack("[s]", hex), &result, &error);
    if (rc != TACIT_OK) return rc;
    bal = json_string_value(json_object_get(result, "balance"));
    rc = error != NULL ? TACIT_ENOTFOUND
         : bal == NULL ? TACIT_EJSON
                       : tacit_parse_dec_u64(out, bal);
    json_decref(result);
    json_decref(error);
    return rc;
}

static json_t *g_l1_deposit; /* the L1 deposit's JSON, for report_send */

/*
 * deposit --l1-rpc: deposit(own address) of amount on L1 (the shielding transaction then moves
 * that amount, its fee included, as a deposit does), then, unless --l1-only, waits until the
 * node has credited it (tacit_getAccount). Returns an exit status.
 */
static int l1_deposit(struct session *s, const struct opts *o, const uint8_t *sk,
                      const struct tacit_wallet_send_req *req)
{
    struct tacit_cli_l1 c;
    struct tacit_cli_l1_result r;
    char err[512], a[43], amt[TACIT_CLI_AMOUNT_MAX];
    uint64_t before = 0, now = 0, total = req->amount;
    const uint8_t *key;
    uint8_t *own;
    int rc, status;

    if ((status = l1_key(&key, &own, sk, req->deposit_key, s)) != 0) return status;
    status = l1_open(&c, o, key);
    if (own != NULL) sodium_free(own);
    if (status != 0) return status;
    status = 1;
    tacit_hex_encode(a, c.from, 20);
    if (!o->l1_only && (rc = node_account_balance(s, c.from, &before)) != TACIT_OK) {
        fail_rc(rc, "tacit_getAccount: %s", node_error(rc));
        goto out;
    }
    if (!tacit_cli_globals.json && isatty(STDERR_FILENO))
        fprintf(stderr, "sending the L1 deposit...\n");
    if ((rc = tacit_cli_l1_deposit(&c, total, &r, err, sizeof err)) != TACIT_OK) {
        fail_rc(rc, "%s", err);
        goto out;
    }
    g_l1_deposit = l1_json(&r, "wei");
    if (g_l1_deposit != NULL)
        json_object_set_new(g_l1_deposit, "queueIndex", json_integer((json_int_t)r.queue_index));
    if (!tacit_cli_globals.json) {
        char h[67], price[TACIT_UINT256_DEC_MAX];
        tacit_hex_encode(h, r.tx_hash, 32);
        tacit_uint256_to_dec(price, &r.gas_price);
        printf("L1 deposit %s: %s TAC from %s in L1 block %llu, queue entry %llu (gas %llu at %s "
               "wei)\n",
               h, tac(amt, total), a, (unsigned long long)r.block_number,
               (unsigned long long)r.queue_index, (unsigned long long)r.gas_used, price);
        fflush(stdout);
    }
    if (o->l1_only) {
        status = tacit_cli_globals.json ? print_json(json_incref(g_l1_deposit)) : 0;
        goto out;
    }
    /* The node credits the queue's entries after its L1 confirmations. */
    if (!tacit_cli_globals.json && isatty(STDERR_FILENO))
        fprintf(stderr, "waiting for the node to credit %s...\n", a);
    for (double t0 = now_s();;) {
        if ((rc = node_account_balance(s, c.from, &now)) != TACIT_OK) {
            fail_rc(rc, "tacit_getAccount: %s", node_error(rc));
            goto out;
        }
        if (now >= before && now - before >= total) break;
        if (interrupted || now_s() - t0 > o->timeout_s) {
            fail_rc(TACIT_ETIMEOUT,
                    "the L1 deposit is in the contract's queue (entry %llu), but the node has not "
                    "credited %s after %u s: is tacitd in L1 mode on this contract? Shield it "
                    "later with `wallet deposit %s --from ... --no-l1` (no second L1 deposit)",
                    (unsigned long long)r.queue_index, a, o->timeout_s, tac(amt, req->amount));
            goto out;
        }
        sleep(1);
    }
    status = 0;
out:
    tacit_cli_l1_close(&c);
    return status;
}

/* claim: claim() from the L1 account of --from / --from-key-file. */
static int run_claim(const struct opts *o)
{
    struct tacit_cli_l1 c;
    struct tacit_cli_l1_result r;
    struct session s;
    uint8_t *sk = NULL, *own = NULL;
    const uint8_t *key = NULL;
    size_t index = 0;
    char err[512], a[43];
    int rc, status;

    if (o->l1_rpc == NULL)
        return fail_usage("--l1-rpc URL and --l1-rollup ADDRESS are required (or $TACIT_L1_RPC "
                          "and $TACIT_L1_ROLLUP in the environment, as .tacit-devnet-l1/l1.env "
                          "sets them)");
    if ((status = check_deposit_from(o)) != 0) return status;
    memset(&s, 0, sizeof s);
    /* an imported key, by its 0x address: out of the wallet */
    if (o->from != NULL && strlen(o->from) == 42 && strncmp(o->from, "devnet:", 7) != 0 &&
        (status = session_open(&s, false)) != 0)
        return status;
    if ((status = deposit_key(&sk, &index, &s, o)) == 0 &&
        (status = l1_key(&key, &own, sk, index, &s)) == 0)
        status = l1_open(&c, o, key);
    if (sk != NULL) sodium_free(sk);
    if (own != NULL) sodium_free(own);
    if (s.w != NULL) session_close(&s);
    if (status != 0) return status;
    status = 1;
    tacit_hex_encode(a, c.from, 20);
    if ((rc = tacit_cli_l1_claim(&c, &r, err, sizeof err)) != TACIT_OK) {
        fail_rc(rc, "%s", err);
        goto out;
    }
    if (tacit_cli_globals.json) {
        json_t *j = l1_json(&r, "paid");
        if (j != NULL) json_object_set_new(j, "account", json_string(a));
        status = print_json(j);
    } else {
        char h[67], wei[TACIT_UINT256_DEC_MAX], price[TACIT_UINT256_DEC_MAX];
        tacit_hex_encode(h, r.tx_hash, 32);
        tacit_uint256_to_dec(wei, &r.wei);
        tacit_uint256_to_dec(price, &r.gas_price);
        printf("claimed %s wei to %s: %s in L1 block %llu (gas %llu at %s wei)\n", wei, a, h,
               (unsigned long long)r.block_number, (unsigned long long)r.gas_used, price);
        status = 0;
    }
out:
    tacit_cli_l1_close(&c);
    return status;
}

/* The proving key: --proving-key, else with a devnet wallet the devnet's; through its prepared
 * cache (tacit_groth16_pk_load: a send then maps the key instead of parsing the .zkey). */
static int load_proving_key(tacit_groth16_pk **pk, const struct session *s)
{
    char path[4096];
    const char *p = tacit_cli_globals.proving_key;
    tacit_groth16_pk_load_info info;
    int rc;
    *pk = NULL;
    if (p == NULL) {
        if (!tacit_cli_globals.devnet && tacit_wallet_network(s->w) != TACIT_NETWORK_DEVNET)
            return fail("sending needs the transfer proving key: --proving-key PATH");
        if (tacit_datadir_path_buf(path, sizeof path, tacit_cli_devnet_dir(),
                                   TACIT_DATADIR_PROVING_KEY) != TACIT_OK)
            return fail("--datadir too long");
        p = path;
    }
    if ((rc = tacit_groth16_pk_load(pk, p, &info)) != TACIT_OK)
        return fail("cannot read the proving key %s: %s", p, tacit_strerror(rc));
    if (info.refused != TACIT_PK_CACHE_NONE)
        fprintf(stderr, "tacit-cli: %s.tacitpk: not used (%s): read %s instead\n", p,
                tacit_groth16_pk_cache_refusal(info.refused), p);
    return 0;
}

/* Why a send was refused, in words. */
static int send_error(const struct session *s, int rc, uint64_t need, uint64_t fee)
{
    struct tacit_wallet_balance b;
    char a[TACIT_CLI_AMOUNT_MAX], r[TACIT_CLI_AMOUNT_MAX], nd[TACIT_CLI_AMOUNT_MAX];
    switch (rc) {
    case TACIT_EWATCH_ONLY: return fail_rc(rc, "this is a watch-only wallet: it cannot spend");
    case TACIT_EINSUFFICIENT:
        if (current->run != NULL && strcmp(current->name, "deposit") == 0)
            return fail_rc(rc, "the account holds less than %s TAC", tac(nd, need));
        if (tacit_wallet_balance(s->w, &b) != TACIT_OK)
            return fail_rc(rc, "%s", tacit_strerror(rc));
        return fail_rc(
            rc,
            "insufficient funds: %s TAC spendable (%s TAC reserved by sends not yet included), "
            "%s TAC needed with the fee",
            tac(a, b.confirmed), tac(r, b.pending_out), tac(nd, need));
    case TACIT_ENOTES_FRAGMENTED:
        return fail_rc(rc, "%s; send part of it first (a transaction spends at most two notes)",
                       tacit_strerror(rc));
    case TACIT_ENOT_SYNCED: return fail_rc(rc, "%s", tacit_strerror(rc));
    case TACIT_EFEE_TOO_LOW: {
        /* checked against the node's minimum before proving (or by the node, whose minimum
         * rose in between): say the minimum */
        struct tacit_wallet_chain_info info;
        char f[TACIT_CLI_AMOUNT_MAX], m[TACIT_CLI_AMOUNT_MAX];
        if (s->node.chain_info == NULL || s->node.chain_info(s->node.ud, &info) != TACIT_OK)
            return fail_rc(rc, "refused: %s (%s)", tacit_strerror(rc), tacit_errname(rc));
        if (fee == UINT64_MAX) /* the minimum when the send began */
            return fail_rc(rc, "the node's minimum fee rose to %s TAC during the send: send again",
                           tac(m, info.min_fee));
        return fail_rc(rc,
                       "the fee %s TAC is below the node's minimum fee of %s TAC: give --fee %s "
                       "or more (or leave --fee out: the minimum)",
                       tac(f, fee), tac(m, info.min_fee), tac(m, info.min_fee));
    }
    default: return fail_rc(rc, "refused: %s (%s)", node_error(rc), tacit_errname(rc));
    }
}

/* After submission: the status line (and JSON), and a sync once included. */
static int report_send(struct session *s, int rc, const struct tacit_wallet_send_result *r,
                       unsigned timeout_s)
{
    char id[67], fee[TACIT_CLI_AMOUNT_MAX], line[256];
    const char *state = "pending";
    int status = 0;

    tacit_hex_encode(id, r->txid, 32);
    if (rc == TACIT_ETIMEOUT || r->status.state == TACIT_WALLET_TX_PENDING) {
        if (rc == TACIT_ETIMEOUT)
            snprintf(line, sizeof line,
                     "pending (not included after %u s; `tacit-cli wallet status %s`)", timeout_s,
                     id);
        else
            snprintf(line, sizeof line, "pending");
    } else if (r->status.state == TACIT_WALLET_TX_INCLUDED) {
        struct tacit_wallet_sync_result res;
        int src;
        state = "included";
        snprintf(line, sizeof line, "included at height %llu",
                 (unsigned long long)r->status.height);
        if ((src = do_sync(s, false, &res)) != TACIT_OK)
            fprintf(stderr, "tacit-cli: warning: sync after inclusion: %s\n", node_error(src));
    } else if (r->status.state == TACIT_WALLET_TX_REJECTED) {
        state = "rejected";
        snprintf(line, sizeof line, "rejected: %s", tacit_strerror(r->status.error));
        status = 1;
    } else {
        state = "unknown";
        snprintf(line, sizeof line, "unknown to the node (dropped?)");
        status = 1;
    }
    if (tacit_cli_globals.json) {
        json_t *j = json_pack("{s:s,s:s,s:o,s:I,s:f}", "txid", id, "status", state, "fee",
                              json_amount(r->fee), "inputs", (json_int_t)r->ninputs, "proveSeconds",
                              r->prove_seconds);
        if (j != NULL && r->status.state == TACIT_WALLET_TX_INCLUDED)
            json_object_set_new(j, "height", json_integer((json_int_t)r->status.height));
        if (j != NULL && r->status.state == TACIT_WALLET_TX_REJECTED)
            json_object_set_new(j, "error", json_string(tacit_errname(r->status.error)));
        if (j != NULL && g_l1_deposit != NULL) json_object_set(j, "l1Deposit", g_l1_deposit);
        if (print_json(j) != 0) status = 1;
    } else {
        printf("%s: %s (fee %s TAC)\n", id, line, tac(fee, r->fee));
    }
    return status;
}

/* A withdrawal that would link this wallet's deposits to it: a warning on stderr (JSON there
 * too under --json), the withdrawal still goes (issue 14, 7; docs/wallet.md "What is public"). */
static void warn_links(const struct session *s, const struct tacit_wallet_send_req *req)
{
    unsigned links = tacit_wallet_withdrawal_links(s->w, req->amount, req->withdraw_to);
    if (links == 0) return;
    if (tacit_cli_globals.json) {
        json_t *j = json_pack("{s:s,s:b,s:b}", "warning", "withdrawal-links-deposit", "sameAmount",
                              (links & TACIT_WALLET_LINK_AMOUNT) != 0, "depositAddress",
                              (links & TACIT_WALLET_LINK_ADDRESS) != 0);
        char *t = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
        if (t != NULL) fprintf(stderr, "%s\n", t);
        free(t);
        json_decref(j);
        return;
    }
    if (links & TACIT_WALLET_LINK_AMOUNT)
        fprintf(stderr, "warning: this amount equals one of this wallet's deposits: anyone can "
                        "link the withdrawal to that deposit (withdraw a different amount)\n");
    if (links & TACIT_WALLET_LINK_ADDRESS)
        fprintf(stderr, "warning: this address deposited from this wallet: anyone can link the "
                        "withdrawal to those deposits (withdraw to a fresh address)\n");
}

/* ------------------------------------------------------ forced transactions ---- */

static bool sent_record(const struct session *s, const uint8_t id[32],
                        struct tacit_wallet_sent *out);

/* A forced transaction's way to L1 (struct tacit_wallet_send_req.force): forceTransaction(tx)
 * from the account of --from, waited for; its ForcedTransaction log gives the queue entry. */
struct force_ctx {
    struct tacit_cli_l1 c;
    bool open;
    struct tacit_cli_l1_result r;
    uint64_t delay; /* the contract's forceDelay (T), 0 if unknown */
    char err[512];  /* the L1 step's failure, when it failed */
};

static int cli_force(void *ud, const struct tacit_tx *tx, struct tacit_wallet_forced *out)
{
    struct force_ctx *f = ud;
    uint8_t b[TACIT_TX_BYTES];
    int rc;
    tacit_tx_encode(b, tx);
    if (!tacit_cli_globals.json && isatty(STDERR_FILENO))
        fprintf(stderr, "sending forceTransaction to the rollup contract on L1...\n");
    rc = tacit_cli_l1_force(&f->c, b, &f->r, f->err, sizeof f->err);
    if (rc == TACIT_ETIMEOUT && !sodium_is_zero(f->r.tx_hash, 32)) {
        /* sent, not mined yet: it may still queue it, so the wallet records it (its notes stay
         * held; a synced block that takes it marks it included or failed), entry unknown */
        fprintf(stderr, "tacit-cli: warning: %s; recorded as forced with its queue entry unknown\n",
                f->err);
        f->err[0] = '\0';
        out->queue_index = UINT64_MAX;
        out->l1_block = 0;
        memcpy(out->l1_tx, f->r.tx_hash, 32);
        return TACIT_OK;
    }
    if (rc != TACIT_OK) return rc;
    f->err[0] = '\0';
    out->queue_index = f->r.queue_index;
    out->l1_block = f->r.block_number;
    memcpy(out->l1_tx, f->r.tx_hash, 32);
    return TACIT_OK;
}

/* --force / exit: the L1 flags and the account, before anything is opened. */
static int check_force(const struct opts *o)
{
    if (o->l1_rpc == NULL)
        return fail_usage("a forced transaction goes to the rollup contract on L1: --l1-rpc URL "
                          "and --l1-rollup ADDRESS are required (or $TACIT_L1_RPC and "
                          "$TACIT_L1_ROLLUP)");
    if (o->from == NULL && o->from_key_file == NULL)
        return fail_usage("a forced transaction is sent from an L1 account that pays its gas: "
                          "--from ACCOUNT or --from-key-file PATH is required");
    return check_deposit_from(o);
}

/* f->c opened on the L1 account of --from / --from-key-file. Returns an exit status. */
static int force_open(struct force_ctx *f, const struct session *s, const struct opts *o)
{
    uint8_t *sk = NULL, *own = NULL;
    const uint8_t *key = NULL;
    size_t index = 0;
    int status;
    memset(f, 0, sizeof *f);
    if ((status = deposit_key(&sk, &index, s, o)) == 0 &&
        (status = l1_key(&key, &own, sk, index, s)) == 0 &&
        (status = l1_open(&f->c, o, key)) == 0) {
        f->open = true;
        if (tacit_cli_l1_force_delay(&f->c, &f->delay) != TACIT_OK) f->delay = 0;
    }
    if (sk != NULL) sodium_free(sk);
    if (own != NULL) sodium_free(own);
    return status;
}

static void force_close(struct force_ctx *f)
{
    if (f->open) tacit_cli_l1_close(&f->c);
    f->open = false;
}

/* A refused forced send: the L1 step's words (the contract's error by name: ForcedDeposit,
 * UnknownAnchor, NullifierSpent, BadTransferProof...) or the wallet's. */
static int force_error(const struct session *s, const struct force_ctx *f, int rc,
                       const struct tacit_wallet_send_req *req)
{
    if (f->err[0] != '\0') return fail_rc(rc, "%s", f->err);
    if (rc == TACIT_EANCHOR)
        return fail_rc(rc, "no block has settled on L1 yet, or the notes that would pay arrived "
                           "after the last settled block: a forced transaction anchors at a "
                           "settled block's note root (the only roots the contract knows) and "
                           "spends notes received by then; try again once it settles");
    if (rc == TACIT_EVERSION)
        return fail_rc(rc, "the node's chain does not settle on L1 (no settlement in "
                           "tacit_chainInfo): there is no contract queue to force into");
    return send_error(s, rc, req->amount + (req->fee_set ? req->fee : 0),
                      req->fee_set ? req->fee : UINT64_MAX);
}

/* The JSON of a queued forced transaction (what report_force and exit print). */
static json_t *force_json(const struct tacit_wallet_send_result *r, const struct force_ctx *f)
{
    json_t *j = l1_json(&f->r, "wei");
    if (j == NULL) return NULL;
    json_object_del(j, "wei");
    json_object_set_new(j, "txid", json_hex(r->txid, 32));
    json_object_set_new(j, "status", json_string("queued"));
    json_object_set_new(j, "forced", json_true());
    json_object_set_new(
        j, "queueIndex",
        r->f.queue_index == UINT64_MAX ? json_null() : json_integer((json_int_t)r->f.queue_index));
    json_object_set_new(j, "anchorHeight", json_integer((json_int_t)r->f.anchor_height));
    json_object_set_new(j, "amount", json_amount(r->amount));
    json_object_set_new(j, "fee", json_amount(r->fee));
    json_object_set_new(j, "inputs", json_integer((json_int_t)r->ninputs));
    json_object_set_new(j, "proveSeconds", json_real(r->prove_seconds));
    if (f->delay > 0) {
        json_object_set_new(j, "forceDelay", json_integer((json_int_t)f->delay));
        json_object_set_new(j, "deadlineL1Block",
                            json_integer((json_int_t)(r->f.l1_block + f->delay)));
    }
    return j;
}

/* One line for a queued forced transaction. */
static void force_line(const struct tacit_wallet_send_result *r, const struct force_ctx *f)
{
    char id[67], h[67], price[TACIT_UINT256_DEC_MAX], fee[TACIT_CLI_AMOUNT_MAX];
    tacit_hex_encode(id, r->txid, 32);
    tacit_hex_encode(h, f->r.tx_hash, 32);
    tacit_uint256_to_dec(price, &f->r.gas_price);
    if (r->f.queue_index == UINT64_MAX) { /* sent, not mined within --timeout */
        printf("%s: forced (sent): L1 tx %s not mined yet; `wallet status %s` follows it\n", id, h,
               id);
        return;
    }
    printf("%s: forced (queued): queue entry %llu in L1 block %llu (L1 tx %s, gas %llu at %s "
           "wei; anchored at settled block %llu; fee %s TAC)",
           id, (unsigned long long)r->f.queue_index, (unsigned long long)r->f.l1_block, h,
           (unsigned long long)f->r.gas_used, price, (unsigned long long)r->f.anchor_height,
           tac(fee, r->fee));
    if (f->delay > 0)
        printf("; a block must take it by L1 block %llu (T = %llu), or anyone may submit blocks",
               (unsigned long long)(r->f.l1_block + f->delay), (unsigned long long)f->delay);
    printf("\n");
}

/* send, deposit and withdraw: parse, open, sync, prove, submit, wait, sync. */
static int run_spend(const struct opts *o, enum tacit_wallet_send_kind kind)
{
    struct tacit_wallet_send_req req;
    struct tacit_wallet_send_result r;
    struct tacit_wallet_sync_result res;
    struct session s;
    struct force_ctx fc;
    tacit_groth16_pk *pk = NULL;
    uint8_t *sk = NULL;
    const char *amount_text = kind == TACIT_WALLET_SEND_TRANSFER ? o->pos[1] : o->pos[0];
    int rc, status;

    memset(&req, 0, sizeof req);
    memset(&fc, 0, sizeof fc);
    req.kind = kind;
    req.wait_ms = o->no_wait ? 0 : o->timeout_s * 1000u;
    if ((status = amount_arg(&req.amount, amount_text, "the amount", false)) != 0) return status;
    if (o->fee != NULL) {
        if ((status = amount_arg(&req.fee, o->fee, "--fee", true)) != 0) return status;
        req.fee_set = true;
    }
    if (o->memo != NULL) {
        if (strlen(o->memo) > TACIT_NOTE_MEMO_MAX) return fail_usage("--memo: at most 512 bytes");
        req.memo = (const uint8_t *)o->memo;
        req.memo_len = strlen(o->memo);
    }
    if (o->force && kind == TACIT_WALLET_SEND_DEPOSIT)
        return fail_usage(
            "--force: a deposit cannot be forced — a forced transaction cannot spend a "
            "transparent balance (its nonce could fail by the time a block takes it), the "
            "contract refuses it (ForcedDeposit); deposit without --force, then force the "
            "transfer or withdrawal of the notes once its block has settled");
    if (o->force && (status = check_force(o)) != 0) return status;
    if (o->no_sync && !o->force)
        return fail_usage("--no-sync is for a forced transaction (--force): a send to the node "
                          "syncs first");
    if (!o->force && kind != TACIT_WALLET_SEND_DEPOSIT &&
        (o->from != NULL || o->from_key_file != NULL))
        return fail_usage("--from / --from-key-file name the L1 account of a forced "
                          "transaction: give --force too");
    if (kind == TACIT_WALLET_SEND_DEPOSIT && (status = check_deposit_from(o)) != 0) return status;
    if (kind == TACIT_WALLET_SEND_WITHDRAW &&
        (o->to == NULL || strlen(o->to) != 42 ||
         tacit_hex_decode(req.withdraw_to, 20, o->to, true) != TACIT_OK))
        return fail_usage("--to: want a transparent 0x address of 40 hex digits");

    if ((status = session_open(&s, true)) != 0) return status;
    status = 1;
    if (kind == TACIT_WALLET_SEND_TRANSFER &&
        (rc = tacit_shielded_address_decode(&req.to, tacit_wallet_network(s.w), o->pos[0])) !=
            TACIT_OK) {
        if (rc == TACIT_ENETWORK)
            fail("%s is an address of another network (this is a %s wallet)", o->pos[0],
                 network_name(tacit_wallet_network(s.w)));
        else
            fail("not a shielded address: %s (%s)", o->pos[0], tacit_strerror(rc));
        goto out;
    }
    if (tacit_wallet_is_watch_only(s.w)) {
        send_error(&s, TACIT_EWATCH_ONLY, 0, 0);
        goto out;
    }
    if (kind == TACIT_WALLET_SEND_DEPOSIT) {
        if ((status = deposit_key(&sk, &req.deposit_key, &s, o)) != 0) goto out;
        status = 1;
        req.deposit_sk = sk;
    }
    if (kind == TACIT_WALLET_SEND_DEPOSIT && o->l1_only) {
        status = l1_deposit(&s, o, sk, &req);
        goto out;
    }
    if (req.fee_set) { /* below the node's minimum: refused before the key, an L1 deposit, a proof */
        struct tacit_wallet_chain_info info;
        if ((rc = s.node.chain_info(s.node.ud, &info)) != TACIT_OK) {
            fail_rc(rc, "%s", node_error(rc));
            goto out;
        }
        if (req.fee < info.min_fee) {
            send_error(&s, TACIT_EFEE_TOO_LOW, 0, req.fee);
            goto out;
        }
    }
    if (load_proving_key(&pk, &s) != 0) goto out;
    if (kind == TACIT_WALLET_SEND_DEPOSIT && o->l1_rpc != NULL &&
        (status = l1_deposit(&s, o, sk, &req)) != 0)
        goto out;
    status = 1;
    /* The anchor is the root at the synced height: bring it (and the notes) up to date
     * (--force --no-sync: as the file is, anchored at its synced block if the chain settled
     * past it) */
    if (kind != TACIT_WALLET_SEND_DEPOSIT && !o->no_sync &&
        (rc = do_sync(&s, false, &res)) != TACIT_OK) {
        sync_error(rc);
        goto out;
    }
    if (kind == TACIT_WALLET_SEND_WITHDRAW) warn_links(&s, &req);
    if (o->force) { /* to the contract's queue on L1, from the account of --from */
        if ((status = force_open(&fc, &s, o)) != 0) goto out;
        status = 1;
        req.force = cli_force;
        req.force_ud = &fc;
    }
    if (!tacit_cli_globals.json && isatty(STDERR_FILENO))
        fprintf(stderr, "proving and sending...\n");
    rc = tacit_wallet_send(s.w, &s.node, pk, &req, &r);
    if (o->force) {
        if (rc != TACIT_OK) {
            force_error(&s, &fc, rc, &req);
        } else if (tacit_cli_globals.json) {
            status = print_json(force_json(&r, &fc));
        } else {
            force_line(&r, &fc);
            status = 0;
        }
        goto out;
    }
    if (rc != TACIT_OK && rc != TACIT_ETIMEOUT) {
        send_error(&s, rc, req.amount + (req.fee_set ? req.fee : 0),
                   req.fee_set ? req.fee : UINT64_MAX);
        goto out;
    }
    status = report_send(&s, rc, &r, o->timeout_s);
out:
    if (sk != NULL) sodium_free(sk);
    force_close(&fc);
    tacit_groth16_pk_free(pk);
    session_close(&s);
    json_decref(g_l1_deposit);
    g_l1_deposit = NULL;
    return status;
}

static int run_send(const struct opts *o) { return run_spend(o, TACIT_WALLET_SEND_TRANSFER); }
static int run_deposit(const struct opts *o) { return run_spend(o, TACIT_WALLET_SEND_DEPOSIT); }
static int run_withdraw(const struct opts *o) { return run_spend(o, TACIT_WALLET_SEND_WITHDRAW); }

static const char *settled_words(char *out, size_t n, uint64_t h)
{
    if (h == TACIT_WALLET_NO_HEIGHT)
        snprintf(out, n, "none yet");
    else
        snprintf(out, n, "height %llu", (unsigned long long)h);
    return out;
}

static int value_desc(const void *pa, const void *pb)
{
    const struct tacit_wallet_note *a = pa, *b = pb;
    return a->value > b->value ? -1 : a->value < b->value;
}

/*
 * exit: every unspent note withdrawn to L1 by forced transactions (two notes each, the largest
 * first, all of their value less the fee: no change), to --to or the L1 account of --from. Only
 * reads the node (a follower will do); the notes received after the last settled block wait
 * for the next (the contract knows settled roots only).
 */
static int run_exit(const struct opts *o)
{
    struct session s;
    struct force_ctx fc;
    struct tacit_wallet_chain_info info;
    struct tacit_wallet_sync_result res;
    struct tacit_wallet_note *notes = NULL, *cand = NULL;
    tacit_groth16_pk *pk = NULL;
    json_t *list = NULL;
    size_t n = 0, nc = 0, later = 0, dust = 0, done = 0;
    uint64_t fee = 0, later_value = 0, total = 0;
    uint8_t to[TACIT_ADDRESS_LEN];
    char a[TACIT_CLI_AMOUNT_MAX], tohex[43], sh[48];
    int rc, status;

    memset(&fc, 0, sizeof fc);
    if (o->to != NULL && (strlen(o->to) != 42 || tacit_hex_decode(to, 20, o->to, true) != TACIT_OK))
        return fail_usage("--to: want a transparent 0x address of 40 hex digits");
    if (o->fee != NULL && (status = amount_arg(&fee, o->fee, "--fee", true)) != 0) return status;
    if ((status = check_force(o)) != 0) return status;
    if ((status = session_open(&s, true)) != 0) return status;
    status = 1;
    if (tacit_wallet_is_watch_only(s.w)) {
        send_error(&s, TACIT_EWATCH_ONLY, 0, 0);
        goto out;
    }
    if ((rc = do_sync(&s, false, &res)) != TACIT_OK) {
        sync_error(rc);
        goto out;
    }
    if ((rc = s.node.chain_info(s.node.ud, &info)) != TACIT_OK) {
        fail_rc(rc, "%s", node_error(rc));
        goto out;
    }
    if (o->fee == NULL) fee = info.min_fee;
    if (fee < info.min_fee) {
        send_error(&s, TACIT_EFEE_TOO_LOW, 0, fee);
        goto out;
    }
    if (info.tx_version != TACIT_TX_VERSION_L1) {
        fail_rc(TACIT_EVERSION, "the node's chain does not settle on L1 (no settlement in "
                                "tacit_chainInfo): there is no contract queue to exit by");
        goto out;
    }
    if ((rc = tacit_wallet_notes(s.w, &notes, &n)) != TACIT_OK ||
        (cand = calloc(n + 1, sizeof *cand)) == NULL) {
        fail_rc(rc != TACIT_OK ? rc : TACIT_ENOMEM, "%s",
                tacit_strerror(rc != TACIT_OK ? rc : TACIT_ENOMEM));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct tacit_wallet_sent holder;
        /* a note held by a pending send that is not forced goes too (a send the node never
         * included: censored, or lost); one held by a forced one is in the queue already */
        if (notes[i].spent_height != TACIT_WALLET_NO_HEIGHT || notes[i].value == 0 ||
            (notes[i].reserved &&
             !(sent_record(&s, notes[i].reserved_by, &holder) && !holder.forced &&
               holder.status.state == TACIT_WALLET_TX_PENDING)))
            continue;
        if (info.settled_height == TACIT_WALLET_NO_HEIGHT ||
            notes[i].height > info.settled_height) {
            later++;
            later_value += notes[i].value;
            continue;
        }
        cand[nc++] = notes[i];
    }
    qsort(cand, nc, sizeof *cand, value_desc);
    if (nc == 0) {
        if (later > 0)
            fail_rc(TACIT_EANCHOR,
                    "nothing to exit yet: %zu notes (%s TAC) arrived after the last settled block "
                    "(%s): a forced transaction spends notes of a settled block; run `wallet "
                    "exit` again once their block settles on L1",
                    later, tac(a, later_value), settled_words(sh, sizeof sh, info.settled_height));
        else
            fail_rc(TACIT_ENOTFOUND, "nothing to exit: the wallet has no unspent note that no "
                                     "pending transaction holds");
        goto out;
    }
    if (load_proving_key(&pk, &s) != 0) goto out;
    if ((status = force_open(&fc, &s, o)) != 0) goto out;
    status = 1;
    if (o->to == NULL) memcpy(to, fc.c.from, TACIT_ADDRESS_LEN);
    tacit_hex_encode(tohex, to, TACIT_ADDRESS_LEN);
    if (tacit_cli_globals.json && (list = json_array()) == NULL) goto out;
    for (size_t i = 0; i < nc; i += 2) {
        struct tacit_wallet_send_req req;
        struct tacit_wallet_send_result r;
        unsigned k = i + 1 < nc ? 2 : 1;
        uint64_t sum = cand[i].value + (k == 2 ? cand[i + 1].value : 0);
        if (sum <= fee) { /* worth less than its fee */
            dust += k;
            continue;
        }
        memset(&req, 0, sizeof req);
        req.kind = TACIT_WALLET_SEND_WITHDRAW;
        req.amount = sum - fee;
        req.fee = fee;
        req.fee_set = true;
        memcpy(req.withdraw_to, to, TACIT_ADDRESS_LEN);
        req.ninputs = k;
        req.take_pending = true;
        req.inputs[0] = cand[i].index;
        req.inputs[1] = k == 2 ? cand[i + 1].index : 0;
        req.force = cli_force;
        req.force_ud = &fc;
        if (!tacit_cli_globals.json && isatty(STDERR_FILENO))
            fprintf(stderr, "proving the exit of %s TAC...\n", tac(a, req.amount));
        fc.err[0] = '\0';
        if ((rc = tacit_wallet_send(s.w, &s.node, pk, &req, &r)) != TACIT_OK) {
            force_error(&s, &fc, rc, &req);
            if (done > 0 && !tacit_cli_globals.json)
                fprintf(stderr,
                        "(%zu forced withdrawals were queued before this one: `wallet "
                        "history`)\n",
                        done);
            goto out;
        }
        done++;
        total += req.amount;
        if (list != NULL)
            json_array_append_new(list, force_json(&r, &fc));
        else
            force_line(&r, &fc);
        fflush(stdout);
    }
    if (tacit_cli_globals.json) {
        status =
            print_json(json_pack("{s:s,s:o,s:o,s:I,s:o,s:I}", "to", tohex, "exits", list, "total",
                                 json_amount(total), "notesLater", (json_int_t)later, "amountLater",
                                 json_amount(later_value), "dust", (json_int_t)dust));
        list = NULL;
        goto out;
    }
    printf("%zu forced withdrawals queued: %s TAC to %s, claimable on L1 once the sequencer (or "
           "anyone, after the contract's delay) includes them and their blocks settle: `tacit-cli "
           "wallet claim`\n",
           done, tac(a, total), tohex);
    if (later > 0)
        printf("%zu notes (%s TAC) arrived after the last settled block: run `wallet exit` again "
               "once it settles\n",
               later, tac(a, later_value));
    if (dust > 0) printf("%zu notes worth less than the fee were left\n", dust);
    status = 0;
out:
    json_decref(list);
    force_close(&fc);
    tacit_groth16_pk_free(pk);
    if (notes != NULL) tacit_wallet_notes_free(notes, n);
    if (cand != NULL) {
        sodium_memzero(cand, (n + 1) * sizeof *cand);
        free(cand);
    }
    session_close(&s);
    return status;
}

/* In L1 mode the node tells where an included transaction's block is on L1
 * (tacit_getTransaction's blockStatus: sequenced, submitted, settled, finalized, reverted): out
 * that word, or "" (not in L1 mode, or the node did not say). */
static void l1_block_status(struct session *s, const char *txid, char *out, size_t n)
{
    json_t *result = NULL, *error = NULL;
    const char *st;
    out[0] = '\0';
    if (tacit_rpc_call(s->rpc, "tacit_getTransaction", json_pack("[s]", txid), &result, &error) !=
        TACIT_OK)
        return;
    st = json_string_value(json_object_get(result, "blockStatus"));
    if (st != NULL && strlen(st) < n && strspn(st, "abcdefghijklmnopqrstuvwxyz") == strlen(st))
        snprintf(out, n, "%s", st);
    json_decref(result);
    json_decref(error);
}

/* Whether this wallet sent id as a withdrawal. */
/* The wallet's record of sent transaction id (*out; false: none). */
static bool sent_record(const struct session *s, const uint8_t id[32],
                        struct tacit_wallet_sent *out)
{
    struct tacit_wallet_sent *sent = NULL;
    size_t n = 0;
    bool yes = false;
    if (tacit_wallet_sent_list(s->w, &sent, &n) != TACIT_OK) return false;
    for (size_t i = 0; i < n && !yes; i++)
        if (memcmp(sent[i].txid, id, 32) == 0) {
            *out = sent[i];
            yes = true;
        }
    if (sent != NULL) sodium_memzero(sent, n * sizeof *sent);
    free(sent);
    return yes;
}

static bool sent_withdrawal(const struct session *s, const uint8_t id[32])
{
    struct tacit_wallet_sent r;
    return sent_record(s, id, &r) && r.kind == TACIT_WALLET_SEND_WITHDRAW;
}

/* A withdrawal's step from its block's L1 status: included on L2 until the block settles, then
 * claimable on L1 (claim() pays it; whether it was claimed the L1 says: withdrawal_claimed). */
static const char *withdrawal_step(const char *block_status)
{
    if (strcmp(block_status, "settled") == 0 || strcmp(block_status, "finalized") == 0)
        return "claimable";
    if (strcmp(block_status, "reverted") == 0) return "block-reverted";
    return "included";
}

/* An included withdrawal's recipient (from its block's bytes) and the L1 transaction that
 * submitted its block (the block's settlement.l1TxHash), from the node. */
static int withdrawal_l1_of(struct session *s, const char *txid, const uint8_t id[32],
                            uint8_t to[20], uint8_t submit_tx[32], uint64_t *height)
{
    json_t *tx = NULL, *blk = NULL, *error = NULL;
    const json_t *ix;
    const char *h, *l1tx, *hex;
    struct tacit_block *b = NULL;
    uint8_t *raw = NULL;
    size_t len = 0, i;
    char hx[19];
    int rc = TACIT_EJSON;

    if ((rc = tacit_rpc_call(s->rpc, "tacit_getTransaction", json_pack("[s]", txid), &tx,
                             &error)) != TACIT_OK)
        goto out;
    rc = TACIT_EJSON;
    ix = json_object_get(tx, "index");
    h = json_string_value(json_object_get(tx, "height"));
    if (!json_is_integer(ix) || json_integer_value(ix) < 0 || h == NULL ||
        tacit_parse_hex_u64(height, h) != TACIT_OK)
        goto out;
    i = (size_t)json_integer_value(ix);
    tacit_hex_u64(hx, *height);
    json_decref(error);
    error = NULL;
    if ((rc = tacit_rpc_call(s->rpc, "tacit_getBlockByNumber", json_pack("[s,b]", hx, 1), &blk,
                             &error)) != TACIT_OK)
        goto out;
    rc = TACIT_EJSON;
    l1tx = json_string_value(json_object_get(json_object_get(blk, "settlement"), "l1TxHash"));
    hex = json_string_value(json_object_get(blk, "raw"));
    if (l1tx == NULL || tacit_hex_decode(submit_tx, 32, l1tx, true) != TACIT_OK || hex == NULL ||
        tacit_hex_decode_alloc(&raw, &len, hex, strlen(hex) / 2) != TACIT_OK ||
        tacit_block_decode(&b, raw, len) != TACIT_OK || i >= b->ntxs ||
        memcmp(b->tx_ids[i], id, 32) != 0)
        goto out;
    memcpy(to, b->txs[i].ext.withdrawal_recipient, 20);
    rc = TACIT_OK;
out:
    if (b != NULL) tacit_block_free(b);
    free(raw);
    json_decref(tx);
    json_decref(blk);
    json_decref(error);
    return rc;
}

/* With --l1-rpc/--l1-rollup: whether the settled withdrawal txid was claimed on L1 (claim()
 * from its --to address after its block credited it). Returns an exit status (0: answered). */
static int withdrawal_claimed(struct session *s, const struct opts *o, const uint8_t id[32],
                              bool *claimed, struct tacit_cli_l1_result *r, char to_hex[43])
{
    struct tacit_cli_l1 c;
    uint8_t to[20], submit[32];
    uint64_t height;
    char err[512];
    int rc, status;

    if ((rc = withdrawal_l1_of(s, o->pos[0], id, to, submit, &height)) != TACIT_OK)
        return fail_rc(rc, "%s: the withdrawal's block from the node: %s", o->pos[0],
                       node_error(rc));
    tacit_hex_encode(to_hex, to, 20);
    if ((status = l1_open(&c, o, NULL)) != 0) return status;
    if ((rc = tacit_cli_l1_claimed(&c, submit, height, to, claimed, r, err, sizeof err)) !=
        TACIT_OK)
        status = fail_rc(rc, "%s", err);
    tacit_cli_l1_close(&c);
    return status;
}

static int run_status(const struct opts *o)
{
    char bst[32] = "", to[43] = "";
    bool withdrawal = false, claimed = false;
    struct session s;
    struct tacit_wallet_tx_status st;
    struct tacit_cli_l1_result cr;
    struct tacit_wallet_sent rec;
    const char *step;
    uint8_t id[32];
    bool forced;
    int rc, status;

    if (tacit_hex_decode(id, 32, o->pos[0], true) != TACIT_OK)
        return fail_usage("want a 0x transaction id of 64 hex digits, not \"%s\"", o->pos[0]);
    if ((status = session_open(&s, true)) != 0) return status;
    /* the status follows the chain as it is now: a transaction the wallet saw in a block that
     * the node no longer has (a devnet revert) is pending again, then asked about */
    if ((status = maybe_sync(&s, o)) != 0) goto out;
    if ((rc = tacit_wallet_tx_status(s.w, &s.node, id, &st)) != TACIT_OK) {
        status = rc == TACIT_ENOTFOUND ? fail("%s is not a transaction this wallet sent", o->pos[0])
                                       : fail("%s", node_error(rc));
        goto out;
    }
    forced = sent_record(&s, id, &rec) && rec.forced;
    if (st.state == TACIT_WALLET_TX_INCLUDED) {
        l1_block_status(&s, o->pos[0], bst, sizeof bst);
        withdrawal = bst[0] != '\0' && sent_withdrawal(&s, id);
    }
    step = withdrawal ? withdrawal_step(bst) : "";
    if (strcmp(step, "claimable") == 0 && o->l1_rpc != NULL) {
        if ((status = withdrawal_claimed(&s, o, id, &claimed, &cr, to)) != 0) goto out;
        if (claimed) step = "claimed";
    }
    if (tacit_cli_globals.json) {
        json_t *j = json_pack("{s:s,s:s}", "txid", o->pos[0], "status",
                              (forced ? forced_state_names : state_names)[st.state & 3]);
        if (j != NULL && forced) {
            json_object_set_new(j, "forced", json_true());
            json_object_set_new(j, "queueIndex", json_integer((json_int_t)rec.f.queue_index));
            json_object_set_new(j, "l1Block", json_integer((json_int_t)rec.f.l1_block));
            json_object_set_new(j, "l1TxHash", json_hex(rec.f.l1_tx, 32));
        }
        if (j != NULL && st.state == TACIT_WALLET_TX_INCLUDED)
            json_object_set_new(j, "height", json_integer((json_int_t)st.height));
        if (j != NULL && bst[0] != '\0') json_object_set_new(j, "blockStatus", json_string(bst));
        if (j != NULL && withdrawal) json_object_set_new(j, "withdrawalStep", json_string(step));
        if (j != NULL && claimed) {
            json_t *cj = l1_json(&cr, "paid");
            if (cj != NULL) json_object_set_new(cj, "account", json_string(to));
            json_object_set_new(j, "claim", cj);
        }
        if (j != NULL && st.state == TACIT_WALLET_TX_REJECTED)
            json_object_set_new(j, "error", json_string(tacit_errname(st.error)));
        status = print_json(j);
    } else if (st.state == TACIT_WALLET_TX_INCLUDED && bst[0] == '\0') {
        printf("included at height %llu\n", (unsigned long long)st.height);
    } else if (st.state == TACIT_WALLET_TX_INCLUDED && claimed) {
        char h[67];
        tacit_hex_encode(h, cr.tx_hash, 32);
        printf("included at height %llu; its block on L1: %s (the withdrawal was claimed by %s "
               "on L1: %s in L1 block %llu)\n",
               (unsigned long long)st.height, bst, to, h, (unsigned long long)cr.block_number);
    } else if (st.state == TACIT_WALLET_TX_INCLUDED) {
        printf("included at height %llu; its block on L1: %s%s\n", (unsigned long long)st.height,
               bst,
               strcmp(step, "claimable") == 0 && o->l1_rpc != NULL
                   ? " (the withdrawal is claimable on L1, not claimed yet: `tacit-cli wallet "
                     "claim` from the --to account)"
               : strcmp(step, "claimable") == 0
                   ? " (the withdrawal is claimable on L1: `tacit-cli wallet claim` from the "
                     "--to account; with --l1-rpc and --l1-rollup, whether it was claimed)"
               : strcmp(step, "included") == 0
                   ? " (the withdrawal becomes claimable on L1 once its block settles)"
                   : "");
    } else if (forced && st.state != TACIT_WALLET_TX_INCLUDED &&
               st.state != TACIT_WALLET_TX_REJECTED) {
        printf("forced (queued): queue entry %llu since L1 block %llu; the sequencer must "
               "include it within the contract's delay, after which anyone may submit blocks\n",
               (unsigned long long)rec.f.queue_index, (unsigned long long)rec.f.l1_block);
    } else if (forced && st.state == TACIT_WALLET_TX_REJECTED) {
        printf("failed: a block consumed queue entry %llu as failed: %s (one of its notes was "
               "spent first by another transaction)\n",
               (unsigned long long)rec.f.queue_index, tacit_strerror(st.error));
    } else if (st.state == TACIT_WALLET_TX_PENDING) {
        printf("pending\n");
    } else if (st.state == TACIT_WALLET_TX_REJECTED) {
        printf("rejected: %s\n", tacit_strerror(st.error));
    } else {
        printf("unknown to the node (not in its chain or mempool: a restart dropped its "
               "mempool, or a revert its block): send again\n");
    }
out:
    session_close(&s);
    return status;
}

static int run_export_vk(const struct opts *o)
{
    struct session s;
    char *key;
    int rc, status;

    if ((status = session_open(&s, false)) != 0) return status;
    if ((key = sodium_malloc(TACIT_KEYS_STR_MAX)) == NULL) {
        session_close(&s);
        return fail("out of memory");
    }
    rc = tacit_wallet_export_viewing_key(
        key, s.w, o->incoming ? TACIT_VIEWING_KEY_INCOMING : TACIT_VIEWING_KEY_FULL);
    if (rc != TACIT_OK)
        status = fail("this wallet holds only an incoming viewing key: use --incoming");
    else if (tacit_cli_globals.json)
        status = print_json(
            json_pack("{s:s,s:s}", "kind", o->incoming ? "incoming" : "full", "viewingKey", key));
    else
        printf("%s\n", key);
    sodium_free(key);
    session_close(&s);
    return status;
}

static int run_import_key(const struct opts *o)
{
    struct session s;
    uint8_t *sk, addr[TACIT_ADDRESS_LEN];
    char hex[43];
    const char *src = o->key_file != NULL ? o->key_file : "-";
    int rc, status;

    if (o->npos == 1 && strcmp(o->pos[0], "-") != 0) {
        if (looks_like_key(o->pos[0]))
            return refuse_key_arg(
                o->pos[0], "import-key",
                "put it in a file only you can read and give --key-file PATH, or give - "
                "and write it on standard input");
        sodium_memzero(o->pos[0], strlen(o->pos[0])); /* it may have been a mistyped key */
        return fail_usage("want - (the private key on standard input) or --key-file PATH");
    }
    if ((o->npos == 1) == (o->key_file != NULL))
        return fail_usage(o->npos == 1
                              ? "give - or --key-file PATH, not both"
                              : "want - (the private key on standard input) or --key-file PATH");
    if ((sk = sodium_malloc(32)) == NULL) return fail("out of memory");
    if (tacit_cli_read_key(sk, src, o->key_file != NULL ? "--key-file" : "import-key") != 0) {
        sodium_free(sk);
        return 1;
    }
    if ((status = session_open(&s, false)) == 0) {
        rc = tacit_wallet_import_transparent(s.w, sk, addr);
        if (rc == TACIT_OK) {
            tacit_hex_encode(hex, addr, 20);
            status = tacit_cli_globals.json ? print_json(json_pack("{s:s}", "address", hex))
                                            : (printf("imported %s\n", hex), 0);
        } else if (rc == TACIT_EEXISTS) {
            status = fail("this key is already imported");
        } else if (rc == TACIT_EINVAL) {
            status = fail("not a valid secp256k1 private key");
        } else {
            status = fail("%s", tacit_strerror(rc));
        }
        session_close(&s);
    }
    sodium_free(sk);
    return status;
}

static const struct subcommand subcommands[] = {
    {"create", run_create, 0, 0, 0, "create",
     "a new wallet file (never overwrites); shows its 24-word recovery phrase (stderr; --json: "
     "\"mnemonic\"), prints its address"},
    {"restore", run_restore, O_PHRASE_FILE | O_NO_SYNC | O_BIRTHDAY, 0, 1,
     "restore (- | --phrase-file PATH) [--birthday HEIGHT | --no-sync]",
     "a new wallet file from a recovery phrase (standard input or a file, never the command "
     "line); then scans the chain from block 0 (--birthday: from that block; notes received "
     "before it are not found)"},
    {"backup", run_backup, 0, 1, 1, "backup PATH",
     "a consistent copy of the wallet file at PATH (mode 0600, never over an existing file)"},
    {"export-mnemonic", run_export_mnemonic, 0, 0, 0, "export-mnemonic",
     "print the recovery phrase: a secret that spends every note"},
    {"address", run_address, O_TRANSPARENT, 0, 0, "address [--transparent]",
     "the shielded address, without the passphrase (--transparent: the imported accounts' 0x "
     "addresses; needs it)"},
    {"balance", run_balance, O_NO_SYNC, 0, 0, "balance [--no-sync]",
     "sync, then the confirmed and pending balance and the synced height"},
    {"notes", run_notes, O_NO_SYNC, 0, 0, "notes [--no-sync]",
     "received notes: value, height, spent?, memo"},
    {"history", run_history, O_NO_SYNC, 0, 0, "history [--no-sync]",
     "sync, then what was sent and received, newest first: heights, statuses, amounts, fees, "
     "memos"},
    {"sync", run_sync, O_RESCAN, 0, 0, "sync [--rescan]",
     "follow the chain (--rescan: forget the notes and start again from block 0)"},
    {"send", run_send,
     O_MEMO | O_FEE | O_NO_WAIT | O_TIMEOUT | O_FORCE | O_FROM | O_FROM_KEY_FILE | O_L1 | O_NO_SYNC,
     2, 2,
     "send <address> <amount> [--memo TEXT] [--fee F] [--no-wait] [--timeout S] [--force (--from "
     "<account> | --from-key-file PATH) [--l1-rpc URL --l1-rollup ADDRESS] [--no-sync]]",
     "a private transfer to a shielded address (--force: through the rollup contract's queue on "
     "L1)"},
    {"deposit", run_deposit,
     O_FROM | O_FROM_KEY_FILE | O_FEE | O_NO_WAIT | O_TIMEOUT | O_L1 | O_L1_ONLY | O_NO_L1 |
         O_FORCE,
     1, 1,
     "deposit <amount> (--from <account> | --from-key-file PATH) [--fee F] [--no-wait] [--timeout "
     "S] [--l1-rpc URL --l1-rollup ADDRESS [--l1-only] | --no-l1]",
     "from a transparent account (devnet:N, an imported key's 0x address, - = key on stdin, or a "
     "key file); with --l1-rpc (or $TACIT_L1_RPC and $TACIT_L1_ROLLUP set) first the L1 deposit "
     "of the amount into the rollup contract, then, once the node has credited it, the shielding "
     "(--l1-only: the L1 deposit alone; --no-l1: the shielding alone, the variables ignored)"},
    {"withdraw", run_withdraw,
     O_TO | O_FEE | O_NO_WAIT | O_TIMEOUT | O_FORCE | O_FROM | O_FROM_KEY_FILE | O_L1 | O_NO_SYNC,
     1, 1,
     "withdraw <amount> --to <0x address> [--fee F] [--no-wait] [--timeout S] [--force (--from "
     "<account> | --from-key-file PATH) [--l1-rpc URL --l1-rollup ADDRESS] [--no-sync]]",
     "from this wallet to a transparent address (--force: through the rollup contract's queue "
     "on L1, which the sequencer must include: docs/wallet.md \"Forced transactions\")"},
    {"exit", run_exit, O_TO | O_FEE | O_TIMEOUT | O_FROM | O_FROM_KEY_FILE | O_L1, 0, 0,
     "exit (--from <account> | --from-key-file PATH) [--to <0x address>] [--fee F] [--l1-rpc "
     "URL --l1-rollup ADDRESS] [--timeout S]",
     "every note withdrawn to L1 by forced transactions (to --to, else the --from account), "
     "needing only a node to read from and L1; then `wallet claim` once their blocks settle"},
    {"claim", run_claim, O_FROM | O_FROM_KEY_FILE | O_TIMEOUT | O_L1, 0, 0,
     "claim --l1-rpc URL --l1-rollup ADDRESS (--from <account> | --from-key-file PATH) [--timeout "
     "S]",
     "on L1: claim() what settled withdrawals (and fees) made claimable for that account "
     "($TACIT_L1_RPC, $TACIT_L1_ROLLUP: the URL and the contract when their flags are absent)"},
    {"status", run_status, O_L1 | O_NO_SYNC, 1, 1,
     "status <0x txid> [--no-sync] [--l1-rpc URL --l1-rollup ADDRESS]",
     "sync, then a sent transaction: pending, included, rejected, unknown to the node (its block "
     "gone: a revert); with a node in L1 mode also its block on "
     "L1 (sequenced, submitted, settled, finalized) and a withdrawal's step (claimable once "
     "settled; with --l1-rpc, claimed once its --to account has claimed it)"},
    {"export-viewing-key", run_export_vk, O_INCOMING, 0, 0, "export-viewing-key [--incoming]",
     "print the full (or incoming) viewing key: a secret that shows every note"},
    {"import-key", run_import_key, O_KEY_FILE, 0, 1, "import-key (- | --key-file PATH)",
     "keep a transparent account's key (from stdin or a file) in the wallet; deposit --from its "
     "address"},
};

#define NSUB (sizeof subcommands / sizeof subcommands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: tacit-cli [global options] wallet <command> [args] [--json]\n\ncommands:\n");
    for (size_t i = 0; i < NSUB; i++)
        fprintf(f, "  %-19s %s\n", subcommands[i].name, subcommands[i].help);
    fprintf(
        f,
        "\nAmounts are decimal TAC: 1 TAC = 10^9 base units, at most 9 decimals (\"1.5\" = "
        "1500000000 base\n"
        "units); --json prints base units as decimal strings. The fee (--fee, in TAC) defaults to "
        "the node's\n"
        "minimum (0 on the devnet). send/deposit/withdraw sync first, wait up to --timeout seconds "
        "(60)\n"
        "for inclusion unless --no-wait, and print pending, included at height N, or rejected: "
        "reason.\n"
        "\nThe wallet: --wallet PATH, or --wallet NAME for <datadir>/" TACIT_DATADIR_WALLETS
        "/NAME.wallet with --devnet\n"
        "(~/.tacit/wallets/NAME.wallet otherwise); default NAME \"default\" or $TACIT_WALLET.\n"
        "The passphrase: --passphrase-file PATH, else $TACIT_PASSPHRASE, else asked on the "
        "terminal.\n"
        "--viewing-key KEY: a watch-only view (a temporary wallet unless --wallet PATH keeps it).\n"
        "On L1 (deposit, claim): --l1-rpc URL and --l1-rollup ADDRESS, each else $TACIT_L1_RPC,\n"
        "$TACIT_L1_ROLLUP (contrib/devnet --l1 writes both to .tacit-devnet-l1/l1.env).\n"
        "Private keys are never taken from the command line (ps and the shell history would show\n"
        "them): a key file (--from-key-file, --key-file) or standard input (--from -, import-key "
        "-).\n"
        "Each command takes --help. Exit status: 0 ok, 1 failure (the reason on stderr), 2 "
        "usage.\n");
}

/* TACIT_WALLET_KDF=fast: argon2id's minimum cost for new wallet files, so that the shell tests
 * stay fast under the sanitizers. Honoured only by a test build (CMake TACIT_TEST_HOOKS, on in
 * sanitizer builds): a release build has no code that reads it and never makes a weak file
 * (the same shell tests then run at the full cost, their output unchanged). */
static void kdf_from_env(void)
{
#ifdef TACIT_TEST_HOOKS
    const char *v = getenv("TACIT_WALLET_KDF");
    if (v != NULL && strcmp(v, "fast") == 0) tacit__wallet_kdf_weak = true;
#endif
}

static int dispatch(const struct subcommand *sc, int argc, char **argv)
{
    struct opts o;
    int rc;
    current = sc;
    kdf_from_env();
    if ((rc = parse(&o, argc, argv)) == -1) {
        printf("usage: tacit-cli [global options] wallet %s\n  %s\n", sc->usage, sc->help);
        return 0;
    }
    if (rc != 0) return rc;
    return sc->run(&o);
}

int cmd_wallet(int argc, char **argv)
{
    struct tacit_cli_globals *g = &tacit_cli_globals;
    /* the options every subcommand takes may come before its name too: `wallet --json notes` */
    while (argc >= 2 && strncmp(argv[1], "--", 2) == 0 && strcmp(argv[1], "--help") != 0) {
        const char *a = argv[1];
        if (strcmp(a, "--json") == 0) {
            g->json = 1;
            argc--, argv++; /* argv[0] is not read */
            continue;
        }
        if (strcmp(a, "--wallet") != 0 && strcmp(a, "--passphrase-file") != 0 &&
            strcmp(a, "--viewing-key") != 0 && strcmp(a, "--proving-key") != 0) {
            fprintf(stderr, "tacit-cli wallet: unknown option %s before the command\n", a);
            usage(stderr);
            return 2;
        }
        if (argc < 3) {
            fprintf(stderr, "tacit-cli wallet: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--wallet") == 0)
            g->wallet = argv[2];
        else if (strcmp(a, "--passphrase-file") == 0)
            g->passphrase_file = argv[2];
        else if (strcmp(a, "--viewing-key") == 0)
            g->viewing_key = argv[2];
        else
            g->proving_key = argv[2];
        argc -= 2, argv += 2; /* argv[1] is the next argument (argv[0] is not read) */
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < NSUB; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return dispatch(&subcommands[i], argc - 1, argv + 1);
    fprintf(stderr, "tacit-cli wallet: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}

int cmd_balance(int argc, char **argv)
{
    for (size_t i = 0; i < NSUB; i++)
        if (strcmp(subcommands[i].name, "balance") == 0)
            return dispatch(&subcommands[i], argc, argv);
    return 2;
}
