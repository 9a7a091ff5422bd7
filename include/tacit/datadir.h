/*
 * tacit — the data directory's layout, one place for tacitd and tacit-cli: the names of the
 * files a node keeps in its data directory and the paths to them. What each file holds, its
 * mode and when it is written are described once, in docs/operations.md ("The data
 * directory"); this header only spells the names, and no other file spells them again.
 *
 * No allocation but the returned paths; no I/O ($HOME read from the environment).
 */
#ifndef TACIT_DATADIR_H
#define TACIT_DATADIR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The devnet's data directory when none is given (tacitd --devnet, tacit-cli --devnet). */
#define TACIT_DATADIR_DEVNET_DEFAULT ".tacit-devnet"

/* A (non-devnet) node's data directory when none is given: $HOME/.tacit, as bitcoind's is
 * ~/.bitcoin (tacitd, and tacit-cli's cookie and wallets). */
#define TACIT_DATADIR_HOME_DEFAULT ".tacit"

/* Names under <datadir>/ (docs/operations.md says what each holds). */
#define TACIT_DATADIR_LOCK "LOCK"
#define TACIT_DATADIR_COOKIE ".cookie"
#define TACIT_DATADIR_FLAGS "node-flags.json"
#define TACIT_DATADIR_SEQUENCER_KEY "sequencer.key"
#define TACIT_DATADIR_CHAIN "chain.json"
#define TACIT_DATADIR_STATE "state"
#define TACIT_DATADIR_STATE_DB TACIT_DATADIR_STATE "/data.mdb"
#define TACIT_DATADIR_SOCKET "tacitd.sock"
#define TACIT_DATADIR_KEYS "keys"
#define TACIT_DATADIR_DEVNET_ACCOUNTS "devnet-accounts.json"
#define TACIT_DATADIR_SNAPSHOTS "snapshots"
#define TACIT_DATADIR_WALLETS "wallets" /* tacit-cli --devnet: <datadir>/wallets/NAME.wallet */

/* Names under <datadir>/keys/ (snarkjs's names, as `tacit-cli setup --out` writes them). */
#define TACIT_DATADIR_KEYS_PROVING "transfer.zkey"
#define TACIT_DATADIR_KEYS_VERIFYING "verification_key.json"
#define TACIT_DATADIR_PROVING_KEY TACIT_DATADIR_KEYS "/" TACIT_DATADIR_KEYS_PROVING

/* Name under <datadir>/snapshots/<id>/, beside the copy of the store. */
#define TACIT_DATADIR_SNAPSHOT_MEMPOOL "mempool.bin"

/*
 * Returns "<dir>/<name>" (name: one of the names above, or any relative path), malloc'd; the
 * caller frees it with free(). NULL when out of memory.
 */
char *tacit_datadir_path(const char *dir, const char *name);

/*
 * Writes "<dir>/<name>" into buf (size bytes, NUL included). Returns TACIT_OK, or
 * TACIT_ETOOBIG when it does not fit (buf is then "").
 */
int tacit_datadir_path_buf(char *buf, size_t size, const char *dir, const char *name);

/* Returns "$HOME/.tacit" (TACIT_DATADIR_HOME_DEFAULT under $HOME), malloc'd (free()), or
 * NULL when $HOME is unset or empty, or out of memory. */
char *tacit_datadir_home_default(void);

/* Returns "<datadir>/snapshots/<id>", malloc'd (free()), or NULL when out of memory. */
char *tacit_datadir_snapshot_path(const char *datadir, uint64_t id);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_DATADIR_H */
