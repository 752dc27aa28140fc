/*
 * fuzz/fuzz_rules.c - libFuzzer harness for the rule-language parser and
 * compiler: any bytes give either a rule set or NT_ERR_PARSE with a position
 * inside the input, never a crash or a leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nt_taxonomy *tax;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!tax && nt_taxonomy_load(NT_SOURCE_DATA_DIR "/taxonomy.json", &tax, NULL) != NT_OK)
        __builtin_trap();
    nt_ruleset *rs = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_ruleset_parse((const char *)data, size, "fuzz.rules", tax, &rs, &d);
    if (rc == NT_OK) {
        if (!rs)
            __builtin_trap();
        nt_rule_scratch *sc = NULL;
        if (nt_rule_scratch_new(rs, &sc) != NT_OK)
            __builtin_trap();
        nt_rule_scratch_free(sc);
        nt_ruleset_free(rs);
    } else if (rs || (rc == NT_ERR_PARSE && d.offset > size)) {
        __builtin_trap();
    }
    return 0;
}
