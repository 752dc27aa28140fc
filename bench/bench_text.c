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
#include <time.h>

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

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

/* labels,texts_vi CSV with RFC 4180 quoting: take the second field. */
static void load_vi_csv(corpus *c, const char *path)
{
    size_t len;
    char *b = slurp(path, &len);
    if (!b)
        return;
    size_t i = 0;
    while (i < len && b[i] != '\n')
        i++; /* header */
    char *field = malloc(len + 1);
    while (++i < len) {
        while (i < len && b[i] != ',' && b[i] != '\n')
            i++; /* label */
        if (i >= len || b[i] == '\n')
            continue;
        i++;
        size_t n = 0;
        if (b[i] == '"') {
            i++;
            while (i < len) {
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

/* label<TAB>text lines with a header. */
static void load_tsv(corpus *c, const char *path)
{
    size_t len;
    char *b = slurp(path, &len);
    if (!b)
        return;
    char *p = strchr(b, '\n');
    while (p && *++p) {
        char *nl = strchr(p, '\n');
        char *tab = memchr(p, '\t', nl ? (size_t)(nl - p) : strlen(p));
        if (tab) {
            size_t n = (nl ? (size_t)(nl - tab) : strlen(tab)) - 1;
            if (n && tab[n] == '\r')
                n--;
            add_msg(c, tab + 1, n);
        }
        p = nl;
    }
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
    nt_lexicon *lex;
    nt_extractor *ex;
    char *scratch;
    size_t sink;
} env;

static void run_floor(env *e)
{
    for (size_t i = 0; i < e->c->n; i++) {
        size_t bad;
        if (nt_utf8_validate(e->c->msg[i], e->c->len[i], &bad) == NT_OK)
            e->sink += bad;
        memcpy(e->scratch, e->c->msg[i], e->c->len[i]);
        e->sink += (unsigned char)e->scratch[e->c->len[i] / 2];
    }
}

static void run_normalize(env *e)
{
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

static void run_extract(env *e)
{
    for (size_t i = 0; i < e->c->n; i++) {
        nt_indicator_list *l = NULL;
        if (nt_extract(e->ex, e->c->msg[i], e->c->len[i], &l, NULL) == NT_OK)
            e->sink += nt_indicator_list_count(l);
        nt_indicator_list_free(l);
    }
}

static void run_both(env *e)
{
    run_normalize(e);
    run_extract(e);
}

/* CPU seconds for one pass over the corpus, repeated for at least `secs`. */
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
    size_t vi = c.n;
    snprintf(path, sizeof path, "%s/sms-spam-collection/SMSSpamCollection.tsv", shared);
    load_tsv(&c, path);
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
        t_floor[r] = per_pass(run_floor, &e, secs);
        t_norm[r] = per_pass(run_normalize, &e, secs);
        t_ext[r] = per_pass(run_extract, &e, secs);
        t_both[r] = per_pass(run_both, &e, secs);
    }
    qsort(t_floor, ROUNDS, sizeof(double), cmp_d);
    qsort(t_norm, ROUNDS, sizeof(double), cmp_d);
    qsort(t_ext, ROUNDS, sizeof(double), cmp_d);
    qsort(t_both, ROUNDS, sizeof(double), cmp_d);
    double mb = (double)c.bytes / 1e6;
    double f = t_floor[ROUNDS / 2], nn = t_norm[ROUNDS / 2], x = t_ext[ROUNDS / 2],
           b = t_both[ROUNDS / 2];
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
    for (size_t i = 0; i < c.n; i++)
        free(c.msg[i]);
    free(c.msg);
    free(c.len);
    return 0;
}
