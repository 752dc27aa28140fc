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
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(NT_NO_AVX2)
#include <immintrin.h>
#define NT_PREFILTER_AVX2 1
#endif
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

/* SSE2, 16 bytes a block. */
#define PF_NAME prefilter_sse2
#define PF_ATTR
#define PF_W 16
#define PF_MIN 20
#define V __m128i
#define LOADU(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define ZERO() _mm_setzero_si128()
#define AND(a, b) _mm_and_si128(a, b)
#define OR(a, b) _mm_or_si128(a, b)
#define EQ(a, b) _mm_cmpeq_epi8(a, b)
#define GT(a, b) _mm_cmpgt_epi8(a, b)
#define LT(a, b) _mm_cmplt_epi8(a, b)
#define NEXT1(v) _mm_srli_si128(v, 1)
#define PREV1(v) _mm_slli_si128(v, 1)
#define PREV2(v) _mm_slli_si128(v, 2)
#define PREV3(v) _mm_slli_si128(v, 3)
#include "indicator/prefilter_simd.h"
#undef PF_NAME
#undef PF_ATTR
#undef PF_W
#undef PF_MIN
#undef V
#undef LOADU
#undef ZERO
#undef AND
#undef OR
#undef EQ
#undef GT
#undef LT
#undef NEXT1
#undef PREV1
#undef PREV2
#undef PREV3

#ifdef NT_PREFILTER_AVX2
/* AVX2, 32 bytes a block, where the processor has it.  (Shifts across the
 * two 128-bit halves go through permute2x128 + alignr.) */
#undef SPLAT
#undef MASK
#define PF_NAME prefilter_avx2
#define PF_ATTR __attribute__((target("avx2")))
#define PF_W 32
#define PF_MIN 35
#define V __m256i
#define SPLAT(c) _mm256_set1_epi8((char)(c))
#define MASK(x) ((uint32_t)_mm256_movemask_epi8(x))
#define LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define ZERO() _mm256_setzero_si256()
#define AND(a, b) _mm256_and_si256(a, b)
#define OR(a, b) _mm256_or_si256(a, b)
#define EQ(a, b) _mm256_cmpeq_epi8(a, b)
#define GT(a, b) _mm256_cmpgt_epi8(a, b)
#define LT(a, b) _mm256_cmpgt_epi8(b, a)
#define NEXT1(v) _mm256_alignr_epi8(_mm256_permute2x128_si256(v, v, 0x81), v, 1)
#define PREV1(v) _mm256_alignr_epi8(v, _mm256_permute2x128_si256(v, v, 0x08), 15)
#define PREV2(v) _mm256_alignr_epi8(v, _mm256_permute2x128_si256(v, v, 0x08), 14)
#define PREV3(v) _mm256_alignr_epi8(v, _mm256_permute2x128_si256(v, v, 0x08), 13)
#include "indicator/prefilter_simd.h"
#undef SPLAT
#undef MASK
#define SPLAT(c) _mm_set1_epi8((char)(c))
#define MASK(x) ((uint32_t)_mm_movemask_epi8(x))
#endif
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

int nt__prefilter_levels(void)
{
#if defined(NT_PREFILTER_AVX2)
    return __builtin_cpu_supports("avx2") ? 2 : 1;
#elif defined(NT_PREFILTER_SSE2)
    return 1;
#else
    return 0;
#endif
}

int nt__prefilter_with(int level, const char *text, size_t len, nt__survey *sv)
{
    memset(sv, 0, sizeof *sv);
#ifdef NT_PREFILTER_AVX2
    if (level >= 2 && len >= 35)
        return prefilter_avx2(text, len, sv);
#endif
#ifdef NT_PREFILTER_SSE2
    if (level >= 1 && len >= 20)
        return prefilter_sse2(text, len, sv);
#endif
    (void)level;
    return nt__prefilter_ref(text, len, sv);
}

int nt__prefilter(const char *text, size_t len, nt__survey *sv)
{
#ifdef NT_PREFILTER_AVX2
    /* __builtin_cpu_supports reads what libgcc/compiler-rt found at start-up */
    if (len >= 35 && __builtin_cpu_supports("avx2")) {
        memset(sv, 0, sizeof *sv);
        return prefilter_avx2(text, len, sv);
    }
#endif
    return nt__prefilter_with(1, text, len, sv);
}

void nt__survey_bytes(const char *b, size_t n, nt__survey *sv)
{
    /* Only rewritten views come here, and they are rare. */
    nt__survey_ref(b, n, sv);
}
