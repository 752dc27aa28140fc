/*
 * src/cli.c - shared plumbing of the niemtin subcommands (see cli.h).
 */
#include "cli.h"

#include <errno.h>
#include <sys/stat.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_data_path(const cli *c, const char *rel)
{
    static char bufs[4][4096];
    static int slot;
    char *p = bufs[slot++ % 4];
    snprintf(p, sizeof bufs[0], "%s/%s", c->data_dir, rel);
    return p;
}

void cli_error(const cli *c, nt_err rc, const nt_diag *diag, const char *what)
{
    char buf[512];
    (void)c;
    if (diag && diag->code != NT_OK)
        fprintf(stderr, "niemtin: %s: %s\n", what, nt_diag_format(diag, buf, sizeof buf));
    else
        fprintf(stderr, "niemtin: %s: %s\n", what, nt_strerror(rc));
}

static int read_stream(const cli *c, FILE *f, const char *name, char **text, size_t *len)
{
    size_t limit = c->max_bytes ? c->max_bytes : NT_DEFAULT_MAX_MESSAGE_BYTES;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fprintf(stderr, "niemtin: %s\n", L(c, "hết bộ nhớ", "out of memory"));
        return 1;
    }
    for (;;) {
        if (n > limit) {
            fprintf(stderr, "niemtin: %s: %s %zu bytes (--max-bytes)\n", name,
                    L(c, "đầu vào vượt giới hạn", "input larger than the limit of"), limit);
            free(buf);
            return 1;
        }
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fprintf(stderr, "niemtin: %s\n", L(c, "hết bộ nhớ", "out of memory"));
                return 1;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    if (ferror(f)) {
        fprintf(stderr, "niemtin: %s: %s\n", name, strerror(errno));
        free(buf);
        return 1;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int cli_read_input(const cli *c, int argc, char **argv, char **text, size_t *len)
{
    if (argc >= 1 && strcmp(argv[0], "-f") == 0) {
        if (argc != 2) {
            fprintf(stderr, "niemtin: -f %s\n",
                    L(c, "cần đúng một tên tệp", "needs exactly one file name"));
            return 2;
        }
        FILE *f = fopen(argv[1], "rb");
        if (!f) {
            fprintf(stderr, "niemtin: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        int rc = read_stream(c, f, argv[1], text, len);
        fclose(f);
        return rc;
    }
    if ((argc == 1 && strcmp(argv[0], "-") == 0) || (argc == 0 && !isatty(0)))
        return read_stream(c, stdin, "stdin", text, len);
    if (argc == 0) {
        fprintf(stderr, "niemtin: %s\n",
                L(c, "cần văn bản: TEXT, -f FILE hoặc - (đọc từ stdin)",
                  "text needed: TEXT, -f FILE or - (read stdin)"));
        return 2;
    }
    size_t total = 0;
    for (int i = 0; i < argc; i++)
        total += strlen(argv[i]) + 1;
    char *buf = malloc(total + 1);
    if (!buf)
        return 1;
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        size_t k = strlen(argv[i]);
        if (i)
            buf[n++] = ' ';
        memcpy(buf + n, argv[i], k);
        n += k;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

nt_lexicon *cli_load_teencode(const cli *c)
{
    nt_lexicon *lex = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_lexicon_load(cli_data_path(c, "teencode.tsv"), &lex, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "không đọc được bảng teencode", "cannot load the teencode table"));
        return NULL;
    }
    return lex;
}

nt_banks *cli_load_banks(const cli *c)
{
    nt_banks *b = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_banks_load(cli_data_path(c, "banks.tsv"), &b, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "không đọc được bảng ngân hàng", "cannot load the bank table"));
        return NULL;
    }
    return b;
}

int cli_options(cli *c, const char *cmd, int argc, char **argv, int allow_strict)
{
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--") == 0)
            return i + 1;
        if (strcmp(argv[i], "--json") == 0) {
            c->json = 1;
        } else if (allow_strict && strcmp(argv[i], "--strict") == 0) {
            c->strict = 1;
        } else {
            fprintf(stderr, "niemtin %s: %s '%s'\n", cmd,
                    L(c, "tuỳ chọn không rõ", "unknown option"), argv[i]);
            return -1;
        }
    }
    return i;
}

int cli_id_key(cli *c, unsigned char key[32])
{
    const char *hex = getenv("NIEMTIN_ID_KEY");
    size_t got = 0;
    c->have_id_key = 0;
    if (!hex || !*hex)
        return 0;
    if (sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &got, NULL) != 0 || got != 32 ||
        strlen(hex) != 64) {
        fprintf(stderr, "niemtin: NIEMTIN_ID_KEY: %s\n",
                L(c, "cần đúng 64 chữ số hex", "expected exactly 64 hex digits"));
        return 1;
    }
    c->have_id_key = 1;
    return 0;
}

struct json_t *cli_json_text(const char *s, size_t n)
{
    size_t bad;
    if (nt_utf8_validate(s, n, &bad) == NT_OK)
        return json_stringn(s, n);
    /* Copy valid runs; each malformed byte becomes U+FFFD. */
    char *out = malloc(3 * n + 1);
    if (!out)
        return json_null();
    size_t o = 0, i = 0;
    while (i < n) {
        if (nt_utf8_validate(s + i, n - i, &bad) == NT_OK)
            bad = n - i;
        memcpy(out + o, s + i, bad);
        o += bad;
        i += bad;
        if (i < n) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(out, o);
    free(out);
    return j ? j : json_null();
}

const char *cli_cache_dir(void)
{
    static char dir[4096];
    const char *env = getenv("NIEMTIN_CACHE_DIR");
    if (env)
        return *env ? env : NULL; /* set but empty: no cache */
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(dir, sizeof dir, "%s/niemtin", xdg);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.cache/niemtin", home);
    else
        return NULL;
    /* mkdir -p of the last two levels; failure just means no cache */
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        mkdir(parent, 0700);
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return NULL;
    return dir;
}

int cli_open_engine(cli *c, nt_engine **eng, nt_check_scratch **sc)
{
    unsigned char key[32];
    nt_diag d;
    nt_diag_clear(&d);
    *eng = NULL;
    *sc = NULL;
    if (cli_id_key(c, key))
        return 2;
    nt_engine_config cfg = {.data_dir = c->data_dir,
                            .registry = c->registry,
                            .model_path = c->model_path,
                            .rules_dir = c->rules_dir,
                            .cache_dir = cli_cache_dir(),
                           .max_bytes = c->max_bytes,
                           .id_key = c->have_id_key ? key : NULL};
    nt_err rc = nt_engine_open(&cfg, eng, &d);
    sodium_memzero(key, sizeof key);
    if (!rc)
        rc = nt_check_scratch_new(*eng, sc);
    if (rc) {
        cli_error(c, rc, &d, L(c, "không khởi động được bộ kiểm tra", "cannot start the checker"));
        nt_engine_close(*eng);
        *eng = NULL;
        return 1;
    }
    return 0;
}

int cli_open_registry(cli *c, const char *db, int must_exist)
{
    if (!db) {
        const char *env = getenv("NIEMTIN_DB");
        db = env && *env ? env : "niemtin.db";
    }
    if (must_exist && access(db, F_OK) != 0)
        return 0;
    unsigned char key[32];
    const char *hex = getenv("NIEMTIN_STORE_KEY");
    size_t got = 0;
    int have_key = hex && *hex;
    if (have_key && (strlen(hex) != 64 ||
                     sodium_hex2bin(key, 32, hex, 64, NULL, &got, NULL) != 0 || got != 32)) {
        fprintf(stderr, "niemtin: NIEMTIN_STORE_KEY: %s\n",
                L(c, "cần đúng 64 chữ số hex", "expected exactly 64 hex digits"));
        return 1;
    }
    if (!(c->registry_banks = cli_load_banks(c)))
        return 1;
    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = db;
    cfg.key = have_key ? key : NULL;
    cfg.banks = c->registry_banks;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_registry_open(&cfg, &c->registry, &d);
    sodium_memzero(key, sizeof key);
    if (rc) {
        char what[600];
        snprintf(what, sizeof what, "%s %s",
                 L(c, "không mở được cơ sở dữ liệu", "cannot open the database"), db);
        cli_error(c, rc, &d, what);
        cli_close_registry(c);
        return 1;
    }
    return 0;
}

void cli_close_registry(cli *c)
{
    nt_registry_close(c->registry);
    nt_banks_free(c->registry_banks);
    c->registry = NULL;
    c->registry_banks = NULL;
}
