/*
 * lib/factcheck/desk_int.h - what the files of lib/factcheck share: a
 * fact-check being edited as owned strings (fields.c: applying an analyst's
 * input, checking it field by field, checking it is complete enough to
 * publish, comparing two versions for a correction), and the desk's
 * internals that import.c uses.
 */
#ifndef NT_FACTCHECK_DESK_INT_H
#define NT_FACTCHECK_DESK_INT_H

#include <jansson.h>

#include "niemtin/factcheck.h"
#include "store/store_int.h"

/* The editable fields of a fact-check, each malloc'd ("" when empty). */
enum {
    NT__FC_CLAIM,
    NT__FC_LANG,
    NT__FC_HEADLINE,
    NT__FC_EXPLANATION,
    NT__FC_BODY,
    NT__FC_CLAIM_AUTHOR,
    NT__FC_CLAIM_DATE,
    NT__FC_APPEARANCE,
    NT__FC_NFIELDS
};

typedef struct nt__fcw {
    char *f[NT__FC_NFIELDS];
    nt_verdict verdict;
    char **evidence;
    size_t n_evidence;
} nt__fcw;

/* The field names as the API, the JSON and error messages call them. */
extern const char *const nt__fc_field_names[NT__FC_NFIELDS];

void nt__fcw_release(nt__fcw *w);
/* Fill w from a stored row (evidence parsed from its JSON). */
nt_err nt__fcw_from_row(nt__fcw *w, const nt__fc_row *r, nt_diag *diag);
/* Apply the non-NULL fields of in, each checked (UTF-8, size, links http(s),
 * a known verdict, a date); on error w is unchanged and diag names the field. */
nt_err nt__fcw_apply(nt__fcw *w, const nt_factcheck_in *in, nt_diag *diag);
/* Complete enough to publish: verdict, explanation, claim, >= 1 evidence link. */
nt_err nt__fcw_complete(const nt__fcw *w, nt_diag *diag);
/* The evidence as a JSON array string (malloc'd), NULL when out of memory. */
char *nt__fcw_evidence_json(const nt__fcw *w);
/* Point r's fields at w's strings (r->evidence_json must be set by the caller). */
void nt__fcw_to_row(const nt__fcw *w, nt__fc_row *r);
/* The fields that differ between a and b: their names joined by ',' into
 * names, and two JSON objects of those fields (new references). */
nt_err nt__fcw_diff(const nt__fcw *a, const nt__fcw *b, char *names, size_t n, json_t **before,
                    json_t **after);

/* A text value check shared by the desk: UTF-8, at most max bytes, no control
 * characters except newline/tab in free text (is_name: none at all). */
nt_err nt__desk_check_text(const char *field, const char *s, size_t max, int is_name,
                           nt_diag *diag);

/* A language code: "" or 2..16 of a-z and '-' ("vi", "en", "zh-hant"). */
int nt__desk_lang_ok(const char *s);

/* "YYYY-MM-DD" of a real date (or ""). */
int nt__desk_date_ok(const char *s);

#endif
