/*
 * lib/engine/engine_int.h - the engine's and a result's insides, shared by
 * engine.c and conversation.c only.
 */
#ifndef NT_ENGINE_INT_H
#define NT_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "niemtin/engine.h"

/* What a reload replaces: the rules and the model, as one reference-counted
 * generation.  The engine holds one reference to the generation in force;
 * every result, conversation and scratch that uses a generation holds its
 * own, so a reload never frees rules that a result still points into. */
typedef struct nt__gen {
    nt_ruleset *rules;
    nt_model *model; /* NULL: rules only */
    unsigned long serial; /* 1 for the rules loaded at open, +1 per reload */
    atomic_ulong refs;
} nt__gen;

struct nt_engine {
    nt_taxonomy *tax;
    nt_lexicon *lex;
    nt_banks *banks;
    nt_extractor *ex;
    size_t max_bytes;
    /* reload state */
    pthread_mutex_t lock; /* guards gen (the pointer, not the generation) */
    nt__gen *gen;         /* in force */
    char *rules_dir;
    char *model_path; /* NULL: no model */
    char *cache_dir;  /* NULL: no cache */
    const nt_registry *registry; /* borrowed; NULL: no lookups */
};

struct nt_check_scratch {
    const nt_engine *eng;
    nt__gen *gen;           /* the generation `rules` was allocated for */
    nt_rule_scratch *rules;
};

/* Take a reference to the generation in force / drop one. */
nt__gen *nt__gen_acquire(const nt_engine *eng);
void nt__gen_release(nt__gen *g);

/* Check one message against generation g (which the caller holds). */
nt_err nt__check_gen(const nt_engine *eng, nt__gen *g, nt_check_scratch *sc, const char *text,
                     size_t len, nt_check_result **out, nt_diag *diag);

typedef struct score_entry {
    const char *id;
    double keep; /* prod(1 - w/100) over the rules naming id */
} score_entry;

struct nt_check_result {
    nt__gen *gen; /* the rules and model this result was scored with */
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
    nt_reg_match *reg;    /* per indicator: reg[i].id == 0 when not listed */
    double registry_keep; /* prod(1 - w) over the listed indicators */
};

#endif
