/*
 * tacit — internals of the state store shared by the files of src/state (and the tests' hooks).
 * Only src/state includes lmdb.h.
 */
#ifndef TACIT_STATE_INTERNAL_H
#define TACIT_STATE_INTERNAL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>

#include "state/digest.h"
#include "tacit/state.h"

/* The named databases (docs/state-format.md). */
enum {
    TACIT__DB_META,
    TACIT__DB_BLOCKS,     /* height -> hash || block bytes */
    TACIT__DB_BLOCK_HASH, /* hash -> height */
    TACIT__DB_TXS,        /* tx id -> height || index || tx bytes */
    TACIT__DB_LEAVES,     /* leaf index -> commitment */
    TACIT__DB_NODES,      /* level || index -> complete node (levels >= 4) */
    TACIT__DB_ROOTS,      /* height -> root || count || nullifier digest || transparent digest */
    TACIT__DB_ANCHORS,    /* root -> latest height it was the root at */
    TACIT__DB_NULLIFIERS, /* nullifier -> height */
    TACIT__DB_ACCOUNTS,   /* address -> balance || nonce */
    TACIT__DB_OUTPUTS,    /* leaf index -> encrypted output bytes */
    TACIT__DB_COUNT
};

extern const char *const tacit__state_db_names[TACIT__DB_COUNT];

struct tacit_state {
    MDB_env *env;
    MDB_dbi dbi[TACIT__DB_COUNT];
    MDB_dbi settle_dbi; /* "settle": the node's settlement records, opaque here */
    uint64_t chain_id;
    uint32_t root_history;
    uint64_t map_size, map_size_max;
    /* Read transactions hold it shared; growing the map (mdb_env_set_mapsize, which needs no
     * transaction active in the process) takes it exclusive. */
    pthread_rwlock_t map_lock;
    /* Serialises apply_block (and so the map growth) within the process. */
    pthread_mutex_t write_lock;
    /* Test hook: when fail_put_after reaches 0 at a put, that put returns fail_put_err. */
    long fail_put_after;
    int fail_put_err;
    /* Statistics, for tests and benchmarks. */
    unsigned long map_grows;
};

/* The tip record (meta "tip"). */
struct tacit__tip {
    struct tacit_state_tip t;
    struct tacit_tree_frontier frontier;
};

/* Translates an LMDB or errno code to a TACIT_ code: the one place that does. */
int tacit__state_err(int mdb_rc);

/* Read transactions: begin takes map_lock shared; end aborts the txn and releases it. */
int tacit__state_read_begin(struct tacit_state *st, MDB_txn **txn);
void tacit__state_read_end(struct tacit_state *st, MDB_txn *txn);

/* Reads the tip record in txn (an empty store gives the empty tip). */
int tacit__state_read_tip(struct tacit_state *st, MDB_txn *txn, struct tacit__tip *tip);
/* The empty tip: height 0, empty tree. */
void tacit__state_empty_tip(struct tacit__tip *tip);

/* Tree node getter over txn (arg: struct tacit__getter). */
struct tacit__getter {
    struct tacit_state *st;
    MDB_txn *txn;
};
int tacit__state_get_node(void *arg, unsigned level, uint64_t index, tacit_fr *out);

/* Account record in txn (absent: zero). */
int tacit__state_get_account(struct tacit_state *st, MDB_txn *txn, const uint8_t addr[20],
                             struct tacit_account *out);
/* Anchor check in txn against tip height next_height. */
int tacit__state_anchor_recent(struct tacit_state *st, MDB_txn *txn, uint64_t next_height,
                               const tacit_fr *root, bool *recent);
/* *known = root was the root after a block below next_height (any of them). */
int tacit__state_anchor_known(struct tacit_state *st, MDB_txn *txn, uint64_t next_height,
                              const tacit_fr *root, bool *known);
int tacit__state_nullifier_spent(struct tacit_state *st, MDB_txn *txn, const tacit_fr *nf,
                                 bool *spent);

#include "state/testhooks.h"

#endif /* TACIT_STATE_INTERNAL_H */
