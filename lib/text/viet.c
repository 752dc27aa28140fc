/*
 * lib/text/viet.c - Vietnamese orthography: which letter sequences are
 * syllables, where the tone mark goes, and how a run of letters written
 * without spaces splits back into syllables.
 *
 * A syllable is analysed on its skeleton (letters without diacritics, đ -> d)
 * as onset + rime, against the closed list of Vietnamese onsets and rimes and
 * the c/k/q, g/gh, ng/ngh spelling rules; it carries at most one tone mark.
 * This is orthography, not a dictionary: "chuyen", "khoan" and "ngoeo" are
 * syllables, "ck", "bank" and "email" are not.
 *
 * Canonical spelling (see docs/text.md):
 *   - tone mark in the traditional ("old") position that most people type:
 *     an open two-vowel rime takes the mark on its first vowel: "hòa", "thủy",
 *     "khỏe", "mùa"; a vowel with a hat/horn/breve takes it ("thuở", "mưa");
 *     a rime closed by a consonant takes it on its last vowel ("hoàng");
 *     three vowels take it in the middle ("ngoài", "khuỷu");
 *   - i/y: after "qu" a lone i/y is y ("quí" -> "quý"); after any other
 *     consonant a lone i/y is i ("kỳ" -> "kì", "lý" -> "lí", "mỹ" -> "mĩ").
 *     Syllables without an onset keep their y ("ý", "yêu").
 */
#include "text/text_internal.h"

#include <string.h>
#include <utf8proc.h>

typedef struct vletter {
    int32_t base; /* letter with its quality mark, no tone */
    int tone;     /* 0..5 */
    char ascii;   /* skeleton letter */
} vletter;

static const int32_t tone_marks[6] = {0, 0x0300, 0x0301, 0x0309, 0x0303, 0x0323};

static int32_t compose2(int32_t a, int32_t b)
{
    utf8proc_int32_t buf[2] = {a, b};
    utf8proc_ssize_t n = utf8proc_normalize_utf32(buf, 2, UTF8PROC_COMPOSE);
    return n == 1 ? buf[0] : -1;
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

int nt__viet_split(int32_t cp, int32_t *base, int *tone, char *ascii)
{
    if (cp < 0x80) {
        if (cp < 'a' || cp > 'z')
            return 0;
        *base = cp;
        *tone = 0;
        *ascii = (char)cp;
        return 1;
    }
    if (cp == 0x111) { /* đ */
        *base = cp;
        *tone = 0;
        *ascii = 'd';
        return 1;
    }
    if (!((cp >= 0xE0 && cp <= 0x1B0) || (cp >= 0x1EA1 && cp <= 0x1EF9)))
        return 0;
    utf8proc_int32_t d[4];
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE, NULL);
    if (n < 2 || n > 3 || d[0] < 'a' || d[0] > 'z')
        return 0;
    int32_t quality = 0;
    int t = 0;
    for (utf8proc_ssize_t i = 1; i < n; i++) {
        int found = 0;
        for (int k = 1; k <= 5; k++) {
            if (d[i] == tone_marks[k] && !t) {
                t = k;
                found = 1;
            }
        }
        if (!found) {
            if (quality || (d[i] != 0x0302 && d[i] != 0x0306 && d[i] != 0x031B))
                return 0;
            quality = d[i];
        }
    }
    const char c = (char)d[0];
    if (quality == 0x0302 && c != 'a' && c != 'e' && c != 'o')
        return 0;
    if (quality == 0x0306 && c != 'a')
        return 0;
    if (quality == 0x031B && c != 'o' && c != 'u')
        return 0;
    if (t && !is_vowel(c))
        return 0;
    *base = quality ? compose2(d[0], quality) : d[0];
    if (*base < 0)
        return 0;
    *tone = t;
    *ascii = c;
    return 1;
}

int32_t nt__viet_join(int32_t base, int tone)
{
    if (tone <= 0 || tone > 5)
        return base;
    /* Decompose the base, add the tone mark in canonical order (the horn,
     * ccc 216, precedes the dot below, ccc 220, which precedes the rest, 230),
     * and compose: "ă" + dot below -> "ặ". */
    utf8proc_int32_t d[4];
    utf8proc_ssize_t n = 1;
    d[0] = base;
    if (base >= 0x80) {
        n = utf8proc_decompose_char(base, d, 3, UTF8PROC_DECOMPOSE, NULL);
        if (n < 1 || n > 2)
            return base;
    }
    const int32_t mark = tone_marks[tone];
    if (n == 2 && mark == 0x0323 && d[1] != 0x031B) {
        d[2] = d[1];
        d[1] = mark;
    } else {
        d[n] = mark;
    }
    n = utf8proc_normalize_utf32(d, n + 1, UTF8PROC_COMPOSE);
    return n == 1 ? d[0] : base;
}

static int split_all(const int32_t *cps, size_t n, vletter *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!nt__viet_split(cps[i], &out[i].base, &out[i].tone, &out[i].ascii))
            return 0;
    }
    return 1;
}

/* Onsets, longest first so that "ngh" is tried before "ng" and "n". */
static const char *const onsets[] = {"ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu",
                                     "th",  "tr", "b",  "c",  "d",  "g",  "h",  "k",  "l",
                                     "m",   "n",  "p",  "r",  "s",  "t",  "v",  "x",  ""};

/* Rimes by skeleton (ă/â fold to a, ê to e, ô/ơ to o, ư to u), sorted. */
static const char *const rimes[] = {
    "a",    "ac",   "ach",  "ai",   "am",   "an",   "ang",  "anh",  "ao",   "ap",   "at",
    "au",   "ay",   "e",    "ec",   "ech",  "em",   "en",   "eng",  "enh",  "eo",   "ep",
    "et",   "eu",   "i",    "ia",   "ich",  "iec",  "iem",  "ien",  "ieng", "iep",  "iet",
    "ieu",  "im",   "in",   "inh",  "ip",   "it",   "iu",   "o",    "oa",   "oac",  "oach",
    "oai",  "oam",  "oan",  "oang", "oanh", "oao",  "oap",  "oat",  "oay",  "oc",   "oe",
    "oem",  "oen",  "oeo",  "oet",  "oi",   "om",   "on",   "ong",  "ooc",  "oong", "op",
    "ot",   "u",    "ua",   "uan",  "uang", "uat",  "uay",  "uc",   "ue",   "uech", "uenh",
    "ui",   "um",   "un",   "ung",  "uo",   "uoc",  "uoi",  "uom",  "uon",  "uong", "uop",
    "uot",  "uou",  "up",   "ut",   "uu",   "uy",   "uya",  "uych", "uyen", "uyet", "uynh",
    "uyt",  "uyu",  "y",    "yem",  "yen",  "yeng", "yet",  "yeu"};

static int rime_ok(const char *r, size_t n)
{
    if (n == 0 || n > 4)
        return 0;
    char key[5];
    memcpy(key, r, n);
    key[n] = '\0';
    size_t lo = 0, hi = sizeof rimes / sizeof rimes[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(rimes[mid], key);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The c/k/q, g/gh, ng/ngh spelling rules: may onset o precede rime r? */
static int spelling_ok(const char *o, char r0)
{
    const int front = r0 == 'e' || r0 == 'i' || r0 == 'y';
    if (!strcmp(o, "k"))
        return front;
    if (!strcmp(o, "gh") || !strcmp(o, "ngh"))
        return r0 == 'e' || r0 == 'i';
    if (!strcmp(o, "c") || !strcmp(o, "ng"))
        return !front;
    if (!strcmp(o, "g"))
        return r0 != 'e' && r0 != 'y';
    if (!strcmp(o, "qu"))
        return r0 != 'u';
    return 1;
}

/* Analyse a split letter sequence; returns the onset length in letters, or -1
 * when it is not a syllable. */
static int analyse(const vletter *v, size_t n)
{
    if (n == 0 || n > NT__SYL_MAX)
        return -1;
    char sk[NT__SYL_MAX + 1];
    int tones = 0;
    for (size_t i = 0; i < n; i++) {
        sk[i] = v[i].ascii;
        if (v[i].tone)
            tones++;
        if (v[i].base == 0x111 && i != 0)
            return -1;
    }
    sk[n] = '\0';
    if (tones > 1)
        return -1;
    for (size_t k = 0; k < sizeof onsets / sizeof onsets[0]; k++) {
        const size_t ol = strlen(onsets[k]);
        if (ol >= n && ol != 0)
            continue;
        if (memcmp(sk, onsets[k], ol) != 0)
            continue;
        if (ol && v[0].base == 0x111 && strcmp(onsets[k], "d") != 0)
            continue;
        if (!rime_ok(sk + ol, n - ol))
            continue;
        if (!spelling_ok(onsets[k], sk[ol]))
            continue;
        return (int)ol;
    }
    return -1;
}

int nt__viet_is_syllable(const int32_t *cps, size_t n)
{
    vletter v[NT__SYL_MAX];
    if (n == 0 || n > NT__SYL_MAX || !split_all(cps, n, v))
        return 0;
    return analyse(v, n) >= 0;
}

static int has_quality(const vletter *l)
{
    return l->base >= 0x80;
}

int nt__viet_canon(int32_t *cps, size_t n)
{
    vletter v[NT__SYL_MAX];
    if (n == 0 || n > NT__SYL_MAX || !split_all(cps, n, v))
        return 0;
    const int ol = analyse(v, n);
    if (ol < 0)
        return 0;
    const size_t rs = (size_t)ol;
    int tone = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].tone)
            tone = v[i].tone;
        v[i].tone = 0;
    }
    /* i/y for a lone vowel after a consonant onset. */
    if (rs > 0 && n - rs == 1 && (v[rs].ascii == 'i' || v[rs].ascii == 'y')) {
        const int after_qu = rs == 2 && v[0].ascii == 'q';
        v[rs].base = v[rs].ascii = after_qu ? 'y' : 'i';
    }
    /* The vowel group: the rime minus its final consonants. */
    size_t ve = n;
    while (ve > rs && !is_vowel(v[ve - 1].ascii))
        ve--;
    const int closed = ve < n;
    size_t at = rs;
    if (ve > rs && tone) {
        size_t q = n;
        for (size_t i = rs; i < ve; i++) {
            if (has_quality(&v[i]))
                q = i;
        }
        const size_t nv = ve - rs;
        if (q != n)
            at = q;
        else if (closed)
            at = ve - 1;
        else if (nv == 3)
            at = rs + 1;
        else
            at = rs;
        v[at].tone = tone;
    }
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        const int32_t c = nt__viet_join(v[i].base, v[i].tone);
        if (c != cps[i]) {
            cps[i] = c;
            changed = 1;
        }
    }
    return changed;
}

size_t nt__viet_segment(const int32_t *cps, size_t n, size_t *ends, size_t max_ends)
{
    enum { MAXN = 256 };
    vletter v[MAXN];
    unsigned short cnt[MAXN + 1];
    unsigned char len[MAXN + 1];
    if (n == 0 || n > MAXN || !split_all(cps, n, v))
        return 0;
    const unsigned short inf = 0xFFFF;
    cnt[n] = 0;
    for (size_t i = n; i-- > 0;) {
        cnt[i] = inf;
        len[i] = 0;
        size_t maxl = n - i < NT__SYL_MAX ? n - i : NT__SYL_MAX;
        for (size_t l = maxl; l >= 1; l--) {
            if (cnt[i + l] == inf || cnt[i + l] + 1 >= cnt[i])
                continue;
            if (analyse(v + i, l) < 0)
                continue;
            cnt[i] = (unsigned short)(cnt[i + l] + 1);
            len[i] = (unsigned char)l;
        }
    }
    if (cnt[0] == inf || cnt[0] > max_ends)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i += len[i])
        ends[k++] = i + len[i];
    return k;
}
