/*
 * fuzz/fuzz_import.c - libFuzzer harness for the registry's list importer
 * (nt_import_parse, nt_store_import).
 *
 * The first byte picks the format (ChongLuaDao, or a plain list of e-mails,
 * social accounts, phones, bank accounts, URLs or wallets) and whether bad
 * lines are skipped; the rest is the file.  Properties checked (a failure
 * traps):
 *   - every line is reported at most once, in increasing order, with either
 *     a canonical value or an error, never both or neither;
 *   - a canonical value is a fixed point of the store's canonicaliser;
 *   - a ChongLuaDao line becomes a URL, a domain or an IP address;
 *   - importing into an in-memory store is all or nothing: with a bad line
 *     and no --skip-bad nothing is written; otherwise exactly the distinct
 *     good values are there.
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
    int chongluadao;
    unsigned last_line;
    size_t good, bad;
    nt_store *st;
} seen;

static int on_line(void *ctx, unsigned line, nt_ind_type type, const char *canonical,
                   const char *error)
{
    seen *s = ctx;
    CHECK(line > s->last_line);
    s->last_line = line;
    CHECK((canonical == NULL) != (error == NULL));
    if (error) {
        CHECK(error[0] != '\0');
        s->bad++;
        return 0;
    }
    s->good++;
    CHECK(canonical[0] != '\0');
    CHECK(type > 0 && type < NT_IND__COUNT && type != NT_IND_NATIONAL_ID);
    if (s->chongluadao)
        CHECK(type == NT_IND_URL || type == NT_IND_DOMAIN || type == NT_IND_IP);
    char *again = NULL;
    CHECK(nt_store_canonical(s->st, type, canonical, strlen(canonical), &again, NULL) == NT_OK);
    CHECK(strcmp(again, canonical) == 0);
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
    static const nt_ind_type list_types[] = {NT_IND_EMAIL,        NT_IND_SOCIAL, NT_IND_PHONE,
                                             NT_IND_BANK_ACCOUNT, NT_IND_URL,    NT_IND_WALLET};
    if (!banks && nt_banks_load(NT_SOURCE_DATA_DIR "/banks.tsv", &banks, NULL) != NT_OK)
        __builtin_trap();
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    nt_import_options io = {.name = "fuzz", .file = "fuzz.txt", .skip_bad = (sel >> 3) & 1};
    if ((sel & 7) < 2) {
        io.format = NT_IMPORT_CHONGLUADAO;
    } else {
        io.format = NT_IMPORT_LIST;
        io.type = list_types[(sel & 7) - 2];
    }
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = ":memory:";
    cfg.banks = banks;
    nt_store *st = NULL;
    CHECK(nt_store_open(&cfg, &st, NULL) == NT_OK);

    seen s = {.st = st, .chongluadao = io.format == NT_IMPORT_CHONGLUADAO};
    CHECK(nt_import_parse(banks, &io, text, len, on_line, &s, NULL) == NT_OK);

    if (len <= 4096) {
        nt_import_result *res = calloc(1, sizeof *res);
        CHECK(res != NULL);
        nt_diag d;
        nt_err rc = nt_store_import(st, &io, text, len, res, &d);
        size_t n = 0;
        CHECK(nt_store_list(st, 0, 0, 0, count, &n, NULL) == NT_OK);
        CHECK(res->bad == s.bad);
        if (s.bad && !io.skip_bad) {
            CHECK(rc == NT_ERR_PARSE);
            CHECK(d.line > 0);
            CHECK(n == 0);
        } else {
            CHECK(rc == NT_OK);
            CHECK(n == res->added);
            CHECK(res->added + res->duplicates == s.good);
        }
        free(res);
    }
    nt_store_close(st);
    return 0;
}
