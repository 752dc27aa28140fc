/*
 * lib/indicator/prefilter.c - one cheap look at every byte of a message
 * before anything else runs: is it valid UTF-8 with nothing the view must
 * undo (then it is scanned in place, without a copy), and which passes can
 * find anything at all (a message without digits never enters the number
 * pass, and so on).  Also the "where is the next byte of this kind" helpers
 * that let the passes jump from candidate to candidate.
 *
 * On x86-64 the work is done 16 bytes at a time with SSE2; elsewhere (or
 * with -DNT_NO_SIMD) by a byte loop over a class table.  Both give the same
 * answers; the byte loop is the reference.
 */
#include "indicator/extract_int.h"

#include <string.h>

#include "core/buf.h"

#if defined(__SSE2__) && !defined(NT_NO_SIMD)
#include <emmintrin.h>
#define NT_PREFILTER_SSE2 1
#endif

/* Survey bits and the longest run that a wallet address needs. */
#define LONG_RUN 25

/* Does b[0..n) contain "://"?  (memchr jumps between colons.) */
static int has_scheme_sep(const char *b, size_t n)
{
    for (const char *p = b; (p = memchr(p, ':', (size_t)(b + n - p))) != NULL; p++)
        if (b + n - p >= 3 && p[1] == '/' && p[2] == '/')
            return 1;
    return 0;
}

/* Does b[0..n) contain "www." in any case? */
static int has_www(const char *b, size_t n)
{
    for (const char *p = b; (p = memchr(p, '.', (size_t)(b + n - p))) != NULL; p++) {
        if (p - b < 3)
            continue;
        if ((p[-3] | 0x20) == 'w' && (p[-2] | 0x20) == 'w' && (p[-1] | 0x20) == 'w')
            return 1;
    }
    return 0;
}

/* A '.' that can start the top-level label of a bare domain: before an
 * ASCII letter or a non-ASCII character (the top-level label is letters of
 * any script, or xn--).  Every domain pass_domains accepts has one, so "...",
 * ". " and "1.50" do not make it run. */
static int tld_byte(unsigned char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

static int has_domain_dot(const char *b, size_t n)
{
    for (const char *p = b; (p = memchr(p, '.', (size_t)(b + n - p))) != NULL; p++)
        if (p + 1 < b + n && tld_byte((unsigned char)p[1]))
            return 1;
    return 0;
}

static void finish_survey(const char *b, size_t n, unsigned colon, nt__survey *sv)
{
    sv->urls = (colon && has_scheme_sep(b, n)) || has_www(b, n);
}

/* ---- the reference byte loop ---------------------------------------------- */

enum {
    C_ALNUM = 1,  /* ASCII letter or digit */
    C_DIGIT = 2,
    C_AT = 4,
    C_DOT = 8,
    C_COLON = 16,
    C_SPECIAL = 32, /* the view may have something to undo here */
};

static const uint8_t cls[256] = {
    ['0'] = 3,  ['1'] = 3,  ['2'] = 3,  ['3'] = 3,  ['4'] = 3,  ['5'] = 3,  ['6'] = 3,
    ['7'] = 3,  ['8'] = 3,  ['9'] = 3,  ['a'] = 1,  ['b'] = 1,  ['c'] = 1,  ['d'] = 1,
    ['e'] = 1,  ['f'] = 1,  ['g'] = 1,  ['h'] = 33, ['i'] = 1,  ['j'] = 1,  ['k'] = 1,
    ['l'] = 1,  ['m'] = 1,  ['n'] = 1,  ['o'] = 1,  ['p'] = 1,  ['q'] = 1,  ['r'] = 1,
    ['s'] = 1,  ['t'] = 1,  ['u'] = 1,  ['v'] = 1,  ['w'] = 1,  ['x'] = 1,  ['y'] = 1,
    ['z'] = 1,  ['A'] = 1,  ['B'] = 1,  ['C'] = 1,  ['D'] = 1,  ['E'] = 1,  ['F'] = 1,
    ['G'] = 1,  ['H'] = 33, ['I'] = 1,  ['J'] = 1,  ['K'] = 1,  ['L'] = 1,  ['M'] = 1,
    ['N'] = 1,  ['O'] = 1,  ['P'] = 1,  ['Q'] = 1,  ['R'] = 1,  ['S'] = 1,  ['T'] = 1,
    ['U'] = 1,  ['V'] = 1,  ['W'] = 1,  ['X'] = 1,  ['Y'] = 1,  ['Z'] = 1,  ['@'] = 4,
    ['.'] = 8,  [':'] = 16, [0] = 32,   ['['] = 32, ['('] = 32, ['{'] = 32, [' '] = 32,
    [0xC2] = 32, [0xE2] = 32, [0xE3] = 32, [0xEF] = 32,
};

/* Is text[i] (flagged C_SPECIAL) worth asking the view about?  'h' only
 * before x/X/'*' (hxxp, h**p), ' ' only before d/D (" dot "). */
static int special_pair(const unsigned char *u, size_t len, size_t i)
{
    unsigned char c = u[i], d = i + 1 < len ? u[i + 1] : 0;
    if ((c | 0x20) == 'h')
        return (d | 0x20) == 'x' || d == '*';
    if (c == ' ')
        return (d | 0x20) == 'd';
    return 1;
}

void nt__survey_ref(const char *b, size_t n, nt__survey *sv)
{
    memset(sv, 0, sizeof *sv);
    const unsigned char *u = (const unsigned char *)b;
    unsigned acc = 0, is_long = 0;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned k = cls[u[i]];
        acc |= k;
        run = (run + 1) & (0 - (size_t)(k & C_ALNUM)); /* letters/digits in a row */
        is_long |= run >= LONG_RUN;
    }
    sv->digit = (acc & C_DIGIT) != 0;
    sv->at = (acc & C_AT) != 0;
    sv->dot = (acc & C_DOT) && has_domain_dot(b, n);
    sv->long_word = is_long != 0;
    finish_survey(b, n, (acc & C_COLON) != 0, sv);
}

int nt__prefilter_ref(const char *text, size_t len, nt__survey *sv)
{
    memset(sv, 0, sizeof *sv);
    const unsigned char *u = (const unsigned char *)text;
    unsigned acc = 0, is_long = 0;
    size_t run = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = u[i];
        unsigned k = cls[c];
        if (k & C_SPECIAL) {
            if (special_pair(u, len, i) && nt__view_rewrites_at(text, len, i))
                return 1;
        }
        if (c >= 0x80) {
            int32_t cp;
            size_t l = nt__utf8_decode(u + i, len - i, &cp);
            if (l == 0)
                return 1; /* malformed: the view turns it into a break */
            run = 0;
            i += l;
            continue;
        }
        acc |= k;
        run = (run + 1) & (0 - (size_t)(k & C_ALNUM));
        is_long |= run >= LONG_RUN;
        i++;
    }
    sv->digit = (acc & C_DIGIT) != 0;
    sv->at = (acc & C_AT) != 0;
    sv->dot = (acc & C_DOT) && has_domain_dot(text, len);
    sv->long_word = is_long != 0;
    finish_survey(text, len, (acc & C_COLON) != 0, sv);
    return 0;
}

#ifdef NT_PREFILTER_SSE2

/* ---- SSE2: 16 bytes at a time ------------------------------------------------ */

static unsigned ctz32(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctz(x);
#else
    unsigned n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

#define SPLAT(c) _mm_set1_epi8((char)(c))
#define MASK(x) ((uint32_t)_mm_movemask_epi8(x))

static int prefilter_sse2(const char *text, size_t len, nt__survey *sv)
{
    const unsigned char *u = (const unsigned char *)text;
    if (len < 20)
        return nt__prefilter_ref(text, len, sv);
    const __m128i zero = _mm_setzero_si128();
    /* Survey accumulators (0xFF bytes where the class occurred), and
     * necessary conditions for "://" (':' before '/') and "www." ("ww"),
     * checked exactly after the loop when they occurred. */
    __m128i digit_acc = zero, at_acc = zero, dot_acc = zero, cs_acc = zero, ww_acc = zero;
    uint64_t runs = 0; /* letters and digits of the last three blocks (bits 0-47) */
    int is_long = 0;
    uint32_t carry = 0; /* continuation bytes expected at the next block's start */
    for (size_t i = 0; i < len; i += 16) {
        /* Bit k of every mask below is byte i + k.  The last block is loaded
         * so that it ends at the end of the text, overlapping the one
         * before; the masks are shifted to drop the bytes already seen (the
         * accumulators may see them twice), and the byte after the last one
         * reads as 0. */
        __m128i v, nx; /* the bytes, and the byte after each */
        unsigned shift = 0;
        if (len - i > 16) {
            v = _mm_loadu_si128((const __m128i *)(u + i));
            nx = _mm_loadu_si128((const __m128i *)(u + i + 1));
        } else {
            shift = (unsigned)(16 - (len - i));
            v = _mm_loadu_si128((const __m128i *)(u + len - 16));
            nx = _mm_srli_si128(v, 1);
        }
        /* The three bytes before each (zeros before the text: v starts at
         * u + i - shift, which is 0 or at least 4 as len >= 20). */
        __m128i p1, p2, p3;
        if (i - shift > 0) {
            p1 = _mm_loadu_si128((const __m128i *)(u + i - shift - 1));
            p2 = _mm_loadu_si128((const __m128i *)(u + i - shift - 2));
            p3 = _mm_loadu_si128((const __m128i *)(u + i - shift - 3));
        } else {
            p1 = _mm_slli_si128(v, 1);
            p2 = _mm_slli_si128(v, 2);
            p3 = _mm_slli_si128(v, 3);
        }
        __m128i vl = _mm_or_si128(v, SPLAT(0x20)), nl = _mm_or_si128(nx, SPLAT(0x20));

        /* The survey. */
        __m128i digit =
            _mm_and_si128(_mm_cmpgt_epi8(v, SPLAT('0' - 1)), _mm_cmplt_epi8(v, SPLAT('9' + 1)));
        __m128i alpha =
            _mm_and_si128(_mm_cmpgt_epi8(vl, SPLAT('a' - 1)), _mm_cmplt_epi8(vl, SPLAT('z' + 1)));
        __m128i colon = _mm_cmpeq_epi8(v, SPLAT(':'));
        digit_acc = _mm_or_si128(digit_acc, digit);
        at_acc = _mm_or_si128(at_acc, _mm_cmpeq_epi8(v, SPLAT('@')));
        {
            /* a '.' before a top-level label's first byte (letter or non-ASCII) */
            __m128i tld = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(nl, SPLAT('a' - 1)),
                                                     _mm_cmplt_epi8(nl, SPLAT('z' + 1))),
                                       _mm_cmplt_epi8(nx, zero));
            dot_acc = _mm_or_si128(dot_acc, _mm_and_si128(_mm_cmpeq_epi8(v, SPLAT('.')), tld));
        }
        cs_acc = _mm_or_si128(cs_acc, _mm_and_si128(colon, _mm_cmpeq_epi8(nx, SPLAT('/'))));
        ww_acc = _mm_or_si128(ww_acc, _mm_and_si128(_mm_cmpeq_epi8(vl, SPLAT('w')),
                                                    _mm_cmpeq_epi8(nl, SPLAT('w'))));
        /* A run of 25 letters and digits spans at most three blocks: keep
         * the alnum masks of the last three in a 48-bit window and look for
         * 25 ones in a row (each step doubles the run length tested). */
        uint64_t alnum = (MASK(_mm_or_si128(alpha, digit)) >> shift) & (0xFFFFu >> shift);
        runs = (runs >> 16) | alnum << 32;
        uint64_t r = runs & (runs >> 1); /* 2 in a row */
        r &= r >> 2;                     /* 4 */
        r &= r >> 4;                     /* 8 */
        r &= r >> 8;                     /* 16 */
        is_long |= (r & (r >> 9)) != 0;  /* 25 */

        /* Bytes where the view may have something to undo: NUL, '[', '(',
         * '{'; below, the lead bytes of the non-ASCII characters it maps
         * (C2: U+00A0, U+00AD; E2: U+2000-U+206F; E3: U+3000, U+3002; EF:
         * U+FEFF, U+FF01-U+FF61).  "hxxp", "h**p" and " dot" are found by
         * their last byte (`late`, 3 bytes after where they start). */
        __m128i sp = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, zero), _mm_cmpeq_epi8(v, SPLAT('['))),
            _mm_or_si128(_mm_cmpeq_epi8(v, SPLAT('(')), _mm_cmpeq_epi8(v, SPLAT('{'))));
        __m128i q1 = _mm_or_si128(p1, SPLAT(0x20)), q2 = _mm_or_si128(p2, SPLAT(0x20));
        __m128i hxxp = _mm_and_si128(
            _mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(p3, SPLAT(0x20)), SPLAT('h')),
                          _mm_cmpeq_epi8(vl, SPLAT('p'))),
            _mm_or_si128(_mm_and_si128(_mm_cmpeq_epi8(q2, SPLAT('x')), _mm_cmpeq_epi8(q1, SPLAT('x'))),
                         _mm_and_si128(_mm_cmpeq_epi8(p2, SPLAT('*')), _mm_cmpeq_epi8(p1, SPLAT('*')))));
        __m128i dot = _mm_and_si128(
            _mm_and_si128(_mm_cmpeq_epi8(p3, SPLAT(' ')), _mm_cmpeq_epi8(q2, SPLAT('d'))),
            _mm_and_si128(_mm_cmpeq_epi8(q1, SPLAT('o')), _mm_cmpeq_epi8(vl, SPLAT('t'))));
        for (uint32_t m = MASK(_mm_or_si128(hxxp, dot)) >> shift; m; m &= m - 1)
            if (nt__view_rewrites_at(text, len, i + ctz32(m) - 3))
                return 1;

        uint32_t nonascii = MASK(v) >> shift;
        if (nonascii | carry) {
            /* UTF-8 well-formedness, as nt__utf8_decode defines it.  As
             * signed bytes: continuation 80-BF = [-128,-65], leads C2-DF =
             * [-62,-33], E0-EF = [-32,-17], F0-F4 = [-16,-12]; C0, C1 and
             * F5-FF are never valid. */
            uint32_t cont = MASK(_mm_cmplt_epi8(v, SPLAT(-64))) >> shift;
            uint32_t l2 = MASK(_mm_and_si128(_mm_cmpgt_epi8(v, SPLAT(-63)),
                                             _mm_cmplt_epi8(v, SPLAT(-32)))) >> shift;
            uint32_t l3 = MASK(_mm_and_si128(_mm_cmpgt_epi8(v, SPLAT(-33)),
                                             _mm_cmplt_epi8(v, SPLAT(-16)))) >> shift;
            uint32_t l4 = MASK(_mm_and_si128(_mm_cmpgt_epi8(v, SPLAT(-17)),
                                             _mm_cmplt_epi8(v, SPLAT(-11)))) >> shift;
            /* Every lead announces its continuation bytes; they must be
             * exactly the continuation bytes present. */
            uint32_t expect = carry | l2 << 1 | l3 << 1 | l3 << 2 | l4 << 1 | l4 << 2 | l4 << 3;
            if ((expect & (0xFFFFu >> shift)) != cont)
                return 1;
            carry = expect >> (16 - shift); /* past the block (or the text) */
            if (nonascii & ~(cont | l2 | l3 | l4))
                return 1; /* C0, C1, F5-FF */
            /* Overlong, surrogate and beyond U+10FFFF: E0 before 80-9F, ED
             * before A0-BF, F0 before 80-8F, F4 before 90-BF. */
            __m128i bad = _mm_or_si128(
                _mm_or_si128(_mm_and_si128(_mm_cmpeq_epi8(v, SPLAT(0xE0)),
                                           _mm_cmplt_epi8(nx, SPLAT(-96))),
                             _mm_and_si128(_mm_cmpeq_epi8(v, SPLAT(0xED)),
                                           _mm_cmpgt_epi8(nx, SPLAT(-97)))),
                _mm_or_si128(_mm_and_si128(_mm_cmpeq_epi8(v, SPLAT(0xF0)),
                                           _mm_cmplt_epi8(nx, SPLAT(-112))),
                             _mm_and_si128(_mm_cmpeq_epi8(v, SPLAT(0xF4)),
                                           _mm_cmpgt_epi8(nx, SPLAT(-113)))));
            if (MASK(bad) >> shift)
                return 1;
            sp = _mm_or_si128(
                sp, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, SPLAT(0xC2)),
                                              _mm_cmpeq_epi8(v, SPLAT(0xE2))),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, SPLAT(0xE3)),
                                              _mm_cmpeq_epi8(v, SPLAT(0xEF)))));
        }
        for (uint32_t m = MASK(sp) >> shift; m; m &= m - 1)
            if (nt__view_rewrites_at(text, len, i + ctz32(m)))
                return 1;
    }
    if (carry)
        return 1; /* a sequence cut off by the end of the text */
    sv->digit = MASK(digit_acc) != 0;
    sv->at = MASK(at_acc) != 0;
    sv->dot = MASK(dot_acc) != 0;
    sv->long_word = is_long;
    sv->urls = (MASK(cs_acc) && has_scheme_sep(text, len)) || (MASK(ww_acc) && has_www(text, len));
    return 0;
}
#endif

/* ---- jumping to candidates ---------------------------------------------------- */

/* Bytes that can start a number: a digit, '+' or '('. */
static int number_start(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '+' || c == '(';
}

uint64_t nt__number_starts(const char *b, size_t n, size_t at)
{
    uint64_t m = 0;
    size_t k = n - at < 64 ? n - at : 64, j = 0;
#ifdef NT_PREFILTER_SSE2
    for (; j + 16 <= k; j += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(b + at + j));
        __m128i hit = _mm_or_si128(
            _mm_and_si128(_mm_cmpgt_epi8(v, SPLAT('0' - 1)), _mm_cmplt_epi8(v, SPLAT('9' + 1))),
            _mm_or_si128(_mm_cmpeq_epi8(v, SPLAT('+')), _mm_cmpeq_epi8(v, SPLAT('('))));
        m |= (uint64_t)MASK(hit) << j;
    }
    if (j < k && n >= 16) {
        /* the rest: a block ending at the end of b, bits already seen dropped */
        size_t e = at + k - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(b + e));
        __m128i hit = _mm_or_si128(
            _mm_and_si128(_mm_cmpgt_epi8(v, SPLAT('0' - 1)), _mm_cmplt_epi8(v, SPLAT('9' + 1))),
            _mm_or_si128(_mm_cmpeq_epi8(v, SPLAT('+')), _mm_cmpeq_epi8(v, SPLAT('('))));
        m |= ((uint64_t)MASK(hit) >> (at + j - e)) << j;
        j = k;
    }
#endif
    for (; j < k; j++)
        m |= (uint64_t)number_start((unsigned char)b[at + j]) << j;
    return m;
}

/* ---- folded text ------------------------------------------------------------ */

size_t nt__fold_ascii(const char *v, size_t n, char *out, uint32_t *map, uint32_t o)
{
    size_t i = 0;
#ifdef NT_PREFILTER_SSE2
    const __m128i step = _mm_set1_epi32(4);
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(v + i));
        if (MASK(x))
            break;
        __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(x, SPLAT('A' - 1)),
                                      _mm_cmplt_epi8(x, SPLAT('Z' + 1)));
        _mm_storeu_si128((__m128i *)(out + i),
                         _mm_add_epi8(x, _mm_and_si128(upper, SPLAT(0x20))));
        __m128i m = _mm_add_epi32(_mm_set1_epi32((int)(o + (uint32_t)i)), _mm_setr_epi32(0, 1, 2, 3));
        for (size_t k = 0; k < 16; k += 4) {
            _mm_storeu_si128((__m128i *)(void *)(map + i + k), m);
            m = _mm_add_epi32(m, step);
        }
    }
#else
    (void)v;
    (void)n;
    (void)out;
    (void)map;
    (void)o;
#endif
    return i;
}

#ifndef NT_PREFILTER_SSE2
static int word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80;
}
#endif

void nt__word_bits(const char *p, size_t k, uint64_t *word, uint64_t *mark)
{
    uint64_t w = 0, m = 0;
#ifdef NT_PREFILTER_SSE2
    for (size_t j = 0; j < 64; j += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + j));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, SPLAT('0' - 1)),
                                      _mm_cmplt_epi8(x, SPLAT('9' + 1)));
        __m128i lower = _mm_and_si128(_mm_cmpgt_epi8(x, SPLAT('a' - 1)),
                                      _mm_cmplt_epi8(x, SPLAT('z' + 1)));
        __m128i high = _mm_cmplt_epi8(x, _mm_setzero_si128());
        __m128i mk = _mm_or_si128(_mm_cmpeq_epi8(x, SPLAT('$')), _mm_cmpeq_epi8(x, SPLAT('%')));
        w |= (uint64_t)MASK(_mm_or_si128(_mm_or_si128(digit, lower), high)) << j;
        m |= (uint64_t)MASK(mk) << j;
    }
    if (k < 64) {
        w &= ((uint64_t)1 << k) - 1;
        m &= ((uint64_t)1 << k) - 1;
    }
#else
    for (size_t j = 0; j < k; j++) {
        unsigned char c = (unsigned char)p[j];
        w |= (uint64_t)word_byte(c) << j;
        m |= (uint64_t)(c == '$' || c == '%') << j;
    }
#endif
    *word = w;
    *mark = m;
}

int nt__prefilter(const char *text, size_t len, nt__survey *sv)
{
    memset(sv, 0, sizeof *sv);
#ifdef NT_PREFILTER_SSE2
    return prefilter_sse2(text, len, sv);
#else
    return nt__prefilter_ref(text, len, sv);
#endif
}

void nt__survey_bytes(const char *b, size_t n, nt__survey *sv)
{
    /* Only rewritten views come here, and they are rare. */
    nt__survey_ref(b, n, sv);
}
