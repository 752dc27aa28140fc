/*
 * tests/test_values.c - e-mail, social accounts, wallets, national IDs, IP
 * addresses, the nt_canon dispatcher and indicator type names, on real
 * inputs: each good case gives the exact canonical value, which is checked
 * to be a fixed point; each bad case is refused with its reason.
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

static void expect_canon(nt_ind_type type, const char *in, const char *want)
{
    char *out = NULL, *again = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon(type, NULL, in, strlen(in), &out, &d);
    if (rc != NT_OK)
        fail_msg("%s \"%s\": %s (%s)", nt_ind_type_name(type), in, nt_strerror(rc), d.message);
    if (want && strcmp(out, want) != 0)
        fail_msg("%s \"%s\": got %s, want %s", nt_ind_type_name(type), in, out, want);
    rc = nt_canon(type, NULL, out, strlen(out), &again, &d);
    if (rc != NT_OK || strcmp(again, out) != 0)
        fail_msg("%s \"%s\": canonical %s is not a fixed point (%s)", nt_ind_type_name(type),
                 in, out, rc == NT_OK ? again : d.message);
    free(again);
    free(out);
}

static void expect_bad(nt_ind_type type, const char *in, const char *reason)
{
    char *out = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon(type, NULL, in, strlen(in), &out, &d);
    if (rc == NT_OK)
        fail_msg("%s \"%s\": accepted as %s", nt_ind_type_name(type), in, out);
    assert_null(out);
    assert_int_equal(d.code, rc);
    if (reason && !strstr(d.message, reason))
        fail_msg("%s \"%s\": reason '%s' lacks '%s'", nt_ind_type_name(type), in, d.message,
                 reason);
}

/* ---- e-mail ---- */

static void test_email(void **state)
{
    (void)state;
    expect_canon(NT_IND_EMAIL, "Scam.Person+tag@Gmail.COM", "scam.person+tag@gmail.com");
    expect_canon(NT_IND_EMAIL, "  hotro@vietcombank.com.vn ", "hotro@vietcombank.com.vn");
    expect_canon(NT_IND_EMAIL, "mailto:Info@Example.com", "info@example.com");
    expect_canon(NT_IND_EMAIL, "a_b-c!#$%&'*/=?^`{|}~@mail.example.org",
                 "a_b-c!#$%&'*/=?^`{|}~@mail.example.org");
    expect_canon(NT_IND_EMAIL, "cskh@example.vn.", "cskh@example.vn");
    /* IDN domain to A-labels (the exact label is the domain canonicaliser's) */
    char *out = NULL;
    const char *idn = "LienHe@Ví-Dụ.vn";
    assert_int_equal(nt_canon_email(idn, strlen(idn), &out, NULL), NT_OK);
    assert_true(strncmp(out, "lienhe@xn--", 11) == 0);
    assert_true(strcmp(out + strlen(out) - 3, ".vn") == 0);
    free(out);

    expect_bad(NT_IND_EMAIL, "no-at.example.com", "no '@'");
    expect_bad(NT_IND_EMAIL, "a@b@example.com", "more than one '@'");
    expect_bad(NT_IND_EMAIL, "@example.com", "empty local part");
    expect_bad(NT_IND_EMAIL, "user@", "empty domain");
    expect_bad(NT_IND_EMAIL,
               "a1234567890123456789012345678901234567890123456789012345678901234@example.com",
               "longer than 64");
    expect_bad(NT_IND_EMAIL, "a..b@example.com", "dot");
    expect_bad(NT_IND_EMAIL, ".ab@example.com", "dot");
    expect_bad(NT_IND_EMAIL, "ab.@example.com", "dot");
    expect_bad(NT_IND_EMAIL, "a b@example.com", "not allowed");
    expect_bad(NT_IND_EMAIL, "a\"b@example.com", "not allowed");
    expect_bad(NT_IND_EMAIL, "ngườidùng@example.com", "non-ASCII");
    expect_bad(NT_IND_EMAIL, "user@[1.2.3.4]", "address literals");
    expect_bad(NT_IND_EMAIL, "user@localhost", NULL);
    expect_bad(NT_IND_EMAIL, "user@example.notarealtld", NULL);
    expect_bad(NT_IND_EMAIL, "", NULL);
}

/* ---- social ---- */

static void test_social_zalo(void **state)
{
    (void)state;
    expect_canon(NT_IND_SOCIAL, "https://zalo.me/0912345678", "zalo:+84912345678");
    expect_canon(NT_IND_SOCIAL, "zalo.me/84912345678", "zalo:+84912345678");
    expect_canon(NT_IND_SOCIAL, "http://zalo.me/+84912345678?src=qr", "zalo:+84912345678");
    expect_canon(NT_IND_SOCIAL, "zalo:0912 345 678", "zalo:+84912345678");
    expect_canon(NT_IND_SOCIAL, "https://zalo.me/01234567890", "zalo:+84834567890");
    expect_canon(NT_IND_SOCIAL, "https://zalo.me/4318625839275738459",
                 "zalo:4318625839275738459");
    expect_canon(NT_IND_SOCIAL, "https://zalo.me/g/AbCdEf123", "zalo:g/abcdef123");
    expect_bad(NT_IND_SOCIAL, "https://zalo.me/0112345678", "phone number");
    expect_bad(NT_IND_SOCIAL, "https://zalo.me/19001234", "phone number");
    expect_bad(NT_IND_SOCIAL, "https://zalo.me/abc", "phone number");
    expect_bad(NT_IND_SOCIAL, "https://zalo.me/", "no account");
}

static void test_social_telegram(void **state)
{
    (void)state;
    expect_canon(NT_IND_SOCIAL, "https://t.me/ScamSupport_bot", "telegram:scamsupport_bot");
    expect_canon(NT_IND_SOCIAL, "t.me/hotro_vcb", "telegram:hotro_vcb");
    expect_canon(NT_IND_SOCIAL, "https://telegram.me/abcde/", "telegram:abcde");
    expect_canon(NT_IND_SOCIAL, "https://t.me/s/kenh_dau_tu", "telegram:kenh_dau_tu");
    expect_canon(NT_IND_SOCIAL, "https://t.me/kenh_dau_tu/123", "telegram:kenh_dau_tu");
    expect_canon(NT_IND_SOCIAL, "telegram:Abcde", "telegram:abcde");
    expect_bad(NT_IND_SOCIAL, "https://t.me/abcd", "5-32");
    expect_bad(NT_IND_SOCIAL, "https://t.me/a23456789012345678901234567890123", "5-32");
    expect_bad(NT_IND_SOCIAL, "https://t.me/1abcde", "start with a letter");
    expect_bad(NT_IND_SOCIAL, "https://t.me/abcde_", "end with _");
    expect_bad(NT_IND_SOCIAL, "https://t.me/abc-de", "only a-z");
    expect_bad(NT_IND_SOCIAL, "https://t.me/+AbCdEf12345", "invite");
    expect_bad(NT_IND_SOCIAL, "https://t.me/joinchat/AAAAAE", "invite");
}

static void test_social_facebook(void **state)
{
    (void)state;
    expect_canon(NT_IND_SOCIAL, "https://www.facebook.com/John.Smith.123",
                 "facebook:johnsmith123");
    expect_canon(NT_IND_SOCIAL, "https://m.facebook.com/profile.php?id=100012345678901",
                 "facebook:100012345678901");
    expect_canon(NT_IND_SOCIAL, "facebook.com/profile.php?ref=x&id=100012345678901&s=1",
                 "facebook:100012345678901");
    expect_canon(NT_IND_SOCIAL, "fb.com/johnsmith", "facebook:johnsmith");
    expect_canon(NT_IND_SOCIAL, "https://web.facebook.com/hotro.vietcombank/?ref=page",
                 "facebook:hotrovietcombank");
    expect_canon(NT_IND_SOCIAL, "https://www.facebook.com/people/Nguyen-Van-A/100087654321098/",
                 "facebook:100087654321098");
    expect_canon(NT_IND_SOCIAL, "https://facebook.com/100012345678901",
                 "facebook:100012345678901");
    expect_bad(NT_IND_SOCIAL, "https://facebook.com/groups/123456789", "not a profile");
    expect_bad(NT_IND_SOCIAL, "https://facebook.com/share/p/abc", "not a profile");
    expect_bad(NT_IND_SOCIAL, "https://facebook.com/abcd", "at least 5");
    expect_bad(NT_IND_SOCIAL, "https://facebook.com/a.b.c.d", "at least 5");
    expect_bad(NT_IND_SOCIAL, "https://m.facebook.com/1009111111009111111111016.7", "contain a letter");
    expect_bad(NT_IND_SOCIAL, "https://facebook.com/john_smith", "only a-z");
    expect_bad(NT_IND_SOCIAL, "https://facebook.com/profile.php", "numeric id");
    expect_bad(NT_IND_SOCIAL, "https://facebook.com/profile.php?id=abc", "numeric id");
}

static void test_social_tiktok_instagram(void **state)
{
    (void)state;
    expect_canon(NT_IND_SOCIAL, "https://www.tiktok.com/@Scam.Shop_VN/video/7234567890123456789",
                 "tiktok:scam.shop_vn");
    expect_canon(NT_IND_SOCIAL, "tiktok.com/@ab", "tiktok:ab");
    expect_bad(NT_IND_SOCIAL, "https://www.tiktok.com/video/123", "without @user");
    expect_bad(NT_IND_SOCIAL, "https://vt.tiktok.com/ZSabc123/", "without @user");
    expect_bad(NT_IND_SOCIAL, "https://tiktok.com/@a", "2-24");
    expect_bad(NT_IND_SOCIAL, "https://tiktok.com/@a234567890123456789012345", "2-24");
    expect_bad(NT_IND_SOCIAL, "https://tiktok.com/@abc.", "end with a dot");
    expect_canon(NT_IND_SOCIAL, "https://www.instagram.com/Some.User_1/", "instagram:some.user_1");
    expect_canon(NT_IND_SOCIAL, "instagram.com/stories/some.user/123", "instagram:some.user");
    expect_bad(NT_IND_SOCIAL, "https://instagram.com/p/Cxyz123/", "not an account");
    expect_bad(NT_IND_SOCIAL, "https://instagram.com/.user", "dot");
    expect_bad(NT_IND_SOCIAL, "https://instagram.com/a..b", "dot");
    expect_bad(NT_IND_SOCIAL, "https://instagram.com/a234567890123456789012345678901", "1-30");
    expect_bad(NT_IND_SOCIAL, "https://instagram.com/a-b", "only a-z");
}

static void test_social_handles(void **state)
{
    (void)state;
    expect_canon(NT_IND_SOCIAL, "@ScamHandle", "handle:scamhandle");
    expect_canon(NT_IND_SOCIAL, "@ho_tro.vcb", "handle:ho_tro.vcb");
    expect_bad(NT_IND_SOCIAL, "@", "2-32");
    expect_bad(NT_IND_SOCIAL, "@a", "2-32");
    expect_bad(NT_IND_SOCIAL, "@has space", "only a-z");
    expect_bad(NT_IND_SOCIAL, "https://example.com/user", "not a Zalo");
    expect_bad(NT_IND_SOCIAL, "ftp://t.me/abcde", "http");
    expect_bad(NT_IND_SOCIAL, "myspace:abcde", "not a Zalo");
    expect_bad(NT_IND_SOCIAL, "", NULL);
    const char *platform = NULL;
    char *out = NULL;
    assert_int_equal(nt__canon_social("t.me/abcde", 10, &out, &platform, NULL), NT_OK);
    assert_string_equal(platform, "telegram");
    free(out);
}

/* ---- wallets ---- */

static void test_wallets(void **state)
{
    (void)state;
    /* Bitcoin genesis block coinbase address (P2PKH) */
    expect_canon(NT_IND_WALLET, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                 "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    expect_canon(NT_IND_WALLET, "bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2?amount=0.1",
                 "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2");
    /* P2SH example from the Bitcoin wiki */
    expect_canon(NT_IND_WALLET, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                 "btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy");
    /* BIP-173 valid vectors */
    expect_canon(NT_IND_WALLET, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
                 "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    expect_canon(NT_IND_WALLET,
                 "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
                 "btc:bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3");
    /* BIP-350 valid vectors (bech32m, witness v1 and v16) */
    expect_canon(NT_IND_WALLET,
                 "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
                 "btc:bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y");
    expect_canon(NT_IND_WALLET, "BC1SW50QGDZ25J", "btc:bc1sw50qgdz25j");
    /* TRON: the USDT TRC-20 contract and another mainnet address */
    expect_canon(NT_IND_WALLET, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
                 "tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    expect_canon(NT_IND_WALLET, "tron:TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7",
                 "tron:TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7");
    /* Ethereum: EIP-55 example, all cases accepted, lower-cased */
    expect_canon(NT_IND_WALLET, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                 "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    expect_canon(NT_IND_WALLET, "0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
                 "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    expect_canon(NT_IND_WALLET, "ethereum:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed@1",
                 "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");

    /* checksum-broken variants */
    expect_bad(NT_IND_WALLET, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "checksum");
    expect_bad(NT_IND_WALLET, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", "checksum");
    expect_bad(NT_IND_WALLET, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T5", "checksum");
    expect_bad(NT_IND_WALLET, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "checksum");
    /* BIP-173/350 invalid vectors */
    expect_bad(NT_IND_WALLET, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "must use bech32");
    expect_bad(NT_IND_WALLET,
               "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", NULL);
    expect_bad(NT_IND_WALLET, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4", "mixed case");
    expect_bad(NT_IND_WALLET, "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", NULL);
    expect_bad(NT_IND_WALLET, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "not a wallet");
    /* shape errors */
    expect_bad(NT_IND_WALLET, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0", "not base58");
    expect_bad(NT_IND_WALLET, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "hexadecimal");
    expect_bad(NT_IND_WALLET, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", "not a wallet");
    expect_bad(NT_IND_WALLET, "eth:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "written as eth");
    expect_bad(NT_IND_WALLET, "hello", "not a wallet");
    expect_bad(NT_IND_WALLET, "", NULL);
    nt__wallet_chain chain = NT__WALLET_NONE;
    char *out = NULL;
    const char *t = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    assert_int_equal(nt__canon_wallet(t, strlen(t), &out, &chain, NULL), NT_OK);
    assert_int_equal(chain, NT__WALLET_TRON);
    assert_string_equal(nt__wallet_chain_name(chain), "tron");
    free(out);
}

/* ---- national ID ---- */

static void test_national_id(void **state)
{
    (void)state;
    unsigned char k1[32] = {1}, k2[32] = {2};
    char *a = NULL, *b = NULL, *c = NULL, *z = NULL;
    nt_diag d;
    const char *id = "001099012345"; /* Ha Noi, male, born 1999 */
    assert_int_equal(nt_canon_national_id(id, 12, k1, &a, &d), NT_OK);
    assert_int_equal(strlen(a), 5 + 32);
    assert_true(strncmp(a, "cccd:", 5) == 0);
    assert_null(strstr(a, "099012345"));
    assert_null(strstr(a, "012345"));
    const char *spaced = " 001 099 012 345 ";
    assert_int_equal(nt_canon_national_id(spaced, strlen(spaced), k1, &b, &d), NT_OK);
    assert_string_equal(a, b);
    assert_int_equal(nt_canon_national_id(id, 12, k2, &c, &d), NT_OK);
    assert_string_not_equal(a, c);
    assert_int_equal(nt_canon_national_id(id, 12, NULL, &z, &d), NT_OK);
    assert_string_not_equal(a, z);
    /* the hashed form is a fixed point; raw digits need a key */
    char *again = NULL;
    assert_int_equal(nt_canon(NT_IND_NATIONAL_ID, NULL, a, strlen(a), &again, &d), NT_OK);
    assert_string_equal(again, a);
    free(again);
    assert_int_equal(nt_canon_national_id(a, strlen(a), k2, &again, &d), NT_OK);
    assert_string_equal(again, a);
    free(again);
    assert_int_equal(nt_canon(NT_IND_NATIONAL_ID, NULL, id, 12, &again, &d), NT_ERR_UNSUPPORTED);
    assert_null(again);
    free(a);
    free(b);
    free(c);
    free(z);

    static const char *const good[] = {"079203001234", "096185009876", "048301123456",
                                       "031290000001"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *o = NULL;
        if (nt_canon_national_id(good[i], 12, k1, &o, &d) != NT_OK)
            fail_msg("%s: %s", good[i], d.message);
        assert_null(strstr(o, good[i] + 3));
        free(o);
    }
    static const struct {
        const char *in, *reason;
    } bad[] = {
        {"003099012345", "province"}, {"000099012345", "province"},
        {"097099012345", "province"}, {"999099012345", "province"},
        {"001499012345", "century"},  {"001899012345", "century"},
        {"00109901234", "12 digits"}, {"0010990123456", "12 digits"},
        {"00109901234a", "12 digits"}, {"", "empty"},
        {"cccd:xyz", "hex"},          {"cccd:0123456789abcdef0123456789abcdeg", "hex"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *o = NULL;
        nt_diag_clear(&d);
        if (nt_canon_national_id(bad[i].in, strlen(bad[i].in), k1, &o, &d) == NT_OK)
            fail_msg("%s accepted", bad[i].in);
        assert_null(o);
        if (!strstr(d.message, bad[i].reason))
            fail_msg("%s: '%s' lacks '%s'", bad[i].in, d.message, bad[i].reason);
        /* the diagnostics never repeat the number */
        if (strlen(bad[i].in) >= 6 && strncmp(bad[i].in, "cccd", 4) != 0)
            assert_null(strstr(d.message, bad[i].in + 3));
    }
}

/* ---- IP, dispatcher, type names ---- */

static void test_dispatcher(void **state)
{
    (void)state;
    expect_canon(NT_IND_IP, "8.8.8.8", "8.8.8.8");
    expect_canon(NT_IND_IP, " [2001:DB8:0:0::1] ", "2001:db8::1");
    expect_bad(NT_IND_IP, "999.1.1.1", "IPv4");
    expect_bad(NT_IND_IP, "1.2.3", "IPv4");
    expect_bad(NT_IND_IP, "::g", "IPv6");
    expect_bad(NT_IND_IP, "", "empty");
    expect_canon(NT_IND_PHONE, "0912 345 678", "+84912345678");
    expect_canon(NT_IND_BANK_ACCOUNT, "0123 456 789", "0123456789");
    char *out = NULL;
    assert_int_equal(nt_canon((nt_ind_type)0, NULL, "x", 1, &out, NULL), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_canon(NT_IND__COUNT, NULL, "x", 1, &out, NULL), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_canon(NT_IND_PHONE, NULL, "x", 1, NULL, NULL), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_canon(NT_IND_PHONE, NULL, NULL, 1, &out, NULL), NT_ERR_INVALID_ARG);
}

static void test_type_names(void **state)
{
    (void)state;
    static const char *const names[] = {"url",    "domain", "ip",     "phone",      "bank",
                                        "email",  "social", "wallet", "national_id"};
    for (unsigned t = NT_IND_URL; t < NT_IND__COUNT; t++) {
        nt_ind_type back;
        assert_string_equal(nt_ind_type_name((nt_ind_type)t), names[t - 1]);
        assert_int_equal(nt_ind_type_parse(names[t - 1], &back), NT_OK);
        assert_int_equal(back, t);
    }
    nt_ind_type x;
    assert_string_equal(nt_ind_type_name((nt_ind_type)0), "unknown");
    assert_string_equal(nt_ind_type_name((nt_ind_type)1000), "unknown");
    assert_int_equal(nt_ind_type_parse("URL", &x), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_ind_type_parse("unknown", &x), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_ind_type_parse(NULL, &x), NT_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_social_zalo),
        cmocka_unit_test(test_social_telegram),
        cmocka_unit_test(test_social_facebook),
        cmocka_unit_test(test_social_tiktok_instagram),
        cmocka_unit_test(test_social_handles),
        cmocka_unit_test(test_wallets),
        cmocka_unit_test(test_national_id),
        cmocka_unit_test(test_dispatcher),
        cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
