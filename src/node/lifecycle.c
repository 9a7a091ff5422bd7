/*
 * tacit — the node's life cycle (include/tacit/node.h): tacit_node_run puts the parts together
 * (data directory, keys, store, mempool, the verify and block lanes, the RPC server), the
 * signals, the stop (no new connections, the block in progress commits, every waiting call is
 * answered), and the jobs that hold the whole store: admin_backup and dev_revert.
 */
#define _GNU_SOURCE /* realpath */
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/node_internal.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/rpc.h"
#include "tacit/util.h"

void tacit_node_config_init(struct tacit_node_config *c)
{
    memset(c, 0, sizeof *c);
    tacit_rpc_limits_default(&c->rpc_limits);
    c->rpc_host = "127.0.0.1";
    c->rpc_port = TACIT_DEFAULT_RPC_PORT;
    c->block_interval_ms = 1000;
    c->max_block_txs = 2048;
    c->min_fee = 1000;
    c->mempool_max_txs = 50000;
    c->mempool_max_bytes = (size_t)256 << 20;
    c->verify_queue_max = 8192;
    c->l1_confirmations = 2;
    c->settle_poll_ms = 1000;
    c->l1_max_inflight = 4;
    c->l1_bump_after = 3;
    c->log_level = TACIT_LOG_INFO;
}

/* ------------------------------------------------------------------- jobs ---- */

bool tacit__node_jobs_busy(const struct tacit_node *n)
{
    return n->bat.inflight || n->adm.inflight > 0 || n->backups_inflight > 0 || n->reads.inflight ||
           n->settle.inflight || n->follow.inflight || n->follow.forwards_inflight > 0 ||
           n->fl1.inflight;
}

bool tacit__node_store_closing(const struct tacit_node *n)
{
    return n->stopping || n->revert_call != NULL || n->rollback_wanted;
}

static void finish_stop(struct tacit_node *n);

/* dev_revert waits until no job is in flight (they read the store being replaced). */
static void maybe_revert(struct tacit_node *n)
{
    struct tacit_rpc_call *call = n->revert_call;
    int rc;
    if (call == NULL || tacit__node_jobs_busy(n)) return;
    n->revert_call = NULL;
    rc = tacit__snapshot_revert(n, n->revert_id);
    if (rc == TACIT_OK)
        tacit_rpc_reply(call, json_true());
    else
        tacit_rpc_reply_tacit_error(call, rc);
    tacit__admission_dispatch(n); /* the verify queue waited for the revert */
}

/* tacit__node_rollback waits until no job is in flight, as dev_revert does. */
static void maybe_rollback(struct tacit_node *n)
{
    struct tacit_state_tip tip;
    uint64_t before = 0;
    size_t back = 0, dropped = 0;
    int rc;
    if (!n->rollback_wanted || tacit__node_jobs_busy(n) || n->stopping) return;
    n->rollback_wanted = false;
    if (tacit_state_tip(n->st, &tip) == TACIT_OK) before = tip.next_height;
    rc = tacit__chain_rollback_ex(n, n->rollback_height, &back, &dropped);
    if (rc == TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "chain",
                  "L1 REORG: %s; the chain was rolled back to height %" PRIu64 " (%" PRIu64
                  " blocks dropped, %zu of their transactions pending again, %zu dropped by "
                  "the re-check) and is rebuilt from the L1 queue as it is now",
                  n->rollback_why, n->rollback_height, before - n->rollback_height, back, dropped);
        n->rolled_back = true;
        n->last_rollback_height = n->rollback_height;
        n->last_rollback_blocks = before - n->rollback_height;
        n->last_rollback_ms = tacit__now_ms();
        n->settle.nonce_reset = true;
    } else {
        /* the store is as it was (or, failing to reopen, the node cannot go on) */
        tacit_log(TACIT_LOG_ERROR, "chain",
                  "L1 REORG: %s, but the rollback to height %" PRIu64
                  " failed: %s (%s); nothing more is submitted until it succeeds (retried at "
                  "the next settlement step)",
                  n->rollback_why, n->rollback_height, tacit_strerror(rc), tacit_errname(rc));
        if (n->st == NULL) {
            /* no store to go on with: a restart finds the old or the new one
             * (tacit__rollback_recover) */
            tacit_log(TACIT_LOG_ERROR, "chain", "no store open after the failed rollback: exiting");
            exit(1);
        }
    }
    tacit__admission_dispatch(n);
    tacit__batcher_start(n);
    tacit__settle_poke(n);
    tacit__follow_l1_rolled_back(n, rc);
}

void tacit__node_rollback(struct tacit_node *n, uint64_t height, const char *why)
{
    if (n->stopping) return;
    if (!n->rollback_wanted || height < n->rollback_height) n->rollback_height = height;
    n->rollback_wanted = true;
    snprintf(n->rollback_why, sizeof n->rollback_why, "%s", why);
    tacit_log(TACIT_LOG_ERROR, "chain",
              "L1 REORG: %s: rolling the chain back to height %" PRIu64
              " once the jobs in flight are done",
              why, height);
    maybe_rollback(n);
}

void tacit__node_job_finished(struct tacit_node *n)
{
    maybe_rollback(n);
    maybe_revert(n);
    if (n->stopping) finish_stop(n);
}

void tacit__node_revert(struct tacit_node *n, struct tacit_rpc_call *call, uint64_t id)
{
    if (n->revert_call != NULL || n->stopping) {
        tacit_rpc_reply_tacit_error(call, TACIT_EBUSY);
        return;
    }
    n->revert_call = call;
    n->revert_id = id;
    maybe_revert(n); /* now, or when the jobs in flight are done */
}

/* admin_backup: mdb_env_copy2 of a large store takes long, so it runs on the thread pool
 * (LMDB copies from its own read transaction while blocks keep committing). */
struct backup_job {
    uv_work_t req;
    struct tacit_node *n;
    struct tacit_rpc_call *call;
    int rc;
    long size;
    char dir[];
};

static void backup_work(uv_work_t *req)
{
    struct backup_job *j = req->data;
    char *file;
    FILE *f;
    j->size = -1;
    if ((j->rc = tacit_state_copy(j->n->st, j->dir)) != TACIT_OK) return;
    if ((file = tacit_datadir_path(j->dir, "data.mdb")) != NULL &&
        (f = fopen(file, "rb")) != NULL) {
        if (fseek(f, 0, SEEK_END) == 0) j->size = ftell(f);
        fclose(f);
    }
    free(file);
}

static void backup_after(uv_work_t *req, int status)
{
    struct backup_job *j = req->data;
    struct tacit_node *n = j->n;
    (void)status;
    n->backups_inflight--;
    if (j->rc != TACIT_OK) {
        /* a backup error is the backup's (EBACKUP_*, EEXISTS): blocks are not concerned */
        tacit_log(TACIT_LOG_WARN, "admin", "backup to %s failed: %s (%s)", j->dir,
                  tacit_strerror(j->rc), tacit_errname(j->rc));
        tacit_rpc_reply_tacit_error(j->call, j->rc);
    } else {
        tacit_log(TACIT_LOG_INFO, "admin", "backup written to %s (%ld bytes)", TACIT_LOG_S(j->dir),
                  j->size);
        tacit_rpc_reply(j->call,
                        json_pack("{s:s,s:I}", "path", j->dir, "bytes", (json_int_t)j->size));
    }
    free(j);
    tacit__node_job_finished(n);
}

void tacit__node_backup(struct tacit_node *n, struct tacit_rpc_call *call, const char *dir)
{
    size_t len = strlen(dir);
    struct backup_job *j;
    if (tacit__node_store_closing(n)) {
        tacit_rpc_reply_tacit_error(call, TACIT_EBUSY);
        return;
    }
    if ((j = calloc(1, sizeof *j + len + 1)) == NULL) {
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
        return;
    }
    memcpy(j->dir, dir, len + 1);
    j->req.data = j;
    j->n = n;
    j->call = call;
    n->backups_inflight++;
    if (uv_queue_work(&n->loop, &j->req, backup_work, backup_after) != 0) {
        n->backups_inflight--;
        free(j);
        tacit_rpc_reply_tacit_error(call, TACIT_EBUSY);
    }
}

/* ------------------------------------------------------------- life cycle ---- */

static void close_cb_noop(uv_handle_t *h) { (void)h; }
static void close_signals(struct tacit_node *n);

static void rpc_stopped(void *arg)
{
    struct tacit_node *n = arg;
    n->rpc = NULL;
    finish_stop(n);
}

/* Runs when the RPC server has stopped and no job is in flight: close the remaining handles
 * (uv_run then returns, and tacit_node_run releases the rest). */
static void finish_stop(struct tacit_node *n)
{
    if (n->rpc != NULL || tacit__node_jobs_busy(n) || n->closed) return;
    n->closed = true;
    tacit__admission_stop(n);
    tacit__batcher_stop(n);
    tacit__settle_stop(n);
    tacit__follow_stop(n);
    if (n->revert_call != NULL) {
        tacit_rpc_reply_tacit_error(n->revert_call, TACIT_EBUSY);
        n->revert_call = NULL;
    }
    /* The socket went with the RPC server; the cookie goes now, before the signal handles
     * close: from then on a signal has its default action again, and a second SIGTERM must not
     * leave anything behind. The signals that never stop the node stay ignored. */
    tacit__cookie_remove(n);
    close_signals(n);
}

/* ------------------------------------------------------------------ signals ---- */

/*
 * What each signal does (docs/operations.md). SIGINT, SIGTERM and SIGQUIT stop the node
 * cleanly: no new connections, the block in progress commits, the waiting calls are answered,
 * the socket and the cookie are removed, exit 0. SIGHUP (logrotate's) and SIGUSR1 reopen the
 * log file; SIGUSR2 is logged and ignored. None of them kills the node. SIGPIPE is ignored
 * (a client that went away is seen on the write).
 */
enum { ON_STOP, ON_REOPEN_LOG, ON_IGNORE };
static const struct {
    int signum;
    const char *name;
    int what;
} node_signals[TACIT__NSIGNALS] = {
    {SIGINT, "SIGINT", ON_STOP},         {SIGTERM, "SIGTERM", ON_STOP},
    {SIGQUIT, "SIGQUIT", ON_STOP},       {SIGHUP, "SIGHUP", ON_REOPEN_LOG},
    {SIGUSR1, "SIGUSR1", ON_REOPEN_LOG}, {SIGUSR2, "SIGUSR2", ON_IGNORE},
};

/* Before the loop runs (a devnet's trusted setup takes minutes) and after its handles close,
 * the signals that must never kill the node are ignored. */
static void ignore_non_stop_signals(void)
{
    for (int i = 0; i < TACIT__NSIGNALS; i++)
        if (node_signals[i].what != ON_STOP) signal(node_signals[i].signum, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
}

static void close_signals(struct tacit_node *n)
{
    for (int i = 0; i < TACIT__NSIGNALS; i++) uv_close((uv_handle_t *)&n->sig[i], close_cb_noop);
    ignore_non_stop_signals(); /* libuv restored the default action of each */
}

static void on_signal(uv_signal_t *h, int signum)
{
    struct tacit_node *n = h->data;
    int i = 0, rc;
    while (i < TACIT__NSIGNALS - 1 && node_signals[i].signum != signum) i++;
    switch (node_signals[i].what) {
    case ON_REOPEN_LOG:
        if (tacit_log_path() == NULL) {
            tacit_log(TACIT_LOG_INFO, "node", "%s: no log file to reopen (the log goes to stderr)",
                      node_signals[i].name);
        } else if ((rc = tacit_log_reopen()) != TACIT_OK) {
            tacit_log(TACIT_LOG_ERROR, "node",
                      "%s: cannot reopen the log file %s: %s; still writing to the old one",
                      node_signals[i].name, TACIT_LOG_S(tacit_log_path()), tacit_strerror(rc));
        } else {
            tacit_log(TACIT_LOG_INFO, "node", "%s: log file reopened", node_signals[i].name);
        }
        return;
    case ON_IGNORE: tacit_log(TACIT_LOG_INFO, "node", "%s: ignored", node_signals[i].name); return;
    default: break;
    }
    if (n->stopping) {
        tacit_log(TACIT_LOG_INFO, "node", "%s: already stopping", node_signals[i].name);
        return;
    }
    tacit_log(TACIT_LOG_INFO, "node", "%s: stopping (finishing the block in progress)",
              node_signals[i].name);
    if (n->cfg.notify != NULL) n->cfg.notify("STOPPING=1\nSTATUS=stopping");
    n->stopping = true;
    uv_timer_stop(&n->bat.timer);
    if (n->rpc != NULL)
        tacit_rpc_server_stop(n->rpc, rpc_stopped, n);
    else
        finish_stop(n);
}

static int start_rpc(struct tacit_node *n)
{
    struct tacit_rpc_config rc;
    const char *rpcauth_none[] = {NULL};
    int err;
    memset(&rc, 0, sizeof rc);
    rc.bind_host = n->cfg.rpc_host;
    rc.bind_port = n->cfg.rpc_port;
    rc.socket_path = n->socket_path;
    rc.limits = n->cfg.rpc_limits;
    rc.auth.cookie = n->cookie;
    rc.auth.rpcauth = n->cfg.rpcauth != NULL ? n->cfg.rpcauth : rpcauth_none;
    rc.methods = tacit__node_methods;
    rc.ud = n;
    rc.metrics = tacit__node_metrics;
    rc.health = tacit__node_health;
    rc.metrics_host = n->cfg.metrics_host;
    rc.metrics_port = n->cfg.metrics_port;
    rc.metrics_on_rpc = n->cfg.metrics_on_rpc;
    rc.cors_origin = n->cfg.rpc_cors;
    if ((err = tacit_rpc_server_start(&n->rpc, &n->loop, &rc)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "rpc", "cannot listen on %s:%u%s%s%s%s: %s",
                  n->cfg.rpc_host ? TACIT_LOG_S(n->cfg.rpc_host) : "-", (unsigned)n->cfg.rpc_port,
                  n->socket_path ? " / " : "", n->socket_path ? TACIT_LOG_S(n->socket_path) : "",
                  n->cfg.metrics_host ? " / metrics " : "",
                  n->cfg.metrics_host ? TACIT_LOG_S(n->cfg.metrics_host) : "", tacit_strerror(err));
        return err;
    }
    if (n->cfg.rpc_host != NULL) {
        char url[300];
        snprintf(url, sizeof url, "http://%s:%u", n->cfg.rpc_host,
                 (unsigned)tacit_rpc_server_port(n->rpc));
        tacit_log(TACIT_LOG_INFO, "rpc", "JSON-RPC on %s", TACIT_LOG_S(url));
        /* Scripts and tacit-cli --devnet find the node there (port 0 binds any free port). */
        if (n->cfg.devnet && tacit__devnet_set_rpc_url(n, url) != TACIT_OK)
            tacit_log(TACIT_LOG_WARN, "devnet",
                      "cannot record %s in " TACIT_DATADIR_DEVNET_ACCOUNTS, TACIT_LOG_S(url));
    }
    if (n->socket_path != NULL)
        tacit_log(TACIT_LOG_INFO, "rpc", "JSON-RPC on unix:%s", TACIT_LOG_S(n->socket_path));
    if (n->cfg.metrics_host != NULL) {
        char url[300];
        snprintf(url, sizeof url, "http://%s:%u/metrics", n->cfg.metrics_host,
                 (unsigned)tacit_rpc_server_metrics_port(n->rpc));
        tacit_log(TACIT_LOG_INFO, "rpc", "metrics on %s", TACIT_LOG_S(url));
    }
    return TACIT_OK;
}

static void node_free(struct tacit_node *n)
{
    tacit__recent_blocks_clear(n);
    tacit__settle_free(n);
    tacit__follow_free(n);
    free(n->adm.rejected);
    free(n->adm.submitters);
    tacit_mempool_free(n->mp);
    tacit_state_close(n->st);
    tacit_groth16_pvk_free(n->pvk);
    tacit_groth16_vk_free(n->vk);
    free(n->vk_json);
    tacit_sequencer_key_free(n->key);
    tacit__cookie_remove(n);
    tacit__datadir_unlock(n);
    free(n->datadir);
    free(n->state_dir);
    free(n->socket_path);
    free(n);
}

static unsigned ncores(void)
{
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c < 1 ? 1u : c > 64 ? 64u : (unsigned)c;
}

/* The TCP listeners (RPC, metrics) are tried before anything is written to the data directory:
 * a busy port is refused with the directory as it was (a directory this start made is removed
 * again). The Unix socket is checked when it is bound (a live node there holds the lock). */
static bool listeners_free(struct tacit_node *n, bool made_dir)
{
    struct {
        const char *what, *host;
        uint16_t port;
    } l[2] = {{"the JSON-RPC address (rpc_bind)", n->cfg.rpc_host, n->cfg.rpc_port},
              {"the metrics address (metrics_bind)", n->cfg.metrics_host, n->cfg.metrics_port}};
    for (size_t i = 0; i < 2; i++) {
        int rc;
        if (l[i].host == NULL || (rc = tacit_rpc_probe_tcp(l[i].host, l[i].port)) == TACIT_OK)
            continue;
        tacit_log(TACIT_LOG_ERROR, "node", "cannot listen on %s %s:%u: %s; nothing was written",
                  l[i].what, TACIT_LOG_S(l[i].host), (unsigned)l[i].port,
                  rc == TACIT_EEXISTS ? "in use by another program (choose another port)"
                  : rc == TACIT_EINVAL
                      ? "not an address of this machine"
                      : "not allowed (a port below 1024 needs privileges) or no such interface");
        if (made_dir) {
            char *lock = tacit_datadir_path(n->datadir, TACIT_DATADIR_LOCK);
            tacit__datadir_unlock(n);
            if (lock != NULL) unlink(lock);
            free(lock);
            rmdir(n->datadir);
        }
        return false;
    }
    return true;
}

int tacit_node_run(const struct tacit_node_config *cfg)
{
    struct tacit_node *n;
    struct tacit_mempool_limits ml;
    struct tacit_state_tip tip;
    char hex[67];
    int rc;

    memset(&tip, 0, sizeof tip);
    ignore_non_stop_signals();
    if (cfg->log_file != NULL && (rc = tacit_log_open(cfg->log_file)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "node", "cannot open the log file %s: %s",
                  TACIT_LOG_S(cfg->log_file), tacit_strerror(rc));
        return 1;
    }
    tacit_log_set_level(cfg->log_level);
    if (cfg->follow_l1 && cfg->follow != NULL) {
        tacit_log(TACIT_LOG_ERROR, "node",
                  "--follow-l1 follows L1 alone, --follow URL the sequencer (checked on L1 with "
                  "--l1-rpc and --l1-rollup): give one of them");
        goto fail_log;
    }
    if (cfg->sequence_when_open &&
        (!cfg->follow_l1 || cfg->settler == NULL || cfg->l1_rpc == NULL || cfg->l1_rollup == NULL ||
         cfg->l1_key == NULL)) {
        tacit_log(TACIT_LOG_ERROR, "node",
                  "--sequence-when-open goes with --follow-l1, --l1-rpc, --l1-rollup and "
                  "--l1-key (the key that pays for its submissions)");
        goto fail_log;
    }
    if ((cfg->follow_l1 || (cfg->follow != NULL && cfg->l1_rpc != NULL)) &&
        !cfg->sequence_when_open &&
        (cfg->l1_rpc == NULL || cfg->l1_rollup == NULL || cfg->l1_key != NULL ||
         cfg->settler != NULL)) {
        tacit_log(TACIT_LOG_ERROR, "node",
                  "a follower on L1 takes --l1-rpc and --l1-rollup (no --l1-key: it submits "
                  "nothing)");
        goto fail_log;
    }
    if (cfg->follow_l1 && cfg->follow_forward) {
        tacit_log(TACIT_LOG_ERROR, "node",
                  "--follow-forward needs the sequencer's URL (--follow URL): an L1 follower has "
                  "none");
        goto fail_log;
    }
    if ((cfg->l1_rpc != NULL || cfg->l1_rollup != NULL || cfg->l1_key != NULL) &&
        cfg->settler == NULL && cfg->follow == NULL && !cfg->follow_l1) {
        /* never a node that was asked to settle and silently does not */
        tacit_log(TACIT_LOG_ERROR, "node",
                  "the L1 flags are set but there is no settler to submit blocks with");
        goto fail_log;
    }
    if ((cfg->follow != NULL || cfg->follow_l1) &&
        (cfg->devnet || (cfg->settler != NULL && !cfg->sequence_when_open))) {
        /* a follower takes the sequencer's blocks: it makes none, and settles none */
        tacit_log(TACIT_LOG_ERROR, "node",
                  "--follow cannot go with --devnet or the L1 flags (a devnet's follower: "
                  "--follow-devnet)");
        goto fail_log;
    }
    if (sodium_init() < 0) {
        tacit_log(TACIT_LOG_ERROR, "node", "libsodium failed to initialise");
        goto fail_log;
    }
    if ((n = calloc(1, sizeof *n)) == NULL) goto fail_log;
    n->cfg = *cfg;
    n->lock_fd = -1;
    n->exit_code = 0;
    n->adm.threads = cfg->verify_threads ? cfg->verify_threads : ncores();
    if ((n->datadir = strdup(cfg->datadir)) == NULL) goto fail;
    {
        struct stat sb;
        bool made_dir = stat(cfg->datadir, &sb) != 0;
        if (tacit__datadir_lock(n) != TACIT_OK) goto fail; /* makes the directory */
        if (!listeners_free(n, made_dir)) goto fail;
    }
    {
        /* Absolute from here on: logs, the accounts file and the socket path say where. */
        char *abs = realpath(n->datadir, NULL);
        if (abs != NULL) {
            free(n->datadir);
            n->datadir = abs;
        }
    }
    if ((n->state_dir = tacit_datadir_path(n->datadir, TACIT_DATADIR_STATE)) == NULL) goto fail;
    if (cfg->rpc_socket == NULL)
        n->socket_path = tacit_datadir_path(n->datadir, TACIT_DATADIR_SOCKET);
    else if (cfg->rpc_socket[0] != '\0')
        n->socket_path = strdup(cfg->rpc_socket);

    if (tacit__flags_load(n) != TACIT_OK) goto fail;
    if (tacit__keys_load(n) != TACIT_OK) goto fail;
    if (cfg->follow == NULL && !cfg->follow_l1 && tacit__sequencer_key_load(n) != TACIT_OK)
        goto fail;
    n->params.chain_id = cfg->devnet ? TACIT_DEVNET_CHAIN_ID : cfg->chain_id;
    memcpy(n->params.rollup_id, cfg->rollup_id, TACIT_ROLLUP_ID_LEN);
    /* L1 mode: credits only from the L1 queue (the block job takes them; dev_fund is refused) */
    n->params.allow_credits = cfg->devnet || cfg->settler != NULL || cfg->follow_devnet;
    if (cfg->settler != NULL &&
        !cfg->sequence_when_open) { /* protocol v2: digests bind the L1 chain and the contract */
        n->params.tx_version = TACIT_TX_VERSION_L1;
        n->params.l1_chain_id = cfg->l1_chain_id;
    }
    /* a follower: the sequencer's key and fee address (chain.json, or its chainInfo once) */
    /* on L1 (--follow-l1, or --follow with the L1 flags): the contract's parameters */
    if (tacit__following_l1(n) && tacit__follow_l1_params(n) != TACIT_OK) goto fail;
    if (cfg->follow != NULL && tacit__follow_params(n) != TACIT_OK) goto fail;
    if (tacit__state_open(n) != TACIT_OK) goto fail;
    /* a follower that sequences while submission is open keeps a follower's chain */
    if (tacit__settle_mode_check(n->st, cfg->settler != NULL && !cfg->sequence_when_open) !=
        TACIT_OK)
        goto fail;
    ml.max_txs = cfg->mempool_max_txs;
    ml.max_bytes = cfg->mempool_max_bytes;
    if ((rc = tacit_mempool_new(&n->mp, &ml)) != TACIT_OK) goto fail;
    if (cfg->devnet && tacit__devnet_genesis(n) != TACIT_OK) goto fail;
    if (tacit__cookie_write(n) != TACIT_OK) goto fail;

    if (uv_loop_init(&n->loop) != 0) goto fail;
    /* From here on a failure goes through the stop, which closes what was opened. */
    for (int i = 0; i < TACIT__NSIGNALS; i++) {
        uv_signal_init(&n->loop, &n->sig[i]);
        n->sig[i].data = n;
        uv_signal_start(&n->sig[i], on_signal, node_signals[i].signum);
    }
    if (tacit__admission_init(n) != TACIT_OK || tacit__batcher_init(n) != TACIT_OK ||
        tacit__settle_init(n) != TACIT_OK || tacit__follow_init(n) != TACIT_OK ||
        start_rpc(n) != TACIT_OK) {
        n->exit_code = 1;
        n->stopping = true;
        finish_stop(n);
    } else {
        tacit__batcher_run(n);
        tacit__settle_run(n);
        tacit__follow_run(n);
        if (tacit_state_tip(n->st, &tip) == TACIT_OK) {
            tacit_hex_encode(hex, tip.hash, 32);
            if (cfg->follow != NULL)
                tacit_log(TACIT_LOG_INFO, "node",
                          "ready: chain 0x%" PRIx64 ", next height %" PRIu64
                          ", tip %s, following the sequencer at %s%s (no blocks of its own)",
                          n->params.chain_id, tip.next_height, hex, TACIT_LOG_S(cfg->follow),
                          tacit__following_l1(n) ? ", checked on L1" : "");
            else if (cfg->follow_l1)
                tacit_log(TACIT_LOG_INFO, "node",
                          "ready: chain 0x%" PRIx64 ", next height %" PRIu64
                          ", tip %s, following %s (%s)",
                          n->params.chain_id, tip.next_height, hex, tacit__follow_source(n),
                          cfg->sequence_when_open
                              ? "and sequencing from L1 data while its submission is open"
                              : "no blocks of its own");
            else
                tacit_log(TACIT_LOG_INFO, "node",
                          "ready: chain 0x%" PRIx64 ", next height %" PRIu64
                          ", tip %s, %s, blocks every %u ms, "
                          "%u verify threads%s",
                          n->params.chain_id, tip.next_height, hex,
                          n->paused ? "PAUSED" : "sequencing", cfg->block_interval_ms,
                          n->adm.threads, cfg->settler != NULL ? ", settling on L1" : "");
        }
        if (cfg->notify != NULL) {
            char st[128];
            snprintf(st, sizeof st, "READY=1\nSTATUS=%s, next height %" PRIu64,
                     tacit__following(n) ? "following"
                     : n->paused         ? "paused"
                                         : "sequencing",
                     tip.next_height);
            cfg->notify(st);
        }
    }
    uv_run(&n->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&n->loop) != 0)
        tacit_log(TACIT_LOG_WARN, "node", "loop closed with handles open");
    rc = n->exit_code;
    tacit_log(TACIT_LOG_INFO, "node", "stopped");
    node_free(n);
    if (cfg->log_file != NULL) tacit_log_open(NULL);
    return rc;
fail:
    node_free(n);
fail_log:
    if (cfg->log_file != NULL) tacit_log_open(NULL);
    return 1;
}
