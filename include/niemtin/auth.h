/*
 * niemtin/auth.h - who may do what.  Roles and the permission table; people's
 * accounts with argon2id password hashes; the alliance's member organisations
 * and their API keys; web sessions with CSRF tokens; login throttling; the
 * settings an administrator changes (rate limits per role, session lifetimes,
 * throttling).  docs/accounts.md explains every design choice.
 *
 * The one idea: no secret is ever stored - passwords as argon2id hashes, API
 * keys and session tokens as BLAKE2b hashes - and every change made through
 * this API is one transaction that also appends to the hash-chained audit log
 * (audit.h), in the registry's database.
 *
 * Threads: an nt_auth is thread-safe.  nt_auth_verify_key reads an in-memory
 * copy of the keys under a shared lock and never touches the database (usage
 * counts are flushed by nt_auth_flush); keys and settings changed by another
 * process are picked up within cache_ms.  The other calls serialise on the
 * handle's own database connection; argon2 runs outside every lock, so a
 * login does not hold up key checks.  Each call takes what it needs as
 * arguments: there is no global state.
 *
 * Ownership: nt_auth_open / nt_auth_close.  nt_principal, nt_login_result and
 * nt_key_secret are plain data the caller owns (fixed buffers, no pointers);
 * wipe the last two with sodium_memzero or nt_secret_wipe after use.  Rows
 * handed to callbacks are borrowed for the call; nt_auth_user_get fills an
 * nt_user with malloc'd strings released by nt_user_release.
 */
#ifndef NIEMTIN_AUTH_H
#define NIEMTIN_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/audit.h"
#include "niemtin/error.h"
#include "niemtin/limits.h"
#include "niemtin/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- roles and permissions ---------------------------------------------------------- */

typedef enum nt_role {
    NT_ROLE_PUBLIC = 1, /* anyone, anonymous */
    NT_ROLE_MEMBER,     /* an alliance member organisation (its API key, or its staff) */
    NT_ROLE_ANALYST,    /* verifies reports, imports, publishes */
    NT_ROLE_ADMIN,      /* accounts, keys, settings */
    NT_ROLE__COUNT
} nt_role;

const char *nt_role_name(nt_role r); /* "public", "member", "analyst", "admin"; static */
nt_err nt_role_parse(const char *name, nt_role *out);

/* What a request wants to do.  The table in auth.c (and docs/accounts.md)
 * says which roles may. */
typedef enum nt_auth_action {
    NT_AUTH_CHECK = 1,        /* check a message or a chat */
    NT_AUTH_LOOKUP,           /* look one value up in the registry */
    NT_AUTH_REPORT,           /* report an indicator as a citizen */
    NT_AUTH_LOOKUP_BATCH,     /* many lookups in one request */
    NT_AUTH_FEED,             /* pull the early-warning feed */
    NT_AUTH_REPORT_AS_MEMBER, /* report in the organisation's name */
    NT_AUTH_REVIEW,           /* the review queue, reports, decisions */
    NT_AUTH_REVEAL_CONTACT,   /* decrypt a reporter's contact */
    NT_AUTH_IMPORT,           /* import a published list */
    NT_AUTH_EXPORT,           /* export the registry */
    NT_AUTH_PUBLISH,          /* publish a warning or a verdict */
    NT_AUTH_EXPIRE,           /* run expiry */
    NT_AUTH_AUDIT_READ,       /* read and verify the audit log */
    NT_AUTH_MANAGE_USERS,     /* add people, change roles, reset passwords, disable */
    NT_AUTH_MANAGE_ORGS,      /* add member organisations */
    NT_AUTH_MANAGE_KEYS,      /* create and revoke API keys */
    NT_AUTH_SETTINGS,         /* change settings */
    NT_AUTH_MANAGE_ORG_KEYS,  /* list, create (member role) and revoke the keys of one's
                                 own organisation */
    NT_AUTH__COUNT
} nt_auth_action;

const char *nt_auth_action_name(nt_auth_action a); /* "check", "lookup_batch", ...; static */
nt_err nt_auth_action_parse(const char *name, nt_auth_action *out);

/* 1 if the role may do the action, else 0 (also for unknown values). */
int nt_auth_allowed(nt_role role, nt_auth_action action);

/* ---- who is asking ------------------------------------------------------------------- */

typedef enum nt_principal_kind {
    NT_PRINCIPAL_PUBLIC = 1, /* anonymous */
    NT_PRINCIPAL_USER,       /* a person, by password and session */
    NT_PRINCIPAL_KEY,        /* an organisation's API key */
    NT_PRINCIPAL_SYSTEM      /* the console or a job (role admin) */
} nt_principal_kind;

/* Public prefix of an API key: "nt_live_" and 8 base64url characters. */
#define NT_KEY_PREFIX_CHARS 16
/* A whole API key: the prefix and 43 more characters (38 random bytes in all). */
#define NT_KEY_TOKEN_CHARS 59
/* A session token and a CSRF token: 32 bytes, base64url without padding. */
#define NT_SESSION_TOKEN_CHARS 43

typedef struct nt_principal {
    nt_principal_kind kind;
    nt_role role;
    int64_t id;     /* the user's or the key's id; 0 for public and system */
    int64_t org_id; /* 0: none */
    /* Who the audit log records: the login, the key's prefix, "public", "system". */
    char name[NT_MAX_LOGIN_BYTES + 1];
    char org[NT_MAX_NAME_BYTES + 1]; /* the organisation's name, or "" */
} nt_principal;

void nt_principal_public(nt_principal *p);
void nt_principal_system(nt_principal *p);

/* How an authentication attempt ended (not an error: nt_err is for failures
 * of the machinery itself). */
typedef enum nt_authn {
    NT_AUTHN_OK = 0,
    NT_AUTHN_INVALID,  /* malformed, unknown, or the wrong secret or password */
    NT_AUTHN_EXPIRED,  /* a key past its expiry; a session past its lifetime or idle */
    NT_AUTHN_REVOKED,  /* a revoked key */
    NT_AUTHN_DISABLED, /* the account is disabled (said only after the right password) */
    NT_AUTHN_THROTTLED /* too many failed logins: retry_after says when to try again */
} nt_authn;

const char *nt_authn_name(nt_authn r); /* "ok", "invalid", ...; static */

/* ---- opening ------------------------------------------------------------------------- */

/* argon2id (crypto_pwhash_str) limits: 3 passes over 64 MiB, ~0.1-0.3 s on
 * one core (docs/accounts.md has the measurement).  Tests use the smallest
 * limits libsodium accepts, which are not safe for real passwords; hashes made
 * with other limits are upgraded at the next successful login. */
#define NT_PWHASH_OPSLIMIT 3ULL
#define NT_PWHASH_MEMLIMIT (64u * 1024u * 1024u)
#define NT_PWHASH_TEST_OPSLIMIT 1ULL
#define NT_PWHASH_TEST_MEMLIMIT 8192u

typedef struct nt_auth nt_auth;

typedef struct nt_auth_config {
    const char *path;               /* the database (the registry's); required */
    unsigned long long pw_opslimit; /* 0: NT_PWHASH_OPSLIMIT */
    size_t pw_memlimit;             /* 0: NT_PWHASH_MEMLIMIT */
    int busy_timeout_ms;            /* 0: 5000 */
    unsigned cache_ms;              /* how often key checks look for keys and settings
                                       changed by other processes (default 1000;
                                       NT_AUTH_CACHE_ALWAYS: every call) */
    nt_clock_fn clock;              /* NULL: time() */
    void *clock_ctx;
} nt_auth_config;

#define NT_AUTH_CACHE_ALWAYS 0xffffffffu

void nt_auth_config_init(nt_auth_config *cfg);

/* Open (creating and migrating like nt_store_open) with its own database
 * connection.  The config is copied. */
nt_err nt_auth_open(const nt_auth_config *cfg, nt_auth **out, nt_diag *diag);
/* Flush usage counts (errors ignored), wipe and free. */
void nt_auth_close(nt_auth *a);

/* Reload keys and settings now if another process changed them. */
nt_err nt_auth_refresh(nt_auth *a, nt_diag *diag);

/* ---- organisations ------------------------------------------------------------------- */

typedef enum nt_org_kind {
    NT_ORG_BANK = 1,
    NT_ORG_TELCO,
    NT_ORG_PLATFORM,
    NT_ORG_OTHER,
    NT_ORG__COUNT
} nt_org_kind;

const char *nt_org_kind_name(nt_org_kind k); /* "bank", "telco", "platform", "other" */
nt_err nt_org_kind_parse(const char *name, nt_org_kind *out);

typedef struct nt_org {
    int64_t id;
    const char *name;
    nt_org_kind kind;
    int64_t created_at;
    int demo;
} nt_org;

typedef int (*nt_org_fn)(void *ctx, const nt_org *o);

/* Add an organisation (name: unique, valid UTF-8 without control characters,
 * <= NT_MAX_NAME_BYTES).  Every function taking `actor` checks the actor may
 * (NT_ERR_STATE "… may not …" otherwise) and records the actor in the audit
 * log. */
nt_err nt_auth_org_add(nt_auth *a, const nt_principal *actor, const char *name, nt_org_kind kind,
                       int64_t *id, nt_diag *diag);
nt_err nt_auth_org_list(nt_auth *a, nt_org_fn fn, void *ctx, nt_diag *diag);

/* ---- people -------------------------------------------------------------------------- */

typedef struct nt_user_in {
    const char *login;        /* a-z 0-9 . _ -, <= NT_MAX_LOGIN_BYTES; not reserved */
    const char *display_name; /* NULL: the login */
    nt_role role;             /* member (needs org), analyst or admin */
    const char *org;          /* organisation name, or NULL */
    const char *password;     /* the password rules: nt_auth_password_check */
    size_t password_len;
} nt_user_in;

typedef struct nt_user {
    int64_t id;
    const char *login;
    const char *display_name;
    nt_role role;
    int64_t org_id;
    const char *org; /* "" when none */
    int64_t created_at;
    int64_t disabled_at; /* 0: enabled */
    int64_t password_changed_at;
    int64_t last_login_at; /* 0: never */
    int demo;
} nt_user;

typedef int (*nt_user_fn)(void *ctx, const nt_user *u);

/* The password rules: valid UTF-8 without control characters, at least
 * NT_MIN_PASSWORD_CHARS characters, at most NT_MAX_PASSWORD_BYTES bytes, not
 * the login or the display name (ignoring ASCII case), not one character
 * repeated.  NT_ERR_INVALID / NT_ERR_UTF8 / NT_ERR_TOO_BIG with the reason. */
nt_err nt_auth_password_check(const char *login, const char *display_name, const char *pw,
                              size_t len, nt_diag *diag);

/* Add a person.  NT_ERR_INVALID for a bad or reserved login, a duplicate
 * login, an unknown organisation, a member without one, a weak password. */
nt_err nt_auth_user_add(nt_auth *a, const nt_principal *actor, const nt_user_in *in, int64_t *id,
                        nt_diag *diag);
nt_err nt_auth_user_get(nt_auth *a, const char *login, nt_user *out, nt_diag *diag);
void nt_user_release(nt_user *u);
nt_err nt_auth_user_list(nt_auth *a, nt_user_fn fn, void *ctx, nt_diag *diag);

/* Set a new password (an administrator's reset, or the person themself: then
 * use nt_auth_password_change, which needs the old one).  Ends every session
 * of the person. */
nt_err nt_auth_user_password(nt_auth *a, const nt_principal *actor, const char *login,
                             const char *password, size_t len, nt_diag *diag);
/* The person changes their own password: the old one must verify
 * (NT_ERR_STATE otherwise; counts as a failed login for throttling). */
nt_err nt_auth_password_change(nt_auth *a, const char *login, const char *old_pw, size_t old_len,
                               const char *new_pw, size_t new_len, const char *addr, nt_diag *diag);
/* Change a person's role (member needs an organisation).  The last enabled
 * admin cannot be demoted or disabled (NT_ERR_STATE). */
nt_err nt_auth_user_role(nt_auth *a, const nt_principal *actor, const char *login, nt_role role,
                         nt_diag *diag);
/* Disable (ending every session) or enable again. */
nt_err nt_auth_user_disable(nt_auth *a, const nt_principal *actor, const char *login,
                            nt_diag *diag);
nt_err nt_auth_user_enable(nt_auth *a, const nt_principal *actor, const char *login, nt_diag *diag);

/* ---- API keys ------------------------------------------------------------------------- */

typedef struct nt_key_in {
    const char *org;   /* the owning organisation (required) */
    nt_role role;      /* member or analyst */
    double days;       /* expires after this many days; 0: never */
    const char *label; /* what the key is for, or NULL */
} nt_key_in;

/* A new key, printed once: token is the whole secret, prefix its public part. */
typedef struct nt_key_secret {
    int64_t id;
    char token[NT_KEY_TOKEN_CHARS + 1];
    char prefix[NT_KEY_PREFIX_CHARS + 1];
    int64_t expires_at; /* 0: never */
} nt_key_secret;

typedef struct nt_key_info {
    int64_t id;
    const char *prefix;
    int64_t org_id;
    const char *org;
    nt_role role;
    const char *label;
    const char *created_by;
    int64_t created_at, expires_at, revoked_at; /* 0: never / not revoked */
    int64_t last_used_at;                       /* 0: never (as last flushed) */
    uint64_t uses;                              /* as last flushed */
    int demo;
} nt_key_info;

typedef int (*nt_key_fn)(void *ctx, const nt_key_info *k);

/* An actor with manage_keys (admin) may create a key of either role for any
 * organisation; an actor with only manage_org_keys (a member's person or key)
 * may create member keys of its own organisation (actor->org_id), and
 * NT_ERR_STATE otherwise. */
nt_err nt_auth_key_create(nt_auth *a, const nt_principal *actor, const nt_key_in *in,
                          nt_key_secret *out, nt_diag *diag);
/* Revoke by prefix ("nt_live_AbCdEfGh", or the 8 characters after it).
 * Immediate in this handle; in other processes within their cache_ms.  With
 * only manage_org_keys, only a key of the actor's own organisation
 * (NT_ERR_NOT_FOUND for another's, which is not told apart from none). */
nt_err nt_auth_key_revoke(nt_auth *a, const nt_principal *actor, const char *prefix, nt_diag *diag);
nt_err nt_auth_key_list(nt_auth *a, nt_key_fn fn, void *ctx, nt_diag *diag);

/* Check an API key as a request presents it (e.g. "Authorization: Bearer
 * nt_live_..." without the "Bearer ").  On NT_AUTHN_OK fills *who (kind KEY,
 * the key's role and organisation) and counts a use.  Constant time in the
 * secret: the stored hash is compared with sodium_memcmp, and a hash is
 * computed and compared even when the prefix is unknown.  NT_OK unless the
 * arguments are NULL. */
nt_err nt_auth_verify_key(nt_auth *a, const char *token, size_t len, nt_principal *who,
                          nt_authn *result);

/* Write the usage counts gathered since the last flush (uses, last used).
 * The server calls it every few seconds; nt_auth_close calls it. */
nt_err nt_auth_flush(nt_auth *a, nt_diag *diag);

/* ---- sessions and logins --------------------------------------------------------------- */

typedef struct nt_login_result {
    nt_authn outcome;
    int64_t retry_after; /* NT_AUTHN_THROTTLED: seconds to wait */
    /* NT_AUTHN_OK: the session cookie's value, its CSRF token and when it ends */
    char token[NT_SESSION_TOKEN_CHARS + 1];
    char csrf[NT_SESSION_TOKEN_CHARS + 1];
    int64_t expires_at;
    nt_principal who;
} nt_login_result;

/* Log in with a password from a client address (IPv4 or IPv6 text, or NULL
 * for the console).  Throttled per login name and per address (IPv6 by /64):
 * after login.max_failures (per name) or login.max_failures_addr (per
 * address) failures within login.window_minutes, each further attempt must
 * wait 2^k seconds (k = failures beyond the limit), up to
 * login.lock_max_seconds; a success clears the name's count.  Unknown logins
 * cost the same argon2 work as known ones.  Every success and failure is
 * audited.  NT_OK unless the machinery failed: the outcome is in *res. */
nt_err nt_auth_login(nt_auth *a, const char *login, const char *password, size_t len,
                     const char *addr, nt_login_result *res, nt_diag *diag);

/* Look a session token (the cookie) up: on NT_AUTHN_OK fills *who with the
 * person's current role (a role change applies at once).  Sessions end
 * session.max_hours after login or session.idle_minutes after the last use
 * (last use is recorded to the minute). */
nt_err nt_auth_session_check(nt_auth *a, const char *token, size_t len, nt_principal *who,
                             nt_authn *result, nt_diag *diag);
/* End one session (logout); ending an unknown one is NT_OK. */
nt_err nt_auth_logout(nt_auth *a, const char *token, size_t len, nt_diag *diag);

/* The CSRF token of a session: a keyed hash of the session token, so nothing
 * more is stored and it changes with the session.  NT_ERR_INVALID for a
 * malformed token. */
nt_err nt_auth_csrf_token(const char *token, size_t len, char csrf[NT_SESSION_TOKEN_CHARS + 1]);
/* 1 if csrf is the session's CSRF token (constant time), else 0. */
int nt_auth_csrf_verify(const char *token, size_t len, const char *csrf, size_t csrf_len);

/* ---- settings -------------------------------------------------------------------------- */

/* A token bucket: `per_second` requests a second on average, bursts of up
 * to `burst`. */
typedef struct nt_rate {
    uint32_t per_second;
    uint32_t burst;
} nt_rate;

/* The rate limit for a role (setting "rate.<role>"), from memory: cheap
 * enough for every request. */
nt_err nt_auth_rate(nt_auth *a, nt_role role, nt_rate *out);

typedef int (*nt_setting_fn)(void *ctx, const char *key, const char *value, const char *help,
                             int is_default);

/* Every setting with its value (the default when never set) and an English
 * line saying what it is.  docs/accounts.md lists them. */
nt_err nt_auth_settings_list(nt_auth *a, nt_setting_fn fn, void *ctx, nt_diag *diag);
/* One setting's value into buf.  NT_ERR_NOT_FOUND for an unknown key. */
nt_err nt_auth_setting_get(nt_auth *a, const char *key, char *buf, size_t n, nt_diag *diag);
/* Set a setting (validated: "rate.member" takes "R/B", e.g. "50/100").
 * Applies at once in this handle, in others within their cache_ms. */
nt_err nt_auth_setting_set(nt_auth *a, const nt_principal *actor, const char *key,
                           const char *value, nt_diag *diag);

/* ---- the audit log through this handle (thread-safe) ---------------------------------- */

nt_err nt_auth_audit_list(nt_auth *a, int64_t since, size_t limit, nt_audit_fn fn, void *ctx,
                          int64_t *next, nt_diag *diag);
nt_err nt_auth_audit_verify(nt_auth *a, const nt_audit_anchor *anchors, size_t n,
                            nt_audit_verdict *out, nt_diag *diag);

/* ---- demo data --------------------------------------------------------------------------- */

/* The demo accounts `make run` prints: an admin, an analyst, a member bank
 * with a staff member and an API key.  Their passwords and key are fixed and
 * published (docs/accounts.md) - for a demo only.  Idempotent: a second call
 * creates nothing and returns the same credentials.  Refused (NT_ERR_STATE)
 * when the database has accounts that are not demo accounts. */
typedef struct nt_demo_accounts {
    int created; /* 1 the first time */
    const char *admin_login, *admin_password;
    const char *analyst_login, *analyst_password;
    const char *member_login, *member_password;
    const char *org;
    char key[NT_KEY_TOKEN_CHARS + 1];
} nt_demo_accounts;

nt_err nt_auth_demo_accounts(nt_auth *a, nt_demo_accounts *out, nt_diag *diag);

/* sodium_memzero for callers that do not include sodium.h. */
void nt_secret_wipe(void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
