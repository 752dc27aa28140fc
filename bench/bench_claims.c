/*
 * bench/bench_claims.c - claim matching at scale, beside SQLite FTS5 bm25()
 * over the same claims and the same queries in the same run.
 *
 * Claims are synthetic but realistic: sentences walked from word-bigram
 * Markov chains trained on real text - Vietnamese from our claim set, our
 * labelled messages and the Vietnamese SMS translation; English from the
 * 10,375 CLEF CheckThat! verified claims - with a seeded generator, so every
 * run indexes the same claims.  Six in ten are Vietnamese, half carry a
 * title.  Queries mix three kinds: a forwarded variant of an indexed claim
 * (words dropped, diacritics removed in half of them, "Chia sẻ ngay!!!"
 * appended), real Vietnamese rumours (tests/data/vi-claims) and real CLEF
 * tweets.
 *
 * Measured on one core (thread CPU time): index build time and memory per
 * claim (the index's own accounting; FTS5: sqlite3_memory_used of an
 * in-memory database), the cost of adding claims one at a time to the built
 * index, and query latency (p50, p99) and queries per second for the top 5.
 * FTS5 indexes the claims' text and title with the unicode61 tokenizer and
 * remove_diacritics 2 (its own folding, timed in its build) and is queried
 * with the query's words in our NORM form (teencode expanded, lower case,
 * with diacritics - FTS5 folds them the same way), quoted and OR-ed, ORDER
 * BY bm25.  FTS5 answers the first N_FTS5 of the same queries (an OR of
 * common words costs it about half a second at a million claims); the
 * ratios compare both engines on those.  Prints one JSON object.
 *
 * Usage: bench_claims [N_CLAIMS] [N_QUERIES] [N_FTS5] [SHARED_DATA_DIR]
 *        (defaults 1000000, 1000, 60: about two minutes on one free core)
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "niemtin/niemtin.h"

#define SOURCE_ROOT NT_SOURCE_DATA_DIR "/.."

static void die(const char *msg)
{
    fprintf(stderr, "bench_claims: %s\n", msg);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory");
    return q;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- a seeded generator (splitmix64) --------------------------------------- */

static uint64_t rng_state = 0x6e69656d74696e21ull;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
    return n ? (size_t)(rng() % n) : 0;
}

/* ---- word-bigram Markov chains --------------------------------------------- */

typedef struct chain {
    char **word; /* interned words */
    size_t nword, wcap;
    uint32_t *slot; /* hash table of word ids + 1 */
    size_t scap;
    uint32_t **next; /* successors of each word (UINT32_MAX = end) */
    uint32_t *nnext, *capnext;
    uint32_t *starts;
    size_t nstart, startcap;
} chain;

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static uint32_t intern(chain *c, const char *s, size_t n)
{
    if ((c->nword + 1) * 2 > c->scap) {
        size_t ncap = c->scap ? c->scap * 2 : 4096;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            die("out of memory");
        for (size_t i = 0; i < c->nword; i++) {
            size_t j = hash_str(c->word[i], strlen(c->word[i])) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = (uint32_t)i + 1;
        }
        free(c->slot);
        c->slot = ns;
        c->scap = ncap;
    }
    size_t j = hash_str(s, n) & (c->scap - 1);
    while (c->slot[j]) {
        const char *w = c->word[c->slot[j] - 1];
        if (strlen(w) == n && memcmp(w, s, n) == 0)
            return c->slot[j] - 1;
        j = (j + 1) & (c->scap - 1);
    }
    if (c->nword == c->wcap) {
        c->wcap = c->wcap ? c->wcap * 2 : 4096;
        c->word = xrealloc(c->word, c->wcap * sizeof *c->word);
        c->next = xrealloc(c->next, c->wcap * sizeof *c->next);
        c->nnext = xrealloc(c->nnext, c->wcap * sizeof *c->nnext);
        c->capnext = xrealloc(c->capnext, c->wcap * sizeof *c->capnext);
    }
    uint32_t id = (uint32_t)c->nword++;
    c->word[id] = xrealloc(NULL, n + 1);
    memcpy(c->word[id], s, n);
    c->word[id][n] = '\0';
    c->next[id] = NULL;
    c->nnext[id] = c->capnext[id] = 0;
    c->slot[j] = id + 1;
    return id;
}

static void add_next(chain *c, uint32_t from, uint32_t to)
{
    if (c->nnext[from] == c->capnext[from]) {
        c->capnext[from] = c->capnext[from] ? c->capnext[from] * 2 : 4;
        c->next[from] = xrealloc(c->next[from], c->capnext[from] * sizeof **c->next);
    }
    c->next[from][c->nnext[from]++] = to;
}

/* Learn the sentence s (whitespace-separated words). */
static void learn(chain *c, const char *s, size_t len)
{
    uint32_t prev = UINT32_MAX;
    size_t i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
            i++;
        size_t j = i;
        while (j < len && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' && s[j] != '\r')
            j++;
        if (j == i)
            break;
        uint32_t w = intern(c, s + i, j - i);
        if (prev == UINT32_MAX) {
            if (c->nstart == c->startcap) {
                c->startcap = c->startcap ? c->startcap * 2 : 1024;
                c->starts = xrealloc(c->starts, c->startcap * sizeof *c->starts);
            }
            c->starts[c->nstart++] = w;
        } else {
            add_next(c, prev, w);
        }
        prev = w;
        i = j;
    }
    if (prev != UINT32_MAX)
        add_next(c, prev, UINT32_MAX);
}

/* A sentence of min..max words into buf (walks restart at a sentence start
 * when the chain ends too early). */
static size_t walk(const chain *c, size_t min, size_t max, char *buf, size_t cap)
{
    size_t n = 0, words = 0;
    uint32_t w = c->starts[rng_below(c->nstart)];
    while (words < max) {
        const char *s = c->word[w];
        size_t l = strlen(s);
        if (n + l + 2 >= cap)
            break;
        if (n)
            buf[n++] = ' ';
        memcpy(buf + n, s, l);
        n += l;
        words++;
        uint32_t nx = c->nnext[w] ? c->next[w][rng_below(c->nnext[w])] : UINT32_MAX;
        if (nx == UINT32_MAX) {
            if (words >= min)
                break;
            nx = c->starts[rng_below(c->nstart)];
        }
        w = nx;
    }
    buf[n] = '\0';
    return n;
}

static void chain_free(chain *c)
{
    for (size_t i = 0; i < c->nword; i++) {
        free(c->word[i]);
        free(c->next[i]);
    }
    free(c->word);
    free(c->next);
    free(c->nnext);
    free(c->capnext);
    free(c->slot);
    free(c->starts);
}

/* Every "text" of a JSON-lines file into the chain (and, optionally, the
 * corpus of real rumours). */
static size_t learn_jsonl(chain *c, const char *path, const char *key, bu_corpus *keep)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char line[65536];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        json_t *v = json_object_get(o, key);
        if (json_is_string(v)) {
            learn(c, json_string_value(v), json_string_length(v));
            if (keep) {
                json_t *cl = json_object_get(o, "claim");
                if (cl) { /* only rumours */
                    if (keep->n == keep->cap) {
                        keep->cap = keep->cap ? keep->cap * 2 : 256;
                        keep->msg = xrealloc(keep->msg, keep->cap * sizeof *keep->msg);
                        keep->len = xrealloc(keep->len, keep->cap * sizeof *keep->len);
                    }
                    keep->msg[keep->n] = strdup(json_string_value(v));
                    keep->len[keep->n++] = json_string_length(v);
                }
            }
            n++;
        }
        json_decref(o);
    }
    fclose(f);
    return n;
}

/* ---- percentiles ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* ---- FTS5 ------------------------------------------------------------------ */

static void sql_ok(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "bench_claims: sqlite %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

/* The FTS5 query for a text: its words in NORM form, quoted, OR-ed. */
static char *fts_query(const nt_lexicon *lex, const char *text, size_t len)
{
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = lex;
    nt_text *t = NULL;
    if (nt_text_normalize(text, len, &o, &t, NULL))
        return NULL;
    size_t ntok = 0, cap = len * 4 + 64, n = 0;
    const nt_token *tok = nt_text_tokens(t, &ntok);
    const char *norm = nt_text_form(t, NT_FORM_NORM, NULL);
    char *q = xrealloc(NULL, cap);
    for (size_t i = 0; i < ntok; i++) {
        if (tok[i].kind != NT_TOK_WORD && tok[i].kind != NT_TOK_NUMBER)
            continue;
        size_t wl = tok[i].end - tok[i].start;
        int dup = 0; /* skip a word already in the query */
        for (size_t j = 0; j < i && !dup; j++)
            dup = (tok[j].kind == NT_TOK_WORD || tok[j].kind == NT_TOK_NUMBER) &&
                  tok[j].end - tok[j].start == wl &&
                  memcmp(norm + tok[j].start, norm + tok[i].start, wl) == 0;
        if (dup)
            continue;
        if (n + wl * 2 + 8 >= cap) {
            cap = cap * 2 + wl * 2 + 8;
            q = xrealloc(q, cap);
        }
        if (n) {
            memcpy(q + n, " OR ", 4);
            n += 4;
        }
        q[n++] = '"';
        for (size_t k = 0; k < wl; k++) {
            char ch = norm[tok[i].start + k];
            if (ch == '"')
                q[n++] = '"';
            q[n++] = ch;
        }
        q[n++] = '"';
    }
    q[n] = '\0';
    nt_text_free(t);
    if (!n) {
        free(q);
        return NULL;
    }
    return q;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t nq = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000;
    size_t nq_fts = argc > 3 ? strtoull(argv[3], NULL, 10) : 60;
    const char *shared = bu_shared_dir(argc > 4 ? argv[4] : NULL);
    if (n < 10 || nq < 10 || nq_fts < 1)
        die("usage: bench_claims [N_CLAIMS >= 10] [N_QUERIES >= 10] [N_FTS5 >= 1] "
            "[SHARED_DATA_DIR]");
    if (nq_fts > nq)
        nq_fts = nq;

    nt_diag d;
    nt_diag_clear(&d);
    nt_lexicon *lex = NULL, *syn = NULL;
    if (nt_lexicon_load(NT_SOURCE_DATA_DIR "/teencode.tsv", &lex, &d) ||
        nt_lexicon_load(NT_SOURCE_DATA_DIR "/claims-synonyms.tsv", &syn, &d))
        die(d.message);

    /* Vocabularies. */
    chain vi = {0}, en = {0};
    bu_corpus rumours = {0}, tweets = {0}, sms = {0};
    learn_jsonl(&vi, SOURCE_ROOT "/tests/data/vi-claims/claims.jsonl", "text", NULL);
    learn_jsonl(&vi, SOURCE_ROOT "/tests/data/vi-claims/claims.jsonl", "title", NULL);
    learn_jsonl(&vi, SOURCE_ROOT "/tests/data/vi-claims/dev.jsonl", "text", &rumours);
    learn_jsonl(&vi, SOURCE_ROOT "/tests/data/vi-claims/heldout.jsonl", "text", &rumours);
    learn_jsonl(&vi, SOURCE_ROOT "/tests/data/vi-messages-dev.jsonl", "text", NULL);
    learn_jsonl(&vi, SOURCE_ROOT "/tests/data/vi-messages-heldout.jsonl", "text", NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/sms-spam-vi-translated/dataset.csv", shared);
    bu_load_vi_csv(&sms, path);
    for (size_t i = 0; i < sms.n; i++)
        learn(&vi, sms.msg[i], sms.len[i]);
    snprintf(path, sizeof path, "%s/clef2020-checkthat-task2/v3.0", shared);
    nt_claim_dataset *clef = NULL;
    if (nt_claim_dataset_load_clef(path, "train", &clef, &d) == NT_OK) {
        size_t nc = 0, nqq = 0;
        const nt_claim *cc = nt_claim_dataset_claims(clef, &nc);
        const nt_claim_query *qq = nt_claim_dataset_queries(clef, &nqq);
        for (size_t i = 0; i < nc; i++) {
            learn(&en, cc[i].text, strlen(cc[i].text));
            if (cc[i].title)
                learn(&en, cc[i].title, strlen(cc[i].title));
        }
        for (size_t i = 0; i < nqq; i++) {
            if (tweets.n == tweets.cap) {
                tweets.cap = tweets.cap ? tweets.cap * 2 : 256;
                tweets.msg = xrealloc(tweets.msg, tweets.cap * sizeof *tweets.msg);
                tweets.len = xrealloc(tweets.len, tweets.cap * sizeof *tweets.len);
            }
            tweets.msg[tweets.n] = strdup(qq[i].text);
            tweets.len[tweets.n++] = qq[i].len;
        }
    }
    nt_claim_dataset_free(clef);
    if (!vi.nstart || !en.nstart || !rumours.n || !tweets.n)
        die("vocabularies missing: needs tests/data/vi-claims and the CLEF data in "
            "SHARED_DATA_DIR");

    /* Claims. */
    nt_claim *claims = xrealloc(NULL, n * sizeof *claims);
    char buf[4096];
    size_t text_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        int is_vi = rng_below(10) < 6;
        const chain *ch = is_vi ? &vi : &en;
        char idb[32];
        snprintf(idb, sizeof idb, "c%07zu", i);
        size_t l = walk(ch, 8, 30, buf, sizeof buf);
        claims[i].id = strdup(idb);
        claims[i].text = strdup(buf);
        claims[i].lang = is_vi ? "vi" : "en";
        claims[i].verdict = "false";
        claims[i].url = NULL;
        text_bytes += l;
        if (rng_below(2)) {
            walk(ch, 4, 12, buf, sizeof buf);
            claims[i].title = strdup(buf);
        } else {
            claims[i].title = NULL;
        }
    }

    /* Queries: a third each of claim variants, Vietnamese rumours, tweets. */
    char **qtext = xrealloc(NULL, nq * sizeof *qtext);
    for (size_t i = 0; i < nq; i++) {
        size_t kind = i % 3;
        if (kind == 1) {
            qtext[i] = strdup(rumours.msg[rng_below(rumours.n)]);
        } else if (kind == 2) {
            qtext[i] = strdup(tweets.msg[rng_below(tweets.n)]);
        } else {
            const char *src = claims[rng_below(n)].text;
            size_t m = 0, sl = strlen(src);
            for (size_t a = 0; a < sl;) {
                size_t b = a;
                while (b < sl && src[b] != ' ')
                    b++;
                if (rng_below(5) != 0 && m + (b - a) + 2 < sizeof buf) { /* keep 4 in 5 */
                    if (m)
                        buf[m++] = ' ';
                    memcpy(buf + m, src + a, b - a);
                    m += b - a;
                }
                a = b + 1;
            }
            buf[m] = '\0';
            char *v = NULL;
            size_t vl = 0;
            if (rng_below(2) && nt_text_fold(buf, m, &v, &vl) == NT_OK) {
                qtext[i] = xrealloc(NULL, vl + 32);
                snprintf(qtext[i], vl + 32, "%s Chia sẻ ngay!!!", v);
                free(v);
            } else {
                free(v);
                qtext[i] = xrealloc(NULL, m + 32);
                snprintf(qtext[i], m + 32, "%s 😱😱 Chia sẻ ngay!!!", buf);
            }
        }
    }

    /* NiemTin: build. */
    nt_claims_options o;
    nt_claims_options_init(&o);
    o.teencode = lex;
    o.synonyms = syn;
    nt_claims *idx = NULL;
    double w0 = wall_now(), c0 = bu_cpu_now();
    if (nt_claims_build(&o, claims, n, &idx, &d))
        die(d.message);
    double build_wall = wall_now() - w0, build_cpu = bu_cpu_now() - c0;
    nt_claims_stats st;
    nt_claims_stats_get(idx, &st);

    /* NiemTin: queries. */
    nt_claims_scratch *sc = NULL;
    if (nt_claims_scratch_new(&sc))
        die("scratch");
    double *lat = xrealloc(NULL, nq * sizeof *lat);
    size_t top1_same = 0, with_results = 0;
    size_t *top = xrealloc(NULL, nq * sizeof *top);
    double q0 = bu_cpu_now();
    for (size_t i = 0; i < nq; i++) {
        const nt_claim_match *m;
        size_t nm;
        double t = bu_cpu_now();
        if (nt_claims_match(idx, sc, qtext[i], strlen(qtext[i]), 5, 0, &m, &nm, &d))
            die(d.message);
        lat[i] = bu_cpu_now() - t;
        top[i] = nm ? m[0].ordinal : SIZE_MAX;
        with_results += nm > 0;
        top1_same += nm && m[0].same;
    }
    double q_cpu = bu_cpu_now() - q0;
    double same_cpu = 0; /* on the queries FTS5 answers too */
    double *lat_same = xrealloc(NULL, nq_fts * sizeof *lat_same);
    for (size_t i = 0; i < nq_fts; i++) {
        lat_same[i] = lat[i];
        same_cpu += lat[i];
    }
    double sp50 = pct(lat_same, nq_fts, 0.50) * 1e6, sp99 = pct(lat_same, nq_fts, 0.99) * 1e6;
    double p50 = pct(lat, nq, 0.50) * 1e6, p99 = pct(lat, nq, 0.99) * 1e6;

    /* NiemTin: adding claims one at a time to the built index. */
    size_t nadd = 200;
    double a0 = bu_cpu_now();
    nt_claims *cur = idx;
    idx = NULL;
    for (size_t i = 0; i < nadd; i++) {
        char idb[32];
        snprintf(idb, sizeof idb, "add%05zu", i);
        walk(&vi, 8, 30, buf, sizeof buf);
        nt_claim c1 = {idb, buf, "vi", NULL, NULL, NULL};
        nt_claims *next = NULL;
        if (nt_claims_add(cur, &c1, 1, &next, &d))
            die(d.message);
        nt_claims_free(cur);
        cur = next;
    }
    double add_cpu = bu_cpu_now() - a0;
    nt_claims_stats st_after;
    nt_claims_stats_get(cur, &st_after);
    nt_claims_free(cur);
    nt_claims_scratch_free(sc);

    /* FTS5 over the same claims. */
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *sel = NULL;
    sql_ok(db, sqlite3_open(":memory:", &db), "open");
    sqlite3_int64 mem0 = sqlite3_memory_used();
    w0 = wall_now();
    c0 = bu_cpu_now();
    sql_ok(db,
           sqlite3_exec(db,
                        "CREATE VIRTUAL TABLE claims USING fts5(text, title, "
                        "tokenize='unicode61 remove_diacritics 2')",
                        NULL, NULL, NULL),
           "create");
    sql_ok(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
    sql_ok(db,
           sqlite3_prepare_v2(db, "INSERT INTO claims(rowid, text, title) VALUES (?, ?, ?)", -1,
                              &ins, NULL),
           "prepare insert");
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
        sqlite3_bind_text(ins, 2, claims[i].text, -1, SQLITE_STATIC);
        if (claims[i].title)
            sqlite3_bind_text(ins, 3, claims[i].title, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 3);
        sql_ok(db, sqlite3_step(ins), "insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sql_ok(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    double fts_build_wall = wall_now() - w0, fts_build_cpu = bu_cpu_now() - c0;
    sqlite3_int64 fts_mem = sqlite3_memory_used() - mem0;
    sql_ok(db,
           sqlite3_prepare_v2(db,
                              "SELECT rowid, bm25(claims) FROM claims WHERE claims MATCH ? "
                              "ORDER BY bm25(claims) LIMIT 5",
                              -1, &sel, NULL),
           "prepare select");
    double *flat = xrealloc(NULL, nq_fts * sizeof *flat);
    size_t agree = 0, compared = 0;
    q0 = bu_cpu_now();
    for (size_t i = 0; i < nq_fts; i++) {
        double t = bu_cpu_now();
        char *q = fts_query(lex, qtext[i], strlen(qtext[i]));
        sqlite3_int64 first = -1;
        if (q) {
            sqlite3_bind_text(sel, 1, q, -1, SQLITE_TRANSIENT);
            int rc;
            while ((rc = sqlite3_step(sel)) == SQLITE_ROW)
                if (first < 0)
                    first = sqlite3_column_int64(sel, 0);
            sql_ok(db, rc, "select");
            sqlite3_reset(sel);
            free(q);
        }
        flat[i] = bu_cpu_now() - t;
        if (first >= 0 && top[i] != SIZE_MAX) {
            compared++;
            agree += (size_t)first == top[i];
        }
    }
    double fq_cpu = bu_cpu_now() - q0;
    double fp50 = pct(flat, nq_fts, 0.50) * 1e6, fp99 = pct(flat, nq_fts, 0.99) * 1e6;
    sqlite3_finalize(sel);
    sqlite3_close(db);

    double qps = (double)nq / q_cpu, fqps = (double)nq_fts / fq_cpu;
    double fts_bpc = (double)fts_mem / (double)n;
    json_t *root = json_object();
    json_object_set_new(root, "benchmark", json_string("claims"));
    json_object_set_new(root, "claims", json_integer((json_int_t)n));
    json_object_set_new(root, "queries", json_integer((json_int_t)nq));
    json_object_set_new(root, "queries_fts5", json_integer((json_int_t)nq_fts));
    json_object_set_new(root, "claim_text_bytes_avg", json_real((double)text_bytes / (double)n));
    json_t *me = json_object();
    json_object_set_new(me, "build_s", json_real(build_wall));
    json_object_set_new(me, "build_cpu_s", json_real(build_cpu));
    json_object_set_new(me, "bytes_per_claim", json_real(st.bytes_per_claim));
    json_object_set_new(me, "text_bytes_per_claim", json_real((double)st.text_bytes / (double)n));
    json_object_set_new(me, "postings_bytes_per_claim",
                        json_real((double)st.postings_bytes / (double)n));
    json_object_set_new(me, "dictionary_bytes_per_claim",
                        json_real((double)st.dictionary_bytes / (double)n));
    json_object_set_new(me, "lsh_bytes_per_claim", json_real((double)st.lsh_bytes / (double)n));
    json_object_set_new(me, "terms", json_integer((json_int_t)st.terms));
    json_object_set_new(me, "postings", json_integer((json_int_t)st.postings));
    json_object_set_new(me, "query_p50_us", json_real(p50));
    json_object_set_new(me, "query_p99_us", json_real(p99));
    json_object_set_new(me, "queries_per_s", json_real(qps));
    json_object_set_new(me, "results_rate", json_real((double)with_results / (double)nq));
    json_object_set_new(me, "top1_same_claim_rate", json_real((double)top1_same / (double)nq));
    json_object_set_new(me, "add_one_claim_ms", json_real(add_cpu / (double)nadd * 1e3));
    json_object_set_new(me, "adds", json_integer((json_int_t)nadd));
    json_object_set_new(me, "segments_after_adds", json_integer((json_int_t)st_after.segments));
    json_object_set_new(root, "niemtin", me);
    json_t *ft = json_object();
    json_object_set_new(ft, "build_s", json_real(fts_build_wall));
    json_object_set_new(ft, "build_cpu_s", json_real(fts_build_cpu));
    json_object_set_new(ft, "bytes_per_claim", json_real(fts_bpc));
    json_object_set_new(ft, "query_p50_us", json_real(fp50));
    json_object_set_new(ft, "query_p99_us", json_real(fp99));
    json_object_set_new(ft, "queries_per_s", json_real(fqps));
    json_object_set_new(ft, "top1_agreement_with_niemtin",
                        json_real(compared ? (double)agree / (double)compared : 0.0));
    json_object_set_new(root, "fts5", ft);
    json_t *ra = json_object();
    json_object_set_new(ra, "on_queries", json_integer((json_int_t)nq_fts));
    json_object_set_new(ra, "queries_per_s", json_real(((double)nq_fts / same_cpu) / fqps));
    json_object_set_new(ra, "fts5_p50_over_niemtin_p50", json_real(fp50 / sp50));
    json_object_set_new(ra, "fts5_p99_over_niemtin_p99", json_real(fp99 / sp99));
    json_object_set_new(ra, "niemtin_build_over_fts5_build", json_real(build_cpu / fts_build_cpu));
    json_object_set_new(ra, "niemtin_memory_over_fts5_memory",
                        json_real(st.bytes_per_claim / fts_bpc));
    json_object_set_new(root, "ratios", ra);
    char *out = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    if (out)
        puts(out);
    free(out);
    json_decref(root);

    for (size_t i = 0; i < n; i++) {
        free((char *)claims[i].id);
        free((char *)claims[i].text);
        free((char *)claims[i].title);
    }
    for (size_t i = 0; i < nq; i++)
        free(qtext[i]);
    free(qtext);
    free(claims);
    free(lat);
    free(lat_same);
    free(flat);
    free(top);
    bu_corpus_free(&rumours);
    bu_corpus_free(&tweets);
    bu_corpus_free(&sms);
    chain_free(&vi);
    chain_free(&en);
    nt_lexicon_free(lex);
    nt_lexicon_free(syn);
    return 0;
}
