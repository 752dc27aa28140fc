/*
 * tests/testutil.c - see testutil.h.
 */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

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

long tu_load_cases(const char *name, void (*fn)(void **), json_t **cases, struct CMUnitTest *tests,
                   size_t max)
{
    const char *dir = getenv("NT_TESTS_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/cases/%s", dir ? dir : "../tests", name);
    size_t len;
    char *data = tu_read_file(path, &len);
    if (!data) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    size_t n = 0, lineno = 0;
    for (char *ln = data; ln && *ln;) {
        char *nl = strchr(ln, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (*ln && *ln != '#') {
            json_error_t err;
            json_t *c = json_loads(ln, 0, &err);
            if (!c || !json_is_string(json_object_get(c, "name")) || n >= max) {
                fprintf(stderr, "%s:%zu: %s\n", path, lineno,
                        !c ? err.text : n >= max ? "too many cases" : "no \"name\"");
                json_decref(c);
                for (size_t i = 0; i < n; i++)
                    json_decref(cases[i]);
                free(data);
                return -1;
            }
            cases[n] = c;
            tests[n] = (struct CMUnitTest){json_string_value(json_object_get(c, "name")), fn, NULL,
                                           NULL, c};
            n++;
        }
        ln = nl ? nl + 1 : NULL;
    }
    free(data);
    return (long)n;
}
