/*
 * bench/bench_model.c - throughput of the statistical model on one core:
 * messages scored per second by nt_model_predict alone (the message already
 * normalised and its indicators extracted, as in the pipeline), with and
 * without an explanation, beside the cost of normalising the same messages
 * measured in the same run.  Messages: the English SMS Spam Collection in
 * ../shared/data.  Prints one JSON object.
 *
 * Usage: bench_model [SHARED_DATA_DIR] [MODEL] [SECONDS_PER_ROUND]
 * Rates use the thread's CPU time; rounds alternate and the median is kept.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "niemtin/niemtin.h"

#define ROUNDS 5

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *shared = argc > 1 ? argv[1] : "../shared/data";
    const char *model = argc > 2 ? argv[2] : NT_SOURCE_DATA_DIR "/models/niemtin.model";
    double secs = argc > 3 ? strtod(argv[3], NULL) : 0.5;
    char path[4096];
    snprintf(path, sizeof path, "%s/sms-spam-collection/SMSSpamCollection.tsv", shared);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_model: %s: cannot open\n", path);
        return 1;
    }
    nt_diag d;
    nt_model *m = NULL;
    nt_lexicon *lex = NULL;
    if (nt_model_load(model, &m, &d) != NT_OK ||
        nt_lexicon_load(NT_SOURCE_DATA_DIR "/teencode.tsv", &lex, &d) != NT_OK) {
        char buf[512];
        fprintf(stderr, "bench_model: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return 1;
    }
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = lex;
    size_t n = 0, cap = 8192, bytes = 0;
    nt_text **texts = malloc(cap * sizeof *texts);
    char **raw = malloc(cap * sizeof *raw);
    char line[65536];
    fgets(line, sizeof line, f); /* header */
    while (n < cap && fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        size_t len = strcspn(tab + 1, "\r\n");
        raw[n] = strndup(tab + 1, len);
        if (nt_text_normalize(raw[n], len, &o, &texts[n], NULL) != NT_OK)
            return 1;
        bytes += len;
        n++;
    }
    fclose(f);

    double rate[3][ROUNDS];
    double sink = 0;
    nt_model_explain ex;
    for (int r = 0; r < ROUNDS; r++) {
        for (int which = 0; which < 3; which++) {
            size_t done = 0;
            double t0 = cpu_now(), t;
            do {
                for (size_t i = 0; i < n; i++) {
                    double p[NT_MODEL_LABELS];
                    if (which == 2) {
                        nt_text *t2 = NULL;
                        nt_text_normalize(raw[i], strlen(raw[i]), &o, &t2, NULL);
                        nt_text_free(t2);
                        continue;
                    }
                    nt_model_predict(m, texts[i], NULL, NULL, p, which == 1 ? &ex : NULL);
                    sink += p[0];
                }
                done += n;
                t = cpu_now() - t0;
            } while (t < secs);
            rate[which][r] = (double)done / t;
        }
    }
    for (int w = 0; w < 3; w++)
        qsort(rate[w], ROUNDS, sizeof rate[w][0], cmp_double);
    json_t *out =
        json_pack("{s:s,s:I,s:I,s:i,s:f,s:f,s:f,s:f}", "bench", "model", "messages", (json_int_t)n,
                  "bytes", (json_int_t)bytes, "hash_bits", (int)nt_model_hash_bits(m),
                  "predict_per_sec", rate[0][ROUNDS / 2], "predict_explain_per_sec",
                  rate[1][ROUNDS / 2], "normalize_per_sec", rate[2][ROUNDS / 2], "checksum", sink);
    json_dumpf(out, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(out);
    for (size_t i = 0; i < n; i++) {
        nt_text_free(texts[i]);
        free(raw[i]);
    }
    free(texts);
    free(raw);
    nt_model_free(m);
    nt_lexicon_free(lex);
    return 0;
}
