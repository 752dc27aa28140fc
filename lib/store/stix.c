/*
 * lib/store/stix.c - reading STIX 2.1 bundles for the registry: every
 * `indicator` object whose pattern names values we keep (URLs, domains, IP
 * addresses, e-mail addresses, and phone numbers, bank accounts, social
 * accounts and wallets as NiemTin's custom objects) becomes one record per
 * value, with its validity, revocation, labels, confidence and the name of
 * the identity that created it.
 *
 * The one idea: a STIX pattern is a language, so it is parsed as one - a
 * small recursive-descent parser over the STIX patterning grammar that
 * accepts exactly the patterns meaning "any of these values" ([a:value = 'x']
 * joined by OR, or IN ('x', 'y')) and names, with its column, the first
 * construct it does not support (AND, FOLLOWEDBY, qualifiers, other
 * operators or object paths) instead of guessing.
 *
 * Objects that name no indicator (identity, marking-definition, relationship,
 * malware, ...: the STIX 2.1 object types) are counted and ignored; an object
 * of a type STIX does not define is an error naming it.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "store/exchange.h"
#include "store/store_int.h"

/* STIX 2.1 object types that are not indicators: ignored, not errors. */
static const char *const known_types[] = {
    "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
    "infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note",
    "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability", "relationship",
    "sighting", "marking-definition", "language-content", "extension-definition",
    /* cyber-observable objects */
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
    "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software",
    "url", "user-account", "windows-registry-key", "x509-certificate"};

/* Object paths a pattern may compare, and the indicator type they name. */
static const struct {
    const char *object;
    nt_ind_type type;
} paths[] = {
    {"url", NT_IND_URL},
    {"domain-name", NT_IND_DOMAIN},
    {"ipv4-addr", NT_IND_IP},
    {"ipv6-addr", NT_IND_IP},
    {"email-addr", NT_IND_EMAIL},
    {"x-niemtin-phone", NT_IND_PHONE},
    {"x-niemtin-bank-account", NT_IND_BANK_ACCOUNT},
    {"x-niemtin-social", NT_IND_SOCIAL},
    {"x-niemtin-wallet", NT_IND_WALLET},
};

#define MAX_PATTERN_VALUES 1024u
#define MAX_PATTERN_DEPTH 32

/* ---- the pattern parser ---------------------------------------------------------------- */

typedef struct pvalue {
    nt_ind_type type;
    char *text; /* unescaped, malloc'd */
    size_t len;
    unsigned col;
} pvalue;

typedef struct pparser {
    const char *s;
    size_t n, i;
    int depth;
    pvalue *v;
    size_t nv, cap;
    char err[160];
    int failed;
} pparser;

static int fail(pparser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(pparser *p, size_t at, const char *fmt, ...)
{
    if (!p->failed) {
        char what[140];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        snprintf(p->err, sizeof p->err, "pattern, column %zu: %.130s", at + 1, what);
        p->failed = 1;
    }
    return -1;
}

static void skip_space(pparser *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* The word (identifier or keyword) at the cursor, without consuming it. */
static size_t peek_word(pparser *p)
{
    size_t k = p->i;
    while (k < p->n && is_word_char(p->s[k]))
        k++;
    return k - p->i;
}

static int at_keyword(pparser *p, const char *kw)
{
    skip_space(p);
    size_t w = peek_word(p), kl = strlen(kw);
    return w == kl && memcmp(p->s + p->i, kw, kl) == 0;
}

static int accept_char(pparser *p, char c)
{
    skip_space(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return 1;
    }
    return 0;
}

/* Constructs of the STIX pattern grammar this reader refuses, by keyword. */
static int refuse_keyword(pparser *p)
{
    static const struct {
        const char *kw, *why;
    } refused[] = {
        {"AND", "AND is not supported: an indicator must name values any one of which matches"},
        {"FOLLOWEDBY", "FOLLOWEDBY is not supported"},
        {"WITHIN", "qualifiers (WITHIN) are not supported"},
        {"REPEATS", "qualifiers (REPEATS) are not supported"},
        {"START", "qualifiers (START ... STOP) are not supported"},
        {"NOT", "NOT is not supported"},
        {"EXISTS", "EXISTS is not supported"},
        {"LIKE", "LIKE is not supported (only = and IN)"},
        {"MATCHES", "MATCHES is not supported (only = and IN)"},
        {"ISSUBSET", "ISSUBSET is not supported (only = and IN)"},
        {"ISSUPERSET", "ISSUPERSET is not supported (only = and IN)"},
    };
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
        if (at_keyword(p, refused[k].kw))
            return fail(p, p->i, "%s", refused[k].why);
    return 0;
}

/* 'text' with the two STIX escapes \' and \\ into a malloc'd string. */
static int string_literal(pparser *p, char **out, size_t *len, unsigned *col)
{
    skip_space(p);
    *col = (unsigned)p->i + 1;
    if (p->i >= p->n || p->s[p->i] != '\'') {
        if (p->i < p->n && p->i + 1 < p->n && p->s[p->i + 1] == '\'' && strchr("tbh", p->s[p->i]))
            return fail(p, p->i, "%s", "expected a quoted string, not a typed literal");
        return fail(p, p->i, "%s", "expected a quoted string");
    }
    size_t start = ++p->i, end = start;
    /* find the closing quote first: allocate what the literal needs, not the
     * rest of the pattern */
    while (end < p->n && p->s[end] != '\'')
        end += p->s[end] == '\\' && end + 1 < p->n ? 2 : 1;
    char *buf = malloc(end - start + 1);
    size_t o = 0;
    if (!buf)
        return fail(p, start, "%s", "out of memory");
    while (p->i < p->n && p->s[p->i] != '\'') {
        char c = p->s[p->i];
        if (c == '\\') {
            if (p->i + 1 >= p->n || (p->s[p->i + 1] != '\'' && p->s[p->i + 1] != '\\')) {
                free(buf);
                return fail(p, p->i, "%s", "bad escape: only \\' and \\\\ are allowed");
            }
            c = p->s[++p->i];
        }
        buf[o++] = c;
        p->i++;
    }
    if (p->i >= p->n) {
        free(buf);
        return fail(p, start - 1, "%s", "unterminated string");
    }
    p->i++;
    buf[o] = '\0';
    *out = buf;
    *len = o;
    return 0;
}

static int push_value(pparser *p, nt_ind_type type, char *text, size_t len, unsigned col)
{
    if (p->nv == MAX_PATTERN_VALUES) {
        free(text);
        return fail(p, col - 1, "more than %u values", MAX_PATTERN_VALUES);
    }
    if (p->nv == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 4;
        pvalue *nvp = realloc(p->v, nc * sizeof *nvp);
        if (!nvp) {
            free(text);
            return fail(p, col - 1, "%s", "out of memory");
        }
        p->v = nvp;
        p->cap = nc;
    }
    p->v[p->nv++] = (pvalue){type, text, len, col};
    return 0;
}

/* object-type ':' property, e.g. domain-name:value. */
static int object_path(pparser *p, nt_ind_type *type)
{
    skip_space(p);
    size_t at = p->i, w = peek_word(p);
    if (w == 0)
        return fail(p, at, "%s", "expected an object path such as domain-name:value");
    char obj[64];
    if (w >= sizeof obj)
        return fail(p, at, "%s", "unknown object type");
    memcpy(obj, p->s + at, w);
    obj[w] = '\0';
    p->i += w;
    if (p->i >= p->n || p->s[p->i] != ':')
        return fail(p, p->i, "%s", "expected ':' after the object type");
    p->i++;
    size_t pw = peek_word(p);
    int is_value = pw == 5 && memcmp(p->s + p->i, "value", 5) == 0;
    p->i += pw;
    size_t k = 0;
    for (; k < sizeof paths / sizeof paths[0]; k++)
        if (strcmp(paths[k].object, obj) == 0)
            break;
    if (k == sizeof paths / sizeof paths[0])
        return fail(p, at,
                    "object %.40s is not supported (url, domain-name, ipv4-addr, ipv6-addr, "
                    "email-addr, x-niemtin-*)",
                    obj);
    if (!is_value || (p->i < p->n && (p->s[p->i] == '.' || p->s[p->i] == '[')))
        return fail(p, at, "%s", "only the :value property is supported");
    *type = paths[k].type;
    return 0;
}

static int comparison_or(pparser *p);

/* path = 'x'  |  path IN ('x', 'y', ...)  |  ( comparison_or ) */
static int comparison(pparser *p)
{
    if (refuse_keyword(p))
        return -1;
    if (accept_char(p, '(')) {
        if (++p->depth > MAX_PATTERN_DEPTH)
            return fail(p, p->i, "%s", "parentheses nested too deeply");
        if (comparison_or(p))
            return -1;
        p->depth--;
        if (!accept_char(p, ')'))
            return fail(p, p->i, "%s", "expected ')'");
        return 0;
    }
    nt_ind_type type = NT_IND_URL;
    if (object_path(p, &type))
        return -1;
    if (refuse_keyword(p))
        return -1;
    char *text;
    size_t len;
    unsigned col;
    if (accept_char(p, '=')) {
        if (string_literal(p, &text, &len, &col))
            return -1;
        return push_value(p, type, text, len, col);
    }
    if (at_keyword(p, "IN")) {
        p->i += 2;
        if (!accept_char(p, '('))
            return fail(p, p->i, "%s", "expected '(' after IN");
        do {
            if (string_literal(p, &text, &len, &col) || push_value(p, type, text, len, col))
                return -1;
        } while (accept_char(p, ','));
        if (!accept_char(p, ')'))
            return fail(p, p->i, "%s", "expected ')' or ',' in the IN list");
        return 0;
    }
    skip_space(p);
    if (p->i < p->n && strchr("!<>", p->s[p->i]))
        return fail(p, p->i, "%s", "only = and IN are supported");
    return fail(p, p->i, "%s", "expected = or IN");
}

static int comparison_or(pparser *p)
{
    if (comparison(p))
        return -1;
    while (at_keyword(p, "OR")) {
        p->i += 2;
        if (comparison(p))
            return -1;
    }
    return refuse_keyword(p);
}

static int observation_or(pparser *p);

/* [ comparison_or ]  |  ( observation_or ) */
static int observation(pparser *p)
{
    if (accept_char(p, '(')) {
        if (++p->depth > MAX_PATTERN_DEPTH)
            return fail(p, p->i, "%s", "parentheses nested too deeply");
        if (observation_or(p))
            return -1;
        p->depth--;
        if (!accept_char(p, ')'))
            return fail(p, p->i, "%s", "expected ')'");
    } else {
        if (!accept_char(p, '['))
            return fail(p, p->i, "%s", "expected '[' to open an observation");
        if (comparison_or(p))
            return -1;
        if (!accept_char(p, ']'))
            return fail(p, p->i, "%s", "expected ']' or OR");
    }
    return refuse_keyword(p);
}

static int observation_or(pparser *p)
{
    if (observation(p))
        return -1;
    while (at_keyword(p, "OR")) {
        p->i += 2;
        if (observation(p))
            return -1;
    }
    return refuse_keyword(p);
}

static void pparser_free(pparser *p)
{
    for (size_t k = 0; k < p->nv; k++)
        free(p->v[k].text);
    free(p->v);
}

/* Parse a whole pattern into p->v; 0 or -1 with p->err. */
static int parse_pattern(pparser *p, const char *s, size_t n)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->n = n;
    if (observation_or(p))
        return -1;
    skip_space(p);
    if (p->i != p->n)
        return fail(p, p->i, "%s", "unexpected text after the pattern");
    if (p->nv == 0)
        return fail(p, 0, "%s", "no value");
    return 0;
}

/* ---- the bundle ----------------------------------------------------------------------------- */

typedef struct stix_ctx {
    const nt_banks *banks;
    nt_import_record_fn fn;
    void *ctx;
    json_t *identities; /* id -> name */
    int stop;
} stix_ctx;

static int report(stix_ctx *sc, unsigned object, const char *ref, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int report(stix_ctx *sc, unsigned object, const char *ref, const char *fmt, ...)
{
    nt_import_error err;
    memset(&err, 0, sizeof err);
    err.object = object;
    if (ref)
        snprintf(err.ref, sizeof err.ref, "%s", ref);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof err.message, fmt, ap);
    va_end(ap);
    if (sc->fn(sc->ctx, NULL, &err))
        sc->stop = 1;
    return -1;
}

/* An optional timestamp property: 0 absent, 1 present (into *t), -1 bad. */
static int time_prop(json_t *obj, const char *key, int64_t *t)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    const char *s = json_string_value(v);
    if (!s || nt__time_parse(s, json_string_length(v), t))
        return -1;
    return 1;
}

/* "a, b, c" from the labels array into buf; -1 with why. */
static int join_labels(json_t *labels, char *buf, size_t cap, const char **why)
{
    size_t at = 0, k;
    json_t *l;
    char tmp[120];
    buf[0] = '\0';
    if (!json_is_array(labels)) {
        *why = "labels: expected an array of strings";
        return -1;
    }
    json_array_foreach(labels, k, l)
    {
        const char *s = json_string_value(l);
        size_t n = json_string_length(l);
        if (!s) {
            *why = "labels: expected an array of strings";
            return -1;
        }
        if (nt__field_problem(s, n, NT_MAX_NAME_BYTES, 0, tmp, sizeof tmp)) {
            *why = "labels: a label is not one line of at most 200 bytes of text";
            return -1;
        }
        if (at + n + 3 > cap) {
            *why = "labels: more than 1024 bytes in all";
            return -1;
        }
        if (at) {
            memcpy(buf + at, ", ", 2);
            at += 2;
        }
        memcpy(buf + at, s, n);
        at += n;
        buf[at] = '\0';
    }
    return 0;
}

static void indicator(stix_ctx *sc, json_t *obj, unsigned object, const char *id)
{
    nt_import_record rec;
    memset(&rec, 0, sizeof rec);
    rec.object = object;
    rec.ref = id;
    rec.confidence = -1;
    char labels[NT__MAX_LABELS_BYTES + 4], tmp[120];
    const char *why = NULL;

    json_t *sv = json_object_get(obj, "spec_version");
    if (sv && (!json_is_string(sv) || strcmp(json_string_value(sv), "2.1") != 0)) {
        report(sc, object, id, "spec_version: only STIX 2.1 is supported");
        return;
    }
    const char *ptype = json_string_value(json_object_get(obj, "pattern_type"));
    if (!ptype) {
        report(sc, object, id, "pattern_type is required (STIX 2.1)");
        return;
    }
    if (strcmp(ptype, "stix") != 0) {
        report(sc, object, id, "pattern_type \"%.40s\" is not supported (only stix)", ptype);
        return;
    }
    json_t *pj = json_object_get(obj, "pattern");
    if (!json_is_string(pj)) {
        report(sc, object, id, "pattern: a string is required");
        return;
    }
    int64_t valid_from = 0;
    int r = time_prop(obj, "valid_from", &valid_from);
    if (r == 0) {
        report(sc, object, id, "valid_from is required");
        return;
    }
    if (r < 0) {
        report(sc, object, id, "valid_from: not a timestamp (2026-01-02T03:04:05Z)");
        return;
    }
    rec.first_seen = valid_from;
    if (time_prop(obj, "valid_until", &rec.valid_until) < 0) {
        report(sc, object, id, "valid_until: not a timestamp (2026-01-02T03:04:05Z)");
        return;
    }
    if (rec.valid_until && rec.valid_until <= valid_from) {
        report(sc, object, id, "valid_until must be later than valid_from");
        return;
    }
    json_t *rv = json_object_get(obj, "revoked");
    if (rv && !json_is_boolean(rv)) {
        report(sc, object, id, "revoked: expected true or false");
        return;
    }
    rec.revoked = json_is_true(rv);
    json_t *cv = json_object_get(obj, "confidence");
    if (cv) {
        if (!json_is_integer(cv) || json_integer_value(cv) < 0 || json_integer_value(cv) > 100) {
            report(sc, object, id, "confidence: expected an integer 0..100");
            return;
        }
        rec.confidence = (int)json_integer_value(cv);
    }
    json_t *lj = json_object_get(obj, "labels");
    if (lj) {
        if (join_labels(lj, labels, sizeof labels - 1, &why)) {
            report(sc, object, id, "%s", why);
            return;
        }
        if (labels[0])
            rec.labels = labels;
    }
    json_t *nj = json_object_get(obj, "name");
    if (nj) {
        const char *p;
        if (!json_is_string(nj)) {
            report(sc, object, id, "name: expected a string");
            return;
        }
        if ((p = nt__field_problem(json_string_value(nj), json_string_length(nj),
                                   NT__MAX_NOTE_BYTES, 0, tmp, sizeof tmp))) {
            report(sc, object, id, "name: %s", p);
            return;
        }
        rec.note = json_string_length(nj) ? json_string_value(nj) : NULL;
    }
    json_t *cb = json_object_get(obj, "created_by_ref");
    if (cb) {
        if (!json_is_string(cb)) {
            report(sc, object, id, "created_by_ref: expected an identity id");
            return;
        }
        rec.source = json_string_value(json_object_get(sc->identities, json_string_value(cb)));
    }

    pparser p;
    if (parse_pattern(&p, json_string_value(pj), json_string_length(pj))) {
        report(sc, object, id, "%s", p.err);
        pparser_free(&p);
        return;
    }
    /* canonicalise every value before reporting any: an object is all good or an error */
    char **canon = calloc(p.nv, sizeof *canon);
    if (!canon) {
        report(sc, object, id, "out of memory");
        pparser_free(&p);
        return;
    }
    size_t k;
    for (k = 0; k < p.nv; k++) {
        pvalue *v = &p.v[k];
        /* a single address as a CIDR block */
        if (v->type == NT_IND_IP) {
            char *slash = memchr(v->text, '/', v->len);
            if (slash) {
                int v6 = strchr(v->text, ':') != NULL;
                if (strcmp(slash + 1, v6 ? "128" : "32") != 0) {
                    report(sc, object, id,
                           "pattern, column %u: address ranges (CIDR) are not supported", v->col);
                    break;
                }
                *slash = '\0';
                v->len = (size_t)(slash - v->text);
            }
        }
        if (nt__field_problem(v->text, v->len, NT_MAX_URL_BYTES, 0, tmp, sizeof tmp)) {
            report(sc, object, id, "pattern, column %u: the value: %s", v->col, tmp);
            break;
        }
        nt_diag d;
        nt_diag_clear(&d);
        nt_err e = nt__store_canonical(sc->banks, v->type, v->text, v->len, &canon[k], &d);
        if (e) {
            report(sc, object, id, "pattern, column %u: not a valid %s: %.80s", v->col,
                   nt_ind_type_name(v->type), d.message[0] ? d.message : nt_strerror(e));
            break;
        }
    }
    if (k == p.nv) {
        for (k = 0; k < p.nv && !sc->stop; k++) {
            rec.type = p.v[k].type;
            rec.canonical = canon[k];
            if (sc->fn(sc->ctx, &rec, NULL))
                sc->stop = 1;
        }
    }
    for (k = 0; k < p.nv; k++)
        free(canon[k]);
    free(canon);
    pparser_free(&p);
}

static int known_type(const char *t)
{
    for (size_t k = 0; k < sizeof known_types / sizeof known_types[0]; k++)
        if (strcmp(known_types[k], t) == 0)
            return 1;
    return 0;
}

nt_err nt__stix_parse(const nt_banks *banks, const nt_import_options *opts, const char *data,
                      size_t len, nt_import_record_fn fn, void *ctx, size_t *other_objects,
                      nt_diag *diag)
{
    const char *src = opts->file ? opts->file : (opts->name ? opts->name : "");
    json_error_t je;
    nt_err e = NT_OK;
    size_t ignored = 0;
    stix_ctx sc = {.banks = banks, .fn = fn, .ctx = ctx};
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return nt__fail_at(diag, NT_ERR_PARSE, src, (unsigned)(je.line > 0 ? je.line : 0),
                           (unsigned)(je.column > 0 ? je.column : 0),
                           je.position > 0 ? (size_t)je.position : 0, "not a STIX bundle: JSON: %s",
                           je.text);
    const char *rtype = json_string_value(json_object_get(root, "type"));
    json_t *objects = json_object_get(root, "objects");
    if (!json_is_object(root) || !rtype || strcmp(rtype, "bundle") != 0) {
        e = nt__fail_at(diag, NT_ERR_PARSE, src, 1, 1, 0,
                        "not a STIX bundle: expected {\"type\": \"bundle\", \"objects\": [...]}");
        goto cleanup;
    }
    if (!json_is_array(objects)) {
        e = nt__fail_at(diag, NT_ERR_PARSE, src, 1, 1, 0,
                        "not a STIX bundle: \"objects\" must be an array");
        goto cleanup;
    }
    if (json_array_size(objects) > NT_MAX_IMPORT_LINES) {
        e = nt__fail_at(diag, NT_ERR_TOO_BIG, src, 1, 1, 0, "more than %u objects",
                        NT_MAX_IMPORT_LINES);
        goto cleanup;
    }
    if (!(sc.identities = json_object())) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    /* identities first: created_by_ref may point forward */
    size_t i;
    json_t *o;
    json_array_foreach(objects, i, o)
    {
        const char *t = json_string_value(json_object_get(o, "type"));
        const char *id = json_string_value(json_object_get(o, "id"));
        json_t *name = json_object_get(o, "name");
        char tmp[120];
        if (t && id && strcmp(t, "identity") == 0 && json_is_string(name) &&
            json_string_length(name) > 0 &&
            !nt__field_problem(json_string_value(name), json_string_length(name), NT_MAX_NAME_BYTES,
                               0, tmp, sizeof tmp))
            json_object_set(sc.identities, id, name);
    }
    json_array_foreach(objects, i, o)
    {
        if (sc.stop)
            break;
        unsigned object = (unsigned)i + 1;
        if (!json_is_object(o)) {
            report(&sc, object, NULL, "not a JSON object");
            continue;
        }
        json_t *tj = json_object_get(o, "type"), *ij = json_object_get(o, "id");
        const char *t = json_string_value(tj), *id = json_string_value(ij);
        if (!t) {
            report(&sc, object, NULL, "no \"type\"");
            continue;
        }
        size_t tl = strlen(t);
        if (!id || json_string_length(ij) >= sizeof(((nt_import_error *)0)->ref) ||
            strncmp(id, t, tl) != 0 || strncmp(id + tl, "--", 2) != 0) {
            report(&sc, object, NULL, "\"id\" must be \"%.40s--\" and a UUID", t);
            continue;
        }
        if (strcmp(t, "indicator") == 0)
            indicator(&sc, o, object, id);
        else if (known_type(t))
            ignored++;
        else
            report(&sc, object, id, "unknown object type \"%.40s\"", t);
    }
cleanup:
    json_decref(sc.identities);
    json_decref(root);
    if (other_objects)
        *other_objects = ignored;
    return e;
}
