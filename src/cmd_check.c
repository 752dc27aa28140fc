/*
 * src/cmd_check.c - `niemtin check`: is this message a scam or a grooming
 * attempt, which tactics does it use (shown on the person's own words), and
 * what should they do now.
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_json.h"
#include "cli.h"

static const char *tactics[] = {"fear", "lure", "control"};

static const char *tax_text(const cli *c, const nt_taxonomy *tax, const char *id, const char *f)
{
    return check_tax_text(c->lang == CLI_EN, tax, id, f);
}

static json_t *result_json(const cli *c, const nt_engine *eng, const nt_check_result *r,
                           const char *text)
{
    return check_result_json(c->lang == CLI_EN, eng, r, text);
}

/* A registry status in the reader's language. */
static const char *status_text(const cli *c, nt_status st)
{
    static const char *const vi[] = {"", "đã bị báo cáo", "đang được xác minh", "đã xác nhận lừa đảo",
                                      "đã bác bỏ", "đang khiếu nại", "đã gỡ cảnh báo", "đã hết hạn"};
    if (c->lang == CLI_EN || st < NT_STATUS_REPORTED || st >= NT_STATUS__COUNT)
        return nt_status_name(st);
    return vi[st];
}

/* Print the message with evidence spans highlighted (terminal) or bracketed. */
static void print_highlighted(const char *text, size_t len, const nt_rule_hits *hits, int tty)
{
    unsigned char *mark = calloc(len ? len : 1, 1);
    if (!mark)
        return;
    for (size_t i = 0; i < nt_rule_hits_count(hits); i++) {
        const nt_rule_hit *h = nt_rule_hits_get(hits, i);
        for (size_t k = 0; k < h->nspans; k++)
            for (size_t p = h->spans[k].start; p < h->spans[k].end && p < len; p++)
                mark[p] = 1;
    }
    fputs("  ", stdout);
    for (size_t p = 0; p < len; p++) {
        if (mark[p] && (p == 0 || !mark[p - 1]))
            fputs(tty ? "\033[1;31m" : "[[", stdout);
        putchar(text[p] == '\n' ? ' ' : text[p]);
        if (mark[p] && (p + 1 == len || !mark[p + 1]))
            fputs(tty ? "\033[0m" : "]]", stdout);
    }
    putchar('\n');
    free(mark);
}

static void print_human(const cli *c, const nt_engine *eng, const nt_check_result *r,
                        const char *text, size_t len)
{
    const nt_taxonomy *tax = nt_engine_taxonomy(eng);
    const nt_ruleset *rs = nt_check_result_rules(r);
    const char *level = nt_level_name(nt_check_level(r));
    int tty = isatty(1);
    if (nt_check_is_empty(r)) {
        printf("%s: %s (%s)\n", L(c, "Mức độ", "Level"), tax_text(c, tax, level, "name"),
               L(c, "tin nhắn trống, không có gì để kiểm tra",
                 "the message is empty: nothing to check"));
        return;
    }
    printf("%s: %s%s%s (%s %d/100)\n", L(c, "Mức độ", "Level"),
           tty && nt_check_level(r) == NT_LEVEL_DANGEROUS ? "\033[1;31m" : "",
           tax_text(c, tax, level, "name"), tty ? "\033[0m" : "", L(c, "rủi ro", "risk"),
           nt_check_risk(r));
    const nt_rule_hits *hits = nt_check_rule_hits(r);
    if (nt_rule_hits_count(hits)) {
        print_highlighted(text, len, hits, tty);
        int any_tactic = 0;
        for (size_t i = 0; i < 3; i++)
            any_tactic |= nt_check_score(r, tactics[i]) > 0;
        if (any_tactic)
            printf("%s:\n", L(c, "Thủ đoạn", "Tactics"));
        for (size_t i = 0; i < 3; i++) {
            if (!nt_check_score(r, tactics[i]))
                continue;
            printf("  • %s (%d/100): %s\n", tax_text(c, tax, tactics[i], "name"),
                   nt_check_score(r, tactics[i]), tax_text(c, tax, tactics[i], "child"));
            for (size_t k = 0; k < nt_rule_hits_count(hits); k++) {
                const nt_rule_hit *h = nt_rule_hits_get(hits, k);
                if (strcmp(h->tactic, tactics[i]) != 0)
                    continue;
                nt_rule_info info;
                nt_ruleset_info(rs, h->rule, &info);
                printf("      - %s:", c->lang == CLI_EN ? info.text_en : info.text_vi);
                for (size_t s = 0; s < h->nspans; s++)
                    printf(" \"%.*s\"", (int)(h->spans[s].end - h->spans[s].start),
                           text + h->spans[s].start);
                printf("  [%s]\n", h->id);
            }
        }
        int header = 0;
        for (size_t k = 0; k < nt_rule_hits_count(hits); k++) {
            const nt_rule_hit *h = nt_rule_hits_get(hits, k);
            if (!*h->category)
                continue;
            int dup = 0;
            for (size_t j = 0; j < k; j++)
                dup |= strcmp(nt_rule_hits_get(hits, j)->category, h->category) == 0;
            if (dup)
                continue;
            if (!header++)
                printf("%s:\n", L(c, "Dạng lừa đảo / xâm hại", "Scam or harm type"));
            printf("  • %s: %s\n", tax_text(c, tax, h->category, "name"),
                   tax_text(c, tax, h->category, "advice"));
        }
    }
    const nt_model_explain *ex = nt_check_model_explain(r);
    if (ex) {
        double ps = nt_check_model_prob(r, NT_LABEL_SCAM);
        double pg = nt_check_model_prob(r, NT_LABEL_GROOMING);
        printf("%s: %s %.0f%%, %s %.0f%%", L(c, "Mô hình thống kê", "Statistical model"),
               L(c, "lừa đảo", "scam"), 100 * ps, L(c, "dụ dỗ", "grooming"), 100 * pg);
        int shown = 0;
        size_t seen_s[NT_MODEL_EXPLAIN_MAX], nseen = 0;
        for (size_t k = 0; k < ex->count[NT_LABEL_SCAM] && shown < 5; k++) {
            const nt_model_contrib *f = &ex->top[NT_LABEL_SCAM][k];
            /* Whole words and word pairs mean something to a person;
             * character n-grams do not. */
            if (f->contribution <= 0 || !f->has_span ||
                (f->kind != NT_FEAT_WORD && f->kind != NT_FEAT_BIGRAM))
                continue;
            int dup = 0;
            for (size_t j = 0; j < nseen; j++)
                dup |= seen_s[j] == f->start;
            if (dup)
                continue;
            seen_s[nseen++] = f->start;
            printf("%s\"%.*s\"", shown++ ? ", " : L(c, " — dựa trên: ", " — from: "),
                   (int)(f->end - f->start), text + f->start);
        }
        printf("\n");
    }
    const nt_indicator_list *inds = nt_check_indicators(r);
    if (nt_indicator_list_count(inds)) {
        printf("%s:\n", L(c, "Chỉ báo", "Indicators"));
        for (size_t i = 0; i < nt_indicator_list_count(inds); i++) {
            const nt_indicator *ind = nt_indicator_list_get(inds, i);
            printf("  • %s %s\n", nt_ind_type_name(ind->type), ind->value);
            nt_reg_match m;
            if (nt_check_registry(r, i, &m)) {
                char why[512];
                printf("      %s: %s — %s\n", L(c, "Danh sách cảnh báo", "Registry"),
                       status_text(c, m.status), nt_reg_explain(&m, c->lang == CLI_EN, why, sizeof why));
            }
        }
    }
    printf("%s: %s\n", L(c, "Nên làm gì", "What to do"), tax_text(c, tax, level, "advice"));
    if (nt_check_level(r) != NT_LEVEL_SAFE)
        printf("%s\n", L(c, "Trẻ em gọi 111 (miễn phí, 24/7). Bị đe doạ hoặc lừa đảo: gọi 113.",
                         "Children call 111 (free, 24/7). Threatened or scammed: call 113."));
}

static volatile sig_atomic_t reload_requested;

static void on_sighup(int sig)
{
    (void)sig;
    reload_requested = 1;
}

/* SIGHUP asked for new rules: load them before the next line.  A rules
 * directory or model with an error is reported and the ones in force stay. */
static void reload_if_asked(cli *c, nt_engine *eng)
{
    if (!reload_requested)
        return;
    reload_requested = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_engine_reload(eng, &d);
    if (rc)
        cli_error(c, rc, &d,
                  L(c, "không nạp lại được luật, vẫn dùng bộ luật cũ",
                    "cannot reload the rules, the previous ones stay in force"));
    else
        fprintf(stderr, "niemtin check --batch: %s %lu (%zu %s)\n",
                L(c, "đã nạp lại luật, thế hệ", "rules reloaded, generation"),
                nt_engine_generation(eng), nt_ruleset_count(nt_engine_rules(eng)),
                L(c, "luật", "rules"));
}

/* One compact JSON line per input line: {"id","risk","level","tactics",
 * "categories","rules","indicators"}, or {"line","error"} for a bad line.
 * SIGHUP reloads the rules and the model before the next line. */
/* The published fact-checks text repeats, as the "fact_checks" array (NULL
 * without a desk). */
static json_t *factchecks_of(cli *c, nt_desk *desk, const char *text, size_t len)
{
    if (!desk)
        return NULL;
    nt_fc_match *m = NULL;
    size_t n = 0;
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_desk_match(desk, text, len, 3, NT_CLAIMS_ONLY_SAME, &m, &n, &d) != NT_OK) {
        cli_error(c, d.code, &d, L(c, "không tra được bài kiểm chứng", "cannot look up fact-checks"));
        return json_array();
    }
    json_t *a = check_factchecks_json(c->lang == CLI_EN, m, n, text);
    nt_fc_matches_free(m, n);
    return a;
}

static int run_batch(cli *c, nt_engine *eng, nt_check_scratch *sc, nt_desk *desk, const char *path)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        perror(path);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sighup;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    char *line = NULL;
    size_t cap = 0, lineno = 0, bad = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        json_t *id = NULL, *obj = NULL;
        const char *text = line;
        size_t tlen = len;
        const char *error = NULL;
        if (len && line[0] == '{') {
            json_error_t err;
            obj = json_loadb(line, len, 0, &err);
            json_t *t = obj ? json_object_get(obj, "text") : NULL;
            if (!obj)
                error = "invalid JSON";
            else if (!json_is_string(t))
                error = "\"text\" must be a string";
            else {
                text = json_string_value(t);
                tlen = json_string_length(t);
                id = json_object_get(obj, "id");
            }
        }
        json_t *out;
        nt_check_result *r = NULL;
        nt_diag d;
        nt_diag_clear(&d);
        reload_if_asked(c, eng);
        if (!error && nt_engine_check(eng, sc, text, tlen, &r, &d) != NT_OK)
            error = d.message[0] ? d.message : "check failed";
        if (error) {
            out = json_pack("{s:I, s:s}", "line", (json_int_t)lineno, "error", error);
            bad++;
        } else {
            out = result_json(c, eng, r, text);
            json_t *fcs = factchecks_of(c, desk, text, tlen);
            if (fcs)
                json_object_set_new(out, "fact_checks", fcs);
            json_object_del(out, "advice");
            json_object_del(out, "hotlines");
            json_object_set_new(out, "line", json_integer((json_int_t)lineno));
        }
        if (id)
            json_object_set(out, "id", id);
        char *s = json_dumps(out, JSON_COMPACT);
        if (s)
            puts(s);
        free(s);
        json_decref(out);
        json_decref(obj);
        nt_check_result_free(r);
    }
    free(line);
    if (in != stdin)
        fclose(in);
    if (bad)
        fprintf(stderr, "niemtin check --batch: %zu %s\n", bad,
                L(c, "dòng lỗi (xem trường \"error\")", "bad lines (see their \"error\")"));
    return 0;
}

/* A chat as JSON lines {"speaker","text","time"}: the running risk after
 * each turn and the turn at which it became dangerous. */
static int run_conversation(cli *c, const nt_engine *eng, nt_check_scratch *sc, const char *path)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        perror(path);
        return 1;
    }
    const nt_taxonomy *tax = nt_engine_taxonomy(eng);
    const nt_ruleset *rs = NULL;
    nt_conversation *conv = NULL;
    int status = 0;
    if (nt_conversation_new(eng, &conv) != NT_OK) {
        fprintf(stderr, "niemtin: out of memory\n");
        status = 1;
        goto cleanup;
    }
    rs = nt_conversation_rules(conv);
    json_t *turns_json = json_array(), *times = json_array();
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        json_error_t err;
        json_t *obj = json_loadb(line, len, 0, &err);
        json_t *t = obj ? json_object_get(obj, "text") : NULL;
        json_t *sp = obj ? json_object_get(obj, "speaker") : NULL;
        if (!json_is_string(t) || (sp && !json_is_string(sp))) {
            fprintf(stderr, "%s:%zu:%d: %s\n", path, lineno, obj ? 1 : err.column,
                    obj ? L(c, "cần {\"speaker\", \"text\", \"time\"} với text là chuỗi",
                            "expected {\"speaker\", \"text\", \"time\"} with a string text")
                        : err.text);
            json_decref(obj);
            status = 1;
            break;
        }
        nt_diag d;
        nt_diag_clear(&d);
        if (nt_conversation_add(conv, sc, json_string_value(sp), json_string_value(t),
                                json_string_length(t), &d) != NT_OK) {
            fprintf(stderr, "%s:%zu: %s\n", path, lineno, d.message);
            json_decref(obj);
            status = 1;
            break;
        }
        json_t *tm = json_object_get(obj, "time");
        json_array_append(times, json_is_string(tm) ? tm : json_null());
        json_decref(obj);
    }
    free(line);
    if (status)
        goto done;
    long dt = nt_conversation_dangerous_turn(conv);
    for (size_t i = 0; i < nt_conversation_turns(conv); i++) {
        const nt_check_result *r = nt_conversation_turn(conv, i);
        const nt_rule_hits *h = nt_check_rule_hits(r);
        json_t *rules = json_array();
        for (size_t k = 0; k < nt_rule_hits_count(h); k++) {
            const nt_rule_hit *hit = nt_rule_hits_get(h, k);
            nt_rule_info info;
            nt_ruleset_info(rs, hit->rule, &info);
            json_array_append_new(rules, json_pack("{s:s, s:s, s:s}", "rule", hit->id, "tactic",
                                                   hit->tactic, "description",
                                                   c->lang == CLI_EN ? info.text_en : info.text_vi));
        }
        json_array_append_new(
            turns_json,
            json_pack("{s:I, s:s, s:O, s:i, s:i, s:o}", "turn", (json_int_t)(i + 1), "speaker",
                      nt_conversation_speaker(conv, i), "time", json_array_get(times, i), "risk",
                      nt_check_risk(r), "risk_so_far", nt_conversation_risk_at(conv, i), "rules",
                      rules));
    }
    const char *level = nt_level_name(nt_conversation_level(conv));
    if (c->json) {
        json_t *tj = json_object();
        static const char *tacs[] = {"fear", "lure", "control"};
        for (int k = 0; k < 3; k++)
            json_object_set_new(tj, tacs[k], json_integer(nt_conversation_score(conv, tacs[k])));
        json_t *root = json_pack(
            "{s:s, s:s, s:i, s:o, s:o, s:o, s:s}", "level", level, "level_text",
            tax_text(c, tax, level, "name"), "risk",
            nt_conversation_turns(conv)
                ? nt_conversation_risk_at(conv, nt_conversation_turns(conv) - 1)
                : 0,
            "dangerous_from_turn", dt >= 0 ? json_integer(dt + 1) : json_null(), "turns",
            turns_json, "tactics", tj, "advice", tax_text(c, tax, level, "advice"));
        char *s = json_dumps(root, JSON_INDENT(2));
        if (s)
            puts(s);
        free(s);
        json_decref(root);
    } else {
        for (size_t i = 0; i < json_array_size(turns_json); i++) {
            json_t *tj = json_array_get(turns_json, i);
            json_t *rules = json_object_get(tj, "rules");
            printf("%s %2zu  %-16.16s %s %3d  %s %3d%s", L(c, "Lượt", "Turn"), i + 1,
                   nt_conversation_speaker(conv, i), L(c, "rủi ro", "risk"),
                   (int)json_integer_value(json_object_get(tj, "risk")),
                   L(c, "tích luỹ", "so far"),
                   (int)json_integer_value(json_object_get(tj, "risk_so_far")),
                   (long)i == dt ? L(c, "  <- NGUY HIỂM từ đây", "  <- DANGEROUS from here") : "");
            for (size_t k = 0; k < json_array_size(rules); k++)
                printf("%s%s", k ? "; " : "  : ",
                       json_string_value(json_object_get(json_array_get(rules, k), "description")));
            printf("\n");
        }
        printf("%s: %s", L(c, "Kết luận", "Verdict"), tax_text(c, tax, level, "name"));
        if (dt >= 0)
            printf(" (%s %ld)", L(c, "nguy hiểm từ lượt", "dangerous from turn"), dt + 1);
        printf("\n%s: %s\n", L(c, "Nên làm gì", "What to do"), tax_text(c, tax, level, "advice"));
        json_decref(turns_json);
    }
done:
    json_decref(times);
cleanup:
    nt_conversation_free(conv);
    if (in != stdin)
        fclose(in);
    return status;
}

/* The registry for the check: --db PATH (which must exist), else
 * $NIEMTIN_DB or ./niemtin.db when there is one.  0 on success. */
static int open_check_registry(cli *c, const char *db)
{
    if (db && access(db, F_OK) != 0) {
        fprintf(stderr, "niemtin check: --db %s: %s\n", db,
                L(c, "không có cơ sở dữ liệu này", "no such database"));
        return 1;
    }
    return cli_open_registry(c, db, 1);
}

/* The fact-check desk on the same database, when there is one: a check then
 * also says which published fact-checks the message repeats.  A desk that
 * cannot be opened is reported and the check goes on without it. */
static void open_check_desk(cli *c, const char *db, cli_desk *cd)
{
    if (cli_desk_open(c, db, "", 1, cd) != 0)
        fprintf(stderr, "niemtin check: %s\n",
                L(c, "bỏ qua phần tra bài kiểm chứng", "going on without the fact-check lookup"));
}

static void print_factchecks(const cli *c, json_t *fcs)
{
    for (size_t i = 0; i < json_array_size(fcs); i++) {
        json_t *f = json_array_get(fcs, i);
        printf("%s: %s — \"%s\"\n   %s\n", L(c, "Tin này đã được kiểm chứng", "Already fact-checked"),
               json_string_value(json_object_get(f, "verdict_text")),
               json_string_value(json_object_get(f, "claim")),
               json_string_value(json_object_get(f, "url")));
    }
}

int cmd_check(cli *c, int argc, char **argv)
{
    const char *batch = NULL, *conversation = NULL, *db = NULL;
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "--db") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "niemtin check: --db PATH\n");
                return 2;
            }
            db = argv[++i];
            continue;
        }
        if ((strcmp(argv[i], "--batch") == 0 || strcmp(argv[i], "--conversation") == 0)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "niemtin check: %s FILE\n", argv[i]);
                return 2;
            }
            *(argv[i][2] == 'b' ? &batch : &conversation) = argv[i + 1];
            i++;
        } else if (strcmp(argv[i], "--json") == 0) {
            c->json = 1;
        } else {
            fprintf(stderr, "niemtin check: %s '%s'\n",
                    L(c, "tuỳ chọn không rõ", "unknown option"), argv[i]);
            return 2;
        }
    }
    if (batch && conversation) {
        fprintf(stderr, "niemtin check: --batch %s --conversation\n", L(c, "hoặc", "or"));
        return 2;
    }
    if (batch || conversation) {
        nt_engine *eng = NULL;
        nt_check_scratch *sc = NULL;
        cli_desk cd;
        memset(&cd, 0, sizeof cd);
        int status = open_check_registry(c, db);
        if (status == 0 && batch && c->registry)
            open_check_desk(c, db, &cd);
        if (status == 0)
            status = cli_open_engine(c, &eng, &sc);
        if (status == 0)
            status = batch ? run_batch(c, eng, sc, cd.desk, batch)
                           : run_conversation(c, eng, sc, conversation);
        nt_check_scratch_free(sc);
        nt_engine_close(eng);
        cli_desk_close(&cd);
        cli_close_registry(c);
        return status;
    }
    char *text = NULL;
    size_t len = 0;
    int status = cli_read_input(c, argc - i, argv + i, &text, &len);
    if (status)
        return status;
    nt_engine *eng = NULL;
    nt_check_scratch *sc = NULL;
    nt_check_result *r = NULL;
    cli_desk cd;
    json_t *fcs = NULL;
    memset(&cd, 0, sizeof cd);
    nt_diag d;
    nt_diag_clear(&d);
    if ((status = open_check_registry(c, db)) != 0 || (status = cli_open_engine(c, &eng, &sc)) != 0)
        goto cleanup;
    if (c->registry)
        open_check_desk(c, db, &cd);
    nt_err rc = nt_engine_check(eng, sc, text, len, &r, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "không kiểm tra được", "cannot check"));
        status = 1;
        goto cleanup;
    }
    fcs = factchecks_of(c, cd.desk, text, len);
    if (c->json) {
        json_t *root = result_json(c, eng, r, text);
        if (fcs)
            json_object_set(root, "fact_checks", fcs);
        char *s = json_dumps(root, JSON_INDENT(2));
        if (s)
            puts(s);
        free(s);
        json_decref(root);
    } else {
        print_human(c, eng, r, text, len);
        print_factchecks(c, fcs);
    }
cleanup:
    json_decref(fcs);
    cli_desk_close(&cd);
    nt_check_result_free(r);
    nt_check_scratch_free(sc);
    nt_engine_close(eng);
    cli_close_registry(c);
    free(text);
    return status;
}
