/*
 * bench/bench_desk.c - the fact-check desk end to end, beside the registry's
 * report path on the same kind of database in the same run.
 *
 * A desk on a fresh SQLite file (WAL, synchronous=FULL, the audit chain)
 * publishes the 150 claims of tests/data/vi-claims and N_FILLER synthetic
 * fact-checks (random sentences of the claims' own words, published with
 * NT_DESK_ALLOW_SIMILAR), each through the whole workflow (a tip, a
 * publication).  Then the 260 rumours of the dev and held-out sets are sent
 * as tips, ROUNDS times: each is matched against the published fact-checks
 * and the open items, clustered, and written with its audit entry.
 *
 * Measured, in thread CPU time (the fsync of every commit is wall time and
 * depends on the disk, not on us): CPU per publication and per tip, and
 * per report for the peer - nt_store_report_add of a phone number with its
 * evidence, which is the same machinery (a transaction, a few rows, an audit
 * entry) without the matching; the ratio says what matching costs a tip.
 * Also the end-to-end answer on the first round: how many rumours of a
 * published claim got that claim's verdict at once (recall), how many got
 * another claim's (wrong), and how many rumours of nothing got a verdict
 * (false answers).  Prints one JSON object.
 *
 * Usage: bench_desk [N_FILLER] [ROUNDS]   (defaults 2000, 3)
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchutil.h"
#include "niemtin/niemtin.h"

#define SOURCE_ROOT NT_SOURCE_DATA_DIR "/.."

static void die(const char *what, const nt_diag *d)
{
    fprintf(stderr, "bench_desk: %s%s%s\n", what, d ? ": " : "", d ? d->message : "");
    exit(1);
}

static uint64_t rng_state = 0x6465736b62656e63ull;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The words of a text, split on spaces (malloc'd copies appended to *w). */
static void words_of(const char *s, char ***w, size_t *n, size_t *cap)
{
    while (*s) {
        while (*s == ' ')
            s++;
        size_t k = strcspn(s, " ");
        if (!k)
            break;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            *w = realloc(*w, *cap * sizeof **w);
            if (!*w)
                die("out of memory", NULL);
        }
        char *x = malloc(k + 1);
        if (!x)
            die("out of memory", NULL);
        memcpy(x, s, k);
        x[k] = '\0';
        (*w)[(*n)++] = x;
        s += k;
    }
}

static const char *const EVIDENCE[] = {"https://example.org/bench/evidence"};

static int64_t publish(nt_desk *d, const char *claim, const char *verdict, unsigned flags)
{
    nt_tip_in tip = {.text = claim, .text_len = strlen(claim), .channel = "desk", .actor = "bench"};
    nt_tip_result r;
    nt_diag diag;
    nt_diag_clear(&diag);
    if (nt_desk_submit(d, &tip, &r, &diag) != NT_OK)
        die("submit", &diag);
    if (r.factcheck_id) /* already answered: a filler sentence that repeats one */
        return 0;
    nt_factcheck_in in = {.claim = claim,
                          .verdict = verdict,
                          .explanation = "Dữ liệu đo hiệu năng.",
                          .evidence = EVIDENCE,
                          .n_evidence = 1};
    int64_t id = 0;
    if (nt_desk_publish(d, r.item_id, &in, flags, "bench", &id, &diag) != NT_OK)
        die("publish", &diag);
    return id;
}

int main(int argc, char **argv)
{
    size_t n_filler = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
    int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
    if (rounds < 1)
        rounds = 1;
    nt_diag diag;
    nt_diag_clear(&diag);
    nt_claim_dataset *dev = NULL, *held = NULL;
    if (nt_claim_dataset_load_jsonl(SOURCE_ROOT "/tests/data/vi-claims/claims.jsonl",
                                    SOURCE_ROOT "/tests/data/vi-claims/dev.jsonl", &dev,
                                    &diag) != NT_OK ||
        nt_claim_dataset_load_jsonl(SOURCE_ROOT "/tests/data/vi-claims/claims.jsonl",
                                    SOURCE_ROOT "/tests/data/vi-claims/heldout.jsonl", &held,
                                    &diag) != NT_OK)
        die("tests/data/vi-claims", &diag);
    nt_lexicon *teencode = NULL, *synonyms = NULL;
    if (nt_lexicon_load(NT_SOURCE_DATA_DIR "/teencode.tsv", &teencode, &diag) != NT_OK ||
        nt_lexicon_load(NT_SOURCE_DATA_DIR "/claims-synonyms.tsv", &synonyms, &diag) != NT_OK)
        die("lexicons", &diag);
    char dir[] = "/tmp/bench_desk_XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp", NULL);
    char path[64], rpath[64];
    snprintf(path, sizeof path, "%s/desk.db", dir);
    snprintf(rpath, sizeof rpath, "%s/reg.db", dir);

    nt_desk_config cfg;
    nt_desk_config_init(&cfg);
    cfg.store.path = path;
    cfg.teencode = teencode;
    cfg.synonyms = synonyms;
    nt_desk *d = NULL;
    if (nt_desk_open(&cfg, &d, &diag) != NT_OK)
        die("desk", &diag);

    /* the published fact-checks: the real claims, then the filler */
    size_t nclaims = 0;
    const nt_claim *claims = nt_claim_dataset_claims(dev, &nclaims);
    char **words = NULL;
    size_t nwords = 0, wcap = 0;
    for (size_t i = 0; i < nclaims; i++)
        words_of(claims[i].text, &words, &nwords, &wcap);
    int64_t *fc_of = calloc(nclaims, sizeof *fc_of);
    if (!fc_of)
        die("out of memory", NULL);
    double t0 = bu_cpu_now();
    size_t published = 0;
    for (size_t i = 0; i < nclaims; i++)
        if ((fc_of[i] = publish(d, claims[i].text, "false", NT_DESK_ALLOW_SIMILAR)))
            published++;
    char buf[1024];
    for (size_t i = 0; i < n_filler; i++) {
        size_t len = 0, nw = 10 + rng() % 10;
        for (size_t k = 0; k < nw; k++) {
            const char *w = words[rng() % nwords];
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", k ? " " : "", w);
            if (len >= sizeof buf - 64)
                break;
        }
        if (publish(d, buf, (i % 5) ? "false" : "misleading", NT_DESK_ALLOW_SIMILAR))
            published++;
    }
    double t_pub = bu_cpu_now() - t0;

    /* the rumours as tips */
    size_t nq1 = 0, nq2 = 0;
    const nt_claim_query *q1 = nt_claim_dataset_queries(dev, &nq1);
    const nt_claim_query *q2 = nt_claim_dataset_queries(held, &nq2);
    size_t tips = 0, answered_right = 0, answered_wrong = 0, related = 0, unrelated = 0,
           false_answers = 0;
    t0 = bu_cpu_now();
    for (int r = 0; r < rounds; r++) {
        for (size_t k = 0; k < nq1 + nq2; k++) {
            const nt_claim_query *q = k < nq1 ? &q1[k] : &q2[k - nq1];
            nt_tip_in tip = {.text = q->text, .text_len = q->len, .channel = "zalo"};
            nt_tip_result res;
            if (nt_desk_submit(d, &tip, &res, &diag) != NT_OK)
                die("tip", &diag);
            tips++;
            if (r)
                continue;
            int64_t want = 0;
            for (size_t i = 0; q->n_relevant && i < nclaims; i++)
                if (strcmp(claims[i].id, q->relevant[0]) == 0)
                    want = fc_of[i];
            if (q->n_relevant) {
                related++;
                if (res.factcheck_id && res.factcheck_id == want)
                    answered_right++;
                else if (res.factcheck_id)
                    answered_wrong++;
            } else {
                unrelated++;
                false_answers += res.factcheck_id != 0;
            }
        }
    }
    double t_tip = bu_cpu_now() - t0;
    nt_desk_close(d);

    /* the peer: registry reports on the same kind of database */
    nt_banks *banks = NULL;
    if (nt_banks_load(NT_SOURCE_DATA_DIR "/banks.tsv", &banks, &diag) != NT_OK)
        die("banks", &diag);
    nt_store_config sc;
    nt_store_config_init(&sc);
    sc.path = rpath;
    sc.banks = banks;
    nt_store *st = NULL;
    if (nt_store_open(&sc, &st, &diag) != NT_OK)
        die("store", &diag);
    t0 = bu_cpu_now();
    for (size_t k = 0; k < tips; k++) {
        const nt_claim_query *q = (k % (nq1 + nq2)) < nq1 ? &q1[k % (nq1 + nq2)]
                                                          : &q2[k % (nq1 + nq2) - nq1];
        char phone[32];
        snprintf(phone, sizeof phone, "0899%06zu", k % 997);
        nt_report_in in = {.type = NT_IND_PHONE,
                           .value = phone,
                           .value_len = strlen(phone),
                           .channel = "zalo",
                           .evidence = q->text,
                           .evidence_len = q->len};
        if (nt_store_report_add(st, &in, NULL, NULL, &diag) != NT_OK)
            die("report", &diag);
    }
    double t_rep = bu_cpu_now() - t0;
    nt_store_close(st);
    nt_banks_free(banks);

    json_t *out = json_pack(
        "{s:s, s:I, s:I, s:{s:f, s:f}, s:{s:I, s:f, s:f, s:f}, s:{s:I, s:f, s:f}, s:{s:I, s:I, "
        "s:I, s:f, s:I, s:I}}",
        "bench", "desk", "published", (json_int_t)published, "filler", (json_int_t)n_filler,
        "publish", "cpu_ms_per_publication", 1e3 * t_pub / (double)(published ? published : 1),
        "publications_per_cpu_s", (double)published / (t_pub > 0 ? t_pub : 1e-9), "tip", "tips",
        (json_int_t)tips, "cpu_ms_per_tip", 1e3 * t_tip / (double)tips, "tips_per_cpu_s",
        (double)tips / (t_tip > 0 ? t_tip : 1e-9), "vs_report",
        t_rep > 0 ? t_tip / t_rep : 0.0, "peer_registry_report", "reports", (json_int_t)tips,
        "cpu_ms_per_report", 1e3 * t_rep / (double)tips, "reports_per_cpu_s",
        (double)tips / (t_rep > 0 ? t_rep : 1e-9), "answers_first_round", "rumours_of_a_claim",
        (json_int_t)related, "verdict_right", (json_int_t)answered_right, "verdict_wrong",
        (json_int_t)answered_wrong, "recall", related ? (double)answered_right / related : 0.0,
        "rumours_of_nothing", (json_int_t)unrelated, "false_answers", (json_int_t)false_answers);
    char *s = json_dumps(out, JSON_INDENT(2) | JSON_REAL_PRECISION(4));
    puts(s);
    free(s);
    json_decref(out);

    for (size_t i = 0; i < nwords; i++)
        free(words[i]);
    free(words);
    free(fc_of);
    nt_claim_dataset_free(dev);
    nt_claim_dataset_free(held);
    nt_lexicon_free(teencode);
    nt_lexicon_free(synonyms);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_desk: could not remove %s\n", dir);
    return 0;
}
