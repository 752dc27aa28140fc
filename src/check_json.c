/*
 * src/check_json.c - a check result as JSON: the one rendering shared by
 * `niemtin check --json`, `check --batch` and the HTTP API, so the command
 * line and the web app always show the same verdict, evidence and advice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_json.h"
#include "cli.h"

#define T(en, vi_text, en_text) ((en) ? (en_text) : (vi_text))

static const char *tactics[] = {"fear", "lure", "control"};


const char *check_tax_text(int en, const nt_taxonomy *tax, const char *id, const char *f)
{
    char field[64];
    snprintf(field, sizeof field, "%s_%s", f, en ? "en" : "vi");
    const char *s = nt_taxonomy_text(tax, id, field);
    return s ? s : id;
}

static json_t *spans_json(const char *text, const nt_rule_hit *h)
{
    json_t *a = json_array();
    for (size_t k = 0; k < h->nspans; k++)
        json_array_append_new(a, json_pack("{s:I, s:I, s:o}", "start", (json_int_t)h->spans[k].start,
                                           "end", (json_int_t)h->spans[k].end, "text",
                                           cli_json_text(text + h->spans[k].start,
                                                         h->spans[k].end - h->spans[k].start)));
    return a;
}

json_t *check_result_json(int en, const nt_engine *eng, const nt_check_result *r,
                          const char *text)
{
    const nt_taxonomy *tax = nt_engine_taxonomy(eng);
    const nt_ruleset *rs = nt_check_result_rules(r);
    const char *level = nt_level_name(nt_check_level(r));
    json_t *root = json_pack("{s:i, s:s, s:b, s:s, s:s}", "risk", nt_check_risk(r), "level", level,
                             "empty", nt_check_is_empty(r),
                             "level_text", check_tax_text(en, tax, level, "name"), "advice",
                             check_tax_text(en, tax, level, "advice"));
    json_t *tj = json_array();
    for (size_t i = 0; i < 3; i++) {
        int score = nt_check_score(r, tactics[i]);
        if (score == 0)
            continue;
        json_array_append_new(tj, json_pack("{s:s, s:s, s:i, s:s}", "id", tactics[i], "name",
                                            check_tax_text(en, tax, tactics[i], "name"), "score", score,
                                            "explain", check_tax_text(en, tax, tactics[i], "child")));
    }
    json_object_set_new(root, "tactics", tj);
    json_t *cj = json_array();
    json_t *rj = json_array();
    const nt_rule_hits *hits = nt_check_rule_hits(r);
    for (size_t i = 0; i < nt_rule_hits_count(hits); i++) {
        const nt_rule_hit *h = nt_rule_hits_get(hits, i);
        nt_rule_info info;
        nt_ruleset_info(rs, h->rule, &info);
        json_array_append_new(
            rj, json_pack("{s:s, s:s, s:s, s:i, s:s, s:o}", "rule", h->id, "tactic", h->tactic,
                          "category", h->category, "weight", h->weight, "description",
                          en ? info.text_en : info.text_vi, "evidence",
                          spans_json(text, h)));
        int seen = !*h->category;
        for (size_t k = 0; k < json_array_size(cj) && !seen; k++)
            seen = strcmp(json_string_value(json_object_get(json_array_get(cj, k), "id")),
                          h->category) == 0;
        if (!seen)
            json_array_append_new(
                cj, json_pack("{s:s, s:s, s:i, s:s}", "id", h->category, "name",
                              check_tax_text(en, tax, h->category, "name"), "score",
                              nt_check_score(r, h->category), "advice",
                              check_tax_text(en, tax, h->category, "advice")));
    }
    json_object_set_new(root, "categories", cj);
    json_object_set_new(root, "rules", rj);
    json_t *ij = json_array();
    const nt_indicator_list *inds = nt_check_indicators(r);
    for (size_t i = 0; i < nt_indicator_list_count(inds); i++) {
        const nt_indicator *ind = nt_indicator_list_get(inds, i);
        json_t *oj = json_pack("{s:s, s:s, s:I, s:I}", "type", nt_ind_type_name(ind->type),
                               "value", ind->value, "start", (json_int_t)ind->start, "end",
                               (json_int_t)ind->end);
        nt_reg_match m;
        if (nt_check_registry(r, i, &m)) {
            char why[512];
            json_object_set_new(
                oj, "registry",
                json_pack("{s:s, s:s, s:s, s:f, s:I, s:I, s:s}", "status", nt_status_name(m.status),
                          "listed", m.value, "via", nt_match_via_name(m.via), "score", m.score,
                          "reports", (json_int_t)m.n_reports, "reporters",
                          (json_int_t)m.n_reporters, "explain",
                          nt_reg_explain(&m, en, why, sizeof why)));
        }
        json_array_append_new(ij, oj);
    }
    json_object_set_new(root, "indicators", ij);
    const nt_model_explain *ex = nt_check_model_explain(r);
    if (ex) {
        json_t *mj = json_object(), *feats = json_array();
        for (int l = 0; l < NT_MODEL_LABELS; l++)
            json_object_set_new(mj, nt_model_label_name((nt_model_label)l),
                                json_real(nt_check_model_prob(r, (nt_model_label)l)));
        for (size_t k = 0; k < ex->count[NT_LABEL_SCAM]; k++) {
            const nt_model_contrib *f = &ex->top[NT_LABEL_SCAM][k];
            json_t *fj = json_pack("{s:s, s:s, s:f}", "kind", nt_feature_kind_name(f->kind),
                                   "feature", f->name, "contribution", f->contribution);
            if (f->has_span)
                json_object_set_new(fj, "span", json_pack("[I, I]", (json_int_t)f->start,
                                                          (json_int_t)f->end));
            json_array_append_new(feats, fj);
        }
        json_object_set_new(root, "model", json_pack("{s:o, s:o}", "probabilities", mj,
                                                     "scam_features", feats));
    }
    json_object_set_new(root, "hotlines",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "number", "111", "name",
                                  T(en, "Tổng đài quốc gia bảo vệ trẻ em",
                                    "National child protection hotline"),
                                  "number", "113", "name", T(en, "Công an", "Police")));
    return root;
}


json_t *check_factchecks_json(int en, const nt_fc_match *m, size_t n, const char *text)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:f, s:b, s:s, s:s, s:s, s:s}", "id",
                              (json_int_t)m[i].factcheck_id, "verdict",
                              nt_verdict_name(m[i].verdict), "verdict_text",
                              nt_verdict_label(m[i].verdict, en), "score", m[i].score,
                              "same_claim", m[i].same, "claim", m[i].claim, "headline",
                              m[i].headline, "explanation", m[i].explanation, "url", m[i].url);
        if (o && text && m[i].q_end > m[i].q_start)
            json_object_set_new(o, "passage",
                                json_pack("{s:I, s:I, s:o}", "start", (json_int_t)m[i].q_start,
                                          "end", (json_int_t)m[i].q_end, "text",
                                          cli_json_text(text + m[i].q_start,
                                                        m[i].q_end - m[i].q_start)));
        json_array_append_new(a, o);
    }
    return a;
}
