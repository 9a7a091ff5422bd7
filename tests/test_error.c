/*
 * tacit — the error list: every code has a distinct message and a name.
 */
#include <string.h>

#include "harness.h"
#include "tacit/error.h"

TEST(every_code_has_message_and_name) {
    for (int c = 0; c < TACIT__ERR_COUNT; c++) {
        const char *msg = tacit_strerror(c), *name = tacit_errname(c);
        CHECK(msg != NULL);
        CHECK(name != NULL);
        if (msg == NULL || name == NULL) continue;
        CHECK(msg[0] != '\0');
        CHECK(name[0] != '\0');
        CHECK(strcmp(msg, "unknown error") != 0);
        CHECK(strcmp(name, "EUNKNOWN") != 0);
    }
}

TEST(messages_and_names_are_distinct) {
    for (int a = 0; a < TACIT__ERR_COUNT; a++) {
        for (int b = a + 1; b < TACIT__ERR_COUNT; b++) {
            CHECK(strcmp(tacit_strerror(a), tacit_strerror(b)) != 0);
            CHECK(strcmp(tacit_errname(a), tacit_errname(b)) != 0);
        }
    }
}

TEST(names_match_the_map) {
    /* The name is the enum identifier without its TACIT_ prefix. */
#define XX(name, msg)                                                              \
    CHECK(strcmp(tacit_errname(TACIT_##name), #name) == 0);                        \
    CHECK(strcmp(tacit_strerror(TACIT_##name), msg) == 0);
    TACIT_ERR_MAP(XX)
#undef XX
    CHECK_EQ_INT(TACIT_OK, 0);
    CHECK(strcmp(tacit_strerror(TACIT_OK), "success") == 0);
}

TEST(out_of_range_is_unknown) {
    const int bad[] = {-1, -1000, TACIT__ERR_COUNT, TACIT__ERR_COUNT + 1, 1 << 30,
                       (int)(~0u >> 1), -(int)(~0u >> 1) - 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(strcmp(tacit_strerror(bad[i]), "unknown error") == 0);
        CHECK(strcmp(tacit_errname(bad[i]), "EUNKNOWN") == 0);
    }
}

static const struct tacit_test tests[] = {
    {"every_code_has_message_and_name", every_code_has_message_and_name},
    {"messages_and_names_are_distinct", messages_and_names_are_distinct},
    {"names_match_the_map", names_match_the_map},
    {"out_of_range_is_unknown", out_of_range_is_unknown},
};

TACIT_TEST_MAIN(tests)
