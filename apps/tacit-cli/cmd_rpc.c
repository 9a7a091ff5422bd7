/*
 * tacit-cli rpc <method> [params...] — a raw JSON-RPC call to tacitd (docs/rpc.md).
 * A param is JSON when it starts with [ { or " or is true, false or null; =JSON forces JSON
 * (=30000 is the number 30000); anything else is a string, so amounts and hex quantities need
 * no quoting: `tacit-cli rpc tacit_getBlockByNumber latest`, `tacit-cli rpc dev_fund 0x11...11
 * 5000` (an address and a decimal amount: strings, as the API wants them).
 * Prints the result as JSON on stdout (exit 0); a JSON-RPC error on stderr (exit 1); a
 * transport failure or bad usage (exit 2).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/rpc.h"

#define DEFAULT_RPC "http://127.0.0.1:8645"

/* A data directory's cookie, if readable (admin_ methods need nothing else). */
static char *devnet_cookie(const char *dir)
{
    char path[4096], *buf;
    FILE *f;
    size_t n;
    if (tacit_datadir_path_buf(path, sizeof path, dir, TACIT_DATADIR_COOKIE) != TACIT_OK)
        return NULL;
    if ((f = fopen(path, "r")) == NULL) return NULL;
    if ((buf = calloc(1, 256)) != NULL) {
        n = fread(buf, 1, 255, f);
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
    }
    fclose(f);
    return buf;
}

/* The devnet's RPC URL from <dir>/devnet-accounts.json ("rpc"), else NULL. */
static char *devnet_url(const char *dir)
{
    char path[4096];
    json_t *j;
    char *url = NULL;
    if (tacit_datadir_path_buf(path, sizeof path, dir, TACIT_DATADIR_DEVNET_ACCOUNTS) != TACIT_OK)
        return NULL;
    if ((j = json_load_file(path, 0, NULL)) == NULL) return NULL;
    if (json_is_string(json_object_get(j, "rpc")))
        url = strdup(json_string_value(json_object_get(j, "rpc")));
    json_decref(j);
    return url;
}

struct tacit_rpc_client *tacit_cli_rpc_client(void)
{
    const struct tacit_cli_globals *g = &tacit_cli_globals;
    const char *dir = tacit_cli_devnet_dir();
    char *url = NULL, *cookie = NULL;
    const char *use_url = g->rpc_url, *use_auth = g->rpc_auth;
    const char *proxy = g->proxy != NULL ? g->proxy : getenv("TACIT_PROXY");
    struct tacit_rpc_client *c = NULL;
    int rc;

    if (use_url == NULL) use_url = getenv("TACIT_RPC");
    if (use_url == NULL && g->devnet) use_url = url = devnet_url(dir);
    if (use_url == NULL) use_url = DEFAULT_RPC;
    /* the node's cookie: of the devnet, of --datadir, or of ~/.tacit when talking to the
     * default local node (never sent to a URL the user named without naming the datadir) */
    if (use_auth == NULL && (g->devnet || g->datadir)) {
        use_auth = cookie = devnet_cookie(dir);
    } else if (use_auth == NULL && g->rpc_url == NULL && getenv("TACIT_RPC") == NULL) {
        char *home = tacit_datadir_home_default();
        if (home != NULL) use_auth = cookie = devnet_cookie(home);
        free(home);
    }
    if ((rc = tacit_rpc_client_new(&c, use_url, use_auth, 0)) != TACIT_OK)
        fprintf(stderr, "tacit-cli: bad RPC URL \"%s\" (want http://HOST:PORT or unix:/path): %s\n",
                use_url, tacit_strerror(rc));
    if (c != NULL && proxy != NULL && (rc = tacit_rpc_client_set_proxy(c, proxy)) != TACIT_OK) {
        if (rc == TACIT_EINVAL && strncmp(use_url, "unix:", 5) == 0)
            fprintf(stderr,
                    "tacit-cli: --proxy: the RPC is a Unix socket (%s), a proxy cannot "
                    "reach it\n",
                    use_url);
        else
            fprintf(stderr,
                    "tacit-cli: --proxy \"%s\": want HOST:PORT of a SOCKS5 proxy "
                    "(Tor: 127.0.0.1:9050): %s\n",
                    proxy, tacit_strerror(rc));
        tacit_rpc_client_free(c);
        c = NULL;
    }
    free(url);
    free(cookie);
    return c;
}

const char *tacit_cli_transport_error(const struct tacit_rpc_client *c, int rc)
{
    const char *e = c != NULL ? tacit_rpc_client_last_error(c) : NULL;
    return e != NULL ? e : tacit_strerror(rc);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tacit-cli [--rpc URL] rpc <method> [params...]\n"
            "  a param starting with [ { or \" (or true/false/null) is JSON, =JSON forces JSON "
            "(=30000),\n"
            "  anything else is a string (amounts, hex quantities); the result is printed as JSON\n"
            "  example: tacit-cli --devnet rpc tacit_getAccount "
            "0x1111111111111111111111111111111111111111\n");
}

int cmd_rpc(int argc, char **argv)
{
    struct tacit_rpc_client *c;
    json_t *params, *result = NULL, *error = NULL;
    char *text;
    int rc, status;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if ((params = json_array()) == NULL) return 2;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool forced = a[0] == '=';
        json_t *v = NULL;
        if (forced || a[0] == '[' || a[0] == '{' || a[0] == '"' || strcmp(a, "true") == 0 ||
            strcmp(a, "false") == 0 || strcmp(a, "null") == 0) {
            json_error_t e;
            if ((v = json_loads(a + forced, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e)) ==
                NULL) {
                fprintf(stderr, "tacit-cli rpc: param %d is not JSON: %s\n", i - 1, e.text);
                json_decref(params);
                return 2;
            }
        }
        json_array_append_new(params, v != NULL ? v : json_string(a));
    }
    if ((c = tacit_cli_rpc_client()) == NULL) {
        json_decref(params);
        return 2;
    }
    rc = tacit_rpc_call(c, argv[1], params, &result, &error);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-cli rpc: %s: %s (is tacitd running?)\n", argv[1],
                tacit_cli_transport_error(c, rc));
        tacit_rpc_client_free(c);
        return 1; /* the node, not the usage: 2 is for usage (issue 15, 5) */
    }
    tacit_rpc_client_free(c);
    if (error != NULL) {
        const char *msg = json_string_value(json_object_get(error, "message"));
        const char *name =
            json_string_value(json_object_get(json_object_get(error, "data"), "error"));
        fprintf(stderr, "tacit-cli rpc: %s: error %" JSON_INTEGER_FORMAT "%s%s%s: %s\n", argv[1],
                json_integer_value(json_object_get(error, "code")), name ? " (" : "",
                name ? name : "", name ? ")" : "", msg ? msg : "");
        json_decref(error);
        return 1;
    }
    text = json_dumps(result,
                      JSON_ENCODE_ANY | (tacit_cli_globals.json ? JSON_COMPACT : JSON_INDENT(2)));
    status = text != NULL ? 0 : 1;
    if (text != NULL) printf("%s\n", text);
    free(text);
    json_decref(result);
    return status;
}

/* tacit-cli rpcauth USER [PASSWORD | -]: an rpcauth line for tacitd's config, as bitcoind's
 * share/rpcauth/rpcauth.py prints one; a new random password unless one is given ("-": the
 * first line of stdin, so that it stays out of the process list and the shell's history). */
static void rpcauth_usage(FILE *f)
{
    fprintf(f, "usage: tacit-cli [--json] rpcauth USER [PASSWORD | -]\n"
               "  prints an rpcauth line for tacitd's config (admin_ methods over HTTP with "
               "USER:PASSWORD)\n"
               "  and the password: a new random one unless given (\"-\": read from stdin)\n");
}

int cmd_rpcauth(int argc, char **argv)
{
    enum { PW_MAX = 256 };
    unsigned char raw[32];
    char *pw, *entry = NULL;
    int rc;

    if (argc < 2 || argc > 3 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        rpcauth_usage(argc < 2 || argc > 3 ? stderr : stdout);
        return argc < 2 || argc > 3 ? 2 : 0;
    }
    if ((pw = sodium_malloc(PW_MAX)) == NULL) {
        fprintf(stderr, "tacit-cli rpcauth: out of memory\n");
        return 1;
    }
    if (argc == 2) {
        randombytes_buf(raw, sizeof raw);
        sodium_bin2base64(pw, PW_MAX, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sodium_memzero(raw, sizeof raw);
    } else if (strcmp(argv[2], "-") == 0) {
        if (fgets(pw, PW_MAX, stdin) == NULL) pw[0] = '\0';
        pw[strcspn(pw, "\r\n")] = '\0';
    } else if (strlen(argv[2]) < PW_MAX) {
        strcpy(pw, argv[2]);
    } else {
        pw[0] = '\0';
    }
    if (pw[0] == '\0') {
        fprintf(stderr, "tacit-cli rpcauth: an empty or too long password (1 to %d bytes)\n",
                PW_MAX - 1);
        sodium_free(pw);
        return 2;
    }
    if ((rc = tacit_rpc_auth_entry(&entry, argv[1], pw)) != TACIT_OK) {
        if (rc == TACIT_EINVAL)
            fprintf(stderr,
                    "tacit-cli rpcauth: user \"%s\": want a name without ':', spaces or control "
                    "characters\n",
                    argv[1]);
        else
            fprintf(stderr, "tacit-cli rpcauth: %s\n", tacit_strerror(rc));
        sodium_free(pw);
        return rc == TACIT_EINVAL ? 2 : 1;
    }
    if (tacit_cli_globals.json) {
        json_t *o = json_pack("{s:s,s:s}", "rpcauth", entry, "password", pw);
        char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
        if (text != NULL) printf("%s\n", text);
        if (text != NULL) sodium_memzero(text, strlen(text));
        free(text);
        json_decref(o);
    } else {
        printf("String to be appended to tacitd's config file (or: tacitd --rpcauth '%s'):\n"
               "rpcauth = %s\nYour password:\n%s\n",
               entry, entry, pw);
    }
    free(entry);
    sodium_free(pw);
    return 0;
}
