/*
 * bench/bench_text.c - throughput of normalisation and indicator extraction
 * on one core, over real SMS-length messages (the SMS Spam Collection and its
 * Vietnamese translation in ../shared/data), beside a floor measured in the
 * same run over the same bytes: UTF-8 validation plus memcpy, the least any
 * text pipeline must do.  Prints one JSON object.
 *
 * Usage: bench_text [SHARED_DATA_DIR] [SECONDS_PER_ROUND]
 * Rates use the thread's CPU time, so a busy neighbour on a shared machine
 * slows the wall clock but not the figure; rounds alternate between the
 * measured pipelines and the median round is reported.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "niemtin/niemtin.h"

typedef struct env {
    const bu_corpus *c;
    nt_lexicon *lex;
    nt_extractor *ex;
    char *scratch;
    size_t sink;
} env;

static void run_floor(void *arg)
{
    env *e = arg;
    for (size_t i = 0; i < e->c->n; i++) {
        size_t bad;
        if (nt_utf8_validate(e->c->msg[i], e->c->len[i], &bad) == NT_OK)
            e->sink += bad;
        memcpy(e->scratch, e->c->msg[i], e->c->len[i]);
        e->sink += (unsigned char)e->scratch[e->c->len[i] / 2];
    }
}

static void run_normalize(void *arg)
{
    env *e = arg;
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = e->lex;
    for (size_t i = 0; i < e->c->n; i++) {
        nt_text *t = NULL;
        if (nt_text_normalize(e->c->msg[i], e->c->len[i], &o, &t, NULL) == NT_OK) {
            size_t n;
            nt_text_tokens(t, &n);
            e->sink += n;
        }
        nt_text_free(t);
    }
}

static void run_extract(void *arg)
{
    env *e = arg;
    for (size_t i = 0; i < e->c->n; i++) {
        nt_indicator_list *l = NULL;
        if (nt_extract(e->ex, e->c->msg[i], e->c->len[i], &l, NULL) == NT_OK)
            e->sink += nt_indicator_list_count(l);
        nt_indicator_list_free(l);
    }
}

static void run_both(void *arg)
{
    env *e = arg;
    run_normalize(e);
    run_extract(e);
}

int main(int argc, char **argv)
{
    const char *shared = bu_shared_dir(argc > 1 ? argv[1] : NULL);
    double secs = argc > 2 ? strtod(argv[2], NULL) : 0.5;
    char path[4096];
    bu_corpus c = {0};
    snprintf(path, sizeof path, "%s/sms-spam-vi-translated/dataset.csv", shared);
    size_t vi = bu_load_vi_csv(&c, path);
    snprintf(path, sizeof path, "%s/sms-spam-collection/SMSSpamCollection.tsv", shared);
    bu_load_tsv(&c, path);
    if (c.n == 0) {
        fprintf(stderr, "bench_text: no messages under %s (the public datasets); skipping\n",
                shared);
        printf("{\"benchmark\":\"text\",\"skipped\":\"../shared/data not found\"}\n");
        return 0;
    }
    env e = {&c, NULL, NULL, NULL, 0};
    size_t maxlen = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.len[i] > maxlen)
            maxlen = c.len[i];
    e.scratch = malloc(maxlen + 1);
    nt_diag d;
    nt_diag_clear(&d);
    nt_banks *banks = NULL;
    if (nt_lexicon_load(NT_SOURCE_DATA_DIR "/teencode.tsv", &e.lex, &d) ||
        nt_banks_load(NT_SOURCE_DATA_DIR "/banks.tsv", &banks, &d)) {
        char buf[512];
        fprintf(stderr, "bench_text: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return 1;
    }
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    o.banks = banks;
    o.context_path = NT_SOURCE_DATA_DIR "/indicator-context.tsv";
    if (nt_extractor_new(&o, &e.ex, &d)) {
        char buf[512];
        fprintf(stderr, "bench_text: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return 1;
    }
    enum { ROUNDS = 5 };
    double t_floor[ROUNDS], t_norm[ROUNDS], t_ext[ROUNDS], t_both[ROUNDS];
    run_both(&e); /* warm caches and lazy initialisation */
    for (int r = 0; r < ROUNDS; r++) {
        t_floor[r] = bu_per_pass(run_floor, &e, secs);
        t_norm[r] = bu_per_pass(run_normalize, &e, secs);
        t_ext[r] = bu_per_pass(run_extract, &e, secs);
        t_both[r] = bu_per_pass(run_both, &e, secs);
    }
    double mb = (double)c.bytes / 1e6;
    double f = bu_median(t_floor, ROUNDS), nn = bu_median(t_norm, ROUNDS),
           x = bu_median(t_ext, ROUNDS), b = bu_median(t_both, ROUNDS);
    json_t *root = json_pack(
        "{s:s, s:{s:i, s:i, s:i, s:f}, s:s, s:{s:f, s:f}, s:{s:f, s:f}, s:{s:f, s:f}, "
        "s:{s:f, s:f}, s:f, s:f, s:b}",
        "benchmark", "text",
        "corpus", "messages", (json_int_t)c.n, "vietnamese", (json_int_t)vi, "english",
        (json_int_t)(c.n - vi), "mean_bytes", (double)c.bytes / (double)c.n,
        "timing", "median of 5 rounds, thread CPU time, one core",
        "floor_utf8_validate_memcpy", "mb_per_s", mb / f, "msgs_per_s", (double)c.n / f,
        "normalize", "mb_per_s", mb / nn, "msgs_per_s", (double)c.n / nn,
        "extract", "mb_per_s", mb / x, "msgs_per_s", (double)c.n / x,
        "normalize_extract", "mb_per_s", mb / b, "msgs_per_s", (double)c.n / b,
        "fraction_of_floor", f / b,
        "target_mb_per_s", 100.0,
        "meets_target", mb / b >= 100.0);
    char *out = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    puts(out);
    free(out);
    json_decref(root);
    fprintf(stderr, "(sink %zu)\n", e.sink);
    nt_extractor_free(e.ex);
    nt_banks_free(banks);
    nt_lexicon_free(e.lex);
    free(e.scratch);
    bu_corpus_free(&c);
    return 0;
}
