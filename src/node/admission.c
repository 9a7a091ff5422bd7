/*
 * tacit — admission: tacit_sendRawTransaction up to the mempool (docs/architecture.md,
 * "A transaction's path"). Each rule is checked once on this path, cheapest first:
 *
 *   loop    decode (tacit_tx_decode: the encoding rules), the chain's parameters
 *           (tacit_tx_check_params: chain id, fee), the tx id, the mempool's check
 *           (tacit_mempool_check: a tx that would be refused there is not worth a proof check)
 *           but for a conflict with a pending tx, which is answered only after the proof
 *           (else it would be an oracle that needs no proof: is this nullifier pending?)
 *   verify  the rest of the static rules (tacit_tx_check_content: hashes, amounts, the deposit
 *   lane    signature), the state rules against the committed state
 *           (tacit_tx_check_state_store), the proof's points (tacit_tx_proof), then the proofs
 *           of the whole batch with one final exponentiation (tacit_groth16_verify_batch_var)
 *   loop    tacit_mempool_add, and the caller gets its tx id
 *
 * Three checks may run a second time, each for a reason of its own, and only then: the
 * mempool's conflicts in tacit_mempool_add (other txs entered the pool while the proof was
 * checked; the first answer of a conflict with a pending tx); the state rules when a block committed while the job ran (it may have spent a
 * nullifier or retired the anchor); the fee when admin_setMinFee raised the minimum meanwhile.
 * A block that commits after that is the mempool's to re-check (tacit_mempool_after_block,
 * batcher.c). The mempool also refuses nf0 = nf1 itself (its nullifier index needs two), but
 * tacit_tx_check_content has refused such a tx before it gets there.
 *
 * Also here: the statuses of txs that were pending and are no more without being included
 * ("rejected" with the rule they broke, for tacit_getTransaction).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/node_internal.h"
#include "tacit/error.h"
#include "tacit/util.h"

/* ---------------------------------------------------------- verify batches ---- */

/* The cost model of a verify job of k txs on one thread: a + b k microseconds. a is paid once
 * per batch (the final exponentiation, ~370 us, and the gamma and delta Miller loops of
 * tacit_groth16_verify_batch_var); b is each tx's checks, points and share of the pairing.
 * From `tacit-bench crypto groth16` (Release, the 2-core machine of docs/operations.md,
 * "Throughput"): "groth16 verify, 7 public inputs" is a + b (585 us quiet, 638 at load 12),
 * "batch verify per proof, N = 256" about b (215 us; 222). Only their ratio enters the rule.
 * The model is not exact: at N = 16 a proof cost 307 us at load 12 (the model says 238 quiet),
 * a small batch's MSMs being dearer per point; b ~ 280 (a ~ 355) there would make
 * VERIFY_PART_MIN 3, which the simulations of tests/test_admission.c found better at 4
 * connections and worse at 16 than 4. */
#define VERIFY_COST_FIXED_US 370
#define VERIFY_COST_PER_TX_US 215

/* The smallest job worth its own final exponentiation: 2a / b rounded up (4 here), the
 * smallest k whose fixed part a is at most a third of the job (a <= (a + b k) / 3). */
#define VERIFY_PART_MIN \
    ((2 * VERIFY_COST_FIXED_US + VERIFY_COST_PER_TX_US - 1) / VERIFY_COST_PER_TX_US)
/* The longest a queue waits for a running job's size: 2 * VERIFY_PART_MIN (8: a fifth fixed). */
#define VERIFY_WAIT_MAX (2 * VERIFY_PART_MIN)
#define VERIFY_BATCH_MAX 256 /* the memory of one job (its proofs and items) */

const unsigned tacit__verify_size_le[TACIT__VERIFY_SIZES - 1] = {1, 2, 4, 8, 16, 32, 64, 128};

/* The rule, from the cost model (tests/test_admission.c simulates it against the one before:
 * wait for 8 while a job ran, split only queues of 16 or more):
 *
 *  - an idle lane: the txs queued finish soonest spread over every idle thread (each of m
 *    parts finishes in a + b q / m), but each part pays a of CPU that the loop and the other
 *    threads share; so parts of at least VERIFY_PART_MIN, and the queue split in as many as
 *    that allows, up to the idle threads (the later parts the larger: floor);
 *  - while jobs of k txs run (k their mean), a queue shorter than k waits, at least for
 *    VERIFY_PART_MIN, at most for VERIFY_WAIT_MAX: the txs arrive about as fast as the running
 *    jobs finish, so the threads take turns with jobs of like size instead of jobs that shrink
 *    to a few txs, each paying a; and a long job's size is no reason to hold a queue longer;
 *  - a queue at least that long is shared between the idle threads and the running job that
 *    ends first: each takes 1 / (idle + 1) of it (but at least the wait), the last share left
 *    for that job's thread, which frees soon. One job of the whole queue would finish it at
 *    a + b q, the last txs waiting for the first; two shares finish in about a + b q / 2. A
 *    share left behind that would be too short to start a job is taken too.
 *
 * With 8 connections on 2 threads the old rule made one job of all 8 (the second thread idle);
 * with 32 or more, a thread freed took the whole queue, one long job beside a short one. */
size_t tacit__verify_take(size_t queued, unsigned threads, unsigned running, size_t running_txs)
{
    unsigned idle = running < threads ? threads - running : 0;
    size_t part = VERIFY_PART_MIN, parts, take;
    if (queued == 0 || idle == 0) return 0;
    if (running == 0) {
        /* Floor: each part at least VERIFY_PART_MIN and the rest never smaller than this one,
         * so the next call (with this job running) starts the rest at once. */
        parts = queued / part;
        if (parts > idle) parts = idle;
        take = parts > 1 ? queued / parts : queued;
    } else {
        size_t k = (running_txs + running - 1) / running; /* ceil: an integer >= the mean */
        if (k > part) part = k;
        if (part > VERIFY_WAIT_MAX) part = VERIFY_WAIT_MAX;
        if (queued < part) return 0;
        take = (queued + idle) / (idle + 1); /* ceil(queued / (idle + 1)) */
        if (take < part) take = part;
        if (queued - take < part) take = queued;
    }
    return take < VERIFY_BATCH_MAX ? take : VERIFY_BATCH_MAX;
}

/* A censoring sequencer, for tests/cli_wallet_force.sh only: in a build with TACIT_TEST_HOOKS
 * (CMake; on by default in sanitizer and fuzz builds alone), while the file named by
 * $TACIT_TEST_CENSOR_FILE exists, a transaction that passed every check is answered with its
 * id, as if admitted, and dropped: it never enters the mempool, so no block takes it. The
 * queue on L1 (deposits, forced transactions) is not touched. A release build has no code that
 * reads the variable. */
static bool censoring(void)
{
#ifdef TACIT_TEST_HOOKS
    const char *f = getenv("TACIT_TEST_CENSOR_FILE");
    return f != NULL && f[0] != '\0' && access(f, F_OK) == 0;
#else
    return false;
#endif
}

static size_t rejected_slot(const uint8_t id[32])
{
    /* Ids are BLAKE2b outputs: their first bytes are already uniform. */
    uint64_t h;
    memcpy(&h, id, sizeof h);
    return (size_t)(h % TACIT__REJECTED_MAX);
}

static void status_submitted(struct tacit_node *n, const uint8_t id[32], uint64_t conn)
{
    struct tacit__submitter *w = &n->adm.submitters[rejected_slot(id)];
    memcpy(w->id, id, 32);
    w->conn = conn;
}

void tacit__status_rejected(struct tacit_node *n, const uint8_t id[32], int reason)
{
    size_t slot = rejected_slot(id);
    struct tacit__rejected *r = &n->adm.rejected[slot];
    const struct tacit__submitter *w = &n->adm.submitters[slot];
    memcpy(r->id, id, 32);
    r->conn = memcmp(w->id, id, 32) == 0 ? w->conn : 0; /* 0: no connection has it */
    r->reason = reason;
    r->used = true;
}

int tacit__status_reason(const struct tacit_node *n, const uint8_t id[32],
                         const struct tacit_rpc_call *call)
{
    const struct tacit__rejected *r = &n->adm.rejected[rejected_slot(id)];
    if (!r->used || memcmp(r->id, id, 32) != 0) return TACIT_OK;
    /* Anyone else gets the answer of an unknown id: the reason would tell them whose
     * nullifier, anchor or deposit it collided with. */
    if (call != NULL && !tacit_rpc_call_is_admin(call) &&
        (r->conn == 0 || r->conn != tacit_rpc_call_conn(call)))
        return TACIT_OK;
    return r->reason;
}

void tacit__status_clear(struct tacit_node *n)
{
    memset(n->adm.rejected, 0, TACIT__REJECTED_MAX * sizeof *n->adm.rejected);
    memset(n->adm.submitters, 0, TACIT__REJECTED_MAX * sizeof *n->adm.submitters);
}

void tacit__mempool_removed(void *ud, const uint8_t id[32], int reason)
{
    char hex[67];
    tacit__status_rejected(ud, id, reason);
    tacit_hex_encode(hex, id, 32);
    tacit_log(TACIT_LOG_DEBUG, "mempool", "dropped %s: %s", hex, tacit_errname(reason));
}

/* ------------------------------------------------------------- verify jobs ---- */

struct verify_job {
    struct tacit__job job;
    struct tacit_node *n;
    struct tacit_chain_params params; /* a copy: admin_setMinFee may change the node's meanwhile */
    uint64_t commits;                 /* blocks committed when the job started */
    uint64_t checked_next;            /* next_height of the state the batch was checked against */
    struct tacit__pending *head;      /* the batch */
    size_t count;
    double seconds;
    double cpu[TACIT__CPU_NSTAGES]; /* thread CPU by stage (metrics) */
};

/* On the verify lane. */
static void verify_work(struct tacit__job *job)
{
    struct verify_job *j = (struct verify_job *)job;
    tacit_groth16_proof *proofs = calloc(j->count, sizeof *proofs);
    tacit_groth16_item *items = calloc(j->count, sizeof *items);
    size_t *map = calloc(j->count, sizeof *map);
    int *results = calloc(j->count, sizeof *results);
    struct tacit__pending *p;
    struct tacit_state_view *sv = NULL;
    struct tacit_state_tip tip;
    struct tacit_view v;
    size_t k = 0, i = 0;
    double t0 = tacit__mono_s(), c0 = 0, c1 = 0;
    int vrc;

    if (proofs == NULL || items == NULL || map == NULL || results == NULL) {
        for (p = j->head; p != NULL; p = p->next) p->result = TACIT_ENOMEM;
        goto out;
    }
    /* One view for the batch: one read transaction, and the height it saw tells the loop
     * which blocks the batch was checked before (verify_done). */
    if ((vrc = tacit_state_view_new(j->n->st, &sv)) == TACIT_OK) {
        tacit_state_view_as_view(sv, &v);
        tacit_state_view_base(sv, &tip);
        j->checked_next = tip.next_height;
    }
    c0 = tacit__thread_cpu_s();
    for (p = j->head; p != NULL; p = p->next, i++) {
        /* In the block path's order (a deposit's signature recovery costs ~50 us; LMDB reads
         * are fine on any thread). */
        if ((p->result = tacit_tx_check_content(&p->tx, &j->params)) != TACIT_OK) continue;
        if ((p->result = vrc != TACIT_OK ? vrc : tacit_tx_check_state(&v, &p->tx)) != TACIT_OK)
            continue;
        c1 = tacit__thread_cpu_s();
        j->cpu[TACIT__CPU_CHECKS] += c1 - c0;
        p->result = tacit_tx_proof(&proofs[k], &p->tx);
        c0 = tacit__thread_cpu_s();
        j->cpu[TACIT__CPU_POINTS] += c0 - c1;
        if (p->result != TACIT_OK) continue;
        items[k].proof = &proofs[k];
        items[k].pub = p->tx.pub;
        items[k].npub = TACIT_TX_NPUBLIC;
        map[k++] = i;
    }
    j->cpu[TACIT__CPU_CHECKS] += tacit__thread_cpu_s() - c0;
    if (k > 0) {
        c0 = tacit__thread_cpu_s();
        tacit_groth16_verify_batch_var(results, j->n->pvk, items, k);
        j->cpu[TACIT__CPU_VERIFY] += tacit__thread_cpu_s() - c0;
        i = 0;
        size_t m = 0;
        for (p = j->head; p != NULL && m < k; p = p->next, i++)
            if (map[m] == i) p->result = results[m++];
    }
out:
    tacit_state_view_free(sv);
    j->seconds = tacit__mono_s() - t0;
    free(proofs);
    free(items);
    free(map);
    free(results);
}

/* The id as the result's JSON text, "0x<64 hex digits>" in quotes (no escape can be needed):
 * what json_dumps made of the jansson string before, without building one per tx. */
static void reply_id(struct tacit_rpc_call *call, const uint8_t id[32])
{
    enum { ID_TEXT = 1 + 66 + 1 }; /* '"', "0x" and 64 digits, '"' */
    char *text = malloc(ID_TEXT);
    if (text == NULL) {
        tacit_rpc_reply_tacit_error(call, TACIT_ENOMEM);
        return;
    }
    text[0] = '"';
    tacit_hex_encode(text + 1, id, 32); /* "0x..." and its NUL, overwritten: */
    text[ID_TEXT - 1] = '"';
    tacit_rpc_reply_text(call, text, ID_TEXT);
}

/* The state rules again for a tx checked before a block committed (the job's commits differ
 * from the node's): when that block alone came between, its delta answers without a read;
 * when the batch saw the state after it, nothing changed that the mempool's re-check of later
 * blocks will not see; else a view of the committed state. */
static int recheck_landed(struct tacit_node *n, const struct verify_job *j,
                          const struct tacit_tx *tx)
{
    const struct tacit__batcher *b = &n->bat;
    if (b->commits == j->commits + 1 && b->delta_ok) {
        if (j->checked_next > b->delta.height) return TACIT_OK;
        if (j->checked_next == b->delta.height) return tacit_mempool_delta_verdict(&b->delta, tx);
    }
    return tacit_tx_check_state_store(n->st, tx);
}

/* On the loop. */
static void verify_done(struct tacit__job *job)
{
    struct verify_job *j = (struct verify_job *)job;
    struct tacit_node *n = j->n;
    struct tacit__pending *p = j->head;
    bool block_landed = n->bat.commits != j->commits;
    double c0 = tacit__thread_cpu_s();

    n->adm.inflight--;
    n->adm.running_txs -= j->count;
    for (int s = 0; s < TACIT__CPU_NSTAGES; s++) n->m.cpu[s] += j->cpu[s];
    if (j->count > 0) {
        double per = j->seconds / (double)j->count;
        for (size_t i = 0; i < j->count; i++) tacit__hist_add(&n->m.verify, per);
    }
    while (p != NULL) {
        struct tacit__pending *next = p->next;
        int rc = p->result;
        if (rc == TACIT_OK && block_landed) rc = recheck_landed(n, j, &p->tx);
        if (rc == TACIT_OK && p->tx.ext.fee < n->params.min_fee)
            rc = TACIT_EFEE_TOO_LOW; /* raised */
        if (rc == TACIT_OK && n->stopping) rc = TACIT_EBUSY;
        if (rc == TACIT_OK && censoring()) { /* test builds: answered as admitted, dropped */
            reply_id(p->call, p->id);
            free(p);
            p = next;
            continue;
        }
        if (rc == TACIT_OK)
            rc = tacit_mempool_add(n->mp, &p->tx, p->id, p->bytes, tacit__now_ms(),
                                   tacit__mempool_removed, n);
        if (rc == TACIT_OK) {
            status_submitted(n, p->id, p->conn);
            n->m.txs_admitted++;
            reply_id(p->call, p->id);
        } else {
            n->m.txs_refused++;
            tacit_rpc_reply_tacit_error(p->call, rc);
        }
        free(p);
        p = next;
    }
    free(j);
    n->m.cpu[TACIT__CPU_POOL_ADD] += tacit__thread_cpu_s() - c0;
    tacit__node_job_finished(n);
    if (n->stopping) return;
    tacit__admission_dispatch(n);
    tacit__batcher_full(n);
}

void tacit__admission_dispatch(struct tacit_node *n)
{
    struct tacit__admission *a = &n->adm;
    while (a->head != NULL && !tacit__node_store_closing(n)) {
        size_t take = tacit__verify_take(a->len, a->threads, a->inflight, a->running_txs), c = 0;
        struct verify_job *j;
        struct tacit__pending *tail;
        if (take == 0) break; /* no idle thread, or the queue waits for more (the rule above) */
        if ((j = calloc(1, sizeof *j)) == NULL) return; /* the queue waits for the next call */
        j->job.work = verify_work;
        j->job.done = verify_done;
        j->n = n;
        j->params = n->params;
        j->commits = n->bat.commits;
        j->head = a->head;
        tail = a->head;
        for (size_t i = 1; i < take; i++) tail = tail->next;
        if ((a->head = tail->next) == NULL) a->tail = NULL;
        tail->next = NULL;
        a->len -= take;
        j->count = take;
        a->inflight++;
        a->running_txs += take;
        while (c < TACIT__VERIFY_SIZES - 1 && take > tacit__verify_size_le[c]) c++;
        a->job_sizes[c]++;
        a->job_txs += take;
        tacit__lane_submit(a->lane, &j->job);
    }
}

int tacit__admission_submit(struct tacit_node *n, struct tacit_rpc_call *call, const uint8_t *bytes,
                            size_t len)
{
    struct tacit__admission *a = &n->adm;
    struct tacit__pending *p;
    int rc;
    if (n->stopping || a->len >= n->cfg.verify_queue_max) return TACIT_EBUSY;
    if ((p = calloc(1, sizeof *p)) == NULL) return TACIT_ENOMEM;
    if ((rc = tacit_tx_decode(&p->tx, bytes, len)) != TACIT_OK) goto refused;
    if ((rc = tacit_tx_check_params(&p->tx, &n->params)) != TACIT_OK) goto refused;
    tacit_tx_id(p->id, &p->tx);
    /* A conflict with a pending tx waits for the proof check (tacit_mempool_add answers it):
     * answered now, it would tell anyone without a proof that a nullifier (or a deposit's
     * sender and nonce) is pending (issue 14, 6). */
    rc = tacit_mempool_check(n->mp, &p->tx, p->id);
    if (rc != TACIT_OK && rc != TACIT_ENULLIFIER_IN_MEMPOOL) goto refused;
    memcpy(p->bytes, bytes, TACIT_TX_BYTES);
    p->call = call;
    p->conn = tacit_rpc_call_conn(call);
    if (a->tail != NULL)
        a->tail->next = p;
    else
        a->head = p;
    a->tail = p;
    a->len++;
    tacit__admission_dispatch(n);
    return TACIT_OK;
refused:
    n->m.txs_refused++;
    free(p);
    return rc;
}

bool tacit__admission_queued(const struct tacit_node *n, const uint8_t id[32])
{
    for (const struct tacit__pending *p = n->adm.head; p != NULL; p = p->next)
        if (memcmp(p->id, id, 32) == 0) return true;
    return false;
}

void tacit__admission_stop(struct tacit_node *n)
{
    struct tacit__admission *a = &n->adm;
    while (a->head != NULL) {
        struct tacit__pending *p = a->head;
        a->head = p->next;
        tacit_rpc_reply_tacit_error(p->call, TACIT_EBUSY);
        free(p);
    }
    a->tail = NULL;
    a->len = 0;
    tacit__lane_close(a->lane);
    a->lane = NULL;
}

int tacit__admission_init(struct tacit_node *n)
{
    struct tacit__admission *a = &n->adm;
    if ((a->rejected = calloc(TACIT__REJECTED_MAX, sizeof *a->rejected)) == NULL ||
        (a->submitters = calloc(TACIT__REJECTED_MAX, sizeof *a->submitters)) == NULL)
        return TACIT_ENOMEM;
    return tacit__lane_new(&a->lane, &n->loop, "verify", a->threads);
}
