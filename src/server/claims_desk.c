/*
 * src/server/claims_desk.c - the fact-check desk (niemtin/factcheck.h) as the
 * JSON the API speaks (server.h lists the calls; docs/openapi.yaml the
 * shapes).
 *
 * The one idea: the library owns every rule of the workflow (what may be
 * published, what a correction records, which tips cluster together); this
 * file only converts - request structs in, rows out as JSON objects with ISO
 * times, verdict labels in the reader's language and the public page's path
 * - and renames the library's field names in error messages to the API's
 * ("body: ..." becomes "write_up: ...").  The desk has its own database
 * connection and its own lock, so it never waits for the registry's.
 *
 * Published and draft fact-checks share one id space; only published ones
 * are ever returned to the public (a draft's id is "not found" there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_json.h"
#include "server.h"

struct srv_desk {
    nt_desk *desk;
    char site_url[512]; /* the public base of the pages, no trailing '/' */
};

/* ---- helpers -------------------------------------------------------------------- */

static json_t *iso_time(int64_t t)
{
    if (t <= 0)
        return json_null();
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return json_null();
    return json_string(buf);
}

/* A string for JSON: "" and NULL are null. */
static json_t *opt_str(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* The library's field names in a message, renamed to the API's. */
static void api_field_names(nt_diag *d)
{
    static const struct {
        const char *lib, *api;
    } names[] = {{"body", "write_up"}, {"link", "url"}, {"reason", "note"}, {"assignee", "to"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].lib);
        if (strncmp(d->message, names[i].lib, n) == 0 && d->message[n] == ':') {
            char rest[sizeof d->message];
            snprintf(rest, sizeof rest, "%s", d->message + n);
            snprintf(d->message, sizeof d->message, "%s%s", names[i].api, rest);
            return;
        }
    }
}

static void page_path(int64_t id, char *buf, size_t n)
{
    snprintf(buf, n, "/kiem-chung/%lld", (long long)id);
}

/* A fact-check as the public sees it in a list. */
static json_t *fc_summary(const nt_factcheck *fc, int en)
{
    char path[64];
    page_path(fc->id, path, sizeof path);
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:i}", "id", (json_int_t)fc->id, "claim",
                          fc->claim ? fc->claim : "", "verdict", nt_verdict_name(fc->verdict),
                          "verdict_text", nt_verdict_label(fc->verdict, en), "rating",
                          nt_verdict_rating(fc->verdict));
    json_object_set_new(j, "headline", opt_str(fc->headline));
    json_object_set_new(j, "explanation", opt_str(fc->explanation));
    json_object_set_new(j, "lang", opt_str(fc->lang));
    json_object_set_new(j, "status", json_string(nt_fc_status_name(fc->status)));
    json_object_set_new(j, "published_at", iso_time(fc->published_at));
    json_object_set_new(j, "updated_at", iso_time(fc->updated_at));
    json_object_set_new(j, "submissions", json_integer(fc->submissions));
    json_object_set_new(j, "url", json_string(path));
    return j;
}

/* Everything: the summary, the write-up, evidence, claim details, the
 * corrections with the fields before and after. */
static json_t *fc_full(const nt_factcheck *fc, int en)
{
    json_t *j = fc_summary(fc, en);
    json_object_set_new(j, "item_id", json_integer(fc->item_id));
    json_object_set_new(j, "write_up", opt_str(fc->body));
    json_t *ev = json_array();
    for (size_t i = 0; i < fc->n_evidence; i++)
        json_array_append_new(ev, json_string(fc->evidence[i]));
    json_object_set_new(j, "evidence", ev);
    json_object_set_new(j, "claim_author", opt_str(fc->claim_author));
    json_object_set_new(j, "claim_date", opt_str(fc->claim_date));
    json_object_set_new(j, "appearance", opt_str(fc->appearance));
    json_object_set_new(j, "author", opt_str(fc->author));
    json_object_set_new(j, "publisher", opt_str(fc->publisher));
    json_object_set_new(j, "created_at", iso_time(fc->created_at));
    json_t *cs = json_array();
    for (size_t i = 0; i < fc->n_corrections; i++) {
        const nt_fc_correction *c = &fc->corrections[i];
        json_t *fields = json_array();
        for (const char *p = c->fields ? c->fields : ""; *p;) {
            size_t n = strcspn(p, ",");
            if (n)
                json_array_append_new(fields, json_stringn(p, n));
            p += n + (p[n] == ',');
        }
        json_t *before = c->before ? json_loads(c->before, 0, NULL) : NULL;
        json_t *after = c->after ? json_loads(c->after, 0, NULL) : NULL;
        json_array_append_new(cs, json_pack("{s:i, s:o, s:s, s:s, s:o, s:o, s:o}", "seq", (int)c->seq,
                                            "at", iso_time(c->at), "by", c->actor ? c->actor : "",
                                            "note", c->reason ? c->reason : "", "fields", fields,
                                            "before", before ? before : json_null(), "after",
                                            after ? after : json_null()));
    }
    json_object_set_new(j, "corrections", cs);
    return j;
}

static json_t *item_json(const nt_desk_item *it)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)it->id, "text",
                          it->text ? it->text : "", "status", nt_item_status_name(it->status),
                          "count", (int)it->submissions);
    json_object_set_new(j, "lang", opt_str(it->lang));
    json_object_set_new(j, "assignee", opt_str(it->assignee));
    json_object_set_new(j, "first_seen", iso_time(it->first_seen));
    json_object_set_new(j, "last_seen", iso_time(it->last_seen));
    json_object_set_new(j, "status_at", iso_time(it->status_at));
    json_object_set_new(j, "factcheck_id", it->factcheck_id ? json_integer(it->factcheck_id)
                                                            : json_null());
    json_object_set_new(j, "reason", opt_str(it->reason));
    return j;
}

/* ---- opening ---------------------------------------------------------------------- */

nt_err desk_open(srv *s, const char *db_path, const nt_lexicon *teencode,
                 const nt_lexicon *synonyms, const char *site_url, nt_diag *d)
{
    srv_desk *sd = calloc(1, sizeof *sd);
    if (!sd)
        return NT_ERR_NOMEM;
    nt_desk_config cfg;
    nt_desk_config_init(&cfg);
    cfg.store.path = db_path;
    cfg.teencode = teencode;
    cfg.synonyms = synonyms;
    cfg.site_url = site_url;
    /* the ClaimReview's author, as the desk commands take it */
    const char *org = getenv("NIEMTIN_ORG_NAME"), *org_url = getenv("NIEMTIN_ORG_URL");
    cfg.org_name = org && *org ? org : NULL;
    cfg.org_url = org_url && *org_url ? org_url : NULL;
    nt_err rc = nt_desk_open(&cfg, &sd->desk, d);
    if (rc) {
        free(sd);
        return rc;
    }
    snprintf(sd->site_url, sizeof sd->site_url, "%s", site_url ? site_url : "");
    size_t n = strlen(sd->site_url);
    while (n && sd->site_url[n - 1] == '/')
        sd->site_url[--n] = 0;
    s->desk = sd;
    return NT_OK;
}

void desk_set_site_url(srv *s, const char *site_url)
{
    if (!s->desk)
        return;
    snprintf(s->desk->site_url, sizeof s->desk->site_url, "%s", site_url);
    size_t n = strlen(s->desk->site_url);
    while (n && s->desk->site_url[n - 1] == '/')
        s->desk->site_url[--n] = 0;
}

void desk_close(srv *s)
{
    if (!s->desk)
        return;
    nt_desk_close(s->desk->desk);
    free(s->desk);
    s->desk = NULL;
}

/* A published fact-check, or NT_ERR_NOT_FOUND (drafts included). */
static nt_err get_published(srv_desk *sd, int64_t id, nt_factcheck **fc, nt_diag *d)
{
    nt_err rc = nt_desk_factcheck_get(sd->desk, id, fc, d);
    if (rc == NT_OK && (*fc)->status != NT_FC_PUBLISHED) {
        nt_factcheck_free(*fc);
        *fc = NULL;
        rc = NT_ERR_NOT_FOUND;
    }
    return rc;
}

/* ---- the public ------------------------------------------------------------------------ */

nt_err desk_submit(srv *s, const desk_tip *in, int en, json_t **out, nt_diag *d)
{
    nt_tip_in tip;
    memset(&tip, 0, sizeof tip);
    tip.text = in->text ? in->text : "";
    tip.text_len = strlen(tip.text);
    tip.link = in->url && *in->url ? in->url : NULL;
    tip.channel = in->channel && *in->channel ? in->channel : "web";
    tip.forwarded = in->kind && strcmp(in->kind, "forward") == 0;
    tip.actor = in->who ? in->who->name : "public";
    nt_tip_result res;
    nt_err rc = nt_desk_submit(s->desk->desk, &tip, &res, d);
    if (rc) {
        api_field_names(d);
        return rc;
    }
    json_t *fcs = json_array();
    if (res.factcheck_id && res.status == NT_ITEM_PUBLISHED) {
        nt_factcheck *fc = NULL;
        nt_diag d2;
        nt_diag_clear(&d2);
        if (get_published(s->desk, res.factcheck_id, &fc, &d2) == NT_OK) {
            json_t *one = fc_summary(fc, en);
            json_object_set_new(one, "score", json_real(res.score));
            json_array_append_new(fcs, one);
            nt_factcheck_free(fc);
        }
    }
    *out = json_pack("{s:s, s:I, s:I, s:i, s:b, s:s, s:o}", "status",
                     json_array_size(fcs) ? "checked" : "received", "item_id",
                     (json_int_t)res.item_id, "submission_id", (json_int_t)res.submission_id,
                     "count", (int)res.count, "new_item", res.new_item, "item_status",
                     nt_item_status_name(res.status), "fact_checks", fcs);
    return *out ? NT_OK : NT_ERR_NOMEM;
}

typedef struct fc_list_ctx {
    json_t *items;
    int en;
} fc_list_ctx;

static int fc_list_row(void *ctx, const nt_factcheck *fc)
{
    fc_list_ctx *c = ctx;
    json_array_append_new(c->items, fc_summary(fc, c->en));
    return 0;
}

nt_err desk_search(srv *s, const char *q, size_t offset, size_t limit, int en, json_t **items,
                   size_t *total, nt_diag *d)
{
    srv_desk *sd = s->desk;
    fc_list_ctx c = {json_array(), en};
    nt_err rc;
    if (!*q) {
        size_t counts[NT_ITEM__COUNT];
        rc = nt_desk_counts(sd->desk, counts, d);
        if (!rc)
            rc = nt_desk_factchecks(sd->desk, NT_FC_PUBLISHED, limit, offset, fc_list_row, &c, d);
        *total = rc ? 0 : counts[NT_ITEM_PUBLISHED];
    } else {
        /* ranked by the claim matcher: the fact-checks whose claims the words repeat */
        nt_fc_match *m = NULL;
        size_t n = 0, k = offset + limit;
        if (k > NT_CLAIMS_MAX_RESULTS)
            k = NT_CLAIMS_MAX_RESULTS;
        rc = offset < k ? nt_desk_match(sd->desk, q, strlen(q), k, 0, &m, &n, d) : NT_OK;
        for (size_t i = offset; rc == NT_OK && i < n; i++) {
            nt_factcheck *fc = NULL;
            nt_diag d2;
            nt_diag_clear(&d2);
            if (get_published(sd, m[i].factcheck_id, &fc, &d2) != NT_OK)
                continue;
            json_t *one = fc_summary(fc, en);
            json_object_set_new(one, "score", json_real(m[i].score));
            json_object_set_new(one, "same", json_boolean(m[i].same));
            json_array_append_new(c.items, one);
            nt_factcheck_free(fc);
        }
        nt_fc_matches_free(m, n);
        *total = n;
    }
    if (rc) {
        json_decref(c.items);
        return rc;
    }
    *items = c.items;
    return NT_OK;
}

nt_err desk_factcheck(srv *s, const char *id, int en, json_t **fc_out, json_t **claim_review,
                      nt_diag *d)
{
    srv_desk *sd = s->desk;
    char *end;
    long long x = strtoll(id, &end, 10);
    if (!*id || *end || x <= 0)
        return NT_ERR_NOT_FOUND;
    nt_factcheck *fc = NULL;
    nt_err rc = get_published(sd, x, &fc, d);
    if (rc)
        return rc;
    char page[700], path[64];
    page_path(fc->id, path, sizeof path);
    snprintf(page, sizeof page, "%s%s", sd->site_url, path);
    char *ld = NULL;
    rc = nt_desk_claimreview(sd->desk, fc, sd->site_url[0] ? page : NULL, &ld, d);
    if (rc) {
        nt_factcheck_free(fc);
        return rc;
    }
    *claim_review = json_loads(ld, 0, NULL);
    free(ld);
    *fc_out = fc_full(fc, en);
    json_object_set_new(*fc_out, "page_url", json_string(page));
    nt_factcheck_free(fc);
    if (!*claim_review || !*fc_out) {
        json_decref(*claim_review);
        json_decref(*fc_out);
        return NT_ERR_NOMEM;
    }
    return NT_OK;
}

/* ---- analysts ---------------------------------------------------------------------------- */

typedef struct item_list_ctx {
    json_t *items;
    const char *assignee;
    size_t skip, left;
} item_list_ctx;

static int item_row(void *ctx, const nt_desk_item *it)
{
    item_list_ctx *c = ctx;
    if (c->assignee && strcmp(c->assignee, it->assignee ? it->assignee : "") != 0)
        return 0;
    if (c->skip) {
        c->skip--;
        return 0;
    }
    json_array_append_new(c->items, item_json(it));
    return --c->left == 0;
}

nt_err desk_list(srv *s, const char *status, const char *assignee, size_t offset, size_t limit,
                 json_t **out, nt_diag *d)
{
    srv_desk *sd = s->desk;
    nt_item_status st = 0;
    if (status && *status && strcmp(status, "all") != 0 &&
        nt_item_status_parse(status, &st) != NT_OK) {
        snprintf(d->message, sizeof d->message,
                 "status: expected new, assigned, drafting, published, dismissed or all");
        return NT_ERR_INVALID;
    }
    size_t counts[NT_ITEM__COUNT];
    nt_err rc = nt_desk_counts(sd->desk, counts, d);
    if (rc)
        return rc;
    item_list_ctx c = {json_array(), assignee && *assignee ? assignee : NULL, 0, limit};
    /* the assignee is filtered here: read the whole status and page after filtering */
    if (c.assignee) {
        c.skip = offset;
        rc = nt_desk_list(sd->desk, st, NT_DESK_MAX_LIST, 0, item_row, &c, d);
    } else {
        rc = nt_desk_list(sd->desk, st, limit, offset, item_row, &c, d);
    }
    if (rc) {
        json_decref(c.items);
        return rc;
    }
    json_t *cj = json_object();
    for (int k = NT_ITEM_NEW; k < NT_ITEM__COUNT; k++)
        json_object_set_new(cj, nt_item_status_name((nt_item_status)k), json_integer((json_int_t)counts[k]));
    json_object_set_new(cj, "all", json_integer((json_int_t)counts[0]));
    *out = json_pack("{s:s, s:o, s:o}", "status", st ? nt_item_status_name(st) : "all", "counts",
                     cj, "items", c.items);
    return *out ? NT_OK : NT_ERR_NOMEM;
}

static int submission_row(void *ctx, const nt_desk_submission *sub)
{
    const char *kind = sub->forwarded ? "forward"
                       : (!sub->text || !*sub->text) && sub->link && *sub->link ? "link"
                                                                                 : "text";
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:f}", "id", (json_int_t)sub->id, "text",
                          sub->text ? sub->text : "", "kind", kind, "channel",
                          sub->channel ? sub->channel : "", "score", sub->score);
    json_object_set_new(j, "url", opt_str(sub->link));
    json_object_set_new(j, "lang", opt_str(sub->lang));
    json_object_set_new(j, "at", iso_time(sub->at));
    json_object_set_new(j, "has_contact", json_boolean(sub->has_contact));
    json_array_append_new(ctx, j);
    return 0;
}

nt_err desk_item(srv *s, int64_t id, int en, json_t **out, nt_diag *d)
{
    srv_desk *sd = s->desk;
    nt_desk_item it;
    nt_err rc = nt_desk_item_get(sd->desk, id, &it, d);
    if (rc)
        return rc;
    json_t *j = item_json(&it);
    json_t *subs = json_array();
    rc = nt_desk_submissions(sd->desk, id, 200, submission_row, subs, d);
    json_object_set_new(j, "submissions", subs);
    json_object_set_new(j, "draft", json_null());
    json_object_set_new(j, "fact_check", json_null());
    if (!rc && it.factcheck_id) {
        nt_factcheck *fc = NULL;
        rc = nt_desk_factcheck_get(sd->desk, it.factcheck_id, &fc, d);
        if (!rc) {
            json_object_set_new(j, fc->status == NT_FC_PUBLISHED ? "fact_check" : "draft",
                                fc_full(fc, en));
            nt_factcheck_free(fc);
        }
    }
    nt_desk_item_release(&it);
    if (rc) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return NT_OK;
}

nt_err desk_assign(srv *s, const nt_principal *who, int64_t id, const char *to, nt_diag *d)
{
    nt_err rc = nt_desk_assign(s->desk->desk, id, to, who->name, d);
    if (rc)
        api_field_names(d);
    return rc;
}

nt_err desk_dismiss(srv *s, const nt_principal *who, int64_t id, const char *note, nt_diag *d)
{
    nt_err rc = nt_desk_dismiss(s->desk->desk, id, note, who->name, d);
    if (rc)
        api_field_names(d);
    return rc;
}

/* desk_edit -> nt_factcheck_in; the evidence strings are borrowed from e. */
static nt_err to_factcheck_in(const desk_edit *e, nt_factcheck_in *in, const char ***ev, nt_diag *d)
{
    memset(in, 0, sizeof *in);
    *ev = NULL;
    in->claim = e->claim;
    in->headline = e->headline;
    in->verdict = e->verdict && *e->verdict ? e->verdict : NULL;
    in->explanation = e->explanation;
    in->body = e->write_up;
    in->claim_author = e->claim_author;
    in->claim_date = e->claim_date;
    in->appearance = e->appearance;
    if (e->evidence) {
        size_t n = json_array_size(e->evidence);
        if (n > NT_DESK_MAX_EVIDENCE) {
            snprintf(d->message, sizeof d->message, "evidence: at most %u links",
                     NT_DESK_MAX_EVIDENCE);
            return NT_ERR_TOO_BIG;
        }
        *ev = calloc(n ? n : 1, sizeof **ev);
        if (!*ev)
            return NT_ERR_NOMEM;
        for (size_t i = 0; i < n; i++)
            (*ev)[i] = json_string_value(json_array_get(e->evidence, i));
        in->evidence = *ev;
        in->n_evidence = n;
    }
    return NT_OK;
}

nt_err desk_draft(srv *s, const nt_principal *who, int64_t id, const desk_edit *e, nt_diag *d)
{
    nt_factcheck_in in;
    const char **ev;
    nt_err rc = to_factcheck_in(e, &in, &ev, d);
    if (!rc)
        rc = nt_desk_draft(s->desk->desk, id, &in, who->name, NULL, d);
    free(ev);
    if (rc)
        api_field_names(d);
    return rc;
}

nt_err desk_publish(srv *s, const nt_principal *who, int64_t id, int allow_similar, int en,
                    json_t **out, nt_diag *d)
{
    int64_t fcid = 0;
    nt_err rc = nt_desk_publish(s->desk->desk, id, NULL, allow_similar ? NT_DESK_ALLOW_SIMILAR : 0,
                                who->name, &fcid, d);
    if (rc) {
        api_field_names(d);
        return rc;
    }
    nt_factcheck *fc = NULL;
    rc = nt_desk_factcheck_get(s->desk->desk, fcid, &fc, d);
    if (rc)
        return rc;
    *out = fc_full(fc, en);
    nt_factcheck_free(fc);
    return *out ? NT_OK : NT_ERR_NOMEM;
}

nt_err desk_correct(srv *s, const nt_principal *who, const char *fc_id, const desk_edit *e, int en,
                    json_t **out, nt_diag *d)
{
    char *end;
    long long id = strtoll(fc_id, &end, 10);
    if (!*fc_id || *end || id <= 0)
        return NT_ERR_NOT_FOUND;
    nt_factcheck_in in;
    const char **ev;
    nt_err rc = to_factcheck_in(e, &in, &ev, d);
    if (!rc)
        rc = nt_desk_correct(s->desk->desk, id, &in, e->note, who->name, d);
    free(ev);
    if (rc) {
        api_field_names(d);
        return rc;
    }
    nt_factcheck *fc = NULL;
    rc = nt_desk_factcheck_get(s->desk->desk, id, &fc, d);
    if (rc)
        return rc;
    *out = fc_full(fc, en);
    nt_factcheck_free(fc);
    return *out ? NT_OK : NT_ERR_NOMEM;
}

json_t *desk_check_factchecks(srv *s, const char *text, size_t len, int en)
{
    if (!s->desk)
        return NULL;
    nt_fc_match *m = NULL;
    size_t n = 0;
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_desk_match(s->desk->desk, text, len, 3, NT_CLAIMS_ONLY_SAME, &m, &n, &d) != NT_OK)
        return NULL; /* the check stands without the fact-checks */
    json_t *a = check_factchecks_json(en, m, n, text);
    nt_fc_matches_free(m, n);
    /* the page on this server, as every other answer of the API gives it */
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o)
    {
        char path[64];
        page_path((int64_t)json_integer_value(json_object_get(o, "id")), path, sizeof path);
        json_object_set_new(o, "url", json_string(path));
    }
    return a;
}
