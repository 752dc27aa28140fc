/*
 * niemtin/error.h - the one error type of the NiemTin library.
 *
 * Every fallible public function returns an nt_err (or NULL with an nt_err
 * out-parameter).  Parsers additionally fill an nt_diag, which says *where*
 * the problem is: a byte offset into the input and, for line-oriented data
 * files, a 1-based line and column, in the style of YARA's compiler errors.
 *
 * Ownership: nt_strerror returns a static string; nt_diag is plain data owned
 * by the caller (usually on the stack).
 */
#ifndef NIEMTIN_ERROR_H
#define NIEMTIN_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nt_err {
    NT_OK = 0,
    NT_ERR_NOMEM,       /* an allocation failed */
    NT_ERR_INVALID_ARG, /* a NULL or out-of-range argument from the caller */
    NT_ERR_UTF8,        /* malformed UTF-8 (strict mode); diag.offset says where */
    NT_ERR_TOO_BIG,     /* input larger than the configured limit */
    NT_ERR_EMPTY,       /* empty input where a value is required */
    NT_ERR_IO,          /* a file could not be opened, read or written */
    NT_ERR_PARSE,       /* a data or rules file is malformed; diag has line:col */
    NT_ERR_NOT_FOUND,   /* the named thing does not exist */
    NT_ERR_INVALID,     /* a value does not canonicalise (not a URL, phone, ...) */
    NT_ERR_UNSUPPORTED, /* valid input this build cannot handle */
    NT_ERR_INTERNAL,    /* a library (utf8proc, libidn2, ...) failed unexpectedly */
    NT_ERR_STATE,       /* not allowed in the current state (an illegal lifecycle
                           transition, a contact without an encryption key) */
    NT_ERR__COUNT
} nt_err;

/* A static, English, human-readable description of an error code. Never NULL. */
const char *nt_strerror(nt_err code);

/* Where and why a parse or validation failed.  Filled by functions that take
 * an `nt_diag *diag` argument (which may be NULL when the caller does not
 * care).  `line` and `col` are 1-based and 0 when not applicable; `offset` is
 * a byte offset into the input buffer. */
typedef struct nt_diag {
    nt_err code;
    size_t offset;
    unsigned line;
    unsigned col;
    char source[128];  /* file name or "" */
    char message[256]; /* what is wrong, English */
} nt_diag;

/* Reset a diag to "no error". */
void nt_diag_clear(nt_diag *diag);

/* Format "source:line:col: message" (or "byte N: message") into buf; returns buf. */
const char *nt_diag_format(const nt_diag *diag, char *buf, size_t bufsize);

#ifdef __cplusplus
}
#endif
#endif
