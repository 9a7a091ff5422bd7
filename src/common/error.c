/*
 * tacit — messages and names of the error codes, generated from TACIT_ERR_MAP
 * (include/tacit/error.h) so that they cannot drift from the enum.
 */
#include "tacit/error.h"

/* Each entry's position in the list. An entry whose explicit number is not its position
 * (a code inserted, reordered, removed, or numbered twice) stops the build: numbers are then
 * unique and dense, a new code can only be appended with the next number, and the tables
 * below, indexed by number, have no holes. */
enum {
#define TACIT__ERR_POS(num, name, msg) TACIT__ERR_POS_##name,
    TACIT_ERR_MAP(TACIT__ERR_POS)
#undef TACIT__ERR_POS
        TACIT__ERR_POS_COUNT
};
#define TACIT__ERR_CHECK_POS(num, name, msg)       \
    _Static_assert((num) == TACIT__ERR_POS_##name, \
                   "TACIT_ERR_MAP: " #name         \
                   " must be numbered by its position (append, never reorder)");
TACIT_ERR_MAP(TACIT__ERR_CHECK_POS)
#undef TACIT__ERR_CHECK_POS
_Static_assert((int)TACIT__ERR_POS_COUNT == (int)TACIT__ERR_COUNT,
               "TACIT__ERR_COUNT is one past the last code");

static const char *const tacit__err_msgs[] = {
#define TACIT__ERR_MSG(num, name, msg) [num] = msg,
    TACIT_ERR_MAP(TACIT__ERR_MSG)
#undef TACIT__ERR_MSG
};

static const char *const tacit__err_names[] = {
#define TACIT__ERR_NAME(num, name, msg) [num] = #name,
    TACIT_ERR_MAP(TACIT__ERR_NAME)
#undef TACIT__ERR_NAME
};

_Static_assert(sizeof tacit__err_msgs / sizeof tacit__err_msgs[0] == TACIT__ERR_COUNT,
               "one message per error code");
_Static_assert(sizeof tacit__err_names / sizeof tacit__err_names[0] == TACIT__ERR_COUNT,
               "one name per error code");

const char *tacit_strerror(int code)
{
    if (code < 0 || code >= TACIT__ERR_COUNT) return "unknown error";
    return tacit__err_msgs[code];
}

const char *tacit_errname(int code)
{
    if (code < 0 || code >= TACIT__ERR_COUNT) return "EUNKNOWN";
    return tacit__err_names[code];
}
