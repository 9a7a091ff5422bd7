/*
 * tacit — the node end to end: a real tacitd (--devnet, $TACIT_BIN/tacitd) on loopback, driven
 * over HTTP and over its Unix socket as a wallet and an operator would.
 *
 *  - a deposit from devnet account 0, a shielded transfer spending one of its notes (path from
 *    tacit_getCommitments + include/tacit/tree.h), a withdrawal to a fresh address: each
 *    included, balances, nonces and the pool account exact;
 *  - every admission rule a wallet can break, each with its own error and the chain unchanged
 *    (note root, commitment count, the accounts involved): double spend, nullifier pending
 *    in the mempool, replayed deposit nonce, bad deposit signature, fee too low, wrong chain,
 *    trailing byte, tampered proof, unknown anchor, inconsistent public amount;
 *  - JSON-RPC and HTTP abuse: oversized body, huge batch, deep nesting, bad UTF-8, duplicate
 *    keys, a float amount, unknown method, admin calls without or with wrong credentials, a
 *    client sending one byte per second; the node keeps serving;
 *  - a SIGTERM restart keeps every block, the paused flag and every tx status; a SIGKILL while
 *    blocks are being made loses no block the test saw committed; a second tacitd on the same
 *    data directory refuses to start and names the lock.
 *
 * The tests run in order on one node and one data directory (under TMPDIR or /var/tmp; removed
 * at the end unless TACIT_KEEP_DATADIR is set; tacitd's output is in its tacitd.log); a test whose
 * predecessor could not set the node up FAILS, saying what it missed (REQUIRE), never passes. Four proofs in all (a few seconds each under ASan); the devnet set-up (about a
 * minute under ASan) runs once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "lib/badproof.h"
#include "lib/node.h"
#include "lib/note.h"
#include "rpc/rpc_internal.h"
#include "tacit/chain.h"
#include "tacit/error.h"
#include "tacit/prover.h"
#include "tacit/rpc.h"
#include "tacit/tree.h"
#include "tacit/txbuild.h"
#include "tacit/util.h"

#define NACCOUNTS 10
#define GENESIS_BALANCE UINT64_C(1000000000000)
#define DEPOSIT UINT64_C(1000000)
#define FEE UINT64_C(10)
#define WITHDRAW UINT64_C(200000)

/* ---------------------------------------------------------------- globals ---- */

static struct tnode g_node;
static char g_dir[512], g_config[600];
static bool g_up; /* node_start succeeded */
static struct tacit_rpc_client *g_http, *g_unix, *g_admin;
static char g_cookie[256];
static tacit_groth16_pk *g_pk;
static uint64_t g_chain_id;
static uint8_t g_rollup_id[TACIT_ROLLUP_ID_LEN];
static uint8_t g_sk[NACCOUNTS][32], g_addr[NACCOUNTS][TACIT_ADDRESS_LEN];

/* Txs seen included, for the restart test. */
struct included {
    char id[67];
    uint64_t height;
    long index;
};
static struct included g_included[16];
static size_t g_nincluded;

/* A note the test owns. */
static struct note g_a, g_b, g_c;  /* deposit outputs A, B; transfer output C */
static struct tacit_tx g_p1, g_p2; /* the deposit and the transfer */
static bool g_deposited, g_transferred;
static tacit_fr g_root_after_deposit; /* for node_stale_anchor */

/* ---------------------------------------------------------------- helpers ---- */

static void hex_encode(char *out, const uint8_t *in, size_t n) { tacit_hex_encode(out, in, n); }

/* "0x" + exactly 2n hex digits. */
static bool hex_decode(uint8_t *out, size_t n, const char *s)
{
    return tacit_hex_decode(out, n, s, true) == TACIT_OK;
}

static void fr_hex(char out[67], const tacit_fr *a)
{
    uint8_t b[32];
    tacit_fr_to_bytes(b, a);
    hex_encode(out, b, 32);
}

static bool fr_from_hex(tacit_fr *a, const char *s)
{
    uint8_t b[32];
    return hex_decode(b, 32, s) && tacit_fr_from_bytes(a, b) == TACIT_OK;
}

/* A quantity "0x..." (no leading zeros). */
static bool qty(uint64_t *v, const json_t *j)
{
    const char *s = json_string_value(j);
    char *end;
    if (s == NULL || strncmp(s, "0x", 2) != 0 || s[2] == '\0' || strlen(s) > 18) return false;
    if (s[2] == '0' && s[3] != '\0') return false;
    errno = 0;
    *v = strtoull(s + 2, &end, 16);
    return errno == 0 && *end == '\0';
}

/* An amount: a decimal string. */
static bool amount(uint64_t *v, const json_t *j)
{
    const char *s = json_string_value(j);
    char *end;
    if (s == NULL || s[0] < '0' || s[0] > '9' || strlen(s) > 20) return false;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

static json_t *qty_json(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    return json_string(b);
}

/* After a transport error: if tacitd has died, say so once with the end of its log, and stop
 * the tests that need it (g_up), so one crash does not bury its cause under later failures. */
static void node_died_check(void)
{
    char path[700], *log;
    size_t len = 0;
    int status;

    if (g_node.pid <= 0 || waitpid(g_node.pid, &status, WNOHANG) != g_node.pid) return;
    g_node.pid = 0;
    g_up = false;
    snprintf(path, sizeof path, "%s/tacitd.log", g_dir);
    log = tacit_test_read_file(path, &len);
    tacit__test_fail(__FILE__, __LINE__, "tacitd died (%s %d); the end of %s:\n%s",
                     WIFSIGNALED(status) ? "signal" : "exit status",
                     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), path,
                     log != NULL ? log + (len > 800 ? len - 800 : 0) : "(none)");
    free(log);
}

/* A call that must succeed: the result (new reference), NULL after a failed check. */
static json_t *rpc(struct tacit_rpc_client *c, const char *method, json_t *params)
{
    json_t *res = NULL, *err = NULL;
    int rc = tacit_rpc_call(c, method, params != NULL ? params : json_array(), &res, &err);

    if (rc != TACIT_OK) node_died_check();
    CHECK_EQ_INT(rc, TACIT_OK);
    if (err != NULL) {
        char *s = json_dumps(err, JSON_COMPACT);
        tacit__test_fail(__FILE__, __LINE__, "%s: error %s", method, s != NULL ? s : "?");
        free(s);
        json_decref(err);
    }
    return res;
}

/* A call that must fail with a JSON-RPC error: its code (0 if it succeeded, -1 on a
 * transport error); ename (may be NULL) gets data.error when there is one. */
static long rpc_error(struct tacit_rpc_client *c, const char *method, json_t *params,
                      char ename[48], char *message, size_t message_len)
{
    json_t *res = NULL, *err = NULL;
    long code;

    if (ename != NULL) ename[0] = '\0';
    if (message != NULL && message_len > 0) message[0] = '\0';
    if (tacit_rpc_call(c, method, params != NULL ? params : json_array(), &res, &err) != TACIT_OK)
        return -1;
    if (res != NULL) {
        json_decref(res);
        return 0;
    }
    code = (long)json_integer_value(json_object_get(err, "code"));
    if (ename != NULL) {
        const char *e = json_string_value(json_object_get(json_object_get(err, "data"), "error"));
        snprintf(ename, 48, "%s", e != NULL ? e : "");
    }
    if (message != NULL) {
        const char *m = json_string_value(json_object_get(err, "message"));
        snprintf(message, message_len, "%s", m != NULL ? m : "");
    }
    json_decref(err);
    return code;
}

static uint64_t chain_height(struct tacit_rpc_client *c)
{
    json_t *ci = rpc(c, "tacit_chainInfo", NULL);
    uint64_t h = 0;
    CHECK(qty(&h, json_object_get(ci, "height")));
    json_decref(ci);
    return h;
}

struct account {
    uint64_t balance, nonce;
};

static struct account get_account(struct tacit_rpc_client *c, const uint8_t addr[TACIT_ADDRESS_LEN])
{
    char hex[2 * TACIT_ADDRESS_LEN + 3];
    struct account a = {0, 0};
    json_t *r;

    hex_encode(hex, addr, TACIT_ADDRESS_LEN);
    r = rpc(c, "tacit_getAccount", json_pack("[s]", hex));
    CHECK(amount(&a.balance, json_object_get(r, "balance")));
    CHECK(qty(&a.nonce, json_object_get(r, "nonce")));
    json_decref(r);
    return a;
}

/* What a refused tx must leave as it was. */
struct snap {
    char root[80];
    uint64_t count;
    struct account acct0, acct1, pool;
    uint64_t mempool;
};

static void snap_take(struct snap *s)
{
    json_t *ci = rpc(g_http, "tacit_chainInfo", NULL), *mp;
    const char *root = json_string_value(json_object_get(ci, "noteRoot"));

    memset(s, 0, sizeof *s);
    snprintf(s->root, sizeof s->root, "%s", root != NULL ? root : "");
    CHECK(qty(&s->count, json_object_get(ci, "commitmentCount")));
    json_decref(ci);
    s->acct0 = get_account(g_http, g_addr[0]);
    s->acct1 = get_account(g_http, g_addr[1]);
    s->pool = get_account(g_http, TACIT_POOL_ADDRESS);
    mp = rpc(g_http, "tacit_mempoolInfo", NULL);
    s->mempool = (uint64_t)json_integer_value(json_object_get(mp, "count"));
    json_decref(mp);
}

static void snap_check_same(const struct snap *before, const char *what)
{
    struct snap now;
    snap_take(&now);
    if (strcmp(now.root, before->root) != 0 || now.count != before->count ||
        now.acct0.balance != before->acct0.balance || now.acct0.nonce != before->acct0.nonce ||
        now.acct1.balance != before->acct1.balance || now.pool.balance != before->pool.balance ||
        now.mempool != before->mempool)
        tacit__test_fail(__FILE__, __LINE__, "%s changed the chain or mempool", what);
}

/* Sends raw tx bytes. Returns 0 when admitted (id_out gets the id), else the error code;
 * ename gets data.error. An admission's answer is checked byte for byte against the response
 * object the server built for it before the id was answered as text (json_dumps of jansson's
 * {"jsonrpc","id","result"}), with a number id and a string id in turn. */
static long send_raw(struct tacit_rpc_client *c, const uint8_t *bytes, size_t len, char id_out[67],
                     char ename[48])
{
    static unsigned sends;
    char *hex = malloc(2 * len + 3), *body = malloc(2 * len + 160), *text = NULL;
    json_t *reply = NULL, *res, *err, *rid;
    size_t tlen = 0;
    int status = 0;
    long code = -1;

    if (id_out != NULL) id_out[0] = '\0';
    ename[0] = '\0';
    if (hex == NULL || body == NULL) goto out;
    hex_encode(hex, bytes, len);
    sends++;
    if (sends % 2)
        snprintf(body, 2 * len + 160,
                 "{\"jsonrpc\":\"2.0\",\"id\":%u,\"method\":\"tacit_sendRawTransaction\","
                 "\"params\":[\"%s\"]}",
                 sends, hex);
    else
        snprintf(body, 2 * len + 160,
                 "{\"jsonrpc\":\"2.0\",\"id\":\"tx \\\"%u\\\"\",\"method\":"
                 "\"tacit_sendRawTransaction\",\"params\":[\"%s\"]}",
                 sends, hex);
    if (tacit_rpc_client_post(c, "/", body, strlen(body), &status, &text, &tlen) != TACIT_OK ||
        status != 200 || (reply = json_loadb(text, tlen, 0, NULL)) == NULL)
        goto out;
    res = json_object_get(reply, "result");
    err = json_object_get(reply, "error");
    rid = json_object_get(reply, "id");
    if (res != NULL) {
        json_t *old = tacit__rpc_result_new(rid, json_incref(res));
        char *want = old != NULL ? json_dumps(old, JSON_COMPACT) : NULL;
        CHECK(json_is_string(res) && json_string_length(res) == 66);
        CHECK(want != NULL && tlen == strlen(want) && memcmp(text, want, tlen) == 0);
        free(want);
        json_decref(old);
        code = 0;
        if (id_out != NULL)
            snprintf(id_out, 67, "%s", json_string_value(res) ? json_string_value(res) : "");
    } else {
        const char *e = json_string_value(json_object_get(json_object_get(err, "data"), "error"));
        code = (long)json_integer_value(json_object_get(err, "code"));
        snprintf(ename, 48, "%s", e != NULL ? e : "");
    }
out:
    json_decref(reply);
    free(text);
    free(body);
    free(hex);
    return code;
}

static long send_tx(struct tacit_rpc_client *c, const struct tacit_tx *tx, char id_out[67],
                    char ename[48])
{
    static uint8_t enc[TACIT_TX_BYTES];
    tacit_tx_encode(enc, tx);
    return send_raw(c, enc, sizeof enc, id_out, ename);
}

/* tacit__block_json_from_bytes (src/node/methods.c): a block's JSON made from its bytes, the
 * way the node made every answer before the recent blocks were answered from text. */
json_t *tacit__block_json_from_bytes(const uint8_t *bytes, size_t len);

/* Block h's answers to tacit_getBlockByNumber and tacit_waitForBlock, byte for byte: json_dumps
 * of the response object {"jsonrpc","id","result"} around the block's JSON made from its
 * bytes (what the server wrote before the recent blocks' text). */
static void check_block_answers(struct tacit_rpc_client *c, uint64_t h)
{
    json_t *rawblk = rpc(c, "tacit_getBlockByNumber", json_pack("[o,b]", qty_json(h), 1));
    const char *hex = json_string_value(json_object_get(rawblk, "raw"));
    static const char *const method[] = {"tacit_getBlockByNumber", "tacit_waitForBlock"};
    uint8_t *bytes = NULL;
    size_t len = 0;

    REQUIRE(hex != NULL && tacit_hex_decode_alloc(&bytes, &len, hex, 1u << 24) == TACIT_OK,
            "block h's raw bytes");
    for (int k = 0; k < 2; k++) {
        char body[200], *text = NULL, *want;
        size_t tlen = 0;
        int status = 0;
        json_t *id = json_integer(40 + k);
        json_t *old = tacit__rpc_result_new(id, tacit__block_json_from_bytes(bytes, len));
        snprintf(body, sizeof body,
                 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\",\"params\":[\"0x%llx\"%s]}",
                 40 + k, method[k], (unsigned long long)h, k ? ",0" : "");
        want = old != NULL ? json_dumps(old, JSON_COMPACT) : NULL;
        CHECK_EQ_INT(tacit_rpc_client_post(c, "/", body, strlen(body), &status, &text, &tlen),
                     TACIT_OK);
        CHECK_EQ_INT(status, 200);
        CHECK(want != NULL && text != NULL && tlen == strlen(want) &&
              memcmp(text, want, tlen) == 0);
        free(want);
        free(text);
        json_decref(old);
        json_decref(id);
    }
    free(bytes);
    json_decref(rawblk);
}

/* A tx the node must admit: its id into id_out. */
static bool admitted(struct tacit_rpc_client *c, const struct tacit_tx *tx, char id_out[67],
                     int line)
{
    char ename[48];
    long code = send_tx(c, tx, id_out, ename);
    if (code != 0) tacit__test_fail(__FILE__, line, "tx refused: code %ld \"%s\"", code, ename);
    return code == 0;
}

/* A tx the node must refuse with `want` and nothing changed. */
static void expect_refused(struct tacit_rpc_client *c, const uint8_t *bytes, size_t len, int want,
                           int line)
{
    struct snap before;
    char ename[48];
    long code;

    snap_take(&before);
    code = send_raw(c, bytes, len, NULL, ename);
    if (code != TACIT_RPC_APP_BASE + want || strcmp(ename, tacit_errname(want)) != 0)
        tacit__test_fail(__FILE__, line, "want %s (%d), got code %ld \"%s\"", tacit_errname(want),
                         TACIT_RPC_APP_BASE + want, code, ename);
    snap_check_same(&before, tacit_errname(want));
}

static void expect_tx_refused(struct tacit_rpc_client *c, const struct tacit_tx *tx, int want,
                              int line)
{
    static uint8_t enc[TACIT_TX_BYTES];
    tacit_tx_encode(enc, tx);
    expect_refused(c, enc, sizeof enc, want, line);
}

/* Polls tacit_getTransaction until the tx is included (true) or timeout_ms passes. Records it. */
static bool wait_included(struct tacit_rpc_client *c, const char *id, uint64_t *height, long *index)
{
    uint64_t end = tnode_now_ms() + 60000;

    while (tnode_now_ms() < end) {
        json_t *r = rpc(c, "tacit_getTransaction", json_pack("[s]", id));
        const char *st = json_string_value(json_object_get(r, "status"));
        if (st != NULL && strcmp(st, "included") == 0) {
            uint64_t h = 0;
            long ix = (long)json_integer_value(json_object_get(r, "index"));
            CHECK(qty(&h, json_object_get(r, "height")));
            CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "id")), id), 0);
            json_decref(r);
            if (height != NULL) *height = h;
            if (index != NULL) *index = ix;
            if (g_nincluded < sizeof g_included / sizeof g_included[0]) {
                snprintf(g_included[g_nincluded].id, 67, "%s", id);
                g_included[g_nincluded].height = h;
                g_included[g_nincluded].index = ix;
                g_nincluded++;
            }
            return true;
        }
        if (st == NULL || strcmp(st, "pending") != 0) {
            char *s = json_dumps(r, JSON_COMPACT);
            tacit__test_fail(__FILE__, __LINE__, "tx %s: %s", id, s != NULL ? s : "null");
            free(s);
            json_decref(r);
            return false;
        }
        json_decref(r);
        tnode_sleep_ms(50);
    }
    tacit__test_fail(__FILE__, __LINE__, "tx %s not included within 60 s", id);
    return false;
}

/* The node's tree, read back: every commitment (tacit_getCommitments), the root (checked
 * against chainInfo's noteRoot), and the path of the leaf equal to cm (its index found). */
struct leaves {
    tacit_fr *v;
    size_t n;
};

static int leaf_get(void *arg, unsigned level, uint64_t index, tacit_fr *out)
{
    const struct leaves *l = arg;
    if (level != 0 || index >= l->n) return TACIT_ENOTFOUND;
    *out = l->v[index];
    return TACIT_OK;
}

static bool node_path(tacit_fr *root, struct tacit_tree_path *path, const tacit_fr *cm)
{
    json_t *ci = rpc(g_http, "tacit_chainInfo", NULL), *list;
    struct tacit_tree_frontier f;
    struct leaves l = {NULL, 0};
    uint64_t count = 0;
    tacit_fr node_root;
    long at = -1;
    bool ok = false;

    CHECK(qty(&count, json_object_get(ci, "commitmentCount")));
    CHECK(fr_from_hex(&node_root, json_string_value(json_object_get(ci, "noteRoot"))));
    json_decref(ci);
    list = rpc(g_http, "tacit_getCommitments", json_pack("[oo]", qty_json(0), qty_json(count)));
    CHECK(json_is_array(list) && json_array_size(list) == count);
    if (!json_is_array(list) || json_array_size(list) != count) goto out;
    if ((l.v = calloc(count + 1, sizeof *l.v)) == NULL) goto out;
    l.n = count;
    for (size_t i = 0; i < count; i++) {
        CHECK(fr_from_hex(&l.v[i], json_string_value(json_array_get(list, i))));
        if (tacit_fr_eq(&l.v[i], cm)) at = (long)i;
    }
    tacit_tree_frontier_init(&f);
    CHECK_EQ_INT(tacit_tree_append(&f, root, l.v, l.n, NULL, NULL, 1), TACIT_OK);
    CHECK(tacit_fr_eq(root, &node_root)); /* the node's root is the tree of its commitments */
    { /* tacit_getTreeNodes at level 4: the complete nodes, each the tree of its 16 leaves */
        json_t *tn = rpc(g_http, "tacit_getTreeNodes",
                         json_pack("[ooo]", qty_json(4), qty_json(0), qty_json(count / 16 + 2)));
        const json_t *nodes = json_object_get(tn, "nodes");
        CHECK(json_integer_value(json_object_get(tn, "level")) == 4);
        CHECK(json_is_array(nodes) && json_array_size(nodes) == count / 16);
        for (size_t k = 0; json_is_array(nodes) && k < json_array_size(nodes) && k < count / 16;
             k++) {
            struct tacit_tree_frontier g;
            tacit_fr got;
            tacit_tree_frontier_init(&g);
            CHECK_EQ_INT(tacit_tree_append(&g, NULL, &l.v[16 * k], 16, NULL, NULL, 0), TACIT_OK);
            CHECK(fr_from_hex(&got, json_string_value(json_array_get(nodes, k))));
            CHECK(tacit_fr_eq(&got, &g.node[4]));
        }
        json_decref(tn);
    }
    CHECK(at >= 0);
    if (at < 0) goto out;
    CHECK_EQ_INT(tacit_tree_path(path, (uint64_t)at, l.n, leaf_get, &l, TACIT_TREE_DEPTH + 1),
                 TACIT_OK);
    ok = tacit_fr_eq(root, &node_root);
out:
    free(l.v);
    json_decref(list);
    return ok;
}

static void tx_hex_id(char out[67], const struct tacit_tx *tx)
{
    uint8_t id[32];
    tacit_tx_id(id, tx);
    hex_encode(out, id, 32);
}

static bool prove(struct tacit_tx *tx, const struct tacit_txbuild *b)
{
    int rc = tacit_txbuild_prove(tx, b, g_pk, 0, NULL);
    CHECK_EQ_INT(rc, TACIT_OK);
    return rc == TACIT_OK;
}

static void build_init(struct tacit_txbuild *b, const tacit_fr *anchor)
{
    memset(b, 0, sizeof *b);
    b->chain_id = g_chain_id;
    memcpy(b->rollup_id, g_rollup_id, TACIT_ROLLUP_ID_LEN);
    b->anchor = *anchor;
}

/* ---------------------------------------------------------- raw HTTP over TCP ---- */

/*
 * Sends len bytes to the node's TCP port while reading its answer (so a server that answers
 * early and closes does not lose the reply), until the reply is complete (Content-Length),
 * the connection closes or timeout_ms passes. Returns the HTTP status (0: none); *body
 * (malloc'd, may be NULL) the reply body.
 */
static int http_exchange(uint16_t port, const char *data, size_t len, unsigned timeout_ms,
                         char **body)
{
    struct sockaddr_in a;
    size_t sent = 0, got = 0, cap = 65536;
    char *buf = malloc(cap + 1);
    uint64_t end = tnode_now_ms() + timeout_ms;
    int fd, status = 0;

    if (body != NULL) *body = NULL;
    if (buf == NULL) return 0;
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
        free(buf);
        return 0;
    }
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) goto out;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    for (;;) {
        struct pollfd p = {fd, POLLIN | (sent < len ? POLLOUT : 0), 0};
        uint64_t now = tnode_now_ms();
        char *hdr_end;
        if (now >= end) break;
        if (poll(&p, 1, (int)(end - now)) <= 0) continue;
        if ((p.revents & POLLOUT) && sent < len) {
            ssize_t w = send(fd, data + sent, len - sent, MSG_NOSIGNAL);
            if (w > 0)
                sent += (size_t)w;
            else if (w < 0 && errno != EAGAIN)
                sent = len; /* peer gone: just read */
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r;
            if (got == cap) {
                char *nb = realloc(buf, 2 * cap + 1);
                if (nb == NULL) break;
                buf = nb;
                cap *= 2;
            }
            r = recv(fd, buf + got, cap - got, 0);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                break; /* closed */
            }
            got += (size_t)r;
            buf[got] = '\0';
            /* complete when the headers and Content-Length bytes of body have arrived */
            if ((hdr_end = strstr(buf, "\r\n\r\n")) != NULL) {
                const char *cl = strcasestr(buf, "\r\ncontent-length:");
                if (cl != NULL && cl < hdr_end) {
                    size_t n = strtoul(cl + 17, NULL, 10);
                    if (got >= (size_t)(hdr_end + 4 - buf) + n) break;
                }
            }
        }
    }
    buf[got] = '\0';
    if (got > 12 && strncmp(buf, "HTTP/1.", 7) == 0) status = atoi(buf + 9);
    if (body != NULL) {
        char *hdr_end = strstr(buf, "\r\n\r\n");
        *body = strdup(hdr_end != NULL ? hdr_end + 4 : "");
    }
out:
    close(fd);
    free(buf);
    return status;
}

/* POSTs a JSON-RPC body; returns the HTTP status and the parsed reply (new ref, may be NULL). */
static int post_json(const char *body, size_t len, json_t **reply)
{
    char head[256], *msg, *rbody = NULL;
    int hl = snprintf(head, sizeof head,
                      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                      len);
    int status;

    *reply = NULL;
    if ((msg = malloc((size_t)hl + len)) == NULL) return 0;
    memcpy(msg, head, (size_t)hl);
    memcpy(msg + hl, body, len);
    status = http_exchange(g_node.port, msg, (size_t)hl + len, 30000, &rbody);
    free(msg);
    if (rbody != NULL) *reply = json_loads(rbody, JSON_DECODE_ANY, NULL);
    free(rbody);
    return status;
}

/* The error code of a reply (of its first element when the server answered with an array). */
static long reply_code(const json_t *reply)
{
    if (json_is_array(reply)) reply = json_array_get(reply, 0);
    return (long)json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

/* ----------------------------------------------------------------- set-up ---- */

static bool read_accounts(void)
{
    char path[700];
    json_t *j, *accts;
    json_error_t e;
    bool ok = true;

    snprintf(path, sizeof path, "%s/devnet-accounts.json", g_dir);
    if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &e)) == NULL) {
        tacit__test_fail(__FILE__, __LINE__, "%s: %s", path, e.text);
        return false;
    }
    CHECK(qty(&g_chain_id, json_object_get(j, "chainId")));
    CHECK_EQ_INT(g_chain_id, 0x7461);
    /* the rollup id from chainInfo; the file must agree (DESIGN 5: wallets read it there) */
    {
        json_t *ci = rpc(g_http, "tacit_chainInfo", NULL);
        uint8_t file_rid[TACIT_ROLLUP_ID_LEN];
        ok = hex_decode(g_rollup_id, TACIT_ROLLUP_ID_LEN,
                        json_string_value(json_object_get(ci, "rollupId")));
        CHECK(ok);
        json_decref(ci);
        CHECK(hex_decode(file_rid, TACIT_ROLLUP_ID_LEN,
                         json_string_value(json_object_get(j, "rollupId"))));
        CHECK_MEM(file_rid, g_rollup_id, TACIT_ROLLUP_ID_LEN);
    }
    accts = json_object_get(j, "accounts");
    CHECK(json_is_array(accts) && json_array_size(accts) == NACCOUNTS);
    for (size_t i = 0; i < NACCOUNTS && i < json_array_size(accts); i++) {
        json_t *a = json_array_get(accts, i);
        uint8_t derived[TACIT_ADDRESS_LEN];
        ok = ok && hex_decode(g_sk[i], 32, json_string_value(json_object_get(a, "privateKey"))) &&
             hex_decode(g_addr[i], TACIT_ADDRESS_LEN,
                        json_string_value(json_object_get(a, "address")));
        CHECK(ok);
        CHECK_EQ_INT(tacit_address_from_seckey(derived, g_sk[i]), TACIT_OK);
        CHECK_MEM(derived, g_addr[i], TACIT_ADDRESS_LEN);
    }
    ok = ok && json_array_size(accts) == NACCOUNTS;
    json_decref(j);
    return ok;
}

static bool read_cookie(void)
{
    char path[700];
    char *c;
    size_t len;
    struct stat st;

    snprintf(path, sizeof path, "%s/.cookie", g_dir);
    if ((c = tacit_test_read_file(path, &len)) == NULL) {
        tacit__test_fail(__FILE__, __LINE__, "cannot read %s", path);
        return false;
    }
    while (len > 0 && (c[len - 1] == '\n' || c[len - 1] == '\r')) c[--len] = '\0';
    snprintf(g_cookie, sizeof g_cookie, "%s", c);
    sodium_memzero(c, len);
    free(c);
    CHECK_EQ_INT(strncmp(g_cookie, "__cookie__:", 11), 0);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 077) == 0); /* mode 0600 */
    return strncmp(g_cookie, "__cookie__:", 11) == 0;
}

static bool clients_new(void)
{
    tacit_rpc_client_free(g_http);
    tacit_rpc_client_free(g_unix);
    tacit_rpc_client_free(g_admin);
    g_http = g_unix = g_admin = NULL;
    CHECK_EQ_INT(tacit_rpc_client_new(&g_http, g_node.url, NULL, 60000), TACIT_OK);
    CHECK_EQ_INT(tacit_rpc_client_new(&g_unix, g_node.unix_url, NULL, 60000), TACIT_OK);
    if (!read_cookie()) return false;
    CHECK_EQ_INT(tacit_rpc_client_new(&g_admin, g_node.url, g_cookie, 60000), TACIT_OK);
    return g_http != NULL && g_unix != NULL && g_admin != NULL;
}

/* When only some tests are named (./test_node node_start), node_cleanup does not run: this
 * exit hook stops the tacitd so none is left behind. */
static void node_reap(void)
{
    if (g_node.pid > 0) tnode_stop(&g_node, SIGKILL, 10000);
}

/* The node's config file. demand: blocks only with work until node_block_cadence (the
 * devnet's default is a fixed cadence: its empty blocks would expire node_stale_anchor's
 * anchor on a clock of their own). */
static bool write_config(bool demand)
{
    FILE *f = fopen(g_config, "w");
    if (f == NULL) return false;
    /* a short header deadline, for node_slow_client */
    fprintf(f, "rpc_header_timeout_ms = 1000\n");
    /* anchors expire after 4 root changes, for node_stale_anchor (tacitd's default is 256) */
    fprintf(f, "root_history = 4\n");
    if (demand) fprintf(f, "block_cadence = demand\n");
    return fclose(f) == 0;
}

TEST(node_start)
{
    const char *tmp = getenv("TMPDIR");
    char path[700];
    json_t *ci;

    signal(SIGPIPE, SIG_IGN);
    atexit(node_reap);
    snprintf(g_dir, sizeof g_dir, "%s/tacit-node-XXXXXX", tmp != NULL && tmp[0] ? tmp : "/var/tmp");
    if (mkdtemp(g_dir) == NULL) {
        CHECK(!"mkdtemp");
        return;
    }
    printf("datadir %s\n", g_dir);
    snprintf(g_config, sizeof g_config, "%s/tacitd.conf", g_dir);
    if (!write_config(true)) {
        CHECK(!"config");
        return;
    }

    CHECK(tnode_seed_keys(g_dir));
    tnode_init(&g_node, g_dir);
    CHECK(tnode_start(&g_node, g_config));
    if (!tnode_wait_ready(&g_node, 300000)) {
        tacit__test_fail(__FILE__, __LINE__, "tacitd not ready within 300 s (see %s/tacitd.log)",
                         g_dir);
        tnode_stop(&g_node, SIGKILL, 5000);
        return;
    }
    if (!clients_new() || !read_accounts()) {
        tacit__test_fail(__FILE__, __LINE__, "no clients or no devnet accounts");
        return;
    }
    snprintf(path, sizeof path, "%s/keys/transfer.zkey", g_dir);
    CHECK_EQ_INT(tacit_groth16_pk_read_file(&g_pk, path), TACIT_OK);
    if (g_pk == NULL) return;

    /* the devnet as specified, over both transports */
    for (int t = 0; t < 2; t++) {
        uint64_t v;
        ci = rpc(t ? g_unix : g_http, "tacit_chainInfo", NULL);
        CHECK(json_is_true(json_object_get(ci, "devnet")));
        CHECK(qty(&v, json_object_get(ci, "chainId")) && v == g_chain_id);
        CHECK(qty(&v, json_object_get(ci, "commitmentCount")) && v == 0);
        CHECK(json_is_false(json_object_get(ci, "paused")));
        CHECK(amount(&v, json_object_get(ci, "minFee")) && v == 0);
        json_decref(ci);
    }
    for (int i = 0; i < NACCOUNTS; i++) {
        struct account a = get_account(i & 1 ? g_unix : g_http, g_addr[i]);
        CHECK(a.balance == GENESIS_BALANCE);
        CHECK_EQ_INT(a.nonce, 0);
    }
    g_up = true;
}

/* ------------------------------------------------------------ transactions ---- */

/* Deposit from account 0: included, balances and nonce exact; then a replayed nonce and a
 * bad signature are refused with the chain unchanged. */
TEST(node_deposit)
{
    static struct tacit_txbuild b;
    struct tacit_tx bad;
    struct account a0, pool;
    char id[67], want_id[67];
    uint8_t digest[32], fee_to[TACIT_ADDRESS_LEN] = {0};
    uint64_t h, fees0;
    long ix;
    tacit_fr root;
    json_t *blk;

    REQUIRE(g_up, "tacitd did not start (see node_start)");
    /* the anchor: the node's current root, the empty tree's; fees go to feeRecipient */
    {
        json_t *ci = rpc(g_http, "tacit_chainInfo", NULL);
        CHECK(fr_from_hex(&root, json_string_value(json_object_get(ci, "noteRoot"))));
        CHECK(hex_decode(fee_to, TACIT_ADDRESS_LEN,
                         json_string_value(json_object_get(ci, "feeRecipient"))));
        json_decref(ci);
    }
    fees0 = get_account(g_http, fee_to).balance;
    CHECK(tacit_fr_eq(&root, tacit_tree_zero(TACIT_TREE_DEPTH)));
    note_new(&g_a, 600000);
    note_new(&g_b, DEPOSIT - FEE - 600000);
    build_init(&b, &root);
    note_output(&b.out[0], &g_a);
    note_output(&b.out[1], &g_b);
    b.fee = FEE;
    b.deposit_amount = DEPOSIT;
    memcpy(b.deposit_sender, g_addr[0], TACIT_ADDRESS_LEN);
    b.deposit_nonce = 0;
    b.deposit_sk = g_sk[0];
    if (!prove(&g_p1, &b)) return;

    if (!admitted(g_http, &g_p1, id, __LINE__)) return;
    tx_hex_id(want_id, &g_p1);
    CHECK_EQ_INT(strcmp(id, want_id), 0);
    if (!wait_included(g_http, want_id, &h, &ix)) return;
    g_deposited = true;
    {
        json_t *ci = rpc(g_http, "tacit_chainInfo", NULL);
        CHECK(
            fr_from_hex(&g_root_after_deposit, json_string_value(json_object_get(ci, "noteRoot"))));
        json_decref(ci);
    }
    a0 = get_account(g_unix, g_addr[0]);
    CHECK(a0.balance == GENESIS_BALANCE - DEPOSIT);
    CHECK_EQ_INT(a0.nonce, 1);
    pool = get_account(g_unix, TACIT_POOL_ADDRESS);
    CHECK(pool.balance == DEPOSIT - FEE);
    CHECK(get_account(g_http, fee_to).balance == fees0 + FEE);
    /* the block names it */
    blk = rpc(g_unix, "tacit_getBlockByNumber", json_pack("[o]", qty_json(h)));
    CHECK(ix >= 0 && (size_t)ix < json_array_size(json_object_get(blk, "txs")));
    CHECK_EQ_INT(
        strcmp(json_string_value(json_array_get(json_object_get(blk, "txs"), (size_t)ix)), want_id),
        0);
    json_decref(blk);
    check_block_answers(g_http, h); /* the recent blocks' text: what json_dumps made */
    {
        json_t *ci = rpc(g_http, "tacit_chainInfo", NULL);
        uint64_t tip = 0;
        CHECK(tacit_parse_hex_u64(&tip, json_string_value(json_object_get(ci, "height"))) ==
              TACIT_OK);
        check_block_answers(g_http, tip); /* the newest block: surely among the recent ones */
        json_decref(ci);
    }

    /* the theft of issue 10: the included deposit's signature copied onto a transaction with
     * other nullifiers, another anchor and outputs of someone else's: the authorization covers
     * them (the deposit digest), so it does not recover to the sender. Refused. */
    {
        json_t *ci = rpc(g_http, "tacit_chainInfo", NULL);
        bad = g_p1;
        CHECK(fr_from_hex(&bad.pub[TACIT_TRANSFER_PUB_ROOT],
                          json_string_value(json_object_get(ci, "noteRoot"))));
        json_decref(ci);
    }
    tacit_txbuild_random_fr(&bad.pub[TACIT_TRANSFER_PUB_NF0]);
    tacit_txbuild_random_fr(&bad.pub[TACIT_TRANSFER_PUB_NF1]);
    bad.ext.deposit_nonce = 1; /* the sender's next nonce: only the signature is wrong */
    tacit_tx_ext_data_hash(&bad.pub[TACIT_TRANSFER_PUB_EXT_DATA_HASH], &bad.ext, g_chain_id,
                           g_rollup_id);
    {
        struct tacit_tx other = bad;
        tacit_txbuild_random_fr(&other.pub[TACIT_TRANSFER_PUB_CM0]);
        tacit_txbuild_random_fr(&other.pub[TACIT_TRANSFER_PUB_CM1]);
        expect_tx_refused(g_unix, &other, TACIT_EDEPOSIT_SIG, __LINE__);
    }
    /* the same authorization again, signed over this tx by its sender: nonce 0 is used */
    bad.ext.deposit_nonce = 0;
    tacit_tx_ext_data_hash(&bad.pub[TACIT_TRANSFER_PUB_EXT_DATA_HASH], &bad.ext, g_chain_id,
                           g_rollup_id);
    tacit_tx_deposit_digest(digest, &bad, g_rollup_id);
    CHECK_EQ_INT(tacit_deposit_sign(bad.ext.deposit_sig, g_sk[0], digest), TACIT_OK);
    expect_tx_refused(g_unix, &bad, TACIT_ENONCE, __LINE__);
    /* signed by account 1 for account 0's deposit: EDEPOSIT_SIG */
    CHECK_EQ_INT(tacit_deposit_sign(bad.ext.deposit_sig, g_sk[1], digest), TACIT_OK);
    expect_tx_refused(g_http, &bad, TACIT_EDEPOSIT_SIG, __LINE__);
}

/* Recomputes what the proof does not cover but the static rules check: ext_data_hash,
 * public_amount, and the deposit signature (with sk, when there is a deposit). */
static void fixup(struct tacit_tx *t, const uint8_t *sk)
{
    uint8_t digest[32];
    tacit_tx_ext_data_hash(&t->pub[TACIT_TRANSFER_PUB_EXT_DATA_HASH], &t->ext, g_chain_id,
                           g_rollup_id);
    CHECK_EQ_INT(tacit_tx_public_amount(&t->pub[TACIT_TRANSFER_PUB_PUBLIC_AMOUNT], &t->ext),
                 TACIT_OK);
    tacit_tx_deposit_digest(digest, t, g_rollup_id); /* over the public inputs: last */
    if (t->ext.deposit_amount > 0 && sk != NULL)
        CHECK_EQ_INT(tacit_deposit_sign(t->ext.deposit_sig, sk, digest), TACIT_OK);
}

/* Fresh nullifiers and the current anchor: a variant of an included tx that gets past the
 * nullifier and anchor rules, so the rule under test is the first to fail. */
static void refresh(struct tacit_tx *t)
{
    json_t *ci = rpc(g_http, "tacit_chainInfo", NULL);
    CHECK(fr_from_hex(&t->pub[TACIT_TRANSFER_PUB_ROOT],
                      json_string_value(json_object_get(ci, "noteRoot"))));
    json_decref(ci);
    tacit_txbuild_random_fr(&t->pub[TACIT_TRANSFER_PUB_NF0]);
    tacit_txbuild_random_fr(&t->pub[TACIT_TRANSFER_PUB_NF1]);
}

/* The rules the mempool path checks before the proof, each on a variant of the included
 * deposit (the proof no longer matches, but no rule before it may pass), each refused with its
 * own error and nothing changed. tests/test_chain.c has the same rules on the block path. */
TEST(node_mempool_rules)
{
    static uint8_t enc[TACIT_TX_BYTES];
    static const uint8_t n_order[32] = {/* secp256k1's group order, big-endian */
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                                        0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
                                        0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    struct tacit_tx bad;
    struct account a0, pool;

    REQUIRE(g_up && g_deposited, "the deposit of node_deposit was not included");
    a0 = get_account(g_http, g_addr[0]);
    pool = get_account(g_http, TACIT_POOL_ADDRESS);

    /* decoding: version, a public input >= r */
    tacit_tx_encode(enc, &g_p1);
    enc[0] = 2;
    expect_refused(g_http, enc, sizeof enc, TACIT_EVERSION, __LINE__);
    tacit_tx_encode(enc, &g_p1);
    memset(enc + 9 + 32 * TACIT_TRANSFER_PUB_NF0, 0xff, 32);
    expect_refused(g_http, enc, sizeof enc, TACIT_EPUBLIC_INPUT, __LINE__);
    /* nf0 = nf1 */
    bad = g_p1;
    refresh(&bad);
    bad.pub[TACIT_TRANSFER_PUB_NF1] = bad.pub[TACIT_TRANSFER_PUB_NF0];
    expect_tx_refused(g_unix, &bad, TACIT_ENULLIFIER_REPEATED, __LINE__);
    /* ext data changed after proving: the hash no longer matches */
    bad = g_p1;
    refresh(&bad);
    bad.ext.epk[0] ^= 1;
    expect_tx_refused(g_http, &bad, TACIT_EEXT_DATA_HASH, __LINE__);
    /* withdrawal + fee past 2^64 - 1 */
    bad = g_p1;
    refresh(&bad);
    bad.ext.withdrawal_amount = UINT64_MAX;
    bad.ext.withdrawal_recipient[0] = 1;
    expect_tx_refused(g_http, &bad, TACIT_EOVERFLOW, __LINE__);
    /* a withdrawal to the pool address itself */
    bad = g_p1;
    refresh(&bad);
    bad.ext.withdrawal_amount = 5;
    memset(bad.ext.withdrawal_recipient, 0, TACIT_ADDRESS_LEN);
    fixup(&bad, g_sk[0]);
    expect_tx_refused(g_http, &bad, TACIT_EWITHDRAW_RECIPIENT, __LINE__);
    /* the same signature with s -> n - s (and the recovery id flipped): high s */
    bad = g_p1;
    refresh(&bad);
    {
        int borrow = 0;
        for (int i = 31; i >= 0; i--) {
            int d = (int)n_order[i] - (int)bad.ext.deposit_sig[32 + i] - borrow;
            borrow = d < 0;
            bad.ext.deposit_sig[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
        }
        bad.ext.deposit_sig[64] ^= 1;
    }
    expect_tx_refused(g_unix, &bad, TACIT_EDEPOSIT_HIGH_S, __LINE__);
    /* a deposit larger than the sender's balance (next nonce, properly signed) */
    bad = g_p1;
    refresh(&bad);
    bad.ext.deposit_nonce = a0.nonce;
    bad.ext.deposit_amount = a0.balance + 1;
    fixup(&bad, g_sk[0]);
    expect_tx_refused(g_http, &bad, TACIT_EINSUFFICIENT, __LINE__);
    /* the turnstile: a withdrawal the pool cannot pay */
    bad = g_p1;
    refresh(&bad);
    bad.ext.deposit_amount = 0;
    bad.ext.deposit_nonce = 0;
    memset(bad.ext.deposit_sender, 0, TACIT_ADDRESS_LEN);
    memset(bad.ext.deposit_sig, 0, TACIT_DEPOSIT_SIG_BYTES);
    bad.ext.withdrawal_amount = pool.balance + 1;
    memcpy(bad.ext.withdrawal_recipient, g_addr[1], TACIT_ADDRESS_LEN);
    fixup(&bad, NULL);
    expect_tx_refused(g_http, &bad, TACIT_ETURNSTILE, __LINE__);
    /* every rule before the proof passes, the proof's point A is off the curve */
    bad = g_p1;
    refresh(&bad);
    bad.ext.deposit_nonce = a0.nonce;
    fixup(&bad, g_sk[0]);
    bad.proof[63] ^= 1;
    expect_tx_refused(g_unix, &bad, TACIT_ENOT_ON_CURVE, __LINE__);
    /* ... and with the proof intact, the statement is not the proved one */
    bad.proof[63] ^= 1;
    expect_tx_refused(g_http, &bad, TACIT_EVERIFY, __LINE__);
    /* every proof-point attack of DESIGN.md 7 (tests/lib/badproof.h; the same list goes
     * through the block path in tests/test_chain.c block_path_attacks) */
    for (int k = 0; k < BADPROOF_N; k++) {
        bad = g_p1;
        refresh(&bad);
        bad.ext.deposit_nonce = a0.nonce;
        fixup(&bad, g_sk[0]);
        badproof_apply(bad.proof, (enum badproof_kind)k);
        printf("  mempool path: %s -> %s\n", BADPROOF[k].name, tacit_errname(BADPROOF[k].err));
        expect_tx_refused(k & 1 ? g_unix : g_http, &bad, BADPROOF[k].err, __LINE__);
    }
}

/* An anchor that expires (root history 4 in this node's config): a variant of the deposit
 * anchored at the root after it passes the anchor rule (refused later, by its proof) until
 * enough root changes and blocks have passed, then is refused with EANCHOR. The block path's
 * twin is tests/test_chain.c block_path_stale_anchor. */
TEST(node_stale_anchor)
{
    struct tacit_tx bad;
    struct account a0;
    char ename[48];
    int k, recent = 0;
    long code = 0;

    REQUIRE(g_up && g_transferred, "the transfer of node_transfer was not included");
    a0 = get_account(g_http, g_addr[0]);
    for (k = 0; k < 8; k++) {
        bad = g_p1;
        refresh(&bad);
        bad.pub[TACIT_TRANSFER_PUB_ROOT] = g_root_after_deposit;
        bad.ext.deposit_nonce = a0.nonce;
        fixup(&bad, g_sk[0]);
        code = send_tx(g_http, &bad, NULL, ename);
        if (code == TACIT_RPC_APP_BASE + TACIT_EANCHOR) break;
        CHECK_EQ_INT(code, TACIT_RPC_APP_BASE + TACIT_EVERIFY); /* the anchor was still recent */
        recent++;
        json_decref(rpc(g_unix, "dev_mine", NULL));
    }
    CHECK_EQ_INT(code, TACIT_RPC_APP_BASE + TACIT_EANCHOR);
    CHECK_EQ_INT(strcmp(ename, "EANCHOR"), 0);
    CHECK(recent >= 1); /* it expired: it was an anchor once */
    expect_tx_refused(g_unix, &bad, TACIT_EANCHOR, __LINE__);
}

/* Three deposits of one sender, nonces 0, 1, 2, where the later nonce pays more and arrives
 * first (so the fee order is 2, 1, 0): all three go into the next block, in nonce order. The
 * selection puts a sender's deposits in nonce order (test_mempool
 * select_deposits_in_nonce_order) and the batcher takes them in one pass. */
TEST(node_deposit_nonce_run)
{
    static struct tacit_txbuild b;
    static struct tacit_tx tx[3];
    static struct note out[3][2];
    char id[3][67];
    uint64_t h[3];
    long ix[3];
    tacit_fr root;
    json_t *r;

    REQUIRE(g_up, "tacitd did not start (see node_start)");
    r = rpc(g_http, "tacit_chainInfo", NULL);
    CHECK(fr_from_hex(&root, json_string_value(json_object_get(r, "noteRoot"))));
    json_decref(r);
    REQUIRE(get_account(g_http, g_addr[2]).nonce == 0, "account 2 was used before");
    for (int k = 0; k < 3; k++) {
        uint64_t fee = FEE + (uint64_t)k;
        note_new(&out[k][0], 1000);
        note_new(&out[k][1], 2000 - fee);
        build_init(&b, &root);
        note_output(&b.out[0], &out[k][0]);
        note_output(&b.out[1], &out[k][1]);
        b.fee = fee;
        b.deposit_amount = 3000;
        memcpy(b.deposit_sender, g_addr[2], TACIT_ADDRESS_LEN);
        b.deposit_nonce = (uint64_t)k;
        b.deposit_sk = g_sk[2];
        if (!prove(&tx[k], &b)) return;
    }
    json_decref(rpc(g_admin, "admin_pause", NULL));
    for (int k = 2; k >= 0; k--)
        if (!admitted(g_http, &tx[k], id[k], __LINE__)) goto out;
    json_decref(rpc(g_unix, "dev_mine", NULL));
    for (int k = 0; k < 3; k++)
        if (!wait_included(g_http, id[k], &h[k], &ix[k])) goto out;
    CHECK(h[0] == h[1] && h[1] == h[2]);
    CHECK(ix[0] < ix[1] && ix[1] < ix[2]);
    CHECK_EQ_INT(get_account(g_http, g_addr[2]).nonce, 3);
    CHECK(get_account(g_http, g_addr[2]).balance == GENESIS_BALANCE - 3 * 3000);
out:
    json_decref(rpc(g_admin, "admin_resume", NULL));
}

/* A shielded transfer spending note A; before it goes in, every broken variant of it. */
TEST(node_transfer)
{
    static struct tacit_txbuild b;
    static uint8_t enc[TACIT_TX_BYTES + 1];
    struct tacit_tx bad;
    struct note d;
    struct account pool;
    char id[67], want_id[67], nf[67];
    tacit_fr root, one;
    json_t *r;

    REQUIRE(g_up && g_deposited, "the deposit of node_deposit was not included");
    build_init(&b, tacit_tree_zero(0));
    if (!node_path(&root, &b.in[0].path, &g_a.cm)) return;
    b.anchor = root;
    b.in[0].sk = g_a.sk;
    b.in[0].value = g_a.value;
    b.in[0].blinding = g_a.blinding;
    note_new(&g_c, 450000);
    note_new(&d, g_a.value - 450000 - FEE);
    note_output(&b.out[0], &g_c);
    note_output(&b.out[1], &d);
    b.fee = FEE;
    if (!prove(&g_p2, &b)) return;

    /* tampered proof (a valid proof of another statement): EVERIFY */
    bad = g_p2;
    memcpy(bad.proof, g_p1.proof, TACIT_GROTH16_PROOF_BYTES);
    expect_tx_refused(g_http, &bad, TACIT_EVERIFY, __LINE__);
    /* unknown anchor */
    bad = g_p2;
    tacit_txbuild_random_fr(&bad.pub[TACIT_TRANSFER_PUB_ROOT]);
    expect_tx_refused(g_unix, &bad, TACIT_EANCHOR, __LINE__);
    /* public amount not (deposit - withdrawal - fee) */
    bad = g_p2;
    tacit_fr_from_u64(&one, 1);
    tacit_fr_add(&bad.pub[TACIT_TRANSFER_PUB_PUBLIC_AMOUNT],
                 &bad.pub[TACIT_TRANSFER_PUB_PUBLIC_AMOUNT], &one);
    expect_tx_refused(g_http, &bad, TACIT_EPUBLIC_AMOUNT, __LINE__);
    /* another chain */
    bad = g_p2;
    bad.chain_id = g_chain_id + 1;
    expect_tx_refused(g_unix, &bad, TACIT_ECHAIN_ID, __LINE__);
    /* one byte too many */
    tacit_tx_encode(enc, &g_p2);
    enc[TACIT_TX_BYTES] = 0;
    expect_refused(g_http, enc, TACIT_TX_BYTES + 1, TACIT_ETRAILING, __LINE__);
    /* fee below a raised minimum (admin over HTTP with the cookie) */
    r = rpc(g_admin, "admin_setMinFee", json_pack("[s]", "1000"));
    CHECK(json_is_true(r));
    json_decref(r);
    r = rpc(g_http, "tacit_minFee", NULL);
    CHECK_EQ_INT(strcmp(json_string_value(r) ? json_string_value(r) : "", "1000"), 0);
    json_decref(r);
    expect_tx_refused(g_unix, &g_p2, TACIT_EFEE_TOO_LOW, __LINE__);
    r = rpc(g_admin, "admin_setMinFee", json_pack("[s]", "0"));
    json_decref(r);
    /* a raised minimum drops the pending txs below it (issue 10 #4: they were sealed into
     * blocks the block path refuses): paused, g_p2 waits in the mempool; the minimum goes up;
     * g_p2 is gone, with EFEE_TOO_LOW as its status */
    json_decref(rpc(g_admin, "admin_pause", NULL));
    if (!admitted(g_http, &g_p2, id, __LINE__)) return;
    r = rpc(g_http, "tacit_getTransaction", json_pack("[s]", id));
    CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "status")), "pending"), 0);
    json_decref(r);
    r = rpc(g_admin, "admin_setMinFee", json_pack("[s]", "11"));
    CHECK(json_is_true(r));
    json_decref(r);
    /* the reason goes to the connection that submitted it and to admin callers only (issue
     * 14, 6: it would tell anyone which nullifier or anchor collided); another connection
     * gets the answer of an unknown id */
    r = rpc(g_http, "tacit_getTransaction", json_pack("[s]", id));
    CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "status")), "rejected"), 0);
    CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "error")), "EFEE_TOO_LOW"), 0);
    json_decref(r);
    r = rpc(g_admin, "tacit_getTransaction", json_pack("[s]", id));
    CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "error")), "EFEE_TOO_LOW"), 0);
    json_decref(r);
    {
        struct tacit_rpc_client *other = NULL;
        CHECK_EQ_INT(tacit_rpc_client_new(&other, g_node.url, NULL, 10000), TACIT_OK);
        r = rpc(other, "tacit_getTransaction", json_pack("[s]", id));
        CHECK(json_is_null(r));
        json_decref(r);
        tacit_rpc_client_free(other);
    }
    r = rpc(g_http, "tacit_mempoolInfo", NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(r, "count")), 0);
    json_decref(r);
    json_decref(rpc(g_admin, "admin_setMinFee", json_pack("[s]", "0")));
    json_decref(rpc(g_admin, "admin_resume", NULL));

    /* the real one, over the Unix socket: the refused variants (same id: the proof is not
     * part of it) did not poison it */
    if (!admitted(g_unix, &g_p2, id, __LINE__)) return;
    tx_hex_id(want_id, &g_p2);
    CHECK_EQ_INT(strcmp(id, want_id), 0);
    if (!wait_included(g_unix, want_id, NULL, NULL)) return;
    g_transferred = true;
    pool = get_account(g_http, TACIT_POOL_ADDRESS);
    CHECK(pool.balance == DEPOSIT - 2 * FEE);
    fr_hex(nf, &g_p2.pub[TACIT_TRANSFER_PUB_NF0]);
    r = rpc(g_http, "tacit_nullifiersSpent", json_pack("[[s]]", nf));
    CHECK(json_is_true(json_array_get(r, 0)));
    json_decref(r);
}

/* A withdrawal of note C while a second spend of C is refused as pending in the mempool, then
 * (once the first is included) as spent; the recipient's balance exact. */
TEST(node_withdraw_double_spend)
{
    static struct tacit_txbuild b;
    struct tacit_tx w, dbl, bad;
    struct note e, e2, zero;
    uint8_t recipient[TACIT_ADDRESS_LEN];
    struct account acct, pool;
    char id[67];
    tacit_fr root;
    json_t *r, *ci;

    REQUIRE(g_up && g_transferred, "the transfer of node_transfer was not included");
    randombytes_buf(recipient, sizeof recipient);
    build_init(&b, tacit_tree_zero(0));
    if (!node_path(&root, &b.in[1].path, &g_c.cm)) return;
    b.anchor = root;
    b.in[1].sk = g_c.sk; /* the real input second: the dummy first */
    b.in[1].value = g_c.value;
    b.in[1].blinding = g_c.blinding;
    note_new(&e, g_c.value - WITHDRAW - FEE);
    note_new(&zero, 0);
    note_output(&b.out[0], &zero);
    note_output(&b.out[1], &e);
    b.fee = FEE;
    b.withdrawal_amount = WITHDRAW;
    memcpy(b.withdrawal_recipient, recipient, sizeof recipient);
    if (!prove(&w, &b)) return;
    /* the double spend: C again, everything to a new note, the same fee */
    b.withdrawal_amount = 0;
    memset(b.withdrawal_recipient, 0, sizeof b.withdrawal_recipient);
    note_new(&e2, g_c.value - FEE);
    note_output(&b.out[1], &e2);
    if (!prove(&dbl, &b)) return;

    r = rpc(g_admin, "admin_pause", NULL);
    CHECK(json_is_true(r));
    json_decref(r);
    ci = rpc(g_http, "tacit_chainInfo", NULL);
    CHECK(json_is_true(json_object_get(ci, "paused")));
    json_decref(ci);
    if (!admitted(g_http, &w, id, __LINE__)) return;
    /* the conflict oracle closed (issue 14, 6): the double spend with a proof of another
     * statement gets the proof's error, not the conflict that would say C's nullifier is
     * pending; with its own proof, the conflict */
    bad = dbl;
    memcpy(bad.proof, w.proof, TACIT_GROTH16_PROOF_BYTES);
    expect_tx_refused(g_http, &bad, TACIT_EVERIFY, __LINE__);
    expect_tx_refused(g_unix, &dbl, TACIT_ENULLIFIER_IN_MEMPOOL, __LINE__);
    r = rpc(g_admin, "admin_resume", NULL);
    json_decref(r);
    if (!wait_included(g_http, id, NULL, NULL)) return;
    acct = get_account(g_unix, recipient);
    CHECK(acct.balance == WITHDRAW);
    CHECK_EQ_INT(acct.nonce, 0);
    pool = get_account(g_unix, TACIT_POOL_ADDRESS);
    CHECK(pool.balance == DEPOSIT - 3 * FEE - WITHDRAW);
    expect_tx_refused(g_http, &dbl, TACIT_ENULLIFIER_SPENT, __LINE__);
}

/* ----------------------------------------------------------- bad requests ---- */

TEST(node_bad_requests)
{
    static const char dup[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tacit_chainInfo\","
                              "\"method\":\"tacit_minFee\",\"params\":[]}";
    static const char badutf8[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tacit_getAccount\","
                                  "\"params\":[\"\xff\xfe\xc0\x80\"]}";
    struct tacit_rpc_client *wrong = NULL;
    char addr[2 * TACIT_ADDRESS_LEN + 3], ename[48], msg[256], head[256];
    size_t n = 0, cap;
    char *body;
    json_t *reply = NULL, *r;
    uint64_t h0, h1;
    int status, hl;

    REQUIRE(g_up, "tacitd did not start (see node_start)");
    h0 = chain_height(g_http);

    /* a body over the 4 MiB limit: 413, answered without reading it all */
    cap = (size_t)5 << 20;
    hl = snprintf(head, sizeof head,
                  "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                  "application/json\r\nContent-Length: %zu\r\n\r\n",
                  cap);
    if ((body = malloc((size_t)hl + cap)) != NULL) {
        memcpy(body, head, (size_t)hl);
        memset(body + hl, ' ', cap);
        status = http_exchange(g_node.port, body, (size_t)hl + cap, 30000, NULL);
        CHECK_EQ_INT(status, 413);
        free(body);
    }

    /* 10,000 calls in one batch: -32600 */
    cap = 10000 * 80 + 16;
    if ((body = malloc(cap)) != NULL) {
        n = (size_t)snprintf(body, cap, "[");
        for (int i = 0; i < 10000; i++)
            n += (size_t)snprintf(body + n, cap - n,
                                  "%s{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tacit_minFee\"}",
                                  i ? "," : "", i);
        n += (size_t)snprintf(body + n, cap - n, "]");
        status = post_json(body, n, &reply);
        CHECK_EQ_INT(status, 200);
        CHECK_EQ_INT(reply_code(reply), TACIT_RPC_INVALID_REQUEST);
        json_decref(reply);
        free(body);
    }

    /* 10,000-deep nesting: -32700 */
    if ((body = malloc(20000 + 128)) != NULL) {
        n = (size_t)sprintf(
            body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tacit_minFee\",\"params\":");
        for (int i = 0; i < 10000; i++) body[n++] = '[';
        for (int i = 0; i < 10000; i++) body[n++] = ']';
        body[n++] = '}';
        status = post_json(body, n, &reply);
        CHECK_EQ_INT(status, 200);
        CHECK_EQ_INT(reply_code(reply), TACIT_RPC_PARSE_ERROR);
        json_decref(reply);
        free(body);
    }

    /* invalid UTF-8, duplicate keys: -32700 */
    status = post_json(badutf8, sizeof badutf8 - 1, &reply);
    CHECK_EQ_INT(status, 200);
    CHECK_EQ_INT(reply_code(reply), TACIT_RPC_PARSE_ERROR);
    json_decref(reply);
    status = post_json(dup, sizeof dup - 1, &reply);
    CHECK_EQ_INT(status, 200);
    CHECK_EQ_INT(reply_code(reply), TACIT_RPC_PARSE_ERROR);
    json_decref(reply);

    /* a float amount: -32602 naming the parameter; unknown method: -32601 */
    hex_encode(addr, g_addr[3], TACIT_ADDRESS_LEN);
    CHECK_EQ_INT(rpc_error(g_http, "dev_fund", json_pack("[sf]", addr, 1.5), NULL, msg, sizeof msg),
                 TACIT_RPC_INVALID_PARAMS);
    CHECK(msg[0] != '\0');
    CHECK_EQ_INT(rpc_error(g_http, "dev_fund", json_pack("[si]", addr, 5), NULL, NULL, 0),
                 TACIT_RPC_INVALID_PARAMS);
    CHECK_EQ_INT(rpc_error(g_unix, "tacit_noSuchMethod", NULL, NULL, NULL, 0),
                 TACIT_RPC_METHOD_NOT_FOUND);
    CHECK(get_account(g_http, g_addr[3]).balance == GENESIS_BALANCE);
    /* a credit that would take a balance past 2^64 - 1 (issue 10 #5): refused with EOVERFLOW
     * and gone. It stayed queued and failed every later block; now the next blocks are made,
     * another credit goes in, /health says ok, and the balance moved by that credit only. */
    CHECK_EQ_INT(rpc_error(g_http, "dev_fund", json_pack("[ss]", addr, "18446744073709551615"),
                           ename, NULL, 0),
                 1000 + TACIT_EOVERFLOW);
    CHECK_EQ_INT(strcmp(ename, "EOVERFLOW"), 0);
    h1 = chain_height(g_http);
    json_decref(rpc(g_unix, "dev_mine", NULL));
    r = rpc(g_http, "dev_fund", json_pack("[ss]", addr, "5"));
    CHECK(json_object_get(r, "height") != NULL);
    json_decref(r);
    CHECK(chain_height(g_http) >= h1 + 2);
    CHECK(get_account(g_http, g_addr[3]).balance == GENESIS_BALANCE + 5);
    {
        static const char get_health[] =
            "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        char *hb = NULL;
        CHECK_EQ_INT(http_exchange(g_node.port, get_health, sizeof get_health - 1, 10000, &hb),
                     200);
        CHECK(hb != NULL && strstr(hb, "\"status\":\"ok\"") != NULL);
        free(hb);
    }

    /* admin_ over TCP: no credentials, wrong credentials: -32001, and nothing paused */
    CHECK_EQ_INT(rpc_error(g_http, "admin_pause", NULL, ename, NULL, 0), TACIT_RPC_UNAUTHORIZED);
    CHECK_EQ_INT(tacit_rpc_client_new(&wrong, g_node.url, "__cookie__:00112233445566778899", 30000),
                 TACIT_OK);
    if (wrong != NULL) {
        CHECK_EQ_INT(rpc_error(wrong, "admin_pause", NULL, NULL, NULL, 0), TACIT_RPC_UNAUTHORIZED);
        CHECK_EQ_INT(rpc_error(wrong, "admin_setMinFee", json_pack("[s]", "5"), NULL, NULL, 0),
                     TACIT_RPC_UNAUTHORIZED);
        tacit_rpc_client_free(wrong);
    }
    r = rpc(g_http, "tacit_chainInfo", NULL);
    CHECK(json_is_false(json_object_get(r, "paused")));
    CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "minFee"))
                            ? json_string_value(json_object_get(r, "minFee"))
                            : "",
                        "0"),
                 0);
    json_decref(r);

    /* still serving, still making blocks */
    r = rpc(g_unix, "dev_mine", NULL);
    json_decref(r);
    h1 = chain_height(g_http);
    CHECK(h1 > h0);
}

/* A client that sends its request line one byte per second is cut off by the 1 s header
 * deadline of the config file. */
TEST(node_slow_client)
{
    static const char line[] = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    struct sockaddr_in a;
    uint64_t start;
    bool cut = false;
    int fd;

    REQUIRE(g_up, "tacitd did not start (see node_start)");
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) return;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(g_node.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    start = tnode_now_ms();
    for (size_t i = 0; i < sizeof line - 1 && !cut; i++) {
        struct pollfd p = {fd, POLLIN, 0};
        char buf[512];
        if (send(fd, &line[i], 1, MSG_NOSIGNAL) != 1) {
            cut = true;
            break;
        }
        if (poll(&p, 1, 1000) > 0) {
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            /* a 408 and/or the close */
            if (r <= 0 || strncmp(buf, "HTTP/1.1 408", 12) == 0 ||
                strncmp(buf, "HTTP/1.0 408", 12) == 0)
                cut = true;
            if (r > 0) {
                /* the 408 first, then the close */
                struct pollfd q = {fd, POLLIN, 0};
                if (poll(&q, 1, 3000) > 0) cut = recv(fd, buf, sizeof buf, 0) <= 0;
            }
        }
    }
    CHECK(cut);
    CHECK(tnode_now_ms() - start < 10000);
    close(fd);
    (void)chain_height(g_http); /* and the node still serves */
}

/* ---------------------------------------------------------------- restarts ---- */

/* Hashes of blocks 0..h (tacit_getBlockRange, 1000 at a time). */
static char (*block_hashes(struct tacit_rpc_client *c, uint64_t h))[67]
{
    char(*out)[67] = calloc(h + 1, sizeof *out);
    if (out == NULL) return NULL;
    for (uint64_t from = 0; from <= h; from += 1000) {
        uint64_t to = from + 999 < h ? from + 999 : h, got;
        json_t *r = rpc(c, "tacit_getBlockRange", json_pack("[oo]", qty_json(from), qty_json(to)));
        CHECK(json_is_array(r) && json_array_size(r) == to - from + 1);
        for (size_t i = 0; i < json_array_size(r) && from + i <= to; i++) {
            json_t *b = json_array_get(r, i);
            const char *hash = json_string_value(json_object_get(b, "hash"));
            CHECK(qty(&got, json_object_get(b, "height")) && got == from + i);
            snprintf(out[from + i], 67, "%s", hash != NULL ? hash : "");
        }
        json_decref(r);
    }
    return out;
}

static bool restart(int sig)
{
    int status = tnode_stop(&g_node, sig, 60000);
    if (sig == SIGTERM) { CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0); }
    CHECK(tnode_start(&g_node, g_config));
    if (!tnode_wait_ready(&g_node, 120000)) {
        tacit__test_fail(__FILE__, __LINE__, "tacitd did not come back (see %s/tacitd.log)", g_dir);
        g_up = false;
        return false;
    }
    return clients_new();
}

/* SIGTERM and start again: every block, the paused flag, every tx status kept. */
TEST(node_restart)
{
    char(*before)[67] = NULL, (*after)[67] = NULL;
    uint64_t h, h2;
    json_t *r;

    REQUIRE(g_up, "tacitd did not start (see node_start)");
    r = rpc(g_admin, "admin_pause", NULL);
    json_decref(r);
    tnode_sleep_ms(3 * (unsigned)g_node.block_interval_ms); /* a block in flight lands */
    h = chain_height(g_http);
    before = block_hashes(g_http, h);
    if (!restart(SIGTERM)) goto out;
    r = rpc(g_http, "tacit_chainInfo", NULL);
    CHECK(json_is_true(json_object_get(r, "paused")));
    CHECK(qty(&h2, json_object_get(r, "height")) && h2 == h);
    json_decref(r);
    after = block_hashes(g_unix, h);
    for (uint64_t i = 0; before != NULL && after != NULL && i <= h; i++) {
        if (strcmp(before[i], after[i]) != 0) {
            tacit__test_fail(__FILE__, __LINE__, "block %llu: %s before, %s after",
                             (unsigned long long)i, before[i], after[i]);
            break;
        }
    }
    for (size_t i = 0; i < g_nincluded; i++) {
        uint64_t th = 0;
        r = rpc(g_http, "tacit_getTransaction", json_pack("[s]", g_included[i].id));
        CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "status"))
                                ? json_string_value(json_object_get(r, "status"))
                                : "",
                            "included"),
                     0);
        CHECK(qty(&th, json_object_get(r, "height")) && th == g_included[i].height);
        CHECK_EQ_INT(json_integer_value(json_object_get(r, "index")), g_included[i].index);
        json_decref(r);
    }
    r = rpc(g_admin, "admin_resume", NULL);
    json_decref(r);
out:
    free(before);
    free(after);
}

/* Issue 14, 5: the devnet's default, a fixed cadence (this node ran "demand" so far, for
 * node_stale_anchor's count of roots; restarted without it), seals a block at every interval with nothing pending,
 * and every block is stamped in whole seconds (the header's unit is ms). */
TEST(node_block_cadence)
{
    uint64_t h0, h1;
    json_t *r;

    REQUIRE(g_up, "the node did not start");
    REQUIRE(write_config(false), "cannot write the config");
    if (!restart(SIGTERM)) return;
    r = rpc(g_http, "tacit_mempoolInfo", NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(r, "count")), 0);
    json_decref(r);
    h0 = chain_height(g_http);
    tnode_sleep_ms(10 * (unsigned)g_node.block_interval_ms);
    h1 = chain_height(g_http);
    /* 10 intervals: at least 5 blocks (ASan and a shared machine may skip some ticks) */
    CHECK(h1 >= h0 + 5);
    for (uint64_t h = h0; h <= h1; h++) {
        uint64_t ts = 0;
        r = rpc(g_http, "tacit_getBlockByNumber", json_pack("[o]", qty_json(h)));
        CHECK(qty(&ts, json_object_get(r, "timestamp")));
        CHECK(ts > 0 && ts % 1000 == 0);
        if (h > h0) CHECK_EQ_INT(json_array_size(json_object_get(r, "txs")), 0);
        json_decref(r);
    }
}

/* Blocks made as fast as the node can (dev_fund, dev_mine) until the main thread SIGKILLs it. */
struct miner {
    char url[64];
    volatile bool stop;
    uint64_t last_height;
    char last_hash[67];
    bool seen;
    unsigned blocks;
};

static void *miner_run(void *arg)
{
    struct miner *m = arg;
    struct tacit_rpc_client *c = NULL;
    char addr[2 * TACIT_ADDRESS_LEN + 3];

    if (tacit_rpc_client_new(&c, m->url, NULL, 10000) != TACIT_OK) return NULL;
    hex_encode(addr, g_addr[5], TACIT_ADDRESS_LEN);
    for (unsigned i = 0; !m->stop; i++) {
        json_t *res = NULL, *err = NULL;
        json_t *params = i & 1 ? json_array() : json_pack("[ss]", addr, "1");
        if (tacit_rpc_call(c, i & 1 ? "dev_mine" : "dev_fund", params, &res, &err) != TACIT_OK)
            break;
        if (res != NULL) {
            uint64_t h;
            const char *hash = json_string_value(json_object_get(res, "hash"));
            /* replied after the block committed: it must survive */
            if (qty(&h, json_object_get(res, "height")) && hash != NULL) {
                m->last_height = h;
                snprintf(m->last_hash, sizeof m->last_hash, "%s", hash);
                m->seen = true;
                m->blocks++;
            }
        }
        json_decref(res);
        json_decref(err);
    }
    tacit_rpc_client_free(c);
    return NULL;
}

TEST(node_crash_recovery)
{
    struct miner m;
    pthread_t th;
    json_t *r;
    uint64_t tip;

    REQUIRE(g_up, "tacitd did not start (see node_start)");
    memset(&m, 0, sizeof m);
    snprintf(m.url, sizeof m.url, "%s", g_node.url);
    if (pthread_create(&th, NULL, miner_run, &m) != 0) return;
    /* 0.5 .. 2.5 s of block production, then SIGKILL */
    tnode_sleep_ms(500 + (unsigned)(tacit_test_rand64() % 2000));
    kill(g_node.pid, SIGKILL);
    (void)tnode_wait_pid(g_node.pid, 30000);
    g_node.pid = 0;
    m.stop = true;
    pthread_join(th, NULL);
    printf("killed after %u blocks seen committed\n", m.blocks);
    CHECK(m.seen);
    if (!restart(0)) return;
    tip = chain_height(g_http);
    CHECK(tip >= m.last_height);
    r = rpc(g_http, "tacit_getBlockByNumber", json_pack("[o]", qty_json(m.last_height)));
    CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "hash"))
                            ? json_string_value(json_object_get(r, "hash"))
                            : "",
                        m.last_hash),
                 0);
    json_decref(r);
    /* and the txs of before are all still there */
    for (size_t i = 0; i < g_nincluded; i++) {
        r = rpc(g_unix, "tacit_getTransaction", json_pack("[s]", g_included[i].id));
        CHECK_EQ_INT(strcmp(json_string_value(json_object_get(r, "status"))
                                ? json_string_value(json_object_get(r, "status"))
                                : "",
                            "included"),
                     0);
        json_decref(r);
    }
}

/* A second tacitd on the same data directory: refused, non-zero exit, a message naming the
 * lock; the first one unharmed. */
TEST(node_datadir_lock)
{
    struct tnode second;
    const char *extra[] = {NULL};
    char path[700], *log;
    pid_t pid;
    int status;

    REQUIRE(g_up, "tacitd did not start (see node_start)");
    tnode_init(&second, g_dir);
    snprintf(second.socket_path, sizeof second.socket_path, "%s/s2.sock", g_dir);
    pid = tnode_spawn(&second, extra, "second.log", false);
    CHECK(pid > 0);
    if (pid <= 0) return;
    status = tnode_wait_pid(pid, 60000);
    if (status == -1) {
        kill(pid, SIGKILL);
        (void)tnode_wait_pid(pid, 10000);
        CHECK(!"second tacitd kept running");
        return;
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    snprintf(path, sizeof path, "%s/second.log", g_dir);
    log = tacit_test_read_file(path, NULL);
    CHECK(log != NULL && strcasestr(log, "lock") != NULL);
    free(log);
    (void)chain_height(g_unix);
}

/* ---------------------------------------------------------------- cleanup ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

TEST(node_cleanup)
{
    if (g_node.pid > 0) {
        int status = tnode_stop(&g_node, SIGTERM, 60000);
        CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    tacit_rpc_client_free(g_http);
    tacit_rpc_client_free(g_unix);
    tacit_rpc_client_free(g_admin);
    g_http = g_unix = g_admin = NULL;
    tacit_groth16_pk_free(g_pk);
    g_pk = NULL;
    sodium_memzero(g_sk, sizeof g_sk);
    sodium_memzero(g_cookie, sizeof g_cookie);
    if (g_dir[0] == '\0') return;
    if (getenv("TACIT_KEEP_DATADIR") != NULL) {
        printf("kept %s\n", g_dir);
        return;
    }
    nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const struct tacit_test tests[] = {
    {"node_start", node_start},
    {"node_deposit", node_deposit},
    {"node_mempool_rules", node_mempool_rules},
    {"node_transfer", node_transfer},
    {"node_withdraw_double_spend", node_withdraw_double_spend},
    {"node_stale_anchor", node_stale_anchor},
    {"node_deposit_nonce_run", node_deposit_nonce_run},
    {"node_bad_requests", node_bad_requests},
    {"node_slow_client", node_slow_client},
    {"node_restart", node_restart},
    {"node_block_cadence", node_block_cadence},
    {"node_crash_recovery", node_crash_recovery},
    {"node_datadir_lock", node_datadir_lock},
    {"node_cleanup", node_cleanup},
};
TACIT_TEST_MAIN(tests)
