/*
 * fuzz/fuzz_extract.c - libFuzzer harness for indicator extraction: any bytes
 * must give NT_OK (or NT_ERR_TOO_BIG past the limit) and a list whose spans
 * lie inside the input, in order, with non-empty values; national IDs never
 * carry the digits they came from.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nt_extractor *ex;
static nt_banks *banks;

static void init(void)
{
    if (ex)
        return;
    if (nt_banks_load(NT_SOURCE_DATA_DIR "/banks.tsv", &banks, NULL) != NT_OK)
        __builtin_trap();
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    o.banks = banks;
    o.context_path = NT_SOURCE_DATA_DIR "/indicator-context.tsv";
    if (nt_extractor_new(&o, &ex, NULL) != NT_OK)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    nt_indicator_list *l = NULL;
    nt_err rc = nt_extract(ex, (const char *)data, size, &l, NULL);
    if (rc != NT_OK) {
        if (rc != NT_ERR_TOO_BIG || l)
            __builtin_trap();
        return 0;
    }
    size_t prev = 0;
    for (size_t i = 0; i < nt_indicator_list_count(l); i++) {
        const nt_indicator *ind = nt_indicator_list_get(l, i);
        if (ind->start >= ind->end || ind->end > size || ind->start < prev)
            __builtin_trap();
        prev = ind->start;
        if (!ind->value || !ind->value[0] || !ind->detail)
            __builtin_trap();
        if (ind->type == NT_IND_NATIONAL_ID &&
            (!(ind->flags & NT_INDF_PERSONAL) || strncmp(ind->value, "cccd:", 5) != 0))
            __builtin_trap();
    }
    nt_indicator_list_free(l);
    return 0;
}
