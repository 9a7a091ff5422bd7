/*
 * tacit — replay driver for the fuzz targets in ordinary builds (no libFuzzer): runs
 * LLVMFuzzerTestOneInput once over each file named on the command line and over every
 * regular file below each directory named (recursively, in name order).
 *
 *     fuzz_x [-e SUFFIX] PATH...
 *
 * -e SUFFIX: below directories, only files whose name ends with SUFFIX (e.g. .json); files
 * named directly are always run. Each input is passed in a buffer of exactly its size, so
 * ASan sees any read past the end. Exits 0 after at least one input, 1 when none was found
 * or a path could not be read, 2 on a usage error; a failed check aborts (see fuzz.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static const char *suffix;
static size_t nrun;
static int status;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL, *nbuf;
    size_t len = 0, cap = 0, got;

    if (f == NULL) {
        perror(path);
        return -1;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            if ((nbuf = realloc(buf, cap)) == NULL) {
                fprintf(stderr, "%s: out of memory\n", path);
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nbuf;
        }
        if ((got = fread(buf + len, 1, cap - len, f)) == 0) break;
        len += got;
    }
    if (ferror(f)) {
        perror(path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    /* an exact-size copy: a read one past the input is then an ASan error */
    if ((nbuf = malloc(len ? len : 1)) == NULL) {
        free(buf);
        return -1;
    }
    if (len) memcpy(nbuf, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(nbuf, len);
    free(nbuf);
    nrun++;
    return 0;
}

static int has_suffix(const char *name)
{
    size_t n = strlen(name), m;
    if (suffix == NULL) return 1;
    m = strlen(suffix);
    return n >= m && strcmp(name + n - m, suffix) == 0;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_path(const char *path, int top)
{
    struct stat st;
    struct dirent **ents;
    int n;

    if (stat(path, &st) != 0) {
        perror(path);
        status = 1;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if ((top || has_suffix(path)) && run_file(path) != 0) status = 1;
        return;
    }
    if ((n = scandir(path, &ents, NULL, cmp_names)) < 0) {
        perror(path);
        status = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            size_t len = strlen(path) + strlen(name) + 2;
            char *sub = malloc(len);
            if (sub == NULL) {
                status = 1;
            } else {
                snprintf(sub, len, "%s/%s", path, name);
                run_path(sub, 0);
                free(sub);
            }
        }
        free(ents[i]);
    }
    free(ents);
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-e") == 0) {
        suffix = argv[i + 1];
        i += 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [-e SUFFIX] PATH...\n", argv[0]);
        return 2;
    }
    for (; i < argc; i++) run_path(argv[i], 1);
    printf("%s: replayed %zu inputs\n", argv[0], nrun);
    if (nrun == 0) {
        fprintf(stderr, "%s: no input found\n", argv[0]);
        return 1;
    }
    return status;
}
