/*
 * src/registry_json.h - registry answers rendered for people and as JSON
 * (src/registry_json.c), shared by the CLI and the HTTP API.
 */
#ifndef NT_REGISTRY_JSON_H
#define NT_REGISTRY_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "niemtin/niemtin.h"

/* Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (null for a bad time). */
json_t *reg_iso_time(int64_t t);
/* "số điện thoại" / "phone number" ...; static strings. */
const char *reg_type_label(int en, nt_ind_type t);
const char *reg_via_label(int en, nt_match_via v);
/* The one-line verdict for an answer ("LỪA ĐẢO — đã xác nhận ..."). */
const char *reg_verdict(int en, const nt_reg_answer *a);
/* {"type","canonical","status","score","verdict","matches_total","matches":[...]}. */
json_t *reg_answer_json(int en, const nt_reg_answer *a);

#endif
