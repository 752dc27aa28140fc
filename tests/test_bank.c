/*
 * tests/test_bank.c - the bank table (data/banks.tsv): loading, lookups by
 * every name people write, parse errors with line:col, the extractor's
 * prefix matcher, and canonical account numbers.
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

static nt_banks *banks;

static int setup(void **state)
{
    (void)state;
    nt_diag d;
    nt_err rc = nt_banks_load(tu_data_path("banks.tsv"), &banks, &d);
    if (rc != NT_OK) {
        char buf[512];
        fprintf(stderr, "banks.tsv: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nt_banks_free(banks);
    return 0;
}

static void expect_bank(const char *name, const char *code)
{
    nt_bank_info info;
    nt_err rc = nt_banks_find(banks, name, strlen(name), &info);
    if (rc != NT_OK)
        fail_msg("\"%s\": %s", name, nt_strerror(rc));
    if (strcmp(info.code, code) != 0)
        fail_msg("\"%s\": got %s, want %s", name, info.code, code);
}

static void test_load(void **state)
{
    (void)state;
    assert_true(nt_banks_count(banks) >= 60);
    nt_bank_info info;
    assert_int_equal(nt_banks_find(banks, "VCB", 3, &info), NT_OK);
    assert_string_equal(info.code, "VCB");
    assert_string_equal(info.short_name, "Vietcombank");
    assert_string_equal(info.name, "Ngân hàng TMCP Ngoại Thương Việt Nam");
    assert_string_equal(info.bin, "970436");
    assert_int_equal(nt_banks_find(banks, "ZaloPay", 7, &info), NT_OK);
    assert_string_equal(info.bin, "");
}

static void test_aliases(void **state)
{
    (void)state;
    static const struct {
        const char *name, *code;
    } cases[] = {
        {"Vietcombank", "VCB"}, {"vietcom bank", "VCB"}, {"VCB", "VCB"},
        {"ngoai thuong", "VCB"}, {"Ngoại thương", "VCB"}, {"NGOẠI THƯƠNG", "VCB"},
        {"970436", "VCB"}, {"Ngân hàng Vietcombank", "VCB"}, {"NH Vietcombank", "VCB"},
        {"Techcombank", "TCB"}, {"TCB", "TCB"}, {"TCBank", "TCB"}, {"techcom", "TCB"},
        {"MB", "MBB"}, {"MBBank", "MBB"}, {"MB Bank", "MBB"}, {"Quân đội", "MBB"},
        {"quan doi", "MBB"}, {"BIDV", "BID"}, {"Đầu tư và Phát triển", "BID"},
        {"dau tu va phat trien", "BID"}, {"Agribank", "AGRIBANK"}, {"Nông nghiệp", "AGRIBANK"},
        {"VietinBank", "CTG"}, {"CTG", "CTG"}, {"Công thương", "CTG"}, {"vietin bank", "CTG"},
        {"ACB", "ACB"}, {"Á Châu", "ACB"}, {"a chau", "ACB"}, {"VPBank", "VPB"},
        {"vp bank", "VPB"}, {"TPBank", "TPB"}, {"Tiên Phong", "TPB"}, {"Sacombank", "STB"},
        {"STB", "STB"}, {"Sài Gòn Thương Tín", "STB"}, {"SHB", "SHB"}, {"HDBank", "HDB"},
        {"VIB", "VIB"}, {"MSB", "MSB"}, {"Maritime", "MSB"}, {"Maritime Bank", "MSB"},
        {"OCB", "OCB"}, {"Phương Đông", "OCB"}, {"SeABank", "SSB"}, {"Eximbank", "EIB"},
        {"EIB", "EIB"}, {"LPBank", "LPB"}, {"LienVietPostBank", "LPB"}, {"Nam A Bank", "NAB"},
        {"Nam Á", "NAB"}, {"Viet Capital", "BVB"}, {"BVBank", "BVB"}, {"Bản Việt", "BVB"},
        {"Bảo Việt", "BAOVIETBANK"}, {"OceanBank", "MBV"}, {"DongA Bank", "VIKKI"},
        {"Đông Á", "VIKKI"}, {"Đông Nam Á", "SSB"}, {"MoMo", "MOMO"}, {"Ví MoMo", "MOMO"},
        {"ZaloPay", "ZALOPAY"}, {"zalo pay", "ZALOPAY"}, {"ViettelPay", "VIETTELMONEY"},
        {"Viettel Money", "VIETTELMONEY"}, {"VNPT Money", "VNPTMONEY"},
        {"ShopeePay", "SHOPEEPAY"}, {"BIDV bank", "BID"}, {"  vcb  ", "VCB"},
        {"ＶＣＢ", "VCB"}, /* full-width letters */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_bank(cases[i].name, cases[i].code);
    nt_bank_info info;
    assert_int_equal(nt_banks_find(banks, "Not A Bank", 10, &info), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_banks_find(banks, "", 0, &info), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_banks_find(banks, "---", 3, &info), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_banks_find(banks, "\xff\xfe", 2, &info), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_banks_find(banks, "999999", 6, &info), NT_ERR_NOT_FOUND);
}

/* Every bank of the shared NAPAS BIN list resolves by BIN, short name and
 * bank code to a bank with that BIN. */
static void test_shared_bins(void **state)
{
    (void)state;
    const char *path = tu_shared_path("vn-bank-bins/vn_banks_napas_bin.tsv");
    if (!path)
        skip();
    char *tsv = tu_read_file(path, NULL);
    assert_non_null(tsv);
    int rows = 0;
    char *save = NULL;
    for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "key\t", 4) == 0)
            continue;
        char *f[8] = {0};
        int nf = 0;
        for (char *p = line; nf < 8;) {
            f[nf++] = p;
            char *t = strchr(p, '\t');
            if (!t)
                break;
            *t = '\0';
            p = t + 1;
        }
        assert_true(nf >= 5);
        const char *code = f[1], *bin = f[2], *shortn = f[3], *name = f[4];
        nt_bank_info a, b, c;
        if (bin[0]) {
            if (nt_banks_find(banks, bin, strlen(bin), &a) != NT_OK)
                fail_msg("BIN %s (%s) not found", bin, code);
            assert_string_equal(a.bin, bin);
        }
        if (nt_banks_find(banks, shortn, strlen(shortn), &b) != NT_OK)
            fail_msg("short name %s not found", shortn);
        if (nt_banks_find(banks, code, strlen(code), &c) != NT_OK)
            fail_msg("code %s not found", code);
        if (nt_banks_find(banks, name, strlen(name), &c) != NT_OK)
            fail_msg("name %s not found", name);
        if (bin[0]) {
            assert_string_equal(b.bin, bin);
            assert_string_equal(c.bin, bin);
        }
        rows++;
    }
    assert_int_equal(rows, 62);
    free(tsv);
}

static void expect_parse_error(const char *data, unsigned line, unsigned col, const char *msg)
{
    nt_banks *b = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_banks_parse(data, strlen(data), "t.tsv", &b, &d);
    if (rc != NT_ERR_PARSE)
        fail_msg("accepted or wrong code %s: %s", nt_strerror(rc), data);
    assert_null(b);
    char buf[512];
    if (d.line != line || d.col != col || !strstr(d.message, msg))
        fail_msg("want %u:%u '%s', got %s", line, col, msg, nt_diag_format(&d, buf, sizeof buf));
    assert_string_equal(d.source, "t.tsv");
}

#define OK1 "VCB\t970436\tVietcombank\tNgân hàng TMCP Ngoại Thương Việt Nam\tVCBank|Ngoại thương\tbank\n"

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("# c\nVCB\t970436\tVietcombank\n", 2, 23, "expected 6 tab-separated columns");
    expect_parse_error("VCB\t970436\ta\tb\tc\tbank\textra\n", 1, 23, "found 7");
    expect_parse_error("vcb\t970436\ta\tb\t-\tbank\n", 1, 1, "bank code");
    expect_parse_error("V\t970436\ta\tb\t-\tbank\n", 1, 1, "bank code");
    expect_parse_error("VCB\t97043\ta\tb\t-\tbank\n", 1, 5, "BIN must be 6 digits");
    expect_parse_error("VCB\t97043x\ta\tb\t-\tbank\n", 1, 5, "BIN must be 6 digits");
    expect_parse_error("VCB\t970436\t\tb\t-\tbank\n", 1, 12, "empty short name");
    expect_parse_error("VCB\t970436\ta\t\t-\tbank\n", 1, 14, "empty full name");
    expect_parse_error("VCB\t970436\ta\tb\t-\tbanks\n", 1, 18, "kind must be");
    expect_parse_error("VCB\t970436\ta\tb\tx||y\tbank\n", 1, 18, "empty alias");
    expect_parse_error("VCB\t970436\ta\tb\t!!\tbank\n", 1, 16, "no letters or digits");
    expect_parse_error("VCB\t970436\ta\tb\tNgo\xe1\xba\tbank\n", 1, 19, "invalid UTF-8");
    expect_parse_error("VCB\t970436\ta\tb\t\xc0\xaf\tbank\n", 1, 16, "invalid UTF-8");
    expect_parse_error(OK1 "VCB\t970437\tx\ty\t-\tbank\n", 2, 1, "duplicate code \"vcb\": already names VCB (line 1)");
    expect_parse_error(OK1 "HDB\t970436\tx\ty\t-\tbank\n", 2, 5, "duplicate BIN \"970436\": already names VCB (line 1)");
    expect_parse_error(OK1 "\nHDB\t970437\tx\ty\tngoai THUONG\tbank\n", 3, 16, "duplicate name or alias \"ngoaithuong\": already names VCB (line 1)");
    expect_parse_error(OK1 "HDB\t970437\tVietcom Bank\ty\t-\tbank\n", 2, 12, "already names VCB (line 1)");
    expect_parse_error("", 1, 1, "no banks");
    expect_parse_error("# only a comment\n\n", 2, 1, "no banks");
    {
        static const char nul[] = "VCB\t970436\ta\tb\tc\0d\tbank\n";
        nt_banks *bn = NULL;
        nt_diag dn;
        assert_int_equal(nt_banks_parse(nul, sizeof nul - 1, "t.tsv", &bn, &dn), NT_ERR_PARSE);
        assert_int_equal(dn.col, 17);
        assert_non_null(strstr(dn.message, "NUL"));
    }
    /* CRLF and comments are fine; the same alias twice in one row is fine */
    nt_banks *b = NULL;
    const char *ok = "# header\r\n" "VCB\t970436\tVCB\tVietcombank\tvcb|V C B\tbank\r\n"
                     "  # indented comment\n" "MOMO\t-\tMoMo\tVí MoMo\t-\twallet";
    nt_diag d;
    assert_int_equal(nt_banks_parse(ok, strlen(ok), NULL, &b, &d), NT_OK);
    assert_int_equal(nt_banks_count(b), 2);
    nt_bank_info info;
    assert_int_equal(nt_banks_find(b, "ví momo", strlen("ví momo"), &info), NT_OK);
    assert_string_equal(info.code, "MOMO");
    nt_banks_free(b);
    assert_int_equal(nt_banks_load("/nonexistent/banks.tsv", &b, &d), NT_ERR_IO);
    assert_null(b);
}

static void expect_prefix(const char *text, const char *code, size_t len)
{
    size_t ml = 0;
    nt_bank_info info;
    int m = nt__banks_match_prefix(banks, text, strlen(text), &ml, &info);
    if (!code) {
        if (m)
            fail_msg("\"%s\": matched %s (%zu bytes)", text, info.code, ml);
        return;
    }
    if (!m)
        fail_msg("\"%s\": no match, want %s", text, code);
    if (strcmp(info.code, code) != 0 || ml != len)
        fail_msg("\"%s\": got %s/%zu, want %s/%zu", text, info.code, ml, code, len);
}

static void test_prefix_match(void **state)
{
    (void)state;
    expect_prefix("vietcombank 0123456789", "VCB", 11);
    expect_prefix("vietcom bank stk 0123", "VCB", 12);
    expect_prefix("ngan hang ngoai thuong viet nam", "VCB", 22);
    expect_prefix("ngan hang tmcp ngoai thuong viet nam", "VCB", 36);
    expect_prefix("ngoai thuong.", "VCB", 12);
    expect_prefix("mb 0123456789", "MBB", 2);
    expect_prefix("mb bank: 0123", "MBB", 7);
    expect_prefix("MB", "MBB", 2);
    expect_prefix("mbx 0123", NULL, 0);
    expect_prefix("acb", "ACB", 3);
    expect_prefix("acbd", NULL, 0);
    expect_prefix("tp-bank", "TPB", 7);
    expect_prefix("vcb0123456789", NULL, 0);
    expect_prefix("970436 0123", NULL, 0); /* a bare BIN is not context */
    expect_prefix("zalo pay", "ZALOPAY", 8);
    expect_prefix(" vcb", NULL, 0);
    expect_prefix("", NULL, 0);
    expect_prefix("nam a bank", "NAB", 10);
    expect_prefix("nam anh", NULL, 0);
    expect_prefix("sai gon thuong tin 0123", "STB", 18);
}

static void expect_account(const char *bank, const char *acct, const char *want)
{
    char *out = NULL;
    nt_diag d;
    nt_err rc = nt_canon_bank_account(banks, bank, acct, strlen(acct), &out, &d);
    if (rc != NT_OK)
        fail_msg("%s / %s: %s", bank ? bank : "-", acct, d.message);
    assert_string_equal(out, want);
    free(out);
}

static void expect_account_reject(const char *acct, const char *reason)
{
    char *out = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon_bank_account(banks, "VCB", acct, strlen(acct), &out, &d);
    if (rc == NT_OK)
        fail_msg("%s accepted as %s", acct, out);
    assert_null(out);
    if (!strstr(d.message, reason))
        fail_msg("%s: '%s' lacks '%s'", acct, d.message, reason);
}

static void test_accounts(void **state)
{
    (void)state;
    expect_account("Vietcombank", "0123456789", "VCB:0123456789");
    expect_account("vietcom bank", "0123 456 789", "VCB:0123456789");
    expect_account("Ngân hàng Quân đội", "0123.456.789.012", "MBB:0123456789012");
    expect_account("970436", "0123-456-789", "VCB:0123456789");
    expect_account(NULL, "0123456789", "0123456789");
    expect_account("Unknown Bank", "0123456789", "0123456789");
    expect_account("", "123456", "123456");
    expect_account("ACB", "1234567890123456789", "ACB:1234567890123456789");
    expect_account_reject("12345", "too few digits");
    expect_account_reject("12345678901234567890", "too many digits");
    expect_account_reject("0123abc789", "unexpected character");
    expect_account_reject("0123/456/789", "unexpected character");
    expect_account_reject(" . - ", "too few digits");
    char *out = NULL;
    assert_int_equal(nt_canon_bank_account(banks, "VCB", "", 0, &out, NULL), NT_ERR_EMPTY);
    /* without a table: plain digits */
    assert_int_equal(nt_canon_bank_account(NULL, "VCB", "0123456789", 10, &out, NULL), NT_OK);
    assert_string_equal(out, "0123456789");
    free(out);
    /* through the dispatcher: "BANK:digits" and "BANK digits", fixed point */
    static const struct {
        const char *in, *want;
    } disp[] = {
        {"VCB:0123456789", "VCB:0123456789"},
        {"Vietcombank 0123 456 789", "VCB:0123456789"},
        {"Ngân hàng Á Châu: 1234-5678", "ACB:12345678"},
        {"0123456789", "0123456789"},
        {"Nowhere Bank 0123456789", "0123456789"},
    };
    for (size_t i = 0; i < sizeof disp / sizeof disp[0]; i++) {
        char *again = NULL;
        nt_diag d;
        nt_err rc = nt_canon(NT_IND_BANK_ACCOUNT, banks, disp[i].in, strlen(disp[i].in), &out, &d);
        if (rc != NT_OK)
            fail_msg("%s: %s", disp[i].in, d.message);
        assert_string_equal(out, disp[i].want);
        assert_int_equal(nt_canon(NT_IND_BANK_ACCOUNT, banks, out, strlen(out), &again, NULL), NT_OK);
        assert_string_equal(again, out);
        free(again);
        free(out);
    }
    assert_int_equal(nt_canon(NT_IND_BANK_ACCOUNT, banks, "VCB:12", 6, &out, NULL), NT_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_shared_bins),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_prefix_match),
        cmocka_unit_test(test_accounts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
