/*
 * tests/test_rules.c - the rule language: parsing, precise errors, and
 * matching on real Vietnamese messages (with and without diacritics, in
 * teencode), with evidence spans in the original text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "niemtin/niemtin.h"
#include "testutil.h"

static nt_taxonomy *tax;
static nt_lexicon *lex;
static nt_banks *banks;
static nt_extractor *ex;

static int setup(void **state)
{
    (void)state;
    nt_diag d;
    char buf[512];
    nt_diag_clear(&d);
    if (nt_taxonomy_load(tu_data_path("taxonomy.json"), &tax, &d) ||
        nt_lexicon_load(tu_data_path("teencode.tsv"), &lex, &d) ||
        nt_banks_load(tu_data_path("banks.tsv"), &banks, &d)) {
        fprintf(stderr, "setup: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    o.banks = banks;
    o.context_path = tu_data_path("indicator-context.tsv");
    return nt_extractor_new(&o, &ex, &d) == NT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    nt_extractor_free(ex);
    nt_banks_free(banks);
    nt_lexicon_free(lex);
    nt_taxonomy_free(tax);
    return 0;
}

static const char rules_src[] =
    "# test rules\n"
    "rule fear.arrest {\n"
    "  tactic: fear\n"
    "  category: impersonation_police\n"
    "  weight: 30\n"
    "  vi: \"Đe doạ bắt giữ\"\n"
    "  en: \"Threatens arrest\"\n"
    "  any: \"lệnh bắt\", \"bat tam giam\", /khoi to (vu an|hinh su)/\n"
    "  unless: \"khong bao gio yeu cau\"\n"
    "}\n"
    "rule control.transfer_now {\n"
    "  tactic: control\n"
    "  weight: 25\n"
    "  vi: \"Đòi chuyển tiền ngay\"\n"
    "  en: \"Demands an immediate transfer\"\n"
    "  near: \"chuyen khoan\" ~4 \"ngay\"\n"
    "  needs: bank | phone\n"
    "}\n"
    "rule lure.prize {\n"
    "  tactic: lure\n"
    "  category: prize_gift\n"
    "  weight: 20\n"
    "  vi: \"Trúng thưởng\"\n"
    "  en: \"Prize\"\n"
    "  all: \"trung thuong\", \"phi\"\n"
    "  example: \"Chúc mừng bạn trúng thưởng xe SH, nộp phí 2tr để nhận\"\n"
    "  counter: \"Bạn trúng thưởng rồi, quà gửi về nhà miễn cước\"\n"
    "}\n";

static nt_ruleset *load_test_rules(void)
{
    nt_ruleset *rs = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_ruleset_parse(rules_src, strlen(rules_src), "test.rules", tax, &rs, &d);
    if (rc) {
        char buf[512];
        fprintf(stderr, "%s\n", nt_diag_format(&d, buf, sizeof buf));
    }
    assert_int_equal(rc, NT_OK);
    return rs;
}

/* Match text; returns the hits (caller frees). */
static nt_rule_hits *run(const nt_ruleset *rs, nt_rule_scratch *sc, const char *text)
{
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = lex;
    nt_text *t = NULL;
    nt_indicator_list *inds = NULL;
    nt_rule_hits *h = NULL;
    assert_int_equal(nt_text_normalize(text, strlen(text), &o, &t, NULL), NT_OK);
    assert_int_equal(nt_extract(ex, text, strlen(text), &inds, NULL), NT_OK);
    assert_int_equal(nt_ruleset_match(rs, sc, t, inds, &h), NT_OK);
    nt_text_free(t);
    nt_indicator_list_free(inds);
    return h;
}

static const nt_rule_hit *find_hit(const nt_rule_hits *h, const char *id)
{
    for (size_t i = 0; i < nt_rule_hits_count(h); i++)
        if (strcmp(nt_rule_hits_get(h, i)->id, id) == 0)
            return nt_rule_hits_get(h, i);
    return NULL;
}

static void test_parse_and_info(void **state)
{
    (void)state;
    nt_ruleset *rs = load_test_rules();
    assert_int_equal(nt_ruleset_count(rs), 3);
    nt_rule_info info;
    assert_int_equal(nt_ruleset_info(rs, 0, &info), NT_OK);
    assert_string_equal(info.id, "fear.arrest");
    assert_string_equal(info.tactic, "fear");
    assert_string_equal(info.category, "impersonation_police");
    assert_int_equal(info.weight, 30);
    assert_string_equal(info.text_vi, "Đe doạ bắt giữ");
    assert_int_equal(nt_ruleset_info(rs, 2, &info), NT_OK);
    assert_int_equal(info.nexamples, 1);
    assert_int_equal(info.ncounters, 1);
    assert_int_equal(nt_ruleset_info(rs, 3, &info), NT_ERR_INVALID_ARG);
    nt_ruleset_free(rs);
}

static void test_match_forms_and_spans(void **state)
{
    (void)state;
    nt_ruleset *rs = load_test_rules();
    nt_rule_scratch *sc = NULL;
    assert_int_equal(nt_rule_scratch_new(rs, &sc), NT_OK);
    /* accented, unaccented, NFD, obfuscated: all fire, span = what was written */
    const char *texts[] = {
        "Anh có lệnh bắt tạm giam của công an quận",
        "anh co lenh bat tam giam cua cong an",
        "Anh co le\xcc\xa3nh ba\xcc\x86\xcc\x81t nha",
        "Vien kiem sat se khoi to vu an neu anh khong hop tac",
    };
    /* overlapping matches ("lệnh bắt", "bắt tạm giam") merge into one span */
    const char *spans[] = {"lệnh bắt tạm giam", "lenh bat tam giam",
                           "le\xcc\xa3nh ba\xcc\x86\xcc\x81t", "khoi to vu an"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        nt_rule_hits *h = run(rs, sc, texts[i]);
        const nt_rule_hit *hit = find_hit(h, "fear.arrest");
        assert_non_null(hit);
        assert_true(hit->nspans >= 1);
        size_t s = hit->spans[0].start, e = hit->spans[0].end;
        assert_int_equal(e - s, strlen(spans[i]));
        assert_memory_equal(texts[i] + s, spans[i], e - s);
        nt_rule_hits_free(h);
    }
    /* unless suppresses */
    nt_rule_hits *h = run(rs, sc, "Công an khuyến cáo: không bao giờ yêu cầu chuyển tiền, "
                                  "kể cả khi nói có lệnh bắt");
    assert_null(find_hit(h, "fear.arrest"));
    nt_rule_hits_free(h);
    /* a benign message fires nothing */
    h = run(rs, sc, "Mai cả nhà về quê ăn giỗ nhé con");
    assert_int_equal(nt_rule_hits_count(h), 0);
    nt_rule_hits_free(h);
    nt_rule_scratch_free(sc);
    nt_ruleset_free(rs);
}

static void test_near_needs_all(void **state)
{
    (void)state;
    nt_ruleset *rs = load_test_rules();
    nt_rule_scratch *sc = NULL;
    assert_int_equal(nt_rule_scratch_new(rs, &sc), NT_OK);
    /* teencode "ck" expands to "chuyển khoản"; near "ngay" within 4 tokens; needs a bank */
    nt_rule_hits *h = run(rs, sc, "ck ngay 5tr vao STK 0123456789 Vietcombank");
    assert_non_null(find_hit(h, "control.transfer_now"));
    nt_rule_hits_free(h);
    /* too far apart */
    h = run(rs, sc, "ck cho minh nhe, khi nao ranh thi gui lai sau ngay mai STK 0123456789 VCB");
    assert_null(find_hit(h, "control.transfer_now"));
    nt_rule_hits_free(h);
    /* no indicator: needs fails */
    h = run(rs, sc, "chuyen khoan ngay cho me nhe");
    assert_null(find_hit(h, "control.transfer_now"));
    nt_rule_hits_free(h);
    /* all: both phrases required; example and counter from the rule itself */
    nt_rule_info info;
    assert_int_equal(nt_ruleset_info(rs, 2, &info), NT_OK);
    h = run(rs, sc, info.examples[0]);
    assert_non_null(find_hit(h, "lure.prize"));
    nt_rule_hits_free(h);
    h = run(rs, sc, info.counters[0]);
    assert_null(find_hit(h, "lure.prize"));
    nt_rule_hits_free(h);
    nt_rule_scratch_free(sc);
    nt_ruleset_free(rs);
}

typedef struct bad_case {
    const char *src;
    unsigned line, col;
    const char *msg;
} bad_case;

static void test_errors_have_positions(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"rule a {\n  tactic: fear\n  colour: red\n}\n", 3, 3, "unknown field 'colour'"},
        {"rule a {\n  tactic: anger\n}\n", 2, 11, "unknown tactic 'anger'"},
        {"rule a {\n  category: bogus_cat\n}\n", 2, 13, "unknown category"},
        {"rule a {\n  tactic: fear\n  vi: \"x\"\n  en: \"x\"\n  any: \"a\"\n}\n", 1, 1,
         "has no weight"},
        {"rule a {\n  tactic: fear\n  weight: 500\n}\n", 3, 11, "1 to 100"},
        {"rule a {\n  tactic: fear\n  weight: 5\n  vi: \"x\"\n  en: \"x\"\n}\n", 1, 1,
         "no any:, all: or near:"},
        {"rule a {\n  any: \"unterminated\n}\n", 2, 8, "unterminated string"},
        {"rule a {\n  tactic: fear\n  weight: 5\n  vi: \"x\"\n  en: \"x\"\n  any: \"a\"\n}\n"
         "rule a {\n}\n",
         8, 6, "duplicate rule id 'a'"},
        {"rule a {\n  tactic: fear\n  weight: 5\n  vi: \"x\"\n  en: \"x\"\n  any: /(a)\\1/\n}\n", 6,
         8, "pattern rejected"},
        {"rule a {\n  tactic: fear\n  weight: 5\n  vi: \"x\"\n  en: \"x\"\n  any: \"a\"\n", 1, 1,
         "not closed"},
        {"rule a {\n  near: \"a\" ~ \"b\"\n}\n", 2, 15, "distance"},
        {"rule a {\n  needs: telepathy\n}\n", 2, 10, "unknown indicator type"},
        {"rule a {\n  any: \"a  b\"\n}\n", 2, 8, "single spaces"},
        {"rule a {\n  any: \"\xff\"\n}\n", 2, 9, "invalid UTF-8"},
        {"rulez a {}\n", 1, 1, "expected 'rule'"},
        {"rule a { tactic fear }\n", 1, 17, "expected ':'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nt_ruleset *rs = NULL;
        nt_diag d;
        nt_diag_clear(&d);
        nt_err rc = nt_ruleset_parse(cases[i].src, strlen(cases[i].src), "bad.rules", tax, &rs,
                                     &d);
        if (rc != NT_ERR_PARSE || d.line != cases[i].line || d.col != cases[i].col ||
            !strstr(d.message, cases[i].msg)) {
            char buf[512];
            fprintf(stderr, "case %zu: rc=%d %s (want %u:%u %s)\n", i, rc,
                    nt_diag_format(&d, buf, sizeof buf), cases[i].line, cases[i].col,
                    cases[i].msg);
        }
        assert_int_equal(rc, NT_ERR_PARSE);
        assert_null(rs);
        assert_string_equal(d.source, "bad.rules");
        assert_int_equal(d.line, cases[i].line);
        assert_int_equal(d.col, cases[i].col);
        assert_non_null(strstr(d.message, cases[i].msg));
    }
}

static void test_empty_and_comments_only(void **state)
{
    (void)state;
    nt_ruleset *rs = NULL;
    const char *src = "# nothing but a comment\n\n";
    assert_int_equal(nt_ruleset_parse(src, strlen(src), "c.rules", tax, &rs, NULL), NT_OK);
    assert_int_equal(nt_ruleset_count(rs), 0);
    nt_rule_scratch *sc = NULL;
    assert_int_equal(nt_rule_scratch_new(rs, &sc), NT_OK);
    nt_rule_hits *h = run(rs, sc, "bất kỳ");
    assert_int_equal(nt_rule_hits_count(h), 0);
    nt_rule_hits_free(h);
    nt_rule_scratch_free(sc);
    nt_ruleset_free(rs);
}

static void test_taxonomy(void **state)
{
    (void)state;
    assert_int_equal(nt_taxonomy_tactic_count(tax), 3);
    assert_true(nt_taxonomy_has_tactic(tax, "fear"));
    assert_true(nt_taxonomy_has_tactic(tax, "lure"));
    assert_true(nt_taxonomy_has_tactic(tax, "control"));
    assert_false(nt_taxonomy_has_tactic(tax, "anger"));
    assert_true(nt_taxonomy_category_count(tax) >= 17);
    assert_true(nt_taxonomy_has_category(tax, "online_kidnapping"));
    assert_non_null(nt_taxonomy_text(tax, "fear", "name_vi"));
    assert_non_null(nt_taxonomy_text(tax, "dangerous", "advice_en"));
    assert_null(nt_taxonomy_text(tax, "fear", "no_such_field"));
    /* malformed taxonomy files: position or entry named */
    char path[] = "/tmp/nt-tax-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("{\"tactics\": [\n  {\"id\": \"fear\",}\n]}\n", f);
    fclose(f);
    nt_taxonomy *bad = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_taxonomy_load(path, &bad, &d), NT_ERR_PARSE);
    assert_int_equal(d.line, 2);
    f = fopen(path, "w");
    fputs("{\"tactics\": [{\"id\": \"fear\"}], \"categories\": [], \"levels\": []}", f);
    fclose(f);
    assert_int_equal(nt_taxonomy_load(path, &bad, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "name_vi"));
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxonomy),
        cmocka_unit_test(test_parse_and_info),
        cmocka_unit_test(test_match_forms_and_spans),
        cmocka_unit_test(test_near_needs_all),
        cmocka_unit_test(test_errors_have_positions),
        cmocka_unit_test(test_empty_and_comments_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
