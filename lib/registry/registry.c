/*
 * lib/registry/registry.c - the early-warning registry: a store plus the
 * lock-free index (index.c), kept current by the store's commit observer,
 * and the lookup rules that turn one raw value into every key worth
 * checking (Safe Browsing expressions, parent and registrable domains,
 * account digits).
 *
 * The one idea: the index learns about a write only from the store's
 * observer, after the commit, so what a lookup can see is always something
 * the database has durably accepted.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/diag.h"
#include "indicator/internal.h"
#include "niemtin/registry.h"
#include "registry/index.h"
#include "store/store_int.h"

typedef struct src_entry {
    int64_t id;
    char *name;
} src_entry;

struct nt_registry {
    nt_store *st;
    nt__index *ix;
    const nt_banks *banks;
    pthread_mutex_t wlock;
    nt_err index_err; /* the first failure to update the index, reported by the next write */
    src_entry *srcs;  /* import sources, writer side */
    size_t n_srcs;
};

/* ---- keeping the index current ------------------------------------------------------------ */

static int src_add(void *ctx, const nt_store_source *s)
{
    nt_registry *reg = ctx;
    if (s->kind != NT_SOURCE_IMPORT)
        return 0;
    for (size_t i = 0; i < reg->n_srcs; i++)
        if (reg->srcs[i].id == s->id)
            return 0;
    src_entry *p = realloc(reg->srcs, (reg->n_srcs + 1) * sizeof *p);
    if (!p)
        return 1;
    reg->srcs = p;
    char *name = strdup(s->name);
    if (!name)
        return 1;
    reg->srcs[reg->n_srcs++] = (src_entry){s->id, name};
    return 0;
}

static const char *src_name(nt_registry *reg, int64_t id)
{
    if (id <= 0)
        return NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < reg->n_srcs; i++)
            if (reg->srcs[i].id == id)
                return reg->srcs[i].name;
        /* a new import: the commit is over, so the store may be read again */
        if (pass == 0)
            nt_store_sources(reg->st, src_add, reg, NULL);
    }
    return NULL;
}

static void put(nt_registry *reg, const nt_store_indicator *ind)
{
    const char *src = ind->status == NT_STATUS_CONFIRMED || ind->status == NT_STATUS_DISPUTED ||
                              ind->status == NT_STATUS_EXPIRED
                          ? src_name(reg, ind->source_id)
                          : NULL;
    if (ind->status_by && strncmp(ind->status_by, "import:", 7) != 0 &&
        ind->status != NT_STATUS_EXPIRED)
        src = NULL; /* an analyst's decision came after the import */
    nt_err e = nt__index_put(reg->ix, ind, src);
    if (e && !reg->index_err)
        reg->index_err = e;
}

static void observe(void *ctx, const nt_store_indicator *ind)
{
    put(ctx, ind);
}

static int load_one(void *ctx, const nt_store_indicator *ind)
{
    nt_registry *reg = ctx;
    put(reg, ind);
    return reg->index_err != NT_OK;
}

nt_err nt_registry_open(const nt_store_config *cfg, nt_registry **out, nt_diag *diag)
{
    nt_err e;
    if (!cfg || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    nt_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    pthread_mutex_init(&reg->wlock, NULL);
    reg->banks = cfg->banks;
    if ((e = nt_store_open(cfg, &reg->st, diag)))
        goto fail;
    if ((e = nt__index_new(nt_store_half_life(reg->st), &reg->ix))) {
        nt__fail(diag, e, 0, "cannot create the index: %s", nt_strerror(e));
        goto fail;
    }
    if ((e = nt_store_sources(reg->st, src_add, reg, diag)))
        goto fail;
    if ((e = nt_store_list(reg->st, 0, 0, 0, load_one, reg, diag)))
        goto fail;
    if (reg->index_err) {
        e = nt__fail(diag, reg->index_err, 0, "cannot index the registry: %s",
                     nt_strerror(reg->index_err));
        goto fail;
    }
    nt_store_set_observer(reg->st, observe, reg);
    *out = reg;
    return NT_OK;
fail:
    nt_registry_close(reg);
    return e;
}

void nt_registry_close(nt_registry *reg)
{
    if (!reg)
        return;
    nt_store_close(reg->st);
    nt__index_free(reg->ix);
    for (size_t i = 0; i < reg->n_srcs; i++)
        free(reg->srcs[i].name);
    free(reg->srcs);
    pthread_mutex_destroy(&reg->wlock);
    free(reg);
}

nt_store *nt_registry_store(nt_registry *reg)
{
    return reg ? reg->st : NULL;
}

/* A write, then any index failure its observer met. */
static nt_err after_write(nt_registry *reg, nt_err e, nt_diag *diag)
{
    if (!e && reg->index_err) {
        e = nt__fail(diag, reg->index_err, 0,
                     "the change was saved but the in-memory index could not follow (%s): "
                     "reopen the registry",
                     nt_strerror(reg->index_err));
    }
    pthread_mutex_unlock(&reg->wlock);
    return e;
}

nt_err nt_registry_report(nt_registry *reg, const nt_report_in *in, int64_t *report_id,
                          int64_t *indicator_id, nt_diag *diag)
{
    pthread_mutex_lock(&reg->wlock);
    return after_write(reg, nt_store_report_add(reg->st, in, report_id, indicator_id, diag), diag);
}

nt_err nt_registry_decide(nt_registry *reg, int64_t id, nt_action action, const char *actor,
                          const char *reason, nt_diag *diag)
{
    pthread_mutex_lock(&reg->wlock);
    return after_write(reg, nt_store_transition(reg->st, id, action, actor, reason, diag), diag);
}

nt_err nt_registry_import(nt_registry *reg, const nt_import_options *opts, const char *data,
                          size_t len, nt_import_result *result, nt_diag *diag)
{
    pthread_mutex_lock(&reg->wlock);
    return after_write(reg, nt_store_import(reg->st, opts, data, len, result, diag), diag);
}

nt_err nt_registry_expire(nt_registry *reg, double days, const char *actor, size_t *n,
                          nt_diag *diag)
{
    pthread_mutex_lock(&reg->wlock);
    return after_write(reg, nt_store_expire(reg->st, days, actor, n, diag), diag);
}

/* ---- lookups
 * -------------------------------------------------------------------------------------- */

const char *nt_match_via_name(nt_match_via via)
{
    switch (via) {
    case NT_MATCH_EXACT:
        return "exact";
    case NT_MATCH_URL_EXPRESSION:
        return "url_expression";
    case NT_MATCH_HOST:
        return "host";
    case NT_MATCH_PARENT_DOMAIN:
        return "parent_domain";
    case NT_MATCH_REGISTRABLE_DOMAIN:
        return "registrable_domain";
    case NT_MATCH_IP_HOST:
        return "ip_host";
    case NT_MATCH_ACCOUNT_DIGITS:
        return "account_digits";
    }
    return "unknown";
}

static int severity(nt_status s)
{
    static const int rank[NT_STATUS__COUNT] = {
        [NT_STATUS_CONFIRMED] = 7, [NT_STATUS_DISPUTED] = 6, [NT_STATUS_UNDER_REVIEW] = 5,
        [NT_STATUS_REPORTED] = 4,  [NT_STATUS_EXPIRED] = 3,  [NT_STATUS_CLEARED] = 2,
        [NT_STATUS_REJECTED] = 1,
    };
    return (unsigned)s < NT_STATUS__COUNT ? rank[s] : 0;
}

static int more_severe(const nt_reg_match *a, const nt_reg_match *b)
{
    if (severity(a->status) != severity(b->status))
        return severity(a->status) > severity(b->status);
    return a->score > b->score;
}

typedef struct collector {
    const nt_registry *reg;
    nt_reg_answer *a;
    nt_match_via via;
    int64_t now;
    int64_t seen[NT_MAX_REGISTRY_MATCHES * 4]; /* ids already counted */
    size_t n_seen;
} collector;

static int collect(void *ctx, const nt__index_entry *e)
{
    collector *c = ctx;
    nt_reg_answer *a = c->a;
    for (size_t i = 0; i < c->n_seen; i++)
        if (c->seen[i] == e->ind)
            return 0;
    if (c->n_seen < sizeof c->seen / sizeof c->seen[0])
        c->seen[c->n_seen++] = e->ind;
    nt_reg_match m = {.id = e->ind,
                      .type = e->type,
                      .value = e->value,
                      .via = c->via,
                      .status = e->status,
                      .source = e->source,
                      .first_seen = e->first_seen,
                      .last_seen = e->last_seen,
                      .status_at = e->status_at,
                      .n_reports = e->n_reports,
                      .n_reporters = e->n_reporters,
                      .score = nt__index_score(c->reg->ix, e, c->now)};
    a->n_total++;
    size_t at = a->n_matches;
    if (at == NT_MAX_REGISTRY_MATCHES) {
        if (!more_severe(&m, &a->matches[at - 1]))
            return 0;
        at--; /* replaces the least severe */
    } else {
        a->n_matches++;
    }
    while (at > 0 && more_severe(&m, &a->matches[at - 1])) {
        a->matches[at] = a->matches[at - 1];
        at--;
    }
    a->matches[at] = m;
    return 0;
}

/* ---- the keys of one lookup ----------------------------------------------------------------
 *
 * A lookup is planned first — every key it will check, in order, with its
 * hash — and run second.  Planning needs no index access, so a batch plans a
 * window of lookups, prefetches what their keys will touch, then runs them
 * (nt_registry_lookup_batch).  Keys point into the canonical value or into
 * the plan's own buffer; nothing is allocated unless a URL is longer than
 * that buffer. */

#define PLAN_KEYS (NT__URL_MAX_EXPRESSIONS + 10)
#define PLAN_BUF 320

typedef struct pkey {
    const char *k;
    uint64_t h;
    const void *rec; /* prefetch state */
    uint32_t len, ind;
    uint8_t type, digits, via;
} pkey;

typedef struct plan {
    size_t n;
    nt_err err;
    char *heap; /* the URL when longer than buf */
    pkey key[PLAN_KEYS];
    char buf[PLAN_BUF];
    char regd[256];
} plan;

static void plan_add(const nt_registry *reg, plan *p, nt_ind_type type, int digits,
                     nt_match_via via, const char *k, size_t len)
{
    if (p->n == PLAN_KEYS || len > UINT32_MAX)
        return; /* cannot happen: PLAN_KEYS covers the most keys a lookup has */
    pkey *x = &p->key[p->n++];
    x->k = k;
    x->len = (uint32_t)len;
    x->type = (uint8_t)type;
    x->digits = (uint8_t)(digits != 0);
    x->via = (uint8_t)via;
    x->h = nt__index_hash(reg->ix, type, digits, k, len);
}

static int is_ip(const char *host)
{
    unsigned char buf[16];
    if (host[0] == '[')
        return 1;
    return inet_pton(AF_INET, host, buf) == 1;
}

/* Non-zero when the registrable domain of the canonical host h (lower-case
 * LDH, not an IP) is certainly one of the host suffixes already checked: the
 * host itself or a suffix of 2 to 5 labels (nt__url_expression_spans), and a
 * registrable domain has at least two labels, so any host of at most six
 * labels.  Hosts with A-labels go through IDNA in nt_canon_domain: not
 * covered here. */
static int regd_is_checked(const char *h, size_t n)
{
    size_t labels = 1;
    if (n == 0 || h[n - 1] == '.' || h[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c == '.') {
            labels++;
            if (i + 4 < n && memcmp(h + i + 1, "xn--", 4) == 0)
                return 0;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return 0;
        }
    }
    return labels <= 6 && !(n >= 4 && memcmp(h, "xn--", 4) == 0);
}

/* URL (or domain/IP, as "http://x/"): expressions, hosts, registrable domain. */
static void plan_url(const nt_registry *reg, plan *p, nt_ind_type orig, const char *url)
{
    size_t st[NT__URL_MAX_EXPRESSIONS], ln[NT__URL_MAX_EXPRESSIONS];
    size_t n = nt__url_expression_spans(url, st, ln);
    if (n == 0)
        return; /* not a URL one can list: no match */
    const char *full = strstr(url, "://");
    full = full ? full + 3 : url;
    size_t full_len = strlen(full);
    const char *hosts[8];
    size_t hl[8], nh = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ex = url + st[i];
        nt_match_via via = ln[i] == full_len && memcmp(ex, full, full_len) == 0 &&
                                   orig == NT_IND_URL
                               ? NT_MATCH_EXACT
                               : NT_MATCH_URL_EXPRESSION;
        plan_add(reg, p, NT_IND_URL, 0, via, ex, ln[i]);
        const char *slash = memchr(ex, '/', ln[i]);
        size_t l = slash ? (size_t)(slash - ex) : ln[i];
        int dup = 0;
        for (size_t k = 0; k < nh; k++)
            if (hl[k] == l && memcmp(hosts[k], ex, l) == 0)
                dup = 1;
        if (!dup && nh < 8) {
            hosts[nh] = ex;
            hl[nh++] = l;
        }
    }
    char host0[300];
    host0[0] = '\0';
    if (nh > 0 && hl[0] < sizeof host0) {
        memcpy(host0, hosts[0], hl[0]);
        host0[hl[0]] = '\0';
    }
    if (host0[0] && is_ip(host0)) {
        plan_add(reg, p, NT_IND_IP, 0, orig == NT_IND_IP ? NT_MATCH_EXACT : NT_MATCH_IP_HOST,
                 hosts[0], hl[0]);
        return;
    }
    for (size_t k = 0; k < nh; k++)
        plan_add(reg, p, NT_IND_DOMAIN, 0,
                 k == 0 ? (orig == NT_IND_DOMAIN ? NT_MATCH_EXACT : NT_MATCH_HOST)
                        : NT_MATCH_PARENT_DOMAIN,
                 hosts[k], hl[k]);
    if (!host0[0] || regd_is_checked(host0, hl[0]))
        return;
    char *ascii = NULL, *regd = NULL;
    if (nt_canon_domain(host0, strlen(host0), &ascii, &regd, NULL) == NT_OK && regd) {
        size_t rl = strlen(regd);
        int dup = 0;
        for (size_t k = 0; k < nh; k++)
            if (hl[k] == rl && memcmp(hosts[k], regd, rl) == 0)
                dup = 1;
        if (!dup && rl < sizeof p->regd) {
            memcpy(p->regd, regd, rl + 1);
            plan_add(reg, p, NT_IND_DOMAIN, 0, NT_MATCH_REGISTRABLE_DOMAIN, p->regd, rl);
        }
    }
    free(ascii);
    free(regd);
}

/* "http://" + s (+ "/"), in the plan's buffer or on the heap; NULL: no memory. */
static const char *plan_with_scheme(plan *p, const char *s, int add_slash)
{
    size_t n = strlen(s);
    char *u = p->buf;
    if (n + 9 > sizeof p->buf) {
        if (!(u = p->heap = malloc(n + 9)))
            return NULL;
    }
    memcpy(u, "http://", 7);
    memcpy(u + 7, s, n);
    n += 7;
    if (add_slash)
        u[n++] = '/';
    u[n] = '\0';
    return u;
}

static void plan_build(const nt_registry *reg, plan *p, nt_ind_type type, const char *canonical,
                       unsigned flags)
{
    p->n = 0;
    p->err = NT_OK;
    p->heap = NULL;
    if (!canonical) {
        p->err = NT_ERR_INVALID_ARG;
        return;
    }
    const char *url;
    if (flags & NT_LOOKUP_EXACT) {
        /* a listed URL is its expression: the canonical URL without "scheme://" */
        if (type == NT_IND_URL && (url = strstr(canonical, "://")) != NULL)
            canonical = url + 3;
        plan_add(reg, p, type, 0, NT_MATCH_EXACT, canonical, strlen(canonical));
        return;
    }
    switch (type) {
    case NT_IND_URL:
        if (strstr(canonical, "://"))
            plan_url(reg, p, type, canonical);
        else if ((url = plan_with_scheme(p, canonical, 0)))
            plan_url(reg, p, type, url);
        else
            p->err = NT_ERR_NOMEM;
        break;
    case NT_IND_DOMAIN:
    case NT_IND_IP:
        if ((url = plan_with_scheme(p, canonical, 1)))
            plan_url(reg, p, type, url);
        else
            p->err = NT_ERR_NOMEM;
        /* an IPv6 address is no URL host as written: exact only */
        if (type == NT_IND_IP && strchr(canonical, ':'))
            plan_add(reg, p, NT_IND_IP, 0, NT_MATCH_EXACT, canonical, strlen(canonical));
        break;
    case NT_IND_BANK_ACCOUNT: {
        size_t len = strlen(canonical);
        plan_add(reg, p, type, 0, NT_MATCH_EXACT, canonical, len);
        const char *colon = strchr(canonical, ':');
        if (colon)
            plan_add(reg, p, type, 0, NT_MATCH_ACCOUNT_DIGITS, colon + 1, strlen(colon + 1));
        else
            plan_add(reg, p, type, 1, NT_MATCH_ACCOUNT_DIGITS, canonical, len);
        break;
    }
    default:
        plan_add(reg, p, type, 0, NT_MATCH_EXACT, canonical, strlen(canonical));
        break;
    }
}

static void answer_reset(nt_reg_answer *a, nt_ind_type type)
{
    a->type = type;
    a->canonical = NULL;
    a->n_matches = 0;
    a->n_total = 0;
    a->status = 0;
    a->score = 0;
}

/* Run a plan (inside a reader section) into a; frees what the plan holds. */
static nt_err plan_run(const nt_registry *reg, plan *p, int64_t now, nt_reg_answer *a)
{
    collector c;
    c.reg = reg;
    c.a = a;
    c.now = now;
    c.n_seen = 0;
    for (size_t i = 0; i < p->n; i++) {
        const pkey *x = &p->key[i];
        c.via = (nt_match_via)x->via;
        nt__index_find_in(reg->ix, x->h, (nt_ind_type)x->type, x->digits, x->k, x->len, collect,
                          &c);
    }
    free(p->heap);
    p->heap = NULL;
    if (a->n_matches) {
        a->status = a->matches[0].status;
        for (size_t i = 0; i < a->n_matches; i++)
            if (a->matches[i].score > a->score)
                a->score = a->matches[i].score;
    }
    return p->err;
}

/* Touch what the keys of plans p[0..m) will read, in stages (index.h). */
static void plan_prefetch(const nt_registry *reg, plan *p, size_t m)
{
    const nt__index *ix = reg->ix;
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < p[j].n; i++)
            nt__index_prefetch_slot(ix, p[j].key[i].h);
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < p[j].n; i++)
            p[j].key[i].ind = nt__index_prefetch_ref(ix, p[j].key[i].h, p[j].key[i].digits);
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < p[j].n; i++)
            p[j].key[i].rec = p[j].key[i].ind ? nt__index_prefetch_rec(ix, p[j].key[i].ind) : NULL;
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < p[j].n; i++)
            nt__index_prefetch_value(ix, p[j].key[i].rec);
}

static nt_err lookup_one(const nt_registry *reg, nt_ind_type type, const char *canonical,
                         unsigned flags, nt_reg_answer *a)
{
    if (!reg || !canonical || !a)
        return NT_ERR_INVALID_ARG;
    answer_reset(a, type);
    plan p;
    plan_build(reg, &p, type, canonical, flags);
    int64_t now = nt_store_now(reg->st);
    uint64_t tok = nt__index_enter(reg->ix);
    if (p.n > 1)
        plan_prefetch(reg, &p, 1);
    nt_err e = plan_run(reg, &p, now, a);
    nt__index_leave(reg->ix, tok);
    return e;
}

nt_err nt_registry_lookup_canonical(const nt_registry *reg, nt_ind_type type, const char *canonical,
                                    nt_reg_answer *a)
{
    return lookup_one(reg, type, canonical, 0, a);
}

nt_err nt_registry_lookup_exact(const nt_registry *reg, nt_ind_type type, const char *canonical,
                                nt_reg_answer *a)
{
    return lookup_one(reg, type, canonical, NT_LOOKUP_EXACT, a);
}

/* Lookups a batch plans and prefetches together. */
#define BATCH_WINDOW 16

nt_err nt_registry_lookup_batch(const nt_registry *reg, size_t n, const nt_ind_type *types,
                                const char *const *canonical, unsigned flags,
                                nt_reg_answer *answers)
{
    if (!reg || (n && (!types || !canonical || !answers)))
        return NT_ERR_INVALID_ARG;
    if (n == 0)
        return NT_OK;
    plan *p = malloc(BATCH_WINDOW * sizeof *p);
    if (!p)
        return NT_ERR_NOMEM;
    nt_err first = NT_OK;
    int64_t now = nt_store_now(reg->st);
    for (size_t s = 0; s < n; s += BATCH_WINDOW) {
        size_t m = n - s < BATCH_WINDOW ? n - s : BATCH_WINDOW;
        for (size_t j = 0; j < m; j++)
            plan_build(reg, &p[j], types[s + j], canonical[s + j], flags);
        uint64_t tok = nt__index_enter(reg->ix);
        plan_prefetch(reg, p, m);
        for (size_t j = 0; j < m; j++) {
            answer_reset(&answers[s + j], types[s + j]);
            nt_err e = plan_run(reg, &p[j], now, &answers[s + j]);
            if (e && !first)
                first = e;
        }
        nt__index_leave(reg->ix, tok);
    }
    free(p);
    return first;
}

/* Undo the usual defanging of links people paste ("hxxps://evil[.]com",
 * "evil(.)com", "[:]//", "[@]"); *out malloc'd, or NULL when nothing changed. */
static char *refang(const char *s, size_t len, size_t *out_len)
{
    static const struct {
        const char *from, *to;
    } subs[] = {{"[.]", "."}, {"(.)", "."},     {"{.}", "."},     {"[dot]", "."},  {"[:]", ":"},
                {"[@]", "@"}, {"hxxp", "http"}, {"hXXp", "http"}, {"HXXP", "HTTP"}};
    /* every pattern starts with one of these: most values have none */
    size_t first = 0;
    while (first < len && s[first] != '[' && s[first] != '(' && s[first] != '{' &&
           s[first] != 'h' && s[first] != 'H')
        first++;
    if (first == len)
        return NULL;
    char *o = malloc(len + 1);
    size_t n = first;
    int changed = 0;
    if (!o)
        return NULL;
    memcpy(o, s, first);
    for (size_t i = first; i < len;) {
        size_t k = sizeof subs / sizeof subs[0];
        char c = s[i];
        if (c == '[' || c == '(' || c == '{' || c == 'h' || c == 'H') {
            for (k = 0; k < sizeof subs / sizeof subs[0]; k++) {
                size_t fl = strlen(subs[k].from);
                if (i + fl <= len && memcmp(s + i, subs[k].from, fl) == 0)
                    break;
            }
        }
        if (k < sizeof subs / sizeof subs[0]) {
            size_t tl = strlen(subs[k].to);
            memcpy(o + n, subs[k].to, tl);
            n += tl;
            i += strlen(subs[k].from);
            changed = 1;
        } else {
            o[n++] = s[i++];
        }
    }
    o[n] = '\0';
    if (!changed) {
        free(o);
        return NULL;
    }
    *out_len = n;
    return o;
}

nt_err nt_registry_lookup(const nt_registry *reg, nt_ind_type type, const char *raw, size_t len,
                          nt_reg_answer *a, nt_diag *diag)
{
    char *canon = NULL, *plain = NULL;
    if (!reg || !a || (!raw && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    answer_reset(a, type);
    if (raw &&
        (type == NT_IND_URL || type == NT_IND_DOMAIN || type == NT_IND_IP ||
         type == NT_IND_EMAIL) &&
        (plain = refang(raw, len, &len)) != NULL)
        raw = plain;
    nt_err e = nt__store_canonical(reg->banks, type, raw ? raw : "", len, &canon, diag);
    free(plain);
    if (e)
        return e;
    e = nt_registry_lookup_canonical(reg, type, canon, a);
    a->canonical = canon;
    if (e)
        nt__fail(diag, e, 0, "lookup failed: %s", nt_strerror(e));
    return e;
}

void nt_reg_answer_release(nt_reg_answer *a)
{
    if (!a)
        return;
    free(a->canonical);
    a->canonical = NULL;
}

static int canon_ok(const nt_registry *reg, nt_ind_type t, const char *raw, size_t len)
{
    char *out = NULL;
    nt_err e = nt_canon(t, reg ? reg->banks : NULL, raw, len, &out, NULL);
    free(out);
    return e == NT_OK;
}

size_t nt_registry_guess_types(const nt_registry *reg, const char *raw, size_t len,
                               nt_ind_type types[4])
{
    size_t n = 0, plen = 0;
    if (!raw || len == 0 || memchr(raw, '\0', len))
        return 0;
    char *plain = refang(raw, len, &plen);
    if (plain) {
        n = nt_registry_guess_types(reg, plain, plen, types);
        free(plain);
        return n;
    }
    int has_slash = memchr(raw, '/', len) != NULL, has_at = memchr(raw, '@', len) != NULL;
    int has_colon = memchr(raw, ':', len) != NULL;
    int scheme = 0;
    for (size_t i = 0; i + 3 <= len && !scheme; i++)
        scheme = memcmp(raw + i, "://", 3) == 0;
    if ((scheme || has_slash) && !has_at && canon_ok(reg, NT_IND_URL, raw, len))
        types[n++] = NT_IND_URL;
    if ((has_at || has_colon || has_slash) && canon_ok(reg, NT_IND_SOCIAL, raw, len))
        types[n++] = NT_IND_SOCIAL;
    if (has_at && !has_slash && n < 4 && canon_ok(reg, NT_IND_EMAIL, raw, len))
        types[n++] = NT_IND_EMAIL;
    if (n)
        return n;
    if (canon_ok(reg, NT_IND_IP, raw, len))
        types[n++] = NT_IND_IP;
    else if (canon_ok(reg, NT_IND_WALLET, raw, len))
        types[n++] = NT_IND_WALLET;
    if (n)
        return n;
    if (canon_ok(reg, NT_IND_PHONE, raw, len))
        types[n++] = NT_IND_PHONE;
    if (canon_ok(reg, NT_IND_BANK_ACCOUNT, raw, len))
        types[n++] = NT_IND_BANK_ACCOUNT;
    if (n == 0 && canon_ok(reg, NT_IND_DOMAIN, raw, len))
        types[n++] = NT_IND_DOMAIN;
    return n;
}

/* ---- explanations
 * ------------------------------------------------------------------------------------ */

/* A date in Vietnam's time zone (UTC+7, no daylight saving). */
static void vn_date(int64_t t, char out[16])
{
    time_t tt = (time_t)(t + 7 * 3600);
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 16, "?");
        return;
    }
    strftime(out, 16, "%Y-%m-%d", &tm);
}

const char *nt_reg_explain(const nt_reg_match *m, int en, char *buf, size_t bufsize)
{
    char d[16];
    size_t at = 0;
    if (!buf || bufsize == 0)
        return "";
    buf[0] = '\0';
    if (!m)
        return buf;
    vn_date(m->status_at, d);
#define OUT(...) at += (size_t)snprintf(buf + at, at < bufsize ? bufsize - at : 0, __VA_ARGS__)
    if (m->n_reports) {
        if (en)
            OUT("%u report%s from %u reporter%s, ", m->n_reports, m->n_reports != 1 ? "s" : "",
                m->n_reporters, m->n_reporters != 1 ? "s" : "");
        else
            OUT("%u báo cáo từ %u người báo cáo, ", m->n_reports, m->n_reporters);
    }
    switch (m->status) {
    case NT_STATUS_CONFIRMED:
        if (m->source)
            OUT(en ? "listed in %s (imported on %s)" : "có trong danh sách %s (nhập ngày %s)",
                m->source, d);
        else
            OUT(en ? "confirmed as a scam by an analyst on %s"
                   : "được chuyên viên xác nhận là lừa đảo ngày %s",
                d);
        break;
    case NT_STATUS_REPORTED:
        OUT(en ? "awaiting review" : "đang chờ chuyên viên xác minh");
        break;
    case NT_STATUS_UNDER_REVIEW:
        OUT(en ? "under review by an analyst since %s" : "đang được chuyên viên xem xét từ ngày %s",
            d);
        break;
    case NT_STATUS_REJECTED:
        OUT(en ? "rejected by an analyst on %s (not found to be a scam)"
               : "chuyên viên đã bác bỏ ngày %s (không xác định là lừa đảo)",
            d);
        break;
    case NT_STATUS_DISPUTED:
        OUT(en ? "confirmed as a scam, under appeal since %s"
               : "đã xác nhận là lừa đảo, đang bị khiếu nại từ ngày %s",
            d);
        break;
    case NT_STATUS_CLEARED:
        OUT(en ? "cleared after an appeal on %s" : "đã được gỡ cảnh báo sau khiếu nại ngày %s", d);
        break;
    case NT_STATUS_EXPIRED:
        OUT(en ? "expired on %s (no recent activity)"
               : "đã hết hạn ngày %s (lâu không có báo cáo mới)",
            d);
        break;
    default:
        break;
    }
    if (m->n_reports)
        OUT(en ? "; community risk %.0f/100" : "; mức rủi ro theo cộng đồng %.0f/100", m->score);
#undef OUT
    return buf;
}

void nt_registry_stats_get(const nt_registry *reg, nt_registry_stats *st)
{
    nt__index_stats s;
    nt__index_stats_get(reg->ix, &s);
    st->indicators = s.indicators;
    st->keys = s.keys;
    st->slots = s.slots;
    st->record_versions = s.record_versions;
    st->bytes_index = s.bytes_slots + s.bytes_records + s.bytes_refs + s.bytes_directories;
    st->bytes_values = s.bytes_values;
}
