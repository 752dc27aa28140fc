/*
 * tests/test_factcheck.c - the fact-check desk (lib/factcheck): the
 * workflow from a tip to a published fact-check, clustering of variants,
 * corrections (and the database refusing any other change to a published
 * fact-check), validation of bad input with nothing stored, the audit
 * entries, two desks on one database, four threads on one desk, contacts,
 * the demo file, and the
 * ClaimReview JSON-LD checked field by field against Google's required and
 * recommended properties.  Each test has its own database in a temporary
 * directory, the real teencode and synonym tables, and a clock it moves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "niemtin/niemtin.h"
#include "testutil.h"

#define T0 1767225600LL /* 2026-01-01 00:00 UTC */

typedef struct fx {
    char dir[256];
    char path[300];
    int64_t now;
    nt_lexicon *teencode, *synonyms;
    nt_desk *desk;
    unsigned char key[32];
} fx;

static int64_t fx_clock(void *ctx)
{
    return ((fx *)ctx)->now;
}

static nt_desk *fx_desk(fx *f, int with_key)
{
    nt_desk_config cfg;
    nt_desk_config_init(&cfg);
    cfg.store.path = f->path;
    cfg.store.clock = fx_clock;
    cfg.store.clock_ctx = f;
    cfg.store.key = with_key ? f->key : NULL;
    cfg.teencode = f->teencode;
    cfg.synonyms = f->synonyms;
    cfg.org_name = "NiemTin Kiểm chứng";
    cfg.org_url = "https://niemtin.example.vn";
    nt_desk *d = NULL;
    nt_diag diag;
    nt_diag_clear(&diag);
    nt_err rc = nt_desk_open(&cfg, &d, &diag);
    if (rc)
        fprintf(stderr, "desk open: %s\n", diag.message);
    assert_int_equal(rc, NT_OK);
    return d;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/nt_desk_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/desk.db", f->dir);
    f->now = T0;
    for (int i = 0; i < 32; i++)
        f->key[i] = (unsigned char)(i * 11 + 3);
    assert_int_equal(nt_lexicon_load(tu_data_path("teencode.tsv"), &f->teencode, NULL), NT_OK);
    assert_int_equal(nt_lexicon_load(tu_data_path("claims-synonyms.tsv"), &f->synonyms, NULL),
                     NT_OK);
    f->desk = fx_desk(f, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    nt_desk_close(f->desk);
    nt_lexicon_free(f->teencode);
    nt_lexicon_free(f->synonyms);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static nt_tip_result tip(fx *f, const char *text, const char *channel)
{
    nt_tip_in in = {.text = text, .text_len = strlen(text), .channel = channel};
    nt_tip_result r;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_submit(f->desk, &in, &r, &d);
    if (rc)
        fprintf(stderr, "submit: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
    f->now += 60;
    return r;
}

static const char *const EVIDENCE[] = {"https://example.org/kiem-chung/van-ban",
                                       "https://example.org/kiem-chung/tra-loi"};

static nt_factcheck_in full_in(const char *claim, const char *verdict)
{
    nt_factcheck_in in = {.claim = claim,
                          .headline = "Không có quy định phạt 5 triệu vì không mang cà vẹt gốc",
                          .verdict = verdict,
                          .explanation = "Không có văn bản nào quy định mức phạt này.",
                          .body = "Chúng tôi đã đối chiếu các văn bản.\n\nKết luận: sai.",
                          .evidence = EVIDENCE,
                          .n_evidence = 2,
                          .claim_author = "Một tài khoản Zalo",
                          .claim_date = "2026-06-28",
                          .appearance = "https://example.org/bai-dang"};
    return in;
}

#define CLAIM_XE "Từ ngày 1/7, người đi xe máy không mang giấy đăng ký xe bản gốc bị phạt 5 triệu đồng."
#define VARIANT_XE "NONG!!! tu 1/9 di xe may ko mang cavet goc bi phat 6 trieu 😱 chia se ngay"
#define CLAIM_CHANH "Uống nước chanh ấm mỗi sáng chữa khỏi ung thư giai đoạn cuối."

typedef struct counter {
    size_t n;
    int64_t ids[16];
    uint32_t subs[16];
} counter;

static int count_item(void *ctx, const nt_desk_item *it)
{
    counter *c = ctx;
    if (c->n < 16) {
        c->ids[c->n] = it->id;
        c->subs[c->n] = it->submissions;
    }
    c->n++;
    return 0;
}

static size_t status_count(fx *f, nt_item_status s)
{
    size_t counts[NT_ITEM__COUNT];
    assert_int_equal(nt_desk_counts(f->desk, counts, NULL), NT_OK);
    return counts[s];
}

/* Audit actions in order, joined by spaces, with their actors. */
static int audit_row(void *ctx, const nt_audit_entry *e)
{
    char *buf = ctx;
    size_t at = strlen(buf);
    snprintf(buf + at, 4096 - at, "%s%s@%s", at ? " " : "", e->action, e->actor);
    return 0;
}

static void audit_trail(fx *f, char buf[4096])
{
    buf[0] = '\0';
    assert_int_equal(nt_audit_list(nt_desk_store(f->desk), 0, 0, audit_row, buf, NULL, NULL),
                     NT_OK);
}

/* ---- the workflow ------------------------------------------------------------------------ */

static void test_workflow(void **state)
{
    fx *f = *state;
    nt_diag d;
    nt_tip_result a = tip(f, CLAIM_XE, "zalo");
    assert_true(a.new_item);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.status, NT_ITEM_NEW);
    assert_int_equal(a.factcheck_id, 0);
    /* a reworded variant without diacritics joins the same item */
    nt_tip_result b = tip(f, VARIANT_XE, "facebook");
    assert_false(b.new_item);
    assert_int_equal(b.item_id, a.item_id);
    assert_int_equal(b.count, 2);
    assert_true(b.score >= 0.49 && b.score <= 1.0);
    /* another claim is another item; the list shows the spreading one first */
    nt_tip_result c = tip(f, CLAIM_CHANH, "web");
    assert_true(c.new_item);
    assert_int_not_equal(c.item_id, a.item_id);
    counter cnt = {0};
    assert_int_equal(nt_desk_list(f->desk, NT_ITEM_NEW, 0, 0, count_item, &cnt, NULL), NT_OK);
    assert_int_equal(cnt.n, 2);
    assert_int_equal(cnt.ids[0], a.item_id);
    assert_int_equal(cnt.subs[0], 2);
    assert_int_equal(status_count(f, NT_ITEM_NEW), 2);

    /* assign, draft, publish */
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_assign(f->desk, a.item_id, "lan", "truong-ban", &d), NT_OK);
    nt_desk_item it;
    assert_int_equal(nt_desk_item_get(f->desk, a.item_id, &it, NULL), NT_OK);
    assert_int_equal(it.status, NT_ITEM_ASSIGNED);
    assert_string_equal(it.assignee, "lan");
    assert_int_equal(it.submissions, 2);
    nt_desk_item_release(&it);
    nt_factcheck_in part = {.verdict = "false"};
    int64_t fc_id = 0;
    assert_int_equal(nt_desk_draft(f->desk, a.item_id, &part, "lan", &fc_id, NULL), NT_OK);
    assert_true(fc_id > 0);
    assert_int_equal(status_count(f, NT_ITEM_DRAFTING), 1);
    /* incomplete: no explanation, no evidence - refused, nothing changes */
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_publish(f->desk, a.item_id, NULL, 0, "lan", NULL, &d), NT_ERR_EMPTY);
    assert_non_null(strstr(d.message, "explanation"));
    nt_factcheck *fc = NULL;
    assert_int_equal(nt_desk_factcheck_get(f->desk, fc_id, &fc, NULL), NT_OK);
    assert_int_equal(fc->status, NT_FC_DRAFT);
    assert_string_equal(fc->claim, CLAIM_XE); /* a new draft takes the item's text */
    assert_string_equal(fc->author, "lan");
    nt_factcheck_free(fc);
    nt_factcheck_in rest = full_in(NULL, NULL);
    int64_t pub_id = 0;
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_publish(f->desk, a.item_id, &rest, 0, "truong-ban", &pub_id, &d),
                     NT_OK);
    assert_int_equal(pub_id, fc_id);
    assert_int_equal(nt_desk_factcheck_get(f->desk, fc_id, &fc, NULL), NT_OK);
    assert_int_equal(fc->status, NT_FC_PUBLISHED);
    assert_int_equal(fc->verdict, NT_VERDICT_FALSE);
    assert_int_equal(fc->published_at, f->now);
    assert_string_equal(fc->publisher, "truong-ban");
    assert_int_equal(fc->n_evidence, 2);
    assert_string_equal(fc->evidence[1], EVIDENCE[1]);
    assert_int_equal(fc->submissions, 2);
    assert_int_equal(fc->n_corrections, 0);
    nt_factcheck_free(fc);
    assert_int_equal(status_count(f, NT_ITEM_PUBLISHED), 1);

    /* the public now gets the verdict at once */
    nt_tip_result e = tip(f, "co phai tu 1/7 ko mang cavet goc la bi phat 5 trieu ko", "zalo");
    assert_int_equal(e.item_id, a.item_id);
    assert_int_equal(e.factcheck_id, fc_id);
    assert_int_equal(e.verdict, NT_VERDICT_FALSE);
    assert_int_equal(e.count, 3);
    assert_int_equal(e.status, NT_ITEM_PUBLISHED);

    /* a published item cannot be drafted, assigned or published again */
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_draft(f->desk, a.item_id, &part, "lan", NULL, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "correction"));
    assert_int_equal(nt_desk_assign(f->desk, a.item_id, "minh", "x", NULL), NT_ERR_STATE);
    assert_int_equal(nt_desk_publish(f->desk, a.item_id, NULL, 0, "x", NULL, NULL), NT_ERR_STATE);

    /* dismiss the other one; a new tip of it opens a new item */
    assert_int_equal(nt_desk_dismiss(f->desk, c.item_id, "", "lan", NULL), NT_ERR_EMPTY);
    assert_int_equal(nt_desk_dismiss(f->desk, c.item_id, "ngoài phạm vi", "lan", NULL), NT_OK);
    nt_tip_result g = tip(f, CLAIM_CHANH, "web");
    assert_true(g.new_item);
    assert_int_not_equal(g.item_id, c.item_id);

    /* every change is in the audit log with its actor */
    char trail[4096];
    audit_trail(f, trail);
    assert_string_equal(trail, "tip.submit@public tip.submit@public tip.submit@public "
                               "item.assign@truong-ban factcheck.draft@lan "
                               "factcheck.publish@truong-ban tip.submit@public "
                               "item.dismiss@lan tip.submit@public");
    nt_audit_verdict v;
    assert_int_equal(nt_audit_verify(nt_desk_store(f->desk), NULL, 0, &v, NULL), NT_OK);
    assert_int_equal(v.problem, NT_AUDIT_INTACT);
}

/* ---- clustering ----------------------------------------------------------------------------- */

static void test_clustering(void **state)
{
    fx *f = *state;
    nt_tip_result a = tip(f, "Tiêm vắc xin HPV khiến trẻ em gái bị vô sinh.", "web");
    /* NFD input, other wording, "vacxin" spelling */
    nt_tip_result b = tip(f, "Cac me oi dung cho con tiem vacxin HPV, tiem xong bi vo sinh day",
                          "zalo");
    assert_int_equal(b.item_id, a.item_id);
    const char *nfd = "Tie\xcc\x82m va\xcc\x86\xcc\x81""c xin HPV khie\xcc\x82\xcc\x81n tre\xcc\x89 em "
                      "ga\xcc\x81i bi\xcc\xa3 vo\xcc\x82 sinh";
    nt_tip_result c = tip(f, nfd, "web");
    assert_int_equal(c.item_id, a.item_id);
    assert_int_equal(c.count, 3);
    /* an unrelated rumour is not clustered with it */
    nt_tip_result u = tip(f, "Bộ Giáo dục cho học sinh cả nước nghỉ học hết tháng 11 vì dịch cúm.",
                          "web");
    assert_true(u.new_item);
    /* link-only tips cluster by their link */
    nt_tip_in li = {.link = "https://example.org/bai-viet/123", .channel = "messenger"};
    nt_tip_result l1, l2;
    assert_int_equal(nt_desk_submit(f->desk, &li, &l1, NULL), NT_OK);
    assert_true(l1.new_item);
    assert_int_equal(nt_desk_submit(f->desk, &li, &l2, NULL), NT_OK);
    assert_int_equal(l2.item_id, l1.item_id);
    assert_int_equal(l2.count, 2);
    nt_desk_item it;
    assert_int_equal(nt_desk_item_get(f->desk, l1.item_id, &it, NULL), NT_OK);
    assert_string_equal(it.text, "https://example.org/bai-viet/123");
    nt_desk_item_release(&it);
    /* English text gets "en" */
    nt_tip_result en = tip(f, "Drinking hot water every hour kills the flu virus in your throat.",
                           "web");
    assert_int_equal(nt_desk_item_get(f->desk, en.item_id, &it, NULL), NT_OK);
    assert_string_equal(it.lang, "en");
    nt_desk_item_release(&it);
    assert_int_equal(status_count(f, 0), 4);
}

/* ---- corrections ------------------------------------------------------------------------------ */

static int64_t publish_xe(fx *f)
{
    nt_tip_result a = tip(f, CLAIM_XE, "zalo");
    nt_factcheck_in in = full_in(NULL, "false");
    int64_t id = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_publish(f->desk, a.item_id, &in, 0, "lan", &id, &d);
    if (rc)
        fprintf(stderr, "publish: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
    f->now += 3600;
    return id;
}

static void raw_sql_fails(const char *path, const char *q, const char *why)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, q, NULL, NULL, &err);
    assert_int_not_equal(rc, SQLITE_OK);
    assert_non_null(err);
    assert_non_null(strstr(err, why));
    sqlite3_free(err);
    sqlite3_close(db);
}

static void test_corrections(void **state)
{
    fx *f = *state;
    int64_t id = publish_xe(f);
    nt_diag d;
    nt_factcheck_in ch = {.verdict = "misleading",
                          .explanation = "Có quy định phạt, nhưng mức phạt không phải 5 triệu."};
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_correct(f->desk, id, &ch, "", "lan", &d), NT_ERR_EMPTY);
    assert_non_null(strstr(d.message, "reason"));
    assert_int_equal(nt_desk_correct(f->desk, id, &ch, "Nhầm mức phạt", "minh", NULL), NT_OK);
    nt_factcheck *fc = NULL;
    assert_int_equal(nt_desk_factcheck_get(f->desk, id, &fc, NULL), NT_OK);
    assert_int_equal(fc->verdict, NT_VERDICT_MISLEADING);
    assert_int_equal(fc->status, NT_FC_PUBLISHED);
    assert_int_equal(fc->n_corrections, 1);
    const nt_fc_correction *c = &fc->corrections[0];
    assert_int_equal(c->seq, 1);
    assert_string_equal(c->actor, "minh");
    assert_string_equal(c->reason, "Nhầm mức phạt");
    assert_string_equal(c->fields, "verdict,explanation");
    assert_int_equal(c->at, f->now);
    json_t *before = json_loads(c->before, 0, NULL), *after = json_loads(c->after, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(before, "verdict")), "false");
    assert_string_equal(json_string_value(json_object_get(after, "verdict")), "misleading");
    assert_string_equal(json_string_value(json_object_get(before, "explanation")),
                        "Không có văn bản nào quy định mức phạt này.");
    json_decref(before);
    json_decref(after);
    int64_t published_at = fc->published_at;
    nt_factcheck_free(fc);
    /* a second correction, of the evidence */
    f->now += 60;
    const char *ev[] = {"https://example.org/kiem-chung/van-ban-moi"};
    nt_factcheck_in ch2 = {.evidence = ev, .n_evidence = 1};
    assert_int_equal(nt_desk_correct(f->desk, id, &ch2, "Thêm văn bản mới", "minh", NULL), NT_OK);
    assert_int_equal(nt_desk_factcheck_get(f->desk, id, &fc, NULL), NT_OK);
    assert_int_equal(fc->n_corrections, 2);
    assert_string_equal(fc->corrections[1].fields, "evidence");
    assert_int_equal(fc->corrections[1].seq, 2);
    assert_int_equal(fc->published_at, published_at); /* still first published then */
    assert_int_equal(fc->updated_at, f->now);
    nt_factcheck_free(fc);
    /* nothing changes: refused */
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_correct(f->desk, id, &ch2, "lại", "minh", &d), NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "nothing to correct"));
    /* an invalid correction is refused and changes nothing */
    nt_factcheck_in bad = {.verdict = "half-true"};
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_correct(f->desk, id, &bad, "x", "minh", &d), NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "verdict"));
    nt_factcheck_in noexpl = {.explanation = "  "};
    assert_int_equal(nt_desk_correct(f->desk, id, &noexpl, "x", "minh", NULL), NT_ERR_EMPTY);
    assert_int_equal(nt_desk_factcheck_get(f->desk, id, &fc, NULL), NT_OK);
    assert_int_equal(fc->n_corrections, 2);
    assert_int_equal(fc->verdict, NT_VERDICT_MISLEADING);
    nt_factcheck_free(fc);
    /* the database itself refuses silent changes */
    raw_sql_fails(f->path, "UPDATE factchecks SET verdict = 4", "recorded correction");
    raw_sql_fails(f->path, "DELETE FROM factchecks", "never deleted");
    raw_sql_fails(f->path, "UPDATE factcheck_corrections SET reason = 'x'", "append-only");
    raw_sql_fails(f->path, "DELETE FROM factcheck_corrections", "append-only");
    /* correcting a draft is refused */
    nt_tip_result t = tip(f, CLAIM_CHANH, "web");
    int64_t draft = 0;
    nt_factcheck_in dv = {.verdict = "false"};
    assert_int_equal(nt_desk_draft(f->desk, t.item_id, &dv, "lan", &draft, NULL), NT_OK);
    assert_int_equal(nt_desk_correct(f->desk, draft, &ch, "x", "lan", NULL), NT_ERR_STATE);
    char trail[4096];
    audit_trail(f, trail);
    assert_non_null(strstr(trail, "factcheck.correct@minh factcheck.correct@minh tip.submit"));
}

/* ---- bad input ------------------------------------------------------------------------------------ */

static void expect_tip_error(fx *f, const nt_tip_in *in, nt_err want, const char *field)
{
    nt_tip_result r;
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_submit(f->desk, in, &r, &d), want);
    if (!strstr(d.message, field))
        fprintf(stderr, "message '%s' does not name '%s'\n", d.message, field);
    assert_non_null(strstr(d.message, field));
}

static void test_bad_input(void **state)
{
    fx *f = *state;
    nt_tip_in empty = {.text = "  \n ", .text_len = 4};
    expect_tip_error(f, &empty, NT_ERR_EMPTY, "text");
    size_t big = NT_DESK_MAX_TIP_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, 'a', big);
    nt_tip_in hin = {.text = huge, .text_len = big};
    expect_tip_error(f, &hin, NT_ERR_TOO_BIG, "text");
    free(huge);
    nt_tip_in badutf = {.text = "tin \xff\xfe", .text_len = 6};
    expect_tip_error(f, &badutf, NT_ERR_UTF8, "text");
    nt_tip_in badlink = {.text = "xem", .text_len = 3, .link = "javascript:alert(1)"};
    expect_tip_error(f, &badlink, NT_ERR_INVALID, "link");
    nt_tip_in badch = {.text = "xem", .text_len = 3, .channel = "pigeon"};
    expect_tip_error(f, &badch, NT_ERR_INVALID, "channel");
    nt_tip_in badlang = {.text = "xem", .text_len = 3, .lang = "Việt"};
    expect_tip_error(f, &badlang, NT_ERR_INVALID, "lang");
    nt_tip_in nokey_sql = {.text = "'; DROP TABLE desk_items; --", .text_len = 28};
    nt_tip_result r;
    assert_int_equal(nt_desk_submit(f->desk, &nokey_sql, &r, NULL), NT_OK); /* stored as text */
    assert_int_equal(status_count(f, 0), 1);

    nt_tip_result t = tip(f, CLAIM_XE, "zalo");
    int64_t fc = 0;
    assert_int_equal(nt_desk_draft(f->desk, t.item_id, NULL, "lan", &fc, NULL), NT_OK);
    struct {
        nt_factcheck_in in;
        nt_err want;
        const char *field;
    } cases[] = {
        {{.verdict = "sai"}, NT_ERR_INVALID, "verdict"},
        {{.evidence = (const char *[]){"https://example.org/a", "ftp://example.org/b"},
          .n_evidence = 2},
         NT_ERR_INVALID,
         "evidence[1]"},
        {{.evidence = (const char *[]){"https://bank.vn@evil.example/"}, .n_evidence = 1},
         NT_ERR_INVALID,
         "evidence[0]"},
        {{.evidence = (const char *[]){"https://example.org/a", "https://example.org/a"},
          .n_evidence = 2},
         NT_ERR_INVALID,
         "evidence[1]"},
        {{.claim_date = "2026-02-30"}, NT_ERR_INVALID, "claim_date"},
        {{.appearance = "not a url"}, NT_ERR_INVALID, "appearance"},
        {{.claim = "xin chào\x01"}, NT_ERR_INVALID, "claim"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nt_diag d;
        nt_diag_clear(&d);
        assert_int_equal(nt_desk_draft(f->desk, t.item_id, &cases[i].in, "lan", NULL, &d),
                         cases[i].want);
        if (!strstr(d.message, cases[i].field))
            fprintf(stderr, "case %zu: '%s'\n", i, d.message);
        assert_non_null(strstr(d.message, cases[i].field));
    }
    /* a huge write-up */
    char *body = malloc(NT_DESK_MAX_BODY_BYTES + 2);
    memset(body, 'x', NT_DESK_MAX_BODY_BYTES + 1);
    body[NT_DESK_MAX_BODY_BYTES + 1] = '\0';
    nt_factcheck_in hb = {.body = body};
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_draft(f->desk, t.item_id, &hb, "lan", NULL, &d), NT_ERR_TOO_BIG);
    assert_non_null(strstr(d.message, "body"));
    free(body);
    /* nothing above touched the draft */
    nt_factcheck *got = NULL;
    assert_int_equal(nt_desk_factcheck_get(f->desk, fc, &got, NULL), NT_OK);
    assert_int_equal(got->verdict, NT_VERDICT_NONE);
    assert_int_equal(got->n_evidence, 0);
    assert_string_equal(got->body, "");
    nt_factcheck_free(got);

    /* duplicate publication: a second item with the same claim */
    nt_factcheck_in in = full_in(NULL, "false");
    int64_t first = 0;
    assert_int_equal(nt_desk_publish(f->desk, t.item_id, &in, 0, "lan", &first, NULL), NT_OK);
    nt_tip_result s = tip(f, "Dua hau ruot do ban o cho duoc tiem phẩm màu", "web");
    assert_true(s.new_item);
    nt_factcheck_in dup = full_in(CLAIM_XE, "false");
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_publish(f->desk, s.item_id, &dup, 0, "lan", NULL, &d), NT_ERR_STATE);
    char want[64];
    snprintf(want, sizeof want, "published fact-check %lld", (long long)first);
    assert_non_null(strstr(d.message, want));
    assert_int_equal(status_count(f, NT_ITEM_PUBLISHED), 1);
    /* deliberately, as a second check */
    assert_int_equal(
        nt_desk_publish(f->desk, s.item_id, &dup, NT_DESK_ALLOW_SIMILAR, "lan", NULL, NULL), NT_OK);
    assert_int_equal(status_count(f, NT_ITEM_PUBLISHED), 2);
    /* unknown ids */
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_assign(f->desk, 9999, "lan", "x", &d), NT_ERR_NOT_FOUND);
    assert_non_null(strstr(d.message, "item 9999"));
    assert_int_equal(nt_desk_factcheck_get(f->desk, 9999, &got, NULL), NT_ERR_NOT_FOUND);
}

/* ---- matching, and a second desk on the same database ---------------------------------------------------- */

static void test_match_and_two_desks(void **state)
{
    fx *f = *state;
    int64_t id = publish_xe(f);
    nt_fc_match *m = NULL;
    size_t n = 0;
    const char *q = "Nghe nói " VARIANT_XE;
    assert_int_equal(nt_desk_match(f->desk, q, strlen(q), 5, 0, &m, &n, NULL), NT_OK);
    assert_true(n >= 1);
    assert_int_equal(m[0].factcheck_id, id);
    assert_true(m[0].same);
    assert_int_equal(m[0].verdict, NT_VERDICT_FALSE);
    assert_true(m[0].q_end > m[0].q_start && m[0].q_start >= strlen("Nghe nói "));
    assert_non_null(strstr(m[0].explanation, "Không có văn bản"));
    char url[128];
    snprintf(url, sizeof url, "https://niemtin.example.vn/kiem-chung/%lld", (long long)id);
    assert_string_equal(m[0].url, url);
    nt_fc_matches_free(m, n);
    /* unrelated and empty text */
    const char *other = "Hôm nay trời đẹp, đi chơi công viên không?";
    assert_int_equal(nt_desk_match(f->desk, other, strlen(other), 5, NT_CLAIMS_ONLY_SAME, &m, &n,
                                   NULL),
                     NT_OK);
    assert_int_equal(n, 0);
    assert_null(m);
    assert_int_equal(nt_desk_match(f->desk, "", 0, 5, 0, &m, &n, NULL), NT_OK);
    assert_int_equal(n, 0);

    /* another process (another desk on the file) publishes: this one sees it */
    nt_desk *other_desk = fx_desk(f, 1);
    nt_tip_in ti = {.text = CLAIM_CHANH, .text_len = strlen(CLAIM_CHANH), .channel = "web"};
    nt_tip_result tr;
    assert_int_equal(nt_desk_submit(other_desk, &ti, &tr, NULL), NT_OK);
    nt_factcheck_in in = full_in(NULL, "false");
    in.headline = "Nước chanh ấm không chữa được ung thư";
    int64_t id2 = 0;
    assert_int_equal(nt_desk_publish(other_desk, tr.item_id, &in, 0, "lan", &id2, NULL), NT_OK);
    nt_desk_close(other_desk);
    const char *v = "uong nuoc chanh am moi sang chua khoi ung thu giai doan cuoi";
    nt_tip_result seen = tip(f, v, "web");
    assert_int_equal(seen.factcheck_id, id2);
    assert_int_equal(seen.item_id, tr.item_id);
}

/* ---- contacts ------------------------------------------------------------------------------------------- */

static void test_contact(void **state)
{
    fx *f = *state;
    nt_tip_in in = {.text = CLAIM_XE,
                    .text_len = strlen(CLAIM_XE),
                    .contact = "0912 000 111 (chị Hoa)",
                    .channel = "hotline"};
    nt_tip_result r;
    assert_int_equal(nt_desk_submit(f->desk, &in, &r, NULL), NT_OK);
    /* not in the file in clear */
    nt_desk_close(f->desk);
    f->desk = NULL;
    size_t len = 0;
    char *raw = tu_read_file(f->path, &len);
    assert_non_null(raw);
    for (size_t i = 0; i + 8 <= len; i++)
        assert_false(memcmp(raw + i, "chị Hoa", 8) == 0);
    free(raw);
    /* without the key: refused, nothing stored */
    f->desk = fx_desk(f, 0);
    nt_diag d;
    nt_diag_clear(&d);
    assert_int_equal(nt_desk_submit(f->desk, &in, &r, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "contact"));
    char *c = NULL;
    assert_int_equal(nt_desk_contact(f->desk, 1, "lan", &c, NULL), NT_ERR_STATE);
    nt_desk_close(f->desk);
    f->desk = fx_desk(f, 1);
    assert_int_equal(status_count(f, 0), 1);
    assert_int_equal(nt_desk_contact(f->desk, 1, "lan", &c, NULL), NT_OK);
    assert_string_equal(c, "0912 000 111 (chị Hoa)");
    free(c);
    char trail[4096];
    audit_trail(f, trail);
    assert_non_null(strstr(trail, "tip.contact.reveal@lan"));
}

/* ---- ClaimReview ------------------------------------------------------------------------------------------ */

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void check_claimreview(const char *s, const nt_factcheck *fc)
{
    json_error_t err;
    json_t *j = json_loads(s, 0, &err);
    assert_non_null(j);
    /* Google: required claimReviewed, reviewRating, url; recommended author,
     * datePublished, itemReviewed; Rating.alternateName required. */
    assert_string_equal(jstr(j, "@context"), "https://schema.org");
    assert_string_equal(jstr(j, "@type"), "ClaimReview");
    char url[128];
    snprintf(url, sizeof url, "https://niemtin.example.vn/kiem-chung/%lld", (long long)fc->id);
    assert_string_equal(jstr(j, "url"), url);
    assert_string_equal(jstr(j, "claimReviewed"), fc->claim);
    const char *date = jstr(j, "datePublished");
    assert_int_equal(strlen(date), 25);
    assert_true(date[4] == '-' && date[7] == '-' && date[10] == 'T' && date[13] == ':');
    assert_string_equal(date + 19, "+07:00");
    json_t *author = json_object_get(j, "author");
    assert_string_equal(jstr(author, "@type"), "Organization");
    assert_string_equal(jstr(author, "name"), "NiemTin Kiểm chứng");
    assert_string_equal(jstr(author, "url"), "https://niemtin.example.vn");
    json_t *rr = json_object_get(j, "reviewRating");
    assert_string_equal(jstr(rr, "@type"), "Rating");
    json_t *rv = json_object_get(rr, "ratingValue"), *best = json_object_get(rr, "bestRating"),
           *worst = json_object_get(rr, "worstRating");
    assert_true(json_is_integer(rv) && json_is_integer(best) && json_is_integer(worst));
    assert_int_equal(json_integer_value(best), 5);
    assert_int_equal(json_integer_value(worst), 1);
    assert_true(json_integer_value(rv) >= json_integer_value(worst));
    assert_true(json_integer_value(rv) <= json_integer_value(best));
    assert_int_equal(json_integer_value(rv), nt_verdict_rating(fc->verdict));
    assert_string_equal(jstr(rr, "alternateName"),
                        nt_verdict_label(fc->verdict, strcmp(fc->lang, "en") == 0));
    assert_string_equal(jstr(rr, "ratingExplanation"), fc->explanation);
    json_t *item = json_object_get(j, "itemReviewed");
    assert_string_equal(jstr(item, "@type"), "Claim");
    if (*fc->claim_author) {
        assert_string_equal(jstr(json_object_get(item, "author"), "name"), fc->claim_author);
        assert_string_equal(jstr(json_object_get(item, "author"), "@type"), "Person");
    }
    if (*fc->claim_date)
        assert_string_equal(jstr(item, "datePublished"), fc->claim_date);
    if (*fc->appearance) {
        json_t *ap = json_object_get(item, "appearance");
        assert_true(json_is_array(ap));
        assert_string_equal(jstr(json_array_get(ap, 0), "url"), fc->appearance);
        assert_string_equal(jstr(json_object_get(item, "firstAppearance"), "url"),
                            fc->appearance);
    }
    json_decref(j);
}

static void test_claimreview(void **state)
{
    fx *f = *state;
    int64_t id = publish_xe(f);
    nt_factcheck *fc = NULL;
    assert_int_equal(nt_desk_factcheck_get(f->desk, id, &fc, NULL), NT_OK);
    char *s = NULL;
    assert_int_equal(nt_desk_claimreview(f->desk, fc, NULL, &s, NULL), NT_OK);
    check_claimreview(s, fc);
    assert_null(strstr(s, "</")); /* safe inside <script type="application/ld+json"> */
    free(s);
    /* every verdict: the rating scale is ordered from false to true */
    int prev = 0;
    const nt_verdict order[] = {NT_VERDICT_FALSE, NT_VERDICT_MISLEADING, NT_VERDICT_UNPROVEN,
                                NT_VERDICT_MISSING_CONTEXT, NT_VERDICT_TRUE};
    for (size_t i = 0; i < 5; i++) {
        nt_factcheck copy = *fc;
        copy.verdict = order[i];
        copy.claim = "Một tuyên bố có </script><script>alert(1)</script> bên trong";
        copy.claim_author = "";
        copy.appearance = "";
        copy.claim_date = "";
        assert_int_equal(nt_claimreview_render(&copy, "NiemTin Kiểm chứng",
                                               "https://niemtin.example.vn",
                                               "https://niemtin.example.vn/kiem-chung/1", &s, NULL),
                         NT_OK);
        copy.id = 1;
        check_claimreview(s, &copy);
        assert_null(strstr(s, "</script>"));
        assert_true(nt_verdict_rating(order[i]) > prev);
        prev = nt_verdict_rating(order[i]);
        json_t *j = json_loads(s, 0, NULL);
        assert_null(json_object_get(json_object_get(j, "itemReviewed"), "author"));
        json_decref(j);
        free(s);
    }
    /* English fact-checks rate in English */
    nt_factcheck en = *fc;
    en.lang = "en";
    assert_int_equal(nt_desk_claimreview(f->desk, &en, NULL, &s, NULL), NT_OK);
    assert_non_null(strstr(s, "\"alternateName\":\"False\""));
    free(s);
    /* a draft has none */
    nt_factcheck draft = *fc;
    draft.status = NT_FC_DRAFT;
    assert_int_equal(nt_desk_claimreview(f->desk, &draft, NULL, &s, NULL), NT_ERR_STATE);
    assert_null(s);
    nt_factcheck_free(fc);
    /* names */
    nt_verdict v;
    assert_int_equal(nt_verdict_parse("Missing context", &v), NT_OK);
    assert_int_equal(v, NT_VERDICT_MISSING_CONTEXT);
    assert_int_equal(nt_verdict_parse("sai", &v), NT_ERR_NOT_FOUND);
    assert_string_equal(nt_verdict_label(NT_VERDICT_FALSE, 0), "Sai sự thật");
}

/* ---- links ------------------------------------------------------------------------------------------------ */

static void test_urls(void **state)
{
    (void)state;
    const char *good[] = {"https://example.org", "http://example.org/a?b=c#d",
                          "HTTPS://Example.ORG:8443/x", "https://[2001:db8::1]/x",
                          "https://báo.việtnam.vn/tin", "http://localhost:8080/"};
    const char *bad[] = {"",
                         "example.org",
                         "ftp://example.org",
                         "javascript:alert(1)",
                         "https://",
                         "https://exa mple.org",
                         "https://example.org/\"onmouseover",
                         "https://user@example.org/",
                         "https://example..org",
                         "https://example.org:99999/",
                         "https://localhostx/",
                         "https://-example.org/"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!nt_desk_url_ok(good[i]))
            fprintf(stderr, "refused %s\n", good[i]);
        assert_true(nt_desk_url_ok(good[i]));
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (nt_desk_url_ok(bad[i]))
            fprintf(stderr, "accepted %s\n", bad[i]);
        assert_false(nt_desk_url_ok(bad[i]));
    }
}

/* ---- the demo file and bad files ---------------------------------------------------------------------------- */

static void write_file(const char *path, const char *s)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(s, fp);
    fclose(fp);
}

static void test_import(void **state)
{
    fx *f = *state;
    size_t pub = 0, skipped = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_import(f->desk, tu_data_path("demo/factchecks.jsonl"), "demo", &pub,
                               &skipped, &d);
    if (rc)
        fprintf(stderr, "import: %s:%u: %s\n", d.source, d.line, d.message);
    assert_int_equal(rc, NT_OK);
    assert_int_equal(pub, 8);
    assert_int_equal(skipped, 0);
    assert_int_equal(status_count(f, NT_ITEM_PUBLISHED), 8);
    assert_int_equal(status_count(f, 0), 8); /* every tip clustered onto its fact-check */
    /* again: nothing new */
    assert_int_equal(nt_desk_import(f->desk, tu_data_path("demo/factchecks.jsonl"), "demo", &pub,
                                    &skipped, NULL),
                     NT_OK);
    assert_int_equal(pub, 0);
    assert_int_equal(skipped, 8);
    assert_int_equal(status_count(f, 0), 8);
    /* every published one renders a valid ClaimReview */
    for (int64_t id = 1; id <= 8; id++) {
        nt_factcheck *fc = NULL;
        assert_int_equal(nt_desk_factcheck_get(f->desk, id, &fc, NULL), NT_OK);
        char *s = NULL;
        assert_int_equal(nt_desk_claimreview(f->desk, fc, NULL, &s, NULL), NT_OK);
        check_claimreview(s, fc);
        free(s);
        nt_factcheck_free(fc);
    }
    /* bad files: the error names the line, nothing is written */
    char path[400];
    snprintf(path, sizeof path, "%s/bad.jsonl", f->dir);
    struct {
        const char *text;
        unsigned line;
        const char *what;
    } bad[] = {
        {"{\"claim\": \"Tin A mới\", \"verdict\": \"false\", \"explanation\": \"x\", "
         "\"evidence\": [\"https://example.org/a\"]}\n{\"claim\": \"B\"\n",
         2, ""},
        {"# c\n\n{\"claim\": \"Tin B mới\", \"verdict\": \"maybe\", \"explanation\": \"x\", "
         "\"evidence\": [\"https://example.org/a\"]}\n",
         3, "verdict"},
        {"{\"claim\": \"Tin C mới\", \"verdict\": \"false\", \"explanation\": \"x\", "
         "\"evidence\": [\"nope\"]}\n",
         1, "evidence[0]"},
        {"{\"claim\": \"Tin D mới\", \"verdict\": \"false\", \"explanation\": \"x\", "
         "\"evidence\": [\"https://example.org/a\"], \"colour\": \"red\"}\n",
         1, "colour"},
        {"{\"claim\": \"Tin E mới\", \"verdict\": \"false\", \"evidence\": "
         "[\"https://example.org/a\"]}\n",
         1, "explanation"},
        {"[1, 2]\n", 1, "object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i].text);
        nt_diag_clear(&d);
        assert_int_not_equal(nt_desk_import(f->desk, path, "demo", &pub, &skipped, &d), NT_OK);
        if (d.line != bad[i].line || !strstr(d.message, bad[i].what))
            fprintf(stderr, "case %zu: line %u: %s\n", i, d.line, d.message);
        assert_int_equal(d.line, bad[i].line);
        assert_non_null(strstr(d.message, bad[i].what));
        assert_int_equal(status_count(f, 0), 8);
    }
}

/* ---- threads ------------------------------------------------------------------------------------------- */

#define THREADS 4
#define PER_THREAD 12

typedef struct worker {
    nt_desk *desk;
    int n;
    int failed;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    static const char *const variants[] = {
        "NONG!!! tu 1/7 di xe may ko mang cavet goc bi phat 5 trieu",
        "Từ 1/7 không mang giấy đăng ký xe bản gốc bị phạt 5 triệu đồng, chia sẻ ngay",
        "nghe noi tu 1/7 ko mang cavet goc bi phat 5 trieu that ko"};
    for (int i = 0; i < PER_THREAD; i++) {
        const char *t = variants[(w->n + i) % 3];
        nt_tip_in in = {.text = t, .text_len = strlen(t), .channel = "zalo"};
        nt_tip_result r;
        if (nt_desk_submit(w->desk, &in, &r, NULL) != NT_OK)
            w->failed++;
        nt_fc_match *m = NULL;
        size_t n = 0;
        if (nt_desk_match(w->desk, t, strlen(t), 3, 0, &m, &n, NULL) != NT_OK)
            w->failed++;
        nt_fc_matches_free(m, n);
    }
    return NULL;
}

static void test_threads(void **state)
{
    fx *f = *state;
    int64_t id = publish_xe(f);
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.desk = f->desk, .n = i};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].failed, 0);
    }
    /* every tip joined the published item */
    assert_int_equal(status_count(f, 0), 1);
    nt_factcheck *fc = NULL;
    assert_int_equal(nt_desk_factcheck_get(f->desk, id, &fc, NULL), NT_OK);
    assert_int_equal(fc->submissions, 1 + THREADS * PER_THREAD);
    nt_factcheck_free(fc);
    nt_audit_verdict v;
    assert_int_equal(nt_audit_verify(nt_desk_store(f->desk), NULL, 0, &v, NULL), NT_OK);
    assert_int_equal(v.problem, NT_AUDIT_INTACT);
    assert_int_equal(v.entries, 2 + THREADS * PER_THREAD); /* tip + publication, then the tips */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_workflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clustering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_match_and_two_desks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claimreview, setup, teardown),
        cmocka_unit_test(test_urls),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
