/*
 * lib/store/sqlite_int.h - what the two halves of the SQLite backend share:
 * sqlite.c owns the connection, the migrations and the registry's
 * statements; sqlite_accounts.c holds the statements and operations of
 * accounts, keys, sessions, throttling, settings and the audit chain
 * (nt__sqlite_acct_ops).  sqlite.c prepares both statement tables at open.
 */
#ifndef NT_STORE_SQLITE_INT_H
#define NT_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "niemtin/error.h"

/* The account statements' SQL, indexed by sqlite_accounts.c's enum. */
extern const char *const nt__sq_acct_sql[];
extern const int nt__sq_acct_count;

/* The fact-check desk's statements' SQL, indexed by sqlite_desk.c's enum. */
extern const char *const nt__sq_desk_sql[];
extern const int nt__sq_desk_count;

/* `db` is the backend's void * handle. */
sqlite3 *nt__sq_db(void *db);
/* Account statement k, reset and with its bindings cleared. */
sqlite3_stmt *nt__sq_acct_stmt(void *db, int k);
/* Desk statement k, likewise. */
sqlite3_stmt *nt__sq_desk_stmt(void *db, int k);
/* An SQLite result as nt_err with a message naming what failed. */
nt_err nt__sq_fail(void *db, nt_diag *diag, int rc, const char *what);
/* Step a statement that returns no rows, then reset it. */
nt_err nt__sq_run(void *db, sqlite3_stmt *st, nt_diag *diag, const char *what);
nt_err nt__sq_exec(void *db, const char *q, nt_diag *diag, const char *what);
/* A text column, "" for NULL; valid until the next step or reset. */
const char *nt__sq_text(sqlite3_stmt *st, int i);

#endif
