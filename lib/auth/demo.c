/*
 * lib/auth/demo.c - the demo accounts `make run` prints: an administrator,
 * an analyst, and a member bank with a staff member and an API key.
 *
 * The one idea: the demo credentials are fixed and published, so creating
 * them twice gives the same ones (the key's bytes come from a hash of a
 * label, not from the random generator), and they are refused in a database
 * that holds real accounts, where published credentials would be a hole.
 */
#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "auth/auth_int.h"
#include "core/diag.h"

#define DEMO_ORG "DEMO Ngân hàng Thử nghiệm"

static const struct {
    const char *login, *display, *password;
    nt_role role;
    int in_org;
} demo_users[] = {
    {"demo-admin", "DEMO Quản trị viên", "demo-admin-niemtin", NT_ROLE_ADMIN, 0},
    {"demo-analyst", "DEMO Chuyên viên thẩm định", "demo-analyst-niemtin", NT_ROLE_ANALYST, 0},
    {"demo-bank", "DEMO Nhân viên ngân hàng", "demo-bank-niemtin", NT_ROLE_MEMBER, 1},
};

static void demo_key_raw(unsigned char raw[38])
{
    static const char label[] = "niemtin demo api key, version 1 (published: not a secret)";
    crypto_generichash(raw, 38, (const unsigned char *)label, sizeof label - 1, NULL, 0);
}

typedef struct found_ctx {
    int found;
    int64_t id;
} found_ctx;

static int org_found(void *ctx, const nt_org *o)
{
    found_ctx *f = ctx;
    f->found = 1;
    f->id = o->id;
    return 1;
}

static int key_found(void *ctx, const nt__key_row *k)
{
    (void)k;
    ((found_ctx *)ctx)->found = 1;
    return 1;
}

nt_err nt_auth_demo_accounts(nt_auth *a, nt_demo_accounts *out, nt_diag *diag)
{
    nt_err e = NT_OK;
    void *db;
    unsigned char raw[38];
    char *hashes[3] = {NULL, NULL, NULL};
    nt_principal sys;
    if (!a || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    memset(out, 0, sizeof *out);
    nt_principal_system(&sys);
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);

    /* argon2 before taking the lock (three hashes: a fraction of a second) */
    for (int i = 0; i < 3 && !e; i++)
        e = nt__pw_hash(a, demo_users[i].password, strlen(demo_users[i].password), &hashes[i],
                        diag);
    if (e)
        goto cleanup;
    demo_key_raw(raw);
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a), real = 0;
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    if ((e = ops->user_count(db, NT__COUNT_NON_DEMO, &real, diag)))
        goto fail;
    if (real) {
        e = nt__fail(diag, NT_ERR_STATE, 0,
                     "this database has %lld real accounts, organisations or keys: the demo "
                     "accounts (with published passwords) are only for a demo database",
                     (long long)real);
        goto fail;
    }
    found_ctx org = {0};
    e = ops->org_find(db, DEMO_ORG, org_found, &org, diag);
    if (e == NT_ERR_NOT_FOUND) {
        if ((e = ops->org_add(db, DEMO_ORG, NT_ORG_BANK, 1, now, &org.id, diag)))
            goto fail;
        char object[48];
        snprintf(object, sizeof object, "org:%lld", (long long)org.id);
        json_t *j = json_object();
        json_object_set_new(j, "name", json_string(DEMO_ORG));
        json_object_set_new(j, "kind", json_string("bank"));
        json_object_set_new(j, "demo", json_true());
        if ((e = nt__auth_audit(a, now, sys.name, "org.add", object, j, diag)))
            goto fail;
        out->created = 1;
    } else if (e) {
        goto fail;
    }
    for (int i = 0; i < 3; i++) {
        nt__ucopy have;
        int64_t id;
        e = nt__user_load(a, demo_users[i].login, &have, diag);
        if (e == NT_OK)
            continue;
        if (e != NT_ERR_NOT_FOUND)
            goto fail;
        if ((e = nt__user_insert(a, &sys, demo_users[i].login, demo_users[i].display,
                                 demo_users[i].role, demo_users[i].in_org ? DEMO_ORG : NULL,
                                 hashes[i], 1, &id, diag)))
            goto fail;
        out->created = 1;
    }
    nt__key_token(raw, out->key);
    char prefix[NT_KEY_PREFIX_CHARS + 1];
    memcpy(prefix, out->key, NT_KEY_PREFIX_CHARS);
    prefix[NT_KEY_PREFIX_CHARS] = '\0';
    found_ctx key = {0};
    e = ops->key_find(db, prefix, key_found, &key, diag);
    if (e == NT_ERR_NOT_FOUND) {
        int64_t id;
        if ((e = nt__key_insert(a, &sys, raw, org.id, DEMO_ORG, NT_ROLE_MEMBER, 0, "DEMO key", 1,
                                &id, diag)))
            goto fail;
        out->created = 1;
    } else if (e) {
        goto fail;
    }
    if ((e = nt__store_commit(a->st, diag)))
        goto unlock;
    e = nt__auth_reload(a, diag);
    goto unlock;
fail:
    nt__store_rollback(a->st);
unlock:
    pthread_mutex_unlock(&a->db_lock);
cleanup:
    for (int i = 0; i < 3; i++)
        free(hashes[i]);
    sodium_memzero(raw, sizeof raw);
    if (e) {
        sodium_memzero(out->key, sizeof out->key);
        out->created = 0;
        return e;
    }
    out->admin_login = demo_users[0].login;
    out->admin_password = demo_users[0].password;
    out->analyst_login = demo_users[1].login;
    out->analyst_password = demo_users[1].password;
    out->member_login = demo_users[2].login;
    out->member_password = demo_users[2].password;
    out->org = DEMO_ORG;
    return NT_OK;
}
