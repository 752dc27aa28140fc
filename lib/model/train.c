/*
 * lib/model/train.c - training the linear model: one logistic regression per
 * label over the shared hashed features, fitted by AdaGrad with L2.
 *
 * The one idea is determinism: a model file is a function of (examples in the
 * order added, options).  The only randomness is the per-epoch shuffle, drawn
 * from a splitmix64 generator seeded by the caller; features are merged in a
 * total order; threshold search breaks ties by example index.  Training twice
 * gives byte-identical files (tests/test_model.c checks this).
 *
 * Labels may be unknown per example (NT_Y_UNKNOWN): an English spam SMS is a
 * scam, but nobody marked whether it uses fear or lure, so those outputs do
 * not learn from it.  Classes can be weighted per label: the rarer class of
 * a label gets weight (majority / minority)^class_weight, capped at 20 (0,
 * the default, weighs every example alike).  L2 is applied lazily, to the
 * weights an example touches.
 *
 * Thresholds are chosen on scores of examples the model did not learn from,
 * in one of two ways:
 *   - classic (folds = 0): examples are training or validation examples; fit
 *     on the first, choose thresholds on the second;
 *   - cross-validated (folds = k >= 2): every example carries a fold number;
 *     k models are fitted, each without one fold, and score that fold, so
 *     every example gets an out-of-fold score; thresholds are chosen on all
 *     of them at once; then the model is fitted once more on every example,
 *     with the same options, and keeps those thresholds.  The final model
 *     learns from all the data, and its thresholds come from k times more
 *     held-out scores than one validation split gives (docs/model.md says
 *     why carrying them over is sound).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "model/model_int.h"

/* In classic mode fold[i] is 0 for a training example, 1 for validation. */
#define CLASSIC_VALID 1u
#define FIT_ALL UINT32_MAX /* fit: exclude no fold */

struct nt_trainer {
    nt_train_options o;
    nt__featvec scratch;
    /* examples in CSR form */
    size_t n, cap;
    size_t *off; /* off[i]..off[i+1] in idx/val; n+1 entries */
    signed char (*y)[NT_MODEL_LABELS];
    uint32_t *fold;
    uint32_t *idx;
    float *val;
    size_t nnz, capnz;
    /* after training: the probabilities thresholds were chosen on, n x labels
     * (NAN where the example was not scored) */
    double *held;
};

void nt_train_options_init(nt_train_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->hash_bits = NT_MODEL_DEFAULT_BITS;
    o->seed = 1;
    o->epochs = 25;
    o->learning_rate = 0.05;
    o->l2 = 1e-6;
    o->max_fpr = 0.005;
    o->class_weight = 0;
    o->folds = 0;
}

nt_err nt_trainer_new(const nt_train_options *opts, nt_trainer **out, nt_diag *diag)
{
    nt_train_options o;
    if (!out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no output");
    if (opts)
        o = *opts;
    else
        nt_train_options_init(&o);
    if (o.hash_bits < NT_MODEL_MIN_BITS || o.hash_bits > NT_MODEL_MAX_BITS)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "hash bits %u outside %u..%u", o.hash_bits,
                        NT_MODEL_MIN_BITS, NT_MODEL_MAX_BITS);
    if (o.epochs < 1 || o.epochs > 1000)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "epochs %u outside 1..1000", o.epochs);
    if (!(o.learning_rate > 0 && o.learning_rate <= 10))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "learning rate outside (0,10]");
    if (!(o.l2 >= 0 && o.l2 < 1))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "L2 penalty outside [0,1)");
    if (!(o.max_fpr >= 0 && o.max_fpr <= 1))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "max false-positive rate outside [0,1]");
    if (!(o.class_weight >= 0 && o.class_weight <= 1))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "class weight power outside [0,1]");
    if (o.folds == 1 || o.folds > NT_MODEL_MAX_FOLDS)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "folds %u: 0, or 2..%u", o.folds,
                        NT_MODEL_MAX_FOLDS);
    nt_trainer *tr = calloc(1, sizeof *tr);
    if (!tr)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    tr->o = o;
    tr->off = calloc(1, sizeof *tr->off);
    if (!tr->off) {
        free(tr);
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    }
    *out = tr;
    return NT_OK;
}

void nt_trainer_free(nt_trainer *tr)
{
    if (!tr)
        return;
    nt__featvec_free(&tr->scratch);
    free(tr->off);
    free(tr->y);
    free(tr->fold);
    free(tr->idx);
    free(tr->val);
    free(tr->held);
    free(tr);
}

size_t nt_trainer_count(const nt_trainer *tr, int validation)
{
    size_t k = 0;
    if (!tr)
        return 0;
    if (tr->o.folds) /* every example is both */
        return tr->n;
    for (size_t i = 0; i < tr->n; i++)
        k += (tr->fold[i] == CLASSIC_VALID) == (validation != 0);
    return k;
}

static nt_err grow_examples(nt_trainer *tr)
{
    size_t ncap = tr->cap ? tr->cap * 2 : 1024;
    size_t *off = realloc(tr->off, (ncap + 1) * sizeof *off);
    if (!off)
        return NT_ERR_NOMEM;
    tr->off = off;
    signed char(*y)[NT_MODEL_LABELS] = realloc(tr->y, ncap * sizeof *y);
    if (!y)
        return NT_ERR_NOMEM;
    tr->y = y;
    uint32_t *f = realloc(tr->fold, ncap * sizeof *f);
    if (!f)
        return NT_ERR_NOMEM;
    tr->fold = f;
    tr->cap = ncap;
    return NT_OK;
}

static nt_err grow_nnz(nt_trainer *tr, size_t need)
{
    if (tr->capnz - tr->nnz >= need)
        return NT_OK;
    size_t ncap = tr->capnz ? tr->capnz : 65536;
    while (ncap - tr->nnz < need)
        ncap *= 2;
    uint32_t *idx = realloc(tr->idx, ncap * sizeof *idx);
    if (!idx)
        return NT_ERR_NOMEM;
    tr->idx = idx;
    float *val = realloc(tr->val, ncap * sizeof *val);
    if (!val)
        return NT_ERR_NOMEM;
    tr->val = val;
    tr->capnz = ncap;
    return NT_OK;
}

static nt_err add(nt_trainer *tr, const nt_text *t, const nt_indicator_list *inds,
                  const nt_rule_hits *hits, const signed char y[NT_MODEL_LABELS], uint32_t fold)
{
    if (!tr || !t || !y)
        return NT_ERR_INVALID_ARG;
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        if (y[l] != NT_Y_UNKNOWN && y[l] != NT_Y_NO && y[l] != NT_Y_YES)
            return NT_ERR_INVALID_ARG;
    nt_err rc = nt__features(t, inds, hits, tr->o.hash_bits, &tr->scratch);
    if (rc)
        return rc;
    if (tr->n == tr->cap && (rc = grow_examples(tr)))
        return rc;
    if ((rc = grow_nnz(tr, tr->scratch.n)))
        return rc;
    for (size_t i = 0; i < tr->scratch.n; i++) {
        tr->idx[tr->nnz + i] = tr->scratch.f[i].bucket;
        tr->val[tr->nnz + i] = tr->scratch.f[i].value;
    }
    tr->nnz += tr->scratch.n;
    memcpy(tr->y[tr->n], y, NT_MODEL_LABELS);
    tr->fold[tr->n] = fold;
    tr->n++;
    tr->off[tr->n] = tr->nnz;
    return NT_OK;
}

nt_err nt_trainer_add(nt_trainer *tr, const nt_text *t, const nt_indicator_list *inds,
                      const nt_rule_hits *hits, const signed char y[NT_MODEL_LABELS],
                      int validation)
{
    if (!tr || tr->o.folds)
        return NT_ERR_INVALID_ARG;
    return add(tr, t, inds, hits, y, validation ? CLASSIC_VALID : 0);
}

nt_err nt_trainer_add_fold(nt_trainer *tr, const nt_text *t, const nt_indicator_list *inds,
                           const nt_rule_hits *hits, const signed char y[NT_MODEL_LABELS],
                           unsigned fold)
{
    if (!tr || !tr->o.folds || fold >= tr->o.folds)
        return NT_ERR_INVALID_ARG;
    return add(tr, t, inds, hits, y, fold);
}

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast, good enough to shuffle. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias. */
static size_t below(uint64_t *s, size_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do
        r = splitmix64(s);
    while (r >= limit);
    return (size_t)(r % n);
}

static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

static double score(const nt_trainer *tr, const float *w, const double *bias, size_t i, int l)
{
    double z = bias[l];
    for (size_t k = tr->off[i]; k < tr->off[i + 1]; k++)
        z += (double)tr->val[k] * w[(size_t)tr->idx[k] * NT_MODEL_LABELS + (size_t)l];
    return z;
}

typedef struct scored {
    double p;
    size_t i;
    int y;
} scored;

static int cmp_scored(const void *pa, const void *pb)
{
    const scored *a = pa, *b = pb;
    if (a->p != b->p)
        return a->p > b->p ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* The threshold with the best F1 among those whose false-positive rate on
 * the validation negatives is at most max_fpr. */
static float choose_threshold(scored *s, size_t n, double max_fpr)
{
    size_t pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].y)
            pos++;
        else
            neg++;
    }
    if (pos == 0 || neg == 0)
        return 0.5f;
    qsort(s, n, sizeof *s, cmp_scored);
    double best_f1 = -1, best_t = 0.5;
    size_t tp = 0, fp = 0;
    double top_neg = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i].y)
            tp++;
        else {
            fp++;
            if (top_neg < 0)
                top_neg = s[i].p;
        }
        if (i + 1 < n && s[i + 1].p == s[i].p)
            continue; /* cut only between distinct scores */
        if ((double)fp > max_fpr * (double)neg || tp == 0)
            continue;
        double f1 = 2.0 * (double)tp / (double)(2 * tp + fp + (pos - tp));
        if (f1 > best_f1) {
            best_f1 = f1;
            best_t = i + 1 < n ? (s[i].p + s[i + 1].p) / 2 : s[i].p * 0.999;
        }
    }
    if (best_f1 < 0) /* nothing allowed: stay just above every negative */
        best_t = top_neg + (1 - top_neg) / 2;
    if (best_t < 0.001)
        best_t = 0.001;
    if (best_t > 0.999)
        best_t = 0.999;
    return (float)best_t;
}

/* Working memory of one fit, reused across fits. */
typedef struct fit_state {
    float *g2;     /* AdaGrad sums of squared gradients, one per weight */
    size_t *order; /* the examples fitted on, shuffled every epoch */
} fit_state;

/* Fit weights w (2^bits x labels, zeroed here) and biases on every example
 * whose fold is not `exclude`, examples shuffled by a generator seeded with
 * `seed`.  The biases come back rounded to float, as a model stores them. */
static void fit(const nt_trainer *tr, fit_state *st, uint32_t exclude, uint64_t seed, float *w,
                double bias[NT_MODEL_LABELS])
{
    size_t nw = ((size_t)1 << tr->o.hash_bits) * NT_MODEL_LABELS;
    memset(w, 0, nw * sizeof *w);
    memset(st->g2, 0, nw * sizeof *st->g2);
    size_t nfit = 0;
    for (size_t i = 0; i < tr->n; i++)
        if (tr->fold[i] != exclude)
            st->order[nfit++] = i;

    /* class weights per label, from the examples fitted on */
    double cw[NT_MODEL_LABELS][2];
    for (int l = 0; l < NT_MODEL_LABELS; l++) {
        size_t c[2] = {0, 0};
        for (size_t k = 0; k < nfit; k++)
            if (tr->y[st->order[k]][l] != NT_Y_UNKNOWN)
                c[tr->y[st->order[k]][l]]++;
        cw[l][0] = cw[l][1] = 1.0;
        if (c[0] && c[1] && tr->o.class_weight > 0) {
            int minority = c[1] < c[0];
            double r = pow((double)c[!minority] / (double)c[minority], tr->o.class_weight);
            cw[l][minority] = r < 20 ? r : 20;
        }
    }

    double gb[NT_MODEL_LABELS] = {0};
    const double lr = tr->o.learning_rate, l2 = tr->o.l2, eps = 1e-8;
    uint64_t rng = seed;
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        bias[l] = 0;
    for (unsigned ep = 0; ep < tr->o.epochs && nfit > 0; ep++) {
        for (size_t i = nfit - 1; i > 0; i--) { /* Fisher-Yates */
            size_t j = below(&rng, i + 1);
            size_t tmp = st->order[i];
            st->order[i] = st->order[j];
            st->order[j] = tmp;
        }
        for (size_t oi = 0; oi < nfit; oi++) {
            size_t ex = st->order[oi];
            for (int l = 0; l < NT_MODEL_LABELS; l++) {
                int y = tr->y[ex][l];
                if (y == NT_Y_UNKNOWN)
                    continue;
                double g = (sigmoid(score(tr, w, bias, ex, l)) - y) * cw[l][y];
                gb[l] += g * g;
                bias[l] -= lr * g / (sqrt(gb[l]) + eps);
                for (size_t q = tr->off[ex]; q < tr->off[ex + 1]; q++) {
                    size_t wi = (size_t)tr->idx[q] * NT_MODEL_LABELS + (size_t)l;
                    double gi = g * tr->val[q] + l2 * w[wi];
                    st->g2[wi] += (float)(gi * gi);
                    w[wi] -= (float)(lr * gi / (sqrt((double)st->g2[wi]) + eps));
                }
            }
        }
    }
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        bias[l] = (float)bias[l]; /* score held-out examples exactly as a saved model would */
}

/* Score the examples of fold `only` into tr->held. */
static void score_fold(nt_trainer *tr, uint32_t only, const float *w,
                       const double bias[NT_MODEL_LABELS])
{
    for (size_t i = 0; i < tr->n; i++)
        if (tr->fold[i] == only)
            for (int l = 0; l < NT_MODEL_LABELS; l++)
                tr->held[i * NT_MODEL_LABELS + (size_t)l] = sigmoid(score(tr, w, bias, i, l));
}

/* The seed of fold k's fit: a different shuffle from the final fit's. */
static uint64_t fold_seed(uint64_t seed, unsigned k)
{
    uint64_t s = seed ^ (0xd1b54a32d192ed03ull * (k + 1));
    return splitmix64(&s);
}

nt_err nt_trainer_train(nt_trainer *tr, nt_model **out, nt_diag *diag)
{
    nt_err rc = NT_OK;
    nt_model *m = NULL;
    fit_state st = {0};
    float *wf = NULL;
    scored *sc = NULL;
    if (!tr || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no trainer or no output");
    const unsigned folds = tr->o.folds;
    if (nt_trainer_count(tr, 0) == 0)
        return nt__fail(diag, NT_ERR_EMPTY, 0, "no training example");
    if ((rc = nt__model_alloc(tr->o.hash_bits, &m)))
        return nt__fail(diag, rc, 0, "out of memory for 2^%u buckets", tr->o.hash_bits);
    m->seed = tr->o.seed;
    m->epochs = tr->o.epochs;
    m->flags = tr->o.uses_rules ? NT__MODEL_F_RULES : 0;
    size_t nw = ((size_t)1 << tr->o.hash_bits) * NT_MODEL_LABELS;
    free(tr->held);
    tr->held = malloc(tr->n * NT_MODEL_LABELS * sizeof *tr->held);
    st.g2 = malloc(nw * sizeof *st.g2);
    st.order = malloc(tr->n * sizeof *st.order);
    sc = malloc(tr->n * sizeof *sc);
    if (folds)
        wf = malloc(nw * sizeof *wf);
    if (!tr->held || !st.g2 || !st.order || !sc || (folds && !wf)) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory for training state");
        goto cleanup;
    }
    for (size_t i = 0; i < tr->n * NT_MODEL_LABELS; i++)
        tr->held[i] = NAN;

    double bias[NT_MODEL_LABELS];
    if (folds) {
        for (unsigned k = 0; k < folds; k++) {
            fit(tr, &st, k, fold_seed(tr->o.seed, k), wf, bias);
            score_fold(tr, k, wf, bias);
        }
        fit(tr, &st, FIT_ALL, tr->o.seed, m->w, bias);
    } else {
        fit(tr, &st, CLASSIC_VALID, tr->o.seed, m->w, bias);
        score_fold(tr, CLASSIC_VALID, m->w, bias);
    }
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        m->bias[l] = (float)bias[l];

    /* thresholds on the held-out scores */
    for (int l = 0; l < NT_MODEL_LABELS; l++) {
        size_t ns = 0;
        for (size_t i = 0; i < tr->n; i++) {
            double p = tr->held[i * NT_MODEL_LABELS + (size_t)l];
            if (isnan(p) || tr->y[i][l] == NT_Y_UNKNOWN)
                continue;
            sc[ns].p = p;
            sc[ns].i = i;
            sc[ns].y = tr->y[i][l];
            ns++;
        }
        m->threshold[l] = choose_threshold(sc, ns, tr->o.max_fpr);
    }
    *out = m;
    m = NULL;
cleanup:
    nt_model_free(m);
    free(st.g2);
    free(st.order);
    free(wf);
    free(sc);
    return rc;
}

nt_err nt_trainer_heldout(const nt_trainer *tr, size_t i, double probs[NT_MODEL_LABELS])
{
    if (!tr || !probs || i >= tr->n)
        return NT_ERR_INVALID_ARG;
    if (!tr->held || isnan(tr->held[i * NT_MODEL_LABELS]))
        return NT_ERR_NOT_FOUND;
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        probs[l] = tr->held[i * NT_MODEL_LABELS + (size_t)l];
    return NT_OK;
}
