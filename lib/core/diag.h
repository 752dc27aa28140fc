/*
 * lib/core/diag.h - internal (nt__) helpers shared by every module to fill an
 * nt_diag and return its code in one statement:
 *
 *     return nt__fail(diag, NT_ERR_PARSE, off, "expected a tab after the key");
 */
#ifndef NT_CORE_DIAG_H
#define NT_CORE_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#include "niemtin/error.h"

/* Fill diag (if non-NULL) with code, byte offset and a printf-style message;
 * returns code. */
nt_err nt__fail(nt_diag *diag, nt_err code, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Same with a source name and 1-based line/column (data files). */
nt_err nt__fail_at(nt_diag *diag, nt_err code, const char *source, unsigned line,
                   unsigned col, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Read a whole file into a malloc'd NUL-terminated buffer, at most max bytes.
 * NT_ERR_IO (diag names the file and errno text) or NT_ERR_TOO_BIG. */
nt_err nt__read_file(const char *path, size_t max, char **out, size_t *len, nt_diag *diag);

#endif
