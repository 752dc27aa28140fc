/*
 * tests/test_model.c - the statistical model: stable feature hashing, that
 * training learns and is deterministic to the byte, that the loader refuses
 * every damaged file (each truncation, each flipped byte, absurd sizes), that
 * prediction is thread-safe and explained with spans of the original text,
 * and that the shipped model tells obvious Vietnamese scams from ordinary
 * messages.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>
#include <xxhash.h>

#include "model/model_int.h"
#include "niemtin/niemtin.h"
#include "testutil.h"

static nt_lexicon *lex;

static int setup(void **state)
{
    (void)state;
    nt_diag d;
    nt_diag_clear(&d);
    return nt_lexicon_load(tu_data_path("teencode.tsv"), &lex, &d) == NT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    nt_lexicon_free(lex);
    return 0;
}

static nt_text *norm(const char *s)
{
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = lex;
    nt_text *t = NULL;
    assert_int_equal(nt_text_normalize(s, strlen(s), &o, &t, NULL), NT_OK);
    return t;
}

/* ---- features -------------------------------------------------------------- */

static void test_features_stable(void **state)
{
    (void)state;
    nt__featvec a = {0}, b = {0}, c = {0};
    nt_text *t1 = norm("Chuyển khoản ngay cho tôi");
    nt_text *t2 = norm("chuyen khoan ngay cho toi");
    nt_text *t3 = norm("Chuyển khoản ngay cho tôi");
    assert_int_equal(nt__features(t1, NULL, NULL, 16, &a), NT_OK);
    assert_int_equal(nt__features(t2, NULL, NULL, 16, &b), NT_OK);
    assert_int_equal(nt__features(t3, NULL, NULL, 16, &c), NT_OK);
    /* same fold form: same features, with or without diacritics */
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.n, c.n);
    double ss = 0;
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.f[i].bucket, b.f[i].bucket);
        assert_true(a.f[i].value == c.f[i].value);
        if (i)
            assert_true(a.f[i - 1].bucket < a.f[i].bucket); /* sorted, merged */
        ss += (double)a.f[i].value * a.f[i].value;
    }
    /* a short message is not blown up to unit length: its features are
     * divided by sqrt(20) (the norm floor), so a word seen once is worth
     * 1/sqrt(20) */
    assert_true(ss > 0 && ss < 1.0);
    for (size_t i = 0; i < a.n; i++)
        if (a.f[i].kind == NT_FEAT_WORD)
            assert_true(a.f[i].value == (float)(1.0 / sqrt(20.0)));
    /* The hash of a word is fixed forever for this feature-set version: if
     * this changes, bump NT__MODEL_FEATURE_VERSION and retrain. */
    uint64_t h = XXH3_64bits_withSeed("khoan", 5, 0x9e3779b97f4a7c15ull);
    int found = 0;
    for (size_t i = 0; i < a.n; i++)
        found |= a.f[i].bucket == (uint32_t)(h & 0xffff) && a.f[i].kind == NT_FEAT_WORD;
    assert_true(found);
    assert_int_equal((uint32_t)(h & 0xffff), 0x98c1u);
    assert_int_equal(nt__features(t1, NULL, NULL, 7, &a), NT_ERR_INVALID_ARG);
    nt__featvec_free(&a);
    nt__featvec_free(&b);
    nt__featvec_free(&c);
    nt_text_free(t1);
    nt_text_free(t2);
    nt_text_free(t3);
}

/* Does v have a feature of this kind hashed from key (seed of that kind)? */
static int has_feature(const nt__featvec *v, nt_feature_kind kind, uint64_t seed, const char *key,
                       unsigned bits)
{
    uint32_t b = (uint32_t)(XXH3_64bits_withSeed(key, strlen(key), seed) & ((1u << bits) - 1));
    for (size_t i = 0; i < v->n; i++)
        if (v->f[i].bucket == b && v->f[i].kind == kind)
            return 1;
    return 0;
}

static void test_features_shapes(void **state)
{
    (void)state;
    nt__featvec v = {0};
    const uint64_t word = 0x9e3779b97f4a7c15ull, tokflag = 0x2545f4914f6cdd1dull,
                   length = 0xa54ff53a5f1d36f1ull;
    nt_text *t = norm("Call 08712460324 now to claim your FREE prize, 150p/msg, or 1.50 a week "
                      "and more and more");
    assert_int_equal(nt__features(t, NULL, NULL, 18, &v), NT_OK);
    assert_true(has_feature(&v, NT_FEAT_WORD, word, "#11", 18)); /* digit count, as before */
    assert_true(has_feature(&v, NT_FEAT_WORD, word, "#3p", 18)); /* number shapes */
    assert_true(has_feature(&v, NT_FEAT_WORD, word, "#1.#2", 18));
    assert_true(has_feature(&v, NT_FEAT_TOKFLAG, tokflag, "caps", 18));     /* FREE */
    assert_true(has_feature(&v, NT_FEAT_LENGTH, length, "16+ digits", 18)); /* 11 + 3 + 3 */
    assert_false(has_feature(&v, NT_FEAT_WORD, word, "#11p", 18));
    double ss = 0;
    for (size_t i = 0; i < v.n; i++)
        ss += (double)v.f[i].value * v.f[i].value;
    assert_true(ss > 0.999 && ss < 1.001); /* long enough: L2-normalised */
    nt_text_free(t);
    /* a capital letter is no shouting; a word in capitals is, with diacritics too */
    t = norm("Chuyển khoản ngay");
    assert_int_equal(nt__features(t, NULL, NULL, 18, &v), NT_OK);
    assert_false(has_feature(&v, NT_FEAT_TOKFLAG, tokflag, "caps", 18));
    nt_text_free(t);
    t = norm("KHẨN CẤP: chuyển khoản ngay");
    assert_int_equal(nt__features(t, NULL, NULL, 18, &v), NT_OK);
    assert_true(has_feature(&v, NT_FEAT_TOKFLAG, tokflag, "caps", 18));
    nt_text_free(t);
    nt__featvec_free(&v);
}

static void test_features_empty_and_obfuscated(void **state)
{
    (void)state;
    nt__featvec v = {0};
    nt_text *t = norm("");
    assert_int_equal(nt__features(t, NULL, NULL, 12, &v), NT_OK);
    assert_int_equal(v.n, 1); /* the length bucket alone */
    nt_text_free(t);
    t = norm("c.h.u.y.ể.n k.h.o.ả.n");
    assert_int_equal(nt__features(t, NULL, NULL, 12, &v), NT_OK);
    int rejoined = 0;
    for (size_t i = 0; i < v.n; i++)
        rejoined |= v.f[i].kind == NT_FEAT_TOKFLAG;
    assert_true(rejoined);
    nt_text_free(t);
    /* memory follows distinct buckets, not message length */
    size_t big = 400000;
    char *msg = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        msg[i] = "chuyen khoan ngay 0912345678 "[i % 29];
    msg[big] = '\0';
    t = norm(msg);
    assert_int_equal(nt__features(t, NULL, NULL, 8, &v), NT_OK);
    assert_true(v.n <= 256);
    assert_true(v.cap <= 512);
    nt_text_free(t);
    free(msg);
    nt__featvec_free(&v);
}

/* ---- training on a synthetic set ---------------------------------------- */

static const char *const scam_msgs[] = {
    "chuc mung ban trung thuong, chuyen khoan phi nhan qua ngay",
    "ban da trung thuong xe may, nop phi chuyen khoan de nhan",
    "tai khoan cua ban bi khoa, chuyen khoan ngay de mo khoa",
    "trung thuong 100 trieu, chuyen khoan phi thu tuc ngay hom nay",
    "nhan qua tri an, chuyen khoan phi van chuyen ngay",
    "canh bao tai khoan bi khoa, xac minh va chuyen khoan ngay",
};
static const char *const benign_msgs[] = {
    "toi nay di an com voi gia dinh nhe",      "mai con di hoc som, me nho goi con day",
    "cuoi tuan di choi cong vien khong ban",   "an com chua, toi nay ve muon mot chut",
    "hop lop vao chu nhat, nho mang sach nhe", "bo me di cho ve roi, con xuong an com",
};

static nt_trainer *synthetic_trainer(uint64_t seed, unsigned bits)
{
    nt_train_options o;
    nt_train_options_init(&o);
    o.seed = seed;
    o.hash_bits = bits;
    o.epochs = 10;
    o.learning_rate = 0.2;
    nt_trainer *tr = NULL;
    assert_int_equal(nt_trainer_new(&o, &tr, NULL), NT_OK);
    for (int rep = 0; rep < 3; rep++) {
        for (size_t i = 0; i < sizeof scam_msgs / sizeof scam_msgs[0]; i++) {
            signed char y[NT_MODEL_LABELS] = {NT_Y_YES, NT_Y_NO, NT_Y_UNKNOWN, NT_Y_YES, NT_Y_YES};
            nt_text *t = norm(scam_msgs[i]);
            assert_int_equal(nt_trainer_add(tr, t, NULL, NULL, y, rep == 2), NT_OK);
            nt_text_free(t);
        }
        for (size_t i = 0; i < sizeof benign_msgs / sizeof benign_msgs[0]; i++) {
            signed char y[NT_MODEL_LABELS] = {NT_Y_NO, NT_Y_NO, NT_Y_NO, NT_Y_NO, NT_Y_NO};
            nt_text *t = norm(benign_msgs[i]);
            assert_int_equal(nt_trainer_add(tr, t, NULL, NULL, y, rep == 2), NT_OK);
            nt_text_free(t);
        }
    }
    assert_int_equal(nt_trainer_count(tr, 0), 24);
    assert_int_equal(nt_trainer_count(tr, 1), 12);
    return tr;
}

static nt_model *synthetic_model(uint64_t seed, unsigned bits)
{
    nt_trainer *tr = synthetic_trainer(seed, bits);
    nt_model *m = NULL;
    assert_int_equal(nt_trainer_train(tr, &m, NULL), NT_OK);
    nt_trainer_free(tr);
    return m;
}

static double p_scam(const nt_model *m, const char *msg)
{
    nt_text *t = norm(msg);
    double p[NT_MODEL_LABELS];
    assert_int_equal(nt_model_predict(m, t, NULL, NULL, p, NULL), NT_OK);
    nt_text_free(t);
    return p[NT_LABEL_SCAM];
}

static void test_train_learns(void **state)
{
    (void)state;
    nt_model *m = synthetic_model(7, 12);
    /* unseen messages in the same vein, written with diacritics */
    assert_true(p_scam(m, "Chúc mừng, bạn trúng thưởng! Chuyển khoản phí ngay") > 0.7);
    assert_true(p_scam(m, "Tối nay về ăn cơm với gia đình nhé con") < 0.3);
    assert_int_equal(nt_model_hash_bits(m), 12);
    assert_int_equal(nt_model_seed(m), 7);
    assert_int_equal(nt_model_epochs(m), 10);
    assert_false(nt_model_uses_rules(m));
    double th = nt_model_threshold(m, NT_LABEL_SCAM);
    assert_true(th > 0 && th < 1);
    nt_model_free(m);

    nt_trainer *tr = NULL;
    nt_model *none = NULL;
    assert_int_equal(nt_trainer_new(NULL, &tr, NULL), NT_OK);
    assert_int_equal(nt_trainer_train(tr, &none, NULL), NT_ERR_EMPTY);
    signed char bad[NT_MODEL_LABELS] = {2, 0, 0, 0, 0};
    nt_text *t = norm("x");
    assert_int_equal(nt_trainer_add(tr, t, NULL, NULL, bad, 0), NT_ERR_INVALID_ARG);
    nt_text_free(t);
    nt_trainer_free(tr);
    nt_train_options o;
    nt_train_options_init(&o);
    o.hash_bits = 30;
    nt_diag d;
    assert_int_equal(nt_trainer_new(&o, &tr, &d), NT_ERR_INVALID_ARG);
    assert_non_null(strstr(d.message, "hash bits"));
}

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int slot;
    char *p = buf[slot++ % 4];
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/nt-test-model-XXXXXX");
        assert_non_null(mkdtemp(tmpdir));
    }
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    nt_model *a = synthetic_model(42, 10), *b = synthetic_model(42, 10),
             *c = synthetic_model(43, 10);
    const char *pa = tmp_path("a.model"), *pb = tmp_path("b.model"), *pc = tmp_path("c.model");
    assert_int_equal(nt_model_save(a, pa, NULL), NT_OK);
    assert_int_equal(nt_model_save(b, pb, NULL), NT_OK);
    assert_int_equal(nt_model_save(c, pc, NULL), NT_OK);
    size_t la, lb, lc;
    char *da = tu_read_file(pa, &la), *db = tu_read_file(pb, &lb), *dc = tu_read_file(pc, &lc);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    assert_int_equal(la, lc);
    assert_memory_not_equal(da, dc, la); /* the seed matters */
    /* and it loads back to the same predictions */
    nt_model *back = NULL;
    assert_int_equal(nt_model_load(pa, &back, NULL), NT_OK);
    const char *msg = "trung thuong chuyen khoan phi";
    assert_true(p_scam(back, msg) == p_scam(a, msg));
    assert_true(nt_model_threshold(back, NT_LABEL_LURE) == nt_model_threshold(a, NT_LABEL_LURE));
    free(da);
    free(db);
    free(dc);
    nt_model_free(a);
    nt_model_free(b);
    nt_model_free(c);
    nt_model_free(back);
    /* saving where it cannot write: an I/O error naming the file, no debris */
    nt_diag d;
    nt_diag_clear(&d);
    nt_model *m = synthetic_model(1, 8);
    assert_int_equal(nt_model_save(m, "/nonexistent-dir/x.model", &d), NT_ERR_IO);
    assert_non_null(strstr(d.source, "/nonexistent-dir/x.model"));
    nt_model_free(m);
    unlink(pa);
    unlink(pb);
    unlink(pc);
}

/* Cross-validated mode: every example has a fold, thresholds come from
 * out-of-fold scores, the model is fitted on everything - deterministic too. */
static nt_trainer *folded_trainer(uint64_t seed, unsigned folds)
{
    nt_train_options o;
    nt_train_options_init(&o);
    o.seed = seed;
    o.hash_bits = 10;
    o.epochs = 10;
    o.learning_rate = 0.2;
    o.folds = folds;
    nt_trainer *tr = NULL;
    assert_int_equal(nt_trainer_new(&o, &tr, NULL), NT_OK);
    for (int rep = 0; rep < 3; rep++) {
        for (size_t i = 0; i < sizeof scam_msgs / sizeof scam_msgs[0]; i++) {
            signed char y[NT_MODEL_LABELS] = {NT_Y_YES, NT_Y_NO, NT_Y_UNKNOWN, NT_Y_YES, NT_Y_YES};
            nt_text *t = norm(scam_msgs[i]);
            assert_int_equal(nt_trainer_add_fold(tr, t, NULL, NULL, y, (unsigned)i % folds), NT_OK);
            nt_text_free(t);
        }
        for (size_t i = 0; i < sizeof benign_msgs / sizeof benign_msgs[0]; i++) {
            signed char y[NT_MODEL_LABELS] = {NT_Y_NO, NT_Y_NO, NT_Y_NO, NT_Y_NO, NT_Y_NO};
            nt_text *t = norm(benign_msgs[i]);
            assert_int_equal(nt_trainer_add_fold(tr, t, NULL, NULL, y, (unsigned)i % folds), NT_OK);
            nt_text_free(t);
        }
    }
    return tr;
}

static void test_cross_validated(void **state)
{
    (void)state;
    nt_trainer *tr = folded_trainer(5, 3);
    assert_int_equal(nt_trainer_count(tr, 0), 36); /* every example is both */
    assert_int_equal(nt_trainer_count(tr, 1), 36);
    signed char y[NT_MODEL_LABELS] = {NT_Y_NO, NT_Y_NO, NT_Y_NO, NT_Y_NO, NT_Y_NO};
    nt_text *t = norm("x");
    assert_int_equal(nt_trainer_add(tr, t, NULL, NULL, y, 0), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_trainer_add_fold(tr, t, NULL, NULL, y, 3), NT_ERR_INVALID_ARG);
    double p[NT_MODEL_LABELS];
    assert_int_equal(nt_trainer_heldout(tr, 0, p), NT_ERR_NOT_FOUND); /* not trained yet */
    nt_model *a = NULL, *b = NULL;
    assert_int_equal(nt_trainer_train(tr, &a, NULL), NT_OK);
    for (size_t i = 0; i < 36; i++) { /* every example scored out of fold */
        assert_int_equal(nt_trainer_heldout(tr, i, p), NT_OK);
        assert_true(p[NT_LABEL_SCAM] >= 0 && p[NT_LABEL_SCAM] <= 1);
    }
    assert_int_equal(nt_trainer_heldout(tr, 36, p), NT_ERR_INVALID_ARG);
    nt_trainer_free(tr);
    assert_true(p_scam(a, "Chúc mừng, bạn trúng thưởng! Chuyển khoản phí ngay") > 0.7);
    assert_true(p_scam(a, "Tối nay về ăn cơm với gia đình nhé con") < 0.3);
    double th = nt_model_threshold(a, NT_LABEL_SCAM);
    assert_true(th > 0 && th < 1);

    tr = folded_trainer(5, 3);
    assert_int_equal(nt_trainer_train(tr, &b, NULL), NT_OK);
    nt_trainer_free(tr);
    const char *pa = tmp_path("cv-a.model"), *pb = tmp_path("cv-b.model");
    assert_int_equal(nt_model_save(a, pa, NULL), NT_OK);
    assert_int_equal(nt_model_save(b, pb, NULL), NT_OK);
    size_t la, lb;
    char *da = tu_read_file(pa, &la), *db = tu_read_file(pb, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la); /* same data, same seed: same bytes */
    free(da);
    free(db);
    unlink(pa);
    unlink(pb);
    nt_model_free(a);
    nt_model_free(b);

    /* classic mode: held-out scores are the validation examples' */
    tr = synthetic_trainer(9, 10);
    assert_int_equal(nt_trainer_add_fold(tr, t, NULL, NULL, y, 0), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_trainer_train(tr, &a, NULL), NT_OK);
    assert_int_equal(nt_trainer_heldout(tr, 0, p), NT_ERR_NOT_FOUND); /* trained on */
    assert_int_equal(nt_trainer_heldout(tr, 24, p), NT_OK);           /* validation */
    nt_trainer_free(tr);
    nt_model_free(a);
    nt_text_free(t);

    nt_train_options o;
    nt_train_options_init(&o);
    o.folds = 1;
    nt_diag d;
    assert_int_equal(nt_trainer_new(&o, &tr, &d), NT_ERR_INVALID_ARG);
    assert_non_null(strstr(d.message, "folds"));
    nt_train_options_init(&o);
    o.class_weight = 2;
    assert_int_equal(nt_trainer_new(&o, &tr, &d), NT_ERR_INVALID_ARG);
}

/* ---- the loader refuses damaged files -------------------------------------- */

static unsigned char *small_model_image(size_t *len)
{
    nt_model *m = synthetic_model(3, 8);
    const char *p = tmp_path("small.model");
    assert_int_equal(nt_model_save(m, p, NULL), NT_OK);
    nt_model_free(m);
    unsigned char *img = (unsigned char *)tu_read_file(p, len);
    assert_non_null(img);
    unlink(p);
    return img;
}

static nt_err load_img(const unsigned char *img, size_t len, nt_diag *d)
{
    nt_model *m = NULL;
    nt_diag_clear(d);
    nt_err rc = nt_model_load_buffer(img, len, "test.model", &m, d);
    if (rc == NT_OK) {
        assert_non_null(m);
        nt_model_free(m);
    } else {
        assert_null(m);
    }
    return rc;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void reseal(unsigned char *img, size_t len)
{
    put64(img + 24, XXH3_64bits(img + 32, len - 32));
}

static void test_load_rejects(void **state)
{
    (void)state;
    size_t len;
    unsigned char *img = small_model_image(&len);
    unsigned char *cp = malloc(len);
    nt_diag d;
    assert_int_equal(load_img(img, len, &d), NT_OK);

    memcpy(cp, img, len);
    cp[0] = 'X';
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "magic"));
    assert_string_equal(d.source, "test.model");

    memcpy(cp, img, len);
    put32(cp + 8, 2);
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "format version 2"));

    memcpy(cp, img, len);
    put32(cp + 12, 99);
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "feature-set version"));

    /* every truncation */
    for (size_t n = 0; n < len; n++) {
        assert_int_equal(load_img(img, n, &d), NT_ERR_PARSE);
        assert_true(d.message[0] != '\0');
    }
    assert_int_equal(load_img(img, 40, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "truncated"));

    /* every flipped byte */
    for (size_t i = 0; i < len; i++) {
        memcpy(cp, img, len);
        cp[i] ^= 0x20;
        assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    }
    memcpy(cp, img, len);
    cp[len - 1] ^= 1;
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "checksum"));

    /* absurd sizes and values behind a valid checksum */
    memcpy(cp, img, len);
    put32(cp + 32 + 4, 40); /* hash bits */
    reseal(cp, len);
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "hash bits 40"));
    memcpy(cp, img, len);
    put32(cp + 32, 1000000); /* labels */
    reseal(cp, len);
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "labels"));
    memcpy(cp, img, len);
    put32(cp + 32 + 4, 9); /* bits that do not match the weight bytes */
    reseal(cp, len);
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "weight bytes"));
    memcpy(cp, img, len);
    put32(cp + len - 4, 0x7fc00000u); /* NaN weight */
    reseal(cp, len);
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "finite"));
    memcpy(cp, img, len);
    put64(cp + 16, UINT64_MAX); /* payload length */
    assert_int_equal(load_img(cp, len, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "truncated"));
    /* trailing bytes */
    unsigned char *big = malloc(len + 1);
    memcpy(big, img, len);
    big[len] = 0;
    assert_int_equal(load_img(big, len + 1, &d), NT_ERR_PARSE);
    assert_non_null(strstr(d.message, "trailing"));
    free(big);

    /* a file: the error names it */
    const char *p = tmp_path("bad.model");
    FILE *f = fopen(p, "wb");
    fwrite("not a model", 1, 11, f);
    fclose(f);
    nt_model *m = NULL;
    assert_int_equal(nt_model_load(p, &m, &d), NT_ERR_PARSE);
    assert_string_equal(d.source, p);
    unlink(p);
    assert_int_equal(nt_model_load(tmp_path("missing.model"), &m, &d), NT_ERR_IO);
    free(cp);
    free(img);
}

/* ---- threads --------------------------------------------------------------- */

typedef struct job {
    const nt_model *m;
    double out[8][NT_MODEL_LABELS];
    int rc;
} job;

static const char *const thread_msgs[8] = {"trung thuong chuyen khoan phi ngay",
                                           "di an com thoi",
                                           "tai khoan bi khoa, chuyen khoan",
                                           "hop lop chu nhat",
                                           "Chúc mừng bạn trúng thưởng",
                                           "mẹ ơi con về muộn",
                                           "",
                                           "123 456 789"};

static void *worker(void *arg)
{
    job *j = arg;
    for (int rep = 0; rep < 50; rep++) {
        for (int i = 0; i < 8; i++) {
            nt_text_options o;
            nt_text_options_init(&o);
            o.teencode = lex;
            nt_text *t = NULL;
            if (nt_text_normalize(thread_msgs[i], strlen(thread_msgs[i]), &o, &t, NULL) ||
                nt_model_predict(j->m, t, NULL, NULL, j->out[i], NULL))
                j->rc = 1;
            nt_text_free(t);
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    nt_model *m = synthetic_model(11, 10);
    job a = {m, {{0}}, 0}, b = {m, {{0}}, 0};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, worker, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, worker, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, 0);
    assert_memory_equal(a.out, b.out, sizeof a.out);
    for (int i = 0; i < 8; i++) {
        nt_text *t = norm(thread_msgs[i]);
        double p[NT_MODEL_LABELS];
        assert_int_equal(nt_model_predict(m, t, NULL, NULL, p, NULL), NT_OK);
        assert_memory_equal(p, a.out[i], sizeof p);
        nt_text_free(t);
    }
    nt_model_free(m);
}

/* ---- the shipped model --------------------------------------------------- */

typedef struct pipeline {
    nt_banks *banks;
    nt_extractor *ex;
    nt_taxonomy *tax;
    nt_ruleset *rules;
    nt_rule_scratch *sc;
} pipeline;

static void score(const pipeline *pl, const nt_model *m, const char *msg, double p[NT_MODEL_LABELS],
                  nt_model_explain *ex)
{
    nt_text *t = norm(msg);
    nt_indicator_list *inds = NULL;
    nt_rule_hits *hits = NULL;
    assert_int_equal(nt_extract(pl->ex, msg, strlen(msg), &inds, NULL), NT_OK);
    assert_int_equal(nt_ruleset_match(pl->rules, pl->sc, t, inds, &hits), NT_OK);
    assert_int_equal(nt_model_predict(m, t, inds, hits, p, ex), NT_OK);
    nt_rule_hits_free(hits);
    nt_indicator_list_free(inds);
    nt_text_free(t);
}

static void test_shipped_model(void **state)
{
    (void)state;
    nt_model *m = NULL;
    nt_diag d;
    char buf[512];
    nt_diag_clear(&d);
    nt_err rc = nt_model_load(tu_data_path("models/niemtin.model"), &m, &d);
    if (rc)
        fprintf(stderr, "%s\n", nt_diag_format(&d, buf, sizeof buf));
    assert_int_equal(rc, NT_OK);
    pipeline pl = {0};
    assert_int_equal(nt_banks_load(tu_data_path("banks.tsv"), &pl.banks, &d), NT_OK);
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    o.banks = pl.banks;
    o.context_path = tu_data_path("indicator-context.tsv");
    assert_int_equal(nt_extractor_new(&o, &pl.ex, &d), NT_OK);
    assert_int_equal(nt_taxonomy_load(tu_data_path("taxonomy.json"), &pl.tax, &d), NT_OK);
    assert_int_equal(nt_ruleset_load_dir_cached(tu_data_path("rules"), pl.tax,
                                                getenv("NIEMTIN_CACHE_DIR"), &pl.rules, &d),
                     NT_OK);
    assert_int_equal(nt_rule_scratch_new(pl.rules, &pl.sc), NT_OK);

    static const char *const scams[] = {
        "Chúc mừng quý khách đã trúng thưởng xe SH, vui lòng chuyển khoản 2 triệu phí nhận "
        "thưởng vào stk 0123456789 Vietcombank",
        "FREE entry! Txt WIN to 87121 to claim your £1000 prize now",
        "Tai khoan cua ban da bi khoa, truy cap hxxp://vietcombank-xacminh[.]com de mo khoa "
        "ngay",
    };
    static const char *const benign[] = {
        "Mẹ ơi tối nay con về muộn, con đang ở nhà bạn Lan",
        "ok see you at 5 then",
        "Chiều nay họp lớp lúc 3 giờ ở phòng 204 nhé",
    };
    double p[NT_MODEL_LABELS];
    nt_model_explain ex;
    for (size_t i = 0; i < sizeof scams / sizeof scams[0]; i++) {
        score(&pl, m, scams[i], p, &ex);
        assert_true(p[NT_LABEL_SCAM] > 0.5);
        /* explained: a top feature with a span inside the original text */
        assert_true(ex.count[NT_LABEL_SCAM] > 0);
        const nt_model_contrib *c = &ex.top[NT_LABEL_SCAM][0];
        assert_true(c->contribution > 0);
        assert_true(c->name[0] != '\0');
        for (size_t k = 1; k < ex.count[NT_LABEL_SCAM]; k++)
            assert_true(ex.top[NT_LABEL_SCAM][k - 1].contribution >=
                        ex.top[NT_LABEL_SCAM][k].contribution);
        for (size_t k = 0; k < ex.count[NT_LABEL_SCAM]; k++)
            if (ex.top[NT_LABEL_SCAM][k].has_span)
                assert_true(ex.top[NT_LABEL_SCAM][k].start < ex.top[NT_LABEL_SCAM][k].end &&
                            ex.top[NT_LABEL_SCAM][k].end <= strlen(scams[i]));
    }
    for (size_t i = 0; i < sizeof benign / sizeof benign[0]; i++) {
        score(&pl, m, benign[i], p, NULL);
        assert_true(p[NT_LABEL_SCAM] < 0.5);
    }
    assert_int_equal(nt_model_predict(m, NULL, NULL, NULL, p, NULL), NT_ERR_INVALID_ARG);
    nt_rule_scratch_free(pl.sc);
    nt_ruleset_free(pl.rules);
    nt_taxonomy_free(pl.tax);
    nt_extractor_free(pl.ex);
    nt_banks_free(pl.banks);
    nt_model_free(m);
}

static void test_labels(void **state)
{
    (void)state;
    nt_model_label l;
    assert_string_equal(nt_model_label_name(NT_LABEL_CONTROL), "control");
    assert_string_equal(nt_model_label_name((nt_model_label)9), "unknown");
    assert_int_equal(nt_model_label_parse("grooming", &l), NT_OK);
    assert_int_equal(l, NT_LABEL_GROOMING);
    assert_int_equal(nt_model_label_parse("spam", &l), NT_ERR_NOT_FOUND);
    assert_string_equal(nt_feature_kind_name(NT_FEAT_BIGRAM), "bigram");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_features_stable),
        cmocka_unit_test(test_features_shapes),
        cmocka_unit_test(test_features_empty_and_obfuscated),
        cmocka_unit_test(test_train_learns),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_cross_validated),
        cmocka_unit_test(test_load_rejects),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_shipped_model),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    if (tmpdir[0])
        rmdir(tmpdir);
    return rc;
}
