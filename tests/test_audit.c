/*
 * tests/test_audit.c - the hash-chained audit log (lib/audit): registry
 * writes and account changes append entries in the same transaction as the
 * change (a failure injected after the change keeps neither), two writers
 * interleave into one chain, and every kind of tampering done directly with
 * SQLite - an edit, an edit with the hash recomputed, a deleted entry in the
 * middle or at the end, two entries swapped, the head edited or deleted - is
 * found by nt_audit_verify, which names the first broken entry.  Also what a
 * chain cannot see on its own (a consistent rewrite of its end) and how an
 * anchor recorded elsewhere catches it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "niemtin/niemtin.h"
#include "testutil.h"

#define T0 1767225600LL /* 2026-01-01 */
#define DAY 86400LL

typedef struct fx {
    char dir[256];
    char path[300];
    int64_t now;
    nt_banks *banks;
    nt_store *st;
    nt_auth *auth;
} fx;

static int64_t fx_clock(void *ctx)
{
    return ((fx *)ctx)->now;
}

static void fx_open(fx *f)
{
    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = f->path;
    cfg.banks = f->banks;
    cfg.clock = fx_clock;
    cfg.clock_ctx = f;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_store_open(&cfg, &f->st, &d);
    if (rc)
        fprintf(stderr, "open: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
    nt_auth_config ac;
    nt_auth_config_init(&ac);
    ac.path = f->path;
    ac.pw_opslimit = NT_PWHASH_TEST_OPSLIMIT;
    ac.pw_memlimit = NT_PWHASH_TEST_MEMLIMIT;
    ac.cache_ms = NT_AUTH_CACHE_ALWAYS;
    ac.clock = fx_clock;
    ac.clock_ctx = f;
    rc = nt_auth_open(&ac, &f->auth, &d);
    if (rc)
        fprintf(stderr, "auth open: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
}

static void fx_close(fx *f)
{
    nt_auth_close(f->auth);
    nt_store_close(f->st);
    f->auth = NULL;
    f->st = NULL;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/nt_audit_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/reg.db", f->dir);
    f->now = T0;
    assert_int_equal(nt_banks_load(tu_data_path("banks.tsv"), &f->banks, NULL), NT_OK);
    fx_open(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    fx_close(f);
    nt_banks_free(f->banks);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* ---- helpers --------------------------------------------------------------------------- */

static int sql_exec(const char *path, const char *q, char *err_out, size_t n)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *err = NULL;
    int rc = sqlite3_exec(db, q, NULL, NULL, &err);
    if (err_out)
        snprintf(err_out, n, "%s", err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}

static void raw_sql(const char *path, const char *q)
{
    char err[256];
    int rc = sql_exec(path, q, err, sizeof err);
    if (rc)
        fprintf(stderr, "sql: %s: %s\n", q, err);
    assert_int_equal(rc, SQLITE_OK);
}

static long long sql_int(const char *path, const char *q)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Take the append-only triggers away, as someone with the file could. */
static void drop_guards(fx *f)
{
    raw_sql(f->path, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; "
                     "DROP TRIGGER audit_head_no_delete;");
}

static int64_t report(fx *f, const char *value, const char *actor)
{
    nt_report_in in = {.type = NT_IND_PHONE,
                       .value = value,
                       .value_len = strlen(value),
                       .reporter = "an",
                       .channel = "sms",
                       .evidence = "Chuyển tiền ngay",
                       .evidence_len = strlen("Chuyển tiền ngay"),
                       .actor = actor};
    int64_t rid = 0, iid = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_store_report_add(f->st, &in, &rid, &iid, &d);
    if (rc)
        fprintf(stderr, "report: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
    return iid;
}

static nt_audit_verdict verify(fx *f)
{
    nt_audit_verdict v;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_audit_verify(f->st, NULL, 0, &v, &d);
    if (rc)
        fprintf(stderr, "verify: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
    return v;
}

static void expect_problem(fx *f, nt_audit_problem p, int64_t bad_id, const char *words)
{
    nt_audit_verdict v = verify(f);
    if (v.problem != p || v.bad_id != bad_id || (words && !strstr(v.message, words)))
        fprintf(stderr, "verdict: %s at %lld: %s\n", nt_audit_problem_name(v.problem),
                (long long)v.bad_id, v.message);
    assert_int_equal(v.problem, p);
    assert_int_equal(v.bad_id, bad_id);
    if (words)
        assert_non_null(strstr(v.message, words));
}

/* Five entries of different kinds: three reports, a decision, an account. */
static void five_entries(fx *f)
{
    int64_t a = report(f, "0912345001", NULL);
    report(f, "0912345002", "nt_live_AbCdEfGh");
    report(f, "0912345003", "lan");
    assert_int_equal(
        nt_store_transition(f->st, a, NT_ACTION_CONFIRM, "lan", "bank confirmed", NULL), NT_OK);
    nt_principal sys;
    nt_principal_system(&sys);
    assert_int_equal(nt_auth_org_add(f->auth, &sys, "Ngân hàng A", NT_ORG_BANK, NULL, NULL), NT_OK);
    assert_int_equal(verify(f).problem, NT_AUDIT_INTACT);
    assert_int_equal(verify(f).entries, 5);
}

typedef struct collected {
    char lines[32][400];
    size_t n;
} collected;

static int collect(void *ctx, const nt_audit_entry *e)
{
    collected *c = ctx;
    if (c->n < 32)
        snprintf(c->lines[c->n++], 400, "%lld %s %s %s %s", (long long)e->id, e->actor, e->action,
                 e->object, e->details);
    return 0;
}

/* ---- what gets written ----------------------------------------------------------------------- */

static void test_registry_writes_are_audited(void **state)
{
    fx *f = *state;
    int64_t a = report(f, "0912 345 678", NULL);
    report(f, "0912345678", "nt_live_AbCdEfGh");
    f->now += DAY;
    assert_int_equal(nt_store_transition(f->st, a, NT_ACTION_REVIEW, "lan", "checking", NULL),
                     NT_OK);
    assert_int_equal(
        nt_store_transition(f->st, a, NT_ACTION_REJECT, "lan", "it's the bank's real number", NULL),
        NT_OK);
    const char *list = "evil-shop.vn\nhttp://phish.example/login\n";
    nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = "cld", .file = "urls.txt"};
    nt_import_result *res = calloc(1, sizeof *res);
    assert_int_equal(nt_store_import(f->st, &io, list, strlen(list), res, NULL), NT_OK);
    free(res);
    f->now += 400 * DAY;
    size_t n = 0;
    assert_int_equal(nt_store_expire(f->st, 180, NULL, &n, NULL), NT_OK);
    assert_int_equal(n, 2);
    /* nothing expired: no entry */
    assert_int_equal(nt_store_expire(f->st, 180, NULL, &n, NULL), NT_OK);

    collected c = {0};
    int64_t next = 0;
    assert_int_equal(nt_audit_list(f->st, 0, 0, collect, &c, &next, NULL), NT_OK);
    assert_int_equal(c.n, 6);
    assert_int_equal(next, 6);
    assert_non_null(strstr(c.lines[0], "1 public report.add indicator:1 "));
    assert_non_null(strstr(c.lines[0], "\"new\":true"));
    assert_non_null(strstr(c.lines[0], "\"value\":\"+84912345678\""));
    assert_null(strstr(c.lines[0], "Chuyển tiền")); /* no evidence in the log */
    assert_null(strstr(c.lines[0], "\"an\""));      /* nor a citizen's name */
    assert_non_null(strstr(c.lines[1], "2 nt_live_AbCdEfGh report.add indicator:1"));
    assert_non_null(strstr(c.lines[2], "3 lan indicator.review indicator:1"));
    assert_non_null(strstr(c.lines[3], "\"from\":\"under_review\""));
    assert_non_null(strstr(c.lines[3], "\"reason\":\"it's the bank's real number\""));
    assert_non_null(strstr(c.lines[4], "5 import registry.import source:"));
    assert_non_null(strstr(c.lines[4], "\"added\":2"));
    assert_non_null(strstr(c.lines[5], "6 expiry registry.expire registry"));
    assert_non_null(strstr(c.lines[5], "\"expired\":2"));

    /* paging */
    collected p = {0};
    assert_int_equal(nt_audit_list(f->st, 4, 1, collect, &p, &next, NULL), NT_OK);
    assert_int_equal(p.n, 1);
    assert_int_equal(next, 5);
    nt_diag d;
    assert_int_equal(nt_audit_list(f->st, -1, 0, collect, &p, &next, &d), NT_ERR_INVALID);
    assert_int_equal(nt_audit_list(f->st, 0, NT_MAX_AUDIT_LIST_LIMIT + 1, collect, &p, &next, &d),
                     NT_ERR_INVALID);

    nt_audit_verdict v = verify(f);
    assert_int_equal(v.problem, NT_AUDIT_INTACT);
    assert_int_equal(v.entries, 6);
    assert_int_equal(v.head.last_id, 6);
    assert_int_equal(v.head.count, 6);
}

static void test_append_api(void **state)
{
    fx *f = *state;
    nt_diag d;
    int64_t id = 0;
    assert_int_equal(
        nt_audit_append(f->st, "system", "backup.done", "db", "{\"bytes\":12}", &id, &d), NT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(nt_audit_append(f->st, "system", "x", "y", NULL, &id, &d), NT_OK);
    assert_int_equal(id, 2);
    /* bad input: a clear error, nothing appended */
    assert_int_equal(nt_audit_append(f->st, "system", "x", "y", "[1,2]", NULL, &d), NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "JSON object"));
    assert_int_equal(nt_audit_append(f->st, "system", "x", "y", "{\"a\":", NULL, &d),
                     NT_ERR_INVALID);
    assert_int_equal(nt_audit_append(f->st, "", "x", "y", NULL, NULL, &d), NT_ERR_INVALID);
    assert_int_equal(nt_audit_append(f->st, "sys\ntem", "x", "y", NULL, NULL, &d), NT_ERR_INVALID);
    assert_int_equal(nt_audit_append(f->st, "s\xff", "x", "y", NULL, NULL, &d), NT_ERR_UTF8);
    char *big = malloc(NT_MAX_AUDIT_DETAILS_BYTES + 64);
    memset(big, ' ', NT_MAX_AUDIT_DETAILS_BYTES + 63);
    big[0] = '{';
    big[NT_MAX_AUDIT_DETAILS_BYTES + 62] = '}';
    big[NT_MAX_AUDIT_DETAILS_BYTES + 63] = '\0';
    assert_int_equal(nt_audit_append(f->st, "system", "x", "y", big, NULL, &d), NT_ERR_TOO_BIG);
    free(big);
    /* SQL-looking text is just text */
    assert_int_equal(nt_audit_append(f->st, "x'); DROP TABLE audit;--", "x", "y", NULL, NULL, &d),
                     NT_OK);
    nt_audit_verdict v = verify(f);
    assert_int_equal(v.problem, NT_AUDIT_INTACT);
    assert_int_equal(v.entries, 3);
}

/* The hash is over every field: change any one and the hash changes. */
static void test_entry_hash(void **state)
{
    (void)state;
    nt_audit_entry e = {.id = 7,
                        .at = T0,
                        .actor = "lan",
                        .action = "indicator.confirm",
                        .object = "indicator:1",
                        .details = "{}"};
    unsigned char h0[32], h[32];
    nt_audit_entry_hash(&e, h0);
    nt_audit_entry x = e;
    x.id = 8;
    nt_audit_entry_hash(&x, h);
    assert_memory_not_equal(h, h0, 32);
    x = e;
    x.at++;
    nt_audit_entry_hash(&x, h);
    assert_memory_not_equal(h, h0, 32);
    x = e;
    x.prev[31] = 1;
    nt_audit_entry_hash(&x, h);
    assert_memory_not_equal(h, h0, 32);
    /* moving a byte between fields changes it too (fields are length-prefixed) */
    x = e;
    x.actor = "la";
    x.action = "nindicator.confirm";
    nt_audit_entry_hash(&x, h);
    assert_memory_not_equal(h, h0, 32);
    x = e;
    nt_audit_entry_hash(&x, h);
    assert_memory_equal(h, h0, 32);
}

/* ---- the same transaction
 * ------------------------------------------------------------------------ */

static long long count_of(fx *f, const char *table)
{
    char q[128];
    snprintf(q, sizeof q, "SELECT count(*) FROM %s", table);
    return sql_int(f->path, q);
}

static void test_failure_after_change_keeps_neither(void **state)
{
    fx *f = *state;
    nt_diag d;
    int64_t id = report(f, "0987654321", NULL);
    long long events = count_of(f, "events"), changes = count_of(f, "changes");

    /* the audit insert comes after the state change in the transaction */
    raw_sql(f->path, "CREATE TRIGGER boom BEFORE INSERT ON audit "
                     "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    nt_diag_clear(&d);
    assert_int_not_equal(nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "lan", "sure", &d),
                         NT_OK);
    assert_non_null(strstr(d.message, "injected failure"));
    nt_store_indicator ind;
    assert_int_equal(nt_store_get(f->st, id, &ind, NULL), NT_OK);
    assert_int_equal(ind.status, NT_STATUS_REPORTED); /* the change is gone */
    nt_store_indicator_release(&ind);
    assert_int_equal(count_of(f, "events"), events);
    assert_int_equal(count_of(f, "changes"), changes);

    /* a report: no indicator, no report row */
    long long inds = count_of(f, "indicators"), reps = count_of(f, "reports");
    nt_report_in in = {.type = NT_IND_PHONE, .value = "0911111111", .value_len = 10};
    assert_int_not_equal(nt_store_report_add(f->st, &in, NULL, NULL, &d), NT_OK);
    assert_int_equal(count_of(f, "indicators"), inds);
    assert_int_equal(count_of(f, "reports"), reps);

    /* an import: nothing of it */
    const char *list = "a-shop.vn\nb-shop.vn\n";
    nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = "cld"};
    nt_import_result *res = calloc(1, sizeof *res);
    assert_int_not_equal(nt_store_import(f->st, &io, list, strlen(list), res, &d), NT_OK);
    free(res);
    assert_int_equal(count_of(f, "indicators"), inds);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM sources WHERE kind = 3"), 0);

    /* expiry */
    f->now += 400 * DAY;
    size_t n = 99;
    assert_int_not_equal(nt_store_expire(f->st, 180, NULL, &n, &d), NT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(nt_store_get(f->st, id, &ind, NULL), NT_OK);
    assert_int_equal(ind.status, NT_STATUS_REPORTED);
    nt_store_indicator_release(&ind);

    /* an account change: no organisation */
    nt_principal sys;
    nt_principal_system(&sys);
    assert_int_not_equal(nt_auth_org_add(f->auth, &sys, "Bank B", NT_ORG_BANK, NULL, &d), NT_OK);
    assert_int_equal(count_of(f, "orgs"), 0);
    raw_sql(f->path, "DROP TRIGGER boom");

    /* the very last write of the transaction (moving the head) failing */
    raw_sql(f->path, "CREATE TRIGGER boom2 BEFORE UPDATE ON audit_head "
                     "BEGIN SELECT RAISE(ABORT, 'injected at the head'); END;");
    assert_int_not_equal(nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "lan", "sure", &d),
                         NT_OK);
    assert_non_null(strstr(d.message, "injected at the head"));
    assert_int_equal(count_of(f, "audit"), 1);
    assert_int_equal(count_of(f, "events"), events);
    raw_sql(f->path, "DROP TRIGGER boom2");

    /* and without the failure both are kept */
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "lan", "sure", &d), NT_OK);
    assert_int_equal(count_of(f, "audit"), 2);
    assert_int_equal(count_of(f, "events"), events + 1);
    assert_int_equal(verify(f).problem, NT_AUDIT_INTACT);
}

/* The registry and the accounts module write through different connections
 * (as a server does); the chain stays one chain. */
static void test_two_writers_one_chain(void **state)
{
    fx *f = *state;
    nt_principal sys;
    nt_principal_system(&sys);
    for (int i = 0; i < 20; i++) {
        char v[16], org[32];
        snprintf(v, sizeof v, "09123450%02d", i);
        report(f, v, NULL);
        snprintf(org, sizeof org, "Org %d", i);
        assert_int_equal(nt_auth_org_add(f->auth, &sys, org, NT_ORG_OTHER, NULL, NULL), NT_OK);
    }
    nt_audit_verdict v = verify(f);
    assert_int_equal(v.problem, NT_AUDIT_INTACT);
    assert_int_equal(v.entries, 40);
    nt_audit_verdict v2;
    assert_int_equal(nt_auth_audit_verify(f->auth, NULL, 0, &v2, NULL), NT_OK);
    assert_int_equal(v2.problem, NT_AUDIT_INTACT);
    assert_int_equal(v2.entries, 40);
}

/* ---- tampering ----------------------------------------------------------------------------------
 */

static void test_append_only_guard(void **state)
{
    fx *f = *state;
    char err[256];
    five_entries(f);
    assert_int_not_equal(
        sql_exec(f->path, "UPDATE audit SET actor = 'x' WHERE id = 2", err, sizeof err), SQLITE_OK);
    assert_non_null(strstr(err, "append-only"));
    assert_int_not_equal(sql_exec(f->path, "DELETE FROM audit WHERE id = 5", err, sizeof err),
                         SQLITE_OK);
    assert_int_not_equal(sql_exec(f->path, "DELETE FROM audit_head", err, sizeof err), SQLITE_OK);
    assert_int_equal(verify(f).problem, NT_AUDIT_INTACT);
}

static void test_tamper_edit(void **state)
{
    fx *f = *state;
    five_entries(f);
    drop_guards(f);
    raw_sql(f->path, "UPDATE audit SET details = replace(details, 'bank confirmed', 'nothing') "
                     "WHERE id = 4");
    expect_problem(f, NT_AUDIT_EDITED, 4, "entry 4 was changed");
}

static void test_tamper_edit_actor(void **state)
{
    fx *f = *state;
    five_entries(f);
    drop_guards(f);
    raw_sql(f->path, "UPDATE audit SET actor = 'mallory' WHERE id = 2");
    expect_problem(f, NT_AUDIT_EDITED, 2, NULL);
}

/* Edit an entry and recompute its own hash: the next link breaks. */
static void test_tamper_edit_rehash(void **state)
{
    fx *f = *state;
    five_entries(f);
    fx_close(f);
    drop_guards(f);
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, at, actor, action, object, details, prev_hash "
                                        "FROM audit WHERE id = 3",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    nt_audit_entry e = {.id = 3,
                        .at = sqlite3_column_int64(st, 1),
                        .actor = "someone-else",
                        .action = (const char *)sqlite3_column_text(st, 3),
                        .object = (const char *)sqlite3_column_text(st, 4),
                        .details = (const char *)sqlite3_column_text(st, 5)};
    memcpy(e.prev, sqlite3_column_blob(st, 6), 32);
    unsigned char h[32];
    nt_audit_entry_hash(&e, h);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit SET actor = ?1, hash = ?2 WHERE id = 3",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, "someone-else", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    fx_open(f);
    expect_problem(f, NT_AUDIT_BROKEN_LINK, 4, "entry 4 does not follow entry 3");
}

static void test_tamper_delete_middle(void **state)
{
    fx *f = *state;
    five_entries(f);
    drop_guards(f);
    raw_sql(f->path, "DELETE FROM audit WHERE id = 3");
    expect_problem(f, NT_AUDIT_MISSING, 4, "entry 3 is missing");
    raw_sql(f->path, "DELETE FROM audit WHERE id = 2");
    expect_problem(f, NT_AUDIT_MISSING, 4, "entries 2 to 3 are missing");
}

static void test_tamper_delete_first(void **state)
{
    fx *f = *state;
    five_entries(f);
    drop_guards(f);
    raw_sql(f->path, "DELETE FROM audit WHERE id = 1");
    expect_problem(f, NT_AUDIT_MISSING, 2, "entry 1 is missing");
}

/* Deleting the last entry leaves a perfect chain: only the head knows. */
static void test_tamper_delete_last(void **state)
{
    fx *f = *state;
    five_entries(f);
    drop_guards(f);
    raw_sql(f->path, "DELETE FROM audit WHERE id = 5");
    expect_problem(f, NT_AUDIT_TRUNCATED, 5, "the last 1 entry was deleted");
    raw_sql(f->path, "DELETE FROM audit WHERE id >= 3");
    expect_problem(f, NT_AUDIT_TRUNCATED, 3, "the last 3 entries were deleted");
    raw_sql(f->path, "DELETE FROM audit");
    expect_problem(f, NT_AUDIT_TRUNCATED, 1, "the chain ends at entry 0 but the head says 5");
}

/* Two entries swapped (their contents, or their ids). */
static void test_tamper_reorder(void **state)
{
    fx *f = *state;
    five_entries(f);
    drop_guards(f);
    raw_sql(f->path, "UPDATE audit SET id = -2 WHERE id = 2; UPDATE audit SET id = 2 WHERE id = 3; "
                     "UPDATE audit SET id = 3 WHERE id = -2;");
    nt_audit_verdict v = verify(f);
    assert_int_not_equal(v.problem, NT_AUDIT_INTACT);
    assert_int_equal(v.bad_id, 2);
    assert_int_equal(v.problem, NT_AUDIT_BROKEN_LINK);
}

static void test_tamper_reorder_same_second(void **state)
{
    fx *f = *state;
    five_entries(f); /* all at T0: swapping times would not show it */
    drop_guards(f);
    raw_sql(f->path,
            "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (1, 2);"
            "UPDATE audit SET at = (SELECT at FROM t WHERE id = 2), actor = (SELECT actor FROM t "
            "WHERE id = 2), action = (SELECT action FROM t WHERE id = 2), object = (SELECT object "
            "FROM t WHERE id = 2), details = (SELECT details FROM t WHERE id = 2), prev_hash = "
            "(SELECT prev_hash FROM t WHERE id = 2), hash = (SELECT hash FROM t WHERE id = 2) "
            "WHERE id = 1;"
            "UPDATE audit SET at = (SELECT at FROM t WHERE id = 1), actor = (SELECT actor FROM t "
            "WHERE id = 1), action = (SELECT action FROM t WHERE id = 1), object = (SELECT object "
            "FROM t WHERE id = 1), details = (SELECT details FROM t WHERE id = 1), prev_hash = "
            "(SELECT prev_hash FROM t WHERE id = 1), hash = (SELECT hash FROM t WHERE id = 1) "
            "WHERE id = 2;");
    expect_problem(f, NT_AUDIT_BROKEN_LINK, 1, "does not start the chain");
}

static void test_tamper_head(void **state)
{
    fx *f = *state;
    nt_diag d;
    five_entries(f);
    drop_guards(f);
    raw_sql(f->path, "UPDATE audit_head SET count = 4");
    expect_problem(f, NT_AUDIT_HEAD_MISMATCH, 5, "head row was edited");
    raw_sql(f->path, "UPDATE audit_head SET count = 5, hash = zeroblob(32)");
    expect_problem(f, NT_AUDIT_HEAD_MISMATCH, 5, NULL);
    /* an entry slipped in after the head without moving it */
    raw_sql(f->path, "UPDATE audit_head SET last_id = 4, count = 4, "
                     "hash = (SELECT hash FROM audit WHERE id = 4)");
    expect_problem(f, NT_AUDIT_HEAD_MISMATCH, 5, "come after the head");
    /* no head at all: verification says so, and writes are refused */
    raw_sql(f->path, "DELETE FROM audit_head");
    expect_problem(f, NT_AUDIT_HEAD_MISMATCH, 5, "head row is missing");
    nt_report_in in = {.type = NT_IND_PHONE, .value = "0911111111", .value_len = 10};
    nt_diag_clear(&d);
    assert_int_equal(nt_store_report_add(f->st, &in, NULL, NULL, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "tampered"));
}

/* What a chain alone cannot prove: someone who deletes the last entries AND
 * moves the head back leaves a consistent, shorter log.  An anchor (id and
 * hash) written down elsewhere catches it; so would any rewrite. */
static void test_limits_and_anchors(void **state)
{
    fx *f = *state;
    nt_audit_head h;
    five_entries(f);
    assert_int_equal(nt_audit_head_get(f->st, &h, NULL), NT_OK);
    nt_audit_anchor anchor = {.id = h.last_id};
    memcpy(anchor.hash, h.hash, 32);
    nt_audit_anchor early = {.id = 2};
    {
        sqlite3 *db;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(
            sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE id = 2", -1, &st, NULL),
            SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        memcpy(early.hash, sqlite3_column_blob(st, 0), 32);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    nt_audit_anchor both[2] = {early, anchor};
    nt_audit_verdict v;
    assert_int_equal(nt_audit_verify(f->st, both, 2, &v, NULL), NT_OK);
    assert_int_equal(v.problem, NT_AUDIT_INTACT);

    drop_guards(f);
    raw_sql(f->path, "DELETE FROM audit WHERE id = 5; UPDATE audit_head SET last_id = 4, "
                     "count = 4, hash = (SELECT hash FROM audit WHERE id = 4)");
    assert_int_equal(verify(f).problem, NT_AUDIT_INTACT); /* the limit */
    assert_int_equal(nt_audit_verify(f->st, both, 2, &v, NULL), NT_OK);
    assert_int_equal(v.problem, NT_AUDIT_ANCHOR_MISMATCH);
    assert_int_equal(v.bad_id, 5);
    assert_non_null(strstr(v.message, "anchor entry 5 is not in the chain"));
    /* a wrong anchor for an entry that is there */
    early.hash[0] ^= 1;
    assert_int_equal(nt_audit_verify(f->st, &early, 1, &v, NULL), NT_OK);
    assert_int_equal(v.problem, NT_AUDIT_ANCHOR_MISMATCH);
    assert_int_equal(v.bad_id, 2);
}

/* A blob of the wrong length in a hash column is a finding, not a crash. */
static void test_tamper_garbage(void **state)
{
    fx *f = *state;
    five_entries(f);
    drop_guards(f);
    raw_sql(f->path, "UPDATE audit SET hash = x'00' WHERE id = 3");
    expect_problem(f, NT_AUDIT_EDITED, 3, NULL);
    raw_sql(f->path, "UPDATE audit SET prev_hash = x'0102', details = '' WHERE id = 2");
    expect_problem(f, NT_AUDIT_BROKEN_LINK, 2, NULL);
}

/* ---- migrations
 * ---------------------------------------------------------------------------------- */

/* A database from before accounts (schema 1) is upgraded on open, and
 * running the upgrade twice changes nothing. */
static void test_migration_from_v1(void **state)
{
    fx *f = *state;
    report(f, "0912345678", NULL);
    fx_close(f);
    drop_guards(f);
    raw_sql(f->path, "DROP TABLE audit; DROP TABLE audit_head; DROP TABLE sessions; "
                     "DROP TABLE api_keys; DROP TABLE users; DROP TABLE orgs; "
                     "DROP TABLE login_failures; DROP TABLE settings; "
                     "UPDATE schema_version SET version = 1");
    fx_open(f);
    assert_int_equal(nt_store_schema_version(f->st), NT_STORE_SCHEMA_VERSION);
    assert_int_equal(verify(f).problem, NT_AUDIT_INTACT);
    report(f, "0912345679", NULL);
    assert_int_equal(verify(f).entries, 1);
    fx_close(f);
    raw_sql(f->path, "UPDATE schema_version SET version = 1");
    fx_open(f);
    assert_int_equal(verify(f).entries, 1);
    assert_int_equal(verify(f).problem, NT_AUDIT_INTACT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry_writes_are_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_api, setup, teardown),
        cmocka_unit_test(test_entry_hash),
        cmocka_unit_test_setup_teardown(test_failure_after_change_keeps_neither, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers_one_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_only_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_edit_actor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_edit_rehash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete_last, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_reorder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_reorder_same_second, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_and_anchors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_v1, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
