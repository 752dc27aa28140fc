/*
 * lib/detect/rules_match.c - compiling a rule set into one Hyperscan database
 * and matching messages against it.
 *
 * Every phrase and regex of every rule becomes one Hyperscan expression whose
 * id is its index in the pattern table, so one pass over the folded text
 * finds all of them at once however many rules there are.  The scratch
 * records, per pattern, the first few places it matched; the rules are then
 * evaluated from those records (any / all / near / needs / unless), and the
 * evidence spans are mapped back to the original text through nt_text_span.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <xxhash.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "detect/rules_int.h"
#include "niemtin/limits.h"

#define HITS_PER_PATTERN 4

typedef struct phit {
    uint32_t n;                       /* matches recorded (capped) */
    uint32_t from[HITS_PER_PATTERN];  /* fold-form offsets */
    uint32_t to[HITS_PER_PATTERN];
} phit;

struct nt_rule_scratch {
    const nt_ruleset *rs;
    hs_scratch_t *hs;
    phit *hits;       /* one per pattern */
    size_t *touched;  /* patterns with hits in this scan, to reset cheaply */
    size_t ntouched;
};

struct nt_rule_hits {
    nt_rule_hit *v;
    size_t n;
};

/* Escape a folded phrase as a Hyperscan literal, with word boundaries at
 * ends that are word characters. */
static nt_err phrase_expr(const rpattern *p, nt__buf *out)
{
    static const char meta[] = "\\^$.|?*+()[]{}/";
    nt_err rc = NT_OK;
    unsigned char first = (unsigned char)p->text[0], last = (unsigned char)p->text[p->len - 1];
    int wb_start = (first >= 'a' && first <= 'z') || (first >= '0' && first <= '9');
    int wb_end = (last >= 'a' && last <= 'z') || (last >= '0' && last <= '9');
    if (wb_start)
        rc = nt__buf_adds(out, "\\b");
    for (size_t i = 0; i < p->len && !rc; i++) {
        unsigned char c = (unsigned char)p->text[i];
        if (c < 0x80 && strchr(meta, c))
            rc = nt__buf_addc(out, '\\');
        if (!rc)
            rc = nt__buf_addc(out, (char)c);
    }
    if (!rc && wb_end)
        rc = nt__buf_adds(out, "\\b");
    return rc;
}

/* ---- the compiled-database cache ------------------------------------------
 * Compiling a few hundred rules takes Hyperscan seconds; loading the
 * serialised result takes milliseconds (rspamd caches its databases the same
 * way).  The cache file is named by a hash of everything the compile depends
 * on - every expression, flag and id, and Hyperscan's version - so a changed
 * rule or library simply misses the cache.  Files are written to a temporary
 * name and renamed, so a reader never sees half a file; a damaged or foreign
 * file fails to deserialise and is recompiled over. */

static uint64_t compile_key(char *const *exprs, const unsigned *flags, size_t n)
{
    XXH3_state_t *st = XXH3_createState();
    if (!st)
        return 0;
    XXH3_64bits_reset(st);
    const char *v = hs_version();
    XXH3_64bits_update(st, v, strlen(v) + 1);
    for (size_t i = 0; i < n; i++) {
        XXH3_64bits_update(st, exprs[i], strlen(exprs[i]) + 1);
        XXH3_64bits_update(st, &flags[i], sizeof flags[i]);
    }
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static int cache_load(const char *path, hs_database_t **db)
{
    char *data = NULL;
    size_t len = 0;
    if (nt__read_file(path, NT_MAX_DATA_FILE_BYTES * 16, &data, &len, NULL) != NT_OK)
        return 0;
    int ok = hs_deserialize_database(data, len, db) == HS_SUCCESS;
    free(data);
    return ok;
}

static void cache_store(const char *path, const hs_database_t *db)
{
    char *bytes = NULL, tmp[4200];
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
        return;
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (f) {
        int ok = fwrite(bytes, 1, len, f) == len;
        ok &= fclose(f) == 0;
        if (!ok || rename(tmp, path) != 0)
            remove(tmp);
    }
    free(bytes);
}

nt_err nt__rules_compile(struct nt_ruleset *rs, const char *source, const char *cache_dir,
                         nt_diag *diag)
{
    nt_err rc = NT_OK;
    if (rs->npats == 0)
        return NT_OK;
    char **exprs = calloc(rs->npats, sizeof *exprs);
    unsigned *flags = calloc(rs->npats, sizeof *flags);
    unsigned *ids = calloc(rs->npats, sizeof *ids);
    hs_compile_error_t *err = NULL;
    if (!exprs || !flags || !ids) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < rs->npats; i++) {
        const rpattern *p = &rs->pats[i];
        nt__buf b;
        nt__buf_init(&b, 8192);
        rc = p->kind == PAT_PHRASE ? phrase_expr(p, &b) : nt__buf_add(&b, p->text, p->len);
        if (rc) {
            nt__buf_free(&b);
            rc = nt__fail(diag, rc, 0, "out of memory");
            goto cleanup;
        }
        exprs[i] = nt__buf_take(&b);
        if (!exprs[i]) {
            rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
        ids[i] = (unsigned)i;
        flags[i] = HS_FLAG_CASELESS | HS_FLAG_UTF8;
        if (p->kind == PAT_REGEX)
            flags[i] |= HS_FLAG_SOM_LEFTMOST;
    }
    char cache_path[4096] = "";
    if (cache_dir && *cache_dir) {
        snprintf(cache_path, sizeof cache_path, "%s/rules-%016llx.hsdb", cache_dir,
                 (unsigned long long)compile_key(exprs, flags, rs->npats));
        if (cache_load(cache_path, &rs->db))
            goto cleanup;
        rs->db = NULL;
    }
    if (hs_compile_multi((const char *const *)exprs, flags, ids, (unsigned)rs->npats,
                         HS_MODE_BLOCK, NULL, &rs->db, &err) != HS_SUCCESS) {
        if (err && err->expression >= 0 && (size_t)err->expression < rs->npats) {
            const rpattern *p = &rs->pats[err->expression];
            rc = nt__fail_at(diag, NT_ERR_PARSE, rs->rules[p->rule].file, p->line, p->col, 0,
                             "rule '%s': pattern rejected: %s", rs->rules[p->rule].id,
                             err->message);
        } else {
            rc = nt__fail_at(diag, NT_ERR_PARSE, source, 0, 0, 0, "rules rejected: %s",
                             err ? err->message : "unknown Hyperscan error");
        }
        rs->db = NULL;
        goto cleanup;
    }
    if (cache_path[0])
        cache_store(cache_path, rs->db);
cleanup:
    if (err)
        hs_free_compile_error(err);
    if (exprs)
        for (size_t i = 0; i < rs->npats; i++)
            free(exprs[i]);
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

nt_err nt_rule_scratch_new(const nt_ruleset *rs, nt_rule_scratch **out)
{
    if (!rs || !out)
        return NT_ERR_INVALID_ARG;
    *out = NULL;
    nt_rule_scratch *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NT_ERR_NOMEM;
    sc->rs = rs;
    sc->hits = calloc(rs->npats ? rs->npats : 1, sizeof *sc->hits);
    sc->touched = calloc(rs->npats ? rs->npats : 1, sizeof *sc->touched);
    if (!sc->hits || !sc->touched) {
        nt_rule_scratch_free(sc);
        return NT_ERR_NOMEM;
    }
    if (rs->db && hs_alloc_scratch(rs->db, &sc->hs) != HS_SUCCESS) {
        nt_rule_scratch_free(sc);
        return NT_ERR_NOMEM;
    }
    *out = sc;
    return NT_OK;
}

void nt_rule_scratch_free(nt_rule_scratch *sc)
{
    if (!sc)
        return;
    if (sc->hs)
        hs_free_scratch(sc->hs);
    free(sc->hits);
    free(sc->touched);
    free(sc);
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)flags;
    nt_rule_scratch *sc = ctx;
    phit *h = &sc->hits[id];
    const rpattern *p = &sc->rs->pats[id];
    if (p->kind == PAT_PHRASE)
        from = to >= p->len ? to - p->len : 0;
    if (h->n == 0)
        sc->touched[sc->ntouched++] = id;
    if (h->n < HITS_PER_PATTERN) {
        h->from[h->n] = (uint32_t)from;
        h->to[h->n] = (uint32_t)to;
    }
    h->n++;
    return 0;
}

/* Token index of a fold-form offset (binary search on token starts). */
static size_t token_at(const nt_token *tok, size_t ntok, size_t off)
{
    size_t lo = 0, hi = ntok;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tok[mid].fstart <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

static void add_span(const nt_text *t, nt_rule_hit *hit, uint32_t from, uint32_t to)
{
    size_t os, oe;
    if (nt_text_span(t, NT_FORM_FOLD, from, to, &os, &oe) != NT_OK)
        return;
    /* Overlapping evidence ("lệnh bắt" and "bắt tạm giam") is one span. */
    for (size_t i = 0; i < hit->nspans; i++)
        if (os < hit->spans[i].end && oe > hit->spans[i].start) {
            if (os < hit->spans[i].start)
                hit->spans[i].start = os;
            if (oe > hit->spans[i].end)
                hit->spans[i].end = oe;
            return;
        }
    if (hit->nspans >= NT_RULE_MAX_SPANS)
        return;
    hit->spans[hit->nspans].start = os;
    hit->spans[hit->nspans].end = oe;
    hit->nspans++;
}

/* Evaluate one rule from the pattern records; fills hit's spans. */
static int rule_fires(const nt_rule_scratch *sc, const rule *r, unsigned have_types,
                      const nt_text *t, const nt_token *tok, size_t ntok, nt_rule_hit *hit)
{
    const phit *h = sc->hits;
    for (size_t i = 0; i < r->nunless; i++)
        if (h[r->unless[i]].n)
            return 0;
    for (size_t i = 0; i < r->nneeds; i++)
        if (!(r->needs[i] & have_types))
            return 0;
    int any_ok = r->nany == 0;
    for (size_t i = 0; i < r->nany; i++)
        if (h[r->any[i]].n) {
            any_ok = 1;
            add_span(t, hit, h[r->any[i]].from[0], h[r->any[i]].to[0]);
        }
    if (!any_ok)
        return 0;
    for (size_t i = 0; i < r->nall; i++) {
        if (!h[r->all[i]].n)
            return 0;
        add_span(t, hit, h[r->all[i]].from[0], h[r->all[i]].to[0]);
    }
    for (size_t i = 0; i < r->nnear; i++) {
        const phit *a = &h[r->near[i].a], *b = &h[r->near[i].b];
        int ok = 0;
        size_t na = a->n < HITS_PER_PATTERN ? a->n : HITS_PER_PATTERN;
        size_t nb = b->n < HITS_PER_PATTERN ? b->n : HITS_PER_PATTERN;
        for (size_t x = 0; x < na && !ok; x++)
            for (size_t y = 0; y < nb && !ok; y++) {
                size_t ta = token_at(tok, ntok, a->from[x]), tb = token_at(tok, ntok, b->from[y]);
                size_t d = ta > tb ? ta - tb : tb - ta;
                if (d <= r->near[i].within) {
                    ok = 1;
                    add_span(t, hit, a->from[x], a->to[x]);
                    add_span(t, hit, b->from[y], b->to[y]);
                }
            }
        if (!ok)
            return 0;
    }
    return 1;
}

nt_err nt_ruleset_match(const nt_ruleset *rs, nt_rule_scratch *sc, const nt_text *t,
                        const nt_indicator_list *inds, nt_rule_hits **out)
{
    if (!rs || !sc || sc->rs != rs || !t || !out)
        return NT_ERR_INVALID_ARG;
    *out = NULL;
    for (size_t i = 0; i < sc->ntouched; i++)
        memset(&sc->hits[sc->touched[i]], 0, sizeof sc->hits[0]);
    sc->ntouched = 0;
    size_t flen = 0;
    const char *fold = nt_text_form(t, NT_FORM_FOLD, &flen);
    if (rs->db && flen > 0) {
        hs_error_t e = hs_scan(rs->db, fold, (unsigned)flen, 0, sc->hs, on_match, sc);
        if (e != HS_SUCCESS)
            return e == HS_NOMEM ? NT_ERR_NOMEM : NT_ERR_INTERNAL;
    }
    unsigned have_types = 0;
    for (size_t i = 0; i < nt_indicator_list_count(inds); i++)
        have_types |= 1u << nt_indicator_list_get(inds, i)->type;
    size_t ntok = 0;
    const nt_token *tok = nt_text_tokens(t, &ntok);
    nt_rule_hits *hits = calloc(1, sizeof *hits);
    if (!hits)
        return NT_ERR_NOMEM;
    /* Only rules with a matched pattern can fire. */
    for (size_t k = 0; k < sc->ntouched; k++) {
        size_t ri = rs->pats[sc->touched[k]].rule;
        int seen = 0;
        for (size_t j = 0; j < hits->n && !seen; j++)
            seen = hits->v[j].rule == ri;
        if (seen)
            continue;
        const rule *r = &rs->rules[ri];
        nt_rule_hit hit;
        memset(&hit, 0, sizeof hit);
        if (!rule_fires(sc, r, have_types, t, tok, ntok, &hit))
            continue;
        nt_rule_hit *nv = realloc(hits->v, (hits->n + 1) * sizeof *nv);
        if (!nv) {
            nt_rule_hits_free(hits);
            return NT_ERR_NOMEM;
        }
        hits->v = nv;
        hit.rule = ri;
        hit.id = r->id;
        hit.tactic = r->tactic ? r->tactic : "";
        hit.category = r->category ? r->category : "";
        hit.weight = r->weight;
        hits->v[hits->n++] = hit;
    }
    *out = hits;
    return NT_OK;
}

size_t nt_rule_hits_count(const nt_rule_hits *h)
{
    return h ? h->n : 0;
}

const nt_rule_hit *nt_rule_hits_get(const nt_rule_hits *h, size_t i)
{
    return h && i < h->n ? &h->v[i] : NULL;
}

void nt_rule_hits_free(nt_rule_hits *h)
{
    if (!h)
        return;
    free(h->v);
    free(h);
}
