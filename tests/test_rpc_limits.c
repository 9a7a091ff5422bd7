/*
 * tacit — the RPC server's resource bounds through a real tacitd (issue 10, findings 2 and 3):
 * tacit_waitForBlock long-polls capped per connection and in total, cancelled when their client
 * leaves, the operator served over the Unix socket while TCP clients flood the node; block
 * ranges bounded per call and per batch. tests/test_rpc.c tests the same bounds on the server
 * alone, with stand-in methods.
 *
 * Each test starts its own tacitd on loopback (not a devnet: small depth-2 keys from
 * `tacit-cli setup --depth 2`, made once, and empty blocks every 20 ms) and stops it by its
 * PID. A node that does not come up fails the test.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "lib/node.h"
#include "lib/rpc_batch.h"
#include "tacit/error.h"
#include "tacit/rpc.h"
#include "tacit/util.h"

static char g_dir[] = "/tmp/tacit-test-rpc-limits-XXXXXX";
static bool g_keys; /* g_dir/keys made */

/* Runs argv to completion (output to g_dir/setup.log); true on exit status 0. */
static bool run_quiet(const char *const *argv)
{
    char logp[600];
    snprintf(logp, sizeof logp, "%s/setup.log", g_dir);
    return tnode_run_ok(argv, logp, 300000);
}

/* At exit: the scratch directory goes (the nodes are stopped by then). */
static void dir_remove(void) { tnode_rm_tree(g_dir); }

/* The depth-2 keys, made once per run. */
static bool keys_ready(void)
{
    char cli[600], out[600];
    if (g_keys) return true;
    if (g_dir[strlen(g_dir) - 1] == 'X') {
        if (mkdtemp(g_dir) == NULL) return false;
        atexit(dir_remove);
    }
    snprintf(cli, sizeof cli, "%s/tacit-cli", tnode_bin_dir());
    snprintf(out, sizeof out, "%s/keys", g_dir);
    {
        const char *argv[] = {cli, "setup", "--depth", "2", "--out", out, NULL};
        g_keys = run_quiet(argv);
    }
    return g_keys;
}

/* Starts tacitd in g_dir/<name> with extra flags (NULL-terminated, may be NULL) and waits until
 * it answers. False (and a failed check) if it does not. */
static bool node_up(struct tnode *n, const char *name, const char *const *extra)
{
    char dir[600], bin[600], vk[600], bind[64], logp[700];
    const char *argv[40];
    size_t k = 0;
    pid_t pid;

    if (!keys_ready()) {
        fprintf(stderr, "tacit-cli setup --depth 2 failed: see %s/setup.log\n", g_dir);
        CHECK(!"keys");
        return false;
    }
    snprintf(dir, sizeof dir, "%s/%s", g_dir, name);
    if (mkdir(dir, 0700) != 0) {
        CHECK(!"mkdir");
        return false;
    }
    tnode_init(n, dir);
    n->port = tnode_free_port();
    snprintf(bin, sizeof bin, "%s/tacitd", tnode_bin_dir());
    snprintf(vk, sizeof vk, "%s/keys/verification_key.json", g_dir);
    snprintf(bind, sizeof bind, "127.0.0.1:%u", (unsigned)n->port);
    snprintf(logp, sizeof logp, "%s/tacitd.log", dir);
    argv[k++] = bin;
    argv[k++] = "--datadir";
    argv[k++] = dir;
    argv[k++] = "--chain-id";
    argv[k++] = "5";
    argv[k++] = "--vk-file";
    argv[k++] = vk;
    argv[k++] = "--rpc-bind";
    argv[k++] = bind;
    argv[k++] = "--rpc-socket";
    argv[k++] = n->socket_path;
    argv[k++] = "--block-interval-ms";
    argv[k++] = "20";
    argv[k++] = "--empty-blocks";
    for (size_t i = 0; extra != NULL && extra[i] != NULL && k < 39; i++) argv[k++] = extra[i];
    argv[k] = NULL;
    if ((pid = tnode_exec_logged(argv, logp)) < 0) {
        CHECK(!"fork");
        return false;
    }
    n->pid = pid;
    snprintf(n->url, sizeof n->url, "http://127.0.0.1:%u", (unsigned)n->port);
    if (!tnode_wait_ready(n, 60000)) {
        fprintf(stderr, "tacitd did not come up: see %s\n", logp);
        CHECK(!"tacitd up");
        tnode_stop(n, SIGKILL, 10000);
        return false;
    }
    return true;
}

/* A clean stop (exit status 0), whatever is still parked or queued. */
static void node_down(struct tnode *n)
{
    int st = tnode_stop(n, SIGTERM, 60000);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* One call over url; returns the result (new reference) or NULL, *code the error code (0). */
static json_t *call(const char *url, const char *method, json_t *params, int *code)
{
    struct tacit_rpc_client *c;
    json_t *res = NULL, *err = NULL;

    *code = 0;
    CHECK_EQ_INT(tacit_rpc_client_new(&c, url, NULL, 30000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_call(c, method, params, &res, &err), TACIT_OK);
    if (err != NULL) *code = (int)json_integer_value(json_object_get(err, "code"));
    json_decref(err);
    tacit_rpc_client_free(c);
    return res;
}

/* POSTs body to url, returns the answer parsed (and its size in *len). */
static json_t *post(const char *url, const char *body, size_t *len)
{
    struct tacit_rpc_client *c;
    char *reply = NULL;
    int status = 0;
    json_t *j;

    CHECK_EQ_INT(tacit_rpc_client_new(&c, url, NULL, 60000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_post(c, "/", body, strlen(body), &status, &reply, len), TACIT_OK);
    CHECK_EQ_INT(status, 200);
    j = reply ? json_loadb(reply, *len, 0, NULL) : NULL;
    free(reply);
    tacit_rpc_client_free(c);
    return j;
}

/* A /metrics series (asked over the Unix socket), -1 when absent. */
static long long metric(const struct tnode *n, const char *name)
{
    struct tacit_rpc_client *c;
    char *text = NULL, want[128];
    const char *at;
    size_t len;
    int status;
    long long v = -1;

    snprintf(want, sizeof want, "\n%s ", name);
    CHECK_EQ_INT(tacit_rpc_client_new(&c, n->unix_url, NULL, 10000), TACIT_OK);
    if (tacit_rpc_client_get(c, "/metrics", &status, &text, &len) == TACIT_OK && text != NULL &&
        (at = strstr(text, want)) != NULL)
        v = strtoll(at + strlen(want), NULL, 10);
    free(text);
    tacit_rpc_client_free(c);
    return v;
}

static bool metric_becomes(const struct tnode *n, const char *name, long long want)
{
    uint64_t end = tnode_now_ms() + 10000;
    while (metric(n, name) != want) {
        if (tnode_now_ms() >= end) {
            fprintf(stderr, "%s: %lld, want %lld\n", name, metric(n, name), want);
            return false;
        }
        tnode_sleep_ms(20);
    }
    return true;
}

/* Sends a POST / on a new TCP connection and reads nothing: a client that waits. */
static int send_and_wait(const struct tnode *n, const char *body)
{
    struct sockaddr_in sin;
    char head[128];
    int fd = socket(AF_INET, SOCK_STREAM, 0), k;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(n->port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    k = snprintf(head, sizeof head, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
                 strlen(body));
    CHECK_EQ_INT(send(fd, head, (size_t)k, MSG_NOSIGNAL), k);
    CHECK_EQ_INT(send(fd, body, strlen(body), MSG_NOSIGNAL), (long long)strlen(body));
    return fd;
}

/* An answer is the error code naming the limit (data.limit) it hit. */
static bool is_error(const json_t *answer, int code, const char *limit)
{
    const json_t *err = json_object_get(answer, "error");
    const char *l = json_string_value(json_object_get(json_object_get(err, "data"), "limit"));
    return json_integer_value(json_object_get(err, "code")) == code && l != NULL &&
           strcmp(l, limit) == 0;
}

static uint64_t tip_height(const struct tnode *n)
{
    int code;
    uint64_t h = 0;
    json_t *r = call(n->url, "tacit_chainInfo", NULL, &code);
    CHECK(tacit_parse_hex_u64(&h, json_string_value(json_object_get(r, "height"))) == TACIT_OK);
    json_decref(r);
    return h;
}

/*
 * The audit's attack (finding 2): five connections each send a batch of 1,000 long-polls and
 * keep waiting. With the default caps 16 of each wait, the rest are refused at once with
 * -32006; nothing takes max_pending, so the operator (admin over the Unix socket) and other
 * TCP clients are served; when the five leave, their waiters are gone.
 */
TEST(node_longpoll_flood)
{
    struct tnode n;
    char *flood = trpc_batch(1000, "tacit_waitForBlock", "[\"0xffffffff\",60000]"), *some;
    int fds[5], code;
    json_t *r, *e;
    size_t len, i, nulls = 0, refused = 0;
    char h[19];

    if (!node_up(&n, "flood", NULL)) goto out;
    /* a long-poll still answers when its block comes */
    tacit_hex_u64(h, tip_height(&n) + 3);
    r = call(n.url, "tacit_waitForBlock", json_pack("[s,i]", h, 20000), &code);
    CHECK(strcmp(json_string_value(json_object_get(r, "height")), h) == 0);
    json_decref(r);

    for (i = 0; i < 5; i++) fds[i] = send_and_wait(&n, flood);
    CHECK(metric_becomes(&n, "tacit_rpc_longpolls", 5 * 16));
    CHECK(metric_becomes(&n, "tacit_rpc_longpolls_refused_total", 5 * (1000 - 16)));
    CHECK_EQ_INT(metric(&n, "tacit_rpc_calls_pending"), 0);
    /* the operator over the Unix socket, and anyone over TCP */
    r = call(n.unix_url, "admin_pause", NULL, &code);
    CHECK(json_is_true(r));
    CHECK_EQ_INT(code, 0);
    json_decref(r);
    r = call(n.unix_url, "admin_resume", NULL, &code);
    CHECK(json_is_true(r));
    json_decref(r);
    r = call(n.url, "tacit_chainInfo", NULL, &code);
    CHECK(json_is_object(r));
    json_decref(r);
    /* a client that reads: 16 wait (and time out with null), the rest are refused by name */
    some = trpc_batch(20, "tacit_waitForBlock", "[\"0xffffffff\",300]");
    r = post(n.url, some, &len);
    free(some);
    CHECK_EQ_INT(json_array_size(r), 20);
    json_array_foreach(r, i, e)
    {
        if (json_is_null(json_object_get(e, "result")))
            nulls++;
        else if (is_error(e, TACIT_RPC_LONGPOLL_LIMIT, "max_longpolls_per_conn"))
            refused++;
    }
    CHECK_EQ_INT(nulls, 16);
    CHECK_EQ_INT(refused, 4);
    json_decref(r);
    /* the five leave: their 80 waiters are cancelled (freed, nothing written) */
    for (i = 0; i < 5; i++) close(fds[i]);
    CHECK(metric_becomes(&n, "tacit_rpc_longpolls", 0));
    CHECK_EQ_INT(metric(&n, "tacit_rpc_longpolls_cancelled_total"), 80);
    CHECK_EQ_INT(metric(&n, "tacit_rpc_calls_pending"), 0);
    /* and a stop with long-polls parked is clean */
    fds[0] = send_and_wait(&n, flood);
    CHECK(metric_becomes(&n, "tacit_rpc_longpolls", 16));
    node_down(&n);
    close(fds[0]);
out:
    free(flood);
}

/* Finding 3: a block range stops at the blocks that fit in max_response; in a batch, the ranges
 * that would take the answer past max_batch_response are -32007. */
TEST(node_answer_bounds)
{
    /* one tx per block, so that an answer bound this small still holds the largest block */
    static const char *const flags[] = {
        "--max-block-txs", "1", "--rpc-max-response", "8192", "--rpc-max-batch-response",
        "32768",           NULL};
    struct tnode n;
    json_t *r, *e;
    char *body;
    size_t len, i, ranges = 0, refused = 0;
    int code;

    if (!node_up(&n, "bounds", flags)) return;
    while (tip_height(&n) < 150) tnode_sleep_ms(100); /* ~130 bytes per empty block */
    r = call(n.url, "tacit_getBlockRange", json_pack("[s,s]", "0x0", "0x3e7"), &code);
    CHECK_EQ_INT(code, 0);
    CHECK(json_array_size(r) > 10 && json_array_size(r) < 150);
    json_array_foreach(r, i, e)
    {
        uint64_t h;
        CHECK(tacit_parse_hex_u64(&h, json_string_value(json_object_get(e, "height"))) == TACIT_OK);
        CHECK_EQ_INT(h, i); /* from the start, none skipped: a wallet goes on from the last */
    }
    {
        char *text = json_dumps(r, JSON_COMPACT);
        CHECK(strlen(text) <= 8192);
        free(text);
    }
    json_decref(r);

    body = trpc_batch(10, "tacit_getBlockRange", "[\"0x0\",\"0x3e7\"]");
    r = post(n.url, body, &len);
    free(body);
    CHECK_EQ_INT(json_array_size(r), 10);
    json_array_foreach(r, i, e)
    {
        if (json_array_size(json_object_get(e, "result")) > 0)
            ranges++;
        else if (is_error(e, TACIT_RPC_TOO_LARGE, "max_batch_response"))
            refused++;
    }
    CHECK(ranges >= 3 && ranges <= 5);
    CHECK_EQ_INT(ranges + refused, 10);
    CHECK(len <= 32768 + 10 * 400); /* the bound, plus the short -32007 answers */
    json_decref(r);
    CHECK(metric(&n, "tacit_rpc_too_large_total") == (long long)refused);
    node_down(&n);
}

static const struct tacit_test tests[] = {
    {"node_longpoll_flood", node_longpoll_flood},
    {"node_answer_bounds", node_answer_bounds},
};
TACIT_TEST_MAIN(tests)
