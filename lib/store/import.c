/*
 * lib/store/import.c - reading published lists for the registry: the
 * ChongLuaDao blocklist (hosts or URLs one a line, or IP addresses) and plain
 * lists of one value of a given type a line.
 *
 * The one idea: parsing is separate from storing.  nt_import_parse turns
 * every line into a canonical value or an error naming the line, touching no
 * database, so nt_store_import can refuse a bad file before it writes
 * anything and the parser can be fuzzed on its own.
 *
 * Lines: surrounding blanks and a trailing CR are ignored; blank lines and
 * lines starting with '#' are skipped; a line must be valid UTF-8 with no
 * NUL or control bytes and at most NT_MAX_URL_BYTES long.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "niemtin/text.h"
#include "store/exchange.h"
#include "store/store_int.h"

/* A ChongLuaDao line: an IP address; or a URL (it has a '/', '?' or ':') that
 * keeps its path unless the path is the bare root, which makes it its host;
 * or a bare host, a domain. */
static nt_err chongluadao_value(const nt_banks *banks, const char *s, size_t n, nt_ind_type *type,
                                char **out, nt_diag *diag)
{
    char ipbuf[64];
    unsigned char addr[16];
    if (n < sizeof ipbuf) {
        memcpy(ipbuf, s, n);
        ipbuf[n] = '\0';
        if (inet_pton(AF_INET, ipbuf, addr) == 1 || inet_pton(AF_INET6, ipbuf, addr) == 1) {
            *type = NT_IND_IP;
            return nt__store_canonical(banks, NT_IND_IP, s, n, out, diag);
        }
    }
    /* a path, a query or a port ("sn99.cc:100") make it a URL */
    if (memchr(s, '/', n) || memchr(s, '?', n) || memchr(s, ':', n)) {
        char *expr = NULL;
        nt_err e = nt__store_canonical(banks, NT_IND_URL, s, n, &expr, diag);
        if (e)
            return e;
        size_t el = strlen(expr);
        if (el == 0 || expr[el - 1] != '/' || memchr(expr, '/', el) != expr + el - 1) {
            *type = NT_IND_URL;
            *out = expr;
            return NT_OK;
        }
        /* "host/": the whole host is listed */
        expr[el - 1] = '\0';
        e = chongluadao_value(banks, expr, el - 1, type, out, diag);
        free(expr);
        return e;
    }
    *type = NT_IND_DOMAIN;
    return nt__store_canonical(banks, NT_IND_DOMAIN, s, n, out, diag);
}

/* Why a raw line cannot even be looked at, or NULL. */
static const char *line_problem(const char *s, size_t n, char *buf, size_t bufsize)
{
    size_t bad;
    if (n > NT_MAX_URL_BYTES) {
        snprintf(buf, bufsize, "line longer than %u bytes", NT_MAX_URL_BYTES);
        return buf;
    }
    if (nt_utf8_validate(s, n, &bad) != NT_OK) {
        snprintf(buf, bufsize, "malformed UTF-8 at column %zu", bad + 1);
        return buf;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t') {
            snprintf(buf, bufsize, "control byte 0x%02x at column %zu", c, i + 1);
            return buf;
        }
    }
    return NULL;
}

nt_err nt_import_parse(const nt_banks *banks, const nt_import_options *opts, const char *data,
                       size_t len, nt_import_line_fn fn, void *ctx, nt_diag *diag)
{
    if (!opts || !fn || (!data && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if (opts->format != NT_IMPORT_CHONGLUADAO && opts->format != NT_IMPORT_LIST)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "unknown import format");
    if (opts->format == NT_IMPORT_LIST &&
        ((unsigned)opts->type == 0 || opts->type >= NT_IND__COUNT))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "a plain list needs a value type");
    if (len > NT_MAX_IMPORT_BYTES)
        return nt__fail(diag, NT_ERR_TOO_BIG, 0, "import larger than %u bytes",
                        NT_MAX_IMPORT_BYTES);
    const char *src = opts->file ? opts->file : (opts->name ? opts->name : "");
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *s = data + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (++line > NT_MAX_IMPORT_LINES)
            return nt__fail_at(diag, NT_ERR_TOO_BIG, src, line, 1, pos, "more than %u lines",
                               NT_MAX_IMPORT_LINES);
        while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        while (n > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        if (n == 0 || *s == '#')
            continue;
        char why[200], msg[300];
        const char *problem = line_problem(s, n, why, sizeof why);
        if (problem) {
            if (fn(ctx, line, 0, NULL, problem))
                return NT_OK;
            continue;
        }
        nt_diag d;
        nt_diag_clear(&d);
        char *canon = NULL;
        nt_ind_type type = opts->type;
        nt_err e = opts->format == NT_IMPORT_CHONGLUADAO
                       ? chongluadao_value(banks, s, n, &type, &canon, &d)
                       : nt__store_canonical(banks, opts->type, s, n, &canon, &d);
        if (e == NT_ERR_NOMEM)
            return nt__fail_at(diag, e, src, line, 1, pos, "out of memory");
        int stop;
        if (e) {
            snprintf(msg, sizeof msg, "not a valid %s: %s",
                     opts->format == NT_IMPORT_CHONGLUADAO ? "host, URL or IP address"
                                                           : nt_ind_type_name(opts->type),
                     d.message[0] ? d.message : nt_strerror(e));
            stop = fn(ctx, line, type, NULL, msg);
        } else {
            stop = fn(ctx, line, type, canon, NULL);
        }
        free(canon);
        if (stop)
            return NT_OK;
    }
    return NT_OK;
}

/* STIX bundles (stix.c) and CSV files (csv.c): records with their own dates,
 * sources and notes rather than bare lines. */
nt_err nt_import_parse_records(const nt_banks *banks, const nt_import_options *opts,
                               const char *data, size_t len, nt_import_record_fn fn, void *ctx,
                               size_t *other_objects, nt_diag *diag)
{
    if (other_objects)
        *other_objects = 0;
    if (!opts || !fn || (!data && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if (len > NT_MAX_IMPORT_BYTES)
        return nt__fail(diag, NT_ERR_TOO_BIG, 0, "import larger than %u bytes",
                        NT_MAX_IMPORT_BYTES);
    if (!data)
        data = "";
    switch (opts->format) {
    case NT_IMPORT_STIX:
        return nt__stix_parse(banks, opts, data, len, fn, ctx, other_objects, diag);
    case NT_IMPORT_CSV:
        return nt__csv_parse(banks, opts, data, len, fn, ctx, diag);
    default:
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0,
                        "records come from STIX or CSV imports only (nt_import_parse for lists)");
    }
}
