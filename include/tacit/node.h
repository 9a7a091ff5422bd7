/*
 * tacit — the sequencer node (shared/docs/DESIGN.md 3): one libuv loop owns the RPC sockets,
 * the mempool and the batcher; proofs are verified on the libuv thread pool (batched), blocks
 * are built, signed and committed on a worker (one at a time: LMDB writes happen from one place).
 * apps/tacitd parses the command line and the config file into a tacit_node_config and calls
 * tacit_node_run. docs/operations.md describes the data directory and the life cycle.
 */
#ifndef TACIT_NODE_H
#define TACIT_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/chain.h"
#include "tacit/rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TACIT_DEVNET_CHAIN_ID 0x7461u
#define TACIT_DEVNET_DIR ".tacit-devnet"
#define TACIT_DEVNET_ACCOUNTS 10
#define TACIT_DEVNET_FUNDS UINT64_C(1000000000000)
#define TACIT_DEFAULT_RPC_PORT 8645

enum tacit_log_level { TACIT_LOG_ERROR, TACIT_LOG_WARN, TACIT_LOG_INFO, TACIT_LOG_DEBUG };

struct tacit_node_config {
    const char *datadir;           /* required (tacitd: ./.tacit-devnet for --devnet) */
    bool devnet;                   /* keys, accounts and genesis made on first start; dev_* RPC */
    uint64_t chain_id;             /* required unless devnet */
    uint8_t rollup_id[TACIT_ROLLUP_ID_LEN];
    const char *vk_file;           /* snarkjs verification_key.json (not devnet: required) */
    const char *rpc_host;          /* NULL: no TCP listener */
    uint16_t rpc_port;
    const char *rpc_socket;        /* NULL: <datadir>/tacitd.sock; "" : none */
    struct tacit_rpc_limits rpc_limits;
    const char *const *rpcauth;    /* NULL-terminated, or NULL */
    uint32_t block_interval_ms;    /* 1000 */
    uint32_t max_block_txs;        /* 2048 */
    bool empty_blocks;             /* seal blocks with no transactions (default false) */
    uint64_t min_fee;              /* initial value; admin_setMinFee changes (and persists) it */
    size_t mempool_max_txs;        /* 50000 */
    size_t mempool_max_bytes;      /* 256 MiB */
    unsigned verify_threads;       /* proof-verification jobs in flight (0: number of cores) */
    size_t verify_queue_max;       /* txs waiting for their proof check (8192): past it, EBUSY */
    bool nosync;                   /* tests/benchmarks only: no fsync per block */
    bool new_chain;                /* tacitd --new-chain: an initialised data directory whose store
                                      is missing or empty begins a new chain (else: refused) */
    enum tacit_log_level log_level;
};

/* The defaults above; datadir and chain id unset. */
void tacit_node_config_init(struct tacit_node_config *c);

/* Runs the node until SIGINT or SIGTERM (or a fatal start-up error). Returns 0 on a clean stop,
 * else a non-zero exit status after logging why (e.g. the data directory is locked). */
int tacit_node_run(const struct tacit_node_config *cfg);

/* Logging (node, rpc and binaries only): one line per event on stderr,
 * "2026-11-28T13:00:00.123Z INFO  node: message". */
void tacit_log_set_level(enum tacit_log_level l);
void tacit_log(enum tacit_log_level l, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* TACIT_NODE_H */
