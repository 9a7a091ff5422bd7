/*
 * tacit — benchmark timing helpers; see bench.h.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double tacit_bench_now_ns(void)
{
    struct timespec ts;
    /* Per-thread CPU time: unaffected by other processes and by this process's other threads. */
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0.0;
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int tacit__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double tacit_bench_median_ns(void (*fn)(void *), void *arg, int inner, int rounds)
{
    double *t, median;

    if (inner < 1) inner = 1;
    if (rounds < 1) rounds = 1;
    if ((t = malloc((size_t)rounds * sizeof *t)) == NULL) return -1.0;

    fn(arg); /* warm caches and lazy initialisation */
    for (int r = 0; r < rounds; r++) {
        double start = tacit_bench_now_ns();
        for (int i = 0; i < inner; i++) fn(arg);
        t[r] = (tacit_bench_now_ns() - start) / inner;
    }
    qsort(t, (size_t)rounds, sizeof *t, tacit__cmp_double);
    median = (rounds % 2) ? t[rounds / 2] : (t[rounds / 2 - 1] + t[rounds / 2]) / 2.0;
    free(t);
    return median;
}

void tacit_bench_report(const char *name, double ns) { tacit_bench_report_anchor(name, ns, NULL); }

void tacit_bench_report_anchor(const char *name, double ns, const char *anchor)
{
    const char *unit = "ns";
    double v = ns;

    if (ns >= 1e6) {
        v = ns / 1e6;
        unit = "ms";
    } else if (ns >= 1e3) {
        v = ns / 1e3;
        unit = "µs";
    }
    if (anchor != NULL)
        printf("%-40s %12.3f %s   anchor: %s\n", name, v, unit, anchor);
    else
        printf("%-40s %12.3f %s\n", name, v, unit);
    fflush(stdout);
}
