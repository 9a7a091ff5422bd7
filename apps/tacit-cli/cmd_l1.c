/*
 * tacit-cli l1 deploy — deploys the rollup contract (TacitRollup, include/tacit/rollup.h) on an
 * Ethereum L1 with the verifying keys of a keys directory:
 *   tacit-cli l1 deploy --l1-rpc URL --key-file FILE --keys DIR [--chain-id N]
 *                       [--fee-recipient 0xADDR] [--force-delay N]
 * DIR holds verification_key.json (the transfer circuit's) and tree_update_verification_key.json
 * (`tacit-cli setup --circuit tree-update --out DIR`). The deployer (the key of FILE) is the
 * sequencer: the only address that may submit blocks (tacitd's --l1-key). --chain-id is the
 * L2's (default: the devnet's). --force-delay is T of the escape hatch in L1 blocks (default
 * 50; docs/l1-contract.md "Forced transactions and open submission"). Without --l1-rpc,
 * $TACIT_L1_RPC. Prints the contract's address on stdout.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/groth16.h"
#include "tacit/l1.h"
#include "tacit/node.h"
#include "tacit/rollup.h"
#include "tacit/util.h"
#include "wallet_l1.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tacit-cli l1 deploy --l1-rpc URL --key-file FILE --keys DIR [--chain-id N]\n"
            "                           [--fee-recipient 0xADDRESS] [--force-delay N]\n\n"
            "Deploys the rollup contract with DIR's verifying keys (verification_key.json,\n"
            "tree_update_verification_key.json); the key of FILE (0x + 64 hex) deploys it and\n"
            "is its sequencer. --force-delay N: T, in L1 blocks, within which the sequencer must\n"
            "include a forced transaction, and after which submission opens to anyone when it\n"
            "does not (default 50). Prints the contract's address. Without --l1-rpc:\n"
            "$TACIT_L1_RPC.\n");
}

/* A verifying key of dir/name; NULL after saying why. */
static tacit_groth16_vk *load_vk(const char *dir, const char *name)
{
    char path[4096], where[TACIT_GROTH16_WHERE_MAX] = "";
    tacit_groth16_vk *vk = NULL;
    char *json = NULL;
    long len;
    FILE *f;
    int rc = TACIT_EIO;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((f = fopen(path, "rb")) != NULL && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
        len < (16l << 20) && fseek(f, 0, SEEK_SET) == 0 && (json = malloc((size_t)len)) != NULL &&
        fread(json, 1, (size_t)len, f) == (size_t)len)
        rc = tacit_groth16_vk_from_json(&vk, json, (size_t)len, where);
    if (f != NULL) fclose(f);
    free(json);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-cli l1 deploy: %s: %s%s%s\n", path, tacit_strerror(rc),
                where[0] ? " at " : "", where);
        return NULL;
    }
    return vk;
}

static int deploy(int argc, char **argv)
{
    const char *url = NULL, *url_name, *key_file = NULL, *dir = NULL, *fee = NULL;
    uint64_t chain_id = TACIT_DEVNET_CHAIN_ID, l1_chain = 0,
             force_delay = TACIT_ROLLUP_FORCE_DELAY_DEFAULT;
    struct tacit_rollup_params rp;
    struct tacit_l1 *l1 = NULL;
    struct tacit_eth_key *key = NULL;
    struct tacit_l1_sender *sender = NULL;
    struct tacit_l1_sender_opts so;
    struct tacit_l1_call req = {.create = true};
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    tacit_groth16_vk *tvk = NULL, *uvk = NULL;
    uint8_t sk[32], *data = NULL;
    size_t len = 0;
    char hex[43];
    int rc, status = 1;

    memset(&rp, 0, sizeof rp);
    memset(&sent, 0, sizeof sent);
    memset(&r, 0, sizeof r);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (v == NULL) {
            fprintf(stderr, "tacit-cli l1 deploy: %s: expected a value\n", TACIT_LOG_S(a));
            return 2;
        }
        i++;
        if (strcmp(a, "--l1-rpc") == 0)
            url = v;
        else if (strcmp(a, "--key-file") == 0)
            key_file = v;
        else if (strcmp(a, "--keys") == 0)
            dir = v;
        else if (strcmp(a, "--fee-recipient") == 0)
            fee = v;
        else if (strcmp(a, "--chain-id") == 0) {
            if ((strncmp(v, "0x", 2) == 0 ? tacit_parse_hex_u64(&chain_id, v)
                                          : tacit_parse_dec_u64(&chain_id, v)) != TACIT_OK ||
                chain_id == 0) {
                fprintf(stderr, "tacit-cli l1 deploy: --chain-id %s: not a chain id\n",
                        TACIT_LOG_S(v));
                return 2;
            }
        } else if (strcmp(a, "--force-delay") == 0) {
            if (tacit_parse_dec_u64(&force_delay, v) != TACIT_OK || force_delay == 0 ||
                force_delay > UINT32_MAX) {
                fprintf(stderr,
                        "tacit-cli l1 deploy: --force-delay %s: not a number of L1 blocks "
                        "(1 to 4294967295)\n",
                        TACIT_LOG_S(v));
                return 2;
            }
        } else {
            fprintf(stderr, "tacit-cli l1 deploy: unknown option %s\n", TACIT_LOG_S(a));
            usage(stderr);
            return 2;
        }
    }
    url_name = tacit_cli_l1_from_env(&url, NULL);
    if (url == NULL || key_file == NULL || dir == NULL) {
        fprintf(stderr, "tacit-cli l1 deploy: --l1-rpc (or $TACIT_L1_RPC), --key-file and --keys "
                        "are required\n");
        usage(stderr);
        return 2;
    }
    if (fee != NULL &&
        (strlen(fee) != 42 || tacit_hex_decode(rp.fee_recipient, 20, fee, true) != TACIT_OK)) {
        fprintf(stderr, "tacit-cli l1 deploy: --fee-recipient %s: not an address\n",
                TACIT_LOG_S(fee));
        return 2;
    }
    if (tacit_cli_read_key(sk, key_file, "--key-file") != 0) return 1;
    rc = tacit_eth_key_new(&key, sk);
    sodium_memzero(sk, sizeof sk);
    if (rc != TACIT_OK) {
        fprintf(stderr, "tacit-cli l1 deploy: --key-file: %s\n", tacit_strerror(rc));
        return 1;
    }
    if ((tvk = load_vk(dir, TACIT_DATADIR_KEYS_VERIFYING)) == NULL ||
        (uvk = load_vk(dir, TACIT_CLI_TREEUPDATE_VK)) == NULL)
        goto out;
    tacit_eth_key_address(key, rp.sequencer);
    rp.force_delay = force_delay;
    if (fee == NULL) memcpy(rp.fee_recipient, rp.sequencer, 20);
    rp.chain_id = chain_id;
    if ((rc = tacit_rollup_deploy_data(&data, &len, tvk, uvk, &rp)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli l1 deploy: the keys of %s: %s\n", TACIT_LOG_S(dir),
                tacit_strerror(rc));
        goto out;
    }
    if ((rc = tacit_l1_http_new(&l1, url, NULL)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli l1 deploy: %s %s: not an L1 endpoint URL\n", url_name,
                TACIT_LOG_S(url));
        goto out;
    }
    memset(&so, 0, sizeof so);
    if ((rc = tacit_l1_chain_id(l1, &l1_chain)) != TACIT_OK ||
        (so.chain_id = l1_chain, rc = tacit_l1_sender_new(&sender, l1, key, &so)) != TACIT_OK ||
        (req.data = data, req.data_len = len, rc = tacit_l1_sender_send(sender, &req, &sent)) !=
            TACIT_OK ||
        (rc = tacit_l1_wait_success(l1, sent.hash, 60000, 100, &r)) != TACIT_OK) {
        fprintf(stderr, "tacit-cli l1 deploy: %s: %s\n", TACIT_LOG_S(url), tacit_strerror(rc));
        goto out;
    }
    if (!r.has_contract_address) {
        fprintf(stderr, "tacit-cli l1 deploy: the receipt has no contract address\n");
        goto out;
    }
    tacit_hex_encode(hex, r.contract_address, 20); /* 0x + 40 digits */
    printf("%s\n", hex);
    status = 0;
out:
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    tacit_l1_sender_free(sender);
    tacit_l1_free(l1);
    tacit_eth_key_free(key);
    tacit_groth16_vk_free(tvk);
    tacit_groth16_vk_free(uvk);
    free(data);
    return status;
}

static void l1_usage(FILE *f)
{
    fprintf(f, "usage: tacit-cli l1 deploy ... (see l1 deploy --help)\n");
}

int cmd_l1(int argc, char **argv)
{
    static const struct tacit_cli_command cmds[] = {
        {"deploy", deploy, "deploy the rollup contract with a keys directory's verifying keys"},
    };
    return tacit_cli_dispatch(cmds, sizeof cmds / sizeof cmds[0], argc, argv, l1_usage, "l1");
}
