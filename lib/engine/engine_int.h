/*
 * lib/engine/engine_int.h - the engine's and a result's insides, shared by
 * engine.c and conversation.c only.
 */
#ifndef NT_ENGINE_INT_H
#define NT_ENGINE_INT_H

#include "niemtin/engine.h"

struct nt_engine {
    nt_taxonomy *tax;
    nt_lexicon *lex;
    nt_banks *banks;
    nt_extractor *ex;
    nt_ruleset *rules;
    nt_model *model; /* NULL: rules only */
    size_t max_bytes;
};

struct nt_check_scratch {
    const nt_engine *eng;
    nt_rule_scratch *rules;
};

typedef struct score_entry {
    const char *id;
    double keep; /* prod(1 - w/100) over the rules naming id */
} score_entry;

struct nt_check_result {
    nt_text *text;
    nt_indicator_list *inds;
    nt_rule_hits *hits;
    int risk;
    nt_level level;
    score_entry *scores;
    size_t nscores;
    int has_model;
    int empty;             /* no words at all */
    double model_evidence; /* the model's noisy-OR weight (0 without a model) */
    double probs[NT_MODEL_LABELS];
    nt_model_explain explain;
};

#endif
