/*
 * niemtin/text.h - Vietnamese text normalisation.
 *
 * Real messages arrive in every form: NFC or NFD, with or without diacritics,
 * old or new tone-mark placement, teencode ("ko", "ck", "stk"), and deliberate
 * obfuscation ("c.h.u.y.ể.n k.h.o.ả.n", Cyrillic look-alikes, "kh0ản").
 * nt_text_normalize turns one message into three forms that matching can rely
 * on, each with an offset map back to the bytes the user actually pasted:
 *
 *   NT_FORM_NFC   the input, UTF-8 repaired (lenient) or checked (strict),
 *                 Unicode NFC, invisible characters removed; case and
 *                 spelling untouched.  What a person would "see".
 *   NT_FORM_NORM  lower-cased (Unicode case folding), tone marks placed in one
 *                 canonical position, look-alike characters mapped to Latin,
 *                 digits/symbols used as letters inside words mapped back,
 *                 intra-word separators removed, letter runs collapsed,
 *                 teencode expanded; tokens separated by single spaces.
 *                 Accented: "chuyển khoản".
 *   NT_FORM_FOLD  NT_FORM_NORM with every diacritic removed and đ -> d:
 *                 "chuyen khoan".  Same token sequence as NT_FORM_NORM.
 *
 * Ownership: nt_text_normalize allocates an nt_text that the caller frees with
 * nt_text_free.  Pointers returned by nt_text_form / nt_text_tokens live as
 * long as the nt_text.  An nt_lexicon is immutable after loading and may be
 * shared by any number of threads normalising concurrently.
 */
#ifndef NIEMTIN_TEXT_H
#define NIEMTIN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- UTF-8 ------------------------------------------------------------ */

/* Check that s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).  NUL bytes are well-formed.  On failure
 * returns NT_ERR_UTF8 and stores the offset of the first bad byte in
 * *bad_offset (if non-NULL). */
nt_err nt_utf8_validate(const char *s, size_t len, size_t *bad_offset);

/* ---- Lexicon (teencode and abbreviations) ------------------------------ */

/* A table of abbreviation -> expansion, loaded from a data file (format in
 * docs/data-formats.md; the shipped one is data/teencode.tsv). */
typedef struct nt_lexicon nt_lexicon;

/* Load a lexicon from a file.  On a syntax error returns NT_ERR_PARSE and
 * fills diag with file:line:col.  *out is owned by the caller
 * (nt_lexicon_free). */
nt_err nt_lexicon_load(const char *path, nt_lexicon **out, nt_diag *diag);

/* Same, from a buffer; `source` names it in diagnostics (may be NULL). */
nt_err nt_lexicon_parse(const char *data, size_t len, const char *source,
                        nt_lexicon **out, nt_diag *diag);

/* Number of entries. */
size_t nt_lexicon_count(const nt_lexicon *lex);

/* The expansion of one token, looked up by its diacritic-folded lower-case
 * form or its exact lower-case form; NULL if absent.  The returned string
 * lives as long as the lexicon. */
const char *nt_lexicon_lookup(const nt_lexicon *lex, const char *token, size_t len);

void nt_lexicon_free(nt_lexicon *lex);

/* ---- Normalisation ---------------------------------------------------- */

typedef enum nt_utf8_mode {
    NT_UTF8_LENIENT = 0, /* replace each bad sequence with U+FFFD and go on */
    NT_UTF8_STRICT = 1   /* reject with NT_ERR_UTF8 and the byte offset */
} nt_utf8_mode;

/* Option flags for nt_text_options.flags. */
#define NT_TEXT_NO_DEOBFUSCATE 0x1u /* skip separator/look-alike/leet repair */
#define NT_TEXT_NO_TEENCODE 0x2u    /* skip lexicon expansion even if given */

typedef struct nt_text_options {
    size_t max_bytes;           /* 0 means NT_DEFAULT_MAX_MESSAGE_BYTES */
    nt_utf8_mode utf8;          /* default NT_UTF8_LENIENT */
    const nt_lexicon *teencode; /* NULL: no teencode expansion */
    unsigned flags;             /* NT_TEXT_* */
} nt_text_options;

/* Fill opts with the defaults (lenient UTF-8, 1 MiB, no lexicon). */
void nt_text_options_init(nt_text_options *opts);

typedef enum nt_form {
    NT_FORM_NFC = 0,
    NT_FORM_NORM = 1,
    NT_FORM_FOLD = 2
} nt_form;
#define NT_FORM_COUNT 3

/* Short lower-case name of a form ("nfc", "norm", "fold"). Static. */
const char *nt_form_name(nt_form form);

typedef struct nt_text nt_text;

/* Normalise `len` bytes of `in` (need not be NUL-terminated; empty input is
 * valid and gives empty forms).  opts may be NULL for the defaults.
 * Errors: NT_ERR_TOO_BIG past the size limit (diag.offset = the limit),
 * NT_ERR_UTF8 in strict mode (diag.offset = first bad byte), NT_ERR_NOMEM. */
nt_err nt_text_normalize(const char *in, size_t len, const nt_text_options *opts,
                         nt_text **out, nt_diag *diag);

void nt_text_free(nt_text *t);

/* A form's bytes, NUL-terminated, valid UTF-8; *len (if non-NULL) gets its
 * length.  Lives as long as t. */
const char *nt_text_form(const nt_text *t, nt_form form, size_t *len);

/* Map the byte span [start, end) of a form back to the smallest span of the
 * original input that produced it.  start <= end <= form length, else
 * NT_ERR_INVALID_ARG.  An empty span maps to an empty span. */
nt_err nt_text_span(const nt_text *t, nt_form form, size_t start, size_t end,
                    size_t *orig_start, size_t *orig_end);

/* Number of malformed UTF-8 sequences replaced with U+FFFD (lenient mode). */
size_t nt_text_replacements(const nt_text *t);

/* ---- Tokens ------------------------------------------------------------ */

typedef enum nt_token_kind {
    NT_TOK_WORD = 0,   /* a syllable or word of letters (after repair) */
    NT_TOK_NUMBER = 1, /* digits, possibly with . , separators */
    NT_TOK_EMOJI = 2,  /* one emoji (sequence), kept as a token */
    NT_TOK_PUNCT = 3,  /* sentence punctuation and other symbols */
    NT_TOK_LINK = 4    /* a URL- or e-mail-looking run, kept whole */
} nt_token_kind;

/* Token flags. */
#define NT_TOKF_EXPANDED 0x1u   /* produced by teencode expansion */
#define NT_TOKF_REJOINED 0x2u   /* letters rejoined across separators */
#define NT_TOKF_LOOKALIKE 0x4u  /* contained look-alike or leet characters */
#define NT_TOKF_SQUEEZED 0x8u   /* a run of repeated letters was collapsed */
#define NT_TOKF_BOUNDARY 0x10u  /* a sentence/clause boundary precedes it */

/* One token.  [start,end) is its span in NT_FORM_NORM, [fstart,fend) in
 * NT_FORM_FOLD, [ostart,oend) in the original input. */
typedef struct nt_token {
    uint32_t start, end;
    uint32_t fstart, fend;
    uint32_t ostart, oend;
    uint16_t kind;  /* nt_token_kind */
    uint16_t flags; /* NT_TOKF_* */
} nt_token;

/* The token array in text order; *n gets the count.  Lives as long as t. */
const nt_token *nt_text_tokens(const nt_text *t, size_t *n);

/* ---- Small helpers usable on their own ----------------------------------- */

/* Remove Vietnamese (and other Latin) diacritics from valid UTF-8 s and
 * lower-case it: "Chuyển Khoản Đi" -> "chuyen khoan di".  *out is malloc'd,
 * NUL-terminated, owned by the caller; *out_len (if non-NULL) gets its
 * length.  Invalid UTF-8 gives NT_ERR_UTF8. */
nt_err nt_text_fold(const char *s, size_t len, char **out, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
