/*
 * lib/model/model_int.h - what the feature extractor (features.c), the model
 * file and predictor (model.c) and the trainer (train.c) share.  Not public.
 */
#ifndef NT_MODEL_INT_H
#define NT_MODEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/model.h"

/* Bumped whenever feature extraction changes meaning, so an old model file is
 * refused instead of silently scoring different features. */
#define NT__MODEL_FEATURE_VERSION 2u

/* Model flags (stored in the file). */
#define NT__MODEL_F_RULES 0x1u

struct nt_model {
    unsigned bits;   /* 2^bits buckets */
    uint64_t seed;   /* training seed, for the record */
    unsigned epochs; /* for the record */
    unsigned flags;  /* NT__MODEL_F_* */
    float bias[NT_MODEL_LABELS];
    float threshold[NT_MODEL_LABELS];
    float *w; /* w[bucket * NT_MODEL_LABELS + label] */
};

/* Where a feature's first occurrence is, for explanations. */
typedef enum feat_span {
    FEAT_SPAN_NONE = 0,
    FEAT_SPAN_FOLD = 1, /* [a, b) in NT_FORM_FOLD: map with nt_text_span */
    FEAT_SPAN_ORIG = 2  /* [a, b) already in the original input */
} feat_span;

#define PAD_START 0x1u
#define PAD_END 0x2u

/* One hashed feature of one message.  After nt__features returns, buckets
 * are unique and sorted, values are L2-normalised, and the metadata is that
 * of the first occurrence (in extraction order) of anything hashed there. */
typedef struct nt__feat {
    uint32_t bucket;
    uint32_t seq; /* extraction order, for a stable merge */
    float value;  /* occurrence count until the final pass */
    uint8_t kind; /* nt_feature_kind */
    uint8_t span_kind;
    uint8_t pad;      /* character n-grams: PAD_START / PAD_END included */
    uint32_t a, b;    /* span, see feat_span */
    uint32_t slot;    /* where the index points at this entry */
    const char *name; /* static or owned by the rule set; NULL for fold spans */
} nt__feat;

/* The features of one message.  Occurrences of one bucket are counted in
 * place (an open-addressing index from bucket to entry), so memory grows
 * with the number of distinct buckets - at most 2^bits - not with the
 * length of the message. */
typedef struct nt__featvec {
    nt__feat *f;
    size_t n, cap;
    uint32_t *slot; /* index + 1 into f, 0 = empty; nslot is a power of 2 */
    size_t nslot;
    /* sorting by bucket: keys (bucket << 32 | entry) and a second copy of
     * the entries, swapped with f; both at least n long */
    uint64_t *keys; /* 2 x keys_cap: keys, then the radix sort's buffer */
    size_t keys_cap;
    nt__feat *spare;
    size_t spare_cap;
} nt__featvec;

void nt__featvec_free(nt__featvec *v);

/* Compute the hashed, merged, normalised features of a message into v
 * (reset first; its allocation is reused). */
nt_err nt__features(const nt_text *t, const nt_indicator_list *inds, const nt_rule_hits *hits,
                    unsigned bits, nt__featvec *v);

/* The human-readable name of a feature into buf (NUL-terminated, cut at a
 * UTF-8 boundary). */
void nt__feature_name(const nt__feat *f, const nt_text *t, char *buf, size_t size);

/* Allocate an empty (all-zero) model with 2^bits buckets. */
nt_err nt__model_alloc(unsigned bits, nt_model **out);

#endif
