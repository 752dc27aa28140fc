/*
 * lib/claims/claimfile.c - claims files: JSON lines of
 * {"id","text","lang","title","verdict","url"}, parsed strictly with
 * file:line:col errors (a typo in a key is an error, not a silently dropped
 * field), duplicate ids reported with the line of the first.
 *
 * The parsed set owns one copy of every string (a list of blocks), so the
 * nt_claim array it hands out can go straight to nt_claims_build.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "claims/claims_int.h"
#include "claims/pool.h"
#include "core/diag.h"

struct nt_claim_set {
    nt_claim *claims;
    unsigned *lines;
    size_t n, cap;
    nt__strpool pool;
};

static const char *const known_keys[] = {"id", "text", "lang", "title", "verdict", "url"};

/* Column (1-based) of "key" in the line, for errors about a key. */
static unsigned key_col(const char *line, size_t len, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 <= len; i++)
        if (line[i] == '"' && memcmp(line + i + 1, key, kl) == 0 && line[i + 1 + kl] == '"')
            return (unsigned)i + 1;
    return 1;
}

static nt_err add_claim(nt_claim_set *set, const nt_claim *c, unsigned line)
{
    if (set->n == set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 256;
        nt_claim *nc = realloc(set->claims, ncap * sizeof *nc);
        if (!nc)
            return NT_ERR_NOMEM;
        set->claims = nc;
        unsigned *nl = realloc(set->lines, ncap * sizeof *nl);
        if (!nl)
            return NT_ERR_NOMEM;
        set->lines = nl;
        set->cap = ncap;
    }
    set->claims[set->n] = *c;
    set->lines[set->n] = line;
    set->n++;
    return NT_OK;
}

/* One line's object into a claim whose strings are in the pool. */
static nt_err parse_line(nt_claim_set *set, const char *line, size_t len, const char *src,
                         unsigned lineno, size_t line_off, nt_diag *diag)
{
    json_error_t err;
    json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
    nt_err rc = NT_OK;
    if (!obj)
        return nt__fail_at(
            diag, NT_ERR_PARSE, src, lineno, err.column > 0 ? (unsigned)err.column : 1,
            line_off + (err.position > 0 ? (size_t)err.position : 0), "%s", err.text);
    if (!json_is_object(obj)) {
        rc = nt__fail_at(diag, NT_ERR_PARSE, src, lineno, 1, line_off,
                         "expected a JSON object {\"id\": ..., \"text\": ...}");
        goto cleanup;
    }
    const char *val[6] = {NULL};
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t k = 0;
        while (k < 6 && strcmp(key, known_keys[k]) != 0)
            k++;
        unsigned col = key_col(line, len, key);
        if (k == 6) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, lineno, col, line_off + col - 1,
                             "unknown key \"%.64s\" (expected id, text, lang, title, verdict, url)",
                             key);
            goto cleanup;
        }
        if (json_is_null(v) && k >= 2)
            continue;
        if (!json_is_string(v)) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, lineno, col, line_off + col - 1,
                             "\"%s\" must be a string", key);
            goto cleanup;
        }
        size_t sl = json_string_length(v);
        const char *s = json_string_value(v);
        if (memchr(s, '\0', sl)) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, lineno, col, line_off + col - 1,
                             "\"%s\" contains a NUL character", key);
            goto cleanup;
        }
        size_t max = k == 0             ? NT_CLAIM_MAX_ID_BYTES
                     : k == 1 || k == 3 ? NT_CLAIM_MAX_TEXT_BYTES
                                        : NT_CLAIM_MAX_FIELD_BYTES;
        if (sl > max) {
            rc = nt__fail_at(diag, NT_ERR_TOO_BIG, src, lineno, col, line_off + col - 1,
                             "\"%s\" is %zu bytes, over the %zu-byte limit", key, sl, max);
            goto cleanup;
        }
        if (!(val[k] = nt__strpool_dup(&set->pool, s, sl))) {
            rc = NT_ERR_NOMEM;
            goto cleanup;
        }
    }
    for (int k = 0; k < 2; k++)
        if (!val[k] || !*val[k]) {
            rc = nt__fail_at(diag, NT_ERR_INVALID, src, lineno, 1, line_off,
                             "the claim has no \"%s\"", known_keys[k]);
            goto cleanup;
        }
    nt_claim c = {val[0], val[1], val[2], val[3], val[4], val[5]};
    rc = add_claim(set, &c, lineno);
cleanup:
    json_decref(obj);
    return rc;
}

/* Duplicate ids, reported at the second occurrence with the first's line. */
static nt_err check_ids(const nt_claim_set *set, const char *src, nt_diag *diag)
{
    size_t cap = 16;
    while (cap < set->n * 10 / 7 + 1)
        cap *= 2;
    uint64_t *tab = calloc(cap, sizeof *tab);
    if (!tab)
        return NT_ERR_NOMEM;
    nt_err rc = NT_OK;
    for (size_t i = 0; i < set->n && !rc; i++) {
        const char *id = set->claims[i].id;
        uint64_t h = nt__claims_id_hash(id, strlen(id));
        size_t j = (size_t)h & (cap - 1);
        for (; tab[j]; j = (j + 1) & (cap - 1)) {
            size_t o = (size_t)(tab[j] & 0xffffffffu) - 1;
            if ((tab[j] >> 32) == (h >> 32) && strcmp(set->claims[o].id, id) == 0) {
                rc = nt__fail_at(diag, NT_ERR_INVALID, src, set->lines[i], 1, 0,
                                 "duplicate claim id \"%.64s\" (first on line %u)", id,
                                 set->lines[o]);
                break;
            }
        }
        if (!rc)
            tab[j] = (h & 0xffffffff00000000ull) | (uint64_t)(i + 1);
    }
    free(tab);
    return rc;
}

nt_err nt_claim_set_parse(const char *data, size_t len, const char *source, nt_claim_set **out,
                          nt_diag *diag)
{
    if (!out || (!data && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no data or output");
    *out = NULL;
    const char *src = source ? source : "";
    if (len > NT_CLAIMS_MAX_FILE_BYTES)
        return nt__fail_at(diag, NT_ERR_TOO_BIG, src, 0, 0, NT_CLAIMS_MAX_FILE_BYTES,
                           "claims file larger than %u bytes", NT_CLAIMS_MAX_FILE_BYTES);
    nt_claim_set *set = calloc(1, sizeof *set);
    if (!set)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_err rc = NT_OK;
    unsigned lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t l = end - pos;
        lineno++;
        if (l && data[pos + l - 1] == '\r')
            l--;
        if (l > NT_CLAIMS_MAX_LINE_BYTES) {
            rc = nt__fail_at(diag, NT_ERR_TOO_BIG, src, lineno, 1, pos,
                             "line of %zu bytes, over the %u-byte limit", l,
                             NT_CLAIMS_MAX_LINE_BYTES);
            goto cleanup;
        }
        size_t i = 0;
        while (i < l && (data[pos + i] == ' ' || data[pos + i] == '\t'))
            i++;
        if (i < l && data[pos + i] != '#' &&
            (rc = parse_line(set, data + pos, l, src, lineno, pos, diag)))
            goto cleanup;
        pos = end + 1;
    }
    if ((rc = check_ids(set, src, diag)))
        goto cleanup;
    *out = set;
    set = NULL;
cleanup:
    if (rc == NT_ERR_NOMEM && diag)
        nt__fail_at(diag, rc, src, lineno, 0, pos, "out of memory");
    nt_claim_set_free(set);
    return rc;
}

nt_err nt_claim_set_load(const char *path, nt_claim_set **out, nt_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    if (!path || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no file name or output");
    nt_err rc = nt__read_file(path, NT_CLAIMS_MAX_FILE_BYTES, &data, &len, diag);
    if (rc)
        return rc;
    rc = nt_claim_set_parse(data, len, path, out, diag);
    free(data);
    return rc;
}

const nt_claim *nt_claim_set_claims(const nt_claim_set *set, size_t *n)
{
    if (n)
        *n = set ? set->n : 0;
    return set ? set->claims : NULL;
}

unsigned nt_claim_set_line(const nt_claim_set *set, size_t i)
{
    return set && i < set->n ? set->lines[i] : 0;
}

void nt_claim_set_free(nt_claim_set *set)
{
    if (!set)
        return;
    free(set->claims);
    free(set->lines);
    nt__strpool_release(&set->pool);
    free(set);
}
