/*
 * src/cmd_desk.c - the fact-check desk on the command line (docs/claims.md):
 *
 *   niemtin claim submit [--link URL] [--channel C] [--forwarded] [--contact C] TEXT|-f F|-
 *   niemtin claim add [--source URL] TEXT|-f F|-       an analyst adds a claim (channel desk)
 *   niemtin claim list [--status S] [--limit N] [--offset N]   what is spreading
 *   niemtin claim assign ITEM --to NAME
 *   niemtin claim dismiss ITEM --reason R
 *   niemtin claim draft ITEM [fields]
 *   niemtin claim publish ITEM [fields] [--allow-similar]
 *   niemtin claim correct FACTCHECK --reason R [fields]
 *   niemtin claim show ITEM | --factcheck ID [--claimreview]
 *   niemtin claim match --db PATH TEXT                  against the published fact-checks
 *   niemtin claim import FILE                           published fact-checks, JSON lines
 *   niemtin claim contact TIP                           decrypt a tipster's contact
 *
 * fields: --claim T --headline H --verdict false|misleading|missing_context|
 * true|unproven --explanation E --body B | --body-file F --evidence URL
 * (repeat) --claim-author A --claim-date YYYY-MM-DD --appearance URL
 * --fc-lang L.  Every command takes --db PATH (default $NIEMTIN_DB, else
 * ./niemtin.db), --json, --lang vi|en, --as LOGIN (or $NIEMTIN_AS: the
 * account the audit log records, checked to exist and be allowed) or
 * --analyst NAME, and --key-file F for contacts (as the registry commands).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_json.h"
#include "cli.h"
#include "desk_json.h"

#define MAX_EVIDENCE_ARGS 50

typedef struct dopts {
    const char *db, *key_file, *as, *analyst;
    const char *link, *channel, *contact, *text_lang;
    const char *status, *limit, *offset, *to, *reason;
    const char *claim, *headline, *verdict, *explanation, *body, *body_file;
    const char *claim_author, *claim_date, *appearance, *fc_lang, *factcheck, *k;
    const char *evidence[MAX_EVIDENCE_ARGS];
    size_t n_evidence;
    int forwarded, allow_similar, claimreview, same;
    int nargs;
    char *args[64];
} dopts;

static int usage(cli *c)
{
    fprintf(stderr,
            "%s:\n"
            "  %s claim submit [--link URL] [--channel C] [--forwarded] [--contact C] TEXT|-f F|-\n"
            "  %s claim add [--source URL] TEXT|-f F|-\n"
            "  %s claim list [--status new|assigned|drafting|published|dismissed] [--limit N]\n"
            "  %s claim assign ITEM --to NAME\n"
            "  %s claim dismiss ITEM --reason R\n"
            "  %s claim draft ITEM [FIELDS]\n"
            "  %s claim publish ITEM [FIELDS] [--allow-similar]\n"
            "  %s claim correct FACTCHECK --reason R [FIELDS]\n"
            "  %s claim show ITEM | --factcheck ID [--claimreview]\n"
            "  %s claim match --db PATH [-k N] [--same] TEXT|-f F|-\n"
            "  %s claim import FILE\n"
            "  %s claim contact TIP\n"
            "FIELDS: --claim T --headline H --verdict false|misleading|missing_context|true|unproven\n"
            "        --explanation E --body B|--body-file F --evidence URL (%s)\n"
            "        --claim-author A --claim-date YYYY-MM-DD --appearance URL --fc-lang L\n"
            "%s: --db PATH --json --lang vi|en --as LOGIN | --analyst NAME --key-file F\n",
            L(c, "Cách dùng", "Usage"), c->prog, c->prog, c->prog, c->prog, c->prog, c->prog,
            c->prog, c->prog, c->prog, c->prog, c->prog, c->prog,
            L(c, "lặp lại được", "repeatable"), L(c, "Chung", "Common"));
    return 2;
}

static int parse(cli *c, const char *cmd, int argc, char **argv, dopts *o)
{
    static const struct {
        const char *flag;
        size_t off;
    } valued[] = {
        {"--db", offsetof(dopts, db)},
        {"--key-file", offsetof(dopts, key_file)},
        {"--as", offsetof(dopts, as)},
        {"--analyst", offsetof(dopts, analyst)},
        {"--link", offsetof(dopts, link)},
        {"--source", offsetof(dopts, link)},
        {"--channel", offsetof(dopts, channel)},
        {"--contact", offsetof(dopts, contact)},
        {"--text-lang", offsetof(dopts, text_lang)},
        {"--status", offsetof(dopts, status)},
        {"--limit", offsetof(dopts, limit)},
        {"--offset", offsetof(dopts, offset)},
        {"--to", offsetof(dopts, to)},
        {"--reason", offsetof(dopts, reason)},
        {"--claim", offsetof(dopts, claim)},
        {"--headline", offsetof(dopts, headline)},
        {"--verdict", offsetof(dopts, verdict)},
        {"--explanation", offsetof(dopts, explanation)},
        {"--body", offsetof(dopts, body)},
        {"--body-file", offsetof(dopts, body_file)},
        {"--claim-author", offsetof(dopts, claim_author)},
        {"--claim-date", offsetof(dopts, claim_date)},
        {"--appearance", offsetof(dopts, appearance)},
        {"--fc-lang", offsetof(dopts, fc_lang)},
        {"--factcheck", offsetof(dopts, factcheck)},
        {"-k", offsetof(dopts, k)},
    };
    memset(o, 0, sizeof *o);
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int is_opt = !only_args && a[0] == '-' && a[1] != '\0';
        if (!is_opt || (strcmp(a, "-f") == 0)) {
            /* operands, and "-f FILE" / "-" for the text, kept in order */
            if (o->nargs >= (int)(sizeof o->args / sizeof o->args[0]) - 1) {
                fprintf(stderr, "niemtin claim %s: %s\n", cmd,
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
        struct {
            const char *flag;
            int *dst;
        } flags[] = {{"--forwarded", &o->forwarded},
                     {"--allow-similar", &o->allow_similar},
                     {"--claimreview", &o->claimreview},
                     {"--same", &o->same}};
        int done = 0;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0] && !done; k++)
            if (strcmp(a, flags[k].flag) == 0) {
                *flags[k].dst = 1;
                done = 1;
            }
        if (done)
            continue;
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
        if (strcmp(a, "--evidence") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "niemtin claim %s: --evidence: %s\n", cmd,
                        L(c, "thiếu giá trị", "missing value"));
                return 2;
            }
            if (o->n_evidence == MAX_EVIDENCE_ARGS) {
                fprintf(stderr, "niemtin claim %s: --evidence: %s %d\n", cmd,
                        L(c, "nhiều nhất", "at most"), MAX_EVIDENCE_ARGS);
                return 2;
            }
            o->evidence[o->n_evidence++] = argv[++i];
            continue;
        }
        size_t k = 0;
        for (; k < sizeof valued / sizeof valued[0]; k++)
            if (strcmp(a, valued[k].flag) == 0)
                break;
        if (k == sizeof valued / sizeof valued[0]) {
            if (strcmp(a, "-") == 0) {
                o->args[o->nargs++] = argv[i];
                continue;
            }
            fprintf(stderr, "niemtin claim %s: %s '%s'\n", cmd,
                    L(c, "tuỳ chọn không rõ", "unknown option"), a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "niemtin claim %s: %s: %s\n", cmd, a,
                    L(c, "thiếu giá trị", "missing value"));
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

static int parse_id(cli *c, const char *what, const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || errno || end == s || *end || v < 1) {
        fprintf(stderr, "niemtin: %s: %s\n", what,
                L(c, "cần một số định danh (1, 2, ...)", "expected an id (1, 2, ...)"));
        return 2;
    }
    *out = v;
    return 0;
}

static int parse_count(cli *c, const char *what, const char *s, long long max, size_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max) {
        fprintf(stderr, "niemtin: %s: %s 0..%lld\n", what,
                L(c, "cần một số nguyên từ", "expected an integer in"), max);
        return 2;
    }
    *out = (size_t)v;
    return 0;
}

/* "niemtin: WHAT: message" without the meaningless "byte 0". */
static void desk_error(const cli *c, nt_err rc, const nt_diag *d, const char *what)
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

int cli_desk_open(cli *c, const char *db, const char *key_file, int must_exist, cli_desk *out)
{
    memset(out, 0, sizeof *out);
    if (!db) {
        const char *env = getenv("NIEMTIN_DB");
        db = env && *env ? env : "niemtin.db";
    }
    if (must_exist && access(db, F_OK) != 0)
        return 0;
    unsigned char key[32];
    int have_key = 0, failed = 0;
    if ((!key_file || *key_file) && cli_load_store_key(c, key_file, key, &have_key))
        return 1;
    if (!(out->teencode = cli_load_teencode(c)))
        return 1;
    out->synonyms = cli_load_claim_synonyms(c, &failed);
    if (failed) {
        cli_desk_close(out);
        return 1;
    }
    nt_desk_config cfg;
    nt_desk_config_init(&cfg);
    cfg.store.path = db;
    cfg.store.key = have_key ? key : NULL;
    cfg.teencode = out->teencode;
    cfg.synonyms = out->synonyms;
    cfg.site_url = getenv("NIEMTIN_SITE_URL");
    cfg.org_name = getenv("NIEMTIN_ORG_NAME");
    cfg.org_url = getenv("NIEMTIN_ORG_URL");
    const char *now = getenv("NIEMTIN_NOW");
    if (now && *now) {
        char *end;
        long long v = strtoll(now, &end, 10);
        if (*end || v < 0 || v > 4000000000LL) {
            fprintf(stderr, "niemtin: NIEMTIN_NOW: %s\n",
                    L(c, "cần số giây từ 1970", "expected seconds since 1970"));
            cli_desk_close(out);
            return 2;
        }
        out->now = v;
        cfg.store.clock = fixed_clock;
        cfg.store.clock_ctx = &out->now;
    }
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_open(&cfg, &out->desk, &d);
    memset(key, 0, sizeof key);
    if (rc) {
        char what[600];
        snprintf(what, sizeof what, "%s %s",
                 L(c, "không mở được bàn kiểm chứng trên", "cannot open the fact-check desk on"),
                 db);
        desk_error(c, rc, &d, what);
        cli_desk_close(out);
        return 1;
    }
    return 0;
}

void cli_desk_close(cli_desk *d)
{
    nt_desk_close(d->desk);
    nt_lexicon_free(d->teencode);
    nt_lexicon_free(d->synonyms);
    memset(d, 0, sizeof *d);
}

/* The actor for the audit log: --as LOGIN (checked, allowed `need`), else
 * --analyst NAME, else dflt.  who holds the name. */
static int actor_of(cli *c, const dopts *o, nt_auth_action need, const char *dflt,
                    nt_principal *who, const char **actor)
{
    const char *as = o->as;
    if (!as) {
        const char *env = getenv("NIEMTIN_AS");
        as = env && *env ? env : NULL;
    }
    *actor = o->analyst && *o->analyst ? o->analyst : dflt;
    if (!as)
        return 0;
    if (o->analyst && *o->analyst) {
        fprintf(stderr, "niemtin: --analyst / --as: %s\n",
                L(c, "chỉ dùng một trong hai", "use one of them"));
        return 2;
    }
    int st = cli_acting(c, o->db, as, need, who);
    if (st)
        return st;
    *actor = who->name;
    return 0;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(4));
    if (s)
        puts(s);
    free(s);
    json_decref(j);
}

/* Date and time in Vietnam (UTC+7) for people. */
static const char *vn_time(int64_t t, char buf[32])
{
    time_t tt = (time_t)(t + 7 * 3600);
    struct tm tm;
    if (!t || !gmtime_r(&tt, &tm))
        return "-";
    strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

static const char *status_text(const cli *c, nt_item_status s)
{
    static const char *const vi[NT_ITEM__COUNT] = {"", "mới", "đã giao", "đang viết", "đã đăng",
                                                   "đã bỏ qua"};
    if (c->lang == CLI_EN || s < 1 || s >= NT_ITEM__COUNT)
        return nt_item_status_name(s);
    return vi[s];
}

static const char *verdict_text(const cli *c, nt_verdict v)
{
    return nt_verdict_label(v, c->lang == CLI_EN);
}

/* ---- submit and add -------------------------------------------------------------------------- */

static int desk_submit(cli *c, dopts *o, int analyst)
{
    char *text = NULL;
    size_t len = 0;
    int st;
    if (o->nargs == 0 && o->link && isatty(0)) {
        text = strdup("");
    } else {
        cli big = *c;
        big.max_bytes = 2 * NT_DESK_MAX_TIP_BYTES; /* the library names the limit */
        if ((st = cli_read_input(&big, o->nargs, o->args, &text, &len)))
            return st;
    }
    if (!text)
        return 1;
    nt_principal who;
    const char *actor;
    if ((st = actor_of(c, o, analyst ? NT_AUTH_REVIEW : NT_AUTH_REPORT,
                       analyst ? "system" : "public", &who, &actor))) {
        free(text);
        return st;
    }
    cli_desk cd;
    if ((st = cli_desk_open(c, o->db, o->key_file, 0, &cd))) {
        free(text);
        return st;
    }
    nt_tip_in in = {.text = text,
                    .text_len = len,
                    .link = o->link,
                    .channel = analyst ? "desk" : o->channel,
                    .forwarded = o->forwarded,
                    .lang = o->text_lang,
                    .contact = o->contact,
                    .actor = actor};
    nt_tip_result r;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_submit(cd.desk, &in, &r, &d);
    if (rc) {
        desk_error(c, rc, &d, L(c, "tin bị từ chối", "tip rejected"));
        st = 1;
        goto done;
    }
    nt_factcheck *fc = NULL;
    if (r.factcheck_id)
        nt_desk_factcheck_get(cd.desk, r.factcheck_id, &fc, NULL);
    char url[NT_DESK_MAX_URL_BYTES + 64];
    if (c->json) {
        json_t *j = json_pack("{s:I, s:I, s:b, s:I, s:s, s:f}", "tip", (json_int_t)r.submission_id,
                              "item", (json_int_t)r.item_id, "new_item", r.new_item, "count",
                              (json_int_t)r.count, "status", nt_item_status_name(r.status), "score",
                              r.score);
        if (fc) {
            json_t *f = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)fc->id, "verdict",
                                  nt_verdict_name(fc->verdict), "verdict_text",
                                  verdict_text(c, fc->verdict), "explanation", fc->explanation,
                                  "url", nt_desk_factcheck_url(cd.desk, fc->id, url, sizeof url));
            json_object_set_new(j, "factcheck", f);
        }
        print_json(j);
    } else if (fc) {
        printf("%s — %s: %s\n",
               L(c, "Tin này đã được kiểm chứng", "This has already been fact-checked"),
               L(c, "kết luận", "verdict"), verdict_text(c, fc->verdict));
        printf("  %s\n", fc->explanation);
        printf("  %s\n", nt_desk_factcheck_url(cd.desk, fc->id, url, sizeof url));
        printf("%s #%lld (%s #%lld, %u %s)\n", L(c, "Đã ghi nhận tin", "Tip recorded"),
               (long long)r.submission_id, L(c, "mục", "item"), (long long)r.item_id, r.count,
               L(c, "lượt gửi", "tips"));
    } else {
        printf("%s #%lld — %s #%lld (%s, %u %s)\n", L(c, "Đã ghi nhận tin", "Tip recorded"),
               (long long)r.submission_id,
               r.new_item ? L(c, "mục mới", "new item") : L(c, "gộp vào mục", "joined item"),
               (long long)r.item_id, status_text(c, r.status), r.count, L(c, "lượt gửi", "tips"));
        if (!analyst)
            printf("%s\n", L(c,
                             "Cảm ơn bạn. Tin này chưa được kiểm chứng; biên tập viên sẽ xem xét. "
                             "Đừng chia sẻ khi chưa rõ nguồn.",
                             "Thank you. This has not been fact-checked yet; an analyst will look "
                             "at it. Do not share it until its source is clear."));
    }
    nt_factcheck_free(fc);
done:
    cli_desk_close(&cd);
    free(text);
    return st;
}

/* ---- list ---------------------------------------------------------------------------------------- */

typedef struct list_ctx {
    cli *c;
    json_t *arr;
} list_ctx;

/* The first line of a text, at most n bytes, not cutting a UTF-8 character. */
static void print_excerpt(const char *s, size_t n)
{
    size_t len = strcspn(s, "\r\n");
    if (len > n) {
        len = n;
        while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
            len--;
    }
    printf("%.*s%s", (int)len, s, s[len] && s[len] != '\n' && s[len] != '\r' ? "…" : "");
}

static int list_row(void *ctx, const nt_desk_item *it)
{
    list_ctx *l = ctx;
    cli *c = l->c;
    if (c->json) {
        json_array_append_new(l->arr, desk_item_json(it));
        return 0;
    }
    char t[32];
    printf("#%-5lld %-10s %4u %s  %s  %s%s  ", (long long)it->id, status_text(c, it->status),
           it->submissions, L(c, "lượt", "tips"), vn_time(it->last_seen, t),
           *it->assignee ? "@" : "", it->assignee);
    print_excerpt(it->text, 90);
    printf("\n");
    return 0;
}

static int desk_list(cli *c, dopts *o)
{
    nt_item_status status = 0;
    size_t limit = 50, offset = 0;
    if (o->status && nt_item_status_parse(o->status, &status) != NT_OK) {
        fprintf(stderr, "niemtin: --status: %s '%s' (new assigned drafting published dismissed)\n",
                L(c, "trạng thái không rõ", "unknown status"), o->status);
        return 2;
    }
    if ((o->limit && parse_count(c, "--limit", o->limit, NT_DESK_MAX_LIST, &limit)) ||
        (o->offset && parse_count(c, "--offset", o->offset, 1000000000LL, &offset)))
        return 2;
    if (limit == 0)
        limit = 50;
    nt_principal who;
    const char *actor;
    int st = actor_of(c, o, NT_AUTH_REVIEW, "system", &who, &actor);
    if (st)
        return st;
    cli_desk cd;
    if ((st = cli_desk_open(c, o->db, o->key_file, 0, &cd)))
        return st;
    size_t counts[NT_ITEM__COUNT];
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_counts(cd.desk, counts, &d);
    list_ctx l = {.c = c, .arr = c->json ? json_array() : NULL};
    if (!rc && !c->json) {
        printf("%s: %zu %s (", L(c, "Hàng đợi kiểm chứng", "Fact-check queue"), counts[0],
               L(c, "mục", "items"));
        for (int s = 1; s < NT_ITEM__COUNT; s++)
            printf("%s%s %zu", s > 1 ? ", " : "", status_text(c, (nt_item_status)s), counts[s]);
        printf(")\n");
    }
    if (!rc)
        rc = nt_desk_list(cd.desk, status, limit, offset, list_row, &l, &d);
    if (rc) {
        desk_error(c, rc, &d, L(c, "không đọc được hàng đợi", "cannot read the queue"));
        json_decref(l.arr);
        cli_desk_close(&cd);
        return 1;
    }
    if (c->json) {
        json_t *cj = json_object();
        json_object_set_new(cj, "all", json_integer((json_int_t)counts[0]));
        for (int s = 1; s < NT_ITEM__COUNT; s++)
            json_object_set_new(cj, nt_item_status_name((nt_item_status)s),
                                json_integer((json_int_t)counts[s]));
        print_json(json_pack("{s:o, s:o}", "counts", cj, "items", l.arr));
    }
    cli_desk_close(&cd);
    return 0;
}

/* ---- assign, dismiss ------------------------------------------------------------------------------ */

static int desk_assign_or_dismiss(cli *c, dopts *o, int dismiss)
{
    int64_t id;
    if (o->nargs != 1)
        return usage(c);
    if (parse_id(c, "ITEM", o->args[0], &id))
        return 2;
    if (!dismiss && !o->to) {
        fprintf(stderr, "niemtin claim assign: --to NAME %s\n", L(c, "là bắt buộc", "is required"));
        return 2;
    }
    nt_principal who;
    const char *actor;
    int st = actor_of(c, o, NT_AUTH_REVIEW, "system", &who, &actor);
    if (st)
        return st;
    cli_desk cd;
    if ((st = cli_desk_open(c, o->db, o->key_file, 0, &cd)))
        return st;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = dismiss ? nt_desk_dismiss(cd.desk, id, o->reason, actor, &d)
                        : nt_desk_assign(cd.desk, id, o->to, actor, &d);
    if (rc) {
        desk_error(c, rc, &d, dismiss ? L(c, "không bỏ qua được", "cannot dismiss")
                                      : L(c, "không giao được", "cannot assign"));
        st = 1;
    } else {
        nt_desk_item it;
        if (nt_desk_item_get(cd.desk, id, &it, NULL) == NT_OK) {
            if (c->json)
                print_json(desk_item_json(&it));
            else
                printf("%s #%lld: %s%s%s\n", L(c, "Mục", "Item"), (long long)id,
                       status_text(c, it.status), *it.assignee ? " @" : "", it.assignee);
            nt_desk_item_release(&it);
        }
    }
    cli_desk_close(&cd);
    return st;
}

/* ---- draft, publish, correct ---------------------------------------------------------------------- */

/* The fields given on the command line; *body_buf holds a --body-file. */
static int fields_of(cli *c, const dopts *o, nt_factcheck_in *in, char **body_buf)
{
    memset(in, 0, sizeof *in);
    *body_buf = NULL;
    in->claim = o->claim;
    in->headline = o->headline;
    in->verdict = o->verdict;
    in->explanation = o->explanation;
    in->body = o->body;
    in->claim_author = o->claim_author;
    in->claim_date = o->claim_date;
    in->appearance = o->appearance;
    in->lang = o->fc_lang;
    if (o->n_evidence) {
        in->evidence = o->evidence;
        in->n_evidence = o->n_evidence;
    }
    if (o->body_file) {
        if (o->body) {
            fprintf(stderr, "niemtin: --body / --body-file: %s\n",
                    L(c, "chỉ dùng một trong hai", "use one of them"));
            return 2;
        }
        char *args[2] = {(char *)"-f", (char *)o->body_file};
        cli big = *c;
        big.max_bytes = 2 * NT_DESK_MAX_BODY_BYTES;
        size_t len;
        int st = cli_read_input(&big, 2, args, body_buf, &len);
        if (st)
            return st;
        if (strlen(*body_buf) != len) {
            fprintf(stderr, "niemtin: --body-file: %s\n",
                    L(c, "tệp chứa byte NUL", "the file holds a NUL byte"));
            free(*body_buf);
            *body_buf = NULL;
            return 1;
        }
        in->body = *body_buf;
    }
    return 0;
}

static void print_factcheck(cli *c, const nt_desk *desk, const nt_factcheck *fc)
{
    char t[32], url[NT_DESK_MAX_URL_BYTES + 64];
    printf("%s #%lld [%s", L(c, "Bài kiểm chứng", "Fact-check"), (long long)fc->id,
           fc->status == NT_FC_PUBLISHED ? L(c, "đã đăng", "published") : L(c, "bản nháp", "draft"));
    if (fc->status == NT_FC_PUBLISHED)
        printf(" %s", vn_time(fc->published_at, t));
    printf("] %s: %s\n", L(c, "Kết luận", "Verdict"),
           fc->verdict ? verdict_text(c, fc->verdict) : L(c, "(chưa có)", "(none yet)"));
    if (*fc->headline)
        printf("  %s\n", fc->headline);
    printf("  %s: %s\n", L(c, "Tuyên bố", "Claim"), fc->claim);
    if (*fc->explanation)
        printf("  %s: %s\n", L(c, "Giải thích", "Explanation"), fc->explanation);
    for (size_t i = 0; i < fc->n_evidence; i++)
        printf("  %s: %s\n", L(c, "Bằng chứng", "Evidence"), fc->evidence[i]);
    if (*fc->claim_author || *fc->claim_date || *fc->appearance)
        printf("  %s: %s %s %s\n", L(c, "Nguồn tin đồn", "Claim source"), fc->claim_author,
               fc->claim_date, fc->appearance);
    printf("  %s: %s%s%s\n", L(c, "Biên tập", "Author"), fc->author,
           *fc->publisher ? L(c, ", đăng bởi ", ", published by ") : "", fc->publisher);
    if (fc->status == NT_FC_PUBLISHED)
        printf("  %s\n", nt_desk_factcheck_url(desk, fc->id, url, sizeof url));
    for (size_t i = 0; i < fc->n_corrections; i++) {
        const nt_fc_correction *k = &fc->corrections[i];
        printf("  %s %u (%s, %s): %s [%s]\n", L(c, "Đính chính", "Correction"), k->seq,
               vn_time(k->at, t), k->actor, k->reason, k->fields);
    }
    if (*fc->body)
        printf("\n%s\n", fc->body);
}

static int show_factcheck(cli *c, cli_desk *cd, int64_t id, int claimreview)
{
    nt_factcheck *fc = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_factcheck_get(cd->desk, id, &fc, &d);
    if (rc) {
        desk_error(c, rc, &d, L(c, "không đọc được bài kiểm chứng", "cannot read the fact-check"));
        return 1;
    }
    int st = 0;
    if (claimreview) {
        char *s = NULL;
        nt_diag_clear(&d);
        if ((rc = nt_desk_claimreview(cd->desk, fc, NULL, &s, &d))) {
            desk_error(c, rc, &d, "ClaimReview");
            st = 1;
        } else {
            json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
            char *pretty = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
            puts(c->json || !pretty ? s : pretty);
            free(pretty);
            json_decref(j);
            free(s);
        }
    } else if (c->json) {
        print_json(desk_factcheck_json(c->lang == CLI_EN, cd->desk, fc));
    } else {
        print_factcheck(c, cd->desk, fc);
    }
    nt_factcheck_free(fc);
    return st;
}

static int desk_write(cli *c, dopts *o, const char *cmd)
{
    int64_t id;
    int correct = strcmp(cmd, "correct") == 0, publish = strcmp(cmd, "publish") == 0;
    if (o->nargs != 1)
        return usage(c);
    if (parse_id(c, correct ? "FACTCHECK" : "ITEM", o->args[0], &id))
        return 2;
    nt_factcheck_in in;
    char *body = NULL;
    int st = fields_of(c, o, &in, &body);
    if (st)
        return st;
    nt_principal who;
    const char *actor;
    if ((st = actor_of(c, o, correct || publish ? NT_AUTH_PUBLISH : NT_AUTH_REVIEW, "system", &who,
                       &actor))) {
        free(body);
        return st;
    }
    cli_desk cd;
    if ((st = cli_desk_open(c, o->db, o->key_file, 0, &cd))) {
        free(body);
        return st;
    }
    nt_diag d;
    nt_diag_clear(&d);
    int64_t fc_id = id;
    nt_err rc;
    if (correct)
        rc = nt_desk_correct(cd.desk, id, &in, o->reason, actor, &d);
    else if (publish)
        rc = nt_desk_publish(cd.desk, id, &in, o->allow_similar ? NT_DESK_ALLOW_SIMILAR : 0, actor,
                             &fc_id, &d);
    else
        rc = nt_desk_draft(cd.desk, id, &in, actor, &fc_id, &d);
    if (rc) {
        desk_error(c, rc, &d,
                   correct   ? L(c, "đính chính bị từ chối", "correction refused")
                   : publish ? L(c, "không đăng được", "cannot publish")
                             : L(c, "bản nháp bị từ chối", "draft refused"));
        st = 1;
    } else {
        if (!c->json)
            printf("%s\n", correct   ? L(c, "Đã ghi đính chính.", "Correction recorded.")
                           : publish ? L(c, "Đã đăng.", "Published.")
                                     : L(c, "Đã lưu bản nháp.", "Draft saved."));
        st = show_factcheck(c, &cd, fc_id, 0);
    }
    cli_desk_close(&cd);
    free(body);
    return st;
}

/* ---- show ----------------------------------------------------------------------------------------- */

typedef struct sub_ctx {
    cli *c;
    json_t *arr;
} sub_ctx;

static int sub_row(void *ctx, const nt_desk_submission *s)
{
    sub_ctx *x = ctx;
    if (x->c->json) {
        json_array_append_new(x->arr, desk_submission_json(s));
        return 0;
    }
    char t[32];
    printf("  #%-5lld %s %-9s ", (long long)s->id, vn_time(s->at, t), s->channel);
    if (*s->text)
        print_excerpt(s->text, 100);
    if (*s->link)
        printf("%s%s", *s->text ? "  " : "", s->link);
    if (s->has_contact)
        printf("  [%s]", L(x->c, "có liên hệ", "has contact"));
    printf("\n");
    return 0;
}

static int desk_show(cli *c, dopts *o)
{
    int64_t id;
    int by_fc = o->factcheck != NULL;
    if (by_fc ? o->nargs != 0 : o->nargs != 1)
        return usage(c);
    if (parse_id(c, by_fc ? "--factcheck" : "ITEM", by_fc ? o->factcheck : o->args[0], &id))
        return 2;
    nt_principal who;
    const char *actor;
    int st = actor_of(c, o, NT_AUTH_REVIEW, "system", &who, &actor);
    if (st)
        return st;
    cli_desk cd;
    if ((st = cli_desk_open(c, o->db, o->key_file, 0, &cd)))
        return st;
    if (by_fc) {
        st = show_factcheck(c, &cd, id, o->claimreview);
        cli_desk_close(&cd);
        return st;
    }
    nt_desk_item it;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_item_get(cd.desk, id, &it, &d);
    if (rc) {
        desk_error(c, rc, &d, L(c, "không đọc được mục", "cannot read the item"));
        cli_desk_close(&cd);
        return 1;
    }
    sub_ctx x = {.c = c, .arr = c->json ? json_array() : NULL};
    if (c->json) {
        json_t *j = desk_item_json(&it);
        rc = nt_desk_submissions(cd.desk, id, 0, sub_row, &x, &d);
        json_object_set_new(j, "tips", x.arr);
        if (!rc && it.factcheck_id) {
            nt_factcheck *fc = NULL;
            if (nt_desk_factcheck_get(cd.desk, it.factcheck_id, &fc, NULL) == NT_OK) {
                json_object_set_new(j, "factcheck", desk_factcheck_json(c->lang == CLI_EN, cd.desk, fc));
                nt_factcheck_free(fc);
            }
        }
        if (!rc)
            print_json(j);
        else
            json_decref(j);
    } else {
        char t1[32], t2[32];
        printf("%s #%lld [%s] — %u %s, %s %s, %s %s%s%s\n", L(c, "Mục", "Item"), (long long)id,
               status_text(c, it.status), it.submissions, L(c, "lượt gửi", "tips"),
               L(c, "lần đầu", "first"), vn_time(it.first_seen, t1), L(c, "lần cuối", "last"),
               vn_time(it.last_seen, t2), *it.assignee ? L(c, ", phụ trách: ", ", assigned to: ") : "",
               it.assignee);
        printf("%s: %s\n", L(c, "Tuyên bố", "Claim"), it.text);
        if (*it.reason)
            printf("%s: %s\n", L(c, "Lý do bỏ qua", "Dismissed because"), it.reason);
        if (it.factcheck_id) {
            nt_factcheck *fc = NULL;
            if (nt_desk_factcheck_get(cd.desk, it.factcheck_id, &fc, NULL) == NT_OK) {
                print_factcheck(c, cd.desk, fc);
                nt_factcheck_free(fc);
            }
        }
        printf("%s:\n", L(c, "Các lượt gửi", "Tips"));
        rc = nt_desk_submissions(cd.desk, id, 0, sub_row, &x, &d);
    }
    if (rc) {
        desk_error(c, rc, &d, L(c, "không đọc được các lượt gửi", "cannot read the tips"));
        st = 1;
    }
    nt_desk_item_release(&it);
    cli_desk_close(&cd);
    return st;
}

/* ---- match against the database --------------------------------------------------------------------- */

static int desk_match(cli *c, dopts *o)
{
    size_t k = 5;
    if (o->k && (parse_count(c, "-k", o->k, NT_CLAIMS_MAX_RESULTS, &k) || k == 0)) {
        fprintf(stderr, "niemtin: -k: 1..%u\n", NT_CLAIMS_MAX_RESULTS);
        return 2;
    }
    char *text = NULL;
    size_t len = 0;
    int st = cli_read_input(c, o->nargs, o->args, &text, &len);
    if (st)
        return st;
    cli_desk cd;
    if ((st = cli_desk_open(c, o->db, o->key_file, 1, &cd))) {
        free(text);
        return st;
    }
    if (!cd.desk) {
        fprintf(stderr, "niemtin claim match: --db %s: %s\n", o->db,
                L(c, "không có cơ sở dữ liệu này (hoặc dùng --claims FILE)",
                  "no such database (or use --claims FILE)"));
        free(text);
        return 1;
    }
    nt_fc_match *m = NULL;
    size_t n = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_match(cd.desk, text, len, k, o->same ? NT_CLAIMS_ONLY_SAME : 0, &m, &n, &d);
    if (rc) {
        desk_error(c, rc, &d, L(c, "không so khớp được", "cannot match"));
        st = 1;
        goto done;
    }
    size_t same = 0;
    for (size_t i = 0; i < n; i++)
        same += m[i].same != 0;
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "fact_checked", json_boolean(same > 0));
        json_object_set_new(j, "matches", check_factchecks_json(c->lang == CLI_EN, m, n, text));
        print_json(j);
    } else if (n == 0) {
        printf("%s\n", L(c, "Không có bài kiểm chứng nào liên quan đến tin này.",
                         "No published fact-check is related to this text."));
    } else {
        if (same)
            printf("%s — %s: %s\n",
                   L(c, "Tin này đã được kiểm chứng", "This has already been fact-checked"),
                   L(c, "kết luận", "verdict"), verdict_text(c, m[0].verdict));
        else
            printf("%s\n", L(c, "Chưa có bài kiểm chứng nào về đúng tin này; gần nhất:",
                             "No fact-check of this very claim; the nearest:"));
        for (size_t i = 0; i < n; i++) {
            printf("%zu. %s %.2f  #%lld  %s  [%s]\n", i + 1, L(c, "điểm", "score"), m[i].score,
                   (long long)m[i].factcheck_id, verdict_text(c, m[i].verdict),
                   m[i].same ? L(c, "cùng tuyên bố", "same claim") : L(c, "gần giống", "similar"));
            printf("   %s: %s\n", L(c, "Tuyên bố", "Claim"), m[i].claim);
            if (*m[i].explanation)
                printf("   %s: %s\n", L(c, "Giải thích", "Explanation"), m[i].explanation);
            if (m[i].q_end > m[i].q_start)
                printf("   %s: \"%.*s\"\n", L(c, "Đoạn khớp trong tin", "Matched passage"),
                       (int)(m[i].q_end - m[i].q_start), text + m[i].q_start);
            printf("   %s\n", m[i].url);
        }
    }
done:
    nt_fc_matches_free(m, n);
    cli_desk_close(&cd);
    free(text);
    return st;
}

/* ---- import, contact -------------------------------------------------------------------------------- */

static int desk_import(cli *c, dopts *o)
{
    if (o->nargs != 1)
        return usage(c);
    nt_principal who;
    const char *actor;
    int st = actor_of(c, o, NT_AUTH_PUBLISH, "import", &who, &actor);
    if (st)
        return st;
    cli_desk cd;
    if ((st = cli_desk_open(c, o->db, o->key_file, 0, &cd)))
        return st;
    size_t pub = 0, skipped = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_import(cd.desk, o->args[0], actor, &pub, &skipped, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "nhập bị dừng", "import stopped"));
        st = 1;
    } else if (c->json) {
        print_json(json_pack("{s:I, s:I}", "published", (json_int_t)pub, "skipped",
                             (json_int_t)skipped));
    } else {
        printf("%s: %zu, %s: %zu\n", L(c, "Đã đăng", "Published"), pub,
               L(c, "bỏ qua (đã có)", "skipped (already published)"), skipped);
    }
    cli_desk_close(&cd);
    return st;
}

static int desk_contact(cli *c, dopts *o)
{
    int64_t id;
    if (o->nargs != 1)
        return usage(c);
    if (parse_id(c, "TIP", o->args[0], &id))
        return 2;
    nt_principal who;
    const char *actor;
    int st = actor_of(c, o, NT_AUTH_REVEAL_CONTACT, "system", &who, &actor);
    if (st)
        return st;
    cli_desk cd;
    if ((st = cli_desk_open(c, o->db, o->key_file, 0, &cd)))
        return st;
    char *contact = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_desk_contact(cd.desk, id, actor, &contact, &d);
    if (rc) {
        desk_error(c, rc, &d, L(c, "không đọc được liên hệ", "cannot read the contact"));
        st = 1;
    } else if (c->json) {
        print_json(json_pack("{s:I, s:s}", "tip", (json_int_t)id, "contact", contact));
    } else {
        printf("%s\n", contact);
    }
    free(contact);
    cli_desk_close(&cd);
    return st;
}

int cmd_desk(cli *c, const char *sub, int argc, char **argv)
{
    static const char *const subs[] = {"submit", "add",     "list",    "assign", "dismiss",
                                       "draft",  "publish", "correct", "show",   "import",
                                       "contact", "match",   "help"};
    size_t k = 0;
    for (; k < sizeof subs / sizeof subs[0]; k++)
        if (strcmp(sub, subs[k]) == 0)
            break;
    if (k == sizeof subs / sizeof subs[0])
        return -1;
    if (strcmp(sub, "help") == 0) {
        usage(c);
        return 0;
    }
    dopts o;
    int st = parse(c, sub, argc, argv, &o);
    if (st)
        return st;
    if (strcmp(sub, "submit") == 0 || strcmp(sub, "add") == 0)
        return desk_submit(c, &o, sub[0] == 'a');
    if (strcmp(sub, "list") == 0)
        return desk_list(c, &o);
    if (strcmp(sub, "assign") == 0 || strcmp(sub, "dismiss") == 0)
        return desk_assign_or_dismiss(c, &o, sub[0] == 'd');
    if (strcmp(sub, "draft") == 0 || strcmp(sub, "publish") == 0 || strcmp(sub, "correct") == 0)
        return desk_write(c, &o, sub);
    if (strcmp(sub, "show") == 0)
        return desk_show(c, &o);
    if (strcmp(sub, "import") == 0)
        return desk_import(c, &o);
    if (strcmp(sub, "contact") == 0)
        return desk_contact(c, &o);
    return desk_match(c, &o);
}
