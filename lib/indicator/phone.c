/*
 * lib/indicator/phone.c - phone numbers to one canonical form: E.164 for
 * Vietnamese mobiles and landlines and for foreign numbers, the national
 * digits for numbers that cannot be dialled from abroad (1800, 1900, short
 * codes).
 *
 * The one idea: strip the writing (spaces, dots, dashes, brackets, "(0)",
 * "+84"/"0084"/"84"/"0") down to the national significant number, then let
 * one table of number ranges decide what it is.  The ranges are compiled in
 * (nt_canon_phone takes no table): they are facts transcribed by hand from
 * Google libphonenumber's metadata for Vietnam (PhoneNumberMetadata.xml
 * <territory id="VN">, resources/carrier/en/84.txt and
 * resources/geocoding/en/84.txt at commit f7e3e88c, Apache-2.0), plus the
 * 2018 renumbering of 11-digit mobiles (MIC Decision 798/QD-BTTTT) and the
 * ITU-T E.164 list of assigned country calling codes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "indicator/values.h"
#include "niemtin/indicator.h"

/* Longest input we look at: a phone number written with generous spacing. */
#define MAX_PHONE_INPUT 64
/* E.164: at most 15 digits after the "+" (country code included). */
#define E164_MAX_DIGITS 15
#define E164_MIN_DIGITS 8

/* A range of Vietnamese national significant numbers (no trunk "0", no
 * "+84").  `pattern` is a prefix in a tiny regex dialect: digits, or a
 * bracketed class such as "[06-9]".  `national_only` numbers are written in
 * national form because they cannot be dialled from abroad. */
typedef struct range {
    const char *pattern;
    unsigned char min_len, max_len;
    nt_phone_kind kind;
    unsigned char national_only;
} range;

/* PhoneNumberMetadata.xml, territory VN: <mobile>, <fixedLine>, <voip>,
 * <tollFree>, <premiumRate>, <uan>. */
static const range ranges[] = {
    /* mobile: 9 digits */
    {"3", 9, 9, NT_PHONE_MOBILE, 0},
    {"5[1689]", 9, 9, NT_PHONE_MOBILE, 0},
    {"52[238]", 9, 9, NT_PHONE_MOBILE, 0},
    {"559", 9, 9, NT_PHONE_MOBILE, 0},
    {"7[06-9]", 9, 9, NT_PHONE_MOBILE, 0},
    {"8[1-8]", 9, 9, NT_PHONE_MOBILE, 0},
    {"89[6-9]", 9, 9, NT_PHONE_MOBILE, 0},
    {"9[0-8]", 9, 9, NT_PHONE_MOBILE, 0},
    {"99[013-9]", 9, 9, NT_PHONE_MOBILE, 0},
    {"121[0-3]", 9, 9, NT_PHONE_MOBILE, 0},
    {"160", 9, 9, NT_PHONE_MOBILE, 0},
    /* fixed line: area code (2 or 3 digits starting with 2) + subscriber,
     * 10 digits in all */
    {"20[3-9]", 10, 10, NT_PHONE_FIXED, 0},
    {"21[0-689]", 10, 10, NT_PHONE_FIXED, 0},
    {"22[0-25-9]", 10, 10, NT_PHONE_FIXED, 0},
    {"2[38][2-9]", 10, 10, NT_PHONE_FIXED, 0},
    {"24[2-8]", 10, 10, NT_PHONE_FIXED, 0},
    {"25[124-9]", 10, 10, NT_PHONE_FIXED, 0},
    {"26[0-39]", 10, 10, NT_PHONE_FIXED, 0},
    {"27[0-7]", 10, 10, NT_PHONE_FIXED, 0},
    {"29[0-4679]", 10, 10, NT_PHONE_FIXED, 0},
    /* VSAT (voip) */
    {"672", 9, 9, NT_PHONE_UAN, 0},
    /* toll free and premium rate, national only */
    {"1800", 8, 10, NT_PHONE_TOLL_FREE, 1},
    {"120[13]", 8, 8, NT_PHONE_TOLL_FREE, 1},
    {"1228", 8, 8, NT_PHONE_TOLL_FREE, 1},
    {"1900", 8, 10, NT_PHONE_PREMIUM, 1},
    /* UAN (non-geographic, e.g. ministries), national only */
    {"[17]99", 7, 7, NT_PHONE_UAN, 1},
    {"69", 7, 8, NT_PHONE_UAN, 1},
};

/* resources/carrier/en/84.txt, prefixes of the national number; longest
 * prefix wins.  Carrier data is per prefix and ignores number portability.
 * 087 is iTel (Indochina Telecom's MVNO on the Vinaphone network), which the
 * upstream file lists under Vinaphone's 08; 0998/0999 are also Indochina
 * Telecom ("iTel").  G-Mobile is written "Gmobile" as the operator does. */
static const struct {
    const char *prefix;
    const char *carrier;
} carriers[] = {
    {"121", "MobiFone"},     {"16", "Viettel"},       {"3", "Viettel"},
    {"30", "MobiFone"},      {"51", "MobiFone"},      {"52", "Vietnamobile"},
    {"55", "Reddi"},         {"56", "Vietnamobile"},  {"58", "Vietnamobile"},
    {"59", "Gmobile"},       {"7", "MobiFone"},       {"8", "Vinaphone"},
    {"86", "Viettel"},       {"87", "iTel"},          {"89", "MobiFone"},
    {"90", "MobiFone"},      {"91", "Vinaphone"},     {"92", "Vietnamobile"},
    {"93", "MobiFone"},      {"94", "Vinaphone"},     {"96", "Viettel"},
    {"97", "Viettel"},       {"98", "Viettel"},       {"993", "Gmobile"},
    {"994", "Gmobile"},      {"995", "Gmobile"},      {"996", "Gmobile"},
    {"997", "Gmobile"},      {"998", "iTel"},         {"999", "iTel"},
};

/* resources/geocoding/en/84.txt: landline area code -> province ("Ving
 * Long" corrected to "Vinh Long").  Area codes since the 2017 renumbering;
 * the names are those of the 63 provinces before the 2025 mergers, which
 * did not change area codes. */
static const struct {
    const char *prefix;
    const char *region;
} areas[] = {
    {"203", "Quang Ninh"},     {"204", "Bac Giang"},      {"205", "Lang Son"},
    {"206", "Cao Bang"},       {"207", "Tuyen Quang"},    {"208", "Thai Nguyen"},
    {"209", "Bac Kan"},        {"210", "Phu Tho"},        {"211", "Vinh Phuc"},
    {"212", "Son La"},         {"213", "Lai Chau"},       {"214", "Lao Cai"},
    {"215", "Dien Bien"},      {"216", "Yen Bai"},        {"218", "Hoa Binh"},
    {"219", "Ha Giang"},       {"220", "Hai Duong"},      {"221", "Hung Yen"},
    {"222", "Bac Ninh"},       {"225", "Hai Phong"},      {"226", "Ha Nam"},
    {"227", "Thai Binh"},      {"228", "Nam Dinh"},       {"229", "Ninh Binh"},
    {"232", "Quang Binh"},     {"233", "Quang Tri"},      {"234", "Thua Thien Hue"},
    {"235", "Quang Nam"},      {"236", "Da Nang"},        {"237", "Thanh Hoa"},
    {"238", "Nghe An"},        {"239", "Ha Tinh"},        {"24", "Hanoi"},
    {"251", "Dong Nai"},       {"252", "Binh Thuan"},     {"254", "Ba Ria - Vung Tau"},
    {"255", "Quang Ngai"},     {"256", "Binh Dinh"},      {"257", "Phu Yen"},
    {"258", "Khanh Hoa"},      {"259", "Ninh Thuan"},     {"260", "Kon Tum"},
    {"261", "Dak Nong"},       {"262", "Dak Lak"},        {"263", "Lam Dong"},
    {"269", "Gia Lai"},        {"270", "Vinh Long"},      {"271", "Binh Phuoc"},
    {"272", "Long An"},        {"273", "Tien Giang"},     {"274", "Binh Duong"},
    {"275", "Ben Tre"},        {"276", "Tay Ninh"},       {"277", "Dong Thap"},
    {"28", "Ho Chi Minh City"}, {"290", "Ca Mau"},        {"291", "Bac Lieu"},
    {"292", "Can Tho"},        {"293", "Hau Giang"},      {"294", "Tra Vinh"},
    {"296", "An Giang"},       {"297", "Kien Giang"},     {"299", "Soc Trang"},
};

/* The 2018 renumbering of 11-digit mobiles (MIC Decision 798/QD-BTTTT,
 * 15 Sep - 15 Nov 2018): old national prefix (after the 0) -> new. */
static const struct {
    const char old[4];
    const char now[3];
} renumbered[] = {
    {"120", "70"}, {"121", "79"}, {"122", "77"}, {"126", "76"}, {"128", "78"},
    {"123", "83"}, {"124", "84"}, {"125", "85"}, {"127", "81"}, {"129", "82"},
    {"162", "32"}, {"163", "33"}, {"164", "34"}, {"165", "35"}, {"166", "36"},
    {"167", "37"}, {"168", "38"}, {"169", "39"}, {"186", "56"}, {"188", "58"},
    {"199", "59"},
};

/* Short codes dialled as written: the national hotlines 111 (child
 * protection), 112 (search and rescue), 113 (police), 114 (fire), 115
 * (ambulance); and SMS/service short codes of 4 or 5 digits starting with
 * 2-9 (content services 6xxx-8xxx such as 8x85, operator services 9xxx such
 * as 9029, 9090).  4-5 digit numbers starting with 1 are prefixes of 1800/
 * 1900 numbers, not short codes. */
static int is_short_code(const char *d, size_t n)
{
    if (n == 3)
        return d[0] == '1' && d[1] == '1' && d[2] >= '1' && d[2] <= '5';
    if (n == 4 || n == 5)
        return d[0] >= '2' && d[0] <= '9';
    return 0;
}

/* ITU-T E.164 assigned country calling codes (Annex to ITU OB 1.1.2016 and
 * later amendments), as ranges of equal-length codes. */
static const struct {
    unsigned short lo, hi;
} country_codes[] = {
    {1, 1},     {7, 7},     {20, 20},   {27, 27},   {30, 34},   {36, 36},   {39, 41},
    {43, 49},   {51, 58},   {60, 66},   {81, 82},   {84, 84},   {86, 86},   {90, 95},
    {98, 98},   {211, 213}, {216, 216}, {218, 218}, {220, 258}, {260, 269}, {290, 291},
    {297, 299}, {350, 359}, {370, 378}, {380, 383}, {385, 387}, {389, 389}, {420, 421},
    {423, 423}, {500, 509}, {590, 599}, {670, 670}, {672, 683}, {685, 692}, {800, 800},
    {808, 808}, {850, 850}, {852, 853}, {855, 856}, {870, 870}, {878, 878}, {880, 883},
    {886, 886}, {888, 888}, {960, 968}, {970, 977}, {979, 979}, {991, 996}, {998, 998},
};

/* Length of the country code at the start of d[0..n), 0 if none is
 * assigned.  Calling codes are a prefix code, so at most one length fits. */
static size_t country_code_len(const char *d, size_t n)
{
    unsigned v = 0;
    for (size_t len = 1; len <= 3 && len <= n; len++) {
        v = v * 10 + (unsigned)(d[len - 1] - '0');
        for (size_t i = 0; i < sizeof country_codes / sizeof country_codes[0]; i++) {
            unsigned lo = country_codes[i].lo, hi = country_codes[i].hi;
            unsigned lolen = lo >= 100 ? 3 : lo >= 10 ? 2 : 1;
            if (lolen == len && v >= lo && v <= hi)
                return len;
        }
    }
    return 0;
}

/* Does pattern p match a prefix of d[0..n)?  Returns the number of digits
 * the pattern covers, 0 if it does not match. */
static size_t pattern_match(const char *p, const char *d, size_t n)
{
    size_t i = 0;
    while (*p) {
        if (i >= n)
            return 0;
        if (*p == '[') {
            int ok = 0;
            p++;
            while (*p && *p != ']') {
                char lo = *p, hi = *p;
                if (p[1] == '-' && p[2] && p[2] != ']') {
                    hi = p[2];
                    p += 3;
                } else {
                    p++;
                }
                if (d[i] >= lo && d[i] <= hi)
                    ok = 1;
            }
            if (*p == ']')
                p++;
            if (!ok)
                return 0;
        } else {
            if (*p != d[i])
                return 0;
            p++;
        }
        i++;
    }
    return i;
}

static const char *longest_prefix_value(const char *d, size_t n, size_t which)
{
    const char *best = NULL;
    size_t best_len = 0;
    size_t count = which == 0 ? sizeof carriers / sizeof carriers[0]
                              : sizeof areas / sizeof areas[0];
    for (size_t i = 0; i < count; i++) {
        const char *p = which == 0 ? carriers[i].prefix : areas[i].prefix;
        size_t pl = strlen(p);
        if (pl <= n && pl > best_len && memcmp(p, d, pl) == 0) {
            best = which == 0 ? carriers[i].carrier : areas[i].region;
            best_len = pl;
        }
    }
    return best;
}

size_t nt__phone_min_standalone_digits(void)
{
    /* "+" and a country code: E.164 length; "00" adds 2 digits */
    size_t best = E164_MIN_DIGITS;
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        const range *r = &ranges[i];
        if (r->kind == NT_PHONE_UAN)
            continue;
        /* written bare (national-only ranges), else after the trunk 0 (or
         * 84, longer still) */
        size_t n = r->national_only ? r->min_len : (size_t)r->min_len + 1;
        if (n < best)
            best = n;
    }
    return best;
}

const char *nt_phone_kind_name(nt_phone_kind kind)
{
    switch (kind) {
    case NT_PHONE_MOBILE:
        return "mobile";
    case NT_PHONE_FIXED:
        return "fixed";
    case NT_PHONE_TOLL_FREE:
        return "toll_free";
    case NT_PHONE_PREMIUM:
        return "premium";
    case NT_PHONE_SHORT_CODE:
        return "short_code";
    case NT_PHONE_UAN:
        return "uan";
    case NT_PHONE_INTERNATIONAL:
        return "international";
    default:
        return "unknown";
    }
}

static void copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Classify a Vietnamese national significant number nsn[0..n).  Numbers
 * written bare (no "0", no "+84") may only be national-only ones.  When no
 * range fits, *near is a range whose prefix matched but whose length did
 * not (for the error message). */
static const range *classify(const char *nsn, size_t n, int bare, const range **near)
{
    *near = NULL;
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        const range *r = &ranges[i];
        if (bare && !r->national_only)
            continue;
        if (!pattern_match(r->pattern, nsn, n))
            continue;
        if (n >= r->min_len && n <= r->max_len)
            return r;
        if (!*near)
            *near = r;
    }
    return NULL;
}

static nt_err emit(char **out, const char *prefix, const char *digits, size_t n, nt_diag *diag)
{
    size_t pl = strlen(prefix);
    char *s = malloc(pl + n + 1);
    if (!s)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    memcpy(s, prefix, pl);
    memcpy(s + pl, digits, n);
    s[pl + n] = '\0';
    *out = s;
    return NT_OK;
}

static nt_err wrong_length(const range *r, size_t n, int trunk, nt_diag *diag)
{
    const char *what = nt_phone_kind_name(r->kind);
    if (r->kind == NT_PHONE_MOBILE)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "wrong length: Vietnamese mobile numbers have 10 digits with the "
                        "leading 0, this one has %zu",
                        n + (size_t)trunk);
    if (r->kind == NT_PHONE_FIXED)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "wrong length: Vietnamese landline numbers have 11 digits with the "
                        "leading 0 (area code included), this one has %zu",
                        n + (size_t)trunk);
    if (r->min_len == r->max_len)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "wrong length: %s numbers have %u digits, this one has %zu", what,
                        r->min_len, n);
    return nt__fail(diag, NT_ERR_INVALID, 0,
                    "wrong length: %s numbers have %u-%u digits, this one has %zu", what,
                    r->min_len, r->max_len, n);
}

/* A Vietnamese national significant number (after "+84", "84", "0084" or
 * the trunk "0"; trunk says whether a "0" was written). */
static nt_err canon_vn(const char *nsn, size_t n, int trunk, char **out, nt_phone_info *info,
                       unsigned *flags, nt_diag *diag)
{
    char fixed[16];
    const range *near;

    /* Old 11-digit mobiles: 01xx xxx xxxx -> 0yy xxx xxxx (2018). */
    if (n == 10 && nsn[0] == '1') {
        for (size_t i = 0; i < sizeof renumbered / sizeof renumbered[0]; i++) {
            if (memcmp(nsn, renumbered[i].old, 3) == 0) {
                memcpy(fixed, renumbered[i].now, 2);
                memcpy(fixed + 2, nsn + 3, 7);
                nsn = fixed;
                n = 9;
                *flags |= NT__PHONE_RENUMBERED;
                break;
            }
        }
    }
    const range *r = classify(nsn, n, 0, &near);
    if (!r) {
        if (near)
            return wrong_length(near, n, trunk, diag);
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "unassigned prefix: no Vietnamese numbers start with %s%.*s",
                        trunk ? "0" : "+84 ", (int)(n < 3 ? n : 3), nsn);
    }
    info->kind = r->kind;
    if (r->kind == NT_PHONE_MOBILE)
        copy_field(info->carrier, sizeof info->carrier, longest_prefix_value(nsn, n, 0));
    else if (r->kind == NT_PHONE_FIXED)
        copy_field(info->region, sizeof info->region, longest_prefix_value(nsn, n, 1));
    return r->national_only ? emit(out, "", nsn, n, diag) : emit(out, "+84", nsn, n, diag);
}

/* Digits written without any prefix: 1800/1900/UAN numbers and short codes
 * (a Vietnamese subscriber number needs its "0" or "+84"). */
static nt_err canon_bare(const char *d, size_t n, char **out, nt_phone_info *info,
                         nt_diag *diag)
{
    const range *near;
    if (is_short_code(d, n)) {
        info->kind = NT_PHONE_SHORT_CODE;
        return emit(out, "", d, n, diag);
    }
    const range *r = classify(d, n, 1, &near);
    if (r) {
        info->kind = r->kind;
        return emit(out, "", d, n, diag);
    }
    if (near)
        return wrong_length(near, n, 0, diag);
    if (n <= 5)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "not a short code: Vietnamese short codes are 111-115 or 4-5 digits "
                        "starting with 2-9");
    return nt__fail(diag, NT_ERR_INVALID, 0,
                    "no prefix: a Vietnamese number starts with 0, +84 or 84, a foreign one "
                    "with + or 00");
}

static nt_err canon_international(const char *d, size_t n, char **out, nt_phone_info *info,
                                  unsigned *flags, nt_diag *diag)
{
    *flags |= NT__PHONE_INTL_FORM;
    if (n >= 2 && d[0] == '8' && d[1] == '4') {
        /* "+84 (0) 912 ..." and "+84 0912 ...": drop the trunk 0. */
        size_t skip = (n > 2 && d[2] == '0') ? 3 : 2;
        return canon_vn(d + skip, n - skip, 0, out, info, flags, diag);
    }
    size_t cc = country_code_len(d, n);
    if (cc == 0)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "no such country calling code: +%.*s is not assigned",
                        (int)(n < 3 ? n : 3), d);
    if (n < E164_MIN_DIGITS || n > E164_MAX_DIGITS)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "wrong length: international numbers have %d-%d digits with the "
                        "country code, this one has %zu",
                        E164_MIN_DIGITS, E164_MAX_DIGITS, n);
    info->kind = NT_PHONE_INTERNATIONAL;
    return emit(out, "+", d, n, diag);
}

nt_err nt__canon_phone(const char *in, size_t len, char **out, nt_phone_info *info,
                       unsigned *flags, nt_diag *diag)
{
    char d[MAX_PHONE_INPUT];
    size_t n = 0;
    int plus = 0;
    unsigned fl = 0;
    nt_phone_info scratch;
    nt_err rc;

    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof *info);
    in = in ? in : "";
    if (flags)
        *flags = 0;
    const char *s = nt__val_trim(in, &len);
    size_t base = (size_t)(s - in);
    if (len == 0)
        return nt__fail(diag, NT_ERR_EMPTY, 0, "empty phone number");
    if (len > MAX_PHONE_INPUT)
        return nt__fail(diag, NT_ERR_INVALID, base, "too long for a phone number (%zu bytes)",
                        len);

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9') {
            if (n >= E164_MAX_DIGITS + 2)
                return nt__fail(diag, NT_ERR_INVALID, base + i,
                                "too many digits for a phone number");
            d[n++] = (char)c;
        } else if (c == '+') {
            if (n > 0 || plus)
                return nt__fail(diag, NT_ERR_INVALID, base + i,
                                "'+' is only allowed at the start of a phone number");
            plus = 1;
        } else if (c == ' ' || c == '\t' || c == '.' || c == '-' || c == '(' || c == ')' ||
                   c == '/') {
            continue;
        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
            return nt__fail(diag, NT_ERR_INVALID, base + i, "letters in a phone number");
        } else {
            return nt__fail(diag, NT_ERR_INVALID, base + i,
                            "unexpected character 0x%02x in a phone number", c);
        }
    }
    if (n == 0)
        return nt__fail(diag, NT_ERR_INVALID, base, "no digits in a phone number");

    if (plus)
        rc = canon_international(d, n, out, info, &fl, diag);
    else if (n >= 2 && d[0] == '0' && d[1] == '0')
        rc = canon_international(d + 2, n - 2, out, info, &fl, diag);
    else if (d[0] == '0')
        rc = canon_vn(d + 1, n - 1, 1, out, info, &fl, diag);
    else if (n >= 11 && n <= 12 && d[0] == '8' && d[1] == '4')
        rc = canon_international(d, n, out, info, &fl, diag);
    else
        rc = canon_bare(d, n, out, info, diag);
    if (rc != NT_OK) {
        memset(info, 0, sizeof *info);
        if (diag && rc == NT_ERR_INVALID && diag->offset == 0)
            diag->offset = base;
        return rc;
    }
    if (flags)
        *flags = fl;
    if (diag) {
        nt_diag_clear(diag);
        if (fl & NT__PHONE_RENUMBERED)
            snprintf(diag->message, sizeof diag->message,
                     "old 11-digit mobile number, renumbered in 2018 to %s", *out);
    }
    return NT_OK;
}

nt_err nt_canon_phone(const char *in, size_t len, char **out, nt_phone_info *info,
                      nt_diag *diag)
{
    return nt__canon_phone(in, len, out, info, NULL, diag);
}
