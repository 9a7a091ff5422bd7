/*
 * tacit — JSON-RPC 2.0 request checks (https://www.jsonrpc.org/specification, sections 4-6):
 * nesting pre-scan, JSON parse, call and batch validation, response objects.
 *
 * No I/O: the server feeds it HTTP bodies, the fuzzer arbitrary bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_internal.h"
#include "tacit/error.h"

bool tacit__rpc_depth_ok(const char *text, size_t len, unsigned max_depth)
{
    size_t depth = 0;
    bool in_string = false;

    /* jansson's decoder recurses once per level, so a body of 10^6 '[' must be refused
     * before it reaches json_loadb. A string's brackets are content, not structure; an escape
     * skips the next byte so that "\"" does not end the string. */
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = false;
            continue;
        }
        switch (ch) {
        case '"': in_string = true; break;
        case '[':
        case '{':
            if (++depth > max_depth) return false;
            break;
        case ']':
        case '}':
            if (depth > 0) depth--;
            break;
        default: break;
        }
    }
    return true;
}

/*
 * Long plain strings cut out before jansson (tacit__rpc_json_parse). jansson reads a string
 * byte by byte through its stream and buffer; a transaction's 3,600 hex digits cost more there
 * than the whole rest of its request. A cut string's content is replaced by a short tag,
 * "\u0000" then its number in decimal, and put back into the parsed tree as it was. Why the
 * result is json_loadb's of the original:
 *  - A cut string is one the scan below saw as a string: an unescaped '"' outside a string
 *    opens one, a backslash inside one escapes the next byte, the next unescaped '"' closes it.
 *    On any text jansson accepts, those are exactly jansson's string tokens (an escape is a
 *    backslash and one character, and a \u escape four hex digits more, none of them '"').
 *  - Its content is printable ASCII (0x20-0x7e) without '"' or '\': jansson takes it as it is,
 *    so the original and the tagged text make the same tokens, with the same values once the
 *    content is put back; the text outside cut strings is unchanged.
 *  - It is not followed (after JSON whitespace) by ':', so it is no object key in an accepted
 *    text: keys, and with them JSON_REJECT_DUPLICATES, see the same bytes.
 *  - The tag needs JSON_ALLOW_NUL. Where the text holds a \u0000 escape that is not one of ours,
 *    nothing is cut (jansson must refuse it as before); otherwise only tags hold NUL.
 *  - When the tagged text fails to parse, or a tag is not found exactly once in the tree, the
 *    original is parsed as it is: the result (and the error) is json_loadb's in every case.
 */
#define CUT_MIN 128 /* shorter strings cost jansson little: parsed as they are */

struct cut {
    size_t start, end; /* the content: [start, end), between the quotes */
};

/* JSON whitespace (RFC 8259 section 2), what jansson skips between tokens. */
static bool json_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* The strings worth cutting, in text order (*cuts: malloc'd, NULL when none). False: nothing
 * may be cut (a \u0000 escape) or out of memory; then the text is parsed as it is. */
static bool find_cuts(const char *text, size_t len, struct cut **cuts, size_t *ncut)
{
    struct cut *v = NULL;
    size_t n = 0, cap = 0, i = 0;
    const char *q;

    *cuts = NULL;
    *ncut = 0;
    while (i < len && (q = memchr(text + i, '"', len - i)) != NULL) {
        size_t start = (size_t)(q - text) + 1, j = start, k;
        bool plain = true;
        for (; j < len; j++) {
            unsigned char ch = (unsigned char)text[j];
            if (ch == '"') break;
            if (ch == '\\') {
                if (len - j >= 6 && memcmp(text + j + 1, "u0000", 5) == 0) {
                    free(v);
                    return false;
                }
                plain = false;
                j++; /* the escaped byte */
            } else if (ch < 0x20 || ch > 0x7e) {
                plain = false;
            }
        }
        if (j >= len) break; /* an unterminated string: the text is refused anyway */
        for (k = j + 1; k < len && json_ws(text[k]); k++) {}
        if (plain && j - start >= CUT_MIN && (k == len || text[k] != ':')) {
            if (n == cap) {
                size_t ncap = cap ? 2 * cap : 4;
                struct cut *nv = realloc(v, ncap * sizeof *nv);
                if (nv == NULL) {
                    free(v);
                    return false;
                }
                v = nv;
                cap = ncap;
            }
            v[n++] = (struct cut){start, j};
        }
        i = j + 1;
    }
    *cuts = v;
    *ncut = n;
    return true;
}

/* Puts the cut strings back into the tree: each tagged string gets the original content.
 * False when a tag is not one of ours or comes twice (then the caller parses the original). */
static bool restore_cuts(json_t *v, const char *text, const struct cut *cuts, size_t ncut,
                         unsigned char *seen, size_t *left)
{
    if (*left == 0) return true;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t slen = json_string_length(v), idx = 0;
        if (slen == 0 || s[0] != '\0') return true;
        if (slen < 2 || slen > 21) return false;
        for (size_t i = 1; i < slen; i++) {
            if (s[i] < '0' || s[i] > '9') return false;
            idx = idx * 10 + (size_t)(s[i] - '0');
        }
        if (idx >= ncut || seen[idx]) return false;
        seen[idx] = 1;
        (*left)--;
        return json_string_setn_nocheck(v, text + cuts[idx].start,
                                        cuts[idx].end - cuts[idx].start) == 0;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!restore_cuts(e, text, cuts, ncut, seen, left)) return false;
        }
    } else if (json_is_object(v)) {
        const char *key;
        json_t *e;
        json_object_foreach(v, key, e)
        {
            if (!restore_cuts(e, text, cuts, ncut, seen, left)) return false;
        }
    }
    return true;
}

/* The tagged copy of the text: each cut's content replaced by "\u0000<index>". */
static char *tagged_text(const char *text, size_t len, const struct cut *cuts, size_t ncut,
                         size_t *mlen)
{
    char *m = malloc(len), *p = m; /* never longer: a tag is shorter than CUT_MIN */
    size_t from = 0;

    if (m == NULL) return NULL;
    for (size_t i = 0; i < ncut; i++) {
        memcpy(p, text + from, cuts[i].start - from);
        p += cuts[i].start - from;
        char tag[32];
        int tn = snprintf(tag, sizeof tag, "\\u0000%zu", i);
        memcpy(p, tag, (size_t)tn);
        p += tn;
        from = cuts[i].end;
    }
    memcpy(p, text + from, len - from);
    p += len - from;
    *mlen = (size_t)(p - m);
    return m;
}

size_t tacit__rpc_json_cut_count(const char *text, size_t len)
{
    struct cut *cuts;
    size_t ncut;
    if (!find_cuts(text, len, &cuts, &ncut)) return 0;
    free(cuts);
    return ncut;
}

json_t *tacit__rpc_json_parse(const char *text, size_t len, size_t flags, json_error_t *err)
{
    struct cut *cuts;
    size_t ncut, mlen, left;
    unsigned char *seen = NULL;
    char *m = NULL;
    json_t *root = NULL;

    /* flags that change what the tags mean, or where parsing stops: the plain parse */
    if ((flags & (JSON_ALLOW_NUL | JSON_DISABLE_EOF_CHECK)) != 0 ||
        !find_cuts(text, len, &cuts, &ncut))
        return json_loadb(text, len, flags, err);
    if (ncut == 0) return json_loadb(text, len, flags, err);
    if ((m = tagged_text(text, len, cuts, ncut, &mlen)) != NULL &&
        (seen = calloc(ncut, 1)) != NULL &&
        (root = json_loadb(m, mlen, flags | JSON_ALLOW_NUL, err)) != NULL) {
        left = ncut;
        if (!restore_cuts(root, text, cuts, ncut, seen, &left) || left != 0) {
            json_decref(root);
            root = NULL;
        }
    }
    free(m);
    free(seen);
    free(cuts);
    return root != NULL ? root : json_loadb(text, len, flags, err);
}

/* Names jansson's failure for the message of a -32700 answer. */
static const char *parse_error_kind(const json_error_t *err)
{
    switch (json_error_code(err)) {
    case json_error_duplicate_key: return "duplicate key";
    case json_error_invalid_utf8: return "invalid UTF-8";
    case json_error_null_character:
    case json_error_null_byte_in_key: return "NUL character in a string";
    case json_error_stack_overflow: return "nesting too deep";
    case json_error_numeric_overflow: return "number out of range";
    case json_error_premature_end_of_input: return "truncated JSON";
    case json_error_end_of_input_expected: return "data after the JSON value";
    default: return "invalid JSON";
    }
}

/* Validates one call (spec section 4). */
static void check_item(struct tacit__rpc_item *it, json_t *req)
{
    json_t *v;

    memset(it, 0, sizeof *it);
    it->code = TACIT_RPC_INVALID_REQUEST;
    if (!json_is_object(req)) {
        it->message = "request is not an object";
        return;
    }
    /* The id first: an invalid request is still answered with its id when the id is usable. */
    v = json_object_get(req, "id");
    if (v != NULL && !json_is_string(v) && !json_is_number(v) && !json_is_null(v)) {
        it->message = "\"id\" must be a string, a number or null";
        return;
    }
    it->id = v;
    v = json_object_get(req, "jsonrpc");
    if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) {
        it->message = "\"jsonrpc\" must be \"2.0\"";
        return;
    }
    v = json_object_get(req, "method");
    if (!json_is_string(v)) {
        it->message = "\"method\" must be a string";
        return;
    }
    it->method = json_string_value(v);
    v = json_object_get(req, "params");
    if (v != NULL && !json_is_array(v) && !json_is_object(v)) {
        it->method = NULL;
        it->message = "\"params\" must be an array or an object";
        return;
    }
    it->params = v;
    it->code = 0;
}

static void body_error(struct tacit__rpc_request *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void body_error(struct tacit__rpc_request *r, int code, const char *fmt, ...)
{
    va_list ap;
    r->code = code;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    /* jansson quotes the offending token, which may hold any byte: keep the message
     * printable ASCII so that it is always a valid JSON string. */
    for (char *p = r->message; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) *p = '?';
}

int tacit__rpc_request_parse(struct tacit__rpc_request *r, const char *body, size_t len,
                             size_t max_batch, unsigned max_depth)
{
    json_error_t err;
    json_t *root;
    size_t n;

    memset(r, 0, sizeof *r);
    if (!tacit__rpc_depth_ok(body, len, max_depth)) {
        body_error(r, TACIT_RPC_PARSE_ERROR, "parse error: nesting deeper than %u", max_depth);
        return TACIT_OK;
    }
    /* JSON_DECODE_ANY: a scalar body is valid JSON but not a request (-32600, not -32700).
     * Without JSON_ALLOW_NUL jansson refuses NUL in strings; it always refuses bad UTF-8. */
    root = tacit__rpc_json_parse(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (root == NULL) {
        if (json_error_code(&err) == json_error_out_of_memory) return TACIT_ENOMEM;
        body_error(r, TACIT_RPC_PARSE_ERROR, "parse error: %s: %s (byte %d)",
                   parse_error_kind(&err), err.text, err.position);
        return TACIT_OK;
    }
    if (json_is_object(root)) {
        n = 1;
    } else if (json_is_array(root)) {
        r->batch = true;
        n = json_array_size(root);
        if (n == 0) {
            body_error(r, TACIT_RPC_INVALID_REQUEST, "empty batch");
            goto out_drop;
        }
        if (n > max_batch) {
            body_error(r, TACIT_RPC_INVALID_REQUEST, "batch of %zu calls exceeds max_batch %zu", n,
                       max_batch);
            goto out_drop;
        }
    } else {
        body_error(r, TACIT_RPC_INVALID_REQUEST, "request is not an object or an array");
        goto out_drop;
    }
    if ((r->items = calloc(n, sizeof *r->items)) == NULL) {
        json_decref(root);
        r->batch = false;
        return TACIT_ENOMEM;
    }
    r->root = root;
    r->n = n;
    if (r->batch)
        for (size_t i = 0; i < n; i++) check_item(&r->items[i], json_array_get(root, i));
    else
        check_item(&r->items[0], root);
    return TACIT_OK;

out_drop:
    json_decref(root);
    r->batch = false;
    return TACIT_OK;
}

void tacit__rpc_request_clear(struct tacit__rpc_request *r)
{
    if (r == NULL) return;
    free(r->items);
    json_decref(r->root);
    memset(r, 0, sizeof *r);
}

/* {"jsonrpc":"2.0","id":...}: the common part of both response kinds. */
static json_t *response_new(json_t *id)
{
    json_t *o = json_object();
    if (o == NULL) return NULL;
    if (json_object_set_new(o, "jsonrpc", json_string("2.0")) != 0 ||
        json_object_set_new(o, "id", id ? json_incref(id) : json_null()) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tacit__rpc_result_new(json_t *id, json_t *result)
{
    json_t *o;
    if (result == NULL) return NULL;
    if ((o = response_new(id)) == NULL) {
        json_decref(result);
        return NULL;
    }
    if (json_object_set_new(o, "result", result) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tacit__rpc_error_new(json_t *id, int code, const char *message, json_t *data)
{
    json_t *o = response_new(id), *e = json_object(), *m;

    if (o == NULL || e == NULL) goto out_fail;
    if (json_object_set_new(e, "code", json_integer(code)) != 0) goto out_fail;
    m = json_string(message ? message : "error");
    if (m == NULL) m = json_string("error"); /* a message that is not UTF-8 */
    if (json_object_set_new(e, "message", m) != 0) goto out_fail;
    if (data != NULL) {
        int rc = json_object_set_new(e, "data", data);
        data = NULL;
        if (rc != 0) goto out_fail;
    }
    if (json_object_set_new(o, "error", e) != 0) {
        e = NULL; /* json_object_set_new released it */
        goto out_fail;
    }
    return o;

out_fail:
    json_decref(data);
    json_decref(e);
    json_decref(o);
    return NULL;
}
