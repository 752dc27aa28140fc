/*
 * src/cmd_text.c - `niemtin normalize`: show a person what matching sees.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *kind_name(unsigned k)
{
    static const char *const names[] = {"word", "number", "emoji", "punct", "link"};
    return k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static json_t *flag_array(unsigned f)
{
    static const struct {
        unsigned bit;
        const char *name;
    } flags[] = {{NT_TOKF_EXPANDED, "expanded"},   {NT_TOKF_REJOINED, "rejoined"},
                 {NT_TOKF_LOOKALIKE, "lookalike"}, {NT_TOKF_SQUEEZED, "squeezed"},
                 {NT_TOKF_BOUNDARY, "boundary"}};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (f & flags[i].bit)
            json_array_append_new(a, json_string(flags[i].name));
    return a;
}

int cmd_normalize(cli *c, int argc, char **argv)
{
    int first = cli_options(c, "normalize", argc, argv, 1);
    if (first < 0)
        return 2;
    char *text = NULL;
    size_t len = 0;
    int status = cli_read_input(c, argc - first, argv + first, &text, &len);
    if (status)
        return status;
    nt_lexicon *lex = cli_load_teencode(c);
    nt_text *t = NULL;
    json_t *root = NULL;
    if (!lex) {
        status = 1;
        goto cleanup;
    }
    nt_text_options o;
    nt_text_options_init(&o);
    o.teencode = lex;
    o.max_bytes = c->max_bytes;
    o.utf8 = c->strict ? NT_UTF8_STRICT : NT_UTF8_LENIENT;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_text_normalize(text, len, &o, &t, &d);
    if (rc) {
        cli_error(c, rc, &d, L(c, "không chuẩn hoá được", "cannot normalise"));
        status = 1;
        goto cleanup;
    }
    size_t ntok = 0;
    const nt_token *tok = nt_text_tokens(t, &ntok);
    const char *norm = nt_text_form(t, NT_FORM_NORM, NULL);
    const char *fold = nt_text_form(t, NT_FORM_FOLD, NULL);
    if (c->json) {
        root = json_object();
        for (int f = 0; f < NT_FORM_COUNT; f++) {
            size_t fl = 0;
            const char *s = nt_text_form(t, (nt_form)f, &fl);
            json_object_set_new(root, nt_form_name((nt_form)f), json_stringn(s, fl));
        }
        json_object_set_new(root, "replacements", json_integer((json_int_t)nt_text_replacements(t)));
        json_t *arr = json_array();
        for (size_t i = 0; i < ntok; i++) {
            json_t *o2 = json_object();
            json_object_set_new(o2, "norm", json_stringn(norm + tok[i].start, tok[i].end - tok[i].start));
            json_object_set_new(o2, "fold", json_stringn(fold + tok[i].fstart, tok[i].fend - tok[i].fstart));
            json_object_set_new(o2, "kind", json_string(kind_name(tok[i].kind)));
            json_object_set_new(o2, "start", json_integer(tok[i].ostart));
            json_object_set_new(o2, "end", json_integer(tok[i].oend));
            json_object_set_new(o2, "flags", flag_array(tok[i].flags));
            json_array_append_new(arr, o2);
        }
        json_object_set_new(root, "tokens", arr);
        char *out = json_dumps(root, JSON_INDENT(2));
        if (out) {
            puts(out);
            free(out);
        }
    } else {
        static const char *const label[NT_FORM_COUNT] = {"nfc:  ", "norm: ", "fold: "};
        for (int f = 0; f < NT_FORM_COUNT; f++) {
            size_t fl = 0;
            const char *fs = nt_text_form(t, (nt_form)f, &fl);
            fputs(label[f], stdout);
            fwrite(fs, 1, fl, stdout); /* a form may hold NUL bytes */
            putchar('\n');
        }
        size_t changed = 0;
        for (size_t i = 0; i < ntok; i++)
            if (tok[i].flags & (NT_TOKF_EXPANDED | NT_TOKF_REJOINED | NT_TOKF_LOOKALIKE |
                                NT_TOKF_SQUEEZED))
                changed++;
        printf("tokens: %zu", ntok);
        if (changed)
            printf(" (%zu %s)", changed, L(c, "đã sửa", "repaired"));
        if (nt_text_replacements(t))
            printf(", %zu %s", nt_text_replacements(t),
                   L(c, "chuỗi UTF-8 lỗi đã thay bằng U+FFFD", "malformed UTF-8 sequences replaced"));
        printf("\n");
        for (size_t i = 0; i < ntok; i++) {
            if (!(tok[i].flags & (NT_TOKF_EXPANDED | NT_TOKF_REJOINED | NT_TOKF_LOOKALIKE |
                                  NT_TOKF_SQUEEZED)))
                continue;
            json_t *fa = flag_array(tok[i].flags);
            char *fs = json_dumps(fa, JSON_COMPACT);
            printf("  %.*s  <-  \"%.*s\"  %s\n", (int)(tok[i].end - tok[i].start),
                   norm + tok[i].start, (int)(tok[i].oend - tok[i].ostart), text + tok[i].ostart,
                   fs ? fs : "");
            free(fs);
            json_decref(fa);
        }
    }
cleanup:
    json_decref(root);
    nt_text_free(t);
    nt_lexicon_free(lex);
    free(text);
    return status;
}
