/*
 * tacit — ABI types and signatures (include/tacit/abi.h; the Solidity documentation, "Contract
 * ABI Specification", sections "Types" and "Function Selector"): the type parser, canonical
 * forms, selectors and event topics, the value setters, and the printer used for revert
 * reasons. The encoder and decoder are in abi_codec.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l1/l1_internal.h"
#include "tacit/abi.h"
#include "tacit/error.h"
#include "tacit/keccak.h"

#define MAX_DEPTH 16
#define MAX_FARRAY (1u << 20)

/* ------------------------------------------------------------------ parser ---- */

struct parser {
    const char *s;
    size_t pos;
    int depth;
    int err;
};

static void skip_ws(struct parser *p)
{
    while (p->s[p->pos] == ' ') p->pos++;
}

static bool is_ident_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '$'; }

/* An identifier at the current position (length in *n, 0 when none). */
static const char *ident(struct parser *p, size_t *n)
{
    const char *start = p->s + p->pos;
    size_t k = 0;
    while (is_ident_char(start[k])) k++;
    p->pos += k;
    *n = k;
    return start;
}

static struct tacit_abi_type *new_type(struct parser *p, enum tacit_abi_kind kind, size_t size)
{
    struct tacit_abi_type *t = calloc(1, sizeof *t);
    if (t == NULL) {
        p->err = TACIT_ENOMEM;
        return NULL;
    }
    t->kind = kind;
    t->size = size;
    return t;
}

/* "uint256", "bytes4", "address", ... -> a type; NULL with p->err set otherwise. */
static struct tacit_abi_type *elementary(struct parser *p, const char *w, size_t n)
{
    static const struct {
        const char *name;
        enum tacit_abi_kind kind;
    } sized[] = {{"uint", TACIT_ABI_UINT}, {"int", TACIT_ABI_INT}, {"bytes", TACIT_ABI_BYTESN}};
    char word[16];

    if (n == 0 || n >= sizeof word) goto bad;
    memcpy(word, w, n);
    word[n] = '\0';
    if (strcmp(word, "address") == 0) return new_type(p, TACIT_ABI_ADDRESS, 0);
    if (strcmp(word, "bool") == 0) return new_type(p, TACIT_ABI_BOOL, 0);
    if (strcmp(word, "string") == 0) return new_type(p, TACIT_ABI_STRING, 0);
    if (strcmp(word, "bytes") == 0) return new_type(p, TACIT_ABI_BYTES, 0);
    if (strcmp(word, "uint") == 0) return new_type(p, TACIT_ABI_UINT, 256);
    if (strcmp(word, "int") == 0) return new_type(p, TACIT_ABI_INT, 256);
    for (size_t i = 0; i < sizeof sized / sizeof sized[0]; i++) {
        size_t k = strlen(sized[i].name);
        unsigned long m = 0;
        if (strncmp(word, sized[i].name, k) != 0 || word[k] < '1' || word[k] > '9') continue;
        for (size_t j = k; word[j]; j++) {
            if (!isdigit((unsigned char)word[j])) goto bad;
            m = m * 10 + (unsigned long)(word[j] - '0');
            if (m > 256) goto bad;
        }
        if (sized[i].kind == TACIT_ABI_BYTESN ? m > 32 : (m % 8 != 0 || m > 256)) goto bad;
        return new_type(p, sized[i].kind, m);
    }
bad:
    p->err = TACIT_EABI_TYPE;
    return NULL;
}

static struct tacit_abi_type *parse_params(struct parser *p, char close);

/* type: base suffix*, base: "(" params ")" | elementary; suffix: "[" digits? "]" */
static struct tacit_abi_type *parse_type(struct parser *p)
{
    struct tacit_abi_type *t;

    skip_ws(p);
    if (p->s[p->pos] == '(') {
        if (++p->depth > MAX_DEPTH) {
            p->err = TACIT_EABI_TYPE;
            return NULL;
        }
        p->pos++;
        t = parse_params(p, ')');
        p->depth--;
        if (t == NULL) return NULL;
        p->pos++; /* ')' */
    } else {
        size_t n;
        const char *w = ident(p, &n);
        if ((t = elementary(p, w, n)) == NULL) return NULL;
    }
    for (int suffixes = 1; p->s[p->pos] == '['; suffixes++) {
        struct tacit_abi_type *a;
        size_t k = 0, digits = 0;
        p->pos++;
        while (isdigit((unsigned char)p->s[p->pos]) && digits < 8) {
            k = k * 10 + (size_t)(p->s[p->pos++] - '0');
            digits++;
        }
        /* T[k]: k from 1 to 2^20, no leading zero */
        if (p->s[p->pos] != ']' || p->depth + suffixes > MAX_DEPTH ||
            (digits > 0 && (p->s[p->pos - digits] == '0' || k > MAX_FARRAY))) {
            p->err = TACIT_EABI_TYPE;
            tacit__abi_type_free_tree(t);
            return NULL;
        }
        p->pos++;
        if ((a = new_type(p, digits ? TACIT_ABI_FARRAY : TACIT_ABI_ARRAY, k)) == NULL) {
            tacit__abi_type_free_tree(t);
            return NULL;
        }
        a->elem = t;
        t = a;
    }
    return t;
}

/* param: type ["indexed"] [name]; params up to the closing character (not consumed). */
static struct tacit_abi_type *parse_params(struct parser *p, char close)
{
    struct tacit_abi_type *tuple = new_type(p, TACIT_ABI_TUPLE, 0), *m;
    const struct tacit_abi_type **members = NULL;
    size_t n = 0;

    if (tuple == NULL) return NULL;
    skip_ws(p);
    if (p->s[p->pos] == close) return tuple;
    for (;;) {
        const struct tacit_abi_type **grown;
        size_t wn;
        const char *w;

        if ((m = parse_type(p)) == NULL) goto fail;
        if ((grown = realloc(members, (n + 1) * sizeof *members)) == NULL) {
            tacit__abi_type_free_tree(m);
            p->err = TACIT_ENOMEM;
            goto fail;
        }
        members = grown;
        members[n++] = m;
        tuple->members = members;
        tuple->nmembers = n;
        skip_ws(p);
        w = ident(p, &wn);
        if (wn == 7 && strncmp(w, "indexed", 7) == 0) {
            m->indexed = true;
            skip_ws(p);
            w = ident(p, &wn);
        }
        if (wn > 0 && isdigit((unsigned char)w[0])) break; /* a name cannot start with a digit */
        skip_ws(p);
        if (p->s[p->pos] == close) return tuple;
        if (p->s[p->pos] != ',') break;
        p->pos++;
    }
    p->err = TACIT_EABI_TYPE;
fail:
    tacit__abi_type_free_tree(tuple);
    return NULL;
}

void tacit__abi_type_free_tree(struct tacit_abi_type *t)
{
    if (t == NULL) return;
    tacit__abi_type_free_tree((struct tacit_abi_type *)t->elem);
    for (size_t i = 0; i < t->nmembers; i++)
        tacit__abi_type_free_tree((struct tacit_abi_type *)t->members[i]);
    free((void *)t->members);
    free(t);
}

static int parse_whole(struct tacit_abi_type **out, const char *s, bool params)
{
    struct parser p = {.s = s, .err = TACIT_EABI_TYPE};
    struct tacit_abi_type *t;

    *out = NULL;
    if (s == NULL) return TACIT_EABI_TYPE;
    t = params ? parse_params(&p, '\0') : parse_type(&p);
    if (t == NULL) return p.err;
    skip_ws(&p);
    if (s[p.pos] != '\0') {
        tacit__abi_type_free_tree(t);
        return TACIT_EABI_TYPE;
    }
    *out = t;
    return TACIT_OK;
}

int tacit_abi_type_parse(struct tacit_abi_type **out, const char *s)
{
    return parse_whole(out, s, false);
}

int tacit_abi_params_parse(struct tacit_abi_type **out, const char *s)
{
    return parse_whole(out, s, true);
}

void tacit_abi_type_free(struct tacit_abi_type *t) { tacit__abi_type_free_tree(t); }

bool tacit_abi_type_is_dynamic(const struct tacit_abi_type *t)
{
    switch (t->kind) {
    case TACIT_ABI_BYTES:
    case TACIT_ABI_STRING:
    case TACIT_ABI_ARRAY: return true;
    case TACIT_ABI_FARRAY: return tacit_abi_type_is_dynamic(t->elem);
    case TACIT_ABI_TUPLE:
        for (size_t i = 0; i < t->nmembers; i++)
            if (tacit_abi_type_is_dynamic(t->members[i])) return true;
        return false;
    default: return false;
    }
}

/* ------------------------------------------------------------------ text out ---- */

/* A bounded writer: keeps the first n - 1 bytes, remembers that more was cut. */
struct writer {
    char *out;
    size_t n, len;
    bool cut;
};

static void put(struct writer *w, const char *s, size_t k)
{
    if (w->n == 0) return;
    if (w->len + k >= w->n) {
        k = w->n - 1 - w->len;
        w->cut = true;
    }
    memcpy(w->out + w->len, s, k);
    w->len += k;
    w->out[w->len] = '\0';
}

static void puts_(struct writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_hex(struct writer *w, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    puts_(w, "0x");
    for (size_t i = 0; i < n && !w->cut; i++) {
        char two[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        put(w, two, 2);
    }
}

static void canonical(struct writer *w, const struct tacit_abi_type *t)
{
    char num[24];
    switch (t->kind) {
    case TACIT_ABI_UINT:
    case TACIT_ABI_INT:
    case TACIT_ABI_BYTESN:
        snprintf(num, sizeof num, "%s%zu",
                 t->kind == TACIT_ABI_UINT  ? "uint"
                 : t->kind == TACIT_ABI_INT ? "int"
                                            : "bytes",
                 t->size);
        puts_(w, num);
        break;
    case TACIT_ABI_ADDRESS: puts_(w, "address"); break;
    case TACIT_ABI_BOOL: puts_(w, "bool"); break;
    case TACIT_ABI_BYTES: puts_(w, "bytes"); break;
    case TACIT_ABI_STRING: puts_(w, "string"); break;
    case TACIT_ABI_ARRAY:
        canonical(w, t->elem);
        puts_(w, "[]");
        break;
    case TACIT_ABI_FARRAY:
        canonical(w, t->elem);
        snprintf(num, sizeof num, "[%zu]", t->size);
        puts_(w, num);
        break;
    case TACIT_ABI_TUPLE:
        puts_(w, "(");
        for (size_t i = 0; i < t->nmembers; i++) {
            if (i) puts_(w, ",");
            canonical(w, t->members[i]);
        }
        puts_(w, ")");
        break;
    }
}

int tacit_abi_type_canonical(char *out, size_t n, const struct tacit_abi_type *t)
{
    struct writer w = {out, n, 0, false};
    if (n > 0) out[0] = '\0';
    canonical(&w, t);
    return w.cut || n == 0 ? TACIT_ETOOBIG : TACIT_OK;
}

/* The value printer. */
static void format(struct writer *w, const struct tacit_abi_type *t,
                   const struct tacit_abi_value *v)
{
    char dec[TACIT_UINT256_DEC_MAX + 1];
    tacit_uint256 x;

    if (v->kind != t->kind) {
        puts_(w, "?");
        return;
    }
    switch (t->kind) {
    case TACIT_ABI_UINT:
    case TACIT_ABI_INT:
        memcpy(x.be, v->word, 32);
        if (t->kind == TACIT_ABI_INT && (v->word[0] & 0x80)) { /* two's complement: -(~x + 1) */
            tacit_uint256 zero = {{0}};
            (void)tacit_uint256_sub(&x, &zero, &x);
            puts_(w, "-");
        }
        tacit_uint256_to_dec(dec, &x);
        puts_(w, dec);
        break;
    case TACIT_ABI_ADDRESS: put_hex(w, v->word + 12, 20); break;
    case TACIT_ABI_BOOL: puts_(w, v->word[31] ? "true" : "false"); break;
    case TACIT_ABI_BYTESN: put_hex(w, v->word, t->size); break;
    case TACIT_ABI_BYTES: put_hex(w, v->bytes, v->len); break;
    case TACIT_ABI_STRING:
        puts_(w, "\"");
        for (size_t i = 0; i < v->len && !w->cut; i++) {
            uint8_t c = v->bytes[i];
            char esc[8];
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                put(w, (const char *)&c, 1);
            } else {
                snprintf(esc, sizeof esc, "\\x%02x", c);
                puts_(w, esc);
            }
        }
        puts_(w, "\"");
        break;
    case TACIT_ABI_ARRAY:
    case TACIT_ABI_FARRAY:
    case TACIT_ABI_TUPLE:
        puts_(w, t->kind == TACIT_ABI_TUPLE ? "(" : "[");
        for (size_t i = 0; i < v->n && !w->cut; i++) {
            if (i) puts_(w, ", ");
            format(w, t->kind == TACIT_ABI_TUPLE ? (i < t->nmembers ? t->members[i] : t) : t->elem,
                   &v->items[i]);
        }
        puts_(w, t->kind == TACIT_ABI_TUPLE ? ")" : "]");
        break;
    }
}

void tacit_abi_value_format(char *out, size_t n, const struct tacit_abi_type *t,
                            const struct tacit_abi_value *v)
{
    struct writer w = {out, n, 0, false};
    if (n == 0) return;
    out[0] = '\0';
    format(&w, t, v);
    if (w.cut && n >= 4) memcpy(out + n - 4, "...", 4);
}

/* ------------------------------------------------------------------ signatures ---- */

int tacit_abi_signature_parse(char **canonical_out, struct tacit_abi_type **params, const char *sig)
{
    struct tacit_abi_type *t = NULL;
    const char *open;
    size_t namelen, clen;
    char *c = NULL, *inner = NULL;
    int rc;

    *canonical_out = NULL;
    if (params != NULL) *params = NULL;
    if (sig == NULL || (open = strchr(sig, '(')) == NULL) return TACIT_EABI_TYPE;
    namelen = (size_t)(open - sig);
    if (namelen == 0 || isdigit((unsigned char)sig[0])) return TACIT_EABI_TYPE;
    for (size_t i = 0; i < namelen; i++)
        if (!is_ident_char(sig[i])) return TACIT_EABI_TYPE;
    clen = strlen(open);
    if (clen < 2 || open[clen - 1] != ')') return TACIT_EABI_TYPE;
    if ((inner = strndup(open + 1, clen - 2)) == NULL) return TACIT_ENOMEM;
    rc = tacit_abi_params_parse(&t, inner);
    free(inner);
    if (rc != TACIT_OK) return rc;
    /* the canonical parameter list is at most a few times the signature's length */
    clen = namelen + 8 * strlen(sig) + 64;
    if ((c = malloc(clen)) == NULL) {
        rc = TACIT_ENOMEM;
        goto out;
    }
    memcpy(c, sig, namelen);
    if ((rc = tacit_abi_type_canonical(c + namelen, clen - namelen, t)) != TACIT_OK) goto out;
    *canonical_out = c;
    c = NULL;
    if (params != NULL) {
        *params = t;
        t = NULL;
    }
out:
    free(c);
    tacit__abi_type_free_tree(t);
    return rc;
}

static int signature_hash(uint8_t out[32], const char *sig)
{
    char *c;
    int rc = tacit_abi_signature_parse(&c, NULL, sig);
    memset(out, 0, 32);
    if (rc != TACIT_OK) return rc;
    tacit_keccak256(out, (const uint8_t *)c, strlen(c));
    free(c);
    return TACIT_OK;
}

int tacit_abi_selector(uint8_t out[4], const char *sig)
{
    uint8_t h[32];
    int rc = signature_hash(h, sig);
    memcpy(out, h, 4);
    return rc;
}

int tacit_abi_event_topic(uint8_t out[32], const char *sig) { return signature_hash(out, sig); }

/* ------------------------------------------------------------------ setters ---- */

static void set_scalar(struct tacit_abi_value *v, enum tacit_abi_kind kind)
{
    memset(v, 0, sizeof *v);
    v->kind = kind;
}

void tacit_abi_set_uint256(struct tacit_abi_value *v, const tacit_uint256 *x)
{
    set_scalar(v, TACIT_ABI_UINT);
    memcpy(v->word, x->be, 32);
}

void tacit_abi_set_u64(struct tacit_abi_value *v, uint64_t x)
{
    tacit_uint256 u;
    tacit_uint256_from_u64(&u, x);
    tacit_abi_set_uint256(v, &u);
}

void tacit_abi_set_address(struct tacit_abi_value *v, const uint8_t addr[20])
{
    set_scalar(v, TACIT_ABI_ADDRESS);
    memcpy(v->word + 12, addr, 20);
}

void tacit_abi_set_bool(struct tacit_abi_value *v, bool b)
{
    set_scalar(v, TACIT_ABI_BOOL);
    v->word[31] = b ? 1 : 0;
}

void tacit_abi_set_bytesn(struct tacit_abi_value *v, const uint8_t *p, size_t n)
{
    set_scalar(v, TACIT_ABI_BYTESN);
    memcpy(v->word, p, n > 32 ? 32 : n);
}

void tacit_abi_set_bytes(struct tacit_abi_value *v, enum tacit_abi_kind kind, const uint8_t *p,
                         size_t n)
{
    set_scalar(v, kind);
    v->bytes = p;
    v->len = n;
}

void tacit_abi_set_list(struct tacit_abi_value *v, enum tacit_abi_kind kind,
                        struct tacit_abi_value *items, size_t n)
{
    set_scalar(v, kind);
    v->items = items;
    v->n = n;
}

void tacit_abi_get_address(uint8_t addr[20], const struct tacit_abi_value *v)
{
    memcpy(addr, v->word + 12, 20);
}

int tacit_abi_get_u64(uint64_t *out, const struct tacit_abi_value *v)
{
    tacit_uint256 x;
    memcpy(x.be, v->word, 32);
    return tacit_uint256_to_u64(out, &x);
}
