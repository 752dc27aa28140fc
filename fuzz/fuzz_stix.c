/*
 * fuzz/fuzz_stix.c - libFuzzer harness for the STIX 2.1 reader
 * (nt_import_parse_records with NT_IMPORT_STIX, nt_store_import).
 *
 * An input starting with '{' is a whole bundle; anything else is a STIX
 * pattern, put into a one-indicator bundle, so the pattern parser is reached
 * directly.  Properties checked (a failure traps):
 *   - every callback carries a record or an error, never both or neither;
 *     an error names its object (1 + index) and has a message;
 *   - a record's value is non-empty and a fixed point of the store's
 *     canonicaliser, of a type the registry keeps;
 *   - importing into an in-memory store is all or nothing: with a bad object
 *     and no skip_bad (or a file that is not a bundle) nothing is written;
 *     otherwise exactly the added indicators are there.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

static nt_banks *banks;

typedef struct seen {
    nt_store *st;
    size_t good, bad;
} seen;

static int on_record(void *ctx, const nt_import_record *r, const nt_import_error *err)
{
    seen *s = ctx;
    CHECK((r == NULL) != (err == NULL));
    if (err) {
        CHECK(err->object > 0);
        CHECK(err->message[0] != '\0');
        CHECK(memchr(err->ref, '\0', sizeof err->ref) != NULL);
        s->bad++;
        return 0;
    }
    s->good++;
    CHECK(r->object > 0 && r->line == 0);
    CHECK(r->canonical && r->canonical[0]);
    CHECK(r->type > 0 && r->type < NT_IND__COUNT && r->type != NT_IND_NATIONAL_ID);
    CHECK(r->confidence >= -1 && r->confidence <= 100);
    char *again = NULL;
    CHECK(nt_store_canonical(s->st, r->type, r->canonical, strlen(r->canonical), &again, NULL) ==
          NT_OK);
    CHECK(strcmp(again, r->canonical) == 0);
    free(again);
    return 0;
}

static int count(void *ctx, const nt_store_indicator *ind)
{
    (void)ind;
    (*(size_t *)ctx)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!banks && nt_banks_load(NT_SOURCE_DATA_DIR "/banks.tsv", &banks, NULL) != NT_OK)
        __builtin_trap();
    char *text = NULL;
    size_t len = 0;
    if (size > 0 && data[0] == '{') {
        text = malloc(size);
        CHECK(text != NULL);
        memcpy(text, data, size);
        len = size;
    } else {
        json_t *p = json_stringn((const char *)data, size);
        if (!p)
            return 0; /* not UTF-8: jansson would refuse the bundle anyway */
        json_t *b = json_pack("{s:s, s:[{s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:[s]}]}", "type",
                              "bundle", "objects", "type", "indicator", "spec_version", "2.1", "id",
                              "indicator--00000000-0000-4000-8000-000000000000", "pattern", p,
                              "pattern_type", "stix", "valid_from", "2026-01-01T00:00:00Z",
                              "confidence", (int)(size % 101), "labels", "fuzz");
        CHECK(b != NULL);
        text = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        CHECK(text != NULL);
        len = strlen(text);
    }
    nt_import_options io = {.format = NT_IMPORT_STIX,
                            .name = "fuzz",
                            .file = "fuzz.json",
                            .skip_bad = (int)(size & 1),
                            .min_confidence = 30};

    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = ":memory:";
    cfg.banks = banks;
    /* the canonical fixed points are checked against a store opened once;
     * opening an empty one for the import (migrations) costs more than the
     * parse, so one input in four is imported */
    static nt_store *canon_st;
    if (!canon_st)
        CHECK(nt_store_open(&cfg, &canon_st, NULL) == NT_OK);
    nt_store *st = NULL;

    seen s = {.st = canon_st};
    size_t other = 0;
    nt_diag d;
    nt_err prc = nt_import_parse_records(banks, &io, text, len, on_record, &s, &other, &d);
    CHECK(prc == NT_OK || prc == NT_ERR_PARSE);
    if (prc)
        CHECK(s.good == 0 && s.bad == 0 && d.message[0]);

    if (len <= 8192 && (((size_t)(size ? data[0] : 0) + size) % 4) == 0) {
        CHECK(nt_store_open(&cfg, &st, NULL) == NT_OK);
        nt_import_result *res = calloc(1, sizeof *res);
        CHECK(res != NULL);
        nt_err rc = nt_store_import(st, &io, text, len, res, &d);
        size_t n = 0;
        CHECK(nt_store_list(st, 0, 0, 0, count, &n, NULL) == NT_OK);
        if (prc) {
            CHECK(rc == prc && n == 0);
        } else if (s.bad && !io.skip_bad) {
            CHECK(rc == NT_ERR_PARSE);
            CHECK(n == 0);
            CHECK(res->bad == s.bad);
        } else {
            CHECK(rc == NT_OK);
            CHECK(res->bad == s.bad);
            CHECK(n == res->added);
            CHECK(res->added + res->duplicates + res->skipped_revoked + res->skipped_expired +
                      res->skipped_low_confidence ==
                  s.good);
            CHECK(res->other_objects == other);
        }
        free(res);
        nt_store_close(st);
    }
    free(text);
    return 0;
}
