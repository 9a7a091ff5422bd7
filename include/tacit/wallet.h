/*
 * tacit — the wallet: a wallet file, sync (finding notes, spends and keeping witnesses
 * current) and sending (transfers, deposits, withdrawals). shared/docs/DESIGN.md 2.3, 2.4, 4;
 * the file format and the sync/witness algorithm are in docs/wallet.md.
 *
 * A wallet is one LMDB file (mode 0600) holding:
 *  - in clear: the format version, the network, the KDF parameters and salt, the sync state
 *    (height and hash of the last synced block) and public tree data (roots of complete
 *    subtrees, the leaves of the last incomplete subtree);
 *  - sealed with a key derived from the passphrase (argon2id, crypto_pwhash, then
 *    crypto_secretbox): the spending key (or, watch-only, the viewing key), the imported
 *    transparent secp256k1 keys, and every private record (notes, values, memos, sent
 *    transactions). Opening therefore always needs the passphrase: without it the file shows
 *    no balance and no note. Watch-only wallets may use an empty passphrase.
 *
 * The chain is reached through struct tacit_wallet_node, a table of functions: the JSON-RPC
 * implementation (tacit_wallet_node_rpc) talks to tacitd, tests and benchmarks feed blocks
 * directly. Witnesses are kept without asking the node for paths (which would reveal which
 * notes are ours): the wallet hashes every complete 2^16-leaf subtree once (all of them, so
 * that its timing does not tell which hold its notes; the node's roots are checked against
 * its own) and keeps the last incomplete one. After every sync the witness root is compared
 * with the node's note root at the synced height. A sync's requests and their arguments
 * depend only on the chain and the synced height, never on the notes the wallet owns
 * (docs/wallet.md, "Sync").
 *
 * Not thread-safe: one wallet handle is used by one thread at a time. Two processes may open
 * the same file: each write transaction first reloads what the other process wrote, so two
 * sends never pick the same note (docs/wallet.md, "Concurrency").
 *
 * Every function returns a tacit error code (include/tacit/error.h) and leaves its outputs
 * zeroed on failure; nothing here logs or prints.
 */
#ifndef TACIT_WALLET_H
#define TACIT_WALLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/bn254.h"
#include "tacit/chain.h"
#include "tacit/keys.h"
#include "tacit/prover.h"
#include "tacit/tree.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tacit_wallet;
struct tacit_rpc_client;

/* 2: a recovery phrase's entropy in the sealed secrets, the address in clear ("pub"), the
 * chain the wallet belongs to ("chain"). A file of format 1 opens with its passphrase and is
 * rewritten as format 2 then (docs/wallet.md, "Format versions"). */
#define TACIT_WALLET_FORMAT_VERSION 2
/* The level of the subtrees whose roots tacitd serves (tacit_getSubtreeRoots). */
#define TACIT_WALLET_SUBTREE_LEVEL 16
/* The level of the note tree's nodes a wallet takes from tacitd (tacit_getTreeNodes): the
 * lowest it stores. */
#define TACIT_WALLET_INNER_LEVEL 4
/* A height that is not one: unspent notes, no block synced yet. */
#define TACIT_WALLET_NO_HEIGHT UINT64_MAX

/* ----------------------------------------------------------- the chain ---- */

/* What the wallet needs from a chain tip (tacit_chainInfo). */
struct tacit_wallet_chain_info {
    uint64_t chain_id;
    uint8_t rollup_id[TACIT_ROLLUP_ID_LEN];
    uint64_t height; /* the tip; TACIT_WALLET_NO_HEIGHT before genesis */
    uint64_t min_fee;
    /* The chain's protocol: 0 or TACIT_TX_VERSION (v1, an embedded chain), or
     * TACIT_TX_VERSION_L1 (v2, a chain that settles on L1: its digests bind l1_chain_id and
     * rollup_id, the contract; tacit_chainInfo's "settlement" says so). */
    uint8_t tx_version;
    uint64_t l1_chain_id;
    bool devnet; /* tacit_chainInfo's "devnet": addresses tdev1..., else tacit1... */
    /* On L1: the highest block the contract accepted (tacit_chainInfo's settlement.settled;
     * TACIT_WALLET_NO_HEIGHT: none yet, or not on L1). The contract knows only the note roots
     * of settled blocks: a forced transaction anchors there. */
    uint64_t settled_height;
};

/* A block header as far as the wallet checks it (tacit_getBlockByNumber). */
struct tacit_wallet_header {
    uint8_t hash[32];
    tacit_fr note_root;        /* the note tree root after the block */
    uint64_t commitment_count; /* leaves after the block */
};

/* A compact transaction: what scanning needs (tacit_getBlockRange). */
struct tacit_wallet_ctx {
    uint8_t id[32];
    tacit_fr nf[2];
    tacit_fr cm[2];
    uint8_t epk[TACIT_EPK_BYTES];
    uint8_t ct[2][TACIT_NOTE_CIPHERTEXT_BYTES];
};

/* A compact block. */
struct tacit_wallet_cblock {
    uint64_t height;
    uint8_t hash[32];
    uint64_t commitment_start; /* leaf index of the block's first commitment */
    size_t ntxs;
    struct tacit_wallet_ctx *txs;
};

enum tacit_wallet_tx_state {
    TACIT_WALLET_TX_UNKNOWN = 0,  /* the node does not know it (dropped, or a node reset) */
    TACIT_WALLET_TX_PENDING = 1,  /* in the node's mempool */
    TACIT_WALLET_TX_INCLUDED = 2, /* in block `height` */
    TACIT_WALLET_TX_REJECTED = 3, /* left the mempool without inclusion: `error` says why */
};

struct tacit_wallet_tx_status {
    enum tacit_wallet_tx_state state;
    uint64_t height; /* INCLUDED only */
    int error;       /* REJECTED only: the rule's tacit error code */
};

/*
 * The chain as the wallet sees it. Every function returns TACIT_OK or an error code; the
 * node's rejection of a transaction is returned as the rule's tacit code (e.g.
 * TACIT_ENULLIFIER_SPENT), transport failures as TACIT_EIO / TACIT_ETIMEOUT.
 */
struct tacit_wallet_node {
    void *ud;
    int (*chain_info)(void *ud, struct tacit_wallet_chain_info *out);
    /* TACIT_ENOTFOUND when height is past the tip. */
    int (*header)(void *ud, uint64_t height, struct tacit_wallet_header *out);
    /* Blocks from..to (inclusive; to - from < 1000), fewer when the tip is below `to`.
     * *blocks is the source's until free_blocks(ud, *blocks, *n). */
    int (*block_range)(void *ud, uint64_t from, uint64_t to, struct tacit_wallet_cblock **blocks,
                       size_t *n);
    void (*free_blocks)(void *ud, struct tacit_wallet_cblock *blocks, size_t n);
    /* Roots of the complete subtrees of 2^subtree_level leaves numbered start.. (at most
     * count; *got fewer at the first incomplete one). May be NULL: the wallet hashes them. */
    int (*subtree_roots)(void *ud, uint64_t start, size_t count, tacit_fr *roots, size_t *got);
    unsigned subtree_level;
    /* Transparent account: balance and next nonce. */
    int (*account)(void *ud, const uint8_t address[TACIT_ADDRESS_LEN], uint64_t *balance,
                   uint64_t *nonce);
    /* Submits; TACIT_OK once admitted. */
    int (*send_raw)(void *ud, const struct tacit_tx *tx);
    int (*tx_status)(void *ud, const uint8_t id[32], struct tacit_wallet_tx_status *out);
    /* Returns when the tip reaches height (*reached true) or after timeout_ms (false). */
    int (*wait_block)(void *ud, uint64_t height, unsigned timeout_ms, bool *reached);
    /* NULL, or what send_raw is called with instead of ud: a transport of its own, so that a
     * submission does not travel on the connection that carried the wallet's sync (issue 14,
     * 1; tacit_wallet_node_rpc_submit_via). */
    void *submit_ud;
    /* The note commitments (leaves) start.. (at most count, *got fewer at the end of the
     * tree). May be NULL: only a wallet that starts at a birthday needs it
     * (tacit_wallet_start_at). */
    int (*commitments)(void *ud, uint64_t start, size_t count, tacit_fr *out, size_t *got);
    /* The complete nodes of the note tree at level inner_level numbered start.. (at most
     * count; *got fewer at the first incomplete one). May be NULL (or inner_level 0): the
     * wallet then hashes every complete subtree from its 2^subtree_level leaves. With it, the
     * wallet hashes a complete subtree from its 2^(subtree_level - inner_level) nodes at that
     * level, and each own note's block of 2^inner_level leaves, which binds them to the root
     * (docs/wallet.md, "Sync"). Used when 1 <= inner_level < subtree_level and
     * subtree_level + 2^inner_level <= 32. tacitd's: level 4 (tacit_getTreeNodes). */
    int (*tree_nodes)(void *ud, uint64_t start, size_t count, tacit_fr *out, size_t *got);
    unsigned inner_level;
};

/*
 * A node reached over JSON-RPC (docs/rpc.md): fills *node with functions that call
 * tacitd through c (borrowed: it must outlive the node's use). Returns TACIT_OK.
 * RPC errors 1000 + n map back to the tacit code n; other RPC errors give TACIT_EIO;
 * a reply that is not the documented shape TACIT_EJSON.
 */
int tacit_wallet_node_rpc(struct tacit_wallet_node *node, struct tacit_rpc_client *c);
/* Submissions of a node made by tacit_wallet_node_rpc go through c instead (borrowed): a
 * client of its own connects afresh when it submits, and through a SOCKS5 proxy with its own
 * credentials (tacit_rpc_client_set_proxy), on a Tor circuit of its own. */
void tacit_wallet_node_rpc_submit_via(struct tacit_wallet_node *node, struct tacit_rpc_client *c);

/* ------------------------------------------------------- the wallet file ---- */

/* Set by tacit_wallet_open in *flags. */
#define TACIT_WALLET_OPEN_INSECURE_MODE 1u /* the file is readable or writable by group/other */
#define TACIT_WALLET_OPEN_UPGRADED 2u      /* a file of format 1, rewritten as format 2 */

/*
 * Creates a wallet file at path (refused with TACIT_EEXISTS if it exists), mode 0600.
 * In:  pass (passlen bytes, any bytes); net: the network of its addresses; key: the spending
 *      key to hold (copied), or NULL for a fresh random one.
 * The KDF is argon2id with libsodium's INTERACTIVE limits, always (the test binaries alone can
 * select the MIN limits, through an internal hook: docs/wallet.md).
 * Returns TACIT_OK, TACIT_EEXISTS, TACIT_EINVAL (net unknown), TACIT_EIO, TACIT_ENOMEM.
 * Out: *out, an open wallet (tacit_wallet_close).
 */
int tacit_wallet_create(struct tacit_wallet **out, const char *path, const char *pass,
                        size_t passlen, enum tacit_network net,
                        const struct tacit_spending_key *key);

/*
 * A wallet whose keys derive from a BIP-39 recovery phrase (docs/wallet.md, "Recovery"): the
 * phrase's 64-byte seed (no BIP-39 passphrase) gives the spending key. tacit_wallet_create with
 * key NULL makes one from 32 fresh random bytes (24 words); this one restores the wallet of an
 * existing phrase (12 to 24 words, any case and spacing). The file starts unsynced: the next
 * sync scans from block 0 and finds every note.
 * Returns as tacit_wallet_create, plus TACIT_EMNEMONIC_WORDS, TACIT_EMNEMONIC_WORD (*bad_word,
 * may be NULL: the 1-based position of the first word not in the list; the phrase itself is
 * never in an error), TACIT_EMNEMONIC_CHECKSUM.
 */
int tacit_wallet_restore(struct tacit_wallet **out, const char *path, const char *pass,
                         size_t passlen, enum tacit_network net, const char *phrase,
                         size_t *bad_word);

/* The spending key of a phrase's 64-byte BIP-39 seed on network net (what tacit_wallet_restore
 * holds; docs/wallet.md pins a vector). Returns TACIT_OK, TACIT_EINVAL, TACIT_ENOMEM. */
int tacit_wallet_key_from_seed(struct tacit_spending_key **out, const uint8_t seed[64],
                               enum tacit_network net);

/* The wallet's recovery phrase (a secret: out in protected memory, wiped after use; size >=
 * TACIT_BIP39_PHRASE_MAX of tacit/hd.h). TACIT_OK, TACIT_ENOTFOUND (a wallet without one: made
 * from a given key, from a viewing key, or before format 2), TACIT_EINVAL (size). */
int tacit_wallet_mnemonic(char *out, size_t size, const struct tacit_wallet *w);

/* A consistent copy of the open wallet's file (LMDB's copy, under a read transaction) at path,
 * created with mode 0600, never over an existing file. TACIT_OK, TACIT_EEXISTS, TACIT_ENOENT
 * (no such directory), TACIT_EIO, TACIT_EDISK_FULL. Nothing is left at path on failure. */
int tacit_wallet_backup(const struct tacit_wallet *w, const char *path);

/*
 * The shielded address of the wallet file at path, without its passphrase (format 2 keeps it
 * in clear; the secrets stay sealed). Out: addr, *net, *watch_only (may be NULL). Returns
 * TACIT_OK, TACIT_ENOENT, TACIT_EVERSION (a format 1 file: open it once with its passphrase,
 * which upgrades it), TACIT_ECORRUPT, TACIT_EIO.
 */
int tacit_wallet_peek_address(char addr[TACIT_KEYS_STR_MAX], enum tacit_network *net,
                              bool *watch_only, const char *path);

/* The chain a wallet belongs to: recorded by its first sync (chain id and the hash of block 0),
 * then every sync refuses a node of another chain with TACIT_ECHAIN_ID (another chain id or
 * genesis) or TACIT_ENETWORK (a devnet node for a mainnet wallet, or the reverse). */
struct tacit_wallet_chain_binding {
    bool bound;
    uint64_t chain_id;
    uint8_t genesis_hash[32];
};
void tacit_wallet_chain(struct tacit_wallet_chain_binding *out, const struct tacit_wallet *w);
/* Whether the node serves the wallet's chain, without syncing or writing (what a sync checks
 * first; block 0 is asked for when the wallet recorded its chain): TACIT_OK, TACIT_ENETWORK,
 * TACIT_ECHAIN_ID, the node's errors. tacit-cli's `sync --rescan` checks before it forgets. */
int tacit_wallet_check_chain(struct tacit_wallet *w, const struct tacit_wallet_node *node);
/* The node's chain as the last refusal saw it (for the error's words). */
void tacit_wallet_last_foreign_chain(struct tacit_wallet_chain_binding *out,
                                     const struct tacit_wallet *w);

/* The same for a watch-only wallet holding the viewing key vk_text (full or incoming, of
 * network net). An incoming viewing key sees received notes but not their spends.
 * Returns as tacit_wallet_create, plus the errors of tacit_viewing_key_decode. */
int tacit_wallet_create_watch_only(struct tacit_wallet **out, const char *path, const char *pass,
                                   size_t passlen, enum tacit_network net, const char *vk_text);

/*
 * Opens a wallet file. flags (may be NULL) receives TACIT_WALLET_OPEN_INSECURE_MODE when the
 * file's mode lets group or other read or write it (the caller warns; it still opens), and
 * TACIT_WALLET_OPEN_UPGRADED when a file of format 1 was rewritten as format 2 (the caller
 * says so: older releases no longer open it). A wrong passphrase upgrades nothing.
 * Returns TACIT_OK, TACIT_ENOENT, TACIT_EPASSPHRASE (wrong passphrase: nothing read or
 * changed), TACIT_EVERSION (another format version), TACIT_ECORRUPT (not a tacit wallet, a
 * record of the wrong size), TACIT_EIO, TACIT_ENOMEM.
 */
int tacit_wallet_open(struct tacit_wallet **out, unsigned *flags, const char *path,
                      const char *pass, size_t passlen);

/* Closes the file and wipes every secret. NULL-safe. */
void tacit_wallet_close(struct tacit_wallet *w);

bool tacit_wallet_is_watch_only(const struct tacit_wallet *w);
/* False for a wallet of an incoming viewing key: it finds the notes received but cannot
 * compute their nullifiers, so it never sees a spend, and what it sums is what was received,
 * never a balance (issue 14, 8). True for a spending key and a full viewing key. */
bool tacit_wallet_sees_spends(const struct tacit_wallet *w);
enum tacit_network tacit_wallet_network(const struct tacit_wallet *w);

/* The shielded address (bech32m, "tacit1..." or "tdev1..."). */
void tacit_wallet_address(char out[TACIT_KEYS_STR_MAX], const struct tacit_wallet *w);
void tacit_wallet_shielded_address(struct tacit_shielded_address *a, const struct tacit_wallet *w);

/* The viewing key as text, a secret: wipe out after use. kind FULL needs a spending or full
 * watch-only wallet. Returns TACIT_OK or TACIT_EINVAL (out empty). */
int tacit_wallet_export_viewing_key(char out[TACIT_KEYS_STR_MAX], const struct tacit_wallet *w,
                                    enum tacit_viewing_key_kind kind);

/*
 * Imports a transparent secp256k1 secret key (sealed in the file with the others).
 * Out: address (may be NULL): its Ethereum-style address.
 * Returns TACIT_OK, TACIT_EINVAL (not a valid secp256k1 secret key), TACIT_EEXISTS (already
 * imported), TACIT_EIO, TACIT_ENOMEM.
 */
int tacit_wallet_import_transparent(struct tacit_wallet *w, const uint8_t sk[32],
                                    uint8_t address[TACIT_ADDRESS_LEN]);
/* The number of imported transparent keys and the address of key i (TACIT_EINVAL if i is
 * out of range). */
size_t tacit_wallet_transparent_count(const struct tacit_wallet *w);
int tacit_wallet_transparent_address(uint8_t address[TACIT_ADDRESS_LEN],
                                     const struct tacit_wallet *w, size_t i);
/* The secret key of imported key i, for a caller that signs with it elsewhere (an L1
 * transaction: tacit-cli's deposit --l1-rpc and claim). A secret: keep sk in protected memory
 * and wipe it. TACIT_EINVAL if i is out of range (sk zeroed). */
int tacit_wallet_transparent_seckey(uint8_t sk[32], const struct tacit_wallet *w, size_t i);

/* ------------------------------------------------------ balance and notes ---- */

struct tacit_wallet_balance {
    uint64_t confirmed;     /* unspent notes not reserved by a pending send */
    uint64_t pending_out;   /* notes reserved by sends not yet included */
    uint64_t pending_in;    /* change and deposits of own sends not yet included */
    uint64_t nnotes;        /* unspent notes (confirmed or reserved) */
    uint64_t synced_height; /* TACIT_WALLET_NO_HEIGHT before the first sync */
};

/* Returns TACIT_OK or TACIT_EOVERFLOW (a sum above 2^64 - 1). */
int tacit_wallet_balance(const struct tacit_wallet *w, struct tacit_wallet_balance *out);

struct tacit_wallet_note {
    uint64_t index; /* leaf position in the note tree */
    uint64_t value;
    tacit_fr cm;
    bool has_nf; /* false for an incoming-only watch-only wallet */
    tacit_fr nf;
    uint64_t height;         /* received in block */
    uint64_t spent_height;   /* TACIT_WALLET_NO_HEIGHT: unspent */
    bool reserved;           /* picked by a send not yet included */
    uint8_t reserved_by[32]; /* that send's tx id (zero while it is being built) */
    uint16_t memo_len;
    uint8_t memo[TACIT_NOTE_MEMO_MAX];
};

/* Every note received (spent ones too), in leaf order. *notes is malloc'd: free with
 * tacit_wallet_notes_free(*notes, *n). Returns TACIT_OK or TACIT_ENOMEM. */
int tacit_wallet_notes(const struct tacit_wallet *w, struct tacit_wallet_note **notes, size_t *n);
void tacit_wallet_notes_free(struct tacit_wallet_note *notes, size_t n);

/* ------------------------------------------------------------------ sync ---- */

struct tacit_wallet_sync_progress {
    uint64_t height;      /* synced up to and including */
    uint64_t target;      /* the tip the sync runs to */
    uint64_t blocks;      /* blocks processed by this call */
    uint64_t outputs;     /* outputs scanned by this call */
    uint64_t notes_found; /* notes received by this call */
};

/* Called after each chunk; a nonzero return stops the sync, which returns that value (what
 * was synced so far is kept). */
typedef int (*tacit_wallet_progress_fn)(void *ud, const struct tacit_wallet_sync_progress *p);

struct tacit_wallet_sync_opts {
    unsigned chunk_blocks; /* blocks per block_range call (0: 100; at most 1000) */
    unsigned nthreads;     /* scanning threads (0: TACIT_THREADS or all CPUs) */
    uint64_t to_height;    /* stop there; 0 or TACIT_WALLET_NO_HEIGHT: the node's tip
                                   * (the usual case) */
    tacit_wallet_progress_fn progress;
    void *progress_ud;
};

struct tacit_wallet_sync_result {
    uint64_t height; /* synced height (TACIT_WALLET_NO_HEIGHT: none) */
    uint64_t blocks, outputs, notes_found, spends_found;
    bool rescanned; /* the node did not have our block: we started over from 0 */
};

/*
 * Syncs with the node: from 1..10 blocks (at random) before the last synced one, which are
 * checked, not applied again (or from 0), to the tip, in chunks committed one at a time (an
 * interrupted sync resumes where it stopped). If the
 * node's block at our synced height has another hash, or its tip is below it (a devnet reset,
 * a reorg), every note, the tree and the sync state are dropped and the sync starts from 0
 * (result.rescanned). At the end each unspent note's witness is brought to the synced height
 * and the tree root is compared with the node's note root there.
 * Returns TACIT_OK; TACIT_ENOTE_ROOT (the root differs: the node's data is inconsistent;
 * witnesses are not usable until a sync succeeds); TACIT_EBAD_NODE_DATA (blocks out of order,
 * a commitment index that does not follow, a malformed field); the node's errors; a store
 * error; the progress callback's nonzero value.
 */
int tacit_wallet_sync(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                      const struct tacit_wallet_sync_opts *opts,
                      struct tacit_wallet_sync_result *result);

/*
 * A restored wallet that never synced starts at block `birthday` instead of block 0: the tree
 * as it was after block birthday - 1 is taken from the node (its header, the roots of the
 * complete subtrees, the leaves of the incomplete one, checked against the header's note root)
 * and the next sync scans from there. Notes received before the birthday are never found. The
 * node learns the birthday (docs/wallet.md, "Recovery"). The chain is checked and recorded as a
 * sync does. Returns TACIT_OK (birthday 0: nothing to do), TACIT_EINVAL (the wallet synced or
 * holds notes, the birthday is past the node's tip, the node lacks subtree_roots or
 * commitments or has another subtree level), TACIT_ENETWORK, TACIT_ECHAIN_ID,
 * TACIT_EBAD_NODE_DATA (the node's tree does not hash to its note root), the node's errors, a
 * store error.
 */
int tacit_wallet_start_at(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                          uint64_t birthday);

/* Forgets every note, the tree and the sync state (keys, imported keys and the record of
 * sent transactions stay): the next sync starts from block 0. TACIT_OK or a store error. */
int tacit_wallet_rescan(struct tacit_wallet *w);

/*
 * The Merkle path of the note at leaf `index` and the root it reaches, at the synced height
 * (what a send proves against). Returns TACIT_OK, TACIT_ENOTFOUND (no such own note),
 * TACIT_ENOT_SYNCED (no verified witness: sync first).
 */
int tacit_wallet_witness(struct tacit_tree_path *path, tacit_fr *root, const struct tacit_wallet *w,
                         uint64_t index);

/* ------------------------------------------------------------------ send ---- */

enum tacit_wallet_send_kind {
    TACIT_WALLET_SEND_TRANSFER = 0, /* shielded -> shielded address */
    TACIT_WALLET_SEND_WITHDRAW = 1, /* shielded -> transparent address */
    TACIT_WALLET_SEND_DEPOSIT = 2,  /* transparent key -> own shielded address */
};

/* Where a forced transaction is in the contract's queue (its ForcedTransaction log). */
struct tacit_wallet_forced {
    uint64_t queue_index;   /* the queue entry */
    uint64_t l1_block;      /* the L1 block that queued it */
    uint8_t l1_tx[32];      /* the L1 transaction */
    uint64_t anchor_height; /* the settled block whose root is its anchor */
};

struct tacit_wallet_send_req {
    enum tacit_wallet_send_kind kind;
    uint64_t amount; /* paid to the recipient (deposit: taken from the account,
                                   * the fee comes out of it) */
    bool fee_set;    /* false: the node's minimum fee */
    uint64_t fee;
    struct tacit_shielded_address to; /* TRANSFER */
    const uint8_t *memo;              /* TRANSFER: memo_len bytes (at most 512) or NULL */
    size_t memo_len;
    uint8_t withdraw_to[TACIT_ADDRESS_LEN]; /* WITHDRAW */
    /* DEPOSIT: the transparent key: deposit_sk (32 bytes, not kept) or, when NULL, the
     * imported key number deposit_key. */
    const uint8_t *deposit_sk;
    size_t deposit_key;
    unsigned wait_ms;  /* wait for inclusion up to this long (0: do not wait) */
    unsigned nthreads; /* prover threads (0: TACIT_THREADS or all CPUs) */
    /* TRANSFER, WITHDRAW: spend exactly these own notes (1 or 2 leaf indices; 0: the wallet
     * picks). No change is left when amount + fee equals their sum (wallet exit). */
    unsigned ninputs;
    uint64_t inputs[2];
    /* with inputs: a note held by a pending send that was not forced may be taken (wallet exit:
     * a send the node never included, censored or lost; whichever a block takes first, the
     * other becomes rejected, or failed when forced) */
    bool take_pending;
    /* A forced transaction (issue 13; docs/wallet.md "Forced transactions"): not given to the
     * node but to force(force_ud, tx, out) — tacit-cli sends it to the rollup contract's
     * forceTransaction on L1 and fills *out from the ForcedTransaction log. Only on a chain
     * that settles on L1 (v2), never a deposit; the anchor is the note root of the last
     * SETTLED block (the only roots the contract knows) and the notes spent are among those
     * received at or below it. force's nonzero return is the send's (the notes released). */
    int (*force)(void *force_ud, const struct tacit_tx *tx, struct tacit_wallet_forced *out);
    void *force_ud;
};

struct tacit_wallet_send_result {
    uint8_t txid[32];
    struct tacit_wallet_tx_status status; /* PENDING, INCLUDED or REJECTED after the wait */
    uint64_t fee;
    unsigned ninputs;     /* notes spent (0..2) */
    double prove_seconds; /* wall time of the proof */
    uint64_t amount;      /* paid to the recipient */
    bool forced;          /* req.force was called: where it queued it */
    struct tacit_wallet_forced f;
};

/*
 * Builds, proves and submits a transaction, then (wait_ms > 0) waits for its inclusion.
 * Transfers and withdrawals pick the fewest notes that cover amount + fee (one note, else
 * the pair with the smallest sum that does), with dummy inputs for the rest, and send the
 * change back to this wallet; the notes are reserved in the file before proving, so a
 * second send (from this process or another) picks other notes. If the node refuses the tx,
 * the notes are released and the node's error is returned.
 * The anchor is the note root of a block 3..10 below the last synced one, uniformly (the
 * newest input's block or later; the oldest synced block on a short chain), and the inputs'
 * paths are those of that block's tree: sync first (the anchor must be one of the node's last
 * 256 roots).
 * Returns TACIT_OK (submitted; result->status says pending or included, or rejected after
 * admission with its reason), TACIT_ETIMEOUT (submitted, still pending after wait_ms),
 * TACIT_EWATCH_ONLY, TACIT_ENOT_SYNCED, TACIT_EINSUFFICIENT (unreserved notes, or the
 * account, hold less than needed), TACIT_ENOTES_FRAGMENTED (enough in all, but no two notes
 * cover it: one transaction has two inputs), TACIT_EINVAL (amount 0, memo too long, a deposit
 * not above its fee, a bad deposit key or key number), TACIT_EOVERFLOW, the prover's errors,
 * the node's rejection (TACIT_ENULLIFIER_IN_MEMPOOL, TACIT_ENULLIFIER_SPENT, TACIT_EANCHOR,
 * TACIT_EFEE_TOO_LOW, TACIT_ENONCE, ...), a store error.
 * In: pk: the transfer proving key (the node's keys/transfer.zkey).
 */
int tacit_wallet_send(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                      const tacit_groth16_pk *pk, const struct tacit_wallet_send_req *req,
                      struct tacit_wallet_send_result *result);

/*
 * The status of a transaction this wallet sent. Statuses follow the chain the wallet synced:
 * included at or below the synced height, or rejected, is answered from the record (a sync
 * that finds another chain — a devnet revert, a reset — makes an included tx pending again,
 * and included again where it finds it). Otherwise the node is asked and its answer recorded:
 * included -> included (until a sync says otherwise); rejected -> its notes are released;
 * pending or unknown for a tx recorded as included beyond the synced height -> pending again.
 * Returns TACIT_OK (*st filled: UNKNOWN when the node knows nothing of it), TACIT_ENOTFOUND
 * (not a tx this wallet sent), the node's errors, a store error.
 */
int tacit_wallet_tx_status(struct tacit_wallet *w, const struct tacit_wallet_node *node,
                           const uint8_t txid[32], struct tacit_wallet_tx_status *st);

/* A transaction this wallet sent, as last recorded (tacit_wallet_tx_status refreshes it). */
struct tacit_wallet_sent {
    uint8_t txid[32];
    enum tacit_wallet_send_kind kind;
    struct tacit_wallet_tx_status status;
    uint64_t amount, fee;
    uint64_t change; /* what comes back to this wallet (change; deposit - fee) */
    /* a forced transaction (queued on L1): PENDING means queued, not yet in a synced block;
     * INCLUDED, included; REJECTED (ENULLIFIER_SPENT), failed: a block consumed it after
     * another transaction had spent one of its notes */
    bool forced;
    struct tacit_wallet_forced f;
};

/* Every transaction this wallet sent, oldest first. *sent is malloc'd (free()).
 * Returns TACIT_OK or TACIT_ENOMEM. */
int tacit_wallet_sent_list(const struct tacit_wallet *w, struct tacit_wallet_sent **sent,
                           size_t *n);

/* ---------------------------------------------------------------- history ---- */

/* What an entry of the history is. */
enum tacit_wallet_history_kind {
    TACIT_WALLET_HISTORY_RECEIVE = 0,  /* a note received (not the change of an own send) */
    TACIT_WALLET_HISTORY_SEND = 1,     /* a transfer this wallet sent */
    TACIT_WALLET_HISTORY_WITHDRAW = 2, /* a withdrawal this wallet sent */
    TACIT_WALLET_HISTORY_DEPOSIT = 3,  /* a deposit this wallet sent (into its own notes) */
};

/* One entry of tacit_wallet_history. Private (amounts, memos): wiped by
 * tacit_wallet_history_free. */
struct tacit_wallet_history_entry {
    enum tacit_wallet_history_kind kind;
    /* sent: as last recorded (a sync, tacit_wallet_tx_status); received: INCLUDED at the
     * note's height */
    struct tacit_wallet_tx_status status;
    bool has_txid; /* sent entries: the tx id (the file keeps no id for a received note) */
    uint8_t txid[32];
    /* receive: the note's value; send, withdraw: paid to the recipient; deposit: taken from
     * the transparent account (its fee included) */
    uint64_t amount;
    uint64_t fee;    /* sent entries (a received note's fee is the sender's, not known) */
    uint64_t change; /* sent entries: what came back to this wallet (deposit: amount - fee) */
    uint8_t from[TACIT_ADDRESS_LEN]; /* deposit: the transparent account */
    /* sent entries: a forced transaction and where it was queued (status as in
     * struct tacit_wallet_sent) */
    bool forced;
    struct tacit_wallet_forced f;
    /* receive: the leaf, where it was spent (TACIT_WALLET_NO_HEIGHT: unspent), the memo */
    uint64_t index;
    uint64_t spent_height;
    uint16_t memo_len;
    uint8_t memo[TACIT_NOTE_MEMO_MAX];
};

/*
 * What the wallet sent and received, newest first: first the sent transactions in no block
 * (pending, rejected), the last sent first; then by height, the highest first (within one
 * block the sent transactions, the last sent first, then the notes received, the highest leaf
 * first). Derived from what the file keeps: the sent transactions (amounts, fees, statuses,
 * heights, a deposit's account) and the notes received (values, heights, memos). A note is the
 * change of an own send (and not listed) when that send is included at the note's height with
 * that value as its change and the note has no memo (a wallet's change never does): the file
 * does not link notes to transactions, so a foreign payment of exactly that value without a
 * memo in the same block may be taken for the change instead of it — the sums are the same.
 * Not kept by the file, so not here: a transfer's recipient and memo, a withdrawal's recipient
 * (in its block on the chain), a received note's transaction id and fee.
 * *out is malloc'd: tacit_wallet_history_free(*out, *n). Returns TACIT_OK or TACIT_ENOMEM.
 */
int tacit_wallet_history(const struct tacit_wallet *w, struct tacit_wallet_history_entry **out,
                         size_t *n);
void tacit_wallet_history_free(struct tacit_wallet_history_entry *e, size_t n);

/* What a withdrawal would tell an observer about the wallet (issue 14, 7; docs/wallet.md
 * "What is public"): deposit and withdrawal amounts and addresses are public at the pool's
 * boundary, so a withdrawal of exactly what one of this wallet's deposits brought in (its
 * amount, or its amount less its fee), or to an address that deposited from this wallet (a
 * deposit's sender, or a transparent key imported here), links the two. A bit set per link. */
enum {
    TACIT_WALLET_LINK_AMOUNT = 1,  /* the amount equals a deposit's */
    TACIT_WALLET_LINK_ADDRESS = 2, /* the recipient deposited from this wallet */
};
unsigned tacit_wallet_withdrawal_links(const struct tacit_wallet *w, uint64_t amount,
                                       const uint8_t to[TACIT_ADDRESS_LEN]);

/* Releases the notes reserved by a sent tx the node no longer knows (state UNKNOWN after a
 * node restart): they can be spent again. TACIT_OK, TACIT_ENOTFOUND, a store error.
 * If the tx is in fact still pending somewhere, the node refuses the second spend. */
int tacit_wallet_abandon(struct tacit_wallet *w, const uint8_t txid[32]);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_WALLET_H */
