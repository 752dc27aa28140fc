/*
 * niemtin/factcheck.h - the fact-check desk: the tipline, the analysts'
 * workflow, published fact-checks and their schema.org ClaimReview.
 *
 * The workflow (docs/claims.md, "The desk"):
 *
 *   tip ──submit──► matched to a published fact-check?  yes: the tip joins
 *    │              that item and the caller gets the verdict at once
 *    │              (nt_tip_result.factcheck_id)
 *    │              matched to an open item (same claim)?  yes: it joins it,
 *    │              count + 1 (what is spreading)
 *    │              else: a new item
 *    ▼
 *   item:  new ──assign──► assigned ──draft──► drafting ──publish──► published
 *           │                 │                    │                    │
 *           └────────┬────────┴────────────────────┘               correct (a
 *                 dismiss ──► dismissed                            recorded
 *                                                                  correction)
 *
 * An item is one claim as the desk tracks it (its text, language, first and
 * last time seen, its sources: the tips clustered into it).  It has at most
 * one fact-check: a draft while analysts work on it, then published.  A
 * published fact-check is never silently changed: nt_desk_correct writes the
 * change together with a correction row (who, when, why, the fields before
 * and after), and the database itself refuses any other update of a
 * published row (a trigger).  Every state change - a tip, an assignment, a
 * draft, a publication, a correction, a dismissal, revealing a contact - is
 * one transaction that also appends to the hash-chained audit log (audit.h)
 * with the actor.
 *
 * Matching (claims.h): the desk keeps two nt_claims indexes in memory, the
 * published fact-checks (claim text + headline) and the open items (new,
 * assigned, drafting).  They are extended when an item is opened or a
 * fact-check published (nt_claims_add), rebuilt when a fact-check is
 * corrected or an item dismissed, and reloaded when another process (another
 * nt_desk on the same database) changed them: a generation counter in the
 * database says so.
 *
 * Permissions are the caller's (the CLI and the server map them to auth.h):
 * submit is NT_AUTH_REPORT (anyone); list, assign, draft, dismiss are
 * NT_AUTH_REVIEW; publish and correct NT_AUTH_PUBLISH; reveal a tipster's
 * contact NT_AUTH_REVEAL_CONTACT.  The library records the actor it is given.
 *
 * Threads: an nt_desk is thread-safe; every call holds the desk's own lock
 * (matching is fast: a lookup, not a scan).  When the desk borrows a store
 * (nt_desk_config.borrow_store), the caller must not use that store from
 * another thread during a desk call.
 *
 * Ownership: nt_desk_open / nt_desk_close.  Rows handed to callbacks are
 * borrowed for the call.  nt_desk_item_get fills an nt_desk_item with
 * malloc'd strings (nt_desk_item_release); nt_desk_factcheck_get returns an
 * nt_factcheck freed with nt_factcheck_free; nt_desk_match returns an array
 * freed with nt_fc_matches_free; JSON strings are malloc'd (free()).  Input
 * structs are borrowed for the call.
 */
#ifndef NIEMTIN_FACTCHECK_H
#define NIEMTIN_FACTCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/claims.h"
#include "niemtin/error.h"
#include "niemtin/store.h"
#include "niemtin/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits (with niemtin/limits.h) ---------------------------------------- */

/* A tip's text (a forwarded message may be long; an article is a link). */
#define NT_DESK_MAX_TIP_BYTES (16u * 1024u)
/* A claim as fact-checked (claimReviewed), a headline. */
#define NT_DESK_MAX_CLAIM_BYTES 2000u
/* The short rating explanation. */
#define NT_DESK_MAX_EXPLANATION_BYTES 2000u
/* The full write-up. */
#define NT_DESK_MAX_BODY_BYTES (256u * 1024u)
/* One link (evidence, appearance, a tip's link). */
#define NT_DESK_MAX_URL_BYTES 2048u
/* Evidence links of one fact-check. */
#define NT_DESK_MAX_EVIDENCE 50u
/* A correction's reason, an item's dismissal reason: NT_MAX_REASON_BYTES.
 * Names (actor, assignee, author, claim author): NT_MAX_NAME_BYTES. */
/* Most rows one list call returns. */
#define NT_DESK_MAX_LIST 1000u
/* Most lines one nt_desk_import file holds. */
#define NT_DESK_MAX_IMPORT_LINES 10000u

/* ---- verdicts and statuses --------------------------------------------------- */

typedef enum nt_verdict {
    NT_VERDICT_NONE = 0, /* a draft without one yet */
    NT_VERDICT_FALSE,
    NT_VERDICT_MISLEADING,
    NT_VERDICT_MISSING_CONTEXT,
    NT_VERDICT_TRUE,
    NT_VERDICT_UNPROVEN,
    NT_VERDICT__COUNT
} nt_verdict;

/* "false", "misleading", "missing_context", "true", "unproven" ("none" for 0,
 * "unknown" out of range).  Static. */
const char *nt_verdict_name(nt_verdict v);
/* The names above ("missing context" and "missing-context" too, any case).
 * NT_ERR_NOT_FOUND for anything else. */
nt_err nt_verdict_parse(const char *name, nt_verdict *out);
/* For people: "Sai sự thật", "Gây hiểu lầm", "Thiếu bối cảnh", "Đúng sự
 * thật", "Chưa đủ căn cứ" (en != 0: "False", "Misleading", "Missing
 * context", "True", "Unproven").  Static. */
const char *nt_verdict_label(nt_verdict v, int en);
/* The ClaimReview ratingValue on the scale worst 1 .. best 5: false 1,
 * misleading 2, unproven 3, missing_context 4, true 5; 0 for none. */
int nt_verdict_rating(nt_verdict v);

typedef enum nt_item_status {
    NT_ITEM_NEW = 1,
    NT_ITEM_ASSIGNED,
    NT_ITEM_DRAFTING,
    NT_ITEM_PUBLISHED,
    NT_ITEM_DISMISSED,
    NT_ITEM__COUNT
} nt_item_status;

/* "new", "assigned", "drafting", "published", "dismissed".  Static. */
const char *nt_item_status_name(nt_item_status s);
nt_err nt_item_status_parse(const char *name, nt_item_status *out);

typedef enum nt_fc_status { NT_FC_DRAFT = 1, NT_FC_PUBLISHED } nt_fc_status;
const char *nt_fc_status_name(nt_fc_status s); /* "draft", "published" */

/* ---- opening ------------------------------------------------------------------ */

typedef struct nt_desk nt_desk;

typedef struct nt_desk_config {
    nt_store_config store;   /* the database (path, contact key, clock) */
    nt_store *borrow_store;  /* non-NULL: use this open store instead (borrowed;
                                it must outlive the desk); store is then ignored */
    const nt_lexicon *teencode; /* borrowed, must outlive the desk; NULL: none */
    const nt_lexicon *synonyms; /* data/claims-synonyms.tsv; borrowed; NULL: none */
    const nt_claims_options *match; /* NULL: nt_claims_options_init defaults
                                       (the lexicons above are set into a copy) */
    const char *org_name; /* the ClaimReview author; NULL: "NiemTin" */
    const char *org_url;  /* its site; NULL: "https://niemtin.vn" */
    const char *site_url; /* base of the public pages; NULL: org_url.  A
                             fact-check's page is <site_url>/kiem-chung/<id> */
} nt_desk_config;

void nt_desk_config_init(nt_desk_config *cfg);

/* Open the desk on its database (migrating it like nt_store_open) and load
 * the indexes.  Errors as nt_store_open; NT_ERR_INVALID when org_url or
 * site_url is not an http(s) URL. */
nt_err nt_desk_open(const nt_desk_config *cfg, nt_desk **out, nt_diag *diag);
void nt_desk_close(nt_desk *desk);

/* The store the desk writes to (its own, or the borrowed one). */
nt_store *nt_desk_store(nt_desk *desk);

/* The public page of fact-check id: "<site_url>/kiem-chung/<id>" into buf
 * (truncated to n; returns buf). */
const char *nt_desk_factcheck_url(const nt_desk *desk, int64_t id, char *buf, size_t n);

/* ---- the tipline --------------------------------------------------------------- */

typedef struct nt_tip_in {
    const char *text;    /* the rumour as received (UTF-8, NFC or NFD); may be
                            empty when a link is given */
    size_t text_len;
    const char *link;    /* optional http(s) URL where it was seen */
    const char *channel; /* web zalo facebook messenger telegram sms email
                            hotline desk other; NULL: "web" */
    int forwarded;       /* a forwarded message */
    const char *lang;    /* "vi", "en", ...; NULL: guessed ("vi" unless plainly English) */
    const char *contact; /* optional tipster contact: encrypted with the store
                            key, never stored in clear (NT_ERR_STATE without a key) */
    const char *actor;   /* for the audit log; NULL or "": "public" */
} nt_tip_in;

typedef struct nt_tip_result {
    int64_t submission_id;
    int64_t item_id;
    int new_item;          /* this tip opened a new item */
    uint32_t count;        /* tips in the item now, this one included */
    nt_item_status status; /* the item's status */
    double score;          /* match score with the item's claim (0 for a new item;
                              1 for a same-link match) */
    /* The item's published fact-check, when there is one: the verdict to give
     * the tipster at once.  0 / NT_VERDICT_NONE otherwise. */
    int64_t factcheck_id;
    nt_verdict verdict;
} nt_tip_result;

/* Receive a tip.  Bad input gets a clear error naming the field, and nothing
 * is stored: NT_ERR_EMPTY (no text and no link), NT_ERR_TOO_BIG (text over
 * NT_DESK_MAX_TIP_BYTES, ...), NT_ERR_UTF8, NT_ERR_INVALID (a link that is
 * not http(s), an unknown channel, control characters). */
nt_err nt_desk_submit(nt_desk *desk, const nt_tip_in *in, nt_tip_result *out, nt_diag *diag);

/* ---- items ---------------------------------------------------------------------- */

typedef struct nt_desk_item {
    int64_t id;
    const char *text; /* the claim: the first tip's text (its link when it had none) */
    const char *lang;
    nt_item_status status;
    const char *assignee;  /* "" when none */
    uint32_t submissions;  /* tips clustered into it */
    int64_t first_seen, last_seen, status_at;
    int64_t factcheck_id;  /* its fact-check (draft or published); 0: none */
    const char *reason;    /* why it was dismissed; "" otherwise */
} nt_desk_item;

typedef int (*nt_desk_item_fn)(void *ctx, const nt_desk_item *it);

/* Items with this status (0: every status), most tips first, then most
 * recently seen: what is spreading.  At most limit (1..NT_DESK_MAX_LIST; 0:
 * 100) after skipping offset.  fn returns non-zero to stop. */
nt_err nt_desk_list(nt_desk *desk, nt_item_status status, size_t limit, size_t offset,
                    nt_desk_item_fn fn, void *ctx, nt_diag *diag);

/* Number of items in each status (counts[0]: all). */
nt_err nt_desk_counts(nt_desk *desk, size_t counts[NT_ITEM__COUNT], nt_diag *diag);

/* One item (malloc'd strings: nt_desk_item_release).  NT_ERR_NOT_FOUND. */
nt_err nt_desk_item_get(nt_desk *desk, int64_t id, nt_desk_item *out, nt_diag *diag);
void nt_desk_item_release(nt_desk_item *it);

typedef struct nt_desk_submission {
    int64_t id, item_id;
    const char *text;
    const char *link;    /* "" when none */
    const char *channel;
    const char *lang;
    int forwarded;
    double score;        /* its match score with the item when it was clustered */
    int64_t at;
    int has_contact;
} nt_desk_submission;

typedef int (*nt_desk_submission_fn)(void *ctx, const nt_desk_submission *s);

/* The tips of an item, oldest first, at most limit (0: all). */
nt_err nt_desk_submissions(nt_desk *desk, int64_t item_id, size_t limit, nt_desk_submission_fn fn,
                           void *ctx, nt_diag *diag);

/* Decrypt a tip's contact (malloc'd) - audited as the actor's act.
 * NT_ERR_NOT_FOUND when the tip has none; NT_ERR_STATE without the key. */
nt_err nt_desk_contact(nt_desk *desk, int64_t submission_id, const char *actor, char **contact,
                       nt_diag *diag);

/* new|assigned|drafting: set the assignee (a name, 1..NT_MAX_NAME_BYTES);
 * new becomes assigned, the others keep their status.  NT_ERR_STATE for a
 * published or dismissed item. */
nt_err nt_desk_assign(nt_desk *desk, int64_t item_id, const char *assignee, const char *actor,
                      nt_diag *diag);

/* new|assigned|drafting -> dismissed (not a claim worth checking, spam, out
 * of scope); reason required.  A later tip with the same claim opens a new
 * item. */
nt_err nt_desk_dismiss(nt_desk *desk, int64_t item_id, const char *reason, const char *actor,
                       nt_diag *diag);

/* ---- fact-checks ------------------------------------------------------------------ */

/* What an analyst writes.  In nt_desk_draft and nt_desk_correct a NULL field
 * means "unchanged" (evidence: NULL unchanged, non-NULL with n_evidence 0:
 * none).  Verdict by name, so a form value passes through and an unknown one
 * is an error naming the field. */
typedef struct nt_factcheck_in {
    const char *claim;       /* claimReviewed: the claim as checked; a new draft
                                without one takes the item's text */
    const char *headline;    /* the fact-check's title */
    const char *verdict;     /* nt_verdict_parse names */
    const char *explanation; /* the short rating explanation (one or two sentences) */
    const char *body;        /* the full write-up (plain text, paragraphs by blank lines) */
    const char *const *evidence; /* http(s) URLs */
    size_t n_evidence;
    const char *claim_author; /* who made or spread the claim ("" unknown) */
    const char *claim_date;   /* when it appeared, "YYYY-MM-DD" ("" unknown) */
    const char *appearance;   /* an http(s) URL where it appeared ("" none) */
    const char *lang;         /* language of the fact-check; new: the item's */
} nt_factcheck_in;

typedef struct nt_fc_correction {
    int64_t id;
    uint32_t seq; /* 1, 2, ... per fact-check */
    int64_t at;
    const char *actor;
    const char *reason;
    const char *fields; /* the fields changed, "verdict,explanation" */
    const char *before; /* JSON object of those fields before */
    const char *after;  /* and after */
} nt_fc_correction;

typedef struct nt_factcheck {
    int64_t id, item_id;
    nt_fc_status status;
    const char *claim, *lang, *headline;
    nt_verdict verdict;
    const char *explanation, *body;
    const char *const *evidence;
    size_t n_evidence;
    const char *claim_author, *claim_date, *appearance; /* "" when unknown */
    const char *author; /* the analyst who drafted it */
    const char *publisher; /* who published it ("" while a draft) */
    int64_t created_at, updated_at, published_at; /* published_at 0 in a draft */
    uint32_t submissions; /* tips its item received */
    /* nt_desk_factcheck_get only (0 / NULL in list callbacks): */
    const nt_fc_correction *corrections; /* oldest first */
    size_t n_corrections;
} nt_factcheck;

typedef int (*nt_factcheck_fn)(void *ctx, const nt_factcheck *fc);

/* Create or update the item's draft (the item becomes drafting; the first
 * drafter is the author).  Fields are checked as given (UTF-8, sizes, links
 * http(s), a known verdict), not for completeness.  NT_ERR_STATE when the
 * item is published (use nt_desk_correct) or dismissed.  *factcheck_id (may
 * be NULL) gets the draft's id. */
nt_err nt_desk_draft(nt_desk *desk, int64_t item_id, const nt_factcheck_in *in, const char *actor,
                     int64_t *factcheck_id, nt_diag *diag);

/* nt_desk_publish flags. */
#define NT_DESK_ALLOW_SIMILAR 0x1u /* publish even when the claim matches another
                                      published fact-check (a deliberate second check) */

/* Apply in (may be NULL) to the item's draft, as nt_desk_draft, then publish
 * it - all in one transaction.  Publication requires: a known verdict, a
 * non-empty explanation, a non-empty claim, at least one evidence link, every
 * link an http(s) URL, and no other published fact-check of the same claim
 * (the matcher's "same claim" decision; NT_DESK_ALLOW_SIMILAR overrides).
 * Failures name the field (NT_ERR_INVALID, NT_ERR_EMPTY), or the published
 * fact-check it duplicates (NT_ERR_STATE), and change nothing. */
nt_err nt_desk_publish(nt_desk *desk, int64_t item_id, const nt_factcheck_in *in, unsigned flags,
                       const char *actor, int64_t *factcheck_id, nt_diag *diag);

/* Correct a published fact-check: the non-NULL fields of changes are applied,
 * validated as for publication, and recorded as a correction (reason
 * required).  NT_ERR_STATE for a draft; NT_ERR_INVALID when nothing changes. */
nt_err nt_desk_correct(nt_desk *desk, int64_t factcheck_id, const nt_factcheck_in *changes,
                       const char *reason, const char *actor, nt_diag *diag);

/* One fact-check with its corrections (nt_factcheck_free).  NT_ERR_NOT_FOUND. */
nt_err nt_desk_factcheck_get(nt_desk *desk, int64_t id, nt_factcheck **out, nt_diag *diag);
void nt_factcheck_free(nt_factcheck *fc);

/* Fact-checks in this status (0: both), the most recently published (or
 * updated, for drafts) first, at most limit (0: 100) after offset. */
nt_err nt_desk_factchecks(nt_desk *desk, nt_fc_status status, size_t limit, size_t offset,
                          nt_factcheck_fn fn, void *ctx, nt_diag *diag);

/* ---- matching any text against the published fact-checks ---------------------------- */

typedef struct nt_fc_match {
    int64_t factcheck_id;
    double score; /* 0..1 (claims.h) */
    int same;     /* at or above the "same claim" threshold */
    nt_verdict verdict;
    const char *claim;       /* owned by the match array */
    const char *headline;
    const char *explanation;
    const char *url;         /* the public page */
    size_t q_start, q_end;   /* matched passage in the text given */
    size_t c_start, c_end;   /* and in the claim */
} nt_fc_match;

/* The published fact-checks whose claims text[0..len) repeats, best first, at
 * most k (1..NT_CLAIMS_MAX_RESULTS); flags as nt_claims_match
 * (NT_CLAIMS_ONLY_SAME: only "same claim" matches).  *out (NULL when *n is 0)
 * is freed with nt_fc_matches_free.  Empty text gives no matches. */
nt_err nt_desk_match(nt_desk *desk, const char *text, size_t len, size_t k, unsigned flags,
                     nt_fc_match **out, size_t *n, nt_diag *diag);
void nt_fc_matches_free(nt_fc_match *m, size_t n);

/* ---- schema.org ClaimReview (JSON-LD) ------------------------------------------------- */

/* The ClaimReview of a published fact-check as compact JSON-LD (malloc'd):
 *   {"@context": "https://schema.org", "@type": "ClaimReview", "url",
 *    "claimReviewed", "datePublished", "inLanguage", "name" (headline),
 *    "author": {"@type": "Organization", "name", "url"},
 *    "reviewRating": {"@type": "Rating", "ratingValue" 1..5, "bestRating" 5,
 *                     "worstRating" 1, "alternateName" (nt_verdict_label in the
 *                     fact-check's language), "ratingExplanation"},
 *    "itemReviewed": {"@type": "Claim", "author"?, "datePublished"?,
 *                     "appearance"?, "firstAppearance"?}}
 * Google's Fact Check required and recommended fields; docs/claims.md maps
 * each.  Every '/' is written "\/", so the string goes into a
 * <script type="application/ld+json"> element as is ("</script>" in a claim
 * cannot close it).  page_url NULL: the desk's page URL for it.
 * NT_ERR_STATE for a draft. */
nt_err nt_desk_claimreview(const nt_desk *desk, const nt_factcheck *fc, const char *page_url,
                           char **json, nt_diag *diag);

/* The same without a desk: org_name and org_url required, page_url required. */
nt_err nt_claimreview_render(const nt_factcheck *fc, const char *org_name, const char *org_url,
                             const char *page_url, char **json, nt_diag *diag);

/* ---- loading fact-checks from a file -------------------------------------------------------
 * JSON lines, one published fact-check a line:
 *   {"claim": "...", "verdict": "false", "explanation": "...", "body": "...",
 *    "evidence": ["https://..."], "headline": "...", "lang": "vi",
 *    "claim_author": "...", "claim_date": "YYYY-MM-DD", "appearance": "https://...",
 *    "author": "...", "tips": ["a variant as the public sent it", ...]}
 * claim, verdict, explanation and evidence are required; other keys are
 * errors.  Each line is submitted (channel "desk") and published as `actor`,
 * drafted by its "author" (else `actor`), then its tips are submitted (they
 * cluster onto it).  A line whose
 * claim already has a published fact-check is skipped (so loading twice
 * changes nothing).  Every line is checked before anything is written; an
 * error names file:line. */
nt_err nt_desk_import(nt_desk *desk, const char *path, const char *actor, size_t *published,
                      size_t *skipped, nt_diag *diag);

/* True (1) when the URL is one the desk accepts as a link: http:// or
 * https://, a host of letters, digits, '-', '.' (or an IDN, or [IPv6]), an
 * optional port, no spaces or control characters, at most
 * NT_DESK_MAX_URL_BYTES. */
int nt_desk_url_ok(const char *url);

#ifdef __cplusplus
}
#endif
#endif
