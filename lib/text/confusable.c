/*
 * lib/text/confusable.c - characters that stand in for Latin letters.
 *
 * Two small hand-written tables, because no library has them in this shape:
 *   - look-alikes: lower-case Cyrillic, Greek and Armenian letters (and a few
 *     Latin variants) that render like a Latin letter, after the Unicode
 *     confusables data (UTS #39) restricted to what scammers use on
 *     Vietnamese text.  Case folding runs first, so only lower-case entries
 *     are needed ("Ь" folds to "ь", which looks like "b").  Full-width and
 *     mathematical letters need no entry: NFKC (utf8proc) maps them.
 *   - leet: the digits and symbols written for letters inside words.  Kept to
 *     the unambiguous ones; 2, 5, 6, 7, 8, 9 are never mapped.
 */
#include "text/text_internal.h"

typedef struct pair {
    int32_t from, to;
} pair;

/* Sorted by `from`. */
static const pair lookalikes[] = {
    {0x0131, 'i'}, /* ı dotless i */
    {0x0251, 'a'}, /* ɑ latin alpha */
    {0x0261, 'g'}, /* ɡ script g */
    {0x03B1, 'a'}, /* α */
    {0x03B2, 'b'}, /* β */
    {0x03B3, 'y'}, /* γ */
    {0x03B5, 'e'}, /* ε */
    {0x03B7, 'n'}, /* η */
    {0x03B9, 'i'}, /* ι */
    {0x03BA, 'k'}, /* κ */
    {0x03BC, 'u'}, /* μ */
    {0x03BD, 'v'}, /* ν */
    {0x03BF, 'o'}, /* ο */
    {0x03C1, 'p'}, /* ρ */
    {0x03C4, 't'}, /* τ */
    {0x03C5, 'u'}, /* υ */
    {0x03C7, 'x'}, /* χ */
    {0x03C9, 'w'}, /* ω */
    {0x03F2, 'c'}, /* ϲ lunate sigma */
    {0x03F3, 'j'}, /* ϳ */
    {0x0430, 'a'}, /* а */
    {0x0432, 'b'}, /* в (В) */
    {0x0435, 'e'}, /* е */
    {0x043A, 'k'}, /* к */
    {0x043C, 'm'}, /* м (М) */
    {0x043D, 'h'}, /* н (Н) */
    {0x043E, 'o'}, /* о */
    {0x0440, 'p'}, /* р */
    {0x0441, 'c'}, /* с */
    {0x0442, 't'}, /* т (Т) */
    {0x0443, 'y'}, /* у */
    {0x0445, 'x'}, /* х */
    {0x044C, 'b'}, /* ь (Ь) */
    {0x0455, 's'}, /* ѕ */
    {0x0456, 'i'}, /* і */
    {0x0458, 'j'}, /* ј */
    {0x04AF, 'y'}, /* ү */
    {0x04BB, 'h'}, /* һ */
    {0x04CF, 'l'}, /* ӏ palochka */
    {0x0501, 'd'}, /* ԁ */
    {0x051B, 'q'}, /* ԛ */
    {0x051D, 'w'}, /* ԝ */
    {0x0570, 'h'}, /* հ */
    {0x0578, 'n'}, /* ո */
    {0x057D, 'u'}, /* ս */
    {0x0581, 'g'}, /* ց */
    {0x0584, 'p'}, /* ք */
    {0x0585, 'o'}, /* օ */
};

int32_t nt__lookalike(int32_t cp)
{
    if (cp < 0x131 || cp > 0x585)
        return 0;
    size_t lo = 0, hi = sizeof lookalikes / sizeof lookalikes[0];
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (lookalikes[mid].from == cp)
            return lookalikes[mid].to;
        if (lookalikes[mid].from < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int32_t nt__leet(int32_t cp)
{
    switch (cp) {
    case '0':
        return 'o';
    case '1':
        return 'i';
    case '3':
        return 'e';
    case '4':
    case '@':
        return 'a';
    case '$':
        return 's';
    case '!':
        return 'i';
    case '|':
        return 'l';
    default:
        return 0;
    }
}
