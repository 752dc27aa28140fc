/*
 * lib/indicator/types.c - the names of indicator types, as they appear in
 * the CLI, the registry and JSON output.  One table, read both ways.
 */
#include <string.h>

#include "niemtin/indicator.h"

static const char *const type_names[NT_IND__COUNT] = {
    [NT_IND_URL] = "url",
    [NT_IND_DOMAIN] = "domain",
    [NT_IND_IP] = "ip",
    [NT_IND_PHONE] = "phone",
    [NT_IND_BANK_ACCOUNT] = "bank",
    [NT_IND_EMAIL] = "email",
    [NT_IND_SOCIAL] = "social",
    [NT_IND_WALLET] = "wallet",
    [NT_IND_NATIONAL_ID] = "national_id",
};

const char *nt_ind_type_name(nt_ind_type type)
{
    if ((unsigned)type >= NT_IND__COUNT || type_names[type] == NULL)
        return "unknown";
    return type_names[type];
}

nt_err nt_ind_type_parse(const char *name, nt_ind_type *out)
{
    if (!name || !out)
        return NT_ERR_INVALID_ARG;
    for (unsigned t = 1; t < NT_IND__COUNT; t++) {
        if (type_names[t] && strcmp(type_names[t], name) == 0) {
            *out = (nt_ind_type)t;
            return NT_OK;
        }
    }
    return NT_ERR_NOT_FOUND;
}
