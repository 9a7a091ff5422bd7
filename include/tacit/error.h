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

/* XX(number, name, message) — libuv's UV_ERRNO_MAP with its explicit numbers: a code travels on
 * the wire (JSON-RPC error code 1000 + number, docs/rpc.md) and must never move. A new code is
 * APPENDED with the next number; nothing is renumbered, reordered or removed. src/common/error.c
 * refuses at compile time a number that is not its entry's position (so numbers are unique,
 * dense and ascending), and tests/test_error.c pins every name to its number against
 * tests/vectors/errors.txt and checks the table of docs/rpc.md. */
#define TACIT_ERR_MAP(XX)                                                                          \
    XX(0, OK, "success")                                                                           \
    XX(1, ENOMEM, "out of memory")                                                                 \
    XX(2, EINVAL, "invalid argument")                                                              \
    XX(3, EIO, "I/O error")                                                                        \
    XX(4, ENOENT, "no such file")                                                                  \
    XX(5, EENCODING, "bad encoding")                                                               \
    XX(6, ENONCANONICAL, "coordinate not canonical (>= field modulus)")                            \
    XX(7, ENOTAFFINE, "point not in affine form (z must be \"1\")")                                \
    XX(8, ENOT_ON_CURVE, "point not on curve")                                                     \
    XX(9, ENOT_IN_SUBGROUP, "point not in subgroup")                                               \
    XX(10, EINFINITY, "point at infinity in proof")                                                \
    XX(11, EPUBLIC_INPUT, "public input not canonical (>= r)")                                     \
    XX(12, ENPUBLIC, "wrong number of public inputs")                                              \
    XX(13, EVERIFY, "pairing check failed")                                                        \
    XX(14, EVK_GAMMA_DELTA, "verification key invalid: gamma equals delta")                        \
    XX(15, EVK_IC_LENGTH, "verification key invalid: IC length is not nPublic + 1")                \
    XX(16, EVK_INFINITY, "verification key invalid: point at infinity")                            \
    XX(17, EPROTOCOL, "unsupported protocol or curve (want groth16 over bn128)")                   \
    XX(18, ETOOBIG, "input too large")                                                             \
    XX(19, EJSON, "malformed JSON (syntax error or duplicate key)")                                \
    XX(20, ECORRUPT, "state store corrupt: a record is missing or has the wrong size")             \
    XX(21, ESTATE_VERSION, "state store has another format version (refused)")                     \
    XX(22, ESTATE_PARAMS, "state store made for another chain id or root history")                 \
    XX(23, EMAP_FULL, "state map full and cannot grow (size limit or readers)")                    \
    XX(24, EDISK_FULL, "disk full: block aborted, last committed state kept")                      \
    XX(25, ESTATE_IO, "state I/O error: block aborted, last committed state kept")                 \
    XX(26, ENOTFOUND, "not found")                                                                 \
    XX(27, EEXISTS, "already exists")                                                              \
    XX(28, ENULLIFIER_SPENT, "nullifier already spent")                                            \
    XX(29, EOVERFLOW, "value overflow")                                                            \
    XX(30, EINSUFFICIENT, "insufficient balance")                                                  \
    XX(31, ETREE_FULL, "note commitment tree is full (2^32 leaves)")                               \
    XX(32, EHEIGHT, "block height does not follow the tip")                                        \
    XX(33, EDIGEST, "state digests differ from the expected ones")                                 \
    XX(34, EWITNESS, "witness length does not match the proving key")                              \
    XX(35, ETRAILING, "trailing bytes after the encoded object")                                   \
    XX(36, EVERSION, "unsupported version")                                                        \
    XX(37, ECHAIN_ID, "wrong chain id")                                                            \
    XX(38, EEXT_DATA_HASH, "ext_data_hash does not match the ext data")                            \
    XX(39, EPUBLIC_AMOUNT, "public_amount inconsistent with deposit, withdrawal and fee")          \
    XX(40, EFEE_TOO_LOW, "fee below the minimum")                                                  \
    XX(41, ENULLIFIER_REPEATED, "the two nullifiers of the transaction are equal")                 \
    XX(42, ENULLIFIER_IN_BLOCK, "nullifier already spent earlier in the block")                    \
    XX(43, ENULLIFIER_IN_MEMPOOL,                                                                  \
       "nullifier spent by a pending transaction with a fee as high or higher")                    \
    XX(44, EANCHOR, "unknown or stale anchor (not in the root history)")                           \
    XX(45, EDEPOSIT_SIG, "deposit signature invalid (does not recover to the sender)")             \
    XX(46, EDEPOSIT_HIGH_S, "deposit signature has a high s (only low-s is accepted)")             \
    XX(47, ENONCE, "deposit nonce is not the sender's next nonce")                                 \
    XX(48, ETURNSTILE, "shielded pool balance would go negative")                                  \
    XX(49, EWITHDRAW_RECIPIENT, "withdrawal recipient is the pool address")                        \
    XX(50, ESEQUENCER, "block not made by the configured sequencer key")                           \
    XX(51, EBLOCK_SIGNATURE, "block signature invalid")                                            \
    XX(52, EPARENT, "block parent hash does not match the tip")                                    \
    XX(53, ETIMESTAMP, "block timestamp before its parent's")                                      \
    XX(54, ETX_ROOT, "block tx root does not match its transactions")                              \
    XX(55, ECREDIT, "credit refused (not a devnet; to the pool on v1; a bad forced marker on v2)") \
    XX(56, EMEMPOOL_FULL, "mempool full: fee too low to evict anything")                           \
    XX(57, EBUSY, "node busy: work queue full, retry later")                                       \
    XX(58, EUNAUTHORIZED, "missing or wrong credentials")                                          \
    XX(59, ELOCKED, "data directory in use by another process")                                    \
    XX(60, ETIMEOUT, "timed out")                                                                  \
    XX(61, EFLUSHED, "removed from the mempool by the operator (admin_flushMempool)")              \
    XX(62, ECHECKSUM, "bech32m checksum mismatch (mistyped, or not a bech32m string)")             \
    XX(63, ENETWORK, "address or key of another network (mainnet vs devnet prefix)")               \
    XX(64, ENOTE_COMMITMENT, "decrypted note does not open its on-chain commitment")               \
    XX(65, EPASSPHRASE, "wrong passphrase (or the wallet file was altered)")                       \
    XX(66, EWATCH_ONLY, "watch-only wallet: it holds no spending key")                             \
    XX(67, ENOT_SYNCED, "wallet has no verified witness: sync it first")                           \
    XX(68, ENOTE_ROOT, "wallet's note tree root differs from the node's note root")                \
    XX(69, EBAD_NODE_DATA,                                                                         \
       "node sent inconsistent data (blocks out of order, commitment index, malformed field)")     \
    XX(70, ENOTES_FRAGMENTED,                                                                      \
       "no two notes cover the amount (a transaction spends at most two notes)")                   \
    XX(71, ESTATE_TRUNCATED,                                                                       \
       "state store file truncated or its LMDB header damaged: restore the state directory from "  \
       "a backup")                                                                                 \
    XX(72, ESTATE_MISSING,                                                                         \
       "state store missing or empty in an initialised data directory: restore it from a backup, " \
       "or start once with --new-chain")                                                           \
    XX(73, ESEQUENCER_KEY_MISSING,                                                                 \
       "sequencer.key missing from an initialised data directory: restore it (a new key would "    \
       "sign a conflicting chain)")                                                                \
    XX(74, ESEQUENCER_KEY_MISMATCH,                                                                \
       "sequencer.key is not the key that signed the stored chain: restore the right key")         \
    XX(75, EKEY_FILE_MODE, "key file readable or writable by group or others: chmod 600 it")       \
    XX(76, EBACKUP_DISK_FULL,                                                                      \
       "backup not written: no space left at the backup path (the node's store is unaffected)")    \
    XX(77, EBACKUP_IO,                                                                             \
       "backup not written: cannot create or write it (missing parent directory, permission or "   \
       "I/O error); the node's store is unaffected")                                               \
    XX(78, ERLP_TRUNCATED, "RLP item runs past the end of its input")                              \
    XX(79, ERLP_NONCANONICAL_LENGTH,                                                               \
       "RLP length not in its shortest form (long form below 56 bytes, or a length with leading "  \
       "zero bytes)")                                                                              \
    XX(80, ERLP_NONCANONICAL_BYTE,                                                                 \
       "RLP single byte below 0x80 wrapped in a string prefix (it must stand alone)")              \
    XX(81, ERLP_LEADING_ZERO, "RLP integer with leading zero bytes")                               \
    XX(82, ERLP_TYPE,                                                                              \
       "RLP item of the wrong kind (a list where a string is expected, or the reverse)")           \
    XX(83, ERLP_ITEMS, "RLP list with the wrong number of items")                                  \
    XX(84, EABI_TYPE, "ABI type or signature malformed or unsupported")                            \
    XX(85, EABI_OFFSET, "ABI offset or length points outside the data")                            \
    XX(86, EABI_PADDING,                                                                           \
       "ABI word with non-zero padding (dirty high bits, low bytes of bytesN, or the tail of "     \
       "bytes)")                                                                                   \
    XX(87, EABI_BOOL, "ABI bool neither 0 nor 1")                                                  \
    XX(88, EABI_VALUE, "ABI value does not fit its type (kind, length or range)")                  \
    XX(89, EABI_SELECTOR, "ABI selector or event topics do not match the signature")               \
    XX(90, EL1_TX_TYPE, "not an EIP-1559 (type 2) transaction")                                    \
    XX(91, EL1_SIGNATURE,                                                                          \
       "L1 signature invalid (r or s out of range, high s, or y-parity not 0 or 1)")               \
    XX(92, EL1_UNREACHABLE, "L1 node unreachable (connection refused or reset, after retries)")    \
    XX(93, EL1_RPC, "L1 node answered with a JSON-RPC error")                                      \
    XX(94, EL1_REPLY,                                                                              \
       "L1 node sent a malformed answer (a field missing or not in its JSON-RPC form)")            \
    XX(95, EL1_CHAIN_ID, "L1 node is on another chain id than the one configured")                 \
    XX(96, EL1_REVERTED, "L1 call or transaction reverted")                                        \
    XX(97, EL1_NONCE_TOO_LOW, "L1 nonce too low: already used")                                    \
    XX(98, EL1_NONCE_TOO_HIGH, "L1 nonce too high: a gap after the account's next nonce")          \
    XX(99, EL1_UNDERPRICED,                                                                        \
       "L1 fee too low (below the base fee, or a replacement that does not raise both fees "       \
       "enough)")                                                                                  \
    XX(100, EL1_INSUFFICIENT_FUNDS, "L1 account cannot pay value + gas limit * max fee")           \
    XX(101, EL1_FEE_CAP, "L1 fee needed exceeds the configured maximum fee per gas")               \
    XX(102, EL1_TX_FAILED, "L1 transaction mined but failed (receipt status 0)")                   \
    XX(103, EMNEMONIC_WORDS, "a recovery phrase has 12, 15, 18, 21 or 24 words")                   \
    XX(104, EMNEMONIC_WORD, "a word of the recovery phrase is not in BIP-39's English list")       \
    XX(105, EMNEMONIC_CHECKSUM,                                                                    \
       "recovery phrase checksum mismatch (a word mistyped or out of order)")

typedef enum {
#define TACIT__ERR_ENUM(num, name, msg) TACIT_##name = (num),
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
