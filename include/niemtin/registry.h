/*
 * niemtin/registry.h - the early-warning registry: the store (store.h) plus
 * an in-memory index that answers "has this phone number, bank account,
 * website or account been reported or confirmed as a scam?" without touching
 * the database and without ever waiting for a writer.
 *
 * Lookups canonicalise first ("0912 345 678" finds "+84912345678"); a URL is
 * checked by its Safe Browsing host-suffix / path-prefix expressions, its host
 * and parent domains and its registrable domain; a bare domain the same way
 * as "http://domain/"; a bank account with a bank code also matches a report
 * of the same digits without one, and plain digits match the account at any
 * bank.  docs/registry.md explains the index and its memory use.
 *
 * Threads: any number of threads may call the lookup functions at any time,
 * also while another thread writes; a lookup sees each indicator either
 * before or after a concurrent write, never half of it.  The write functions
 * (nt_registry_report, _decide, _import, _expire) serialise themselves.
 * nt_registry_store gives the underlying store for reading (lists, history,
 * the feed) from one thread at a time, never concurrently with a writer.
 *
 * Ownership: nt_registry_open / nt_registry_close.  Strings in an answer's
 * matches (value, source) live as long as the registry; answer.canonical is
 * malloc'd and freed by nt_reg_answer_release.
 */
#ifndef NIEMTIN_REGISTRY_H
#define NIEMTIN_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/error.h"
#include "niemtin/indicator.h"
#include "niemtin/limits.h"
#include "niemtin/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nt_registry nt_registry;

/* Open the store (cfg as nt_store_open) and build the index from it. */
nt_err nt_registry_open(const nt_store_config *cfg, nt_registry **out, nt_diag *diag);
void nt_registry_close(nt_registry *reg);

/* The store, for reading (see Threads above).  Borrowed. */
nt_store *nt_registry_store(nt_registry *reg);

/* ---- writes (each one transaction; the index follows on commit) ------------------- */

nt_err nt_registry_report(nt_registry *reg, const nt_report_in *in, int64_t *report_id,
                          int64_t *indicator_id, nt_diag *diag);
nt_err nt_registry_decide(nt_registry *reg, int64_t indicator_id, nt_action action,
                          const char *actor, const char *reason, nt_diag *diag);
nt_err nt_registry_import(nt_registry *reg, const nt_import_options *opts, const char *data,
                          size_t len, nt_import_result *result, nt_diag *diag);
nt_err nt_registry_expire(nt_registry *reg, double older_than_days, const char *actor, size_t *n,
                          nt_diag *diag);

/* ---- lookups ------------------------------------------------------------------------ */

typedef enum nt_match_via {
    NT_MATCH_EXACT = 1,          /* the same canonical value */
    NT_MATCH_URL_EXPRESSION,     /* a listed URL expression (host suffix + path prefix) */
    NT_MATCH_HOST,               /* the URL's host is a listed domain */
    NT_MATCH_PARENT_DOMAIN,      /* the host is under a listed domain */
    NT_MATCH_REGISTRABLE_DOMAIN, /* the host's registrable domain (eTLD+1) is listed */
    NT_MATCH_IP_HOST,            /* the URL's host is a listed IP address */
    NT_MATCH_ACCOUNT_DIGITS      /* the same account digits, the bank named on one side only */
} nt_match_via;

/* "exact", "url_expression", "host", "parent_domain", "registrable_domain",
 * "ip_host", "account_digits".  Static. */
const char *nt_match_via_name(nt_match_via via);

typedef struct nt_reg_match {
    int64_t id;
    nt_ind_type type;
    const char *value; /* the listed canonical value (the expression that matched) */
    nt_match_via via;
    nt_status status;
    const char *source; /* the import that confirmed it, or NULL */
    int64_t first_seen, last_seen, status_at;
    uint32_t n_reports, n_reporters;
    double score; /* reputation 0..100 now (store.h) */
} nt_reg_match;

typedef struct nt_reg_answer {
    nt_ind_type type; /* the type looked up */
    char *canonical;  /* the canonical form looked up (nt_registry_lookup only) */
    size_t n_matches; /* matches kept, most severe first */
    size_t n_total;   /* matches found (may exceed NT_MAX_REGISTRY_MATCHES) */
    nt_reg_match matches[NT_MAX_REGISTRY_MATCHES];
    nt_status status; /* the most severe status among the matches; 0: none */
    double score;     /* the highest score among the matches */
} nt_reg_answer;

void nt_reg_answer_release(nt_reg_answer *a);

/* Look up a canonical value (as nt_canon or the extractor gives it; a URL
 * with or without its scheme).  Never blocks; no allocation (except for a
 * URL longer than 300 bytes given without its scheme).  No match is NT_OK
 * with n_matches 0. */
nt_err nt_registry_lookup_canonical(const nt_registry *reg, nt_ind_type type, const char *canonical,
                                    nt_reg_answer *answer);

/* Only the exact key (type, canonical value) - what a key-value store
 * answers: no URL expressions, host, parent or registrable domains, account
 * digits.  A URL is its expression (the canonical URL without "scheme://",
 * which may be given or not). */
nt_err nt_registry_lookup_exact(const nt_registry *reg, nt_ind_type type, const char *canonical,
                                nt_reg_answer *answer);

/* flags for nt_registry_lookup_batch */
#define NT_LOOKUP_EXACT 1u /* as nt_registry_lookup_exact */

/* nt_registry_lookup_canonical (or with NT_LOOKUP_EXACT, _exact) for n
 * values at once: answers[i] for (types[i], canonical[i]).  Faster per lookup
 * than n single calls: the keys of a window of lookups are hashed and what
 * they will read is prefetched before any is probed, so their cache misses
 * overlap (the in-process counterpart of pipelining requests to a server).
 * Never blocks; one allocation per call.  Every answer is filled; returns the
 * first error (NT_ERR_INVALID_ARG for a NULL value, NT_ERR_NOMEM). */
nt_err nt_registry_lookup_batch(const nt_registry *reg, size_t n, const nt_ind_type *types,
                                const char *const *canonical, unsigned flags,
                                nt_reg_answer *answers);

/* Canonicalise a raw value of the given type, then look it up.
 * NT_ERR_INVALID (diag says why) when it does not canonicalise. */
nt_err nt_registry_lookup(const nt_registry *reg, nt_ind_type type, const char *raw, size_t len,
                          nt_reg_answer *answer, nt_diag *diag);

/* The types a raw value could be, most likely first ("0912345678": phone,
 * then bank account; "evil.com": domain; "http://...": url ...).  Returns the
 * count (0..4). */
size_t nt_registry_guess_types(const nt_registry *reg, const char *raw, size_t len,
                               nt_ind_type types[4]);

/* A sentence explaining a match, in Vietnamese (en = 0) or English:
 * "12 báo cáo từ 9 người báo cáo, được chuyên viên xác nhận ngày 2026-01-03".
 * Returns buf. */
const char *nt_reg_explain(const nt_reg_match *m, int en, char *buf, size_t bufsize);

/* Memory the index uses (measured, not estimated). */
typedef struct nt_registry_stats {
    size_t indicators, keys, slots, record_versions;
    size_t bytes_index;  /* slots + records + references + fixed directories */
    size_t bytes_values; /* the canonical values kept for confirmation */
} nt_registry_stats;
void nt_registry_stats_get(const nt_registry *reg, nt_registry_stats *st);

#ifdef __cplusplus
}
#endif
#endif
