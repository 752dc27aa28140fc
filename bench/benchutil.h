/*
 * bench/benchutil.h - what every benchmark shares: the SMS corpora from
 * ../shared/data, thread CPU time, and "repeat for at least N seconds,
 * median of rounds" timing.  Benchmarks print JSON and compare against a
 * peer measured in the same run; absolute times mean little on shared
 * machines, ratios do.
 */
#ifndef NT_BENCHUTIL_H
#define NT_BENCHUTIL_H

#include <stddef.h>

typedef struct bu_corpus {
    char **msg;
    size_t *len;
    size_t n, cap, bytes;
} bu_corpus;

/* Where the public datasets are: argv-given, $NT_SHARED_DATA, or ../shared/data
 * beside the source tree. */
const char *bu_shared_dir(const char *given);
/* Append the text column of the Vietnamese SMS CSV / the English SMS TSV;
 * returns the number of messages added (0 when the file is absent). */
size_t bu_load_vi_csv(bu_corpus *c, const char *path);
size_t bu_load_tsv(bu_corpus *c, const char *path);
void bu_corpus_free(bu_corpus *c);

double bu_cpu_now(void);
/* CPU seconds for one call of fn(arg), repeating it for at least secs. */
double bu_per_pass(void (*fn)(void *), void *arg, double secs);
/* Sort v[0..n) and return its median. */
double bu_median(double *v, size_t n);

#endif
