/*
 * tacit — the node crash loop (issue 10's long run; contrib/crashloop builds and runs it, not
 * a ctest): a real tacitd --devnet under a steady load of proved transactions, SIGKILLed at
 * random moments and restarted, N times. After every restart:
 *   - the store opens: tacitd starts and answers (else a "corrupt open", and the run stops);
 *   - no committed block is lost: the tip is at least the highest height any client saw
 *     acknowledged, and every height seen before still has the hash seen then;
 *   - every transaction seen included is still included, at the same height and block hash
 *     (tacit_getTransaction).
 * "Seen" means in an answer: tacit_chainInfo, tacit_getBlockRange, a dev_fund reply (the block
 * that holds the credit), a tacit_getTransaction "included" status. Answers are read from
 * committed state only, so everything seen must survive.
 *
 * The load, on threads of this process while the loop runs:
 *   - provers: one at a time per thread, a transaction proved against the current note root
 *     (tacit_chainInfo noteRoot, so its anchor stays recent however long the run) and
 *     submitted: alternately a shielded transfer (two dummy inputs, two zero-value outputs)
 *     and a deposit from one of the devnet's funded accounts (<datadir>/devnet-accounts.json;
 *     nonce read from tacit_getAccount),
 *     proved with the node's own devnet proving key (<datadir>/keys/transfer.zkey);
 *   - a funder: dev_fund of 1 unit to a random address every FUND_MS (a block each);
 *   - a poller: the tip, the hashes of new blocks, the status of submitted transactions.
 * Pending mempool transactions are not persisted (docs/operations.md): a tx lost before its
 * block committed is not a loss.
 *
 *   crashloop --datadir DIR [--kills N] [--minutes M] [--seed S] [--max-wait-ms MS]
 *             [--interval-ms MS] [--provers P] [--sabotage K]
 *
 * TACIT_BIN: the directory of tacitd (default build/bin). TACIT_NODE_KEYS: devnet keys to
 * reuse (tests/lib/node.h; else the first start runs the devnet trusted setup). The run stops
 * after N kills (default 1000) or M minutes (default: none), whichever comes first. Each kill
 * waits for the node to answer and be checked, then a random 0..max-wait-ms (default 1000);
 * one kill in ten instead lands 0..250 ms after the start, while the store opens. Prints one
 * line per kill and a summary: kills, losses, corrupt opens. --sabotage K checks the checks: the
 * store is deleted after kill K, so the run must end with losses (or a corrupt open). Exit 0 when the run had no loss
 * and no corrupt open, 1 otherwise, 2 on a usage or set-up error.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>

#include "lib/node.h"
#include "tacit/chain.h"
#include "tacit/prover.h"
#include "tacit/tree.h"
#include "tacit/txbuild.h"
#include "tacit/util.h"

#define DEPOSIT_AMOUNT 1000
#define FUND_MS 300
#define POLL_MS 50
#define READY_MS 60000
#define BATCH 500

/* ------------------------------------------------------------ shared state ---- */

struct seen_block {
    bool seen;
    bool lost; /* found missing or changed once: counted once */
    uint8_t hash[32];
};

struct seen_tx {
    uint8_t id[32];
    bool included;
    bool lost;
    uint64_t height;
    uint8_t hash[32];
};

static struct {
    pthread_mutex_t mu;
    char url[64];
    unsigned gen; /* +1 at every start: clients of an older one reconnect */
    bool up;      /* the node answered since its start */
    bool stop;
    struct seen_block *blocks;
    size_t nblocks_cap;
    int64_t max_seen; /* highest height seen, -1 none */
    uint64_t fetched; /* heights below this have their hash */
    struct seen_tx *txs;
    size_t ntxs, txs_cap, nincluded;
    uint64_t proved, submitted, rejected, funded;
    char last_reject[64];
    /* what the provers need */
    tacit_groth16_pk *pk;
    uint64_t chain_id;
    uint8_t rollup_id[TACIT_ROLLUP_ID_LEN];
} S = {.mu = PTHREAD_MUTEX_INITIALIZER, .max_seen = -1};

static uint64_t losses; /* heights and txs found lost, each counted once (under S.mu) */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static uint64_t qty(json_t *j)
{
    uint64_t v = 0;
    if (tacit_parse_hex_u64(&v, json_string_value(j)) != TACIT_OK) return UINT64_MAX;
    return v;
}

static bool hex32(uint8_t out[32], json_t *j)
{
    return tacit_hex_decode(out, 32, json_string_value(j), true) == TACIT_OK;
}

/* Records that height h has hash `hash` (under S.mu). A different hash for a height seen
 * before is a lost block: counted, and the first hash kept. */
static void record_block(uint64_t h, const uint8_t hash[32], const char *where)
{
    if (h >= S.nblocks_cap) {
        size_t cap = S.nblocks_cap ? S.nblocks_cap : 4096;
        struct seen_block *nb;
        while (cap <= h) cap *= 2;
        if ((nb = realloc(S.blocks, cap * sizeof *nb)) == NULL) abort();
        memset(nb + S.nblocks_cap, 0, (cap - S.nblocks_cap) * sizeof *nb);
        S.blocks = nb;
        S.nblocks_cap = cap;
    }
    if (S.blocks[h].seen && memcmp(S.blocks[h].hash, hash, 32) != 0) {
        if (!S.blocks[h].lost) {
            losses++;
            say("LOSS: block %" PRIu64 " changed its hash (%s)", h, where);
        }
        S.blocks[h].lost = true;
        return;
    }
    S.blocks[h].seen = true;
    memcpy(S.blocks[h].hash, hash, 32);
    if ((int64_t)h > S.max_seen) S.max_seen = (int64_t)h;
}

/* A client of the node of the current start (re-made when the node restarted). */
struct conn {
    struct tacit_rpc_client *c;
    unsigned gen;
};

static bool conn_get(struct conn *k, unsigned timeout_ms)
{
    char url[64];
    unsigned gen;
    bool up;

    pthread_mutex_lock(&S.mu);
    up = S.up;
    gen = S.gen;
    memcpy(url, S.url, sizeof url);
    pthread_mutex_unlock(&S.mu);
    if (!up) {
        tacit_rpc_client_free(k->c);
        k->c = NULL;
        return false;
    }
    if (k->c != NULL && k->gen == gen) return true;
    tacit_rpc_client_free(k->c);
    k->c = NULL;
    if (tacit_rpc_client_new(&k->c, url, NULL, timeout_ms) != TACIT_OK) return false;
    k->gen = gen;
    return true;
}

/* One call: the result (new reference), or NULL (then *err, if not NULL, holds the error's
 * data.error name or the transport error). */
static json_t *call(struct conn *k, const char *method, json_t *params, char *err, size_t errlen)
{
    json_t *res = NULL, *e = NULL;
    int rc = tacit_rpc_call(k->c, method, params, &res, &e);
    if (err != NULL) err[0] = '\0';
    if (rc != TACIT_OK) {
        if (err != NULL) snprintf(err, errlen, "transport %s", tacit_errname(rc));
        return NULL;
    }
    if (res == NULL && err != NULL) {
        const char *name = json_string_value(json_object_get(json_object_get(e, "data"), "error"));
        snprintf(err, errlen, "%s", name ? name : json_string_value(json_object_get(e, "message")));
    }
    json_decref(e);
    return res;
}

/* A JSON-RPC batch of calls of one method, params[i] each (stolen); results[i] new refs or
 * NULL. Returns false on a transport or framing failure. */
static bool batch(struct conn *k, const char *method, json_t **params, size_t n, json_t **results)
{
    json_t *req = json_array(), *rep;
    char *body, *reply = NULL;
    size_t rlen = 0;
    int status = 0;
    bool ok;

    for (size_t i = 0; i < n; i++) {
        results[i] = NULL;
        json_array_append_new(req, json_pack("{s:s,s:I,s:s,s:o}", "jsonrpc", "2.0", "id",
                                             (json_int_t)i, "method", method, "params", params[i]));
    }
    body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (body == NULL) return false;
    ok = tacit_rpc_client_post(k->c, "/", body, strlen(body), &status, &reply, &rlen) == TACIT_OK &&
         status == 200;
    free(body);
    rep = ok ? json_loadb(reply, rlen, 0, NULL) : NULL;
    free(reply);
    if (!json_is_array(rep)) {
        json_decref(rep);
        return false;
    }
    for (size_t j = 0; j < json_array_size(rep); j++) {
        json_t *o = json_array_get(rep, j), *r = json_object_get(o, "result");
        json_int_t id = json_integer_value(json_object_get(o, "id"));
        if (id >= 0 && (size_t)id < n && r != NULL) results[id] = json_incref(r);
    }
    json_decref(rep);
    return true;
}

static void sleep_ms(unsigned ms) { tnode_sleep_ms(ms); }

static bool stopping(void)
{
    bool s;
    pthread_mutex_lock(&S.mu);
    s = S.stop;
    pthread_mutex_unlock(&S.mu);
    return s;
}

/* ------------------------------------------------------------------ the load ---- */

/* The devnet's funded accounts (<datadir>/devnet-accounts.json): the deposit senders. */
static struct {
    uint8_t sk[32];
    uint8_t addr[TACIT_ADDRESS_LEN];
} * senders;
static size_t nsenders;

static bool senders_load(const char *datadir)
{
    char path[700];
    json_t *root, *list, *a;
    size_t i;

    snprintf(path, sizeof path, "%s/devnet-accounts.json", datadir);
    if ((root = json_load_file(path, 0, NULL)) == NULL) return false;
    list = json_object_get(root, "accounts");
    if ((senders = sodium_malloc(json_array_size(list) * sizeof *senders + 1)) == NULL) {
        json_decref(root);
        return false;
    }
    json_array_foreach(list, i, a)
    {
        if (tacit_hex_decode(senders[i].sk, 32, json_string_value(json_object_get(a, "privateKey")),
                             true) != TACIT_OK ||
            tacit_address_from_seckey(senders[i].addr, senders[i].sk) != TACIT_OK)
            break;
        nsenders++;
    }
    json_decref(root);
    return nsenders > 0;
}

/* Proves one tx (a transfer, or a deposit from sender s) against the current root, submits it. */
static void prove_one(struct conn *k, bool deposit, uint64_t sender)
{
    static __thread char hex[2 * TACIT_TX_BYTES + 3];
    static __thread uint8_t enc[TACIT_TX_BYTES];
    struct tacit_txbuild *b;
    struct tacit_tx tx;
    uint8_t root[32], id[32];
    char err[64], ahex[2 * TACIT_ADDRESS_LEN + 3];
    json_t *ci, *acct, *res;
    int rc;

    if ((ci = call(k, "tacit_chainInfo", json_array(), NULL, 0)) == NULL) return;
    if (!hex32(root, json_object_get(ci, "noteRoot"))) {
        json_decref(ci);
        return;
    }
    json_decref(ci);
    if ((b = sodium_malloc(sizeof *b)) == NULL) return;
    memset(b, 0, sizeof *b);
    b->chain_id = S.chain_id;
    memcpy(b->rollup_id, S.rollup_id, sizeof b->rollup_id);
    if (tacit_fr_from_bytes(&b->anchor, root) != TACIT_OK) goto out;
    for (int i = 0; i < 2; i++) {
        tacit_fr sk_out;
        tacit_txbuild_random_fr(&sk_out);
        tacit_txbuild_keys(NULL, &b->out[i].pk, &sk_out);
        tacit_txbuild_random_fr(&b->out[i].blinding);
    }
    if (deposit) {
        tacit_hex_encode(ahex, senders[sender].addr, TACIT_ADDRESS_LEN);
        if ((acct = call(k, "tacit_getAccount", json_pack("[s]", ahex), NULL, 0)) == NULL) goto out;
        b->deposit_nonce = qty(json_object_get(acct, "nonce"));
        json_decref(acct);
        b->deposit_amount = DEPOSIT_AMOUNT;
        memcpy(b->deposit_sender, senders[sender].addr, TACIT_ADDRESS_LEN);
        b->deposit_sk = senders[sender].sk;
        b->out[0].value = DEPOSIT_AMOUNT;
    }
    rc = tacit_txbuild_prove(&tx, b, S.pk, 1, NULL);
    if (rc != TACIT_OK) {
        say("prover: %s", tacit_strerror(rc));
        goto out;
    }
    pthread_mutex_lock(&S.mu);
    S.proved++;
    pthread_mutex_unlock(&S.mu);
    tacit_tx_encode(enc, &tx);
    tacit_hex_encode(hex, enc, sizeof enc);
    if (!conn_get(k, 30000)) goto out;
    res = call(k, "tacit_sendRawTransaction", json_pack("[s]", hex), err, sizeof err);
    pthread_mutex_lock(&S.mu);
    if (res != NULL && hex32(id, res)) {
        if (S.ntxs == S.txs_cap) {
            size_t cap = S.txs_cap ? 2 * S.txs_cap : 1024;
            struct seen_tx *nt = realloc(S.txs, cap * sizeof *nt);
            if (nt == NULL) abort();
            S.txs = nt;
            S.txs_cap = cap;
        }
        memset(&S.txs[S.ntxs], 0, sizeof S.txs[0]);
        memcpy(S.txs[S.ntxs++].id, id, 32);
        S.submitted++;
    } else if (strncmp(err, "transport", 9) != 0) {
        S.rejected++;
        snprintf(S.last_reject, sizeof S.last_reject, "%s", err);
    }
    pthread_mutex_unlock(&S.mu);
    json_decref(res);
out:
    sodium_free(b);
}

static unsigned long nprovers = 1;

static void *prover_run(void *arg)
{
    struct conn k = {0};
    uint64_t p = (uint64_t)(uintptr_t)arg;
    for (uint64_t j = 0; !stopping();) {
        if (!conn_get(&k, 30000)) {
            sleep_ms(50);
            continue;
        }
        /* even: a transfer; odd: a deposit from sender p + nprovers * (j / 2) (mod their
         * number), so that two provers rarely share a sender (and a nonce) */
        prove_one(&k, j & 1, (p + nprovers * (j / 2)) % nsenders);
        j++;
    }
    tacit_rpc_client_free(k.c);
    return NULL;
}

static void *funder_run(void *arg)
{
    struct conn k = {0};
    (void)arg;
    while (!stopping()) {
        uint8_t addr[TACIT_ADDRESS_LEN], hash[32];
        char ahex[2 * TACIT_ADDRESS_LEN + 3];
        json_t *res;
        if (!conn_get(&k, 10000)) {
            sleep_ms(50);
            continue;
        }
        randombytes_buf(addr, sizeof addr);
        tacit_hex_encode(ahex, addr, sizeof addr);
        /* answered once the block holding the credit committed: {height, hash} */
        if ((res = call(&k, "dev_fund", json_pack("[s,s]", ahex, "1"), NULL, 0)) != NULL) {
            uint64_t h = qty(json_object_get(res, "height"));
            if (h != UINT64_MAX && hex32(hash, json_object_get(res, "hash"))) {
                pthread_mutex_lock(&S.mu);
                record_block(h, hash, "dev_fund reply");
                S.funded++;
                pthread_mutex_unlock(&S.mu);
            }
            json_decref(res);
        }
        sleep_ms(FUND_MS);
    }
    tacit_rpc_client_free(k.c);
    return NULL;
}

/* New blocks' hashes (getBlockRange from S.fetched to the tip). */
static void poll_blocks(struct conn *k)
{
    json_t *ci = call(k, "tacit_chainInfo", json_array(), NULL, 0), *r;
    uint64_t tip, from;
    uint8_t hash[32];

    if (ci == NULL) return;
    tip = qty(json_object_get(ci, "height"));
    if (tip != UINT64_MAX && hex32(hash, json_object_get(ci, "tipHash"))) {
        pthread_mutex_lock(&S.mu);
        record_block(tip, hash, "chainInfo");
        pthread_mutex_unlock(&S.mu);
    }
    json_decref(ci);
    if (tip == UINT64_MAX) return;
    pthread_mutex_lock(&S.mu);
    from = S.fetched;
    pthread_mutex_unlock(&S.mu);
    while (from <= tip) {
        uint64_t to = tip - from >= 999 ? from + 999 : tip;
        size_t i;
        json_t *b;
        char f[19], t[19];
        tacit_hex_u64(f, from);
        tacit_hex_u64(t, to);
        if ((r = call(k, "tacit_getBlockRange", json_pack("[s,s]", f, t), NULL, 0)) == NULL) return;
        pthread_mutex_lock(&S.mu);
        json_array_foreach(r, i, b)
        {
            uint64_t h = qty(json_object_get(b, "height"));
            if (h != UINT64_MAX && hex32(hash, json_object_get(b, "hash")))
                record_block(h, hash, "getBlockRange");
        }
        if (json_array_size(r) == to - from + 1 && to + 1 > S.fetched) S.fetched = to + 1;
        pthread_mutex_unlock(&S.mu);
        json_decref(r);
        from = to + 1;
    }
}

/* Statuses of submitted txs not yet seen included. */
static void poll_txs(struct conn *k)
{
    size_t idx[BATCH], n = 0;
    json_t *params[BATCH], *res[BATCH];

    pthread_mutex_lock(&S.mu);
    for (size_t i = 0; i < S.ntxs && n < BATCH; i++) {
        char h[67];
        if (S.txs[i].included) continue;
        tacit_hex_encode(h, S.txs[i].id, 32);
        idx[n] = i;
        params[n++] = json_pack("[s]", h);
    }
    pthread_mutex_unlock(&S.mu);
    if (n == 0 || !batch(k, "tacit_getTransaction", params, n, res)) return;
    pthread_mutex_lock(&S.mu);
    for (size_t i = 0; i < n; i++) {
        const char *st = json_string_value(json_object_get(res[i], "status"));
        struct seen_tx *t = &S.txs[idx[i]];
        if (st != NULL && strcmp(st, "included") == 0) {
            uint64_t h = qty(json_object_get(res[i], "height"));
            if (h != UINT64_MAX && hex32(t->hash, json_object_get(res[i], "blockHash"))) {
                t->height = h;
                t->included = true;
                S.nincluded++;
                record_block(h, t->hash, "getTransaction");
            }
        }
        json_decref(res[i]);
    }
    pthread_mutex_unlock(&S.mu);
}

static void *poller_run(void *arg)
{
    struct conn k = {0};
    (void)arg;
    while (!stopping()) {
        if (conn_get(&k, 10000)) {
            poll_blocks(&k);
            poll_txs(&k);
        }
        sleep_ms(POLL_MS);
    }
    tacit_rpc_client_free(k.c);
    return NULL;
}

/* ---------------------------------------------------------------- checking ---- */

/* A height or a tx found lost by verify: counted once (a copy was checked: flag the original). */
static uint64_t lost_block(uint64_t h, const char *what)
{
    uint64_t n = 0;
    pthread_mutex_lock(&S.mu);
    if (!S.blocks[h].lost) {
        S.blocks[h].lost = true;
        losses++;
        n = 1;
        say("LOSS: block %" PRIu64 " %s", h, what);
    }
    pthread_mutex_unlock(&S.mu);
    return n;
}

static uint64_t lost_tx(size_t i, const char *now)
{
    uint64_t n = 0;
    pthread_mutex_lock(&S.mu);
    if (!S.txs[i].lost) {
        char h[67];
        S.txs[i].lost = true;
        losses++;
        n = 1;
        tacit_hex_encode(h, S.txs[i].id, 32);
        say("LOSS: tx %s was included at %" PRIu64 ", now %s", h, S.txs[i].height, now);
    }
    pthread_mutex_unlock(&S.mu);
    return n;
}

/* Everything seen so far, against the node that just started. Returns the new losses found;
 * *failed: a check could not be made (the node stopped answering). */
static uint64_t verify(struct conn *k, uint64_t *tip_out, bool *failed)
{
    struct seen_block *blocks;
    struct seen_tx *txs;
    size_t ntxs;
    int64_t max_seen;
    uint64_t lost = 0, tip;
    json_t *ci;

    *failed = false;
    pthread_mutex_lock(&S.mu);
    max_seen = S.max_seen;
    blocks = malloc(((size_t)max_seen + 1) * sizeof *blocks + 1);
    if (blocks != NULL && max_seen >= 0)
        memcpy(blocks, S.blocks, ((size_t)max_seen + 1) * sizeof *blocks);
    ntxs = S.ntxs;
    txs = malloc(ntxs * sizeof *txs + 1);
    if (txs != NULL && ntxs) memcpy(txs, S.txs, ntxs * sizeof *txs);
    pthread_mutex_unlock(&S.mu);
    if (blocks == NULL || txs == NULL) abort();

    if ((ci = call(k, "tacit_chainInfo", json_array(), NULL, 0)) == NULL) {
        say("CHECK: chainInfo failed after the start");
        *failed = true;
        goto out;
    }
    tip = qty(json_object_get(ci, "height"));
    json_decref(ci);
    *tip_out = tip;
    if (tip == UINT64_MAX || (max_seen >= 0 && tip < (uint64_t)max_seen))
        say("LOSS: tip %" PRIu64 " below the highest height seen, %" PRId64, tip, max_seen);
    for (uint64_t from = 0; max_seen >= 0 && from <= (uint64_t)max_seen; from += 1000) {
        uint64_t to = (uint64_t)max_seen - from >= 999 ? from + 999 : (uint64_t)max_seen;
        char f[19], t[19];
        json_t *r, *b;
        size_t i;
        bool *have = calloc(to - from + 1, sizeof *have);
        if (have == NULL) abort();
        tacit_hex_u64(f, from);
        tacit_hex_u64(t, to);
        if ((r = call(k, "tacit_getBlockRange", json_pack("[s,s]", f, t), NULL, 0)) == NULL) {
            say("CHECK: getBlockRange %s..%s failed", f, t);
            *failed = true;
            free(have);
            continue;
        }
        json_array_foreach(r, i, b)
        {
            uint64_t h = qty(json_object_get(b, "height"));
            uint8_t hash[32];
            if (h < from || h > to || !hex32(hash, json_object_get(b, "hash"))) continue;
            have[h - from] = true;
            if (blocks[h].seen && memcmp(blocks[h].hash, hash, 32) != 0)
                lost += lost_block(h, "has another hash");
        }
        for (uint64_t h = from; h <= to; h++)
            if (blocks[h].seen && !have[h - from]) lost += lost_block(h, "is gone");
        free(have);
        json_decref(r);
    }
    for (size_t i0 = 0; i0 < ntxs; i0 += BATCH) {
        json_t *params[BATCH], *res[BATCH];
        size_t idx[BATCH], n = 0;
        for (size_t i = i0; i < ntxs && i < i0 + BATCH; i++) {
            char h[67];
            if (!txs[i].included) continue;
            tacit_hex_encode(h, txs[i].id, 32);
            idx[n] = i;
            params[n++] = json_pack("[s]", h);
        }
        if (n == 0) continue;
        if (!batch(k, "tacit_getTransaction", params, n, res)) {
            say("CHECK: getTransaction batch failed");
            *failed = true;
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            const struct seen_tx *t = &txs[idx[j]];
            const char *st = json_string_value(json_object_get(res[j], "status"));
            uint8_t hash[32];
            if (st == NULL || strcmp(st, "included") != 0 ||
                qty(json_object_get(res[j], "height")) != t->height ||
                !hex32(hash, json_object_get(res[j], "blockHash")) ||
                memcmp(hash, t->hash, 32) != 0)
                lost += lost_tx(idx[j], st ? st : "unknown");
            json_decref(res[j]);
        }
    }
out:
    free(blocks);
    free(txs);
    return lost;
}

/* ----------------------------------------------------------------- the loop ---- */

static void usage(void)
{
    fprintf(stderr, "usage: crashloop --datadir DIR [--kills N] [--minutes M] [--seed S] "
                    "[--max-wait-ms MS] [--interval-ms MS] [--provers P] [--sabotage K]\n");
    exit(2);
}

static void set_up(struct tnode *n, bool up)
{
    pthread_mutex_lock(&S.mu);
    S.up = up;
    if (up) {
        S.gen++;
        snprintf(S.url, sizeof S.url, "%s", n->url);
    }
    pthread_mutex_unlock(&S.mu);
}

/* The last lines of the node's log, after a failed start. */
static void log_tail(const struct tnode *n)
{
    char path[700], cmd[800];
    snprintf(path, sizeof path, "%s/tacitd.log", n->datadir);
    snprintf(cmd, sizeof cmd, "tail -n 20 '%s' >&2", path);
    if (system(cmd) != 0) fprintf(stderr, "(no log at %s)\n", path);
}

int main(int argc, char **argv)
{
    const char *datadir = NULL;
    unsigned long kills = 1000, minutes = 0, max_wait = 1000, interval = 200;
    unsigned long long seed = 0;
    unsigned long sabotage = 0;
    uint64_t corrupt = 0, done = 0, tip = 0, t_start, early_kills = 0;
    struct tnode node;
    struct conn k = {0};
    pthread_t th[8];
    size_t nth = 0;
    char path[700], ibuf[16];
    json_t *ci;
    int status = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) usage();
        if (strcmp(a, "--datadir") == 0)
            datadir = v;
        else if (strcmp(a, "--kills") == 0)
            kills = strtoul(v, NULL, 10);
        else if (strcmp(a, "--minutes") == 0)
            minutes = strtoul(v, NULL, 10);
        else if (strcmp(a, "--seed") == 0)
            seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--max-wait-ms") == 0)
            max_wait = strtoul(v, NULL, 10);
        else if (strcmp(a, "--interval-ms") == 0)
            interval = strtoul(v, NULL, 10);
        else if (strcmp(a, "--provers") == 0)
            nprovers = strtoul(v, NULL, 10);
        else if (strcmp(a, "--sabotage") == 0)
            sabotage = strtoul(v, NULL, 10);
        else
            usage();
        i++;
    }
    if (datadir == NULL || kills == 0 || nprovers == 0 || nprovers > 4 || interval == 0) usage();
    if (sodium_init() < 0) return 2;
    if (seed == 0) randombytes_buf(&seed, sizeof seed);
    srand48((long)seed);
    signal(SIGPIPE, SIG_IGN);

    tnode_init(&node, datadir);
    node.block_interval_ms = (int)interval;
    if (!tnode_seed_keys(datadir)) {
        fprintf(stderr, "crashloop: cannot copy the keys of TACIT_NODE_KEYS\n");
        return 2;
    }
    say("crashloop: seed %llu, %lu kills, datadir %s, blocks every %lu ms, %lu prover(s)", seed,
        kills, datadir, interval, nprovers);
    /* The first start may run the devnet trusted setup: minutes. */
    if (!tnode_start(&node, NULL) || !tnode_wait_ready(&node, 1800000)) {
        fprintf(stderr, "crashloop: the first start failed\n");
        log_tail(&node);
        return 2;
    }
    set_up(&node, true);
    if (!conn_get(&k, 60000) || (ci = call(&k, "tacit_chainInfo", json_array(), NULL, 0)) == NULL)
        return 2;
    S.chain_id = qty(json_object_get(ci, "chainId"));
    tacit_hex_decode(S.rollup_id, sizeof S.rollup_id,
                     json_string_value(json_object_get(ci, "rollupId")), true);
    json_decref(ci);
    if (!senders_load(datadir)) {
        fprintf(stderr, "crashloop: cannot read the devnet accounts of %s\n", datadir);
        return 2;
    }
    snprintf(path, sizeof path, "%s/keys/transfer.zkey", datadir);
    if (tacit_groth16_pk_read_file(&S.pk, path) != TACIT_OK) {
        fprintf(stderr, "crashloop: cannot read the proving key %s\n", path);
        return 2;
    }
    for (unsigned long p = 0; p < nprovers; p++)
        pthread_create(&th[nth++], NULL, prover_run, (void *)(uintptr_t)p);
    pthread_create(&th[nth++], NULL, funder_run, NULL);
    pthread_create(&th[nth++], NULL, poller_run, NULL);
    sleep_ms(3000); /* some load before the first kill */

    t_start = tnode_now_ms();
    for (bool early = false; done < kills;) {
        uint64_t t0, ready_ms = 0, lost = 0, wait;
        bool failed;
        bool next_early = done + 1 < kills && lrand48() % 10 == 0;

        if (!early) {
            wait = (uint64_t)(lrand48() % (long)(max_wait + 1));
            sleep_ms((unsigned)wait);
        } else {
            wait = (uint64_t)(lrand48() % 251);
            sleep_ms((unsigned)wait);
        }
        set_up(&node, false);
        kill(node.pid, SIGKILL);
        tnode_wait_pid(node.pid, 60000);
        node.pid = 0;
        done++;
        early_kills += early;
        if (sabotage && done == sabotage) { /* checks the checks: a store that lost its blocks */
            char cmd[1400];
            snprintf(cmd, sizeof cmd, "rm -rf '%s/state'", datadir);
            say("crashloop: --sabotage: removing %s/state after kill %" PRIu64, datadir, done);
            if (system(cmd) != 0) say("crashloop: could not remove the store");
        }

        t0 = tnode_now_ms();
        if (!tnode_start(&node, NULL)) {
            say("crashloop: cannot spawn tacitd");
            status = 2;
            break;
        }
        if (next_early) { /* the next kill lands while this start opens the store */
            say("kill %" PRIu64 " at +%" PRIu64 " ms%s; next kill during the start", done, wait,
                early ? " of a start" : "");
            early = true;
            continue;
        }
        early = false;
        if (!tnode_wait_ready(&node, READY_MS)) {
            corrupt++;
            say("CORRUPT OPEN after kill %" PRIu64 ": tacitd did not answer within %d s%s", done,
                READY_MS / 1000, node.pid == 0 ? " (it exited)" : "");
            log_tail(&node);
            break;
        }
        ready_ms = tnode_now_ms() - t0;
        set_up(&node, true);
        if (!conn_get(&k, 60000)) {
            corrupt++;
            say("CORRUPT OPEN after kill %" PRIu64 ": no client", done);
            break;
        }
        lost = verify(&k, &tip, &failed);
        if (failed) { /* it answered once, then not: as good as a store that does not open */
            corrupt++;
            say("CORRUPT OPEN after kill %" PRIu64 ": the checks could not be made", done);
            break;
        }
        pthread_mutex_lock(&S.mu);
        say("kill %" PRIu64 " at +%" PRIu64 " ms: up in %" PRIu64 " ms, tip %" PRIu64 ", %" PRId64
            " blocks and %zu included txs seen and checked%s; proved %" PRIu64 ", admitted %" PRIu64
            ", refused %" PRIu64 "%s%s%s",
            done, wait, ready_ms, tip, S.max_seen + 1, S.nincluded, lost ? ", LOSSES" : "",
            S.proved, S.submitted, S.rejected, S.last_reject[0] ? " (last: " : "", S.last_reject,
            S.last_reject[0] ? ")" : "");
        pthread_mutex_unlock(&S.mu);
        if (minutes && tnode_now_ms() - t_start >= minutes * 60000ull) {
            say("crashloop: %lu minutes passed", minutes);
            break;
        }
    }

    pthread_mutex_lock(&S.mu);
    S.stop = true;
    pthread_mutex_unlock(&S.mu);
    for (size_t i = 0; i < nth; i++) pthread_join(th[i], NULL);
    if (node.pid > 0 && corrupt == 0) {
        /* the last start: wait for it, a final check, then a clean stop */
        if (!tnode_wait_ready(&node, READY_MS)) {
            corrupt++;
            say("CORRUPT OPEN at the end: tacitd did not answer");
        } else {
            set_up(&node, true);
            bool failed;
            if (conn_get(&k, 60000)) {
                verify(&k, &tip, &failed);
                if (failed) corrupt++;
            }
        }
        tnode_stop(&node, SIGTERM, 60000);
    } else if (node.pid > 0) {
        tnode_stop(&node, SIGKILL, 10000);
    }
    tacit_rpc_client_free(k.c);
    snprintf(ibuf, sizeof ibuf, "%.1f",
             done ? (double)(tnode_now_ms() - t_start) / 1000.0 / (double)done : 0.0);
    say("\nkills %" PRIu64 " (%" PRIu64 " during a start), losses %" PRIu64
        ", corrupt opens %" PRIu64 "; %" PRId64
        " blocks and %zu included txs checked after every restart; %" PRIu64 " txs proved, %" PRIu64
        " admitted, %" PRIu64 " refused, %" PRIu64 " dev_fund blocks; %s s per kill",
        done, early_kills, losses, corrupt, S.max_seen + 1, S.nincluded, S.proved, S.submitted,
        S.rejected, S.funded, ibuf);
    tacit_groth16_pk_free(S.pk);
    sodium_free(senders);
    free(S.blocks);
    free(S.txs);
    if (status) return status;
    return losses == 0 && corrupt == 0 ? 0 : 1;
}
