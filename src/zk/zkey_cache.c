/*
 * tacit — the prepared cache of a proving key: the key in tacit's own in-memory layout,
 * written next to its .zkey the first time the key is loaded, and mapped (mmap) at every
 * later load instead of parsing and checking the .zkey again.
 *
 * Why: reading the 29 MB transfer .zkey costs about a quarter of a second on the 2-core
 * machine, nearly all of it in first-touch page faults of the freshly allocated copies
 * and in the checks (every point on its curve, every coefficient converted); a wallet pays
 * it on every send. A mapped file costs no copy and no anonymous page.
 *
 * File `<zkey>.tacitpk`, native byte order and struct layout (a cache, not an exchange
 * format): a header of CACHE_HEADER bytes, then the sections, each 64-byte aligned and
 * zero-padded to a multiple of 64 bytes:
 *   ic[npublic+1], coefs[ncoefs], a[nvars], b1[nvars], b2[nvars], c[nvars-npublic-1],
 *   h[n] (as the .zkey, coefficients already in Montgomery form), then the NTT tables
 *   tw[n/2], tw_inv[n/2], odd[n] (ntt.h).
 *
 * What binds the cache to its .zkey: the .zkey's size, modification time (ns) and inode,
 * and a BLAKE2b-256 hash of its size and its first and last 64 KiB (the header section
 * with alpha, beta, delta, which differ for every setup or ceremony contribution, and the
 * contributions section at the end). Any change of those makes the cache stale: it is
 * refused and written again from the .zkey.
 *
 * What a load checks, and why:
 *  - the format version, the byte-order mark and the struct sizes (another build);
 *  - the counts, by the .zkey reader's rules, and the file's size against the layout they
 *    give: a truncated or extended file is refused before any section is read;
 *  - a checksum over the whole file (ours, below: it catches a torn write or a flipped
 *    bit; it is not a defence against someone who can write the file — they could as well
 *    write the .zkey);
 *  - every coefficient's matrix, row and variable in range, and every coordinate of every
 *    point canonical (< p): the prover indexes arrays by the former, and a non-canonical
 *    coordinate can make a batch inversion's product a non-zero multiple of p, on which the
 *    binary inversion would never end. With these, a cache that someone crafted (with a
 *    valid checksum) can only give proofs that do not verify: nothing is read out of
 *    bounds and nothing hangs. Points are not checked to be on their curves (the cache is
 *    made from a .zkey whose points were): an off-curve point only spoils the proofs.
 * A refused cache is reported (tacit_groth16_pk_load_info), the .zkey is read and checked
 * in full, and the cache is written again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/field.h"
#include "tacit/error.h"
#include "zk/ntt.h"
#include "zk/prover_internal.h"

#define CACHE_MAGIC "tacitpk"
#define CACHE_VERSION 1
#define CACHE_HEADER 4096
#define CACHE_ALIGN 64
#define BOM UINT64_C(0x0102030405060708)
#define IDENT_SPAN 65536 /* bytes hashed at each end of the .zkey */

struct zkey_ident {
    uint64_t size, ino;
    int64_t mtime_s, mtime_ns;
    uint8_t hash[32];
};

struct cache_header {
    char magic[8];
    uint32_t version, header_bytes;
    uint64_t bom;
    uint32_t sizeof_g1, sizeof_g2, sizeof_coef, sizeof_fr;
    struct zkey_ident zkey;
    uint32_t nvars, npublic, domain_size, log_n;
    uint64_t ncoefs;
    tacit_g1_affine alpha1, beta1, delta1;
    tacit_g2_affine beta2, gamma2, delta2;
    uint64_t file_bytes;
    uint64_t sum; /* checksum of the whole file with this field zero */
};

_Static_assert(sizeof(struct cache_header) <= CACHE_HEADER, "cache header fits its page");

/* ------------------------------------------------------------ checksum ---- */

/*
 * A fast non-cryptographic checksum over 32-byte blocks: four independent 64-bit lanes,
 * each mixing a word in by a multiplication and a rotation (the lane round of hashes like
 * xxHash, Collet 2012), joined at the end with the length by a 64-bit finalizer
 * (multiply-xorshift, as MurmurHash3's fmix64, Appleby 2011). About memory speed: the point
 * is to catch a torn write or a flipped bit in a 30 MB file within a few milliseconds.
 */
#define SUM_K1 UINT64_C(0x9e3779b97f4a7c15)
#define SUM_K2 UINT64_C(0xc2b2ae3d27d4eb4f)

struct sum {
    uint64_t h[4], len;
};

static void sum_init(struct sum *s)
{
    for (int i = 0; i < 4; i++) s->h[i] = SUM_K1 * (uint64_t)(i + 1);
    s->len = 0;
}

static inline uint64_t rotl64(uint64_t x, unsigned r) { return (x << r) | (x >> (64 - r)); }

/* len a multiple of 32 */
static void sum_update(struct sum *s, const void *p, size_t len)
{
    const uint8_t *b = p;
    uint64_t h0 = s->h[0], h1 = s->h[1], h2 = s->h[2], h3 = s->h[3], w[4];
    for (size_t i = 0; i + 32 <= len; i += 32) {
        memcpy(w, b + i, 32);
        h0 = rotl64(h0 + w[0] * SUM_K2, 31) * SUM_K1;
        h1 = rotl64(h1 + w[1] * SUM_K2, 31) * SUM_K1;
        h2 = rotl64(h2 + w[2] * SUM_K2, 31) * SUM_K1;
        h3 = rotl64(h3 + w[3] * SUM_K2, 31) * SUM_K1;
    }
    s->h[0] = h0;
    s->h[1] = h1;
    s->h[2] = h2;
    s->h[3] = h3;
    s->len += len;
}

static uint64_t sum_final(const struct sum *s)
{
    uint64_t h = s->len;
    for (int i = 0; i < 4; i++) {
        h ^= rotl64(s->h[i], (unsigned)(7 + 12 * i));
        h ^= h >> 33;
        h *= SUM_K2;
        h ^= h >> 29;
        h *= SUM_K1;
        h ^= h >> 32;
    }
    return h;
}

/* -------------------------------------------------------------- layout ---- */

enum { S_IC, S_COEF, S_A, S_B1, S_B2, S_C, S_H, S_TW, S_TWI, S_ODD, NSEC };

struct layout {
    uint64_t off[NSEC], len[NSEC]; /* len: bytes of data, before padding */
    uint64_t total;
};

static uint64_t pad64(uint64_t x) { return (x + CACHE_ALIGN - 1) & ~(uint64_t)(CACHE_ALIGN - 1); }

static void layout_of(struct layout *l, uint64_t nvars, uint64_t npublic, uint64_t n,
                      uint64_t ncoefs)
{
    uint64_t half = n > 1 ? n / 2 : 1, off = CACHE_HEADER;
    l->len[S_IC] = (npublic + 1) * sizeof(tacit_g1_affine);
    l->len[S_COEF] = ncoefs * sizeof(tacit_groth16_coef);
    l->len[S_A] = nvars * sizeof(tacit_g1_affine);
    l->len[S_B1] = nvars * sizeof(tacit_g1_affine);
    l->len[S_B2] = nvars * sizeof(tacit_g2_affine);
    l->len[S_C] = (nvars - npublic - 1) * sizeof(tacit_g1_affine);
    l->len[S_H] = n * sizeof(tacit_g1_affine);
    l->len[S_TW] = half * sizeof(tacit_fr);
    l->len[S_TWI] = half * sizeof(tacit_fr);
    l->len[S_ODD] = n * sizeof(tacit_fr);
    for (int i = 0; i < NSEC; i++) {
        l->off[i] = off;
        off += pad64(l->len[i]);
    }
    l->total = off;
}

/* The counts' rules of the .zkey reader (zkey.c), and the layout's size within limits. */
static bool counts_ok(uint32_t nvars, uint32_t npublic, uint32_t n, uint32_t log_n, uint64_t ncoefs)
{
    if (nvars >= (UINT32_C(1) << 31) || npublic >= nvars) return false;
    if (log_n > TACIT_PROVER_MAX_LOG_DOMAIN || n != (UINT32_C(1) << log_n) || n < 2 ||
        n < npublic + 1)
        return false;
    return ncoefs <= TACIT_PROVER_FILE_MAX / sizeof(tacit_groth16_coef);
}

/* ------------------------------------------------------------ identity ---- */

static int ident_of_fd(struct zkey_ident *id, int fd, const struct stat *st)
{
    crypto_generichash_state h;
    uint8_t *buf, le[8];
    uint64_t size = (uint64_t)st->st_size, tail;
    ssize_t got;
    size_t head = size < IDENT_SPAN ? (size_t)size : IDENT_SPAN;

    memset(id, 0, sizeof *id);
    id->size = size;
    id->ino = (uint64_t)st->st_ino;
    id->mtime_s = (int64_t)st->st_mtim.tv_sec;
    id->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
    if ((buf = malloc(IDENT_SPAN)) == NULL) return TACIT_ENOMEM;
    for (int i = 0; i < 8; i++) le[i] = (uint8_t)(size >> (8 * i));
    crypto_generichash_init(&h, NULL, 0, sizeof id->hash);
    crypto_generichash_update(&h, le, sizeof le);
    got = pread(fd, buf, head, 0);
    if (got != (ssize_t)head) goto io;
    crypto_generichash_update(&h, buf, head);
    tail = size < IDENT_SPAN ? size : IDENT_SPAN;
    got = pread(fd, buf, (size_t)tail, (off_t)(size - tail));
    if (got != (ssize_t)tail) goto io;
    crypto_generichash_update(&h, buf, (size_t)tail);
    crypto_generichash_final(&h, id->hash, sizeof id->hash);
    free(buf);
    return TACIT_OK;
io:
    free(buf);
    return TACIT_EIO;
}

/* ---------------------------------------------------------------- write ---- */

/* Writes len bytes and the zero padding to the next multiple of 64. */
static int write_all(int fd, const void *p, size_t len)
{
    static const uint8_t zero[CACHE_ALIGN];
    const uint8_t *b = p;
    size_t padded = (size_t)pad64(len), done = 0;
    while (done < len) {
        ssize_t w = write(fd, b + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return TACIT_EIO;
        done += (size_t)w;
    }
    if (padded > len && write(fd, zero, padded - len) != (ssize_t)(padded - len)) return TACIT_EIO;
    return TACIT_OK;
}

/* The sections of pk in file order (NULL for the NTT tables of a key without a domain). */
static void sections_of(const void *sec[NSEC], const tacit_groth16_pk *pk)
{
    sec[S_IC] = pk->ic;
    sec[S_COEF] = pk->coefs;
    sec[S_A] = pk->a;
    sec[S_B1] = pk->b1;
    sec[S_B2] = pk->b2;
    sec[S_C] = pk->c;
    sec[S_H] = pk->h;
    sec[S_TW] = pk->domain->tw;
    sec[S_TWI] = pk->domain->tw_inv;
    sec[S_ODD] = pk->domain->odd;
}

static void header_of(struct cache_header *h, const tacit_groth16_pk *pk,
                      const struct zkey_ident *id, uint64_t total)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, CACHE_MAGIC, sizeof CACHE_MAGIC);
    h->version = CACHE_VERSION;
    h->header_bytes = CACHE_HEADER;
    h->bom = BOM;
    h->sizeof_g1 = sizeof(tacit_g1_affine);
    h->sizeof_g2 = sizeof(tacit_g2_affine);
    h->sizeof_coef = sizeof(tacit_groth16_coef);
    h->sizeof_fr = sizeof(tacit_fr);
    h->zkey = *id;
    h->nvars = pk->nvars;
    h->npublic = pk->npublic;
    h->domain_size = pk->domain_size;
    h->log_n = pk->log_n;
    h->ncoefs = pk->ncoefs;
    h->alpha1 = pk->alpha1;
    h->beta1 = pk->beta1;
    h->delta1 = pk->delta1;
    h->beta2 = pk->beta2;
    h->gamma2 = pk->gamma2;
    h->delta2 = pk->delta2;
    h->file_bytes = total;
}

/* Writes the cache of pk (read from a .zkey with identity id) to path, through a
 * temporary file in the same directory renamed over it. */
static int cache_write(const char *path, const tacit_groth16_pk *pk, const struct zkey_ident *id)
{
    char tmp[4096];
    uint8_t page[CACHE_HEADER];
    struct cache_header h;
    struct layout l;
    struct sum s;
    const void *sec[NSEC];
    int fd, rc = TACIT_OK;

    /* mkstemp's template (its six X's become a unique suffix); a path too long for it means no
     * cache: the key is used as read from the .zkey (TACIT_PK_LOADED_ZKEY, write_rc TACIT_EIO) */
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp) return TACIT_EIO;
    layout_of(&l, pk->nvars, pk->npublic, pk->domain_size, pk->ncoefs);
    sections_of(sec, pk);
    header_of(&h, pk, id, l.total);

    /* the checksum first (the header with sum = 0, then the sections), then the writes */
    memset(page, 0, sizeof page);
    memcpy(page, &h, sizeof h);
    sum_init(&s);
    sum_update(&s, page, sizeof page);
    for (int i = 0; i < NSEC; i++) {
        const uint8_t *b = sec[i];
        uint64_t len = l.len[i], whole = len & ~(uint64_t)31, padded = pad64(len);
        uint8_t blk[32] = {0};
        sum_update(&s, b, (size_t)whole);
        if (len > whole) {
            memcpy(blk, b + whole, (size_t)(len - whole));
            sum_update(&s, blk, 32);
            memset(blk, 0, sizeof blk);
        }
        for (uint64_t q = (len + 31) & ~(uint64_t)31; q < padded; q += 32) sum_update(&s, blk, 32);
    }
    h.sum = sum_final(&s);
    memcpy(page, &h, sizeof h);

    if ((fd = mkstemp(tmp)) < 0) return TACIT_EIO;
    (void)fchmod(fd, 0644);
    if ((rc = write_all(fd, page, sizeof page)) != TACIT_OK) goto fail;
    for (int i = 0; i < NSEC; i++)
        if ((rc = write_all(fd, sec[i], (size_t)l.len[i])) != TACIT_OK) goto fail;
    if (close(fd) != 0) {
        fd = -1;
        rc = TACIT_EIO;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = TACIT_EIO;
        goto fail;
    }
    return TACIT_OK;
fail:
    if (fd >= 0) close(fd);
    unlink(tmp);
    return rc;
}

/* ----------------------------------------------------------------- read ---- */

/* 1 when the coordinate is canonical (< p), else 0; as integers, so that the checks below
 * combine with & without a branch per point (and without clang's bool & bool warning). */
static unsigned fp_ok(const tacit_fp *x) { return tacit__lt(x->l, tacit__p.l) ? 1u : 0u; }

static unsigned g1_ok(const tacit_g1_affine *p, size_t n)
{
    unsigned ok = 1;
    for (size_t i = 0; i < n; i++) ok &= fp_ok(&p[i].x) & fp_ok(&p[i].y);
    return ok;
}

static unsigned g2_ok(const tacit_g2_affine *p, size_t n)
{
    unsigned ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= fp_ok(&p[i].x.c0) & fp_ok(&p[i].x.c1) & fp_ok(&p[i].y.c0) & fp_ok(&p[i].y.c1);
    return ok;
}

static unsigned coefs_ok(const tacit_groth16_coef *k, size_t ncoefs, uint32_t n, uint32_t nvars)
{
    unsigned ok = 1;
    for (size_t i = 0; i < ncoefs; i++)
        ok &=
            (unsigned)(k[i].matrix <= 1) & (unsigned)(k[i].row < n) & (unsigned)(k[i].var < nvars);
    return ok;
}

/* Maps and checks the cache at path for a .zkey of identity id. *why: the refusal. */
static int cache_map(tacit_groth16_pk **out, const char *path, const struct zkey_ident *id,
                     int *why)
{
    struct cache_header h;
    struct layout l;
    struct sum s;
    struct stat st;
    tacit_groth16_pk *pk = NULL;
    uint8_t *map = MAP_FAILED;
    uint64_t saved;
    int fd, rc;

    *out = NULL;
    *why = TACIT_PK_CACHE_NONE;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) return TACIT_ENOENT;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *why = TACIT_PK_CACHE_BAD_HEADER;
        return TACIT_EIO;
    }
    if ((uint64_t)st.st_size < CACHE_HEADER) {
        close(fd);
        *why = TACIT_PK_CACHE_TRUNCATED;
        return TACIT_EENCODING;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        *why = TACIT_PK_CACHE_BAD_HEADER;
        return TACIT_EIO;
    }
    memcpy(&h, map, sizeof h);
    rc = TACIT_EENCODING;
    if (memcmp(h.magic, CACHE_MAGIC, sizeof CACHE_MAGIC) != 0 || h.header_bytes != CACHE_HEADER) {
        *why = TACIT_PK_CACHE_BAD_HEADER;
        goto fail;
    }
    if (h.version != CACHE_VERSION || h.bom != BOM || h.sizeof_g1 != sizeof(tacit_g1_affine) ||
        h.sizeof_g2 != sizeof(tacit_g2_affine) || h.sizeof_coef != sizeof(tacit_groth16_coef) ||
        h.sizeof_fr != sizeof(tacit_fr)) {
        *why = TACIT_PK_CACHE_VERSION;
        goto fail;
    }
    if (memcmp(&h.zkey, id, sizeof *id) != 0) {
        *why = TACIT_PK_CACHE_STALE;
        goto fail;
    }
    if (!counts_ok(h.nvars, h.npublic, h.domain_size, h.log_n, h.ncoefs)) {
        *why = TACIT_PK_CACHE_BAD_HEADER;
        goto fail;
    }
    layout_of(&l, h.nvars, h.npublic, h.domain_size, h.ncoefs);
    if (h.file_bytes != l.total || (uint64_t)st.st_size != l.total) {
        *why = h.file_bytes == l.total && (uint64_t)st.st_size < l.total
                   ? TACIT_PK_CACHE_TRUNCATED
                   : TACIT_PK_CACHE_BAD_HEADER;
        goto fail;
    }
    saved = h.sum;
    h.sum = 0;
    sum_init(&s);
    {
        uint8_t page[CACHE_HEADER];
        memcpy(page, map, sizeof page);
        memcpy(page, &h, sizeof h);
        sum_update(&s, page, sizeof page);
    }
    sum_update(&s, map + CACHE_HEADER, (size_t)(l.total - CACHE_HEADER));
    if (sum_final(&s) != saved) {
        *why = TACIT_PK_CACHE_CHECKSUM;
        goto fail;
    }
    {
        const tacit_g1_affine *hp[3] = {&h.alpha1, &h.beta1, &h.delta1};
        const tacit_g2_affine *hq[3] = {&h.beta2, &h.gamma2, &h.delta2};
        unsigned ok =
            coefs_ok((const void *)(map + l.off[S_COEF]), (size_t)h.ncoefs, h.domain_size, h.nvars);
        for (int i = 0; i < 3; i++) ok &= g1_ok(hp[i], 1) & g2_ok(hq[i], 1);
        ok &= g1_ok((const void *)(map + l.off[S_IC]), h.npublic + 1u);
        ok &= g1_ok((const void *)(map + l.off[S_A]), h.nvars);
        ok &= g1_ok((const void *)(map + l.off[S_B1]), h.nvars);
        ok &= g2_ok((const void *)(map + l.off[S_B2]), h.nvars);
        ok &= g1_ok((const void *)(map + l.off[S_C]), h.nvars - h.npublic - 1u);
        ok &= g1_ok((const void *)(map + l.off[S_H]), h.domain_size);
        if (!ok) {
            *why = TACIT_PK_CACHE_OUT_OF_RANGE;
            goto fail;
        }
    }
    rc = TACIT_ENOMEM;
    if ((pk = calloc(1, sizeof *pk)) == NULL) goto fail;
    pk->nvars = h.nvars;
    pk->npublic = h.npublic;
    pk->domain_size = h.domain_size;
    pk->log_n = h.log_n;
    pk->ncoefs = (size_t)h.ncoefs;
    pk->alpha1 = h.alpha1;
    pk->beta1 = h.beta1;
    pk->delta1 = h.delta1;
    pk->beta2 = h.beta2;
    pk->gamma2 = h.gamma2;
    pk->delta2 = h.delta2;
    pk->ic = (void *)(map + l.off[S_IC]);
    pk->coefs = (void *)(map + l.off[S_COEF]);
    pk->a = (void *)(map + l.off[S_A]);
    pk->b1 = (void *)(map + l.off[S_B1]);
    pk->b2 = (void *)(map + l.off[S_B2]);
    pk->c = (void *)(map + l.off[S_C]);
    pk->h = (void *)(map + l.off[S_H]);
    pk->map = map;
    pk->map_len = (size_t)l.total;
    if ((rc = tacit__ntt_domain_wrap(&pk->domain, h.log_n, (const void *)(map + l.off[S_TW]),
                                     (const void *)(map + l.off[S_TWI]),
                                     (const void *)(map + l.off[S_ODD]))) != TACIT_OK) {
        tacit_groth16_pk_free(pk); /* unmaps */
        return rc;
    }
    *out = pk;
    return TACIT_OK;
fail:
    free(pk);
    munmap(map, (size_t)st.st_size);
    return rc;
}

/* Test hook (prover_internal.h): the checksum of the cache file at path recomputed and
 * stored, so that a test can make a cache whose damage only the range checks catch. */
int tacit__groth16_pk_cache_reseal(const char *path)
{
    struct cache_header h;
    struct sum s;
    uint8_t *buf;
    size_t len;
    int rc;
    if ((rc = tacit__read_file(&buf, &len, path, TACIT_PROVER_FILE_MAX)) != TACIT_OK) return rc;
    if (len < CACHE_HEADER || (len & 63) != 0) {
        free(buf);
        return TACIT_EENCODING;
    }
    memcpy(&h, buf, sizeof h);
    h.sum = 0;
    memcpy(buf, &h, sizeof h);
    sum_init(&s);
    sum_update(&s, buf, len);
    h.sum = sum_final(&s);
    memcpy(buf, &h, sizeof h);
    rc = tacit__write_file(path, buf, len);
    free(buf);
    return rc;
}

/* ----------------------------------------------------------------- load ---- */

const char *tacit_groth16_pk_cache_refusal(int why)
{
    switch (why) {
    case TACIT_PK_CACHE_NONE: return "no cache";
    case TACIT_PK_CACHE_STALE: return "stale: the .zkey changed since it was written";
    case TACIT_PK_CACHE_VERSION: return "another format version or build";
    case TACIT_PK_CACHE_BAD_HEADER: return "bad header or size";
    case TACIT_PK_CACHE_TRUNCATED: return "truncated";
    case TACIT_PK_CACHE_CHECKSUM: return "checksum mismatch (corrupt)";
    case TACIT_PK_CACHE_OUT_OF_RANGE: return "an index or coordinate out of range (corrupt)";
    default: return "unknown";
    }
}

int tacit__groth16_pk_cache_path(char *buf, size_t len, const char *zkey_path)
{
    return (size_t)snprintf(buf, len, "%s.tacitpk", zkey_path) < len ? TACIT_OK : TACIT_EINVAL;
}

int tacit_groth16_pk_load(tacit_groth16_pk **out, const char *zkey_path,
                          tacit_groth16_pk_load_info *info)
{
    tacit_groth16_pk_load_info local;
    struct zkey_ident id;
    struct stat st;
    char cpath[4096];
    uint8_t *buf = NULL;
    size_t size;
    ssize_t got;
    int fd, rc;

    *out = NULL;
    if (info == NULL) info = &local;
    memset(info, 0, sizeof *info);
    info->write_rc = TACIT_OK;
    if (sodium_init() < 0) return TACIT_ENOMEM;
    if (tacit__groth16_pk_cache_path(cpath, sizeof cpath, zkey_path) != TACIT_OK ||
        getenv("TACIT_NO_PK_CACHE") != NULL) {
        info->result = TACIT_PK_LOADED_ZKEY;
        return tacit_groth16_pk_read_file(out, zkey_path);
    }

    if ((fd = open(zkey_path, O_RDONLY | O_CLOEXEC)) < 0)
        return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
        close(fd);
        return TACIT_EIO;
    }
    if ((uint64_t)st.st_size > TACIT_PROVER_FILE_MAX) {
        close(fd);
        return TACIT_ETOOBIG;
    }
    if ((rc = ident_of_fd(&id, fd, &st)) != TACIT_OK) {
        close(fd);
        return rc;
    }
    if (cache_map(out, cpath, &id, &info->refused) == TACIT_OK) {
        close(fd);
        info->result = TACIT_PK_LOADED_CACHE;
        return TACIT_OK;
    }

    /* no usable cache: the .zkey, read from the descriptor its identity came from */
    size = (size_t)st.st_size;
    if ((buf = malloc(size ? size : 1)) == NULL) {
        close(fd);
        return TACIT_ENOMEM;
    }
    for (size_t done = 0; done < size; done += (size_t)got) {
        got = pread(fd, buf + done, size - done, (off_t)done);
        if (got < 0 && errno == EINTR) {
            got = 0;
            continue;
        }
        if (got <= 0) {
            free(buf);
            close(fd);
            return TACIT_EIO;
        }
    }
    close(fd);
    rc = tacit_groth16_pk_read(out, buf, size);
    free(buf);
    if (rc != TACIT_OK) return rc;
    info->write_rc = cache_write(cpath, *out, &id);
    info->result = info->write_rc == TACIT_OK ? TACIT_PK_LOADED_ZKEY_CACHED : TACIT_PK_LOADED_ZKEY;
    return TACIT_OK;
}
