/*
 * tests/testutil.c - see testutil.h.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char path_buf[4][4096];
static int path_slot;

static const char *join(const char *dir, const char *rel)
{
    char *p = path_buf[path_slot++ % 4];
    snprintf(p, sizeof path_buf[0], "%s/%s", dir, rel);
    return p;
}

const char *tu_data_path(const char *rel)
{
    const char *d = getenv("NT_DATA_DIR");
    return join(d && *d ? d : "../data", rel);
}

const char *tu_shared_path(const char *rel)
{
    const char *d = getenv("NT_SHARED_DATA");
    struct stat st;
    if (!d || !*d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "note: ../shared/data not found (NT_SHARED_DATA=%s); skipping\n",
                d ? d : "(unset)");
        return NULL;
    }
    return join(d, rel);
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
