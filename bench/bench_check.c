/*
 * bench/bench_check.c - messages per second for the whole check (normalise,
 * extract, rules, score) on one core over real SMS-length messages, beside a
 * naive baseline measured in the same run: the same normalisation, then the
 * same rule patterns matched one by one with PCRE2 (JIT) instead of one
 * Hyperscan database.  Prints one JSON object.
 *
 * Usage: bench_check [SHARED_DATA_DIR] [SECONDS_PER_ROUND]
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>

#include "benchutil.h"
#include "detect/rules_int.h"
#include "niemtin/niemtin.h"

typedef struct env {
    const bu_corpus *c;
    nt_engine *eng;
    nt_check_scratch *sc;
    nt_lexicon *lex;
    pcre2_code **re;
    pcre2_match_data *md;
    size_t nre, sink;
} env;

static void run_check(void *arg)
{
    env *e = arg;
    for (size_t i = 0; i < e->c->n; i++) {
        nt_check_result *r = NULL;
        if (nt_engine_check(e->eng, e->sc, e->c->msg[i], e->c->len[i], &r, NULL) == NT_OK)
            e->sink += (size_t)nt_check_risk(r);
        nt_check_result_free(r);
    }
}

/* Baseline: normalise, then every pattern on its own with PCRE2. */
static void run_naive(void *arg)
{
    env *e = arg;
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = e->lex;
    for (size_t i = 0; i < e->c->n; i++) {
        nt_text *t = NULL;
        if (nt_text_normalize(e->c->msg[i], e->c->len[i], &o, &t, NULL) != NT_OK)
            continue;
        size_t fl;
        const char *fold = nt_text_form(t, NT_FORM_FOLD, &fl);
        for (size_t k = 0; k < e->nre; k++)
            if (pcre2_match(e->re[k], (PCRE2_SPTR)fold, fl, 0, 0, e->md, NULL) >= 0)
                e->sink++;
        nt_text_free(t);
    }
}

int main(int argc, char **argv)
{
    const char *shared = bu_shared_dir(argc > 1 ? argv[1] : NULL);
    double secs = argc > 2 ? strtod(argv[2], NULL) : 0.5;
    char path[4096];
    bu_corpus c = {0};
    snprintf(path, sizeof path, "%s/sms-spam-vi-translated/dataset.csv", shared);
    bu_load_vi_csv(&c, path);
    if (c.n == 0) {
        fprintf(stderr, "bench_check: no messages under %s; skipping\n", shared);
        printf("{\"benchmark\":\"check\",\"skipped\":\"../shared/data not found\"}\n");
        return 0;
    }
    env e = {&c, NULL, NULL, NULL, NULL, NULL, 0, 0};
    nt_diag d;
    nt_diag_clear(&d);
    nt_engine_config cfg = {.data_dir = NT_SOURCE_DATA_DIR,
                            .cache_dir = getenv("NIEMTIN_CACHE_DIR")};
    if (nt_engine_open(&cfg, &e.eng, &d) || nt_check_scratch_new(e.eng, &e.sc) ||
        nt_lexicon_load(NT_SOURCE_DATA_DIR "/teencode.tsv", &e.lex, &d)) {
        char buf[512];
        fprintf(stderr, "bench_check: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return 1;
    }
    /* The same patterns, one PCRE2 program each (phrases as escaped literals
     * with the same word boundaries). */
    const nt_ruleset *rs = nt_engine_rules(e.eng);
    e.re = calloc(rs->npats ? rs->npats : 1, sizeof *e.re);
    for (size_t k = 0; k < rs->npats; k++) {
        const rpattern *p = &rs->pats[k];
        char expr[4096];
        if (p->kind == PAT_PHRASE)
            snprintf(expr, sizeof expr, "\\b\\Q%s\\E\\b", p->text);
        else
            snprintf(expr, sizeof expr, "%s", p->text);
        int err;
        PCRE2_SIZE off;
        e.re[e.nre] = pcre2_compile((PCRE2_SPTR)expr, PCRE2_ZERO_TERMINATED,
                                    PCRE2_CASELESS | PCRE2_UTF, &err, &off, NULL);
        if (e.re[e.nre]) {
            pcre2_jit_compile(e.re[e.nre], PCRE2_JIT_COMPLETE);
            e.nre++;
        }
    }
    e.md = pcre2_match_data_create(4, NULL);
    enum { ROUNDS = 5 };
    double t_check[ROUNDS], t_naive[ROUNDS];
    run_check(&e);
    for (int r = 0; r < ROUNDS; r++) {
        t_check[r] = bu_per_pass(run_check, &e, secs);
        t_naive[r] = bu_per_pass(run_naive, &e, secs);
    }
    double tc = bu_median(t_check, ROUNDS), tn = bu_median(t_naive, ROUNDS);
    size_t db_bytes = 0, scratch_bytes = 0;
    if (rs->db)
        hs_database_size(rs->db, &db_bytes);
    hs_scratch_t *probe = NULL;
    if (rs->db && hs_alloc_scratch(rs->db, &probe) == HS_SUCCESS) {
        hs_scratch_size(probe, &scratch_bytes);
        hs_free_scratch(probe);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_t *root = json_pack(
        "{s:s, s:{s:i, s:f}, s:i, s:i, s:s, s:{s:f, s:f}, s:{s:f, s:f}, s:f, s:i, s:b}",
        "benchmark", "check", "corpus", "messages", (int)c.n, "mean_bytes",
        (double)c.bytes / (double)c.n, "rules", (int)nt_ruleset_count(rs), "patterns",
        (int)rs->npats, "timing", "median of 5 rounds, thread CPU time, one core", "check",
        "msgs_per_s", (double)c.n / tc, "mb_per_s", (double)c.bytes / 1e6 / tc,
        "naive_normalize_plus_pcre2_each_pattern", "msgs_per_s", (double)c.n / tn, "mb_per_s",
        (double)c.bytes / 1e6 / tn, "speedup_vs_naive", tn / tc, "target_msgs_per_s", 50000,
        "meets_target", (double)c.n / tc >= 50000.0);
    json_object_set_new(root, "memory",
                        json_pack("{s:I, s:I, s:I, s:I}", "hyperscan_database_bytes",
                                  (json_int_t)db_bytes, "hyperscan_scratch_bytes",
                                  (json_int_t)scratch_bytes, "process_max_rss_bytes",
                                  (json_int_t)ru.ru_maxrss * 1024, "target_bytes",
                                  (json_int_t)64 * 1024 * 1024));
    char *out = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    puts(out);
    free(out);
    json_decref(root);
    fprintf(stderr, "(sink %zu)\n", e.sink);
    for (size_t k = 0; k < e.nre; k++)
        pcre2_code_free(e.re[k]);
    free(e.re);
    pcre2_match_data_free(e.md);
    nt_lexicon_free(e.lex);
    nt_check_scratch_free(e.sc);
    nt_engine_close(e.eng);
    bu_corpus_free(&c);
    return 0;
}
