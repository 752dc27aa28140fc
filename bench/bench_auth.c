/*
 * bench/bench_auth.c - what authentication costs a request: API key checks
 * per second (one thread and two, with 1,000 keys in the table) against the
 * floor (the BLAKE2b hash alone) and against what argon2id would cost per
 * request; argon2id at the chosen limits (NT_PWHASH_*) to hash and to verify
 * a password; session checks per second (one SQLite point read); and the
 * audit log: appends per second (each its own durable transaction) and
 * entries verified per second.
 *
 *   bench_auth [KEYS]      prints one JSON object
 */
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "niemtin/niemtin.h"
#include "store/store_int.h"

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct kv {
    nt_auth *a;
    const char *token;
    size_t n, ok;
    double secs;
} kv;

static void *verify_loop(void *arg)
{
    kv *k = arg;
    size_t len = strlen(k->token);
    double t0 = wall();
    for (size_t i = 0; i < k->n; i++) {
        nt_principal p;
        nt_authn r;
        nt_auth_verify_key(k->a, k->token, len, &p, &r);
        k->ok += r == NT_AUTHN_OK;
    }
    k->secs = wall() - t0;
    return NULL;
}

static double verify_rate(nt_auth *a, const char *token, int threads, size_t each)
{
    pthread_t tid[8];
    kv k[8];
    double t0 = wall();
    for (int i = 0; i < threads; i++) {
        k[i] = (kv){a, token, each, 0, 0};
        pthread_create(&tid[i], NULL, verify_loop, &k[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    double secs = wall() - t0;
    for (int i = 0; i < threads; i++)
        if (k[i].ok != each)
            fprintf(stderr, "bench_auth: %zu of %zu checks failed\n", each - k[i].ok, each);
    return (double)each * threads / secs;
}

int main(int argc, char **argv)
{
    size_t nkeys = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
    char dir[] = "/tmp/nt_bench_auth_XXXXXX", path[256];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/auth.db", dir);
    nt_auth_config cfg;
    nt_auth_config_init(&cfg);
    cfg.path = path;
    nt_auth *a;
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_auth_open(&cfg, &a, &d)) {
        fprintf(stderr, "bench_auth: %s\n", d.message);
        return 1;
    }
    nt_principal sys;
    nt_principal_system(&sys);
    nt_auth_org_add(a, &sys, "Bench Bank", NT_ORG_BANK, NULL, NULL);
    nt_key_secret key;
    nt_key_in in = {.org = "Bench Bank", .role = NT_ROLE_MEMBER};
    double t0 = wall();
    for (size_t i = 0; i < nkeys; i++)
        if (nt_auth_key_create(a, &sys, &in, &key, &d)) {
            fprintf(stderr, "bench_auth: %s\n", d.message);
            return 1;
        }
    double create_s = (wall() - t0) / (double)nkeys;

    /* key checks */
    size_t each = 400000;
    double one = verify_rate(a, key.token, 1, each);
    double two = verify_rate(a, key.token, 2, each / 2);
    /* the floor: the BLAKE2b-256 of 38 bytes every check computes */
    unsigned char raw[38] = {1}, h[32], kk[32] = {2};
    t0 = wall();
    for (size_t i = 0; i < each; i++) {
        raw[0] = (unsigned char)i;
        crypto_generichash(h, 32, raw, sizeof raw, kk, sizeof kk);
    }
    double floor_rate = (double)each / (wall() - t0);

    /* argon2id at the chosen limits */
    const char *pw = "một mật khẩu đủ dài để đo";
    char hash[crypto_pwhash_STRBYTES];
    int rounds = 5;
    double hs[5], vs[5];
    for (int i = 0; i < rounds; i++) {
        t0 = wall();
        if (crypto_pwhash_str_alg(hash, pw, strlen(pw), NT_PWHASH_OPSLIMIT, NT_PWHASH_MEMLIMIT,
                                  crypto_pwhash_ALG_ARGON2ID13) != 0)
            return 1;
        hs[i] = wall() - t0;
        t0 = wall();
        if (crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
            return 1;
        vs[i] = wall() - t0;
    }
    double hash_s = bu_median(hs, rounds), verify_s = bu_median(vs, rounds);

    /* sessions */
    nt_user_in u = {
        .login = "bench", .role = NT_ROLE_ANALYST, .password = pw, .password_len = strlen(pw)};
    nt_auth_user_add(a, &sys, &u, NULL, NULL);
    nt_login_result lr;
    t0 = wall();
    nt_auth_login(a, "bench", pw, strlen(pw), "127.0.0.1", &lr, NULL);
    double login_s = wall() - t0;
    size_t nsess = 100000;
    t0 = wall();
    for (size_t i = 0; i < nsess; i++) {
        nt_principal p;
        nt_authn r;
        nt_auth_session_check(a, lr.token, strlen(lr.token), &p, &r, NULL);
    }
    double sess_rate = (double)nsess / (wall() - t0);

    /* the audit log: each append is its own durable transaction (fsync) */
    nt_store_config sc;
    nt_store_config_init(&sc);
    sc.path = path;
    nt_store *st;
    if (nt_store_open(&sc, &st, &d)) {
        fprintf(stderr, "bench_auth: %s\n", d.message);
        return 1;
    }
    size_t nappend = 300;
    t0 = wall();
    for (size_t i = 0; i < nappend; i++)
        nt_audit_append(st, "system", "bench.append", "bench", "{\"i\":1}", NULL, NULL);
    double append_rate = (double)nappend / (wall() - t0);
    /* many appends in one transaction: the chain's own cost, without fsync */
    size_t nbulk = 50000;
    t0 = wall();
    nt__store_begin(st, NULL);
    for (size_t i = 0; i < nbulk; i++)
        nt__audit_append(st, 1767225600 + (int64_t)i, "lan", "indicator.confirm", "indicator:42",
                         "{\"from\":\"reported\",\"reason\":\"ngân hàng xác nhận\",\"to\":"
                         "\"confirmed\",\"type\":\"phone\",\"value\":\"+84912345678\"}",
                         NULL);
    nt__store_commit(st, NULL);
    double bulk_rate = (double)nbulk / (wall() - t0);
    nt_audit_verdict v;
    t0 = wall();
    nt_audit_verify(st, NULL, 0, &v, NULL);
    double verify_secs = wall() - t0;
    nt_store_close(st);

    printf("{\n");
    printf("  \"keys_in_table\": %zu,\n", nkeys);
    printf("  \"key_create_ms\": %.2f,\n", create_s * 1e3);
    printf("  \"key_checks_per_second_1_thread\": %.0f,\n", one);
    printf("  \"key_checks_per_second_2_threads\": %.0f,\n", two);
    printf("  \"blake2b_floor_per_second\": %.0f,\n", floor_rate);
    printf("  \"key_check_vs_floor\": %.2f,\n", one / floor_rate);
    printf("  \"argon2id_limits\": \"t=%llu, m=%u MiB, p=1\",\n", NT_PWHASH_OPSLIMIT,
           NT_PWHASH_MEMLIMIT >> 20);
    printf("  \"argon2id_hash_ms\": %.1f,\n", hash_s * 1e3);
    printf("  \"argon2id_verify_ms\": %.1f,\n", verify_s * 1e3);
    printf("  \"argon2id_checks_per_second_per_core\": %.1f,\n", 1.0 / verify_s);
    printf("  \"key_check_vs_argon2id\": %.0f,\n", one * verify_s);
    printf("  \"login_ms\": %.1f,\n", login_s * 1e3);
    printf("  \"session_checks_per_second\": %.0f,\n", sess_rate);
    printf("  \"audit_appends_per_second\": %.0f,\n", append_rate);
    printf("  \"audit_appends_per_second_in_one_transaction\": %.0f,\n", bulk_rate);
    printf("  \"audit_entries_verified\": %lld,\n", (long long)v.entries);
    printf("  \"audit_verify_entries_per_second\": %.0f,\n",
           verify_secs > 0 ? (double)v.entries / verify_secs : 0.0);
    printf("  \"audit_intact\": %s\n", v.problem == NT_AUDIT_INTACT ? "true" : "false");
    printf("}\n");
    nt_secret_wipe(&key, sizeof key);
    nt_secret_wipe(&lr, sizeof lr);
    nt_auth_close(a);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
