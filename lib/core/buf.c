/*
 * lib/core/buf.c - bounded growable buffer and the UTF-8 codec every module
 * shares.  The decoder is strict (RFC 3629): it is the one place that decides
 * what "malformed UTF-8" means in NiemTin.
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nt__buf_init(nt__buf *b, size_t toobig)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->toobig = toobig ? toobig : SIZE_MAX / 2;
}

void nt__buf_free(nt__buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void nt__buf_reset(nt__buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

nt_err nt__buf_reserve(nt__buf *b, size_t extra)
{
    if (extra >= b->toobig || b->len >= b->toobig - extra)
        return NT_ERR_TOO_BIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return NT_OK;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap *= 2;
    char *nd = realloc(b->data, ncap);
    if (!nd)
        return NT_ERR_NOMEM;
    b->data = nd;
    b->cap = ncap;
    return NT_OK;
}

nt_err nt__buf_add(nt__buf *b, const void *p, size_t n)
{
    nt_err rc = nt__buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return NT_OK;
}

nt_err nt__buf_addc(nt__buf *b, char c)
{
    return nt__buf_add(b, &c, 1);
}

nt_err nt__buf_adds(nt__buf *b, const char *s)
{
    return nt__buf_add(b, s, strlen(s));
}

nt_err nt__buf_printf(nt__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NT_ERR_INTERNAL;
    nt_err rc = nt__buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return NT_OK;
}

nt_err nt__buf_add_utf8(nt__buf *b, int32_t cp)
{
    unsigned char tmp[4];
    size_t n = nt__utf8_encode(cp, tmp);
    if (n == 0)
        return NT_ERR_INVALID_ARG;
    return nt__buf_add(b, tmp, n);
}

char *nt__buf_take(nt__buf *b)
{
    if (!b->data && nt__buf_reserve(b, 0) != NT_OK)
        return NULL;
    b->data[b->len] = '\0';
    char *d = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

size_t nt__utf8_encode(int32_t cp, unsigned char out[4])
{
    if (cp < 0)
        return 0;
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        return 0;
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}
