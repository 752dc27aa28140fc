/*
 * lib/detect/taxonomy.c - the taxonomy NiemTin reports in: the three tactics
 * of the "Không Một Mình" campaign (fear, lure, control), the scam and harm
 * categories common in Vietnam, and the verdict levels, each with Vietnamese
 * and English texts.  It is data (data/taxonomy.json); this file loads it,
 * checks every entry once, and answers look-ups from the parsed document.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "niemtin/detect.h"
#include "niemtin/limits.h"

struct nt_taxonomy {
    json_t *root; /* immutable after loading */
    json_t *tactics, *categories, *levels;
};

static json_t *find(json_t *arr, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *eid = json_string_value(json_object_get(e, "id"));
        if (eid && strcmp(eid, id) == 0)
            return e;
    }
    return NULL;
}

/* Check one array of entries: objects with a unique string id matching
 * [a-z0-9_]+ and the required string fields. */
static nt_err check_entries(json_t *arr, const char *what, const char *const *fields,
                            const char *path, nt_diag *diag)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return nt__fail_at(diag, NT_ERR_PARSE, path, 0, 0, 0, "\"%s\" must be a non-empty array",
                           what);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        if (!json_is_object(e) || !id || !*id)
            return nt__fail_at(diag, NT_ERR_PARSE, path, 0, 0, 0, "%s[%zu] has no \"id\"", what,
                               i);
        for (const char *p = id; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                return nt__fail_at(diag, NT_ERR_PARSE, path, 0, 0, 0,
                                   "%s \"%s\": ids are lower-case letters, digits and _", what,
                                   id);
        if (find(arr, id) != e)
            return nt__fail_at(diag, NT_ERR_PARSE, path, 0, 0, 0, "%s \"%s\" appears twice", what,
                               id);
        for (const char *const *f = fields; *f; f++)
            if (!json_is_string(json_object_get(e, *f)) ||
                json_string_length(json_object_get(e, *f)) == 0)
                return nt__fail_at(diag, NT_ERR_PARSE, path, 0, 0, 0,
                                   "%s \"%s\" lacks the text field \"%s\"", what, id, *f);
    }
    return NT_OK;
}

nt_err nt_taxonomy_load(const char *path, nt_taxonomy **out, nt_diag *diag)
{
    static const char *const tactic_fields[] = {"name_vi", "name_en", "child_vi", "child_en",
                                                "advice_vi", "advice_en", NULL};
    static const char *const category_fields[] = {"name_vi", "name_en", "description_vi",
                                                  "description_en", "advice_vi", "advice_en",
                                                  NULL};
    static const char *const level_fields[] = {"name_vi", "name_en", "advice_vi", "advice_en",
                                               NULL};
    nt_err rc = NT_OK;
    char *data = NULL;
    size_t len = 0;
    nt_taxonomy *tax = NULL;

    if (!out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no output pointer");
    *out = NULL;
    rc = nt__read_file(path, NT_MAX_DATA_FILE_BYTES, &data, &len, diag);
    if (rc)
        goto cleanup;
    tax = calloc(1, sizeof *tax);
    if (!tax) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    json_error_t err;
    tax->root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!tax->root) {
        rc = nt__fail_at(diag, NT_ERR_PARSE, path, (unsigned)(err.line > 0 ? err.line : 0),
                         (unsigned)(err.column > 0 ? err.column : 0),
                         err.position > 0 ? (size_t)err.position : 0, "%s", err.text);
        goto cleanup;
    }
    tax->tactics = json_object_get(tax->root, "tactics");
    tax->categories = json_object_get(tax->root, "categories");
    tax->levels = json_object_get(tax->root, "levels");
    if ((rc = check_entries(tax->tactics, "tactic", tactic_fields, path, diag)) ||
        (rc = check_entries(tax->categories, "category", category_fields, path, diag)) ||
        (rc = check_entries(tax->levels, "level", level_fields, path, diag)))
        goto cleanup;
    size_t i;
    json_t *c;
    json_array_foreach(tax->categories, i, c)
    {
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(c, "typical_tactics"), k, t)
        {
            if (!json_is_string(t) || !find(tax->tactics, json_string_value(t))) {
                rc = nt__fail_at(diag, NT_ERR_PARSE, path, 0, 0, 0,
                                 "category \"%s\": unknown tactic in typical_tactics",
                                 json_string_value(json_object_get(c, "id")));
                goto cleanup;
            }
        }
    }
    *out = tax;
    tax = NULL;
cleanup:
    nt_taxonomy_free(tax);
    free(data);
    return rc;
}

void nt_taxonomy_free(nt_taxonomy *tax)
{
    if (!tax)
        return;
    json_decref(tax->root);
    free(tax);
}

int nt_taxonomy_has_tactic(const nt_taxonomy *tax, const char *id)
{
    return tax && id && find(tax->tactics, id) != NULL;
}

int nt_taxonomy_has_category(const nt_taxonomy *tax, const char *id)
{
    return tax && id && find(tax->categories, id) != NULL;
}

size_t nt_taxonomy_tactic_count(const nt_taxonomy *tax)
{
    return tax ? json_array_size(tax->tactics) : 0;
}

size_t nt_taxonomy_category_count(const nt_taxonomy *tax)
{
    return tax ? json_array_size(tax->categories) : 0;
}

const char *nt_taxonomy_text(const nt_taxonomy *tax, const char *id, const char *field)
{
    if (!tax || !id || !field)
        return NULL;
    json_t *e = find(tax->tactics, id);
    if (!e)
        e = find(tax->categories, id);
    if (!e)
        e = find(tax->levels, id);
    return e ? json_string_value(json_object_get(e, field)) : NULL;
}
