/*
 * tacit — internal: run independent tasks on worker threads (the prover's MSMs and NTTs,
 * the devnet setup's fixed-base multiplications).
 *
 * No pool lives between calls: each tacit__parallel_run starts its threads and joins them
 * before returning, so nothing is left running and nothing needs shutting down. Starting
 * a thread costs tens of microseconds, far below the size of the work handed to it.
 */
#ifndef TACIT_COMMON_PARALLEL_H
#define TACIT_COMMON_PARALLEL_H

#include <stddef.h>

/* Most threads tacit__parallel_run starts, including the caller's. */
#define TACIT__MAX_THREADS 64

/* The number of threads to use when the caller asks for 0: the TACIT_THREADS environment
 * variable when it is a positive integer, else the number of online CPUs; clamped to
 * 1..TACIT__MAX_THREADS. */
unsigned tacit__nthreads_default(void);

/*
 * Calls fn(ctx, task, thread) once for every task in 0 .. ntasks-1, on up to nthreads
 * threads (the calling thread is thread 0; 0 means tacit__nthreads_default()). Tasks are
 * handed out in increasing order, each to the next free thread, so listing the largest
 * tasks first balances the load. thread < nthreads identifies per-thread scratch memory.
 * If a thread cannot be started, the threads that did start (at least the caller) run
 * every task: the call always completes all tasks. Returns when all are done.
 */
void tacit__parallel_run(unsigned nthreads, size_t ntasks,
                         void (*fn)(void *ctx, size_t task, unsigned thread), void *ctx);

#endif /* TACIT_COMMON_PARALLEL_H */
