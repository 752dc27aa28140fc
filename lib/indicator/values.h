/*
 * lib/indicator/values.h - internal (nt__) helpers of the value
 * canonicalisers (phones, banks, e-mail, social accounts, wallets, national
 * IDs) that the extractor and the dispatcher share.
 *
 * The one idea: every canonicaliser has one internal entry point that reports
 * a little more than the public API can (flags such as "renumbered old
 * mobile"), and the public function is a thin wrapper over it, so the
 * extractor never re-derives what the canonicaliser already knew.
 */
#ifndef NT_INDICATOR_VALUES_H
#define NT_INDICATOR_VALUES_H

#include <stddef.h>

#include "niemtin/indicator.h"

/* ---- Phones -------------------------------------------------------------- */

/* The number was an old 11-digit mobile (01xx xxx xxxx) renumbered in 2018
 * to its current 10-digit form (e.g. 0123 -> 083). */
#define NT__PHONE_RENUMBERED 0x1u
/* The number was written in international form (+, 00 or a bare 84). */
#define NT__PHONE_INTL_FORM 0x2u

/* The fewest digits of a number that nt_canon_phone accepts as anything
 * but a short code or a UAN (the kinds the extractor reports only after a
 * phone phrase): 8, from the tables ("+" and 8 digits, or a bare 1800/1900
 * number).  Below it, a number with no phone phrase is never a phone. */
size_t nt__phone_min_standalone_digits(void);

/* nt_canon_phone plus *flags (NT__PHONE_*; may be NULL).  Same contract. */
nt_err nt__canon_phone(const char *in, size_t len, char **out, nt_phone_info *info,
                       unsigned *flags, nt_diag *diag);

/* ---- Banks --------------------------------------------------------------- */

/* Longest bank name, alias or code (never a bare BIN) that starts at text[0]
 * in diacritic-folded, lower-case text (as NT_FORM_FOLD produces; ASCII
 * upper case is also accepted).  Spaces, '-' and '.' inside the text are
 * skipped ("vietcom bank", "ngoai thuong" and "tp-bank" match), and a match
 * only counts when it ends at a word boundary (the next byte is not an ASCII
 * letter or digit), so "mb" matches in "mb 0123" but not in "mbx".  The
 * caller checks the boundary before text[0].  On a match returns 1, stores
 * the number of text bytes matched in *match_len (trailing separators not
 * included) and fills *info (may be NULL); otherwise returns 0. */
int nt__banks_match_prefix(const nt_banks *banks, const char *text, size_t len,
                           size_t *match_len, nt_bank_info *info);

/* Fold a name for bank matching: Unicode compatibility decomposition, marks
 * stripped, case folded, d-stroke to d, and everything but [a-z0-9] dropped.
 * "Ngân hàng Ngoại Thương" -> "nganhangngoaithuong".  *out is malloc'd.
 * NT_ERR_UTF8 for malformed input, NT_ERR_NOMEM. */
nt_err nt__bank_fold(const char *s, size_t len, char **out);

/* ---- Wallets ------------------------------------------------------------- */

/* Chains nt_canon_wallet recognises; the canonical value starts with
 * nt__wallet_chain_name(chain) followed by ':'. */
typedef enum nt__wallet_chain {
    NT__WALLET_NONE = 0,
    NT__WALLET_BTC,
    NT__WALLET_ETH,
    NT__WALLET_TRON
} nt__wallet_chain;

/* nt_canon_wallet plus the chain found (chain may be NULL). */
nt_err nt__canon_wallet(const char *in, size_t len, char **out, nt__wallet_chain *chain,
                        nt_diag *diag);
/* "btc", "eth", "tron", or "" for NT__WALLET_NONE.  Static. */
const char *nt__wallet_chain_name(nt__wallet_chain chain);

/* ---- Social accounts ----------------------------------------------------- */

/* nt_canon_social plus the platform name ("zalo", "telegram", "facebook",
 * "tiktok", "instagram", "handle"), a static string (platform may be NULL). */
nt_err nt__canon_social(const char *in, size_t len, char **out, const char **platform,
                        nt_diag *diag);

/* ---- Small shared helpers ------------------------------------------------ */

/* Trim ASCII whitespace (space, tab, CR, LF, VT, FF) from both ends of
 * in[0..*len); returns the new start and updates *len. */
const char *nt__val_trim(const char *in, size_t *len);

/* malloc'd copy of s[0..n) with a NUL; NULL on allocation failure. */
char *nt__val_strndup(const char *s, size_t n);

#endif
