/*
 * src/cmd_claims.c - `niemtin claim`: the fact-check desk on the command line.
 *
 *   niemtin claim match --claims FILE [--json] [-k N] [--same] TEXT | -f FILE | -
 *       which fact-checked claims does this text repeat?  FILE is JSON lines
 *       {"id","text","lang"?,"title"?,"verdict"?,"url"?} (docs/claims.md).
 *   niemtin claim eval --clef DIR [--split train|dev] [--json]
 *   niemtin claim eval --vi DIR [--split dev|heldout] [--json] [--sweep] [--errors]
 *       ranking metrics (MAP@k, MRR, Recall@k) and, on the Vietnamese set,
 *       the same-claim decision at the threshold (docs/evaluation.md).
 *
 *   niemtin claim match [--db PATH] ... and the desk's commands (submit, add,
 *       list, assign, dismiss, draft, publish, correct, show, import, contact)
 *       work on the database: src/cmd_desk.c.
 *
 * Tuning knobs shared by both (defaults in nt_claims_options_init):
 * --k1 X, --b X, --bigram-weight X, --coverage-weight X, --threshold X,
 * --no-titles.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Ranking depth of an evaluation: the default candidate pool, so the ranking
 * is the one `claim match` would show for any k up to this. */
#define EVAL_DEPTH 32

static int usage_claim(cli *c)
{
    fprintf(stderr,
            "%s:\n  %s claim match --claims FILE [--json] [-k N] [--same] TEXT | -f FILE | -\n"
            "  %s claim match [--db PATH] [--json] [-k N] [--same] TEXT | -f FILE | -\n"
            "  %s claim submit|add|list|assign|dismiss|draft|publish|correct|show|import|contact "
            "... (%s claim help)\n"
            "  %s claim eval --clef DIR [--split train|dev] [--json] [--rank-bm25]\n"
            "  %s claim eval --vi DIR [--split dev|heldout] [--json] [--sweep] [--errors]\n"
            "  %s claim fit --clef DIR --vi DIR [--json]\n",
            L(c, "Cách dùng", "Usage"), c->prog, c->prog, c->prog, c->prog, c->prog, c->prog,
            c->prog);
    return 2;
}

static int parse_double(cli *c, const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (!*v || *end || !(x >= lo && x <= hi)) {
        fprintf(stderr, "niemtin: %s: %s %g..%g\n", opt,
                L(c, "cần một số trong khoảng", "expected a number in"), lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

/* A tuning option at argv[*i]; 1 if consumed, 0 if not one, -1 on error. */
static int tuning_option(cli *c, int argc, char **argv, int *i, nt_claims_options *o)
{
    const char *a = argv[*i];
    if (strcmp(a, "--no-titles") == 0) {
        o->index_titles = 0;
        return 1;
    }
    if (strcmp(a, "--weights") == 0) {
        double w[5];
        char *p = *i + 1 < argc ? argv[*i + 1] : NULL, *end;
        for (int k = 0; k < 5 && p; k++) {
            w[k] = strtod(p, &end);
            if (end == p || !(w[k] > -100 && w[k] < 100) || (k < 4 ? *end != ',' : *end != '\0'))
                p = NULL;
            else
                p = end + 1;
        }
        if (!p) {
            fprintf(
                stderr, "niemtin: --weights: %s\n",
                L(c, "cần 5 số cách nhau bởi dấu phẩy: bias,coverage,query,containment,evidence",
                  "expected 5 comma-separated numbers: bias,coverage,query,containment,evidence"));
            return -1;
        }
        ++*i;
        o->w_bias = w[0];
        o->w_coverage = w[1];
        o->w_query = w[2];
        o->w_containment = w[3];
        o->w_evidence = w[4];
        return 1;
    }
    static const char *const names[] = {"--k1", "--b", "--bigram-weight", "--threshold"};
    double *dst[] = {&o->k1, &o->b, &o->bigram_weight, &o->threshold};
    static const double hi[] = {10, 1, 10, 1};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (strcmp(a, names[k]) != 0)
            continue;
        if (*i + 1 >= argc) {
            fprintf(stderr, "niemtin: %s: %s\n", a, L(c, "thiếu giá trị", "missing value"));
            return -1;
        }
        return parse_double(c, a, argv[++*i], 0, hi[k], dst[k]) ? -1 : 1;
    }
    return 0;
}

static json_t *weights_json(const nt_claims_options *o)
{
    return json_pack("{s:f, s:f, s:f, s:f, s:f}", "bias", o->w_bias, "coverage", o->w_coverage,
                     "query_coverage", o->w_query, "containment", o->w_containment, "evidence",
                     o->w_evidence);
}

static json_t *options_json(const nt_claims_options *o)
{
    return json_pack("{s:f, s:f, s:f, s:b, s:o, s:f}", "k1", o->k1, "b", o->b, "bigram_weight",
                     o->bigram_weight, "titles", o->index_titles != 0, "weights", weights_json(o),
                     "threshold", o->threshold);
}

/* The claim-matching synonym table, data/claims-synonyms.tsv; NULL (after a
 * message) when it is malformed, and *absent set when there is none. */
nt_lexicon *cli_load_claim_synonyms(cli *c, int *failed)
{
    nt_lexicon *lex = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    const char *path = cli_data_path(c, "claims-synonyms.tsv");
    *failed = 0;
    if (access(path, F_OK) != 0)
        return NULL;
    nt_err rc = nt_lexicon_load(path, &lex, &d);
    if (rc) {
        cli_error(c, rc, &d,
                  L(c, "không đọc được bảng từ đồng nghĩa", "cannot load the synonym table"));
        *failed = 1;
        return NULL;
    }
    return lex;
}

static int build_index(cli *c, const nt_claims_options *o, const nt_claim *claims, size_t n,
                       const char *what, nt_claims **idx)
{
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_claims_build(o, claims, n, idx, &d);
    if (rc) {
        cli_error(c, rc, &d, what);
        return 1;
    }
    return 0;
}

/* ---- match ------------------------------------------------------------------ */

static void print_span(const char *s, size_t len, size_t a, size_t b, int tty)
{
    if (b <= a || b > len) {
        fwrite(s, 1, len, stdout);
        return;
    }
    fwrite(s, 1, a, stdout);
    fputs(tty ? "\033[1;33m" : "[[", stdout);
    fwrite(s + a, 1, b - a, stdout);
    fputs(tty ? "\033[0m" : "]]", stdout);
    fwrite(s + b, 1, len - b, stdout);
}

static json_t *span_json(const char *s, size_t a, size_t b)
{
    return json_pack("{s:I, s:I, s:o}", "start", (json_int_t)a, "end", (json_int_t)b, "text",
                     cli_json_text(s + a, b - a));
}

static json_t *match_json(const nt_claims *idx, const nt_claim_match *m, size_t rank,
                          const char *query)
{
    nt_claim cl;
    nt_claims_get(idx, m->ordinal, &cl);
    json_t *o = json_object();
    json_object_set_new(o, "rank", json_integer((json_int_t)rank));
    json_object_set_new(o, "id", json_string(cl.id));
    json_object_set_new(o, "score", json_real(m->score));
    json_object_set_new(o, "same_claim", json_boolean(m->same));
    json_object_set_new(o, "bm25", json_real(m->bm25));
    json_object_set_new(o, "coverage", json_real(m->coverage));
    json_object_set_new(o, "query_coverage", json_real(m->query_coverage));
    json_object_set_new(o, "containment", json_real(m->containment));
    json_object_set_new(o, "evidence", json_real(m->evidence));
    json_object_set_new(o, "near_duplicate", json_boolean(m->near_duplicate));
    json_object_set_new(o, "text", json_string(cl.text));
    if (cl.title)
        json_object_set_new(o, "title", json_string(cl.title));
    if (cl.lang)
        json_object_set_new(o, "lang", json_string(cl.lang));
    if (cl.verdict)
        json_object_set_new(o, "verdict", json_string(cl.verdict));
    if (cl.url)
        json_object_set_new(o, "url", json_string(cl.url));
    if (m->q_end > m->q_start)
        json_object_set_new(o, "query_passage", span_json(query, m->q_start, m->q_end));
    if (m->c_end > m->c_start)
        json_object_set_new(o, "claim_passage", span_json(cl.text, m->c_start, m->c_end));
    return o;
}

static void print_matches(cli *c, const nt_claims *idx, const nt_claim_match *m, size_t n,
                          const char *query, size_t qlen, double threshold)
{
    int tty = isatty(1);
    size_t same = 0;
    for (size_t i = 0; i < n; i++)
        same += m[i].same != 0;
    if (same) {
        nt_claim top;
        nt_claims_get(idx, m[0].ordinal, &top);
        printf("%s%s%s", tty ? "\033[1m" : "",
               L(c, "Tin này đã được kiểm chứng", "This has already been fact-checked"),
               tty ? "\033[0m" : "");
        if (top.verdict)
            printf(" — %s: %s", L(c, "kết luận", "verdict"), top.verdict);
        printf("\n");
    } else if (n) {
        printf("%s\n", L(c,
                         "Chưa thấy tuyên bố đã kiểm chứng nào trùng với tin này; các tuyên bố "
                         "gần nhất (dưới ngưỡng):",
                         "No fact-checked claim is the same as this text; the nearest ones (below "
                         "the threshold):"));
    } else {
        printf("%s\n", L(c, "Không có tuyên bố đã kiểm chứng nào liên quan đến tin này.",
                         "No fact-checked claim is related to this text."));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        nt_claim cl;
        nt_claims_get(idx, m[i].ordinal, &cl);
        printf("%zu. %s %.2f  %s  [%s]%s\n", i + 1, L(c, "điểm", "score"), m[i].score, cl.id,
               m[i].same ? L(c, "cùng tuyên bố", "same claim") : L(c, "gần giống", "similar"),
               m[i].near_duplicate ? L(c, " (gần trùng lặp)", " (near-duplicate)") : "");
        printf("   %s: ", L(c, "Tuyên bố", "Claim"));
        print_span(cl.text, strlen(cl.text), m[i].c_start, m[i].c_end, tty);
        printf("\n");
        if (cl.verdict)
            printf("   %s: %s\n", L(c, "Kết luận", "Verdict"), cl.verdict);
        if (cl.url)
            printf("   %s: %s\n", L(c, "Nguồn", "Source"), cl.url);
        if (m[i].q_end > m[i].q_start) {
            printf("   %s: \"", L(c, "Đoạn khớp trong tin", "Matched passage"));
            fwrite(query + m[i].q_start, 1, m[i].q_end - m[i].q_start, stdout);
            printf("\" (%s %zu-%zu)\n", L(c, "byte", "bytes"), m[i].q_start, m[i].q_end);
        }
        printf("   BM25 %.2f, %s %.2f, %s %.2f\n", m[i].bm25, L(c, "độ phủ", "coverage"),
               m[i].coverage, L(c, "độ trùng chuỗi", "containment"), m[i].containment);
    }
    (void)qlen;
    printf("%s %.2f\n", L(c, "Ngưỡng \"cùng tuyên bố\":", "\"Same claim\" threshold:"), threshold);
}

static int claim_match(cli *c, int argc, char **argv)
{
    nt_claims_options o;
    nt_claims_options_init(&o);
    const char *claims_path = NULL;
    size_t k = 5;
    unsigned flags = 0;
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        int t = tuning_option(c, argc, argv, &i, &o);
        if (t < 0)
            return 2;
        if (t)
            continue;
        if (strcmp(a, "--json") == 0) {
            c->json = 1;
        } else if (strcmp(a, "--same") == 0) {
            flags |= NT_CLAIMS_ONLY_SAME;
        } else if (strcmp(a, "--claims") == 0 && i + 1 < argc) {
            claims_path = argv[++i];
        } else if ((strcmp(a, "-k") == 0 || strcmp(a, "--top") == 0) && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v == 0 || v > NT_CLAIMS_MAX_RESULTS) {
                fprintf(stderr, "niemtin: -k: %s 1..%u\n",
                        L(c, "cần một số từ", "expected a number in"), NT_CLAIMS_MAX_RESULTS);
                return 2;
            }
            k = v;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "niemtin: claim match: %s '%s'\n",
                    L(c, "tuỳ chọn không rõ hoặc thiếu giá trị", "unknown option or missing value"),
                    a);
            return usage_claim(c);
        } else {
            break;
        }
    }
    if (!claims_path) {
        fprintf(stderr, "niemtin: claim match: %s\n",
                L(c, "cần --claims FILE (JSON lines)", "--claims FILE (JSON lines) is required"));
        return usage_claim(c);
    }
    char *text = NULL;
    size_t len = 0;
    int status = cli_read_input(c, argc - i, argv + i, &text, &len);
    if (status)
        return status;
    nt_lexicon *lex = NULL, *syn = NULL;
    nt_claim_set *set = NULL;
    nt_claims *idx = NULL;
    nt_claims_scratch *sc = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc;
    int failed;
    if (!(lex = cli_load_teencode(c))) {
        status = 1;
        goto cleanup;
    }
    syn = cli_load_claim_synonyms(c, &failed);
    if (failed) {
        status = 1;
        goto cleanup;
    }
    if ((rc = nt_claim_set_load(claims_path, &set, &d))) {
        cli_error(c, rc, &d, L(c, "tệp tuyên bố không hợp lệ", "invalid claims file"));
        status = 1;
        goto cleanup;
    }
    o.teencode = lex;
    o.synonyms = syn;
    o.max_query_bytes = c->max_bytes;
    size_t n = 0;
    const nt_claim *claims = nt_claim_set_claims(set, &n);
    if (build_index(c, &o, claims, n, L(c, "không lập được chỉ mục", "cannot build the index"),
                    &idx)) {
        status = 1;
        goto cleanup;
    }
    if ((rc = nt_claims_scratch_new(&sc))) {
        cli_error(c, rc, NULL, "scratch");
        status = 1;
        goto cleanup;
    }
    const nt_claim_match *m = NULL;
    size_t nm = 0;
    if ((rc = nt_claims_match(idx, sc, text, len, k, flags, &m, &nm, &d))) {
        cli_error(c, rc, &d, L(c, "không so khớp được", "cannot match"));
        status = 1;
        goto cleanup;
    }
    if (c->json) {
        json_t *root = json_object();
        json_object_set_new(root, "claims", json_integer((json_int_t)n));
        json_object_set_new(root, "threshold", json_real(o.threshold));
        size_t same = 0;
        json_t *arr = json_array();
        for (size_t j = 0; j < nm; j++) {
            same += m[j].same != 0;
            json_array_append_new(arr, match_json(idx, &m[j], j + 1, text));
        }
        json_object_set_new(root, "fact_checked", json_boolean(same > 0));
        json_object_set_new(root, "matches", arr);
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        if (s)
            puts(s);
        free(s);
        json_decref(root);
    } else {
        print_matches(c, idx, m, nm, text, len, o.threshold);
    }
cleanup:
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
    nt_claim_set_free(set);
    nt_lexicon_free(syn);
    nt_lexicon_free(lex);
    free(text);
    return status;
}

/* ---- eval and fit ----------------------------------------------------------- */

/* What one query's ranking says, for the threshold rates. */
typedef struct qresult {
    int related;      /* the query has relevant claims */
    int rank;         /* 1-based rank of the first relevant claim, 0 if not in the list */
    double top_score; /* score of the first result (0 if none) */
    int top_relevant; /* the first result is relevant */
    int has_top;
} qresult;

typedef struct sums {
    double map1, map3, map5, map10, mrr, r1, r5, r10;
    size_t n;
} sums;

/* Logistic-regression samples for `claim fit`. */
#define NFEAT 4
typedef struct sample {
    double x[NFEAT];
    double y, weight;
} sample;

typedef struct samples {
    sample *v;
    size_t n, cap;
} samples;

static int is_relevant(const nt_claim_query *q, const char *id)
{
    for (size_t i = 0; i < q->n_relevant; i++)
        if (strcmp(q->relevant[i], id) == 0)
            return 1;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void features(const nt_claim_match *m, double x[NFEAT])
{
    x[0] = m->coverage;
    x[1] = m->query_coverage;
    x[2] = m->containment;
    x[3] = log1p(m->evidence);
}

static int push_sample(samples *s, const nt_claim_match *m, double y)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        sample *nv = realloc(s->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = ncap;
    }
    features(m, s->v[s->n].x);
    s->v[s->n].y = y;
    s->v[s->n].weight = 1;
    s->n++;
    return 0;
}

/* Rates at one threshold over the query results. */
typedef struct rates {
    size_t related, unrelated;
    size_t true_match;  /* related, top result relevant and >= threshold */
    size_t wrong_match; /* related, top result not relevant but >= threshold */
    size_t false_match; /* unrelated, top result >= threshold */
} rates;

static rates rates_at(const qresult *r, size_t n, double thr)
{
    rates x = {0};
    for (size_t i = 0; i < n; i++) {
        int same = r[i].has_top && r[i].top_score >= thr;
        if (r[i].related) {
            x.related++;
            if (same && r[i].top_relevant)
                x.true_match++;
            else if (same)
                x.wrong_match++;
        } else {
            x.unrelated++;
            if (same)
                x.false_match++;
        }
    }
    return x;
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

/* The threshold rule of docs/claims.md: the lowest threshold (step 0.01) at
 * which at most 1/30 of the unrelated rumours and at most 2% of the related
 * ones are matched to a wrong claim. */
static double choose_threshold(const qresult *r, size_t n)
{
    for (int t = 1; t < 100; t++) {
        rates x = rates_at(r, n, t / 100.0);
        if (ratio(x.false_match, x.unrelated) <= 1.0 / 30.0 + 1e-9 &&
            ratio(x.wrong_match, x.related) <= 0.02 + 1e-9)
            return t / 100.0;
    }
    return 1.0;
}

/* Run every query of ds against an index of its claims.  Fills res[] (one
 * per query) and sums; with smp, adds the fitting samples: every relevant
 * candidate (y = 1) and the three non-relevant ones with the highest BM25
 * (y = 0). */
static int run_queries(cli *c, const nt_claim_dataset *ds, const nt_claims_options *o, size_t depth,
                       unsigned flags, qresult *res, sums *s, samples *smp, int errors,
                       double *t_build, double *t_query, double *bytes_per_claim)
{
    size_t nclaims = 0, nq = 0;
    const nt_claim *claims = nt_claim_dataset_claims(ds, &nclaims);
    const nt_claim_query *qs = nt_claim_dataset_queries(ds, &nq);
    nt_claims *idx = NULL;
    nt_claims_scratch *sc = NULL;
    unsigned char *rel = malloc(depth);
    int status = 0;
    double t0 = now_s();
    if (!rel || build_index(c, o, claims, nclaims,
                            L(c, "không lập được chỉ mục", "cannot build the index"), &idx)) {
        status = 1;
        goto cleanup;
    }
    *t_build = now_s() - t0;
    if (nt_claims_scratch_new(&sc)) {
        status = 1;
        goto cleanup;
    }
    t0 = now_s();
    for (size_t i = 0; i < nq; i++) {
        const nt_claim_match *m;
        size_t nm;
        nt_diag d;
        nt_diag_clear(&d);
        nt_err rc = nt_claims_match(idx, sc, qs[i].text, qs[i].len, depth,
                                    NT_CLAIMS_NO_PASSAGE | flags, &m, &nm, &d);
        if (rc) {
            char what[256];
            snprintf(what, sizeof what, "%s %s", L(c, "câu hỏi", "query"), qs[i].id);
            cli_error(c, rc, &d, what);
            status = 1;
            goto cleanup;
        }
        for (size_t j = 0; j < nm; j++)
            rel[j] = (unsigned char)is_relevant(&qs[i], m[j].id);
        res[i].related = qs[i].n_relevant > 0;
        res[i].has_top = nm > 0;
        res[i].top_score = nm ? m[0].score : 0;
        res[i].top_relevant = nm && rel[0];
        for (size_t j = 0; j < nm && !res[i].rank; j++)
            if (rel[j])
                res[i].rank = (int)j + 1;
        if (qs[i].n_relevant) {
            s->n++;
            s->map1 += nt_rank_ap_at(rel, nm, qs[i].n_relevant, 1);
            s->map3 += nt_rank_ap_at(rel, nm, qs[i].n_relevant, 3);
            s->map5 += nt_rank_ap_at(rel, nm, qs[i].n_relevant, 5);
            s->map10 += nt_rank_ap_at(rel, nm, qs[i].n_relevant, 10);
            s->mrr += nt_rank_rr(rel, nm);
            s->r1 += nt_rank_recall_at(rel, nm, qs[i].n_relevant, 1);
            s->r5 += nt_rank_recall_at(rel, nm, qs[i].n_relevant, 5);
            s->r10 += nt_rank_recall_at(rel, nm, qs[i].n_relevant, 10);
        }
        if (smp) {
            for (size_t j = 0; j < nm; j++)
                if (rel[j] && push_sample(smp, &m[j], 1)) {
                    status = 1;
                    goto cleanup;
                }
            /* the three strongest wrong candidates by BM25 */
            double last = INFINITY;
            for (int taken = 0; taken < 3; taken++) {
                size_t best = nm;
                for (size_t j = 0; j < nm; j++)
                    if (!rel[j] && m[j].bm25 < last && (best == nm || m[j].bm25 > m[best].bm25))
                        best = j;
                if (best == nm)
                    break;
                if (push_sample(smp, &m[best], 0)) {
                    status = 1;
                    goto cleanup;
                }
                last = m[best].bm25;
            }
        }
        if (errors &&
            ((qs[i].n_relevant && res[i].rank != 1) || (!qs[i].n_relevant && nm && m[0].same) ||
             (qs[i].n_relevant && res[i].rank == 1 && !m[0].same))) {
            fprintf(
                stderr,
                "%s\trank=%d\ttop=%s\tscore=%.3f\tcov=%.3f\tqcov=%.3f\tctn=%.3f\tev=%.2f\t%.*s\n",
                qs[i].id, res[i].rank, nm ? m[0].id : "-", nm ? m[0].score : 0.0,
                nm ? m[0].coverage : 0.0, nm ? m[0].query_coverage : 0.0,
                nm ? m[0].containment : 0.0, nm ? m[0].evidence : 0.0,
                (int)(qs[i].len > 160 ? 160 : qs[i].len), qs[i].text);
        }
    }
    *t_query = now_s() - t0;
    nt_claims_stats st;
    nt_claims_stats_get(idx, &st);
    *bytes_per_claim = st.bytes_per_claim;
cleanup:
    free(rel);
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
    return status;
}

static int run_eval(cli *c, const nt_claim_dataset *ds, nt_claims_options *o, const char *dataset,
                    const char *split, unsigned flags, int sweep, int errors)
{
    size_t nclaims = 0, nq = 0;
    nt_claim_dataset_claims(ds, &nclaims);
    nt_claim_dataset_queries(ds, &nq);
    qresult *res = calloc(nq ? nq : 1, sizeof *res);
    sums s = {0};
    double t_build = 0, t_query = 0, bpc = 0;
    if (!res)
        return 1;
    if (run_queries(c, ds, o, EVAL_DEPTH, flags, res, &s, NULL, errors, &t_build, &t_query, &bpc)) {
        free(res);
        return 1;
    }
    double dn = s.n ? (double)s.n : 1.0;
    rates r = rates_at(res, nq, o->threshold);

    json_t *root = json_object();
    json_object_set_new(root, "dataset", json_string(dataset));
    json_object_set_new(root, "split", json_string(split));
    json_object_set_new(root, "claims", json_integer((json_int_t)nclaims));
    json_object_set_new(root, "queries", json_integer((json_int_t)nq));
    json_object_set_new(root, "queries_with_a_claim", json_integer((json_int_t)s.n));
    json_object_set_new(root, "options", options_json(o));
    json_object_set_new(root, "ranked_by",
                        json_string(flags & NT_CLAIMS_RANK_BM25 ? "bm25" : "score"));
    json_object_set_new(root, "ranking",
                        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i}", "map@1",
                                  s.map1 / dn, "map@3", s.map3 / dn, "map@5", s.map5 / dn, "map@10",
                                  s.map10 / dn, "mrr", s.mrr / dn, "recall@1", s.r1 / dn,
                                  "recall@5", s.r5 / dn, "recall@10", s.r10 / dn, "depth",
                                  EVAL_DEPTH));
    json_object_set_new(root, "same_claim",
                        json_pack("{s:f, s:f, s:f, s:f, s:I, s:I}", "threshold", o->threshold,
                                  "true_match_rate", ratio(r.true_match, r.related),
                                  "wrong_match_rate", ratio(r.wrong_match, r.related),
                                  "false_match_rate", ratio(r.false_match, r.unrelated), "related",
                                  (json_int_t)r.related, "unrelated", (json_int_t)r.unrelated));
    json_object_set_new(root, "speed",
                        json_pack("{s:f, s:f, s:f}", "build_s", t_build, "queries_per_s",
                                  t_query > 0 ? (double)nq / t_query : 0.0, "bytes_per_claim",
                                  bpc));
    if (sweep) {
        json_t *sw = json_array();
        for (int t = 5; t <= 95; t += 5) {
            rates x = rates_at(res, nq, t / 100.0);
            json_array_append_new(sw,
                                  json_pack("{s:f, s:f, s:f, s:f}", "threshold", t / 100.0,
                                            "true_match_rate", ratio(x.true_match, x.related),
                                            "wrong_match_rate", ratio(x.wrong_match, x.related),
                                            "false_match_rate", ratio(x.false_match, x.unrelated)));
        }
        json_object_set_new(root, "sweep", sw);
    }

    if (c->json) {
        char *out = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        if (out)
            puts(out);
        free(out);
    } else {
        printf("%s %s/%s: %zu %s, %zu %s (%zu %s)\n", L(c, "Đánh giá", "Evaluation"), dataset,
               split, nclaims, L(c, "tuyên bố", "claims"), nq, L(c, "câu hỏi", "queries"), s.n,
               L(c, "có tuyên bố đúng", "with a gold claim"));
        printf("  k1=%.2f b=%.2f bigram=%.2f titles=%s synonyms=%s threshold=%.2f ranked by %s\n",
               o->k1, o->b, o->bigram_weight, o->index_titles ? "yes" : "no",
               o->synonyms ? "yes" : "no", o->threshold,
               flags & NT_CLAIMS_RANK_BM25 ? "BM25" : "score");
        printf("\n| MAP@1 | MAP@3 | MAP@5 | MAP@10 | MRR | R@1 | R@5 | R@10 |\n");
        printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        printf("| %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n\n", s.map1 / dn,
               s.map3 / dn, s.map5 / dn, s.map10 / dn, s.mrr / dn, s.r1 / dn, s.r5 / dn,
               s.r10 / dn);
        printf("%s %.2f: %s %.3f (%zu/%zu), %s %.3f (%zu), %s %.3f (%zu/%zu)\n",
               L(c, "Ở ngưỡng", "At threshold"), o->threshold, L(c, "khớp đúng", "true matches"),
               ratio(r.true_match, r.related), r.true_match, r.related,
               L(c, "khớp nhầm tuyên bố", "wrong claim"), ratio(r.wrong_match, r.related),
               r.wrong_match,
               L(c, "khớp sai trên tin không liên quan", "false matches on unrelated"),
               ratio(r.false_match, r.unrelated), r.false_match, r.unrelated);
        printf("%s %.2f s, %.0f %s, %.0f %s\n", L(c, "Lập chỉ mục", "Index built in"), t_build,
               t_query > 0 ? (double)nq / t_query : 0.0, L(c, "câu hỏi/giây", "queries/s"), bpc,
               L(c, "byte/tuyên bố", "bytes/claim"));
        if (sweep) {
            printf("\n| %s | %s | %s | %s |\n| --- | --- | --- | --- |\n",
                   L(c, "ngưỡng", "threshold"), L(c, "khớp đúng", "true match"),
                   L(c, "nhầm tuyên bố", "wrong claim"), L(c, "khớp sai", "false match"));
            for (int t = 5; t <= 95; t += 5) {
                rates x = rates_at(res, nq, t / 100.0);
                printf("| %.2f | %.3f | %.3f | %.3f |\n", t / 100.0, ratio(x.true_match, x.related),
                       ratio(x.wrong_match, x.related), ratio(x.false_match, x.unrelated));
            }
        }
    }
    json_decref(root);
    free(res);
    return 0;
}

/* Logistic regression, L2-regularised (not the bias), by full-batch
 * gradient descent from zero: deterministic, and five weights need no more. */
static void fit_logistic(const sample *v, size_t n, double w[NFEAT + 1])
{
    const double lambda = 1e-3, rate = 1.0;
    for (int k = 0; k <= NFEAT; k++)
        w[k] = 0;
    for (int it = 0; it < 20000; it++) {
        double g[NFEAT + 1] = {0};
        for (size_t i = 0; i < n; i++) {
            double z = w[0];
            for (int k = 0; k < NFEAT; k++)
                z += w[k + 1] * v[i].x[k];
            double e = (1.0 / (1.0 + exp(-z)) - v[i].y) * v[i].weight;
            g[0] += e;
            for (int k = 0; k < NFEAT; k++)
                g[k + 1] += e * v[i].x[k];
        }
        for (int k = 0; k <= NFEAT; k++)
            w[k] -= rate * (g[k] + (k ? lambda * w[k] : 0));
    }
}

/* `claim fit --clef DIR --vi DIR`: refit the score's weights on CLEF train and
 * the Vietnamese dev set (never CLEF dev or the Vietnamese held-out set), each
 * set weighing half, then choose the threshold on the Vietnamese dev set. */
static int claim_fit(cli *c, nt_claims_options *o, const char *clef, const char *vi)
{
    nt_claim_dataset *sets[2] = {NULL, NULL};
    samples smp = {0};
    qresult *res = NULL;
    int status = 1;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_claim_dataset_load_clef(clef, "train", &sets[0], &d);
    if (!rc) {
        char cpath[4096], qpath[4096];
        snprintf(cpath, sizeof cpath, "%s/claims.jsonl", vi);
        snprintf(qpath, sizeof qpath, "%s/dev.jsonl", vi);
        rc = nt_claim_dataset_load_jsonl(cpath, qpath, &sets[1], &d);
    }
    if (rc) {
        cli_error(c, rc, &d, L(c, "không đọc được bộ dữ liệu", "cannot load the data set"));
        goto cleanup;
    }
    size_t per_set[2];
    for (int k = 0; k < 2; k++) {
        size_t nq = 0, before = smp.n;
        nt_claim_dataset_queries(sets[k], &nq);
        qresult *r = calloc(nq ? nq : 1, sizeof *r);
        sums s = {0};
        double tb, tq, bpc;
        if (!r)
            goto cleanup;
        int bad = run_queries(c, sets[k], o, 2 * EVAL_DEPTH, 0, r, &s, &smp, 0, &tb, &tq, &bpc);
        free(r);
        if (bad)
            goto cleanup;
        per_set[k] = smp.n - before;
        for (size_t i = before; i < smp.n; i++)
            smp.v[i].weight = 0.5 / (double)per_set[k];
    }
    double w[NFEAT + 1];
    fit_logistic(smp.v, smp.n, w);
    o->w_bias = w[0];
    o->w_coverage = w[1];
    o->w_query = w[2];
    o->w_containment = w[3];
    o->w_evidence = w[4];
    /* the threshold, on the Vietnamese dev set ranked with the new weights */
    size_t nq = 0;
    nt_claim_dataset_queries(sets[1], &nq);
    res = calloc(nq ? nq : 1, sizeof *res);
    sums s = {0};
    double tb, tq, bpc;
    if (!res || run_queries(c, sets[1], o, EVAL_DEPTH, 0, res, &s, NULL, 0, &tb, &tq, &bpc))
        goto cleanup;
    o->threshold = choose_threshold(res, nq);
    if (c->json) {
        json_t *root = json_pack("{s:o, s:f, s:I, s:I}", "weights", weights_json(o), "threshold",
                                 o->threshold, "samples_clef_train", (json_int_t)per_set[0],
                                 "samples_vi_dev", (json_int_t)per_set[1]);
        char *out = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        if (out)
            puts(out);
        free(out);
        json_decref(root);
    } else {
        printf("%s: %zu (CLEF train) + %zu (vi dev)\n", L(c, "Mẫu", "Samples"), per_set[0],
               per_set[1]);
        printf(
            "    o->w_bias = %.3f;\n    o->w_coverage = %.3f;\n    o->w_query = %.3f;\n"
            "    o->w_containment = %.3f;\n    o->w_evidence = %.3f;\n    o->threshold = %.2f;\n",
            o->w_bias, o->w_coverage, o->w_query, o->w_containment, o->w_evidence, o->threshold);
    }
    status = 0;
cleanup:
    free(res);
    free(smp.v);
    nt_claim_dataset_free(sets[0]);
    nt_claim_dataset_free(sets[1]);
    return status;
}

static int claim_eval(cli *c, int argc, char **argv, int fit)
{
    nt_claims_options o;
    nt_claims_options_init(&o);
    const char *clef = NULL, *vi = NULL, *split = NULL;
    int sweep = 0, errors = 0, no_synonyms = 0;
    unsigned flags = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int t = tuning_option(c, argc, argv, &i, &o);
        if (t < 0)
            return 2;
        if (t)
            continue;
        if (strcmp(a, "--json") == 0)
            c->json = 1;
        else if (strcmp(a, "--sweep") == 0)
            sweep = 1;
        else if (strcmp(a, "--errors") == 0)
            errors = 1;
        else if (strcmp(a, "--no-synonyms") == 0)
            no_synonyms = 1;
        else if (strcmp(a, "--rank-bm25") == 0 && !fit)
            flags |= NT_CLAIMS_RANK_BM25;
        else if (strcmp(a, "--clef") == 0 && i + 1 < argc)
            clef = argv[++i];
        else if (strcmp(a, "--vi") == 0 && i + 1 < argc)
            vi = argv[++i];
        else if (strcmp(a, "--split") == 0 && i + 1 < argc && !fit)
            split = argv[++i];
        else {
            fprintf(
                stderr, "niemtin: claim %s: %s '%s'\n", fit ? "fit" : "eval",
                L(c, "tham số không rõ hoặc thiếu giá trị", "unknown argument or missing value"),
                a);
            return usage_claim(c);
        }
    }
    if (fit ? !(clef && vi) : !!clef == !!vi) {
        fprintf(stderr, "niemtin: claim %s: %s\n", fit ? "fit" : "eval",
                fit ? L(c, "cần cả --clef DIR và --vi DIR", "needs both --clef DIR and --vi DIR")
                    : L(c, "cần đúng một trong --clef DIR hoặc --vi DIR",
                        "give exactly one of --clef DIR or --vi DIR"));
        return usage_claim(c);
    }
    if (!fit && vi && split && strcmp(split, "dev") != 0 && strcmp(split, "heldout") != 0) {
        fprintf(stderr, "niemtin: claim eval: --split %s\n",
                L(c, "chỉ có dev hoặc heldout", "must be dev or heldout"));
        return 2;
    }
    nt_lexicon *lex = cli_load_teencode(c);
    if (!lex)
        return 1;
    int failed;
    nt_lexicon *syn = cli_load_claim_synonyms(c, &failed);
    if (failed) {
        nt_lexicon_free(lex);
        return 1;
    }
    o.teencode = lex;
    if (!no_synonyms)
        o.synonyms = syn;
    int status;
    if (fit) {
        status = claim_fit(c, &o, clef, vi);
    } else {
        nt_claim_dataset *ds = NULL;
        nt_diag d;
        nt_diag_clear(&d);
        nt_err rc;
        if (!split)
            split = "dev";
        if (clef) {
            rc = nt_claim_dataset_load_clef(clef, split, &ds, &d);
        } else {
            char cpath[4096], qpath[4096];
            snprintf(cpath, sizeof cpath, "%s/claims.jsonl", vi);
            snprintf(qpath, sizeof qpath, "%s/%s.jsonl", vi, split);
            rc = nt_claim_dataset_load_jsonl(cpath, qpath, &ds, &d);
        }
        if (rc) {
            cli_error(c, rc, &d, L(c, "không đọc được bộ dữ liệu", "cannot load the data set"));
            status = 1;
        } else {
            status = run_eval(c, ds, &o, clef ? "clef2020-checkthat-task2" : "vi-claims", split,
                              flags, sweep, errors);
        }
        nt_claim_dataset_free(ds);
    }
    nt_lexicon_free(syn);
    nt_lexicon_free(lex);
    return status;
}

int cmd_claim(cli *c, int argc, char **argv)
{
    if (argc < 1)
        return usage_claim(c);
    if (strcmp(argv[0], "match") == 0) {
        /* --claims FILE: a claims file; otherwise the database's published
         * fact-checks (src/cmd_desk.c) */
        int file = 0;
        for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
            file |= strcmp(argv[i], "--claims") == 0;
        if (file)
            return claim_match(c, argc - 1, argv + 1);
    }
    int st = cmd_desk(c, argv[0], argc - 1, argv + 1);
    if (st >= 0)
        return st;
    if (strcmp(argv[0], "eval") == 0)
        return claim_eval(c, argc - 1, argv + 1, 0);
    if (strcmp(argv[0], "fit") == 0)
        return claim_eval(c, argc - 1, argv + 1, 1);
    fprintf(stderr, "niemtin: claim: %s '%s'\n", L(c, "không có lệnh con", "no such subcommand"),
            argv[0]);
    return usage_claim(c);
}
