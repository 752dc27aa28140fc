/*
 * lib/auth/roles.c - roles, the actions a request can ask for, and the one
 * table that says which role may do which (docs/accounts.md prints it).
 *
 * The one idea: permission is data - a bit per role for each action - so the
 * table in the documentation and the check the server makes cannot drift
 * apart (tests/test_auth.c compares them row by row).
 */
#include <string.h>

#include "auth/auth_int.h"
#include "core/diag.h"

static const char *const role_names[NT_ROLE__COUNT] = {
    [NT_ROLE_PUBLIC] = "public",
    [NT_ROLE_MEMBER] = "member",
    [NT_ROLE_ANALYST] = "analyst",
    [NT_ROLE_ADMIN] = "admin",
};

const char *nt_role_name(nt_role r)
{
    if ((unsigned)r >= NT_ROLE__COUNT || !role_names[r])
        return "unknown";
    return role_names[r];
}

nt_err nt_role_parse(const char *name, nt_role *out)
{
    for (int i = 1; name && i < NT_ROLE__COUNT; i++)
        if (strcmp(name, role_names[i]) == 0) {
            *out = (nt_role)i;
            return NT_OK;
        }
    return NT_ERR_NOT_FOUND;
}

#define PUB (1u << NT_ROLE_PUBLIC)
#define MEM (1u << NT_ROLE_MEMBER)
#define ANA (1u << NT_ROLE_ANALYST)
#define ADM (1u << NT_ROLE_ADMIN)

/* Each role may do what the one before it may, and more: public < member <
 * analyst < admin. */
static const struct {
    const char *name;
    unsigned roles;
} actions[NT_AUTH__COUNT] = {
    [NT_AUTH_CHECK] = {"check", PUB | MEM | ANA | ADM},
    [NT_AUTH_LOOKUP] = {"lookup", PUB | MEM | ANA | ADM},
    [NT_AUTH_REPORT] = {"report", PUB | MEM | ANA | ADM},
    [NT_AUTH_LOOKUP_BATCH] = {"lookup_batch", MEM | ANA | ADM},
    [NT_AUTH_FEED] = {"feed", MEM | ANA | ADM},
    [NT_AUTH_REPORT_AS_MEMBER] = {"report_as_member", MEM | ANA | ADM},
    [NT_AUTH_REVIEW] = {"review", ANA | ADM},
    [NT_AUTH_REVEAL_CONTACT] = {"reveal_contact", ANA | ADM},
    [NT_AUTH_IMPORT] = {"import", ANA | ADM},
    [NT_AUTH_EXPORT] = {"export", ANA | ADM},
    [NT_AUTH_PUBLISH] = {"publish", ANA | ADM},
    [NT_AUTH_EXPIRE] = {"expire", ANA | ADM},
    [NT_AUTH_AUDIT_READ] = {"audit_read", ADM},
    [NT_AUTH_MANAGE_USERS] = {"manage_users", ADM},
    [NT_AUTH_MANAGE_ORGS] = {"manage_orgs", ADM},
    [NT_AUTH_MANAGE_KEYS] = {"manage_keys", ADM},
    [NT_AUTH_SETTINGS] = {"settings", ADM},
    [NT_AUTH_MANAGE_ORG_KEYS] = {"manage_org_keys", MEM | ANA | ADM},
};

int nt_auth_allowed(nt_role role, nt_auth_action action)
{
    if ((unsigned)role >= NT_ROLE__COUNT || role == 0 || (unsigned)action >= NT_AUTH__COUNT ||
        action == 0)
        return 0;
    return (actions[action].roles >> role) & 1u;
}

const char *nt_auth_action_name(nt_auth_action a)
{
    if ((unsigned)a >= NT_AUTH__COUNT || !actions[a].name)
        return "unknown";
    return actions[a].name;
}

nt_err nt_auth_action_parse(const char *name, nt_auth_action *out)
{
    for (int i = 1; name && i < NT_AUTH__COUNT; i++)
        if (strcmp(name, actions[i].name) == 0) {
            *out = (nt_auth_action)i;
            return NT_OK;
        }
    return NT_ERR_NOT_FOUND;
}

static const char *const authn_names[] = {
    [NT_AUTHN_OK] = "ok",
    [NT_AUTHN_INVALID] = "invalid",
    [NT_AUTHN_EXPIRED] = "expired",
    [NT_AUTHN_REVOKED] = "revoked",
    [NT_AUTHN_DISABLED] = "disabled",
    [NT_AUTHN_THROTTLED] = "throttled",
};

const char *nt_authn_name(nt_authn r)
{
    if ((unsigned)r >= sizeof authn_names / sizeof authn_names[0])
        return "unknown";
    return authn_names[r];
}

static const char *const org_kinds[NT_ORG__COUNT] = {
    [NT_ORG_BANK] = "bank",
    [NT_ORG_TELCO] = "telco",
    [NT_ORG_PLATFORM] = "platform",
    [NT_ORG_OTHER] = "other",
};

const char *nt_org_kind_name(nt_org_kind k)
{
    if ((unsigned)k >= NT_ORG__COUNT || !org_kinds[k])
        return "unknown";
    return org_kinds[k];
}

nt_err nt_org_kind_parse(const char *name, nt_org_kind *out)
{
    for (int i = 1; name && i < NT_ORG__COUNT; i++)
        if (strcmp(name, org_kinds[i]) == 0) {
            *out = (nt_org_kind)i;
            return NT_OK;
        }
    return NT_ERR_NOT_FOUND;
}

void nt_principal_public(nt_principal *p)
{
    memset(p, 0, sizeof *p);
    p->kind = NT_PRINCIPAL_PUBLIC;
    p->role = NT_ROLE_PUBLIC;
    memcpy(p->name, "public", sizeof "public");
}

void nt_principal_system(nt_principal *p)
{
    memset(p, 0, sizeof *p);
    p->kind = NT_PRINCIPAL_SYSTEM;
    p->role = NT_ROLE_ADMIN;
    memcpy(p->name, "system", sizeof "system");
}

nt_err nt__auth_actor(const nt_principal *actor, nt_auth_action action, nt_diag *diag)
{
    if (!actor)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no actor: who is doing this is required");
    if (!actor->name[0] || !memchr(actor->name, '\0', sizeof actor->name))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "the actor has no name");
    if (!nt_auth_allowed(actor->role, action))
        return nt__fail(diag, NT_ERR_STATE, 0, "%s (%s) may not %s", actor->name,
                        nt_role_name(actor->role), nt_auth_action_name(action));
    return NT_OK;
}
