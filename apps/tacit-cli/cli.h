/*
 * tacit-cli — the command table. Each command gets argc/argv with argv[0] = its own name
 * and returns the process exit status (0 ok, 1 failure, 2 usage error / not available).
 */
#ifndef TACIT_CLI_H
#define TACIT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tacit/r1cs.h"

struct tacit_cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

/* Global options (before the command): tacit-cli [--rpc URL] [--devnet] [--datadir DIR]
 * [--rpc-auth USER:PASS] [--json] [--wallet PATH] [--passphrase-file PATH]
 * [--viewing-key KEY] [--proving-key PATH] <command> ... The wallet commands also take the
 * last five after their own name (`tacit-cli wallet balance --json`). */
struct tacit_cli_globals {
    const char *rpc_url;  /* --rpc, else $TACIT_RPC, else the devnet's, else 127.0.0.1:8645 */
    const char *rpc_auth; /* --rpc-auth, else the devnet data dir's cookie when --devnet */
    const char *datadir;  /* --datadir: the devnet's data dir (default ./.tacit-devnet) */
    int devnet;           /* --devnet */
    int json;             /* --json: machine-readable output */
    const char *wallet;   /* --wallet: a path, or a bare NAME for <wallets dir>/NAME.wallet */
    const char *passphrase_file; /* --passphrase-file: the passphrase is its first line */
    char *viewing_key;       /* --viewing-key: a watch-only view (argv memory, wiped once read) */
    const char *proving_key; /* --proving-key: transfer.zkey (--devnet: <datadir>/keys/) */
    const char *proxy;       /* --proxy HOST:PORT, else $TACIT_PROXY: a SOCKS5 proxy (Tor) */
};
extern struct tacit_cli_globals tacit_cli_globals;

/* main.c: runs the subcommand argv[1] of cmds (with argv + 1), or prints usage (to stdout for
 * --help / -h, returning 0; else to stderr after saying what is wrong, returning 2). what
 * names the command in messages ("circuit"). */
int tacit_cli_dispatch(const struct tacit_cli_command *cmds, size_t n, int argc, char **argv,
                       void (*print_usage)(FILE *), const char *what);

/* The RPC client the global options describe (tacit_rpc_client_free it): a new one connects
 * afresh, and through the proxy with credentials of its own. NULL after printing why on
 * stderr. */
struct tacit_rpc_client *tacit_cli_rpc_client(void);
/* What a transport failure of c was in words, for "cannot reach the node" messages: the
 * proxy's answer when there is one, else the code's text. */
const char *tacit_cli_transport_error(const struct tacit_rpc_client *c, int rc);

int cmd_circuit(int argc, char **argv);
/* cmd_treeupdate.c: `tacit-cli circuit tree-update <subcommand>` */
int cmd_circuit_treeupdate(int argc, char **argv);
/* The tree-update circuit's devnet keys, as `tacit-cli setup --circuit tree-update` writes them
 * and `circuit tree-update example|prove --keys DIR` reads them (beside transfer.zkey). */
#define TACIT_CLI_TREEUPDATE_ZKEY "tree_update.zkey"
#define TACIT_CLI_TREEUPDATE_VK "tree_update_verification_key.json"

int cmd_rpc(int argc, char **argv);
int cmd_rpcauth(int argc, char **argv);
int cmd_groth16(int argc, char **argv);
/* cmd_groth16_prove.c: `tacit-cli groth16 export-vk` and `groth16 prove` */
int cmd_groth16_export_vk(int argc, char **argv);
int cmd_groth16_prove(int argc, char **argv);
int cmd_poseidon(int argc, char **argv);
/* cmd_l1.c: `tacit-cli l1 deploy` */
int cmd_l1(int argc, char **argv);
int cmd_setup(int argc, char **argv);
/* cmd_wallet.c: `tacit-cli wallet <subcommand>`, and `tacit-cli balance` (= wallet balance,
 * for `tacit-cli --viewing-key KEY balance`) */
int cmd_wallet(int argc, char **argv);
int cmd_balance(int argc, char **argv);

/* cmd_circuit.c, shared with cmd_treeupdate.c: the counts of a constraint system as
 * `name value` lines (info: an .r1cs file's header, or NULL); text + "\n" written to
 * dir/name and freed (text NULL: out of memory), 0 or 1 after saying why, as `tacit-cli cmd`. */
void tacit_cli_print_r1cs_counts(const tacit_r1cs *r, const tacit_r1cs_file_info *info);
int tacit_cli_write_text(const char *dir, const char *name, char *text, const char *cmd);

/* ------------------------------------------------ wallet_util.c: shared by the wallet ---- */

/* The devnet's data directory: --datadir, else ./.tacit-devnet. */
const char *tacit_cli_devnet_dir(void);

/* Amounts are decimal TAC, 1 TAC = 10^9 base units (the RPC's u64 amounts), at most 9
 * fractional digits: "1.5" = 1500000000. Returns TACIT_OK, TACIT_EENCODING (not of that
 * form), TACIT_EOVERFLOW (above 2^64 - 1 base units). */
#define TACIT_CLI_UNIT_DIGITS 9
int tacit_cli_amount_parse(uint64_t *out, const char *s);
/* The same form back, shortest (no trailing zeros): "1.5", "0", "18446744073.709551615". */
#define TACIT_CLI_AMOUNT_MAX 32
void tacit_cli_amount_format(char out[TACIT_CLI_AMOUNT_MAX], uint64_t v);

/* A passphrase in sodium_malloc memory (tacit_cli_secret_free wipes and frees it). */
struct tacit_cli_secret {
    char *buf;
    size_t len;
};
void tacit_cli_secret_free(struct tacit_cli_secret *s);
/*
 * The passphrase: the first line of --passphrase-file, else $TACIT_PASSPHRASE, else asked on
 * the terminal without echo (twice when confirm). Returns 0, 1 (unreadable file, the two
 * entries differ, out of memory; says why on stderr) or 2 (none given and no terminal).
 */
int tacit_cli_passphrase(struct tacit_cli_secret *out, int confirm);

/*
 * A secp256k1 private key from the first line of the file at path, or for path "-" from standard
 * input (asked on the terminal without echo when standard input is one): 0x and 64 hex digits
 * (the 0x may be left out; blanks around it are ignored). Read byte by byte into sodium_malloc
 * memory, no stdio buffer keeps a copy; a key file that others can read is warned about.
 * what: the option, for messages ("--from-key-file"). Returns 0, or 1 after saying why
 * (unreadable, not a key; key zeroed).
 */
int tacit_cli_read_key(uint8_t key[32], const char *path, const char *what);

/* A BIP-39 recovery phrase (its words on the first line) from the file at path, or for "-" from
 * standard input (asked on the terminal without echo when it is one), byte by byte into
 * sodium_malloc memory. Returns 0, or 1 after saying why (never quoting the phrase). */
int tacit_cli_read_phrase(struct tacit_cli_secret *out, const char *path);

/* The wallet file --wallet names (or the default), malloc'd; NULL after saying why. create:
 * make the wallets directory of a bare name (mode 0700) if missing. */
char *tacit_cli_wallet_path(int create);

#endif /* TACIT_CLI_H */
