/*
 * lib/store/store_int.h - the storage backend interface of the registry
 * store (after rspamd's struct rspamd_stat_backend and redis's aeApi*): a
 * table of data-level operations that a backend implements.  The policy -
 * validation, the lifecycle, reputation, encryption, the feed's meaning -
 * lives once in store.c above it, so a PostgreSQL backend only has to say
 * how rows are read and written.
 *
 * Every operation returns nt_err and fills diag on failure.  Rows handed to
 * callbacks are borrowed for the call; rows filled through an out-parameter
 * own malloc'd strings (nt__ind_row_release).  Callbacks return non-zero to
 * stop an iteration.  All writes between begin and commit are one atomic
 * transaction; rollback never fails.
 */
#ifndef NT_STORE_INT_H
#define NT_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/audit.h"
#include "niemtin/auth.h"
#include "niemtin/factcheck.h"
#include "niemtin/store.h"

/* An indicator row: the public record plus what only the store needs.
 * resolution: +1 counted as confirmed in its reporters' track records, -1 as
 * rejected, 0 neither. */
typedef struct nt__ind_row {
    nt_store_indicator pub;
    int resolution;
} nt__ind_row;

void nt__ind_row_release(nt__ind_row *row);

/* nt_store_canonical without a store (the import parser uses it). */
nt_err nt__store_canonical(const nt_banks *banks, nt_ind_type type, const char *in, size_t len,
                           char **out, nt_diag *diag);

/* What store.c needs to know about one reporter of an indicator. */
typedef struct nt__reporter_stat {
    int64_t reporter_id;
    nt_source_kind kind;
    uint32_t confirmed, rejected; /* track record */
    int64_t last_at;              /* their latest report on this indicator */
    uint32_t reports;             /* how many they filed on it */
} nt__reporter_stat;

typedef struct nt__report_row {
    int64_t indicator_id, reporter_id, source_id;
    const char *channel;
    const char *evidence;
    size_t evidence_len;
    int64_t amount, reported_at;
    int credit; /* counts toward the reporter's track record */
    const unsigned char *nonce, *box;
    size_t nonce_len, box_len;
} nt__report_row;

typedef int (*nt__id_fn)(void *ctx, int64_t id);
typedef int (*nt__stat_fn)(void *ctx, const nt__reporter_stat *s);
typedef int (*nt__row_fn)(void *ctx, const nt__ind_row *row);

typedef struct nt__store_ops {
    const char *name;
    /* Open and migrate; *version gets the schema version now in force. */
    nt_err (*open)(const nt_store_config *cfg, void **db, int *version, nt_diag *diag);
    void (*close)(void *db);
    nt_err (*begin)(void *db, nt_diag *diag);
    nt_err (*commit)(void *db, nt_diag *diag);
    void (*rollback)(void *db);

    nt_err (*meta_get)(void *db, const char *key, char **value, nt_diag *diag);
    nt_err (*meta_set)(void *db, const char *key, const char *value, nt_diag *diag);

    /* Get or create the reporter (name, kind). */
    nt_err (*reporter_id)(void *db, const char *name, nt_source_kind kind, int64_t now, int64_t *id,
                          nt_diag *diag);
    nt_err (*reporter_adjust)(void *db, int64_t id, int dconfirmed, int drejected, nt_diag *diag);
    /* Get or create the public source or a member's source (by name). */
    nt_err (*source_named)(void *db, nt_source_kind kind, const char *name, int64_t now,
                           int64_t *id, nt_diag *diag);
    /* A new source (every import is one). */
    nt_err (*source_add)(void *db, nt_source_kind kind, const char *name, const char *file,
                         const char *licence, int64_t now, int64_t *id, nt_diag *diag);
    nt_err (*source_list)(void *db, nt_store_source_fn fn, void *ctx, nt_diag *diag);

    nt_err (*ind_find)(void *db, nt_ind_type type, const char *value, nt__ind_row *out,
                       nt_diag *diag);
    nt_err (*ind_get)(void *db, int64_t id, nt__ind_row *out, nt_diag *diag);
    /* Insert row (its pub.id is ignored and set). */
    nt_err (*ind_insert)(void *db, nt__ind_row *row, nt_diag *diag);
    /* Write every mutable field of row (by pub.id). */
    nt_err (*ind_update)(void *db, const nt__ind_row *row, nt_diag *diag);
    nt_err (*ind_list)(void *db, nt_status status, int64_t after_id, size_t limit, nt__row_fn fn,
                       void *ctx, nt_diag *diag);
    /* Ids of indicators in status reported or confirmed whose last activity
     * (last_seen, status_at) is before cutoff. */
    nt_err (*ind_stale)(void *db, int64_t cutoff, nt__id_fn fn, void *ctx, nt_diag *diag);

    nt_err (*report_insert)(void *db, const nt__report_row *r, int64_t *id, nt_diag *diag);
    nt_err (*report_list)(void *db, int64_t indicator_id, nt_store_report_fn fn, void *ctx,
                          nt_diag *diag);
    /* The encrypted contact of a report: malloc'd nonce and box, NULL if none. */
    nt_err (*report_contact)(void *db, int64_t report_id, unsigned char **nonce, size_t *nonce_len,
                             unsigned char **box, size_t *box_len, nt_diag *diag);
    /* One entry per distinct reporter of the indicator. */
    nt_err (*reporter_stats)(void *db, int64_t indicator_id, nt__stat_fn fn, void *ctx,
                             nt_diag *diag);
    /* Distinct reporters whose reports on the indicator earn credit. */
    nt_err (*credited_reporters)(void *db, int64_t indicator_id, nt__id_fn fn, void *ctx,
                                 nt_diag *diag);
    /* Distinct indicators a reporter reported. */
    nt_err (*reporter_indicators)(void *db, int64_t reporter_id, nt__id_fn fn, void *ctx,
                                  nt_diag *diag);

    /* Record that an import listed the indicator (ignored if already). */
    nt_err (*listing_add)(void *db, int64_t indicator_id, int64_t source_id, unsigned line,
                          nt_diag *diag);
    nt_err (*event_add)(void *db, const nt_store_event *e, int64_t report_id, nt_diag *diag);
    nt_err (*event_list)(void *db, int64_t indicator_id, nt_store_event_fn fn, void *ctx,
                         nt_diag *diag);
    nt_err (*change_add)(void *db, int64_t indicator_id, int64_t at, const char *kind,
                         nt_status status, nt_diag *diag);
    nt_err (*change_list)(void *db, int64_t since, size_t limit, nt_store_change_fn fn, void *ctx,
                          nt_diag *diag);
} nt__store_ops;

extern const nt__store_ops nt__sqlite_store_ops;

/* ---- accounts, keys, sessions, throttling, settings, the audit chain ----------------
 * A second table of operations (lib/auth and lib/audit are above it) in the
 * same database and transactions as the registry's.  Rows handed to
 * callbacks are borrowed for the call; finds call fn once, or return
 * NT_ERR_NOT_FOUND (without filling diag). */

typedef struct nt__user_row {
    nt_user pub;
    const char *pwhash; /* crypto_pwhash_str */
} nt__user_row;

typedef struct nt__key_row {
    nt_key_info pub;
    const unsigned char *hash; /* 32 bytes */
} nt__key_row;

typedef struct nt__session_row {
    int64_t id, created_at, last_seen_at, expires_at;
    nt__user_row user;
} nt__session_row;

/* Failed logins of one login name (scope 1) or client address (scope 2). */
typedef struct nt__throttle_row {
    int64_t failures, last_at, locked_until;
} nt__throttle_row;

typedef int (*nt__user_fn)(void *ctx, const nt__user_row *u);
typedef int (*nt__key_fn)(void *ctx, const nt__key_row *k);
typedef int (*nt__session_fn)(void *ctx, const nt__session_row *s);
typedef int (*nt__setting_fn)(void *ctx, const char *key, const char *value);

enum { NT__COUNT_USERS, NT__COUNT_ENABLED_ADMINS, NT__COUNT_NON_DEMO };

typedef struct nt__acct_ops {
    /* A read transaction: one consistent snapshot for several reads. */
    nt_err (*read_begin)(void *db, nt_diag *diag);
    void (*read_end)(void *db);

    nt_err (*org_add)(void *db, const char *name, nt_org_kind kind, int demo, int64_t now,
                      int64_t *id, nt_diag *diag);
    nt_err (*org_find)(void *db, const char *name, nt_org_fn fn, void *ctx, nt_diag *diag);
    nt_err (*org_list)(void *db, nt_org_fn fn, void *ctx, nt_diag *diag);

    /* pub.id is ignored; *id gets the new one. */
    nt_err (*user_add)(void *db, const nt__user_row *u, int64_t *id, nt_diag *diag);
    nt_err (*user_find)(void *db, const char *login, nt__user_fn fn, void *ctx, nt_diag *diag);
    /* Write display name, role, org, password hash, disabled/password/login times by id. */
    nt_err (*user_update)(void *db, const nt__user_row *u, nt_diag *diag);
    nt_err (*user_list)(void *db, nt__user_fn fn, void *ctx, nt_diag *diag);
    nt_err (*user_count)(void *db, int which, int64_t *n, nt_diag *diag);

    nt_err (*key_add)(void *db, const nt__key_row *k, int64_t *id, nt_diag *diag);
    nt_err (*key_find)(void *db, const char *prefix, nt__key_fn fn, void *ctx, nt_diag *diag);
    nt_err (*key_list)(void *db, nt__key_fn fn, void *ctx, nt_diag *diag);
    nt_err (*key_revoke)(void *db, int64_t id, int64_t now, nt_diag *diag);
    /* Add uses and raise last_used_at to last_used. */
    nt_err (*key_usage)(void *db, int64_t id, uint64_t uses, int64_t last_used, nt_diag *diag);

    nt_err (*session_add)(void *db, const unsigned char hash[32], int64_t user_id, int64_t now,
                          int64_t expires_at, const char *addr, nt_diag *diag);
    nt_err (*session_find)(void *db, const unsigned char hash[32], nt__session_fn fn, void *ctx,
                           nt_diag *diag);
    nt_err (*session_touch)(void *db, int64_t id, int64_t now, nt_diag *diag);
    nt_err (*session_delete)(void *db, const unsigned char hash[32], nt_diag *diag);
    nt_err (*session_delete_user)(void *db, int64_t user_id, int64_t *n, nt_diag *diag);
    /* Delete sessions that ended before now (absolute expiry only). */
    nt_err (*session_purge)(void *db, int64_t now, nt_diag *diag);

    /* A missing row reads as zeros (NT_OK). */
    nt_err (*throttle_get)(void *db, int scope, const char *key, nt__throttle_row *out,
                           nt_diag *diag);
    nt_err (*throttle_set)(void *db, int scope, const char *key, const nt__throttle_row *r,
                           nt_diag *diag);
    nt_err (*throttle_clear)(void *db, int scope, const char *key, nt_diag *diag);
    /* Forget rows whose last failure and lock are both before `before`. */
    nt_err (*throttle_purge)(void *db, int64_t before, nt_diag *diag);

    nt_err (*setting_set)(void *db, const char *key, const char *value, int64_t now, const char *by,
                          nt_diag *diag);
    nt_err (*setting_list)(void *db, nt__setting_fn fn, void *ctx, nt_diag *diag);

    nt_err (*audit_head)(void *db, nt_audit_head *out, nt_diag *diag);
    nt_err (*audit_insert)(void *db, const nt_audit_entry *e, nt_diag *diag);
    nt_err (*audit_head_set)(void *db, const nt_audit_head *h, nt_diag *diag);
    /* Entries with id > since in id order, at most limit (-1: all). */
    nt_err (*audit_list)(void *db, int64_t since, int64_t limit, nt_audit_fn fn, void *ctx,
                         nt_diag *diag);
} nt__acct_ops;

extern const nt__acct_ops nt__sqlite_acct_ops;

/* ---- the fact-check desk (lib/factcheck; sqlite_desk.c) ------------------------------
 * A third table of operations in the same database and transactions.  Rows
 * handed to callbacks are borrowed for the call; gets call fn once or return
 * NT_ERR_NOT_FOUND (without filling diag). */

typedef struct nt__sub_row {
    nt_desk_submission pub;
    const unsigned char *nonce, *box; /* the encrypted contact, or NULL */
    size_t nonce_len, box_len;
} nt__sub_row;

/* A fact-check row: pub's evidence fields and corrections are not used;
 * the evidence is a JSON array of strings. */
typedef struct nt__fc_row {
    nt_factcheck pub;
    const char *evidence_json;
    uint32_t corrections; /* corrections recorded so far */
} nt__fc_row;

typedef int (*nt__fc_fn)(void *ctx, const nt__fc_row *r);

typedef struct nt__desk_ops {
    /* pub.id and factcheck_id are ignored. */
    nt_err (*item_insert)(void *db, const nt_desk_item *it, int64_t *id, nt_diag *diag);
    /* Write text, lang, status, assignee, submissions, last_seen, status_at, reason. */
    nt_err (*item_update)(void *db, const nt_desk_item *it, nt_diag *diag);
    nt_err (*item_get)(void *db, int64_t id, nt_desk_item_fn fn, void *ctx, nt_diag *diag);
    /* status 0: all; most submissions first, then last seen, then id. */
    nt_err (*item_list)(void *db, int status, int64_t limit, int64_t offset, nt_desk_item_fn fn,
                        void *ctx, nt_diag *diag);
    /* new, assigned and drafting items in id order. */
    nt_err (*item_open)(void *db, nt_desk_item_fn fn, void *ctx, nt_diag *diag);
    /* counts[s] for s = 1..NT_ITEM__COUNT-1 (counts[0] left alone). */
    nt_err (*item_counts)(void *db, size_t *counts, nt_diag *diag);

    nt_err (*sub_insert)(void *db, const nt__sub_row *s, int64_t *id, nt_diag *diag);
    nt_err (*sub_list)(void *db, int64_t item_id, int64_t limit, nt_desk_submission_fn fn,
                       void *ctx, nt_diag *diag);
    nt_err (*sub_contact)(void *db, int64_t id, unsigned char **nonce, size_t *nonce_len,
                          unsigned char **box, size_t *box_len, nt_diag *diag);
    /* The most recent item not dismissed with a tip of this link. */
    nt_err (*sub_link_item)(void *db, const char *link, int64_t *item_id, nt_diag *diag);

    /* pub.id is ignored. */
    nt_err (*fc_insert)(void *db, const nt__fc_row *r, int64_t *id, nt_diag *diag);
    /* Write every mutable field by pub.id (corrections included). */
    nt_err (*fc_update)(void *db, const nt__fc_row *r, nt_diag *diag);
    nt_err (*fc_get)(void *db, int64_t id, nt__fc_fn fn, void *ctx, nt_diag *diag);
    nt_err (*fc_by_item)(void *db, int64_t item_id, nt__fc_fn fn, void *ctx, nt_diag *diag);
    /* status 0: both; newest first (published_at, then updated_at, then id). */
    nt_err (*fc_list)(void *db, int status, int64_t limit, int64_t offset, nt__fc_fn fn, void *ctx,
                      nt_diag *diag);
    nt_err (*corr_insert)(void *db, int64_t factcheck_id, const nt_fc_correction *c, int64_t *id,
                          nt_diag *diag);
    nt_err (*corr_list)(void *db, int64_t factcheck_id,
                        int (*fn)(void *ctx, const nt_fc_correction *c), void *ctx, nt_diag *diag);
} nt__desk_ops;

extern const nt__desk_ops nt__sqlite_desk_ops;

/* ---- what lib/auth and lib/audit use of a store (store.c) ---------------------------- */

const nt__store_ops *nt__store_core(nt_store *st, void **db);
const nt__acct_ops *nt__store_acct(nt_store *st, void **db);
const nt__desk_ops *nt__store_desk(nt_store *st, void **db);
/* Encrypt a contact with the store key (malloc'd box, nonce of
 * NT__NONCE_BYTES), recording the key check in meta - inside a transaction.
 * NT_ERR_STATE without a key. */
#define NT__NONCE_BYTES 24
nt_err nt__store_seal(nt_store *st, const char *plain, unsigned char nonce[NT__NONCE_BYTES],
                      unsigned char **box, size_t *box_len, nt_diag *diag);
/* Decrypt one (malloc'd, NUL-terminated).  what names it in messages. */
nt_err nt__store_unseal(nt_store *st, const unsigned char *nonce, size_t nonce_len,
                        const unsigned char *box, size_t box_len, const char *what, char **plain,
                        nt_diag *diag);
/* One write transaction (BEGIN IMMEDIATE ... COMMIT), as the store's own. */
nt_err nt__store_begin(nt_store *st, nt_diag *diag);
nt_err nt__store_commit(nt_store *st, nt_diag *diag);
void nt__store_rollback(nt_store *st);
/* The store's text check: valid UTF-8, no NUL/DEL, at most max bytes; names
 * (is_name) no control characters at all. */
nt_err nt__store_check_text(const char *field, const char *s, size_t len, size_t max, int is_name,
                            nt_diag *diag);

/* Append an audit entry inside the transaction in progress (lib/audit):
 * reads the head, links, inserts, moves the head.  details: a JSON object
 * or NULL ("{}"). */
nt_err nt__audit_append(nt_store *st, int64_t at, const char *actor, const char *action,
                        const char *object, const char *details, nt_diag *diag);

#endif
