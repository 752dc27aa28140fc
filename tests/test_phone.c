/*
 * tests/test_phone.c - nt_canon_phone on the ways Vietnamese (and foreign)
 * phone numbers are really written, with the exact E.164 / national output,
 * kinds, carriers, provinces, the 2018 renumbering, and rejections.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "indicator/values.h"
#include "niemtin/niemtin.h"
#include "testutil.h"

static void expect_phone(const char *in, const char *want, nt_phone_kind kind,
                         const char *carrier, const char *region)
{
    char *out = NULL;
    nt_phone_info info;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon_phone(in, strlen(in), &out, &info, &d);
    if (rc != NT_OK)
        fail_msg("%s: %s (%s)", in, nt_strerror(rc), d.message);
    if (strcmp(out, want) != 0)
        fail_msg("%s: got %s, want %s", in, out, want);
    if (info.kind != kind)
        fail_msg("%s: kind %s, want %s", in, nt_phone_kind_name(info.kind),
                 nt_phone_kind_name(kind));
    if (carrier && strcmp(info.carrier, carrier) != 0)
        fail_msg("%s: carrier '%s', want '%s'", in, info.carrier, carrier);
    if (region && strcmp(info.region, region) != 0)
        fail_msg("%s: region '%s', want '%s'", in, info.region, region);
    /* The canonical form is a fixed point. */
    char *again = NULL;
    nt_phone_info info2;
    rc = nt_canon_phone(out, strlen(out), &again, &info2, NULL);
    if (rc != NT_OK || strcmp(again, out) != 0 || info2.kind != kind)
        fail_msg("%s: canonical %s does not canonicalise to itself", in, out);
    free(again);
    free(out);
}

static void expect_reject(const char *in, const char *reason_part)
{
    char *out = (char *)"sentinel";
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon_phone(in, strlen(in), &out, NULL, &d);
    if (rc == NT_OK)
        fail_msg("%s: accepted as %s", in, out);
    assert_null(out);
    if (reason_part && !strstr(d.message, reason_part))
        fail_msg("%s: reason '%s' lacks '%s'", in, d.message, reason_part);
}

/* The extractor drops numbers shorter than nt__phone_min_standalone_digits()
 * with no phone phrase before asking nt_canon_phone: check that below it
 * every accepted number is a short code or UAN - all digit strings up to 6
 * digits, bare, with "+" and with "00", and random ones of 7. */
static void check_not_alone(const char *s, size_t len)
{
    char *out = NULL;
    nt_phone_info info;
    if (nt_canon_phone(s, len, &out, &info, NULL) == NT_OK) {
        if (info.kind != NT_PHONE_SHORT_CODE && info.kind != NT_PHONE_UAN)
            fail_msg("\"%.*s\" is a %s", (int)len, s, nt_phone_kind_name(info.kind));
        free(out);
    }
}

static void test_min_standalone_digits(void **state)
{
    (void)state;
    size_t min = nt__phone_min_standalone_digits();
    assert_int_equal(min, 8);
    char buf[32];
    for (size_t n = 1; n < min && n <= 6; n++) {
        unsigned long lim = 1;
        for (size_t k = 0; k < n; k++)
            lim *= 10;
        for (unsigned long v = 0; v < lim; v++) {
            snprintf(buf + 1, sizeof buf - 1, "%0*lu", (int)n, v);
            check_not_alone(buf + 1, n);
            buf[0] = '+';
            check_not_alone(buf, n + 1);
        }
    }
    uint32_t seed = 99;
    for (int it = 0; it < 300000; it++) {
        seed = seed * 1103515245u + 12345u;
        unsigned long v = (seed >> 4) % 10000000u;
        snprintf(buf + 1, sizeof buf - 1, "%07lu", v);
        check_not_alone(buf + 1, 7);
        buf[0] = '+';
        check_not_alone(buf, 8);
    }
    /* and a number of that length does stand alone */
    char *out = NULL;
    nt_phone_info info;
    assert_int_equal(nt_canon_phone("18001090", 8, &out, &info, NULL), NT_OK);
    assert_int_equal(info.kind, NT_PHONE_TOLL_FREE);
    free(out);
}

static void test_mobile_writings(void **state)
{
    (void)state;
    static const char *const writings[] = {
        "0912 345 678",   "0912.345.678",     "0912-345-678",      "0912345678",
        "+84 912 345 678", "+84 (0) 912 345 678", "+84912345678",  "84912345678",
        "0084912345678",  "00 84 912 345 678", "(+84) 912-345-678", " 0912 345 678\n",
        "+84 0912345678", "091 234 5678",
    };
    for (size_t i = 0; i < sizeof writings / sizeof writings[0]; i++)
        expect_phone(writings[i], "+84912345678", NT_PHONE_MOBILE, "Vinaphone", "");
}

static void test_carriers(void **state)
{
    (void)state;
    expect_phone("0987 654 321", "+84987654321", NT_PHONE_MOBILE, "Viettel", "");
    expect_phone("0362 123 456", "+84362123456", NT_PHONE_MOBILE, "Viettel", "");
    expect_phone("0862 123 456", "+84862123456", NT_PHONE_MOBILE, "Viettel", "");
    expect_phone("0901 234 567", "+84901234567", NT_PHONE_MOBILE, "MobiFone", "");
    expect_phone("0931 234 567", "+84931234567", NT_PHONE_MOBILE, "MobiFone", "");
    expect_phone("0702 123 456", "+84702123456", NT_PHONE_MOBILE, "MobiFone", "");
    expect_phone("0898 123 456", "+84898123456", NT_PHONE_MOBILE, "MobiFone", "");
    expect_phone("0886 123 456", "+84886123456", NT_PHONE_MOBILE, "Vinaphone", "");
    expect_phone("0941 234 567", "+84941234567", NT_PHONE_MOBILE, "Vinaphone", "");
    expect_phone("0921 234 567", "+84921234567", NT_PHONE_MOBILE, "Vietnamobile", "");
    expect_phone("0563 123 456", "+84563123456", NT_PHONE_MOBILE, "Vietnamobile", "");
    expect_phone("0523 123 456", "+84523123456", NT_PHONE_MOBILE, "Vietnamobile", "");
    expect_phone("0593 123 456", "+84593123456", NT_PHONE_MOBILE, "Gmobile", "");
    expect_phone("0993 123 456", "+84993123456", NT_PHONE_MOBILE, "Gmobile", "");
    expect_phone("0559 123 456", "+84559123456", NT_PHONE_MOBILE, "Reddi", "");
    expect_phone("0877 123 456", "+84877123456", NT_PHONE_MOBILE, "iTel", "");
    expect_phone("0999 123 456", "+84999123456", NT_PHONE_MOBILE, "iTel", "");
}

static void test_landlines(void **state)
{
    (void)state;
    expect_phone("(028) 3822 1234", "+842838221234", NT_PHONE_FIXED, "", "Ho Chi Minh City");
    expect_phone("028.3822.1234", "+842838221234", NT_PHONE_FIXED, "", "Ho Chi Minh City");
    expect_phone("024 3825 1234", "+842438251234", NT_PHONE_FIXED, "", "Hanoi");
    expect_phone("+84 24 3825 1234", "+842438251234", NT_PHONE_FIXED, "", "Hanoi");
    expect_phone("0236 3822 123", "+842363822123", NT_PHONE_FIXED, "", "Da Nang");
    expect_phone("0292 3820 123", "+842923820123", NT_PHONE_FIXED, "", "Can Tho");
    expect_phone("0203 3825 123", "+842033825123", NT_PHONE_FIXED, "", "Quang Ninh");
    expect_phone("0270 3822 123", "+842703822123", NT_PHONE_FIXED, "", "Vinh Long");
}

static void test_national_only(void **state)
{
    (void)state;
    expect_phone("1900 1234", "19001234", NT_PHONE_PREMIUM, "", "");
    expect_phone("1900 123 456", "1900123456", NT_PHONE_PREMIUM, "", "");
    expect_phone("1900.54.54.54", "1900545454", NT_PHONE_PREMIUM, "", "");
    expect_phone("1800 1234", "18001234", NT_PHONE_TOLL_FREE, "", "");
    expect_phone("1800 123 456", "1800123456", NT_PHONE_TOLL_FREE, "", "");
    expect_phone("1800 1091", "18001091", NT_PHONE_TOLL_FREE, "", "");
    expect_phone("+84 1900 1234", "19001234", NT_PHONE_PREMIUM, "", "");
    expect_phone("1228 1234", "12281234", NT_PHONE_TOLL_FREE, "", "");
    expect_phone("1992000", "1992000", NT_PHONE_UAN, "", "");
    expect_phone("111", "111", NT_PHONE_SHORT_CODE, "", "");
    expect_phone("113", "113", NT_PHONE_SHORT_CODE, "", "");
    expect_phone("114", "114", NT_PHONE_SHORT_CODE, "", "");
    expect_phone("115", "115", NT_PHONE_SHORT_CODE, "", "");
    expect_phone("9029", "9029", NT_PHONE_SHORT_CODE, "", "");
    expect_phone("8185", "8185", NT_PHONE_SHORT_CODE, "", "");
    expect_phone("94567", "94567", NT_PHONE_SHORT_CODE, "", "");
}

static void test_old_mobiles(void **state)
{
    (void)state;
    static const struct {
        const char *old, *now, *carrier;
    } map[] = {
        {"0120", "+8470", "MobiFone"},  {"0121", "+8479", "MobiFone"},
        {"0122", "+8477", "MobiFone"},  {"0126", "+8476", "MobiFone"},
        {"0128", "+8478", "MobiFone"},  {"0123", "+8483", "Vinaphone"},
        {"0124", "+8484", "Vinaphone"}, {"0125", "+8485", "Vinaphone"},
        {"0127", "+8481", "Vinaphone"}, {"0129", "+8482", "Vinaphone"},
        {"0162", "+8432", "Viettel"},   {"0163", "+8433", "Viettel"},
        {"0164", "+8434", "Viettel"},   {"0165", "+8435", "Viettel"},
        {"0166", "+8436", "Viettel"},   {"0167", "+8437", "Viettel"},
        {"0168", "+8438", "Viettel"},   {"0169", "+8439", "Viettel"},
        {"0186", "+8456", "Vietnamobile"}, {"0188", "+8458", "Vietnamobile"},
        {"0199", "+8459", "Gmobile"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char in[32], want[32], *out = NULL;
        nt_phone_info info;
        unsigned flags = 0;
        snprintf(in, sizeof in, "%s 567 8901", map[i].old);
        snprintf(want, sizeof want, "%s5678901", map[i].now);
        assert_int_equal(nt__canon_phone(in, strlen(in), &out, &info, &flags, NULL), NT_OK);
        assert_string_equal(out, want);
        assert_int_equal(info.kind, NT_PHONE_MOBILE);
        assert_string_equal(info.carrier, map[i].carrier);
        assert_true(flags & NT__PHONE_RENUMBERED);
        free(out);
    }
    expect_phone("01234 567 890", "+84834567890", NT_PHONE_MOBILE, "Vinaphone", "");
    expect_phone("+84 1689 123 456", "+84389123456", NT_PHONE_MOBILE, "Viettel", "");
    /* the public function reports the renumbering through diag */
    nt_diag d;
    char *out = NULL;
    assert_int_equal(nt_canon_phone("01689123456", 11, &out, NULL, &d), NT_OK);
    assert_int_equal(d.code, NT_OK);
    assert_non_null(strstr(d.message, "renumbered"));
    free(out);
    /* a current number is not marked */
    unsigned flags = 99;
    assert_int_equal(nt__canon_phone("0912345678", 10, &out, NULL, &flags, NULL), NT_OK);
    assert_int_equal(flags & NT__PHONE_RENUMBERED, 0);
    free(out);
    /* 011x was never a mobile prefix */
    expect_reject("01134 567 890", "unassigned");
}

static void test_international(void **state)
{
    (void)state;
    expect_phone("+1 650 253 0000", "+16502530000", NT_PHONE_INTERNATIONAL, "", "");
    expect_phone("+44 20 7946 0958", "+442079460958", NT_PHONE_INTERNATIONAL, "", "");
    expect_phone("0044 20 7946 0958", "+442079460958", NT_PHONE_INTERNATIONAL, "", "");
    expect_phone("+86 138 0013 8000", "+8613800138000", NT_PHONE_INTERNATIONAL, "", "");
    expect_phone("+855 12 345 678", "+85512345678", NT_PHONE_INTERNATIONAL, "", "");
    expect_phone("+66 81 234 5678", "+66812345678", NT_PHONE_INTERNATIONAL, "", "");
    unsigned flags = 0;
    char *out = NULL;
    assert_int_equal(nt__canon_phone("+84912345678", 12, &out, NULL, &flags, NULL), NT_OK);
    assert_true(flags & NT__PHONE_INTL_FORM);
    free(out);
}

static void test_rejections(void **state)
{
    (void)state;
    expect_reject("0112 345 678", "unassigned");
    expect_reject("0412 345 678", "unassigned");
    expect_reject("0912 345 67", "wrong length");
    expect_reject("0912 345 6789", "wrong length");
    expect_reject("028 3822 123", "wrong length");
    expect_reject("0912 ABC 678", "letters");
    expect_reject("0912345678x", "letters");
    expect_reject("09123456781234567890", "too many digits");
    expect_reject("+84 912 345 678 901 234 567", "too many digits");
    expect_reject("", NULL);
    expect_reject("   ", NULL);
    expect_reject("+", "no digits");
    expect_reject("09+12345678", "'+'");
    expect_reject("0912_345_678", "unexpected character");
    expect_reject("912345678", "no prefix");
    expect_reject("123", "short code");
    expect_reject("1234", "short code");
    expect_reject("+999 123 4567", "country calling code");
    expect_reject("+1 650", "wrong length");
    expect_reject("+44 20 7946 0958 12345", "wrong length");
    expect_reject("1900 12", "wrong length");
    expect_reject("1900 1234 5678", "wrong length");
    expect_reject("0912\xc3\xa9", "unexpected character");
    /* the contract on bad arguments */
    char *out;
    assert_int_equal(nt_canon_phone("1", 1, NULL, NULL, NULL), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_canon_phone(NULL, 3, &out, NULL, NULL), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_canon_phone(NULL, 0, &out, NULL, NULL), NT_ERR_EMPTY);
    assert_string_equal(nt_phone_kind_name(NT_PHONE_PREMIUM), "premium");
    assert_string_equal(nt_phone_kind_name((nt_phone_kind)99), "unknown");
}

/* Example numbers from libphonenumber's PhoneNumberMetadata.xml, territory
 * VN (commit f7e3e88c, Apache-2.0), national significant numbers. */
static void test_libphonenumber_examples(void **state)
{
    (void)state;
    expect_phone("+84 2101234567", "+842101234567", NT_PHONE_FIXED, "", "Phu Tho");
    expect_phone("0912345678", "+84912345678", NT_PHONE_MOBILE, "Vinaphone", "");
    expect_phone("1800123456", "1800123456", NT_PHONE_TOLL_FREE, "", "");
    expect_phone("1900123456", "1900123456", NT_PHONE_PREMIUM, "", "");
    expect_phone("0672012345", "+84672012345", NT_PHONE_UAN, "", "");
    expect_phone("1992000", "1992000", NT_PHONE_UAN, "", "");
}

static nt_phone_kind kind_of_section(const char *tag)
{
    static const struct {
        const char *tag;
        nt_phone_kind kind;
    } k[] = {{"<fixedLine>", NT_PHONE_FIXED},     {"<mobile>", NT_PHONE_MOBILE},
             {"<tollFree>", NT_PHONE_TOLL_FREE},  {"<premiumRate>", NT_PHONE_PREMIUM},
             {"<voip>", NT_PHONE_UAN},            {"<uan>", NT_PHONE_UAN}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (strcmp(k[i].tag, tag) == 0)
            return k[i].kind;
    return NT_PHONE_UNKNOWN;
}

/* Every <exampleNumber> of the shared metadata validates as its section's
 * kind, written both nationally ("0" + number) and internationally. */
static void test_shared_metadata_examples(void **state)
{
    (void)state;
    const char *path = tu_shared_path("vn-phone-libphonenumber/PhoneNumberMetadata_VN.xml");
    if (!path)
        skip();
    char *xml = tu_read_file(path, NULL);
    assert_non_null(xml);
    static const char *const tags[] = {"<fixedLine>", "<mobile>", "<tollFree>",
                                       "<premiumRate>", "<voip>", "<uan>"};
    int seen = 0;
    for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
        const char *sec = strstr(xml, tags[t]);
        assert_non_null(sec);
        const char *ex = strstr(sec, "<exampleNumber>");
        assert_non_null(ex);
        ex += strlen("<exampleNumber>");
        const char *end = strchr(ex, '<');
        char num[32], in[40], *out = NULL;
        snprintf(num, sizeof num, "%.*s", (int)(end - ex), ex);
        nt_phone_kind want = kind_of_section(tags[t]);
        const char *prefixes[] = {"0", "+84 "};
        for (int p = 0; p < 2; p++) {
            nt_phone_info info;
            nt_diag d;
            snprintf(in, sizeof in, "%s%s", prefixes[p], num);
            nt_err rc = nt_canon_phone(in, strlen(in), &out, &info, &d);
            if (rc != NT_OK)
                fail_msg("%s (%s): %s", in, tags[t], d.message);
            if (info.kind != want)
                fail_msg("%s (%s): kind %s", in, tags[t], nt_phone_kind_name(info.kind));
            free(out);
            seen++;
        }
    }
    assert_int_equal(seen, 12);
    free(xml);
}

/* Every carrier prefix of carrier_en_84.txt that is a mobile range gives a
 * number with a carrier; every area code of geocoding_en_84.txt gives a
 * landline with a province. */
static void test_shared_prefix_files(void **state)
{
    (void)state;
    const char *cpath = tu_shared_path("vn-phone-libphonenumber/geocoding_en_84.txt");
    if (!cpath)
        skip();
    char *geo = tu_read_file(cpath, NULL);
    assert_non_null(geo);
    int areas = 0;
    for (char *line = strtok(geo, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "84", 2) != 0)
            continue;
        char *bar = strchr(line, '|');
        assert_non_null(bar);
        char in[32], *out = NULL;
        nt_phone_info info;
        nt_diag d;
        /* area code + subscriber digits to 10 national digits; 24/28 need a
         * third digit 2-8 */
        size_t al = (size_t)(bar - line) - 2;
        snprintf(in, sizeof in, "0%.*s%.*s", (int)al, line + 2, (int)(10 - al),
                 "3822123456");
        nt_err rc = nt_canon_phone(in, strlen(in), &out, &info, &d);
        if (rc != NT_OK)
            fail_msg("area %.*s: %s: %s", (int)al, line + 2, in, d.message);
        assert_int_equal(info.kind, NT_PHONE_FIXED);
        assert_true(info.region[0] != '\0');
        free(out);
        areas++;
    }
    assert_true(areas >= 60);
    free(geo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_min_standalone_digits),
        cmocka_unit_test(test_mobile_writings),
        cmocka_unit_test(test_carriers),
        cmocka_unit_test(test_landlines),
        cmocka_unit_test(test_national_only),
        cmocka_unit_test(test_old_mobiles),
        cmocka_unit_test(test_international),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_libphonenumber_examples),
        cmocka_unit_test(test_shared_metadata_examples),
        cmocka_unit_test(test_shared_prefix_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
