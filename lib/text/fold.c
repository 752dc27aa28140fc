/*
 * lib/text/fold.c - case folding and diacritic folding of single code points,
 * and nt_text_fold.  All Unicode data comes from utf8proc; the only rule added
 * by hand is đ/Đ -> d, which has no decomposition.
 */
#include "text/text_internal.h"

#include <utf8proc.h>

#include "core/buf.h"

size_t nt__fold_cp(int32_t cp, int32_t out[4])
{
    if (cp < 0x80) {
        out[0] = cp;
        return 1;
    }
    if (cp == 0x111 || cp == 0x110) {
        out[0] = 'd';
        return 1;
    }
    utf8proc_int32_t d[8];
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, d, 8, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD, NULL);
    if (n < 0 || n > 4) {
        out[0] = cp;
        return 1;
    }
    size_t k = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++)
        out[k++] = d[i] == 0x111 ? 'd' : d[i];
    return k;
}

long nt__norm_cp(int32_t cp, int32_t *out, size_t max)
{
    if (max == 0)
        return -1;
    if (cp < 0x80) {
        out[0] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        return 1;
    }
    /* Latin-1 .. Latin Extended-B and Vietnamese letters: simple lower-casing
     * is full case folding there, except for a handful handled below. */
    if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xDF && cp != 0x130 && cp != 0x149 &&
         cp != 0x17F && cp != 0x1F0) ||
        (cp >= 0x1EA0 && cp <= 0x1EF9)) {
        out[0] = utf8proc_tolower(cp);
        return 1;
    }
    utf8proc_int32_t d[32];
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, d, 32, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD, NULL);
    if (n < 0 || n > 32)
        return -1;
    n = utf8proc_normalize_utf32(d, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (n < 0)
        return -1;
    if ((size_t)n > max) {
        out[0] = cp; /* an expansion longer than any real letter: keep as is */
        return 1;
    }
    for (utf8proc_ssize_t i = 0; i < n; i++)
        out[i] = d[i];
    return (long)n;
}

nt_err nt_text_fold(const char *s, size_t len, char **out, size_t *out_len)
{
    if ((!s && len) || !out)
        return NT_ERR_INVALID_ARG;
    *out = NULL;
    nt__buf b;
    nt__buf_init(&b, 0);
    nt_err rc = nt__buf_reserve(&b, len);
    if (rc)
        goto cleanup;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            const char c = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
            rc = nt__buf_addc(&b, c);
            if (rc)
                goto cleanup;
            i++;
            continue;
        }
        int32_t cp;
        const size_t n = nt__utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            rc = NT_ERR_UTF8;
            goto cleanup;
        }
        i += n;
        int32_t f[4];
        const size_t k = nt__fold_cp(cp, f);
        for (size_t j = 0; j < k; j++) {
            rc = nt__buf_add_utf8(&b, f[j]);
            if (rc)
                goto cleanup;
        }
    }
    if (out_len)
        *out_len = b.len;
    *out = nt__buf_take(&b);
    if (!*out)
        rc = NT_ERR_NOMEM;
cleanup:
    nt__buf_free(&b);
    return rc;
}
