/*
 * lib/core/error.c - nt_strerror and nt_diag helpers: the one error type.
 */
#include <stdio.h>
#include <string.h>

#include "niemtin/niemtin.h"

static const char *const messages[NT_ERR__COUNT] = {
    [NT_OK] = "success",
    [NT_ERR_NOMEM] = "out of memory",
    [NT_ERR_INVALID_ARG] = "invalid argument",
    [NT_ERR_UTF8] = "malformed UTF-8",
    [NT_ERR_TOO_BIG] = "input too large",
    [NT_ERR_EMPTY] = "empty input",
    [NT_ERR_IO] = "input/output error",
    [NT_ERR_PARSE] = "syntax error",
    [NT_ERR_NOT_FOUND] = "not found",
    [NT_ERR_INVALID] = "invalid value",
    [NT_ERR_UNSUPPORTED] = "not supported",
    [NT_ERR_INTERNAL] = "internal error",
    [NT_ERR_STATE] = "not allowed in the current state",
};

const char *nt_strerror(nt_err code)
{
    if ((unsigned)code >= NT_ERR__COUNT || messages[code] == NULL)
        return "unknown error";
    return messages[code];
}

const char *nt_version(void)
{
    return NT_VERSION_STRING;
}

void nt_diag_clear(nt_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
}

const char *nt_diag_format(const nt_diag *diag, char *buf, size_t bufsize)
{
    if (!buf || bufsize == 0)
        return "";
    if (!diag) {
        buf[0] = '\0';
        return buf;
    }
    const char *msg = diag->message[0] ? diag->message : nt_strerror(diag->code);
    if (diag->line)
        snprintf(buf, bufsize, "%s:%u:%u: %s", diag->source[0] ? diag->source : "<input>",
                 diag->line, diag->col, msg);
    else if (diag->source[0])
        snprintf(buf, bufsize, "%s: byte %zu: %s", diag->source, diag->offset, msg);
    else
        snprintf(buf, bufsize, "byte %zu: %s", diag->offset, msg);
    return buf;
}
