/*
 * src/cli.c - shared plumbing of the niemtin subcommands (see cli.h).
 */
#include "cli.h"

#include <errno.h>
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
        if (n + 1 >= cap) {
            if (cap > limit + 2) {
                fprintf(stderr, "niemtin: %s: %s %zu bytes (--max-bytes)\n", name,
                        L(c, "đầu vào vượt giới hạn", "input larger than the limit of"), limit);
                free(buf);
                return 1;
            }
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
    if (argc == 2 && strcmp(argv[0], "-f") == 0) {
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
