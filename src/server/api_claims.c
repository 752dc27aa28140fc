/*
 * src/server/api_claims.c - the fact-check desk over HTTP (docs/claims.md,
 * "The desk on the web"; docs/openapi.yaml has every field).
 *
 * Anyone:
 *   POST /api/v1/tips {"text"|"url", "kind"?, "channel"?}
 *        a rumour, a link or a forwarded message.  200 "checked" with the
 *        published fact-checks it repeats, or 202 "received" with the
 *        tipline item it joined (and how many sent the same)
 *   GET  /api/v1/fact-checks?q=&offset=&limit=     search the published ones
 *   GET  /api/v1/fact-checks/ID                    one, with its corrections
 *                                                  and its ClaimReview JSON-LD
 *   GET  /kiem-chung/ID, /kiem-chung               the same as HTML pages
 *        (and /fact-checks/ID, /fact-checks)        (pages_claims.c)
 * Analysts:
 *   GET  /api/v1/tipline?status=&assignee=&offset=&limit=   the queue + counts
 *   GET  /api/v1/tipline/ID                        an item, its submissions, draft
 *   POST /api/v1/tipline/ID/assign {"to"?}         to me (or to another analyst)
 *   PUT  /api/v1/tipline/ID/draft {"claim"?, "verdict"?, "explanation"?,
 *                                  "write_up"?, "evidence"?}
 *   POST /api/v1/tipline/ID/publish {"allow_similar"?}  409 when already published
 *                                                  or another fact-check has the claim
 *   POST /api/v1/tipline/ID/dismiss {"note"}       not worth checking
 *   POST /api/v1/fact-checks/ID/corrections {"note", + the fields changed}
 *
 * The one idea: this file is HTTP only - the shape of each request is
 * checked here (types, unknown fields: the error names the field) and the
 * desk itself (claims_desk.c over lib's fact-check store) decides everything
 * else; its errors map to statuses in one place, desk_fail().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "server.h"

#define SEARCH_MAX_LIMIT 100
#define QUERY_MAX_BYTES 1024

static int no_desk(srv_req *r, srv_resp *out)
{
    if (r->s->desk)
        return 0;
    srv_error(r, out, 503, "unavailable", NULL, "Máy chủ chạy không có bàn kiểm chứng",
              "this server runs without the fact-check desk");
    return 1;
}

static void ok_json(srv_resp *out, unsigned status, json_t *j)
{
    memset(out, 0, sizeof *out);
    out->status = status;
    out->json = j;
}

/* The desk's error as a response.  The library's message starts with the
 * field at fault ("verdict: ...") when there is one. */
static void desk_fail(srv_req *r, srv_resp *out, nt_err rc, const nt_diag *d,
                      const char *const *fields)
{
    /* the field: the message's first word before ':' ("evidence[1]"), when
       its name (before any '[') is one this endpoint takes */
    char field[64] = "";
    size_t n = strcspn(d->message, ": ");
    size_t base = strcspn(d->message, "[: ");
    for (size_t k = 0; fields && fields[k] && d->message[n] == ':' && n < sizeof field; k++)
        if (strlen(fields[k]) == base && strncmp(d->message, fields[k], base) == 0) {
            memcpy(field, d->message, n);
            field[n] = 0;
        }
    const char *f = field[0] ? field : NULL;
    const char *msg = d->message[0] ? d->message : nt_strerror(rc);
    switch (rc) {
    case NT_ERR_NOT_FOUND:
        srv_error(r, out, 404, "not_found", NULL, "Không có mục này", "no such item");
        break;
    case NT_ERR_STATE:
        srv_error(r, out, 409, "conflict", f, msg, msg);
        break;
    case NT_ERR_TOO_BIG:
        srv_error(r, out, 413, "payload_too_large", f, msg, msg);
        break;
    case NT_ERR_EMPTY:
        srv_error(r, out, 400, "missing_field", f, msg, msg);
        break;
    case NT_ERR_INVALID:
    case NT_ERR_UTF8:
    case NT_ERR_PARSE:
        srv_error(r, out, 400, "bad_field", f, msg, msg);
        break;
    case NT_ERR_NOMEM:
        srv_error(r, out, 503, "overloaded", NULL, "Máy chủ hết bộ nhớ", "out of memory");
        break;
    default:
        srv_error(r, out, 500, "internal", NULL, "Lỗi máy chủ", "internal error");
    }
}

/* A query parameter as a non-negative integer (def when absent); -1 when bad. */
static long long q_int(srv_req *r, const char *name, long long def, long long lo, long long hi)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    if (!v)
        return def;
    char *end;
    long long x = strtoll(v, &end, 10);
    return *v && !*end && x >= lo && x <= hi ? x : -1;
}

/* The path segment after prefix ("/api/v1/tipline/"), up to the next '/',
 * copied into buf; 0 when empty or too long. */
static int path_segment(const srv_req *r, const char *prefix, char *buf, size_t cap)
{
    const char *p = r->path + strlen(prefix);
    size_t n = strcspn(p, "/");
    if (!n || n >= cap)
        return 0;
    memcpy(buf, p, n);
    buf[n] = 0;
    return 1;
}

static int item_id(const srv_req *r, int64_t *id)
{
    char buf[32], *end;
    if (!path_segment(r, "/api/v1/tipline/", buf, sizeof buf))
        return 0;
    long long x = strtoll(buf, &end, 10);
    *id = x;
    return !*end && x > 0;
}

/* An optional member that must be a string (or null: absent).  0 when fine. */
static int opt_string(srv_req *r, srv_resp *out, json_t *body, const char *key, const char **dst)
{
    json_t *v = json_object_get(body, key);
    *dst = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        char vi[160], en[160];
        snprintf(vi, sizeof vi, "%s phải là chuỗi", key);
        snprintf(en, sizeof en, "%s must be a string", key);
        srv_error(r, out, 400, "bad_field", key, vi, en);
        return -1;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        char vi[160], en[160];
        snprintf(vi, sizeof vi, "%s chứa ký tự NUL", key);
        snprintf(en, sizeof en, "%s contains a NUL character", key);
        srv_error(r, out, 400, "bad_field", key, vi, en);
        return -1;
    }
    *dst = json_string_value(v);
    return 0;
}

/* The request's "lang" member switches the reply's language, like ?lang=. */
static int body_lang(srv_req *r, srv_resp *out, json_t *body)
{
    const char *lang;
    if (opt_string(r, out, body, "lang", &lang) != 0)
        return -1;
    if (lang && strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0) {
        srv_error(r, out, 400, "bad_field", "lang", "lang là vi hoặc en", "lang is vi or en");
        return -1;
    }
    if (lang)
        r->en = strcmp(lang, "en") == 0;
    return 0;
}

/* ---- public ---------------------------------------------------------------------- */

void api_tip_submit(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"text", "url", "kind", "channel", "lang", NULL};
    if (no_desk(r, out))
        return;
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    desk_tip in;
    memset(&in, 0, sizeof in);
    if (srv_only_fields(r, body, fields, out) != 0 || body_lang(r, out, body) != 0 ||
        opt_string(r, out, body, "text", &in.text) != 0 ||
        opt_string(r, out, body, "url", &in.url) != 0 ||
        opt_string(r, out, body, "kind", &in.kind) != 0 ||
        opt_string(r, out, body, "channel", &in.channel) != 0)
        goto cleanup;
    if ((!in.text || !*in.text) && (!in.url || !*in.url)) {
        srv_error(r, out, 400, "missing_field", "text",
                  "Hãy gửi nội dung tin đồn (text) hoặc một đường link (url)",
                  "send the rumour's text or a link (url)");
        goto cleanup;
    }
    if (in.kind && strcmp(in.kind, "text") != 0 && strcmp(in.kind, "link") != 0 &&
        strcmp(in.kind, "forward") != 0) {
        srv_error(r, out, 400, "bad_field", "kind", "kind là text, link hoặc forward",
                  "kind is text, link or forward");
        goto cleanup;
    }
    in.client = r->client;
    in.who = &r->who;
    json_t *res = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_submit(r->s, &in, r->en, &res, &d);
    if (rc) {
        desk_fail(r, out, rc, &d, fields);
        goto cleanup;
    }
    int checked = strcmp(json_string_value(json_object_get(res, "status")), "checked") == 0;
    json_object_set_new(res, "message",
                        json_string(checked ? (r->en ? "This was already fact-checked."
                                                     : "Tin này đã được kiểm chứng.")
                                            : (r->en ? "Received: an analyst will check it."
                                                     : "Đã nhận: chuyên viên sẽ kiểm chứng tin này.")));
    ok_json(out, checked ? 200 : 202, res);
cleanup:
    json_decref(body);
}

void api_factcheck_search(srv_req *r, srv_resp *out)
{
    if (no_desk(r, out))
        return;
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "q");
    long long offset = q_int(r, "offset", 0, 0, 1000000000);
    long long limit = q_int(r, "limit", 20, 1, SEARCH_MAX_LIMIT);
    if (offset < 0 || limit < 0) {
        srv_error(r, out, 400, "bad_field", offset < 0 ? "offset" : "limit",
                  "offset là số nguyên không âm, limit từ 1 đến 100",
                  "offset is a non-negative integer, limit 1 to 100");
        return;
    }
    if (q && (strlen(q) > QUERY_MAX_BYTES || nt_utf8_validate(q, strlen(q), NULL) != NT_OK)) {
        srv_error(r, out, 400, "bad_field", "q", "Từ khoá quá dài (tối đa 1024 byte) hoặc không phải UTF-8",
                  "q is too long (at most 1024 bytes) or not UTF-8");
        return;
    }
    json_t *items = NULL;
    size_t total = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_search(r->s, q ? q : "", (size_t)offset, (size_t)limit, r->en, &items, &total, &d);
    if (rc) {
        static const char *const f[] = {"q", NULL};
        desk_fail(r, out, rc, &d, f);
        return;
    }
    ok_json(out, 200,
            json_pack("{s:s, s:I, s:I, s:I, s:o}", "q", q ? q : "", "offset", (json_int_t)offset,
                      "limit", (json_int_t)limit, "total", (json_int_t)total, "items", items));
}

void api_factcheck_get(srv_req *r, srv_resp *out)
{
    if (no_desk(r, out))
        return;
    char id[NT_CLAIM_MAX_ID_BYTES + 1];
    if (!path_segment(r, "/api/v1/fact-checks/", id, sizeof id)) {
        srv_error(r, out, 404, "not_found", NULL, "Không có bài kiểm chứng này", "no such fact-check");
        return;
    }
    json_t *fc = NULL, *cr = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_factcheck(r->s, id, r->en, &fc, &cr, &d);
    if (rc == NT_ERR_NOT_FOUND) {
        srv_error(r, out, 404, "not_found", NULL, "Không có bài kiểm chứng này", "no such fact-check");
        return;
    }
    if (rc) {
        desk_fail(r, out, rc, &d, NULL);
        return;
    }
    json_object_set_new(fc, "claim_review", cr ? cr : json_null());
    ok_json(out, 200, fc);
}

/* The pages are Vietnamese unless ?lang=en (not Accept-Language: a link
 * shared from the Vietnamese app must open in Vietnamese). */
static void page_lang(srv_req *r)
{
    const char *l = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "lang");
    r->en = l && strcmp(l, "en") == 0;
}

/* GET /kiem-chung/ID (and /fact-checks/ID): the HTML page. */
void page_factcheck(srv_req *r, srv_resp *out)
{
    page_lang(r);
    if (!r->s->desk) {
        claims_page_error(r, out, 503, "Máy chủ chạy không có bàn kiểm chứng",
                          "This server runs without the fact-check desk");
        return;
    }
    char id[NT_CLAIM_MAX_ID_BYTES + 1];
    json_t *fc = NULL, *cr = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    const char *prefix = strncmp(r->path, "/kiem-chung/", 12) == 0 ? "/kiem-chung/" : "/fact-checks/";
    nt_err rc = path_segment(r, prefix, id, sizeof id)
                    ? desk_factcheck(r->s, id, r->en, &fc, &cr, &d)
                    : NT_ERR_NOT_FOUND;
    if (rc) {
        if (rc == NT_ERR_NOT_FOUND)
            claims_page_error(r, out, 404, "Không có bài kiểm chứng này", "No such fact-check");
        else
            claims_page_error(r, out, 500, "Lỗi máy chủ", "Internal error");
        return;
    }
    claims_page_factcheck(r, out, fc, cr);
    json_decref(fc);
    json_decref(cr);
}

void page_factcheck_index(srv_req *r, srv_resp *out)
{
    page_lang(r);
    if (!r->s->desk) {
        claims_page_error(r, out, 503, "Máy chủ chạy không có bàn kiểm chứng",
                          "This server runs without the fact-check desk");
        return;
    }
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "q");
    long long offset = q_int(r, "offset", 0, 0, 1000000000);
    if (offset < 0 ||
        (q && (strlen(q) > QUERY_MAX_BYTES || nt_utf8_validate(q, strlen(q), NULL) != NT_OK))) {
        claims_page_error(r, out, 400, "Tham số không hợp lệ", "Bad parameters");
        return;
    }
    json_t *items = NULL;
    size_t total = 0;
    nt_diag d;
    nt_diag_clear(&d);
    if (desk_search(r->s, q ? q : "", (size_t)offset, 20, r->en, &items, &total, &d) != NT_OK) {
        claims_page_error(r, out, 500, "Lỗi máy chủ", "Internal error");
        return;
    }
    claims_page_index(r, out, items, total, (size_t)offset, 20, q ? q : "");
    json_decref(items);
}

/* ---- analysts ---------------------------------------------------------------------- */

void api_tipline_list(srv_req *r, srv_resp *out)
{
    if (no_desk(r, out))
        return;
    const char *status = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "status");
    const char *assignee = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "assignee");
    long long offset = q_int(r, "offset", 0, 0, 1000000000);
    long long limit = q_int(r, "limit", 50, 1, 500);
    if (offset < 0 || limit < 0) {
        srv_error(r, out, 400, "bad_field", offset < 0 ? "offset" : "limit",
                  "offset là số nguyên không âm, limit từ 1 đến 500",
                  "offset is a non-negative integer, limit 1 to 500");
        return;
    }
    if (assignee && strcmp(assignee, "me") == 0)
        assignee = r->who.name;
    json_t *res = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_list(r->s, status, assignee, (size_t)offset, (size_t)limit, &res, &d);
    if (rc) {
        static const char *const f[] = {"status", "assignee", NULL};
        desk_fail(r, out, rc, &d, f);
        return;
    }
    ok_json(out, 200, res);
}

/* GET /api/v1/tipline/ID and the verbs on it (POST .../assign, PUT
 * .../draft, POST .../publish). */
static void reply_item(srv_req *r, srv_resp *out, int64_t id, unsigned status)
{
    json_t *it = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_item(r->s, id, r->en, &it, &d);
    if (rc)
        desk_fail(r, out, rc, &d, NULL);
    else
        ok_json(out, status, it);
}

void api_tipline_item(srv_req *r, srv_resp *out)
{
    int64_t id;
    if (no_desk(r, out))
        return;
    if (!item_id(r, &id)) {
        srv_error(r, out, 404, "not_found", NULL, "Không có mục này", "no such item");
        return;
    }
    reply_item(r, out, id, 200);
}

void api_tipline_assign(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"to", "lang", NULL};
    int64_t id;
    if (no_desk(r, out))
        return;
    if (!item_id(r, &id)) {
        srv_error(r, out, 404, "not_found", NULL, "Không có mục này", "no such item");
        return;
    }
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    const char *to;
    if (srv_only_fields(r, body, fields, out) != 0 || body_lang(r, out, body) != 0 ||
        opt_string(r, out, body, "to", &to) != 0)
        goto cleanup;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_assign(r->s, &r->who, id, to ? to : r->who.name, &d);
    if (rc) {
        desk_fail(r, out, rc, &d, fields);
        goto cleanup;
    }
    reply_item(r, out, id, 200);
cleanup:
    json_decref(body);
}

/* The editable fields of a draft or a correction, checked for type. */
static int parse_edit(srv_req *r, srv_resp *out, json_t *body, desk_edit *e)
{
    memset(e, 0, sizeof *e);
    if (opt_string(r, out, body, "claim", &e->claim) != 0 ||
        opt_string(r, out, body, "headline", &e->headline) != 0 ||
        opt_string(r, out, body, "claim_author", &e->claim_author) != 0 ||
        opt_string(r, out, body, "claim_date", &e->claim_date) != 0 ||
        opt_string(r, out, body, "appearance", &e->appearance) != 0 ||
        opt_string(r, out, body, "verdict", &e->verdict) != 0 ||
        opt_string(r, out, body, "explanation", &e->explanation) != 0 ||
        opt_string(r, out, body, "write_up", &e->write_up) != 0 ||
        opt_string(r, out, body, "note", &e->note) != 0)
        return -1;
    json_t *ev = json_object_get(body, "evidence");
    if (ev && !json_is_null(ev)) {
        size_t i;
        json_t *v;
        if (!json_is_array(ev)) {
            srv_error(r, out, 400, "bad_field", "evidence", "evidence là một mảng đường link",
                      "evidence is an array of links");
            return -1;
        }
        json_array_foreach(ev, i, v)
        {
            if (!json_is_string(v)) {
                char f[40];
                snprintf(f, sizeof f, "evidence[%zu]", i);
                srv_error(r, out, 400, "bad_field", f, "Mỗi bằng chứng là một đường link (chuỗi)",
                          "each piece of evidence is a link (a string)");
                return -1;
            }
        }
        e->evidence = ev;
    }
    return 0;
}

static const char *const edit_fields[] = {
    "claim",    "headline",     "verdict",    "explanation", "write_up", "evidence",
    "claim_author", "claim_date", "appearance", "lang",        NULL};

void api_tipline_draft(srv_req *r, srv_resp *out)
{
    int64_t id;
    if (no_desk(r, out))
        return;
    if (!item_id(r, &id)) {
        srv_error(r, out, 404, "not_found", NULL, "Không có mục này", "no such item");
        return;
    }
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    desk_edit e;
    if (srv_only_fields(r, body, edit_fields, out) != 0 || body_lang(r, out, body) != 0 ||
        parse_edit(r, out, body, &e) != 0)
        goto cleanup;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_draft(r->s, &r->who, id, &e, &d);
    if (rc) {
        desk_fail(r, out, rc, &d, edit_fields);
        goto cleanup;
    }
    reply_item(r, out, id, 200);
cleanup:
    json_decref(body);
}

void api_tipline_publish(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"allow_similar", "lang", NULL};
    int allow_similar = 0;
    int64_t id;
    if (no_desk(r, out))
        return;
    if (!item_id(r, &id)) {
        srv_error(r, out, 404, "not_found", NULL, "Không có mục này", "no such item");
        return;
    }
    /* an empty body is fine here; a body that is there must be a JSON object */
    json_t *body = NULL;
    if (r->body_len) {
        body = srv_body_object(r, out);
        if (!body)
            return;
        if (srv_only_fields(r, body, fields, out) != 0 || body_lang(r, out, body) != 0)
            goto cleanup;
        json_t *as = json_object_get(body, "allow_similar");
        if (as && !json_is_boolean(as)) {
            srv_error(r, out, 400, "bad_field", "allow_similar", "allow_similar là true hoặc false",
                      "allow_similar is true or false");
            goto cleanup;
        }
        allow_similar = json_is_true(as);
    }
    json_t *fc = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    static const char *const draft_fields[] = {"claim", "verdict", "explanation", "write_up",
                                               "evidence", NULL};
    nt_err rc = desk_publish(r->s, &r->who, id, allow_similar, r->en, &fc, &d);
    if (rc) {
        desk_fail(r, out, rc, &d, draft_fields);
        goto cleanup;
    }
    ok_json(out, 201, fc);
cleanup:
    json_decref(body);
}

void api_tipline_dismiss(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"note", "lang", NULL};
    int64_t id;
    if (no_desk(r, out))
        return;
    if (!item_id(r, &id)) {
        srv_error(r, out, 404, "not_found", NULL, "Không có mục này", "no such item");
        return;
    }
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    const char *note;
    if (srv_only_fields(r, body, fields, out) != 0 || body_lang(r, out, body) != 0 ||
        opt_string(r, out, body, "note", &note) != 0)
        goto cleanup;
    if (!note || !*note) {
        srv_error(r, out, 400, "missing_field", "note", "Cần ghi lý do bỏ qua (note)",
                  "dismissing needs a reason (note)");
        goto cleanup;
    }
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_dismiss(r->s, &r->who, id, note, &d);
    if (rc) {
        desk_fail(r, out, rc, &d, fields);
        goto cleanup;
    }
    reply_item(r, out, id, 200);
cleanup:
    json_decref(body);
}

void api_factcheck_correct(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {
        "note",     "claim",        "headline",   "verdict",    "explanation", "write_up",
        "evidence", "claim_author", "claim_date", "appearance", "lang",        NULL};
    if (no_desk(r, out))
        return;
    char id[NT_CLAIM_MAX_ID_BYTES + 1];
    if (!path_segment(r, "/api/v1/fact-checks/", id, sizeof id)) {
        srv_error(r, out, 404, "not_found", NULL, "Không có bài kiểm chứng này", "no such fact-check");
        return;
    }
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    desk_edit e;
    if (srv_only_fields(r, body, fields, out) != 0 || body_lang(r, out, body) != 0 ||
        parse_edit(r, out, body, &e) != 0)
        goto cleanup;
    if (!e.note || !*e.note) {
        srv_error(r, out, 400, "missing_field", "note",
                  "Đính chính cần ghi rõ đã sửa gì và vì sao (note)",
                  "a correction needs a note saying what changed and why");
        goto cleanup;
    }
    json_t *fc = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = desk_correct(r->s, &r->who, id, &e, r->en, &fc, &d);
    if (rc) {
        desk_fail(r, out, rc, &d, fields);
        goto cleanup;
    }
    ok_json(out, 200, fc);
cleanup:
    json_decref(body);
}
