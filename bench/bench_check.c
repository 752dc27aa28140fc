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
#include <string.h>
#include <time.h>

#include "detect/rules_int.h"
#include "niemtin/niemtin.h"

typedef struct corpus {
    char **msg;
    size_t *len;
    size_t n, cap, bytes;
} corpus;

static void add_msg(corpus *c, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->msg = realloc(c->msg, c->cap * sizeof *c->msg);
        c->len = realloc(c->len, c->cap * sizeof *c->len);
    }
    c->msg[c->n] = malloc(n + 1);
    memcpy(c->msg[c->n], s, n);
    c->msg[c->n][n] = '\0';
    c->len[c->n++] = n;
    c->bytes += n;
}

/* The text field of labels,texts_vi CSV (RFC 4180 quoting). */
static void load_vi_csv(corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)sz + 1), *field = malloc((size_t)sz + 1);
    size_t len = fread(b, 1, (size_t)sz, f);
    fclose(f);
    size_t i = 0;
    while (i < len && b[i] != '\n')
        i++;
    while (++i < len) {
        while (i < len && b[i] != ',' && b[i] != '\n')
            i++;
        if (i >= len || b[i] == '\n')
            continue;
        i++;
        size_t n = 0;
        if (b[i] == '"') {
            for (i++; i < len;) {
                if (b[i] == '"' && i + 1 < len && b[i + 1] == '"') {
                    field[n++] = '"';
                    i += 2;
                } else if (b[i] == '"') {
                    i++;
                    break;
                } else {
                    field[n++] = b[i++];
                }
            }
            while (i < len && b[i] != '\n')
                i++;
        } else {
            while (i < len && b[i] != '\n')
                field[n++] = b[i++];
        }
        add_msg(c, field, n);
    }
    free(field);
    free(b);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct env {
    const corpus *c;
    nt_engine *eng;
    nt_check_scratch *sc;
    nt_lexicon *lex;
    pcre2_code **re;
    pcre2_match_data *md;
    size_t nre, sink;
} env;

static void run_check(env *e)
{
    for (size_t i = 0; i < e->c->n; i++) {
        nt_check_result *r = NULL;
        if (nt_engine_check(e->eng, e->sc, e->c->msg[i], e->c->len[i], &r, NULL) == NT_OK)
            e->sink += (size_t)nt_check_risk(r);
        nt_check_result_free(r);
    }
}

/* Baseline: normalise, then every pattern on its own with PCRE2. */
static void run_naive(env *e)
{
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

static double per_pass(void (*fn)(env *), env *e, double secs)
{
    double t0 = cpu_now(), t;
    size_t passes = 0;
    do {
        fn(e);
        passes++;
        t = cpu_now() - t0;
    } while (t < secs);
    return t / (double)passes;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *shared = argc > 1 ? argv[1] : getenv("NT_SHARED_DATA");
    if (!shared)
        shared = NT_SOURCE_DATA_DIR "/../../shared/data";
    double secs = argc > 2 ? strtod(argv[2], NULL) : 0.5;
    char path[4096];
    corpus c = {0};
    snprintf(path, sizeof path, "%s/sms-spam-vi-translated/dataset.csv", shared);
    load_vi_csv(&c, path);
    if (c.n == 0) {
        fprintf(stderr, "bench_check: no messages under %s; skipping\n", shared);
        printf("{\"benchmark\":\"check\",\"skipped\":\"../shared/data not found\"}\n");
        return 0;
    }
    env e = {&c, NULL, NULL, NULL, NULL, NULL, 0, 0};
    nt_diag d;
    nt_diag_clear(&d);
    nt_engine_config cfg = {NT_SOURCE_DATA_DIR, NULL, 0, NULL};
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
        t_check[r] = per_pass(run_check, &e, secs);
        t_naive[r] = per_pass(run_naive, &e, secs);
    }
    qsort(t_check, ROUNDS, sizeof(double), cmp_d);
    qsort(t_naive, ROUNDS, sizeof(double), cmp_d);
    double tc = t_check[ROUNDS / 2], tn = t_naive[ROUNDS / 2];
    json_t *root = json_pack(
        "{s:s, s:{s:i, s:f}, s:i, s:i, s:s, s:{s:f, s:f}, s:{s:f, s:f}, s:f, s:i, s:b}",
        "benchmark", "check", "corpus", "messages", (int)c.n, "mean_bytes",
        (double)c.bytes / (double)c.n, "rules", (int)nt_ruleset_count(rs), "patterns",
        (int)rs->npats, "timing", "median of 5 rounds, thread CPU time, one core", "check",
        "msgs_per_s", (double)c.n / tc, "mb_per_s", (double)c.bytes / 1e6 / tc,
        "naive_normalize_plus_pcre2_each_pattern", "msgs_per_s", (double)c.n / tn, "mb_per_s",
        (double)c.bytes / 1e6 / tn, "speedup_vs_naive", tn / tc, "target_msgs_per_s", 50000,
        "meets_target", (double)c.n / tc >= 50000.0);
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
    for (size_t i = 0; i < c.n; i++)
        free(c.msg[i]);
    free(c.msg);
    free(c.len);
    return 0;
}
