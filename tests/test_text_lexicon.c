/*
 * tests/test_text_lexicon.c - the teencode lexicon (parse errors with
 * line:col, lookups, the shipped data file) and the Vietnamese orthography
 * helpers (letter table checked against utf8proc, syllables, segmentation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "niemtin/limits.h"
#include "niemtin/text.h"
#include "testutil.h"
#include "text/text_internal.h"

static void expect_error(const char *data, unsigned line, unsigned col, const char *msg)
{
    nt_lexicon *lex = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_lexicon_parse(data, strlen(data), "t.tsv", &lex, &d), NT_ERR_PARSE);
    assert_null(lex);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    assert_string_equal(d.source, "t.tsv");
    if (!strstr(d.message, msg))
        fail_msg("message '%s' does not contain '%s'", d.message, msg);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_error("ko\tkhông\nck chuyển khoản\n", 2, 20, "missing tab");
    expect_error("# c\n\n\tkhông\n", 3, 1, "empty key");
    expect_error("k o\tkhông\n", 1, 2, "space");
    expect_error("ko\tkhông\nck\tchuyển khoản\nKO\tkhông\n", 3, 1, "first defined on line 1");
    expect_error("ko\tkh\xc3\n", 1, 6, "invalid UTF-8");
    expect_error("ko\t   \n", 1, 4, "empty expansion");
    expect_error("ko\tkhông\tx\n", 1, 10, "more than one tab");
    expect_error("k.o\tkhông\n", 1, 1, "single word");
    /* a line longer than the limit */
    const size_t n = NT_MAX_DATA_LINE_BYTES + 10;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'a', n);
    big[2] = '\t';
    big[n] = '\0';
    expect_error(big, 1, NT_MAX_DATA_LINE_BYTES + 1, "longer than");
    free(big);
}

static void test_parse_ok(void **state)
{
    (void)state;
    const char *data = "# comment\r\n\r\n  # indented comment\nko\tkhông\r\nCK\t chuyển  khoản \n"
                       "hoà\thoà bình\nđc\tđược";
    nt_lexicon *lex = NULL;
    nt_diag d;
    assert_int_equal(nt_lexicon_parse(data, strlen(data), NULL, &lex, &d), NT_OK);
    assert_int_equal(nt_lexicon_count(lex), 4);
    assert_string_equal(nt_lexicon_lookup(lex, "ko", 2), "không");
    assert_string_equal(nt_lexicon_lookup(lex, "KO", 2), "không");
    assert_string_equal(nt_lexicon_lookup(lex, "ck", 2), "chuyển khoản");
    assert_string_equal(nt_lexicon_lookup(lex, "hòa", strlen("hòa")), "hòa bình");
    assert_string_equal(nt_lexicon_lookup(lex, "hoa", 3), "hòa bình"); /* folded */
    assert_string_equal(nt_lexicon_lookup(lex, "dc", 2), "được");
    assert_null(nt_lexicon_lookup(lex, "hóa", strlen("hóa"))); /* other diacritics: no */
    assert_null(nt_lexicon_lookup(lex, "xyz", 3));
    assert_null(nt_lexicon_lookup(lex, "ko ck", 5));
    assert_null(nt_lexicon_lookup(lex, "", 0));
    nt_lexicon_free(lex);
    assert_int_equal(nt_lexicon_parse("", 0, NULL, &lex, &d), NT_OK);
    assert_int_equal(nt_lexicon_count(lex), 0);
    assert_null(nt_lexicon_lookup(lex, "ko", 2));
    nt_lexicon_free(lex);
}

static void test_shipped_lexicon(void **state)
{
    (void)state;
    nt_lexicon *lex = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_lexicon_load(tu_data_path("teencode.tsv"), &lex, &d), NT_OK);
    assert_true(nt_lexicon_count(lex) >= 150);
    assert_string_equal(nt_lexicon_lookup(lex, "stk", 3), "số tài khoản");
    assert_string_equal(nt_lexicon_lookup(lex, "SĐT", strlen("SĐT")), "số điện thoại");
    nt_lexicon_free(lex);
    assert_int_equal(nt_lexicon_load("/nonexistent/teencode.tsv", &lex, &d), NT_ERR_IO);
    assert_null(lex);
}

/* Every Vietnamese letter the table knows decomposes (per utf8proc) into the
 * base and tone it claims, and joins back. */
static void test_letter_table(void **state)
{
    (void)state;
    static const int32_t tones[6] = {0, 0x300, 0x301, 0x309, 0x303, 0x323};
    size_t seen = 0;
    for (int32_t cp = 0x80; cp < 0x2000; cp++) {
        int32_t base;
        int tone;
        char ascii;
        if (!nt__viet_split(cp, &base, &tone, &ascii))
            continue;
        seen++;
        if (cp == 0x111) {
            assert_int_equal(ascii, 'd');
            continue;
        }
        utf8proc_int32_t d[4], b[4];
        utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE, NULL);
        utf8proc_ssize_t nb = utf8proc_decompose_char(base, b, 4, UTF8PROC_DECOMPOSE, NULL);
        assert_int_equal(d[0], ascii);
        assert_int_equal(n, nb + (tone ? 1 : 0));
        int found = tone == 0;
        for (utf8proc_ssize_t i = 1; i < n; i++) {
            if (tone && d[i] == tones[tone])
                found = 1;
        }
        assert_true(found);
        assert_int_equal(nt__viet_join(base, tone), cp);
    }
    assert_int_equal(seen, 67); /* 11 x 6 toned/hatted vowels + đ */
}

static int syl(const char *s)
{
    int32_t cps[16];
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < 16) {
        utf8proc_int32_t cp;
        p += utf8proc_iterate(p, -1, &cp);
        cps[n++] = cp;
    }
    return nt__viet_is_syllable(cps, n);
}

static void test_syllables(void **state)
{
    (void)state;
    const char *yes[] = {"chuyển", "khoản", "nghiêng", "người", "quốc", "gì", "già", "ngoẹo",
                         "xoong", "khuỷu", "yêu", "ạ", "đường", "chuyen", "khoan", "thuở"};
    const char *no[] = {"ck", "bank", "email", "ke" "o" "o", "ngi", "ce", "ka", "đđ",
                        "chuyểnn", "hoàá", "wifi", "qa"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!syl(yes[i]))
            fail_msg("'%s' should be a syllable", yes[i]);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (syl(no[i]))
            fail_msg("'%s' should not be a syllable", no[i]);
    }
}

static void test_segment(void **state)
{
    (void)state;
    const char *s = "nganhangchuyenkhoan";
    int32_t cps[32];
    size_t n = strlen(s), ends[8];
    for (size_t i = 0; i < n; i++)
        cps[i] = s[i];
    assert_int_equal(nt__viet_segment(cps, n, ends, 8), 4);
    assert_int_equal(ends[0], 4); /* ngan|hang|chuyen|khoan */
    assert_int_equal(ends[1], 8);
    assert_int_equal(ends[2], 14);
    assert_int_equal(ends[3], 19);
    assert_int_equal(nt__viet_segment(cps, 3, ends, 8), 1); /* "nga" */
    assert_int_equal(nt__viet_segment(cps, 2, ends, 8), 0); /* "ng" */
    assert_int_equal(nt__viet_segment(cps, n, ends, 3), 0); /* more than max_ends */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors),   cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_shipped_lexicon), cmocka_unit_test(test_letter_table),
        cmocka_unit_test(test_syllables),      cmocka_unit_test(test_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
