/*
 * src/cmd_auth.c - accounts and the audit log on the command line:
 *
 *   niemtin user add LOGIN --role R [--org ORG] [--name NAME] [--password-file F]
 *   niemtin user list | passwd LOGIN | role LOGIN ROLE | disable LOGIN | enable LOGIN
 *   niemtin org add NAME --kind bank|telco|platform|other | org list
 *   niemtin key create --org ORG --role member|analyst [--expires DAYS] [--label L]
 *   niemtin key list | key revoke PREFIX
 *   niemtin settings [list] | get KEY | set KEY VALUE
 *   niemtin audit verify [--anchor ID:HASH] | list [--since ID] [--limit N] | head
 *   niemtin login LOGIN [--from ADDR] [--password-file F]   (a session token, for scripts)
 *   niemtin demo-accounts                                  (published demo credentials)
 *
 * Every command takes --db PATH (else $NIEMTIN_DB, else ./niemtin.db), --json
 * and --lang vi|en.  Passwords come from --password-file or standard input
 * (the first line; with no echo when it is a terminal), never from the
 * command line, where other users could read them.  --as LOGIN (or
 * $NIEMTIN_AS) names the administrator doing it for the audit log; without
 * it the console is "system", as whoever can write the database file can do
 * anything anyway.  $NIEMTIN_PWHASH_TEST=1 uses argon2's smallest limits
 * (tests only: never for real passwords).  $NIEMTIN_NOW fixes the clock.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

typedef struct aopts {
    const char *db;
    const char *as;
    const char *role;
    const char *org;
    const char *name;
    const char *kind;
    const char *expires;
    const char *label;
    const char *password_file;
    const char *since;
    const char *limit;
    const char *from;
    const char *anchors[16];
    int n_anchors;
    int nargs;
    char *args[16];
} aopts;

/* ---- options ------------------------------------------------------------------------ */

static int parse(cli *c, const char *cmd, int argc, char **argv, aopts *o)
{
    static const struct {
        const char *flag;
        size_t off;
    } valued[] = {
        {"--db", offsetof(aopts, db)},
        {"--as", offsetof(aopts, as)},
        {"--role", offsetof(aopts, role)},
        {"--org", offsetof(aopts, org)},
        {"--name", offsetof(aopts, name)},
        {"--kind", offsetof(aopts, kind)},
        {"--expires", offsetof(aopts, expires)},
        {"--label", offsetof(aopts, label)},
        {"--password-file", offsetof(aopts, password_file)},
        {"--since", offsetof(aopts, since)},
        {"--limit", offsetof(aopts, limit)},
        {"--from", offsetof(aopts, from)},
    };
    memset(o, 0, sizeof *o);
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || a[1] != '-') {
            if (o->nargs == (int)(sizeof o->args / sizeof o->args[0])) {
                fprintf(stderr, "niemtin %s: %s\n", cmd,
                        L(c, "quá nhiều giá trị", "too many values"));
                return 2;
            }
            o->args[o->nargs++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            c->json = 1;
            continue;
        }
        if (strcmp(a, "--lang") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "vi") != 0 && strcmp(v, "en") != 0) {
                fprintf(stderr, "niemtin: --lang: %s\n",
                        L(c, "chỉ có vi hoặc en", "expected vi or en"));
                return 2;
            }
            c->lang = strcmp(v, "en") == 0 ? CLI_EN : CLI_VI;
            continue;
        }
        if (strcmp(a, "--anchor") == 0 && i + 1 < argc) {
            if (o->n_anchors == (int)(sizeof o->anchors / sizeof o->anchors[0])) {
                fprintf(stderr, "niemtin %s: --anchor: %s\n", cmd,
                        L(c, "quá nhiều mốc", "too many anchors"));
                return 2;
            }
            o->anchors[o->n_anchors++] = argv[++i];
            continue;
        }
        size_t k = 0;
        for (; k < sizeof valued / sizeof valued[0]; k++)
            if (strcmp(a, valued[k].flag) == 0)
                break;
        if (k == sizeof valued / sizeof valued[0]) {
            fprintf(stderr, "niemtin %s: %s '%s'\n", cmd,
                    L(c, "tuỳ chọn không rõ", "unknown option"), a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "niemtin %s: %s: %s\n", cmd, a, L(c, "thiếu giá trị", "missing value"));
            return 2;
        }
        *(const char **)((char *)o + valued[k].off) = argv[++i];
    }
    if (!o->db) {
        const char *env = getenv("NIEMTIN_DB");
        o->db = env && *env ? env : "niemtin.db";
    }
    if (!o->as) {
        const char *env = getenv("NIEMTIN_AS");
        o->as = env && *env ? env : NULL;
    }
    return 0;
}

/* "niemtin: WHAT: message" (the diag's message alone when it has no position). */
static void fail_msg(const cli *c, nt_err rc, const nt_diag *d, const char *what)
{
    if (d && d->code != NT_OK && d->message[0])
        fprintf(stderr, "niemtin: %s: %s\n", what, d->message);
    else
        cli_error(c, rc, d, what);
}

static int64_t fixed_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

static int64_t the_now;

static int open_auth(cli *c, const aopts *o, nt_auth **a)
{
    nt_auth_config cfg;
    nt_auth_config_init(&cfg);
    cfg.path = o->db;
    const char *t = getenv("NIEMTIN_PWHASH_TEST");
    if (t && strcmp(t, "1") == 0) {
        cfg.pw_opslimit = NT_PWHASH_TEST_OPSLIMIT;
        cfg.pw_memlimit = NT_PWHASH_TEST_MEMLIMIT;
    }
    const char *now = getenv("NIEMTIN_NOW");
    if (now && *now) {
        char *end;
        errno = 0;
        long long v = strtoll(now, &end, 10);
        if (errno || *end || v < 0 || v > 4000000000LL) {
            fprintf(stderr, "niemtin: NIEMTIN_NOW: %s\n",
                    L(c, "cần số giây từ 1970", "expected seconds since 1970"));
            return 2;
        }
        the_now = v;
        cfg.clock = fixed_clock;
        cfg.clock_ctx = &the_now;
    }
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_open(&cfg, a, &d);
    if (rc) {
        char what[600];
        snprintf(what, sizeof what, "%s %s",
                 L(c, "không mở được cơ sở dữ liệu", "cannot open the database"), o->db);
        fail_msg(c, rc, &d, what);
        return 1;
    }
    return 0;
}

/* Who is acting, checked against the account (see the top of the file). */
static int acting_in(cli *c, nt_auth *a, const char *as, nt_auth_action need, nt_principal *who)
{
    nt_user u;
    nt_diag d;
    nt_diag_clear(&d);
    if (!as) {
        nt_principal_system(who);
        return 0;
    }
    nt_err rc = nt_auth_user_get(a, as, &u, &d);
    if (rc) {
        fail_msg(c, rc, &d, "--as");
        return 1;
    }
    int st = 0;
    if (u.disabled_at) {
        fprintf(stderr, "niemtin: --as %s: %s\n", u.login,
                L(c, "tài khoản đã bị khoá", "the account is disabled"));
        st = 1;
    } else if (!nt_auth_allowed(u.role, need)) {
        fprintf(stderr, "niemtin: --as %s (%s): %s %s\n", u.login, nt_role_name(u.role),
                L(c, "không được phép", "may not"), nt_auth_action_name(need));
        st = 1;
    } else {
        memset(who, 0, sizeof *who);
        who->kind = NT_PRINCIPAL_USER;
        who->role = u.role;
        who->id = u.id;
        who->org_id = u.org_id;
        snprintf(who->name, sizeof who->name, "%s", u.login);
        snprintf(who->org, sizeof who->org, "%s", u.org);
    }
    nt_user_release(&u);
    return st;
}

int cli_acting(cli *c, const char *db, const char *as, nt_auth_action need, nt_principal *who)
{
    nt_auth *a;
    aopts o;
    memset(&o, 0, sizeof o);
    o.db = db;
    if (!as || !*as) {
        nt_principal_system(who);
        return 0;
    }
    int st = open_auth(c, &o, &a);
    if (st)
        return st;
    st = acting_in(c, a, as, need, who);
    nt_auth_close(a);
    return st;
}

/* The password from --password-file or standard input: the first line, its
 * line end removed.  A terminal gets a prompt and no echo. */
static int read_password(cli *c, const aopts *o, const char *prompt, char *buf, size_t n,
                         size_t *len)
{
    FILE *f = stdin;
    struct termios old, quiet;
    int tty = 0;
    if (o->password_file) {
        if (!(f = fopen(o->password_file, "rb"))) {
            fprintf(stderr, "niemtin: %s: %s\n", o->password_file, strerror(errno));
            return 1;
        }
    } else if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0) {
        tty = 1;
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        fprintf(stderr, "%s: ", prompt);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    size_t got = 0;
    int ch, too_long = 0;
    while ((ch = fgetc(f)) != EOF && ch != '\n') {
        if (got + 1 >= n) {
            too_long = 1;
            continue;
        }
        buf[got++] = (char)ch;
    }
    if (got && buf[got - 1] == '\r')
        got--;
    buf[got] = '\0';
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (f != stdin)
        fclose(f);
    if (too_long) {
        nt_secret_wipe(buf, n);
        fprintf(stderr, "niemtin: %s %u bytes\n",
                L(c, "mật khẩu dài quá giới hạn", "the password is longer than the limit of"),
                NT_MAX_PASSWORD_BYTES);
        return 1;
    }
    *len = got;
    return 0;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (s) {
        puts(s);
        free(s);
    }
    json_decref(j);
}

/* Date and time in Vietnam (UTC+7) for people; "-" for 0. */
static const char *vn_time(int64_t t, char buf[32])
{
    if (!t)
        return "-";
    time_t tt = (time_t)(t + 7 * 3600);
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return "?";
    strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

static json_t *iso_time(int64_t t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (!t || !gmtime_r(&tt, &tm))
        return json_null();
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

static const char *role_label(const cli *c, nt_role r)
{
    switch (r) {
    case NT_ROLE_PUBLIC:
        return L(c, "công chúng", "public");
    case NT_ROLE_MEMBER:
        return L(c, "thành viên", "member");
    case NT_ROLE_ANALYST:
        return L(c, "chuyên viên", "analyst");
    case NT_ROLE_ADMIN:
        return L(c, "quản trị viên", "administrator");
    default:
        return "?";
    }
}

static int parse_role(cli *c, const char *s, nt_role *r)
{
    if (!s || nt_role_parse(s, r) != NT_OK) {
        fprintf(stderr, "niemtin: --role: %s '%s' (member, analyst, admin)\n",
                L(c, "vai trò không rõ", "unknown role"), s ? s : "");
        return 2;
    }
    return 0;
}

static int usage(cli *c, const char *text)
{
    fprintf(stderr, "%s: %s\n", L(c, "Cách dùng", "Usage"), text);
    return 2;
}

/* ---- niemtin user ------------------------------------------------------------------- */

static int user_row(void *ctx, const nt_user *u)
{
    cli *c = ((void **)ctx)[0];
    json_t *arr = ((void **)ctx)[1];
    char t1[32];
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "login", json_string(u->login));
        json_object_set_new(j, "name", json_string(u->display_name));
        json_object_set_new(j, "role", json_string(nt_role_name(u->role)));
        json_object_set_new(j, "org", u->org[0] ? json_string(u->org) : json_null());
        json_object_set_new(j, "created", iso_time(u->created_at));
        json_object_set_new(j, "disabled", json_boolean(u->disabled_at != 0));
        json_object_set_new(j, "last_login", iso_time(u->last_login_at));
        json_object_set_new(j, "demo", json_boolean(u->demo));
        json_array_append_new(arr, j);
        return 0;
    }
    printf("%-20s %-14s %-24s %-28s %s%s  %s %s\n", u->login, role_label(c, u->role),
           u->org[0] ? u->org : "-", u->display_name,
           u->disabled_at ? L(c, "ĐÃ KHOÁ", "DISABLED") : L(c, "hoạt động", "active"),
           u->demo ? " DEMO" : "", L(c, "đăng nhập gần nhất", "last login"),
           vn_time(u->last_login_at, t1));
    return 0;
}

int cmd_user(cli *c, int argc, char **argv)
{
    static const char *use = "niemtin user add LOGIN --role member|analyst|admin [--org ORG] "
                             "[--name NAME] [--password-file F] | list | passwd LOGIN "
                             "[--password-file F] | role LOGIN ROLE | disable LOGIN | enable "
                             "LOGIN  [--as LOGIN] [--db PATH] [--json]";
    aopts o;
    int st = parse(c, "user", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs < 1)
        return usage(c, use);
    const char *sub = o.args[0];
    int need_login = strcmp(sub, "list") != 0;
    int want = strcmp(sub, "list") == 0 ? 1 : strcmp(sub, "role") == 0 ? 3 : 2;
    if (o.nargs != want || (need_login && strcmp(sub, "add") && strcmp(sub, "passwd") &&
                            strcmp(sub, "role") && strcmp(sub, "disable") && strcmp(sub, "enable")))
        return usage(c, use);
    nt_role role = 0;
    if (strcmp(sub, "add") == 0 && parse_role(c, o.role, &role))
        return 2;
    if (strcmp(sub, "role") == 0 && parse_role(c, o.args[2], &role))
        return 2;
    nt_auth *a;
    if ((st = open_auth(c, &o, &a)))
        return st;
    nt_principal who;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = NT_OK;
    char pw[NT_MAX_PASSWORD_BYTES + 2];
    size_t pwlen = 0;
    const char *login = o.nargs > 1 ? o.args[1] : NULL;
    if (strcmp(sub, "list") == 0) {
        json_t *arr = json_array();
        void *ctx[2] = {c, arr};
        if (!(rc = nt_auth_user_list(a, user_row, ctx, &d)) && c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "users", arr);
            arr = NULL;
            print_json(j);
        }
        json_decref(arr);
        if (rc)
            fail_msg(c, rc, &d, L(c, "không đọc được danh sách", "cannot list accounts"));
        st = rc ? 1 : 0;
        goto done;
    }
    if ((st = acting_in(c, a, o.as, NT_AUTH_MANAGE_USERS, &who)))
        goto done;
    if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) {
        if ((st = read_password(c, &o, L(c, "Mật khẩu", "Password"), pw, sizeof pw, &pwlen)))
            goto done;
    }
    if (strcmp(sub, "add") == 0) {
        nt_user_in in = {.login = login,
                         .display_name = o.name,
                         .role = role,
                         .org = o.org,
                         .password = pw,
                         .password_len = pwlen};
        rc = nt_auth_user_add(a, &who, &in, NULL, &d);
    } else if (strcmp(sub, "passwd") == 0) {
        rc = nt_auth_user_password(a, &who, login, pw, pwlen, &d);
    } else if (strcmp(sub, "role") == 0) {
        rc = nt_auth_user_role(a, &who, login, role, &d);
    } else if (strcmp(sub, "disable") == 0) {
        rc = nt_auth_user_disable(a, &who, login, &d);
    } else {
        rc = nt_auth_user_enable(a, &who, login, &d);
    }
    nt_secret_wipe(pw, sizeof pw);
    if (rc) {
        fail_msg(c, rc, &d, L(c, "không thực hiện được", "not done"));
        st = 1;
        goto done;
    }
    nt_user u;
    if (nt_auth_user_get(a, login, &u, NULL) == NT_OK) {
        if (c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "login", json_string(u.login));
            json_object_set_new(j, "role", json_string(nt_role_name(u.role)));
            json_object_set_new(j, "org", u.org[0] ? json_string(u.org) : json_null());
            json_object_set_new(j, "disabled", json_boolean(u.disabled_at != 0));
            json_object_set_new(j, "done", json_string(sub));
            print_json(j);
        } else if (strcmp(sub, "add") == 0) {
            printf("%s %s (%s%s%s)\n", L(c, "Đã tạo tài khoản", "Account created:"), u.login,
                   role_label(c, u.role), u.org[0] ? ", " : "", u.org);
        } else if (strcmp(sub, "passwd") == 0) {
            printf("%s %s; %s\n", L(c, "Đã đổi mật khẩu của", "Password changed for"), u.login,
                   L(c, "mọi phiên đăng nhập của người này đã kết thúc",
                     "every session of this person has ended"));
        } else if (strcmp(sub, "role") == 0) {
            printf("%s %s: %s\n", L(c, "Vai trò mới của", "New role of"), u.login,
                   role_label(c, u.role));
        } else if (strcmp(sub, "disable") == 0) {
            printf("%s %s; %s\n", L(c, "Đã khoá tài khoản", "Account disabled:"), u.login,
                   L(c, "mọi phiên đăng nhập đã kết thúc", "every session has ended"));
        } else {
            printf("%s %s\n", L(c, "Đã mở lại tài khoản", "Account enabled:"), u.login);
        }
        nt_user_release(&u);
    }
done:
    nt_auth_close(a);
    return st;
}

/* ---- niemtin org -------------------------------------------------------------------- */

static int org_row(void *ctx, const nt_org *g)
{
    cli *c = ((void **)ctx)[0];
    json_t *arr = ((void **)ctx)[1];
    char t[32];
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(g->id));
        json_object_set_new(j, "name", json_string(g->name));
        json_object_set_new(j, "kind", json_string(nt_org_kind_name(g->kind)));
        json_object_set_new(j, "created", iso_time(g->created_at));
        json_object_set_new(j, "demo", json_boolean(g->demo));
        json_array_append_new(arr, j);
    } else {
        printf("#%-4lld %-32s %-9s %s%s\n", (long long)g->id, g->name, nt_org_kind_name(g->kind),
               vn_time(g->created_at, t), g->demo ? "  DEMO" : "");
    }
    return 0;
}

int cmd_org(cli *c, int argc, char **argv)
{
    static const char *use = "niemtin org add NAME --kind bank|telco|platform|other | org list  "
                             "[--as LOGIN] [--db PATH] [--json]";
    aopts o;
    int st = parse(c, "org", argc, argv, &o);
    if (st)
        return st;
    int add = o.nargs == 2 && strcmp(o.args[0], "add") == 0;
    if (!add && !(o.nargs == 1 && strcmp(o.args[0], "list") == 0))
        return usage(c, use);
    nt_org_kind kind = NT_ORG_OTHER;
    if (add && (!o.kind || nt_org_kind_parse(o.kind, &kind) != NT_OK)) {
        fprintf(stderr, "niemtin: --kind: %s (bank, telco, platform, other)\n",
                L(c, "cần loại tổ chức", "the kind of organisation is required"));
        return 2;
    }
    nt_auth *a;
    if ((st = open_auth(c, &o, &a)))
        return st;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc;
    if (!add) {
        json_t *arr = json_array();
        void *ctx[2] = {c, arr};
        if (!(rc = nt_auth_org_list(a, org_row, ctx, &d)) && c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "orgs", arr);
            arr = NULL;
            print_json(j);
        }
        json_decref(arr);
        if (rc)
            fail_msg(c, rc, &d, L(c, "không đọc được danh sách", "cannot list organisations"));
        nt_auth_close(a);
        return rc ? 1 : 0;
    }
    nt_principal who;
    int64_t id = 0;
    if ((st = acting_in(c, a, o.as, NT_AUTH_MANAGE_ORGS, &who)))
        goto done;
    if ((rc = nt_auth_org_add(a, &who, o.args[1], kind, &id, &d))) {
        fail_msg(c, rc, &d, L(c, "không thêm được tổ chức", "organisation not added"));
        st = 1;
        goto done;
    }
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(id));
        json_object_set_new(j, "name", json_string(o.args[1]));
        json_object_set_new(j, "kind", json_string(nt_org_kind_name(kind)));
        print_json(j);
    } else {
        printf("%s #%lld %s (%s)\n", L(c, "Đã thêm tổ chức", "Organisation added:"), (long long)id,
               o.args[1], nt_org_kind_name(kind));
    }
done:
    nt_auth_close(a);
    return st;
}

/* ---- niemtin key -------------------------------------------------------------------- */

static int key_row(void *ctx, const nt_key_info *k)
{
    cli *c = ((void **)ctx)[0];
    json_t *arr = ((void **)ctx)[1];
    char t1[32], t2[32], t3[32];
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "prefix", json_string(k->prefix));
        json_object_set_new(j, "org", json_string(k->org));
        json_object_set_new(j, "role", json_string(nt_role_name(k->role)));
        json_object_set_new(j, "label", json_string(k->label));
        json_object_set_new(j, "created", iso_time(k->created_at));
        json_object_set_new(j, "created_by", json_string(k->created_by));
        json_object_set_new(j, "expires", iso_time(k->expires_at));
        json_object_set_new(j, "revoked", iso_time(k->revoked_at));
        json_object_set_new(j, "last_used", iso_time(k->last_used_at));
        json_object_set_new(j, "uses", json_integer((json_int_t)k->uses));
        json_object_set_new(j, "demo", json_boolean(k->demo));
        json_array_append_new(arr, j);
        return 0;
    }
    const char *state = k->revoked_at ? L(c, "ĐÃ THU HỒI", "REVOKED") : L(c, "hiệu lực", "active");
    printf("%s  %-28s %-8s %-10s %s %s · %s %s · %s %s · %llu %s%s\n", k->prefix, k->org,
           nt_role_name(k->role), state, L(c, "tạo", "created"), vn_time(k->created_at, t1),
           L(c, "hết hạn", "expires"),
           k->expires_at ? vn_time(k->expires_at, t2) : L(c, "không", "never"),
           L(c, "dùng lần cuối", "last used"), vn_time(k->last_used_at, t3),
           (unsigned long long)k->uses, L(c, "lượt", "uses"), k->demo ? "  DEMO" : "");
    if (k->label[0])
        printf("    %s\n", k->label);
    return 0;
}

int cmd_key(cli *c, int argc, char **argv)
{
    static const char *use = "niemtin key create --org ORG --role member|analyst [--expires DAYS] "
                             "[--label TEXT] | key list | key revoke PREFIX  [--as LOGIN] [--db "
                             "PATH] [--json]";
    aopts o;
    int st = parse(c, "key", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs < 1)
        return usage(c, use);
    const char *sub = o.args[0];
    int create = strcmp(sub, "create") == 0 && o.nargs == 1;
    int list = strcmp(sub, "list") == 0 && o.nargs == 1;
    int revoke = strcmp(sub, "revoke") == 0 && o.nargs == 2;
    if (!create && !list && !revoke)
        return usage(c, use);
    nt_key_in in = {.org = o.org, .label = o.label};
    if (create) {
        if (!o.org) {
            fprintf(stderr, "niemtin: --org: %s\n",
                    L(c, "khoá thuộc về một tổ chức", "a key belongs to an organisation"));
            return 2;
        }
        if (parse_role(c, o.role, &in.role))
            return 2;
        if (o.expires) {
            char *end;
            errno = 0;
            in.days = strtod(o.expires, &end);
            if (errno || end == o.expires || *end || !(in.days > 0) || in.days > NT_MAX_KEY_DAYS) {
                fprintf(stderr, "niemtin: --expires: %s 1..%u\n",
                        L(c, "cần số ngày", "expected days"), NT_MAX_KEY_DAYS);
                return 2;
            }
        }
    }
    nt_auth *a;
    if ((st = open_auth(c, &o, &a)))
        return st;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc;
    if (list) {
        json_t *arr = json_array();
        void *ctx[2] = {c, arr};
        if (!(rc = nt_auth_key_list(a, key_row, ctx, &d)) && c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "keys", arr);
            arr = NULL;
            print_json(j);
        }
        json_decref(arr);
        if (rc)
            fail_msg(c, rc, &d, L(c, "không đọc được danh sách", "cannot list keys"));
        nt_auth_close(a);
        return rc ? 1 : 0;
    }
    nt_principal who;
    if ((st = acting_in(c, a, o.as, NT_AUTH_MANAGE_KEYS, &who)))
        goto done;
    if (revoke) {
        if ((rc = nt_auth_key_revoke(a, &who, o.args[1], &d))) {
            fail_msg(c, rc, &d, L(c, "không thu hồi được", "not revoked"));
            st = 1;
            goto done;
        }
        if (c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "revoked", json_string(o.args[1]));
            print_json(j);
        } else {
            printf("%s %s\n", L(c, "Đã thu hồi khoá", "Key revoked:"), o.args[1]);
        }
        goto done;
    }
    nt_key_secret k;
    if ((rc = nt_auth_key_create(a, &who, &in, &k, &d))) {
        fail_msg(c, rc, &d, L(c, "không tạo được khoá", "key not created"));
        st = 1;
        goto done;
    }
    char t[32];
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "key", json_string(k.token));
        json_object_set_new(j, "prefix", json_string(k.prefix));
        json_object_set_new(j, "org", json_string(o.org));
        json_object_set_new(j, "role", json_string(nt_role_name(in.role)));
        json_object_set_new(j, "expires", iso_time(k.expires_at));
        print_json(j);
    } else {
        printf("%s\n", k.token);
        fprintf(stderr, "%s %s (%s, %s; %s %s).\n%s\n", L(c, "Khoá API mới", "New API key"),
                k.prefix, o.org, nt_role_name(in.role), L(c, "hết hạn", "expires"),
                k.expires_at ? vn_time(k.expires_at, t) : L(c, "không bao giờ", "never"),
                L(c,
                  "Khoá chỉ hiện MỘT lần này: hãy lưu lại ngay ở nơi an toàn. NiemTin chỉ giữ "
                  "mã băm của nó.",
                  "The key is shown only THIS once: store it safely now. NiemTin keeps only its "
                  "hash."));
    }
    nt_secret_wipe(&k, sizeof k);
done:
    nt_auth_close(a);
    return st;
}

/* ---- niemtin settings --------------------------------------------------------------- */

/* What each setting means, in Vietnamese (the library's help is English). */
static const char *setting_vi(const char *key)
{
    static const struct {
        const char *key, *vi;
    } t[] = {
        {"rate.public", "yêu cầu ẩn danh mỗi địa chỉ: số mỗi giây/đột biến"},
        {"rate.member", "yêu cầu của một thành viên (khoá hoặc người): số mỗi giây/đột biến"},
        {"rate.analyst", "yêu cầu của chuyên viên: số mỗi giây/đột biến"},
        {"rate.admin", "yêu cầu của quản trị viên: số mỗi giây/đột biến"},
        {"session.idle_minutes", "phiên web kết thúc sau từng ấy phút không dùng"},
        {"session.max_hours", "phiên web kết thúc sau từng ấy giờ kể từ khi đăng nhập"},
        {"login.max_failures", "số lần đăng nhập sai của một tên trước khi phải chờ"},
        {"login.max_failures_addr", "số lần sai từ một địa chỉ (IPv6: một /64) trước khi phải chờ"},
        {"login.window_minutes", "lần sai cũ hơn từng ấy phút được bỏ qua"},
        {"login.lock_max_seconds", "thời gian chờ dài nhất (gấp đôi mỗi lần từ 1 giây)"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(key, t[i].key) == 0)
            return t[i].vi;
    return NULL;
}

static int setting_row(void *ctx, const char *key, const char *value, const char *help,
                       int is_default)
{
    cli *c = ((void **)ctx)[0];
    json_t *obj = ((void **)ctx)[1];
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "value", json_string(value));
        json_object_set_new(j, "default", json_boolean(is_default));
        json_object_set_new(j, "help", json_string(help));
        json_object_set_new(obj, key, j);
    } else {
        const char *vi = setting_vi(key);
        printf("%-24s %-10s %s%s\n", key, value, c->lang == CLI_VI && vi ? vi : help,
               is_default ? L(c, " (mặc định)", " (default)") : "");
    }
    return 0;
}

int cmd_settings(cli *c, int argc, char **argv)
{
    static const char *use =
        "niemtin settings [list] | get KEY | set KEY VALUE  [--as LOGIN] [--db PATH] [--json]";
    aopts o;
    int st = parse(c, "settings", argc, argv, &o);
    if (st)
        return st;
    int list = o.nargs == 0 || (o.nargs == 1 && strcmp(o.args[0], "list") == 0);
    int get = o.nargs == 2 && strcmp(o.args[0], "get") == 0;
    int set = o.nargs == 3 && strcmp(o.args[0], "set") == 0;
    if (!list && !get && !set)
        return usage(c, use);
    nt_auth *a;
    if ((st = open_auth(c, &o, &a)))
        return st;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = NT_OK;
    char buf[NT_MAX_SETTING_BYTES + 1];
    if (list) {
        json_t *obj = json_object();
        void *ctx[2] = {c, obj};
        if (!(rc = nt_auth_settings_list(a, setting_row, ctx, &d)) && c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "settings", obj);
            obj = NULL;
            print_json(j);
        }
        json_decref(obj);
    } else if (get) {
        if (!(rc = nt_auth_setting_get(a, o.args[1], buf, sizeof buf, &d))) {
            if (c->json) {
                json_t *j = json_object();
                json_object_set_new(j, o.args[1], json_string(buf));
                print_json(j);
            } else {
                printf("%s\n", buf);
            }
        }
    } else {
        nt_principal who;
        if ((st = acting_in(c, a, o.as, NT_AUTH_SETTINGS, &who))) {
            nt_auth_close(a);
            return st;
        }
        if (!(rc = nt_auth_setting_set(a, &who, o.args[1], o.args[2], &d)) &&
            !(rc = nt_auth_setting_get(a, o.args[1], buf, sizeof buf, &d))) {
            if (c->json) {
                json_t *j = json_object();
                json_object_set_new(j, o.args[1], json_string(buf));
                print_json(j);
            } else {
                printf("%s = %s\n", o.args[1], buf);
            }
        }
    }
    if (rc)
        fail_msg(c, rc, &d, L(c, "cài đặt", "settings"));
    nt_auth_close(a);
    return rc ? 1 : 0;
}

/* ---- niemtin audit ------------------------------------------------------------------ */

static int audit_row(void *ctx, const nt_audit_entry *e)
{
    cli *c = ((void **)ctx)[0];
    json_t *arr = ((void **)ctx)[1];
    char hex[2 * NT_AUDIT_HASH_BYTES + 1], t[32];
    for (int i = 0; i < NT_AUDIT_HASH_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", e->hash[i]);
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(e->id));
        json_object_set_new(j, "at", iso_time(e->at));
        json_object_set_new(j, "actor", json_string(e->actor));
        json_object_set_new(j, "action", json_string(e->action));
        json_object_set_new(j, "object", json_string(e->object));
        json_t *det = json_loads(e->details, 0, NULL);
        json_object_set_new(j, "details", det ? det : json_string(e->details));
        json_object_set_new(j, "hash", json_string(hex));
        json_array_append_new(arr, j);
    } else {
        printf("#%-6lld %s  %-18s %-20s %-28s %s\n", (long long)e->id, vn_time(e->at, t), e->actor,
               e->action, e->object, e->details);
    }
    return 0;
}

static int parse_anchor(const char *s, nt_audit_anchor *an)
{
    char *end;
    errno = 0;
    long long id = strtoll(s, &end, 10);
    if (errno || end == s || *end != ':' || id < 1 || strlen(end + 1) != 2 * NT_AUDIT_HASH_BYTES)
        return -1;
    an->id = id;
    for (int i = 0; i < NT_AUDIT_HASH_BYTES; i++) {
        unsigned v;
        if (sscanf(end + 1 + 2 * i, "%2x", &v) != 1)
            return -1;
        an->hash[i] = (unsigned char)v;
    }
    return 0;
}

static const char *problem_vi(nt_audit_problem p)
{
    switch (p) {
    case NT_AUDIT_EDITED:
        return "nội dung của mục này đã bị sửa (không khớp mã băm của nó)";
    case NT_AUDIT_BROKEN_LINK:
        return "mục này không nối tiếp mục trước: một mục trước nó đã bị sửa (và tính lại mã "
               "băm), thay thế hoặc dời chỗ";
    case NT_AUDIT_MISSING:
        return "có mục bị xoá ngay trước mục này";
    case NT_AUDIT_TRUNCATED:
        return "các mục cuối cùng đã bị xoá (chuỗi ngắn hơn dòng đầu chuỗi ghi nhận)";
    case NT_AUDIT_HEAD_MISMATCH:
        return "dòng đầu chuỗi (head) không khớp với chuỗi: nó đã bị sửa hoặc có mục được thêm "
               "lén";
    case NT_AUDIT_ANCHOR_MISMATCH:
        return "chuỗi không còn chứa mốc đã ghi lại trước đây: nhật ký đã bị viết lại";
    default:
        return "";
    }
}

int cmd_audit(cli *c, int argc, char **argv)
{
    static const char *use = "niemtin audit verify [--anchor ID:HASH]... | list [--since ID] "
                             "[--limit N] | head  [--db PATH] [--json]";
    aopts o;
    int st = parse(c, "audit", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs != 1)
        return usage(c, use);
    const char *sub = o.args[0];
    if (strcmp(sub, "verify") && strcmp(sub, "list") && strcmp(sub, "head"))
        return usage(c, use);
    nt_audit_anchor anchors[16];
    for (int i = 0; i < o.n_anchors; i++)
        if (parse_anchor(o.anchors[i], &anchors[i])) {
            fprintf(stderr, "niemtin: --anchor: %s ID:HASH (niemtin audit head)\n",
                    L(c, "cần dạng", "expected"));
            return 2;
        }
    long long since = 0, limit = 0;
    if (o.since) {
        char *end;
        since = strtoll(o.since, &end, 10);
        if (*end || end == o.since || since < 0)
            return usage(c, use);
    }
    if (o.limit) {
        char *end;
        limit = strtoll(o.limit, &end, 10);
        if (*end || end == o.limit || limit < 1 || limit > NT_MAX_AUDIT_LIST_LIMIT) {
            fprintf(stderr, "niemtin: --limit: 1..%u\n", NT_MAX_AUDIT_LIST_LIMIT);
            return 2;
        }
    }
    nt_auth *a;
    if ((st = open_auth(c, &o, &a)))
        return st;
    nt_principal who;
    if ((st = acting_in(c, a, o.as, NT_AUTH_AUDIT_READ, &who))) {
        nt_auth_close(a);
        return st;
    }
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = NT_OK;
    if (strcmp(sub, "list") == 0) {
        json_t *arr = json_array();
        void *ctx[2] = {c, arr};
        int64_t next = since;
        if (!(rc = nt_auth_audit_list(a, since, (size_t)limit, audit_row, ctx, &next, &d)) &&
            c->json) {
            json_t *j = json_object();
            json_object_set_new(j, "entries", arr);
            json_object_set_new(j, "next", json_integer(next));
            arr = NULL;
            print_json(j);
        }
        json_decref(arr);
    } else {
        nt_audit_verdict v;
        if (!(rc = nt_auth_audit_verify(a, anchors, (size_t)o.n_anchors, &v, &d))) {
            char hex[2 * NT_AUDIT_HASH_BYTES + 1];
            for (int i = 0; i < NT_AUDIT_HASH_BYTES; i++)
                snprintf(hex + 2 * i, 3, "%02x", v.head.hash[i]);
            if (strcmp(sub, "head") == 0) {
                if (v.problem != NT_AUDIT_INTACT) {
                    fprintf(stderr, "niemtin: audit head: %s\n", v.message);
                    st = 1;
                } else if (c->json) {
                    json_t *j = json_object();
                    json_object_set_new(j, "id", json_integer(v.head.last_id));
                    json_object_set_new(j, "hash", json_string(hex));
                    json_object_set_new(j, "anchor",
                                        json_sprintf("%lld:%s", (long long)v.head.last_id, hex));
                    print_json(j);
                } else {
                    printf("%lld:%s\n", (long long)v.head.last_id, hex);
                }
            } else if (c->json) {
                json_t *j = json_object();
                json_object_set_new(j, "intact", json_boolean(v.problem == NT_AUDIT_INTACT));
                json_object_set_new(j, "problem", json_string(nt_audit_problem_name(v.problem)));
                json_object_set_new(j, "entries", json_integer(v.entries));
                json_object_set_new(j, "bad_id", v.bad_id ? json_integer(v.bad_id) : json_null());
                json_object_set_new(j, "message", json_string(v.message));
                json_object_set_new(j, "head",
                                    json_sprintf("%lld:%s", (long long)v.head.last_id, hex));
                print_json(j);
                st = v.problem == NT_AUDIT_INTACT ? 0 : 1;
            } else if (v.problem == NT_AUDIT_INTACT) {
                printf("%s: %lld %s; %s %lld:%s\n",
                       L(c, "Nhật ký kiểm toán nguyên vẹn", "The audit log is intact"),
                       (long long)v.entries, L(c, "mục", "entries"),
                       L(c, "mốc hiện tại", "current anchor"), (long long)v.head.last_id, hex);
            } else {
                printf("%s #%lld (%s): %s\n  %s\n",
                       L(c, "PHÁT HIỆN CAN THIỆP tại mục", "TAMPERING FOUND at entry"),
                       (long long)v.bad_id, nt_audit_problem_name(v.problem),
                       L(c, problem_vi(v.problem), v.message), v.message);
                st = 1;
            }
            if (strcmp(sub, "verify") == 0 && v.problem != NT_AUDIT_INTACT)
                st = 1;
        }
    }
    if (rc) {
        fail_msg(c, rc, &d, L(c, "nhật ký kiểm toán", "audit log"));
        st = 1;
    }
    nt_auth_close(a);
    return st;
}

/* ---- niemtin login, demo-accounts --------------------------------------------------- */

int cmd_login(cli *c, int argc, char **argv)
{
    aopts o;
    int st = parse(c, "login", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs != 1)
        return usage(c,
                     "niemtin login LOGIN [--from ADDR] [--password-file F] [--db PATH] [--json]");
    char pw[NT_MAX_PASSWORD_BYTES + 2];
    size_t len = 0;
    if ((st = read_password(c, &o, L(c, "Mật khẩu", "Password"), pw, sizeof pw, &len)))
        return st;
    nt_auth *a;
    if ((st = open_auth(c, &o, &a))) {
        nt_secret_wipe(pw, sizeof pw);
        return st;
    }
    nt_login_result r;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_login(a, o.args[0], pw, len, o.from, &r, &d);
    nt_secret_wipe(pw, sizeof pw);
    if (rc) {
        fail_msg(c, rc, &d, L(c, "đăng nhập", "login"));
        st = 1;
    } else if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "outcome", json_string(nt_authn_name(r.outcome)));
        if (r.outcome == NT_AUTHN_OK) {
            json_object_set_new(j, "session", json_string(r.token));
            json_object_set_new(j, "csrf", json_string(r.csrf));
            json_object_set_new(j, "expires", iso_time(r.expires_at));
            json_object_set_new(j, "role", json_string(nt_role_name(r.who.role)));
        }
        if (r.outcome == NT_AUTHN_THROTTLED)
            json_object_set_new(j, "retry_after", json_integer(r.retry_after));
        print_json(j);
        st = r.outcome == NT_AUTHN_OK ? 0 : 1;
    } else if (r.outcome == NT_AUTHN_OK) {
        printf("%s\n", r.token);
        fprintf(stderr, "%s %s (%s)\n", L(c, "Đã đăng nhập:", "Logged in:"), r.who.name,
                role_label(c, r.who.role));
    } else {
        const char *why =
            r.outcome == NT_AUTHN_THROTTLED
                ? L(c, "sai quá nhiều lần; hãy thử lại sau", "too many failures; retry in")
            : r.outcome == NT_AUTHN_DISABLED
                ? L(c, "tài khoản đã bị khoá", "the account is disabled")
                : L(c, "sai tên đăng nhập hoặc mật khẩu", "wrong login or password");
        if (r.outcome == NT_AUTHN_THROTTLED)
            fprintf(stderr, "niemtin: %s %lld s\n", why, (long long)r.retry_after);
        else
            fprintf(stderr, "niemtin: %s\n", why);
        st = 1;
    }
    nt_secret_wipe(&r, sizeof r);
    nt_auth_close(a);
    return st;
}

int cmd_demo_accounts(cli *c, int argc, char **argv)
{
    aopts o;
    int st = parse(c, "demo-accounts", argc, argv, &o);
    if (st)
        return st;
    if (o.nargs != 0)
        return usage(c, "niemtin demo-accounts [--db PATH] [--json]");
    nt_auth *a;
    if ((st = open_auth(c, &o, &a)))
        return st;
    nt_demo_accounts dm;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_demo_accounts(a, &dm, &d);
    if (rc) {
        fail_msg(c, rc, &d, L(c, "tài khoản demo", "demo accounts"));
        nt_auth_close(a);
        return 1;
    }
    if (c->json) {
        json_t *j = json_object();
        json_object_set_new(j, "demo", json_true());
        json_object_set_new(j, "created", json_boolean(dm.created));
        json_object_set_new(
            j, "admin",
            json_pack("{s:s,s:s}", "login", dm.admin_login, "password", dm.admin_password));
        json_object_set_new(
            j, "analyst",
            json_pack("{s:s,s:s}", "login", dm.analyst_login, "password", dm.analyst_password));
        json_object_set_new(j, "member",
                            json_pack("{s:s,s:s,s:s}", "login", dm.member_login, "password",
                                      dm.member_password, "org", dm.org));
        json_object_set_new(j, "key", json_string(dm.key));
        print_json(j);
    } else {
        printf("%s\n", L(c,
                         "TÀI KHOẢN DEMO — mật khẩu công khai, chỉ dùng để thử, không dùng "
                         "cho dữ liệu thật:",
                         "DEMO ACCOUNTS — published passwords, for trying NiemTin only, never "
                         "for real data:"));
        printf("  %-14s %-14s %s\n", L(c, "quản trị", "admin"), dm.admin_login, dm.admin_password);
        printf("  %-14s %-14s %s\n", L(c, "chuyên viên", "analyst"), dm.analyst_login,
               dm.analyst_password);
        printf("  %-14s %-14s %s  (%s)\n", L(c, "thành viên", "member"), dm.member_login,
               dm.member_password, dm.org);
        printf("  %-14s %s\n", L(c, "khoá API", "API key"), dm.key);
    }
    nt_secret_wipe(&dm, sizeof dm);
    nt_auth_close(a);
    return 0;
}
