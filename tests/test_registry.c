/*
 * tests/test_registry.c - the registry's lookups and index (lib/registry):
 * canonicalise-then-match for every type, Safe Browsing URL expressions,
 * parent and registrable domains, account digits, fingerprint collisions
 * (every key forced onto one hash), growth, readers running while a writer
 * inserts and updates, the index rebuilt at open, the explanations, batch
 * and exact-key lookups, and a
 * child process killed with SIGKILL in the middle of an import and a burst
 * of reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "niemtin/niemtin.h"
#include "registry/index.h"
#include "testutil.h"

#define T0 1767225600LL

typedef struct fx {
    char dir[256];
    char path[300];
    int64_t now;
    nt_banks *banks;
    nt_registry *reg;
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
    nt_err rc = nt_registry_open(&cfg, &f->reg, &d);
    if (rc)
        fprintf(stderr, "open: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/nt_registry_XXXXXX");
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
    nt_registry_close(f->reg);
    nt_banks_free(f->banks);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int64_t report(fx *f, nt_ind_type type, const char *value, const char *reporter)
{
    nt_report_in in = {
        .type = type, .value = value, .value_len = strlen(value), .reporter = reporter};
    int64_t rid, iid;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_registry_report(f->reg, &in, &rid, &iid, &d);
    if (rc)
        fprintf(stderr, "report %s: %s\n", value, d.message);
    assert_int_equal(rc, NT_OK);
    return iid;
}

/* Look raw up as type; return the number of matches, and the first match's
 * value and via through the out-parameters. */
static size_t look(fx *f, nt_ind_type type, const char *raw, const char **value, nt_match_via *via,
                   nt_status *status)
{
    nt_reg_answer a;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_registry_lookup(f->reg, type, raw, strlen(raw), &a, &d);
    if (rc)
        fprintf(stderr, "lookup %s: %s\n", raw, d.message);
    assert_int_equal(rc, NT_OK);
    if (a.n_matches) {
        if (value)
            *value = a.matches[0].value;
        if (via)
            *via = a.matches[0].via;
        if (status)
            *status = a.matches[0].status;
    }
    size_t n = a.n_matches;
    nt_reg_answer_release(&a);
    return n;
}

/* ---- lookups --------------------------------------------------------------------------------- */

static void test_exact(void **state)
{
    fx *f = *state;
    const char *v;
    nt_match_via via;
    nt_status st;
    report(f, NT_IND_PHONE, "+84 912 345 678", "an");
    report(f, NT_IND_BANK_ACCOUNT, "Vietcombank 0123 456 789", "an");
    report(f, NT_IND_BANK_ACCOUNT, "5555666677", "an");
    report(f, NT_IND_EMAIL, "Scam@Example.COM", "an");
    report(f, NT_IND_SOCIAL, "t.me/hotro_vcb24", "an");

    assert_int_equal(look(f, NT_IND_PHONE, "0912 345 678", &v, &via, &st), 1);
    assert_string_equal(v, "+84912345678");
    assert_int_equal(via, NT_MATCH_EXACT);
    assert_int_equal(st, NT_STATUS_REPORTED);
    assert_int_equal(look(f, NT_IND_PHONE, "0912.345.678", NULL, NULL, NULL), 1);
    assert_int_equal(look(f, NT_IND_PHONE, "0912 345 679", NULL, NULL, NULL), 0);
    assert_int_equal(look(f, NT_IND_BANK_ACCOUNT, "VCB:0123456789", &v, &via, NULL), 1);
    assert_int_equal(via, NT_MATCH_EXACT);
    /* the digits alone find the account at its bank ... */
    assert_int_equal(look(f, NT_IND_BANK_ACCOUNT, "0123456789", &v, &via, NULL), 1);
    assert_string_equal(v, "VCB:0123456789");
    assert_int_equal(via, NT_MATCH_ACCOUNT_DIGITS);
    /* ... and an account reported without its bank is found with one */
    assert_int_equal(look(f, NT_IND_BANK_ACCOUNT, "Techcombank 5555666677", &v, &via, NULL), 1);
    assert_string_equal(v, "5555666677");
    assert_int_equal(via, NT_MATCH_ACCOUNT_DIGITS);
    assert_int_equal(look(f, NT_IND_BANK_ACCOUNT, "TCB:0123456789", NULL, NULL, NULL), 0);
    assert_int_equal(look(f, NT_IND_EMAIL, "scam@example.com", NULL, NULL, NULL), 1);
    assert_int_equal(look(f, NT_IND_SOCIAL, "https://t.me/hotro_vcb24", &v, NULL, NULL), 1);
    assert_string_equal(v, "telegram:hotro_vcb24");

    /* a phone number is not found as something else */
    nt_reg_answer a;
    assert_int_equal(nt_registry_lookup_canonical(f->reg, NT_IND_SOCIAL, "+84912345678", &a),
                     NT_OK);
    assert_int_equal(a.n_matches, 0);
    /* a value that does not canonicalise is an error naming why */
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_registry_lookup(f->reg, NT_IND_PHONE, "12", 2, &a, &d), NT_ERR_INVALID);
    assert_true(d.message[0] != '\0');
}

static void test_url_expressions(void **state)
{
    fx *f = *state;
    const char *v;
    nt_match_via via;
    const char *list = "evil.com\n"
                       "sites.google.com/site/bad\n"
                       "http://phish.vn/login\n"
                       "5.6.7.8\n"
                       "bucket.s3.dualstack.us-east-1.amazonaws.com\n";
    nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = "cld", .file = "urls.txt"};
    nt_import_result *res = calloc(1, sizeof *res);
    assert_int_equal(nt_registry_import(f->reg, &io, list, strlen(list), res, NULL), NT_OK);
    assert_int_equal(res->added, 5);
    free(res);

    assert_int_equal(look(f, NT_IND_DOMAIN, "EVIL.com.", &v, &via, NULL), 1);
    assert_int_equal(via, NT_MATCH_EXACT);
    assert_int_equal(look(f, NT_IND_URL, "http://evil.com/anything?x=1", &v, &via, NULL), 1);
    assert_int_equal(via, NT_MATCH_HOST);
    assert_int_equal(look(f, NT_IND_URL, "hxxps://a.b.evil[.]com/x", &v, &via, NULL), 1);
    assert_string_equal(v, "evil.com");
    assert_int_equal(via, NT_MATCH_PARENT_DOMAIN);
    assert_int_equal(look(f, NT_IND_DOMAIN, "www.evil.com", &v, &via, NULL), 1);
    assert_int_equal(via, NT_MATCH_PARENT_DOMAIN);
    assert_int_equal(look(f, NT_IND_DOMAIN, "notevil.com", NULL, NULL, NULL), 0);
    assert_int_equal(look(f, NT_IND_DOMAIN, "evil.com.vn", NULL, NULL, NULL), 0);

    assert_int_equal(look(f, NT_IND_URL, "https://sites.google.com/site/bad", &v, &via, NULL), 1);
    assert_int_equal(via, NT_MATCH_EXACT);
    assert_int_equal(
        look(f, NT_IND_URL, "https://sites.google.com/site/bad?ref=zalo", &v, &via, NULL), 1);
    assert_int_equal(via, NT_MATCH_URL_EXPRESSION);
    assert_string_equal(v, "sites.google.com/site/bad");
    assert_int_equal(look(f, NT_IND_URL, "https://sites.google.com/site/good", NULL, NULL, NULL),
                     0);
    assert_int_equal(look(f, NT_IND_DOMAIN, "sites.google.com", NULL, NULL, NULL), 0);
    assert_int_equal(look(f, NT_IND_DOMAIN, "google.com", NULL, NULL, NULL), 0);
    assert_int_equal(look(f, NT_IND_URL, "http://m.phish.vn/login", &v, &via, NULL), 1);
    assert_string_equal(v, "phish.vn/login");
    assert_int_equal(via, NT_MATCH_URL_EXPRESSION);
    assert_int_equal(look(f, NT_IND_URL, "http://phish.vn/", NULL, NULL, NULL), 0);

    assert_int_equal(look(f, NT_IND_URL, "http://5.6.7.8/wp-admin", &v, &via, NULL), 1);
    assert_int_equal(via, NT_MATCH_IP_HOST);
    assert_int_equal(look(f, NT_IND_URL, "http://0x05060708/", &v, &via, NULL), 1);
    assert_int_equal(look(f, NT_IND_IP, "5.6.7.8", &v, &via, NULL), 1);
    assert_int_equal(via, NT_MATCH_EXACT);

    /* a host deeper than the five labels Safe Browsing checks is still caught
     * by its registrable domain */
    assert_int_equal(look(f, NT_IND_URL,
                          "http://a.b.c.bucket.s3.dualstack.us-east-1.amazonaws.com/", &v, &via,
                          NULL),
                     1);
    assert_int_equal(via, NT_MATCH_REGISTRABLE_DOMAIN);
    assert_int_equal(
        look(f, NT_IND_DOMAIN, "other.s3.dualstack.us-east-1.amazonaws.com", NULL, NULL, NULL), 0);
    /* the extractor's form: canonical with scheme */
    nt_reg_answer a;
    assert_int_equal(nt_registry_lookup_canonical(f->reg, NT_IND_URL, "http://x.evil.com/", &a),
                     NT_OK);
    assert_int_equal(a.n_matches, 1);
    assert_int_equal(a.status, NT_STATUS_CONFIRMED);
    assert_string_equal(a.matches[0].source, "cld");
}

static void test_guess_and_explain(void **state)
{
    fx *f = *state;
    nt_ind_type t[4];
    assert_int_equal(nt_registry_guess_types(f->reg, "0912 345 678", 12, t), 2);
    assert_int_equal(t[0], NT_IND_PHONE);
    assert_int_equal(t[1], NT_IND_BANK_ACCOUNT);
    assert_int_equal(nt_registry_guess_types(f->reg, "evil.com", 8, t), 1);
    assert_int_equal(t[0], NT_IND_DOMAIN);
    assert_int_equal(nt_registry_guess_types(f->reg, "http://evil.com/x", 17, t), 1);
    assert_int_equal(t[0], NT_IND_URL);
    assert_int_equal(nt_registry_guess_types(f->reg, "a@b.vn", 6, t), 1);
    assert_int_equal(t[0], NT_IND_EMAIL);
    assert_int_equal(nt_registry_guess_types(f->reg, "1.2.3.4", 7, t), 1);
    assert_int_equal(t[0], NT_IND_IP);
    assert_int_equal(nt_registry_guess_types(f->reg, "xin chào", 9, t), 0);

    int64_t id = 0;
    for (int i = 0; i < 12; i++) {
        char who[16];
        snprintf(who, sizeof who, "r%d", i % 9);
        id = report(f, NT_IND_PHONE, "0912345678", who);
    }
    f->now = T0 + 2 * 86400;
    assert_int_equal(nt_registry_decide(f->reg, id, NT_ACTION_CONFIRM, "lan", "ok", NULL), NT_OK);
    nt_reg_answer a;
    char buf[512];
    assert_int_equal(nt_registry_lookup_canonical(f->reg, NT_IND_PHONE, "+84912345678", &a), NT_OK);
    assert_int_equal(a.n_matches, 1);
    assert_int_equal(a.matches[0].n_reports, 12);
    assert_int_equal(a.matches[0].n_reporters, 9);
    nt_reg_explain(&a.matches[0], 0, buf, sizeof buf);
    assert_non_null(strstr(
        buf,
        "12 báo cáo từ 9 người báo cáo, được chuyên viên xác nhận là lừa đảo ngày 2026-01-03"));
    nt_reg_explain(&a.matches[0], 1, buf, sizeof buf);
    assert_non_null(strstr(
        buf, "12 reports from 9 reporters, confirmed as a scam by an analyst on 2026-01-03"));
    assert_true(a.score > 90);
}

/* The batch call answers exactly as one call per value does (over several
 * windows, hits and misses of every kind mixed); exact lookups check the one
 * key only. */
static void test_batch_and_exact(void **state)
{
    fx *f = *state;
    const char *list = "evil.com\n"
                       "sites.google.com/site/bad\n"
                       "5.6.7.8\n"
                       "bucket.s3.dualstack.us-east-1.amazonaws.com\n";
    nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = "cld", .file = "urls.txt"};
    assert_int_equal(nt_registry_import(f->reg, &io, list, strlen(list), NULL, NULL), NT_OK);
    report(f, NT_IND_PHONE, "0912 345 678", "an");
    report(f, NT_IND_PHONE, "0912 345 678", "binh");
    report(f, NT_IND_BANK_ACCOUNT, "Vietcombank 0123 456 789", "an");
    report(f, NT_IND_BANK_ACCOUNT, "0123456789", "binh");
    static const struct {
        nt_ind_type t;
        const char *v;
    } q[] = {
        {NT_IND_PHONE, "+84912345678"},
        {NT_IND_PHONE, "+84912345679"},
        {NT_IND_BANK_ACCOUNT, "VCB:0123456789"},
        {NT_IND_BANK_ACCOUNT, "0123456789"},
        {NT_IND_BANK_ACCOUNT, "TCB:0123456789"},
        {NT_IND_BANK_ACCOUNT, "VCB:9999999999"},
        {NT_IND_DOMAIN, "evil.com"},
        {NT_IND_DOMAIN, "a.b.evil.com"},
        {NT_IND_DOMAIN, "notevil.com"},
        {NT_IND_URL, "http://x.evil.com/login?a=1"},
        {NT_IND_URL, "https://sites.google.com/site/bad?ref=zalo"},
        {NT_IND_URL, "sites.google.com/site/good"},
        {NT_IND_URL, "http://a.b.c.bucket.s3.dualstack.us-east-1.amazonaws.com/x"},
        {NT_IND_URL, "http://0x05060708/wp"},
        {NT_IND_IP, "5.6.7.8"},
        {NT_IND_EMAIL, "nobody@example.com"},
    };
    enum { NQ = sizeof q / sizeof q[0], N = 3 * NQ + 5 };
    nt_ind_type types[N];
    const char *vals[N];
    nt_reg_answer *batch = calloc(N, sizeof *batch);
    assert_non_null(batch);
    for (int i = 0; i < N; i++) {
        types[i] = q[(i * 7) % NQ].t;
        vals[i] = q[(i * 7) % NQ].v;
    }
    assert_int_equal(nt_registry_lookup_batch(f->reg, N, types, vals, 0, batch), NT_OK);
    size_t hits = 0;
    for (int i = 0; i < N; i++) {
        nt_reg_answer one;
        assert_int_equal(nt_registry_lookup_canonical(f->reg, types[i], vals[i], &one), NT_OK);
        if (batch[i].n_matches != one.n_matches || batch[i].n_total != one.n_total ||
            batch[i].status != one.status || batch[i].score != one.score)
            fail_msg("batch answer %d (%s) differs from the single one", i, vals[i]);
        for (size_t k = 0; k < one.n_matches; k++) {
            assert_int_equal(batch[i].matches[k].id, one.matches[k].id);
            assert_int_equal(batch[i].matches[k].via, one.matches[k].via);
            assert_string_equal(batch[i].matches[k].value, one.matches[k].value);
        }
        hits += one.n_matches > 0;
    }
    assert_true(hits > N / 2 && hits < (size_t)N); /* hits and misses both */
    /* exact: the one key, nothing derived from it */
    static const struct {
        nt_ind_type t;
        const char *v;
        size_t want;
    } ex[] = {
        {NT_IND_DOMAIN, "evil.com", 1},
        {NT_IND_DOMAIN, "a.b.evil.com", 0}, /* the rules find it by its parent */
        {NT_IND_URL, "http://sites.google.com/site/bad", 1},
        {NT_IND_URL, "sites.google.com/site/bad", 1},
        {NT_IND_URL, "sites.google.com/site/bad?ref=zalo", 0},
        {NT_IND_BANK_ACCOUNT, "VCB:0123456789", 1},
        {NT_IND_BANK_ACCOUNT, "TCB:0123456789", 0}, /* the rules find it by its digits */
        {NT_IND_PHONE, "+84912345678", 1},
        {NT_IND_PHONE, "+84912345679", 0},
    };
    enum { NE = sizeof ex / sizeof ex[0] };
    nt_ind_type et[NE];
    const char *ev[NE];
    for (int i = 0; i < NE; i++) {
        nt_reg_answer a;
        assert_int_equal(nt_registry_lookup_exact(f->reg, ex[i].t, ex[i].v, &a), NT_OK);
        if (a.n_matches != ex[i].want)
            fail_msg("exact %s: %zu matches, want %zu", ex[i].v, a.n_matches, ex[i].want);
        if (a.n_matches)
            assert_int_equal(a.matches[0].via, NT_MATCH_EXACT);
        et[i] = ex[i].t;
        ev[i] = ex[i].v;
    }
    assert_int_equal(nt_registry_lookup_batch(f->reg, NE, et, ev, NT_LOOKUP_EXACT, batch), NT_OK);
    for (int i = 0; i < NE; i++)
        assert_int_equal(batch[i].n_matches, ex[i].want);
    /* a NULL value is an error for that answer only */
    ev[1] = NULL;
    assert_int_equal(nt_registry_lookup_batch(f->reg, NE, et, ev, NT_LOOKUP_EXACT, batch),
                     NT_ERR_INVALID_ARG);
    assert_int_equal(batch[1].n_matches, 0);
    assert_int_equal(batch[2].n_matches, 1);
    assert_int_equal(nt_registry_lookup_batch(f->reg, 0, NULL, NULL, 0, NULL), NT_OK);
    free(batch);
}

/* ---- the index itself ------------------------------------------------------------------------ */

static uint64_t same_hash(nt_ind_type type, int digits, const char *key, size_t len)
{
    (void)type;
    (void)digits;
    (void)key;
    (void)len;
    return 0x1234567800000042ull;
}

static void put(nt__index *ix, int64_t id, nt_ind_type type, const char *value, nt_status st)
{
    nt_store_indicator ind = {.id = id,
                              .type = type,
                              .value = value,
                              .status = st,
                              .first_seen = T0,
                              .last_seen = T0,
                              .status_at = T0};
    assert_int_equal(nt__index_put(ix, &ind, NULL), NT_OK);
}

static int first_entry(void *ctx, const nt__index_entry *e)
{
    *(nt__index_entry *)ctx = *e;
    return 1;
}

static void test_collisions(void **state)
{
    (void)state;
    nt__index *ix;
    assert_int_equal(nt__index_new(90, &ix), NT_OK);
    nt__index_set_hash(ix, same_hash); /* every key has the same fingerprint and slot */
    char v[32];
    for (int i = 1; i <= 1500; i++) {
        snprintf(v, sizeof v, "+8491%07d", i);
        put(ix, i, NT_IND_PHONE, v, i % 2 ? NT_STATUS_CONFIRMED : NT_STATUS_REPORTED);
    }
    put(ix, 1501, NT_IND_DOMAIN, "+8491000007", NT_STATUS_REJECTED); /* same text, other type */
    for (int i = 1; i <= 1500; i += 7) {
        nt__index_entry e;
        snprintf(v, sizeof v, "+8491%07d", i);
        assert_int_equal(nt__index_find(ix, NT_IND_PHONE, 0, v, strlen(v), first_entry, &e), 1);
        assert_int_equal(e.ind, i);
        assert_string_equal(e.value, v);
        assert_int_equal(e.status, i % 2 ? NT_STATUS_CONFIRMED : NT_STATUS_REPORTED);
    }
    nt__index_entry e;
    assert_int_equal(nt__index_find(ix, NT_IND_DOMAIN, 0, "+8491000007", 11, first_entry, &e), 1);
    assert_int_equal(e.ind, 1501);
    assert_int_equal(nt__index_find(ix, NT_IND_PHONE, 0, "+8491999999", 11, NULL, NULL), 0);
    assert_int_equal(nt__index_find(ix, NT_IND_WALLET, 0, "+8491000001", 11, NULL, NULL), 0);
    nt__index_free(ix);
}

static void test_growth_and_memory(void **state)
{
    (void)state;
    nt__index *ix;
    assert_int_equal(nt__index_new(90, &ix), NT_OK);
    const int n = 200000;
    char v[48];
    for (int i = 1; i <= n; i++) {
        snprintf(v, sizeof v, "scam-%d.example.vn", i);
        put(ix, i, NT_IND_DOMAIN, v, NT_STATUS_CONFIRMED);
    }
    for (int i = 1; i <= n; i++) {
        snprintf(v, sizeof v, "scam-%d.example.vn", i);
        nt__index_entry e;
        if (nt__index_find(ix, NT_IND_DOMAIN, 0, v, strlen(v), first_entry, &e) != 1)
            fail_msg("lost %s after growth", v);
        assert_int_equal(e.ind, i);
    }
    nt__index_stats st;
    nt__index_stats_get(ix, &st);
    assert_int_equal(st.indicators, (size_t)n);
    assert_true(st.keys * 4 <= st.slots * 3);
    double per = (double)(st.bytes_slots + st.bytes_records + st.bytes_refs) / n;
    fprintf(stderr, "index: %d indicators, %zu slots, %.1f bytes/indicator (+ %.1f values)\n", n,
            st.slots, per, (double)st.bytes_values / n);
    assert_true(per <= 64.0);
    nt__index_free(ix);
}

/* Readers look up a fixed set of keys while the writer grows the table many
 * times and flips those keys' statuses: a key is never missing and its
 * status is always one of the two states written. */
typedef struct race {
    nt__index *ix;
    atomic_int stop;
    atomic_long lookups;
    atomic_int errors;
} race;

#define STABLE 500

static void *reader(void *arg)
{
    race *r = arg;
    char v[32];
    long n = 0;
    while (!atomic_load(&r->stop)) {
        for (int i = 1; i <= STABLE; i++) {
            snprintf(v, sizeof v, "+8490%07d", i);
            nt__index_entry e;
            if (nt__index_find(r->ix, NT_IND_PHONE, 0, v, strlen(v), first_entry, &e) != 1 ||
                e.ind != (uint32_t)i ||
                (e.status != NT_STATUS_REPORTED && e.status != NT_STATUS_CONFIRMED) ||
                e.n_reports != e.n_reporters * 2u)
                atomic_fetch_add(&r->errors, 1);
            n++;
        }
    }
    atomic_fetch_add(&r->lookups, n);
    return NULL;
}

static void test_concurrent_readers(void **state)
{
    (void)state;
    race r = {0};
    assert_int_equal(nt__index_new(90, &r.ix), NT_OK);
    char v[48];
    for (int i = 1; i <= STABLE; i++) {
        snprintf(v, sizeof v, "+8490%07d", i);
        put(r.ix, i, NT_IND_PHONE, v, NT_STATUS_REPORTED);
    }
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reader, &r), 0);
    for (int i = 1; i <= 150000; i++) {
        snprintf(v, sizeof v, "new-%d.example.vn", i);
        put(r.ix, STABLE + i, NT_IND_DOMAIN, v, NT_STATUS_CONFIRMED);
        if (i % 50 == 0) {
            int k = 1 + (i / 50) % STABLE;
            snprintf(v, sizeof v, "+8490%07d", k);
            nt_store_indicator ind = {.id = k,
                                      .type = NT_IND_PHONE,
                                      .value = v,
                                      .status =
                                          (i / 50) % 2 ? NT_STATUS_CONFIRMED : NT_STATUS_REPORTED,
                                      .n_reports = (uint32_t)(2 * (i % 7)),
                                      .n_reporters = (uint32_t)(i % 7)};
            assert_int_equal(nt__index_put(r.ix, &ind, NULL), NT_OK);
        }
    }
    atomic_store(&r.stop, 1);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    fprintf(stderr, "concurrent: %ld lookups during 150000 inserts, %d errors\n",
            atomic_load(&r.lookups), atomic_load(&r.errors));
    assert_int_equal(atomic_load(&r.errors), 0);
    assert_true(atomic_load(&r.lookups) > 0);
    nt__index_free(r.ix);
}

/* The same through the registry: lookups while reports and decisions are
 * written; once a value has been seen it is never lost again. */
typedef struct rrace {
    fx *f;
    atomic_int stop, errors;
    atomic_long lookups;
} rrace;

static void *reg_reader(void *arg)
{
    rrace *r = arg;
    int seen[60] = {0};
    char v[32];
    long n = 0;
    while (!atomic_load(&r->stop)) {
        for (int i = 0; i < 60; i++) {
            snprintf(v, sizeof v, "+8498%07d", i);
            nt_reg_answer a;
            if (nt_registry_lookup_canonical(r->f->reg, NT_IND_PHONE, v, &a) != NT_OK)
                atomic_fetch_add(&r->errors, 1);
            if (a.n_matches)
                seen[i] = 1;
            else if (seen[i])
                atomic_fetch_add(&r->errors, 1);
            n++;
        }
    }
    atomic_fetch_add(&r->lookups, n);
    return NULL;
}

static void test_registry_concurrent(void **state)
{
    fx *f = *state;
    rrace r = {.f = f};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reg_reader, &r), 0);
    char v[32];
    for (int i = 0; i < 60; i++) {
        snprintf(v, sizeof v, "+8498%07d", i);
        int64_t id = report(f, NT_IND_PHONE, v, "an");
        if (i % 2)
            assert_int_equal(nt_registry_decide(f->reg, id, NT_ACTION_CONFIRM, "lan", "ok", NULL),
                             NT_OK);
    }
    atomic_store(&r.stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&r.errors), 0);
    nt_reg_answer a;
    assert_int_equal(nt_registry_lookup_canonical(f->reg, NT_IND_PHONE, "+84980000001", &a), NT_OK);
    assert_int_equal(a.status, NT_STATUS_CONFIRMED);
}

static void test_reopen_rebuilds(void **state)
{
    fx *f = *state;
    int64_t id = report(f, NT_IND_PHONE, "0912345678", "an");
    report(f, NT_IND_BANK_ACCOUNT, "VCB 0123456789", "an");
    assert_int_equal(nt_registry_decide(f->reg, id, NT_ACTION_CONFIRM, "lan", "ok", NULL), NT_OK);
    nt_registry_close(f->reg);
    fx_open(f);
    nt_status st;
    const char *v;
    assert_int_equal(look(f, NT_IND_PHONE, "0912345678", NULL, NULL, &st), 1);
    assert_int_equal(st, NT_STATUS_CONFIRMED);
    assert_int_equal(look(f, NT_IND_BANK_ACCOUNT, "0123456789", &v, NULL, NULL), 1);
    assert_string_equal(v, "VCB:0123456789");
    nt_registry_stats s;
    nt_registry_stats_get(f->reg, &s);
    assert_int_equal(s.indicators, 2);
    assert_int_equal(s.keys, 3);
}

/* ---- kill -9 -----------------------------------------------------------------------------------
 */

#define KILL_LIST_LINES 60000

static void child_work(const char *path, int ackfd)
{
    nt_banks *banks = NULL;
    nt_registry *reg = NULL;
    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = path;
    if (nt_banks_load(tu_data_path("banks.tsv"), &banks, NULL) || (cfg.banks = banks, 0) ||
        nt_registry_open(&cfg, &reg, NULL))
        _exit(3);
    char v[32];
    size_t cap = (size_t)KILL_LIST_LINES * 40, n = 0;
    char *list = malloc(cap);
    for (int i = 0; i < KILL_LIST_LINES; i++)
        n += (size_t)snprintf(list + n, cap - n, "killtest-%d.example.vn\n", i);
    for (int round = 0;; round++) {
        for (int i = 0; i < 20; i++) {
            snprintf(v, sizeof v, "+8497%03d%04d", round % 1000, i);
            nt_report_in in = {
                .type = NT_IND_PHONE, .value = v, .value_len = strlen(v), .reporter = "burst"};
            int64_t rid, iid;
            if (nt_registry_report(reg, &in, &rid, &iid, NULL) != NT_OK)
                _exit(4);
            /* acknowledged: committed before we say so */
            int32_t ack = round * 100 + i;
            if (write(ackfd, &ack, sizeof ack) != sizeof ack)
                _exit(5);
        }
        int32_t mark = -1 - round; /* "an import starts now" */
        if (write(ackfd, &mark, sizeof mark) != sizeof mark)
            _exit(5);
        char name[32];
        snprintf(name, sizeof name, "kill%d", round);
        nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = name, .file = "kill.txt"};
        if (nt_registry_import(reg, &io, list, n, NULL, NULL) != NT_OK)
            _exit(6);
    }
}

typedef struct imp_count {
    size_t per_source[64];
} imp_count;

static int count_by_source(void *ctx, const nt_store_indicator *ind)
{
    imp_count *c = ctx;
    if (ind->type == NT_IND_DOMAIN && ind->source_id > 0 && ind->source_id < 64)
        c->per_source[ind->source_id]++;
    return 0;
}

static void test_kill9(void **state)
{
    fx *f = *state;
    nt_registry_close(f->reg);
    f->reg = NULL;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_work(f->path, fds[1]);
        _exit(0);
    }
    close(fds[1]);
    /* wait until the child is inside its second import, then kill it */
    int32_t acks[4096];
    size_t nacks = 0;
    int marks = 0;
    struct timespec delay = {0, 30 * 1000 * 1000};
    while (marks < 2) {
        int32_t a;
        ssize_t got = read(fds[0], &a, sizeof a);
        assert_int_equal(got, sizeof a);
        if (a < 0)
            marks++;
        else if (nacks < 4096)
            acks[nacks++] = a;
    }
    /* nothing but the import writes from now on: kill the child as soon as
     * the WAL file is written (the transaction spilling its pages), or
     * after a short delay if that is not seen */
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    struct stat sb;
    struct timespec m0 = {0, 0};
    if (stat(wal, &sb) == 0)
        m0 = sb.st_mtim;
    int writing = 0;
    struct timespec tick = {0, 200 * 1000};
    for (int i = 0; i < 25000 && !writing; i++) {
        nanosleep(&tick, NULL);
        writing = stat(wal, &sb) == 0 &&
                  (sb.st_mtim.tv_sec != m0.tv_sec || sb.st_mtim.tv_nsec != m0.tv_nsec);
    }
    if (!writing)
        nanosleep(&delay, NULL);
    kill(pid, SIGKILL);
    int wst;
    waitpid(pid, &wst, 0);
    assert_true(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
    /* drain acks written before the kill */
    int32_t a;
    while (read(fds[0], &a, sizeof a) == sizeof a)
        if (a >= 0 && nacks < 4096)
            acks[nacks++] = a;
    close(fds[0]);

    fx_open(f);
    /* every acknowledged report is there */
    for (size_t i = 0; i < nacks; i++) {
        char v[32];
        snprintf(v, sizeof v, "+8497%03d%04d", acks[i] / 100 % 1000, acks[i] % 100);
        if (look(f, NT_IND_PHONE, v, NULL, NULL, NULL) != 1)
            fail_msg("acknowledged report %s lost", v);
    }
    /* each import is all or nothing */
    imp_count c = {0};
    assert_int_equal(nt_store_list(nt_registry_store(f->reg), 0, 0, 0, count_by_source, &c, NULL),
                     NT_OK);
    size_t full = 0, partial = 0;
    for (int s = 0; s < 64; s++) {
        if (c.per_source[s] == KILL_LIST_LINES)
            full++;
        else if (c.per_source[s] != 0)
            partial++;
    }
    fprintf(stderr,
            "kill -9 %s: %zu acknowledged reports kept, %zu complete import(s), %zu partial\n",
            writing ? "while the import was writing the WAL" : "during the import", nacks, full,
            partial);
    assert_int_equal(partial, 0);
    /* the first import finished; the one killed left nothing (or, if the kill
     * came just after its commit, all of it) */
    assert_true(full == 1 || full == 2);
    assert_int_equal(look(f, NT_IND_DOMAIN, "killtest-59999.example.vn", NULL, NULL, NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_expressions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guess_and_explain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_and_exact, setup, teardown),
        cmocka_unit_test(test_collisions),
        cmocka_unit_test(test_growth_and_memory),
        cmocka_unit_test(test_concurrent_readers),
        cmocka_unit_test_setup_teardown(test_registry_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_rebuilds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
