/*
 * tests/test_claims.c - claim matching (lib/claims): the ranking metrics, the
 * index (build, incremental adds shared between indexes, compaction, ids,
 * memory accounting), matching rewritten Vietnamese rumours with and without
 * diacritics, the threshold on unrelated rumours, matched passages, ranking on
 * real CLEF CheckThat! pairs, bad input (claims files with line:col errors,
 * duplicate ids, empty, huge and malformed queries) and many threads on one
 * index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "niemtin/claims.h"
#include "niemtin/limits.h"
#include "testutil.h"

static nt_lexicon *teencode, *synonyms;
static nt_claim_set *vi_set;

static const char *tests_path(const char *rel)
{
    static char buf[4][4096];
    static int slot;
    char *p = buf[slot++ % 4];
    const char *d = getenv("NT_TESTS_DIR");
    snprintf(p, sizeof buf[0], "%s/%s", d && *d ? d : "../tests", rel);
    return p;
}

static int setup(void **state)
{
    (void)state;
    nt_diag d;
    nt_diag_clear(&d);
    char buf[512];
    if (nt_lexicon_load(tu_data_path("teencode.tsv"), &teencode, &d) ||
        nt_lexicon_load(tu_data_path("claims-synonyms.tsv"), &synonyms, &d) ||
        nt_claim_set_load(tests_path("data/vi-claims/claims.jsonl"), &vi_set, &d)) {
        fprintf(stderr, "setup: %s\n", nt_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nt_lexicon_free(teencode);
    nt_lexicon_free(synonyms);
    nt_claim_set_free(vi_set);
    return 0;
}

static nt_claims_options opts(void)
{
    nt_claims_options o;
    nt_claims_options_init(&o);
    o.teencode = teencode;
    o.synonyms = synonyms;
    return o;
}

static nt_claims *build(const nt_claim *c, size_t n)
{
    nt_claims_options o = opts();
    nt_claims *idx = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_claims_build(&o, c, n, &idx, &d), NT_OK);
    assert_non_null(idx);
    return idx;
}

static nt_claims *build_vi(void)
{
    size_t n = 0;
    const nt_claim *c = nt_claim_set_claims(vi_set, &n);
    assert_int_equal(n, 150);
    return build(c, n);
}

/* The matches of text (k results); asserts success. */
static const nt_claim_match *match(const nt_claims *idx, nt_claims_scratch *sc, const char *text,
                                   size_t k, size_t *n)
{
    const nt_claim_match *m = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_claims_match(idx, sc, text, strlen(text), k, 0, &m, n, &d), NT_OK);
    return m;
}

/* ---- metrics ------------------------------------------------------------- */

static void test_metrics(void **state)
{
    (void)state;
    const unsigned char a[] = {0, 1, 0, 1, 0};
    /* relevant at ranks 2 and 4 of 2 relevant: (1/2 + 2/4) / 2 */
    assert_float_equal(nt_rank_ap_at(a, 5, 2, 5), 0.5, 1e-12);
    assert_float_equal(nt_rank_ap_at(a, 5, 2, 3), 0.25, 1e-12);
    assert_float_equal(nt_rank_ap_at(a, 5, 2, 1), 0.0, 1e-12);
    /* a relevant claim never retrieved still counts in the denominator */
    assert_float_equal(nt_rank_ap_at(a, 5, 3, 5), 1.0 / 3.0, 1e-12);
    assert_float_equal(nt_rank_rr(a, 5), 0.5, 1e-12);
    assert_float_equal(nt_rank_recall_at(a, 5, 2, 1), 0.0, 1e-12);
    assert_float_equal(nt_rank_recall_at(a, 5, 2, 2), 0.5, 1e-12);
    assert_float_equal(nt_rank_recall_at(a, 5, 2, 5), 1.0, 1e-12);
    const unsigned char first[] = {1};
    assert_float_equal(nt_rank_ap_at(first, 1, 1, 5), 1.0, 1e-12);
    assert_float_equal(nt_rank_rr(first, 1), 1.0, 1e-12);
    assert_float_equal(nt_rank_rr(a, 0), 0.0, 1e-12);
    assert_float_equal(nt_rank_ap_at(a, 5, 0, 5), 0.0, 1e-12);
    assert_float_equal(nt_rank_recall_at(a, 5, 0, 5), 0.0, 1e-12);
}

/* ---- the index ----------------------------------------------------------- */

static const nt_claim small[] = {
    {"c1", "Uống nước chanh ấm mỗi sáng chữa khỏi ung thư giai đoạn cuối.", "vi",
     "Nước chanh không chữa ung thư", "sai sự thật", "https://example.vn/1"},
    {"c2", "Bộ Công an thu hồi toàn bộ thẻ căn cước gắn chip cấp trước năm 2024.", "vi", NULL, NULL,
     NULL},
    {"c3", "Vaccines against COVID-19 contain microchips that connect to 5G towers.", "en", NULL,
     "false", NULL},
};

static void test_build_get_find(void **state)
{
    (void)state;
    nt_claims *idx = build(small, 3);
    assert_int_equal(nt_claims_count(idx), 3);
    nt_claim c;
    assert_int_equal(nt_claims_get(idx, 0, &c), NT_OK);
    assert_string_equal(c.id, "c1");
    assert_string_equal(c.text, small[0].text);
    assert_string_equal(c.title, "Nước chanh không chữa ung thư");
    assert_string_equal(c.verdict, "sai sự thật");
    assert_string_equal(c.url, "https://example.vn/1");
    assert_int_equal(nt_claims_get(idx, 1, &c), NT_OK);
    assert_null(c.title);
    assert_null(c.verdict);
    assert_null(c.url);
    assert_string_equal(c.lang, "vi");
    assert_int_equal(nt_claims_get(idx, 3, &c), NT_ERR_INVALID_ARG);
    size_t ord = 99;
    assert_int_equal(nt_claims_find(idx, "c3", &ord), NT_OK);
    assert_int_equal(ord, 2);
    assert_int_equal(nt_claims_find(idx, "c4", &ord), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_claims_find(idx, "c", &ord), NT_ERR_NOT_FOUND);

    nt_claims_stats st;
    nt_claims_stats_get(idx, &st);
    assert_int_equal(st.claims, 3);
    assert_int_equal(st.segments, 1);
    assert_true(st.terms > 20);
    assert_true(st.postings >= st.terms);
    assert_true(st.text_bytes > strlen(small[0].text));
    assert_int_equal(st.total_bytes, st.text_bytes + st.index_bytes);
    assert_float_equal(st.bytes_per_claim, (double)st.total_bytes / 3.0, 1e-9);
    nt_claims_free(idx);
}

static void test_empty_index(void **state)
{
    (void)state;
    nt_claims *idx = build(NULL, 0);
    assert_int_equal(nt_claims_count(idx), 0);
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    size_t n = 1;
    match(idx, sc, "Uống nước chanh ấm chữa ung thư", 5, &n);
    assert_int_equal(n, 0);
    nt_claims *more = NULL;
    assert_int_equal(nt_claims_add(idx, small, 1, &more, NULL), NT_OK);
    assert_int_equal(nt_claims_count(more), 1);
    const nt_claim_match *m = match(more, sc, "Uống nước chanh ấm chữa ung thư", 5, &n);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].id, "c1");
    nt_claims_free(idx);
    nt_claims_free(more);
    nt_claims_scratch_free(sc);
}

/* Every claim of the Vietnamese set added one at a time from an empty index
 * gives the same answers as the set built at once; the indexes in between
 * keep theirs, whatever order they are freed in. */
static void test_incremental_adds(void **state)
{
    (void)state;
    size_t n = 0;
    const nt_claim *all = nt_claim_set_claims(vi_set, &n);
    nt_claims *whole = build(all, n);
    nt_claims *cur = build(all, 10);
    nt_claims *early = NULL;
    for (size_t i = 10; i < n; i++) {
        nt_claims *next = NULL;
        assert_int_equal(nt_claims_add(cur, &all[i], 1, &next, NULL), NT_OK);
        assert_int_equal(nt_claims_count(next), i + 1);
        assert_int_equal(nt_claims_count(cur), i); /* the base is unchanged */
        if (i == 20)
            early = cur; /* kept alive past the indexes derived from it */
        else
            nt_claims_free(cur);
        cur = next;
    }
    nt_claims_stats st;
    nt_claims_stats_get(cur, &st);
    assert_int_equal(st.claims, n);
    assert_true(st.segments <= 10); /* merged as they accumulate */

    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    for (size_t i = 0; i < n; i++) {
        size_t ord;
        assert_int_equal(nt_claims_find(cur, all[i].id, &ord), NT_OK);
        assert_int_equal(ord, i);
        nt_claim c;
        assert_int_equal(nt_claims_get(cur, i, &c), NT_OK);
        assert_string_equal(c.text, all[i].text);
        /* the same best match and score as the index built at once */
        size_t na, nb;
        const nt_claim_match *a = match(cur, sc, all[i].text, 1, &na);
        assert_int_equal(na, 1);
        size_t a_ord = a[0].ordinal;
        double a_score = a[0].score;
        const nt_claim_match *b = match(whole, sc, all[i].text, 1, &nb);
        assert_int_equal(nb, 1);
        assert_int_equal(a_ord, b[0].ordinal);
        assert_float_equal(a_score, b[0].score, 1e-4);
        assert_int_equal(a_ord, i);
    }
    /* the early index still answers, without the later claims */
    size_t ne;
    assert_int_equal(nt_claims_count(early), 20);
    const nt_claim_match *m = match(early, sc, all[5].text, 3, &ne);
    assert_true(ne >= 1);
    assert_int_equal(m[0].ordinal, 5);
    assert_int_equal(nt_claims_find(early, all[100].id, NULL), NT_ERR_NOT_FOUND);

    /* compaction: one segment, same answers */
    nt_claims *compact = NULL;
    assert_int_equal(nt_claims_compact(cur, &compact, NULL), NT_OK);
    nt_claims_stats_get(compact, &st);
    assert_int_equal(st.segments, 1);
    assert_int_equal(st.claims, n);
    m = match(compact, sc, all[77].text, 1, &ne);
    assert_int_equal(m[0].ordinal, 77);

    nt_claims_free(cur); /* freed before the early index it shares segments with */
    m = match(early, sc, all[7].text, 1, &ne);
    assert_int_equal(m[0].ordinal, 7);
    nt_claims_free(early);
    nt_claims_free(compact);
    nt_claims_free(whole);
    nt_claims_scratch_free(sc);
}

static void test_duplicate_ids(void **state)
{
    (void)state;
    nt_claims_options o = opts();
    nt_claims *idx = NULL;
    nt_diag d;
    nt_claim dup[] = {small[0], small[1], small[0]};
    nt_diag_clear(&d);
    assert_int_equal(nt_claims_build(&o, dup, 3, &idx, &d), NT_ERR_INVALID);
    assert_null(idx);
    assert_int_equal(d.offset, 2);
    assert_non_null(strstr(d.message, "duplicate id \"c1\""));
    assert_non_null(strstr(d.message, "also claim 0"));

    idx = build(small, 3);
    nt_claims *more = NULL;
    nt_diag_clear(&d);
    assert_int_equal(nt_claims_add(idx, &small[1], 1, &more, &d), NT_ERR_INVALID);
    assert_null(more);
    assert_non_null(strstr(d.message, "already in the index"));
    nt_claim two[] = {{"n1", "một", NULL, NULL, NULL, NULL}, {"n1", "hai", NULL, NULL, NULL, NULL}};
    nt_diag_clear(&d);
    assert_int_equal(nt_claims_add(idx, two, 2, &more, &d), NT_ERR_INVALID);
    assert_int_equal(d.offset, 1);
    assert_int_equal(nt_claims_count(idx), 3);
    nt_claims_free(idx);
}

static void test_bad_claims(void **state)
{
    (void)state;
    nt_claims_options o = opts();
    nt_claims *idx = NULL;
    nt_diag d;
    nt_claim c = {"", "text", NULL, NULL, NULL, NULL};
    assert_int_equal(nt_claims_build(&o, &c, 1, &idx, &d), NT_ERR_INVALID);
    c.id = NULL;
    assert_int_equal(nt_claims_build(&o, &c, 1, &idx, &d), NT_ERR_INVALID);
    c.id = "x";
    c.text = "";
    assert_int_equal(nt_claims_build(&o, &c, 1, &idx, &d), NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "no text"));
    c.text = NULL;
    assert_int_equal(nt_claims_build(&o, &c, 1, &idx, &d), NT_ERR_INVALID);

    char *big = malloc(NT_CLAIM_MAX_TEXT_BYTES + 2);
    memset(big, 'a', NT_CLAIM_MAX_TEXT_BYTES + 1);
    big[NT_CLAIM_MAX_TEXT_BYTES + 1] = '\0';
    c.text = big;
    assert_int_equal(nt_claims_build(&o, &c, 1, &idx, &d), NT_ERR_TOO_BIG);
    big[NT_CLAIM_MAX_TEXT_BYTES] = '\0'; /* exactly at the limit */
    assert_int_equal(nt_claims_build(&o, &c, 1, &idx, &d), NT_OK);
    nt_claims_free(idx);
    idx = NULL;
    c.text = "ok";
    char longid[NT_CLAIM_MAX_ID_BYTES + 2];
    memset(longid, 'i', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    c.id = longid;
    assert_int_equal(nt_claims_build(&o, &c, 1, &idx, &d), NT_ERR_TOO_BIG);
    assert_int_equal(nt_claims_build(&o, NULL, 1, &idx, &d), NT_ERR_INVALID_ARG);
    assert_null(idx);
    free(big);
}

/* ---- matching ------------------------------------------------------------ */

/* The claim whose id is given, from the Vietnamese set. */
static const nt_claim *vi_claim(const char *id)
{
    size_t n = 0;
    const nt_claim *c = nt_claim_set_claims(vi_set, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].id, id) == 0)
            return &c[i];
    fail_msg("no claim %s", id);
    return NULL;
}

static void expect_same(const nt_claims *idx, nt_claims_scratch *sc, const char *text,
                        const char *id)
{
    size_t n;
    const nt_claim_match *m = match(idx, sc, text, 5, &n);
    if (n == 0 || strcmp(m[0].id, id) != 0 || !m[0].same)
        fail_msg("expected %s as the same claim for \"%s\", got %s (%.3f)", id, text,
                 n ? m[0].id : "nothing", n ? m[0].score : 0.0);
    assert_true(m[0].score >= nt_claims_options_of(idx)->threshold);
}

/* Rumours rewritten the way people forward them find the claim, with and
 * without diacritics, in teencode, with numbers and places changed. */
static void test_rewritten_rumours(void **state)
{
    (void)state;
    nt_claims *idx = build_vi();
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    /* new variants written for this test (not in the evaluation set) */
    expect_same(idx, sc,
                "NONG!!! tu 1/10 di xe may ko mang cavet goc bi phat 7 trieu 😱 chia se ngay",
                "vi-c041");
    expect_same(idx, sc, "Nóng: từ 1/10 đi xe máy không mang đăng ký xe gốc bị phạt 7 triệu",
                "vi-c041");
    expect_same(idx, sc,
                "uong nuoc chanh am moi sang chua khoi ung thu giai doan cuoi, ai co nguoi nha bi "
                "benh thi lam ngay",
                "vi-c001");
    expect_same(idx, sc,
                "Bộ Công an sẽ thu hồi hết thẻ CCCD gắn chíp cấp trước năm 2023!!! Đi đổi thẻ gấp",
                "vi-c042");
    expect_same(idx, sc,
                "vaccine covid co chua chip ket noi mang 5G, dung gan cot song la bi dinh vi",
                "vi-c026");

    /* each claim without its diacritics, in capitals, wrapped in a forward */
    size_t n = 0;
    const nt_claim *all = nt_claim_set_claims(vi_set, &n);
    size_t near = 0;
    for (size_t i = 0; i < n; i += 7) {
        char *f = NULL;
        size_t fl = 0;
        assert_int_equal(nt_text_fold(all[i].text, strlen(all[i].text), &f, &fl), NT_OK);
        char q[1024];
        snprintf(q, sizeof q, "CHIA SẺ GẤP 😱😱 %s Mọi người cẩn thận!!!", f);
        free(f);
        size_t nm;
        const nt_claim_match *m = match(idx, sc, q, 3, &nm);
        assert_true(nm >= 1);
        assert_string_equal(m[0].id, all[i].id);
        assert_true(m[0].same);
        assert_true(m[0].containment > 0.9);
        near += m[0].near_duplicate != 0;
    }
    assert_true(near >= 15); /* of 22: the LSH path sees most near-copies */
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
}

/* The evaluation set itself: Recall@5 on both halves, and the threshold. */
static void test_vi_eval_set(void **state)
{
    (void)state;
    nt_claims *idx = build_vi();
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    static const char *const splits[] = {"dev", "heldout"};
    size_t false_matches = 0, unrelated = 0;
    for (int s = 0; s < 2; s++) {
        char qpath[64];
        snprintf(qpath, sizeof qpath, "data/vi-claims/%s.jsonl", splits[s]);
        nt_claim_dataset *ds = NULL;
        nt_diag d;
        assert_int_equal(nt_claim_dataset_load_jsonl(tests_path("data/vi-claims/claims.jsonl"),
                                                     tests_path(qpath), &ds, &d),
                         NT_OK);
        size_t nq = 0, related = 0, found = 0;
        const nt_claim_query *q = nt_claim_dataset_queries(ds, &nq);
        assert_int_equal(nq, 130);
        for (size_t i = 0; i < nq; i++) {
            size_t nm;
            const nt_claim_match *m = match(idx, sc, q[i].text, 5, &nm);
            if (q[i].n_relevant) {
                related++;
                for (size_t j = 0; j < nm; j++)
                    if (strcmp(m[j].id, q[i].relevant[0]) == 0)
                        found++;
            } else {
                unrelated++;
                false_matches += nm && m[0].same;
            }
        }
        assert_int_equal(related, 100);
        /* the target: Recall@5 >= 0.9 */
        assert_true(found >= 90);
        nt_claim_dataset_free(ds);
    }
    assert_int_equal(unrelated, 60);
    assert_true(false_matches <= 4);
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
}

/* Unrelated text is not "the same claim"; topical overlap gives at most a
 * low score. */
static void test_unrelated(void **state)
{
    (void)state;
    nt_claims *idx = build_vi();
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    static const char *const texts[] = {
        "Hôm nay trời đẹp, cuối tuần cả nhà mình đi chơi công viên nhé",
        "Con ơi tối nay về sớm ăn cơm, mẹ nấu canh chua",
        "Lịch họp phụ huynh lớp 5A chuyển sang sáng thứ Bảy lúc 8 giờ",
        "Uống nhiều nước lọc mỗi ngày tốt cho sức khỏe, bác sĩ khuyên vậy",
        "The weather in Hanoi is lovely this week, perfect for a walk around the lake",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t n;
        nt_diag d;
        const nt_claim_match *m = NULL;
        assert_int_equal(nt_claims_match(idx, sc, texts[i], strlen(texts[i]), 5,
                                         NT_CLAIMS_ONLY_SAME, &m, &n, &d),
                         NT_OK);
        if (n)
            fail_msg("\"%s\" matched %s (%.3f)", texts[i], m[0].id, m[0].score);
        match(idx, sc, texts[i], 5, &n);
        const nt_claim_match *all = match(idx, sc, texts[i], 5, &n);
        for (size_t j = 0; j < n; j++) {
            assert_false(all[j].same);
            assert_true(all[j].score < 0.3);
        }
    }
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
}

/* The matched passage: where the claim is inside a longer forward, and which
 * part of the claim it repeats; spans are token edges of the inputs. */
static void test_passages(void **state)
{
    (void)state;
    nt_claims *idx = build_vi();
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    const nt_claim *c = vi_claim("vi-c091");
    const char *pre = "Mọi người ơi, ông chú em ở quê vừa gọi điện báo: ";
    const char *post = " Trời ơi lo quá, không biết có thật không nữa. Chia sẻ ngay!!!";
    char q[1024];
    snprintf(q, sizeof q, "%s%s%s", pre, c->text, post);
    size_t n;
    const nt_claim_match *m = match(idx, sc, q, 3, &n);
    assert_true(n >= 1);
    assert_string_equal(m[0].id, "vi-c091");
    assert_true(m[0].same);
    size_t start = strlen(pre), end = start + strlen(c->text);
    /* the passage is the claim, give or take its first or last word */
    assert_true(m[0].q_start >= start && m[0].q_start <= start + 8);
    assert_true(m[0].q_end <= end && m[0].q_end + 12 >= end);
    assert_int_equal(m[0].c_start, 0);
    assert_true(m[0].c_end + 2 >= strlen(c->text));
    /* no passage when asked not to */
    const nt_claim_match *np = NULL;
    assert_int_equal(nt_claims_match(idx, sc, q, strlen(q), 1, NT_CLAIMS_NO_PASSAGE, &np, &n, NULL),
                     NT_OK);
    assert_int_equal(np[0].q_start, 0);
    assert_int_equal(np[0].q_end, 0);

    /* passages of every match lie inside their texts */
    const char *rumour = "tiem vaccine covid xong ko duoc uong bia, uong vao la mat tac dung";
    m = match(idx, sc, rumour, 10, &n);
    for (size_t i = 0; i < n; i++) {
        nt_claim cl;
        assert_int_equal(nt_claims_get(idx, m[i].ordinal, &cl), NT_OK);
        assert_true(m[i].q_start <= m[i].q_end && m[i].q_end <= strlen(rumour));
        assert_true(m[i].c_start <= m[i].c_end && m[i].c_end <= strlen(cl.text));
        assert_true(m[i].score >= 0 && m[i].score <= 1);
        assert_true(m[i].coverage >= 0 && m[i].coverage <= 1 + 1e-9);
        assert_true(m[i].query_coverage >= 0 && m[i].query_coverage <= 1 + 1e-9);
        assert_true(m[i].containment >= 0 && m[i].containment <= 1 + 1e-9);
        if (i)
            assert_true(m[i - 1].score >= m[i].score);
    }
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
}

/* The synonym table joins "vaccine" and "vắc xin". */
static void test_synonyms(void **state)
{
    (void)state;
    nt_claim c[] = {{"v1", "Vắc xin sởi gây tự kỷ ở trẻ nhỏ.", NULL, NULL, NULL, NULL},
                    {"v2", "Trẻ nhỏ xem điện thoại nhiều bị tự kỷ.", NULL, NULL, NULL, NULL}};
    nt_claims_options o = opts();
    nt_claims *with = NULL, *without = NULL;
    assert_int_equal(nt_claims_build(&o, c, 2, &with, NULL), NT_OK);
    o.synonyms = NULL;
    assert_int_equal(nt_claims_build(&o, c, 2, &without, NULL), NT_OK);
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    const char *q = "vaccine soi gay tu ky o tre nho";
    size_t n;
    const nt_claim_match *m = match(with, sc, q, 2, &n);
    assert_string_equal(m[0].id, "v1");
    double cov_with = m[0].coverage;
    m = match(without, sc, q, 2, &n);
    double cov_without = strcmp(m[0].id, "v1") == 0 ? m[0].coverage : m[1].coverage;
    assert_true(cov_with > cov_without + 0.1);
    nt_claims_scratch_free(sc);
    nt_claims_free(with);
    nt_claims_free(without);
}

/* A template repeated in bulk: its LSH buckets are skipped, BM25 still
 * finds it, ties keep the order the claims were given.  (Its words are in
 * every claim, so their idf - and the score - is near zero: an index should
 * not hold a claim hundreds of times.) */
static void test_repeated_template(void **state)
{
    (void)state;
    enum { N = 300 };
    nt_claim *c = calloc(N, sizeof *c);
    char(*ids)[16] = calloc(N, sizeof *ids);
    for (size_t i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "t%zu", i);
        c[i].id = ids[i];
        c[i].text = "Tài khoản của bạn sẽ bị khóa, xác minh ngay tại đường link này";
    }
    nt_claims *idx = build(c, N);
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    size_t n;
    const nt_claim_match *m =
        match(idx, sc, "tai khoan cua ban se bi khoa, xac minh ngay tai duong link nay", 5, &n);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(m[i].ordinal, i);
        assert_true(m[i].containment > 0.99);
        assert_false(m[i].near_duplicate); /* the bucket was too full to nominate */
    }
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
    free(ids);
    free(c);
}

/* ---- bad queries ----------------------------------------------------------- */

static void test_bad_queries(void **state)
{
    (void)state;
    nt_claims *idx = build_vi();
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    const nt_claim_match *m = NULL;
    size_t n = 7;
    nt_diag d;
    nt_diag_clear(&d);
    /* empty, NULL with length 0, no words */
    assert_int_equal(nt_claims_match(idx, sc, "", 0, 5, 0, &m, &n, &d), NT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(nt_claims_match(idx, sc, NULL, 0, 5, 0, &m, &n, &d), NT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(nt_claims_match(idx, sc, "!!! 😱😱 ...", strlen("!!! 😱😱 ..."), 5, 0, &m, &n, &d),
                     NT_OK);
    assert_int_equal(n, 0);
    /* arguments */
    assert_int_equal(nt_claims_match(idx, sc, "x", 1, 0, 0, &m, &n, &d), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_claims_match(idx, sc, "x", 1, NT_CLAIMS_MAX_RESULTS + 1, 0, &m, &n, &d),
                     NT_ERR_INVALID_ARG);
    assert_int_equal(nt_claims_match(idx, sc, NULL, 3, 5, 0, &m, &n, &d), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_claims_match(NULL, sc, "x", 1, 5, 0, &m, &n, &d), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_claims_match(idx, NULL, "x", 1, 5, 0, &m, &n, &d), NT_ERR_INVALID_ARG);

    /* malformed UTF-8 is repaired, and the claim still found */
    const char *bad =
        "B\xff\xfe"
        "\xe1\x80 C\xc3\xb4ng an thu h\xe1\xbb\x93i to\xc3\xa0n b\xe1\xbb\x99 th\xe1\xba\xbb "
        "c\xc4\x83n c\xc6\xb0\xe1\xbb\x9b"
        "c g\xe1\xba\xafn chip c\xe1\xba\xa5p tr\xc6\xb0\xe1\xbb\x9b"
        "c n\xc4\x83m 2024 \xed\xa0\x80";
    m = match(idx, sc, bad, 3, &n);
    assert_true(n >= 1);
    assert_string_equal(m[0].id, "vi-c042");
    assert_true(m[0].q_end <= strlen(bad));

    /* the text module's limit: 1 MiB passes, one byte more does not */
    size_t lim = NT_DEFAULT_MAX_MESSAGE_BYTES;
    char *huge = malloc(lim + 1);
    static const char word[] = "vắc xin tiêm chủng ung thư ";
    for (size_t i = 0; i < lim; i++)
        huge[i] = word[i % (sizeof word - 1)];
    huge[lim - 1] = ' ';
    huge[lim] = 'x';
    nt_diag_clear(&d);
    assert_int_equal(nt_claims_match(idx, sc, huge, lim + 1, 5, 0, &m, &n, &d), NT_ERR_TOO_BIG);
    assert_int_equal(d.offset, lim);
    /* cut at a character boundary (the word list is UTF-8) */
    size_t cut = lim;
    while (cut > 0 && ((unsigned char)huge[cut] & 0xC0) == 0x80)
        cut--;
    assert_int_equal(nt_claims_match(idx, sc, huge, cut, 5, 0, &m, &n, &d), NT_OK);
    assert_true(n >= 1);
    free(huge);
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
}

/* ---- claims files -------------------------------------------------------- */

static nt_err parse(const char *text, nt_claim_set **set, nt_diag *d)
{
    nt_diag_clear(d);
    *set = NULL;
    return nt_claim_set_parse(text, strlen(text), "claims.jsonl", set, d);
}

static void expect_error(const char *text, nt_err code, unsigned line, const char *words)
{
    nt_claim_set *set;
    nt_diag d;
    nt_err rc = parse(text, &set, &d);
    if (rc != code || d.line != line || !strstr(d.message, words))
        fail_msg("expected %s at line %u containing \"%s\", got %s at %u: %s", nt_strerror(code),
                 line, words, nt_strerror(rc), d.line, d.message);
    assert_null(set);
    assert_string_equal(d.source, "claims.jsonl");
}

static void test_claims_file(void **state)
{
    (void)state;
    nt_claim_set *set;
    nt_diag d;
    const char *ok = "# comment\n"
                     "\n"
                     "{\"id\":\"a\",\"text\":\"Tin giả một\",\"lang\":\"vi\",\"verdict\":\"sai\","
                     "\"url\":\"https://example.vn/a\",\"title\":\"T\"}\r\n"
                     "   \n"
                     "{\"id\":\"b\",\"text\":\"Second claim\",\"lang\":null}\n"
                     "{\"id\":\"c\",\"text\":\"no newline at the end\"}";
    assert_int_equal(parse(ok, &set, &d), NT_OK);
    size_t n;
    const nt_claim *c = nt_claim_set_claims(set, &n);
    assert_int_equal(n, 3);
    assert_string_equal(c[0].id, "a");
    assert_string_equal(c[0].verdict, "sai");
    assert_string_equal(c[0].url, "https://example.vn/a");
    assert_string_equal(c[0].title, "T");
    assert_null(c[1].lang);
    assert_null(c[1].title);
    assert_int_equal(nt_claim_set_line(set, 0), 3);
    assert_int_equal(nt_claim_set_line(set, 1), 5);
    assert_int_equal(nt_claim_set_line(set, 2), 6);
    assert_int_equal(nt_claim_set_line(set, 3), 0);
    nt_claim_set_free(set);

    assert_int_equal(parse("", &set, &d), NT_OK);
    nt_claim_set_claims(set, &n);
    assert_int_equal(n, 0);
    nt_claim_set_free(set);

    expect_error("{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"\n", NT_ERR_PARSE, 2,
                 "");
    expect_error("\n\n[1,2]\n", NT_ERR_PARSE, 3, "expected a JSON object");
    expect_error("{\"id\":\"a\",\"txt\":\"x\"}\n", NT_ERR_PARSE, 1, "unknown key \"txt\"");
    expect_error("{\"id\":1,\"text\":\"x\"}\n", NT_ERR_PARSE, 1, "\"id\" must be a string");
    expect_error("{\"id\":\"a\",\"text\":null}\n", NT_ERR_PARSE, 1, "\"text\" must be a string");
    expect_error("{\"text\":\"x\"}\n", NT_ERR_INVALID, 1, "no \"id\"");
    expect_error("{\"id\":\"a\",\"text\":\"\"}\n", NT_ERR_INVALID, 1, "no \"text\"");
    expect_error("{\"id\":\"a\",\"text\":\"x\\u0000y\"}\n", NT_ERR_PARSE, 1, "NUL");
    expect_error("{\"id\":\"a\",\"text\":\"x\",\"text\":\"y\"}\n", NT_ERR_PARSE, 1, "");
    expect_error("{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n"
                 "{\"id\":\"a\",\"text\":\"z\"}\n",
                 NT_ERR_INVALID, 3, "duplicate claim id \"a\" (first on line 1)");
    expect_error("{\"id\":\"a\",\"text\":\"\xff\"}\n", NT_ERR_PARSE, 1, "");
    /* the unknown key's column */
    assert_int_equal(parse("{\"id\":\"a\", \"oops\":1}", &set, &d), NT_ERR_PARSE);
    assert_int_equal(d.col, 12);

    /* a line over the limit */
    size_t big = NT_CLAIMS_MAX_LINE_BYTES + 10;
    char *line = malloc(big + 32);
    memcpy(line, "{\"id\":\"a\",\"text\":\"", 18);
    memset(line + 18, 'x', big);
    memcpy(line + 18 + big, "\"}\n", 4);
    expect_error(line, NT_ERR_TOO_BIG, 1, "over the");
    free(line);

    /* a missing file */
    assert_int_equal(nt_claim_set_load("/nonexistent/claims.jsonl", &set, &d), NT_ERR_IO);
}

/* ---- data sets ------------------------------------------------------------- */

static void test_jsonl_dataset_errors(void **state)
{
    (void)state;
    char qpath[] = "/tmp/nt-claims-test-XXXXXX";
    int fd = mkstemp(qpath);
    assert_true(fd >= 0);
    const char *body = "{\"id\":\"q1\",\"text\":\"x\",\"claim\":\"vi-c001\"}\n"
                       "{\"id\":\"q2\",\"text\":\"y\",\"claim\":\"vi-c999\"}\n";
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);
    nt_claim_dataset *ds = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(
        nt_claim_dataset_load_jsonl(tests_path("data/vi-claims/claims.jsonl"), qpath, &ds, &d),
        NT_ERR_INVALID);
    assert_null(ds);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.message, "vi-c999"));
    unlink(qpath);
}

static void test_clef(void **state)
{
    (void)state;
    const char *dir = tu_shared_path("clef2020-checkthat-task2/v3.0");
    if (!dir) {
        skip();
        return;
    }
    nt_claim_dataset *ds = NULL;
    nt_diag d;
    char buf[512];
    nt_diag_clear(&d);
    if (nt_claim_dataset_load_clef(dir, "dev", &ds, &d) != NT_OK)
        fail_msg("CLEF: %s", nt_diag_format(&d, buf, sizeof buf));
    size_t nc = 0, nq = 0;
    const nt_claim *claims = nt_claim_dataset_claims(ds, &nc);
    const nt_claim_query *q = nt_claim_dataset_queries(ds, &nq);
    /* SOURCE.txt: 10,375 verified claims; 197 dev tweets with 198 qrels */
    assert_int_equal(nc, 10375);
    assert_int_equal(nq, 197);
    size_t nrel = 0;
    for (size_t i = 0; i < nq; i++)
        nrel += q[i].n_relevant;
    assert_int_equal(nrel, 198);
    /* quoted fields: doubled quotes undone, a field spanning two lines kept */
    assert_string_equal(claims[2].id, "2");
    assert_true(strncmp(claims[2].text, "A \"Trump and Obama by the Numbers\" meme", 39) == 0);
    int multiline = 0;
    for (size_t i = 0; i < nc; i++)
        if (strcmp(claims[i].id, "3057") == 0)
            multiline = strstr(claims[i].text, "Veterans\nAdministration") != NULL;
    assert_true(multiline);

    /* ranking: dev MAP@5 and Recall@5 at the measured level (docs/evaluation.md) */
    nt_claims *idx = build(claims, nc);
    nt_claims_scratch *sc = NULL;
    assert_int_equal(nt_claims_scratch_new(&sc), NT_OK);
    double map5 = 0, r5 = 0;
    for (size_t i = 0; i < nq; i++) {
        const nt_claim_match *m = NULL;
        size_t n;
        assert_int_equal(
            nt_claims_match(idx, sc, q[i].text, q[i].len, 32, NT_CLAIMS_NO_PASSAGE, &m, &n, NULL),
            NT_OK);
        unsigned char rel[32];
        for (size_t j = 0; j < n; j++) {
            rel[j] = 0;
            for (size_t r = 0; r < q[i].n_relevant; r++)
                rel[j] |= strcmp(m[j].id, q[i].relevant[r]) == 0;
            for (size_t k = 0; k < j; k++) /* no claim twice */
                assert_int_not_equal(m[k].ordinal, m[j].ordinal);
        }
        map5 += nt_rank_ap_at(rel, n, q[i].n_relevant, 5);
        r5 += nt_rank_recall_at(rel, n, q[i].n_relevant, 5);
    }
    map5 /= (double)nq;
    r5 /= (double)nq;
    if (map5 < 0.75 || r5 < 0.80)
        fail_msg("CLEF dev MAP@5 %.3f, Recall@5 %.3f", map5, r5);
    nt_claims_scratch_free(sc);
    nt_claims_free(idx);
    nt_claim_dataset_free(ds);
}

/* ---- threads ----------------------------------------------------------------- */

typedef struct worker {
    const nt_claims *idx;
    const nt_claim *claims;
    size_t n, offset;
    size_t ok;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    nt_claims_scratch *sc = NULL;
    if (nt_claims_scratch_new(&sc))
        return NULL;
    for (size_t r = 0; r < 3; r++)
        for (size_t i = 0; i < w->n; i++) {
            size_t k = (i + w->offset) % w->n;
            const nt_claim_match *m = NULL;
            size_t nm = 0;
            if (nt_claims_match(w->idx, sc, w->claims[k].text, strlen(w->claims[k].text), 5, 0, &m,
                                &nm, NULL) == NT_OK &&
                nm && m[0].ordinal == k)
                w->ok++;
        }
    nt_claims_scratch_free(sc);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    nt_claims *idx = build_vi();
    size_t n = 0;
    const nt_claim *all = nt_claim_set_claims(vi_set, &n);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){idx, all, n, (size_t)i * 37, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].ok, 3 * n);
    }
    nt_claims_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_build_get_find),
        cmocka_unit_test(test_empty_index),
        cmocka_unit_test(test_incremental_adds),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_bad_claims),
        cmocka_unit_test(test_rewritten_rumours),
        cmocka_unit_test(test_vi_eval_set),
        cmocka_unit_test(test_unrelated),
        cmocka_unit_test(test_passages),
        cmocka_unit_test(test_synonyms),
        cmocka_unit_test(test_repeated_template),
        cmocka_unit_test(test_bad_queries),
        cmocka_unit_test(test_claims_file),
        cmocka_unit_test(test_jsonl_dataset_errors),
        cmocka_unit_test(test_clef),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
