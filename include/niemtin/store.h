/*
 * niemtin/store.h - the early-warning registry's durable store: indicators
 * (scam phone numbers, bank accounts, websites, accounts), the reports that
 * name them, the sources they came from, the analysts' decisions, and an
 * incremental feed of every change.  docs/registry.md explains the model.
 *
 * The one idea: every change is one transaction that writes the new state,
 * an event (who, when, why), a feed entry and an entry in the hash-chained
 * audit log (audit.h) together, so the history, the feed, the audit log and
 * the current state can never disagree, and a crash loses nothing that was
 * acknowledged.
 *
 * The store sits behind a table of backend operations (lib/store/store_int.h);
 * the first backend is SQLite (WAL, foreign keys, versioned migrations).
 *
 * Lifecycle (illegal transitions fail with NT_ERR_STATE):
 *
 *   reported ──review──► under_review ──confirm──► confirmed ──dispute──► disputed
 *      │  └────confirm/reject (through review)──┘    │  ▲                 │   │
 *      │                    └──reject──► rejected    │  └───confirm────────┘   │
 *      └──expire──► expired ◄──expire────────────────┘          cleared ◄─clear┘
 *   a new report on a rejected, cleared or expired indicator reopens it
 *   (reported); an import confirms new, reported, under_review and expired
 *   indicators and never overrides an analyst's rejected/cleared/disputed.
 *
 * Ownership: nt_store is opaque (nt_store_open / nt_store_close) and not
 * thread-safe: one thread at a time (the registry serialises its writers).
 * Structs filled by nt_store_get_* own malloc'd strings released with the
 * matching *_release function.  Pointers handed to callbacks are borrowed and
 * valid only during the call.
 */
#ifndef NIEMTIN_STORE_H
#define NIEMTIN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/error.h"
#include "niemtin/indicator.h"
#include "niemtin/limits.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nt_status {
    NT_STATUS_REPORTED = 1,
    NT_STATUS_UNDER_REVIEW,
    NT_STATUS_CONFIRMED,
    NT_STATUS_REJECTED,
    NT_STATUS_DISPUTED,
    NT_STATUS_CLEARED,
    NT_STATUS_EXPIRED,
    NT_STATUS__COUNT
} nt_status;

/* "reported", "under_review", "confirmed", "rejected", "disputed",
 * "cleared", "expired"; "unknown" otherwise.  Static. */
const char *nt_status_name(nt_status s);
nt_err nt_status_parse(const char *name, nt_status *out);

/* What an analyst (or the expiry job) does to an indicator. */
typedef enum nt_action {
    NT_ACTION_REVIEW = 1, /* reported -> under_review */
    NT_ACTION_CONFIRM,    /* reported|under_review|disputed -> confirmed */
    NT_ACTION_REJECT,     /* reported|under_review -> rejected */
    NT_ACTION_DISPUTE,    /* confirmed -> disputed (the owner appeals) */
    NT_ACTION_CLEAR,      /* disputed -> cleared */
    NT_ACTION_EXPIRE,     /* reported|confirmed -> expired */
    NT_ACTION__COUNT
} nt_action;

const char *nt_action_name(nt_action a); /* "review", "confirm", ... */
nt_err nt_action_parse(const char *name, nt_action *out);

/* The status an action leads to from `from`; NT_ERR_STATE if illegal. */
nt_err nt_status_after(nt_status from, nt_action a, nt_status *to);

typedef enum nt_source_kind {
    NT_SOURCE_PUBLIC = 1, /* citizens' reports (one source, "public") */
    NT_SOURCE_MEMBER,     /* an alliance member organisation */
    NT_SOURCE_IMPORT      /* one import of a published list */
} nt_source_kind;

const char *nt_source_kind_name(nt_source_kind k); /* "public", "member", "import" */

/* ---- reputation --------------------------------------------------------------
 * Evidence E = sum over distinct reporters r of min(w_r, CAP) * 2^(-age_r/H)
 * where w_r = (a + confirmed_r) / (a + b + confirmed_r + rejected_r) is the
 * reporter's track record (a=1,b=1 for citizens, a=4,b=1 for members),
 * age_r the time since r's latest report on the indicator and H the
 * half-life.  Score = 100 * (1 - e^-E).  One reporter alone reaches at most
 * 100 * (1 - e^-CAP) = 45 < NT_REPUTATION_WARN (50).  docs/registry.md. */
#define NT_REPUTATION_HALF_LIFE_DAYS 90.0
#define NT_REPUTATION_CAP 0.6
#define NT_REPUTATION_WARN 50.0

/* Score 0..100 at time `now` from the stored evidence (e0 at time t0). */
double nt_reputation_score(double e0, int64_t t0, int64_t now, double half_life_days);
/* A reporter's weight from their track record. */
double nt_reputation_weight(nt_source_kind kind, uint32_t confirmed, uint32_t rejected);

/* ---- opening ----------------------------------------------------------------- */

typedef int64_t (*nt_clock_fn)(void *ctx); /* seconds since the Unix epoch */

typedef struct nt_store nt_store;

typedef struct nt_store_config {
    const char *path;         /* database file; ":memory:" for a private one */
    const unsigned char *key; /* 32-byte contact-encryption key, or NULL: then
                                 reports with a contact are refused */
    const nt_banks *banks;    /* bank names for bank-account values (may be NULL:
                                 "BANK:digits" then needs a known code) */
    int busy_timeout_ms;      /* 0: 5000 */
    double half_life_days;    /* 0: NT_REPUTATION_HALF_LIFE_DAYS */
    nt_clock_fn clock;        /* NULL: time() */
    void *clock_ctx;
} nt_store_config;

void nt_store_config_init(nt_store_config *cfg);

/* Open (creating if missing) and migrate the database to the current schema.
 * A database written by a newer NiemTin is refused (NT_ERR_UNSUPPORTED); a
 * file that is not a database or is corrupt gives NT_ERR_IO with the reason
 * in diag; nothing in it is changed.  The config is copied; banks must
 * outlive the store. */
nt_err nt_store_open(const nt_store_config *cfg, nt_store **out, nt_diag *diag);
void nt_store_close(nt_store *st);

/* The schema version of an open store, and the one this code writes. */
int nt_store_schema_version(const nt_store *st);
#define NT_STORE_SCHEMA_VERSION 3 /* 2: accounts, keys, sessions, settings, audit chain;
                                     3: the fact-check desk (factcheck.h) */

int64_t nt_store_now(const nt_store *st);
double nt_store_half_life(const nt_store *st);

/* ---- records ------------------------------------------------------------------ */

typedef struct nt_store_indicator {
    int64_t id;
    nt_ind_type type;
    const char *value; /* canonical; for URLs the Safe Browsing expression
                          (canonical URL without "scheme://") */
    nt_status status;
    int64_t first_seen, last_seen;
    int64_t status_at;     /* when the status was last set */
    const char *status_by; /* who set it: an analyst, "import:<name>", "expiry" */
    int64_t source_id;     /* the import that confirmed it, else 0 */
    uint32_t n_reports, n_reporters;
    double score_e; /* reputation evidence at score_at */
    int64_t score_at;
} nt_store_indicator;

/* Called after every committed write, once per indicator whose state changed
 * (the registry keeps its index current this way).  ind is borrowed. */
typedef void (*nt_store_observer)(void *ctx, const nt_store_indicator *ind);
void nt_store_set_observer(nt_store *st, nt_store_observer fn, void *ctx);

/* A canonical value of the given type as the store keys it: nt_canon, then
 * for URLs the scheme stripped.  National ID numbers are refused
 * (NT_ERR_UNSUPPORTED): the registry holds what scammers use, not citizens'
 * identities.  *out malloc'd. */
nt_err nt_store_canonical(const nt_store *st, nt_ind_type type, const char *in, size_t len,
                          char **out, nt_diag *diag);

/* ---- reports ------------------------------------------------------------------ */

typedef struct nt_report_in {
    nt_ind_type type;
    const char *value; /* raw; canonicalised by the store */
    size_t value_len;
    const char *reporter; /* NULL or "": "anonymous" (all anonymous reports
                             count as one reporter) */
    int member;           /* the reporter is an alliance member organisation */
    const char *channel;  /* sms call web zalo facebook telegram email app other;
                             NULL: "other" */
    const char *evidence; /* the message or what happened; may be NULL */
    size_t evidence_len;  /* <= NT_MAX_EVIDENCE_BYTES, valid UTF-8 */
    const char *contact;  /* reporter's contact: encrypted, never stored in clear */
    int64_t amount;       /* VND lost, >= 0 */
    const char *actor;    /* who submits it, for the audit log: a login, an API key's
                             prefix; NULL or "": "public" */
} nt_report_in;

/* Record a report (creating the indicator if new).  NT_ERR_INVALID /
 * NT_ERR_UTF8 / NT_ERR_TOO_BIG with diag naming the field for bad input;
 * NT_ERR_STATE when a contact is given but the store has no key. */
nt_err nt_store_report_add(nt_store *st, const nt_report_in *in, int64_t *report_id,
                           int64_t *indicator_id, nt_diag *diag);

typedef struct nt_store_report {
    int64_t id, indicator_id;
    const char *reporter;
    nt_source_kind reporter_kind;
    const char *channel;
    const char *evidence;
    int64_t amount;
    int64_t reported_at;
    int has_contact;
} nt_store_report;

/* Decrypt a report's contact into a malloc'd string (needs the key). */
nt_err nt_store_report_contact(nt_store *st, int64_t report_id, char **contact, nt_diag *diag);

/* ---- decisions ---------------------------------------------------------------- */

/* Apply an action to an indicator.  actor (who decides; the audit log records
 * it too) and reason are required (reason
 * <= NT_MAX_REASON_BYTES, valid UTF-8).  NT_ERR_NOT_FOUND for no such id,
 * NT_ERR_STATE for an illegal transition (diag: from which status). */
nt_err nt_store_transition(nt_store *st, int64_t indicator_id, nt_action action, const char *actor,
                           const char *reason, nt_diag *diag);

/* Expire reported and confirmed indicators with no activity (report, listing
 * or decision) for `older_than_days`; all in one transaction.  *n gets the
 * count. */
nt_err nt_store_expire(nt_store *st, double older_than_days, const char *actor, size_t *n,
                       nt_diag *diag);

/* ---- imports ------------------------------------------------------------------ */

typedef enum nt_import_format {
    NT_IMPORT_CHONGLUADAO = 1, /* hosts or URLs one a line (urls.txt), or IPs (ips.txt) */
    NT_IMPORT_LIST,            /* one value of a given type a line */
    NT_IMPORT_STIX,            /* a STIX 2.1 bundle of indicators (docs/registry.md) */
    NT_IMPORT_CSV              /* RFC 4180 CSV: type,value[,first_seen,status,source,note] */
} nt_import_format;

typedef struct nt_import_options {
    nt_import_format format;
    nt_ind_type type;    /* NT_IMPORT_LIST: the type of every line */
    const char *name;    /* source name, e.g. "chongluadao" (required) */
    const char *file;    /* provenance: where the data came from */
    const char *licence; /* provenance: licence / SOURCE.txt text (may be NULL) */
    int skip_bad;        /* 0: any bad line rejects the whole import */
    const char *actor;   /* who imports (NULL: "import") */
    int min_confidence;  /* STIX: indicators with a confidence below this are left
                            out (counted in skipped_low_confidence); 0: none */
} nt_import_options;

typedef struct nt_import_error {
    unsigned line; /* lists, CSV: the (first) line of the bad record; STIX: 0 */
    char message[160];
    unsigned column; /* CSV: the field, 1-based; 0 when not one field */
    unsigned object; /* STIX: 1 + the object's index in "objects"; 0 otherwise */
    char ref[80];    /* STIX: the object's id when it has one, else "" */
} nt_import_error;

typedef struct nt_import_result {
    int64_t source_id;
    size_t lines;      /* non-blank, non-comment lines */
    size_t added;      /* new indicators */
    size_t confirmed;  /* existing indicators confirmed by this import */
    size_t unchanged;  /* already confirmed, or kept by an analyst's decision */
    size_t duplicates; /* lines whose value appeared earlier in the file */
    size_t bad;        /* bad lines (all of them, even past the errors kept) */
    nt_import_error errors[NT_MAX_IMPORT_ERRORS_KEPT]; /* the first bad lines */
    size_t n_errors;
    /* STIX and CSV: good records deliberately left out (never an error) */
    size_t skipped_revoked;        /* STIX "revoked": true */
    size_t skipped_expired;        /* STIX valid_until already past */
    size_t skipped_status;         /* CSV status other than confirmed */
    size_t skipped_low_confidence; /* STIX confidence < min_confidence */
    size_t other_objects;          /* STIX objects that are not indicators (identity, ...) */
} nt_import_result;

/* Parse data[0..len) line by line and call fn for every line (1-based line
 * number, the value canonicalised or an error message).  The parsing half of
 * nt_store_import, without a database (fuzzed).  fn returns non-zero to stop.
 * NT_ERR_TOO_BIG past NT_MAX_IMPORT_BYTES or NT_MAX_IMPORT_LINES. */
typedef int (*nt_import_line_fn)(void *ctx, unsigned line, nt_ind_type type, const char *canonical,
                                 const char *error);
nt_err nt_import_parse(const nt_banks *banks, const nt_import_options *opts, const char *data,
                       size_t len, nt_import_line_fn fn, void *ctx, nt_diag *diag);

/* Import a list atomically: every line is canonicalised first; unless
 * skip_bad, one bad line rejects the import (NT_ERR_PARSE, diag names the
 * first bad line, result lists up to NT_MAX_IMPORT_ERRORS_KEPT) and nothing
 * is written.  Otherwise all good lines go in one transaction. */
nt_err nt_store_import(nt_store *st, const nt_import_options *opts, const char *data, size_t len,
                       nt_import_result *result, nt_diag *diag);

/* ---- STIX 2.1 and CSV records ----------------------------------------------------
 * The record-level parse behind NT_IMPORT_STIX and NT_IMPORT_CSV: every
 * indicator the file names, canonicalised, with what the file says about it,
 * or an error naming the record.  No database (fuzzed); nt_store_import
 * decides what to write. */
typedef struct nt_import_record {
    unsigned line;   /* CSV: the line the record starts on; STIX: 0 */
    unsigned object; /* STIX: 1 + the index in "objects"; CSV: 0 */
    const char *ref; /* STIX: the indicator's id; CSV: NULL */
    nt_ind_type type;
    const char *canonical; /* as nt_store_canonical gives it */
    int64_t first_seen;    /* valid_from / first_seen; 0: not given */
    int64_t valid_until;   /* STIX valid_until; 0: not given */
    int revoked;           /* STIX "revoked": true */
    nt_status status;      /* CSV status; 0: not given (confirmed) */
    int confidence;        /* STIX 0..100; -1: not given */
    const char *source;    /* who published it: the created_by_ref identity's
                              name, or the CSV source; NULL: the import's name */
    const char *note;      /* CSV note, STIX name; NULL if none */
    const char *labels;    /* STIX labels joined by ", "; NULL if none */
} nt_import_record;

/* Called once per indicator value (a STIX pattern with OR names several) or
 * per bad record (rec NULL, err set).  Both borrowed for the call.  Returns
 * non-zero to stop. */
typedef int (*nt_import_record_fn)(void *ctx, const nt_import_record *rec,
                                   const nt_import_error *err);

/* Parse a STIX bundle or a CSV file (opts->format).  A file that cannot be
 * read at all (not JSON, no "objects" array, a bad CSV header) is
 * NT_ERR_PARSE with diag at the place; a bad record is reported through fn
 * and parsing goes on.  NT_ERR_TOO_BIG past NT_MAX_IMPORT_BYTES or
 * NT_MAX_IMPORT_LINES records.  *other_objects (may be NULL) gets the number
 * of STIX objects that name no indicator (identity, marking-definition,
 * relationship, malware, ...): ignored, not errors. */
nt_err nt_import_parse_records(const nt_banks *banks, const nt_import_options *opts,
                               const char *data, size_t len, nt_import_record_fn fn, void *ctx,
                               size_t *other_objects, nt_diag *diag);

/* ---- export ------------------------------------------------------------------------
 * The registry as a file another system reads: a STIX 2.1 bundle (an identity
 * for NiemTin, one indicator per value with a name-based UUIDv5 id, so
 * exporting again gives the same ids), CSV with the import's columns (it
 * imports back), or a hosts file ("0.0.0.0 host" for every domain and URL
 * host, for DNS blocklists).  Values are written sorted by (type, value), so
 * the same registry content gives the same bytes. */
typedef enum nt_export_format {
    NT_EXPORT_STIX = 1,
    NT_EXPORT_CSV,
    NT_EXPORT_HOSTS
} nt_export_format;

typedef struct nt_export_options {
    nt_export_format format;
    nt_status status; /* only this status; 0: confirmed.  STIX and hosts
                         export confirmed indicators only */
    int all_statuses; /* CSV: every status (status is then ignored) */
    int domains_only; /* hosts: leave out the hosts of listed URLs */
} nt_export_options;

/* Receives the output in pieces; returns non-zero to stop (a write error). */
typedef int (*nt_export_write_fn)(void *ctx, const char *data, size_t len);

/* Write the export through fn.  *count gets the number of indicators (hosts
 * for NT_EXPORT_HOSTS) written.  NT_ERR_IO when fn fails. */
nt_err nt_store_export(nt_store *st, const nt_export_options *opts, nt_export_write_fn fn,
                       void *ctx, size_t *count, nt_diag *diag);

/* The STIX id NiemTin gives an indicator: "indicator--" + UUIDv5 in the
 * NiemTin namespace of "<type>:<canonical>" (docs/registry.md).  out needs
 * 48 bytes. */
void nt_stix_indicator_id(nt_ind_type type, const char *canonical, char out[48]);

/* ---- reading ------------------------------------------------------------------ */

/* Look up by canonical value (as nt_store_canonical gives) or by id; fills
 * *out with malloc'd strings (nt_store_indicator_release).  NT_ERR_NOT_FOUND. */
nt_err nt_store_find(nt_store *st, nt_ind_type type, const char *canonical, nt_store_indicator *out,
                     nt_diag *diag);
nt_err nt_store_get(nt_store *st, int64_t id, nt_store_indicator *out, nt_diag *diag);
void nt_store_indicator_release(nt_store_indicator *ind);

typedef int (*nt_store_indicator_fn)(void *ctx, const nt_store_indicator *ind);
/* Every indicator in id order (status 0 = any), at most limit (0 = all) after
 * skipping those with id <= after_id.  fn returns non-zero to stop. */
nt_err nt_store_list(nt_store *st, nt_status status, int64_t after_id, size_t limit,
                     nt_store_indicator_fn fn, void *ctx, nt_diag *diag);

typedef int (*nt_store_report_fn)(void *ctx, const nt_store_report *r);
nt_err nt_store_reports(nt_store *st, int64_t indicator_id, nt_store_report_fn fn, void *ctx,
                        nt_diag *diag);

typedef struct nt_store_event {
    int64_t id, indicator_id, at;
    const char *actor;
    const char *action; /* "reported", "imported", "review", "confirm", ... */
    nt_status from, to; /* from is 0 when the indicator was created */
    const char *reason;
} nt_store_event;
typedef int (*nt_store_event_fn)(void *ctx, const nt_store_event *e);
nt_err nt_store_events(nt_store *st, int64_t indicator_id, nt_store_event_fn fn, void *ctx,
                       nt_diag *diag);

typedef struct nt_store_source {
    int64_t id;
    nt_source_kind kind;
    const char *name, *file, *licence;
    int64_t created_at;
} nt_store_source;
typedef int (*nt_store_source_fn)(void *ctx, const nt_store_source *s);
nt_err nt_store_sources(nt_store *st, nt_store_source_fn fn, void *ctx, nt_diag *diag);

/* ---- the feed -------------------------------------------------------------------
 * Every change (an indicator added, or its status changed) gets the next
 * sequence number.  Replaying the changes from cursor 0 and keeping the last
 * status of each (type, value) gives exactly the current statuses. */
typedef struct nt_store_change {
    int64_t seq;
    int64_t at;
    int64_t indicator_id;
    nt_ind_type type;
    const char *value;
    const char *kind; /* "added", or the new status: "confirmed", "rejected", ... */
    nt_status status; /* the status after the change */
} nt_store_change;
typedef int (*nt_store_change_fn)(void *ctx, const nt_store_change *c);

/* Changes with seq > since, in order, at most limit (0: NT_MAX_FEED_LIMIT);
 * *next gets the cursor to pass next time (the last seq returned, or since). */
nt_err nt_store_feed(nt_store *st, int64_t since, size_t limit, nt_store_change_fn fn, void *ctx,
                     int64_t *next, nt_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
