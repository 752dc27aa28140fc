/*
 * lib/indicator/email.c - e-mail addresses to "local@a-label.domain".
 *
 * The one idea: an address is only as real as its domain, so the domain goes
 * through the same canonicaliser as every other domain (nt_canon_domain:
 * IDNA 2008 to A-labels, and a real public suffix required), and the local
 * part is held to RFC 5322 dot-atom syntax and lower-cased (no mail provider
 * Vietnamese users meet treats local parts case-sensitively, and the
 * registry must not see "Scam@x.com" and "scam@x.com" as two reports).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/diag.h"
#include "indicator/values.h"
#include "niemtin/indicator.h"

#define MAX_LOCAL 64   /* RFC 5321 4.5.3.1.1 */
#define MAX_ADDRESS 254 /* RFC 5321 path limit minus the angle brackets */

/* RFC 5322 atext, plus '.' handled separately. */
static int atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

nt_err nt_canon_email(const char *in, size_t len, char **out, nt_diag *diag)
{
    char *ascii = NULL;
    nt_err rc;

    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    in = in ? in : "";
    const char *s = nt__val_trim(in, &len);
    size_t base = (size_t)(s - in);
    if (len >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
        s += 7;
        len -= 7;
        base += 7;
    }
    if (len == 0)
        return nt__fail(diag, NT_ERR_EMPTY, base, "empty e-mail address");
    if (len > MAX_ADDRESS * 4)
        return nt__fail(diag, NT_ERR_INVALID, base, "too long for an e-mail address");
    const char *at = memchr(s, '@', len);
    if (!at)
        return nt__fail(diag, NT_ERR_INVALID, base, "no '@' in an e-mail address");
    size_t llen = (size_t)(at - s);
    const char *dom = at + 1;
    size_t dlen = len - llen - 1;
    const char *at2 = memchr(dom, '@', dlen);
    if (at2)
        return nt__fail(diag, NT_ERR_INVALID, base + (size_t)(at2 - s),
                        "more than one '@' in an e-mail address");
    if (llen == 0)
        return nt__fail(diag, NT_ERR_INVALID, base, "empty local part before '@'");
    if (llen > MAX_LOCAL)
        return nt__fail(diag, NT_ERR_INVALID, base,
                        "local part longer than %d bytes (RFC 5321)", MAX_LOCAL);
    for (size_t i = 0; i < llen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (i == 0 || i + 1 == llen || s[i + 1] == '.')
                return nt__fail(diag, NT_ERR_INVALID, base + i,
                                "a dot may not start or end the local part or be doubled");
        } else if (c >= 0x80) {
            return nt__fail(diag, NT_ERR_INVALID, base + i,
                            "non-ASCII local part (internationalised mailboxes are not "
                            "accepted)");
        } else if (!atext(c)) {
            return nt__fail(diag, NT_ERR_INVALID, base + i,
                            "character 0x%02x not allowed in the local part", c);
        }
    }
    if (dlen == 0)
        return nt__fail(diag, NT_ERR_INVALID, base + llen + 1, "empty domain after '@'");
    if (dom[0] == '[')
        return nt__fail(diag, NT_ERR_INVALID, base + llen + 1,
                        "address literals ([1.2.3.4]) are not accepted");
    rc = nt_canon_domain(dom, dlen, &ascii, NULL, diag);
    if (rc != NT_OK) {
        if (rc != NT_ERR_NOMEM)
            rc = NT_ERR_INVALID;
        if (diag) {
            diag->code = rc;
            diag->offset += base + llen + 1;
        }
        return rc;
    }
    size_t alen = strlen(ascii);
    if (llen + 1 + alen > MAX_ADDRESS) {
        rc = nt__fail(diag, NT_ERR_INVALID, base, "address longer than %d bytes", MAX_ADDRESS);
        goto cleanup;
    }
    char *r = malloc(llen + 1 + alen + 1);
    if (!r) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < llen; i++)
        r[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    r[llen] = '@';
    memcpy(r + llen + 1, ascii, alen + 1);
    *out = r;
    rc = NT_OK;
cleanup:
    free(ascii);
    return rc;
}
