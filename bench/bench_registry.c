/*
 * bench/bench_registry.c - the early-warning registry at scale: import N
 * synthetic indicators (default 1,000,000: phones, bank accounts, domains,
 * URLs) into a fresh database, reopen it (the index is rebuilt from the
 * store), and report the index's memory per indicator, the import and
 * rebuild times, and lookups per second for hits and misses - against the
 * peer every registry is compared with, a point query on the same SQLite
 * database (nt_store_find), measured in the same run.  The ChongLuaDao list
 * import is timed too when ../shared/data is there.
 *
 *   bench_registry [N]     prints one JSON object
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "niemtin/niemtin.h"

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *make_list(size_t n, int kind, size_t *len)
{
    size_t cap = n * 48 + 1, at = 0;
    char *b = malloc(cap);
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0:
            at += (size_t)snprintf(b + at, cap - at, "+8491%07zu\n", i);
            break;
        case 1:
            at += (size_t)snprintf(b + at, cap - at, "VCB:%010zu\n", i * 7919 + 11);
            break;
        case 2:
            at += (size_t)snprintf(b + at, cap - at, "scam-%zu.example.vn\n", i);
            break;
        default:
            at += (size_t)snprintf(b + at, cap - at, "phish-%zu.example.com/login/%zu\n", i % 50000,
                                   i);
            break;
        }
    }
    *len = at;
    return b;
}

typedef struct lk {
    nt_registry *reg;
    nt_store *st;
    size_t n;
    int miss, via_store, url;
    size_t found;
} lk;

static void lookups(void *arg)
{
    lk *l = arg;
    char v[64];
    for (size_t i = 0; i < 1000; i++) {
        size_t k = (i * 2654435761u) % l->n;
        if (l->url)
            snprintf(v, sizeof v, "http://phish-%zu.example.com/login/%zu?utm=1", k % 50000, k);
        else
            snprintf(v, sizeof v, "+84%s%07zu", l->miss ? "98" : "91", k);
        if (l->via_store) {
            nt_store_indicator ind;
            if (nt_store_find(l->st, NT_IND_PHONE, v, &ind, NULL) == NT_OK) {
                l->found++;
                nt_store_indicator_release(&ind);
            }
        } else {
            nt_reg_answer a;
            nt_registry_lookup_canonical(l->reg, l->url ? NT_IND_URL : NT_IND_PHONE, v, &a);
            l->found += a.n_matches > 0;
        }
    }
}

static nt_registry *open_reg(const char *path, nt_banks *banks)
{
    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = path;
    cfg.banks = banks;
    nt_registry *reg = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_registry_open(&cfg, &reg, &d)) {
        fprintf(stderr, "bench_registry: %s\n", d.message);
        exit(1);
    }
    return reg;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    char dir[] = "/tmp/nt_bench_registry_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[128];
    snprintf(path, sizeof path, "%s/reg.db", dir);
    nt_banks *banks = NULL;
    if (nt_banks_load(NT_SOURCE_DATA_DIR "/banks.tsv", &banks, NULL))
        return 1;
    nt_registry *reg = open_reg(path, banks);

    /* 40% phones, 20% bank accounts, 30% domains, 10% URLs */
    static const double share[4] = {0.4, 0.2, 0.3, 0.1};
    static const nt_ind_type types[4] = {NT_IND_PHONE, NT_IND_BANK_ACCOUNT, NT_IND_DOMAIN,
                                         NT_IND_URL};
    size_t per[4];
    double t_import = 0;
    for (int k = 0; k < 4; k++) {
        per[k] = (size_t)(n * share[k]);
        size_t len;
        char *list = make_list(per[k], k, &len);
        nt_import_options io = {.format = NT_IMPORT_LIST, .type = types[k], .name = "bench"};
        nt_diag d;
        nt_diag_clear(&d);
        double t = wall();
        if (nt_registry_import(reg, &io, list, len, NULL, &d)) {
            fprintf(stderr, "bench_registry: import: %s\n", d.message);
            return 1;
        }
        t_import += wall() - t;
        free(list);
    }
    nt_registry_close(reg);

    double t = wall();
    reg = open_reg(path, banks);
    double t_open = wall() - t;
    nt_registry_stats s;
    nt_registry_stats_get(reg, &s);

    lk hit = {.reg = reg, .st = nt_registry_store(reg), .n = per[0]};
    lk miss = hit, store = hit, url = hit;
    miss.miss = 1;
    store.via_store = 1;
    url.url = 1;
    url.n = per[3];
    double per_hit = bu_per_pass(lookups, &hit, 1.0) / 1000;
    double per_miss = bu_per_pass(lookups, &miss, 1.0) / 1000;
    double per_url = bu_per_pass(lookups, &url, 1.0) / 1000;
    double per_store = bu_per_pass(lookups, &store, 1.0) / 1000;
    if (!hit.found || miss.found || !url.found || !store.found) {
        fprintf(stderr, "bench_registry: lookups did not find what they should\n");
        return 1;
    }

    /* the real list */
    double t_cld = -1;
    size_t cld_lines = 0;
    const char *shared = bu_shared_dir(NULL);
    char cld[512];
    snprintf(cld, sizeof cld, "%s/chongluadao-blocklist/urls.txt", shared ? shared : ".");
    FILE *f = fopen(cld, "rb");
    if (f) {
        char *buf = malloc(1 << 21);
        size_t len = fread(buf, 1, 1 << 21, f);
        fclose(f);
        char p2[160];
        snprintf(p2, sizeof p2, "%s/cld.db", dir);
        nt_registry *r2 = open_reg(p2, banks);
        nt_import_options io = {.format = NT_IMPORT_CHONGLUADAO, .name = "chongluadao"};
        nt_import_result *res = calloc(1, sizeof *res);
        t = wall();
        if (nt_registry_import(r2, &io, buf, len, res, NULL) == NT_OK) {
            t_cld = wall() - t;
            cld_lines = res->lines;
        }
        free(res);
        free(buf);
        nt_registry_close(r2);
    }

    printf(
        "{\n  \"benchmark\": \"registry\",\n  \"indicators\": %zu,\n  \"keys\": %zu,\n"
        "  \"slots\": %zu,\n  \"index_bytes_per_indicator\": %.1f,\n"
        "  \"value_bytes_per_indicator\": %.1f,\n  \"import_seconds\": %.2f,\n"
        "  \"import_per_second\": %.0f,\n  \"open_rebuild_seconds\": %.2f,\n"
        "  \"lookup_hit_per_second\": %.0f,\n  \"lookup_miss_per_second\": %.0f,\n"
        "  \"lookup_url_per_second\": %.0f,\n  \"baseline_sqlite_point_query_per_second\": %.0f,\n"
        "  \"speedup_vs_sqlite\": %.1f,\n  \"chongluadao_lines\": %zu,\n"
        "  \"chongluadao_import_seconds\": %.2f\n}\n",
        s.indicators, s.keys, s.slots, (double)s.bytes_index / (double)s.indicators,
        (double)s.bytes_values / (double)s.indicators, t_import, (double)n / t_import, t_open,
        1.0 / per_hit, 1.0 / per_miss, 1.0 / per_url, 1.0 / per_store, per_store / per_hit,
        cld_lines, t_cld);
    nt_registry_close(reg);
    nt_banks_free(banks);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
