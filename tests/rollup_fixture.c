/*
 * tacit — a helper of tests/cli_wallet_l1.sh (no ctest by itself): what the shell cannot do
 * for the wallet's L1 tests.
 *   rollup_fixture deploy URL [T]       deploys TacitRollup on the L1 at URL from anvil's account
 *                                       0 (sequencer 0, fee recipient 2, L2 chain id 0x7461,
 *                                       force delay T, default 50) with placeholder verifying
 *                                       keys of the right sizes (deposits and claims never verify
 *                                       a proof); prints its address
 *   rollup_fixture calldata SIG [ARG]   the calldata of SIG ("queueLength()", "claimable(address)",
 *                                       "queueHash(uint256)"): ARG a 0x address or a number
 *   rollup_fixture slot ADDR N          keccak256(ADDR as 32 bytes || N as 32 bytes): the
 *                                       storage slot of a mapping(address => ...) at slot N
 *   rollup_fixture queue-hash PREV ADDR GWEI   the queue hash after one more credit
 *   rollup_fixture balance BEFORE AFTER OUT IN GAS PRICE   exit 0 iff AFTER + OUT + GAS * PRICE
 *                                       = BEFORE + IN (wei; decimal or 0x hex), else says both
 * Exit status 0 ok, 1 failure (said on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/eth.h"
#include "tacit/keccak.h"
#include "tacit/l1.h"
#include "tacit/rollup.h"
#include "tacit/util.h"

/* anvil's account 0 (a public test key) */
static const char *const KEY0 =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
static const char *const ADDR0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
static const char *const ADDR2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

static int die(const char *what, int rc)
{
    fprintf(stderr, "rollup_fixture: %s: %s\n", what, tacit_strerror(rc));
    return 1;
}

static void print_hex(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 3);
    if (s == NULL) return;
    tacit_hex_encode(s, b, n);
    printf("%s\n", s);
    free(s);
}

static int u256(tacit_uint256 *out, const char *s)
{
    return strncmp(s, "0x", 2) == 0 ? tacit_uint256_from_hex(out, s)
                                    : tacit_uint256_from_dec(out, s);
}

static int deploy(const char *url, uint64_t force_delay)
{
    struct tacit_rollup_params p = {.chain_id = 0x7461u, .force_delay = force_delay};
    tacit_groth16_vk *transfer = tacit_groth16_vk_new(7), *tree = tacit_groth16_vk_new(6);
    struct tacit_l1 *l1 = NULL;
    struct tacit_eth_key *key = NULL;
    struct tacit_l1_sender *s = NULL;
    struct tacit_l1_sender_opts o = {0};
    struct tacit_l1_call req = {.create = true};
    struct tacit_l1_sent sent;
    struct tacit_l1_receipt r;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc, status = 1;

    memset(&sent, 0, sizeof sent);
    memset(&r, 0, sizeof r);
    if (transfer == NULL || tree == NULL) goto out;
    tacit_hex_decode(p.sequencer, 20, ADDR0, true);
    tacit_hex_decode(p.fee_recipient, 20, ADDR2, true);
    if ((rc = tacit_rollup_deploy_data(&data, &len, transfer, tree, &p)) != TACIT_OK) {
        die("deploy data", rc);
        goto out;
    }
    req.data = data;
    req.data_len = len;
    if ((rc = tacit_l1_http_new(&l1, url, NULL)) != TACIT_OK ||
        (rc = tacit_l1_chain_id(l1, &o.chain_id)) != TACIT_OK ||
        (rc = tacit_eth_key_from_hex(&key, KEY0)) != TACIT_OK ||
        (rc = tacit_l1_sender_new(&s, l1, key, &o)) != TACIT_OK ||
        (rc = tacit_l1_sender_send(s, &req, &sent)) != TACIT_OK ||
        (rc = tacit_l1_wait_success(l1, sent.hash, 30000, 50, &r)) != TACIT_OK) {
        die("deploy", rc);
        goto out;
    }
    if (!r.has_contract_address) {
        fprintf(stderr, "rollup_fixture: deploy: no contract address in the receipt\n");
        goto out;
    }
    print_hex(r.contract_address, 20);
    status = 0;
out:
    tacit_l1_receipt_clear(&r);
    tacit_l1_sent_clear(&sent);
    tacit_l1_sender_free(s);
    tacit_eth_key_free(key);
    tacit_l1_free(l1);
    free(data);
    tacit_groth16_vk_free(transfer);
    tacit_groth16_vk_free(tree);
    return status;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    int rc;
    if (strcmp(cmd, "deploy") == 0 && (argc == 3 || argc == 4)) {
        uint64_t t = TACIT_ROLLUP_FORCE_DELAY_DEFAULT;
        if (argc == 4 && tacit_parse_dec_u64(&t, argv[3]) != TACIT_OK)
            return die("deploy URL [T]", TACIT_EINVAL);
        return deploy(argv[2], t);
    }
    if (strcmp(cmd, "calldata") == 0 && (argc == 3 || argc == 4)) {
        struct tacit_abi_value item, v;
        uint8_t addr[20], *out = NULL;
        size_t len = 0;
        uint64_t u;
        if (argc == 4 && tacit_hex_decode(addr, 20, argv[3], true) == TACIT_OK)
            tacit_abi_set_address(&item, addr);
        else if (argc == 4 && tacit_parse_dec_u64(&u, argv[3]) == TACIT_OK)
            tacit_abi_set_u64(&item, u);
        else if (argc == 4)
            return die("calldata: want a 0x address or a decimal number", TACIT_EINVAL);
        tacit_abi_set_list(&v, TACIT_ABI_TUPLE, argc == 4 ? &item : NULL, argc == 4 ? 1 : 0);
        if ((rc = tacit_abi_encode_call(&out, &len, argv[2], &v)) != TACIT_OK)
            return die("calldata", rc);
        print_hex(out, len);
        free(out);
        return 0;
    }
    if (strcmp(cmd, "slot") == 0 && argc == 4) {
        uint8_t in[64] = {0}, h[32];
        uint64_t n;
        if (tacit_hex_decode(in + 12, 20, argv[2], true) != TACIT_OK ||
            tacit_parse_dec_u64(&n, argv[3]) != TACIT_OK)
            return die("slot ADDR N", TACIT_EINVAL);
        for (int i = 0; i < 8; i++) in[63 - i] = (uint8_t)(n >> (8 * i));
        tacit_keccak256(h, in, sizeof in);
        print_hex(h, 32);
        return 0;
    }
    if (strcmp(cmd, "queue-hash") == 0 && argc == 5) {
        struct tacit_credit c;
        uint8_t prev[32], h[32];
        memset(&c, 0, sizeof c);
        if (tacit_hex_decode(prev, 32, argv[2], true) != TACIT_OK ||
            tacit_hex_decode(c.address, 20, argv[3], true) != TACIT_OK ||
            tacit_parse_dec_u64(&c.amount, argv[4]) != TACIT_OK)
            return die("queue-hash PREV ADDR GWEI", TACIT_EINVAL);
        tacit_rollup_queue_hash(h, prev, &c);
        print_hex(h, 32);
        return 0;
    }
    if (strcmp(cmd, "balance") == 0 && argc == 8) {
        tacit_uint256 v[6], lhs, rhs, fee;
        char a[TACIT_UINT256_DEC_MAX], b[TACIT_UINT256_DEC_MAX];
        uint64_t g;
        for (int i = 0; i < 6; i++)
            if (u256(&v[i], argv[2 + i]) != TACIT_OK)
                return die("balance BEFORE AFTER OUT IN GAS PRICE", TACIT_EINVAL);
        if (tacit_uint256_to_u64(&g, &v[4]) != TACIT_OK ||
            tacit_uint256_mul_u64(&fee, &v[5], g) != TACIT_OK ||
            tacit_uint256_add(&lhs, &v[1], &v[2]) != TACIT_OK ||
            tacit_uint256_add(&lhs, &lhs, &fee) != TACIT_OK ||
            tacit_uint256_add(&rhs, &v[0], &v[3]) != TACIT_OK)
            return die("balance: overflow", TACIT_EOVERFLOW);
        if (tacit_uint256_cmp(&lhs, &rhs) == 0) return 0;
        tacit_uint256_to_dec(a, &lhs);
        tacit_uint256_to_dec(b, &rhs);
        fprintf(stderr, "rollup_fixture: after + out + gas = %s wei, before + in = %s\n", a, b);
        return 1;
    }
    fprintf(stderr, "usage: rollup_fixture deploy URL [T] | calldata SIG [ARG] | slot ADDR N | "
                    "queue-hash PREV ADDR GWEI | balance BEFORE AFTER OUT IN GAS PRICE\n");
    return 1;
}
