/*
 * lib/claims/dataset.c - evaluation sets for claim matching, and the ranking
 * metrics they are scored with.
 *
 * Two layouts: CLEF 2020 CheckThat! Task 2 (TREC-style TSV with CSV quoting,
 * whose quoted fields may span lines, plus qrels), and our own JSON lines
 * (a claims file and a queries file naming the claim each query repeats, or
 * null for a rumour that must match nothing).  Both load into the same
 * nt_claim_dataset: claims to index, queries with their relevant claim ids.
 * Every reference is checked (a qrel naming an unknown tweet or claim is an
 * error with its line), so a metric is never computed on a silently shrunken
 * set.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "claims/claims_int.h"
#include "claims/pool.h"
#include "core/diag.h"

struct nt_claim_dataset {
    nt_claim_set *set; /* JSON-lines claims */
    nt_claim *claims;  /* CLEF claims (strings in pool) */
    size_t nclaims;
    nt_claim_query *queries;
    size_t nq, qcap;
    const char **rel; /* relevant ids of every query, back to back */
    size_t nrel, relcap;
    size_t *rel_first; /* per query: index into rel */
    nt__strpool pool;
};

/* ---- Metrics --------------------------------------------------------------- */

double nt_rank_ap_at(const unsigned char *rel, size_t n, size_t n_relevant, size_t k)
{
    if (!n_relevant)
        return 0;
    double sum = 0;
    size_t hits = 0;
    for (size_t i = 0; i < n && i < k; i++)
        if (rel[i]) {
            hits++;
            sum += (double)hits / (double)(i + 1);
        }
    return sum / (double)n_relevant;
}

double nt_rank_rr(const unsigned char *rel, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rel[i])
            return 1.0 / (double)(i + 1);
    return 0;
}

double nt_rank_recall_at(const unsigned char *rel, size_t n, size_t n_relevant, size_t k)
{
    if (!n_relevant)
        return 0;
    size_t hits = 0;
    for (size_t i = 0; i < n && i < k; i++)
        hits += rel[i] != 0;
    return (double)hits / (double)n_relevant;
}

/* ---- Shared ---------------------------------------------------------------- */

static nt_claim_dataset *dataset_new(void)
{
    return calloc(1, sizeof(nt_claim_dataset));
}

void nt_claim_dataset_free(nt_claim_dataset *ds)
{
    if (!ds)
        return;
    nt_claim_set_free(ds->set);
    free(ds->claims);
    free(ds->queries);
    free(ds->rel);
    free(ds->rel_first);
    nt__strpool_release(&ds->pool);
    free(ds);
}

const nt_claim *nt_claim_dataset_claims(const nt_claim_dataset *ds, size_t *n)
{
    if (!ds) {
        if (n)
            *n = 0;
        return NULL;
    }
    if (ds->set)
        return nt_claim_set_claims(ds->set, n);
    if (n)
        *n = ds->nclaims;
    return ds->claims;
}

const nt_claim_query *nt_claim_dataset_queries(const nt_claim_dataset *ds, size_t *n)
{
    if (n)
        *n = ds ? ds->nq : 0;
    return ds ? ds->queries : NULL;
}

static nt_err add_query(nt_claim_dataset *ds, const char *id, const char *text, size_t len,
                        const char *note)
{
    if (ds->nq == ds->qcap) {
        size_t ncap = ds->qcap ? ds->qcap * 2 : 256;
        nt_claim_query *q = realloc(ds->queries, ncap * sizeof *q);
        if (!q)
            return NT_ERR_NOMEM;
        ds->queries = q;
        size_t *f = realloc(ds->rel_first, (ncap + 1) * sizeof *f);
        if (!f)
            return NT_ERR_NOMEM;
        ds->rel_first = f;
        ds->qcap = ncap;
    }
    nt_claim_query *q = &ds->queries[ds->nq];
    memset(q, 0, sizeof *q);
    q->id = id;
    q->text = text;
    q->len = len;
    q->note = note;
    ds->nq++;
    return NT_OK;
}

static nt_err add_rel(nt_claim_dataset *ds, const char *id)
{
    if (ds->nrel == ds->relcap) {
        size_t ncap = ds->relcap ? ds->relcap * 2 : 256;
        const char **r = realloc(ds->rel, ncap * sizeof *r);
        if (!r)
            return NT_ERR_NOMEM;
        ds->rel = r;
        ds->relcap = ncap;
    }
    ds->rel[ds->nrel++] = id;
    return NT_OK;
}

/* Point each query at its slice of ds->rel (called once rel is final). */
static void link_relevant(nt_claim_dataset *ds)
{
    for (size_t i = 0; i < ds->nq; i++) {
        size_t a = ds->rel_first[i], b = i + 1 < ds->nq ? ds->rel_first[i + 1] : ds->nrel;
        ds->queries[i].relevant = ds->rel + a;
        ds->queries[i].n_relevant = b - a;
    }
}

/* A small id -> index table for reference checks. */
typedef struct idtab {
    uint64_t *slot; /* hash high 32 | index + 1 */
    size_t cap;
} idtab;

static nt_err idtab_build(idtab *t, const char *(*get)(const void *, size_t), const void *arr,
                          size_t n)
{
    t->cap = 16;
    while (t->cap < n * 10 / 7 + 1)
        t->cap *= 2;
    t->slot = calloc(t->cap, sizeof *t->slot);
    if (!t->slot)
        return NT_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *id = get(arr, i);
        uint64_t h = nt__claims_id_hash(id, strlen(id));
        size_t j = (size_t)h & (t->cap - 1);
        while (t->slot[j])
            j = (j + 1) & (t->cap - 1);
        t->slot[j] = (h & 0xffffffff00000000ull) | (uint64_t)(i + 1);
    }
    return NT_OK;
}

static long idtab_find(const idtab *t, const char *(*get)(const void *, size_t), const void *arr,
                       const char *id, size_t len)
{
    uint64_t h = nt__claims_id_hash(id, len);
    for (size_t j = (size_t)h & (t->cap - 1); t->slot[j]; j = (j + 1) & (t->cap - 1)) {
        size_t i = (size_t)(t->slot[j] & 0xffffffffu) - 1;
        const char *other = get(arr, i);
        if ((t->slot[j] >> 32) == (h >> 32) && strncmp(other, id, len) == 0 && !other[len])
            return (long)i;
    }
    return -1;
}

static const char *claim_id_at(const void *arr, size_t i)
{
    return ((const nt_claim *)arr)[i].id;
}

static const char *query_id_at(const void *arr, size_t i)
{
    return ((const nt_claim_query *)arr)[i].id;
}

/* ---- CLEF TSV ---------------------------------------------------------------- */

typedef struct tsv {
    const char *data;
    size_t len, pos;
    unsigned line;
    const char *src;
    char *buf; /* the current field, unquoted */
    size_t blen, bcap;
} tsv;

static nt_err buf_put(tsv *t, char c)
{
    if (t->blen + 2 > t->bcap) {
        size_t ncap = t->bcap ? t->bcap * 2 : 4096;
        char *nb = realloc(t->buf, ncap);
        if (!nb)
            return NT_ERR_NOMEM;
        t->buf = nb;
        t->bcap = ncap;
    }
    t->buf[t->blen++] = c;
    t->buf[t->blen] = '\0';
    return NT_OK;
}

/* Read one record of up to maxf fields into the pool.  Returns NT_OK with
 * *nf = 0 at the end of the data.  *first_line gets the record's line. */
static nt_err tsv_record(tsv *t, nt__strpool *pool, const char **fields, size_t *flen, size_t maxf,
                         size_t *nf, unsigned *first_line, nt_diag *diag)
{
    *nf = 0;
    if (t->pos >= t->len)
        return NT_OK;
    *first_line = t->line;
    for (;;) {
        t->blen = 0;
        if (t->bcap)
            t->buf[0] = '\0';
        unsigned field_line = t->line;
        int quoted = t->pos < t->len && t->data[t->pos] == '"';
        if (quoted) {
            t->pos++;
            for (;;) {
                if (t->pos >= t->len)
                    return nt__fail_at(diag, NT_ERR_PARSE, t->src, field_line, 1, t->pos,
                                       "quoted field never closed");
                char c = t->data[t->pos++];
                if (c == '"') {
                    if (t->pos < t->len && t->data[t->pos] == '"') {
                        t->pos++;
                    } else {
                        break;
                    }
                }
                if (c == '\n')
                    t->line++;
                if (buf_put(t, c))
                    return NT_ERR_NOMEM;
            }
        }
        /* unquoted text (or text after a closing quote) up to tab or newline */
        while (t->pos < t->len && t->data[t->pos] != '\t' && t->data[t->pos] != '\n') {
            char c = t->data[t->pos++];
            if (c == '\r' && (t->pos >= t->len || t->data[t->pos] == '\n'))
                continue;
            if (buf_put(t, c))
                return NT_ERR_NOMEM;
        }
        if (*nf < maxf) {
            const char *s = nt__strpool_dup(pool, t->blen ? t->buf : "", t->blen);
            if (!s)
                return NT_ERR_NOMEM;
            fields[*nf] = s;
            flen[*nf] = t->blen;
        }
        (*nf)++;
        if (t->pos >= t->len || t->data[t->pos] == '\n') {
            t->pos++;
            t->line++;
            return NT_OK;
        }
        t->pos++; /* the tab */
    }
}

static nt_err load_tsv(const char *path, char **data, size_t *len, nt_diag *diag)
{
    return nt__read_file(path, NT_CLAIMS_MAX_FILE_BYTES, data, len, diag);
}

static nt_err clef_claims(nt_claim_dataset *ds, const char *path, nt_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    nt_err rc = load_tsv(path, &data, &len, diag);
    if (rc)
        return rc;
    tsv t = {data, len, 0, 1, path, NULL, 0, 0};
    size_t cap = 0, nf;
    const char *f[3];
    size_t fl[3];
    unsigned line;
    int header = 1;
    for (;;) {
        if ((rc = tsv_record(&t, &ds->pool, f, fl, 3, &nf, &line, diag)))
            goto cleanup;
        if (nf == 0)
            break;
        if (header) {
            header = 0;
            continue;
        }
        if (nf == 1 && fl[0] == 0)
            continue; /* blank line */
        if (nf < 2 || fl[0] == 0) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, path, line, 1, 0,
                             "expected vclaim_id <TAB> vclaim [<TAB> title]");
            goto cleanup;
        }
        if (ds->nclaims == cap) {
            cap = cap ? cap * 2 : 16384;
            nt_claim *nc = realloc(ds->claims, cap * sizeof *nc);
            if (!nc) {
                rc = NT_ERR_NOMEM;
                goto cleanup;
            }
            ds->claims = nc;
        }
        nt_claim *c = &ds->claims[ds->nclaims++];
        memset(c, 0, sizeof *c);
        c->id = f[0];
        c->text = f[1];
        c->title = nf >= 3 && fl[2] ? f[2] : NULL;
        c->lang = "en";
    }
cleanup:
    free(t.buf);
    free(data);
    return rc;
}

static nt_err clef_queries(nt_claim_dataset *ds, const char *path, nt_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    nt_err rc = load_tsv(path, &data, &len, diag);
    if (rc)
        return rc;
    tsv t = {data, len, 0, 1, path, NULL, 0, 0};
    size_t nf;
    const char *f[2];
    size_t fl[2];
    unsigned line;
    int header = 1;
    for (;;) {
        if ((rc = tsv_record(&t, &ds->pool, f, fl, 2, &nf, &line, diag)))
            goto cleanup;
        if (nf == 0)
            break;
        if (header) {
            header = 0;
            continue;
        }
        if (nf == 1 && fl[0] == 0)
            continue;
        if (nf != 2 || fl[0] == 0) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, path, line, 1, 0,
                             "expected tweet_id <TAB> tweet_content");
            goto cleanup;
        }
        if ((rc = add_query(ds, f[0], f[1], fl[1], NULL)))
            goto cleanup;
    }
cleanup:
    free(t.buf);
    free(data);
    return rc;
}

typedef struct qrel {
    size_t query;
    const char *claim;
} qrel;

static int cmp_qrel(const void *a, const void *b)
{
    const qrel *x = a, *y = b;
    return x->query < y->query ? -1 : x->query > y->query;
}

/* Split a qrels line into whitespace-separated words. */
static size_t words(char *s, char **w, size_t max)
{
    size_t n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\r')
            *s++ = '\0';
        if (!*s)
            break;
        if (n < max)
            w[n] = s;
        n++;
        while (*s && *s != ' ' && *s != '\t' && *s != '\r')
            s++;
    }
    return n;
}

static nt_err clef_qrels(nt_claim_dataset *ds, const char *path, nt_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    qrel *q = NULL;
    size_t nq = 0, cap = 0;
    idtab qt = {0}, ct = {0};
    nt_err rc = load_tsv(path, &data, &len, diag);
    if (rc)
        return rc;
    if ((rc = idtab_build(&qt, query_id_at, ds->queries, ds->nq)) ||
        (rc = idtab_build(&ct, claim_id_at, ds->claims, ds->nclaims)))
        goto cleanup;
    unsigned line = 0;
    char *p = data;
    while (p < data + len) {
        char *nl = memchr(p, '\n', (size_t)(data + len - p));
        if (nl)
            *nl = '\0';
        line++;
        char *w[5];
        size_t n = words(p, w, 5);
        p = nl ? nl + 1 : data + len;
        if (n == 0)
            continue;
        if (n != 4) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, path, line, 1, 0,
                             "expected tweet_id 0 vclaim_id relevance");
            goto cleanup;
        }
        if (strcmp(w[3], "0") == 0)
            continue;
        long qi = idtab_find(&qt, query_id_at, ds->queries, w[0], strlen(w[0]));
        long ci = idtab_find(&ct, claim_id_at, ds->claims, w[2], strlen(w[2]));
        if (qi < 0 || ci < 0) {
            rc = nt__fail_at(diag, NT_ERR_INVALID, path, line, 1, 0, "unknown %s id \"%.64s\"",
                             qi < 0 ? "tweet" : "claim", qi < 0 ? w[0] : w[2]);
            goto cleanup;
        }
        if (nq == cap) {
            cap = cap ? cap * 2 : 1024;
            qrel *nqr = realloc(q, cap * sizeof *nqr);
            if (!nqr) {
                rc = NT_ERR_NOMEM;
                goto cleanup;
            }
            q = nqr;
        }
        q[nq].query = (size_t)qi;
        q[nq].claim = ds->claims[ci].id;
        nq++;
    }
    qsort(q, nq, sizeof *q, cmp_qrel);
    size_t j = 0;
    for (size_t i = 0; i < ds->nq; i++) {
        ds->rel_first[i] = ds->nrel;
        for (; j < nq && q[j].query == i; j++)
            if ((rc = add_rel(ds, q[j].claim)))
                goto cleanup;
    }
    link_relevant(ds);
cleanup:
    free(qt.slot);
    free(ct.slot);
    free(q);
    free(data);
    return rc;
}

nt_err nt_claim_dataset_load_clef(const char *dir, const char *split, nt_claim_dataset **out,
                                  nt_diag *diag)
{
    if (!dir || !split || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no directory, split or output");
    *out = NULL;
    char path[4096];
    nt_claim_dataset *ds = dataset_new();
    if (!ds)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_err rc;
    snprintf(path, sizeof path, "%s/verified_claims.docs.tsv", dir);
    if ((rc = clef_claims(ds, path, diag)))
        goto cleanup;
    snprintf(path, sizeof path, "%s/%s/tweets.queries.tsv", dir, split);
    if ((rc = clef_queries(ds, path, diag)))
        goto cleanup;
    snprintf(path, sizeof path, "%s/%s/tweet-vclaim-pairs.qrels", dir, split);
    if ((rc = clef_qrels(ds, path, diag)))
        goto cleanup;
    *out = ds;
    ds = NULL;
cleanup:
    if (rc == NT_ERR_NOMEM && diag)
        nt__fail_at(diag, rc, path, 0, 0, 0, "out of memory");
    nt_claim_dataset_free(ds);
    return rc;
}

/* ---- JSON lines -------------------------------------------------------------- */

static const char *pool_json_string(nt_claim_dataset *ds, json_t *v)
{
    return nt__strpool_dup(&ds->pool, json_string_value(v), json_string_length(v));
}

static nt_err jsonl_query(nt_claim_dataset *ds, const idtab *ct, const nt_claim *claims,
                          const char *line, size_t len, const char *src, unsigned lineno,
                          nt_diag *diag)
{
    json_error_t err;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
    nt_err rc = NT_OK;
    if (!o)
        return nt__fail_at(diag, NT_ERR_PARSE, src, lineno,
                           err.column > 0 ? (unsigned)err.column : 1, 0, "%s", err.text);
    const char *key;
    json_t *v, *id = NULL, *text = NULL, *note = NULL, *claim = NULL, *claims_arr = NULL;
    if (!json_is_object(o)) {
        rc = nt__fail_at(diag, NT_ERR_PARSE, src, lineno, 1, 0, "expected a JSON object");
        goto cleanup;
    }
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "id") == 0)
            id = v;
        else if (strcmp(key, "text") == 0)
            text = v;
        else if (strcmp(key, "note") == 0)
            note = v;
        else if (strcmp(key, "claim") == 0)
            claim = v;
        else if (strcmp(key, "claims") == 0)
            claims_arr = v;
        else if (strcmp(key, "changes") != 0 && strcmp(key, "lang") != 0) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, lineno, 1, 0,
                             "unknown key \"%.64s\" (expected id, text, claim, claims, note, "
                             "changes, lang)",
                             key);
            goto cleanup;
        }
    }
    if (!json_is_string(id) || !json_string_length(id) || !json_is_string(text)) {
        rc = nt__fail_at(diag, NT_ERR_INVALID, src, lineno, 1, 0,
                         "a query needs a string \"id\" and \"text\"");
        goto cleanup;
    }
    if ((note && !json_is_string(note)) ||
        (claim && !json_is_string(claim) && !json_is_null(claim)) ||
        (claims_arr && !json_is_array(claims_arr))) {
        rc = nt__fail_at(diag, NT_ERR_PARSE, src, lineno, 1, 0,
                         "\"note\" must be a string, \"claim\" a string or null, \"claims\" an "
                         "array of strings");
        goto cleanup;
    }
    const char *qid = pool_json_string(ds, id), *qtext = pool_json_string(ds, text);
    const char *qnote = note ? pool_json_string(ds, note) : NULL;
    if (!qid || !qtext || (note && !qnote) ||
        (rc = add_query(ds, qid, qtext, json_string_length(text), qnote))) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    ds->rel_first[ds->nq - 1] = ds->nrel;
    json_t *single[1] = {claim};
    size_t nnames = claim && json_is_string(claim) ? 1 : 0;
    if (claims_arr)
        nnames = json_array_size(claims_arr);
    for (size_t i = 0; i < nnames; i++) {
        json_t *c = claims_arr ? json_array_get(claims_arr, i) : single[0];
        if (!json_is_string(c)) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, lineno, 1, 0,
                             "\"claims\" must be an array of strings");
            goto cleanup;
        }
        long ci = idtab_find(ct, claim_id_at, claims, json_string_value(c), json_string_length(c));
        if (ci < 0) {
            rc = nt__fail_at(diag, NT_ERR_INVALID, src, lineno, 1, 0,
                             "query \"%.64s\" names claim \"%.64s\", which is not in the claims "
                             "file",
                             qid, json_string_value(c));
            goto cleanup;
        }
        if ((rc = add_rel(ds, claims[ci].id)))
            goto cleanup;
    }
cleanup:
    json_decref(o);
    return rc;
}

nt_err nt_claim_dataset_load_jsonl(const char *claims_path, const char *queries_path,
                                   nt_claim_dataset **out, nt_diag *diag)
{
    if (!claims_path || !queries_path || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no file names or output");
    *out = NULL;
    char *data = NULL;
    size_t len = 0, nclaims = 0;
    idtab ct = {0};
    nt_err rc;
    nt_claim_dataset *ds = dataset_new();
    if (!ds)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if ((rc = nt_claim_set_load(claims_path, &ds->set, diag)))
        goto cleanup;
    const nt_claim *claims = nt_claim_set_claims(ds->set, &nclaims);
    if ((rc = idtab_build(&ct, claim_id_at, claims, nclaims)) ||
        (rc = nt__read_file(queries_path, NT_CLAIMS_MAX_FILE_BYTES, &data, &len, diag)))
        goto cleanup;
    unsigned lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, l = end - pos;
        lineno++;
        size_t i = 0;
        while (i < l && (data[pos + i] == ' ' || data[pos + i] == '\t' || data[pos + i] == '\r'))
            i++;
        if (i < l && data[pos + i] != '#' &&
            (rc = jsonl_query(ds, &ct, claims, data + pos, l, queries_path, lineno, diag)))
            goto cleanup;
        pos = end + 1;
    }
    link_relevant(ds);
    *out = ds;
    ds = NULL;
cleanup:
    if (rc == NT_ERR_NOMEM && diag)
        nt__fail(diag, rc, 0, "out of memory");
    free(ct.slot);
    free(data);
    nt_claim_dataset_free(ds);
    return rc;
}
