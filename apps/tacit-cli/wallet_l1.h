/*
 * tacit-cli — the wallet's L1 transactions (apps/tacit-cli/wallet_l1.c; issue 12, 7;
 * docs/wallet.md "On L1"): the deposit into the rollup contract and claim(), sent over the L1
 * port (include/tacit/l1.h) and read back with the contract's binding (include/tacit/rollup.h).
 *
 * Each call fills err (a sentence for a person) on failure and returns a tacit code.
 */
#ifndef TACIT_CLI_WALLET_L1_H
#define TACIT_CLI_WALLET_L1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tacit/chain.h"
#include "tacit/l1.h"
#include "tacit/uint256.h"

/* An account on the L1: its key and sender, and the contract. */
struct tacit_cli_l1 {
    struct tacit_l1 *l1;
    struct tacit_eth_key *key;
    struct tacit_l1_sender *sender;
    uint8_t rollup[TACIT_ETH_ADDRESS_LEN];
    uint8_t from[TACIT_ETH_ADDRESS_LEN]; /* the key's address */
    uint64_t chain_id;
    unsigned timeout_ms; /* for receipts */
};

/* What a sent transaction did. */
struct tacit_cli_l1_result {
    uint8_t tx_hash[32];
    uint64_t block_number, gas_used;
    tacit_uint256 gas_price; /* effective, wei per gas */
    tacit_uint256 wei;       /* deposit: the value; claim: paid (the Claimed event) */
    uint64_t queue_index;    /* deposit, forced transaction: the queue entry */
};

/* Fills an absent L1 flag from the environment (contrib/devnet --l1 writes both to
 * .tacit-devnet-l1/l1.env): *rpc, when NULL, from $TACIT_L1_RPC; *rollup (rollup not NULL), when
 * NULL, from $TACIT_L1_ROLLUP; an empty variable counts as unset, a flag given always wins.
 * Returns what supplied the endpoint ("--l1-rpc" or "$TACIT_L1_RPC"); tacit_cli_l1_open's
 * messages name the sources the same way. */
const char *tacit_cli_l1_from_env(const char **rpc, const char **rollup);

/* Checks url and the 0x rollup address, connects (eth_chainId) and makes the sender for sk
 * (sk NULL: no key, no sender; for reading only).
 * TACIT_EINVAL: a bad URL or address (err says which); an L1 error otherwise. */
int tacit_cli_l1_open(struct tacit_cli_l1 *c, const char *url, const char *rollup,
                      const uint8_t sk[32], unsigned timeout_ms, char *err, size_t n);
void tacit_cli_l1_close(struct tacit_cli_l1 *c);

/* The L1 balance of the account (wei), latest block. */
int tacit_cli_l1_balance(struct tacit_cli_l1 *c, tacit_uint256 *out, char *err, size_t n);

/* deposit(the account's own address) with value amount * 1 gwei, waited for. */
int tacit_cli_l1_deposit(struct tacit_cli_l1 *c, uint64_t amount, struct tacit_cli_l1_result *r,
                         char *err, size_t n);

/* claim(), waited for. TACIT_ENOTFOUND: nothing is claimable (err says so). */
int tacit_cli_l1_claim(struct tacit_cli_l1 *c, struct tacit_cli_l1_result *r, char *err, size_t n);

/* Whether claim() has paid account since the contract credited it with a withdrawal of the
 * block at height, submitted in the L1 transaction submit_tx: *claimed, and then the claim's L1
 * transaction and block and what it paid in r (tx_hash, block_number, wei). claim() pays
 * everything claimable, so a Claimed event of the account after the block's is the one that paid
 * the withdrawal. c may be opened without a key. TACIT_ENOTFOUND: submit_tx did not submit that
 * block to the contract. */
int tacit_cli_l1_claimed(struct tacit_cli_l1 *c, const uint8_t submit_tx[32], uint64_t height,
                         const uint8_t account[TACIT_ETH_ADDRESS_LEN], bool *claimed,
                         struct tacit_cli_l1_result *r, char *err, size_t n);

/* forceTransaction(tx) (TACIT_TX_BYTES: one v2 transaction without a length), waited for: r's
 * queue_index from its ForcedTransaction log. A revert is the contract's error, named in err
 * (ForcedDeposit, UnknownAnchor, NullifierSpent, BadTransferProof, ...) and returned as its
 * tacit code (include/tacit/rollup.h). */
int tacit_cli_l1_force(struct tacit_cli_l1 *c, const uint8_t tx[TACIT_TX_BYTES],
                       struct tacit_cli_l1_result *r, char *err, size_t n);

/* The contract's forceDelay() (T, in L1 blocks): a forced entry must be consumed within T L1
 * blocks of its own, after which anyone may submit blocks. */
int tacit_cli_l1_force_delay(struct tacit_cli_l1 *c, uint64_t *t);

#endif /* TACIT_CLI_WALLET_L1_H */
