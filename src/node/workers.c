/*
 * tacit — lanes: dedicated worker threads for the node's own jobs (node_internal.h).
 *
 * libuv's uv_queue_work shares one pool of 4 threads (UV_THREADPOOL_SIZE) among everything
 * queued on it; on a machine with more cores than that, a block job would wait behind proof
 * batches, and proof batches could never use more than 4 cores. A lane is a fixed set of
 * threads with one FIFO: the node has a "verify" lane (verify_threads threads) and a "block"
 * lane (one thread: blocks are built one at a time). A finished job goes on the lane's done
 * list and a uv_async wakes the loop, which runs each job's done step in finishing order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "node/node_internal.h"
#include "tacit/error.h"

#define LANE_STACK_BYTES ((size_t)8 << 20) /* as libuv's pool threads: proofs use deep stacks */

struct tacit__lane {
    uv_async_t wake; /* first member: the close callback frees the lane */
    uv_mutex_t mu;
    uv_cond_t cv;
    struct tacit__job *todo_head, *todo_tail;
    struct tacit__job *done_head, *done_tail;
    bool quit;
    unsigned nthreads;
    unsigned cap; /* threads asked for */
    long *tids;   /* each thread's id, for its CPU time (0 until it started) */
    uv_thread_t threads[];
};

static void push(struct tacit__job **head, struct tacit__job **tail, struct tacit__job *j)
{
    j->next = NULL;
    if (*tail != NULL)
        (*tail)->next = j;
    else
        *head = j;
    *tail = j;
}

static void lane_thread(void *arg)
{
    struct tacit__lane *l = arg;
    long tid = (long)syscall(SYS_gettid);
    uv_mutex_lock(&l->mu);
    for (unsigned i = 0; i < l->cap; i++)
        if (l->tids[i] == 0) {
            l->tids[i] = tid;
            break;
        }
    for (;;) {
        struct tacit__job *j;
        while (l->todo_head == NULL && !l->quit) uv_cond_wait(&l->cv, &l->mu);
        if ((j = l->todo_head) == NULL) break; /* quit, and nothing left */
        if ((l->todo_head = j->next) == NULL) l->todo_tail = NULL;
        uv_mutex_unlock(&l->mu);
        j->work(j);
        uv_mutex_lock(&l->mu);
        push(&l->done_head, &l->done_tail, j);
        uv_async_send(&l->wake);
    }
    uv_mutex_unlock(&l->mu);
}

/* On the loop: the done steps of the jobs finished so far (uv_async_send coalesces wakes). */
static void on_wake(uv_async_t *a)
{
    struct tacit__lane *l = (struct tacit__lane *)a;
    struct tacit__job *j;
    uv_mutex_lock(&l->mu);
    j = l->done_head;
    l->done_head = l->done_tail = NULL;
    uv_mutex_unlock(&l->mu);
    while (j != NULL) {
        struct tacit__job *next = j->next;
        j->done(j); /* may free j, submit more, or close the lane (its threads are idle then) */
        j = next;
    }
}

static void free_lane(uv_handle_t *h)
{
    struct tacit__lane *l = (struct tacit__lane *)h;
    uv_cond_destroy(&l->cv);
    uv_mutex_destroy(&l->mu);
    free(l->tids);
    free(l);
}

static void quit_and_join(struct tacit__lane *l, unsigned started)
{
    uv_mutex_lock(&l->mu);
    l->quit = true;
    uv_cond_broadcast(&l->cv);
    uv_mutex_unlock(&l->mu);
    for (unsigned i = 0; i < started; i++) uv_thread_join(&l->threads[i]);
}

int tacit__lane_new(struct tacit__lane **out, uv_loop_t *loop, const char *name, unsigned nthreads)
{
    struct tacit__lane *l;
    uv_thread_options_t opt = {.flags = UV_THREAD_HAS_STACK_SIZE, .stack_size = LANE_STACK_BYTES};
    *out = NULL;
    if (nthreads == 0) return TACIT_EINVAL;
    if ((l = calloc(1, sizeof *l + nthreads * sizeof l->threads[0])) == NULL) return TACIT_ENOMEM;
    if ((l->tids = calloc(nthreads, sizeof *l->tids)) == NULL || uv_mutex_init(&l->mu) != 0) {
        free(l->tids);
        free(l);
        return TACIT_ENOMEM;
    }
    l->cap = nthreads;
    if (uv_cond_init(&l->cv) != 0) {
        uv_mutex_destroy(&l->mu);
        free(l->tids);
        free(l);
        return TACIT_ENOMEM;
    }
    if (uv_async_init(loop, &l->wake, on_wake) != 0) {
        free_lane((uv_handle_t *)&l->wake);
        return TACIT_ENOMEM;
    }
    for (l->nthreads = 0; l->nthreads < nthreads; l->nthreads++) {
        if (uv_thread_create_ex(&l->threads[l->nthreads], &opt, lane_thread, l) != 0) {
            tacit_log(TACIT_LOG_ERROR, "node", "cannot start thread %u of the %s lane", l->nthreads,
                      name);
            quit_and_join(l, l->nthreads);
            uv_close((uv_handle_t *)&l->wake, free_lane);
            return TACIT_EIO;
        }
    }
    *out = l;
    return TACIT_OK;
}

void tacit__lane_submit(struct tacit__lane *l, struct tacit__job *j)
{
    uv_mutex_lock(&l->mu);
    push(&l->todo_head, &l->todo_tail, j);
    uv_cond_signal(&l->cv);
    uv_mutex_unlock(&l->mu);
}

double tacit__lane_cpu_s(const struct tacit__lane *l)
{
    struct tacit__lane *m = (struct tacit__lane *)l; /* the mutex only */
    double sum = 0;
    if (l == NULL) return -1;
    uv_mutex_lock(&m->mu);
    for (unsigned i = 0; i < l->cap; i++) {
        double s = l->tids[i] != 0 ? tacit__task_cpu_s(l->tids[i]) : 0;
        if (s < 0) {
            sum = -1;
            break;
        }
        sum += s;
    }
    uv_mutex_unlock(&m->mu);
    return sum;
}

void tacit__lane_close(struct tacit__lane *l)
{
    if (l == NULL) return;
    quit_and_join(l, l->nthreads);
    uv_close((uv_handle_t *)&l->wake, free_lane);
}
