/*
 * fuzz/fuzz_canon.c - libFuzzer harness for the value canonicalisers.
 *
 * The first input byte picks the indicator type, the rest is the value.
 * Every canonicaliser must return without crashing or leaking, and when it
 * succeeds its output must be a fixed point: canonicalising the output again
 * gives the same string (URLs and domains are the URL engineer's, checked
 * the same way).  National IDs go through nt_canon_national_id with a fixed
 * key, since nt_canon refuses raw ID numbers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indicator/values.h"
#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nt_banks *banks;

static void load_banks(void)
{
    nt_diag d;
    if (banks)
        return;
    if (nt_banks_load(NT_SOURCE_DATA_DIR "/banks.tsv", &banks, &d) != NT_OK) {
        char buf[512];
        fprintf(stderr, "fuzz_canon: %s\n", nt_diag_format(&d, buf, sizeof buf));
        abort();
    }
}

static nt_err canon(nt_ind_type type, const char *in, size_t len, char **out)
{
    static const unsigned char key[32] = {42};
    nt_diag d;
    if (type == NT_IND_NATIONAL_ID)
        return nt_canon_national_id(in, len, key, out, &d);
    return nt_canon(type, banks, in, len, out, &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL, *again = NULL;
    load_banks();
    if (size < 1)
        return 0;
    nt_ind_type type = (nt_ind_type)(1 + data[0] % (NT_IND__COUNT - 1));
    const char *in = (const char *)data + 1;
    size_t len = size - 1;

    nt_err rc = canon(type, in, len, &out);
    if (rc == NT_OK) {
        if (!out)
            abort();
        /* URL canonicalisation is idempotent by Safe Browsing's definition
         * only for already-unescaped input; check it all the same. */
        nt_err rc2 = canon(type, out, strlen(out), &again);
        if (rc2 != NT_OK || strcmp(again, out) != 0) {
            fprintf(stderr, "type %s: \"%.*s\" -> \"%s\" -> %s \"%s\"\n", nt_ind_type_name(type),
                    (int)len, in, out, nt_strerror(rc2), again ? again : "");
            abort();
        }
    } else if (out) {
        abort();
    }
    free(out);
    free(again);

    /* The prefix matcher and the fold on the same bytes. */
    size_t ml = 0;
    nt_bank_info info;
    if (nt__banks_match_prefix(banks, in, len, &ml, &info) && (ml == 0 || ml > len))
        abort();
    char *folded = NULL;
    if (nt__bank_fold(in, len, &folded) == NT_OK)
        free(folded);

    /* Phones also report flags. */
    unsigned flags;
    nt_phone_info pinfo;
    if (nt__canon_phone(in, len, &out, &pinfo, &flags, NULL) == NT_OK)
        free(out);
    return 0;
}
