/*
 * tests/test_core.c - the error type, diagnostics, the bounded buffer and the
 * strict UTF-8 codec every module relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/diag.h"
#include "niemtin/niemtin.h"

static void test_strerror_covers_every_code(void **state)
{
    (void)state;
    for (int c = 0; c < NT_ERR__COUNT; c++) {
        const char *m = nt_strerror((nt_err)c);
        assert_non_null(m);
        assert_string_not_equal(m, "unknown error");
    }
    assert_string_equal(nt_strerror((nt_err)999), "unknown error");
    assert_string_equal(nt_strerror((nt_err)-1), "unknown error");
    assert_string_equal(nt_version(), NT_VERSION_STRING);
}

static void test_diag_format(void **state)
{
    (void)state;
    nt_diag d;
    char buf[300];
    nt_diag_clear(&d);
    assert_int_equal(nt__fail_at(&d, NT_ERR_PARSE, "data/x.tsv", 3, 7, 42, "bad %s", "tab"),
                     NT_ERR_PARSE);
    assert_string_equal(nt_diag_format(&d, buf, sizeof buf), "data/x.tsv:3:7: bad tab");
    assert_int_equal(nt__fail(&d, NT_ERR_UTF8, 5, "malformed"), NT_ERR_UTF8);
    assert_string_equal(nt_diag_format(&d, buf, sizeof buf), "byte 5: malformed");
    assert_int_equal(nt__fail(NULL, NT_ERR_NOMEM, 0, "x"), NT_ERR_NOMEM); /* NULL diag ok */
    nt_diag_clear(&d);
    d.code = NT_ERR_IO;
    assert_string_equal(nt_diag_format(&d, buf, sizeof buf), "byte 0: input/output error");
}

static void test_read_file_errors(void **state)
{
    (void)state;
    nt_diag d;
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(nt__read_file("/nonexistent/file", 100, &data, &len, &d), NT_ERR_IO);
    assert_null(data);
    assert_string_equal(d.source, "/nonexistent/file");
    char path[] = "/tmp/nt-core-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < 1000; i++)
        fputs("0123456789", f);
    fclose(f);
    assert_int_equal(nt__read_file(path, 5000, &data, &len, &d), NT_ERR_TOO_BIG);
    assert_null(data);
    assert_int_equal(nt__read_file(path, 10000, &data, &len, &d), NT_OK);
    assert_int_equal(len, 10000);
    assert_int_equal(data[len], '\0');
    free(data);
    remove(path);
}

static void test_buf_bounds(void **state)
{
    (void)state;
    nt__buf b;
    nt__buf_init(&b, 10);
    assert_int_equal(nt__buf_adds(&b, "12345"), NT_OK);
    assert_int_equal(nt__buf_printf(&b, "%d", 6789), NT_OK);
    assert_string_equal(b.data, "123456789");
    assert_int_equal(nt__buf_addc(&b, 'x'), NT_ERR_TOO_BIG); /* would reach 10 */
    assert_string_equal(b.data, "123456789");                 /* unchanged */
    char *s = nt__buf_take(&b);
    assert_string_equal(s, "123456789");
    free(s);
    assert_null(b.data);
    s = nt__buf_take(&b); /* empty buffer gives "" */
    assert_string_equal(s, "");
    free(s);
    nt__buf_free(&b);
}

static void test_utf8_decode_strict(void **state)
{
    (void)state;
    int32_t cp;
    assert_int_equal(nt__utf8_decode((const unsigned char *)"\xe1\xbb\x83", 3, &cp), 3);
    assert_int_equal(cp, 0x1EC3); /* ể */
    assert_int_equal(nt__utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    /* malformed: overlong, surrogate, > U+10FFFF, truncated, stray continuation */
    static const char *const bad[] = {"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
                                      "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe1\x80",
                                      "\x80", "\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(nt__utf8_decode((const unsigned char *)bad[i], strlen(bad[i]), &cp), 0);
    unsigned char out[4];
    assert_int_equal(nt__utf8_encode(0xD800, out), 0);
    assert_int_equal(nt__utf8_encode(0x110000, out), 0);
    assert_int_equal(nt__utf8_encode(0x0111, out), 2); /* đ */
    assert_memory_equal(out, "\xc4\x91", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_covers_every_code),
        cmocka_unit_test(test_diag_format),
        cmocka_unit_test(test_read_file_errors),
        cmocka_unit_test(test_buf_bounds),
        cmocka_unit_test(test_utf8_decode_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
