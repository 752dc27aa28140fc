/*
 * src/server/pages_claims.c - the public fact-check pages, rendered on the
 * server so that they are read (and crawled) without JavaScript:
 *
 *   GET /kiem-chung/ID      one published fact-check: the verdict, the claim,
 *                           the short explanation, the write-up, the evidence
 *                           links, the corrections; its schema.org
 *                           ClaimReview as <script type="application/ld+json">
 *                           in the head
 *   GET /kiem-chung?q=&offset=    the published fact-checks, newest first (or
 *                           ranked by the claim matcher when q is given)
 *   (/fact-checks/ID and /fact-checks are the same pages)
 *
 * The one idea: everything a person wrote goes through html_text() (or
 * html_attr() inside an attribute, with only http(s) links made clickable),
 * and the JSON-LD through ld_json(), which writes <, > and & as \u escapes so
 * no string can close the <script> element.  The pages are Vietnamese with
 * ?lang=en for English labels (the fact-check itself is in the language it
 * was written in).  No inline script or style: the CSP stays 'self'.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* ---- a growing buffer -------------------------------------------------------- */

typedef struct hbuf {
    char *p;
    size_t n, cap;
    int oom;
} hbuf;

static void hb_put(hbuf *b, const char *s, size_t len)
{
    if (b->oom)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 8192;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = 0;
}

static void hb_s(hbuf *b, const char *s)
{
    hb_put(b, s, strlen(s));
}

static void hb_f(hbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hb_f(hbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0)
        hb_put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

/* Text as HTML: & < > " ' escaped (so it is safe in an element or a quoted
 * attribute alike).  NULL is empty. */
static void html_text(hbuf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        hb_put(b, run, (size_t)(s - run));
        hb_s(b, rep);
        run = s + 1;
    }
    hb_put(b, run, (size_t)(s - run));
}

/* A link a person gave, clickable only when it is http(s). */
static void html_link(hbuf *b, const char *url)
{
    if (url && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0)) {
        hb_s(b, "<a href=\"");
        html_text(b, url);
        hb_s(b, "\" rel=\"nofollow noopener noreferrer\">");
        html_text(b, url);
        hb_s(b, "</a>");
    } else {
        hb_s(b, "<code>");
        html_text(b, url);
        hb_s(b, "</code>");
    }
}

/* JSON for a <script> element: compact, with <, > and & as \u escapes (they
 * can only occur inside JSON strings, where the escape means the same). */
static void ld_json(hbuf *b, const json_t *j)
{
    char *txt = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!txt) {
        b->oom = 1;
        return;
    }
    const char *run = txt, *s = txt;
    for (; *s; s++) {
        const char *rep = *s == '<' ? "\\u003c" : *s == '>' ? "\\u003e" : *s == '&' ? "\\u0026" : NULL;
        if (!rep)
            continue;
        hb_put(b, run, (size_t)(s - run));
        hb_s(b, rep);
        run = s + 1;
    }
    hb_put(b, run, (size_t)(s - run));
    free(txt);
}

/* The date of an ISO time ("2026-11-23T18:36:10Z" -> "2026-11-23"). */
static void html_day(hbuf *b, const char *iso)
{
    if (!iso)
        return;
    char day[11];
    snprintf(day, sizeof day, "%s", iso);
    html_text(b, day);
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- labels -------------------------------------------------------------------- */

const char *claims_verdict_text(const char *verdict, int en)
{
    nt_verdict v;
    if (!verdict || nt_verdict_parse(verdict, &v) != NT_OK)
        return verdict ? verdict : "";
    return nt_verdict_label(v, en);
}

static const char *verdict_level(const char *v)
{
    if (!v)
        return "suspicious";
    if (strcmp(v, "false") == 0)
        return "dangerous";
    if (strcmp(v, "true") == 0)
        return "safe";
    return "suspicious";
}

static void page_head(hbuf *b, int en, const char *title, const char *description)
{
    hb_f(b, "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
         en ? "en" : "vi");
    html_text(b, title);
    hb_s(b, " — NiemTin</title>\n");
    if (description) {
        hb_s(b, "<meta name=\"description\" content=\"");
        html_text(b, description);
        hb_s(b, "\">\n");
    }
    hb_s(b, "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n"
            "<link rel=\"stylesheet\" href=\"/style.css\">\n");
}

static void page_top(hbuf *b, int en, const char *self)
{
    hb_s(b, "</head>\n<body class=\"fc-page\">\n");
    hb_f(b, "<a class=\"skip\" href=\"#main\">%s</a>\n",
         en ? "Skip to the main content" : "Bỏ qua, đến nội dung chính");
    hb_s(b, "<header class=\"top\">\n<div class=\"brand\"><span class=\"logo\" "
            "aria-hidden=\"true\">✓</span><span>NiemTin</span></div>\n");
    hb_f(b, "<nav aria-label=\"%s\">", en ? "Language" : "Ngôn ngữ");
    hb_s(b, "<a class=\"lang\" lang=\"vi\" href=\"");
    html_text(b, self);
    hb_f(b, "\"%s>Tiếng Việt</a> <a class=\"lang\" lang=\"en\" href=\"", en ? "" : " aria-current=\"true\"");
    html_text(b, self);
    hb_f(b, "?lang=en\"%s>English</a>", en ? " aria-current=\"true\"" : "");
    hb_s(b, "</nav>\n</header>\n");
    hb_f(b, "<nav class=\"tabs\" aria-label=\"%s\"><a class=\"tab\" href=\"/%s#rumours\">%s</a>"
            "<a class=\"tab\" href=\"/kiem-chung%s\">%s</a></nav>\n<main id=\"main\">\n",
         en ? "Pages" : "Trang", en ? "?lang=en" : "", en ? "Send a rumour" : "Gửi tin đồn",
         en ? "?lang=en" : "", en ? "All fact-checks" : "Các bài kiểm chứng");
}

static void page_end(hbuf *b, int en)
{
    hb_f(b, "</main>\n<footer class=\"foot\"><p>%s</p></footer>\n</body>\n</html>\n",
         en ? "NiemTin — Digital Trust Alliance fact-check desk."
            : "NiemTin — Bàn kiểm chứng của Liên minh Niềm Tin Số.");
}

static void html_done(hbuf *b, srv_req *r, srv_resp *out, unsigned status)
{
    if (b->oom) {
        free(b->p);
        srv_error(r, out, 503, "overloaded", NULL, "Máy chủ hết bộ nhớ", "out of memory");
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = status;
    out->bytes = b->p;
    out->len = b->n;
    out->free_bytes = 1;
    out->content_type = "text/html; charset=utf-8";
    out->cache = "no-cache";
}

/* ---- one fact-check ------------------------------------------------------------- */

void claims_page_factcheck(srv_req *r, srv_resp *out, const json_t *fc, const json_t *claim_review)
{
    int en = r->en;
    hbuf b = {0};
    const char *claim = str(fc, "claim"), *verdict = str(fc, "verdict");
    char self[128];
    snprintf(self, sizeof self, "%s", str(fc, "url") ? str(fc, "url") : "/kiem-chung");
    const char *headline = str(fc, "headline");
    page_head(&b, en, headline ? headline : claim ? claim : "", str(fc, "explanation"));
    /* the address search engines and link previews (Zalo, Facebook) use */
    const char *page_url = str(fc, "page_url");
    if (page_url) {
        hb_s(&b, "<link rel=\"canonical\" href=\"");
        html_text(&b, page_url);
        hb_s(&b, "\">\n<meta property=\"og:url\" content=\"");
        html_text(&b, page_url);
        hb_s(&b, "\">\n");
    }
    hb_s(&b, "<meta property=\"og:type\" content=\"article\">\n<meta property=\"og:title\" content=\"");
    html_text(&b, claims_verdict_text(verdict, en));
    hb_s(&b, ": ");
    html_text(&b, claim);
    hb_s(&b, "\">\n");
    if (str(fc, "explanation")) {
        hb_s(&b, "<meta property=\"og:description\" content=\"");
        html_text(&b, str(fc, "explanation"));
        hb_s(&b, "\">\n");
    }
    if (claim_review) {
        hb_s(&b, "<script type=\"application/ld+json\">");
        ld_json(&b, claim_review);
        hb_s(&b, "</script>\n");
    }
    page_top(&b, en, self);
    hb_f(&b, "<article class=\"verdict level-%s\">\n", verdict_level(verdict));
    hb_f(&b, "<p class=\"fc-verdict\">%s: ", en ? "Verdict" : "Kết luận");
    html_text(&b, claims_verdict_text(verdict, en));
    hb_s(&b, "</p>\n<h1 class=\"claim\">");
    html_text(&b, claim);
    hb_s(&b, "</h1>\n");
    if (headline) {
        hb_s(&b, "<p class=\"headline\">");
        html_text(&b, headline);
        hb_s(&b, "</p>\n");
    }
    if (str(fc, "explanation")) {
        hb_s(&b, "<p class=\"explanation\">");
        html_text(&b, str(fc, "explanation"));
        hb_s(&b, "</p>\n");
    }
    hb_s(&b, "<p class=\"help\">");
    if (str(fc, "author")) {
        hb_s(&b, en ? "By " : "Người kiểm chứng: ");
        html_text(&b, str(fc, "author"));
        hb_s(&b, " · ");
    }
    hb_s(&b, en ? "Published " : "Đăng ngày ");
    html_day(&b, str(fc, "published_at"));
    if (str(fc, "updated_at") && json_array_size(json_object_get(fc, "corrections"))) {
        hb_s(&b, en ? " · Corrected " : " · Đính chính ngày ");
        html_day(&b, str(fc, "updated_at"));
    }
    hb_s(&b, "</p>\n</article>\n");
    if (str(fc, "write_up") && *str(fc, "write_up")) {
        hb_f(&b, "<article class=\"writeup-box\"><h2>%s</h2>\n<div class=\"writeup\">",
             en ? "The fact-check" : "Bài kiểm chứng");
        html_text(&b, str(fc, "write_up"));
        hb_s(&b, "</div></article>\n");
    }
    const json_t *ev = json_object_get(fc, "evidence");
    if (json_array_size(ev)) {
        hb_f(&b, "<article><h2>%s</h2>\n<ul class=\"evidence\">\n", en ? "Evidence" : "Bằng chứng");
        size_t i;
        json_t *v;
        json_array_foreach(ev, i, v)
        {
            hb_s(&b, "<li>");
            html_link(&b, json_string_value(v));
            hb_s(&b, "</li>\n");
        }
        hb_s(&b, "</ul></article>\n");
    }
    const json_t *cs = json_object_get(fc, "corrections");
    if (json_array_size(cs)) {
        hb_f(&b, "<article id=\"corrections\"><h2>%s</h2>\n<ol class=\"corrections\">\n",
             en ? "Corrections" : "Đính chính");
        size_t i;
        json_t *c;
        json_array_foreach(cs, i, c)
        {
            hb_s(&b, "<li><time datetime=\"");
            html_text(&b, str(c, "at"));
            hb_s(&b, "\">");
            html_day(&b, str(c, "at"));
            hb_s(&b, "</time> — ");
            html_text(&b, str(c, "note"));
            if (str(c, "by")) {
                hb_s(&b, " (");
                html_text(&b, str(c, "by"));
                hb_s(&b, ")");
            }
            hb_s(&b, "</li>\n");
        }
        hb_s(&b, "</ol></article>\n");
    }
    hb_f(&b, "<p><a href=\"/%s#rumours\">%s</a></p>\n", en ? "?lang=en" : "",
         en ? "Seen another rumour? Send it to us." : "Gặp một tin đồn khác? Gửi cho chúng tôi.");
    page_end(&b, en);
    html_done(&b, r, out, 200);
}

/* ---- the list ------------------------------------------------------------------- */

void claims_page_index(srv_req *r, srv_resp *out, const json_t *items, size_t total,
                       size_t offset, size_t limit, const char *q)
{
    int en = r->en;
    hbuf b = {0};
    page_head(&b, en, en ? "Fact-checks" : "Các bài kiểm chứng",
              en ? "Rumours checked by the NiemTin fact-check desk"
                 : "Các tin đồn đã được bàn kiểm chứng NiemTin kiểm chứng");
    page_top(&b, en, "/kiem-chung");
    hb_f(&b, "<h1>%s</h1>\n", en ? "Fact-checks" : "Các bài kiểm chứng");
    hb_f(&b, "<form method=\"get\" action=\"/kiem-chung\" role=\"search\"><label for=\"q\" "
             "class=\"field-label\">%s</label><input id=\"q\" name=\"q\" type=\"text\" value=\"",
         en ? "Keywords" : "Từ khoá");
    html_text(&b, q);
    hb_s(&b, "\">");
    if (en)
        hb_s(&b, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    hb_f(&b, "<div class=\"actions\"><button type=\"submit\" class=\"primary\">%s</button></div>"
             "</form>\n",
         en ? "Search" : "Tìm");
    hb_f(&b, "<p class=\"help\">%zu %s</p>\n<ul class=\"fc-list\">\n", total,
         en ? "fact-checks" : "bài kiểm chứng");
    size_t i;
    json_t *fc;
    json_array_foreach(items, i, fc)
    {
        hb_f(&b, "<li class=\"verdict fc-card level-%s\"><p class=\"fc-verdict\">",
             verdict_level(str(fc, "verdict")));
        html_text(&b, claims_verdict_text(str(fc, "verdict"), en));
        hb_s(&b, "</p><h2><a href=\"");
        html_text(&b, str(fc, "url"));
        if (en)
            hb_s(&b, "?lang=en");
        hb_s(&b, "\">");
        html_text(&b, str(fc, "claim"));
        hb_s(&b, "</a></h2><p>");
        html_text(&b, str(fc, "explanation"));
        hb_s(&b, "</p><p class=\"help\">");
        html_day(&b, str(fc, "published_at"));
        hb_s(&b, "</p></li>\n");
    }
    hb_s(&b, "</ul>\n<nav class=\"pager\">");
    /* the query string of the other pages: q escaped for a URL, then for HTML */
    char qs[3 * 1024 + 8]; /* q is at most 1024 bytes (QUERY_MAX_BYTES) */
    size_t k = 0;
    for (const char *p = q ? q : ""; *p && k + 4 < sizeof qs; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            qs[k++] = (char)c;
        else
            k += (size_t)snprintf(qs + k, sizeof qs - k, "%%%02X", c);
    }
    qs[k] = 0;
    if (offset > 0)
        hb_f(&b, "<a href=\"/kiem-chung?q=%s&amp;offset=%zu%s\">%s</a>", qs,
             offset > limit ? offset - limit : 0, en ? "&amp;lang=en" : "", en ? "Newer" : "Mới hơn");
    if (offset + limit < total)
        hb_f(&b, "<a href=\"/kiem-chung?q=%s&amp;offset=%zu%s\">%s</a>", qs, offset + limit,
             en ? "&amp;lang=en" : "", en ? "Older" : "Cũ hơn");
    hb_s(&b, "</nav>\n");
    page_end(&b, en);
    html_done(&b, r, out, 200);
}

void claims_page_error(srv_req *r, srv_resp *out, unsigned status, const char *msg_vi,
                       const char *msg_en)
{
    hbuf b = {0};
    page_head(&b, r->en, r->en ? msg_en : msg_vi, NULL);
    page_top(&b, r->en, "/kiem-chung");
    hb_s(&b, "<h1>");
    html_text(&b, r->en ? msg_en : msg_vi);
    hb_s(&b, "</h1>\n");
    page_end(&b, r->en);
    html_done(&b, r, out, status);
}
