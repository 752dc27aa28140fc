/*
 * lib/factcheck/claimreview.c - the words of the desk (verdicts, statuses)
 * and a published fact-check as schema.org ClaimReview JSON-LD, the format
 * Google's Fact Check Explorer and search engines read.
 *
 * The one idea: the verdict is a closed list with one fixed numeric rating
 * each (worst 1 .. best 5), so the textual rating people read
 * (reviewRating.alternateName) and the number machines read never disagree.
 * docs/claims.md maps every ClaimReview property to its field and cites
 * Google's required and recommended properties.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/diag.h"
#include "factcheck/desk_int.h"

/* ---- verdicts and statuses ----------------------------------------------------------- */

static const struct {
    const char *name, *vi, *en;
    int rating;
} verdicts[NT_VERDICT__COUNT] = {
    [NT_VERDICT_NONE] = {"none", "Chưa có kết luận", "No verdict", 0},
    [NT_VERDICT_FALSE] = {"false", "Sai sự thật", "False", 1},
    [NT_VERDICT_MISLEADING] = {"misleading", "Gây hiểu lầm", "Misleading", 2},
    [NT_VERDICT_MISSING_CONTEXT] = {"missing_context", "Thiếu bối cảnh", "Missing context", 4},
    [NT_VERDICT_TRUE] = {"true", "Đúng sự thật", "True", 5},
    [NT_VERDICT_UNPROVEN] = {"unproven", "Chưa đủ căn cứ", "Unproven", 3},
};

const char *nt_verdict_name(nt_verdict v)
{
    if ((unsigned)v >= NT_VERDICT__COUNT)
        return "unknown";
    return verdicts[v].name;
}

nt_err nt_verdict_parse(const char *name, nt_verdict *out)
{
    if (!name)
        return NT_ERR_NOT_FOUND;
    for (int i = 1; i < NT_VERDICT__COUNT; i++)
        if (strcasecmp(name, verdicts[i].name) == 0) {
            *out = (nt_verdict)i;
            return NT_OK;
        }
    if (strcasecmp(name, "missing context") == 0 || strcasecmp(name, "missing-context") == 0) {
        *out = NT_VERDICT_MISSING_CONTEXT;
        return NT_OK;
    }
    return NT_ERR_NOT_FOUND;
}

const char *nt_verdict_label(nt_verdict v, int en)
{
    if ((unsigned)v >= NT_VERDICT__COUNT)
        return en ? "Unknown" : "Không rõ";
    return en ? verdicts[v].en : verdicts[v].vi;
}

int nt_verdict_rating(nt_verdict v)
{
    if ((unsigned)v >= NT_VERDICT__COUNT)
        return 0;
    return verdicts[v].rating;
}

static const char *const item_status_names[NT_ITEM__COUNT] = {
    [NT_ITEM_NEW] = "new",
    [NT_ITEM_ASSIGNED] = "assigned",
    [NT_ITEM_DRAFTING] = "drafting",
    [NT_ITEM_PUBLISHED] = "published",
    [NT_ITEM_DISMISSED] = "dismissed",
};

const char *nt_item_status_name(nt_item_status s)
{
    if ((unsigned)s >= NT_ITEM__COUNT || !item_status_names[s])
        return "unknown";
    return item_status_names[s];
}

nt_err nt_item_status_parse(const char *name, nt_item_status *out)
{
    for (int i = 1; name && i < NT_ITEM__COUNT; i++)
        if (strcmp(name, item_status_names[i]) == 0) {
            *out = (nt_item_status)i;
            return NT_OK;
        }
    return NT_ERR_NOT_FOUND;
}

const char *nt_fc_status_name(nt_fc_status s)
{
    return s == NT_FC_PUBLISHED ? "published" : s == NT_FC_DRAFT ? "draft" : "unknown";
}

/* ---- links ------------------------------------------------------------------------------ */

int nt_desk_url_ok(const char *url)
{
    if (!url)
        return 0;
    size_t n = strlen(url);
    if (n > NT_DESK_MAX_URL_BYTES)
        return 0;
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0)
        p = url + 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        p = url + 7;
    else
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\')
            return 0;
    }
    if (nt_utf8_validate(url, n, NULL) != NT_OK)
        return 0;
    /* no user info: "http://bank.vn@evil.example/" hides the real host */
    const char *end = p + strcspn(p, "/?#");
    if (memchr(p, '@', (size_t)(end - p)))
        return 0;
    const char *host = p, *hend = end;
    if (*host == '[') {
        const char *close = memchr(host, ']', (size_t)(end - host));
        if (!close || close == host + 1)
            return 0;
        for (const char *q = host + 1; q < close; q++)
            if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F') ||
                  *q == ':' || *q == '.'))
                return 0;
        hend = close + 1;
    } else {
        const char *colon = memchr(host, ':', (size_t)(end - host));
        if (colon)
            hend = colon;
        if (hend == host || *host == '.' || *host == '-' || hend[-1] == '-')
            return 0;
        int dots = 0;
        for (const char *q = host; q < hend; q++) {
            unsigned char c = (unsigned char)*q;
            if (c == '.') {
                if (q + 1 < hend && q[1] == '.')
                    return 0;
                dots++;
                continue;
            }
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-' || c >= 0x80))
                return 0;
        }
        if (dots == 0 && !(hend - host == 9 && strncasecmp(host, "localhost", 9) == 0))
            return 0; /* a public link names a domain */
    }
    if (hend < end) {
        if (*hend != ':' || hend + 1 == end || end - (hend + 1) > 5)
            return 0;
        long port = 0;
        for (const char *q = hend + 1; q < end; q++) {
            if (*q < '0' || *q > '9')
                return 0;
            port = port * 10 + (*q - '0');
        }
        if (port < 1 || port > 65535)
            return 0;
    }
    return 1;
}

/* ---- ClaimReview ---------------------------------------------------------------------------- */

/* ISO 8601 with the Vietnam offset: "2026-11-23T18:20:00+07:00". */
static void iso_vn(int64_t t, char out[32])
{
    time_t tt = (time_t)(t + 7 * 3600);
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 32, "1970-01-01T07:00:00+07:00");
        return;
    }
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+07:00", &tm);
}

nt_err nt_claimreview_render(const nt_factcheck *fc, const char *org_name, const char *org_url,
                             const char *page_url, char **json, nt_diag *diag)
{
    if (!fc || !org_name || !*org_name || !org_url || !page_url || !json)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *json = NULL;
    if (fc->status != NT_FC_PUBLISHED)
        return nt__fail(diag, NT_ERR_STATE, 0,
                        "fact-check %lld is a draft: only published fact-checks have a "
                        "ClaimReview",
                        (long long)fc->id);
    int rating = nt_verdict_rating(fc->verdict);
    if (rating < 1 || rating > 5)
        return nt__fail(diag, NT_ERR_INVALID, 0, "verdict: none or unknown");
    if (!nt_desk_url_ok(page_url) || !nt_desk_url_ok(org_url))
        return nt__fail(diag, NT_ERR_INVALID, 0, "url: the page and organisation URLs must be "
                                                 "http(s) URLs");
    int en = fc->lang && strcmp(fc->lang, "en") == 0;
    char when[32];
    iso_vn(fc->published_at, when);
    json_t *root = json_object();
    json_object_set_new(root, "@context", json_string("https://schema.org"));
    json_object_set_new(root, "@type", json_string("ClaimReview"));
    json_object_set_new(root, "url", json_string(page_url));
    json_object_set_new(root, "claimReviewed", json_string(fc->claim));
    json_object_set_new(root, "datePublished", json_string(when));
    if (fc->lang && *fc->lang)
        json_object_set_new(root, "inLanguage", json_string(fc->lang));
    if (fc->headline && *fc->headline)
        json_object_set_new(root, "name", json_string(fc->headline));
    json_object_set_new(root, "author", json_pack("{s:s, s:s, s:s}", "@type", "Organization",
                                                  "name", org_name, "url", org_url));
    json_t *rr = json_pack("{s:s, s:i, s:i, s:i, s:s}", "@type", "Rating", "ratingValue", rating,
                           "bestRating", 5, "worstRating", 1, "alternateName",
                           nt_verdict_label(fc->verdict, en));
    if (rr && fc->explanation && *fc->explanation)
        json_object_set_new(rr, "ratingExplanation", json_string(fc->explanation));
    json_object_set_new(root, "reviewRating", rr);
    json_t *claim = json_pack("{s:s}", "@type", "Claim");
    if (claim && fc->claim_author && *fc->claim_author)
        json_object_set_new(claim, "author",
                            json_pack("{s:s, s:s}", "@type", "Person", "name", fc->claim_author));
    if (claim && fc->claim_date && *fc->claim_date)
        json_object_set_new(claim, "datePublished", json_string(fc->claim_date));
    if (claim && fc->appearance && *fc->appearance) {
        json_object_set_new(claim, "appearance",
                            json_pack("[{s:s, s:s}]", "@type", "CreativeWork", "url",
                                      fc->appearance));
        json_object_set_new(claim, "firstAppearance",
                            json_pack("{s:s, s:s}", "@type", "CreativeWork", "url",
                                      fc->appearance));
    }
    json_object_set_new(root, "itemReviewed", claim);
    char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ESCAPE_SLASH);
    json_decref(root);
    if (!s)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    *json = s;
    return NT_OK;
}
