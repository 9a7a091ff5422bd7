/*
 * tacit — the LMDB state store: open (format and parameter checks), apply_block (one write
 * transaction per block, map growth and retry, errors that leave the last committed state),
 * and the read functions. Record layouts: docs/state-format.md.
 *
 * LMDB contracts followed here (lmdb.h): memory returned by mdb_get is valid only until the
 * next update or the end of the transaction, so every value is size-checked and copied before
 * the transaction ends; a transaction is unusable after an error, so any error aborts it;
 * mdb_env_set_mapsize needs no transaction active in the process, hence map_lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "state/state_internal.h"
#include "tacit/error.h"
#include "tacit/poseidon.h"

const char *const tacit__state_db_names[TACIT__DB_COUNT] = {
    "meta",  "blocks",  "block_hash", "txs",      "leaves",  "nodes",
    "roots", "anchors", "nullifiers", "accounts", "outputs",
};

#define DEFAULT_MAP_SIZE (UINT64_C(1) << 30)     /* 1 GiB */
#define DEFAULT_MAP_SIZE_MAX (UINT64_C(1) << 40) /* 1 TiB */
#define GROW_WAIT_SECONDS 10 /* how long growing the map waits for open readers */

/* Record sizes (docs/state-format.md). */
#define TIP_LEN (8 + 32 + 8 + 8 + 32 + 32 + 32 + 32 * (TACIT_TREE_DEPTH + 1))
#define ROOTS_LEN (32 + 8 + 32 + 32)
#define NODE_KEY_LEN 5

/* ------------------------------------------------------------------- helpers ---- */

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}
static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}
static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}
static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int tacit__state_err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS: return TACIT_OK;
    case MDB_NOTFOUND: return TACIT_ENOTFOUND;
    case MDB_KEYEXIST: return TACIT_EEXISTS;
    case MDB_MAP_FULL: return TACIT_EMAP_FULL;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID: return TACIT_ECORRUPT;
    case MDB_VERSION_MISMATCH: return TACIT_ESTATE_VERSION;
    case ENOSPC:
    case EDQUOT:
    case EFBIG: return TACIT_EDISK_FULL;
    case ENOMEM: return TACIT_ENOMEM;
    case EINVAL: return TACIT_EINVAL;
    default: return TACIT_ESTATE_IO; /* EIO, EACCES, MDB_PANIC, MDB_READERS_FULL, ... */
    }
}

/* Less than this free where the file lives, after a failed write, is a full disk. */
#define DISK_FULL_SLACK (UINT64_C(1) << 20)

/* After LMDB failed to write fd: is the file system (or the process's file-size limit) full?
 * LMDB reports a short write, which on a regular file means the space ran out mid-write, as
 * EIO (mdb_page_flush: "short write, filesystem full?"); only ENOSPC from a write that could
 * not start says it plainly. Root may use the blocks reserved for it, others may not. */
static bool fd_space_exhausted(int fd)
{
    struct statvfs vs;
    struct rlimit rl;
    struct stat sb;
    if (fstatvfs(fd, &vs) == 0) {
        uint64_t blocks = geteuid() == 0 ? (uint64_t)vs.f_bfree : (uint64_t)vs.f_bavail;
        if (blocks * (uint64_t)vs.f_frsize < DISK_FULL_SLACK) return true;
    }
    return getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
           fstat(fd, &sb) == 0 && (uint64_t)sb.st_size + DISK_FULL_SLACK >= (uint64_t)rl.rlim_cur;
}

/* The code of a failed write to the store's file (a commit): EIO becomes EDISK_FULL when the
 * file's file system has no room left. */
static int write_err(struct tacit_state *st, int mdb_rc)
{
    int rc = tacit__state_err(mdb_rc), fd;
    if (mdb_rc == EIO && mdb_env_get_fd(st->env, &fd) == 0 && fd_space_exhausted(fd))
        rc = TACIT_EDISK_FULL;
    return rc;
}

/* Every put goes through here: the test hook, and the one translation of LMDB codes. */
static int st_put(struct tacit_state *st, MDB_txn *txn, int db, const void *k, size_t kl,
                  const void *v, size_t vl, unsigned flags)
{
    MDB_val key = {kl, (void *)k}, val = {vl, (void *)v};
    if (st->fail_put_after > 0 && --st->fail_put_after == 0)
        return tacit__state_err(st->fail_put_err);
    return tacit__state_err(mdb_put(txn, st->dbi[db], &key, &val, flags));
}

/* mdb_get: the value stays valid only in txn, until its next update. */
static int st_get(struct tacit_state *st, MDB_txn *txn, int db, const void *k, size_t kl,
                  MDB_val *v)
{
    MDB_val key = {kl, (void *)k};
    return tacit__state_err(mdb_get(txn, st->dbi[db], &key, v));
}

/* A stored Fr: 32 bytes, canonical. */
static int fr_from_val(tacit_fr *out, const MDB_val *v)
{
    if (v->mv_size != 32) return TACIT_ECORRUPT;
    return tacit_fr_from_bytes(out, v->mv_data) == TACIT_OK ? TACIT_OK : TACIT_ECORRUPT;
}

/* ------------------------------------------------------------------ map size ---- */

static int map_lock_wr_timed(struct tacit_state *st)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += GROW_WAIT_SECONDS;
    return pthread_rwlock_timedwrlock(&st->map_lock, &ts) == 0 ? TACIT_OK : TACIT_EMAP_FULL;
}

/* The data file is kept at least as large as the map (sparse: the extension takes no disk
 * space). LMDB may leave the top pages of a commit unwritten (pages freed in the transaction
 * that allocated them), so without this a sound file could end before its last page used, and
 * the open-time check (file_check) would take it for a truncated one; with it, only
 * a file that lost bytes can.
 * Best effort: when it fails, the writes past the end fail as they would anyway. */
static void file_extend(struct tacit_state *st, uint64_t size)
{
    struct stat sb;
    int fd;
    if (mdb_env_get_fd(st->env, &fd) == 0 && fstat(fd, &sb) == 0 && (uint64_t)sb.st_size < size)
        (void)!ftruncate(fd, (off_t)size);
}

static void map_size_refresh(struct tacit_state *st)
{
    MDB_envinfo info;
    if (mdb_env_info(st->env, &info) == 0 && info.me_mapsize > st->map_size)
        st->map_size = info.me_mapsize;
}

/* Another process grew the map (MDB_MAP_RESIZED): adopt its size. No transaction of this
 * process may be open, the write transaction included: a reader takes write_lock first (the
 * lock order is write_lock, then map_lock), a writer already holds it. */
static int map_adopt(struct tacit_state *st, bool have_write_lock)
{
    int rc;
    if (!have_write_lock) pthread_mutex_lock(&st->write_lock);
    if ((rc = map_lock_wr_timed(st)) == TACIT_OK) {
        rc = tacit__state_err(mdb_env_set_mapsize(st->env, 0));
        map_size_refresh(st);
        pthread_rwlock_unlock(&st->map_lock);
    }
    if (!have_write_lock) pthread_mutex_unlock(&st->write_lock);
    return rc;
}

/* Called with write_lock held and no write transaction open. map_size is read and written
 * only with map_lock held exclusively (here, map_adopt) or before the store is shared (open). */
static int map_grow(struct tacit_state *st)
{
    uint64_t ns;
    int rc;
    if ((rc = map_lock_wr_timed(st)) != TACIT_OK) return rc;
    ns = st->map_size > st->map_size_max / 2 ? st->map_size_max : st->map_size * 2;
    if (ns <= st->map_size) {
        rc = TACIT_EMAP_FULL;
    } else if ((rc = tacit__state_err(mdb_env_set_mapsize(st->env, (size_t)ns))) == TACIT_OK) {
        st->map_size = ns;
        st->map_grows++;
        map_size_refresh(st);
        file_extend(st, st->map_size);
    }
    pthread_rwlock_unlock(&st->map_lock);
    return rc;
}

/* ------------------------------------------------------------- transactions ---- */

int tacit__state_read_begin(struct tacit_state *st, MDB_txn **txn)
{
    int rc;
    *txn = NULL;
    for (int tries = 0; tries < 3; tries++) {
        pthread_rwlock_rdlock(&st->map_lock);
        rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn);
        if (rc == 0) return TACIT_OK;
        pthread_rwlock_unlock(&st->map_lock);
        *txn = NULL;
        if (rc != MDB_MAP_RESIZED) return tacit__state_err(rc);
        if ((rc = map_adopt(st, false)) != TACIT_OK) return rc;
    }
    return TACIT_ESTATE_IO;
}

void tacit__state_read_end(struct tacit_state *st, MDB_txn *txn)
{
    if (txn == NULL) return;
    mdb_txn_abort(txn);
    pthread_rwlock_unlock(&st->map_lock);
}

/* Called with write_lock held (open_dbs runs before the store is shared). */
static int write_begin(struct tacit_state *st, MDB_txn **txn)
{
    int rc;
    *txn = NULL;
    for (int tries = 0; tries < 3; tries++) {
        rc = mdb_txn_begin(st->env, NULL, 0, txn);
        if (rc == 0) return TACIT_OK;
        *txn = NULL;
        if (rc != MDB_MAP_RESIZED) return tacit__state_err(rc);
        if ((rc = map_adopt(st, true)) != TACIT_OK) return rc;
    }
    return TACIT_ESTATE_IO;
}

/* ---------------------------------------------------------------------- tip ---- */

void tacit__state_empty_tip(struct tacit__tip *tip)
{
    memset(tip, 0, sizeof *tip);
    tacit_tree_frontier_init(&tip->frontier);
    tip->t.digests.note_root = *tacit_tree_zero(TACIT_TREE_DEPTH);
}

static void tip_encode(uint8_t out[TIP_LEN], const struct tacit__tip *tip)
{
    uint8_t *p = out;
    put_u64(p, tip->t.next_height), p += 8;
    memcpy(p, tip->t.hash, 32), p += 32;
    put_u64(p, tip->t.digests.commitment_count), p += 8;
    put_u64(p, tip->t.nullifier_count), p += 8;
    tacit_fr_to_bytes(p, &tip->t.digests.note_root), p += 32;
    memcpy(p, tip->t.digests.nullifier_digest, 32), p += 32;
    memcpy(p, tip->t.digests.transparent_digest, 32), p += 32;
    for (unsigned l = 0; l <= TACIT_TREE_DEPTH; l++, p += 32)
        tacit_fr_to_bytes(p, &tip->frontier.node[l]);
}

static int tip_decode(struct tacit__tip *tip, const uint8_t *p, size_t len)
{
    if (len != TIP_LEN) return TACIT_ECORRUPT;
    memset(tip, 0, sizeof *tip);
    tip->t.next_height = get_u64(p), p += 8;
    memcpy(tip->t.hash, p, 32), p += 32;
    tip->t.digests.commitment_count = get_u64(p), p += 8;
    tip->t.nullifier_count = get_u64(p), p += 8;
    if (tacit_fr_from_bytes(&tip->t.digests.note_root, p) != TACIT_OK) return TACIT_ECORRUPT;
    p += 32;
    memcpy(tip->t.digests.nullifier_digest, p, 32), p += 32;
    memcpy(tip->t.digests.transparent_digest, p, 32), p += 32;
    tip->frontier.size = tip->t.digests.commitment_count;
    if (tip->frontier.size > TACIT_TREE_MAX_LEAVES) return TACIT_ECORRUPT;
    for (unsigned l = 0; l <= TACIT_TREE_DEPTH; l++, p += 32) {
        if (tacit_fr_from_bytes(&tip->frontier.node[l], p) != TACIT_OK) return TACIT_ECORRUPT;
    }
    return TACIT_OK;
}

int tacit__state_read_tip(struct tacit_state *st, MDB_txn *txn, struct tacit__tip *tip)
{
    MDB_val v;
    int rc = st_get(st, txn, TACIT__DB_META, "tip", 3, &v);
    if (rc == TACIT_ENOTFOUND) {
        tacit__state_empty_tip(tip);
        return TACIT_OK;
    }
    if (rc != TACIT_OK) return rc;
    return tip_decode(tip, v.mv_data, v.mv_size);
}

static void roots_encode(uint8_t out[ROOTS_LEN], const struct tacit_state_digests *d)
{
    tacit_fr_to_bytes(out, &d->note_root);
    put_u64(out + 32, d->commitment_count);
    memcpy(out + 40, d->nullifier_digest, 32);
    memcpy(out + 72, d->transparent_digest, 32);
}

static int roots_decode(struct tacit_state_digests *d, const MDB_val *v)
{
    const uint8_t *p = v->mv_data;
    if (v->mv_size != ROOTS_LEN) return TACIT_ECORRUPT;
    if (tacit_fr_from_bytes(&d->note_root, p) != TACIT_OK) return TACIT_ECORRUPT;
    d->commitment_count = get_u64(p + 32);
    memcpy(d->nullifier_digest, p + 40, 32);
    memcpy(d->transparent_digest, p + 72, 32);
    return TACIT_OK;
}

/* ------------------------------------------------------------ shared getters ---- */

int tacit__state_get_node(void *arg, unsigned level, uint64_t index, tacit_fr *out)
{
    struct tacit__getter *g = arg;
    uint8_t key[NODE_KEY_LEN];
    MDB_val v;
    int rc;

    if (index > UINT32_MAX) return TACIT_ENOTFOUND;
    if (level == 0) {
        put_u32(key, (uint32_t)index);
        rc = st_get(g->st, g->txn, TACIT__DB_LEAVES, key, 4, &v);
    } else {
        key[0] = (uint8_t)level;
        put_u32(key + 1, (uint32_t)index);
        rc = st_get(g->st, g->txn, TACIT__DB_NODES, key, NODE_KEY_LEN, &v);
    }
    if (rc != TACIT_OK) return rc;
    return fr_from_val(out, &v);
}

int tacit__state_get_account(struct tacit_state *st, MDB_txn *txn, const uint8_t addr[20],
                             struct tacit_account *out)
{
    MDB_val v;
    int rc = st_get(st, txn, TACIT__DB_ACCOUNTS, addr, TACIT_ADDRESS_LEN, &v);
    memset(out, 0, sizeof *out);
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) return rc;
    if (v.mv_size != 16) return TACIT_ECORRUPT;
    out->balance = get_u64(v.mv_data);
    out->nonce = get_u64((const uint8_t *)v.mv_data + 8);
    return TACIT_OK;
}

/* The latest height after which root was the root (*found false: never). */
static int anchor_height(struct tacit_state *st, MDB_txn *txn, uint64_t next_height,
                         const tacit_fr *root, bool *found, uint64_t *h)
{
    uint8_t key[32];
    MDB_val v;
    int rc;

    *found = false;
    tacit_fr_to_bytes(key, root);
    rc = st_get(st, txn, TACIT__DB_ANCHORS, key, 32, &v);
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) return rc;
    if (v.mv_size != 8) return TACIT_ECORRUPT;
    *h = get_u64(v.mv_data);
    if (*h >= next_height) return TACIT_ECORRUPT;
    *found = true;
    return TACIT_OK;
}

int tacit__state_anchor_recent(struct tacit_state *st, MDB_txn *txn, uint64_t next_height,
                               const tacit_fr *root, bool *recent)
{
    uint64_t h = 0;
    bool found;
    int rc = anchor_height(st, txn, next_height, root, &found, &h);
    /* the roots after blocks next_height - root_history .. next_height - 1 */
    *recent = rc == TACIT_OK && found && next_height - h <= st->root_history;
    return rc;
}

int tacit__state_anchor_known(struct tacit_state *st, MDB_txn *txn, uint64_t next_height,
                              const tacit_fr *root, bool *known)
{
    uint64_t h = 0;
    int rc = anchor_height(st, txn, next_height, root, known, &h);
    if (rc != TACIT_OK) *known = false;
    return rc;
}

int tacit__state_nullifier_spent(struct tacit_state *st, MDB_txn *txn, const tacit_fr *nf,
                                 bool *spent)
{
    uint8_t key[32];
    MDB_val v;
    int rc;
    *spent = false;
    tacit_fr_to_bytes(key, nf);
    rc = st_get(st, txn, TACIT__DB_NULLIFIERS, key, 32, &v);
    if (rc == TACIT_ENOTFOUND) return TACIT_OK;
    if (rc != TACIT_OK) return rc;
    *spent = true;
    return TACIT_OK;
}

/* ----------------------------------------------------------- the file header ---- */

/*
 * A check of data.mdb against LMDB's own header before LMDB maps it: a file shorter than the
 * pages its header says are in use would make the first read of a missing page a SIGBUS
 * (inside mdb_dbi_open, or any later read). LMDB's data file starts with two meta pages (page
 * 0 at offset 0, page 1 at offset psize): a page header (mp_pgno: size_t, mp_pad: u16,
 * mp_flags: u16 with P_META, then 4 bytes), then MDB_meta: mm_magic u32 = 0xBEEFC0DE,
 * mm_version u32 = 1, mm_address (pointer), mm_mapsize (size_t), two MDB_db records (md_pad
 * u32 — the first one holds the page size —, md_flags u16, md_depth u16, five size_t), mm_last_pg
 * (size_t) and mm_txnid (size_t). Native byte order; the meta with the larger txnid is the
 * current one, and pages 0 .. its mm_last_pg must all be in the file.
 */
#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_DATA_VERSION 1u
#define LMDB_P_META 0x08u
#define LMDB_PAGEHDR (sizeof(size_t) + 2 + 2 + 4)
#define LMDB_DB_LEN (4 + 2 + 2 + 5 * sizeof(size_t))
#define LMDB_OFF_FLAGS (sizeof(size_t) + 2)
#define LMDB_OFF_MAGIC LMDB_PAGEHDR
#define LMDB_OFF_VERSION (LMDB_PAGEHDR + 4)
#define LMDB_OFF_PSIZE (LMDB_PAGEHDR + 8 + sizeof(void *) + sizeof(size_t))
#define LMDB_OFF_LAST_PG (LMDB_OFF_PSIZE + 2 * LMDB_DB_LEN)
#define LMDB_OFF_TXNID (LMDB_OFF_LAST_PG + sizeof(size_t))
#define LMDB_META_END (LMDB_OFF_TXNID + sizeof(size_t))

struct lmdb_meta {
    uint32_t psize;
    uint64_t last_pg, txnid;
};

/* One meta page at off: TACIT_OK or TACIT_ESTATE_TRUNCATED (short, or not a meta page). */
static int meta_read(int fd, off_t off, struct lmdb_meta *m)
{
    uint8_t b[LMDB_META_END];
    uint32_t magic, version;
    uint16_t flags;
    size_t last, txnid;
    ssize_t r;
    do r = pread(fd, b, sizeof b, off);
    while (r < 0 && errno == EINTR);
    if (r < 0) return tacit__state_err(errno);
    if ((size_t)r < sizeof b) return TACIT_ESTATE_TRUNCATED;
    memcpy(&flags, b + LMDB_OFF_FLAGS, 2);
    memcpy(&magic, b + LMDB_OFF_MAGIC, 4);
    memcpy(&version, b + LMDB_OFF_VERSION, 4);
    memcpy(&m->psize, b + LMDB_OFF_PSIZE, 4);
    memcpy(&last, b + LMDB_OFF_LAST_PG, sizeof last);
    memcpy(&txnid, b + LMDB_OFF_TXNID, sizeof txnid);
    m->last_pg = last;
    m->txnid = txnid;
    if (!(flags & LMDB_P_META) || magic != LMDB_MAGIC || version != LMDB_DATA_VERSION)
        return TACIT_ESTATE_TRUNCATED;
    /* a power of two LMDB could have chosen (it takes the OS page size) */
    if (m->psize < 512 || m->psize > 65536 || (m->psize & (m->psize - 1)) != 0)
        return TACIT_ESTATE_TRUNCATED;
    return TACIT_OK;
}

/* dir/data.mdb against its header, before LMDB maps it. *empty: absent or 0 bytes (LMDB would
 * make a new store). TACIT_OK, TACIT_ESTATE_TRUNCATED, or the error of reading it. */
static int file_check(const char *path, bool *empty)
{
    struct lmdb_meta m0, m1, *cur;
    struct stat sb;
    int fd, rc;

    *empty = false;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        if (errno != ENOENT) return tacit__state_err(errno);
        *empty = true;
        return TACIT_OK;
    }
    if (fstat(fd, &sb) != 0) {
        rc = tacit__state_err(errno);
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        rc = TACIT_ESTATE_TRUNCATED;
        goto out;
    }
    if (sb.st_size == 0) { /* LMDB would make a new store in it */
        *empty = true;
        rc = TACIT_OK;
        goto out;
    }
    if ((rc = meta_read(fd, 0, &m0)) != TACIT_OK || (rc = meta_read(fd, m0.psize, &m1)) != TACIT_OK)
        goto out;
    rc = TACIT_ESTATE_TRUNCATED;
    if (m1.psize != m0.psize) goto out;
    cur = m1.txnid > m0.txnid ? &m1 : &m0;
    if (cur->last_pg < 1 || cur->last_pg >= UINT64_MAX / cur->psize) goto out;
    /* the size after the metas: a commit meanwhile (another process) only makes it larger */
    if (fstat(fd, &sb) != 0) {
        rc = tacit__state_err(errno);
        goto out;
    }
    if ((uint64_t)sb.st_size < (cur->last_pg + 1) * cur->psize) goto out;
    rc = TACIT_OK;
out:
    close(fd);
    return rc;
}

/* ---------------------------------------------------------------------- open ---- */

void tacit_state_options_init(struct tacit_state_options *o)
{
    memset(o, 0, sizeof *o);
    o->root_history = TACIT_STATE_ROOT_HISTORY_DEFAULT;
}

uint32_t tacit_state_root_history(const struct tacit_state *st) { return st->root_history; }

/* Opens the databases and checks or writes the meta records, in one write transaction
 * (aborted, so nothing is written, when the store is refused). */
static int open_dbs(struct tacit_state *st, const struct tacit_state_options *o)
{
    MDB_txn *txn;
    MDB_val v;
    uint8_t buf[8];
    bool fresh;
    int rc;

    if ((rc = write_begin(st, &txn)) != TACIT_OK) return rc;
    if ((rc = tacit__state_err(mdb_dbi_open(txn, "meta", MDB_CREATE, &st->dbi[TACIT__DB_META]))) !=
        TACIT_OK)
        goto out_abort;
    rc = st_get(st, txn, TACIT__DB_META, "format", 6, &v);
    fresh = rc == TACIT_ENOTFOUND;
    if (!fresh && rc != TACIT_OK) goto out_abort;
    if (!fresh) {
        if (v.mv_size != 4 || get_u32(v.mv_data) != TACIT_STATE_FORMAT_VERSION) {
            rc = TACIT_ESTATE_VERSION;
            goto out_abort;
        }
        if ((rc = st_get(st, txn, TACIT__DB_META, "chain_id", 8, &v)) != TACIT_OK) goto out_corrupt;
        if (v.mv_size != 8) goto out_corrupt;
        st->chain_id = get_u64(v.mv_data);
        if ((rc = st_get(st, txn, TACIT__DB_META, "root_history", 12, &v)) != TACIT_OK)
            goto out_corrupt;
        if (v.mv_size != 4 || get_u32(v.mv_data) == 0) goto out_corrupt;
        st->root_history = get_u32(v.mv_data);
        if (st->chain_id != o->chain_id ||
            (o->root_history != 0 && o->root_history != st->root_history)) {
            rc = TACIT_ESTATE_PARAMS;
            goto out_abort;
        }
    } else {
        st->chain_id = o->chain_id;
        st->root_history = o->root_history ? o->root_history : TACIT_STATE_ROOT_HISTORY_DEFAULT;
        put_u32(buf, TACIT_STATE_FORMAT_VERSION);
        if ((rc = st_put(st, txn, TACIT__DB_META, "format", 6, buf, 4, 0)) != TACIT_OK)
            goto out_abort;
        put_u64(buf, st->chain_id);
        if ((rc = st_put(st, txn, TACIT__DB_META, "chain_id", 8, buf, 8, 0)) != TACIT_OK)
            goto out_abort;
        put_u32(buf, st->root_history);
        if ((rc = st_put(st, txn, TACIT__DB_META, "root_history", 12, buf, 4, 0)) != TACIT_OK)
            goto out_abort;
    }
    for (int i = 1; i < TACIT__DB_COUNT; i++) {
        rc = tacit__state_err(
            mdb_dbi_open(txn, tacit__state_db_names[i], fresh ? MDB_CREATE : 0, &st->dbi[i]));
        if (rc == TACIT_ENOTFOUND) goto out_corrupt;
        if (rc != TACIT_OK) goto out_abort;
    }
    /* Added after format 1 shipped, and additive: a store made before it gets it (empty) here;
     * nothing else reads it (docs/state-format.md, "Settlement records"). */
    if ((rc = tacit__state_err(mdb_dbi_open(txn, "settle", MDB_CREATE, &st->settle_dbi))) !=
        TACIT_OK)
        goto out_abort;
    return write_err(st, mdb_txn_commit(txn));

out_corrupt:
    if (rc == TACIT_OK || rc == TACIT_ENOTFOUND) rc = TACIT_ECORRUPT;
out_abort:
    mdb_txn_abort(txn);
    return rc;
}

int tacit_state_open(struct tacit_state **out, const char *dir, const struct tacit_state_options *o)
{
    struct tacit_state_options defaults;
    struct tacit_state *st;
    unsigned flags = MDB_NOTLS;
    int rc;

    *out = NULL;
    if (dir == NULL) return TACIT_EINVAL;
    if (o == NULL) {
        tacit_state_options_init(&defaults);
        o = &defaults;
    }
    {
        char path[4096];
        bool empty;
        if ((size_t)snprintf(path, sizeof path, "%s/data.mdb", dir) >= sizeof path)
            return TACIT_EINVAL;
        if ((rc = file_check(path, &empty)) != TACIT_OK) return rc;
        if (empty && (o->flags & TACIT_STATE_EXISTING)) return TACIT_ESTATE_MISSING;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return errno == ENOENT ? TACIT_ENOENT : tacit__state_err(errno);
    if ((st = calloc(1, sizeof *st)) == NULL) return TACIT_ENOMEM;
    st->map_size = o->map_size ? o->map_size : DEFAULT_MAP_SIZE;
    st->map_size_max = o->map_size_max ? o->map_size_max : DEFAULT_MAP_SIZE_MAX;
    if (st->map_size_max < st->map_size) st->map_size_max = st->map_size;
    if (pthread_rwlock_init(&st->map_lock, NULL) != 0) {
        free(st);
        return TACIT_ENOMEM;
    }
    if (pthread_mutex_init(&st->write_lock, NULL) != 0) {
        rc = TACIT_ENOMEM;
        goto out_free_rwlock;
    }
    if ((rc = tacit__state_err(mdb_env_create(&st->env))) != TACIT_OK) goto out_free_mutex;
    if ((rc = tacit__state_err(mdb_env_set_maxdbs(st->env, 16))) != TACIT_OK) goto out_close_env;
    if ((rc = tacit__state_err(mdb_env_set_mapsize(st->env, (size_t)st->map_size))) != TACIT_OK)
        goto out_close_env;
    if (o->flags & TACIT_STATE_NOSYNC) flags |= MDB_NOSYNC;
    if ((rc = tacit__state_err(mdb_env_open(st->env, dir, flags, 0600))) != TACIT_OK)
        goto out_close_env;
    map_size_refresh(st); /* an existing store may be larger than asked */
    if ((rc = open_dbs(st, o)) != TACIT_OK) goto out_close_env;
    if ((rc = tacit_state_check(st)) != TACIT_OK) goto out_close_env;
    file_extend(st, st->map_size); /* a refused store is left as it was */
    *out = st;
    return TACIT_OK;

out_close_env:
    mdb_env_close(st->env);
out_free_mutex:
    pthread_mutex_destroy(&st->write_lock);
out_free_rwlock:
    pthread_rwlock_destroy(&st->map_lock);
    free(st);
    return rc;
}

void tacit_state_close(struct tacit_state *st)
{
    if (st == NULL) return;
    mdb_env_close(st->env);
    pthread_mutex_destroy(&st->write_lock);
    pthread_rwlock_destroy(&st->map_lock);
    free(st);
}

/* --------------------------------------------------------------------- apply ---- */

/* The tree part of a block, hashed while the main thread does the block's other puts (an
 * LMDB write transaction belongs to one thread, so the complete nodes are collected here and
 * put by the main thread after the join). */
struct tree_job {
    struct tacit_tree_frontier f;
    tacit_fr root;
    const tacit_fr *leaves;
    size_t n;
    struct tacit_state_tree_node *nodes;
    size_t nnodes, cap;
    int rc;
    pthread_t thread;
    bool threaded;
};

static int collect_node(void *arg, unsigned level, uint64_t index, const tacit_fr *node)
{
    struct tree_job *j = arg;
    if (j->nnodes == j->cap) {
        size_t nc = j->cap ? 2 * j->cap : 64;
        void *p = realloc(j->nodes, nc * sizeof *j->nodes);
        if (p == NULL) return TACIT_ENOMEM;
        j->nodes = p;
        j->cap = nc;
    }
    j->nodes[j->nnodes].level = level;
    j->nodes[j->nnodes].index = index;
    j->nodes[j->nnodes].node = *node;
    j->nnodes++;
    return TACIT_OK;
}

static void *tree_job_run(void *arg)
{
    struct tree_job *j = arg;
    j->rc = tacit_tree_append(&j->f, &j->root, j->leaves, j->n, collect_node, j,
                              TACIT_STATE_TREE_MIN_STORED);
    return NULL;
}

/* Below this many leaves the block's tree is hashed inline: a thread start costs more. */
#define TREE_JOB_THREAD_MIN 64

static void tree_job_start(struct tree_job *j)
{
    j->threaded = false;
    if (tacit_tree_threads() >= 2 && j->n >= TREE_JOB_THREAD_MIN &&
        pthread_create(&j->thread, NULL, tree_job_run, j) == 0) {
        j->threaded = true;
        return;
    }
    tree_job_run(j);
}

static void tree_job_finish(struct tree_job *j)
{
    if (j->threaded) pthread_join(j->thread, NULL);
    j->threaded = false;
}

static bool frontier_equal(const struct tacit_tree_frontier *a, const struct tacit_tree_frontier *b)
{
    if (a->size != b->size) return false;
    for (unsigned l = 0; l <= TACIT_TREE_DEPTH; l++)
        if (!tacit_fr_eq(&a->node[l], &b->node[l])) return false;
    return true;
}

/* The view's tree (u->tree) is this block's on this tip: it was hashed on the tip's tree from
 * these leaves (tacit_state_view_update), so it is stored as it is. */
static bool tree_given(const struct tacit_block_update *u, const struct tacit_tree_frontier *tip)
{
    return u->tree != NULL && frontier_equal(&u->tree->before, tip) &&
           u->tree->after.size == tip->size + u->ncommitments &&
           (u->tree->nnodes == 0 || u->tree->nodes != NULL);
}

static bool digests_equal(const struct tacit_state_digests *a, const struct tacit_state_digests *b)
{
    return tacit_fr_eq(&a->note_root, &b->note_root) &&
           a->commitment_count == b->commitment_count &&
           memcmp(a->nullifier_digest, b->nullifier_digest, 32) == 0 &&
           memcmp(a->transparent_digest, b->transparent_digest, 32) == 0;
}

/* The block's records other than the tree nodes: txs, leaves, outputs, nullifiers, accounts. */
static int put_records(struct tacit_state *st, MDB_txn *txn, const struct tacit_block_update *u,
                       struct tacit__tip *tip, const uint8_t hkey[8], uint8_t *val)
{
    uint64_t count = tip->t.digests.commitment_count;
    uint8_t key[32];
    int rc;

    /* txs: id -> height || index in block || bytes */
    for (size_t i = 0; i < u->ntxs; i++) {
        put_u64(val, u->height);
        put_u32(val + 8, (uint32_t)i);
        if (u->txs[i].len) memcpy(val + 12, u->txs[i].bytes, u->txs[i].len);
        rc = st_put(st, txn, TACIT__DB_TXS, u->txs[i].id, 32, val, 12 + u->txs[i].len,
                    MDB_NOOVERWRITE);
        if (rc != TACIT_OK) return rc;
    }
    /* leaves and encrypted outputs, keyed by leaf index (appended in key order) */
    for (size_t i = 0; i < u->ncommitments; i++) {
        uint8_t ikey[4], cm[32];
        put_u32(ikey, (uint32_t)(count + i));
        tacit_fr_to_bytes(cm, &u->commitments[i]);
        rc = st_put(st, txn, TACIT__DB_LEAVES, ikey, 4, cm, 32, MDB_APPEND);
        if (rc != TACIT_OK) return rc == TACIT_EEXISTS ? TACIT_ECORRUPT : rc;
        if (u->outputs != NULL && u->outputs[i].len > 0) {
            rc = st_put(st, txn, TACIT__DB_OUTPUTS, ikey, 4, u->outputs[i].data, u->outputs[i].len,
                        MDB_APPEND);
            if (rc != TACIT_OK) return rc == TACIT_EEXISTS ? TACIT_ECORRUPT : rc;
        }
    }
    /* nullifiers: nf -> height; a second insert of one means spent */
    for (size_t i = 0; i < u->nnullifiers; i++) {
        tacit_fr_to_bytes(key, &u->nullifiers[i]);
        rc = st_put(st, txn, TACIT__DB_NULLIFIERS, key, 32, hkey, 8, MDB_NOOVERWRITE);
        if (rc != TACIT_OK) return rc == TACIT_EEXISTS ? TACIT_ENULLIFIER_SPENT : rc;
        tacit__nullifier_digest_step(tip->t.digests.nullifier_digest, &u->nullifiers[i]);
    }
    tip->t.nullifier_count += u->nnullifiers;
    /* accounts, in delta order */
    for (size_t i = 0; i < u->ndeltas; i++) {
        struct tacit_account a;
        uint8_t av[16];
        const struct tacit_account_delta *d = &u->deltas[i];
        if ((rc = tacit__state_get_account(st, txn, d->address, &a)) != TACIT_OK) return rc;
        if ((rc = tacit__account_apply(&a, d)) != TACIT_OK) return rc;
        put_u64(av, a.balance);
        put_u64(av + 8, a.nonce);
        if ((rc = st_put(st, txn, TACIT__DB_ACCOUNTS, d->address, TACIT_ADDRESS_LEN, av, 16, 0)) !=
            TACIT_OK)
            return rc;
    }
    return TACIT_OK;
}

/* The block's records, its tree, nullifiers and accounts, in txn. */
static int apply_in_txn(struct tacit_state *st, MDB_txn *txn, const struct tacit_block_update *u,
                        const struct tacit_state_digests *expect, struct tacit_state_digests *out)
{
    struct tacit__tip tip;
    struct tacit__account_final *touched = NULL;
    struct tree_job job;
    const struct tacit_state_tree_node *nodes;
    size_t ntouched = 0, nnodes;
    uint8_t hkey[8], key[32], *val = NULL, tipbuf[TIP_LEN], rootsbuf[ROOTS_LEN];
    size_t cap = 0;
    int rc;

    memset(&job, 0, sizeof job);
    if ((rc = tacit__state_read_tip(st, txn, &tip)) != TACIT_OK) return rc;
    if (u->height != tip.t.next_height) return TACIT_EHEIGHT;
    if (u->ncommitments > TACIT_TREE_MAX_LEAVES - tip.t.digests.commitment_count)
        return TACIT_ETREE_FULL;
    put_u64(hkey, u->height);

    /* blocks: height -> hash || bytes; block_hash: hash -> height */
    cap = 32 + u->block_len;
    for (size_t i = 0; i < u->ntxs; i++)
        if (12 + u->txs[i].len > cap) cap = 12 + u->txs[i].len;
    if ((val = malloc(cap)) == NULL) return TACIT_ENOMEM;
    memcpy(val, u->hash, 32);
    if (u->block_len) memcpy(val + 32, u->block, u->block_len);
    if ((rc = st_put(st, txn, TACIT__DB_BLOCKS, hkey, 8, val, 32 + u->block_len, MDB_APPEND)) !=
        TACIT_OK)
        goto out;
    if ((rc = st_put(st, txn, TACIT__DB_BLOCK_HASH, u->hash, 32, hkey, 8, MDB_NOOVERWRITE)) !=
        TACIT_OK)
        goto out;

    /* the tree: the view's when it hashed it on this tip, else hashed here (one pass, on
     * another thread when allowed) while the other records go in */
    if (tree_given(u, &tip.frontier)) {
        job.f = u->tree->after;
        job.root = u->tree->root;
        nodes = u->tree->nodes;
        nnodes = u->tree->nnodes;
        rc = put_records(st, txn, u, &tip, hkey, val);
    } else {
        job.f = tip.frontier;
        job.leaves = u->commitments;
        job.n = u->ncommitments;
        tree_job_start(&job);
        rc = put_records(st, txn, u, &tip, hkey, val);
        tree_job_finish(&job);
        if (rc == TACIT_OK) rc = job.rc;
        nodes = job.nodes;
        nnodes = job.nnodes;
    }
    if (rc != TACIT_OK) goto out;
    /* complete nodes of level >= TACIT_STATE_TREE_MIN_STORED */
    for (size_t i = 0; i < nnodes; i++) {
        uint8_t nkey[NODE_KEY_LEN], nval[32];
        if (nodes[i].level < TACIT_STATE_TREE_MIN_STORED || nodes[i].level > TACIT_TREE_DEPTH ||
            nodes[i].index > UINT32_MAX) {
            rc = TACIT_EINVAL;
            goto out;
        }
        nkey[0] = (uint8_t)nodes[i].level;
        put_u32(nkey + 1, (uint32_t)nodes[i].index);
        tacit_fr_to_bytes(nval, &nodes[i].node);
        rc = st_put(st, txn, TACIT__DB_NODES, nkey, sizeof nkey, nval, 32, MDB_NOOVERWRITE);
        if (rc != TACIT_OK) {
            if (rc == TACIT_EEXISTS) rc = TACIT_ECORRUPT;
            goto out;
        }
    }
    tip.frontier = job.f;
    tip.t.digests.note_root = job.root;
    tip.t.digests.commitment_count = job.f.size;

    /* the transparent digest over the accounts the block touched, in address order */
    if ((rc = tacit__touched_addresses(&touched, &ntouched, u->deltas, u->ndeltas)) != TACIT_OK)
        goto out;
    for (size_t i = 0; i < ntouched; i++) {
        if ((rc = tacit__state_get_account(st, txn, touched[i].address, &touched[i].acct)) !=
            TACIT_OK)
            goto out;
    }
    tacit__transparent_digest_step(tip.t.digests.transparent_digest, touched, ntouched);

    if (expect != NULL && !digests_equal(expect, &tip.t.digests)) {
        rc = TACIT_EDIGEST;
        goto out;
    }

    /* roots history and anchors, then the tip */
    roots_encode(rootsbuf, &tip.t.digests);
    if ((rc = st_put(st, txn, TACIT__DB_ROOTS, hkey, 8, rootsbuf, ROOTS_LEN, MDB_APPEND)) !=
        TACIT_OK)
        goto out;
    tacit_fr_to_bytes(key, &tip.t.digests.note_root);
    if ((rc = st_put(st, txn, TACIT__DB_ANCHORS, key, 32, hkey, 8, 0)) != TACIT_OK) goto out;
    tip.t.next_height = u->height + 1;
    memcpy(tip.t.hash, u->hash, 32);
    tip_encode(tipbuf, &tip);
    if ((rc = st_put(st, txn, TACIT__DB_META, "tip", 3, tipbuf, TIP_LEN, 0)) != TACIT_OK) goto out;
    *out = tip.t.digests;

out:
    free(job.nodes);
    free(touched);
    free(val);
    return rc;
}

static int apply_once(struct tacit_state *st, const struct tacit_block_update *u,
                      const struct tacit_state_digests *expect, struct tacit_state_digests *out)
{
    MDB_txn *txn;
    int rc;

    if ((rc = write_begin(st, &txn)) != TACIT_OK) return rc;
    if ((rc = apply_in_txn(st, txn, u, expect, out)) != TACIT_OK) {
        mdb_txn_abort(txn);
        return rc;
    }
    /* mdb_txn_commit frees txn whatever it returns; on error nothing was made durable. */
    return write_err(st, mdb_txn_commit(txn));
}

int tacit_state_apply_block(struct tacit_state *st, const struct tacit_block_update *u,
                            const struct tacit_state_digests *expect,
                            struct tacit_state_digests *out)
{
    struct tacit_state_digests d;
    int rc;

    if (st == NULL || u == NULL || (u->block_len && u->block == NULL) ||
        (u->ntxs && u->txs == NULL) || (u->ncommitments && u->commitments == NULL) ||
        (u->nnullifiers && u->nullifiers == NULL) || (u->ndeltas && u->deltas == NULL) ||
        u->ntxs > UINT32_MAX)
        return TACIT_EINVAL;
    for (size_t i = 0; i < u->ntxs; i++)
        if (u->txs[i].len && u->txs[i].bytes == NULL) return TACIT_EINVAL;
    if (u->outputs != NULL)
        for (size_t i = 0; i < u->ncommitments; i++)
            if (u->outputs[i].len && u->outputs[i].data == NULL) return TACIT_EINVAL;

    pthread_mutex_lock(&st->write_lock);
    for (;;) {
        rc = apply_once(st, u, expect, &d);
        if (rc != TACIT_EMAP_FULL) break;
        /* MDB_MAP_FULL: the transaction is gone; grow the map and apply the block again. */
        if ((rc = map_grow(st)) != TACIT_OK) break;
    }
    pthread_mutex_unlock(&st->write_lock);
    if (rc == TACIT_OK && out != NULL) *out = d;
    return rc;
}

/* ---------------------------------------------------------- settlement records ---- */

static int settle_put_once(struct tacit_state *st, const struct tacit_state_kv *kv, size_t n)
{
    MDB_txn *txn;
    int rc = TACIT_OK;
    if ((rc = write_begin(st, &txn)) != TACIT_OK) return rc;
    for (size_t i = 0; i < n && rc == TACIT_OK; i++) {
        MDB_val key = {kv[i].klen, (void *)kv[i].key}, val = {kv[i].vlen, (void *)kv[i].val};
        if (st->fail_put_after > 0 && --st->fail_put_after == 0)
            rc = tacit__state_err(st->fail_put_err);
        else
            rc = tacit__state_err(mdb_put(txn, st->settle_dbi, &key, &val, 0));
    }
    if (rc != TACIT_OK) {
        mdb_txn_abort(txn);
        return rc;
    }
    return write_err(st, mdb_txn_commit(txn));
}

int tacit_state_settle_put(struct tacit_state *st, const struct tacit_state_kv *kv, size_t n)
{
    int rc;
    if (st == NULL || (n && kv == NULL)) return TACIT_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (kv[i].klen == 0 || kv[i].klen > 64 || kv[i].key == NULL ||
            (kv[i].vlen && kv[i].val == NULL))
            return TACIT_EINVAL;
    pthread_mutex_lock(&st->write_lock);
    for (;;) {
        rc = settle_put_once(st, kv, n);
        if (rc != TACIT_EMAP_FULL) break;
        if ((rc = map_grow(st)) != TACIT_OK) break;
    }
    pthread_mutex_unlock(&st->write_lock);
    return rc;
}

int tacit_state_settle_get(struct tacit_state *st, const uint8_t *key, size_t klen, uint8_t **val,
                           size_t *vlen)
{
    MDB_txn *txn;
    MDB_val k = {klen, (void *)key}, v;
    int rc;
    *val = NULL;
    *vlen = 0;
    if (st == NULL || key == NULL || klen == 0 || klen > 64) return TACIT_EINVAL;
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    if ((rc = tacit__state_err(mdb_get(txn, st->settle_dbi, &k, &v))) == TACIT_OK) {
        if ((*val = malloc(v.mv_size ? v.mv_size : 1)) == NULL) {
            rc = TACIT_ENOMEM;
        } else {
            memcpy(*val, v.mv_data, v.mv_size);
            *vlen = v.mv_size;
        }
    }
    tacit__state_read_end(st, txn);
    return rc;
}

int tacit_state_settle_each(struct tacit_state *st,
                            int (*cb)(void *ud, const uint8_t *key, size_t klen, const uint8_t *val,
                                      size_t vlen),
                            void *ud)
{
    MDB_txn *txn;
    MDB_cursor *c;
    MDB_val k, v;
    int rc, mrc;
    if (st == NULL || cb == NULL) return TACIT_EINVAL;
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    if ((rc = tacit__state_err(mdb_cursor_open(txn, st->settle_dbi, &c))) != TACIT_OK) {
        tacit__state_read_end(st, txn);
        return rc;
    }
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == TACIT_OK;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
        rc = cb(ud, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
    if (rc == TACIT_OK && mrc != 0 && mrc != MDB_NOTFOUND) rc = tacit__state_err(mrc);
    mdb_cursor_close(c);
    tacit__state_read_end(st, txn);
    return rc;
}

/* ------------------------------------------------------------------- reading ---- */

int tacit_state_tip(struct tacit_state *st, struct tacit_state_tip *out)
{
    struct tacit__tip tip;
    MDB_txn *txn;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    rc = tacit__state_read_tip(st, txn, &tip);
    tacit__state_read_end(st, txn);
    if (rc == TACIT_OK) *out = tip.t;
    return rc;
}

static int digests_at_txn(struct tacit_state *st, MDB_txn *txn, uint64_t height,
                          struct tacit_state_digests *out)
{
    uint8_t hkey[8];
    MDB_val v;
    int rc;
    put_u64(hkey, height);
    if ((rc = st_get(st, txn, TACIT__DB_ROOTS, hkey, 8, &v)) != TACIT_OK) return rc;
    return roots_decode(out, &v);
}

int tacit_state_digests_at(struct tacit_state *st, uint64_t height, struct tacit_state_digests *out)
{
    MDB_txn *txn;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    rc = digests_at_txn(st, txn, height, out);
    tacit__state_read_end(st, txn);
    return rc;
}

int tacit_state_anchor_recent(struct tacit_state *st, const tacit_fr *root, bool *recent)
{
    struct tacit__tip tip;
    MDB_txn *txn;
    int rc;
    *recent = false;
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    if ((rc = tacit__state_read_tip(st, txn, &tip)) == TACIT_OK)
        rc = tacit__state_anchor_recent(st, txn, tip.t.next_height, root, recent);
    tacit__state_read_end(st, txn);
    return rc;
}

int tacit_state_nullifier_spent(struct tacit_state *st, const tacit_fr *nf, bool *spent)
{
    MDB_txn *txn;
    int rc;
    *spent = false;
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    rc = tacit__state_nullifier_spent(st, txn, nf, spent);
    tacit__state_read_end(st, txn);
    return rc;
}

int tacit_state_account(struct tacit_state *st, const uint8_t address[TACIT_ADDRESS_LEN],
                        struct tacit_account *out)
{
    MDB_txn *txn;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    rc = tacit__state_get_account(st, txn, address, out);
    tacit__state_read_end(st, txn);
    return rc;
}

int tacit_state_commitment(struct tacit_state *st, uint64_t index, tacit_fr *out)
{
    struct tacit__getter g = {st, NULL};
    int rc;
    *out = TACIT_FR_ZERO;
    if ((rc = tacit__state_read_begin(st, &g.txn)) != TACIT_OK) return rc;
    rc = tacit__state_get_node(&g, 0, index, out);
    tacit__state_read_end(st, g.txn);
    return rc;
}

int tacit_state_subtree_roots(struct tacit_state *st, unsigned level, uint64_t start, size_t max,
                              tacit_fr *out, size_t *n)
{
    struct tacit__getter g = {st, NULL};
    int rc;
    *n = 0;
    if (level < TACIT_STATE_TREE_MIN_STORED || level > TACIT_TREE_DEPTH) return TACIT_EINVAL;
    if ((rc = tacit__state_read_begin(st, &g.txn)) != TACIT_OK) return rc;
    /* Only complete nodes are stored: the first one missing ends the list. */
    for (size_t i = 0; i < max; i++) {
        if (start + i < start) break;
        rc = tacit__state_get_node(&g, level, start + i, &out[i]);
        if (rc == TACIT_ENOTFOUND) {
            rc = TACIT_OK;
            break;
        }
        if (rc != TACIT_OK) break;
        (*n)++;
    }
    tacit__state_read_end(st, g.txn);
    return rc;
}

/* Tree size and root after block height (or now). */
static int tree_at(struct tacit_state *st, MDB_txn *txn, uint64_t height, uint64_t *size,
                   tacit_fr *root, struct tacit__tip *tipbuf)
{
    struct tacit_state_digests d;
    int rc;
    if (height == TACIT_STATE_TIP) {
        if ((rc = tacit__state_read_tip(st, txn, tipbuf)) != TACIT_OK) return rc;
        *size = tipbuf->t.digests.commitment_count;
        *root = tipbuf->t.digests.note_root;
        return TACIT_OK;
    }
    if ((rc = digests_at_txn(st, txn, height, &d)) != TACIT_OK) return rc;
    *size = d.commitment_count;
    *root = d.note_root;
    return TACIT_OK;
}

int tacit_state_path(struct tacit_state *st, uint64_t index, uint64_t height,
                     struct tacit_tree_path *path, tacit_fr *root)
{
    struct tacit__getter g = {st, NULL};
    struct tacit__tip tip;
    uint64_t size;
    tacit_fr r;
    int rc;

    memset(path, 0, sizeof *path);
    if (root != NULL) *root = TACIT_FR_ZERO;
    if ((rc = tacit__state_read_begin(st, &g.txn)) != TACIT_OK) return rc;
    if ((rc = tree_at(st, g.txn, height, &size, &r, &tip)) != TACIT_OK) goto out;
    if (index >= size) {
        rc = TACIT_ENOTFOUND;
        goto out;
    }
    rc = tacit_tree_path(path, index, size, tacit__state_get_node, &g, TACIT_STATE_TREE_MIN_STORED);
    if (rc == TACIT_OK && root != NULL) *root = r;
out:
    tacit__state_read_end(st, g.txn);
    return rc;
}

int tacit_state_frontier(struct tacit_state *st, uint64_t height, struct tacit_tree_frontier *out)
{
    struct tacit__getter g = {st, NULL};
    struct tacit__tip tip;
    uint64_t size;
    tacit_fr r;
    int rc;

    tacit_tree_frontier_init(out);
    if ((rc = tacit__state_read_begin(st, &g.txn)) != TACIT_OK) return rc;
    if ((rc = tree_at(st, g.txn, height, &size, &r, &tip)) == TACIT_OK) {
        if (height == TACIT_STATE_TIP)
            *out = tip.frontier;
        else
            rc = tacit_tree_frontier_at(out, size, tacit__state_get_node, &g,
                                        TACIT_STATE_TREE_MIN_STORED);
    }
    tacit__state_read_end(st, g.txn);
    return rc;
}

/* Copies v[skip..] into a new buffer. */
static int copy_out(uint8_t **bytes, size_t *len, const MDB_val *v, size_t skip)
{
    size_t n = v->mv_size - skip;
    uint8_t *b;
    if (bytes == NULL) return TACIT_OK; /* the caller wants the metadata only */
    b = malloc(n ? n : 1);
    if (b == NULL) return TACIT_ENOMEM;
    if (n) memcpy(b, (const uint8_t *)v->mv_data + skip, n);
    *bytes = b;
    *len = n;
    return TACIT_OK;
}

static int block_at_txn(struct tacit_state *st, MDB_txn *txn, uint64_t height, uint8_t hash[32],
                        uint8_t **bytes, size_t *len)
{
    uint8_t hkey[8];
    MDB_val v;
    int rc;
    put_u64(hkey, height);
    if ((rc = st_get(st, txn, TACIT__DB_BLOCKS, hkey, 8, &v)) != TACIT_OK) return rc;
    if (v.mv_size < 32) return TACIT_ECORRUPT;
    if (hash != NULL) memcpy(hash, v.mv_data, 32);
    return copy_out(bytes, len, &v, 32);
}

int tacit_state_block_by_height(struct tacit_state *st, uint64_t height, uint8_t hash[32],
                                uint8_t **bytes, size_t *len)
{
    MDB_txn *txn;
    int rc;
    if (bytes != NULL) *bytes = NULL;
    if (len != NULL) *len = 0;
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    rc = block_at_txn(st, txn, height, hash, bytes, len);
    tacit__state_read_end(st, txn);
    return rc;
}

int tacit_state_block_by_hash(struct tacit_state *st, const uint8_t hash[32], uint64_t *height,
                              uint8_t **bytes, size_t *len)
{
    MDB_txn *txn;
    MDB_val v;
    uint64_t h;
    int rc;
    if (bytes != NULL) *bytes = NULL;
    if (len != NULL) *len = 0;
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    if ((rc = st_get(st, txn, TACIT__DB_BLOCK_HASH, hash, 32, &v)) != TACIT_OK) goto out;
    if (v.mv_size != 8) {
        rc = TACIT_ECORRUPT;
        goto out;
    }
    h = get_u64(v.mv_data);
    rc = block_at_txn(st, txn, h, NULL, bytes, len);
    if (rc == TACIT_ENOTFOUND) rc = TACIT_ECORRUPT;
    if (rc == TACIT_OK && height != NULL) *height = h;
out:
    tacit__state_read_end(st, txn);
    return rc;
}

int tacit_state_tx(struct tacit_state *st, const uint8_t id[32], uint64_t *height,
                   uint32_t *index_in_block, uint8_t **bytes, size_t *len)
{
    MDB_txn *txn;
    MDB_val v;
    int rc;
    if (bytes != NULL) *bytes = NULL;
    if (len != NULL) *len = 0;
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    if ((rc = st_get(st, txn, TACIT__DB_TXS, id, 32, &v)) != TACIT_OK) goto out;
    if (v.mv_size < 12) {
        rc = TACIT_ECORRUPT;
        goto out;
    }
    if (height != NULL) *height = get_u64(v.mv_data);
    if (index_in_block != NULL) *index_in_block = get_u32((const uint8_t *)v.mv_data + 8);
    rc = copy_out(bytes, len, &v, 12);
out:
    tacit__state_read_end(st, txn);
    return rc;
}

int tacit_state_output(struct tacit_state *st, uint64_t commitment_index, uint8_t **bytes,
                       size_t *len)
{
    MDB_txn *txn;
    MDB_val v;
    uint8_t ikey[4];
    int rc;
    if (bytes != NULL) *bytes = NULL;
    if (len != NULL) *len = 0;
    if (commitment_index > UINT32_MAX) return TACIT_ENOTFOUND;
    put_u32(ikey, (uint32_t)commitment_index);
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    if ((rc = st_get(st, txn, TACIT__DB_OUTPUTS, ikey, 4, &v)) == TACIT_OK)
        rc = copy_out(bytes, len, &v, 0);
    tacit__state_read_end(st, txn);
    return rc;
}

/* The last key of a database (*found = false when it is empty). */
static int last_key(struct tacit_state *st, MDB_txn *txn, int db, uint8_t *key, size_t keylen,
                    bool *found)
{
    MDB_cursor *c;
    MDB_val k, v;
    int rc;
    *found = false;
    if ((rc = tacit__state_err(mdb_cursor_open(txn, st->dbi[db], &c))) != TACIT_OK) return rc;
    rc = tacit__state_err(mdb_cursor_get(c, &k, &v, MDB_LAST));
    if (rc == TACIT_OK) {
        if (k.mv_size != keylen)
            rc = TACIT_ECORRUPT;
        else {
            memcpy(key, k.mv_data, keylen);
            *found = true;
        }
    } else if (rc == TACIT_ENOTFOUND) {
        rc = TACIT_OK;
    }
    mdb_cursor_close(c);
    return rc;
}

int tacit_state_check(struct tacit_state *st)
{
    struct tacit__getter g = {st, NULL};
    struct tacit__tip tip;
    struct tacit_tree_frontier f;
    struct tacit_state_digests d;
    tacit_fr root;
    uint8_t k[8];
    bool found, recent;
    int rc;

    if ((rc = tacit__state_read_begin(st, &g.txn)) != TACIT_OK) return rc;
    if ((rc = tacit__state_read_tip(st, g.txn, &tip)) != TACIT_OK) goto out;
    rc = TACIT_ECORRUPT;
    /* the stored frontier is the one the stored nodes give, and gives the tip's root */
    if (tacit_tree_frontier_at(&f, tip.frontier.size, tacit__state_get_node, &g,
                               TACIT_STATE_TREE_MIN_STORED) != TACIT_OK)
        goto out;
    for (unsigned l = 0; l <= TACIT_TREE_DEPTH; l++)
        if (!tacit_fr_eq(&f.node[l], &tip.frontier.node[l])) goto out;
    tacit_tree_frontier_root(&root, &tip.frontier);
    if (!tacit_fr_eq(&root, &tip.t.digests.note_root)) goto out;
    /* the leaves end at the commitment count */
    if (last_key(st, g.txn, TACIT__DB_LEAVES, k, 4, &found) != TACIT_OK) goto out;
    if (found != (tip.frontier.size > 0) || (found && get_u32(k) != tip.frontier.size - 1))
        goto out;
    /* the blocks, the roots history and the anchors end at the tip */
    if (last_key(st, g.txn, TACIT__DB_BLOCKS, k, 8, &found) != TACIT_OK) goto out;
    if (found != (tip.t.next_height > 0) || (found && get_u64(k) != tip.t.next_height - 1))
        goto out;
    if (tip.t.next_height > 0) {
        if (digests_at_txn(st, g.txn, tip.t.next_height - 1, &d) != TACIT_OK) goto out;
        if (!digests_equal(&d, &tip.t.digests)) goto out;
        if (tacit__state_anchor_recent(st, g.txn, tip.t.next_height, &root, &recent) != TACIT_OK ||
            !recent)
            goto out;
    }
    rc = TACIT_OK;
out:
    tacit__state_read_end(st, g.txn);
    return rc;
}

int tacit_state_disk_usage(struct tacit_state *st, uint64_t *bytes)
{
    MDB_envinfo info;
    MDB_stat stat;
    int rc;
    *bytes = 0;
    if ((rc = tacit__state_err(mdb_env_info(st->env, &info))) != TACIT_OK) return rc;
    if ((rc = tacit__state_err(mdb_env_stat(st->env, &stat))) != TACIT_OK) return rc;
    *bytes = (uint64_t)(info.me_last_pgno + 1) * stat.ms_psize;
    return TACIT_OK;
}

/* A backup error: out of space (EBACKUP_DISK_FULL) or anything else (EBACKUP_IO). A short
 * write is EIO (see fd_space_exhausted). */
static int backup_err(int err, int fd)
{
    if (err == ENOSPC || err == EDQUOT || err == EFBIG) return TACIT_EBACKUP_DISK_FULL;
    if (err == EIO && fd >= 0 && fd_space_exhausted(fd)) return TACIT_EBACKUP_DISK_FULL;
    return err == ENOMEM ? TACIT_ENOMEM : TACIT_EBACKUP_IO;
}

int tacit_state_copy(struct tacit_state *st, const char *dir)
{
    struct stat sb;
    char path[4096];
    bool made_dir = false;
    int fd = -1, dfd, rc, err;

    if (dir == NULL || (size_t)snprintf(path, sizeof path, "%s/data.mdb", dir) >= sizeof path)
        return TACIT_EINVAL;
    if (mkdir(dir, 0700) == 0)
        made_dir = true;
    else if (errno != EEXIST)
        return backup_err(errno, -1);
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) return TACIT_EBACKUP_IO;
    /* O_EXCL: never over an existing backup (no check-then-write race either); 0600 like the
     * store itself (the umask can only remove bits from it). */
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        rc = errno == EEXIST ? TACIT_EEXISTS : backup_err(errno, -1);
        goto out_rmdir;
    }
    /* mdb_env_copyfd2 runs its own read transaction: hold the map lock as readers do, so the
     * map cannot be resized under it. Compaction omits free pages (a smaller, defragmented copy). */
    pthread_rwlock_rdlock(&st->map_lock);
    err = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
    pthread_rwlock_unlock(&st->map_lock);
    if (err == 0 && fsync(fd) != 0) err = errno;
    if (err != 0) {
        rc = err > 0 ? backup_err(err, fd) : TACIT_EBACKUP_IO; /* MDB_ codes are negative */
        close(fd);
        unlink(path); /* no partial backup left to be mistaken for one */
        goto out_rmdir;
    }
    close(fd);
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return TACIT_OK;

out_rmdir:
    if (made_dir) rmdir(dir);
    return rc;
}

/* ---------------------------------------------------------------- test hooks ---- */

void tacit__state_test_fail_put(struct tacit_state *st, long nth, int err)
{
    pthread_mutex_lock(&st->write_lock);
    st->fail_put_after = nth > 0 ? nth : 0;
    st->fail_put_err = err;
    pthread_mutex_unlock(&st->write_lock);
}

unsigned long tacit__state_map_grows(const struct tacit_state *st) { return st->map_grows; }

int tacit__state_test_set_format(struct tacit_state *st, uint32_t version)
{
    MDB_txn *txn;
    uint8_t v[4];
    int rc;
    put_u32(v, version);
    pthread_mutex_lock(&st->write_lock);
    if ((rc = write_begin(st, &txn)) == TACIT_OK) {
        if ((rc = st_put(st, txn, TACIT__DB_META, "format", 6, v, 4, 0)) == TACIT_OK)
            rc = tacit__state_err(mdb_txn_commit(txn));
        else
            mdb_txn_abort(txn);
    }
    pthread_mutex_unlock(&st->write_lock);
    return rc;
}

int tacit__state_dump_hash(struct tacit_state *st, uint8_t out[32])
{
    crypto_generichash_blake2b_state h;
    MDB_txn *txn;
    int rc;

    memset(out, 0, 32);
    if ((rc = tacit__state_read_begin(st, &txn)) != TACIT_OK) return rc;
    crypto_generichash_blake2b_init(&h, NULL, 0, 32);
    for (int db = 0; db < TACIT__DB_COUNT && rc == TACIT_OK; db++) {
        MDB_cursor *c;
        MDB_val k, v;
        int mrc;
        uint8_t lens[16];
        crypto_generichash_blake2b_update(&h, (const unsigned char *)tacit__state_db_names[db],
                                          strlen(tacit__state_db_names[db]) + 1);
        if ((rc = tacit__state_err(mdb_cursor_open(txn, st->dbi[db], &c))) != TACIT_OK) break;
        for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
             mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            put_u64(lens, k.mv_size);
            put_u64(lens + 8, v.mv_size);
            crypto_generichash_blake2b_update(&h, lens, 16);
            crypto_generichash_blake2b_update(&h, k.mv_data, k.mv_size);
            crypto_generichash_blake2b_update(&h, v.mv_data, v.mv_size);
        }
        if (mrc != MDB_NOTFOUND) rc = tacit__state_err(mrc);
        mdb_cursor_close(c);
    }
    crypto_generichash_blake2b_final(&h, out, 32);
    tacit__state_read_end(st, txn);
    return rc;
}
