/*
 * niemtin/indicator.h - indicators of scams in free text, and their canonical
 * values.
 *
 * Two layers:
 *   1. Canonicalisers (nt_canon_*): one value in, its canonical form out, or a
 *      clear error.  URLs follow Google Safe Browsing v4 canonicalisation;
 *      domains become A-labels with their registrable domain (libpsl);
 *      phone numbers become E.164; bank accounts become BANKCODE:digits.
 *   2. The extractor (nt_extractor): finds every indicator in a message -
 *      URLs (also defanged: hxxp, [.], (.), " dot "), bare domains with a real
 *      public suffix, phone numbers, bank accounts next to bank context,
 *      e-mail addresses, social accounts, crypto wallets, national ID numbers -
 *      with its byte span in the original text and its canonical value.
 *
 * Ownership: every char* returned through an out-parameter is malloc'd and
 * owned by the caller (free()).  nt_url_expressions returns a vector freed with
 * nt_strv_free.  An nt_extractor and an nt_banks are immutable after creation
 * and may be shared by threads; an nt_indicator_list belongs to the caller
 * (nt_indicator_list_free) and the nt_indicator pointers it hands out live as
 * long as the list.
 */
#ifndef NIEMTIN_INDICATOR_H
#define NIEMTIN_INDICATOR_H

#include <stddef.h>

#include "niemtin/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nt_ind_type {
    NT_IND_URL = 1,
    NT_IND_DOMAIN,
    NT_IND_IP,
    NT_IND_PHONE,
    NT_IND_BANK_ACCOUNT,
    NT_IND_EMAIL,
    NT_IND_SOCIAL,
    NT_IND_WALLET,
    NT_IND_NATIONAL_ID,
    NT_IND__COUNT
} nt_ind_type;

/* "url", "domain", "ip", "phone", "bank", "email", "social", "wallet",
 * "national_id".  Static; "unknown" for anything else. */
const char *nt_ind_type_name(nt_ind_type type);
/* Parse a type name (as above); NT_ERR_NOT_FOUND if unknown. */
nt_err nt_ind_type_parse(const char *name, nt_ind_type *out);

/* ---- URLs (Safe Browsing v4) --------------------------------------------- */

/* Canonicalise a URL exactly as Safe Browsing v4 does before hashing:
 * strip tab/CR/LF and surrounding spaces, add "http://" when no scheme,
 * drop the fragment, repeatedly percent-unescape, normalise the host
 * (lower-case, trim and collapse dots, decimal/octal/hex IPv4 to dotted quad),
 * resolve "." and ".." in the path, collapse "//", drop the port, and
 * re-escape bytes <= 0x20, >= 0x7f, '#' and '%'.
 * Returns NT_ERR_INVALID (diag says why) for input with no host. */
nt_err nt_canon_url(const char *in, size_t len, char **out, nt_diag *diag);

/* The host-suffix / path-prefix expressions Safe Browsing looks up for a
 * *canonical* URL (scheme stripped): at most 5 hosts x 6 paths, e.g. for
 * "http://a.b.c/1/2.html?param=1": "a.b.c/1/2.html?param=1", "a.b.c/1/2.html",
 * "a.b.c/", "a.b.c/1/", "b.c/1/2.html?param=1", ...  *out is a vector of *n
 * malloc'd strings, freed with nt_strv_free. */
nt_err nt_url_expressions(const char *canon_url, char ***out, size_t *n);

void nt_strv_free(char **v, size_t n);

/* The host part of a canonical URL, malloc'd ("" never: error instead). */
nt_err nt_url_host(const char *canon_url, char **host);

/* ---- Domains ------------------------------------------------------------- */

/* Canonicalise a domain name: Unicode (IDNA 2008/UTS#46 via libidn2) to
 * lower-case A-labels, trailing dot removed.  *ascii gets e.g.
 * "xn--vietcmbank-xyz.vn"; *registrable (may be NULL) gets eTLD+1 from the
 * Public Suffix List, e.g. "vietcombank.com.vn".  NT_ERR_INVALID when the
 * name is not a valid host or has no real public suffix ("file.txt"). */
nt_err nt_canon_domain(const char *in, size_t len, char **ascii, char **registrable,
                       nt_diag *diag);

/* Non-zero if `suffix` (lower-case ASCII, no leading dot) is a real ICANN or
 * private public suffix ("vn", "com.vn", "blogspot.com"), not merely allowed
 * by the PSL's "*" default rule. */
int nt_is_public_suffix(const char *suffix);

/* ---- Phone numbers ------------------------------------------------------- */

typedef enum nt_phone_kind {
    NT_PHONE_UNKNOWN = 0,
    NT_PHONE_MOBILE,      /* Vietnamese mobile, 9 national digits */
    NT_PHONE_FIXED,       /* Vietnamese landline with area code */
    NT_PHONE_TOLL_FREE,   /* 1800 ... */
    NT_PHONE_PREMIUM,     /* 1900 ... */
    NT_PHONE_SHORT_CODE,  /* 111, 113, 114, 115, 5-digit SMS codes ... */
    NT_PHONE_UAN,         /* other non-geographic national numbers */
    NT_PHONE_INTERNATIONAL /* a non-Vietnamese number written with + */
} nt_phone_kind;

/* "mobile", "fixed", "toll_free", "premium", "short_code", "uan",
 * "international", "unknown". Static. */
const char *nt_phone_kind_name(nt_phone_kind kind);

typedef struct nt_phone_info {
    nt_phone_kind kind;
    char carrier[32]; /* "Viettel", "MobiFone", ... for mobiles, else "" */
    char region[64];  /* province for landlines, else "" */
} nt_phone_info;

/* Canonicalise a phone number written in any common way ("0912 345 678",
 * "0912.345.678", "+84 912 345 678", "84912345678", "(028) 3822 1234",
 * "1900 1234", "111").  Vietnamese numbers become E.164 ("+84912345678");
 * short codes and 1800/1900 numbers stay national ("111", "19001234"), as
 * they cannot be dialled from abroad; other countries' numbers written with
 * "+" become E.164 after a length check.  info may be NULL.
 * NT_ERR_INVALID with a reason for anything that is not a valid number. */
nt_err nt_canon_phone(const char *in, size_t len, char **out, nt_phone_info *info,
                      nt_diag *diag);

/* ---- Banks and accounts ---------------------------------------------------- */

/* The table of Vietnamese banks (data/banks.tsv: code, BIN, names and
 * aliases).  Immutable once loaded. */
typedef struct nt_banks nt_banks;

nt_err nt_banks_load(const char *path, nt_banks **out, nt_diag *diag);
nt_err nt_banks_parse(const char *data, size_t len, const char *source, nt_banks **out,
                      nt_diag *diag);
void nt_banks_free(nt_banks *banks);
size_t nt_banks_count(const nt_banks *banks);

typedef struct nt_bank_info {
    const char *code;       /* our short code, e.g. "VCB" */
    const char *short_name; /* "Vietcombank" */
    const char *name;       /* full Vietnamese name */
    const char *bin;        /* NAPAS BIN "970436" or "" */
} nt_bank_info;

/* Find a bank by any of its names, aliases, codes or BIN, ignoring case and
 * diacritics ("vietcombank", "VCB", "Ngoại thương", "970436").  Returns
 * NT_ERR_NOT_FOUND if none.  The strings in *info live as long as banks. */
nt_err nt_banks_find(const nt_banks *banks, const char *name, size_t len, nt_bank_info *info);

/* Canonical bank account: "VCB:0123456789" when the bank is named (bank may be
 * NULL or unknown, giving plain digits), separators removed.  6-19 digits,
 * else NT_ERR_INVALID. */
nt_err nt_canon_bank_account(const nt_banks *banks, const char *bank, const char *account,
                             size_t account_len, char **out, nt_diag *diag);

/* ---- Other indicators ------------------------------------------------------ */

/* E-mail: lower-cased, domain to A-labels; NT_ERR_INVALID if malformed. */
nt_err nt_canon_email(const char *in, size_t len, char **out, nt_diag *diag);

/* Social account from a link or handle: "zalo:0912345678"/"zalo:<id>",
 * "telegram:<user>", "facebook:<user|id>", "tiktok:<user>",
 * "instagram:<user>"; lower-cased where the platform is case-insensitive.
 * A bare "@handle" gives "handle:<name>". */
nt_err nt_canon_social(const char *in, size_t len, char **out, nt_diag *diag);

/* Crypto wallet: "btc:<addr>" (base58check or bech32 checked), "eth:<0x..
 * lower-case>", "tron:<T...>" (base58check checked). */
nt_err nt_canon_wallet(const char *in, size_t len, char **out, nt_diag *diag);

/* Vietnamese citizen ID (CCCD, 12 digits with a valid province code). The
 * canonical value is never the number itself: it is "cccd:" followed by a
 * keyed hash (libsodium generichash) of the digits under `key` (32 bytes) so
 * it can be matched but not read back.  key NULL uses an all-zero key (tests
 * only). */
nt_err nt_canon_national_id(const char *in, size_t len, const unsigned char *key,
                            char **out, nt_diag *diag);

/* Canonicalise a value of a given type (dispatches to the functions above;
 * bank accounts may be written "BANK:digits" or "BANK digits").  banks may be
 * NULL for types that do not need it. */
nt_err nt_canon(nt_ind_type type, const nt_banks *banks, const char *in, size_t len,
                char **out, nt_diag *diag);

/* ---- Extraction ---------------------------------------------------------- */

/* Indicator flags. */
#define NT_INDF_DEFANGED 0x1u /* written defanged: hxxp, [.], " dot " ... */
#define NT_INDF_NO_SCHEME 0x2u /* URL or domain written without a scheme */
#define NT_INDF_PERSONAL 0x4u  /* personal data: never store the raw span */
#define NT_INDF_IDN 0x8u       /* host had non-ASCII labels */
#define NT_INDF_OBFUSCATED 0x10u /* full-width or look-alike characters, or
                                    invisible characters inside it */

typedef struct nt_indicator {
    nt_ind_type type;
    unsigned flags;     /* NT_INDF_* */
    size_t start, end;  /* byte span in the original text */
    const char *value;  /* canonical value */
    const char *detail; /* bank code, phone kind/carrier, registrable
                           domain, platform, wallet chain ... or "" */
} nt_indicator;

typedef struct nt_indicator_list nt_indicator_list;

size_t nt_indicator_list_count(const nt_indicator_list *list);
/* The i-th indicator in order of start offset; NULL if i is out of range. */
const nt_indicator *nt_indicator_list_get(const nt_indicator_list *list, size_t i);
void nt_indicator_list_free(nt_indicator_list *list);

typedef struct nt_extractor_options {
    const nt_banks *banks;        /* bank table for account context (may be NULL) */
    const char *context_path;     /* context phrases (data/indicator-context.tsv);
                                     NULL: accounts only next to a bank name,
                                     short codes and IDs only where unambiguous */
    const unsigned char *id_key;  /* 32-byte secret key for national ID hashing; NULL:
                                     a random key for this extractor only, so its
                                     hashes cannot be linked across runs */
    size_t max_bytes;             /* 0 means NT_DEFAULT_MAX_MESSAGE_BYTES */
} nt_extractor_options;

void nt_extractor_options_init(nt_extractor_options *opts);

typedef struct nt_extractor nt_extractor;

/* Build an extractor; opts is copied (the banks table must outlive it).  A
 * malformed context file gives NT_ERR_PARSE with file:line:col in diag. */
nt_err nt_extractor_new(const nt_extractor_options *opts, nt_extractor **out, nt_diag *diag);
void nt_extractor_free(nt_extractor *ex);

/* Extract every indicator from text[0..len).  Invalid UTF-8 is tolerated
 * (such bytes never join an indicator).  *out is owned by the caller.  Errors:
 * NT_ERR_TOO_BIG past the size limit, NT_ERR_NOMEM. */
nt_err nt_extract(const nt_extractor *ex, const char *text, size_t len,
                  nt_indicator_list **out, nt_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
