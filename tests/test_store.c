/*
 * tests/test_store.c - the registry store (lib/store): migrations and
 * refusal of newer or corrupt databases, the lifecycle and its illegal
 * transitions, the history, reputation (track record, the one-reporter cap,
 * decay), contact encryption, the feed's replay property, atomic imports,
 * bad input, expiry.  Each test works on a database in its own temporary
 * directory with a clock the test moves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
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
    unsigned char key[32];
} fx;

static int64_t fx_clock(void *ctx)
{
    return ((fx *)ctx)->now;
}

static nt_store_config fx_config(fx *f, int with_key)
{
    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = f->path;
    cfg.banks = f->banks;
    cfg.clock = fx_clock;
    cfg.clock_ctx = f;
    cfg.key = with_key ? f->key : NULL;
    return cfg;
}

static void fx_open(fx *f, int with_key)
{
    nt_store_config cfg = fx_config(f, with_key);
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_store_open(&cfg, &f->st, &d);
    if (rc)
        fprintf(stderr, "open: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/nt_store_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/reg.db", f->dir);
    f->now = T0;
    for (int i = 0; i < 32; i++)
        f->key[i] = (unsigned char)(i * 7 + 1);
    assert_int_equal(nt_banks_load(tu_data_path("banks.tsv"), &f->banks, NULL), NT_OK);
    fx_open(f, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    nt_store_close(f->st);
    nt_banks_free(f->banks);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int64_t report(fx *f, nt_ind_type type, const char *value, const char *reporter, int member)
{
    nt_report_in in = {.type = type,
                       .value = value,
                       .value_len = strlen(value),
                       .reporter = reporter,
                       .member = member,
                       .channel = "sms",
                       .evidence = "Chuyển tiền ngay",
                       .evidence_len = strlen("Chuyển tiền ngay")};
    int64_t rid = 0, iid = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_store_report_add(f->st, &in, &rid, &iid, &d);
    if (rc)
        fprintf(stderr, "report %s: %s\n", value, d.message);
    assert_int_equal(rc, NT_OK);
    assert_true(rid > 0);
    return iid;
}

static nt_status status_of(fx *f, int64_t id)
{
    nt_store_indicator ind;
    assert_int_equal(nt_store_get(f->st, id, &ind, NULL), NT_OK);
    nt_status s = ind.status;
    nt_store_indicator_release(&ind);
    return s;
}

static double score_of(fx *f, int64_t id)
{
    nt_store_indicator ind;
    assert_int_equal(nt_store_get(f->st, id, &ind, NULL), NT_OK);
    double s = nt_reputation_score(ind.score_e, ind.score_at, f->now, nt_store_half_life(f->st));
    nt_store_indicator_release(&ind);
    return s;
}

static int count_one(void *ctx, const nt_store_indicator *ind)
{
    (void)ind;
    (*(size_t *)ctx)++;
    return 0;
}

static size_t count_indicators(fx *f)
{
    size_t n = 0;
    assert_int_equal(nt_store_list(f->st, 0, 0, 0, count_one, &n, NULL), NT_OK);
    return n;
}

/* Run SQL on the database file directly (another connection). */
static void raw_sql(const char *path, const char *q)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, q, NULL, NULL, &err);
    if (rc)
        fprintf(stderr, "sql: %s\n", err);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(db);
}

/* ---- migrations and bad database files --------------------------------------------------- */

static void test_migrations(void **state)
{
    fx *f = *state;
    assert_int_equal(nt_store_schema_version(f->st), NT_STORE_SCHEMA_VERSION);
    report(f, NT_IND_PHONE, "0912345678", "an", 0);
    nt_store_close(f->st);
    f->st = NULL;
    fx_open(f, 1); /* reopening an up-to-date database changes nothing */
    assert_int_equal(count_indicators(f), 1);
    nt_store_close(f->st);
    f->st = NULL;

    /* a database from the future is refused and left as it is */
    raw_sql(f->path, "UPDATE schema_version SET version = 99");
    nt_store_config cfg = fx_config(f, 1);
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_store_open(&cfg, &f->st, &d), NT_ERR_UNSUPPORTED);
    assert_null(f->st);
    assert_non_null(strstr(d.message, "newer NiemTin"));
    raw_sql(f->path, "UPDATE schema_version SET version = 1");
    fx_open(f, 1);
    assert_int_equal(count_indicators(f), 1);
}

static void test_corrupt_files(void **state)
{
    fx *f = *state;
    char p[400];
    nt_store *st = NULL;
    nt_diag d;
    nt_store_config cfg = fx_config(f, 0);

    /* not a database at all */
    snprintf(p, sizeof p, "%s/garbage.db", f->dir);
    FILE *g = fopen(p, "wb");
    for (int i = 0; i < 8192; i++)
        fputc((i * 131) & 0xff, g);
    fclose(g);
    cfg.path = p;
    nt_diag_clear(&d);
    assert_int_equal(nt_store_open(&cfg, &st, &d), NT_ERR_IO);
    assert_non_null(strstr(d.message, "corrupt or not a NiemTin database"));
    size_t len;
    char *after = tu_read_file(p, &len);
    assert_int_equal(len, 8192); /* untouched */
    assert_int_equal((unsigned char)after[1], 131);
    free(after);

    /* a real database cut in half: an error, never a crash */
    for (int i = 0; i < 300; i++) {
        char v[32];
        snprintf(v, sizeof v, "09%08d", 12345678 + i);
        report(f, NT_IND_PHONE, v, "an", 0);
    }
    nt_store_close(f->st);
    f->st = NULL;
    char *db = tu_read_file(f->path, &len);
    assert_true(len > 16384);
    snprintf(p, sizeof p, "%s/truncated.db", f->dir);
    g = fopen(p, "wb");
    fwrite(db, 1, len / 2, g);
    fclose(g);
    free(db);
    cfg.path = p;
    nt_diag_clear(&d);
    nt_err rc = nt_store_open(&cfg, &st, &d);
    if (rc == NT_OK) {
        size_t n = 0;
        rc = nt_store_list(st, 0, 0, 0, count_one, &n, &d);
        nt_store_close(st);
    }
    assert_int_equal(rc, NT_ERR_IO);
    assert_true(d.message[0] != '\0');
    fx_open(f, 1);
}

/* ---- lifecycle and history
 * ------------------------------------------------------------------------- */

typedef struct ev_log {
    char lines[16][160];
    size_t n;
} ev_log;

static int log_event(void *ctx, const nt_store_event *e)
{
    ev_log *l = ctx;
    if (l->n < 16)
        snprintf(l->lines[l->n++], 160, "%s %s %s>%s %s", e->actor, e->action,
                 e->from ? nt_status_name(e->from) : "-", nt_status_name(e->to), e->reason);
    return 0;
}

static void test_lifecycle(void **state)
{
    fx *f = *state;
    nt_diag d;
    int64_t id = report(f, NT_IND_PHONE, "0912 345 678", "an", 0);
    assert_int_equal(status_of(f, id), NT_STATUS_REPORTED);

    /* illegal: dispute or clear what is not confirmed / disputed */
    nt_diag_clear(&d);
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_DISPUTE, "lan", "x", &d),
                     NT_ERR_STATE);
    assert_non_null(strstr(d.message, "is reported: cannot dispute it (only from confirmed)"));
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_CLEAR, "lan", "x", NULL),
                     NT_ERR_STATE);
    /* a reason and an actor are required; unknown ids are named */
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "lan", "", NULL),
                     NT_ERR_INVALID);
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "", "r", NULL),
                     NT_ERR_INVALID);
    nt_diag_clear(&d);
    assert_int_equal(nt_store_transition(f->st, 999, NT_ACTION_CONFIRM, "lan", "r", &d),
                     NT_ERR_NOT_FOUND);
    assert_non_null(strstr(d.message, "999"));
    assert_int_equal(status_of(f, id), NT_STATUS_REPORTED);

    f->now += 60;
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_REVIEW, "lan", "looking", NULL),
                     NT_OK);
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_REVIEW, "lan", "again", NULL),
                     NT_ERR_STATE);
    assert_int_equal(
        nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "lan", "bank confirmed", NULL), NT_OK);
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_REJECT, "lan", "r", NULL),
                     NT_ERR_STATE);
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_DISPUTE, "owner", "not mine", NULL),
                     NT_OK);
    assert_int_equal(
        nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "minh", "re-confirmed", NULL), NT_OK);
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_DISPUTE, "owner", "new owner", NULL),
                     NT_OK);
    assert_int_equal(
        nt_store_transition(f->st, id, NT_ACTION_CLEAR, "minh", "number reassigned", NULL), NT_OK);
    assert_int_equal(status_of(f, id), NT_STATUS_CLEARED);
    assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "lan", "r", NULL),
                     NT_ERR_STATE);
    /* a new report reopens a cleared indicator */
    report(f, NT_IND_PHONE, "+84912345678", "binh", 0);
    assert_int_equal(status_of(f, id), NT_STATUS_REPORTED);

    ev_log l = {0};
    assert_int_equal(nt_store_events(f->st, id, log_event, &l, NULL), NT_OK);
    const char *want[] = {"an reported ->reported ",
                          "an report reported>reported ",
                          "lan review reported>under_review looking",
                          "lan confirm under_review>confirmed bank confirmed",
                          "owner dispute confirmed>disputed not mine",
                          "minh confirm disputed>confirmed re-confirmed",
                          "owner dispute confirmed>disputed new owner",
                          "minh clear disputed>cleared number reassigned",
                          "binh reopened cleared>reported a new report",
                          "binh report reported>reported "};
    assert_int_equal(l.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < l.n; i++) {
        if (strcmp(l.lines[i], want[i]) != 0)
            fprintf(stderr, "event %zu: got '%s' want '%s'\n", i, l.lines[i], want[i]);
        assert_string_equal(l.lines[i], want[i]);
    }
    /* the status table itself */
    nt_status to;
    assert_int_equal(nt_status_after(NT_STATUS_EXPIRED, NT_ACTION_CONFIRM, &to), NT_ERR_STATE);
    assert_int_equal(nt_status_after(NT_STATUS_DISPUTED, NT_ACTION_CONFIRM, &to), NT_OK);
    assert_int_equal(to, NT_STATUS_CONFIRMED);
}

/* ---- reputation
 * ----------------------------------------------------------------------------------- */

static void test_reputation(void **state)
{
    fx *f = *state;
    /* a member with a perfect record: 30 of its reports confirmed */
    for (int i = 0; i < 30; i++) {
        char v[32];
        snprintf(v, sizeof v, "0988%06d", i);
        int64_t id = report(f, NT_IND_PHONE, v, "BankA", 1);
        assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_CONFIRM, "lan", "ok", NULL),
                         NT_OK);
    }
    double w = nt_reputation_weight(NT_SOURCE_MEMBER, 30, 0);
    assert_true(w > 0.95);
    /* alone, even reporting five times, it cannot push a number to a warning */
    int64_t x = 0;
    for (int i = 0; i < 5; i++)
        x = report(f, NT_IND_PHONE, "0977000111", "BankA", 1);
    double s1 = score_of(f, x);
    assert_true(s1 <= 100.0 * (1.0 - exp(-NT_REPUTATION_CAP)) + 1e-9);
    assert_true(s1 < NT_REPUTATION_WARN);
    assert_float_equal(s1, 100.0 * (1.0 - exp(-NT_REPUTATION_CAP)), 1e-6);
    nt_store_indicator ind;
    assert_int_equal(nt_store_get(f->st, x, &ind, NULL), NT_OK);
    assert_int_equal(ind.n_reports, 5);
    assert_int_equal(ind.n_reporters, 1);
    nt_store_indicator_release(&ind);
    /* a second, new citizen (weight 1/2) makes it a warning */
    report(f, NT_IND_PHONE, "0977000111", "an", 0);
    double s2 = score_of(f, x);
    assert_float_equal(s2, 100.0 * (1.0 - exp(-(0.6 + 0.5))), 1e-6);
    assert_true(s2 >= NT_REPUTATION_WARN);

    /* decay: one half-life later the evidence has halved */
    f->now += (int64_t)(NT_REPUTATION_HALF_LIFE_DAYS * DAY);
    assert_float_equal(score_of(f, x), 100.0 * (1.0 - exp(-(1.1 / 2))), 1e-6);
    f->now += (int64_t)(NT_REPUTATION_HALF_LIFE_DAYS * DAY);
    assert_float_equal(score_of(f, x), 100.0 * (1.0 - exp(-(1.1 / 4))), 1e-6);

    /* a reporter whose reports were rejected weighs less, and the scores of
     * its other reports follow in the same transaction */
    int64_t y = report(f, NT_IND_PHONE, "0966000222", "troll", 0);
    double before = score_of(f, y);
    assert_float_equal(before, 100.0 * (1.0 - exp(-0.5)), 1e-6);
    for (int i = 0; i < 4; i++) {
        char v[32];
        snprintf(v, sizeof v, "0955%06d", i);
        int64_t id = report(f, NT_IND_PHONE, v, "troll", 0);
        assert_int_equal(nt_store_transition(f->st, id, NT_ACTION_REJECT, "lan", "false", NULL),
                         NT_OK);
    }
    assert_float_equal(nt_reputation_weight(NT_SOURCE_PUBLIC, 0, 4), 1.0 / 6.0, 1e-12);
    assert_float_equal(score_of(f, y), 100.0 * (1.0 - exp(-1.0 / 6.0)), 1e-6);
    /* reporting something already confirmed earns no credit */
    int64_t z = report(f, NT_IND_PHONE, "0944000333", "an", 0);
    assert_int_equal(nt_store_transition(f->st, z, NT_ACTION_CONFIRM, "lan", "ok", NULL), NT_OK);
    report(f, NT_IND_PHONE, "0944000333", "gamer", 0);
    assert_int_equal(nt_store_transition(f->st, z, NT_ACTION_DISPUTE, "o", "x", NULL), NT_OK);
    assert_int_equal(nt_store_transition(f->st, z, NT_ACTION_CLEAR, "lan", "x", NULL), NT_OK);
    int64_t g = report(f, NT_IND_PHONE, "0933000444", "gamer", 0);
    assert_float_equal(score_of(f, g), 100.0 * (1.0 - exp(-0.5)), 1e-6); /* still 1/2 */
}

/* ---- contacts
 * ------------------------------------------------------------------------------------- */

static int file_contains(const char *path, const char *needle)
{
    size_t len;
    char *b = tu_read_file(path, &len);
    if (!b)
        return 0;
    size_t nl = strlen(needle);
    int found = 0;
    for (size_t i = 0; i + nl <= len && !found; i++)
        found = memcmp(b + i, needle, nl) == 0;
    free(b);
    return found;
}

static void test_contact_encryption(void **state)
{
    fx *f = *state;
    const char *secret = "chi.lan.contact@example.vn 0901234567";
    nt_report_in in = {.type = NT_IND_BANK_ACCOUNT,
                       .value = "VCB 0123456789",
                       .value_len = strlen("VCB 0123456789"),
                       .reporter = "lan",
                       .contact = secret,
                       .evidence = "bị lừa 5 triệu",
                       .evidence_len = strlen("bị lừa 5 triệu"),
                       .amount = 5000000};
    int64_t rid, iid;
    assert_int_equal(nt_store_report_add(f->st, &in, &rid, &iid, NULL), NT_OK);
    char *back = NULL;
    assert_int_equal(nt_store_report_contact(f->st, rid, &back, NULL), NT_OK);
    assert_string_equal(back, secret);
    free(back);
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    assert_false(file_contains(f->path, "chi.lan.contact"));
    assert_false(file_contains(wal, "chi.lan.contact"));
    assert_true(file_contains(wal, "bị lừa 5 triệu") || file_contains(f->path, "bị lừa 5 triệu"));
    nt_store_close(f->st);
    f->st = NULL;
    assert_false(file_contains(f->path, "chi.lan.contact"));
    assert_false(file_contains(f->path, "0901234567"));

    /* without a key a contact is refused (and nothing stored) */
    fx_open(f, 0);
    size_t before = count_indicators(f);
    in.value = "0911111111";
    in.value_len = strlen(in.value);
    in.type = NT_IND_PHONE;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_store_report_add(f->st, &in, &rid, &iid, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "never stored in clear"));
    assert_int_equal(count_indicators(f), before);
    nt_store_close(f->st);
    f->st = NULL;

    /* a different key is refused at open */
    f->key[0] ^= 1;
    nt_store_config cfg = fx_config(f, 1);
    nt_diag_clear(&d);
    assert_int_equal(nt_store_open(&cfg, &f->st, &d), NT_ERR_STATE);
    assert_null(f->st);
    f->key[0] ^= 1;
    fx_open(f, 1);
}

/* ---- the feed -----------------------------------------------------------------------------------
 */

typedef struct replay {
    char keys[512][48];
    nt_status status[512];
    size_t n;
    int64_t last_seq;
    int ordered;
} replay;

static int replay_one(void *ctx, const nt_store_change *c)
{
    replay *r = ctx;
    char k[48];
    snprintf(k, sizeof k, "%d %s", (int)c->type, c->value);
    if (c->seq <= r->last_seq)
        r->ordered = 0;
    r->last_seq = c->seq;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->keys[i], k) == 0) {
            r->status[i] = c->status;
            return 0;
        }
    assert_true(r->n < 512);
    snprintf(r->keys[r->n], 48, "%s", k);
    r->status[r->n++] = c->status;
    return 0;
}

typedef struct current {
    replay *r;
    size_t confirmed, checked;
} current;

static int check_current(void *ctx, const nt_store_indicator *ind)
{
    current *c = ctx;
    char k[48];
    snprintf(k, sizeof k, "%d %s", (int)ind->type, ind->value);
    size_t i = 0;
    for (; i < c->r->n; i++)
        if (strcmp(c->r->keys[i], k) == 0)
            break;
    assert_true(i < c->r->n);
    assert_int_equal(c->r->status[i], ind->status);
    c->checked++;
    c->confirmed += ind->status == NT_STATUS_CONFIRMED;
    return 0;
}

static void test_feed_replay(void **state)
{
    fx *f = *state;
    srand(42);
    static const nt_action acts[] = {NT_ACTION_REVIEW, NT_ACTION_CONFIRM, NT_ACTION_REJECT,
                                     NT_ACTION_DISPUTE, NT_ACTION_CLEAR};
    int64_t ids[40];
    const char *list = "evil-a.com\nevil-b.com\n0912000001\n";
    nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = "t", .file = "t.txt"};
    assert_int_equal(nt_store_import(f->st, &io, list, 22, NULL, NULL), NT_OK);
    for (int i = 0; i < 40; i++) {
        char v[32];
        snprintf(v, sizeof v, "0912%06d", rand() % 30);
        ids[i] = report(f, NT_IND_PHONE, v, i % 3 ? "an" : "binh", 0);
    }
    for (int k = 0; k < 400; k++) {
        f->now += 3600;
        int64_t id = ids[rand() % 40];
        nt_err rc = nt_store_transition(f->st, id, acts[rand() % 5], "lan", "random", NULL);
        assert_true(rc == NT_OK || rc == NT_ERR_STATE);
        if (k % 50 == 0)
            report(f, NT_IND_PHONE, "0912000007", "chi", 0);
        if (k == 200) {
            size_t n;
            f->now += 400 * DAY;
            assert_int_equal(nt_store_expire(f->st, 30, NULL, &n, NULL), NT_OK);
            assert_true(n > 0);
        }
    }
    /* replay in pages of 7 */
    replay r = {.ordered = 1};
    int64_t cur = 0, next = -1;
    for (;;) {
        assert_int_equal(nt_store_feed(f->st, cur, 7, replay_one, &r, &next, NULL), NT_OK);
        if (next == cur)
            break;
        cur = next;
    }
    assert_true(r.ordered);
    current c = {.r = &r};
    assert_int_equal(nt_store_list(f->st, 0, 0, 0, check_current, &c, NULL), NT_OK);
    assert_int_equal(c.checked, r.n); /* every replayed value exists, every status agrees */
    assert_true(c.confirmed > 0);
    /* a limit above the maximum is an error, not silently cut */
    assert_int_equal(nt_store_feed(f->st, 0, NT_MAX_FEED_LIMIT + 1, replay_one, &r, &next, NULL),
                     NT_ERR_INVALID);
}

/* ---- imports -----------------------------------------------------------------------------------
 */

static void test_import_atomic(void **state)
{
    fx *f = *state;
    nt_import_result *res = calloc(1, sizeof *res);
    nt_diag d;
    const char *bad = "good-one.com\n# comment\n\nhttp://good-two.com/path\nnot a host!!\n"
                      "sn99.cc:100\n1.2.3.4\nbad\xff.com\n";
    nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO,
                            .name = "cld",
                            .file = "urls.txt",
                            .licence = "BSD-3-Clause"};
    nt_diag_clear(&d);
    assert_int_equal(nt_store_import(f->st, &io, bad, strlen(bad), res, &d), NT_ERR_PARSE);
    assert_int_equal(d.line, 5);
    assert_string_equal(d.source, "urls.txt");
    assert_int_equal(res->bad, 2);
    assert_int_equal(res->errors[0].line, 5);
    assert_int_equal(res->errors[1].line, 8);
    assert_non_null(strstr(res->errors[1].message, "UTF-8"));
    assert_int_equal(count_indicators(f), 0); /* nothing written */
    int64_t next;
    replay r = {.ordered = 1};
    assert_int_equal(nt_store_feed(f->st, 0, 0, replay_one, &r, &next, NULL), NT_OK);
    assert_int_equal(r.n, 0);

    io.skip_bad = 1;
    assert_int_equal(nt_store_import(f->st, &io, bad, strlen(bad), res, &d), NT_OK);
    assert_int_equal(res->added, 4);
    assert_int_equal(res->bad, 2);
    nt_store_indicator ind;
    assert_int_equal(nt_store_find(f->st, NT_IND_DOMAIN, "sn99.cc", &ind, NULL), NT_OK);
    assert_int_equal(ind.status, NT_STATUS_CONFIRMED);
    assert_string_equal(ind.status_by, "import:cld");
    nt_store_indicator_release(&ind);
    assert_int_equal(nt_store_find(f->st, NT_IND_URL, "good-two.com/path", &ind, NULL), NT_OK);
    nt_store_indicator_release(&ind);

    /* a failure in the middle of the transaction leaves nothing of it */
    size_t before = count_indicators(f);
    raw_sql(f->path, "CREATE TRIGGER boom BEFORE INSERT ON indicators WHEN NEW.value = 'm-500.com' "
                     "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    char *big = malloc(1000 * 16);
    size_t n = 0;
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(big + n, 16, "m-%d.com\n", i);
    io.skip_bad = 0;
    nt_diag_clear(&d);
    assert_int_not_equal(nt_store_import(f->st, &io, big, n, res, &d), NT_OK);
    assert_non_null(strstr(d.message, "injected failure"));
    assert_int_equal(count_indicators(f), before);
    assert_int_equal(nt_store_find(f->st, NT_IND_DOMAIN, "m-1.com", &ind, NULL), NT_ERR_NOT_FOUND);
    raw_sql(f->path, "DROP TRIGGER boom");
    assert_int_equal(nt_store_import(f->st, &io, big, n, res, &d), NT_OK);
    assert_int_equal(count_indicators(f), before + 1000);
    free(big);

    /* import policy: a reported value is confirmed, a rejected one stays rejected */
    int64_t a = report(f, NT_IND_DOMAIN, "reported-first.com", "an", 0);
    int64_t b = report(f, NT_IND_DOMAIN, "rejected-first.com", "an", 0);
    assert_int_equal(nt_store_transition(f->st, b, NT_ACTION_REJECT, "lan", "legit shop", NULL),
                     NT_OK);
    const char *l2 = "reported-first.com\nrejected-first.com\nreported-first.com\n";
    assert_int_equal(nt_store_import(f->st, &io, l2, strlen(l2), res, &d), NT_OK);
    assert_int_equal(res->confirmed, 1);
    assert_int_equal(res->unchanged, 1);
    assert_int_equal(res->duplicates, 1);
    assert_int_equal(status_of(f, a), NT_STATUS_CONFIRMED);
    assert_int_equal(status_of(f, b), NT_STATUS_REJECTED);
    free(res);
}

/* the real ChongLuaDao list: every line parses */
static int count_lines(void *ctx, unsigned line, nt_ind_type type, const char *canonical,
                       const char *error)
{
    (void)line;
    (void)type;
    (void)canonical;
    size_t *c = ctx;
    c[error ? 1 : 0]++;
    return 0;
}

static void test_import_chongluadao_parse(void **state)
{
    fx *f = *state;
    const char *p = tu_shared_path("chongluadao-blocklist/urls.txt");
    if (!p) {
        skip();
        return;
    }
    size_t len;
    char *data = tu_read_file(p, &len);
    assert_non_null(data);
    size_t c[2] = {0, 0};
    nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = "chongluadao"};
    assert_int_equal(nt_import_parse(f->banks, &io, data, len, count_lines, c, NULL), NT_OK);
    assert_true(c[0] > 34000);
    assert_int_equal(c[1], 0);
    free(data);
}

/* ---- bad input ----------------------------------------------------------------------------------
 */

static void test_bad_input(void **state)
{
    fx *f = *state;
    nt_diag d;
    int64_t rid, iid;
    report(f, NT_IND_PHONE, "0912345678", "an", 0);
    size_t before = count_indicators(f);

    /* SQL-looking values are data */
    const char *sql = "'; DROP TABLE indicators; --";
    nt_report_in in = {.type = NT_IND_SOCIAL,
                       .value = "@robert",
                       .value_len = 7,
                       .reporter = sql,
                       .evidence = sql,
                       .evidence_len = strlen(sql)};
    assert_int_equal(nt_store_report_add(f->st, &in, &rid, &iid, NULL), NT_OK);
    assert_int_equal(count_indicators(f), before + 1);
    before++;

    struct {
        nt_ind_type type;
        const char *value;
        nt_err want;
        const char *msg;
    } bad[] = {
        {NT_IND_PHONE, "12", NT_ERR_INVALID, ""},
        {NT_IND_URL, "", NT_ERR_INVALID, ""},
        {NT_IND_DOMAIN, "'; DROP TABLE indicators; --", NT_ERR_INVALID, ""},
        {NT_IND_NATIONAL_ID, "001099012345", NT_ERR_UNSUPPORTED, "personal data"},
        {(nt_ind_type)77, "x", NT_ERR_INVALID_ARG, "unknown indicator type"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nt_report_in b = {
            .type = bad[i].type, .value = bad[i].value, .value_len = strlen(bad[i].value)};
        nt_diag_clear(&d);
        assert_int_equal(nt_store_report_add(f->st, &b, &rid, &iid, &d), bad[i].want);
        assert_non_null(strstr(d.message, bad[i].msg));
    }
    /* huge evidence, invalid UTF-8, unknown channel, negative amount */
    char *huge = malloc(NT_MAX_EVIDENCE_BYTES + 2);
    memset(huge, 'a', NT_MAX_EVIDENCE_BYTES + 1);
    nt_report_in h = {.type = NT_IND_PHONE,
                      .value = "0912345678",
                      .value_len = 10,
                      .evidence = huge,
                      .evidence_len = NT_MAX_EVIDENCE_BYTES + 1};
    nt_diag_clear(&d);
    assert_int_equal(nt_store_report_add(f->st, &h, &rid, &iid, &d), NT_ERR_TOO_BIG);
    assert_non_null(strstr(d.message, "evidence"));
    h.evidence_len = NT_MAX_EVIDENCE_BYTES; /* at the limit: fine */
    assert_int_equal(nt_store_report_add(f->st, &h, &rid, &iid, NULL), NT_OK);
    free(huge);
    nt_report_in u = {.type = NT_IND_PHONE,
                      .value = "0912345678",
                      .value_len = 10,
                      .evidence = "ok \xc3\x28 bad",
                      .evidence_len = 10};
    nt_diag_clear(&d);
    assert_int_equal(nt_store_report_add(f->st, &u, &rid, &iid, &d), NT_ERR_UTF8);
    assert_int_equal(d.offset, 3);
    u.evidence = NULL;
    u.evidence_len = 0;
    u.reporter = "an\xff";
    assert_int_equal(nt_store_report_add(f->st, &u, &rid, &iid, NULL), NT_ERR_UTF8);
    u.reporter = "an";
    u.channel = "pigeon";
    assert_int_equal(nt_store_report_add(f->st, &u, &rid, &iid, NULL), NT_ERR_INVALID);
    u.channel = NULL;
    u.amount = -5;
    assert_int_equal(nt_store_report_add(f->st, &u, &rid, &iid, NULL), NT_ERR_INVALID);
    assert_int_equal(count_indicators(f), before);
    nt_store_indicator ind;
    assert_int_equal(nt_store_find(f->st, NT_IND_PHONE, "+84912345678", &ind, NULL), NT_OK);
    assert_int_equal(ind.n_reports, 2); /* the first report and the one at the limit */
    nt_store_indicator_release(&ind);
}

/* ---- expiry -------------------------------------------------------------------------------------
 */

static void test_expire(void **state)
{
    fx *f = *state;
    int64_t a = report(f, NT_IND_PHONE, "0912000001", "an", 0);
    int64_t b = report(f, NT_IND_PHONE, "0912000002", "an", 0);
    int64_t c = report(f, NT_IND_PHONE, "0912000003", "an", 0);
    assert_int_equal(nt_store_transition(f->st, b, NT_ACTION_CONFIRM, "lan", "ok", NULL), NT_OK);
    assert_int_equal(nt_store_transition(f->st, c, NT_ACTION_CONFIRM, "lan", "ok", NULL), NT_OK);
    assert_int_equal(nt_store_transition(f->st, c, NT_ACTION_DISPUTE, "o", "appeal", NULL), NT_OK);
    f->now += 100 * DAY;
    int64_t fresh = report(f, NT_IND_PHONE, "0912000004", "an", 0);
    size_t n;
    assert_int_equal(nt_store_expire(f->st, 90, "cron", &n, NULL), NT_OK);
    assert_int_equal(n, 2);
    assert_int_equal(status_of(f, a), NT_STATUS_EXPIRED);
    assert_int_equal(status_of(f, b), NT_STATUS_EXPIRED);
    assert_int_equal(status_of(f, c), NT_STATUS_DISPUTED); /* a person is on it */
    assert_int_equal(status_of(f, fresh), NT_STATUS_REPORTED);
    assert_int_equal(nt_store_expire(f->st, -1, "cron", &n, NULL), NT_ERR_INVALID);
    report(f, NT_IND_PHONE, "0912000001", "binh", 0);
    assert_int_equal(status_of(f, a), NT_STATUS_REPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reputation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact_encryption, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_chongluadao_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expire, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
