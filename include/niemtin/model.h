/*
 * niemtin/model.h - the statistical side of message-risk analysis: a linear
 * model over hashed features with one logistic output per label.
 *
 * Rules say *why* a message is dangerous in words a person wrote; the model
 * catches what no rule names yet.  It reads the same already-normalised
 * message the rules read (nt_text, its indicators and, optionally, the rule
 * hits), so the pipeline normalises once.  Features - syllable unigrams and
 * bigrams and character 3-5-grams of the folded form, number shapes, words
 * in capitals, obfuscation flags, indicator types, flags and kinds, rule
 * ids, length and digit-count buckets - are hashed with XXH3 into 2^bits
 * buckets (docs/model.md).  Every probability comes with the features that
 * pushed it up, each with its span in the original text.
 *
 * Labels (multi-label, independent outputs): scam, grooming, fear, lure,
 * control.  A model file stores, per label, a decision threshold chosen at
 * training time on scores of messages the model had not learnt from.
 *
 * Ownership: nt_model_load / nt_model_load_buffer / nt_trainer_train allocate
 * an nt_model the caller frees with nt_model_free.  A loaded model is
 * immutable: any number of threads may call nt_model_predict on it at once.
 * nt_trainer_new allocates a trainer freed with nt_trainer_free; a trainer is
 * not thread-safe.  Label names are static strings.  An nt_model_explain is
 * plain data owned by the caller.
 */
#ifndef NIEMTIN_MODEL_H
#define NIEMTIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/detect.h"
#include "niemtin/error.h"
#include "niemtin/indicator.h"
#include "niemtin/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Labels ------------------------------------------------------------- */

typedef enum nt_model_label {
    NT_LABEL_SCAM = 0,
    NT_LABEL_GROOMING = 1,
    NT_LABEL_FEAR = 2,
    NT_LABEL_LURE = 3,
    NT_LABEL_CONTROL = 4
} nt_model_label;
#define NT_MODEL_LABELS 5

/* "scam", "grooming", "fear", "lure", "control"; "unknown" otherwise. Static. */
const char *nt_model_label_name(nt_model_label label);
/* Parse a label name; NT_ERR_NOT_FOUND if unknown. */
nt_err nt_model_label_parse(const char *name, nt_model_label *out);

/* ---- Limits -------------------------------------------------------------- */

#define NT_MODEL_MIN_BITS 8u  /* fewest hash bits a model may have */
#define NT_MODEL_MAX_BITS 24u /* most (2^24 x 5 float32 = 320 MiB) */
#define NT_MODEL_DEFAULT_BITS 18u
#define NT_MODEL_MAX_FILE_BYTES ((size_t)400 * 1024 * 1024)

/* ---- Loading and saving ----------------------------------------------- */

typedef struct nt_model nt_model;

/* Load a model file.  Everything is checked before anything is trusted:
 * magic, format version, feature-set version, header and payload sizes
 * against the file size, the XXH3 checksum of the payload, label count and
 * names, hash bits, finite weights and thresholds in (0,1).  Any problem is
 * NT_ERR_PARSE (NT_ERR_IO if unreadable) with diag naming the file, the byte
 * offset and what is wrong. */
nt_err nt_model_load(const char *path, nt_model **out, nt_diag *diag);

/* Same from memory; `source` names the buffer in diagnostics (may be NULL).
 * The buffer is copied; the caller keeps it. */
nt_err nt_model_load_buffer(const void *data, size_t len, const char *source, nt_model **out,
                            nt_diag *diag);

/* Write the model atomically: to "PATH.tmp.<pid>", flushed and fsync'd, then
 * renamed over PATH, so a reader sees the old file or the new one, never half
 * of one.  NT_ERR_IO with the file and errno text on failure. */
nt_err nt_model_save(const nt_model *m, const char *path, nt_diag *diag);

void nt_model_free(nt_model *m);

/* What the file records. */
unsigned nt_model_hash_bits(const nt_model *m);
uint64_t nt_model_seed(const nt_model *m);
unsigned nt_model_epochs(const nt_model *m);
/* Non-zero if the model was trained with rule-hit features (then predict
 * should be given the rule hits to see messages as it was trained). */
int nt_model_uses_rules(const nt_model *m);
/* Decision threshold of a label (probability >= threshold means positive). */
double nt_model_threshold(const nt_model *m, nt_model_label label);

/* ---- Prediction -------------------------------------------------------- */

typedef enum nt_feature_kind {
    NT_FEAT_WORD = 1,  /* a syllable (unigram) of the folded form */
    NT_FEAT_BIGRAM,    /* two consecutive syllables */
    NT_FEAT_CHARGRAM,  /* 3-5 bytes inside one word */
    NT_FEAT_TOKFLAG,   /* count of tokens with an NT_TOKF_* flag; words in capitals */
    NT_FEAT_INDICATOR, /* an indicator type is present; a phone's kind, a link's suffix */
    NT_FEAT_INDFLAG,   /* an NT_INDF_* flag on some indicator */
    NT_FEAT_RULE,      /* a rule fired */
    NT_FEAT_LENGTH     /* message length bucket; digit-count bucket */
} nt_feature_kind;

/* "word", "bigram", "chargram", "tokflag", "indicator", "indflag", "rule",
 * "length". Static. */
const char *nt_feature_kind_name(nt_feature_kind kind);

#define NT_MODEL_EXPLAIN_MAX 8
#define NT_MODEL_FEATURE_NAME_MAX 64

/* One feature's share of a label's score. */
typedef struct nt_model_contrib {
    nt_feature_kind kind;
    char name[NT_MODEL_FEATURE_NAME_MAX]; /* "chuyen khoan", "url", "fear.arrest",
                                             "lookalike", "16-31 tokens"; character
                                             n-grams with ^ / $ at a word's start /
                                             end ("^chu"); cut at a UTF-8 boundary */
    double value;                         /* the feature's value after L2 normalisation */
    double weight;                        /* the model's weight for it */
    double contribution;                  /* value * weight (> 0: pushes towards the label) */
    int has_span;                         /* 1 if start/end are meaningful */
    size_t start, end;                    /* first occurrence, span in the original input */
} nt_model_contrib;

/* For each label, the features that pushed its score up most, largest
 * contribution first (only positive contributions are listed). */
typedef struct nt_model_explain {
    double bias[NT_MODEL_LABELS];
    size_t count[NT_MODEL_LABELS];
    nt_model_contrib top[NT_MODEL_LABELS][NT_MODEL_EXPLAIN_MAX];
} nt_model_explain;

/* Score one message: probs[l] in [0,1] for every label (compare with
 * nt_model_threshold for a yes/no).  Allocates working memory bounded by the
 * number of distinct hash buckets the message touches (at most 2^bits
 * entries), freed before returning.  t is the normalised
 * message, inds the indicators extracted from the same original text (may be
 * NULL), hits the rule hits (may be NULL).  explain may be NULL.  Thread-safe
 * on a shared model.  NT_ERR_INVALID_ARG for NULL m/t/probs, NT_ERR_NOMEM. */
nt_err nt_model_predict(const nt_model *m, const nt_text *t, const nt_indicator_list *inds,
                        const nt_rule_hits *hits, double probs[NT_MODEL_LABELS],
                        nt_model_explain *explain);

/* ---- Training ---------------------------------------------------------- */

typedef struct nt_train_options {
    unsigned hash_bits;   /* NT_MODEL_MIN_BITS..NT_MODEL_MAX_BITS, default 18 */
    uint64_t seed;        /* shuffling seed; same data + seed = same bytes */
    unsigned epochs;      /* passes over the training set, default 25 */
    double learning_rate; /* AdaGrad step, default 0.05 */
    double l2;            /* L2 penalty per update, default 1e-6 */
    double max_fpr;       /* threshold choice: most false-positive rate allowed
                             on held-out negatives, default 0.005 */
    double class_weight;  /* per label, the rarer class weighs (majority /
                             minority)^class_weight, at most 20; 0..1, default 0
                             (every example alike) */
    unsigned folds;       /* 0 (default): classic - fit on the training examples,
                             thresholds on the validation examples
                             (nt_trainer_add).  2..NT_MODEL_MAX_FOLDS:
                             cross-validated - every example has a fold
                             (nt_trainer_add_fold); thresholds are chosen on
                             out-of-fold scores, then the model is fitted on
                             every example and keeps them */
    int uses_rules;       /* recorded in the file: rule hits were given */
} nt_train_options;

#define NT_MODEL_MAX_FOLDS 100u

void nt_train_options_init(nt_train_options *opts);

typedef struct nt_trainer nt_trainer;

/* opts is copied.  NT_ERR_INVALID_ARG (diag says which) for bad options. */
nt_err nt_trainer_new(const nt_train_options *opts, nt_trainer **out, nt_diag *diag);
void nt_trainer_free(nt_trainer *tr);

/* Label values for nt_trainer_add. */
#define NT_Y_UNKNOWN (-1) /* no information: this output does not learn from it */
#define NT_Y_NO 0
#define NT_Y_YES 1

/* Add one example (classic mode, folds = 0): its features are computed now
 * (the message objects may be freed afterwards).  y[l] is NT_Y_YES, NT_Y_NO
 * or NT_Y_UNKNOWN.  Validation examples (validation != 0) are not trained
 * on; they choose thresholds.  NT_ERR_INVALID_ARG in cross-validated mode. */
nt_err nt_trainer_add(nt_trainer *tr, const nt_text *t, const nt_indicator_list *inds,
                      const nt_rule_hits *hits, const signed char y[NT_MODEL_LABELS],
                      int validation);

/* Add one example in cross-validated mode (folds >= 2): fold < folds says
 * which model leaves it out (keep near-duplicates in one fold).
 * NT_ERR_INVALID_ARG in classic mode or for a fold out of range. */
nt_err nt_trainer_add_fold(nt_trainer *tr, const nt_text *t, const nt_indicator_list *inds,
                           const nt_rule_hits *hits, const signed char y[NT_MODEL_LABELS],
                           unsigned fold);

/* Classic mode: the number of training (validation == 0) or validation
 * examples.  Cross-validated mode: every example is both; the total. */
size_t nt_trainer_count(const nt_trainer *tr, int validation);

/* Train (logistic regression, AdaGrad with L2, optionally class-weighted,
 * examples shuffled every epoch by a seeded PRNG) and choose each label's
 * threshold on held-out scores - of the validation examples (classic), or
 * out-of-fold (cross-validated): the highest F1 whose false-positive rate is
 * at most max_fpr (0.5 when no held-out example is positive).
 * Deterministic.  NT_ERR_EMPTY if there is no training example. */
nt_err nt_trainer_train(nt_trainer *tr, nt_model **out, nt_diag *diag);

/* After nt_trainer_train: the held-out probabilities the thresholds were
 * chosen on, for the i-th example added - out-of-fold in cross-validated
 * mode, validation examples only in classic mode (NT_ERR_NOT_FOUND for a
 * training example or before training). */
nt_err nt_trainer_heldout(const nt_trainer *tr, size_t i, double probs[NT_MODEL_LABELS]);

#ifdef __cplusplus
}
#endif
#endif
