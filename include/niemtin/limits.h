/*
 * niemtin/limits.h - every input NiemTin accepts is bounded here, in one place
 * (in the spirit of SQLite's sqliteLimit.h).  Functions that take an options
 * struct accept a smaller or larger value at run time; these are defaults and
 * hard ceilings.
 */
#ifndef NIEMTIN_LIMITS_H
#define NIEMTIN_LIMITS_H

/* Default maximum size of one message handed to normalisation/extraction. */
#define NT_DEFAULT_MAX_MESSAGE_BYTES (1024u * 1024u)
/* Hard ceiling for the configurable message limit (offsets are 32-bit). */
#define NT_MAX_MESSAGE_BYTES_CEILING (256u * 1024u * 1024u)
/* Longest URL we canonicalise (Safe Browsing clients commonly cap near 2 KiB;
 * we accept more but bound the work). */
#define NT_MAX_URL_BYTES (16u * 1024u)
/* Longest line in a data file (lexicon, bank table). */
#define NT_MAX_DATA_LINE_BYTES 4096u
/* Largest data file (lexicon, bank table) we load. */
#define NT_MAX_DATA_FILE_BYTES (16u * 1024u * 1024u)
/* Most indicators reported for one message; extraction stops with
 * NT_ERR_TOO_BIG beyond this rather than silently truncating. */
#define NT_MAX_INDICATORS_PER_MESSAGE 100000u
/* Most host-suffix x path-prefix lookup expressions per URL (Safe Browsing: 5 x 6). */
#define NT_MAX_URL_EXPRESSIONS 30u

/* ---- the early-warning registry (store.h, registry.h) ---- */
/* Evidence text of one report (the scam message, what happened). */
#define NT_MAX_EVIDENCE_BYTES (64u * 1024u)
/* An analyst's reason for a decision. */
#define NT_MAX_REASON_BYTES 4096u
/* A reporter, analyst, source or channel name. */
#define NT_MAX_NAME_BYTES 200u
/* A reporter's contact details (encrypted at rest). */
#define NT_MAX_CONTACT_BYTES 512u
/* Largest amount lost one report may claim, in VND (10^15). */
#define NT_MAX_AMOUNT_VND 1000000000000000LL
/* Largest list file one import reads, and most lines. */
#define NT_MAX_IMPORT_BYTES (512u * 1024u * 1024u)
#define NT_MAX_IMPORT_LINES 20000000u
/* Bad lines an import result lists one by one (the count covers all). */
#define NT_MAX_IMPORT_ERRORS_KEPT 20
/* Most changes one feed request returns. */
#define NT_MAX_FEED_LIMIT 10000u
/* Registry matches kept in one lookup answer (the count covers all). */
#define NT_MAX_REGISTRY_MATCHES 16
/* Most indicators the in-memory registry index holds (32-bit slots). */
#define NT_MAX_REGISTRY_INDICATORS 0x7fffffffu

/* ---- accounts, keys, sessions and the audit log (auth.h, audit.h) ---- */
/* A login name: 1..64 bytes of a-z 0-9 . _ - (starting with a letter or digit). */
#define NT_MAX_LOGIN_BYTES 64u
/* Passwords: at least this many characters (code points, so Vietnamese
 * letters count once), at most this many bytes (argon2 accepts more; we bound
 * the work a login request can ask for). */
#define NT_MIN_PASSWORD_CHARS 10u
#define NT_MAX_PASSWORD_BYTES 1024u
/* A display name, organisation name or key label: NT_MAX_NAME_BYTES. */
/* A setting's value ("50/100", "30"). */
#define NT_MAX_SETTING_BYTES 64u
/* A client address as the server passes it (IPv6 text is at most 45 bytes). */
#define NT_MAX_ADDR_BYTES 64u
/* Longest lifetime an API key may be given, in days (10 years). */
#define NT_MAX_KEY_DAYS 3650u
/* The details (JSON) of one audit entry. */
#define NT_MAX_AUDIT_DETAILS_BYTES (16u * 1024u)
/* Most audit entries one list request returns. */
#define NT_MAX_AUDIT_LIST_LIMIT 10000u
/* Indicator ids an expiry's audit entry lists one by one (the count covers all). */
#define NT_MAX_AUDIT_IDS 1000u

#endif
