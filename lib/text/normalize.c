/*
 * lib/text/normalize.c - nt_text_normalize: one message in, three forms, their
 * offset maps and the token list out (see include/niemtin/text.h and
 * docs/text.md).
 *
 * The meaning of the output is defined by the stages (stages.c), a pipeline
 * over code points.  This file holds the entry point and the chunk driver,
 * run_message, which walks the message once, one whitespace-separated chunk
 * at a time, and writes the common chunks - plain words, sentence marks,
 * symbol and digit runs - straight to the forms, handing the other chunks
 * to the stages (nt__stages_direct for chunks of ASCII and fast letters,
 * nt__stages for sub-ranges with anything else), with the little state the
 * stages carry from chunk to chunk.  The output is byte for byte what the
 * stages make of the whole message.  In order:
 *
 *   - the word memo: per thread, what a simple word's bytes come out as;
 *   - chunk analysis: quick_aword (the commonest chunk from one 8-byte
 *     load), analyse_simple, direct_ok, analyse_chunk;
 *   - the writer of simple chunks, hot_*: NORM, FOLD, their segments, the
 *     tokens and the carried state in locals; hot_direct replays chunks
 *     remembered by chunkmemo.c or runs nt__stages_direct;
 *   - the driver, run_message, and the public entry points.
 *
 * The result lives in one block (textmap.c); the offset maps of what this
 * file writes are CP and UNI segments (norm_internal.h).
 */
#include "text/norm_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "niemtin/limits.h"

/*
 * Simple chunks.  The stages treat chunks independently, except through
 * state that the driver carries in the context:
 *
 *   - c->boundary: a clause mark or line break before the next token;
 *   - c->last_oe and c->ntok: the space between two tokens maps to the gap;
 *   - c->prev_kind: "500 k" (a unit after a number) is not teencode;
 *   - letters spelled with spaces (stage 3) join one-letter chunks, so a
 *     one-letter chunk is simple only between simple chunks of more than
 *     one letter (or the ends of the message), and any run of them lies
 *     inside one sub-range;
 *   - a grapheme cluster never spans ASCII whitespace, except that a
 *     combining (or invisible) character right after it would join it: a
 *     sub-range that starts with one sends the whole message to the stages.
 *
 * A chunk is simple when it is
 *   - a word of Latin/Vietnamese letters, each a grapheme cluster and NFC on
 *     its own (NT__CI_FASTLET: `chuyển`, `Hello`), that the stages keep as
 *     one token: no run of three letters with the same skeleton (squeezing),
 *     and if it has non-ASCII letters, one Vietnamese syllable (else it would
 *     be re-segmented); optionally followed by a run of one of `. , ; ? :`
 *     or by a single `!`;
 *   - a run of ASCII symbols (each run of one symbol a token);
 *   - a run of ASCII digits (one number).
 * NFC is then the input bytes, NORM the case-folded letters in canonical
 * spelling, FOLD their one-letter ASCII folds.  In strict UTF-8 mode a
 * malformed message goes to the stages whole, so that the first bad byte is
 * the one reported.
 */

#define FAST_WORD_MAX 64

/* FC_AWORD: an ASCII word that canonical spelling leaves as it is (its
 * letters are in[s, s + n), lower-cased); FC_WORD: any other simple word,
 * its NORM and FOLD text in a word memo entry; FC_SYMBOLS, FC_DIGITS: runs
 * of ASCII symbols or digits; FC_DIRECT: any other chunk of ASCII and fast
 * letters, for nt__stages_direct. */
enum { FC_AWORD, FC_WORD, FC_SYMBOLS, FC_DIGITS, FC_DIRECT };

/* Bytes of a memoised word: eight letters (the most a simple word with
 * non-ASCII letters has) of up to three bytes. */
#define WORD_KEY_MAX 24

/* A memoised word: its input bytes (the key, zero-padded), whether it is a
 * simple word and, if so, its NORM and FOLD text and their signature bits
 * for the lexicon's pre-filter (nt__lex_seen_bit). */
typedef struct word_entry {
    uint64_t k[3];
    uint8_t klen;  /* 0: empty slot */
    uint8_t flags; /* WE_* */
    uint8_t n;     /* letters = FOLD bytes */
    uint8_t nb;    /* NORM bytes */
    uint16_t nbit, fbit;
    unsigned char norm[WORD_KEY_MAX];
    unsigned char fold[NT__SYL_MAX];
} word_entry; /* 64 bytes */

#define WE_SIMPLE 1u /* a simple word: norm, fold, nbit, fbit are set */
#define WE_RECENT 2u /* the entry of its set used last */

#define WORD_SETS 2048 /* of two entries: 4096 words, 256 KiB a thread */

_Static_assert(sizeof(word_entry) == 64, "a word memo entry is one cache line");

/* Per thread, a two-way set-associative memo of words (what word_compute
 * makes of a letter sequence is a pure function of its bytes), so that the
 * words a thread sees again and again are decoded, checked, spelled and
 * folded once; a miss replaces the entry of its set used less recently.
 * Entries are 64 bytes, a cache line each.  Allocated on
 * first use and freed when the thread exits; without memory for it, every
 * word is computed. */
typedef word_entry word_set[2];
static _Thread_local word_set *word_memo;
static pthread_key_t word_memo_key;
static pthread_once_t word_memo_once = PTHREAD_ONCE_INIT;
static int word_memo_key_ok;

/* At thread exit: free the memo and forget it (a later call on this thread,
 * from another key's destructor, makes a new one). */
static void word_memo_free(void *m)
{
    if (m == (void *)word_memo)
        word_memo = NULL;
    free(m);
}

static void word_memo_key_init(void)
{
    word_memo_key_ok = pthread_key_create(&word_memo_key, word_memo_free) == 0;
}

/* This thread's memo, created on first use; NULL without memory. */
static word_set *word_memo_get(void)
{
    if (word_memo)
        return word_memo;
    pthread_once(&word_memo_once, word_memo_key_init);
    if (!word_memo_key_ok)
        return NULL;
    word_set *m = aligned_alloc(64, WORD_SETS * sizeof *m);
    if (!m)
        return NULL;
    memset(m, 0, WORD_SETS * sizeof *m);
    if (pthread_setspecific(word_memo_key, m) != 0) {
        free(m);
        return NULL;
    }
    return word_memo = m;
}

/* What analyse found in one chunk. */
typedef struct fchunk {
    int kind;               /* FC_* */
    uint64_t v;             /* FC_AWORD from quick_aword: its bytes from the start (else 0) */
    size_t n;               /* letters of a word */
    size_t pstart;          /* word: end of its letters, start of its trailing symbol run */
    const word_entry *w;    /* FC_WORD */
    word_entry spare;       /* FC_WORD without a memo */
} fchunk;

static inline int is_ws_byte(unsigned char b)
{
    return b <= 0x20 || b == 0x7F;
}

static inline int is_ascii_letter(unsigned char b)
{
    return (unsigned char)((b | 0x20) - 'a') < 26;
}

/* nt__lex_seen_bit of the lower-cased ASCII word in[0..n) (n >= 1), from
 * the input bytes rather than the copy just written. */
static inline size_t aword_seen_bit(const unsigned char *in, size_t n)
{
    uint32_t x = (uint32_t)n * 0x9E3779B1u;
    x ^= (uint32_t)(in[0] | 0x20) | (uint32_t)(in[n - 1] | 0x20) << 8;
    if (n > 1)
        x ^= (uint32_t)(in[1] | 0x20) << 16 | (uint32_t)(in[n - 2] | 0x20) << 24;
    x *= 0x85EBCA6Bu;
    return x >> (32 - 13);
}

/* Symbols that may end a letters-only word without changing how it is
 * read: not leet (so not part of the word run), not a connector, and - for
 * '.' and ':' - no link can come of a word followed only by them. */
static inline int is_trailing_punct(unsigned char b)
{
    return b == '.' || b == ',' || b == ';' || b == '?' || b == ':';
}

/* One letter of a word being analysed. */
typedef struct fletter {
    uint16_t cp; /* its norm letter */
    char skel;   /* the skeleton of that */
} fletter;

/* The letters of the word at in[s, e) (see NT__CI_FASTLET), at most
 * FAST_WORD_MAX; returns where they end.  *ascii: every norm letter is
 * ASCII. */
static size_t fast_letters(const unsigned char *p, size_t s, size_t e, fletter *l, size_t *nl,
                           int *ascii)
{
    const nt__cpinfo *tab = nt__cpinfo_tab;
    size_t i = s, n = 0;
    int a = 1;
    while (i < e && n < FAST_WORD_MAX) {
        const unsigned char b = p[i];
        if (b < 0x80) {
            if (!is_ascii_letter(b))
                break;
            const unsigned char lc = b | 0x20;
            l[n++] = (fletter){lc, (char)lc};
            i++;
            continue;
        }
        /* the table covers U+0080-U+036F (two bytes) and U+1E00-U+1EFF
         * (E1 B8..BB xx); any other sequence is no fast letter */
        long ti;
        size_t k;
        if (b >= 0xC2 && b <= 0xCD && i + 1 < e && (p[i + 1] & 0xC0) == 0x80) {
            ti = ((long)(b & 0x1F) << 6) | (p[i + 1] & 0x3F);
            k = 2;
            if (ti >= 0x370)
                break;
        } else if (b == 0xE1 && i + 2 < e && (p[i + 1] & 0xFC) == 0xB8 &&
                   (p[i + 2] & 0xC0) == 0x80) {
            ti = 0x370 + (((long)(p[i + 1] & 0x03) << 6) | (p[i + 2] & 0x3F));
            k = 3;
        } else {
            break;
        }
        const nt__cpinfo *t = &tab[ti];
        if (!(t->flags & NT__CI_FASTLET))
            break;
        l[n++] = (fletter){t->norm, t->nskel};
        a &= t->norm < 0x80;
        i += k;
    }
    *nl = n;
    *ascii = a;
    return i;
}

/* Is cps[0..n) (norm letters, n <= NT__SYL_MAX) one word token of stage 2,
 * and what is its canonical spelling (rewritten in place)? */
static int syl_analyse(int32_t *cps, size_t n, int ascii)
{
    /* emit_word_ptoks: a word with non-ASCII letters that is not one
     * syllable is split (or at least analysed again) */
    int ol = -1;
    if (!ascii && n > 1 && (ol = nt__viet_onset(cps, n)) < 0)
        return 0;
    /* emit: canonical spelling, which changes an ASCII word only at a final
     * i/y */
    if (!ascii || (n >= 2 && (cps[n - 1] == 'i' || cps[n - 1] == 'y'))) {
        if (ol >= 0)
            nt__viet_canon_known(cps, n, ol);
        else
            nt__viet_canon(cps, n);
    }
    return 1;
}

/* Encode a code point below U+10000 (the letters of the table). */
static inline size_t put_bmp(unsigned char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (unsigned char)(0xC0 | (cp >> 6));
        d[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    d[0] = (unsigned char)(0xE0 | (cp >> 12));
    d[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    d[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
}

/* Fill en (key set by the caller) for the letter sequence in[s, e): does it
 * come out of stages 2 and 4 as one word token - all fast letters, no
 * squeezing, one syllable if it has non-ASCII letters (else it is split) -
 * and with what NORM and FOLD text? */
static void word_compute(const unsigned char *p, size_t s, size_t e, word_entry *en)
{
    fletter l[FAST_WORD_MAX];
    size_t n;
    int ascii;
    en->flags = 0;
    if (fast_letters(p, s, e, l, &n, &ascii) != e || n > NT__SYL_MAX)
        return;
    /* letters_word: three letters with the same skeleton squeeze */
    for (size_t i = 2; i < n; i++) {
        if (l[i].skel == l[i - 1].skel && l[i].skel == l[i - 2].skel)
            return;
    }
    int32_t cps[NT__SYL_MAX];
    for (size_t i = 0; i < n; i++)
        cps[i] = l[i].cp;
    if (!syl_analyse(cps, n, ascii))
        return;
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        const long ti = nt__cpinfo_index(cps[i]);
        if (ti < 0 || cps[i] > 0xFFFF || (en->fold[i] = (unsigned char)nt__cpinfo_tab[ti].fold1) == 0)
            return; /* not a letter of the table: the stages decide */
        nb += put_bmp(en->norm + nb, (uint32_t)cps[i]);
    }
    en->n = (uint8_t)n;
    en->nb = (uint8_t)nb;
    en->nbit = (uint16_t)nt__lex_seen_bit((const char *)en->norm, nb);
    en->fbit = (uint16_t)nt__lex_seen_bit((const char *)en->fold, n);
    en->flags = WE_SIMPLE;
}

/* The memo entry of the letter sequence in[s, s + n) (n <= WORD_KEY_MAX);
 * without a memo, the analysis in *spare. */
static const word_entry *word_lookup(const unsigned char *p, size_t s, size_t n, size_t len,
                                     word_entry *spare)
{
    /* the key: the bytes as little-endian words, zero-padded */
    uint64_t k[3] = {0, 0, 0};
    for (size_t i = 0; 8 * i < n; i++) {
        const size_t at = s + 8 * i, have = n - 8 * i < 8 ? n - 8 * i : 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (at + 8 <= len) { /* a whole word, the bytes past the key masked off */
            memcpy(&k[i], p + at, 8);
            if (have < 8)
                k[i] &= ~(uint64_t)0 >> (64 - 8 * have);
            continue;
        }
#endif
        for (size_t j = 0; j < have; j++)
            k[i] |= (uint64_t)p[at + j] << (8 * j);
    }
    (void)len;
    uint64_t h = (k[0] + n) * 0x9E3779B97F4A7C15u;
    if (n > 8)
        h ^= (k[1] * 0xC2B2AE3D27D4EB4Fu) ^ (k[2] * 0x165667B19E3779F9u);
    h ^= h >> 29;
    word_set *memo = word_memo_get();
    if (!memo) {
        spare->klen = (uint8_t)n;
        word_compute(p, s, s + n, spare);
        return spare;
    }
    word_entry *set = memo[(h >> 32) & (WORD_SETS - 1)];
    int w = 0;
    for (; w < 2; w++) {
        const word_entry *en = &set[w];
        if (en->klen == n && en->k[0] == k[0] && en->k[1] == k[1] && en->k[2] == k[2])
            break;
    }
    if (w == 2) { /* a miss: the entry used less recently goes */
        w = set[0].flags & WE_RECENT ? 1 : 0;
        word_entry *en = &set[w];
        memcpy(en->k, k, sizeof k);
        en->klen = (uint8_t)n;
        word_compute(p, s, s + n, en);
    }
    set[w].flags |= WE_RECENT;
    set[1 - w].flags &= (uint8_t)~WE_RECENT;
    return &set[w];
}

/* The end of the chunk that has a non-whitespace byte at i. */
static size_t chunk_end(const unsigned char *p, size_t len, size_t i)
{
    /* Skip eight bytes at a time while none can be whitespace: the usual
     * "some byte below 0x21" and "some byte equal to 0x7F" word tests (they
     * may also fire without one; the byte loop then decides). */
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        const uint64_t z = x ^ (0x7F * ones);
        if ((((x - 0x21 * ones) & ~x) | ((z - ones) & ~z)) & high)
            break;
        i += 8;
    }
    while (i < len && !is_ws_byte(p[i]))
        i++;
    return i;
}

/* The end of a simple word's chunk at w (just past its letters): a run of
 * one trailing mark or a single '!' may follow (letters_punct_chunk; a leet
 * '!' at the edge of a word stays a symbol).  Returns the chunk's end, or 0
 * when the chunk is not simple (*e then gets its end). */
static size_t word_chunk_end(const unsigned char *p, size_t len, size_t w, size_t *e)
{
    if (w == len || is_ws_byte(p[w]))
        return w;
    const unsigned char m = p[w];
    size_t r = w + 1;
    if (m != '!') {
        if (!is_trailing_punct(m)) {
            *e = chunk_end(p, len, r);
            return 0;
        }
        while (r < len && p[r] == m)
            r++;
    }
    if (r < len && !is_ws_byte(p[r])) {
        *e = chunk_end(p, len, r);
        return 0;
    }
    return r;
}

/* The commonest chunks, looked at in one 8-byte word: an ASCII word of two
 * to seven letters that squeezing and canonical spelling leave as it is (no
 * three letters alike, no final i/y), followed by whitespace or by one of
 * `. , ; ? : !` and whitespace (or the end) - an FC_AWORD.  Returns its
 * number of letters and sets *e to the chunk's end, or returns 0 when it is
 * not such a chunk: analyse_chunk then decides.  Near the end of the
 * message the word is taken from `tail`, the last eight bytes (or fewer,
 * zero-padded): a zero past the end reads as whitespace, as the end does. */
static inline size_t quick_aword(const unsigned char *p, size_t len, size_t s, uint64_t tail,
                                 size_t *e, uint64_t *vout)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t v;
    if (s + 8 <= len)
        memcpy(&v, p + s, 8);
    else
        v = tail >> (8 * (s - (len < 8 ? 0 : len - 8)));
    /* lower-cased, seven bits: a letter is 0x61..0x7A (no carry leaves a byte) */
    const uint64_t y = (v | 0x2020202020202020u) & 0x7F7F7F7F7F7F7F7Fu;
    const uint64_t letter = (y + 0x1F * ones) & ~(y + 0x05 * ones) & ~v & high;
    const uint64_t other = ~letter & high;
    if (!other)
        return 0;
    const unsigned k = (unsigned)__builtin_ctzll(other) >> 3; /* letters before it */
    if (k < 2)
        return 0;
    const unsigned char b = (unsigned char)(v >> (8 * k));
    size_t end = s + k;
    if (!is_ws_byte(b)) {
        /* letters_punct_chunk with a run of one mark, or a lone '!' */
        if (k > 6 || !(is_trailing_punct(b) || b == '!'))
            return 0;
        if (!is_ws_byte((unsigned char)(v >> (8 * (k + 1)))))
            return 0;
        end++;
    }
    /* three alike at i, i+1, i+2 for some i + 2 < k: a zero byte of
     * (y ^ y>>8) | (y ^ y>>16) below byte k - 2 (a borrow only carries a
     * false zero upwards from a true one, so the masked test is exact) */
    const uint64_t z = (y ^ (y >> 8)) | (y ^ (y >> 16));
    const uint64_t zero = (z - ones) & ~z & high;
    if (k >= 3 && (zero & ((UINT64_C(1) << (8 * (k - 2))) - 1)))
        return 0;
    const unsigned char last = (unsigned char)(y >> (8 * (k - 1)));
    if (last == 'i' || last == 'y')
        return 0;
    *e = end;
    *vout = v;
    return k;
#else
    (void)p;
    (void)len;
    (void)s;
    (void)tail;
    (void)e;
    (void)vout;
    return 0;
#endif
}

/* The `tail` of quick_aword for in[0, len). */
static uint64_t message_tail(const unsigned char *p, size_t len)
{
    uint64_t t = 0;
    if (len >= 8)
        memcpy(&t, p + len - 8, 8);
    else
        for (size_t i = 0; i < len; i++)
            t |= (uint64_t)p[i] << (8 * i);
    return t;
}

/* Can the chunk in[s, e) go to nt__stages_direct: is every code point ASCII
 * or a fast letter, and can it not come out as one letter alone (only
 * letters, all with one skeleton, may squeeze to one: "aaa")? */
static int direct_ok(const unsigned char *p, size_t s, size_t e)
{
    const nt__cpinfo *tab = nt__cpinfo_tab;
    int letters = 1;
    char skel = 0;
    for (size_t i = s; i < e;) {
        const unsigned char b = p[i];
        char k;
        if (b < 0x80) {
            k = is_ascii_letter(b) ? (char)(b | 0x20) : 0;
            i++;
        } else {
            long ti;
            if (b >= 0xC2 && b <= 0xCD && i + 1 < e && (p[i + 1] & 0xC0) == 0x80) {
                ti = ((long)(b & 0x1F) << 6) | (p[i + 1] & 0x3F);
                if (ti >= 0x370)
                    return 0;
                i += 2;
            } else if (b == 0xE1 && i + 2 < e && (p[i + 1] & 0xFC) == 0xB8 &&
                       (p[i + 2] & 0xC0) == 0x80) {
                ti = 0x370 + (((long)(p[i + 1] & 0x03) << 6) | (p[i + 2] & 0x3F));
                i += 3;
            } else {
                return 0;
            }
            if (!(tab[ti].flags & NT__CI_FASTLET))
                return 0;
            k = tab[ti].nskel;
        }
        if (!k || (skel && k != skel))
            letters = 0;
        skel = k;
    }
    return !letters;
}

/* The end of the run from s of ASCII letters and bytes >= 0x80 (the
 * letters of a word, if they are letters); *high: whether it has any such
 * byte. */
static size_t scan_letters(const unsigned char *p, size_t s, size_t len, unsigned *high)
{
    size_t x = s;
    unsigned h = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* eight bytes at a time, as in quick_aword */
    const uint64_t ones = 0x0101010101010101u, hb = 0x8080808080808080u;
    while (x + 8 <= len) {
        uint64_t v;
        memcpy(&v, p + x, 8);
        const uint64_t y = (v | 0x2020202020202020u) & 0x7F7F7F7F7F7F7F7Fu;
        const uint64_t letter = (y + 0x1F * ones) & ~(y + 0x05 * ones) & ~v & hb;
        const uint64_t stop = ~(letter | (v & hb)) & hb;
        if (stop) {
            const unsigned k = (unsigned)__builtin_ctzll(stop) >> 3;
            *high = h | ((v & hb & ((UINT64_C(1) << (8 * k)) - 1)) != 0);
            return x + k;
        }
        h |= (v & hb) != 0;
        x += 8;
    }
#endif
    while (x < len) {
        const unsigned char b = p[x];
        if (b >= 0x80)
            h = 1;
        else if (!is_ascii_letter(b))
            break;
        x++;
    }
    *high = h;
    return x;
}

/* The chunk starting at s (a non-whitespace byte): is it simple, and how?
 * Fills f and *e (the chunk's end); 0 when the stages must handle it.
 * Saying 0 is always safe: the stages make the same of any chunk. */
static int analyse_simple(const unsigned char *p, size_t len, size_t s, fchunk *f, size_t *e)
{
    /* the letters of a word, and any other bytes that are not ASCII */
    unsigned high;
    const size_t x = scan_letters(p, s, len, &high);
    const size_t n = x - s;
    if (n > 0) {
        const size_t r = word_chunk_end(p, len, x, e);
        if (r == 0)
            return 0;
        *e = r;
        f->pstart = x;
        if (!high) {
            if (n > FAST_WORD_MAX)
                return 0;
            /* letters_word: three letters alike squeeze */
            for (size_t i = s + 2; i < x; i++) {
                const unsigned char k = p[i] | 0x20;
                if (k == (p[i - 1] | 0x20) && k == (p[i - 2] | 0x20))
                    return 0;
            }
            const unsigned char last = p[x - 1] | 0x20;
            if (n < 2 || n > NT__SYL_MAX || (last != 'i' && last != 'y')) {
                f->kind = FC_AWORD; /* canonical spelling changes only a final i/y */
                f->n = n;
                f->v = 0;
                return 1;
            }
        } else if (n > WORD_KEY_MAX) {
            return 0; /* more than eight letters with non-ASCII ones: split */
        }
        const word_entry *w = word_lookup(p, s, n, len, &f->spare);
        if (!(w->flags & WE_SIMPLE))
            return 0;
        f->kind = FC_WORD;
        f->w = w;
        f->n = w->n;
        return 1;
    }
    /* ASCII symbols only: no word, no link, runs of one symbol; or ASCII
     * digits only: one number */
    unsigned sym = 1, dig = 1;
    size_t r = s;
    for (; r < len && !is_ws_byte(p[r]); r++) {
        const unsigned char b = p[r];
        if (b >= 0x80) {
            *e = chunk_end(p, len, r);
            return 0;
        }
        const int k = nt__cpinfo_tab[b].cls;
        sym &= k == NT__C_SYM;
        dig &= k == NT__C_DIGIT;
    }
    *e = r;
    if (sym) {
        f->kind = FC_SYMBOLS;
        return 1;
    }
    if (dig) {
        f->kind = FC_DIGITS;
        return 1;
    }
    return 0;
}

/* analyse_simple, and for a chunk that is not simple whether it can go to
 * nt__stages_direct (FC_DIRECT). */
static int analyse_chunk(const unsigned char *p, size_t len, size_t s, fchunk *f, size_t *e)
{
    if (analyse_simple(p, len, s, f, e))
        return 1;
    if (!direct_ok(p, s, *e))
        return 0;
    f->kind = FC_DIRECT;
    return 1;
}

/* ---- writing simple chunks ---- */

/* Input bytes [s, e) that go to NFC unchanged (whitespace and simple
 * chunks): a CP segment. */
static nt_err nfc_copy(nt__ctx *c, size_t s, size_t e)
{
    nt__form *f = &c->f[NT_FORM_NFC];
    nt_err rc;
    if (s == e)
        return NT_OK;
    if (f->len + (e - s) + 4 >= f->toobig) {
        /* at the form's byte limit: code point by code point, failing where
         * a write would (never reached: NFC is not longer than the input
         * here) */
        for (size_t i = s; i < e;) {
            int32_t cp;
            const size_t n = nt__utf8_decode(c->in + i, e - i, &cp);
            if (n == 0)
                return NT_ERR_INTERNAL;
            if ((rc = nt__form_put_exp(c, f, cp, (uint32_t)i, (uint32_t)(i + n))) != NT_OK)
                return rc;
            i += n;
        }
        return NT_OK;
    }
    if ((rc = nt__form_room(c, f, e - s, 1)) != NT_OK)
        return rc;
    nt__map_cp(f, (uint32_t)s, f->len);
    memcpy(f->d + f->len, c->in + s, e - s);
    f->len += e - s;
    f->cp_next = (uint32_t)e;
    return NT_OK;
}

/*
 * The writer of simple chunks keeps what it touches - NORM and FOLD with
 * their segments, the token array, the carried state - in a local `hot`
 * copy of the context while it writes a stretch of simple chunks, and
 * writes it back (hot_store) before anything else reads or writes the
 * context.  NORM and FOLD get the same segments, in step.
 */
/* The hot state stays in registers (or the compiler's own stack slots) only
 * if every function given its address is inlined. */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

typedef struct hot {
    unsigned char *nd, *fd; /* NORM and FOLD bytes */
    size_t nl, fl, ncap, fcap;
    nt__seg *ns, *fs; /* their segments */
    size_t nn, fn, ncs, fcs;
    uint32_t ncp, fcp; /* cp_next of each */
    size_t nlim, flim; /* last segment CP: the form offset it may run to, else 0 */
    nt_token *tok;
    size_t ntok, ctok;
    uint32_t last_oe;
    int prev_kind, boundary;
    size_t nfc_delta; /* input offset q is at NFC offset q + nfc_delta */
} hot;

/* The hot copy of c (all but nfc_delta, which only the driver changes). */
HOT void hot_load(hot *h, const nt__ctx *c)
{
    const nt__form *nf = &c->f[NT_FORM_NORM], *ff = &c->f[NT_FORM_FOLD];
    h->nd = (unsigned char *)nf->d;
    h->fd = (unsigned char *)ff->d;
    h->nl = nf->len;
    h->fl = ff->len;
    h->ncap = nf->cap;
    h->fcap = ff->cap;
    h->ns = nf->seg;
    h->fs = ff->seg;
    h->nn = nf->nseg;
    h->fn = ff->nseg;
    h->ncs = nf->cseg;
    h->fcs = ff->cseg;
    h->ncp = nf->cp_next;
    h->fcp = ff->cp_next;
    h->nlim = h->nn && h->ns[h->nn - 1].kind == NT__SEG_CP ? h->ns[h->nn - 1].fs + NT__SEG_CP_MAX : 0;
    h->flim = h->fn && h->fs[h->fn - 1].kind == NT__SEG_CP ? h->fs[h->fn - 1].fs + NT__SEG_CP_MAX : 0;
    h->tok = c->tok;
    h->ntok = c->ntok;
    h->ctok = c->ctok;
    h->last_oe = c->last_oe;
    h->prev_kind = c->prev_kind;
    h->boundary = c->boundary;
}

HOT void hot_store(const hot *h, nt__ctx *c)
{
    nt__form *nf = &c->f[NT_FORM_NORM], *ff = &c->f[NT_FORM_FOLD];
    nf->len = h->nl;
    ff->len = h->fl;
    nf->nseg = h->nn;
    ff->nseg = h->fn;
    nf->cp_next = h->ncp;
    ff->cp_next = h->fcp;
    c->ntok = h->ntok;
    c->last_oe = h->last_oe;
    c->prev_kind = h->prev_kind;
    c->boundary = h->boundary;
}

/* What the tokens of the simple chunk [s, e) may take at most: bytes of
 * NORM and of FOLD (a space before each token, three bytes a letter, and a
 * memo entry's worth to spare), segments of each (a UNI and a CP a token),
 * tokens. */
typedef struct need {
    size_t bytes, segs, toks;
} need;

static inline need chunk_need(const fchunk *f, size_t s, size_t e)
{
    if (f->kind == FC_DIRECT) /* written through the context */
        return (need){0, 0, 0};
    if (f->kind == FC_SYMBOLS)
        return (need){2 * (e - s) + 1, 2 * (e - s), e - s};
    if (f->kind == FC_DIGITS)
        return (need){e - s + 2, 2, 1};
    if (f->kind == FC_AWORD) /* letters stored eight at a time */
        return (need){f->n + 10 + (e - f->pstart), 4, 2};
    return (need){3 * f->n + 2 + (e - f->pstart) + WORD_KEY_MAX, 4, 2};
}

HOT int hot_room(const hot *h, need d)
{
    return h->nl + d.bytes < h->ncap && h->fl + d.bytes < h->fcap && h->nn + d.segs <= h->ncs &&
           h->fn + d.segs <= h->fcs && h->ntok + d.toks <= h->ctok;
}

/* Make that room in the context (h stored before, loaded after). */
static nt_err ctx_room(nt__ctx *c, need d)
{
    nt_err rc;
    for (int k = NT_FORM_NORM; k <= NT_FORM_FOLD; k++) {
        if ((rc = nt__form_room(c, &c->f[k], d.bytes, d.segs)) != NT_OK)
            return rc;
    }
    return NT__GROW(c, c->tok, c->ctok, c->ntok + d.toks);
}

/* The next bytes of a form map as a CP segment from input offset `in`
 * (NFC offset nfc): the last one goes on if it reached exactly `in`. */
HOT void hot_map_cp(nt__seg *seg, size_t *nseg, size_t len, size_t *lim, uint32_t cp_next,
                    uint32_t in, size_t nfc)
{
    if (cp_next == in && len < *lim)
        return;
    nt__seg *sg = &seg[(*nseg)++];
    sg->fs = len;
    sg->ref = nfc;
    sg->a = in;
    sg->b = 0;
    sg->kind = NT__SEG_CP;
    *lim = len + NT__SEG_CP_MAX;
}

/* The separator space [a, b) in one form: it continues a CP segment that
 * reached a when the gap is one byte (the NFC form holds that whitespace
 * byte verbatim), else maps as UNI (see space_in in stages.c). */
HOT void hot_space1(unsigned char *d, size_t *len, nt__seg *seg, size_t *nseg, uint32_t *cp_next,
                    size_t *lim, uint32_t a, uint32_t b)
{
    if (*cp_next == a && b == a + 1 && *len < *lim) {
        *cp_next = b;
    } else {
        nt__seg *l = &seg[(*nseg)++];
        l->fs = *len;
        l->ref = 0;
        l->a = a;
        l->b = b;
        l->kind = NT__SEG_UNI;
        *lim = 0;
    }
    d[(*len)++] = ' ';
}

/* The separator space before a token at input offset os. */
HOT void hot_space(hot *h, uint32_t os)
{
    const uint32_t a = h->last_oe, b = os >= a ? os : a;
    hot_space1(h->nd, &h->nl, h->ns, &h->nn, &h->ncp, &h->nlim, a, b);
    hot_space1(h->fd, &h->fl, h->fs, &h->fn, &h->fcp, &h->flim, a, b);
}

/* Append a token record whose text ends where the forms end; past the
 * byte limit after it: NT_ERR_TOO_BIG, as in emit() (a write that would
 * have failed on the way leaves the forms longer still, so this one check
 * decides the same). */
HOT nt_err hot_token(const nt__ctx *c, hot *h, size_t start, size_t fstart, uint32_t os,
                               uint32_t oe, uint16_t kind, uint16_t flags)
{
    nt_token *tk = &h->tok[h->ntok++];
    tk->start = (uint32_t)start;
    tk->end = (uint32_t)h->nl;
    tk->fstart = (uint32_t)fstart;
    tk->fend = (uint32_t)h->fl;
    tk->ostart = os;
    tk->oend = oe;
    tk->kind = kind;
    tk->flags = flags;
    h->last_oe = oe;
    h->prev_kind = kind;
    return h->nl > c->form_limit || h->fl > c->form_limit ? NT_ERR_TOO_BIG : NT_OK;
}

/* The boundary flag for the next pre-token, consumed. */
HOT uint16_t hot_boundary(hot *h)
{
    const uint16_t fl = h->boundary ? NT_TOKF_BOUNDARY : 0;
    h->boundary = 0;
    return fl;
}

/* A token of ASCII bytes in[s, e) that NORM and FOLD keep as they are. */
HOT nt_err hot_ascii(const nt__ctx *c, hot *h, size_t s, size_t e, uint16_t kind)
{
    const uint16_t flags = hot_boundary(h);
    if (h->ntok > 0)
        hot_space(h, (uint32_t)s);
    const size_t start = h->nl, fstart = h->fl, nfc = s + h->nfc_delta;
    hot_map_cp(h->ns, &h->nn, h->nl, &h->nlim, h->ncp, (uint32_t)s, nfc);
    hot_map_cp(h->fs, &h->fn, h->fl, &h->flim, h->fcp, (uint32_t)s, nfc);
    for (size_t i = s; i < e; i++)
        h->nd[h->nl++] = h->fd[h->fl++] = c->in[i];
    h->ncp = h->fcp = (uint32_t)e;
    return hot_token(c, h, start, fstart, (uint32_t)s, (uint32_t)e, kind, flags);
}

/* The teencode expansion of a simple word (letters n, NORM text nd[0..nb),
 * FOLD text fd[0..n), its memo entry w or NULL for an ASCII word at in),
 * or NULL (see teencode()). */
static const char *word_teencode(const nt__ctx *c, const word_entry *w, const unsigned char *in,
                                 const unsigned char *nd, size_t nb, const unsigned char *fd,
                                 size_t n, int prev_kind)
{
    const char *exp = NULL;
    if (nb == n) { /* ASCII: NORM = FOLD, one signature for both filters */
        const size_t b = w ? w->nbit : aword_seen_bit(in, n);
        if ((c->lexf[b / 64] >> (b % 64)) & 1)
            exp = nt__lexicon_find_plain(c->lex, (const char *)nd, n);
    } else {
        const size_t b = w->nbit, g = w->fbit;
        if (((c->lexn[b / 64] >> (b % 64)) & 1) || ((c->lexfo[g / 64] >> (g % 64)) & 1))
            exp = nt__lexicon_find_unfiltered(c->lex, (const char *)nd, nb, (const char *)fd, n);
    }
    if (exp && prev_kind == NT_TOK_NUMBER) {
        /* "500 k" is an amount, not "500 không" */
        nt__unit u[16];
        size_t k = 0;
        for (size_t i = 0; i < nb && k < 16; k++) {
            int32_t cp = 0;
            const size_t m = nt__utf8_decode(nd + i, nb - i, &cp);
            if (m == 0)
                break; /* cannot happen: the memo holds valid UTF-8 */
            u[k] = (nt__unit){cp, 0, 0, 0};
            i += m;
        }
        if (nt__is_amount_unit(u, k))
            exp = NULL;
    }
    return exp;
}

/* Emit the simple word of f at in[s...] as emit() would: the word or its
 * teencode expansion (written through the context). */
HOT nt_err hot_word(nt__ctx *c, hot *h, const fchunk *f, size_t s)
{
    const size_t n = f->n;
    const uint32_t os = (uint32_t)s, oe = (uint32_t)f->pstart;
    const uint16_t flags = hot_boundary(h);
    /* what to undo if the word is a teencode key */
    const size_t nl0 = h->nl, fl0 = h->fl, nn0 = h->nn, fn0 = h->fn, nlim0 = h->nlim, flim0 = h->flim;
    const uint32_t ncp0 = h->ncp, fcp0 = h->fcp;
    if (h->ntok > 0)
        hot_space(h, os);
    const size_t start = h->nl, fstart = h->fl, nfc = s + h->nfc_delta;
    hot_map_cp(h->ns, &h->nn, h->nl, &h->nlim, h->ncp, os, nfc);
    hot_map_cp(h->fs, &h->fn, h->fl, &h->flim, h->fcp, os, nfc);
    unsigned char *restrict nd = h->nd + start;
    unsigned char *restrict fd = h->fd + fstart;
    if (f->kind == FC_AWORD && f->v) {
        /* the word (two to seven letters) and what follows it, lower-cased
         * by OR 0x20 in one store each: the bytes past it are room to spare */
        const uint64_t x = f->v | 0x2020202020202020u;
        memcpy(nd, &x, 8);
        memcpy(fd, &x, 8);
        h->nl += n;
    } else if (f->kind == FC_AWORD) {
        /* letters only: OR 0x20 lower-cases them, eight at a time */
        const unsigned char *in = c->in + s;
        const uint64_t lower = 0x2020202020202020u;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t x;
            memcpy(&x, in + i, 8);
            x |= lower;
            memcpy(nd + i, &x, 8);
            memcpy(fd + i, &x, 8);
        }
        for (; i < n; i++)
            nd[i] = fd[i] = in[i] | 0x20;
        h->nl += n;
    } else { /* from the memo: room for WORD_KEY_MAX bytes */
        memcpy(nd, f->w->norm, WORD_KEY_MAX);
        memcpy(fd, f->w->fold, NT__SYL_MAX);
        h->nl += f->w->nb;
    }
    h->fl += n;
    h->ncp = h->fcp = oe;
    if (c->lex && n <= 16) {
        const char *exp = NULL;
        if (f->kind == FC_AWORD && f->v) {
            /* nt__lex_seen_bit of the lower-cased word, from the register */
            const uint64_t x = f->v | 0x2020202020202020u;
            uint32_t sig = (uint32_t)n * 0x9E3779B1u;
            sig ^= (uint32_t)(x & 0xFF) | (uint32_t)((x >> (8 * (n - 1))) & 0xFF) << 8;
            sig ^= (uint32_t)((x >> 8) & 0xFF) << 16 | (uint32_t)((x >> (8 * (n - 2))) & 0xFF) << 24;
            sig *= 0x85EBCA6Bu;
            const uint32_t b = sig >> (32 - 13);
            if ((c->lexf[b / 64] >> (b % 64)) & 1)
                exp = word_teencode(c, NULL, c->in + s, nd, h->nl - start, fd, n, h->prev_kind);
        } else {
            exp = word_teencode(c, f->kind == FC_WORD ? f->w : NULL, c->in + s, nd, h->nl - start, fd,
                                n, h->prev_kind);
        }
        if (exp) {
            h->nl = nl0;
            h->fl = fl0;
            h->nn = nn0;
            h->fn = fn0;
            h->ncp = ncp0;
            h->fcp = fcp0;
            h->nlim = nlim0;
            h->flim = flim0;
            hot_store(h, c);
            const nt_err rc = nt__emit_expansion(c, exp, os, oe, flags, &c->last_oe);
            c->prev_kind = NT_TOK_WORD;
            hot_load(h, c);
            return rc;
        }
    }
    return hot_token(c, h, start, fstart, os, oe, NT_TOK_WORD, flags);
}

/* Replay the remembered chunk at in[s...] (see chunkmemo.c); room checked
 * by the caller. */
static nt_err hot_replay(nt__ctx *c, hot *h, const unsigned char *q, const nt__memo_chunk *mc,
                         size_t s)
{
    nt_err rc;
    for (size_t k = 0; k < mc->ntok; k++) {
        nt__memo_view v;
        q = nt__chunk_memo_tok(q, &v);
        const uint32_t os = (uint32_t)s + v.t.os, oe = (uint32_t)s + v.t.oe;
        const uint16_t flags = v.t.flags | (k == 0 ? hot_boundary(h) : 0);
        if (h->ntok > 0)
            hot_space(h, os);
        const size_t start = h->nl, fstart = h->fl;
        if (v.t.mode == NT__MT_EXP) {
            hot_store(h, c);
            if ((rc = nt__form_put_exp_rel(c, &c->f[NT_FORM_NORM], v.norm, v.nmap, v.t.nlen,
                                           (uint32_t)s)) != NT_OK ||
                (rc = nt__form_put_exp_rel(c, &c->f[NT_FORM_FOLD], v.fold, v.fmap, v.t.flen,
                                           (uint32_t)s)) != NT_OK)
                return rc;
            hot_load(h, c);
        } else {
            if (v.t.mode == NT__MT_CP) {
                const size_t nfc = os + h->nfc_delta;
                hot_map_cp(h->ns, &h->nn, h->nl, &h->nlim, h->ncp, os, nfc);
                hot_map_cp(h->fs, &h->fn, h->fl, &h->flim, h->fcp, os, nfc);
                h->ncp = h->fcp = oe;
            } else { /* UNI */
                for (int f = 0; f < 2; f++) {
                    nt__seg *sg = f ? &h->fs[h->fn++] : &h->ns[h->nn++];
                    sg->fs = f ? h->fl : h->nl;
                    sg->ref = 0;
                    sg->a = os;
                    sg->b = oe;
                    sg->kind = NT__SEG_UNI;
                }
                h->nlim = h->flim = 0;
            }
            memcpy(h->nd + h->nl, v.norm, v.t.nlen);
            memcpy(h->fd + h->fl, v.fold, v.t.flen);
            h->nl += v.t.nlen;
            h->fl += v.t.flen;
        }
        nt_token *tk = &h->tok[h->ntok++];
        tk->start = (uint32_t)start;
        tk->end = (uint32_t)h->nl;
        tk->fstart = (uint32_t)fstart;
        tk->fend = (uint32_t)h->fl;
        tk->ostart = os;
        tk->oend = oe;
        tk->kind = v.t.kind;
        tk->flags = flags;
        h->last_oe = oe;
    }
    h->boundary = mc->boundary;
    h->prev_kind = mc->prev_kind;
    h->last_oe = (uint32_t)s + mc->last_oe;
    return NT_OK;
}

/* A chunk for nt__stages_direct: replayed from the memo when this thread
 * wrote it in the same state before (and the forms are clear of their byte
 * limit, so that no check of the stages could fire), else written by the
 * stages and remembered. */
static nt_err hot_direct(nt__ctx *c, hot *h, size_t s, size_t e)
{
    nt_err rc;
    const unsigned state = (c->flags & NT_TEXT_NO_DEOBFUSCATE ? 0 : 1) |
                           (h->prev_kind == NT_TOK_NUMBER ? 2 : 0);
    const uint64_t lexid = nt__lexicon_id(c->lex);
    const uint64_t hash = nt__chunk_memo_hash(c->in + s, e - s, lexid, state);
    nt__memo_chunk mc;
    const unsigned char *q = nt__chunk_memo_find(hash, c->in + s, e - s, lexid, state, &mc);
    if (q && h->nl + mc.nsum + mc.ntok <= c->form_limit &&
        h->fl + mc.fsum + mc.ntok <= c->form_limit) {
        const need d = {(mc.nsum > mc.fsum ? mc.nsum : mc.fsum) + mc.ntok + 1, 2 * mc.ntok,
                        mc.ntok};
        if (!hot_room(h, d)) {
            hot_store(h, c);
            if ((rc = ctx_room(c, d)) != NT_OK)
                return rc;
            hot_load(h, c);
        }
        return hot_replay(c, h, q, &mc, s);
    }
    const int boundary_in = h->boundary != 0;
    const size_t ntok0 = h->ntok;
    hot_store(h, c);
    rc = nt__stages_direct(c, s, e, h->nfc_delta);
    if (rc == NT_OK)
        nt__chunk_memo_remember(c, hash, lexid, state, s, e, ntok0, boundary_in);
    hot_load(h, c);
    return rc;
}

/* Emit the simple chunk [s, e) (its tokens: NFC is copied later); room
 * checked by the caller (hot_room). */
HOT nt_err hot_emit(nt__ctx *c, hot *h, const fchunk *f, size_t s, size_t e)
{
    nt_err rc;
    const unsigned char *p = c->in;
    if (f->kind == FC_WORD || f->kind == FC_AWORD) {
        if ((rc = hot_word(c, h, f, s)) != NT_OK)
            return rc;
        if (f->pstart < e) {
            const need d = {e - f->pstart + 1, 2, 1};
            if (!hot_room(h, d)) { /* an expansion may have used it */
                hot_store(h, c);
                if ((rc = ctx_room(c, d)) != NT_OK)
                    return rc;
                hot_load(h, c);
            }
            if ((rc = hot_ascii(c, h, f->pstart, e, NT_TOK_PUNCT)) != NT_OK)
                return rc;
            if (nt__is_clause_punct(p[f->pstart]))
                h->boundary = 1;
        }
        return NT_OK;
    }
    if (f->kind == FC_DIGITS)
        return hot_ascii(c, h, s, e, NT_TOK_NUMBER);
    if (f->kind == FC_DIRECT)
        return hot_direct(c, h, s, e);
    for (size_t i = s; i < e;) { /* FC_SYMBOLS: runs of one symbol */
        size_t j = i + 1;
        while (j < e && p[j] == p[i])
            j++;
        if ((rc = hot_ascii(c, h, i, j, NT_TOK_PUNCT)) != NT_OK)
            return rc;
        if (nt__is_clause_punct(p[i]))
            h->boundary = 1;
        i = j;
    }
    return NT_OK;
}

/* ---- the driver ---- */

/* Can the stages start at s (after ASCII whitespace) as if the whole message
 * had been given to them: does the first code point begin a grapheme cluster
 * of its own, and is it not an invisible character that stage 1 drops? */
static int clean_start(const nt__ctx *c, size_t s, size_t e)
{
    int32_t cp;
    if (c->in[s] < 0x80)
        return 1;
    if (nt__utf8_decode(c->in + s, e - s, &cp) == 0)
        return 1; /* U+FFFD: grapheme-break class Other */
    const long ti = nt__cpinfo_index(cp);
    if (ti >= 0)
        return (nt__cpinfo_tab[ti].flags & (NT__CI_BC_OTHER | NT__CI_INVISIBLE)) == NT__CI_BC_OTHER;
    const utf8proc_property_t *pr = utf8proc_get_property(cp);
    if (pr->ignorable || pr->category == UTF8PROC_CATEGORY_CF)
        return 0;
    return pr->boundclass != UTF8PROC_BOUNDCLASS_EXTEND &&
           pr->boundclass != UTF8PROC_BOUNDCLASS_ZWJ &&
           pr->boundclass != UTF8PROC_BOUNDCLASS_SPACINGMARK;
}

/* The state a speculatively written chunk is undone to. */
typedef struct checkpoint {
    size_t len[NT_FORM_COUNT], nseg[NT_FORM_COUNT];
    uint32_t cp_next[NT_FORM_COUNT];
    size_t ntok;
    int boundary, prev_kind;
    uint32_t last_oe;
} checkpoint;

static void save(const nt__ctx *c, checkpoint *k)
{
    for (int f = NT_FORM_NORM; f <= NT_FORM_FOLD; f++) {
        k->len[f] = c->f[f].len;
        k->nseg[f] = c->f[f].nseg;
        k->cp_next[f] = c->f[f].cp_next;
    }
    k->ntok = c->ntok;
    k->boundary = c->boundary;
    k->prev_kind = c->prev_kind;
    k->last_oe = c->last_oe;
}

static void undo(nt__ctx *c, const checkpoint *k)
{
    for (int f = NT_FORM_NORM; f <= NT_FORM_FOLD; f++) {
        c->f[f].len = k->len[f];
        c->f[f].nseg = k->nseg[f];
        c->f[f].cp_next = k->cp_next[f];
    }
    c->ntok = k->ntok;
    c->boundary = k->boundary;
    c->prev_kind = k->prev_kind;
    c->last_oe = k->last_oe;
}

/*
 * The whole message, chunk by chunk: simple chunks by hot_emit, runs of
 * other chunks by the stages.  NFC is written lazily: the input up to
 * `done` is in it, and the bytes from there to the next run of the stages
 * (or the end) go in verbatim, so a token's NFC offset is known before.
 *
 * A one-letter chunk is simple only if no run of the stages is pending and
 * the next chunk is simple with more than one letter (or there is none): it
 * is written on speculation, and undone into a run of the stages when the
 * next chunk says otherwise.  A line break in the whitespace before a chunk
 * marks a boundary unless the whitespace lies inside a run (the stages see
 * it there).
 */
static nt_err run_message(nt__ctx *c, int strict, nt_diag *diag)
{
    nt_err rc;
    const unsigned char *p = c->in;
    const size_t len = c->len;
    size_t done = 0;              /* in[0, done) is in the NFC form */
    size_t rs = SIZE_MAX, re = 0; /* pending run for the stages */
    int spec = 0;                 /* the last chunk, [ss, se), was a one-letter one */
    size_t ss = 0, se = 0;
    checkpoint ck = {0};
    fchunk fc;
    hot h;
    c->prev_kind = -1;
    if (strict && nt_utf8_validate((const char *)p, len, NULL) != NT_OK)
        return nt__stages(c, 0, len, strict, diag);
    size_t i = 0, s = 0, e = 0;
    int ok = 0, nl = 0, have = 0; /* have: the chunk [s, e) is analysed already */
    const uint64_t tail = message_tail(p, len);
    for (;;) {
        if (!have) {
            nl = 0;
            while (i < len && is_ws_byte(p[i])) {
                nl |= p[i] == '\n' || p[i] == '\r';
                i++;
            }
            if (i >= len)
                break;
            s = i;
            e = s;
            ok = analyse_chunk(p, len, s, &fc, &e);
            i = e;
        }
        have = 0;
        const int single = ok && (fc.kind == FC_WORD || fc.kind == FC_AWORD) && fc.n < 2 &&
                           fc.pstart == e;
        if (ok && !single) {
            spec = 0;
            if (rs != SIZE_MAX) {
                if ((rc = nfc_copy(c, done, rs)) != NT_OK ||
                    (rc = nt__stages(c, rs, re, strict, diag)) != NT_OK)
                    return rc;
                done = re;
                rs = SIZE_MAX;
            }
            /* this chunk and the simple ones after it, in the hot state */
            hot_load(&h, c);
            h.nfc_delta = c->f[NT_FORM_NFC].len - done;
            for (;;) {
                if (nl)
                    h.boundary = 1;
                const need d = chunk_need(&fc, s, e);
                if (!hot_room(&h, d)) {
                    hot_store(&h, c);
                    if ((rc = ctx_room(c, d)) != NT_OK)
                        return rc;
                    hot_load(&h, c);
                }
                if ((rc = hot_emit(c, &h, &fc, s, e)) != NT_OK) {
                    hot_store(&h, c);
                    return rc;
                }
                nl = 0;
                while (i < len && is_ws_byte(p[i])) {
                    nl |= p[i] == '\n' || p[i] == '\r';
                    i++;
                }
                if (i >= len)
                    break;
                s = i;
                e = s;
                const size_t qn = quick_aword(p, len, s, tail, &e, &fc.v);
                if (qn) {
                    fc.kind = FC_AWORD;
                    fc.n = qn;
                    fc.pstart = s + qn;
                    ok = 1;
                } else {
                    ok = analyse_chunk(p, len, s, &fc, &e);
                }
                i = e;
                if (!ok || (fc.kind <= FC_WORD && fc.n < 2 && fc.pstart == e)) {
                    have = 1; /* not simple or one letter: decided below */
                    break;
                }
            }
            hot_store(&h, c);
            continue;
        }
        if (ok && rs == SIZE_MAX && !spec) {
            if (nl)
                c->boundary = 1;
            save(c, &ck);
            if ((rc = ctx_room(c, chunk_need(&fc, s, e))) != NT_OK)
                return rc;
            hot_load(&h, c);
            h.nfc_delta = c->f[NT_FORM_NFC].len - done;
            rc = hot_emit(c, &h, &fc, s, e);
            hot_store(&h, c);
            if (rc)
                return rc;
            spec = 1;
            ss = s;
            se = e;
            continue;
        }
        /* to the stages */
        if (spec) { /* the one-letter chunk before was not simple after all */
            undo(c, &ck);
            spec = 0;
            rs = ss;
            re = se;
        }
        if (!clean_start(c, s, e)) {
            nt__result_reset(c);
            return nt__stages(c, 0, len, strict, diag);
        }
        if (rs == SIZE_MAX) {
            if (nl)
                c->boundary = 1;
            rs = s;
        }
        re = e;
    }
    if (rs != SIZE_MAX) {
        if ((rc = nfc_copy(c, done, rs)) != NT_OK ||
            (rc = nt__stages(c, rs, re, strict, diag)) != NT_OK)
            return rc;
        done = re;
    }
    return nfc_copy(c, done, len);
}

/* ---- public API ---- */

void nt_text_options_init(nt_text_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->max_bytes = NT_DEFAULT_MAX_MESSAGE_BYTES;
    opts->utf8 = NT_UTF8_LENIENT;
}

const char *nt_form_name(nt_form form)
{
    switch (form) {
    case NT_FORM_NFC:
        return "nfc";
    case NT_FORM_NORM:
        return "norm";
    case NT_FORM_FOLD:
        return "fold";
    default:
        return "?";
    }
}

/* Scratch for the stages, on the stack: enough for messages of a few
 * hundred bytes; beyond, the arrays move to the heap. */
#define STAGE_ARENA 16384

nt_err nt_text_normalize(const char *in, size_t len, const nt_text_options *opts, nt_text **out,
                         nt_diag *diag)
{
    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no input or no output pointer");
    *out = NULL;
    nt_text_options def;
    if (!opts) {
        nt_text_options_init(&def);
        opts = &def;
    }
    size_t limit = opts->max_bytes ? opts->max_bytes : NT_DEFAULT_MAX_MESSAGE_BYTES;
    if (limit > NT_MAX_MESSAGE_BYTES_CEILING)
        limit = NT_MAX_MESSAGE_BYTES_CEILING;
    if (len > limit)
        return nt__fail(diag, NT_ERR_TOO_BIG, limit,
                        "message of %zu bytes is larger than the %zu-byte limit", len, limit);
    nt_err rc = NT_OK;
    nt__cpinfo_table();
    _Alignas(16) unsigned char arena[STAGE_ARENA];
    /* every field the driver reads is set here (or by nt__result_start);
     * the stage scratch is set up by the first stages call */
    nt__ctx c;
    c.in = (const unsigned char *)in;
    c.len = len;
    c.flags = opts->flags;
    c.lex = (opts->flags & NT_TEXT_NO_TEENCODE) ? NULL : opts->teencode;
    c.lexf = nt__lexicon_plain_filter(c.lex);
    c.lexn = c.lexfo = NULL;
    if (c.lexf)
        nt__lexicon_filters(c.lex, &c.lexn, &c.lexfo);
    else
        c.lex = NULL; /* empty: no lookup finds anything */
    c.ar.base = arena;
    c.ar.size = sizeof arena;
    c.ar.used = 0;
    c.scratch_ready = 0;
    c.block = NULL;
    c.block_size = 0;
    c.tok = NULL;
    c.ntok = c.ctok = 0;
    c.replacements = 0;
    c.boundary = 0;
    c.last_oe = 0;
    c.prev_kind = -1;
    /* NFKC and teencode can lengthen text; bound the forms all the same. */
    c.form_limit = 32 * len + 4096;
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        c.f[f] = (nt__form){NULL, 0, 0, NULL, 0, 0, NULL, NULL, 0, 0, 0, c.form_limit + 64};
    }
    if ((rc = nt__result_start(&c, len)) != NT_OK)
        goto cleanup;
    if ((rc = run_message(&c, opts->utf8 == NT_UTF8_STRICT, diag)) != NT_OK)
        goto cleanup;
    if ((*out = nt__result_finish(&c)) == NULL)
        rc = NT_ERR_NOMEM;
cleanup:
    if (rc == NT_ERR_NOMEM)
        nt__fail(diag, rc, 0, "out of memory normalising a %zu-byte message", len);
    else if (rc == NT_ERR_TOO_BIG)
        nt__fail(diag, rc, limit, "normalised text would exceed %zu bytes", c.form_limit);
    else if (rc == NT_ERR_INTERNAL)
        nt__fail(diag, rc, 0, "utf8proc failed unexpectedly");
    nt__ctx_free(&c);
    return rc;
}
