/*
 * src/server/metrics.c - what the server has done, for Prometheus: requests
 * by route and status class, latency histograms by route, check verdicts by
 * level, rate-limited requests, the rules in force.  Lock-free counters
 * (C11 atomics); /metrics renders them in the text exposition format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

/* Histogram upper bounds in microseconds (the last bucket is +Inf). */
static const unsigned long bounds_us[11] = {100,   250,    500,    1000,   2500,  5000,
                                            10000, 25000, 100000, 500000, 2000000};
/* Labels by route id; a route added without a label is counted as "other"
 * (route_name) rather than printed as "(null)". */
static const char *const route_names[ROUTE__COUNT] = {
    [ROUTE_HEALTH] = "healthz",
    [ROUTE_METRICS] = "metrics",
    [ROUTE_OPENAPI] = "openapi",
    [ROUTE_CHECK] = "check",
    [ROUTE_CHECK_CONV] = "check_conversation",
    [ROUTE_LOOKUP] = "lookup",
    [ROUTE_REPORT] = "report",
    [ROUTE_LOOKUP_BATCH] = "lookup_batch",
    [ROUTE_FEED] = "feed",
    [ROUTE_REVIEW] = "review",
    [ROUTE_DECIDE] = "review_decide",
    [ROUTE_LOGIN] = "login",
    [ROUTE_LOGOUT] = "logout",
    [ROUTE_ME] = "me",
    [ROUTE_AUDIT] = "audit",
    [ROUTE_IMPORT] = "import",
    [ROUTE_EXPORT] = "export",
    [ROUTE_INDICATOR] = "indicator",
    [ROUTE_ORG_KEYS] = "org_keys",
    [ROUTE_ADMIN] = "admin",
    [ROUTE_TIP] = "tip",
    [ROUTE_FC_SEARCH] = "factcheck_search",
    [ROUTE_FC_GET] = "factcheck",
    [ROUTE_FC_CORRECT] = "factcheck_correct",
    [ROUTE_TIPLINE] = "tipline",
    [ROUTE_TIPLINE_ITEM] = "tipline_item",
    [ROUTE_TIPLINE_EDIT] = "tipline_edit",
    [ROUTE_FC_PAGE] = "factcheck_page",
    [ROUTE_STATIC] = "static",
    [ROUTE_OTHER] = "other"};

static const char *route_name(int r)
{
    return route_names[r] ? route_names[r] : "other";
}

void metrics_observe(srv *s, int route, unsigned status, uint64_t micros)
{
    unsigned cls = status / 100;
    if (cls < 1 || cls > 5)
        cls = 5; /* no response queued: a failure */
    atomic_fetch_add_explicit(&s->requests[route][cls], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < 11 && micros > bounds_us[b])
        b++;
    atomic_fetch_add_explicit(&s->latency[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->latency_sum_us[route], micros, memory_order_relaxed);
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)k;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
}

void metrics_render(srv *s, srv_resp *out)
{
    sbuf b = {malloc(8192), 0, 8192, 0};
    if (!b.p) {
        memset(out, 0, sizeof *out);
        out->status = 500;
        return;
    }
    b.p[0] = 0;
    put(&b, "# HELP niemtin_http_requests_total HTTP requests by route and status class.\n"
            "# TYPE niemtin_http_requests_total counter\n");
    for (int r = 0; r < ROUTE__COUNT; r++)
        for (int c = 1; c <= 5; c++) {
            unsigned long v = atomic_load(&s->requests[r][c]);
            if (v)
                put(&b, "niemtin_http_requests_total{route=\"%s\",code=\"%dxx\"} %lu\n",
                    route_name(r), c, v);
        }
    put(&b, "# HELP niemtin_http_request_duration_seconds Time from the request headers to "
            "the end of the response.\n"
            "# TYPE niemtin_http_request_duration_seconds histogram\n");
    for (int r = 0; r < ROUTE__COUNT; r++) {
        unsigned long cum = 0;
        unsigned long counts[12];
        for (int k = 0; k < 12; k++)
            counts[k] = atomic_load(&s->latency[r][k]);
        unsigned long total = 0;
        for (int k = 0; k < 12; k++)
            total += counts[k];
        if (!total)
            continue;
        for (int k = 0; k < 11; k++) {
            cum += counts[k];
            put(&b, "niemtin_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                route_name(r), (double)bounds_us[k] / 1e6, cum);
        }
        put(&b, "niemtin_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
            route_name(r), total);
        put(&b, "niemtin_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_name(r),
            (double)atomic_load(&s->latency_sum_us[r]) / 1e6);
        put(&b, "niemtin_http_request_duration_seconds_count{route=\"%s\"} %lu\n", route_name(r),
            total);
    }
    put(&b, "# HELP niemtin_checks_total Messages checked, by verdict.\n"
            "# TYPE niemtin_checks_total counter\n");
    for (int l = 0; l < 3; l++)
        put(&b, "niemtin_checks_total{level=\"%s\"} %lu\n", nt_level_name((nt_level)l),
            atomic_load(&s->checks[l]));
    put(&b, "# HELP niemtin_rate_limited_total Requests refused by the rate limit.\n"
            "# TYPE niemtin_rate_limited_total counter\n"
            "niemtin_rate_limited_total %lu\n",
        atomic_load(&s->rate_limited));
    put(&b, "# HELP niemtin_rules Rules in force.\n# TYPE niemtin_rules gauge\nniemtin_rules %zu\n",
        nt_ruleset_count(nt_engine_rules(s->eng)));
    put(&b, "# HELP niemtin_rules_generation Rule sets loaded (1 + successful reloads).\n"
            "# TYPE niemtin_rules_generation gauge\nniemtin_rules_generation %lu\n",
        nt_engine_generation(s->eng));
    if (s->reg) {
        nt_registry_stats st;
        nt_registry_stats_get(s->reg, &st);
        put(&b, "# HELP niemtin_registry_indicators Indicators in the registry index.\n"
                "# TYPE niemtin_registry_indicators gauge\nniemtin_registry_indicators %zu\n"
                "# HELP niemtin_registry_index_bytes Memory of the lookup index.\n"
                "# TYPE niemtin_registry_index_bytes gauge\nniemtin_registry_index_bytes %zu\n",
            st.indicators, st.bytes_index + st.bytes_values);
    }
    put(&b, "# HELP niemtin_uptime_seconds Seconds since the server started.\n"
            "# TYPE niemtin_uptime_seconds gauge\nniemtin_uptime_seconds %ld\n",
        (long)(time(NULL) - s->started));
    memset(out, 0, sizeof *out);
    if (b.oom) {
        free(b.p);
        out->status = 500;
        return;
    }
    out->status = 200;
    out->bytes = b.p;
    out->len = b.n;
    out->free_bytes = 1;
    out->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
