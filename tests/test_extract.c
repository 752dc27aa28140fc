/*
 * tests/test_extract.c - the extractor against the cases in
 * tests/cases/extract.jsonl (one JSON object a line: "text" or "text_hex", the
 * indicators expected with type and optionally value, detail, the original
 * span "text" and flags; "exact": true means nothing else may be found).
 * Adding a case needs no C.  Plus a few API-level checks below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "indicator/extract_int.h"
#include "niemtin/niemtin.h"
#include "testutil.h"

static nt_banks *banks;
static nt_extractor *ex;

static int setup(void **state)
{
    (void)state;
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_banks_load(tu_data_path("banks.tsv"), &banks, &d) != NT_OK) {
        char buf[512];
        fprintf(stderr, "banks: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    o.banks = banks;
    o.context_path = tu_data_path("indicator-context.tsv");
    if (nt_extractor_new(&o, &ex, &d) != NT_OK) {
        char buf[512];
        fprintf(stderr, "extractor: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nt_extractor_free(ex);
    nt_banks_free(banks);
    return 0;
}

static const char *flag_names[] = {"defanged", "no_scheme", "personal", "idn", "obfuscated"};
static const unsigned flag_bits[] = {NT_INDF_DEFANGED, NT_INDF_NO_SCHEME, NT_INDF_PERSONAL,
                                     NT_INDF_IDN, NT_INDF_OBFUSCATED};

static int matches(const nt_indicator *ind, const char *text, json_t *e)
{
    const char *type = json_string_value(json_object_get(e, "type"));
    if (!type || strcmp(type, nt_ind_type_name(ind->type)) != 0)
        return 0;
    const char *v = json_string_value(json_object_get(e, "value"));
    if (v && strcmp(v, ind->value) != 0)
        return 0;
    const char *d = json_string_value(json_object_get(e, "detail"));
    if (d && strcmp(d, ind->detail) != 0)
        return 0;
    const char *span = json_string_value(json_object_get(e, "text"));
    if (span && (strlen(span) != ind->end - ind->start ||
                 memcmp(span, text + ind->start, ind->end - ind->start) != 0))
        return 0;
    json_t *flags = json_object_get(e, "flags");
    size_t k;
    json_t *f;
    json_array_foreach(flags, k, f)
    {
        for (size_t j = 0; j < sizeof flag_bits / sizeof flag_bits[0]; j++)
            if (strcmp(json_string_value(f), flag_names[j]) == 0 && !(ind->flags & flag_bits[j]))
                return 0;
    }
    return 1;
}

static char *case_text(json_t *c, size_t *len)
{
    const char *hex = json_string_value(json_object_get(c, "text_hex"));
    if (hex) {
        size_t n = strlen(hex) / 2;
        char *b = malloc(n + 1);
        for (size_t i = 0; i < n; i++) {
            unsigned v;
            sscanf(hex + 2 * i, "%2x", &v);
            b[i] = (char)v;
        }
        b[n] = '\0';
        *len = n;
        return b;
    }
    json_t *t = json_object_get(c, "text");
    *len = json_string_length(t);
    char *b = malloc(*len + 1);
    memcpy(b, json_string_value(t), *len + 1);
    return b;
}

static void dump(const nt_indicator_list *l, const char *text)
{
    for (size_t i = 0; i < nt_indicator_list_count(l); i++) {
        const nt_indicator *ind = nt_indicator_list_get(l, i);
        fprintf(stderr, "    found %s %s [%s] \"%.*s\" flags=%#x\n", nt_ind_type_name(ind->type),
                ind->value, ind->detail, (int)(ind->end - ind->start), text + ind->start,
                ind->flags);
    }
}

static void run_case(void **state)
{
    json_t *c = *state;
    const char *name = json_string_value(json_object_get(c, "name"));
    size_t len;
    char *with_nul = case_text(c, &len);
    /* An exact-size copy without a terminator, so ASan catches any read past
     * the caller's buffer. */
    char *text = malloc(len ? len : 1);
    memcpy(text, with_nul, len);
    free(with_nul);
    nt_indicator_list *l = NULL;
    assert_int_equal(nt_extract(ex, text, len, &l, NULL), NT_OK);
    json_t *expect = json_object_get(c, "expect");
    int ok = 1;
    size_t k;
    json_t *e;
    json_array_foreach(expect, k, e)
    {
        int found = 0;
        for (size_t i = 0; i < nt_indicator_list_count(l) && !found; i++)
            found = matches(nt_indicator_list_get(l, i), text, e);
        if (!found) {
            char *s = json_dumps(e, JSON_COMPACT);
            fprintf(stderr, "  case '%s': missing %s\n", name, s);
            free(s);
            ok = 0;
        }
    }
    if (json_is_true(json_object_get(c, "exact")) &&
        nt_indicator_list_count(l) != json_array_size(expect)) {
        fprintf(stderr, "  case '%s': expected exactly %zu indicators, got %zu\n", name,
                json_array_size(expect), nt_indicator_list_count(l));
        ok = 0;
    }
    /* Invariants on every result: spans inside the text, in order, values set. */
    size_t prev = 0;
    for (size_t i = 0; i < nt_indicator_list_count(l); i++) {
        const nt_indicator *ind = nt_indicator_list_get(l, i);
        assert_true(ind->start < ind->end && ind->end <= len);
        assert_true(ind->start >= prev);
        prev = ind->start;
        assert_non_null(ind->value);
        assert_true(ind->value[0] != '\0');
        if (ind->type == NT_IND_NATIONAL_ID) /* never the digits themselves */
            assert_null(strstr(ind->value, "001099012345"));
    }
    if (!ok)
        dump(l, text);
    nt_indicator_list_free(l);
    free(text);
    assert_true(ok);
}

static void test_too_big(void **state)
{
    (void)state;
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    o.max_bytes = 100;
    nt_extractor *small = NULL;
    assert_int_equal(nt_extractor_new(&o, &small, NULL), NT_OK);
    char buf[101];
    memset(buf, 'a', sizeof buf);
    nt_indicator_list *l = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_extract(small, buf, sizeof buf, &l, &d), NT_ERR_TOO_BIG);
    assert_null(l);
    assert_int_equal(d.offset, 100);
    assert_int_equal(nt_extract(small, buf, 100, &l, &d), NT_OK);
    assert_int_equal(nt_indicator_list_count(l), 0);
    nt_indicator_list_free(l);
    nt_extractor_free(small);
}

static void test_bad_context_file(void **state)
{
    (void)state;
    char path[] = "/tmp/nt-ctx-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\nbank\tstk\nphone goi\n", f);
    fclose(f);
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    o.context_path = path;
    nt_extractor *bad = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_extractor_new(&o, &bad, &d), NT_ERR_PARSE);
    assert_null(bad);
    assert_int_equal(d.line, 3);
    assert_non_null(strstr(d.message, "kind<TAB>phrase"));
    f = fopen(path, "w");
    fputs("colour\tred\n", f);
    fclose(f);
    assert_int_equal(nt_extractor_new(&o, &bad, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "unknown kind"));
    remove(path);
}

static void test_many_indicators_and_long_input(void **state)
{
    (void)state;
    /* 1 MiB of real-looking text with a phone number every line. */
    size_t cap = NT_DEFAULT_MAX_MESSAGE_BYTES, n = 0;
    char *buf = malloc(cap);
    const char *line = "Liên hệ 0912 345 678 hoặc vào https://vcb-xacminh.com/a nhé. ";
    size_t ll = strlen(line), lines = 0;
    while (n + ll <= cap) {
        memcpy(buf + n, line, ll);
        n += ll;
        lines++;
    }
    nt_indicator_list *l = NULL;
    assert_int_equal(nt_extract(ex, buf, n, &l, NULL), NT_OK);
    assert_int_equal(nt_indicator_list_count(l), 2 * lines);
    nt_indicator_list_free(l);
    free(buf);
}

/* The vector prefilter (SSE2, and AVX2 where the processor has it) against
 * the byte-at-a-time reference.  Two kinds of random strings: dense ones of
 * the bytes that matter (defang notation, survey classes, every kind of
 * UTF-8 lead and continuation byte), and sparse ones - valid UTF-8 text with
 * now and then one thing that matters (an invalid sequence, a defang form,
 * a '.', ':', "ww" ...) - so that each test in the vector code decides
 * alone, at every position of a block.  Each string sits in an allocation
 * of exactly its size, so ASan catches any read past it. */
static void test_prefilter_matches_reference(void **state)
{
    (void)state;
    static const unsigned char al[] = {
        0,    ' ',  'h',  'H',  'x',  'X',  '*',  'p',  'd',  'D',  'o',  't',  '[',  '(',
        '{',  '.',  ']',  ')',  '}',  '@',  ':',  '/',  'w',  'W',  'a',  '0',  '9',  'z',
        0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xDF, 0xE0, 0xE1, 0xE2,
        0xE3, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xBA, 0xBB, 0xAD, 0x8B, 0xBC};
    static const char *const pieces[] = {"hxxp://", "h**p", " dot ", "[.]", "(dot)", "[at]",
                                         "\xe2\x80\x8b", "\xef\xbc\x90", "\xc2\xa0",
                                         "\xe3\x80\x82", "\xe1\xbb\x87", "\xc3\xa0",
                                         "://", "www.", "0912345678", "abcdefghijklmnopqrstuvwxyz"};
    /* sparse strings: mostly these ... */
    static const char *const text[] = {
        "a", "b", "k", "z", "Q", "5", " ", " ", "\xc3\xa0", "\xe1\xbb\x87", "\xc6\xb0",
        "\xc4\x91", "\xcc\x81", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
        "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
        "\xe2\x80\x9c", "\xf0\x9f\x98\x80"};
    /* ... and now and then one of these */
    static const char *const rare[] = {
        "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xf0\x80\x80\x80", "\xf4\x90\x80\x80",
        "\x80", "\xbf", "\xc2", "\xe1\xbb", "\xf0\x9f\x98", "\xc0\x80", "\xc1\xbf", "\xf5\x80\x80\x80",
        "\xff", "\x00", "hxxp", "HXXP", "h**p", " dot ", " DoT ", "[.]", "(at)", "{", "(", "[",
        "\xc2\xa0", "\xc2\xad", "\xe2\x80\x8b", "\xe3\x80\x82", "\xef\xbb\xbf", "\xef\xbc\x90",
        "\xe2\x80\x93", ".", ".a", ".\xc3\xa0", "1.5", ":", "://", ":/", "www.", "ww", "@",
        "0", "abcdefghijklmnopqrstuvwxy", "abcdefghijklmnopqrstuvwx"};
    uint32_t seed = 12345;
    for (int it = 0; it < 200000; it++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % 150;
        int sparse = it & 1;
        unsigned char *t = malloc(n ? n : 1);
        assert_non_null(t);
        for (size_t i = 0; i < n;) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            const char *p = NULL;
            if (sparse)
                p = r % 40 == 0 ? rare[(r / 40) % (sizeof rare / sizeof rare[0])]
                                : text[(r / 40) % (sizeof text / sizeof text[0])];
            else if (r % 5 == 0)
                p = pieces[(r / 5) % (sizeof pieces / sizeof pieces[0])];
            else if (r % 5 == 1)
                t[i++] = (unsigned char)(r >> 3);
            else
                t[i++] = al[(r / 5) % sizeof al];
            if (p == rare[14]) /* the NUL */
                t[i++] = 0;
            else
                for (; p && *p && i < n; p++)
                    t[i++] = (unsigned char)*p;
        }
        nt__survey a, b;
        int rb = nt__prefilter_ref((const char *)t, n, &b);
        for (int level = 1; level <= nt__prefilter_levels(); level++) {
            int ra = nt__prefilter_with(level, (const char *)t, n, &a);
            assert_int_equal(ra, rb);
            if (!ra)
                assert_memory_equal(&a, &b, sizeof a);
        }
        assert_int_equal(nt__prefilter((const char *)t, n, &a), rb);
        nt__survey_bytes((const char *)t, n, &a);
        nt__survey_ref((const char *)t, n, &b);
        assert_memory_equal(&a, &b, sizeof a);
        free(t);
    }
}

/* ---- context phrases against brute force ---------------------------------- */

static int ref_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

/* nt__phrases_before as first written: every word start from the right,
 * every phrase compared. */
static unsigned ref_before(const nt__phrases *p, unsigned wanted, const char *w, size_t n,
                           size_t dist[8])
{
    unsigned found = 0;
    for (size_t s = n; s-- > 0;) {
        unsigned char c = (unsigned char)w[s];
        if (s > 0 && ref_word((unsigned char)w[s - 1]))
            continue;
        if (!ref_word(c) && !(c == '$' || c == '%'))
            continue;
        int any = 0;
        for (size_t i = 0; i < p->n; i++) {
            const nt__phrase *ph = &p->v[i];
            if ((unsigned char)ph->text[0] != c)
                continue;
            any = 1;
            size_t e = s + ph->len;
            if (!(ph->kind & wanted) || ph->len > n - s || memcmp(w + s, ph->text, ph->len) ||
                (e < n && ref_word((unsigned char)w[e])))
                continue;
            unsigned bit = 0;
            while (!((1u << bit) & ph->kind))
                bit++;
            if (!(found & ph->kind) || n - e < dist[bit])
                dist[bit] = n - e;
            found |= ph->kind;
        }
        if (any && (found & wanted) == wanted)
            break;
    }
    return found;
}

static int ref_starts(const nt__phrases *p, unsigned kind, const char *w, size_t n)
{
    size_t s = 0;
    while (s < n && w[s] == ' ')
        s++;
    for (size_t i = 0; s < n && i < p->n; i++) {
        const nt__phrase *ph = &p->v[i];
        size_t e = s + ph->len;
        if ((ph->kind & kind) && ph->len <= n - s && memcmp(w + s, ph->text, ph->len) == 0 &&
            (e >= n || !ref_word((unsigned char)w[e])))
            return 1;
    }
    return 0;
}

static void check_phrases(const nt__phrases *p, const char *const *words, size_t nwords)
{
    uint32_t seed = 777;
    char *buf = malloc(200 + NT__FOLD_SLACK);
    assert_non_null(buf);
    for (int it = 0; it < 700; it++) {
        size_t n = 0;
        while (n < 150) {
            seed = seed * 1103515245u + 12345u;
            const char *wd = words[(seed >> 16) % nwords];
            size_t l = strlen(wd);
            if (n + l + 1 > 150)
                break;
            memcpy(buf + n, wd, l);
            n += l;
            seed = seed * 1103515245u + 12345u;
            buf[n++] = " . :/-"[(seed >> 16) % 6];
        }
        memset(buf + n, 0, NT__FOLD_SLACK);
        nt__folded f = {buf, n, NULL};
        for (size_t a = 0; a < n; a += 13) {
            for (size_t e = a; e <= n; e += 11) {
                unsigned wanted = (it & 1) ? 0x4Fu : (1u << (it % 7));
                size_t d1[8] = {0}, d2[8] = {0};
                unsigned k1 = nt__phrases_before(p, wanted, &f, a, e, d1);
                unsigned k2 = ref_before(p, wanted, buf + a, e - a, d2);
                assert_int_equal(k1, k2);
                for (unsigned bit = 0; bit < 8; bit++)
                    if (k1 & (1u << bit))
                        assert_int_equal(d1[bit], d2[bit]);
                unsigned kind = 1u << (it % 7);
                assert_int_equal(nt__phrases_starts(p, kind, buf + a, e - a),
                                 ref_starts(p, kind, buf + a, e - a));
            }
        }
    }
    free(buf);
}

/* The phrase trie (and its byte classes) against comparing every phrase:
 * the shipped phrases, and a file with more than 64 distinct bytes (the
 * trie then searches its edges). */
static void test_phrases_match_reference(void **state)
{
    (void)state;
    nt__phrases p;
    assert_int_equal(nt__phrases_load(tu_data_path("indicator-context.tsv"), &p, NULL), NT_OK);
    static const char *const words[] = {
        "so",  "tai", "khoan", "stk", "tk",  "ck", "vao", "chuyen", "goi", "sdt", "zalo", "kb",
        "ma",  "otp", "so du", "cccd", "ngan", "hang", "nh", "x", "1234", "$", "%", "s.tk",
        "a/c", "lien", "he", "dt", "hotline", "tien", "the", "atm", "cmnd", "mk", "pin", "vi"};
    check_phrases(&p, words, sizeof words / sizeof words[0]);
    nt__phrases_free(&p);

    /* 70 phrases over many distinct bytes (CJK folds to itself). */
    char data[8192];
    size_t len = 0;
    static const char *const kinds[] = {"bank", "phone", "id", "zalo", "code", "unit", "count"};
    static char pw[70][16];
    const char *pwords[80];
    for (int i = 0; i < 70; i++) {
        /* a phrase "q<U+4E00+i>" and "q<U+4E00+i> z" */
        unsigned cp = 0x4E00 + (unsigned)i;
        snprintf(pw[i], sizeof pw[i], "q%c%c%c", (char)(0xE0 | (cp >> 12)),
                 (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F)));
        len += (size_t)snprintf(data + len, sizeof data - len, "%s\t%s\n%s\t%s z\n",
                                kinds[i % 7], pw[i], kinds[(i + 3) % 7], pw[i]);
        pwords[i] = pw[i];
    }
    pwords[70] = "z";
    pwords[71] = "q";
    assert_int_equal(nt__phrases_parse(data, len, "many.tsv", &p, NULL), NT_OK);
    assert_null(p.next); /* more than 64 classes: the edges are searched */
    check_phrases(&p, pwords, 72);
    nt__phrases_free(&p);
}

/* The view is folded once and context windows are slices of it; that must
 * equal nt_text_fold of each window (it does while nt_text_fold folds each
 * code point on its own).  Random windows, on character boundaries, of
 * strings of Vietnamese (composed and decomposed), Latin, Greek, Cyrillic,
 * CJK, emoji and punctuation. */
static void test_fold_slices_match_text_fold(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "Chuy\xe1\xbb\x83n kho\xe1\xba\xa3n", "CHUY\xe1\xbb\x82N", "\xc4\x90\xc3\xa2y l\xc3\xa0",
        "Vie\xcc\x82\xcc\x81t", "STK", " ", "  ", "0912", ".", "\xe2\x80\x9cx\xe2\x80\x9d",
        "\xe2\x80\xa6", "\xc3\x9f", "\xc5\x89", "\xe1\xba\x9e", "\xce\x91\xce\xb2",
        "\xe1\xbe\x88", "\xd0\x9f\xd1\x80", "\xe4\xbd\xa0\xe5\xa5\xbd", "\xf0\x9f\x98\x80",
        "\xef\xac\x81", "\xe2\x84\xaa", "\xc7\x85", "abcdefghijklmnopqrstuvwxyz0123456789",
        "\x01", "\xc2\xa0", "\xef\xbd\x81"};
    nt__folder folder;
    assert_int_equal(nt__folder_init(&folder), NT_OK);
    uint32_t seed = 4242;
    char text[600];
    for (int it = 0; it < 3000; it++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        size_t want = (seed >> 16) % 500;
        while (n < want) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(p);
            if (n + l > sizeof text)
                break;
            memcpy(text + n, p, l);
            n += l;
        }
        nt__folded f;
        assert_int_equal(nt__fold_view(&folder, text, n, &f), NT_OK);
        for (int w = 0; w < 8; w++) {
            seed = seed * 1103515245u + 12345u;
            size_t a = n ? (seed >> 8) % (n + 1) : 0;
            seed = seed * 1103515245u + 12345u;
            size_t e = a + (n - a ? (seed >> 8) % (n - a + 1) : 0);
            while (a < n && ((unsigned char)text[a] & 0xC0) == 0x80)
                a++;
            while (e < n && ((unsigned char)text[e] & 0xC0) == 0x80)
                e++;
            if (e < a)
                e = a;
            char *ref = NULL;
            size_t rl = 0;
            assert_int_equal(nt_text_fold(text + a, e - a, &ref, &rl), NT_OK);
            assert_int_equal(f.map[e] - f.map[a], rl);
            assert_memory_equal(f.b + f.map[a], ref, rl);
            free(ref);
        }
        nt__folded_free(&f);
    }
    nt__folder_free(&folder);
}

int main(void)
{
    json_t *cases[512];
    struct CMUnitTest tests[512 + 6];
    long n = tu_load_cases("extract.jsonl", run_case, cases, tests, 512);
    if (n < 0)
        return 1;
    size_t k = (size_t)n;
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_too_big);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_bad_context_file);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_many_indicators_and_long_input);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_prefilter_matches_reference);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_phrases_match_reference);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_fold_slices_match_text_fold);
    int rc = _cmocka_run_group_tests("extract", tests, k, setup, teardown);
    for (long i = 0; i < n; i++)
        json_decref(cases[i]);
    return rc;
}
