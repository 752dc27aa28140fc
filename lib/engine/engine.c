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

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void gen_free(nt__gen *g)
{
    if (!g)
        return;
    nt_model_free(g->model);
    nt_ruleset_free(g->rules);
    free(g);
}

/* Load the rules and the model named in the engine into a new generation
 * (one reference, the caller's).  Nothing in force changes. */
static nt_err gen_load(const nt_engine *eng, nt__gen **out, nt_diag *diag)
{
    nt_err rc;
    nt__gen *g = calloc(1, sizeof *g);
    if (!g)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    atomic_init(&g->refs, 1);
    if ((rc = nt_ruleset_load_dir_cached(eng->rules_dir, eng->tax, eng->cache_dir, &g->rules,
                                         diag)))
        goto cleanup;
    if (eng->model_path && (rc = nt_model_load(eng->model_path, &g->model, diag)))
        goto cleanup;
    *out = g;
    g = NULL;
cleanup:
    gen_free(g);
    return rc;
}

nt__gen *nt__gen_acquire(const nt_engine *eng)
{
    nt_engine *e = (nt_engine *)eng; /* the lock is the one mutable part */
    pthread_mutex_lock(&e->lock);
    nt__gen *g = e->gen;
    atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&e->lock);
    return g;
}

void nt__gen_release(nt__gen *g)
{
    if (g && atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) == 1)
        gen_free(g);
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
    if (pthread_mutex_init(&eng->lock, NULL) != 0) {
        free(eng);
        return nt__fail(diag, NT_ERR_NOMEM, 0, "cannot create a lock");
    }
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
    /* Remember where the rules and the model come from, for reloads. */
    if (cfg->rules_dir)
        snprintf(path, sizeof path, "%s", cfg->rules_dir);
    else if ((rc = load_path(cfg->data_dir, "rules", path, sizeof path, diag)))
        goto cleanup;
    if (!(eng->rules_dir = dup_str(path)))
        goto nomem;
    if (cfg->model_path && *cfg->model_path) {
        if (!(eng->model_path = dup_str(cfg->model_path)))
            goto nomem;
    } else if (!cfg->model_path) {
        if ((rc = load_path(cfg->data_dir, "models/niemtin.model", path, sizeof path, diag)))
            goto cleanup;
        if (access(path, F_OK) == 0 && !(eng->model_path = dup_str(path)))
            goto nomem;
    }
    if (cfg->cache_dir && !(eng->cache_dir = dup_str(cfg->cache_dir)))
        goto nomem;
    eng->registry = cfg->registry;
    if ((rc = gen_load(eng, &eng->gen, diag)))
        goto cleanup;
    eng->gen->serial = 1;
    *out = eng;
    eng = NULL;
cleanup:
    nt_engine_close(eng);
    return rc;
nomem:
    rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    goto cleanup;
}

nt_err nt_engine_reload(nt_engine *eng, nt_diag *diag)
{
    if (!eng)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no engine");
    nt__gen *g = NULL;
    nt_err rc = gen_load(eng, &g, diag);
    if (rc)
        return rc; /* the rules and model in force stay in force */
    pthread_mutex_lock(&eng->lock);
    nt__gen *old = eng->gen;
    g->serial = old->serial + 1;
    eng->gen = g;
    pthread_mutex_unlock(&eng->lock);
    nt__gen_release(old);
    return NT_OK;
}

unsigned long nt_engine_generation(const nt_engine *eng)
{
    if (!eng)
        return 0;
    nt__gen *g = nt__gen_acquire(eng);
    unsigned long s = g->serial;
    nt__gen_release(g);
    return s;
}

void nt_engine_close(nt_engine *eng)
{
    if (!eng)
        return;
    nt__gen_release(eng->gen);
    free(eng->rules_dir);
    free(eng->model_path);
    free(eng->cache_dir);
    nt_extractor_free(eng->ex);
    nt_banks_free(eng->banks);
    nt_lexicon_free(eng->lex);
    nt_taxonomy_free(eng->tax);
    pthread_mutex_destroy(&eng->lock);
    free(eng);
}

const nt_taxonomy *nt_engine_taxonomy(const nt_engine *eng)
{
    return eng ? eng->tax : NULL;
}

const nt_ruleset *nt_engine_rules(const nt_engine *eng)
{
    return eng && eng->gen ? eng->gen->rules : NULL;
}

nt_err nt_check_scratch_new(const nt_engine *eng, nt_check_scratch **out)
{
    if (!eng || !out)
        return NT_ERR_INVALID_ARG;
    nt_check_scratch *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NT_ERR_NOMEM;
    sc->eng = eng;
    sc->gen = nt__gen_acquire(eng);
    nt_err rc = nt_rule_scratch_new(sc->gen->rules, &sc->rules);
    if (rc) {
        nt_check_scratch_free(sc);
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
    nt__gen_release(sc->gen);
    free(sc);
}

/* Make sc's rule scratch fit generation g (after a reload, once per thread). */
static nt_err scratch_fit(nt_check_scratch *sc, nt__gen *g)
{
    if (sc->gen == g)
        return NT_OK;
    nt_rule_scratch *rs = NULL;
    nt_err rc = nt_rule_scratch_new(g->rules, &rs);
    if (rc)
        return rc;
    nt_rule_scratch_free(sc->rules);
    sc->rules = rs;
    atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
    nt__gen_release(sc->gen);
    sc->gen = g;
    return NT_OK;
}

int nt_level_threshold(nt_level level)
{
    return level == NT_LEVEL_DANGEROUS    ? NT__RISK_DANGEROUS
           : level == NT_LEVEL_SUSPICIOUS ? NT__RISK_SUSPICIOUS
                                          : 0;
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
    nt__gen *g = nt__gen_acquire(eng);
    nt_err rc = nt__check_gen(eng, g, sc, text, len, out, diag);
    nt__gen_release(g);
    return rc;
}

/* Look every indicator up in the registry: a confirmed listing is strong
 * evidence on its own, a reported one counts by its reputation (0-100). */
static nt_err registry_evidence(const nt_registry *reg, nt_check_result *r)
{
    size_t n = nt_indicator_list_count(r->inds);
    r->registry_keep = 1.0;
    if (!n)
        return NT_OK;
    r->reg = calloc(n, sizeof *r->reg);
    if (!r->reg)
        return NT_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const nt_indicator *ind = nt_indicator_list_get(r->inds, i);
        if (ind->type == NT_IND_NATIONAL_ID)
            continue; /* never listed: the registry refuses citizen IDs */
        nt_reg_answer a;
        nt_err rc = nt_registry_lookup_canonical(reg, ind->type, ind->value, &a);
        if (rc == NT_ERR_INVALID || rc == NT_ERR_UNSUPPORTED) /* not a listable value */
            continue;
        if (rc)
            return rc;
        if (a.n_matches) {
            r->reg[i] = a.matches[0];
            double w = 0;
            if (a.matches[0].status == NT_STATUS_CONFIRMED)
                w = NT_REGISTRY_CONFIRMED_WEIGHT / 100.0;
            else if (a.matches[0].status == NT_STATUS_REPORTED ||
                     a.matches[0].status == NT_STATUS_UNDER_REVIEW)
                w = NT_REGISTRY_REPORTED_WEIGHT / 100.0 *
                    (a.matches[0].score > 100 ? 1.0 : a.matches[0].score / 100.0);
            r->registry_keep *= 1.0 - w;
        }
        nt_reg_answer_release(&a);
    }
    return NT_OK;
}

int nt_check_registry(const nt_check_result *r, size_t i, nt_reg_match *out)
{
    if (!r || !r->reg || i >= nt_indicator_list_count(r->inds) || r->reg[i].id == 0)
        return 0;
    if (out)
        *out = r->reg[i];
    return 1;
}

nt_err nt__check_gen(const nt_engine *eng, nt__gen *g, nt_check_scratch *sc, const char *text,
                     size_t len, nt_check_result **out, nt_diag *diag)
{
    *out = NULL;
    nt_err rc = NT_OK;
    if ((rc = scratch_fit(sc, g)))
        return nt__fail(diag, rc, 0, "out of memory for the rule scratch");
    nt_check_result *r = calloc(1, sizeof *r);
    if (!r)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    r->gen = g;
    r->registry_keep = 1.0;
    atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
    nt_text_options to;
    nt_text_options_init(&to);
    to.teencode = eng->lex;
    to.max_bytes = eng->max_bytes;
    if ((rc = nt_text_normalize(text ? text : "", len, &to, &r->text, diag)) ||
        (rc = nt_extract(eng->ex, text ? text : "", len, &r->inds, diag)))
        goto cleanup;
    if ((rc = nt_ruleset_match(g->rules, sc->rules, r->text, r->inds, &r->hits))) {
        nt__fail(diag, rc, 0, "rule matching failed");
        goto cleanup;
    }
    double keep = 1.0;
    if (eng->registry && (rc = registry_evidence(eng->registry, r))) {
        nt__fail(diag, rc, 0, "registry lookup failed");
        goto cleanup;
    }
    keep *= r->registry_keep;
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
    if (g->model && !r->empty) {
        rc = nt_model_predict(g->model, r->text, r->inds, r->hits, r->probs, &r->explain);
        if (rc) {
            nt__fail(diag, rc, 0, "model prediction failed");
            goto cleanup;
        }
        r->has_model = 1;
        double ev_scam = nt__model_evidence(r->probs[NT_LABEL_SCAM],
                                            nt_model_threshold(g->model, NT_LABEL_SCAM));
        double ev_groom = nt__model_evidence(r->probs[NT_LABEL_GROOMING],
                                             nt_model_threshold(g->model, NT_LABEL_GROOMING));
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
    free(r->reg);
    nt__gen_release(r->gen);
    free(r);
}

const nt_ruleset *nt_check_result_rules(const nt_check_result *r)
{
    return r && r->gen ? r->gen->rules : NULL;
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
    if (!eng)
        return 0;
    nt__gen *g = nt__gen_acquire(eng);
    int has = g->model != NULL;
    nt__gen_release(g);
    return has;
}

int nt_check_is_empty(const nt_check_result *r)
{
    return r ? r->empty : 1;
}
