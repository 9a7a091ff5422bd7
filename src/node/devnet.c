/*
 * tacit — the devnet (tacitd --devnet): its funded accounts and genesis block, the URL scripts
 * find it at (devnet-accounts.json), and dev_snapshot / dev_revert (copies of the store and the
 * mempool under <datadir>/snapshots/).
 */
#define _GNU_SOURCE /* asprintf */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/node_internal.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/hd.h"
#include "tacit/util.h"

/* ----------------------------------------------------------------- devnet ---- */

static int accounts_make(struct tacit_node *n, uint8_t sk[TACIT_DEVNET_ACCOUNTS][32],
                         uint8_t addr[TACIT_DEVNET_ACCOUNTS][20])
{
    json_t *root, *list;
    char hex[67], *text;
    int rc;
    uint8_t *seed = sodium_malloc(TACIT_BIP39_SEED_LEN), cc[32];
    if (seed == NULL) return TACIT_ENOMEM;
    /* anvil's accounts (issue 15, 9): the same keys on every fresh devnet and on anvil,
     * BIP-44 m/44'/60'/0'/0/i of TACIT_DEVNET_MNEMONIC */
    rc = tacit_bip39_seed(seed, TACIT_DEVNET_MNEMONIC, NULL, NULL);
    for (int i = 0; rc == TACIT_OK && i < TACIT_DEVNET_ACCOUNTS; i++) {
        char path[32];
        snprintf(path, sizeof path, "m/44'/60'/0'/0/%d", i);
        if ((rc = tacit_bip32_derive(sk[i], cc, seed, TACIT_BIP39_SEED_LEN, path)) == TACIT_OK)
            rc = tacit_address_from_seckey(addr[i], sk[i]);
    }
    sodium_free(seed);
    sodium_memzero(cc, sizeof cc);
    if (rc != TACIT_OK) return rc;
    list = json_array();
    for (int i = 0; i < TACIT_DEVNET_ACCOUNTS; i++) {
        char a[43], k[67], bal[24];
        tacit_hex_encode(a, addr[i], 20);
        tacit_hex_encode(k, sk[i], 32);
        /* L1 mode: the genesis block funds nobody (their L2 balance starts at 0) */
        snprintf(bal, sizeof bal, "%" PRIu64, n->cfg.settler == NULL ? TACIT_DEVNET_FUNDS : 0);
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:s}", "address", a, "privateKey", k, "balance", bal));
        sodium_memzero(k, sizeof k);
    }
    tacit_hex_u64(hex, n->params.chain_id);
    root = json_pack("{s:s,s:s,s:o}", "chainId", hex, "mnemonic", TACIT_DEVNET_MNEMONIC, "accounts",
                     list);
    tacit_hex_encode(hex, n->params.rollup_id, 20);
    json_object_set_new(root, "rollupId", json_string(hex));
    if (n->cfg.rpc_host != NULL) {
        char url[300];
        snprintf(url, sizeof url, "http://%s:%u", n->cfg.rpc_host, (unsigned)n->cfg.rpc_port);
        json_object_set_new(root, "rpc", json_string(url));
    }
    if (n->socket_path != NULL) json_object_set_new(root, "socket", json_string(n->socket_path));
    text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    if (text == NULL) return TACIT_ENOMEM;
    rc = tacit__datadir_write_file(n->datadir, TACIT_DATADIR_DEVNET_ACCOUNTS, text, strlen(text),
                                   0600);
    sodium_memzero(text, strlen(text));
    free(text);
    return rc;
}

int tacit__devnet_set_rpc_url(struct tacit_node *n, const char *url)
{
    char *path = tacit_datadir_path(n->datadir, TACIT_DATADIR_DEVNET_ACCOUNTS), *text = NULL;
    json_t *root;
    int rc;
    if (path == NULL) return TACIT_ENOMEM;
    if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
        free(path);
        return TACIT_EIO;
    }
    json_object_set_new(root, "rpc", json_string(url));
    text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    rc = text != NULL ? tacit__datadir_write_file(n->datadir, TACIT_DATADIR_DEVNET_ACCOUNTS, text,
                                                  strlen(text), 0600)
                      : TACIT_ENOMEM;
    if (text != NULL) sodium_memzero(text, strlen(text));
    free(text);
    free(path);
    return rc;
}

static void accounts_print(struct tacit_node *n)
{
    char *path = tacit_datadir_path(n->datadir, TACIT_DATADIR_DEVNET_ACCOUNTS), *text = NULL;
    json_t *root, *list, *a;
    size_t i;
    if (path == NULL || tacit__datadir_read_file(path, &text, NULL, 1 << 20) != TACIT_OK ||
        (root = json_loads(text, 0, NULL)) == NULL) {
        free(path);
        free(text);
        return;
    }
    list = json_object_get(root, "accounts");
    printf("\ntacit devnet: %zu %s (also in %s)\n\n", json_array_size(list),
           n->cfg.settler == NULL ? "funded accounts" : "accounts (L1 mode: fund them on L1)",
           path);
    json_array_foreach(list, i, a)
    {
        printf("(%zu) %s  balance %s\n    private key %s\n", i,
               json_string_value(json_object_get(a, "address")),
               json_string_value(json_object_get(a, "balance")),
               json_string_value(json_object_get(a, "privateKey")));
    }
    printf("\nThese keys are public knowledge: use them on the devnet only.\n\n");
    fflush(stdout);
    json_decref(root);
    sodium_memzero(text, strlen(text));
    free(text);
    free(path);
}

int tacit__devnet_genesis(struct tacit_node *n)
{
    struct tacit_state_tip tip;
    struct tacit_block_builder *b = NULL;
    struct tacit_block_header h;
    uint8_t *bytes = NULL;
    size_t len;
    uint8_t sk[TACIT_DEVNET_ACCOUNTS][32], addr[TACIT_DEVNET_ACCOUNTS][20];
    int rc;

    if ((rc = tacit_state_tip(n->st, &tip)) != TACIT_OK) return rc;
    if (tip.next_height == 0) {
        if ((rc = accounts_make(n, sk, addr)) != TACIT_OK) goto out;
        if ((rc = tacit_block_builder_new(&b, n->st, &n->params)) != TACIT_OK) goto out;
        /* L1 mode: value enters only through the L1 queue, the genesis block funds nobody
         * (contrib/devnet --l1 funds the accounts on L1). */
        for (int i = 0; i < TACIT_DEVNET_ACCOUNTS && rc == TACIT_OK && n->cfg.settler == NULL;
             i++) {
            struct tacit_credit c;
            memcpy(c.address, addr[i], 20);
            c.amount = TACIT_DEVNET_FUNDS;
            rc = tacit_block_builder_add_credit(b, &c);
        }
        if (rc == TACIT_OK)
            rc = tacit_block_builder_seal(b, n->key, tacit__block_time_ms(), &h, &bytes, &len);
        if (rc == TACIT_OK) rc = tacit_block_builder_commit(b);
        if (rc != TACIT_OK) goto out;
        tacit_log(TACIT_LOG_INFO, "devnet", "genesis block committed: %d accounts funded",
                  n->cfg.settler == NULL ? TACIT_DEVNET_ACCOUNTS : 0);
    }
    accounts_print(n);
out:
    if (rc != TACIT_OK)
        tacit_log(TACIT_LOG_ERROR, "devnet", "genesis failed: %s", tacit_strerror(rc));
    sodium_memzero(sk, sizeof sk);
    free(bytes);
    tacit_block_builder_free(b);
    return rc;
}

/* -------------------------------------------------------------- snapshots ---- */

static char *snapshot_dir(struct tacit_node *n, uint64_t id)
{
    return tacit_datadir_snapshot_path(n->datadir, id);
}

int tacit__snapshot_take(struct tacit_node *n, uint64_t *id)
{
    char *base = tacit_datadir_path(n->datadir, TACIT_DATADIR_SNAPSHOTS), *dir = NULL;
    uint8_t *dump = NULL;
    size_t len = 0;
    int rc;
    *id = 0;
    if (base == NULL) return TACIT_ENOMEM;
    if ((rc = tacit__datadir_mkdir(base, 0700)) != TACIT_OK) goto out;
    if ((dir = snapshot_dir(n, n->snapshot_next + 1)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    tacit__datadir_remove_tree(dir); /* a left-over from a crashed run */
    if ((rc = tacit_state_copy(n->st, dir)) != TACIT_OK) goto out;
    if ((rc = tacit_mempool_dump(n->mp, &dump, &len)) != TACIT_OK) goto out;
    if ((rc = tacit__datadir_write_file(dir, TACIT_DATADIR_SNAPSHOT_MEMPOOL, dump, len, 0600)) !=
        TACIT_OK)
        goto out;
    *id = ++n->snapshot_next;
out:
    if (rc != TACIT_OK && dir != NULL) tacit__datadir_remove_tree(dir);
    free(dump);
    free(dir);
    free(base);
    return rc;
}

int tacit__snapshot_revert(struct tacit_node *n, uint64_t id)
{
    char *dir = NULL, *mpath = NULL, *old = NULL, *dump = NULL;
    size_t len = 0;
    int rc;
    if (id == 0 || id > n->snapshot_next) return TACIT_ENOTFOUND;
    if ((dir = snapshot_dir(n, id)) == NULL ||
        (mpath = tacit_datadir_path(dir, TACIT_DATADIR_SNAPSHOT_MEMPOOL)) == NULL ||
        asprintf(&old, "%s.old", n->state_dir) < 0) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    if ((rc = tacit__datadir_read_file(mpath, &dump, &len, (size_t)1 << 31)) != TACIT_OK) {
        rc = rc == TACIT_ENOENT ? TACIT_ENOTFOUND : rc;
        goto out;
    }
    unlink(mpath);
    tacit_state_close(n->st);
    n->st = NULL;
    tacit__datadir_remove_tree(old);
    if (rename(n->state_dir, old) != 0 || rename(dir, n->state_dir) != 0) {
        tacit_log(TACIT_LOG_ERROR, "devnet", "revert: cannot move the snapshot in place: %s",
                  strerror(errno));
        (void)rename(old, n->state_dir);
        rc = TACIT_EIO;
    }
    tacit__datadir_remove_tree(old);
    if (tacit__state_reopen(n) != TACIT_OK) {
        rc = TACIT_ESTATE_IO;
        goto out;
    }
    if (rc != TACIT_OK) goto out;
    /* Later snapshots describe a future that no longer exists: drop them (and this one,
     * which is used up, as in other devnets). */
    for (uint64_t k = id + 1; k <= n->snapshot_next; k++) {
        char *d = snapshot_dir(n, k);
        if (d != NULL) tacit__datadir_remove_tree(d);
        free(d);
    }
    n->snapshot_next = id - 1;
    tacit__recent_blocks_clear(n);
    tacit_mempool_flush(n->mp, TACIT_OK, NULL, NULL);
    tacit__status_clear(n);
    /* The dumped txs' proofs were verified when they were first admitted; the state rules are
     * checked again against the reverted state. */
    if (tacit_mempool_restore(n->mp, (const uint8_t *)dump, len, NULL) == TACIT_OK)
        (void)tacit_mempool_after_block(n->mp, NULL, 0, n->st, NULL, NULL);
    tacit_log(TACIT_LOG_INFO, "devnet", "reverted to snapshot %" PRIu64, id);
out:
    free(dump);
    free(old);
    free(mpath);
    free(dir);
    return rc;
}
