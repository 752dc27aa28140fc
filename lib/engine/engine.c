/*
 * lib/engine/engine.c - the message check: one engine loaded from data/, and
 * the pipeline normalise -> extract -> rules -> score for each message.
 *
 * Scoring combines independent pieces of evidence the way a noisy-OR does:
 * each rule that fires with weight w (1-100) is read as "w% sure on its own",
 * and the message risk is 100 * (1 - prod(1 - w/100)).  So one strong rule is
 * enough for "dangerous", several weak ones add up, and no pile of weak
 * evidence reaches 100.  Per-tactic and per-category scores are the same
 * combination over the rules naming that tactic or category.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "engine/engine_int.h"
#include "engine/scoring.h"
#include "niemtin/limits.h"


static nt_err load_path(const char *dir, const char *name, char *buf, size_t size,
                        nt_diag *diag)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "data directory path too long");
    return NT_OK;
}

nt_err nt_engine_open(const nt_engine_config *cfg, nt_engine **out, nt_diag *diag)
{
    if (!cfg || !cfg->data_dir || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no data directory");
    *out = NULL;
    char path[4096];
    nt_err rc = NT_OK;
    nt_engine *eng = calloc(1, sizeof *eng);
    if (!eng)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    eng->max_bytes = cfg->max_bytes ? cfg->max_bytes : NT_DEFAULT_MAX_MESSAGE_BYTES;
    if ((rc = load_path(cfg->data_dir, "taxonomy.json", path, sizeof path, diag)) ||
        (rc = nt_taxonomy_load(path, &eng->tax, diag)))
        goto cleanup;
    if ((rc = load_path(cfg->data_dir, "teencode.tsv", path, sizeof path, diag)) ||
        (rc = nt_lexicon_load(path, &eng->lex, diag)))
        goto cleanup;
    if ((rc = load_path(cfg->data_dir, "banks.tsv", path, sizeof path, diag)) ||
        (rc = nt_banks_load(path, &eng->banks, diag)))
        goto cleanup;
    nt_extractor_options eo;
    nt_extractor_options_init(&eo);
    eo.banks = eng->banks;
    eo.id_key = cfg->id_key;
    eo.max_bytes = eng->max_bytes;
    if ((rc = load_path(cfg->data_dir, "indicator-context.tsv", path, sizeof path, diag)))
        goto cleanup;
    eo.context_path = path;
    if ((rc = nt_extractor_new(&eo, &eng->ex, diag)))
        goto cleanup;
    if (cfg->rules_dir)
        snprintf(path, sizeof path, "%s", cfg->rules_dir);
    else if ((rc = load_path(cfg->data_dir, "rules", path, sizeof path, diag)))
        goto cleanup;
    if ((rc = nt_ruleset_load_dir_cached(path, eng->tax, cfg->cache_dir, &eng->rules, diag)))
        goto cleanup;
    if (cfg->model_path && *cfg->model_path) {
        rc = nt_model_load(cfg->model_path, &eng->model, diag);
    } else if (!cfg->model_path) {
        if ((rc = load_path(cfg->data_dir, "models/niemtin.model", path, sizeof path, diag)))
            goto cleanup;
        if (access(path, F_OK) == 0)
            rc = nt_model_load(path, &eng->model, diag);
    }
    if (rc)
        goto cleanup;
    *out = eng;
    eng = NULL;
cleanup:
    nt_engine_close(eng);
    return rc;
}

void nt_engine_close(nt_engine *eng)
{
    if (!eng)
        return;
    nt_model_free(eng->model);
    nt_ruleset_free(eng->rules);
    nt_extractor_free(eng->ex);
    nt_banks_free(eng->banks);
    nt_lexicon_free(eng->lex);
    nt_taxonomy_free(eng->tax);
    free(eng);
}

const nt_taxonomy *nt_engine_taxonomy(const nt_engine *eng)
{
    return eng ? eng->tax : NULL;
}

const nt_ruleset *nt_engine_rules(const nt_engine *eng)
{
    return eng ? eng->rules : NULL;
}

nt_err nt_check_scratch_new(const nt_engine *eng, nt_check_scratch **out)
{
    if (!eng || !out)
        return NT_ERR_INVALID_ARG;
    nt_check_scratch *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NT_ERR_NOMEM;
    sc->eng = eng;
    nt_err rc = nt_rule_scratch_new(eng->rules, &sc->rules);
    if (rc) {
        free(sc);
        return rc;
    }
    *out = sc;
    return NT_OK;
}

void nt_check_scratch_free(nt_check_scratch *sc)
{
    if (!sc)
        return;
    nt_rule_scratch_free(sc->rules);
    free(sc);
}

const char *nt_level_name(nt_level level)
{
    switch (level) {
    case NT_LEVEL_SAFE:
        return "safe";
    case NT_LEVEL_SUSPICIOUS:
        return "suspicious";
    case NT_LEVEL_DANGEROUS:
        return "dangerous";
    }
    return "unknown";
}

/* Fold weight w into the score of id (tactic or category). */
static nt_err combine(nt_check_result *r, const char *id, int w)
{
    if (!id || !*id)
        return NT_OK;
    for (size_t i = 0; i < r->nscores; i++)
        if (strcmp(r->scores[i].id, id) == 0) {
            r->scores[i].keep *= 1.0 - w / 100.0;
            return NT_OK;
        }
    score_entry *nv = realloc(r->scores, (r->nscores + 1) * sizeof *nv);
    if (!nv)
        return NT_ERR_NOMEM;
    r->scores = nv;
    r->scores[r->nscores].id = id;
    r->scores[r->nscores].keep = 1.0 - w / 100.0;
    r->nscores++;
    return NT_OK;
}

nt_err nt_engine_check(const nt_engine *eng, nt_check_scratch *sc, const char *text,
                       size_t len, nt_check_result **out, nt_diag *diag)
{
    if (!eng || !sc || sc->eng != eng || !out || (!text && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    nt_err rc = NT_OK;
    nt_check_result *r = calloc(1, sizeof *r);
    if (!r)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_text_options to;
    nt_text_options_init(&to);
    to.teencode = eng->lex;
    to.max_bytes = eng->max_bytes;
    if ((rc = nt_text_normalize(text ? text : "", len, &to, &r->text, diag)) ||
        (rc = nt_extract(eng->ex, text ? text : "", len, &r->inds, diag)))
        goto cleanup;
    if ((rc = nt_ruleset_match(eng->rules, sc->rules, r->text, r->inds, &r->hits))) {
        nt__fail(diag, rc, 0, "rule matching failed");
        goto cleanup;
    }
    double keep = 1.0;
    for (size_t i = 0; i < nt_rule_hits_count(r->hits); i++) {
        const nt_rule_hit *h = nt_rule_hits_get(r->hits, i);
        keep *= 1.0 - h->weight / 100.0;
        if ((rc = combine(r, h->tactic, h->weight)) || (rc = combine(r, h->category, h->weight))) {
            nt__fail(diag, rc, 0, "out of memory");
            goto cleanup;
        }
    }
    size_t ntok = 0;
    nt_text_tokens(r->text, &ntok);
    r->empty = ntok == 0;
    /* An empty message is safe, not "whatever the model's bias says". */
    if (eng->model && !r->empty) {
        rc = nt_model_predict(eng->model, r->text, r->inds, r->hits, r->probs, &r->explain);
        if (rc) {
            nt__fail(diag, rc, 0, "model prediction failed");
            goto cleanup;
        }
        r->has_model = 1;
        double ev_scam = nt__model_evidence(r->probs[NT_LABEL_SCAM],
                                            nt_model_threshold(eng->model, NT_LABEL_SCAM));
        double ev_groom = nt__model_evidence(r->probs[NT_LABEL_GROOMING],
                                             nt_model_threshold(eng->model, NT_LABEL_GROOMING));
        r->model_evidence = ev_scam > ev_groom ? ev_scam : ev_groom;
        keep *= 1.0 - r->model_evidence;
    }
    r->risk = nt__keep_to_risk(keep);
    r->level = nt__risk_level(r->risk);
    *out = r;
    r = NULL;
cleanup:
    nt_check_result_free(r);
    return rc;
}

void nt_check_result_free(nt_check_result *r)
{
    if (!r)
        return;
    nt_rule_hits_free(r->hits);
    nt_indicator_list_free(r->inds);
    nt_text_free(r->text);
    free(r->scores);
    free(r);
}

int nt_check_risk(const nt_check_result *r)
{
    return r ? r->risk : 0;
}

nt_level nt_check_level(const nt_check_result *r)
{
    return r ? r->level : NT_LEVEL_SAFE;
}

int nt_check_score(const nt_check_result *r, const char *id)
{
    if (!r || !id)
        return 0;
    for (size_t i = 0; i < r->nscores; i++)
        if (strcmp(r->scores[i].id, id) == 0)
            return nt__keep_to_risk(r->scores[i].keep);
    return 0;
}

const nt_rule_hits *nt_check_rule_hits(const nt_check_result *r)
{
    return r ? r->hits : NULL;
}

const nt_indicator_list *nt_check_indicators(const nt_check_result *r)
{
    return r ? r->inds : NULL;
}

const nt_text *nt_check_text(const nt_check_result *r)
{
    return r ? r->text : NULL;
}

double nt_check_model_prob(const nt_check_result *r, nt_model_label label)
{
    if (!r || !r->has_model || (unsigned)label >= NT_MODEL_LABELS)
        return -1.0;
    return r->probs[label];
}

const nt_model_explain *nt_check_model_explain(const nt_check_result *r)
{
    return r && r->has_model ? &r->explain : NULL;
}

int nt_engine_has_model(const nt_engine *eng)
{
    return eng && eng->model != NULL;
}

int nt_check_is_empty(const nt_check_result *r)
{
    return r ? r->empty : 1;
}
