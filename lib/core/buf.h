/*
 * lib/core/buf.h - a growable byte buffer (after curl's dynbuf): every append
 * is bounded by `toobig`, so no input can make the library allocate without
 * limit, and every append reports failure instead of aborting.
 *
 * Ownership: the buffer owns `data` until nt__buf_take hands it to the caller
 * or nt__buf_free releases it.  `data` is always NUL-terminated once non-NULL.
 */
#ifndef NT_CORE_BUF_H
#define NT_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/error.h"

typedef struct nt__buf {
    char *data;
    size_t len;
    size_t cap;
    size_t toobig; /* appends that would reach this length fail with NT_ERR_TOO_BIG */
} nt__buf;

void nt__buf_init(nt__buf *b, size_t toobig);
void nt__buf_free(nt__buf *b);
void nt__buf_reset(nt__buf *b); /* len = 0, keeps the allocation */
nt_err nt__buf_reserve(nt__buf *b, size_t extra);
nt_err nt__buf_add(nt__buf *b, const void *p, size_t n);
nt_err nt__buf_addc(nt__buf *b, char c);
nt_err nt__buf_adds(nt__buf *b, const char *s);
nt_err nt__buf_printf(nt__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append code point cp (must be a valid scalar value) as UTF-8. */
nt_err nt__buf_add_utf8(nt__buf *b, int32_t cp);
/* Hand the NUL-terminated data to the caller (an empty string if nothing was
 * added); the buffer is left empty.  NULL only on allocation failure. */
char *nt__buf_take(nt__buf *b);

/* Decode one UTF-8 sequence at s[0..len): returns its length (1-4) and stores
 * the code point, or returns 0 for a malformed sequence (overlong, surrogate,
 * > U+10FFFF, truncated, stray continuation byte). */

static inline size_t nt__utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
    if (len == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    int32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Encode cp as UTF-8 into out[4]; returns the length (1-4), 0 if cp is not a
 * scalar value. */
size_t nt__utf8_encode(int32_t cp, unsigned char out[4]);

#endif
