/*
 * src/registry_json.c - a registry answer for people and programs: the
 * one-line verdict, labels for types and match kinds, and the JSON shared by
 * `niemtin lookup --json` and the HTTP API, in Vietnamese or English.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "registry_json.h"

#define T(en, vi_text, en_text) ((en) ? (en_text) : (vi_text))

json_t *reg_iso_time(int64_t t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return json_null();
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

const char *reg_type_label(int en, nt_ind_type t)
{
    switch (t) {
    case NT_IND_URL:
        return T(en, "đường link", "URL");
    case NT_IND_DOMAIN:
        return T(en, "tên miền", "domain");
    case NT_IND_IP:
        return T(en, "địa chỉ IP", "IP address");
    case NT_IND_PHONE:
        return T(en, "số điện thoại", "phone number");
    case NT_IND_BANK_ACCOUNT:
        return T(en, "tài khoản ngân hàng", "bank account");
    case NT_IND_EMAIL:
        return "email";
    case NT_IND_SOCIAL:
        return T(en, "tài khoản mạng xã hội", "social account");
    case NT_IND_WALLET:
        return T(en, "ví tiền số", "crypto wallet");
    default:
        return nt_ind_type_name(t);
    }
}

const char *reg_via_label(int en, nt_match_via v)
{
    switch (v) {
    case NT_MATCH_EXACT:
        return T(en, "trùng khớp", "exact");
    case NT_MATCH_URL_EXPRESSION:
        return T(en, "biểu thức URL", "URL expression");
    case NT_MATCH_HOST:
        return T(en, "tên máy chủ của link", "the link's host");
    case NT_MATCH_PARENT_DOMAIN:
        return T(en, "tên miền cha", "parent domain");
    case NT_MATCH_REGISTRABLE_DOMAIN:
        return T(en, "tên miền đăng ký", "registrable domain");
    case NT_MATCH_IP_HOST:
        return T(en, "IP của link", "the link's IP");
    case NT_MATCH_ACCOUNT_DIGITS:
        return T(en, "cùng số tài khoản", "same account digits");
    }
    return "";
}

const char *reg_verdict(int en, const nt_reg_answer *a)
{
    switch (a->status) {
    case NT_STATUS_CONFIRMED:
        return T(en, "LỪA ĐẢO — đã xác nhận. Không chuyển tiền, không bấm link, không cung cấp OTP.",
                 "SCAM — confirmed. Do not send money, open the link or give any OTP.");
    case NT_STATUS_DISPUTED:
        return T(en, "Đã xác nhận lừa đảo, đang có khiếu nại — hãy thận trọng.",
                 "Confirmed as a scam, under appeal — be careful.");
    case NT_STATUS_REPORTED:
    case NT_STATUS_UNDER_REVIEW:
        if (a->score >= NT_REPUTATION_WARN)
            return T(en, "Nhiều người đã báo cáo lừa đảo, chưa xác minh — hãy rất thận trọng.",
                     "Reported as a scam by several people, not yet verified — be very careful.");
        return T(en, "Có báo cáo, chưa xác minh.", "Reported, not yet verified.");
    case NT_STATUS_REJECTED:
    case NT_STATUS_CLEARED:
    case NT_STATUS_EXPIRED:
        return T(en, "Không còn cảnh báo.", "No current warning.");
    default:
        return T(en, "Chưa có trong danh sách cảnh báo (không có nghĩa là an toàn).",
                 "Not in the warning list (which does not mean it is safe).");
    }
}

static json_t *match_json(int en, const nt_reg_match *m)
{
    char ex[512];
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(m->id));
    json_object_set_new(j, "type", json_string(nt_ind_type_name(m->type)));
    json_object_set_new(j, "value", json_string(m->value));
    json_object_set_new(j, "via", json_string(nt_match_via_name(m->via)));
    json_object_set_new(j, "status", json_string(nt_status_name(m->status)));
    json_object_set_new(j, "source", m->source ? json_string(m->source) : json_null());
    json_object_set_new(j, "reports", json_integer(m->n_reports));
    json_object_set_new(j, "reporters", json_integer(m->n_reporters));
    json_object_set_new(j, "score", json_real((double)(int)(m->score * 10 + 0.5) / 10));
    json_object_set_new(j, "first_seen", reg_iso_time(m->first_seen));
    json_object_set_new(j, "last_seen", reg_iso_time(m->last_seen));
    json_object_set_new(j, "status_at", reg_iso_time(m->status_at));
    json_object_set_new(j, "explanation",
                        json_string(nt_reg_explain(m, en, ex, sizeof ex)));
    return j;
}

json_t *reg_answer_json(int en, const nt_reg_answer *a)
{
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string(nt_ind_type_name(a->type)));
    json_object_set_new(j, "canonical", json_string(a->canonical ? a->canonical : ""));
    json_object_set_new(j, "status",
                        a->status ? json_string(nt_status_name(a->status)) : json_null());
    json_object_set_new(j, "score", json_real((double)(int)(a->score * 10 + 0.5) / 10));
    json_object_set_new(j, "verdict", json_string(reg_verdict(en, a)));
    json_object_set_new(j, "matches_total", json_integer((json_int_t)a->n_total));
    json_t *ms = json_array();
    for (size_t i = 0; i < a->n_matches; i++)
        json_array_append_new(ms, match_json(en, &a->matches[i]));
    json_object_set_new(j, "matches", ms);
    return j;
}

