/*
 * lib/factcheck/desk.c - the fact-check desk (niemtin/factcheck.h): the
 * tipline that clusters what the public sends, the analysts' workflow from a
 * new item to a published fact-check, corrections, and matching any text
 * against what has been published.
 *
 * The one idea: the database is the truth and the two claim indexes
 * (published fact-checks, open items) are a cache of it, tagged with the
 * database's "desk generation".  Every write that changes what the indexes
 * hold bumps the generation in its own transaction; every read first
 * compares the generation and rebuilds if another process moved it.  So a
 * tip is always clustered against what is published now, even when the
 * publication came from another process (the CLI beside the server).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "factcheck/desk_int.h"

struct nt_desk {
    pthread_mutex_t lock;
    nt_store *st;
    int own_store;
    const nt__desk_ops *ops;
    const nt__store_ops *core;
    void *db;
    nt_claims_options mopts;
    char *org_name, *org_url, *site_url;
    nt_claims *pub;  /* published fact-checks, ids "fc:<id>" */
    nt_claims *open; /* new, assigned and drafting items, ids "item:<id>" */
    nt_claims_scratch *sc;
    int64_t gen; /* the generation the indexes reflect; -1: stale */
};

#define GEN_KEY "desk_generation"

static const char *const channels[] = {"web",      "zalo",  "facebook", "messenger", "telegram",
                                       "sms",      "email", "hotline",  "desk",      "other"};

/* ---- small helpers -------------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    return strdup(s ? s : "");
}

static const char *actor_or(const char *actor, const char *dflt)
{
    return actor && *actor ? actor : dflt;
}

static nt_err nomem(nt_diag *diag)
{
    return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
}

/* json_dumps (compact, sorted) of details and decref; NULL when out of memory. */
static char *details_of(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return s;
}

static nt_err audit(nt_desk *d, int64_t now, const char *actor, const char *action,
                    const char *kind, int64_t id, json_t *details, nt_diag *diag)
{
    char object[48];
    snprintf(object, sizeof object, "%s:%lld", kind, (long long)id);
    char *s = details_of(details);
    if (!s)
        return nomem(diag);
    nt_err e = nt__audit_append(d->st, now, actor, action, object, s, diag);
    free(s);
    return e;
}

static nt_err check_actor(const char *actor, nt_diag *diag)
{
    return nt__desk_check_text("actor", actor, NT_MAX_NAME_BYTES, 1, diag);
}

const char *nt_desk_factcheck_url(const nt_desk *d, int64_t id, char *buf, size_t n)
{
    snprintf(buf, n, "%s/kiem-chung/%lld", d->site_url, (long long)id);
    return buf;
}

/* "vi" unless the text is plain ASCII with several common English words. */
static const char *guess_lang(const char *s, size_t n)
{
    static const char *const words[] = {"the", "is",   "are",  "and",  "of",   "to",   "in",
                                        "will", "you", "your", "this", "that", "with", "for",
                                        "from", "was", "were", "have", "has",  "not",  "it"};
    size_t hits = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return "vi";
    for (size_t i = 0; i < n;) {
        while (i < n && !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
            i++;
        size_t a = i;
        while (i < n && (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')
            i++;
        if (i == a)
            break;
        total++;
        for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
            if (strlen(words[k]) == i - a && strncasecmp(s + a, words[k], i - a) == 0) {
                hits++;
                break;
            }
    }
    return hits >= 2 && hits * 100 >= total * 15 ? "en" : "vi";
}

/* ---- the generation and the indexes ---------------------------------------------------------- */

static nt_err read_gen(nt_desk *d, int64_t *gen, nt_diag *diag)
{
    char *v = NULL;
    nt_err e = d->core->meta_get(d->db, GEN_KEY, &v, diag);
    if (e == NT_ERR_NOT_FOUND) {
        *gen = 0;
        return NT_OK;
    }
    if (e)
        return e;
    *gen = strtoll(v, NULL, 10);
    free(v);
    return NT_OK;
}

/* Inside a transaction: generation + 1; *before gets the old one. */
static nt_err bump_gen(nt_desk *d, int64_t *before, nt_diag *diag)
{
    nt_err e = read_gen(d, before, diag);
    if (e)
        return e;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)(*before + 1));
    return d->core->meta_set(d->db, GEN_KEY, buf, diag);
}

/* Claims gathered from rows for an index build; strings owned here. */
typedef struct claimvec {
    nt_claim *v;
    size_t n, cap;
    int oom;
    nt_desk *d;
} claimvec;

static void claimvec_release(claimvec *cv)
{
    for (size_t i = 0; i < cv->n; i++) {
        free((char *)cv->v[i].id);
        free((char *)cv->v[i].text);
        free((char *)cv->v[i].lang);
        free((char *)cv->v[i].title);
        free((char *)cv->v[i].verdict);
        free((char *)cv->v[i].url);
    }
    free(cv->v);
    memset(cv, 0, sizeof *cv);
}

static nt_claim *claimvec_push(claimvec *cv)
{
    if (cv->n == cv->cap) {
        size_t nc = cv->cap ? cv->cap * 2 : 64;
        nt_claim *p = realloc(cv->v, nc * sizeof *p);
        if (!p) {
            cv->oom = 1;
            return NULL;
        }
        cv->v = p;
        cv->cap = nc;
    }
    nt_claim *c = &cv->v[cv->n++];
    memset(c, 0, sizeof *c);
    return c;
}

static int collect_pub(void *ctx, const nt__fc_row *r)
{
    claimvec *cv = ctx;
    nt_claim *c = claimvec_push(cv);
    if (!c)
        return 1;
    char id[32], url[NT_DESK_MAX_URL_BYTES + 64];
    snprintf(id, sizeof id, "fc:%lld", (long long)r->pub.id);
    nt_desk_factcheck_url(cv->d, r->pub.id, url, sizeof url);
    c->id = strdup(id);
    c->text = xstrdup(r->pub.claim);
    c->lang = *r->pub.lang ? strdup(r->pub.lang) : NULL;
    c->title = *r->pub.headline ? strdup(r->pub.headline) : NULL;
    c->verdict = strdup(nt_verdict_name(r->pub.verdict));
    c->url = strdup(url);
    if (!c->id || !c->text || !c->verdict || !c->url || (*r->pub.lang && !c->lang) ||
        (*r->pub.headline && !c->title))
        cv->oom = 1;
    return cv->oom;
}

static int collect_open(void *ctx, const nt_desk_item *it)
{
    claimvec *cv = ctx;
    nt_claim *c = claimvec_push(cv);
    if (!c)
        return 1;
    char id[32];
    snprintf(id, sizeof id, "item:%lld", (long long)it->id);
    c->id = strdup(id);
    c->text = xstrdup(it->text);
    c->lang = *it->lang ? strdup(it->lang) : NULL;
    if (!c->id || !c->text || (*it->lang && !c->lang))
        cv->oom = 1;
    return cv->oom;
}

static nt_err rebuild(nt_desk *d, int64_t gen, nt_diag *diag)
{
    claimvec pv = {.d = d}, ov = {.d = d};
    nt_claims *pub = NULL, *open = NULL;
    nt_err e = d->ops->fc_list(d->db, NT_FC_PUBLISHED, -1, 0, collect_pub, &pv, diag);
    if (!e && pv.oom)
        e = nomem(diag);
    if (!e)
        e = d->ops->item_open(d->db, collect_open, &ov, diag);
    if (!e && ov.oom)
        e = nomem(diag);
    if (!e)
        e = nt_claims_build(&d->mopts, pv.v, pv.n, &pub, diag);
    if (!e)
        e = nt_claims_build(&d->mopts, ov.v, ov.n, &open, diag);
    claimvec_release(&pv);
    claimvec_release(&ov);
    if (e) {
        nt_claims_free(pub);
        nt_claims_free(open);
        d->gen = -1;
        return e;
    }
    nt_claims_free(d->pub);
    nt_claims_free(d->open);
    d->pub = pub;
    d->open = open;
    d->gen = gen;
    return NT_OK;
}

/* Make the indexes reflect the database (another process may have written). */
static nt_err fresh(nt_desk *d, nt_diag *diag)
{
    int64_t gen;
    nt_err e = read_gen(d, &gen, diag);
    if (e)
        return e;
    if (gen == d->gen && d->pub && d->open)
        return NT_OK;
    return rebuild(d, gen, diag);
}

/* Add one claim to *idx (a new index replaces it); 0 on success. */
static int extend(nt_claims **idx, const nt_claim *c)
{
    nt_claims *bigger = NULL;
    if (!*idx || nt_claims_add(*idx, c, 1, &bigger, NULL) != NT_OK)
        return -1;
    nt_claims_free(*idx);
    *idx = bigger;
    return 0;
}

/* After a committed write that moved the generation from `before`: when
 * nothing else changed since the indexes were loaded, extend the open index
 * with a new item (open_add) or the published one with a new fact-check
 * (pub_add); otherwise, or for any other change, rebuild.  A published
 * item stays in the open index until the next rebuild: a tip that finds it
 * there joins it all the same (its status says published), so publishing N
 * fact-checks costs O(N log N) index work, not N rebuilds.  A failure here
 * leaves the indexes marked stale (the next call rebuilds); the write
 * itself is committed. */
static void after_write(nt_desk *d, int64_t before, const nt_claim *open_add,
                        const nt_claim *pub_add)
{
    if (before == d->gen && (open_add || pub_add) &&
        (!open_add || extend(&d->open, open_add) == 0) &&
        (!pub_add || extend(&d->pub, pub_add) == 0)) {
        d->gen = before + 1;
        return;
    }
    d->gen = -1;
    fresh(d, NULL);
}

/* ---- opening ---------------------------------------------------------------------------------- */

void nt_desk_config_init(nt_desk_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    nt_store_config_init(&cfg->store);
}

nt_err nt_desk_open(const nt_desk_config *cfg, nt_desk **out, nt_diag *diag)
{
    if (!cfg || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    const char *org_url = cfg->org_url && *cfg->org_url ? cfg->org_url : "https://niemtin.vn";
    const char *site_url = cfg->site_url && *cfg->site_url ? cfg->site_url : org_url;
    if (!nt_desk_url_ok(org_url))
        return nt__fail(diag, NT_ERR_INVALID, 0, "org_url: not an http(s) URL: %.200s", org_url);
    if (!nt_desk_url_ok(site_url))
        return nt__fail(diag, NT_ERR_INVALID, 0, "site_url: not an http(s) URL: %.200s",
                        site_url);
    nt_desk *d = calloc(1, sizeof *d);
    if (!d)
        return nomem(diag);
    nt_err e = NT_OK;
    pthread_mutex_init(&d->lock, NULL);
    d->gen = -1;
    if (cfg->match)
        d->mopts = *cfg->match;
    else
        nt_claims_options_init(&d->mopts);
    d->mopts.teencode = cfg->teencode;
    d->mopts.synonyms = cfg->synonyms;
    d->org_name = strdup(cfg->org_name && *cfg->org_name ? cfg->org_name : "NiemTin");
    d->org_url = strdup(org_url);
    d->site_url = strdup(site_url);
    if (!d->org_name || !d->org_url || !d->site_url) {
        e = nomem(diag);
        goto fail;
    }
    size_t sl = strlen(d->site_url);
    while (sl > 0 && d->site_url[sl - 1] == '/')
        d->site_url[--sl] = '\0';
    if (cfg->borrow_store) {
        d->st = cfg->borrow_store;
    } else {
        if ((e = nt_store_open(&cfg->store, &d->st, diag)))
            goto fail;
        d->own_store = 1;
    }
    if (nt_store_schema_version(d->st) < 3) {
        e = nt__fail(diag, NT_ERR_UNSUPPORTED, 0, "the database has no fact-check desk tables");
        goto fail;
    }
    d->ops = nt__store_desk(d->st, &d->db);
    d->core = nt__store_core(d->st, &d->db);
    if ((e = nt_claims_scratch_new(&d->sc))) {
        nt__fail(diag, e, 0, "out of memory");
        goto fail;
    }
    if ((e = fresh(d, diag)))
        goto fail;
    *out = d;
    return NT_OK;
fail:
    nt_desk_close(d);
    return e;
}

void nt_desk_close(nt_desk *d)
{
    if (!d)
        return;
    nt_claims_free(d->pub);
    nt_claims_free(d->open);
    nt_claims_scratch_free(d->sc);
    if (d->own_store)
        nt_store_close(d->st);
    free(d->org_name);
    free(d->org_url);
    free(d->site_url);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

nt_store *nt_desk_store(nt_desk *d)
{
    return d->st;
}

/* ---- reading rows into owned copies ------------------------------------------------------------ */

static void item_release_fields(nt_desk_item *it)
{
    free((char *)it->text);
    free((char *)it->lang);
    free((char *)it->assignee);
    free((char *)it->reason);
    it->text = it->lang = it->assignee = it->reason = NULL;
}

void nt_desk_item_release(nt_desk_item *it)
{
    if (it)
        item_release_fields(it);
}

static int copy_item(void *ctx, const nt_desk_item *it)
{
    nt_desk_item *o = ctx;
    *o = *it;
    o->text = strdup(it->text);
    o->lang = strdup(it->lang);
    o->assignee = strdup(it->assignee);
    o->reason = strdup(it->reason);
    if (!o->text || !o->lang || !o->assignee || !o->reason) {
        item_release_fields(o);
        o->id = -1; /* out of memory */
    }
    return 1;
}

static nt_err get_item(nt_desk *d, int64_t id, nt_desk_item *out, nt_diag *diag)
{
    memset(out, 0, sizeof *out);
    nt_err e = d->ops->item_get(d->db, id, copy_item, out, diag);
    if (e == NT_ERR_NOT_FOUND)
        return nt__fail(diag, NT_ERR_NOT_FOUND, 0, "item %lld: no such item", (long long)id);
    if (!e && out->id == -1)
        return nomem(diag);
    return e;
}

/* A fact-check row with owned strings: fcw plus the rest. */
typedef struct fc_loaded {
    int found, oom;
    nt__fcw w;
    nt__fc_row row; /* strings other than the fcw's: author, publisher */
    char *author, *publisher;
} fc_loaded;

static int load_fc(void *ctx, const nt__fc_row *r)
{
    fc_loaded *l = ctx;
    l->found = 1;
    l->row = *r;
    l->author = strdup(r->pub.author);
    l->publisher = strdup(r->pub.publisher);
    if (!l->author || !l->publisher || nt__fcw_from_row(&l->w, r, NULL) != NT_OK)
        l->oom = 1;
    l->row.pub.author = l->author;
    l->row.pub.publisher = l->publisher;
    l->row.evidence_json = NULL;
    nt__fcw_to_row(&l->w, &l->row);
    return 1;
}

static void fc_loaded_release(fc_loaded *l)
{
    nt__fcw_release(&l->w);
    free(l->author);
    free(l->publisher);
    memset(l, 0, sizeof *l);
}

static nt_err load_fc_by(nt_desk *d, int by_item, int64_t id, fc_loaded *l, nt_diag *diag)
{
    memset(l, 0, sizeof *l);
    nt_err e = by_item ? d->ops->fc_by_item(d->db, id, load_fc, l, diag)
                       : d->ops->fc_get(d->db, id, load_fc, l, diag);
    if (!e && l->oom) {
        fc_loaded_release(l);
        return nomem(diag);
    }
    if (e == NT_ERR_NOT_FOUND && !by_item)
        return nt__fail(diag, NT_ERR_NOT_FOUND, 0, "fact-check %lld: no such fact-check",
                        (long long)id);
    return e;
}

/* ---- the tipline ------------------------------------------------------------------------------- */

static nt_err check_tip(const nt_tip_in *in, const char **channel, size_t *tlen, nt_diag *diag)
{
    nt_err e;
    const char *text = in->text ? in->text : "";
    size_t n = in->text ? in->text_len : 0;
    if (n > NT_DESK_MAX_TIP_BYTES)
        return nt__fail(diag, NT_ERR_TOO_BIG, NT_DESK_MAX_TIP_BYTES,
                        "text: %zu bytes, more than the limit of %u (send a link to a long "
                        "article instead)",
                        n, NT_DESK_MAX_TIP_BYTES);
    if ((e = nt__store_check_text("text", text, n, NT_DESK_MAX_TIP_BYTES, 0, diag)))
        return e;
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\n' || text[n - 1] == '\r' ||
                 text[n - 1] == '\t'))
        n--;
    *tlen = n;
    int blank = 1;
    for (size_t i = 0; i < n && blank; i++)
        blank = text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t';
    int has_link = in->link && *in->link;
    if (blank && !has_link)
        return nt__fail(diag, NT_ERR_EMPTY, 0,
                        "text: empty - send the message you received, or a link to it");
    if (blank)
        *tlen = 0;
    if (has_link && !nt_desk_url_ok(in->link))
        return nt__fail(diag, NT_ERR_INVALID, 0, "link: not an http(s) URL: '%.200s'", in->link);
    *channel = in->channel && *in->channel ? in->channel : "web";
    size_t k = 0;
    for (; k < sizeof channels / sizeof channels[0]; k++)
        if (strcmp(*channel, channels[k]) == 0)
            break;
    if (k == sizeof channels / sizeof channels[0])
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "channel: unknown channel '%.40s' (web zalo facebook messenger telegram "
                        "sms email hotline desk other)",
                        *channel);
    if (in->lang && *in->lang && !nt__desk_lang_ok(in->lang))
        return nt__fail(diag, NT_ERR_INVALID, 0, "lang: '%.20s' is not a language code (vi, en, ...)",
                        in->lang);
    if (in->contact && *in->contact &&
        (e = nt__store_check_text("contact", in->contact, strlen(in->contact),
                                  NT_MAX_CONTACT_BYTES, 1, diag)))
        return e;
    return check_actor(actor_or(in->actor, "public"), diag);
}

/* The best "same claim" match of text in idx: its id number after prefix. */
static int best_same(nt_desk *d, const nt_claims *idx, const char *text, size_t len,
                     const char *prefix, int64_t *id, double *score)
{
    const nt_claim_match *m = NULL;
    size_t n = 0;
    if (!idx || !len ||
        nt_claims_match(idx, d->sc, text, len, 1, NT_CLAIMS_ONLY_SAME | NT_CLAIMS_NO_PASSAGE, &m,
                        &n, NULL) != NT_OK ||
        n == 0)
        return 0;
    size_t pl = strlen(prefix);
    if (strncmp(m[0].id, prefix, pl) != 0)
        return 0;
    *id = strtoll(m[0].id + pl, NULL, 10);
    *score = m[0].score;
    return 1;
}

nt_err nt_desk_submit(nt_desk *d, const nt_tip_in *in, nt_tip_result *out, nt_diag *diag)
{
    if (!d || !in || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    memset(out, 0, sizeof *out);
    const char *channel = NULL;
    size_t tlen = 0;
    nt_err e = check_tip(in, &channel, &tlen, diag);
    if (e)
        return e;
    const char *text = in->text ? in->text : "";
    const char *actor = actor_or(in->actor, "public");
    const char *link = in->link && *in->link ? in->link : "";
    char *tcopy = NULL;
    unsigned char nonce[NT__NONCE_BYTES];
    unsigned char *box = NULL;
    size_t box_len = 0;
    nt_desk_item item;
    int have_item = 0, in_tx = 0, created = 0;
    int64_t gen_before = 0, item_id = 0, fc_id = 0;
    double score = 0;

    memset(&item, 0, sizeof item);
    pthread_mutex_lock(&d->lock);
    if ((e = fresh(d, diag)))
        goto cleanup;
    /* what it is: a published fact-check's claim, an open item's, the same link */
    int found = 0, via_pub = 0;
    if (tlen && best_same(d, d->pub, text, tlen, "fc:", &fc_id, &score)) {
        fc_loaded l;
        if (load_fc_by(d, 0, fc_id, &l, NULL) == NT_OK) {
            item_id = l.row.pub.item_id;
            found = via_pub = 1;
            fc_loaded_release(&l);
        }
    }
    if (!found && tlen && best_same(d, d->open, text, tlen, "item:", &item_id, &score))
        found = 1;
    int64_t linked;
    if (!found && *link && d->ops->sub_link_item(d->db, link, &linked, NULL) == NT_OK) {
        item_id = linked;
        score = 1.0;
        found = 1;
    }
    (void)via_pub;
    if (!(tcopy = malloc(tlen + 1))) {
        e = nomem(diag);
        goto cleanup;
    }
    memcpy(tcopy, text, tlen);
    tcopy[tlen] = '\0';
    const char *lang = in->lang && *in->lang ? in->lang : guess_lang(tcopy, tlen);
    int64_t now = nt_store_now(d->st);

    if ((e = nt__store_begin(d->st, diag)))
        goto cleanup;
    in_tx = 1;
    if (in->contact && *in->contact &&
        (e = nt__store_seal(d->st, in->contact, nonce, &box, &box_len, diag)))
        goto cleanup;
    if (found) {
        e = get_item(d, item_id, &item, NULL);
        if (e == NT_OK && item.status != NT_ITEM_DISMISSED) {
            have_item = 1;
        } else if (e == NT_OK || e == NT_ERR_NOT_FOUND) {
            item_release_fields(&item);
            found = 0; /* dismissed meanwhile: a new item */
            score = 0;
        } else {
            goto cleanup;
        }
    }
    if (!found) {
        memset(&item, 0, sizeof item);
        item.text = tlen ? tcopy : link;
        item.lang = lang;
        item.status = NT_ITEM_NEW;
        item.assignee = "";
        item.reason = "";
        item.submissions = 1;
        item.first_seen = item.last_seen = item.status_at = now;
        if ((e = d->ops->item_insert(d->db, &item, &item.id, diag)) ||
            (e = bump_gen(d, &gen_before, diag)))
            goto cleanup;
        created = 1;
    } else {
        item.submissions++;
        item.last_seen = now;
        if ((e = d->ops->item_update(d->db, &item, diag)))
            goto cleanup;
    }
    nt__sub_row sr = {.pub = {.item_id = item.id,
                              .text = tcopy,
                              .link = link,
                              .channel = channel,
                              .lang = lang,
                              .forwarded = in->forwarded != 0,
                              .score = score,
                              .at = now},
                      .nonce = box ? nonce : NULL,
                      .nonce_len = sizeof nonce,
                      .box = box,
                      .box_len = box_len};
    if ((e = d->ops->sub_insert(d->db, &sr, &out->submission_id, diag)))
        goto cleanup;
    {
        json_t *j = json_object();
        if (j) {
            json_object_set_new(j, "tip", json_integer(out->submission_id));
            json_object_set_new(j, "channel", json_string(channel));
            json_object_set_new(j, "count", json_integer(item.submissions));
            json_object_set_new(j, "status", json_string(nt_item_status_name(item.status)));
            if (created)
                json_object_set_new(j, "new", json_true());
            else
                json_object_set_new(j, "score", json_real(score));
            if (*link)
                json_object_set_new(j, "link", json_true());
            if (box)
                json_object_set_new(j, "contact", json_true());
        }
        if ((e = audit(d, now, actor, "tip.submit", "item", item.id, j, diag)))
            goto cleanup;
    }
    /* the verdict to give at once */
    fc_loaded l;
    memset(&l, 0, sizeof l);
    if (item.status == NT_ITEM_PUBLISHED && load_fc_by(d, 1, item.id, &l, NULL) == NT_OK) {
        if (l.row.pub.status == NT_FC_PUBLISHED) {
            out->factcheck_id = l.row.pub.id;
            out->verdict = l.row.pub.verdict;
        }
        fc_loaded_release(&l);
    }
    in_tx = 0;
    if ((e = nt__store_commit(d->st, diag)))
        goto cleanup;
    out->item_id = item.id;
    out->new_item = created;
    out->count = item.submissions;
    out->status = item.status;
    out->score = score;
    if (created) {
        char cid[32];
        snprintf(cid, sizeof cid, "item:%lld", (long long)item.id);
        nt_claim c = {.id = cid, .text = item.text, .lang = item.lang};
        after_write(d, gen_before, &c, NULL);
    }
cleanup:
    if (in_tx)
        nt__store_rollback(d->st);
    if (have_item)
        item_release_fields(&item);
    pthread_mutex_unlock(&d->lock);
    free(tcopy);
    free(box);
    return e;
}

/* ---- items ---------------------------------------------------------------------------------------- */

nt_err nt_desk_list(nt_desk *d, nt_item_status status, size_t limit, size_t offset,
                    nt_desk_item_fn fn, void *ctx, nt_diag *diag)
{
    if (!d || !fn || (unsigned)status >= NT_ITEM__COUNT)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "bad argument");
    if (limit > NT_DESK_MAX_LIST)
        return nt__fail(diag, NT_ERR_TOO_BIG, 0, "limit: at most %u", NT_DESK_MAX_LIST);
    if (offset > INT64_MAX / 2)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "offset out of range");
    pthread_mutex_lock(&d->lock);
    nt_err e = d->ops->item_list(d->db, (int)status, limit ? (int64_t)limit : 100, (int64_t)offset,
                                 fn, ctx, diag);
    pthread_mutex_unlock(&d->lock);
    return e;
}

nt_err nt_desk_counts(nt_desk *d, size_t counts[NT_ITEM__COUNT], nt_diag *diag)
{
    if (!d || !counts)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    memset(counts, 0, NT_ITEM__COUNT * sizeof counts[0]);
    pthread_mutex_lock(&d->lock);
    nt_err e = d->ops->item_counts(d->db, counts, diag);
    pthread_mutex_unlock(&d->lock);
    for (int i = 1; i < NT_ITEM__COUNT; i++)
        counts[0] += counts[i];
    return e;
}

nt_err nt_desk_item_get(nt_desk *d, int64_t id, nt_desk_item *out, nt_diag *diag)
{
    if (!d || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    pthread_mutex_lock(&d->lock);
    nt_err e = get_item(d, id, out, diag);
    pthread_mutex_unlock(&d->lock);
    return e;
}

nt_err nt_desk_submissions(nt_desk *d, int64_t item_id, size_t limit, nt_desk_submission_fn fn,
                           void *ctx, nt_diag *diag)
{
    if (!d || !fn)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    pthread_mutex_lock(&d->lock);
    nt_err e = d->ops->sub_list(d->db, item_id, (int64_t)limit, fn, ctx, diag);
    pthread_mutex_unlock(&d->lock);
    return e;
}

nt_err nt_desk_contact(nt_desk *d, int64_t submission_id, const char *actor, char **contact,
                       nt_diag *diag)
{
    if (!d || !contact)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *contact = NULL;
    actor = actor_or(actor, "system");
    nt_err e = check_actor(actor, diag);
    if (e)
        return e;
    unsigned char *nonce = NULL, *box = NULL;
    size_t nl = 0, bl = 0;
    char what[48];
    snprintf(what, sizeof what, "tip %lld", (long long)submission_id);
    pthread_mutex_lock(&d->lock);
    e = d->ops->sub_contact(d->db, submission_id, &nonce, &nl, &box, &bl, diag);
    if (e == NT_ERR_NOT_FOUND)
        e = nt__fail(diag, NT_ERR_NOT_FOUND, 0, "%s: no such tip", what);
    if (!e && !box)
        e = nt__fail(diag, NT_ERR_NOT_FOUND, 0, "%s has no contact", what);
    char *plain = NULL;
    if (!e)
        e = nt__store_unseal(d->st, nonce, nl, box, bl, what, &plain, diag);
    if (!e && !(e = nt__store_begin(d->st, diag))) {
        e = audit(d, nt_store_now(d->st), actor, "tip.contact.reveal", "tip", submission_id,
                  json_object(), diag);
        if (e)
            nt__store_rollback(d->st);
        else
            e = nt__store_commit(d->st, diag);
    }
    pthread_mutex_unlock(&d->lock);
    free(nonce);
    free(box);
    if (e) {
        free(plain);
        return e;
    }
    *contact = plain;
    return NT_OK;
}

static int item_open_status(nt_item_status s)
{
    return s == NT_ITEM_NEW || s == NT_ITEM_ASSIGNED || s == NT_ITEM_DRAFTING;
}

static nt_err not_open(const nt_desk_item *it, const char *doing, nt_diag *diag)
{
    if (it->status == NT_ITEM_PUBLISHED)
        return nt__fail(diag, NT_ERR_STATE, 0,
                        "item %lld is published (fact-check %lld): %s is not possible; a change "
                        "to a published fact-check is a correction",
                        (long long)it->id, (long long)it->factcheck_id, doing);
    return nt__fail(diag, NT_ERR_STATE, 0, "item %lld is %s: %s is not possible",
                    (long long)it->id, nt_item_status_name(it->status), doing);
}

nt_err nt_desk_assign(nt_desk *d, int64_t item_id, const char *assignee, const char *actor,
                      nt_diag *diag)
{
    if (!d)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    actor = actor_or(actor, "system");
    if (!assignee || !*assignee)
        return nt__fail(diag, NT_ERR_EMPTY, 0, "assignee: required (an analyst's name)");
    nt_err e = nt__desk_check_text("assignee", assignee, NT_MAX_NAME_BYTES, 1, diag);
    if (e || (e = check_actor(actor, diag)))
        return e;
    nt_desk_item it;
    int have = 0;
    pthread_mutex_lock(&d->lock);
    if ((e = nt__store_begin(d->st, diag)))
        goto out;
    if ((e = get_item(d, item_id, &it, diag)))
        goto fail;
    have = 1;
    if (!item_open_status(it.status)) {
        e = not_open(&it, "assigning", diag);
        goto fail;
    }
    nt_item_status from = it.status;
    int64_t now = nt_store_now(d->st);
    char *old = (char *)it.assignee;
    it.assignee = assignee;
    if (it.status == NT_ITEM_NEW) {
        it.status = NT_ITEM_ASSIGNED;
        it.status_at = now;
    }
    e = d->ops->item_update(d->db, &it, diag);
    it.assignee = old;
    if (e)
        goto fail;
    json_t *j = json_pack("{s:s, s:s, s:s}", "assignee", assignee, "from",
                          nt_item_status_name(from), "to", nt_item_status_name(it.status));
    if ((e = audit(d, now, actor, "item.assign", "item", item_id, j, diag)))
        goto fail;
    e = nt__store_commit(d->st, diag);
    goto out;
fail:
    nt__store_rollback(d->st);
out:
    if (have)
        item_release_fields(&it);
    pthread_mutex_unlock(&d->lock);
    return e;
}

nt_err nt_desk_dismiss(nt_desk *d, int64_t item_id, const char *reason, const char *actor,
                       nt_diag *diag)
{
    if (!d)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    actor = actor_or(actor, "system");
    if (!reason || !*reason)
        return nt__fail(diag, NT_ERR_EMPTY, 0, "reason: required to dismiss an item");
    nt_err e = nt__desk_check_text("reason", reason, NT_MAX_REASON_BYTES, 0, diag);
    if (e || (e = check_actor(actor, diag)))
        return e;
    nt_desk_item it;
    int have = 0;
    int64_t before = 0;
    pthread_mutex_lock(&d->lock);
    if ((e = nt__store_begin(d->st, diag)))
        goto out;
    if ((e = get_item(d, item_id, &it, diag)))
        goto fail;
    have = 1;
    if (!item_open_status(it.status)) {
        e = not_open(&it, "dismissing", diag);
        goto fail;
    }
    nt_item_status from = it.status;
    int64_t now = nt_store_now(d->st);
    char *old = (char *)it.reason;
    it.reason = reason;
    it.status = NT_ITEM_DISMISSED;
    it.status_at = now;
    e = d->ops->item_update(d->db, &it, diag);
    it.reason = old;
    if (e || (e = bump_gen(d, &before, diag)))
        goto fail;
    json_t *j = json_pack("{s:s, s:s}", "from", nt_item_status_name(from), "reason", reason);
    if ((e = audit(d, now, actor, "item.dismiss", "item", item_id, j, diag)))
        goto fail;
    if (!(e = nt__store_commit(d->st, diag)))
        after_write(d, before, NULL, NULL);
    goto out;
fail:
    nt__store_rollback(d->st);
out:
    if (have)
        item_release_fields(&it);
    pthread_mutex_unlock(&d->lock);
    return e;
}

/* ---- drafting, publishing, correcting -------------------------------------------------------------- */

/* Inside a transaction: the item's draft with in applied and written (a new
 * one when it has none); the item becomes drafting.  On success *l holds
 * the draft as written (l->row.pub.id set). */
static nt_err write_draft(nt_desk *d, nt_desk_item *it, const nt_factcheck_in *in,
                          const char *actor, int64_t now, fc_loaded *l, char *changed, size_t cn,
                          nt_diag *diag)
{
    nt_err e = load_fc_by(d, 1, it->id, l, diag);
    int created = 0;
    nt__fcw old;
    memset(&old, 0, sizeof old);
    if (e == NT_ERR_NOT_FOUND) {
        memset(l, 0, sizeof *l);
        for (int i = 0; i < NT__FC_NFIELDS; i++)
            if (!(l->w.f[i] = strdup(i == NT__FC_CLAIM  ? it->text
                                     : i == NT__FC_LANG ? it->lang
                                                        : "")))
                return nomem(diag);
        if (!(l->author = strdup(actor)) || !(l->publisher = strdup("")))
            return nomem(diag);
        l->row.pub.item_id = it->id;
        l->row.pub.status = NT_FC_DRAFT;
        l->row.pub.created_at = now;
        l->row.pub.author = l->author;
        l->row.pub.publisher = l->publisher;
        created = 1;
    } else if (e) {
        return e;
    } else if (l->row.pub.status == NT_FC_PUBLISHED) {
        return nt__fail(diag, NT_ERR_STATE, 0,
                        "fact-check %lld is published: change it with a correction",
                        (long long)l->row.pub.id);
    }
    /* keep the version before, to name what changed */
    nt__fc_row before_row = l->row;
    char *ev_before = nt__fcw_evidence_json(&l->w);
    if (!ev_before)
        return nomem(diag);
    before_row.evidence_json = ev_before;
    e = nt__fcw_from_row(&old, &before_row, diag);
    free(ev_before);
    if (e)
        return e;
    if (in && (e = nt__fcw_apply(&l->w, in, diag)))
        goto done;
    json_t *bj = NULL, *aj = NULL;
    if ((e = nt__fcw_diff(&old, &l->w, changed, cn, &bj, &aj))) {
        e = nomem(diag);
        goto done;
    }
    json_decref(bj);
    json_decref(aj);
    char *ev = nt__fcw_evidence_json(&l->w);
    if (!ev) {
        e = nomem(diag);
        goto done;
    }
    nt__fcw_to_row(&l->w, &l->row);
    l->row.evidence_json = ev;
    l->row.pub.updated_at = now;
    if (created)
        e = d->ops->fc_insert(d->db, &l->row, &l->row.pub.id, diag);
    else
        e = d->ops->fc_update(d->db, &l->row, diag);
    l->row.evidence_json = NULL;
    free(ev);
    if (e)
        goto done;
    it->factcheck_id = l->row.pub.id;
    if (it->status != NT_ITEM_DRAFTING) {
        it->status = NT_ITEM_DRAFTING;
        it->status_at = now;
        e = d->ops->item_update(d->db, it, diag);
    }
done:
    nt__fcw_release(&old);
    return e;
}

nt_err nt_desk_draft(nt_desk *d, int64_t item_id, const nt_factcheck_in *in, const char *actor,
                     int64_t *factcheck_id, nt_diag *diag)
{
    if (!d)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    actor = actor_or(actor, "system");
    nt_err e = check_actor(actor, diag);
    if (e)
        return e;
    nt_desk_item it;
    fc_loaded l;
    int have = 0;
    char changed[256];
    memset(&l, 0, sizeof l);
    pthread_mutex_lock(&d->lock);
    if ((e = nt__store_begin(d->st, diag)))
        goto out;
    if ((e = get_item(d, item_id, &it, diag)))
        goto fail;
    have = 1;
    if (!item_open_status(it.status)) {
        e = not_open(&it, "drafting", diag);
        goto fail;
    }
    int64_t now = nt_store_now(d->st);
    if ((e = write_draft(d, &it, in, actor, now, &l, changed, sizeof changed, diag)))
        goto fail;
    json_t *j = json_pack("{s:I, s:s}", "factcheck", (json_int_t)l.row.pub.id, "fields", changed);
    if ((e = audit(d, now, actor, "factcheck.draft", "item", item_id, j, diag)))
        goto fail;
    if ((e = nt__store_commit(d->st, diag)))
        goto out;
    if (factcheck_id)
        *factcheck_id = l.row.pub.id;
    goto out;
fail:
    nt__store_rollback(d->st);
out:
    fc_loaded_release(&l);
    if (have)
        item_release_fields(&it);
    pthread_mutex_unlock(&d->lock);
    return e;
}

/* NT_ERR_STATE when claim repeats a published fact-check other than `self`. */
static nt_err check_duplicate(nt_desk *d, const char *claim, int64_t self, nt_diag *diag)
{
    const nt_claim_match *m = NULL;
    size_t n = 0;
    if (!d->pub || nt_claims_match(d->pub, d->sc, claim, strlen(claim), 3,
                                   NT_CLAIMS_ONLY_SAME | NT_CLAIMS_NO_PASSAGE, &m, &n,
                                   NULL) != NT_OK)
        return NT_OK;
    for (size_t i = 0; i < n; i++) {
        int64_t id = strtoll(m[i].id + 3, NULL, 10);
        if (id == self)
            continue;
        return nt__fail(diag, NT_ERR_STATE, 0,
                        "claim: the same claim as published fact-check %lld (score %.2f): "
                        "correct that one, or publish deliberately as a second check "
                        "(allow similar)",
                        (long long)id, m[i].score);
    }
    return NT_OK;
}

nt_err nt_desk_publish(nt_desk *d, int64_t item_id, const nt_factcheck_in *in, unsigned flags,
                       const char *actor, int64_t *factcheck_id, nt_diag *diag)
{
    if (!d)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    actor = actor_or(actor, "system");
    nt_err e = check_actor(actor, diag);
    if (e)
        return e;
    nt_desk_item it;
    fc_loaded l;
    int have = 0;
    int64_t before = 0;
    char changed[256];
    memset(&l, 0, sizeof l);
    pthread_mutex_lock(&d->lock);
    /* the indexes are brought up to date under the write lock, so no other
     * process can publish the same claim between the check and the commit */
    if ((e = nt__store_begin(d->st, diag)))
        goto out;
    if ((e = fresh(d, diag)) || (e = get_item(d, item_id, &it, diag)))
        goto fail;
    have = 1;
    if (it.status == NT_ITEM_PUBLISHED) {
        e = nt__fail(diag, NT_ERR_STATE, 0,
                     "item %lld is already published as fact-check %lld: a change is a "
                     "correction",
                     (long long)item_id, (long long)it.factcheck_id);
        goto fail;
    }
    if (!item_open_status(it.status)) {
        e = not_open(&it, "publishing", diag);
        goto fail;
    }
    int64_t now = nt_store_now(d->st);
    if ((e = write_draft(d, &it, in, actor, now, &l, changed, sizeof changed, diag)) ||
        (e = nt__fcw_complete(&l.w, diag)))
        goto fail;
    if (!(flags & NT_DESK_ALLOW_SIMILAR) &&
        (e = check_duplicate(d, l.w.f[NT__FC_CLAIM], l.row.pub.id, diag)))
        goto fail;
    char *ev = nt__fcw_evidence_json(&l.w);
    if (!ev) {
        e = nomem(diag);
        goto fail;
    }
    free(l.publisher);
    l.publisher = strdup(actor);
    l.row.pub.publisher = l.publisher ? l.publisher : "";
    l.row.pub.status = NT_FC_PUBLISHED;
    l.row.pub.published_at = now;
    l.row.pub.updated_at = now;
    l.row.evidence_json = ev;
    e = d->ops->fc_update(d->db, &l.row, diag);
    l.row.evidence_json = NULL;
    free(ev);
    if (e)
        goto fail;
    it.status = NT_ITEM_PUBLISHED;
    it.status_at = now;
    if ((e = d->ops->item_update(d->db, &it, diag)) || (e = bump_gen(d, &before, diag)))
        goto fail;
    json_t *j = json_pack("{s:I, s:s}", "item", (json_int_t)item_id, "verdict",
                          nt_verdict_name(l.w.verdict));
    if (j && (flags & NT_DESK_ALLOW_SIMILAR))
        json_object_set_new(j, "allow_similar", json_true());
    if ((e = audit(d, now, actor, "factcheck.publish", "factcheck", l.row.pub.id, j, diag)))
        goto fail;
    if ((e = nt__store_commit(d->st, diag)))
        goto out;
    {
        char cid[32], url[NT_DESK_MAX_URL_BYTES + 64];
        snprintf(cid, sizeof cid, "fc:%lld", (long long)l.row.pub.id);
        nt_claim c = {.id = cid,
                      .text = l.w.f[NT__FC_CLAIM],
                      .lang = *l.w.f[NT__FC_LANG] ? l.w.f[NT__FC_LANG] : NULL,
                      .title = *l.w.f[NT__FC_HEADLINE] ? l.w.f[NT__FC_HEADLINE] : NULL,
                      .verdict = nt_verdict_name(l.w.verdict),
                      .url = nt_desk_factcheck_url(d, l.row.pub.id, url, sizeof url)};
        after_write(d, before, NULL, &c);
    }
    if (factcheck_id)
        *factcheck_id = l.row.pub.id;
    goto out;
fail:
    nt__store_rollback(d->st);
out:
    fc_loaded_release(&l);
    if (have)
        item_release_fields(&it);
    pthread_mutex_unlock(&d->lock);
    return e;
}

nt_err nt_desk_correct(nt_desk *d, int64_t factcheck_id, const nt_factcheck_in *changes,
                       const char *reason, const char *actor, nt_diag *diag)
{
    if (!d || !changes)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    actor = actor_or(actor, "system");
    if (!reason || !*reason)
        return nt__fail(diag, NT_ERR_EMPTY, 0,
                        "reason: required - a correction says why it was made");
    nt_err e = nt__desk_check_text("reason", reason, NT_MAX_REASON_BYTES, 0, diag);
    if (e || (e = check_actor(actor, diag)))
        return e;
    fc_loaded l;
    nt__fcw neww;
    json_t *bj = NULL, *aj = NULL;
    char *bs = NULL, *as = NULL, *ev = NULL;
    char changed[256];
    int64_t before = 0;
    memset(&l, 0, sizeof l);
    memset(&neww, 0, sizeof neww);
    pthread_mutex_lock(&d->lock);
    if ((e = nt__store_begin(d->st, diag)))
        goto out;
    if ((e = fresh(d, diag)) || (e = load_fc_by(d, 0, factcheck_id, &l, diag)))
        goto fail;
    if (l.row.pub.status != NT_FC_PUBLISHED) {
        e = nt__fail(diag, NT_ERR_STATE, 0,
                     "fact-check %lld is a draft: edit the draft instead of correcting it",
                     (long long)factcheck_id);
        goto fail;
    }
    /* a copy to change, so the diff compares the published version */
    nt__fc_row cur = l.row;
    if (!(ev = nt__fcw_evidence_json(&l.w))) {
        e = nomem(diag);
        goto fail;
    }
    cur.evidence_json = ev;
    if ((e = nt__fcw_from_row(&neww, &cur, diag)) || (e = nt__fcw_apply(&neww, changes, diag)) ||
        (e = nt__fcw_complete(&neww, diag)))
        goto fail;
    if (nt__fcw_diff(&l.w, &neww, changed, sizeof changed, &bj, &aj)) {
        e = nomem(diag);
        goto fail;
    }
    if (!changed[0]) {
        e = nt__fail(diag, NT_ERR_INVALID, 0,
                     "nothing to correct: every field given is as published");
        goto fail;
    }
    if (strcmp(neww.f[NT__FC_CLAIM], l.w.f[NT__FC_CLAIM]) != 0 &&
        (e = check_duplicate(d, neww.f[NT__FC_CLAIM], factcheck_id, diag)))
        goto fail;
    bs = json_dumps(bj, JSON_COMPACT | JSON_SORT_KEYS);
    as = json_dumps(aj, JSON_COMPACT | JSON_SORT_KEYS);
    if (!bs || !as) {
        e = nomem(diag);
        goto fail;
    }
    int64_t now = nt_store_now(d->st);
    nt_fc_correction c = {.seq = l.row.corrections + 1,
                          .at = now,
                          .actor = actor,
                          .reason = reason,
                          .fields = changed,
                          .before = bs,
                          .after = as};
    if ((e = d->ops->corr_insert(d->db, factcheck_id, &c, &c.id, diag)))
        goto fail;
    free(ev);
    if (!(ev = nt__fcw_evidence_json(&neww))) {
        e = nomem(diag);
        goto fail;
    }
    nt__fc_row nr = l.row;
    nt__fcw_to_row(&neww, &nr);
    nr.evidence_json = ev;
    nr.corrections = c.seq;
    nr.pub.updated_at = now;
    if ((e = d->ops->fc_update(d->db, &nr, diag)) || (e = bump_gen(d, &before, diag)))
        goto fail;
    json_t *j = json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)c.seq, "fields", changed,
                          "reason", reason);
    if ((e = audit(d, now, actor, "factcheck.correct", "factcheck", factcheck_id, j, diag)))
        goto fail;
    if (!(e = nt__store_commit(d->st, diag)))
        after_write(d, before, NULL, NULL);
    goto out;
fail:
    nt__store_rollback(d->st);
out:
    json_decref(bj);
    json_decref(aj);
    free(bs);
    free(as);
    free(ev);
    nt__fcw_release(&neww);
    fc_loaded_release(&l);
    pthread_mutex_unlock(&d->lock);
    return e;
}

/* ---- reading fact-checks ------------------------------------------------------------------------------ */

/* An nt_factcheck that owns everything it points to. */
typedef struct fc_owned {
    nt_factcheck pub; /* first: nt_factcheck_free casts back */
    nt__fcw w;
    char *author, *publisher;
    nt_fc_correction *corr;
    size_t ncorr, capcorr;
    int oom;
} fc_owned;

void nt_factcheck_free(nt_factcheck *fc)
{
    fc_owned *o = (fc_owned *)fc;
    if (!o)
        return;
    nt__fcw_release(&o->w);
    free(o->author);
    free(o->publisher);
    for (size_t i = 0; i < o->ncorr; i++) {
        free((char *)o->corr[i].actor);
        free((char *)o->corr[i].reason);
        free((char *)o->corr[i].fields);
        free((char *)o->corr[i].before);
        free((char *)o->corr[i].after);
    }
    free(o->corr);
    free(o);
}

/* Fill pub's string fields from w and the row. */
static void fc_public(nt_factcheck *pub, const nt__fc_row *r, const nt__fcw *w)
{
    *pub = r->pub;
    pub->claim = w->f[NT__FC_CLAIM];
    pub->lang = w->f[NT__FC_LANG];
    pub->headline = w->f[NT__FC_HEADLINE];
    pub->explanation = w->f[NT__FC_EXPLANATION];
    pub->body = w->f[NT__FC_BODY];
    pub->claim_author = w->f[NT__FC_CLAIM_AUTHOR];
    pub->claim_date = w->f[NT__FC_CLAIM_DATE];
    pub->appearance = w->f[NT__FC_APPEARANCE];
    pub->verdict = w->verdict;
    pub->evidence = (const char *const *)w->evidence;
    pub->n_evidence = w->n_evidence;
    pub->corrections = NULL;
    pub->n_corrections = 0;
}

static int take_fc(void *ctx, const nt__fc_row *r)
{
    fc_owned *o = ctx;
    o->author = strdup(r->pub.author);
    o->publisher = strdup(r->pub.publisher);
    if (!o->author || !o->publisher || nt__fcw_from_row(&o->w, r, NULL) != NT_OK) {
        o->oom = 1;
        return 1;
    }
    fc_public(&o->pub, r, &o->w);
    o->pub.author = o->author;
    o->pub.publisher = o->publisher;
    return 1;
}

static int take_corr(void *ctx, const nt_fc_correction *c)
{
    fc_owned *o = ctx;
    if (o->ncorr == o->capcorr) {
        size_t nc = o->capcorr ? o->capcorr * 2 : 4;
        nt_fc_correction *p = realloc(o->corr, nc * sizeof *p);
        if (!p) {
            o->oom = 1;
            return 1;
        }
        o->corr = p;
        o->capcorr = nc;
    }
    nt_fc_correction *x = &o->corr[o->ncorr++];
    *x = *c;
    x->actor = strdup(c->actor);
    x->reason = strdup(c->reason);
    x->fields = strdup(c->fields);
    x->before = strdup(c->before);
    x->after = strdup(c->after);
    if (!x->actor || !x->reason || !x->fields || !x->before || !x->after)
        o->oom = 1;
    return o->oom;
}

nt_err nt_desk_factcheck_get(nt_desk *d, int64_t id, nt_factcheck **out, nt_diag *diag)
{
    if (!d || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    fc_owned *o = calloc(1, sizeof *o);
    if (!o)
        return nomem(diag);
    pthread_mutex_lock(&d->lock);
    nt_err e = d->ops->fc_get(d->db, id, take_fc, o, diag);
    if (e == NT_ERR_NOT_FOUND)
        e = nt__fail(diag, NT_ERR_NOT_FOUND, 0, "fact-check %lld: no such fact-check",
                     (long long)id);
    if (!e && !o->oom)
        e = d->ops->corr_list(d->db, id, take_corr, o, diag);
    pthread_mutex_unlock(&d->lock);
    if (!e && o->oom)
        e = nomem(diag);
    if (e) {
        nt_factcheck_free(&o->pub);
        return e;
    }
    o->pub.corrections = o->corr;
    o->pub.n_corrections = o->ncorr;
    *out = &o->pub;
    return NT_OK;
}

typedef struct list_ctx {
    nt_factcheck_fn fn;
    void *ctx;
    int stop, oom;
} list_ctx;

static int list_fc(void *ctx, const nt__fc_row *r)
{
    list_ctx *lc = ctx;
    nt__fcw w;
    if (nt__fcw_from_row(&w, r, NULL) != NT_OK) {
        lc->oom = 1;
        return 1;
    }
    nt_factcheck pub;
    fc_public(&pub, r, &w);
    lc->stop = lc->fn(lc->ctx, &pub);
    nt__fcw_release(&w);
    return lc->stop;
}

nt_err nt_desk_factchecks(nt_desk *d, nt_fc_status status, size_t limit, size_t offset,
                          nt_factcheck_fn fn, void *ctx, nt_diag *diag)
{
    if (!d || !fn || (status != 0 && status != NT_FC_DRAFT && status != NT_FC_PUBLISHED))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "bad argument");
    if (limit > NT_DESK_MAX_LIST)
        return nt__fail(diag, NT_ERR_TOO_BIG, 0, "limit: at most %u", NT_DESK_MAX_LIST);
    if (offset > INT64_MAX / 2)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "offset out of range");
    list_ctx lc = {.fn = fn, .ctx = ctx};
    pthread_mutex_lock(&d->lock);
    nt_err e = d->ops->fc_list(d->db, (int)status, limit ? (int64_t)limit : 100, (int64_t)offset,
                               list_fc, &lc, diag);
    pthread_mutex_unlock(&d->lock);
    if (!e && lc.oom)
        e = nomem(diag);
    return e;
}

/* ---- matching ------------------------------------------------------------------------------------------ */

void nt_fc_matches_free(nt_fc_match *m, size_t n)
{
    if (!m)
        return;
    for (size_t i = 0; i < n; i++) {
        free((char *)m[i].claim);
        free((char *)m[i].headline);
        free((char *)m[i].explanation);
        free((char *)m[i].url);
    }
    free(m);
}

nt_err nt_desk_match(nt_desk *d, const char *text, size_t len, size_t k, unsigned flags,
                     nt_fc_match **out, size_t *n, nt_diag *diag)
{
    if (!d || !out || !n || (!text && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    *n = 0;
    if (k < 1 || k > NT_CLAIMS_MAX_RESULTS)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "k: 1..%u", NT_CLAIMS_MAX_RESULTS);
    pthread_mutex_lock(&d->lock);
    const nt_claim_match *m = NULL;
    size_t nm = 0;
    nt_fc_match *r = NULL;
    nt_err e = fresh(d, diag);
    if (!e && len)
        e = nt_claims_match(d->pub, d->sc, text, len, k, flags, &m, &nm, diag);
    if (e || nm == 0)
        goto out;
    if (!(r = calloc(nm, sizeof *r))) {
        e = nomem(diag);
        goto out;
    }
    for (size_t i = 0; i < nm; i++) {
        nt_claim c;
        nt_claims_get(d->pub, m[i].ordinal, &c);
        nt_fc_match *x = &r[i];
        x->factcheck_id = strtoll(c.id + 3, NULL, 10);
        x->score = m[i].score;
        x->same = m[i].same;
        nt_verdict_parse(c.verdict, &x->verdict);
        x->q_start = m[i].q_start;
        x->q_end = m[i].q_end;
        x->c_start = m[i].c_start;
        x->c_end = m[i].c_end;
        fc_loaded l;
        const char *expl = "";
        int have = load_fc_by(d, 0, x->factcheck_id, &l, NULL) == NT_OK;
        if (have)
            expl = l.w.f[NT__FC_EXPLANATION];
        x->claim = strdup(c.text);
        x->headline = strdup(c.title ? c.title : "");
        x->explanation = strdup(expl);
        x->url = strdup(c.url ? c.url : "");
        if (have)
            fc_loaded_release(&l);
        if (!x->claim || !x->headline || !x->explanation || !x->url) {
            nt_fc_matches_free(r, i + 1);
            r = NULL;
            e = nomem(diag);
            goto out;
        }
    }
    *out = r;
    *n = nm;
out:
    pthread_mutex_unlock(&d->lock);
    return e;
}

/* ---- ClaimReview with the desk's organisation ---------------------------------------------------------- */

nt_err nt_desk_claimreview(const nt_desk *d, const nt_factcheck *fc, const char *page_url,
                           char **json, nt_diag *diag)
{
    if (!d || !fc || !json)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    char url[NT_DESK_MAX_URL_BYTES + 64];
    if (!page_url)
        page_url = nt_desk_factcheck_url(d, fc->id, url, sizeof url);
    return nt_claimreview_render(fc, d->org_name, d->org_url, page_url, json, diag);
}
