/*
 * fuzz/fuzz_canon_domain.c - libFuzzer harness for nt_canon_domain,
 * nt_is_public_suffix and the extractor's suffix test, seeded with domain
 * names (IDN, private suffixes, near-misses) so that mutations stay in the
 * IDNA and Public Suffix List code paths.  Properties (a failure traps): a
 * canonical domain is a fixpoint, is at most 253 bytes of [a-z0-9_.-] with
 * labels of 1-63 bytes, its registrable domain is a label-aligned suffix,
 * and the internal suffix test agrees with the canonicaliser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicator/internal.h"
#include "niemtin/indicator.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

/* Lower-case LDH labels of 1-63 bytes, at most 253 bytes, no "xn--" label:
 * names that need neither trimming nor IDNA. */
static int plain_ldh(const char *s, size_t n)
{
    size_t label = 0;
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (label < 1 || label > 63)
                return 0;
            if (label >= 4 && memcmp(s + i - label, "xn--", 4) == 0)
                return 0;
            label = 0;
            continue;
        }
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
        label++;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char *a = NULL, *r = NULL, *a2 = NULL, *r2 = NULL;
    nt_diag d;

    /* The suffix predicates must not crash on any bytes. */
    if (size < 300 && !memchr(in, 0, size)) {
        char s[300];
        memcpy(s, in, size);
        s[size] = '\0';
        (void)nt_is_public_suffix(s);
    }
    int has_suffix = nt__host_has_public_suffix(in, size);

    nt_err rc = nt_canon_domain(in, size, &a, &r, &d);
    /* On plain LDH names the two agree exactly. */
    if (plain_ldh(in, size))
        CHECK((rc == NT_OK) == (has_suffix != 0));
    if (rc != NT_OK) {
        CHECK(a == NULL && r == NULL && d.message[0]);
        CHECK(rc == NT_ERR_INVALID || rc == NT_ERR_TOO_BIG);
        return 0;
    }
    size_t al = strlen(a), rl = strlen(r), label = 0;
    CHECK(al > 0 && al <= 253);
    for (size_t i = 0; i <= al; i++) {
        if (i == al || a[i] == '.') {
            CHECK(label >= 1 && label <= 63);
            label = 0;
            continue;
        }
        char c = a[i];
        CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
        label++;
    }
    CHECK(rl <= al && strcmp(a + al - rl, r) == 0 && (rl == al || a[al - rl - 1] == '.'));
    CHECK(nt__host_has_public_suffix(a, al));
    if (plain_ldh(in, size))
        CHECK(size == al && memcmp(in, a, al) == 0);
    CHECK(nt_canon_domain(a, al, &a2, &r2, NULL) == NT_OK);
    CHECK(strcmp(a, a2) == 0 && strcmp(r, r2) == 0);
    free(a);
    free(r);
    free(a2);
    free(r2);
    return 0;
}
