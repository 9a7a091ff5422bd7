/*
 * tacit — messages and names of the error codes, generated from TACIT_ERR_MAP
 * (include/tacit/error.h) so that they cannot drift from the enum.
 */
#include "tacit/error.h"

static const char *const tacit__err_msgs[] = {
#define TACIT__ERR_MSG(name, msg) msg,
    TACIT_ERR_MAP(TACIT__ERR_MSG)
#undef TACIT__ERR_MSG
};

static const char *const tacit__err_names[] = {
#define TACIT__ERR_NAME(name, msg) #name,
    TACIT_ERR_MAP(TACIT__ERR_NAME)
#undef TACIT__ERR_NAME
};

_Static_assert(sizeof tacit__err_msgs / sizeof tacit__err_msgs[0] == TACIT__ERR_COUNT,
               "one message per error code");
_Static_assert(sizeof tacit__err_names / sizeof tacit__err_names[0] == TACIT__ERR_COUNT,
               "one name per error code");

const char *tacit_strerror(int code) {
    if (code < 0 || code >= TACIT__ERR_COUNT) return "unknown error";
    return tacit__err_msgs[code];
}

const char *tacit_errname(int code) {
    if (code < 0 || code >= TACIT__ERR_COUNT) return "EUNKNOWN";
    return tacit__err_names[code];
}
