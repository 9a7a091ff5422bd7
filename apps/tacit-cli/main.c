/*
 * tacit-cli <command> [args] — argument parsing and dispatch only; the work is in libtacit.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tacit/datadir.h"
#include "tacit/util.h"

static const struct tacit_cli_command commands[] = {
    {"balance", cmd_balance,
     "the same as `wallet balance` (e.g. tacit-cli --viewing-key KEY balance)"},
    {"circuit", cmd_circuit,
     "the transfer circuit: export-r1cs, info, witness, example; tree-update ..."},
    {"groth16", cmd_groth16,
     "Groth16 (snarkjs format): verify, verify-batch, prove, export-vk, export-solidity"},
    {"l1", cmd_l1, "the L1: deploy the rollup contract (l1 deploy --help)"},
    {"poseidon", cmd_poseidon, "Poseidon hash of decimal field elements (circomlib's)"},
    {"rpc", cmd_rpc, "a raw JSON-RPC call to tacitd: rpc <method> [params...]"},
    {"rpcauth", cmd_rpcauth, "an rpcauth line for tacitd's config, and its password"},
    {"setup", cmd_setup,
     "devnet Groth16 keys: transfer.zkey (or --circuit tree-update) + verification key"},
    {"wallet", cmd_wallet,
     "the wallet: create, address, balance, sync, send, deposit, withdraw..."},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tacit-cli [global options] <command> [args]\n"
            "       tacit-cli --help | --version\n\n"
            "global options:\n"
            "  --rpc URL          tacitd's JSON-RPC: http://HOST:PORT or unix:/path (default "
            "$TACIT_RPC,\n"
            "                     else the devnet's with --devnet, else http://127.0.0.1:8645)\n"
            "  --rpc-auth U:P     credentials for admin_ methods (--devnet: the devnet's cookie)\n"
            "  --proxy HOST:PORT  reach the node through a SOCKS5 proxy, e.g. Tor's "
            "127.0.0.1:9050 (else\n"
            "                     $TACIT_PROXY); the node's name is resolved by the proxy, and "
            "a send's\n"
            "                     submission goes on a connection (a Tor circuit) of its own\n"
            "  --devnet           talk to the local devnet (its data dir: --datadir, default "
            "./" TACIT_DATADIR_DEVNET_DEFAULT ")\n"
            "  --datadir DIR      the node's data directory (its cookie for admin_ methods; "
            "the devnet's\n"
            "                     with --devnet); without --rpc, ~/" TACIT_DATADIR_HOME_DEFAULT
            "'s cookie is used\n"
            "  --json             machine-readable output\n"
            "  --wallet PATH      the wallet file; a bare NAME (no '/' or '.') means "
            "<wallets>/NAME.wallet,\n"
            "                     <wallets> = <datadir>/" TACIT_DATADIR_WALLETS
            " with --devnet, else ~/.tacit/wallets\n"
            "                     (default: the name \"default\", or $TACIT_WALLET)\n"
            "  --passphrase-file PATH  the wallet passphrase is its first line (else "
            "$TACIT_PASSPHRASE,\n"
            "                     else asked on the terminal)\n"
            "  --viewing-key KEY  a watch-only view of a viewing key (a temporary wallet, or "
            "--wallet)\n"
            "  --proving-key PATH transfer.zkey for sends (default with --devnet: "
            "<datadir>/" TACIT_DATADIR_KEYS "/)\n"
            "\namounts are decimal TAC: 1 TAC = 10^9 base units (\"1.5\" = 1500000000 base units)\n"
            "\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\nexit status: 0 done; 1 refused or failed (by the node, the chain, the wallet "
                 "or the\nsystem: the reason on stderr); 2 bad usage\n");
}

struct tacit_cli_globals tacit_cli_globals;

int tacit_cli_dispatch(const struct tacit_cli_command *cmds, size_t n, int argc, char **argv,
                       void (*print_usage)(FILE *), const char *what)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], cmds[i].name) == 0) return cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tacit-cli %s: unknown subcommand \"%s\"\n\n", what, argv[1]);
    print_usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    int i = 1;
    struct tacit_cli_globals *g = &tacit_cli_globals;

    /* Before any sodium_malloc (passphrases, keys): it sets up guarded allocations. */
    if (sodium_init() < 0) {
        fprintf(stderr, "tacit-cli: libsodium failed to initialise\n");
        return 1;
    }

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(o, "--version") == 0) {
            printf("tacit-cli %s\n", tacit_version());
            return 0;
        }
        if (strcmp(o, "--devnet") == 0) {
            g->devnet = 1;
        } else if (strcmp(o, "--json") == 0) {
            g->json = 1;
        } else if (strcmp(o, "--rpc") == 0 || strcmp(o, "--rpc-auth") == 0 ||
                   strcmp(o, "--datadir") == 0 || strcmp(o, "--wallet") == 0 ||
                   strcmp(o, "--passphrase-file") == 0 || strcmp(o, "--viewing-key") == 0 ||
                   strcmp(o, "--proving-key") == 0 || strcmp(o, "--proxy") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tacit-cli: %s needs a value\n", o);
                return 2;
            }
            if (strcmp(o, "--rpc") == 0)
                g->rpc_url = argv[++i];
            else if (strcmp(o, "--rpc-auth") == 0)
                g->rpc_auth = argv[++i];
            else if (strcmp(o, "--wallet") == 0)
                g->wallet = argv[++i];
            else if (strcmp(o, "--passphrase-file") == 0)
                g->passphrase_file = argv[++i];
            else if (strcmp(o, "--viewing-key") == 0)
                g->viewing_key = argv[++i];
            else if (strcmp(o, "--proving-key") == 0)
                g->proving_key = argv[++i];
            else if (strcmp(o, "--proxy") == 0)
                g->proxy = argv[++i];
            else
                g->datadir = argv[++i];
        } else {
            fprintf(stderr, "tacit-cli: unknown global option %s\n", o);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) { /* no command: a usage error */
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[i], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t k = 0; k < NCOMMANDS; k++) {
        if (strcmp(argv[i], commands[k].name) == 0) return commands[k].run(argc - i, argv + i);
    }
    fprintf(stderr, "tacit-cli: unknown command \"%s\"\n", argv[i]);
    usage(stderr);
    return 2;
}
