/*
 * tacit — the wallet's history (tacit_wallet_history, include/tacit/wallet.h): the sent
 * transactions and the notes received, merged newest first. Derived from the records the file
 * keeps (docs/wallet.md, "History"); nothing is asked of the node.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tacit/error.h"
#include "wallet/wallet_internal.h"

/* Where an entry goes: entries in no block first (key UINT64_MAX), then by height; ties by
 * rank (sent entries above received ones) then seq (the later one first). */
struct hsort {
    uint64_t height;
    unsigned rank; /* 1: sent, 0: received */
    uint64_t seq;  /* send order, or leaf index */
    size_t entry;
};

static int hsort_cmp(const void *pa, const void *pb)
{
    const struct hsort *a = pa, *b = pb;
    if (a->height != b->height) return a->height > b->height ? -1 : 1;
    if (a->rank != b->rank) return a->rank > b->rank ? -1 : 1;
    if (a->seq != b->seq) return a->seq > b->seq ? -1 : 1;
    return 0;
}

static enum tacit_wallet_history_kind kind_of(uint8_t send_kind)
{
    switch (send_kind) {
    case TACIT_WALLET_SEND_WITHDRAW: return TACIT_WALLET_HISTORY_WITHDRAW;
    case TACIT_WALLET_SEND_DEPOSIT: return TACIT_WALLET_HISTORY_DEPOSIT;
    default: return TACIT_WALLET_HISTORY_SEND;
    }
}

int tacit_wallet_history(const struct tacit_wallet *w, struct tacit_wallet_history_entry **out,
                         size_t *n)
{
    struct tacit_wallet_history_entry *e = NULL, *sorted = NULL;
    struct hsort *order = NULL;
    bool *change = NULL;
    size_t total = w->nsent + w->nnotes, k = 0;

    *out = NULL;
    *n = 0;
    if (total == 0) return TACIT_OK;
    if ((e = calloc(total, sizeof *e)) == NULL || (order = calloc(total, sizeof *order)) == NULL ||
        (change = calloc(w->nnotes ? w->nnotes : 1, sizeof *change)) == NULL ||
        (sorted = calloc(total, sizeof *sorted)) == NULL)
        goto oom;

    /* the change of each included send: an unclaimed note of its height and value, no memo */
    for (size_t i = 0; i < w->nsent; i++) {
        const struct tacit__wsent *s = &w->sent[i];
        if (s->state != TACIT_WALLET_TX_INCLUDED || s->change == 0) continue;
        for (size_t j = 0; j < w->nnotes; j++) {
            const struct tacit__wnote *nt = &w->notes[j];
            if (!change[j] && nt->height == s->height && nt->value == s->change &&
                nt->memo_len == 0) {
                change[j] = true;
                break;
            }
        }
    }

    for (size_t i = 0; i < w->nsent; i++) {
        const struct tacit__wsent *s = &w->sent[i];
        struct tacit_wallet_history_entry *x = &e[k];
        x->kind = kind_of(s->kind);
        x->status.state = (enum tacit_wallet_tx_state)s->state;
        x->status.height = s->state == TACIT_WALLET_TX_INCLUDED ? s->height : 0;
        x->status.error = s->state == TACIT_WALLET_TX_REJECTED ? s->error : 0;
        x->has_txid = true;
        memcpy(x->txid, s->txid, 32);
        x->amount = s->amount;
        x->fee = s->fee;
        x->change = s->change;
        x->forced = s->forced;
        x->f = s->f;
        if (s->kind == TACIT_WALLET_SEND_DEPOSIT)
            memcpy(x->from, s->deposit_sender, TACIT_ADDRESS_LEN);
        x->index = 0;
        x->spent_height = TACIT_WALLET_NO_HEIGHT;
        order[k] =
            (struct hsort){s->state == TACIT_WALLET_TX_INCLUDED ? s->height : UINT64_MAX, 1, i, k};
        k++;
    }
    for (size_t j = 0; j < w->nnotes; j++) {
        const struct tacit__wnote *nt = &w->notes[j];
        struct tacit_wallet_history_entry *x = &e[k];
        if (change[j]) continue;
        x->kind = TACIT_WALLET_HISTORY_RECEIVE;
        x->status.state = TACIT_WALLET_TX_INCLUDED;
        x->status.height = nt->height;
        x->amount = nt->value;
        x->index = nt->index;
        x->spent_height = nt->spent_height;
        x->memo_len = nt->memo_len;
        memcpy(x->memo, nt->memo, nt->memo_len);
        order[k] = (struct hsort){nt->height, 0, nt->index, k};
        k++;
    }
    qsort(order, k, sizeof *order, hsort_cmp);
    for (size_t i = 0; i < k; i++) sorted[i] = e[order[i].entry];
    sodium_memzero(e, total * sizeof *e);
    free(e);
    free(order);
    free(change);
    *out = sorted;
    *n = k;
    return TACIT_OK;
oom:
    free(e);
    free(order);
    free(change);
    free(sorted);
    return TACIT_ENOMEM;
}

void tacit_wallet_history_free(struct tacit_wallet_history_entry *e, size_t n)
{
    if (e == NULL) return;
    sodium_memzero(e, n * sizeof *e);
    free(e);
}
