/*
 * lib/store/export.c - the registry as files other systems read: a STIX 2.1
 * bundle, CSV with the columns the CSV import reads, and a hosts file for DNS
 * blocklists.
 *
 * The one idea: the same registry content gives the same bytes.  Indicators
 * are written sorted by (type, value), ids are UUIDv5 of the value in
 * NiemTin's namespace, times are printed one way in UTC, and nothing depends
 * on the clock or the database's row ids - so partners can diff two exports,
 * and an export imported elsewhere and exported again names every indicator
 * with the same id.  The library never prints: output goes through the
 * caller's write function, in pieces of up to 64 KiB.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "store/exchange.h"
#include "store/store_int.h"

typedef struct ex_item {
    nt_ind_type type;
    char *value;
    nt_status status;
    int64_t first_seen, status_at, source_id;
} ex_item;

typedef struct ex_source {
    int64_t id;
    nt_source_kind kind;
    char *name;
} ex_source;

typedef struct ex_ctx {
    ex_item *items;
    size_t n, cap;
    ex_source *src;
    size_t nsrc, capsrc;
    int oom;
} ex_ctx;

typedef struct writer {
    nt_export_write_fn fn;
    void *ctx;
    char buf[65536];
    size_t n;
    int failed;
} writer;

static void w_flush(writer *w)
{
    if (w->n && !w->failed && w->fn(w->ctx, w->buf, w->n))
        w->failed = 1;
    w->n = 0;
}

static void w_put(writer *w, const char *s, size_t n)
{
    while (n && !w->failed) {
        size_t room = sizeof w->buf - w->n, k = n < room ? n : room;
        memcpy(w->buf + w->n, s, k);
        w->n += k;
        s += k;
        n -= k;
        if (w->n == sizeof w->buf)
            w_flush(w);
    }
}

static void w_str(writer *w, const char *s)
{
    w_put(w, s, strlen(s));
}

static int collect(void *ctx, const nt_store_indicator *ind)
{
    ex_ctx *c = ctx;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        ex_item *p = realloc(c->items, nc * sizeof *p);
        if (!p) {
            c->oom = 1;
            return 1;
        }
        c->items = p;
        c->cap = nc;
    }
    ex_item it = {ind->type,       strdup(ind->value), ind->status,
                  ind->first_seen, ind->status_at,     ind->source_id};
    if (!it.value) {
        c->oom = 1;
        return 1;
    }
    c->items[c->n++] = it;
    return 0;
}

static int collect_source(void *ctx, const nt_store_source *s)
{
    ex_ctx *c = ctx;
    if (c->nsrc == c->capsrc) {
        size_t nc = c->capsrc ? c->capsrc * 2 : 64;
        ex_source *p = realloc(c->src, nc * sizeof *p);
        if (!p) {
            c->oom = 1;
            return 1;
        }
        c->src = p;
        c->capsrc = nc;
    }
    ex_source es = {s->id, s->kind, strdup(s->name ? s->name : "")};
    if (!es.name) {
        c->oom = 1;
        return 1;
    }
    c->src[c->nsrc++] = es;
    return 0;
}

static int cmp_item(const void *a, const void *b)
{
    const ex_item *x = a, *y = b;
    if (x->type != y->type)
        return (int)x->type - (int)y->type;
    return strcmp(x->value, y->value);
}

static int cmp_source(const void *a, const void *b)
{
    const ex_source *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* The name of the import that confirmed it, or NULL. */
static const char *source_name(const ex_ctx *c, int64_t id)
{
    if (id <= 0)
        return NULL;
    ex_source key = {.id = id};
    const ex_source *s = bsearch(&key, c->src, c->nsrc, sizeof *c->src, cmp_source);
    return s && s->kind == NT_SOURCE_IMPORT && s->name[0] ? s->name : NULL;
}

void nt_stix_indicator_id(nt_ind_type type, const char *canonical, char out[48])
{
    const char *tn = nt_ind_type_name(type);
    size_t tl = strlen(tn), vl = strlen(canonical);
    char small[512];
    char *name = tl + 1 + vl <= sizeof small ? small : malloc(tl + 1 + vl);
    char uuid[37];
    if (!name) {
        snprintf(out, 48, "indicator--00000000-0000-5000-8000-000000000000");
        return;
    }
    memcpy(name, tn, tl);
    name[tl] = ':';
    memcpy(name + tl + 1, canonical, vl);
    nt__uuid5(nt__niemtin_uuid_ns, name, tl + 1 + vl, uuid);
    if (name != small)
        free(name);
    snprintf(out, 48, "indicator--%s", uuid);
}

/* ---- STIX ------------------------------------------------------------------------------------ */

/* The STIX object and property for each type (stix.c reads the same). */
static const char *stix_object(nt_ind_type t, const char *value)
{
    switch (t) {
    case NT_IND_URL:
        return "url";
    case NT_IND_DOMAIN:
        return "domain-name";
    case NT_IND_IP:
        return strchr(value, ':') ? "ipv6-addr" : "ipv4-addr";
    case NT_IND_EMAIL:
        return "email-addr";
    case NT_IND_PHONE:
        return "x-niemtin-phone";
    case NT_IND_BANK_ACCOUNT:
        return "x-niemtin-bank-account";
    case NT_IND_SOCIAL:
        return "x-niemtin-social";
    case NT_IND_WALLET:
        return "x-niemtin-wallet";
    default:
        return NULL;
    }
}

/* "[domain-name:value = 'evil.vn']" with ' and \ escaped; malloc'd. */
static char *stix_pattern(const ex_item *it)
{
    const char *obj = stix_object(it->type, it->value);
    const char *prefix = it->type == NT_IND_URL ? "http://" : "";
    size_t vl = strlen(it->value);
    char *p = obj ? malloc(strlen(obj) + strlen(prefix) + 2 * vl + 32) : NULL;
    if (!p)
        return NULL;
    size_t at = (size_t)snprintf(p, strlen(obj) + 32, "[%s:value = '%s", obj, prefix);
    for (size_t k = 0; k < vl; k++) {
        if (it->value[k] == '\'' || it->value[k] == '\\')
            p[at++] = '\\';
        p[at++] = it->value[k];
    }
    memcpy(p + at, "']", 3);
    return p;
}

#define NIEMTIN_CREATED "2026-01-01T00:00:00.000Z"

static void identity_id(char out[48])
{
    char uuid[37];
    nt__uuid5(nt__niemtin_uuid_ns, "identity:NiemTin", strlen("identity:NiemTin"), uuid);
    snprintf(out, 48, "identity--%s", uuid);
}

/* Put one JSON object on its own line. */
static int w_json(writer *w, json_t *j)
{
    if (!j)
        return -1;
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        return -1;
    w_str(w, s);
    free(s);
    return 0;
}

static nt_err export_stix(const ex_ctx *c, writer *w, size_t *count, nt_diag *diag)
{
    char ident[48], bundle[37], idbuf[48];
    identity_id(ident);
    /* the bundle's id names its content: a hash of every indicator id */
    crypto_generichash_state hs;
    unsigned char h[32];
    char hex[65 + 7];
    crypto_generichash_init(&hs, NULL, 0, sizeof h);
    for (size_t i = 0; i < c->n; i++) {
        nt_stix_indicator_id(c->items[i].type, c->items[i].value, idbuf);
        crypto_generichash_update(&hs, (const unsigned char *)idbuf, strlen(idbuf) + 1);
    }
    crypto_generichash_final(&hs, h, sizeof h);
    memcpy(hex, "bundle:", 7);
    sodium_bin2hex(hex + 7, 65, h, sizeof h);
    nt__uuid5(nt__niemtin_uuid_ns, hex, strlen(hex), bundle);

    w_str(w, "{\"type\":\"bundle\",\"id\":\"bundle--");
    w_str(w, bundle);
    w_str(w, "\",\"objects\":[\n");
    json_t *id =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version",
                  "2.1", "id", ident, "created", NIEMTIN_CREATED, "modified", NIEMTIN_CREATED,
                  "name", "NiemTin", "identity_class", "system", "description",
                  "The early-warning registry of Vietnam's Digital Trust Alliance "
                  "(Liên minh Niềm Tin Số)");
    if (w_json(w, id))
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; i < c->n && !w->failed; i++) {
        const ex_item *it = &c->items[i];
        char *pattern = stix_pattern(it);
        char created[32], modified[32], name[64];
        if (!pattern)
            return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        nt_stix_indicator_id(it->type, it->value, idbuf);
        nt__time_format(it->first_seen, 1, created);
        nt__time_format(it->status_at > it->first_seen ? it->status_at : it->first_seen, 1,
                        modified);
        snprintf(name, sizeof name, "NiemTin: %s confirmed as a scam", nt_ind_type_name(it->type));
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:s, s:s, s:s}", "type", "indicator",
            "spec_version", "2.1", "id", idbuf, "created_by_ref", ident, "created", created,
            "modified", modified, "name", name, "indicator_types", "malicious-activity", "pattern",
            pattern, "pattern_type", "stix", "pattern_version", "2.1", "valid_from", created);
        free(pattern);
        const char *src = source_name(c, it->source_id);
        if (o && src)
            json_object_set_new(o, "external_references",
                                json_pack("[{s:s, s:s}]", "source_name", src, "description",
                                          "the published list that confirmed it"));
        w_str(w, ",\n");
        if (w_json(w, o))
            return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    }
    w_str(w, "\n]}\n");
    *count = c->n;
    return NT_OK;
}

/* ---- CSV ---------------------------------------------------------------------------------------
 */

static void csv_field(writer *w, const char *s)
{
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' || s[n - 1] == '\t');
    for (size_t k = 0; k < n && !quote; k++)
        quote = s[k] == ',' || s[k] == '"' || s[k] == '\r' || s[k] == '\n';
    if (!quote) {
        w_put(w, s, n);
        return;
    }
    w_put(w, "\"", 1);
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '"')
            w_put(w, "\"", 1);
        w_put(w, s + k, 1);
    }
    w_put(w, "\"", 1);
}

static nt_err export_csv(const ex_ctx *c, writer *w, size_t *count)
{
    w_str(w, "type,value,first_seen,status,source,note\r\n");
    for (size_t i = 0; i < c->n && !w->failed; i++) {
        const ex_item *it = &c->items[i];
        char t[32];
        const char *src = source_name(c, it->source_id);
        nt__time_format(it->first_seen, 0, t);
        w_str(w, nt_ind_type_name(it->type));
        w_put(w, ",", 1);
        csv_field(w, it->value);
        w_put(w, ",", 1);
        w_str(w, t);
        w_put(w, ",", 1);
        w_str(w, nt_status_name(it->status));
        w_put(w, ",", 1);
        csv_field(w, src ? src : "");
        w_str(w, ",\r\n");
    }
    *count = c->n;
    return NT_OK;
}

/* ---- hosts
 * --------------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The host of a URL expression ("host/path"), or NULL for an IP host. */
static char *url_host(const char *expr)
{
    size_t n = strcspn(expr, "/?");
    const char *at = memchr(expr, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - expr);
        expr = at + 1;
    }
    const char *colon = memchr(expr, ':', n);
    if (colon)
        n = (size_t)(colon - expr);
    if (n == 0 || expr[0] == '[' || strspn(expr, "0123456789.") >= n)
        return NULL;
    char *h = malloc(n + 1);
    if (h) {
        memcpy(h, expr, n);
        h[n] = '\0';
    }
    return h;
}

static nt_err export_hosts(const ex_ctx *c, const nt_export_options *opts, writer *w, size_t *count,
                           nt_diag *diag)
{
    char **hosts = malloc((c->n ? c->n : 1) * sizeof *hosts);
    size_t nh = 0;
    nt_err e = NT_OK;
    if (!hosts)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; i < c->n; i++) {
        const ex_item *it = &c->items[i];
        char *h = NULL;
        if (it->type == NT_IND_DOMAIN)
            h = strdup(it->value);
        else if (it->type == NT_IND_URL && !opts->domains_only)
            h = url_host(it->value);
        else
            continue;
        if (h)
            hosts[nh++] = h;
        else if (it->type == NT_IND_DOMAIN) {
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
    }
    if (nh)
        qsort(hosts, nh, sizeof *hosts, cmp_str);
    size_t uniq = 0;
    for (size_t i = 0; i < nh; i++)
        if (i == 0 || strcmp(hosts[i], hosts[i - 1]) != 0)
            uniq++;
    char head[200];
    snprintf(head, sizeof head,
             "# NiemTin: hosts of confirmed scam domains%s (%zu hosts)\n"
             "# a listed domain's subdomains are not listed: hosts files have no wildcards\n",
             opts->domains_only ? "" : " and URLs", uniq);
    w_str(w, head);
    for (size_t i = 0; i < nh && !w->failed; i++) {
        if (i && strcmp(hosts[i], hosts[i - 1]) == 0)
            continue;
        w_str(w, "0.0.0.0 ");
        w_str(w, hosts[i]);
        w_put(w, "\n", 1);
    }
    *count = uniq;
cleanup:
    for (size_t i = 0; i < nh; i++)
        free(hosts[i]);
    free(hosts);
    return e;
}

nt_err nt_store_export(nt_store *st, const nt_export_options *opts, nt_export_write_fn fn,
                       void *ctx, size_t *count, nt_diag *diag)
{
    ex_ctx c = {0};
    writer *w = NULL;
    size_t n = 0;
    nt_err e;
    if (count)
        *count = 0;
    if (!st || !opts || !fn)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if (opts->format != NT_EXPORT_STIX && opts->format != NT_EXPORT_CSV &&
        opts->format != NT_EXPORT_HOSTS)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "unknown export format");
    nt_status status = opts->status ? opts->status : NT_STATUS_CONFIRMED;
    if ((unsigned)status >= NT_STATUS__COUNT)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "unknown status");
    if (opts->format != NT_EXPORT_CSV && (status != NT_STATUS_CONFIRMED || opts->all_statuses))
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "STIX and hosts exports list confirmed indicators only (CSV can "
                        "export any status)");
    if ((e = nt_store_list(st, opts->all_statuses ? 0 : status, 0, 0, collect, &c, diag)))
        goto cleanup;
    if (!c.oom && (e = nt_store_sources(st, collect_source, &c, diag)))
        goto cleanup;
    if (c.oom || !(w = malloc(sizeof *w))) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    w->fn = fn;
    w->ctx = ctx;
    w->n = 0;
    w->failed = 0;
    if (c.n)
        qsort(c.items, c.n, sizeof *c.items, cmp_item);
    if (c.nsrc)
        qsort(c.src, c.nsrc, sizeof *c.src, cmp_source);
    switch (opts->format) {
    case NT_EXPORT_STIX:
        e = export_stix(&c, w, &n, diag);
        break;
    case NT_EXPORT_CSV:
        e = export_csv(&c, w, &n);
        break;
    default:
        e = export_hosts(&c, opts, w, &n, diag);
        break;
    }
    w_flush(w);
    if (!e && w->failed)
        e = nt__fail(diag, NT_ERR_IO, 0, "writing the export failed");
    if (!e && count)
        *count = n;
cleanup:
    for (size_t i = 0; i < c.n; i++)
        free(c.items[i].value);
    free(c.items);
    for (size_t i = 0; i < c.nsrc; i++)
        free(c.src[i].name);
    free(c.src);
    free(w);
    return e;
}
