/*
 * src/server/api_exchange.c - the analysts' side of the registry over HTTP:
 *
 *   POST /api/v1/import?format=chongluadao|list|csv|stix[&type=T][&name=N]
 *        [&skip_bad=1][&min_confidence=N]       body: the file itself
 *   GET  /api/v1/export?format=stix|csv|hosts[&status=S|all][&domains_only=1]
 *   GET  /api/v1/indicators/ID                  an indicator's page
 *   GET  /api/v1/indicators/TYPE/VALUE          the same, by its value
 *
 * An import is one transaction, as on the command line: every line or
 * record is read and canonicalised first, and one bad line rejects the whole
 * file (400 with the bad lines or STIX objects numbered, nothing written)
 * unless skip_bad=1.  The store writes the import's audit entry with the
 * actor; an export is recorded in the audit log too (registry data leaving
 * the system), before it is sent.
 *
 * An indicator's page is public in part: anyone sees the indicator, its
 * status, the reputation explanation and the history of statuses (by id
 * only a confirmed or disputed one, so unverified reports cannot be
 * enumerated; by type and value any, as a lookup would show); analysts
 * also see who decided and why, the reports (evidence, reporter), and with
 * reveal=contact the reporters' decrypted contacts (an audited act that
 * needs the server's NIEMTIN_STORE_KEY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "registry_json.h"
#include "server.h"

size_t srv_body_limit(const srv *s, const char *path)
{
    if (strcmp(path, "/api/v1/import") == 0 && s->cfg.max_import > s->cfg.max_body)
        return s->cfg.max_import;
    return s->cfg.max_body;
}

const char *srv_query(const srv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void srv_lib_error(const srv_req *r, srv_resp *out, nt_err rc, const nt_diag *d,
                   const char *const *fields, const char *def_field)
{
    const char *msg = d && d->message[0] ? d->message : nt_strerror(rc);
    const char *field = def_field;
    for (size_t k = 0; fields && fields[k]; k++) {
        size_t fl = strlen(fields[k]);
        if (strncmp(msg, fields[k], fl) == 0 && msg[fl] == ':')
            field = fields[k];
    }
    switch (rc) {
    case NT_ERR_INVALID:
    case NT_ERR_UTF8:
    case NT_ERR_PARSE:
        srv_error(r, out, 400, "bad_field", field, msg, msg);
        break;
    case NT_ERR_TOO_BIG:
        srv_error(r, out, 413, "payload_too_large", field, msg, msg);
        break;
    case NT_ERR_NOT_FOUND:
        srv_error(r, out, 404, "not_found", NULL, msg, msg);
        break;
    case NT_ERR_STATE:
        srv_error(r, out, 409, "conflict", field, msg, msg);
        break;
    default:
        srv_error(r, out, 500, "internal", NULL, "Lỗi máy chủ", "internal error");
    }
}

static int no_registry(srv_req *r, srv_resp *out)
{
    if (r->s->reg)
        return 0;
    srv_error(r, out, 503, "unavailable", NULL, "Máy chủ chạy không có danh sách cảnh báo",
              "this server runs without the registry");
    return 1;
}

/* Reject query parameters the endpoint does not know (a typo such as
 * "fromat" must not silently mean the default). */
typedef struct qcheck {
    const char *const *allowed;
    const char *bad;
} qcheck;

static enum MHD_Result qcheck_one(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    qcheck *q = cls;
    (void)kind;
    (void)value;
    for (size_t i = 0; q->allowed[i]; i++)
        if (strcmp(key, q->allowed[i]) == 0)
            return MHD_YES;
    q->bad = key;
    return MHD_NO;
}

static int only_params(srv_req *r, srv_resp *out, const char *const *allowed)
{
    qcheck q = {allowed, NULL};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, qcheck_one, &q);
    if (!q.bad)
        return 0;
    char vi[200], en[200];
    snprintf(vi, sizeof vi, "Tham số không được hỗ trợ: \"%.80s\"", q.bad);
    snprintf(en, sizeof en, "unknown parameter \"%.80s\"", q.bad);
    srv_error(r, out, 400, "unknown_field", q.bad, vi, en);
    return -1;
}

static int parse_type(const char *s, nt_ind_type *t)
{
    if (strcmp(s, "bank_account") == 0)
        s = "bank";
    return nt_ind_type_parse(s, t) == NT_OK && *t != NT_IND_NATIONAL_ID;
}

/* ---- import --------------------------------------------------------------------------- */

static json_t *import_errors_json(const nt_import_result *res)
{
    json_t *errs = json_array();
    for (size_t i = 0; i < res->n_errors; i++) {
        const nt_import_error *ie = &res->errors[i];
        json_t *e = json_object();
        if (ie->object) {
            json_object_set_new(e, "object", json_integer(ie->object - 1));
            if (ie->ref[0])
                json_object_set_new(e, "id", json_string(ie->ref));
        } else {
            json_object_set_new(e, "line", json_integer(ie->line));
        }
        if (ie->column)
            json_object_set_new(e, "column", json_integer(ie->column));
        json_object_set_new(e, "error", json_string(ie->message));
        json_array_append_new(errs, e);
    }
    return errs;
}

static json_t *import_result_json(const nt_import_result *res, nt_import_format f)
{
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "source_id",
                          (json_int_t)res->source_id, "lines", (json_int_t)res->lines, "added",
                          (json_int_t)res->added, "confirmed", (json_int_t)res->confirmed,
                          "unchanged", (json_int_t)res->unchanged, "duplicates",
                          (json_int_t)res->duplicates, "bad", (json_int_t)res->bad);
    if (f == NT_IMPORT_STIX || f == NT_IMPORT_CSV) {
        json_object_set_new(
            j, "skipped",
            json_pack("{s:I, s:I, s:I, s:I}", "revoked", (json_int_t)res->skipped_revoked,
                      "expired", (json_int_t)res->skipped_expired, "status",
                      (json_int_t)res->skipped_status, "low_confidence",
                      (json_int_t)res->skipped_low_confidence));
        json_object_set_new(j, "other_objects", json_integer((json_int_t)res->other_objects));
    }
    json_object_set_new(j, "errors", import_errors_json(res));
    return j;
}

static int import_content_type_ok(const char *ct)
{
    static const char *const ok[] = {"text/plain",      "text/csv",
                                     "application/json", "application/stix+json",
                                     "application/octet-stream", NULL};
    if (!ct)
        return 0;
    for (size_t i = 0; ok[i]; i++) {
        size_t n = strlen(ok[i]);
        if (strncasecmp(ct, ok[i], n) == 0 && (!ct[n] || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
}

void api_import(srv_req *r, srv_resp *out)
{
    static const char *const params[] = {"format", "type",           "name", "skip_bad",
                                         "lang",   "min_confidence", NULL};
    if (no_registry(r, out) || only_params(r, out, params))
        return;
    const char *format = srv_query(r, "format"), *type = srv_query(r, "type");
    const char *name = srv_query(r, "name"), *skip = srv_query(r, "skip_bad");
    const char *minc = srv_query(r, "min_confidence");
    nt_import_options io;
    memset(&io, 0, sizeof io);
    if (!format) {
        srv_error(r, out, 400, "missing_field", "format",
                  "Thiếu format: chongluadao, list, csv hoặc stix",
                  "missing format: chongluadao, list, csv or stix");
        return;
    }
    if (strcmp(format, "chongluadao") == 0)
        io.format = NT_IMPORT_CHONGLUADAO;
    else if (strcmp(format, "list") == 0)
        io.format = NT_IMPORT_LIST;
    else if (strcmp(format, "csv") == 0)
        io.format = NT_IMPORT_CSV;
    else if (strcmp(format, "stix") == 0)
        io.format = NT_IMPORT_STIX;
    else {
        srv_error(r, out, 400, "bad_field", "format", "format là chongluadao, list, csv hoặc stix",
                  "format is chongluadao, list, csv or stix");
        return;
    }
    if (io.format == NT_IMPORT_LIST && !type) {
        srv_error(r, out, 400, "missing_field", "type",
                  "format=list cần type (phone, bank, url, domain...)",
                  "format=list needs type (phone, bank, url, domain...)");
        return;
    }
    if (type && (io.format != NT_IMPORT_LIST || !parse_type(type, &io.type))) {
        srv_error(r, out, 400, "bad_field", "type",
                  "type chỉ dùng với format=list: url, domain, ip, phone, bank, email, social, "
                  "wallet",
                  "type goes with format=list only: url, domain, ip, phone, bank, email, social, "
                  "wallet");
        return;
    }
    if (skip && strcmp(skip, "0") != 0 && strcmp(skip, "1") != 0) {
        srv_error(r, out, 400, "bad_field", "skip_bad", "skip_bad là 0 hoặc 1", "skip_bad is 0 or 1");
        return;
    }
    io.skip_bad = skip && strcmp(skip, "1") == 0;
    if (minc) {
        char *end;
        long v = strtol(minc, &end, 10);
        if (!*minc || *end || v < 0 || v > 100 || io.format != NT_IMPORT_STIX) {
            srv_error(r, out, 400, "bad_field", "min_confidence",
                      "min_confidence là số 0..100, chỉ cho format=stix",
                      "min_confidence is 0..100, for format=stix only");
            return;
        }
        io.min_confidence = (int)v;
    }
    if (!import_content_type_ok(r->content_type)) {
        srv_error(r, out, 415, "unsupported_media_type", NULL,
                  "Gửi chính tệp làm nội dung (Content-Type: text/plain, text/csv hoặc "
                  "application/json)",
                  "send the file itself as the body (Content-Type: text/plain, text/csv or "
                  "application/json)");
        return;
    }
    if (r->body_len == 0) {
        srv_error(r, out, 400, "missing_field", "body", "Tệp cần nhập đang trống",
                  "the file to import is empty");
        return;
    }
    if (name && (!*name || strlen(name) > NT_MAX_NAME_BYTES)) {
        srv_error(r, out, 400, "bad_field", "name", "Tên nguồn không hợp lệ", "bad source name");
        return;
    }
    char defname[64];
    snprintf(defname, sizeof defname, "%s-upload", format);
    io.name = name ? name : io.format == NT_IMPORT_CHONGLUADAO ? "chongluadao" : defname;
    char file[NT_MAX_NAME_BYTES + 40];
    snprintf(file, sizeof file, "http upload by %s", r->who.name);
    io.file = file;
    io.actor = r->who.name;
    nt_import_result *res = calloc(1, sizeof *res);
    if (!res) {
        srv_error(r, out, 500, "internal", NULL, "Hết bộ nhớ", "out of memory");
        return;
    }
    nt_diag d;
    nt_diag_clear(&d);
    pthread_mutex_lock(&r->s->store_lock);
    nt_err rc = nt_registry_import(r->s->reg, &io, r->body, r->body_len, res, &d);
    pthread_mutex_unlock(&r->s->store_lock);
    if (rc == NT_ERR_PARSE || rc == NT_ERR_INVALID || rc == NT_ERR_UTF8 || rc == NT_ERR_TOO_BIG) {
        char vi[400], en[400];
        const char *why = d.message[0] ? d.message : nt_strerror(rc);
        snprintf(vi, sizeof vi, "Nhập thất bại, không có gì được ghi: %s", why);
        snprintf(en, sizeof en, "import rejected, nothing was written: %s", why);
        srv_error(r, out, rc == NT_ERR_TOO_BIG ? 413 : 400,
                  rc == NT_ERR_TOO_BIG ? "payload_too_large" : "import_rejected", "body", vi, en);
        json_t *detail = import_result_json(res, io.format);
        if (res->bad && !io.skip_bad)
            json_object_set_new(detail, "hint",
                                json_string(r->en ? "fix the lines named, or add skip_bad=1 to "
                                                    "import the good lines only"
                                                  : "sửa các dòng được nêu, hoặc thêm skip_bad=1 "
                                                    "để chỉ nhập các dòng đúng"));
        json_object_set_new(out->json, "import", detail);
        free(res);
        return;
    }
    if (rc) {
        free(res);
        srv_lib_error(r, out, rc, &d, NULL, NULL);
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = import_result_json(res, io.format);
    json_object_set_new(out->json, "ok", json_true());
    json_object_set_new(out->json, "name", json_string(io.name));
    json_object_set_new(out->json, "by", json_string(r->who.name));
    free(res);
}

/* ---- export --------------------------------------------------------------------------- */

typedef struct growbuf {
    char *p;
    size_t n, cap;
} growbuf;

static int grow_write(void *ctx, const char *data, size_t len)
{
    growbuf *b = ctx;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return 1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    return 0;
}

void api_export(srv_req *r, srv_resp *out)
{
    static const char *const params[] = {"format", "status", "domains_only", "lang", NULL};
    if (no_registry(r, out) || only_params(r, out, params))
        return;
    const char *format = srv_query(r, "format"), *status = srv_query(r, "status");
    const char *dom = srv_query(r, "domains_only");
    nt_export_options eo;
    memset(&eo, 0, sizeof eo);
    const char *ctype, *ext;
    if (!format) {
        srv_error(r, out, 400, "missing_field", "format", "Thiếu format: stix, csv hoặc hosts",
                  "missing format: stix, csv or hosts");
        return;
    }
    if (strcmp(format, "stix") == 0) {
        eo.format = NT_EXPORT_STIX;
        ctype = "application/stix+json;version=2.1";
        ext = "stix.json";
    } else if (strcmp(format, "csv") == 0) {
        eo.format = NT_EXPORT_CSV;
        ctype = "text/csv; charset=utf-8";
        ext = "csv";
    } else if (strcmp(format, "hosts") == 0) {
        eo.format = NT_EXPORT_HOSTS;
        ctype = "text/plain; charset=utf-8";
        ext = "hosts.txt";
    } else {
        srv_error(r, out, 400, "bad_field", "format", "format là stix, csv hoặc hosts",
                  "format is stix, csv or hosts");
        return;
    }
    if (status && strcmp(status, "all") == 0)
        eo.all_statuses = 1;
    else if (status && nt_status_parse(status, &eo.status) != NT_OK) {
        srv_error(r, out, 400, "bad_field", "status", "status không hợp lệ", "unknown status");
        return;
    }
    if (eo.format != NT_EXPORT_CSV &&
        (eo.all_statuses || (eo.status && eo.status != NT_STATUS_CONFIRMED))) {
        srv_error(r, out, 400, "bad_field", "status",
                  "STIX và hosts chỉ xuất các chỉ báo đã xác nhận (CSV xuất được mọi trạng thái)",
                  "STIX and hosts exports list confirmed indicators only (CSV can export any "
                  "status)");
        return;
    }
    if (dom && (strcmp(dom, "0") != 0 && strcmp(dom, "1") != 0)) {
        srv_error(r, out, 400, "bad_field", "domains_only", "domains_only là 0 hoặc 1",
                  "domains_only is 0 or 1");
        return;
    }
    if (dom && strcmp(dom, "1") == 0 && eo.format != NT_EXPORT_HOSTS) {
        srv_error(r, out, 400, "bad_field", "domains_only", "domains_only chỉ cho format=hosts",
                  "domains_only is for format=hosts only");
        return;
    }
    eo.domains_only = dom && strcmp(dom, "1") == 0;
    growbuf b = {0};
    size_t count = 0;
    nt_diag d;
    nt_diag_clear(&d);
    char details[200];
    snprintf(details, sizeof details, "{\"format\":\"%s\",\"status\":\"%s\"}", format,
             eo.all_statuses ? "all" : nt_status_name(eo.status ? eo.status : NT_STATUS_CONFIRMED));
    pthread_mutex_lock(&r->s->store_lock);
    nt_store *st = nt_registry_store(r->s->reg);
    nt_err rc = nt_audit_append(st, r->who.name, "registry.export", "registry", details, NULL, &d);
    if (!rc)
        rc = nt_store_export(st, &eo, grow_write, &b, &count, &d);
    pthread_mutex_unlock(&r->s->store_lock);
    if (rc) {
        free(b.p);
        srv_error(r, out, 500, "internal", NULL, "Không xuất được", "cannot export");
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->bytes = b.p ? b.p : strdup("");
    out->len = b.n;
    out->free_bytes = 1;
    out->content_type = ctype;
    char day[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    snprintf(out->disposition, sizeof out->disposition,
             "attachment; filename=\"niemtin-%s.%s\"", day, ext);
    (void)count;
}

/* ---- an indicator's page ---------------------------------------------------------------- */

typedef struct page_ctx {
    srv_req *r;
    nt_store *st;
    json_t *arr;
    int staff;  /* analyst or admin: reports, actors, reasons */
    int reveal; /* decrypt contacts */
    int failed; /* a contact could not be decrypted */
} page_ctx;

static int page_report(void *ctx, const nt_store_report *rep)
{
    page_ctx *p = ctx;
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:b}", "id", (json_int_t)rep->id,
                          "reporter", rep->reporter, "reporter_kind",
                          nt_source_kind_name(rep->reporter_kind), "channel", rep->channel,
                          "evidence", rep->evidence ? rep->evidence : "", "amount",
                          (json_int_t)rep->amount, "reported_at", reg_iso_time(rep->reported_at),
                          "has_contact", rep->has_contact);
    if (p->reveal && rep->has_contact) {
        char *contact = NULL;
        nt_diag d;
        nt_diag_clear(&d);
        if (nt_store_report_contact(p->st, rep->id, &contact, &d) == NT_OK) {
            json_object_set_new(j, "contact", json_string(contact));
            nt_secret_wipe(contact, strlen(contact));
            free(contact);
        } else {
            p->failed = 1;
            json_object_set_new(j, "contact_error", json_string(d.message[0] ? d.message
                                                                             : "cannot decrypt"));
        }
    }
    json_array_append_new(p->arr, j);
    return 0;
}

static int page_event(void *ctx, const nt_store_event *e)
{
    page_ctx *p = ctx;
    json_t *j = json_pack("{s:o, s:s, s:o, s:s}", "at", reg_iso_time(e->at), "action", e->action,
                          "from", e->from ? json_string(nt_status_name(e->from)) : json_null(),
                          "to", nt_status_name(e->to));
    if (p->staff) {
        json_object_set_new(j, "actor", json_string(e->actor));
        json_object_set_new(j, "reason", json_string(e->reason ? e->reason : ""));
    }
    json_array_append_new(p->arr, j);
    return 0;
}

/* Find the indicator named by the path: "/api/v1/indicators/ID" or
 * ".../TYPE/VALUE" (the value canonicalised as the registry keys it). */
static nt_err page_find(srv_req *r, srv_resp *out, nt_store *st, nt_store_indicator *ind)
{
    const char *rest = r->path + strlen("/api/v1/indicators/");
    const char *slash = strchr(rest, '/');
    nt_diag d;
    nt_diag_clear(&d);
    if (!slash) {
        char *end;
        long long id = strtoll(rest, &end, 10);
        if (!*rest || *end || id <= 0) {
            srv_error(r, out, 404, "not_found", NULL, "Không có chỉ báo này", "no such indicator");
            return NT_ERR_NOT_FOUND;
        }
        nt_err rc = nt_store_get(st, id, ind, &d);
        if (rc)
            srv_error(r, out, rc == NT_ERR_NOT_FOUND ? 404 : 500,
                      rc == NT_ERR_NOT_FOUND ? "not_found" : "internal", NULL,
                      "Không có chỉ báo này", "no such indicator");
        return rc;
    }
    char type[24];
    size_t tl = (size_t)(slash - rest);
    nt_ind_type t;
    if (tl >= sizeof type) {
        srv_error(r, out, 400, "bad_field", "type", "Loại không hợp lệ", "unknown type");
        return NT_ERR_INVALID;
    }
    memcpy(type, rest, tl);
    type[tl] = 0;
    const char *value = slash + 1;
    if (!parse_type(type, &t)) {
        srv_error(r, out, 400, "bad_field", "type",
                  "type phải là url, domain, ip, phone, bank, email, social hoặc wallet",
                  "type must be url, domain, ip, phone, bank, email, social or wallet");
        return NT_ERR_INVALID;
    }
    char *canon = NULL;
    nt_err rc = nt_store_canonical(st, t, value, strlen(value), &canon, &d);
    if (rc) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s", d.message[0] ? d.message : nt_strerror(rc));
        srv_error(r, out, 400, "bad_field", "value", msg, msg);
        return rc;
    }
    rc = nt_store_find(st, t, canon, ind, &d);
    free(canon);
    if (rc)
        srv_error(r, out, rc == NT_ERR_NOT_FOUND ? 404 : 500,
                  rc == NT_ERR_NOT_FOUND ? "not_found" : "internal", NULL,
                  "Chỉ báo này chưa có trong danh sách cảnh báo",
                  "this indicator is not in the registry");
    return rc;
}

void api_indicator(srv_req *r, srv_resp *out)
{
    static const char *const params[] = {"reveal", "lang", NULL};
    if (no_registry(r, out) || only_params(r, out, params))
        return;
    const char *reveal = srv_query(r, "reveal");
    int staff = nt_auth_allowed(r->who.role, NT_AUTH_REVIEW);
    if (reveal && strcmp(reveal, "contact") != 0) {
        srv_error(r, out, 400, "bad_field", "reveal", "reveal chỉ nhận contact",
                  "reveal takes only contact");
        return;
    }
    if (reveal && !nt_auth_allowed(r->who.role, NT_AUTH_REVEAL_CONTACT)) {
        if (r->who.kind == NT_PRINCIPAL_PUBLIC)
            srv_error(r, out, 401, "unauthorized", "reveal", "Cần đăng nhập với vai trò chuyên viên",
                      "log in as an analyst");
        else
            srv_error(r, out, 403, "forbidden", "reveal",
                      "Chỉ chuyên viên được xem liên hệ của người báo cáo",
                      "only analysts may see reporters' contacts");
        return;
    }
    nt_store_indicator ind;
    memset(&ind, 0, sizeof ind);
    pthread_mutex_lock(&r->s->store_lock);
    nt_store *st = nt_registry_store(r->s->reg);
    nt_err rc = page_find(r, out, st, &ind);
    if (rc) {
        pthread_mutex_unlock(&r->s->store_lock);
        return;
    }
    /* By id, people who are not analysts see published verdicts only, so
     * the unverified reports cannot be listed by counting ids; by value
     * they see what a lookup of that value shows anyway. */
    int by_id = !strchr(r->path + strlen("/api/v1/indicators/"), '/');
    if (by_id && !staff && ind.status != NT_STATUS_CONFIRMED && ind.status != NT_STATUS_DISPUTED) {
        pthread_mutex_unlock(&r->s->store_lock);
        nt_store_indicator_release(&ind);
        srv_error(r, out, 404, "not_found", NULL, "Không có chỉ báo này", "no such indicator");
        return;
    }
    nt_diag d;
    nt_diag_clear(&d);
    if (reveal) {
        /* decrypting reporters' personal data is recorded before it happens */
        char object[48];
        snprintf(object, sizeof object, "indicator:%lld", (long long)ind.id);
        rc = nt_audit_append(st, r->who.name, "contact.reveal", object, NULL, NULL, &d);
    }
    page_ctx reps = {.r = r, .st = st, .arr = json_array(), .staff = staff, .reveal = !!reveal};
    page_ctx evs = {.r = r, .st = st, .arr = json_array(), .staff = staff};
    if (!rc && staff)
        rc = nt_store_reports(st, ind.id, page_report, &reps, &d);
    if (!rc)
        rc = nt_store_events(st, ind.id, page_event, &evs, &d);
    double score =
        nt_reputation_score(ind.score_e, ind.score_at, nt_store_now(st), nt_store_half_life(st));
    pthread_mutex_unlock(&r->s->store_lock);
    if (rc) {
        json_decref(reps.arr);
        json_decref(evs.arr);
        nt_store_indicator_release(&ind);
        srv_error(r, out, 500, "internal", NULL, "Không đọc được chỉ báo", "cannot read the indicator");
        return;
    }
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:f, s:b}", "id", (json_int_t)ind.id,
        "type", nt_ind_type_name(ind.type), "type_label", reg_type_label(r->en, ind.type), "value",
        ind.value, "status", nt_status_name(ind.status), "status_at", reg_iso_time(ind.status_at),
        "first_seen", reg_iso_time(ind.first_seen), "last_seen", reg_iso_time(ind.last_seen),
        "reports_count", (json_int_t)ind.n_reports, "reporters_count", (json_int_t)ind.n_reporters,
        "score", (double)(int)(score * 10 + 0.5) / 10, "warn", score >= NT_REPUTATION_WARN);
    /* the explanation and verdict the public lookup gives for this value */
    nt_reg_answer a;
    memset(&a, 0, sizeof a);
    if (nt_registry_lookup_canonical(r->s->reg, ind.type, ind.value, &a) == NT_OK) {
        char ex[512];
        for (size_t i = 0; i < a.n_matches; i++)
            if (a.matches[i].id == ind.id) {
                json_object_set_new(j, "explanation",
                                    json_string(nt_reg_explain(&a.matches[i], r->en, ex, sizeof ex)));
                if (a.matches[i].source)
                    json_object_set_new(j, "source", json_string(a.matches[i].source));
            }
        json_object_set_new(j, "verdict", json_string(reg_verdict(r->en, &a)));
        nt_reg_answer_release(&a);
    }
    if (staff) {
        json_object_set_new(j, "status_by", json_string(ind.status_by ? ind.status_by : ""));
        json_object_set_new(j, "reports", reps.arr);
        /* the decisions an analyst may take from here */
        json_t *next = json_array();
        for (int k = NT_ACTION_REVIEW; k <= NT_ACTION_CLEAR; k++) {
            nt_status to;
            if (nt_status_after(ind.status, (nt_action)k, &to) == NT_OK)
                json_array_append_new(next, json_string(nt_action_name((nt_action)k)));
        }
        json_object_set_new(j, "actions", next);
        if (reveal && reps.failed)
            json_object_set_new(j, "contact_note",
                                json_string(r->en ? "the server has no contact key "
                                                    "(NIEMTIN_STORE_KEY)"
                                                  : "máy chủ không có khoá giải mã liên hệ "
                                                    "(NIEMTIN_STORE_KEY)"));
    } else {
        json_decref(reps.arr);
    }
    json_object_set_new(j, "history", evs.arr);
    nt_store_indicator_release(&ind);
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = j;
}
