/*
 * fuzz/fuzz_claims.c - libFuzzer harness for claim matching: the claims-file
 * parser, building an index, adding to it, and queries.
 *
 * The input is a claims file, a NUL byte, then a query (without a NUL the
 * whole input is both).  Any bytes must give NT_OK or a documented error with
 * a diag naming a line inside the file; a file that parses must build; the
 * first half of its claims built and the rest added must hold every claim,
 * findable by id at its ordinal; and every query must give at most k
 * matches, best first, with scores in [0, 1], distinct claims and passages
 * inside the query and the claim text.  Any violation traps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);      \
            __builtin_trap();                                                                  \
        }                                                                                      \
    } while (0)

/* Claims beyond this are not indexed (the harness must stay fast). */
#define MAX_CLAIMS 64

static nt_lexicon *teencode, *synonyms;
static nt_claims_scratch *scratch;

static void init(void)
{
    if (scratch)
        return;
    if (nt_lexicon_load(NT_SOURCE_DATA_DIR "/teencode.tsv", &teencode, NULL) != NT_OK ||
        nt_lexicon_load(NT_SOURCE_DATA_DIR "/claims-synonyms.tsv", &synonyms, NULL) != NT_OK ||
        nt_claims_scratch_new(&scratch) != NT_OK)
        __builtin_trap();
}

static void check_matches(const nt_claims *idx, const char *q, size_t qlen, size_t k)
{
    const nt_claim_match *m = NULL;
    size_t n = 0;
    nt_diag d;
    nt_err rc = nt_claims_match(idx, scratch, q, qlen, k, 0, &m, &n, &d);
    if (rc == NT_ERR_TOO_BIG)
        return;
    CHECK(rc == NT_OK);
    CHECK(n <= k);
    for (size_t i = 0; i < n; i++) {
        nt_claim c;
        CHECK(nt_claims_get(idx, m[i].ordinal, &c) == NT_OK);
        CHECK(strcmp(c.id, m[i].id) == 0);
        CHECK(m[i].score >= 0 && m[i].score <= 1);
        CHECK(m[i].coverage >= 0 && m[i].coverage <= 1 + 1e-6);
        CHECK(m[i].query_coverage >= 0 && m[i].query_coverage <= 1 + 1e-6);
        CHECK(m[i].containment >= 0 && m[i].containment <= 1 + 1e-6);
        CHECK(m[i].same == (m[i].score >= nt_claims_options_of(idx)->threshold));
        CHECK(m[i].q_start <= m[i].q_end && m[i].q_end <= qlen);
        CHECK(m[i].c_start <= m[i].c_end && m[i].c_end <= strlen(c.text));
        if (i) {
            CHECK(m[i - 1].score >= m[i].score);
            for (size_t j = 0; j < i; j++)
                CHECK(m[j].ordinal != m[i].ordinal);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t flen = nul ? (size_t)(nul - text) : size;
    const char *q = nul ? nul + 1 : text;
    size_t qlen = nul ? size - flen - 1 : size;

    nt_claim_set *set = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_claim_set_parse(text, flen, "fuzz", &set, &d);
    if (rc != NT_OK) {
        CHECK(!set);
        CHECK(rc == NT_ERR_PARSE || rc == NT_ERR_INVALID || rc == NT_ERR_TOO_BIG);
        CHECK(d.code == rc && d.line >= 1 && d.offset <= flen);
        return 0;
    }
    size_t n = 0;
    const nt_claim *claims = nt_claim_set_claims(set, &n);
    if (n > MAX_CLAIMS)
        n = MAX_CLAIMS;
    nt_claims_options o;
    nt_claims_options_init(&o);
    o.teencode = teencode;
    o.synonyms = synonyms;
    nt_claims *half = NULL, *all = NULL;
    CHECK(nt_claims_build(&o, claims, n / 2, &half, &d) == NT_OK);
    CHECK(nt_claims_add(half, n ? claims + n / 2 : NULL, n - n / 2, &all, &d) == NT_OK);
    CHECK(nt_claims_count(all) == n);
    for (size_t i = 0; i < n; i++) {
        size_t ord;
        CHECK(nt_claims_find(all, claims[i].id, &ord) == NT_OK && ord == i);
    }
    nt_claims_free(half); /* the derived index keeps the shared segment */
    check_matches(all, q, qlen, 5);
    if (n)
        check_matches(all, claims[n - 1].text, strlen(claims[n - 1].text), 1);
    nt_claims_free(all);
    nt_claim_set_free(set);
    return 0;
}
