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

#endif
