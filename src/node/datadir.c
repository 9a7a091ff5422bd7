/*
 * tacit — the node's data directory: the lock that keeps a second tacitd out, the RPC cookie,
 * the persistent flags (paused, min fee), the sequencer key, the verifying key (on a devnet
 * made once by a devnet trusted setup and cached), the store and its chain marker. The layout
 * (names, contents, modes) is described in docs/operations.md ("The data directory"); the
 * names and the path helpers are in include/tacit/datadir.h, shared with tacit-cli. The
 * devnet's accounts, genesis and snapshots are devnet.c's.
 */
#define _GNU_SOURCE /* asprintf, open_memstream */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/node_internal.h"
#include "tacit/circuit.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/prover.h"
#include "tacit/r1cs.h"
#include "tacit/util.h"

int tacit__datadir_mkdir(const char *dir, mode_t mode)
{
    char tmp[4096];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof tmp) return TACIT_EINVAL;
    memcpy(tmp, dir, len + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, mode) != 0 && errno != EEXIST) return TACIT_EIO;
        *p = '/';
    }
    if (mkdir(tmp, mode) != 0 && errno != EEXIST) return TACIT_EIO;
    return TACIT_OK;
}

int tacit__datadir_write_file(const char *dir, const char *name, const void *data, size_t len,
                              mode_t mode)
{
    char *path = tacit_datadir_path(dir, name), *tmp = NULL;
    int fd = -1, dfd, rc = TACIT_EIO;
    const uint8_t *p = data;
    if (path == NULL || asprintf(&tmp, "%s.tmp", path) < 0) {
        free(path);
        return TACIT_ENOMEM;
    }
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0) goto out;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) goto out;
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) != 0) goto out;
    close(fd);
    fd = -1;
    if (rename(tmp, path) != 0) goto out;
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    rc = TACIT_OK;
out:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    free(path);
    return rc;
}

/* Reads a whole file (at most max bytes) NUL-terminated; *mode (may be NULL): its mode bits. */
void tacit__datadir_remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d == NULL) return;
    while ((e = readdir(d)) != NULL) {
        char *p;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        struct stat sb;
        if ((p = tacit_datadir_path(dir, e->d_name)) == NULL) continue;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            tacit__datadir_remove_tree(p);
        else
            unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

static int read_file_mode(const char *path, char **out, size_t *len, size_t max, mode_t *mode)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    FILE *f;
    char *buf;
    size_t n;
    *out = NULL;
    if (fd < 0) return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    if (fstat(fd, &sb) != 0 || (f = fdopen(fd, "rb")) == NULL) {
        close(fd);
        return TACIT_EIO;
    }
    if (mode != NULL) *mode = sb.st_mode & 07777;
    if ((buf = malloc(max + 1)) == NULL) {
        fclose(f);
        return TACIT_ENOMEM;
    }
    n = fread(buf, 1, max + 1, f);
    fclose(f);
    if (n > max) {
        free(buf);
        return TACIT_ETOOBIG;
    }
    buf[n] = '\0';
    *out = buf;
    if (len) *len = n;
    return TACIT_OK;
}

int tacit__datadir_read_file(const char *path, char **out, size_t *len, size_t max)
{
    return read_file_mode(path, out, len, max, NULL);
}

static bool file_exists(const char *dir, const char *name)
{
    char *p = tacit_datadir_path(dir, name);
    bool yes = p != NULL && access(p, F_OK) == 0;
    free(p);
    return yes;
}

/* ------------------------------------------------------------ lock, cookie ---- */

/* Files only a node that ran here leaves behind (keys/ is not one: tests and operators seed the
 * devnet trusted setup into new data directories). With any of them, or a non-empty store, a
 * missing store or sequencer key is damage to report, not a first start. */
static bool datadir_initialised(const char *datadir)
{
    static const char *const marks[] = {TACIT_DATADIR_CHAIN, TACIT_DATADIR_SEQUENCER_KEY,
                                        TACIT_DATADIR_FLAGS, TACIT_DATADIR_COOKIE,
                                        TACIT_DATADIR_DEVNET_ACCOUNTS};
    struct stat sb;
    char *db;
    bool yes;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (file_exists(datadir, marks[i])) return true;
    if ((db = tacit_datadir_path(datadir, TACIT_DATADIR_STATE_DB)) == NULL)
        return true; /* assume the worst */
    yes = stat(db, &sb) == 0 && sb.st_size > 0;
    free(db);
    return yes;
}

int tacit__datadir_lock(struct tacit_node *n)
{
    char *path;
    char pid[32];
    int len;
    if (tacit__datadir_mkdir(n->datadir, 0700) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "node", "cannot create the data directory %s: %s",
                  TACIT_LOG_S(n->datadir), strerror(errno));
        return TACIT_EIO;
    }
    if ((path = tacit_datadir_path(n->datadir, TACIT_DATADIR_LOCK)) == NULL) return TACIT_ENOMEM;
    n->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (n->lock_fd < 0) {
        tacit_log(TACIT_LOG_ERROR, "node", "cannot open %s: %s", TACIT_LOG_S(path),
                  strerror(errno));
        free(path);
        return TACIT_EIO;
    }
    if (flock(n->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char other[32] = "";
        ssize_t r = pread(n->lock_fd, other, sizeof other - 1, 0);
        if (r > 0) other[strcspn(other, "\n")] = '\0';
        tacit_log(
            TACIT_LOG_ERROR, "node",
            "data directory %s is in use by another tacitd (lock %s held%s%s): refusing to start",
            TACIT_LOG_S(n->datadir), TACIT_LOG_S(path), r > 0 ? " by pid " : "",
            r > 0 ? TACIT_LOG_S(other) : "");
        close(n->lock_fd);
        n->lock_fd = -1;
        free(path);
        return TACIT_ELOCKED;
    }
    free(path);
    len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(n->lock_fd, 0) == 0) (void)!pwrite(n->lock_fd, pid, (size_t)len, 0);
    n->datadir_initialised = datadir_initialised(n->datadir);
    return TACIT_OK;
}

void tacit__datadir_unlock(struct tacit_node *n)
{
    if (n->lock_fd < 0) return;
    (void)!ftruncate(n->lock_fd, 0);
    close(n->lock_fd); /* releases the flock */
    n->lock_fd = -1;
}

int tacit__cookie_write(struct tacit_node *n)
{
    uint8_t secret[32];
    const size_t len = sizeof "__cookie__:" - 1 + 64;
    int rc;
    if ((n->cookie = sodium_malloc(len + 3)) == NULL) return TACIT_ENOMEM;
    randombytes_buf(secret, sizeof secret);
    memcpy(n->cookie, "__cookie__:", 11);
    sodium_bin2hex(n->cookie + 11, 65, secret, sizeof secret);
    sodium_memzero(secret, sizeof secret);
    rc = tacit__datadir_write_file(n->datadir, TACIT_DATADIR_COOKIE, n->cookie, len, 0600);
    if (rc != TACIT_OK)
        tacit_log(TACIT_LOG_ERROR, "node", "cannot write %s/" TACIT_DATADIR_COOKIE,
                  TACIT_LOG_S(n->datadir));
    return rc;
}

void tacit__cookie_remove(struct tacit_node *n)
{
    char *path;
    if (n->cookie == NULL) return;
    if ((path = tacit_datadir_path(n->datadir, TACIT_DATADIR_COOKIE)) != NULL) {
        unlink(path);
        free(path);
    }
    sodium_free(n->cookie); /* wipes */
    n->cookie = NULL;
}

/* ------------------------------------------------------------------ flags ---- */

int tacit__flags_load(struct tacit_node *n)
{
    char *path = tacit_datadir_path(n->datadir, TACIT_DATADIR_FLAGS), *text = NULL;
    json_t *j, *paused, *fee;
    json_error_t e;
    int rc;
    n->params.min_fee = n->cfg.min_fee;
    if (path == NULL) return TACIT_ENOMEM;
    rc = tacit__datadir_read_file(path, &text, NULL, 4096);
    if (rc == TACIT_ENOENT) {
        free(path);
        return TACIT_OK;
    }
    if (rc != TACIT_OK || (j = json_loads(text, JSON_REJECT_DUPLICATES, &e)) == NULL) {
        tacit_log(TACIT_LOG_ERROR, "node", "%s: unreadable (%s)", TACIT_LOG_S(path),
                  rc != TACIT_OK ? tacit_strerror(rc) : TACIT_LOG_S(e.text));
        free(text);
        free(path);
        return rc != TACIT_OK ? rc : TACIT_EJSON;
    }
    paused = json_object_get(j, "paused");
    fee = json_object_get(j, "minFee");
    n->paused = json_is_true(paused);
    if (json_is_string(fee) &&
        tacit_parse_dec_u64(&n->params.min_fee, json_string_value(fee)) != TACIT_OK) {
        tacit_log(TACIT_LOG_WARN, "node", "%s: minFee unreadable, using min_fee = %" PRIu64,
                  TACIT_LOG_S(path), n->cfg.min_fee);
        n->params.min_fee = n->cfg.min_fee;
    }
    /* admin_setMinFee's value wins over the configuration's: say so, or an operator who edits
     * min_fee in the config file wonders why nothing changed */
    if (n->params.min_fee != n->cfg.min_fee)
        tacit_log(TACIT_LOG_WARN, "node",
                  "minimum fee %" PRIu64 " (set by admin_setMinFee, saved in %s) overrides "
                  "min_fee = %" PRIu64 " of the configuration; admin_setMinFee changes it",
                  n->params.min_fee, TACIT_LOG_S(path), n->cfg.min_fee);
    if (n->paused)
        tacit_log(TACIT_LOG_WARN, "node",
                  "sequencing stays paused (admin_pause, saved in %s): admin_resume resumes it",
                  TACIT_LOG_S(path));
    json_decref(j);
    free(text);
    free(path);
    return TACIT_OK;
}

int tacit__flags_save(struct tacit_node *n)
{
    char buf[128];
    int len = snprintf(buf, sizeof buf, "{\"paused\":%s,\"minFee\":\"%" PRIu64 "\"}\n",
                       n->paused ? "true" : "false", n->params.min_fee);
    return tacit__datadir_write_file(n->datadir, TACIT_DATADIR_FLAGS, buf, (size_t)len, 0600);
}

/* ------------------------------------------------------------------- keys ---- */

int tacit__sequencer_key_load(struct tacit_node *n)
{
    char *path = tacit_datadir_path(n->datadir, TACIT_DATADIR_SEQUENCER_KEY), *text = NULL;
    uint8_t *sk = sodium_malloc(32);
    char xhex[67], ahex[43];
    mode_t mode = 0;
    int rc;
    if (path == NULL || sk == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    rc = read_file_mode(path, &text, NULL, 256, &mode);
    if (rc == TACIT_ENOENT && n->datadir_initialised && !n->cfg.new_chain) {
        tacit_log(TACIT_LOG_ERROR, "node",
                  "%s is missing, but %s already holds a chain: refusing to make a new sequencer "
                  "key, which would sign blocks conflicting with those already signed. "
                  "Restore " TACIT_DATADIR_SEQUENCER_KEY
                  " from your backup (docs/operations.md); to begin a new "
                  "chain instead, move %s/" TACIT_DATADIR_STATE
                  " away and start once with --new-chain",
                  path, n->datadir, n->datadir);
        rc = TACIT_ESEQUENCER_KEY_MISSING;
    } else if (rc == TACIT_ENOENT) {
        char hex[65];
        do randombytes_buf(sk, 32);
        while (tacit_sequencer_key_new(&n->key, sk) != TACIT_OK);
        sodium_bin2hex(hex, sizeof hex, sk, 32);
        hex[64] = '\n';
        rc = tacit__datadir_write_file(n->datadir, TACIT_DATADIR_SEQUENCER_KEY, hex, 65, 0600);
        sodium_memzero(hex, sizeof hex);
        if (rc == TACIT_OK) tacit_log(TACIT_LOG_INFO, "node", "made a new sequencer key: %s", path);
    } else if (rc == TACIT_OK && (mode & 077) != 0 && !n->cfg.devnet) {
        tacit_log(TACIT_LOG_ERROR, "node",
                  "%s is readable or writable by group or others (mode %03o): refusing to use it; "
                  "run chmod 600 %s (and check who could read it meanwhile)",
                  path, (unsigned)mode, path);
        rc = TACIT_EKEY_FILE_MODE;
    } else if (rc == TACIT_OK) {
        if ((mode & 077) != 0)
            tacit_log(
                TACIT_LOG_WARN, "node",
                "%s is readable or writable by group or others (mode %03o): anyone who can "
                "read it can sign blocks; run chmod 600 %s (a non-devnet node refuses to start)",
                path, (unsigned)mode, path);
        text[strcspn(text, "\r\n")] = '\0';
        rc = tacit_hex_decode(sk, 32, text, false);
        if (rc == TACIT_OK) rc = tacit_sequencer_key_new(&n->key, sk);
        if (rc != TACIT_OK)
            tacit_log(TACIT_LOG_ERROR, "node", "%s: not a secp256k1 secret key in hex", path);
    } else {
        tacit_log(TACIT_LOG_ERROR, "node", "cannot read %s: %s", path, tacit_strerror(rc));
    }
    if (rc == TACIT_OK) {
        tacit_sequencer_key_public(n->key, n->params.sequencer, n->params.fee_recipient);
        tacit_hex_encode(xhex, n->params.sequencer, 32);
        tacit_hex_encode(ahex, n->params.fee_recipient, 20);
        tacit_log(TACIT_LOG_INFO, "node", "sequencer key %s, fees to %s", xhex, ahex);
    }
out:
    if (text != NULL) sodium_memzero(text, strlen(text));
    free(text);
    sodium_free(sk);
    free(path);
    return rc;
}

/* The devnet trusted setup: random toxic waste (libsodium), thrown away. Devnet only. */
static int devnet_setup(const char *keydir)
{
    tacit_r1cs cs;
    tacit_groth16_pk *pk = NULL;
    tacit_groth16_vk *vk = NULL;
    char *pkpath = tacit_datadir_path(keydir, TACIT_DATADIR_KEYS_PROVING), *json = NULL;
    int rc;
    if (pkpath == NULL) return TACIT_ENOMEM;
    tacit_log(TACIT_LOG_INFO, "devnet", "running the devnet trusted setup (once; cached in %s)",
              TACIT_LOG_S(keydir));
    if ((rc = tacit_transfer_build(&cs, NULL, NULL, NULL, TACIT_TRANSFER_DEPTH)) != TACIT_OK)
        goto out;
    rc = tacit_groth16_setup(&pk, &cs, 0);
    tacit_r1cs_clear(&cs);
    if (rc != TACIT_OK) goto out;
    if ((rc = tacit_groth16_pk_write_file(pkpath, pk)) != TACIT_OK) goto out;
    if ((rc = tacit_groth16_pk_vk(&vk, pk)) != TACIT_OK) goto out;
    if ((json = tacit_groth16_vk_to_json(vk)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    rc = tacit__datadir_write_file(keydir, TACIT_DATADIR_KEYS_VERIFYING, json, strlen(json), 0644);
out:
    if (rc != TACIT_OK)
        tacit_log(TACIT_LOG_ERROR, "devnet", "setup failed: %s", tacit_strerror(rc));
    free(json);
    tacit_groth16_vk_free(vk);
    tacit_groth16_pk_free(pk);
    free(pkpath);
    return rc;
}

int tacit__keys_load(struct tacit_node *n)
{
    char *keydir = NULL, *vkpath = NULL;
    size_t len;
    char where[TACIT_GROTH16_WHERE_MAX] = "";
    int rc;
    if (n->cfg.devnet) {
        if ((keydir = tacit_datadir_path(n->datadir, TACIT_DATADIR_KEYS)) == NULL ||
            (vkpath = tacit_datadir_path(keydir, TACIT_DATADIR_KEYS_VERIFYING)) == NULL) {
            rc = TACIT_ENOMEM;
            goto out;
        }
        if (access(vkpath, R_OK) != 0) {
            if ((rc = tacit__datadir_mkdir(keydir, 0700)) != TACIT_OK ||
                (rc = devnet_setup(keydir)) != TACIT_OK)
                goto out;
        }
    } else if (n->cfg.vk_file != NULL) {
        if ((vkpath = strdup(n->cfg.vk_file)) == NULL) {
            rc = TACIT_ENOMEM;
            goto out;
        }
    } else {
        tacit_log(TACIT_LOG_ERROR, "node",
                  "no verifying key: set vk_file in the config (or run --devnet)");
        rc = TACIT_EINVAL;
        goto out;
    }
    if ((rc = tacit__datadir_read_file(vkpath, &n->vk_json, &len, (size_t)16 << 20)) != TACIT_OK ||
        (rc = tacit_groth16_vk_from_json(&n->vk, n->vk_json, len, where)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "node", "verifying key %s: %s%s%s", TACIT_LOG_S(vkpath),
                  tacit_strerror(rc), where[0] ? " at " : "", where[0] ? TACIT_LOG_S(where) : "");
        goto out;
    }
    if (n->vk->npublic != TACIT_TX_NPUBLIC) {
        tacit_log(TACIT_LOG_ERROR, "node",
                  "verifying key %s has %zu public inputs, the transfer "
                  "circuit has %d",
                  TACIT_LOG_S(vkpath), n->vk->npublic, TACIT_TX_NPUBLIC);
        rc = TACIT_ENPUBLIC;
        goto out;
    }
    if ((rc = tacit_groth16_pvk_new(&n->pvk, n->vk, where)) != TACIT_OK)
        tacit_log(TACIT_LOG_ERROR, "node", "verifying key %s: %s", TACIT_LOG_S(vkpath),
                  tacit_strerror(rc));
out:
    free(keydir);
    free(vkpath);
    return rc;
}

/* ------------------------------------------------------------------ state ---- */

/* Opens and checks the store (flags: TACIT_STATE_EXISTING or 0), saying what to do when it
 * cannot be used. */
static int state_open_flags(struct tacit_node *n, unsigned flags)
{
    struct tacit_state_options o;
    int rc;
    tacit_state_options_init(&o);
    o.chain_id = n->params.chain_id;
    o.root_history = n->cfg.root_history;
    o.flags = flags;
    if (n->cfg.nosync) o.flags |= TACIT_STATE_NOSYNC;
    rc = tacit_state_open(&n->st, n->state_dir, &o);
    if (rc == TACIT_ESTATE_MISSING) {
        tacit_log(
            TACIT_LOG_ERROR, "state",
            "%s/data.mdb is missing or empty, but %s already holds a chain (its sequencer key, "
            "chain.json, flags or cookie): refusing to start, which would begin a new chain at "
            "height 0 conflicting with the blocks already signed. Restore the store from a "
            "backup (docs/operations.md, \"Restoring a backup\"); to really begin a new chain, "
            "start once with --new-chain",
            TACIT_LOG_S(n->state_dir), TACIT_LOG_S(n->datadir));
        return rc;
    }
    if (rc == TACIT_ESTATE_TRUNCATED) {
        tacit_log(
            TACIT_LOG_ERROR, "state",
            "%s/data.mdb is truncated or its LMDB header is damaged (the file ends before the "
            "last page its header says is in use): refusing to open it. Stop here and restore "
            "the store from a backup (docs/operations.md, \"Restoring a backup\")",
            TACIT_LOG_S(n->state_dir));
        return rc;
    }
    if (rc != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "state", "cannot open %s: %s", TACIT_LOG_S(n->state_dir),
                  tacit_strerror(rc));
        return rc;
    }
    if ((rc = tacit_state_check(n->st)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "state", "%s fails its consistency check: %s",
                  TACIT_LOG_S(n->state_dir), tacit_strerror(rc));
        tacit_state_close(n->st);
        n->st = NULL;
    }
    return rc;
}

/* The chain marker: <datadir>/chain.json, {"chainId":"0x..","sequencer":"0x<x-only key>"}. */
static int marker_write(struct tacit_node *n)
{
    char id[24], seq[67], buf[160];
    int len;
    tacit_hex_u64(id, n->params.chain_id);
    tacit_hex_encode(seq, n->params.sequencer, 32);
    len = snprintf(buf, sizeof buf, "{\"chainId\":\"%s\",\"sequencer\":\"%s\"}\n", id, seq);
    if (tacit__datadir_write_file(n->datadir, TACIT_DATADIR_CHAIN, buf, (size_t)len, 0600) !=
        TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "node", "cannot write %s/" TACIT_DATADIR_CHAIN ": %s",
                  n->datadir, strerror(errno));
        return TACIT_EIO;
    }
    return TACIT_OK;
}

/* The marker (if any) and the last stored block name the loaded sequencer key and chain id. */
static int chain_check(struct tacit_node *n, bool *have_marker)
{
    char *path = tacit_datadir_path(n->datadir, TACIT_DATADIR_CHAIN), *text = NULL, khex[67];
    struct tacit_state_tip tip;
    struct tacit_block *b = NULL;
    uint8_t *bytes = NULL, seq[32];
    uint64_t id;
    size_t len = 0;
    json_t *j = NULL;
    int rc;

    *have_marker = false;
    if (path == NULL) return TACIT_ENOMEM;
    tacit_hex_encode(khex, n->params.sequencer, 32);
    rc = tacit__datadir_read_file(path, &text, NULL, 4096);
    if (rc == TACIT_OK) {
        const char *cid, *cseq;
        *have_marker = true;
        if ((j = json_loads(text, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
            (cid = json_string_value(json_object_get(j, "chainId"))) == NULL ||
            (cseq = json_string_value(json_object_get(j, "sequencer"))) == NULL ||
            tacit_parse_hex_u64(&id, cid) != TACIT_OK ||
            tacit_hex_decode(seq, 32, cseq, true) != TACIT_OK) {
            tacit_log(TACIT_LOG_ERROR, "node",
                      "%s is not a chain marker (want {\"chainId\",\"sequencer\"})", path);
            rc = TACIT_EJSON;
            goto out;
        }
        if (id != n->params.chain_id) {
            tacit_log(TACIT_LOG_ERROR, "node",
                      "%s is chain %s, this node is configured for chain 0x%" PRIx64, path, cid,
                      n->params.chain_id);
            rc = TACIT_ESTATE_PARAMS;
            goto out;
        }
        if (memcmp(seq, n->params.sequencer, 32) != 0) {
            tacit_log(TACIT_LOG_ERROR, "node",
                      "%s/" TACIT_DATADIR_SEQUENCER_KEY
                      " (public key %s) is not the key of this chain (%s "
                      "names %s): restore the chain's " TACIT_DATADIR_SEQUENCER_KEY,
                      n->datadir, khex, path, cseq);
            rc = TACIT_ESEQUENCER_KEY_MISMATCH;
            goto out;
        }
    } else if (rc != TACIT_ENOENT) {
        tacit_log(TACIT_LOG_ERROR, "node", "cannot read %s: %s", path, tacit_strerror(rc));
        goto out;
    }
    /* the last block's header names the key that signed it */
    if ((rc = tacit_state_tip(n->st, &tip)) != TACIT_OK || tip.next_height == 0) goto out;
    if ((rc = tacit_state_block_by_height(n->st, tip.next_height - 1, NULL, &bytes, &len)) !=
            TACIT_OK ||
        (rc = tacit_block_decode(&b, bytes, len)) != TACIT_OK) {
        tacit_log(TACIT_LOG_ERROR, "state", "cannot read block %" PRIu64 ": %s",
                  tip.next_height - 1, tacit_strerror(rc));
        goto out;
    }
    /* a block of open submission (docs/protocol.md 8) carries no key: nobody signed it, any
     * L1 follower takes it */
    static const uint8_t no_key[32];
    if (memcmp(b->header.sequencer, n->params.sequencer, 32) != 0 &&
        !(n->params.open_blocks && memcmp(b->header.sequencer, no_key, 32) == 0)) {
        char bhex[67];
        tacit_hex_encode(bhex, b->header.sequencer, 32);
        tacit_log(TACIT_LOG_ERROR, "node",
                  "%s/" TACIT_DATADIR_SEQUENCER_KEY
                  " (public key %s) is not the key that signed this chain "
                  "(block %" PRIu64
                  " is signed by %s): refusing to sign a conflicting chain; restore the "
                  "chain's " TACIT_DATADIR_SEQUENCER_KEY,
                  n->datadir, khex, tip.next_height - 1, bhex);
        rc = TACIT_ESEQUENCER_KEY_MISMATCH;
    }
out:
    tacit_block_free(b);
    free(bytes);
    json_decref(j);
    free(text);
    free(path);
    return rc;
}

int tacit__state_open(struct tacit_node *n)
{
    struct tacit_state_tip tip;
    bool have_marker = false;
    int rc;

    if ((rc = tacit__rollback_recover(n->state_dir)) != TACIT_OK) return rc;
    rc =
        state_open_flags(n, n->datadir_initialised && !n->cfg.new_chain ? TACIT_STATE_EXISTING : 0);
    if (rc != TACIT_OK) return rc;
    if (n->cfg.new_chain) {
        if ((rc = tacit_state_tip(n->st, &tip)) == TACIT_OK && tip.next_height > 0) {
            tacit_log(TACIT_LOG_ERROR, "node",
                      "--new-chain, but %s holds a chain (next height %" PRIu64
                      "): --new-chain only "
                      "begins a chain where the store is missing or empty; remove the flag",
                      n->state_dir, tip.next_height);
            rc = TACIT_EEXISTS;
        }
        if (rc == TACIT_OK) {
            tacit_log(TACIT_LOG_WARN, "node",
                      "--new-chain: beginning a new chain at height 0 in %s", n->datadir);
            rc = marker_write(n);
        }
    } else if ((rc = chain_check(n, &have_marker)) == TACIT_OK && !have_marker) {
        rc = marker_write(n);
    }
    if (rc != TACIT_OK) {
        tacit_state_close(n->st);
        n->st = NULL;
    }
    return rc;
}

int tacit__state_reopen(struct tacit_node *n) { return state_open_flags(n, TACIT_STATE_EXISTING); }
