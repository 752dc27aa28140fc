/*
 * lib/factcheck/fields.c - a fact-check's fields while they are edited: the
 * checks every field gets whenever an analyst writes it (a draft, a
 * publication, a correction, an imported line), the completeness a
 * publication needs, and the field-by-field difference a correction records.
 *
 * The one idea: the same three functions (apply, complete, diff) stand
 * behind every way a fact-check changes, so a rule - a link must be http(s),
 * a verdict must be known - is written once and cannot be bypassed by one
 * path.
 */
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "factcheck/desk_int.h"

const char *const nt__fc_field_names[NT__FC_NFIELDS] = {
    [NT__FC_CLAIM] = "claim",
    [NT__FC_LANG] = "lang",
    [NT__FC_HEADLINE] = "headline",
    [NT__FC_EXPLANATION] = "explanation",
    [NT__FC_BODY] = "body",
    [NT__FC_CLAIM_AUTHOR] = "claim_author",
    [NT__FC_CLAIM_DATE] = "claim_date",
    [NT__FC_APPEARANCE] = "appearance",
};

static const size_t field_max[NT__FC_NFIELDS] = {
    [NT__FC_CLAIM] = NT_DESK_MAX_CLAIM_BYTES,
    [NT__FC_LANG] = 16,
    [NT__FC_HEADLINE] = NT_DESK_MAX_CLAIM_BYTES,
    [NT__FC_EXPLANATION] = NT_DESK_MAX_EXPLANATION_BYTES,
    [NT__FC_BODY] = NT_DESK_MAX_BODY_BYTES,
    [NT__FC_CLAIM_AUTHOR] = NT_MAX_NAME_BYTES,
    [NT__FC_CLAIM_DATE] = 10,
    [NT__FC_APPEARANCE] = NT_DESK_MAX_URL_BYTES,
};

nt_err nt__desk_check_text(const char *field, const char *s, size_t max, int is_name,
                           nt_diag *diag)
{
    return nt__store_check_text(field, s, strlen(s), max, is_name, diag);
}

int nt__desk_date_ok(const char *s)
{
    if (!*s)
        return 1;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = (int)strtol(s, NULL, 10), m = (int)strtol(s + 5, NULL, 10),
        d = (int)strtol(s + 8, NULL, 10);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 1;
}

int nt__desk_lang_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return 1;
    if (n < 2 || n > 16)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] == '-' && i > 0)))
            return 0;
    return 1;
}

void nt__fcw_release(nt__fcw *w)
{
    for (int i = 0; i < NT__FC_NFIELDS; i++)
        free(w->f[i]);
    for (size_t i = 0; i < w->n_evidence; i++)
        free(w->evidence[i]);
    free(w->evidence);
    memset(w, 0, sizeof *w);
}

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

nt_err nt__fcw_from_row(nt__fcw *w, const nt__fc_row *r, nt_diag *diag)
{
    const char *v[NT__FC_NFIELDS] = {
        [NT__FC_CLAIM] = r->pub.claim,
        [NT__FC_LANG] = r->pub.lang,
        [NT__FC_HEADLINE] = r->pub.headline,
        [NT__FC_EXPLANATION] = r->pub.explanation,
        [NT__FC_BODY] = r->pub.body,
        [NT__FC_CLAIM_AUTHOR] = r->pub.claim_author,
        [NT__FC_CLAIM_DATE] = r->pub.claim_date,
        [NT__FC_APPEARANCE] = r->pub.appearance,
    };
    memset(w, 0, sizeof *w);
    for (int i = 0; i < NT__FC_NFIELDS; i++)
        if (!(w->f[i] = dup0(v[i])))
            goto nomem;
    w->verdict = r->pub.verdict;
    json_error_t err;
    json_t *a = json_loads(r->evidence_json ? r->evidence_json : "[]", 0, &err);
    if (!json_is_array(a)) {
        json_decref(a);
        nt__fcw_release(w);
        return nt__fail(diag, NT_ERR_IO, 0, "fact-check %lld: the stored evidence is damaged",
                        (long long)r->pub.id);
    }
    size_t n = json_array_size(a);
    if (n && !(w->evidence = calloc(n, sizeof *w->evidence))) {
        json_decref(a);
        goto nomem;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!(w->evidence[w->n_evidence] = dup0(s))) {
            json_decref(a);
            goto nomem;
        }
        w->n_evidence++;
    }
    json_decref(a);
    return NT_OK;
nomem:
    nt__fcw_release(w);
    return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
}

/* Trim leading and trailing white space (ASCII) into a malloc'd copy. */
static char *trimmed(const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        n--;
    }
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

nt_err nt__fcw_apply(nt__fcw *w, const nt_factcheck_in *in, nt_diag *diag)
{
    const char *v[NT__FC_NFIELDS] = {
        [NT__FC_CLAIM] = in->claim,
        [NT__FC_LANG] = in->lang,
        [NT__FC_HEADLINE] = in->headline,
        [NT__FC_EXPLANATION] = in->explanation,
        [NT__FC_BODY] = in->body,
        [NT__FC_CLAIM_AUTHOR] = in->claim_author,
        [NT__FC_CLAIM_DATE] = in->claim_date,
        [NT__FC_APPEARANCE] = in->appearance,
    };
    char *nv[NT__FC_NFIELDS] = {0};
    char **ev = NULL;
    size_t nev = 0;
    nt_verdict verdict = w->verdict;
    nt_err e = NT_OK;
    for (int i = 0; i < NT__FC_NFIELDS; i++) {
        if (!v[i])
            continue;
        const char *name = nt__fc_field_names[i];
        int is_name = i == NT__FC_CLAIM_AUTHOR || i == NT__FC_LANG || i == NT__FC_CLAIM_DATE ||
                      i == NT__FC_APPEARANCE;
        if ((e = nt__store_check_text(name, v[i], strlen(v[i]), field_max[i], is_name, diag)))
            goto cleanup;
        if (!(nv[i] = trimmed(v[i]))) {
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
        if (i == NT__FC_LANG && !nt__desk_lang_ok(nv[i])) {
            e = nt__fail(diag, NT_ERR_INVALID, 0,
                         "lang: '%s' is not a language code (vi, en, ...)", nv[i]);
            goto cleanup;
        }
        if (i == NT__FC_CLAIM_DATE && !nt__desk_date_ok(nv[i])) {
            e = nt__fail(diag, NT_ERR_INVALID, 0, "claim_date: '%s' is not a date YYYY-MM-DD",
                         nv[i]);
            goto cleanup;
        }
        if (i == NT__FC_APPEARANCE && *nv[i] && !nt_desk_url_ok(nv[i])) {
            e = nt__fail(diag, NT_ERR_INVALID, 0, "appearance: not an http(s) URL: %.200s",
                         nv[i]);
            goto cleanup;
        }
    }
    if (in->verdict && nt_verdict_parse(in->verdict, &verdict) != NT_OK) {
        e = nt__fail(diag, NT_ERR_INVALID, 0,
                     "verdict: unknown verdict '%.80s' (false, misleading, missing_context, true, "
                     "unproven)",
                     in->verdict);
        goto cleanup;
    }
    if (in->evidence) {
        if (in->n_evidence > NT_DESK_MAX_EVIDENCE) {
            e = nt__fail(diag, NT_ERR_TOO_BIG, 0, "evidence: %zu links, more than the limit of %u",
                         in->n_evidence, NT_DESK_MAX_EVIDENCE);
            goto cleanup;
        }
        if (in->n_evidence && !(ev = calloc(in->n_evidence, sizeof *ev))) {
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
        for (size_t i = 0; i < in->n_evidence; i++) {
            const char *u = in->evidence[i] ? in->evidence[i] : "";
            char *t = trimmed(u);
            if (!t) {
                e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
                goto cleanup;
            }
            ev[nev++] = t;
            if (!nt_desk_url_ok(t)) {
                e = nt__fail(diag, NT_ERR_INVALID, i, "evidence[%zu]: not an http(s) URL: '%.200s'",
                             i, t);
                goto cleanup;
            }
            for (size_t j = 0; j + 1 < nev; j++)
                if (strcmp(ev[j], t) == 0) {
                    e = nt__fail(diag, NT_ERR_INVALID, i,
                                 "evidence[%zu]: the same link as evidence[%zu]", i, j);
                    goto cleanup;
                }
        }
    }
    /* all checked: commit the changes into w */
    for (int i = 0; i < NT__FC_NFIELDS; i++)
        if (nv[i]) {
            free(w->f[i]);
            w->f[i] = nv[i];
            nv[i] = NULL;
        }
    w->verdict = verdict;
    if (in->evidence) {
        for (size_t i = 0; i < w->n_evidence; i++)
            free(w->evidence[i]);
        free(w->evidence);
        w->evidence = ev;
        w->n_evidence = nev;
        ev = NULL;
        nev = 0;
    }
cleanup:
    for (int i = 0; i < NT__FC_NFIELDS; i++)
        free(nv[i]);
    for (size_t i = 0; i < nev; i++)
        free(ev[i]);
    free(ev);
    return e;
}

nt_err nt__fcw_complete(const nt__fcw *w, nt_diag *diag)
{
    if (w->verdict <= NT_VERDICT_NONE || w->verdict >= NT_VERDICT__COUNT)
        return nt__fail(diag, NT_ERR_EMPTY, 0,
                        "verdict: required to publish (false, misleading, missing_context, true, "
                        "unproven)");
    if (!*w->f[NT__FC_CLAIM])
        return nt__fail(diag, NT_ERR_EMPTY, 0, "claim: required to publish");
    if (!*w->f[NT__FC_EXPLANATION])
        return nt__fail(diag, NT_ERR_EMPTY, 0,
                        "explanation: required to publish (one or two sentences saying why)");
    if (w->n_evidence == 0)
        return nt__fail(diag, NT_ERR_EMPTY, 0,
                        "evidence: at least one http(s) link is required to publish");
    for (size_t i = 0; i < w->n_evidence; i++)
        if (!nt_desk_url_ok(w->evidence[i]))
            return nt__fail(diag, NT_ERR_INVALID, i, "evidence[%zu]: not an http(s) URL", i);
    return NT_OK;
}

char *nt__fcw_evidence_json(const nt__fcw *w)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < w->n_evidence; i++)
        json_array_append_new(a, json_string(w->evidence[i]));
    char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return s;
}

void nt__fcw_to_row(const nt__fcw *w, nt__fc_row *r)
{
    r->pub.claim = w->f[NT__FC_CLAIM];
    r->pub.lang = w->f[NT__FC_LANG];
    r->pub.headline = w->f[NT__FC_HEADLINE];
    r->pub.explanation = w->f[NT__FC_EXPLANATION];
    r->pub.body = w->f[NT__FC_BODY];
    r->pub.claim_author = w->f[NT__FC_CLAIM_AUTHOR];
    r->pub.claim_date = w->f[NT__FC_CLAIM_DATE];
    r->pub.appearance = w->f[NT__FC_APPEARANCE];
    r->pub.verdict = w->verdict;
}

static json_t *evidence_array(const nt__fcw *w)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < w->n_evidence; i++)
        json_array_append_new(a, json_string(w->evidence[i]));
    return a;
}

static int same_evidence(const nt__fcw *a, const nt__fcw *b)
{
    if (a->n_evidence != b->n_evidence)
        return 0;
    for (size_t i = 0; i < a->n_evidence; i++)
        if (strcmp(a->evidence[i], b->evidence[i]) != 0)
            return 0;
    return 1;
}

static void add_name(char *names, size_t n, const char *name)
{
    size_t at = strlen(names);
    snprintf(names + at, at < n ? n - at : 0, "%s%s", at ? "," : "", name);
}

nt_err nt__fcw_diff(const nt__fcw *a, const nt__fcw *b, char *names, size_t n, json_t **before,
                    json_t **after)
{
    json_t *x = json_object(), *y = json_object();
    if (!x || !y) {
        json_decref(x);
        json_decref(y);
        return NT_ERR_NOMEM;
    }
    names[0] = '\0';
    if (a->verdict != b->verdict) {
        add_name(names, n, "verdict");
        json_object_set_new(x, "verdict", json_string(nt_verdict_name(a->verdict)));
        json_object_set_new(y, "verdict", json_string(nt_verdict_name(b->verdict)));
    }
    for (int i = 0; i < NT__FC_NFIELDS; i++) {
        if (strcmp(a->f[i], b->f[i]) == 0)
            continue;
        add_name(names, n, nt__fc_field_names[i]);
        json_object_set_new(x, nt__fc_field_names[i], json_string(a->f[i]));
        json_object_set_new(y, nt__fc_field_names[i], json_string(b->f[i]));
    }
    if (!same_evidence(a, b)) {
        add_name(names, n, "evidence");
        json_object_set_new(x, "evidence", evidence_array(a));
        json_object_set_new(y, "evidence", evidence_array(b));
    }
    *before = x;
    *after = y;
    return NT_OK;
}
