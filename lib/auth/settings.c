/*
 * lib/auth/settings.c - the settings an administrator may change, as data:
 * name, form, default, bounds and a line of help each.  Values are parsed
 * strictly ("50/100", not "50 / 100abc") and stored in canonical form.
 *
 * The one idea: the table below is the only list of settings; the CLI, the
 * documentation's table and the cache all come from it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "core/diag.h"

typedef enum { KIND_RATE, KIND_INT } kind;

static const struct {
    const char *key;
    kind kind;
    long def[2];
    long min, max; /* each number of a rate, or the integer */
    const char *help;
} defs[SET__COUNT] = {
    [SET_RATE_PUBLIC] = {"rate.public",
                         KIND_RATE,
                         {20, 60},
                         1,
                         1000000,
                         "anonymous requests per client address: per second/burst"},
    [SET_RATE_MEMBER] = {"rate.member",
                         KIND_RATE,
                         {200, 400},
                         1,
                         1000000,
                         "a member's requests per key or person: per second/burst"},
    [SET_RATE_ANALYST] = {"rate.analyst",
                          KIND_RATE,
                          {50, 100},
                          1,
                          1000000,
                          "an analyst's requests: per second/burst"},
    [SET_RATE_ADMIN] = {"rate.admin",
                        KIND_RATE,
                        {20, 60},
                        1,
                        1000000,
                        "an administrator's requests: per second/burst"},
    [SET_SESSION_IDLE_MINUTES] = {"session.idle_minutes",
                                  KIND_INT,
                                  {30, 0},
                                  1,
                                  1440,
                                  "a web session ends after this many minutes unused"},
    [SET_SESSION_MAX_HOURS] = {"session.max_hours",
                               KIND_INT,
                               {12, 0},
                               1,
                               720,
                               "a web session ends this many hours after login"},
    [SET_LOGIN_MAX_FAILURES] = {"login.max_failures",
                                KIND_INT,
                                {5, 0},
                                1,
                                100,
                                "failed logins of one login name before each attempt must wait"},
    [SET_LOGIN_MAX_FAILURES_ADDR] = {"login.max_failures_addr",
                                     KIND_INT,
                                     {20, 0},
                                     1,
                                     100000,
                                     "failed logins from one address (IPv6: one /64) before "
                                     "each attempt must wait"},
    [SET_LOGIN_WINDOW_MINUTES] = {"login.window_minutes",
                                  KIND_INT,
                                  {15, 0},
                                  1,
                                  1440,
                                  "failures older than this are forgotten"},
    [SET_LOGIN_LOCK_MAX_SECONDS] = {"login.lock_max_seconds",
                                    KIND_INT,
                                    {900, 0},
                                    1,
                                    86400,
                                    "the longest wait after repeated failures (the wait "
                                    "doubles from 1 s)"},
};

void nt__settings_defaults(nt__settings *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < SET__COUNT; i++) {
        s->v[i][0] = defs[i].def[0];
        s->v[i][1] = defs[i].def[1];
    }
}

int nt__setting_find(const char *key)
{
    for (int i = 0; key && i < SET__COUNT; i++)
        if (strcmp(key, defs[i].key) == 0)
            return i;
    return -1;
}

const char *nt__setting_key(int id)
{
    return id >= 0 && id < SET__COUNT ? defs[id].key : "";
}

const char *nt__setting_help(int id)
{
    return id >= 0 && id < SET__COUNT ? defs[id].help : "";
}

/* Digits only, no sign, no spaces, within [min, max]; *end after them. */
static int number(const char *s, long min, long max, long *out, const char **end)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *e;
    long v = strtol(s, &e, 10);
    if (errno || v < min || v > max || e - s > 9)
        return -1;
    *out = v;
    *end = e;
    return 0;
}

nt_err nt__setting_parse(int id, const char *value, long v[2], nt_diag *diag)
{
    const char *end;
    if (id < 0 || id >= SET__COUNT)
        return nt__fail(diag, NT_ERR_NOT_FOUND, 0, "unknown setting");
    if (!value || strlen(value) > NT_MAX_SETTING_BYTES)
        return nt__fail(diag, NT_ERR_INVALID, 0, "%s: a value of at most %u bytes is required",
                        defs[id].key, NT_MAX_SETTING_BYTES);
    if (defs[id].kind == KIND_INT) {
        if (number(value, defs[id].min, defs[id].max, &v[0], &end) || *end)
            return nt__fail(diag, NT_ERR_INVALID, 0, "%s: expected a whole number %ld..%ld",
                            defs[id].key, defs[id].min, defs[id].max);
        v[1] = 0;
        return NT_OK;
    }
    if (number(value, defs[id].min, defs[id].max, &v[0], &end) || *end != '/' ||
        number(end + 1, defs[id].min, defs[id].max, &v[1], &end) || *end)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "%s: expected REQUESTS_PER_SECOND/BURST, e.g. 50/100 (each %ld..%ld)",
                        defs[id].key, defs[id].min, defs[id].max);
    return NT_OK;
}

void nt__setting_format(int id, const long v[2], char *buf, size_t n)
{
    if (id >= 0 && id < SET__COUNT && defs[id].kind == KIND_RATE)
        snprintf(buf, n, "%ld/%ld", v[0], v[1]);
    else
        snprintf(buf, n, "%ld", v[0]);
}
