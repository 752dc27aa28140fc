/*
 * fuzz/fuzz_model_load.c - libFuzzer harness for the model loader: any bytes
 * must give NT_OK with a usable model, or NT_ERR_PARSE with a message and no
 * model - never a crash, a leak or an out-of-bounds read.  A model that loads
 * must also score a message.  Because a random mutation almost never keeps
 * the checksum right, each input is tried twice: as is, and "resealed" (its
 * payload length and XXH3 checksum rewritten to match), so the fuzzer also
 * reaches the field checks behind the checksum.  Seeds: fuzz/corpus/fuzz_model_load (a valid
 * 2^8-bucket model and damaged copies).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <stdlib.h>
#include <xxhash.h>

#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size)
{
    nt_model *m = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_model_load_buffer(data, size, "fuzz", &m, &d);
    if (rc != NT_OK) {
        if (m || (rc != NT_ERR_PARSE && rc != NT_ERR_NOMEM) || d.message[0] == '\0')
            __builtin_trap();
        return;
    }
    if (!m)
        __builtin_trap();
    static const char msg[] = "chuyen khoan ngay 0912345678";
    nt_text *t = NULL;
    double p[NT_MODEL_LABELS];
    nt_model_explain ex;
    if (nt_text_normalize(msg, sizeof msg - 1, NULL, &t, NULL) != NT_OK ||
        nt_model_predict(m, t, NULL, NULL, p, &ex) != NT_OK)
        __builtin_trap();
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        if (!(p[l] >= 0 && p[l] <= 1))
            __builtin_trap();
    nt_text_free(t);
    nt_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size);
    if (size < 32)
        return 0;
    uint8_t *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    uint64_t payload = size - 32, sum = XXH3_64bits(copy + 32, size - 32);
    for (int i = 0; i < 8; i++) {
        copy[16 + i] = (uint8_t)(payload >> (8 * i));
        copy[24 + i] = (uint8_t)(sum >> (8 * i));
    }
    check(copy, size);
    free(copy);
    return 0;
}
