/*
 * src/server/http.c - libmicrohttpd glue: read a request whole, route it,
 * send the response.
 *
 * libmicrohttpd calls the access handler several times per request: first
 * with the headers (we allocate a srv_req and refuse early what we can: an
 * over-long Content-Length gets 413 before a byte of the body is read), then
 * once per chunk of body (appended, up to max_body), then a last time with no
 * data, when the route's handler runs.  The per-request state is freed in
 * the completion callback, which also records the metrics.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "server.h"

#define STATIC_MAX_BYTES (8u * 1024u * 1024u)
#define CONNECTION_MEMORY (32u * 1024u) /* per connection, see http_start */

uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- responses ------------------------------------------------------------ */

void srv_error(const srv_req *r, srv_resp *out, unsigned status, const char *code,
               const char *field, const char *msg_vi, const char *msg_en)
{
    memset(out, 0, sizeof *out);
    out->status = status;
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", r->en ? msg_en : msg_vi);
    json_object_set_new(e, "field", field ? json_string(field) : json_null());
    out->json = json_pack("{s:o}", "error", e);
}

json_t *srv_body_object(const srv_req *r, srv_resp *out)
{
    const char *ct = r->content_type;
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        srv_error(r, out, 415, "unsupported_media_type", NULL,
                  "Nội dung phải là JSON (Content-Type: application/json)",
                  "The body must be JSON (Content-Type: application/json)");
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        char vi[300], en[300];
        snprintf(vi, sizeof vi, "JSON không hợp lệ ở dòng %d, cột %d (byte %d): %s", err.line,
                 err.column, err.position, err.text);
        snprintf(en, sizeof en, "invalid JSON at line %d, column %d (byte %d): %s", err.line,
                 err.column, err.position, err.text);
        srv_error(r, out, 400, "bad_json", NULL, vi, en);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        srv_error(r, out, 400, "bad_json", NULL, "Nội dung phải là một đối tượng JSON {...}",
                  "The body must be a JSON object {...}");
        return NULL;
    }
    return j;
}

int srv_only_fields(const srv_req *r, json_t *obj, const char *const *allowed, srv_resp *out)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) {
            char vi[300], en[300];
            snprintf(vi, sizeof vi, "Trường không được hỗ trợ: \"%.100s\"", key);
            snprintf(en, sizeof en, "unknown field \"%.100s\"", key);
            srv_error(r, out, 400, "unknown_field", key, vi, en);
            return -1;
        }
    }
    return 0;
}

static void scratch_free(void *p)
{
    nt_check_scratch_free(p);
}

nt_check_scratch *srv_scratch(srv *s)
{
    nt_check_scratch *sc = pthread_getspecific(s->scratch_key);
    if (!sc && nt_check_scratch_new(s->eng, &sc) == NT_OK)
        pthread_setspecific(s->scratch_key, sc);
    return sc;
}

/* ---- static files of web/ ----------------------------------------------- */

static const char *mime_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".json", "application/json"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".ico", "image/x-icon"},
                 {".txt", "text/plain; charset=utf-8"},
                 {".yaml", "application/yaml; charset=utf-8"},
                 {".webmanifest", "application/manifest+json"}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* GET a file under web_dir.  Only [A-Za-z0-9._-/] names, no "..", no
 * dot-files; "/" is index.html; an unknown extension is 404 rather than a
 * guess. */
static void serve_static(srv_req *r, srv_resp *out)
{
    const char *p = r->path;
    char rel[256];
    if (strcmp(p, "/") == 0)
        p = "/index.html";
    size_t n = strlen(p);
    int ok = n > 1 && n < sizeof rel && p[0] == '/' && !strstr(p, "..") && !strstr(p, "/.");
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)p[i]) || strchr("._-/", p[i]);
    const char *type = ok ? mime_of(p) : NULL;
    if (!type) {
        srv_error(r, out, 404, "not_found", NULL, "Không có trang này", "No such page");
        return;
    }
    snprintf(rel, sizeof rel, "%s", p + 1);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", r->s->cfg.web_dir, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_BYTES) {
        if (fd >= 0)
            close(fd);
        srv_error(r, out, 404, "not_found", NULL, "Không có trang này", "No such page");
        return;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    ssize_t got = buf ? read(fd, buf, (size_t)st.st_size) : -1;
    close(fd);
    if (got != (ssize_t)st.st_size) {
        free(buf);
        srv_error(r, out, 500, "internal", NULL, "Không đọc được tệp", "cannot read the file");
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->bytes = buf;
    out->len = (size_t)got;
    out->free_bytes = 1;
    out->content_type = type;
    out->cache = "no-cache";
}

/* ---- routing -------------------------------------------------------------- */

static void health(srv_req *r, srv_resp *out)
{
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack("{s:s, s:I, s:I, s:I}", "status", "ok", "rules",
                          (json_int_t)nt_ruleset_count(nt_engine_rules(r->s->eng)),
                          "rules_generation", (json_int_t)nt_engine_generation(r->s->eng),
                          "uptime_seconds", (json_int_t)(time(NULL) - r->s->started));
    if (r->s->reg) {
        nt_registry_stats st;
        nt_registry_stats_get(r->s->reg, &st);
        json_object_set_new(out->json, "registry_indicators", json_integer((json_int_t)st.indicators));
    }
}

static void openapi(srv_req *r, srv_resp *out)
{
    if (!r->s->openapi) {
        srv_error(r, out, 404, "not_found", NULL, "Không có tài liệu OpenAPI",
                  "The OpenAPI document is not available");
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->bytes = r->s->openapi;
    out->len = r->s->openapi_len;
    out->content_type = "application/yaml; charset=utf-8";
}

typedef struct route {
    const char *method, *path; /* a path ending in '/' matches any one more segment;
                                  a '*' segment matches any one segment */
    int id;
    void (*fn)(srv_req *, srv_resp *);
    nt_auth_action action; /* what the caller must be allowed to do; 0: anyone */
} route;

static const route routes[] = {
    {"GET", "/healthz", ROUTE_HEALTH, health, 0},
    {"GET", "/metrics", ROUTE_METRICS, NULL /* metrics_render */, 0},
    {"GET", "/api/v1/openapi.yaml", ROUTE_OPENAPI, openapi, 0},
    {"POST", "/api/v1/check", ROUTE_CHECK, api_check, NT_AUTH_CHECK},
    {"POST", "/api/v1/check/conversation", ROUTE_CHECK_CONV, api_check_conversation, NT_AUTH_CHECK},
    {"GET", "/api/v1/lookup", ROUTE_LOOKUP, api_lookup, NT_AUTH_LOOKUP},
    {"POST", "/api/v1/reports", ROUTE_REPORT, api_report, NT_AUTH_REPORT},
    {"POST", "/api/v1/lookup/batch", ROUTE_LOOKUP_BATCH, api_lookup_batch, NT_AUTH_LOOKUP_BATCH},
    {"GET", "/api/v1/feed", ROUTE_FEED, api_feed, NT_AUTH_FEED},
    {"GET", "/api/v1/review", ROUTE_REVIEW, api_review_list, NT_AUTH_REVIEW},
    {"POST", "/api/v1/review/", ROUTE_DECIDE, api_review_decide, NT_AUTH_REVIEW},
    {"POST", "/api/v1/login", ROUTE_LOGIN, api_login, 0},
    {"POST", "/api/v1/logout", ROUTE_LOGOUT, api_logout, 0},
    {"GET", "/api/v1/me", ROUTE_ME, api_me, 0},
    {"GET", "/api/v1/audit/verify", ROUTE_AUDIT, api_audit_verify, NT_AUTH_AUDIT_READ},
    /* analysts: exchange, an indicator's page (api_exchange.c) */
    {"POST", "/api/v1/import", ROUTE_IMPORT, api_import, NT_AUTH_IMPORT},
    {"GET", "/api/v1/export", ROUTE_EXPORT, api_export, NT_AUTH_EXPORT},
    {"GET", "/api/v1/indicators/*", ROUTE_INDICATOR, api_indicator, NT_AUTH_LOOKUP},
    /* members: their organisation's keys; administrators (api_admin.c) */
    {"GET", "/api/v1/org/keys", ROUTE_ORG_KEYS, api_org_keys, NT_AUTH_MANAGE_ORG_KEYS},
    {"POST", "/api/v1/org/keys", ROUTE_ORG_KEYS, api_org_key_create, NT_AUTH_MANAGE_ORG_KEYS},
    {"DELETE", "/api/v1/org/keys/", ROUTE_ORG_KEYS, api_org_key_revoke, NT_AUTH_MANAGE_ORG_KEYS},
    {"GET", "/api/v1/admin/users", ROUTE_ADMIN, api_admin_users, NT_AUTH_MANAGE_USERS},
    {"POST", "/api/v1/admin/users", ROUTE_ADMIN, api_admin_user_add, NT_AUTH_MANAGE_USERS},
    {"POST", "/api/v1/admin/users/", ROUTE_ADMIN, api_admin_user_change, NT_AUTH_MANAGE_USERS},
    {"GET", "/api/v1/admin/orgs", ROUTE_ADMIN, api_admin_orgs, NT_AUTH_MANAGE_ORGS},
    {"POST", "/api/v1/admin/orgs", ROUTE_ADMIN, api_admin_org_add, NT_AUTH_MANAGE_ORGS},
    {"GET", "/api/v1/admin/settings", ROUTE_ADMIN, api_admin_settings, NT_AUTH_SETTINGS},
    {"POST", "/api/v1/admin/settings", ROUTE_ADMIN, api_admin_setting_set, NT_AUTH_SETTINGS},
    {"GET", "/api/v1/audit", ROUTE_AUDIT, api_audit_list, NT_AUTH_AUDIT_READ},
    /* the fact-check desk (api_claims.c): the public sends tips and reads;
       analysts work the tipline, publish and correct */
    {"POST", "/api/v1/tips", ROUTE_TIP, api_tip_submit, NT_AUTH_REPORT},
    {"GET", "/api/v1/fact-checks", ROUTE_FC_SEARCH, api_factcheck_search, 0},
    {"GET", "/api/v1/fact-checks/", ROUTE_FC_GET, api_factcheck_get, 0},
    {"POST", "/api/v1/fact-checks/*/corrections", ROUTE_FC_CORRECT, api_factcheck_correct,
     NT_AUTH_PUBLISH},
    {"GET", "/api/v1/tipline", ROUTE_TIPLINE, api_tipline_list, NT_AUTH_REVIEW},
    {"GET", "/api/v1/tipline/", ROUTE_TIPLINE_ITEM, api_tipline_item, NT_AUTH_REVIEW},
    {"POST", "/api/v1/tipline/*/assign", ROUTE_TIPLINE_EDIT, api_tipline_assign, NT_AUTH_REVIEW},
    {"PUT", "/api/v1/tipline/*/draft", ROUTE_TIPLINE_EDIT, api_tipline_draft, NT_AUTH_REVIEW},
    {"POST", "/api/v1/tipline/*/publish", ROUTE_TIPLINE_EDIT, api_tipline_publish,
     NT_AUTH_PUBLISH},
    {"POST", "/api/v1/tipline/*/dismiss", ROUTE_TIPLINE_EDIT, api_tipline_dismiss, NT_AUTH_REVIEW},
    /* the public pages (pages_claims.c): /kiem-chung/ID is the URL the
       ClaimReview names; /fact-checks the same in English */
    {"GET", "/kiem-chung", ROUTE_FC_PAGE, page_factcheck_index, 0},
    {"GET", "/kiem-chung/", ROUTE_FC_PAGE, page_factcheck, 0},
    {"GET", "/fact-checks", ROUTE_FC_PAGE, page_factcheck_index, 0},
    {"GET", "/fact-checks/", ROUTE_FC_PAGE, page_factcheck, 0},
};

static int path_matches(const char *pattern, const char *path)
{
    for (;;) {
        if (pattern[0] == '*' && !pattern[1]) /* a final star: the rest, one or more segments */
            return path[0] != 0;
        if (pattern[0] == '*' && pattern[1] == '/') { /* a star inside: exactly one segment */
            size_t seg = strcspn(path, "/");
            if (!seg)
                return 0;
            pattern++;
            path += seg;
            continue;
        }
        if (pattern[0] == '/' && !pattern[1]) /* a trailing '/': one more segment */
            return path[0] == '/' && path[1] && !strchr(path + 1, '/');
        if (!pattern[0] || pattern[0] != path[0])
            return !pattern[0] && !path[0];
        pattern++;
        path++;
    }
}

static void dispatch(srv_req *r, srv_resp *out)
{
    const route *hit = NULL;
    const char *allow = NULL, *allow2 = NULL; /* a path has at most two methods */
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!path_matches(routes[i].path, r->path))
            continue;
        if (!allow)
            allow = routes[i].method;
        else if (strcmp(allow, routes[i].method) != 0)
            allow2 = routes[i].method;
        if (strcmp(routes[i].method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
            hit = &routes[i];
    }
    if (hit) {
        r->route = hit->id;
        if (hit->action && r->s->auth && !nt_auth_allowed(r->who.role, hit->action)) {
            if (r->who.kind == NT_PRINCIPAL_PUBLIC)
                srv_error(r, out, 401, "unauthorized", NULL,
                          "Cần đăng nhập hoặc khoá API của tổ chức thành viên",
                          "log in or use a member organisation's API key");
            else
                srv_error(r, out, 403, "forbidden", NULL, "Vai trò của bạn không được làm việc này",
                          "your role may not do this");
            return;
        }
        if (hit->id == ROUTE_METRICS)
            metrics_render(r->s, out);
        else
            hit->fn(r, out);
        return;
    }
    if (allow) {
        r->route = ROUTE_OTHER;
        srv_error(r, out, 405, "method_not_allowed", NULL, "Phương thức không được hỗ trợ",
                  "method not allowed");
        out->allow = allow;
        if (allow2) {
            snprintf(out->allow_buf, sizeof out->allow_buf, "%s, %s", allow, allow2);
            out->allow = out->allow_buf;
        }
        return;
    }
    if (strncmp(r->path, "/api/", 5) == 0) {
        r->route = ROUTE_OTHER;
        srv_error(r, out, 404, "not_found", NULL, "Không có điểm cuối API này",
                  "no such API endpoint");
        return;
    }
    r->route = ROUTE_STATIC;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        srv_error(r, out, 405, "method_not_allowed", NULL, "Phương thức không được hỗ trợ",
                  "method not allowed");
        out->allow = "GET";
        return;
    }
    serve_static(r, out);
}

/* ---- JSON rendering ---------------------------------------------------------- */

/* A JSON body is rendered by jansson's json_dumpb straight into a buffer on
 * the stack (16 KiB holds every answer but big batches, feeds and exports),
 * and only a bigger one goes to the heap, sized exactly by a first call:
 * json_dumps grows a heap buffer by doubling and copies the result, which
 * was a visible share of a lookup's CPU time (docs/server.md, Benchmark).
 * Consumes j; NULL when it cannot be rendered (not UTF-8, no memory). */
static struct MHD_Response *json_response(json_t *j)
{
    char stack[16384];
    struct MHD_Response *resp = NULL;
    char *heap = NULL;
    size_t n = json_dumpb(j, stack, sizeof stack, JSON_COMPACT);
    if (n == 0)
        goto cleanup;
    if (n <= sizeof stack) {
        resp = MHD_create_response_from_buffer(n, stack, MHD_RESPMEM_MUST_COPY);
        goto cleanup;
    }
    heap = malloc(n);
    if (!heap)
        goto cleanup;
    if (json_dumpb(j, heap, n, JSON_COMPACT) != n) {
        free(heap);
        goto cleanup;
    }
    resp = MHD_create_response_from_buffer(n, heap, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        free(heap);
cleanup:
    json_decref(j);
    return resp;
}

/* ---- libmicrohttpd callbacks ---------------------------------------------- */

static enum MHD_Result send_resp(srv_req *r, srv_resp *out)
{
    size_t len = out->len;
    struct MHD_Response *resp;
    if (out->json) {
        resp = json_response(out->json);
        out->json = NULL;
        out->content_type = "application/json; charset=utf-8";
    } else if (out->free_bytes) {
        resp = MHD_create_response_from_buffer(len, out->bytes, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(out->bytes);
    } else {
        resp = MHD_create_response_from_buffer(len, out->bytes ? out->bytes : (char *)"",
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    if (out->content_type)
        MHD_add_response_header(resp, "Content-Type", out->content_type);
    MHD_add_response_header(resp, "Cache-Control", out->cache ? out->cache : "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                            "script-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    if (out->retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", out->retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    if (out->allow)
        MHD_add_response_header(resp, "Allow", out->allow);
    if (out->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", out->set_cookie);
    if (out->disposition[0])
        MHD_add_response_header(resp, "Content-Disposition", out->disposition);
    if (out->status == 413)
        MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(r->conn, out->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

typedef struct req_state {
    srv_req r;
    unsigned status; /* queued status, for metrics */
    int done;        /* a response was queued */
} req_state;

static int wants_english(struct MHD_Connection *c, const char *query)
{
    const char *lang = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
    if (lang)
        return strcmp(lang, "en") == 0;
    (void)query;
    const char *al = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language");
    return al && strncasecmp(al, "en", 2) == 0;
}

static enum MHD_Result finish(req_state *st, srv_resp *out)
{
    st->status = out->status;
    st->done = 1;
    return send_resp(&st->r, out);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    srv *s = cls;
    (void)version;
    req_state *st = *con_cls;
    srv_resp out;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        *con_cls = st;
        srv_req *r = &st->r;
        r->s = s;
        r->conn = conn;
        r->method = method;
        r->path = url;
        r->query = "";
        r->route = -1;
        r->t0_us = now_us();
        r->en = wants_english(conn, NULL);
        r->content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr,
                      r->client, sizeof r->client);
        else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
                      r->client, sizeof r->client);
        else
            snprintf(r->client, sizeof r->client, "unknown");
        /* Who is asking, then their rate limit (per key or person, else per
         * address; the rate of their role), before reading the body. */
        if (srv_authenticate(r, &out) != 0) {
            r->route = ROUTE_OTHER;
            return finish(st, &out);
        }
        unsigned wait = 0;
        nt_rate rate;
        if (s->rl && s->auth && r->who.kind != NT_PRINCIPAL_PUBLIC &&
            nt_auth_rate(s->auth, r->who.role, &rate) == NT_OK && rate.per_second)
            wait = ratelimit_take_at(s->rl, r->who.name, r->t0_us, rate.per_second,
                                     rate.burst ? rate.burst : 1);
        else if (s->rl)
            wait = ratelimit_take(s->rl, r->client, r->t0_us);
        if (wait) {
            atomic_fetch_add(&s->rate_limited, 1);
            r->route = ROUTE_OTHER;
            srv_error(r, &out, 429, "rate_limited", NULL,
                      "Quá nhiều yêu cầu, vui lòng thử lại sau",
                      "too many requests, try again later");
            out.retry_after = wait;
            return finish(st, &out);
        }
        /* Refuse an announced oversize body before reading it. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(cl, &end, 10);
            size_t limit = srv_body_limit(s, url);
            if (errno || *end || v > limit) {
                r->route = ROUTE_OTHER;
                char vi[200], en[200];
                snprintf(vi, sizeof vi, "Nội dung quá lớn (tối đa %zu byte)", limit);
                snprintf(en, sizeof en, "body too large (at most %zu bytes)", limit);
                srv_error(r, &out, 413, "payload_too_large", NULL, vi, en);
                return finish(st, &out);
            }
        }
        return MHD_YES;
    }
    srv_req *r = &st->r;
    if (st->done) { /* response already queued (413/429): discard the rest */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->too_big || r->body_len + n > srv_body_limit(s, r->path)) {
            r->too_big = 1;
            return MHD_YES;
        }
        if (r->body_len + n + 1 > r->body_cap) {
            size_t cap = r->body_cap ? r->body_cap : 4096;
            while (cap < r->body_len + n + 1)
                cap *= 2;
            char *nb = realloc(r->body, cap);
            if (!nb)
                return MHD_NO;
            r->body = nb;
            r->body_cap = cap;
        }
        memcpy(r->body + r->body_len, upload_data, n);
        r->body_len += n;
        r->body[r->body_len] = 0;
        return MHD_YES;
    }
    if (r->too_big) {
        r->route = ROUTE_OTHER;
        char vi[200], en[200];
        size_t limit = srv_body_limit(s, r->path);
        snprintf(vi, sizeof vi, "Nội dung quá lớn (tối đa %zu byte)", limit);
        snprintf(en, sizeof en, "body too large (at most %zu bytes)", limit);
        srv_error(r, &out, 413, "payload_too_large", NULL, vi, en);
        return finish(st, &out);
    }
    memset(&out, 0, sizeof out);
    dispatch(r, &out);
    if (strcmp(method, "HEAD") == 0 && out.json) {
        json_decref(out.json);
        out.json = NULL;
        out.len = 0;
    }
    return finish(st, &out);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    srv *s = cls;
    req_state *st = *con_cls;
    (void)conn;
    if (!st)
        return;
    uint64_t us = now_us() - st->r.t0_us;
    unsigned status = st->done ? st->status : 0;
    int rt = st->r.route < 0 ? ROUTE_OTHER : st->r.route;
    metrics_observe(s, rt, status, us);
    if (!s->cfg.quiet) {
        /* the path is decoded client input: no control bytes in the log */
        char path[200];
        size_t k = 0;
        for (const char *p = st->r.path; *p && k + 1 < sizeof path; p++)
            path[k++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
        path[k] = 0;
        fprintf(stderr, "%s %s %s %u %.1fms%s\n", st->r.client, st->r.method, path, status,
                (double)us / 1000.0, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
    free(st->r.body);
    free(st);
    *con_cls = NULL;
}

struct MHD_Daemon *http_start(srv *s, unsigned *bound_port)
{
    if (!s->have_key) {
        if (pthread_key_create(&s->scratch_key, scratch_free) != 0)
            return NULL;
        s->have_key = 1;
    }
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    memset(&sa4, 0, sizeof sa4);
    memset(&sa6, 0, sizeof sa6);
    if (inet_pton(AF_INET, s->cfg.addr, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)s->cfg.port);
        sa = (struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, s->cfg.addr, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)s->cfg.port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        fprintf(stderr, "niemtin serve: --addr %s: not an IPv4 or IPv6 address\n", s->cfg.addr);
        return NULL;
    }
    /* One thread: libmicrohttpd's own epoll thread serves everything (a
     * pool of one would only add a warning).  The connection memory holds
     * a request's header block and the read buffer, and libmicrohttpd
     * zeroes all of it between two requests of a kept-alive connection, so
     * it is a per-request cost: 32 KiB (libmicrohttpd's default) cost 1/8 of
     * the 256 KiB it was, which took half the CPU time of a lookup
     * (docs/server.md, "Benchmark").  Bodies do not live there: they are
     * copied out chunk by chunk, up to --max-body. */
    struct MHD_OptionItem pool[] = {
        {s->cfg.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
         (intptr_t)s->cfg.threads, NULL},
        {MHD_OPTION_END, 0, NULL}};
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)s->cfg.port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_ARRAY, pool, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONNECTION_MEMORY, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
        MHD_OPTION_END);
    if (!d)
        return NULL;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = di ? di->port : s->cfg.port;
    return d;
}
