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

#endif
