/*
 * tacit — tests/lib/node.h: start and stop a real tacitd for C tests (header-only; each test
 * binary that includes it gets its own static copy).
 *
 *     struct tnode n;
 *     tnode_init(&n, datadir);               // datadir must exist
 *     tnode_start(&n, config_path_or_NULL);  // fork + exec $TACIT_BIN/tacitd --devnet ...
 *     tnode_wait_ready(&n, 120000);          // until tacit_chainInfo answers
 *     ... n.url ("http://127.0.0.1:PORT"), n.unix_url ("unix:<datadir>/s.sock") ...
 *     tnode_stop(&n, SIGTERM, 60000);        // exit status, or -1
 *
 * The node's stdout and stderr are appended to <datadir>/tacitd.log. Every start picks a new
 * free TCP port: bind port 0, read it, close (a race with other processes is possible but
 * unlikely on a test machine, and a failed start says so in the log).
 */
#ifndef TACIT_TESTS_LIB_NODE_H
#define TACIT_TESTS_LIB_NODE_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tacit/error.h"
#include "tacit/rpc.h"

struct tnode {
    char datadir[512];
    char url[64];
    char unix_url[620];
    char socket_path[600];
    uint16_t port;
    pid_t pid; /* 0 when not running */
    int block_interval_ms;
};

/* Milliseconds of a monotonic clock. */
static inline uint64_t tnode_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline void tnode_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* The directory of the built binaries: TACIT_BIN, else "build/bin". */
static inline const char *tnode_bin_dir(void)
{
    const char *b = getenv("TACIT_BIN");
    return b != NULL && b[0] != '\0' ? b : "build/bin";
}

/* A TCP port that was free a moment ago (0 on failure). */
static inline uint16_t tnode_free_port(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    uint16_t port = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Copies one file; false on any error. */
static inline bool tnode_copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in != NULL ? fopen(to, "wb") : NULL;
    char buf[1 << 16];
    size_t n;
    bool ok = in != NULL && out != NULL;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, n, out) == n;
    if (ok && ferror(in)) ok = false;
    if (in != NULL) fclose(in);
    if (out != NULL && fclose(out) != 0) ok = false;
    return ok;
}

/*
 * TACIT_NODE_KEYS=<dir with transfer.zkey and verification_key.json>: puts those keys of an
 * earlier devnet into datadir/keys/, which tacitd --devnet reuses instead of running the devnet
 * trusted setup again (faster local runs; every test still runs; CI leaves it unset). Returns
 * true when unset, or when the keys were copied.
 */
static inline bool tnode_seed_keys(const char *datadir)
{
    static const char *const files[] = {"transfer.zkey", "verification_key.json"};
    const char *keys = getenv("TACIT_NODE_KEYS");
    char from[1024], to[1024];
    if (keys == NULL) return true;
    snprintf(to, sizeof to, "%s/keys", datadir);
    if (mkdir(to, 0700) != 0 && errno != EEXIST) return false;
    for (size_t i = 0; i < 2; i++) {
        snprintf(from, sizeof from, "%s/%s", keys, files[i]);
        snprintf(to, sizeof to, "%s/keys/%s", datadir, files[i]);
        if (!tnode_copy_file(from, to)) return false;
    }
    return true;
}

static inline void tnode_init(struct tnode *n, const char *datadir)
{
    memset(n, 0, sizeof *n);
    snprintf(n->datadir, sizeof n->datadir, "%s", datadir);
    snprintf(n->socket_path, sizeof n->socket_path, "%s/s.sock", datadir);
    snprintf(n->unix_url, sizeof n->unix_url, "unix:%s", n->socket_path);
    n->block_interval_ms = 200;
}

/* Runs argv[0] (a path) in a child whose stdout and stderr are appended to logp. Returns its
 * pid, or -1. */
static inline pid_t tnode_exec_logged(const char *const *argv, const char *logp)
{
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) return -1;
    if (pid == 0) {
        int fd = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], (char *const *)argv);
        dprintf(2, "tests/lib/node.h: cannot run %s: %s (is TACIT_BIN the build's bin/?)\n",
                argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/*
 * Spawns tacitd on n's datadir with a fresh port; extra (may be NULL) is a NULL-terminated
 * list of more arguments. Out: *pid_out (may be NULL) is set for a second instance that is
 * not recorded in n (the caller waits for it); else n->pid. log_name: file in the datadir
 * that receives stdout and stderr. Returns the pid, or -1.
 */
static inline pid_t tnode_spawn(struct tnode *n, const char *const *extra, const char *log_name,
                                bool record)
{
    char bin[600], bind[64], interval[32], logp[700];
    const char *argv[32];
    size_t k = 0;
    uint16_t port = tnode_free_port();
    pid_t pid;

    if (port == 0) return -1;
    snprintf(bin, sizeof bin, "%s/tacitd", tnode_bin_dir());
    snprintf(bind, sizeof bind, "127.0.0.1:%u", (unsigned)port);
    snprintf(interval, sizeof interval, "%d", n->block_interval_ms);
    snprintf(logp, sizeof logp, "%s/%s", n->datadir, log_name);
    argv[k++] = bin;
    argv[k++] = "--devnet";
    argv[k++] = "--datadir";
    argv[k++] = n->datadir;
    argv[k++] = "--rpc-bind";
    argv[k++] = bind;
    argv[k++] = "--rpc-socket";
    argv[k++] = n->socket_path;
    argv[k++] = "--block-interval-ms";
    argv[k++] = interval;
    for (size_t i = 0; extra != NULL && extra[i] != NULL && k < 31; i++) argv[k++] = extra[i];
    argv[k] = NULL;

    if ((pid = tnode_exec_logged(argv, logp)) < 0) return -1;
    if (record) {
        n->pid = pid;
        n->port = port;
        snprintf(n->url, sizeof n->url, "http://127.0.0.1:%u", (unsigned)port);
    }
    return pid;
}

/* Starts n (config: a --config file, or NULL). Returns true when the process was spawned. */
static inline bool tnode_start(struct tnode *n, const char *config)
{
    const char *extra[3] = {NULL, NULL, NULL};
    if (config != NULL) {
        extra[0] = "--config";
        extra[1] = config;
    }
    return tnode_spawn(n, extra, "tacitd.log", true) > 0;
}

/* Waits for pid to exit, at most timeout_ms. Returns the wait status, or -1 on timeout. */
static inline int tnode_wait_pid(pid_t pid, unsigned timeout_ms)
{
    uint64_t end = tnode_now_ms() + timeout_ms;
    int status;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return -1;
        if (tnode_now_ms() >= end) return -1;
        tnode_sleep_ms(20);
    }
}

/* Runs argv to completion (stdout and stderr appended to logp), at most timeout_ms; true on exit
 * status 0. */
static inline bool tnode_run_ok(const char *const *argv, const char *logp, unsigned timeout_ms)
{
    pid_t pid = tnode_exec_logged(argv, logp);
    int st = pid < 0 ? -1 : tnode_wait_pid(pid, timeout_ms);
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static inline int tnode__rm_entry(const char *path, const struct stat *st, int flag,
                                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Removes dir and everything under it (symbolic links are not followed). */
static inline void tnode_rm_tree(const char *dir)
{
    nftw(dir, tnode__rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Until tacit_chainInfo answers (true), the process exits or timeout_ms passes (false). */
static inline bool tnode_wait_ready(struct tnode *n, unsigned timeout_ms)
{
    uint64_t end = tnode_now_ms() + timeout_ms;
    struct tacit_rpc_client *c = NULL;
    bool ok = false;

    if (n->pid <= 0 || tacit_rpc_client_new(&c, n->url, NULL, 2000) != TACIT_OK) return false;
    while (!ok && tnode_now_ms() < end) {
        json_t *res = NULL, *err = NULL;
        int status;
        if (tacit_rpc_call(c, "tacit_chainInfo", json_array(), &res, &err) == TACIT_OK &&
            res != NULL)
            ok = json_is_object(res) && !json_is_null(json_object_get(res, "height"));
        json_decref(res);
        json_decref(err);
        if (!ok) {
            if (waitpid(n->pid, &status, WNOHANG) == n->pid) { /* it died */
                n->pid = 0;
                break;
            }
            tnode_sleep_ms(100);
        }
    }
    tacit_rpc_client_free(c);
    return ok;
}

/* Sends sig and waits for the exit. Returns the wait status, or -1 (then SIGKILLed). */
static inline int tnode_stop(struct tnode *n, int sig, unsigned timeout_ms)
{
    int status;

    if (n->pid <= 0) return -1;
    kill(n->pid, sig);
    status = tnode_wait_pid(n->pid, timeout_ms);
    if (status == -1) {
        kill(n->pid, SIGKILL);
        (void)tnode_wait_pid(n->pid, 10000);
    }
    n->pid = 0;
    return status;
}

/* VmHWM of a process in KiB (peak RSS), or 0. */
static inline unsigned long tnode_vmhwm_kib(pid_t pid)
{
    char path[64], line[256];
    unsigned long kib = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if ((f = fopen(path, "r")) == NULL) return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = strtoul(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

#endif /* TACIT_TESTS_LIB_NODE_H */
