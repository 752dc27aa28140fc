/*
 * tests/test_engine.c - the whole check (engine) and conversations: scores
 * combine evidence, a rule repeated across turns counts once, and the turn at
 * which a chat became dangerous is the one whose evidence tipped it.
 * Uses its own small rule set so the figures do not move when data/rules grows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "niemtin/niemtin.h"
#include "testutil.h"

static char rules_dir[] = "/tmp/nt-engine-rules-XXXXXX";
static nt_engine *eng;
static nt_check_scratch *sc;

static const char rules[] =
    "rule t.arrest {\n tactic: fear\n category: impersonation_police\n weight: 40\n"
    " vi: \"Đe doạ bắt\"\n en: \"Arrest threat\"\n any: \"lenh bat\"\n}\n"
    "rule t.secret {\n tactic: control\n weight: 30\n vi: \"Giữ bí mật\"\n en: \"Secrecy\"\n"
    " any: \"khong duoc noi voi ai\"\n}\n"
    "rule t.hotel {\n tactic: control\n category: online_kidnapping\n weight: 40\n"
    " vi: \"Thuê khách sạn một mình\"\n en: \"Hotel alone\"\n any: \"thue khach san\"\n}\n";

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(rules_dir))
        return -1;
    char path[256];
    snprintf(path, sizeof path, "%s/test.rules", rules_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(rules, f);
    fclose(f);
    /* rules only: the figures below test the rule scoring */
    nt_engine_config cfg = {.data_dir = getenv("NT_DATA_DIR"), .rules_dir = rules_dir,
                            .model_path = ""};
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_engine_open(&cfg, &eng, &d) != NT_OK) {
        char buf[512];
        fprintf(stderr, "%s\n", nt_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    return nt_check_scratch_new(eng, &sc) == NT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/test.rules", rules_dir);
    remove(path);
    rmdir(rules_dir);
    nt_check_scratch_free(sc);
    nt_engine_close(eng);
    return 0;
}

static nt_check_result *check(const char *text)
{
    nt_check_result *r = NULL;
    assert_int_equal(nt_engine_check(eng, sc, text, strlen(text), &r, NULL), NT_OK);
    return r;
}

static void test_scores_combine(void **state)
{
    (void)state;
    nt_check_result *r = check("Anh có lệnh bắt, không được nói với ai");
    /* noisy-OR: 1 - 0.6 * 0.7 = 0.58; levels at 40 / 50 (docs/scoring.md) */
    assert_int_equal(nt_level_threshold(NT_LEVEL_SUSPICIOUS), 40);
    assert_int_equal(nt_level_threshold(NT_LEVEL_DANGEROUS), 50);
    assert_int_equal(nt_check_risk(r), 58);
    assert_int_equal(nt_check_level(r), NT_LEVEL_DANGEROUS);
    assert_int_equal(nt_check_score(r, "fear"), 40);
    assert_int_equal(nt_check_score(r, "control"), 30);
    assert_int_equal(nt_check_score(r, "lure"), 0);
    assert_int_equal(nt_check_score(r, "impersonation_police"), 40);
    nt_check_result_free(r);
    r = check("Không được nói với ai nhé");
    assert_int_equal(nt_check_risk(r), 30);
    assert_int_equal(nt_check_level(r), NT_LEVEL_SAFE); /* one weak sign: below 40 */
    nt_check_result_free(r);
    r = check("Anh có lệnh bắt nhé");
    assert_int_equal(nt_check_level(r), NT_LEVEL_SUSPICIOUS); /* 40 */
    nt_check_result_free(r);
    r = check("Anh có lệnh bắt, không được nói với ai, thuê khách sạn ngay");
    assert_int_equal(nt_check_risk(r), 75); /* 1 - 0.6*0.7*0.6 = 0.748 */
    assert_int_equal(nt_check_level(r), NT_LEVEL_DANGEROUS);
    nt_check_result_free(r);
    r = check("");
    assert_int_equal(nt_check_risk(r), 0);
    assert_int_equal(nt_check_level(r), NT_LEVEL_SAFE);
    assert_string_equal(nt_level_name(nt_check_level(r)), "safe");
    nt_check_result_free(r);
}

static void test_conversation(void **state)
{
    (void)state;
    nt_conversation *c = NULL;
    assert_int_equal(nt_conversation_new(eng, &c), NT_OK);
    const char *turns[][2] = {
        {"A", "Chào em, anh là cán bộ điều tra"},
        {"B", "Dạ ai vậy ạ"},
        {"A", "Em có lệnh bắt"},
        {"A", "Em có lệnh bắt, nghe rõ chưa"}, /* same rule again: counts once */
        {"A", "Không được nói với ai"},
        {"B", "Dạ vâng"},
        {"A", "Giờ em đi thuê khách sạn ở một mình"},
    };
    for (size_t i = 0; i < sizeof turns / sizeof turns[0]; i++)
        assert_int_equal(nt_conversation_add(c, sc, turns[i][0], turns[i][1],
                                             strlen(turns[i][1]), NULL),
                         NT_OK);
    assert_int_equal(nt_conversation_turns(c), 7);
    assert_int_equal(nt_conversation_risk_at(c, 1), 0);
    assert_int_equal(nt_conversation_risk_at(c, 2), 40);
    assert_int_equal(nt_conversation_risk_at(c, 3), 40);
    assert_int_equal(nt_conversation_risk_at(c, 4), 58);
    assert_int_equal(nt_conversation_risk_at(c, 6), 75);
    assert_int_equal(nt_conversation_dangerous_turn(c), 4); /* 58 >= 50 */
    assert_int_equal(nt_conversation_level(c), NT_LEVEL_DANGEROUS);
    assert_string_equal(nt_conversation_speaker(c, 6), "A");
    assert_int_equal(nt_conversation_score(c, "control"), 58);
    assert_null(nt_conversation_turn(c, 7));
    nt_conversation_free(c);
}

static void test_open_errors(void **state)
{
    (void)state;
    nt_engine *bad = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_engine_config cfg = {.data_dir = "/nonexistent"};
    assert_int_equal(nt_engine_open(&cfg, &bad, &d), NT_ERR_IO);
    assert_null(bad);
    assert_non_null(strstr(d.source, "taxonomy.json"));
    nt_engine_config none = {.data_dir = NULL};
    assert_int_equal(nt_engine_open(&none, &bad, &d), NT_ERR_INVALID_ARG);
    /* message over the limit */
    nt_engine_config small = {
        .data_dir = getenv("NT_DATA_DIR"), .rules_dir = rules_dir, .model_path = "", .max_bytes = 10};
    nt_engine *e2 = NULL;
    assert_int_equal(nt_engine_open(&small, &e2, NULL), NT_OK);
    nt_check_scratch *s2 = NULL;
    assert_int_equal(nt_check_scratch_new(e2, &s2), NT_OK);
    nt_check_result *r = NULL;
    assert_int_equal(nt_engine_check(e2, s2, "01234567890", 11, &r, &d), NT_ERR_TOO_BIG);
    assert_null(r);
    nt_check_scratch_free(s2);
    nt_engine_close(e2);
}

static void write_rules(const char *dir, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/test.rules", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int has_rule(const nt_check_result *r, const char *id)
{
    const nt_rule_hits *h = nt_check_rule_hits(r);
    for (size_t i = 0; i < nt_rule_hits_count(h); i++)
        if (strcmp(nt_rule_hits_get(h, i)->id, id) == 0)
            return 1;
    return 0;
}

typedef struct checker {
    nt_engine *eng;
    volatile int stop;
    size_t checks, failures;
} checker;

static void *check_loop(void *arg)
{
    checker *k = arg;
    nt_check_scratch *s = NULL;
    if (nt_check_scratch_new(k->eng, &s) != NT_OK) {
        k->failures++;
        return NULL;
    }
    static const char msg[] = "Anh có lệnh bắt, không được nói với ai, thuê khách sạn ngay";
    while (!k->stop || k->checks < 50) {
        nt_check_result *r = NULL;
        if (nt_engine_check(k->eng, s, msg, sizeof msg - 1, &r, NULL) != NT_OK ||
            !has_rule(r, "t.arrest"))
            k->failures++;
        /* the rule set a result reports is the one it was matched against */
        const nt_rule_hits *h = nt_check_rule_hits(r);
        nt_rule_info info;
        for (size_t i = 0; i < nt_rule_hits_count(h); i++)
            if (nt_ruleset_info(nt_check_result_rules(r), nt_rule_hits_get(h, i)->rule, &info) !=
                    NT_OK ||
                strcmp(info.id, nt_rule_hits_get(h, i)->id) != 0)
                k->failures++;
        nt_check_result_free(r);
        k->checks++;
    }
    nt_check_scratch_free(s);
    return NULL;
}

/* Rules reload while the engine serves: a bad file changes nothing, a good one
 * applies to checks that start afterwards, and results, conversations and
 * scratches from before keep working (ASan would see a use after free). */
static void test_reload(void **state)
{
    (void)state;
    char dir[] = "/tmp/nt-engine-reload-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_rules(dir, rules);
    nt_engine_config cfg = {.data_dir = getenv("NT_DATA_DIR"), .rules_dir = dir, .model_path = ""};
    nt_engine *e = NULL;
    nt_check_scratch *s = NULL;
    assert_int_equal(nt_engine_open(&cfg, &e, NULL), NT_OK);
    assert_int_equal(nt_check_scratch_new(e, &s), NT_OK);
    assert_int_equal(nt_engine_generation(e), 1);

    static const char msg[] = "Anh có lệnh bắt, phải giữ bí mật tuyệt đối";
    nt_check_result *before = NULL, *after = NULL;
    assert_int_equal(nt_engine_check(e, s, msg, sizeof msg - 1, &before, NULL), NT_OK);
    assert_true(has_rule(before, "t.arrest"));
    assert_false(has_rule(before, "t.secret2"));
    nt_conversation *conv = NULL;
    assert_int_equal(nt_conversation_new(e, &conv), NT_OK);
    assert_int_equal(nt_conversation_add(conv, s, "x", msg, sizeof msg - 1, NULL), NT_OK);

    /* a rules file with an error: rejected with its position, old rules stay */
    write_rules(dir, "rule t.arrest {\n tactic: fear\n weight: 400\n}\n");
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_engine_reload(e, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.source, "test.rules"));
    assert_true(d.line > 0);
    assert_int_equal(nt_engine_generation(e), 1);
    assert_int_equal(nt_engine_check(e, s, msg, sizeof msg - 1, &after, NULL), NT_OK);
    assert_true(has_rule(after, "t.arrest"));
    nt_check_result_free(after);

    /* a good file with one more rule, reloaded while another thread checks */
    checker k = {e, 0, 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, check_loop, &k), 0);
    char more[sizeof rules + 256];
    snprintf(more, sizeof more,
             "%srule t.secret2 {\n tactic: control\n weight: 30\n vi: \"Bí mật\"\n"
             " en: \"Secret\"\n any: \"giu bi mat\"\n}\n",
             rules);
    write_rules(dir, more);
    for (int i = 0; i < 3; i++)
        assert_int_equal(nt_engine_reload(e, &d), NT_OK);
    k.stop = 1;
    pthread_join(th, NULL);
    assert_int_equal(k.failures, 0);
    assert_int_equal(nt_engine_generation(e), 4);
    assert_int_equal(nt_ruleset_count(nt_engine_rules(e)), 4);

    assert_int_equal(nt_engine_check(e, s, msg, sizeof msg - 1, &after, NULL), NT_OK);
    assert_true(has_rule(after, "t.secret2"));
    nt_check_result_free(after);
    /* the old result and the chat still read the rules they began with */
    nt_rule_info info;
    assert_int_equal(nt_ruleset_count(nt_check_result_rules(before)), 3);
    assert_int_equal(nt_ruleset_info(nt_check_result_rules(before),
                                     nt_rule_hits_get(nt_check_rule_hits(before), 0)->rule, &info),
                     NT_OK);
    assert_int_equal(nt_ruleset_count(nt_conversation_rules(conv)), 3);
    assert_int_equal(nt_conversation_add(conv, s, "x", msg, sizeof msg - 1, NULL), NT_OK);
    assert_false(has_rule(nt_conversation_turn(conv, 1), "t.secret2"));
    assert_int_equal(nt_conversation_score(conv, "fear"), 40);
    assert_int_equal(nt_conversation_score(conv, "control"), 0);
    nt_check_result_free(before);
    nt_conversation_free(conv);
    nt_check_scratch_free(s);
    nt_engine_close(e);
    char path[256];
    snprintf(path, sizeof path, "%s/test.rules", dir);
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scores_combine),
        cmocka_unit_test(test_conversation),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_reload),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
