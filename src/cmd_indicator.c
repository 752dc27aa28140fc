/*
 * src/cmd_indicator.c - `niemtin extract` and `niemtin canon`: indicators in
 * a message, and the canonical form of one value.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static json_t *ind_flags(unsigned f)
{
    static const struct {
        unsigned bit;
        const char *name;
    } flags[] = {{NT_INDF_DEFANGED, "defanged"},
                 {NT_INDF_NO_SCHEME, "no_scheme"},
                 {NT_INDF_PERSONAL, "personal"},
                 {NT_INDF_IDN, "idn"},
                 {NT_INDF_OBFUSCATED, "obfuscated"}};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (f & flags[i].bit)
            json_array_append_new(a, json_string(flags[i].name));
    return a;
}

/* Print the raw span for a person: newlines and tabs shown as spaces. */
static void print_span(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        putchar(s[i] == '\n' || s[i] == '\t' || s[i] == '\r' ? ' ' : s[i]);
}

int cmd_extract(cli *c, int argc, char **argv)
{
    int i = cli_options(c, "extract", argc, argv, 0);
    if (i < 0)
        return 2;
    char *text = NULL;
    size_t len = 0;
    int status = cli_read_input(c, argc - i, argv + i, &text, &len);
    if (status)
        return status;
    nt_banks *banks = cli_load_banks(c);
    nt_extractor *ex = NULL;
    nt_indicator_list *list = NULL;
    json_t *root = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    if (!banks) {
        status = 1;
        goto cleanup;
    }
    nt_extractor_options o;
    nt_extractor_options_init(&o);
    unsigned char id_key[32];
    if (cli_id_key(c, id_key) != 0) {
        status = 2;
        goto cleanup;
    }
    o.id_key = c->have_id_key ? id_key : NULL;
    o.banks = banks;
    o.context_path = cli_data_path(c, "indicator-context.tsv");
    o.max_bytes = c->max_bytes;
    nt_err rc = nt_extractor_new(&o, &ex, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "không khởi tạo được bộ trích xuất", "cannot set up extraction"));
        status = 1;
        goto cleanup;
    }
    rc = nt_extract(ex, text, len, &list, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "không trích xuất được", "cannot extract"));
        status = 1;
        goto cleanup;
    }
    size_t n = nt_indicator_list_count(list);
    if (c->json) {
        root = json_object();
        json_t *arr = json_array();
        for (size_t k = 0; k < n; k++) {
            const nt_indicator *ind = nt_indicator_list_get(list, k);
            json_t *o2 = json_object();
            json_object_set_new(o2, "type", json_string(nt_ind_type_name(ind->type)));
            json_object_set_new(o2, "start", json_integer((json_int_t)ind->start));
            json_object_set_new(o2, "end", json_integer((json_int_t)ind->end));
            json_object_set_new(o2, "value", json_string(ind->value));
            json_object_set_new(o2, "detail", json_string(ind->detail));
            if (!(ind->flags & NT_INDF_PERSONAL))
                json_object_set_new(o2, "text",
                                    cli_json_text(text + ind->start, ind->end - ind->start));
            json_object_set_new(o2, "flags", ind_flags(ind->flags));
            json_array_append_new(arr, o2);
        }
        json_object_set_new(root, "count", json_integer((json_int_t)n));
        json_object_set_new(root, "indicators", arr);
        char *out = json_dumps(root, JSON_INDENT(2));
        if (out) {
            puts(out);
            free(out);
        }
    } else {
        if (n == 0)
            printf("%s\n", L(c, "Không tìm thấy chỉ báo nào.", "No indicators found."));
        for (size_t k = 0; k < n; k++) {
            const nt_indicator *ind = nt_indicator_list_get(list, k);
            printf("%-11s %5zu-%-5zu %s", nt_ind_type_name(ind->type), ind->start, ind->end,
                   ind->value);
            if (ind->detail[0])
                printf("  [%s]", ind->detail);
            printf("  \"");
            if (ind->flags & NT_INDF_PERSONAL)
                printf("%s", L(c, "(dữ liệu cá nhân, đã ẩn)", "(personal data, hidden)"));
            else
                print_span(text + ind->start, ind->end - ind->start);
            printf("\"");
            if (ind->flags) {
                json_t *fa = ind_flags(ind->flags);
                char *fs = json_dumps(fa, JSON_COMPACT);
                printf(" %s", fs ? fs : "");
                free(fs);
                json_decref(fa);
            }
            printf("\n");
        }
    }
cleanup:
    json_decref(root);
    nt_indicator_list_free(list);
    nt_extractor_free(ex);
    nt_banks_free(banks);
    free(text);
    return status;
}

int cmd_canon(cli *c, int argc, char **argv)
{
    int i = cli_options(c, "canon", argc, argv, 0);
    if (i < 0)
        return 2;
    if (argc - i < 2) {
        fprintf(stderr, "%s: niemtin canon [--json] TYPE VALUE...\n"
                        "TYPE: url domain phone bank email social wallet national_id\n",
                L(c, "Cách dùng", "Usage"));
        return 2;
    }
    nt_ind_type type;
    const char *tname = argv[i];
    if (strcmp(tname, "bank_account") == 0)
        tname = "bank";
    if (nt_ind_type_parse(tname, &type) != NT_OK) {
        fprintf(stderr, "niemtin canon: %s '%s'\n", L(c, "loại không rõ", "unknown type"), argv[i]);
        return 2;
    }
    /* The value may be several words ("VCB 0123 456 789"). */
    char *value = NULL;
    size_t vlen = 0;
    int status = cli_read_input(c, argc - i - 1, argv + i + 1, &value, &vlen);
    if (status)
        return status;
    nt_banks *banks = NULL;
    char *out = NULL, *ascii = NULL, *reg = NULL;
    char **exprs = NULL;
    size_t nexpr = 0;
    json_t *root = json_object();
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc;
    json_object_set_new(root, "type", json_string(nt_ind_type_name(type)));
    if (type == NT_IND_BANK_ACCOUNT && !(banks = cli_load_banks(c))) {
        status = 1;
        goto cleanup;
    }
    rc = nt_canon(type, banks, value, vlen, &out, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "giá trị không hợp lệ", "invalid value"));
        status = 1;
        goto cleanup;
    }
    json_object_set_new(root, "value", json_string(out));
    if (!c->json)
        printf("%s\n", out);
    if (type == NT_IND_URL && nt_url_expressions(out, &exprs, &nexpr) == NT_OK) {
        json_t *a = json_array();
        for (size_t k = 0; k < nexpr; k++) {
            json_array_append_new(a, json_string(exprs[k]));
            if (!c->json)
                printf("  %s %s\n", L(c, "biểu thức tra cứu:", "lookup expression:"), exprs[k]);
        }
        json_object_set_new(root, "expressions", a);
    }
    if (type == NT_IND_DOMAIN &&
        nt_canon_domain(value, vlen, &ascii, &reg, NULL) == NT_OK && reg) {
        json_object_set_new(root, "registrable", json_string(reg));
        if (!c->json)
            printf("  %s %s\n", L(c, "tên miền đăng ký:", "registrable domain:"), reg);
    }
    if (type == NT_IND_PHONE) {
        nt_phone_info pi;
        char *tmp = NULL;
        if (nt_canon_phone(value, vlen, &tmp, &pi, NULL) == NT_OK) {
            json_object_set_new(root, "kind", json_string(nt_phone_kind_name(pi.kind)));
            json_object_set_new(root, "carrier", json_string(pi.carrier));
            json_object_set_new(root, "region", json_string(pi.region));
            if (!c->json)
                printf("  %s %s%s%s%s%s\n", L(c, "loại:", "kind:"), nt_phone_kind_name(pi.kind),
                       pi.carrier[0] ? ", " : "", pi.carrier, pi.region[0] ? ", " : "",
                       pi.region);
        }
        free(tmp);
    }
    if (c->json) {
        char *s = json_dumps(root, JSON_INDENT(2));
        if (s) {
            puts(s);
            free(s);
        }
    }
cleanup:
    json_decref(root);
    nt_strv_free(exprs, nexpr);
    free(out);
    free(ascii);
    free(reg);
    nt_banks_free(banks);
    free(value);
    return status;
}
