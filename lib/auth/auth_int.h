/*
 * lib/auth/auth_int.h - what the files of lib/auth share: the nt_auth handle
 * (its database connection and lock, the in-memory copy of API keys and
 * settings), the settings table, and small helpers.
 *
 *   roles.c     roles, actions and the permission table; names
 *   auth.c      opening, the cache of keys and settings, organisations,
 *               people, passwords
 *   keys.c      API keys: format, creation, verification, usage counts
 *   session.c   logins, throttling, sessions, CSRF tokens
 *   settings.c  the settings table and its values
 *   demo.c      the demo accounts
 *
 * Locks: db_lock guards the store (one SQLite connection); cache_lock (a
 * read-write lock) guards keys[] and settings.  Order: db_lock, then
 * cache_lock; key verification takes only cache_lock (and tries db_lock
 * without waiting to refresh).  argon2 never runs under either.
 */
#ifndef NT_AUTH_INT_H
#define NT_AUTH_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "niemtin/auth.h"
#include "store/store_int.h"

/* ---- settings (settings.c) ---- */

typedef enum set_id {
    SET_RATE_PUBLIC,
    SET_RATE_MEMBER,
    SET_RATE_ANALYST,
    SET_RATE_ADMIN,
    SET_SESSION_IDLE_MINUTES,
    SET_SESSION_MAX_HOURS,
    SET_LOGIN_MAX_FAILURES,
    SET_LOGIN_MAX_FAILURES_ADDR,
    SET_LOGIN_WINDOW_MINUTES,
    SET_LOGIN_LOCK_MAX_SECONDS,
    SET__COUNT
} set_id;

typedef struct nt__settings {
    long v[SET__COUNT][2]; /* rates: per second, burst; others: the value in [0] */
    unsigned stored;       /* bit per setting: set in the database (else the default) */
} nt__settings;

void nt__settings_defaults(nt__settings *s);
/* The setting named key, or -1. */
int nt__setting_find(const char *key);
const char *nt__setting_key(int id);
const char *nt__setting_help(int id);
/* Parse a value for setting id into v[2]; NT_ERR_INVALID with the expected
 * form in diag. */
nt_err nt__setting_parse(int id, const char *value, long v[2], nt_diag *diag);
/* The canonical text of a value ("50/100", "30"). */
void nt__setting_format(int id, const long v[2], char *buf, size_t n);

/* ---- the key cache (keys.c) ---- */

typedef struct nt__key_entry {
    uint64_t pid; /* the 6 public id bytes, big-endian */
    unsigned char hash[32];
    int64_t id, org_id, expires_at, revoked_at;
    nt_role role;
    char prefix[NT_KEY_PREFIX_CHARS + 1];
    char org[NT_MAX_NAME_BYTES + 1];
    _Atomic uint64_t pending;  /* uses since the last flush */
    _Atomic int64_t last_used; /* latest use since the last flush, 0: none */
} nt__key_entry;

struct nt_auth {
    nt_store *st;
    nt_auth_config cfg;
    pthread_mutex_t db_lock;
    pthread_rwlock_t cache_lock;
    nt__key_entry *keys; /* sorted by pid */
    size_t n_keys;
    nt__settings set;
    int64_t generation;         /* "auth_generation" when keys and settings were read */
    _Atomic int64_t checked_ms; /* monotonic ms of the last look at the generation */
    unsigned char dummy_key_hash[32];
    pthread_mutex_t dummy_lock;
    char *dummy_pwhash; /* an argon2 hash to verify unknown logins against */
};

/* ---- shared helpers ---- */

int64_t nt__auth_now(const nt_auth *a);
/* The actor may do `action` (NT_ERR_STATE otherwise) and is well formed. */
nt_err nt__auth_actor(const nt_principal *actor, nt_auth_action action, nt_diag *diag);
/* A login as stored: ASCII letters lowercased; NT_ERR_INVALID when not
 * 1..NT_MAX_LOGIN_BYTES of a-z 0-9 . _ - starting with a letter or digit, or
 * reserved (allow_reserved: only the syntax). */
nt_err nt__login_norm(const char *in, char out[NT_MAX_LOGIN_BYTES + 1], int allow_reserved,
                      nt_diag *diag);
/* argon2id with the handle's limits; *out malloc'd. */
nt_err nt__pw_hash(const nt_auth *a, const char *pw, size_t len, char **out, nt_diag *diag);
/* JSON details (compact, sorted keys) from a jansson object, which it frees;
 * then nt__audit_append.  Inside a transaction. */
struct json_t;
nt_err nt__auth_audit(nt_auth *a, int64_t now, const char *actor, const char *action,
                      const char *object, struct json_t *details, nt_diag *diag);
/* Bump "auth_generation" inside a transaction (keys or settings changed). */
nt_err nt__auth_bump(nt_auth *a, nt_diag *diag);
/* Re-read keys and settings (db_lock held, no transaction open). */
nt_err nt__auth_reload(nt_auth *a, nt_diag *diag);
/* Look for changes by other processes if cache_ms has passed; never waits. */
void nt__auth_maybe_refresh(nt_auth *a);
/* Copy of the settings now in force. */
void nt__auth_settings(nt_auth *a, nt__settings *out);

/* keys.c: build a new sorted key table from the store (db_lock held). */
nt_err nt__keys_load(nt_auth *a, nt__key_entry **out, size_t *n, nt_diag *diag);
/* keys.c: a key's base64url text from its 38 raw bytes. */
void nt__key_token(const unsigned char raw[38], char token[NT_KEY_TOKEN_CHARS + 1]);
void nt__key_hash(const unsigned char raw[38], unsigned char out[32]);
/* keys.c: add a key with the given raw bytes (db_lock held, in a transaction). */
nt_err nt__key_insert(nt_auth *a, const nt_principal *actor, const unsigned char raw[38],
                      int64_t org_id, const char *org, nt_role role, int64_t expires_at,
                      const char *label, int demo, int64_t *id, nt_diag *diag);

/* A person's row copied out of a callback (fixed buffers: every field is
 * bounded), and back into a row for user_update. */
typedef struct nt__ucopy {
    int found;
    int64_t id, org_id, created_at, disabled_at, password_changed_at, last_login_at;
    nt_role role;
    int demo;
    char login[NT_MAX_LOGIN_BYTES + 1];
    char display[NT_MAX_NAME_BYTES + 1];
    char org[NT_MAX_NAME_BYTES + 1];
    char pwhash[128]; /* crypto_pwhash_STRBYTES */
} nt__ucopy;

int nt__ucopy_fn(void *ctx, const nt__user_row *u);
void nt__ucopy_row(const nt__ucopy *c, nt__user_row *row);
/* Find a person by (normalised) login (db_lock held): NT_ERR_NOT_FOUND
 * without a diag message. */
nt_err nt__user_load(nt_auth *a, const char *login, nt__ucopy *out, nt_diag *diag);
/* Fill a principal for a person. */
void nt__principal_user(const nt__ucopy *u, nt_principal *p);

/* auth.c: add a person with an argon2 hash already made (db_lock held, in a
 * transaction). */
nt_err nt__user_insert(nt_auth *a, const nt_principal *actor, const char *login,
                       const char *display, nt_role role, const char *org, const char *pwhash,
                       int demo, int64_t *id, nt_diag *diag);

#endif
