/*
 * tacit — Ethereum keys and signatures (include/tacit/eth.h): the secret key in sodium_malloc
 * memory, its address, recoverable low-s ECDSA (RFC 6979 nonces, libsecp256k1) and recovery.
 * The l1 module's own secp256k1 context lives here (made once, randomized for blinding, then
 * read-only and shared by every thread), as src/chain/account.c keeps chain's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_preallocated.h>
#include <secp256k1_recovery.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "l1/l1_internal.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"

static secp256k1_context *secp_ctx;
static pthread_once_t secp_once = PTHREAD_ONCE_INIT;

/* A refused argument (ARG_CHECK) makes the call return 0 instead of aborting the process. */
static void secp_illegal(const char *msg, void *data)
{
    (void)msg;
    (void)data;
}

static void secp_create(void)
{
    size_t n = secp256k1_context_preallocated_size(SECP256K1_CONTEXT_NONE);
    unsigned char seed[32];
    secp256k1_context *ctx;
    void *mem;

    if (sodium_init() < 0 || (mem = malloc(n)) == NULL) return;
    ctx = secp256k1_context_preallocated_create(mem, SECP256K1_CONTEXT_NONE);
    secp256k1_context_set_illegal_callback(ctx, secp_illegal, NULL);
    randombytes_buf(seed, sizeof seed); /* blinding against side channels (secp256k1.h) */
    if (!secp256k1_context_randomize(ctx, seed)) {
        secp256k1_context_preallocated_destroy(ctx);
        free(mem);
        return;
    }
    sodium_memzero(seed, sizeof seed);
    secp_ctx = ctx; /* lives as long as the process */
}

const secp256k1_context *tacit__l1_secp256k1(void)
{
    (void)pthread_once(&secp_once, secp_create);
    return secp_ctx;
}

struct tacit_eth_key {
    uint8_t sk[32];
    uint8_t address[TACIT_ETH_ADDRESS_LEN];
};

/* last 20 bytes of keccak256(X || Y) */
static void address_of(const secp256k1_context *ctx, uint8_t address[TACIT_ETH_ADDRESS_LEN],
                       const secp256k1_pubkey *pk)
{
    uint8_t ser[65], h[32];
    size_t n = sizeof ser;
    (void)secp256k1_ec_pubkey_serialize(ctx, ser, &n, pk, SECP256K1_EC_UNCOMPRESSED);
    tacit_keccak256(h, ser + 1, 64);
    memcpy(address, h + 12, TACIT_ETH_ADDRESS_LEN);
}

int tacit_eth_key_new(struct tacit_eth_key **out, const uint8_t sk[32])
{
    const secp256k1_context *ctx = tacit__l1_secp256k1();
    struct tacit_eth_key *k;
    secp256k1_pubkey pk;

    *out = NULL;
    if (ctx == NULL) return TACIT_ENOMEM;
    if ((k = sodium_malloc(sizeof *k)) == NULL) return TACIT_ENOMEM;
    memcpy(k->sk, sk, 32);
    if (!secp256k1_ec_pubkey_create(ctx, &pk, k->sk)) { /* zero, or >= the group order */
        sodium_free(k);
        return TACIT_EINVAL;
    }
    address_of(ctx, k->address, &pk);
    *out = k;
    return TACIT_OK;
}

/* Parses "0x" + 64 hex digits into sk without branching on the digits' values. */
static int parse_key_hex(uint8_t sk[32], const char *hex, size_t n)
{
    size_t bin_len = 0;
    if (n != 66 || hex[0] != '0' || hex[1] != 'x') return TACIT_EENCODING;
    if (sodium_hex2bin(sk, 32, hex + 2, 64, NULL, &bin_len, NULL) != 0 || bin_len != 32) {
        sodium_memzero(sk, 32);
        return TACIT_EENCODING;
    }
    return TACIT_OK;
}

int tacit_eth_key_from_hex(struct tacit_eth_key **out, const char *hex)
{
    uint8_t *sk;
    int rc;

    *out = NULL;
    if (hex == NULL) return TACIT_EENCODING;
    if (sodium_init() < 0 || (sk = sodium_malloc(32)) == NULL) return TACIT_ENOMEM;
    if ((rc = parse_key_hex(sk, hex, strnlen(hex, 67))) == TACIT_OK)
        rc = tacit_eth_key_new(out, sk);
    sodium_free(sk); /* wipes */
    return rc;
}

int tacit_eth_key_load(struct tacit_eth_key **out, const char *path)
{
    enum { CAP = 80 };
    struct stat st;
    char *buf = NULL;
    uint8_t *sk = NULL;
    size_t n = 0;
    int fd, rc;

    *out = NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return errno == ENOENT ? TACIT_ENOENT : TACIT_EIO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = TACIT_EIO;
        goto out;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        rc = TACIT_EKEY_FILE_MODE;
        goto out;
    }
    if (sodium_init() < 0 || (buf = sodium_malloc(CAP)) == NULL ||
        (sk = sodium_malloc(32)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    for (;;) {
        ssize_t r = read(fd, buf + n, CAP - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rc = TACIT_EIO;
            goto out;
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n == CAP) { /* longer than any key line */
            rc = TACIT_EENCODING;
            goto out;
        }
    }
    if (n > 0 && buf[n - 1] == '\n') n--;
    if ((rc = parse_key_hex(sk, buf, n)) == TACIT_OK) rc = tacit_eth_key_new(out, sk);
out:
    if (buf) sodium_free(buf);
    if (sk) sodium_free(sk);
    close(fd);
    return rc;
}

void tacit_eth_key_free(struct tacit_eth_key *k)
{
    if (k) sodium_free(k); /* wipes the whole allocation */
}

void tacit_eth_key_address(const struct tacit_eth_key *k, uint8_t address[TACIT_ETH_ADDRESS_LEN])
{
    memcpy(address, k->address, TACIT_ETH_ADDRESS_LEN);
}

int tacit_eth_sign(uint8_t sig[TACIT_ETH_SIG_LEN], const struct tacit_eth_key *k,
                   const uint8_t digest[32])
{
    const secp256k1_context *ctx = tacit__l1_secp256k1();
    secp256k1_ecdsa_recoverable_signature rs;
    int recid;

    memset(sig, 0, TACIT_ETH_SIG_LEN);
    if (ctx == NULL) return TACIT_ENOMEM;
    /* RFC 6979 nonce; the result is always low-s (EIP-2) */
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &rs, digest, k->sk, NULL, NULL)) return TACIT_EINVAL;
    (void)secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs);
    /* recid is the y-parity of R, plus 2 when R.x >= n (probability about 2^-127), which an
     * Ethereum signature cannot express: refused rather than sent */
    if (recid > 1) {
        memset(sig, 0, TACIT_ETH_SIG_LEN);
        return TACIT_EINVAL;
    }
    sig[64] = (uint8_t)recid;
    return TACIT_OK;
}

int tacit_eth_recover(uint8_t address[TACIT_ETH_ADDRESS_LEN], const uint8_t digest[32],
                      const uint8_t sig[TACIT_ETH_SIG_LEN])
{
    static const uint8_t zero[32];
    const secp256k1_context *ctx = tacit__l1_secp256k1();
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_ecdsa_signature plain;
    secp256k1_pubkey pk;

    memset(address, 0, TACIT_ETH_ADDRESS_LEN);
    if (ctx == NULL) return TACIT_ENOMEM;
    if (sig[64] > 1) return TACIT_EL1_SIGNATURE;
    if (memcmp(sig, zero, 32) == 0 || memcmp(sig + 32, zero, 32) == 0) return TACIT_EL1_SIGNATURE;
    /* fails for r or s >= n */
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig, sig[64]))
        return TACIT_EL1_SIGNATURE;
    /* EIP-2: s above n/2 is invalid (normalize returns 1 when it was high) */
    (void)secp256k1_ecdsa_recoverable_signature_convert(ctx, &plain, &rs);
    if (secp256k1_ecdsa_signature_normalize(ctx, NULL, &plain)) return TACIT_EL1_SIGNATURE;
    if (!secp256k1_ecdsa_recover(ctx, &pk, &rs, digest)) return TACIT_EL1_SIGNATURE;
    address_of(ctx, address, &pk);
    return TACIT_OK;
}
