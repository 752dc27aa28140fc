/*
 * src/server/server.c - `niemtin serve`: options, start, and the signal loop.
 *
 * Signals are blocked in every thread (the pool inherits the mask) and taken
 * by the main thread with sigwait, so no handler ever runs inside the
 * server's code:
 *   SIGHUP           reload the rules and model (nt_engine_reload); a broken
 *                    rules file is logged and the rules in force stay;
 *   SIGTERM, SIGINT  stop accepting, let the requests in flight finish (up to
 *                    --drain seconds), then stop the threads and free
 *                    everything.
 */
#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "server.h"

#ifndef NT_SOURCE_WEB_DIR
#define NT_SOURCE_WEB_DIR "web"
#endif
#ifndef NT_SOURCE_DOCS_DIR
#define NT_SOURCE_DOCS_DIR "docs"
#endif

static int parse_num(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno || !(x >= lo && x <= hi)) {
        fprintf(stderr, "niemtin serve: %s: expected a number in %g..%g\n", opt, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t k = fread(buf + n, 1, 4096, f);
        n += k;
        if (k < 4096)
            break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* The database path as cli_open_registry chose it. */
static const char *ac_path(const char *db)
{
    return db ? db : (getenv("NIEMTIN_DB") && *getenv("NIEMTIN_DB") ? getenv("NIEMTIN_DB")
                                                                     : "niemtin.db");
}

static void usage(const cli *c)
{
    fprintf(stderr,
            "%s: niemtin serve [--addr IP] [--port N] [--threads N] [--max-body BYTES]\n"
            "       [--max-import BYTES] [--rate PER_SECOND] [--burst N] [--drain SECONDS]\n"
            "       [--web-dir DIR] [--docs-dir DIR] [--db PATH | --no-db] [--site-url URL]\n"
            "       [--quiet]\n",
            L(c, "Cách dùng", "Usage"));
}

int cmd_serve(cli *c, int argc, char **argv)
{
    srv *s = calloc(1, sizeof *s);
    if (!s)
        return 1;
    pthread_mutex_init(&s->store_lock, NULL);
    s->cfg.addr = "127.0.0.1";
    s->cfg.port = 8080;
    s->cfg.max_body = 2u * 1024u * 1024u;
    s->cfg.max_import = 64u * 1024u * 1024u;
    s->cfg.rate = 20;
    s->cfg.burst = 60;
    s->cfg.web_dir = NT_SOURCE_WEB_DIR;
    s->cfg.docs_dir = NT_SOURCE_DOCS_DIR;
    double drain = 30;
    const char *db = NULL, *site_url = NULL;
    nt_lexicon *teencode = NULL, *synonyms = NULL;
    int no_db = 0;
    int status = 1;
    struct MHD_Daemon *d = NULL;
    nt_check_scratch *sc0 = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x;
        if (strcmp(a, "--quiet") == 0) {
            s->cfg.quiet = 1;
            continue;
        }
        if (strcmp(a, "--no-db") == 0) {
            no_db = 1;
            continue;
        }
        if (!v || strncmp(a, "--", 2) != 0) {
            usage(c);
            status = 2;
            goto cleanup;
        }
        i++;
        if (strcmp(a, "--addr") == 0)
            s->cfg.addr = v;
        else if (strcmp(a, "--web-dir") == 0)
            s->cfg.web_dir = v;
        else if (strcmp(a, "--docs-dir") == 0)
            s->cfg.docs_dir = v;
        else if (strcmp(a, "--db") == 0)
            db = v;
        else if (strcmp(a, "--site-url") == 0)
            site_url = v;
        else if (strcmp(a, "--port") == 0 && parse_num(a, v, 0, 65535, &x) == 0)
            s->cfg.port = (unsigned)x;
        else if (strcmp(a, "--threads") == 0 && parse_num(a, v, 0, 256, &x) == 0)
            s->cfg.threads = (unsigned)x;
        else if (strcmp(a, "--max-body") == 0 && parse_num(a, v, 1024, 1 << 30, &x) == 0)
            s->cfg.max_body = (size_t)x;
        else if (strcmp(a, "--max-import") == 0 &&
                 parse_num(a, v, 1024, NT_MAX_IMPORT_BYTES, &x) == 0)
            s->cfg.max_import = (size_t)x;
        else if (strcmp(a, "--rate") == 0 && parse_num(a, v, 0.001, 1e9, &x) == 0)
            s->cfg.rate = x;
        else if (strcmp(a, "--burst") == 0 && parse_num(a, v, 1, 1e9, &x) == 0)
            s->cfg.burst = x;
        else if (strcmp(a, "--drain") == 0 && parse_num(a, v, 0, 3600, &x) == 0)
            drain = x;
        else {
            if (strcmp(a, "--port") && strcmp(a, "--threads") && strcmp(a, "--max-body") && strcmp(a, "--max-import") &&
                strcmp(a, "--rate") && strcmp(a, "--burst") && strcmp(a, "--drain"))
                fprintf(stderr, "niemtin serve: %s '%s'\n",
                        L(c, "tuỳ chọn không rõ", "unknown option"), a);
            status = 2;
            goto cleanup;
        }
    }
    if (!s->cfg.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = n > 0 && n < 64 ? (unsigned)n : 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/openapi.yaml", s->cfg.docs_dir);
    s->openapi = read_file(path, &s->openapi_len);
    if (!s->openapi)
        fprintf(stderr, "niemtin serve: %s: %s\n", path,
                L(c, "không đọc được, /api/v1/openapi.yaml sẽ trả 404",
                  "cannot read it; /api/v1/openapi.yaml will be 404"));
    if (ratelimit_new(s->cfg.rate, s->cfg.burst, &s->rl) != NT_OK)
        goto cleanup;
    if (!no_db && cli_open_registry(c, db, 0) != 0)
        goto cleanup;
    s->reg = c->registry;
    if (s->reg) {
        nt_auth_config ac;
        nt_auth_config_init(&ac);
        /* tests only: argon2's smallest limits (as the console commands) */
        const char *pwt = getenv("NIEMTIN_PWHASH_TEST");
        if (pwt && strcmp(pwt, "1") == 0) {
            ac.pw_opslimit = NT_PWHASH_TEST_OPSLIMIT;
            ac.pw_memlimit = NT_PWHASH_TEST_MEMLIMIT;
        }
        ac.path = ac_path(db);
        nt_diag ad;
        nt_diag_clear(&ad);
        if (nt_auth_open(&ac, &s->auth, &ad) != NT_OK) {
            cli_error(c, NT_ERR_IO, &ad, L(c, "không mở được tài khoản", "cannot open the accounts"));
            goto cleanup;
        }
    }
    if (s->reg) {
        /* the fact-check desk, on the same database with its own connection;
           it matches tips with the same lexicons as `niemtin claim match` */
        if (!(teencode = cli_load_teencode(c)))
            goto cleanup;
        nt_diag dd;
        nt_diag_clear(&dd);
        if (nt_lexicon_load(cli_data_path(c, "claims-synonyms.tsv"), &synonyms, &dd) != NT_OK) {
            cli_error(c, NT_ERR_IO, &dd,
                      L(c, "không đọc được bảng từ đồng nghĩa", "cannot load the synonym table"));
            goto cleanup;
        }
        nt_diag_clear(&dd);
        if (!site_url && getenv("NIEMTIN_SITE_URL") && *getenv("NIEMTIN_SITE_URL"))
            site_url = getenv("NIEMTIN_SITE_URL"); /* as the desk commands */
        nt_err rc = desk_open(s, ac_path(db), teencode, synonyms, site_url, &dd);
        if (rc) {
            cli_error(c, rc, &dd,
                      L(c, "không mở được bàn kiểm chứng", "cannot open the fact-check desk"));
            goto cleanup;
        }
    }
    if (cli_open_engine(c, &s->eng, &sc0) != 0)
        goto cleanup;
    nt_check_scratch_free(sc0); /* each pool thread makes its own */
    sc0 = NULL;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    s->started = time(NULL);
    unsigned port = 0;
    d = http_start(s, &port);
    if (!d) {
        fprintf(stderr, "niemtin serve: %s %s:%u\n",
                L(c, "không mở được cổng", "cannot listen on"), s->cfg.addr, s->cfg.port);
        goto cleanup;
    }
    int v6 = strchr(s->cfg.addr, ':') != NULL;
    if (s->desk && !site_url) {
        /* the pages' public address: this server's, unless --site-url said */
        char base[200];
        snprintf(base, sizeof base, "http://%s%s%s:%u", v6 ? "[" : "", s->cfg.addr, v6 ? "]" : "",
                 port);
        desk_set_site_url(s, base);
    }
    size_t nind = 0;
    if (s->reg) {
        nt_registry_stats st;
        nt_registry_stats_get(s->reg, &st);
        nind = st.indicators;
    }
    printf("%s http://%s%s%s:%u/ (%u %s, %zu %s, %zu %s)\n",
           L(c, "NiemTin đang chạy tại", "NiemTin is serving at"), v6 ? "[" : "", s->cfg.addr,
           v6 ? "]" : "", port, s->cfg.threads, L(c, "luồng", "threads"),
           nt_ruleset_count(nt_engine_rules(s->eng)), L(c, "luật", "rules"), nind,
           L(c, "chỉ báo trong danh sách cảnh báo", "indicators in the registry"));
    fflush(stdout);

    for (;;) {
        /* wake every 5 s to write the API keys' usage counts */
        struct timespec tick = {5, 0};
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig < 0) {
            if (s->auth)
                nt_auth_flush(s->auth, NULL);
            continue;
        }
        if (sig == SIGHUP) {
            nt_diag dg;
            nt_diag_clear(&dg);
            nt_err rc = nt_engine_reload(s->eng, &dg);
            if (rc)
                cli_error(c, rc, &dg,
                          L(c, "không nạp lại được luật, vẫn dùng bộ luật cũ",
                            "cannot reload the rules, the previous ones stay in force"));
            else
                fprintf(stderr, "niemtin serve: %s %lu (%zu %s)\n",
                        L(c, "đã nạp lại luật, thế hệ", "rules reloaded, generation"),
                        nt_engine_generation(s->eng), nt_ruleset_count(nt_engine_rules(s->eng)),
                        L(c, "luật", "rules"));
            continue;
        }
        break;
    }
    fprintf(stderr, "niemtin serve: %s\n",
            L(c, "đang dừng: chờ các yêu cầu đang xử lý xong", "stopping: finishing the requests in flight"));
    MHD_socket lfd = MHD_quiesce_daemon(d);
    double waited = 0;
    for (;;) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!di || di->num_connections == 0 || waited >= drain)
            break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        waited += 0.05;
    }
    MHD_stop_daemon(d);
    d = NULL;
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    fprintf(stderr, "niemtin serve: %s\n", L(c, "đã dừng", "stopped"));
    status = 0;
cleanup:
    if (d)
        MHD_stop_daemon(d);
    nt_check_scratch_free(sc0);
    if (s->have_key)
        pthread_key_delete(s->scratch_key);
    nt_engine_close(s->eng);
    desk_close(s);
    nt_lexicon_free(synonyms);
    nt_lexicon_free(teencode);
    nt_auth_close(s->auth);
    cli_close_registry(c);
    pthread_mutex_destroy(&s->store_lock);
    ratelimit_free(s->rl);
    free(s->openapi);
    free(s);
    return status;
}
