/*
 * fuzz/fuzz_factcheck.c - libFuzzer harness for the fact-check desk: the
 * import file parser and the workflow behind it, tips, links and the
 * ClaimReview renderer, on a fresh in-memory database per input.
 *
 * The input is an import file (JSON lines, niemtin/factcheck.h).  Any bytes
 * must give NT_OK or a documented error whose diag names a line inside the
 * file; on NT_OK every content line is either published or skipped, every
 * published fact-check renders a ClaimReview that parses as JSON with its
 * rating inside 1..5, and every line submitted as a tip gives NT_OK or a
 * documented error.  nt_desk_url_ok must agree with itself on each line.
 * Any violation traps.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);      \
            __builtin_trap();                                                                  \
        }                                                                                      \
    } while (0)

static nt_lexicon *teencode, *synonyms;
static char path[64];

static void init(void)
{
    if (teencode)
        return;
    if (nt_lexicon_load(NT_SOURCE_DATA_DIR "/teencode.tsv", &teencode, NULL) != NT_OK ||
        nt_lexicon_load(NT_SOURCE_DATA_DIR "/claims-synonyms.tsv", &synonyms, NULL) != NT_OK)
        __builtin_trap();
    snprintf(path, sizeof path, "/tmp/fuzz_factcheck_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        __builtin_trap();
    close(fd);
}

static int render(void *ctx, const nt_factcheck *fc)
{
    char *s = NULL;
    CHECK(nt_desk_claimreview(ctx, fc, NULL, &s, NULL) == NT_OK);
    json_t *j = json_loads(s, 0, NULL);
    CHECK(j);
    json_int_t r = json_integer_value(json_object_get(json_object_get(j, "reviewRating"),
                                                      "ratingValue"));
    CHECK(r >= 1 && r <= 5);
    CHECK(!strstr(s, "</"));
    json_decref(j);
    free(s);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size > 16384)
        return 0;
    FILE *f = fopen(path, "wb");
    CHECK(f);
    CHECK(fwrite(data, 1, size, f) == size);
    fclose(f);
    nt_desk_config cfg;
    nt_desk_config_init(&cfg);
    cfg.store.path = ":memory:";
    cfg.teencode = teencode;
    cfg.synonyms = synonyms;
    nt_desk *d = NULL;
    CHECK(nt_desk_open(&cfg, &d, NULL) == NT_OK);
    /* the content lines */
    unsigned lines = 0, content = 0;
    for (size_t i = 0; i < size;) {
        const char *s = (const char *)data + i;
        const char *nl = memchr(s, '\n', size - i);
        size_t ll = nl ? (size_t)(nl - s) : size - i;
        i += ll + (nl ? 1 : 0);
        lines++;
        size_t a = 0;
        while (a < ll && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
            a++;
        if (a < ll && s[a] != '#')
            content++;
        char *line = malloc(ll + 1);
        CHECK(line);
        memcpy(line, s, ll);
        line[ll] = '\0';
        CHECK(nt_desk_url_ok(line) == nt_desk_url_ok(line));
        free(line);
    }
    size_t published = 0, skipped = 0;
    nt_diag diag;
    nt_diag_clear(&diag);
    nt_err e = nt_desk_import(d, path, "fuzz", &published, &skipped, &diag);
    if (e == NT_OK) {
        CHECK(published + skipped == content);
        CHECK(nt_desk_factchecks(d, NT_FC_PUBLISHED, 0, 0, render, d, NULL) == NT_OK);
    } else {
        CHECK(e == NT_ERR_PARSE || e == NT_ERR_INVALID || e == NT_ERR_EMPTY ||
              e == NT_ERR_TOO_BIG || e == NT_ERR_UTF8 || e == NT_ERR_STATE);
        CHECK(diag.line >= 1 && diag.line <= lines);
    }
    /* the whole input as a tip */
    nt_tip_in tip = {.text = (const char *)data, .text_len = size};
    nt_tip_result r;
    e = nt_desk_submit(d, &tip, &r, NULL);
    CHECK(e == NT_OK || e == NT_ERR_EMPTY || e == NT_ERR_UTF8 || e == NT_ERR_INVALID ||
          e == NT_ERR_TOO_BIG);
    if (e == NT_OK)
        CHECK(r.item_id > 0 && r.count >= 1);
    nt_desk_close(d);
    return 0;
}
