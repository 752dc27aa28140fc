/*
 * src/server/api_registry.c - the early-warning registry over HTTP, for the
 * public (anonymous) role:
 *
 *   GET  /api/v1/lookup?value=V[&type=T]   is this number, account or link listed?
 *   POST /api/v1/reports                    report a scam indicator
 *
 * Lookups read the lock-free index and never wait for a writer; a report is
 * one transaction in the store and is in the index when the call returns.
 * Members' batch lookups, the feed and analysts' reviews need an account
 * (docs/accounts.md) and arrive with the server's authentication.
 */
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
    nt_err rc = nt_registry_report(r->s->reg, &in, &report_id, &indicator_id, &d);
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
