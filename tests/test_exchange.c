/*
 * tests/test_exchange.c - the registry's exchange formats: STIX 2.1 and CSV
 * import (patterns with OR and IN, the custom phone and bank-account objects,
 * validity, revocation, confidence, publishers as sources; RFC 4180 quoting
 * with commas, quotes and line breaks), every malformed input naming its
 * object or line and column, all-or-nothing imports, and export: STIX with
 * stable UUIDv5 ids, CSV and hosts; export -> import -> export keeps the set
 * of confirmed indicators, and a second round trip gives the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "niemtin/niemtin.h"
#include "store/exchange.h"
#include "testutil.h"

#define T0 1767225600LL /* 2026-01-01T00:00:00Z */
#define DAY 86400LL

typedef struct fx {
    int64_t now;
    nt_banks *banks;
} fx;

static fx F;

static int64_t fx_clock(void *ctx)
{
    return ((fx *)ctx)->now;
}

static nt_store *open_mem(void)
{
    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = ":memory:";
    cfg.banks = F.banks;
    cfg.clock = fx_clock;
    cfg.clock_ctx = &F;
    nt_store *st = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_store_open(&cfg, &st, &d), NT_OK);
    return st;
}

static int setup(void **state)
{
    (void)state;
    F.now = T0 + 30 * DAY;
    if (!F.banks)
        assert_int_equal(nt_banks_load(tu_data_path("banks.tsv"), &F.banks, NULL), NT_OK);
    return 0;
}

static nt_err import(nt_store *st, nt_import_format fmt, const char *text, int skip_bad,
                     nt_import_result *res, nt_diag *d)
{
    nt_import_options io = {
        .format = fmt, .name = "partner", .file = "in.dat", .skip_bad = skip_bad};
    nt_diag_clear(d);
    return nt_store_import(st, &io, text, strlen(text), res, d);
}

static size_t count_status(nt_store *st, nt_status s);

static int count_one(void *ctx, const nt_store_indicator *ind)
{
    (void)ind;
    (*(size_t *)ctx)++;
    return 0;
}

static size_t count_status(nt_store *st, nt_status s)
{
    size_t n = 0;
    assert_int_equal(nt_store_list(st, s, 0, 0, count_one, &n, NULL), NT_OK);
    return n;
}

/* The name of the source that confirmed (type, canonical). */
typedef struct src_find {
    int64_t id;
    char name[256];
} src_find;

static int src_one(void *ctx, const nt_store_source *s)
{
    src_find *f = ctx;
    if (s->id == f->id)
        snprintf(f->name, sizeof f->name, "%s", s->name);
    return 0;
}

static void expect_listed(nt_store *st, nt_ind_type t, const char *canon, nt_status status,
                          const char *source, int64_t first_seen)
{
    nt_store_indicator ind;
    nt_diag d;
    nt_err rc = nt_store_find(st, t, canon, &ind, &d);
    if (rc)
        fail_msg("%s %s: %s", nt_ind_type_name(t), canon, d.message);
    assert_int_equal(ind.status, status);
    if (source) {
        src_find f = {.id = ind.source_id};
        assert_int_equal(nt_store_sources(st, src_one, &f, NULL), NT_OK);
        assert_string_equal(f.name, source);
    }
    if (first_seen)
        assert_int_equal(ind.first_seen, first_seen);
    nt_store_indicator_release(&ind);
}

static void expect_absent(nt_store *st, nt_ind_type t, const char *canon)
{
    nt_store_indicator ind;
    assert_int_equal(nt_store_find(st, t, canon, &ind, NULL), NT_ERR_NOT_FOUND);
}

/* ---- helpers: times, SHA-1, UUIDv5 ------------------------------------------------------------
 */

static void test_helpers(void **state)
{
    (void)state;
    int64_t t;
    char buf[32];
    assert_int_equal(nt__time_parse("2026-01-01T00:00:00Z", 20, &t), 0);
    assert_int_equal(t, T0);
    assert_int_equal(nt__time_parse("2026-01-01", 10, &t), 0);
    assert_int_equal(t, T0);
    assert_int_equal(nt__time_parse("2026-01-01T07:00:00.123+07:00", 29, &t), 0);
    assert_int_equal(t, T0);
    assert_int_equal(nt__time_parse("2024-02-29 12:00:00", 19, &t), 0);
    static const char *bad[] = {"2026-02-29",
                                "2026-13-01",
                                "2026-01-01T24:00:00Z",
                                "1969-12-31",
                                "2026-01-01T00:00Z",
                                "2026-01-01X",
                                "26-01-01",
                                ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(nt__time_parse(bad[i], strlen(bad[i]), &t), -1);
    nt__time_format(T0 + 3661, 1, buf);
    assert_string_equal(buf, "2026-01-01T01:01:01.000Z");
    nt__time_format(951782400, 0, buf); /* 2000-02-29 */
    assert_string_equal(buf, "2000-02-29T00:00:00Z");
    for (int64_t x = 0; x < 4102444800LL; x += 86400 * 37 + 12345) {
        nt__time_format(x, 0, buf);
        assert_int_equal(nt__time_parse(buf, strlen(buf), &t), 0);
        assert_int_equal(t, x);
    }
    unsigned char h[20];
    nt__sha1("abc", 3, h);
    assert_memory_equal(h,
                        "\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71\x78\x50\xc2\x6c\x9c\xd0"
                        "\xd8\x9d",
                        20);
    /* 56 bytes: the padding spills into a second block */
    nt__sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
    assert_memory_equal(h,
                        "\x84\x98\x3e\x44\x1c\x3b\xd2\x6e\xba\xae\x4a\xa1\xf9\x51\x29\xe5\xe5\x46"
                        "\x70\xf1",
                        20);
    static const unsigned char dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                          0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    char u[37];
    nt__uuid5(dns, "python.org", 10, u); /* Python's uuid documentation */
    assert_string_equal(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    nt__uuid5(dns, "niemtin.vn", 10, u);
    assert_string_equal(u, "1a30ae19-f7f2-5eba-b352-4d65ce0db0e1");
    char id1[48], id2[48];
    nt_stix_indicator_id(NT_IND_PHONE, "+84912345678", id1);
    nt_stix_indicator_id(NT_IND_PHONE, "+84912345678", id2);
    assert_string_equal(id1, id2);
    assert_int_equal(strlen(id1), strlen("indicator--") + 36);
    assert_int_equal(id1[strlen("indicator--") + 14], '5'); /* version 5 */
    nt_stix_indicator_id(NT_IND_BANK_ACCOUNT, "+84912345678", id2);
    assert_string_not_equal(id1, id2);
}

/* ---- STIX import
 * ----------------------------------------------------------------------------------- */

#define IDENT "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"

static char *bundle(const char *objects)
{
    size_t n = strlen(objects) + 512;
    char *b = malloc(n);
    assert_non_null(b);
    snprintf(b, n,
             "{\"type\": \"bundle\", \"id\": \"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\", "
             "\"objects\": [{\"type\": \"identity\", \"spec_version\": \"2.1\", \"id\": \"" IDENT
             "\", \"created\": \"2026-01-01T00:00:00.000Z\", \"modified\": "
             "\"2026-01-01T00:00:00.000Z\", \"name\": \"VNCERT\", \"identity_class\": "
             "\"organization\"}%s%s]}",
             objects[0] ? ", " : "", objects);
    return b;
}

/* An indicator object with the given pattern and extra properties. */
static char *ind(int n, const char *pattern, const char *extra)
{
    char *o = malloc(4096);
    assert_non_null(o);
    snprintf(o, 4096,
             "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
             "\"indicator--00000000-0000-4000-8000-%012d\", \"created\": "
             "\"2026-01-02T00:00:00.000Z\", \"modified\": \"2026-01-02T00:00:00.000Z\", "
             "\"pattern\": \"%s\", \"pattern_type\": \"stix\", \"valid_from\": "
             "\"2026-01-02T00:00:00Z\"%s%s}",
             n, pattern, extra && *extra ? ", " : "", extra ? extra : "");
    return o;
}

static void test_stix_import(void **state)
{
    (void)state;
    nt_store *st = open_mem();
    char objs[16384];
    char *o[8];
    o[0] = ind(1,
               "[domain-name:value = 'VietcomBank-XacThuc.com'] OR [url:value = "
               "'http://evil.vn/login?a=\\\\'1']",
               "\"created_by_ref\": \"" IDENT "\", \"labels\": [\"phishing\", \"bank\"], "
               "\"confidence\": 85, \"name\": \"fake VCB\"");
    o[1] = ind(2, "[x-niemtin-phone:value IN ('0912 345 678', '+84987654321')]", NULL);
    o[2] = ind(3, "[x-niemtin-bank-account:value = 'VCB:0123456789']", "\"revoked\": true");
    o[3] = ind(4, "([ipv4-addr:value = '203.0.113.7/32'] OR ([email-addr:value = 'Lua@Dao.vn']))",
               "\"valid_until\": \"2026-12-31T00:00:00Z\"");
    o[4] = ind(5, "[x-niemtin-bank-account:value = 'Techcombank 19036688889999']",
               "\"valid_until\": \"2026-01-10T00:00:00Z\"");
    o[5] = ind(6,
               "[x-niemtin-social:value = 'telegram:hotro_vcb24'] OR [x-niemtin-wallet:value = "
               "'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq']",
               "\"confidence\": 20");
    o[6] =
        strdup("{\"type\": \"relationship\", \"spec_version\": \"2.1\", \"id\": "
               "\"relationship--00000000-0000-4000-8000-000000000001\", \"relationship_type\": "
               "\"indicates\", \"source_ref\": \"indicator--x\", \"target_ref\": \"malware--y\"}");
    o[7] = ind(7, "[domain-name:value = 'vietcombank-xacthuc.com']", NULL); /* a duplicate */
    snprintf(objs, sizeof objs, "%s, %s, %s, %s, %s, %s, %s, %s", o[0], o[1], o[2], o[3], o[4],
             o[5], o[6], o[7]);
    char *b = bundle(objs);
    nt_import_options io = {
        .format = NT_IMPORT_STIX, .name = "stix-feed", .file = "b.json", .min_confidence = 50};
    nt_import_result *res = calloc(1, sizeof *res);
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_store_import(st, &io, b, strlen(b), res, &d);
    if (rc)
        fail_msg("%s", d.message);
    assert_int_equal(res->bad, 0);
    assert_int_equal(res->added, 6);
    assert_int_equal(res->duplicates, 1);
    assert_int_equal(res->skipped_revoked, 1);
    assert_int_equal(res->skipped_expired, 1);
    assert_int_equal(res->skipped_low_confidence, 2);
    assert_int_equal(res->other_objects, 2); /* the identity and the relationship */
    expect_listed(st, NT_IND_DOMAIN, "vietcombank-xacthuc.com", NT_STATUS_CONFIRMED, "VNCERT",
                  T0 + DAY);
    expect_listed(st, NT_IND_URL, "evil.vn/login?a='1", NT_STATUS_CONFIRMED, "VNCERT", T0 + DAY);
    expect_listed(st, NT_IND_PHONE, "+84912345678", NT_STATUS_CONFIRMED, "stix-feed", T0 + DAY);
    expect_listed(st, NT_IND_PHONE, "+84987654321", NT_STATUS_CONFIRMED, "stix-feed", 0);
    expect_listed(st, NT_IND_IP, "203.0.113.7", NT_STATUS_CONFIRMED, NULL, 0);
    expect_listed(st, NT_IND_EMAIL, "lua@dao.vn", NT_STATUS_CONFIRMED, NULL, 0);
    expect_absent(st, NT_IND_BANK_ACCOUNT, "VCB:0123456789");
    expect_absent(st, NT_IND_BANK_ACCOUNT, "TCB:19036688889999");
    expect_absent(st, NT_IND_SOCIAL, "telegram:hotro_vcb24");

    /* the provenance is in the history: object, id, confidence, labels, name */
    nt_store_indicator in;
    assert_int_equal(nt_store_find(st, NT_IND_DOMAIN, "vietcombank-xacthuc.com", &in, NULL), 0);
    assert_string_equal(in.status_by, "import:VNCERT");
    nt_store_indicator_release(&in);

    /* again, with no confidence floor: the two low-confidence values come in */
    io.min_confidence = 0;
    rc = nt_store_import(st, &io, b, strlen(b), res, &d);
    assert_int_equal(rc, NT_OK);
    assert_int_equal(res->added, 2);
    assert_int_equal(res->unchanged, 6);
    expect_listed(st, NT_IND_SOCIAL, "telegram:hotro_vcb24", NT_STATUS_CONFIRMED, NULL, 0);
    for (int i = 0; i < 8; i++)
        free(o[i]);
    free(b);
    free(res);
    nt_store_close(st);
}

/* Every malformed object is named, with its index and id; nothing is written
 * unless skip_bad, which imports the rest. */
static void test_stix_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *extra, *want;
    } cases[] = {
        {"[domain-name:value = 'a.vn' AND domain-name:value = 'b.vn']", NULL,
         "AND is not supported"},
        {"[domain-name:value = 'a.vn'] AND [url:value = 'http://b.vn/']", NULL,
         "AND is not supported"},
        {"[domain-name:value = 'a.vn'] FOLLOWEDBY [domain-name:value = 'b.vn']", NULL,
         "FOLLOWEDBY"},
        {"[domain-name:value = 'a.vn'] WITHIN 5 SECONDS", NULL, "qualifiers (WITHIN)"},
        {"[domain-name:value != 'a.vn']", NULL, "only = and IN"},
        {"[domain-name:value LIKE 'a%']", NULL, "LIKE is not supported"},
        {"[domain-name:value NOT = 'a.vn']", NULL, "NOT is not supported"},
        {"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']", NULL,
         "object file is not supported"},
        {"[url:x_path = 'http://a.vn/']", NULL, "only the :value property"},
        {"[domain-name:value = t'2026-01-01T00:00:00Z']", NULL, "not a typed literal"},
        {"[domain-name:value = 5]", NULL, "expected a quoted string"},
        {"[domain-name:value = 'a\\\\n.vn']", NULL, "bad escape"},
        {"[domain-name:value = 'a.vn", NULL, "unterminated string"},
        {"[domain-name:value = 'a.vn'", NULL, "expected ']'"},
        {"domain-name:value = 'a.vn'", NULL, "expected '['"},
        {"[domain-name:value = 'a.vn'] x", NULL, "unexpected text"},
        {"[ipv4-addr:value = '10.0.0.0/8']", NULL, "CIDR"},
        {"[domain-name:value = 'not a host!']", NULL, "column 22: not a valid domain"},
        {"[x-niemtin-phone:value = '12']", NULL, "not a valid phone"},
        {"((((((((((((((((((((((((((((((((((([domain-name:value = "
         "'a.vn'])))))))))))))))))))))))))))))))))))",
         NULL, "nested too deeply"},
        {"[domain-name:value = 'a.vn']", "\"confidence\": 101", "confidence"},
        {"[domain-name:value = 'a.vn']", "\"valid_until\": \"2026-01-01T00:00:00Z\"",
         "valid_until must be later"},
        {"[domain-name:value = 'a.vn']", "\"labels\": [1]", "labels"},
        {"[domain-name:value = 'a.vn']", "\"revoked\": \"yes\"", "revoked"},
    };
    nt_store *st = open_mem();
    nt_import_result *res = calloc(1, sizeof *res);
    nt_diag d;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *good = ind(1, "[domain-name:value = 'good.vn']", NULL);
        char *badobj = ind(2, cases[i].pattern, cases[i].extra);
        char objs[8192];
        snprintf(objs, sizeof objs, "%s, %s", good, badobj);
        char *b = bundle(objs);
        nt_err rc = import(st, NT_IMPORT_STIX, b, 0, res, &d);
        if (rc != NT_ERR_PARSE || res->n_errors != 1 ||
            !strstr(res->errors[0].message, cases[i].want))
            fail_msg("case %zu (%s): rc %d, %zu errors, \"%s\"", i, cases[i].pattern, rc,
                     res->n_errors, res->n_errors ? res->errors[0].message : "");
        assert_int_equal(res->errors[0].object, 3); /* objects[2]: after the identity and good */
        assert_string_equal(res->errors[0].ref, "indicator--00000000-0000-4000-8000-000000000002");
        assert_non_null(strstr(d.message, "objects[2] indicator--"));
        assert_int_equal(count_status(st, 0), 0); /* nothing written */
        free(good);
        free(badobj);
        free(b);
    }
    /* not indicators: a non-object, no type, a type STIX does not define, a bad id */
    char *b =
        bundle("42, {\"id\": \"x--1\"}, {\"type\": \"x-acme-thing\", \"id\": "
               "\"x-acme-thing--1\"}, {\"type\": \"indicator\", \"id\": \"malware--1\"}, "
               "{\"type\": \"indicator\", \"id\": \"indicator--1\", \"pattern\": \"[url:value "
               "= 'http://a.vn/']\", \"valid_from\": \"2026-01-01T00:00:00Z\"}, {\"type\": "
               "\"indicator\", \"id\": \"indicator--2\", \"pattern\": \"alert tcp any any\", "
               "\"pattern_type\": \"snort\", \"valid_from\": \"2026-01-01T00:00:00Z\"}, "
               "{\"type\": \"indicator\", \"id\": \"indicator--3\", \"pattern\": "
               "\"[url:value = 'http://a.vn/']\", \"pattern_type\": \"stix\"}");
    assert_int_equal(import(st, NT_IMPORT_STIX, b, 0, res, &d), NT_ERR_PARSE);
    assert_int_equal(res->bad, 7);
    static const char *want[] = {"not a JSON object",        "no \"type\"",
                                 "unknown object type",      "\"id\" must be",
                                 "pattern_type is required", "not supported (only stix)",
                                 "valid_from is required"};
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(res->errors[i].object, i + 2);
        if (!strstr(res->errors[i].message, want[i]))
            fail_msg("object %zu: \"%s\" lacks \"%s\"", i + 1, res->errors[i].message, want[i]);
    }
    free(b);
    /* skip_bad: the good ones go in */
    char *good = ind(9, "[domain-name:value = 'good.vn']", NULL);
    char *badobj = ind(10, "[domain-name:value = 'a.vn' AND url:value = 'http://b.vn/']", NULL);
    char objs[8192];
    snprintf(objs, sizeof objs, "%s, %s", badobj, good);
    b = bundle(objs);
    assert_int_equal(import(st, NT_IMPORT_STIX, b, 1, res, &d), NT_OK);
    assert_int_equal(res->added, 1);
    assert_int_equal(res->bad, 1);
    expect_listed(st, NT_IND_DOMAIN, "good.vn", NT_STATUS_CONFIRMED, "partner", 0);
    free(good);
    free(badobj);
    free(b);
    /* a file that is not a bundle at all: an error with a position, whatever skip_bad says */
    static const char *fatal[] = {"",
                                  "{\"type\": \"bundle\", \"objects\": [",
                                  "[1, 2]",
                                  "{\"type\": \"indicator\"}",
                                  "{\"type\": \"bundle\"}",
                                  "{\"type\": \"bundle\", \"objects\": {}}",
                                  "{\"type\": \"bundle\", \"objects\": [], \"objects\": []}"};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        assert_int_equal(import(st, NT_IMPORT_STIX, fatal[i], 1, res, &d), NT_ERR_PARSE);
        assert_non_null(strstr(d.message, "not a STIX bundle"));
    }
    assert_int_equal(count_status(st, 0), 1);
    free(res);
    nt_store_close(st);
}

/* ---- CSV import
 * ------------------------------------------------------------------------------------ */

static void test_csv_import(void **state)
{
    (void)state;
    nt_store *st = open_mem();
    nt_import_result *res = calloc(1, sizeof *res);
    nt_diag d;
    /* BOM, CRLF, columns in another order, quoted commas, quotes and line breaks */
    const char *csv = "\xEF\xBB\xBFnote,value,type,source,first_seen,status\r\n"
                      "\"gọi giả công an, đòi \"\"phí\"\"\",0912 345 678,phone,Viettel,2026-01-05,"
                      "confirmed\r\n"
                      "\"two\nlines\",\"http://a.vn/x,y?q=\"\"1\"\"\",url,,,\r\n"
                      "\r\n"
                      ",VCB:0123456789, bank ,,2026-01-03T10:00:00+07:00,\n"
                      ",b.vn,domain,,,reported\n"
                      ",c.vn,domain,,,rejected\n"
                      ",Vietcombank 0123456789,bank_account,,,\n"
                      ",lastline.vn,domain,,,";
    nt_err rc = import(st, NT_IMPORT_CSV, csv, 0, res, &d);
    if (rc)
        fail_msg("%s", d.message);
    assert_int_equal(res->lines, 7);
    assert_int_equal(res->added, 4);
    assert_int_equal(res->duplicates, 1);
    assert_int_equal(res->skipped_status, 2);
    expect_listed(st, NT_IND_PHONE, "+84912345678", NT_STATUS_CONFIRMED, "Viettel", T0 + 4 * DAY);
    expect_listed(st, NT_IND_URL, "a.vn/x,y?q=\"1\"", NT_STATUS_CONFIRMED, "partner", F.now);
    expect_listed(st, NT_IND_BANK_ACCOUNT, "VCB:0123456789", NT_STATUS_CONFIRMED, "partner",
                  T0 + 2 * DAY + 3 * 3600);
    expect_listed(st, NT_IND_DOMAIN, "lastline.vn", NT_STATUS_CONFIRMED, NULL, 0);
    expect_absent(st, NT_IND_DOMAIN, "b.vn");
    expect_absent(st, NT_IND_DOMAIN, "c.vn");
    free(res);
    nt_store_close(st);
}

static void test_csv_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        unsigned line, column;
        const char *want;
    } cases[] = {
        {"phone,12,,,,\n", 3, 2, "column 2 (value): not a valid phone"},
        {"fax,123,,,,\n", 3, 1, "unknown type \"fax\""},
        {"national_id,001099012345,,,,\n", 3, 2, "personal data"},
        {"domain,a.vn,yesterday,,,\n", 3, 3, "column 3 (first_seen)"},
        {"domain,a.vn,,maybe,,\n", 3, 4, "column 4 (status)"},
        {"domain,a.vn,,,\"src\"x,\n", 3, 5, "text after the closing quote"},
        {"domain,a\"b.vn,,,,\n", 3, 2, "a quote inside an unquoted field"},
        {"domain,a.vn,,,\n", 3, 5, "5 fields; the header names 6"},
        {"domain,a.vn,,,,,\n", 3, 7, "7 fields; the header names 6"},
        {"domain,a.vn,,,bad\x01name,\n", 3, 5, "control byte"},
        {"domain,a.vn,,,,\"note \xC3\x28\"\n", 3, 6, "malformed UTF-8"},
        {"\"domain\nx\",a.vn,,,,\n", 3, 1, "unknown type"},
        {"domain,\"a.vn,,,,\nphone,0912345678,,,,\n", 3, 2, "never closed"},
    };
    nt_store *st = open_mem();
    nt_import_result *res = calloc(1, sizeof *res);
    nt_diag d;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[1024];
        snprintf(csv, sizeof csv,
                 "type,value,first_seen,status,source,note\ndomain,good.vn,,,,\n%s"
                 "domain,after.vn,,,,\n",
                 cases[i].body);
        nt_err rc = import(st, NT_IMPORT_CSV, csv, 0, res, &d);
        if (rc != NT_ERR_PARSE || res->n_errors != 1 ||
            !strstr(res->errors[0].message, cases[i].want) ||
            res->errors[0].line != cases[i].line || res->errors[0].column != cases[i].column)
            fail_msg("case %zu: rc %d, %zu errors, line %u column %u \"%s\"", i, rc, res->n_errors,
                     res->n_errors ? res->errors[0].line : 0,
                     res->n_errors ? res->errors[0].column : 0,
                     res->n_errors ? res->errors[0].message : "");
        assert_int_equal(d.line, cases[i].line);
        assert_int_equal(count_status(st, 0), 0);
    }
    /* the line after a multi-line quoted note is counted right */
    const char *multi = "type,value,note\ndomain,a.vn,\"x\ny\nz\"\nphone,12,\n";
    assert_int_equal(import(st, NT_IMPORT_CSV, multi, 0, res, &d), NT_ERR_PARSE);
    assert_int_equal(res->errors[0].line, 5);
    /* skip_bad imports the rest */
    const char *mixed = "type,value\ndomain,a.vn\nphone,12\ndomain,\"b.vn\"\n";
    assert_int_equal(import(st, NT_IMPORT_CSV, mixed, 1, res, &d), NT_OK);
    assert_int_equal(res->added, 2);
    assert_int_equal(res->bad, 1);
    /* headers: fatal, with the column */
    static const struct {
        const char *csv, *want;
        unsigned col;
    } heads[] = {
        {"", "empty", 1},
        {"\n\n", "empty", 1},
        {"type,valu\n", "unknown column \"valu\"", 2},
        {"type,value,type\n", "\"type\" named twice", 3},
        {"value,note\n", "type and value are required", 1},
        {"type,value,first_seen,status,source,note,extra\n", "7 columns", 7},
        {"\"type,value\n", "header", 1},
    };
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        assert_int_equal(import(st, NT_IMPORT_CSV, heads[i].csv, 1, res, &d), NT_ERR_PARSE);
        if (!strstr(d.message, heads[i].want) || d.col != heads[i].col)
            fail_msg("header %zu: col %u \"%s\"", i, d.col, d.message);
    }
    free(res);
    nt_store_close(st);
}

/* ---- export
 * ------------------------------------------------------------------------------------------ */

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static int sbuf_write(void *ctx, const char *data, size_t len)
{
    sbuf *b = ctx;
    if (b->n + len + 1 > b->cap) {
        b->cap = (b->n + len + 1) * 2;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
    memcpy(b->s + b->n, data, len);
    b->n += len;
    b->s[b->n] = '\0';
    return 0;
}

static char *export(nt_store *st, nt_export_format fmt, size_t *count)
{
    sbuf b = {0};
    nt_export_options eo = {.format = fmt};
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_store_export(st, &eo, sbuf_write, &b, count, &d);
    if (rc)
        fail_msg("export: %s", d.message);
    return b.s ? b.s : strdup("");
}

/* A registry with every way to become (or not become) confirmed. */
static nt_store *populated(void)
{
    nt_store *st = open_mem();
    nt_diag d;
    nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = "chongluadao"};
    const char *list = "evil.vn\nlogin.scam.com.vn/xac-minh\nsites.google.com/site/bad\n"
                       "14.182.113.62\nxn--cccc-0x5ac.vn\nhttp://a.vn/it's\\\"q,uote\n";
    assert_int_equal(nt_store_import(st, &io, list, strlen(list), NULL, &d), NT_OK);
    F.now += DAY;
    const char *values[][2] = {{"0912345678", "phone"}, {"VCB 0123456789", "bank"},
                               {"lua@dao.vn", "email"}, {"t.me/hotro_vcb24", "social"},
                               {"0987654321", "phone"}, {"0911111111", "phone"}};
    int64_t ids[6];
    for (int i = 0; i < 6; i++) {
        nt_ind_type t;
        assert_int_equal(nt_ind_type_parse(values[i][1], &t), NT_OK);
        nt_report_in r = {
            .type = t, .value = values[i][0], .value_len = strlen(values[i][0]), .reporter = "an"};
        assert_int_equal(nt_store_report_add(st, &r, NULL, &ids[i], &d), NT_OK);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(nt_store_transition(st, ids[i], NT_ACTION_CONFIRM, "lan", "xác nhận", &d),
                         NT_OK);
    assert_int_equal(nt_store_transition(st, ids[4], NT_ACTION_REJECT, "lan", "nhầm", &d), NT_OK);
    F.now += DAY;
    return st;
}

typedef struct set {
    char **v;
    size_t n;
} set;

static int set_add(void *ctx, const nt_store_indicator *ind)
{
    set *s = ctx;
    s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
    char buf[600];
    snprintf(buf, sizeof buf, "%s %s", nt_ind_type_name(ind->type), ind->value);
    s->v[s->n++] = strdup(buf);
    return 0;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static set confirmed_set(nt_store *st)
{
    set s = {0};
    assert_int_equal(nt_store_list(st, NT_STATUS_CONFIRMED, 0, 0, set_add, &s, NULL), NT_OK);
    if (s.n)
        qsort(s.v, s.n, sizeof *s.v, cmp_strp);
    return s;
}

static void set_free(set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static void assert_same_set(set *a, set *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_string_equal(a->v[i], b->v[i]);
}

static void roundtrip(nt_export_format efmt, nt_import_format ifmt)
{
    nt_store *a = populated();
    set sa = confirmed_set(a);
    assert_int_equal(sa.n, 10);
    size_t n1, n2, n3;
    char *e1 = export(a, efmt, &n1);
    assert_int_equal(n1, 10);
    /* the same registry exports the same bytes */
    char *again = export(a, efmt, &n2);
    assert_string_equal(e1, again);
    free(again);

    nt_store *b = open_mem();
    nt_import_result *res = calloc(1, sizeof *res);
    nt_diag d;
    nt_err rc = import(b, ifmt, e1, 0, res, &d);
    if (rc)
        fail_msg("re-import: %s", d.message);
    assert_int_equal(res->added, 10);
    set sb = confirmed_set(b);
    assert_same_set(&sa, &sb);
    /* first-seen times and (CSV) publishers survive */
    nt_store_indicator x, y;
    assert_int_equal(nt_store_find(a, NT_IND_DOMAIN, "evil.vn", &x, NULL), NT_OK);
    assert_int_equal(nt_store_find(b, NT_IND_DOMAIN, "evil.vn", &y, NULL), NT_OK);
    assert_int_equal(x.first_seen, y.first_seen);
    if (ifmt == NT_IMPORT_CSV)
        assert_string_equal(y.status_by, "import:chongluadao");
    nt_store_indicator_release(&x);
    nt_store_indicator_release(&y);
    char *e2 = export(b, efmt, &n2);

    /* a second round trip gives exactly the same file (STIX: the same ids) */
    F.now += DAY;
    nt_store *c = open_mem();
    assert_int_equal(import(c, ifmt, e2, 0, res, &d), NT_OK);
    char *e3 = export(c, efmt, &n3);
    if (ifmt == NT_IMPORT_CSV)
        assert_string_equal(e2, e3);
    char id[48];
    nt_stix_indicator_id(NT_IND_PHONE, "+84912345678", id);
    if (efmt == NT_EXPORT_STIX) {
        assert_non_null(strstr(e1, id));
        assert_non_null(strstr(e3, id));
        assert_non_null(strstr(e1, "\"type\":\"identity\""));
        /* every STIX timestamp is UTC with milliseconds */
        assert_non_null(strstr(e1, "\"valid_from\":\"2026-01-31T00:00:00.000Z\""));
        /* the bundle id names the content */
        assert_memory_equal(e1, e3, 70);
    }
    set sc = confirmed_set(c);
    assert_same_set(&sa, &sc);
    set_free(&sa);
    set_free(&sb);
    set_free(&sc);
    free(e1);
    free(e2);
    free(e3);
    free(res);
    nt_store_close(a);
    nt_store_close(b);
    nt_store_close(c);
}

static void test_roundtrip_csv(void **state)
{
    (void)state;
    roundtrip(NT_EXPORT_CSV, NT_IMPORT_CSV);
}

static void test_roundtrip_stix(void **state)
{
    (void)state;
    roundtrip(NT_EXPORT_STIX, NT_IMPORT_STIX);
}

static void test_export_csv_quoting_and_statuses(void **state)
{
    (void)state;
    nt_store *st = populated();
    size_t n;
    char *csv = export(st, NT_EXPORT_CSV, &n);
    assert_non_null(strstr(csv, "type,value,first_seen,status,source,note\r\n"));
    assert_non_null(strstr(csv, "url,\"a.vn/it's/\"\"q,uote\","));
    assert_non_null(strstr(csv, "phone,+84912345678,2026-02-01T00:00:00Z,confirmed,,\r\n"));
    assert_null(strstr(csv, "+84987654321")); /* rejected */
    free(csv);
    sbuf b = {0};
    nt_export_options eo = {.format = NT_EXPORT_CSV, .all_statuses = 1};
    assert_int_equal(nt_store_export(st, &eo, sbuf_write, &b, &n, NULL), NT_OK);
    assert_int_equal(n, 12);
    assert_non_null(strstr(b.s, "phone,+84987654321,2026-02-01T00:00:00Z,rejected,,"));
    assert_non_null(strstr(b.s, "phone,+84911111111,2026-02-01T00:00:00Z,reported,,"));
    free(b.s);
    /* STIX and hosts list confirmed indicators only */
    eo = (nt_export_options){.format = NT_EXPORT_STIX, .status = NT_STATUS_REPORTED};
    nt_diag d;
    assert_int_equal(nt_store_export(st, &eo, sbuf_write, &b, &n, &d), NT_ERR_INVALID);
    nt_store_close(st);
}

static int fail_write(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return 1;
}

static void test_export_hosts(void **state)
{
    (void)state;
    nt_store *st = populated();
    size_t n;
    char *h = export(st, NT_EXPORT_HOSTS, &n);
    assert_int_equal(n, 5);
    assert_non_null(strstr(h, "\n0.0.0.0 a.vn\n0.0.0.0 evil.vn\n0.0.0.0 login.scam.com.vn\n"
                              "0.0.0.0 sites.google.com\n0.0.0.0 xn--cccc-0x5ac.vn\n"));
    assert_null(strstr(h, "14.182.113.62"));
    free(h);
    sbuf b = {0};
    nt_export_options eo = {.format = NT_EXPORT_HOSTS, .domains_only = 1};
    assert_int_equal(nt_store_export(st, &eo, sbuf_write, &b, &n, NULL), NT_OK);
    assert_int_equal(n, 2);
    assert_null(strstr(b.s, "sites.google.com"));
    free(b.s);
    /* a failing writer is an I/O error, not a crash or a silent success */
    nt_diag d;
    assert_int_equal(nt_store_export(st, &eo, fail_write, NULL, &n, &d), NT_ERR_IO);
    nt_store_close(st);
}

static int count_change(void *ctx, const nt_store_change *c)
{
    (void)c;
    (*(size_t *)ctx)++;
    return 0;
}

/* An import that fails part-way through parsing writes nothing, also over
 * existing data; a good one after it works. */
static void test_atomic_over_existing(void **state)
{
    (void)state;
    nt_store *st = populated();
    set before = confirmed_set(st);
    int64_t cur0 = 0, cur1 = 0;
    nt_diag d;
    size_t nch = 0;
    assert_int_equal(nt_store_feed(st, 0, 0, count_change, &nch, &cur0, &d), NT_OK);
    nt_import_result *res = calloc(1, sizeof *res);
    const char *csv = "type,value\nphone,0911111111\ndomain,new.vn\nphone,1\n";
    assert_int_equal(import(st, NT_IMPORT_CSV, csv, 0, res, &d), NT_ERR_PARSE);
    assert_int_equal(nt_store_feed(st, 0, 0, count_change, &nch, &cur1, &d), NT_OK);
    assert_int_equal(cur0, cur1);
    set after = confirmed_set(st);
    assert_same_set(&before, &after);
    /* the reported 0911111111 is confirmed by a good import, as a list import does */
    assert_int_equal(import(st, NT_IMPORT_CSV, "type,value\nphone,0911111111\n", 0, res, &d),
                     NT_OK);
    assert_int_equal(res->confirmed, 1);
    expect_listed(st, NT_IND_PHONE, "+84911111111", NT_STATUS_CONFIRMED, "partner", 0);
    /* and a rejected one stays rejected */
    assert_int_equal(import(st, NT_IMPORT_CSV, "type,value\nphone,0987654321\n", 0, res, &d),
                     NT_OK);
    assert_int_equal(res->unchanged, 1);
    expect_listed(st, NT_IND_PHONE, "+84987654321", NT_STATUS_REJECTED, NULL, 0);
    set_free(&before);
    set_free(&after);
    free(res);
    nt_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_helpers, setup),
        cmocka_unit_test_setup(test_stix_import, setup),
        cmocka_unit_test_setup(test_stix_malformed, setup),
        cmocka_unit_test_setup(test_csv_import, setup),
        cmocka_unit_test_setup(test_csv_malformed, setup),
        cmocka_unit_test_setup(test_roundtrip_csv, setup),
        cmocka_unit_test_setup(test_roundtrip_stix, setup),
        cmocka_unit_test_setup(test_export_csv_quoting_and_statuses, setup),
        cmocka_unit_test_setup(test_export_hosts, setup),
        cmocka_unit_test_setup(test_atomic_over_existing, setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    nt_banks_free(F.banks);
    return rc;
}
