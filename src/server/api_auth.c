/*
 * src/server/api_auth.c - who is asking, and the endpoints of accounts.
 *
 * A request is one of: an organisation's API key (`Authorization: Bearer
 * nt_live_…`, checked in memory), a person's web session (the HttpOnly
 * `nt_session` cookie; any request that changes state must also carry the
 * session's CSRF token in `X-CSRF-Token`), or nobody (the public role).  A
 * bad key is 401; a stale cookie is simply no session.  What each role may
 * do is lib/auth's table (nt_auth_allowed, docs/accounts.md).
 *
 *   POST /api/v1/login    {"login","password"} -> cookie + {"user","role","csrf"}
 *   POST /api/v1/logout
 *   GET  /api/v1/me       who the server thinks you are
 *   GET  /api/v1/audit/verify   (admin) walk the hash chain of the audit log
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "server.h"

#define SESSION_COOKIE "nt_session"

static int safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

int srv_authenticate(srv_req *r, srv_resp *out)
{
    nt_principal_public(&r->who);
    r->session = NULL;
    if (!r->s->auth)
        return 0;
    const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    if (authz) {
        nt_authn res = NT_AUTHN_INVALID;
        if (strncasecmp(authz, "Bearer ", 7) != 0 ||
            nt_auth_verify_key(r->s->auth, authz + 7, strlen(authz + 7), &r->who, &res) != NT_OK ||
            res != NT_AUTHN_OK) {
            nt_principal_public(&r->who);
            char vi[200], en[200];
            snprintf(vi, sizeof vi, "Khoá API không hợp lệ (%s)", nt_authn_name(res));
            snprintf(en, sizeof en, "invalid API key (%s)", nt_authn_name(res));
            srv_error(r, out, 401, "unauthorized", "Authorization", vi, en);
            return -1;
        }
        return 0;
    }
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    if (!cookie)
        return 0;
    nt_authn res = NT_AUTHN_INVALID;
    nt_principal who;
    if (nt_auth_session_check(r->s->auth, cookie, strlen(cookie), &who, &res, NULL) != NT_OK ||
        res != NT_AUTHN_OK)
        return 0; /* an old cookie: the person is simply not logged in */
    if (!safe_method(r->method)) {
        const char *csrf = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!csrf || !nt_auth_csrf_verify(cookie, strlen(cookie), csrf, strlen(csrf))) {
            srv_error(r, out, 403, "csrf", "X-CSRF-Token",
                      "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token); hãy tải lại trang",
                      "missing or wrong X-CSRF-Token; reload the page");
            return -1;
        }
    }
    r->who = who;
    r->session = cookie;
    return 0;
}

static json_t *who_json(const nt_principal *p)
{
    static const char *const kinds[] = {"", "public", "user", "key", "system"};
    return json_pack("{s:s, s:s, s:s, s:s}", "kind", kinds[p->kind], "name", p->name, "role",
                     nt_role_name(p->role), "org", p->org);
}

void api_me(srv_req *r, srv_resp *out)
{
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = who_json(&r->who);
    if (r->session) {
        char csrf[NT_SESSION_TOKEN_CHARS + 1];
        if (nt_auth_csrf_token(r->session, strlen(r->session), csrf) == NT_OK)
            json_object_set_new(out->json, "csrf", json_string(csrf));
    }
}

void api_login(srv_req *r, srv_resp *out)
{
    static const char *const fields[] = {"login", "password", "lang", NULL};
    if (!r->s->auth) {
        srv_error(r, out, 503, "unavailable", NULL, "Máy chủ chạy không có tài khoản",
                  "this server runs without accounts");
        return;
    }
    json_t *body = srv_body_object(r, out);
    if (!body)
        return;
    json_t *login = json_object_get(body, "login"), *pw = json_object_get(body, "password");
    if (srv_only_fields(r, body, fields, out) != 0)
        goto cleanup;
    if (!json_is_string(login) || !json_is_string(pw)) {
        const char *f = !json_is_string(login) ? "login" : "password";
        srv_error(r, out, 400, json_object_get(body, f) ? "bad_field" : "missing_field", f,
                  "Cần tên đăng nhập và mật khẩu", "login and password are required");
        goto cleanup;
    }
    nt_login_result res;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_login(r->s->auth, json_string_value(login), json_string_value(pw),
                              json_string_length(pw), r->client, &res, &d);
    if (rc) {
        srv_error(r, out, 500, "internal", NULL, "Lỗi máy chủ", "internal error");
        goto cleanup;
    }
    if (res.outcome == NT_AUTHN_THROTTLED) {
        srv_error(r, out, 429, "throttled", NULL,
                  "Đăng nhập sai quá nhiều lần, hãy đợi rồi thử lại",
                  "too many failed logins; wait and try again");
        out->retry_after = res.retry_after > 0 ? (unsigned)res.retry_after : 1;
        goto cleanup;
    }
    if (res.outcome != NT_AUTHN_OK) {
        srv_error(r, out, 401, "unauthorized", NULL, "Sai tên đăng nhập hoặc mật khẩu",
                  "wrong login or password");
        goto cleanup;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = who_json(&res.who);
    json_object_set_new(out->json, "csrf", json_string(res.csrf));
    snprintf(out->set_cookie, sizeof out->set_cookie,
             SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld", res.token,
             (long long)(res.expires_at > 0 ? res.expires_at - (int64_t)time(NULL) : 3600));
    nt_secret_wipe(&res, sizeof res);
cleanup:
    json_decref(body);
}

void api_logout(srv_req *r, srv_resp *out)
{
    if (r->s->auth && r->session)
        nt_auth_logout(r->s->auth, r->session, strlen(r->session), NULL);
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack("{s:b}", "ok", 1);
    snprintf(out->set_cookie, sizeof out->set_cookie,
             SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

void api_audit_verify(srv_req *r, srv_resp *out)
{
    nt_audit_verdict v;
    nt_diag d;
    nt_diag_clear(&d);
    if (nt_auth_audit_verify(r->s->auth, NULL, 0, &v, &d) != NT_OK) {
        srv_error(r, out, 500, "internal", NULL, "Không kiểm tra được nhật ký", "cannot verify the log");
        return;
    }
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->json = json_pack("{s:b, s:I, s:I, s:s}", "ok", v.problem == NT_AUDIT_INTACT, "entries",
                          (json_int_t)v.entries, "first_broken", (json_int_t)v.bad_id, "message",
                          v.message);
}
