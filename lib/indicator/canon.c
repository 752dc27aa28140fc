/*
 * lib/indicator/canon.c - nt_canon, the one entry point that canonicalises a
 * value of any indicator type, plus the IP-address canonicaliser (which has
 * no public function of its own) and two tiny helpers the value
 * canonicalisers share.
 *
 * The one idea: the canonical form of every type is a fixed point - feeding
 * an nt_canon output back into nt_canon with the same type returns it
 * unchanged - so stored registry values can always be re-canonicalised.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "indicator/values.h"
#include "niemtin/indicator.h"

const char *nt__val_trim(const char *in, size_t *len)
{
    size_t n = *len;
    while (n > 0 && strchr(" \t\r\n\v\f", *in) && *in != '\0') {
        in++;
        n--;
    }
    while (n > 0 && in[n - 1] != '\0' && strchr(" \t\r\n\v\f", in[n - 1]))
        n--;
    *len = n;
    return in;
}

char *nt__val_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* An IPv4 dotted quad or an IPv6 address (optionally in brackets), printed
 * back in the standard form (RFC 5952 for IPv6).  The URL canonicaliser is
 * the place for the decimal/octal/hex IPv4 spellings that browsers accept. */
static nt_err canon_ip(const char *in, size_t len, char **out, nt_diag *diag)
{
    char tmp[64];
    unsigned char addr[16];
    char text[INET6_ADDRSTRLEN];

    in = nt__val_trim(in, &len);
    if (len >= 2 && in[0] == '[' && in[len - 1] == ']') {
        in++;
        len -= 2;
    }
    if (len == 0)
        return nt__fail(diag, NT_ERR_INVALID, 0, "empty IP address");
    if (len >= sizeof tmp)
        return nt__fail(diag, NT_ERR_INVALID, 0, "too long for an IP address");
    if (memchr(in, '\0', len))
        return nt__fail(diag, NT_ERR_INVALID, 0, "NUL byte in an IP address");
    memcpy(tmp, in, len);
    tmp[len] = '\0';
    int af = memchr(tmp, ':', len) ? AF_INET6 : AF_INET;
    if (inet_pton(af, tmp, addr) != 1)
        return nt__fail(diag, NT_ERR_INVALID, 0, "not an %s address",
                        af == AF_INET ? "IPv4 dotted-quad" : "IPv6");
    if (!inet_ntop(af, addr, text, sizeof text))
        return nt__fail(diag, NT_ERR_INTERNAL, 0, "inet_ntop failed");
    *out = nt__val_strndup(text, strlen(text));
    return *out ? NT_OK : nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
}

/* "BANK:digits", "BANK digits" or plain digits.  The account is the longest
 * tail made only of digits and separators; an unknown or absent bank gives
 * plain digits, as nt_canon_bank_account does. */
static nt_err canon_bank(const nt_banks *banks, const char *in, size_t len, char **out,
                         nt_diag *diag)
{
    nt_err rc;
    char *bank = NULL;
    const char *colon;
    size_t acct_start;

    in = nt__val_trim(in, &len);
    colon = memchr(in, ':', len);
    if (colon) {
        acct_start = (size_t)(colon - in) + 1;
    } else {
        acct_start = len;
        while (acct_start > 0 && strchr("0123456789 .-", in[acct_start - 1]) &&
               in[acct_start - 1] != '\0')
            acct_start--;
    }
    size_t bank_len = colon ? (size_t)(colon - in) : acct_start;
    const char *b = nt__val_trim(in, &bank_len);
    if (bank_len > 0) {
        bank = nt__val_strndup(b, bank_len);
        if (!bank)
            return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    }
    rc = nt_canon_bank_account(banks, bank, in + acct_start, len - acct_start, out, diag);
    if (rc != NT_OK && diag)
        diag->offset += acct_start;
    free(bank);
    return rc;
}

/* National IDs: nt_canon has no key, and a hash under the all-zero key could
 * be reversed by enumerating the ~10^10 plausible numbers, so raw digits are
 * refused here; the already-keyed form "cccd:<hex>" passes through. */
static nt_err canon_national_id(const char *in, size_t len, char **out, nt_diag *diag)
{
    size_t n = len;
    const char *s = nt__val_trim(in, &n);
    if (n >= 5 && strncasecmp(s, "cccd:", 5) == 0)
        return nt_canon_national_id(in, len, NULL, out, diag);
    return nt__fail(diag, NT_ERR_UNSUPPORTED, 0,
                    "raw national ID numbers need a key: use nt_canon_national_id");
}

nt_err nt_canon(nt_ind_type type, const nt_banks *banks, const char *in, size_t len,
                char **out, nt_diag *diag)
{
    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    if (!in)
        in = "";
    switch (type) {
    case NT_IND_URL:
        return nt_canon_url(in, len, out, diag);
    case NT_IND_DOMAIN:
        return nt_canon_domain(in, len, out, NULL, diag);
    case NT_IND_IP:
        return canon_ip(in, len, out, diag);
    case NT_IND_PHONE:
        return nt_canon_phone(in, len, out, NULL, diag);
    case NT_IND_BANK_ACCOUNT:
        return canon_bank(banks, in, len, out, diag);
    case NT_IND_EMAIL:
        return nt_canon_email(in, len, out, diag);
    case NT_IND_SOCIAL:
        return nt_canon_social(in, len, out, diag);
    case NT_IND_WALLET:
        return nt_canon_wallet(in, len, out, diag);
    case NT_IND_NATIONAL_ID:
        return canon_national_id(in, len, out, diag);
    default:
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "unknown indicator type %d", (int)type);
    }
}
