/*
 * src/server/api_registry.c - the early-warning registry over HTTP, for the
 * public (anonymous) role:
 *
 *   GET  /api/v1/lookup?value=V[&type=T]   is this number, account or link listed?
 *   POST /api/v1/reports                    report a scam indicator
 *
 * and, with an account (docs/accounts.md):
 *
 *   POST /api/v1/lookup/batch {"values": [...]}   members: up to 1000 values
 *   GET  /api/v1/feed?since=CURSOR[&limit=N]      members: changes in order
 *   GET  /api/v1/review?status=S[&after=ID]       analysts: the queue
 *   POST /api/v1/review/ID {"action","reason"}    analysts: decide
 *
 * Lookups read the lock-free index and never wait for a writer; a report or
 * a decision is one transaction in the store (with its audit entry) and is
 * in the index when the call returns.  The store is one connection: writes
 * and store reads take srv.store_lock.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "registry_json.h"
#include "server.h"

#define LOOKUP_MAX_VALUE 2048

static int parse_type(const char *s, nt_ind_type *t)
{
    if (strcmp(s, "bank_account") == 0)
        s = "bank";
    return nt_ind_type_parse(s, t) == NT_OK && *t != NT_IND_NATIONAL_ID;
}

static int no_registry(srv_req *r, srv_resp *out)
{
    if (r->s->reg)
        return 0;
    srv_error(r, out, 503, "unavailable", NULL, "Máy chủ chạy không có danh sách cảnh báo",
              "this server runs without the registry");
    return 1;
}

void api_lookup(srv_req *r, srv_resp *out)
{
    if (no_registry(r, out))
        return;
    const char *value =
        MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "value");
    const char *type = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "type");
    if (!value || !*value) {
        srv_error(r, out, 400, "missing_field", "value",
                  "Thiếu tham số value (số điện thoại, số tài khoản, link...)",
                  "missing parameter value (a phone number, account, link...)");
        return;
    }
    size_t len = strlen(value);
    if (len > LOOKUP_MAX_VALUE || nt_utf8_validate(value, len, NULL) != NT_OK) {
        srv_error(r, out, 400, "bad_field", "value", "Giá trị quá dài hoặc không phải UTF-8",
                  "value too long or not UTF-8");
        return;
    }
    nt_ind_type types[4];
    size_t nt = 0;
    if (type) {
        if (!parse_type(type, &types[0])) {
            srv_error(r, out, 400, "bad_field", "type",
                      "type phải là url, domain, ip, phone, bank, email, social hoặc wallet",
                      "type must be url, domain, ip, phone, bank, email, social or wallet");
            return;
        }
        nt = 1;
    } else {
        nt = nt_registry_guess_types(r->s->reg, value, len, types);
    }
    json_t *results = json_array();
    json_t *errors = json_array();
    for (size_t k = 0; k < nt; k++) {
        nt_reg_answer a;
        nt_diag d;
        nt_diag_clear(&d);
        if (nt_registry_lookup(r->s->reg, types[k], value, len, &a, &d) != NT_OK) {
            json_array_append_new(errors, json_pack("{s:s, s:s}", "type",
                                                    nt_ind_type_name(types[k]), "message",
                                                    d.message[0] ? d.message : "invalid"));
            continue;
        }
        json_array_append_new(results, reg_answer_json(r->en, &a));
        nt_reg_answer_release(&a);
    }
    if (json_array_size(results) == 0) {
        json_decref(results);
        json_decref(errors);
        srv_error(r, out, 400, "bad_field", "value",
                  "Không nhận ra giá trị này là số điện thoại, tài khoản, link hay tên miền",
                  "not recognisable as a phone number, account, link or domain");
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack("{s:s, s:o, s:o}", "value", value, "results", results, "not_parsed_as",
                          errors);
}

void api_report(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"type", "value", "evidence", "channel", "amount",
                                         "contact", "reporter", "lang", NULL};
    if (no_registry(r, out))
        return;
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    if (srv_only_fields(r, body, fields, out) != 0)
        goto cleanup;
    json_t *lang = json_object_get(body, "lang");
    if (lang && json_is_string(lang))
        r->en = strcmp(json_string_value(lang), "en") == 0;
    nt_report_in in;
    memset(&in, 0, sizeof in);
    const char *type = json_string_value(json_object_get(body, "type"));
    json_t *value = json_object_get(body, "value");
    if (!type || !parse_type(type, &in.type)) {
        srv_error(r, out, 400, type ? "bad_field" : "missing_field", "type",
                  "type phải là url, domain, ip, phone, bank, email, social hoặc wallet",
                  "type must be url, domain, ip, phone, bank, email, social or wallet");
        goto cleanup;
    }
    if (!json_is_string(value)) {
        srv_error(r, out, 400, value ? "bad_field" : "missing_field", "value",
                  "Thiếu giá trị cần báo cáo (chuỗi)", "missing the value to report (a string)");
        goto cleanup;
    }
    in.value = json_string_value(value);
    in.value_len = json_string_length(value);
    static const char *const strs[] = {"evidence", "channel", "contact", "reporter"};
    const char **dst[] = {&in.evidence, &in.channel, &in.contact, &in.reporter};
    for (int k = 0; k < 4; k++) {
        json_t *v = json_object_get(body, strs[k]);
        if (v && !json_is_string(v) && !json_is_null(v)) {
            srv_error(r, out, 400, "bad_field", strs[k], "Trường này phải là chuỗi",
                      "this field must be a string");
            goto cleanup;
        }
        *dst[k] = v ? json_string_value(v) : NULL;
    }
    if (in.evidence)
        in.evidence_len = strlen(in.evidence);
    json_t *amount = json_object_get(body, "amount");
    if (amount && (!json_is_integer(amount) || json_integer_value(amount) < 0)) {
        srv_error(r, out, 400, "bad_field", "amount",
                  "amount là số tiền bị mất (đồng), số nguyên không âm",
                  "amount is the money lost in VND, a non-negative integer");
        goto cleanup;
    }
    in.amount = amount ? json_integer_value(amount) : 0;
    int64_t report_id = 0, indicator_id = 0;
    nt_diag d;
    nt_diag_clear(&d);
    in.actor = r->who.name;
    in.member = r->who.kind == NT_PRINCIPAL_KEY && r->who.org[0];
    if (in.member && !in.reporter)
        in.reporter = r->who.org;
    pthread_mutex_lock(&r->s->store_lock);
    nt_err rc = nt_registry_report(r->s->reg, &in, &report_id, &indicator_id, &d);
    pthread_mutex_unlock(&r->s->store_lock);
    if (rc == NT_ERR_INVALID || rc == NT_ERR_UTF8 || rc == NT_ERR_TOO_BIG || rc == NT_ERR_STATE) {
        /* the store's message starts with the field at fault ("evidence: ...") */
        const char *field = "value";
        for (int k = 0; fields[k]; k++) {
            size_t fl = strlen(fields[k]);
            if (strncmp(d.message, fields[k], fl) == 0 && d.message[fl] == ':')
                field = fields[k];
        }
        char msg[600];
        snprintf(msg, sizeof msg, "%s", d.message[0] ? d.message : nt_strerror(rc));
        srv_error(r, out, rc == NT_ERR_TOO_BIG ? 413 : 400, "bad_field", field, msg, msg);
        goto cleanup;
    }
    if (rc) {
        srv_error(r, out, 500, "internal", NULL, "Không lưu được báo cáo", "cannot store the report");
        goto cleanup;
    }
    nt_reg_answer a;
    json_t *now = NULL;
    if (nt_registry_lookup(r->s->reg, in.type, in.value, in.value_len, &a, NULL) == NT_OK) {
        now = reg_answer_json(r->en, &a);
        nt_reg_answer_release(&a);
    }
    memset(out, 0, sizeof *out);
    out->status = 201;
    out->json = json_pack("{s:I, s:I, s:s, s:o}", "report_id", (json_int_t)report_id,
                          "indicator_id", (json_int_t)indicator_id, "message",
                          r->en ? "Thank you: your report helps warn others."
                                : "Cảm ơn bạn: báo cáo của bạn giúp cảnh báo người khác.",
                          "indicator", now ? now : json_null());
cleanup:
    json_decref(body);
}

#define BATCH_MAX 1000

void api_lookup_batch(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"values", "type", "lang", NULL};
    if (no_registry(r, out))
        return;
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    json_t *values = json_object_get(body, "values");
    const char *type = json_string_value(json_object_get(body, "type"));
    nt_ind_type t = 0;
    if (srv_only_fields(r, body, fields, out) != 0)
        goto cleanup;
    if (!json_is_array(values) || json_array_size(values) == 0 ||
        json_array_size(values) > BATCH_MAX) {
        srv_error(r, out, 400, values ? "bad_field" : "missing_field", "values",
                  "values phải là mảng từ 1 đến 1000 chuỗi", "values must be 1 to 1000 strings");
        goto cleanup;
    }
    if (type && !parse_type(type, &t)) {
        srv_error(r, out, 400, "bad_field", "type", "type không hợp lệ", "unknown type");
        goto cleanup;
    }
    json_t *res = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v)
    {
        json_t *one = json_object();
        const char *raw = json_string_value(v);
        json_array_append_new(res, one);
        if (!raw || json_string_length(v) > LOOKUP_MAX_VALUE) {
            json_object_set_new(one, "error", json_string(r->en ? "not a string, or too long"
                                                                : "không phải chuỗi hoặc quá dài"));
            continue;
        }
        json_object_set_new(one, "value", json_string(raw));
        nt_ind_type types[4];
        size_t nt = t ? 1 : nt_registry_guess_types(r->s->reg, raw, strlen(raw), types);
        if (t)
            types[0] = t;
        json_t *answers = json_array();
        for (size_t k = 0; k < nt; k++) {
            nt_reg_answer a;
            if (nt_registry_lookup(r->s->reg, types[k], raw, strlen(raw), &a, NULL) != NT_OK)
                continue;
            json_array_append_new(answers, reg_answer_json(r->en, &a));
            nt_reg_answer_release(&a);
        }
        json_object_set_new(one, "results", answers);
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack("{s:o}", "results", res);
cleanup:
    json_decref(body);
}

/* A query parameter as a non-negative integer (default def); -1 when bad. */
static long long query_int(srv_req *r, const char *name, long long def, long long max)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    if (!v)
        return def;
    char *end;
    long long x = strtoll(v, &end, 10);
    return *v && !*end && x >= 0 && x <= max ? x : -1;
}

static int feed_row(void *ctx, const nt_store_change *c)
{
    json_array_append_new(ctx, json_pack("{s:I, s:o, s:I, s:s, s:s, s:s, s:s}", "seq",
                                         (json_int_t)c->seq, "at", reg_iso_time(c->at), "indicator",
                                         (json_int_t)c->indicator_id, "type",
                                         nt_ind_type_name(c->type), "value", c->value, "kind",
                                         c->kind, "status", nt_status_name(c->status)));
    return 0;
}

void api_feed(srv_req *r, srv_resp *out)
{
    if (no_registry(r, out))
        return;
    long long since = query_int(r, "since", 0, INT64_MAX);
    long long limit = query_int(r, "limit", 1000, NT_MAX_FEED_LIMIT);
    if (since < 0 || limit < 0) {
        srv_error(r, out, 400, "bad_field", since < 0 ? "since" : "limit",
                  "since và limit là số nguyên không âm", "since and limit are non-negative integers");
        return;
    }
    json_t *changes = json_array();
    int64_t next = since;
    nt_diag d;
    nt_diag_clear(&d);
    pthread_mutex_lock(&r->s->store_lock);
    nt_err rc = nt_store_feed(nt_registry_store(r->s->reg), since, (size_t)limit, feed_row, changes,
                              &next, &d);
    pthread_mutex_unlock(&r->s->store_lock);
    if (rc) {
        json_decref(changes);
        srv_error(r, out, 500, "internal", NULL, "Không đọc được dòng thay đổi", "cannot read the feed");
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack("{s:I, s:I, s:o}", "since", (json_int_t)since, "next",
                          (json_int_t)next, "changes", changes);
}

/* The queue's filters: a type, and text the value must contain (ASCII case
 * ignored; "0912..." also finds "+84912..."). */
typedef struct queue_ctx {
    json_t *items;
    nt_ind_type type; /* 0: any */
    const char *q;    /* NULL: any */
    size_t limit, n;
    int64_t last_id; /* the last id looked at, for paging with after= */
} queue_ctx;

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

static int queue_text_match(const char *value, const char *q)
{
    if (contains_nocase(value, q))
        return 1;
    return q[0] == '0' && q[1] && strncmp(value, "+84", 3) == 0 && contains_nocase(value + 3, q + 1);
}

static int queue_row(void *ctx, const nt_store_indicator *ind)
{
    queue_ctx *qc = ctx;
    qc->last_id = ind->id;
    if ((qc->type && ind->type != qc->type) || (qc->q && !queue_text_match(ind->value, qc->q)))
        return 0;
    json_array_append_new(qc->items, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:s}", "id",
                                         (json_int_t)ind->id, "type", nt_ind_type_name(ind->type),
                                         "value", ind->value, "status", nt_status_name(ind->status),
                                         "reports", (json_int_t)ind->n_reports, "reporters",
                                         (json_int_t)ind->n_reporters, "first_seen",
                                         reg_iso_time(ind->first_seen), "last_seen",
                                         reg_iso_time(ind->last_seen), "status_by",
                                         ind->status_by ? ind->status_by : ""));
    return ++qc->n >= qc->limit;
}

void api_review_list(srv_req *r, srv_resp *out)
{
    if (no_registry(r, out))
        return;
    const char *st = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "status");
    const char *type = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "type");
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "q");
    nt_status status = NT_STATUS_REPORTED;
    queue_ctx qc = {0};
    if (st && strcmp(st, "all") == 0)
        status = 0;
    else if (st && nt_status_parse(st, &status) != NT_OK) {
        srv_error(r, out, 400, "bad_field", "status", "status không hợp lệ", "unknown status");
        return;
    }
    if (type && *type && !parse_type(type, &qc.type)) {
        srv_error(r, out, 400, "bad_field", "type", "type không hợp lệ", "unknown type");
        return;
    }
    if (q && (strlen(q) > LOOKUP_MAX_VALUE || nt_utf8_validate(q, strlen(q), NULL) != NT_OK)) {
        srv_error(r, out, 400, "bad_field", "q", "Chuỗi tìm kiếm quá dài hoặc không phải UTF-8",
                  "search text too long or not UTF-8");
        return;
    }
    qc.q = q && *q ? q : NULL;
    long long after = query_int(r, "after", 0, INT64_MAX);
    long long limit = query_int(r, "limit", 100, 1000);
    if (after < 0 || limit < 0) {
        srv_error(r, out, 400, "bad_field", after < 0 ? "after" : "limit",
                  "after và limit là số nguyên không âm", "after and limit are non-negative integers");
        return;
    }
    json_t *items = json_array();
    qc.items = items;
    qc.limit = limit ? (size_t)limit : SIZE_MAX; /* 0: all, as nt_store_list */
    pthread_mutex_lock(&r->s->store_lock);
    /* filtered: read on past non-matching rows until limit matches (or the end) */
    nt_err rc = nt_store_list(nt_registry_store(r->s->reg), status, after,
                              qc.type || qc.q ? 0 : (size_t)limit, queue_row, &qc, NULL);
    pthread_mutex_unlock(&r->s->store_lock);
    if (rc) {
        json_decref(items);
        srv_error(r, out, 500, "internal", NULL, "Không đọc được hàng đợi", "cannot read the queue");
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack("{s:s, s:o, s:I}", "status", status ? nt_status_name(status) : "all",
                          "indicators", items, "next_after",
                          (json_int_t)(qc.n >= qc.limit ? qc.last_id : 0));
}

void api_review_decide(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"action", "reason", "lang", NULL};
    if (no_registry(r, out))
        return;
    const char *ids = r->path + strlen("/api/v1/review/");
    char *end;
    long long id = strtoll(ids, &end, 10);
    if (!*ids || *end || id <= 0) {
        srv_error(r, out, 404, "not_found", NULL, "Không có chỉ báo này", "no such indicator");
        return;
    }
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    const char *action = json_string_value(json_object_get(body, "action"));
    const char *reason = json_string_value(json_object_get(body, "reason"));
    nt_action a;
    if (srv_only_fields(r, body, fields, out) != 0)
        goto cleanup;
    if (!action || nt_action_parse(action, &a) != NT_OK || a == NT_ACTION_EXPIRE) {
        srv_error(r, out, 400, action ? "bad_field" : "missing_field", "action",
                  "action là review, confirm, reject, dispute hoặc clear",
                  "action is review, confirm, reject, dispute or clear");
        goto cleanup;
    }
    if (!reason || !*reason) {
        srv_error(r, out, 400, "missing_field", "reason", "Cần ghi lý do cho quyết định",
                  "a decision needs a reason");
        goto cleanup;
    }
    nt_diag d;
    nt_diag_clear(&d);
    pthread_mutex_lock(&r->s->store_lock);
    nt_err rc = nt_registry_decide(r->s->reg, id, a, r->who.name, reason, &d);
    pthread_mutex_unlock(&r->s->store_lock);
    if (rc == NT_ERR_NOT_FOUND) {
        srv_error(r, out, 404, "not_found", NULL, "Không có chỉ báo này", "no such indicator");
        goto cleanup;
    }
    if (rc == NT_ERR_STATE) {
        srv_error(r, out, 409, "conflict", "action", d.message[0] ? d.message : "not allowed now",
                  d.message[0] ? d.message : "not allowed in the current state");
        goto cleanup;
    }
    if (rc) {
        srv_error(r, out, rc == NT_ERR_INVALID || rc == NT_ERR_UTF8 || rc == NT_ERR_TOO_BIG ? 400 : 500,
                  rc == NT_ERR_INVALID || rc == NT_ERR_UTF8 || rc == NT_ERR_TOO_BIG ? "bad_field"
                                                                                     : "internal",
                  "reason", d.message[0] ? d.message : nt_strerror(rc),
                  d.message[0] ? d.message : nt_strerror(rc));
        goto cleanup;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "action", nt_action_name(a),
                          "by", r->who.name);
cleanup:
    json_decref(body);
}
