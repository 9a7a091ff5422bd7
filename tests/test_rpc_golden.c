/*
 * tacit — golden JSON-RPC transcripts (tests/vectors/rpc/ (one .txt file each)) replayed against a real tacitd.
 *
 * Each file is one session with a fresh node on 127.0.0.1 (a free port), started with the
 * depth-2 keys of `tacit-cli setup --depth 2` (made once per run): `tacitd --devnet` with the
 * keys seeded into <datadir>/keys/, or with a `# node: plain` line a node that is no devnet
 * (chain id 5, the keys' verification_key.json). The requests of the file are sent in order,
 * each over its own HTTP connection, and each answer is compared with the `<--` line after its
 * request. The file format, the placeholders and the regeneration mode (TACIT_REGEN=1) are
 * described in tests/vectors/README.md.
 *
 * Only one test: `golden` replays every file in name order; `./test_rpc_golden golden` with
 * TACIT_RPC_GOLDEN=<file name> replays one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "lib/node.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/util.h"

static char g_dir[] = "/tmp/tacit-test-rpc-golden-XXXXXX";
static bool g_keys;

static void dir_remove(void) { tnode_rm_tree(g_dir); }

/* Runs argv to completion (output to g_dir/setup.log); true on exit status 0. */
static bool run_quiet(const char *const *argv)
{
    char logp[600];
    snprintf(logp, sizeof logp, "%s/setup.log", g_dir);
    return tnode_run_ok(argv, logp, 300000);
}

/* The depth-2 keys in g_dir/keys, made once per run. */
static bool keys_ready(void)
{
    char cli[600], out[600];
    if (g_keys) return true;
    snprintf(cli, sizeof cli, "%s/tacit-cli", tnode_bin_dir());
    snprintf(out, sizeof out, "%s/keys", g_dir);
    const char *argv[] = {cli, "setup", "--depth", "2", "--out", out, NULL};
    return g_keys = run_quiet(argv);
}

/* ------------------------------------------------------------ placeholders ---- */

/* The values a session names: given before it starts (accounts, vk, tmp, ...) or captured from
 * the first answer that shows them. */
#define MAX_VARS 512
struct vars {
    size_t n;
    char *name[MAX_VARS];
    json_t *value[MAX_VARS];
};

static void vars_clear(struct vars *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->name[i]);
        json_decref(v->value[i]);
    }
    v->n = 0;
}

static json_t *vars_get(const struct vars *v, const char *name, size_t len)
{
    for (size_t i = 0; i < v->n; i++)
        if (strlen(v->name[i]) == len && memcmp(v->name[i], name, len) == 0) return v->value[i];
    return NULL;
}

/* Binds name (len bytes) to value (a new reference is taken). */
static bool vars_set(struct vars *v, const char *name, size_t len, json_t *value)
{
    if (v->n == MAX_VARS || (v->name[v->n] = strndup(name, len)) == NULL) return false;
    v->value[v->n++] = json_incref(value);
    return true;
}

/* The name of a bound value equal to value, else NULL. */
static const char *vars_find(const struct vars *v, const json_t *value)
{
    for (size_t i = 0; i < v->n; i++)
        if (json_equal(v->value[i], (json_t *)value)) return v->name[i];
    return NULL;
}

/* Keys whose values differ from run to run (random keys and accounts, clocks, signatures):
 * regeneration writes a placeholder for them. Everything else is pinned literally. */
static bool key_varies(const char *key)
{
    static const char *const keys[] = {
        "hash",      "tipHash",      "parent", "blockHash",         "timestamp", "signature",
        "sequencer", "feeRecipient", "txRoot", "transparentDigest", "raw",       "address"};
    if (key == NULL) return false;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0) return true;
    return false;
}

/* "0x" followed only by zeros: a fixed value (genesis parent, empty digests), kept literal. */
static bool is_zero_hex(const json_t *j)
{
    const char *s = json_string_value(j);
    if (s == NULL || strncmp(s, "0x", 2) != 0 || s[2] == '\0') return false;
    for (s += 2; *s; s++)
        if (*s != '0') return false;
    return true;
}

static bool is_placeholder(const char *s, size_t *name_len)
{
    size_t len = s != NULL ? strlen(s) : 0;
    if (len < 4 || strncmp(s, "${", 2) != 0 || s[len - 1] != '}' || strchr(s + 2, '$') != NULL)
        return false;
    *name_len = len - 3;
    return true;
}

/* Regeneration: a copy of the answer with run-dependent values replaced by placeholders. A value
 * equal to a bound one gets its name; a varying key's new value is bound as "<key>.<n>" (n counts
 * the distinct values of that key in the session); a string holding ${tmp} gets it spelled so. */
static json_t *templatize(struct vars *v, json_t *j, const char *key)
{
    const char *name;
    char buf[128];
    if (!json_is_string(j) && !json_is_object(j) && !json_is_array(j)) return json_incref(j);
    if (is_zero_hex(j)) return json_incref(j);
    if ((name = vars_find(v, j)) != NULL) {
        snprintf(buf, sizeof buf, "${%s}", name);
        return json_string(buf);
    }
    if (json_is_object(j)) {
        json_t *o = json_object(), *val;
        const char *k;
        json_object_foreach(j, k, val) json_object_set_new(o, k, templatize(v, val, k));
        return o;
    }
    if (json_is_array(j)) {
        json_t *a = json_array(), *val;
        size_t i;
        json_array_foreach(j, i, val) json_array_append_new(a, templatize(v, val, key));
        return a;
    }
    if (key_varies(key)) {
        int count = 1;
        size_t klen = strlen(key);
        for (size_t i = 0; i < v->n; i++)
            if (strncmp(v->name[i], key, klen) == 0 && v->name[i][klen] == '.') count++;
        snprintf(buf, sizeof buf, "%s.%d", key, count);
        vars_set(v, buf, strlen(buf), j);
        snprintf(buf, sizeof buf, "${%s.%d}", key, count);
        return json_string(buf);
    }
    {
        json_t *tmp = vars_get(v, "tmp", 3);
        const char *s = json_string_value(j), *t = json_string_value(tmp), *at;
        if (t != NULL && (at = strstr(s, t)) != NULL) {
            char *out = NULL;
            if (asprintf(&out, "%.*s${tmp}%s", (int)(at - s), s, at + strlen(t)) < 0)
                return json_incref(j);
            json_t *r = json_string(out);
            free(out);
            return r;
        }
    }
    return json_incref(j);
}

/* A golden string with ${name} parts spelled out (string vars only); malloc'd or NULL. */
static char *expand(const struct vars *v, const char *s)
{
    size_t cap = strlen(s) + 1, len = 0;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    while (*s) {
        const char *e;
        json_t *val;
        if (s[0] == '$' && s[1] == '{' && (e = strchr(s, '}')) != NULL &&
            (val = vars_get(v, s + 2, (size_t)(e - s - 2))) != NULL) {
            const char *str = json_string_value(val);
            char *dumped = str == NULL ? json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
            const char *put = str != NULL ? str : dumped;
            size_t plen = put != NULL ? strlen(put) : 0;
            char *grown = realloc(out, cap += plen);
            if (grown == NULL) {
                free(dumped);
                free(out);
                return NULL;
            }
            out = grown;
            memcpy(out + len, put, plen);
            len += plen;
            free(dumped);
            s = e + 1;
            continue;
        }
        out[len++] = *s++;
    }
    out[len] = '\0';
    return out;
}

/* Does actual match the golden value? Placeholders bind on first sight; where names the spot. */
static bool match(struct vars *v, const json_t *golden, json_t *actual, char *where, size_t wsize)
{
    size_t nlen;
    const char *gs = json_string_value(golden);
    if (gs != NULL && is_placeholder(gs, &nlen)) {
        json_t *bound = vars_get(v, gs + 2, nlen);
        if (bound == NULL) return vars_set(v, gs + 2, nlen, actual);
        if (json_equal(bound, actual)) return true;
        snprintf(where, wsize, "%s is not the value bound earlier", gs);
        return false;
    }
    if (gs != NULL && strstr(gs, "${") != NULL) {
        char *want = expand(v, gs);
        bool ok =
            want != NULL && json_is_string(actual) && strcmp(want, json_string_value(actual)) == 0;
        if (!ok) snprintf(where, wsize, "\"%s\" differs", gs);
        free(want);
        return ok;
    }
    if (json_is_object(golden)) {
        const char *k;
        json_t *g;
        if (!json_is_object(actual) || json_object_size(actual) != json_object_size(golden)) {
            snprintf(where, wsize, "object keys differ");
            return false;
        }
        json_object_foreach((json_t *)golden, k, g)
        {
            json_t *a = json_object_get(actual, k);
            if (a == NULL) {
                snprintf(where, wsize, "key \"%s\" missing", k);
                return false;
            }
            if (!match(v, g, a, where, wsize)) {
                size_t l = strlen(where);
                if (l + strlen(k) + 8 < wsize) snprintf(where + l, wsize - l, " (in \"%s\")", k);
                return false;
            }
        }
        return true;
    }
    if (json_is_array(golden)) {
        json_t *g;
        size_t i;
        if (!json_is_array(actual) || json_array_size(actual) != json_array_size(golden)) {
            snprintf(where, wsize, "array lengths differ");
            return false;
        }
        json_array_foreach((json_t *)golden, i, g) if (!match(v, g, json_array_get(actual, i),
                                                              where, wsize)) return false;
        return true;
    }
    if (!json_equal((json_t *)golden, actual)) {
        char *g = json_dumps(golden, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(where, wsize, "%s differs", g != NULL ? g : "a value");
        free(g);
        return false;
    }
    return true;
}

/* --------------------------------------------------------------------- HTTP ---- */

/* POSTs body to 127.0.0.1:port (Basic auth when auth is not NULL) and reads until the server
 * closes. Returns the answer's body (malloc'd; "" for none) and *status, or NULL. */
static char *http_post(uint16_t port, const char *auth, const char *body, int *status)
{
    struct sockaddr_in a;
    char head[1024], b64[512] = "";
    size_t cap = 1 << 16, len = 0;
    char *resp = malloc(cap), *p;
    int fd = socket(AF_INET, SOCK_STREAM, 0), hl;
    struct timeval tv = {30, 0};

    if (resp == NULL || fd < 0) goto fail;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) goto fail;
    if (auth != NULL)
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)auth, strlen(auth),
                          sodium_base64_VARIANT_ORIGINAL);
    hl = snprintf(head, sizeof head,
                  "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  "Content-Length: %zu\r\nConnection: close\r\n%s%s%s\r\n",
                  strlen(body), auth != NULL ? "Authorization: Basic " : "",
                  auth != NULL ? b64 : "", auth != NULL ? "\r\n" : "");
    if (write(fd, head, (size_t)hl) != hl || write(fd, body, strlen(body)) != (ssize_t)strlen(body))
        goto fail;
    for (;;) {
        ssize_t r;
        if (len + 1 == cap) {
            char *g = realloc(resp, cap *= 2);
            if (g == NULL) goto fail;
            resp = g;
        }
        if ((r = read(fd, resp + len, cap - len - 1)) < 0) goto fail;
        if (r == 0) break;
        len += (size_t)r;
    }
    resp[len] = '\0';
    close(fd);
    if (sscanf(resp, "HTTP/1.1 %d", status) != 1 || (p = strstr(resp, "\r\n\r\n")) == NULL) {
        free(resp);
        return NULL;
    }
    memmove(resp, p + 4, strlen(p + 4) + 1);
    return resp;
fail:
    if (fd >= 0) close(fd);
    free(resp);
    return NULL;
}

/* ------------------------------------------------------------------ session ---- */

struct session {
    struct tnode node;
    bool plain; /* not a devnet */
    char cookie[256];
    struct vars v;
};

static bool read_text_file(const char *path, char *out, size_t size)
{
    char *t = tacit_test_read_file(path, NULL);
    if (t == NULL) return false;
    t[strcspn(t, "\r\n")] = '\0';
    snprintf(out, size, "%s", t);
    free(t);
    return true;
}

/* Starts the session's node in g_dir/<name> and binds the values known before any call. */
static bool session_start(struct session *s, const char *name)
{
    char dir[600], path[700], keys[600], bin[600], bind[64], logp[700], tmp[700];
    const char *argv[32];
    size_t k = 0;
    pid_t pid;

    snprintf(dir, sizeof dir, "%s/%s", g_dir, name);
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", g_dir, name);
    if (mkdir(dir, 0700) != 0 || mkdir(tmp, 0700) != 0) return false;
    tnode_init(&s->node, dir);
    snprintf(keys, sizeof keys, "%s/keys", g_dir);
    if (!s->plain) { /* the devnet reuses keys/ instead of running its own setup */
        char from[700], to[700];
        snprintf(to, sizeof to, "%s/keys", dir);
        if (mkdir(to, 0700) != 0) return false;
        for (int i = 0; i < 2; i++) {
            const char *f = i == 0 ? "transfer.zkey" : "verification_key.json";
            snprintf(from, sizeof from, "%s/%s", keys, f);
            snprintf(to, sizeof to, "%s/keys/%s", dir, f);
            if (!tnode_copy_file(from, to)) return false;
        }
    }
    s->node.port = tnode_free_port();
    snprintf(bin, sizeof bin, "%s/tacitd", tnode_bin_dir());
    snprintf(bind, sizeof bind, "127.0.0.1:%u", (unsigned)s->node.port);
    snprintf(logp, sizeof logp, "%s/tacitd.log", dir);
    snprintf(path, sizeof path, "%s/verification_key.json", keys);
    argv[k++] = bin;
    argv[k++] = "--datadir";
    argv[k++] = dir;
    if (s->plain) {
        argv[k++] = "--chain-id";
        argv[k++] = "5";
        argv[k++] = "--vk-file";
        argv[k++] = path;
    } else {
        argv[k++] = "--devnet";
    }
    argv[k++] = "--rpc-bind";
    argv[k++] = bind;
    argv[k++] = "--rpc-socket";
    argv[k++] = s->node.socket_path;
    argv[k++] = "--block-interval-ms";
    argv[k++] = "50";
    /* blocks only when asked (the devnet's default is a block every interval: heights in the
     * transcripts would depend on the clock) */
    argv[k++] = "--block-cadence";
    argv[k++] = "demand";
    argv[k] = NULL;
    if ((pid = tnode_exec_logged(argv, logp)) < 0) return false;
    s->node.pid = pid;
    snprintf(s->node.url, sizeof s->node.url, "http://127.0.0.1:%u", (unsigned)s->node.port);
    { /* until it answers (a node that is no devnet has no block yet: height null) */
        uint64_t end = tnode_now_ms() + 60000;
        bool up = false;
        while (!up && tnode_now_ms() < end && waitpid(pid, NULL, WNOHANG) == 0) {
            int status = 0;
            char *a =
                http_post(s->node.port, NULL,
                          "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"tacit_chainInfo\"}", &status);
            up = a != NULL && status == 200;
            free(a);
            if (!up) tnode_sleep_ms(50);
        }
        if (!up) {
            fprintf(stderr, "tacitd did not come up: see %s\n", logp);
            return false;
        }
    }
    snprintf(path, sizeof path, "%s/.cookie", dir);
    if (!read_text_file(path, s->cookie, sizeof s->cookie)) return false;

    /* values known before the first call */
    json_t *j = json_string(tmp);
    vars_set(&s->v, "tmp", 3, j);
    json_decref(j);
    snprintf(path, sizeof path, "%s/verification_key.json", keys);
    if ((j = json_load_file(path, 0, NULL)) == NULL) return false;
    vars_set(&s->v, "vk", 2, j);
    json_decref(j);
    if (!s->plain) {
        json_t *accts, *acct;
        size_t i;
        snprintf(path, sizeof path, "%s/devnet-accounts.json", dir);
        if ((j = json_load_file(path, 0, NULL)) == NULL) return false;
        accts = json_object_get(j, "accounts");
        json_array_foreach(accts, i, acct)
        {
            char nm[32];
            snprintf(nm, sizeof nm, "account%zu", i);
            vars_set(&s->v, nm, strlen(nm), json_object_get(acct, "address"));
        }
        json_decref(j);
    }
    /* well-formed transactions, all zero but their version and chain id, refused by the static
     * rules: one for another chain (1), one for the devnet's (0x7461) */
    for (int i = 0; i < 2; i++) {
        struct tacit_tx tx;
        uint8_t bytes[TACIT_TX_BYTES];
        char hex[2 * TACIT_TX_BYTES + 3];
        const char *nm = i == 0 ? "tx.otherChain" : "tx.zeros";
        memset(&tx, 0, sizeof tx);
        tx.version = TACIT_TX_VERSION;
        tx.chain_id = i == 0 ? 1 : 0x7461;
        tacit_tx_encode(bytes, &tx);
        tacit_hex_encode(hex, bytes, sizeof bytes);
        j = json_string(hex);
        vars_set(&s->v, nm, strlen(nm), j);
        json_decref(j);
    }
    return true;
}

/* One file: replays it; with regen, writes it back with the new answers. */
static void replay(const char *dirpath, const char *fname, bool regen)
{
    char path[1024], *text, *save = NULL, *line;
    struct session s;
    FILE *out = NULL;
    char *out_buf = NULL;
    size_t out_len = 0;
    int lineno = 0;
    bool last_was_request = false;

    memset(&s, 0, sizeof s);
    snprintf(path, sizeof path, "%s/%s", dirpath, fname);
    text = tacit_test_read_file(path, NULL);
    REQUIRE(text != NULL, "golden file readable");
    s.plain =
        strstr(text, "\n# node: plain\n") != NULL || strncmp(text, "# node: plain\n", 14) == 0;
    if (!session_start(&s, fname)) {
        tacit__test_fail(__FILE__, __LINE__, "%s: the node did not start", fname);
        tnode_stop(&s.node, SIGKILL, 10000);
        vars_clear(&s.v);
        free(text);
        return;
    }
    if (regen && (out = open_memstream(&out_buf, &out_len)) == NULL) regen = false;

    /* strtok_r would skip empty lines; keep them */
    for (line = text; line != NULL && *line != '\0'; line = save) {
        char *nl = strchr(line, '\n');
        save = nl != NULL ? nl + 1 : NULL;
        if (nl != NULL) *nl = '\0';
        lineno++;
        bool req = strncmp(line, "--> ", 4) == 0, admin = strncmp(line, "==> ", 4) == 0;
        if (strncmp(line, "<-- ", 4) == 0 || strcmp(line, "<--") == 0) {
            if (!last_was_request)
                tacit__test_fail(__FILE__, __LINE__, "%s:%d: an answer without its request", fname,
                                 lineno);
            last_was_request = false;
            continue; /* consumed with its request below */
        }
        if (last_was_request && !regen)
            tacit__test_fail(__FILE__, __LINE__,
                             "%s:%d: no golden answer for the request above "
                             "(TACIT_REGEN=1 writes it)",
                             fname, lineno - 1);
        last_was_request = false;
        if (out != NULL) fprintf(out, "%s\n", line);
        if (!req && !admin) continue;

        /* the request */
        char *body = expand(&s.v, line + 4), *answer = NULL;
        int status = 0;
        const char *golden = NULL;
        json_t *actual = NULL;
        if (save != NULL && strncmp(save, "<--", 3) == 0)
            golden = save[3] == ' ' ? save + 4 : save + 3;
        last_was_request = true;
        if (body != NULL && strstr(body, "${") != NULL) {
            tacit__test_fail(__FILE__, __LINE__, "%s:%d: a placeholder not bound yet: %s", fname,
                             lineno, body);
            free(body);
            continue;
        }
        if (body == NULL ||
            (answer = http_post(s.node.port, admin ? s.cookie : NULL, body, &status)) == NULL) {
            tacit__test_fail(__FILE__, __LINE__, "%s:%d: no answer from the node", fname, lineno);
            free(body);
            continue;
        }
        if (answer[0] != '\0') actual = json_loads(answer, JSON_DECODE_ANY, NULL);
        if (answer[0] != '\0' && actual == NULL)
            tacit__test_fail(__FILE__, __LINE__, "%s:%d: the answer is not JSON: %s", fname, lineno,
                             answer);
        if (out != NULL) {
            if (actual == NULL) {
                fprintf(out, "<--\n");
            } else {
                json_t *t = templatize(&s.v, actual, NULL);
                char *d = json_dumps(t, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
                fprintf(out, "<-- %s\n", d != NULL ? d : "");
                free(d);
                json_decref(t);
            }
        } else if (golden != NULL) {
            size_t glen = strcspn(golden, "\n");
            char *gtext = strndup(golden, glen), where[512] = "";
            json_t *g = glen > 0 ? json_loads(gtext, JSON_DECODE_ANY, NULL) : NULL;
            if (glen > 0 && g == NULL) {
                tacit__test_fail(__FILE__, __LINE__, "%s:%d: the golden answer is not JSON", fname,
                                 lineno + 1);
            } else if ((g == NULL) != (actual == NULL) ||
                       (g != NULL && !match(&s.v, g, actual, where, sizeof where))) {
                tacit__test_fail(__FILE__, __LINE__, "%s:%d: %s\n  want %s\n  got  %s", fname,
                                 lineno + 1, where[0] ? where : "the answer differs", gtext,
                                 answer);
            }
            json_decref(g);
            free(gtext);
        }
        json_decref(actual);
        free(answer);
        free(body);
    }
    if (last_was_request && !regen)
        tacit__test_fail(__FILE__, __LINE__,
                         "%s: no golden answer for the last request (TACIT_REGEN=1 writes it)",
                         fname);
    {
        int st = tnode_stop(&s.node, SIGTERM, 60000);
        CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    if (out != NULL) {
        FILE *f;
        fclose(out);
        if ((f = fopen(path, "w")) == NULL || fwrite(out_buf, 1, out_len, f) != out_len ||
            fclose(f) != 0)
            tacit__test_fail(__FILE__, __LINE__, "cannot write %s", path);
        else
            printf("# rewrote %s\n", path);
        free(out_buf);
    }
    vars_clear(&s.v);
    free(text);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(golden)
{
    char dirpath[1024];
    const char *only = getenv("TACIT_RPC_GOLDEN"), *r = getenv("TACIT_REGEN");
    bool regen = r != NULL && strcmp(r, "1") == 0;
    char *names[128];
    size_t count = 0;
    DIR *d;
    struct dirent *e;

    snprintf(dirpath, sizeof dirpath, "%s/rpc", tacit_test_vectors_dir());
    REQUIRE((d = opendir(dirpath)) != NULL, "tests/vectors/rpc/ readable");
    while ((e = readdir(d)) != NULL && count < 128) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".txt") != 0) continue;
        if (only != NULL && strcmp(only, e->d_name) != 0) continue;
        names[count++] = strdup(e->d_name);
    }
    closedir(d);
    REQUIRE(count > 0, "golden files in tests/vectors/rpc/");
    qsort(names, count, sizeof names[0], name_cmp);
    if (mkdtemp(g_dir) == NULL) {
        CHECK(!"mkdtemp");
    } else {
        atexit(dir_remove);
        if (!keys_ready()) {
            tacit__test_fail(__FILE__, __LINE__,
                             "tacit-cli setup --depth 2 failed: see %s/setup.log", g_dir);
        } else {
            for (size_t i = 0; i < count; i++) replay(dirpath, names[i], regen);
        }
    }
    for (size_t i = 0; i < count; i++) free(names[i]);
}

static const struct tacit_test tests[] = {
    {"golden", golden},
};

TACIT_TEST_MAIN(tests)
