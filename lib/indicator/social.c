/*
 * lib/indicator/social.c - social-media accounts from links and handles:
 * "zalo:+84912345678", "telegram:<user>", "facebook:<user|id>",
 * "tiktok:<user>", "instagram:<user>", and "handle:<name>" for a bare
 * "@name" whose platform is unknown.
 *
 * The one idea: one account, one value, however the link was written (http
 * or https, www./m./web., trailing slash, tracking query, upper case), and
 * only names the platform itself would allow - each platform's username
 * rules are applied, so "t.me/ab" (too short for Telegram) or
 * "facebook.com/groups/..." (not an account) are refused with a reason.
 * Canonical values are accepted back as input ("telegram:abcde").
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/diag.h"
#include "indicator/values.h"
#include "niemtin/indicator.h"

#define MAX_SOCIAL_INPUT 512

typedef enum platform { P_NONE, P_ZALO, P_TELEGRAM, P_FACEBOOK, P_TIKTOK, P_INSTAGRAM, P_HANDLE } platform;

static const char *const platform_names[] = {
    [P_NONE] = "",          [P_ZALO] = "zalo",           [P_TELEGRAM] = "telegram",
    [P_FACEBOOK] = "facebook", [P_TIKTOK] = "tiktok",    [P_INSTAGRAM] = "instagram",
    [P_HANDLE] = "handle",
};

/* Hosts, after "www.", "m.", "mobile.", "web.", "mbasic." are removed. */
static const struct {
    const char *host;
    platform p;
} hosts[] = {
    {"zalo.me", P_ZALO},           {"t.me", P_TELEGRAM},         {"telegram.me", P_TELEGRAM},
    {"telegram.dog", P_TELEGRAM},  {"facebook.com", P_FACEBOOK}, {"fb.com", P_FACEBOOK},
    {"tiktok.com", P_TIKTOK},      {"instagram.com", P_INSTAGRAM}, {"instagr.am", P_INSTAGRAM},
};

/* Facebook paths that are not profiles. */
static const char *const fb_reserved[] = {
    "groups", "pages", "watch", "events", "marketplace", "gaming", "share", "sharer",
    "sharer.php", "story.php", "photo.php", "photo", "photos", "permalink.php", "login",
    "login.php", "home.php", "help", "policies", "privacy", "settings", "messages", "reel",
    "reels", "stories", "hashtag", "search", "notifications", "friends", "bookmarks", "dialog",
    "plugins", "l.php", "media", "video.php", "videos", "ads", "business", "legal",
};

/* Instagram paths that are not profiles. */
static const char *const ig_reserved[] = {
    "p", "reel", "reels", "tv", "explore", "stories", "accounts", "direct", "about",
    "developer", "legal", "web", "challenge", "emails", "session", "oauth",
};

static int in_list(const char *const *list, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0)
            return 1;
    return 0;
}

static int lower_c(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_alnum_c(int c)
{
    c = lower_c(c);
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* Build "<platform>:<value>" with value lower-cased, dropping chars in
 * `drop`. */
static nt_err emit(char **out, platform p, const char *v, size_t n, const char *drop,
                   nt_diag *diag)
{
    nt__buf b;
    nt_err rc;
    nt__buf_init(&b, MAX_SOCIAL_INPUT + 32);
    rc = nt__buf_adds(&b, platform_names[p]);
    if (rc == NT_OK)
        rc = nt__buf_addc(&b, ':');
    for (size_t i = 0; rc == NT_OK && i < n; i++) {
        if (drop && v[i] && strchr(drop, v[i]))
            continue;
        rc = nt__buf_addc(&b, (char)lower_c((unsigned char)v[i]));
    }
    if (rc == NT_OK && !(*out = nt__buf_take(&b)))
        rc = NT_ERR_NOMEM;
    nt__buf_free(&b);
    return rc == NT_OK ? NT_OK : nt__fail(diag, rc, 0, "out of memory");
}

/* Telegram: 5-32 of [a-z0-9_], starting with a letter, not ending with '_'. */
static nt_err telegram_user(const char *u, size_t n, char **out, nt_diag *diag)
{
    if (n < 5 || n > 32)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "Telegram usernames have 5-32 characters, this one has %zu", n);
    if (!((lower_c((unsigned char)u[0]) >= 'a' && lower_c((unsigned char)u[0]) <= 'z')))
        return nt__fail(diag, NT_ERR_INVALID, 0, "Telegram usernames start with a letter");
    for (size_t i = 0; i < n; i++)
        if (!is_alnum_c((unsigned char)u[i]) && u[i] != '_')
            return nt__fail(diag, NT_ERR_INVALID, i,
                            "Telegram usernames use only a-z, 0-9 and _");
    if (u[n - 1] == '_')
        return nt__fail(diag, NT_ERR_INVALID, n - 1, "Telegram usernames do not end with _");
    return emit(out, P_TELEGRAM, u, n, NULL, diag);
}

/* TikTok: 2-24 of [a-z0-9._], not ending with '.'. */
static nt_err tiktok_user(const char *u, size_t n, char **out, nt_diag *diag)
{
    if (n < 2 || n > 24)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "TikTok usernames have 2-24 characters, this one has %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!is_alnum_c((unsigned char)u[i]) && u[i] != '_' && u[i] != '.')
            return nt__fail(diag, NT_ERR_INVALID, i, "TikTok usernames use only a-z, 0-9, _ and .");
    if (u[n - 1] == '.')
        return nt__fail(diag, NT_ERR_INVALID, n - 1, "TikTok usernames do not end with a dot");
    return emit(out, P_TIKTOK, u, n, NULL, diag);
}

/* Instagram: 1-30 of [a-z0-9._], no leading/trailing or doubled dot. */
static nt_err instagram_user(const char *u, size_t n, char **out, nt_diag *diag)
{
    if (n < 1 || n > 30)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "Instagram usernames have 1-30 characters, this one has %zu", n);
    for (size_t i = 0; i < n; i++) {
        if (u[i] == '.') {
            if (i == 0 || i + 1 == n || u[i + 1] == '.')
                return nt__fail(diag, NT_ERR_INVALID, i,
                                "Instagram usernames do not start or end with a dot or "
                                "double it");
        } else if (!is_alnum_c((unsigned char)u[i]) && u[i] != '_') {
            return nt__fail(diag, NT_ERR_INVALID, i,
                            "Instagram usernames use only a-z, 0-9, _ and .");
        }
    }
    return emit(out, P_INSTAGRAM, u, n, NULL, diag);
}

/* Facebook: a numeric profile id, or a username of [a-z0-9.] with at least 5
 * letters or digits, one of them a letter.  Facebook ignores case and dots in usernames
 * ("john.smith" is "johnsmith"), so both are dropped. */
static nt_err facebook_user(const char *u, size_t n, char **out, nt_diag *diag)
{
    if (all_digits(u, n)) {
        if (n < 5 || n > 20)
            return nt__fail(diag, NT_ERR_INVALID, 0, "Facebook ids have 5-20 digits");
        return emit(out, P_FACEBOOK, u, n, NULL, diag);
    }
    size_t alnum = 0, letters = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_alnum_c((unsigned char)u[i]))
            alnum++;
        else if (u[i] != '.')
            return nt__fail(diag, NT_ERR_INVALID, i, "Facebook usernames use only a-z, 0-9 and .");
        letters += u[i] > '9';
    }
    if (letters == 0)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "Facebook usernames contain a letter; numeric ids have no dots");
    if (alnum < 5 || n > 50)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "Facebook usernames have at least 5 letters or digits (at most 50)");
    return emit(out, P_FACEBOOK, u, n, ".", diag);
}

/* Zalo: a Vietnamese phone number, a numeric id (10-20 digits, official
 * accounts), or a group invite "g/<code>". */
static nt_err zalo_user(const char *u, size_t n, char **out, nt_diag *diag)
{
    char *phone = NULL;
    nt_phone_info info;
    nt_err rc;

    if (n > 2 && u[0] == 'g' && u[1] == '/') {
        size_t cn = n - 2;
        if (cn < 4 || cn > 32)
            return nt__fail(diag, NT_ERR_INVALID, 2, "Zalo group codes have 4-32 characters");
        for (size_t i = 2; i < n; i++)
            if (!is_alnum_c((unsigned char)u[i]))
                return nt__fail(diag, NT_ERR_INVALID, i, "Zalo group codes are letters and digits");
        return emit(out, P_ZALO, u, n, NULL, diag);
    }
    if (n > 0 && (u[0] == '+' || u[0] == '0' || (n >= 11 && n <= 12 && u[0] == '8' && u[1] == '4'))) {
        rc = nt_canon_phone(u, n, &phone, &info, NULL);
        if (rc == NT_ERR_NOMEM)
            return nt__fail(diag, rc, 0, "out of memory");
        if (rc == NT_OK && (info.kind == NT_PHONE_MOBILE || info.kind == NT_PHONE_FIXED)) {
            rc = emit(out, P_ZALO, phone, strlen(phone), NULL, diag);
            free(phone);
            return rc;
        }
        free(phone);
        if (u[0] != '8')
            return nt__fail(diag, NT_ERR_INVALID, 0,
                            "not a Vietnamese mobile or landline phone number for a Zalo account");
    }
    /* Official-account and user ids are long numbers (typically 16-19
     * digits); shorter ones are more likely mistyped phone numbers. */
    if (all_digits(u, n) && n >= 10 && n <= 20 && u[0] != '0')
        return emit(out, P_ZALO, u, n, NULL, diag);
    return nt__fail(diag, NT_ERR_INVALID, 0,
                    "a Zalo account is a phone number, a numeric id or g/<group code>");
}

/* Bare "@name": any platform's rules could apply; accept the union
 * [a-z0-9._], 2-32 characters. */
static nt_err handle_user(const char *u, size_t n, char **out, nt_diag *diag)
{
    if (n < 2 || n > 32)
        return nt__fail(diag, NT_ERR_INVALID, 0, "handles have 2-32 characters");
    for (size_t i = 0; i < n; i++)
        if (!is_alnum_c((unsigned char)u[i]) && u[i] != '_' && u[i] != '.')
            return nt__fail(diag, NT_ERR_INVALID, i, "handles use only a-z, 0-9, _ and .");
    if (u[0] == '.' || u[n - 1] == '.')
        return nt__fail(diag, NT_ERR_INVALID, 0, "handles do not start or end with a dot");
    return emit(out, P_HANDLE, u, n, NULL, diag);
}

static nt_err by_platform(platform p, const char *u, size_t n, char **out, nt_diag *diag)
{
    switch (p) {
    case P_ZALO:
        return zalo_user(u, n, out, diag);
    case P_TELEGRAM:
        return telegram_user(u, n, out, diag);
    case P_FACEBOOK:
        return facebook_user(u, n, out, diag);
    case P_TIKTOK:
        return tiktok_user(u, n, out, diag);
    case P_INSTAGRAM:
        return instagram_user(u, n, out, diag);
    case P_HANDLE:
        return handle_user(u, n, out, diag);
    default:
        return nt__fail(diag, NT_ERR_INVALID, 0, "unknown platform");
    }
}

/* Value of query parameter `name` in q[0..n) (no '?'), or NULL. */
static const char *query_param(const char *q, size_t n, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && q[e] != '&')
            e++;
        if (e - i > nl && strncmp(q + i, name, nl) == 0 && q[i + nl] == '=') {
            *vlen = e - i - nl - 1;
            return q + i + nl + 1;
        }
        i = e + 1;
    }
    return NULL;
}

/* A link: [scheme://]host/path[?query][#fragment]. */
static nt_err from_link(const char *s, size_t n, char **out, platform *pp, nt_diag *diag)
{
    static const char *const subs[] = {"www.", "m.", "mobile.", "web.", "mbasic.", "vm.", "vt."};
    const char *e = memchr(s, '#', n);
    if (e)
        n = (size_t)(e - s);
    const char *sch = n >= 3 ? strstr(s, "://") : NULL;
    if (sch && (size_t)(sch - s) < n) {
        size_t sl = (size_t)(sch - s);
        if (!((sl == 4 && strncasecmp(s, "http", 4) == 0) ||
              (sl == 5 && strncasecmp(s, "https", 5) == 0)))
            return nt__fail(diag, NT_ERR_INVALID, 0, "not an http(s) link");
        s = sch + 3;
        n -= sl + 3;
    }
    const char *slash = memchr(s, '/', n);
    size_t hl = slash ? (size_t)(slash - s) : n;
    const char *host = s;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        size_t l = strlen(subs[i]);
        if (hl > l && strncasecmp(host, subs[i], l) == 0) {
            host += l;
            hl -= l;
            break;
        }
    }
    if (hl > 0 && host[hl - 1] == '.')
        hl--;
    platform p = P_NONE;
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
        if (strlen(hosts[i].host) == hl && strncasecmp(hosts[i].host, host, hl) == 0)
            p = hosts[i].p;
    if (p == P_NONE)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "not a Zalo, Telegram, Facebook, TikTok or Instagram link");
    *pp = p;
    const char *path = slash ? slash + 1 : s + n;
    size_t pl = (size_t)(s + n - path);
    const char *q = memchr(path, '?', pl);
    const char *query = q ? q + 1 : "";
    size_t ql = q ? pl - (size_t)(q - path) - 1 : 0;
    if (q)
        pl = (size_t)(q - path);
    /* first and second path segments */
    const char *seg = path;
    size_t sl = 0;
    while (sl < pl && seg[sl] != '/')
        sl++;
    const char *seg2 = seg + sl + (sl < pl ? 1 : 0);
    size_t s2l = 0;
    while (seg2 + s2l < path + pl && seg2[s2l] != '/')
        s2l++;
    if (sl == 0)
        return nt__fail(diag, NT_ERR_INVALID, 0, "link has no account in its path");

    switch (p) {
    case P_TELEGRAM:
        if (seg[0] == '+' || (sl == 8 && strncasecmp(seg, "joinchat", 8) == 0) ||
            (sl == 9 && strncasecmp(seg, "addstickers", 9) == 0))
            return nt__fail(diag, NT_ERR_INVALID, 0,
                            "a Telegram invite link, not an account");
        if (sl == 1 && seg[0] == 's' && s2l > 0)
            return telegram_user(seg2, s2l, out, diag);
        return telegram_user(seg, sl, out, diag);
    case P_TIKTOK:
        if (seg[0] != '@')
            return nt__fail(diag, NT_ERR_INVALID, 0,
                            "a TikTok link without @user (video or short link)");
        return tiktok_user(seg + 1, sl - 1, out, diag);
    case P_INSTAGRAM:
        if (in_list(ig_reserved, sizeof ig_reserved / sizeof ig_reserved[0], seg, sl)) {
            if (sl == 7 && strncasecmp(seg, "stories", 7) == 0 && s2l > 0)
                return instagram_user(seg2, s2l, out, diag);
            return nt__fail(diag, NT_ERR_INVALID, 0, "an Instagram post or page, not an account");
        }
        return instagram_user(seg, sl, out, diag);
    case P_FACEBOOK: {
        size_t vl = 0;
        const char *v;
        if (sl == 11 && strncasecmp(seg, "profile.php", 11) == 0) {
            v = query_param(query, ql, "id", &vl);
            if (!v || !all_digits(v, vl))
                return nt__fail(diag, NT_ERR_INVALID, 0, "profile.php link without a numeric id");
            return facebook_user(v, vl, out, diag);
        }
        if (sl == 6 && strncasecmp(seg, "people", 6) == 0) {
            /* facebook.com/people/Display-Name/<id>/ */
            const char *seg3 = seg2 + s2l + 1;
            size_t s3l = 0;
            if (seg3 > path + pl)
                return nt__fail(diag, NT_ERR_INVALID, 0, "people/ link without an id");
            while (seg3 + s3l < path + pl && seg3[s3l] != '/')
                s3l++;
            if (!all_digits(seg3, s3l))
                return nt__fail(diag, NT_ERR_INVALID, 0, "people/ link without an id");
            return facebook_user(seg3, s3l, out, diag);
        }
        if (in_list(fb_reserved, sizeof fb_reserved / sizeof fb_reserved[0], seg, sl))
            return nt__fail(diag, NT_ERR_INVALID, 0,
                            "a Facebook group, post or page link, not a profile");
        return facebook_user(seg, sl, out, diag);
    }
    case P_ZALO:
        if (sl == 1 && seg[0] == 'g' && s2l > 0)
            return zalo_user(seg, 2 + s2l, out, diag);
        return zalo_user(seg, sl, out, diag);
    default:
        return nt__fail(diag, NT_ERR_INVALID, 0, "unknown platform");
    }
}

nt_err nt__canon_social(const char *in, size_t len, char **out, const char **platform_name,
                        nt_diag *diag)
{
    platform p = P_NONE;
    nt_err rc;

    if (platform_name)
        *platform_name = "";
    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    in = in ? in : "";
    const char *s = nt__val_trim(in, &len);
    if (len == 0)
        return nt__fail(diag, NT_ERR_EMPTY, 0, "empty social account");
    if (len > MAX_SOCIAL_INPUT)
        return nt__fail(diag, NT_ERR_INVALID, 0, "too long for a social account");
    if (memchr(s, '\0', len))
        return nt__fail(diag, NT_ERR_INVALID, 0, "NUL byte in a social account");
    /* Work on a NUL-terminated copy so strstr is safe. */
    char *c = nt__val_strndup(s, len);
    if (!c)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");

    if (c[0] == '@') {
        p = P_HANDLE;
        rc = handle_user(c + 1, len - 1, out, diag);
    } else {
        const char *colon = strchr(c, ':');
        size_t cl = colon ? (size_t)(colon - c) : 0;
        rc = NT_ERR_NOT_FOUND;
        if (colon && !(colon[1] == '/' && colon[2] == '/')) {
            for (platform q = P_ZALO; q <= P_HANDLE; q++) {
                if (strlen(platform_names[q]) == cl && strncasecmp(c, platform_names[q], cl) == 0) {
                    p = q;
                    rc = by_platform(q, colon + 1, len - cl - 1, out, diag);
                    break;
                }
            }
        }
        if (rc == NT_ERR_NOT_FOUND)
            rc = from_link(c, len, out, &p, diag);
    }
    free(c);
    if (rc == NT_OK && platform_name)
        *platform_name = platform_names[p];
    return rc;
}

nt_err nt_canon_social(const char *in, size_t len, char **out, nt_diag *diag)
{
    return nt__canon_social(in, len, out, NULL, diag);
}
