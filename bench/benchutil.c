/*
 * bench/benchutil.c - see benchutil.h.
 */
#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *bu_shared_dir(const char *given)
{
    if (given && *given)
        return given;
    const char *env = getenv("NT_SHARED_DATA");
    return env && *env ? env : NT_SOURCE_DATA_DIR "/../../shared/data";
}

static void add_msg(bu_corpus *c, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->msg = realloc(c->msg, c->cap * sizeof *c->msg);
        c->len = realloc(c->len, c->cap * sizeof *c->len);
        if (!c->msg || !c->len) {
            fprintf(stderr, "bench: out of memory\n");
            exit(1);
        }
    }
    c->msg[c->n] = malloc(n + 1);
    if (!c->msg[c->n]) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
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
    *len = b ? fread(b, 1, (size_t)n, f) : 0;
    if (b)
        b[*len] = '\0';
    fclose(f);
    return b;
}

size_t bu_load_vi_csv(bu_corpus *c, const char *path)
{
    size_t len, before = c->n;
    char *b = slurp(path, &len);
    if (!b)
        return 0;
    char *field = malloc(len + 1);
    size_t i = 0;
    while (i < len && b[i] != '\n')
        i++; /* header */
    while (++i < len) {
        while (i < len && b[i] != ',' && b[i] != '\n')
            i++; /* label */
        if (i >= len || b[i] == '\n')
            continue;
        i++;
        size_t n = 0;
        if (b[i] == '"') { /* RFC 4180 quoting */
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
    return c->n - before;
}

size_t bu_load_tsv(bu_corpus *c, const char *path)
{
    size_t len, before = c->n;
    char *b = slurp(path, &len);
    if (!b)
        return 0;
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
    return c->n - before;
}

void bu_corpus_free(bu_corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->msg[i]);
    free(c->msg);
    free(c->len);
    memset(c, 0, sizeof *c);
}

double bu_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bu_per_pass(void (*fn)(void *), void *arg, double secs)
{
    double t0 = bu_cpu_now(), t;
    size_t passes = 0;
    do {
        fn(arg);
        passes++;
        t = bu_cpu_now() - t0;
    } while (t < secs);
    return t / (double)passes;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bu_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_d);
    return v[n / 2];
}
