/*
 * fuzz/fuzz_csv.c - libFuzzer harness for the CSV reader
 * (nt_import_parse_records with NT_IMPORT_CSV, nt_store_import).
 *
 * The input is the file; its length's parity says whether bad records are
 * skipped.  Properties checked (a failure traps):
 *   - every callback carries a record or an error, never both or neither;
 *     lines never go backwards and an error names a line;
 *   - a record's value is a fixed point of the store's canonicaliser, its
 *     source and note are NUL-free text within their limits;
 *   - a file without a usable header is refused with a position and no record;
 *   - importing into an in-memory store is all or nothing.
 */
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
    unsigned last_line;
    size_t good, bad;
} seen;

static int on_record(void *ctx, const nt_import_record *r, const nt_import_error *err)
{
    seen *s = ctx;
    CHECK((r == NULL) != (err == NULL));
    unsigned line = r ? r->line : err->line;
    CHECK(line >= 2 && line > s->last_line);
    s->last_line = line;
    if (err) {
        CHECK(err->object == 0);
        CHECK(err->message[0] != '\0');
        s->bad++;
        return 0;
    }
    s->good++;
    CHECK(r->object == 0 && r->ref == NULL);
    CHECK(r->canonical && r->canonical[0]);
    CHECK(r->type > 0 && r->type < NT_IND__COUNT && r->type != NT_IND_NATIONAL_ID);
    CHECK((unsigned)r->status < NT_STATUS__COUNT);
    CHECK(!r->source || (r->source[0] && strlen(r->source) <= NT_MAX_NAME_BYTES));
    CHECK(!r->note || (r->note[0] && strlen(r->note) <= 1024));
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
    const char *text = (const char *)data;
    nt_import_options io = {
        .format = NT_IMPORT_CSV, .name = "fuzz", .file = "fuzz.csv", .skip_bad = (int)(size & 1)};

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
    nt_diag d;
    nt_err prc = nt_import_parse_records(banks, &io, text, size, on_record, &s, NULL, &d);
    CHECK(prc == NT_OK || prc == NT_ERR_PARSE);
    if (prc)
        CHECK(s.good == 0 && s.bad == 0 && d.line >= 1 && d.message[0]);

    if (size <= 4096 && (((size_t)(size ? data[size - 1] : 0) + size) % 4) == 0) {
        CHECK(nt_store_open(&cfg, &st, NULL) == NT_OK);
        nt_import_result *res = calloc(1, sizeof *res);
        CHECK(res != NULL);
        nt_err rc = nt_store_import(st, &io, text, size, res, &d);
        size_t n = 0;
        CHECK(nt_store_list(st, 0, 0, 0, count, &n, NULL) == NT_OK);
        if (prc) {
            CHECK(rc == prc && n == 0);
        } else if (s.bad && !io.skip_bad) {
            CHECK(rc == NT_ERR_PARSE && n == 0 && d.line >= 2);
        } else {
            CHECK(rc == NT_OK);
            CHECK(n == res->added);
            CHECK(res->added + res->duplicates + res->skipped_status == s.good);
        }
        free(res);
        nt_store_close(st);
    }
    return 0;
}
