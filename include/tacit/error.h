/*
 * tacit — one list of error codes.
 *
 * TACIT_ERR_MAP generates both the enum and the messages of tacit_strerror(),
 * so a code and its message never drift apart (the UV_ERRNO_MAP pattern of libuv).
 * Action functions return one of these codes; verification functions return the
 * reason a check failed, so the RPC layer can tell a wallet exactly what is wrong.
 */
#ifndef TACIT_ERROR_H
#define TACIT_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* XX(name, message) — the order is the numbering; append, never reorder. */
#define TACIT_ERR_MAP(XX)                                                          \
    XX(OK, "success")                                                              \
    XX(ENOMEM, "out of memory")                                                    \
    XX(EINVAL, "invalid argument")                                                 \
    XX(EIO, "I/O error")                                                           \
    XX(ENOENT, "no such file")                                                     \
    XX(EENCODING, "bad encoding")                                                  \
    XX(ENONCANONICAL, "coordinate not canonical (>= field modulus)")               \
    XX(ENOTAFFINE, "point not in affine form (z must be \"1\")")                   \
    XX(ENOT_ON_CURVE, "point not on curve")                                        \
    XX(ENOT_IN_SUBGROUP, "point not in subgroup")                                  \
    XX(EINFINITY, "point at infinity in proof")                                    \
    XX(EPUBLIC_INPUT, "public input not canonical (>= r)")                         \
    XX(ENPUBLIC, "wrong number of public inputs")                                  \
    XX(EVERIFY, "pairing check failed")                                            \
    XX(EVK_GAMMA_DELTA, "verification key invalid: gamma equals delta")            \
    XX(EVK_IC_LENGTH, "verification key invalid: IC length is not nPublic + 1")    \
    XX(EVK_INFINITY, "verification key invalid: point at infinity")                \
    XX(EPROTOCOL, "unsupported protocol or curve (want groth16 over bn128)")       \
    XX(ETOOBIG, "input too large")                                                 \
    XX(EJSON, "malformed JSON (syntax error or duplicate key)")                    \
    XX(ECORRUPT, "state store corrupt: a record is missing or has the wrong size") \
    XX(ESTATE_VERSION, "state store has another format version (refused)")         \
    XX(ESTATE_PARAMS, "state store made for another chain id or root history")     \
    XX(EMAP_FULL, "state map full and cannot grow (size limit or readers)")        \
    XX(EDISK_FULL, "disk full: block aborted, last committed state kept")          \
    XX(ESTATE_IO, "state I/O error: block aborted, last committed state kept")     \
    XX(ENOTFOUND, "not found")                                                     \
    XX(EEXISTS, "already exists")                                                  \
    XX(ENULLIFIER_SPENT, "nullifier already spent")                                \
    XX(EOVERFLOW, "value overflow")                                                \
    XX(EINSUFFICIENT, "insufficient balance")                                      \
    XX(ETREE_FULL, "note commitment tree is full (2^32 leaves)")                   \
    XX(EHEIGHT, "block height does not follow the tip")                            \
    XX(EDIGEST, "state digests differ from the expected ones")                     \
    XX(EWITNESS, "witness length does not match the proving key")                  \
    XX(ETRAILING, "trailing bytes after the encoded object")                       \
    XX(EVERSION, "unsupported version")                                            \
    XX(ECHAIN_ID, "wrong chain id")                                                \
    XX(EEXT_DATA_HASH, "ext_data_hash does not match the ext data")                \
    XX(EPUBLIC_AMOUNT, "public_amount inconsistent with deposit, withdrawal and fee") \
    XX(EFEE_TOO_LOW, "fee below the minimum")                                      \
    XX(ENULLIFIER_REPEATED, "the two nullifiers of the transaction are equal")     \
    XX(ENULLIFIER_IN_BLOCK, "nullifier already spent earlier in the block")        \
    XX(ENULLIFIER_IN_MEMPOOL, "nullifier spent by a pending transaction with a fee as high or higher") \
    XX(EANCHOR, "unknown or stale anchor (not in the root history)")               \
    XX(EDEPOSIT_SIG, "deposit signature invalid (does not recover to the sender)") \
    XX(EDEPOSIT_HIGH_S, "deposit signature has a high s (only low-s is accepted)") \
    XX(ENONCE, "deposit nonce is not the sender's next nonce")                     \
    XX(ETURNSTILE, "shielded pool balance would go negative")                      \
    XX(EWITHDRAW_RECIPIENT, "withdrawal recipient is the pool address")            \
    XX(ESEQUENCER, "block not made by the configured sequencer key")               \
    XX(EBLOCK_SIGNATURE, "block signature invalid")                                \
    XX(EPARENT, "block parent hash does not match the tip")                        \
    XX(ETIMESTAMP, "block timestamp before its parent's")                          \
    XX(ETX_ROOT, "block tx root does not match its transactions")                  \
    XX(ECREDIT, "credits not allowed here (not a devnet, or to the pool address)") \
    XX(EMEMPOOL_FULL, "mempool full: fee too low to evict anything")               \
    XX(EBUSY, "node busy: work queue full, retry later")                           \
    XX(EUNAUTHORIZED, "missing or wrong credentials")                              \
    XX(ELOCKED, "data directory in use by another process")                        \
    XX(ETIMEOUT, "timed out")                                                      \
    XX(EFLUSHED, "removed from the mempool by the operator (admin_flushMempool)")        \
    XX(ECHECKSUM, "bech32m checksum mismatch (mistyped, or not a bech32m string)")    \
    XX(ENETWORK, "address or key of another network (mainnet vs devnet prefix)")     \
    XX(ENOTE_COMMITMENT, "decrypted note does not open its on-chain commitment") \
    XX(EPASSPHRASE, "wrong passphrase (or the wallet file was altered)")          \
    XX(EWATCH_ONLY, "watch-only wallet: it holds no spending key")               \
    XX(ENOT_SYNCED, "wallet has no verified witness: sync it first")             \
    XX(ENOTE_ROOT, "wallet's note tree root differs from the node's note root")  \
    XX(EBAD_NODE_DATA, "node sent inconsistent data (blocks out of order, commitment index, malformed field)") \
    XX(ENOTES_FRAGMENTED, "no two notes cover the amount (a transaction spends at most two notes)") \
    XX(ESTATE_TRUNCATED, "state store file truncated or its LMDB header damaged: restore the state directory from a backup") \
    XX(ESTATE_MISSING, "state store missing or empty in an initialised data directory: restore it from a backup, or start once with --new-chain") \
    XX(ESEQUENCER_KEY_MISSING, "sequencer.key missing from an initialised data directory: restore it (a new key would sign a conflicting chain)") \
    XX(ESEQUENCER_KEY_MISMATCH, "sequencer.key is not the key that signed the stored chain: restore the right key") \
    XX(EKEY_FILE_MODE, "key file readable or writable by group or others: chmod 600 it") \
    XX(EBACKUP_DISK_FULL, "backup not written: no space left at the backup path (the node's store is unaffected)") \
    XX(EBACKUP_IO, "backup not written: cannot create or write it (missing parent directory, permission or I/O error); the node's store is unaffected")

typedef enum {
#define TACIT__ERR_ENUM(name, msg) TACIT_##name,
    TACIT_ERR_MAP(TACIT__ERR_ENUM)
#undef TACIT__ERR_ENUM
    TACIT__ERR_COUNT
} tacit_err;

/* Returns a static, human-readable message for a code (never NULL). */
const char *tacit_strerror(int code);

/* Returns the symbolic name of a code, e.g. "ENOT_ON_CURVE" (never NULL). */
const char *tacit_errname(int code);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_ERROR_H */
