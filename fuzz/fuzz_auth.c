/*
 * fuzz/fuzz_auth.c - libFuzzer harness for what lib/auth parses from a
 * request: API keys, session tokens and CSRF tokens, passwords (the rules,
 * and a login with them), setting values, and audit details.
 *
 * The first byte picks the target; the rest is the input.  Properties
 * checked (a failure traps):
 *   - nothing but the one real key verifies, and it verifies as itself; a
 *     key that verifies is exactly the real one, byte for byte;
 *   - a malformed or unknown session token is "invalid", never an error;
 *   - a CSRF token verifies only for the session token it was made from;
 *   - the password rules accept only valid UTF-8 of 10..1024 characters
 *     without control characters; a login with any bytes is an outcome, not
 *     a crash;
 *   - a setting value is accepted exactly when it is canonical after
 *     parsing (what is stored reads back the same);
 *   - the audit chain stays intact whatever details are appended.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "niemtin/niemtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

static nt_auth *auth;
static nt_store *store;
static nt_key_secret key;
static nt_principal sys;

static char path[64];

static void cleanup(void)
{
    char p[80];
    nt_store_close(store);
    nt_auth_close(auth);
    remove(path);
    snprintf(p, sizeof p, "%s-wal", path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    remove(p);
}

static void init(void)
{
    snprintf(path, sizeof path, "/tmp/nt_fuzz_auth_%d.db", (int)getpid());
    remove(path);
    nt_auth_config cfg;
    nt_auth_config_init(&cfg);
    cfg.path = path;
    cfg.pw_opslimit = NT_PWHASH_TEST_OPSLIMIT;
    cfg.pw_memlimit = NT_PWHASH_TEST_MEMLIMIT;
    CHECK(nt_auth_open(&cfg, &auth, NULL) == NT_OK);
    nt_principal_system(&sys);
    CHECK(nt_auth_org_add(auth, &sys, "Fuzz Bank", NT_ORG_BANK, NULL, NULL) == NT_OK);
    nt_key_in in = {.org = "Fuzz Bank", .role = NT_ROLE_MEMBER};
    CHECK(nt_auth_key_create(auth, &sys, &in, &key, NULL) == NT_OK);
    nt_user_in u = {.login = "fuzz",
                    .role = NT_ROLE_ANALYST,
                    .password = "fuzz password 1",
                    .password_len = 15};
    CHECK(nt_auth_user_add(auth, &sys, &u, NULL, NULL) == NT_OK);
    nt_store_config sc;
    nt_store_config_init(&sc);
    sc.path = path;
    CHECK(nt_store_open(&sc, &store, NULL) == NT_OK);
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!auth)
        init();
    if (size < 1 || size > 4096)
        return 0;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    char *z = malloc(n + 1);
    memcpy(z, in, n);
    z[n] = '\0';
    nt_principal who;
    nt_authn r;
    switch (data[0] % 6) {
    case 0: {
        CHECK(nt_auth_verify_key(auth, in, n, &who, &r) == NT_OK);
        int same = n == strlen(key.token) && memcmp(in, key.token, n) == 0;
        CHECK((r == NT_AUTHN_OK) == same);
        if (r == NT_AUTHN_OK)
            CHECK(strcmp(who.name, key.prefix) == 0);
        else
            CHECK(who.kind == NT_PRINCIPAL_PUBLIC);
        break;
    }
    case 1:
        CHECK(nt_auth_session_check(auth, in, n, &who, &r, NULL) == NT_OK);
        CHECK(r == NT_AUTHN_INVALID);
        nt_auth_logout(auth, in, n, NULL);
        break;
    case 2: {
        /* first half a session token, second half its claimed CSRF token */
        char csrf[NT_SESSION_TOKEN_CHARS + 1];
        size_t h = n / 2;
        int ok = nt_auth_csrf_verify(in, h, in + h, n - h);
        if (ok) {
            CHECK(nt_auth_csrf_token(in, h, csrf) == NT_OK);
            CHECK(n - h == NT_SESSION_TOKEN_CHARS && memcmp(csrf, in + h, n - h) == 0);
        }
        break;
    }
    case 3: {
        nt_diag d;
        nt_err e = nt_auth_password_check("fuzz", NULL, in, n, &d);
        if (e == NT_OK) {
            size_t bad;
            CHECK(n <= NT_MAX_PASSWORD_BYTES);
            CHECK(nt_utf8_validate(in, n, &bad) == NT_OK);
            for (size_t i = 0; i < n; i++)
                CHECK((unsigned char)in[i] >= 0x20 && in[i] != 0x7f);
        }
        if (n < 64) {
            nt_login_result lr;
            CHECK(nt_auth_login(auth, "fuzz", in, n, NULL, &lr, NULL) == NT_OK);
            CHECK(lr.outcome != NT_AUTHN_OK || (n == 15 && memcmp(in, "fuzz password 1", 15) == 0));
            nt_auth_logout(auth, lr.token, strlen(lr.token), NULL);
        }
        break;
    }
    case 4: {
        char back[NT_MAX_SETTING_BYTES + 1];
        if (nt_auth_setting_set(auth, &sys, "rate.member", z, NULL) == NT_OK) {
            CHECK(nt_auth_setting_get(auth, "rate.member", back, sizeof back, NULL) == NT_OK);
            /* accepted input reads back as written, but for leading zeros */
            CHECK(strchr(back, '/') != NULL);
            if (z[0] != '0' && !strstr(z, "/0"))
                CHECK(strcmp(back, z) == 0);
        }
        nt_auth_setting_set(auth, &sys, "session.idle_minutes", z, NULL);
        break;
    }
    default: {
        nt_audit_append(store, "fuzz", "fuzz.input", "fuzz", z, NULL, NULL);
        nt_audit_verdict v;
        CHECK(nt_audit_verify(store, NULL, 0, &v, NULL) == NT_OK);
        CHECK(v.problem == NT_AUDIT_INTACT);
        break;
    }
    }
    free(z);
    return 0;
}
