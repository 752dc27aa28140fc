/*
 * niemtin/audit.h - the tamper-evident audit log: every state change made by
 * a person, an API key or a job (registry reports, analysts' decisions,
 * imports, expiry; accounts, keys, settings, logins) is one entry in a
 * hash chain.  docs/accounts.md explains it and what it can and cannot prove.
 *
 * The one idea: entry n stores hash_n = SHA-256(hash_{n-1} || canonical(n)),
 * with hash_0 = 32 zero bytes, and the chain's head (last id, count, last
 * hash) is kept in a separate row.  Changing, deleting, inserting or
 * reordering any entry - the last one included - breaks a link or disagrees
 * with the head, and nt_audit_verify names the first entry where it does.
 *
 * canonical(n) is, byte for byte:
 *
 *     "NTAUDIT1"                    8 bytes
 *     id, at                        8 bytes each, big-endian two's complement
 *     actor, action, object,        each a 4-byte big-endian length, then
 *     details                       the UTF-8 bytes as stored
 *
 * The entries are written by the store in the same transaction as the change
 * they record (store.h, auth.h), so neither is ever kept without the other.
 *
 * Who (actor) is a login, an API key's public prefix ("nt_live_AbCdEfGh"),
 * "public" (an anonymous citizen), "system" (the console or a job), or the
 * name an older caller gave the registry.  details is a JSON object (compact,
 * keys sorted); it never holds evidence texts, contacts or passwords,
 * because an entry can never be erased.
 *
 * Threads: these functions use the store given, one thread at a time (see
 * store.h); nt_auth_audit_list / _verify (auth.h) do the same under the
 * auth handle's lock.  Ownership: entries handed to callbacks are borrowed
 * for the call.
 */
#ifndef NIEMTIN_AUDIT_H
#define NIEMTIN_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/error.h"
#include "niemtin/limits.h"
#include "niemtin/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NT_AUDIT_HASH_BYTES 32

typedef struct nt_audit_entry {
    int64_t id; /* 1, 2, 3, ... without gaps */
    int64_t at; /* seconds since the Unix epoch */
    const char *actor;
    const char *action;  /* "user.add", "indicator.confirm", "login.failure", ... */
    const char *object;  /* "user:lan", "indicator:42", "key:nt_live_AbCdEfGh", ... */
    const char *details; /* a JSON object */
    unsigned char prev[NT_AUDIT_HASH_BYTES];
    unsigned char hash[NT_AUDIT_HASH_BYTES];
} nt_audit_entry;

typedef int (*nt_audit_fn)(void *ctx, const nt_audit_entry *e);

/* Entries with id > since in order, at most limit (0: NT_MAX_AUDIT_LIST_LIMIT;
 * more is NT_ERR_INVALID, not silently cut); *next gets the last id returned
 * (or since).  fn returns non-zero to stop. */
nt_err nt_audit_list(nt_store *st, int64_t since, size_t limit, nt_audit_fn fn, void *ctx,
                     int64_t *next, nt_diag *diag);

/* The head row: the last entry's id and hash and how many entries there are. */
typedef struct nt_audit_head {
    int64_t last_id;
    int64_t count;
    unsigned char hash[NT_AUDIT_HASH_BYTES];
} nt_audit_head;

nt_err nt_audit_head_get(nt_store *st, nt_audit_head *out, nt_diag *diag);

/* Append one entry in its own transaction (for writers outside the store and
 * auth modules).  actor, action and object: names (valid UTF-8, no control
 * characters, <= NT_MAX_NAME_BYTES); details: a JSON object
 * (<= NT_MAX_AUDIT_DETAILS_BYTES) or NULL for {}.  *id may be NULL. */
nt_err nt_audit_append(nt_store *st, const char *actor, const char *action, const char *object,
                       const char *details, int64_t *id, nt_diag *diag);

/* What verification found.  problem is the first thing wrong, walking from
 * entry 1: */
typedef enum nt_audit_problem {
    NT_AUDIT_INTACT = 0,     /* every link holds and the head agrees */
    NT_AUDIT_EDITED,         /* an entry's contents do not give its stored hash */
    NT_AUDIT_BROKEN_LINK,    /* an entry's prev is not the hash of the entry before it
                                (one before was replaced, removed or moved) */
    NT_AUDIT_MISSING,        /* ids jump: entries were deleted (or renumbered) */
    NT_AUDIT_TRUNCATED,      /* the chain ends before the head says it does
                                (the last entries were deleted) */
    NT_AUDIT_HEAD_MISMATCH,  /* the head disagrees with an intact chain (the head
                                was edited, or entries were appended around it) */
    NT_AUDIT_ANCHOR_MISMATCH /* an anchor recorded earlier is not in the chain */
} nt_audit_problem;

/* "intact", "edited", "broken_link", "missing", "truncated",
 * "head_mismatch", "anchor_mismatch".  Static. */
const char *nt_audit_problem_name(nt_audit_problem p);

/* An (id, hash) pair recorded outside the database earlier (printed by
 * `niemtin audit head`): verification checks the chain still has it. */
typedef struct nt_audit_anchor {
    int64_t id;
    unsigned char hash[NT_AUDIT_HASH_BYTES];
} nt_audit_anchor;

typedef struct nt_audit_verdict {
    nt_audit_problem problem;
    int64_t entries;   /* entries walked */
    int64_t bad_id;    /* the first entry found wrong (0 when intact) */
    char message[256]; /* English: "entry 7: its contents do not match its hash (edited)" */
    nt_audit_head head;
} nt_audit_verdict;

/* Walk the whole chain in one read transaction (a consistent snapshot while
 * other processes append).  Returns NT_OK when the walk completed - look at
 * out->problem for the answer - or an error when the database could not be
 * read.  anchors may be NULL. */
nt_err nt_audit_verify(nt_store *st, const nt_audit_anchor *anchors, size_t n_anchors,
                       nt_audit_verdict *out, nt_diag *diag);

/* hash of an entry from its fields and prev: what the chain stores. */
void nt_audit_entry_hash(const nt_audit_entry *e, unsigned char out[NT_AUDIT_HASH_BYTES]);

#ifdef __cplusplus
}
#endif
#endif
