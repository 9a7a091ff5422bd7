/*
 * tacit — internal: independent tasks on worker threads; see parallel.h.
 */
#include "common/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

unsigned tacit__nthreads_default(void)
{
    const char *env = getenv("TACIT_THREADS");
    long n = 0;
    if (env != NULL && *env != '\0') {
        char *end;
        n = strtol(env, &end, 10);
        if (*end != '\0') n = 0;
    }
    if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > TACIT__MAX_THREADS) n = TACIT__MAX_THREADS;
    return (unsigned)n;
}

struct job {
    void (*fn)(void *ctx, size_t task, unsigned thread);
    void *ctx;
    size_t ntasks;
    atomic_size_t next;
};

struct worker {
    struct job *job;
    unsigned thread;
};

static void drain(struct job *job, unsigned thread)
{
    for (;;) {
        size_t t = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
        if (t >= job->ntasks) return;
        job->fn(job->ctx, t, thread);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    drain(w->job, w->thread);
    return NULL;
}

void tacit__parallel_run(unsigned nthreads, size_t ntasks,
                         void (*fn)(void *ctx, size_t task, unsigned thread), void *ctx)
{
    pthread_t tid[TACIT__MAX_THREADS];
    struct worker w[TACIT__MAX_THREADS];
    struct job job;
    unsigned started = 0;

    if (nthreads == 0) nthreads = tacit__nthreads_default();
    if (nthreads > TACIT__MAX_THREADS) nthreads = TACIT__MAX_THREADS;
    if ((size_t)nthreads > ntasks) nthreads = ntasks > 0 ? (unsigned)ntasks : 1;

    job.fn = fn;
    job.ctx = ctx;
    job.ntasks = ntasks;
    atomic_init(&job.next, 0);

    for (unsigned i = 1; i < nthreads; i++) {
        w[i].job = &job;
        w[i].thread = i;
        if (pthread_create(&tid[started + 1], NULL, worker_main, &w[i]) != 0) break;
        started++;
    }
    drain(&job, 0);
    /* the atomic counter plus pthread_join order every task's writes before the return */
    for (unsigned i = 1; i <= started; i++) pthread_join(tid[i], NULL);
}
