/*
 * tacit — the node's log: one line per event, with time, level and subsystem (include/tacit/node.h).
 * Written with one fputs of a whole line, so lines from different threads do not interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tacit/node.h"

static enum tacit_log_level log_level = TACIT_LOG_INFO;

void tacit_log_set_level(enum tacit_log_level l) { log_level = l; }

void tacit_log(enum tacit_log_level l, const char *subsystem, const char *fmt, ...) {
    static const char *const names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
    char line[1024];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int n;

    if (l > log_level) return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 ts.tv_nsec / 1000000, names[l], subsystem);
    if (n < 0 || (size_t)n >= sizeof line) return;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    n = (int)strnlen(line, sizeof line - 2);
    line[n] = '\n';
    line[n + 1] = '\0';
    fputs(line, stderr);
}
