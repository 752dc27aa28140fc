/*
 * lib/engine/conversation.c - scoring a chat as it unfolds.
 *
 * Each turn is checked on its own (nt_engine_check); the conversation keeps
 * the set of rules that have fired in any turn so far and scores that set
 * with the same noisy-OR as a single message (plus the statistical model's
 * strongest evidence from any one turn), so evidence spread over many
 * turns - flattery on day one, "don't tell your parents" on day three, "send
 * me a photo" on day four - adds up, while a rule repeated in every turn
 * counts once.  The first turn at which the running risk reaches "dangerous"
 * is the turn the conversation became dangerous.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/scoring.h"


typedef struct turn {
    nt_check_result *result;
    char *speaker;
    int risk_after; /* conversation risk including this turn */
} turn;

struct nt_conversation {
    const nt_engine *eng;
    nt__gen *gen; /* a chat is scored with the rules in force when it began */
    turn *turns;
    size_t n, cap;
    unsigned char *fired; /* per rule: has it fired in any turn */
    double keep;          /* prod(1 - w/100) over fired rules */
    double model_max;     /* strongest model evidence of any turn (counted once) */
    double registry_keep; /* the strongest registry evidence of any turn */
    long dangerous_turn;
};

nt_err nt_conversation_new(const nt_engine *eng, nt_conversation **out)
{
    if (!eng || !out)
        return NT_ERR_INVALID_ARG;
    nt_conversation *c = calloc(1, sizeof *c);
    if (!c)
        return NT_ERR_NOMEM;
    c->gen = nt__gen_acquire(eng);
    size_t nrules = nt_ruleset_count(c->gen->rules);
    c->fired = calloc(nrules ? nrules : 1, 1);
    if (!c->fired) {
        nt__gen_release(c->gen);
        free(c);
        return NT_ERR_NOMEM;
    }
    c->eng = eng;
    c->keep = 1.0;
    c->registry_keep = 1.0;
    c->dangerous_turn = -1;
    *out = c;
    return NT_OK;
}

void nt_conversation_free(nt_conversation *conv)
{
    if (!conv)
        return;
    for (size_t i = 0; i < conv->n; i++) {
        nt_check_result_free(conv->turns[i].result);
        free(conv->turns[i].speaker);
    }
    free(conv->turns);
    free(conv->fired);
    nt__gen_release(conv->gen);
    free(conv);
}

nt_err nt_conversation_add(nt_conversation *conv, nt_check_scratch *sc, const char *speaker,
                           const char *text, size_t len, nt_diag *diag)
{
    if (!conv || !sc)
        return NT_ERR_INVALID_ARG;
    if (conv->n == conv->cap) {
        size_t ncap = conv->cap ? conv->cap * 2 : 16;
        turn *nt = realloc(conv->turns, ncap * sizeof *nt);
        if (!nt)
            return NT_ERR_NOMEM;
        conv->turns = nt;
        conv->cap = ncap;
    }
    turn t = {NULL, NULL, 0};
    if (sc->eng != conv->eng)
        return NT_ERR_INVALID_ARG;
    nt_err rc = nt__check_gen(conv->eng, conv->gen, sc, text, len, &t.result, diag);
    if (rc)
        return rc;
    const char *sp = speaker ? speaker : "";
    t.speaker = malloc(strlen(sp) + 1);
    if (!t.speaker) {
        nt_check_result_free(t.result);
        return NT_ERR_NOMEM;
    }
    memcpy(t.speaker, sp, strlen(sp) + 1);
    const nt_rule_hits *h = nt_check_rule_hits(t.result);
    for (size_t i = 0; i < nt_rule_hits_count(h); i++) {
        const nt_rule_hit *hit = nt_rule_hits_get(h, i);
        if (!conv->fired[hit->rule]) {
            conv->fired[hit->rule] = 1;
            conv->keep *= 1.0 - hit->weight / 100.0;
        }
    }
    if (t.result->model_evidence > conv->model_max)
        conv->model_max = t.result->model_evidence;
    if (t.result->registry_keep < conv->registry_keep)
        conv->registry_keep = t.result->registry_keep;
    t.risk_after =
        nt__keep_to_risk(conv->keep * (1.0 - conv->model_max) * conv->registry_keep);
    if (conv->dangerous_turn < 0 && nt__risk_level(t.risk_after) == NT_LEVEL_DANGEROUS)
        conv->dangerous_turn = (long)conv->n;
    conv->turns[conv->n++] = t;
    return NT_OK;
}

size_t nt_conversation_turns(const nt_conversation *conv)
{
    return conv ? conv->n : 0;
}

const nt_check_result *nt_conversation_turn(const nt_conversation *conv, size_t i)
{
    return conv && i < conv->n ? conv->turns[i].result : NULL;
}

const char *nt_conversation_speaker(const nt_conversation *conv, size_t i)
{
    return conv && i < conv->n ? conv->turns[i].speaker : "";
}

int nt_conversation_risk_at(const nt_conversation *conv, size_t i)
{
    return conv && i < conv->n ? conv->turns[i].risk_after : 0;
}

nt_level nt_conversation_level(const nt_conversation *conv)
{
    return nt__risk_level(conv && conv->n ? conv->turns[conv->n - 1].risk_after : 0);
}

const nt_ruleset *nt_conversation_rules(const nt_conversation *conv)
{
    return conv ? conv->gen->rules : NULL;
}

long nt_conversation_dangerous_turn(const nt_conversation *conv)
{
    return conv ? conv->dangerous_turn : -1;
}

int nt_conversation_score(const nt_conversation *conv, const char *id)
{
    if (!conv || !id)
        return 0;
    const nt_ruleset *rs = conv->gen->rules;
    double keep = 1.0;
    for (size_t i = 0; i < nt_ruleset_count(rs); i++) {
        if (!conv->fired[i])
            continue;
        nt_rule_info info;
        if (nt_ruleset_info(rs, i, &info) == NT_OK &&
            (strcmp(info.tactic, id) == 0 || strcmp(info.category, id) == 0))
            keep *= 1.0 - info.weight / 100.0;
    }
    return nt__keep_to_risk(keep);
}
