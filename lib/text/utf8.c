/*
 * lib/text/utf8.c - UTF-8 validation and the repair rule.
 *
 * What counts as malformed is decided by nt__utf8_decode (lib/core/buf.c).
 * How much of a malformed sequence one U+FFFD replaces follows the Unicode
 * "maximal subpart" practice (also the WHATWG Encoding standard): a truncated
 * but otherwise valid prefix ("E1 80" then end) is one error; a byte that can
 * never start or continue a sequence (C0, F5, a stray 80) is one error each.
 */
#include "text/text_internal.h"

#include "core/buf.h"

/* The range allowed for the second byte after lead byte c (Table 3-7). */
static void second_range(unsigned char c, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c == 0xE0)
        *lo = 0xA0;
    else if (c == 0xED)
        *hi = 0x9F;
    else if (c == 0xF0)
        *lo = 0x90;
    else if (c == 0xF4)
        *hi = 0x8F;
}

size_t nt__utf8_bad_len(const unsigned char *s, size_t len)
{
    const unsigned char c = s[0];
    size_t need;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 4;
    else
        return 1;
    unsigned char lo, hi;
    second_range(c, &lo, &hi);
    size_t i = 1;
    if (i < len && s[i] >= lo && s[i] <= hi) {
        i++;
        while (i < need && i < len && (s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

nt_err nt_utf8_validate(const char *s, size_t len, size_t *bad_offset)
{
    if (!s && len)
        return NT_ERR_INVALID_ARG;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int32_t cp;
        size_t n = nt__utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            if (bad_offset)
                *bad_offset = i;
            return NT_ERR_UTF8;
        }
        i += n;
    }
    return NT_OK;
}
