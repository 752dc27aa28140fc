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
 * Segmentation picks the split with the fewest syllables, then the fewest
 * syllables without an onset, then the longest first syllable:
 * "nganhang" -> "ngan hang", "chuyenkhoan" -> "chuyen khoan".  Without a
 * dictionary some joins stay ambiguous ("congan" -> "con gan", not "cong an").
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

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* The Vietnamese alphabet: the 12 vowel letters (with their quality marks)
 * times the 6 tones, and đ.  Orthography data, checked against utf8proc's
 * decompositions by tests/test_text_viet.c. */
static const int32_t vl_bases[12] = {'a', 0x0103, 0x00E2, 'e', 0x00EA, 'i',
                                     'o', 0x00F4, 0x01A1, 'u', 0x01B0, 'y'};
static const char vl_ascii[12] = {'a', 'a', 'a', 'e', 'e', 'i', 'o', 'o', 'o', 'u', 'u', 'y'};
#define VL_DSTROKE 255

typedef struct vl_entry {
    uint16_t cp;
    uint8_t base; /* index into vl_bases, or VL_DSTROKE */
    uint8_t tone;
} vl_entry;

/* Sorted by code point. */
static const vl_entry vl_table[] = {
    {0x00E0, 0, 1}, /* à */
    {0x00E1, 0, 2}, /* á */
    {0x00E2, 2, 0}, /* â */
    {0x00E3, 0, 4}, /* ã */
    {0x00E8, 3, 1}, /* è */
    {0x00E9, 3, 2}, /* é */
    {0x00EA, 4, 0}, /* ê */
    {0x00EC, 5, 1}, /* ì */
    {0x00ED, 5, 2}, /* í */
    {0x00F2, 6, 1}, /* ò */
    {0x00F3, 6, 2}, /* ó */
    {0x00F4, 7, 0}, /* ô */
    {0x00F5, 6, 4}, /* õ */
    {0x00F9, 9, 1}, /* ù */
    {0x00FA, 9, 2}, /* ú */
    {0x00FD, 11, 2}, /* ý */
    {0x0103, 1, 0}, /* ă */
    {0x0111, VL_DSTROKE, 0}, /* đ */
    {0x0129, 5, 4}, /* ĩ */
    {0x0169, 9, 4}, /* ũ */
    {0x01A1, 8, 0}, /* ơ */
    {0x01B0, 10, 0}, /* ư */
    {0x1EA1, 0, 5}, /* ạ */
    {0x1EA3, 0, 3}, /* ả */
    {0x1EA5, 2, 2}, /* ấ */
    {0x1EA7, 2, 1}, /* ầ */
    {0x1EA9, 2, 3}, /* ẩ */
    {0x1EAB, 2, 4}, /* ẫ */
    {0x1EAD, 2, 5}, /* ậ */
    {0x1EAF, 1, 2}, /* ắ */
    {0x1EB1, 1, 1}, /* ằ */
    {0x1EB3, 1, 3}, /* ẳ */
    {0x1EB5, 1, 4}, /* ẵ */
    {0x1EB7, 1, 5}, /* ặ */
    {0x1EB9, 3, 5}, /* ẹ */
    {0x1EBB, 3, 3}, /* ẻ */
    {0x1EBD, 3, 4}, /* ẽ */
    {0x1EBF, 4, 2}, /* ế */
    {0x1EC1, 4, 1}, /* ề */
    {0x1EC3, 4, 3}, /* ể */
    {0x1EC5, 4, 4}, /* ễ */
    {0x1EC7, 4, 5}, /* ệ */
    {0x1EC9, 5, 3}, /* ỉ */
    {0x1ECB, 5, 5}, /* ị */
    {0x1ECD, 6, 5}, /* ọ */
    {0x1ECF, 6, 3}, /* ỏ */
    {0x1ED1, 7, 2}, /* ố */
    {0x1ED3, 7, 1}, /* ồ */
    {0x1ED5, 7, 3}, /* ổ */
    {0x1ED7, 7, 4}, /* ỗ */
    {0x1ED9, 7, 5}, /* ộ */
    {0x1EDB, 8, 2}, /* ớ */
    {0x1EDD, 8, 1}, /* ờ */
    {0x1EDF, 8, 3}, /* ở */
    {0x1EE1, 8, 4}, /* ỡ */
    {0x1EE3, 8, 5}, /* ợ */
    {0x1EE5, 9, 5}, /* ụ */
    {0x1EE7, 9, 3}, /* ủ */
    {0x1EE9, 10, 2}, /* ứ */
    {0x1EEB, 10, 1}, /* ừ */
    {0x1EED, 10, 3}, /* ử */
    {0x1EEF, 10, 4}, /* ữ */
    {0x1EF1, 10, 5}, /* ự */
    {0x1EF3, 11, 1}, /* ỳ */
    {0x1EF5, 11, 5}, /* ỵ */
    {0x1EF7, 11, 3}, /* ỷ */
    {0x1EF9, 11, 4}, /* ỹ */
};
static const uint16_t vl_compose[12][6] = {
    {0x0061, 0x00E0, 0x00E1, 0x1EA3, 0x00E3, 0x1EA1}, /* aàáảãạ */
    {0x0103, 0x1EB1, 0x1EAF, 0x1EB3, 0x1EB5, 0x1EB7}, /* ăằắẳẵặ */
    {0x00E2, 0x1EA7, 0x1EA5, 0x1EA9, 0x1EAB, 0x1EAD}, /* âầấẩẫậ */
    {0x0065, 0x00E8, 0x00E9, 0x1EBB, 0x1EBD, 0x1EB9}, /* eèéẻẽẹ */
    {0x00EA, 0x1EC1, 0x1EBF, 0x1EC3, 0x1EC5, 0x1EC7}, /* êềếểễệ */
    {0x0069, 0x00EC, 0x00ED, 0x1EC9, 0x0129, 0x1ECB}, /* iìíỉĩị */
    {0x006F, 0x00F2, 0x00F3, 0x1ECF, 0x00F5, 0x1ECD}, /* oòóỏõọ */
    {0x00F4, 0x1ED3, 0x1ED1, 0x1ED5, 0x1ED7, 0x1ED9}, /* ôồốổỗộ */
    {0x01A1, 0x1EDD, 0x1EDB, 0x1EDF, 0x1EE1, 0x1EE3}, /* ơờớởỡợ */
    {0x0075, 0x00F9, 0x00FA, 0x1EE7, 0x0169, 0x1EE5}, /* uùúủũụ */
    {0x01B0, 0x1EEB, 0x1EE9, 0x1EED, 0x1EEF, 0x1EF1}, /* ưừứửữự */
    {0x0079, 0x1EF3, 0x00FD, 0x1EF7, 0x1EF9, 0x1EF5}, /* yỳýỷỹỵ */
};

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
    if (cp < 0xE0 || cp > 0x1EF9)
        return 0;
    size_t lo = 0, hi = sizeof vl_table / sizeof vl_table[0];
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (vl_table[mid].cp == cp) {
            const vl_entry *e = &vl_table[mid];
            if (e->base == VL_DSTROKE) {
                *base = cp;
                *tone = 0;
                *ascii = 'd';
            } else {
                *base = vl_bases[e->base];
                *tone = e->tone;
                *ascii = vl_ascii[e->base];
            }
            return 1;
        }
        if (vl_table[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int32_t nt__viet_join(int32_t base, int tone)
{
    if (tone <= 0 || tone > 5)
        return base;
    for (int i = 0; i < 12; i++) {
        if (vl_bases[i] == base)
            return vl_compose[i][tone];
    }
    return base;
}

/* nt__viet_split of every letter; the table (cpinfo.c) answers for the
 * Latin ranges, which it filled from nt__viet_split itself. */
static int split_all(const int32_t *cps, size_t n, vletter *out)
{
    const nt__cpinfo *tab = nt__cpinfo_table();
    for (size_t i = 0; i < n; i++) {
        const int32_t cp = cps[i];
        if (cp < 0x80) {
            if (cp < 'a' || cp > 'z')
                return 0;
            out[i].base = cp;
            out[i].tone = 0;
            out[i].ascii = (char)cp;
            continue;
        }
        const long ti = nt__cpinfo_index(cp);
        if (ti >= 0 && (tab[ti].flags & NT__CI_VIET)) {
            out[i].base = tab[ti].vbase;
            out[i].tone = tab[ti].vtone;
            out[i].ascii = tab[ti].skel;
            continue;
        }
        if (!nt__viet_split(cp, &out[i].base, &out[i].tone, &out[i].ascii))
            return 0;
    }
    return 1;
}

/* Rimes by skeleton (ă/â fold to a, ê to e, ô/ơ to o, ư to u), packed 5 bits
 * a letter (a=1) into an integer, sorted. */
static const uint32_t rimes[] = {
    0x08000, 0x08C00, 0x08D00, 0x0A400, 0x0B400, 0x0B800, 0x0B8E0, 0x0B900, 0x0BC00,
    0x0C000, 0x0D000, 0x0D400, 0x0E400, 0x28000, 0x28C00, 0x28D00, 0x2B400, 0x2B800,
    0x2B8E0, 0x2B900, 0x2BC00, 0x2C000, 0x2D000, 0x2D400, 0x48000, 0x48400, 0x48D00,
    0x49460, 0x495A0, 0x495C0, 0x495C7, 0x49600, 0x49680, 0x496A0, 0x4B400, 0x4B800,
    0x4B900, 0x4C000, 0x4D000, 0x4D400, 0x78000, 0x78400, 0x78460, 0x78468, 0x78520,
    0x785A0, 0x785C0, 0x785C7, 0x785C8, 0x785E0, 0x78600, 0x78680, 0x78720, 0x78C00,
    0x79400, 0x795A0, 0x795C0, 0x795E0, 0x79680, 0x7A400, 0x7B400, 0x7B800, 0x7B8E0,
    0x7BC60, 0x7BDC7, 0x7C000, 0x7D000, 0xA8000, 0xA8400, 0xA85C0, 0xA85C7, 0xA8680,
    0xA8720, 0xA8C00, 0xA9400, 0xA9468, 0xA95C8, 0xAA400, 0xAB400, 0xAB800, 0xAB8E0,
    0xABC00, 0xABC60, 0xABD20, 0xABDA0, 0xABDC0, 0xABDC7, 0xABE00, 0xABE80, 0xABEA0,
    0xAC000, 0xAD000, 0xAD400, 0xAE400, 0xAE420, 0xAE468, 0xAE4AE, 0xAE4B4, 0xAE5C8,
    0xAE680, 0xAE6A0, 0xC8000, 0xC95A0, 0xC95C0, 0xC95C7, 0xC9680, 0xC96A0,
};
/* The same rimes, readable: */
/* a ac ach ai am an ang anh ao ap at au ay e ec ech em en eng enh eo ep et eu i ia ich iec iem ien ieng iep iet ieu im in inh ip it iu o oa oac oach oai oam oan oang oanh oao oap oat oay oc oe oem oen oeo oet oi om on ong ooc oong op ot u ua uan uang uat uay uc ue uech uenh ui um un ung uo uoc uoi uom uon uong uop uot uou up ut uu uy uya uych uyen uyet uynh uyt uyu y yem yen yeng yet yeu */

/* The rimes again as an open-addressing hash set (key + 1, 0 = empty),
 * filled by nt__viet_init; rime_ok probes it instead of bisecting. */
#define RIME_SLOTS 512
static uint32_t rime_set[RIME_SLOTS];

static size_t rime_slot(uint32_t key)
{
    return (size_t)((key * 2654435761u) >> 23) & (RIME_SLOTS - 1);
}

void nt__viet_init(void)
{
    for (size_t i = 0; i < sizeof rimes / sizeof rimes[0]; i++) {
        size_t h = rime_slot(rimes[i]);
        while (rime_set[h])
            h = (h + 1) & (RIME_SLOTS - 1);
        rime_set[h] = rimes[i] + 1;
    }
}

/* Is r[0..n) a rime?  The set is filled by nt__viet_init, which
 * nt__cpinfo_table runs once; every caller of analyse has been through
 * split_all, which calls nt__cpinfo_table. */
static int rime_ok(const char *r, size_t n)
{
    if (n == 0 || n > 4)
        return 0;
    uint32_t key = 0;
    for (size_t i = 0; i < 4; i++)
        key = key * 32 + (i < n ? (uint32_t)(r[i] - 'a' + 1) : 0);
    for (size_t h = rime_slot(key);; h = (h + 1) & (RIME_SLOTS - 1)) {
        if (rime_set[h] == 0)
            return 0;
        if (rime_set[h] == key + 1)
            return 1;
    }
}

/* Candidate onsets of skeleton sk[0..n), longest first ("ngh" before "ng"
 * before "n"); writes their lengths, returns how many.  A vowel-initial
 * syllable has the empty onset. */
static int onset_candidates(const char *sk, size_t n, int out[3])
{
    const char a = sk[0], b = n > 1 ? sk[1] : 0, c = n > 2 ? sk[2] : 0;
    int k = 0;
    switch (a) {
    case 'a': case 'e': case 'i': case 'o': case 'u': case 'y':
        out[k++] = 0;
        break;
    case 'n':
        if (b == 'g' && c == 'h')
            out[k++] = 3;
        if (b == 'g' || b == 'h')
            out[k++] = 2;
        out[k++] = 1;
        break;
    case 'g':
        if (b == 'h' || b == 'i')
            out[k++] = 2;
        out[k++] = 1;
        break;
    case 'c': case 'k': case 'p':
        if (b == 'h')
            out[k++] = 2;
        out[k++] = 1;
        break;
    case 't':
        if (b == 'h' || b == 'r')
            out[k++] = 2;
        out[k++] = 1;
        break;
    case 'q':
        if (b == 'u')
            out[k++] = 2;
        break;
    case 'b': case 'd': case 'h': case 'l': case 'm': case 'r': case 's': case 'v': case 'x':
        out[k++] = 1;
        break;
    default:
        break;
    }
    return k;
}

/* The c/k/q, g/gh, ng/ngh spelling rules: may onset sk[0..ol) precede a
 * rime starting with r0? */
static int spelling_ok(const char *sk, int ol, char r0)
{
    const int front = r0 == 'e' || r0 == 'i' || r0 == 'y';
    if (ol == 1) {
        switch (sk[0]) {
        case 'k':
            return front;
        case 'c':
            return !front;
        case 'g':
            return r0 != 'e' && r0 != 'y';
        default:
            return 1;
        }
    }
    if (ol == 2 && sk[1] == 'h' && (sk[0] == 'g'))
        return r0 == 'e' || r0 == 'i';
    if (ol == 3)
        return r0 == 'e' || r0 == 'i';
    if (ol == 2 && sk[0] == 'n' && sk[1] == 'g')
        return !front;
    if (ol == 2 && sk[0] == 'q')
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
    int cand[3];
    const int nc = onset_candidates(sk, n, cand);
    for (int k = 0; k < nc; k++) {
        const int ol = cand[k];
        if ((size_t)ol >= n)
            continue;
        if (v[0].base == 0x111 && ol != 1)
            continue;
        if (!rime_ok(sk + ol, n - (size_t)ol))
            continue;
        if (!spelling_ok(sk, ol, sk[ol]))
            continue;
        return ol;
    }
    return -1;
}

int nt__viet_onset(const int32_t *cps, size_t n)
{
    vletter v[NT__SYL_MAX];
    if (n == 0 || n > NT__SYL_MAX || !split_all(cps, n, v))
        return -1;
    return analyse(v, n);
}

int nt__viet_is_syllable(const int32_t *cps, size_t n)
{
    return nt__viet_onset(cps, n) >= 0;
}

static int has_quality(const vletter *l)
{
    return l->base >= 0x80;
}

static int canon_rewrite(int32_t *cps, size_t n, vletter *v, int ol);

int nt__viet_canon(int32_t *cps, size_t n)
{
    vletter v[NT__SYL_MAX];
    if (n == 0 || n > NT__SYL_MAX || !split_all(cps, n, v))
        return 0;
    const int ol = analyse(v, n);
    if (ol < 0)
        return 0;
    return canon_rewrite(cps, n, v, ol);
}

int nt__viet_canon_known(int32_t *cps, size_t n, int ol)
{
    vletter v[NT__SYL_MAX];
    if (n == 0 || n > NT__SYL_MAX || ol < 0 || !split_all(cps, n, v))
        return 0;
    return canon_rewrite(cps, n, v, ol);
}

/* The rewrite half of nt__viet_canon: v is cps split, ol its onset. */
static int canon_rewrite(int32_t *cps, size_t n, vletter *v, int ol)
{
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

/* Can sk[0..n) (skeleton letters) split into syllables at all?  Necessary
 * conditions, cheap to test: every syllable is onset + rime, every rime
 * starts with a vowel and ends in a vowel or one of c ch m n ng nh p t, no
 * onset or rime has f, j, w or z; so the letters before the first vowel must
 * be an onset's consonants and those after the last vowel a rime's end. */
static int may_segment(const vletter *v, size_t n)
{
    static const char *const onsets[] = {"",  "b",  "c",  "ch", "d",   "g",  "gh", "h",
                                         "k", "kh", "l",  "m",  "n",   "ng", "ngh", "nh",
                                         "p", "ph", "q",  "r",  "s",   "t",  "th", "tr",
                                         "v", "x"};
    static const char *const codas[] = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"};
    size_t first = n, last = n;
    for (size_t i = 0; i < n; i++) {
        const char a = v[i].ascii;
        if (a == 'f' || a == 'j' || a == 'w' || a == 'z')
            return 0;
        if (is_vowel(a)) {
            if (first == n)
                first = i;
            last = i;
        }
    }
    if (first == n || first > 3 || n - 1 - last > 2)
        return 0;
    int ok = 0;
    for (size_t k = 0; k < sizeof onsets / sizeof onsets[0] && !ok; k++) {
        ok = strlen(onsets[k]) == first;
        for (size_t i = 0; ok && i < first; i++)
            ok = onsets[k][i] == v[i].ascii;
    }
    if (!ok)
        return 0;
    ok = 0;
    for (size_t k = 0; k < sizeof codas / sizeof codas[0] && !ok; k++) {
        ok = strlen(codas[k]) == n - 1 - last;
        for (size_t i = last + 1; ok && i < n; i++)
            ok = codas[k][i - last - 1] == v[i].ascii;
    }
    return ok;
}

size_t nt__viet_segment(const int32_t *cps, size_t n, size_t *ends, size_t max_ends)
{
    enum { MAXN = 256 };
    vletter v[MAXN];
    unsigned short cnt[MAXN + 1], bare[MAXN + 1];
    unsigned char len[MAXN + 1];
    if (n == 0 || n > MAXN || !split_all(cps, n, v) || !may_segment(v, n))
        return 0;
    const unsigned short inf = 0xFFFF;
    cnt[n] = 0;
    bare[n] = 0;
    /* Best split of each suffix: fewest syllables, then fewest syllables
     * without an onset ("ngân|hàng" rather than "nganh|ang"), then the
     * longest first syllable. */
    for (size_t i = n; i-- > 0;) {
        cnt[i] = inf;
        bare[i] = inf;
        len[i] = 0;
        const size_t maxl = n - i < NT__SYL_MAX ? n - i : NT__SYL_MAX;
        for (size_t l = maxl; l >= 1; l--) {
            if (cnt[i + l] == inf)
                continue;
            const unsigned short c = (unsigned short)(cnt[i + l] + 1);
            if (c > cnt[i])
                continue;
            const int ol = analyse(v + i, l);
            if (ol < 0)
                continue;
            const unsigned short b = (unsigned short)(bare[i + l] + (ol == 0 && i > 0));
            if (c == cnt[i] && b >= bare[i])
                continue;
            cnt[i] = c;
            bare[i] = b;
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
