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
size_t nt__utf8_decode(const unsigned char *s, size_t len, int32_t *cp);

/* Encode cp as UTF-8 into out[4]; returns the length (1-4), 0 if cp is not a
 * scalar value. */
size_t nt__utf8_encode(int32_t cp, unsigned char out[4]);

#endif
