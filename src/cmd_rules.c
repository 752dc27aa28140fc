/*
 * src/cmd_rules.c - `niemtin rules`: for the analyst who writes rules.
 *   niemtin rules list [--json]      every rule with its tactic, category, weight
 *   niemtin rules check [DIR]        load a rules directory exactly as the check
 *                                    does; print the first error as file:line:col
 *                                    and exit 1, or a summary and exit 0
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int load(cli *c, const char *dir, nt_taxonomy **tax, nt_ruleset **rs)
{
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_taxonomy_load(cli_data_path(c, "taxonomy.json"), tax, &d);
    if (!rc)
        rc = nt_ruleset_load_dir_cached(dir ? dir : c->rules_dir ? c->rules_dir : cli_data_path(c, "rules"), *tax,
                                        cli_cache_dir(), rs, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "luật không hợp lệ", "rules rejected"));
        return 1;
    }
    return 0;
}

int cmd_rules(cli *c, int argc, char **argv)
{
    if (argc < 1 || (strcmp(argv[0], "list") != 0 && strcmp(argv[0], "check") != 0)) {
        fprintf(stderr, "%s: niemtin rules list [--json] | check [DIR]\n",
                L(c, "Cách dùng", "Usage"));
        return 2;
    }
    int list = strcmp(argv[0], "list") == 0;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            c->json = 1;
        else if (!list && !dir && argv[i][0] != '-')
            dir = argv[i];
        else {
            fprintf(stderr, "niemtin rules: %s '%s'\n", L(c, "tham số không rõ", "unknown argument"),
                    argv[i]);
            return 2;
        }
    }
    nt_taxonomy *tax = NULL;
    nt_ruleset *rs = NULL;
    int status = load(c, dir, &tax, &rs);
    if (status)
        goto cleanup;
    size_t n = nt_ruleset_count(rs), examples = 0, counters = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        nt_rule_info info;
        nt_ruleset_info(rs, i, &info);
        examples += info.nexamples;
        counters += info.ncounters;
        if (!list)
            continue;
        if (c->json)
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "id", info.id, "tactic",
                               info.tactic, "category", info.category, "weight", info.weight, "vi",
                               info.text_vi, "en", info.text_en));
        else
            printf("%-40s %-8s %-24s %3d  %s\n", info.id, info.tactic, info.category, info.weight,
                   c->lang == CLI_EN ? info.text_en : info.text_vi);
    }
    if (list && c->json) {
        char *s = json_dumps(arr, JSON_INDENT(2));
        if (s)
            puts(s);
        free(s);
    }
    json_decref(arr);
    if (!list)
        printf("%zu %s, %zu %s, %zu %s\n", n, L(c, "luật", "rules"), examples,
               L(c, "ví dụ phải khớp", "examples that must match"), counters,
               L(c, "ví dụ không được khớp", "counter-examples that must not"));
cleanup:
    nt_ruleset_free(rs);
    nt_taxonomy_free(tax);
    return status;
}
