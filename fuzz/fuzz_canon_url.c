/*
 * fuzz/fuzz_canon_url.c - libFuzzer harness for nt_canon_url and friends.
 *
 * Properties checked on every input (a failure traps):
 *   - a canonical URL is a fixpoint: canonicalising it again gives itself;
 *   - it contains no byte Safe Browsing escapes, and every '%' starts an
 *     upper-case two-digit escape;
 *   - nt_url_host finds its host and nt_url_expressions at most 30
 *     expressions, each a label-aligned suffix of the host followed by a
 *     prefix of the path-and-query;
 *   - nt_canon_domain on the same bytes, when it succeeds, is idempotent, its
 *     registrable domain is a label-aligned suffix of it, and the domain as a
 *     URL host canonicalises to itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicator/internal.h"
#include "niemtin/indicator.h"
#include "niemtin/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

static int is_upper_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* suffix is s itself or follows a '.' at its end. */
static int label_suffix(const char *s, size_t sl, const char *suffix, size_t n)
{
    if (n > sl || memcmp(s + sl - n, suffix, n) != 0)
        return 0;
    return n == sl || s[sl - n - 1] == '.';
}

static void check_url(const char *in, size_t len)
{
    char *out = NULL, *again = NULL, *host = NULL, **v = NULL;
    size_t nv = 0;
    nt_diag d;

    nt_err rc = nt_canon_url(in, len, &out, &d);
    if (rc != NT_OK) {
        CHECK(out == NULL);
        CHECK(rc == NT_ERR_INVALID || rc == NT_ERR_TOO_BIG);
        CHECK(d.code == rc && d.message[0]);
        return;
    }
    size_t ol = strlen(out);
    for (size_t i = 0; i < ol; i++) {
        unsigned char c = (unsigned char)out[i];
        CHECK(c > 0x20 && c < 0x7f && c != '#');
        if (c == '%')
            CHECK(i + 2 < ol && is_upper_hex(out[i + 1]) && is_upper_hex(out[i + 2]));
    }
    CHECK(nt_canon_url(out, ol, &again, NULL) == NT_OK);
    CHECK(strcmp(out, again) == 0);

    CHECK(nt_url_host(out, &host) == NT_OK);
    size_t hl = strlen(host);
    CHECK(hl > 0);
    const char *rest = strstr(out, "://") + 3 + hl;
    CHECK(rest[0] == '/');

    CHECK(nt_url_expressions(out, &v, &nv) == NT_OK);
    CHECK(nv >= 1 && nv <= NT_MAX_URL_EXPRESSIONS);
    for (size_t i = 0; i < nv; i++) {
        const char *slash = strchr(v[i], '/');
        CHECK(slash != NULL);
        CHECK(label_suffix(host, hl, v[i], (size_t)(slash - v[i])));
        CHECK(strncmp(rest, slash, strlen(slash)) == 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(v[i], v[j]) != 0);
    }
    nt_strv_free(v, nv);
    free(host);
    free(again);
    free(out);
}

static void check_domain(const char *in, size_t len)
{
    char *a = NULL, *r = NULL, *a2 = NULL, *r2 = NULL, *url = NULL, *canon = NULL, *host = NULL;
    nt_diag d;

    nt_err rc = nt_canon_domain(in, len, &a, &r, &d);
    if (rc != NT_OK) {
        CHECK(a == NULL && r == NULL);
        CHECK(rc == NT_ERR_INVALID || rc == NT_ERR_TOO_BIG);
        CHECK(d.message[0]);
        return;
    }
    size_t al = strlen(a);
    CHECK(al > 0 && al <= 253);
    CHECK(label_suffix(a, al, r, strlen(r)));
    CHECK(nt__host_has_public_suffix(a, al));
    CHECK(nt_canon_domain(a, al, &a2, &r2, NULL) == NT_OK);
    CHECK(strcmp(a, a2) == 0 && strcmp(r, r2) == 0);

    url = malloc(al + 9);
    CHECK(url != NULL);
    memcpy(url, "http://", 7);
    memcpy(url + 7, a, al);
    memcpy(url + 7 + al, "/", 2);
    CHECK(nt_canon_url(url, al + 8, &canon, NULL) == NT_OK);
    CHECK(nt_url_host(canon, &host) == NT_OK);
    CHECK(strcmp(host, a) == 0);
    free(host);
    free(canon);
    free(url);
    free(a);
    free(r);
    free(a2);
    free(r2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_url((const char *)data, size);
    check_domain((const char *)data, size);
    return 0;
}
