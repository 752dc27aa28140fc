/*
 * bench/bench_registry.c - the early-warning registry at scale, beside the
 * peers a member would otherwise use, all measured in the same run:
 *
 *   1. N synthetic indicators (40% phones, 20% bank accounts, 30% domains,
 *      10% URLs) imported into a fresh database by a child process, then
 *      opened here (the index is rebuilt from the store): memory per
 *      indicator from the registry's own accounting (nt_registry_stats) and
 *      from the process RSS;
 *   2. lookups on one core: a fixed mix of phones, bank accounts and domains,
 *      half hits and half misses, asked five ways (thread CPU time; p50/p99
 *      latency from a timed pass): exact (nt_registry_lookup_exact, the one
 *      key, the same work the peers do), rules (nt_registry_lookup_canonical,
 *      every key the lookup rules give), both batched
 *      (nt_registry_lookup_batch, 64 a call), and raw (nt_registry_lookup on
 *      what a person types); the rules per type alone; the same (type, value)
 *      keys as indexed SELECTs on the same SQLite database, and as GETs to a
 *      Redis server this program starts on a loopback port (Debian's
 *      redis-server, no persistence), loaded with the same keys, read with
 *      hiredis one round trip at a time and pipelined - each peer with
 *      canonical keys, and again canonicalising the raw value with nt_canon
 *      first; Redis's cost per lookup is the client's CPU plus the server's
 *      (INFO cpu), so the ratios compare CPU seconds per lookup, per core;
 *   3. the import rate of a 1M-line plain list of phone numbers beside the
 *      sqlite3 shell's .import of the same file into a one-column table with
 *      a unique index;
 *   4. the ChongLuaDao list import when ../shared/data is there.
 *
 *   bench_registry [N] [--10m]     N defaults to 1,000,000; --10m (or
 *                                  NT_BENCH_10M=1) adds a run at 10,000,000
 *
 * Prints one JSON object.  Only loopback is used.  "ratios" compares the same
 * work (exact keys), the registry's whole lookup against the peers' exact key
 * (more work on our side), and raw input (canonicalisation on every side).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef NT_HAVE_HIREDIS
#include <hiredis/hiredis.h>
#endif

#include "benchutil.h"
#include "niemtin/niemtin.h"

#define QUERIES 1000000u     /* lookups in the in-process mix */
#define SQL_QUERIES 200000u  /* of them, asked of SQLite */
#define REDIS_SINGLE 100000u /* of them, asked of Redis one round trip at a time */
#define PIPELINE 100u

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void die(const char *what)
{
    fprintf(stderr, "bench_registry: %s\n", what);
    exit(1);
}

/* Resident set size of this process, bytes (/proc/self/status VmRSS). */
static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtoul(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb * 1024;
}

/* ---- the synthetic registry ------------------------------------------------------------- */

static const double share[4] = {0.4, 0.2, 0.3, 0.1};
static const nt_ind_type types[4] = {NT_IND_PHONE, NT_IND_BANK_ACCOUNT, NT_IND_DOMAIN, NT_IND_URL};

/* The canonical value of the i-th indicator of kind k (hit), or of a value
 * never stored (miss). */
static int value_of(int k, size_t i, int miss, char *out, size_t cap)
{
    switch (k) {
    case 0:
        return snprintf(out, cap, "+84%s%07zu", miss ? "98" : "91", i);
    case 1:
        return snprintf(out, cap, "VCB:%010zu", i * 7919 + (miss ? 12 : 11));
    case 2:
        return snprintf(out, cap, "%s-%zu.example.vn", miss ? "safe" : "scam", i);
    default:
        return snprintf(out, cap, "phish-%zu.example.com/login/%zu", i % 50000,
                        i + (miss ? 1u << 30 : 0));
    }
}

static char *make_list(int k, size_t from, size_t n, size_t *len)
{
    size_t cap = n * 48 + 1, at = 0;
    char *b = malloc(cap);
    if (!b)
        die("out of memory");
    for (size_t i = from; i < from + n; i++) {
        at += (size_t)value_of(k, i, 0, b + at, cap - at);
        b[at++] = '\n';
    }
    *len = at;
    return b;
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
        fprintf(stderr, "bench_registry: %s: %s\n", path, d.message);
        exit(1);
    }
    return reg;
}

/* Build the database in a child process, so this one's RSS measures only
 * what opening the registry costs.  Returns the import's wall seconds. */
static double build_db(const char *path, nt_banks *banks, size_t n, size_t per[4])
{
    int fds[2];
    for (int k = 0; k < 4; k++)
        per[k] = (size_t)((double)n * share[k]);
    if (pipe(fds))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fds[0]);
        nt_registry *reg = open_reg(path, banks);
        double t = 0;
        for (int k = 0; k < 4; k++) {
            /* at most 1M lines an import (a transaction each) keeps memory sane */
            for (size_t from = 0; from < per[k]; from += 1000000) {
                size_t m = per[k] - from < 1000000 ? per[k] - from : 1000000, len;
                char *list = make_list(k, from, m, &len);
                nt_import_options io = {
                    .format = NT_IMPORT_LIST, .type = types[k], .name = "bench"};
                nt_diag d;
                nt_diag_clear(&d);
                double t0 = wall();
                if (nt_registry_import(reg, &io, list, len, NULL, &d)) {
                    fprintf(stderr, "bench_registry: import: %s\n", d.message);
                    _exit(1);
                }
                t += wall() - t0;
                free(list);
            }
        }
        nt_registry_close(reg);
        if (write(fds[1], &t, sizeof t) != sizeof t)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    double t = -1;
    ssize_t got = read(fds[0], &t, sizeof t);
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    if (got != sizeof t || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("building the database failed");
    return t;
}

/* ---- the query mix -----------------------------------------------------------------------------
 */

#define QLEN 48

typedef struct queries {
    char (*v)[QLEN];
    char (*raw)[QLEN];     /* the same value as a person would type it */
    const char **ptr;      /* v[i], for the batch call */
    nt_ind_type *ty;       /* types[type[i]] */
    unsigned char *type; /* kind 0..3 */
    unsigned char *hit;
    size_t n, hits;
} queries;

/* The canonical value c of kind k as a person would type it: a phone in
 * national format with spaces, an account with the bank's name, a domain in
 * mixed case with the root dot, a URL with its scheme. */
static void raw_of(int k, const char *c, char *out, size_t cap)
{
    switch (k) {
    case 0: /* +84ddddddddd -> 0dd ddd dddd */
        snprintf(out, cap, "0%.2s %.3s %s", c + 3, c + 5, c + 8);
        break;
    case 1: /* VCB:digits -> Vietcombank digits */
        snprintf(out, cap, "Vietcombank %s", c + 4);
        break;
    case 2: {
        size_t n = (size_t)snprintf(out, cap, "%s.", c);
        for (size_t i = 0; i < n; i++)
            if (i == 0 || out[i - 1] == '.' || out[i - 1] == '-')
                out[i] = (char)(out[i] >= 'a' && out[i] <= 'z' ? out[i] - 32 : out[i]);
        break;
    }
    default:
        snprintf(out, cap, "https://%s", c);
        break;
    }
}

/* n lookups: kinds 4:2:3 (phones, accounts, domains) or only kind `only`
 * (>= 0), alternately hits and misses, spread over the whole registry. */
static void make_queries(queries *q, size_t n, const size_t per[4], int only)
{
    q->v = malloc(n * sizeof *q->v);
    q->raw = malloc(n * sizeof *q->raw);
    q->ptr = malloc(n * sizeof *q->ptr);
    q->ty = malloc(n * sizeof *q->ty);
    q->type = malloc(n);
    q->hit = malloc(n);
    if (!q->v || !q->raw || !q->ptr || !q->ty || !q->type || !q->hit)
        die("out of memory");
    q->n = n;
    q->hits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned r = (unsigned)(i % 9);
        int k = only >= 0 ? only : r < 4 ? 0 : r < 6 ? 1 : 2;
        int hit = (i / 9) % 2 == 0;
        size_t idx = (size_t)(((uint64_t)i * 2654435761u) % per[k]);
        value_of(k, idx, !hit, q->v[i], QLEN);
        raw_of(k, q->v[i], q->raw[i], QLEN);
        q->ptr[i] = q->v[i];
        q->ty[i] = types[k];
        q->type[i] = (unsigned char)k;
        q->hit[i] = (unsigned char)hit;
        q->hits += (size_t)hit;
    }
}

static void queries_free(queries *q)
{
    free(q->v);
    free(q->raw);
    free(q->ptr);
    free(q->ty);
    free(q->type);
    free(q->hit);
}

/* How the registry is asked. */
typedef enum mode {
    M_RULES,       /* nt_registry_lookup_canonical: every key the lookup rules give */
    M_RULES_BATCH, /* nt_registry_lookup_batch, BATCH at a time */
    M_EXACT,       /* nt_registry_lookup_exact: the one key, as the peers are asked */
    M_EXACT_BATCH, /* nt_registry_lookup_batch with NT_LOOKUP_EXACT */
    M_RAW,         /* nt_registry_lookup: canonicalise what a person typed, then the rules */
} mode;
#define BATCH 64

typedef struct inproc {
    const nt_registry *reg;
    const queries *q;
    mode m;
    size_t found;
} inproc;

static nt_reg_answer batch_answers[BATCH];

static void inproc_pass(void *arg)
{
    inproc *p = arg;
    const queries *q = p->q;
    size_t found = 0;
    if (p->m == M_RULES_BATCH || p->m == M_EXACT_BATCH) {
        unsigned flags = p->m == M_EXACT_BATCH ? NT_LOOKUP_EXACT : 0;
        for (size_t i = 0; i < q->n; i += BATCH) {
            size_t m = q->n - i < BATCH ? q->n - i : BATCH;
            nt_registry_lookup_batch(p->reg, m, q->ty + i, q->ptr + i, flags, batch_answers);
            for (size_t j = 0; j < m; j++)
                found += batch_answers[j].n_matches > 0;
        }
        p->found = found;
        return;
    }
    for (size_t i = 0; i < q->n; i++) {
        nt_reg_answer a;
        if (p->m == M_EXACT)
            nt_registry_lookup_exact(p->reg, q->ty[i], q->v[i], &a);
        else if (p->m == M_RAW) {
            nt_registry_lookup(p->reg, q->ty[i], q->raw[i], strlen(q->raw[i]), &a, NULL);
            nt_reg_answer_release(&a);
        } else
            nt_registry_lookup_canonical(p->reg, q->ty[i], q->v[i], &a);
        found += a.n_matches > 0;
    }
    p->found = found;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct lat {
    double per_cpu_second, p50_ns, p99_ns, p999_ns, timer_ns;
    size_t found;
} lat;

static lat measure_inproc(const nt_registry *reg, const queries *q, mode m)
{
    lat r = {0};
    inproc p = {reg, q, m, 0};
    inproc_pass(&p); /* warm */
    double per = bu_per_pass(inproc_pass, &p, 2.0);
    r.per_cpu_second = (double)q->n / per;
    r.found = p.found;
    if (m == M_RULES_BATCH || m == M_EXACT_BATCH)
        return r; /* no latency of its own: a batch answers all at once */
    uint64_t *ns = malloc(q->n * sizeof *ns);
    if (!ns)
        die("out of memory");
    for (size_t i = 0; i < q->n; i++) {
        nt_reg_answer a;
        uint64_t t0 = now_ns();
        if (m == M_EXACT)
            nt_registry_lookup_exact(reg, q->ty[i], q->v[i], &a);
        else if (m == M_RAW)
            nt_registry_lookup(reg, q->ty[i], q->raw[i], strlen(q->raw[i]), &a, NULL);
        else
            nt_registry_lookup_canonical(reg, q->ty[i], q->v[i], &a);
        ns[i] = now_ns() - t0;
        if (m == M_RAW)
            nt_reg_answer_release(&a);
    }
    qsort(ns, q->n, sizeof *ns, cmp_u64);
    r.p50_ns = (double)ns[q->n / 2];
    r.p99_ns = (double)ns[q->n * 99 / 100];
    r.p999_ns = (double)ns[q->n * 999 / 1000];
    for (size_t i = 0; i < 100000 && i < q->n; i++) {
        uint64_t t0 = now_ns();
        ns[i] = now_ns() - t0;
    }
    qsort(ns, q->n < 100000 ? q->n : 100000, sizeof *ns, cmp_u64);
    r.timer_ns = (double)ns[(q->n < 100000 ? q->n : 100000) / 2];
    free(ns);
    return r;
}

/* ---- SQLite: the same keys as indexed SELECTs --------------------------------------------------
 */

static nt_banks *g_banks;

/* The peers get canonical keys; for the "raw input" comparison they first
 * canonicalise what was typed with the same library (nt_canon), as a member
 * using them would have to.  *buf is malloc'd when raw. */
static const char *peer_key(const queries *q, size_t i, int raw, char **buf)
{
    *buf = NULL;
    if (!raw)
        return q->v[i];
    if (nt_canon(q->ty[i], g_banks, q->raw[i], strlen(q->raw[i]), buf, NULL) != NT_OK)
        die("a raw query did not canonicalise");
    return *buf;
}

static double measure_sqlite(const char *path, const queries *q, size_t n, int raw, size_t *found)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("sqlite3_open_v2");
    /* SQLite's best: a large page cache and the file memory-mapped */
    sqlite3_exec(db, "PRAGMA cache_size=-1048576; PRAGMA mmap_size=4294967296;", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db, "SELECT id, status FROM indicators WHERE type = ?1 AND value = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        die(sqlite3_errmsg(db));
    if (n > q->n)
        n = q->n;
    double t = 0;
    for (int pass = 0; pass < 2; pass++) { /* the first warms the cache */
        size_t f = 0;
        double t0 = bu_cpu_now();
        for (size_t i = 0; i < n; i++) {
            char *buf;
            sqlite3_bind_int(st, 1, (int)types[q->type[i]]);
            sqlite3_bind_text(st, 2, peer_key(q, i, raw, &buf), -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) {
                f += sqlite3_column_int64(st, 0) > 0 && sqlite3_column_int(st, 1) > 0;
            }
            sqlite3_reset(st);
            free(buf);
        }
        t = bu_cpu_now() - t0;
        *found = f;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return (double)n / t;
}

/* ---- Redis
 * ------------------------------------------------------------------------------------------ */

typedef struct redis_res {
    int ran;
    char why[160];
    char version[32];
    double load_seconds, bytes_per_key;
    size_t keys;
    double single_wall, single_cpu, single_server_cpu; /* per second figures below */
    double single_per_wall_second, single_per_cpu_second;
    double pipe_per_wall_second, pipe_per_cpu_second;
    double single_raw_per_cpu_second, pipe_raw_per_cpu_second; /* nt_canon first */
    size_t single_found, pipe_found, single_n, pipe_n;
} redis_res;

#ifdef NT_HAVE_HIREDIS

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) ||
        getsockname(s, (struct sockaddr *)&a, &al))
        die("no free loopback port");
    close(s);
    return ntohs(a.sin_port);
}

static double info_field(redisContext *c, const char *section, const char *key)
{
    redisReply *r = redisCommand(c, "INFO %s", section);
    double v = -1;
    if (r && r->type == REDIS_REPLY_STRING) {
        char pat[64];
        snprintf(pat, sizeof pat, "\r\n%s:", key);
        const char *p = strstr(r->str, pat);
        if (p)
            v = strtod(p + strlen(pat), NULL);
    }
    if (r)
        freeReplyObject(r);
    return v;
}

static double server_cpu(redisContext *c)
{
    return info_field(c, "cpu", "used_cpu_sys") + info_field(c, "cpu", "used_cpu_user");
}

static void key_of(const queries *q, size_t i, int raw, char *k, size_t *kl)
{
    char *buf;
    *kl = (size_t)snprintf(k, QLEN + 8, "%d:%s", (int)types[q->type[i]], peer_key(q, i, raw, &buf));
    free(buf);
}

/* n GETs one round trip each; lookups per CPU-second (client + server). */
static double redis_single(redisContext *c, const queries *q, size_t n, int raw, size_t *found,
                           double *wall_rate, double *ccpu, double *scpu)
{
    char key[QLEN + 8];
    size_t kl;
    double s0 = server_cpu(c), c0 = bu_cpu_now(), t0 = wall();
    for (size_t i = 0; i < n; i++) {
        key_of(q, i, raw, key, &kl);
        redisReply *rep = redisCommand(c, "GET %b", key, kl);
        if (!rep)
            die("Redis GET failed");
        *found += rep->type == REDIS_REPLY_STRING;
        freeReplyObject(rep);
    }
    double w = wall() - t0, cc = bu_cpu_now() - c0, sc = server_cpu(c) - s0;
    if (wall_rate)
        *wall_rate = (double)n / w;
    if (ccpu)
        *ccpu = cc;
    if (scpu)
        *scpu = sc;
    return (double)n / (cc + sc);
}

/* All of q, PIPELINE GETs a round trip. */
static double redis_pipelined(redisContext *c, const queries *q, int raw, size_t *found,
                              double *wall_rate)
{
    char key[QLEN + 8];
    size_t kl;
    double s0 = server_cpu(c), c0 = bu_cpu_now(), t0 = wall();
    for (size_t i = 0; i < q->n; i += PIPELINE) {
        size_t m = q->n - i < PIPELINE ? q->n - i : PIPELINE;
        for (size_t j = 0; j < m; j++) {
            key_of(q, i + j, raw, key, &kl);
            redisAppendCommand(c, "GET %b", key, kl);
        }
        for (size_t j = 0; j < m; j++) {
            redisReply *rep;
            if (redisGetReply(c, (void **)&rep) != REDIS_OK)
                die("Redis GET failed");
            *found += rep->type == REDIS_REPLY_STRING;
            freeReplyObject(rep);
        }
    }
    double w = wall() - t0, cc = bu_cpu_now() - c0, sc = server_cpu(c) - s0;
    if (wall_rate)
        *wall_rate = (double)q->n / w;
    return (double)q->n / (cc + sc);
}

static void measure_redis(const char *dbpath, const queries *q, redis_res *rr)
{
    char dir[] = "/tmp/nt_bench_redis_XXXXXX", port_s[16], log[128];
    redisContext *c = NULL;
    pid_t pid = -1;
    if (!mkdtemp(dir)) {
        snprintf(rr->why, sizeof rr->why, "mkdtemp: %s", strerror(errno));
        return;
    }
    int port = free_port();
    snprintf(port_s, sizeof port_s, "%d", port);
    snprintf(log, sizeof log, "%s/redis.log", dir);
    pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (chdir(dir) != 0)
            _exit(127);
        execlp("redis-server", "redis-server", "--port", port_s, "--save", "", "--appendonly", "no",
               "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no", (char *)NULL);
        _exit(127);
    }
    /* wait for it to answer */
    for (int tries = 0; tries < 100; tries++) {
        int st;
        if (pid < 0 || waitpid(pid, &st, WNOHANG) == pid) {
            snprintf(rr->why, sizeof rr->why, "redis-server did not start (see scripts/deps)");
            pid = -1;
            goto cleanup;
        }
        c = redisConnect("127.0.0.1", port);
        if (c && !c->err)
            break;
        if (c)
            redisFree(c);
        c = NULL;
        nap_ms(50);
    }
    if (!c) {
        snprintf(rr->why, sizeof rr->why, "could not connect to redis-server on port %d", port);
        goto cleanup;
    }
    redisReply *r = redisCommand(c, "INFO server");
    if (r && r->type == REDIS_REPLY_STRING) {
        const char *p = strstr(r->str, "redis_version:");
        if (p)
            sscanf(p + 14, "%31[^\r\n]", rr->version);
    }
    if (r)
        freeReplyObject(r);
    double mem0 = info_field(c, "memory", "used_memory");

    /* the same keys: every indicator of the database, SET type:value id:status, pipelined */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT type, value, id, status FROM indicators", -1, &st, NULL))
        die("reading the database for Redis");
    double t0 = wall();
    size_t pending = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 1);
        char key[256], val[48];
        int kl = snprintf(key, sizeof key, "%d:%s", sqlite3_column_int(st, 0), v);
        int vl = snprintf(val, sizeof val, "%lld:%d", (long long)sqlite3_column_int64(st, 2),
                          sqlite3_column_int(st, 3));
        redisAppendCommand(c, "SET %b %b", key, (size_t)kl, val, (size_t)vl);
        rr->keys++;
        if (++pending == 1000) {
            for (; pending; pending--) {
                redisReply *rep;
                if (redisGetReply(c, (void **)&rep) != REDIS_OK)
                    die("Redis SET failed");
                freeReplyObject(rep);
            }
        }
    }
    for (; pending; pending--) {
        redisReply *rep;
        if (redisGetReply(c, (void **)&rep) != REDIS_OK)
            die("Redis SET failed");
        freeReplyObject(rep);
    }
    rr->load_seconds = wall() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    rr->bytes_per_key = (info_field(c, "memory", "used_memory") - mem0) / (double)rr->keys;

    /* one round trip a lookup */
    size_t n1 = q->n < REDIS_SINGLE ? q->n : REDIS_SINGLE, raw_found = 0;
    rr->single_n = n1;
    rr->single_per_cpu_second = redis_single(c, q, n1, 0, &rr->single_found,
                                             &rr->single_per_wall_second, &rr->single_cpu,
                                             &rr->single_server_cpu);
    /* pipelined, PIPELINE lookups a round trip */
    rr->pipe_n = q->n;
    rr->pipe_per_cpu_second = redis_pipelined(c, q, 0, &rr->pipe_found, &rr->pipe_per_wall_second);
    /* the same, from what a person typed */
    rr->single_raw_per_cpu_second = redis_single(c, q, n1, 1, &raw_found, NULL, NULL, NULL);
    if (raw_found != rr->single_found)
        die("Redis lookups of raw input did not find what they should");
    raw_found = 0;
    rr->pipe_raw_per_cpu_second = redis_pipelined(c, q, 1, &raw_found, NULL);
    if (raw_found != rr->pipe_found)
        die("Redis lookups of raw input did not find what they should");
    rr->ran = 1;
cleanup:
    if (c) {
        redisReply *rep = redisCommand(c, "SHUTDOWN NOSAVE");
        if (rep)
            freeReplyObject(rep);
        redisFree(c);
    }
    if (pid > 0) {
        int wst, done = 0;
        for (int i = 0; i < 100 && !done; i++) {
            if (waitpid(pid, &wst, WNOHANG) == pid)
                done = 1;
            else
                nap_ms(50);
        }
        if (!done) {
            kill(pid, SIGKILL);
            waitpid(pid, &wst, 0);
        }
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_registry: could not remove %s\n", dir);
}
#else
static void measure_redis(const char *dbpath, const queries *q, redis_res *rr)
{
    (void)dbpath;
    (void)q;
    snprintf(rr->why, sizeof rr->why, "built without hiredis (libhiredis-dev, scripts/deps)");
}
#endif

/* ---- one scale
 * ---------------------------------------------------------------------------------------- */

static void run_scale(const char *dir, nt_banks *banks, size_t n, int first)
{
    char path[256];
    snprintf(path, sizeof path, "%s/reg-%zu.db", dir, n);
    size_t per[4];
    fprintf(stderr, "bench_registry: building %zu indicators\n", n);
    double t_import = build_db(path, banks, n, per);

    size_t rss0 = rss_bytes();
    double t = wall();
    nt_registry *reg = open_reg(path, banks);
    double t_open = wall() - t;
    size_t rss1 = rss_bytes();
    nt_registry_stats s;
    nt_registry_stats_get(reg, &s);

    queries q, qk[4];
    lat kind[4], in[5];
    static const char *mode_name[5] = {"rules", "rules_batch", "exact", "exact_batch", "raw"};
    make_queries(&q, QUERIES, per, -1);
    fprintf(stderr, "bench_registry: in-process lookups\n");
    for (int m = 0; m < 5; m++) {
        in[m] = measure_inproc(reg, &q, (mode)m);
        if (in[m].found != q.hits)
            die("in-process lookups did not find what they should");
    }
    for (int k = 0; k < 4; k++) {
        make_queries(&qk[k], QUERIES / 5, per, k);
        kind[k] = measure_inproc(reg, &qk[k], M_RULES);
        if (kind[k].found != qk[k].hits)
            die("in-process lookups did not find what they should");
    }
    fprintf(stderr, "bench_registry: SQLite\n");
    size_t sql_found = 0, sql_raw_found = 0;
    double sql = measure_sqlite(path, &q, SQL_QUERIES, 0, &sql_found);
    double sql_raw = measure_sqlite(path, &q, SQL_QUERIES, 1, &sql_raw_found);
    size_t sql_expect = 0;
    for (size_t i = 0; i < SQL_QUERIES && i < q.n; i++)
        sql_expect += q.hit[i];
    if (sql_found != sql_expect || sql_raw_found != sql_expect)
        die("SQLite lookups did not find what they should");
    fprintf(stderr, "bench_registry: Redis\n");
    redis_res rr = {0};
    measure_redis(path, &q, &rr);
    if (rr.ran) {
        size_t e1 = 0;
        for (size_t i = 0; i < rr.single_n; i++)
            e1 += q.hit[i];
        if (rr.single_found != e1 || rr.pipe_found != q.hits)
            die("Redis lookups did not find what they should");
    }

    printf("%s    {\n", first ? "" : ",\n");
    printf("      \"indicators\": %zu, \"keys\": %zu, \"slots\": %zu,\n", s.indicators, s.keys,
           s.slots);
    printf("      \"index_bytes_per_indicator\": %.1f, \"value_bytes_per_indicator\": %.1f,\n",
           (double)s.bytes_index / (double)s.indicators,
           (double)s.bytes_values / (double)s.indicators);
    printf("      \"rss_bytes_per_indicator\": %.1f, \"rss_after_open_mb\": %.0f,\n",
           (double)(rss1 > rss0 ? rss1 - rss0 : 0) / (double)s.indicators,
           (double)rss1 / 1048576.0);
    printf("      \"import_seconds\": %.1f, \"import_per_second\": %.0f, "
           "\"open_rebuild_seconds\": %.2f,\n",
           t_import, (double)n / t_import, t_open);
    printf("      \"inprocess\": {\"mix\": \"phone 4 : bank 2 : domain 3, half hits\", "
           "\"lookups\": %zu, \"timer_overhead_ns\": %.0f,\n",
           q.n, in[M_RULES].timer_ns);
    for (int m = 0; m < 5; m++) {
        printf("        \"%s\": {\"per_cpu_second\": %.0f", mode_name[m], in[m].per_cpu_second);
        if (m != M_RULES_BATCH && m != M_EXACT_BATCH)
            printf(", \"p50_ns\": %.0f, \"p99_ns\": %.0f, \"p999_ns\": %.0f", in[m].p50_ns,
                   in[m].p99_ns, in[m].p999_ns);
        printf("}%s\n", m < 4 ? "," : "");
    }
    printf("      },\n");
    printf("      \"inprocess_rules_by_type\": {");
    for (int k = 0; k < 4; k++)
        printf("%s\"%s\": {\"per_cpu_second\": %.0f, \"p50_ns\": %.0f, \"p99_ns\": %.0f}",
               k ? ", " : "", nt_ind_type_name(types[k]), kind[k].per_cpu_second, kind[k].p50_ns,
               kind[k].p99_ns);
    printf("},\n");
    printf("      \"sqlite_select\": {\"lookups\": %u, \"per_cpu_second\": %.0f, "
           "\"raw_per_cpu_second\": %.0f},\n",
           SQL_QUERIES, sql, sql_raw);
    double rg = 0, rp = 0, rg_raw = 0, rp_raw = 0;
    if (rr.ran) {
        rg = rr.single_per_cpu_second;
        rp = rr.pipe_per_cpu_second;
        rg_raw = rr.single_raw_per_cpu_second;
        rp_raw = rr.pipe_raw_per_cpu_second;
        printf("      \"redis\": {\"version\": \"%s\", \"keys\": %zu, \"load_seconds\": %.1f, "
               "\"used_memory_bytes_per_key\": %.1f,\n",
               rr.version, rr.keys, rr.load_seconds, rr.bytes_per_key);
        printf("        \"get\": {\"lookups\": %zu, \"per_wall_second\": %.0f, "
               "\"per_cpu_second\": %.0f, \"client_cpu_s\": %.2f, \"server_cpu_s\": %.2f, "
               "\"raw_per_cpu_second\": %.0f},\n",
               rr.single_n, rr.single_per_wall_second, rg, rr.single_cpu, rr.single_server_cpu,
               rg_raw);
        printf("        \"get_pipelined\": {\"depth\": %u, \"lookups\": %zu, \"per_wall_second\": "
               "%.0f, \"per_cpu_second\": %.0f, \"raw_per_cpu_second\": %.0f}},\n",
               PIPELINE, rr.pipe_n, rr.pipe_per_wall_second, rp, rp_raw);
    } else {
        printf("      \"redis\": {\"skipped\": \"%s\"},\n", rr.why);
    }
#define RATIO(a, b) ((b) > 0 ? (a) / (b) : 0.0)
    double ex = in[M_EXACT].per_cpu_second, exb = in[M_EXACT_BATCH].per_cpu_second;
    double ru = in[M_RULES].per_cpu_second, rub = in[M_RULES_BATCH].per_cpu_second;
    double raw = in[M_RAW].per_cpu_second;
    printf("      \"ratios\": {\n");
    printf("        \"canonical_key_same_work\": {\"exact_vs_sqlite\": %.1f, "
           "\"exact_vs_redis_get\": %.1f, \"exact_batch_vs_redis_pipelined\": %.1f, "
           "\"exact_batch_vs_sqlite\": %.1f, \"exact_batch_vs_redis_get\": %.1f},\n",
           RATIO(ex, sql), RATIO(ex, rg), RATIO(exb, rp), RATIO(exb, sql), RATIO(exb, rg));
    printf("        \"canonical_key_registry_rules\": {\"rules_vs_sqlite\": %.1f, "
           "\"rules_vs_redis_get\": %.1f, \"rules_batch_vs_redis_pipelined\": %.1f, "
           "\"rules_batch_vs_sqlite\": %.1f, \"rules_batch_vs_redis_get\": %.1f},\n",
           RATIO(ru, sql), RATIO(ru, rg), RATIO(rub, rp), RATIO(rub, sql), RATIO(rub, rg));
    printf("        \"raw_input\": {\"raw_vs_sqlite\": %.1f, \"raw_vs_redis_get\": %.1f, "
           "\"raw_vs_redis_pipelined\": %.1f}\n      },\n",
           RATIO(raw, sql_raw), RATIO(raw, rg_raw), RATIO(raw, rp_raw));
#define YN(c) ((c) ? "true" : "false")
    printf("      \"targets\": {\"vs_sqlite_20x\": {\"exact\": %s, \"exact_batch\": %s, "
           "\"rules\": %s, \"rules_batch\": %s},\n"
           "        \"vs_redis_get_50x\": {\"exact\": %s, \"exact_batch\": %s, \"rules\": %s, "
           "\"rules_batch\": %s},\n"
           "        \"vs_redis_pipelined_50x\": {\"exact_batch\": %s, \"rules_batch\": %s},\n"
           "        \"p99_le_2us\": {\"exact\": %s, \"rules\": %s, \"raw\": %s}}\n    }",
           YN(RATIO(ex, sql) >= 20), YN(RATIO(exb, sql) >= 20), YN(RATIO(ru, sql) >= 20),
           YN(RATIO(rub, sql) >= 20), YN(RATIO(ex, rg) >= 50), YN(RATIO(exb, rg) >= 50),
           YN(RATIO(ru, rg) >= 50), YN(RATIO(rub, rg) >= 50), YN(RATIO(exb, rp) >= 50),
           YN(RATIO(rub, rp) >= 50), YN(in[M_EXACT].p99_ns <= 2000),
           YN(in[M_RULES].p99_ns <= 2000), YN(in[M_RAW].p99_ns <= 2000));
#undef YN
#undef RATIO
    fflush(stdout);
    queries_free(&q);
    for (int k = 0; k < 4; k++)
        queries_free(&qk[k]);
    nt_registry_close(reg);
    unlink(path);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* ---- import rate beside sqlite3 .import
 * ------------------------------------------------------------- */

static double child_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void import_rate(const char *dir, nt_banks *banks)
{
    const size_t n = 1000000;
    char list[256], db1[256], db2[256], script[256];
    snprintf(list, sizeof list, "%s/phones.txt", dir);
    snprintf(db1, sizeof db1, "%s/import.db", dir);
    snprintf(db2, sizeof db2, "%s/sqlite3-import.db", dir);
    snprintf(script, sizeof script, "%s/import.sql", dir);
    size_t len = n * 11, at = 0;
    char *data = malloc(len + 1);
    if (!data)
        die("out of memory");
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(data + at, len + 1 - at, "0912%06zu\n", i);
    FILE *f = fopen(list, "wb");
    if (!f || fwrite(data, 1, at, f) != at || fclose(f))
        die("writing the list");

    fprintf(stderr, "bench_registry: importing a 1M-line list\n");
    nt_registry *reg = open_reg(db1, banks);
    nt_import_options io = {.format = NT_IMPORT_LIST, .type = NT_IND_PHONE, .name = "phones"};
    nt_import_result *res = calloc(1, sizeof *res);
    nt_diag d;
    nt_diag_clear(&d);
    double w0 = wall(), c0 = bu_cpu_now();
    if (!res || nt_registry_import(reg, &io, data, at, res, &d) || res->added != n)
        die("the 1M-line import failed");
    double ours_wall = wall() - w0, ours_cpu = bu_cpu_now() - c0;
    nt_registry_close(reg);
    free(res);
    free(data);

    fprintf(stderr, "bench_registry: sqlite3 .import of the same file\n");
    f = fopen(script, "w");
    if (!f)
        die("writing the script");
    fprintf(f,
            "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n"
            "CREATE TABLE indicators(value TEXT NOT NULL UNIQUE);\n.mode csv\n"
            ".import %s indicators\n",
            list);
    fclose(f);
    double cc0 = child_cpu();
    w0 = wall();
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(script, O_RDONLY), out = open("/dev/null", O_WRONLY);
        if (in < 0 || out < 0)
            _exit(127);
        dup2(in, 0);
        dup2(out, 1);
        execlp("sqlite3", "sqlite3", "-batch", db2, (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    double sq_wall = wall() - w0, sq_cpu = child_cpu() - cc0;
    int ran = pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    long long rows = -1;
    if (ran) {
        sqlite3 *db;
        sqlite3_stmt *s;
        if (sqlite3_open_v2(db2, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db, "SELECT count(*) FROM indicators", -1, &s, NULL) == SQLITE_OK) {
            if (sqlite3_step(s) == SQLITE_ROW)
                rows = sqlite3_column_int64(s, 0);
            sqlite3_finalize(s);
        }
        sqlite3_close(db);
    }
    printf(
        ",\n  \"import_1m_list\": {\"lines\": %zu, \"wall_seconds\": %.2f, \"cpu_seconds\": %.2f, "
        "\"per_second\": %.0f,\n",
        n, ours_wall, ours_cpu, (double)n / ours_wall);
    if (ran && rows == (long long)n)
        printf("    \"sqlite3_import\": {\"wall_seconds\": %.2f, \"cpu_seconds\": %.2f, "
               "\"per_second\": %.0f}, \"ours_over_sqlite3_import_wall\": %.1f, "
               "\"ours_over_sqlite3_import_cpu\": %.1f}",
               sq_wall, sq_cpu, (double)n / sq_wall, ours_wall / sq_wall, ours_cpu / sq_cpu);
    else
        printf("    \"sqlite3_import\": {\"skipped\": \"the sqlite3 shell did not run (sqlite3 "
               "package)\"}}");
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    const char *env = getenv("NT_BENCH_10M");
    int big = env && *env && strcmp(env, "0") != 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--10m") == 0)
            big = 1;
        else
            n = strtoul(argv[i], NULL, 10);
    }
    if (n < 1000)
        die("N must be at least 1000");
    char dir[] = "/tmp/nt_bench_registry_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    nt_banks *banks = NULL;
    if (nt_banks_load(NT_SOURCE_DATA_DIR "/banks.tsv", &banks, NULL))
        return 1;
    g_banks = banks;

    printf("{\n  \"benchmark\": \"registry\",\n  \"scales\": [\n");
    run_scale(dir, banks, n, 1);
    if (big && n != 10000000)
        run_scale(dir, banks, 10000000, 0);
    printf("\n  ]");
    import_rate(dir, banks);

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
        double t = wall();
        if (nt_registry_import(r2, &io, buf, len, res, NULL) == NT_OK) {
            t_cld = wall() - t;
            cld_lines = res->lines;
        }
        free(res);
        free(buf);
        nt_registry_close(r2);
    }
    printf(",\n  \"chongluadao_lines\": %zu,\n  \"chongluadao_import_seconds\": %.2f\n}\n",
           cld_lines, t_cld);
    nt_banks_free(banks);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
