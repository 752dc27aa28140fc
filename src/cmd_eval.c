/*
 * src/cmd_eval.c - `niemtin eval --data FILE`: how well the whole check
 * (rules and scoring) does on a labelled set of messages (JSON lines with
 * "text", "label": scam | grooming | benign, "tactics": [...]).
 *
 * A message counts as flagged when its level is at least the threshold level
 * (suspicious by default, --at dangerous for the stricter cut).  Reports
 * precision, recall, F1 and false-positive rate for "harmful" (scam or
 * grooming) and for each tactic, the confusion table of gold label against
 * level, and recall per category.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct counts {
    size_t tp, fp, fn, tn;
} counts;

static void tally(counts *c, int gold, int pred)
{
    if (gold && pred)
        c->tp++;
    else if (!gold && pred)
        c->fp++;
    else if (gold)
        c->fn++;
    else
        c->tn++;
}

static json_t *metrics(const counts *c)
{
    double p = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 0.0;
    double r = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 0.0;
    double f = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    double fpr = c->fp + c->tn ? (double)c->fp / (double)(c->fp + c->tn) : 0.0;
    return json_pack("{s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I}", "precision", p, "recall", r,
                     "f1", f, "fpr", fpr, "tp", (json_int_t)c->tp, "fp", (json_int_t)c->fp, "fn",
                     (json_int_t)c->fn, "tn", (json_int_t)c->tn);
}

static int has_str(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
        return 1;
    return 0;
}

/* `eval --conversations DIR`: each chat listed in DIR/index.json is replayed
 * turn by turn; reports whether harmful chats end dangerous, benign ones do
 * not, and how far the detected dangerous turn is from the annotated one. */
static int eval_conversations(cli *c, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/index.json", dir);
    json_error_t err;
    json_t *index = json_load_file(path, 0, &err);
    if (!json_is_array(index)) {
        fprintf(stderr, "%s:%d:%d: %s\n", path, err.line, err.column,
                index ? L(c, "cần một mảng", "expected an array") : err.text);
        json_decref(index);
        return 1;
    }
    nt_engine *eng = NULL;
    nt_check_scratch *sc = NULL;
    int status = cli_open_engine(c, &eng, &sc);
    if (status) {
        json_decref(index);
        return status;
    }
    size_t i, harmful = 0, harmful_caught = 0, benign = 0, benign_flagged = 0, timed = 0;
    long total_delay = 0;
    json_t *e, *rows = json_array();
    json_array_foreach(index, i, e)
    {
        const char *file = json_string_value(json_object_get(e, "file"));
        const char *label = json_string_value(json_object_get(e, "label"));
        json_t *gold_turn = json_object_get(e, "dangerous_from_turn");
        if (!file || !label)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, file);
        FILE *in = fopen(path, "rb");
        if (!in) {
            perror(path);
            continue;
        }
        nt_conversation *conv = NULL;
        if (nt_conversation_new(eng, &conv) != NT_OK) {
            fclose(in);
            break;
        }
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, in) >= 0) {
            json_t *turn = json_loads(line, 0, &err);
            json_t *t = json_object_get(turn, "text");
            if (json_is_string(t))
                nt_conversation_add(conv, sc, json_string_value(json_object_get(turn, "speaker")),
                                    json_string_value(t), json_string_length(t), NULL);
            json_decref(turn);
        }
        free(line);
        fclose(in);
        long dt = nt_conversation_dangerous_turn(conv);
        int is_harmful = strcmp(label, "benign") != 0;
        if (is_harmful) {
            harmful++;
            harmful_caught += dt >= 0;
            if (dt >= 0 && json_is_integer(gold_turn)) {
                total_delay += (dt + 1) - (long)json_integer_value(gold_turn);
                timed++;
            }
        } else {
            benign++;
            benign_flagged += nt_conversation_level(conv) != NT_LEVEL_SAFE;
        }
        json_array_append_new(
            rows, json_pack("{s:s, s:s, s:s, s:O, s:o, s:i}", "file", file, "label", label,
                            "level", nt_level_name(nt_conversation_level(conv)),
                            "gold_dangerous_turn", gold_turn ? gold_turn : json_null(),
                            "detected_dangerous_turn", dt >= 0 ? json_integer(dt + 1) : json_null(),
                            "risk",
                            nt_conversation_risk_at(conv, nt_conversation_turns(conv) - 1)));
        nt_conversation_free(conv);
    }
    json_t *root = json_pack("{s:I, s:I, s:I, s:I, s:f, s:o}", "harmful", (json_int_t)harmful,
                             "harmful_reaching_dangerous", (json_int_t)harmful_caught, "benign",
                             (json_int_t)benign, "benign_not_safe", (json_int_t)benign_flagged,
                             "mean_turn_delay", timed ? (double)total_delay / (double)timed : 0.0,
                             "conversations", rows);
    if (c->json) {
        char *s = json_dumps(root, JSON_INDENT(2));
        if (s)
            puts(s);
        free(s);
    } else {
        printf("%-34s %-9s %-10s %5s %9s\n", "file", "label", "level", "gold", "detected");
        json_array_foreach(rows, i, e)
        {
            json_t *g = json_object_get(e, "gold_dangerous_turn"),
                   *d = json_object_get(e, "detected_dangerous_turn");
            char gs[24] = "-", ds[24] = "-";
            if (json_is_integer(g))
                snprintf(gs, sizeof gs, "%lld", (long long)json_integer_value(g));
            if (json_is_integer(d))
                snprintf(ds, sizeof ds, "%lld", (long long)json_integer_value(d));
            printf("%-34s %-9s %-10s %5s %9s\n", json_string_value(json_object_get(e, "file")),
                   json_string_value(json_object_get(e, "label")),
                   json_string_value(json_object_get(e, "level")), gs, ds);
        }
        printf("%s: %zu/%zu; %s: %zu/%zu; %s: %+.1f\n",
               L(c, "Cuộc trò chuyện nguy hại bị phát hiện", "Harmful chats caught"),
               harmful_caught, harmful, L(c, "cuộc vô hại bị gắn cờ", "benign flagged"),
               benign_flagged, benign, L(c, "độ trễ trung bình (lượt)", "mean delay (turns)"),
               timed ? (double)total_delay / (double)timed : 0.0);
    }
    json_decref(root);
    json_decref(index);
    nt_check_scratch_free(sc);
    nt_engine_close(eng);
    return 0;
}

int cmd_eval(cli *c, int argc, char **argv)
{
    for (int k = 0; k + 1 < argc; k++)
        if (strcmp(argv[k], "--conversations") == 0) {
            for (int j = 0; j < argc; j++)
                if (strcmp(argv[j], "--json") == 0)
                    c->json = 1;
            return eval_conversations(c, argv[k + 1]);
        }
    /* `eval --model FILE ...` evaluates the statistical model alone;
     * `eval --levels` chooses the level thresholds on the validation split. */
    for (int k = 0; k < argc; k++)
        if (strcmp(argv[k], "--levels") == 0)
            return cmd_eval_levels(c, argc, argv);
    for (int k = 0; k < argc; k++)
        if (strcmp(argv[k], "--model") == 0)
            return cmd_eval_model(c, argc, argv);
    const char *data = NULL;
    nt_level at = NT_LEVEL_SUSPICIOUS;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "dangerous") == 0)
                at = NT_LEVEL_DANGEROUS;
            else if (strcmp(v, "suspicious") != 0) {
                fprintf(stderr, "niemtin eval: --at suspicious|dangerous\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--json") == 0)
            c->json = 1;
        else {
            fprintf(stderr, "%s: niemtin eval --data FILE [--at suspicious|dangerous] [--json]\n",
                    L(c, "Cách dùng", "Usage"));
            return 2;
        }
    }
    if (!data) {
        fprintf(stderr, "niemtin eval: --data FILE (%s) | --model FILE (%s)\n",
                L(c, "cả bộ kiểm tra", "the whole check"),
                L(c, "riêng mô hình", "the model alone"));
        return 2;
    }
    FILE *in = fopen(data, "rb");
    if (!in) {
        perror(data);
        return 1;
    }
    nt_engine *eng = NULL;
    nt_check_scratch *sc = NULL;
    int status = cli_open_engine(c, &eng, &sc);
    if (status) {
        fclose(in);
        return status;
    }
    static const char *tactics[] = {"fear", "lure", "control"};
    static const char *labels[] = {"scam", "grooming", "benign"};
    counts harmful = {0}, tac[3] = {{0}};
    size_t confusion[3][3] = {{0}}, n = 0, bad = 0;
    json_t *cat_seen = json_object(), *cat_found = json_object(), *misses = json_array(),
           *false_alarms = json_array();
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, in)) >= 0) {
        lineno++;
        json_error_t err;
        json_t *obj = json_loadb(line, (size_t)got, 0, &err);
        json_t *t = json_object_get(obj, "text");
        const char *label = json_string_value(json_object_get(obj, "label"));
        int li = -1;
        for (int k = 0; label && k < 3; k++)
            if (strcmp(label, labels[k]) == 0)
                li = k;
        nt_check_result *r = NULL;
        if (!json_is_string(t) || li < 0 ||
            nt_engine_check(eng, sc, json_string_value(t), json_string_length(t), &r, NULL)) {
            fprintf(stderr, "%s:%zu: %s\n", data, lineno,
                    L(c, "bỏ qua dòng hỏng", "skipping a malformed line"));
            bad++;
            json_decref(obj);
            continue;
        }
        n++;
        nt_level lv = nt_check_level(r);
        int gold = li != 2, pred = lv >= at;
        tally(&harmful, gold, pred);
        confusion[li][lv]++;
        json_t *gt = json_object_get(obj, "tactics");
        for (int k = 0; k < 3; k++)
            tally(&tac[k], has_str(gt, tactics[k]), pred && nt_check_score(r, tactics[k]) > 0);
        size_t i;
        json_t *cv;
        json_array_foreach(json_object_get(obj, "categories"), i, cv)
        {
            const char *cid = json_string_value(cv);
            if (!cid)
                continue;
            json_object_set_new(cat_seen, cid,
                                json_integer(json_integer_value(json_object_get(cat_seen, cid)) + 1));
            if (pred)
                json_object_set_new(
                    cat_found, cid,
                    json_integer(json_integer_value(json_object_get(cat_found, cid)) + 1));
        }
        json_t *idj = json_object_get(obj, "id");
        if (gold && !pred)
            json_array_append(misses, idj ? idj : json_integer((json_int_t)lineno));
        if (!gold && pred)
            json_array_append(false_alarms, idj ? idj : json_integer((json_int_t)lineno));
        nt_check_result_free(r);
        json_decref(obj);
    }
    free(line);
    fclose(in);
    json_t *root = json_pack("{s:s, s:I, s:I, s:s, s:o}", "data", data, "messages", (json_int_t)n,
                             "skipped", (json_int_t)bad, "flagged_at", nt_level_name(at), "harmful",
                             metrics(&harmful));
    json_t *tj = json_object();
    for (int k = 0; k < 3; k++)
        json_object_set_new(tj, tactics[k], metrics(&tac[k]));
    json_object_set_new(root, "tactics", tj);
    json_t *cj = json_object();
    for (int g = 0; g < 3; g++)
        json_object_set_new(cj, labels[g],
                            json_pack("{s:I, s:I, s:I}", "safe", (json_int_t)confusion[g][0],
                                      "suspicious", (json_int_t)confusion[g][1], "dangerous",
                                      (json_int_t)confusion[g][2]));
    json_object_set_new(root, "confusion", cj);
    json_t *rec = json_object();
    const char *key;
    json_t *val;
    json_object_foreach(cat_seen, key, val)
    {
        json_int_t found = json_integer_value(json_object_get(cat_found, key));
        json_object_set_new(rec, key,
                            json_pack("{s:I, s:I, s:f}", "messages", json_integer_value(val),
                                      "flagged", found, "recall",
                                      (double)found / (double)json_integer_value(val)));
    }
    json_object_set_new(root, "category_recall", rec);
    json_object_set_new(root, "missed", misses);
    json_object_set_new(root, "false_alarms", false_alarms);
    if (c->json) {
        char *s = json_dumps(root, JSON_INDENT(2));
        if (s)
            puts(s);
        free(s);
    } else {
        json_t *h = json_object_get(root, "harmful");
        printf("%s: %zu (%s %s)\n", L(c, "Tin nhắn", "Messages"), n,
               L(c, "gắn cờ từ mức", "flagged at"), nt_level_name(at));
        printf("%-10s %9s %9s %9s %9s\n", "", "precision", "recall", "F1", "FPR");
        printf("%-10s %9.3f %9.3f %9.3f %9.3f\n", "harmful",
               json_real_value(json_object_get(h, "precision")),
               json_real_value(json_object_get(h, "recall")),
               json_real_value(json_object_get(h, "f1")), json_real_value(json_object_get(h, "fpr")));
        for (int k = 0; k < 3; k++) {
            json_t *m = json_object_get(tj, tactics[k]);
            printf("%-10s %9.3f %9.3f %9.3f %9.3f\n", tactics[k],
                   json_real_value(json_object_get(m, "precision")),
                   json_real_value(json_object_get(m, "recall")),
                   json_real_value(json_object_get(m, "f1")),
                   json_real_value(json_object_get(m, "fpr")));
        }
        printf("\n%-10s %9s %11s %10s\n", "gold\\level", "safe", "suspicious", "dangerous");
        for (int g = 0; g < 3; g++)
            printf("%-10s %9zu %11zu %10zu\n", labels[g], confusion[g][0], confusion[g][1],
                   confusion[g][2]);
    }
    json_decref(root);
    json_decref(cat_seen);
    json_decref(cat_found);
    nt_check_scratch_free(sc);
    nt_engine_close(eng);
    return 0;
}
