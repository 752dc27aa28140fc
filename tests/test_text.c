/*
 * tests/test_text.c - nt_text_normalize on real Vietnamese messages: the three
 * forms, tone placement, every de-obfuscation trick, teencode, tokens and the
 * exactness of the offset maps, malformed UTF-8 and the size limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "niemtin/limits.h"
#include "niemtin/text.h"
#include "testutil.h"

static nt_lexicon *lex;

static int setup(void **state)
{
    (void)state;
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_lexicon_load(tu_data_path("teencode.tsv"), &lex, &d) != NT_OK) {
        char buf[512];
        fprintf(stderr, "cannot load lexicon: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nt_lexicon_free(lex);
    return 0;
}

static nt_text *run(const char *in, size_t len, unsigned flags)
{
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = lex;
    o.flags = flags;
    nt_text *t = NULL;
    nt_diag d;
    assert_int_equal(nt_text_normalize(in, len, &o, &t, &d), NT_OK);
    assert_non_null(t);
    return t;
}

/* The NORM (or FOLD) form of s, copied into a static buffer. */
static const char *form_of(const char *s, nt_form f)
{
    static char out[4][4096];
    static int slot;
    char *o = out[slot++ % 4];
    nt_text *t = run(s, strlen(s), 0);
    size_t n = 0;
    const char *r = nt_text_form(t, f, &n);
    assert_true(n < sizeof out[0]);
    memcpy(o, r, n + 1);
    nt_text_free(t);
    return o;
}

static const char *norm(const char *s)
{
    return form_of(s, NT_FORM_NORM);
}

static const char *fold(const char *s)
{
    return form_of(s, NT_FORM_FOLD);
}

/* The original bytes behind NORM token number i. */
static void assert_token_orig(const char *in, size_t i, const char *text, const char *orig)
{
    nt_text *t = run(in, strlen(in), 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    assert_true(i < n);
    const char *nf = nt_text_form(t, NT_FORM_NORM, NULL);
    assert_int_equal(tk[i].end - tk[i].start, strlen(text));
    assert_memory_equal(nf + tk[i].start, text, strlen(text));
    assert_int_equal(tk[i].oend - tk[i].ostart, strlen(orig));
    assert_memory_equal(in + tk[i].ostart, orig, strlen(orig));
    size_t os = 0, oe = 0;
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, tk[i].start, tk[i].end, &os, &oe), NT_OK);
    assert_int_equal(os, tk[i].ostart);
    assert_int_equal(oe, tk[i].oend);
    assert_int_equal(nt_text_span(t, NT_FORM_FOLD, tk[i].fstart, tk[i].fend, &os, &oe), NT_OK);
    assert_int_equal(os, tk[i].ostart);
    assert_int_equal(oe, tk[i].oend);
    nt_text_free(t);
}

/* ---- Unicode forms ---- */

static void test_nfd_equals_nfc(void **state)
{
    (void)state;
    /* "chuyển khoản" in NFD: e + circumflex + hook, a + hook */
    const char *nfd = "chuye\xcc\x82\xcc\x89n khoa\xcc\x89n";
    assert_string_equal(norm(nfd), "chuyển khoản");
    assert_string_equal(norm(nfd), norm("chuyển khoản"));
    assert_string_equal(fold(nfd), "chuyen khoan");
    /* "chậm": circumflex and dot below in either order are canonically equal */
    assert_string_equal(norm("cha\xcc\x82\xcc\xa3m"), "chậm");
    assert_string_equal(norm("cha\xcc\xa3\xcc\x82m"), "chậm");
    assert_string_equal(form_of(nfd, NT_FORM_NFC), "chuyển khoản");
    /* "ngân hàng" NFD */
    assert_string_equal(norm("nga\xcc\x82n ha\xcc\x80ng"), "ngân hàng");
}

static void test_nfc_form_keeps_case(void **state)
{
    (void)state;
    assert_string_equal(form_of("Chuyển Khoản NGAY", NT_FORM_NFC), "Chuyển Khoản NGAY");
    assert_string_equal(norm("Chuyển Khoản NGAY"), "chuyển khoản ngay");
    assert_string_equal(fold("Chuyển Khoản Đi"), "chuyen khoan di");
}

static void test_tone_placement(void **state)
{
    (void)state;
    assert_string_equal(norm("hoà"), "hòa");
    assert_string_equal(norm("hòa"), "hòa");
    assert_string_equal(norm("thuỷ"), "thủy");
    assert_string_equal(norm("khoẻ"), "khỏe");
    assert_string_equal(norm("hoá đơn"), "hóa đơn");
    assert_string_equal(norm("Thuý"), "thúy");
    /* closed syllables and hat vowels are the same in every style */
    assert_string_equal(norm("hoàng khoản thuyền"), "hoàng khoản thuyền");
    assert_string_equal(norm("hoặc nội người thuở mưa"), "hoặc nội người thuở mưa");
    assert_string_equal(norm("ngoài khuỷu"), "ngoài khuỷu");
    /* a tone typed on the wrong letter of a valid syllable is moved */
    assert_string_equal(norm("gìa"), "già");
    /* NFD of the new style equals NFC of the old style */
    assert_string_equal(norm("hoa\xcc\x80"), "hòa");
}

static void test_i_y(void **state)
{
    (void)state;
    assert_string_equal(norm("quí khách"), "quý khách");
    assert_string_equal(norm("quý"), "quý");
    assert_string_equal(norm("kỳ"), norm("kì"));
    assert_string_equal(norm("kỳ"), "kì");
    assert_string_equal(norm("lý do"), "lí do");
    assert_string_equal(norm("Mỹ"), "mĩ");
    assert_string_equal(norm("tỷ lệ"), "tỉ lệ");
    /* no onset, or more than one vowel: untouched */
    assert_string_equal(norm("ý kiến"), "ý kiến");
    assert_string_equal(norm("yêu tay tai"), "yêu tay tai");
}

static void test_fold_equal_without_diacritics(void **state)
{
    (void)state;
    assert_string_equal(fold("Chuyển khoản ngay vào số tài khoản"),
                        fold("chuyen khoan ngay vao so tai khoan"));
    assert_string_equal(fold("ĐẶNG Đình"), "dang dinh");
    assert_string_equal(fold("hoà"), fold("hoa"));
}

/* ---- invisible characters ---- */

static void test_zero_width(void **state)
{
    (void)state;
    assert_string_equal(norm("chuy\xe2\x80\x8b\xe1\xbb\x83n"), "chuyển"); /* ZWSP */
    assert_string_equal(norm("kho\xe2\x80\x8c\xe1\xba\xa3n"), "khoản");   /* ZWNJ */
    assert_string_equal(norm("ng\xc2\xadân h\xef\xbb\xbf\xc3\xa0ng"), "ngân hàng"); /* SHY, BOM */
    assert_string_equal(norm("t\xe2\x81\xa0i\xe2\x80\x8e\xe1\xbb\x81n"), "tiền"); /* WJ, LRM */
    assert_string_equal(form_of("chuy\xe2\x80\x8b\xe1\xbb\x83n", NT_FORM_NFC), "chuyển");
    /* the span of the word covers the invisible character */
    assert_token_orig("chuy\xe2\x80\x8b\xe1\xbb\x83n", 0, "chuyển", "chuy\xe2\x80\x8b\xe1\xbb\x83n");
}

static void test_emoji(void **state)
{
    (void)state;
    const char *fam = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
    char in[128];
    snprintf(in, sizeof in, "nhà %s vui \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd \xf0\x9f\x87\xbb\xf0\x9f\x87\xb3", fam);
    nt_text *t = run(in, strlen(in), 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    assert_int_equal(n, 5);
    assert_int_equal(tk[1].kind, NT_TOK_EMOJI);
    assert_int_equal(tk[1].oend - tk[1].ostart, strlen(fam)); /* ZWJ kept in NFC too */
    assert_int_equal(tk[3].kind, NT_TOK_EMOJI);                /* thumbs up + skin tone */
    assert_int_equal(tk[3].oend - tk[3].ostart, 8);
    assert_int_equal(tk[4].kind, NT_TOK_EMOJI); /* flag pair */
    assert_int_equal(tk[4].oend - tk[4].ostart, 8);
    assert_non_null(strstr(nt_text_form(t, NT_FORM_NFC, NULL), fam));
    nt_text_free(t);
}

/* ---- de-obfuscation ---- */

static void test_separators(void **state)
{
    (void)state;
    assert_string_equal(norm("c.h.u.y.ể.n k.h.o.ả.n"), "chuyển khoản");
    assert_string_equal(norm("c-h-u-y-e-n"), "chuyen");
    assert_string_equal(norm("c h u y e n k h o a n"), "chuyen khoan");
    assert_string_equal(norm("ch-uyển"), "chuyển");
    assert_string_equal(norm("c*h*u*y*e*n"), "chuyen");
    assert_string_equal(norm("c_h_u_y_e_n"), "chuyen");
    assert_string_equal(norm("c.h.u.y.e.n.k.h.o.a.n"), "chuyen khoan");
    assert_string_equal(norm("ti.ền"), "tiền");
    assert_string_equal(norm("O.T.P"), "otp");
    assert_string_equal(norm("chuyển k h o ả n ngay"), "chuyển khoản ngay");
    assert_string_equal(norm("chuyểnkhoản"), "chuyển khoản");
    /* real compounds and sentences are not glued together */
    assert_string_equal(norm("Hà-Nội"), "hà - nội");
    assert_string_equal(norm("xong.Mai đi"), "xong . mai đi");
    assert_string_equal(norm("e-mail"), "e - mail");
    assert_string_equal(norm("a e o"), "a em o");
}

static void test_rejoined_span(void **state)
{
    (void)state;
    assert_token_orig("c.h.u.y.ể.n", 0, "chuyển", "c.h.u.y.ể.n");
    assert_token_orig("gửi c.h.u.y.e.n.k.h.o.a.n", 2, "khoan", "k.h.o.a.n");
    assert_token_orig("c h u y e n k h o a n", 0, "chuyen", "c h u y e n");
    assert_token_orig("c h u y e n k h o a n", 1, "khoan", "k h o a n");
    nt_text *t = run("c.h.u.y.ể.n", strlen("c.h.u.y.ể.n"), 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    assert_int_equal(n, 1);
    assert_true(tk[0].flags & NT_TOKF_REJOINED);
    nt_text_free(t);
}

static void test_lookalikes(void **state)
{
    (void)state;
    assert_string_equal(norm("\xd0\xac\xd0\xb0nk"), "bank");  /* Cyrillic Ь, а */
    assert_string_equal(norm("b\xd0\xb0nk"), "bank");         /* Cyrillic а */
    assert_string_equal(norm("\xef\xbc\xaf\xef\xbc\xb4\xef\xbc\xb0"), "otp"); /* full-width */
    assert_string_equal(norm("\xf0\x9d\x90\x8e\xf0\x9d\x90\x93\xf0\x9d\x90\x8f"), "otp"); /* math bold */
    assert_string_equal(norm("\xce\xbf\xcf\x84\xcf\x81"), "otp"); /* Greek ο τ ρ */
    assert_string_equal(norm("Vi\xd0\xb5tc\xd0\xbembank"), "vietcombank");
    /* a real Russian word is left alone */
    assert_string_equal(norm("\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"), "привет");
    nt_text *t = run("b\xd0\xb0nk", 5, 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    assert_int_equal(n, 1);
    assert_true(tk[0].flags & NT_TOKF_LOOKALIKE);
    nt_text_free(t);
}

static void test_leet(void **state)
{
    (void)state;
    assert_string_equal(norm("kh0ản"), "khoản");
    assert_string_equal(norm("t1ền"), "tiền");
    assert_string_equal(norm("m@t kh@u"), "mat khau");
    assert_string_equal(norm("b4nk"), "bank");
    assert_string_equal(norm("$ao"), "sao");
    assert_string_equal(norm("c.h.u.y.3.n"), "chuyen");
    /* numbers, amounts and phone numbers are never letters */
    assert_string_equal(norm("100"), "100");
    assert_string_equal(norm("500k"), "500k");
    assert_string_equal(norm("4tr"), "4tr");
    assert_string_equal(norm("0912.345.678"), "0912.345.678");
    assert_string_equal(norm("mp3"), "mp3");
    assert_string_equal(norm("xong!"), "xong !");
}

static void test_squeeze(void **state)
{
    (void)state;
    assert_string_equal(norm("nhanhhhh"), "nhanh");
    assert_string_equal(norm("điiii"), "đi");
    assert_string_equal(norm("quáaaa"), "quá");
    assert_string_equal(norm("xoong"), "xoong"); /* doubles stay */
    assert_string_equal(norm("khônggggg"), "không");
    nt_text *t = run("nhanhhhh", 8, 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    assert_true(tk[0].flags & NT_TOKF_SQUEEZED);
    nt_text_free(t);
}

static void test_no_deobfuscate_flag(void **state)
{
    (void)state;
    nt_text *t = run("c.h.u.y.e.n kh0ản", strlen("c.h.u.y.e.n kh0ản"), NT_TEXT_NO_DEOBFUSCATE);
    assert_string_equal(nt_text_form(t, NT_FORM_NORM, NULL), "c . h . u . y . e . n kh0ản");
    nt_text_free(t);
}

/* ---- links and numbers ---- */

static void test_links(void **state)
{
    (void)state;
    const char *in = "Vào HTTPS://Vcb-Online.xyz/Login?id=1. hoặc www.abc.vn, mail Abc@Gmail.com "
                     "t.me/xyz example.com/path bit.ly/3x";
    nt_text *t = run(in, strlen(in), 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    const char *nf = nt_text_form(t, NT_FORM_NORM, NULL);
    const char *want[] = {"https://vcb-online.xyz/login?id=1", "www.abc.vn", "abc@gmail.com",
                          "t.me/xyz", "example.com/path", "bit.ly/3x"};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (tk[i].kind != NT_TOK_LINK)
            continue;
        assert_true(k < 6);
        assert_int_equal(tk[i].end - tk[i].start, strlen(want[k]));
        assert_memory_equal(nf + tk[i].start, want[k], strlen(want[k]));
        k++;
    }
    assert_int_equal(k, 6);
    nt_text_free(t);
    /* a link is never de-obfuscated */
    assert_string_equal(norm("b1o.vn"), "b1o.vn");
}

static void test_numbers(void **state)
{
    (void)state;
    const char *in = "gửi 5.000.000 vào 0912.345.678 phí 500k, 2tr hay 1tr5";
    nt_text *t = run(in, strlen(in), 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    const char *nf = nt_text_form(t, NT_FORM_NORM, NULL);
    size_t nums = 0;
    for (size_t i = 0; i < n; i++) {
        if (tk[i].kind == NT_TOK_NUMBER)
            nums++;
    }
    assert_int_equal(nums, 5);
    assert_string_equal(nf, "gửi 5.000.000 vào 0912.345.678 phí 500k , 2tr hay 1tr5");
    nt_text_free(t);
    assert_string_equal(norm("500 k"), "500 k"); /* an amount, not "không" */
}

/* ---- teencode ---- */

static void test_teencode_common(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"ko", "không"},          {"k", "không"},         {"hok", "không"},
        {"kg", "không"},          {"hông", "không"},      {"hem", "không"},
        {"khum", "không"},        {"khg", "không"},       {"ck", "chuyển khoản"},
        {"stk", "số tài khoản"},  {"tk", "tài khoản"},    {"đc", "được"},
        {"dc", "được"},           {"dk", "được"},         {"đk", "được"},
        {"j", "gì"},              {"gj", "gì"},           {"vs", "với"},
        {"sđt", "số điện thoại"}, {"sdt", "số điện thoại"}, {"mk", "mật khẩu"},
        {"nh", "ngân hàng"},      {"ib", "nhắn tin"},     {"inbox", "nhắn tin"},
        {"r", "rồi"},             {"rùi", "rồi"},         {"bít", "biết"},
        {"bjo", "bây giờ"},       {"bh", "bây giờ"},      {"ntn", "như thế nào"},
        {"e", "em"},              {"ae", "anh em"},       {"lsd", "lãi suất"},
        {"tele", "telegram"},     {"fb", "facebook"},     {"ctv", "cộng tác viên"},
        {"nv", "nhiệm vụ"},       {"hh", "hoa hồng"},     {"tr", "triệu"},
        {"bn", "bao nhiêu"},      {"mn", "mọi người"},    {"ad", "admin"},
        {"sp", "sản phẩm"},       {"cskh", "chăm sóc khách hàng"},
        {"cmnd", "chứng minh nhân dân"}, {"cccd", "căn cước công dân"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = norm(cases[i][0]);
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("teencode '%s' -> '%s', expected '%s'", cases[i][0], got, cases[i][1]);
    }
    /* case- and diacritic-insensitive keys */
    assert_string_equal(norm("KO"), "không");
    assert_string_equal(norm("bit"), "biết");
    assert_string_equal(norm("Ck"), "chuyển khoản");
}

static void test_teencode_sentence(void **state)
{
    (void)state;
    const char *in = "e ko bít j, a ck vào stk nhé";
    assert_string_equal(norm(in), "em không biết gì , a chuyển khoản vào số tài khoản nhé");
    assert_string_equal(fold(in), "em khong biet gi , a chuyen khoan vao so tai khoan nhe");
    /* every expanded token maps back to the abbreviation */
    assert_token_orig(in, 6, "chuyển", "ck");
    assert_token_orig(in, 7, "khoản", "ck");
    assert_token_orig(in, 9, "số", "stk");
    assert_token_orig(in, 11, "khoản", "stk");
    nt_text *t = run(in, strlen(in), 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    assert_true(tk[6].flags & NT_TOKF_EXPANDED);
    assert_false(tk[5].flags & NT_TOKF_EXPANDED); /* "a" is not expanded */
    nt_text_free(t);
    /* NO_TEENCODE and no lexicon leave abbreviations alone */
    t = run("ko ck", 5, NT_TEXT_NO_TEENCODE);
    assert_string_equal(nt_text_form(t, NT_FORM_NORM, NULL), "ko ck");
    nt_text_free(t);
}

static void test_mixed_english(void **state)
{
    (void)state;
    assert_string_equal(norm("Your OTP is 123456, đừng chia sẻ cho ai!"),
                         "your otp is 123456 , đừng chia sẻ cho ai !");
    assert_string_equal(norm("Click link để nhận thưởng"), "click link để nhận thưởng");
}

/* ---- tokens ---- */

static void test_tokens_and_boundaries(void **state)
{
    (void)state;
    const char *in = "Xin chào. Bạn trúng thưởng!\nGọi ngay";
    nt_text *t = run(in, strlen(in), 0);
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    assert_int_equal(n, 9);
    assert_int_equal(tk[2].kind, NT_TOK_PUNCT);
    assert_true(tk[3].flags & NT_TOKF_BOUNDARY); /* "bạn" after '.' */
    assert_false(tk[4].flags & NT_TOKF_BOUNDARY);
    assert_true(tk[7].flags & NT_TOKF_BOUNDARY); /* "gọi" after '!' and a newline */
    assert_string_equal(nt_text_form(t, NT_FORM_NORM, NULL),
                        "xin chào . bạn trúng thưởng ! gọi ngay");
    /* NORM and FOLD token sequences agree */
    const char *nf = nt_text_form(t, NT_FORM_NORM, NULL);
    const char *ff = nt_text_form(t, NT_FORM_FOLD, NULL);
    assert_memory_equal(nf + tk[8].start, "ngay", 4);
    assert_memory_equal(ff + tk[3].fstart, "ban", 3);
    nt_text_free(t);
}

static void test_whitespace_collapsed(void **state)
{
    (void)state;
    assert_string_equal(norm("  xin \t\t chào \r\n\n  bạn  "), "xin chào bạn");
    assert_string_equal(norm("xin\xc2\xa0" "chào"), "xin chào"); /* NBSP */
}

/* ---- offset maps ---- */

static void test_span_exact(void **state)
{
    (void)state;
    const char *nfd = "Chuye\xcc\x82\xcc\x89n tie\xcc\x82\xcc\x80n";
    assert_token_orig(nfd, 0, "chuyển", "Chuye\xcc\x82\xcc\x89n");
    assert_token_orig(nfd, 1, "tiền", "tie\xcc\x82\xcc\x80n");
    nt_text *t = run(nfd, strlen(nfd), 0);
    size_t os = 0, oe = 0;
    /* "ể" alone (bytes 4..7 of NORM) maps to e + both combining marks */
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 4, 7, &os, &oe), NT_OK);
    assert_int_equal(os, 4);
    assert_int_equal(oe, 9);
    /* the whole NORM form maps to the whole input */
    size_t nl = 0;
    nt_text_form(t, NT_FORM_NORM, &nl);
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 0, nl, &os, &oe), NT_OK);
    assert_int_equal(os, 0);
    assert_int_equal(oe, strlen(nfd));
    /* empty spans and bad arguments */
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 3, 3, &os, &oe), NT_OK);
    assert_int_equal(os, oe);
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 4, 3, &os, &oe), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 0, nl + 1, &os, &oe), NT_ERR_INVALID_ARG);
    /* NFC form spans */
    assert_int_equal(nt_text_span(t, NT_FORM_NFC, 0, 1, &os, &oe), NT_OK);
    assert_int_equal(os, 0);
    assert_int_equal(oe, 1);
    nt_text_free(t);
    assert_token_orig("Gửi  ＯＴＰ  ngay", 1, "otp", "ＯＴＰ");
}

/* ---- UTF-8 ---- */

static void expect_strict(const char *in, size_t len, size_t bad)
{
    nt_text_options o;
    nt_text_options_init(&o);
    o.utf8 = NT_UTF8_STRICT;
    nt_text *t = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_text_normalize(in, len, &o, &t, &d), NT_ERR_UTF8);
    assert_null(t);
    assert_int_equal(d.offset, bad);
    size_t off = 99;
    assert_int_equal(nt_utf8_validate(in, len, &off), NT_ERR_UTF8);
    assert_int_equal(off, bad);
}

static void test_malformed_utf8(void **state)
{
    (void)state;
    expect_strict("ab\xc0\x80", 4, 2);         /* overlong NUL */
    expect_strict("x\xed\xa0\x80y", 5, 1);     /* surrogate */
    expect_strict("ti\xe1\x80", 4, 2);         /* truncated */
    expect_strict("\x80", 1, 0);               /* stray continuation */
    expect_strict("ok \xf5\x80\x80\x80", 7, 3); /* above U+10FFFF */
    expect_strict("\xf4\x90\x80\x80", 4, 0);
    assert_int_equal(nt_utf8_validate("chuyển", strlen("chuyển"), NULL), NT_OK);
    assert_int_equal(nt_utf8_validate("a\0b", 3, NULL), NT_OK);

    struct {
        const char *in;
        size_t len;
        size_t repl;
        const char *nfc;
    } cases[] = {
        {"ab\xc0\x80" "cd", 6, 2, "ab\xef\xbf\xbd\xef\xbf\xbd" "cd"},
        {"x\xed\xa0\x80y", 5, 3, "x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy"},
        {"ti\xe1\x80", 4, 1, "ti\xef\xbf\xbd"},
        {"\x80" "a", 2, 1, "\xef\xbf\xbd" "a"},
        {"\xf5", 1, 1, "\xef\xbf\xbd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nt_text *t = run(cases[i].in, cases[i].len, 0);
        assert_int_equal(nt_text_replacements(t), cases[i].repl);
        size_t n = 0;
        const char *f = nt_text_form(t, NT_FORM_NFC, &n);
        assert_int_equal(n, strlen(cases[i].nfc));
        assert_memory_equal(f, cases[i].nfc, n);
        for (int k = 0; k < NT_FORM_COUNT; k++) {
            f = nt_text_form(t, (nt_form)k, &n);
            assert_int_equal(nt_utf8_validate(f, n, NULL), NT_OK);
        }
        nt_text_free(t);
    }
    /* U+FFFD of a truncated sequence maps back to its bytes */
    nt_text *t = run("ti\xe1\x80 x", 6, 0);
    size_t os = 0, oe = 0;
    assert_int_equal(nt_text_span(t, NT_FORM_NFC, 2, 5, &os, &oe), NT_OK);
    assert_int_equal(os, 2);
    assert_int_equal(oe, 4);
    nt_text_free(t);
}

static void test_nul_and_empty(void **state)
{
    (void)state;
    nt_text *t = run("xin\0chào", 9, 0);
    size_t n = 0;
    const char *f = nt_text_form(t, NT_FORM_NFC, &n);
    assert_int_equal(n, 9);
    assert_memory_equal(f, "xin\0chào", 9);
    assert_string_equal(nt_text_form(t, NT_FORM_NORM, NULL), "xin chào");
    nt_text_free(t);

    t = run("", 0, 0);
    for (int k = 0; k < NT_FORM_COUNT; k++) {
        f = nt_text_form(t, (nt_form)k, &n);
        assert_non_null(f);
        assert_int_equal(n, 0);
        assert_string_equal(f, "");
    }
    nt_text_tokens(t, &n);
    assert_int_equal(n, 0);
    nt_text_free(t);
    t = run(NULL, 0, 0);
    nt_text_free(t);
}

static void test_size_limit(void **state)
{
    (void)state;
    const size_t lim = NT_DEFAULT_MAX_MESSAGE_BYTES;
    char *big = malloc(lim + 1);
    assert_non_null(big);
    for (size_t i = 0; i < lim + 1; i++)
        big[i] = "chuyen khoan "[i % 13];
    nt_text_options o;
    nt_text_options_init(&o);
    nt_text *t = NULL;
    nt_diag d;
    assert_int_equal(nt_text_normalize(big, lim, &o, &t, &d), NT_OK);
    size_t n = 0;
    nt_text_tokens(t, &n);
    assert_true(n > 150000);
    nt_text_free(t);
    t = NULL;
    assert_int_equal(nt_text_normalize(big, lim + 1, &o, &t, &d), NT_ERR_TOO_BIG);
    assert_null(t);
    assert_int_equal(d.offset, lim);
    assert_non_null(strstr(d.message, "limit"));
    o.max_bytes = 10;
    assert_int_equal(nt_text_normalize(big, 11, &o, &t, &d), NT_ERR_TOO_BIG);
    assert_int_equal(nt_text_normalize(big, 10, &o, &t, &d), NT_OK);
    nt_text_free(t);
    free(big);
}

static void test_fold_helper(void **state)
{
    (void)state;
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(nt_text_fold("Chuyển Khoản Đi", strlen("Chuyển Khoản Đi"), &out, &n), NT_OK);
    assert_string_equal(out, "chuyen khoan di");
    assert_int_equal(n, 15);
    free(out);
    assert_int_equal(nt_text_fold("a\xc0\x80", 3, &out, &n), NT_ERR_UTF8);
    assert_int_equal(nt_text_fold("", 0, &out, &n), NT_OK);
    assert_string_equal(out, "");
    free(out);
    assert_string_equal(nt_form_name(NT_FORM_FOLD), "fold");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfd_equals_nfc),
        cmocka_unit_test(test_nfc_form_keeps_case),
        cmocka_unit_test(test_tone_placement),
        cmocka_unit_test(test_i_y),
        cmocka_unit_test(test_fold_equal_without_diacritics),
        cmocka_unit_test(test_zero_width),
        cmocka_unit_test(test_emoji),
        cmocka_unit_test(test_separators),
        cmocka_unit_test(test_rejoined_span),
        cmocka_unit_test(test_lookalikes),
        cmocka_unit_test(test_leet),
        cmocka_unit_test(test_squeeze),
        cmocka_unit_test(test_no_deobfuscate_flag),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_teencode_common),
        cmocka_unit_test(test_teencode_sentence),
        cmocka_unit_test(test_mixed_english),
        cmocka_unit_test(test_tokens_and_boundaries),
        cmocka_unit_test(test_whitespace_collapsed),
        cmocka_unit_test(test_span_exact),
        cmocka_unit_test(test_malformed_utf8),
        cmocka_unit_test(test_nul_and_empty),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_fold_helper),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
