/*
 * lib/factcheck/import.c - loading published fact-checks from a JSON-lines
 * file (nt_desk_import; the format is in niemtin/factcheck.h): the demo
 * data, or a desk's archive moved from another system.
 *
 * The one idea: a file is read and every line checked with the same field
 * rules as a publication (fields.c) before anything is written, and each
 * line then goes through the ordinary workflow - a tip, a draft, a
 * publication, the tips that cluster onto it - so imported fact-checks have
 * the same history and audit entries as ones written at the desk.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "factcheck/desk_int.h"

#define MAX_FILE_BYTES (64u * 1024u * 1024u)

typedef struct line {
    unsigned no;
    json_t *obj;
    nt_factcheck_in in;
    const char **evidence;
    const char *author;
} line;

static const char *const keys[] = {"claim",        "verdict",    "explanation", "body",
                                   "evidence",     "headline",   "lang",        "claim_author",
                                   "claim_date",   "appearance", "author",      "tips"};

static const char *str_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Parse and check one line's object into l (borrowing from l->obj). */
static nt_err parse_line(const char *path, line *l, nt_diag *diag)
{
    json_t *o = l->obj;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        size_t i = 0;
        for (; i < sizeof keys / sizeof keys[0]; i++)
            if (strcmp(k, keys[i]) == 0)
                break;
        if (i == sizeof keys / sizeof keys[0])
            return nt__fail_at(diag, NT_ERR_PARSE, path, l->no, 1, 0, "unknown key \"%.40s\"", k);
        int want_array = strcmp(k, "evidence") == 0 || strcmp(k, "tips") == 0;
        if (want_array ? !json_is_array(v) : !json_is_string(v))
            return nt__fail_at(diag, NT_ERR_PARSE, path, l->no, 1, 0, "\"%s\": expected %s", k,
                               want_array ? "an array of strings" : "a string");
        for (size_t j = 0; want_array && j < json_array_size(v); j++)
            if (!json_is_string(json_array_get(v, j)))
                return nt__fail_at(diag, NT_ERR_PARSE, path, l->no, 1, 0,
                                   "\"%s\"[%zu]: expected a string", k, j);
    }
    static const char *const required[] = {"claim", "verdict", "explanation", "evidence"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!json_object_get(o, required[i]))
            return nt__fail_at(diag, NT_ERR_PARSE, path, l->no, 1, 0, "\"%s\" is required",
                               required[i]);
    json_t *ev = json_object_get(o, "evidence");
    size_t nev = json_array_size(ev);
    l->evidence = calloc(nev ? nev : 1, sizeof *l->evidence);
    if (!l->evidence)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    for (size_t j = 0; j < nev; j++)
        l->evidence[j] = json_string_value(json_array_get(ev, j));
    l->in = (nt_factcheck_in){.claim = str_of(o, "claim"),
                              .verdict = str_of(o, "verdict"),
                              .explanation = str_of(o, "explanation"),
                              .body = str_of(o, "body"),
                              .evidence = l->evidence,
                              .n_evidence = nev,
                              .headline = str_of(o, "headline"),
                              .lang = str_of(o, "lang"),
                              .claim_author = str_of(o, "claim_author"),
                              .claim_date = str_of(o, "claim_date"),
                              .appearance = str_of(o, "appearance")};
    l->author = str_of(o, "author");
    /* the publication's own checks, on a blank fact-check */
    nt__fcw w;
    memset(&w, 0, sizeof w);
    nt_err e = NT_OK;
    for (int i = 0; i < NT__FC_NFIELDS && !e; i++)
        if (!(w.f[i] = strdup("")))
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if (!e)
        e = nt__fcw_apply(&w, &l->in, diag);
    if (!e)
        e = nt__fcw_complete(&w, diag);
    if (!e && l->author && *l->author)
        e = nt__desk_check_text("author", l->author, NT_MAX_NAME_BYTES, 1, diag);
    json_t *tips = json_object_get(o, "tips");
    for (size_t j = 0; !e && j < json_array_size(tips); j++) {
        const char *t = json_string_value(json_array_get(tips, j));
        char field[32];
        snprintf(field, sizeof field, "tips[%zu]", j);
        size_t sp = strspn(t, " \t\r\n");
        if (!t[sp])
            e = nt__fail(diag, NT_ERR_EMPTY, 0, "%s: empty", field);
        else
            e = nt__desk_check_text(field, t, NT_DESK_MAX_TIP_BYTES, 0, diag);
    }
    nt__fcw_release(&w);
    if (e && diag) {
        char msg[sizeof diag->message];
        snprintf(msg, sizeof msg, "%s", diag->message);
        nt__fail_at(diag, e, path, l->no, 1, 0, "%s", msg);
    }
    return e;
}

nt_err nt_desk_import(nt_desk *d, const char *path, const char *actor, size_t *published,
                      size_t *skipped, nt_diag *diag)
{
    if (!d || !path)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if (published)
        *published = 0;
    if (skipped)
        *skipped = 0;
    actor = actor && *actor ? actor : "import";
    char *data = NULL;
    size_t len = 0;
    nt_err e = nt__read_file(path, MAX_FILE_BYTES, &data, &len, diag);
    if (e)
        return e;
    line *lines = NULL;
    size_t n = 0, cap = 0;
    unsigned no = 0;
    for (size_t at = 0; at < len && !e;) {
        const char *s = data + at;
        const char *nl = memchr(s, '\n', len - at);
        size_t ll = nl ? (size_t)(nl - s) : len - at;
        at += ll + (nl ? 1 : 0);
        no++;
        while (ll && (s[ll - 1] == '\r' || s[ll - 1] == ' ' || s[ll - 1] == '\t'))
            ll--;
        size_t lead = 0;
        while (lead < ll && (s[lead] == ' ' || s[lead] == '\t'))
            lead++;
        if (lead == ll || s[lead] == '#')
            continue;
        if (n == NT_DESK_MAX_IMPORT_LINES) {
            e = nt__fail_at(diag, NT_ERR_TOO_BIG, path, no, 1, 0, "more than %u fact-checks",
                            NT_DESK_MAX_IMPORT_LINES);
            break;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            line *p = realloc(lines, nc * sizeof *p);
            if (!p) {
                e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
                break;
            }
            lines = p;
            cap = nc;
        }
        line *l = &lines[n];
        memset(l, 0, sizeof *l);
        l->no = no;
        json_error_t err;
        l->obj = json_loadb(s, ll, JSON_REJECT_DUPLICATES, &err);
        if (!l->obj) {
            e = nt__fail_at(diag, NT_ERR_PARSE, path, no, (unsigned)err.column, 0, "%s", err.text);
            break;
        }
        n++;
        if (!json_is_object(l->obj)) {
            e = nt__fail_at(diag, NT_ERR_PARSE, path, no, 1, 0, "expected a JSON object");
            break;
        }
        e = parse_line(path, l, diag);
    }
    /* every line is good: write them through the workflow */
    unsigned writing = 0;
    for (size_t i = 0; i < n && !e; i++) {
        line *l = &lines[i];
        writing = l->no;
        nt_fc_match *m = NULL;
        size_t nm = 0;
        if ((e = nt_desk_match(d, l->in.claim, strlen(l->in.claim), 1, NT_CLAIMS_ONLY_SAME, &m,
                               &nm, diag)))
            break;
        nt_fc_matches_free(m, nm);
        if (nm) {
            if (skipped)
                ++*skipped;
            continue;
        }
        nt_tip_result tr;
        nt_tip_in tip = {.text = l->in.claim,
                         .text_len = strlen(l->in.claim),
                         .channel = "desk",
                         .lang = l->in.lang,
                         .actor = actor};
        if ((e = nt_desk_submit(d, &tip, &tr, diag)))
            break;
        if (tr.factcheck_id) {
            if (skipped)
                ++*skipped;
            continue;
        }
        const char *author = l->author && *l->author ? l->author : actor;
        if ((e = nt_desk_draft(d, tr.item_id, &l->in, author, NULL, diag)) ||
            (e = nt_desk_publish(d, tr.item_id, NULL, 0, actor, NULL, diag)))
            break;
        if (published)
            ++*published;
        json_t *tips = json_object_get(l->obj, "tips");
        for (size_t j = 0; j < json_array_size(tips) && !e; j++) {
            json_t *t = json_array_get(tips, j);
            nt_tip_in ti = {.text = json_string_value(t),
                            .text_len = json_string_length(t),
                            .channel = "web",
                            .lang = l->in.lang,
                            .actor = actor};
            e = nt_desk_submit(d, &ti, &tr, diag);
        }
    }
    if (e && diag && diag->line == 0 && writing) {
        /* name the line a workflow step failed on */
        char msg[sizeof diag->message];
        snprintf(msg, sizeof msg, "%s", diag->message);
        nt__fail_at(diag, e, path, writing, 1, 0, "%s", msg);
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(lines[i].obj);
        free(lines[i].evidence);
    }
    free(lines);
    free(data);
    return e;
}
