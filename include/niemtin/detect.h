/*
 * niemtin/detect.h - message risk analysis: the taxonomy of tactics and scam
 * categories, and the rules that find them.
 *
 * Rules are data (files NAME.rules in data/rules/, language in docs/rules.md).  A rule set
 * is compiled once - every pattern of every rule into one Hyperscan database -
 * and is then immutable: any number of threads may match against it at once,
 * each with its own nt_rule_scratch (compile once, scan many, as in YARA).
 *
 * Ownership: nt_taxonomy_load, nt_ruleset_load_* and nt_rule_scratch_new
 * allocate objects the caller frees with the matching _free.  Strings inside
 * a taxonomy or rule set live as long as it.  nt_ruleset_match allocates an
 * nt_rule_hits the caller frees with nt_rule_hits_free; the rule hit pointers
 * it hands out live as long as it, and their strings as long as the rule set.
 */
#ifndef NIEMTIN_DETECT_H
#define NIEMTIN_DETECT_H

#include <stddef.h>

#include "niemtin/error.h"
#include "niemtin/indicator.h"
#include "niemtin/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Taxonomy (data/taxonomy.json) ----------------------------------------- */

typedef struct nt_taxonomy nt_taxonomy;

/* Load and check the taxonomy: tactics, categories and levels, each with an
 * id and Vietnamese and English texts.  NT_ERR_PARSE with line:col for bad
 * JSON, or naming the offending entry for a missing field or unknown tactic. */
nt_err nt_taxonomy_load(const char *path, nt_taxonomy **out, nt_diag *diag);
void nt_taxonomy_free(nt_taxonomy *tax);

/* Non-zero if id names a tactic ("fear", "lure", "control") / a category. */
int nt_taxonomy_has_tactic(const nt_taxonomy *tax, const char *id);
int nt_taxonomy_has_category(const nt_taxonomy *tax, const char *id);
size_t nt_taxonomy_tactic_count(const nt_taxonomy *tax);
size_t nt_taxonomy_category_count(const nt_taxonomy *tax);

/* A text field of a tactic, category or level by id and field name
 * ("name_vi", "advice_en", ...); NULL if absent. */
const char *nt_taxonomy_text(const nt_taxonomy *tax, const char *id, const char *field);

/* ---- Rules ---------------------------------------------------------------- */

typedef struct nt_ruleset nt_ruleset;

/* Parse and compile rules from a buffer; `source` names it in diagnostics.
 * A rule naming a tactic or category the taxonomy lacks is an error.  Any
 * error rejects the whole buffer: NT_ERR_PARSE with source:line:col and the
 * reason. */
nt_err nt_ruleset_parse(const char *src, size_t len, const char *source,
                        const nt_taxonomy *tax, nt_ruleset **out, nt_diag *diag);

/* Every *.rules file in a directory (sorted by name), as one rule set; an
 * error in any file rejects them all. */
nt_err nt_ruleset_load_dir(const char *dir, const nt_taxonomy *tax, nt_ruleset **out,
                           nt_diag *diag);

/* Same, keeping the compiled database in cache_dir (an existing directory;
 * NULL or "" for none): compiling a few hundred rules takes seconds, loading
 * a cached database milliseconds.  The cache is keyed by a hash of every
 * compiled expression and the Hyperscan version, so edited rules are never
 * served stale; an unusable cache file is recompiled over. */
nt_err nt_ruleset_load_dir_cached(const char *dir, const nt_taxonomy *tax, const char *cache_dir,
                                  nt_ruleset **out, nt_diag *diag);

void nt_ruleset_free(nt_ruleset *rs);
size_t nt_ruleset_count(const nt_ruleset *rs);

/* One rule's declared data, for listings and the example tests.  i < count. */
typedef struct nt_rule_info {
    const char *id;
    const char *tactic;   /* "" if none */
    const char *category; /* "" if none */
    int weight;
    const char *text_vi, *text_en;
    size_t nexamples, ncounters;
    const char *const *examples; /* messages the rule must fire on */
    const char *const *counters; /* messages it must not fire on */
} nt_rule_info;

nt_err nt_ruleset_info(const nt_ruleset *rs, size_t i, nt_rule_info *info);

/* Per-thread matching state. */
typedef struct nt_rule_scratch nt_rule_scratch;
nt_err nt_rule_scratch_new(const nt_ruleset *rs, nt_rule_scratch **out);
void nt_rule_scratch_free(nt_rule_scratch *sc);

#define NT_RULE_MAX_SPANS 4

typedef struct nt_rule_hit {
    size_t rule;           /* index for nt_ruleset_info */
    const char *id;
    const char *tactic;    /* "" if none */
    const char *category;  /* "" if none */
    int weight;
    size_t nspans;         /* evidence: spans of the original text */
    struct {
        size_t start, end;
    } spans[NT_RULE_MAX_SPANS];
} nt_rule_hit;

typedef struct nt_rule_hits nt_rule_hits;

/* Match a normalised message (and the indicators extracted from the same
 * original text; may be NULL) against the rules.  Hits are in rule order. */
nt_err nt_ruleset_match(const nt_ruleset *rs, nt_rule_scratch *sc, const nt_text *t,
                        const nt_indicator_list *inds, nt_rule_hits **out);
size_t nt_rule_hits_count(const nt_rule_hits *h);
const nt_rule_hit *nt_rule_hits_get(const nt_rule_hits *h, size_t i);
void nt_rule_hits_free(nt_rule_hits *h);

#ifdef __cplusplus
}
#endif
#endif
