/*
 * tests/test_rule_examples.c - every rule in data/rules must fire on each of
 * its `example:` messages and must not fire on any of its `counter:`
 * messages.  Rules carry their own tests; adding a rule needs no C.
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

static void test_every_rule_example(void **state)
{
    (void)state;
    nt_taxonomy *tax = NULL;
    nt_lexicon *lex = NULL;
    nt_banks *banks = NULL;
    nt_extractor *ex = NULL;
    nt_ruleset *rs = NULL;
    nt_rule_scratch *sc = NULL;
    nt_diag d;
    char buf[512];
    nt_diag_clear(&d);
    nt_err rc = nt_taxonomy_load(tu_data_path("taxonomy.json"), &tax, &d);
    if (!rc)
        rc = nt_lexicon_load(tu_data_path("teencode.tsv"), &lex, &d);
    if (!rc)
        rc = nt_banks_load(tu_data_path("banks.tsv"), &banks, &d);
    if (!rc)
        rc = nt_ruleset_load_dir_cached(tu_data_path("rules"), tax, getenv("NIEMTIN_CACHE_DIR"),
                                        &rs, &d);
    if (rc)
        fprintf(stderr, "%s\n", nt_diag_format(&d, buf, sizeof buf));
    assert_int_equal(rc, NT_OK);
    nt_extractor_options eo;
    nt_extractor_options_init(&eo);
    eo.banks = banks;
    eo.context_path = tu_data_path("indicator-context.tsv");
    assert_int_equal(nt_extractor_new(&eo, &ex, NULL), NT_OK);
    assert_int_equal(nt_rule_scratch_new(rs, &sc), NT_OK);
    nt_text_options to;
    nt_text_options_init(&to);
    to.teencode = lex;

    size_t failures = 0, checked = 0, without = 0;
    for (size_t i = 0; i < nt_ruleset_count(rs); i++) {
        nt_rule_info info;
        assert_int_equal(nt_ruleset_info(rs, i, &info), NT_OK);
        if (info.nexamples == 0 || info.ncounters == 0) {
            fprintf(stderr, "rule %s: needs at least one example: and one counter:\n", info.id);
            without++;
        }
        for (size_t k = 0; k < info.nexamples + info.ncounters; k++) {
            int positive = k < info.nexamples;
            const char *msg = positive ? info.examples[k] : info.counters[k - info.nexamples];
            nt_text *t = NULL;
            nt_indicator_list *inds = NULL;
            nt_rule_hits *h = NULL;
            assert_int_equal(nt_text_normalize(msg, strlen(msg), &to, &t, NULL), NT_OK);
            assert_int_equal(nt_extract(ex, msg, strlen(msg), &inds, NULL), NT_OK);
            assert_int_equal(nt_ruleset_match(rs, sc, t, inds, &h), NT_OK);
            int fired = 0;
            for (size_t j = 0; j < nt_rule_hits_count(h); j++)
                fired |= nt_rule_hits_get(h, j)->rule == i;
            if (fired != positive) {
                fprintf(stderr, "rule %s: %s %s\n  \"%s\"\n  folded: %s\n", info.id,
                        positive ? "did not fire on its example" : "fired on its counter",
                        positive ? "" : "", msg, nt_text_form(t, NT_FORM_FOLD, NULL));
                failures++;
            }
            checked++;
            nt_rule_hits_free(h);
            nt_indicator_list_free(inds);
            nt_text_free(t);
        }
    }
    fprintf(stderr, "%zu rules, %zu examples and counters checked, %zu failures\n",
            nt_ruleset_count(rs), checked, failures);
    nt_rule_scratch_free(sc);
    nt_ruleset_free(rs);
    nt_extractor_free(ex);
    nt_banks_free(banks);
    nt_lexicon_free(lex);
    nt_taxonomy_free(tax);
    assert_int_equal(without, 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
