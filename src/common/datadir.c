/*
 * tacit — paths in the data directory (include/tacit/datadir.h; the layout is described in
 * docs/operations.md).
 */
#define _GNU_SOURCE /* asprintf */
#include "tacit/datadir.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "tacit/error.h"

char *tacit_datadir_path(const char *dir, const char *name)
{
    char *p;
    if (asprintf(&p, "%s/%s", dir, name) < 0) return NULL;
    return p;
}

int tacit_datadir_path_buf(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        if (size > 0) buf[0] = '\0';
        return TACIT_ETOOBIG;
    }
    return TACIT_OK;
}

char *tacit_datadir_snapshot_path(const char *datadir, uint64_t id)
{
    char *p;
    if (asprintf(&p, "%s/" TACIT_DATADIR_SNAPSHOTS "/%" PRIu64, datadir, id) < 0) return NULL;
    return p;
}

char *tacit_datadir_home_default(void)
{
    const char *home = getenv("HOME");
    if (home == NULL || home[0] == '\0') return NULL;
    return tacit_datadir_path(home, TACIT_DATADIR_HOME_DEFAULT);
}
