/*
 * lib/store/sqlite.c - the SQLite backend of the registry store.
 *
 * The database runs in WAL mode (readers in other processes never block the
 * writer), with foreign keys enforced, synchronous=FULL (a committed
 * transaction survives a crash or power loss), a busy timeout, and every
 * statement prepared once at open in a table indexed by an enum (after
 * rspamd's sqlite3_backend.c).  The schema is created and upgraded by the
 * numbered migrations below, each in its own transaction, recorded in the
 * one-row schema_version table; a database newer than this code is refused
 * untouched.  The accounts and audit half of the backend is in
 * sqlite_accounts.c, the fact-check desk's in sqlite_desk.c (sqlite_int.h
 * says what they share).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "store/sqlite_int.h"
#include "store/store_int.h"

/* ---- schema ----------------------------------------------------------------- */

static const char *const migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE sources("
    "  id INTEGER PRIMARY KEY,"
    "  kind INTEGER NOT NULL CHECK(kind BETWEEN 1 AND 3),"
    "  name TEXT NOT NULL, file TEXT, licence TEXT,"
    "  created_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX sources_named ON sources(kind, name) WHERE kind <> 3;"
    "CREATE TABLE reporters("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  kind INTEGER NOT NULL CHECK(kind BETWEEN 1 AND 2),"
    "  confirmed INTEGER NOT NULL DEFAULT 0 CHECK(confirmed >= 0),"
    "  rejected INTEGER NOT NULL DEFAULT 0 CHECK(rejected >= 0),"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE(name, kind));"
    "CREATE TABLE indicators("
    "  id INTEGER PRIMARY KEY,"
    "  type INTEGER NOT NULL CHECK(type BETWEEN 1 AND 9),"
    "  value TEXT NOT NULL,"
    "  status INTEGER NOT NULL CHECK(status BETWEEN 1 AND 7),"
    "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    "  status_at INTEGER NOT NULL, status_by TEXT NOT NULL,"
    "  source_id INTEGER REFERENCES sources(id),"
    "  n_reports INTEGER NOT NULL DEFAULT 0, n_reporters INTEGER NOT NULL DEFAULT 0,"
    "  score_e REAL NOT NULL DEFAULT 0, score_at INTEGER NOT NULL DEFAULT 0,"
    "  resolution INTEGER NOT NULL DEFAULT 0 CHECK(resolution BETWEEN -1 AND 1),"
    "  UNIQUE(type, value));"
    "CREATE INDEX indicators_status ON indicators(status, id);"
    "CREATE TABLE reports("
    "  id INTEGER PRIMARY KEY,"
    "  indicator_id INTEGER NOT NULL REFERENCES indicators(id),"
    "  reporter_id INTEGER NOT NULL REFERENCES reporters(id),"
    "  source_id INTEGER NOT NULL REFERENCES sources(id),"
    "  channel TEXT NOT NULL, evidence TEXT,"
    "  amount INTEGER NOT NULL DEFAULT 0 CHECK(amount >= 0),"
    "  reported_at INTEGER NOT NULL,"
    "  credit INTEGER NOT NULL CHECK(credit IN (0, 1)),"
    "  contact_nonce BLOB, contact_box BLOB);"
    "CREATE INDEX reports_indicator ON reports(indicator_id, reporter_id);"
    "CREATE INDEX reports_reporter ON reports(reporter_id, indicator_id);"
    "CREATE TABLE listings("
    "  indicator_id INTEGER NOT NULL REFERENCES indicators(id),"
    "  source_id INTEGER NOT NULL REFERENCES sources(id),"
    "  line INTEGER NOT NULL,"
    "  PRIMARY KEY(indicator_id, source_id)) WITHOUT ROWID;"
    "CREATE TABLE events("
    "  id INTEGER PRIMARY KEY,"
    "  indicator_id INTEGER NOT NULL REFERENCES indicators(id),"
    "  at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
    "  from_status INTEGER, to_status INTEGER NOT NULL, reason TEXT,"
    "  report_id INTEGER REFERENCES reports(id));"
    "CREATE INDEX events_indicator ON events(indicator_id, id);"
    "CREATE TABLE changes("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  indicator_id INTEGER NOT NULL REFERENCES indicators(id),"
    "  at INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  status INTEGER NOT NULL CHECK(status BETWEEN 1 AND 7));",
    /* 2: accounts, API keys, sessions, login throttling, settings and the
     * hash-chained audit log (lib/auth, lib/audit; docs/accounts.md).  Written
     * with IF NOT EXISTS / OR IGNORE so that running it twice changes nothing. */
    "CREATE TABLE IF NOT EXISTS orgs("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  kind INTEGER NOT NULL CHECK(kind BETWEEN 1 AND 4),"
    "  demo INTEGER NOT NULL DEFAULT 0 CHECK(demo IN (0, 1)),"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS users("
    "  id INTEGER PRIMARY KEY,"
    "  login TEXT NOT NULL UNIQUE,"
    "  display_name TEXT NOT NULL,"
    "  role INTEGER NOT NULL CHECK(role BETWEEN 2 AND 4),"
    "  org_id INTEGER REFERENCES orgs(id),"
    "  pwhash TEXT NOT NULL,"
    "  demo INTEGER NOT NULL DEFAULT 0 CHECK(demo IN (0, 1)),"
    "  created_at INTEGER NOT NULL,"
    "  disabled_at INTEGER NOT NULL DEFAULT 0,"
    "  password_changed_at INTEGER NOT NULL,"
    "  last_login_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS api_keys("
    "  id INTEGER PRIMARY KEY,"
    "  prefix TEXT NOT NULL UNIQUE,"
    "  hash BLOB NOT NULL CHECK(length(hash) = 32),"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),"
    "  role INTEGER NOT NULL CHECK(role BETWEEN 2 AND 3),"
    "  label TEXT NOT NULL DEFAULT '',"
    "  created_by TEXT NOT NULL,"
    "  demo INTEGER NOT NULL DEFAULT 0 CHECK(demo IN (0, 1)),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL DEFAULT 0,"
    "  revoked_at INTEGER NOT NULL DEFAULT 0,"
    "  last_used_at INTEGER NOT NULL DEFAULT 0,"
    "  uses INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS sessions("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash BLOB NOT NULL UNIQUE CHECK(length(token_hash) = 32),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL, addr TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);"
    "CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at);"
    "CREATE TABLE IF NOT EXISTS login_failures("
    "  scope INTEGER NOT NULL CHECK(scope IN (1, 2)),"
    "  key TEXT NOT NULL,"
    "  failures INTEGER NOT NULL, last_at INTEGER NOT NULL, locked_until INTEGER NOT NULL,"
    "  PRIMARY KEY(scope, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS settings("
    "  key TEXT PRIMARY KEY, value TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
    "  object TEXT NOT NULL, details TEXT NOT NULL,"
    "  prev_hash BLOB NOT NULL, hash BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit_head("
    "  one INTEGER PRIMARY KEY CHECK(one = 1),"
    "  last_id INTEGER NOT NULL, count INTEGER NOT NULL, hash BLOB NOT NULL);"
    "INSERT OR IGNORE INTO audit_head VALUES(1, 0, 0, zeroblob(32));"
    /* Append-only against mistakes (not against someone who can drop a
     * trigger: the chain is what detects that). */
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    /* 3: the fact-check desk (lib/factcheck, docs/claims.md): items (one claim
     * each), the tips clustered into them, fact-checks and their corrections.
     * A published fact-check changes only together with a new correction row;
     * corrections are append-only.  Idempotent like 2. */
    "CREATE TABLE IF NOT EXISTS desk_items("
    "  id INTEGER PRIMARY KEY,"
    "  text TEXT NOT NULL, lang TEXT NOT NULL,"
    "  status INTEGER NOT NULL CHECK(status BETWEEN 1 AND 5),"
    "  assignee TEXT NOT NULL DEFAULT '',"
    "  submissions INTEGER NOT NULL DEFAULT 0 CHECK(submissions >= 0),"
    "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, status_at INTEGER NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX IF NOT EXISTS desk_items_spread ON desk_items(status, submissions, last_seen);"
    "CREATE TABLE IF NOT EXISTS desk_submissions("
    "  id INTEGER PRIMARY KEY,"
    "  item_id INTEGER NOT NULL REFERENCES desk_items(id),"
    "  text TEXT NOT NULL, link TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL,"
    "  lang TEXT NOT NULL, forwarded INTEGER NOT NULL DEFAULT 0 CHECK(forwarded IN (0, 1)),"
    "  score REAL NOT NULL DEFAULT 0, at INTEGER NOT NULL,"
    "  contact_nonce BLOB, contact_box BLOB);"
    "CREATE INDEX IF NOT EXISTS desk_submissions_item ON desk_submissions(item_id, id);"
    "CREATE INDEX IF NOT EXISTS desk_submissions_link ON desk_submissions(link) WHERE link <> '';"
    "CREATE TABLE IF NOT EXISTS factchecks("
    "  id INTEGER PRIMARY KEY,"
    "  item_id INTEGER NOT NULL UNIQUE REFERENCES desk_items(id),"
    "  status INTEGER NOT NULL CHECK(status IN (1, 2)),"
    "  claim TEXT NOT NULL, lang TEXT NOT NULL, headline TEXT NOT NULL DEFAULT '',"
    "  verdict INTEGER NOT NULL DEFAULT 0 CHECK(verdict BETWEEN 0 AND 5),"
    "  explanation TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',"
    "  evidence TEXT NOT NULL DEFAULT '[]',"
    "  claim_author TEXT NOT NULL DEFAULT '', claim_date TEXT NOT NULL DEFAULT '',"
    "  appearance TEXT NOT NULL DEFAULT '',"
    "  author TEXT NOT NULL, publisher TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  published_at INTEGER NOT NULL DEFAULT 0,"
    "  corrections INTEGER NOT NULL DEFAULT 0 CHECK(corrections >= 0),"
    "  CHECK(status = 1 OR verdict > 0));"
    "CREATE INDEX IF NOT EXISTS factchecks_published ON factchecks(status, published_at);"
    "CREATE TABLE IF NOT EXISTS factcheck_corrections("
    "  id INTEGER PRIMARY KEY,"
    "  factcheck_id INTEGER NOT NULL REFERENCES factchecks(id),"
    "  seq INTEGER NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,"
    "  fields TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL,"
    "  UNIQUE(factcheck_id, seq));"
    "CREATE TRIGGER IF NOT EXISTS factchecks_published_fixed BEFORE UPDATE ON factchecks "
    "WHEN OLD.status = 2 AND NOT (NEW.status = 2 AND NEW.corrections = OLD.corrections + 1 "
    "AND EXISTS(SELECT 1 FROM factcheck_corrections c WHERE c.factcheck_id = OLD.id "
    "AND c.seq = NEW.corrections)) "
    "BEGIN SELECT RAISE(ABORT, 'a published fact-check changes only by a recorded correction'); "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS factchecks_published_kept BEFORE DELETE ON factchecks "
    "WHEN OLD.status = 2 "
    "BEGIN SELECT RAISE(ABORT, 'a published fact-check is never deleted'); END;"
    "CREATE TRIGGER IF NOT EXISTS factcheck_corrections_no_update BEFORE UPDATE ON "
    "factcheck_corrections "
    "BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS factcheck_corrections_no_delete BEFORE DELETE ON "
    "factcheck_corrections "
    "BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* ---- prepared statements ---------------------------------------------------------- */

#define IND_COLS                                                                                   \
    "id, type, value, status, first_seen, last_seen, status_at, status_by, "                       \
    "IFNULL(source_id, 0), n_reports, n_reporters, score_e, score_at, resolution"

enum stmt {
    S_META_GET,
    S_META_SET,
    S_REPORTER_GET,
    S_REPORTER_ADD,
    S_REPORTER_ADJUST,
    S_SOURCE_GET,
    S_SOURCE_ADD,
    S_SOURCE_LIST,
    S_IND_FIND,
    S_IND_GET,
    S_IND_INSERT,
    S_IND_UPDATE,
    S_IND_LIST,
    S_IND_LIST_STATUS,
    S_IND_STALE,
    S_REPORT_INSERT,
    S_REPORT_LIST,
    S_REPORT_CONTACT,
    S_REPORTER_STATS,
    S_CREDITED,
    S_REPORTER_INDS,
    S_LISTING_ADD,
    S_EVENT_ADD,
    S_EVENT_LIST,
    S_CHANGE_ADD,
    S_CHANGE_LIST,
    S__COUNT
};

static const char *const sql[S__COUNT] = {
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [S_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [S_REPORTER_GET] = "SELECT id FROM reporters WHERE name = ?1 AND kind = ?2",
    [S_REPORTER_ADD] = "INSERT INTO reporters(name, kind, created_at) VALUES(?1, ?2, ?3)",
    [S_REPORTER_ADJUST] = "UPDATE reporters SET confirmed = confirmed + ?2, "
                          "rejected = rejected + ?3 WHERE id = ?1",
    [S_SOURCE_GET] = "SELECT id FROM sources WHERE kind = ?1 AND name = ?2",
    [S_SOURCE_ADD] = "INSERT INTO sources(kind, name, file, licence, created_at) "
                     "VALUES(?1, ?2, ?3, ?4, ?5)",
    [S_SOURCE_LIST] = "SELECT id, kind, name, file, licence, created_at FROM sources ORDER BY id",
    [S_IND_FIND] = "SELECT " IND_COLS " FROM indicators WHERE type = ?1 AND value = ?2",
    [S_IND_GET] = "SELECT " IND_COLS " FROM indicators WHERE id = ?1",
    [S_IND_INSERT] = "INSERT INTO indicators(type, value, status, first_seen, last_seen, "
                     "status_at, status_by, source_id, n_reports, n_reporters, score_e, "
                     "score_at, resolution) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, NULLIF(?8, 0), ?9, ?10, ?11, ?12, ?13)",
    [S_IND_UPDATE] = "UPDATE indicators SET status = ?2, first_seen = ?3, last_seen = ?4, "
                     "status_at = ?5, status_by = ?6, source_id = NULLIF(?7, 0), "
                     "n_reports = ?8, n_reporters = ?9, score_e = ?10, score_at = ?11, "
                     "resolution = ?12 WHERE id = ?1",
    [S_IND_LIST] = "SELECT " IND_COLS " FROM indicators WHERE id > ?1 ORDER BY id LIMIT ?2",
    [S_IND_LIST_STATUS] = "SELECT " IND_COLS " FROM indicators WHERE status = ?3 AND id > ?1 "
                          "ORDER BY id LIMIT ?2",
    [S_IND_STALE] = "SELECT id FROM indicators WHERE status IN (1, 3) "
                    "AND max(last_seen, status_at) < ?1 ORDER BY id",
    [S_REPORT_INSERT] = "INSERT INTO reports(indicator_id, reporter_id, source_id, channel, "
                        "evidence, amount, reported_at, credit, contact_nonce, contact_box) "
                        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_REPORT_LIST] = "SELECT r.id, r.indicator_id, p.name, p.kind, r.channel, r.evidence, "
                      "r.amount, r.reported_at, r.contact_box IS NOT NULL "
                      "FROM reports r JOIN reporters p ON p.id = r.reporter_id "
                      "WHERE r.indicator_id = ?1 ORDER BY r.id",
    [S_REPORT_CONTACT] = "SELECT contact_nonce, contact_box FROM reports WHERE id = ?1",
    [S_REPORTER_STATS] = "SELECT p.id, p.kind, p.confirmed, p.rejected, max(r.reported_at), "
                         "count(*) FROM reports r JOIN reporters p ON p.id = r.reporter_id "
                         "WHERE r.indicator_id = ?1 GROUP BY p.id ORDER BY p.id",
    [S_CREDITED] = "SELECT DISTINCT reporter_id FROM reports WHERE indicator_id = ?1 "
                   "AND credit = 1 ORDER BY reporter_id",
    [S_REPORTER_INDS] = "SELECT DISTINCT indicator_id FROM reports WHERE reporter_id = ?1 "
                        "ORDER BY indicator_id",
    [S_LISTING_ADD] = "INSERT OR IGNORE INTO listings(indicator_id, source_id, line) "
                      "VALUES(?1, ?2, ?3)",
    [S_EVENT_ADD] = "INSERT INTO events(indicator_id, at, actor, action, from_status, "
                    "to_status, reason, report_id) "
                    "VALUES(?1, ?2, ?3, ?4, NULLIF(?5, 0), ?6, ?7, NULLIF(?8, 0))",
    [S_EVENT_LIST] = "SELECT id, indicator_id, at, actor, action, IFNULL(from_status, 0), "
                     "to_status, IFNULL(reason, '') FROM events WHERE indicator_id = ?1 "
                     "ORDER BY id",
    [S_CHANGE_ADD] = "INSERT INTO changes(indicator_id, at, kind, status) VALUES(?1, ?2, ?3, ?4)",
    [S_CHANGE_LIST] = "SELECT c.seq, c.at, c.indicator_id, i.type, i.value, c.kind, c.status "
                      "FROM changes c JOIN indicators i ON i.id = c.indicator_id "
                      "WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2",
};

typedef struct sdb {
    sqlite3 *db;
    sqlite3_stmt *st[S__COUNT];
    sqlite3_stmt **acct; /* the accounts and audit statements (sqlite_accounts.c) */
    sqlite3_stmt **desk; /* the fact-check desk's statements (sqlite_desk.c) */
    int in_tx;
} sdb;

/* Map an SQLite result to nt_err with a message naming what failed. */
static nt_err fail_db(sdb *s, nt_diag *diag, int rc, const char *what)
{
    int prim = rc & 0xff;
    const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    if (prim == SQLITE_NOMEM)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "%s: out of memory", what);
    if (prim == SQLITE_CONSTRAINT)
        return nt__fail(diag, NT_ERR_INVALID, 0, "%s: %s", what, msg);
    if (prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT)
        return nt__fail(diag, NT_ERR_IO, 0,
                        "%s: the database file is corrupt or not a NiemTin "
                        "database (%s)",
                        what, msg);
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return nt__fail(diag, NT_ERR_IO, 0, "%s: the database is busy (%s)", what, msg);
    return nt__fail(diag, NT_ERR_IO, 0, "%s: %s", what, msg);
}

static sqlite3_stmt *stmt(sdb *s, enum stmt k)
{
    sqlite3_stmt *st = s->st[k];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* Run a statement that returns no rows. */
static nt_err run(sdb *s, sqlite3_stmt *st, nt_diag *diag, const char *what)
{
    int rc = sqlite3_step(st);
    nt_err e = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? NT_OK : fail_db(s, diag, rc, what);
    sqlite3_reset(st);
    return e;
}

static nt_err exec(sdb *s, const char *q, nt_diag *diag, const char *what)
{
    int rc = sqlite3_exec(s->db, q, NULL, NULL, NULL);
    return rc == SQLITE_OK ? NT_OK : fail_db(s, diag, rc, what);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    int n = sqlite3_column_bytes(st, i);
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, t, (size_t)n);
    p[n] = '\0';
    return p;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* ---- shared with sqlite_accounts.c (sqlite_int.h) ----------------------------------- */

sqlite3 *nt__sq_db(void *db)
{
    return ((sdb *)db)->db;
}

sqlite3_stmt *nt__sq_acct_stmt(void *db, int k)
{
    sqlite3_stmt *st = ((sdb *)db)->acct[k];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

sqlite3_stmt *nt__sq_desk_stmt(void *db, int k)
{
    sqlite3_stmt *st = ((sdb *)db)->desk[k];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

nt_err nt__sq_fail(void *db, nt_diag *diag, int rc, const char *what)
{
    return fail_db(db, diag, rc, what);
}

nt_err nt__sq_run(void *db, sqlite3_stmt *st, nt_diag *diag, const char *what)
{
    return run(db, st, diag, what);
}

const char *nt__sq_text(sqlite3_stmt *st, int i)
{
    return col_text(st, i);
}

nt_err nt__sq_exec(void *db, const char *q, nt_diag *diag, const char *what)
{
    return exec(db, q, diag, what);
}

/* ---- open and migrate ------------------------------------------------------------- */

static nt_err read_version(sdb *s, int *version, nt_diag *diag)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                "AND name = 'schema_version'",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return fail_db(s, diag, rc, "reading the schema");
    rc = sqlite3_step(st);
    int have = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return fail_db(s, diag, rc, "reading the schema");
    *version = 0;
    if (!have)
        return NT_OK;
    rc = sqlite3_prepare_v2(s->db, "SELECT version FROM schema_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return fail_db(s, diag, rc, "reading the schema version");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail_db(s, diag, rc, "reading the schema version");
    return NT_OK;
}

/* Apply migrations version+1 .. N, each in one transaction.  Another process
 * may be migrating at the same time: the version is re-read under the write
 * lock. */
static nt_err migrate(sdb *s, int *version, nt_diag *diag)
{
    nt_err e = read_version(s, version, diag);
    if (e)
        return e;
    if (*version > N_MIGRATIONS)
        return nt__fail(diag, NT_ERR_UNSUPPORTED, 0,
                        "the database has schema version %d but this NiemTin knows only up to "
                        "%d: use a newer NiemTin",
                        *version, N_MIGRATIONS);
    while (*version < N_MIGRATIONS) {
        if ((e = exec(s, "BEGIN IMMEDIATE", diag, "migrating the schema")))
            return e;
        if ((e = read_version(s, version, diag)))
            goto fail;
        if (*version >= N_MIGRATIONS) {
            exec(s, "COMMIT", NULL, "");
            break;
        }
        if (*version == 0 && (e = exec(s,
                                       "CREATE TABLE schema_version(version INTEGER NOT NULL);"
                                       "INSERT INTO schema_version VALUES(0)",
                                       diag, "creating the schema")))
            goto fail;
        if ((e = exec(s, migrations[*version], diag, "migrating the schema")))
            goto fail;
        char q[64];
        snprintf(q, sizeof q, "UPDATE schema_version SET version = %d", *version + 1);
        if ((e = exec(s, q, diag, "migrating the schema")))
            goto fail;
        if ((e = exec(s, "COMMIT", diag, "migrating the schema")))
            goto fail;
        (*version)++;
    }
    return NT_OK;
fail:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return e;
}

static void sq_close(void *db)
{
    sdb *s = db;
    if (!s)
        return;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    for (int i = 0; s->acct && i < nt__sq_acct_count; i++)
        sqlite3_finalize(s->acct[i]);
    free(s->acct);
    for (int i = 0; s->desk && i < nt__sq_desk_count; i++)
        sqlite3_finalize(s->desk[i]);
    free(s->desk);
    sqlite3_close(s->db);
    free(s);
}

static nt_err sq_open(const nt_store_config *cfg, void **out, int *version, nt_diag *diag)
{
    nt_err e = NT_OK;
    sdb *s = calloc(1, sizeof *s);
    if (!s)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    int rc = sqlite3_open_v2(
        cfg->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        e = nt__fail(diag, NT_ERR_IO, 0, "cannot open the database %s: %s", cfg->path,
                     s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : 5000);
    /* journal_mode is the first statement that reads the file: a file that is
     * not a database fails here, before anything is written. */
    if ((e = exec(s, "PRAGMA journal_mode = WAL", diag, "opening the database")) ||
        (e = exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;", diag,
                  "opening the database")))
        goto fail;
    if ((e = migrate(s, version, diag)))
        goto fail;
    for (int i = 0; i < S__COUNT; i++) {
        rc = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (rc != SQLITE_OK) {
            e = fail_db(s, diag, rc, "preparing statements");
            goto fail;
        }
    }
    if (!(s->acct = calloc((size_t)nt__sq_acct_count, sizeof *s->acct))) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto fail;
    }
    for (int i = 0; i < nt__sq_acct_count; i++) {
        rc = sqlite3_prepare_v3(s->db, nt__sq_acct_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &s->acct[i], NULL);
        if (rc != SQLITE_OK) {
            e = fail_db(s, diag, rc, "preparing statements");
            goto fail;
        }
    }
    if (!(s->desk = calloc((size_t)nt__sq_desk_count, sizeof *s->desk))) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto fail;
    }
    for (int i = 0; i < nt__sq_desk_count; i++) {
        rc = sqlite3_prepare_v3(s->db, nt__sq_desk_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &s->desk[i], NULL);
        if (rc != SQLITE_OK) {
            e = fail_db(s, diag, rc, "preparing statements");
            goto fail;
        }
    }
    *out = s;
    return NT_OK;
fail:
    sq_close(s);
    return e;
}

static nt_err sq_begin(void *db, nt_diag *diag)
{
    sdb *s = db;
    nt_err e = exec(s, "BEGIN IMMEDIATE", diag, "starting a transaction");
    if (!e)
        s->in_tx = 1;
    return e;
}

static nt_err sq_commit(void *db, nt_diag *diag)
{
    sdb *s = db;
    nt_err e = exec(s, "COMMIT", diag, "committing");
    if (e) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    s->in_tx = 0;
    return e;
}

static void sq_rollback(void *db)
{
    sdb *s = db;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_reset(s->st[i]);
    for (int i = 0; i < nt__sq_acct_count; i++)
        sqlite3_reset(s->acct[i]);
    for (int i = 0; i < nt__sq_desk_count; i++)
        sqlite3_reset(s->desk[i]);
    if (s->in_tx)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = 0;
}

/* ---- meta, reporters, sources ------------------------------------------------------ */

static nt_err sq_meta_get(void *db, const char *key, char **value, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_META_GET);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    nt_err e = NT_OK;
    *value = NULL;
    if (rc == SQLITE_ROW) {
        if (!(*value = col_dup(st, 0)))
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    } else if (rc == SQLITE_DONE) {
        e = NT_ERR_NOT_FOUND;
    } else {
        e = fail_db(s, diag, rc, "reading settings");
    }
    sqlite3_reset(st);
    return e;
}

static nt_err sq_meta_set(void *db, const char *key, const char *value, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_META_SET);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return run(s, st, diag, "writing settings");
}

static nt_err sq_reporter_id(void *db, const char *name, nt_source_kind kind, int64_t now,
                             int64_t *id, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_REPORTER_GET);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)kind);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return NT_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail_db(s, diag, rc, "reading reporters");
    st = stmt(s, S_REPORTER_ADD);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)kind);
    sqlite3_bind_int64(st, 3, now);
    nt_err e = run(s, st, diag, "adding a reporter");
    if (!e)
        *id = sqlite3_last_insert_rowid(s->db);
    return e;
}

static nt_err sq_reporter_adjust(void *db, int64_t id, int dc, int dr, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_REPORTER_ADJUST);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, dc);
    sqlite3_bind_int(st, 3, dr);
    return run(s, st, diag, "updating a reporter's track record");
}

static nt_err sq_source_add(void *db, nt_source_kind kind, const char *name, const char *file,
                            const char *licence, int64_t now, int64_t *id, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_SOURCE_ADD);
    sqlite3_bind_int(st, 1, (int)kind);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, licence, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    nt_err e = run(s, st, diag, "adding a source");
    if (!e)
        *id = sqlite3_last_insert_rowid(s->db);
    return e;
}

static nt_err sq_source_named(void *db, nt_source_kind kind, const char *name, int64_t now,
                              int64_t *id, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_SOURCE_GET);
    sqlite3_bind_int(st, 1, (int)kind);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return NT_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail_db(s, diag, rc, "reading sources");
    return sq_source_add(db, kind, name, NULL, NULL, now, id, diag);
}

static nt_err sq_source_list(void *db, nt_store_source_fn fn, void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_SOURCE_LIST);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nt_store_source src = {.id = sqlite3_column_int64(st, 0),
                               .kind = (nt_source_kind)sqlite3_column_int(st, 1),
                               .name = col_text(st, 2),
                               .file = col_text(st, 3),
                               .licence = col_text(st, 4),
                               .created_at = sqlite3_column_int64(st, 5)};
        if (fn(ctx, &src)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NT_OK : fail_db(s, diag, rc, "reading sources");
}

/* ---- indicators ---------------------------------------------------------------------- */

/* Fill row from the IND_COLS of the current result; borrowed strings when
 * copy is 0, malloc'd when 1. */
static nt_err read_ind(sqlite3_stmt *st, nt__ind_row *row, int copy, nt_diag *diag)
{
    memset(row, 0, sizeof *row);
    nt_store_indicator *p = &row->pub;
    p->id = sqlite3_column_int64(st, 0);
    p->type = (nt_ind_type)sqlite3_column_int(st, 1);
    p->status = (nt_status)sqlite3_column_int(st, 3);
    p->first_seen = sqlite3_column_int64(st, 4);
    p->last_seen = sqlite3_column_int64(st, 5);
    p->status_at = sqlite3_column_int64(st, 6);
    p->source_id = sqlite3_column_int64(st, 8);
    p->n_reports = (uint32_t)sqlite3_column_int64(st, 9);
    p->n_reporters = (uint32_t)sqlite3_column_int64(st, 10);
    p->score_e = sqlite3_column_double(st, 11);
    p->score_at = sqlite3_column_int64(st, 12);
    row->resolution = sqlite3_column_int(st, 13);
    if (!copy) {
        p->value = col_text(st, 2);
        p->status_by = col_text(st, 7);
        return NT_OK;
    }
    char *v = col_dup(st, 2), *b = col_dup(st, 7);
    if (!v || !b) {
        free(v);
        free(b);
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    }
    p->value = v;
    p->status_by = b;
    return NT_OK;
}

static nt_err one_ind(sdb *s, sqlite3_stmt *st, nt__ind_row *out, nt_diag *diag)
{
    int rc = sqlite3_step(st);
    nt_err e;
    if (rc == SQLITE_ROW)
        e = read_ind(st, out, 1, diag);
    else if (rc == SQLITE_DONE)
        e = NT_ERR_NOT_FOUND;
    else
        e = fail_db(s, diag, rc, "reading an indicator");
    sqlite3_reset(st);
    return e;
}

static nt_err sq_ind_find(void *db, nt_ind_type type, const char *value, nt__ind_row *out,
                          nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_IND_FIND);
    sqlite3_bind_int(st, 1, (int)type);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return one_ind(s, st, out, diag);
}

static nt_err sq_ind_get(void *db, int64_t id, nt__ind_row *out, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_IND_GET);
    sqlite3_bind_int64(st, 1, id);
    return one_ind(s, st, out, diag);
}

static nt_err sq_ind_insert(void *db, nt__ind_row *row, nt_diag *diag)
{
    sdb *s = db;
    const nt_store_indicator *p = &row->pub;
    sqlite3_stmt *st = stmt(s, S_IND_INSERT);
    sqlite3_bind_int(st, 1, (int)p->type);
    sqlite3_bind_text(st, 2, p->value, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)p->status);
    sqlite3_bind_int64(st, 4, p->first_seen);
    sqlite3_bind_int64(st, 5, p->last_seen);
    sqlite3_bind_int64(st, 6, p->status_at);
    sqlite3_bind_text(st, 7, p->status_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, p->source_id);
    sqlite3_bind_int64(st, 9, p->n_reports);
    sqlite3_bind_int64(st, 10, p->n_reporters);
    sqlite3_bind_double(st, 11, p->score_e);
    sqlite3_bind_int64(st, 12, p->score_at);
    sqlite3_bind_int(st, 13, row->resolution);
    nt_err e = run(s, st, diag, "adding an indicator");
    if (!e)
        row->pub.id = sqlite3_last_insert_rowid(s->db);
    return e;
}

static nt_err sq_ind_update(void *db, const nt__ind_row *row, nt_diag *diag)
{
    sdb *s = db;
    const nt_store_indicator *p = &row->pub;
    sqlite3_stmt *st = stmt(s, S_IND_UPDATE);
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int(st, 2, (int)p->status);
    sqlite3_bind_int64(st, 3, p->first_seen);
    sqlite3_bind_int64(st, 4, p->last_seen);
    sqlite3_bind_int64(st, 5, p->status_at);
    sqlite3_bind_text(st, 6, p->status_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, p->source_id);
    sqlite3_bind_int64(st, 8, p->n_reports);
    sqlite3_bind_int64(st, 9, p->n_reporters);
    sqlite3_bind_double(st, 10, p->score_e);
    sqlite3_bind_int64(st, 11, p->score_at);
    sqlite3_bind_int(st, 12, row->resolution);
    return run(s, st, diag, "updating an indicator");
}

static nt_err sq_ind_list(void *db, nt_status status, int64_t after_id, size_t limit, nt__row_fn fn,
                          void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, status ? S_IND_LIST_STATUS : S_IND_LIST);
    sqlite3_bind_int64(st, 1, after_id);
    sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
    if (status)
        sqlite3_bind_int(st, 3, (int)status);
    int rc;
    nt__ind_row row;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_ind(st, &row, 0, NULL);
        if (fn(ctx, &row)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NT_OK : fail_db(s, diag, rc, "listing indicators");
}

static nt_err id_loop(sdb *s, sqlite3_stmt *st, nt__id_fn fn, void *ctx, nt_diag *diag,
                      const char *what)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, sqlite3_column_int64(st, 0))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NT_OK : fail_db(s, diag, rc, what);
}

static nt_err sq_ind_stale(void *db, int64_t cutoff, nt__id_fn fn, void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_IND_STALE);
    sqlite3_bind_int64(st, 1, cutoff);
    return id_loop(s, st, fn, ctx, diag, "finding stale indicators");
}

/* ---- reports ----------------------------------------------------------------------------- */

static nt_err sq_report_insert(void *db, const nt__report_row *r, int64_t *id, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_REPORT_INSERT);
    sqlite3_bind_int64(st, 1, r->indicator_id);
    sqlite3_bind_int64(st, 2, r->reporter_id);
    sqlite3_bind_int64(st, 3, r->source_id);
    sqlite3_bind_text(st, 4, r->channel, -1, SQLITE_STATIC);
    if (r->evidence)
        sqlite3_bind_text(st, 5, r->evidence, (int)r->evidence_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, r->amount);
    sqlite3_bind_int64(st, 7, r->reported_at);
    sqlite3_bind_int(st, 8, r->credit);
    if (r->box) {
        sqlite3_bind_blob(st, 9, r->nonce, (int)r->nonce_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 10, r->box, (int)r->box_len, SQLITE_STATIC);
    }
    nt_err e = run(s, st, diag, "adding a report");
    if (!e)
        *id = sqlite3_last_insert_rowid(s->db);
    return e;
}

static nt_err sq_report_list(void *db, int64_t ind, nt_store_report_fn fn, void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_REPORT_LIST);
    sqlite3_bind_int64(st, 1, ind);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nt_store_report r = {.id = sqlite3_column_int64(st, 0),
                             .indicator_id = sqlite3_column_int64(st, 1),
                             .reporter = col_text(st, 2),
                             .reporter_kind = (nt_source_kind)sqlite3_column_int(st, 3),
                             .channel = col_text(st, 4),
                             .evidence = col_text(st, 5),
                             .amount = sqlite3_column_int64(st, 6),
                             .reported_at = sqlite3_column_int64(st, 7),
                             .has_contact = sqlite3_column_int(st, 8)};
        if (fn(ctx, &r)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NT_OK : fail_db(s, diag, rc, "listing reports");
}

static unsigned char *blob_dup(sqlite3_stmt *st, int i, size_t *n)
{
    *n = (size_t)sqlite3_column_bytes(st, i);
    const void *b = sqlite3_column_blob(st, i);
    if (!b)
        return NULL;
    unsigned char *p = malloc(*n ? *n : 1);
    if (p)
        memcpy(p, b, *n);
    return p;
}

static nt_err sq_report_contact(void *db, int64_t id, unsigned char **nonce, size_t *nonce_len,
                                unsigned char **box, size_t *box_len, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_REPORT_CONTACT);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    nt_err e = NT_OK;
    *nonce = *box = NULL;
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            *nonce = blob_dup(st, 0, nonce_len);
            *box = blob_dup(st, 1, box_len);
            if (!*nonce || !*box) {
                free(*nonce);
                free(*box);
                *nonce = *box = NULL;
                e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            }
        }
    } else if (rc == SQLITE_DONE) {
        e = nt__fail(diag, NT_ERR_NOT_FOUND, 0, "no report %lld", (long long)id);
    } else {
        e = fail_db(s, diag, rc, "reading a report");
    }
    sqlite3_reset(st);
    return e;
}

static nt_err sq_reporter_stats(void *db, int64_t ind, nt__stat_fn fn, void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_REPORTER_STATS);
    sqlite3_bind_int64(st, 1, ind);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nt__reporter_stat r = {.reporter_id = sqlite3_column_int64(st, 0),
                               .kind = (nt_source_kind)sqlite3_column_int(st, 1),
                               .confirmed = (uint32_t)sqlite3_column_int64(st, 2),
                               .rejected = (uint32_t)sqlite3_column_int64(st, 3),
                               .last_at = sqlite3_column_int64(st, 4),
                               .reports = (uint32_t)sqlite3_column_int64(st, 5)};
        if (fn(ctx, &r)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NT_OK : fail_db(s, diag, rc, "reading reporters");
}

static nt_err sq_credited(void *db, int64_t ind, nt__id_fn fn, void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_CREDITED);
    sqlite3_bind_int64(st, 1, ind);
    return id_loop(s, st, fn, ctx, diag, "reading reporters");
}

static nt_err sq_reporter_inds(void *db, int64_t rep, nt__id_fn fn, void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_REPORTER_INDS);
    sqlite3_bind_int64(st, 1, rep);
    return id_loop(s, st, fn, ctx, diag, "reading a reporter's reports");
}

/* ---- listings, events, changes ------------------------------------------------------------ */

static nt_err sq_listing_add(void *db, int64_t ind, int64_t src, unsigned line, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_LISTING_ADD);
    sqlite3_bind_int64(st, 1, ind);
    sqlite3_bind_int64(st, 2, src);
    sqlite3_bind_int64(st, 3, line);
    return run(s, st, diag, "recording a listing");
}

static nt_err sq_event_add(void *db, const nt_store_event *ev, int64_t report_id, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_EVENT_ADD);
    sqlite3_bind_int64(st, 1, ev->indicator_id);
    sqlite3_bind_int64(st, 2, ev->at);
    sqlite3_bind_text(st, 3, ev->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ev->action, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, (int)ev->from);
    sqlite3_bind_int(st, 6, (int)ev->to);
    if (ev->reason)
        sqlite3_bind_text(st, 7, ev->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, report_id);
    return run(s, st, diag, "recording an event");
}

static nt_err sq_event_list(void *db, int64_t ind, nt_store_event_fn fn, void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_EVENT_LIST);
    sqlite3_bind_int64(st, 1, ind);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nt_store_event ev = {.id = sqlite3_column_int64(st, 0),
                             .indicator_id = sqlite3_column_int64(st, 1),
                             .at = sqlite3_column_int64(st, 2),
                             .actor = col_text(st, 3),
                             .action = col_text(st, 4),
                             .from = (nt_status)sqlite3_column_int(st, 5),
                             .to = (nt_status)sqlite3_column_int(st, 6),
                             .reason = col_text(st, 7)};
        if (fn(ctx, &ev)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NT_OK : fail_db(s, diag, rc, "reading the history");
}

static nt_err sq_change_add(void *db, int64_t ind, int64_t at, const char *kind, nt_status status,
                            nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_CHANGE_ADD);
    sqlite3_bind_int64(st, 1, ind);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, (int)status);
    return run(s, st, diag, "appending to the feed");
}

static nt_err sq_change_list(void *db, int64_t since, size_t limit, nt_store_change_fn fn,
                             void *ctx, nt_diag *diag)
{
    sdb *s = db;
    sqlite3_stmt *st = stmt(s, S_CHANGE_LIST);
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nt_store_change c = {.seq = sqlite3_column_int64(st, 0),
                             .at = sqlite3_column_int64(st, 1),
                             .indicator_id = sqlite3_column_int64(st, 2),
                             .type = (nt_ind_type)sqlite3_column_int(st, 3),
                             .value = col_text(st, 4),
                             .kind = col_text(st, 5),
                             .status = (nt_status)sqlite3_column_int(st, 6)};
        if (fn(ctx, &c)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NT_OK : fail_db(s, diag, rc, "reading the feed");
}

const nt__store_ops nt__sqlite_store_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .reporter_id = sq_reporter_id,
    .reporter_adjust = sq_reporter_adjust,
    .source_named = sq_source_named,
    .source_add = sq_source_add,
    .source_list = sq_source_list,
    .ind_find = sq_ind_find,
    .ind_get = sq_ind_get,
    .ind_insert = sq_ind_insert,
    .ind_update = sq_ind_update,
    .ind_list = sq_ind_list,
    .ind_stale = sq_ind_stale,
    .report_insert = sq_report_insert,
    .report_list = sq_report_list,
    .report_contact = sq_report_contact,
    .reporter_stats = sq_reporter_stats,
    .credited_reporters = sq_credited,
    .reporter_indicators = sq_reporter_inds,
    .listing_add = sq_listing_add,
    .event_add = sq_event_add,
    .event_list = sq_event_list,
    .change_add = sq_change_add,
    .change_list = sq_change_list,
};
