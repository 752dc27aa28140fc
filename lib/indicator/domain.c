/*
 * lib/indicator/domain.c - domain names: IDNA to A-labels (libidn2) and the
 * registrable domain from the Public Suffix List (libpsl).
 *
 * The one idea: a word is a domain only if it ends in a suffix the PSL really
 * lists.  libpsl answers "yes" for anything under its implicit "*" rule, so
 * "file.txt" or "v.v" would pass; every check here asks with
 * PSL_TYPE_NO_STAR_RULE.  Private suffixes count ("evil.blogspot.com" is its
 * own registrable domain - its owner is not Google's), but a private suffix
 * named on its own ("blogspot.com", "github.io") is still a real site and
 * canonicalises to itself; only an ICANN suffix ("com.vn", "vn") is rejected.
 *
 * The PSL context is created once (pthread_once) and shared read-only by every
 * thread for the life of the process.
 */
#include "indicator/internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "core/buf.h"
#include "core/diag.h"
#include "niemtin/indicator.h"
#include "niemtin/limits.h"

/* DNS limits (RFC 1035): 63-byte labels, 253 bytes without the final dot. */
#define MAX_LABEL 63
#define MAX_NAME 253
/* Longest input accepted before IDNA: a U-label name can be longer in UTF-8
 * than its A-label form, but not by more than this. */
#define MAX_INPUT 1024

static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *psl_ctx;

static void psl_init(void)
{
    const psl_ctx_t *c = psl_latest(NULL);
    psl_ctx = c ? c : psl_builtin();
}

const psl_ctx_t *nt__psl(void)
{
    pthread_once(&psl_once, psl_init);
    return psl_ctx;
}

nt_err nt__idna_to_ascii(const char *utf8, char **out, const char **why)
{
    char *a = NULL;
    int rc = idn2_to_ascii_8z(utf8, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc == IDN2_DISALLOWED) {
        idn2_free(a);
        a = NULL;
        rc = idn2_to_ascii_8z(utf8, &a, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
    }
    if (rc == IDN2_OK && a) {
        *out = a;
        return NT_OK;
    }
    idn2_free(a);
    *out = NULL;
    if (rc == IDN2_MALLOC)
        return NT_ERR_NOMEM;
    if (why)
        *why = idn2_strerror(rc);
    return NT_ERR_INVALID;
}

/* The PSL verdict on a lower-case ASCII name d: NULL if acceptable, with
 * *reg pointing into d at its registrable domain; else why not. */
static const char *psl_check(const psl_ctx_t *ctx, const char *d, const char **reg)
{
    *reg = NULL;
    if (psl_is_public_suffix2(ctx, d, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE))
        return "is a public suffix";
    const char *r = psl_registrable_domain(ctx, d);
    if (!r) {
        /* d is a private suffix itself ("github.io"): its registrable domain
         * is the one under the ICANN suffix. */
        for (const char *p = d; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
            const char *parent = strchr(p, '.');
            if (parent &&
                psl_is_public_suffix2(ctx, parent + 1, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE)) {
                r = p;
                break;
            }
        }
        if (!r)
            return "has no registrable domain";
    }
    const char *suffix = strchr(r, '.');
    if (!suffix || !psl_is_public_suffix2(ctx, suffix + 1, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE))
        return "does not end in a known public suffix";
    *reg = r;
    return NULL;
}

int nt__host_has_public_suffix(const char *host, size_t len)
{
    char d[MAX_NAME + 1];
    const char *reg;
    const psl_ctx_t *ctx = nt__psl();

    if (!host || !ctx || len == 0 || len > MAX_NAME)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)host[i];
        if (c == 0 || c >= 0x80)
            return 0;
        d[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    d[len] = '\0';
    return psl_check(ctx, d, &reg) == NULL;
}

int nt_is_public_suffix(const char *suffix)
{
    const psl_ctx_t *ctx = nt__psl();
    if (!suffix || !*suffix || !ctx)
        return 0;
    return psl_is_public_suffix2(ctx, suffix, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

static int ldh_or_underscore(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Check the A-label name d (lower-case): label and name lengths, characters.
 * NULL if fine, else why not (with *at the offending offset). */
static const char *check_labels(const char *d, size_t *at)
{
    size_t n = strlen(d), start = 0;
    if (n > MAX_NAME) {
        *at = MAX_NAME;
        return "is longer than 253 bytes";
    }
    for (size_t i = 0; i <= n; i++) {
        if (i < n && d[i] != '.') {
            if (!ldh_or_underscore((unsigned char)d[i])) {
                *at = i;
                return "has a character not allowed in a host name";
            }
            continue;
        }
        if (i == start) {
            *at = i;
            return "has an empty label";
        }
        if (i - start > MAX_LABEL) {
            *at = start;
            return "has a label longer than 63 bytes";
        }
        start = i + 1;
    }
    return NULL;
}

/* Non-zero if some label of the lower-case ASCII name d starts "xn--". */
static int has_alabel(const char *d)
{
    for (const char *p = d; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
        if (strncmp(p, "xn--", 4) == 0)
            return 1;
    }
    return 0;
}

nt_err nt_canon_domain(const char *in, size_t len, char **ascii, char **registrable,
                       nt_diag *diag)
{
    nt_err rc = NT_OK;
    char buf[MAX_INPUT + 1];
    char *idna = NULL, *a_out = NULL, *r_out = NULL;
    const char *d = buf, *why, *reg;
    size_t at = 0;
    int non_ascii = 0;

    if (!ascii || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "nt_canon_domain: NULL argument");
    *ascii = NULL;
    if (registrable)
        *registrable = NULL;
    if (len > NT_MAX_URL_BYTES)
        return nt__fail(diag, NT_ERR_TOO_BIG, NT_MAX_URL_BYTES,
                        "domain of %zu bytes is longer than the %u-byte limit", len,
                        NT_MAX_URL_BYTES);

    size_t b = 0, e = len;
    while (b < e && (unsigned char)in[b] <= 0x20)
        b++;
    while (e > b && (unsigned char)in[e - 1] <= 0x20)
        e--;
    if (e > b && in[e - 1] == '.')
        e--; /* the root label of a fully qualified name */
    if (e == b)
        return nt__fail(diag, NT_ERR_INVALID, b, "empty domain name");
    if (e - b > MAX_INPUT)
        return nt__fail(diag, NT_ERR_INVALID, b, "domain name is too long");
    for (size_t i = b; i < e; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c <= 0x20 || c == 0x7f)
            return nt__fail(diag, NT_ERR_INVALID, i,
                            "domain name has a space or control character");
        if (c >= 0x80) {
            int32_t cp;
            size_t n = nt__utf8_decode((const unsigned char *)in + i, e - i, &cp);
            if (n == 0)
                return nt__fail(diag, NT_ERR_INVALID, i, "domain name is not valid UTF-8");
            i += n - 1;
            non_ascii = 1;
        }
    }
    memcpy(buf, in + b, e - b);
    buf[e - b] = '\0';
    for (size_t i = 0; i < e - b; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c >= 'A' && c <= 'Z')
            buf[i] = (char)(c + 32);
    }

    if (non_ascii || has_alabel(buf)) {
        why = NULL;
        rc = nt__idna_to_ascii(buf, &idna, &why);
        if (rc == NT_ERR_NOMEM) {
            rc = nt__fail(diag, rc, 0, "out of memory");
            goto cleanup;
        }
        if (rc) {
            rc = nt__fail(diag, NT_ERR_INVALID, b,
                          "not a valid internationalised domain name (%s): '%.80s%s'",
                          why ? why : "rejected by IDNA", buf, strlen(buf) > 80 ? "..." : "");
            goto cleanup;
        }
        d = idna;
    }
    why = check_labels(d, &at);
    if (why) {
        rc = nt__fail(diag, NT_ERR_INVALID, b + at, "domain name %s: '%.80s%s'", why, d,
                      strlen(d) > 80 ? "..." : "");
        goto cleanup;
    }
    uint32_t addr;
    if (nt__ipv4_parse(d, strlen(d), &addr)) {
        rc = nt__fail(diag, NT_ERR_INVALID, b, "'%s' is an IP address, not a domain name", d);
        goto cleanup;
    }
    const psl_ctx_t *ctx = nt__psl();
    if (!ctx) {
        rc = nt__fail(diag, NT_ERR_INTERNAL, 0, "no Public Suffix List could be loaded");
        goto cleanup;
    }
    why = psl_check(ctx, d, &reg);
    if (why) {
        rc = nt__fail(diag, NT_ERR_INVALID, b, "'%s' %s", d, why);
        goto cleanup;
    }
    a_out = strdup(d);
    if (registrable)
        r_out = strdup(reg);
    if (!a_out || (registrable && !r_out)) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    *ascii = a_out;
    a_out = NULL;
    if (registrable) {
        *registrable = r_out;
        r_out = NULL;
    }

cleanup:
    if (idna)
        idn2_free(idna);
    free(a_out);
    free(r_out);
    return rc;
}
