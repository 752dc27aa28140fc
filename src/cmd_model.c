/*
 * src/cmd_model.c - `niemtin train` and `niemtin eval`: the statistical model
 * trained from the public SMS corpora and our own Vietnamese dev set, and its
 * scores on the held-out splits.
 *
 * The split is fixed and documented (docs/model.md): every message gets a
 * split key, XXH3 of the key with a fixed seed, mod 100: < 70 train, < 85
 * validation, else test.  The Vietnamese SMS file is a machine translation of
 * the English one but its rows are NOT in the same order (same index, other
 * message for about a quarter of the rows), so the key cannot be the row
 * index.  Instead the key is the message's runs of 4+ ASCII digits when it
 * has any (numbers survive translation, so a spam and its translation and
 * every copy of one spam template share a split) and otherwise its folded
 * text (so exact duplicates share a split).  Dev-set messages are keyed by
 * their id.  The held-out Vietnamese file is never trained on.
 *
 * `niemtin train` (default --folds 5) deals train + validation into folds by
 * a second hash of the same key, chooses thresholds on out-of-fold scores
 * and fits the shipped model on train + validation; --folds 0 fits on train
 * and chooses thresholds on validation.  The test split is only scored by
 * `niemtin eval`.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "cli.h"

#define SPLIT_SEED 0x4e69656d54696eull /* "NiemTin" */
#define DEFAULT_FOLDS 5u               /* niemtin train: cross-validated thresholds, then refit */
#define DATA_MAX_BYTES (64u * 1024u * 1024u)

enum { SPLIT_TRAIN = 0, SPLIT_VALID = 1, SPLIT_TEST = 2 };
enum { SRC_SMS_EN = 0, SRC_SMS_VI, SRC_DEV, SRC_HELDOUT, SRC__COUNT };
static const char *const src_names[SRC__COUNT] = {"sms-en", "sms-vi", "vi-dev", "vi-heldout"};

typedef struct example {
    char *text;
    char *key; /* split key for dev/heldout ("id:..."), NULL: computed */
    size_t len;
    signed char y[NT_MODEL_LABELS];
    int source;
    int split;
} example;

typedef struct corpus {
    example *ex;
    size_t n, cap;
} corpus;

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->ex[i].text);
        free(c->ex[i].key);
    }
    free(c->ex);
    c->ex = NULL;
    c->n = c->cap = 0;
}

/* Append an example; takes ownership of text and key. */
static int corpus_add(corpus *c, char *text, size_t len, char *key, const signed char *y,
                      int source)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 4096;
        example *ne = realloc(c->ex, ncap * sizeof *ne);
        if (!ne) {
            free(text);
            free(key);
            return -1;
        }
        c->ex = ne;
        c->cap = ncap;
    }
    example *e = &c->ex[c->n++];
    e->text = text;
    e->len = len;
    e->key = key;
    memcpy(e->y, y, NT_MODEL_LABELS);
    e->source = source;
    e->split = SPLIT_TRAIN;
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "niemtin: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = cap < DATA_MAX_BYTES ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                fprintf(stderr, "niemtin: %s: %s\n", path,
                        cap < DATA_MAX_BYTES ? "out of memory" : "file too large");
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    if (buf && ferror(f)) {
        fprintf(stderr, "niemtin: %s: %s\n", path, strerror(errno));
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Labels of an SMS: spam is a scam with unknown tactics; ham is nothing. */
static void sms_labels(int spam, signed char y[NT_MODEL_LABELS])
{
    y[NT_LABEL_SCAM] = spam ? NT_Y_YES : NT_Y_NO;
    y[NT_LABEL_GROOMING] = NT_Y_NO;
    for (int l = NT_LABEL_FEAR; l <= NT_LABEL_CONTROL; l++)
        y[l] = spam ? NT_Y_UNKNOWN : NT_Y_NO;
}

static int parse_sms_label(const char *s, size_t n, int *spam)
{
    if (n == 4 && memcmp(s, "spam", 4) == 0)
        *spam = 1;
    else if (n == 3 && memcmp(s, "ham", 3) == 0)
        *spam = 0;
    else
        return -1;
    return 0;
}

/* SMSSpamCollection.tsv: a header line, then "ham|spam<TAB>text" lines. */
static int load_sms_tsv(corpus *c, const char *path)
{
    size_t len = 0;
    char *buf = read_all(path, &len);
    if (!buf)
        return -1;
    int rc = 0;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && buf[eol] != '\n')
            eol++;
        size_t end = eol > pos && buf[eol - 1] == '\r' ? eol - 1 : eol;
        line++;
        if (line > 1 && end > pos) {
            const char *tab = memchr(buf + pos, '\t', end - pos);
            int spam;
            signed char y[NT_MODEL_LABELS];
            if (!tab || parse_sms_label(buf + pos, (size_t)(tab - (buf + pos)), &spam) != 0) {
                fprintf(stderr, "niemtin: %s:%u: expected ham or spam, a tab, then the text\n",
                        path, line);
                rc = -1;
                break;
            }
            sms_labels(spam, y);
            size_t tl = (size_t)(buf + end - (tab + 1));
            char *text = dup_n(tab + 1, tl);
            if (!text || corpus_add(c, text, tl, NULL, y, SRC_SMS_EN) != 0) {
                fprintf(stderr, "niemtin: out of memory\n");
                rc = -1;
                break;
            }
        }
        pos = eol + 1;
    }
    free(buf);
    return rc;
}

/* One RFC 4180 field at buf[*pos]: quoted ("" escapes a quote, newlines
 * allowed) or bare.  Stops at ',' or the end of the record; *line counts
 * newlines.  Returns a malloc'd copy, or NULL with *err set. */
static char *csv_field(const char *buf, size_t len, size_t *pos, unsigned *line, size_t *flen,
                       const char **err)
{
    size_t p = *pos;
    char *out = malloc(len - p + 1);
    size_t n = 0;
    if (!out) {
        *err = "out of memory";
        return NULL;
    }
    if (p < len && buf[p] == '"') {
        p++;
        for (;;) {
            if (p >= len) {
                *err = "unterminated quoted field";
                free(out);
                return NULL;
            }
            if (buf[p] == '"') {
                if (p + 1 < len && buf[p + 1] == '"') {
                    out[n++] = '"';
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            if (buf[p] == '\n')
                (*line)++;
            out[n++] = buf[p++];
        }
        if (p < len && buf[p] != ',' && buf[p] != '\n' && buf[p] != '\r') {
            *err = "text after a closing quote";
            free(out);
            return NULL;
        }
    } else {
        while (p < len && buf[p] != ',' && buf[p] != '\n' && buf[p] != '\r')
            out[n++] = buf[p++];
    }
    out[n] = '\0';
    *pos = p;
    *flen = n;
    return out;
}

/* dataset.csv: header "labels,texts_vi", then label,text records. */
static int load_sms_csv(corpus *c, const char *path, size_t *skipped)
{
    size_t len = 0;
    char *buf = read_all(path, &len);
    if (!buf)
        return -1;
    int rc = 0;
    unsigned line = 1;
    size_t pos = 0;
    while (pos < len && buf[pos] != '\n') /* header */
        pos++;
    while (pos < len) {
        if (buf[pos] == '\n' || buf[pos] == '\r') {
            line += buf[pos] == '\n';
            pos++;
            continue;
        }
        unsigned rec_line = line;
        const char *err = NULL;
        size_t ll = 0, tl = 0;
        char *label = csv_field(buf, len, &pos, &line, &ll, &err);
        char *text = NULL;
        if (label && (pos >= len || buf[pos] != ','))
            err = "expected two fields: label,text";
        if (label && !err) {
            pos++;
            text = csv_field(buf, len, &pos, &line, &tl, &err);
        }
        int spam = 0;
        if (!err && text && parse_sms_label(label, ll, &spam) != 0)
            err = "label is neither ham nor spam";
        if (!err && pos < len && buf[pos] == ',')
            err = "more than two fields";
        free(label);
        if (err) {
            fprintf(stderr, "niemtin: %s:%u: %s\n", path, rec_line, err);
            free(text);
            rc = -1;
            break;
        }
        if (tl == 0) { /* a few rows have no translation */
            free(text);
            (*skipped)++;
            continue;
        }
        signed char y[NT_MODEL_LABELS];
        sms_labels(spam, y);
        if (corpus_add(c, text, tl, NULL, y, SRC_SMS_VI) != 0) {
            fprintf(stderr, "niemtin: out of memory\n");
            rc = -1;
            break;
        }
    }
    free(buf);
    return rc;
}

/* Our JSON-lines sets: {"id", "text", "label": scam|grooming|benign,
 * "tactics": [fear|lure|control ...]}.  Every label is known. */
static int load_jsonl(corpus *c, const char *path, int source)
{
    size_t len = 0;
    char *buf = read_all(path, &len);
    if (!buf)
        return -1;
    int rc = 0;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len && rc == 0) {
        size_t eol = pos;
        while (eol < len && buf[eol] != '\n')
            eol++;
        line++;
        size_t n = eol - pos;
        int blank = 1;
        for (size_t i = pos; i < eol; i++)
            blank &= buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r';
        if (!blank) {
            json_error_t je;
            json_t *o = json_loadb(buf + pos, n, 0, &je);
            const char *text = o ? json_string_value(json_object_get(o, "text")) : NULL;
            const char *label = o ? json_string_value(json_object_get(o, "label")) : NULL;
            const char *id = o ? json_string_value(json_object_get(o, "id")) : NULL;
            json_t *tactics = o ? json_object_get(o, "tactics") : NULL;
            signed char y[NT_MODEL_LABELS] = {0};
            const char *err = NULL;
            if (!o)
                err = je.text;
            else if (!text || !label)
                err = "needs string fields \"text\" and \"label\"";
            else if (strcmp(label, "scam") == 0)
                y[NT_LABEL_SCAM] = NT_Y_YES;
            else if (strcmp(label, "grooming") == 0)
                y[NT_LABEL_GROOMING] = NT_Y_YES;
            else if (strcmp(label, "benign") != 0)
                err = "label must be scam, grooming or benign";
            if (!err && tactics && !json_is_array(tactics))
                err = "\"tactics\" must be an array";
            for (size_t k = 0; !err && tactics && k < json_array_size(tactics); k++) {
                const char *tn = json_string_value(json_array_get(tactics, k));
                nt_model_label l;
                if (!tn || nt_model_label_parse(tn, &l) != NT_OK || l < NT_LABEL_FEAR)
                    err = "tactics must be fear, lure or control";
                else
                    y[l] = NT_Y_YES;
            }
            if (err) {
                fprintf(stderr, "niemtin: %s:%u: %s\n", path, line, err);
                rc = -1;
            } else {
                char key[256];
                snprintf(key, sizeof key, "id:%s", id ? id : "");
                char *t = dup_n(text, strlen(text));
                char *k = id ? dup_n(key, strlen(key)) : NULL;
                if (!t || (id && !k)) {
                    free(t);
                    free(k);
                    fprintf(stderr, "niemtin: out of memory\n");
                    rc = -1;
                } else if (corpus_add(c, t, strlen(text), k, y, source) != 0) {
                    fprintf(stderr, "niemtin: out of memory\n");
                    rc = -1;
                }
            }
            json_decref(o);
        }
        pos = eol + 1;
    }
    free(buf);
    return rc;
}

/* ---- The analysis pipeline (normalise once; indicators; rules) --------- */

typedef struct pipeline {
    nt_lexicon *lex;
    nt_banks *banks;
    nt_extractor *ex;
    nt_taxonomy *tax;
    nt_ruleset *rules;
    nt_rule_scratch *scratch;
} pipeline;

static void pipeline_free(pipeline *p)
{
    nt_rule_scratch_free(p->scratch);
    nt_ruleset_free(p->rules);
    nt_taxonomy_free(p->tax);
    nt_extractor_free(p->ex);
    nt_banks_free(p->banks);
    nt_lexicon_free(p->lex);
    memset(p, 0, sizeof *p);
}

static int pipeline_open(cli *c, pipeline *p, int with_rules)
{
    nt_diag d;
    nt_err rc;
    memset(p, 0, sizeof *p);
    nt_diag_clear(&d);
    if (!(p->lex = cli_load_teencode(c)) || !(p->banks = cli_load_banks(c)))
        return -1;
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    o.banks = p->banks;
    o.context_path = cli_data_path(c, "indicator-context.tsv");
    if ((rc = nt_extractor_new(&o, &p->ex, &d))) {
        cli_error(c, rc, &d, L(c, "không tạo được bộ trích xuất", "cannot build the extractor"));
        return -1;
    }
    if (!with_rules)
        return 0;
    if ((rc = nt_taxonomy_load(cli_data_path(c, "taxonomy.json"), &p->tax, &d)) ||
        (rc = nt_ruleset_load_dir_cached(c->rules_dir ? c->rules_dir : cli_data_path(c, "rules"), p->tax, cli_cache_dir(),
                                         &p->rules, &d)) ||
        (rc = nt_rule_scratch_new(p->rules, &p->scratch))) {
        cli_error(c, rc, &d, L(c, "không nạp được luật", "cannot load the rules"));
        return -1;
    }
    return 0;
}

/* Normalise, extract and match one message.  On success the caller frees
 * the three objects (hits is NULL without rules). */
static nt_err analyse(const pipeline *p, const char *text, size_t len, nt_text **t,
                      nt_indicator_list **inds, nt_rule_hits **hits)
{
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = p->lex;
    *t = NULL;
    *inds = NULL;
    *hits = NULL;
    nt_err rc = nt_text_normalize(text, len, &o, t, NULL);
    if (!rc)
        rc = nt_extract(p->ex, text, len, inds, NULL);
    if (!rc && p->rules)
        rc = nt_ruleset_match(p->rules, p->scratch, *t, *inds, hits);
    if (rc) {
        nt_text_free(*t);
        nt_indicator_list_free(*inds);
        *t = NULL;
        *inds = NULL;
    }
    return rc;
}

/* The split key of an example (see the top of this file) into key and klen;
 * buf (at least 1024 bytes) may hold it. */
static void split_key(const example *e, const nt_text *t, char *buf, size_t cap, const char **key,
                      size_t *klen)
{
    size_t n = 0;
    if (e->key) {
        *key = e->key;
        *klen = strlen(e->key);
        return;
    }
    for (size_t i = 0; i < e->len;) {
        size_t j = i;
        while (j < e->len && e->text[j] >= '0' && e->text[j] <= '9')
            j++;
        if (j - i >= 4 && n + (j - i) + 1 < cap) {
            memcpy(buf + n, e->text + i, j - i);
            n += j - i;
            buf[n++] = '|';
        }
        i = j > i ? j : i + 1;
    }
    if (n) {
        *key = buf;
        *klen = n;
    } else {
        *key = nt_text_form(t, NT_FORM_FOLD, klen);
    }
}

/* Folds inside train + validation (never the test split) are dealt by
 * another hash of the same key, so near-duplicates share a fold too. */
#define FOLD_SEED (SPLIT_SEED ^ 0xf01dull)

/* Cross-validation by hand (--cv K/N): fold K of train + validation plays
 * the validation split, the other folds the training split. */
typedef struct cv_fold {
    unsigned k, n;
} cv_fold;

/* The split of an example, and (for train + validation) its fold of n. */
static int split_of(const example *e, const nt_text *t, cv_fold cv, unsigned nfolds, unsigned *fold)
{
    char buf[1024];
    const char *key;
    size_t klen;
    split_key(e, t, buf, sizeof buf, &key, &klen);
    unsigned r = (unsigned)(XXH3_64bits_withSeed(key, klen, SPLIT_SEED) % 100);
    if (r >= 85)
        return SPLIT_TEST;
    uint64_t fh = XXH3_64bits_withSeed(key, klen, FOLD_SEED);
    if (fold)
        *fold = nfolds ? (unsigned)(fh % nfolds) : 0;
    if (cv.n)
        return fh % cv.n == cv.k ? SPLIT_VALID : SPLIT_TRAIN;
    return r < 70 ? SPLIT_TRAIN : SPLIT_VALID;
}

/* ---- Options and corpus loading ----------------------------------------- */

typedef struct model_opts {
    const char *data, *out, *model, *dev, *heldout;
    const char *scores; /* write every held-out / scored message here (TSV) */
    cv_fold cv;         /* --cv K/N */
    nt_train_options train;
    int no_rules, no_dev;
    int split;  /* eval: SPLIT_TEST, or SPLIT_VALID for tuning */
    int errors; /* eval: list the misclassified messages */
} model_opts;

static int parse_uint(cli *c, const char *opt, const char *v, unsigned long long max,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (!*v || *end || errno || x > max || v[0] == '-') {
        fprintf(stderr, "niemtin: %s: %s 0..%llu\n", opt,
                L(c, "cần một số từ", "expected a number in"), max);
        return -1;
    }
    *out = x;
    return 0;
}

static int model_options(cli *c, const char *cmd, int argc, char **argv, model_opts *mo)
{
    static char def_data[4096], def_dev[4096], def_held[4096];
    memset(mo, 0, sizeof *mo);
    nt_train_options_init(&mo->train);
    const char *shared = getenv("NT_SHARED_DATA");
    if (shared && *shared)
        snprintf(def_data, sizeof def_data, "%s", shared);
    else
        snprintf(def_data, sizeof def_data, "%s/../../shared/data", c->data_dir);
    snprintf(def_dev, sizeof def_dev, "%s/../tests/data/vi-messages-dev.jsonl", c->data_dir);
    snprintf(def_held, sizeof def_held, "%s/../tests/data/vi-messages-heldout.jsonl", c->data_dir);
    mo->data = def_data;
    mo->split = SPLIT_TEST;
    mo->train.folds = DEFAULT_FOLDS;
    int folds_given = 0;
    mo->dev = def_dev;
    mo->heldout = def_held;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int is_train = strcmp(cmd, "train") == 0;
        if (strcmp(a, "--json") == 0) {
            c->json = 1;
            continue;
        }
        if (strcmp(a, "--no-rules") == 0 && is_train) {
            mo->no_rules = 1;
            continue;
        }
        if (strcmp(a, "--errors") == 0 && !is_train) {
            mo->errors = 1;
            continue;
        }
        if (strcmp(a, "--no-dev") == 0) {
            mo->no_dev = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "niemtin %s: %s '%s'\n", cmd,
                    L(c, "tuỳ chọn không rõ hoặc thiếu giá trị", "unknown option or missing value"),
                    a);
            return -1;
        }
        const char *v = argv[++i];
        unsigned long long x;
        if (strcmp(a, "--data") == 0) {
            mo->data = v;
        } else if (strcmp(a, "--dev") == 0) {
            mo->dev = v;
        } else if (strcmp(a, "--heldout") == 0) {
            mo->heldout = v;
        } else if (strcmp(a, "--out") == 0 && is_train) {
            mo->out = v;
        } else if (strcmp(a, "--model") == 0 && !is_train) {
            mo->model = v;
        } else if (strcmp(a, "--scores") == 0) {
            mo->scores = v;
        } else if (strcmp(a, "--cv") == 0) {
            unsigned k = 0, n = 0;
            char tail;
            if (sscanf(v, "%u/%u%c", &k, &n, &tail) != 2 || n < 2 || n > NT_MODEL_MAX_FOLDS ||
                k >= n) {
                fprintf(stderr, "niemtin: --cv: %s\n",
                        L(c, "cần K/N, 0 <= K < N, 2 <= N <= 100",
                          "expected K/N with 0 <= K < N, 2 <= N <= 100"));
                return -1;
            }
            mo->cv.k = k;
            mo->cv.n = n;
        } else if (strcmp(a, "--folds") == 0 && is_train) {
            if (parse_uint(c, a, v, NT_MODEL_MAX_FOLDS, &x) || x == 1) {
                fprintf(stderr, "niemtin: --folds: 0, 2..%u\n", NT_MODEL_MAX_FOLDS);
                return -1;
            }
            mo->train.folds = (unsigned)x;
            folds_given = 1;
        } else if (strcmp(a, "--split") == 0 && !is_train) {
            if (strcmp(v, "test") == 0) {
                mo->split = SPLIT_TEST;
            } else if (strcmp(v, "validation") == 0) {
                mo->split = SPLIT_VALID;

            } else {
                fprintf(stderr, "niemtin eval: --split: %s\n",
                        L(c, "chỉ có test hoặc validation", "expected test or validation"));
                return -1;
            }
        } else if ((strcmp(a, "--learning-rate") == 0 || strcmp(a, "--l2") == 0 ||
                    strcmp(a, "--class-weight") == 0) &&
                   is_train) {
            char *end;
            errno = 0;
            double f = strtod(v, &end);
            if (!*v || *end || errno || !(f >= 0 && f <= 10)) {
                fprintf(stderr, "niemtin: %s: %s\n", a,
                        L(c, "cần một số thực 0..10", "expected a real number 0..10"));
                return -1;
            }
            if (strcmp(a, "--learning-rate") == 0)
                mo->train.learning_rate = f;
            else if (strcmp(a, "--l2") == 0)
                mo->train.l2 = f;
            else
                mo->train.class_weight = f;
        } else if (strcmp(a, "--seed") == 0 && is_train) {
            if (parse_uint(c, a, v, UINT64_MAX, &x))
                return -1;
            mo->train.seed = x;
        } else if (strcmp(a, "--epochs") == 0 && is_train) {
            if (parse_uint(c, a, v, 1000, &x))
                return -1;
            mo->train.epochs = (unsigned)x;
        } else if (strcmp(a, "--bits") == 0 && is_train) {
            if (parse_uint(c, a, v, NT_MODEL_MAX_BITS, &x) || x < NT_MODEL_MIN_BITS) {
                fprintf(stderr, "niemtin: --bits: %u..%u\n", NT_MODEL_MIN_BITS, NT_MODEL_MAX_BITS);
                return -1;
            }
            mo->train.hash_bits = (unsigned)x;
        } else {
            fprintf(stderr, "niemtin %s: %s '%s'\n", cmd,
                    L(c, "tuỳ chọn không rõ", "unknown option"), a);
            return -1;
        }
    }
    if (mo->cv.n) { /* a hand-made split: fit on it, thresholds on fold K */
        if (folds_given && mo->train.folds) {
            fprintf(stderr, "niemtin %s: --cv %s --folds 0\n", cmd,
                    L(c, "chỉ đi với", "goes only with"));
            return -1;
        }
        mo->train.folds = 0;
    }
    return 0;
}

static int load_corpus(const model_opts *mo, corpus *co)
{
    char path[4096];
    size_t skipped = 0;
    snprintf(path, sizeof path, "%s/sms-spam-collection/SMSSpamCollection.tsv", mo->data);
    if (load_sms_tsv(co, path) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/sms-spam-vi-translated/dataset.csv", mo->data);
    if (load_sms_csv(co, path, &skipped) != 0)
        return -1;
    if (!mo->no_dev && file_exists(mo->dev) && load_jsonl(co, mo->dev, SRC_DEV) != 0)
        return -1;
    size_t per[SRC__COUNT] = {0};
    for (size_t i = 0; i < co->n; i++)
        per[co->ex[i].source]++;
    fprintf(stderr, "niemtin: %zu sms-en, %zu sms-vi (%zu empty rows skipped), %zu vi-dev\n",
            per[SRC_SMS_EN], per[SRC_SMS_VI], skipped, per[SRC_DEV]);
    return 0;
}

/* ---- figures --------------------------------------------------------------- */

typedef struct confusion {
    size_t tp, fp, fn, tn;
} confusion;

enum { GRP_EN, GRP_VI, GRP_DEV, GRP_ALL, GRP_HELDOUT, GRP__COUNT };
enum { NAMES_HELDOUT = 0, NAMES_VALID = 1, NAMES_TEST = 2 };
static const char *const grp_names[3][GRP__COUNT] = {
    {"out-of-fold/sms-en", "out-of-fold/sms-vi", "out-of-fold/vi-dev", "out-of-fold/all",
     "vi-heldout"},
    {"validation/sms-en", "validation/sms-vi", "validation/vi-dev", "validation/all", "vi-heldout"},
    {"test/sms-en", "test/sms-vi", "test/vi-dev", "test/all", "vi-heldout"}};

/* Confusion counts per group of messages and label. */
typedef struct figures {
    confusion k[GRP__COUNT][NT_MODEL_LABELS];
    size_t count[GRP__COUNT];
} figures;

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static json_t *confusion_json(const confusion *k)
{
    double p = ratio(k->tp, k->tp + k->fp), r = ratio(k->tp, k->tp + k->fn);
    return json_pack("{s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:f}", "tp", (json_int_t)k->tp, "fp",
                     (json_int_t)k->fp, "fn", (json_int_t)k->fn, "tn", (json_int_t)k->tn,
                     "precision", p, "recall", r, "f1", p + r > 0 ? 2 * p * r / (p + r) : 0.0,
                     "fpr", ratio(k->fp, k->fp + k->tn));
}

static void confusion_print(const char *label, const confusion *k)
{
    double p = ratio(k->tp, k->tp + k->fp), r = ratio(k->tp, k->tp + k->fn);
    printf("  %-9s %6zu %6zu %6zu %6zu   %6.3f %6.3f %6.3f %7.4f\n", label, k->tp, k->fp, k->fn,
           k->tn, p, r, p + r > 0 ? 2 * p * r / (p + r) : 0.0, ratio(k->fp, k->fp + k->tn));
}

/* Count one scored message (with --errors, list it when it is wrong). */
static void figures_add(figures *f, const example *e, const double prob[NT_MODEL_LABELS],
                        const nt_model *m, int errors)
{
    int groups[2] = {e->source == SRC_HELDOUT ? GRP_HELDOUT : e->source, GRP_ALL};
    int ngroups = e->source == SRC_HELDOUT ? 1 : 2;
    for (int g = 0; g < ngroups; g++) {
        f->count[groups[g]]++;
        for (int l = 0; l < NT_MODEL_LABELS; l++) {
            if (e->y[l] == NT_Y_UNKNOWN)
                continue;
            int pred = prob[l] >= nt_model_threshold(m, (nt_model_label)l);
            confusion *q = &f->k[groups[g]][l];
            if (errors && g == 0 && pred != e->y[l])
                fprintf(stderr, "%s %-8s %.3f %-10s %.*s\n", pred ? "FP" : "FN",
                        nt_model_label_name((nt_model_label)l), prob[l], src_names[e->source],
                        (int)(e->len < 160 ? e->len : 160), e->text);
            if (pred && e->y[l])
                q->tp++;
            else if (pred)
                q->fp++;
            else if (e->y[l])
                q->fn++;
            else
                q->tn++;
        }
    }
}

/* The figures into a JSON object (one member per group) or as tables. */
static void figures_json(const figures *f, int names, json_t *root)
{
    for (int g = 0; g < GRP__COUNT; g++) {
        if (!f->count[g])
            continue;
        json_t *go = json_object();
        json_object_set_new(go, "messages", json_integer((json_int_t)f->count[g]));
        for (int l = 0; l < NT_MODEL_LABELS; l++) {
            const confusion *k = &f->k[g][l];
            if (k->tp + k->fp + k->fn + k->tn)
                json_object_set_new(go, nt_model_label_name(l), confusion_json(k));
        }
        json_object_set_new(root, grp_names[names][g], go);
    }
}

static void figures_print(cli *c, const figures *f, int names)
{
    for (int g = 0; g < GRP__COUNT; g++) {
        if (!f->count[g])
            continue;
        printf("\n%s: %zu %s\n", grp_names[names][g], f->count[g], L(c, "tin nhắn", "messages"));
        printf("  %-9s %6s %6s %6s %6s   %6s %6s %6s %7s\n", "label", "TP", "FP", "FN", "TN",
               "prec", "recall", "F1", "FPR");
        for (int l = 0; l < NT_MODEL_LABELS; l++) {
            const confusion *k = &f->k[g][l];
            if (k->tp + k->fp + k->fn + k->tn)
                confusion_print(nt_model_label_name(l), k);
        }
    }
}

static json_t *thresholds_json(const nt_model *m)
{
    json_t *th = json_object();
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        json_object_set_new(th, nt_model_label_name(l),
                            json_real(nt_model_threshold(m, (nt_model_label)l)));
    return th;
}

/* One line of --scores: source, then per label the known answer (1, 0 or
 * "-" when unknown) and the probability, then the text on one line. */
static void write_scores(FILE *f, const example *e, const double prob[NT_MODEL_LABELS])
{
    fputs(src_names[e->source], f);
    for (int l = 0; l < NT_MODEL_LABELS; l++) {
        if (e->y[l] == NT_Y_UNKNOWN)
            fprintf(f, "\t-\t%.6f", prob[l]);
        else
            fprintf(f, "\t%d\t%.6f", e->y[l], prob[l]);
    }
    fputc('\t', f);
    for (size_t i = 0; i < e->len; i++) {
        char ch = e->text[i];
        fputc(ch == '\t' || ch == '\n' || ch == '\r' ? ' ' : ch, f);
    }
    fputc('\n', f);
}

/* Close a --scores file; 0, or -1 with a message. */
static int close_scores(cli *c, FILE **f, const char *path)
{
    if (!*f)
        return 0;
    int bad = ferror(*f);
    bad |= fclose(*f) != 0;
    *f = NULL;
    if (bad) {
        fprintf(stderr, "niemtin: %s: %s\n", path, L(c, "lỗi ghi", "write error"));
        return -1;
    }
    return 0;
}

static FILE *open_scores(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "niemtin: %s: %s\n", path, strerror(errno));
    return f;
}

/* ---- train ----------------------------------------------------------------- */

int cmd_train(cli *c, int argc, char **argv)
{
    model_opts mo;
    corpus co = {0};
    pipeline p = {0};
    nt_trainer *tr = NULL;
    nt_model *m = NULL;
    size_t *added = NULL; /* added[j]: the corpus index of the j-th example trained on */
    size_t nadded = 0;
    FILE *sf = NULL;
    nt_diag d;
    int status = 1;
    nt_diag_clear(&d);
    if (model_options(c, "train", argc, argv, &mo) != 0)
        return 2;
    if (!mo.out) {
        fprintf(stderr, "niemtin train: --out FILE %s\n", L(c, "là bắt buộc", "is required"));
        return 2;
    }
    mo.train.uses_rules = !mo.no_rules;
    if (load_corpus(&mo, &co) != 0 || pipeline_open(c, &p, !mo.no_rules) != 0)
        goto cleanup;
    nt_err rc = nt_trainer_new(&mo.train, &tr, &d);
    if (rc) {
        cli_error(c, rc, &d, "train");
        goto cleanup;
    }
    if (!(added = malloc((co.n ? co.n : 1) * sizeof *added))) {
        fprintf(stderr, "niemtin: out of memory\n");
        goto cleanup;
    }
    size_t nsplit[3] = {0};
    for (size_t i = 0; i < co.n; i++) {
        example *e = &co.ex[i];
        nt_text *t;
        nt_indicator_list *inds;
        nt_rule_hits *hits;
        unsigned fold = 0;
        if ((rc = analyse(&p, e->text, e->len, &t, &inds, &hits))) {
            fprintf(stderr, "niemtin: %s #%zu: %s\n", src_names[e->source], i, nt_strerror(rc));
            goto cleanup;
        }
        e->split = split_of(e, t, mo.cv, mo.train.folds, &fold);
        nsplit[e->split]++;
        if (e->split != SPLIT_TEST) {
            rc = mo.train.folds ? nt_trainer_add_fold(tr, t, inds, hits, e->y, fold)
                                : nt_trainer_add(tr, t, inds, hits, e->y, e->split == SPLIT_VALID);
            added[nadded++] = i;
        }
        nt_rule_hits_free(hits);
        nt_indicator_list_free(inds);
        nt_text_free(t);
        if (rc) {
            cli_error(c, rc, NULL, "train");
            goto cleanup;
        }
    }
    if (mo.train.folds)
        fprintf(stderr,
                "niemtin: split %zu train + %zu validation (%u folds: thresholds out of fold, "
                "then fitted on all), %zu test\n",
                nsplit[0], nsplit[1], mo.train.folds, nsplit[2]);
    else
        fprintf(stderr, "niemtin: split %zu train, %zu validation, %zu test\n", nsplit[0],
                nsplit[1], nsplit[2]);
    fprintf(stderr, "niemtin: training %u epochs, 2^%u buckets, seed %llu%s\n", mo.train.epochs,
            mo.train.hash_bits, (unsigned long long)mo.train.seed,
            mo.no_rules ? ", no rule features" : "");
    if ((rc = nt_trainer_train(tr, &m, &d)) || (rc = nt_model_save(m, mo.out, &d))) {
        cli_error(c, rc, &d, "train");
        goto cleanup;
    }
    /* the held-out scores the thresholds were chosen on */
    figures f;
    memset(&f, 0, sizeof f);
    if (mo.scores && !(sf = open_scores(mo.scores)))
        goto cleanup;
    for (size_t j = 0; j < nadded; j++) {
        double prob[NT_MODEL_LABELS];
        if (nt_trainer_heldout(tr, j, prob) != NT_OK)
            continue;
        figures_add(&f, &co.ex[added[j]], prob, m, 0);
        if (sf)
            write_scores(sf, &co.ex[added[j]], prob);
    }
    if (close_scores(c, &sf, mo.scores) != 0)
        goto cleanup;
    int names = mo.train.folds ? NAMES_HELDOUT : NAMES_VALID;
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "model", json_string(mo.out));
        json_object_set_new(o, "thresholds", thresholds_json(m));
        json_object_set_new(o, "folds", json_integer((json_int_t)mo.train.folds));
        figures_json(&f, names, o);
        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(o);
    } else {
        printf("%s %s\n", L(c, "Đã ghi mô hình", "Model written to"), mo.out);
        for (int l = 0; l < NT_MODEL_LABELS; l++)
            printf("  %-9s threshold %.4f\n", nt_model_label_name(l),
                   nt_model_threshold(m, (nt_model_label)l));
        printf("\n%s\n", mo.train.folds
                             ? L(c, "Điểm ngoài fold (ngưỡng được chọn trên các điểm này):",
                                 "Out-of-fold scores (the thresholds were chosen on them):")
                             : L(c, "Tập validation (ngưỡng được chọn trên tập này):",
                                 "Validation split (the thresholds were chosen on it):"));
        figures_print(c, &f, names);
    }
    status = 0;
cleanup:
    if (sf)
        fclose(sf);
    free(added);
    nt_model_free(m);
    nt_trainer_free(tr);
    pipeline_free(&p);
    corpus_free(&co);
    return status;
}

/* ---- eval ------------------------------------------------------------------ */

int cmd_eval_model(cli *c, int argc, char **argv)
{
    model_opts mo;
    corpus co = {0};
    pipeline p = {0};
    nt_model *m = NULL;
    nt_diag d;
    json_t *root = NULL;
    FILE *sf = NULL;
    int status = 1;
    figures f;
    memset(&f, 0, sizeof f);
    nt_diag_clear(&d);
    if (model_options(c, "eval", argc, argv, &mo) != 0)
        return 2;
    if (!mo.model) {
        fprintf(stderr, "niemtin eval: --model FILE %s\n", L(c, "là bắt buộc", "is required"));
        return 2;
    }
    nt_err rc = nt_model_load(mo.model, &m, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "không nạp được mô hình", "cannot load the model"));
        goto cleanup;
    }
    if (load_corpus(&mo, &co) != 0)
        goto cleanup;
    int have_heldout = mo.split == SPLIT_TEST && file_exists(mo.heldout);
    if (have_heldout && load_jsonl(&co, mo.heldout, SRC_HELDOUT) != 0)
        goto cleanup;
    if (pipeline_open(c, &p, nt_model_uses_rules(m)) != 0)
        goto cleanup;
    if (mo.scores && !(sf = open_scores(mo.scores)))
        goto cleanup;
    for (size_t i = 0; i < co.n; i++) {
        example *e = &co.ex[i];
        nt_text *t;
        nt_indicator_list *inds;
        nt_rule_hits *hits;
        double prob[NT_MODEL_LABELS];
        if ((rc = analyse(&p, e->text, e->len, &t, &inds, &hits))) {
            fprintf(stderr, "niemtin: %s #%zu: %s\n", src_names[e->source], i, nt_strerror(rc));
            goto cleanup;
        }
        e->split = e->source == SRC_HELDOUT ? mo.split : split_of(e, t, mo.cv, 0, NULL);
        if (e->split == mo.split)
            rc = nt_model_predict(m, t, inds, hits, prob, NULL);
        nt_rule_hits_free(hits);
        nt_indicator_list_free(inds);
        nt_text_free(t);
        if (rc) {
            cli_error(c, rc, NULL, "eval");
            goto cleanup;
        }
        if (e->split != mo.split)
            continue;
        if (sf)
            write_scores(sf, e, prob);
        figures_add(&f, e, prob, m, mo.errors);
    }
    if (close_scores(c, &sf, mo.scores) != 0)
        goto cleanup;
    int names = mo.split == SPLIT_VALID ? NAMES_VALID : NAMES_TEST;
    if (c->json) {
        root = json_object();
        json_object_set_new(root, "model", json_string(mo.model));
        json_object_set_new(root, "thresholds", thresholds_json(m));
        figures_json(&f, names, root);
        json_dumpf(root, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        printf("%s %s (2^%u buckets, seed %llu%s)\n", L(c, "Mô hình", "Model"), mo.model,
               nt_model_hash_bits(m), (unsigned long long)nt_model_seed(m),
               nt_model_uses_rules(m) ? ", rule features" : "");
        figures_print(c, &f, names);
        if (!have_heldout)
            printf("\n%s\n", L(c, "(không có tệp vi-heldout)", "(no vi-heldout file)"));
    }
    status = 0;
cleanup:
    if (sf)
        fclose(sf);
    json_decref(root);
    nt_model_free(m);
    pipeline_free(&p);
    corpus_free(&co);
    return status;
}

/* ---- eval --levels: choose the level thresholds on the validation split --
 *
 * The whole check (rules + model, through the engine) scores every message
 * of the validation split (the same split the model's thresholds come from:
 * never the test split, never the held-out file).  A message is harmful when
 * it is a scam or grooming.  For each cut 1..99 on the 0-100 risk:
 *   dangerous  = the lowest cut whose false-positive rate is at most
 *                LEVEL_DANGEROUS_FPR on the negatives of *each* source
 *                ("dangerous" must be trustworthy when it fires, also on the
 *                few Vietnamese look-alikes, which a pooled rate would drown
 *                in thousands of easy SMS hams);
 *   suspicious = below dangerous, the cut with the best F1 averaged over the
 *                three sources (English SMS, Vietnamese SMS, our Vietnamese
 *                messages: each counts the same, whatever its size) among
 *                those whose pooled false-positive rate is at most
 *                LEVEL_SUSPICIOUS_FPR.
 * The figures per source are printed beside the cuts in force (scoring.h);
 * --sweep prints every cut. */

#define LEVEL_DANGEROUS_FPR 0.005
#define LEVEL_SUSPICIOUS_FPR 0.05

typedef struct level_counts {
    size_t pos[101], neg[101]; /* messages with risk == r, by gold */
    size_t npos, nneg;
} level_counts;

static void level_cut(const level_counts *k, int cut, confusion *q)
{
    memset(q, 0, sizeof *q);
    for (int r = 0; r <= 100; r++) {
        if (r >= cut) {
            q->tp += k->pos[r];
            q->fp += k->neg[r];
        } else {
            q->fn += k->pos[r];
            q->tn += k->neg[r];
        }
    }
}

static double f1_of(const confusion *q)
{
    return q->tp ? 2.0 * (double)q->tp / (double)(2 * q->tp + q->fp + q->fn) : 0.0;
}

int cmd_eval_levels(cli *c, int argc, char **argv)
{
    model_opts mo;
    corpus co = {0};
    nt_engine *eng = NULL;
    nt_check_scratch *sc = NULL;
    int status = 1;
    enum { LG_EN, LG_VI, LG_DEV, LG_ALL, LG__N };
    static const char *const lg_names[LG__N] = {"sms-en", "sms-vi", "vi-dev", "all"};
    level_counts k[LG__N];
    memset(k, 0, sizeof k);
    /* reuse the model options (--data, --dev); drop our own flag first */
    char *args[64];
    int nargs = 0, sweep = 0;
    for (int i = 0; i < argc && nargs < 63; i++) {
        if (strcmp(argv[i], "--sweep") == 0)
            sweep = 1;
        else if (strcmp(argv[i], "--levels") != 0)
            args[nargs++] = argv[i];
    }
    args[nargs] = NULL;
    if (model_options(c, "eval", nargs, args, &mo) != 0)
        return 2;
    c->model_path = mo.model; /* --model: choose with a model fitted on train only */
    if (load_corpus(&mo, &co) != 0 || cli_open_engine(c, &eng, &sc) != 0)
        goto cleanup;
    for (size_t i = 0; i < co.n; i++) {
        example *e = &co.ex[i];
        nt_check_result *r = NULL;
        nt_diag d;
        nt_diag_clear(&d);
        nt_err rc = nt_engine_check(eng, sc, e->text, e->len, &r, &d);
        if (rc) {
            cli_error(c, rc, &d, src_names[e->source]);
            goto cleanup;
        }
        cv_fold nocv = {0, 0};
        unsigned fold;
        e->split = split_of(e, nt_check_text(r), nocv, 0, &fold);
        int risk = nt_check_risk(r);
        nt_check_result_free(r);
        if (e->split != SPLIT_VALID)
            continue;
        int harmful = e->y[NT_LABEL_SCAM] == 1 || e->y[NT_LABEL_GROOMING] == 1;
        int groups[2] = {e->source == SRC_SMS_EN ? LG_EN : e->source == SRC_SMS_VI ? LG_VI : LG_DEV,
                         LG_ALL};
        for (int g = 0; g < 2; g++) {
            if (harmful) {
                k[groups[g]].pos[risk]++;
                k[groups[g]].npos++;
            } else {
                k[groups[g]].neg[risk]++;
                k[groups[g]].nneg++;
            }
        }
    }
    int dangerous = 100, suspicious = 1;
    double best = -1;
    for (int cut = 1; cut <= 100 && dangerous == 100; cut++) {
        int ok = 1;
        for (int g = 0; g < LG_ALL; g++) {
            confusion q;
            level_cut(&k[g], cut, &q);
            ok &= ratio(q.fp, k[g].nneg) <= LEVEL_DANGEROUS_FPR;
        }
        if (ok)
            dangerous = cut;
    }
    for (int cut = 1; cut < dangerous; cut++) {
        confusion q;
        level_cut(&k[LG_ALL], cut, &q);
        if (ratio(q.fp, k[LG_ALL].nneg) > LEVEL_SUSPICIOUS_FPR)
            continue;
        double f = 0;
        for (int g = 0; g < LG_ALL; g++) {
            level_cut(&k[g], cut, &q);
            f += f1_of(&q) / LG_ALL;
        }
        if (f > best) {
            best = f;
            suspicious = cut;
        }
    }
    if (sweep) {
        printf("cut");
        for (int g = 0; g < LG__N; g++)
            printf("  %-6s F1    FP", lg_names[g]);
        putchar('\n');
        for (int cut = 1; cut <= 100; cut++) {
            printf("%3d", cut);
            for (int g = 0; g < LG__N; g++) {
                confusion q;
                level_cut(&k[g], cut, &q);
                printf("  %6s %.3f %4zu", "", f1_of(&q), q.fp);
            }
            putchar('\n');
        }
        putchar('\n');
    }
    const int cuts[4] = {suspicious, dangerous, nt_level_threshold(NT_LEVEL_SUSPICIOUS),
                         nt_level_threshold(NT_LEVEL_DANGEROUS)};
    const char *cut_names[4] = {"chosen_suspicious", "chosen_dangerous", "current_suspicious",
                                "current_dangerous"};
    if (c->json) {
        json_t *root = json_object();
        json_object_set_new(root, "split", json_string("validation"));
        json_object_set_new(root, "suspicious", json_integer(suspicious));
        json_object_set_new(root, "dangerous", json_integer(dangerous));
        json_object_set_new(root, "dangerous_max_fpr", json_real(LEVEL_DANGEROUS_FPR));
        json_object_set_new(root, "suspicious_max_fpr", json_real(LEVEL_SUSPICIOUS_FPR));
        for (int x = 0; x < 4; x++) {
            json_t *o = json_object();
            json_object_set_new(o, "cut", json_integer(cuts[x]));
            for (int g = 0; g < LG__N; g++) {
                confusion q;
                level_cut(&k[g], cuts[x], &q);
                json_object_set_new(o, lg_names[g], confusion_json(&q));
            }
            json_object_set_new(root, cut_names[x], o);
        }
        json_dumpf(root, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(root);
    } else {
        printf("%s: %s %d, %s %d (%s: %d, %d)\n",
               L(c, "Ngưỡng chọn trên tập kiểm định", "Thresholds chosen on the validation split"),
               L(c, "đáng ngờ", "suspicious"), suspicious, L(c, "nguy hiểm", "dangerous"),
               dangerous, L(c, "đang dùng", "in force"), cuts[2], cuts[3]);
        for (int x = 0; x < 4; x++) {
            printf("\n%s (risk >= %d)\n", cut_names[x], cuts[x]);
            printf("  %-9s %6s %6s %6s %6s   %6s %6s %6s %7s\n", "group", "TP", "FP", "FN", "TN",
                   "prec", "recall", "F1", "FPR");
            for (int g = 0; g < LG__N; g++) {
                confusion q;
                level_cut(&k[g], cuts[x], &q);
                confusion_print(lg_names[g], &q);
            }
        }
    }
    status = 0;
cleanup:
    nt_check_scratch_free(sc);
    nt_engine_close(eng);
    corpus_free(&co);
    return status;
}
