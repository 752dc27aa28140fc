/*
 * tests/test_check_cases.c - the whole check (shipped rules and model) on the
 * cases in tests/cases/check.jsonl, one JSON object a line:
 *   {"name", "text", "level": "safe|suspicious|dangerous" (optional),
 *    "min_risk", "max_risk" (optional), "tactics": [...] that must score > 0,
 *    "no_tactics": [...] that must score 0, "rules": [...] that must fire,
 *    "not_rules": [...] that must not}
 * In the style of rspamd's functional tests: adding a case needs no C.
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

#include "niemtin/niemtin.h"
#include "testutil.h"

static nt_engine *eng;
static nt_check_scratch *sc;

static int setup(void **state)
{
    (void)state;
    nt_engine_config cfg = {.data_dir = getenv("NT_DATA_DIR"),
                            .cache_dir = getenv("NIEMTIN_CACHE_DIR")};
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
    nt_check_scratch_free(sc);
    nt_engine_close(eng);
    return 0;
}

static int fired(const nt_check_result *r, const char *id)
{
    const nt_rule_hits *h = nt_check_rule_hits(r);
    for (size_t i = 0; i < nt_rule_hits_count(h); i++)
        if (strcmp(nt_rule_hits_get(h, i)->id, id) == 0)
            return 1;
    return 0;
}

static void run_case(void **state)
{
    json_t *c = *state;
    const char *name = json_string_value(json_object_get(c, "name"));
    json_t *tj = json_object_get(c, "text");
    nt_check_result *r = NULL;
    assert_int_equal(nt_engine_check(eng, sc, json_string_value(tj), json_string_length(tj), &r,
                                     NULL),
                     NT_OK);
    int ok = 1, risk = nt_check_risk(r);
    const char *level = json_string_value(json_object_get(c, "level"));
    if (level && strcmp(level, nt_level_name(nt_check_level(r))) != 0) {
        fprintf(stderr, "  %s: level %s, want %s\n", name, nt_level_name(nt_check_level(r)),
                level);
        ok = 0;
    }
    json_t *mn = json_object_get(c, "min_risk"), *mx = json_object_get(c, "max_risk");
    if ((mn && risk < json_integer_value(mn)) || (mx && risk > json_integer_value(mx))) {
        fprintf(stderr, "  %s: risk %d outside [%lld, %lld]\n", name, risk,
                mn ? (long long)json_integer_value(mn) : 0LL,
                mx ? (long long)json_integer_value(mx) : 100LL);
        ok = 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(c, "tactics"), i, v) if (nt_check_score(r, json_string_value(v)) == 0)
    {
        fprintf(stderr, "  %s: tactic %s not found\n", name, json_string_value(v));
        ok = 0;
    }
    json_array_foreach(json_object_get(c, "no_tactics"), i, v) if (nt_check_score(r, json_string_value(v)) != 0)
    {
        fprintf(stderr, "  %s: tactic %s found\n", name, json_string_value(v));
        ok = 0;
    }
    json_array_foreach(json_object_get(c, "rules"), i, v) if (!fired(r, json_string_value(v)))
    {
        fprintf(stderr, "  %s: rule %s did not fire\n", name, json_string_value(v));
        ok = 0;
    }
    json_array_foreach(json_object_get(c, "not_rules"), i, v) if (fired(r, json_string_value(v)))
    {
        fprintf(stderr, "  %s: rule %s fired\n", name, json_string_value(v));
        ok = 0;
    }
    if (!ok) {
        const nt_rule_hits *h = nt_check_rule_hits(r);
        fprintf(stderr, "    risk %d; rules:", risk);
        for (size_t k = 0; k < nt_rule_hits_count(h); k++)
            fprintf(stderr, " %s", nt_rule_hits_get(h, k)->id);
        fprintf(stderr, "; model scam %.2f\n", nt_check_model_prob(r, NT_LABEL_SCAM));
    }
    nt_check_result_free(r);
    assert_true(ok);
}

int main(void)
{
    json_t *cases[512];
    struct CMUnitTest tests[512];
    long n = tu_load_cases("check.jsonl", run_case, cases, tests, 512);
    if (n < 0)
        return 1;
    int rc = _cmocka_run_group_tests("check", tests, (size_t)n, setup, teardown);
    for (long i = 0; i < n; i++)
        json_decref(cases[i]);
    return rc;
}
