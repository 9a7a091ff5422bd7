/*
 * tacit-cli — the command table. Each command gets argc/argv with argv[0] = its own name
 * and returns the process exit status (0 ok, 1 failure, 2 usage error / not available).
 */
#ifndef TACIT_CLI_H
#define TACIT_CLI_H

#define TACIT_CLI_VERSION "0.1.0"

struct tacit_cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

/* Global options (before the command): tacit-cli [--rpc URL] [--devnet] [--datadir DIR]
 * [--rpc-auth USER:PASS] [--json] <command> ... */
struct tacit_cli_globals {
    const char *rpc_url;    /* --rpc, else $TACIT_RPC, else the devnet's, else 127.0.0.1:8645 */
    const char *rpc_auth;   /* --rpc-auth, else the devnet data dir's cookie when --devnet */
    const char *datadir;    /* --datadir: the devnet's data dir (default ./.tacit-devnet) */
    int devnet;             /* --devnet */
    int json;               /* --json: machine-readable output */
};
extern struct tacit_cli_globals tacit_cli_globals;

/* The RPC client the global options describe (tacit_rpc_client_free it). NULL after printing
 * why on stderr. */
struct tacit_rpc_client *tacit_cli_rpc_client(void);

int cmd_circuit(int argc, char **argv);
int cmd_rpc(int argc, char **argv);
int cmd_groth16(int argc, char **argv);
/* cmd_groth16_prove.c: `tacit-cli groth16 export-vk` and `groth16 prove` */
int cmd_groth16_export_vk(int argc, char **argv);
int cmd_groth16_prove(int argc, char **argv);
int cmd_poseidon(int argc, char **argv);
int cmd_setup(int argc, char **argv);

#endif /* TACIT_CLI_H */
