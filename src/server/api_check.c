/*
 * src/server/api_check.c - the message check over HTTP.
 *
 *   POST /api/v1/check               {"text": "...", "lang"?: "vi"|"en", "id"?: any}
 *   POST /api/v1/check/conversation  {"turns": [{"speaker"?, "text", "time"?}...], "lang"?}
 *
 * The verdict is the same JSON as `niemtin check --json` (src/check_json.c),
 * so the web app, the API and the command line never disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_json.h"
#include "server.h"

#define MAX_TURNS 1000

/* "lang" member: sets r->en; 0 on success. */
static int take_lang(srv_req *r, json_t *body, srv_resp *out)
{
    json_t *lang = json_object_get(body, "lang");
    if (!lang)
        return 0;
    const char *v = json_string_value(lang);
    if (!v || (strcmp(v, "vi") != 0 && strcmp(v, "en") != 0)) {
        srv_error(r, out, 400, "bad_field", "lang", "\"lang\" phải là \"vi\" hoặc \"en\"",
                  "\"lang\" must be \"vi\" or \"en\"");
        return -1;
    }
    r->en = strcmp(v, "en") == 0;
    return 0;
}

/* The error of a failed check, as a response. */
static void check_failed(srv_req *r, srv_resp *out, nt_err rc, const char *field)
{
    if (rc == NT_ERR_TOO_BIG)
        srv_error(r, out, 413, "payload_too_large", field, "Tin nhắn quá dài",
                  "the message is too long");
    else if (rc == NT_ERR_NOMEM)
        srv_error(r, out, 503, "overloaded", NULL, "Máy chủ đang quá tải, thử lại sau",
                  "the server is out of memory, try again later");
    else
        srv_error(r, out, 500, "internal", NULL, "Lỗi máy chủ", "internal error");
}

void api_check(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"text", "lang", "id", NULL};
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    nt_check_result *res = NULL;
    json_t *text = json_object_get(body, "text");
    if (srv_only_fields(r, body, fields, out) != 0 || take_lang(r, body, out) != 0)
        goto cleanup;
    if (!text) {
        srv_error(r, out, 400, "missing_field", "text", "Thiếu trường \"text\" (tin nhắn)",
                  "missing field \"text\" (the message)");
        goto cleanup;
    }
    if (!json_is_string(text)) {
        srv_error(r, out, 400, "bad_field", "text", "\"text\" phải là một chuỗi",
                  "\"text\" must be a string");
        goto cleanup;
    }
    nt_check_scratch *sc = srv_scratch(r->s);
    if (!sc) {
        check_failed(r, out, NT_ERR_NOMEM, NULL);
        goto cleanup;
    }
    const char *t = json_string_value(text);
    size_t len = json_string_length(text);
    nt_err rc = nt_engine_check(r->s->eng, sc, t, len, &res, NULL);
    if (rc) {
        check_failed(r, out, rc, "text");
        goto cleanup;
    }
    atomic_fetch_add_explicit(&r->s->checks[nt_check_level(res)], 1, memory_order_relaxed);
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = check_result_json(r->en, r->s->eng, res, t);
    json_t *fcs = desk_check_factchecks(r->s, t, len, r->en);
    if (fcs)
        json_object_set_new(out->json, "fact_checks", fcs);
    json_t *id = json_object_get(body, "id");
    if (id)
        json_object_set(out->json, "id", id);
cleanup:
    nt_check_result_free(res);
    json_decref(body);
}

void api_check_conversation(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"turns", "lang", "id", NULL};
    static const char *const turn_fields[] = {"speaker", "text", "time", NULL};
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    nt_conversation *conv = NULL;
    json_t *turns = json_object_get(body, "turns");
    if (srv_only_fields(r, body, fields, out) != 0 || take_lang(r, body, out) != 0)
        goto cleanup;
    if (!json_is_array(turns) || json_array_size(turns) == 0 ||
        json_array_size(turns) > MAX_TURNS) {
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "\"turns\" phải là một mảng từ 1 đến %d lượt nhắn", MAX_TURNS);
        snprintf(en, sizeof en, "\"turns\" must be an array of 1 to %d turns", MAX_TURNS);
        srv_error(r, out, 400, turns ? "bad_field" : "missing_field", "turns", vi, en);
        goto cleanup;
    }
    nt_check_scratch *sc = srv_scratch(r->s);
    if (!sc || nt_conversation_new(r->s->eng, &conv) != NT_OK) {
        check_failed(r, out, NT_ERR_NOMEM, NULL);
        goto cleanup;
    }
    size_t i;
    json_t *turn;
    json_array_foreach(turns, i, turn)
    {
        char field[128];
        snprintf(field, sizeof field, "turns[%zu]", i);
        if (!json_is_object(turn)) {
            srv_error(r, out, 400, "bad_field", field, "Mỗi lượt phải là một đối tượng",
                      "each turn must be an object");
            goto cleanup;
        }
        const char *key;
        json_t *v;
        json_object_foreach(turn, key, v)
        {
            int ok = 0;
            for (size_t k = 0; turn_fields[k] && !ok; k++)
                ok = strcmp(key, turn_fields[k]) == 0;
            if (!ok) {
                snprintf(field, sizeof field, "turns[%zu].%.40s", i, key);
                srv_error(r, out, 400, "unknown_field", field, "Trường không được hỗ trợ",
                          "unknown field");
                goto cleanup;
            }
        }
        json_t *text = json_object_get(turn, "text");
        json_t *speaker = json_object_get(turn, "speaker");
        if (!json_is_string(text) || (speaker && !json_is_string(speaker))) {
            snprintf(field, sizeof field, "turns[%zu].%s", i,
                     !json_is_string(text) ? "text" : "speaker");
            srv_error(r, out, 400, text ? "bad_field" : "missing_field", field,
                      "Mỗi lượt cần \"text\" là chuỗi (và \"speaker\" nếu có là chuỗi)",
                      "each turn needs a string \"text\" (and \"speaker\", if given, a string)");
            goto cleanup;
        }
        nt_err rc = nt_conversation_add(conv, sc, speaker ? json_string_value(speaker) : NULL,
                                        json_string_value(text), json_string_length(text), NULL);
        if (rc) {
            snprintf(field, sizeof field, "turns[%zu].text", i);
            check_failed(r, out, rc, field);
            goto cleanup;
        }
    }
    size_t n = nt_conversation_turns(conv);
    json_t *tj = json_array();
    for (size_t k = 0; k < n; k++) {
        const nt_check_result *res = nt_conversation_turn(conv, k);
        json_t *one = check_result_json(r->en, r->s->eng, res,
                                        json_string_value(json_object_get(
                                            json_array_get(turns, k), "text")));
        json_object_del(one, "advice");
        json_object_del(one, "hotlines");
        int risk_at = nt_conversation_risk_at(conv, k);
        json_object_set_new(one, "speaker", json_string(nt_conversation_speaker(conv, k)));
        json_object_set_new(one, "conversation_risk", json_integer(risk_at));
        json_object_set_new(one, "conversation_level",
                            json_string(nt_level_name(risk_at >= nt_level_threshold(
                                                                     NT_LEVEL_DANGEROUS)
                                                          ? NT_LEVEL_DANGEROUS
                                                      : risk_at >= nt_level_threshold(
                                                                       NT_LEVEL_SUSPICIOUS)
                                                          ? NT_LEVEL_SUSPICIOUS
                                                          : NT_LEVEL_SAFE)));
        json_array_append_new(tj, one);
    }
    nt_level level = nt_conversation_level(conv);
    atomic_fetch_add_explicit(&r->s->checks[level], 1, memory_order_relaxed);
    const nt_taxonomy *tax = nt_engine_taxonomy(r->s->eng);
    const char *ln = nt_level_name(level);
    long dturn = nt_conversation_dangerous_turn(conv);
    json_t *tactics = json_array();
    static const char *const ids[] = {"fear", "lure", "control"};
    for (int k = 0; k < 3; k++) {
        int sc_k = nt_conversation_score(conv, ids[k]);
        if (sc_k)
            json_array_append_new(tactics,
                                  json_pack("{s:s, s:s, s:i, s:s}", "id", ids[k], "name",
                                            check_tax_text(r->en, tax, ids[k], "name"), "score",
                                            sc_k, "explain",
                                            check_tax_text(r->en, tax, ids[k], "child")));
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack(
        "{s:i, s:s, s:s, s:s, s:o, s:o, s:o}", "risk", nt_conversation_risk_at(conv, n - 1),
        "level", ln, "level_text", check_tax_text(r->en, tax, ln, "name"), "advice",
        check_tax_text(r->en, tax, ln, "advice"), "dangerous_turn",
        dturn >= 0 ? json_integer(dturn) : json_null(), "tactics", tactics, "turns", tj);
    json_t *id = json_object_get(body, "id");
    if (id)
        json_object_set(out->json, "id", id);
cleanup:
    nt_conversation_free(conv);
    json_decref(body);
}
