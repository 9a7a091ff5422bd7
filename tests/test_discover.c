/*
 * tests/test_discover.c — rpc.discover (src/node/discover.c): the OpenRPC document has every
 * method of the node's table once, with its params, and docs/rpc.md documents each method with
 * the same params (the same number, the same optional ones), so the table, the document and the
 * docs cannot drift apart.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "node/node_internal.h"

static size_t count_table(void)
{
    size_t n = 0;
    while (tacit__node_methods[n].name != NULL) n++;
    return n;
}

static const struct tacit__method_doc *doc_of(const char *name)
{
    const struct tacit__method_doc *found = NULL;
    for (const struct tacit__method_doc *d = tacit__node_method_docs; d->name != NULL; d++)
        if (strcmp(d->name, name) == 0) {
            if (found != NULL) tacit__test_fail(__FILE__, __LINE__, "%s listed twice", name);
            found = d;
        }
    return found;
}

TEST(every_method_once)
{
    size_t ndocs = 0;
    for (size_t i = 0; tacit__node_methods[i].name != NULL; i++)
        if (doc_of(tacit__node_methods[i].name) == NULL)
            tacit__test_fail(__FILE__, __LINE__, "%s has no params in src/node/discover.c",
                             tacit__node_methods[i].name);
    for (const struct tacit__method_doc *d = tacit__node_method_docs; d->name != NULL; d++) {
        bool in_table = false;
        for (size_t i = 0; tacit__node_methods[i].name != NULL; i++)
            in_table |= strcmp(tacit__node_methods[i].name, d->name) == 0;
        if (!in_table) tacit__test_fail(__FILE__, __LINE__, "%s is not a method", d->name);
        ndocs++;
    }
    CHECK_EQ_INT(ndocs, count_table());
}

TEST(openrpc_document)
{
    json_t *doc = tacit__node_openrpc(), *m;
    size_t i;
    CHECK(doc != NULL);
    if (doc == NULL) return;
    CHECK(strcmp(json_string_value(json_object_get(doc, "openrpc")), "1.2.6") == 0);
    CHECK(json_is_string(json_object_get(json_object_get(doc, "info"), "version")));
    CHECK_EQ_INT(json_array_size(json_object_get(doc, "methods")), count_table());
    json_array_foreach(json_object_get(doc, "methods"), i, m)
    {
        json_t *p;
        size_t k;
        const struct tacit__method_doc *d = doc_of(json_string_value(json_object_get(m, "name")));
        CHECK(d != NULL);
        CHECK(json_is_string(json_object_get(m, "summary")));
        CHECK(json_is_object(json_object_get(json_object_get(m, "result"), "schema")));
        json_array_foreach(json_object_get(m, "params"), k, p)
        {
            CHECK(json_is_string(json_object_get(p, "name")));
            CHECK(json_is_object(json_object_get(p, "schema")));
        }
    }
    /* a few by hand: optional params carry no "required", others do; "a|b" is two types */
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    CHECK(text != NULL &&
          strstr(text, "{\"name\":\"height\",\"required\":true,\"schema\":{\"type\":\"string\"}},"
                       "{\"name\":\"raw\",\"schema\":{\"type\":\"boolean\"}}") != NULL);
    CHECK(text != NULL && strstr(text, "\"schema\":{\"type\":[\"object\",\"null\"]}") != NULL);
    free(text);
    json_decref(doc);
}

/* The params of `name [ ... ]` in docs/rpc.md's method list: items split at top-level commas
 * (brackets, parentheses, braces and quotes nest), optional ones marked "?". */
static bool docs_params(const char *docs, const char *name, int *n, int *optional)
{
    char pat[96];
    const char *p;
    int depth = 0, items = 0, opt = 0;
    bool quote = false, any = false, item_opt = false;
    snprintf(pat, sizeof pat, "%s [", name);
    for (p = strstr(docs, pat); p != NULL; p = strstr(p + 1, pat))
        if (p == docs || p[-1] == '\n' || p[-1] == ' ') break; /* not a longer name's tail */
    if (p == NULL) return false;
    for (p += strlen(pat); *p; p++) {
        char c = *p;
        if (quote) {
            if (c == '"') quote = false;
            any = true;
            continue;
        }
        if (c == '"') quote = true;
        if (depth == 0 && (c == ',' || c == ']')) {
            if (any) items++, opt += item_opt;
            any = item_opt = false;
            if (c == ']') break;
            continue;
        }
        if (c == '[' || c == '(' || c == '{') depth++;
        if (c == ']' || c == ')' || c == '}') depth--;
        if (depth == 0 && c == '?') item_opt = true;
        if (c != ' ') any = true;
    }
    *n = items;
    *optional = opt;
    return true;
}

TEST(docs_agree)
{
    char path[512];
    char *all, *docs, *end;
    snprintf(path, sizeof path, "%s/../../docs/rpc.md", tacit_test_vectors_dir());
    all = tacit_test_read_file(path, NULL);
    CHECK(all != NULL);
    if (all == NULL) return;
    docs = strstr(all, "\n## Methods");
    CHECK(docs != NULL);
    if (docs == NULL) {
        free(all);
        return;
    }
    if ((end = strstr(docs + 1, "\n## ")) != NULL) *end = '\0';
    for (const struct tacit__method_doc *d = tacit__node_method_docs; d->name != NULL; d++) {
        int n = -1, opt = -1, want = 0, want_opt = 0;
        for (const char *p = d->params; *p; p++) {
            if (p == d->params || p[-1] == ',') want++;
            if (*p == '?') want_opt++;
        }
        if (!docs_params(docs, d->name, &n, &opt))
            tacit__test_fail(__FILE__, __LINE__, "docs/rpc.md: no \"%s [...]\" in Methods",
                             d->name);
        else if (n != want || opt != want_opt)
            tacit__test_fail(__FILE__, __LINE__,
                             "%s: docs/rpc.md has %d params (%d optional), discover.c %d (%d)",
                             d->name, n, opt, want, want_opt);
    }
    free(all);
}

static const struct tacit_test tests[] = {
    {"every_method_once", every_method_once},
    {"openrpc_document", openrpc_document},
    {"docs_agree", docs_agree},
};

TACIT_TEST_MAIN(tests)
