/*
 * src/desk_json.h - the fact-check desk's rows as JSON (src/desk_json.c),
 * one rendering shared by `niemtin claim ... --json` and the HTTP API, so
 * the command line and the web app always show the same fields.
 */
#ifndef NT_DESK_JSON_H
#define NT_DESK_JSON_H

#include <jansson.h>

#include "niemtin/niemtin.h"

/* {"id","text","lang","status","assignee","submissions","first_seen",
 *  "last_seen","status_at","factcheck"?,"reason"?} (times: seconds since
 * 1970).  New reference. */
json_t *desk_item_json(const nt_desk_item *it);

/* {"id","text","link"?,"channel","lang","forwarded","score","at",
 *  "has_contact"} - never the contact itself. */
json_t *desk_submission_json(const nt_desk_submission *s);

/* {"id","item","status","claim","lang","headline","verdict","verdict_text",
 *  "rating","explanation","body","evidence":[...],"claim_author",
 *  "claim_date","appearance","author","publisher","created_at","updated_at",
 *  "published_at","submissions","url","corrections":[{"seq","at","actor",
 *  "reason","fields","before","after"}]}; verdict_text in English when en. */
json_t *desk_factcheck_json(int en, const nt_desk *desk, const nt_factcheck *fc);

#endif
