/*
 * tests/test_domain.c - domain canonicalisation (IDNA + Public Suffix List,
 * lib/indicator/domain.c), the public-suffix predicate, and the 500 benign
 * top sites (../shared/data/benign-top-sites) when present.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "indicator/internal.h"
#include "niemtin/indicator.h"
#include "niemtin/limits.h"
#include "testutil.h"

static void check_ok(const char *in, const char *want, const char *want_reg)
{
    char *a = NULL, *r = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon_domain(in, strlen(in), &a, &r, &d);
    if (rc != NT_OK) {
        fprintf(stderr, "canon_domain(%s): %s: %s\n", in, nt_strerror(rc), d.message);
        fail();
    }
    assert_string_equal(a, want);
    assert_string_equal(r, want_reg);
    /* Idempotent, and registrable itself canonical with the same registrable. */
    char *a2 = NULL, *r2 = NULL;
    assert_int_equal(nt_canon_domain(a, strlen(a), &a2, &r2, NULL), NT_OK);
    assert_string_equal(a2, a);
    assert_string_equal(r2, r);
    free(a2);
    free(r2);
    free(a);
    free(r);
}

static void check_bad(const char *in, size_t len, nt_err want, const char *msg)
{
    char *a = (char *)"sentinel", *r = (char *)"sentinel";
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon_domain(in, len, &a, &r, &d);
    if (rc != want) {
        fprintf(stderr, "canon_domain(%.*s): got %s (%s), want %s\n", (int)(len > 80 ? 80 : len),
                in, nt_strerror(rc), d.message, nt_strerror(want));
        fail();
    }
    assert_null(a);
    assert_null(r);
    if (!strstr(d.message, msg)) {
        fprintf(stderr, "diag '%s' lacks '%s'\n", d.message, msg);
        fail();
    }
}

static void test_basic(void **state)
{
    (void)state;
    check_ok("example.com", "example.com", "example.com");
    check_ok("VietcomBank.com.vn.", "vietcombank.com.vn", "vietcombank.com.vn");
    check_ok("  www.VIETCOMBANK.com.vn \n", "www.vietcombank.com.vn", "vietcombank.com.vn");
    check_ok("a.b.c.gov.vn", "a.b.c.gov.vn", "c.gov.vn");
    check_ok("my_site.example.org", "my_site.example.org", "example.org");
    check_ok("x.y.z.co.uk", "x.y.z.co.uk", "z.co.uk");

    /* The registrable output may be NULL. */
    char *a = NULL;
    assert_int_equal(nt_canon_domain("shopee.vn", 9, &a, NULL, NULL), NT_OK);
    assert_string_equal(a, "shopee.vn");
    free(a);
}

static void test_idn(void **state)
{
    (void)state;
    check_ok("ngânhàng.vn", "xn--ngnhng-ltan.vn", "xn--ngnhng-ltan.vn");
    check_ok("NGÂNHÀNG.VN", "xn--ngnhng-ltan.vn", "xn--ngnhng-ltan.vn");
    check_ok("www.ví-dụ.com.vn", "www.xn--v-d-rma6749a.com.vn", "xn--v-d-rma6749a.com.vn");
    check_ok("xn--ngnhng-ltan.vn", "xn--ngnhng-ltan.vn", "xn--ngnhng-ltan.vn");
    check_ok("XN--NGNHNG-LTAN.VN", "xn--ngnhng-ltan.vn", "xn--ngnhng-ltan.vn");
    check_ok("ví-dụ。vn", "xn--v-d-rma6749a.vn", "xn--v-d-rma6749a.vn");
    /* An IDN top-level domain (.中国). */
    check_ok("例子.中国", "xn--fsqu00a.xn--fiqs8s", "xn--fsqu00a.xn--fiqs8s");
    /* Emoji: allowed by transitional processing only. */
    check_ok("\xf0\x9f\x92\xa9.la", "xn--ls8h.la", "xn--ls8h.la");

    check_bad("xn--zz.vn", 9, NT_ERR_INVALID, "not a valid internationalised domain name");
    check_bad("xn--vi-dụ.vn", strlen("xn--vi-dụ.vn"), NT_ERR_INVALID, "internationalised");
    check_bad("\xc3\x28.vn", 5, NT_ERR_INVALID, "not valid UTF-8");
    check_bad("-ví.vn", strlen("-ví.vn"), NT_ERR_INVALID, "internationalised");
}

static void test_rejected(void **state)
{
    (void)state;
    check_bad("file.txt", 8, NT_ERR_INVALID, "known public suffix");
    check_bad("v.v.", 4, NT_ERR_INVALID, "known public suffix");
    check_bad("v.v", 3, NT_ERR_INVALID, "known public suffix");
    check_bad("localhost", 9, NT_ERR_INVALID, "");
    check_bad("com.vn", 6, NT_ERR_INVALID, "is a public suffix");
    check_bad("vn", 2, NT_ERR_INVALID, "is a public suffix");
    check_bad("COM.VN.", 7, NT_ERR_INVALID, "is a public suffix");
    check_bad("", 0, NT_ERR_INVALID, "empty");
    check_bad("   ", 3, NT_ERR_INVALID, "empty");
    check_bad(".", 1, NT_ERR_INVALID, "empty");
    check_bad("a..vn", 5, NT_ERR_INVALID, "empty label");
    check_bad(".example.com", 12, NT_ERR_INVALID, "empty label");
    check_bad("example.com..", 13, NT_ERR_INVALID, "empty label");
    check_bad("ex ample.com", 12, NT_ERR_INVALID, "space or control");
    check_bad("exa\0mple.com", 12, NT_ERR_INVALID, "space or control");
    check_bad("exa*mple.com", 12, NT_ERR_INVALID, "character not allowed");
    check_bad("evil.com/path", 13, NT_ERR_INVALID, "character not allowed");
    check_bad("user@evil.com", 13, NT_ERR_INVALID, "character not allowed");
    check_bad("evil.com:80", 11, NT_ERR_INVALID, "character not allowed");
    check_bad("192.168.0.1", 11, NT_ERR_INVALID, "IP address");
    check_bad("3279880203", 10, NT_ERR_INVALID, "IP address");

    /* Label and name lengths. */
    char buf[400];
    memset(buf, 'a', 64);
    memcpy(buf + 64, ".vn", 4);
    check_bad(buf, strlen(buf), NT_ERR_INVALID, "longer than 63");
    memset(buf, 'a', 63);
    memcpy(buf + 63, ".vn", 4);
    check_ok(buf, buf, buf);
    /* 4 x 63-byte labels + ".vn" = 258 > 253. */
    for (int i = 0; i < 4; i++) {
        memset(buf + 64 * i, 'b', 63);
        buf[64 * i + 63] = '.';
    }
    memcpy(buf + 256, "vn", 3);
    check_bad(buf, strlen(buf), NT_ERR_INVALID, "longer than 253");
    /* 253 exactly is fine: 3 x 64 + 58 + 3. */
    memset(buf + 64 * 3, 'c', 58);
    memcpy(buf + 64 * 3 + 58, ".vn", 4);
    assert_int_equal(strlen(buf), 253);
    check_ok(buf, buf, buf + 64 * 3);

    char *big = malloc(NT_MAX_URL_BYTES + 1);
    memset(big, 'a', NT_MAX_URL_BYTES + 1);
    check_bad(big, NT_MAX_URL_BYTES + 1, NT_ERR_TOO_BIG, "limit");
    check_bad(big, 2000, NT_ERR_INVALID, "too long");
    free(big);

    char *a = NULL;
    assert_int_equal(nt_canon_domain(NULL, 1, &a, NULL, NULL), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_canon_domain("a.vn", 4, NULL, NULL, NULL), NT_ERR_INVALID_ARG);
}

/* Private PSL suffixes: a customer's subdomain is its own registrable domain;
 * the suffix itself is the operator's site, registrable under ICANN rules. */
static void test_private_suffixes(void **state)
{
    (void)state;
    check_ok("sub.blogspot.com", "sub.blogspot.com", "sub.blogspot.com");
    check_ok("www.sub.blogspot.com", "www.sub.blogspot.com", "sub.blogspot.com");
    check_ok("vietcombank-xacminh.github.io", "vietcombank-xacminh.github.io",
             "vietcombank-xacminh.github.io");
    check_ok("blogspot.com", "blogspot.com", "blogspot.com");
    check_ok("github.io", "github.io", "github.io");
    check_ok("s3.amazonaws.com", "s3.amazonaws.com", "amazonaws.com");
}

static void test_is_public_suffix(void **state)
{
    (void)state;
    assert_true(nt_is_public_suffix("vn"));
    assert_true(nt_is_public_suffix("com.vn"));
    assert_true(nt_is_public_suffix("com"));
    assert_true(nt_is_public_suffix("blogspot.com"));
    assert_true(nt_is_public_suffix("github.io"));
    assert_true(nt_is_public_suffix("xn--fiqs8s"));
    assert_false(nt_is_public_suffix("txt"));
    assert_false(nt_is_public_suffix("v"));
    assert_false(nt_is_public_suffix("localhost"));
    assert_false(nt_is_public_suffix("vietcombank.com.vn"));
    assert_false(nt_is_public_suffix(""));
    assert_false(nt_is_public_suffix(NULL));

    assert_true(nt__host_has_public_suffix("vietcombank.com.vn", 18));
    assert_true(nt__host_has_public_suffix("VietcomBank.COM.vn", 18));
    assert_true(nt__host_has_public_suffix("x.blogspot.com", 14));
    assert_true(nt__host_has_public_suffix("github.io", 9));
    assert_false(nt__host_has_public_suffix("file.txt", 8));
    assert_false(nt__host_has_public_suffix("v.v", 3));
    assert_false(nt__host_has_public_suffix("com.vn", 6));
    assert_false(nt__host_has_public_suffix("localhost", 9));
    assert_false(nt__host_has_public_suffix("", 0));
    /* Only the first len bytes count. */
    assert_true(nt__host_has_public_suffix("evil.com.vn and more", 11));
    assert_false(nt__host_has_public_suffix("evil.comxyz", 8 + 1));
}

static void test_idna_helper(void **state)
{
    (void)state;
    char *a = NULL;
    const char *why = NULL;
    assert_int_equal(nt__idna_to_ascii("ví-dụ.vn", &a, &why), NT_OK);
    assert_string_equal(a, "xn--v-d-rma6749a.vn");
    free(a);
    assert_int_equal(nt__idna_to_ascii("xn--zz.vn", &a, &why), NT_ERR_INVALID);
    assert_null(a);
    assert_non_null(why);
}

/* Entries of the top-sites list that are not registrable domains once "www."
 * is stripped, and what nt_canon_domain says about them:
 *   www.gov.uk, www.gov.br - gov.uk and gov.br are ICANN public suffixes
 *     (the sites live at www.); "www.gov.uk" itself is accepted below;
 *   marketingplatform.google.... - truncated upstream (Moz), not a name. */
static const struct {
    const char *dom, *why;
} top_site_exceptions[] = {
    {"gov.uk", "is a public suffix"},
    {"gov.br", "is a public suffix"},
    {"marketingplatform.google....", "empty label"},
};

/* Every benign top site (www. stripped) is a domain with a registrable part,
 * bar the documented exceptions above. */
static void test_top_sites(void **state)
{
    (void)state;
    const char *path = tu_shared_path("benign-top-sites/top-sites.json");
    if (!path)
        return;
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "note: %s: %s; skipping\n", path, jerr.text);
        return;
    }
    assert_true(json_is_array(root));
    size_t i, count = 0, exceptions = 0;
    json_t *item;
    json_array_foreach(root, i, item)
    {
        const char *dom = json_string_value(json_object_get(item, "rootDomain"));
        assert_non_null(dom);
        const char *orig = dom;
        if (strncmp(dom, "www.", 4) == 0)
            dom += 4;
        size_t x = 0, nx = sizeof top_site_exceptions / sizeof top_site_exceptions[0];
        while (x < nx && strcmp(dom, top_site_exceptions[x].dom) != 0)
            x++;
        if (x < nx) {
            check_bad(dom, strlen(dom), NT_ERR_INVALID, top_site_exceptions[x].why);
            if (dom != orig) /* the site itself: www.gov.uk */
                check_ok(orig, orig, orig);
            exceptions++;
            continue;
        }
        char *a = NULL, *r = NULL;
        nt_diag d;
        nt_diag_clear(&d);
        nt_err rc = nt_canon_domain(dom, strlen(dom), &a, &r, &d);
        if (rc != NT_OK) {
            fprintf(stderr, "top site %s: %s\n", dom, d.message);
            fail();
        }
        assert_true(strlen(r) > 0);
        assert_true(nt__host_has_public_suffix(a, strlen(a)));
        /* As a URL host it canonicalises to the same name. */
        char url[300], *canon = NULL, *host = NULL;
        snprintf(url, sizeof url, "https://%s/", dom);
        assert_int_equal(nt_canon_url(url, strlen(url), &canon, NULL), NT_OK);
        assert_int_equal(nt_url_host(canon, &host), NT_OK);
        assert_string_equal(host, a);
        free(host);
        free(canon);
        free(a);
        free(r);
        count++;
    }
    json_decref(root);
    fprintf(stderr, "note: %zu top sites canonicalised, %zu documented exceptions\n", count,
            exceptions);
    assert_true(count >= 400);
}

/* Many threads using the shared PSL context at once, including its first
 * use (run this binary under TSan to check the pthread_once claim). */
static void *domain_worker(void *arg)
{
    static const char *const names[] = {"vietcombank.com.vn", "sub.blogspot.com", "ngânhàng.vn",
                                        "file.txt", "com.vn"};
    static const int ok[] = {1, 1, 1, 0, 0};
    intptr_t bad = 0;
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        size_t k = (size_t)i % 5;
        char *a = NULL, *r = NULL;
        nt_err rc = nt_canon_domain(names[k], strlen(names[k]), &a, &r, NULL);
        if ((rc == NT_OK) != ok[k])
            bad++;
        free(a);
        free(r);
    }
    return (void *)bad;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, domain_worker, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *bad = NULL;
        assert_int_equal(pthread_join(t[i], &bad), 0);
        assert_null(bad);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_idn),
        cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_private_suffixes),
        cmocka_unit_test(test_is_public_suffix),
        cmocka_unit_test(test_idna_helper),
        cmocka_unit_test(test_top_sites),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
