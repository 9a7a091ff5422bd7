/*
 * tacit — tests of the node's lanes (src/node/workers.c): dedicated worker threads with a job
 * queue of their own, whose done steps run on the loop thread.
 */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "harness.h"
#include "node/node_internal.h"
#include "tacit/error.h"

#define NJOBS 200

struct tjob {
    struct tacit__job job;
    struct run *run;
    unsigned index;
    uv_thread_t worker;
    unsigned long sum; /* the job's work, checked in tjob_done */
};

struct run {
    uv_loop_t loop;
    struct tacit__lane *lane;
    uv_thread_t loop_thread;
    unsigned done, out_of_loop, on_loop_thread, summed;
    unsigned workers_seen;
    uv_thread_t workers[8];
    uv_mutex_t mu;
    struct tjob jobs[NJOBS];
};

static void tjob_work(struct tacit__job *job)
{
    struct tjob *j = (struct tjob *)job;
    struct run *r = j->run;
    uv_thread_t self = uv_thread_self();
    bool seen = false;
    j->worker = self;
    uv_mutex_lock(&r->mu);
    for (unsigned i = 0; i < r->workers_seen; i++)
        seen |= uv_thread_equal(&r->workers[i], &self) != 0;
    if (!seen && r->workers_seen < 8) r->workers[r->workers_seen++] = self;
    uv_mutex_unlock(&r->mu);
    /* some work, so that both threads get jobs */
    unsigned long x = 0;
    for (unsigned i = 0; i < 20000; i++) x += i ^ (unsigned)(x >> 3);
    j->sum = x;
}

static void tjob_done(struct tacit__job *job)
{
    struct tjob *j = (struct tjob *)job;
    struct run *r = j->run;
    uv_thread_t self = uv_thread_self();
    if (!uv_thread_equal(&self, &r->loop_thread)) r->out_of_loop++;
    if (uv_thread_equal(&j->worker, &r->loop_thread)) r->on_loop_thread++;
    if (j->sum != 0) r->summed++;
    r->done++;
    if (r->done == NJOBS) {
        tacit__lane_close(r->lane); /* every job is done: the threads are idle */
        r->lane = NULL;
    }
}

/* 200 jobs on a lane of 2 threads: each work runs on a lane thread (never the loop's), each done
 * step on the loop thread, exactly once; closing the lane lets uv_run return. */
TEST(lane_runs_jobs_off_the_loop)
{
    struct run *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL, "out of memory");
    CHECK_EQ_INT(uv_loop_init(&r->loop), 0);
    CHECK_EQ_INT(uv_mutex_init(&r->mu), 0);
    r->loop_thread = uv_thread_self();
    CHECK_EQ_INT(tacit__lane_new(&r->lane, &r->loop, "test", 2), TACIT_OK);
    for (unsigned i = 0; i < NJOBS; i++) {
        r->jobs[i] =
            (struct tjob){.job = {.work = tjob_work, .done = tjob_done}, .run = r, .index = i};
        tacit__lane_submit(r->lane, &r->jobs[i].job);
    }
    CHECK_EQ_INT(uv_run(&r->loop, UV_RUN_DEFAULT), 0);
    CHECK_EQ_INT(r->done, NJOBS);
    CHECK_EQ_INT(r->summed, NJOBS); /* every job ran its work */
    CHECK_EQ_INT(r->out_of_loop, 0);
    CHECK_EQ_INT(r->on_loop_thread, 0);
    CHECK(r->workers_seen >= 1 && r->workers_seen <= 2);
    CHECK(r->lane == NULL);
    CHECK_EQ_INT(uv_loop_close(&r->loop), 0); /* no handle left open */
    uv_mutex_destroy(&r->mu);
    free(r);
}

/* A lane of no thread is refused; a lane closed with nothing submitted closes cleanly. */
TEST(lane_edges)
{
    uv_loop_t loop;
    struct tacit__lane *l = (struct tacit__lane *)&loop;
    CHECK_EQ_INT(uv_loop_init(&loop), 0);
    CHECK_EQ_INT(tacit__lane_new(&l, &loop, "none", 0), TACIT_EINVAL);
    CHECK(l == NULL);
    CHECK_EQ_INT(tacit__lane_new(&l, &loop, "idle", 3), TACIT_OK);
    tacit__lane_close(l);
    tacit__lane_close(NULL);
    CHECK_EQ_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
    CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

static const struct tacit_test tests[] = {
    {"lane_runs_jobs_off_the_loop", lane_runs_jobs_off_the_loop},
    {"lane_edges", lane_edges},
};
TACIT_TEST_MAIN(tests)
