/*
 * src/desk_json.c - the fact-check desk's rows as JSON (desk_json.h): the
 * one rendering of items, tips and fact-checks that the command line and
 * the HTTP API share.
 */
#include <stdlib.h>

#include "desk_json.h"

json_t *desk_item_json(const nt_desk_item *it)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)it->id,
                          "text", it->text, "lang", it->lang, "status",
                          nt_item_status_name(it->status), "assignee", it->assignee, "submissions",
                          (json_int_t)it->submissions, "first_seen", (json_int_t)it->first_seen,
                          "last_seen", (json_int_t)it->last_seen, "status_at",
                          (json_int_t)it->status_at);
    if (j && it->factcheck_id)
        json_object_set_new(j, "factcheck", json_integer(it->factcheck_id));
    if (j && it->reason && *it->reason)
        json_object_set_new(j, "reason", json_string(it->reason));
    return j;
}

json_t *desk_submission_json(const nt_desk_submission *s)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:b, s:f, s:I, s:b}", "id", (json_int_t)s->id,
                          "text", s->text, "channel", s->channel, "lang", s->lang, "forwarded",
                          s->forwarded, "score", s->score, "at", (json_int_t)s->at, "has_contact",
                          s->has_contact);
    if (j && s->link && *s->link)
        json_object_set_new(j, "link", json_string(s->link));
    return j;
}

json_t *desk_factcheck_json(int en, const nt_desk *desk, const nt_factcheck *fc)
{
    char url[NT_DESK_MAX_URL_BYTES + 64];
    json_t *ev = json_array(), *corr = json_array();
    for (size_t i = 0; i < fc->n_evidence; i++)
        json_array_append_new(ev, json_string(fc->evidence[i]));
    for (size_t i = 0; i < fc->n_corrections; i++) {
        const nt_fc_correction *k = &fc->corrections[i];
        json_t *b = json_loads(k->before, 0, NULL), *a = json_loads(k->after, 0, NULL);
        json_array_append_new(
            corr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o}", "seq", (json_int_t)k->seq, "at",
                            (json_int_t)k->at, "actor", k->actor, "reason", k->reason, "fields",
                            k->fields, "before", b ? b : json_object(), "after",
                            a ? a : json_object()));
    }
    return json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, "
        "s:I, s:I, s:I, s:I, s:s, s:o}",
        "id", (json_int_t)fc->id, "item", (json_int_t)fc->item_id, "status",
        nt_fc_status_name(fc->status), "claim", fc->claim, "lang", fc->lang, "headline",
        fc->headline, "verdict", nt_verdict_name(fc->verdict), "verdict_text",
        nt_verdict_label(fc->verdict, en), "rating", nt_verdict_rating(fc->verdict), "explanation",
        fc->explanation, "body", fc->body, "evidence", ev, "claim_author", fc->claim_author,
        "claim_date", fc->claim_date, "appearance", fc->appearance, "author", fc->author,
        "publisher", fc->publisher, "created_at", (json_int_t)fc->created_at, "updated_at",
        (json_int_t)fc->updated_at, "published_at", (json_int_t)fc->published_at, "submissions",
        (json_int_t)fc->submissions, "url", nt_desk_factcheck_url(desk, fc->id, url, sizeof url),
        "corrections", corr);
}
