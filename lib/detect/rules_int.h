/*
 * lib/detect/rules_int.h - the compiled form of a rule set, shared by the
 * parser (rules_parse.c) and the matcher (rules_match.c).  Not public.
 */
#ifndef NT_DETECT_RULES_INT_H
#define NT_DETECT_RULES_INT_H

#include <hs/hs.h>
#include <stddef.h>

#include "niemtin/detect.h"

typedef enum pat_kind { PAT_PHRASE, PAT_REGEX } pat_kind;

/* One pattern of one rule; its index is its Hyperscan id. */
typedef struct rpattern {
    pat_kind kind;
    char *text;   /* the folded phrase, or the regex source */
    size_t len;   /* phrase length (start = end - len) */
    size_t rule;  /* owning rule */
    unsigned line, col;
} rpattern;

typedef struct near_cond {
    size_t a, b;     /* pattern indexes */
    unsigned within; /* at most this many tokens apart */
} near_cond;

typedef struct rule {
    char *id, *tactic, *category;
    int weight;
    char *text_vi, *text_en;
    size_t *any, nany;       /* any of these */
    size_t *all, nall;       /* every one of these */
    near_cond *near;         /* every pair near each other */
    size_t nnear;
    size_t *unless, nunless; /* none of these */
    unsigned *needs;         /* each entry: a set of indicator types (1 << type), any of */
    size_t nneeds;
    char **examples, **counters;
    size_t nexamples, ncounters;
    char *file; /* the rules file it came from */
    unsigned line;
} rule;

struct nt_ruleset {
    rule *rules;
    size_t n;
    rpattern *pats;
    size_t npats;
    hs_database_t *db; /* NULL when there are no patterns */
};

/* Compile every pattern into rs->db; NT_ERR_PARSE naming the pattern's
 * source position when Hyperscan rejects one.  With a cache_dir (may be
 * NULL), a database compiled before from exactly the same expressions by the
 * same Hyperscan is loaded from there instead, and a new one is stored. */
nt_err nt__rules_compile(struct nt_ruleset *rs, const char *source, const char *cache_dir,
                         nt_diag *diag);

#endif
