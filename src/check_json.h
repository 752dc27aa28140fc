/*
 * src/check_json.h - a check result rendered as JSON (src/check_json.c),
 * shared by the command line and the HTTP API.
 */
#ifndef NT_CHECK_JSON_H
#define NT_CHECK_JSON_H

#include <jansson.h>

#include "niemtin/niemtin.h"

/* A taxonomy text ("name", "advice", "child") of id in English (en != 0) or
 * Vietnamese; id itself when the taxonomy has none.  Lives as long as tax. */
const char *check_tax_text(int en, const nt_taxonomy *tax, const char *id, const char *field);

/* {"risk","level","empty","level_text","advice","tactics","categories",
 *  "rules","indicators","model","hotlines"} for result r of text (the bytes
 * that were checked: evidence spans index into them).  New reference. */
json_t *check_result_json(int en, const nt_engine *eng, const nt_check_result *r,
                          const char *text);

/* Published fact-checks a text repeats (nt_desk_match), as the "fact_checks"
 * array of a check result: [{"id","verdict","verdict_text","score",
 * "same_claim","claim","headline","explanation","url","passage"}], where
 * passage {"start","end","text"} is the matched span of text.  New
 * reference. */
json_t *check_factchecks_json(int en, const nt_fc_match *m, size_t n, const char *text);

#endif
