/*
 * lib/registry/index.h - the registry's in-memory lookup index (internal).
 *
 * One writer, any number of readers that never block and never take a lock:
 *   - keys are (type, canonical value) hashed with XXH3-64; a slot is one
 *     64-bit word (32-bit tag from the hash | 31-bit record reference | an
 *     "account digits" bit) in an open-addressing table with linear probing,
 *     published with one release store;
 *   - an indicator's summary is an immutable 36-byte record (with the
 *     indicator id) in an append-only arena; its first record is followed by
 *     its value, so a hit reads the slot, then one or two adjacent cache
 *     lines; an update appends a new record and swings the indicator's slots
 *     to it with one release store each, so a reader sees the old or the new
 *     record;
 *   - the arena lives in fixed-size chunks that never move and are freed
 *     only at nt__index_free; a writer-side array maps indicator ids to
 *     their current record;
 *   - when the table grows, the writer builds a bigger one, publishes it and
 *     frees the old one only after every reader that could have seen it has
 *     left (two reader counters by epoch parity, an RCU grace period).
 * Every tag match is confirmed against the stored value, so a fingerprint
 * collision costs one memcmp and never gives a wrong answer.
 *
 * Writer functions must be called by one thread at a time (the registry's
 * writer lock); readers may run concurrently with them.
 */
#ifndef NT_REGISTRY_INDEX_H
#define NT_REGISTRY_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/store.h"

typedef struct nt__index nt__index;

/* A reader's view of one indicator, valid until nt__index_free. */
typedef struct nt__index_entry {
    uint32_t ind; /* the indicator id */
    nt_ind_type type;
    const char *value; /* NUL-terminated, in the index's arena */
    size_t value_len;
    const char *source; /* name of the import that confirmed it, or NULL */
    nt_status status;
    uint32_t first_seen, last_seen, status_at;
    uint32_t n_reports, n_reporters;
    float score_log; /* log2(evidence) + t0 / half-life (seconds) */
} nt__index_entry;

typedef struct nt__index_stats {
    size_t indicators; /* distinct indicators */
    size_t keys;       /* slots in use (bank accounts with a bank have two) */
    size_t slots;      /* table capacity */
    size_t record_versions;
    size_t bytes_slots, bytes_records, bytes_refs, bytes_values, bytes_directories;
} nt__index_stats;

nt_err nt__index_new(double half_life_days, nt__index **out);
void nt__index_free(nt__index *ix);

/* Writer: add or update an indicator (by id) from a store record; source is
 * the name of its confirming import or NULL (copied). */
nt_err nt__index_put(nt__index *ix, const nt_store_indicator *ind, const char *source);

/* Reader: call fn for every indicator whose key (type, key[0..len)) matches;
 * digits: look up the "account digits" keys of bank accounts written with a
 * bank code.  fn returns non-zero to stop.  Returns the number of matches. */
typedef int (*nt__index_fn)(void *ctx, const nt__index_entry *e);
size_t nt__index_find(const nt__index *ix, nt_ind_type type, int digits, const char *key,
                      size_t len, nt__index_fn fn, void *ctx);

/* Reader sections.  nt__index_find enters and leaves one by itself; a caller
 * that makes many finds (every key of one lookup, a batch of lookups) enters
 * once and uses the functions below, all of which must be called between
 * nt__index_enter and nt__index_leave with its token.  (Entries stay valid
 * after leaving: they live in chunks that are never freed.) */
uint64_t nt__index_enter(const nt__index *ix);
void nt__index_leave(const nt__index *ix, uint64_t token);

/* The hash of a key, as nt__index_find computes it. */
uint64_t nt__index_hash(const nt__index *ix, nt_ind_type type, int digits, const char *key,
                        size_t len);

/* nt__index_find with the hash h already computed, inside a reader section. */
size_t nt__index_find_in(const nt__index *ix, uint64_t h, nt_ind_type type, int digits,
                         const char *key, size_t len, nt__index_fn fn, void *ctx);

/* Batch lookups hide memory latency by touching many keys' data before
 * probing any: for each key in a window, step 1 prefetches its slot; step 2
 * scans the (now cached) slots for the first fingerprint match, prefetches
 * its record and the value after it and returns the record's reference (0:
 * none, a miss); step 3 gives that record; step 4 prefetches the record's
 * value when it is not the one after it (an updated indicator).  Only hints:
 * nt__index_find_in gives the answer, whatever these did.  Inside a reader
 * section. */
void nt__index_prefetch_slot(const nt__index *ix, uint64_t h);
uint32_t nt__index_prefetch_ref(const nt__index *ix, uint64_t h, int digits);
const void *nt__index_prefetch_rec(const nt__index *ix, uint32_t ind);
void nt__index_prefetch_value(const nt__index *ix, const void *rec);

void nt__index_stats_get(const nt__index *ix, nt__index_stats *st);

/* Tests only: replace the key hash (e.g. by a constant, so that every key
 * collides) before anything is put. */
typedef uint64_t (*nt__index_hash_fn)(nt_ind_type type, int digits, const char *key, size_t len);
void nt__index_set_hash(nt__index *ix, nt__index_hash_fn fn);

/* The reputation score (0..100) of an entry at time now. */
double nt__index_score(const nt__index *ix, const nt__index_entry *e, int64_t now);

#endif
