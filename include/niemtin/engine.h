/*
 * niemtin/engine.h - the whole message check in one call: normalise, extract
 * indicators, match the rules, score, and explain.
 *
 * An nt_engine holds everything loaded from a data directory (taxonomy,
 * teencode, banks, indicator context, rules, model).  Threads share one
 * engine, each with its own nt_check_scratch.  The rules and the model can be
 * reloaded while it serves (nt_engine_reload): a reload that fails changes
 * nothing, one that succeeds applies to every check that starts after it,
 * and results, conversations and scratches keep the rules they began with
 * alive for as long as they need them.  Everything else is fixed at open.
 *
 * Ownership: nt_engine_open / nt_check_scratch_new / nt_engine_check allocate
 * objects freed with nt_engine_close / nt_check_scratch_free /
 * nt_check_result_free.  Strings and sub-objects a result hands out live as
 * long as the result (texts from the taxonomy: as long as the engine).
 */
#ifndef NIEMTIN_ENGINE_H
#define NIEMTIN_ENGINE_H

#include <stddef.h>

#include "niemtin/detect.h"
#include "niemtin/error.h"
#include "niemtin/indicator.h"
#include "niemtin/model.h"
#include "niemtin/registry.h"
#include "niemtin/text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nt_engine_config {
    const char *data_dir;        /* required: data/ with taxonomy.json, teencode.tsv, ... */
    const char *rules_dir;       /* NULL: <data_dir>/rules */
    const char *model_path;      /* NULL: <data_dir>/models/niemtin.model if it exists
                                    (no model otherwise); "" for none */
    size_t max_bytes;            /* 0: NT_DEFAULT_MAX_MESSAGE_BYTES */
    const unsigned char *id_key; /* 32-byte key for citizen-ID hashing, or NULL */
    const char *cache_dir;       /* where compiled rules are cached (an existing
                                    directory), or NULL for no cache */
    const nt_registry *registry; /* the early-warning registry to look every
                                    extracted indicator up in, or NULL; borrowed:
                                    it must outlive the engine */
} nt_engine_config;

typedef struct nt_engine nt_engine;

/* Load everything; any malformed file is an error naming file:line:col. */
nt_err nt_engine_open(const nt_engine_config *cfg, nt_engine **out, nt_diag *diag);
void nt_engine_close(nt_engine *eng);

/* Load the rules directory and the model file again (the same paths as at
 * open) and put them in force for every check that starts afterwards.  On
 * any error - a rule file that does not parse (diag names file:line:col), a
 * corrupt model - nothing changes and the previous rules and model stay in
 * force.  Safe to call while other threads check messages. */
nt_err nt_engine_reload(nt_engine *eng, nt_diag *diag);

/* 1 for the rules loaded at open, plus one per successful reload. */
unsigned long nt_engine_generation(const nt_engine *eng);

const nt_taxonomy *nt_engine_taxonomy(const nt_engine *eng);
/* The rules in force now.  With reloads happening on another thread, use
 * nt_check_result_rules / nt_conversation_rules instead: this pointer is
 * only valid until the next reload. */
const nt_ruleset *nt_engine_rules(const nt_engine *eng);

typedef struct nt_check_scratch nt_check_scratch;
nt_err nt_check_scratch_new(const nt_engine *eng, nt_check_scratch **out);
void nt_check_scratch_free(nt_check_scratch *sc);

typedef enum nt_level { NT_LEVEL_SAFE = 0, NT_LEVEL_SUSPICIOUS, NT_LEVEL_DANGEROUS } nt_level;

/* "safe", "suspicious", "dangerous". Static. */
const char *nt_level_name(nt_level level);
/* The lowest risk (0-100) at which a message has this level (docs/scoring.md
 * says how the thresholds were chosen). */
int nt_level_threshold(nt_level level);

typedef struct nt_check_result nt_check_result;

/* Check one message.  Empty input is valid (safe).  Errors: NT_ERR_TOO_BIG,
 * NT_ERR_NOMEM. */
nt_err nt_engine_check(const nt_engine *eng, nt_check_scratch *sc, const char *text,
                       size_t len, nt_check_result **out, nt_diag *diag);
void nt_check_result_free(nt_check_result *r);

int nt_check_risk(const nt_check_result *r); /* 0-100 */
nt_level nt_check_level(const nt_check_result *r);

/* Score 0-100 of one tactic ("fear", "lure", "control") or category id. */
int nt_check_score(const nt_check_result *r, const char *id);

const nt_rule_hits *nt_check_rule_hits(const nt_check_result *r);
/* The rule set the result was matched against (for nt_ruleset_info on its
 * hits); lives as long as the result, whatever reloads happen meanwhile. */
const nt_ruleset *nt_check_result_rules(const nt_check_result *r);
const nt_indicator_list *nt_check_indicators(const nt_check_result *r);
const nt_text *nt_check_text(const nt_check_result *r);

/* The registry's answer for the i-th indicator of nt_check_indicators: 1 and
 * *out filled (the most severe listing; its strings live as long as the
 * registry) when it is listed, 0 when it is not or the engine has no
 * registry.  A confirmed listing adds NT_REGISTRY_CONFIRMED_WEIGHT to the
 * risk, a reported one up to NT_REGISTRY_REPORTED_WEIGHT scaled by its
 * reputation (docs/scoring.md). */
int nt_check_registry(const nt_check_result *r, size_t i, nt_reg_match *out);
#define NT_REGISTRY_CONFIRMED_WEIGHT 60
#define NT_REGISTRY_REPORTED_WEIGHT 30

/* Non-zero if the message had no words at all (empty or only spaces): it is
 * safe, and the front end should say so rather than show a bare score. */
int nt_check_is_empty(const nt_check_result *r);

/* The statistical model's probability for a label, or -1 without a model. */
double nt_check_model_prob(const nt_check_result *r, nt_model_label label);
/* The model's top features per label (NULL without a model). */
const nt_model_explain *nt_check_model_explain(const nt_check_result *r);
/* Non-zero if the engine has a statistical model. */
int nt_engine_has_model(const nt_engine *eng);

/* ---- Conversations ----------------------------------------------------------
 * Grooming and the "online kidnapping" script unfold over many turns: no one
 * message need be damning.  A conversation accumulates the evidence of every
 * turn - each rule counted once, however often it fires - and says at which
 * turn the whole exchange became dangerous. */

typedef struct nt_conversation nt_conversation;

nt_err nt_conversation_new(const nt_engine *eng, nt_conversation **out);
void nt_conversation_free(nt_conversation *conv);

/* Check one more turn and fold its evidence into the conversation.  speaker
 * may be NULL.  The turn's own result stays available through
 * nt_conversation_turn. */
nt_err nt_conversation_add(nt_conversation *conv, nt_check_scratch *sc, const char *speaker,
                           const char *text, size_t len, nt_diag *diag);

size_t nt_conversation_turns(const nt_conversation *conv);
/* The i-th turn's own result (NULL if out of range); lives as long as conv. */
const nt_check_result *nt_conversation_turn(const nt_conversation *conv, size_t i);
/* Speaker of turn i as given, or "". */
const char *nt_conversation_speaker(const nt_conversation *conv, size_t i);
/* Risk of the conversation up to and including turn i (0-100). */
int nt_conversation_risk_at(const nt_conversation *conv, size_t i);
/* Level of the whole conversation so far. */
nt_level nt_conversation_level(const nt_conversation *conv);
/* The rule set the conversation is scored with: the one in force when it
 * was created (a reload does not change the rules of a chat under way).
 * Lives as long as conv. */
const nt_ruleset *nt_conversation_rules(const nt_conversation *conv);
/* Index of the first turn at which the conversation was dangerous, or -1. */
long nt_conversation_dangerous_turn(const nt_conversation *conv);
/* Score 0-100 of a tactic or category over the conversation so far. */
int nt_conversation_score(const nt_conversation *conv, const char *id);

#ifdef __cplusplus
}
#endif
#endif
