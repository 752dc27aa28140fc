/*
 * fuzz/fuzz_check.c - libFuzzer harness for the whole message check with the
 * shipped data: any bytes give a verdict (or NT_ERR_TOO_BIG), a risk in
 * 0-100, and evidence spans inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nt_engine *eng;
static nt_check_scratch *sc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!eng) {
        nt_engine_config cfg = {.data_dir = NT_SOURCE_DATA_DIR,
                                .cache_dir = getenv("NIEMTIN_CACHE_DIR")};
        if (nt_engine_open(&cfg, &eng, NULL) != NT_OK || nt_check_scratch_new(eng, &sc) != NT_OK)
            __builtin_trap();
    }
    nt_check_result *r = NULL;
    nt_err rc = nt_engine_check(eng, sc, (const char *)data, size, &r, NULL);
    if (rc != NT_OK) {
        if (rc != NT_ERR_TOO_BIG || r)
            __builtin_trap();
        return 0;
    }
    int risk = nt_check_risk(r);
    if (risk < 0 || risk > 100)
        __builtin_trap();
    const nt_rule_hits *h = nt_check_rule_hits(r);
    for (size_t i = 0; i < nt_rule_hits_count(h); i++) {
        const nt_rule_hit *hit = nt_rule_hits_get(h, i);
        for (size_t k = 0; k < hit->nspans; k++)
            if (hit->spans[k].start > hit->spans[k].end || hit->spans[k].end > size)
                __builtin_trap();
    }
    nt_check_result_free(r);
    return 0;
}
