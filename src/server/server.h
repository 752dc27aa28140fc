/*
 * src/server/server.h - `niemtin serve`: the HTTP API and the web app.
 *
 * The one idea: libmicrohttpd does the sockets (epoll, a pool of threads
 * sized to the cores); everything above it is a table of routes, each a
 * plain function from a parsed request to a JSON (or file) response.  A
 * request is read whole (up to a configured limit) before its handler runs,
 * so handlers never see partial bodies.  Every error a client can cause is a
 * JSON object {"error": {"code", "message", "field"}} with the right status;
 * a 500 means a bug or an exhausted machine, never bad input.
 *
 *   server.c     options, start, signals (SIGTERM drains, SIGHUP reloads rules)
 *   http.c       the libmicrohttpd glue: bodies, limits, routing, responses,
 *                static files of web/
 *   api_check.c  POST /api/v1/check and /api/v1/check/conversation
 *   api_registry.c  lookup, reports (public); batch lookup, feed (members);
 *                review queue and decisions (analysts)
 *   api_auth.c   who is asking (API key or session + CSRF), login, logout,
 *                the audit chain
 *   api_exchange.c  import and export (analysts); an indicator's page
 *                (reports, history); the review queue's filters
 *   api_admin.c  the member page (an organisation's API keys) and the
 *                administrators' (people, organisations, settings, audit log)
 *   api_claims.c the fact-check desk: tips, fact-checks, the tipline (analysts)
 *   claims_desk.c  the desk library behind it, as the API's JSON
 *   pages_claims.c the public fact-check pages (server-rendered HTML)
 *   metrics.c    counters and latency histograms, /metrics (Prometheus text)
 *   ratelimit.c  token buckets per client address
 */
#ifndef NT_SERVER_H
#define NT_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "niemtin/niemtin.h"

typedef struct srv_ratelimit srv_ratelimit;
typedef struct srv_desk srv_desk;

typedef struct srv_config {
    const char *addr;      /* listen address, "127.0.0.1" by default */
    unsigned port;         /* 8080 by default; 0 picks a free one */
    unsigned threads;      /* pool size; 0: one per core */
    size_t max_body;       /* bytes; larger bodies get 413 */
    size_t max_import;     /* bytes; the limit for POST /api/v1/import instead */
    double rate;           /* requests per second per client address */
    double burst;          /* bucket size */
    const char *web_dir;   /* the browser app (web/) */
    const char *docs_dir;  /* docs/ (for openapi.yaml) */
    int quiet;             /* no access log */
} srv_config;

/* Routes, for the metrics labels. */
enum {
    ROUTE_HEALTH,
    ROUTE_METRICS,
    ROUTE_OPENAPI,
    ROUTE_CHECK,
    ROUTE_CHECK_CONV,
    ROUTE_LOOKUP,
    ROUTE_REPORT,
    ROUTE_LOOKUP_BATCH,
    ROUTE_FEED,
    ROUTE_REVIEW,
    ROUTE_DECIDE,
    ROUTE_LOGIN,
    ROUTE_LOGOUT,
    ROUTE_ME,
    ROUTE_AUDIT,
    ROUTE_IMPORT,
    ROUTE_EXPORT,
    ROUTE_INDICATOR,
    ROUTE_ORG_KEYS,
    ROUTE_ADMIN,
    ROUTE_TIP,
    ROUTE_FC_SEARCH,
    ROUTE_FC_GET,
    ROUTE_FC_CORRECT,
    ROUTE_TIPLINE,
    ROUTE_TIPLINE_ITEM,
    ROUTE_TIPLINE_EDIT,
    ROUTE_FC_PAGE,
    ROUTE_STATIC,
    ROUTE_OTHER,
    ROUTE__COUNT
};

typedef struct srv {
    srv_config cfg;
    nt_engine *eng;
    nt_registry *reg; /* NULL: no registry endpoints (503) */
    nt_auth *auth;    /* accounts and keys on the same database; NULL with --no-db */
    srv_desk *desk;   /* the fact-check desk on the same database; NULL with --no-db */
    pthread_mutex_t store_lock; /* registry writes and store reads (feed, queue) take it:
                                   the store is one connection (lookups need no lock) */
    pthread_key_t scratch_key; /* per-thread nt_check_scratch */
    int have_key;
    srv_ratelimit *rl;
    char *openapi;      /* docs/openapi.yaml, read at start */
    size_t openapi_len;
    /* metrics (metrics.c) */
    atomic_ulong requests[ROUTE__COUNT][6]; /* by status class 1xx..5xx, [0] unused */
    atomic_ulong latency[ROUTE__COUNT][12]; /* histogram buckets, see metrics.c */
    atomic_ulong latency_sum_us[ROUTE__COUNT];
    atomic_ulong checks[3];                 /* by level */
    atomic_ulong rate_limited;
    time_t started;
} srv;

/* A request read whole, as handlers see it. */
typedef struct srv_req {
    srv *s;
    const char *method, *path; /* path without the query string */
    const char *query;         /* after '?', or "" */
    char *body;                /* NUL-terminated, may contain NULs */
    size_t body_len, body_cap;
    int too_big;               /* the body passed max_body */
    int en;                    /* reply in English (?lang=en or Accept-Language) */
    char client[64];           /* client address, for rate limits and logs */
    const char *content_type;
    struct MHD_Connection *conn;
    uint64_t t0_us;
    int route;
    nt_principal who;      /* who is asking: public, a person (session), a key */
    const char *session;   /* the session cookie's value, or NULL */
} srv_req;

/* What a handler returns: a status and either JSON or raw bytes. */
typedef struct srv_resp {
    unsigned status;
    json_t *json;          /* owned; rendered compactly */
    char *bytes;           /* owned (free()) if free_bytes, else static */
    size_t len;
    int free_bytes;
    const char *content_type;
    const char *cache;     /* Cache-Control, or NULL */
    unsigned retry_after;  /* seconds, for 429 */
    const char *allow;     /* Allow header, for 405 */
    char allow_buf[24];    /* its storage when a path has two methods */
    char set_cookie[200];  /* Set-Cookie value, or "" */
    char disposition[160]; /* Content-Disposition value, or "" */
} srv_resp;

/* An error response {"error": {"code", "message", "field"}}; field may be
 * NULL.  The message is in the request's language. */
void srv_error(const srv_req *r, srv_resp *out, unsigned status, const char *code,
               const char *field, const char *msg_vi, const char *msg_en);

/* The request body as a JSON object, or an error response (400 bad_json with
 * line:column, 415 when the content type is not JSON) and NULL. */
json_t *srv_body_object(const srv_req *r, srv_resp *out);

/* Reject members of obj not in allowed (NULL-terminated): 400 unknown_field
 * naming the first one.  Returns 0 when all are known. */
int srv_only_fields(const srv_req *r, json_t *obj, const char *const *allowed, srv_resp *out);

/* The calling thread's check scratch (created on first use). */
nt_check_scratch *srv_scratch(srv *s);

/* api_check.c */
void api_check(srv_req *r, srv_resp *out);
void api_check_conversation(srv_req *r, srv_resp *out);

/* api_registry.c */
void api_lookup(srv_req *r, srv_resp *out);
void api_report(srv_req *r, srv_resp *out);
void api_lookup_batch(srv_req *r, srv_resp *out);
void api_feed(srv_req *r, srv_resp *out);
void api_review_list(srv_req *r, srv_resp *out);
void api_review_decide(srv_req *r, srv_resp *out);

/* api_auth.c */
void api_login(srv_req *r, srv_resp *out);
void api_logout(srv_req *r, srv_resp *out);
void api_me(srv_req *r, srv_resp *out);
void api_audit_verify(srv_req *r, srv_resp *out);
/* Authenticate the request (Authorization: Bearer key, or the session
 * cookie with X-CSRF-Token on state changes) into r->who; 0 when allowed to
 * go on, else an error response in *out. */
int srv_authenticate(srv_req *r, srv_resp *out);

/* api_exchange.c */
void api_import(srv_req *r, srv_resp *out);
void api_export(srv_req *r, srv_resp *out);
void api_indicator(srv_req *r, srv_resp *out);
/* The body limit for a request to this path: max_import for imports,
 * else max_body. */
size_t srv_body_limit(const srv *s, const char *path);
/* Map an error of the library to a response: NT_ERR_INVALID/UTF8 400
 * bad_field (the field named by the message's "field: " prefix when it is
 * one of fields, else def_field), TOO_BIG 413, NOT_FOUND 404, STATE 409,
 * anything else 500.  fields may be NULL. */
void srv_lib_error(const srv_req *r, srv_resp *out, nt_err rc, const nt_diag *d,
                   const char *const *fields, const char *def_field);
/* A query parameter, or NULL. */
const char *srv_query(const srv_req *r, const char *name);

/* api_admin.c */
void api_org_keys(srv_req *r, srv_resp *out);
void api_org_key_create(srv_req *r, srv_resp *out);
void api_org_key_revoke(srv_req *r, srv_resp *out);
void api_admin_users(srv_req *r, srv_resp *out);
void api_admin_user_add(srv_req *r, srv_resp *out);
void api_admin_user_change(srv_req *r, srv_resp *out);
void api_admin_orgs(srv_req *r, srv_resp *out);
void api_admin_org_add(srv_req *r, srv_resp *out);
void api_admin_settings(srv_req *r, srv_resp *out);
void api_admin_setting_set(srv_req *r, srv_resp *out);
void api_audit_list(srv_req *r, srv_resp *out);
/* api_claims.c */
void api_tip_submit(srv_req *r, srv_resp *out);
void api_factcheck_search(srv_req *r, srv_resp *out);
void api_factcheck_get(srv_req *r, srv_resp *out);
void api_factcheck_correct(srv_req *r, srv_resp *out);
void api_tipline_list(srv_req *r, srv_resp *out);
void api_tipline_item(srv_req *r, srv_resp *out);
void api_tipline_assign(srv_req *r, srv_resp *out);
void api_tipline_draft(srv_req *r, srv_resp *out);
void api_tipline_publish(srv_req *r, srv_resp *out);
void api_tipline_dismiss(srv_req *r, srv_resp *out);
void page_factcheck(srv_req *r, srv_resp *out);
void page_factcheck_index(srv_req *r, srv_resp *out);

/* claims_desk.c: the fact-check desk (lib) as the API's JSON.  Each call
 * returns NT_OK and a new JSON value the caller owns, or an error with
 * diag.message starting "<field>: " when a field of the request is at fault
 * (NT_ERR_INVALID / NT_ERR_TOO_BIG), NT_ERR_NOT_FOUND, or NT_ERR_STATE for a
 * step the item's state does not allow (a second publication).  `en` picks
 * the language of the labels in the answer.  Thread-safe. */
typedef struct desk_tip {
    const char *text, *url, *kind, *channel; /* NULL: absent */
    const char *client;                       /* the client address */
    const nt_principal *who;
} desk_tip;

typedef struct desk_edit {
    const char *claim, *headline, *verdict, *explanation, *write_up; /* NULL: unchanged */
    const char *claim_author, *claim_date, *appearance;
    const char *note; /* a correction's reason */
    const json_t *evidence; /* array of strings; NULL: unchanged */
} desk_edit;

/* Open on db_path; the lexicons are borrowed (they must outlive the desk);
 * site_url is the public base of the pages (ClaimReview url), may be NULL
 * and set later with desk_set_site_url (once the port is known). */
/* The published fact-checks a checked message repeats ("same claim" only, at
 * most 3), as the "fact_checks" array of `niemtin check --db`; NULL without
 * a desk or when the lookup fails (the check stands without it). */
json_t *desk_check_factchecks(srv *s, const char *text, size_t len, int en);
nt_err desk_open(srv *s, const char *db_path, const nt_lexicon *teencode,
                 const nt_lexicon *synonyms, const char *site_url, nt_diag *d);
void desk_set_site_url(srv *s, const char *site_url);
void desk_close(srv *s);
/* {"status":"checked"|"received","item_id","count","fact_checks":[...]} */
nt_err desk_submit(srv *s, const desk_tip *in, int en, json_t **out, nt_diag *d);
/* the published fact-checks matching q ("" = all), newest first: an array of summaries */
nt_err desk_search(srv *s, const char *q, size_t offset, size_t limit, int en, json_t **items,
                   size_t *total, nt_diag *d);
/* one published fact-check, by id; and its ClaimReview JSON-LD object */
nt_err desk_factcheck(srv *s, const char *id, int en, json_t **fc, json_t **claim_review,
                      nt_diag *d);
/* {"status","counts":{status:n},"items":[...]}; status/assignee NULL: any */
nt_err desk_list(srv *s, const char *status, const char *assignee, size_t offset, size_t limit,
                 json_t **out, nt_diag *d);
nt_err desk_item(srv *s, int64_t id, int en, json_t **out, nt_diag *d);
nt_err desk_assign(srv *s, const nt_principal *who, int64_t id, const char *to, nt_diag *d);
nt_err desk_draft(srv *s, const nt_principal *who, int64_t id, const desk_edit *e, nt_diag *d);
nt_err desk_dismiss(srv *s, const nt_principal *who, int64_t id, const char *note, nt_diag *d);
nt_err desk_publish(srv *s, const nt_principal *who, int64_t id, int allow_similar, int en,
                    json_t **fc, nt_diag *d);
nt_err desk_correct(srv *s, const nt_principal *who, const char *fc_id, const desk_edit *e, int en,
                    json_t **fc, nt_diag *d);

/* pages_claims.c */
const char *claims_verdict_text(const char *verdict, int en);
void claims_page_factcheck(srv_req *r, srv_resp *out, const json_t *fc, const json_t *claim_review);
void claims_page_index(srv_req *r, srv_resp *out, const json_t *items, size_t total,
                       size_t offset, size_t limit, const char *q);
void claims_page_error(srv_req *r, srv_resp *out, unsigned status, const char *msg_vi,
                       const char *msg_en);

/* metrics.c */
void metrics_observe(srv *s, int route, unsigned status, uint64_t micros);
void metrics_render(srv *s, srv_resp *out);

/* ratelimit.c: 0 when allowed, else the seconds to wait. */
nt_err ratelimit_new(double rate, double burst, srv_ratelimit **out);
void ratelimit_free(srv_ratelimit *rl);
unsigned ratelimit_take(srv_ratelimit *rl, const char *client, uint64_t now_us);
/* The same with this bucket's own rate and burst (per role). */
unsigned ratelimit_take_at(srv_ratelimit *rl, const char *key, uint64_t now_us, double rate,
                           double burst);

/* http.c */
struct MHD_Daemon;
struct MHD_Daemon *http_start(srv *s, unsigned *bound_port);
uint64_t now_us(void);


#endif
