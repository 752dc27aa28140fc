/*
 * fuzz/fuzz_normalize.c - libFuzzer harness for nt_text_normalize.
 *
 * Normalises every input in lenient and strict mode with the shipped teencode
 * lexicon (loaded once from $NT_DATA_DIR or NT_SOURCE_DATA_DIR) and checks the
 * invariants the rest of the engine relies on: every form is valid UTF-8 and
 * NUL-terminated, tokens lie inside the forms and map inside the input, and
 * nt_text_span accepts every valid span and stays inside the input.  Any
 * violation traps, so libFuzzer reports it with the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "niemtin/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);      \
            __builtin_trap();                                                                  \
        }                                                                                      \
    } while (0)

static const nt_lexicon *lexicon(void)
{
    static nt_lexicon *lex;
    static int tried;
    if (!tried) {
        tried = 1;
        char path[4096];
        const char *dir = getenv("NT_DATA_DIR");
        snprintf(path, sizeof path, "%s/teencode.tsv", dir && *dir ? dir : NT_SOURCE_DATA_DIR);
        nt_diag d;
        if (nt_lexicon_load(path, &lex, &d) != NT_OK) {
            fprintf(stderr, "fuzz_normalize: cannot load %s: %s\n", path, d.message);
            __builtin_trap();
        }
    }
    return lex;
}

static void check_text(const nt_text *t, size_t in_len)
{
    size_t flen[NT_FORM_COUNT];
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        const char *s = nt_text_form(t, (nt_form)f, &flen[f]);
        CHECK(s != NULL);
        CHECK(s[flen[f]] == '\0');
        CHECK(nt_utf8_validate(s, flen[f], NULL) == NT_OK);
        /* every single byte and the whole form map inside the input */
        for (size_t i = 0; i < flen[f]; i += 1 + flen[f] / 64) {
            size_t os = 0, oe = 0;
            CHECK(nt_text_span(t, (nt_form)f, i, i + 1, &os, &oe) == NT_OK);
            CHECK(os <= oe && oe <= in_len);
        }
        size_t os = 0, oe = 0;
        CHECK(nt_text_span(t, (nt_form)f, 0, flen[f], &os, &oe) == NT_OK);
        CHECK(os <= oe && oe <= in_len);
        CHECK(nt_text_span(t, (nt_form)f, 0, flen[f] + 1, &os, &oe) == NT_ERR_INVALID_ARG);
    }
    size_t n = 0;
    const nt_token *tk = nt_text_tokens(t, &n);
    uint32_t prev_end = 0, prev_fend = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(tk[i].start < tk[i].end && tk[i].end <= flen[NT_FORM_NORM]);
        CHECK(tk[i].fstart < tk[i].fend && tk[i].fend <= flen[NT_FORM_FOLD]);
        CHECK(tk[i].start >= prev_end && tk[i].fstart >= prev_fend);
        CHECK(tk[i].ostart <= tk[i].oend && tk[i].oend <= in_len);
        CHECK(tk[i].kind <= NT_TOK_LINK);
        size_t os = 0, oe = 0;
        CHECK(nt_text_span(t, NT_FORM_NORM, tk[i].start, tk[i].end, &os, &oe) == NT_OK);
        CHECK(os >= tk[i].ostart && oe <= tk[i].oend);
        CHECK(nt_text_span(t, NT_FORM_FOLD, tk[i].fstart, tk[i].fend, &os, &oe) == NT_OK);
        CHECK(os >= tk[i].ostart && oe <= tk[i].oend);
        prev_end = tk[i].end;
        prev_fend = tk[i].fend;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const nt_lexicon *lex = lexicon();
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = lex;
    nt_text *t = NULL;
    nt_diag d;
    nt_err rc = nt_text_normalize((const char *)data, size, &o, &t, &d);
    CHECK(rc == NT_OK || rc == NT_ERR_TOO_BIG);
    if (rc == NT_OK) {
        check_text(t, size);
        nt_text_free(t);
        t = NULL;
    }
    o.utf8 = NT_UTF8_STRICT;
    o.flags = (size & 1) ? NT_TEXT_NO_DEOBFUSCATE : 0;
    size_t bad = 0;
    const int valid = nt_utf8_validate((const char *)data, size, &bad) == NT_OK;
    rc = nt_text_normalize((const char *)data, size, &o, &t, &d);
    if (valid) {
        CHECK(rc == NT_OK || rc == NT_ERR_TOO_BIG);
    } else {
        CHECK(rc == NT_ERR_UTF8 && d.offset == bad);
    }
    if (rc == NT_OK) {
        check_text(t, size);
        CHECK(nt_text_replacements(t) == 0);
        nt_text_free(t);
    }
    return 0;
}
