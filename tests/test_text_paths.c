/*
 * tests/test_text_paths.c - nt_text_normalize gives the same result whichever
 * of its paths writes a chunk (the one-pass writer, the direct stages, the
 * general stages) and whatever its per-thread memos hold: cold or warm, in any
 * order, in several threads at once; and the offset maps, kept as segments,
 * answer nt_text_span exactly across segment boundaries.
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

#include "niemtin/text.h"
#include "testutil.h"

static nt_lexicon *lex;

static int setup(void **state)
{
    (void)state;
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_lexicon_load(tu_data_path("teencode.tsv"), &lex, &d) != NT_OK) {
        char buf[512];
        fprintf(stderr, "cannot load lexicon: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nt_lexicon_free(lex);
    return 0;
}

/* Messages that go through every path, and through the memos in every
 * state they key on: after a number ("500 k"), after a clause mark, with
 * and without the lexicon and de-obfuscation. */
static const char *const messages[] = {
    "Ck gấp 5tr vào STK này nha, ko đc nói vs ai. C.h.u.y.ể.n k.h.0.ả.n ngayyyy",
    "Hi, I'm here. Don't go! 2nd time, ok? K.k K..k B'day &lt;#&gt; &amp; 125Gift Entry41",
    "I'm I'm. I'm, don't don't 500 k 500 k k k ko ko. ko",
    "chuyển khoản ngay cho tôi nhé các bạn ơi hôm nay trời đẹp quá",
    "Chuyển Khoản NGAY! tôi..Tôi nhận..u thức.pls (Oru \"Mas TXT) STR* WINNER!!",
    "c h u y e n k h o a n a b c I a u 1 2 3",
    "hoà thuỷ quí kỳ gìa HOÀ Thuỷ nganhang chuyenkhoan ĐÂY là Nguyễn",
    "www.vietcombank.com.vn hxxp://x[.]com t.me/abc a@b.vn call 0912.345.678 now",
    "£100 £1.50 ‰ Åò ì_ “Harry” …Thanks ₫500.000 😊👍🏽 🇻🇳 1️⃣ #️⃣",
    "k\xcc\x81 a\xe2\x80\x8b b \xcc\x81x \xef\xbb\xbfok \xc0\x80 bad \xe1\x80 end",
    "aaa ooo ngayyyy điiii quáaaa xoong good kh0ản t1ền m@t kh@u b4nk $ao xong! |a",
    "Ьаnk bаnk οτρ привет ＯＴＰ 𝐎𝐓𝐏 e-mail wi-fi Hà-Nội xong.Mai ch-uyển ti.ền",
};

#define NMSG (sizeof messages / sizeof messages[0])

/* A fingerprint (FNV-1a) of everything nt_text_normalize returns: error and
 * diagnostic, the forms, the tokens, the replacements, and nt_text_span of
 * every token and every range of at most four bytes of each form. */
static uint64_t fingerprint(const char *in, size_t len, unsigned flags, const nt_lexicon *lx,
                            nt_utf8_mode mode)
{
    uint64_t h = 0xcbf29ce484222325u;
#define MIX(v)                                                                                 \
    do {                                                                                       \
        uint64_t x_ = (uint64_t)(v);                                                           \
        for (int b_ = 0; b_ < 8; b_++) {                                                       \
            h ^= (x_ >> (8 * b_)) & 0xFF;                                                      \
            h *= 0x100000001b3u;                                                               \
        }                                                                                      \
    } while (0)
    nt_text_options o;
    nt_text_options_init(&o);
    o.flags = flags;
    o.teencode = lx;
    o.utf8 = mode;
    nt_text *t = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    const nt_err rc = nt_text_normalize(in, len, &o, &t, &d);
    MIX(rc);
    if (rc != NT_OK) {
        MIX(d.offset);
        return h;
    }
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        size_t n = 0;
        const char *s = nt_text_form(t, (nt_form)f, &n);
        MIX(n);
        for (size_t i = 0; i < n; i++)
            MIX((unsigned char)s[i]);
        for (size_t i = 0; i <= n; i++) {
            for (size_t j = i; j <= n && j <= i + 4; j++) {
                size_t os = 0, oe = 0;
                assert_int_equal(nt_text_span(t, (nt_form)f, i, j, &os, &oe), NT_OK);
                MIX(os);
                MIX(oe);
            }
        }
    }
    size_t nt = 0;
    const nt_token *tk = nt_text_tokens(t, &nt);
    MIX(nt);
    for (size_t i = 0; i < nt; i++) {
        MIX(tk[i].start);
        MIX(tk[i].end);
        MIX(tk[i].fstart);
        MIX(tk[i].fend);
        MIX(tk[i].ostart);
        MIX(tk[i].oend);
        MIX(tk[i].kind);
        MIX(tk[i].flags);
        size_t os = 0, oe = 0;
        assert_int_equal(nt_text_span(t, NT_FORM_NORM, tk[i].start, tk[i].end, &os, &oe), NT_OK);
        MIX(os);
        MIX(oe);
    }
    MIX(nt_text_replacements(t));
    nt_text_free(t);
#undef MIX
    return h;
}

#define NOPT 6

/* Option set k (0..NOPT-1). */
static uint64_t fingerprint_opt(size_t m, int k)
{
    static const unsigned flags[NOPT] = {0, NT_TEXT_NO_DEOBFUSCATE, 0, NT_TEXT_NO_DEOBFUSCATE,
                                         NT_TEXT_NO_TEENCODE, 0};
    const nt_lexicon *lx = k >= 2 ? lex : NULL;
    const char *s = messages[m];
    return fingerprint(s, strlen(s), flags[k], lx, k == 5 ? NT_UTF8_STRICT : NT_UTF8_LENIENT);
}

/* The same result cold and warm, in any order. */
static void test_memos_change_nothing(void **state)
{
    (void)state;
    uint64_t first[NMSG][NOPT];
    for (size_t m = 0; m < NMSG; m++)
        for (int k = 0; k < NOPT; k++)
            first[m][k] = fingerprint_opt(m, k);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < NMSG; i++) {
            const size_t m = round == 1 ? NMSG - 1 - i : i;
            for (int k = NOPT - 1; k >= 0; k--)
                assert_true(fingerprint_opt(m, k) == first[m][k]);
        }
    }
    /* each message right after another that fills the memos differently */
    for (size_t m = 0; m < NMSG; m++) {
        for (size_t o = 0; o < NMSG; o++) {
            (void)fingerprint_opt(o, 2);
            assert_true(fingerprint_opt(m, 2) == first[m][2]);
        }
    }
}

typedef struct job {
    const uint64_t (*want)[NOPT];
    int bad;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    for (int round = 0; round < 20; round++) {
        for (size_t m = 0; m < NMSG; m++) {
            for (int k = 0; k < NOPT; k++) {
                if (fingerprint_opt((m + (size_t)round) % NMSG, k) !=
                    j->want[(m + (size_t)round) % NMSG][k])
                    j->bad++;
            }
        }
    }
    return NULL;
}

/* Threads each with their own memos, and memos freed when they exit (the
 * sanitizer build checks for leaks). */
static void test_threads_agree(void **state)
{
    (void)state;
    uint64_t want[NMSG][NOPT];
    for (size_t m = 0; m < NMSG; m++)
        for (int k = 0; k < NOPT; k++)
            want[m][k] = fingerprint_opt(m, k);
    pthread_t t[4];
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){(const uint64_t(*)[NOPT])want, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(jobs[i].bad, 0);
    }
}

/* Spans across the segment kinds: code points read back from the NFC form
 * (CP), one span for all bytes (UNI: separators, expansions), explicit
 * spans (the stages). */
static void test_spans_across_segments(void **state)
{
    (void)state;
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = lex;
    nt_text *t = NULL;
    /* a long plain message: NORM is the input, byte for byte, over many CP
     * segments (each is closed after 256 bytes) */
    char buf[2048];
    size_t n = 0;
    while (n + 8 < sizeof buf) {
        memcpy(buf + n, "abc def ", 8);
        n += 8;
    }
    n--; /* no final space */
    assert_int_equal(nt_text_normalize(buf, n, &o, &t, NULL), NT_OK);
    size_t nl = 0;
    const char *nf = nt_text_form(t, NT_FORM_NORM, &nl);
    assert_int_equal(nl, n);
    assert_memory_equal(nf, buf, n);
    for (size_t i = 0; i < n; i++) {
        size_t os = 0, oe = 0;
        assert_int_equal(nt_text_span(t, NT_FORM_NORM, i, i + 1, &os, &oe), NT_OK);
        assert_int_equal(os, i);
        assert_int_equal(oe, i + 1);
        assert_int_equal(nt_text_span(t, NT_FORM_NFC, 0, i + 1, &os, &oe), NT_OK);
        assert_int_equal(os, 0);
        assert_int_equal(oe, i + 1);
    }
    size_t os = 0, oe = 0;
    assert_int_equal(nt_text_span(t, NT_FORM_FOLD, 250, 1500, &os, &oe), NT_OK);
    assert_int_equal(os, 250);
    assert_int_equal(oe, 1500);
    nt_text_free(t);

    /* "ok, bạn": the space before ',' maps to the empty gap; "bạn" to its
     * three code points; a teencode expansion all to its abbreviation */
    const char *in = "Ok, bạn ko";
    assert_int_equal(nt_text_normalize(in, strlen(in), &o, &t, NULL), NT_OK);
    nf = nt_text_form(t, NT_FORM_NORM, &nl);
    assert_string_equal(nf, "ok , bạn không");
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 2, 3, &os, &oe), NT_OK); /* the space */
    assert_int_equal(os, 2);
    assert_int_equal(oe, 2);
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 7, 9, &os, &oe), NT_OK); /* "ạ" */
    assert_int_equal(os, 5);
    assert_int_equal(oe, 8);
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 11, 13, &os, &oe), NT_OK); /* "hô" */
    assert_int_equal(os, 10);
    assert_int_equal(oe, 12);
    assert_int_equal(nt_text_span(t, NT_FORM_NORM, 9, nl, &os, &oe), NT_OK); /* "n không" */
    assert_int_equal(os, 8);
    assert_int_equal(oe, 12);
    nt_text_free(t);

    /* a rejoined word (explicit spans), twice: the second time replayed */
    for (int round = 0; round < 2; round++) {
        in = "go K.k now";
        assert_int_equal(nt_text_normalize(in, strlen(in), &o, &t, NULL), NT_OK);
        nf = nt_text_form(t, NT_FORM_NORM, &nl);
        assert_string_equal(nf, "go kk now");
        assert_int_equal(nt_text_span(t, NT_FORM_NORM, 3, 4, &os, &oe), NT_OK);
        assert_int_equal(os, 3);
        assert_int_equal(oe, 4);
        assert_int_equal(nt_text_span(t, NT_FORM_NORM, 4, 5, &os, &oe), NT_OK);
        assert_int_equal(os, 5);
        assert_int_equal(oe, 6);
        assert_int_equal(nt_text_span(t, NT_FORM_NORM, 2, 6, &os, &oe), NT_OK);
        assert_int_equal(os, 2);
        assert_int_equal(oe, 7);
        nt_text_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memos_change_nothing),
        cmocka_unit_test(test_threads_agree),
        cmocka_unit_test(test_spans_across_segments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
