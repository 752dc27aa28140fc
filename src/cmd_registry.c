/*
 * src/cmd_registry.c - the early-warning registry on the command line:
 *
 *   niemtin lookup [--type T] VALUE...        is it reported or confirmed?
 *   niemtin lookup --batch FILE               JSON lines in and out
 *   niemtin report add --type T --value V ... a citizen's or member's report
 *   niemtin review list|show|start|confirm|reject|dispute|clear ...
 *   niemtin import --format chongluadao|list|stix|csv [--type T] FILE
 *   niemtin export --format stix|csv|hosts [--status S|all] [--out FILE]
 *   niemtin feed --since CURSOR [--limit N]   changes in order, with the next cursor
 *   niemtin expire --older-than DAYS
 *
 * Every command takes --db PATH (default $NIEMTIN_DB, else ./niemtin.db),
 * --json, and --lang vi|en; writes take --as LOGIN (or $NIEMTIN_AS): the
 * account the audit log records, checked to exist and be allowed (without
 * it, the --analyst / --reporter name given, as before).  Reporters'
 * contacts are encrypted with the key in $NIEMTIN_STORE_KEY (64 hex digits)
 * or the file named by --key-file /
 * $NIEMTIN_STORE_KEY_FILE (docs/registry.md).  $NIEMTIN_NOW (seconds since
 * 1970) fixes the clock, for tests of expiry and decay.
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "registry_json.h"

typedef struct ropts {
    const char *db;
    const char *key_file;
    const char *type;
    const char *value;
    const char *evidence;
    const char *evidence_file;
    const char *reporter;
    const char *contact;
    const char *channel;
    const char *amount;
    const char *status;
    const char *reason;
    const char *analyst;
    const char *as;
    const char *format;
    const char *name;
    const char *batch;
    const char *since;
    const char *limit;
    const char *after;
    const char *older_than;
    const char *out;
    const char *min_confidence;
    int member, skip_bad, reveal_contact, domains_only;
    int nargs;
    char *args[64];
} ropts;

/* Options of every registry command, anywhere on the line. */
static int parse(cli *c, const char *cmd, int argc, char **argv, ropts *o)
{
    static const struct {
        const char *flag;
        size_t off;
    } valued[] = {
        {"--db", offsetof(ropts, db)},
        {"--key-file", offsetof(ropts, key_file)},
        {"--type", offsetof(ropts, type)},
        {"--value", offsetof(ropts, value)},
        {"--evidence", offsetof(ropts, evidence)},
        {"--evidence-file", offsetof(ropts, evidence_file)},
        {"--reporter", offsetof(ropts, reporter)},
        {"--contact", offsetof(ropts, contact)},
        {"--channel", offsetof(ropts, channel)},
        {"--amount", offsetof(ropts, amount)},
        {"--status", offsetof(ropts, status)},
        {"--reason", offsetof(ropts, reason)},
        {"--analyst", offsetof(ropts, analyst)},
        {"--as", offsetof(ropts, as)},
        {"--format", offsetof(ropts, format)},
        {"--name", offsetof(ropts, name)},
        {"--batch", offsetof(ropts, batch)},
        {"--since", offsetof(ropts, since)},
        {"--limit", offsetof(ropts, limit)},
        {"--after", offsetof(ropts, after)},
        {"--older-than", offsetof(ropts, older_than)},
        {"--out", offsetof(ropts, out)},
        {"--min-confidence", offsetof(ropts, min_confidence)},
    };
    memset(o, 0, sizeof *o);
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || a[1] != '-') {
            if (o->nargs == (int)(sizeof o->args / sizeof o->args[0])) {
                fprintf(stderr, "niemtin %s: %s\n", cmd,
                        L(c, "quá nhiều giá trị", "too many values"));
                return 2;
            }
            o->args[o->nargs++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            c->json = 1;
            continue;
        }
        if (strcmp(a, "--member") == 0) {
            o->member = 1;
            continue;
        }
        if (strcmp(a, "--skip-bad") == 0) {
            o->skip_bad = 1;
            continue;
        }
        if (strcmp(a, "--reveal-contact") == 0) {
            o->reveal_contact = 1;
            continue;
        }
        if (strcmp(a, "--domains-only") == 0) {
            o->domains_only = 1;
            continue;
        }
        if (strcmp(a, "--lang") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "vi") != 0 && strcmp(v, "en") != 0) {
                fprintf(stderr, "niemtin: --lang: %s\n",
                        L(c, "chỉ có vi hoặc en", "expected vi or en"));
                return 2;
            }
            c->lang = strcmp(v, "en") == 0 ? CLI_EN : CLI_VI;
            continue;
        }
        size_t k = 0;
        for (; k < sizeof valued / sizeof valued[0]; k++)
            if (strcmp(a, valued[k].flag) == 0)
                break;
        if (k == sizeof valued / sizeof valued[0]) {
            fprintf(stderr, "niemtin %s: %s '%s'\n", cmd,
                    L(c, "tuỳ chọn không rõ", "unknown option"), a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "niemtin %s: %s: %s\n", cmd, a, L(c, "thiếu giá trị", "missing value"));
            return 2;
        }
        *(const char **)((char *)o + valued[k].off) = argv[++i];
    }
    if (!o->db) {
        const char *env = getenv("NIEMTIN_DB");
        o->db = env && *env ? env : "niemtin.db";
    }
    return 0;
}

static int parse_i64(cli *c, const char *what, const char *s, long long min, long long max,
                     long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "niemtin: %s: %s %lld..%lld\n", what,
                L(c, "cần một số nguyên từ", "expected an integer in"), min, max);
        return 2;
    }
    *out = v;
    return 0;
}

static int parse_type(cli *c, const char *s, nt_ind_type *t)
{
    if (strcmp(s, "bank_account") == 0)
        s = "bank";
    if (nt_ind_type_parse(s, t) != NT_OK) {
        fprintf(stderr, "niemtin: --type: %s '%s' (url domain ip phone bank email social wallet)\n",
                L(c, "loại không rõ", "unknown type"), s);
        return 2;
    }
    return 0;
}

/* The account acting, for the audit log: --as LOGIN or $NIEMTIN_AS, checked
 * (exists, enabled, allowed `need`), then *actor is its login; without one
 * *actor stays `fallback`.  who holds the name *actor points to.  Returns 0
 * or an exit status. */
static int resolve_actor(cli *c, const ropts *o, nt_auth_action need, const char *fallback,
                         const char **actor, nt_principal *who)
{
    const char *as = o->as;
    if (!as) {
        const char *env = getenv("NIEMTIN_AS");
        as = env && *env ? env : NULL;
    }
    *actor = fallback;
    if (!as)
        return 0;
    int st = cli_acting(c, o->db, as, need, who);
    if (st)
        return st;
    if (o->analyst && *o->analyst && strcmp(o->analyst, who->name) != 0) {
        fprintf(stderr, "niemtin: --analyst %s / --as %s: %s\n", o->analyst, who->name,
                L(c, "hai người khác nhau; chỉ dùng --as", "two different people; use --as alone"));
        return 2;
    }
    *actor = who->name;
    return 0;
}

/* "niemtin: WHAT: message" - with file:line when the diag has one, without
 * the meaningless "byte 0" of a non-parse error. */
static void reg_error(const cli *c, nt_err rc, const nt_diag *d, const char *what)
{
    if (d && d->code != NT_OK && d->line == 0 && d->message[0])
        fprintf(stderr, "niemtin: %s: %s\n", what, d->message);
    else
        cli_error(c, rc, d, what);
}

static int64_t fixed_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

/* The contact key from --key-file, $NIEMTIN_STORE_KEY_FILE or
 * $NIEMTIN_STORE_KEY: 64 hex digits (a file may also hold 32 raw bytes).  A
 * key file readable by group or others is refused, as ssh does. */
static int load_key(cli *c, const ropts *o, unsigned char key[32], int *have)
{
    const char *file = o->key_file ? o->key_file : getenv("NIEMTIN_STORE_KEY_FILE");
    const char *hex = getenv("NIEMTIN_STORE_KEY");
    char buf[130];
    size_t n = 0, got = 0;
    *have = 0;
    if (file && *file) {
        struct stat sb;
        FILE *f = fopen(file, "rb");
        if (!f || fstat(fileno(f), &sb) != 0) {
            fprintf(stderr, "niemtin: %s: %s\n", file, strerror(errno));
            if (f)
                fclose(f);
            return 1;
        }
        if (sb.st_mode & 077) {
            fprintf(stderr, "niemtin: %s: %s\n", file,
                    L(c, "tệp khoá không được để nhóm hoặc người khác đọc (chmod 600)",
                      "the key file must not be readable by group or others (chmod 600)"));
            fclose(f);
            return 1;
        }
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        if (n == 32) {
            memcpy(key, buf, 32);
            *have = 1;
            sodium_memzero(buf, sizeof buf);
            return 0;
        }
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
            n--;
        buf[n] = '\0';
        hex = buf;
    } else if (!hex || !*hex) {
        return 0;
    }
    if (strlen(hex) != 64 || sodium_hex2bin(key, 32, hex, 64, NULL, &got, NULL) != 0 || got != 32) {
        fprintf(stderr, "niemtin: %s: %s\n", file ? file : "NIEMTIN_STORE_KEY",
                L(c, "khoá cần đúng 64 chữ số hex (hoặc 32 byte trong tệp)",
                  "the key must be exactly 64 hex digits (or 32 bytes in a file)"));
        sodium_memzero(buf, sizeof buf);
        return 1;
    }
    sodium_memzero(buf, sizeof buf);
    *have = 1;
    return 0;
}

int cli_load_store_key(cli *c, const char *key_file, unsigned char key[32], int *have)
{
    ropts o;
    memset(&o, 0, sizeof o);
    o.key_file = key_file;
    return load_key(c, &o, key, have);
}

typedef struct session {
    nt_registry *reg;
    nt_banks *banks;
    int64_t now;
} session;

static int open_registry(cli *c, const ropts *o, session *s)
{
    unsigned char key[32];
    int have_key = 0;
    memset(s, 0, sizeof *s);
    if (load_key(c, o, key, &have_key))
        return 1;
    if (!(s->banks = cli_load_banks(c)))
        return 1;
    nt_store_config cfg;
    nt_store_config_init(&cfg);
    cfg.path = o->db;
    cfg.key = have_key ? key : NULL;
    cfg.banks = s->banks;
    const char *now = getenv("NIEMTIN_NOW");
    if (now && *now) {
        long long v;
        if (parse_i64(c, "NIEMTIN_NOW", now, 0, 4000000000LL, &v))
            return 2;
        s->now = v;
        cfg.clock = fixed_clock;
        cfg.clock_ctx = &s->now;
    }
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_registry_open(&cfg, &s->reg, &d);
    sodium_memzero(key, sizeof key);
    if (rc) {
        char what[600];
        snprintf(what, sizeof what, "%s %s",
                 L(c, "không mở được cơ sở dữ liệu", "cannot open the database"), o->db);
        reg_error(c, rc, &d, what);
        nt_banks_free(s->banks);
        s->banks = NULL;
        return 1;
    }
    return 0;
}

static void close_registry(session *s)
{
    nt_registry_close(s->reg);
    nt_banks_free(s->banks);
}

static void print_json(json_t *j, int compact)
{
    char *s = json_dumps(j, compact ? JSON_COMPACT : JSON_INDENT(2));
    if (s) {
        puts(s);
        free(s);
    }
}


/* The shared renderings (src/registry_json.c) in this command's language. */
#define iso_time(t) reg_iso_time(t)
#define type_label(c, t) reg_type_label((c)->lang == CLI_EN, t)
#define via_label(c, v) reg_via_label((c)->lang == CLI_EN, v)
#define verdict(c, a) reg_verdict((c)->lang == CLI_EN, a)
#define answer_json(c, a) reg_answer_json((c)->lang == CLI_EN, a)

/* Date and time in Vietnam (UTC+7) for people. */
static const char *vn_time(int64_t t, char buf[32])
{
    time_t tt = (time_t)(t + 7 * 3600);
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return "?";
    strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
    return buf;
}






static void print_answer(const cli *c, const nt_reg_answer *a)
{
    char ex[512], t1[32], t2[32];
    printf("  %s %s: %s\n", type_label(c, a->type), a->canonical ? a->canonical : "",
           verdict(c, a));
    for (size_t i = 0; i < a->n_matches; i++) {
        const nt_reg_match *m = &a->matches[i];
        printf("    #%lld %s [%s] — %s\n", (long long)m->id, m->value, nt_status_name(m->status),
               nt_reg_explain(m, c->lang == CLI_EN, ex, sizeof ex));
        printf("      %s: %s · %s %s · %s %s\n", L(c, "khớp", "matched"), via_label(c, m->via),
               L(c, "lần đầu", "first seen"), vn_time(m->first_seen, t1),
               L(c, "gần nhất", "last seen"), vn_time(m->last_seen, t2));
    }
    if (a->n_total > a->n_matches)
        printf("    … %s %zu\n", L(c, "tổng số kết quả:", "matches in all:"), a->n_total);
}

/* Look one raw value up as every type it could be (or as `type`). */
static int lookup_value(cli *c, session *s, const char *raw, nt_ind_type type, json_t *out_arr,
                        unsigned line)
{
    nt_ind_type types[4];
    size_t nt = 0;
    if (type)
        types[nt++] = type;
    else
        nt = nt_registry_guess_types(s->reg, raw, strlen(raw), types);
    json_t *res = json_object();
    json_object_set_new(res, "input", cli_json_text(raw, strlen(raw)));
    if (line)
        json_object_set_new(res, "line", json_integer(line));
    if (nt == 0) {
        const char *msg = L(c,
                            "không nhận ra giá trị: không phải số điện thoại, tài khoản, link, "
                            "tên miền, IP, email, tài khoản mạng xã hội hay ví",
                            "not recognised as a phone number, account, URL, domain, IP, e-mail, "
                            "social account or wallet");
        json_object_set_new(res, "error", json_string(msg));
        if (!c->json) {
            printf("%s\n  %s\n", raw, msg);
        }
        json_array_append_new(out_arr, res);
        return 1;
    }
    if (!c->json)
        printf("%s\n", raw);
    json_t *results = json_array();
    int status = 0;
    for (size_t k = 0; k < nt; k++) {
        nt_reg_answer a;
        nt_diag d;
        nt_diag_clear(&d);
        nt_err rc = nt_registry_lookup(s->reg, types[k], raw, strlen(raw), &a, &d);
        if (rc) {
            char buf[400];
            json_t *ej = json_object();
            json_object_set_new(ej, "type", json_string(nt_ind_type_name(types[k])));
            json_object_set_new(ej, "error", json_string(nt_diag_format(&d, buf, sizeof buf)));
            json_array_append_new(results, ej);
            if (!c->json)
                printf("  %s: %s: %s\n", type_label(c, types[k]), L(c, "không hợp lệ", "invalid"),
                       d.message);
            status = 1;
            continue;
        }
        if (c->json)
            json_array_append_new(results, answer_json(c, &a));
        else
            print_answer(c, &a);
        nt_reg_answer_release(&a);
    }
    json_object_set_new(res, "results", results);
    json_array_append_new(out_arr, res);
    return status;
}

/* --batch: one value a line, plain or {"value": ..., "type": ...}; one JSON
 * answer a line out. */
static int lookup_batch(cli *c, session *s, const char *path, nt_ind_type type)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "niemtin: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned ln = 0;
    int status = 0, saved_json = c->json;
    c->json = 1;
    while ((n = getline(&line, &cap, f)) >= 0) {
        ln++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        json_t *arr = json_array();
        const char *value = line;
        nt_ind_type t = type;
        json_t *in = NULL;
        if (line[0] == '{') {
            json_error_t je;
            in = json_loads(line, 0, &je);
            const char *v = in ? json_string_value(json_object_get(in, "value")) : NULL;
            const char *ts = in ? json_string_value(json_object_get(in, "type")) : NULL;
            nt_ind_type tt;
            if (!v ||
                (ts && nt_ind_type_parse(strcmp(ts, "bank_account") == 0 ? "bank" : ts, &tt))) {
                json_t *err = json_object();
                json_object_set_new(err, "line", json_integer(ln));
                json_object_set_new(err, "error",
                                    json_string(!in  ? "not valid JSON"
                                                : !v ? "a JSON line needs a \"value\" string"
                                                     : "unknown \"type\""));
                print_json(err, 1);
                json_decref(err);
                json_decref(in);
                json_decref(arr);
                status = 1;
                continue;
            }
            value = v;
            if (ts)
                t = tt;
        }
        if (lookup_value(c, s, value, t, arr, ln))
            status = 1;
        print_json(json_array_get(arr, 0), 1);
        json_decref(arr);
        json_decref(in);
    }
    c->json = saved_json;
    free(line);
    if (f != stdin)
        fclose(f);
    return status;
}

int cmd_lookup(cli *c, int argc, char **argv)
{
    ropts o;
    int st = parse(c, "lookup", argc, argv, &o);
    if (st)
        return st;
    nt_ind_type type = 0;
    if (o.type && parse_type(c, o.type, &type))
        return 2;
    if (!o.batch && o.nargs == 0) {
        fprintf(stderr,
                "%s: niemtin lookup [--db PATH] [--type T] [--json] VALUE... | --batch FILE\n",
                L(c, "Cách dùng", "Usage"));
        return 2;
    }
    session s;
    if ((st = open_registry(c, &o, &s)))
        return st;
    if (o.batch) {
        st = lookup_batch(c, &s, o.batch, type);
    } else {
        json_t *arr = json_array();
        for (int i = 0; i < o.nargs; i++)
            if (lookup_value(c, &s, o.args[i], type, arr, 0))
                st = 1;
        if (c->json) {
            json_t *root = json_object();
            json_object_set_new(root, "lookups", arr);
            print_json(root, 0);
            json_decref(root);
        } else {
            json_decref(arr);
        }
    }
    close_registry(&s);
    return st;
}

/* ---- report --------------------------------------------------------------------------- */

int cmd_report(cli *c, int argc, char **argv)
{
    ropts o;
    int st = parse(c, "report", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs != 1 || strcmp(o.args[0], "add") != 0 || !o.type || !o.value) {
        fprintf(stderr,
                "%s: niemtin report add --type T --value V [--evidence TEXT | --evidence-file F] "
                "[--reporter NAME] [--member] [--contact C] [--channel sms|call|web|zalo|facebook|"
                "telegram|email|app|other] [--amount VND] [--db PATH] [--json]\n",
                L(c, "Cách dùng", "Usage"));
        return 2;
    }
    nt_ind_type type;
    if (parse_type(c, o.type, &type))
        return 2;
    long long amount = 0;
    if (o.amount && parse_i64(c, "--amount", o.amount, 0, NT_MAX_AMOUNT_VND, &amount))
        return 2;
    char *evidence = NULL;
    size_t elen = 0;
    if (o.evidence_file) {
        char *args[2] = {(char *)"-f", (char *)o.evidence_file};
        cli big = *c;
        big.max_bytes = 2 * NT_MAX_EVIDENCE_BYTES; /* the library names the limit */
        if ((st = cli_read_input(&big, 2, args, &evidence, &elen)))
            return st;
    }
    nt_principal who;
    const char *actor = NULL;
    if ((st = resolve_actor(c, &o, o.member ? NT_AUTH_REPORT_AS_MEMBER : NT_AUTH_REPORT, NULL,
                            &actor, &who))) {
        free(evidence);
        return st;
    }
    const char *reporter = o.reporter;
    if (actor && o.member) {
        /* an account reports in its own organisation's name only */
        if (!who.org[0] || (reporter && strcmp(reporter, who.org) != 0)) {
            fprintf(stderr, "niemtin: --member: %s %s %s\n", who.name,
                    who.org[0] ? L(c, "chỉ báo cáo nhân danh tổ chức của mình:",
                                   "reports only in its own organisation's name:")
                               : L(c, "không thuộc tổ chức nào", "belongs to no organisation"),
                    who.org);
            free(evidence);
            return 1;
        }
        reporter = who.org;
    }
    session s;
    if ((st = open_registry(c, &o, &s))) {
        free(evidence);
        return st;
    }
    nt_report_in in = {.actor = actor,
                       .type = type,
                       .value = o.value,
                       .value_len = strlen(o.value),
                       .reporter = reporter,
                       .member = o.member,
                       .channel = o.channel,
                       .evidence = evidence ? evidence : o.evidence,
                       .evidence_len = evidence ? elen : (o.evidence ? strlen(o.evidence) : 0),
                       .contact = o.contact,
                       .amount = amount};
    int64_t rid = 0, iid = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_registry_report(s.reg, &in, &rid, &iid, &d);
    if (rc) {
        reg_error(c, rc, &d, L(c, "báo cáo bị từ chối", "report rejected"));
        st = 1;
        goto done;
    }
    nt_store_indicator ind;
    if (nt_store_get(nt_registry_store(s.reg), iid, &ind, NULL) == NT_OK) {
        if (c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "report_id", json_integer(rid));
            json_object_set_new(j, "indicator_id", json_integer(iid));
            json_object_set_new(j, "type", json_string(nt_ind_type_name(ind.type)));
            json_object_set_new(j, "value", json_string(ind.value));
            json_object_set_new(j, "status", json_string(nt_status_name(ind.status)));
            json_object_set_new(j, "reports", json_integer(ind.n_reports));
            json_object_set_new(j, "reporters", json_integer(ind.n_reporters));
            print_json(j, 0);
            json_decref(j);
        } else {
            printf("%s #%lld: %s %s (%s #%lld, %s: %s, %u %s)\n",
                   L(c, "Đã ghi nhận báo cáo", "Report recorded"), (long long)rid,
                   type_label(c, ind.type), ind.value, L(c, "chỉ báo", "indicator"), (long long)iid,
                   L(c, "trạng thái", "status"), nt_status_name(ind.status), ind.n_reports,
                   L(c, "báo cáo", "reports"));
            printf("%s\n", L(c,
                             "Cảm ơn bạn đã báo cáo. Nếu đã chuyển tiền, gọi ngay ngân hàng và báo "
                             "công an (113).",
                             "Thank you for reporting. If you sent money, call your bank now and "
                             "report to the police (113)."));
        }
        nt_store_indicator_release(&ind);
    }
done:
    free(evidence);
    close_registry(&s);
    return st;
}

/* ---- review ------------------------------------------------------------------------------ */

typedef struct list_ctx {
    cli *c;
    json_t *arr;
    size_t n;
    int64_t now;
    double half_life;
} list_ctx;

static int list_row(void *ctx, const nt_store_indicator *ind)
{
    list_ctx *l = ctx;
    char t[32];
    double score = nt_reputation_score(ind->score_e, ind->score_at, l->now, l->half_life);
    l->n++;
    if (l->c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(ind->id));
        json_object_set_new(j, "type", json_string(nt_ind_type_name(ind->type)));
        json_object_set_new(j, "value", json_string(ind->value));
        json_object_set_new(j, "status", json_string(nt_status_name(ind->status)));
        json_object_set_new(j, "status_by", json_string(ind->status_by));
        json_object_set_new(j, "reports", json_integer(ind->n_reports));
        json_object_set_new(j, "reporters", json_integer(ind->n_reporters));
        json_object_set_new(j, "score", json_real((double)(int)(score * 10 + 0.5) / 10));
        json_object_set_new(j, "last_seen", iso_time(ind->last_seen));
        json_array_append_new(l->arr, j);
    } else {
        printf("%8lld  %-7s %-13s %4u/%-4u %5.1f  %s  %s\n", (long long)ind->id,
               nt_ind_type_name(ind->type), nt_status_name(ind->status), ind->n_reports,
               ind->n_reporters, score, vn_time(ind->last_seen, t), ind->value);
    }
    return 0;
}

static int report_row(void *ctx, const nt_store_report *r)
{
    list_ctx *l = ctx;
    char t[32];
    if (l->c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(r->id));
        json_object_set_new(j, "reporter", json_string(r->reporter));
        json_object_set_new(j, "reporter_kind", json_string(nt_source_kind_name(r->reporter_kind)));
        json_object_set_new(j, "channel", json_string(r->channel));
        json_object_set_new(j, "evidence", json_string(r->evidence));
        json_object_set_new(j, "amount", json_integer(r->amount));
        json_object_set_new(j, "reported_at", iso_time(r->reported_at));
        json_object_set_new(j, "has_contact", json_boolean(r->has_contact));
        json_array_append_new(l->arr, j);
    } else {
        int n = (int)strlen(r->evidence);
        printf("  %s #%lld %s %s (%s) %s %s%s%lld VND\n", L(l->c, "báo cáo", "report"),
               (long long)r->id, vn_time(r->reported_at, t), r->reporter,
               nt_source_kind_name(r->reporter_kind), r->channel,
               r->has_contact ? L(l->c, "[có liên hệ, đã mã hoá] ", "[contact, encrypted] ") : "",
               "", (long long)r->amount);
        if (n)
            printf("      \"%.*s%s\"\n", n > 300 ? 300 : n, r->evidence, n > 300 ? "…" : "");
    }
    l->n++;
    return 0;
}

static int event_row(void *ctx, const nt_store_event *e)
{
    list_ctx *l = ctx;
    char t[32];
    if (l->c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "at", iso_time(e->at));
        json_object_set_new(j, "actor", json_string(e->actor));
        json_object_set_new(j, "action", json_string(e->action));
        json_object_set_new(j, "from",
                            e->from ? json_string(nt_status_name(e->from)) : json_null());
        json_object_set_new(j, "to", json_string(nt_status_name(e->to)));
        json_object_set_new(j, "reason", json_string(e->reason));
        json_array_append_new(l->arr, j);
    } else {
        printf("  %s  %-10s %s → %s  %s%s%s\n", vn_time(e->at, t), e->action,
               e->from ? nt_status_name(e->from) : "-", nt_status_name(e->to), e->actor,
               e->reason[0] ? ": " : "", e->reason);
    }
    return 0;
}

static int review_show(cli *c, session *s, int64_t id)
{
    nt_store *st = nt_registry_store(s->reg);
    nt_store_indicator ind;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_store_get(st, id, &ind, &d);
    if (rc) {
        reg_error(c, rc, &d, L(c, "không xem được", "cannot show"));
        return 1;
    }
    list_ctx reps = {.c = c, .arr = json_array()}, evs = {.c = c, .arr = json_array()};
    double score =
        nt_reputation_score(ind.score_e, ind.score_at, nt_store_now(st), nt_store_half_life(st));
    nt_reg_answer a;
    char ex[512], t[32];
    nt_registry_lookup_canonical(s->reg, ind.type, ind.value, &a);
    const nt_reg_match *self = NULL;
    for (size_t i = 0; i < a.n_matches; i++)
        if (a.matches[i].id == ind.id)
            self = &a.matches[i];
    if (!c->json) {
        printf("#%lld %s %s\n", (long long)ind.id, type_label(c, ind.type), ind.value);
        printf("  %s: %s (%s, %s)\n", L(c, "trạng thái", "status"), nt_status_name(ind.status),
               ind.status_by, vn_time(ind.status_at, t));
        printf("  %s: %u/%u, %s %.1f/100\n", L(c, "báo cáo/người báo cáo", "reports/reporters"),
               ind.n_reports, ind.n_reporters, L(c, "rủi ro", "risk"), score);
        if (self)
            printf("  %s\n", nt_reg_explain(self, c->lang == CLI_EN, ex, sizeof ex));
        printf("%s:\n", L(c, "Báo cáo", "Reports"));
    }
    rc = nt_store_reports(st, id, report_row, &reps, &d);
    if (!rc && !c->json)
        printf("%s:\n", L(c, "Lịch sử", "History"));
    if (!rc)
        rc = nt_store_events(st, id, event_row, &evs, &d);
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(ind.id));
        json_object_set_new(j, "type", json_string(nt_ind_type_name(ind.type)));
        json_object_set_new(j, "value", json_string(ind.value));
        json_object_set_new(j, "status", json_string(nt_status_name(ind.status)));
        json_object_set_new(j, "status_by", json_string(ind.status_by));
        json_object_set_new(j, "status_at", iso_time(ind.status_at));
        json_object_set_new(j, "first_seen", iso_time(ind.first_seen));
        json_object_set_new(j, "last_seen", iso_time(ind.last_seen));
        json_object_set_new(j, "reports_count", json_integer(ind.n_reports));
        json_object_set_new(j, "reporters_count", json_integer(ind.n_reporters));
        json_object_set_new(j, "score", json_real((double)(int)(score * 10 + 0.5) / 10));
        if (self)
            json_object_set_new(
                j, "explanation",
                json_string(nt_reg_explain(self, c->lang == CLI_EN, ex, sizeof ex)));
        json_object_set_new(j, "reports", json_incref(reps.arr));
        json_object_set_new(j, "history", json_incref(evs.arr));
        print_json(j, 0);
        json_decref(j);
    }
    json_decref(reps.arr);
    json_decref(evs.arr);
    nt_store_indicator_release(&ind);
    if (rc) {
        reg_error(c, rc, &d, L(c, "không xem được", "cannot show"));
        return 1;
    }
    return 0;
}

/* Print the decrypted contact of each report of an indicator (analysts
 * calling a reporter back; needs the key). */
typedef struct contact_ctx {
    cli *c;
    nt_store *st;
    int status;
} contact_ctx;

static int contact_row(void *ctx, const nt_store_report *r)
{
    contact_ctx *cc = ctx;
    if (!r->has_contact)
        return 0;
    char *contact = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    /* the report iteration holds a statement open; decrypting reads another */
    nt_err rc = nt_store_report_contact(cc->st, r->id, &contact, &d);
    if (rc) {
        reg_error(cc->c, rc, &d,
                  L(cc->c, "không giải mã được liên hệ", "cannot decrypt the contact"));
        cc->status = 1;
        return 0;
    }
    printf("  %s #%lld: %s\n", L(cc->c, "liên hệ của báo cáo", "contact of report"),
           (long long)r->id, contact);
    sodium_memzero(contact, strlen(contact));
    free(contact);
    return 0;
}

int cmd_review(cli *c, int argc, char **argv)
{
    ropts o;
    int st = parse(c, "review", argc, argv, &o);
    if (st)
        return st;
    static const char *usage =
        "niemtin review list [--status S] [--after ID] [--limit N] | show ID [--reveal-contact] | "
        "start|confirm|reject|dispute|clear ID --reason TEXT [--as LOGIN | --analyst NAME]  "
        "[--db PATH] [--json]";
    if (o.nargs < 1) {
        fprintf(stderr, "%s: %s\n", L(c, "Cách dùng", "Usage"), usage);
        return 2;
    }
    const char *sub = o.args[0];
    nt_action action = 0;
    int is_list = strcmp(sub, "list") == 0, is_show = strcmp(sub, "show") == 0;
    if (!is_list && !is_show) {
        if (strcmp(sub, "start") == 0)
            action = NT_ACTION_REVIEW;
        else if (nt_action_parse(sub, &action) != NT_OK || action == NT_ACTION_EXPIRE) {
            fprintf(stderr, "niemtin review: %s '%s'\n%s: %s\n",
                    L(c, "không có lệnh", "no such subcommand"), sub, L(c, "Cách dùng", "Usage"),
                    usage);
            return 2;
        }
    }
    long long id = 0;
    if (!is_list) {
        if (o.nargs != 2) {
            fprintf(stderr, "%s: %s\n", L(c, "Cách dùng", "Usage"), usage);
            return 2;
        }
        if (parse_i64(c, "ID", o.args[1], 1, INT64_MAX, &id))
            return 2;
    }
    if (action && (!o.reason || !*o.reason)) {
        fprintf(stderr, "niemtin review %s: %s\n", sub,
                L(c, "cần --reason: mọi quyết định phải có lý do",
                  "--reason is required: every decision needs one"));
        return 2;
    }
    nt_status status = 0;
    if (o.status && nt_status_parse(o.status, &status) != NT_OK) {
        fprintf(stderr, "niemtin review: --status: %s '%s'\n",
                L(c, "trạng thái không rõ", "unknown status"), o.status);
        return 2;
    }
    long long limit = 100, after = 0;
    if (o.limit && parse_i64(c, "--limit", o.limit, 1, 1000000, &limit))
        return 2;
    if (o.after && parse_i64(c, "--after", o.after, 0, INT64_MAX, &after))
        return 2;
    const char *analyst = o.analyst;
    if (!analyst || !*analyst)
        analyst = getenv("USER");
    if (!analyst || !*analyst)
        analyst = "analyst";
    nt_principal who;
    nt_auth_action need = is_show && o.reveal_contact ? NT_AUTH_REVEAL_CONTACT : NT_AUTH_REVIEW;
    if ((st = resolve_actor(c, &o, need, analyst, &analyst, &who)))
        return st;
    session s;
    if ((st = open_registry(c, &o, &s)))
        return st;
    nt_store *store = nt_registry_store(s.reg);
    nt_diag d;
    nt_diag_clear(&d);
    if (is_list) {
        list_ctx l = {.c = c,
                      .arr = json_array(),
                      .now = nt_store_now(store),
                      .half_life = nt_store_half_life(store)};
        nt_err rc = nt_store_list(store, status, after, (size_t)limit, list_row, &l, &d);
        if (rc) {
            reg_error(c, rc, &d, L(c, "không liệt kê được", "cannot list"));
            st = 1;
        } else if (c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "count", json_integer((json_int_t)l.n));
            json_object_set_new(j, "indicators", json_incref(l.arr));
            print_json(j, 0);
            json_decref(j);
        } else if (l.n == 0) {
            printf("%s\n", L(c, "Không có chỉ báo nào.", "No indicators."));
        }
        json_decref(l.arr);
    } else if (is_show) {
        st = review_show(c, &s, id);
        if (!st && o.reveal_contact && !c->json) {
            /* decrypting a reporter's personal data is recorded, before it happens */
            char object[48];
            snprintf(object, sizeof object, "indicator:%lld", id);
            nt_err rc = nt_audit_append(store, analyst, "contact.reveal", object, NULL, NULL, &d);
            if (rc) {
                reg_error(c, rc, &d, L(c, "không ghi được nhật ký", "cannot write the audit log"));
                close_registry(&s);
                return 1;
            }
            contact_ctx cc = {.c = c, .st = store};
            nt_store_reports(store, id, contact_row, &cc, NULL);
            st = cc.status;
        }
    } else {
        nt_err rc = nt_registry_decide(s.reg, id, action, analyst, o.reason, &d);
        if (rc) {
            reg_error(c, rc, &d, L(c, "không thực hiện được", "not done"));
            st = 1;
        } else {
            nt_store_indicator ind;
            if (nt_store_get(store, id, &ind, NULL) == NT_OK) {
                if (c->json) {
                    json_t *j = json_object();
                    json_object_set_new(j, "id", json_integer(id));
                    json_object_set_new(j, "value", json_string(ind.value));
                    json_object_set_new(j, "status", json_string(nt_status_name(ind.status)));
                    json_object_set_new(j, "by", json_string(ind.status_by));
                    print_json(j, 0);
                    json_decref(j);
                } else {
                    printf("#%lld %s: %s (%s)\n", id, ind.value, nt_status_name(ind.status),
                           ind.status_by);
                }
                nt_store_indicator_release(&ind);
            }
        }
    }
    close_registry(&s);
    return st;
}

/* ---- import ------------------------------------------------------------------------------- */

/* SOURCE.txt and LICENSE beside the list, as its provenance; NULL if none. */
static char *read_provenance(const char *file)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';
    static const char *names[] = {"SOURCE.txt", "LICENSE"};
    char *out = NULL;
    size_t n = 0;
    for (size_t i = 0; i < 2; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", dir, names[i]);
        FILE *f = fopen(p, "rb");
        if (!f)
            continue;
        char buf[16384];
        size_t got = fread(buf, 1, sizeof buf, f);
        fclose(f);
        char *no = realloc(out, n + got + 32);
        if (!no)
            break;
        out = no;
        n += (size_t)snprintf(out + n, 32, "%s== %s ==\n", n ? "\n" : "", names[i]);
        memcpy(out + n, buf, got);
        n += got;
        out[n] = '\0';
    }
    return out;
}

int cmd_import(cli *c, int argc, char **argv)
{
    ropts o;
    int st = parse(c, "import", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs != 1 || !o.format) {
        fprintf(stderr,
                "%s: niemtin import --format chongluadao|list|stix|csv [--type T] [--name NAME] "
                "[--skip-bad] [--min-confidence N] [--db PATH] [--json] FILE\n",
                L(c, "Cách dùng", "Usage"));
        return 2;
    }
    nt_import_options io = {0};
    if (strcmp(o.format, "chongluadao") == 0) {
        io.format = NT_IMPORT_CHONGLUADAO;
    } else if (strcmp(o.format, "list") == 0) {
        io.format = NT_IMPORT_LIST;
        if (!o.type) {
            fprintf(stderr, "niemtin import: %s\n",
                    L(c, "--format list cần --type", "--format list needs --type"));
            return 2;
        }
        if (parse_type(c, o.type, &io.type))
            return 2;
    } else if (strcmp(o.format, "stix") == 0) {
        io.format = NT_IMPORT_STIX;
    } else if (strcmp(o.format, "csv") == 0) {
        io.format = NT_IMPORT_CSV;
    } else {
        fprintf(stderr, "niemtin import: --format: %s '%s' (chongluadao, list, stix, csv)\n",
                L(c, "định dạng không rõ", "unknown format"), o.format);
        return 2;
    }
    if (o.min_confidence) {
        long long v;
        if (parse_i64(c, "--min-confidence", o.min_confidence, 0, 100, &v))
            return 2;
        io.min_confidence = (int)v;
    }
    const char *file = o.args[0];
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    io.name = o.name ? o.name : (io.format == NT_IMPORT_CHONGLUADAO ? "chongluadao" : base);
    io.file = file;
    io.skip_bad = o.skip_bad;
    nt_principal who;
    if ((st = resolve_actor(c, &o, NT_AUTH_IMPORT, o.analyst, &io.actor, &who)))
        return st;
    char *data = NULL;
    size_t len = 0;
    {
        char *args[2] = {(char *)"-f", (char *)file};
        cli big = *c;
        big.max_bytes = NT_MAX_IMPORT_BYTES;
        if ((st = cli_read_input(&big, 2, args, &data, &len)))
            return st;
    }
    char *licence = read_provenance(file);
    io.licence = licence;
    session s;
    if ((st = open_registry(c, &o, &s))) {
        free(data);
        free(licence);
        return st;
    }
    nt_import_result *res = calloc(1, sizeof *res);
    nt_diag d;
    nt_diag_clear(&d);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nt_err rc = res ? nt_registry_import(s.reg, &io, data, len, res, &d) : NT_ERR_NOMEM;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (res) {
        for (size_t i = 0; i < res->n_errors && !c->json; i++) {
            const nt_import_error *ie = &res->errors[i];
            if (ie->object)
                fprintf(stderr, "%s: objects[%u]%s%s: %s\n", file, ie->object - 1,
                        ie->ref[0] ? " " : "", ie->ref, ie->message);
            else
                fprintf(stderr, "%s:%u: %s\n", file, ie->line, ie->message);
        }
        if (!c->json && res->bad > res->n_errors)
            fprintf(stderr, "… %zu %s\n", res->bad - res->n_errors,
                    L(c, "dòng lỗi khác", "more bad lines"));
    }
    if (rc) {
        reg_error(
            c, rc, &d,
            L(c, "nhập thất bại, không có gì được ghi", "import failed, nothing was written"));
        st = 1;
    }
    if (res && (c->json || !rc)) {
        if (c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "ok", json_boolean(rc == NT_OK));
            json_object_set_new(j, "source_id", json_integer(res->source_id));
            json_object_set_new(j, "lines", json_integer((json_int_t)res->lines));
            json_object_set_new(j, "added", json_integer((json_int_t)res->added));
            json_object_set_new(j, "confirmed", json_integer((json_int_t)res->confirmed));
            json_object_set_new(j, "unchanged", json_integer((json_int_t)res->unchanged));
            json_object_set_new(j, "duplicates", json_integer((json_int_t)res->duplicates));
            json_object_set_new(j, "bad", json_integer((json_int_t)res->bad));
            if (io.format == NT_IMPORT_STIX || io.format == NT_IMPORT_CSV) {
                json_t *sk = json_object();
                json_object_set_new(sk, "revoked", json_integer((json_int_t)res->skipped_revoked));
                json_object_set_new(sk, "expired", json_integer((json_int_t)res->skipped_expired));
                json_object_set_new(sk, "status", json_integer((json_int_t)res->skipped_status));
                json_object_set_new(sk, "low_confidence",
                                    json_integer((json_int_t)res->skipped_low_confidence));
                json_object_set_new(j, "skipped", sk);
                json_object_set_new(j, "other_objects",
                                    json_integer((json_int_t)res->other_objects));
            }
            json_object_set_new(j, "seconds", json_real(secs));
            json_t *errs = json_array();
            for (size_t i = 0; i < res->n_errors; i++) {
                json_t *e = json_object();
                if (res->errors[i].object) {
                    json_object_set_new(e, "object", json_integer(res->errors[i].object - 1));
                    if (res->errors[i].ref[0])
                        json_object_set_new(e, "id", json_string(res->errors[i].ref));
                } else {
                    json_object_set_new(e, "line", json_integer(res->errors[i].line));
                }
                if (res->errors[i].column)
                    json_object_set_new(e, "column", json_integer(res->errors[i].column));
                json_object_set_new(e, "error", json_string(res->errors[i].message));
                json_array_append_new(errs, e);
            }
            json_object_set_new(j, "errors", errs);
            print_json(j, 0);
            json_decref(j);
        } else {
            int records = io.format == NT_IMPORT_STIX || io.format == NT_IMPORT_CSV;
            printf("%s %s: %zu %s, %zu %s, %zu %s, %zu %s, %zu %s, %zu %s (%.2f s)\n",
                   L(c, "Đã nhập", "Imported"), file, res->lines,
                   records ? L(c, "bản ghi", "records") : L(c, "dòng", "lines"), res->added,
                   L(c, "mới", "new"), res->confirmed, L(c, "được xác nhận", "confirmed"),
                   res->unchanged, L(c, "không đổi", "unchanged"), res->duplicates,
                   L(c, "trùng lặp", "duplicates"), res->bad,
                   records ? L(c, "bản ghi lỗi bỏ qua", "bad records skipped")
                           : L(c, "dòng lỗi bỏ qua", "bad lines skipped"),
                   secs);
            size_t skipped = res->skipped_revoked + res->skipped_expired + res->skipped_status +
                             res->skipped_low_confidence;
            if (skipped)
                printf("  %s: %zu %s, %zu %s, %zu %s, %zu %s\n", L(c, "không nhập", "left out"),
                       res->skipped_revoked, L(c, "đã thu hồi", "revoked"), res->skipped_expired,
                       L(c, "hết hiệu lực", "no longer valid"), res->skipped_status,
                       L(c, "chưa được xác nhận", "not confirmed"), res->skipped_low_confidence,
                       L(c, "độ tin cậy thấp", "low confidence"));
            if (res->other_objects)
                printf("  %s: %zu\n",
                       L(c, "đối tượng STIX khác (bỏ qua)", "other STIX objects (ignored)"),
                       res->other_objects);
        }
    }
    free(res);
    free(data);
    free(licence);
    close_registry(&s);
    return st;
}

/* ---- export ------------------------------------------------------------------------------- */

static nt_err export_io_error(nt_diag *d, const char *why)
{
    d->code = NT_ERR_IO;
    d->line = 0;
    snprintf(d->message, sizeof d->message, "%s", why);
    return NT_ERR_IO;
}

static int write_file(void *ctx, const char *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)ctx) != len;
}

int cmd_export(cli *c, int argc, char **argv)
{
    ropts o;
    int st = parse(c, "export", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs != 0 || !o.format) {
        fprintf(stderr,
                "%s: niemtin export --format stix|csv|hosts [--status S|all] [--domains-only] "
                "[--out FILE] [--db PATH]\n",
                L(c, "Cách dùng", "Usage"));
        return 2;
    }
    nt_export_options eo = {0};
    if (strcmp(o.format, "stix") == 0) {
        eo.format = NT_EXPORT_STIX;
    } else if (strcmp(o.format, "csv") == 0) {
        eo.format = NT_EXPORT_CSV;
    } else if (strcmp(o.format, "hosts") == 0) {
        eo.format = NT_EXPORT_HOSTS;
    } else {
        fprintf(stderr, "niemtin export: --format: %s '%s' (stix, csv, hosts)\n",
                L(c, "định dạng không rõ", "unknown format"), o.format);
        return 2;
    }
    if (o.status && strcmp(o.status, "all") == 0) {
        eo.all_statuses = 1;
    } else if (o.status && nt_status_parse(o.status, &eo.status) != NT_OK) {
        fprintf(stderr, "niemtin export: --status: %s '%s'\n",
                L(c, "trạng thái không rõ", "unknown status"), o.status);
        return 2;
    }
    if (eo.format != NT_EXPORT_CSV &&
        (eo.all_statuses || (eo.status && eo.status != NT_STATUS_CONFIRMED))) {
        fprintf(stderr, "niemtin export: %s\n",
                L(c,
                  "STIX và hosts chỉ xuất các chỉ báo đã xác nhận (CSV xuất được mọi trạng thái)",
                  "STIX and hosts exports list confirmed indicators only (CSV can export any "
                  "status)"));
        return 2;
    }
    eo.domains_only = o.domains_only;
    session s;
    if ((st = open_registry(c, &o, &s)))
        return st;
    /* --out FILE: written beside it and renamed into place, so a reader
     * never sees half an export */
    char tmp[4200];
    FILE *f = stdout;
    if (o.out) {
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", o.out, (long)getpid());
        if (!(f = fopen(tmp, "wb"))) {
            fprintf(stderr, "niemtin: %s: %s\n", tmp, strerror(errno));
            close_registry(&s);
            return 1;
        }
    }
    nt_diag d;
    nt_diag_clear(&d);
    size_t n = 0;
    nt_err rc = nt_store_export(nt_registry_store(s.reg), &eo, write_file, f, &n, &d);
    if (o.out) {
        if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
            if (!rc)
                rc = export_io_error(&d, strerror(errno));
        }
        if (fclose(f) != 0 && !rc)
            rc = export_io_error(&d, strerror(errno));
        if (!rc && rename(tmp, o.out) != 0)
            rc = export_io_error(&d, strerror(errno));
        if (rc)
            unlink(tmp);
    } else if (fflush(stdout) != 0 && !rc) {
        rc = export_io_error(&d, strerror(errno));
    }
    if (rc) {
        reg_error(c, rc, &d, L(c, "xuất thất bại", "export failed"));
        st = 1;
    } else if (o.out) {
        fprintf(stderr, "%s %zu %s %s\n", L(c, "Đã xuất", "Exported"), n,
                eo.format == NT_EXPORT_HOSTS ? L(c, "tên máy", "hosts")
                                             : L(c, "chỉ báo", "indicators"),
                o.out);
    }
    close_registry(&s);
    return st;
}

/* ---- feed and expiry ------------------------------------------------------------------------- */

typedef struct feed_ctx {
    cli *c;
    json_t *arr;
} feed_ctx;

static int feed_row(void *ctx, const nt_store_change *ch)
{
    feed_ctx *f = ctx;
    if (f->c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "seq", json_integer(ch->seq));
        json_object_set_new(j, "at", iso_time(ch->at));
        json_object_set_new(j, "id", json_integer(ch->indicator_id));
        json_object_set_new(j, "type", json_string(nt_ind_type_name(ch->type)));
        json_object_set_new(j, "value", json_string(ch->value));
        json_object_set_new(j, "change", json_string(ch->kind));
        json_object_set_new(j, "status", json_string(nt_status_name(ch->status)));
        json_array_append_new(f->arr, j);
    } else {
        char t[32];
        printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)ch->seq, vn_time(ch->at, t), ch->kind,
               nt_status_name(ch->status), nt_ind_type_name(ch->type), ch->value);
    }
    return 0;
}

int cmd_feed(cli *c, int argc, char **argv)
{
    ropts o;
    int st = parse(c, "feed", argc, argv, &o);
    if (st)
        return st;
    long long since = 0, limit = 1000;
    if (o.nargs || !o.since) {
        fprintf(stderr, "%s: niemtin feed --since CURSOR [--limit N] [--db PATH] [--json]\n",
                L(c, "Cách dùng", "Usage"));
        return 2;
    }
    if (parse_i64(c, "--since", o.since, 0, INT64_MAX, &since) ||
        (o.limit && parse_i64(c, "--limit", o.limit, 1, NT_MAX_FEED_LIMIT, &limit)))
        return 2;
    session s;
    if ((st = open_registry(c, &o, &s)))
        return st;
    feed_ctx f = {.c = c, .arr = json_array()};
    int64_t next = since;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc =
        nt_store_feed(nt_registry_store(s.reg), since, (size_t)limit, feed_row, &f, &next, &d);
    if (rc) {
        reg_error(c, rc, &d, L(c, "không đọc được bản tin", "cannot read the feed"));
        st = 1;
    } else if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "since", json_integer(since));
        json_object_set_new(j, "next", json_integer(next));
        json_object_set_new(j, "changes", json_incref(f.arr));
        print_json(j, 0);
        json_decref(j);
    } else {
        printf("next\t%lld\n", (long long)next);
    }
    json_decref(f.arr);
    close_registry(&s);
    return st;
}

int cmd_expire(cli *c, int argc, char **argv)
{
    ropts o;
    int st = parse(c, "expire", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs || !o.older_than) {
        fprintf(stderr, "%s: niemtin expire --older-than DAYS [--as LOGIN] [--db PATH] [--json]\n",
                L(c, "Cách dùng", "Usage"));
        return 2;
    }
    long long days;
    if (parse_i64(c, "--older-than", o.older_than, 0, 36500, &days))
        return 2;
    nt_principal who;
    const char *actor;
    if ((st = resolve_actor(c, &o, NT_AUTH_EXPIRE, o.analyst, &actor, &who)))
        return st;
    session s;
    if ((st = open_registry(c, &o, &s)))
        return st;
    size_t n = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_registry_expire(s.reg, (double)days, actor, &n, &d);
    if (rc) {
        reg_error(c, rc, &d, L(c, "không hết hạn được", "cannot expire"));
        st = 1;
    } else if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "expired", json_integer((json_int_t)n));
        print_json(j, 0);
        json_decref(j);
    } else {
        printf("%s: %zu\n", L(c, "Số chỉ báo đã hết hạn", "Indicators expired"), n);
    }
    close_registry(&s);
    return st;
}
