/*
 * src/server/api_admin.c - the member page and the administrators' pages
 * over HTTP.  Every change goes through lib/auth, which checks the actor's
 * role again and writes the change and its audit entry in one transaction;
 * the route table (http.c) has already refused the wrong roles (401/403) and
 * srv_authenticate a session's missing CSRF token (403).
 *
 * Members (a member organisation's person, by session, or its API key):
 *   GET    /api/v1/org/keys                 the organisation's keys and usage
 *   POST   /api/v1/org/keys {"label","days"} a new member key, shown once
 *   DELETE /api/v1/org/keys/PREFIX          revoke one of them
 * Administrators use the same three with "org" (any organisation; "role"
 * analyst too) and see every key without it.
 *
 * Administrators:
 *   GET  /api/v1/admin/users                       people
 *   POST /api/v1/admin/users {"login","password","role","org","display_name"}
 *   POST /api/v1/admin/users/LOGIN  exactly one of {"role"}, {"disabled"}, {"password"}
 *   GET  /api/v1/admin/orgs, POST {"name","kind"}   organisations
 *   GET  /api/v1/admin/settings, POST {"key","value"}
 *   GET  /api/v1/audit?since=ID&limit=N             the audit log (newest last)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "registry_json.h"
#include "server.h"

static int no_auth(srv_req *r, srv_resp *out)
{
    if (r->s->auth)
        return 0;
    srv_error(r, out, 503, "unavailable", NULL, "Máy chủ chạy không có tài khoản",
              "this server runs without accounts");
    return 1;
}

static int is_admin(const srv_req *r)
{
    return nt_auth_allowed(r->who.role, NT_AUTH_MANAGE_KEYS);
}

static void ok_json(srv_resp *out, unsigned status, json_t *j)
{
    memset(out, 0, sizeof *out);
    out->status = status;
    out->json = j;
}

/* A string member, or NULL; a present member of another type (or an empty
 * string when required) is a 400 naming the field. */
static int get_str(srv_req *r, srv_resp *out, json_t *body, const char *name, int required,
                   const char **val)
{
    json_t *v = json_object_get(body, name);
    *val = NULL;
    if (!v && !required)
        return 0;
    if (!v) {
        char vi[120], en[120];
        snprintf(vi, sizeof vi, "Thiếu trường %s", name);
        snprintf(en, sizeof en, "missing field %s", name);
        srv_error(r, out, 400, "missing_field", name, vi, en);
        return -1;
    }
    if (!json_is_string(v) || (required && json_string_length(v) == 0) ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        char vi[120], en[120];
        snprintf(vi, sizeof vi, "Trường %s phải là chuỗi%s", name, required ? " không rỗng" : "");
        snprintf(en, sizeof en, "field %s must be a%s string", name, required ? " non-empty" : "");
        srv_error(r, out, 400, "bad_field", name, vi, en);
        return -1;
    }
    *val = json_string_value(v);
    return 0;
}

/* ---- an organisation's keys --------------------------------------------------------- */

typedef struct keys_ctx {
    json_t *arr;
    int64_t org_id; /* 0: every organisation */
    const char *org;
    uint64_t uses;
    size_t active;
} keys_ctx;

static json_t *time_or_null(int64_t t)
{
    return t ? reg_iso_time(t) : json_null();
}

static int key_row(void *ctx, const nt_key_info *k)
{
    keys_ctx *kc = ctx;
    if ((kc->org_id && k->org_id != kc->org_id) || (kc->org && strcmp(k->org, kc->org) != 0))
        return 0;
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:b, s:b}",
                          "id", (json_int_t)k->id, "prefix", k->prefix, "org", k->org, "role",
                          nt_role_name(k->role), "label", k->label ? k->label : "", "created_by",
                          k->created_by ? k->created_by : "", "created_at",
                          reg_iso_time(k->created_at), "expires_at", time_or_null(k->expires_at),
                          "revoked_at", time_or_null(k->revoked_at), "last_used_at",
                          time_or_null(k->last_used_at), "uses", (json_int_t)k->uses, "active",
                          !k->revoked_at && (!k->expires_at || k->expires_at > time(NULL)),
                          "demo", k->demo);
    kc->uses += k->uses;
    if (!k->revoked_at)
        kc->active++;
    json_array_append_new(kc->arr, j);
    return 0;
}

/* Which organisation a request is about: a member's own; an
 * administrator's ?org= / "org" (NULL: all, for a list).  -1 after an
 * error response. */
static int which_org(srv_req *r, srv_resp *out, const char *asked, int64_t *org_id,
                     const char **org)
{
    *org_id = 0;
    *org = NULL;
    if (is_admin(r)) {
        *org = asked && *asked ? asked : NULL;
        return 0;
    }
    if (asked && *asked && strcmp(asked, r->who.org) != 0) {
        srv_error(r, out, 403, "forbidden", "org",
                  "Bạn chỉ quản lý khoá của tổ chức mình", "you manage your own organisation's keys only");
        return -1;
    }
    if (!r->who.org_id) {
        srv_error(r, out, 403, "forbidden", NULL, "Tài khoản của bạn không thuộc tổ chức nào",
                  "your account belongs to no organisation");
        return -1;
    }
    *org_id = r->who.org_id;
    *org = r->who.org;
    return 0;
}

void api_org_keys(srv_req *r, srv_resp *out)
{
    if (no_auth(r, out))
        return;
    keys_ctx kc = {0};
    if (which_org(r, out, srv_query(r, "org"), &kc.org_id, &kc.org) != 0)
        return;
    nt_auth_flush(r->s->auth, NULL); /* usage counts as of now */
    kc.arr = json_array();
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_key_list(r->s->auth, key_row, &kc, &d);
    if (rc) {
        json_decref(kc.arr);
        srv_lib_error(r, out, rc, &d, NULL, NULL);
        return;
    }
    json_t *j = json_pack("{s:o, s:o, s:{s:I, s:I}}", "org", kc.org ? json_string(kc.org) : json_null(),
                          "keys", kc.arr, "usage", "active_keys", (json_int_t)kc.active, "uses",
                          (json_int_t)kc.uses);
    json_object_set_new(j, "you", json_pack("{s:s, s:s}", "name", r->who.name, "role",
                                            nt_role_name(r->who.role)));
    ok_json(out, 200, j);
}

void api_org_key_create(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"label", "days", "org", "role", "lang", NULL};
    if (no_auth(r, out))
        return;
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    const char *label, *org_asked, *role_s;
    if (srv_only_fields(r, body, fields, out) != 0 || get_str(r, out, body, "label", 0, &label) ||
        get_str(r, out, body, "org", 0, &org_asked) || get_str(r, out, body, "role", 0, &role_s))
        goto cleanup;
    json_t *days = json_object_get(body, "days");
    if (days && (!json_is_number(days) || json_number_value(days) < 0)) {
        srv_error(r, out, 400, "bad_field", "days", "days là số ngày không âm (0: không hết hạn)",
                  "days is a non-negative number of days (0: never expires)");
        goto cleanup;
    }
    nt_key_in in = {.role = NT_ROLE_MEMBER, .days = days ? json_number_value(days) : 0,
                    .label = label};
    if (role_s && (nt_role_parse(role_s, &in.role) != NT_OK ||
                   (in.role != NT_ROLE_MEMBER && in.role != NT_ROLE_ANALYST))) {
        srv_error(r, out, 400, "bad_field", "role", "role của khoá là member hoặc analyst",
                  "a key's role is member or analyst");
        goto cleanup;
    }
    int64_t org_id;
    if (which_org(r, out, org_asked, &org_id, &in.org) != 0)
        goto cleanup;
    if (!in.org) {
        srv_error(r, out, 400, "missing_field", "org", "Khoá thuộc tổ chức nào? (org)",
                  "which organisation is the key for? (org)");
        goto cleanup;
    }
    nt_key_secret ks;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_key_create(r->s->auth, &r->who, &in, &ks, &d);
    if (rc) {
        static const char *const lf[] = {"org", "role", "label", "expires", NULL};
        if (rc == NT_ERR_STATE) /* "may only create member keys" and the like */
            srv_error(r, out, 403, "forbidden", role_s ? "role" : NULL, d.message, d.message);
        else
            srv_lib_error(r, out, rc, &d, lf, NULL);
        goto cleanup;
    }
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)ks.id, "key",
                          ks.token, "prefix", ks.prefix, "org", in.org, "role",
                          nt_role_name(in.role), "expires_at", time_or_null(ks.expires_at),
                          "note",
                          r->en ? "This is the only time the key is shown: store it now."
                                : "Khoá chỉ hiện một lần này: hãy lưu lại ngay.");
    nt_secret_wipe(&ks, sizeof ks);
    ok_json(out, 201, j);
cleanup:
    json_decref(body);
}

void api_org_key_revoke(srv_req *r, srv_resp *out)
{
    if (no_auth(r, out))
        return;
    const char *prefix = r->path + strlen("/api/v1/org/keys/");
    nt_diag d;
    nt_diag_clear(&d);
    if (!is_admin(r) && !r->who.org_id) {
        srv_error(r, out, 403, "forbidden", NULL, "Tài khoản của bạn không thuộc tổ chức nào",
                  "your account belongs to no organisation");
        return;
    }
    nt_err rc = nt_auth_key_revoke(r->s->auth, &r->who, prefix, &d);
    if (rc) {
        if (rc == NT_ERR_INVALID || rc == NT_ERR_NOT_FOUND) /* not a key prefix; no such key */
            srv_error(r, out, 404, "not_found", NULL, "Không có khoá này", "no such key");
        else
            srv_lib_error(r, out, rc, &d, NULL, NULL);
        return;
    }
    ok_json(out, 200, json_pack("{s:s, s:b, s:s}", "prefix", prefix, "revoked", 1, "by",
                                r->who.name));
}

/* ---- people ----------------------------------------------------------------------------- */

static json_t *user_json(const nt_user *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o, s:b}", "id", (json_int_t)u->id,
                     "login", u->login, "display_name", u->display_name, "role",
                     nt_role_name(u->role), "org", u->org ? u->org : "", "created_at",
                     reg_iso_time(u->created_at), "disabled", u->disabled_at != 0, "disabled_at",
                     time_or_null(u->disabled_at), "last_login_at", time_or_null(u->last_login_at),
                     "demo", u->demo);
}

static int user_row(void *ctx, const nt_user *u)
{
    json_array_append_new(ctx, user_json(u));
    return 0;
}

void api_admin_users(srv_req *r, srv_resp *out)
{
    if (no_auth(r, out))
        return;
    json_t *arr = json_array();
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_user_list(r->s->auth, user_row, arr, &d);
    if (rc) {
        json_decref(arr);
        srv_lib_error(r, out, rc, &d, NULL, NULL);
        return;
    }
    ok_json(out, 200, json_pack("{s:o}", "users", arr));
}

static const char *const user_fields[] = {"login", "password", "role", "org", "display_name",
                                          "disabled", "lang", NULL};

void api_admin_user_add(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"login", "password", "role", "org", "display_name",
                                         "lang", NULL};
    if (no_auth(r, out))
        return;
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    const char *login, *pw, *role_s, *org, *display;
    if (srv_only_fields(r, body, fields, out) != 0 || get_str(r, out, body, "login", 1, &login) ||
        get_str(r, out, body, "password", 1, &pw) || get_str(r, out, body, "role", 1, &role_s) ||
        get_str(r, out, body, "org", 0, &org) ||
        get_str(r, out, body, "display_name", 0, &display))
        goto cleanup;
    nt_user_in in = {.login = login,
                     .display_name = display && *display ? display : NULL,
                     .org = org && *org ? org : NULL,
                     .password = pw,
                     .password_len = strlen(pw)};
    if (nt_role_parse(role_s, &in.role) != NT_OK || in.role == NT_ROLE_PUBLIC) {
        srv_error(r, out, 400, "bad_field", "role", "role là member, analyst hoặc admin",
                  "role is member, analyst or admin");
        goto cleanup;
    }
    nt_diag d;
    nt_diag_clear(&d);
    int64_t id = 0;
    nt_err rc = nt_auth_user_add(r->s->auth, &r->who, &in, &id, &d);
    if (rc) {
        /* the library names the field first ("login: ...", "password: ...") */
        srv_lib_error(r, out, rc, &d, user_fields, "login");
        goto cleanup;
    }
    nt_user u;
    if (nt_auth_user_get(r->s->auth, login, &u, NULL) == NT_OK) {
        ok_json(out, 201, json_pack("{s:o}", "user", user_json(&u)));
        nt_user_release(&u);
    } else {
        ok_json(out, 201, json_pack("{s:{s:I, s:s}}", "user", "id", (json_int_t)id, "login", login));
    }
cleanup:
    json_decref(body);
}

void api_admin_user_change(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"role", "disabled", "password", "lang", NULL};
    if (no_auth(r, out))
        return;
    const char *login = r->path + strlen("/api/v1/admin/users/");
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    if (srv_only_fields(r, body, fields, out) != 0)
        goto cleanup;
    json_t *role = json_object_get(body, "role"), *dis = json_object_get(body, "disabled");
    json_t *pw = json_object_get(body, "password");
    int n = !!role + !!dis + !!pw;
    if (n != 1) {
        srv_error(r, out, 400, n ? "bad_field" : "missing_field", NULL,
                  "Gửi đúng một thay đổi: role, disabled hoặc password",
                  "send exactly one change: role, disabled or password");
        goto cleanup;
    }
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc;
    if (role) {
        nt_role ro;
        if (!json_is_string(role) || nt_role_parse(json_string_value(role), &ro) != NT_OK ||
            ro == NT_ROLE_PUBLIC) {
            srv_error(r, out, 400, "bad_field", "role", "role là member, analyst hoặc admin",
                      "role is member, analyst or admin");
            goto cleanup;
        }
        rc = nt_auth_user_role(r->s->auth, &r->who, login, ro, &d);
    } else if (dis) {
        if (!json_is_boolean(dis)) {
            srv_error(r, out, 400, "bad_field", "disabled", "disabled là true hoặc false",
                      "disabled is true or false");
            goto cleanup;
        }
        rc = json_is_true(dis) ? nt_auth_user_disable(r->s->auth, &r->who, login, &d)
                               : nt_auth_user_enable(r->s->auth, &r->who, login, &d);
    } else {
        if (!json_is_string(pw) || strlen(json_string_value(pw)) != json_string_length(pw)) {
            srv_error(r, out, 400, "bad_field", "password", "password phải là chuỗi",
                      "password must be a string");
            goto cleanup;
        }
        rc = nt_auth_user_password(r->s->auth, &r->who, login, json_string_value(pw),
                                   json_string_length(pw), &d);
    }
    if (rc) {
        const char *def = role ? "role" : dis ? "disabled" : "password";
        srv_lib_error(r, out, rc, &d, user_fields, def); /* an unknown login: 404 */
        goto cleanup;
    }
    nt_user u;
    if (nt_auth_user_get(r->s->auth, login, &u, NULL) == NT_OK) {
        ok_json(out, 200, json_pack("{s:o}", "user", user_json(&u)));
        nt_user_release(&u);
    } else {
        ok_json(out, 200, json_pack("{s:b}", "ok", 1));
    }
cleanup:
    json_decref(body);
}

/* ---- organisations --------------------------------------------------------------------- */

static int org_row(void *ctx, const nt_org *o)
{
    json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:o, s:b}", "id", (json_int_t)o->id,
                                         "name", o->name, "kind", nt_org_kind_name(o->kind),
                                         "created_at", reg_iso_time(o->created_at), "demo",
                                         o->demo));
    return 0;
}

void api_admin_orgs(srv_req *r, srv_resp *out)
{
    if (no_auth(r, out))
        return;
    json_t *arr = json_array();
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_org_list(r->s->auth, org_row, arr, &d);
    if (rc) {
        json_decref(arr);
        srv_lib_error(r, out, rc, &d, NULL, NULL);
        return;
    }
    ok_json(out, 200, json_pack("{s:o}", "orgs", arr));
}

void api_admin_org_add(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"name", "kind", "lang", NULL};
    if (no_auth(r, out))
        return;
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    const char *name, *kind_s;
    nt_org_kind kind;
    if (srv_only_fields(r, body, fields, out) != 0 || get_str(r, out, body, "name", 1, &name) ||
        get_str(r, out, body, "kind", 1, &kind_s))
        goto cleanup;
    if (nt_org_kind_parse(kind_s, &kind) != NT_OK) {
        srv_error(r, out, 400, "bad_field", "kind", "kind là bank, telco, platform hoặc other",
                  "kind is bank, telco, platform or other");
        goto cleanup;
    }
    int64_t id = 0;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_org_add(r->s->auth, &r->who, name, kind, &id, &d);
    if (rc) {
        static const char *const of[] = {"name", "kind", NULL};
        srv_lib_error(r, out, rc, &d, of, "name");
        goto cleanup;
    }
    ok_json(out, 201, json_pack("{s:{s:I, s:s, s:s}}", "org", "id", (json_int_t)id, "name", name,
                                "kind", nt_org_kind_name(kind)));
cleanup:
    json_decref(body);
}

/* ---- settings ----------------------------------------------------------------------------- */

static int setting_row(void *ctx, const char *key, const char *value, const char *help,
                       int is_default)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:b}", "key", key, "value", value,
                                         "help", help ? help : "", "default", is_default));
    return 0;
}

void api_admin_settings(srv_req *r, srv_resp *out)
{
    if (no_auth(r, out))
        return;
    json_t *arr = json_array();
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_settings_list(r->s->auth, setting_row, arr, &d);
    if (rc) {
        json_decref(arr);
        srv_lib_error(r, out, rc, &d, NULL, NULL);
        return;
    }
    ok_json(out, 200, json_pack("{s:o}", "settings", arr));
}

void api_admin_setting_set(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"key", "value", "lang", NULL};
    if (no_auth(r, out))
        return;
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    const char *key, *value;
    if (srv_only_fields(r, body, fields, out) != 0 || get_str(r, out, body, "key", 1, &key) ||
        get_str(r, out, body, "value", 1, &value))
        goto cleanup;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_setting_set(r->s->auth, &r->who, key, value, &d);
    if (rc) {
        if (rc == NT_ERR_NOT_FOUND)
            srv_error(r, out, 400, "bad_field", "key", d.message[0] ? d.message : "unknown setting",
                      d.message[0] ? d.message : "unknown setting");
        else
            srv_lib_error(r, out, rc, &d, NULL, "value");
        goto cleanup;
    }
    char now[256];
    nt_auth_setting_get(r->s->auth, key, now, sizeof now, NULL);
    ok_json(out, 200, json_pack("{s:s, s:s}", "key", key, "value", now));
cleanup:
    json_decref(body);
}

/* ---- the audit log ------------------------------------------------------------------------ */

static int audit_row(void *ctx, const nt_audit_entry *e)
{
    json_error_t err;
    json_t *details = json_loads(e->details ? e->details : "{}", 0, &err);
    json_array_append_new(ctx, json_pack("{s:I, s:o, s:s, s:s, s:s, s:o}", "id", (json_int_t)e->id,
                                         "at", reg_iso_time(e->at), "actor", e->actor, "action",
                                         e->action, "object", e->object, "details",
                                         details ? details : json_object()));
    return 0;
}

void api_audit_list(srv_req *r, srv_resp *out)
{
    if (no_auth(r, out))
        return;
    const char *since_s = srv_query(r, "since"), *limit_s = srv_query(r, "limit");
    const char *last_s = srv_query(r, "last");
    long long since = 0, limit = 100, last = 0;
    char *end;
    if (since_s && (since = strtoll(since_s, &end, 10), !*since_s || *end || since < 0)) {
        srv_error(r, out, 400, "bad_field", "since", "since là số không âm", "since is >= 0");
        return;
    }
    if (limit_s &&
        (limit = strtoll(limit_s, &end, 10), !*limit_s || *end || limit < 1 || limit > 1000)) {
        srv_error(r, out, 400, "bad_field", "limit", "limit là 1..1000", "limit is 1..1000");
        return;
    }
    if (last_s && (last = strtoll(last_s, &end, 10), !*last_s || *end || last < 1 || last > 1000)) {
        srv_error(r, out, 400, "bad_field", "last", "last là 1..1000", "last is 1..1000");
        return;
    }
    nt_diag d;
    nt_diag_clear(&d);
    if (last && r->s->reg) { /* the newest `last` entries */
        nt_audit_head h;
        memset(&h, 0, sizeof h);
        pthread_mutex_lock(&r->s->store_lock);
        nt_err hr = nt_audit_head_get(nt_registry_store(r->s->reg), &h, &d);
        pthread_mutex_unlock(&r->s->store_lock);
        if (hr) {
            srv_lib_error(r, out, hr, &d, NULL, NULL);
            return;
        }
        since = h.last_id > last ? h.last_id - last : 0;
        limit = last;
    }
    json_t *arr = json_array();
    int64_t next = since;
    nt_err rc = nt_auth_audit_list(r->s->auth, since, (size_t)limit, audit_row, arr, &next, &d);
    if (rc) {
        json_decref(arr);
        srv_lib_error(r, out, rc, &d, NULL, NULL);
        return;
    }
    ok_json(out, 200, json_pack("{s:I, s:I, s:o}", "since", (json_int_t)since, "next",
                                (json_int_t)next, "entries", arr));
}
