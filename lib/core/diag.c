/*
 * lib/core/diag.c - filling nt_diag, and reading data files with clear errors.
 */
#include "core/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vfill(nt_diag *diag, nt_err code, const char *source, unsigned line, unsigned col,
                  size_t offset, const char *fmt, va_list ap) __attribute__((format(printf, 7, 0)));

static void vfill(nt_diag *diag, nt_err code, const char *source, unsigned line, unsigned col,
                  size_t offset, const char *fmt, va_list ap)
{
    diag->code = code;
    diag->offset = offset;
    diag->line = line;
    diag->col = col;
    snprintf(diag->source, sizeof diag->source, "%s", source ? source : "");
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
}

nt_err nt__fail(nt_diag *diag, nt_err code, size_t offset, const char *fmt, ...)
{
    if (diag) {
        va_list ap;
        va_start(ap, fmt);
        vfill(diag, code, NULL, 0, 0, offset, fmt, ap);
        va_end(ap);
    }
    return code;
}

nt_err nt__fail_at(nt_diag *diag, nt_err code, const char *source, unsigned line, unsigned col,
                   size_t offset, const char *fmt, ...)
{
    if (diag) {
        va_list ap;
        va_start(ap, fmt);
        vfill(diag, code, source, line, col, offset, fmt, ap);
        va_end(ap);
    }
    return code;
}

nt_err nt__read_file(const char *path, size_t max, char **out, size_t *len, nt_diag *diag)
{
    nt_err rc = NT_OK;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    FILE *f = NULL;

    if (!path || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no file name");
    f = fopen(path, "rb");
    if (!f) {
        rc = nt__fail_at(diag, NT_ERR_IO, path, 0, 0, 0, "cannot open: %s", strerror(errno));
        goto cleanup;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                rc = nt__fail(diag, NT_ERR_NOMEM, n, "out of memory reading %s", path);
                goto cleanup;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max) {
            rc = nt__fail_at(diag, NT_ERR_TOO_BIG, path, 0, 0, max,
                             "file larger than the %zu-byte limit", max);
            goto cleanup;
        }
        if (got == 0) {
            if (ferror(f)) {
                rc = nt__fail_at(diag, NT_ERR_IO, path, 0, 0, n, "read error: %s",
                                 strerror(errno));
                goto cleanup;
            }
            break;
        }
    }
    buf[n] = '\0';
    *out = buf;
    buf = NULL;
    if (len)
        *len = n;
cleanup:
    free(buf);
    if (f)
        fclose(f);
    return rc;
}
