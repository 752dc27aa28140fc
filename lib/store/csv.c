/*
 * lib/store/csv.c - reading indicator lists as CSV (RFC 4180) for the
 * registry: a header naming the columns - type and value, and optionally
 * first_seen, status, source and note, in any order - then one indicator a
 * record.  Fields may be quoted ("..."), and a quoted field may hold commas,
 * doubled quotes and line breaks; lines end in CRLF or LF; a UTF-8 byte-order
 * mark is skipped.
 *
 * The one idea: a record is cut into fields by a small state machine that
 * knows the line each record starts on and the field it is in, so every
 * error names "line L, column C (name)" - also after a quoted field spanning
 * lines - and one bad record never hides the rest: the reader resynchronises
 * at the next line break and goes on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "store/exchange.h"
#include "store/store_int.h"

enum { COL_TYPE, COL_VALUE, COL_FIRST_SEEN, COL_STATUS, COL_SOURCE, COL_NOTE, COL__COUNT };

static const char *const col_names[COL__COUNT] = {"type",   "value",  "first_seen",
                                                  "status", "source", "note"};

#define MAX_FIELDS 64u

typedef struct field {
    size_t off, len; /* in the record buffer */
} field;

typedef struct csv_reader {
    const char *s;
    size_t n, i;
    unsigned line; /* the line the cursor is on */
    char *buf;     /* unescaped bytes of the current record */
    size_t blen, bcap;
    field f[MAX_FIELDS];
    unsigned nf;     /* fields in the record (may exceed MAX_FIELDS: counted only) */
    unsigned start;  /* the line the record starts on */
    char err[160];   /* a quoting error, "" if none */
    unsigned errcol; /* its field */
} csv_reader;

static int buf_put(csv_reader *r, char c)
{
    if (r->blen == r->bcap) {
        size_t nc = r->bcap ? r->bcap * 2 : 256;
        char *nb = realloc(r->buf, nc);
        if (!nb)
            return -1;
        r->buf = nb;
        r->bcap = nc;
    }
    r->buf[r->blen++] = c;
    return 0;
}

/* Skip to just past the next line break (after a quoting error). */
static void resync(csv_reader *r)
{
    while (r->i < r->n && r->s[r->i] != '\n')
        r->i++;
    if (r->i < r->n) {
        r->i++;
        r->line++;
    }
}

static void quote_error(csv_reader *r, unsigned col, size_t at_line_col, const char *what)
{
    if (!r->err[0]) {
        snprintf(r->err, sizeof r->err, "column %u, character %zu: %s", col, at_line_col, what);
        r->errcol = col;
    }
}

/* Where the cursor is on its line (1-based), for messages. */
static size_t char_col(const csv_reader *r, size_t at)
{
    size_t k = at;
    while (k > 0 && r->s[k - 1] != '\n')
        k--;
    return at - k + 1;
}

/* Read one record.  Returns 0 at the end of the input, 1 for a record (with
 * r->err set when it is malformed), -1 out of memory. */
static int next_record(csv_reader *r)
{
    if (r->i >= r->n)
        return 0;
    r->blen = 0;
    r->nf = 0;
    r->err[0] = '\0';
    r->errcol = 0;
    r->start = r->line;
    for (;;) {
        field fd = {r->blen, 0};
        unsigned col = r->nf + 1;
        if (r->i < r->n && r->s[r->i] == '"') {
            size_t open_at = r->i, open_line = r->line;
            r->i++;
            for (;;) {
                if (r->i >= r->n) {
                    char what[96];
                    snprintf(what, sizeof what,
                             "the quoted field opened here (line %zu) is never closed", open_line);
                    quote_error(r, col, char_col(r, open_at), what);
                    break;
                }
                char c = r->s[r->i];
                if (c == '"') {
                    if (r->i + 1 < r->n && r->s[r->i + 1] == '"') {
                        if (buf_put(r, '"'))
                            return -1;
                        r->i += 2;
                        continue;
                    }
                    r->i++;
                    break;
                }
                if (c == '\n')
                    r->line++;
                if (buf_put(r, c))
                    return -1;
                r->i++;
            }
            if (!r->err[0] && r->i < r->n && r->s[r->i] != ',' && r->s[r->i] != '\n' &&
                !(r->s[r->i] == '\r' && r->i + 1 < r->n && r->s[r->i + 1] == '\n') &&
                !(r->s[r->i] == '\r' && r->i + 1 == r->n)) {
                quote_error(r, col, char_col(r, r->i), "text after the closing quote");
                resync(r);
                break;
            }
        } else {
            while (r->i < r->n && r->s[r->i] != ',' && r->s[r->i] != '\n') {
                if (r->s[r->i] == '\r' && (r->i + 1 == r->n || r->s[r->i + 1] == '\n')) {
                    r->i++;
                    continue;
                }
                if (r->s[r->i] == '"') {
                    quote_error(r, col, char_col(r, r->i),
                                "a quote inside an unquoted field (quote the whole field and "
                                "double the quote)");
                    resync(r);
                    goto done;
                }
                if (buf_put(r, r->s[r->i]))
                    return -1;
                r->i++;
            }
        }
        fd.len = r->blen - fd.off;
        if (buf_put(r, '\0'))
            return -1;
        if (r->nf < MAX_FIELDS)
            r->f[r->nf] = fd;
        r->nf++;
        if (r->err[0] || r->i >= r->n)
            break;
        if (r->s[r->i] == '\r')
            r->i++;
        if (r->i < r->n && r->s[r->i] == '\n') {
            r->i++;
            r->line++;
            break;
        }
        if (r->i < r->n && r->s[r->i] == ',')
            r->i++;
        if (r->i >= r->n) { /* "a,b," at the very end: one more, empty field */
            if (r->nf < MAX_FIELDS)
                r->f[r->nf] = (field){r->blen, 0};
            r->nf++;
            if (buf_put(r, '\0'))
                return -1;
            break;
        }
    }
done:
    return 1;
}

/* The field's bytes without surrounding blanks. */
static const char *trimmed(csv_reader *r, unsigned k, size_t *n)
{
    const char *s = r->buf + r->f[k].off;
    size_t len = r->f[k].len;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    *n = len;
    return s;
}

typedef struct csv_ctx {
    const nt_banks *banks;
    nt_import_record_fn fn;
    void *ctx;
    int col_of[COL__COUNT]; /* field index of each column, -1 absent */
    unsigned ncols;
} csv_ctx;

static int rec_error(csv_ctx *cc, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int rec_error(csv_ctx *cc, unsigned line, unsigned column, const char *fmt, ...)
{
    nt_import_error err;
    memset(&err, 0, sizeof err);
    err.line = line;
    err.column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof err.message, fmt, ap);
    va_end(ap);
    return cc->fn(cc->ctx, NULL, &err);
}

/* Header names into cc->col_of; NT_ERR_PARSE naming the column otherwise. */
static nt_err read_header(csv_ctx *cc, csv_reader *r, const char *src, nt_diag *diag)
{
    if (r->err[0])
        return nt__fail_at(diag, NT_ERR_PARSE, src, r->start, r->errcol, 0, "header: %s", r->err);
    if (r->nf > COL__COUNT)
        return nt__fail_at(diag, NT_ERR_PARSE, src, r->start, COL__COUNT + 1, 0,
                           "header: %u columns; at most type, value, first_seen, status, "
                           "source, note",
                           r->nf);
    for (int k = 0; k < COL__COUNT; k++)
        cc->col_of[k] = -1;
    for (unsigned k = 0; k < r->nf; k++) {
        size_t n;
        const char *s = trimmed(r, k, &n);
        int c = 0;
        for (; c < COL__COUNT; c++)
            if (strlen(col_names[c]) == n && strncmp(col_names[c], s, n) == 0)
                break;
        if (c == COL__COUNT)
            return nt__fail_at(diag, NT_ERR_PARSE, src, r->start, k + 1, 0,
                               "header, column %u: unknown column \"%.*s\" (type, value, "
                               "first_seen, status, source, note)",
                               k + 1, (int)(n > 40 ? 40 : n), s);
        if (cc->col_of[c] >= 0)
            return nt__fail_at(diag, NT_ERR_PARSE, src, r->start, k + 1, 0,
                               "header, column %u: \"%s\" named twice", k + 1, col_names[c]);
        cc->col_of[c] = (int)k;
    }
    if (cc->col_of[COL_TYPE] < 0 || cc->col_of[COL_VALUE] < 0)
        return nt__fail_at(diag, NT_ERR_PARSE, src, r->start, 1, 0,
                           "header: the columns type and value are required "
                           "(type,value[,first_seen,status,source,note])");
    cc->ncols = r->nf;
    return NT_OK;
}

/* One data record: a record for fn, or an error naming line and column. */
static int data_record(csv_ctx *cc, csv_reader *r)
{
    char tmp[120];
    const char *why;
    unsigned line = r->start;
    if (r->err[0])
        return rec_error(cc, line, r->errcol, "%s", r->err);
    if (r->nf != cc->ncols)
        return rec_error(cc, line, r->nf > cc->ncols ? cc->ncols + 1 : r->nf,
                         "%u fields; the header names %u", r->nf, cc->ncols);
    nt_import_record rec;
    memset(&rec, 0, sizeof rec);
    rec.line = line;
    rec.confidence = -1;
    size_t n;
    const char *s;

    unsigned c = (unsigned)cc->col_of[COL_TYPE];
    s = trimmed(r, c, &n);
    char tname[32];
    if (n == 0 || n >= sizeof tname)
        return rec_error(cc, line, c + 1,
                         "column %u (type): expected url, domain, ip, phone, "
                         "bank, email, social or wallet",
                         c + 1);
    memcpy(tname, s, n);
    tname[n] = '\0';
    if (strcmp(tname, "bank_account") == 0)
        snprintf(tname, sizeof tname, "bank");
    if (nt_ind_type_parse(tname, &rec.type) != NT_OK)
        return rec_error(cc, line, c + 1,
                         "column %u (type): unknown type \"%s\" (url, domain, ip, phone, bank, "
                         "email, social, wallet)",
                         c + 1, tname);

    c = (unsigned)cc->col_of[COL_VALUE];
    s = r->buf + r->f[c].off;
    n = r->f[c].len;
    if ((why = nt__field_problem(s, n, NT_MAX_URL_BYTES, 0, tmp, sizeof tmp)))
        return rec_error(cc, line, c + 1, "column %u (value): %s", c + 1, why);
    nt_diag d;
    nt_diag_clear(&d);
    char *canon = NULL;
    nt_err e = nt__store_canonical(cc->banks, rec.type, s, n, &canon, &d);
    if (e == NT_ERR_NOMEM)
        return -1;
    if (e)
        return rec_error(cc, line, c + 1, "column %u (value): not a valid %s: %.90s", c + 1,
                         nt_ind_type_name(rec.type), d.message[0] ? d.message : nt_strerror(e));
    rec.canonical = canon;

    int stop = 0;
    char status[32];
    if (cc->col_of[COL_FIRST_SEEN] >= 0) {
        c = (unsigned)cc->col_of[COL_FIRST_SEEN];
        s = trimmed(r, c, &n);
        if (n && nt__time_parse(s, n, &rec.first_seen)) {
            stop = rec_error(cc, line, c + 1,
                             "column %u (first_seen): not a date or time (2026-01-02 or "
                             "2026-01-02T03:04:05Z)",
                             c + 1);
            goto done;
        }
    }
    if (cc->col_of[COL_STATUS] >= 0) {
        c = (unsigned)cc->col_of[COL_STATUS];
        s = trimmed(r, c, &n);
        if (n) {
            if (n < sizeof status) {
                memcpy(status, s, n);
                status[n] = '\0';
            }
            if (n >= sizeof status || nt_status_parse(status, &rec.status) != NT_OK) {
                stop = rec_error(cc, line, c + 1,
                                 "column %u (status): unknown status (confirmed, reported, "
                                 "under_review, rejected, disputed, cleared, expired)",
                                 c + 1);
                goto done;
            }
        }
    }
    if (cc->col_of[COL_SOURCE] >= 0) {
        c = (unsigned)cc->col_of[COL_SOURCE];
        s = trimmed(r, c, &n);
        if (n) {
            if ((why = nt__field_problem(s, n, NT_MAX_NAME_BYTES, 0, tmp, sizeof tmp))) {
                stop = rec_error(cc, line, c + 1, "column %u (source): %s", c + 1, why);
                goto done;
            }
            ((char *)s)[n] = '\0'; /* fields are NUL-terminated in buf */
            rec.source = s;
        }
    }
    if (cc->col_of[COL_NOTE] >= 0) {
        c = (unsigned)cc->col_of[COL_NOTE];
        s = trimmed(r, c, &n);
        if (n) {
            if ((why = nt__field_problem(s, n, NT__MAX_NOTE_BYTES, 1, tmp, sizeof tmp))) {
                stop = rec_error(cc, line, c + 1, "column %u (note): %s", c + 1, why);
                goto done;
            }
            ((char *)s)[n] = '\0';
            rec.note = s;
        }
    }
    stop = cc->fn(cc->ctx, &rec, NULL);
done:
    free(canon);
    return stop;
}

nt_err nt__csv_parse(const nt_banks *banks, const nt_import_options *opts, const char *data,
                     size_t len, nt_import_record_fn fn, void *ctx, nt_diag *diag)
{
    const char *src = opts->file ? opts->file : (opts->name ? opts->name : "");
    csv_reader r = {.s = data, .n = len, .line = 1};
    csv_ctx cc = {.banks = banks, .fn = fn, .ctx = ctx};
    nt_err e = NT_OK;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r.i = 3;
    /* the header: the first line that is not blank */
    int got;
    while ((got = next_record(&r)) == 1 && r.nf == 1 && r.f[0].len == 0 && !r.err[0])
        ;
    if (got < 0) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    if (got == 0) {
        e = nt__fail_at(diag, NT_ERR_PARSE, src, 1, 1, 0,
                        "empty: expected a header line type,value[,first_seen,status,source,"
                        "note]");
        goto cleanup;
    }
    if ((e = read_header(&cc, &r, src, diag)))
        goto cleanup;
    unsigned records = 0;
    while ((got = next_record(&r)) == 1) {
        /* a blank line is no record (RFC 4180 has none; spreadsheets write them) */
        if (r.nf == 1 && r.f[0].len == 0 && !r.err[0])
            continue;
        if (++records > NT_MAX_IMPORT_LINES) {
            e = nt__fail_at(diag, NT_ERR_TOO_BIG, src, r.start, 1, 0, "more than %u records",
                            NT_MAX_IMPORT_LINES);
            goto cleanup;
        }
        int st = data_record(&cc, &r);
        if (st < 0) {
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
        if (st)
            break;
    }
    if (got < 0)
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
cleanup:
    free(r.buf);
    return e;
}
